//! JSONPath selection (jsonpath-rust) with the results turned into JSON pointers.
//!
//! Rules select nodes with JSONPath; the span map is keyed by JSON pointer. jsonpath-rust reports
//! each result's location as an RFC 9535 normalized path (`$['Statement'][0]`); this module is
//! the one place that converts it.

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::Value;

/// A compiled JSONPath query.
#[derive(Debug, Clone)]
pub struct Path {
    pub text: String,
    query: JpQuery,
}

/// One selected node: where it is (relative to the queried value) and what it holds.
pub struct Selected<'a> {
    /// JSON pointer relative to the queried value ("" for the value itself).
    pub pointer: String,
    /// The key of the member the node belongs to: its own key, or for a list item the list's.
    pub key: Option<String>,
    pub value: &'a Value,
}

impl Path {
    pub fn compile(text: &str) -> Result<Path, String> {
        let query = parse_json_path(text).map_err(|e| e.to_string())?;
        Ok(Path {
            text: text.to_string(),
            query,
        })
    }

    /// The root path `$`.
    pub fn root() -> Path {
        Path::compile("$").expect("`$` is a valid JSONPath")
    }

    pub fn select<'a>(&self, value: &'a Value) -> Vec<Selected<'a>> {
        // Queries that are valid at load time cannot fail here except on filter type errors,
        // which select nothing.
        let Ok(results) = js_path_process(&self.query, value) else {
            return Vec::new();
        };
        results
            .into_iter()
            .filter_map(|r| {
                let tokens = normalized_to_tokens(&r.path)?;
                // The member a node belongs to: its own key, or for a list item the list's key.
                let key = tokens.iter().rev().find_map(|t| match t {
                    Token::Key(k) => Some(k.clone()),
                    Token::Index(_) => None,
                });
                Some(Selected {
                    pointer: tokens_to_pointer(&tokens),
                    key,
                    value: r.val,
                })
            })
            .collect()
    }
}

enum Token {
    Key(String),
    Index(usize),
}

fn tokens_to_pointer(tokens: &[Token]) -> String {
    let mut pointer = String::new();
    for token in tokens {
        pointer.push('/');
        match token {
            Token::Key(k) => pointer.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Token::Index(i) => pointer.push_str(&i.to_string()),
        }
    }
    pointer
}

/// Parses an RFC 9535 normalized path (`$['a'][0]`); `None` if it is not one.
fn normalized_to_tokens(path: &str) -> Option<Vec<Token>> {
    let mut chars = path.strip_prefix('$')?.chars().peekable();
    let mut tokens = Vec::new();
    while let Some(c) = chars.next() {
        if c != '[' {
            return None;
        }
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut key = String::new();
            loop {
                match chars.next()? {
                    '\'' => break,
                    '\\' => match chars.next()? {
                        'b' => key.push('\u{8}'),
                        'f' => key.push('\u{c}'),
                        'n' => key.push('\n'),
                        'r' => key.push('\r'),
                        't' => key.push('\t'),
                        'u' => {
                            let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                            key.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        other => key.push(other),
                    },
                    other => key.push(other),
                }
            }
            tokens.push(Token::Key(key));
        } else {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            tokens.push(Token::Index(digits.parse().ok()?));
        }
        if chars.next()? != ']' {
            return None;
        }
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selections_carry_json_pointers() {
        let doc = json!({"Statement": [{"Action": ["a", "b"]}], "we/ird'k": 1});
        let path = Path::compile("$.Statement[*].Action[1]").unwrap();
        let found = path.select(&doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/Statement/0/Action/1");
        assert_eq!(found[0].value, &json!("b"));
        let odd = Path::compile("$['we/ird\\'k']").unwrap().select(&doc);
        assert_eq!(odd[0].pointer, "/we~1ird'k");
        assert_eq!(odd[0].key.as_deref(), Some("we/ird'k"));
    }

    #[test]
    fn root_selects_the_value_itself() {
        let doc = json!({"a": 1});
        let found = Path::root().select(&doc);
        assert_eq!(found[0].pointer, "");
    }

    #[test]
    fn bad_paths_are_errors() {
        assert!(Path::compile("$.[").is_err());
    }
}
