//! Definitions: what the data files beside the rules give a name to, so that a rule says a thing
//! once and refers to it (README, "Definitions").
//!
//! A data file (`rules/data/*.toml`, embedded at build time; `DIR/data/*.toml` for a `--rules
//! DIR`) holds an `[about]` (where its facts come from and when they were verified) and any of:
//! `[table.NAME]` (key -> values, for a compare), `[set]` (value sets), `[pattern]` (regular
//! expressions), `[predicate.NAME]` (predicates), `[unit.NAME]` (units: `statement` or
//! `document` narrowed by `when` clauses, such as `cognito-statement`) and `[operator.FAMILY]`
//! (the bases of IAM's condition operators, see `operator.rs`). A name is defined once across all
//! data files; a name that nothing defines is a load error at the place that uses it.
//!
//! Everything is resolved when the rule set loads: a rule's predicate holds the set's strings,
//! the pattern's shared [`Pattern`], a copy of the named predicate; nothing is looked up by name
//! while linting.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use toml::Spanned;

use super::operator::Operators;
use super::predicate::{Pattern, Predicate};
use super::schema::{ClauseSpec, PredicateSpec, Unit};
use super::table::Table;
use super::{Clause, Compiler, Patterns, Regexes};
use crate::error::LoadError;
use crate::source::Span;

/// The built-in data files: (file name, text).
const BUILTIN_DATA: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_data.rs"));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    about: About,
    #[serde(default)]
    table: BTreeMap<Spanned<String>, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    set: BTreeMap<Spanned<String>, Vec<String>>,
    #[serde(default)]
    pattern: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    predicate: BTreeMap<Spanned<String>, PredicateSpec>,
    #[serde(default)]
    unit: BTreeMap<Spanned<String>, UnitSpec>,
    #[serde(default)]
    operator: BTreeMap<Spanned<String>, FamilySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct About {
    date: String,
    source: String,
}

/// `[unit.NAME]`: the unit it narrows (`statement`, `document` or another named unit), and the
/// clauses a unit must meet.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitSpec {
    of: Spanned<String>,
    when: Vec<ClauseSpec>,
}

/// `[operator.FAMILY]`: its bases, positive and negated.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilySpec {
    #[serde(default)]
    positive: Vec<String>,
    #[serde(default)]
    negated: Vec<String>,
}

/// A unit a data file defines: each `of` unit (within the named unit `within`, when it narrows
/// one) where all `when` clauses hold.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct NamedUnit {
    pub name: String,
    pub of: Unit,
    /// The named unit this one narrows (an index into the same list).
    pub within: Option<usize>,
    pub when: Vec<Clause>,
}

/// Whether `node` belongs to the unit `index` of `units` (outside a rule run, which caches paths
/// and decisions instead).
pub fn unit_holds(units: &[NamedUnit], index: usize, node: crate::policy::NodeRef) -> bool {
    let (tree, start) = (node.tree(), node.id());
    let named = &units[index];
    named.within.is_none_or(|within| unit_holds(units, within, node))
        && named
            .when
            .iter()
            .all(|c| super::eval::quantify(c, tree, start, &c.path.select(tree, start)))
}

/// Everything the data files of a load define, resolved.
#[derive(Debug, Default)]
pub struct Definitions {
    tables: HashMap<String, Arc<Table>>,
    sets: HashMap<String, Vec<String>>,
    patterns: HashMap<String, Pattern>,
    predicates: HashMap<String, Predicate>,
    pub units: Vec<NamedUnit>,
    pub operators: Arc<Operators>,
}

/// One data file as read: where it is shown from, its text, whether it is built in.
struct Source {
    display: String,
    text: String,
    builtin: bool,
}

/// A predicate definition waiting to be compiled: its spec, file and the span of its name.
struct Pending {
    spec: PredicateSpec,
    file: usize,
    span: Span,
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

/// The kinds of name, for messages.
const KINDS: [&str; 6] = ["table", "set", "pattern", "predicate", "unit", "operator family"];

impl Definitions {
    /// The built-in definitions plus those of `DIR/data/*.toml` for each rule directory.
    pub(crate) fn load(rule_dirs: &[std::path::PathBuf], patterns: &Patterns) -> Result<Definitions, LoadError> {
        let mut sources: Vec<Source> = BUILTIN_DATA
            .iter()
            .map(|(name, text)| Source {
                display: format!("rules/data/{name}"),
                text: text.to_string(),
                builtin: true,
            })
            .collect();
        for dir in rule_dirs {
            let data = dir.join("data");
            if !data.is_dir() {
                continue;
            }
            for (path, text) in super::toml_files(&data)? {
                sources.push(Source {
                    display: display(&path),
                    text,
                    builtin: false,
                });
            }
        }
        let mut defs = Definitions::default();
        let mut operators = Operators::default();
        // Where each name is defined, by kind: (file, span).
        let mut defined: [HashMap<String, (usize, Span)>; 6] = Default::default();
        let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
        let mut units: Vec<(usize, Spanned<String>, UnitSpec)> = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let fail = |message: String, span: Span| {
                LoadError::new(message)
                    .in_file(&source.display, &source.text)
                    .at(span, "here")
            };
            let file: DataFile = toml::from_str(&source.text).map_err(|e| {
                let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
                fail(format!("invalid data file: {}", e.message()), span)
            })?;
            let mut define = |kind: usize, name: &Spanned<String>| -> Result<(), LoadError> {
                let span = span_of(name);
                if defined[kind].insert(name.get_ref().clone(), (index, span)).is_some() {
                    return Err(
                        fail(format!("{} {:?} is defined twice", KINDS[kind], name.get_ref()), span)
                            .with_help(format!("{} names must be unique across data files", KINDS[kind])),
                    );
                }
                Ok(())
            };
            for (name, rows) in file.table {
                define(0, &name)?;
                let name = name.into_inner();
                let table = Table::new(&name, &file.about.date, &file.about.source, rows);
                defs.tables.insert(name, Arc::new(table));
            }
            for (name, values) in file.set {
                define(1, &name)?;
                defs.sets.insert(name.into_inner(), values);
            }
            for (name, text) in file.pattern {
                define(2, &name)?;
                let regexes = Regexes {
                    patterns,
                    eager: !source.builtin,
                };
                let pattern = regexes.get(text.get_ref()).map_err(|e| fail(e, span_of(&text)))?;
                defs.patterns.insert(name.into_inner(), pattern);
            }
            for (name, spec) in file.predicate {
                define(3, &name)?;
                let span = span_of(&name);
                pending.insert(
                    name.into_inner(),
                    Pending {
                        spec,
                        file: index,
                        span,
                    },
                );
            }
            for (name, spec) in file.unit {
                define(4, &name)?;
                units.push((index, name, spec));
            }
            for (family, spec) in file.operator {
                define(5, &family)?;
                operators
                    .add_family(family.get_ref(), &spec.positive, &spec.negated)
                    .map_err(|base| {
                        fail(format!("operator {base:?} is defined twice"), span_of(&family))
                            .with_help("each operator base belongs to one family")
                    })?;
            }
        }
        defs.operators = Arc::new(operators);
        // Predicates may use sets, patterns, tables, operators and other predicates: each is
        // compiled on first use (a cycle is an error), all of them now.
        let names: Vec<String> = pending.keys().cloned().collect();
        let mut resolving: Vec<String> = Vec::new();
        for name in names {
            defs.resolve(&name, &mut pending, &mut resolving, &sources, patterns)?;
        }
        // A unit narrows `statement`, `document` or another unit (defined in any data file).
        let unit_names: Vec<String> = units.iter().map(|(_, name, _)| name.get_ref().clone()).collect();
        let parents: Vec<Option<usize>> = units
            .iter()
            .map(|(_, _, spec)| unit_names.iter().position(|n| n == spec.of.get_ref()))
            .collect();
        let mut bases = Vec::with_capacity(units.len());
        // Every unit's chain ends at a root that names `statement` or `document` (checked at
        // the root itself, in its own file), without a cycle.
        for (index, (file, name, spec)) in units.iter().enumerate() {
            let source = &sources[*file];
            let fail = |message: String| {
                LoadError::new(message)
                    .in_file(&source.display, &source.text)
                    .at(span_of(&spec.of), "this unit")
            };
            // Up the chain of units it narrows; a chain longer than the list of units is a cycle.
            let mut root = index;
            for _ in 0..unit_names.len() {
                root = match parents[root] {
                    Some(parent) => parent,
                    None => break,
                };
            }
            if parents[root].is_some() {
                return Err(fail(format!(
                    "unit {:?} narrows itself through the units it narrows",
                    name.get_ref()
                )));
            }
            // The unit at the root of the chain says which base it narrows (each is a root once).
            if parents[index].is_none() && Unit::parse(spec.of.get_ref()).is_none() {
                let names = unit_names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(fail(format!(
                    "unit {:?} narrows {:?}, which is not `statement`, `document` or a unit ({names})",
                    name.get_ref(),
                    spec.of.get_ref()
                )));
            }
            bases.push(root);
        }
        let bases: Vec<Unit> = bases
            .into_iter()
            .map(|root| Unit::parse(units[root].2.of.get_ref()).unwrap_or(Unit::Statement))
            .collect();
        for (index, (file, name, spec)) in units.into_iter().enumerate() {
            let source = &sources[file];
            let compiler = Compiler::new(&source.display, &source.text, patterns, !source.builtin, &defs);
            let mut when = Vec::new();
            for clause in spec.when {
                if let Some(fact) = &clause.fact {
                    return Err(compiler.fail(
                        "a unit's clauses test the policy, not facts".into(),
                        span_of(fact),
                        "this clause",
                    ));
                }
                when.push(compiler.clause(clause)?);
            }
            defs.units.push(NamedUnit {
                name: name.into_inner(),
                of: bases[index],
                within: parents[index],
                when,
            });
        }
        Ok(defs)
    }

    /// Compiles the named predicate `name` (and those it uses) unless it is already.
    fn resolve(
        &mut self,
        name: &str,
        pending: &mut BTreeMap<String, Pending>,
        resolving: &mut Vec<String>,
        sources: &[Source],
        patterns: &Patterns,
    ) -> Result<(), LoadError> {
        let Some(entry) = pending.remove(name) else {
            return Ok(());
        };
        resolving.push(name.to_string());
        let source = &sources[entry.file];
        // The predicates it names come first.
        for used in entry.spec.names_used() {
            if resolving.contains(&used) {
                return Err(
                    LoadError::new(format!("predicate {name:?} refers to itself through {used:?}"))
                        .in_file(&source.display, &source.text)
                        .at(entry.span, "this predicate"),
                );
            }
            self.resolve(&used, pending, resolving, sources, patterns)?;
        }
        let compiler = Compiler::new(&source.display, &source.text, patterns, !source.builtin, self);
        let predicate = compiler.predicate(entry.spec, entry.span)?;
        resolving.pop();
        self.predicates.insert(name.to_string(), predicate);
        Ok(())
    }

    /// The built-in definitions and those of the data files of `rule_dirs`, without the rules.
    pub fn of_dirs(rule_dirs: &[std::path::PathBuf]) -> Result<Definitions, LoadError> {
        Definitions::load(rule_dirs, &Patterns::default())
    }

    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.get(name).cloned()
    }

    /// Every table, by name.
    pub fn tables(&self) -> Vec<Arc<Table>> {
        let mut tables: Vec<Arc<Table>> = self.tables.values().cloned().collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        tables
    }

    pub fn set(&self, name: &str) -> Option<&[String]> {
        self.sets.get(name).map(Vec::as_slice)
    }

    pub fn pattern(&self, name: &str) -> Option<&Pattern> {
        self.patterns.get(name)
    }

    pub fn predicate(&self, name: &str) -> Option<&Predicate> {
        self.predicates.get(name)
    }

    pub fn unit(&self, name: &str) -> Option<usize> {
        self.units.iter().position(|u| u.name == name)
    }

    /// The names of one kind (`table`, `set`, ...), sorted, for an error that suggests one.
    pub fn names(&self, kind: &str) -> Vec<String> {
        let mut names: Vec<String> = match kind {
            "data table" => self.tables.keys().cloned().collect(),
            "set" => self.sets.keys().cloned().collect(),
            "pattern" => self.patterns.keys().cloned().collect(),
            "predicate" => self.predicates.keys().cloned().collect(),
            "unit" => self.units.iter().map(|u| u.name.clone()).collect(),
            _ => self.operators.families().to_vec(),
        };
        names.sort();
        names
    }
}

/// The built-in definitions, loaded once, for what is built outside a rule set (the Cognito
/// statements of a pool document).
pub fn builtin() -> &'static Definitions {
    static BUILTIN: OnceLock<Definitions> = OnceLock::new();
    // The built-in data files load (a test checks): this cannot fail.
    BUILTIN.get_or_init(|| Definitions::load(&[], &Patterns::default()).unwrap_or_default())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_data_files_load() {
        let defs = Definitions::load(&[], &Patterns::default()).unwrap();
        let regions = defs.table("cognito-ses-identity-regions").unwrap();
        assert_eq!(regions.len(), 32);
        assert_eq!(regions.date, "2026-11");
        // In-Region only, backwards compatible, Alternate Region (never its own region).
        assert_eq!(regions.get("eu-west-3").unwrap(), ["eu-west-3"]);
        assert!(regions.get("eu-central-1").unwrap().iter().any(|r| r == "us-east-1"));
        assert!(!regions
            .get("ap-southeast-4")
            .unwrap()
            .iter()
            .any(|r| r == "ap-southeast-4"));
        assert_eq!(regions.get("cn-north-1"), None);
        for name in [
            "cognito-ses-identity-regions-developer",
            "cognito-ses-identity-regions-cognito-default",
            "cognito-email-principal",
        ] {
            assert_eq!(defs.table(name).unwrap().len(), 32, "{name}");
        }
        assert!(defs.unit("cognito-statement").is_some());
        assert!(defs.operators.parse("ForAnyValue:StringLikeIfExists").is_some());
    }
}
