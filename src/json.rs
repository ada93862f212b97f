//! A strict JSON parser that keeps the byte span of every key and value.
//!
//! serde_json forgets where values came from and keeps only the last of two duplicate keys;
//! a linter needs both. This parser reports every departure from strict JSON (RFC 8259) as a
//! [`SyntaxError`] with a span, recovers where the intent is unambiguous (a trailing comma, a
//! comment, a raw control character inside a string, a bad escape) so that the rules can still
//! look at the document, and gives up with a fatal error where it is not. Nesting is bounded, so
//! hostile input cannot exhaust the stack.
//!
//! The parser hands what it reads to a [`Sink`], value by value: [`parse`] builds a [`Node`]
//! tree, and `policy.rs` builds a policy's canonical tree straight from the text, so that a large
//! policy is not held in two trees at once.
//!
//! [`decode_string_literal`] maps a JSON string's decoded text back to the bytes of its literal,
//! through every escape, for policies that live inside JSON strings (CLI exports, plans).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use crate::source::Span;

/// Objects with more keys than this look up repeated keys in a hash map.
const INDEX_FROM: usize = 16;

/// The deepest nesting accepted; real policies nest about six levels.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text as written, validated against the JSON grammar.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// The value as serde_json sees it (the last of repeated keys wins).
    pub fn to_value(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_value).collect()),
            Value::Object(members) => {
                serde_json::Value::Object(members.iter().map(|m| (m.key.clone(), m.value.to_value())).collect())
            }
        }
    }

    /// Moves every span of the tree by `offset` bytes (a file placed at `offset` of a larger text).
    pub fn shift(&mut self, offset: usize) {
        let mut stack: Vec<&mut Node> = vec![self];
        while let Some(node) = stack.pop() {
            node.span = Span::new(node.span.start + offset, node.span.end + offset);
            match &mut node.value {
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(members) => {
                    for member in members {
                        member.key_span = Span::new(member.key_span.start + offset, member.key_span.end + offset);
                        stack.push(&mut member.value);
                    }
                }
                _ => {}
            }
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The last member with this key (the one AWS keeps when a key repeats).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// A fatal error ends the parse: no document is produced.
    pub fatal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

#[derive(Debug, Default)]
pub struct Parsed {
    /// The root value, unless a fatal error stopped the parse.
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// Parses `text`; offsets in the result are byte offsets into `text`. A leading BOM is skipped.
pub fn parse(text: &str) -> Parsed {
    let mut nodes = Nodes::default();
    let (complete, errors, duplicate_keys) = parse_into(text, &mut nodes);
    Parsed {
        root: if complete { nodes.root } else { None },
        errors,
        duplicate_keys,
    }
}

/// A scalar value as the parser hands it to a [`Sink`].
pub enum Scalar<'t> {
    Null,
    Bool(bool),
    /// The number's text as written.
    Number(&'t str),
    /// The decoded text (borrowed from the source when it holds no escape).
    String(Cow<'t, str>),
}

/// Receives a parse as it happens, value by value in document order: a container is opened,
/// its items (or each member's key, then its value) follow, then it is closed. [`parse`] builds
/// a [`Node`] tree with one; `policy.rs` builds a canonical tree straight from the text with
/// another, so that a large policy is never held twice.
pub trait Sink {
    fn scalar(&mut self, value: Scalar<'_>, span: Span);
    fn open_array(&mut self, start: usize);
    fn close_array(&mut self, span: Span);
    fn open_object(&mut self, start: usize);
    /// The key of the next member; `false` stops the parse (the sink wants no more).
    fn key(&mut self, key: &str, span: Span) -> bool;
    fn close_object(&mut self, span: Span);
}

/// Parses `text` (a leading BOM is skipped) into `sink`; gives whether the parse reached the end
/// (no fatal error, the sink did not stop it), and the syntax errors and repeated keys found.
pub fn parse_into(text: &str, sink: &mut impl Sink) -> (bool, Vec<SyntaxError>, Vec<DuplicateKey>) {
    let mut parser = Parser::new(text, if text.starts_with('\u{feff}') { 3 } else { 0 });
    let complete = parser.parse_document(sink);
    (complete, parser.errors, parser.duplicates)
}

/// Builds the [`Node`] tree of a parse.
#[derive(Default)]
struct Nodes {
    root: Option<Node>,
    /// The containers being built, innermost last, with their start.
    open: Vec<(usize, Partial)>,
}

enum Partial {
    Array(Vec<Node>),
    /// The members so far and the key of the next one.
    Object(Vec<Member>, Option<(String, Span)>),
}

impl Nodes {
    fn add(&mut self, node: Node) {
        match self.open.last_mut() {
            None => self.root = Some(node),
            Some((_, Partial::Array(items))) => items.push(node),
            Some((_, Partial::Object(members, key))) => {
                let (key, key_span) = key.take().unwrap_or_default();
                members.push(Member {
                    key,
                    key_span,
                    value: node,
                });
            }
        }
    }
}

impl Sink for Nodes {
    fn scalar(&mut self, value: Scalar<'_>, span: Span) {
        let value = match value {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Number(n) => Value::Number(n.to_string()),
            Scalar::String(s) => Value::String(s.into_owned()),
        };
        self.add(Node { value, span });
    }

    fn open_array(&mut self, start: usize) {
        self.open.push((start, Partial::Array(Vec::new())));
    }

    fn close_array(&mut self, span: Span) {
        if let Some((_, Partial::Array(mut items))) = self.open.pop() {
            // A large file's tree is held whole while it is converted: no spare capacity.
            items.shrink_to_fit();
            self.add(Node {
                value: Value::Array(items),
                span,
            });
        }
    }

    fn open_object(&mut self, start: usize) {
        self.open.push((start, Partial::Object(Vec::new(), None)));
    }

    fn key(&mut self, key: &str, span: Span) -> bool {
        if let Some((_, Partial::Object(_, next))) = self.open.last_mut() {
            *next = Some((key.to_string(), span));
        }
        true
    }

    fn close_object(&mut self, span: Span) {
        if let Some((_, Partial::Object(mut members, _))) = self.open.pop() {
            members.shrink_to_fit();
            self.add(Node {
                value: Value::Object(members),
                span,
            });
        }
    }
}

/// Decodes the JSON string literal at `literal` (quotes included) and returns its text with a
/// map from decoded offsets back to offsets in `text`.
pub fn decode_string_literal(text: &str, literal: Span) -> (String, OffsetMap) {
    let mut parser = Parser::new(text, literal.start);
    let mut map = OffsetMap {
        pieces: Vec::new(),
        origin: literal.start + 1,
    };
    let decoded = parser
        .read_string(Some(&mut map))
        .map(Cow::into_owned)
        .unwrap_or_default();
    (decoded, map)
}

/// Maps byte offsets in a decoded string to byte offsets in the source literal.
#[derive(Debug, Default, Clone)]
pub struct OffsetMap {
    pieces: Vec<Piece>,
    /// Where the decoded text starts in the source: just past the opening quote (the answer for
    /// an empty string, which has no pieces).
    origin: usize,
}

/// A run of decoded bytes produced either by literal source bytes or by one escape sequence.
#[derive(Debug, Clone, Copy)]
struct Piece {
    decoded: usize,
    decoded_len: usize,
    source: usize,
    source_len: usize,
    escape: bool,
}

impl OffsetMap {
    fn push(&mut self, piece: Piece) {
        if let Some(last) = self.pieces.last_mut() {
            if !piece.escape && !last.escape && last.source + last.source_len == piece.source {
                last.decoded_len += piece.decoded_len;
                last.source_len += piece.source_len;
                return;
            }
        }
        self.pieces.push(piece);
    }

    fn piece_at(&self, decoded: usize) -> Option<&Piece> {
        let index = self.pieces.partition_point(|p| p.decoded <= decoded);
        self.pieces.get(index.checked_sub(1)?)
    }

    /// The source offset where the decoded byte at `decoded` begins.
    pub fn start(&self, decoded: usize) -> usize {
        match self.piece_at(decoded) {
            Some(p) if p.escape => p.source,
            Some(p) => p.source + (decoded - p.decoded).min(p.source_len),
            None => self.pieces.first().map_or(self.origin, |p| p.source),
        }
    }

    /// The source offset just past the decoded byte before `decoded`.
    pub fn end(&self, decoded: usize) -> usize {
        if decoded == 0 {
            return self.start(0);
        }
        match self.piece_at(decoded - 1) {
            Some(p) if p.escape => p.source + p.source_len,
            Some(p) => p.source + (decoded - p.decoded).min(p.source_len),
            None => self.start(0),
        }
    }

    pub fn span(&self, decoded: Span) -> Span {
        let start = self.start(decoded.start);
        if decoded.is_empty() {
            return Span::new(start, start);
        }
        Span::new(start, self.end(decoded.end))
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    errors: Vec<SyntaxError>,
    duplicates: Vec<DuplicateKey>,
    /// The keys of the objects being parsed, innermost last, for finding repeated keys: their
    /// decoded text (in `key_text`) and their span.
    keys: Vec<(Range<usize>, Span)>,
    key_text: String,
}

/// Marks a fatal error that has been recorded; the parse unwinds.
struct Fatal;

type Step<T> = Result<T, Fatal>;

impl<'a> Parser<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos,
            depth: 0,
            errors: Vec::new(),
            duplicates: Vec::new(),
            keys: Vec::new(),
            key_text: String::new(),
        }
    }

    /// Parses the whole text into `sink`; `false` when a fatal error (or the sink) stopped it.
    fn parse_document(&mut self, sink: &mut impl Sink) -> bool {
        if self.skip_trivia().is_err() {
            return false;
        }
        if self.pos >= self.bytes.len() {
            self.fatal(
                Span::new(self.pos, self.pos),
                "the text is empty: expected a JSON value",
            );
            return false;
        }
        if self.parse_value(sink).is_err() {
            return false;
        }
        if self.skip_trivia().is_err() {
            return false;
        }
        if self.pos < self.bytes.len() {
            let span = self.char_span(self.pos);
            self.error(span, "unexpected content after the end of the JSON value");
        }
        true
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        let message = format!("invalid JSON: {}", message.into());
        self.errors.push(SyntaxError {
            span,
            message,
            fatal: false,
        });
    }

    fn fatal(&mut self, span: Span, message: impl Into<String>) -> Fatal {
        let message = format!("invalid JSON: {}", message.into());
        self.errors.push(SyntaxError {
            span,
            message,
            fatal: true,
        });
        Fatal
    }

    /// The span of the character at `pos` (empty at the end of the text).
    fn char_span(&self, pos: usize) -> Span {
        Span::char_at(self.text, pos)
    }

    fn unexpected(&mut self, expected: &str) -> Fatal {
        let span = self.char_span(self.pos);
        match self.text[self.pos..].chars().next() {
            None => self.fatal(span, format!("unexpected end of text: expected {expected}")),
            Some(c) => self.fatal(span, format!("unexpected {}: expected {expected}", describe(c))),
        }
    }

    /// Skips white space; comments are skipped too but reported, since JSON has none.
    #[inline]
    fn skip_trivia(&mut self) -> Step<()> {
        // Compact JSON (a generated policy) has nothing to skip between most tokens.
        match self.bytes.get(self.pos) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/') => self.skip_trivia_run(),
            _ => Ok(()),
        }
    }

    fn skip_trivia_run(&mut self) -> Step<()> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    let start = self.pos;
                    let end = memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
                    self.pos = end;
                    self.error(Span::new(start, end), "comments are not allowed");
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    match memchr::memmem::find(&self.bytes[start + 2..], b"*/") {
                        Some(i) => {
                            self.pos = start + 2 + i + 2;
                            self.error(Span::new(start, self.pos), "comments are not allowed");
                        }
                        None => {
                            return Err(self.fatal(Span::new(start, start + 2), "unterminated comment"));
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn parse_value(&mut self, sink: &mut impl Sink) -> Step<()> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.parse_object(sink),
            Some(b'[') => self.parse_array(sink),
            Some(b'"') => {
                let value = self.read_string(None)?;
                sink.scalar(Scalar::String(value), Span::new(start, self.pos));
                Ok(())
            }
            Some(b't') => self.parse_literal(sink, "true", Scalar::Bool(true)),
            Some(b'f') => self.parse_literal(sink, "false", Scalar::Bool(false)),
            Some(b'n') => self.parse_literal(sink, "null", Scalar::Null),
            Some(b'-' | b'0'..=b'9') => self.parse_number(sink),
            Some(b'\'') => Err(self.unexpected("a value (JSON strings use double quotes)")),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn parse_literal(&mut self, sink: &mut impl Sink, word: &str, value: Scalar<'_>) -> Step<()> {
        let start = self.pos;
        if self.text[start..].starts_with(word) {
            self.pos += word.len();
            sink.scalar(value, Span::new(start, self.pos));
            return Ok(());
        }
        Err(self.unexpected("a value"))
    }

    fn parse_number(&mut self, sink: &mut impl Sink) -> Step<()> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.bytes.get(p.pos), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_len = digits(self);
        if int_len == 0 {
            return Err(self.unexpected("a digit"));
        }
        if int_len > 1 && self.bytes[int_start] == b'0' {
            let span = Span::new(start, self.pos);
            return Err(self.fatal(span, "numbers may not have leading zeros in JSON"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let span = Span::new(start, self.pos);
        sink.scalar(Scalar::Number(&self.text[start..self.pos]), span);
        Ok(())
    }

    fn enter(&mut self) -> Step<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.char_span(self.pos);
            return Err(self.fatal(span, format!("nesting is deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// After an array item or object member: a comma (then more, or a trailing comma before
    /// `close`, reported), or `close`. Returns whether the container is closed.
    fn after_item(&mut self, close: u8) -> Step<bool> {
        self.skip_trivia()?;
        match self.bytes.get(self.pos) {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_trivia()?;
                if self.bytes.get(self.pos) == Some(&close) {
                    let message = format!("trailing comma before `{}`", close as char);
                    self.error(Span::new(comma, comma + 1), message);
                    self.pos += 1;
                    return Ok(true);
                }
                Ok(false)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.unexpected(&format!("`,` or `{}`", close as char))),
        }
    }

    fn parse_array(&mut self, sink: &mut impl Sink) -> Step<()> {
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        sink.open_array(start);
        self.skip_trivia()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            sink.close_array(Span::new(start, self.pos));
            return Ok(());
        }
        loop {
            self.parse_value(sink)?;
            if self.after_item(b']')? {
                break;
            }
        }
        self.depth -= 1;
        sink.close_array(Span::new(start, self.pos));
        Ok(())
    }

    fn parse_object(&mut self, sink: &mut impl Sink) -> Step<()> {
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        sink.open_object(start);
        // This object's keys are `self.keys[mark..]`; large ones (hostile input) get an index
        // (the first span of each key), so that finding repeated keys stays linear.
        let mark = self.keys.len();
        let text_mark = self.key_text.len();
        let mut seen: Option<HashMap<String, Span>> = None;
        self.skip_trivia()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            sink.close_object(Span::new(start, self.pos));
            return Ok(());
        }
        loop {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.unexpected("a key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.read_string(None)?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_trivia()?;
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.unexpected("`:` after the key"));
            }
            self.pos += 1;
            self.skip_trivia()?;
            if !sink.key(&key, key_span) {
                return Err(Fatal);
            }
            self.parse_value(sink)?;
            let first = match &mut seen {
                Some(index) => index.get(key.as_ref()).copied(),
                None => self.keys[mark..]
                    .iter()
                    .find(|(range, _)| self.key_text.get(range.clone()) == Some(key.as_ref()))
                    .map(|(_, span)| *span),
            };
            if let Some(first) = first {
                self.duplicates.push(DuplicateKey {
                    key: key.to_string(),
                    first,
                    second: key_span,
                });
            }
            if let Some(index) = &mut seen {
                index.entry(key.to_string()).or_insert(key_span);
            } else if self.keys.len() - mark >= INDEX_FROM {
                // Later entries win in `collect`: the current key first, then the keys from
                // last to first, so that each key maps to its first occurrence.
                let text = &self.key_text;
                let pairs = std::iter::once((key.to_string(), key_span)).chain(
                    self.keys[mark..]
                        .iter()
                        .rev()
                        .map(|(range, span)| (text.get(range.clone()).unwrap_or_default().to_string(), *span)),
                );
                seen = Some(pairs.collect());
            }
            let at = self.key_text.len();
            self.key_text.push_str(&key);
            self.keys.push((at..self.key_text.len(), key_span));
            if self.after_item(b'}')? {
                break;
            }
        }
        self.keys.truncate(mark);
        self.key_text.truncate(text_mark);
        self.depth -= 1;
        sink.close_object(Span::new(start, self.pos));
        Ok(())
    }

    /// Reads the string literal at `self.pos` (which holds `"`), optionally recording how each
    /// decoded byte maps back to the source.
    fn read_string(&mut self, mut map: Option<&mut OffsetMap>) -> Step<Cow<'a, str>> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            let run_len = literal_run(&self.bytes[run_start..]);
            if run_len > 0 {
                if let Some(map) = map.as_deref_mut() {
                    map.push(Piece {
                        decoded: out.len(),
                        decoded_len: run_len,
                        source: run_start,
                        source_len: run_len,
                        escape: false,
                    });
                }
                let end = run_start + run_len;
                if run_start == open + 1 && self.bytes.get(end) == Some(&b'"') {
                    // No escape: the text as written.
                    self.pos = end + 1;
                    return Ok(Cow::Borrowed(&self.text[run_start..end]));
                }
                out.push_str(&self.text[run_start..end]);
                self.pos += run_len;
            }
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.fatal(Span::new(open, open + 1), "unterminated string: no closing `\"`"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(&b) if b < 0x20 => {
                    let what = match b {
                        b'\n' => "a line break",
                        b'\t' => "a tab",
                        b'\r' => "a carriage return",
                        _ => "a control character",
                    };
                    let span = Span::new(self.pos, self.pos + 1);
                    self.error(span, format!("{what} inside a string must be escaped"));
                    // Keep the character so that the value reads as the author wrote it.
                    if let Some(map) = map.as_deref_mut() {
                        map.push(Piece {
                            decoded: out.len(),
                            decoded_len: 1,
                            source: self.pos,
                            source_len: 1,
                            escape: false,
                        });
                    }
                    out.push(b as char);
                    self.pos += 1;
                }
                Some(_) => {
                    let escape_start = self.pos;
                    let decoded_at = out.len();
                    self.read_escape(&mut out)?;
                    if let Some(map) = map.as_deref_mut() {
                        map.push(Piece {
                            decoded: decoded_at,
                            decoded_len: out.len() - decoded_at,
                            source: escape_start,
                            source_len: self.pos - escape_start,
                            escape: true,
                        });
                    }
                }
            }
        }
    }

    /// Reads one escape sequence at `self.pos` (which holds `\`).
    fn read_escape(&mut self, out: &mut String) -> Step<()> {
        let start = self.pos;
        let Some(&kind) = self.bytes.get(start + 1) else {
            return Err(self.fatal(Span::new(start, start + 1), "unterminated string: no closing `\"`"));
        };
        self.pos += 2;
        let simple = match kind {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        if kind != b'u' {
            // `\\` is ASCII, so `start + 1` is a character boundary.
            let c = self.text[start + 1..].chars().next().unwrap_or('\\');
            self.pos = start + 1 + c.len_utf8();
            self.error(
                Span::new(start, self.pos),
                format!("invalid escape `\\{c}` in a string"),
            );
            out.push(c);
            return Ok(());
        }
        let high = self.read_hex4(start)?;
        let c = if (0xD800..0xDC00).contains(&high) {
            let low = if self.text[self.pos..].starts_with("\\u") {
                let save = self.pos;
                self.pos += 2;
                let low = self.read_hex4(save)?;
                if (0xDC00..0xE000).contains(&low) {
                    Some(low)
                } else {
                    self.pos = save;
                    None
                }
            } else {
                None
            };
            match low {
                Some(low) => char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)),
                None => None,
            }
        } else {
            char::from_u32(high)
        };
        match c {
            Some(c) => out.push(c),
            None => {
                self.error(Span::new(start, self.pos), "unpaired surrogate in a `\\u` escape");
                out.push('\u{fffd}');
            }
        }
        Ok(())
    }

    fn read_hex4(&mut self, escape_start: usize) -> Step<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(value) => {
                self.pos += 4;
                Ok(value)
            }
            None => {
                let span = Span::new(escape_start, self.pos);
                Err(self.fatal(span, "`\\u` must be followed by four hex digits"))
            }
        }
    }
}

/// The length of the literal text at the start of `bytes`: up to the first quote, backslash or
/// control character (or the end). memchr finds the first two; control characters, rare, are
/// looked for in blocks that the compiler vectorizes (blocks, so that text full of them is still
/// read in linear time).
fn literal_run(bytes: &[u8]) -> usize {
    // Most runs are short (a key, an action, the text between two escapes of a policy written
    // as a string): a plain loop finds their end for less than memchr's start costs.
    const SHORT: usize = 16;
    for (i, &b) in bytes.iter().take(SHORT).enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
    }
    if bytes.len() <= SHORT {
        return bytes.len();
    }
    SHORT + long_literal_run(&bytes[SHORT..])
}

/// [`literal_run`] past its first bytes.
fn long_literal_run(bytes: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let end = memchr::memchr2(b'"', b'\\', bytes).unwrap_or(bytes.len());
    for (i, block) in bytes[..end].chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |control, &b| control | (b < 0x20)) {
            return i * BLOCK + block.iter().position(|&b| b < 0x20).unwrap_or(block.len());
        }
    }
    end
}

fn describe(c: char) -> String {
    match c {
        '\n' => "line break".into(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.root.unwrap()
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = r#"{"a": [1, "x"], "b": null}"#;
        let node = root(text);
        let a = node.get("a").unwrap();
        assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
        assert_eq!(&text[a.value.span.start..a.value.span.end], "[1, \"x\"]");
    }

    #[test]
    fn reports_both_duplicate_keys() {
        let parsed = parse(r#"{"k": 1, "k": 2}"#);
        assert_eq!(parsed.duplicate_keys.len(), 1);
        let dup = &parsed.duplicate_keys[0];
        assert_eq!((dup.first.start, dup.second.start), (1, 9));
        // the last value wins, as in AWS
        assert_eq!(
            parsed.root.unwrap().get("k").unwrap().value.value,
            Value::Number("2".into())
        );
    }

    #[test]
    fn repeated_keys_of_large_objects_name_the_first() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{}, \"k3\": 0, \"k30\": 1, \"k3\": 2}}", keys.join(", "));
        let parsed = parse(&text);
        let found: Vec<(&str, usize)> = parsed
            .duplicate_keys
            .iter()
            .map(|d| (d.key.as_str(), d.first.start))
            .collect();
        let first = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert_eq!(found, [("k3", first("k3")), ("k30", first("k30")), ("k3", first("k3"))]);
    }

    #[test]
    fn recovers_from_trailing_commas_and_comments() {
        let parsed = parse("{\"a\": [1,], // note\n}");
        assert!(parsed.root.is_some());
        let messages: Vec<_> = parsed.errors.iter().map(|e| e.message.as_str()).collect();
        let expected = [
            "invalid JSON: trailing comma before `]`",
            "invalid JSON: comments are not allowed",
            "invalid JSON: trailing comma before `}`",
        ];
        assert_eq!(messages, expected);
        assert!(parsed.errors.iter().all(|e| !e.fatal));
    }

    #[test]
    fn raw_line_break_in_string_is_reported_and_kept() {
        let parsed = parse("{\"a\": \"\nx\n\"}");
        assert_eq!(parsed.errors.len(), 2);
        assert_eq!(parsed.errors[0].span, Span::new(7, 8));
        assert_eq!(parsed.root.unwrap().get("a").unwrap().value.as_str(), Some("\nx\n"));
    }

    #[test]
    fn truncated_text_is_fatal_at_the_end() {
        let parsed = parse("{\"a\": [1, 2");
        assert!(parsed.root.is_none());
        assert!(parsed.errors[0].fatal);
        assert_eq!(parsed.errors[0].span, Span::new(11, 11));
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflow() {
        let text = "[".repeat(200_000);
        let parsed = parse(&text);
        assert!(parsed.root.is_none());
        assert!(parsed.errors[0].message.contains("nesting"));
    }

    #[test]
    fn bom_is_skipped() {
        let node = root("\u{feff}{\"a\":1}");
        assert_eq!(node.span, Span::new(3, 10));
    }

    #[test]
    fn numbers_follow_the_grammar() {
        assert!(parse("01").root.is_none());
        assert!(parse("1.").root.is_none());
        assert_eq!(root("-1.5e+3").value, Value::Number("-1.5e+3".into()));
    }

    #[test]
    fn offset_map_follows_simple_escapes() {
        let text = r#""a\"b\nc""#;
        let (decoded, map) = decode_string_literal(text, Span::new(0, text.len()));
        assert_eq!(decoded, "a\"b\nc");
        // decoded `b` (offset 2) sits at source offset 4
        assert_eq!(map.span(Span::new(2, 3)), Span::new(4, 5));
        // decoded `"` (offset 1) is the two-byte escape at source 2..4
        assert_eq!(map.span(Span::new(1, 2)), Span::new(2, 4));
        // the whole decoded text covers the literal without its quotes
        assert_eq!(map.span(Span::new(0, decoded.len())), Span::new(1, text.len() - 1));
    }

    #[test]
    fn offset_map_follows_unicode_escapes_and_surrogate_pairs() {
        let text = r#""x\u00e9y\ud83d\ude00z""#;
        let (decoded, map) = decode_string_literal(text, Span::new(0, text.len()));
        assert_eq!(decoded, "xéy😀z");
        let e = decoded.find('é').unwrap();
        assert_eq!(map.span(Span::new(e, e + 2)), Span::new(2, 8));
        let y = decoded.find('y').unwrap();
        assert_eq!(map.span(Span::new(y, y + 1)), Span::new(8, 9));
        let emoji = decoded.find('😀').unwrap();
        assert_eq!(map.span(Span::new(emoji, emoji + 4)), Span::new(9, 21));
        let z = decoded.find('z').unwrap();
        assert_eq!(map.span(Span::new(z, z + 1)), Span::new(21, 22));
    }

    #[test]
    fn offset_map_keeps_multibyte_literals() {
        let text = "\"añb\\tc\"";
        let (decoded, map) = decode_string_literal(text, Span::new(0, text.len()));
        assert_eq!(decoded, "añb\tc");
        let b = decoded.find('b').unwrap();
        assert_eq!(map.span(Span::new(b, b + 1)), Span::new(4, 5));
        let c = decoded.find('c').unwrap();
        assert_eq!(map.span(Span::new(c, c + 1)), Span::new(7, 8));
    }

    #[test]
    fn an_empty_string_maps_inside_its_quotes() {
        let text = r#"{"p": ""}"#;
        let (decoded, map) = decode_string_literal(text, Span::new(6, 8));
        assert_eq!(decoded, "");
        assert_eq!(map.span(Span::new(0, 0)), Span::new(7, 7));
    }

    #[test]
    fn literal_runs_end_at_quotes_backslashes_and_control_characters() {
        let long = "x".repeat(200);
        assert_eq!(literal_run(format!("{long}\"").as_bytes()), 200);
        assert_eq!(literal_run(format!("{long}\\n").as_bytes()), 200);
        assert_eq!(literal_run(format!("{long}\u{1}\"").as_bytes()), 200);
        assert_eq!(literal_run(format!("{}\t{long}\"", "y".repeat(130)).as_bytes()), 130);
        assert_eq!(literal_run(long.as_bytes()), 200);
        assert_eq!(literal_run(b""), 0);
        assert_eq!(literal_run(b"Version\\\": 1"), 7);
        assert_eq!(literal_run(b"ab\tc"), 2);
        assert_eq!(literal_run(b"abc"), 3);
        assert_eq!(literal_run(&[b'x'; 16]), 16);
        assert_eq!(literal_run(format!("{}\"", "z".repeat(16)).as_bytes()), 16);
        assert_eq!(literal_run(format!("{}\"", "z".repeat(17)).as_bytes()), 17);
    }

    #[test]
    fn lone_surrogate_is_replaced_and_reported() {
        let parsed = parse(r#""\ud800x""#);
        assert_eq!(parsed.root.unwrap().as_str(), Some("\u{fffd}x"));
        assert_eq!(parsed.errors.len(), 1);
    }
}
