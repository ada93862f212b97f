//! Arbitrary bytes as the policy string of an AWS CLI export,
//! `{"Policies": {"p": "<the input, JSON-escaped>"}}`, linted as `export.json`.
//!
//! A first byte below 0x08 picks how the string is escaped (see `Escaping`) and is not part of
//! the policy; any other first byte starts the policy, escaped minimally (so that a policy file
//! is a seed as it is).
//!
//! Asserts: every finding's spans lie in the text on character boundaries; every finding on the
//! policy (labelled `Policies.p`) lies inside the policy's string literal (an empty policy
//! string was reported at the start of the file: fixtures/hostile/fuzz/cli_export-empty-policy-string.json).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint::json;
use seslint_fuzz::{check_report, check_span, escape_json_string, rules, Escaping};

fuzz_target!(|data: &[u8]| {
    let (escaping, policy) = match data.first() {
        Some(&mode) if mode < 0x08 => (Escaping::ALL[usize::from(mode) % Escaping::ALL.len()], &data[1..]),
        _ => (Escaping::Minimal, data),
    };
    let policy = String::from_utf8_lossy(policy);
    let literal = escape_json_string(&policy, escaping);
    let text = format!("{{\"Policies\": {{\"p\": {literal}}}}}");
    let report = seslint::lint_bytes("export.json", text.as_bytes(), rules());
    check_report(&report, text.as_bytes());

    // Where the literal is, as the parser sees it (raw control characters are recovered from).
    let parsed = json::parse(&text);
    let literal_span = parsed
        .root
        .as_ref()
        .and_then(|root| root.get("Policies"))
        .and_then(|policies| policies.value.get("p"))
        .map(|p| p.value.span)
        .expect("the export parses");
    assert_eq!(&text[literal_span.start..literal_span.end], literal);
    for finding in report.findings.iter().filter(|f| f.policy == "Policies.p") {
        let spans = std::iter::once(finding.span).chain(finding.related.iter().map(|(s, _)| *s));
        for span in spans {
            check_span(&text, span, &finding.code);
            assert!(
                literal_span.start <= span.start && span.end <= literal_span.end,
                "{} ({}) at {}..{} is outside the policy's literal {}..{}",
                finding.code,
                finding.message,
                span.start,
                span.end,
                literal_span.start,
                literal_span.end
            );
        }
    }
});
