//! seslint: a linter for Amazon SES sending-authorization policies.
//!
//! The pipeline, as a library so that tests drive it directly:
//! paths --[`discover`]--> files --[`extract`]--> policy documents ([`policy`])
//! --[`rules`]--> findings ([`finding`]) --[`report`]--> human | json.
//! Everything after discovery is a pure function of a file's bytes; files are linted in parallel.

pub mod baseline;
pub mod config;
pub mod discover;
pub mod error;
pub mod extract;
pub mod finding;
pub mod fingerprint;
pub mod json;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod unknown;
pub mod yaml;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use discover::{Candidate, WalkOptions, WalkProblem};
use error::LoadError;
use finding::Finding;
use policy::{ContextHint, PolicyDocument};
use rules::RuleSet;
use source::Span;

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
    /// Every file scanned, in path order.
    pub files: Vec<FileReport>,
    /// Files that could not be read; the run went on without them.
    pub problems: Vec<WalkProblem>,
}

impl RunReport {
    pub fn policies_checked(&self) -> usize {
        self.files.iter().map(|f| f.policies).sum()
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
}

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
        }
    }
}

/// Lints `paths` (`-` reads standard input). Errors are for what stops the run: a path that
/// does not exist, standard input that cannot be read.
pub fn run(paths: &[PathBuf], options: &Options, rules: &RuleSet) -> Result<RunReport, LoadError> {
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let walk = WalkOptions {
        threads: options.threads,
        no_ignore: options.no_ignore,
    };
    let mut discovered = discover::discover(&paths, &walk)?;
    if let Some(excluded) = &options.excluded {
        discovered.candidates.retain(|c| c.explicit || !excluded(&c.path));
    }
    let mut report = RunReport {
        problems: discovered.problems,
        ..RunReport::default()
    };
    if !stdin.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| LoadError::new(format!("cannot read standard input: {e}")))?;
        let name = options.stdin_filename.clone().unwrap_or_else(|| "-".into());
        report.files.push(lint_bytes(&name, &bytes, rules));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| LoadError::new(format!("cannot start worker threads: {e}")))?;
    // Terraform files are read a module (a directory) at a time: a policy may live in another
    // file of the module than the resource that uses it.
    let (terraform_files, other_files): (Vec<&Candidate>, Vec<&Candidate>) = discovered
        .candidates
        .iter()
        .partition(|c| extract::terraform::is_terraform_file(&c.path));
    let mut modules: BTreeMap<PathBuf, Vec<&Candidate>> = BTreeMap::new();
    for candidate in terraform_files {
        let dir = candidate.path.parent().map(Path::to_path_buf).unwrap_or_default();
        modules.entry(dir).or_default().push(candidate);
    }
    let module_results: Vec<ModuleReport> = pool.install(|| {
        modules
            .par_iter()
            .map(|(dir, files)| lint_module(dir, files, rules, options.max_file_size))
            .collect()
    });
    let mut claimed: HashSet<PathBuf> = HashSet::new();
    for module in module_results {
        report.files.extend(module.files);
        report.problems.extend(module.problems);
        claimed.extend(module.claimed);
    }
    // Files a module linted as its policies are not linted again on their own.
    let other_files: Vec<&Candidate> = other_files.into_iter().filter(|c| !claimed.contains(&c.path)).collect();
    let max_size = options.max_file_size;
    let results: Vec<Result<Option<FileReport>, WalkProblem>> =
        pool.install(|| other_files.par_iter().map(|c| lint_file(c, rules, max_size)).collect());
    for result in results {
        match result {
            Ok(file) => report.files.extend(file),
            Err(problem) => report.problems.push(problem),
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

fn lint_file(candidate: &Candidate, rules: &RuleSet, max_size: u64) -> Result<Option<FileReport>, WalkProblem> {
    let bytes = read_file(&candidate.path, &candidate.display, max_size)?;
    Ok(bytes.map(|bytes| lint_bytes(&candidate.display, &bytes, rules)))
}

/// Reads a file to lint. A file over `max_size` is not read into memory: `None` when a scan shows
/// it holds no policy, a fatal problem when it may.
fn read_file(path: &Path, display: &str, max_size: u64) -> Result<Option<Vec<u8>>, WalkProblem> {
    let unreadable =
        |e: std::io::Error| WalkProblem::fatal(display, format!("cannot read file: {}", error::io_message(&e)));
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size <= max_size {
        return std::fs::read(path).map(Some).map_err(unreadable);
    }
    if may_hold_policy(path).map_err(unreadable)? {
        let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
        let message = format!(
            "the file is {:.1} MiB, over the {:.1} MiB limit: not linted (raise it with --max-file-size)",
            mib(size),
            mib(max_size)
        );
        return Err(WalkProblem::fatal(display, message));
    }
    Ok(None)
}

/// Whether a file may hold a policy, by a streaming search for the markers of policies
/// (`Statement`, `ses:`, `policy`, ...), in chunks, without reading it into memory.
fn may_hold_policy(path: &Path) -> std::io::Result<bool> {
    const CHUNK: usize = 1 << 20;
    const OVERLAP: usize = 16;
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0; CHUNK + OVERLAP];
    let mut kept = 0;
    loop {
        let read = file.read(&mut buffer[kept..])?;
        if read == 0 {
            return Ok(false);
        }
        let window = &buffer[..kept + read];
        if extract::looks_like_policy(window) || memchr::memmem::find(window, b"policy").is_some() {
            return Ok(true);
        }
        // Keep the tail, so that a marker split between two chunks is still found.
        let tail = window.len().saturating_sub(OVERLAP);
        buffer.copy_within(tail..kept + read, 0);
        kept = kept + read - tail;
    }
}

/// Lints one file's bytes; `path` is the name to report (and decides the format).
pub fn lint_bytes(path: &str, bytes: &[u8], rules: &RuleSet) -> FileReport {
    let (text, documents): (Arc<str>, Vec<PolicyDocument>) = match std::str::from_utf8(bytes) {
        Ok(text) => (Arc::from(text), extract::extract(Path::new(path), text)),
        Err(error) => {
            let text: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            let documents = if extract::looks_like_policy(bytes) {
                let at = error.valid_up_to();
                let byte = bytes.get(at).copied().unwrap_or_default();
                let message = format!("the file is not valid UTF-8 (byte 0x{byte:02X} at offset {at})");
                // The replacement character stands where the bad byte was.
                vec![extract::unreadable(message, Span::char_at(&text, at), text.len())]
            } else {
                Vec::new()
            };
            (text, documents)
        }
    };
    file_report(path, text, &documents, rules)
}

/// Runs the rules over a file's documents.
fn file_report(path: &str, text: Arc<str>, documents: &[PolicyDocument], rules: &RuleSet) -> FileReport {
    let findings: Vec<Finding> = documents
        .iter()
        .flat_map(|doc| rules::eval::check_document(rules, doc, &text))
        .collect();
    let policies = documents.iter().filter(|d| d.is_policy()).count();
    finish_report(path, text, findings, policies)
}

/// A file's report, its findings in order.
fn finish_report(path: &str, text: Arc<str>, mut findings: Vec<Finding>, policies: usize) -> FileReport {
    if suppress::has_comments(path) {
        suppress::apply(&text, &mut findings);
    }
    findings.sort_by(|a, b| (a.span.start, &a.code, a.span.end).cmp(&(b.span.start, &b.code, b.span.end)));
    // Only findings need the text (to render it); a large clean repository should not stay in memory.
    let text = if findings.is_empty() { Arc::from("") } else { text };
    FileReport {
        path: path.to_string(),
        text,
        findings,
        policies,
    }
}

/// What linting one Terraform module gives.
struct ModuleReport {
    files: Vec<FileReport>,
    problems: Vec<WalkProblem>,
    /// Policy files the module's resources name (`file(...)`), linted here in their context.
    claimed: Vec<PathBuf>,
}

fn lint_module(dir: &Path, candidates: &[&Candidate], rules: &RuleSet, max_size: u64) -> ModuleReport {
    let mut module = ModuleReport {
        files: Vec::new(),
        problems: Vec::new(),
        claimed: Vec::new(),
    };
    let mut read: Vec<(&Candidate, String)> = Vec::new();
    for candidate in candidates {
        match read_file(&candidate.path, &candidate.display, max_size) {
            Ok(Some(bytes)) => read.push((candidate, String::from_utf8_lossy(&bytes).into_owned())),
            Ok(None) => {}
            Err(problem) => module.problems.push(problem),
        }
    }
    let displays: Vec<&str> = read.iter().map(|(c, _)| c.display.as_str()).collect();
    let text = extract::terraform::ModuleText::new(read.iter().map(|(c, t)| (c.path.clone(), t.clone())).collect());
    let extracted = extract::terraform::extract_module(dir, &text);
    let mut documents = extracted.documents;
    documents.extend(
        extracted
            .parse_errors
            .into_iter()
            .map(|(at, message)| extract::hcl_error(&text.text, at, message)),
    );
    // Findings are made in the module's text, then handed to the file each one points into.
    let mut findings: Vec<Vec<Finding>> = text.files.iter().map(|_| Vec::new()).collect();
    let mut policies: Vec<usize> = text.files.iter().map(|_| 0).collect();
    for document in &documents {
        let home = text.file_at(document.span.start);
        policies[home] += usize::from(document.is_policy());
        for mut finding in rules::eval::check_document(rules, document, &text.text) {
            let index = text.file_at(finding.span.start);
            let base = text.files[index].1;
            let local = |span: Span| Span::new(span.start - base.start, span.end - base.start);
            finding.span = local(finding.span);
            // A related place in another file cannot be shown beside this one.
            finding.related = finding
                .related
                .into_iter()
                .filter(|(span, _)| text.file_at(span.start) == index)
                .map(|(span, label)| (local(span), label))
                .collect();
            findings[index].push(finding);
        }
    }
    for (index, (_, span)) in text.files.iter().enumerate() {
        let file_text: Arc<str> = Arc::from(&text.text[span.start..span.end]);
        let file_findings = std::mem::take(&mut findings[index]);
        module.files.push(finish_report(
            displays[index],
            file_text,
            file_findings,
            policies[index],
        ));
    }
    for referenced in extracted.referenced {
        if module.claimed.contains(&referenced.path) {
            continue;
        }
        let display = discover::display(&referenced.path);
        match read_file(&referenced.path, &display, max_size) {
            Ok(None) => {}
            Ok(Some(bytes)) => {
                let text: Arc<str> = Arc::from(String::from_utf8_lossy(&bytes).as_ref());
                let whole = Span::new(0, text.len());
                let documents: Vec<PolicyDocument> =
                    extract::terraform::document_in_template(&text, whole, referenced.label, referenced.hint)
                        .into_iter()
                        .collect();
                module
                    .files
                    .push(file_report(&display, text.clone(), &documents, rules));
            }
            Err(problem) => module.problems.push(WalkProblem {
                message: format!("{} (the policy file named by {})", problem.message, referenced.label),
                ..problem
            }),
        }
        module.claimed.push(referenced.path);
    }
    module
}

/// Lints one policy text as a document of the given kind (rule examples, tests).
pub fn lint_policy(text: &str, hint: ContextHint, rules: &RuleSet) -> Vec<Finding> {
    let parsed = json::parse(text);
    let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
    let span = Span::new(0, text.len());
    let document = PolicyDocument::new(
        String::new(),
        hint,
        parsed.root.as_ref(),
        problems,
        span,
        text.len(),
        &|s| s,
    );
    rules::eval::check_document(rules, &document, text)
}
