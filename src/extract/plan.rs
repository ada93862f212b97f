//! Terraform plan JSON (`terraform show -json plan.out`).
//!
//! A plan is where a Terraform configuration's policies are finally spelled out: a heredoc, a
//! `jsonencode(...)` call, a template or an `aws_iam_policy_document` all end up as one JSON
//! string per resource attribute, with variables and module inputs resolved. Linting the plan
//! therefore sees what the HCL hides, before `apply`. Terraform writes each resource twice (under
//! `resource_changes[].change.after` and under `planned_values`); each policy is reported once,
//! labelled with its resource address, and its spans are mapped through the string's escapes to
//! the bytes of the plan file. Values that are unknown until apply, resources being deleted and
//! data sources (policies read, not managed) are skipped.

use std::collections::{HashMap, HashSet};

use crate::json::{self, Member, Node, Value};
use crate::policy::{is_policy_document, ContextHint, PolicyDocument};

use super::format::looks_like_policy;
use super::shared::document_in_string;

/// Resource types whose `policy` attribute is an SES identity policy.
const SES_IDENTITY_POLICY_TYPES: [&str; 2] = ["aws_ses_identity_policy", "aws_sesv2_email_identity_policy"];

/// Whether a parsed root is a plan: an object with `format_version` and `resource_changes`
/// and/or `planned_values`. (State JSON has `values` instead, and is not a plan.)
pub fn matches(root: &Node) -> bool {
    let [format_version, resource_changes, planned_values] = ROOT_KEYS;
    root.get(format_version).is_some_and(|m| m.value.as_str().is_some())
        && (root.get(resource_changes).is_some() || root.get(planned_values).is_some())
}

/// The root keys [`matches`] looks at: a root without any of them is not a plan.
pub const ROOT_KEYS: [&str; 3] = ["format_version", "resource_changes", "planned_values"];

pub fn extract(text: &str, root: &Node) -> Vec<PolicyDocument> {
    let mut found = Found::default();
    for resource in items(root.get("resource_changes")) {
        let Some(change) = member(resource, "change") else {
            continue;
        };
        // A delete (or a forget) has `"after": null`: nothing will be deployed.
        let Some(after) = member(change, "after").filter(|after| after.as_object().is_some()) else {
            continue;
        };
        found.resource(resource, after, member(change, "after_unknown"));
    }
    let mut modules: Vec<&Node> = member(root, "planned_values")
        .and_then(|values| member(values, "root_module"))
        .into_iter()
        .collect();
    while let Some(module) = modules.pop() {
        for resource in items(module.get("resources")) {
            if let Some(values) = member(resource, "values") {
                found.resource(resource, values, None);
            }
        }
        // Reversed so that child modules are visited in the plan's order.
        modules.extend(items(module.get("child_modules")).rev());
    }
    found.documents(text)
}

/// The policy attributes found so far, in plan order.
#[derive(Default)]
struct Found<'a> {
    policies: Vec<Policy<'a>>,
    /// (address, attribute) already looked at, or known to be unknown until apply.
    seen: HashSet<(&'a str, &'a str)>,
}

struct Policy<'a> {
    address: &'a str,
    attribute: &'a str,
    /// The JSON string literal holding the policy.
    literal: &'a Node,
    hint: ContextHint,
}

impl<'a> Found<'a> {
    /// Looks at the attributes of one resource (`values` is `change.after` or the resource's
    /// `values`; `unknown` is `change.after_unknown`).
    fn resource(&mut self, resource: &'a Node, values: &'a Node, unknown: Option<&'a Node>) {
        let (Some(address), Some(kind)) = (string(resource, "address"), string(resource, "type")) else {
            return;
        };
        if string(resource, "mode") == Some("data") {
            return;
        }
        // A value unknown until apply is absent from `after`; keep it from being taken from
        // anywhere else either.
        let unknown = unknown.and_then(Node::as_object).unwrap_or_default();
        for attribute in unknown.iter().filter(|m| is_policy_name(&m.key)) {
            if matches!(attribute.value.value, Value::Bool(true)) {
                self.seen.insert((address, attribute.key.as_str()));
            }
        }
        let attributes = values.as_object().unwrap_or_default();
        for attribute in attributes.iter().filter(|m| is_policy_name(&m.key)) {
            let key = (address, attribute.key.as_str());
            if !self.seen.insert(key) {
                continue;
            }
            let Some(hint) = policy_hint(kind, attribute) else {
                continue;
            };
            self.policies.push(Policy {
                address,
                attribute: key.1,
                literal: &attribute.value,
                hint,
            });
        }
    }

    /// One document per policy, labelled with the resource address; `.ATTRIBUTE` is added only
    /// to tell apart the attributes of a resource that has more than one policy.
    fn documents(self, text: &str) -> Vec<PolicyDocument> {
        let mut per_address: HashMap<&str, usize> = HashMap::new();
        for policy in &self.policies {
            *per_address.entry(policy.address).or_default() += 1;
        }
        self.policies
            .iter()
            .map(|policy| {
                let shared = per_address.get(policy.address).is_some_and(|&n| n > 1);
                let label = if shared && policy.attribute != "policy" {
                    format!("{}.{}", policy.address, policy.attribute)
                } else {
                    policy.address.to_string()
                };
                document_in_string(text, policy.literal.span, label, policy.hint)
            })
            .collect()
    }
}

fn is_policy_name(attribute: &str) -> bool {
    attribute == "policy" || attribute.ends_with("_policy")
}

/// How to read a policy-named attribute, or `None` when it holds no policy. The `policy` of an
/// SES identity policy resource always is one. Any other (`assume_role_policy` of
/// `aws_iam_role`; `policy` of `aws_iam_role_policy`, `aws_iam_policy`, `aws_s3_bucket_policy`,
/// `aws_sns_topic_policy`, `aws_sqs_queue_policy`, `aws_kms_key`, ...) is classified by its
/// content, and taken only when it is a policy document or text that looks like a broken one:
/// `redrive_policy` and `ssl_policy` hold no policy.
fn policy_hint(kind: &str, attribute: &Member) -> Option<ContextHint> {
    let text = attribute.value.as_str()?;
    if attribute.key == "policy" && SES_IDENTITY_POLICY_TYPES.contains(&kind) {
        return Some(ContextHint::SesIdentityPolicy);
    }
    let parsed = json::parse(text);
    let holds_policy = match &parsed.root {
        Some(root) => root.as_object().is_some() && is_policy_document(root),
        None => looks_like_policy(text.as_bytes()),
    };
    holds_policy.then_some(ContextHint::Unknown)
}

fn member<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).map(|m| &m.value).filter(|v| v.value != Value::Null)
}

fn string<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(|m| m.value.as_str())
}

/// The items of an array member (none when it is absent or not an array).
fn items(array: Option<&Member>) -> std::slice::Iter<'_, Node> {
    match array.map(|m| &m.value.value) {
        Some(Value::Array(items)) => items.iter(),
        _ => [].iter(),
    }
}

/// What plans yield as documents; what the rules then report on them is in `tests/plans.rs`.
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::Context;

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform/plan");
        std::fs::read_to_string(path.join(name)).unwrap()
    }

    fn documents(text: &str) -> Vec<PolicyDocument> {
        let root = json::parse(text).root.expect("the plan parses");
        assert!(matches(&root), "not recognised as a plan");
        extract(text, &root)
    }

    fn labels(documents: &[PolicyDocument]) -> Vec<&str> {
        documents.iter().map(|d| d.label.as_str()).collect()
    }

    fn compact(policy: serde_json::Value) -> String {
        policy.to_string()
    }

    /// An identity policy for another account (what it grants does not matter here).
    fn identity_policy() -> String {
        compact(json!({
            "Statement": [{
                "Action": "ses:*",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444444444444:root"},
                "Resource": "arn:aws:ses:eu-west-1:111111111111:identity/example.com",
            }],
            "Version": "2012-10-17",
        }))
    }

    /// A managed resource of `planned_values`.
    fn planned(address: &str, kind: &str, values: serde_json::Value) -> serde_json::Value {
        json!({"address": address, "mode": "managed", "type": kind, "name": "x", "values": values})
    }

    #[test]
    fn recognises_plans_only() {
        assert!(matches(&json::parse(&fixture("cognito-broken.json")).root.unwrap()));
        for (text, expected) in [
            (r#"{"format_version": "1.2", "planned_values": {}}"#, true),
            (r#"{"format_version": "1.2", "resource_changes": []}"#, true),
            // State JSON (`terraform show -json` without a plan), a CLI export, a policy.
            (r#"{"format_version": "1.0", "values": {"root_module": {}}}"#, false),
            (r#"{"resource_changes": [], "planned_values": {}}"#, false),
            (r#"{"Policies": {"a": "{}"}}"#, false),
            (r#"{"Version": "2012-10-17", "Statement": []}"#, false),
            (r#"[{"format_version": "1.2", "planned_values": {}}]"#, false),
        ] {
            assert_eq!(matches(&json::parse(text).root.unwrap()), expected, "{text}");
        }
    }

    #[test]
    fn a_policy_in_both_sections_is_reported_once() {
        let text = fixture("cognito-broken.json");
        let documents = documents(&text);
        assert_eq!(labels(&documents), ["aws_ses_identity_policy.cognito"]);
        assert_eq!(documents[0].context, Context::SesIdentityPolicy);
    }

    #[test]
    fn labels_are_resource_addresses() {
        assert_eq!(
            labels(&documents(&fixture("cognito-correct.json"))),
            ["module.mail.aws_sesv2_email_identity_policy.cognito"]
        );
        assert_eq!(
            labels(&documents(&fixture("mixed.json"))),
            [
                "aws_iam_role.cognito_email",
                r#"aws_iam_role.sms["eu"]"#,
                "module.app.aws_iam_role.lambda",
                "module.app.aws_iam_role_policy.lambda_ses",
                "module.app.aws_sqs_queue.jobs",
                "module.app.module.assets.aws_s3_bucket_policy.assets",
            ]
        );
    }

    #[test]
    fn deletes_and_unknown_values_are_skipped() {
        for name in ["delete.json", "unknown-policy.json"] {
            let text = fixture(name);
            assert!(documents(&text).is_empty(), "{name}");
        }
        // A value unknown in `resource_changes` is not taken from `planned_values` either.
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                planned("aws_ses_identity_policy.x", "aws_ses_identity_policy",
                    json!({"policy": identity_policy()})),
            ]}},
            "resource_changes": [{
                "address": "aws_ses_identity_policy.x", "mode": "managed", "type": "aws_ses_identity_policy",
                "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"policy": true}},
            }],
        });
        assert!(documents(&plan.to_string()).is_empty());
    }

    #[test]
    fn planned_values_are_searched_through_nested_modules() {
        let ses = |address: &str| planned(address, "aws_ses_identity_policy", json!({"policy": identity_policy()}));
        let mut data = ses("data.aws_ses_identity_policy.read");
        data["mode"] = json!("data");
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {
                "resources": [ses("aws_ses_identity_policy.root"), data],
                "child_modules": [
                    {"address": "module.a", "resources": [], "child_modules": [
                        {"address": "module.a.module.b", "resources": [ses("module.a.module.b.aws_ses_identity_policy.deep")]},
                    ]},
                    {"address": "module.c", "resources": [ses("module.c.aws_ses_identity_policy.second")]},
                ],
            }},
        });
        assert_eq!(
            labels(&documents(&plan.to_string())),
            [
                "aws_ses_identity_policy.root",
                "module.a.module.b.aws_ses_identity_policy.deep",
                "module.c.aws_ses_identity_policy.second",
            ]
        );
    }

    #[test]
    fn a_second_policy_attribute_is_named_in_the_label() {
        let trust = compact(json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
        // An invented resource type with two policy attributes.
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                planned("aws_example.both", "aws_example", json!({
                    "policy": identity_policy(),
                    "assume_role_policy": trust,
                    "access_policy": compact(json!({"Statement": [{"Effect": "Allow", "Principal": "*",
                        "Action": "s3:GetObject"}]})),
                })),
            ]}},
        });
        let documents = documents(&plan.to_string());
        let mut labels = labels(&documents);
        labels.sort_unstable();
        assert_eq!(
            labels,
            [
                "aws_example.both",
                "aws_example.both.access_policy",
                "aws_example.both.assume_role_policy",
            ]
        );
    }

    #[test]
    fn only_policy_documents_are_taken_from_other_resources() {
        let send = compact(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "ses:SendEmail", "Resource": "*"}]}));
        let plan = json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                // The container says what an SES identity policy is, whatever its content.
                planned("aws_sesv2_email_identity_policy.a", "aws_sesv2_email_identity_policy",
                    json!({"policy": send, "policy_name": "a"})),
                planned("aws_iam_policy.b", "aws_iam_policy", json!({"policy": send, "name": "b"})),
                planned("aws_sqs_queue.c", "aws_sqs_queue", json!({
                    "redrive_policy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:111111111111:dlq\",\"maxReceiveCount\":4}",
                    "policy": "",
                })),
                planned("aws_lb_listener.d", "aws_lb_listener", json!({"ssl_policy": "ELBSecurityPolicy-2016-08"})),
                planned("aws_iam_role.e", "aws_iam_role", json!({"inline_policy": [{"name": "x", "policy": send}]})),
                planned("aws_kms_key.f", "aws_kms_key", json!({"policy": null})),
            ]}},
        });
        let documents = documents(&plan.to_string());
        assert_eq!(
            labels(&documents),
            ["aws_sesv2_email_identity_policy.a", "aws_iam_policy.b"]
        );
        assert_eq!(documents[0].context, Context::SesIdentityPolicy);
        assert_eq!(documents[1].context, Context::Unrelated);
    }
}
