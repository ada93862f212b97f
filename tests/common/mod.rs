//! What the integration tests share: running the binary, and reading its JSON report.
//! (`mod common;` in a test file; each test file uses part of it.)
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use serde_json::Value;

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

/// Runs `cmd` (with `--format json`): its report, its stderr and its exit code.
pub fn json_report(cmd: &mut Command) -> (Value, String, Option<i32>) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}); stderr: {stderr}"));
    (report, stderr, output.status.code())
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
