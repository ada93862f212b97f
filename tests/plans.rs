//! Terraform plan JSON as users meet it: the findings a plan gives, at their places inside the
//! escaped policy strings, labelled with resource addresses. (What a plan yields as documents is
//! tested beside the extractor, in `src/extract/plan.rs`.)

use seslint::finding::Finding;
use seslint::rules::RuleSet;
use seslint::FileReport;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform/plan");
    std::fs::read_to_string(path.join(name)).unwrap()
}

fn lint(text: &str) -> FileReport {
    seslint::lint_bytes("plan.json", text.as_bytes(), &RuleSet::builtin().unwrap())
}

fn codes(report: &FileReport) -> Vec<&str> {
    let mut codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes
}

fn covered<'a>(text: &'a str, finding: &Finding) -> &'a str {
    &text[finding.span.start..finding.span.end]
}

#[test]
fn a_policy_in_both_sections_is_reported_once() {
    let report = lint(&fixture("cognito-broken.json"));
    assert_eq!(report.policies, 1);
    // The old policy (`before`, `prior_state`) has Version 2008-10-17: no SES003.
    assert_eq!(codes(&report), ["COG001", "COG003", "COG005", "COG006"]);
    assert!(report
        .findings
        .iter()
        .all(|f| f.policy == "aws_ses_identity_policy.cognito"));
}

#[test]
fn spans_map_through_the_escapes_into_resource_changes() {
    let text = fixture("cognito-broken.json");
    let report = lint(&text);
    let at = |code: &str| {
        let finding = report.findings.iter().find(|f| f.code == code).unwrap();
        covered(&text, finding)
    };
    assert_eq!(at("COG005"), r#"\"Principal\""#);
    assert_eq!(at("COG006"), r#"\"Principal\""#);
    assert_eq!(at("COG003"), r#"\"ses:*\""#);
    assert_eq!(at("COG001"), r#"\"cognito-idp.amazonaws.com\""#);
    // The copy reported is the one of `resource_changes`, not `planned_values` (earlier in the
    // file) nor `prior_state` (later).
    let changes = text.find("\"resource_changes\"").unwrap();
    let prior = text.find("\"prior_state\"").unwrap();
    assert!(report
        .findings
        .iter()
        .all(|f| f.span.start > changes && f.span.end < prior));
}

#[test]
fn unrelated_policies_stay_silent() {
    let text = fixture("mixed.json");
    let report = lint(&text);
    assert_eq!(report.policies, 6);
    assert_eq!(codes(&report), ["COG013"]);
    let finding = &report.findings[0];
    assert_eq!(finding.policy, "aws_iam_role.cognito_email");
    assert_eq!(covered(&text, finding), r#"\"email.cognito-idp.amazonaws.com\""#);
    assert!(lint(&fixture("cognito-correct.json")).findings.is_empty());
}

#[test]
fn deletes_and_unknown_values_give_nothing() {
    for name in ["delete.json", "unknown-policy.json"] {
        let report = lint(&fixture(name));
        assert_eq!((report.policies, report.findings.len()), (0, 0), "{name}");
    }
}

#[test]
fn syntax_problems_are_reported_at_their_place() {
    // A trailing comma inside the policy string, and one in the plan itself.
    let policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[],}"#;
    let text = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [
  {{"address": "aws_ses_identity_policy.x", "mode": "managed", "type": "aws_ses_identity_policy",
   "values": {{"policy": "{policy}"}}}},
]}}}}}}"#
    );
    let report = lint(&text);
    let syntax: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter(|f| f.code == "SES001")
        .map(|f| (f.policy.as_str(), covered(&text, f)))
        .collect();
    assert_eq!(syntax, [("aws_ses_identity_policy.x", ","), ("", ",")]);
    let policy_comma = report.findings.iter().find(|f| f.code == "SES001").unwrap();
    assert_eq!(policy_comma.span.start, text.find(r#"[],}"#).unwrap() + 2);
}
