//! Linting, unit by unit: a file read into memory is extracted by its format, checked by the
//! rules, and its findings put in order (suppressions applied); a group of files read together
//! is extracted as one unit and its findings handed back to the file each one points into. On the
//! walking threads, [`Gatherer`] lints each file as the walk delivers it and keeps only what a
//! report needs.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::discover::{self, Candidate, Problem, WalkProblem};
use crate::extract;
use crate::extract::format::{self, Format};
use crate::extract::unit::{Extracted, ReferencedFile, UnitText};
use crate::finding::Finding;
use crate::input::{read_file, read_into, scan, unreadable_file};
use crate::policy::PolicyDocument;
use crate::rules::{self, RuleSet};
use crate::source::Span;
use crate::suppress;
use crate::{FileReport, Options, RunReport, UnreadFile};

/// What reading a file gives besides its outcome: the files it names as its policies (a
/// script's `file://`), and, when part of it is in a form seslint does not read that may hold an
/// SES policy (a code block in another language), the file for the closing note.
#[derive(Default)]
pub(crate) struct Aside {
    pub(crate) referenced: Vec<ReferencedFile>,
    pub(crate) unread: Option<UnreadFile>,
}

/// What looking at one file gave.
pub(crate) enum Outcome {
    Linted(FileReport),
    /// In a format seslint does not read, and it may hold SES policies.
    Unread(UnreadFile),
    /// Nothing to lint: no policy in it, or a format that holds none.
    PassedOver(Option<UnreadFile>),
}

/// What linting gathers on one thread: the reports with findings, the counts of clean files,
/// and the Terraform files, which are read by module once the walk is over.
#[derive(Default)]
pub(crate) struct Gathered {
    /// Reports, with the path of their file; only those with findings once a file is clean.
    pub(crate) linted: Vec<(PathBuf, FileReport)>,
    /// Everything else of the run's report (problems, unread files, counts).
    pub(crate) report: RunReport,
    /// Clean files linted on their own that hold policies, with how many: a Terraform module
    /// that names one in `file(...)` lints it instead (see [`Gathered::unclaim`]).
    clean_policy_files: Vec<(PathBuf, usize)>,
    /// Files read with their directory's, once the walk is over.
    pub(crate) grouped: Vec<Candidate>,
    /// Policy files that files linted on their own name (a script's `file://`), linted in their
    /// context: they replace what linting them on their own gave (see [`Gathered::claim`]).
    referenced: Vec<(PathBuf, FileReport)>,
}

impl Gathered {
    pub(crate) fn add(&mut self, path: PathBuf, outcome: Outcome) {
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

    pub(crate) fn merge(&mut self, other: Gathered) {
        self.linted.extend(other.linted);
        self.clean_policy_files.extend(other.clean_policy_files);
        self.grouped.extend(other.grouped);
        self.referenced.extend(other.referenced);
        let report = other.report;
        self.report.problems.extend(report.problems);
        self.report.unread.extend(report.unread);
        self.report.passed_over.extend(report.passed_over);
        self.report.clean_files += report.clean_files;
        self.report.clean_policies += report.clean_policies;
    }

    /// Lints the files that files linted on their own name as policies.
    fn lint_referenced(&mut self, referenced: Vec<ReferencedFile>, rules: &RuleSet, max_size: u64) {
        for file in referenced {
            let path = file.path.clone();
            match lint_referenced(file, rules, max_size) {
                Ok(Some(report)) => self.referenced.push((path, report)),
                Ok(None) => {}
                Err(problem) => self.report.problems.push(problem),
            }
        }
    }

    /// Puts the reports of referenced files in place of what linting them on their own gave
    /// (once the walk is over); a file several files name is reported once.
    pub(crate) fn claim(&mut self) {
        let mut referenced = std::mem::take(&mut self.referenced);
        referenced.sort_by(|a, b| a.0.cmp(&b.0));
        referenced.dedup_by(|a, b| a.0 == b.0);
        for (path, _) in &referenced {
            self.unclaim(path);
        }
        for (path, file) in referenced {
            self.add(path, Outcome::Linted(file));
        }
    }

    /// Forgets what linting `path` on its own gave: a module linted it as its policy.
    pub(crate) fn unclaim(&mut self, path: &Path) {
        self.linted.retain(|(linted, _)| linted != path);
        if let Some(index) = self.clean_policy_files.iter().position(|(clean, _)| clean == path) {
            let (_, policies) = self.clean_policy_files.swap_remove(index);
            self.report.clean_files -= 1;
            self.report.clean_policies -= policies;
        }
    }
}

/// The per-thread [`discover::Sink`] that lints each file as the walk delivers it.
pub(crate) struct Gatherer<'a> {
    pub(crate) rules: &'a RuleSet,
    pub(crate) options: &'a Options,
    pub(crate) local: Gathered,
    /// Where the thread's gathering goes when the walk is over.
    pub(crate) shared: &'a Mutex<Vec<Gathered>>,
    /// The thread's read buffer.
    pub(crate) scratch: Vec<u8>,
}

impl discover::Sink for Gatherer<'_> {
    fn file(&mut self, candidate: Candidate) {
        let excluded = self.options.excluded.as_ref();
        if !candidate.explicit && excluded.is_some_and(|excluded| excluded(&candidate.path)) {
            return;
        }
        if extract::reads_with_its_directory(&candidate.path) {
            self.local.grouped.push(candidate);
            return;
        }
        if let Some(text) = self.options.overlay.as_ref().and_then(|o| o.get(&candidate.display)) {
            // The text a fix pass made, in place of the file's.
            let read = lint_read(&candidate.display, text.as_bytes(), self.rules, candidate.explicit);
            self.linted(candidate.path, read);
            return;
        }
        match lint_file(&candidate, self.rules, self.options.max_file_size, &mut self.scratch) {
            Ok(read) => self.linted(candidate.path, read),
            Err(problem) => self.local.report.problems.push(problem),
        }
    }

    fn problem(&mut self, problem: WalkProblem) {
        self.local.report.problems.push(problem);
    }
}

impl Gatherer<'_> {
    /// Keeps a file's outcome, and lints what reading it gave aside (the files it names).
    fn linted(&mut self, path: PathBuf, (outcome, aside): (Outcome, Aside)) {
        self.local.add(path, outcome);
        self.local
            .lint_referenced(aside.referenced, self.rules, self.options.max_file_size);
        self.local.report.unread.extend(aside.unread);
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
/// Also gives what reading it gave aside.
fn lint_file(
    candidate: &Candidate,
    rules: &RuleSet,
    max_size: u64,
    scratch: &mut Vec<u8>,
) -> Result<(Outcome, Aside), WalkProblem> {
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
            let outcome = if scan(&candidate.path, format::may_hold_ses_policy).map_err(unreadable)? {
                Outcome::Unread(unread)
            } else {
                passed_over(Some(kind.name()))
            };
            return Ok((outcome, Aside::default()));
        }
        Some(Format::Other) => return Ok((passed_over(None), Aside::default())),
        _ => {}
    }
    Ok(if read_into(&candidate.path, &candidate.display, max_size, scratch)? {
        lint_read(&candidate.display, scratch, rules, candidate.explicit)
    } else {
        (Outcome::PassedOver(None), Aside::default())
    })
}

/// Lints a file read into memory, by its format, with what reading it gave aside. `explicit`:
/// named by the user, so that passing it over is worth a note.
pub(crate) fn lint_read(path: &str, bytes: &[u8], rules: &RuleSet, explicit: bool) -> (Outcome, Aside) {
    let format = match format::of(Path::new(path), bytes) {
        Format::Template if !extract::is_template(path, bytes) => Format::Unread(format::Unread::Yaml),
        format => format,
    };
    let outcome = match format {
        Format::Script => lint_script(path, bytes, rules, explicit),
        format if format.is_read() => {
            let (report, extracted) = lint_text(path, bytes, rules);
            let aside = Aside {
                referenced: extracted.referenced,
                unread: extracted.unread.map(|format| UnreadFile {
                    path: path.to_string(),
                    format: Some(format),
                }),
            };
            return (Outcome::Linted(report), aside);
        }
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
        _ => Outcome::PassedOver(explicit.then(|| UnreadFile {
            path: path.to_string(),
            format: None,
        })),
    };
    (outcome, Aside::default())
}

/// Lints TypeScript/JavaScript: a bundle (too large) is only sniffed, like a format seslint does
/// not read; a file without a policy's marks is scanned without being parsed; a file that does
/// not parse gives no finding (syntax errors in code are not this tool's business), only a note
/// under `--verbose`.
fn lint_script(path: &str, bytes: &[u8], rules: &RuleSet, explicit: bool) -> Outcome {
    if bytes.len() > format::MAX_SCRIPT_SIZE {
        let kind = format::Unread::Bundle;
        let file = UnreadFile {
            path: path.to_string(),
            format: Some(kind.name()),
        };
        return match format::may_hold_ses_policy(bytes) {
            true => Outcome::Unread(file),
            false => Outcome::PassedOver(explicit.then_some(file)),
        };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if format::script_may_hold_policy(bytes) => text,
        // Not UTF-8 (a binary named .js), or no policy in it: nothing to parse.
        _ => return Outcome::Linted(finish_report(path, "", Vec::new(), 0, rules)),
    };
    match extract::extract_script(Path::new(path), text) {
        Ok(documents) => Outcome::Linted(file_report(path, text, &documents, rules)),
        Err(_) => Outcome::PassedOver(Some(UnreadFile {
            path: path.to_string(),
            format: Some("TypeScript/JavaScript that does not parse"),
        })),
    }
}

/// Lints the text of a file in a format seslint reads; also gives what extracting it gave
/// besides its documents.
fn lint_text(path: &str, bytes: &[u8], rules: &RuleSet) -> (FileReport, Extracted) {
    let (text, extracted): (Cow<str>, Extracted) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), extract::extract(Path::new(path), text)),
        Err(error) => {
            let text = String::from_utf8_lossy(bytes);
            let documents = extract::not_utf8(bytes, &text, error);
            (
                text,
                Extracted {
                    documents,
                    ..Extracted::default()
                },
            )
        }
    };
    let report = file_report(path, &text, &extracted.documents, rules);
    (report, extracted)
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
pub(crate) fn finish_report(
    path: &str,
    text: &str,
    mut findings: Vec<Finding>,
    policies: usize,
    rules: &RuleSet,
) -> FileReport {
    if let Some(syntax) = suppress::syntax(path, text) {
        suppress::apply(syntax, text, &mut findings, &rules.deselected);
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

/// What linting a group of files read together gives.
pub(crate) struct GroupReport {
    /// Each file's report, with its path.
    pub(crate) files: Vec<(PathBuf, FileReport)>,
    pub(crate) problems: Vec<WalkProblem>,
    /// Policy files the group names (`file(...)`), linted here in its context.
    pub(crate) claimed: Vec<PathBuf>,
}

/// Lints the files of `dir` that are read together, as one unit.
pub(crate) fn lint_group(
    dir: &Path,
    candidates: &[Candidate],
    rules: &RuleSet,
    max_size: u64,
    overlay: Option<&crate::Overlay>,
) -> GroupReport {
    let read_file = |path: &Path, display: &str, max_size: u64| match overlay.and_then(|o| o.get(display)) {
        Some(text) => Ok(Some(text.clone().into_bytes())),
        None => read_file(path, display, max_size),
    };
    let mut module = GroupReport {
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
    let text = UnitText::new(read.into_iter().map(|(c, t)| (c.path.clone(), t)).collect());
    let extracted = extract::extract_group(dir, &text);
    let documents = extracted.documents;
    // Findings are made in the unit's text, then handed to the file each one points into.
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
            // A fix that would edit another file of the module is not offered.
            finding.fix = finding.fix.take().and_then(|mut fix| {
                for edit in &mut fix.edits {
                    if text.file_at(edit.span.start) != index || edit.span.end > text.files[index].1.end {
                        return None;
                    }
                    edit.span = local(edit.span);
                }
                Some(fix)
            });
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
        let path = referenced.path.clone();
        match lint_referenced(referenced, rules, max_size) {
            Ok(Some(file)) => module.files.push((path.clone(), file)),
            Ok(None) => {}
            Err(problem) => module.problems.push(problem),
        }
        module.claimed.push(path);
    }
    module
}

/// Lints a file that a unit names as its policy (`file(...)`, `file://`), in the unit's
/// context; nothing when it is too large to hold one, or is not there and need not be.
fn lint_referenced(
    referenced: ReferencedFile,
    rules: &RuleSet,
    max_size: u64,
) -> Result<Option<FileReport>, WalkProblem> {
    if !referenced.required && !referenced.path.is_file() {
        return Ok(None);
    }
    let display = discover::display(&referenced.path);
    match read_file(&referenced.path, &display, max_size) {
        Ok(None) => Ok(None),
        Ok(Some(bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            let documents = extract::extract_referenced(&text, referenced);
            Ok(Some(file_report(&display, &text, &documents, rules)))
        }
        Err(problem) => Err(WalkProblem {
            problem: Problem::NamedBy {
                label: referenced.label.clone(),
                problem: Box::new(problem.problem),
            },
            ..problem
        }),
    }
}

/// How one rule example behaved: as it says (`passed`), with the findings it gave.
pub struct ExampleOutcome<'r> {
    pub rule: &'r rules::Rule,
    /// 1-based, in the rule file's order.
    pub number: usize,
    pub example: &'r rules::Example,
    pub passed: bool,
    /// (code, message) of every finding the example gave.
    pub found: Vec<(String, String)>,
}

/// Lints every example of the rules `which` picks: a violation must fire its rule, a clean
/// example must give no finding at all (`seslint test-rules`, and the catalog's meta-test).
pub fn check_examples<'r>(rules: &'r RuleSet, which: impl Fn(&rules::Rule) -> bool) -> Vec<ExampleOutcome<'r>> {
    let mut outcomes = Vec::new();
    for rule in rules.rules.iter().filter(|r| which(r)) {
        for (i, example) in rule.examples.iter().enumerate() {
            let findings = match &example.file {
                Some(name) => crate::lint_bytes(name, example.policy.as_bytes(), rules).findings,
                None => crate::lint_policy(&example.policy, rule.applies_to.hint(), rules),
            };
            let passed = match example.expect {
                rules::Expect::Violation => findings.iter().any(|f| f.code == rule.code),
                rules::Expect::Clean => findings.is_empty(),
            };
            outcomes.push(ExampleOutcome {
                rule,
                number: i + 1,
                example,
                passed,
                found: findings.into_iter().map(|f| (f.code, f.message)).collect(),
            });
        }
    }
    outcomes
}
