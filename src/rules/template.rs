//! Message templates: rule text with `{placeholders}` filled in per finding.
//!
//! Placeholders are checked when the rule loads, so a typo in a rule file is a load error
//! rather than a message with a hole in it.

use serde::{Deserialize, Serialize};

/// The placeholders a message, help or label may use.
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "statement",
        "the statement: `statement \"Sid\"`, or `statement N` (1-based) without a Sid",
    ),
    ("value", "the tested value, as JSON"),
    ("key", "the key the tested value is stored under, as written, as JSON"),
    (
        "did_you_mean",
        "`; did you mean \"X\"?` when a near option exists, else nothing",
    ),
    (
        "match",
        "forbid with a regex: the part of the value it matched, as JSON",
    ),
    ("left", "compare: the left-hand value, as JSON"),
    (
        "expected",
        "compare with a table: the values it allows for the right-hand value, as JSON",
    ),
    ("right", "compare: the right-hand value, as JSON"),
    ("detail", "source checks: what the parser found"),
    ("size", "source checks: the policy's size in bytes"),
    ("limit", "source checks: the size limit in bytes"),
];

/// The placeholders a fix's templates may use besides [`VARIABLES`] and its named `values`.
pub const FIX_VARIABLES: &[(&str, &str)] = &[
    ("text", "the tested value or key, as it is (not as JSON)"),
    ("text_trimmed", "the tested text without white space at its ends"),
    ("text_suffix", "the tested text after its first `:`"),
    ("parent_key", "the key of the member that holds the node, as written"),
];

#[derive(Debug, Clone, Serialize)]
enum Part {
    Text(String),
    Var(&'static str),
    Named(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template(Vec<Part>);

/// A [`Part`] as a rule-set snapshot holds it: a placeholder's name is read back as the name in
/// [`VARIABLES`] or [`FIX_VARIABLES`] it was written from.
#[derive(Deserialize)]
enum WrittenPart {
    Text(String),
    Var(String),
    Named(String),
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Part, D::Error> {
        Ok(match WrittenPart::deserialize(deserializer)? {
            WrittenPart::Text(text) => Part::Text(text),
            WrittenPart::Named(name) => Part::Named(name),
            WrittenPart::Var(name) => Part::Var(
                VARIABLES
                    .iter()
                    .chain(FIX_VARIABLES)
                    .map(|(known, _)| *known)
                    .find(|known| *known == name)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown placeholder `{name}`")))?,
            ),
        })
    }
}

impl Template {
    /// Parses a template: `{name}` is a placeholder, `{{` and `}}` are literal braces, and any
    /// other brace is text (so help may quote JSON). Errors carry a byte range.
    pub fn parse(text: &str) -> Result<Template, (String, std::ops::Range<usize>)> {
        Template::parse_with(text, None)
    }

    /// A fix's template: also [`FIX_VARIABLES`] and the fix's own value names.
    pub fn parse_fix(text: &str, names: &[String]) -> Result<Template, (String, std::ops::Range<usize>)> {
        Template::parse_with(text, Some(names))
    }

    fn parse_with(text: &str, names: Option<&[String]>) -> Result<Template, (String, std::ops::Range<usize>)> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|&(_, c)| c) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|&(_, c)| c) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    // Only `{identifier}` is a placeholder; other braces (JSON in help text) are text.
                    let close = text[i..].find('}').map(|c| i + c);
                    let name = close
                        .map(|c| &text[i + 1..c])
                        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
                    let (Some(close), Some(name)) = (close, name) else {
                        literal.push('{');
                        continue;
                    };
                    let fix = names.map_or(&[][..], |_| FIX_VARIABLES);
                    if let Some(named) = names.into_iter().flatten().find(|n| *n == name) {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                        parts.push(Part::Named(named.clone()));
                        while rest.peek().is_some_and(|&(j, _)| j <= close) {
                            rest.next();
                        }
                        continue;
                    }
                    let Some(&(var, _)) = VARIABLES.iter().chain(fix).find(|(v, _)| *v == name) else {
                        let mut known: Vec<&str> = VARIABLES.iter().chain(fix).map(|(v, _)| *v).collect();
                        known.extend(names.into_iter().flatten().map(String::as_str));
                        return Err((
                            format!("unknown placeholder `{{{name}}}`; known: {}", known.join(", ")),
                            i..close + 1,
                        ));
                    };
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                    parts.push(Part::Var(var));
                    while rest.peek().is_some_and(|&(j, _)| j <= close) {
                        rest.next();
                    }
                }
                c => literal.push(c),
            }
        }
        parts.push(Part::Text(literal));
        Ok(Template(parts))
    }

    /// Fills in the template; `lookup` answers each placeholder (unknown ones render as `?`).
    pub fn render(&self, lookup: &dyn Fn(&str) -> Option<String>) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(&lookup(v).unwrap_or_else(|| "?".into())),
                Part::Named(v) => out.push_str(&lookup(v).unwrap_or_else(|| "?".into())),
            }
        }
        out
    }

    /// Fills in the template, or `None` when a placeholder has no value (a fix is then not
    /// offered rather than written with a hole in it).
    pub fn render_all(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => out.push_str(&lookup(v)?),
                Part::Named(v) => out.push_str(&lookup(v)?),
            }
        }
        Some(out)
    }

    /// The first literal text of the template (for style checks on messages).
    pub fn leading_text(&self) -> &str {
        match self.0.iter().find(|p| !matches!(p, Part::Text(t) if t.is_empty())) {
            Some(Part::Text(t)) => t,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders_and_escaped_braces() {
        let t = Template::parse("{statement} grants {value} {{ok}}").unwrap();
        let out = t.render(&|v| Some(format!("<{v}>")));
        assert_eq!(out, "<statement> grants <value> {ok}");
    }

    #[test]
    fn json_braces_are_text() {
        let t = Template::parse(r#"add {"aws:SourceAccount": "1"} to {statement}"#).unwrap();
        assert_eq!(
            t.render(&|_| Some("S".into())),
            r#"add {"aws:SourceAccount": "1"} to S"#
        );
    }

    #[test]
    fn rejects_unknown_placeholders_with_their_range() {
        let (message, range) = Template::parse("x {nope} y").unwrap_err();
        assert!(message.contains("unknown placeholder `{nope}`"));
        assert_eq!(range, 2..8);
    }
}
