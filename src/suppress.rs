//! Inline suppressions: `# seslint:ignore CODE[,CODE] -- reason` in files that have comments
//! (Terraform: `#` and `//`; TypeScript and JavaScript: `//`).
//!
//! A suppression covers findings that start on its own line; one alone on its line also covers
//! the next line. A suppression that covers no finding is itself reported (SUP001, info), so
//! that stale ones get cleaned up.

use crate::codes::{matches, UNUSED_SUPPRESSION};
use crate::finding::Finding;
use crate::source::{LineIndex, Span};

/// The code of the diagnostic for a suppression that suppresses nothing.
const MARKER: &str = "seslint:ignore";

/// One suppression comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// Codes or prefixes of codes.
    pub codes: Vec<String>,
    /// The 1-based lines it covers.
    pub lines: (usize, usize),
    /// The comment's marker and codes, in the file.
    pub span: Span,
}

/// Whether a file's format has comments that can hold suppressions: Terraform, and
/// TypeScript/JavaScript (`//`).
pub fn has_comments(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    [".tf", ".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// The suppressions in a text.
pub fn parse(text: &str) -> Vec<Suppression> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for (index, line) in text.split('\n').enumerate() {
        if let Some(at) = comment_marker(line) {
            let after = &line[at + MARKER.len()..];
            let codes_text = after.split("--").next().unwrap_or_default();
            let codes: Vec<String> = codes_text
                .split([',', ' ', '\t', '\r'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            let alone = line[..at].trim_start().starts_with('#') || line[..at].trim_start().starts_with("//");
            let number = index + 1;
            let end = line_start + at + MARKER.len() + codes_text.trim_end().len();
            found.push(Suppression {
                codes,
                lines: (number, if alone { number + 1 } else { number }),
                span: Span::new(line_start + at, end),
            });
        }
        line_start += line.len() + 1;
    }
    found
}

/// The byte offset of `seslint:ignore` in a `#` or `//` comment of the line, if any.
fn comment_marker(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return marker_after(line, i + 1),
            '/' if !in_string && line[i..].starts_with("//") => return marker_after(line, i + 2),
            _ => {}
        }
    }
    None
}

fn marker_after(line: &str, from: usize) -> Option<usize> {
    let rest = &line[from..];
    let trimmed = rest.trim_start();
    trimmed.starts_with(MARKER).then(|| from + (rest.len() - trimmed.len()))
}

/// Drops the findings the text's suppressions cover and adds one SUP001 finding per suppression
/// that covers none. A suppression naming a rule that did not run (`deselected`) may still be
/// needed: it is not reported.
pub fn apply(text: &str, findings: &mut Vec<Finding>, deselected: &[String]) {
    let suppressions = parse(text);
    if suppressions.is_empty() {
        return;
    }
    let lines = LineIndex::new(text);
    let mut used = vec![false; suppressions.len()];
    findings.retain(|finding| {
        let line = lines.position(finding.span.start).line;
        let covering = suppressions
            .iter()
            .position(|s| (s.lines.0..=s.lines.1).contains(&line) && s.codes.iter().any(|c| matches(c, &finding.code)));
        if let Some(index) = covering {
            used[index] = true;
        }
        covering.is_none()
    });
    for (suppression, used) in suppressions.iter().zip(used) {
        let names_deselected = suppression
            .codes
            .iter()
            .any(|code| deselected.iter().any(|rule| matches(code, rule)));
        if !used && !names_deselected {
            findings.push(unused(suppression));
        }
    }
}

fn unused(suppression: &Suppression) -> Finding {
    let codes = suppression.codes.join(",");
    Finding {
        code: UNUSED_SUPPRESSION.code.into(),
        name: UNUSED_SUPPRESSION.name.into(),
        severity: UNUSED_SUPPRESSION.severity,
        message: format!("this `seslint:ignore {codes}` suppresses nothing"),
        help:
            "remove the comment, or name a code reported on its line (or, for a comment alone on its line, on the next)"
                .into(),
        policy: String::new(),
        span: suppression.span,
        label: None,
        related: Vec::new(),
        location: format!("suppression:{codes}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_suppressions_in_comments_only() {
        let text = "a = 1 # seslint:ignore COG005, SES010 -- legacy\n  # seslint:ignore COG001\nb = \"# seslint:ignore X\"\n// seslint:ignore SES\n";
        let found = parse(text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].codes, ["COG005", "SES010"]);
        assert_eq!(found[0].lines, (1, 1));
        assert_eq!(found[1].lines, (2, 3));
        assert_eq!(found[2].codes, ["SES"]);
        assert_eq!(
            &text[found[0].span.start..found[0].span.end],
            "seslint:ignore COG005, SES010"
        );
    }
}
