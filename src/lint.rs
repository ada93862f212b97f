//! Linting, unit by unit: a file read into memory is extracted by its format, checked by the
//! rules, and its findings put in order (suppressions applied); a group of files read together
//! is extracted as one unit and its findings handed back to the file each one points into; a
//! policy file that a unit names is linted in that unit's context. Which unit comes when is the
//! run's business (`run.rs`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::{self, Candidate, Problem, WalkProblem};
use crate::extract;
use crate::extract::format::{self, Format};
use crate::extract::unit::{Extracted, ReferencedFile, UnitText};
use crate::finding::Finding;
use crate::input::{read_file, read_into, scan, unreadable_file};
use crate::policy::PolicyDocument;
use crate::rules::{self, FileRules, RuleSet};
use crate::source::Span;
use crate::suppress;
use crate::{FileReport, RuleIgnores, UnreadFile};

/// A run's rules, and which of them each file does not run (its per-file ignores).
#[derive(Clone, Copy)]
pub(crate) struct Rules<'r> {
    pub(crate) set: &'r RuleSet,
    pub(crate) ignored: Option<&'r RuleIgnores>,
}

impl<'r> Rules<'r> {
    /// The rules that run on the file reported at `path`.
    pub(crate) fn for_file(&self, path: &str) -> FileRules<'r> {
        match self.ignored {
            Some(ignored) => FileRules::skipping(self.set, &ignored(path)),
            None => FileRules::all(self.set),
        }
    }
}

/// What reading a file gives besides its outcome: when part of it is in a form seslint does not
/// read that may hold an SES policy (a code block in another language), the file for the closing
/// note. (The files it names as its policies are the run's business: see
/// [`extract::references`].)
pub(crate) type Aside = Option<UnreadFile>;

/// What looking at one file gave.
pub(crate) enum Outcome {
    Linted(FileReport),
    /// In a format seslint does not read, and it may hold SES policies.
    Unread(UnreadFile),
    /// Nothing to lint: no policy in it, or a format that holds none.
    PassedOver(Option<UnreadFile>),
}

/// Looks at one file by its format; `scratch` is the thread's read buffer, reused file after file.
/// Also gives what reading it gave aside.
pub(crate) fn lint_file(
    candidate: &Candidate,
    rules: Rules,
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
            return Ok((outcome, None));
        }
        Some(Format::Other) => return Ok((passed_over(None), None)),
        _ => {}
    }
    Ok(if read_into(&candidate.path, &candidate.display, max_size, scratch)? {
        let rules = rules.for_file(&candidate.display);
        lint_read(&candidate.display, scratch, &rules, candidate.explicit)
    } else {
        (Outcome::PassedOver(None), None)
    })
}

/// Lints a file read into memory, by its format, with what reading it gave aside. `explicit`:
/// named by the user, so that passing it over is worth a note.
pub(crate) fn lint_read(path: &str, bytes: &[u8], rules: &FileRules, explicit: bool) -> (Outcome, Aside) {
    let format = match format::of(Path::new(path), bytes) {
        Format::Template if !extract::is_template(path, bytes) => Format::Unread(format::Unread::Yaml),
        format => format,
    };
    let outcome = match format {
        Format::Script => lint_script(path, bytes, rules, explicit),
        format if format.is_read() => {
            let (report, extracted) = lint_text(path, bytes, rules);
            let aside = extracted.unread.map(|format| UnreadFile {
                path: path.to_string(),
                format: Some(format),
            });
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
    (outcome, None)
}

/// Lints TypeScript/JavaScript: a bundle (too large) is only sniffed, like a format seslint does
/// not read; a file without a policy's marks is scanned without being parsed; a file that does
/// not parse gives no finding (syntax errors in code are not this tool's business), only a note
/// under `--verbose`.
fn lint_script(path: &str, bytes: &[u8], rules: &FileRules, explicit: bool) -> Outcome {
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
fn lint_text(path: &str, bytes: &[u8], rules: &FileRules) -> (FileReport, Extracted) {
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
fn file_report(path: &str, text: &str, documents: &[PolicyDocument], rules: &FileRules) -> FileReport {
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
    rules: &FileRules,
) -> FileReport {
    if let Some(syntax) = suppress::syntax(path, text) {
        suppress::apply(syntax, text, &mut findings, rules.not_run());
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
}

/// The files of a group read as one text (through the overlay, when there is one), the
/// candidate each part of it is, and the files that could not be read.
struct ReadGroup<'c> {
    read: Vec<&'c Candidate>,
    text: UnitText,
    problems: Vec<WalkProblem>,
}

fn read_group<'c>(candidates: &'c [Candidate], max_size: u64, overlay: Option<&crate::Overlay>) -> ReadGroup<'c> {
    let mut problems = Vec::new();
    let mut read: Vec<(&Candidate, String)> = Vec::new();
    for candidate in candidates {
        let bytes = match overlay.and_then(|o| o.get(&candidate.display)) {
            Some(text) => Ok(Some(text.clone().into_bytes())),
            None => read_file(&candidate.path, &candidate.display, max_size),
        };
        match bytes {
            Ok(Some(bytes)) => read.push((candidate, String::from_utf8_lossy(&bytes).into_owned())),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    ReadGroup {
        read: read.iter().map(|(c, _)| *c).collect(),
        text: UnitText::new(read.into_iter().map(|(c, t)| (c.path.clone(), t)).collect()),
        problems,
    }
}

/// The policy files that the group of files in `dir` names (`file(...)`), to be linted in its
/// context; what cannot be read is left to [`lint_group`] to report.
pub(crate) fn group_references(
    dir: &Path,
    candidates: &[Candidate],
    max_size: u64,
    overlay: Option<&crate::Overlay>,
) -> Vec<ReferencedFile> {
    extract::group_references(dir, &read_group(candidates, max_size, overlay).text)
}

/// Lints the files of `dir` that are read together, as one unit. The policy files the unit
/// names are not linted here (see [`group_references`]).
pub(crate) fn lint_group(
    dir: &Path,
    candidates: &[Candidate],
    rules: Rules,
    max_size: u64,
    overlay: Option<&crate::Overlay>,
) -> GroupReport {
    let ReadGroup {
        read: displays,
        text,
        problems,
    } = read_group(candidates, max_size, overlay);
    let mut module = GroupReport {
        files: Vec::new(),
        problems,
    };
    let extracted = extract::extract_group(dir, &text);
    let documents = extracted.documents;
    // A document runs the rules of the file it is written in.
    let file_rules: Vec<FileRules> = displays.iter().map(|c| rules.for_file(&c.display)).collect();
    // Findings are made in the unit's text, then handed to the file each one points into.
    let mut findings: Vec<Vec<Finding>> = text.files.iter().map(|_| Vec::new()).collect();
    let mut policies: Vec<usize> = text.files.iter().map(|_| 0).collect();
    for document in &documents {
        let home = text.file_at(document.span.start);
        policies[home] += usize::from(document.is_policy());
        for mut finding in rules::eval::check_document(&file_rules[home], document, &text.text) {
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
            &file_rules[index],
        );
        module.files.push((displays[index].path.clone(), file));
    }
    module
}

/// Lints a file that a unit names as its policy (`file(...)`, `file://`), in the unit's
/// context; nothing when it is too large to hold one, or is not there and need not be.
pub(crate) fn lint_referenced(
    referenced: ReferencedFile,
    rules: Rules,
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
            Ok(Some(file_report(
                &display,
                &text,
                &documents,
                &rules.for_file(&display),
            )))
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
