//! Data tables: facts that rules compare with, kept as data beside the rules rather than in a
//! rule's text or in Rust (the regions a Cognito user pool may send email through, the principal
//! it sends as). A table maps a key to a list of values; a rule names it in `compare.table` or in
//! a predicate's `key-of`. Data files, where tables are defined with the other definitions, are
//! read by `definitions.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One table: key -> values.
#[derive(Debug, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    /// When the facts were verified, and where they come from (shown by `seslint explain`).
    pub date: String,
    pub source: String,
    /// In key order, so that the rows read and serialize in one order.
    rows: BTreeMap<String, Vec<String>>,
}

impl Table {
    pub fn new(name: &str, date: &str, source: &str, rows: impl IntoIterator<Item = (String, Vec<String>)>) -> Table {
        Table {
            name: name.to_string(),
            date: date.to_string(),
            source: source.to_string(),
            rows: rows.into_iter().collect(),
        }
    }

    /// The values of `key`; `None` for a key the table does not know.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.rows.get(key).map(Vec::as_slice)
    }

    /// The keys with a value for which `test` holds, sorted.
    pub fn keys_where(&self, test: impl Fn(&str) -> bool) -> Vec<String> {
        self.rows
            .iter()
            .filter(|(_, values)| values.iter().any(|v| test(v)))
            .map(|(key, _)| key.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Every key with its values, sorted by key.
    pub fn rows(&self) -> Vec<(&str, &[String])> {
        self.rows.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
