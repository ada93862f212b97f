//! Output formats. Each one is built from the same [`RunReport`]; this module holds what they
//! share (the summary counts).

pub mod catalog;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
mod wrap;

use crate::finding::{Finding, Severity};
use crate::RunReport;

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
        let mut summary = Summary {
            files_scanned: report.files_scanned(),
            policies_checked: report.policies_checked(),
            ..Summary::default()
        };
        for (_, finding) in report.findings() {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
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
