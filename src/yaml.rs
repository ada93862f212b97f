//! YAML (CloudFormation, SAM and Serverless templates) read into the same span-keeping
//! [`json::Node`] tree as JSON, so that the extractors and the canonical form need not know
//! which syntax a template was written in.
//!
//! The events come from `saphyr-parser`, which reports positions in characters; they are mapped
//! to byte offsets here. CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub ...`)
//! become the long form (`{"Ref": "X"}`, `{"Fn::GetAtt": "A.B"}`), a one-member object whose
//! span is the tagged node's. A tag on a node kind it does not take (`!Ref` on a mapping) is a
//! syntax error, as are repeated keys (reported as [`DuplicateKey`]s) and complex keys. Aliases
//! are expanded under a budget of nodes, so an alias bomb ("billion laughs") is an error, not
//! an exhausted memory; nesting is bounded like JSON's.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::json::{DuplicateKey, Member, Node, Parsed, SyntaxError, Value, MAX_DEPTH};
use crate::source::Span;

/// The most nodes a document may expand to through aliases (real templates have a few thousand).
pub const MAX_NODES: usize = 1_000_000;

/// CloudFormation's short-form tags, the long-form key each stands for, and the node kinds it
/// takes.
const INTRINSICS: [(&str, &str, Kinds); 18] = [
    ("Ref", "Ref", Kinds::SCALAR),
    ("Condition", "Condition", Kinds::SCALAR),
    ("GetAtt", "Fn::GetAtt", Kinds::SCALAR_OR_SEQUENCE),
    ("Sub", "Fn::Sub", Kinds::SCALAR_OR_SEQUENCE),
    ("Join", "Fn::Join", Kinds::SEQUENCE),
    ("If", "Fn::If", Kinds::SEQUENCE),
    ("Select", "Fn::Select", Kinds::SEQUENCE),
    ("FindInMap", "Fn::FindInMap", Kinds::SEQUENCE),
    ("Split", "Fn::Split", Kinds::SEQUENCE),
    ("Cidr", "Fn::Cidr", Kinds::SEQUENCE),
    ("And", "Fn::And", Kinds::SEQUENCE),
    ("Or", "Fn::Or", Kinds::SEQUENCE),
    ("Not", "Fn::Not", Kinds::SEQUENCE),
    ("Equals", "Fn::Equals", Kinds::SEQUENCE),
    ("ImportValue", "Fn::ImportValue", Kinds::ANY_BUT_SEQUENCE),
    ("Base64", "Fn::Base64", Kinds::ANY_BUT_SEQUENCE),
    ("GetAZs", "Fn::GetAZs", Kinds::ANY_BUT_SEQUENCE),
    ("ToJsonString", "Fn::ToJsonString", Kinds::ANY),
];

/// Which node kinds a tag may stand on: (scalar, sequence, mapping).
#[derive(Clone, Copy)]
struct Kinds(bool, bool, bool);

impl Kinds {
    const SCALAR: Kinds = Kinds(true, false, false);
    const SEQUENCE: Kinds = Kinds(false, true, false);
    const SCALAR_OR_SEQUENCE: Kinds = Kinds(true, true, false);
    const ANY_BUT_SEQUENCE: Kinds = Kinds(true, false, true);
    const ANY: Kinds = Kinds(true, true, true);
}

/// Maps the parser's character offsets to byte offsets.
struct Offsets {
    /// (character index, bytes beyond one per character before it) at each non-ASCII character.
    wide: Vec<(usize, usize)>,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (index, c) in text.chars().enumerate() {
                if c.len_utf8() > 1 {
                    extra += c.len_utf8() - 1;
                    wide.push((index + 1, extra));
                }
            }
        }
        Offsets { wide }
    }

    fn byte(&self, char_index: usize) -> usize {
        let before = self.wide.partition_point(|(index, _)| *index <= char_index);
        char_index + before.checked_sub(1).map_or(0, |i| self.wide[i].1)
    }
}

/// A collection being built.
enum Frame {
    Sequence {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        members: Vec<Member>,
        seen: HashMap<String, Span>,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    text: &'a str,
    offsets: Offsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    errors: Vec<SyntaxError>,
    duplicates: Vec<DuplicateKey>,
}

/// Marks a fatal error that has been recorded.
struct Fatal;

/// Parses the first document of a YAML stream. Offsets are bytes into `text`.
pub fn parse(text: &str) -> Parsed {
    // A UTF-8 byte order mark is read past; spans still count from the file's first byte.
    let Some(rest) = text.strip_prefix('\u{feff}') else {
        return parse_text(text);
    };
    let bom = text.len() - rest.len();
    let shift = |span: Span| Span::new(span.start + bom, span.end + bom);
    let mut parsed = parse_text(rest);
    if let Some(root) = &mut parsed.root {
        root.shift(bom);
    }
    for error in &mut parsed.errors {
        error.span = shift(error.span);
    }
    for duplicate in &mut parsed.duplicate_keys {
        duplicate.first = shift(duplicate.first);
        duplicate.second = shift(duplicate.second);
    }
    parsed
}

fn parse_text(text: &str) -> Parsed {
    let mut builder = Builder {
        text,
        offsets: Offsets::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        errors: Vec::new(),
        duplicates: Vec::new(),
    };
    let root = builder.run(text).ok().flatten();
    Parsed {
        root,
        errors: builder.errors,
        duplicate_keys: builder.duplicates,
    }
}

impl Builder<'_> {
    fn run(&mut self, text: &str) -> Result<Option<Node>, Fatal> {
        let mut parser = Parser::new_from_str(text);
        while let Some(event) = parser.next_event() {
            let (event, span) = match event {
                Ok(event) => event,
                Err(error) => {
                    let at = self.offsets.byte(error.marker().index()).min(text.len());
                    let message = format!("invalid YAML: {}", error.info());
                    return self.fatal(Span::char_at(text, at), message);
                }
            };
            let start = self.offsets.byte(span.start.index()).min(text.len());
            let end = self.offsets.byte(span.end.index()).clamp(start, text.len());
            let node = match event {
                Event::Scalar(value, style, anchor, tag) => {
                    let node = self.scalar(value.into_owned(), style, Span::new(start, end));
                    self.finish(node, tag.map(|t| t.into_owned()), anchor, Kind::Scalar)?
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(Frame::Sequence {
                        start,
                        tag: tag.map(|t| t.into_owned()),
                        anchor,
                        items: Vec::new(),
                    })?;
                    continue;
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(Frame::Mapping {
                        start,
                        tag: tag.map(|t| t.into_owned()),
                        anchor,
                        members: Vec::new(),
                        seen: HashMap::new(),
                        key: None,
                    })?;
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else { continue };
                    let (node, tag, anchor, kind) = match frame {
                        Frame::Sequence {
                            start: from,
                            tag,
                            anchor,
                            items,
                        } => (
                            Node {
                                value: Value::Array(items),
                                span: Span::new(from, end.max(from)),
                            },
                            tag,
                            anchor,
                            Kind::Sequence,
                        ),
                        Frame::Mapping {
                            start: from,
                            tag,
                            anchor,
                            members,
                            ..
                        } => (
                            Node {
                                value: Value::Object(members),
                                span: Span::new(from, end.max(from)),
                            },
                            tag,
                            anchor,
                            Kind::Mapping,
                        ),
                    };
                    self.finish(node, tag, anchor, kind)?
                }
                Event::Alias(id) => {
                    let Some(count) = self.anchors.get(&id).map(|(_, count)| *count) else {
                        return self.fatal(Span::new(start, end), "invalid YAML: an alias names no anchor".into());
                    };
                    // Counted before it is copied: a bomb stops before it takes the memory.
                    self.count(count, Span::new(start, end))?;
                    self.anchors.get(&id).map(|(node, _)| node.clone())
                }
                Event::DocumentEnd => {
                    // Only the first document of a stream is a template.
                    break;
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => continue,
            };
            if let Some(node) = node {
                if let Some(root) = self.place(node) {
                    return Ok(Some(root));
                }
            }
        }
        Ok(None)
    }

    fn fatal<T>(&mut self, span: Span, message: String) -> Result<T, Fatal> {
        self.errors.push(SyntaxError {
            span,
            message,
            fatal: true,
        });
        Err(Fatal)
    }

    fn count(&mut self, nodes: usize, at: Span) -> Result<(), Fatal> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return self.fatal(
                at,
                format!("invalid YAML: aliases expand the document to more than {MAX_NODES} nodes"),
            );
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), Fatal> {
        if self.stack.len() >= MAX_DEPTH {
            let at = match &frame {
                Frame::Sequence { start, .. } | Frame::Mapping { start, .. } => *start,
            };
            return self.fatal(
                Span::char_at(self.text, at),
                format!("invalid YAML: nesting is deeper than {MAX_DEPTH} levels"),
            );
        }
        self.stack.push(frame);
        Ok(())
    }

    fn scalar(&self, value: String, style: ScalarStyle, span: Span) -> Node {
        let value = if style == ScalarStyle::Plain {
            plain_value(value)
        } else {
            Value::String(value)
        };
        Node { value, span }
    }

    /// A complete node: its tag applied, its anchor recorded.
    fn finish(&mut self, node: Node, tag: Option<Tag>, anchor: usize, kind: Kind) -> Result<Option<Node>, Fatal> {
        let size = node_count(&node);
        if kind == Kind::Scalar {
            self.count(1, node.span)?;
        }
        let node = match tag {
            Some(tag) if tag.handle == "!" => self.intrinsic(node, &tag.suffix, kind),
            _ => node,
        };
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok(Some(node))
    }

    /// `!Name value` as `{"Fn::Name": value}`.
    fn intrinsic(&mut self, node: Node, name: &str, kind: Kind) -> Node {
        let Some((short, long, kinds)) = INTRINSICS.iter().find(|(short, _, _)| *short == name) else {
            return node;
        };
        let allowed = match kind {
            Kind::Scalar => kinds.0,
            Kind::Sequence => kinds.1,
            Kind::Mapping => kinds.2,
        };
        if !allowed {
            self.errors.push(SyntaxError {
                span: Span::char_at(self.text, node.span.start),
                message: format!("!{short} does not take a {}", kind.name()),
                fatal: false,
            });
        }
        let at = Span::new(node.span.start, node.span.start);
        Node {
            span: node.span,
            value: Value::Object(vec![Member {
                key: (*long).to_string(),
                key_span: at,
                value: node,
            }]),
        }
    }

    /// Puts a complete node into its parent; the root when there is none.
    fn place(&mut self, node: Node) -> Option<Node> {
        match self.stack.last_mut() {
            None => Some(node),
            Some(Frame::Sequence { items, .. }) => {
                items.push(node);
                None
            }
            Some(Frame::Mapping { members, seen, key, .. }) => {
                match key.take() {
                    None => {
                        let text = match node.value {
                            Value::String(s) => s,
                            Value::Number(n) => n,
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".to_string(),
                            Value::Array(_) | Value::Object(_) => {
                                self.errors.push(SyntaxError {
                                    span: Span::char_at(self.text, node.span.start),
                                    message: "a key that is a mapping or a sequence: a template's keys are strings"
                                        .into(),
                                    fatal: false,
                                });
                                String::new()
                            }
                        };
                        *key = Some((text, node.span));
                    }
                    Some((name, key_span)) => {
                        if let Some(first) = seen.insert(name.clone(), key_span) {
                            self.duplicates.push(DuplicateKey {
                                key: name.clone(),
                                first,
                                second: key_span,
                            });
                        }
                        members.push(Member {
                            key: name,
                            key_span,
                            value: node,
                        });
                    }
                }
                None
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Sequence,
    Mapping,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Scalar => "scalar",
            Kind::Sequence => "sequence",
            Kind::Mapping => "mapping",
        }
    }
}

fn node_count(node: &Node) -> usize {
    match &node.value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(members) => 1 + members.iter().map(|m| node_count(&m.value)).sum::<usize>(),
        _ => 1,
    }
}

/// A plain scalar read by YAML 1.2's core schema: null, booleans and numbers; anything else
/// (including `2012-10-17`, which YAML 1.1 would read as a date) is a string.
fn plain_value(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_integer(&text) => Value::Number(text),
        _ => Value::String(text),
    }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('+')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn spans_are_bytes_and_tags_become_long_form() {
        let text = "é: 1\nResources:\n  Pool:\n    Arn: !GetAtt Pool.Arn\n    Q: \"quoted\"\n    L: [a, !Ref B]\n";
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let root = parsed.root.unwrap();
        let pool = &root.get("Resources").unwrap().value.get("Pool").unwrap().value;
        let arn = &pool.get("Arn").unwrap();
        assert_eq!(text_of(text, arn.key_span), "Arn");
        let inner = &arn.value.get("Fn::GetAtt").unwrap().value;
        assert_eq!(text_of(text, inner.span), "Pool.Arn");
        assert_eq!(text_of(text, pool.get("Q").unwrap().value.span), "\"quoted\"");
        assert_eq!(
            pool.get("L").unwrap().value.to_value(),
            serde_json::json!(["a", {"Ref": "B"}])
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let duplicate = parse("a: 1\na: 2\n");
        assert_eq!(duplicate.duplicate_keys.len(), 1);
        let wrong = parse("a: !Ref {b: c}\n");
        assert!(wrong.errors[0].message.contains("!Ref does not take a mapping"));
        let broken = parse("a: [b\n");
        assert!(broken.root.is_none() && broken.errors[0].fatal);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = (b'a' + level - 1) as char;
            let name = (b'a' + level) as char;
            bomb.push_str(&format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
        }
        let exploded = parse(&bomb);
        assert!(exploded.root.is_none());
        assert!(exploded.errors[0].message.contains("aliases"));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for open in ["[", "{a: ", "- "] {
            let text: String = if open == "- " {
                (0..5000).map(|i| format!("{}- \n", "  ".repeat(i))).collect()
            } else {
                open.repeat(100_000)
            };
            let parsed = parse(&text);
            assert!(parsed.root.is_none(), "{open}");
            assert!(!parsed.errors.is_empty(), "{open}");
        }
    }
}
