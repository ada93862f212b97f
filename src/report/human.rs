//! The human format: one miette report per finding, with the code, the message, a label on
//! the exact span and a help line; then a one-line summary (on stderr).

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

use super::Summary;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::{FileReport, RunReport};

pub struct Style {
    pub color: bool,
    /// Wrap width; rendered output is stable at a fixed width.
    pub width: usize,
}

/// Renders every finding of the run, in file and offset order.
pub fn render(report: &RunReport, style: &Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for (file, finding) in report.findings() {
        let report = to_report(file, finding);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}

fn to_report(file: &FileReport, finding: &Finding) -> Report {
    let severity = match finding.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        finding.label.clone(),
        (finding.span.start, finding.span.len()),
    )];
    labels.extend(finding.related.iter().map(|(span, text)| {
        LabeledSpan::new_with_span(Some(text.clone()).filter(|t| !t.is_empty()), (span.start, span.len()))
    }));
    // The header keeps `path:line:column` clickable; the policy's label leads the message.
    let message = if finding.policy.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.policy, finding.message)
    };
    let mut diagnostic = MietteDiagnostic::new(message)
        .with_code(format!("{}({})", finding.code, finding.name))
        .with_severity(severity)
        .with_labels(labels);
    if !finding.help.is_empty() {
        diagnostic = diagnostic.with_help(finding.help.clone());
    }
    Report::new(diagnostic).with_source_code(NamedSource::new(&file.path, file.text.clone()))
}

/// The one-line summary: `3 errors, 1 warning in 2 files (12 files scanned, 5 policies checked)`.
pub fn summary_line(report: &RunReport) -> String {
    let summary = Summary::of(report);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files_with_findings = report.files.iter().filter(|f| !f.findings.is_empty()).count();
    let scanned = format!(
        "{} scanned, {} checked",
        plural(summary.files_scanned, "file"),
        plural(summary.policies_checked, "policy").replace("policys", "policies")
    );
    if summary.errors + summary.warnings + summary.infos == 0 {
        return format!("no findings ({scanned})");
    }
    let mut counts = vec![plural(summary.errors, "error"), plural(summary.warnings, "warning")];
    if summary.infos > 0 {
        counts.push(plural(summary.infos, "info"));
    }
    format!(
        "{} in {} ({scanned})",
        counts.join(", "),
        plural(files_with_findings, "file")
    )
}
