//! `--format github`: one GitHub Actions workflow command per finding, which the runner turns
//! into an annotation on the file and lines of the finding (in the job summary and the pull
//! request's diff), without uploading anything.
//!
//! `::error file=PATH,line=L,endLine=L2,col=C,endColumn=C2,title=CODE name::MESSAGE`, with
//! `warning` and `notice` for the other severities. Columns count characters and the end is just
//! past the span, as in the other formats. Values are escaped as the runner expects: `%`, CR and
//! LF everywhere, and `:` and `,` in property values too.

use super::message_text;
use crate::finding::Severity;
use crate::source::LineIndex;
use crate::{FileReport, RunReport};

/// Renders every finding of the run, in file and offset order, one command per line.
pub fn render(report: &RunReport) -> String {
    report.files.iter().map(render_file).collect()
}

/// One file's findings, in offset order, one command per line.
pub fn render_file(file: &FileReport) -> String {
    let mut out = String::new();
    if file.findings.is_empty() {
        return out;
    }
    let lines = LineIndex::new(&file.text);
    let path = if std::path::MAIN_SEPARATOR == '\\' {
        file.path.replace('\\', "/")
    } else {
        file.path.clone()
    };
    for finding in &file.findings {
        let start = lines.position(finding.span.start);
        let end = lines.position(finding.span.end);
        let mut properties = vec![
            ("file", path.clone()),
            ("line", start.line.to_string()),
            ("endLine", end.line.to_string()),
        ];
        // Annotations take columns only within one line.
        if start.line == end.line {
            properties.push(("col", start.column.to_string()));
            properties.push(("endColumn", end.column.to_string()));
        }
        properties.push(("title", format!("{} {}", finding.code, finding.name)));
        let properties: Vec<String> = properties
            .into_iter()
            .map(|(key, value)| format!("{key}={}", escape_property(&value)))
            .collect();
        out.push_str(&format!(
            "::{} {}::{}\n",
            command(finding.severity),
            properties.join(","),
            escape_data(&message_text(finding))
        ));
    }
    out
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's data (the message): `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as data, and `:` and `,`, which end a value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
