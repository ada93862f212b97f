//! Condition operators as structured data, so that a rule asks "a String operator, without
//! `IfExists`" instead of listing thirty-six names.
//!
//! IAM builds an operator from a base (`StringLike`, `ArnEquals`, `Null`), an optional
//! `IfExists` suffix and an optional `ForAnyValue:` / `ForAllValues:` qualifier. The bases and
//! their families come from the data files (`[operator.FAMILY]` with `positive` and `negated`
//! bases; README, "Definitions"); this module only parses an operator's name against them. A
//! predicate's `operator = { ... }` test ([`OperatorTest`]) is resolved at load: families become
//! indexes, and a test looks the base up in one hash map without allocating.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::hash::FastMap;
use super::predicate::nearest;
use super::schema::Qualifier;

/// Every operator base the data files define, by family.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Operators {
    /// Base name -> (family index, negated).
    #[serde(serialize_with = "super::snapshot::sorted_map")]
    bases: FastMap<Box<str>, (usize, bool)>,
    families: Vec<String>,
    /// The base names in definition order (for a suggestion).
    names: Vec<String>,
}

/// What an operator's name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub family: usize,
    pub negated: bool,
    pub if_exists: bool,
    pub qualifier: Qualifier,
}

/// `ForAnyValue:StringLikeIfExists` as (qualifier, base, `IfExists`).
fn split(text: &str) -> (Qualifier, &str, bool) {
    let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
        (Qualifier::ForAllValues, rest)
    } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
        (Qualifier::ForAnyValue, rest)
    } else {
        (Qualifier::None, text)
    };
    match rest.strip_suffix("IfExists") {
        Some(base) => (qualifier, base, true),
        None => (qualifier, rest, false),
    }
}

impl Operators {
    /// Adds a family (the loader defines each once) and its bases; a base another family already
    /// has is returned as the error.
    pub fn add_family(&mut self, family: &str, positive: &[String], negated: &[String]) -> Result<(), String> {
        self.families.push(family.to_string());
        let index = self.families.len() - 1;
        let bases = positive
            .iter()
            .map(|b| (b, false))
            .chain(negated.iter().map(|b| (b, true)));
        for (base, is_negated) in bases {
            if self.bases.insert(base.as_str().into(), (index, is_negated)).is_some() {
                return Err(base.clone());
            }
            self.names.push(base.clone());
        }
        Ok(())
    }

    pub fn family(&self, name: &str) -> Option<usize> {
        self.families.iter().position(|f| f == name)
    }

    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// The operator `text` names, or `None` when IAM does not know it.
    pub fn parse(&self, text: &str) -> Option<Parsed> {
        let (qualifier, base, if_exists) = split(text);
        let &(family, negated) = self.bases.get(base)?;
        Some(Parsed {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }

    /// For an operator IAM does not know: the base it most likely meant.
    pub fn suggestion(&self, text: &str) -> Option<&str> {
        nearest(split(text).1, &self.names)
    }
}

/// A compiled `operator = { ... }` test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OperatorTest {
    /// The set's operators (a snapshot writes them once, not in every test).
    #[serde(skip, default = "super::snapshot::operators")]
    pub operators: Arc<Operators>,
    pub families: Option<Vec<usize>>,
    pub negated: Option<bool>,
    pub if_exists: Option<bool>,
    pub qualifiers: Option<Vec<Qualifier>>,
}

impl OperatorTest {
    pub fn matches(&self, operator: &str) -> bool {
        let Some(parsed) = self.operators.parse(operator) else {
            return false;
        };
        self.families.as_ref().is_none_or(|f| f.contains(&parsed.family))
            && self.negated.is_none_or(|n| n == parsed.negated)
            && self.if_exists.is_none_or(|e| e == parsed.if_exists)
            && self.qualifiers.as_ref().is_none_or(|q| q.contains(&parsed.qualifier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_name_is_qualifier_base_and_suffix() {
        let mut operators = Operators::default();
        let strings = ["StringEquals".to_string(), "StringLike".to_string()];
        operators
            .add_family("String", &strings, &["StringNotEquals".to_string()])
            .unwrap();
        operators.add_family("Null", &["Null".to_string()], &[]).unwrap();
        let parsed = operators.parse("ForAnyValue:StringNotEqualsIfExists").unwrap();
        assert_eq!(
            parsed,
            Parsed {
                family: 0,
                negated: true,
                if_exists: true,
                qualifier: Qualifier::ForAnyValue
            }
        );
        assert_eq!(operators.parse("NullIfExists").map(|p| p.family), Some(1));
        assert_eq!(operators.parse("ForAnyValue:ForAllValues:StringEquals"), None);
        assert_eq!(operators.parse("stringequals"), None);
        assert_eq!(operators.suggestion("ForAllValues:StringEqual"), Some("StringEquals"));
        assert_eq!(
            operators.add_family("Other", &["Null".to_string()], &[]),
            Err("Null".to_string())
        );
    }
}
