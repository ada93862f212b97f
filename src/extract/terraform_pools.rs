//! The Terraform side of the cross-resource rules (COG101 to COG104): a module's
//! `aws_cognito_user_pool` email configurations, its SES identity resources and its identity
//! policies, handed to `pools.rs`, which matches them.

use crate::json::{Node, Value};
use crate::policy::{Context, PolicyDocument};

use super::pools::{self, Identity, IdentityPolicy, Pool, Written};

/// SES identity resources and the argument that names the identity.
const IDENTITY_RESOURCES: [(&str, &str); 3] = [
    ("aws_ses_domain_identity", "domain"),
    ("aws_ses_email_identity", "email"),
    ("aws_sesv2_email_identity", "email_identity"),
];

/// SES identity-policy resources and the argument that names their identity.
const POLICY_RESOURCES: [(&str, &str); 2] = [
    ("aws_ses_identity_policy", "identity"),
    ("aws_sesv2_email_identity_policy", "email_identity"),
];

/// One pool document per `aws_cognito_user_pool` with an `email_configuration` block.
/// `resources` are the module's (type, name, body); `documents` the policies already extracted.
pub fn documents(
    text: &str,
    resources: &[(&str, &str, &Node)],
    documents: &mut [PolicyDocument],
) -> Vec<PolicyDocument> {
    // Values as written: two arguments that hold the same expression (`local.sender`) name the
    // same identity.
    let written = |node: &Node, key: &str| {
        node.get(key).and_then(|m| {
            Some(Written {
                value: m.value.as_str()?.to_string(),
                span: m.value.span,
            })
        })
    };
    let mut pool_list = Vec::new();
    let mut identities = Vec::new();
    let mut policies = Vec::new();
    for &(kind, name, body) in resources {
        let address = format!("{kind}.{name}");
        if kind == "aws_cognito_user_pool" {
            let Some(config) = body.get("email_configuration") else {
                continue;
            };
            let block = match &config.value.value {
                Value::Array(items) => items.first(),
                _ => Some(&config.value),
            };
            let Some(block) = block else { continue };
            pool_list.push(Pool {
                label: address.clone(),
                id: address,
                anchor: config.key_span,
                mode: written(block, "email_sending_account"),
                source_arn: written(block, "source_arn"),
            });
        } else if let Some((_, argument)) = IDENTITY_RESOURCES.iter().find(|(k, _)| *k == kind) {
            let name = body.get(argument).and_then(|m| m.value.as_str()).map(str::to_string);
            identities.push(Identity {
                id: address,
                name,
                span: body.span.head(text),
            });
        } else if let Some((_, argument)) = POLICY_RESOURCES.iter().find(|(k, _)| *k == kind) {
            if let Some(identity) = written(body, argument) {
                policies.push((address, identity));
            }
        }
    }
    let pool_ids: Vec<String> = resources
        .iter()
        .filter(|(kind, _, _)| *kind == "aws_cognito_user_pool")
        .map(|(kind, name, _)| format!("{kind}.{name}"))
        .collect();
    let pool_ids: Vec<&str> = pool_ids.iter().map(String::as_str).collect();
    let seen = |label: &str| {
        documents
            .iter()
            .position(|d| d.label == label && d.context == Context::SesIdentityPolicy)
    };
    let positions: Vec<Option<usize>> = policies.iter().map(|(label, _)| seen(label)).collect();
    let pool_documents = {
        let policies: Vec<IdentityPolicy> = policies
            .iter()
            .zip(&positions)
            .map(|((label, identity), position)| IdentityPolicy {
                label: label.clone(),
                document: position.map(|i| &documents[i]),
                identity: Written {
                    value: identity.value.clone(),
                    span: identity.span,
                },
            })
            .collect();
        pools::documents(text, &pool_list, &pool_ids, &identities, &policies)
    };
    let policies: Vec<IdentityPolicy> = policies
        .into_iter()
        .map(|(label, identity)| IdentityPolicy {
            label,
            document: None,
            identity,
        })
        .collect();
    pools::mark_sending_modes(text, &pool_list, &identities, &policies, documents);
    pool_documents
}
