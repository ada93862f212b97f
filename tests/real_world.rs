//! Regressions from running seslint on real repositories, each from a minimal reproduction:
//! files of other formats named on the command line (as the pre-commit hook names them), byte
//! order marks, SES009 on text that is no policy, parse errors in the file's own words,
//! `count` / `for_each` instances, interpolated Sids, one finding per defect, and the closing
//! note on files in formats seslint does not read.

mod common;

use std::path::Path;

use common::{diagnostics, json_report, root, seslint};
use predicates::prelude::*;
use serde_json::Value;

/// (path, rule, line, column) of every diagnostic.
fn places(report: &Value) -> Vec<(String, String, u64, u64)> {
    diagnostics(report)
        .into_iter()
        .map(|d| (d.path, d.rule, d.line, d.column))
        .collect()
}

const OTHER_FORMATS: &str = "fixtures/other-formats";

/// What a pre-commit hook passes: workflow, Kubernetes, docker-compose and CloudFormation YAML,
/// TypeScript, a Markdown file without policies and a text file.
const NAMED_FILES: [&str; 8] = [
    ".github/workflows/ci.yml",
    "k8s/deployment.yaml",
    "docker-compose.yml",
    "templates/mailer-bucket.yaml",
    "cdk/lib/policy-editor.tsx",
    "cdk/lib/util.ts",
    "docs/README.md",
    "notes.txt",
];

#[test]
fn named_files_of_other_formats_give_no_finding_and_exit_0() {
    let dir = root().join(OTHER_FORMATS);
    for name in NAMED_FILES {
        let (report, stderr, code) = json_report(seslint(&dir).args(["check", "--format", "json", name]));
        assert_eq!(places(&report), Vec::new(), "{name}: {stderr}");
        assert_eq!(code, Some(0), "{name}: {stderr}");
    }
    // All at once, as the hook does.
    seslint(&dir).arg("check").args(NAMED_FILES).assert().code(0).stdout("");
}

#[test]
fn files_that_may_hold_ses_policies_are_named_in_a_closing_note() {
    let dir = root().join(OTHER_FORMATS);
    let (report, _, code) = json_report(seslint(&dir).args(["check", "--format", "json", "."]));
    assert_eq!(code, Some(0));
    let unread: Vec<(&str, &str)> = report["summary"]["unread"]
        .as_array()
        .expect("summary.unread lists them")
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["format"].as_str().unwrap()))
        .collect();
    // Markdown, reStructuredText, shell, TypeScript and JavaScript are read: only TSX is left.
    assert_eq!(unread, [("cdk/lib/policy-editor.tsx", "TypeScript/JavaScript")]);
    seslint(&dir).arg(".").assert().code(0).stderr(predicate::str::contains(
        "note: 1 file may hold SES policies in formats seslint does not read: cdk/lib/policy-editor.tsx \
         (TypeScript/JavaScript)",
    ));
    seslint(&dir).args(["--quiet", "."]).assert().code(0).stderr("");
}

#[test]
fn verbose_names_files_passed_over() {
    let dir = root().join(OTHER_FORMATS);
    seslint(&dir)
        .args(["check", "--verbose", ".github/workflows/ci.yml", "notes.txt"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "seslint: note: .github/workflows/ci.yml: not linted: seslint does not read YAML",
        ))
        .stderr(predicate::str::contains("notes.txt: not linted"));
    seslint(&dir)
        .args(["check", ".github/workflows/ci.yml"])
        .assert()
        .stderr(predicate::str::contains("not linted").not());
}

#[test]
fn broken_json_is_reported_only_when_its_structure_is_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    // Cut short, so that nothing parses: the letters `ses:` in a value are no policy; a
    // `"Statement":` key or an `"ses:` action is.
    std::fs::write(
        dir.path().join("settings.json"),
        "{\"steps\": [\"uses: actions/checkout\"",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy.json"),
        "{\"Statement\": [{\"Effect\": \"Allow\"",
    )
    .unwrap();
    std::fs::write(dir.path().join("actions.json"), "{\"Action\": [\"ses:SendEmail\"").unwrap();
    // Without an extension, JSON structure decides.
    std::fs::write(dir.path().join("policy"), "{\"Statement\": [{\"Effect\": \"Allow\"").unwrap();
    let (report, _, code) = json_report(seslint(dir.path()).args([
        "check",
        "--format",
        "json",
        "settings.json",
        "policy.json",
        "actions.json",
        "policy",
    ]));
    let files: Vec<String> = places(&report)
        .into_iter()
        .map(|(path, rule, ..)| format!("{path} {rule}"))
        .collect();
    assert_eq!(files, ["actions.json SES001", "policy SES001", "policy.json SES001"]);
    assert_eq!(code, Some(1));
}

/// The files a byte order mark is tried on: Terraform, templates (YAML and JSON).
const BOM_FILES: [&str; 6] = [".tf", ".tf.json", ".yaml", ".yml", ".json", ".template"];

/// Copies a fixture module into `to`, with a byte order mark before every file when `bom`.
fn copy_module(from: &Path, to: &Path, bom: bool) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_module(&path, &target, false);
            continue;
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let name = path.to_string_lossy().to_string();
        if bom && BOM_FILES.iter().any(|ext| name.ends_with(ext)) && !bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.splice(0..0, *b"\xEF\xBB\xBF");
        }
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn a_byte_order_mark_changes_no_finding_of_any_terraform_module() {
    assert!(compare_with_byte_order_marks("fixtures/terraform") >= 10);
}

#[test]
fn a_byte_order_mark_changes_no_finding_of_any_template() {
    assert!(compare_with_byte_order_marks("fixtures/cloudformation") >= 8);
    // A mark right before the key that makes the file a template.
    let template = "Resources:\n  Policy:\n    Type: Custom::SesIdentityPolicy\n    Properties:\n      \
                    Identity: example.com\n      PolicyName: cognito\n      PolicyDocument:\n        \
                    Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            \
                    Principal: {Service: cognito-idp.amazonaws.com}\n            Action: ses:SendEmail\n            \
                    Resource: arn:aws:ses:eu-west-1:210987654321:identity/example.com\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain.yaml"), template).unwrap();
    std::fs::write(dir.path().join("marked.yaml"), format!("\u{feff}{template}")).unwrap();
    let (report, _, _) = json_report(seslint(dir.path()).args(["check", "--format", "json", "."]));
    let places = |file: &str| -> Vec<(String, u64, u64)> {
        places(&report)
            .into_iter()
            .filter(|(path, ..)| path == file)
            .map(|(_, rule, line, column)| (rule, line, column))
            .collect()
    };
    assert!(!places("plain.yaml").is_empty());
    assert_eq!(places("plain.yaml"), places("marked.yaml"));
}

/// Lints each directory of `folder` as it is and with byte order marks: the same findings at the
/// same places. Returns how many were compared.
fn compare_with_byte_order_marks(folder: &str) -> usize {
    let modules = root().join(folder);
    let mut compared = 0;
    for entry in std::fs::read_dir(&modules).unwrap() {
        let module = entry.unwrap().path();
        if !module.is_dir() || module.ends_with("plan") {
            continue;
        }
        let run = |bom: bool| {
            let dir = tempfile::tempdir().unwrap();
            copy_module(&module, dir.path(), bom);
            let (report, stderr, _) = json_report(seslint(dir.path()).args(["check", "--format", "json", "."]));
            let messages: Vec<String> = diagnostics(&report)
                .into_iter()
                .map(|d| format!("{} {}", d.policy, d.message))
                .collect();
            (
                places(&report),
                messages,
                report["summary"]["policies_checked"].clone(),
                stderr,
            )
        };
        let (plain, with_bom) = (run(false), run(true));
        assert_eq!(plain, with_bom, "{} with byte order marks", module.display());
        compared += 1;
    }
    compared
}

#[test]
fn a_byte_order_mark_module_keeps_its_findings_at_the_same_places() {
    let (report, _, code) =
        json_report(seslint(root()).args(["check", "--format", "json", "fixtures/terraform/byte-order-mark"]));
    let dir = "fixtures/terraform/byte-order-mark";
    assert_eq!(
        places(&report),
        [
            (format!("{dir}/main.tf"), "COG001".into(), 12, 36),
            (format!("{dir}/roles.tf.json"), "COG013".into(), 6, 124),
        ]
    );
    assert_eq!(code, Some(1), "warnings fail under the default --fail-on");
}

#[test]
fn policy_size_is_measured_on_policy_text_only() {
    let dir = tempfile::tempdir().unwrap();
    let padding = "# a long comment that makes the file larger than any policy may be\n".repeat(100);
    // A `.tf` file over 4 KB that does not parse: SRC001, no SES009.
    std::fs::write(
        dir.path().join("main.tf"),
        format!("{padding}resource \"aws_ses_identity_policy\" \"x\" {{\n  policy = <<EOF\n{{}}\n"),
    )
    .unwrap();
    // Files over 4 KB in formats seslint does not read.
    std::fs::write(
        dir.path().join("stack.ts"),
        format!("// {padding}\nconst Statement = [];\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("template.yaml"), format!("{padding}Statement: []\n")).unwrap();
    let (report, _, _) =
        json_report(seslint(dir.path()).args(["check", "--format", "json", "main.tf", "stack.ts", "template.yaml"]));
    let rules: Vec<String> = places(&report)
        .into_iter()
        .map(|(path, rule, ..)| format!("{path} {rule}"))
        .collect();
    assert_eq!(rules, ["main.tf SRC001"]);
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("the Terraform file does not parse: "), "{message}");
}

fn terraform_findings(module: &str) -> Vec<(String, String, String)> {
    let (report, _, _) = json_report(seslint(root()).args(["check", "--format", "json", module]));
    diagnostics(&report)
        .into_iter()
        .map(|d| (d.rule, d.policy, d.message))
        .collect()
}

#[test]
fn count_and_for_each_instances_resolve_like_plain_references() {
    let found = terraform_findings("fixtures/terraform/indexed-references");
    let labels: Vec<(&str, &str)> = found
        .iter()
        .map(|(rule, policy, _)| (rule.as_str(), policy.as_str()))
        .collect();
    // `role = aws_iam_role.mailer[0].id` grants the role SES send: COG013 on a legacy principal.
    // `data.aws_iam_policy_document.sender[each.key].json`: labelled with the resource using it.
    assert_eq!(
        labels,
        [
            ("COG013", "aws_iam_role.mailer"),
            ("COG001", "aws_ses_identity_policy.sender")
        ]
    );
    // The Sid as the source writes it.
    assert!(
        found[1].2.starts_with("statement \"${var.stage}CognitoSend\" "),
        "{}",
        found[1].2
    );
}

#[test]
fn one_defect_gives_one_finding() {
    // One example account in the Resource, aws:SourceAccount and aws:SourceArn: one SES010,
    // at its first place, with labels on the others.
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "CognitoSend",
      "Effect": "Allow",
      "Principal": {"Service": "email.cognito-idp.amazonaws.com"},
      "Action": ["ses:SendEmail", "ses:SendRawEmail"],
      "Resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
      "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Abc123"}
      }
    }
  ]
}"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.json"), policy).unwrap();
    let (report, _, _) = json_report(seslint(dir.path()).args(["check", "--format", "json", "policy.json"]));
    assert_eq!(
        places(&report),
        [("policy.json".to_string(), "SES010".to_string(), 9, 19)]
    );
    seslint(dir.path())
        .args(["check", "policy.json"])
        .assert()
        .stdout(predicate::str::contains("╰── example account").count(3));
    // The identity pool placeholder is COG007's alone.
    let (report, _, _) = json_report(seslint(root()).args([
        "check",
        "--format",
        "json",
        "fixtures/json/COG007-source-arn-not-user-pool/fires-identity-pool-placeholder.json",
    ]));
    let rules: Vec<String> = places(&report).into_iter().map(|(_, rule, ..)| rule).collect();
    assert_eq!(rules, ["COG007"]);
}

#[test]
fn selecting_a_rule_keeps_the_findings_another_rule_would_own() {
    let (report, _, _) = json_report(seslint(root()).args([
        "check",
        "--format",
        "json",
        "--select",
        "SES010",
        "fixtures/json/COG007-source-arn-not-user-pool/fires-identity-pool-placeholder.json",
    ]));
    let rules: Vec<String> = places(&report).into_iter().map(|(_, rule, ..)| rule).collect();
    assert_eq!(rules, ["SES010"]);
}
