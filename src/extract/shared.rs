//! What the extractors share: building the documents every container needs (a policy inside a
//! JSON string, a container's own syntax problems, a file that does not parse in its format).

use crate::fix::{Layer, Syntax};
use crate::json::{self, DuplicateKey, Node, SyntaxError};
use crate::policy::{ContextHint, PolicyDocument};
use crate::source::Span;

/// A Terraform file that does not parse, when it looks like it holds a policy: a diagnostic at
/// the parser's position, in Terraform's words (SRC001), not JSON's.
pub fn hcl_error(text: &str, at: usize, message: String) -> PolicyDocument {
    let at = Span::char_at(text, at.min(text.len()));
    file_error(text, at, format!("the Terraform file does not parse: {message}"))
}

/// A file around policies (a Terraform file, a template) that does not parse in its own format:
/// a document that carries only that error, for SRC001. No policy text was read, so there is no
/// size to measure.
pub fn file_error(text: &str, at: Span, message: String) -> PolicyDocument {
    let error = SyntaxError {
        span: at,
        message,
        fatal: true,
    };
    let mut document = PolicyDocument::new(
        String::new(),
        ContextHint::Unknown,
        None,
        (&[], &[]),
        Span::new(0, text.len()),
        0,
        &|s| s,
    );
    document.file_errors.push(error);
    document
}

/// A document for text that should hold a policy but is not even text: only the syntax rules
/// see it.
pub fn unreadable(message: String, at: Span, text_len: usize) -> PolicyDocument {
    let error = SyntaxError {
        span: at,
        message,
        fatal: true,
    };
    PolicyDocument::new(
        String::new(),
        ContextHint::Unknown,
        None,
        (&[error], &[]),
        Span::new(0, text_len),
        text_len,
        &|s| s,
    )
}

/// Parses the policy inside the JSON string literal at `literal` of `text` (a CLI export, a
/// plan, CDK output), mapping every span back through the string's escapes.
pub fn document_in_string(text: &str, literal: Span, label: String, hint: ContextHint) -> PolicyDocument {
    let (decoded, offsets) = json::decode_string_literal(text, literal);
    let parsed = json::parse(&decoded);
    let map = |span: Span| offsets.span(span);
    let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
    let document = PolicyDocument::new(
        label,
        hint,
        parsed.root.as_ref(),
        problems,
        literal,
        decoded.len(),
        &map,
    );
    PolicyDocument {
        syntax: Syntax::Json(vec![Layer::JsonString]),
        ..document
    }
}

/// A document that carries only a container's own syntax problems (a trailing comma in a CLI
/// export), so that they are reported once, at their place, by the syntax rules.
pub fn container_problems(errors: &[SyntaxError], duplicates: &[DuplicateKey], span: Span) -> Option<PolicyDocument> {
    if errors.is_empty() && duplicates.is_empty() {
        return None;
    }
    Some(PolicyDocument::new(
        String::new(),
        ContextHint::Unknown,
        None,
        (errors, duplicates),
        span,
        0,
        &|s| s,
    ))
}

/// The size of a document as CloudFormation and `JSON.stringify` send it: compact JSON.
pub fn compact_size(node: &Node) -> usize {
    serde_json::to_string(&node.to_value()).map_or(0, |json| json.len())
}
