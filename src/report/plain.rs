//! The terminal report of the common finding, written directly rather than laid out by miette.
//!
//! Most findings are alike: one label on a span within one short line of plain ASCII, shown
//! without colour. miette's general layout (gutters for spans over several lines, labels that
//! share a line, tabs, Unicode widths) was a fifth of a repository run; for this case its output
//! is a few fixed lines, written here byte for byte as miette writes them. Anything else (colour,
//! related places, a span over several lines or of no width, a label of several lines, a long
//! or non-ASCII line near the span) is left to miette. A test renders every finding of the
//! fixtures both ways and compares them.

use super::human::{Texts, LONG_LINE};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::LineTable;

/// Writes the report of `finding` in `text` (the file `name`, indexed by `lines`) as miette does
/// without colour, and says so; writes nothing and answers `false` when the finding is not the
/// common case.
pub(super) fn render(
    out: &mut String,
    name: &str,
    text: &str,
    lines: &LineTable,
    finding: &Finding,
    texts: &Texts,
) -> bool {
    let Some(snippet) = Snippet::of(text, lines, finding) else {
        return false;
    };
    out.push_str(&texts.code);
    out.push_str("\n\n");
    let icon = match texts.severity {
        Severity::Error => "  × ",
        Severity::Warning => "  ⚠ ",
        Severity::Info => "  ☞ ",
    };
    indent(out, &texts.message, icon, "  │ ");
    out.push('\n');
    snippet.write(out, name);
    if !texts.help.is_empty() {
        indent(out, &texts.help, "  help: ", "        ");
        out.push('\n');
    }
    true
}

/// The lines shown around a finding's span, when it is the common case.
struct Snippet<'t> {
    /// The shown lines: the span's, and one on each side where there is one.
    shown: &'t str,
    /// The 0-based number of the first shown line, and of the span's.
    first_shown: usize,
    line: usize,
    /// The span's columns in its line (0-based, end excluded), and where it starts (1-based).
    start: usize,
    end: usize,
    column: usize,
    label: Option<&'t str>,
}

impl<'t> Snippet<'t> {
    fn of(text: &'t str, lines: &LineTable, finding: &'t Finding) -> Option<Snippet<'t>> {
        let (start, end) = (finding.span.start, finding.span.end);
        let label = finding.label.as_deref();
        let common = finding.related.is_empty()
            && label.is_none_or(|label| !label.contains('\n'))
            && start < end
            && end <= text.len()
            && !text.as_bytes()[start..end].contains(&b'\n');
        if !common {
            return None;
        }
        let line = lines.line_of(start);
        // A span in a byte order mark starts before its line.
        let line_start = lines.line_start(line).filter(|&line_start| line_start <= start)?;
        let line_end = lines.line_start(line + 1).map_or(text.len(), |next| next - 1);
        // A long line is shown as a window around the span (`human::ClippedSource`).
        if line_end.saturating_sub(line_start) > LONG_LINE {
            return None;
        }
        let first_shown = line.saturating_sub(1);
        let last_shown = (line + 1).min(lines.line_count(text).saturating_sub(1));
        let from = lines.line_start(first_shown)?;
        let to = lines.line_start(last_shown + 1).unwrap_or(text.len()).max(from);
        let shown = text.get(from..to)?;
        // Printable ASCII: a character is a column, and there is no tab or carriage return.
        if !shown.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)) {
            return None;
        }
        Some(Snippet {
            shown,
            first_shown,
            line,
            start: start - line_start,
            end: end - line_start,
            column: start - line_start + 1,
            label,
        })
    }

    fn write(&self, out: &mut String, name: &str) {
        let count = self.shown.split_terminator('\n').count();
        let width = (self.first_shown + count).to_string().len();
        let margin = |out: &mut String| repeat(out, " ", width + 2);
        margin(out);
        out.push_str("╭─[");
        out.push_str(name);
        out.push(':');
        out.push_str(&(self.line + 1).to_string());
        out.push(':');
        out.push_str(&self.column.to_string());
        out.push_str("]\n");
        for (index, text) in self.shown.split_terminator('\n').enumerate() {
            let number = self.first_shown + index;
            let shown = (number + 1).to_string();
            repeat(out, " ", 1 + width - shown.len());
            out.push_str(&shown);
            out.push_str(" │ ");
            out.push_str(text);
            out.push('\n');
            if number != self.line {
                continue;
            }
            let end = self.end.max(self.start + 1);
            let middle = (self.start + end) / 2;
            margin(out);
            out.push_str("· ");
            repeat(out, " ", self.start);
            repeat(out, "─", middle - self.start);
            out.push_str(if self.label.is_some() { "┬" } else { "─" });
            repeat(out, "─", end - middle - 1);
            out.push('\n');
            if let Some(label) = self.label {
                margin(out);
                out.push_str("· ");
                repeat(out, " ", middle);
                out.push_str("╰── ");
                out.push_str(label);
                out.push('\n');
            }
        }
        margin(out);
        out.push_str("╰────\n");
    }
}

fn repeat(out: &mut String, text: &str, times: usize) {
    for _ in 0..times {
        out.push_str(text);
    }
}

/// `text`'s lines after `first` (the first line) or `rest` (the others), as miette indents a
/// text it does not wrap: a blank line gets the indent without its trailing spaces.
pub(super) fn indent(out: &mut String, text: &str, first: &str, rest: &str) {
    for (index, line) in text.split_terminator('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let prefix = if index == 0 { first } else { rest };
        out.push_str(if line.trim().is_empty() {
            prefix.trim_end()
        } else {
            prefix
        });
        out.push_str(line);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
}
