//! The writers: an [`Op`] on the canonical tree serialised as byte edits of the file, in the
//! syntax the document is written in. JSON gets JSON (escaped for each string literal around
//! it: a CLI export, a plan, a quoted Terraform string, a heredoc); `jsonencode` gets HCL
//! expressions; an `aws_iam_policy_document` gets its attributes and a `condition` block; YAML
//! keeps the quoting style of the scalar it replaces and the indentation of its mapping. Every
//! byte outside an edit is kept; an insertion copies the indentation and line ending of the
//! line it follows. A shape a writer cannot handle gives no edit (`None`) rather than a guess.

use serde_json::Value;

use super::{Edit, Layer, Op, Syntax};
use crate::policy::{Kind, NodeRef};
use crate::source::Span;

/// The edits that make `op` in `text`, or `None` when this syntax cannot express it.
pub fn edits(op: &Op, syntax: &Syntax, text: &str) -> Option<Vec<Edit>> {
    let writer = Writer { syntax, text };
    let mut edits = match op {
        Op::Replace { node, key, value } => writer.replace(*node, key.as_deref(), value.as_ref())?,
        Op::Append { list, value } => writer.append(*list, value)?,
        Op::Insert {
            object,
            path,
            value,
            first,
        } => vec![writer.insert(*object, path, value, *first)?],
        Op::Move { member, to } => writer.move_member(*member, to)?,
    };
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let in_bounds = edits
        .iter()
        .all(|e| e.span.end <= text.len() && text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
    let apart = edits.windows(2).all(|w| w[0].span.end <= w[1].span.start);
    // A value with unknown parts is never written out; a Terraform reference (`${...}`, from
    // the module's facts) only where Terraform reads it.
    let terraform = match syntax {
        Syntax::Hcl | Syntax::PolicyDocument => true,
        Syntax::Json(layers) => layers.iter().any(|l| matches!(l, Layer::Heredoc | Layer::HclString)),
        Syntax::Yaml | Syntax::Opaque => false,
    };
    let known = edits
        .iter()
        .all(|e| !e.text.contains(crate::unknown::UNKNOWN) && (terraform || !e.text.contains("${")));
    (in_bounds && apart && known && !edits.is_empty()).then_some(edits)
}

struct Writer<'a> {
    syntax: &'a Syntax,
    text: &'a str,
}

impl Writer<'_> {
    fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// Whether a node's bytes can anchor an edit: a value that is written (a YAML `key:` with
    /// nothing after it has no bytes of its own), after its key.
    fn written(&self, node: NodeRef) -> bool {
        let span = self.value_span(node);
        !span.is_empty() && node.key_span().is_none_or(|key| key.end <= span.start)
    }

    /// A node's value span without what YAML's spans run on to: the line breaks, blank lines and
    /// comment lines before the next member.
    fn value_span(&self, node: NodeRef) -> Span {
        let span = node.value_span();
        if *self.syntax != Syntax::Yaml {
            return span;
        }
        let mut written = self.source(span);
        loop {
            let trimmed = written.trim_end();
            let last_line = &trimmed[trimmed.rfind('\n').map_or(0, |i| i + 1)..];
            if last_line.trim_start().starts_with('#') && trimmed.contains('\n') {
                written = &trimmed[..trimmed.len() - last_line.len()];
            } else {
                written = trimmed;
                break;
            }
        }
        Span::new(span.start, span.start + written.len())
    }

    fn replace(&self, node: NodeRef, key: Option<&str>, value: Option<&Value>) -> Option<Vec<Edit>> {
        let mut edits = Vec::new();
        if let Some(key) = key {
            let span = node.key_span().filter(|s| !s.is_empty())?;
            edits.push(Edit {
                span,
                text: self.key(key, self.source(span), node)?,
            });
        }
        if let Some(value) = value {
            let span = self.value_span(node);
            if span.is_empty() {
                return None;
            }
            let text = match self.syntax {
                Syntax::Json(layers) => escape(&json(value), layers),
                Syntax::Hcl | Syntax::PolicyDocument => hcl(value)?,
                Syntax::Yaml => yaml_replacement(value, self.source(span), self.column(span.start))?,
                Syntax::Opaque => return None,
            };
            edits.push(Edit { span, text });
        }
        Some(edits)
    }

    /// A key as this syntax writes it, in the style of the key it replaces.
    fn key(&self, key: &str, written: &str, node: NodeRef) -> Option<String> {
        match self.syntax {
            Syntax::Json(layers) => Some(escape(&json(&Value::String(key.into())), layers)),
            Syntax::Hcl => Some(hcl_key(key, written.starts_with('"'))),
            Syntax::PolicyDocument if written.starts_with('"') => hcl(&Value::String(key.into())),
            // An attribute of a statement block: `not_actions` -> `actions`.
            Syntax::PolicyDocument => {
                let in_statement = node.parent().and_then(NodeRef::parent).and_then(NodeRef::key) == Some("Statement");
                in_statement.then(|| block_attribute(key)).flatten().map(str::to_string)
            }
            Syntax::Yaml => yaml_scalar(key, written),
            Syntax::Opaque => None,
        }
    }

    fn append(&self, list: NodeRef, value: &Value) -> Option<Vec<Edit>> {
        let span = self.value_span(list);
        let written = self.source(span);
        let items: Vec<NodeRef> = list.children().collect();
        // A single value read as a list of one: it becomes a list of two.
        let single = items.len() == 1 && items[0].value_span() == list.value_span();
        if single || (items.is_empty() && !written.starts_with(['[', '-'])) {
            let mut values: Vec<Value> = items.iter().map(|i| i.to_value()).collect();
            values.push(value.clone());
            return self.replace(list, None, Some(&Value::Array(values)));
        }
        if !items.iter().all(|i| self.written(*i)) {
            return None;
        }
        let Some(last) = items.iter().max_by_key(|i| self.value_span(**i).end) else {
            // An empty list: the item goes inside the brackets.
            if !written.starts_with('[') {
                return None;
            }
            let text = match self.syntax {
                Syntax::Json(layers) => escape(&json(value), layers),
                Syntax::Hcl | Syntax::PolicyDocument => hcl(value)?,
                Syntax::Yaml => yaml_flow(value),
                Syntax::Opaque => return None,
            };
            return Some(vec![insertion(span.start + 1, text)]);
        };
        let at = self.value_span(*last).end;
        let multiline = written.contains('\n');
        let separator = |comma: &str| {
            if multiline {
                format!("{comma}{}{}", self.newline(at), self.indent(last.value_span().start))
            } else {
                format!("{comma} ")
            }
        };
        let text = match self.syntax {
            Syntax::Json(layers) => escape(&format!("{}{}", separator(","), json(value)), layers),
            Syntax::Hcl | Syntax::PolicyDocument => format!("{}{}", separator(","), hcl(value)?),
            Syntax::Yaml if written.starts_with('[') => format!(", {}", yaml_flow(value)),
            Syntax::Yaml => {
                let column = self.column(span.start);
                let item = yaml_block(value, column + 2);
                format!("{}{}- {}", self.newline(at), " ".repeat(column), item.trim_start())
            }
            Syntax::Opaque => return None,
        };
        Some(vec![insertion(at, text)])
    }

    /// A member `path[0]` (with the rest of the path nested around `value`) added to `object`.
    fn insert(&self, object: NodeRef, path: &[String], value: &Value, first: bool) -> Option<Edit> {
        let (key, rest) = path.split_first()?;
        let nested = rest.iter().rev().fold(value.clone(), |inner, k| {
            let mut map = serde_json::Map::new();
            map.insert(k.clone(), inner);
            Value::Object(map)
        });
        if *self.syntax == Syntax::PolicyDocument {
            return self.insert_condition_block(object, path, value);
        }
        let span = object.value_span();
        let written = self.source(span);
        let members: Vec<NodeRef> = object.children().filter(|c| c.key_span().is_some()).collect();
        if !members.iter().all(|m| self.written(*m)) {
            return None;
        }
        let block_yaml = *self.syntax == Syntax::Yaml && !written.starts_with('{');
        // Nested objects of a multi-line JSON object are laid out like it, one member a line.
        let pretty = matches!(self.syntax, Syntax::Json(layers) if layers.is_empty()) && written.contains('\n');
        let member = match self.syntax {
            Syntax::Json(_) if pretty => {
                let line_of = |at: usize| self.indent(at);
                let inner = members.first().and_then(|m| m.key_span()).map(|s| line_of(s.start));
                let outer = line_of(span.start);
                let inner = inner.unwrap_or_else(|| format!("{outer}  "));
                let unit = inner
                    .strip_prefix(outer.as_str())
                    .filter(|u| !u.is_empty())
                    .unwrap_or("  ");
                format!(
                    "{}: {}",
                    json(&Value::String(key.clone())),
                    json_pretty(&nested, &inner, unit)
                )
            }
            Syntax::Json(_) => format!("{}: {}", json(&Value::String(key.clone())), json(&nested)),
            Syntax::Hcl => format!("{} = {}", hcl_key(key, false), hcl(&nested)?),
            Syntax::Yaml if block_yaml => {
                let column = members
                    .first()
                    .and_then(|m| m.key_span())
                    .map_or(0, |s| self.column(s.start));
                format!(
                    "{}:{}",
                    yaml_plain_or_quoted(key),
                    yaml_block_value(&nested, column + 2)
                )
            }
            Syntax::Yaml => format!("{}: {}", yaml_plain_or_quoted(key), yaml_flow(&nested)),
            Syntax::PolicyDocument | Syntax::Opaque => return None,
        };
        let member = member.replace('\n', self.newline(span.start));
        let layers: &[Layer] = match self.syntax {
            Syntax::Json(layers) => layers,
            _ => &[],
        };
        let multiline = written.contains('\n') || block_yaml;
        let Some(last) = members.iter().max_by_key(|m| self.value_span(**m).end) else {
            if !written.starts_with('{') {
                return None;
            }
            return Some(insertion(span.start + 1, escape(&member, layers)));
        };
        // Members of HCL objects may be separated by new lines alone, or by commas.
        let comma = match self.syntax {
            Syntax::Json(_) => ",",
            // On one line, HCL needs the comma; over several, only if the object uses them.
            Syntax::Hcl if !multiline || self.followed_by_comma(members[0].value_span().end) => ",",
            Syntax::Yaml if !block_yaml => ",",
            _ => "",
        };
        if first {
            let head = members.iter().filter_map(|m| m.key_span()).min_by_key(|s| s.start)?;
            let separator = if multiline {
                format!("{comma}{}{}", self.newline(head.start), self.indent(head.start))
            } else {
                format!("{comma} ")
            };
            return Some(insertion(head.start, escape(&format!("{member}{separator}"), layers)));
        }
        let mut at = self.value_span(*last).end;
        if block_yaml || *self.syntax == Syntax::Hcl {
            // After what ends the last member's line (a comment), never inside the value.
            at = self.end_of_content(at);
        }
        let line_of_key = last.key_span().map_or(at, |s| s.start);
        let indent = if block_yaml {
            " ".repeat(self.column(line_of_key))
        } else {
            self.indent(line_of_key)
        };
        let separator = if multiline {
            format!("{comma}{}{indent}", self.newline(at))
        } else {
            format!("{comma} ")
        };
        Some(insertion(at, escape(&format!("{separator}{member}"), layers)))
    }

    /// A `condition` block added to the statement block that holds `object`.
    fn insert_condition_block(&self, object: NodeRef, path: &[String], value: &Value) -> Option<Edit> {
        // The keys from the statement down: Condition, the operator, the condition key.
        let mut keys: Vec<String> = Vec::new();
        let mut statement = object;
        while statement.parent().and_then(NodeRef::key) != Some("Statement") {
            keys.insert(0, statement.written_key().or(statement.key())?.to_string());
            statement = statement.parent()?;
        }
        keys.extend(path.iter().cloned());
        let [condition, test, variable] = &keys[..] else {
            return None;
        };
        if condition != "Condition" {
            return None;
        }
        let values = match value {
            Value::Array(_) => value.clone(),
            other => Value::Array(vec![other.clone()]),
        };
        let span = statement.value_span();
        let block = self.source(span);
        let close = span.start + block.rfind('}')?;
        let nl = self.newline(span.start);
        let indent = self.indent(span.start);
        let inner = format!("{indent}  ");
        let body = [
            format!("{inner}condition {{"),
            format!("{inner}  test     = {}", hcl(&Value::String(test.clone()))?),
            format!("{inner}  variable = {}", hcl(&Value::String(variable.clone()))?),
            format!("{inner}  values   = {}", hcl(&values)?),
            format!("{inner}}}"),
        ]
        .join(nl);
        let line_start = self.line_start(close);
        if self.text[line_start..close].trim().is_empty() {
            Some(insertion(line_start, format!("{body}{nl}")))
        } else {
            Some(insertion(close, format!("{nl}{body}{nl}{indent}")))
        }
    }

    /// `member` moved from its condition operator to the operator `to`.
    fn move_member(&self, member: NodeRef, to: &str) -> Option<Vec<Edit>> {
        let operator = member.parent()?;
        let condition = operator.parent()?;
        let existing = condition
            .children()
            .find(|c| c.key().is_some_and(|k| k.eq_ignore_ascii_case(to)));
        let key = member.written_key().or(member.key())?.to_string();
        // An operator of that name that is not an object, or already has the key: two
        // conditions would become one; that is for a person to decide.
        let clash = |e: NodeRef| {
            e.kind() != Kind::Object
                || e.id() == operator.id()
                || e.children()
                    .any(|c| c.key().is_some_and(|k| k.eq_ignore_ascii_case(&key)))
        };
        if existing.is_some_and(clash) {
            return None;
        }
        if *self.syntax == Syntax::PolicyDocument {
            return self.retest_condition_block(member, to);
        }
        let alone = operator.child_ids().len() == 1;
        if alone && existing.is_none() {
            return self.replace(operator, Some(to), None);
        }
        if *self.syntax == Syntax::Opaque {
            return None;
        }
        // The member leaves its operator; an operator it leaves empty goes too.
        let removed = if alone {
            self.removal(operator)?
        } else {
            self.removal(member)?
        };
        // A single value stays single; a list stays a list.
        let value = match member.children().collect::<Vec<_>>()[..] {
            [one] if one.value_span() == member.value_span() => one.to_value(),
            _ => member.to_value(),
        };
        let added = match existing {
            Some(target) => self.insert(target, &[key], &value, false)?,
            None => self.insert(condition, &[to.to_string(), key], &value, false)?,
        };
        Some(vec![
            Edit {
                span: removed,
                text: String::new(),
            },
            added,
        ])
    }

    /// The bytes that take a member out of its object: with the separator before it (or, for
    /// the first, after it); in block YAML, from the line break before it to the end of its value.
    fn removal(&self, member: NodeRef) -> Option<Span> {
        let object = member.parent()?;
        let siblings: Vec<NodeRef> = object.children().collect();
        if !siblings.iter().all(|s| self.written(*s)) {
            return None;
        }
        let index = siblings.iter().position(|s| s.id() == member.id())?;
        let key_span = member.key_span()?;
        let block_yaml = *self.syntax == Syntax::Yaml && !self.source(object.value_span()).starts_with('{');
        Some(if block_yaml {
            // What follows (a member added to the operator it moves to) goes where it was.
            let start = self.line_start(key_span.start);
            let start =
                start - usize::from(start > 0) - usize::from(start > 1 && self.text.as_bytes()[start - 2] == b'\r');
            Span::new(start, self.end_of_content(self.value_span(member).end))
        } else if index > 0 {
            Span::new(siblings[index - 1].value_span().end, member.value_span().end)
        } else {
            Span::new(key_span.start, siblings.get(1)?.key_span()?.start)
        })
    }

    /// In an `aws_iam_policy_document`, each condition key has a block of its own: its `test`
    /// becomes `to` (the operator object merges the blocks that share a test).
    fn retest_condition_block(&self, member: NodeRef, to: &str) -> Option<Vec<Edit>> {
        let variable = member.key_span()?;
        let before = &self.text[..variable.start];
        let open = before.rfind("condition")?;
        let brace = open + "condition".len() + before[open + "condition".len()..].find('{')?;
        if !self.text[open + "condition".len()..brace].trim().is_empty() {
            return None;
        }
        let mut depth = 0usize;
        let mut close = None;
        for (i, c) in self.text[brace..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        close = Some(brace + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let block = &self.text[brace..close?];
        let test = block.find("test")?;
        let rest = &block[test + 4..];
        let equals = rest.find('=')?;
        if !rest[..equals].trim().is_empty() {
            return None;
        }
        let quote = equals + 1 + rest[equals + 1..].find('"')?;
        if !rest[equals + 1..quote].trim().is_empty() {
            return None;
        }
        let end = quote + 1 + rest[quote + 1..].find('"')? + 1;
        let start = brace + test + 4 + quote;
        Some(vec![Edit {
            span: Span::new(start, brace + test + 4 + end),
            text: hcl(&Value::String(to.to_string()))?,
        }])
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The white space that starts the line holding `at`.
    fn indent(&self, at: usize) -> String {
        let start = self.line_start(at);
        self.text[start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// The column of `at` on its line, in characters.
    fn column(&self, at: usize) -> usize {
        self.text[self.line_start(at)..at.min(self.text.len())].chars().count()
    }

    /// The line ending the file uses at `at`.
    fn newline(&self, at: usize) -> &'static str {
        let rest = &self.text[at.min(self.text.len())..];
        match rest.find('\n') {
            Some(i) if i > 0 && rest.as_bytes()[i - 1] == b'\r' => "\r\n",
            Some(_) => "\n",
            None if self.text.contains("\r\n") => "\r\n",
            None => "\n",
        }
    }

    /// The end of the line holding `at`, before its line ending, when only white space and a
    /// comment follow `at` there; else `at`.
    fn end_of_content(&self, at: usize) -> usize {
        let rest = &self.text[at.min(self.text.len())..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let tail = line.trim_start();
        if tail.is_empty() || tail.starts_with('#') || tail.starts_with("//") {
            at + line.len()
        } else {
            at
        }
    }

    fn followed_by_comma(&self, at: usize) -> bool {
        self.text[at.min(self.text.len())..]
            .trim_start_matches([' ', '\t'])
            .starts_with(',')
    }
}

fn insertion(at: usize, text: String) -> Edit {
    Edit {
        span: Span::new(at, at),
        text,
    }
}

/// JSON as a person writes it on one line: `["a", "b"]`, `{"k": "v"}`.
pub fn json(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(", ")),
        Value::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// JSON with each object's members on their own lines, `indent` the line the value starts on
/// and `unit` one level of indentation (lists of strings stay on one line); new lines are `\n`.
fn json_pretty(value: &Value, indent: &str, unit: &str) -> String {
    match value {
        Value::Object(members) if !members.is_empty() => {
            let inner = format!("{indent}{unit}");
            let lines: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{inner}{}: {}", Value::String(k.clone()), json_pretty(v, &inner, unit)))
                .collect();
            format!("{{\n{}\n{indent}}}", lines.join(",\n"))
        }
        other => json(other),
    }
}

/// `text` escaped for each string literal around it, innermost first.
fn escape(text: &str, layers: &[Layer]) -> String {
    layers.iter().rev().fold(text.to_string(), |text, layer| match layer {
        Layer::JsonString => string_body(&text),
        // `${...}` in an edit is a reference meant as one (values with unknown parts are never
        // written): Terraform interpolates it.
        Layer::HclString => string_body(&text),
        Layer::Heredoc => text,
    })
}

/// A JSON string literal's contents (no quotes) for `text`.
fn string_body(text: &str) -> String {
    let quoted = Value::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// Whether a string is one whole Terraform reference, `${aws_cognito_user_pool.main.arn}`.
fn is_reference(text: &str) -> bool {
    text.strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|inner| {
            !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-[]\"".contains(c))
        })
}

/// An HCL expression for a JSON value.
pub fn hcl(value: &Value) -> Option<String> {
    Some(match value {
        // A whole reference is written as the expression: `aws_cognito_user_pool.main.arn`.
        Value::String(s) if is_reference(s) => s[2..s.len() - 1].to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(hcl).collect::<Option<Vec<_>>>()?.join(", ")),
        Value::Object(members) => format!(
            "{{ {} }}",
            members
                .iter()
                .map(|(k, v)| Some(format!("{} = {}", hcl_key(k, false), hcl(v)?)))
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        other => other.to_string(),
    })
}

/// An object key in HCL: bare when it is an identifier and the key it replaces was bare.
fn hcl_key(key: &str, quoted: bool) -> String {
    let identifier = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier && !quoted {
        key.to_string()
    } else {
        Value::String(key.to_string()).to_string()
    }
}

/// The attribute of an `aws_iam_policy_document` statement block for a policy key.
fn block_attribute(key: &str) -> Option<&'static str> {
    Some(match key {
        "Sid" => "sid",
        "Effect" => "effect",
        "Action" => "actions",
        "NotAction" => "not_actions",
        "Resource" => "resources",
        "NotResource" => "not_resources",
        "Principal" => "principals",
        "NotPrincipal" => "not_principals",
        _ => return None,
    })
}

/// A YAML scalar for `value` in the quoting style of `written`, the scalar it replaces.
fn yaml_scalar(value: &str, written: &str) -> Option<String> {
    Some(match written.chars().next() {
        Some('"') => Value::String(value.to_string()).to_string(),
        Some('\'') => format!("'{}'", value.replace('\'', "''")),
        Some('|' | '>') => return None,
        _ => yaml_plain_or_quoted(value),
    })
}

/// A YAML replacement of the node written as `written` at `column`.
fn yaml_replacement(value: &Value, written: &str, column: usize) -> Option<String> {
    match value {
        Value::String(s) => yaml_scalar(s, written),
        // A block sequence stays one, at its column; items keep the first item's quotes.
        Value::Array(items) if written.starts_with('-') => {
            let first_item = written.trim_start_matches('-').trim_start();
            let lines = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => yaml_scalar(s, first_item),
                    other => Some(yaml_flow(other)),
                })
                .collect::<Option<Vec<_>>>()?;
            let newline = if written.contains("\r\n") { "\r\n" } else { "\n" };
            Some(format!(
                "- {}",
                lines.join(&format!("{newline}{}- ", " ".repeat(column)))
            ))
        }
        // A scalar or flow sequence becomes a flow sequence whose items keep its quotes.
        Value::Array(items) => {
            let first = written.trim_start_matches('[').trim_start();
            let quoted = first.starts_with(['"', '\'']);
            let items = items
                .iter()
                .map(|item| match item {
                    Value::String(s) if quoted => yaml_scalar(s, first),
                    other => Some(yaml_flow(other)),
                })
                .collect::<Option<Vec<_>>>()?;
            Some(format!("[{}]", items.join(", ")))
        }
        other => Some(yaml_flow(other)),
    }
}

/// A plain scalar when YAML reads it back as the same string, else a double-quoted one.
fn yaml_plain_or_quoted(text: &str) -> String {
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":._/-*@+=".contains(c))
        && !text.contains(": ")
        && !text.ends_with(':')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        text.to_string()
    } else {
        Value::String(text.to_string()).to_string()
    }
}

/// A YAML flow value (strings double-quoted when they hold a `:`, as flow context needs).
fn yaml_flow(value: &Value) -> String {
    match value {
        Value::String(s) if s.contains(':') => Value::String(s.clone()).to_string(),
        Value::String(s) => yaml_plain_or_quoted(s),
        Value::Array(items) => format!("[{}]", items.iter().map(yaml_flow).collect::<Vec<_>>().join(", ")),
        Value::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}: {}", yaml_flow(&Value::String(k.clone())), yaml_flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A value after `key:` in a block mapping whose members sit at `column`: a scalar on the same
/// line, a mapping or sequence on the lines below.
fn yaml_block_value(value: &Value, column: usize) -> String {
    match value {
        Value::Object(_) | Value::Array(_) => format!("\n{}", yaml_block(value, column)),
        other => format!(" {}", yaml_block(other, column)),
    }
}

/// A value in block style, each line at `column`.
fn yaml_block(value: &Value, column: usize) -> String {
    let pad = " ".repeat(column);
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| format!("{pad}{}:{}", yaml_plain_or_quoted(k), yaml_block_value(v, column + 2)))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Array(items) => items
            .iter()
            .map(|item| format!("{pad}- {}", yaml_block(item, column + 2).trim_start()))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::String(s) => yaml_plain_or_quoted(s),
        other => other.to_string(),
    }
}
