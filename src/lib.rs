//! seslint: a linter for Amazon SES sending-authorization policies.
//!
//! The pipeline, as a library so that tests drive it directly:
//! paths --[`discover`]--> files --[`extract`]--> policy documents ([`policy`])
//! --[`rules`]--> findings ([`finding`]) --[`report`]--> human | json | sarif | github.
//! The walk lists the files; `run.rs` puts them in path order and into units (a file, a
//! Terraform module, a policy file another unit names), reads (`input.rs`) and lints (`lint.rs`)
//! them on worker threads, and hands each report on in path order. Everything after discovery is
//! a pure function of the unit's bytes. This module names no format: `extract` decides.

pub mod baseline;
pub mod codes;
pub mod config;
pub mod discover;
pub mod error;
pub mod extract;
pub mod finding;
pub mod fingerprint;
pub mod fix;
pub mod generate;
mod input;
pub mod json;
mod lint;
pub mod policy;
pub mod report;
pub mod rules;
mod run;
pub mod source;
pub mod suppress;
pub mod unknown;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use discover::WalkProblem;
use error::LoadError;
use finding::Finding;
use lint::Outcome;
pub use lint::{check_examples, ExampleOutcome};
use policy::{ContextHint, PolicyDocument};
use rules::RuleSet;
pub use run::run_streamed;

/// The result of linting one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    /// The file's text (invalid UTF-8 replaced), which the findings' spans index; empty when
    /// there are no findings.
    pub text: Arc<str>,
    pub findings: Vec<Finding>,
    pub policies: usize,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct RunReport {
    /// The files scanned, in path order: every file with findings; a file without findings may
    /// be left out and only counted in `clean_files` (a run does, to keep memory small).
    pub files: Vec<FileReport>,
    /// Files scanned without findings that are not in `files`, and the policies they held.
    pub clean_files: usize,
    pub clean_policies: usize,
    /// Files that could not be read; the run went on without them.
    pub problems: Vec<WalkProblem>,
    /// Files in formats seslint does not read that look like they hold SES policies, in path
    /// order: named in a closing note, so that "no findings" never means "not looked at".
    pub unread: Vec<UnreadFile>,
    /// Files named on the command line that are in no format seslint reads, with why (shown
    /// under `--verbose`).
    pub passed_over: Vec<UnreadFile>,
    /// What a streamed run handed on and did not keep ([`run_streamed`]), counted by the caller.
    pub streamed: report::Tally,
}

/// A file seslint did not lint, and its format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct UnreadFile {
    pub path: String,
    /// The format's name (`Markdown`), or `None` for a format seslint knows nothing of.
    pub format: Option<&'static str>,
}

impl RunReport {
    pub fn files_scanned(&self) -> usize {
        self.files.len() + self.clean_files + self.streamed.files
    }

    pub fn policies_checked(&self) -> usize {
        self.files.iter().map(|f| f.policies).sum::<usize>() + self.clean_policies + self.streamed.policies
    }

    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |finding| (f, finding)))
    }
}

/// Says whether a walked file is excluded (configuration `exclude`, `--exclude`).
pub type Exclusion = Box<dyn Fn(&Path) -> bool + Send + Sync>;

/// Names the rules (codes or prefixes) that do not run on the file reported at a path
/// (configuration `per-file-ignores`).
pub type RuleIgnores = Box<dyn Fn(&str) -> Vec<String> + Send + Sync>;

pub struct Options {
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
    /// Files larger than this are not read; one that looks like a policy is reported.
    pub max_file_size: u64,
    /// The name to report for text read from standard input (`-`).
    pub stdin_filename: Option<String>,
    /// Do not honour `.gitignore` and `.ignore`.
    pub no_ignore: bool,
    /// Walked files this says are excluded are not linted (files named explicitly always are).
    pub excluded: Option<Exclusion>,
    /// The rules each file does not run; every rule of the set runs on every file without it.
    pub ignored_rules: Option<RuleIgnores>,
    /// Texts to lint instead of the files' bytes, by reported path: fixes applied in memory
    /// (`--fix` passes, `--diff`).
    pub overlay: Option<Arc<Overlay>>,
}

/// File texts that stand for what is on disk, by the path a report names.
pub type Overlay = std::collections::HashMap<String, String>;

/// The default `--max-file-size`: large enough for the plan of a large infrastructure.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            stdin_filename: None,
            no_ignore: false,
            excluded: None,
            ignored_rules: None,
            overlay: None,
        }
    }
}

/// Lints `paths` (`-` reads standard input) and keeps every report with findings, in path
/// order. Errors are for what stops the run: a path that does not exist, standard input that
/// cannot be read.
pub fn run(paths: &[PathBuf], options: &Options, rules: &RuleSet) -> Result<RunReport, LoadError> {
    let mut files = Vec::new();
    let mut report = run_streamed(paths, options, rules, &|file| file, &mut |file| files.push(file))?;
    report.files = files;
    Ok(report)
}

/// Lints one file's bytes; `path` is the name to report, and with the bytes decides the format
/// ([`extract::format::of`]). A file in a format seslint does not read gives an empty report.
pub fn lint_bytes(path: &str, bytes: &[u8], rules: &RuleSet) -> FileReport {
    lint_bytes_with(path, bytes, &rules::FileRules::all(rules))
}

/// [`lint_bytes`] with the rules that run on this file (its per-file ignores left out).
pub fn lint_bytes_with(path: &str, bytes: &[u8], rules: &rules::FileRules) -> FileReport {
    match lint::lint_read(path, bytes, rules, true).0 {
        Outcome::Linted(report) => report,
        Outcome::Unread(_) | Outcome::PassedOver(_) => lint::finish_report(path, "", Vec::new(), 0, rules),
    }
}

/// Lints one policy text as a document of the given kind (rule examples, tests).
pub fn lint_policy(text: &str, hint: ContextHint, rules: &RuleSet) -> Vec<Finding> {
    let document = PolicyDocument::from_json(text, hint);
    rules::eval::check_document(&rules::FileRules::all(rules), &document, text)
}
