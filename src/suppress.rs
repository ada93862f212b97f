//! Inline suppressions: `# seslint:ignore CODE[,CODE] -- reason` in files that have comments
//! (Terraform: `#` and `//`; TypeScript and JavaScript: `//`; shell: `#`), and, in documents,
//! a comment before a code block: `<!-- seslint:ignore CODE -- reason -->` in Markdown,
//! `.. seslint:ignore CODE -- reason` in reStructuredText.
//!
//! A suppression covers findings that start on its own line; one alone on its line also covers
//! the next line, and a document's comment the whole code block that follows it. A suppression
//! that covers no finding is itself reported (SUP001, info), so that stale ones get cleaned up.

use std::path::Path;

use crate::codes::{matches, UNUSED_SUPPRESSION};
use crate::extract::format::{self, Format};
use crate::extract::{markdown, rst, shell};
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

/// How a format writes the comments that hold suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `#` and `//` line comments (Terraform, TypeScript and JavaScript).
    Line,
    /// `#` line comments; one alone on its line before an AWS CLI call covers the whole call.
    Shell,
    /// `<!-- ... -->` before a code block.
    Markdown,
    /// `.. ...` before a code block.
    ReStructuredText,
}

/// The comment syntax of a file's format, when its comments can hold suppressions (JSON has
/// none).
pub fn syntax(path: &str, text: &str) -> Option<Syntax> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tf") {
        return Some(Syntax::Line);
    }
    match format::of(Path::new(path), text.as_bytes()) {
        Format::Script => Some(Syntax::Line),
        Format::Shell => Some(Syntax::Shell),
        Format::Markdown => Some(Syntax::Markdown),
        Format::ReStructuredText => Some(Syntax::ReStructuredText),
        _ => None,
    }
}

/// The suppressions of a text in the given syntax.
pub fn parse_in(syntax: Syntax, text: &str) -> Vec<Suppression> {
    // Most files have none: their blocks and calls are not looked for again.
    if memchr::memmem::find(text.as_bytes(), MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    match syntax {
        Syntax::Line => parse(text),
        Syntax::Shell => {
            let lines = LineIndex::new(text);
            let calls: Vec<(usize, usize)> = shell::call_spans(text)
                .into_iter()
                .map(|span| line_range(&lines, span))
                .collect();
            let mut found = parse(text);
            for suppression in &mut found {
                let (line, next) = suppression.lines;
                if let Some((_, last)) = calls.iter().find(|(first, _)| next > line && *first == next) {
                    suppression.lines.1 = *last;
                }
            }
            found
        }
        Syntax::Markdown => before_blocks(text, "<!--", markdown::blocks(text).iter().map(|b| b.span)),
        Syntax::ReStructuredText => before_blocks(text, "..", rst::blocks(text).iter().map(|b| b.span)),
    }
}

/// Suppressions in a document's comments (lines that open with `opener`, after any `>` quote
/// markers and indentation): each covers its own line and, when a code block starts on the next
/// line that is not blank, all of that block; otherwise the next line.
fn before_blocks(text: &str, opener: &str, blocks: impl Iterator<Item = Span>) -> Vec<Suppression> {
    let lines = LineIndex::new(text);
    let spans: Vec<Span> = blocks.collect();
    let blocks: Vec<(usize, usize)> = spans.iter().map(|span| line_range(&lines, *span)).collect();
    let all: Vec<&str> = text.split('\n').collect();
    let mut found = Vec::new();
    let mut line_start = 0;
    for (index, line) in all.iter().enumerate() {
        let content = line.trim_start_matches(['>', ' ', '\t']);
        let at = line.len() - content.len();
        // A comment shown in a code block is the block's text, not the document's comment.
        let in_block = spans
            .iter()
            .any(|span| span.start < line_start && line_start < span.end);
        if let Some(after_opener) = content.strip_prefix(opener).filter(|_| !in_block) {
            let after = after_opener.trim_start();
            if let Some(codes_text) = after.strip_prefix(MARKER) {
                let marker_at = at + opener.len() + (after_opener.len() - after.len());
                let codes_text = codes_text.split("--").next().unwrap_or_default();
                let number = index + 1;
                let next = (index + 1..all.len())
                    .find(|&k| !all[k].trim_start_matches(['>', ' ', '\t']).trim().is_empty())
                    .map_or(number + 1, |k| k + 1);
                let last = blocks
                    .iter()
                    .find(|(first, _)| *first == next)
                    .map_or(number + 1, |(_, last)| *last);
                let end = line_start + marker_at + MARKER.len() + codes_text.trim_end().len();
                found.push(Suppression {
                    codes: codes(codes_text),
                    lines: (number, last),
                    span: Span::new(line_start + marker_at, end),
                });
            }
        }
        line_start += line.len() + 1;
    }
    found
}

/// The first and the last line (1-based) of a span.
fn line_range(lines: &LineIndex, span: Span) -> (usize, usize) {
    let last = lines.position(span.end.saturating_sub(1).max(span.start)).line;
    (lines.position(span.start).line, last)
}

/// The codes of a suppression, comma- or blank-separated.
fn codes(text: &str) -> Vec<String> {
    text.split([',', ' ', '\t', '\r'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The suppressions in the line comments of a text.
pub fn parse(text: &str) -> Vec<Suppression> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for (index, line) in text.split('\n').enumerate() {
        if let Some(at) = comment_marker(line) {
            let after = &line[at + MARKER.len()..];
            let codes_text = after.split("--").next().unwrap_or_default();
            let alone = line[..at].trim_start().starts_with('#') || line[..at].trim_start().starts_with("//");
            let number = index + 1;
            let end = line_start + at + MARKER.len() + codes_text.trim_end().len();
            found.push(Suppression {
                codes: codes(codes_text),
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
/// that covers none. A suppression naming a rule that did not run (`not_run`: left out of the
/// run, or ignored for this file) may still be needed: it is not reported.
pub fn apply<'c>(
    syntax: Syntax,
    text: &str,
    findings: &mut Vec<Finding>,
    not_run: impl Iterator<Item = &'c str> + Clone,
) {
    let suppressions = parse_in(syntax, text);
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
        let names_a_rule_not_run = suppression
            .codes
            .iter()
            .any(|code| not_run.clone().any(|rule| matches(code, rule)));
        if !used && !names_a_rule_not_run {
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
        fix: None,
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
