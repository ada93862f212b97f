//! A check's fix as the rule file declares it, compiled: which edit, templated over the
//! finding's values (README, "Fixes" under "Writing a rule"). The evaluator resolves the named
//! values and renders the templates; this module turns them into an [`Op`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use toml::Spanned;

use super::{Applicability, Op};
use crate::error::LoadError;
use crate::policy::{Kind, NodeRef};
use crate::rules::definitions::Definitions;
use crate::rules::path::Path;
use crate::rules::schema::{ArnField, FixSourceSpec, FixSpec, OneOrMany};
use crate::rules::table::Table;
use crate::rules::template::Template;
use crate::source::Span;

/// A compiled `fix = { ... }`.
#[derive(Debug, Serialize, Deserialize)]
pub struct FixRule {
    pub applicability: Applicability,
    /// The node to change instead of the reported one.
    pub at: Option<Path>,
    pub edit: FixEdit,
    pub substitute: Vec<(String, String)>,
    /// Named values, each with its sources in order.
    pub values: Vec<(String, Vec<Source>)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum FixEdit {
    Replace {
        key: Option<Template>,
        value: Option<Values>,
    },
    Append(Template),
    Insert {
        path: Vec<Template>,
        value: Values,
        first: bool,
    },
    Move(Template),
}

/// A templated string, or a list of them.
#[derive(Debug, Serialize, Deserialize)]
pub enum Values {
    One(Template),
    Many(Vec<Template>),
}

/// One source of a named value.
#[derive(Debug, Serialize, Deserialize)]
pub struct Source {
    pub from: From,
    pub arn: Option<ArnField>,
    #[serde(with = "crate::rules::snapshot::table_ref")]
    pub table: Option<Arc<Table>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum From {
    /// A JSONPath of the unit.
    Path(Path),
    /// A JSONPath of the document's facts (and of the facts given on the command line).
    Fact(Path),
    Literal(String),
}

type Fail<'a> = dyn Fn(String, Span, &str) -> LoadError + 'a;

/// Compiles a fix; `path` compiles a JSONPath, `fail` points into the rule file.
pub fn compile(
    spec: Spanned<FixSpec>,
    path: &dyn Fn(&Spanned<String>) -> Result<Path, LoadError>,
    fail: &Fail,
    tables: &Definitions,
) -> Result<FixRule, LoadError> {
    let span = Span::new(spec.span().start, spec.span().end);
    let spec = spec.into_inner();
    let names: Vec<String> = spec.values.keys().cloned().collect();
    let template =
        |text: &str| Template::parse_fix(text, &names).map_err(|(message, _)| fail(message, span, "in this fix"));
    let values = |v: OneOrMany| -> Result<Values, LoadError> {
        Ok(match v {
            OneOrMany::One(text) => Values::One(template(&text)?),
            OneOrMany::Many(texts) => Values::Many(texts.iter().map(|t| template(t)).collect::<Result<_, _>>()?),
            // A set of the data files (`{ set = "cognito-send-actions" }`): its members, as written.
            OneOrMany::Set(named) => match tables.set(&named.set) {
                Some(members) => Values::Many(members.iter().map(|t| template(t)).collect::<Result<_, _>>()?),
                None => {
                    return Err(fail(
                        format!("no set `{}` in the data files", named.set),
                        span,
                        "in this fix",
                    ))
                }
            },
        })
    };
    let kinds = [
        spec.replace_value.is_some() || spec.replace_key.is_some(),
        spec.append.is_some(),
        spec.insert.is_some(),
        spec.move_to.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return Err(fail(
            "a fix takes one edit: `replace-value` and / or `replace-key`, `append`, `insert` or `move-to`".into(),
            span,
            "this fix",
        ));
    }
    if spec.value.is_some() != spec.insert.is_some() {
        return Err(fail(
            "`value` goes with `insert`, and `insert` needs it".into(),
            span,
            "this fix",
        ));
    }
    let edit = if let Some(keys) = spec.insert {
        if keys.is_empty() {
            return Err(fail("`insert` needs at least one key".into(), span, "this fix"));
        }
        FixEdit::Insert {
            path: keys.iter().map(|k| template(k)).collect::<Result<_, _>>()?,
            value: values(spec.value.unwrap_or(OneOrMany::Many(Vec::new())))?,
            first: spec.first,
        }
    } else if let Some(item) = spec.append {
        FixEdit::Append(template(&item)?)
    } else if let Some(to) = spec.move_to {
        FixEdit::Move(template(&to)?)
    } else {
        FixEdit::Replace {
            key: spec.replace_key.as_deref().map(template).transpose()?,
            value: spec.replace_value.map(values).transpose()?,
        }
    };
    let mut compiled_values = Vec::new();
    for (name, sources) in spec.values {
        let sources = sources
            .into_iter()
            .map(|s| source(s, path, fail, tables, span))
            .collect::<Result<_, _>>()?;
        compiled_values.push((name, sources));
    }
    Ok(FixRule {
        applicability: spec.applicability,
        at: spec.at.as_ref().map(path).transpose()?,
        edit,
        substitute: spec.substitute,
        values: compiled_values,
    })
}

fn source(
    spec: FixSourceSpec,
    path: &dyn Fn(&Spanned<String>) -> Result<Path, LoadError>,
    fail: &Fail,
    tables: &Definitions,
    span: Span,
) -> Result<Source, LoadError> {
    let from = match (&spec.path, &spec.fact, spec.literal) {
        (Some(p), None, None) => From::Path(path(p)?),
        (None, Some(f), None) => From::Fact(path(f)?),
        (None, None, Some(literal)) => From::Literal(literal),
        _ => {
            return Err(fail(
                "a fix value's source takes exactly one of `path`, `fact` and `literal`".into(),
                span,
                "this fix",
            ))
        }
    };
    let table = match &spec.table {
        Some(name) => Some(tables.table(name.get_ref()).ok_or_else(|| {
            fail(
                format!(
                    "no data table `{}`; the tables are: {}",
                    name.get_ref(),
                    tables.names("data table").join(", ")
                ),
                Span::new(name.span().start, name.span().end),
                "this table",
            )
        })?),
        None => None,
    };
    Ok(Source {
        from,
        arn: spec.arn,
        table,
    })
}

impl Source {
    /// What one value found by the source stands for (an ARN field, a table's value); `None`
    /// when it does not apply (not an ARN, a key the table lacks, a wildcard or unknown part).
    pub fn map(&self, value: &str) -> Option<String> {
        let value = value.trim();
        let field = match self.arn {
            Some(field) => field.of(value)?.to_string(),
            None => value.to_string(),
        };
        let mapped = match &self.table {
            Some(table) => match table.get(&field)? {
                [one] => one.clone(),
                _ => return None,
            },
            None => field,
        };
        let usable = !mapped.is_empty() && !mapped.contains(['*', '?', '<', crate::unknown::UNKNOWN]);
        usable.then_some(mapped)
    }
}

impl FixRule {
    /// The op for `target`, with the templates rendered by `lookup`; `None` when a value is
    /// missing or the tree does not have the shape the edit needs.
    pub fn op<'t>(&self, target: NodeRef<'t>, lookup: &dyn Fn(&str) -> Option<String>) -> Option<Op<'t>> {
        let render = |t: &Template| t.render_all(lookup);
        let substituted = |text: String| {
            self.substitute
                .iter()
                .fold(text, |text, (from, to)| text.replace(from.as_str(), to))
        };
        let value = |v: &Values| -> Option<Value> {
            Some(match v {
                Values::One(t) => Value::String(render(t)?),
                Values::Many(ts) => {
                    Value::Array(ts.iter().map(|t| render(t).map(Value::String)).collect::<Option<_>>()?)
                }
            })
        };
        Some(match &self.edit {
            FixEdit::Replace { key, value: new } => {
                let key = match key {
                    Some(t) => Some(substituted(render(t)?)),
                    None => None,
                };
                if key.is_some() && target.key_span().is_none() {
                    return None;
                }
                let value = match new {
                    Some(new) => Some(value(new)?),
                    None => None,
                };
                Op::Replace {
                    node: target,
                    key,
                    value,
                }
            }
            FixEdit::Append(item) => {
                if target.kind() != Kind::Array {
                    return None;
                }
                Op::Append {
                    list: target,
                    value: Value::String(render(item)?),
                }
            }
            FixEdit::Insert {
                path,
                value: new,
                first,
            } => {
                if target.kind() != Kind::Object {
                    return None;
                }
                let keys: Vec<String> = path.iter().map(render).collect::<Option<_>>()?;
                // Go down the members that exist (keys compare case-insensitively, as IAM's do).
                let mut object = target;
                let mut rest = &keys[..];
                while let Some((key, tail)) = rest.split_first() {
                    match object
                        .children()
                        .find(|c| c.key().is_some_and(|k| k.eq_ignore_ascii_case(key)))
                    {
                        Some(child) if child.kind() == Kind::Object && !tail.is_empty() => {
                            object = child;
                            rest = tail;
                        }
                        // The member is there already: nothing to add.
                        Some(_) => return None,
                        None => break,
                    }
                }
                Op::Insert {
                    object,
                    path: rest.to_vec(),
                    value: value(new)?,
                    first: *first,
                }
            }
            FixEdit::Move(to) => Op::Move {
                member: target,
                to: substituted(render(to)?),
            },
        })
    }
}
