//! Fixing arbitrary input: the first byte picks the file name (and so the container and its
//! writer), the rest is the file. Every fix is checked, then all of them (safe and unsafe) are
//! applied pass after pass, as `check --fix --unsafe-fixes` does.
//!
//! Asserts: every edit lies in the text on character boundaries, a fix's edits are in order and
//! do not overlap; fixing text that parses never produces text that does not (no SES001, SES002
//! or SRC001 finding that the input did not have); the fixed text is UTF-8 and lints without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint::fix::apply::fix_text;
use seslint_fuzz::{check_span, rules};

/// A name per container with a writer.
const NAMES: [&str; 7] = [
    "policy.json",
    "export.json",
    "plan.json",
    "main.tf",
    "main.tf.json",
    "template.yaml",
    "template.json",
];

/// The rules that say a file does not parse (in its own syntax or as policy JSON).
const PARSE_RULES: [&str; 3] = ["SES001", "SES002", "SRC001"];

fn parse_findings(report: &seslint::FileReport) -> usize {
    report
        .findings
        .iter()
        .filter(|f| PARSE_RULES.contains(&f.code.as_str()))
        .count()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let report = seslint::lint_bytes(name, bytes, rules());
    for finding in &report.findings {
        let Some(fix) = &finding.fix else { continue };
        for edit in &fix.edits {
            check_span(text, edit.span, &format!("{} fix edit", finding.code));
        }
        assert!(
            fix.edits.windows(2).all(|w| w[0].span.end <= w[1].span.start),
            "{}: a fix's edits overlap or are out of order",
            finding.code
        );
    }
    let before = parse_findings(&report);
    let (fixed, left) = fix_text(name, text, rules(), true, &|_| {});
    if before == 0 {
        assert_eq!(
            parse_findings(&left),
            0,
            "fixing made {name} unparseable:\n--- before\n{text}\n--- after\n{fixed}"
        );
    }
});
