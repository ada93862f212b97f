//! Rules built on definitions (README, "Definitions"): value sets, patterns, named predicates,
//! units, a rule-level `when`, `operator` and `key-of` tests, in a user rule directory with a data
//! file of its own (`fixtures/definitions/`); the load errors of names nothing defines, each
//! pointing into the file that uses the name. Snapshots of what users see.

mod common;

use std::path::Path;

use common::{fixture, seslint};
use seslint::rules::predicate::Subject;
use seslint::rules::RuleSet;

/// `seslint check --select ORG --rules rules FILE` in `dir`, without colour: (stdout, stderr, code).
fn check(dir: &Path, file: &str) -> (String, String, Option<i32>) {
    let output = seslint(dir)
        .args(["check", "--color", "never", "--select", "ORG", "--rules", "rules", file])
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code(),
    )
}

/// Every check of the three rules fires on `fires.json`; nothing on `clean.json`.
#[test]
fn rules_on_definitions_fire_and_stay_clean() {
    let dir = fixture("definitions");
    let (fires, _, code) = check(&dir, "fires.json");
    assert_eq!(code, Some(1));
    insta::assert_snapshot!("definitions_fires", fires);
    let (clean, _, code) = check(&dir, "clean.json");
    assert_eq!((code, clean.as_str()), (Some(0), ""));
    seslint(&dir)
        .args(["test-rules", "rules"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("6 passed, 0 failed"));
}

/// The rules' own directory copied to a temporary one, with `edit` applied to one file.
fn broken(file: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture("definitions");
    std::fs::create_dir_all(dir.path().join("rules/data")).unwrap();
    for name in [
        "rules/ORG101-source-account-ours.toml",
        "rules/ORG102-partner-from-address.toml",
        "rules/ORG103-identity-ours.toml",
        "rules/data/org.toml",
        "clean.json",
    ] {
        let mut text = std::fs::read_to_string(from.join(name)).unwrap();
        if name == file {
            let edited = edit(text.clone());
            assert_ne!(edited, text, "the edit of {name} changes it");
            text = edited;
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// A name that nothing defines is a load error (exit 2) at the place that uses it, with the
/// nearest name defined; so is a name defined twice, and a predicate or a unit that refers to
/// itself.
#[test]
fn unknown_names_are_load_errors_at_their_place() {
    let org101 = "rules/ORG101-source-account-ours.toml";
    let org102 = "rules/ORG102-partner-from-address.toml";
    let org103 = "rules/ORG103-identity-ours.toml";
    let data = "rules/data/org.toml";
    let cases: [(&str, &str, &str, &str); 11] = [
        (
            "unknown_predicate",
            org101,
            r#"is = "org-account""#,
            r#"is = "org-acount""#,
        ),
        (
            "unknown_unit",
            org102,
            r#"unit = "partner-statement""#,
            r#"unit = "partner-statment""#,
        ),
        (
            "unknown_set",
            org102,
            r#"set = "ses-send-actions""#,
            r#"set = "ses-send-action""#,
        ),
        (
            "unknown_operator_family",
            org102,
            "operator = { if-exists = true }",
            r#"operator = { family = "Strings" }"#,
        ),
        (
            "unknown_pattern",
            org103,
            r#"pattern = "org-identity""#,
            r#"pattern = "org-identities""#,
        ),
        (
            "unknown_table",
            org103,
            r#"table = "org-regions""#,
            r#"table = "org-region""#,
        ),
        (
            "unknown_set_in_data",
            data,
            r#"equals = { set = "org-accounts" }"#,
            r#"equals = { set = "accounts" }"#,
        ),
        ("defined_twice", data, "[pattern]\n", "[pattern]\nplaceholder = '<>'\n"),
        (
            "invalid_pattern_in_data",
            data,
            "org-identity = '^arn",
            "org-identity = '(^arn",
        ),
        (
            "unit_cycle",
            data,
            r#"of = "allow-statement""#,
            r#"of = "partner-statement""#,
        ),
        (
            "predicate_cycle",
            data,
            r#"equals = { set = "org-accounts" }"#,
            r#"is = "org-account""#,
        ),
    ];
    for (name, file, from, to) in cases {
        let dir = broken(file, |text| text.replacen(from, to, 1));
        let (stdout, stderr, code) = check(dir.path(), "clean.json");
        assert_eq!(code, Some(2), "{name}: {stdout}{stderr}");
        // The rule directory is shown as the run names it, after the temporary directory.
        let stderr = stderr.replace(&dir.path().display().to_string(), "TMP");
        insta::assert_snapshot!(format!("load_error_{name}"), stderr);
    }
}

/// The built-in definitions: what a Cognito statement is (the unit COG001 to COG012 run on) and
/// which principals name Cognito, in data rather than in Rust.
#[test]
fn the_cognito_statement_is_defined_in_data() {
    let rules = RuleSet::builtin().unwrap();
    let unit = rules.units.iter().find(|u| u.name == "cognito-statement").unwrap();
    assert_eq!(unit.of, seslint::rules::Unit::Statement);
    let within = unit.within.map(|i| rules.units[i].name.as_str());
    assert_eq!(within, Some("allow-statement"));
    let cog001 = rules.get("COG001").unwrap();
    assert_eq!(
        cog001.scope.map(|i| rules.units[i].name.as_str()),
        Some("cognito-statement")
    );
    let defs = seslint::rules::definitions::builtin();
    let principal = defs.predicate("cognito-principal").unwrap();
    let is = |p: &str| principal.matches(Subject::string(p));
    for p in [
        "email.cognito-idp.amazonaws.com",
        "cognito-idp.amazonaws.com",
        "cognito-idp.me-central-1.amazonaws.com",
        " Cognito-IDP.EU-west-1.amazonaws.COM ",
    ] {
        assert!(is(p), "{p}");
    }
    for p in [
        "ses.amazonaws.com",
        "cognito-identity.amazonaws.com",
        "cognito-idp..amazonaws.com",
        "email.cognito-idp.eu-west-1.amazonaws.com",
        "cognito-idp.é.amazonaws.com",
    ] {
        assert!(!is(p), "{p}");
    }
}

/// Condition operators are parsed against the families of `rules/data/iam.toml`.
#[test]
fn condition_operators_are_data() {
    let operators = &seslint::rules::definitions::builtin().operators;
    let family = |op: &str| operators.parse(op).map(|p| operators.families()[p.family].clone());
    assert_eq!(family("ForAllValues:StringNotLikeIfExists").as_deref(), Some("String"));
    assert_eq!(family("ArnLike").as_deref(), Some("Arn"));
    assert_eq!(family("NotIpAddressIfExists").as_deref(), Some("IpAddress"));
    assert_eq!(family("StringEqualsIgnorecase"), None);
    assert_eq!(
        operators.suggestion("StringEqualsIgnorecase"),
        Some("StringEqualsIgnoreCase")
    );
}
