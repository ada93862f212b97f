//! Terraform as users meet it: every module under fixtures/terraform/ rendered as a whole (a
//! policy may live in another file of the module than the resource that uses it), and a plan
//! giving the same findings as the configuration it was planned from.

use std::path::PathBuf;

use seslint::report::{human, json};
use seslint::rules::RuleSet;
use seslint::{Options, RunReport};

fn run(path: &str) -> RunReport {
    let rules = RuleSet::builtin().unwrap();
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    seslint::run(&[PathBuf::from(path)], &options, &rules).unwrap()
}

/// The modules of fixtures/terraform/ (plan/ holds plan files, snapshotted one by one).
fn modules() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform");
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir() && e.file_name() != "plan")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_module_renders_as_snapshotted() {
    for name in modules() {
        let report = run(&format!("fixtures/terraform/{name}"));
        let rendered = human::render(
            &report,
            &human::Style {
                color: false,
                width: 100,
            },
        );
        insta::assert_snapshot!(
            format!("terraform_human@{name}"),
            format!("{rendered}{}\n", human::summary_line(&report))
        );
        insta::assert_snapshot!(format!("terraform_json@{name}"), json::render(&report));
    }
}

/// (policy label, rule, message) of every finding.
fn findings(report: &RunReport) -> Vec<(String, String, String)> {
    let mut found: Vec<_> = report
        .findings()
        .map(|(_, f)| (f.policy.clone(), f.code.clone(), f.message.clone()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_plan_gives_the_findings_of_the_configuration_it_came_from() {
    let from_hcl = findings(&run("fixtures/terraform/plan-source"));
    let from_plan = findings(&run("fixtures/terraform/plan/cognito-broken.json"));
    assert!(!from_hcl.is_empty());
    assert_eq!(from_hcl, from_plan);
}

#[test]
fn unrelated_terraform_gives_nothing() {
    let report = run("fixtures/terraform/unrelated");
    assert!(report.policies_checked() > 0, "the module's policies are read");
    assert_eq!(findings(&report), Vec::new());
}
