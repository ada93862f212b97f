//! Byte spans and their translation to the line/column positions users see.
//!
//! Every diagnostic carries a byte span into the original file; this module is the one place
//! that turns such offsets into 1-based lines and character columns (CRLF-safe, BOM-aware).

use serde::Serialize;

/// A half-open byte range `[start, end)` in a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the two spans share a byte, or are the same empty place.
    pub fn overlaps(&self, other: Span) -> bool {
        *self == other || (self.start < other.end && other.start < self.end)
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The span of the character that starts at `offset` (empty at the end of the text).
    pub fn char_at(text: &str, offset: usize) -> Span {
        let len = text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(offset, offset + len)
    }

    /// The first character of this span (used to anchor a finding on a large node).
    pub fn head(&self, text: &str) -> Span {
        let head = Span::char_at(text, self.start);
        Span::new(head.start, head.end.min(self.end))
    }
}

/// A 1-based line and a 1-based column counted in Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Line starts and character counts of one text, for offset -> position lookups that cost
/// O(log lines) plus at most [`STRIDE`] bytes, however long the line (a Terraform plan or a CLI
/// export is one line of megabytes, and each finding on it needs a column).
pub struct LineIndex<'a> {
    text: &'a str,
    table: LineTable,
}

/// What [`LineIndex`] knows of a text, without the text (for holders that own it).
#[derive(Debug, Clone)]
pub struct LineTable {
    line_starts: Vec<usize>,
    /// `chars[i]`: the number of characters that start in the first `i * STRIDE` bytes.
    chars: Vec<usize>,
    bom: bool,
}

/// Bytes between two saved character counts.
pub const STRIDE: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex {
            text,
            table: LineTable::new(text),
        }
    }

    /// The position of a byte offset; offsets inside a character or past the end are clamped.
    pub fn position(&self, offset: usize) -> Position {
        self.table.position(self.text, offset)
    }

    /// The number of characters before `offset` (a character boundary), a leading BOM excluded.
    pub fn char_offset(&self, offset: usize) -> usize {
        self.table.char_offset(self.text, offset)
    }
}

impl LineTable {
    pub fn new(text: &str) -> Self {
        let bom = text.starts_with('\u{feff}');
        let mut line_starts = vec![if bom { 3 } else { 0 }];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars = vec![0];
        let mut count = 0;
        for block in text.as_bytes().chunks(STRIDE) {
            count += starts_of_chars(block);
            chars.push(count);
        }
        LineTable {
            line_starts,
            chars,
            bom,
        }
    }

    /// See [`LineIndex::position`]; `text` is the text the table was made from.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset) + 1;
        let start = self.line_starts[line - 1].min(offset);
        let column = self.chars_before(text, offset) - self.chars_before(text, start) + 1;
        Position { line, column }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset).max(1) - 1
    }

    /// The number of lines (a final line break does not start one).
    pub fn line_count(&self, text: &str) -> usize {
        let count = self.line_starts.len();
        if text.ends_with('\n') && count > 1 {
            count - 1
        } else {
            count
        }
    }

    /// The byte where 0-based `line` starts; `None` past the last line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// See [`LineIndex::char_offset`].
    pub fn char_offset(&self, text: &str, offset: usize) -> usize {
        let count = self.chars_before(text, offset);
        if self.bom && offset > 0 {
            count - 1
        } else {
            count
        }
    }

    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / STRIDE;
        self.chars[block] + starts_of_chars(&text.as_bytes()[block * STRIDE..offset])
    }
}

/// The number of characters that start in `bytes` of UTF-8: every byte but continuation bytes.
fn starts_of_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// The largest character boundary at or below `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "ab\néé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.position(3), Position { line: 2, column: 1 });
        // "éé " is 5 bytes, 3 characters
        assert_eq!(index.position(8), Position { line: 2, column: 4 });
    }

    #[test]
    fn crlf_lines_do_not_shift_columns() {
        let text = "{\r\n  \"a\": 1\r\n}";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text.find('"').unwrap()), Position { line: 2, column: 3 });
        assert_eq!(index.position(text.find('}').unwrap()), Position { line: 3, column: 1 });
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}{\"a\":1}";
        let index = LineIndex::new(text);
        assert_eq!(index.position(3), Position { line: 1, column: 1 });
        assert_eq!(index.position(4), Position { line: 1, column: 2 });
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let text = "é";
        assert_eq!(LineIndex::new(text).position(1), Position { line: 1, column: 1 });
        assert_eq!(LineIndex::new(text).position(99), Position { line: 1, column: 2 });
    }
}
