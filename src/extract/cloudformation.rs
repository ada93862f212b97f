//! CloudFormation templates, JSON and YAML: hand-written, SAM (`Transform:
//! AWS::Serverless-2016-10-31`), the Serverless Framework (`resources.Resources` of
//! `serverless.yml`) and what the CDK synthesizes (`cdk.out/*.template.json`).
//!
//! CloudFormation has no resource for SES identity policies, so they arrive through custom
//! resources: CDK's `Custom::AWS` whose `Create` / `Update` is the JSON string of an SDK call
//! (`SES putIdentityPolicy`, `SESV2 createEmailIdentityPolicy` / `updateEmailIdentityPolicy`),
//! plain or as an `Fn::Join` of string parts and intrinsics, and hand-written custom types that
//! carry `Policy` (a string) or `PolicyDocument` (an object) with an identity property. Role
//! trust policies (`AWS::IAM::Role` `AssumeRolePolicyDocument`) get the role's grants as facts
//! for COG013, and every other policy document in a resource's properties is classified by
//! content. Intrinsics are values that cannot be known statically: `Fn::GetAtt` of a user pool
//! is a user pool ARN, an `Fn::Sub` or `Fn::Join` of an SES ARN is an SES ARN with unknown
//! parts (see `unknown.rs`), anything else is unknown. Spans go through every level of escaping
//! to the template's bytes ([`Decoded`]). Resources are labelled with their logical ID and the
//! CDK's `aws:cdk:path` where present.

use crate::fix::{Layer, Syntax};
use std::path::Path;

use crate::json::{self, DuplicateKey, Member, Node, Parsed, SyntaxError, Value};
use crate::policy::{is_policy_document, ContextHint, PolicyDocument};
use crate::source::Span;
use crate::unknown::UNKNOWN;
use crate::yaml;

use super::embedded::{Decoded, MAX_DECODED};
use super::pools;
use super::shared::{compact_size, container_problems, file_error};

/// Whether a file is a template, by its format (JSON, or YAML and `.template` files, see
/// `format.rs`) and a byte search (YAML that is not a template, such as a Kubernetes manifest or
/// a workflow, is never parsed).
pub fn is_template(path: &Path, text: &[u8]) -> bool {
    use super::format::{by_name, Format};
    if !matches!(by_name(path), Some(Format::Json | Format::Template)) {
        return false;
    }
    let has = |marker: &str| memchr::memmem::find(text, marker.as_bytes()).is_some();
    has("AWSTemplateFormatVersion") || (has("Resources") && (has("AWS::") || has("Custom::")))
}

/// A resource of the template.
struct Resource<'a> {
    id: &'a str,
    kind: &'a str,
    properties: Option<&'a Node>,
    /// The resource's node (for spans).
    node: &'a Node,
    label: String,
}

struct Template<'a> {
    text: &'a str,
    resources: Vec<Resource<'a>>,
    /// The template is JSON (else YAML): how a fix writes into it.
    json: bool,
}

/// All the policy documents of a template, and the documents for the cross-resource rules;
/// `None` when the text parses but has no `Resources` (JSON that only mentions the markers).
pub fn extract(text: &str) -> Option<Vec<PolicyDocument>> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let parsed: Parsed = if body.starts_with('{') {
        json::parse(text)
    } else {
        yaml::parse(text)
    };
    let whole = Span::new(0, text.len());
    let Some(root) = &parsed.root else {
        let message = parsed
            .errors
            .iter()
            .find(|e| e.fatal)
            .map(|e| (e.span, e.message.clone()));
        return Some(match message {
            // In the template's own words (SRC001): its policies could not be read.
            Some((span, message)) => vec![file_error(
                text,
                span,
                format!("the template does not parse: {message}"),
            )],
            None => Vec::new(),
        });
    };
    let resources_node = root
        .get("Resources")
        .or_else(|| root.get("resources").and_then(|r| r.value.get("Resources")));
    let resources_node = resources_node.filter(|m| m.value.as_object().is_some())?;
    // The template's own syntax problems (a tag on the wrong kind of node) are SRC001's, in the
    // template's words; its repeated keys are SES002's, as anywhere.
    let mut documents: Vec<PolicyDocument> = container_problems(&[], &parsed.duplicate_keys, whole)
        .into_iter()
        .collect();
    documents.extend(
        parsed
            .errors
            .iter()
            .map(|e| file_error(text, e.span, format!("invalid template: {}", e.message))),
    );
    documents.extend(extract_resources(text, &resources_node.value, body.starts_with('{')));
    Some(documents)
}

/// The policy documents of a template's `Resources` object, and the documents for the
/// cross-resource rules. `resources` may come from another syntax than the template's JSON or
/// YAML (CloudFormation written as TypeScript objects, see `cdk/`): its spans point into `text`,
/// and a resource's `Create` / `Update` SDK call may then be an object rather than a string.
/// `json`: the template is JSON (else YAML), for the writer of fixes.
pub fn extract_resources(text: &str, resources: &Node, json: bool) -> Vec<PolicyDocument> {
    let template = Template {
        text,
        resources: resources
            .as_object()
            .unwrap_or_default()
            .iter()
            .filter_map(resource)
            .collect(),
        json,
    };
    let mut documents = Vec::new();
    let mut identity_policies: Vec<(usize, Span)> = Vec::new();
    for resource in &template.resources {
        template.extract_resource(resource, &mut documents, &mut identity_policies);
    }
    template.cross_resource(&mut documents, &identity_policies);
    documents
}

fn resource(member: &Member) -> Option<Resource<'_>> {
    let kind = member.value.get("Type")?.value.as_str()?;
    let cdk_path = member
        .value
        .get("Metadata")
        .and_then(|m| m.value.get("aws:cdk:path"))
        .and_then(|m| m.value.as_str());
    let label = match cdk_path {
        Some(path) => format!("{} ({path})", member.key),
        None => member.key.clone(),
    };
    Some(Resource {
        id: &member.key,
        kind,
        properties: member.value.get("Properties").map(|m| &m.value),
        node: &member.value,
        label,
    })
}

/// The long-form key of an intrinsic function node, with its argument.
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match node.as_object()? {
        [member] if member.key.starts_with("Fn::") => Some((&member.key, &member.value)),
        [member] if (member.key == "Ref" || member.key == "Condition") && member.value.as_str().is_some() => {
            Some((&member.key, &member.value))
        }
        _ => None,
    }
}

/// Property names that say which SES identity a hand-written custom resource's policy is for.
const IDENTITY_PROPERTIES: [&str; 4] = ["Identity", "EmailIdentity", "IdentityName", "IdentityArn"];

impl<'a> Template<'a> {
    fn kind_of(&self, id: &str) -> Option<&'a str> {
        self.resources.iter().find(|r| r.id == id).map(|r| r.kind)
    }

    /// What an intrinsic or a literal is known to be, as a canonical string (unknown parts as
    /// [`UNKNOWN`]); `None` for a list or an object that is not an intrinsic.
    fn value_text(&self, node: &Node, depth: usize) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                let (function, argument) = intrinsic(node)?;
                Some(self.intrinsic_text(function, argument, depth + 1))
            }
        }
    }

    fn intrinsic_text(&self, function: &str, argument: &Node, depth: usize) -> String {
        let unknown = UNKNOWN.to_string();
        if depth > 16 {
            return unknown;
        }
        match function {
            "Fn::GetAtt" => {
                let (id, attribute) = match &argument.value {
                    Value::String(s) => s.split_once('.').unwrap_or((s.as_str(), "")),
                    Value::Array(items) => (
                        items.first().and_then(Node::as_str).unwrap_or_default(),
                        items.get(1).and_then(Node::as_str).unwrap_or_default(),
                    ),
                    _ => return unknown,
                };
                self.attribute(id, attribute)
            }
            "Fn::Sub" => {
                let (template, variables) = match &argument.value {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(items) => match items.first().and_then(Node::as_str) {
                        Some(s) => (s, items.get(1)),
                        None => return unknown,
                    },
                    _ => return unknown,
                };
                let mut out = String::new();
                for piece in sub_pieces(template) {
                    match piece {
                        SubPiece::Text(text) => out.push_str(text),
                        SubPiece::Variable(name) => out.push_str(&self.variable(name, variables, depth)),
                    }
                }
                out
            }
            "Fn::Join" => {
                let Value::Array(items) = &argument.value else {
                    return unknown;
                };
                let delimiter = items.first().and_then(Node::as_str).unwrap_or_default();
                match items.get(1).map(|n| &n.value) {
                    Some(Value::Array(parts)) => parts
                        .iter()
                        .map(|p| self.value_text(p, depth).unwrap_or_else(|| unknown.clone()))
                        .collect::<Vec<_>>()
                        .join(delimiter),
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }

    /// `Fn::GetAtt` of a resource: typed when the resource's type says what it holds.
    fn attribute(&self, id: &str, attribute: &str) -> String {
        let u = UNKNOWN;
        let arn = |service: &str, resource: &str| format!("arn:{u}:{service}:{u}:{u}:{resource}/{u}");
        match (self.kind_of(id), attribute) {
            (Some("AWS::Cognito::UserPool"), "Arn") => arn("cognito-idp", "userpool"),
            (Some("AWS::Cognito::IdentityPool"), "Arn") => arn("cognito-identity", "identitypool"),
            _ => u.to_string(),
        }
    }

    /// A `${NAME}` of an `Fn::Sub`.
    fn variable(&self, name: &str, variables: Option<&Node>, depth: usize) -> String {
        if let Some(value) = variables.and_then(|v| v.get(name)) {
            return self
                .value_text(&value.value, depth)
                .unwrap_or_else(|| UNKNOWN.to_string());
        }
        match name.split_once('.') {
            Some((id, attribute)) => self.attribute(id, attribute),
            None => UNKNOWN.to_string(),
        }
    }

    /// The node with every intrinsic replaced by the string it is known to be, at its span.
    fn resolved(&self, node: &Node) -> Node {
        if let Some((function, argument)) = intrinsic(node) {
            return Node {
                value: Value::String(self.intrinsic_text(function, argument, 0)),
                span: node.span,
            };
        }
        let value = match &node.value {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.resolved(i)).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|m| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: self.resolved(&m.value),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node { value, span: node.span }
    }

    /// The text a string-valued property holds, mapped to the file: a JSON string literal, a
    /// YAML scalar, an `Fn::Join` of parts and intrinsics, or an `Fn::Sub` string.
    fn decoded(&self, node: &Node, depth: usize) -> Option<Decoded> {
        if depth > 8 {
            return None;
        }
        if let Value::String(value) = &node.value {
            if value.len() > MAX_DECODED {
                return None;
            }
            let written = self.text.get(node.span.start..node.span.end).unwrap_or_default();
            return Some(if written.starts_with('"') && json_literal_is(written, value) {
                Decoded::json_literal(self.text, node.span)
            } else {
                Decoded::aligned(self.text, node.span, value)
            });
        }
        let (function, argument) = intrinsic(node)?;
        match function {
            "Fn::Join" => {
                let Value::Array(items) = &argument.value else {
                    return None;
                };
                let (Some(delimiter_node), Some(Value::Array(parts))) = (items.first(), items.get(1).map(|n| &n.value))
                else {
                    return None;
                };
                let delimiter = delimiter_node.as_str().unwrap_or_default();
                let mut out = Decoded::new(node.span);
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_opaque(delimiter, delimiter_node.span);
                    }
                    match self.decoded(part, depth + 1) {
                        Some(decoded) => out.append(decoded),
                        None => {
                            let text = self.value_text(part, depth).unwrap_or_else(|| UNKNOWN.to_string());
                            out.push_opaque(&text, part.span);
                        }
                    }
                    if out.text.len() > MAX_DECODED {
                        return None;
                    }
                }
                Some(out)
            }
            "Fn::Sub" => {
                let (template, variables) = match &argument.value {
                    Value::String(_) => (argument, None),
                    Value::Array(items) => (items.first()?, items.get(1)),
                    _ => return None,
                };
                let raw = self.decoded(template, depth + 1)?;
                let mut out = Decoded::new(node.span);
                let mut at = 0;
                for piece in sub_pieces(&raw.text) {
                    let (len, text) = match piece {
                        SubPiece::Text(text) => (text.len(), None),
                        SubPiece::Variable(name) => (name.len() + 3, Some(self.variable(name, variables, depth))),
                    };
                    let here = Span::new(at, at + len);
                    match text {
                        None => {
                            for (i, c) in raw.text[here.start..here.end].char_indices() {
                                out.push_char(c, raw.span(Span::new(at + i, at + i + c.len_utf8())));
                            }
                        }
                        Some(text) => out.push_opaque(&text, raw.span(here)),
                    }
                    at += len;
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// How a policy object of the template is written: JSON or YAML.
    fn object_syntax(&self) -> Syntax {
        if self.json {
            Syntax::Json(Vec::new())
        } else {
            Syntax::Yaml
        }
    }

    /// How a policy `depth` JSON strings deep inside `node` is written: through that many JSON
    /// string literals in a JSON template; unknown when the outer text is not one literal (an
    /// `Fn::Join`, a YAML scalar).
    fn string_syntax(&self, node: &Node, depth: usize) -> Syntax {
        let literal = self
            .text
            .get(node.span.start..node.span.end)
            .is_some_and(|t| t.starts_with('"'));
        if self.json && literal && matches!(node.value, Value::String(_)) {
            Syntax::Json(vec![Layer::JsonString; depth])
        } else {
            Syntax::Opaque
        }
    }

    fn extract_resource(
        &self,
        resource: &Resource,
        documents: &mut Vec<PolicyDocument>,
        identity_policies: &mut Vec<(usize, Span)>,
    ) {
        let Some(properties) = resource.properties else { return };
        // CDK's AwsCustomResource (any `resourceType`): an SDK call in Create / Update.
        let mut sdk_calls = false;
        // `onCreate` / `onUpdate`: the same calls as the CDK's TypeScript names them.
        for key in ["Create", "Update", "onCreate", "onUpdate"] {
            if let Some(member) = properties.get(key) {
                if let Some(found) = self.sdk_call(resource, key, &member.value, documents) {
                    sdk_calls = true;
                    if let Some(identity) = found {
                        identity_policies.push((documents.len() - 1, identity));
                    }
                }
            }
        }
        if sdk_calls {
            return;
        }
        let identity = IDENTITY_PROPERTIES.iter().find_map(|key| properties.get(key));
        if resource.kind.starts_with("Custom::") {
            if let Some(identity) = identity {
                if let Some(document) = self.custom_policy(resource, properties) {
                    documents.push(document);
                    identity_policies.push((documents.len() - 1, identity.value.span));
                    return;
                }
            }
        }
        let grants = (resource.kind == "AWS::IAM::Role").then(|| self.role_grants(resource, properties));
        let mut found: Vec<(String, &Node)> = Vec::new();
        find_documents(properties, "", &mut found);
        for (path, node) in found {
            let label = format!("{}.{path}", resource.label);
            let resolved = self.resolved(node);
            let mut document = PolicyDocument::new(
                label,
                ContextHint::NotSesIdentityPolicy,
                Some(&resolved),
                (&[], &[]),
                node.span,
                compact_size(&resolved),
                &|s| s,
            );
            document.syntax = self.object_syntax();
            if let (Some(actions), "AssumeRolePolicyDocument") = (&grants, path.as_str()) {
                document.facts = serde_json::json!({ "role_grants": actions });
            }
            documents.push(document);
        }
    }

    /// A hand-written custom resource's `Policy` (a string, or an object) or `PolicyDocument`.
    fn custom_policy(&self, resource: &Resource, properties: &Node) -> Option<PolicyDocument> {
        let label = resource.label.clone();
        let object = properties
            .get("PolicyDocument")
            .or_else(|| properties.get("Policy"))
            .filter(|m| m.value.as_object().is_some() && intrinsic(&m.value).is_none());
        if let Some(member) = object {
            let resolved = self.resolved(&member.value);
            let size = compact_size(&resolved);
            let document = PolicyDocument::new(
                label,
                ContextHint::SesIdentityPolicy,
                Some(&resolved),
                (&[], &[]),
                member.value.span,
                size,
                &|s| s,
            );
            return Some(PolicyDocument {
                syntax: self.object_syntax(),
                ..document
            });
        }
        let policy = &properties.get("Policy")?.value;
        let decoded = self.decoded(policy, 0)?;
        let syntax = self.string_syntax(policy, 1);
        Some(PolicyDocument {
            syntax,
            ..document_in(&decoded, label)
        })
    }

    /// An SDK call in `Create` / `Update`: `None` when it is not an SES identity-policy call;
    /// `Some(identity span)` when a document was added for it.
    fn sdk_call(
        &self,
        resource: &Resource,
        key: &str,
        node: &Node,
        documents: &mut Vec<PolicyDocument>,
    ) -> Option<Option<Span>> {
        let label = format!("{}.{key}", resource.label);
        if node.as_object().is_some() && intrinsic(node).is_none() {
            return self.written_sdk_call(label, node, documents);
        }
        let call = self.decoded(node, 0)?;
        let parsed = json::parse(&call.text);
        let map = |s: Span| call.span(s);
        let Some(root) = &parsed.root else {
            // Not JSON: worth a diagnostic only when it is meant to put an identity policy.
            let lower = call.text.to_ascii_lowercase();
            if !lower.contains("identitypolicy") {
                return None;
            }
            let errors: Vec<SyntaxError> = parsed
                .errors
                .iter()
                .map(|e| SyntaxError {
                    message: format!("the {key} call is not JSON: {}", e.message),
                    ..e.clone()
                })
                .collect();
            documents.push(PolicyDocument::new(
                label,
                ContextHint::SesIdentityPolicy,
                None,
                (&errors, &parsed.duplicate_keys),
                node.span,
                0,
                &map,
            ));
            return Some(None);
        };
        let (identity, policy) = identity_policy_call(root)?;
        let identity = identity.map(|span| call.span(span));
        let document = match &policy.value.value {
            Value::String(_) => PolicyDocument {
                syntax: self.string_syntax(node, 2),
                ..document_in(&call.inner_literal(policy.value.span), label)
            },
            Value::Object(_) => PolicyDocument::new(
                label,
                ContextHint::SesIdentityPolicy,
                Some(&policy.value),
                (&[], &[]),
                call.span(policy.value.span),
                compact_size(&policy.value),
                &map,
            ),
            _ => return None,
        };
        documents.extend(container_problems(
            &parsed.errors.iter().map(|e| map_error(e, &map)).collect::<Vec<_>>(),
            &parsed
                .duplicate_keys
                .iter()
                .map(|d| DuplicateKey {
                    key: d.key.clone(),
                    first: map(d.first),
                    second: map(d.second),
                })
                .collect::<Vec<_>>(),
            node.span,
        ));
        documents.push(document);
        Some(identity)
    }

    /// An SDK call written as an object, not as a JSON string (CDK's `onCreate` / `onUpdate` in
    /// TypeScript): its spans are the file's, and its `Policy` the object `JSON.stringify` was
    /// given, or a string.
    fn written_sdk_call(
        &self,
        label: String,
        call: &Node,
        documents: &mut Vec<PolicyDocument>,
    ) -> Option<Option<Span>> {
        let (identity, policy) = identity_policy_call(call)?;
        let document = if policy.value.as_object().is_some() && intrinsic(&policy.value).is_none() {
            let resolved = self.resolved(&policy.value);
            PolicyDocument::new(
                label,
                ContextHint::SesIdentityPolicy,
                Some(&resolved),
                (&[], &[]),
                policy.value.span,
                compact_size(&resolved),
                &|s| s,
            )
        } else {
            document_in(&self.decoded(&policy.value, 0)?, label)
        };
        documents.push(document);
        Some(identity)
    }

    /// The actions a role may perform: its `Policies`, and `AWS::IAM::Policy` /
    /// `AWS::IAM::ManagedPolicy` resources that name it in `Roles`.
    fn role_grants(&self, role: &Resource, properties: &Node) -> Vec<String> {
        let mut nodes: Vec<&Node> = Vec::new();
        if let Some(Value::Array(policies)) = properties.get("Policies").map(|m| &m.value.value) {
            nodes.extend(
                policies
                    .iter()
                    .filter_map(|p| p.get("PolicyDocument"))
                    .map(|m| &m.value),
            );
        }
        for other in &self.resources {
            if !matches!(other.kind, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") {
                continue;
            }
            let Some(props) = other.properties else { continue };
            let names_role = match props.get("Roles").map(|m| &m.value.value) {
                Some(Value::Array(roles)) => roles
                    .iter()
                    .any(|r| intrinsic(r).is_some_and(|(f, a)| f == "Ref" && a.as_str() == Some(role.id))),
                _ => false,
            };
            if names_role {
                nodes.extend(props.get("PolicyDocument").map(|m| &m.value));
            }
        }
        nodes
            .into_iter()
            .flat_map(|node| {
                let resolved = self.resolved(node);
                let document = PolicyDocument::new(
                    String::new(),
                    ContextHint::NotSesIdentityPolicy,
                    Some(&resolved),
                    (&[], &[]),
                    node.span,
                    0,
                    &|s| s,
                );
                super::terraform::allowed_actions(&document)
            })
            .collect()
    }

    /// Adds the documents the cross-resource rules (COG101 to COG104) see, one per user pool with
    /// an email configuration, and tells each identity policy how its pools send.
    fn cross_resource(&self, documents: &mut Vec<PolicyDocument>, identity_policies: &[(usize, Span)]) {
        let mut pools: Vec<pools::Pool> = Vec::new();
        let mut identities: Vec<pools::Identity> = Vec::new();
        for resource in &self.resources {
            let Some(properties) = resource.properties else {
                continue;
            };
            match resource.kind {
                "AWS::Cognito::UserPool" | "AWS::Cognito::UserPoolRegionalConfigurationAttachment" => {
                    let Some(config) = properties.get("EmailConfiguration") else {
                        continue;
                    };
                    // A replica's configuration belongs to the pool it names.
                    let id = properties
                        .get("UserPoolId")
                        .and_then(|m| intrinsic(&m.value))
                        .and_then(|(f, a)| (f == "Ref").then(|| a.as_str()).flatten())
                        .unwrap_or(resource.id);
                    let written = |key: &str| {
                        config.value.get(key).map(|m| pools::Written {
                            value: self.value_text(&m.value, 0).unwrap_or_else(|| UNKNOWN.to_string()),
                            span: m.value.span,
                        })
                    };
                    pools.push(pools::Pool {
                        label: resource.label.clone(),
                        id: id.to_string(),
                        anchor: config.key_span,
                        mode: written("EmailSendingAccount"),
                        source_arn: written("SourceArn"),
                    });
                }
                "AWS::SES::EmailIdentity" => {
                    let name = properties
                        .get("EmailIdentity")
                        .and_then(|m| self.value_text(&m.value, 0))
                        .filter(|n| !n.contains(UNKNOWN));
                    identities.push(pools::Identity {
                        id: resource.id.to_string(),
                        name,
                        span: resource.node.span.head(self.text),
                    });
                }
                _ => {}
            }
        }
        let pool_ids: Vec<&str> = self
            .resources
            .iter()
            .filter(|r| r.kind == "AWS::Cognito::UserPool")
            .map(|r| r.id)
            .collect();
        let pool_documents = {
            let policies: Vec<pools::IdentityPolicy> = identity_policies
                .iter()
                .filter_map(|(index, identity)| {
                    let document = documents.get(*index)?;
                    Some(identity_policy(
                        self.text,
                        Some(document),
                        document.label.clone(),
                        *identity,
                    ))
                })
                .collect();
            pools::documents(self.text, &pools, &pool_ids, &identities, &policies)
        };
        let labelled: Vec<pools::IdentityPolicy> = identity_policies
            .iter()
            .filter_map(|(index, identity)| {
                let label = documents.get(*index)?.label.clone();
                Some(identity_policy(self.text, None, label, *identity))
            })
            .collect();
        pools::mark_sending_modes(self.text, &pools, &identities, &labelled, documents);
        documents.extend(pool_documents);
    }
}

/// An identity policy for the cross-resource rules: its label, its document when it is looked
/// at, and the identity as the template writes it at `identity`.
fn identity_policy<'d>(
    text: &str,
    document: Option<&'d PolicyDocument>,
    label: String,
    identity: Span,
) -> pools::IdentityPolicy<'d> {
    let written = text.get(identity.start..identity.end).unwrap_or_default();
    pools::IdentityPolicy {
        label,
        document,
        identity: pools::Written {
            value: written.trim_matches(['"', '\'', '\\']).to_string(),
            span: identity,
        },
    }
}

/// A policy in decoded text (a string inside the template, or inside a call inside it).
fn document_in(decoded: &Decoded, label: String) -> PolicyDocument {
    let parsed = json::parse(&decoded.text);
    let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
    PolicyDocument::new(
        label,
        ContextHint::SesIdentityPolicy,
        parsed.root.as_ref(),
        problems,
        decoded.whole,
        decoded.text.trim().len(),
        &|s| decoded.span(s),
    )
}

fn map_error(error: &SyntaxError, map: &dyn Fn(Span) -> Span) -> SyntaxError {
    SyntaxError {
        span: map(error.span),
        ..error.clone()
    }
}

/// Whether the written JSON string literal decodes to `value` (a JSON template's string, not a
/// double-quoted YAML scalar with YAML's own escapes).
fn json_literal_is(written: &str, value: &str) -> bool {
    serde_json::from_str::<String>(written).is_ok_and(|decoded| decoded == value)
}

/// The identity (where it is written in the call) and the `Policy` parameter of an SDK call that
/// puts an SES identity policy; `None` for any other call.
fn identity_policy_call(call: &Node) -> Option<(Option<Span>, &Member)> {
    let service = call.get("service").and_then(|m| m.value.as_str()).unwrap_or_default();
    let action = call.get("action").and_then(|m| m.value.as_str()).unwrap_or_default();
    if !is_identity_policy_call(service, action) {
        return None;
    }
    let parameters = call.get("parameters").map(|m| &m.value);
    let identity = parameters
        .and_then(|p| p.get("Identity").or_else(|| p.get("EmailIdentity")))
        .map(|m| m.value.span);
    Some((identity, parameters.and_then(|p| p.get("Policy"))?))
}

/// SES `putIdentityPolicy`, SESv2 `createEmailIdentityPolicy` / `updateEmailIdentityPolicy`, in
/// any case and in the SDK v3 spellings (`@aws-sdk/client-sesv2`, `PutIdentityPolicyCommand`).
fn is_identity_policy_call(service: &str, action: &str) -> bool {
    let service = service.to_ascii_lowercase();
    let service = service
        .strip_prefix("@aws-sdk/client-")
        .unwrap_or(&service)
        .replace('-', "");
    let action = action.to_ascii_lowercase();
    let action = action.strip_suffix("command").unwrap_or(&action);
    match service.as_str() {
        "ses" => action == "putidentitypolicy",
        "sesv2" => action == "createemailidentitypolicy" || action == "updateemailidentitypolicy",
        _ => false,
    }
}

/// The policy documents nested in a resource's properties, with their property paths.
fn find_documents<'a>(node: &'a Node, path: &str, found: &mut Vec<(String, &'a Node)>) {
    match &node.value {
        Value::Object(members) => {
            if is_policy_document(node) && !path.is_empty() {
                found.push((path.to_string(), node));
                return;
            }
            for member in members {
                let child = if path.is_empty() {
                    member.key.clone()
                } else {
                    format!("{path}.{}", member.key)
                };
                find_documents(&member.value, &child, found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = item
                    .get("PolicyName")
                    .and_then(|m| m.value.as_str())
                    .map_or_else(|| i.to_string(), str::to_string);
                find_documents(item, &format!("{path}.{name}"), found);
            }
        }
        _ => {}
    }
}

enum SubPiece<'a> {
    Text(&'a str),
    /// `${NAME}`: NAME (the piece is NAME's length plus three bytes).
    Variable(&'a str),
}

/// An `Fn::Sub` template split into text and `${NAME}` variables; `${!Literal}` is text.
fn sub_pieces(template: &str) -> Vec<SubPiece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        let Some(close) = rest[at..].find('}') else { break };
        let name = &rest[at + 2..at + close];
        if name.starts_with('!') {
            pieces.push(SubPiece::Text(&rest[..at + close + 1]));
        } else {
            if at > 0 {
                pieces.push(SubPiece::Text(&rest[..at]));
            }
            pieces.push(SubPiece::Variable(name));
        }
        rest = &rest[at + close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(SubPiece::Text(rest));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_calls_are_recognised_in_every_spelling() {
        assert!(is_identity_policy_call("SES", "putIdentityPolicy"));
        assert!(is_identity_policy_call(
            "@aws-sdk/client-sesv2",
            "CreateEmailIdentityPolicyCommand"
        ));
        assert!(is_identity_policy_call("sesv2", "updateemailidentitypolicy"));
        assert!(!is_identity_policy_call("SES", "verifyDomainIdentity"));
        assert!(!is_identity_policy_call("S3", "putBucketPolicy"));
    }

    #[test]
    fn sub_keeps_escaped_variables_as_text() {
        let pieces = sub_pieces("a${X}b${!Y}");
        let texts: Vec<String> = pieces
            .iter()
            .map(|p| match p {
                SubPiece::Text(t) => format!("T{t}"),
                SubPiece::Variable(v) => format!("V{v}"),
            })
            .collect();
        assert_eq!(texts, ["Ta", "VX", "Tb${!Y}"]);
    }
}
