//! Extraction: turns one file's text into the policy documents it holds.
//!
//! One module per container format. Each returns [`PolicyDocument`]s whose spans point into
//! the file, with a label saying where in the container the policy lives and a context hint
//! when the container says what kind of policy it is.

mod cli_export;
mod cloudformation;
mod embedded;
pub mod format;
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

/// Whether JSON text looks like it was meant to hold a policy, by its structure: a `"Statement"`,
/// `"Version"` or `"Policies"` key, or a string value that starts with an `ses:` action (also
/// inside an escaped JSON string, as in CLI exports and plans). Used to decide whether text that
/// does not parse deserves a diagnostic (a broken `package.json` does not), and to skip parsing
/// the JSON files that name no policy element. The letters `ses:` elsewhere (`"uses: x"`) do not
/// count.
pub fn looks_like_policy(bytes: &[u8]) -> bool {
    const KEYS: [&[u8]; 3] = [b"Statement", b"Version", b"Policies"];
    let is_key = |start: usize, end: usize| {
        // `"Statement"`, or `\"Statement\"` inside a JSON string: a quote on both sides.
        let opened = bytes[..start].ends_with(b"\"");
        let rest = &bytes[end..];
        let rest = rest
            .strip_prefix(b"\\\"")
            .or_else(|| rest.strip_prefix(b"\""))
            .unwrap_or(b"");
        let colon = rest.iter().find(|b| !b.is_ascii_whitespace());
        opened && colon == Some(&b':')
    };
    let key = KEYS
        .iter()
        .any(|key| memchr::memmem::find_iter(bytes, key).any(|start| is_key(start, start + key.len())));
    key || [b"\"ses:", b"\"SES:"]
        .iter()
        .any(|action| memchr::memmem::find(bytes, *action).is_some())
}

/// Whether a file is a CloudFormation template (by its name and a byte search).
pub fn is_template(path: &str, bytes: &[u8]) -> bool {
    cloudformation::is_template(Path::new(path), &String::from_utf8_lossy(bytes))
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
    // A template (JSON or YAML); JSON that only mentions a template's markers but has no
    // `Resources` is read as any other JSON.
    if let Some(documents) = cloudformation::is_template(path, text)
        .then(|| cloudformation::extract(text))
        .flatten()
    {
        return documents;
    }
    if format::by_name(path) == Some(format::Format::Template) {
        return Vec::new();
    }
    json_file::extract(text)
}

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
