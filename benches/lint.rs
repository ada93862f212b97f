//! Micro-benchmarks of the pipeline's hot paths: loading the rule set, linting one policy file,
//! one CLI export (policies inside JSON strings), and an unrelated JSON file the sniff rejects;
//! and figures per statement (criterion's throughput, in statements): a typical policy, a large
//! one (2,000 statements on one line, as `scripts/bench_data.py` writes them for `scripts/bench.sh`), a Terraform
//! module, and the rule-set load per rule.
//! TypeScript: per CDK stack, and bytes per second on 200 KB of stacks.
//! Whole-run figures on a generated repository come from `scripts/bench.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use seslint::rules::RuleSet;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture exists")
}

fn benches(c: &mut Criterion) {
    c.bench_function("load built-in rules", |b| {
        b.iter(|| RuleSet::builtin().expect("rules load"))
    });

    let rules = RuleSet::builtin().expect("rules load");
    let cases = [
        ("lint correct policy", "aws-docs/cognito-current-guide.json"),
        ("lint AWS page example", "aws-docs/cognito-example-as-published.json"),
        ("lint CLI export", "cli-export/get-identity-policies.json"),
        ("lint package.json", "unrelated/package.json"),
    ];
    for (name, path) in cases {
        let bytes = fixture(path);
        c.bench_function(name, |b| {
            b.iter(|| seslint::lint_bytes(path, black_box(&bytes), &rules))
        });
    }
}

/// The span-keeping parser against jsonc-parser (strict mode, the alternative the design named)
/// and serde_json (no spans: the floor), on a CLI export of 40 policies (about 40 KB).
fn parsers(c: &mut Criterion) {
    let policy = String::from_utf8(fixture("aws-docs/cognito-current-guide.json")).expect("UTF-8");
    let entries: Vec<String> = (0..40)
        .map(|i| format!("\"p{i}\": {}", serde_json::to_string(&policy).expect("string")))
        .collect();
    let export = format!("{{\"Policies\": {{{}}}}}", entries.join(",\n"));
    let big_policy = format!("{{\"Statement\": [{}]}}", vec![policy.as_str(); 40].join(","));
    for (name, text) in [("export", &export), ("policy", &big_policy)] {
        c.bench_function(&format!("parse {name}: seslint::json"), |b| {
            b.iter(|| seslint::json::parse(black_box(text)))
        });
        c.bench_function(&format!("parse {name}: jsonc-parser strict"), |b| {
            let collect = jsonc_parser::CollectOptions::default();
            let strict = jsonc_parser::ParseOptions {
                allow_comments: false,
                allow_loose_object_property_names: false,
                allow_trailing_commas: false,
            };
            b.iter(|| jsonc_parser::parse_to_ast(black_box(text), &collect, &strict).expect("valid"))
        });
        c.bench_function(&format!("parse {name}: serde_json::Value"), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).expect("valid"))
        });
    }
}

/// The statements of the policies a file holds, as seslint extracts them.
fn statements(path: &str, text: &str) -> u64 {
    seslint::extract::extract(std::path::Path::new(path), text)
        .documents
        .iter()
        .map(|d| d.statements().count() as u64)
        .sum()
}

/// One correct Cognito statement, as `scripts/bench_data.py` writes it.
fn cognito_statement(i: usize) -> String {
    format!(
        r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"Service":"email.cognito-idp.amazonaws.com"}},"Action":["ses:SendEmail","ses:SendRawEmail"],"Resource":"arn:aws:ses:eu-west-1:111111111111:identity/a.com","Condition":{{"StringEquals":{{"aws:SourceAccount":"111111111111"}},"ArnLike":{{"aws:SourceArn":"arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_{i}"}}}}}}"#
    )
}

fn per_statement(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("rules load");
    let mut group = c.benchmark_group("per statement");
    let large = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        (0..2000).map(cognito_statement).collect::<Vec<_>>().join(",")
    );
    let typical = String::from_utf8(fixture("aws-docs/cognito-current-guide.json")).expect("UTF-8");
    let module = String::from_utf8(fixture("terraform/cognito-module/policies.tf")).expect("UTF-8");
    let cases = [
        ("typical policy", "policy.json", typical),
        ("large policy (2,000 statements)", "large.json", large),
        ("terraform module file", "policies.tf", module),
    ];
    for (name, path, text) in cases {
        group.throughput(Throughput::Elements(statements(path, &text).max(1)));
        group.bench_function(name, |b| {
            b.iter(|| seslint::lint_bytes(path, black_box(text.as_bytes()), &rules))
        });
    }
    group.throughput(Throughput::Elements(rules.rules.len() as u64));
    group.bench_function("rule-set load (per rule)", |b| {
        b.iter(|| RuleSet::builtin().expect("rules load"))
    });
    group.finish();
}

/// TypeScript: the cost per file of a CDK stack with findings, a correct one, and a file the byte
/// sniff passes over; and throughput in bytes on 200 KB of stacks (parse, walk, read, lint).
fn typescript(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("rules load");
    let mut group = c.benchmark_group("typescript");
    let cases = [
        ("stack with findings", "cdk/firing/statement-stack.ts"),
        ("correct stack", "cdk/clean/mail-policy-stack.ts"),
        ("stack of unrelated policies", "cdk/clean/unrelated-stack.ts"),
        ("file without a policy", "other-formats/cdk/lib/util.ts"),
    ];
    for (name, path) in cases {
        let bytes = fixture(path);
        group.bench_function(name, |b| {
            b.iter(|| seslint::lint_bytes("stack.ts", black_box(&bytes), &rules))
        });
    }
    let stack = String::from_utf8(fixture("cdk/firing/statement-stack.ts")).expect("UTF-8");
    let mut large = String::new();
    for i in 0..(200_000 / stack.len() + 1) {
        large.push_str(&stack.replace("LanternMailStack", &format!("LanternMailStack{i}")));
    }
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("200 KB of stacks", |b| {
        b.iter(|| seslint::lint_bytes("stacks.ts", black_box(large.as_bytes()), &rules))
    });
    // The parser alone: what the rest costs on top of it.
    group.bench_function("200 KB of stacks: oxc_parser alone", |b| {
        b.iter(|| {
            let allocator = oxc_allocator::Allocator::default();
            let source_type = oxc_span::SourceType::ts();
            oxc_parser::Parser::new(&allocator, black_box(&large), source_type)
                .parse()
                .panicked
        })
    });
    group.finish();
}

criterion_group!(lint, benches, parsers, per_statement, typescript);
criterion_main!(lint);
