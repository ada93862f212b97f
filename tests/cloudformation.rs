//! CloudFormation as users meet it: every directory under fixtures/cloudformation/ (YAML short
//! and long intrinsic forms, JSON, SAM, Serverless, a `cdk.out` with a nested assembly, bad
//! input, YAML that is not a template) rendered as a whole, and the properties a user relies
//! on: both intrinsic forms give the same findings, cross-resource findings carry a related
//! location on the other resource, bad input is a diagnostic at its place.

#[macro_use]
mod common;

use serde_json::Value;

use common::run;
use seslint::report::sarif;
use seslint::rules::RuleSet;
use seslint::source::LineIndex;
use seslint::RunReport;

#[test]
fn every_form_renders_as_snapshotted() {
    for name in common::directories("cloudformation", "") {
        let report = run(&format!("fixtures/cloudformation/{name}"));
        assert_renders_as_snapshotted!("cloudformation", &name, &report);
    }
}

/// (rule, line, column, label) of every finding.
fn findings(report: &RunReport) -> Vec<(String, usize, usize, String)> {
    report
        .findings()
        .map(|(file, f)| {
            let at = LineIndex::new(&file.text).position(f.span.start);
            (f.code.clone(), at.line, at.column, f.policy.clone())
        })
        .collect()
}

#[test]
fn short_and_long_intrinsic_forms_give_the_same_findings() {
    let codes = |name: &str| -> Vec<(String, String)> {
        findings(&run(&format!("fixtures/cloudformation/{name}")))
            .into_iter()
            .map(|(code, _, _, label)| (code, label))
            .collect()
    };
    let short = codes("yaml-short-form");
    assert_eq!(short, codes("yaml-long-form"));
    let expected = ["COG001", "COG005", "COG007", "COG013"];
    assert_eq!(short.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), expected);
}

#[test]
fn yaml_that_is_not_a_template_gives_nothing() {
    let report = run("fixtures/cloudformation/not-templates");
    // Looked at (by their first bytes), not linted: no template, no policy, no finding.
    assert_eq!(report.files_scanned(), 0);
    assert_eq!(report.findings().count(), 0);
    assert_eq!(report.policies_checked(), 0);
    assert_eq!(report.unread, []);
}

#[test]
fn bad_input_is_a_diagnostic_at_its_place_and_the_run_goes_on() {
    let report = run("fixtures/cloudformation/bad-input");
    let mut found: Vec<(String, String, usize)> = report
        .findings()
        .map(|(file, f)| {
            let name = file.path.rsplit('/').next().unwrap_or_default().to_string();
            (
                name,
                f.code.clone(),
                LineIndex::new(&file.text).position(f.span.start).line,
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("alias-bomb.yaml".to_string(), "SRC001".to_string(), 9),
            ("create-not-json.json".into(), "SES001".into(), 7),
            ("does-not-parse.yaml".into(), "SRC001".into(), 8),
            ("duplicate-key.yaml".into(), "SES002".into(), 8),
            ("tag-on-wrong-node.yaml".into(), "SRC001".into(), 8),
        ]
    );
    assert!(report.problems.is_empty());
}

#[test]
fn a_cdk_out_directory_is_linted_with_construct_paths_and_related_locations() {
    let rules = RuleSet::builtin().unwrap();
    let report = run("fixtures/cloudformation/cdk.out");
    let labels: Vec<String> = findings(&report).into_iter().map(|(_, _, _, label)| label).collect();
    assert!(labels
        .iter()
        .any(|l| l == "CognitoSesPolicy8A41C2D9 (AuthStack/CognitoSesPolicy/Resource/Default).Create"));
    let log: Value = serde_json::from_str(&sarif::render(&report, &rules)).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let mismatch = results
        .iter()
        .find(|r| r["ruleId"] == "COG102")
        .expect("the pool and the policy disagree in the nested assembly");
    let uri = &mismatch["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(uri.as_str().unwrap().ends_with("assembly-Prod/ProdAuth.template.json"));
    let related = mismatch["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["message"]["text"], "the pool that sends from this identity");
    // The finding is on the policy's aws:SourceArn (inside the Fn::Join), the label on the pool.
    assert_eq!(mismatch["locations"][0]["physicalLocation"]["region"]["startLine"], 89);
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 18);
}

#[test]
fn a_terraform_module_where_pool_and_policy_disagree_is_reported_on_both_sides() {
    let report = run("fixtures/terraform/cross-resource-mismatch");
    let found: Vec<(String, usize)> = findings(&report)
        .into_iter()
        .map(|(code, line, _, _)| (code, line))
        .collect();
    assert_eq!(
        found,
        [("COG102".to_string(), 35), ("COG103".into(), 64), ("COG104".into(), 79)]
    );
    let mismatch = report.findings().find(|(_, f)| f.code == "COG102").unwrap().1;
    let file = &report.files[0];
    let (span, label) = &mismatch.related[0];
    assert_eq!(LineIndex::new(&file.text).position(span.start).line, 17);
    assert_eq!(label, "the pool that sends from this identity");
    assert_eq!(
        run("fixtures/terraform/cross-resource-consistent").findings().count(),
        0
    );
}
