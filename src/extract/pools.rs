//! A user pool against the identity policies of the identity it sends as, across the
//! resources of one Terraform module or one CloudFormation template (rules COG101 to COG104).
//!
//! Each extractor says what it found: the pools with an email configuration, the SES identities
//! the repository manages, and the identity policies with the identity each is for. This module
//! matches them (by reference to an identity resource, or by the identity's name) and builds,
//! for each pool, a *pool document* that the `user-pool` rules see (README, "Facts"):
//!
//! ```json
//! {"Pool": "UserPool", "EmailSendingAccount": "COGNITO_DEFAULT", "SourceArn": "arn:...",
//!  "Identity": "EmailIdentity", "UnseenPolicies": ["LABEL"], "SharedWith": ["OtherPool"],
//!  "CognitoPolicies": [{"Policy": "LABEL", "Principals": ["COGNITO_PRINCIPAL"],
//!                       "SourceArnPools": ["OtherPool"], "SourceArnRegions": ["eu-west-1"]}]}
//! ```
//!
//! Every value points at the place it comes from (the pool's properties, the identity resource,
//! the policy's principal and `aws:SourceArn`), so a finding lands on the resource that must
//! change and its related label on the other one. `EmailSendingAccount` defaults to
//! `COGNITO_DEFAULT`, pointing at the email configuration; `Identity` is there when the identity
//! is a resource of the module or template; `UnseenPolicies` lists identity policies on it whose
//! content cannot be seen here (a Terraform `file(...)`); `SharedWith` lists the other pools
//! that send from the same identity; `SourceArnPools` holds the pools of the
//! same module or template that the policy's `aws:SourceArn` refers to.

use crate::json::{Member, Node, Value};
use crate::policy::{ContextHint, PolicyDocument};
use crate::rules::definitions;
use crate::rules::predicate::Subject;
use crate::source::Span;
use crate::unknown::UNKNOWN;

/// A value as the extractor read it: what it is known to be, and where it is written.
pub struct Written {
    pub value: String,
    pub span: Span,
}

/// A user pool (or a replica's regional configuration) with an email configuration.
pub struct Pool {
    pub label: String,
    /// How the policies refer to the pool: its logical ID, or its Terraform address.
    pub id: String,
    /// Where to point when a setting is absent: the email configuration's key.
    pub anchor: Span,
    pub mode: Option<Written>,
    pub source_arn: Option<Written>,
}

/// An SES identity resource of the module or template.
pub struct Identity {
    /// Its logical ID or Terraform address.
    pub id: String,
    /// Its domain or address, when literal.
    pub name: Option<String>,
    pub span: Span,
}

/// An identity policy and the identity it is for, as written. `document` is `None` when the
/// policy's content cannot be seen here (a Terraform `file(...)`, a reference).
pub struct IdentityPolicy<'a> {
    pub label: String,
    pub document: Option<&'a PolicyDocument>,
    pub identity: Written,
}

/// Tells each identity policy how the pools that send as its identity send
/// (`EmailSendingAccount`), as the fact `sending_mode`, when they all say it alike and literally:
/// COG011 then checks the identity's region against that mode's regions (an Alternate-Region
/// pool with DEVELOPER may use only the first listed region). When one Terraform
/// `aws_cognito_user_pool` sends as the identity, the fact `user_pool_reference` is its ARN as a
/// reference (`${aws_cognito_user_pool.main.arn}`), for the fixes that put the pool in
/// `aws:SourceArn`. `documents` are the extractor's; a policy is found among them by its label.
pub fn mark_sending_modes(
    text: &str,
    pools: &[Pool],
    identities: &[Identity],
    policies: &[IdentityPolicy],
    documents: &mut [PolicyDocument],
) {
    let mut facts: Vec<(String, &str, serde_json::Value)> = Vec::new();
    for policy in policies {
        let identity = keys(text, &policy.identity, identities);
        let senders: Vec<&Pool> = pools
            .iter()
            .filter(|pool| {
                pool.source_arn
                    .as_ref()
                    .is_some_and(|arn| keys(text, arn, identities).iter().any(|k| identity.contains(k)))
            })
            .collect();
        let mut modes = senders
            .iter()
            .map(|pool| pool.mode.as_ref().map_or("COGNITO_DEFAULT", |m| m.value.as_str()));
        if let Some(first) = modes.next() {
            if !first.contains(UNKNOWN) && modes.all(|m| m == first) {
                facts.push((policy.label.clone(), "sending_mode", first.into()));
            }
        }
        if let [pool] = senders[..] {
            if pool.id.starts_with("aws_cognito_user_pool.") {
                let reference = format!("${{{}.arn}}", pool.id);
                facts.push((policy.label.clone(), "user_pool_reference", reference.into()));
            }
        }
    }
    for (label, name, value) in facts {
        for document in documents.iter_mut().filter(|d| d.label == label) {
            match &mut document.facts {
                serde_json::Value::Object(facts) => {
                    facts.insert(name.into(), value.clone());
                }
                facts => *facts = serde_json::json!({ name: value.clone() }),
            }
        }
    }
}

/// One pool document per pool. `pool_ids` are all the pools of the module or template, with an
/// email configuration or not (a policy may name any of them).
pub fn documents(
    text: &str,
    pools: &[Pool],
    pool_ids: &[&str],
    identities: &[Identity],
    policies: &[IdentityPolicy],
) -> Vec<PolicyDocument> {
    let sends_as: Vec<Vec<String>> = pools
        .iter()
        .map(|pool| {
            pool.source_arn
                .as_ref()
                .map(|arn| keys(text, arn, identities))
                .unwrap_or_default()
        })
        .collect();
    pools
        .iter()
        .enumerate()
        .map(|(index, pool)| {
            let shared: Vec<Node> = pools
                .iter()
                .zip(&sends_as)
                .enumerate()
                .filter(|&(other, (_, keys))| other != index && keys.iter().any(|k| sends_as[index].contains(k)))
                .map(|(_, (other, _))| string(&other.id, other.anchor))
                .collect();
            pool_document(text, pool, &sends_as[index], shared, pool_ids, identities, policies)
        })
        .collect()
}

fn pool_document(
    text: &str,
    pool: &Pool,
    sends_as: &[String],
    shared: Vec<Node>,
    pool_ids: &[&str],
    identities: &[Identity],
    policies: &[IdentityPolicy],
) -> PolicyDocument {
    let mut members = vec![
        member(
            "Pool",
            string(&pool.id, pool.source_arn.as_ref().map_or(pool.anchor, |s| s.span)),
        ),
        match &pool.mode {
            Some(mode) => member("EmailSendingAccount", string(&mode.value, mode.span)),
            None => member("EmailSendingAccount", string("COGNITO_DEFAULT", pool.anchor)),
        },
    ];
    if let Some(source_arn) = &pool.source_arn {
        members.push(member("SourceArn", string(&source_arn.value, source_arn.span)));
        if let Some(first) = shared.first() {
            let span = first.span;
            members.push(member(
                "SharedWith",
                Node {
                    value: Value::Array(shared),
                    span,
                },
            ));
        }
        if let Some(identity) = identities.iter().find(|i| sends_as.contains(&format!("id:{}", i.id))) {
            members.push(member("Identity", string(&identity.id, identity.span)));
        }
        let on_identity: Vec<&IdentityPolicy> = policies
            .iter()
            .filter(|p| keys(text, &p.identity, identities).iter().any(|k| sends_as.contains(k)))
            .collect();
        let unseen: Vec<Node> = on_identity
            .iter()
            .filter(|p| p.document.is_none())
            .map(|p| string(&p.label, p.identity.span))
            .collect();
        if let Some(first) = unseen.first() {
            let span = first.span;
            members.push(member(
                "UnseenPolicies",
                Node {
                    value: Value::Array(unseen),
                    span,
                },
            ));
        }
        let cognito: Vec<Node> = on_identity
            .iter()
            .filter_map(|p| cognito_policy(text, p.document?, pool_ids))
            .collect();
        if let Some(span) = cognito.first().map(|c| c.span) {
            members.push(member(
                "CognitoPolicies",
                Node {
                    value: Value::Array(cognito),
                    span,
                },
            ));
        }
    }
    let root = Node {
        value: Value::Object(members),
        span: pool.anchor,
    };
    PolicyDocument::new(
        pool.label.clone(),
        ContextHint::UserPool,
        Some(&root),
        (&[], &[]),
        pool.anchor,
        0,
        &|s| s,
    )
}

/// The unit and the predicate of the data files that say what Cognito's statements and
/// principals are.
const COGNITO_STATEMENT: &str = "cognito-statement";
const COGNITO_PRINCIPAL: &str = "cognito-principal";

/// What a policy with Cognito statements says, or `None` when it has none.
fn cognito_policy(text: &str, document: &PolicyDocument, pool_ids: &[&str]) -> Option<Node> {
    let mut principals = Vec::new();
    let mut pools = Vec::new();
    let mut regions = Vec::new();
    // What a Cognito statement and a Cognito principal are, the rules' data says
    // (rules/data/cognito.toml); a data file that lacks them finds none.
    let defs = definitions::builtin();
    let unit = defs.unit(COGNITO_STATEMENT);
    let is_principal = |v: &&str| {
        defs.predicate(COGNITO_PRINCIPAL)
            .is_some_and(|p| p.matches(Subject::string(v)))
    };
    let statements = document
        .statements()
        .filter(|s| unit.is_some_and(|u| definitions::unit_holds(&defs.units, u, *s)));
    for statement in statements {
        let principal_lists = statement.get("Principal").into_iter().flat_map(|p| p.children());
        for value in principal_lists.flat_map(|list| list.children()) {
            let Some(principal) = value.as_str().filter(is_principal) else {
                continue;
            };
            principals.push(string(principal, value.value_span()));
        }
        let operators = statement.get("Condition").into_iter().flat_map(|c| c.children());
        for keys in operators {
            let values = keys.get("aws:sourcearn").into_iter().flat_map(|list| list.children());
            for value in values {
                let span = value.value_span();
                let written = text.get(span.start..span.end).unwrap_or_default();
                for id in pool_ids.iter().filter(|id| refers_to(written, id)) {
                    pools.push(string(id, span));
                }
                if let Some(region) = value.as_str().and_then(|arn| arn.split(':').nth(3)) {
                    if !region.is_empty() && !region.contains([UNKNOWN, '*', '?']) {
                        regions.push(string(region, span));
                    }
                }
            }
        }
    }
    // A policy without Cognito principals says nothing about the pool.
    let at = principals.first()?.span;
    let list = |items: Vec<Node>| Node {
        value: Value::Array(items),
        span: at,
    };
    Some(Node {
        value: Value::Object(vec![
            member("Policy", string(&document.label, at)),
            member("Principals", list(principals)),
            member("SourceArnPools", list(pools)),
            member("SourceArnRegions", list(regions)),
        ]),
        span: at,
    })
}

/// The ways a written identity (a pool's `SourceArn`, a policy's identity) names an identity:
/// `id:ID` for each identity resource it refers to, `name:NAME` for its domain or address.
fn keys(text: &str, written: &Written, identities: &[Identity]) -> Vec<String> {
    let source = text.get(written.span.start..written.span.end).unwrap_or_default();
    let mut keys = Vec::new();
    for identity in identities.iter().filter(|i| refers_to(source, &i.id)) {
        keys.push(format!("id:{}", identity.id));
        keys.extend(identity.name.as_ref().map(|n| format!("name:{n}")));
    }
    let value = written.value.as_str();
    let name = match value.split_once(":identity/") {
        Some((_, name)) => name,
        None if !value.starts_with("arn:") => value,
        None => "",
    };
    if !name.is_empty() && !name.contains(UNKNOWN) {
        keys.push(format!("name:{name}"));
        keys.extend(
            identities
                .iter()
                .filter(|i| i.name.as_deref() == Some(name))
                .map(|i| format!("id:{}", i.id)),
        );
    }
    keys
}

/// Whether written text refers to `id` (a logical ID, a Terraform address) as a whole token.
fn refers_to(written: &str, id: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    written.match_indices(id).any(|(at, _)| {
        let before = written[..at].chars().next_back();
        let after = written[at + id.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

fn string(value: &str, span: Span) -> Node {
    Node {
        value: Value::String(value.to_string()),
        span,
    }
}

fn member(key: &str, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_whole_tokens() {
        assert!(refers_to("!GetAtt UserPool.Arn", "UserPool"));
        assert!(refers_to(
            "${aws_cognito_user_pool.main.arn}",
            "aws_cognito_user_pool.main"
        ));
        assert!(!refers_to("!GetAtt UserPoolClient.Arn", "UserPool"));
        assert!(!refers_to(
            "${aws_cognito_user_pool.main2.arn}",
            "aws_cognito_user_pool.main"
        ));
    }
}
