//! Errors that stop a run (exit 2): a rule file or an argument the tool cannot work with.
//!
//! Each one keeps the file it is about and the span at fault, so that it renders through miette
//! like any other diagnostic, pointing into that file.

use std::fmt;

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::source::Span;

/// Boxed, so that results carrying it stay small.
#[derive(Debug, Clone)]
pub struct LoadError(Box<Details>);

#[derive(Debug, Clone)]
struct Details {
    message: String,
    /// The file at fault, with its text, when there is one.
    file: Option<(String, String)>,
    span: Option<Span>,
    label: Option<String>,
    help: Option<String>,
}

impl LoadError {
    pub fn new(message: impl Into<String>) -> Self {
        LoadError(Box::new(Details {
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
        }))
    }

    pub fn in_file(mut self, path: &str, text: &str) -> Self {
        self.0.file = Some((path.to_string(), text.to_string()));
        self
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.0.span = Some(span);
        self.0.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// The error as a miette report, with the file's text as source when there is one.
    pub fn to_report(&self) -> Report {
        let details = &self.0;
        let mut diagnostic = MietteDiagnostic::new(details.message.clone());
        if let Some(help) = &details.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        if let Some(span) = details.span {
            diagnostic = diagnostic.with_label(LabeledSpan::new(details.label.clone(), span.start, span.len()));
        }
        let report = Report::new(diagnostic);
        match &details.file {
            Some((path, text)) => report.with_source_code(NamedSource::new(path, text.clone())),
            None => report,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.file {
            Some((path, _)) => write!(f, "{path}: {}", self.0.message),
            None => f.write_str(&self.0.message),
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
