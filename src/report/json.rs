//! `--format json`: one JSON object, the contract in DESIGN.md.

use serde::Serialize;

use super::Summary;
use crate::source::{LineIndex, Position, Span};
use crate::{RunReport, UnreadFile};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    summary: JsonSummary<'a>,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    #[serde(flatten)]
    counts: Summary,
    /// Files in formats seslint does not read that may hold SES policies (the closing note).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unread: &'a [UnreadFile],
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    help: &'a str,
    path: &'a str,
    policy: &'a str,
    span: JsonSpan,
    start: Position,
    end: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

/// A finding's fix: `--fix` applies it when it is safe (`--unsafe-fixes`: also unsafe).
#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    description: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

/// Replace the bytes of `span` (`start` to `end`) with `text`.
#[derive(Serialize)]
struct JsonEdit<'a> {
    span: JsonSpan,
    start: Position,
    end: Position,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonSpan {
    offset: usize,
    length: usize,
}

pub fn render(report: &RunReport) -> String {
    let mut diagnostics = Vec::new();
    for file in &report.files {
        if file.findings.is_empty() {
            continue;
        }
        let lines = LineIndex::new(&file.text);
        for finding in &file.findings {
            let Span { start, end } = finding.span;
            diagnostics.push(Diagnostic {
                rule: &finding.code,
                name: &finding.name,
                severity: finding.severity.as_str(),
                message: &finding.message,
                help: &finding.help,
                path: &file.path,
                policy: &finding.policy,
                span: JsonSpan {
                    offset: start,
                    length: end - start,
                },
                start: lines.position(start),
                end: lines.position(end),
                fix: finding.fix.as_ref().map(|fix| JsonFix {
                    applicability: fix.applicability.as_str(),
                    description: &fix.description,
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| JsonEdit {
                            span: JsonSpan {
                                offset: edit.span.start,
                                length: edit.span.len(),
                            },
                            start: lines.position(edit.span.start),
                            end: lines.position(edit.span.end),
                            text: &edit.text,
                        })
                        .collect(),
                }),
            });
        }
    }
    let output = Output {
        version: 1,
        summary: JsonSummary {
            counts: Summary::of(report),
            unread: &report.unread,
        },
        diagnostics,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&output).expect("the JSON report serializes")
}
