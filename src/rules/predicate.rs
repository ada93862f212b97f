//! The closed set of tests a rule can apply to a value.
//!
//! Rules are data; everything they can express is here, in Rust, documented in README.md
//! ("Writing a rule"). A predicate is built once when the rule loads and then only matched.
//! It tests a [`Subject`]: a JSON type and, for a string, a borrowed `&str`. Option sets are
//! prepared at load ([`Predicate::prepared`]): large `equals` and `covers` sets are hashed, with
//! their options case-folded once when the test ignores case, so that a test allocates nothing
//! (ASCII text is folded in a buffer on the stack).
//!
//! A regular expression is a [`Pattern`]: compiled on its first use, not when the rule loads
//! (building the automata of some sixty patterns with Unicode classes was most of a one-file
//! run's start-up), and shared by every rule of the set that spells it the same way. A built-in
//! pattern is not compiled at all to answer whether it matches: its DFA was built ahead of time
//! (`snapshot.rs`); only a capture group compiles the regex. The loader
//! still refuses a pattern that does not parse, with its span in the rule file (see
//! [`super::RuleSet::load`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};
use regex_automata::dfa::{sparse, Automaton};
use regex_automata::Input;
use serde::{Deserialize, Serialize};

use super::hash::FastSet;
use super::memo;
use super::operator::OperatorTest;
use super::schema::JsonType;

/// Sets with more options than this are hashed.
const HASH_FROM: usize = 8;

/// Texts up to this length are case-folded on the stack for a lookup.
const FOLD_BUFFER: usize = 256;

/// What a predicate tests: a value's JSON type and, for a string, its text; and the condition
/// operator the value is under, when a test asks for it ([`Predicate::needs_operator`]).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub json_type: JsonType,
    pub text: Option<&'a str>,
    pub operator: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn string(text: &'a str) -> Self {
        Subject {
            json_type: JsonType::String,
            text: Some(text),
            operator: None,
        }
    }
}

/// Limits on a rule's regular expressions, so that a rule cannot make the run crawl.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule's regular expression, compiled when first used; clones share the compiled form.
#[derive(Debug, Clone)]
pub struct Pattern(Arc<PatternInner>);

#[derive(Debug)]
struct PatternInner {
    /// Unique among the patterns of the process, for the memo of answers (`memo.rs`).
    id: u32,
    text: Box<str>,
    groups: usize,
    /// A DFA built ahead of time for a built-in pattern (`snapshot.rs`), as bytes read on first
    /// use: it answers whether the pattern matches without compiling it. Captures still compile
    /// [`PatternInner::regex`].
    dfa_bytes: Option<&'static [u8]>,
    dfa: OnceLock<Option<Dfa>>,
    /// How many searches the DFA has answered (up to [`DFA_SEARCHES`]).
    dfa_searches: AtomicU32,
    regex: OnceLock<Option<Regex>>,
}

/// A DFA read in place from the rule-set snapshot embedded in the binary.
pub type Dfa = sparse::DFA<&'static [u8]>;

/// A pattern's DFA answers this many searches; after them the regex is compiled and answers.
/// A sparse DFA costs nothing to build but searches slower than the regex's engines (in a
/// policy of 20,000 statements it was a third of the run): a small run never pays for the
/// compilation, a large one pays for it once.
const DFA_SEARCHES: u32 = 256;

impl Pattern {
    /// A pattern that is parsed now (a syntax error is returned, worded as `regex` words it) and
    /// compiled on first use.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let hir = regex_syntax::Parser::new()
            .parse(text)
            .map_err(|e| format!("invalid regular expression: {e}"))?;
        let groups = hir.properties().explicit_captures_len();
        Ok(Pattern::prepared(text, groups, super::snapshot::dfa(text)))
    }

    /// A pattern whose text is known to parse, with `groups` capture groups and, for a built-in
    /// one, its DFA's bytes.
    pub(super) fn prepared(text: &str, groups: usize, dfa_bytes: Option<&'static [u8]>) -> Pattern {
        static NEXT_ID: AtomicU32 = AtomicU32::new(1);
        Pattern(Arc::new(PatternInner {
            // After four billion patterns (never, in one run), ids wrap to 0: not memoized.
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            text: text.into(),
            groups,
            dfa_bytes,
            dfa: OnceLock::new(),
            dfa_searches: AtomicU32::new(0),
            regex: OnceLock::new(),
        }))
    }

    /// Compiles the pattern now, so that a pattern over the size limits is a load error.
    pub fn compile(&self) -> Result<&Regex, String> {
        match self.regex() {
            Some(regex) => Ok(regex),
            None => Err(build(&self.0.text).err().unwrap_or_default()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The DFA built ahead of time, read on first use; `None` for a pattern without one or one
    /// this machine cannot read (another byte order: the regex answers then).
    fn dfa(&self) -> Option<&Dfa> {
        let bytes = self.0.dfa_bytes?;
        self.0.dfa.get_or_init(|| read_dfa(bytes)).as_ref()
    }

    #[cfg(test)]
    pub(super) fn has_dfa(&self) -> bool {
        self.dfa().is_some()
    }

    /// The number of explicit capture groups.
    pub fn groups(&self) -> usize {
        self.0.groups
    }

    /// The compiled expression; `None` only for a pattern over the size limits, which the loader
    /// rules out for user rules and a test for the built-in ones (it then matches nothing).
    pub fn regex(&self) -> Option<&Regex> {
        self.0.regex.get_or_init(|| build(&self.0.text).ok()).as_ref()
    }

    pub fn is_match(&self, text: &str) -> bool {
        memo::answer(self.0.id, text, || {
            let searches = &self.0.dfa_searches;
            let by_dfa = if searches.load(Ordering::Relaxed) < DFA_SEARCHES {
                searches.fetch_add(1, Ordering::Relaxed);
                self.dfa().and_then(|dfa| dfa_matches(dfa, text))
            } else {
                None
            };
            by_dfa.unwrap_or_else(|| self.regex().is_some_and(|r| r.is_match(text)))
        })
    }

    /// The text of the first capture group in `text`.
    pub fn first_group<'t>(&self, text: &'t str) -> Option<&'t str> {
        let found = memo::group(self.0.id, text, || {
            let group = self.regex()?.captures(text)?.get(1)?;
            Some((group.start(), group.end()))
        });
        found.and_then(|(start, end)| text.get(start..end))
    }
}

/// Reads a DFA of the rule-set snapshot compiled into this binary, without validating its
/// transitions: validating them was a fifth of a one-file run (the pre-commit case).
fn read_dfa(bytes: &'static [u8]) -> Option<Dfa> {
    // SAFETY: `bytes` come only from `snapshot::dfa`, which gives the DFAs of the snapshot that
    // `include_bytes!` embeds, and only when the snapshot is current: written by
    // `to_bytes_little_endian` of the regex-automata version that Cargo.lock pins (the
    // fingerprint covers Cargo.lock, the rule files and the sources of the compiled form). The
    // test `snapshot::tests::every_embedded_dfa_is_valid` validates every one of these bytes in
    // full. The basic checks of the header, the byte order and the lengths still run here (a
    // machine of the other byte order gets an error, and the regex answers).
    unsafe { Dfa::from_bytes_unchecked(bytes) }.ok().map(|(dfa, _)| dfa)
}

/// Whether `dfa` matches somewhere in `text`, as [`Regex::is_match`] answers; `None` if the
/// search gave up (it does not: the snapshot's DFAs have no quit bytes).
pub(super) fn dfa_matches(dfa: &Dfa, text: &str) -> Option<bool> {
    dfa.try_search_fwd(&Input::new(text).earliest(true))
        .ok()
        .map(|found| found.is_some())
}

fn build(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// A compiled [`super::schema::PredicateSpec`]: all its parts must hold. Names it uses (value
/// sets, patterns, named predicates, tables) are resolved when it is compiled.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Predicate {
    pub(super) equals: Option<Vec<String>>,
    pub(super) prefix: Option<Vec<String>>,
    pub(super) regex: Option<Pattern>,
    pub(super) glob: Option<Vec<String>>,
    pub(super) covers: Option<Vec<String>>,
    pub(super) ignore_case: bool,
    pub(super) json_type: Option<JsonType>,
    pub(super) not: Option<Box<Predicate>>,
    pub(super) any_of: Option<Vec<Predicate>>,
    /// Named predicates (`is`) and table keys (`key-of`), each of which must hold.
    pub(super) all_of: Vec<Predicate>,
    pub(super) operator: Option<OperatorTest>,
    /// Some part tests the condition operator: the evaluator then finds it for the subject.
    pub(super) needs_operator: bool,
    /// `equals` hashed (ASCII-folded when ignoring case), for large sets.
    #[serde(serialize_with = "super::snapshot::sorted_set")]
    pub(super) equals_set: Option<FastSet<Box<str>>>,
    /// `covers` hashed (lower-cased when ignoring case), for large sets.
    #[serde(serialize_with = "super::snapshot::sorted_set")]
    pub(super) covers_set: Option<FastSet<Box<str>>>,
}

/// `text` folded into `buffer` when it is short ASCII; `None` otherwise.
fn ascii_folded<'b>(text: &str, buffer: &'b mut [u8; FOLD_BUFFER]) -> Option<&'b str> {
    if !text.is_ascii() || text.len() > FOLD_BUFFER {
        return None;
    }
    let out = &mut buffer[..text.len()];
    out.copy_from_slice(text.as_bytes());
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}

impl Predicate {
    /// The predicate with its large option sets hashed (done once, when a rule loads).
    pub fn prepared(mut self) -> Self {
        let ic = self.ignore_case;
        if let Some(options) = self.equals.as_ref().filter(|o| o.len() > HASH_FROM) {
            let fold = |o: &String| -> Box<str> {
                if ic {
                    o.to_ascii_lowercase().into()
                } else {
                    o.as_str().into()
                }
            };
            self.equals_set = Some(options.iter().map(fold).collect());
        }
        if let Some(names) = self.covers.as_ref().filter(|o| o.len() > HASH_FROM) {
            let fold = |o: &String| -> Box<str> {
                if ic {
                    o.to_lowercase().into()
                } else {
                    o.as_str().into()
                }
            };
            self.covers_set = Some(names.iter().map(fold).collect());
        }
        self.not = self.not.map(|p| Box::new(p.prepared()));
        self.any_of = self.any_of.map(|ps| ps.into_iter().map(Predicate::prepared).collect());
        self.all_of = self.all_of.into_iter().map(Predicate::prepared).collect();
        self.needs_operator = self.operator.is_some()
            || self.not.as_ref().is_some_and(|p| p.needs_operator)
            || self.any_of.iter().flatten().any(|p| p.needs_operator)
            || self.all_of.iter().any(|p| p.needs_operator);
        self
    }

    /// Whether a test needs the condition operator of its subject.
    pub fn needs_operator(&self) -> bool {
        self.needs_operator
    }

    pub fn matches(&self, subject: Subject) -> bool {
        if let Some(expected) = self.json_type {
            if subject.json_type != expected {
                return false;
            }
        }
        let string_tests = self.equals.is_some()
            || self.prefix.is_some()
            || self.regex.is_some()
            || self.glob.is_some()
            || self.covers.is_some();
        if string_tests {
            let Some(text) = subject.text else {
                return false;
            };
            if !self.matches_str(text) {
                return false;
            }
        }
        if let Some(not) = &self.not {
            if not.matches(subject) {
                return false;
            }
        }
        if let Some(any_of) = &self.any_of {
            if !any_of.iter().any(|p| p.matches(subject)) {
                return false;
            }
        }
        if let Some(test) = &self.operator {
            if !subject.operator.is_some_and(|o| test.matches(o)) {
                return false;
            }
        }
        self.all_of.iter().all(|p| p.matches(subject))
    }

    fn equals_any(&self, options: &[String], text: &str) -> bool {
        let ic = self.ignore_case;
        if let Some(set) = &self.equals_set {
            if !ic {
                return set.contains(text);
            }
            let mut buffer = [0u8; FOLD_BUFFER];
            if let Some(folded) = ascii_folded(text, &mut buffer) {
                return set.contains(folded);
            }
        }
        options
            .iter()
            .any(|o| if ic { o.eq_ignore_ascii_case(text) } else { o == text })
    }

    /// Whether `text`, read as an IAM wildcard pattern, matches one of `names`.
    fn covers_any(&self, names: &[String], text: &str) -> bool {
        let ic = self.ignore_case;
        if let Some(set) = self.covers_set.as_ref().filter(|_| !text.contains(['*', '?'])) {
            // Without wildcards the pattern is a plain comparison (see `wildcard_match`).
            if !ic {
                return set.contains(text);
            }
            let mut buffer = [0u8; FOLD_BUFFER];
            return match ascii_folded(text, &mut buffer) {
                Some(folded) => set.contains(folded),
                None => set.contains(text.to_lowercase().as_str()),
            };
        }
        names.iter().any(|n| wildcard_match(text, n, ic))
    }

    fn matches_str(&self, text: &str) -> bool {
        let ic = self.ignore_case;
        if let Some(options) = &self.equals {
            if !self.equals_any(options, text) {
                return false;
            }
        }
        if let Some(prefixes) = &self.prefix {
            let hit = prefixes.iter().any(|p| {
                text.get(..p.len())
                    .is_some_and(|head| if ic { head.eq_ignore_ascii_case(p) } else { head == p })
            });
            if !hit {
                return false;
            }
        }
        if let Some(pattern) = &self.regex {
            if !pattern.is_match(text) {
                return false;
            }
        }
        if let Some(patterns) = &self.glob {
            if !patterns.iter().any(|p| wildcard_match(p, text, ic)) {
                return false;
            }
        }
        if let Some(names) = &self.covers {
            if !self.covers_any(names, text) {
                return false;
            }
        }
        true
    }

    /// For a failed `equals` (or `operator` test): the option the value most likely meant.
    pub fn suggestion(&self, text: &str) -> Option<&str> {
        match (&self.equals, &self.operator) {
            (Some(options), _) => nearest(text, options),
            (None, Some(test)) => test.operators.suggestion(text),
            (None, None) => None,
        }
    }
}

/// IAM wildcard matching: `*` matches any run of characters, `?` exactly one.
/// Greedy with a single backtrack point, so it runs in O(pattern × text) at worst. Without
/// wildcards it is a plain comparison; ASCII text (nearly every action and ARN) is matched
/// byte by byte without allocating.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        return if ignore_case {
            // Unicode folding (the Kelvin sign is a `k`) allocates: only for non-ASCII text.
            pattern.eq_ignore_ascii_case(text)
                || (!(pattern.is_ascii() && text.is_ascii()) && pattern.to_lowercase() == text.to_lowercase())
        } else {
            pattern == text
        };
    }
    if pattern.is_ascii() && text.is_ascii() {
        let fold = |b: u8| if ignore_case { b.to_ascii_lowercase() } else { b };
        return match_units(
            pattern.as_bytes(),
            text.as_bytes(),
            |p, t| fold(p) == fold(t),
            b'*',
            b'?',
        );
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| {
        if ignore_case {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    match_units(&pattern, &text, same, '*', '?')
}

fn match_units<T: Copy + PartialEq>(pattern: &[T], text: &[T], same: impl Fn(T, T) -> bool, star: T, one: T) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == one || (pattern[p] != star && same(pattern[p], text[t]))) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == star {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star_at, matched)) = backtrack {
            p = star_at + 1;
            t = matched + 1;
            backtrack = Some((star_at, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == star)
}

/// The option closest to `text`: a case-insensitive match, else one within a small edit distance.
pub fn nearest<'a>(text: &str, options: &'a [String]) -> Option<&'a str> {
    if let Some(exact) = options.iter().find(|o| o.eq_ignore_ascii_case(text)) {
        return Some(exact);
    }
    let lower = text.to_lowercase();
    let limit = (text.chars().count() / 3).max(2);
    options
        .iter()
        .map(|o| (edit_distance(&lower, &o.to_lowercase()), o))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o.as_str())
}

/// Levenshtein distance over characters, in O(a × b) time and O(b) space.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_iam() {
        assert!(wildcard_match("ses:Send*", "ses:SendRawEmail", false));
        assert!(wildcard_match("ses:*", "ses:SendEmail", false));
        assert!(wildcard_match("*", "anything", false));
        assert!(wildcard_match("ses:Send?mail", "ses:SendEmail", false));
        assert!(!wildcard_match("ses:Send", "ses:SendEmail", false));
        assert!(wildcard_match("SES:sendemail", "ses:SendEmail", true));
        assert!(!wildcard_match("SES:sendemail", "ses:SendEmail", false));
        assert!(wildcard_match("a*b*c", "aXbYbZc", false));
    }

    #[test]
    fn suggests_the_nearest_option() {
        let options: Vec<String> = ["Version", "Id", "Statement"].map(String::from).to_vec();
        assert_eq!(nearest("Statment", &options), Some("Statement"));
        assert_eq!(nearest("version", &options), Some("Version"));
        assert_eq!(nearest("Banana", &options), None);
    }

    #[test]
    fn string_tests_fail_on_other_types() {
        let p = Predicate {
            equals: Some(vec!["Allow".into()]),
            ..Default::default()
        };
        assert!(p.matches(Subject::string("Allow")));
        let boolean = Subject {
            json_type: JsonType::Bool,
            text: None,
            operator: None,
        };
        assert!(!p.matches(boolean));
    }

    #[test]
    fn hashed_sets_agree_with_the_lists() {
        let names: Vec<String> = (0..40).map(|i| format!("ses:Action{i}")).collect();
        for ic in [false, true] {
            let plain = Predicate {
                equals: Some(names.clone()),
                ignore_case: ic,
                ..Default::default()
            };
            let covering = Predicate {
                covers: Some(names.clone()),
                ignore_case: ic,
                ..Default::default()
            };
            let (hashed, hashed_covering) = (
                Predicate {
                    equals: Some(names.clone()),
                    ignore_case: ic,
                    ..Default::default()
                }
                .prepared(),
                Predicate {
                    covers: Some(names.clone()),
                    ignore_case: ic,
                    ..Default::default()
                }
                .prepared(),
            );
            assert!(hashed.equals_set.is_some() && hashed_covering.covers_set.is_some());
            for text in [
                "ses:Action3",
                "SES:action3",
                "ses:Action",
                "ses:Action*",
                "ses:Ac?ion12",
                "x",
                "\u{212a}",
            ] {
                let s = Subject::string(text);
                assert_eq!(plain.matches(s), hashed.matches(s), "{text} {ic}");
                assert_eq!(covering.matches(s), hashed_covering.matches(s), "{text} {ic}");
            }
        }
    }
}
