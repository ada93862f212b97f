//! Micro-benchmarks of the pipeline's hot paths: loading the rule set, linting one policy file,
//! one CLI export (policies inside JSON strings), and an unrelated JSON file the sniff rejects.
//! Whole-run figures on a generated repository come from `scripts/bench-repo.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use seslint::rules::RuleSet;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture exists")
}

fn benches(c: &mut Criterion) {
    c.bench_function("load built-in rules", |b| b.iter(|| RuleSet::builtin().expect("rules load")));

    let rules = RuleSet::builtin().expect("rules load");
    let cases = [
        ("lint correct policy", "aws-docs/cognito-current-guide.json"),
        ("lint AWS page example", "aws-docs/cognito-example-as-published.json"),
        ("lint CLI export", "cli-export/get-identity-policies.json"),
        ("lint package.json", "unrelated/package.json"),
    ];
    for (name, path) in cases {
        let bytes = fixture(path);
        c.bench_function(name, |b| b.iter(|| seslint::lint_bytes(path, black_box(&bytes), &rules)));
    }
}

criterion_group!(lint, benches);
criterion_main!(lint);
