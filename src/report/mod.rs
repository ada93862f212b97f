//! Output formats. Each one is built from the same [`RunReport`]; this module holds what they
//! share (the summary counts).

pub mod catalog;
pub mod github;
pub mod human;
pub mod json;
mod plain;
pub mod sarif;
mod wrap;

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::{FileReport, RunReport};

/// Counts shown in every format's summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    pub policies_checked: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(report: &RunReport) -> Summary {
        let tally = Tally::of(report);
        Summary {
            files_scanned: report.files_scanned(),
            policies_checked: report.policies_checked(),
            errors: tally.errors,
            warnings: tally.warnings,
            infos: tally.infos,
        }
    }
}

/// What the reports of some files held, counted: for a run that hands reports on and does not
/// keep them (`run_streamed`), and to sum up a run's reports.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub files: usize,
    pub files_with_findings: usize,
    pub policies: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings per rule: (code, name) and how many.
    pub by_rule: BTreeMap<(String, String), usize>,
}

impl Tally {
    /// A run's counts: what it handed on and what it kept.
    pub fn of(report: &RunReport) -> Tally {
        let mut tally = report.streamed.clone();
        for file in &report.files {
            tally.count(file);
        }
        tally
    }

    /// Counts one file's report.
    pub fn count(&mut self, file: &FileReport) {
        self.files += 1;
        self.policies += file.policies;
        self.files_with_findings += usize::from(!file.findings.is_empty());
        for finding in &file.findings {
            match finding.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
            let rule = (finding.code.clone(), finding.name.clone());
            *self.by_rule.entry(rule).or_default() += 1;
        }
    }

    /// Adds another tally's counts.
    pub fn add(&mut self, other: Tally) {
        self.files += other.files;
        self.files_with_findings += other.files_with_findings;
        self.policies += other.policies;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        for (rule, count) in other.by_rule {
            *self.by_rule.entry(rule).or_default() += count;
        }
    }

    /// The most severe finding counted.
    pub fn worst(&self) -> Option<Severity> {
        [
            (self.errors, Severity::Error),
            (self.warnings, Severity::Warning),
            (self.infos, Severity::Info),
        ]
        .into_iter()
        .find(|&(count, _)| count > 0)
        .map(|(_, severity)| severity)
    }
}

/// The message users see, in `--format sarif` and `--format github`: the policy's label (when the file holds
/// several), the finding's message, and its help on a second line.
pub fn message_text(finding: &Finding) -> String {
    let mut text = if finding.policy.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.policy, finding.message)
    };
    if !finding.help.is_empty() {
        text.push_str("\nhelp: ");
        text.push_str(&finding.help);
    }
    text
}
