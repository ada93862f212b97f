//! Applying fixes: which edits of a file go together in one pass, the text they make, the
//! passes of a run (apply, lint again, until nothing is left to fix or a bound is reached), and
//! writing a fixed file atomically.
//!
//! Two fixes that touch overlapping bytes are never applied in one pass: the first in file order
//! wins, and the other is looked at again after the re-lint, against the new text. So the
//! result does not depend on the order findings are reported in, and a second `--fix` run finds
//! nothing to do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Applicability, Edit, Fix};
use crate::error::{IoError, LoadError, Subject};
use crate::finding::Finding;
use crate::rules::{FileRules, RuleSet};
use crate::{Options, RunReport};

/// Passes of fix and re-lint at most: each pass applies at least one fix or ends the loop, and a
/// policy has few fixable defects; the bound only guards against two fixes undoing each other.
pub const MAX_PASSES: usize = 10;

/// The fixes that may be applied: safe ones, and unsafe ones too when asked.
pub fn allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// The edits of one pass over a file, and how many fixes they make: the allowed fixes of its
/// findings, in file order, each one whose bytes do not overlap (or touch) an earlier one's.
pub fn pick(findings: &[Finding], unsafe_fixes: bool) -> (Vec<Edit>, usize) {
    let mut fixes: Vec<&Fix> = findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|fix| allowed(fix, unsafe_fixes) && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| (fix.extent().start, fix.extent().end));
    let mut taken: Vec<Edit> = Vec::new();
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let clashes = fix.edits.iter().any(|e| {
            claimed
                .iter()
                .any(|&(start, end)| e.span.start <= end && start <= e.span.end)
        });
        if clashes {
            continue;
        }
        count += 1;
        for edit in &fix.edits {
            claimed.push((edit.span.start, edit.span.end));
            taken.push(edit.clone());
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    (taken, count)
}

/// `text` with `edits` (sorted, apart) applied; every other byte is kept.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        if edit.span.start < at || edit.span.end > text.len() {
            continue;
        }
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A file a run changed: its text before and after.
#[derive(Debug, Clone)]
pub struct Changed {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// What fixing a run did: the report of what is left, and the files it changed (nothing is
/// written yet: see [`write_all`]).
#[derive(Debug)]
pub struct Fixed {
    pub report: RunReport,
    pub changed: Vec<Changed>,
    /// Fixes applied over all passes.
    pub applied: usize,
}

/// Lints `paths`, applies the allowed fixes in memory and lints again, pass after pass.
/// `settle` applies to each pass's report what the caller filters (configuration, baseline),
/// so that only reported findings are fixed.
pub fn fix_run(
    paths: &[PathBuf],
    options: &mut Options,
    rules: &RuleSet,
    unsafe_fixes: bool,
    settle: &dyn Fn(&mut RunReport) -> Result<(), LoadError>,
) -> Result<Fixed, LoadError> {
    // Display path -> (text on disk, text now).
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut applied = 0;
    let mut pass = 0;
    loop {
        let overlay: crate::Overlay = texts.iter().map(|(p, (_, now))| (p.clone(), now.clone())).collect();
        options.overlay = Some(Arc::new(overlay));
        let mut report = crate::run(paths, options, rules)?;
        settle(&mut report)?;
        pass += 1;
        if pass > MAX_PASSES {
            return Ok(finish(report, texts, applied));
        }
        let mut progressed = false;
        for file in &report.files {
            let (edits, fixes) = pick(&file.findings, unsafe_fixes);
            if edits.is_empty() {
                continue;
            }
            let now = match texts.get(&file.path) {
                Some((_, now)) => now.clone(),
                None => match std::fs::read(&file.path).ok().and_then(|b| String::from_utf8(b).ok()) {
                    Some(disk) => disk,
                    // Not UTF-8 (the report's text is a lossy copy): not rewritten.
                    None => continue,
                },
            };
            // The spans index the report's text: fix only when it is the text read.
            if *now != *file.text {
                continue;
            }
            let after = apply(&now, &edits);
            if after == now {
                continue;
            }
            applied += fixes;
            progressed = true;
            let before = texts.remove(&file.path).map_or(now, |(before, _)| before);
            texts.insert(file.path.clone(), (before, after));
        }
        if !progressed {
            return Ok(finish(report, texts, applied));
        }
    }
}

fn finish(report: RunReport, texts: BTreeMap<String, (String, String)>, applied: usize) -> Fixed {
    let changed = texts
        .into_iter()
        .filter(|(_, (before, after))| before != after)
        .map(|(path, (before, after))| Changed { path, before, after })
        .collect();
    Fixed {
        report,
        changed,
        applied,
    }
}

/// Fixes one text in memory (standard input), pass after pass: the fixed text and the findings
/// left.
pub fn fix_text(
    name: &str,
    text: &str,
    rules: &FileRules,
    unsafe_fixes: bool,
    settle: &dyn Fn(&mut crate::FileReport),
) -> (String, crate::FileReport) {
    let mut now = text.to_string();
    for _ in 0..MAX_PASSES {
        let mut report = crate::lint_bytes_with(name, now.as_bytes(), rules);
        settle(&mut report);
        let (edits, _) = pick(&report.findings, unsafe_fixes);
        let after = apply(&now, &edits);
        if edits.is_empty() || after == now {
            return (now, report);
        }
        now = after;
    }
    let mut report = crate::lint_bytes_with(name, now.as_bytes(), rules);
    settle(&mut report);
    (now, report)
}

/// Writes every changed file, each atomically.
pub fn write_all(changed: &[Changed]) -> Result<(), LoadError> {
    for file in changed {
        write_atomic(Path::new(&file.path), file.after.as_bytes())?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a reader
/// never sees half a file; the file's permissions are kept.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let fail = |e: std::io::Error| IoError::write(Subject::File, path, e);
    let permissions = std::fs::metadata(path).map_err(fail)?.permissions();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.seslint-{}.tmp", std::process::id()));
    let result = std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::set_permissions(&temporary, permissions))
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            text: text.into(),
        }
    }

    #[test]
    fn edits_keep_the_bytes_between_them() {
        let text = "\u{feff}{\r\n  \"a\": 1\r\n}";
        let out = apply(text, &[edit(8, 11, "\"b\""), edit(13, 14, "2")]);
        assert_eq!(out, "\u{feff}{\r\n  \"b\": 2\r\n}");
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let fix = |start, end| Fix {
            applicability: Applicability::Safe,
            description: String::new(),
            edits: vec![edit(start, end, "x")],
        };
        let finding = |fix| Finding {
            code: "SES003".into(),
            name: "unsupported-version".into(),
            severity: crate::finding::Severity::Warning,
            message: String::new(),
            help: String::new(),
            policy: String::new(),
            span: Span::new(0, 1),
            label: None,
            related: Vec::new(),
            location: String::new(),
            fix: Some(fix),
        };
        let findings = [finding(fix(5, 9)), finding(fix(0, 6)), finding(fix(12, 13))];
        let (picked, count) = pick(&findings, false);
        assert_eq!(count, 2);
        assert_eq!(picked, vec![edit(0, 6, "x"), edit(12, 13, "x")]);
    }
}
