//! The registry of diagnostic codes: what a code selector matches, and the codes that are not
//! rules (they come from seslint itself, not from a rule file), with the documentation
//! `seslint explain` and SARIF show for them.
//!
//! Rule codes live in their rule files; this module knows only how codes are selected and the
//! few codes no rule file defines, so that configuration, suppressions and reports share one
//! spelling of each.

use crate::finding::Severity;

/// Whether a selector (a code, or a prefix of codes such as `COG` or `SES01`) matches `code`.
pub fn matches(selector: &str, code: &str) -> bool {
    !selector.is_empty() && code.len() >= selector.len() && code[..selector.len()].eq_ignore_ascii_case(selector)
}

/// A diagnostic code that no rule file defines.
#[derive(Debug)]
pub struct NonRuleCode {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
}

/// A `seslint:ignore` comment that suppresses no finding.
pub const UNUSED_SUPPRESSION: NonRuleCode = NonRuleCode {
    code: "SUP001",
    name: "unused-suppression",
    severity: Severity::Info,
    summary: "a suppression comment suppresses nothing",
    what: "Reports a `# seslint:ignore CODE` (or `//`) comment that suppresses no finding: none of \
           its codes is reported on its line (or, for a comment alone on its line, on the next).",
    why: "A suppression outlives the finding it was written for: once the policy is fixed, or the \
          code is misspelled, the comment only hides whatever comes next on that line.",
    fix: "Remove the comment, or name a code that is reported on its line. A comment that names a \
          rule left out of the run (`--select`, `--ignore`) or ignored for its file \
          (`per-file-ignores`) is not reported.",
};

/// Every code that is not a rule.
pub const NON_RULE_CODES: [&NonRuleCode; 1] = [&UNUSED_SUPPRESSION];

/// The non-rule code `code` names, by code or name, in any case.
pub fn non_rule(code: &str) -> Option<&'static NonRuleCode> {
    NON_RULE_CODES
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code) || c.name == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_case_insensitive_prefixes() {
        assert!(matches("cog", "COG001"));
        assert!(matches("SES01", "SES010"));
        assert!(!matches("SES010", "SES01"));
        assert!(!matches("", "SES001"));
        assert_eq!(non_rule("sup001").map(|c| c.name), Some("unused-suppression"));
        assert_eq!(non_rule("unused-suppression").map(|c| c.code), Some("SUP001"));
    }
}
