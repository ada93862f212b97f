//! The CDK's IAM classes read into the policy JSON they render, with spans at the TypeScript:
//! `new iam.PolicyStatement({ effect, sid, principals, notPrincipals, actions, notActions,
//! resources, notResources, conditions })`, `new iam.PolicyDocument({ statements })`, the
//! principal classes (`ServicePrincipal`, `AccountPrincipal`, `ArnPrincipal`, `AnyPrincipal`,
//! `AccountRootPrincipal`, `CompositePrincipal`, ...), and the methods that add to a statement or
//! a document bound to a name (`statement.addActions(...)`, `document.addStatements(...)`).
//!
//! What the CDK fills in is written where it comes from: `Effect` defaults to `Allow` and the
//! document's `Version` is `2012-10-17`, both at the `new` expression that implies them. A
//! principal's value is the string literal given to its class (`'email.cognito-idp.amazonaws.com'`
//! in `new iam.ServicePrincipal('email.cognito-idp.amazonaws.com')`); a principal whose class
//! adds conditions of its own (`OrganizationPrincipal`, `withConditions`) or a method this
//! module does not know makes the statement opaque.

use oxc_ast::ast::{CallExpression, Expression, NewExpression};
use oxc_span::GetSpan;

use super::values::{arguments, last_name, list, member, span, string, unknown, Reader, MAX_DEPTH};
use crate::json::{Member, Node, Value};
use crate::source::Span;
use crate::unknown::UNKNOWN;

/// How `PolicyStatement`'s properties are written in the policy.
const STATEMENT_KEYS: [(&str, &str); 9] = [
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("principals", "Principal"),
    ("notPrincipals", "NotPrincipal"),
    ("actions", "Action"),
    ("notActions", "NotAction"),
    ("resources", "Resource"),
    ("notResources", "NotResource"),
    ("conditions", "Condition"),
];

/// The policy language version the CDK writes.
pub const VERSION: &str = "2012-10-17";

/// A principal: its kind (`Service`, `AWS`, `Federated`, `CanonicalUser`) and value.
type Principal = (&'static str, Node);

/// A statement being built, its members in the order they are written.
#[derive(Default)]
pub struct Statement {
    members: Vec<Member>,
}

impl Statement {
    fn get_mut(&mut self, key: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.key == key)
    }

    pub fn set(&mut self, key: &str, key_span: Span, value: Node) {
        self.members.push(member(key, key_span, value));
    }

    /// Adds items to a list (`Action`, `Resource`, ...), creating it at `key_span`.
    fn extend(&mut self, key: &str, key_span: Span, items: Vec<Node>) {
        match self.get_mut(key) {
            Some(Member {
                value: Node {
                    value: Value::Array(list),
                    ..
                },
                ..
            }) => list.extend(items),
            _ => {
                let at = items.first().map_or(key_span, |i| i.span);
                self.set(key, key_span, list(items, at));
            }
        }
    }

    /// Adds principals under `key` (`Principal`, `NotPrincipal`), one list per kind.
    pub fn principals(&mut self, key: &str, key_span: Span, principals: Vec<Principal>) {
        if self.get_mut(key).is_none() {
            let at = principals.first().map_or(key_span, |p| p.1.span);
            self.set(
                key,
                key_span,
                Node {
                    value: Value::Object(Vec::new()),
                    span: at,
                },
            );
        }
        let Some(Member {
            value: Node {
                value: Value::Object(kinds),
                ..
            },
            ..
        }) = self.get_mut(key)
        else {
            return;
        };
        for (kind, value) in principals {
            match kinds.iter_mut().find(|m| m.key == kind) {
                Some(Member {
                    value:
                        Node {
                            value: Value::Array(list),
                            ..
                        },
                    ..
                }) => list.push(value),
                _ => {
                    let at = value.span;
                    kinds.push(member(kind, key_span, list(vec![value], at)));
                }
            }
        }
    }

    /// Adds the keys of a condition operator (`StringEquals: { ... }`).
    fn condition(&mut self, operator: &str, key_span: Span, keys: Node) {
        if self.get_mut("Condition").is_none() {
            self.set(
                "Condition",
                key_span,
                Node {
                    value: Value::Object(Vec::new()),
                    span: keys.span,
                },
            );
        }
        let Some(Member {
            value: Node {
                value: Value::Object(operators),
                ..
            },
            ..
        }) = self.get_mut("Condition")
        else {
            return;
        };
        match operators.iter_mut().find(|m| m.key == operator) {
            Some(Member {
                value:
                    Node {
                        value: Value::Object(existing),
                        ..
                    },
                ..
            }) => {
                if let Value::Object(more) = keys.value {
                    existing.extend(more);
                }
            }
            _ => operators.push(member(operator, key_span, keys)),
        }
    }

    pub fn into_node(self, at: Span) -> Node {
        Node {
            value: Value::Object(self.members),
            span: at,
        }
    }
}

/// A policy document `{"Version": "2012-10-17", "Statement": [...]}`, its synthesized parts at
/// `head`.
pub fn document_node(head: Span, statements_key: Span, statements: Vec<Node>, at: Span) -> Node {
    Node {
        value: Value::Object(vec![
            member("Version", head, string(VERSION, head)),
            member("Statement", statements_key, list(statements, statements_key)),
        ]),
        span: at,
    }
}

impl<'p, 'a> Reader<'p, 'a> {
    /// `new PolicyStatement({...})`, with what the methods called on its name add.
    pub fn statement(&self, new: &'p NewExpression<'a>, depth: usize) -> Node {
        self.consume(new.span.start);
        let head = span(new.callee.span());
        let mut statement = Statement::default();
        match arguments(&new.arguments).next().map(|a| (a, self.object(a))) {
            Some((_, Some(props))) => {
                self.consume(props.span.start);
                for (property, key) in STATEMENT_KEYS {
                    let Some((value, key_span)) = self.property(props, property) else {
                        continue;
                    };
                    let key_span = span(key_span);
                    match key {
                        "Principal" | "NotPrincipal" => {
                            let principals = self.principal_list(value, depth);
                            statement.principals(key, key_span, principals);
                        }
                        "Sid" | "Effect" | "Condition" => statement.set(key, key_span, self.value(value, depth + 1)),
                        _ => {
                            let node = self.value(value, depth + 1);
                            let items = match node.value {
                                Value::Array(items) => items,
                                _ => vec![node],
                            };
                            statement.extend(key, key_span, items);
                        }
                    }
                }
            }
            Some((_, None)) => self.make_opaque(),
            None => {}
        }
        if statement.get_mut("Effect").is_none() {
            statement
                .members
                .insert(0, member("Effect", head, string("Allow", head)));
        }
        for call in self.calls_on(new.span.start) {
            self.statement_method(&mut statement, call, depth);
        }
        statement.into_node(span(new.span))
    }

    /// `new PolicyDocument({ statements })`, with the statements `addStatements` adds.
    pub fn document(&self, new: &'p NewExpression<'a>, depth: usize) -> Node {
        self.consume(new.span.start);
        let head = span(new.callee.span());
        let mut statements = Vec::new();
        let mut statements_key = head;
        match arguments(&new.arguments).next().map(|a| self.object(a)) {
            Some(Some(props)) => {
                self.consume(props.span.start);
                if let Some((value, key)) = self.property(props, "statements") {
                    statements_key = span(key);
                    statements.extend(self.statements(value, depth));
                }
            }
            Some(None) => self.make_opaque(),
            None => {}
        }
        for call in self.calls_on(new.span.start) {
            if last_name(&call.callee) == Some("addStatements") {
                for argument in arguments(&call.arguments) {
                    statements.extend(self.statements(argument, depth));
                }
            }
        }
        document_node(head, statements_key, statements, span(new.span))
    }

    /// The statements an expression gives: a list of them or one; a value that is not a
    /// statement makes the document opaque.
    pub fn statements(&self, expression: &'p Expression<'a>, depth: usize) -> Vec<Node> {
        let node = self.value(expression, depth + 1);
        let items = match node.value {
            Value::Array(items) => items,
            _ => vec![node],
        };
        if items.iter().any(|i| i.as_object().is_none()) {
            self.make_opaque();
        }
        items
    }

    /// The method calls made on the name a value is bound to, in source order.
    fn calls_on(&self, start: u32) -> impl Iterator<Item = &'p CallExpression<'a>> + '_ {
        self.found
            .names
            .get(&start)
            .and_then(|name| self.found.calls.get(name))
            .into_iter()
            .flatten()
            .copied()
    }

    /// What a method called on a statement adds to it.
    fn statement_method(&self, statement: &mut Statement, call: &'p CallExpression<'a>, depth: usize) {
        let Some(method) = last_name(&call.callee) else { return };
        let at = match call.callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => span(m.property.span),
            other => span(other.span()),
        };
        let args: Vec<&'p Expression<'a>> = arguments(&call.arguments).collect();
        let values = |from: usize| -> Vec<Node> {
            args.iter()
                .skip(from)
                .flat_map(|a| match self.value(a, depth + 1) {
                    Node {
                        value: Value::Array(items),
                        ..
                    } => items,
                    node => vec![node],
                })
                .collect()
        };
        let first = || args.first().map_or_else(|| unknown(at), |a| self.value(a, depth + 1));
        match method {
            "addActions" => statement.extend("Action", at, values(0)),
            "addNotActions" => statement.extend("NotAction", at, values(0)),
            "addResources" => statement.extend("Resource", at, values(0)),
            "addNotResources" => statement.extend("NotResource", at, values(0)),
            "addAllResources" => statement.extend("Resource", at, vec![string("*", at)]),
            "addPrincipals" | "addNotPrincipals" => {
                let mut principals = Vec::new();
                for argument in &args {
                    self.principal(argument, depth, &mut principals);
                }
                let key = if method == "addPrincipals" {
                    "Principal"
                } else {
                    "NotPrincipal"
                };
                statement.principals(key, at, principals);
            }
            "addServicePrincipal" => statement.principals("Principal", at, vec![("Service", first())]),
            "addArnPrincipal" => statement.principals("Principal", at, vec![("AWS", first())]),
            "addAwsAccountPrincipal" => {
                let root = account_root(&first());
                statement.principals("Principal", at, vec![("AWS", root)]);
            }
            "addAccountRootPrincipal" => {
                statement.principals("Principal", at, vec![("AWS", account_root(&unknown(at)))]);
            }
            "addAnyPrincipal" => statement.principals("Principal", at, vec![("AWS", string("*", at))]),
            "addCanonicalUserPrincipal" => statement.principals("Principal", at, vec![("CanonicalUser", first())]),
            "addFederatedPrincipal" => {
                statement.principals("Principal", at, vec![("Federated", first())]);
                if let Some(conditions) = args.get(1) {
                    self.conditions(statement, conditions, depth);
                }
            }
            "addCondition" => match (args.first().and_then(|a| self.text_of(a, depth + 1)), args.get(1)) {
                (Some(operator), Some(keys)) => statement.condition(&operator, at, self.value(keys, depth + 1)),
                _ => self.make_opaque(),
            },
            "addConditions" => match args.first() {
                Some(conditions) => self.conditions(statement, conditions, depth),
                None => self.make_opaque(),
            },
            "addSourceAccountCondition" => {
                let keys = Node {
                    value: Value::Object(vec![member("aws:SourceAccount", at, first())]),
                    span: at,
                };
                statement.condition("StringEquals", at, keys);
            }
            "addSourceArnCondition" => {
                let keys = Node {
                    value: Value::Object(vec![member("aws:SourceArn", at, first())]),
                    span: at,
                };
                statement.condition("ArnEquals", at, keys);
            }
            // Another method that adds to the statement: what it adds is not known here.
            other if other.starts_with("add") => self.make_opaque(),
            _ => {}
        }
    }

    /// Every operator of a conditions object, added to the statement.
    fn conditions(&self, statement: &mut Statement, conditions: &'p Expression<'a>, depth: usize) {
        match self.value(conditions, depth + 1).value {
            Value::Object(operators) => {
                for operator in operators {
                    statement.condition(&operator.key, operator.key_span, operator.value);
                }
            }
            _ => self.make_opaque(),
        }
    }

    /// The principals of a `principals` list (or of one principal).
    pub fn principal_list(&self, expression: &'p Expression<'a>, depth: usize) -> Vec<Principal> {
        let mut principals = Vec::new();
        match self.resolve(expression) {
            Expression::ArrayExpression(array) => {
                for element in &array.elements {
                    match element.as_expression() {
                        Some(e) => self.principal(e, depth, &mut principals),
                        None => self.make_opaque(),
                    }
                }
            }
            _ => self.principal(expression, depth, &mut principals),
        }
        principals
    }

    /// One principal object (`new iam.ServicePrincipal('...')`, ...).
    pub fn principal(&self, expression: &'p Expression<'a>, depth: usize, out: &mut Vec<Principal>) {
        if depth > MAX_DEPTH {
            self.make_opaque();
            return;
        }
        let d = depth + 1;
        let resolved = self.resolve(expression);
        let at = span(resolved.span());
        let (class, args): (Option<&str>, Vec<&'p Expression<'a>>) = match resolved {
            Expression::NewExpression(new) => (last_name(&new.callee), arguments(&new.arguments).collect()),
            Expression::CallExpression(call) => (last_name(&call.callee), arguments(&call.arguments).collect()),
            _ => (None, Vec::new()),
        };
        let first = || args.first().map_or_else(|| unknown(at), |a| self.value(a, d));
        match class {
            Some("ServicePrincipal" | "fromStaticServicePrincipleName") => out.push(("Service", first())),
            Some("ArnPrincipal") => out.push(("AWS", first())),
            Some("AccountPrincipal") => out.push(("AWS", account_root(&first()))),
            Some("AccountRootPrincipal") => out.push(("AWS", account_root(&unknown(at)))),
            Some("AnyPrincipal" | "StarPrincipal") => out.push(("AWS", string("*", at))),
            Some("FederatedPrincipal" | "WebIdentityPrincipal" | "OpenIdConnectPrincipal" | "SamlPrincipal") => {
                out.push(("Federated", first()));
            }
            Some("CanonicalUserPrincipal") => out.push(("CanonicalUser", first())),
            Some("CompositePrincipal") => {
                for argument in args {
                    self.principal(argument, d, out);
                }
            }
            Some("SessionTagsPrincipal") => match args.first() {
                Some(inner) => self.principal(inner, d, out),
                None => self.make_opaque(),
            },
            // Principals that bring conditions of their own.
            Some("OrganizationPrincipal" | "PrincipalWithConditions" | "withConditions") => self.make_opaque(),
            Some("withSessionTags") => match resolved {
                Expression::CallExpression(call) => match call.callee.get_inner_expression() {
                    Expression::StaticMemberExpression(m) => self.principal(&m.object, d, out),
                    _ => self.make_opaque(),
                },
                _ => self.make_opaque(),
            },
            // A role, a user, a principal passed in: which one is not known.
            _ => out.push(("AWS", unknown(at))),
        }
    }
}

/// An account's root principal ARN, at the account's place: `arn:PARTITION:iam::ACCOUNT:root`.
fn account_root(account: &Node) -> Node {
    let account_text = account.as_str().unwrap_or("\u{e000}");
    let arn = if account_text.starts_with("arn:") {
        account_text.to_string()
    } else {
        format!("arn:{UNKNOWN}:iam::{account_text}:root")
    };
    string(arn, account.span)
}
