//! `seslint generate`: the policy it prints for a pool of every region the region table lists,
//! in every output format, passes every rule; what it prints for each format (snapshots); and
//! the errors for ARNs it cannot write a policy for (exit 2, saying what to change).

mod common;

use common::root;
use seslint::generate::{policy, Output};
use seslint::rules::definitions::Definitions;
use seslint::rules::RuleSet;

const ACCOUNT: &str = "210987654321";

fn pool(region: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{region}_Gen3rat")
}

fn identity(region: &str) -> String {
    format!("arn:aws:ses:{region}:{ACCOUNT}:identity/mail.example.net")
}

/// The findings of `text` read as the file `name`.
fn findings(name: &str, text: &str, rules: &RuleSet) -> Vec<String> {
    seslint::lint_bytes(name, text.as_bytes(), rules)
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.message))
        .collect()
}

#[test]
fn every_region_of_the_table_in_every_format_passes_every_rule() {
    let tables = Definitions::of_dirs(&[]).unwrap();
    let rules = RuleSet::builtin().unwrap();
    let regions = tables.table("cognito-ses-identity-regions").unwrap();
    assert_eq!(regions.len(), 32, "the table's pool regions");
    let mut checked = 0;
    for (pool_region, identity_regions) in regions.rows() {
        for identity_region in identity_regions {
            let generated = policy(&identity(identity_region), &pool(pool_region), &tables)
                .unwrap_or_else(|e| panic!("{pool_region} -> {identity_region}: {e}"));
            assert!(generated.notes.is_empty());
            for (output, name) in [
                (Output::Json, "policy.json"),
                (Output::Terraform, "main.tf"),
                (Output::CloudFormation, "template.json"),
            ] {
                let text = generated.render(output);
                let found = findings(name, &text, &rules);
                assert!(
                    found.is_empty(),
                    "{pool_region} -> {identity_region} as {name}: {found:?}\n{text}"
                );
                let report = seslint::lint_bytes(name, text.as_bytes(), &rules);
                assert!(
                    report.policies >= 1,
                    "{name} holds the policy (a template: in Create and Update)"
                );
            }
            // The command line's --policy argument.
            let cli = generated.render(Output::Cli);
            let argument = cli
                .split("--policy '")
                .nth(1)
                .unwrap()
                .trim_end()
                .trim_end_matches('\'');
            assert!(findings("policy.json", argument, &rules).is_empty(), "{cli}");
            checked += 1;
        }
    }
    assert!(checked > 32);
}

#[test]
fn each_kind_of_region_gets_its_principal() {
    let tables = Definitions::of_dirs(&[]).unwrap();
    let principal = |pool_region: &str, identity_region: &str| {
        let generated = policy(&identity(identity_region), &pool(pool_region), &tables).unwrap();
        generated.document["Statement"][0]["Principal"]["Service"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // In-Region only, backwards compatible, Alternate Region.
    assert_eq!(principal("eu-west-3", "eu-west-3"), "email.cognito-idp.amazonaws.com");
    assert_eq!(principal("us-east-2", "us-west-2"), "email.cognito-idp.amazonaws.com");
    assert_eq!(
        principal("me-central-1", "eu-central-1"),
        "cognito-idp.me-central-1.amazonaws.com"
    );
}

#[test]
fn outputs_render_as_snapshotted() {
    let tables = Definitions::of_dirs(&[]).unwrap();
    let generated = policy(&identity("eu-central-1"), &pool("me-central-1"), &tables).unwrap();
    for (name, output) in [
        ("json", Output::Json),
        ("terraform", Output::Terraform),
        ("cloudformation", Output::CloudFormation),
        ("cli", Output::Cli),
    ] {
        insta::assert_snapshot!(format!("generate_{name}"), generated.render(output));
    }
}

#[test]
fn arns_it_cannot_write_a_policy_for_are_errors_that_say_what_to_change() {
    let cases = [
        (
            identity("eu-west-3"),
            pool("eu-west-3").replace(ACCOUNT, "109876543210"),
            "use an identity of account 109876543210",
        ),
        (identity("eu-west-1"), pool("eu-west-3"), "use an identity in eu-west-3"),
        (
            identity("me-central-1"),
            pool("me-central-1"),
            "use an identity in eu-central-1, eu-west-2",
        ),
        (
            identity("eu-west-1"),
            format!("arn:aws:cognito-identity:eu-west-1:{ACCOUNT}:identitypool/eu-west-1:5f1c"),
            "is an identity pool ARN",
        ),
        (identity("eu-west-1"), "eu-west-1_Gen3rat".to_string(), "is not an ARN"),
        (
            format!("arn:aws:ses:*:{ACCOUNT}:identity/mail.example.net"),
            pool("eu-west-1"),
            "has `*` for its region",
        ),
        (
            format!("arn:aws:s3:::{ACCOUNT}"),
            pool("eu-west-1"),
            "is not an SES identity ARN",
        ),
    ];
    for (identity, pool, says) in cases {
        let output = common::seslint(root())
            .args(["generate", "--identity-arn", &identity, "--user-pool-arn", &pool])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        // The message as one line (the report wraps it).
        let stderr = String::from_utf8_lossy(&output.stderr).replace('│', " ");
        let stderr = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn a_region_the_table_does_not_list_is_a_note() {
    let output = common::seslint(root())
        .args([
            "generate",
            "--identity-arn",
            &identity("eu-south-2"),
            "--user-pool-arn",
            &pool("ap-east-9"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not list ap-east-9"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("email.cognito-idp.amazonaws.com"));
}
