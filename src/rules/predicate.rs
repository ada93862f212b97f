//! The closed set of tests a rule can apply to a value.
//!
//! Rules are data; everything they can express is here, in Rust, documented in README.md
//! ("Writing a rule"). A predicate is built once when the rule loads and then only matched.

use regex::Regex;
use serde_json::Value;

use super::schema::JsonType;

/// A compiled [`super::schema::PredicateSpec`]: all its parts must hold.
#[derive(Debug, Default)]
pub struct Predicate {
    pub(super) equals: Option<Vec<String>>,
    pub(super) prefix: Option<Vec<String>>,
    pub(super) regex: Option<Regex>,
    pub(super) glob: Option<Vec<String>>,
    pub(super) covers: Option<Vec<String>>,
    pub(super) ignore_case: bool,
    pub(super) json_type: Option<JsonType>,
    pub(super) not: Option<Box<Predicate>>,
    pub(super) any_of: Option<Vec<Predicate>>,
}

impl Predicate {
    pub fn matches(&self, value: &Value) -> bool {
        if let Some(expected) = self.json_type {
            if json_type(value) != expected {
                return false;
            }
        }
        let string_tests = self.equals.is_some()
            || self.prefix.is_some()
            || self.regex.is_some()
            || self.glob.is_some()
            || self.covers.is_some();
        if string_tests {
            let Some(text) = value.as_str() else {
                return false;
            };
            if !self.matches_str(text) {
                return false;
            }
        }
        if let Some(not) = &self.not {
            if not.matches(value) {
                return false;
            }
        }
        if let Some(any_of) = &self.any_of {
            if !any_of.iter().any(|p| p.matches(value)) {
                return false;
            }
        }
        true
    }

    fn matches_str(&self, text: &str) -> bool {
        let ic = self.ignore_case;
        if let Some(options) = &self.equals {
            if !options
                .iter()
                .any(|o| if ic { o.eq_ignore_ascii_case(text) } else { o == text })
            {
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
        if let Some(regex) = &self.regex {
            if !regex.is_match(text) {
                return false;
            }
        }
        if let Some(patterns) = &self.glob {
            if !patterns.iter().any(|p| wildcard_match(p, text, ic)) {
                return false;
            }
        }
        if let Some(names) = &self.covers {
            if !names.iter().any(|n| wildcard_match(text, n, ic)) {
                return false;
            }
        }
        true
    }

    /// For a failed `equals`: the option the value most likely meant.
    pub fn suggestion(&self, text: &str) -> Option<&str> {
        nearest(text, self.equals.as_deref()?)
    }
}

fn json_type(value: &Value) -> JsonType {
    match value {
        Value::Null => JsonType::Null,
        Value::Bool(_) => JsonType::Bool,
        Value::Number(_) => JsonType::Number,
        Value::String(_) => JsonType::String,
        Value::Array(_) => JsonType::Array,
        Value::Object(_) => JsonType::Object,
    }
}

/// IAM wildcard matching: `*` matches any run of characters, `?` exactly one.
/// Greedy with a single backtrack point, so it runs in O(pattern × text) at worst. Without
/// wildcards it is a plain comparison; ASCII text (nearly every action and ARN) is matched
/// byte by byte without allocating.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        return if ignore_case {
            pattern.eq_ignore_ascii_case(text) || pattern.to_lowercase() == text.to_lowercase()
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
        assert!(p.matches(&Value::String("Allow".into())));
        assert!(!p.matches(&Value::Bool(true)));
    }
}
