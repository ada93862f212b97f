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

/// Line starts of one text, for offset -> position lookups in O(log lines).
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut line_starts = vec![first];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, line_starts }
    }

    /// The position of a byte offset; offsets inside a character or past the end are clamped.
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts[line - 1].min(offset);
        let column = self.text[start..offset].chars().count() + 1;
        Position { line, column }
    }
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
