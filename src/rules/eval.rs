//! Runs compiled rules over one policy document and produces findings with spans.
//!
//! A rule sees the canonical document (see `policy.rs`) one *unit* at a time: the whole document,
//! or each (Cognito) statement. Paths in the rule are relative to the unit; every selected node
//! is mapped back to the bytes it came from through the document's span map.

use std::borrow::Cow;

use serde_json::Value;

use super::path::Path;
use super::predicate::Predicate;
use super::{
    AppliesTo, ArnField, Check, Clause, Compare, Extract, Quantifier, Rule, RuleSet, Side, Target, Test, Unit,
};
use crate::finding::Finding;
use crate::policy::{is_cognito_statement, Context, PolicyDocument};
use crate::source::Span;
use crate::unknown::{self, is_partly_unknown, UNKNOWN};

/// Runs every rule that applies to `document`; `text` is the file's text.
pub fn check_document(rules: &RuleSet, document: &PolicyDocument, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut owners: Vec<Owner> = Vec::new();
    for rule in &rules.rules {
        if applies(rule.applies_to, document.context) {
            check_rule(rule, document, text, &mut findings, &mut owners);
        }
    }
    // A place a specific rule owns is reported by that rule only.
    if !owners.is_empty() {
        findings.retain(|finding| {
            !owners
                .iter()
                .any(|owner| owner.span.overlaps(finding.span) && owner.codes.contains(&finding.code))
        });
    }
    findings
}

/// A place reported by a check that supersedes other rules there.
struct Owner<'r> {
    span: Span,
    codes: &'r [String],
}

fn applies(applies_to: AppliesTo, context: Context) -> bool {
    match applies_to {
        AppliesTo::SesIdentityPolicy => {
            matches!(context, Context::SesIdentityPolicy | Context::Unparsed)
        }
        AppliesTo::RoleTrustPolicy => context == Context::RoleTrustPolicy,
        AppliesTo::UserPool => context == Context::UserPool,
    }
}

/// The part of the document a rule looks at in one pass.
struct UnitRef<'a> {
    pointer: String,
    value: &'a Value,
}

fn units<'a>(rule: &Rule, document: &'a PolicyDocument) -> Vec<UnitRef<'a>> {
    match (rule.unit, &document.canonical) {
        (Unit::Document, Some(value)) => vec![UnitRef {
            pointer: String::new(),
            value,
        }],
        (Unit::Document, None) => Vec::new(),
        (Unit::Statement, _) => document
            .statements()
            .map(|(pointer, value)| UnitRef { pointer, value })
            .collect(),
        (Unit::CognitoStatement, _) => document
            .statements()
            .filter(|(_, s)| is_cognito_statement(s))
            .map(|(pointer, value)| UnitRef { pointer, value })
            .collect(),
    }
}

fn check_rule<'r>(
    rule: &'r Rule,
    document: &PolicyDocument,
    text: &str,
    out: &mut Vec<Finding>,
    owners: &mut Vec<Owner<'r>>,
) {
    let first = out.len();
    let ctx = Ctx { rule, document, text };
    // Findings about the text (each syntax error is its own defect) are not merged.
    let mut of_text = Vec::new();
    for check in &rule.checks {
        let before = out.len();
        match check.test {
            Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_) => {
                ctx.source_check(check, &mut of_text)
            }
            _ => {
                for unit in units(rule, document) {
                    if check.when.iter().all(|clause| ctx.clause_holds(clause, &unit)) {
                        ctx.unit_check(check, &unit, out);
                    }
                }
            }
        }
        if !check.supersedes.is_empty() {
            owners.extend(out[before..].iter().map(|finding| Owner {
                span: finding.span,
                codes: &check.supersedes,
            }));
        }
    }
    let found: Vec<Finding> = out.drain(first..).collect();
    merge_repeats(found, out);
    out.append(&mut of_text);
}

/// One defect, one finding: the same message for the same statement (one value written in several
/// places, two checks finding one place) is reported once, at its first place, with a label on
/// each other place.
fn merge_repeats(found: Vec<Finding>, out: &mut Vec<Finding>) {
    // `Statement[Sid=X]/Condition/...` -> `Statement[Sid=X]`; a place outside statements is its own.
    let statement = |f: &Finding| {
        let location = f.location.as_str();
        let end = location.find("]/").map_or(location.len(), |i| i + 1);
        location[..end].to_string()
    };
    let mut kept: std::collections::HashMap<(String, String), usize> = std::collections::HashMap::new();
    for finding in found {
        match kept.get(&(statement(&finding), finding.message.clone())) {
            Some(&index) => {
                let earlier = &mut out[index];
                let place = (finding.span, finding.label.unwrap_or_else(|| "here too".into()));
                if finding.span != earlier.span && !earlier.related.contains(&place) {
                    earlier.related.push(place);
                }
            }
            None => {
                kept.insert((statement(&finding), finding.message.clone()), out.len());
                out.push(finding);
            }
        }
    }
}

struct Ctx<'a> {
    rule: &'a Rule,
    document: &'a PolicyDocument,
    text: &'a str,
}

/// What a finding's message placeholders are filled with.
#[derive(Default)]
struct Facts {
    pointer: String,
    value: Option<String>,
    key: Option<String>,
    did_you_mean: Option<String>,
    matched: Option<String>,
    left: Option<String>,
    right: Option<String>,
    detail: Option<String>,
    size: Option<usize>,
    limit: Option<usize>,
}

impl Ctx<'_> {
    fn source_check(&self, check: &Check, out: &mut Vec<Finding>) {
        let doc = self.document;
        match check.test {
            Test::Syntax | Test::FileSyntax => {
                let errors = match check.test {
                    Test::Syntax => &doc.syntax_errors,
                    _ => &doc.file_errors,
                };
                for error in errors {
                    let facts = Facts {
                        detail: Some(error.message.clone()),
                        ..Facts::default()
                    };
                    out.push(self.finding(check, error.span, &facts, Vec::new()));
                }
            }
            Test::DuplicateKeys => {
                for dup in &doc.duplicate_keys {
                    let facts = Facts {
                        key: Some(json_string(&dup.key)),
                        ..Facts::default()
                    };
                    out.push(self.finding(
                        check,
                        dup.second,
                        &facts,
                        vec![(dup.first, "first defined here".into())],
                    ));
                }
            }
            Test::Size(limit) if doc.size_bytes > limit => {
                let facts = Facts {
                    size: Some(doc.size_bytes),
                    limit: Some(limit),
                    ..Facts::default()
                };
                out.push(self.finding(check, doc.span.head(self.text), &facts, Vec::new()));
            }
            _ => {}
        }
    }

    fn unit_check(&self, check: &Check, unit: &UnitRef, out: &mut Vec<Finding>) {
        match &check.test {
            Test::Require(p) | Test::Forbid(p) => {
                let wanted = matches!(check.test, Test::Require(_));
                for node in self.tested_nodes(check, unit) {
                    if decide(p, &node.tested).is_some_and(|matched| matched != wanted) {
                        let mut facts = self.node_facts(unit, &node);
                        facts.matched = p
                            .regex
                            .as_ref()
                            .zip(node.tested.as_str())
                            .and_then(|(regex, text)| regex.find(text))
                            .map(|found| json_string(found.as_str()));
                        if wanted {
                            facts.did_you_mean = node
                                .tested
                                .as_str()
                                .and_then(|t| p.suggestion(t))
                                .map(|s| format!("; did you mean {}?", json_string(s)));
                        }
                        out.push(self.finding(check, node.span, &facts, Vec::new()));
                    }
                }
            }
            Test::Absent => {
                for node in self.tested_nodes(check, unit) {
                    let facts = self.node_facts(unit, &node);
                    out.push(self.finding(check, node.span, &facts, Vec::new()));
                }
            }
            Test::Present => {
                if self.tested_nodes(check, unit).is_empty() {
                    self.report_at_unit(check, unit, out);
                }
            }
            Test::Always => self.report_at_unit(check, unit, out),
            Test::Unique => {
                let known = |n: &Tested| n.tested.as_str().is_none_or(|t| !is_partly_unknown(t));
                let nodes: Vec<Tested> = self.tested_nodes(check, unit).into_iter().filter(known).collect();
                for (i, node) in nodes.iter().enumerate() {
                    if let Some(first) = nodes[..i].iter().find(|earlier| earlier.tested == node.tested) {
                        let facts = self.node_facts(unit, node);
                        out.push(self.finding(check, node.span, &facts, vec![(first.span, "first used here".into())]));
                    }
                }
            }
            Test::Compare(compare) => self.compare(check, compare, unit, out),
            Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_) => {}
        }
    }

    fn compare(&self, check: &Check, compare: &Compare, unit: &UnitRef, out: &mut Vec<Finding>) {
        let side = |side: &Side| -> Vec<(Tested, String)> {
            self.select(check, unit, &side.path, Target::Value)
                .into_iter()
                .filter(|node| {
                    side.only
                        .as_ref()
                        .is_none_or(|only| decide(only, &node.tested) == Some(true))
                })
                .filter_map(|node| {
                    let field = extract_field(node.tested.as_str()?, &side.extract)?;
                    // Wildcards and unknown parts stand for many values: they neither agree nor disagree.
                    (!field.contains(['*', '?', UNKNOWN]) && !field.is_empty()).then_some((node, field))
                })
                .collect()
        };
        let rights = side(&compare.right);
        for (left, left_value) in side(&compare.left) {
            for (right, right_value) in &rights {
                let allowed = |key: &str| {
                    compare
                        .also_allowed
                        .get(key)
                        .is_some_and(|values| values.contains(&left_value))
                };
                if left_value == *right_value || allowed(right_value) || allowed("*") {
                    continue;
                }
                let mut facts = self.node_facts(unit, &left);
                facts.left = Some(json_string(&left_value));
                facts.right = Some(json_string(right_value));
                let label = compare
                    .right_label
                    .as_ref()
                    .map(|t| t.render(&|v| self.lookup(v, &facts)));
                let related = vec![(right.span, label.unwrap_or_default())];
                out.push(self.finding(check, left.span, &facts, related));
            }
        }
    }

    fn report_at_unit(&self, check: &Check, unit: &UnitRef, out: &mut Vec<Finding>) {
        let anchor = check
            .report_at
            .iter()
            .find_map(|path| path.select(unit.value).into_iter().next())
            .map(|s| format!("{}{}", unit.pointer, s.pointer));
        let span = match anchor.as_deref().and_then(|p| self.document.spans.get(p)) {
            // A member is reported at its key: `"Condition"` rather than its whole block.
            Some(source) => source.key.unwrap_or(source.value),
            None => self.unit_span(unit),
        };
        let facts = Facts {
            pointer: unit.pointer.clone(),
            ..Facts::default()
        };
        out.push(self.finding(check, span, &facts, Vec::new()));
    }

    fn unit_span(&self, unit: &UnitRef) -> Span {
        self.anchor(&unit.pointer, unit.value)
    }

    /// Where to point for a node: at itself when it fits on one line; a container over several
    /// lines at its `Sid` (a statement), else at its key (`"Action"`), else at its opening bracket.
    fn anchor(&self, pointer: &str, value: &Value) -> Span {
        let source = self.document.spans.get(pointer);
        let whole = source.map_or(self.document.span, |s| s.value);
        let one_line = !self.text.get(whole.start..whole.end).is_some_and(|t| t.contains('\n'));
        if one_line || !(value.is_object() || value.is_array()) {
            return whole;
        }
        let sid = value
            .is_object()
            .then(|| self.document.spans.get(&format!("{pointer}/Sid")))
            .flatten();
        sid.map(|s| s.value)
            .or_else(|| source.and_then(|s| s.key))
            .unwrap_or_else(|| whole.head(self.text))
    }

    fn clause_holds(&self, clause: &Clause, unit: &UnitRef) -> bool {
        let target = if clause.of_facts {
            &self.document.facts
        } else {
            unit.value
        };
        let values: Vec<Cow<Value>> = clause
            .path
            .select(target)
            .into_iter()
            .map(|s| match clause.on {
                Target::Value => Cow::Borrowed(s.value),
                Target::Key => {
                    let pointer = format!("{}{}", unit.pointer, s.pointer);
                    let written = self.document.spans.get(&pointer).and_then(|n| n.key_text.as_deref());
                    Cow::Owned(Value::String(written.map(str::to_string).or(s.key).unwrap_or_default()))
                }
            })
            .collect();
        // A value that cannot be known may match or not: a clause that depends on it does not
        // hold, so that the rule stays silent. Presence does not depend on the value.
        match &clause.quantifier {
            Quantifier::Any(p) => values.iter().any(|v| decide(p, v) == Some(true)),
            Quantifier::All(p) => !values.is_empty() && values.iter().all(|v| decide(p, v) == Some(true)),
            Quantifier::None(p) => values.iter().all(|v| decide(p, v) == Some(false)),
            Quantifier::Present(present) => values.is_empty() != *present,
        }
    }

    fn tested_nodes<'v>(&'v self, check: &Check, unit: &UnitRef<'v>) -> Vec<Tested<'v>> {
        self.select(check, unit, &check.select, check.on)
    }

    /// Selects nodes under the unit and prepares the value each test sees: the value or key,
    /// normalized, with nodes matching `skip` left out. Values are borrowed, not copied.
    fn select<'v>(&'v self, check: &Check, unit: &UnitRef<'v>, path: &Path, on: Target) -> Vec<Tested<'v>> {
        path.select(unit.value)
            .into_iter()
            .filter_map(|selected| {
                let pointer = format!("{}{}", unit.pointer, selected.pointer);
                let source = self.document.spans.get(&pointer);
                let value_span = self.anchor(&pointer, selected.value);
                let written_key = source.and_then(|s| s.key_text.as_deref());
                let (tested, span) = match on {
                    Target::Value => (Cow::Borrowed(selected.value), value_span),
                    Target::Key => {
                        let key = written_key.map(str::to_string).or_else(|| selected.key.clone())?;
                        (
                            Cow::Owned(Value::String(key)),
                            source.and_then(|s| s.key).unwrap_or(value_span),
                        )
                    }
                };
                let tested = normalize(tested, check);
                // A node that may match `skip` is skipped.
                if check
                    .skip
                    .as_ref()
                    .is_some_and(|skip: &Predicate| decide(skip, &tested) != Some(false))
                {
                    return None;
                }
                Some(Tested {
                    pointer,
                    written_key,
                    path_key: selected.key,
                    tested,
                    span,
                })
            })
            .collect()
    }

    fn node_facts(&self, _unit: &UnitRef, node: &Tested) -> Facts {
        Facts {
            pointer: node.pointer.clone(),
            value: Some(self.display_value(node)),
            key: node.written_key.or(node.path_key.as_deref()).map(json_string),
            ..Facts::default()
        }
    }

    /// A value as JSON; one with unknown parts as written in the file (`"${var.arn}"`).
    fn display_value(&self, node: &Tested) -> String {
        match node.tested.as_str() {
            Some(text) if is_partly_unknown(text) => json_string(self.written(node.span)),
            Some(text) => json_string(text),
            None => {
                let json = node.tested.to_string();
                match json.char_indices().nth(120) {
                    Some((cut, _)) => format!("{}…", &json[..cut]),
                    None => json,
                }
            }
        }
    }

    /// A string value as the file writes it, without its quotes (`${var.stage}Send`).
    fn written(&self, span: Span) -> &str {
        let written = self.text.get(span.start..span.end).unwrap_or_default();
        written.trim_matches(|c| c == '"' || c == '\\')
    }

    fn finding(&self, check: &Check, span: Span, facts: &Facts, mut related: Vec<(Span, String)>) -> Finding {
        let lookup = |v: &str| self.lookup(v, facts);
        let rule = self.rule;
        if let (Some((path, label)), Some(root)) = (&check.related, &self.document.canonical) {
            let label = label.as_ref().map(|t| t.render(&lookup)).unwrap_or_default();
            for selected in path.select(root) {
                if let Some(source) = self.document.spans.get(&selected.pointer) {
                    related.push((source.value, label.clone()));
                }
            }
        }
        Finding {
            code: rule.code.clone(),
            name: rule.name.clone(),
            severity: check.severity.unwrap_or(rule.severity),
            message: check.message.as_ref().unwrap_or(&rule.message).render(&lookup),
            help: check.help.as_ref().unwrap_or(&rule.help).render(&lookup),
            policy: self.document.label.clone(),
            span,
            label: check.label.as_ref().map(|t| t.render(&lookup)),
            related,
            location: self.stable_location(&facts.pointer),
        }
    }

    /// The non-empty Sid of statement `index` (0-based), if it has one.
    fn sid_of(&self, index: impl std::fmt::Display) -> Option<&str> {
        let doc = self.document.canonical.as_ref()?;
        doc.pointer(&format!("/Statement/{index}/Sid"))
            .and_then(Value::as_str)
            .filter(|sid| !sid.is_empty())
    }

    /// `pointer` with its statement named by Sid when it has one (see [`Finding::location`]).
    fn stable_location(&self, pointer: &str) -> String {
        let Some(rest) = pointer.strip_prefix("/Statement/") else {
            return pointer.to_string();
        };
        let (index, inner) = rest.split_once('/').map_or((rest, ""), |(i, inner)| (i, inner));
        let sid = self.sid_of(index);
        let statement = match sid {
            Some(sid) => format!("Statement[Sid={sid}]"),
            None => format!("Statement[{index}]"),
        };
        if inner.is_empty() {
            statement
        } else {
            format!("{statement}/{inner}")
        }
    }

    fn lookup(&self, variable: &str, facts: &Facts) -> Option<String> {
        match variable {
            "statement" => Some(self.statement_name(&facts.pointer)),
            "value" => facts.value.clone(),
            "key" => facts.key.clone(),
            "did_you_mean" => Some(facts.did_you_mean.clone().unwrap_or_default()),
            "match" => facts.matched.clone(),
            "left" => facts.left.clone(),
            "right" => facts.right.clone(),
            "detail" => facts.detail.clone(),
            "size" => facts.size.map(|s| s.to_string()),
            "limit" => facts.limit.map(|s| s.to_string()),
            _ => None,
        }
    }

    /// `statement "Sid"`, `statement 2` (1-based) without a Sid, or `the policy` outside statements.
    fn statement_name(&self, pointer: &str) -> String {
        let index = pointer
            .strip_prefix("/Statement/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|i| i.parse::<usize>().ok());
        let Some(index) = index else {
            return "the policy".into();
        };
        match self.sid_of(index) {
            // A Sid built from references is shown as the source writes it.
            Some(sid) if is_partly_unknown(sid) => {
                let span = self.document.spans.get(&format!("/Statement/{index}/Sid"));
                let written = span.map_or(sid, |source| self.written(source.value));
                format!("statement {}", json_string(written))
            }
            Some(sid) => format!("statement {}", json_string(sid)),
            None => format!("statement {}", index + 1),
        }
    }
}

/// A selected node as a test sees it.
struct Tested<'v> {
    pointer: String,
    /// The key the node is stored under, as written in the file.
    written_key: Option<&'v str>,
    /// The key of the member the node belongs to, from its path (for list items: the list's).
    path_key: Option<String>,
    tested: Cow<'v, Value>,
    span: Span,
}

fn normalize<'v>(value: Cow<'v, Value>, check: &Check) -> Cow<'v, Value> {
    let Some(text) = value.as_str() else {
        return value;
    };
    let prefix = check.strip_prefix.iter().find(|p| text.starts_with(p.as_str()));
    let suffix = check.strip_suffix.iter().find(|s| text.ends_with(s.as_str()));
    if prefix.is_none() && suffix.is_none() {
        return value;
    }
    let mut text = text.to_string();
    if let Some(prefix) = prefix {
        text.drain(..prefix.len());
    }
    if let Some(suffix) = check.strip_suffix.iter().find(|s| text.ends_with(s.as_str())) {
        text.truncate(text.len() - suffix.len());
    }
    Cow::Owned(Value::String(text))
}

fn extract_field(text: &str, extract: &Extract) -> Option<String> {
    match extract {
        Extract::Whole => Some(text.to_string()),
        Extract::Arn(field) => {
            let fields: Vec<&str> = text.splitn(6, ':').collect();
            if fields.len() < 6 || fields[0] != "arn" {
                return None;
            }
            let index = match field {
                ArnField::Partition => 1,
                ArnField::Service => 2,
                ArnField::Region => 3,
                ArnField::Account => 4,
                ArnField::Resource => 5,
            };
            Some(fields[index].to_string())
        }
        Extract::Capture(regex) => regex.captures(text)?.get(1).map(|m| m.as_str().to_string()),
    }
}

/// A predicate's answer for a value that may hold unknown parts (see `unknown.rs`); `None` when
/// the answer depends on them.
fn decide(predicate: &Predicate, value: &Value) -> Option<bool> {
    match value.as_str() {
        Some(text) => unknown::decide(text, |t| predicate.matches(&Value::String(t.to_string()))),
        None => Some(predicate.matches(value)),
    }
}

/// A string as JSON for a message, shortened when long (a 10 MB value must not become a 10 MB
/// message).
fn json_string(text: &str) -> String {
    const LIMIT: usize = 120;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => {
            format!(
                "{}…",
                Value::String(text[..cut].to_string()).to_string().trim_end_matches('"')
            ) + "\""
        }
        None => Value::String(text.to_string()).to_string(),
    }
}
