//! Terraform modules (`.tf` and `.tf.json`): the policies they define, with spans in the file
//! that holds each one.
//!
//! A module is a directory: a policy attribute in one file may name a
//! `data "aws_iam_policy_document"` in another, or a template file beside them, so the files of a
//! module are read together. HCL is first turned into the shape of Terraform JSON (`hcl.rs`);
//! from there both syntaxes are handled alike.
//!
//! Where policies come from: `aws_ses_identity_policy.policy` and
//! `aws_sesv2_email_identity_policy.policy` (SES identity policies), `aws_iam_role.assume_role_policy`,
//! and the `policy` argument of any other resource (classified by content, so an S3 bucket policy
//! stays silent). The value may be a quoted JSON string, a heredoc, `jsonencode({...})`,
//! `file(...)` / `templatefile(...)` (the file is linted, labelled with the resource), or
//! `data.aws_iam_policy_document.NAME.json`. Each policy is labelled with its resource address.

use crate::fix::{Layer, Syntax};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::json::{self, Node, Value};
use crate::policy::{ContextHint, PolicyDocument};
use crate::source::Span;
use crate::unknown;

use super::format;
use super::shared::{document_in_string, hcl_error};
use super::unit::{Extracted, ReferencedFile, UnitText};
use super::{hcl, policy_document};

/// Resource types whose `policy` is an SES identity policy.
const SES_POLICY_RESOURCES: [&str; 2] = ["aws_ses_identity_policy", "aws_sesv2_email_identity_policy"];

/// Extracts the policies of one module; a file that does not parse gives a document that carries
/// only its error (SRC001), at the parser's position.
pub fn extract_module(dir: &Path, module: &UnitText) -> Extracted {
    let mut out = Extracted::default();
    let text = module.text.as_str();
    let mut roots: Vec<Option<Node>> = Vec::new();
    for (path, span) in &module.files {
        let content = &text[span.start..span.end];
        let root = if !format::terraform_may_hold_policy(content.as_bytes()) {
            None
        } else if path.to_string_lossy().to_ascii_lowercase().ends_with(".json") {
            json::parse(content).root
        } else {
            match hcl::parse(content) {
                Ok(root) => Some(root),
                Err(error) => {
                    let at = span.start + error.offset;
                    out.documents.push(hcl_error(text, at, error.message));
                    None
                }
            }
        };
        roots.push(root.map(|mut root| {
            root.shift(span.start);
            root
        }));
    }
    // Every `data "aws_iam_policy_document"` of the module: (name, body).
    let data_sources: Vec<(&str, &Node)> = roots
        .iter()
        .flatten()
        .flat_map(|root| objects(root, &["data", "aws_iam_policy_document"]))
        .collect();
    // Every resource of the module: (type, name, body).
    let resources: Vec<(&str, &str, &Node)> = roots
        .iter()
        .flatten()
        .flat_map(|root| objects(root, &["resource"]))
        .flat_map(|(kind, all)| {
            object_members(all)
                .into_iter()
                .map(move |(name, body)| (kind, name, body))
        })
        .collect();
    let lookup = |name: &str| data_sources.iter().find(|(n, _)| *n == name).map(|(_, body)| *body);
    // Terraform JSON (`.tf.json`) writes policies in JSON syntax, `.tf` files in HCL.
    let in_json_file = |offset: usize| {
        module
            .files
            .get(module.file_at(offset))
            .is_some_and(|(path, _)| path.to_string_lossy().to_ascii_lowercase().ends_with(".json"))
    };
    let grants = role_grants(&resources, text, &lookup);
    // Which resources use each data source: (label, hint, facts).
    let mut users: Vec<Vec<(String, ContextHint, serde_json::Value)>> =
        data_sources.iter().map(|_| Vec::new()).collect();

    for &(kind, name, body) in &resources {
        // Only the two SES resource types hold identity policies; any other resource's policy is
        // at most a role trust policy (an SNS topic policy naming an SES identity in a condition
        // is not an identity policy).
        let hint = if SES_POLICY_RESOURCES.contains(&kind) {
            ContextHint::SesIdentityPolicy
        } else {
            ContextHint::NotSesIdentityPolicy
        };
        for attribute in policy_attributes(kind, body) {
            let label = format!("{kind}.{name}");
            // What a role may do, for the rules about who may assume it (COG013).
            let facts = match (kind, attribute.key.as_str(), grants.get(name)) {
                ("aws_iam_role", "assume_role_policy", Some(actions)) => serde_json::json!({ "role_grants": actions }),
                _ => serde_json::Value::Null,
            };
            match policy_value(
                text,
                &attribute.value,
                &label,
                hint,
                in_json_file(attribute.value.span.start),
            ) {
                PolicyValue::Document(document) => out.documents.push(PolicyDocument { facts, ..*document }),
                PolicyValue::DataSource(data_name) => {
                    if let Some(position) = data_sources.iter().position(|(n, _)| *n == data_name) {
                        users[position].push((label, hint, facts));
                    }
                }
                PolicyValue::File(path) => {
                    if let Some(path) = resolve(dir, &path) {
                        out.referenced.push(ReferencedFile {
                            path,
                            label,
                            hint,
                            required: true,
                        });
                    }
                }
                PolicyValue::Unknown => {}
            }
        }
    }

    let components = policy_document::components(data_sources.iter().map(|(_, body)| *body));
    for ((name, body), mut used_by) in data_sources.iter().zip(users) {
        // A document only merged into others is checked there, as part of what is deployed.
        if used_by.is_empty() && components.contains(name) {
            continue;
        }
        // An SES identity policy's context wins over other users of the same document.
        used_by.sort_by_key(|(_, hint, _)| *hint != ContextHint::SesIdentityPolicy);
        let (label, hint, facts) = used_by.into_iter().next().unwrap_or_else(|| {
            (
                format!("data.aws_iam_policy_document.{name}"),
                ContextHint::Unknown,
                serde_json::Value::Null,
            )
        });
        if let Some(document) = render_data_source(body, label, hint, &lookup) {
            let syntax = if in_json_file(body.span.start) {
                Syntax::Opaque
            } else {
                Syntax::PolicyDocument
            };
            out.documents.push(PolicyDocument {
                facts,
                syntax,
                ..document
            });
        }
    }
    // Pools against the identity policies they depend on (COG101 to COG104).
    let pools = super::terraform_pools::documents(text, &resources, &mut out.documents);
    out.documents.extend(pools);
    out
}

/// The policy document a `data "aws_iam_policy_document"` renders.
fn render_data_source(
    body: &Node,
    label: String,
    hint: ContextHint,
    lookup: &policy_document::Lookup,
) -> Option<PolicyDocument> {
    let rendered = policy_document::render(body, lookup)?;
    let size = policy_document::rendered_size(&rendered);
    Some(PolicyDocument::new(
        label,
        hint,
        Some(&rendered),
        (&[], &[]),
        rendered.span,
        size,
        &|s| s,
    ))
}

/// The actions each role of the module is allowed, by role name: from `aws_iam_role_policy`,
/// the role's `inline_policy` blocks, and `aws_iam_role_policy_attachment` of an
/// `aws_iam_policy` of the module.
fn role_grants(
    resources: &[(&str, &str, &Node)],
    text: &str,
    lookup: &policy_document::Lookup,
) -> HashMap<String, Vec<String>> {
    let allowed = |value: &Node| -> Vec<String> {
        let document = match policy_value(text, value, "", ContextHint::NotSesIdentityPolicy, false) {
            PolicyValue::Document(document) => Some(*document),
            PolicyValue::DataSource(name) => lookup(&name)
                .and_then(|body| render_data_source(body, String::new(), ContextHint::NotSesIdentityPolicy, lookup)),
            PolicyValue::File(_) | PolicyValue::Unknown => None,
        };
        document.map(|d| allowed_actions(&d)).unwrap_or_default()
    };
    let policy_of = |body: &Node| body.get("policy").map(|m| allowed(&m.value)).unwrap_or_default();
    let mut grants: HashMap<String, Vec<String>> = HashMap::new();
    for (kind, name, body) in resources {
        let (role, actions) = match *kind {
            "aws_iam_role" => {
                let inline: Vec<&Node> = match body.get("inline_policy").map(|m| &m.value) {
                    Some(Node {
                        value: Value::Array(items),
                        ..
                    }) => items.iter().collect(),
                    Some(block) => vec![block],
                    None => Vec::new(),
                };
                (Some(*name), inline.into_iter().flat_map(policy_of).collect())
            }
            "aws_iam_role_policy" => (role_of(body), policy_of(body)),
            "aws_iam_role_policy_attachment" => {
                let attached = body
                    .get("policy_arn")
                    .and_then(|m| m.value.as_str())
                    .and_then(|arn| referenced_name(arn, "aws_iam_policy"));
                let policy = resources
                    .iter()
                    .find(|(k, n, _)| *k == "aws_iam_policy" && Some(*n) == attached);
                (
                    role_of(body),
                    policy.map(|(_, _, body)| policy_of(body)).unwrap_or_default(),
                )
            }
            _ => continue,
        };
        if let Some(role) = role {
            grants.entry(role.to_string()).or_default().extend(actions);
        }
    }
    grants
}

/// The role a role policy or attachment names (`role = aws_iam_role.NAME.id`).
fn role_of(body: &Node) -> Option<&str> {
    body.get("role")
        .and_then(|m| m.value.as_str())
        .and_then(|r| referenced_name(r, "aws_iam_role"))
}

/// The actions a document's `Allow` statements grant.
pub(crate) fn allowed_actions(document: &PolicyDocument) -> Vec<String> {
    document
        .statements()
        .filter(|s| s.get("Effect").and_then(|e| e.as_str()) == Some("Allow"))
        .filter_map(|s| s.get("Action").filter(|a| a.kind() == crate::policy::Kind::Array))
        .flat_map(|a| a.children())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// `NAME` of a reference `${KIND.NAME.attribute}` (or to an instance, `KIND.NAME[0].attribute`).
fn referenced_name<'a>(reference: &'a str, kind: &str) -> Option<&'a str> {
    policy_document::reference_to(reference, kind).map(|(name, _)| name)
}

/// What a policy argument holds.
enum PolicyValue {
    Document(Box<PolicyDocument>),
    DataSource(String),
    File(String),
    Unknown,
}

fn policy_value(text: &str, value: &Node, label: &str, hint: ContextHint, json_file: bool) -> PolicyValue {
    let with = |document: PolicyDocument, syntax: Syntax| {
        PolicyValue::Document(Box::new(PolicyDocument { syntax, ..document }))
    };
    match &value.value {
        // `jsonencode({...})`, or an object in Terraform JSON.
        Value::Object(_) => {
            let syntax = if json_file {
                Syntax::Json(Vec::new())
            } else {
                Syntax::Hcl
            };
            let document = PolicyDocument::new(label.to_string(), hint, Some(value), (&[], &[]), value.span, 0, &|s| s);
            // `jsonencode` writes compact JSON.
            let size = serde_json::to_string(&value.to_value()).map_or(0, |json| json.len());
            with(
                PolicyDocument {
                    size_bytes: size,
                    ..document
                },
                syntax,
            )
        }
        Value::String(string) => {
            let written = text.get(value.span.start..value.span.end).unwrap_or_default();
            if let Some(name) = policy_document::data_source_name(string) {
                return PolicyValue::DataSource(name.to_string());
            }
            if let Some(path) = file_argument(string) {
                return PolicyValue::File(path);
            }
            if is_whole_interpolation(string) {
                return PolicyValue::Unknown;
            }
            if written.starts_with("<<") {
                return heredoc_body(text, value.span)
                    .and_then(|body| document_in_template(text, body, label.to_string(), hint))
                    .map_or(PolicyValue::Unknown, |document| {
                        with(document, Syntax::Json(vec![Layer::Heredoc]))
                    });
            }
            if written.starts_with('"') {
                let layer = if json_file { Layer::JsonString } else { Layer::HclString };
                return with(
                    document_in_string(text, value.span, label.to_string(), hint),
                    Syntax::Json(vec![layer]),
                );
            }
            PolicyValue::Unknown
        }
        _ => PolicyValue::Unknown,
    }
}

/// The arguments of a resource that hold policies.
fn policy_attributes<'a>(kind: &str, body: &'a Node) -> Vec<&'a json::Member> {
    let Some(members) = body.as_object() else {
        return Vec::new();
    };
    members
        .iter()
        .filter(|m| m.key == "policy" || (kind == "aws_iam_role" && m.key == "assume_role_policy"))
        .collect()
}

/// `${file("PATH")}` or `${templatefile("PATH", ...)}`: PATH.
fn file_argument(string: &str) -> Option<String> {
    let inner = string.trim().strip_prefix("${")?.strip_suffix('}')?.trim();
    let arguments = inner
        .strip_prefix("file(")
        .or_else(|| inner.strip_prefix("templatefile("))?;
    let quoted = arguments.trim_start().strip_prefix('"')?;
    let end = quoted.find('"')?;
    Some(quoted[..end].to_string())
}

/// A file path relative to the module, when it can be known.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = ["${path.module}/", "${path.root}/", "${path.cwd}/", "./"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .unwrap_or(path);
    if relative.contains("${") || Path::new(relative).is_absolute() {
        return None;
    }
    Some(crate::discover::normalized(&dir.join(relative)))
}

fn is_whole_interpolation(string: &str) -> bool {
    let string = string.trim();
    string.starts_with("${") && unknown::interpolation_len(string) == Some(string.len())
}

/// The body of the heredoc whose whole span is `span`: from the line after `<<EOF` to the start
/// of the line holding the closing marker.
fn heredoc_body(text: &str, span: Span) -> Option<Span> {
    let heredoc = text.get(span.start..span.end)?;
    let start = span.start + heredoc.find('\n')? + 1;
    let end = span.start + heredoc.trim_end().rfind('\n')? + 1;
    (start <= end).then(|| Span::new(start, end))
}

/// Parses the policy JSON of a template (a heredoc body, a `templatefile` file) at `body`.
/// Interpolations inside JSON strings stay (they become unknown parts); one standing for a
/// whole JSON value is read as an unknown string of the same length, so that spans are kept. A
/// template directive (`%{ if }`, `%{ for }`) outside a string makes the document unknowable:
/// `None`.
pub fn document_in_template(text: &str, body: Span, label: String, hint: ContextHint) -> Option<PolicyDocument> {
    let source = text.get(body.start..body.end)?;
    let masked = mask_interpolations(source)?;
    let parsed = json::parse(&masked);
    let shift = |span: Span| Span::new(span.start + body.start, span.end + body.start);
    let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
    Some(PolicyDocument::new(
        label,
        hint,
        parsed.root.as_ref(),
        problems,
        body,
        source.trim().len(),
        &shift,
    ))
}

/// Replaces each `${...}` outside JSON strings by a JSON string of the same byte length that
/// reads as unknown; `None` for a template directive outside a string.
fn mask_interpolations(source: &str) -> Option<String> {
    let mut out = String::with_capacity(source.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = source.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '%' if source[i..].starts_with("%{") => return None,
            '$' if source[i..].starts_with("${") => {
                let len = unknown::interpolation_len(&source[i..])?;
                // `"` + unknown + padding + `"`: the same number of bytes as `${...}`.
                let padding = len.checked_sub(2 + unknown::UNKNOWN.len_utf8())?;
                out.push('"');
                out.push(unknown::UNKNOWN);
                out.extend(std::iter::repeat_n('_', padding));
                out.push('"');
                while rest.peek().is_some_and(|&(j, _)| j < i + len) {
                    rest.next();
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// The members of the object at `path` under `root`, as (key, value).
fn objects<'a>(root: &'a Node, path: &[&str]) -> Vec<(&'a str, &'a Node)> {
    let mut node = root;
    for key in path {
        match node.get(key) {
            Some(member) => node = &member.value,
            None => return Vec::new(),
        }
    }
    object_members(node)
}

/// An object's members as (key, value); Terraform JSON may also give a list of such objects.
fn object_members(node: &Node) -> Vec<(&str, &Node)> {
    match &node.value {
        Value::Object(members) => members.iter().map(|m| (m.key.as_str(), &m.value)).collect(),
        Value::Array(items) => items.iter().flat_map(object_members).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolations_outside_strings_keep_their_length() {
        let source = r#"{"Resource": ${jsonencode(local.arns)}, "Sid": "a${var.x}"}"#;
        let masked = mask_interpolations(source).unwrap();
        assert_eq!(masked.len(), source.len());
        assert!(json::parse(&masked).errors.is_empty());
        assert_eq!(
            mask_interpolations(r#"{"Statement": [%{ for s in x }{}%{ endfor }]}"#),
            None
        );
    }

    #[test]
    fn file_arguments_resolve_against_the_module() {
        assert_eq!(
            file_argument(r#"${file("${path.module}/policy.json")}"#).as_deref(),
            Some("${path.module}/policy.json")
        );
        assert_eq!(
            resolve(Path::new("infra"), "${path.module}/policy.json"),
            Some(PathBuf::from("infra/policy.json"))
        );
        assert_eq!(resolve(Path::new("infra"), "${var.dir}/policy.json"), None);
        assert_eq!(
            file_argument(r#"${templatefile("p.json.tpl", { a = 1 })}"#).as_deref(),
            Some("p.json.tpl")
        );
    }
}
