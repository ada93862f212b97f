//! The rule set: loading rule files, validating them, and compiling them for evaluation.
//!
//! Built-in rules are the `rules/*.toml` files, embedded at build time (see `build.rs`); users
//! add their own with `--rules DIR`. A rule file that does not load stops the run (exit 2) with a
//! diagnostic that points into that file. Evaluation lives in [`eval`].
//!
//! One load shares what rules spell alike: a JSONPath text is parsed once, and a regular
//! expression is one [`Pattern`] however many rules use it. A user rule's patterns are compiled
//! when it loads (every error shows there); the built-in ones are only parsed, and compiled on
//! first use (a test compiles them all), which keeps a one-file run's start-up short.
//! Likewise a built-in rule loads from its text without `[doc]` and `[[example]]` (most of the
//! text; see `build.rs`): its [`Rule::doc`] and [`Rule::examples`] are [`Deferred`], parsed from
//! the full text when first read (`explain`, SARIF, the catalog tests).
//!
//! A run with the built-in rules alone reads none of this: it takes the same rule set from a
//! snapshot compiled ahead of time, with a DFA for every built-in pattern ([`snapshot`]), and
//! falls back to the rule files only when the snapshot was written from other sources.

pub mod definitions;
pub mod eval;
mod hash;
mod memo;
pub mod operator;
pub mod path;
pub mod predicate;
pub mod schema;
pub(crate) mod snapshot;
pub mod table;
pub mod template;

use std::collections::BTreeMap;
use std::sync::Arc;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{IoError, LoadError, Subject};
use crate::source::Span;
use definitions::{Definitions, NamedUnit};
use operator::OperatorTest;
use path::Path;
use predicate::{Pattern, Predicate};
pub use schema::{AppliesTo, ArnField, Expect, Severity, Target, Unit};
use schema::{CheckSpec, ClauseSpec, CompareSpec, PredicateSpec, RuleFile, SideSpec, SourceCheck};
use table::Table;
use template::Template;

/// The built-in rule files: (file name, contents, contents without `[doc]` and `[[example]]`).
const BUILTIN_RULES: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Documentation that a built-in rule parses from its full text only when first read (a check
/// run never reads it); a user rule's is parsed when it loads.
#[derive(Debug)]
pub struct Deferred<T> {
    value: OnceLock<T>,
    /// The full rule file, for a built-in rule.
    source: &'static str,
    parse: fn(&str) -> T,
}

impl<T: Default> Deferred<T> {
    fn ready(value: T) -> Self {
        Deferred {
            value: OnceLock::from(value),
            source: "",
            // Never called: the value is there.
            parse: |_| T::default(),
        }
    }

    fn later(source: &'static str, parse: fn(&str) -> T) -> Self {
        Deferred {
            value: OnceLock::new(),
            source,
            parse,
        }
    }
}

impl<T: Default> Default for Deferred<T> {
    fn default() -> Self {
        Deferred::ready(T::default())
    }
}

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.get_or_init(|| (self.parse)(self.source))
    }
}

impl<'a, T> IntoIterator for &'a Deferred<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A built-in rule's documentation (it loads, as a test checks; otherwise it is empty).
fn builtin_doc(text: &str) -> schema::Doc {
    toml::from_str::<schema::DocsOnly>(text)
        .map(|d| d.doc)
        .unwrap_or_default()
}

/// A built-in rule's examples.
fn builtin_examples(text: &str) -> Vec<Example> {
    toml::from_str::<schema::DocsOnly>(text)
        .map(|d| d.example.into_iter().map(example).collect())
        .unwrap_or_default()
}

fn example(e: schema::ExampleSpec) -> Example {
    Example {
        expect: e.expect,
        policy: e.policy,
        file: e.file,
        note: e.note,
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Rule {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub applies_to: AppliesTo,
    /// What the rule's paths start from: the document or each statement...
    pub unit: Unit,
    /// ...narrowed to a unit of the data files (an index into [`RuleSet::units`]).
    pub scope: Option<usize>,
    /// The rule-level `when`: clauses every check's unit must meet.
    pub when: Vec<Clause>,
    pub message: Template,
    pub help: Template,
    /// Read from the rule's full text (a snapshot does not hold it; see `snapshot.rs`).
    #[serde(skip)]
    pub doc: Deferred<schema::Doc>,
    #[serde(skip)]
    pub examples: Deferred<Vec<Example>>,
    pub checks: Vec<Check>,
    /// Where the rule came from: `built-in` or the rule file's path.
    pub origin: String,
}

#[derive(Debug)]
pub struct Example {
    pub expect: Expect,
    /// The policy, or the whole file when `file` names one.
    pub policy: String,
    /// A file name whose format the example is read in (`main.tf`); `None` for a policy.
    pub file: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Check {
    pub when: Vec<Clause>,
    pub select: Path,
    pub on: Target,
    pub strip_prefix: Vec<String>,
    pub strip_suffix: Vec<String>,
    pub skip: Option<Predicate>,
    pub test: Test,
    pub report_at: Vec<Path>,
    pub severity: Option<Severity>,
    pub message: Option<Template>,
    pub help: Option<Template>,
    pub label: Option<Template>,
    /// Rules whose findings on the place this check reports are dropped.
    pub supersedes: Vec<String>,
    /// Nodes shown beside each finding, with their label (`related`, `related-label`).
    pub related: Option<(Path, Option<Template>)>,
    /// How to fix a finding of this check.
    pub fix: Option<crate::fix::rule::FixRule>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Test {
    Require(Predicate),
    Forbid(Predicate),
    Present,
    Absent,
    Unique,
    Compare(Box<Compare>),
    Syntax,
    FileSyntax,
    DuplicateKeys,
    Size(usize),
    /// No test of its own: the check fires where all its `when` clauses hold.
    Always,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Clause {
    pub path: Path,
    /// The path reads the document's facts, not the unit.
    pub of_facts: bool,
    pub on: Target,
    pub quantifier: Quantifier,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Quantifier {
    Any(Predicate),
    All(Predicate),
    None(Predicate),
    Present(bool),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Compare {
    pub left: Side,
    pub right: Side,
    /// With a table: the left value must be one of the table's values for the right value (a
    /// right value the table does not know is not compared). Without: the two must be equal.
    #[serde(with = "snapshot::table_ref")]
    pub table: Option<Arc<Table>>,
    pub also_allowed: BTreeMap<String, Vec<String>>,
    pub right_label: Option<Template>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Side {
    pub path: Path,
    pub extract: Extract,
    pub only: Option<Predicate>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Extract {
    Whole,
    Arn(ArnField),
    Capture(Pattern),
}

/// All the rules of a run, in code order.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// The rules that run.
    pub rules: Vec<Rule>,
    /// Codes of the rules left out of the run by [`RuleSet::select`]: a suppression that names
    /// one of them is not unused.
    pub deselected: Vec<String>,
    /// Every distinct regular expression of the set, once (they compile on first use).
    pub patterns: Vec<Pattern>,
    /// The units the data files define (`cognito-statement`), which rules narrow theirs to.
    pub units: Vec<NamedUnit>,
    /// Facts given on the command line for fixes (`--account`, `--user-pool-arn`), read by a
    /// fix's `fact` sources after the document's own facts.
    pub given: serde_json::Value,
}

/// The regular expressions and paths of one load, by text: rules that spell a pattern the same
/// way share it, so it is compiled once; a path's text is parsed once.
#[derive(Default)]
pub(crate) struct Patterns {
    known: RefCell<HashMap<String, Pattern>>,
    paths: RefCell<HashMap<String, Path>>,
}

/// The patterns as one rule file asks for them: a user rule's are compiled at load, so that
/// every error shows there; the built-in ones are compiled on first use (a test compiles them).
struct Regexes<'a> {
    patterns: &'a Patterns,
    eager: bool,
}

impl Regexes<'_> {
    fn path(&self, text: &str) -> Result<Path, String> {
        if let Some(path) = self.patterns.paths.borrow().get(text) {
            return Ok(path.clone());
        }
        let path = Path::compile(text)?;
        self.patterns.paths.borrow_mut().insert(text.to_string(), path.clone());
        Ok(path)
    }

    fn get(&self, text: &str) -> Result<Pattern, String> {
        let known = self.patterns.known.borrow().get(text).cloned();
        let pattern = match known {
            Some(pattern) => pattern,
            None => {
                let pattern = Pattern::new(text)?;
                self.patterns
                    .known
                    .borrow_mut()
                    .insert(text.to_string(), pattern.clone());
                pattern
            }
        };
        if self.eager {
            pattern.compile()?;
        }
        Ok(pattern)
    }
}

/// A number for one rule-set load, for its paths' cache keys ([`Path::set`]).
fn next_load_number() -> usize {
    static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Gives paths with the same text the same slot, so that an evaluation computes each once per
/// unit.
fn number_paths(rules: &mut [Rule], units: &mut [NamedUnit]) {
    let set = next_load_number();
    let mut slots: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut number = |path: &mut Path| {
        let next = slots.len();
        path.slot = *slots.entry(path.text.clone()).or_insert(next);
        path.set = set;
    };
    for unit in units {
        unit.when.iter_mut().for_each(|c| number(&mut c.path));
    }
    for rule in rules {
        rule.when.iter_mut().for_each(|c| number(&mut c.path));
        for check in &mut rule.checks {
            number(&mut check.select);
            check.report_at.iter_mut().for_each(&mut number);
            check.when.iter_mut().for_each(|c| number(&mut c.path));
            if let Test::Compare(compare) = &mut check.test {
                number(&mut compare.left.path);
                number(&mut compare.right.path);
            }
        }
    }
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet, LoadError> {
        RuleSet::load(&[])
    }

    /// The built-in rules plus every `*.toml` file in `dirs`. The built-in rules alone come from
    /// their snapshot when it is current (`snapshot.rs`), the same rule set read without parsing.
    pub fn load(dirs: &[std::path::PathBuf]) -> Result<RuleSet, LoadError> {
        if dirs.is_empty() {
            if let Some(set) = snapshot::builtin() {
                return Ok(set);
            }
        }
        RuleSet::load_files(dirs)
    }

    /// [`RuleSet::load`] from the rule files, always.
    fn load_files(dirs: &[std::path::PathBuf]) -> Result<RuleSet, LoadError> {
        let patterns = Patterns::default();
        let mut defs = Definitions::load(dirs, &patterns)?;
        // (path to show, file name, text, the full text of a built-in rule)
        let mut files: Vec<(String, String, String, Option<&'static str>)> = BUILTIN_RULES
            .iter()
            .map(|(name, full, short)| {
                (
                    format!("rules/{name}"),
                    name.to_string(),
                    short.to_string(),
                    Some(*full),
                )
            })
            .collect();
        for dir in dirs {
            for (path, text) in toml_files(dir)? {
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files.push((path.display().to_string(), file_name, text, None));
            }
        }
        let mut rules: Vec<Rule> = Vec::new();
        let mut origins: BTreeMap<String, String> = BTreeMap::new();
        for (display, file_name, text, builtin) in &files {
            let origin = if builtin.is_some() {
                "built-in".to_string()
            } else {
                display.clone()
            };
            let compiler = Compiler::new(display, text, &patterns, builtin.is_none(), &defs);
            let (rule, code_span) = compile(&compiler, file_name, origin, *builtin)?;
            if let Some(first) = origins.get(&rule.code) {
                return Err(LoadError::new(format!("rule code {} is defined twice", rule.code))
                    .in_file(display, text)
                    .at(code_span, "this code")
                    .with_help(format!(
                        "{} is already defined by {first}; codes must be unique",
                        rule.code
                    )));
            }
            origins.insert(rule.code.clone(), display.clone());
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        let mut units = std::mem::take(&mut defs.units);
        number_paths(&mut rules, &mut units);
        let mut patterns: Vec<Pattern> = patterns.known.into_inner().into_values().collect();
        patterns.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(RuleSet {
            rules,
            deselected: Vec::new(),
            patterns,
            units,
            given: serde_json::Value::Null,
        })
    }

    /// Keeps only the rules `selected` says run (`--select`, `--ignore`, the configuration), so
    /// that the others cost nothing; their codes are kept in `deselected`.
    pub fn select(&mut self, selected: impl Fn(&str) -> bool) {
        let (kept, left_out): (Vec<Rule>, Vec<Rule>) = std::mem::take(&mut self.rules)
            .into_iter()
            .partition(|rule| selected(&rule.code));
        self.rules = kept;
        self.deselected.extend(left_out.into_iter().map(|rule| rule.code));
    }

    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
    }
}

/// The rules that run on one file: a run's rule set, less the rules the file's per-file ignores
/// name (configuration `per-file-ignores`). Decided before the file is linted, as
/// [`RuleSet::select`] decides for the whole run: a rule ignored for a file costs it nothing,
/// owns no place another rule would report, and a suppression that names it is not unused.
pub struct FileRules<'r> {
    pub set: &'r RuleSet,
    /// Codes of the set's rules that do not run on this file (usually none: nothing allocated).
    skipped: Vec<String>,
}

impl<'r> FileRules<'r> {
    /// Every rule of `set`.
    pub fn all(set: &'r RuleSet) -> Self {
        FileRules {
            set,
            skipped: Vec::new(),
        }
    }

    /// The rules of `set` but those `selectors` (codes or prefixes) name.
    pub fn skipping(set: &'r RuleSet, selectors: &[String]) -> Self {
        let skipped = set
            .rules
            .iter()
            .filter(|rule| {
                selectors
                    .iter()
                    .any(|selector| crate::codes::matches(selector, &rule.code))
            })
            .map(|rule| rule.code.clone())
            .collect();
        FileRules { set, skipped }
    }

    /// Whether `rule` runs on this file.
    pub fn runs(&self, rule: &Rule) -> bool {
        !self.skipped.contains(&rule.code)
    }

    /// The codes of the rules that do not run on this file: left out of the run, or skipped here.
    pub fn not_run(&self) -> impl Iterator<Item = &str> + Clone {
        self.set.deselected.iter().chain(&self.skipped).map(String::as_str)
    }
}

/// The `*.toml` files of `dir` with their text, in name order.
fn toml_files(dir: &std::path::Path) -> Result<Vec<(std::path::PathBuf, String)>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| IoError::read(Subject::RuleDirectory, Some(dir), e))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| IoError::read(Subject::RuleFile, Some(&path), e))?;
            Ok((path, text))
        })
        .collect()
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

/// Compiles one rule file; errors point into `text`. Returns the rule and the span of its code.
fn compile(
    compiler: &Compiler,
    file_name: &str,
    origin: String,
    builtin: Option<&'static str>,
) -> Result<(Rule, Span), LoadError> {
    let fail = |message: String, span: Span, label: &str| compiler.fail(message, span, label);
    let file: RuleFile = toml::from_str(compiler.text).map_err(|e| {
        let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let message = e.message().to_string();
        fail(format!("invalid rule file: {message}"), span, "here")
    })?;
    let code = file.code.get_ref().clone();
    let code_span = span_of(&file.code);
    let code_ok = code.len() >= 2
        && code.bytes().take_while(u8::is_ascii_uppercase).count() > 0
        && code
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .bytes()
            .all(|b| b.is_ascii_digit())
        && code.ends_with(|c: char| c.is_ascii_digit());
    if !code_ok {
        return Err(fail(
            format!("rule code `{code}` is not letters followed by digits"),
            code_span,
            "this code",
        )
        .with_help("use a code like ORG001"));
    }
    let name = file.name.get_ref().clone();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(fail(
            format!("rule name `{name}` is not kebab-case"),
            span_of(&file.name),
            "this name",
        ));
    }
    let expected = format!("{code}-{name}.toml");
    if file_name != expected {
        return Err(fail(
            format!("rule file is named `{file_name}`, expected `{expected}`"),
            code_span,
            "code declared here",
        )
        .with_help("name rule files CODE-name.toml so that each rule is found by its code"));
    }
    let (unit, scope) = compiler.unit(&file.unit)?;
    let message = compiler.template(&file.message)?;
    let help = compiler.template(&file.help)?;
    let mut checks = Vec::new();
    if file.check.is_empty() {
        return Err(fail("rule has no [[check]]".into(), code_span, "in this rule"));
    }
    let when = file
        .when
        .into_iter()
        .map(|c| compiler.clause(c))
        .collect::<Result<Vec<_>, _>>()?;
    for spec in file.check {
        let span = span_of(&spec);
        let whole_text = unit == Unit::Document && scope.is_none() && when.is_empty();
        let check = compiler.check(spec.into_inner(), span, whole_text)?;
        checks.push(check);
    }
    let (doc, examples) = match builtin {
        // The short text has no examples: the test of the catalog checks the full one's.
        Some(full) => (
            Deferred::later(full, builtin_doc),
            Deferred::later(full, builtin_examples),
        ),
        None => {
            let examples: Vec<Example> = file.example.into_iter().map(|e| example(e.into_inner())).collect();
            check_examples(&examples, &fail, code_span)?;
            (Deferred::ready(file.doc), Deferred::ready(examples))
        }
    };
    let rule = Rule {
        code,
        name,
        severity: file.severity,
        summary: file.summary.into_inner(),
        applies_to: file.applies_to,
        unit,
        scope,
        when,
        message,
        help,
        doc,
        examples,
        checks,
        origin,
    };
    Ok((rule, code_span))
}

/// Every rule documents itself with a violating and a clean example.
fn check_examples(examples: &[Example], fail: &Fail, code_span: Span) -> Result<(), LoadError> {
    for kind in [Expect::Violation, Expect::Clean] {
        if !examples.iter().any(|e| e.expect == kind) {
            let which = if kind == Expect::Violation {
                "violation"
            } else {
                "clean"
            };
            return Err(fail(
                format!("rule has no [[example]] with expect = \"{which}\""),
                code_span,
                "in this rule",
            )
            .with_help("every rule documents itself with at least one violating and one clean example"));
        }
    }
    Ok(())
}

type Fail<'a> = dyn Fn(String, Span, &str) -> LoadError + 'a;

/// Compiles the parts of one file (a rule file, or a data file's definitions): errors point into
/// its text, and every name it uses is resolved against the definitions.
pub(crate) struct Compiler<'a> {
    display: &'a str,
    text: &'a str,
    regexes: Regexes<'a>,
    defs: &'a Definitions,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(
        display: &'a str,
        text: &'a str,
        patterns: &'a Patterns,
        eager: bool,
        defs: &'a Definitions,
    ) -> Self {
        Compiler {
            display,
            text,
            regexes: Regexes { patterns, eager },
            defs,
        }
    }

    pub(crate) fn fail(&self, message: String, span: Span, label: &str) -> LoadError {
        LoadError::new(message).in_file(self.display, self.text).at(span, label)
    }

    /// An error for a name of `kind` that no data file defines, suggesting the nearest one.
    fn unknown(&self, kind: &str, name: &str, span: Span) -> LoadError {
        let names = self.defs.names(kind);
        let help = predicate::nearest(name, &names).map_or_else(
            || match names.is_empty() {
                true => format!("no data file defines a {kind}"),
                false => format!("the {kind}s are: {}", names.join(", ")),
            },
            |near| format!("did you mean {near:?}?"),
        );
        self.fail(format!("no {kind} {name:?}"), span, "defined by no data file")
            .with_help(help)
    }

    fn path(&self, s: &Spanned<String>) -> Result<Path, LoadError> {
        self.regexes
            .path(s.get_ref())
            .map_err(|e| self.fail(format!("invalid JSONPath: {e}"), span_of(s), "this path"))
    }

    fn template(&self, s: &Spanned<String>) -> Result<Template, LoadError> {
        // Escapes make offsets inside a TOML string differ from the text's: point at the string.
        Template::parse(s.get_ref()).map_err(|(message, _)| self.fail(message, span_of(s), "in this template"))
    }

    /// `document`, `statement`, or a unit of the data files (with its index).
    fn unit(&self, name: &Spanned<String>) -> Result<(Unit, Option<usize>), LoadError> {
        if let Some(unit) = Unit::parse(name.get_ref()) {
            return Ok((unit, None));
        }
        match self.defs.unit(name.get_ref()) {
            Some(index) => Ok((self.defs.units[index].of, Some(index))),
            None => Err(self.unknown("unit", name.get_ref(), span_of(name))),
        }
    }

    /// `whole_text`: the rule's unit is the whole document, unnarrowed (`source` checks need it).
    fn check(&self, spec: CheckSpec, span: Span, whole_text: bool) -> Result<Check, LoadError> {
        let fail = |message: String, span: Span, label: &str| self.fail(message, span, label);
        let head = Span::new(span.start, span.start + 1);
        let tests = [
            spec.require.is_some(),
            spec.forbid.is_some(),
            spec.expect.is_some(),
            spec.compare.is_some(),
            spec.source.is_some(),
        ];
        if tests.iter().filter(|&&t| t).count() > 1 {
            return Err(fail(
                "a check takes only one of require, forbid, expect, compare and source".into(),
                head,
                "this check",
            ));
        }
        if tests.iter().all(|&t| !t) && spec.when.is_empty() {
            return Err(fail(
                "a check needs a test (require, forbid, expect, compare or source) or `when` clauses".into(),
                head,
                "this check",
            ));
        }
        if spec.max_bytes.is_some() != (spec.source == Some(SourceCheck::Size)) {
            return Err(fail(
                "`max-bytes` goes with `source = \"size\"`, and only with it".into(),
                head,
                "this check",
            ));
        }
        if spec.source.is_some() && !whole_text {
            return Err(fail(
                "`source` checks need `unit = \"document\"`, without a rule-level `when`".into(),
                head,
                "this check",
            ));
        }
        let test = match (spec.require, spec.forbid, spec.expect, spec.compare, spec.source) {
            (Some(p), ..) => Test::Require(self.predicate(p, head)?),
            (_, Some(p), ..) => Test::Forbid(self.predicate(p, head)?),
            (_, _, Some(schema::Expectation::Present), ..) => Test::Present,
            (_, _, Some(schema::Expectation::Absent), ..) => Test::Absent,
            (_, _, Some(schema::Expectation::Unique), ..) => Test::Unique,
            (_, _, _, Some(c), _) => Test::Compare(Box::new(self.compare(c)?)),
            (.., Some(SourceCheck::Syntax)) => Test::Syntax,
            (.., Some(SourceCheck::FileSyntax)) => Test::FileSyntax,
            (.., Some(SourceCheck::DuplicateKeys)) => Test::DuplicateKeys,
            (.., Some(SourceCheck::Size)) => Test::Size(spec.max_bytes.unwrap_or(usize::MAX)),
            _ => Test::Always,
        };
        let normalize = spec.normalize.unwrap_or(schema::NormalizeSpec {
            strip_prefix: Vec::new(),
            strip_suffix: Vec::new(),
        });
        Ok(Check {
            when: spec
                .when
                .into_iter()
                .map(|c| self.clause(c))
                .collect::<Result<_, _>>()?,
            select: spec
                .select
                .as_ref()
                .map(|s| self.path(s))
                .transpose()?
                .unwrap_or_else(Path::root),
            on: spec.on,
            strip_prefix: normalize.strip_prefix,
            strip_suffix: normalize.strip_suffix,
            skip: spec.skip.map(|p| self.predicate(p, head)).transpose()?,
            test,
            report_at: spec.report_at.iter().map(|s| self.path(s)).collect::<Result<_, _>>()?,
            severity: spec.severity,
            message: spec.message.as_ref().map(|s| self.template(s)).transpose()?,
            help: spec.help.as_ref().map(|s| self.template(s)).transpose()?,
            label: spec.label.as_ref().map(|s| self.template(s)).transpose()?,
            supersedes: spec.supersedes,
            related: match &spec.related {
                Some(related) => Some((
                    self.path(related)?,
                    spec.related_label.as_ref().map(|s| self.template(s)).transpose()?,
                )),
                None => None,
            },
            fix: spec
                .fix
                .map(|fix| {
                    crate::fix::rule::compile(fix, &|s| self.path(s), &|m, at, l| self.fail(m, at, l), self.defs)
                })
                .transpose()?,
        })
    }

    pub(crate) fn clause(&self, spec: ClauseSpec) -> Result<Clause, LoadError> {
        let (source, of_facts) = match (&spec.path, &spec.fact) {
            (Some(path), None) => (path, false),
            (None, Some(fact)) => (fact, true),
            (Some(path), Some(_)) => {
                return Err(self.fail(
                    "a `when` clause takes `path` or `fact`, not both".into(),
                    span_of(path),
                    "this clause",
                ))
            }
            (None, None) => return Err(LoadError::new("a `when` clause needs a `path` or a `fact`")),
        };
        let at = span_of(source);
        let quantifier = match (spec.any, spec.all, spec.none, spec.present) {
            (Some(p), None, None, None) => Quantifier::Any(self.predicate(p, at)?),
            (None, Some(p), None, None) => Quantifier::All(self.predicate(p, at)?),
            (None, None, Some(p), None) => Quantifier::None(self.predicate(p, at)?),
            (None, None, None, Some(b)) => Quantifier::Present(b),
            _ => {
                return Err(self.fail(
                    "a `when` clause takes exactly one of any, all, none and present".into(),
                    at,
                    "this clause",
                ))
            }
        };
        Ok(Clause {
            path: self.path(source)?,
            of_facts,
            on: spec.on,
            quantifier,
        })
    }

    /// A regular expression written in place or named (`{ pattern = "NAME" }`).
    fn regex(&self, spec: &Spanned<schema::RegexSpec>) -> Result<Pattern, LoadError> {
        let span = span_of(spec);
        match spec.get_ref() {
            schema::RegexSpec::Text(text) => self
                .regexes
                .get(text)
                .map_err(|e| self.fail(e, span, "this expression")),
            schema::RegexSpec::Named(named) => {
                let pattern = self.defs.pattern(&named.pattern);
                pattern
                    .cloned()
                    .ok_or_else(|| self.unknown("pattern", &named.pattern, span))
            }
        }
    }

    /// Strings written in place or a named value set (`{ set = "NAME" }`).
    fn strings(&self, spec: Option<Spanned<schema::OneOrMany>>) -> Result<Option<Vec<String>>, LoadError> {
        let Some(spec) = spec else {
            return Ok(None);
        };
        let span = span_of(&spec);
        match spec.into_inner() {
            schema::OneOrMany::One(s) => Ok(Some(vec![s])),
            schema::OneOrMany::Many(v) => Ok(Some(v)),
            schema::OneOrMany::Set(named) => match self.defs.set(&named.set) {
                Some(values) => Ok(Some(values.to_vec())),
                None => Err(self.unknown("set", &named.set, span)),
            },
        }
    }

    fn compare(&self, spec: CompareSpec) -> Result<Compare, LoadError> {
        let side = |s: SideSpec| -> Result<Side, LoadError> {
            let extract = match (s.arn, &s.capture) {
                (Some(_), Some(c)) => {
                    return Err(self.fail(
                        "a compare side takes `arn` or `capture`, not both".into(),
                        span_of(c),
                        "here",
                    ))
                }
                (Some(field), None) => Extract::Arn(field),
                (None, Some(c)) => {
                    let regex = self.regex(c)?;
                    if regex.groups() < 1 {
                        return Err(self.fail("`capture` needs a capture group".into(), span_of(c), "this expression"));
                    }
                    Extract::Capture(regex)
                }
                (None, None) => Extract::Whole,
            };
            let at = span_of(&s.path);
            Ok(Side {
                path: self.path(&s.path)?,
                extract,
                only: s.only.map(|p| self.predicate(p, at)).transpose()?,
            })
        };
        let table = match &spec.table {
            Some(name) => Some(
                self.defs
                    .table(name.get_ref())
                    .ok_or_else(|| self.unknown("data table", name.get_ref(), span_of(name)))?,
            ),
            None => None,
        };
        if table.is_some() && !spec.also_allowed.is_empty() {
            let at = spec.table.as_ref().map_or(Span::new(0, 0), span_of);
            return Err(self.fail("a compare takes `table` or `also-allowed`, not both".into(), at, "here"));
        }
        Ok(Compare {
            left: side(spec.left)?,
            right: side(spec.right)?,
            table,
            also_allowed: spec.also_allowed,
            right_label: spec.right_label.as_ref().map(|s| self.template(s)).transpose()?,
        })
    }

    pub(crate) fn predicate(&self, spec: PredicateSpec, at: Span) -> Result<Predicate, LoadError> {
        let regex = spec.regex.as_ref().map(|r| self.regex(r)).transpose()?;
        let empty = spec.equals.is_none()
            && spec.prefix.is_none()
            && regex.is_none()
            && spec.glob.is_none()
            && spec.covers.is_none()
            && spec.json_type.is_none()
            && spec.not.is_none()
            && spec.any_of.is_none()
            && spec.is.is_none()
            && spec.operator.is_none()
            && spec.key_of.is_none();
        if empty {
            return Err(self.fail(
                "empty predicate: give at least one of equals, prefix, regex, glob, covers, type, not, any-of, is, operator, key-of".into(),
                at,
                "here",
            ));
        }
        let mut all_of = Vec::new();
        if let Some(is) = &spec.is {
            for name in is.get_ref().clone().into_vec() {
                let named = self.defs.predicate(&name);
                all_of.push(
                    named
                        .cloned()
                        .ok_or_else(|| self.unknown("predicate", &name, span_of(is)))?,
                );
            }
        }
        if let Some(key_of) = spec.key_of {
            let name = &key_of.table;
            let table = self
                .defs
                .table(name.get_ref())
                .ok_or_else(|| self.unknown("data table", name.get_ref(), span_of(name)))?;
            let matching = key_of.matching.map(|p| self.predicate(*p, span_of(name))).transpose()?;
            let keys = table.keys_where(|value| {
                matching
                    .as_ref()
                    .is_none_or(|p| p.matches(predicate::Subject::string(value)))
            });
            all_of.push(Predicate {
                equals: Some(keys),
                ..Predicate::default()
            });
        }
        let operator = match spec.operator {
            Some(test) => Some(self.operator(test)?),
            None => None,
        };
        Ok(Predicate {
            equals: self.strings(spec.equals)?,
            prefix: self.strings(spec.prefix)?,
            regex,
            glob: self.strings(spec.glob)?,
            covers: self.strings(spec.covers)?,
            ignore_case: spec.ignore_case,
            json_type: spec.json_type,
            not: spec.not.map(|p| self.predicate(*p, at).map(Box::new)).transpose()?,
            any_of: spec
                .any_of
                .map(|ps| ps.into_iter().map(|p| self.predicate(p, at)).collect())
                .transpose()?,
            all_of,
            operator,
            ..Predicate::default()
        }
        .prepared())
    }

    fn operator(&self, spec: schema::OperatorSpec) -> Result<OperatorTest, LoadError> {
        let operators = &self.defs.operators;
        let families = match &spec.family {
            Some(names) => {
                let mut families = Vec::new();
                for name in names.get_ref().clone().into_vec() {
                    let family = operators.family(&name);
                    families.push(family.ok_or_else(|| self.unknown("operator family", &name, span_of(names)))?);
                }
                Some(families)
            }
            None => None,
        };
        Ok(OperatorTest {
            operators: operators.clone(),
            families,
            negated: spec.negated,
            if_exists: spec.if_exists,
            qualifiers: spec.qualifier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_built_in_texts_differ_only_by_their_docs() {
        for (name, full, short) in BUILTIN_RULES {
            let mut full: toml::Table = toml::from_str(full).unwrap();
            let mut short: toml::Table = toml::from_str(short).unwrap();
            assert!(
                full.remove("doc").is_some() && full.remove("example").is_some(),
                "{name}"
            );
            let doc = short.remove("doc").unwrap();
            assert_eq!(doc.as_table().map(|t| t.len()), Some(3), "{name}");
            assert_eq!(full, short, "{name}");
            let rules = RuleSet::builtin().unwrap();
            let rule = rules.rules.iter().find(|r| name.starts_with(&r.code)).unwrap();
            assert!(!rule.doc.what.is_empty() && !rule.examples.is_empty(), "{name}");
            let examples: Vec<Example> = toml::from_str::<schema::DocsOnly>(full_text(name))
                .unwrap()
                .example
                .into_iter()
                .map(example)
                .collect();
            check_examples(&examples, &|m, _, _| LoadError::new(m), Span::new(0, 0)).unwrap();
        }
    }

    fn full_text(name: &str) -> &'static str {
        BUILTIN_RULES
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, full, _)| *full)
            .unwrap()
    }
}
