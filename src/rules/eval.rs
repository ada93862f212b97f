//! Runs compiled rules over one policy document and produces findings with spans.
//!
//! A rule sees the canonical document (see `policy.rs`) one *unit* at a time: the whole document,
//! or each statement, narrowed by a unit of the data files (`cognito-statement`) and by the rule's
//! own `when`. Paths in the rule are relative to the unit.
//!
//! The plan for one document: the units are computed once (the statements, and for each the
//! named units it belongs to, decided once however many rules use them); the rules run unit by
//! unit, a rule's `when` decided once per unit, and within a unit each distinct path (by
//! text, see `Path::slot`) is evaluated once, its node ids kept in one buffer that the next unit
//! reuses. Nothing is formatted for a node that passes: its anchor (the span a finding points
//! at), JSON pointer and message are computed only when it fails. Findings are tagged with the
//! rule, check and unit that made them, and put back in rule order at the end, so the output is
//! the same as running each rule over all units in turn. A predicate's answer for a string of
//! the tree is remembered by the run (see [`Answers`]): a policy's values repeat from statement to
//! statement.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;
use serde_json::Value;

use super::definitions::NamedUnit;
use super::path::{Path, Scratch};
use super::predicate::{Pattern, Predicate, Subject};
use super::schema::JsonType;
use super::{
    AppliesTo, Check, Clause, Compare, Extract, FileRules, Quantifier, Rule, RuleSet, Side, Target, Test, Unit,
};
use crate::finding::Finding;
use crate::fix::rule::{FixRule, From as FixFrom, Source};
use crate::fix::{Fix, Syntax};
use crate::policy::{Context, Kind, NodeId, NodeRef, PolicyDocument, Tree};
use crate::source::Span;
use crate::unknown::{self, is_partly_unknown, UNKNOWN};

/// Policies with at least this many statements are checked by several threads.
const PARALLEL_FROM: usize = 2048;
/// Statements per task when they are.
const PARALLEL_CHUNK: usize = 1024;

/// Runs every rule of `rules` that applies to `document`; `text` is the file's text.
pub fn check_document<'a>(rules: &FileRules<'a>, document: &'a PolicyDocument, text: &'a str) -> Vec<Finding> {
    let statements = document.statements().count();
    let split = (statements >= PARALLEL_FROM).then_some(PARALLEL_CHUNK);
    check_split(rules, document, text, split)
}

/// [`check_document`], on one thread with one cache (`split` is `None`) or with the statements
/// shared out among the worker threads in runs of `split`.
fn check_split<'a>(
    file_rules: &FileRules<'a>,
    document: &'a PolicyDocument,
    text: &'a str,
    split: Option<usize>,
) -> Vec<Finding> {
    let rules = file_rules.set;
    let applicable: Vec<usize> = (0..rules.rules.len())
        .filter(|&i| applies(rules.rules[i].applies_to, document.context) && file_rules.runs(&rules.rules[i]))
        .collect();
    if applicable.is_empty() {
        return Vec::new();
    }
    let run = Run::new(document, text, &rules.given);
    // The document unit (with the checks of the source text), then each statement for the
    // statement and Cognito statement rules.
    let mut jobs: Vec<Job> = Vec::new();
    for &r in &applicable {
        if rules.rules[r].unit == Unit::Document {
            jobs.extend((0..rules.rules[r].checks.len()).map(|check| Job::Document { rule: r, check }));
        }
    }
    let per_statement: Vec<usize> = applicable
        .iter()
        .copied()
        .filter(|&r| rules.rules[r].unit != Unit::Document)
        .collect();
    let statements: Vec<NodeRef> = if per_statement.is_empty() {
        Vec::new()
    } else {
        document.statements().collect()
    };
    let chunk = split.unwrap_or(statements.len()).max(1);
    jobs.extend(
        statements
            .chunks(chunk)
            .enumerate()
            .map(|(i, statements)| Job::Statements {
                first: i * chunk,
                statements,
            }),
    );
    let tagged = if split.is_none() {
        // One thread, one cache: a path shared by several rules is evaluated once per unit.
        let mut run = run;
        for job in &jobs {
            run.job(rules, &per_statement, job);
        }
        run.out
    } else {
        // A policy of many statements (a generated one): the document's checks and chunks of its
        // statements are shared out among the worker threads, each with its own cache; the
        // findings are put in order below.
        let parts: Vec<Vec<(Tag, Finding)>> = jobs
            .par_iter()
            .map(|job| {
                let mut part = run.fork();
                part.job(rules, &per_statement, job);
                part.out
            })
            .collect();
        parts.into_iter().flatten().collect()
    };
    let mut tagged = tagged;
    // Rule by rule, check by check, unit by unit, as if each rule ran alone.
    tagged.sort_by_key(|(tag, _)| (tag.rule, tag.check, tag.unit));
    let mut findings: Vec<Finding> = Vec::with_capacity(tagged.len());
    // One defect, one finding: within a rule, the same message for the same statement (one value
    // written in several places, two checks finding one place) is reported once, at its first
    // place, with a label on each other place. Each finding about the text (a syntax error) is
    // its own defect.
    let mut kept: HashMap<(String, String), usize> = HashMap::new();
    let mut seen: HashSet<(Span, String)> = HashSet::new();
    let mut current = usize::MAX;
    // Places a check owns for the rules it supersedes.
    let mut owners: Vec<(Span, &[String])> = Vec::new();
    for (tag, finding) in tagged {
        if tag.rule != current {
            kept.clear();
            seen.clear();
            current = tag.rule;
        }
        let check = &rules.rules[tag.rule].checks[tag.check];
        if !check.supersedes.is_empty() {
            owners.push((finding.span, &check.supersedes));
        }
        let of_text = matches!(
            check.test,
            Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_)
        );
        if of_text {
            if seen.insert((finding.span, finding.message.clone())) {
                findings.push(finding);
            }
            continue;
        }
        // `Statement[Sid=X]/Condition/...`: `Statement[Sid=X]`; a place outside statements is its own.
        let end = finding.location.find("]/").map_or(finding.location.len(), |i| i + 1);
        let key = (finding.location[..end].to_string(), finding.message.clone());
        match kept.get(&key) {
            Some(&index) => {
                let earlier = &mut findings[index];
                let place = (finding.span, finding.label.unwrap_or_else(|| "here too".into()));
                if finding.span != earlier.span && !earlier.related.contains(&place) {
                    earlier.related.push(place);
                }
            }
            _ => {
                kept.insert(key, findings.len());
                findings.push(finding);
            }
        }
    }
    // A place a specific rule owns is reported by that rule only.
    if !owners.is_empty() {
        findings.retain(|finding| {
            !owners
                .iter()
                .any(|(span, codes)| span.overlaps(finding.span) && codes.contains(&finding.code))
        });
    }
    findings
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

/// A share of a document's checking: one check of a document rule, or the statement rules over
/// a run of statements.
enum Job<'a> {
    Document {
        rule: usize,
        check: usize,
    },
    Statements {
        first: usize,
        statements: &'a [NodeRef<'a>],
    },
}

/// Which named units the current unit belongs to, decided on first use (by unit index).
struct Scopes(Vec<Option<bool>>);

impl Scopes {
    fn new(units: usize) -> Self {
        Scopes(vec![None; units])
    }

    fn clear(&mut self) {
        self.0.iter_mut().for_each(|s| *s = None);
    }
}

/// Which rule, check and unit made a finding.
#[derive(Clone, Copy)]
struct Tag {
    rule: usize,
    check: usize,
    unit: usize,
}

/// The results of the paths evaluated on the current unit, by path slot.
#[derive(Default)]
struct Cache {
    unit: Option<NodeId>,
    /// By slot: the rule-set load that numbered the path, and its results in `results`.
    entries: Vec<Option<(usize, Range<usize>)>>,
    touched: Vec<usize>,
    results: Vec<NodeId>,
    scratch: Scratch,
}

impl Cache {
    /// Starts a unit: the results of the previous one are dropped (their buffers kept).
    fn enter(&mut self, unit: NodeId) {
        if self.unit == Some(unit) {
            return;
        }
        self.unit = Some(unit);
        for &slot in &self.touched {
            self.entries[slot] = None;
        }
        self.touched.clear();
        self.results.clear();
    }

    /// The nodes `path` selects from the unit `start`, as a range of `results`.
    fn select(&mut self, path: &Path, tree: &Tree, start: NodeId) -> Range<usize> {
        // Paths a load did not number (set 0) are evaluated every time.
        let cached = path.set != 0;
        if cached && self.entries.len() <= path.slot {
            self.entries.resize(path.slot + 1, None);
        }
        if let Some(Some((set, range))) = self.entries.get(path.slot).filter(|_| cached) {
            // A rule set put together from two loads may reuse a slot: the load is checked.
            if *set == path.set {
                return range.clone();
            }
        }
        let from = self.results.len();
        path.select_into(tree, start, &mut self.scratch, &mut self.results);
        let range = from..self.results.len();
        if cached && self.entries[path.slot].is_none() {
            self.entries[path.slot] = Some((path.set, range.clone()));
            self.touched.push(path.slot);
        }
        range
    }
}

struct Run<'a> {
    document: &'a PolicyDocument,
    text: &'a str,
    tree: Option<&'a Tree>,
    /// Facts given on the command line, for fixes.
    given: &'a Value,
    /// The document's facts as a tree, made when a clause first reads them.
    facts: Option<Tree>,
    cache: Cache,
    answers: Answers<'a>,
    out: Vec<(Tag, Finding)>,
}

/// The most answers a run remembers (a power of two): a run makes a table sized to its tree (two
/// slots a node), so that many files of middling size do not each fill one of thousands of slots.
const ANSWER_SLOTS: usize = 4096;

/// Documents of fewer nodes than this remember no answers: their values repeat too little for
/// the lookups to pay (in a repository of small policies, hashing every value cost 4% of the run
/// and saved nothing).
const ANSWERS_FROM: usize = 512;

/// Answers of [`decide`] for strings of the document's tree, remembered by a run.
///
/// A policy's values repeat from statement to statement (the principal, the actions, the
/// identity, the account), and each is tested by several checks; a predicate's answer depends
/// only on the predicate, the string, the condition operator it is under (when the predicate
/// asks for it) and whether the tree holds unknown parts. A fixed table of slots, each holding
/// one such question with its answer, compared in full (so an answer is never taken for another
/// question); a collision replaces the slot, and nothing is allocated after the table.
struct Answers<'a> {
    slots: Vec<Option<Answer<'a>>>,
    /// Whether the document is large enough to remember answers for ([`ANSWERS_FROM`]).
    remembers: bool,
}

#[derive(Clone, Copy)]
struct Answer<'a> {
    predicate: &'a Predicate,
    text: &'a str,
    operator: Option<&'a str>,
    known: bool,
    answer: Option<bool>,
}

impl<'a> Answers<'a> {
    /// The answers of a run over a tree of `nodes` nodes.
    fn new(nodes: usize) -> Self {
        Answers {
            slots: Vec::new(),
            remembers: nodes >= ANSWERS_FROM,
        }
    }

    /// [`decide`], remembered when the value is a string node of the tree.
    fn decide(&mut self, predicate: &'a Predicate, value: &Tv<'a>, node: NodeRef<'a>) -> Option<bool> {
        let Some(text) = (match value {
            Tv::Node(n) if self.remembers => n.as_str(),
            _ => None,
        }) else {
            return decide(predicate, value, node);
        };
        let operator = if predicate.needs_operator() {
            operator_of(node)
        } else {
            None
        };
        let known = node.tree().is_known();
        let seed = (predicate as *const Predicate as usize as u64) ^ u64::from(known);
        let mut hash = super::hash::words(seed, text.as_bytes());
        if let Some(operator) = operator {
            hash = super::hash::words(hash, operator.as_bytes());
        }
        if self.slots.is_empty() {
            let slots = (node.tree().len() * 2).next_power_of_two().min(ANSWER_SLOTS);
            self.slots = vec![None; slots];
        }
        let slot = hash as usize & (self.slots.len() - 1);
        if let Some(Some(a)) = self.slots.get(slot) {
            if std::ptr::eq(a.predicate, predicate) && a.known == known && a.operator == operator && a.text == text {
                return a.answer;
            }
        }
        let answer = decide(predicate, value, node);
        if let Some(entry) = self.slots.get_mut(slot) {
            *entry = Some(Answer {
                predicate,
                text,
                operator,
                known,
                answer,
            });
        }
        answer
    }
}

/// A selected node as a test sees it.
struct Tested<'t> {
    node: NodeRef<'t>,
    /// The key was tested rather than the value.
    on_key: bool,
    tested: Tv<'t>,
}

/// A tested value: a node, or a string made from one (its key, or a normalized string).
enum Tv<'t> {
    Node(NodeRef<'t>),
    Text(Cow<'t, str>),
}

impl Tv<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Tv::Node(node) => node.as_str(),
            Tv::Text(text) => Some(text),
        }
    }

    fn subject(&self) -> Subject<'_> {
        match self {
            Tv::Node(node) => Subject {
                json_type: json_type(node.kind()),
                text: node.as_str(),
                operator: None,
            },
            Tv::Text(text) => Subject::string(text),
        }
    }

    /// JSON equality of two tested values.
    fn same(&self, other: &Tv) -> bool {
        match (self, other) {
            (Tv::Node(a), Tv::Node(b)) => a.same_value(*b),
            _ => self.as_str().is_some() && self.as_str() == other.as_str(),
        }
    }
}

fn json_type(kind: Kind) -> JsonType {
    match kind {
        Kind::Null => JsonType::Null,
        Kind::Bool => JsonType::Bool,
        Kind::Number => JsonType::Number,
        Kind::String => JsonType::String,
        Kind::Array => JsonType::Array,
        Kind::Object => JsonType::Object,
    }
}

/// What a finding's message placeholders are filled with.
#[derive(Default)]
struct Facts {
    pointer: String,
    value: Option<String>,
    key: Option<String>,
    did_you_mean: Option<String>,
    /// For `forbid` with a regex: the pattern and the text it matched, searched for the part it
    /// matched only when a template asks for `{match}` (a search compiles the regex, which the
    /// pattern's DFA answering whether it matches spares).
    matched: Option<(Pattern, String)>,
    /// For a compare with a table: the values the table allows for the right value.
    expected: Option<String>,
    left: Option<String>,
    right: Option<String>,
    detail: Option<String>,
    size: Option<usize>,
    limit: Option<usize>,
}

/// The key of the member a node belongs to, within the unit: its own key, or for a list item the
/// list's (what a JSONPath result's location names last).
fn path_key<'t>(node: NodeRef<'t>, unit: NodeRef<'t>) -> Option<&'t str> {
    let mut at = node;
    while at.id() != unit.id() {
        if let Some(key) = at.key() {
            return Some(key);
        }
        at = at.parent()?;
    }
    None
}

impl<'a> Run<'a> {
    /// A run over the same document with an empty cache and no findings yet.
    fn new(document: &'a PolicyDocument, text: &'a str, given: &'a Value) -> Run<'a> {
        Run {
            document,
            text,
            given,
            tree: document.canonical.as_ref(),
            facts: None,
            cache: Cache::default(),
            answers: Answers::new(document.canonical.as_ref().map_or(0, Tree::len)),
            out: Vec::new(),
        }
    }

    fn fork(&self) -> Run<'a> {
        Run::new(self.document, self.text, self.given)
    }

    fn job(&mut self, rules: &'a RuleSet, per_statement: &[usize], job: &Job<'a>) {
        let mut scopes = Scopes::new(rules.units.len());
        match *job {
            Job::Document { rule: r, check: c } => {
                let rule = &rules.rules[r];
                // A narrowed document unit: its clauses hold on the document, or no check runs.
                let narrowed = rule.scope.is_some() || !rule.when.is_empty();
                if narrowed {
                    let Some(tree) = self.tree else {
                        return;
                    };
                    self.cache.enter(0);
                    if !self.rule_holds(rules, rule, tree.root(), &mut scopes) {
                        return;
                    }
                }
                let check = &rule.checks[c];
                let tag = Tag {
                    rule: r,
                    check: c,
                    unit: 0,
                };
                match check.test {
                    Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_) => {
                        self.source_check(rule, check, tag)
                    }
                    _ => {
                        if let Some(tree) = self.tree {
                            self.cache.enter(0);
                            self.unit_check(rule, check, tree.root(), tag);
                        }
                    }
                }
            }
            Job::Statements { first, statements } => {
                self.statements(rules, per_statement, statements, first, &mut scopes)
            }
        }
    }

    /// Runs the statement rules `per_statement` over `statements`, the first of which is
    /// statement number `first` of the document.
    fn statements(
        &mut self,
        rules: &'a RuleSet,
        per_statement: &[usize],
        statements: &[NodeRef<'a>],
        first: usize,
        scopes: &mut Scopes,
    ) {
        for (k, &statement) in statements.iter().enumerate() {
            self.cache.enter(statement.id());
            scopes.clear();
            for &r in per_statement {
                let rule = &rules.rules[r];
                if !self.rule_holds(rules, rule, statement, scopes) {
                    continue;
                }
                for (c, check) in rule.checks.iter().enumerate() {
                    if matches!(
                        check.test,
                        Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_)
                    ) {
                        continue;
                    }
                    let tag = Tag {
                        rule: r,
                        check: c,
                        unit: first + k,
                    };
                    self.unit_check(rule, check, statement, tag);
                }
            }
        }
    }

    fn push(&mut self, tag: Tag, finding: Finding) {
        self.out.push((tag, finding));
    }

    /// Whether `unit` is in the rule's named unit and meets its `when`.
    fn rule_holds(&mut self, rules: &'a RuleSet, rule: &'a Rule, unit: NodeRef<'a>, scopes: &mut Scopes) -> bool {
        rule.scope
            .is_none_or(|index| self.scope_holds(&rules.units, index, unit, scopes))
            && rule.when.iter().all(|c| self.clause_holds(c, unit))
    }

    /// Whether `unit` is in the named unit `index` (and in the unit that one narrows), decided
    /// once per unit. The loader rules out cycles.
    fn scope_holds(&mut self, units: &'a [NamedUnit], index: usize, unit: NodeRef<'a>, scopes: &mut Scopes) -> bool {
        if let Some(holds) = scopes.0[index] {
            return holds;
        }
        let named = &units[index];
        let holds = named
            .within
            .is_none_or(|within| self.scope_holds(units, within, unit, scopes))
            && named.when.iter().all(|c| self.clause_holds(c, unit));
        scopes.0[index] = Some(holds);
        holds
    }

    fn source_check(&mut self, rule: &'a Rule, check: &'a Check, tag: Tag) {
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
                    let finding = self.finding(rule, check, error.span, &facts, Vec::new());
                    self.push(tag, finding);
                }
            }
            Test::DuplicateKeys => {
                for dup in &doc.duplicate_keys {
                    let facts = Facts {
                        key: Some(json_string(&dup.key)),
                        ..Facts::default()
                    };
                    let related = vec![(dup.first, "first defined here".into())];
                    let finding = self.finding(rule, check, dup.second, &facts, related);
                    self.push(tag, finding);
                }
            }
            Test::Size(limit) if doc.size_bytes > limit => {
                let facts = Facts {
                    size: Some(doc.size_bytes),
                    limit: Some(limit),
                    ..Facts::default()
                };
                let finding = self.finding(rule, check, doc.span.head(self.text), &facts, Vec::new());
                self.push(tag, finding);
            }
            _ => {}
        }
    }

    fn unit_check(&mut self, rule: &'a Rule, check: &'a Check, unit: NodeRef<'a>, tag: Tag) {
        for clause in &check.when {
            if !self.clause_holds(clause, unit) {
                return;
            }
        }
        match &check.test {
            Test::Require(p) | Test::Forbid(p) => {
                let wanted = matches!(check.test, Test::Require(_));
                let range = self.cache.select(&check.select, unit.tree(), unit.id());
                for i in range {
                    let id = self.cache.results[i];
                    let Some(node) = self.tested(check, unit, id, check.on) else {
                        continue;
                    };
                    if self
                        .answers
                        .decide(p, &node.tested, node.node)
                        .is_some_and(|matched| matched != wanted)
                    {
                        let span = self.span_of(&node);
                        let mut facts = self.node_facts(unit, &node, span);
                        facts.matched = p.regex.clone().zip(node.tested.as_str().map(str::to_string));
                        if wanted {
                            facts.did_you_mean = node
                                .tested
                                .as_str()
                                .and_then(|t| p.suggestion(t))
                                .map(|s| format!("; did you mean {}?", json_string(s)));
                        }
                        let finding = self.finding(rule, check, span, &facts, Vec::new());
                        let finding = self.with_fix(finding, check, unit, Some(&node));
                        self.push(tag, finding);
                    }
                }
            }
            Test::Absent => {
                let range = self.cache.select(&check.select, unit.tree(), unit.id());
                for i in range {
                    let id = self.cache.results[i];
                    if let Some(node) = self.tested(check, unit, id, check.on) {
                        let span = self.span_of(&node);
                        let facts = self.node_facts(unit, &node, span);
                        let finding = self.finding(rule, check, span, &facts, Vec::new());
                        let finding = self.with_fix(finding, check, unit, Some(&node));
                        self.push(tag, finding);
                    }
                }
            }
            Test::Present => {
                let range = self.cache.select(&check.select, unit.tree(), unit.id());
                let found = range.into_iter().any(|i| {
                    let id = self.cache.results[i];
                    self.tested(check, unit, id, check.on).is_some()
                });
                if !found {
                    self.report_at_unit(rule, check, unit, tag);
                }
            }
            Test::Always => self.report_at_unit(rule, check, unit, tag),
            Test::Unique => self.unique(rule, check, unit, tag),
            Test::Compare(compare) => self.compare(rule, check, compare, unit, tag),
            Test::Syntax | Test::FileSyntax | Test::DuplicateKeys | Test::Size(_) => {}
        }
    }

    /// Each selected value that repeats an earlier one, labelled with the first.
    fn unique(&mut self, rule: &'a Rule, check: &'a Check, unit: NodeRef<'a>, tag: Tag) {
        let range = self.cache.select(&check.select, unit.tree(), unit.id());
        let ids: Vec<NodeId> = self.cache.results[range].to_vec();
        let known = |n: &Tested| n.tested.as_str().is_none_or(|t| !is_partly_unknown(t));
        let nodes: Vec<Tested> = ids
            .into_iter()
            .filter_map(|id| self.tested(check, unit, id, check.on))
            .filter(known)
            .collect();
        // Strings (nearly every case) are found by hashing; other values by comparing.
        let mut first_string: HashMap<&str, usize> = HashMap::new();
        let mut others: Vec<usize> = Vec::new();
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let first = match node.tested.as_str() {
                Some(text) => match first_string.get(text) {
                    Some(&first) => Some(first),
                    None => {
                        first_string.insert(text, i);
                        None
                    }
                },
                None => {
                    let first = others.iter().copied().find(|&j| nodes[j].tested.same(&node.tested));
                    others.push(i);
                    first
                }
            };
            if let Some(first) = first {
                repeats.push((i, first));
            }
        }
        for (i, first) in repeats {
            let span = self.span_of(&nodes[i]);
            let first_span = self.span_of(&nodes[first]);
            let facts = self.node_facts(unit, &nodes[i], span);
            let related = vec![(first_span, "first used here".into())];
            let finding = self.finding(rule, check, span, &facts, related);
            self.push(tag, finding);
        }
    }

    fn compare(&mut self, rule: &'a Rule, check: &'a Check, compare: &'a Compare, unit: NodeRef<'a>, tag: Tag) {
        let rights = self.side(check, &compare.right, unit);
        let lefts = self.side(check, &compare.left, unit);
        for (left, left_value) in &lefts {
            for (right, right_value) in &rights {
                let agree = match &compare.table {
                    // A right value the table does not know (a newer region) is not compared.
                    Some(table) => table
                        .get(right_value)
                        .is_none_or(|allowed| allowed.iter().any(|v| v.eq_ignore_ascii_case(left_value))),
                    None => {
                        let allowed = |key: &str| {
                            compare
                                .also_allowed
                                .get(key)
                                .is_some_and(|values| values.contains(left_value))
                        };
                        left_value == right_value || allowed(right_value) || allowed("*")
                    }
                };
                if agree {
                    continue;
                }
                let left_span = self.span_of(left);
                let mut facts = self.node_facts(unit, left, left_span);
                facts.left = Some(json_string(left_value));
                facts.right = Some(json_string(right_value));
                facts.expected = compare
                    .table
                    .as_ref()
                    .and_then(|t| t.get(right_value))
                    .map(|values| values.iter().map(|v| json_string(v)).collect::<Vec<_>>().join(" or "));
                let label = compare
                    .right_label
                    .as_ref()
                    .map(|t| t.render(&|v| self.lookup(v, &facts)));
                let related = vec![(self.span_of(right), label.unwrap_or_default())];
                let finding = self.finding(rule, check, left_span, &facts, related);
                let finding = self.with_fix(finding, check, unit, Some(left));
                self.push(tag, finding);
            }
        }
    }

    /// The values one side of a comparison takes part with, and the field compared.
    fn side(&mut self, check: &'a Check, side: &'a Side, unit: NodeRef<'a>) -> Vec<(Tested<'a>, String)> {
        let range = self.cache.select(&side.path, unit.tree(), unit.id());
        let mut out = Vec::new();
        for i in range {
            let id = self.cache.results[i];
            let Some(node) = self.tested(check, unit, id, Target::Value) else {
                continue;
            };
            if side
                .only
                .as_ref()
                .is_some_and(|only| self.answers.decide(only, &node.tested, node.node) != Some(true))
            {
                continue;
            }
            let Some(field) = node.tested.as_str().and_then(|t| extract_field(t, &side.extract)) else {
                continue;
            };
            // Wildcards and unknown parts stand for many values: they neither agree nor disagree.
            if !field.contains(['*', '?', UNKNOWN]) && !field.is_empty() {
                out.push((node, field));
            }
        }
        out
    }

    fn report_at_unit(&mut self, rule: &'a Rule, check: &'a Check, unit: NodeRef<'a>, tag: Tag) {
        let tree = unit.tree();
        let mut anchor = None;
        for path in &check.report_at {
            let range = self.cache.select(path, tree, unit.id());
            if let Some(&id) = self.cache.results[range].first() {
                anchor = Some(tree.node(id));
                break;
            }
        }
        let span = match anchor {
            // A member is reported at its key: `"Condition"` rather than its whole block.
            Some(node) => node.key_span().unwrap_or(node.value_span()),
            None => self.anchor(unit),
        };
        let facts = Facts {
            pointer: unit.pointer(),
            ..Facts::default()
        };
        let finding = self.finding(rule, check, span, &facts, Vec::new());
        let finding = self.with_fix(finding, check, unit, None);
        self.push(tag, finding);
    }

    /// The finding with its check's fix, when the fix fits here.
    fn with_fix(
        &mut self,
        mut finding: Finding,
        check: &'a Check,
        unit: NodeRef<'a>,
        node: Option<&Tested<'a>>,
    ) -> Finding {
        if let Some(fix) = &check.fix {
            match self.fix(fix, unit, node) {
                Some(Ok(fix)) => finding.fix = Some(fix),
                // Values this file does not know: the help shows the edit as the file would
                // write it, with a placeholder for each.
                // (JSON help is already in a JSON file's syntax.)
                Some(Err(sketch)) if !matches!(self.document.syntax, Syntax::Json(_)) => {
                    finding.help = format!("{}\nin this file: {sketch}", finding.help);
                }
                Some(Err(_)) => {}
                None => {}
            }
        }
        finding
    }

    /// The check's fix for this finding; `Err` with a sketch of it (placeholders for the values
    /// that are not known) when it cannot be applied.
    fn fix(&mut self, fix: &'a FixRule, unit: NodeRef<'a>, node: Option<&Tested<'a>>) -> Option<Result<Fix, String>> {
        // A repeated key keeps one member in the canonical tree and hides the other: the tree no
        // longer says what the text holds, so nothing is written from it (SES002 comes first).
        if self.document.syntax == Syntax::Opaque || !self.document.duplicate_keys.is_empty() {
            return None;
        }
        let tree = unit.tree();
        let target = match &fix.at {
            Some(path) => tree.node(*path.select(tree, unit.id()).first()?),
            None => node.map_or(unit, |n| n.node),
        };
        // A value with unknown parts is not written back (a fix that only replaces it may apply).
        let text = node
            .and_then(|n| n.tested.as_str())
            .filter(|t| !is_partly_unknown(t))
            .map(str::to_string);
        let parent_key = target
            .parent()
            .and_then(|p| p.written_key().or(p.key()))
            .map(str::to_string);
        let named: Vec<(&str, Option<String>)> = fix
            .values
            .iter()
            .map(|(name, sources)| (name.as_str(), self.fix_value(sources, unit)))
            .collect();
        let lookup = |variable: &str| -> Option<String> {
            match variable {
                "text" => text.clone(),
                "text_trimmed" => text.as_deref().map(|t| t.trim().to_string()),
                "text_suffix" => text
                    .as_deref()
                    .and_then(|t| t.split_once(':'))
                    .map(|(_, rest)| rest.to_string()),
                "parent_key" => parent_key.clone(),
                other => named.iter().find(|(n, _)| *n == other).and_then(|(_, v)| v.clone()),
            }
        };
        if named.iter().any(|(_, v)| v.is_none()) {
            let placeholder = |variable: &str| {
                lookup(variable).or_else(|| {
                    named
                        .iter()
                        .any(|(n, _)| *n == variable)
                        .then(|| variable.to_ascii_uppercase())
                })
            };
            let op = fix.op(target, &placeholder)?;
            let edits = crate::fix::write::edits(&op, &self.document.syntax, self.text)?;
            return Some(Err(crate::fix::describe(&op, &edits, self.text)));
        }
        let op = fix.op(target, &lookup)?;
        let edits = crate::fix::write::edits(&op, &self.document.syntax, self.text)?;
        Some(Ok(Fix {
            applicability: fix.applicability,
            description: crate::fix::describe(&op, &edits, self.text),
            edits,
        }))
    }

    /// A fix's named value: from the first source that finds exactly one (`None` when none
    /// does, or the first that finds any finds several).
    fn fix_value(&mut self, sources: &'a [Source], unit: NodeRef<'a>) -> Option<String> {
        for source in sources {
            let found: Vec<String> = match &source.from {
                FixFrom::Literal(literal) => vec![literal.clone()],
                FixFrom::Path(path) => {
                    let tree = unit.tree();
                    path.select(tree, unit.id())
                        .into_iter()
                        .filter_map(|id| tree.node(id).as_str().map(str::to_string))
                        .collect()
                }
                FixFrom::Fact(path) => {
                    if self.facts.is_none() {
                        self.facts = Some(Tree::from_value(&self.document.facts));
                    }
                    let given = Tree::from_value(self.given);
                    let mut found = Vec::new();
                    for tree in self.facts.iter().chain([&given]) {
                        found.extend(
                            path.select(tree, 0)
                                .into_iter()
                                .filter_map(|id| tree.node(id).as_str().map(str::to_string)),
                        );
                        if !found.is_empty() {
                            break;
                        }
                    }
                    found
                }
            };
            let mapped: std::collections::BTreeSet<String> = found
                .iter()
                .filter(|v| !is_partly_unknown(v))
                .filter_map(|v| source.map(v))
                .collect();
            match mapped.len() {
                0 => continue,
                1 => return mapped.into_iter().next(),
                _ => return None,
            }
        }
        None
    }

    /// Where to point for a node: at itself when it fits on one line; a container over several
    /// lines at its `Sid` (a statement), else at its key (`"Action"`), else at its opening bracket.
    fn anchor(&self, node: NodeRef) -> Span {
        let whole = node.value_span();
        let one_line = self
            .text
            .get(whole.start..whole.end)
            .is_none_or(|t| memchr::memchr(b'\n', t.as_bytes()).is_none());
        if one_line || !node.is_container() {
            return whole;
        }
        let sid = (node.kind() == Kind::Object).then(|| node.get("Sid")).flatten();
        sid.map(NodeRef::value_span)
            .or_else(|| node.key_span())
            .unwrap_or_else(|| whole.head(self.text))
    }

    /// The span a finding on a tested node points at.
    fn span_of(&self, node: &Tested) -> Span {
        if node.on_key {
            if let Some(key) = node.node.key_span() {
                return key;
            }
        }
        self.anchor(node.node)
    }

    fn clause_holds(&mut self, clause: &'a Clause, unit: NodeRef<'a>) -> bool {
        let (tree, start, ids): (&Tree, NodeId, Cow<[NodeId]>) = if clause.of_facts {
            if self.facts.is_none() {
                self.facts = Some(Tree::from_value(&self.document.facts));
            }
            let Some(facts) = self.facts.as_ref() else {
                return false;
            };
            (facts, 0, Cow::Owned(clause.path.select(facts, 0)))
        } else {
            let range = self.cache.select(&clause.path, unit.tree(), unit.id());
            let ids = &self.cache.results[range];
            let tree = unit.tree();
            let answers = &mut self.answers;
            return quantify_with(clause, tree, unit.id(), ids, &mut |p, value, node| {
                answers.decide(p, value, node)
            });
        };
        quantify(clause, tree, start, &ids)
    }

    /// The value a test sees for a selected node: the value or key, normalized; `None` for a
    /// node that `skip` leaves out (or a key test on a node without a key).
    fn tested(&mut self, check: &'a Check, unit: NodeRef<'a>, id: NodeId, on: Target) -> Option<Tested<'a>> {
        let node = unit.tree().node(id);
        let tested = match on {
            Target::Value => Tv::Node(node),
            Target::Key => Tv::Text(Cow::Borrowed(node.written_key().or_else(|| path_key(node, unit))?)),
        };
        let tested = normalize(tested, check);
        // A node that may match `skip` is skipped.
        if check
            .skip
            .as_ref()
            .is_some_and(|skip: &'a Predicate| self.answers.decide(skip, &tested, node) != Some(false))
        {
            return None;
        }
        Some(Tested {
            node,
            on_key: on == Target::Key,
            tested,
        })
    }

    fn node_facts(&self, unit: NodeRef, node: &Tested, span: Span) -> Facts {
        Facts {
            pointer: node.node.pointer(),
            value: Some(self.display_value(node, span)),
            key: node
                .node
                .written_key()
                .or_else(|| path_key(node.node, unit))
                .map(json_string),
            ..Facts::default()
        }
    }

    /// A value as JSON; one with unknown parts as written in the file (`"${var.arn}"`).
    fn display_value(&self, node: &Tested, span: Span) -> String {
        match node.tested.as_str() {
            Some(text) if is_partly_unknown(text) => json_string(self.written(span)),
            Some(text) => json_string(text),
            None => {
                let json = match &node.tested {
                    Tv::Node(n) => n.to_value().to_string(),
                    Tv::Text(t) => Value::String(t.to_string()).to_string(),
                };
                match json.char_indices().nth(120) {
                    Some((cut, _)) => format!("{}…", &json[..cut]),
                    None => json,
                }
            }
        }
    }

    /// A string value as the file writes it, without its quotes (`${var.stage}Send`).
    fn written(&self, span: Span) -> &'a str {
        let written = self.text.get(span.start..span.end).unwrap_or_default();
        written.trim_matches(|c| c == '"' || c == '\\')
    }

    fn finding(
        &self,
        rule: &'a Rule,
        check: &'a Check,
        span: Span,
        facts: &Facts,
        mut related: Vec<(Span, String)>,
    ) -> Finding {
        let lookup = |v: &str| self.lookup(v, facts);
        // The other resource of a cross-resource finding (`related`, `related-label`).
        if let (Some((path, label)), Some(tree)) = (&check.related, self.tree) {
            let label = label.as_ref().map(|t| t.render(&lookup)).unwrap_or_default();
            for id in path.select(tree, tree.root().id()) {
                related.push((tree.node(id).value_span(), label.clone()));
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
            fix: None,
        }
    }

    /// The non-empty Sid of statement `index` (0-based), if it has one.
    fn sid_of(&self, index: &str) -> Option<&'a str> {
        let index = parse_index(index)?;
        self.tree?
            .root()
            .get("Statement")?
            .item(index)?
            .get("Sid")?
            .as_str()
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
            "match" => facts
                .matched
                .as_ref()
                .and_then(|(pattern, text)| pattern.regex()?.find(text))
                .map(|found| json_string(found.as_str())),
            "expected" => facts.expected.clone(),
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
        let sid = self.sid_of(&index.to_string());
        match sid {
            // A Sid built from references is shown as the source writes it.
            Some(sid) if is_partly_unknown(sid) => {
                let written = self
                    .tree
                    .and_then(|tree| tree.root().get("Statement")?.item(index)?.get("Sid"))
                    .map_or(sid, |node| self.written(node.value_span()));
                format!("statement {}", json_string(written))
            }
            Some(sid) => format!("statement {}", json_string(sid)),
            None => format!("statement {}", index + 1),
        }
    }
}

/// An array index token of a JSON pointer, as serde_json reads one.
fn parse_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

fn normalize<'v>(value: Tv<'v>, check: &Check) -> Tv<'v> {
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
    Tv::Text(Cow::Owned(text))
}

fn extract_field(text: &str, extract: &Extract) -> Option<String> {
    match extract {
        Extract::Whole => Some(text.to_string()),
        Extract::Arn(field) => field.of(text).map(str::to_string),
        Extract::Capture(pattern) => pattern.first_group(text).map(str::to_string),
    }
}

/// Whether a clause holds over the nodes `ids` its path selected from `start`.
pub(super) fn quantify(clause: &Clause, tree: &Tree, start: NodeId, ids: &[NodeId]) -> bool {
    quantify_with(clause, tree, start, ids, &mut decide)
}

/// [`quantify`], with `decide` answering for each value.
fn quantify_with<'t, 'c>(
    clause: &'c Clause,
    tree: &'t Tree,
    start: NodeId,
    ids: &[NodeId],
    decide: &mut dyn FnMut(&'c Predicate, &Tv<'t>, NodeRef<'t>) -> Option<bool>,
) -> bool {
    let start = tree.node(start);
    let value = |id: &NodeId| -> Tv {
        let node = tree.node(*id);
        match clause.on {
            Target::Value => Tv::Node(node),
            Target::Key => Tv::Text(Cow::Borrowed(
                node.written_key().or_else(|| path_key(node, start)).unwrap_or_default(),
            )),
        }
    };
    let mut decide = |p: &'c Predicate, id: &NodeId| decide(p, &value(id), tree.node(*id));
    // A value that cannot be known may match or not: a clause that depends on it does not
    // hold, so that the rule stays silent. Presence does not depend on the value.
    match &clause.quantifier {
        Quantifier::Any(p) => ids.iter().any(|id| decide(p, id) == Some(true)),
        Quantifier::All(p) => !ids.is_empty() && ids.iter().all(|id| decide(p, id) == Some(true)),
        Quantifier::None(p) => ids.iter().all(|id| decide(p, id) == Some(false)),
        Quantifier::Present(present) => ids.is_empty() != *present,
    }
}

/// The condition operator a node is under: the key of the member of `Condition` that it is or
/// that holds it.
fn operator_of<'t>(node: NodeRef<'t>) -> Option<&'t str> {
    let mut at = node;
    loop {
        let parent = at.parent()?;
        if parent.key() == Some("Condition") {
            return at.key();
        }
        at = parent;
    }
}

/// A predicate's answer for a value (of `node`) that may hold unknown parts (see `unknown.rs`);
/// `None` when the answer depends on them.
fn decide(predicate: &Predicate, value: &Tv, node: NodeRef) -> Option<bool> {
    let operator = if predicate.needs_operator() {
        operator_of(node)
    } else {
        None
    };
    // The usual tree holds no unknown part: no value needs searching for one.
    if node.tree().is_known() {
        return Some(predicate.matches(Subject {
            operator,
            ..value.subject()
        }));
    }
    match value.as_str() {
        Some(text) => unknown::decide(text, |t| {
            predicate.matches(Subject {
                operator,
                ..Subject::string(t)
            })
        }),
        None => Some(predicate.matches(Subject {
            operator,
            ..value.subject()
        })),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ContextHint;

    /// The `Service` principal of a fixture's first statement.
    fn principal_of(fixture: &str) -> String {
        let path = format!("{}/fixtures/json/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let policy: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        policy["Statement"][0]["Principal"]["Service"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A policy of `n` Cognito statements with defects of statement and document rules spread
    /// through it (legacy principal, unknown action, repeated Sid, placeholder).
    fn policy(n: usize) -> String {
        let current = principal_of("COG001-legacy-cognito-principal/clean.json");
        let legacy = principal_of("COG001-legacy-cognito-principal/fires.json");
        let statements: Vec<String> = (0..n)
            .map(|i| {
                let principal = if i % 7 == 0 { &legacy } else { &current };
                let action = if i % 11 == 0 { "ses:SendMail" } else { "ses:SendEmail" };
                let sid = if i % 13 == 0 { "Repeated".to_string() } else { format!("S{i}") };
                let account = if i % 17 == 0 { "<ACCOUNT_ID>" } else { "111111111111" };
                format!(
                    r#"{{"Sid":"{sid}","Effect":"Allow","Principal":{{"Service":"{principal}"}},"Action":["{action}","ses:SendRawEmail"],"Resource":"arn:aws:ses:us-east-1:111111111111:identity/example.com","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}},"ArnLike":{{"aws:SourceArn":"arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_P{i}"}}}}}}"#
                )
            })
            .collect();
        format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
    }

    #[test]
    fn statements_shared_out_among_threads_give_the_findings_of_one_thread() {
        let rules = RuleSet::builtin().unwrap();
        let text = policy(300);
        let document = PolicyDocument::from_json(&text, ContextHint::SesIdentityPolicy);
        let alone = check_split(&FileRules::all(&rules), &document, &text, None);
        let codes: HashSet<&str> = alone.iter().map(|f| f.code.as_str()).collect();
        for code in ["COG001", "SES007", "SES008", "SES010"] {
            assert!(codes.contains(code), "{code} in {codes:?}");
        }
        for split in [1, 7, 64, 1000] {
            assert_eq!(
                check_split(&FileRules::all(&rules), &document, &text, Some(split)),
                alone,
                "runs of {split}"
            );
        }
    }
}
