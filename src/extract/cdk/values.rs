//! What a TypeScript/JavaScript expression is known to be, as the span-keeping [`Node`] tree the
//! other extractors build, with spans at the source.
//!
//! String literals and template literals keep their known text, and each `${...}` whose value
//! is not known becomes [`UNKNOWN`]; `this.account`, `Aws.ACCOUNT_ID`, `Stack.of(this).region` and
//! any other token are unknown. Some properties say what they hold, by the CDK's own names:
//! `.userPoolArn` is a user pool ARN, `.identityPoolArn` an identity pool ARN,
//! `.emailIdentityArn` an SES identity ARN; `formatArn({...})` and `Arn.format({...})` build the
//! ARN their components say. `JSON.stringify(x)`, `Stack.toJsonString(x)` and
//! `PolicyDocument.fromJson(x)` are `x`. A name bound once in the file (`const policy = {...}`)
//! is followed to its value; anything else is unknown, never guessed.
//!
//! An object whose members cannot all be known (a spread of an unknown value, a computed key)
//! makes the value *opaque*: the reader that asked drops what it was building, as the Terraform
//! reader drops a document with a `dynamic` block.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use oxc_ast::ast::{
    Argument, ArrayExpressionElement, BinaryOperator, CallExpression, Expression, ObjectExpression, ObjectPropertyKind,
    PropertyKind,
};
use oxc_span::GetSpan;

use super::walk::{name_of, Found};
use crate::json::{Member, Node, Value};
use crate::source::Span;
use crate::unknown::{is_partly_unknown, UNKNOWN};

/// How many levels of values (and of names followed) are read.
pub const MAX_DEPTH: usize = 64;

/// How many values a file may expand to: names are followed wherever they are used, so
/// `const b = [a, a]; const c = [b, b]; ...` doubles at each line; past this the rest is unknown.
const MAX_VALUES: usize = 1_000_000;

/// Reads values of one program.
pub struct Reader<'p, 'a> {
    pub text: &'p str,
    pub found: Found<'p, 'a>,
    /// Start offsets of the documents, statements and objects read into something larger, so
    /// that they are not reported again on their own.
    consumed: RefCell<HashSet<u32>>,
    opaque: Cell<bool>,
    /// Values read so far, against [`MAX_VALUES`].
    read: Cell<usize>,
}

/// A crate span from an oxc span.
pub fn span(span: oxc_span::Span) -> Span {
    Span::new(span.start as usize, span.end as usize)
}

pub fn string(value: impl Into<String>, at: Span) -> Node {
    Node {
        value: Value::String(value.into()),
        span: at,
    }
}

pub fn unknown(at: Span) -> Node {
    string(UNKNOWN.to_string(), at)
}

pub fn list(items: Vec<Node>, at: Span) -> Node {
    Node {
        value: Value::Array(items),
        span: at,
    }
}

pub fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span,
        value,
    }
}

/// The class or function an expression names, without its namespace: `PolicyStatement` for
/// `new iam.PolicyStatement`, `formatArn` for `stack.formatArn`.
pub fn last_name<'a>(callee: &Expression<'a>) -> Option<&'a str> {
    match callee.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(member) => Some(member.property.name.as_str()),
        _ => None,
    }
}

/// The name of the object a member expression is on: `JSON` for `JSON.stringify`, `Arn` for
/// `cdk.Arn.format`.
pub fn object_name<'a>(callee: &Expression<'a>) -> Option<&'a str> {
    match callee.get_inner_expression() {
        Expression::StaticMemberExpression(member) => last_name(&member.object),
        _ => None,
    }
}

/// The arguments of a call that are expressions (spread arguments are not).
pub fn arguments<'p, 'a>(arguments: &'p [Argument<'a>]) -> impl Iterator<Item = &'p Expression<'a>> {
    arguments.iter().filter_map(Argument::as_expression)
}

impl<'p, 'a> Reader<'p, 'a> {
    pub fn new(text: &'p str, found: Found<'p, 'a>) -> Self {
        Reader {
            text,
            found,
            consumed: RefCell::new(HashSet::new()),
            opaque: Cell::new(false),
            read: Cell::new(0),
        }
    }

    /// Marks the value starting at `start` as read into something larger.
    pub fn consume(&self, start: u32) {
        self.consumed.borrow_mut().insert(start);
    }

    pub fn is_consumed(&self, start: u32) -> bool {
        self.consumed.borrow().contains(&start)
    }

    /// Marks what is being read as not fully knowable.
    pub fn make_opaque(&self) {
        self.opaque.set(true);
    }

    /// Reads with `read` and tells whether everything it read was knowable; the flag is the
    /// caller's again afterwards.
    pub fn knowable<T>(&self, read: impl FnOnce() -> T) -> (T, bool) {
        let outer = self.opaque.replace(false);
        let value = read();
        let opaque = self.opaque.replace(outer || self.opaque.get());
        (value, !opaque)
    }

    /// The expression a name refers to, followed through names bound once in the file; the
    /// expression itself otherwise. TypeScript's `as`, `satisfies`, `!` and parentheses are
    /// looked through.
    pub fn resolve(&self, expression: &'p Expression<'a>) -> &'p Expression<'a> {
        let mut current = expression.get_inner_expression();
        for _ in 0..MAX_DEPTH {
            let Some(name) = name_of(current) else { break };
            match self.found.bindings.get(&name) {
                Some(Some(value)) => current = value.get_inner_expression(),
                _ => break,
            }
        }
        current
    }

    /// The object literal an expression is, or names.
    pub fn object(&self, expression: &'p Expression<'a>) -> Option<&'p ObjectExpression<'a>> {
        match self.resolve(expression) {
            Expression::ObjectExpression(object) => Some(object),
            _ => None,
        }
    }

    /// A property of an object literal, by name (the last one written wins, as in JavaScript).
    pub fn property(
        &self,
        object: &'p ObjectExpression<'a>,
        name: &str,
    ) -> Option<(&'p Expression<'a>, oxc_span::Span)> {
        object.properties.iter().rev().find_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some(name) => {
                Some((&p.value, p.key.span()))
            }
            _ => None,
        })
    }

    /// The string an expression is known to be, with unknown parts as [`UNKNOWN`]; `None` when
    /// it is not a string (an object, an array, a number).
    pub fn text_of(&self, expression: &'p Expression<'a>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return Some(UNKNOWN.to_string());
        }
        match self.value(expression, depth + 1).value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// What an expression is known to be, with spans at the source.
    pub fn value(&self, expression: &'p Expression<'a>, depth: usize) -> Node {
        let at = span(expression.span());
        self.read.set(self.read.get() + 1);
        if depth > MAX_DEPTH || self.read.get() > MAX_VALUES {
            self.make_opaque();
            return unknown(at);
        }
        let d = depth + 1;
        let expression = expression.get_inner_expression();
        match expression {
            Expression::StringLiteral(s) => string(s.value.as_str(), at),
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, quasi) in t.quasis.iter().enumerate() {
                    out.push_str(quasi.value.cooked.as_ref().unwrap_or(&quasi.value.raw));
                    if let Some(inner) = t.expressions.get(i) {
                        out.push_str(&self.text_of(inner, d).unwrap_or_else(|| UNKNOWN.to_string()));
                    }
                }
                string(out, at)
            }
            Expression::NumericLiteral(_) => Node {
                value: Value::Number(self.text.get(at.start..at.end).unwrap_or("0").replace('_', "")),
                span: at,
            },
            Expression::BooleanLiteral(b) => Node {
                value: Value::Bool(b.value),
                span: at,
            },
            Expression::NullLiteral(_) => Node {
                value: Value::Null,
                span: at,
            },
            Expression::Identifier(_) => self.named(expression, at, d),
            Expression::StaticMemberExpression(member) => match name_of(expression) {
                Some(name) if matches!(self.found.bindings.get(&name), Some(Some(_))) => self.named(expression, at, d),
                _ => typed_property(member.property.name.as_str(), last_name(&member.object), at),
            },
            Expression::ArrayExpression(array) => {
                let mut items = Vec::new();
                for element in &array.elements {
                    match element {
                        ArrayExpressionElement::SpreadElement(spread) => match self.value(&spread.argument, d).value {
                            Value::Array(inner) => items.extend(inner),
                            _ => self.make_opaque(),
                        },
                        ArrayExpressionElement::Elision(_) => {}
                        other => {
                            if let Some(e) = other.as_expression() {
                                items.push(self.value(e, d));
                            }
                        }
                    }
                }
                list(items, at)
            }
            Expression::ObjectExpression(object) => self.object_literal_at(object, d),
            Expression::BinaryExpression(binary) if binary.operator == BinaryOperator::Addition => {
                match (self.value(&binary.left, d).value, self.value(&binary.right, d).value) {
                    (Value::String(l), Value::String(r)) => string(l + &r, at),
                    (Value::String(l), Value::Number(r)) => string(l + &r, at),
                    (Value::Number(l), Value::String(r)) => string(l + &r, at),
                    _ => unknown(at),
                }
            }
            Expression::CallExpression(call) => self.call_value(call, at, d),
            Expression::NewExpression(new) => match last_name(&new.callee) {
                Some("PolicyStatement") => self.statement(new, d),
                Some("PolicyDocument") => self.document(new, d),
                _ => unknown(at),
            },
            _ => unknown(at),
        }
    }

    /// A name's value, where it is bound (so that findings point at what was written there).
    fn named(&self, expression: &'p Expression<'a>, at: Span, depth: usize) -> Node {
        let resolved = self.resolve(expression);
        if std::ptr::eq(resolved, expression.get_inner_expression()) {
            return match expression {
                Expression::Identifier(id) if id.name == "undefined" => Node {
                    value: Value::Null,
                    span: at,
                },
                _ => unknown(at),
            };
        }
        self.value(resolved, depth)
    }

    /// An object literal's value.
    pub fn object_literal(&self, object: &'p ObjectExpression<'a>) -> Node {
        self.object_literal_at(object, 0)
    }

    fn object_literal_at(&self, object: &'p ObjectExpression<'a>, depth: usize) -> Node {
        self.consume(object.span.start);
        let mut members = Vec::new();
        self.members(object, depth, &mut members);
        Node {
            value: Value::Object(members),
            span: span(object.span),
        }
    }

    fn members(&self, object: &'p ObjectExpression<'a>, depth: usize, members: &mut Vec<Member>) {
        if depth > MAX_DEPTH {
            self.make_opaque();
            return;
        }
        for property in &object.properties {
            match property {
                ObjectPropertyKind::ObjectProperty(p) => {
                    if p.method || p.kind != PropertyKind::Init {
                        continue;
                    }
                    let Some(key) = p.key.static_name() else {
                        // `[key]: value` with a key that is not a literal: which key is unknown.
                        self.make_opaque();
                        continue;
                    };
                    let value = self.value(&p.value, depth + 1);
                    if holds_unknown_grammar(&key, &value) {
                        self.make_opaque();
                    }
                    members.push(member(&key, span(p.key.span()), value));
                }
                ObjectPropertyKind::SpreadProperty(spread) => match self.object(&spread.argument) {
                    Some(inner) => {
                        self.consume(inner.span.start);
                        self.members(inner, depth + 1, members);
                    }
                    None => self.make_opaque(),
                },
            }
        }
    }

    fn call_value(&self, call: &'p CallExpression<'a>, at: Span, depth: usize) -> Node {
        let first = arguments(&call.arguments).next();
        match (object_name(&call.callee), last_name(&call.callee), first) {
            // The object a JSON text is made of: the policy as written.
            (Some("JSON"), Some("stringify"), Some(value)) | (_, Some("toJsonString" | "fromJson"), Some(value)) => {
                self.value(value, depth)
            }
            (_, Some("toJSON" | "toStatementJson"), None) => match &call.callee.get_inner_expression() {
                Expression::StaticMemberExpression(member) => self.value(&member.object, depth),
                _ => unknown(at),
            },
            (_, Some("formatArn"), Some(components)) | (Some("Arn"), Some("format"), Some(components)) => {
                match self.object(components) {
                    Some(object) => string(self.format_arn(object, depth), at),
                    None => unknown(at),
                }
            }
            _ => unknown(at),
        }
    }

    /// The ARN `formatArn({ service, resource, resourceName, region, account, partition,
    /// arnFormat })` builds; the stack's partition, region and account are unknown.
    fn format_arn(&self, object: &'p ObjectExpression<'a>, depth: usize) -> String {
        let part = |name: &str| {
            self.property(object, name)
                .map(|(value, _)| self.text_of(value, depth + 1).unwrap_or_else(|| UNKNOWN.to_string()))
        };
        let u = UNKNOWN.to_string();
        let service = part("service").unwrap_or_else(|| u.clone());
        let resource = part("resource").unwrap_or_else(|| u.clone());
        let separator = match self
            .property(object, "arnFormat")
            .and_then(|(v, _)| match v.get_inner_expression() {
                Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
                _ => None,
            }) {
            Some("COLON_RESOURCE_NAME") => Some(":"),
            Some("NO_RESOURCE_NAME") => None,
            _ => Some("/"),
        };
        let mut arn = format!(
            "arn:{}:{service}:{}:{}:{resource}",
            part("partition").unwrap_or_else(|| u.clone()),
            part("region").unwrap_or_else(|| u.clone()),
            part("account").unwrap_or_else(|| u.clone()),
        );
        if let (Some(separator), Some(name)) = (separator, part("resourceName")) {
            arn.push_str(separator);
            arn.push_str(&name);
        }
        arn
    }
}

/// Whether a policy's structure is unknown where it matters: a `Statement`, `Principal` or
/// `Condition` (or a statement in the list), or a whole `Policy` / `PolicyDocument`, that is a
/// value not known here, such as a function's parameter. Read as a string, it would be a policy
/// with no statements or no conditions, or text that is not JSON.
fn holds_unknown_grammar(key: &str, value: &Node) -> bool {
    let unknown = |node: &Node| node.as_str() == Some(UNKNOWN.encode_utf8(&mut [0; 4]));
    match (key, &value.value) {
        ("Statement", Value::Array(items)) => items.iter().any(unknown),
        // JSON text with a value not known here outside its strings (`"Statement": [${s}]`).
        ("Policy", Value::String(text)) if is_partly_unknown(text) => !crate::json::parse(text).errors.is_empty(),
        ("Statement" | "Principal" | "NotPrincipal" | "Condition" | "Policy" | "PolicyDocument", _) => unknown(value),
        _ => false,
    }
}

/// What a property the CDK names says it holds: `.userPoolArn`, `.identityPoolArn`,
/// `.emailIdentityArn`, and `Effect.ALLOW` / `Effect.DENY`; any other property is unknown.
fn typed_property(property: &str, object: Option<&str>, at: Span) -> Node {
    let u = UNKNOWN;
    let arn = |service: &str, resource: &str| format!("arn:{u}:{service}:{u}:{u}:{resource}/{u}");
    match (object, property) {
        (_, "userPoolArn") => string(arn("cognito-idp", "userpool"), at),
        (_, "identityPoolArn") => string(arn("cognito-identity", "identitypool"), at),
        (_, "emailIdentityArn") => string(arn("ses", "identity"), at),
        (Some("Effect"), "ALLOW") => string("Allow", at),
        (Some("Effect"), "DENY") => string("Deny", at),
        _ => unknown(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_properties_keep_their_shape() {
        let at = Span::new(0, 1);
        let u = UNKNOWN;
        assert_eq!(
            typed_property("userPoolArn", Some("pool"), at).as_str(),
            Some(format!("arn:{u}:cognito-idp:{u}:{u}:userpool/{u}").as_str())
        );
        assert_eq!(typed_property("ALLOW", Some("Effect"), at).as_str(), Some("Allow"));
        assert_eq!(typed_property("account", Some("this"), at).as_str(), Some("\u{e000}"));
    }
}
