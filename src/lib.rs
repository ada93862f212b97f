//! seslint: a linter for Amazon SES sending-authorization policies.
//!
//! The pipeline, as a library so that tests drive it directly:
//! paths --[`discover`]--> files --[`extract`]--> policy documents ([`policy`])
//! --[`rules`]--> findings ([`finding`]) --[`report`]--> human | json | sarif | github.
//! Files are read (`input.rs`) and linted (`lint.rs`) on the walking threads as they are found;
//! files a format reads together (a Terraform module) are linted as one unit once the walk is
//! over. Everything after discovery is a pure function of the unit's bytes. This module names
//! no format: `extract` decides.

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
pub mod source;
pub mod suppress;
pub mod unknown;
pub mod yaml;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use discover::{Candidate, Sink as _, WalkOptions, WalkProblem};
use error::{IoError, LoadError, Subject};
use finding::Finding;
pub use lint::{check_examples, ExampleOutcome};
use lint::{Gathered, Gatherer, Outcome};
use policy::{ContextHint, PolicyDocument};
use rules::RuleSet;

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
        self.files.len() + self.clean_files
    }

    pub fn policies_checked(&self) -> usize {
        self.files.iter().map(|f| f.policies).sum::<usize>() + self.clean_policies
    }

    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |finding| (f, finding)))
    }
}

/// Says whether a walked file is excluded (configuration `exclude`, `--exclude`).
pub type Exclusion = Box<dyn Fn(&Path) -> bool + Send + Sync>;

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
            overlay: None,
        }
    }
}

/// The worker threads of a run, started only when there are two things or more to share out:
/// for one file (the pre-commit case) starting them costs more than linting it.
struct Workers {
    threads: usize,
    pool: std::sync::OnceLock<Result<rayon::ThreadPool, String>>,
}

impl Workers {
    fn new(threads: usize) -> Workers {
        Workers {
            threads,
            pool: std::sync::OnceLock::new(),
        }
    }

    /// The pool to share out `items` things on; `None` when they are better done on this thread.
    fn for_items(&self, items: usize) -> Result<Option<&rayon::ThreadPool>, LoadError> {
        if items < 2 {
            return Ok(None);
        }
        let pool = self.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(self.threads)
                .build()
                .map_err(|e| e.to_string())
        });
        match pool {
            Ok(pool) => Ok(Some(pool)),
            Err(e) => Err(LoadError::new(format!("cannot start worker threads: {e}"))),
        }
    }
}

/// Lints `paths` (`-` reads standard input). Errors are for what stops the run: a path that
/// does not exist, standard input that cannot be read.
///
/// Files are linted while the walk finds them, on the walking threads; a clean file leaves only
/// its counts behind, so that memory follows the findings, not the size of the repository.
/// Terraform files wait for the walk to end, to be read a module (a directory) at a time: a
/// policy may live in another file of the module than the resource that uses it.
pub fn run(paths: &[PathBuf], options: &Options, rules: &RuleSet) -> Result<RunReport, LoadError> {
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let walk = WalkOptions {
        threads: options.threads,
        no_ignore: options.no_ignore,
    };
    let pool = Workers::new(options.threads);
    let gathered: Mutex<Vec<Gathered>> = Mutex::default();
    let gatherer = || Gatherer {
        rules,
        options,
        local: Gathered::default(),
        shared: &gathered,
        scratch: Vec::new(),
    };
    let named = discover::discover(&paths, &walk, &gatherer)?;
    let lint_file = |gatherer: &mut Gatherer, candidate: &Candidate| gatherer.file(candidate.clone());
    match pool.for_items(named.len())? {
        Some(pool) => pool.install(|| named.par_iter().for_each_init(gatherer, lint_file)),
        None => {
            let mut gatherer = gatherer();
            named.iter().for_each(|candidate| lint_file(&mut gatherer, candidate));
        }
    }
    let mut all = Gathered::default();
    if !stdin.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| IoError::read(Subject::StandardInput, None, e))?;
        let name = options.stdin_filename.clone().unwrap_or_else(|| "-".into());
        // What standard input names (`file://`) is relative to an unknown directory: not followed.
        let (outcome, aside) = lint::lint_read(&name, &bytes, rules, true);
        all.add(PathBuf::from(&name), outcome);
        all.report.unread.extend(aside.unread);
    }
    for part in gathered.into_inner().unwrap_or_else(|p| p.into_inner()) {
        all.merge(part);
    }
    let mut modules: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    for candidate in std::mem::take(&mut all.grouped) {
        let dir = candidate.path.parent().map(Path::to_path_buf).unwrap_or_default();
        modules.entry(dir).or_default().push(candidate);
    }
    let lint_module = |(dir, files): (&PathBuf, &mut Vec<Candidate>)| {
        files.sort();
        lint::lint_group(dir, files, rules, options.max_file_size, options.overlay.as_deref())
    };
    let module_results: Vec<lint::GroupReport> = match pool.for_items(modules.len())? {
        Some(pool) => pool.install(|| modules.par_iter_mut().map(lint_module).collect()),
        None => modules.iter_mut().map(lint_module).collect(),
    };
    for module in module_results {
        // Files a module linted as its policies are not counted on their own.
        for path in &module.claimed {
            all.unclaim(path);
        }
        for (path, file) in module.files {
            all.add(path, Outcome::Linted(file));
        }
        all.report.problems.extend(module.problems);
    }
    all.claim();
    let mut report = all.report;
    report.files = all.linted.into_iter().map(|(_, file)| file).collect();
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.unread.sort();
    report.passed_over.sort();
    Ok(report)
}

/// Lints one file's bytes; `path` is the name to report, and with the bytes decides the format
/// ([`format::of`]). A file in a format seslint does not read gives an empty report.
pub fn lint_bytes(path: &str, bytes: &[u8], rules: &RuleSet) -> FileReport {
    match lint::lint_read(path, bytes, rules, true).0 {
        Outcome::Linted(report) => report,
        Outcome::Unread(_) | Outcome::PassedOver(_) => lint::finish_report(path, "", Vec::new(), 0, rules),
    }
}

/// Lints one policy text as a document of the given kind (rule examples, tests).
pub fn lint_policy(text: &str, hint: ContextHint, rules: &RuleSet) -> Vec<Finding> {
    let document = PolicyDocument::from_json(text, hint);
    rules::eval::check_document(rules, &document, text)
}
