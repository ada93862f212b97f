//! `--format sarif`: the run as a SARIF 2.1.0 log, the format that code-scanning services
//! (GitHub code scanning, Azure DevOps, IDE viewers) import.
//!
//! This module exists because those services neither read seslint's own JSON nor its human
//! output: they need the rules described once (`tool.driver.rules`, with their documentation),
//! each finding as a `result` that points at its rule by index, its place as a region whose
//! columns count Unicode characters (`columnKind`), and an identity that survives edits above it
//! (`partialFingerprints`, from [`crate::fingerprint`]) so that an alert is not closed and reopened
//! whenever lines move. Paths are relative URIs under `%SRCROOT%`, the directory seslint ran in.

use serde_json::{json, Map, Value};

use super::{message_text, Summary};
use crate::codes::{NonRuleCode, NON_RULE_CODES};
use crate::finding::Finding;
use crate::finding::Severity;
use crate::fingerprint::fingerprint;
use crate::rules::{Expect, Rule, RuleSet};
use crate::source::{floor_char_boundary, LineIndex, Span};
use crate::RunReport;

/// The schema the log declares: the OASIS standard's, with its errata.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Where the tool is described.
pub const INFORMATION_URI: &str = "https://crates.io/crates/seslint";
/// The key of seslint's fingerprint in `partialFingerprints`; the suffix is bumped if the
/// fingerprint's recipe ever changes, so that old and new values are never compared.
pub const FINGERPRINT_KEY: &str = "seslint/v1";
/// The URI base that relative artifact locations are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// Renders the run as a pretty-printed SARIF log: one run, every rule of `rules`, one result per
/// finding.
pub fn render(report: &RunReport, rules: &RuleSet) -> String {
    let results: Vec<Value> = report
        .files
        .iter()
        .filter(|file| !file.findings.is_empty())
        .flat_map(|file| {
            let places = Places::new(&file.text);
            file.findings
                .iter()
                .map(|finding| result(&file.path, finding, &places, rules))
                .collect::<Vec<_>>()
        })
        .collect();
    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|problem| {
            json!({
                "level": if problem.is_fatal() { "error" } else { "note" },
                "message": { "text": problem.problem.to_string() },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact_location(&problem.path) } }],
            })
        })
        .collect();
    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        json!(!report.problems.iter().any(|p| p.is_fatal())),
    );
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), Value::Array(notifications));
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "seslint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules.rules.iter().map(descriptor).chain(NON_RULE_CODES.iter().map(|c| non_rule_descriptor(c))).collect::<Vec<_>>(),
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The directory seslint was run in: result paths are relative to it, as seslint reports them."
                    }
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "summary": Summary::of(report) },
        }]
    });
    // A tree of strings, numbers and booleans always serializes.
    serde_json::to_string_pretty(&log).expect("the SARIF log serializes")
}

/// SARIF's name for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The descriptor of a code no rule file defines (SUP001), from the code registry.
fn non_rule_descriptor(code: &NonRuleCode) -> Value {
    let help = format!("{}\n\n{}", code.what, code.fix);
    json!({
        "id": code.code,
        "name": code.name,
        "shortDescription": { "text": code.summary },
        "fullDescription": { "text": code.what },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(code.severity) },
    })
}

/// A rule as a `reportingDescriptor`.
fn descriptor(rule: &Rule) -> Value {
    let mut tags = vec![rule.applies_to.as_str()];
    if rule.origin != "built-in" {
        tags.push("custom");
    }
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.doc.what.trim() },
        "help": { "text": help_text(rule), "markdown": help_markdown(rule) },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": tags },
    })
}

/// The rule's examples, violations first, each with the heading it is shown under.
fn examples(rule: &Rule) -> impl Iterator<Item = (String, &str)> {
    [("Example", Expect::Violation), ("Fixed", Expect::Clean)]
        .into_iter()
        .flat_map(move |(title, kind)| {
            rule.examples.iter().filter(move |e| e.expect == kind).map(move |e| {
                let heading = match &e.note {
                    Some(note) => format!("{title}: {note}"),
                    None => title.to_string(),
                };
                (heading, e.policy.trim_end())
            })
        })
}

/// The rule's documentation as plain text, in the order of `seslint explain`.
fn help_text(rule: &Rule) -> String {
    let indent = |text: &str| {
        text.lines()
            .map(|line| format!("    {line}").trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = format!("{}\n\nWhy it matters:\n{}\n", rule.doc.what.trim(), rule.doc.why.trim());
    for (heading, policy) in examples(rule) {
        out.push_str(&format!("\n{heading}:\n{}\n", indent(policy)));
    }
    out.push_str(&format!("\nHow to fix:\n{}", rule.doc.fix.trim()));
    out
}

/// The rule's documentation as Markdown (the documentation texts are Markdown already), with
/// the examples as fenced JSON blocks.
fn help_markdown(rule: &Rule) -> String {
    let mut out = format!(
        "{}\n\n**Why it matters**\n\n{}\n",
        rule.doc.what.trim(),
        rule.doc.why.trim()
    );
    for (heading, policy) in examples(rule) {
        let fence = fence_for(policy);
        out.push_str(&format!("\n**{heading}**\n\n{fence}json\n{policy}\n{fence}\n"));
    }
    out.push_str(&format!("\n**How to fix**\n\n{}", rule.doc.fix.trim()));
    out
}

/// A backtick fence longer than any run of backticks in `text`, so that the block cannot end early.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or_default();
    "`".repeat((longest + 1).max(3))
}

/// One finding as a `result`.
fn result(path: &str, finding: &Finding, places: &Places, rules: &RuleSet) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.code));
    let index = rules.rules.iter().position(|r| r.code == finding.code);
    // The codes that are not rules are described after the rules.
    let index = index.or_else(|| {
        NON_RULE_CODES
            .iter()
            .position(|c| c.code == finding.code)
            .map(|i| rules.rules.len() + i)
    });
    if let Some(index) = index {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(finding.severity)));
    result.insert("message".into(), json!({ "text": message_text(finding) }));
    let mut location = Map::new();
    location.insert("physicalLocation".into(), physical_location(path, finding.span, places));
    if !finding.policy.is_empty() {
        location.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": finding.policy }]),
        );
    }
    result.insert("locations".into(), json!([location]));
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(path, finding) }),
    );
    if !finding.related.is_empty() {
        let related: Vec<Value> = finding
            .related
            .iter()
            .enumerate()
            .map(|(i, (span, text))| {
                let mut related = Map::new();
                related.insert("id".into(), json!(i + 1));
                related.insert("physicalLocation".into(), physical_location(path, *span, places));
                if !text.is_empty() {
                    related.insert("message".into(), json!({ "text": text }));
                }
                Value::Object(related)
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(fix) = &finding.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| json!({ "deletedRegion": places.region(edit.span), "insertedContent": { "text": edit.text } }))
            .collect();
        result.insert(
            "fixes".into(),
            json!([{
                "description": { "text": format!("{} ({})", fix.description, fix.applicability.as_str()) },
                "artifactChanges": [{ "artifactLocation": artifact_location(path), "replacements": replacements }],
            }]),
        );
    }
    Value::Object(result)
}

fn physical_location(path: &str, span: Span, places: &Places) -> Value {
    json!({
        "artifactLocation": artifact_location(path),
        "region": places.region(span),
    })
}

/// A reported path as an `artifactLocation`: relative paths become relative URI references
/// under `%SRCROOT%` (`/` separators, percent-encoded); an absolute path becomes a `file:` URI.
fn artifact_location(path: &str) -> Value {
    let slashed = if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    if std::path::Path::new(path).is_absolute() || slashed.starts_with('/') {
        // `/srv/x` -> `file:///srv/x`, `C:/x` -> `file:///C:/x`, `//host/share/x` -> `file://host/share/x`.
        let prefix = if slashed.starts_with("//") {
            "file:"
        } else if slashed.starts_with('/') {
            "file://"
        } else {
            "file:///"
        };
        return json!({ "uri": format!("{prefix}{}", percent_encode(&slashed, true)) });
    }
    let relative = slashed
        .strip_prefix("./")
        .filter(|rest| !rest.is_empty())
        .unwrap_or(&slashed);
    json!({ "uri": percent_encode(relative, false), "uriBaseId": SRCROOT })
}

/// Percent-encodes every byte of `path` except unreserved characters and `/` (and `:` in an
/// absolute path, where it cannot be mistaken for a scheme), so that the result is a valid URI
/// reference whatever the file is called.
fn percent_encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && byte == b':');
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Offsets of one file's text as SARIF counts them: lines and columns from [`LineIndex`], and
/// character offsets (Unicode code points, like the columns; a byte order mark is not counted,
/// as it is not a column either).
struct Places<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
}

impl<'a> Places<'a> {
    fn new(text: &'a str) -> Self {
        Places {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The number of characters before `offset` (a character boundary), BOM excluded.
    fn char_offset(&self, offset: usize) -> usize {
        self.lines.char_offset(offset)
    }

    fn region(&self, span: Span) -> Value {
        let start = floor_char_boundary(self.text, span.start);
        let end = floor_char_boundary(self.text, span.end).max(start);
        let (from, to) = (self.lines.position(start), self.lines.position(end));
        let char_offset = self.char_offset(start);
        json!({
            "startLine": from.line,
            "startColumn": from.column,
            "endLine": to.line,
            "endColumn": to.column,
            "charOffset": char_offset,
            "charLength": self.char_offset(end) - char_offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::STRIDE;

    #[test]
    fn char_offsets_count_code_points_across_strides() {
        let text = format!("{}é{}x", "a".repeat(STRIDE - 1), "ü".repeat(STRIDE));
        let places = Places::new(&text);
        let x = text.find('x').unwrap();
        assert_eq!(places.char_offset(x), text[..x].chars().count());
        assert_eq!(places.char_offset(text.len()), text.chars().count());
        assert_eq!(places.char_offset(STRIDE + 1), STRIDE);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_character() {
        let text = "\u{feff}{\"a\":1}";
        let places = Places::new(text);
        assert_eq!(places.char_offset(3), 0);
        assert_eq!(places.char_offset(4), 1);
        let region = places.region(Span::new(4, 7));
        assert_eq!(region["startColumn"], 2);
        assert_eq!(region["charOffset"], 1);
        assert_eq!(region["charLength"], 3);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            artifact_location("infra/ses policy/ü.json"),
            json!({ "uri": "infra/ses%20policy/%C3%BC.json", "uriBaseId": SRCROOT })
        );
        assert_eq!(
            artifact_location("./a:b#c?.json"),
            json!({ "uri": "a%3Ab%23c%3F.json", "uriBaseId": SRCROOT })
        );
        assert_eq!(
            artifact_location("/srv/repo/100%.json"),
            json!({ "uri": "file:///srv/repo/100%25.json" })
        );
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence_for("{}"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
