//! A unit of input: what one extraction reads. Most formats read a file at a time; a format
//! whose files refer to each other (a Terraform module is a directory: a resource in one file
//! names a data source in another) reads a group of files together, laid end to end in one
//! offset space so that one document may span them. What a unit yields: its documents, with
//! spans in the unit's text, and the files it names (`file(...)`), which are linted in its
//! context.

use std::path::PathBuf;

use crate::policy::{ContextHint, PolicyDocument};
use crate::source::Span;

/// The files of a unit laid end to end in one text.
pub struct UnitText {
    pub text: String,
    /// Each file and where it lies in `text`.
    pub files: Vec<(PathBuf, Span)>,
}

impl UnitText {
    pub fn new(files: Vec<(PathBuf, String)>) -> UnitText {
        let mut text = String::new();
        let mut placed = Vec::new();
        for (path, content) in files {
            let start = text.len();
            text.push_str(&content);
            placed.push((path, Span::new(start, text.len())));
        }
        UnitText { text, files: placed }
    }

    /// The index of the file holding byte `offset`.
    pub fn file_at(&self, offset: usize) -> usize {
        self.files
            .partition_point(|(_, span)| span.end <= offset)
            .min(self.files.len().saturating_sub(1))
    }
}

/// What extracting a unit gives.
#[derive(Default)]
pub struct Extracted {
    /// The unit's documents, with spans in the unit's text (parse errors included, as
    /// documents that carry only them).
    pub documents: Vec<PolicyDocument>,
    /// Files the unit names as policies (`file(...)`, `templatefile(...)`), to be linted in its
    /// context: with its label and hint.
    pub referenced: Vec<ReferencedFile>,
    /// A part of the unit in a form seslint does not read that mentions what SES identity
    /// policies are made of (a document's code block in another language), named in the
    /// closing note as this format.
    pub unread: Option<&'static str>,
}

/// A policy file named by a unit.
#[derive(Clone)]
pub struct ReferencedFile {
    pub path: PathBuf,
    pub label: String,
    pub hint: ContextHint,
    /// Whether a missing file is a problem of the run: Terraform's `file(...)` is relative to
    /// the module and must be there; a script's `file://` path is relative to where the script
    /// runs, which may not be its directory.
    pub required: bool,
}
