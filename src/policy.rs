//! The canonical form of a policy document and the span map back to its source text.
//!
//! IAM accepts many spellings of one policy (a single statement object or a list, a string or a
//! list of actions, `"Principal": "*"`, condition keys in any case). Rules are easier to write,
//! and harder to get wrong, against one shape; diagnostics must still point at what the user
//! wrote. So every document is turned into a canonical `serde_json::Value` and a [`SpanMap`]
//! from each canonical JSON pointer to the bytes it came from.
//!
//! Canonical form:
//! - `Statement` is always a list of statements;
//! - `Action`, `NotAction`, `Resource`, `NotResource`, each `Principal` / `NotPrincipal` entry,
//!   and each condition value are always lists;
//! - `"Principal": "*"` (any string principal) becomes `{"AWS": ["*"]}`;
//! - condition keys are folded to lower case (IAM compares them case-insensitively); the key as
//!   written stays available through [`NodeSource::key_text`].

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::json::{self, DuplicateKey, SyntaxError};
use crate::source::Span;

/// What kind of policy a document is, which decides the rules that see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An SES identity (sending-authorization) policy.
    SesIdentityPolicy,
    /// An IAM role trust policy (its statements allow `sts:AssumeRole*`).
    RoleTrustPolicy,
    /// Any other policy: an S3 bucket policy, an IAM permissions policy, ...
    Unrelated,
    /// Text that should hold a policy but could not be parsed into one.
    Unparsed,
    /// Not a policy: a user pool and the identity policies it depends on, for the
    /// cross-resource rules (`extract/pools.rs`).
    UserPool,
}

/// What the container says about the documents it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextHint {
    /// The container only holds SES identity policies (an SES CLI export, a Terraform
    /// `aws_ses_identity_policy`).
    SesIdentityPolicy,
    /// Nothing is known: classify by content.
    Unknown,
    /// The container holds no SES identity policy (an SNS topic policy, an IAM role): classify
    /// by content, but never as an SES identity policy.
    NotSesIdentityPolicy,
    /// A pool document built by `extract/pools.rs` (not a policy).
    UserPool,
}

/// Where a canonical node came from.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSource {
    /// The value's bytes in the file.
    pub value: Span,
    /// The key's bytes, for object members.
    pub key: Option<Span>,
    /// The key as written (before any case folding), for object members.
    pub key_text: Option<String>,
}

/// Canonical JSON pointer (RFC 6901) -> source of that node.
#[derive(Debug, Default, Clone)]
pub struct SpanMap(HashMap<String, NodeSource>);

impl SpanMap {
    pub fn get(&self, pointer: &str) -> Option<&NodeSource> {
        self.0.get(pointer)
    }

    fn insert(&mut self, pointer: &str, source: NodeSource) {
        self.0.insert(pointer.to_string(), source);
    }
}

/// One policy document found in a file.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    /// Where in its container the document lives (`Policies.cognito`); empty for a whole file.
    pub label: String,
    pub context: Context,
    /// The canonical document; `None` when the text could not be parsed.
    pub canonical: Option<Value>,
    pub spans: SpanMap,
    /// The document's text in the file (for a policy inside a JSON string: the string literal).
    pub span: Span,
    /// The size of the policy text as AWS receives it, in bytes.
    pub size_bytes: usize,
    /// Syntax errors, with spans in the file.
    pub syntax_errors: Vec<SyntaxError>,
    /// Errors in the syntax of the file that holds the policy (Terraform that does not parse),
    /// as opposed to the policy's own JSON: the file's policies could not be read at all.
    pub file_errors: Vec<SyntaxError>,
    /// Repeated keys, with spans in the file.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// What the container knows about the document beyond its text (README: "Facts"), for
    /// rules' `fact` clauses; `null` when nothing is known.
    pub facts: Value,
}

/// The statement keys that hold a list of strings in canonical form.
const LIST_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

impl PolicyDocument {
    /// Builds a document from a parsed JSON value. `errors` and `duplicate_keys` are the parse
    /// problems inside it; `map_span` translates spans of the parsed text into spans of the
    /// file (the identity for a whole file; an [`json::OffsetMap`] for a string).
    pub fn new(
        label: String,
        hint: ContextHint,
        root: Option<&json::Node>,
        problems: (&[SyntaxError], &[DuplicateKey]),
        span: Span,
        size_bytes: usize,
        map_span: &dyn Fn(Span) -> Span,
    ) -> Self {
        let (errors, duplicates) = problems;
        let syntax_errors = errors
            .iter()
            .map(|e| SyntaxError {
                span: map_span(e.span),
                ..e.clone()
            })
            .collect();
        let duplicate_keys = duplicates
            .iter()
            .map(|d| DuplicateKey {
                key: d.key.clone(),
                first: map_span(d.first),
                second: map_span(d.second),
            })
            .collect::<Vec<_>>();
        let mut spans = SpanMap::default();
        let mut duplicate_keys = duplicate_keys;
        let canonical = root.map(|root| {
            let mut builder = Canonicalizer {
                spans: &mut spans,
                folded_duplicates: Vec::new(),
                map_span,
                pointer: String::new(),
            };
            builder.record(root.span, None);
            let value = builder.convert(root, Role::Document);
            duplicate_keys.append(&mut builder.folded_duplicates);
            value
        });
        let context = match &canonical {
            None => Context::Unparsed,
            Some(_) if hint == ContextHint::SesIdentityPolicy => Context::SesIdentityPolicy,
            Some(_) if hint == ContextHint::UserPool => Context::UserPool,
            Some(value) => match classify(value) {
                Context::SesIdentityPolicy if hint == ContextHint::NotSesIdentityPolicy => Context::Unrelated,
                context => context,
            },
        };
        PolicyDocument {
            label,
            context,
            canonical,
            spans,
            span,
            size_bytes,
            syntax_errors,
            file_errors: Vec::new(),
            duplicate_keys,
            facts: Value::Null,
        }
    }

    /// Whether the document counts as a policy checked (a pool document does not).
    pub fn is_policy(&self) -> bool {
        self.canonical.is_some() && self.context != Context::UserPool
    }

    /// The statements of the canonical document, with their pointers.
    pub fn statements(&self) -> impl Iterator<Item = (String, &Value)> {
        self.canonical
            .as_ref()
            .and_then(|doc| doc.get("Statement"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, statement)| (format!("/Statement/{i}"), statement))
    }
}

/// Whether a JSON object is a policy document: it has `Statement`, or an IAM `Version` (so
/// that a misspelled `Statement` is reported rather than skipped).
pub fn is_policy_document(node: &json::Node) -> bool {
    node.get("Statement").is_some()
        || node
            .get("Version")
            .and_then(|v| v.value.as_str())
            .is_some_and(|v| v == "2012-10-17" || v == "2008-10-17")
}

/// What a canonical node is in the policy grammar, which decides how it is canonicalized.
#[derive(Clone, Copy)]
enum Role {
    Document,
    Statement,
    List,
    Principal,
    Condition,
    ConditionOperator,
    Other,
}

struct Canonicalizer<'a> {
    spans: &'a mut SpanMap,
    /// Condition keys repeated in another case (`aws:SourceArn`, `AWS:SourceArn`), file spans.
    folded_duplicates: Vec<DuplicateKey>,
    map_span: &'a dyn Fn(Span) -> Span,
    pointer: String,
}

impl Canonicalizer<'_> {
    fn record(&mut self, value: Span, key: Option<(&json::Member, &str)>) {
        let source = NodeSource {
            value: (self.map_span)(value),
            key: key.map(|(m, _)| (self.map_span)(m.key_span)),
            key_text: key.map(|(_, text)| text.to_string()),
        };
        self.spans.insert(&self.pointer, source);
    }

    /// Runs `f` with the pointer extended by one reference token.
    fn child<T>(&mut self, token: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.pointer.len();
        self.pointer.push('/');
        if token.contains(['~', '/']) {
            self.pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
        } else {
            self.pointer.push_str(token);
        }
        let out = f(self);
        self.pointer.truncate(len);
        out
    }

    fn convert(&mut self, node: &json::Node, role: Role) -> Value {
        match (&node.value, role) {
            (json::Value::Object(members), _) => self.convert_object(members, role),
            (json::Value::Array(items), Role::Document | Role::Statement | Role::Other | Role::List) => {
                let item_role = if matches!(role, Role::List) { Role::Other } else { role };
                let values = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.child(&i.to_string(), |c| {
                            c.record(item.span, None);
                            c.convert(item, item_role)
                        })
                    })
                    .collect();
                Value::Array(values)
            }
            (_, Role::List) => {
                // A single value stands for a one-element list.
                let value = self.child("0", |c| {
                    c.record(node.span, None);
                    c.convert(node, Role::Other)
                });
                Value::Array(vec![value])
            }
            (json::Value::String(_), Role::Principal) => {
                // "Principal": "*" means {"AWS": ["*"]}.
                let list = self.child("AWS", |c| {
                    c.record(node.span, None);
                    c.convert(node, Role::List)
                });
                Value::Object(Map::from_iter([("AWS".to_string(), list)]))
            }
            (value, _) => scalar(value),
        }
    }

    /// `aws:SourceArn` and `AWS:SourceArn` are one key to IAM: a repeat in another case is a
    /// duplicate key. (Exact repeats are reported by the parser already.) As with exact
    /// repeats, the last one is the one the canonical form keeps. `earlier` maps the lower-case
    /// form of each key seen before `member` to the last member with it.
    fn note_case_folded_repeat(
        &mut self,
        earlier: &HashMap<String, &json::Member>,
        member: &json::Member,
        folded: &str,
    ) {
        if let Some(first) = earlier.get(folded).filter(|first| first.key != member.key) {
            self.folded_duplicates.push(DuplicateKey {
                key: member.key.clone(),
                first: (self.map_span)(first.key_span),
                second: (self.map_span)(member.key_span),
            });
        }
    }

    fn convert_object(&mut self, members: &[json::Member], role: Role) -> Value {
        let mut map = Map::new();
        // Condition keys seen so far, by their lower-case form.
        let mut folded: HashMap<String, &json::Member> = HashMap::new();
        for member in members {
            let (key, member_role) = match (role, member.key.as_str()) {
                (Role::Document, "Statement") => (member.key.clone(), Role::Statement),
                (Role::Statement, k) if LIST_KEYS.contains(&k) => (member.key.clone(), Role::List),
                (Role::Statement, "Principal" | "NotPrincipal") => (member.key.clone(), Role::Principal),
                (Role::Statement, "Condition") => (member.key.clone(), Role::Condition),
                (Role::Principal, _) => (member.key.clone(), Role::List),
                (Role::Condition, _) => (member.key.clone(), Role::ConditionOperator),
                (Role::ConditionOperator, k) => (k.to_lowercase(), Role::List),
                _ => (member.key.clone(), Role::Other),
            };
            if matches!(role, Role::ConditionOperator) {
                self.note_case_folded_repeat(&folded, member, &key);
                folded.insert(key.clone(), member);
            }
            let value = self.child(&key, |c| {
                c.record(member.value.span, Some((member, &member.key)));
                if matches!((role, member_role), (Role::Document, Role::Statement)) {
                    c.convert_statements(&member.value)
                } else {
                    c.convert(&member.value, member_role)
                }
            });
            map.insert(key, value);
        }
        Value::Object(map)
    }

    /// `Statement` holds a list of statements; a single statement object stands for a list of one.
    fn convert_statements(&mut self, node: &json::Node) -> Value {
        match &node.value {
            json::Value::Object(_) => {
                let statement = self.child("0", |c| {
                    c.record(node.span, None);
                    c.convert(node, Role::Statement)
                });
                Value::Array(vec![statement])
            }
            _ => self.convert(node, Role::Statement),
        }
    }
}

fn scalar(value: &json::Value) -> Value {
    match value {
        json::Value::Null => Value::Null,
        json::Value::Bool(b) => Value::Bool(*b),
        json::Value::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| Value::String(n.clone())),
        // `${...}` (a Terraform reference, an IAM policy variable) cannot be known statically.
        json::Value::String(s) => Value::String(crate::unknown::substitute(s).unwrap_or_else(|| s.clone())),
        // Containers are handled by `convert`; this arm is never reached with one.
        json::Value::Array(_) | json::Value::Object(_) => Value::Null,
    }
}

/// Principal values that name Amazon Cognito, as the catalog spells them: the email principal
/// `email.cognito-idp.amazonaws.com`, the legacy `cognito-idp.amazonaws.com`, and the regional
/// `cognito-idp.<region>.amazonaws.com` used by pools in Alternate Regions.
pub fn is_cognito_principal(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    if value == "email.cognito-idp.amazonaws.com" || value == "cognito-idp.amazonaws.com" {
        return true;
    }
    value
        .strip_prefix("cognito-idp.")
        .and_then(|rest| rest.strip_suffix(".amazonaws.com"))
        .is_some_and(|region| !region.is_empty() && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Whether a canonical statement is a *Cognito statement*: `Allow`, and its `Principal` or
/// `NotPrincipal` names a Cognito principal.
pub fn is_cognito_statement(statement: &Value) -> bool {
    let allows = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
    allows
        && ["Principal", "NotPrincipal"].iter().any(|key| {
            statement
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|principal| principal.values())
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(Value::as_str)
                .any(is_cognito_principal)
        })
}

/// Decides from its content what a document found in a bare file is.
///
/// An SES identity policy is resource-based (its statements name a principal) and names an
/// `ses:` action or an SES identity ARN among its actions and resources. A policy without
/// principals is an IAM permissions policy, even when it grants `ses:SendEmail`: it is not
/// attached to an SES identity.
fn classify(document: &Value) -> Context {
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let names_principal = statements.iter().filter_map(|s| s.as_object()).any(|s| {
        s.keys().any(|k| {
            let k = k.to_ascii_lowercase();
            k.contains("principal") || k.contains("principle")
        })
    });
    // Where an identity policy names SES: its actions and its resource. (An SNS topic policy may
    // name an SES identity in a condition; that does not make it an identity policy.) Without
    // statements (a misspelled `Statement`), anywhere.
    let mut strings = Vec::new();
    if statements.is_empty() {
        collect_strings(document, &mut strings);
    }
    for statement in statements.iter().filter_map(|s| s.as_object()) {
        for (key, value) in statement {
            let key = key.to_ascii_lowercase();
            if key.contains("action") || key.contains("resource") {
                collect_strings(value, &mut strings);
            }
        }
    }
    let names_ses = strings.iter().any(|s| {
        let s = s.trim().to_ascii_lowercase();
        s.starts_with("ses:") || is_ses_identity_arn(&s)
    });
    // With no statements (a misspelled `Statement`) there is no principal to look for.
    if names_ses && (names_principal || statements.is_empty()) {
        return Context::SesIdentityPolicy;
    }
    let assumes_role = statements.iter().any(|s| {
        s.get("Action")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|a| a.trim().to_ascii_lowercase().starts_with("sts:assumerole"))
    });
    if assumes_role && names_principal {
        Context::RoleTrustPolicy
    } else {
        Context::Unrelated
    }
}

fn is_ses_identity_arn(lowercase: &str) -> bool {
    let mut fields = lowercase.splitn(6, ':');
    fields.next() == Some("arn")
        && fields.next().is_some()
        && fields.next() == Some("ses")
        && fields.nth(2).is_some_and(|resource| resource.starts_with("identity/"))
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(text: &str) -> PolicyDocument {
        let parsed = json::parse(text);
        let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
        PolicyDocument::new(
            String::new(),
            ContextHint::Unknown,
            parsed.root.as_ref(),
            problems,
            Span::new(0, text.len()),
            text.len(),
            &|s| s,
        )
    }

    fn source<'a>(doc: &PolicyDocument, text: &'a str, pointer: &str) -> &'a str {
        let span = doc
            .spans
            .get(pointer)
            .unwrap_or_else(|| panic!("no span for {pointer}"))
            .value;
        &text[span.start..span.end]
    }

    #[test]
    fn single_values_become_lists_and_keep_their_spans() {
        let text = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail",
            "Resource": "arn:aws:ses:us-east-1:111111111111:identity/example.com",
            "Condition": {"StringEquals": {"AWS:SourceAccount": "111111111111"}}}}"#;
        let doc = document(text);
        let canonical = doc.canonical.as_ref().unwrap();
        assert_eq!(canonical["Statement"][0]["Action"], json!(["ses:SendEmail"]));
        assert_eq!(canonical["Statement"][0]["Principal"], json!({"AWS": ["*"]}));
        assert_eq!(
            canonical["Statement"][0]["Condition"],
            json!({"StringEquals": {"aws:sourceaccount": ["111111111111"]}})
        );
        assert_eq!(source(&doc, text, "/Statement/0/Action/0"), "\"ses:SendEmail\"");
        assert_eq!(source(&doc, text, "/Statement/0/Principal/AWS/0"), "\"*\"");
        let key = doc
            .spans
            .get("/Statement/0/Condition/StringEquals/aws:sourceaccount")
            .unwrap();
        assert_eq!(key.key_text.as_deref(), Some("AWS:SourceAccount"));
        assert_eq!(
            &text[key.key.unwrap().start..key.key.unwrap().end],
            "\"AWS:SourceAccount\""
        );
        assert!(source(&doc, text, "/Statement/0").starts_with("{\"Effect\""));
    }

    #[test]
    fn canonicalization_is_idempotent() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": ["a"],
            "Condition": {"StringEquals": {"k": "v"}}}]}"#;
        let once = document(text).canonical.unwrap();
        let again = document(&once.to_string()).canonical.unwrap();
        assert_eq!(once, again);
    }

    #[test]
    fn classifies_by_content() {
        let ses = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "email.cognito-idp.amazonaws.com"}, "Action": "ses:SendEmail"}]}"#;
        let iam = r#"{"Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}"#;
        let s3 = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}"#;
        let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
        assert_eq!(document(ses).context, Context::SesIdentityPolicy);
        assert_eq!(document(iam).context, Context::Unrelated);
        assert_eq!(document(s3).context, Context::Unrelated);
        assert_eq!(document(trust).context, Context::RoleTrustPolicy);
        assert_eq!(document("{\"Statement\": [").context, Context::Unparsed);
    }

    #[test]
    fn recognises_cognito_principals() {
        for p in [
            "email.cognito-idp.amazonaws.com",
            "cognito-idp.amazonaws.com",
            "cognito-idp.me-central-1.amazonaws.com",
        ] {
            assert!(is_cognito_principal(p), "{p}");
        }
        for p in [
            "ses.amazonaws.com",
            "cognito-identity.amazonaws.com",
            "cognito-idp..amazonaws.com",
            "email.cognito-idp.eu-west-1.amazonaws.com",
        ] {
            assert!(!is_cognito_principal(p), "{p}");
        }
    }
}
