//! Hostile input: whatever is in a repository, seslint ends by itself, never panics, reports
//! every broken file with a location, and still reports every finding of the rest. Inputs that
//! cannot be committed (FIFOs, symlink loops, non-UTF-8 names, very large files) are made here.

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use common::{bad_policy, json_report as json_run};
use predicates::prelude::*;
use serde_json::Value;

/// seslint, run in `dir`, with a time limit: a hang is a failure, not a stuck CI job.
fn seslint(dir: &Path) -> Command {
    let mut cmd = common::seslint(dir);
    cmd.timeout(Duration::from_secs(120));
    cmd
}

fn repo_root() -> &'static Path {
    common::root()
}

/// The message of every diagnostic.
fn messages(report: &Value) -> Vec<&str> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect()
}

fn diagnostics(report: &Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_committed_corpus_is_reported_file_by_file() {
    let (report, _, code) = json_run(seslint(repo_root()).args(["--format", "json", "fixtures/hostile"]));
    let found = diagnostics(&report);
    let expect = [
        ("fixtures/hostile/invalid-utf8.json", "SES001", 5),
        ("fixtures/hostile/nul-bytes.json", "SES001", 6),
        ("fixtures/hostile/truncated.json", "SES001", 14),
        ("fixtures/hostile/unterminated-heredoc.tf", "SRC001", 5),
    ];
    for (path, rule, line) in expect {
        assert!(
            found.contains(&(path.to_string(), rule.to_string(), line)),
            "{path}:{line} {rule} in {found:?}"
        );
    }
    let quiet = ["fixtures/hostile/empty.json", "fixtures/hostile/only-bom.json"];
    assert!(!found.iter().any(|(p, _, _)| quiet.contains(&p.as_str())), "{found:?}");
    assert!(report["summary"]["files_scanned"].as_u64().unwrap() >= 6);
    assert_eq!(code, Some(1));
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{{\"Statement\": {}", "[".repeat(200_000));
    std::fs::write(dir.path().join("deep.json"), &deep).unwrap();
    let deep_tf = format!(
        "resource \"aws_ses_identity_policy\" \"x\" {{\n  policy = {}\n}}\n",
        "[".repeat(200_000)
    );
    std::fs::write(dir.path().join("deep.tf"), deep_tf).unwrap();
    std::fs::write(dir.path().join("policy.json"), bad_policy()).unwrap();
    let (report, _, code) = json_run(seslint(dir.path()).args(["--format", "json", "."]));
    let found = diagnostics(&report);
    let messages = messages(&report);
    assert!(
        found.iter().any(|(p, r, _)| p == "deep.json" && r == "SES001"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(p, r, _)| p == "deep.tf" && r == "SRC001"),
        "{found:?}"
    );
    assert!(
        messages
            .iter()
            .filter(|m| m.contains("nesting is deeper than 256 levels"))
            .count()
            == 2,
        "{messages:?}"
    );
    assert!(
        found.iter().any(|(p, r, _)| p == "policy.json" && r == "COG001"),
        "the rest is still linted: {found:?}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn large_files_are_linted_or_reported_never_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // 50 MB: a policy padded with white space (over SES's 4,096 bytes, so SES009 fires).
    let policy = bad_policy();
    let padding = " ".repeat(50 << 20);
    let big = policy.replacen("{", &format!("{{{padding}"), 1);
    std::fs::write(dir.path().join("big.json"), &big).unwrap();
    // 10 MB on one line: a CLI export whose policy holds a 10 MB Sid.
    let sid = "x".repeat(10 << 20);
    let one_line =
        serde_json::json!({ "Policies": { "p": bad_policy().replace("AllowCognitoToSendFromExampleCom", &sid) } })
            .to_string();
    std::fs::write(dir.path().join("export.json"), &one_line).unwrap();

    let (report, _, code) = json_run(seslint(dir.path()).args(["--format", "json", "."]));
    let found = diagnostics(&report);
    assert!(found.contains(&("big.json".into(), "SES009".into(), 1)), "{found:?}");
    assert!(
        found.iter().any(|(p, r, _)| p == "big.json" && r == "COG001"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(p, r, line)| p == "export.json" && r == "COG001" && *line == 1),
        "{found:?}"
    );
    assert_eq!(code, Some(1));

    // The human report shows a window of the 10 MB line, not the line.
    let output = seslint(dir.path()).arg("export.json").output().unwrap();
    assert!(output.stdout.len() < 20_000, "{} bytes of output", output.stdout.len());

    // Over --max-file-size: reported with its size, the run goes on, exit 2.
    let output = seslint(dir.path())
        .args(["--format", "json", "--max-file-size", "1M", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("big.json: the file is 50.0 MiB, over the 1.0 MiB limit"),
        "{stderr}"
    );
    assert!(stderr.contains("export.json: the file is 10.0 MiB"), "{stderr}");
    assert_eq!(output.status.code(), Some(2));
    // A large file that holds no policy is passed over without a word.
    std::fs::remove_file(dir.path().join("big.json")).unwrap();
    std::fs::remove_file(dir.path().join("export.json")).unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        format!("{{\"lockfileVersion\": 3, \"x\": \"{}\"}}", "a".repeat(2 << 20)),
    )
    .unwrap();
    seslint(dir.path())
        .args(["--max-file-size", "1M", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("MiB").not());
}

#[cfg(unix)]
#[test]
fn special_files_are_named_and_never_block() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("policy.json"), bad_policy()).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(root.join("x.json"))
        .status()
        .unwrap()
        .success());
    std::fs::create_dir(root.join("dir.json")).unwrap();
    std::fs::write(root.join("dir.json/inner.json"), bad_policy()).unwrap();
    std::os::unix::fs::symlink("loop-b.json", root.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", root.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink("missing.json", root.join("dangling.json")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    std::fs::write(root.join(name), bad_policy()).unwrap();

    let (report, stderr, code) = json_run(seslint(root).args(["--format", "json", "."]));
    let mut paths: Vec<String> = diagnostics(&report).into_iter().map(|(p, _, _)| p).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths, ["caf\u{fffd}.json", "dir.json/inner.json", "policy.json"]);
    for notice in [
        "x.json: a FIFO, not linted",
        "loop-a.json: a symbolic link",
        "dangling.json: a symbolic link",
    ] {
        assert!(stderr.contains(notice), "{notice} in {stderr}");
    }
    // Notices do not fail the run; the findings do.
    assert_eq!(code, Some(1));

    // Named on the command line: a FIFO or a symlink loop is an error (exit 2), not a hang.
    seslint(root)
        .arg("x.json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
    seslint(root)
        .arg("loop-a.json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read loop-a.json"));
}

#[test]
fn broken_rule_files_are_reported_in_each_way() {
    let rule =
        std::fs::read_to_string(repo_root().join("fixtures/custom-rules/rules/ORG001-source-account-allowlist.toml"))
            .unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "missing field `code`"),
        (b"\xff\xfe not text".to_vec(), "cannot read rule file"),
        (
            rule.replace(
                "require = { equals = [\"111111111111\", \"333333333333\"] }",
                "require = { regex = \"(a{1000}){1000}\" }",
            )
            .into_bytes(),
            "invalid regular expression",
        ),
        (
            rule.replace(
                "$.Condition.*['aws:sourceaccount'][*]",
                &format!("${}", "[?@".repeat(2000)),
            )
            .into_bytes(),
            "invalid JSONPath",
        ),
        (
            rule.replace(
                "require = { equals = [\"111111111111\", \"333333333333\"] }",
                "source = \"syntax\"",
            )
            .into_bytes(),
            "`source` checks need `unit = \"document\"`",
        ),
        (
            rule.replace("expect = \"clean\"", "expect = \"violation\"")
                .into_bytes(),
            "no [[example]] with expect = \"clean\"",
        ),
        (
            rule.replace("severity = \"error\"", "severity = \"fatal\"")
                .into_bytes(),
            "unknown variant `fatal`",
        ),
    ];
    for (text, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ORG001-source-account-allowlist.toml"), &text).unwrap();
        seslint(repo_root())
            .arg("--rules")
            .arg(dir.path())
            .arg("fixtures/aws-docs/cognito-current-guide.json")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn broken_configuration_files_are_reported_in_each_way() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"\xff\xfe".to_vec(), "cannot read configuration"),
        (
            b"select = \"COG\"\n".to_vec(),
            "invalid type: string \"COG\", expected a sequence",
        ),
        (
            b"[per-file-ignores]\n\"*.json\" = \"COG\"\n".to_vec(),
            "expected a sequence",
        ),
        (
            b"rule-dirs = [\"does-not-exist\"]\n".to_vec(),
            "cannot read rule directory",
        ),
        (b"select = [\n".to_vec(), "invalid configuration"),
    ];
    for (text, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("seslint.toml"), &text).unwrap();
        std::fs::write(dir.path().join("policy.json"), bad_policy()).unwrap();
        seslint(dir.path())
            .arg(".")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    // An empty configuration is a valid one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("seslint.toml"), "").unwrap();
    std::fs::write(dir.path().join("policy.json"), bad_policy()).unwrap();
    seslint(dir.path()).arg(".").assert().code(1);
}

/// Every input the fuzzers found (fixtures/hostile/fuzz/, see fuzz/README.md) is a regression
/// test: linted and rendered without a panic, its spans inside the text.
#[test]
fn fuzz_findings_stay_fixed() {
    let rules = seslint::rules::RuleSet::builtin().unwrap();
    let dir = repo_root().join("fixtures/hostile/fuzz");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // The fuzzers lint every input under one of these names; the file keeps its extension.
        let lint_name = if name.ends_with(".tf") {
            "main.tf".to_string()
        } else {
            name.clone()
        };
        let bytes = std::fs::read(&path).unwrap();
        let file = seslint::lint_bytes(&lint_name, &bytes, &rules);
        for finding in &file.findings {
            let span = finding.span;
            assert!(
                span.start <= span.end && span.end <= file.text.len(),
                "{name}: {span:?}"
            );
            assert!(
                file.text.is_char_boundary(span.start) && file.text.is_char_boundary(span.end),
                "{name}: {span:?}"
            );
        }
        let report = seslint::RunReport {
            files: vec![file],
            ..Default::default()
        };
        let _ = seslint::report::human::render(
            &report,
            &seslint::report::human::Style {
                color: false,
                width: 100,
            },
        );
        serde_json::from_str::<Value>(&seslint::report::json::render(&report)).unwrap();
    }
    // An empty policy string in a CLI export: reported inside its quotes, not at the file's start.
    let (report, _, _) = json_run(seslint(repo_root()).args([
        "--format",
        "json",
        "fixtures/hostile/fuzz/cli_export-empty-policy-string.json",
    ]));
    assert_eq!(report["diagnostics"][0]["start"]["column"], 21);
}

#[test]
fn hostile_yaml_templates_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let head = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Deep: ";
    std::fs::write(dir.path().join("deep.yaml"), format!("{head}{}", "[".repeat(200_000))).unwrap();
    let mut bomb =
        String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  a: &a [x, x, x, x, x, x, x, x]\n");
    for (previous, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let items = vec![format!("*{previous}"); 8].join(", ");
        bomb.push_str(&format!("  {name}: &{name} [{items}]\n"));
    }
    bomb.push_str("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n");
    std::fs::write(dir.path().join("bomb.yaml"), bomb).unwrap();
    // A large YAML file that is not a template is not parsed at all.
    let manifest = "- name: worker\n  image: registry.example/worker:1\n  uses: ses:SendEmail\n".repeat(100_000);
    std::fs::write(dir.path().join("manifests.yaml"), manifest).unwrap();
    std::fs::write(dir.path().join("policy.json"), bad_policy()).unwrap();
    let (report, _, code) = json_run(seslint(dir.path()).args(["--format", "json", "."]));
    let found = diagnostics(&report);
    let messages = messages(&report);
    assert!(
        found.iter().any(|(p, r, _)| p == "deep.yaml" && r == "SRC001"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(p, r, _)| p == "bomb.yaml" && r == "SRC001"),
        "{found:?}"
    );
    // The parser's own limit or ours, whichever comes first; never a stack overflow.
    let deep = |m: &&str| m.contains("nesting is deeper than 256 levels") || m.contains("recursion limit");
    assert!(messages.iter().any(deep), "{messages:?}");
    assert!(
        !messages.iter().any(|m| m.contains("4096-byte limit")),
        "a template is not a policy: {messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("aliases expand")), "{messages:?}");
    assert!(!found.iter().any(|(p, _, _)| p == "manifests.yaml"), "{found:?}");
    assert!(
        found.iter().any(|(p, r, _)| p == "policy.json" && r == "COG001"),
        "the rest is still linted: {found:?}"
    );
    assert_eq!(code, Some(1));
}

/// Documents and scripts broken on purpose: unterminated fences, quotes, heredocs and
/// substitutions, deep quotes and tables, lines of megabytes. seslint ends, reports what is
/// evidently a policy, and lints the rest.
#[test]
fn hostile_documents_and_scripts_end_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let policy = bad_policy();
    let call = |policy: &str| format!("aws ses put-identity-policy --identity x --policy-name p --policy '{policy}'\n");
    let files: Vec<(&str, String)> = vec![
        // A fence never closed runs to the end of the document: the policy is still read.
        ("unclosed-fence.md", format!("# x\n\n```json\n{policy}")),
        // Block quotes 5,000 deep around a fence (the parser may stop nesting: no hang, no panic),
        // and 8 deep, read.
        ("deep-quotes.md", format!("{}```json\n{policy}\n```\n", "> ".repeat(5_000))),
        ("quotes.md", format!("{0}```json\n{0}{1}\n{0}```\n", "> ".repeat(8), policy.replace('\n', &format!("\n{}", "> ".repeat(8))))),
        // A 5 MB line in a code block.
        ("long-line.md", format!("```json\n{{\"Statement\": \"{}\"}}\n```\n", "s".repeat(5 << 20))),
        // Quotes, heredocs and substitutions never closed.
        ("unclosed-quote.sh", format!("{}aws ses put-identity-policy --policy \"{{\\\"Statement\\\": [", call(&policy))),
        ("unclosed-heredoc.sh", format!("{}cat > p.json <<EOF\n{{\"Statement\": [\naws ses put-identity-policy --policy file://p.json\n", call(&policy))),
        ("deep-substitutions.sh", format!("{}aws ses put-identity-policy --policy {}", call(&policy), "\"$(".repeat(100_000))),
        ("many-heredocs.sh", format!("{}cat {}\n", call(&policy), "<<EOF ".repeat(50_000))),
        ("long-line.sh", format!("{}aws ses put-identity-policy --policy '{{\"Sid\": \"{}\"}}'\n", call(&policy), "q".repeat(5 << 20))),
        ("ansi-c.sh", format!("{}aws ses put-identity-policy --policy $'{}\\x", call(&policy), "\\u{".repeat(10_000))),
        // A grid table of 2,000 columns, and tables nested in cells.
        ("wide-table.rst", format!("{}\n{}\n{}\n", "+-".repeat(2_000) + "+", "|x".repeat(2_000) + "|", "+-".repeat(2_000) + "+")),
        ("nested-tables.rst", "+--------------------+\n| +----------------+ |\n| | +------------+ | |\n| | | +--------+ | | |\n| | | | {\"Statement\": \"ses:x\" | | |\n| | | +--------+ | | |\n".repeat(200)),
        ("unclosed-directive.rst", format!(".. code-block:: json\n\n   {}", policy.replace('\n', "\n   "))),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let (report, stderr, code) = json_run(seslint(dir.path()).args(["--format", "json", "."]));
    assert!(!stderr.contains("panicked"), "{stderr}");
    let found = diagnostics(&report);
    let fires = |file: &str| found.iter().any(|(p, r, _)| p == file && r == "COG001");
    for file in [
        "unclosed-fence.md",
        "quotes.md",
        "unclosed-quote.sh",
        "unclosed-heredoc.sh",
        "deep-substitutions.sh",
        "many-heredocs.sh",
        "long-line.sh",
        "ansi-c.sh",
        "unclosed-directive.rst",
    ] {
        assert!(fires(file), "{file}: {found:?}");
    }
    assert_eq!(report["summary"]["files_scanned"], files.len());
    assert_eq!(code, Some(1));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any soup of the tokens these readers care about, as Markdown, reStructuredText or shell:
    /// no panic, and every finding's span lies in the text on character boundaries.
    #[test]
    fn documents_and_scripts_never_panic(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "```", "~~~", "json", "sh", "hcl", "\n", "    ", "> ", "- ", "1. ", ".. code-block:: json", "::",
            "+--+--+", "| ", " |", "<!-- seslint:ignore COG001 -->", "# seslint:ignore SES", "aws ses put-identity-policy",
            "aws sesv2 create-email-identity-policy", "--policy", " ", "'", "\"", "\\", "$'", "$(", ")", "${", "}", "$X",
            "`", "<<EOF", "<<-'EOF'", "EOF", "file://p.json", "{\"Statement\": [", "{\"Effect\": \"Allow\"",
            "\"Principal\": {\"Service\": \"cognito-idp.amazonaws.com\"}", "\"Action\": \"ses:*\"", "]}", "é", "\t", "\r\n",
        ]), 0..60),
        name in proptest::sample::select(vec!["doc.md", "doc.rst", "run.sh"]),
    ) {
        let text: String = parts.concat();
        let rules = seslint::rules::RuleSet::builtin().unwrap();
        let report = seslint::lint_bytes(name, text.as_bytes(), &rules);
        for finding in &report.findings {
            proptest::prop_assert!(finding.span.end <= text.len());
            proptest::prop_assert!(text.is_char_boundary(finding.span.start) && text.is_char_boundary(finding.span.end));
        }
    }
}

#[test]
fn hostile_typescript_never_overflows_or_hangs_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // Each mentions `Statement`, so it is parsed; each is just under the size that is parsed.
    let levels = 170_000;
    let files = [
        ("brackets.ts", format!("const Statement = {}", "[".repeat(200_000))),
        ("unary.ts", format!("const Statement = {}x;", "!".repeat(levels * 3))),
        (
            "assignments.ts",
            format!("let Statement; {}Statement;", "a=".repeat(levels)),
        ),
        (
            "conditionals.ts",
            format!("const Statement = {}x;", "x?x:".repeat(levels / 2)),
        ),
        ("arrows.ts", format!("const Statement = {}x;", "x=>".repeat(levels))),
        (
            "type-arguments.ts",
            format!("let Statement: {}B{};", "A<".repeat(levels), ">".repeat(levels)),
        ),
        ("assertions.ts", format!("let Statement = {}x;", "<A>".repeat(levels))),
        (
            "cycles.ts",
            "const a = b; const b = a;\nconst o = { ...o, Statement: [] };\n\
             const p = new iam.CompositePrincipal(p);\n\
             const s = new iam.PolicyStatement({ principals: [p], actions: s.actions });\ns.addActions(s);\n\
             const d = new iam.PolicyDocument({ statements: [d, s] });\n\
             export const policy = { Version: '2012-10-17', Statement: a };\n"
                .to_string(),
        ),
        ("doubling.ts", {
            // Each name is twice the one before: 2^60 values if followed blindly.
            let mut source = String::from("const a0 = ['ses:SendEmail', 'ses:SendRawEmail'];\n");
            for i in 1..60 {
                source.push_str(&format!("const a{i} = [...a{}, ...a{}];\n", i - 1, i - 1));
            }
            source.push_str(
                "export const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', \
                 Principal: { Service: 'email.cognito-idp.amazonaws.com' }, Action: a59, Resource: '*' }] };\n",
            );
            source
        }),
    ];
    for (name, source) in &files {
        assert!(source.len() < 512 << 10, "{name} is parsed");
        std::fs::write(dir.path().join(name), source).unwrap();
    }
    std::fs::write(dir.path().join("policy.json"), bad_policy()).unwrap();
    let (report, stderr, code) = json_run(seslint(dir.path()).args(["--format", "json", "."]));
    assert!(!stderr.contains("panicked") && !stderr.contains("overflow"), "{stderr}");
    let found = diagnostics(&report);
    // No finding from any of them (an unknown statement or action list is not guessed at).
    assert_eq!(
        found,
        [("policy.json".to_string(), "COG001".to_string(), 8)],
        "{stderr}"
    );
    assert_eq!(code, Some(1));
}
