//! AWS CLI exports of SES identity policies.
//!
//! `aws ses get-identity-policies` and `aws sesv2 get-email-identity-policies` both print
//! `{"Policies": {NAME: "<policy JSON as a string>"}}`. Each policy is a JSON document inside a
//! JSON string; its spans are mapped back through the string's escapes.

use crate::json::{Node, Value};
use crate::policy::{ContextHint, PolicyDocument};

use super::shared::document_in_string;

/// The root key of an export.
const POLICIES: &str = "Policies";

/// The root keys [`matches`] looks at: a root without any of them is not an export.
pub const ROOT_KEYS: [&str; 1] = [POLICIES];

/// Whether a parsed root is an SES CLI export: a `Policies` object whose values are all strings.
pub fn matches(root: &Node) -> bool {
    let Some(policies) = root.get(POLICIES).and_then(|m| m.value.as_object()) else {
        return false;
    };
    !policies.is_empty() && policies.iter().all(|m| matches!(m.value.value, Value::String(_)))
}

pub fn extract(text: &str, root: &Node) -> Vec<PolicyDocument> {
    let Some(policies) = root.get("Policies").and_then(|m| m.value.as_object()) else {
        return Vec::new();
    };
    policies
        .iter()
        .map(|member| {
            let label = format!("Policies.{}", member.key);
            document_in_string(text, member.value.span, label, ContextHint::SesIdentityPolicy)
        })
        .collect()
}
