//! `data "aws_iam_policy_document"` turned into the policy JSON it renders, with spans on the
//! Terraform source.
//!
//! The data source describes a policy in blocks (`statement`, `principals`, `condition`) and
//! snake_case attributes (`actions`, `not_resources`, ...). Rules are written against IAM's JSON,
//! so this module builds that JSON as a [`json::Node`] tree whose nodes point at the attributes
//! and block values they come from. Defaults Terraform fills in (`Version` 2012-10-17, `Effect`
//! Allow) point at the block that implies them. `source_policy_documents` and
//! `override_policy_documents` that name other documents of the module are followed. A
//! document with a `dynamic` block cannot be known statically and yields nothing.

use crate::json::{Member, Node, Value};
use crate::source::Span;

/// How deep `source_policy_documents` / `override_policy_documents` chains are followed.
const MAX_CHAIN: usize = 8;

/// Finds another `aws_iam_policy_document` of the module by name.
pub type Lookup<'a> = dyn Fn(&str) -> Option<&'a Node> + 'a;

/// The policy JSON of the data source whose body is `body`, or `None` when it cannot be known.
pub fn render(body: &Node, lookup: &Lookup) -> Option<Node> {
    render_at_depth(body, lookup, 0)
}

fn render_at_depth(body: &Node, lookup: &Lookup, depth: usize) -> Option<Node> {
    if depth > MAX_CHAIN || has_dynamic(body) {
        return None;
    }
    let head = Span::new(body.span.start, body.span.start);
    let mut statements: Vec<Node> = Vec::new();
    for reference in strings(body.get("source_policy_documents")) {
        statements.extend(referenced_statements(&reference, lookup, depth)?);
    }
    for block in blocks(body.get("statement")) {
        upsert(&mut statements, statement(block));
    }
    for reference in strings(body.get("override_policy_documents")) {
        for statement in referenced_statements(&reference, lookup, depth)? {
            upsert(&mut statements, statement);
        }
    }
    let mut members = vec![match body.get("version") {
        Some(version) => renamed(version, "Version"),
        None => synthesized("Version", "2012-10-17", head),
    }];
    if let Some(id) = body.get("policy_id") {
        members.push(renamed(id, "Id"));
    }
    let statement_span = body.get("statement").map_or(head, |m| m.key_span);
    members.push(Member {
        key: "Statement".into(),
        key_span: statement_span,
        value: Node {
            value: Value::Array(statements),
            span: statement_span,
        },
    });
    Some(Node {
        value: Value::Object(members),
        span: body.span,
    })
}

/// The statements of the document a `${data.aws_iam_policy_document.NAME.json}` reference names;
/// `None` when it names something else or something that cannot be known.
fn referenced_statements(reference: &str, lookup: &Lookup, depth: usize) -> Option<Vec<Node>> {
    let name = data_source_name(reference)?;
    let document = render_at_depth(lookup(name)?, lookup, depth + 1)?;
    match document.get("Statement").map(|m| m.value.value.clone()) {
        Some(Value::Array(statements)) => Some(statements),
        _ => Some(Vec::new()),
    }
}

/// The names of the documents that other documents merge in (`source_policy_documents`,
/// `override_policy_documents`).
pub fn components<'a>(bodies: impl Iterator<Item = &'a Node>) -> Vec<&'a str> {
    let mut names = Vec::new();
    for body in bodies {
        for key in ["source_policy_documents", "override_policy_documents"] {
            let references = body.get(key).map(|m| &m.value);
            if let Some(Value::Array(items)) = references.map(|r| &r.value) {
                names.extend(items.iter().filter_map(Node::as_str).filter_map(data_source_name));
            }
        }
    }
    names
}

/// The size of the JSON Terraform renders for a document: indented, with one-element lists
/// written as their element.
pub fn rendered_size(rendered: &Node) -> usize {
    fn collapse(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Array(mut items) if items.len() == 1 => collapse(items.remove(0)),
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(collapse).collect()),
            serde_json::Value::Object(map) => {
                serde_json::Value::Object(map.into_iter().map(|(k, v)| (k, collapse(v))).collect())
            }
            other => other,
        }
    }
    serde_json::to_string_pretty(&collapse(rendered.to_value())).map_or(0, |json| json.len())
}

/// `NAME` of a `${data.aws_iam_policy_document.NAME.json}` (or `.minified_json`) reference,
/// also of one instance of it (`NAME[0].json`, `NAME["a"].json`).
pub fn data_source_name(reference: &str) -> Option<&str> {
    let (name, attribute) = reference_to(reference, "data.aws_iam_policy_document")?;
    matches!(attribute, "json" | "minified_json").then_some(name)
}

/// `(NAME, ATTRIBUTE)` of a whole-value reference `${KIND.NAME.ATTRIBUTE}` to an object of type
/// `KIND`. An object created with `count` or `for_each` is referenced through an instance,
/// `KIND.NAME[0].ATTRIBUTE` or `KIND.NAME["key"].ATTRIBUTE`: every instance has the same
/// configuration, so the reference is to `NAME` all the same. `ATTRIBUTE` is empty when the
/// reference names the object itself.
pub fn reference_to<'a>(reference: &'a str, kind: &str) -> Option<(&'a str, &'a str)> {
    let inner = reference.trim().strip_prefix("${")?.strip_suffix('}')?.trim();
    let rest = inner.strip_prefix(kind)?.strip_prefix('.')?;
    let (name, mut rest) = rest.split_at(rest.find(['.', '[']).unwrap_or(rest.len()));
    if rest.starts_with('[') {
        rest = &rest[rest.find(']')? + 1..];
    }
    let attribute = match rest {
        "" => "",
        _ => rest.strip_prefix('.')?,
    };
    (!name.is_empty()).then_some((name, attribute))
}

/// Adds a statement, replacing an earlier one with the same non-empty `Sid` (Terraform's merge).
fn upsert(statements: &mut Vec<Node>, statement: Node) {
    let sid = |s: &Node| {
        s.get("Sid")
            .and_then(|m| m.value.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match sid(&statement).and_then(|id| statements.iter().position(|s| sid(s).as_deref() == Some(id.as_str()))) {
        Some(index) => statements[index] = statement,
        None => statements.push(statement),
    }
}

fn statement(block: &Node) -> Node {
    let head = Span::new(block.span.start, block.span.start);
    let mut members = Vec::new();
    if let Some(sid) = block.get("sid") {
        members.push(renamed(sid, "Sid"));
    }
    members.push(match block.get("effect") {
        Some(effect) => renamed(effect, "Effect"),
        None => synthesized("Effect", "Allow", head),
    });
    for (from, to) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        if let Some(member) = block.get(from) {
            members.push(principals(member, to));
        }
    }
    for (from, to) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(member) = block.get(from) {
            members.push(renamed(member, to));
        }
    }
    if let Some(member) = block.get("condition") {
        members.push(conditions(member));
    }
    Node {
        value: Value::Object(members),
        span: block.span,
    }
}

/// `principals { type = "Service", identifiers = [...] }` blocks as `{"Service": [...]}`;
/// blocks of one type are merged.
fn principals(member: &Member, key: &str) -> Member {
    let mut entries: Vec<Member> = Vec::new();
    for block in blocks(Some(member)) {
        let (Some(kind), Some(identifiers)) = (block.get("type"), block.get("identifiers")) else {
            continue;
        };
        let name = match kind.value.as_str() {
            // `type = "*"` renders as `"Principal": "*"`, which is `{"AWS": ["*"]}`.
            Some("*") => "AWS".to_string(),
            Some(name) => name.to_string(),
            None => continue,
        };
        append(&mut entries, name, kind.value.span, identifiers.value.clone());
    }
    Member {
        key: key.into(),
        key_span: member.key_span,
        value: Node {
            value: Value::Object(entries),
            span: member.value.span,
        },
    }
}

/// `condition { test, variable, values }` blocks as `{"TEST": {"VARIABLE": [...]}}`.
fn conditions(member: &Member) -> Member {
    let mut operators: Vec<Member> = Vec::new();
    for block in blocks(Some(member)) {
        let (Some(test), Some(variable), Some(values)) =
            (block.get("test"), block.get("variable"), block.get("values"))
        else {
            continue;
        };
        let (Some(test_name), Some(variable_name)) = (test.value.as_str(), variable.value.as_str()) else {
            continue;
        };
        let position = match operators.iter().position(|m| m.key == test_name) {
            Some(position) => position,
            None => {
                operators.push(Member {
                    key: test_name.to_string(),
                    key_span: test.value.span,
                    value: Node {
                        value: Value::Object(Vec::new()),
                        span: block.span,
                    },
                });
                operators.len() - 1
            }
        };
        if let Value::Object(keys) = &mut operators[position].value.value {
            append(
                keys,
                variable_name.to_string(),
                variable.value.span,
                values.value.clone(),
            );
        }
    }
    Member {
        key: "Condition".into(),
        key_span: member.key_span,
        value: Node {
            value: Value::Object(operators),
            span: member.value.span,
        },
    }
}

/// Adds `key: values` to an object, concatenating lists when the key is there already.
fn append(members: &mut Vec<Member>, key: String, key_span: Span, values: Node) {
    match members.iter_mut().find(|m| m.key == key) {
        Some(existing) => {
            let more = match values.value {
                Value::Array(items) => items,
                _ => vec![values],
            };
            match &mut existing.value.value {
                Value::Array(items) => items.extend(more),
                _ => {
                    let first = existing.value.clone();
                    existing.value = Node {
                        value: Value::Array(std::iter::once(first).chain(more).collect()),
                        span: existing.value.span,
                    };
                }
            }
        }
        None => members.push(Member {
            key,
            key_span,
            value: values,
        }),
    }
}

fn renamed(member: &Member, key: &str) -> Member {
    Member {
        key: key.into(),
        key_span: member.key_span,
        value: member.value.clone(),
    }
}

/// A value Terraform fills in by default, anchored where it is implied.
fn synthesized(key: &str, value: &str, at: Span) -> Member {
    Member {
        key: key.into(),
        key_span: at,
        value: Node {
            value: Value::String(value.into()),
            span: at,
        },
    }
}

/// A block list (HCL repeats, or Terraform JSON's list or single object) as its blocks.
fn blocks(member: Option<&Member>) -> Vec<&Node> {
    match member.map(|m| &m.value.value) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(_)) => member.map(|m| &m.value).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The strings of a list attribute (`source_policy_documents = [...]`).
fn strings(member: Option<&Member>) -> Vec<String> {
    match member.map(|m| &m.value.value) {
        Some(Value::Array(items)) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn has_dynamic(node: &Node) -> bool {
    match &node.value {
        Value::Object(members) => members.iter().any(|m| m.key == "dynamic" || has_dynamic(&m.value)),
        Value::Array(items) => items.iter().any(has_dynamic),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_to_instances_name_the_object() {
        let role = "aws_iam_role";
        assert_eq!(reference_to("${aws_iam_role.x.id}", role), Some(("x", "id")));
        assert_eq!(reference_to("${aws_iam_role.x[0].id}", role), Some(("x", "id")));
        assert_eq!(reference_to("${aws_iam_role.x[\"a\"].name}", role), Some(("x", "name")));
        assert_eq!(reference_to("${aws_iam_role.x[each.key]}", role), Some(("x", "")));
        assert_eq!(reference_to("${aws_iam_role.x}", role), Some(("x", "")));
        assert_eq!(reference_to("${aws_iam_role_policy.x.id}", role), None);
        assert_eq!(reference_to("${aws_iam_role.x[0}", role), None);
        assert_eq!(data_source_name("${data.aws_iam_policy_document.p[0].json}"), Some("p"));
        assert_eq!(
            data_source_name("${data.aws_iam_policy_document.p[\"k\"].minified_json}"),
            Some("p")
        );
        assert_eq!(data_source_name("${data.aws_iam_policy_document.p.statement}"), None);
    }
}
