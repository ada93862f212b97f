//! JSON files: a raw policy document, a CLI export, a Terraform plan, or a JSON file with
//! policies nested in it (`aws iam get-role` output holds its trust policy under
//! `Role.AssumeRolePolicyDocument`).
//!
//! JSON that holds no policy (package.json, tsconfig.json) yields no document. Text that does
//! not parse yields a document for the syntax rules only if it looks like a policy.
//!
//! A file that is one policy document (the usual case, and the one that gets large) is parsed
//! straight into its canonical tree; any other is parsed into a `json::Node` tree and searched.

use crate::fix::Syntax;
use crate::json::{self, DuplicateKey, Node, SyntaxError, Value};
use crate::policy::{self, is_policy_document, ContextHint, PolicyDocument, Whole};
use crate::source::Span;

use super::format::looks_like_policy;
use super::shared::container_problems;
use super::{cli_export, plan};

pub fn extract(text: &str) -> Vec<PolicyDocument> {
    // Most JSON in a repository (lock files, manifests) names no policy element: skip the parse.
    if !looks_like_policy(text.as_bytes()) {
        return Vec::new();
    }
    let whole = Span::new(0, text.len());
    // A file that is one policy (the common case, and the one that can be large) is parsed
    // straight into its canonical tree; a root with a key a container is recognized by is read
    // below.
    let container = |key: &str| cli_export::ROOT_KEYS.contains(&key) || plan::ROOT_KEYS.contains(&key);
    if let Some(policy) = policy::parse_whole(text, &container) {
        return whole_policy(policy, whole);
    }
    let parsed = json::parse(text);
    let Some(root) = &parsed.root else {
        let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
        return vec![PolicyDocument::new(
            String::new(),
            ContextHint::Unknown,
            None,
            problems,
            whole,
            text.len(),
            &|s| s,
        )];
    };
    // Containers that hold their policies in JSON strings: a CLI export, a Terraform plan.
    let container: Option<fn(&str, &Node) -> Vec<PolicyDocument>> = if cli_export::matches(root) {
        Some(cli_export::extract)
    } else if plan::matches(root) {
        Some(plan::extract)
    } else {
        None
    };
    if let Some(extract_container) = container {
        let mut documents: Vec<PolicyDocument> = container_problems(&parsed.errors, &parsed.duplicate_keys, whole)
            .into_iter()
            .collect();
        documents.extend(extract_container(text, root));
        return documents;
    }
    let mut found: Vec<(String, &Node)> = Vec::new();
    find_policies(root, &mut found);
    if found.is_empty() {
        return Vec::new();
    }
    let error_span = |e: &SyntaxError| e.span;
    let duplicate_span = |d: &DuplicateKey| d.second;
    let mut documents: Vec<PolicyDocument> = found
        .iter()
        .map(|(label, node)| {
            let within = |span: Span| span.start >= node.span.start && span.end <= node.span.end;
            let errors = select(&parsed.errors, error_span, within);
            let duplicates = select(&parsed.duplicate_keys, duplicate_span, within);
            let problems = (&errors[..], &duplicates[..]);
            PolicyDocument {
                syntax: Syntax::Json(Vec::new()),
                ..PolicyDocument::new(
                    label.clone(),
                    ContextHint::Unknown,
                    Some(node),
                    problems,
                    node.span,
                    node.span.len(),
                    &|s| s,
                )
            }
        })
        .collect();
    // Problems outside every policy (a trailing comma in the wrapper) are still reported.
    let outside = |span: Span| {
        !found
            .iter()
            .any(|(_, n)| span.start >= n.span.start && span.end <= n.span.end)
    };
    let errors = select(&parsed.errors, error_span, outside);
    let duplicates = select(&parsed.duplicate_keys, duplicate_span, outside);
    documents.extend(container_problems(&errors, &duplicates, whole));
    documents
}

/// The documents of a file that is one policy, as the general path below gives them: the policy
/// with the problems inside it, then the problems outside it (text after the root).
fn whole_policy(policy: Whole, whole: Span) -> Vec<PolicyDocument> {
    let root = policy.span;
    let within = |span: Span| span.start >= root.start && span.end <= root.end;
    let outside = |span: Span| !within(span);
    let error_span = |e: &SyntaxError| e.span;
    let duplicate_span = |d: &DuplicateKey| d.second;
    let errors = select(&policy.errors, error_span, within);
    let duplicates = select(&policy.duplicate_keys, duplicate_span, within);
    let errors_outside = select(&policy.errors, error_span, outside);
    let duplicates_outside = select(&policy.duplicate_keys, duplicate_span, outside);
    let document = PolicyDocument::from_whole(policy, String::new(), ContextHint::Unknown, (&errors, &duplicates));
    let mut documents = vec![PolicyDocument {
        syntax: Syntax::Json(Vec::new()),
        ..document
    }];
    documents.extend(container_problems(&errors_outside, &duplicates_outside, whole));
    documents
}

/// The items whose span satisfies `keep`.
fn select<T: Clone>(items: &[T], span: impl Fn(&T) -> Span, keep: impl Fn(Span) -> bool) -> Vec<T> {
    items.iter().filter(|item| keep(span(item))).cloned().collect()
}

/// Collects every policy document in the tree, outermost first; a policy's own contents are not
/// searched further. Labels are dotted paths (`Role.AssumeRolePolicyDocument`, `Items.0`).
fn find_policies<'a>(root: &'a Node, found: &mut Vec<(String, &'a Node)>) {
    let mut stack: Vec<(String, &Node)> = vec![(String::new(), root)];
    while let Some((label, node)) = stack.pop() {
        if node.as_object().is_some() && is_policy_document(node) {
            found.push((label, node));
            continue;
        }
        let join = |child: &str| {
            if label.is_empty() {
                child.to_string()
            } else {
                format!("{label}.{child}")
            }
        };
        match &node.value {
            Value::Object(members) => {
                stack.extend(members.iter().rev().map(|m| (join(&m.key), &m.value)));
            }
            Value::Array(items) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(i, item)| (join(&i.to_string()), item)),
                );
            }
            _ => {}
        }
    }
}
