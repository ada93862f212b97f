//! HCL (`.tf` files) turned into the shape of Terraform JSON, keeping spans.
//!
//! Terraform's two syntaxes describe the same configuration: `resource "t" "n" { policy = ... }`
//! in HCL is `{"resource": {"t": {"n": {"policy": ...}}}}` in `.tf.json`. Converting HCL into
//! that JSON shape (as a span-keeping [`json::Node`] tree) lets one module (`terraform.rs`) find
//! policies in both. hcl-edit parses the file and keeps the byte span of every element.
//!
//! Values: literals stay literals; objects, tuples and `jsonencode(...)` become JSON objects and
//! lists; heredocs become strings whose span is the heredoc; every other expression (a reference,
//! a function call, a conditional) becomes the string `${EXPRESSION}`, with the expression's
//! source text, which the canonical form treats as an unknown value (see `unknown.rs`).

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span as _;

use crate::json::{self, Member, Node, Value};
use crate::source::Span;

/// A parse error with its byte offset.
pub struct HclError {
    pub message: String,
    pub offset: usize,
}

/// Parses a `.tf` file into the Terraform JSON shape. A UTF-8 byte order mark is accepted, as
/// Terraform accepts it; spans still count from the file's first byte.
pub fn parse(text: &str) -> Result<Node, HclError> {
    let Some(rest) = text.strip_prefix('\u{feff}') else {
        return parse_body(text);
    };
    let bom = text.len() - rest.len();
    match parse_body(rest) {
        Ok(mut root) => {
            root.shift(bom);
            Ok(root)
        }
        Err(error) => Err(HclError {
            offset: error.offset + bom,
            ..error
        }),
    }
}

fn parse_body(text: &str) -> Result<Node, HclError> {
    // hcl-edit's parser recurses: refuse nesting deeper than the JSON parser accepts, before it
    // can exhaust the stack.
    if let Some(offset) = too_deep(text) {
        let message = format!("nesting is deeper than {} levels", json::MAX_DEPTH);
        return Err(HclError { message, offset });
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| HclError {
        message: e.message().to_string(),
        offset: e.location().offset(),
    })?;
    Ok(Converter { text }.body(&body, Span::new(0, text.len())))
}

/// The offset where bracket nesting first goes deeper than [`json::MAX_DEPTH`]. Brackets inside
/// strings count too, which can only make the estimate deeper than the truth.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > json::MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

struct Converter<'a> {
    text: &'a str,
}

fn span_of(range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or(Span::default(), |r| Span::new(r.start, r.end))
}

impl Converter<'_> {
    /// A body: attributes become members; blocks become members keyed by their type, then by each
    /// label (`resource` -> `aws_ses_identity_policy` -> `cognito`); blocks without labels that
    /// repeat (`statement`) become a list.
    fn body(&self, body: &Body, span: Span) -> Node {
        let mut members: Vec<Member> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => members.push(Member {
                    key: attribute.key.as_str().to_string(),
                    key_span: span_of(attribute.key.span()),
                    value: self.expression(&attribute.value),
                }),
                Structure::Block(block) => {
                    let block_span = span_of(block.span());
                    let mut node = self.body(&block.body, block_span);
                    // Innermost label first: `resource "t" "n"` nests n inside t.
                    for label in block.labels.iter().rev() {
                        node = Node {
                            value: Value::Object(vec![Member {
                                key: label.as_str().to_string(),
                                key_span: span_of(label.span()),
                                value: node,
                            }]),
                            span: block_span,
                        };
                    }
                    insert_block(
                        &mut members,
                        block.ident.as_str(),
                        span_of(block.ident.span()),
                        node,
                        block.labels.is_empty(),
                    );
                }
            }
        }
        Node {
            value: Value::Object(members),
            span,
        }
    }

    fn expression(&self, expression: &Expression) -> Node {
        let span = span_of(expression.span());
        let value = match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.to_string()),
            // A quoted string: its text with HCL's escapes decoded (they are JSON's, for what a
            // policy holds); `${...}` interpolations stay as written.
            Expression::String(_) | Expression::StringTemplate(_) => {
                Value::String(json::decode_string_literal(self.text, span).0)
            }
            Expression::HeredocTemplate(_) => Value::String(self.source(span).to_string()),
            Expression::Array(items) => Value::Array(items.iter().map(|e| self.expression(e)).collect()),
            Expression::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let (name, key_span) = match key {
                            ObjectKey::Ident(ident) => (ident.as_str().to_string(), span_of(ident.span())),
                            ObjectKey::Expression(e) => {
                                let node = self.expression(e);
                                let name = node
                                    .as_str()
                                    .map_or_else(|| self.source(node.span).to_string(), str::to_string);
                                (name, node.span)
                            }
                        };
                        Member {
                            key: name,
                            key_span,
                            value: self.expression(value.expr()),
                        }
                    })
                    .collect(),
            ),
            Expression::Parenthesis(inner) => return self.expression(inner.inner()),
            Expression::FuncCall(call) if call.name.namespace.is_empty() && call.name.name.as_str() == "jsonencode" => {
                match call.args.iter().next() {
                    Some(argument) => return self.expression(argument),
                    None => self.unknown(span),
                }
            }
            _ => self.unknown(span),
        };
        Node { value, span }
    }

    fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// An expression whose value is not known statically, kept as `${SOURCE}`.
    fn unknown(&self, span: Span) -> Value {
        Value::String(format!("${{{}}}", self.source(span).trim()))
    }
}

/// Adds a block's node under `key`: a list of blocks for unlabeled blocks (`statement`), merged
/// objects for labeled ones (`resource "t" "a"` and `resource "t" "b"`).
fn insert_block(members: &mut Vec<Member>, key: &str, key_span: Span, node: Node, unlabeled: bool) {
    let existing = members.iter_mut().find(|m| m.key == key);
    match (existing, unlabeled) {
        (Some(member), true) => {
            if let Value::Array(items) = &mut member.value.value {
                items.push(node);
            }
        }
        (Some(member), false) => merge(&mut member.value, node),
        (None, true) => {
            let span = node.span;
            members.push(Member {
                key: key.to_string(),
                key_span,
                value: Node {
                    value: Value::Array(vec![node]),
                    span,
                },
            })
        }
        (None, false) => members.push(Member {
            key: key.to_string(),
            key_span,
            value: node,
        }),
    }
}

/// Merges the members of `from` into `into`, recursively for keys both hold.
fn merge(into: &mut Node, from: Node) {
    let (Value::Object(target), Value::Object(source)) = (&mut into.value, from.value) else {
        return;
    };
    for member in source {
        match target.iter_mut().find(|m| m.key == member.key) {
            Some(existing) => merge(&mut existing.value, member.value),
            None => target.push(member),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
        path.iter()
            .fold(node, |n, key| &n.get(key).unwrap_or_else(|| panic!("no {key}")).value)
    }

    #[test]
    fn blocks_nest_by_labels_and_repeat_as_lists() {
        let text = r#"
resource "aws_ses_identity_policy" "a" {
  name   = "a"
  policy = data.aws_iam_policy_document.a.json
}
resource "aws_ses_identity_policy" "b" { policy = jsonencode({ Version = "2012-10-17", "Statement" = [] }) }
data "aws_iam_policy_document" "a" {
  statement { sid = "One" }
  statement { sid = "Two" }
}
"#;
        let root = parse(text).ok().unwrap();
        let a = at(&root, &["resource", "aws_ses_identity_policy", "a"]);
        assert_eq!(
            at(a, &["policy"]).as_str(),
            Some("${data.aws_iam_policy_document.a.json}")
        );
        let b = at(&root, &["resource", "aws_ses_identity_policy", "b", "policy"]);
        assert_eq!(at(b, &["Version"]).as_str(), Some("2012-10-17"));
        let statements = at(&root, &["data", "aws_iam_policy_document", "a", "statement"]);
        let Value::Array(items) = &statements.value else {
            panic!("a list")
        };
        assert_eq!(items.len(), 2);
        let sid = items[1].get("sid").unwrap();
        assert_eq!(&text[sid.value.span.start..sid.value.span.end], "\"Two\"");
        assert_eq!(&text[sid.key_span.start..sid.key_span.end], "sid");
    }

    #[test]
    fn heredocs_keep_their_span() {
        let text = "resource \"x\" \"y\" {\n  policy = <<-EOF\n    {\"Statement\": []}\n  EOF\n}\n";
        let root = parse(text).ok().unwrap();
        let policy = at(&root, &["resource", "x", "y", "policy"]);
        assert!(policy.as_str().unwrap().starts_with("<<-EOF"));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = format!("locals {{\n  x = {}\n}}\n", "[".repeat(100_000));
        let error = parse(&text).err().unwrap();
        assert!(error.message.contains("nesting"));
    }

    #[test]
    fn syntax_errors_have_an_offset() {
        let error = parse("resource \"x\" {\n  policy = \n").err().unwrap();
        assert!(error.offset > 0);
    }
}
