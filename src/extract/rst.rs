//! reStructuredText documents (`.rst`): Sphinx documentation sets that show policies in
//! `.. code-block:: json` / `.. code:: json` / `.. sourcecode::` directives and in `::` literal
//! blocks, also inside the cells of grid tables (a policy beside its explanation).
//!
//! Blocks are found by indentation, as reStructuredText defines them; a grid table's cells are
//! cut out line by line along the table's column borders, and a cell is read as a document of its
//! own. Each block's text is a [`Decoded`] (its lines without their indentation, a cell's lines
//! without their borders) whose spans land on the file; each block is read by `block.rs`. This
//! is a small reader of our own: directives other than code blocks are only looked into.

use crate::source::{LineIndex, Span};

use super::block::{self, Block};
use super::embedded::Decoded;
use super::unit::Extracted;

/// How deep tables inside table cells are looked into.
const MAX_DEPTH: usize = 4;

/// The documents of every code block and literal block.
pub fn extract(text: &str) -> Extracted {
    block::read_document(text, blocks)
}

/// The code blocks of a document, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut whole = Decoded::new(Span::new(0, text.len()));
    whole.push_source(text, 0);
    let lines = LineIndex::new(text);
    let mut found = Vec::new();
    blocks_in(&whole, 0, &mut found);
    for block in &mut found {
        block.line = lines.position(block.span.start).line;
    }
    found
}

/// One line of a text: its bytes, without the line break.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

fn lines_of(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            lines.push(Line { start, end: i });
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push(Line { start, end: text.len() });
    }
    lines
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Finds the blocks of `source` (the document, or a table cell decoded out of it), with their
/// text mapped to the file.
fn blocks_in(source: &Decoded, depth: usize, found: &mut Vec<Block>) {
    let text = source.text.as_str();
    let lines = lines_of(text);
    let line = |i: usize| text[lines[i].start..lines[i].end].trim_end_matches('\r');
    let mut i = 0;
    while i < lines.len() {
        let current = line(i);
        let content = current.trim_start();
        let base = indent(current);
        if is_table_border(content) {
            i = table(source, &lines, i, depth, found);
            continue;
        }
        let directive = code_directive(content);
        let literal = directive.is_none() && content.ends_with("::") && !content.starts_with("..");
        if directive.is_none() && !literal {
            i += 1;
            continue;
        }
        let is_directive = directive.is_some();
        let (language, opener) = match directive {
            Some(language) => (language, content.trim_end().to_string()),
            None => (String::new(), "::".to_string()),
        };
        let (body, next) = indented_body(source, &lines, i + 1, base, is_directive);
        if let Some(body) = body {
            let start = source
                .span(Span::new(lines[i].start + base, lines[i].start + base))
                .start;
            found.push(Block {
                span: Span::new(start, body.whole.end.max(start)),
                text: body,
                language,
                opener,
                line: 0,
            });
        }
        i = next;
    }
}

/// The language of a `.. code-block:: LANG` (`.. code::`, `.. sourcecode::`) line, lower case
/// and empty when none is given; `None` for any other line.
fn code_directive(content: &str) -> Option<String> {
    let rest = content.strip_prefix("..")?.trim_start();
    let (name, argument) = rest.split_once("::")?;
    matches!(name.trim(), "code-block" | "code" | "sourcecode").then(|| {
        argument
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    })
}

/// The block indented under line `from - 1` (indented more than `base`), after its blank lines
/// (and, for a directive, its `:option:` lines); the index of the line after it.
fn indented_body(
    source: &Decoded,
    lines: &[Line],
    from: usize,
    base: usize,
    directive: bool,
) -> (Option<Decoded>, usize) {
    let text = source.text.as_str();
    let line = |i: usize| text[lines[i].start..lines[i].end].trim_end_matches('\r');
    let blank = |i: usize| line(i).trim().is_empty();
    let mut i = from;
    if directive {
        while i < lines.len() && !blank(i) && indent(line(i)) > base && line(i).trim_start().starts_with(':') {
            i += 1;
        }
    }
    while i < lines.len() && blank(i) {
        i += 1;
    }
    let first = i;
    let mut last = i;
    let mut block_indent = usize::MAX;
    while i < lines.len() && (blank(i) || indent(line(i)) > base) {
        if !blank(i) {
            block_indent = block_indent.min(indent(line(i)));
            last = i + 1;
        }
        i += 1;
    }
    if last == first {
        return (None, from.max(first));
    }
    let mut body = Decoded::new(Span::new(lines[first].start, lines[last - 1].end));
    for line in &lines[first..last] {
        let end = line.start + text[line.start..line.end].trim_end_matches('\r').len();
        let start = (line.start + block_indent).min(end);
        body.push_source(&text[start..end], start);
        body.push_opaque("\n", Span::new(end, (end + 1).min(text.len())));
    }
    (Some(body.through(source)), last)
}

fn is_table_border(content: &str) -> bool {
    let content = content.trim_end();
    content.len() > 2
        && (content.starts_with("+-") || content.starts_with("+="))
        && content.ends_with('+')
        && content.bytes().all(|b| matches!(b, b'+' | b'-' | b'='))
}

/// The grid table whose top border is line `top`: each cell read as a document of its own;
/// returns the index of the line after the table.
fn table(source: &Decoded, lines: &[Line], top: usize, depth: usize, found: &mut Vec<Block>) -> usize {
    let text = source.text.as_str();
    let line = |i: usize| text[lines[i].start..lines[i].end].trim_end_matches('\r');
    let border = line(top);
    // Column borders, as character columns (a cell may hold characters of several bytes).
    let columns: Vec<usize> = border
        .chars()
        .enumerate()
        .filter(|&(_, c)| c == '+')
        .map(|(k, _)| k)
        .collect();
    let mut end = top + 1;
    while end < lines.len() && line(end).trim_start().starts_with(['|', '+']) {
        end += 1;
    }
    if depth >= MAX_DEPTH || columns.len() < 2 {
        return end;
    }
    // Rows lie between border lines; each cell is its column's text, line by line.
    let mut row_start = top + 1;
    for i in top + 1..=end {
        let is_border = i == end || is_table_border(line(i).trim_start());
        if !is_border {
            continue;
        }
        if row_start >= i {
            row_start = i + 1;
            continue;
        }
        // Each row line's character columns, as byte offsets (a cell may hold characters of
        // several bytes).
        let rows: Vec<(usize, &str, Vec<usize>)> = (row_start..i)
            .map(|row| {
                let content = line(row);
                let offsets = content.char_indices().map(|(b, _)| b).collect();
                (lines[row].start, content, offsets)
            })
            .collect();
        for pair in columns.windows(2) {
            let first = lines[row_start].start;
            let mut cell = Decoded::new(Span::new(first, first));
            for (start, content, offsets) in &rows {
                let (Some(&left), Some(&right)) = (offsets.get(pair[0]), offsets.get(pair[1])) else {
                    continue;
                };
                let from = left + content[left..].chars().next().map_or(1, char::len_utf8);
                if from <= right {
                    cell.push_source(&content[from..right], start + from);
                    cell.push_opaque("\n", Span::new(start + right, start + right + 1));
                }
            }
            cell.whole = Span::new(first, lines[i - 1].end);
            cell_blocks(cell.through(source), depth, found);
        }
        row_start = i + 1;
    }
    end
}

/// The blocks of a grid-table cell: its own code and literal blocks, or, when it has none, the
/// cell itself when it holds JSON.
fn cell_blocks(cell: Decoded, depth: usize, found: &mut Vec<Block>) {
    let before = found.len();
    blocks_in(&cell, depth + 1, found);
    if found.len() == before && cell.text.trim_start().starts_with('{') {
        let span = cell.whole;
        found.push(Block {
            text: cell,
            language: String::new(),
            opener: "grid-table cell".to_string(),
            span,
            line: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> Vec<(String, String, String, usize)> {
        blocks(text)
            .into_iter()
            .map(|b| (b.opener, b.language, b.text.text, b.line))
            .collect()
    }

    #[test]
    fn directives_and_literal_blocks() {
        let text = "Setup\n=====\n\n.. code-block:: json\n   :linenos:\n\n   {\"Sid\": \"a\",\n     \"x\": 1}\n\nThen run::\n\n    aws ses list-identities\n\n.. note::\n\n   .. code:: JSON\n\n      {}\nend\n";
        assert_eq!(
            summary(text),
            [
                (
                    ".. code-block:: json".into(),
                    "json".into(),
                    "{\"Sid\": \"a\",\n  \"x\": 1}\n".into(),
                    4
                ),
                ("::".into(), "".into(), "aws ses list-identities\n".into(), 10),
                (".. code:: JSON".into(), "json".into(), "{}\n".into(), 16),
            ]
        );
        let found = blocks(text);
        let at = found[0].text.text.find("\"x\"").unwrap();
        let span = found[0].text.span(Span::new(at, at + 3));
        assert_eq!(&text[span.start..span.end], "\"x\"");
    }

    #[test]
    fn grid_table_cells_map_to_the_file() {
        let text = "+------+----------------+\n| Name | Policy         |\n+======+================+\n| é    | {\"Sid\": \"a\",   |\n|      |  \"x\": 1}       |\n+------+----------------+\n";
        let found = blocks(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].opener, "grid-table cell");
        assert_eq!(found[0].line, 4);
        let cell = &found[0].text;
        let at = cell.text.find("\"x\"").unwrap();
        let span = cell.span(Span::new(at, at + 3));
        assert_eq!(&text[span.start..span.end], "\"x\"");
    }

    #[test]
    fn hostile_input_ends() {
        for text in [
            "::",
            "+-",
            "+--+\n|",
            ".. code-block::",
            "+--+--+\n| é| x|\n+--+\n",
            "a::\n\n   \n",
        ] {
            let _ = blocks(text);
        }
    }
}
