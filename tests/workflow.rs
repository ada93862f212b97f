//! seslint where users run it: configuration files and the flags that mirror them, inline
//! suppressions, baselines, standard input, shell completions.

mod common;

use common::{diagnostics, fixture, json_output, seslint};
use predicates::prelude::*;
use serde_json::Value;

/// A project directory: a policy with COG001 (warning), COG005 and COG006 (errors), SES003
/// (warning), and the given extra files.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/json/COG001-legacy-cognito-principal/fires-2021-example.json"
    ))
    .unwrap();
    std::fs::create_dir_all(dir.path().join("infra/legacy")).unwrap();
    std::fs::write(dir.path().join("infra/policy.json"), &policy).unwrap();
    std::fs::write(dir.path().join("infra/legacy/policy.json"), &policy).unwrap();
    // A repository root, so that configuration search stops here.
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// (path, rule, severity) of every diagnostic.
fn found(report: &Value) -> Vec<(String, String, String)> {
    let mut found: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn rules(report: &Value) -> Vec<String> {
    let mut rules: Vec<String> = found(report).into_iter().map(|(_, rule, _)| rule).collect();
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn without_configuration_every_rule_runs() {
    let dir = project(&[]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "infra"]));
    assert_eq!(rules(&report), ["COG001", "COG005", "COG006", "SES003"]);
}

#[test]
fn the_configuration_file_is_found_upward_and_flags_win() {
    let config = "select = [\"COG\"]\nignore = [\"COG006\"]\n[severity]\nCOG001 = \"error\"\n";
    let dir = project(&[("seslint.toml", config)]);
    // Found from a subdirectory.
    let report = json_output(seslint(&dir.path().join("infra")).args(["--format", "json", "."]));
    assert_eq!(rules(&report), ["COG001", "COG005"]);
    assert!(found(&report)
        .iter()
        .all(|(_, rule, severity)| rule != "COG001" || severity == "error"));
    // A flag replaces the file's value.
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--select", "SES,COG006", "infra"]));
    assert_eq!(rules(&report), ["SES003"]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--ignore", "COG005", "infra"]));
    assert_eq!(rules(&report), ["COG001", "COG006"]);
    // --isolated ignores it.
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--isolated", "infra"]));
    assert_eq!(rules(&report), ["COG001", "COG005", "COG006", "SES003"]);
}

#[test]
fn the_search_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("seslint.toml"), "select = [\"SES\"]\n").unwrap();
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/json/COG001-legacy-cognito-principal/fires-2021-example.json"
    ))
    .unwrap();
    std::fs::write(inner.join("policy.json"), policy).unwrap();
    let report = json_output(seslint(&inner).args(["--format", "json", "."]));
    assert!(
        rules(&report).contains(&"COG005".to_string()),
        "the outer seslint.toml is not used"
    );
}

#[test]
fn config_names_a_file_and_dot_seslint_toml_is_found() {
    let dir = project(&[
        (".seslint.toml", "select = [\"SES003\"]\n"),
        ("ci/strict.toml", "select = [\"COG005\"]\n"),
    ]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "infra"]));
    assert_eq!(rules(&report), ["SES003"]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--config", "ci/strict.toml", "infra"]));
    assert_eq!(rules(&report), ["COG005"]);
}

#[test]
fn per_file_ignores_and_excludes_match_paths_from_the_configuration() {
    let config =
        "exclude = [\"infra/legacy\"]\n[per-file-ignores]\n\"infra/*.json\" = [\"SES003\", \"COG005\", \"COG006\"]\n";
    let dir = project(&[("seslint.toml", config)]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "."]));
    assert_eq!(
        found(&report),
        [(
            "infra/policy.json".to_string(),
            "COG001".to_string(),
            "warning".to_string()
        )]
    );
    assert_eq!(report["summary"]["files_scanned"], 1);
    // A file named on the command line is linted even when excluded.
    let report = json_output(seslint(dir.path()).args(["--format", "json", "infra/legacy/policy.json"]));
    assert_eq!(rules(&report), ["COG001", "COG005", "COG006", "SES003"]);
    // --exclude replaces the file's excludes.
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--exclude", "nothing", "."]));
    assert_eq!(report["summary"]["files_scanned"], 2);
}

/// (rule, line, column) of every diagnostic, in report order.
fn places(report: &Value) -> Vec<(String, u64, u64)> {
    diagnostics(report)
        .into_iter()
        .map(|d| (d.rule, d.line, d.column))
        .collect()
}

/// A fixture's text.
fn fixture_text(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap()
}

#[test]
fn a_rule_ignored_for_a_file_does_not_run_on_it_as_an_ignored_rule_does_not_run() {
    // COG007 reports the old example's identity-pool placeholder, and owns the place: SES010
    // (a placeholder) does not report it too. A rule that does not run owns nothing.
    let placeholder = fixture_text("json/COG007-source-arn-not-user-pool/fires-identity-pool-placeholder.json");
    let dir = project(&[("infra/placeholder.json", placeholder.as_str())]);
    let run = |args: &[&str]| {
        let report = json_output(seslint(dir.path()).args(["--format", "json"]).args(args));
        places(&report)
    };
    let cog007 = [("COG007".to_string(), 20, 28)];
    let ses010 = [("SES010".to_string(), 20, 28)];
    assert_eq!(run(&["infra/placeholder.json"]), cog007);
    assert_eq!(run(&["--ignore", "COG007", "infra/placeholder.json"]), ses010);
    std::fs::write(
        dir.path().join("seslint.toml"),
        "[per-file-ignores]\n\"infra/place*.json\" = [\"COG007\"]\n",
    )
    .unwrap();
    assert_eq!(run(&["infra/placeholder.json"]), ses010);
    // Other files still run it.
    std::fs::copy(
        dir.path().join("infra/placeholder.json"),
        dir.path().join("infra/legacy/placeholder.json"),
    )
    .unwrap();
    assert_eq!(run(&["infra/legacy/placeholder.json"]), cog007);
}

#[test]
fn a_suppression_naming_a_rule_ignored_for_its_file_is_not_unused() {
    let module = fixture_text("terraform/suppressions/main.tf");
    // The module's `# seslint:ignore COG004` suppresses nothing: SUP001 on line 13.
    let dir = project(&[("mail/main.tf", module.as_str())]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "mail"]));
    assert_eq!(places(&report), [("SUP001".to_string(), 13, 59)]);
    // COG004 does not run on the file: the comment may still be needed, as with `--ignore`.
    for selector in ["COG004", "COG00", "cog"] {
        let config = format!("[per-file-ignores]\n\"mail/*.tf\" = [\"{selector}\"]\n");
        std::fs::write(dir.path().join("seslint.toml"), config).unwrap();
        let report = json_output(seslint(dir.path()).args(["--format", "json", "mail"]));
        assert_eq!(places(&report), [], "per-file-ignores {selector}");
    }
    std::fs::write(dir.path().join("seslint.toml"), "").unwrap();
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--ignore", "COG004", "mail"]));
    assert_eq!(places(&report), []);
    // Standard input fixed under its --stdin-filename follows the same configuration.
    std::fs::write(
        dir.path().join("seslint.toml"),
        "[per-file-ignores]\n\"mail/*.tf\" = [\"COG004\"]\n",
    )
    .unwrap();
    seslint(dir.path())
        .args(["--fix", "--stdin-filename", "mail/main.tf", "-"])
        .write_stdin(module.as_str())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no findings"));
}

#[test]
fn fail_on_from_the_file_and_the_flag() {
    let dir = project(&[("seslint.toml", "select = [\"COG001\"]\nfail-on = \"error\"\n")]);
    // Only a warning, and the file says only errors fail.
    seslint(dir.path()).arg("infra").assert().code(0);
    seslint(dir.path())
        .args(["--fail-on", "warning", "infra"])
        .assert()
        .code(1);
}

#[test]
fn a_bad_configuration_exits_2_pointing_into_it() {
    let cases = [
        ("selct = [\"COG\"]\n", "unknown field `selct`", "seslint.toml:1:1"),
        (
            "fail-on = \"sometimes\"\n",
            "unknown variant `sometimes`",
            "seslint.toml:1:11",
        ),
        (
            "ignore = [\"COG5\"]\n",
            "`COG5` matches no rule code",
            "seslint.toml:1:11",
        ),
        ("exclude = [\"a[\"]\n", "invalid glob `a[`", "seslint.toml:1:12"),
        (
            "[severity]\nCOG001 = \"loud\"\n",
            "unknown variant `loud`",
            "seslint.toml:2:10",
        ),
    ];
    for (config, message, place) in cases {
        let dir = project(&[("seslint.toml", config)]);
        seslint(dir.path())
            .arg("infra")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message).and(predicate::str::contains(place)));
    }
    let dir = project(&[]);
    seslint(dir.path())
        .args(["--select", "NOPE", "infra"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`NOPE` matches no rule code"));
}

#[test]
fn quiet_and_statistics() {
    let dir = project(&[]);
    seslint(dir.path())
        .args(["--quiet", "infra"])
        .assert()
        .code(1)
        .stderr("");
    seslint(dir.path())
        .args(["--statistics", "infra"])
        .assert()
        .code(1)
        .stdout("    2  COG001  legacy-cognito-principal\n    2  COG005  missing-source-account\n    2  COG006  missing-source-arn\n    2  SES003  unsupported-version\n");
}

#[test]
fn no_ignore_walks_ignored_files() {
    let dir = project(&[(".gitignore", "legacy/\n")]);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "."]));
    assert_eq!(report["summary"]["files_scanned"], 1);
    let report = json_output(seslint(dir.path()).args(["--format", "json", "--no-ignore", "."]));
    assert_eq!(report["summary"]["files_scanned"], 2);
}

#[test]
fn inline_suppressions_and_the_unused_ones() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let report = json_output(seslint(&dir).args(["--format", "json", "fixtures/terraform/suppressions"]));
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["rule"], "SUP001");
    assert_eq!(diagnostics[0]["severity"], "info");
    assert_eq!(diagnostics[0]["start"]["line"], 13);
    // Info does not fail the run by default.
    seslint(&dir).arg("fixtures/terraform/suppressions").assert().code(0);
}

#[test]
fn a_baseline_survives_lines_moving_and_reports_what_is_new_or_gone() {
    let dir = project(&[]);
    seslint(dir.path())
        .args(["--write-baseline", "seslint-baseline.json", "infra"])
        .assert()
        .code(0);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("seslint-baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 8);
    seslint(dir.path())
        .args(["--baseline", "seslint-baseline.json", "infra"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no findings"));

    // Lines move: the same findings, elsewhere in the file.
    let path = dir.path().join("infra/policy.json");
    let moved = format!("\n\n\n{}", std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, &moved).unwrap();
    seslint(dir.path())
        .args(["--baseline", "seslint-baseline.json", "infra"])
        .assert()
        .code(0);

    // A new finding is reported; a fixed one is named as no longer matching.
    let changed = moved
        .replace("\"Version\": \"2008-10-17\"", "\"Version\": \"2012-10-17\"")
        .replace("\"Effect\": \"Allow\"", "\"Effect\": \"allow\"");
    std::fs::write(&path, changed).unwrap();
    let output = seslint(dir.path())
        .args(["--format", "json", "--baseline", "seslint-baseline.json", "infra"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rules(&report), ["SES005"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("baseline entries no longer match") && stderr.contains("SES003"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn stdin_takes_its_format_from_the_name() {
    let terraform = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/terraform/plan-source/main.tf"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = json_output(
        seslint(dir.path())
            .args(["--format", "json", "-", "--stdin-filename", "modules/mail/main.tf"])
            .write_stdin(terraform),
    );
    assert_eq!(rules(&report), ["COG001", "COG003", "COG005", "COG006"]);
    assert_eq!(report["diagnostics"][0]["path"], "modules/mail/main.tf");
    assert_eq!(report["diagnostics"][0]["policy"], "aws_ses_identity_policy.cognito");
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let dir = tempfile::tempdir().unwrap();
        seslint(dir.path())
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("seslint"));
    }
}
