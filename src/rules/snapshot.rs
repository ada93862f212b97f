//! The built-in rule set compiled ahead of time, so that a run starts without parsing rule files
//! or building regex automata.
//!
//! Loading the built-in rules from `rules/*.toml` costs a one-file run most of its time: TOML
//! and JSONPath parsing, and compiling the patterns' automata on first use. `builtin.snapshot`
//! (beside this module) is that load's result written once with postcard: the compiled rules
//! and units as [`super::RuleSet::load`] builds them, and every pattern with a sparse DFA built
//! ahead of time (regex-automata's own serialized form, read in place from the binary). Parts
//! many rules share are written once, first, and referred to by name after: a [`Pattern`] by its
//! text, a [`Table`] by its name, the set's [`Operators`] not at all; their `Deserialize`
//! implementations find them in the snapshot being read (a thread-local [`Context`]).
//!
//! The snapshot is only ever a shortcut. `build.rs` hashes everything it is made from (the rule
//! and data files, the Rust sources of the compiled form without their comment lines,
//! `Cargo.lock`) into [`FINGERPRINT`]; a
//! snapshot written from other sources is not used, and the rules load from their TOML as
//! before (so do user rules, `--rules`). A stale snapshot makes a run slower, never different.
//! The test `snapshot_is_current` fails when the committed file is not what the sources make;
//! `SESLINT_UPDATE_SNAPSHOT=1 cargo test --lib snapshot` rewrites it.
//!
//! Layout, each part postcard: `(fingerprint, patterns)`, then `(operators, tables)`, then the
//! rules and units.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::definitions::NamedUnit;
use super::operator::Operators;
use super::predicate::Pattern;
use super::table::Table;
use super::{Deferred, Rule, RuleSet, BUILTIN_RULES};

/// The built-in rule set as [`write`] made it.
static SNAPSHOT: &[u8] = include_bytes!("builtin.snapshot");

/// A hash of what a current snapshot is made from (see the module doc and `build.rs`).
const FINGERPRINT: u64 = include!(concat!(env!("OUT_DIR"), "/rules_fingerprint.rs"));

/// A pattern as the snapshot holds it: its text, its number of capture groups, its DFA.
#[derive(Serialize, Deserialize)]
struct PatternRecord<'a> {
    text: &'a str,
    groups: u32,
    #[serde(borrow)]
    dfa: Option<&'a [u8]>,
}

#[cfg(test)]
#[derive(Serialize)]
struct Body<'r> {
    rules: &'r [Rule],
    units: &'r [NamedUnit],
}

#[derive(Deserialize)]
struct OwnedBody {
    rules: Vec<Rule>,
    units: Vec<NamedUnit>,
}

/// What the body of the snapshot being read refers to by name.
struct Context {
    /// Sorted by text.
    patterns: Vec<Pattern>,
    operators: Arc<Operators>,
    tables: Vec<Arc<Table>>,
    /// The number of this load, for its paths (see `Path::set`).
    load: usize,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// The patterns of the embedded snapshot, by text (whatever its fingerprint: a DFA answers for
/// the text it was built from), with the rest of the snapshot after them.
fn patterns() -> Option<&'static (Vec<PatternRecord<'static>>, &'static [u8])> {
    static PATTERNS: OnceLock<Option<(Vec<PatternRecord<'static>>, &'static [u8])>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let ((_, patterns), rest) = postcard::take_from_bytes::<(u64, Vec<PatternRecord>)>(SNAPSHOT).ok()?;
            Some((patterns, rest))
        })
        .as_ref()
}

/// Whether the embedded snapshot was written from this build's rule files, sources and locked
/// dependencies (its fingerprint is the build's).
fn current() -> bool {
    postcard::take_from_bytes::<u64>(SNAPSHOT).is_ok_and(|(fingerprint, _)| fingerprint == FINGERPRINT)
}

/// The DFA built ahead of time for the built-in pattern `text`, as bytes (the pattern reads
/// them on first use, without validating them: see `predicate::read_dfa`); `None` for another
/// pattern, or when the snapshot is not current.
pub(super) fn dfa(text: &str) -> Option<&'static [u8]> {
    if !current() {
        return None;
    }
    let (patterns, _) = patterns()?;
    let at = patterns.binary_search_by(|p| p.text.cmp(text)).ok()?;
    patterns[at].dfa
}

/// The built-in rule set from the snapshot; `None` when the snapshot is not current (the caller
/// then loads the rule files).
pub(super) fn builtin() -> Option<RuleSet> {
    if !current() {
        return None;
    }
    let (records, rest) = patterns()?;
    let patterns: Vec<Pattern> = records
        .iter()
        .map(|p| Pattern::prepared(p.text, p.groups as usize, p.dfa))
        .collect();
    read(rest, patterns)
}

/// Reads what follows the patterns, with `patterns` built from them.
fn read(bytes: &[u8], patterns: Vec<Pattern>) -> Option<RuleSet> {
    let ((operators, tables), rest) = postcard::take_from_bytes::<(Operators, Vec<Table>)>(bytes).ok()?;
    let context = Context {
        patterns: patterns.clone(),
        operators: Arc::new(operators),
        tables: tables.into_iter().map(Arc::new).collect(),
        load: super::next_load_number(),
    };
    CONTEXT.with(|c| *c.borrow_mut() = Some(context));
    let body = postcard::from_bytes::<OwnedBody>(rest);
    CONTEXT.with(|c| *c.borrow_mut() = None);
    let OwnedBody { mut rules, units } = body.ok()?;
    for rule in &mut rules {
        let file_name = format!("{}-{}.toml", rule.code, rule.name);
        let (_, full, _) = BUILTIN_RULES.iter().find(|(name, _, _)| *name == file_name)?;
        rule.doc = Deferred::later(full, super::builtin_doc);
        rule.examples = Deferred::later(full, super::builtin_examples);
    }
    Some(RuleSet {
        rules,
        deselected: Vec::new(),
        patterns,
        units,
        given: serde_json::Value::Null,
    })
}

/// Writes `set` (the built-in rules as loaded from their files) with the tables and operators
/// of its definitions; `dfa` builds a pattern's DFA in the serialized form [`dfa`] reads.
#[cfg(test)]
fn write(set: &RuleSet, defs: &super::definitions::Definitions, dfa: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<u8> {
    let dfas: Vec<Option<Vec<u8>>> = set.patterns.iter().map(|p| dfa(p.as_str())).collect();
    let records: Vec<PatternRecord> = set
        .patterns
        .iter()
        .zip(&dfas)
        .map(|(p, dfa)| PatternRecord {
            text: p.as_str(),
            groups: p.groups() as u32,
            dfa: dfa.as_deref(),
        })
        .collect();
    let shared_tables = defs.tables();
    let tables: Vec<&Table> = shared_tables.iter().map(|t| &**t).collect();
    let mut bytes = postcard::to_allocvec(&(FINGERPRINT, &records)).expect("a rule set serializes");
    let shared = postcard::to_allocvec(&(&*defs.operators, &tables)).expect("a rule set serializes");
    bytes.extend(shared);
    let body = Body {
        rules: &set.rules,
        units: &set.units,
    };
    bytes.extend(postcard::to_allocvec(&body).expect("a rule set serializes"));
    bytes
}

fn with_context<T>(read: impl FnOnce(&Context) -> Option<T>) -> Option<T> {
    CONTEXT.with(|c| c.borrow().as_ref().and_then(read))
}

/// The operators of the snapshot being read (a field default: they are not written per test).
pub(crate) fn operators() -> Arc<Operators> {
    with_context(|c| Some(c.operators.clone())).unwrap_or_default()
}

/// The number of the load reading a snapshot (a field default for its paths).
pub(crate) fn load_number() -> usize {
    with_context(|c| Some(c.load)).unwrap_or(0)
}

/// A pattern is written as its text and read back as the snapshot's pattern of that text.
impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pattern, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        with_context(|c| {
            let at = c.patterns.binary_search_by(|p| p.as_str().cmp(text)).ok()?;
            Some(c.patterns[at].clone())
        })
        .ok_or_else(|| D::Error::custom(format!("pattern {text:?} is not in the snapshot")))
    }
}

/// A hashed set written in sorted order, so that a snapshot's bytes do not depend on the order
/// a set was filled in (`Deserialize` reads it as any set).
pub(crate) fn sorted_set<S: Serializer>(
    set: &Option<super::hash::FastSet<Box<str>>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let sorted = set.as_ref().map(|set| {
        let mut items: Vec<&str> = set.iter().map(|item| &**item).collect();
        items.sort_unstable();
        items
    });
    sorted.serialize(serializer)
}

/// A hashed map written in key order (see [`sorted_set`]).
pub(crate) fn sorted_map<V: Serialize, S: Serializer>(
    map: &super::hash::FastMap<Box<str>, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut entries: Vec<(&str, &V)> = map.iter().map(|(key, value)| (&**key, value)).collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    serializer.collect_map(entries)
}

/// A table is written as its name and read back as the snapshot's table of that name.
pub(crate) mod table_ref {
    use super::*;

    pub fn serialize<S: Serializer>(table: &Option<Arc<Table>>, serializer: S) -> Result<S::Ok, S::Error> {
        table.as_ref().map(|t| t.name.as_str()).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Arc<Table>>, D::Error> {
        let Some(name) = Option::<&str>::deserialize(deserializer)? else {
            return Ok(None);
        };
        with_context(|c| c.tables.iter().find(|t| t.name == name).cloned())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("table {name:?} is not in the snapshot")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::definitions::Definitions;
    use regex_automata::dfa::{dense, sparse, Automaton, StartKind};

    /// The committed snapshot's file.
    const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/builtin.snapshot");

    /// A DFA that answers `is_match` for `pattern` (unanchored, as `Regex::is_match` searches).
    fn build_dfa(pattern: &str) -> Option<Vec<u8>> {
        let dense = dense::Builder::new()
            .configure(
                dense::DFA::config()
                    .start_kind(StartKind::Unanchored)
                    .minimize(true)
                    .dfa_size_limit(Some(1 << 20))
                    .determinize_size_limit(Some(1 << 22)),
            )
            .build(pattern)
            .ok()?;
        Some(dense.to_sparse().ok()?.to_bytes_little_endian())
    }

    /// The built-in rules loaded from their files, and their definitions.
    fn from_files() -> (RuleSet, Definitions) {
        let set = RuleSet::load_files(&[]).expect("the built-in rules load");
        let defs = Definitions::of_dirs(&[]).expect("the built-in definitions load");
        (set, defs)
    }

    /// Everything a snapshot holds of `set`'s rules and units, as bytes.
    fn shape(set: &RuleSet) -> Vec<u8> {
        let body = Body {
            rules: &set.rules,
            units: &set.units,
        };
        postcard::to_allocvec(&body).unwrap()
    }

    #[test]
    fn snapshot_is_current() {
        let (set, defs) = from_files();
        let bytes = write(&set, &defs, build_dfa);
        if std::env::var_os("SESLINT_UPDATE_SNAPSHOT").is_some() {
            std::fs::write(FILE, &bytes).expect("the snapshot is writable");
            return;
        }
        assert!(
            bytes == SNAPSHOT,
            "src/rules/builtin.snapshot is not what the rule files and the compiler make now; \
             rewrite it with `SESLINT_UPDATE_SNAPSHOT=1 cargo test --lib snapshot` and commit it"
        );
    }

    #[test]
    fn a_snapshot_reads_back_as_the_rule_files_load() {
        let (set, defs) = from_files();
        let bytes = write(&set, &defs, build_dfa);
        let (_, rest) = postcard::take_from_bytes::<(u64, Vec<PatternRecord>)>(&bytes).unwrap();
        let patterns = set
            .patterns
            .iter()
            .map(|p| Pattern::prepared(p.as_str(), p.groups(), None))
            .collect();
        let read = read(rest, patterns).expect("the snapshot reads");
        assert!(shape(&read) == shape(&set));
        assert_eq!(read.patterns.len(), set.patterns.len());
        for (a, b) in read.rules.iter().zip(&set.rules) {
            assert_eq!(format!("{:?}", *a.doc), format!("{:?}", *b.doc), "{}", a.code);
            assert_eq!(format!("{:?}", *a.examples), format!("{:?}", *b.examples), "{}", a.code);
        }
        // What is not written per use comes from the snapshot being read.
        let mut paths = 0;
        for rule in &read.rules {
            for check in &rule.checks {
                assert_ne!(check.select.set, 0, "{}: a numbered path", rule.code);
                paths += 1;
            }
        }
        assert!(paths > 0);
    }

    #[test]
    fn the_embedded_snapshot_is_used_when_current() {
        if postcard::take_from_bytes::<u64>(SNAPSHOT).unwrap().0 == FINGERPRINT {
            let set = builtin().expect("a current snapshot reads");
            assert!(shape(&set) == shape(&from_files().0));
            for pattern in &set.patterns {
                assert!(pattern.has_dfa(), "{:?} has no DFA", pattern.as_str());
            }
        }
    }

    /// The patterns read the embedded DFAs without validating their transitions
    /// (`predicate::read_dfa`): this validates every one of them in full, as they are embedded.
    #[test]
    fn every_embedded_dfa_is_valid() {
        let (records, _) = patterns().expect("the embedded snapshot's patterns read");
        assert!(!records.is_empty());
        for record in records {
            let bytes = record.dfa.unwrap_or_else(|| panic!("{:?} has no DFA", record.text));
            let (dfa, read) = sparse::DFA::from_bytes(bytes).unwrap_or_else(|e| panic!("{:?}: {e}", record.text));
            assert_eq!(read, bytes.len(), "{:?}", record.text);
            let regex = Pattern::new(record.text).unwrap();
            let matches = super::super::predicate::dfa_matches(&dfa, record.text);
            assert_eq!(matches, Some(regex.compile().unwrap().is_match(record.text)));
        }
    }

    #[test]
    fn every_builtin_pattern_has_a_dfa_that_answers_as_its_regex() {
        let (set, _) = from_files();
        let mut texts: Vec<String> = vec![
            String::new(),
            " ".into(),
            "email.cognito-idp.amazonaws.com".into(),
            " email.cognito-idp.amazonaws.com\u{a0}".into(),
            "EMAIL.COGNITO-IDP.AMAZONAWS.COM".into(),
            "email.cognito-idp.amazonaws.coM\u{212a}".into(),
            "\u{17f}es:SendEmail".into(),
            "cognito-idp.eu-west-1.amazonaws.com".into(),
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Ab12".into(),
            "arn:aws:ses:us-east-1:123456789012:identity/example.com".into(),
            "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/x".into(),
            "arn:aws:cognito-*:*:*:userpool/*".into(),
            "<your user pool ARN>".into(),
            "<team@example.com>".into(),
            "${aws:SourceAccount}".into(),
            "12345678901\u{663}".into(),
            "123456789012".into(),
            "Version".into(),
            "version".into(),
            "Efect".into(),
            "\u{2003}x".into(),
        ];
        texts.extend(set.patterns.iter().map(|p| p.as_str().to_string()));
        for pattern in &set.patterns {
            let bytes = build_dfa(pattern.as_str()).unwrap_or_else(|| panic!("no DFA for {:?}", pattern.as_str()));
            let (dfa, _) = sparse::DFA::from_bytes(&bytes).unwrap();
            let regex = pattern.compile().unwrap();
            for text in &texts {
                let found = dfa
                    .try_search_fwd(&regex_automata::Input::new(text).earliest(true))
                    .unwrap();
                assert_eq!(
                    found.is_some(),
                    regex.is_match(text),
                    "{:?} on {text:?}",
                    pattern.as_str()
                );
            }
        }
    }
}
