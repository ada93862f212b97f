//! A finding: one rule's verdict on one place of one policy.
//!
//! Every output format (human, JSON, and those to come) is built from this one type.

use serde::Deserialize;

use crate::source::Span;

/// How much a finding matters; `--fail-on` compares with it. The basic type every layer shares
/// (rules give it, configuration changes it, reports show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    /// The policy's label within its file (`Policies.cognito`); empty for a whole-file policy.
    pub policy: String,
    /// The primary span, in the file's bytes.
    pub span: Span,
    /// Text under the primary span.
    pub label: Option<String>,
    /// Further places that explain the finding (the first of two duplicate keys, ...).
    pub related: Vec<(Span, String)>,
    /// Where the finding is in its policy, in terms that survive edits elsewhere in the file:
    /// the statement by its Sid (else its index) and the JSON pointer inside it, e.g.
    /// `Statement[Sid=AllowCognito]/Condition/StringEquals/aws:sourceaccount/0`.
    pub location: String,
    /// The edits that fix it, when its rule declares a fix that fits here (`--fix`).
    pub fix: Option<crate::fix::Fix>,
}
