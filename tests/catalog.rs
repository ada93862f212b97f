//! Meta-tests over the rule catalog: every rule loads, is named by its code, is documented,
//! behaves as its own examples say, and has a firing and a clean fixture; every code of the
//! public catalog (../shared/reference/catalog.md) exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use seslint::rules::RuleSet;

fn rules() -> RuleSet {
    RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e}"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_rule_file_loads_and_is_named_by_its_code() {
    let rules = rules();
    let files: BTreeSet<String> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    let expected: BTreeSet<String> = rules
        .rules
        .iter()
        .map(|r| format!("{}-{}.toml", r.code, r.name))
        .collect();
    assert_eq!(files, expected);
    let codes: BTreeSet<&str> = rules.rules.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes.len(), rules.rules.len(), "codes are unique");
}

#[test]
fn every_built_in_pattern_compiles() {
    // Built-in patterns are only parsed at load and compiled on first use: compile them all here.
    let rules = rules();
    assert!(!rules.patterns.is_empty());
    for pattern in &rules.patterns {
        if let Err(e) = pattern.compile() {
            panic!("built-in pattern {:?} does not compile: {e}", pattern.as_str());
        }
    }
}

#[test]
fn every_ses_and_cog_code_of_the_catalog_exists() {
    let catalog_path = root().join("../shared/reference/catalog.md");
    let catalog = std::fs::read_to_string(&catalog_path)
        .unwrap_or_else(|e| panic!("the catalog is read from {}: {e}", catalog_path.display()));
    let rules = rules();
    let mut in_scope = false;
    let mut checked = 0;
    for line in catalog.lines() {
        if line.starts_with("## ") {
            in_scope = line.contains("(SES)") || line.contains("(COG)");
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if !in_scope || cells.len() < 5 || !cells[1].starts_with(|c: char| c.is_ascii_uppercase()) || cells[1] == "code"
        {
            continue;
        }
        let (code, name, severity) = (cells[1], cells[2], cells[3]);
        let rule = rules
            .get(code)
            .unwrap_or_else(|| panic!("catalog code {code} has no rule"));
        assert_eq!(rule.name, name, "{code}: name differs from the catalog");
        assert!(
            severity.contains(rule.severity.as_str()),
            "{code}: default severity {} not in catalog's {severity}",
            rule.severity.as_str()
        );
        checked += 1;
    }
    assert_eq!(checked, 30, "the SES and COG tables hold 30 codes");
}

#[test]
fn messages_follow_the_house_style() {
    for rule in rules().rules {
        let lead = rule.message.leading_text();
        assert!(
            !lead.starts_with(|c: char| c.is_uppercase()),
            "{}: message starts upper case",
            rule.code
        );
        let rendered = rule.message.render(&|_| Some("x".into()));
        assert!(!rendered.ends_with('.'), "{}: message ends with a period", rule.code);
        for check in &rule.checks {
            if let Some(message) = &check.message {
                assert!(
                    !message.leading_text().starts_with(|c: char| c.is_uppercase()),
                    "{}: check message starts upper case",
                    rule.code
                );
                assert!(
                    !message.render(&|_| Some("x".into())).ends_with('.'),
                    "{}: check message ends with a period",
                    rule.code
                );
            }
        }
        assert!(
            !rule.summary.ends_with('.') && !rule.summary.starts_with(|c: char| c.is_uppercase()),
            "{}: summary style",
            rule.code
        );
        for text in [&rule.doc.what, &rule.doc.why, &rule.doc.fix] {
            assert!(!text.trim().is_empty(), "{}: documentation is complete", rule.code);
        }
    }
}

#[test]
fn every_rule_behaves_as_its_examples_say() {
    let rules = rules();
    let outcomes = seslint::check_examples(&rules, |_| true);
    assert!(outcomes.len() >= 2 * rules.rules.len(), "every rule has examples");
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} example {}: got {:?}", o.rule.code, o.number, o.found))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

/// `fixtures/json/CODE-name/fires*.json` must emit CODE; `clean*.json` must emit nothing.
#[test]
fn every_rule_has_a_firing_and_a_clean_fixture() {
    let rules = rules();
    for rule in &rules.rules {
        let dir = root()
            .join("fixtures/json")
            .join(format!("{}-{}", rule.code, rule.name));
        let files = fixture_files(&dir);
        let fires: Vec<&PathBuf> = files.iter().filter(|p| name_of(p).starts_with("fires")).collect();
        let clean: Vec<&PathBuf> = files.iter().filter(|p| name_of(p).starts_with("clean")).collect();
        assert!(!fires.is_empty(), "{}: no fires*.json in {}", rule.code, dir.display());
        assert!(!clean.is_empty(), "{}: no clean*.json in {}", rule.code, dir.display());
        for path in fires {
            let report = seslint::lint_bytes(&path.display().to_string(), &std::fs::read(path).unwrap(), &rules);
            assert!(
                report.findings.iter().any(|f| f.code == rule.code),
                "{} does not fire {}",
                path.display(),
                rule.code
            );
        }
        for path in clean {
            let report = seslint::lint_bytes(&path.display().to_string(), &std::fs::read(path).unwrap(), &rules);
            let found: Vec<_> = report.findings.iter().map(|f| (&f.code, &f.message)).collect();
            assert!(found.is_empty(), "{} is not clean: {found:?}", path.display());
            assert!(report.policies > 0, "{} holds no policy", path.display());
        }
    }
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// README.md's rule table lists every built-in rule with its name, severity and summary.
#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let expected: Vec<String> = rules()
        .rules
        .iter()
        .map(|r| format!("| {} | {} | {} | {} |", r.code, r.name, r.severity.as_str(), r.summary))
        .collect();
    let mut listed: Vec<String> = readme
        .lines()
        .filter(|l| ["| SES", "| COG", "| SRC"].iter().any(|prefix| l.starts_with(prefix)))
        .map(str::to_string)
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        expected,
        "README.md's rule table is out of date; it should read:\n{}",
        expected.join("\n")
    );
}
