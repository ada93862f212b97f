//! The whole pipeline after discovery on arbitrary bytes: the first byte picks the file name
//! (and so the format), the rest is the file. The file is linted, then rendered by every
//! report format.
//!
//! Asserts: the span invariants of every finding; the human, GitHub and SARIF renderers do not
//! panic; the JSON and SARIF reports are JSON (SARIF without the catalog's rule descriptors,
//! which do not depend on the input); the JSON report has one diagnostic per finding,
//! at the finding's span.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint::report::{github, human, json, sarif};
use seslint::rules::RuleSet;
use seslint::RunReport;
use seslint_fuzz::{check_report, rules};

/// Names that pick each reader, one whose content decides (`policy`: JSON structure or a `#!`
/// line), formats seslint only sniffs (`ci.yml`, `stack.ts`), which must give no finding, and
/// documents and scripts (last, so that the seeds' selectors keep their names).
const NAMES: [&str; 11] = [
    "policy.json",
    "main.tf",
    "main.tf.json",
    "plan.json",
    "export.json",
    "policy",
    "ci.yml",
    "stack.ts",
    "doc.md",
    "doc.rst",
    "run.sh",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let file = seslint::lint_bytes(name, bytes, rules());
    check_report(&file, bytes);
    if name.ends_with(".yml") || name.ends_with(".ts") {
        assert!(file.findings.is_empty(), "a format seslint does not read gives no finding");
    }
    let findings: Vec<(usize, usize)> = file.findings.iter().map(|f| (f.span.start, f.span.end)).collect();
    let run = RunReport {
        files: vec![file],
        ..Default::default()
    };

    let style = human::Style {
        color: false,
        width: 100,
    };
    let rendered = human::render(&run, &style);
    assert!(findings.is_empty() || !rendered.is_empty());
    let _ = human::summary_line(&run);

    let report: serde_json::Value = serde_json::from_str(&json::render(&run)).expect("the JSON report is JSON");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics is an array");
    assert_eq!(diagnostics.len(), findings.len());
    for (diagnostic, (start, end)) in diagnostics.iter().zip(&findings) {
        assert_eq!(diagnostic["span"]["offset"].as_u64(), Some(*start as u64));
        assert_eq!(diagnostic["span"]["length"].as_u64(), Some((end - start) as u64));
    }

    // The SARIF log with no rule descriptors: describing the catalog does not depend on the input
    // and would cost most of each run; the results (regions, fingerprints) are what is fuzzed.
    let no_rules = RuleSet::default();
    let sarif = sarif::render(&run, &no_rules);
    let _: serde::de::IgnoredAny = serde_json::from_str(&sarif).expect("the SARIF log is JSON");
    let _ = github::render(&run);
});
