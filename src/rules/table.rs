//! Data tables: facts that rules compare with, kept as data beside the rules rather than in a
//! rule's text or in Rust (the regions a Cognito user pool may send email through, the principal
//! it sends as). A table maps a key to a list of values; a rule names it in `compare.table`.
//!
//! Tables live in `data/*.toml` beside the rule files (the built-in ones in `rules/data/`, embedded
//! at build time; a `--rules DIR` may add `DIR/data/*.toml`). A file holds an `[about]` with the
//! table's `date` and `source`, and one or more `[table.NAME]` sections. A table name defined
//! twice, or a file that does not load, is a load error that points into the file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::LoadError;
use crate::source::Span;

/// The built-in data files: (file name, text).
const BUILTIN_DATA: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_data.rs"));

/// One table: key -> values.
#[derive(Debug)]
pub struct Table {
    pub name: String,
    /// When the facts were verified, and where they come from (shown by `seslint explain`).
    pub date: String,
    pub source: String,
    rows: HashMap<String, Vec<String>>,
}

impl Table {
    /// The values of `key`; `None` for a key the table does not know.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.rows.get(key).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Every key with its values, sorted by key.
    pub fn rows(&self) -> Vec<(&str, &[String])> {
        let mut rows: Vec<(&str, &[String])> = self.rows.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
        rows.sort();
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Every table a rule set may name.
#[derive(Debug, Default)]
pub struct Tables(HashMap<String, Arc<Table>>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    about: About,
    table: BTreeMap<Spanned<String>, BTreeMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct About {
    date: String,
    source: String,
}

impl Tables {
    /// The built-in tables plus those of `DIR/data/*.toml` for each rule directory.
    pub fn load(rule_dirs: &[std::path::PathBuf]) -> Result<Tables, LoadError> {
        let mut tables = Tables::default();
        for (name, text) in BUILTIN_DATA {
            tables.add(&format!("rules/data/{name}"), text)?;
        }
        for dir in rule_dirs {
            let data = dir.join("data");
            if !data.is_dir() {
                continue;
            }
            for (path, text) in super::toml_files(&data)? {
                tables.add(&display(&path), &text)?;
            }
        }
        Ok(tables)
    }

    fn add(&mut self, display: &str, text: &str) -> Result<(), LoadError> {
        let file: DataFile = toml::from_str(text).map_err(|e| {
            let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
            LoadError::new(format!("invalid data file: {}", e.message()))
                .in_file(display, text)
                .at(span, "here")
        })?;
        for (name, rows) in file.table {
            let range = name.span();
            let name = name.into_inner();
            if self.0.contains_key(&name) {
                return Err(LoadError::new(format!("table {name:?} is defined twice"))
                    .in_file(display, text)
                    .at(Span::new(range.start, range.end), "this table")
                    .with_help("table names must be unique across data files"));
            }
            let table = Table {
                name: name.clone(),
                date: file.about.date.clone(),
                source: file.about.source.clone(),
                rows: rows.into_iter().collect(),
            };
            self.0.insert(name, Arc::new(table));
        }
        Ok(())
    }

    /// The table called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.0.get(name).cloned()
    }

    /// The names of every table, sorted (for an error that suggests one).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.0.keys().cloned().collect();
        names.sort();
        names
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_table_has_every_pool_region_of_the_guide() {
        let tables = Tables::load(&[]).unwrap();
        let regions = tables.get("cognito-ses-identity-regions").unwrap();
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
            assert_eq!(tables.get(name).unwrap().len(), 32, "{name}");
        }
    }

    #[test]
    fn a_table_defined_twice_is_a_load_error() {
        let mut tables = Tables::default();
        let text = "[about]\ndate = \"x\"\nsource = \"y\"\n[table.a]\nk = [\"v\"]\n";
        tables.add("a.toml", text).unwrap();
        let error = tables.add("b.toml", text).unwrap_err();
        assert!(error.to_string().contains("defined twice"), "{error}");
    }
}
