//! Terraform as users meet it: every module under fixtures/terraform/ rendered as a whole (a
//! policy may live in another file of the module than the resource that uses it), and a plan
//! giving the same findings as the configuration it was planned from.

#[macro_use]
mod common;

use common::run;
use seslint::RunReport;

#[test]
fn every_module_renders_as_snapshotted() {
    // plan/ holds plan files, snapshotted one by one.
    for name in common::directories("terraform", "plan") {
        let report = run(&format!("fixtures/terraform/{name}"));
        assert_renders_as_snapshotted!("terraform", &name, &report);
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
