//! Snapshots of what users see for every fixture: the rendered human report (no colour, fixed
//! width) and the JSON report. Review changes with `cargo insta review`.

mod common;

use std::path::{Path, PathBuf};

use common::human_output;
use seslint::report::json;
use seslint::rules::RuleSet;
use seslint::{lint_bytes, RunReport};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture's path relative to the repository, with `/` separators on every platform.
fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/")
}

fn report_for(path: &Path, rules: &RuleSet) -> RunReport {
    let bytes = std::fs::read(path).unwrap();
    RunReport {
        files: vec![lint_bytes(&relative(path), &bytes, rules)],
        ..Default::default()
    }
}

#[test]
fn every_fixture_renders_as_snapshotted() {
    let rules = RuleSet::builtin().unwrap();
    insta::glob!(
        "../fixtures",
        "{json,cli-export,aws-docs,unrelated,examples,terraform/plan}/**/*.{json,tf}",
        |path| {
            let report = report_for(path, &rules);
            insta::assert_snapshot!("human", human_output(&report));
            insta::assert_snapshot!("json", json::render(&report));
        }
    );
}

/// Each rule's fixtures with only that rule selected: a change in one rule shows in its own
/// snapshots (the snapshots above show every rule together).
#[test]
fn every_rule_fixture_renders_with_only_its_rule() {
    insta::glob!("../fixtures", "json/*/*.{json,tf}", |path| {
        let dir = path.parent().unwrap().file_name().unwrap().to_string_lossy();
        let code = dir.split('-').next().unwrap().to_string();
        let mut rules = RuleSet::builtin().unwrap();
        rules.select(|c| c == code);
        assert_eq!(rules.rules.len(), 1, "{dir} names one rule");
        let report = report_for(path, &rules);
        insta::assert_snapshot!("only_its_rule", human_output(&report));
    });
}

#[test]
fn custom_rules_render_as_snapshotted() {
    let rules = RuleSet::load(&[root().join("fixtures/custom-rules/rules")]).unwrap();
    insta::glob!("../fixtures", "custom-rules/*.json", |path| {
        let report = report_for(path, &rules);
        insta::assert_snapshot!("custom_rules_human", human_output(&report));
        insta::assert_snapshot!("custom_rules_json", json::render(&report));
    });
}

/// The rendered example in README.md is what seslint prints for that fixture today.
#[test]
fn readme_example_is_current() {
    let rules = RuleSet::builtin().unwrap();
    let path = root().join("fixtures/examples/typical-public-repo.json");
    let expected = human_output(&report_for(&path, &rules));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = "<!-- example:start -->\n```text\n";
    let start = readme.find(marker).expect("example start marker") + marker.len();
    let end = readme.find("```\n<!-- example:end -->").expect("example end marker");
    assert_eq!(readme[start..end], expected, "README.md's example is out of date");
}
