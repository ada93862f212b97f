//! A run's order: reports come out in path order whatever the threads and however far the
//! workers run ahead, the streamed formats print what the collected ones report, and a policy
//! file that another unit names (a script's `file://`, Terraform's `file(...)`) is reported once,
//! in that unit's context, even when the naming unit comes after it.

mod common;

use std::path::{Path, PathBuf};

use common::{bad_policy, good_policy, seslint};
use seslint::rules::RuleSet;

/// A Terraform file whose resource holds `policy` in a heredoc.
fn module_file(name: &str, policy: &str) -> String {
    format!(
        "resource \"aws_ses_identity_policy\" \"{name}\" {{\n  identity = \"example.org\"\n  name     = \"{name}\"\n  policy   = <<POLICY\n{policy}\nPOLICY\n}}\n"
    )
}

/// Writes `text` to `path` under `dir`, making its directories.
fn write(dir: &tempfile::TempDir, path: &str, text: &str) {
    let path = dir.path().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A tree of more files than the workers may run ahead of the printer, with names whose order
/// as text differs from their order as a directory tree, and a module whose files lie between
/// other files of its directory.
fn wide_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write(&dir, path, text);
    for n in 0..1200 {
        let policy = if n % 3 == 0 { bad_policy() } else { good_policy() };
        write(&format!("bulk/p{n:04}.json"), &policy);
    }
    // As text, `policies.json` comes before `policies/inner.json`, and `a-b/` before `a/`.
    write("traps/policies.json", &bad_policy());
    write("traps/policies/inner.json", &bad_policy());
    write("traps/a/x.json", &bad_policy());
    write("traps/a-b/x.json", &bad_policy());
    write("traps/mod/a.tf", &module_file("first", &bad_policy()));
    write("traps/mod/b.json", &bad_policy());
    write("traps/mod/c.tf", &module_file("second", &bad_policy()));
    dir
}

/// The `file=` of each GitHub annotation, in order.
fn annotated_files(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            let file = line.split("file=").nth(1).unwrap();
            file.split(',').next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn reports_come_out_in_path_order_whatever_the_threads() {
    let tree = wide_tree();
    let run = |jobs: &str, format: &str| {
        let output = seslint(tree.path())
            .args(["check", "--format", format, "-j", jobs, "."])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (one_thread, summary) = run("1", "github");
    let files = annotated_files(&one_thread);
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "annotations in path order");
    assert_eq!(files.len(), 400 + 7);
    let position = |file: &str| files.iter().position(|f| f == file).unwrap();
    assert!(position("traps/policies.json") < position("traps/policies/inner.json"));
    assert!(position("traps/a-b/x.json") < position("traps/a/x.json"));
    assert!(position("traps/mod/a.tf") < position("traps/mod/b.json"));
    assert!(position("traps/mod/b.json") < position("traps/mod/c.tf"));
    assert!(
        summary.contains("in 407 files (1207 files scanned, 1207 policies checked)"),
        "{summary}"
    );
    for jobs in ["2", "4"] {
        assert_eq!(run(jobs, "github"), (one_thread.clone(), summary.clone()), "-j {jobs}");
    }
    // The human format, printed as the run goes, is what the report of the whole run renders.
    let rules = RuleSet::builtin().unwrap();
    let options = seslint::Options {
        threads: 2,
        ..seslint::Options::default()
    };
    let collected = seslint::run(&[tree.path().to_path_buf()], &options, &rules).unwrap();
    let style = seslint::report::human::Style {
        color: false,
        width: 100,
    };
    let rendered = seslint::report::human::render(&collected, &style);
    let (printed, _) = run("2", "human");
    let root = format!("{}/", tree.path().display());
    assert_eq!(printed, rendered.replace(&root, ""));
}

/// A policy file and the units that name it, each named after it in path order.
fn named_later() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write(&dir, path, text);
    write("scripts/mail.json", &bad_policy());
    write(
        "scripts/zz-publish.sh",
        "#!/bin/sh\naws sesv2 create-email-identity-policy --email-identity example.org \\\n  --policy-name cognito-send --policy file://mail.json\n",
    );
    write("infra/policies/send.json", &bad_policy());
    write(
        "infra/ses.tf",
        "resource \"aws_ses_identity_policy\" \"cognito\" {\n  identity = \"example.org\"\n  name     = \"cognito-send\"\n  policy   = file(\"${path.module}/policies/send.json\")\n}\n",
    );
    dir
}

/// (path, rule, policy label) of every diagnostic of a JSON report, in order.
fn reported(paths: &[PathBuf], dir: &Path) -> Vec<(String, String, String)> {
    let mut cmd = seslint(dir);
    cmd.args(["check", "--format", "json"]).args(paths);
    let report = common::json_output(&mut cmd);
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = |key: &str| d[key].as_str().unwrap().to_string();
            (field("path"), field("rule"), field("policy"))
        })
        .collect()
}

#[test]
fn a_file_named_by_a_later_unit_is_reported_once_in_its_context() {
    let tree = named_later();
    let root = tree.path().to_path_buf();
    let shown = |path: &str| format!("{}/{path}", root.display());
    let expected = vec![
        (
            shown("infra/policies/send.json"),
            "COG001".to_string(),
            "aws_ses_identity_policy.cognito".to_string(),
        ),
        (
            shown("scripts/mail.json"),
            "COG001".to_string(),
            "aws sesv2 create-email-identity-policy --policy-name cognito-send".to_string(),
        ),
    ];
    assert_eq!(reported(std::slice::from_ref(&root), &root), expected);
    for jobs in ["1", "2"] {
        let mut cmd = seslint(&root);
        cmd.args(["check", "--format", "json", "-j", jobs]).arg(&root);
        assert_eq!(
            common::json_output(&mut cmd)["summary"]["files_scanned"],
            4,
            "-j {jobs}"
        );
    }
}

#[test]
fn a_file_named_from_outside_the_paths_is_reported_in_order() {
    let tree = named_later();
    let root = tree.path().to_path_buf();
    // Only the script is named: the policy file it names is linted all the same, and comes first.
    let script = root.join("scripts/zz-publish.sh");
    let found = reported(&[script], &root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, format!("{}/scripts/mail.json", root.display()));
    assert_eq!(
        found[0].2,
        "aws sesv2 create-email-identity-policy --policy-name cognito-send"
    );
}

#[test]
fn a_slow_file_holds_back_the_reports_after_it() {
    let tree = wide_tree();
    let rules = RuleSet::builtin().unwrap();
    let options = seslint::Options {
        threads: 4,
        ..seslint::Options::default()
    };
    // The first file takes long to prepare: the workers go on past it (as far as they may), and
    // what they finish waits for it.
    let prepare = |file: seslint::FileReport| {
        if file.path.ends_with("bulk/p0000.json") {
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        file.path
    };
    let mut emitted: Vec<String> = Vec::new();
    let report = seslint::run_streamed(&[tree.path().to_path_buf()], &options, &rules, &prepare, &mut |path| {
        emitted.push(path)
    })
    .unwrap();
    let mut sorted = emitted.clone();
    sorted.sort();
    assert_eq!(emitted, sorted);
    assert_eq!(emitted.len(), 407);
    assert!(report.files.is_empty(), "a streamed run keeps no report");
    assert_eq!(report.clean_files, 800);
}

#[test]
fn a_file_named_through_dot_dot_is_the_file_the_walk_found() {
    let tree = tempfile::tempdir().unwrap();
    write(&tree, "mail/policy.json", &bad_policy());
    write(
        &tree,
        "scripts/publish.sh",
        "#!/bin/sh\naws sesv2 create-email-identity-policy --email-identity example.org \\\n  --policy-name cognito-send --policy file://../mail/policy.json\n",
    );
    write(&tree, "infra/policies/send.json", &bad_policy());
    write(
        &tree,
        "infra/ses.tf",
        "resource \"aws_ses_identity_policy\" \"cognito\" {\n  identity = \"example.org\"\n  name     = \"cognito-send\"\n  policy   = file(\"./policies/../policies/send.json\")\n}\n",
    );
    // From the tree's root, as `seslint .`: each policy file is reported once, under the name the
    // walk gave it, in the context of the unit that names it.
    let found = reported(&[PathBuf::from(".")], tree.path());
    let labels: Vec<(&str, &str)> = found
        .iter()
        .map(|(path, _, label)| (path.as_str(), label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("infra/policies/send.json", "aws_ses_identity_policy.cognito"),
            (
                "mail/policy.json",
                "aws sesv2 create-email-identity-policy --policy-name cognito-send"
            ),
        ]
    );
}

#[test]
fn a_worker_that_panics_ends_the_run_instead_of_hanging_it() {
    let tree = wide_tree();
    let root = tree.path().to_path_buf();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rules = RuleSet::builtin().unwrap();
        let options = seslint::Options {
            threads: 4,
            ..seslint::Options::default()
        };
        // The first file's report cannot be prepared: the workers past the window wait for it.
        let prepare = |file: seslint::FileReport| {
            assert!(
                !file.path.ends_with("bulk/p0000.json"),
                "a panic while preparing a report"
            );
            file.path
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            seslint::run_streamed(&[root], &options, &rules, &prepare, &mut |_| {})
        }));
        let _ = done.send(outcome.is_err());
    });
    let panicked = finished.recv_timeout(std::time::Duration::from_secs(60));
    assert_eq!(panicked, Ok(true), "the run ends, with the worker's panic");
}
