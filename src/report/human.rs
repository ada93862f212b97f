//! The human format: one miette report per finding, with the code, the message, a label on
//! the exact span and a help line; then a one-line summary (on stderr).

use std::sync::Arc;

use rayon::prelude::*;

use super::{plain, wrap};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, Report,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Summary, Tally};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::LineTable;
use crate::{FileReport, RunReport};

pub struct Style {
    pub color: bool,
    /// Wrap width; rendered output is stable at a fixed width.
    pub width: usize,
}

/// Renders every finding of the run, in file and offset order.
pub fn render(report: &RunReport, style: &Style) -> String {
    let renderer = Renderer::new(style);
    let with_findings: Vec<&FileReport> = report.files.iter().filter(|f| !f.findings.is_empty()).collect();
    // Files are rendered apart, on the worker threads, and joined in order; one file is rendered
    // here (starting the threads would cost more).
    if with_findings.len() < 2 {
        return with_findings.into_iter().map(|file| renderer.file(file)).collect();
    }
    let files: Vec<String> = with_findings.into_par_iter().map(|file| renderer.file(file)).collect();
    files.concat()
}

/// Renders files' findings in one style, on any thread.
pub struct Renderer {
    handler: GraphicalReportHandler,
    width: usize,
    color: bool,
}

impl Renderer {
    pub fn new(style: &Style) -> Renderer {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // Messages and help are wrapped here, not by miette (see `wrap::fill`).
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(style.width)
            .with_links(false)
            .with_wrap_lines(false);
        Renderer {
            handler,
            width: style.width,
            color: style.color,
        }
    }

    /// One file's findings, in order, each followed by a blank line.
    pub fn file(&self, file: &FileReport) -> String {
        let mut out = String::new();
        if file.findings.is_empty() {
            return out;
        }
        // One indexed source per file, shared by its findings.
        let source = Arc::new(ClippedSource::new(file));
        for finding in &file.findings {
            let texts = Texts::of(finding, self.width);
            let plain =
                !self.color && plain::render(&mut out, &source.name, &source.text, &source.lines, finding, &texts);
            if !plain {
                let report = to_report(source.clone(), finding, texts);
                // Writing into a String cannot fail.
                let _ = self.handler.render_report(&mut out, report.as_ref());
            }
            out.push('\n');
        }
        out
    }
}

/// What a finding's report says, its message and help wrapped for the terminal `width`: the
/// same for miette's rendering and for [`plain`]'s.
pub(super) struct Texts {
    pub(super) code: String,
    pub(super) severity: Severity,
    pub(super) message: String,
    /// Empty when there is none.
    pub(super) help: String,
}

impl Texts {
    fn of(finding: &Finding, width: usize) -> Texts {
        // The header keeps `path:line:column` clickable; the policy's label leads the message.
        let message = if finding.policy.is_empty() {
            finding.message.clone()
        } else {
            format!("{}: {}", finding.policy, finding.message)
        };
        let fix = finding.fix.as_ref().map(|fix| {
            let flags = match fix.applicability {
                crate::fix::Applicability::Safe => "--fix",
                crate::fix::Applicability::Unsafe => "--fix --unsafe-fixes",
            };
            format!("fix ({}, {flags}): {}", fix.applicability.as_str(), fix.description)
        });
        let help = match (finding.help.is_empty(), fix) {
            (false, Some(fix)) => format!("{}\n{fix}", finding.help),
            (true, Some(fix)) => fix,
            (_, None) => finding.help.clone(),
        };
        // miette indents a message by 4 columns (`  × `), a help by 8 (`  help: `).
        Texts {
            code: format!("{}({})", finding.code, finding.name),
            severity: finding.severity,
            message: wrap::fill(&message, width, 4),
            help: if help.is_empty() {
                help
            } else {
                wrap::fill(&help, width, 8)
            },
        }
    }
}

/// The finding as a miette report.
fn to_report(source: Arc<ClippedSource>, finding: &Finding, texts: Texts) -> Report {
    let severity = match texts.severity {
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
    let mut diagnostic = MietteDiagnostic::new(texts.message)
        .with_code(texts.code)
        .with_severity(severity)
        .with_labels(labels);
    if !texts.help.is_empty() {
        diagnostic = diagnostic.with_help(texts.help);
    }
    Report::new(diagnostic).with_source_code(source)
}

/// The one-line summary: `3 errors, 1 warning in 2 files (12 files scanned, 5 policies checked)`.
pub fn summary_line(report: &RunReport) -> String {
    let summary = Summary::of(report);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files_with_findings = Tally::of(report).files_with_findings;
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

/// Findings per rule, most first: `COUNT  CODE  NAME`.
pub fn statistics(report: &RunReport) -> String {
    let mut rows: Vec<((String, String), usize)> = Tally::of(report).by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.iter()
        .map(|((code, name), count)| format!("{count:>5}  {code:<7} {name}\n"))
        .collect()
}

/// The closing note naming the files in formats seslint does not read that look like they hold
/// SES policies; `None` when there are none.
pub fn unread_note(report: &RunReport) -> Option<String> {
    const SHOWN: usize = 10;
    let count = report.unread.len();
    if count == 0 {
        return None;
    }
    let mut names: Vec<String> = report
        .unread
        .iter()
        .take(SHOWN)
        .map(|file| format!("{} ({})", file.path, file.format.unwrap_or("unknown format")))
        .collect();
    if count > SHOWN {
        names.push(format!("and {} more", count - SHOWN));
    }
    let files = if count == 1 { "file" } else { "files" };
    Some(format!(
        "note: {count} {files} may hold SES policies in formats seslint does not read: {}",
        names.join(", ")
    ))
}

/// A line longer than this is shown as a window around the finding.
pub(super) const LONG_LINE: usize = 240;
/// Characters kept on each side of the finding in such a window (about).
const MARGIN: usize = 60;

/// A file's text as miette reads it, with two differences from miette's own reading of a
/// string: lines are found through a [`LineTable`] built once per file (miette scans the text
/// from its start for every finding), and a very long line (a Terraform plan or a CLI export,
/// written on one line) is shown as a window around the finding, not in full.
struct ClippedSource {
    name: String,
    text: Arc<str>,
    lines: LineTable,
}

impl ClippedSource {
    fn new(file: &FileReport) -> Self {
        ClippedSource {
            name: file.path.clone(),
            text: file.text.clone(),
            lines: LineTable::new(&file.text),
        }
    }
}

impl SourceCode for ClippedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.text;
        let start = floor_char_boundary(text, span.offset().min(text.len()));
        let end = ceil_char_boundary(text, (span.offset() + span.len()).min(text.len())).max(start);
        let named =
            |from: usize, to: usize, line: usize, column: usize, lines: usize| -> Box<dyn SpanContents<'a> + 'a> {
                let data = &text.as_bytes()[from..to];
                Box::new(MietteSpanContents::new_named(
                    self.name.clone(),
                    data,
                    (from, to - from).into(),
                    line,
                    column,
                    lines,
                ))
            };
        let first = self.lines.line_of(start);
        let last = self.lines.line_of(end.saturating_sub(1).max(start));
        // A read without context lines is miette asking where the span starts: answer exactly.
        if context_lines_before == 0 && context_lines_after == 0 {
            let column = self.lines.position(text, start).column - 1;
            return Ok(named(start, end, first, column, last - first + 1));
        }
        let line_end = |line: usize| self.lines.line_start(line + 1).map_or(text.len(), |next| next - 1);
        let line_start = self.lines.line_start(first).unwrap_or(0).min(start);
        if first == last && line_end(first).saturating_sub(line_start) > LONG_LINE {
            let from = floor_char_boundary(text, start.saturating_sub(MARGIN).max(line_start));
            let to = ceil_char_boundary(text, (end + MARGIN).min(line_end(first)));
            let column = self.lines.position(text, from).column - 1;
            return Ok(named(from, to, first, column, 1));
        }
        let context_first = first.saturating_sub(context_lines_before);
        let context_last = (last + context_lines_after).min(self.lines.line_count(text).saturating_sub(1));
        let from = self.lines.line_start(context_first).unwrap_or(0);
        // Through the last context line's line break, as miette reads a string.
        let to = self.lines.line_start(context_last + 1).unwrap_or(text.len()).max(from);
        Ok(named(from, to, context_first, 0, context_last - context_first + 1))
    }
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    crate::source::floor_char_boundary(text, at)
}

fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::*;
    use crate::rules::RuleSet;
    use crate::source::Span;

    /// The finding's report as miette renders it, without colour.
    fn miette(file: &FileReport, finding: &Finding) -> String {
        let renderer = Renderer::new(&Style {
            color: false,
            width: 100,
        });
        let mut out = String::new();
        let source = Arc::new(ClippedSource::new(file));
        let _ = renderer
            .handler
            .render_report(&mut out, to_report(source, finding, Texts::of(finding, 100)).as_ref());
        out
    }

    /// The finding's report as [`plain`] renders it, when it is the common case.
    fn plain(file: &FileReport, finding: &Finding) -> Option<String> {
        let source = ClippedSource::new(file);
        let mut out = String::new();
        let texts = Texts::of(finding, 100);
        plain::render(&mut out, &source.name, &source.text, &source.lines, finding, &texts).then_some(out)
    }

    #[test]
    fn plain_reports_are_mietters_for_the_findings_of_the_fixtures() {
        let rules = RuleSet::builtin().unwrap();
        let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
        let report = crate::run(&[fixtures], &crate::Options::default(), &rules).unwrap();
        let (mut common, mut total) = (0, 0);
        for file in &report.files {
            for finding in &file.findings {
                total += 1;
                if let Some(plain) = plain(file, finding) {
                    common += 1;
                    assert_eq!(plain, miette(file, finding), "{} at {:?}", file.path, finding.span);
                }
            }
        }
        // Most findings are the common case (the test compares something).
        assert!(common * 2 > total, "{common} of {total}");
    }

    /// A file of lines (some empty, some long; mostly plain ASCII, now and then with a carriage
    /// return, a tab, an escape or a wide character; perhaps a byte order mark first) and a
    /// finding on a span of it.
    fn file_and_finding() -> impl Strategy<Value = (FileReport, Finding)> {
        let line = prop_oneof![
            4 => Just(String::new()),
            16 => "[ -~]{1,30}",
            2 => "[ -~]{230,250}",
            2 => "[ -~\r\t\u{1b}é中]{1,20}",
        ];
        let texts = (
            prop::collection::vec(line, 1..14),
            any::<bool>(),
            any::<bool>(),
            prop::option::of("[a-z ]{0,12}"),
            "[a-z ]{1,20}(\n\n?[a-z ]{0,20}){0,2}\n?",
            prop::sample::select(vec![Severity::Error, Severity::Warning, Severity::Info]),
        );
        texts
            .prop_flat_map(|(lines, newline_at_end, bom, label, message, severity)| {
                let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
                text.push_str(&lines.join("\n"));
                if newline_at_end {
                    text.push('\n');
                }
                let len = text.len().max(1);
                (
                    Just(text),
                    0..len,
                    0usize..40,
                    Just(label),
                    Just(message),
                    Just(severity),
                )
            })
            .prop_map(|(text, start, width, label, message, severity)| {
                let boundary = |at: usize| {
                    (at..=text.len())
                        .find(|&at| text.is_char_boundary(at))
                        .unwrap_or(text.len())
                };
                let start = boundary(start.min(text.len()));
                let end = boundary((start + width).min(text.len()));
                let finding = Finding {
                    code: "SES000".into(),
                    name: "example".into(),
                    severity,
                    message: message.clone(),
                    help: message,
                    policy: String::new(),
                    span: Span::new(start, end),
                    label,
                    related: Vec::new(),
                    location: String::new(),
                    fix: None,
                };
                let file = FileReport {
                    path: "policy.json".into(),
                    text: Arc::from(text.as_str()),
                    findings: vec![finding.clone()],
                    policies: 1,
                };
                (file, finding)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn plain_reports_are_mietters((file, finding) in file_and_finding()) {
            if let Some(plain) = plain(&file, &finding) {
                prop_assert_eq!(plain, miette(&file, &finding));
            }
        }
    }
}
