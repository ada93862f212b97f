//! The rule catalog as text: the table `seslint rules` prints and the documentation
//! `seslint explain CODE` prints, for a rule and for a code that is not a rule (SUP001).

use crate::codes::NonRuleCode;
use crate::rules::{Expect, Rule, RuleSet};
use crate::ExampleOutcome;

/// `CODE NAME SEVERITY SUMMARY`, one row a rule, then the codes that are not rules.
pub fn rules_table(rules: &RuleSet) -> String {
    let name_width = rules.rules.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let row = |code: &str, name: &str, severity: &str, summary: &str| {
        format!("{code:<7} {name:<name_width$} {severity:<8} {summary}\n")
    };
    let mut out = row("CODE", "NAME", "SEVERITY", "SUMMARY");
    for rule in &rules.rules {
        out.push_str(&row(&rule.code, &rule.name, rule.severity.as_str(), &rule.summary));
    }
    for code in crate::codes::NON_RULE_CODES {
        out.push_str(&row(code.code, code.name, code.severity.as_str(), code.summary));
    }
    out
}

/// A rule's documentation: what it does, why, its examples, how to fix.
pub fn explain(rule: &Rule) -> String {
    let mut out = format!(
        "{} {} ({})\n{}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary
    );
    if rule.origin != "built-in" {
        out.push_str(&format!("Defined in {}\n", rule.origin));
    }
    out.push_str(&format!("\nWhat it does\n{}\n", indent(&rule.doc.what)));
    out.push_str(&format!("\nWhy it matters\n{}\n", indent(&rule.doc.why)));
    for (title, kind) in [("Example", Expect::Violation), ("Fixed", Expect::Clean)] {
        for example in rule.examples.iter().filter(|e| e.expect == kind) {
            out.push_str(&format!(
                "\n{title}{}{}\n",
                example.file.as_deref().map(|f| format!(" ({f})")).unwrap_or_default(),
                example.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
            ));
            out.push_str(&indent(&example.policy));
            out.push('\n');
        }
    }
    out.push_str(&format!("\nHow to fix\n{}\n", indent(&rule.doc.fix)));
    out
}

/// The documentation of a code that is not a rule.
pub fn explain_non_rule(code: &NonRuleCode) -> String {
    format!(
        "{} {} ({})\n{}\n\nWhat it does\n{}\n\nWhy it matters\n{}\n\nHow to fix\n{}\n",
        code.code,
        code.name,
        code.severity.as_str(),
        code.summary,
        indent(code.what),
        indent(code.why),
        indent(code.fix)
    )
}

/// Text indented by four spaces, without trailing white space.
fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `seslint test-rules`: a line per example, `PASS`/`FAIL CODE example N (violation|clean)`, with
/// what a failing one gave; then the counts.
pub fn example_results(outcomes: &[ExampleOutcome]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        let kind = match outcome.example.expect {
            Expect::Violation => "violation",
            Expect::Clean => "clean",
        };
        let verdict = if outcome.passed { "PASS" } else { "FAIL" };
        let note = outcome
            .example
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{verdict} {} example {} ({kind}){note}\n",
            outcome.rule.code, outcome.number
        ));
        if !outcome.passed {
            let want = match outcome.example.expect {
                Expect::Violation => format!("a {} finding", outcome.rule.code),
                Expect::Clean => "no finding".to_string(),
            };
            out.push_str(&format!("     expected {want}, got:"));
            if outcome.found.is_empty() {
                out.push_str(" nothing");
            }
            out.push('\n');
            for (code, message) in &outcome.found {
                out.push_str(&format!("       {code} {message}\n"));
            }
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    out.push_str(&format!("{} passed, {failed} failed\n", outcomes.len() - failed));
    out
}
