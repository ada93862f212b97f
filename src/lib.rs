//! seslint: a linter for Amazon SES sending-authorization policies.
//!
//! The pipeline, as a library so that tests drive it directly:
//! paths --[`discover`]--> files --[`extract`]--> policy documents ([`policy`])
//! --[`rules`]--> findings ([`finding`]) --[`report`]--> human | json.
//! Everything after discovery is a pure function of a file's bytes; files are linted in parallel.

pub mod baseline;
pub mod codes;
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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use discover::{Candidate, Problem, Sink as _, WalkOptions, WalkProblem};
use error::{IoError, LoadError, Subject};
use extract::format::{self, Format};
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

/// What looking at one file gave.
enum Outcome {
    Linted(FileReport),
    /// In a format seslint does not read, and it may hold SES policies.
    Unread(UnreadFile),
    /// Nothing to lint: no policy in it, or a format that holds none.
    PassedOver(Option<UnreadFile>),
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| LoadError::new(format!("cannot start worker threads: {e}")))?;
    let gathered: Mutex<Vec<Gathered>> = Mutex::default();
    let gatherer = || Gatherer {
        rules,
        options,
        local: Gathered::default(),
        shared: &gathered,
        scratch: Vec::new(),
    };
    let named = discover::discover(&paths, &walk, &gatherer)?;
    pool.install(|| {
        named
            .par_iter()
            .for_each_init(gatherer, |gatherer, candidate| gatherer.file(candidate.clone()));
    });
    let mut all = Gathered::default();
    if !stdin.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| IoError::read(Subject::StandardInput, None, e))?;
        let name = options.stdin_filename.clone().unwrap_or_else(|| "-".into());
        all.add(PathBuf::from(&name), lint_read(&name, &bytes, rules, true));
    }
    for part in gathered.into_inner().unwrap_or_else(|p| p.into_inner()) {
        all.merge(part);
    }
    let mut modules: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    for candidate in std::mem::take(&mut all.terraform) {
        let dir = candidate.path.parent().map(Path::to_path_buf).unwrap_or_default();
        modules.entry(dir).or_default().push(candidate);
    }
    let module_results: Vec<ModuleReport> = pool.install(|| {
        modules
            .par_iter_mut()
            .map(|(dir, files)| {
                files.sort();
                lint_module(dir, files, rules, options.max_file_size)
            })
            .collect()
    });
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
    let mut report = all.report;
    report.files = all.linted.into_iter().map(|(_, file)| file).collect();
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.unread.sort();
    report.passed_over.sort();
    Ok(report)
}

/// What linting gathers on one thread: the reports with findings, the counts of clean files,
/// and the Terraform files, which are read by module once the walk is over.
#[derive(Default)]
struct Gathered {
    /// Reports, with the path of their file; only those with findings once a file is clean.
    linted: Vec<(PathBuf, FileReport)>,
    /// Everything else of the run's report (problems, unread files, counts).
    report: RunReport,
    /// Clean files linted on their own that hold policies, with how many: a Terraform module
    /// that names one in `file(...)` lints it instead (see [`Gathered::unclaim`]).
    clean_policy_files: Vec<(PathBuf, usize)>,
    terraform: Vec<Candidate>,
}

impl Gathered {
    fn add(&mut self, path: PathBuf, outcome: Outcome) {
        match outcome {
            Outcome::Linted(file) if file.findings.is_empty() => {
                self.report.clean_files += 1;
                self.report.clean_policies += file.policies;
                if file.policies > 0 {
                    self.clean_policy_files.push((path, file.policies));
                }
            }
            Outcome::Linted(file) => self.linted.push((path, file)),
            other => self.report.add(other),
        }
    }

    fn merge(&mut self, other: Gathered) {
        self.linted.extend(other.linted);
        self.clean_policy_files.extend(other.clean_policy_files);
        self.terraform.extend(other.terraform);
        let report = other.report;
        self.report.problems.extend(report.problems);
        self.report.unread.extend(report.unread);
        self.report.passed_over.extend(report.passed_over);
        self.report.clean_files += report.clean_files;
        self.report.clean_policies += report.clean_policies;
    }

    /// Forgets what linting `path` on its own gave: a module linted it as its policy.
    fn unclaim(&mut self, path: &Path) {
        self.linted.retain(|(linted, _)| linted != path);
        if let Some(index) = self.clean_policy_files.iter().position(|(clean, _)| clean == path) {
            let (_, policies) = self.clean_policy_files.swap_remove(index);
            self.report.clean_files -= 1;
            self.report.clean_policies -= policies;
        }
    }
}

/// The per-thread [`discover::Sink`] that lints each file as the walk delivers it.
struct Gatherer<'a> {
    rules: &'a RuleSet,
    options: &'a Options,
    local: Gathered,
    /// Where the thread's gathering goes when the walk is over.
    shared: &'a Mutex<Vec<Gathered>>,
    /// The thread's read buffer.
    scratch: Vec<u8>,
}

impl discover::Sink for Gatherer<'_> {
    fn file(&mut self, candidate: Candidate) {
        let excluded = self.options.excluded.as_ref();
        if !candidate.explicit && excluded.is_some_and(|excluded| excluded(&candidate.path)) {
            return;
        }
        if extract::terraform::is_terraform_file(&candidate.path) {
            self.local.terraform.push(candidate);
            return;
        }
        match lint_file(&candidate, self.rules, self.options.max_file_size, &mut self.scratch) {
            Ok(outcome) => self.local.add(candidate.path, outcome),
            Err(problem) => self.local.report.problems.push(problem),
        }
    }

    fn problem(&mut self, problem: WalkProblem) {
        self.local.report.problems.push(problem);
    }
}

impl Drop for Gatherer<'_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        self.shared.lock().unwrap_or_else(|p| p.into_inner()).push(local);
    }
}

impl RunReport {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Linted(file) => self.files.push(file),
            Outcome::Unread(file) => self.unread.push(file),
            Outcome::PassedOver(file) => self.passed_over.extend(file),
        }
    }
}

/// Looks at one file by its format; `scratch` is the thread's read buffer, reused file after file.
fn lint_file(
    candidate: &Candidate,
    rules: &RuleSet,
    max_size: u64,
    scratch: &mut Vec<u8>,
) -> Result<Outcome, WalkProblem> {
    let passed_over = |format: Option<&'static str>| {
        let file = UnreadFile {
            path: candidate.display.clone(),
            format,
        };
        Outcome::PassedOver(candidate.explicit.then_some(file))
    };
    match format::by_name(&candidate.path) {
        // Not read into memory: only searched for the marks of an SES policy.
        Some(Format::Unread(kind)) => {
            let unread = UnreadFile {
                path: candidate.display.clone(),
                format: Some(kind.name()),
            };
            let unreadable = |e: std::io::Error| unreadable_file(&candidate.display, e);
            return Ok(
                if scan(&candidate.path, format::may_hold_ses_policy).map_err(unreadable)? {
                    Outcome::Unread(unread)
                } else {
                    passed_over(Some(kind.name()))
                },
            );
        }
        Some(Format::Other) => return Ok(passed_over(None)),
        _ => {}
    }
    Ok(if read_into(&candidate.path, &candidate.display, max_size, scratch)? {
        lint_read(&candidate.display, scratch, rules, candidate.explicit)
    } else {
        Outcome::PassedOver(None)
    })
}

fn unreadable_file(display: &str, error: std::io::Error) -> WalkProblem {
    WalkProblem::new(display, Problem::Unreadable(IoError::read(Subject::File, None, error)))
}

/// Reads a file to lint. A file over `max_size` is not read into memory: `None` when a scan shows
/// it holds no policy, a fatal problem when it may.
fn read_file(path: &Path, display: &str, max_size: u64) -> Result<Option<Vec<u8>>, WalkProblem> {
    let mut bytes = Vec::new();
    Ok(read_into(path, display, max_size, &mut bytes)?.then_some(bytes))
}

/// [`read_file`] into `buffer` (cleared first); `false` when the file was not read.
fn read_into(path: &Path, display: &str, max_size: u64, buffer: &mut Vec<u8>) -> Result<bool, WalkProblem> {
    let unreadable = |e: std::io::Error| unreadable_file(display, e);
    buffer.clear();
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size <= max_size {
        // Read to the end, not to `size`: a file may grow while it is read.
        buffer.reserve(usize::try_from(size).unwrap_or(0));
        file.read_to_end(buffer).map_err(unreadable)?;
        return Ok(true);
    }
    let may_hold_policy =
        |window: &[u8]| extract::looks_like_policy(window) || memchr::memmem::find(window, b"policy").is_some();
    if scan(path, may_hold_policy).map_err(unreadable)? {
        return Err(WalkProblem::new(display, Problem::TooLarge { size, limit: max_size }));
    }
    Ok(false)
}

/// Whether `found` holds for some part of a file, searched in chunks (that overlap, so that a
/// marker split between two chunks is still found) without reading the file into memory.
fn scan(path: &Path, found: impl Fn(&[u8]) -> bool) -> std::io::Result<bool> {
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
        if found(window) {
            return Ok(true);
        }
        // Keep the tail, so that a marker split between two chunks is still found.
        let tail = window.len().saturating_sub(OVERLAP);
        buffer.copy_within(tail..kept + read, 0);
        kept = kept + read - tail;
    }
}

/// Lints one file's bytes; `path` is the name to report, and with the bytes decides the format
/// ([`format::of`]). A file in a format seslint does not read gives an empty report.
pub fn lint_bytes(path: &str, bytes: &[u8], rules: &RuleSet) -> FileReport {
    match lint_read(path, bytes, rules, true) {
        Outcome::Linted(report) => report,
        Outcome::Unread(_) | Outcome::PassedOver(_) => finish_report(path, "", Vec::new(), 0, rules),
    }
}

/// Lints a file read into memory, by its format. `explicit`: named by the user, so that passing
/// it over is worth a note.
fn lint_read(path: &str, bytes: &[u8], rules: &RuleSet, explicit: bool) -> Outcome {
    let format = match format::of(Path::new(path), bytes) {
        Format::Template if !extract::is_template(path, bytes) => Format::Unread(format::Unread::Yaml),
        format => format,
    };
    match format {
        Format::Json | Format::Terraform | Format::Template => Outcome::Linted(lint_text(path, bytes, rules)),
        Format::Unread(kind) => {
            let file = UnreadFile {
                path: path.to_string(),
                format: Some(kind.name()),
            };
            if format::may_hold_ses_policy(bytes) {
                Outcome::Unread(file)
            } else {
                Outcome::PassedOver(explicit.then_some(file))
            }
        }
        Format::Other => Outcome::PassedOver(explicit.then(|| UnreadFile {
            path: path.to_string(),
            format: None,
        })),
    }
}

/// Lints the text of a file in a format seslint reads.
fn lint_text(path: &str, bytes: &[u8], rules: &RuleSet) -> FileReport {
    let (text, documents): (Cow<str>, Vec<PolicyDocument>) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), extract::extract(Path::new(path), text)),
        Err(error) => {
            let text = String::from_utf8_lossy(bytes);
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
    file_report(path, &text, &documents, rules)
}

/// Runs the rules over a file's documents.
fn file_report(path: &str, text: &str, documents: &[PolicyDocument], rules: &RuleSet) -> FileReport {
    let findings: Vec<Finding> = documents
        .iter()
        .flat_map(|doc| rules::eval::check_document(rules, doc, text))
        .collect();
    let policies = documents.iter().filter(|d| d.is_policy()).count();
    finish_report(path, text, findings, policies, rules)
}

/// A file's report, its findings in order.
fn finish_report(path: &str, text: &str, mut findings: Vec<Finding>, policies: usize, rules: &RuleSet) -> FileReport {
    if suppress::has_comments(path) {
        suppress::apply(text, &mut findings, &rules.deselected);
    }
    findings.sort_by(|a, b| (a.span.start, &a.code, a.span.end).cmp(&(b.span.start, &b.code, b.span.end)));
    // Only findings need the text (to render it): a clean file's is not kept, nor even copied.
    let text: Arc<str> = Arc::from(if findings.is_empty() { "" } else { text });
    FileReport {
        path: path.to_string(),
        text,
        findings,
        policies,
    }
}

/// What linting one Terraform module gives.
struct ModuleReport {
    /// Each file's report, with its path.
    files: Vec<(PathBuf, FileReport)>,
    problems: Vec<WalkProblem>,
    /// Policy files the module's resources name (`file(...)`), linted here in their context.
    claimed: Vec<PathBuf>,
}

fn lint_module(dir: &Path, candidates: &[Candidate], rules: &RuleSet, max_size: u64) -> ModuleReport {
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
    let displays: Vec<&Candidate> = read.iter().map(|(c, _)| *c).collect();
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
        let file_findings = std::mem::take(&mut findings[index]);
        let file_text = &text.text[span.start..span.end];
        let file = finish_report(
            &displays[index].display,
            file_text,
            file_findings,
            policies[index],
            rules,
        );
        module.files.push((displays[index].path.clone(), file));
    }
    for referenced in extracted.referenced {
        if module.claimed.contains(&referenced.path) {
            continue;
        }
        let display = discover::display(&referenced.path);
        match read_file(&referenced.path, &display, max_size) {
            Ok(None) => {}
            Ok(Some(bytes)) => {
                let text = String::from_utf8_lossy(&bytes);
                let whole = Span::new(0, text.len());
                let documents: Vec<PolicyDocument> =
                    extract::terraform::document_in_template(&text, whole, referenced.label, referenced.hint)
                        .into_iter()
                        .collect();
                let file = file_report(&display, &text, &documents, rules);
                module.files.push((referenced.path.clone(), file));
            }
            Err(problem) => module.problems.push(WalkProblem {
                problem: Problem::NamedBy {
                    label: referenced.label.clone(),
                    problem: Box::new(problem.problem),
                },
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
