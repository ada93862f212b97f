//! What the integration tests share: running the binary and reading its JSON report, whole
//! runs over a fixture directory, and the snapshots of what users see. (`mod common;` in a test
//! file; each test file uses part of it.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use serde_json::Value;
use seslint::rules::RuleSet;
use seslint::{Options, RunReport};

/// The repository's root, where the fixtures are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The seslint binary, run in `dir`.
pub fn seslint(dir: &Path) -> Command {
    let mut cmd = cargo_bin_cmd!("seslint");
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// A fixture's path.
pub fn fixture(path: &str) -> PathBuf {
    root().join("fixtures").join(path)
}

/// The Cognito guide's current policy: no finding.
pub fn good_policy() -> String {
    std::fs::read_to_string(fixture("aws-docs/cognito-current-guide.json")).unwrap()
}

/// The good policy with the legacy principal: one finding (COG001) that must be reported
/// whatever else is in the tree.
pub fn bad_policy() -> String {
    good_policy().replace("email.cognito-idp.amazonaws.com", "cognito-idp.amazonaws.com")
}

/// The report `cmd` (with `--format json`) prints.
pub fn json_output(cmd: &mut Command) -> Value {
    json_report(cmd).0
}

/// Runs `cmd` (with `--format json`): its report, its stderr and its exit code.
pub fn json_report(cmd: &mut Command) -> (Value, String, Option<i32>) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}); stderr: {stderr}"));
    (report, stderr, output.status.code())
}

/// The rule codes of a JSON report's diagnostics, in its order.
pub fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

/// One diagnostic of a JSON report, as the tests compare them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: String,
    pub rule: String,
    pub line: u64,
    pub column: u64,
    pub severity: String,
    pub policy: String,
    pub message: String,
}

/// The diagnostics of a JSON report, in its order.
pub fn diagnostics(report: &Value) -> Vec<Diagnostic> {
    let text = |d: &Value, key: &str| d[key].as_str().unwrap_or_default().to_string();
    report["diagnostics"]
        .as_array()
        .expect("the report has diagnostics")
        .iter()
        .map(|d| Diagnostic {
            path: text(d, "path"),
            rule: text(d, "rule"),
            line: d["start"]["line"].as_u64().unwrap_or_default(),
            column: d["start"]["column"].as_u64().unwrap_or_default(),
            severity: text(d, "severity"),
            policy: text(d, "policy"),
            message: text(d, "message"),
        })
        .collect()
}

/// A whole run over `path` (relative to the repository), on one thread.
pub fn run(path: &str) -> RunReport {
    run_with(path, &RuleSet::builtin().unwrap())
}

/// A whole run over `path` with `rules`, on one thread.
pub fn run_with(path: &str, rules: &RuleSet) -> RunReport {
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    seslint::run(&[PathBuf::from(path)], &options, rules).unwrap()
}

/// What users see: the human report (no colour, 100 columns) and its summary line.
pub fn human_output(report: &RunReport) -> String {
    let style = seslint::report::human::Style {
        color: false,
        width: 100,
    };
    let rendered = seslint::report::human::render(report, &style);
    format!("{rendered}{}\n", seslint::report::human::summary_line(report))
}

/// The directories of `fixtures/FOLDER`, sorted, but `except`.
pub fn directories(folder: &str, except: &str) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(folder);
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir() && e.file_name() != except)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Snapshots `PREFIX_human@NAME` (the human report and its summary line) and `PREFIX_json@NAME`
/// (a macro, so that the snapshots are named after the calling test file).
#[macro_export]
macro_rules! assert_renders_as_snapshotted {
    ($prefix:expr, $name:expr, $report:expr) => {{
        let report = $report;
        insta::assert_snapshot!(format!("{}_human@{}", $prefix, $name), common::human_output(report));
        insta::assert_snapshot!(
            format!("{}_json@{}", $prefix, $name),
            seslint::report::json::render(report)
        );
    }};
}
pub mod containers;
