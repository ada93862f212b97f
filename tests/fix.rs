//! `seslint check --fix`, `--unsafe-fixes` and `--diff` as users meet them: every fixable rule
//! fixed in every container form (the rule no longer fires, the file still parses, only the
//! lines the fix names change, a second run changes nothing), bytes outside the edits kept (a
//! byte order mark, CRLF), the diff and the fixed files as snapshots, standard input, exit
//! codes and file permissions.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::containers::forms;
use common::{codes, fixture, json_report};
use serde_json::Value;

/// The pool the unsafe fixes are given (`--user-pool-arn`): the account and region of the
/// fixtures.
const POOL: &str = "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Abc123";

/// The rules that declare a fix.
const FIXABLE: [&str; 10] = [
    "SES003", "SES011", "SES013", "SES016", "COG001", "COG003", "COG004", "COG005", "COG006", "COG007",
];

fn seslint(dir: &Path) -> assert_cmd::Command {
    common::seslint(dir)
}

/// `check --isolated ARGS FILE` in `dir`, JSON report.
fn lint(dir: &Path, file: &str, select: &str) -> (Value, Option<i32>) {
    let (report, _, code) = json_report(seslint(dir).args([
        "check",
        "--isolated",
        "--format",
        "json",
        "--select",
        select,
        "--unsafe-fixes",
        "--user-pool-arn",
        POOL,
        file,
    ]));
    (report, code)
}

fn fix(dir: &Path, file: &str, select: &str) -> std::process::Output {
    seslint(dir)
        .args([
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "--user-pool-arn",
            POOL,
            "--select",
            select,
            file,
        ])
        .output()
        .unwrap()
}

/// The 1-based line numbers of `before` that `after` no longer has as they were.
fn removed_lines(before: &str, after: &str) -> Vec<usize> {
    let diff = seslint::fix::diff::unified("x", before, after);
    let mut removed = Vec::new();
    let mut line = 0;
    for row in diff.lines().skip(2) {
        if let Some(header) = row.strip_prefix("@@ -") {
            line = header.split([',', ' ']).next().unwrap().parse::<usize>().unwrap();
        } else if row.starts_with('-') {
            removed.push(line);
            line += 1;
        } else if row.starts_with(' ') {
            line += 1;
        }
    }
    removed
}

/// The lines the fixes of a report's findings of `rule` touch (their edits' first to last line).
fn fixed_lines(report: &Value, rule: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        if d["rule"] != rule {
            continue;
        }
        for edit in d["fix"]["edits"].as_array().into_iter().flatten() {
            let line = |k: &str| edit[k]["line"].as_u64().unwrap() as usize;
            lines.push((line("start"), line("end")));
        }
    }
    lines
}

#[test]
fn every_fixable_rule_is_fixed_in_every_container() {
    let mut fixed: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut all_forms: BTreeSet<&str> = BTreeSet::new();
    for rule in FIXABLE {
        let dir = std::fs::read_dir(fixture("json"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(rule))
            .unwrap();
        let mut firing: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("fires"))
            .collect();
        firing.sort();
        // The rule, and the rules that say the file no longer parses.
        let select = format!("{rule},SES001,SES002,SRC001");
        for path in firing {
            let policy = std::fs::read_to_string(&path).unwrap();
            for form in forms(&policy) {
                all_forms.insert(form.name);
                let what = format!(
                    "{rule} {} as {}",
                    path.file_name().unwrap().to_string_lossy(),
                    form.name
                );
                let tmp = tempfile::tempdir().unwrap();
                let file = tmp.path().join(form.file);
                std::fs::write(&file, &form.text).unwrap();
                let (before, _) = lint(tmp.path(), form.file, &select);
                let fires = codes(&before);
                assert!(
                    !fires.iter().any(|r| r != rule),
                    "{what}: the form does not parse: {before:#}"
                );
                if fires.is_empty() {
                    // This form cannot say this defect (a policy document always has a Version).
                    continue;
                }
                let output = fix(tmp.path(), form.file, rule);
                let text = std::fs::read_to_string(&file).unwrap();
                let (after, _) = lint(tmp.path(), form.file, &select);
                if !codes(&after).is_empty() {
                    panic!(
                        "{what}: still fires after --fix: {after:#}\n{text}\n{}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
                fixed.insert((rule, form.name));
                // Only lines a fix names change (a later pass may fix one more place of the rule).
                let touched = fixed_lines(&before, rule);
                for line in removed_lines(&form.text, &text) {
                    assert!(
                        touched.iter().any(|&(from, to)| from <= line && line <= to) || touched.len() < fires.len(),
                        "{what}: line {line} changed, outside the fixes {touched:?}:\n{text}"
                    );
                }
                // A second run changes nothing.
                let again = fix(tmp.path(), form.file, rule);
                assert_eq!(
                    std::fs::read_to_string(&file).unwrap(),
                    text,
                    "{what}: a second --fix changed the file"
                );
                assert!(
                    String::from_utf8_lossy(&again.stderr).contains("fixed 0 findings"),
                    "{what}"
                );
            }
        }
    }
    let missing: Vec<String> = FIXABLE
        .iter()
        .flat_map(|rule| all_forms.iter().map(move |form| (*rule, *form)))
        .filter(|pair| !fixed.contains(pair))
        .map(|(rule, form)| format!("{rule} in {form}"))
        .collect();
    assert!(missing.is_empty(), "never fixed: {missing:?}");
}

/// A copy of `fixtures/fix/NAME` in a fresh directory: (directory, relative path).
fn copy(name: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let from = fixture("fix").join(name);
    let to = tmp.path().join(name);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(&from, &to).unwrap();
    (tmp, name.to_string())
}

/// `check --isolated --fix ARGS` on a copy of `fixtures/fix/NAME`, which exits `code`: the
/// directory and the fixed file's text.
fn fixed_copy(name: &str, args: &[&str], code: i32) -> (tempfile::TempDir, String) {
    let (tmp, name) = copy(name);
    seslint(tmp.path())
        .args(["check", "--isolated", "--fix"])
        .args(args)
        .arg(&name)
        .assert()
        .code(code);
    let text = std::fs::read_to_string(tmp.path().join(&name)).unwrap();
    (tmp, text)
}

#[test]
fn fixing_keeps_the_byte_order_mark_crlf_and_tabs() {
    let before = std::fs::read(fixture("fix/bom-crlf-tabs.json")).unwrap();
    let (_tmp, text) = fixed_copy("bom-crlf-tabs.json", &[], 0);
    assert!(
        text.starts_with("\u{feff}{\r\n\t\"Version\""),
        "the mark and the first line stay"
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "every line ends in CRLF"
    );
    assert_eq!(before.ends_with(b"}\r\n"), text.ends_with("}\r\n"));
    insta::assert_snapshot!(
        "fixed_bom_crlf_tabs",
        text.replace('\r', "␍").replace('\u{feff}', "<BOM>")
    );
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let (tmp, name) = copy("template.yaml");
    let before = std::fs::read_to_string(tmp.path().join(&name)).unwrap();
    let output = seslint(tmp.path())
        .args(["check", "--isolated", "--diff", &name])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "fixes would change the file");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(&name)).unwrap(),
        before,
        "--diff writes nothing"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("would fix 2 findings (1 file)"), "{stderr}");
    insta::assert_snapshot!("diff_template_safe", String::from_utf8_lossy(&output.stdout));
    let unsafe_diff = seslint(tmp.path())
        .args(["check", "--isolated", "--diff", "--unsafe-fixes", "--user-pool-arn"])
        .arg("arn:aws:cognito-idp:eu-north-1:888899990000:userpool/eu-north-1_H4rb0r")
        .arg(&name)
        .output()
        .unwrap();
    insta::assert_snapshot!("diff_template_unsafe", String::from_utf8_lossy(&unsafe_diff.stdout));
}

#[test]
fn the_regional_principal_comes_from_the_region_table() {
    let (_tmp, text) = fixed_copy("alternate-region/main.tf", &[], 0);
    assert!(
        text.contains(r#""Principal": {"Service": "cognito-idp.me-central-1.amazonaws.com"}"#),
        "{text}"
    );
}

#[test]
fn exit_status_reflects_what_is_left() {
    // Safe fixes (SES003, COG001) leave the unsafe findings (COG003 ses:*, COG005, COG006): exit 1.
    let (tmp, name) = copy("template.yaml");
    let (report, stderr, code) =
        json_report(seslint(tmp.path()).args(["check", "--isolated", "--fix", "--format", "json", &name]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("fixed 2 findings (1 file)"), "{stderr}");
    let mut left = codes(&report);
    left.sort();
    assert_eq!(left, ["COG003", "COG005", "COG006"]);
    // The unsafe ones with the pool known: nothing is left, exit 0.
    seslint(tmp.path())
        .args(["check", "--isolated", "--fix", "--unsafe-fixes", "--user-pool-arn"])
        .arg("arn:aws:cognito-idp:eu-north-1:888899990000:userpool/eu-north-1_H4rb0r")
        .arg(&name)
        .assert()
        .code(0);
    insta::assert_snapshot!(
        "fixed_template",
        std::fs::read_to_string(tmp.path().join(&name)).unwrap()
    );
}

#[test]
fn fix_with_standard_input_prints_the_fixed_text() {
    let policy = std::fs::read_to_string(fixture("fix/bom-crlf-tabs.json")).unwrap();
    let output = seslint(root_dir())
        .args(["check", "--isolated", "--fix", "-", "--stdin-filename", "policy.json"])
        .write_stdin(policy.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let fixed = String::from_utf8(output.stdout).unwrap();
    assert!(fixed.starts_with('\u{feff}'));
    assert!(fixed.contains("\"Version\": \"2012-10-17\",\r\n"));
    assert!(!fixed.contains("\"diagnostics\""));
}

fn root_dir() -> &'static Path {
    common::root()
}

#[cfg(unix)]
#[test]
fn a_fixed_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, name) = copy("bom-crlf-tabs.json");
    let path = tmp.path().join(&name);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    seslint(tmp.path())
        .args(["check", "--isolated", "--fix", &name])
        .assert()
        .code(0);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Nothing is left beside it (the temporary file was renamed).
    let entries: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
}

/// The JSON report of `check --isolated --select SELECT PATH` at the repository's root.
fn report_of(select: &str, path: &str) -> Value {
    let args = ["check", "--isolated", "--format", "json", "--select", select, path];
    json_report(seslint(root_dir()).args(args)).0
}

#[test]
fn json_output_carries_the_fix() {
    let report = report_of("SES003", "fixtures/fix/bom-crlf-tabs.json");
    let fix = &report["diagnostics"][0]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["description"], "replace \"2008-10-17\" with \"2012-10-17\"");
    assert_eq!(fix["edits"][0]["text"], "\"2012-10-17\"");
    assert_eq!(fix["edits"][0]["start"]["line"], 2);
    assert_eq!(fix["edits"][0]["span"]["length"], 12);
}

#[test]
fn malformed_fix_inputs_are_errors() {
    for args in [
        [
            "--user-pool-arn",
            "arn:aws:cognito-identity:eu-west-1:111111111111:identitypool/eu-west-1:1",
        ],
        [
            "--user-pool-arn",
            "arn:aws:cognito-idp:eu-west-1:11111:userpool/eu-west-1_A",
        ],
        ["--account", "12345"],
    ] {
        seslint(root_dir())
            .args(["check", "--isolated", "--fix"])
            .args(args)
            .arg("fixtures/fix/template.yaml")
            .assert()
            .code(2);
    }
}

#[test]
fn the_pool_the_module_names_goes_into_aws_source_arn() {
    // No --user-pool-arn: each identity's one sending pool is the module's, by reference.
    let (_tmp, text) = fixed_copy("module-pool/main.tf", &["--unsafe-fixes"], 0);
    assert!(
        text.contains(r#""ArnLike": {"aws:SourceArn": "${aws_cognito_user_pool.riders.arn}"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"ArnLike      = { "aws:SourceArn" = aws_cognito_user_pool.guides.arn }"#),
        "{text}"
    );
}

#[test]
fn a_reference_is_not_written_where_terraform_does_not_read_it() {
    // A CLI export cannot hold a Terraform reference: COG006 keeps its finding and gets no fix.
    let report = report_of("COG006", "fixtures/cli-export/get-identity-policies.json");
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        assert!(diagnostic["fix"].is_null());
    }
}
