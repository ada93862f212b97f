//! Text decoded out of a container (a JSON string literal, a YAML scalar, the parts of a
//! CloudFormation `Fn::Join`, a code block of a Markdown or reStructuredText document stripped of
//! its container's indentation and markers, a shell word stripped of its quotes and escapes),
//! with the place in the file of every decoded byte: the one offset map of the extractors.
//!
//! A policy inside a CDK custom resource sits two levels deep: a JSON string (the policy) inside
//! a JSON string (the SDK call) inside the template, whose own string may be split across the
//! parts of an `Fn::Join` with intrinsics between them. Each level is a [`Decoded`]; a span in
//! the innermost text is mapped outwards level by level, so diagnostics land on the template's
//! bytes.

use crate::json;
use crate::source::Span;

/// Decoded text and, for each of its bytes, the bytes of the file it came from: runs of text
/// that are the file's own bytes (mapped byte for byte) and runs that stand as a whole for a
/// piece of the file (an escape, an intrinsic, a shell variable). Its size follows the number of
/// runs, not of bytes: a code block of a large README costs a run per line.
#[derive(Debug, Default, Clone)]
pub struct Decoded {
    pub text: String,
    /// In the order of `text`; a run lasts until the next one starts.
    runs: Vec<Run>,
    /// The whole source the text was decoded from.
    pub whole: Span,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Run {
    /// Where the run starts in the decoded text.
    at: usize,
    /// The bytes of the file it came from.
    from: Span,
    /// The file's own bytes, one for one; else the run stands as a whole for `from`.
    verbatim: bool,
}

/// Decoded text larger than this is not mapped (a policy is at most a few KB; a hostile file
/// should not cost a table of offsets per byte).
pub const MAX_DECODED: usize = 1 << 20;

impl Decoded {
    pub fn new(whole: Span) -> Decoded {
        Decoded {
            whole,
            ..Decoded::default()
        }
    }

    /// The JSON string literal at `literal` of `text`, decoded through its escapes.
    pub fn json_literal(text: &str, literal: Span) -> Decoded {
        let (decoded, map) = json::decode_string_literal(text, literal);
        let mut out = Decoded::new(literal);
        for (i, c) in decoded.char_indices() {
            let span = map.span(Span::new(i, i + c.len_utf8()));
            out.push_char(c, span);
        }
        out
    }

    /// A YAML scalar's value, aligned with its source: each decoded character is looked for a
    /// little ahead in the source (quotes, escapes, indentation and folded line breaks are
    /// skipped); one not found (an escape such as `\n`) stands where the search was.
    pub fn aligned(text: &str, source: Span, value: &str) -> Decoded {
        const WINDOW: usize = 96;
        let mut out = Decoded::new(source);
        let src = text.get(source.start..source.end).unwrap_or_default();
        let mut pos = 0;
        for c in value.chars() {
            let found = src
                .get(pos..)
                .unwrap_or_default()
                .char_indices()
                .take(WINDOW)
                .find(|&(_, s)| s == c)
                .map(|(k, _)| k);
            let at = source.start + pos;
            match found {
                Some(k) => {
                    let start = at + k;
                    out.push_char(c, Span::new(start, start + c.len_utf8()));
                    pos += k + c.len_utf8();
                }
                None => out.push_char(c, Span::new(at, at)),
            }
        }
        out
    }

    fn push_run(&mut self, text: &str, from: Span, verbatim: bool) {
        if text.is_empty() {
            return;
        }
        let at = self.text.len();
        self.text.push_str(text);
        if let Some(last) = self.runs.last_mut() {
            let continues = if verbatim {
                last.verbatim && last.from.end == from.start
            } else {
                !last.verbatim && last.from == from
            };
            if continues {
                last.from.end = from.end;
                return;
            }
        }
        self.runs.push(Run { at, from, verbatim });
    }

    /// Appends `c`, which came from `from`.
    pub fn push_char(&mut self, c: char, from: Span) {
        let verbatim = from.len() == c.len_utf8();
        self.push_run(c.encode_utf8(&mut [0; 4]), from, verbatim);
    }

    /// Appends `text`, which is the file's own bytes from `at` on (a line of a code block without
    /// its indentation).
    pub fn push_source(&mut self, text: &str, at: usize) {
        self.push_run(text, Span::new(at, at + text.len()), true);
    }

    /// Appends text that stands for all of `from` (an intrinsic's value, a shell variable).
    pub fn push_opaque(&mut self, text: &str, from: Span) {
        self.push_run(text, from, false);
    }

    /// Keeps the first `len` bytes of the text (a character boundary).
    pub fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.runs.retain(|run| run.at < len);
    }

    pub fn append(&mut self, other: Decoded) {
        for (i, run) in other.runs.iter().enumerate() {
            let end = other.runs.get(i + 1).map_or(other.text.len(), |next| next.at);
            self.push_run(&other.text[run.at..end], run.from, run.verbatim);
        }
    }

    /// The file bytes of the decoded byte at `at` (which must be in the text).
    fn byte(&self, at: usize) -> Span {
        let index = self.runs.partition_point(|run| run.at <= at).saturating_sub(1);
        match self.runs.get(index) {
            Some(run) if run.verbatim => {
                let start = (run.from.start + at - run.at).min(run.from.end);
                Span::new(start, (start + 1).min(run.from.end))
            }
            Some(run) => run.from,
            None => Span::new(self.whole.end, self.whole.end),
        }
    }

    /// The file span of a span of the decoded text.
    pub fn span(&self, inner: Span) -> Span {
        if inner.start >= self.text.len() {
            return Span::new(self.whole.end, self.whole.end);
        }
        let start = self.byte(inner.start).start;
        if inner.is_empty() {
            return Span::new(start, start);
        }
        let end = if inner.end > self.text.len() {
            self.whole.end
        } else {
            self.byte(inner.end - 1).end
        };
        Span::new(start, end.max(start))
    }

    /// A sub-level: the JSON string literal at `literal` of this text, decoded again, with its
    /// bytes mapped to the file.
    pub fn inner_literal(&self, literal: Span) -> Decoded {
        Decoded::json_literal(&self.text, literal).through(self)
    }

    /// This text, decoded out of `outer`'s text, with its bytes mapped through `outer` to the
    /// file (a block inside a grid-table cell, a policy inside a shell block).
    pub fn through(&self, outer: &Decoded) -> Decoded {
        let mut out = Decoded::new(outer.span(self.whole));
        for (i, c) in self.text.char_indices() {
            let here = self.span(Span::new(i, i + c.len_utf8()));
            out.push_char(c, outer.span(here));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_levels_of_escapes_map_to_the_file() {
        let file = r#"{"Create": "{\"Policy\":\"{\\\"Sid\\\":\\\"x\\\"}\"}"}"#;
        let start = file.find("\"{").unwrap();
        let outer = Decoded::json_literal(file, Span::new(start, file.len() - 1));
        assert_eq!(outer.text, r#"{"Policy":"{\"Sid\":\"x\"}"}"#);
        let at = outer.text.find("\"{").unwrap();
        let inner = outer.inner_literal(Span::new(at, outer.text.len() - 1));
        assert_eq!(inner.text, r#"{"Sid":"x"}"#);
        let x = inner.text.find('x').unwrap();
        let span = inner.span(Span::new(x, x + 1));
        assert_eq!(&file[span.start..span.end], "x");
    }

    #[test]
    fn yaml_scalars_align_with_their_source() {
        let file = "k: |\n  {\"a\": 1,\n   \"b\": 2}\n";
        let value = "{\"a\": 1,\n \"b\": 2}\n";
        let decoded = Decoded::aligned(file, Span::new(3, file.len()), value);
        let b = value.find('b').unwrap();
        let span = decoded.span(Span::new(b, b + 1));
        assert_eq!(&file[span.start..span.end], "b");
        assert_eq!(span.start, file.find('b').unwrap());
    }
}
