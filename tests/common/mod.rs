//! Helpers shared by the tests that lint fixture directories as a whole (Terraform modules,
//! CloudFormation forms): a run over a path, the directories of a fixture folder, and the
//! snapshots of what users see.

use std::path::PathBuf;

use seslint::rules::RuleSet;
use seslint::{Options, RunReport};

/// A whole run over `path` (relative to the repository), on one thread.
pub fn run(path: &str) -> RunReport {
    let rules = RuleSet::builtin().unwrap();
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    seslint::run(&[PathBuf::from(path)], &options, &rules).unwrap()
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
        let rendered = seslint::report::human::render(
            report,
            &seslint::report::human::Style {
                color: false,
                width: 100,
            },
        );
        insta::assert_snapshot!(
            format!("{}_human@{}", $prefix, $name),
            format!("{rendered}{}\n", seslint::report::human::summary_line(report))
        );
        insta::assert_snapshot!(
            format!("{}_json@{}", $prefix, $name),
            seslint::report::json::render(report)
        );
    }};
}
