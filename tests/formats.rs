//! The SARIF and GitHub Actions formats: snapshots of what users see, the SARIF fields that
//! code-scanning services read, fingerprints that survive line moves, GitHub's escaping, and
//! validation against the official SARIF 2.1.0 JSON schema (installed by .ci/setup).

mod common;

use seslint::discover::{Problem, WalkProblem};
use seslint::error::{IoError, Subject};
use std::process::Command;

use serde_json::Value;

use common::{root, run_with as run};
use seslint::fingerprint::fingerprint;
use seslint::report::{github, sarif};
use seslint::rules::{Expect, RuleSet, Severity};
use seslint::source::{LineIndex, Span};
use seslint::{lint_bytes, FileReport, RunReport};

fn rules() -> RuleSet {
    RuleSet::builtin().unwrap()
}

/// One file, linted under the name `name` (relative to the repository, `/` separators).
fn lint_file(name: &str, rules: &RuleSet) -> RunReport {
    let bytes = std::fs::read(root().join(name)).unwrap();
    lint_text(name, &bytes, rules)
}

fn lint_text(name: &str, bytes: &[u8], rules: &RuleSet) -> RunReport {
    RunReport {
        files: vec![lint_bytes(name, bytes, rules)],
        ..RunReport::default()
    }
}

fn sarif_log(report: &RunReport, rules: &RuleSet) -> Value {
    serde_json::from_str(&sarif::render(report, rules)).expect("the SARIF output is JSON")
}

/// The SARIF output with the tool's version replaced, so that a release does not change every
/// snapshot.
fn sarif_for_snapshot(report: &RunReport, rules: &RuleSet) -> String {
    let rendered = sarif::render(report, rules);
    let version = format!("\"version\": \"{}\",", env!("CARGO_PKG_VERSION"));
    assert_eq!(rendered.matches(&version).count(), 1, "one tool version in the log");
    rendered.replace(&version, "\"version\": \"[version]\",")
}

/// The log with the driver's rules left out: they are the same in every log and are
/// snapshotted once, in `sarif_typical_public_repo`.
fn sarif_results_for_snapshot(report: &RunReport, rules: &RuleSet) -> String {
    let mut log: Value = serde_json::from_str(&sarif_for_snapshot(report, rules)).unwrap();
    let count = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len();
    log["runs"][0]["tool"]["driver"]["rules"] = Value::String(format!("[{count} rules]"));
    serde_json::to_string_pretty(&log).unwrap()
}

const TYPICAL: &str = "fixtures/examples/typical-public-repo.json";
const CLI_EXPORT: &str = "fixtures/cli-export/get-identity-policies.json";
const TERRAFORM: &str = "fixtures/terraform/data-source-merged";

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn sarif_snapshots() {
    let rules = rules();
    insta::assert_snapshot!(
        "sarif_typical_public_repo",
        sarif_for_snapshot(&lint_file(TYPICAL, &rules), &rules)
    );
    insta::assert_snapshot!(
        "sarif_cli_export",
        sarif_results_for_snapshot(&lint_file(CLI_EXPORT, &rules), &rules)
    );
    insta::assert_snapshot!(
        "sarif_terraform_data_source_merged",
        sarif_results_for_snapshot(&run(TERRAFORM, &rules), &rules)
    );
}

#[test]
fn github_snapshots() {
    let rules = rules();
    insta::assert_snapshot!(
        "github_typical_public_repo",
        github::render(&lint_file(TYPICAL, &rules))
    );
    insta::assert_snapshot!("github_cli_export", github::render(&lint_file(CLI_EXPORT, &rules)));
    insta::assert_snapshot!(
        "github_terraform_data_source_merged",
        github::render(&run(TERRAFORM, &rules))
    );
    insta::assert_snapshot!(
        "github_multiline_spans",
        github::render(&lint_file(
            "fixtures/aws-docs/cognito-example-as-published.json",
            &rules
        ))
    );
}

// ---------------------------------------------------------------------------------------------
// SARIF structure

#[test]
fn sarif_log_declares_schema_version_and_tool() {
    let rules = rules();
    let log = sarif_log(&lint_file(TYPICAL, &rules), &rules);
    assert_eq!(
        log["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "seslint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], "https://crates.io/crates/seslint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let base = &run["originalUriBaseIds"]["%SRCROOT%"];
    assert!(base.is_object(), "%SRCROOT% is declared: {base}");
    assert!(base["description"]["text"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["properties"]["summary"]["files_scanned"], 1);
}

#[test]
fn sarif_driver_describes_every_rule() {
    let rules = RuleSet::load(&[root().join("fixtures/custom-rules/rules")]).unwrap();
    let log = sarif_log(&RunReport::default(), &rules);
    let descriptors = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    // Every rule, then SUP001 (unused suppression).
    assert_eq!(descriptors.len(), rules.rules.len() + 1);
    assert_eq!(descriptors[rules.rules.len()]["id"], "SUP001");
    for (rule, descriptor) in rules.rules.iter().zip(descriptors) {
        assert_eq!(descriptor["id"], rule.code.as_str());
        assert_eq!(descriptor["name"], rule.name.as_str());
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary.as_str());
        assert_eq!(descriptor["fullDescription"]["text"], rule.doc.what.trim());
        let level = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(descriptor["defaultConfiguration"]["level"], level, "{}", rule.code);
        let tags: Vec<&str> = descriptor["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(!tags.is_empty(), "{}", rule.code);
        assert_eq!(tags.contains(&"custom"), rule.origin != "built-in", "{}", rule.code);

        let text = descriptor["help"]["text"].as_str().unwrap();
        let markdown = descriptor["help"]["markdown"].as_str().unwrap();
        for part in [&rule.doc.what, &rule.doc.why, &rule.doc.fix] {
            assert!(text.contains(part.trim()), "{}: help text has {part:?}", rule.code);
            assert!(
                markdown.contains(part.trim()),
                "{}: help markdown has {part:?}",
                rule.code
            );
        }
        assert!(rule.examples.iter().any(|e| e.expect == Expect::Violation));
        for example in &rule.examples {
            let block = format!("```json\n{}\n```", example.policy.trim_end());
            assert!(markdown.contains(&block), "{}: fenced example {block}", rule.code);
            let first_line = example.policy.lines().next().unwrap();
            assert!(
                text.contains(&format!("    {first_line}")),
                "{}: indented example",
                rule.code
            );
        }
        let violation = markdown.find("**Example").unwrap();
        let clean = markdown.find("**Fixed").unwrap_or(usize::MAX);
        assert!(violation < clean, "{}: the violation comes first", rule.code);
    }
}

/// The characters of `text` between two byte offsets.
fn chars_between(text: &str, from: usize, to: usize) -> usize {
    text[from..to].chars().count()
}

/// Every result of the log against the findings it came from.
fn assert_results_match(report: &RunReport, rules: &RuleSet) {
    let log = sarif_log(report, rules);
    let run = &log["runs"][0];
    let driver_rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings: Vec<_> = report.findings().collect();
    assert_eq!(results.len(), findings.len());
    assert!(!results.is_empty());
    for (result, (file, finding)) in results.iter().zip(&findings) {
        let what = format!("{} at {:?} in {}", finding.code, finding.span, file.path);
        assert_eq!(result["ruleId"], finding.code.as_str(), "{what}");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver_rules[index]["id"], result["ruleId"], "{what}");
        let level = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(result["level"], level, "{what}");

        let message = result["message"]["text"].as_str().unwrap();
        let expected = if finding.policy.is_empty() {
            finding.message.clone()
        } else {
            format!("{}: {}", finding.policy, finding.message)
        };
        assert!(message.starts_with(&expected), "{what}: {message}");
        assert!(message.ends_with(&finding.help), "{what}: {message}");

        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "{what}");
        let physical = &locations[0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], file.path.as_str(), "{what}");
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%", "{what}");
        assert_region(&file.text, finding.span, &physical["region"], &what);
        if finding.policy.is_empty() {
            assert!(locations[0].get("logicalLocations").is_none(), "{what}");
        } else {
            assert_eq!(
                locations[0]["logicalLocations"][0]["fullyQualifiedName"],
                finding.policy.as_str(),
                "{what}"
            );
        }

        assert_eq!(
            result["partialFingerprints"]["seslint/v1"],
            fingerprint(&file.path, finding).as_str(),
            "{what}"
        );

        match result.get("relatedLocations") {
            None => assert!(finding.related.is_empty(), "{what}"),
            Some(related) => {
                let related = related.as_array().unwrap();
                assert_eq!(related.len(), finding.related.len(), "{what}");
                for (i, (location, (span, label))) in related.iter().zip(&finding.related).enumerate() {
                    assert_eq!(location["id"], i + 1);
                    let physical = &location["physicalLocation"];
                    assert_eq!(physical["artifactLocation"]["uri"], file.path.as_str());
                    assert_region(&file.text, *span, &physical["region"], &what);
                    if !label.is_empty() {
                        assert_eq!(location["message"]["text"], label.as_str(), "{what}");
                    }
                }
            }
        }
    }
}

/// A region holds the span's lines and character columns, and its character offset and length
/// select exactly the span's text.
fn assert_region(text: &str, span: Span, region: &Value, what: &str) {
    let lines = LineIndex::new(text);
    let (start, end) = (lines.position(span.start), lines.position(span.end));
    assert_eq!(region["startLine"], start.line, "{what}");
    assert_eq!(region["startColumn"], start.column, "{what}");
    assert_eq!(region["endLine"], end.line, "{what}");
    assert_eq!(region["endColumn"], end.column, "{what}");
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let offset = region["charOffset"].as_u64().unwrap() as usize;
    let length = region["charLength"].as_u64().unwrap() as usize;
    assert_eq!(offset, chars_between(text, bom, span.start), "{what}");
    assert_eq!(length, chars_between(text, span.start, span.end), "{what}");
    let selected: String = body.chars().skip(offset).take(length).collect();
    assert_eq!(selected, text[span.start..span.end], "{what}");
}

#[test]
fn sarif_results_match_their_findings() {
    let rules = rules();
    assert_results_match(&lint_file(TYPICAL, &rules), &rules);
    assert_results_match(&lint_file(CLI_EXPORT, &rules), &rules);
    assert_results_match(&run(TERRAFORM, &rules), &rules);
    // related locations (the other side of a comparison)
    let report = lint_file("fixtures/json/COG009-account-mismatch/fires.json", &rules);
    assert!(report.findings().any(|(_, f)| !f.related.is_empty()));
    assert_results_match(&report, &rules);
    // spans over several lines
    assert_results_match(
        &lint_file("fixtures/aws-docs/cognito-example-as-published.json", &rules),
        &rules,
    );
}

/// A byte order mark, CRLF line ends, and characters of two, three and four bytes (one of them
/// outside the Basic Multilingual Plane) before the finding on its line.
const UNICODE_POLICY: &str = "\u{feff}{\r\n  \"Version\": \"2012-10-17\",\r\n  \"Statement\": [\r\n    {\"Sid\": \"Zürich→Ωmega🚀\", \"Effect\": \"Allow\", \"Principal\": {\"Service\": \"email.cognito-idp.amazonaws.com\"}, \"Action\": \"ses:*\", \"Resource\": \"arn:aws:ses:eu-west-1:111111111111:identity/example.com\"}\r\n  ]\r\n}\r\n";

#[test]
fn sarif_columns_and_offsets_count_code_points() {
    let rules = rules();
    let report = lint_text("infra/ünïcode policy.json", UNICODE_POLICY.as_bytes(), &rules);
    let file = &report.files[0];
    assert!(
        file.findings.iter().any(|f| f.code == "COG003"),
        "the wildcard action is reported"
    );
    let log = sarif_log(&report, &rules);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "COG003").unwrap();
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "infra/%C3%BCn%C3%AFcode%20policy.json"
    );

    let region = &physical["region"];
    let line = UNICODE_POLICY.lines().nth(3).unwrap();
    let before = &line[..line.find("\"ses:*\"").unwrap()];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], before.chars().count() + 1);
    assert_ne!(
        before.chars().count(),
        before.len(),
        "the line has multi-byte characters"
    );
    assert_eq!(region["endColumn"], before.chars().count() + 1 + "\"ses:*\"".len());
    // CR counts as a character of the line before; the BOM is not a character.
    let offset = region["charOffset"].as_u64().unwrap() as usize;
    let body: Vec<char> = UNICODE_POLICY.chars().skip(1).collect();
    let selected: String = body[offset..offset + 7].iter().collect();
    assert_eq!(selected, "\"ses:*\"");
    assert_eq!(region["charLength"], 7);

    // The whole report agrees with the line index, whatever the finding.
    let fixed = RunReport {
        files: vec![FileReport {
            path: "policy.json".into(),
            ..file.clone()
        }],
        ..RunReport::default()
    };
    assert_results_match(&fixed, &rules);
}

#[test]
fn sarif_uris_are_percent_encoded_relative_references() {
    let rules = rules();
    let bytes = std::fs::read(root().join(TYPICAL)).unwrap();
    for (path, uri) in [
        ("infra/ses policy/100%.json", "infra/ses%20policy/100%25.json"),
        ("a:b/#1?.json", "a%3Ab/%231%3F.json"),
        ("./x.json", "x.json"),
        ("../up/ü.json", "../up/%C3%BC.json"),
    ] {
        let log = sarif_log(&lint_text(path, &bytes, &rules), &rules);
        let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uri"], uri, "{path}");
        assert_eq!(location["uriBaseId"], "%SRCROOT%", "{path}");
    }
    let log = sarif_log(&lint_text("/srv/repo/policy.json", &bytes, &rules), &rules);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "file:///srv/repo/policy.json");
    assert!(location.get("uriBaseId").is_none());
}

/// A file or directory that could not be read: permission denied.
fn unreadable(path: &str, subject: Subject) -> WalkProblem {
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    WalkProblem::new(path, Problem::Unreadable(IoError::read(subject, None, denied)))
}

#[test]
fn sarif_reports_unreadable_files_as_notifications() {
    let rules = rules();
    let mut report = lint_file(TYPICAL, &rules);
    report.problems.push(unreadable("infra/locked.json", Subject::File));
    let log = sarif_log(&report, &rules);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(notification["message"]["text"], "cannot read file: permission denied");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "infra/locked.json"
    );
}

#[test]
fn sarif_without_findings_has_empty_results() {
    let rules = rules();
    let log = sarif_log(&lint_file("fixtures/cli-export/clean.json", &rules), &rules);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(),
        rules.rules.len() + 1
    );
}

#[test]
fn sarif_fingerprints_survive_lines_inserted_above() {
    let rules = rules();
    let policy = std::fs::read_to_string(root().join(TYPICAL)).unwrap();
    let shifted = format!("\n\n\n\n\n{policy}");
    let results = |text: &str| -> Vec<(String, String, u64)> {
        let log = sarif_log(&lint_text("infra/policy.json", text.as_bytes(), &rules), &rules);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["seslint/v1"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let (before, after) = (results(&policy), results(&shifted));
    assert_eq!(before.len(), 4);
    assert_eq!(before.len(), after.len());
    for ((code, print, line), (code_after, print_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(code, code_after);
        assert_eq!(
            print, print_after,
            "{code}: the fingerprint does not move with the lines"
        );
        assert_eq!(*line_after, line + 5, "{code}: the region does");
    }
    let prints: std::collections::HashSet<_> = before.iter().map(|(_, print, _)| print).collect();
    assert_eq!(prints.len(), before.len(), "fingerprints tell findings apart");
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands

#[test]
fn github_commands_name_file_lines_columns_and_rule() {
    let rules = rules();
    let report = lint_file(TYPICAL, &rules);
    let output = github::render(&report);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), report.findings().count());
    assert!(output.ends_with('\n'));
    assert_eq!(
        lines[0],
        "::warning file=fixtures/examples/typical-public-repo.json,line=2,endLine=2,col=14,endColumn=26,\
         title=SES003 unsupported-version::the policy's Version \"2008-10-17\" is the legacy policy language, \
         without policy variables%0Ahelp: use \"Version\": \"2012-10-17\""
    );
    for (line, (_, finding)) in lines.iter().zip(report.findings()) {
        let command = match finding.severity {
            Severity::Error => "::error ",
            Severity::Warning => "::warning ",
            Severity::Info => "::notice ",
        };
        assert!(line.starts_with(command), "{line}");
        assert!(
            line.contains(&format!(",title={} {}::", finding.code, finding.name)),
            "{line}"
        );
    }
    assert_eq!(github::render(&lint_file("fixtures/cli-export/clean.json", &rules)), "");
}

/// A real finding whose texts and place are replaced, to exercise the escaping.
fn crafted(path: &str, policy: &str, message: &str, help: &str, severity: Severity) -> RunReport {
    let rules = rules();
    let mut report = lint_file(TYPICAL, &rules);
    let file = &mut report.files[0];
    file.path = path.into();
    file.findings.truncate(1);
    let finding = &mut file.findings[0];
    finding.policy = policy.into();
    finding.message = message.into();
    finding.help = help.into();
    finding.severity = severity;
    report
}

#[test]
fn github_escapes_data_and_properties() {
    let report = crafted(
        "infra/a,b:c%d.json",
        "module.ses[\"a,b\"].aws_ses_identity_policy.x",
        "100% sure:\r\nsecond line, with a comma",
        "fix it: now",
        Severity::Info,
    );
    assert_eq!(
        github::render(&report),
        "::notice file=infra/a%2Cb%3Ac%25d.json,line=2,endLine=2,col=14,endColumn=26,title=SES003 unsupported-version\
         ::module.ses[\"a,b\"].aws_ses_identity_policy.x: 100%25 sure:%0D%0Asecond line, with a comma%0Ahelp: fix it: now\n"
    );
    // Nothing the runner would read as the end of the command or of a property is left.
    let line = github::render(&report);
    let (properties, data) = line.trim_end().split_once("::").unwrap().1.split_once("::").unwrap();
    assert!(!data.contains(['\r', '\n']));
    for property in properties.split(',') {
        let (_, value) = property.split_once('=').unwrap();
        assert!(!value.contains([':', ',', '\r', '\n']), "{value}");
    }
}

#[test]
fn github_escape_functions() {
    assert_eq!(github::escape_data("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad:e,f");
    assert_eq!(github::escape_property("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad%3Ae%2Cf");
    // `%` first: an escape is never escaped twice.
    assert_eq!(github::escape_data("%0A"), "%250A");
}

#[test]
fn github_omits_columns_for_spans_over_several_lines() {
    let rules = rules();
    let report = lint_file("fixtures/aws-docs/cognito-example-as-published.json", &rules);
    let output = github::render(&report);
    let mut several = 0;
    for (line, (file, finding)) in output.lines().zip(report.findings()) {
        let index = LineIndex::new(&file.text);
        let (start, end) = (index.position(finding.span.start), index.position(finding.span.end));
        assert!(
            line.contains(&format!("line={},endLine={},", start.line, end.line)),
            "{line}"
        );
        if start.line == end.line {
            assert!(
                line.contains(&format!(",col={},endColumn={},", start.column, end.column)),
                "{line}"
            );
        } else {
            several += 1;
            assert!(!line.contains(",col="), "{line}");
        }
    }
    assert!(several > 0, "the fixture has spans over several lines");
}

#[test]
fn github_and_sarif_include_the_policy_label() {
    let rules = rules();
    let report = lint_file(CLI_EXPORT, &rules);
    let output = github::render(&report);
    assert!(output.contains("::Policies.legacy-cognito: "), "{output}");
    let log = sarif_log(&report, &rules);
    assert!(log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["message"]["text"].as_str().unwrap().starts_with("Policies.")));
}

// ---------------------------------------------------------------------------------------------
// The official schema

/// Validates SARIF logs with scripts/validate-sarif.sh (the OASIS schema and Python jsonschema,
/// installed by .ci/setup). Without them the test is skipped locally, and fails in CI.
#[test]
fn sarif_output_validates_against_the_official_schema() {
    let rules = rules();
    let custom = RuleSet::load(&[root().join("fixtures/custom-rules/rules")]).unwrap();
    let mut problems = run("fixtures/examples", &rules);
    problems.problems.push(unreadable("infra/locked dir", Subject::Path));
    let logs = [
        ("fixtures", sarif::render(&run("fixtures", &rules), &rules)),
        ("custom", sarif::render(&run("fixtures/custom-rules", &custom), &custom)),
        (
            "unicode",
            sarif::render(
                &lint_text("infra/ünïcode policy #1.json", UNICODE_POLICY.as_bytes(), &rules),
                &rules,
            ),
        ),
        (
            "absolute",
            sarif::render(
                &lint_text("/srv/repo/policy.json", UNICODE_POLICY.as_bytes(), &rules),
                &rules,
            ),
        ),
        ("problems", sarif::render(&problems, &rules)),
        ("empty", sarif::render(&RunReport::default(), &rules)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, log) in &logs {
        let path = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&path, log).unwrap();
        files.push(path);
    }
    let script = root().join("scripts/validate-sarif.sh");
    let output = Command::new("bash").arg(&script).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(3) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: SARIF schema validation needs .ci/setup: {stderr}");
        }
        Some(3) => panic!("CI=true: the SARIF schema or validator is missing; run .ci/setup first\n{stderr}"),
        code => panic!("SARIF output is not valid against the SARIF 2.1.0 schema (exit {code:?}):\n{stdout}{stderr}"),
    }
}

/// The validator rejects what the schema forbids: a check of the check.
#[test]
fn the_schema_validator_rejects_an_invalid_log() {
    let rules = rules();
    let mut log = sarif_log(&lint_file(TYPICAL, &rules), &rules);
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::String("a b.json".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invalid.sarif");
    std::fs::write(&path, serde_json::to_string(&log).unwrap()).unwrap();
    let output = Command::new("bash")
        .arg(root().join("scripts/validate-sarif.sh"))
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    match output.status.code() {
        Some(1) => {
            assert!(stdout.contains("'fatal' is not one of"), "{stdout}");
            assert!(stdout.contains("'a b.json' is not a 'uri-reference'"), "{stdout}");
        }
        Some(3) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: SARIF schema validation needs .ci/setup");
        }
        code => panic!(
            "expected the validator to reject the log (exit 1), got {code:?}\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
