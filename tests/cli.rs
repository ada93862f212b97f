//! The command line as users and scripts meet it: exit codes, subcommands, formats, rule files
//! that do not load, and what a directory walk looks at.

mod common;

use assert_cmd::Command;
use common::{codes, fixture, good_policy, json_output, root};
use predicates::prelude::*;

/// seslint, run at the repository's root.
fn seslint() -> Command {
    common::seslint(root())
}

const GOOD: &str = "fixtures/aws-docs/cognito-current-guide.json";

/// The good policy without its Version: only a warning (SES003).
fn warning_only_policy() -> String {
    good_policy().replace("  \"Version\": \"2012-10-17\",\n", "")
}

#[test]
fn a_correct_policy_exits_0() {
    seslint()
        .args(["check", GOOD])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no findings"));
}

#[test]
fn findings_exit_1_and_a_bare_path_means_check() {
    seslint()
        .arg("fixtures/aws-docs/cognito-example-as-published.json")
        .assert()
        .code(1);
}

#[test]
fn warnings_fail_by_default_but_not_with_fail_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, warning_only_policy()).unwrap();
    seslint()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("0 errors, 1 warning"));
    seslint()
        .args(["check", "--fail-on", "error"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn a_missing_path_exits_2() {
    seslint()
        .args(["check", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read does/not/exist.json: No such file or directory",
        ));
}

#[test]
fn bad_arguments_exit_2() {
    seslint().args(["check", "--format", "xml", GOOD]).assert().code(2);
}

#[test]
fn json_output_follows_the_contract() {
    let report = json_output(seslint().args(["check", "--format", "json", "fixtures/aws-docs"]));
    assert_eq!(report["version"], 1);
    let summary = &report["summary"];
    for key in ["files_scanned", "policies_checked", "errors", "warnings", "infos"] {
        assert!(summary[key].is_u64(), "summary.{key}");
    }
    // The two policies and the directory's README.md (Markdown, read for code blocks).
    assert_eq!(summary["files_scanned"], 3);
    let first = &report["diagnostics"][0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["rule", "name", "severity", "message", "help", "path", "policy", "span", "start", "end"]
    );
    assert_eq!(first["path"], "fixtures/aws-docs/cognito-example-as-published.json");
    assert!(first["span"]["offset"].is_u64() && first["start"]["line"].is_u64());
}

#[test]
fn human_output_has_no_colour_when_piped_or_no_color() {
    let output = seslint()
        .arg("fixtures/aws-docs/cognito-example-as-published.json")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}'),
        "no escape codes when stdout is not a terminal"
    );
    assert!(stdout.contains("SES013(uppercase-global-condition-key)"));
    seslint().env("NO_COLOR", "1").arg(GOOD).assert().stdout("");
}

#[test]
fn the_aws_page_example_is_reported_at_its_faults() {
    let report = json_output(seslint().args([
        "--format",
        "json",
        "fixtures/aws-docs/cognito-example-as-published.json",
    ]));
    let found: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().into(),
                d["start"]["line"].as_u64().unwrap(),
                d["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // The raw line breaks inside the three placeholders.
    assert!(found.contains(&("SES001".into(), 1, 224)), "{found:?}");
    // The placeholders themselves, and the line breaks they leave in the values.
    assert!(
        found.iter().any(|(code, line, _)| code == "SES010" && *line == 1),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(code, line, _)| code == "SES011" && *line == 1),
        "{found:?}"
    );
    // `AWS:SourceAccount` on line 3 and `AWS:SourceArn` on line 4.
    assert!(found.contains(&("SES013".into(), 3, 37)), "{found:?}");
    assert!(found.contains(&("SES013".into(), 4, 19)), "{found:?}");
}

#[test]
fn rules_lists_every_rule() {
    let rules = seslint::rules::RuleSet::builtin().unwrap();
    let output = seslint().arg("rules").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("CODE    NAME"));
    for rule in &rules.rules {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&rule.code))
            .unwrap_or_else(|| panic!("{} listed", rule.code));
        assert!(line.contains(&rule.name) && line.contains(rule.severity.as_str()) && line.contains(&rule.summary));
    }
}

#[test]
fn explain_prints_a_rules_documentation() {
    seslint()
        .args(["explain", "COG005"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("COG005 missing-source-account (error)"))
        .stdout(predicate::str::contains("What it does").and(predicate::str::contains("Why it matters")))
        .stdout(predicate::str::contains("Example").and(predicate::str::contains("How to fix")));
    seslint().args(["explain", "missing-source-account"]).assert().code(0);
    seslint()
        .args(["explain", "COG05"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean COG005?"));
}

fn rule_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn custom_rule(code: &str) -> String {
    let text = std::fs::read_to_string(fixture("custom-rules/rules/ORG001-source-account-allowlist.toml")).unwrap();
    text.replace("\"ORG001\"", &format!("{code:?}"))
}

#[test]
fn a_rule_file_that_does_not_load_exits_2_pointing_into_it() {
    let broken = rule_dir(&[("ORG001-source-account-allowlist.toml", "code = \"ORG001\"\nname = [\n")]);
    seslint()
        .arg("--rules")
        .arg(broken.path())
        .arg(GOOD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid rule file"))
        .stderr(predicate::str::contains("ORG001-source-account-allowlist.toml:2:"));

    let org001 = custom_rule("ORG001");
    let allowlist = "require = { equals = [\"111111111111\", \"333333333333\"] }";
    let broken_rules = [
        (
            "ORG001-source-account-allowlist.toml",
            org001.replace("summary =", "sumary ="),
            "unknown field `sumary`",
        ),
        (
            "ORG001-source-account-allowlist.toml",
            org001.replace("$.Condition.*['aws:sourceaccount'][*]", "$.Condition["),
            "invalid JSONPath",
        ),
        (
            "ORG001-source-account-allowlist.toml",
            org001.replace(allowlist, "require = { regex = \"(\" }"),
            "invalid regular expression",
        ),
        (
            "ORG001-source-account-allowlist.toml",
            org001.replace("{statement} lets", "{statment} lets"),
            "unknown placeholder `{statment}`",
        ),
        (
            "COG005-missing-source-account.toml",
            custom_rule("COG005").replace("source-account-allowlist", "missing-source-account"),
            "rule code COG005 is defined twice",
        ),
    ];
    for (name, text, expected) in broken_rules {
        let dir = rule_dir(&[(name, &text)]);
        seslint()
            .arg("--rules")
            .arg(dir.path())
            .arg(GOOD)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }

    let misnamed = rule_dir(&[("org.toml", &custom_rule("ORG001"))]);
    seslint()
        .arg("--rules")
        .arg(misnamed.path())
        .arg(GOOD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected `ORG001-source-account-allowlist.toml`",
        ));
}

#[test]
fn custom_rules_run_beside_the_built_in_ones() {
    let report = json_output(seslint().args([
        "check",
        "--format",
        "json",
        "--rules",
        "fixtures/custom-rules/rules",
        "fixtures/custom-rules/partner-policy.json",
    ]));
    let found = codes(&report);
    assert!(
        found.contains(&"ORG001".to_string()) && found.contains(&"ORG002".to_string()),
        "{found:?}"
    );
    seslint()
        .args(["explain", "ORG002", "--rules", "fixtures/custom-rules/rules"])
        .assert()
        .code(0);
}

#[test]
fn unrelated_json_gives_nothing_but_is_counted() {
    let report = json_output(seslint().args(["check", "--format", "json", "fixtures/unrelated"]));
    assert_eq!(codes(&report), Vec::<String>::new());
    // The five JSON files and the directory's README.md.
    assert_eq!(report["summary"]["files_scanned"], 6);
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let report = json_output(
        seslint()
            .args([
                "check",
                "--format",
                "json",
                "-",
                "--stdin-filename",
                "infra/policy.json",
            ])
            .write_stdin(warning_only_policy()),
    );
    assert_eq!(codes(&report), ["SES003"]);
    assert_eq!(report["diagnostics"][0]["path"], "infra/policy.json");
}

/// A tree with files the walk must not look at: ignored, hidden, behind symlinks, not regular.
#[test]
fn a_directory_walk_skips_ignored_and_special_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let bad = warning_only_policy();
    std::fs::create_dir_all(root.join("modules/mail")).unwrap();
    std::fs::create_dir_all(root.join(".terraform")).unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    std::fs::create_dir_all(root.join("dir.json")).unwrap();
    std::fs::write(root.join(".gitignore"), "build/\nignored.json\n").unwrap();
    std::fs::write(root.join(".ignore"), "also-ignored.json\n").unwrap();
    std::fs::write(root.join("modules/mail/policy.json"), &bad).unwrap();
    std::fs::write(root.join("ignored.json"), &bad).unwrap();
    std::fs::write(root.join("also-ignored.json"), &bad).unwrap();
    std::fs::write(root.join("build/policy.json"), &bad).unwrap();
    std::fs::write(root.join(".terraform/policy.json"), &bad).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("policy.json"), &bad).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("policy.json"), root.join("link.json")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("linked-dir")).unwrap();
        let fifo = root.join("pipe.json");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
    }
    let report = json_output(seslint().current_dir(root).args(["check", "--format", "json", "."]));
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["modules/mail/policy.json"]);
    assert_eq!(report["summary"]["files_scanned"], 1);

    // A file named on the command line is linted even when ignored.
    let report = json_output(
        seslint()
            .current_dir(root)
            .args(["check", "--format", "json", "ignored.json"]),
    );
    assert_eq!(codes(&report), ["SES003"]);
}

/// A user rule may compare through a data table of its own (`DIR/data/*.toml`) or a built-in
/// one; a table no data file defines is a load error at its name.
#[test]
fn rules_compare_through_data_tables() {
    let rule = |table: &str| {
        format!(
            r#"code = "ORG010"
name = "pool-region-allowlist"
severity = "error"
summary = "the user pool is in a region the organisation does not use"
applies-to = "ses-identity-policy"
unit = "cognito-statement"
message = "{{statement}} lets a user pool in {{right}} send from {{left}}; allowed: {{expected}}"
help = "use the organisation's regions"
[doc]
what = "w"
why = "w"
fix = "f"
[[check]]
[check.compare]
left = {{ path = "$.Resource[*]", arn = "region" }}
right = {{ path = "$.Condition.*['aws:sourcearn'][*]", arn = "region" }}
table = "{table}"
[[example]]
expect = "violation"
policy = '{{"Statement": []}}'
[[example]]
expect = "clean"
policy = '{{"Statement": []}}'
"#
        )
    };
    let dir = rule_dir(&[("ORG010-pool-region-allowlist.toml", &rule("org-regions"))]);
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/org.toml"),
        "[about]\ndate = \"2026-11\"\nsource = \"the platform team\"\n[table.org-regions]\n\"us-east-1\" = [\"eu-west-1\"]\n",
    )
    .unwrap();
    let report = json_output(
        seslint()
            .args(["check", "--format", "json", "--select", "ORG010", "--rules"])
            .arg(dir.path())
            .arg(GOOD),
    );
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            r#"statement "AllowCognitoToSendFromExampleCom" lets a user pool in "us-east-1" send from "us-east-1"; allowed: "eu-west-1""#
        ]
    );
    let unknown = rule_dir(&[(
        "ORG010-pool-region-allowlist.toml",
        &rule("cognito-ses-identity-region"),
    )]);
    seslint()
        .arg("--rules")
        .arg(unknown.path())
        .arg(GOOD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            r#"no data table "cognito-ses-identity-region""#,
        ))
        .stderr(predicate::str::contains(
            r#"did you mean "cognito-ses-identity-regions"?"#,
        ));
}

/// `seslint test-rules DIR` runs an organisation's own rule examples: PASS or FAIL each, exit 1
/// on a failure.
#[test]
fn test_rules_runs_the_examples_of_user_rules() {
    seslint()
        .args(["test-rules", "fixtures/custom-rules/rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS ORG001 example 1 (violation)"))
        .stdout(predicate::str::contains("PASS ORG002 example"))
        .stdout(predicate::str::contains("SES001").not())
        .stdout(predicate::str::contains(" passed, 0 failed"));
    // A clean example that is not clean (not even JSON).
    let broken = custom_rule("ORG001") + "\n[[example]]\nexpect = \"clean\"\npolicy = '{\"Statement\": ['\n";
    let dir = rule_dir(&[("ORG001-source-account-allowlist.toml", &broken)]);
    seslint()
        .arg("test-rules")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL ORG001 example"))
        .stdout(predicate::str::contains("expected no finding, got:\n       SES001"))
        .stdout(predicate::str::contains(" 1 failed"));
}
