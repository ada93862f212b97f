//! Helpers shared by the fuzz targets: the built-in rules (compiled once per process), the span
//! invariants every target asserts, and a JSON string escaper with several styles.

use std::sync::OnceLock;

use seslint::rules::RuleSet;
use seslint::source::Span;
use seslint::FileReport;

/// The built-in rules, compiled once.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("the built-in rules compile"))
}

/// Asserts that `span` is a well-formed range of `text` whose ends are character boundaries.
pub fn check_span(text: &str, span: Span, what: &dyn std::fmt::Display) {
    assert!(
        span.start <= span.end,
        "{what}: span {}..{} is reversed",
        span.start,
        span.end
    );
    assert!(
        span.end <= text.len(),
        "{what}: span {}..{} ends past the text ({} bytes)",
        span.start,
        span.end,
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start),
        "{what}: span {}..{} starts inside a character",
        span.start,
        span.end
    );
    assert!(
        text.is_char_boundary(span.end),
        "{what}: span {}..{} ends inside a character",
        span.start,
        span.end
    );
}

/// Asserts the invariants of one file's report: the text is the file's bytes (invalid UTF-8
/// replaced) whenever there are findings, and every primary and related span lies in it.
pub fn check_report(report: &FileReport, bytes: &[u8]) {
    if report.findings.is_empty() {
        return;
    }
    assert_eq!(
        &*report.text,
        &*String::from_utf8_lossy(bytes),
        "a report with findings carries the file's text"
    );
    for finding in &report.findings {
        let what = format!("{} primary", finding.code);
        check_span(&report.text, finding.span, &what);
        for (span, label) in &finding.related {
            let what = format!("{} related {label:?}", finding.code);
            check_span(&report.text, *span, &what);
        }
    }
}

/// How [`escape_json_string`] writes a string literal: the ways real producers escape (the
/// AWS CLI escapes little, some SDKs escape every non-ASCII character or `/`).
#[derive(Clone, Copy, Debug)]
pub enum Escaping {
    /// Only what JSON requires: `"`, `\` and control characters (short forms where they exist).
    Minimal,
    /// As `Minimal`, and every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF).
    Ascii,
    /// Every character as `\uXXXX`.
    All,
    /// As `Minimal`, `/` as `\/`, and every second character as `\uXXXX`.
    Mixed,
    /// `"` and `\` escaped, control characters left raw (a recoverable JSON error).
    RawControls,
}

impl Escaping {
    pub const ALL: [Escaping; 5] = [
        Escaping::Minimal,
        Escaping::Ascii,
        Escaping::All,
        Escaping::Mixed,
        Escaping::RawControls,
    ];
}

fn push_unicode_escape(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        out.push_str(&format!("\\u{unit:04x}"));
    }
}

/// `text` as a JSON string literal, quotes included.
pub fn escape_json_string(text: &str, escaping: Escaping) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for (index, c) in text.chars().enumerate() {
        let forced = match escaping {
            Escaping::All => true,
            Escaping::Ascii => !c.is_ascii(),
            Escaping::Mixed => index % 2 == 1,
            Escaping::Minimal | Escaping::RawControls => false,
        };
        if forced {
            push_unicode_escape(&mut out, c);
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if matches!(escaping, Escaping::Mixed) => out.push_str("\\/"),
            c if (c as u32) < 0x20 && matches!(escaping, Escaping::RawControls) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
