//! Extraction: turns a unit of input (a file, or a group of files a format reads together, see
//! `unit.rs`) into the policy documents it holds. This module only dispatches: `format.rs`
//! decides what a file is, one module per container format extracts it, `shared.rs` holds what
//! the extractors share.
//!
//! Each extractor returns [`PolicyDocument`]s whose spans point into the unit's text, with a
//! label saying where in the container the policy lives and a context hint when the container
//! says what kind of policy it is.

mod block;
mod cdk;
mod cli_export;
mod cloudformation;
mod embedded;
pub mod format;
mod hcl;
mod json_file;
pub mod markdown;
mod plan;
mod policy_document;
mod pools;
pub mod rst;
mod shared;
pub mod shell;
mod terraform;
mod terraform_pools;
pub mod unit;

use std::path::Path;

use crate::policy::PolicyDocument;
use crate::source::Span;
use format::Format;
pub use shared::{container_problems, document_in_string};
use unit::{Extracted, ReferencedFile, UnitText};

/// Whether a file is read together with the other files of its directory, which are one unit
/// (a Terraform module).
pub fn reads_with_its_directory(path: &Path) -> bool {
    unit_of(path) == UnitOf::Directory
}

/// What unit a file is linted in, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitOf {
    /// Its directory's: it is read with the other files of its directory (a Terraform module).
    Directory,
    /// Its own, and it may name other files as its policies (a script's `file://`; a file
    /// without a known name may be a script): the run asks [`references`] before it lints.
    NamingFiles,
    /// Its own.
    Itself,
}

pub fn unit_of(path: &Path) -> UnitOf {
    match format::by_name(path) {
        Some(Format::Terraform) => UnitOf::Directory,
        None | Some(Format::Shell) => UnitOf::NamingFiles,
        Some(_) => UnitOf::Itself,
    }
}

/// The documents of a group of files that are read together (see
/// [`reads_with_its_directory`]), found in `dir`.
pub fn extract_group(dir: &Path, unit: &UnitText) -> Extracted {
    terraform::extract_module(dir, unit)
}

/// The policy files a group of files read together names (`file(...)`), without extracting the
/// rest when nothing names a file.
pub fn group_references(dir: &Path, unit: &UnitText) -> Vec<ReferencedFile> {
    if memchr::memmem::find(unit.text.as_bytes(), b"file(").is_none() {
        return Vec::new();
    }
    extract_group(dir, unit).referenced
}

/// The policy files one file names (a script's `file://`), as [`extract`] gives them.
pub fn references(path: &Path, text: &str) -> Vec<ReferencedFile> {
    let names_a_file = memchr::memmem::find(text.as_bytes(), b"file://").is_some();
    if !names_a_file || format::of(path, text.as_bytes()) != Format::Shell {
        return Vec::new();
    }
    extract(path, text).referenced
}

/// The documents of one file, and the files it names as policies (a script's `file://`).
pub fn extract(path: &Path, text: &str) -> Extracted {
    match format::of(path, text.as_bytes()) {
        Format::Markdown => without_fixes(markdown::extract(text)),
        Format::ReStructuredText => without_fixes(rst::extract(text)),
        Format::Shell => without_fixes(shell::extract(text, Some(path.parent().unwrap_or(Path::new(""))))),
        // Code that does not parse holds no finding (see `extract_script`).
        Format::Script => Extracted {
            documents: extract_script(path, text).unwrap_or_default(),
            ..Extracted::default()
        },
        _ => Extracted {
            documents: extract_data(path, text),
            ..Extracted::default()
        },
    }
}

/// Documents, scripts and TypeScript get no fixes yet: no writer keeps a block quote's `>`
/// markers, a list item's indentation, a shell quoting or a TypeScript object literal's syntax
/// around the text it inserts.
fn without_fixes(mut extracted: Extracted) -> Extracted {
    offer_no_fixes(&mut extracted.documents);
    extracted
}

fn offer_no_fixes(documents: &mut [PolicyDocument]) {
    for document in documents {
        document.syntax = crate::fix::Syntax::Opaque;
    }
}

/// The documents of a data file: JSON, Terraform, a template.
fn extract_data(path: &Path, text: &str) -> Vec<PolicyDocument> {
    if reads_with_its_directory(path) {
        let dir = path.parent().unwrap_or(Path::new("."));
        let unit = UnitText::new(vec![(path.to_path_buf(), text.to_string())]);
        return extract_group(dir, &unit).documents;
    }
    // A template (JSON or YAML); JSON that only mentions a template's markers but has no
    // `Resources` is read as any other JSON.
    if let Some(documents) = cloudformation::is_template(path, text.as_bytes())
        .then(|| cloudformation::extract(text))
        .flatten()
    {
        return documents;
    }
    if format::by_name(path) == Some(Format::Template) {
        return Vec::new();
    }
    json_file::extract(text)
}

/// The documents of a TypeScript/JavaScript file (CDK stacks, `serverless.ts`), or why it could
/// not be read: a syntax error or nesting too deep to parse safely.
pub fn extract_script(path: &Path, text: &str) -> Result<Vec<PolicyDocument>, cdk::NotRead> {
    let mut documents = cdk::extract(path, text)?;
    offer_no_fixes(&mut documents);
    Ok(documents)
}

/// The documents of a file a unit names as its policy (`file(...)`), in the unit's context.
pub fn extract_referenced(text: &str, file: ReferencedFile) -> Vec<PolicyDocument> {
    let whole = Span::new(0, text.len());
    terraform::document_in_template(text, whole, file.label, file.hint)
        .map(|document| PolicyDocument {
            syntax: crate::fix::Syntax::Json(vec![crate::fix::Layer::Heredoc]),
            ..document
        })
        .into_iter()
        .collect()
}

/// The document for a file that should hold a policy but is not UTF-8 (only the syntax rules see
/// it), at the first bad byte; nothing when it does not look like a policy.
pub fn not_utf8(bytes: &[u8], text: &str, error: std::str::Utf8Error) -> Vec<PolicyDocument> {
    if !format::looks_like_policy(bytes) {
        return Vec::new();
    }
    let at = error.valid_up_to();
    let byte = bytes.get(at).copied().unwrap_or_default();
    let message = format!("the file is not valid UTF-8 (byte 0x{byte:02X} at offset {at})");
    // The replacement character stands where the bad byte was.
    vec![shared::unreadable(message, Span::char_at(text, at), text.len())]
}

/// Whether a file is a CloudFormation template (by its name and a byte search).
pub fn is_template(path: &str, bytes: &[u8]) -> bool {
    cloudformation::is_template(Path::new(path), bytes)
}
