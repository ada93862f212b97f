//! Fixes: the edits a finding carries so that `seslint check --fix` can rewrite exactly the
//! bytes that are wrong and leave every other byte alone.
//!
//! A rule declares its fix as data (`fix = { ... }` on a check, compiled in `rule.rs`); the
//! evaluator turns it into an [`Op`] on the canonical tree (replace a value, rename a key, add an
//! item or a member, move a member); `write.rs` serialises the op in the syntax the document is
//! written in ([`Syntax`]: JSON, JSON inside string literals, Terraform `jsonencode` HCL,
//! `aws_iam_policy_document` blocks, YAML) as byte [`Edit`]s of the file. `apply.rs` applies the
//! edits of a run, pass after pass; `diff.rs` shows them as a unified diff.

pub mod apply;
pub mod diff;
pub mod rule;
pub mod write;

use serde::Serialize;
use serde_json::Value;

use crate::policy::NodeRef;
use crate::source::Span;

/// Whether a fix keeps what the policy means (`safe`, applied by `--fix`) or may change it
/// (`unsafe`, applied only with `--unsafe-fixes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` with `text` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A finding's fix: edits of its file that are applied together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, for people (`set the value to "2012-10-17"`).
    pub description: String,
    /// Non-overlapping, in file order.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// The smallest span that holds every edit.
    pub fn extent(&self) -> Span {
        let start = self.edits.iter().map(|e| e.span.start).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.span.end).max().unwrap_or(0);
        Span::new(start, end)
    }
}

/// How a document's policy is written in its file, which decides how an edit is serialised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Syntax {
    /// No writer knows this container (text joined from `Fn::Join` parts, a referenced
    /// template): findings carry no fix.
    #[default]
    Opaque,
    /// JSON text, directly in the file (no layer) or inside string literals, outermost first
    /// (a CLI export: one JSON string; CDK output: a JSON string in a JSON string).
    Json(Vec<Layer>),
    /// Terraform HCL expressions: `jsonencode({...})`.
    Hcl,
    /// A Terraform `data "aws_iam_policy_document"`: `statement`, `principals`, `condition` blocks.
    PolicyDocument,
    /// A YAML mapping (a CloudFormation template's `PolicyDocument`).
    Yaml,
}

/// A string literal around JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A JSON string literal (`\"`, `\\`, `\n`).
    JsonString,
    /// A quoted Terraform string: JSON's escapes, and `${` / `%{` doubled.
    HclString,
    /// A Terraform heredoc: text as is, `${` / `%{` doubled.
    Heredoc,
}

/// A change to the canonical tree, before it is written in the document's syntax.
#[derive(Debug, Clone)]
pub enum Op<'t> {
    /// Replace a node's value (with `key`: rename its member too).
    Replace {
        node: NodeRef<'t>,
        key: Option<String>,
        value: Option<Value>,
    },
    /// Add an item at the end of a list (a single value becomes a list of two).
    Append { list: NodeRef<'t>, value: Value },
    /// Add `path[0]` to an object, nesting the rest of `path` around `value` (the object is the
    /// deepest one of the path that exists); `first`: before the other members.
    Insert {
        object: NodeRef<'t>,
        path: Vec<String>,
        value: Value,
        first: bool,
    },
    /// Move a member of a condition operator to the operator `to` (renaming the operator when
    /// the member is its only one).
    Move { member: NodeRef<'t>, to: String },
}

/// What a fix does, for people, in the file's own syntax: the text it adds, or the text it
/// replaces and with what; an op of several edits (a move) by what it does.
pub fn describe(op: &Op, edits: &[Edit], text: &str) -> String {
    let shown = |t: &str| t.trim_matches(|c: char| c == ',' || c.is_whitespace()).to_string();
    match (op, edits) {
        (Op::Move { to, .. }, _) => format!("move the key under {}", Value::String(to.clone())),
        (_, [edit]) if edit.span.is_empty() => format!("add {}", shown(&edit.text)),
        (_, [edit]) => {
            let old = text.get(edit.span.start..edit.span.end).unwrap_or_default();
            format!("replace {} with {}", shown(old), shown(&edit.text))
        }
        (_, edits) => {
            let each: Vec<String> = edits
                .iter()
                .map(|e| {
                    let old = text.get(e.span.start..e.span.end).unwrap_or_default();
                    format!("{} with {}", shown(old), shown(&e.text))
                })
                .collect();
            format!("replace {}", each.join(", and "))
        }
    }
}
