//! Errors, typed: what stops a run (exit 2: a rule file, a configuration or an argument the tool
//! cannot work with, a path that cannot be read) and what an I/O failure was about.
//!
//! An [`IoError`] wraps the `std::io::Error` with what seslint was doing and on what ("cannot read
//! rule file x: permission denied"), written in one place. A [`LoadError`] for a file's content
//! keeps the file and the span at fault, so that it renders through miette like any other
//! diagnostic, pointing into that file. Rendering happens only at the edge (`main.rs`).

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::source::Span;

/// What a path is to seslint, as an I/O error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A path named on the command line.
    Path,
    /// A file to lint.
    File,
    RuleDirectory,
    RuleFile,
    Configuration,
    Baseline,
    StandardInput,
    WorkingDirectory,
}

impl Subject {
    fn as_str(self) -> &'static str {
        match self {
            // "cannot read infra/policy.json": the path says it.
            Subject::Path => "",
            Subject::File => "file",
            Subject::RuleDirectory => "rule directory",
            Subject::RuleFile => "rule file",
            Subject::Configuration => "configuration",
            Subject::Baseline => "baseline",
            Subject::StandardInput => "standard input",
            Subject::WorkingDirectory => "the working directory",
        }
    }
}

/// An I/O error with what it was about: "cannot read rule file x: permission denied".
#[derive(Debug)]
pub struct IoError {
    pub write: bool,
    pub subject: Subject,
    /// The path, when the message should name it (a file's own report names it already).
    pub path: Option<PathBuf>,
    pub source: std::io::Error,
}

impl IoError {
    pub fn read(subject: Subject, path: Option<&Path>, source: std::io::Error) -> Self {
        IoError {
            write: false,
            subject,
            path: path.map(Path::to_path_buf),
            source,
        }
    }

    pub fn write(subject: Subject, path: &Path, source: std::io::Error) -> Self {
        IoError {
            write: true,
            subject,
            path: Some(path.to_path_buf()),
            source,
        }
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.write { "write" } else { "read" };
        write!(f, "cannot {verb}")?;
        if !self.subject.as_str().is_empty() {
            write!(f, " {}", self.subject.as_str())?;
        }
        if let Some(path) = &self.path {
            write!(f, " {}", path.display())?;
        }
        write!(f, ": {}", io_message(&self.source))
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// An error that stops the run. Boxed, so that results carrying it stay small.
#[derive(Debug)]
pub struct LoadError(Box<Kind>);

#[derive(Debug)]
enum Kind {
    Io(IoError),
    Invalid(Details),
}

/// Content seslint cannot use, with the file and the place at fault when there are some.
#[derive(Debug)]
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
        LoadError(Box::new(Kind::Invalid(Details {
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
        })))
    }

    fn details(&mut self) -> Option<&mut Details> {
        match &mut *self.0 {
            Kind::Invalid(details) => Some(details),
            Kind::Io(_) => None,
        }
    }

    pub fn in_file(mut self, path: &str, text: &str) -> Self {
        if let Some(details) = self.details() {
            details.file = Some((path.to_string(), text.to_string()));
        }
        self
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        if let Some(details) = self.details() {
            details.span = Some(span);
            details.label = Some(label.into());
        }
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        if let Some(details) = self.details() {
            details.help = Some(help.into());
        }
        self
    }

    /// The error as a miette report, with the file's text as source when there is one.
    pub fn to_report(&self) -> Report {
        let details = match &*self.0 {
            Kind::Io(error) => return Report::new(MietteDiagnostic::new(error.to_string())),
            Kind::Invalid(details) => details,
        };
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
        match &*self.0 {
            Kind::Io(error) => error.fmt(f),
            Kind::Invalid(Details {
                file: Some((path, _)),
                message,
                ..
            }) => write!(f, "{path}: {message}"),
            Kind::Invalid(details) => f.write_str(&details.message),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            Kind::Io(error) => Some(error),
            Kind::Invalid(_) => None,
        }
    }
}

impl From<IoError> for LoadError {
    fn from(error: IoError) -> Self {
        LoadError(Box::new(Kind::Io(error)))
    }
}

/// An I/O error's message without the "(os error N)" suffix.
pub fn io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
