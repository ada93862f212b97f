//! Arbitrary text as a custom rule file. Errors are expected; a panic is a bug.
//!
//! The rule compiler is private; its public entry is `RuleSet::load(dirs)`, which compiles the
//! ~30 built-in rules before the custom file (tens of milliseconds). So the target works in two
//! stages:
//!
//! 1. The compiler's first step, `toml::from_str::<schema::RuleFile>`, on every input. An input
//!    that fails it would fail `load` at that very step: its error is built the way the compiler
//!    builds it (a `LoadError` at TOML's span) and rendered the way the CLI renders it, and
//!    `load` is skipped.
//! 2. An input that passes is written to a directory of its own and loaded with
//!    `RuleSet::load`. The file is named `CODE-NAME.toml` after the input's own `code` and
//!    `name` when they are plain words (so that the fuzzer reaches the checks, predicates,
//!    JSONPaths, regexes and templates past the file-name check), else `ORG001-x.toml`. A load
//!    error is rendered as the CLI renders it; a rule that loads is run over its own examples
//!    and three fixed policies, so that its checks and templates are evaluated.
//!
//! Asserts: no panic; findings of a loaded rule lie in the policy text on character boundaries.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use miette::{GraphicalReportHandler, GraphicalTheme};
use seslint::error::LoadError;
use seslint::policy::ContextHint;
use seslint::rules::schema::RuleFile;
use seslint::rules::RuleSet;
use seslint::source::Span;
use seslint_fuzz::check_span;

/// Policies every loaded rule is run over, beside its own examples.
const POLICIES: [&str; 3] = [
    include_str!("../../fixtures/aws-docs/cognito-current-guide.json"),
    include_str!("../../fixtures/examples/typical-public-repo.json"),
    include_str!("../../fixtures/custom-rules/partner-policy.json"),
];

/// A directory of this process's own, emptied before each load.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() { shm } else { std::env::temp_dir() };
        base.join(format!("seslint-fuzz-rules-{}", std::process::id()))
    })
}

fn plain_word(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn file_name(file: &RuleFile) -> String {
    let (code, name) = (file.code.get_ref(), file.name.get_ref());
    if plain_word(code) && plain_word(name) {
        format!("{code}-{name}.toml")
    } else {
        "ORG001-x.toml".to_string()
    }
}

/// Renders an error as `main` does (`{:?}` of the report, through a fixed-width handler).
fn render(error: &LoadError) {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let report = error.to_report();
    let _ = handler.render_report(&mut out, report.as_ref());
    let _ = error.to_string();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file: RuleFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
            let error = LoadError::new(format!("invalid rule file: {}", e.message()))
                .in_file("rules/ORG001-x.toml", &text)
                .at(span, "here");
            render(&error);
            return;
        }
    };
    let dir = dir();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("the rule directory can be made");
    std::fs::write(dir.join(file_name(&file)), text.as_bytes()).expect("the rule file can be written");
    let loaded = RuleSet::load(std::slice::from_ref(dir));
    let _ = std::fs::remove_dir_all(dir);
    let mut rules = match loaded {
        Ok(rules) => rules,
        Err(error) => {
            render(&error);
            return;
        }
    };
    rules.rules.retain(|rule| rule.origin != "built-in");
    assert_eq!(rules.rules.len(), 1, "the one custom rule is loaded");
    let examples: Vec<String> = rules.rules[0].examples.iter().map(|e| e.policy.clone()).collect();
    let policies = examples.iter().map(String::as_str).chain(POLICIES);
    for policy in policies {
        for hint in [ContextHint::SesIdentityPolicy, ContextHint::Unknown] {
            for finding in seslint::lint_policy(policy, hint, &rules) {
                check_span(policy, finding.span, &finding.code);
                for (span, _) in &finding.related {
                    check_span(policy, *span, &finding.code);
                }
            }
        }
    }
});
