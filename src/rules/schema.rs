//! The rule file format: what a `rules/*.toml` file may contain, exactly as it is deserialized.
//!
//! Unknown keys are rejected so that a typo in a rule file is an error, not a silently
//! ignored check. Values that need compiling (JSONPath, regular expressions, message templates)
//! keep their spans so that the loader can point at them. The meaning of every key is
//! documented in README.md ("Writing a rule"); [`super::compile`] turns this into a [`super::Rule`].

use std::collections::BTreeMap;

pub use crate::finding::Severity;

use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    pub code: Spanned<String>,
    pub name: Spanned<String>,
    pub severity: Severity,
    pub summary: Spanned<String>,
    pub applies_to: AppliesTo,
    /// `document`, `statement`, or a unit a data file defines (`cognito-statement`).
    pub unit: Spanned<String>,
    /// Preconditions on the unit for every check of the rule (evaluated once per unit).
    #[serde(default)]
    pub when: Vec<ClauseSpec>,
    pub message: Spanned<String>,
    pub help: Spanned<String>,
    pub doc: Doc,
    #[serde(default)]
    pub check: Vec<Spanned<CheckSpec>>,
    #[serde(default)]
    pub example: Vec<Spanned<ExampleSpec>>,
}

/// Which documents a rule sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    /// SES identity policies, and text that should hold one but does not parse.
    SesIdentityPolicy,
    /// IAM role trust policies.
    RoleTrustPolicy,
    /// Pool documents: a user pool and the identity policies of the identity it sends as
    /// (cross-resource rules; README, "Facts").
    UserPool,
}

impl AppliesTo {
    /// What a container would say of a document this rule sees (for linting a rule's example
    /// policy on its own).
    pub fn hint(self) -> crate::policy::ContextHint {
        use crate::policy::ContextHint;
        match self {
            AppliesTo::SesIdentityPolicy => ContextHint::SesIdentityPolicy,
            AppliesTo::RoleTrustPolicy => ContextHint::Unknown,
            AppliesTo::UserPool => ContextHint::UserPool,
        }
    }

    /// As the rule file spells it (`applies-to = "..."`).
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::SesIdentityPolicy => "ses-identity-policy",
            AppliesTo::RoleTrustPolicy => "role-trust-policy",
            AppliesTo::UserPool => "user-pool",
        }
    }
}

/// What `$` means in the rule's paths: the whole document, or each statement in turn. A unit a
/// data file defines (`[unit.NAME]`) is one of these narrowed by its `when` clauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Document,
    Statement,
}

impl Unit {
    /// The unit a rule file names, when it is one of the two the engine knows.
    pub fn parse(name: &str) -> Option<Unit> {
        match name {
            "document" => Some(Unit::Document),
            "statement" => Some(Unit::Statement),
            _ => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Doc {
    pub what: String,
    pub why: String,
    pub fix: String,
}

/// Only the documentation of a rule file (the rest is not read): a built-in rule's, parsed when
/// it is first asked for.
#[derive(Debug, Deserialize)]
pub struct DocsOnly {
    pub doc: Doc,
    #[serde(default)]
    pub example: Vec<ExampleSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    Violation,
    Clean,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleSpec {
    pub expect: Expect,
    /// The policy JSON, linted as an SES identity policy (or a role trust policy for rules that
    /// apply to those).
    pub policy: String,
    /// The example is a whole file of this name (`main.tf`), whose name decides its format,
    /// rather than a policy: for rules about the files that hold policies.
    #[serde(default)]
    pub file: Option<String>,
    /// What the example shows; printed by `seslint explain`.
    #[serde(default)]
    pub note: Option<String>,
}

/// One check of a rule. Exactly one of `require`, `forbid`, `expect`, `compare` and `source` says
/// what is tested; with none of them the check fires whenever all its `when` clauses hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSpec {
    /// Preconditions on the unit: the check runs only where all of them hold.
    #[serde(default)]
    pub when: Vec<ClauseSpec>,
    /// JSONPath (relative to the unit) of the nodes to test; default `$`.
    pub select: Option<Spanned<String>>,
    /// Test each selected node's value, or the key it is stored under.
    #[serde(default)]
    pub on: Target,
    /// Rewrites applied to a tested string first.
    pub normalize: Option<NormalizeSpec>,
    /// Nodes matching this are not tested at all (for example placeholders).
    pub skip: Option<PredicateSpec>,
    /// Each selected node must match; every one that does not is reported.
    pub require: Option<PredicateSpec>,
    /// Each selected node that matches is reported.
    pub forbid: Option<PredicateSpec>,
    /// `present`: `select` must find something; `absent`: everything it finds is reported;
    /// `unique`: the values it finds must differ.
    pub expect: Option<Expectation>,
    /// Compare values at two paths.
    pub compare: Option<CompareSpec>,
    /// A property of the document's text rather than of its values.
    pub source: Option<SourceCheck>,
    /// With `source = "size"`: the largest size allowed, in bytes.
    pub max_bytes: Option<usize>,
    /// JSONPath of the node to report at when the check fires without a node of its own
    /// (`expect = "present"`, or `when` clauses only); default: the unit.
    #[serde(default)]
    pub report_at: Vec<Spanned<String>>,
    /// Overrides of the rule's severity, message and help for this check.
    pub severity: Option<Severity>,
    pub message: Option<Spanned<String>>,
    pub help: Option<Spanned<String>>,
    /// The text under the source span; default none.
    pub label: Option<Spanned<String>>,
    /// Codes of rules this check owns the value for: where it fires, their findings on the same
    /// place are not reported (one defect, one finding; the specific rule speaks).
    #[serde(default)]
    pub supersedes: Vec<String>,
    /// JSONPath (relative to the document) of nodes to show beside each finding of the check,
    /// labelled with `related-label` (the other resource of a cross-resource finding).
    pub related: Option<Spanned<String>>,
    pub related_label: Option<Spanned<String>>,
    /// How to fix what the check finds (README, "Fixes").
    pub fix: Option<Spanned<FixSpec>>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    #[default]
    Value,
    Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    Present,
    Absent,
    Unique,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceCheck {
    /// Every departure from strict JSON.
    Syntax,
    /// The file that holds policies does not parse in its own format (Terraform, YAML).
    FileSyntax,
    /// Every key repeated in one object.
    DuplicateKeys,
    /// The policy text is over `max-bytes`.
    Size,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NormalizeSpec {
    #[serde(default)]
    pub strip_prefix: Vec<String>,
    #[serde(default)]
    pub strip_suffix: Vec<String>,
}

/// A precondition: a path (or a fact), and what must be true of the nodes it selects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClauseSpec {
    /// JSONPath relative to the unit.
    pub path: Option<Spanned<String>>,
    /// JSONPath over the facts the container knows about the document (README: "Facts").
    pub fact: Option<Spanned<String>>,
    #[serde(default)]
    pub on: Target,
    /// At least one node matches.
    pub any: Option<PredicateSpec>,
    /// Every node matches (and there is at least one).
    pub all: Option<PredicateSpec>,
    /// No node matches.
    pub none: Option<PredicateSpec>,
    /// The path selects something (`true`) or nothing (`false`).
    pub present: Option<bool>,
}

/// A test of one value. All the keys given must hold.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PredicateSpec {
    /// The value is one of these strings.
    pub equals: Option<Spanned<OneOrMany>>,
    /// The value starts with one of these.
    pub prefix: Option<Spanned<OneOrMany>>,
    /// The value matches this regular expression (Rust `regex` syntax, unanchored), or the named
    /// pattern of a data file.
    pub regex: Option<Spanned<RegexSpec>>,
    /// The value matches one of these IAM wildcard patterns (`*` any run, `?` one character).
    pub glob: Option<Spanned<OneOrMany>>,
    /// The value, read as an IAM wildcard pattern, matches at least one of these names.
    pub covers: Option<Spanned<OneOrMany>>,
    /// Compare case-insensitively (`equals`, `prefix`, `glob`, `covers`).
    #[serde(default)]
    pub ignore_case: bool,
    /// The JSON type of the value.
    #[serde(rename = "type")]
    pub json_type: Option<JsonType>,
    pub not: Option<Box<PredicateSpec>>,
    /// At least one of these predicates holds.
    pub any_of: Option<Vec<PredicateSpec>>,
    /// Named predicates of the data files (`[predicate.NAME]`) that must all hold.
    pub is: Option<Spanned<NameOrNames>>,
    /// The condition operator the value is under (a member of `Condition`, or inside one) has
    /// these properties.
    pub operator: Option<OperatorSpec>,
    /// The value is a key of a data table (whose values, with `where`, match a predicate).
    pub key_of: Option<KeyOfSpec>,
}

impl PredicateSpec {
    /// The named predicates this one uses (`is`, also inside `not`, `any-of` and `key-of`).
    pub fn names_used(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .is
            .as_ref()
            .map(|is| is.get_ref().clone().into_vec())
            .unwrap_or_default();
        let inner = self
            .not
            .iter()
            .map(|p| &**p)
            .chain(self.any_of.iter().flatten())
            .chain(self.key_of.iter().filter_map(|k| k.matching.as_deref()));
        for spec in inner {
            names.extend(spec.names_used());
        }
        names
    }
}

/// Strings given in place, or a value set of the data files (`{ set = "NAME" }`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
    Set(SetRef),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRef {
    pub set: String,
}

/// A regular expression given in place, or a pattern of the data files (`{ pattern = "NAME" }`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RegexSpec {
    Text(String),
    Named(PatternRef),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRef {
    pub pattern: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NameOrNames {
    One(String),
    Many(Vec<String>),
}

impl NameOrNames {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            NameOrNames::One(s) => vec![s],
            NameOrNames::Many(v) => v,
        }
    }
}

/// What an `operator` test asks of a condition operator (`ForAnyValue:StringLikeIfExists` is of
/// the String family, not negated, with `IfExists` and the qualifier `ForAnyValue`). Every key
/// given must hold; `{}` holds for any operator IAM knows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperatorSpec {
    /// One of these families (`[operator.FAMILY]` of the data files).
    pub family: Option<Spanned<NameOrNames>>,
    /// A negated operator (`StringNotEquals`, `NotIpAddress`) or not.
    pub negated: Option<bool>,
    /// With the `IfExists` suffix or without.
    pub if_exists: Option<bool>,
    /// One of these qualifiers: `none`, `ForAnyValue`, `ForAllValues`.
    pub qualifier: Option<Vec<Qualifier>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Qualifier {
    #[serde(rename = "none")]
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyOfSpec {
    pub table: Spanned<String>,
    /// Only the keys with a value that matches this.
    #[serde(rename = "where")]
    pub matching: Option<Box<PredicateSpec>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Bool,
    Null,
    Array,
    Object,
}

/// Compares the values at two paths; both sides skip values that are unknown or hold wildcards.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CompareSpec {
    pub left: SideSpec,
    pub right: SideSpec,
    /// Left values that are also accepted, keyed by the right value (`"*"`: for any right value).
    #[serde(default)]
    pub also_allowed: BTreeMap<String, Vec<String>>,
    /// A data table (`data/*.toml`): the left value must be one of its values for the right one.
    pub table: Option<Spanned<String>>,
    /// The text under the right-hand span.
    pub right_label: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SideSpec {
    pub path: Spanned<String>,
    /// Compare one field of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`).
    pub arn: Option<ArnField>,
    /// Compare the first capture group of this regular expression (or named pattern).
    pub capture: Option<Spanned<RegexSpec>>,
    /// Only values matching this predicate take part (tested before `arn` / `capture`).
    pub only: Option<PredicateSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArnField {
    Partition,
    Service,
    Region,
    Account,
    Resource,
}

impl ArnField {
    /// This field of an ARN ([`arn_fields`]); `None` for text that is not one.
    pub fn of(self, arn: &str) -> Option<&str> {
        let [partition, service, region, account, resource] = arn_fields(arn)?;
        Some(match self {
            ArnField::Partition => partition,
            ArnField::Service => service,
            ArnField::Region => region,
            ArnField::Account => account,
            ArnField::Resource => resource,
        })
    }
}

/// The fields of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` after `arn` (the resource is
/// the rest after the fifth colon); `None` for text that is not such an ARN. Comparisons ask it
/// of every value of every statement, so it finds the colons without collecting the fields.
pub fn arn_fields(arn: &str) -> Option<[&str; 5]> {
    let mut colons = memchr::memchr_iter(b':', arn.as_bytes());
    let mut at = [0usize; 5];
    for slot in &mut at {
        *slot = colons.next()?;
    }
    if &arn[..at[0]] != "arn" {
        return None;
    }
    // Each colon is ASCII, so each bound is a character boundary.
    Some([
        &arn[at[0] + 1..at[1]],
        &arn[at[1] + 1..at[2]],
        &arn[at[2] + 1..at[3]],
        &arn[at[3] + 1..at[4]],
        &arn[at[4] + 1..],
    ])
}

/// A check's fix: one kind of edit (`replace-value` and / or `replace-key`, `append`, `insert`,
/// `move-to`), its values templated like messages (`src/fix/rule.rs` compiles it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FixSpec {
    pub applicability: crate::fix::Applicability,
    /// JSONPath (relative to the unit) of the node to change; default the node the check reports.
    pub at: Option<Spanned<String>>,
    /// The node's new value: a string or a list of strings.
    pub replace_value: Option<OneOrMany>,
    /// The new key of the node's member.
    pub replace_key: Option<String>,
    /// An item to add to the list.
    pub append: Option<String>,
    /// Keys of a member to add to the object (nested objects made as needed), with `value`.
    pub insert: Option<Vec<String>>,
    pub value: Option<OneOrMany>,
    /// With `insert`: before the other members.
    #[serde(default)]
    pub first: bool,
    /// Move the member to the sibling condition operator of this name.
    pub move_to: Option<String>,
    /// Text replacements applied to a rendered key or operator, in order (`"String" = "Arn"`).
    #[serde(default)]
    pub substitute: Vec<(String, String)>,
    /// Named values for the templates, each from the first source that knows exactly one.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<FixSourceSpec>>,
}

/// Where a fix's named value comes from: a path of the unit, a fact, or a literal; optionally one
/// field of an ARN and a data table that maps it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FixSourceSpec {
    pub path: Option<Spanned<String>>,
    pub fact: Option<Spanned<String>>,
    pub literal: Option<String>,
    pub arn: Option<ArnField>,
    pub table: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::ArnField;

    #[test]
    fn an_arn_field_is_read_between_its_colons() {
        let arn = "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_X:extra";
        assert_eq!(ArnField::Partition.of(arn), Some("aws"));
        assert_eq!(ArnField::Service.of(arn), Some("cognito-idp"));
        assert_eq!(ArnField::Region.of(arn), Some("eu-west-1"));
        assert_eq!(ArnField::Account.of(arn), Some("111111111111"));
        assert_eq!(ArnField::Resource.of(arn), Some("userpool/eu-west-1_X:extra"));
        assert_eq!(ArnField::Resource.of("arn:::::"), Some(""));
        assert_eq!(ArnField::Region.of("arn:é:ü:c:d:ß"), Some("c"));
        for not_an_arn in ["arn:a:b:c:d", "ARN:a:b:c:d:e", "arnx:a:b:c:d:e", ":::::", "", "arn"] {
            assert_eq!(ArnField::Partition.of(not_an_arn), None, "{not_an_arn}");
        }
    }
}
