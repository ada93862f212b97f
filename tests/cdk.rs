//! CDK stacks and other infrastructure written in TypeScript/JavaScript, as users meet it: every
//! directory under fixtures/cdk/ rendered as a whole, each finding at the line and column the
//! engineer wrote, the same stack in TypeScript and synthesized to `cdk.out` giving the same
//! rules, and what is not read (declaration files, `node_modules`, bundles, code that does not
//! parse) giving no finding.

#[macro_use]
mod common;

use common::{diagnostics, fixture, json_report, root, run, seslint};
use predicates::prelude::*;

#[test]
fn every_fixture_directory_renders_as_snapshotted() {
    for name in common::directories("cdk", "") {
        let report = run(&format!("fixtures/cdk/{name}"));
        assert_renders_as_snapshotted!("cdk", &name, &report);
    }
}

/// (file name, rule, line, column, label) of every finding of a run over `path`.
fn places(path: &str) -> Vec<(String, String, u64, u64, String)> {
    let (report, stderr, _) = json_report(seslint(root()).args(["check", "--format", "json", path]));
    assert!(!stderr.contains("panicked"), "{stderr}");
    diagnostics(&report)
        .into_iter()
        .map(|d| {
            let name = d.path.rsplit('/').next().unwrap_or_default().to_string();
            (name, d.rule, d.line, d.column, d.policy)
        })
        .collect()
}

fn place(file: &str, rule: &str, line: u64, column: u64, label: &str) -> (String, String, u64, u64, String) {
    (file.into(), rule.into(), line, column, label.into())
}

#[test]
fn firing_stacks_report_at_the_typescript_people_wrote() {
    assert_eq!(
        places("fixtures/cdk/firing"),
        [
            // The Version of an object literal, in a CommonJS module.
            place("ferry-policy.cjs", "SES003", 5, 12, ""),
            // `${account}` follows the constant to the documentation's example account.
            place("ferry-policy.cjs", "SES010", 12, 17, ""),
            place("ferry-policy.cjs", "SES013", 14, 25, ""),
            // The string literal of `Principal: { Service: '...' }`.
            place(
                "mail-policy-stack.ts",
                "COG001",
                20,
                33,
                "HarbourSendingPolicy.onCreate"
            ),
            // `this.formatArn({ ..., resourceName: '*' })` is a wildcard user pool ARN.
            place(
                "mail-policy-stack.ts",
                "COG008",
                26,
                32,
                "HarbourSendingPolicy.onCreate"
            ),
            // `withSES` sends as DEVELOPER: the policy's principal is reported.
            place("pool-stack.ts", "COG103", 26, 33, "userPool (QuarryUsers)"),
            // `assumedBy: new iam.ServicePrincipal('email.cognito-idp.amazonaws.com')`: the literal.
            place(
                "role-stack.ts",
                "COG013",
                13,
                43,
                "mailRole (OrchardCognitoMailRole).AssumeRolePolicyDocument",
            ),
            // `Principal: { ..., AWS: ... }` beside Cognito, in `PolicyDocument.fromJson({...})`
            // put by a call whose `onCreate` spreads the `onUpdate` call (linted once).
            place("shapes-stack.ts", "COG002", 26, 73, "BeaconIdentityPolicy.onCreate"),
            // `identities.identityPoolArn`: an identity pool's ARN.
            place("shapes-stack.ts", "COG007", 56, 37, "BeaconListenersPolicy.onCreate"),
            // A `CompositePrincipal` with the legacy principal, `addToPrincipalPolicy` SES grants.
            place(
                "shapes-stack.ts",
                "COG013",
                75,
                34,
                "relay (BeaconRelayRole).AssumeRolePolicyDocument",
            ),
            place("statement-stack.ts", "COG005", 18, 7, "LanternIdentityPolicy.onCreate"),
            place("statement-stack.ts", "COG006", 18, 7, "LanternIdentityPolicy.onCreate"),
            // `actions: ['ses:*']` of a `new iam.PolicyStatement`, through `PolicyDocument.toJSON()`.
            place("statement-stack.ts", "COG003", 19, 17, "LanternIdentityPolicy.onCreate"),
        ]
    );
}

#[test]
fn principals_point_at_the_string_literal_given_to_the_class() {
    let found = places("fixtures/cdk/suppressed/kiosk-stack.ts");
    // Suppressed on its line: only the stale suppression is left.
    assert_eq!(found, [place("kiosk-stack.ts", "SUP001", 33, 8, "")]);
    let text = std::fs::read_to_string(fixture("cdk/suppressed/kiosk-stack.ts")).unwrap();
    let unsuppressed = text.replace("// seslint:ignore COG001", "// no longer ignored");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiosk-stack.ts"), &unsuppressed).unwrap();
    let (report, _, code) = json_report(seslint(dir.path()).args(["check", "--format", "json", "kiosk-stack.ts"]));
    assert_eq!(code, Some(1));
    let cog001: Vec<_> = diagnostics(&report)
        .into_iter()
        .filter(|d| d.rule == "COG001")
        .collect();
    assert_eq!(cog001.len(), 1, "{report}");
    // `principals: [new iam.ServicePrincipal('cognito-idp.amazonaws.com')]`: the string literal.
    let line = unsuppressed.lines().nth(12).unwrap();
    assert_eq!(
        (cog001[0].line, cog001[0].column),
        (13, line.find("'cognito").unwrap() as u64 + 1)
    );
    let span = &report["diagnostics"][0]["span"];
    let (offset, length) = (
        span["offset"].as_u64().unwrap() as usize,
        span["length"].as_u64().unwrap() as usize,
    );
    assert_eq!(&unsuppressed[offset..offset + length], "'cognito-idp.amazonaws.com'");
}

/// Lints one TypeScript file written to a temporary directory: its diagnostics.
fn lint_source(name: &str, source: &str) -> Vec<common::Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), source).unwrap();
    let (report, stderr, _) = json_report(seslint(dir.path()).args(["check", "--format", "json", name]));
    assert!(!stderr.contains("panicked"), "{stderr}");
    diagnostics(&report)
}

#[test]
fn keys_of_object_literals_are_where_findings_about_them_point() {
    // No Version: at the object literal, as in a JSON file (its opening brace).
    let source = "export const policy = {\n  Statement: [{ Effect: 'Allow', Principal: { Service: \
                  'email.cognito-idp.amazonaws.com' }, Action: 'ses:SendEmail', Resource: '*' }],\n};\n";
    let ses003: Vec<_> = lint_source("policy.mts", source)
        .into_iter()
        .filter(|d| d.rule == "SES003")
        .collect();
    assert_eq!(ses003.len(), 1);
    assert_eq!((ses003[0].line, ses003[0].column), (1, 23));
    // No statement in an identity policy: at the `Statement` key, quoted or bare.
    for key in ["Statement", "'Statement'", "\"Statement\""] {
        let source = format!(
            "new AwsCustomResource(this, 'P', {{\n  onCreate: {{ service: 'SES', action: 'putIdentityPolicy',\n    \
             parameters: {{ Identity: 'x.example', Policy: JSON.stringify({{ Version: '2012-10-17',\n      {key}: [] }}) }} }},\n}});\n"
        );
        let found: Vec<(String, u64, u64)> = lint_source("stack.ts", &source)
            .into_iter()
            .map(|d| (d.rule, d.line, d.column))
            .collect();
        assert_eq!(found, [("SES017".to_string(), 4, 7)], "{key}");
    }
}

#[test]
fn the_same_stack_synthesized_gives_the_same_rules() {
    let rules = |path: &str| -> Vec<String> {
        let mut rules: Vec<String> = places(path).into_iter().map(|p| p.1).collect();
        rules.sort();
        rules
    };
    let typescript = rules("fixtures/cdk/synth/lib");
    assert_eq!(typescript, ["COG001", "COG003", "COG005", "COG006", "COG013"]);
    assert_eq!(typescript, rules("fixtures/cdk/synth/cdk.out"));
    // In TypeScript, at the source lines.
    let lines: Vec<(String, u64)> = places("fixtures/cdk/synth/lib")
        .into_iter()
        .map(|(_, rule, line, ..)| (rule, line))
        .collect();
    assert_eq!(
        lines,
        [
            ("COG005".to_string(), 16),
            ("COG006".into(), 16),
            ("COG001".into(), 16),
            ("COG003".into(), 17),
            ("COG013".into(), 34),
        ]
    );
}

#[test]
fn serverless_ts_resources_are_read_like_a_template() {
    assert_eq!(
        places("fixtures/cdk/serverless-ts"),
        [
            place(
                "mailer-role.ts",
                "COG013",
                11,
                34,
                "mailerRole.AssumeRolePolicyDocument"
            ),
            // The legacy principal, with an `AWS::IAM::Policy` whose `Roles` name the role.
            place(
                "serverless.ts",
                "COG013",
                26,
                39,
                "TidepoolMailerRole.AssumeRolePolicyDocument"
            ),
        ]
    );
}

#[test]
fn clean_and_unrelated_code_gives_nothing_and_exits_0() {
    let (report, stderr, code) = json_report(seslint(root()).args(["check", "--format", "json", "fixtures/cdk/clean"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(diagnostics(&report), []);
    // The declaration file is not looked at; the three others are read, with their policies.
    assert_eq!(report["summary"]["files_scanned"], 3);
    assert_eq!(report["summary"]["policies_checked"], 5);
}

#[test]
fn code_that_does_not_parse_gives_no_finding_and_a_verbose_note() {
    let dir = fixture("cdk/broken");
    seslint(&dir)
        .args(["check", "half-written-stack.ts"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("note").not());
    seslint(&dir)
        .args(["check", "-v", "half-written-stack.ts"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "half-written-stack.ts: not linted: seslint does not read TypeScript/JavaScript that does not parse",
        ));
}

#[test]
fn dependencies_declarations_and_bundles_are_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(fixture("cdk/firing/mail-policy-stack.ts")).unwrap();
    std::fs::create_dir_all(dir.path().join("node_modules/mailer")).unwrap();
    std::fs::write(dir.path().join("node_modules/mailer/index.js"), &policy).unwrap();
    std::fs::write(dir.path().join("stack.d.ts"), &policy).unwrap();
    // A bundle: over 512 KiB, mentioning Cognito's email principal.
    let bundle = format!("{}\n{}", "var a=1;".repeat(70_000), policy);
    std::fs::write(dir.path().join("bundle.js"), bundle).unwrap();
    let (report, stderr, code) =
        json_report(seslint(dir.path()).args(["check", "--format", "json", "--no-ignore", "."]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(diagnostics(&report), []);
    assert_eq!(report["summary"]["files_scanned"], 0);
    // The bundle is named, not passed over in silence.
    assert_eq!(
        report["summary"]["unread"],
        serde_json::json!([{"path": "bundle.js", "format": "TypeScript/JavaScript over 512 KiB, not parsed"}])
    );
}

#[test]
fn stdin_is_read_as_typescript_by_its_name() {
    let policy = std::fs::read_to_string(fixture("cdk/firing/mail-policy-stack.ts")).unwrap();
    let (report, _, code) = json_report(
        seslint(root())
            .args(["check", "--format", "json", "-", "--stdin-filename", "lib/stack.ts"])
            .write_stdin(policy),
    );
    // Warnings fail the run by default.
    assert_eq!(code, Some(1));
    let rules: Vec<String> = diagnostics(&report).into_iter().map(|d| d.rule).collect();
    assert_eq!(rules, ["COG001", "COG008"]);
}

#[test]
fn a_byte_order_mark_and_crlf_keep_lines_and_columns() {
    let source = std::fs::read_to_string(fixture("cdk/firing/mail-policy-stack.ts")).unwrap();
    let at = |d: &common::Diagnostic| (d.rule.clone(), d.line, d.column);
    let plain: Vec<_> = lint_source("stack.ts", &source).iter().map(at).collect();
    assert_eq!(plain, [("COG001".to_string(), 20, 33), ("COG008".to_string(), 26, 32)]);
    let bom = format!("\u{feff}{source}");
    assert_eq!(lint_source("stack.ts", &bom).iter().map(at).collect::<Vec<_>>(), plain);
    let crlf = source.replace('\n', "\r\n");
    assert_eq!(lint_source("stack.ts", &crlf).iter().map(at).collect::<Vec<_>>(), plain);
}

#[test]
fn values_not_known_here_are_never_guessed() {
    // A name bound twice, a parameter, JSON text with an unknown value outside its strings: each
    // policy is unknown, so nothing is reported (no "invalid JSON", no "no statement").
    let source = "import * as cr from 'aws-cdk-lib/custom-resources';\n\
        function a(scope: any) {\n  const policy = { Version: '2012-10-17', Statement: [] };\n  \
        new cr.AwsCustomResource(scope, 'A', { onCreate: { service: 'SES', action: 'putIdentityPolicy', \
        parameters: { Identity: 'a.example', Policy: JSON.stringify(policy) } } });\n}\n\
        function b(scope: any, props: { policy: string; statements: string }) {\n  \
        const policy = { Version: '2012-10-17', Statement: [] };\n  \
        new cr.AwsCustomResource(scope, 'B', { onCreate: { service: 'SES', action: 'putIdentityPolicy', \
        parameters: { Identity: 'b.example', Policy: props.policy } } });\n  \
        new cr.AwsCustomResource(scope, 'C', { onCreate: { service: 'SES', action: 'putIdentityPolicy', \
        parameters: { Identity: 'c.example', Policy: `{\"Version\":\"2012-10-17\",\"Statement\":[${props.statements}]}` } } });\n}\n";
    assert_eq!(lint_source("stacks.ts", source), []);
}
