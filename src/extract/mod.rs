//! Extraction: turns one file's text into the policy documents it holds.
//!
//! One module per container format. Each returns [`PolicyDocument`]s whose spans point into
//! the file, with a label saying where in the container the policy lives and a context hint
//! when the container says what kind of policy it is.

mod cli_export;
mod cloudformation;
mod embedded;
mod hcl;
mod json_file;
mod plan;
mod policy_document;
mod pools;
pub mod terraform;
mod terraform_pools;

use std::path::Path;

use crate::json::{self, DuplicateKey, SyntaxError};
use crate::policy::{ContextHint, PolicyDocument};
use crate::source::Span;

/// Whether a file found during a walk may hold a policy, judged by its name: JSON files and
/// Terraform files (`.tf`, `.tf.json`).
pub fn is_candidate(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json") || ext.eq_ignore_ascii_case("tf"))
        || cloudformation::is_template_name(path)
}

/// Whether bytes look like they were meant to hold a policy: used to decide whether text that
/// does not parse deserves a diagnostic (a broken `package.json` does not).
pub fn looks_like_policy(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 5] = [b"Statement", b"\"Version\"", b"ses:", b"SES:", b"\"Policies\""];
    MARKERS
        .iter()
        .any(|marker| memchr::memmem::find(bytes, marker).is_some())
}

/// All the policy documents in one file's text. A Terraform file is read as a module of one
/// file (see [`terraform::extract_module`] for whole modules).
pub fn extract(path: &Path, text: &str) -> Vec<PolicyDocument> {
    if terraform::is_terraform_file(path) {
        let dir = path.parent().unwrap_or(Path::new("."));
        let module = terraform::ModuleText::new(vec![(path.to_path_buf(), text.to_string())]);
        let extracted = terraform::extract_module(dir, &module);
        let mut documents = extracted.documents;
        documents.extend(
            extracted
                .parse_errors
                .into_iter()
                .map(|(at, message)| hcl_error(text, at, message)),
        );
        return documents;
    }
    if let Some(documents) = cloudformation::is_template(path, text)
        .then(|| cloudformation::extract(text))
        .flatten()
    {
        return documents;
    }
    if cloudformation::is_template_name(path) {
        // YAML that is not a template (a manifest, a workflow) holds no policy seslint reads.
        return Vec::new();
    }
    json_file::extract(text)
}

/// A Terraform file that does not parse, when it looks like it holds a policy: a diagnostic at
/// the parser's position.
pub fn hcl_error(text: &str, at: usize, message: String) -> PolicyDocument {
    let message = format!("invalid Terraform: {message}");
    unreadable(message, Span::char_at(text, at.min(text.len())), text.len())
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
    PolicyDocument::new(
        label,
        hint,
        parsed.root.as_ref(),
        problems,
        literal,
        decoded.len(),
        &map,
    )
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
