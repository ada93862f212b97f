//! Errors that stop a run (exit 2): a rule file or an argument the tool cannot work with.
//!
//! Each one keeps the file it is about and the span at fault, so that it renders through miette
//! like any other diagnostic, pointing into that file.

use std::fmt;

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct LoadError {
    pub message: String,
    /// The file at fault, with its text, when there is one.
    pub file: Option<(String, String)>,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl LoadError {
    pub fn new(message: impl Into<String>) -> Self {
        LoadError {
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
        }
    }

    pub fn in_file(mut self, path: &str, text: &str) -> Self {
        self.file = Some((path.to_string(), text.to_string()));
        self
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error as a miette report, with the file's text as source when there is one.
    pub fn to_report(&self) -> Report {
        let mut diagnostic = MietteDiagnostic::new(self.message.clone());
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        if let Some(span) = self.span {
            diagnostic = diagnostic.with_label(LabeledSpan::new(self.label.clone(), span.start, span.len()));
        }
        let report = Report::new(diagnostic);
        match &self.file {
            Some((path, text)) => report.with_source_code(NamedSource::new(path, text.clone())),
            None => report,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some((path, _)) => write!(f, "{path}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// An I/O error's message without the "(os error N)" suffix.
pub fn io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
