//! Baselines: adopting seslint in a repository that already has findings.
//!
//! `--write-baseline FILE` records today's findings by fingerprint (rule, path, policy label,
//! statement and JSON pointer, message: no line numbers, so the baseline survives edits around
//! the findings). `--baseline FILE` then reports only findings that are not in it, and says
//! which entries no longer match anything (fixed, or changed so that they are new findings).

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{IoError, LoadError, Subject};
use crate::fingerprint::fingerprint;
use crate::{FileReport, RunReport};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One recorded finding. Only `fingerprint` is matched; the rest is there for people reading
/// the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub policy: String,
    pub location: String,
    pub message: String,
}

impl Baseline {
    /// The baseline of a run's findings, in a stable order.
    pub fn of(report: &RunReport) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings()
            .map(|(file, f)| Entry {
                fingerprint: fingerprint(&file.path, f),
                rule: f.code.clone(),
                path: file.path.clone(),
                policy: f.policy.clone(),
                location: f.location.clone(),
                message: f.message.clone(),
            })
            .collect();
        findings.sort();
        Baseline { version: 1, findings }
    }

    pub fn read(path: &Path) -> Result<Baseline, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::read(Subject::Baseline, Some(path), e))?;
        serde_json::from_str(&text).map_err(|e| {
            LoadError::new(format!("invalid baseline {}: {e}", path.display()))
                .with_help("write a new one with --write-baseline FILE")
        })
    }

    /// Writes the baseline atomically: to a temporary file beside it, then renamed over it.
    pub fn write(&self, path: &Path) -> Result<(), LoadError> {
        let fail = |e: std::io::Error| LoadError::from(IoError::write(Subject::Baseline, path, e));
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serializes");
        text.push('\n');
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&temporary, text).map_err(fail)?;
        std::fs::rename(&temporary, path).map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            fail(e)
        })
    }

    /// Removes the findings the baseline holds (each entry matches one finding) and returns the
    /// entries that matched nothing.
    pub fn apply(&self, report: &mut RunReport) -> Vec<Entry> {
        let matcher = self.matcher();
        for file in &mut report.files {
            matcher.apply_file(file);
        }
        matcher.unmatched()
    }

    /// What applies the baseline one file at a time, files in any order and on any thread (a
    /// streamed run): an entry's fingerprint names its file, so files do not compete for one.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            unmatched: Mutex::new(self.findings.iter().map(Some).collect()),
        }
    }
}

/// The baseline's entries not matched yet (see [`Baseline::matcher`]).
pub struct Matcher<'b> {
    unmatched: Mutex<Vec<Option<&'b Entry>>>,
}

impl Matcher<'_> {
    /// Removes the findings of `file` that an entry not matched yet holds.
    pub fn apply_file(&self, file: &mut FileReport) {
        if file.findings.is_empty() {
            return;
        }
        let prints: Vec<String> = file.findings.iter().map(|f| fingerprint(&file.path, f)).collect();
        let mut prints = prints.into_iter();
        let mut unmatched = self.unmatched.lock().unwrap_or_else(|p| p.into_inner());
        file.findings.retain(|_| {
            let print = prints.next().unwrap_or_default();
            match unmatched.iter_mut().find(|e| e.is_some_and(|e| e.fingerprint == print)) {
                Some(slot) => {
                    *slot = None;
                    false
                }
                None => true,
            }
        });
    }

    /// The entries that matched nothing.
    pub fn unmatched(self) -> Vec<Entry> {
        let unmatched = self.unmatched.into_inner().unwrap_or_else(|p| p.into_inner());
        unmatched.into_iter().flatten().cloned().collect()
    }
}
