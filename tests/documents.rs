//! Policies in documents and scripts (issue 11): every directory under fixtures/markdown,
//! fixtures/rst and fixtures/shell rendered as a whole, and what a user relies on: findings at
//! the right line and column of the document (in list items, block quotes, grid-table cells and
//! continued shell lines), labels that say which block or call, silence on what is no policy,
//! suppressions, and `file://` policies linted in the call's context.

#[macro_use]
mod common;

use common::{diagnostics, json_report, root, run, seslint, Diagnostic};
use seslint::RunReport;

#[test]
fn every_document_and_script_renders_as_snapshotted() {
    for folder in ["markdown", "rst", "shell"] {
        for name in common::directories(folder, "") {
            let report = run(&format!("fixtures/{folder}/{name}"));
            assert_renders_as_snapshotted!(folder, &name, &report);
        }
    }
}

/// The report of `seslint check --format json ARGS` run at the repository's root, and its exit
/// code.
fn check(args: &[&str]) -> (Vec<Diagnostic>, Option<i32>) {
    let (report, stderr, code) = json_report(seslint(root()).args(["check", "--format", "json"]).args(args));
    assert!(!stderr.contains("panicked"), "{stderr}");
    (diagnostics(&report), code)
}

/// (rule, line, column, label) of each diagnostic.
fn places(diagnostics: &[Diagnostic]) -> Vec<(String, u64, u64, String)> {
    diagnostics
        .iter()
        .map(|d| (d.rule.clone(), d.line, d.column, d.policy.clone()))
        .collect()
}

fn place(rule: &str, line: u64, column: u64, label: &str) -> (String, u64, u64, String) {
    (rule.to_string(), line, column, label.to_string())
}

#[test]
fn a_markdown_file_with_json_terraform_and_shell_blocks_reports_each_at_its_line() {
    let (found, code) = check(&["fixtures/markdown/runbook/mail-runbook.md"]);
    let json = "block 1 (line 12, ```json)";
    let hcl = "block 2 (line 34, ```hcl): aws_ses_identity_policy.signup_pool";
    let shell = "block 3 (line 59, ```bash): aws sesv2 create-email-identity-policy --policy-name signup-pool";
    assert_eq!(
        places(&found),
        [
            // Inside a numbered list item, indented by three columns.
            place("COG001", 19, 35, json),
            place("COG006", 22, 10, json),
            // A Terraform snippet: at the HCL value.
            place("COG003", 44, 19, hcl),
            // A shell block in a block quote, on the fifth line of a continued command.
            place("COG008", 68, 38, shell),
        ]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn blocks_of_restructured_text_map_to_the_document() {
    let (found, _) = check(&[
        "fixtures/rst/grid-table/policies.rst",
        "fixtures/rst/runbook/ses-authorization.rst",
    ]);
    let cell = "block 2 (line 16, grid-table cell)";
    let places = places(&found);
    // A `.. code-block::` inside a grid-table cell, and a policy that is a cell of its own: at
    // the columns of the table.
    assert!(places.contains(&place("COG001", 11, 48, "block 1 (line 7, .. code-block:: json)")));
    assert!(places.contains(&place("COG003", 19, 30, cell)));
    assert!(places.contains(&place("COG008", 24, 22, cell)));
    // A directive with an option, and a `::` literal block holding a shell call.
    assert!(places.contains(&place("SES003", 11, 17, "block 1 (line 7, .. code-block:: json)")));
    assert!(places.contains(&place(
        "SES013",
        34,
        42,
        "block 2 (line 27, ::): aws ses put-identity-policy --policy-name pool-mail"
    )));
}

#[test]
fn every_shell_quoting_is_read_at_its_place() {
    let (found, code) = check(&["fixtures/shell/quoting/setup-mail.sh"]);
    let label = |name: &str, v2: &str| match v2 {
        "" => format!("aws ses put-identity-policy --policy-name {name}"),
        op => format!("aws sesv2 {op}-email-identity-policy --policy-name {name}"),
    };
    assert_eq!(
        places(&found),
        [
            // Single quotes, after two continued lines.
            place("COG005", 18, 7, &label("cognito-alerts", "")),
            place("COG006", 18, 7, &label("cognito-alerts", "")),
            place("COG001", 18, 32, &label("cognito-alerts", "")),
            // Double quotes with `\"` escapes and `${ACCOUNT_ID}` / `$POOL_ARN` (unknown values):
            // at the key's characters in the file.
            place("SES013", 27, 350, &label("cognito-billing", "create")),
            // A heredoc inside `$(cat <<'JSON' ... JSON)`.
            place("COG008", 42, 36, &label("cognito-news", "update")),
            // `cat > FILE <<EOF`, then `--policy file://FILE`: the heredoc is the policy.
            place("COG004", 57, 5, &label("cognito-support", "")),
            // `$'...'`.
            place("COG004", 70, 232, &label("cognito-ops", "")),
            place("COG003", 70, 243, &label("cognito-ops", "")),
            place("SES011", 70, 243, &label("cognito-ops", "")),
        ]
    );
    assert_eq!(code, Some(1));
    let text = std::fs::read_to_string(root().join("fixtures/shell/quoting/setup-mail.sh")).unwrap();
    let line = text.lines().nth(26).unwrap();
    let column: usize = 350;
    // The key's span opens at its quote, written `\"` in the file.
    assert!(
        line[column - 1..].starts_with("\\\"AWS:SourceAccount\\\""),
        "{}",
        &line[column - 1..]
    );
}

#[test]
fn a_file_a_call_names_is_linted_as_an_identity_policy_under_the_call() {
    // On its own, the file is no SES identity policy (no ses: action, no identity ARN): silent.
    let (alone, code) = check(&["fixtures/shell/file-reference/legacy-policy.json"]);
    assert_eq!(alone, []);
    assert_eq!(code, Some(0));
    // Named by `aws ses put-identity-policy --policy file://...` in a script known by its `#!`
    // line, it is one, whatever it holds, and reported once, under the call.
    let (found, code) = check(&[
        "fixtures/shell/file-reference/deploy",
        "fixtures/shell/file-reference/legacy-policy.json",
    ]);
    let label = "aws ses put-identity-policy --policy-name cognito";
    assert_eq!(
        places(&found),
        [place("SES007", 8, 18, label), place("SES015", 9, 19, label)]
    );
    assert!(found
        .iter()
        .all(|d| d.path == "fixtures/shell/file-reference/legacy-policy.json"));
    assert_eq!(code, Some(1));
    // A walk finds the script with an extension and its file.
    let report = run("fixtures/shell/file-reference");
    let files: Vec<(&str, usize)> = report
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.findings.len()))
        .collect();
    assert_eq!(files, [("fixtures/shell/file-reference/policy.json", 1)]);
    assert_eq!(
        report.files[0].findings[0].policy,
        "aws sesv2 create-email-identity-policy --policy-name cognito"
    );
    // attach-policy.sh, legacy-policy.json (alone: `deploy` has no extension and is not walked)
    // and policy.json, counted once.
    assert_eq!(report.files_scanned(), 3);
}

#[test]
fn a_missing_file_reference_is_not_a_problem_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("put.sh"),
        "aws ses put-identity-policy --identity x --policy-name p --policy file://nowhere.json
",
    )
    .unwrap();
    let (report, stderr, code) = json_report(seslint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(diagnostics(&report), []);
    assert_eq!(code, Some(0));
    assert!(!stderr.contains("error") && !stderr.contains("nowhere"), "{stderr}");
}

#[test]
fn what_is_no_policy_stays_silent() {
    for dir in [
        "markdown/silent",
        "rst/silent",
        "shell/silent",
        "markdown/clean",
        "rst/clean",
        "shell/clean",
    ] {
        let report: RunReport = run(&format!("fixtures/{dir}"));
        assert_eq!(report.findings().count(), 0, "{dir}");
        assert!(report.files_scanned() > 0, "{dir}: read, not passed over");
        assert_eq!(report.unread, [], "{dir}");
    }
    // The clean documents hold policies, checked; the silent ones none (an S3 bucket policy and
    // an IAM permissions policy in other-services.md are policies, of no concern here).
    assert_eq!(run("fixtures/markdown/clean").policies_checked(), 2);
    assert_eq!(run("fixtures/shell/clean").policies_checked(), 1);
}

#[test]
fn a_walk_over_ordinary_readmes_gives_nothing() {
    // The READMEs of this repository (prose, tables, JSON reports, shell, TOML and YAML
    // examples), and those of the fixture directories, which describe policies in prose.
    let mut paths = vec!["README.md".to_string()];
    for entry in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let readme = entry.unwrap().path().join("README.md");
        if readme.is_file() {
            paths.push(readme.strip_prefix(root()).unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(paths.len() > 5);
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (found, code) = check(&args);
    assert_eq!(found, []);
    assert_eq!(code, Some(0));
}

#[test]
fn broken_json_is_reported_only_when_evidently_a_policy() {
    // Comments in a `jsonc` policy: SES001 at the comment, and the rest still read.
    let (found, _) = check(&["fixtures/markdown/broken/copied-with-comments.md"]);
    let rules: Vec<(&str, u64)> = found.iter().map(|d| (d.rule.as_str(), d.line)).collect();
    assert!(rules.contains(&("SES001", 12)), "{rules:?}");
    // Placeholders left in a copied example (SES010).
    assert_eq!(rules.iter().filter(|(rule, _)| *rule == "SES010").count(), 3);
    // A cut-short package.json and `{ "Statement": [ ... ] }` sketches name no SES action or
    // Cognito principal: silent (what_is_no_policy_stays_silent).
}

#[test]
fn suppressions_in_documents_and_scripts() {
    // `<!-- seslint:ignore COG001 -- reason -->` before a block covers the block; one that
    // suppresses nothing is reported.
    let (found, code) = check(&["fixtures/markdown/suppressed/migration.md"]);
    assert_eq!(places(&found), [place("SUP001", 26, 6, "")]);
    assert_eq!(code, Some(0));
    // `# seslint:ignore` alone before a call covers the whole call; at a line's end, its line.
    let (found, code) = check(&["fixtures/shell/suppressed/legacy-pool.sh"]);
    assert_eq!(found, []);
    assert_eq!(code, Some(0));
    // Without the comments, the findings are there.
    let text = std::fs::read_to_string(root().join("fixtures/shell/suppressed/legacy-pool.sh")).unwrap();
    let bare = text.replace("seslint:ignore", "note:");
    let report = seslint::lint_bytes(
        "legacy-pool.sh",
        bare.as_bytes(),
        &seslint::rules::RuleSet::builtin().unwrap(),
    );
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["COG001", "COG008"]);
}

#[test]
fn restructured_text_comments_suppress_the_next_block() {
    let text = std::fs::read_to_string(root().join("fixtures/rst/runbook/ses-authorization.rst")).unwrap();
    let rules = seslint::rules::RuleSet::builtin().unwrap();
    let codes = |text: &str| -> Vec<String> {
        seslint::lint_bytes("doc.rst", text.as_bytes(), &rules)
            .findings
            .into_iter()
            .map(|f| f.code)
            .collect()
    };
    assert_eq!(codes(&text), ["SES003", "COG004", "SES013"]);
    let suppressed = text.replace(
        ".. code-block:: json",
        ".. seslint:ignore SES003,COG004 -- the legacy pool\n\n.. code-block:: json",
    );
    assert_eq!(codes(&suppressed), ["SES013"]);
}

#[test]
fn a_shell_script_is_known_by_its_first_line() {
    let (found, code) = check(&["fixtures/shell/file-reference/deploy"]);
    assert_eq!(found.len(), 2);
    assert_eq!(code, Some(1));
}

#[test]
fn placeholders_in_a_documented_call_stay_placeholders() {
    // `<your-domain>` is a word, not a redirection; `<your account ID>` in the policy is SES010.
    let (found, code) = check(&["fixtures/markdown/placeholders/copied-from-the-guide.md"]);
    let label = "block 1 (line 3, ```console): aws sesv2 create-email-identity-policy --policy-name <policy-name>";
    assert_eq!(
        places(&found),
        [
            place("SES010", 9, 19, label),
            place("SES010", 10, 59, label),
            place("SES010", 11, 38, label),
        ]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn every_form_of_block_is_read_as_what_it_holds() {
    let (found, _) = check(&[
        "fixtures/markdown/forms/design-notes.md",
        "fixtures/rst/forms/setup.rst",
    ]);
    assert_eq!(
        places(&found),
        [
            place("COG008", 17, 36, "block 1 (line 7, ```)"),
            place("COG005", 32, 9, "block 2 (line 25, indented)"),
            place("COG001", 47, 22, "block 3 (line 40, ```tf): aws_ses_identity_policy.partner_mail"),
            place("COG013", 86, 26, "block 4 (line 72, ```yaml): MailRole.AssumeRolePolicyDocument"),
            place("SES003", 104, 36, "block 5 (line 101, ~~~jsonc): Policies.partner-mail"),
            place(
                "COG004",
                10,
                71,
                "block 1 (line 6, .. sourcecode:: console): aws sesv2 create-email-identity-policy --policy-name partner-mail"
            ),
            place(
                "COG002",
                28,
                73,
                "block 2 (line 19, .. code-block:: terraform): aws_sesv2_email_identity_policy.partner_mail"
            ),
            place("COG010", 50, 58, "block 3 (line 44, ::)"),
        ]
    );
}

#[test]
fn crlf_documents_and_scripts_report_at_the_same_places() {
    let rules = seslint::rules::RuleSet::builtin().unwrap();
    let places = |name: &str, text: &str| -> Vec<(String, usize, usize)> {
        let report = seslint::lint_bytes(name, text.as_bytes(), &rules);
        let lines = seslint::source::LineIndex::new(text);
        report
            .findings
            .iter()
            .map(|f| {
                let at = lines.position(f.span.start);
                (f.code.clone(), at.line, at.column)
            })
            .collect()
    };
    for fixture in [
        "fixtures/markdown/runbook/mail-runbook.md",
        "fixtures/markdown/forms/design-notes.md",
        "fixtures/rst/grid-table/policies.rst",
        "fixtures/rst/forms/setup.rst",
        "fixtures/shell/quoting/setup-mail.sh",
    ] {
        let text = std::fs::read_to_string(root().join(fixture)).unwrap();
        let crlf = text.replace('\n', "\r\n");
        let lf = places(fixture, &text);
        assert!(!lf.is_empty(), "{fixture}");
        assert_eq!(lf, places(fixture, &crlf), "{fixture}");
    }
}

#[test]
fn a_baseline_survives_lines_added_above_a_block() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/markdown/runbook/mail-runbook.md")).unwrap();
    std::fs::write(dir.path().join("runbook.md"), &text).unwrap();
    seslint(dir.path())
        .args(["check", "--write-baseline", "baseline.json", "runbook.md"])
        .assert()
        .code(0);
    // Every block now opens on another line, and its label says so.
    std::fs::write(
        dir.path().join("runbook.md"),
        format!("# Intro\n\nMore prose.\n\n{text}"),
    )
    .unwrap();
    let (report, _, code) = json_report(seslint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
        "runbook.md",
    ]));
    assert_eq!(diagnostics(&report), []);
    assert_eq!(code, Some(0));
}

#[test]
fn a_block_in_a_language_seslint_does_not_read_is_named_in_the_closing_note() {
    let dir = root().join("fixtures/markdown/unread");
    let (report, _, code) = json_report(seslint(&dir).args(["check", "--format", "json", "."]));
    assert_eq!(diagnostics(&report), []);
    assert_eq!(code, Some(0));
    assert_eq!(
        report["summary"]["unread"],
        serde_json::json!([{"path": "cdk-notes.md", "format": "a code block in a language seslint does not read"}])
    );
    seslint(&dir)
        .arg(".")
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "cdk-notes.md (a code block in a language seslint does not read)",
        ));
    // Documents whose blocks are all read are not named.
    let (report, _, _) = json_report(seslint(root()).args(["check", "--format", "json", "fixtures/markdown/runbook"]));
    assert!(report["summary"].get("unread").is_none(), "{report}");
}
