//! Property tests: invariants that must hold for every input, checked on inputs proptest
//! generates (mutated fixture policies, random valid policies, random file trees).
//!
//! Failures are not persisted to a regressions file (the test tree stays as it is); a minimal
//! failing input that proptest prints belongs in a plain `#[test]` below its property.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::Config;
use serde_json::{Map, Value};
use seslint::policy::{ContextHint, PolicyDocument};
use seslint::report::{github, human, json as json_report, sarif};
use seslint::rules::{FileRules, RuleSet};
use seslint::source::Span;
use seslint::{lint_bytes, run, FileReport, Options, RunReport};

/// `cases`, or `PROPTEST_CASES` when it is set (for a longer local run); failures are not
/// persisted.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::builtin().expect("the built-in rules load"));

/// A fixture the mutations start from, and the file name it is linted under (which decides the
/// container format).
#[derive(Debug)]
struct Seed {
    fixture: &'static str,
    name: &'static str,
    bytes: &'static [u8],
}

macro_rules! seed {
    ($fixture:literal, $name:literal) => {
        Seed {
            fixture: $fixture,
            name: $name,
            bytes: include_bytes!(concat!("../fixtures/", $fixture)),
        }
    };
}

/// Policy JSON, CLI exports, Terraform modules (quoted string, heredoc, jsonencode, data
/// source, suppression comments, typed references), plan JSON, and CDK stacks and a
/// `serverless.ts` in TypeScript/JavaScript.
static SEEDS: [Seed; 20] = [
    seed!("aws-docs/cognito-current-guide.json", "policy.json"),
    seed!("aws-docs/cognito-example-as-published.json", "policy.json"),
    seed!("examples/typical-public-repo.json", "policy.json"),
    seed!("cli-export/get-identity-policies.json", "export.json"),
    seed!("cli-export/sesv2-escapes.json", "export.json"),
    seed!("terraform/quoted-string/main.tf", "main.tf"),
    seed!("terraform/heredoc/main.tf", "main.tf"),
    seed!("terraform/jsonencode/main.tf", "main.tf"),
    seed!("terraform/data-source/iam.tf", "main.tf"),
    seed!("terraform/suppressions/main.tf", "main.tf"),
    seed!("terraform/typed-references/main.tf", "main.tf"),
    seed!("terraform/public-repo-patterns/uppercase-keys.tf", "main.tf"),
    seed!("terraform/plan/cognito-broken.json", "plan.json"),
    seed!("terraform/plan/unknown-policy.json", "plan.json"),
    seed!("cdk/firing/mail-policy-stack.ts", "stack.ts"),
    seed!("cdk/firing/statement-stack.ts", "stack.ts"),
    seed!("cdk/firing/role-stack.ts", "stack.mts"),
    seed!("cdk/firing/pool-stack.ts", "stack.ts"),
    seed!("cdk/firing/ferry-policy.cjs", "policy.cjs"),
    seed!("cdk/serverless-ts/serverless.ts", "serverless.ts"),
];

/// Text that breaks parsers and span arithmetic: JSON and HCL structure, NUL, a BOM, multi-byte
/// characters, CRLF, an interpolation, a heredoc opener, and JavaScript's other quotes.
const SPECIALS: [&str; 17] = [
    "\"", "\\", "{", "}", "[", "]", ",", "\u{0}", "\u{feff}", "é", "😀", "\r\n", "${", "<<EOF", "<<EOF\n", "`", "'",
];

/// One edit of a file's bytes. Positions are [`Index`]es, scaled to the length at the time the
/// edit is applied.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(Index, u8),
    Delete(Index, usize),
    Replace(Index, u8),
    Truncate(Index),
    Duplicate {
        from: Index,
        len: usize,
        to: Index,
    },
    Swap {
        a: Index,
        b: Index,
        len: usize,
    },
    Special(Index, &'static str),
    /// Puts a BOM at the very start (where it is not a column).
    PrependBom,
    /// Turns every LF into CRLF.
    Crlf,
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        let n = bytes.len();
        // A position in 0..=n (insertion point) and 0..n (an existing byte).
        let gap = |i: &Index| i.index(n + 1);
        match self {
            Mutation::Insert(at, byte) => bytes.insert(gap(at), *byte),
            Mutation::Special(at, text) => {
                let at = gap(at);
                bytes.splice(at..at, text.bytes());
            }
            Mutation::Delete(at, len) if n > 0 => {
                let at = at.index(n);
                bytes.drain(at..(at + len).min(n));
            }
            Mutation::Replace(at, byte) if n > 0 => bytes[at.index(n)] = *byte,
            Mutation::Truncate(at) => bytes.truncate(gap(at)),
            Mutation::Duplicate { from, len, to } if n > 0 => {
                let from = from.index(n);
                let slice = bytes[from..(from + len).min(n)].to_vec();
                let to = gap(to);
                bytes.splice(to..to, slice);
            }
            Mutation::Swap { a, b, len } if n > 0 => {
                let (a, b) = (a.index(n), b.index(n));
                let (x, y) = (a.min(b), a.max(b));
                let len = (*len).min(y - x).min(n - y);
                if len > 0 {
                    let mut out = Vec::with_capacity(n);
                    out.extend_from_slice(&bytes[..x]);
                    out.extend_from_slice(&bytes[y..y + len]);
                    out.extend_from_slice(&bytes[x + len..y]);
                    out.extend_from_slice(&bytes[x..x + len]);
                    out.extend_from_slice(&bytes[y + len..]);
                    *bytes = out;
                }
            }
            Mutation::PrependBom => {
                if !bytes.starts_with("\u{feff}".as_bytes()) {
                    bytes.splice(0..0, "\u{feff}".bytes());
                }
            }
            Mutation::Crlf => {
                let mut out = Vec::with_capacity(n + n / 16);
                for &b in bytes.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *bytes = out;
            }
            // Deleting, replacing, duplicating or swapping in an empty file does nothing.
            Mutation::Delete(..) | Mutation::Replace(..) | Mutation::Duplicate { .. } | Mutation::Swap { .. } => {}
        }
    }
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        2 => any::<u8>(),
        3 => select(b"\"\\{}[],:=\n\r\t $#/*<".to_vec()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), byte()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        3 => (any::<Index>(), 1..24usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        3 => (any::<Index>(), byte()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1..64usize, any::<Index>())
            .prop_map(|(from, len, to)| Mutation::Duplicate { from, len, to }),
        2 => (any::<Index>(), any::<Index>(), 1..48usize).prop_map(|(a, b, len)| Mutation::Swap { a, b, len }),
        4 => (any::<Index>(), select(&SPECIALS[..])).prop_map(|(at, s)| Mutation::Special(at, s)),
        1 => Just(Mutation::PrependBom),
        1 => Just(Mutation::Crlf),
    ]
}

/// A fixture after a few mutations.
#[derive(Clone)]
struct Mutated {
    seed: &'static Seed,
    mutations: Vec<Mutation>,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Mutated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutated")
            .field("fixture", &self.seed.fixture)
            .field("name", &self.seed.name)
            .field("mutations", &self.mutations)
            .field("bytes", &format_args!("b\"{}\"", self.bytes.escape_ascii()))
            .finish()
    }
}

fn mutated(max_mutations: usize) -> impl Strategy<Value = Mutated> {
    (0..SEEDS.len(), prop::collection::vec(mutation(), 0..=max_mutations)).prop_map(|(seed, mutations)| {
        let seed = &SEEDS[seed];
        let mut bytes = seed.bytes.to_vec();
        for m in &mutations {
            m.apply(&mut bytes);
        }
        Mutated { seed, mutations, bytes }
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

fn single(file: FileReport) -> RunReport {
    RunReport {
        files: vec![file],
        ..Default::default()
    }
}

/// Lints and renders in every format, catching panics.
fn lint_and_render(name: &str, bytes: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let report = single(lint_bytes(name, bytes, &RULES));
        json_report::render(&report);
        sarif::render(&report, &RULES);
        github::render(&report);
        human::render(
            &report,
            &human::Style {
                color: false,
                width: 100,
            },
        );
    }))
    .map_err(|payload| panic_message(payload.as_ref()))
}

/// Lints, failing (not panicking) when linting panics.
fn lint(name: &str, bytes: &[u8]) -> Result<FileReport, TestCaseError> {
    catch_unwind(AssertUnwindSafe(|| lint_bytes(name, bytes, &RULES)))
        .map_err(|payload| TestCaseError::fail(format!("lint_bytes panicked: {}", panic_message(payload.as_ref()))))
}

/// Every span of a report (primary and related) is ordered, inside its text, and starts and
/// ends on character boundaries.
fn check_spans(file: &FileReport, input: &[u8]) -> Result<(), TestCaseError> {
    if let (Ok(text), false) = (std::str::from_utf8(input), file.findings.is_empty()) {
        prop_assert_eq!(&*file.text, text, "a report with findings carries the file's text");
    }
    let text = &*file.text;
    for finding in &file.findings {
        let spans =
            std::iter::once((finding.span, "primary")).chain(finding.related.iter().map(|(s, _)| (*s, "related")));
        for (span, what) in spans {
            prop_assert!(
                span.start <= span.end,
                "{} {} span {:?} is reversed",
                finding.code,
                what,
                span
            );
            prop_assert!(
                span.end <= text.len(),
                "{} {} span {:?} is past the end of the text ({} bytes)",
                finding.code,
                what,
                span,
                text.len()
            );
            prop_assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{} {} span {:?} splits a character",
                finding.code,
                what,
                span
            );
        }
    }
    Ok(())
}

/// Line and column of a byte offset, computed directly: lines are `\n`-separated, columns count
/// characters, a leading BOM is no column.
fn expected_position(text: &str, offset: usize) -> Option<(u64, u64)> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut column = before[line_start..].chars().count() + 1;
    if line_start == 0 && text.starts_with('\u{feff}') && offset >= 3 {
        column -= 1;
    }
    Some((line as u64, column as u64))
}

fn position(value: &Value) -> Option<(u64, u64)> {
    Some((value["line"].as_u64()?, value["column"].as_u64()?))
}

/// The JSON report of one file: its diagnostics agree with the findings' spans and with
/// [`expected_position`].
fn check_positions(file: FileReport) -> Result<(), TestCaseError> {
    let text = file.text.clone();
    let findings = file.findings.clone();
    let output: Value =
        serde_json::from_str(&json_report::render(&single(file))).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let diagnostics = output["diagnostics"].as_array().cloned().unwrap_or_default();
    prop_assert_eq!(diagnostics.len(), findings.len());
    for (finding, diagnostic) in findings.iter().zip(&diagnostics) {
        prop_assert_eq!(diagnostic["rule"].as_str(), Some(finding.code.as_str()));
        prop_assert_eq!(diagnostic["span"]["offset"].as_u64(), Some(finding.span.start as u64));
        prop_assert_eq!(diagnostic["span"]["length"].as_u64(), Some(finding.span.len() as u64));
        for (key, offset) in [("start", finding.span.start), ("end", finding.span.end)] {
            let expected = expected_position(&text, offset);
            prop_assert!(
                expected.is_some(),
                "{} {}: offset {} is not in the text",
                finding.code,
                key,
                offset
            );
            prop_assert_eq!(
                position(&diagnostic[key]),
                expected,
                "{} {} at offset {} (span {:?})",
                finding.code,
                key,
                offset,
                finding.span
            );
        }
    }
    Ok(())
}

/// The JSON report parses, and its summary counts what it lists.
fn check_json_summary(file: FileReport) -> Result<(), TestCaseError> {
    let policies = file.policies;
    let rendered = json_report::render(&single(file));
    let output: Value = serde_json::from_str(&rendered).map_err(|e| TestCaseError::fail(format!("{e}: {rendered}")))?;
    let diagnostics = output["diagnostics"].as_array().cloned().unwrap_or_default();
    let count = |severity: &str| diagnostics.iter().filter(|d| d["severity"] == severity).count() as u64;
    let summary = &output["summary"];
    prop_assert_eq!(output["version"].as_u64(), Some(1));
    prop_assert_eq!(summary["errors"].as_u64(), Some(count("error")));
    prop_assert_eq!(summary["warnings"].as_u64(), Some(count("warning")));
    prop_assert_eq!(summary["infos"].as_u64(), Some(count("info")));
    prop_assert_eq!(
        count("error") + count("warning") + count("info"),
        diagnostics.len() as u64,
        "every diagnostic has a known severity"
    );
    prop_assert_eq!(summary["files_scanned"].as_u64(), Some(1));
    prop_assert_eq!(summary["policies_checked"].as_u64(), Some(policies as u64));
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Linting never panics, whatever is done to a valid policy file: byte insertions,
    /// deletions and replacements, truncation, duplicated and swapped slices, structural and
    /// multi-byte characters, NUL, BOM, CRLF, `${`, `<<EOF`, and invalid UTF-8; in every
    /// container (policy JSON, CLI export, Terraform, plan JSON). Rendering the result in every
    /// output format (JSON, SARIF, GitHub, human) does not panic either.
    #[test]
    fn mutated_files_never_panic(input in mutated(8)) {
        if let Err(message) = lint_and_render(input.seed.name, &input.bytes) {
            prop_assert!(false, "linting or rendering panicked: {}", message);
        }
    }

    /// Every finding's span, and every related span, is ordered (`start <= end`), lies inside
    /// the file's text and starts and ends on character boundaries; the text the report
    /// carries is the file's own text when the file is UTF-8.
    #[test]
    fn spans_lie_on_character_boundaries(input in mutated(6)) {
        let file = lint(input.seed.name, &input.bytes)?;
        check_spans(&file, &input.bytes)?;
    }

    /// The JSON report's `span` is the finding's byte span, and its `start` and `end` are the
    /// 1-based line (LF count + 1) and character column (characters since the line start + 1,
    /// a leading BOM not counted) of the span's ends, however the text mixes CRLF, BOM and
    /// multi-byte characters.
    #[test]
    fn lines_and_columns_agree_with_offsets(input in mutated(6)) {
        let file = lint(input.seed.name, &input.bytes)?;
        check_spans(&file, &input.bytes)?;
        check_positions(file)?;
    }

    /// The JSON output of a mutated file always parses, and its summary counts are the numbers
    /// of diagnostics of each severity (and one file scanned, with the report's policy count).
    #[test]
    fn json_output_parses_and_its_summary_adds_up(input in mutated(6)) {
        let file = lint(input.seed.name, &input.bytes)?;
        check_json_summary(file)?;
    }
}

// ---- canonical form ----

/// A key spelled with random case changes (`aws:SourceArn`, `AWS:sourcearn`).
fn mixed_case(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    (select(keys), prop::collection::vec(any::<bool>(), 32)).prop_map(|(key, flips)| {
        key.chars()
            .zip(flips.iter().cycle())
            .map(|(c, &flip)| {
                if flip && c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else if flip {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

/// Strings a policy holds: real actions, principals and ARNs, IAM policy variables and
/// Terraform escapes, and arbitrary text.
fn policy_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vec![
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:*",
            "SES:Send*",
            "*",
            "",
            "111111111111",
            "arn:aws:ses:eu-west-1:111111111111:identity/example.com",
            "arn:aws:ses:us-east-1:111111111111:identity/${aws:username}",
            "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Abc123",
            "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/*",
            "email.cognito-idp.amazonaws.com",
            "cognito-idp.amazonaws.com",
            "${aws:username}",
            "$${aws:username}",
            "${aws_cognito_user_pool.main.arn}",
            "é😀",
        ])
        .prop_map(String::from),
        1 => "[ -~]{0,16}",
        1 => "\\PC{0,8}",
    ]
}

/// A string or a list of strings.
fn one_or_many(item: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    prop_oneof![item.clone(), prop::collection::vec(item, 0..4).prop_map(Value::Array),]
}

fn string_or_list() -> impl Strategy<Value = Value> {
    one_or_many(policy_string().prop_map(Value::String).boxed())
}

fn object(members: Vec<(String, Value)>) -> Value {
    Value::Object(members.into_iter().collect::<Map<String, Value>>())
}

fn principal() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::String("*".into())),
        3 => prop::collection::vec(
            (select(vec!["AWS", "Service", "Federated", "CanonicalUser"]).prop_map(String::from), string_or_list()),
            0..3,
        )
        .prop_map(object),
    ]
}

fn condition_value() -> impl Strategy<Value = Value> {
    let item = prop_oneof![
        6 => policy_string().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => (-1000i64..1000).prop_map(Value::from),
    ];
    one_or_many(item.boxed())
}

/// `Condition`: operators holding condition keys in mixed case (case variants of one key
/// included).
fn condition() -> impl Strategy<Value = Value> {
    let keys = mixed_case(&[
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:PrincipalOrgID",
        "ses:FromAddress",
        "ses:Recipients",
        "aws:sourcearn",
    ]);
    let operator = prop::collection::vec((keys, condition_value()), 0..4).prop_map(object);
    prop::collection::vec(
        (
            select(vec![
                "StringEquals",
                "StringLike",
                "ArnLike",
                "ArnEquals",
                "ForAnyValue:StringLike",
                "NumericLessThan",
                "Null",
            ])
            .prop_map(String::from),
            operator,
        ),
        0..3,
    )
    .prop_map(object)
}

fn statement() -> impl Strategy<Value = Value> {
    let optional = |key: &'static str, value: BoxedStrategy<Value>| {
        prop::option::weighted(0.6, value).prop_map(move |v| v.map(|v| (key.to_string(), v)))
    };
    (
        optional("Sid", "[A-Za-z0-9]{0,12}".prop_map(Value::String).boxed()),
        optional(
            "Effect",
            select(vec!["Allow", "Deny", "allow"]).prop_map(Value::from).boxed(),
        ),
        prop_oneof![
            optional("Principal", principal().boxed()),
            optional("NotPrincipal", principal().boxed())
        ],
        prop_oneof![
            optional("Action", string_or_list().boxed()),
            optional("NotAction", string_or_list().boxed())
        ],
        prop_oneof![
            optional("Resource", string_or_list().boxed()),
            optional("NotResource", string_or_list().boxed())
        ],
        optional("Condition", condition().boxed()),
        any::<prop::sample::Selector>(),
    )
        .prop_map(|(sid, effect, principal, action, resource, condition, order)| {
            let mut members: Vec<(String, Value)> = [sid, effect, principal, action, resource, condition]
                .into_iter()
                .flatten()
                .collect();
            // Members in any order: rotate by a random amount.
            if !members.is_empty() {
                let by = order.select(0..members.len());
                members.rotate_left(by);
            }
            object(members)
        })
}

/// A policy document: an optional `Version` and `Id`, and `Statement` as one statement object
/// or a list of them.
fn policy_document() -> impl Strategy<Value = Value> {
    (
        prop::option::of(select(vec!["2012-10-17", "2008-10-17"])),
        prop::option::of("[a-z0-9-]{1,12}"),
        prop_oneof![
            statement(),
            prop::collection::vec(statement(), 0..4).prop_map(Value::Array),
        ],
    )
        .prop_map(|(version, id, statements)| {
            let mut members = Vec::new();
            if let Some(version) = version {
                members.push(("Version".to_string(), Value::from(version)));
            }
            if let Some(id) = id {
                members.push(("Id".to_string(), Value::String(id)));
            }
            members.push(("Statement".to_string(), statements));
            object(members)
        })
}

/// The canonical form of a policy text, built as `PolicyDocument::new` builds it for a file.
fn canonical(text: &str) -> Option<Value> {
    let parsed = seslint::json::parse(text);
    PolicyDocument::new(
        String::new(),
        ContextHint::Unknown,
        parsed.root.as_ref(),
        (&parsed.errors[..], &parsed.duplicate_keys[..]),
        Span::new(0, text.len()),
        text.len(),
        &|s| s,
    )
    .canonical
    .map(|tree| tree.to_value())
}

fn check_idempotent(text: &str) -> Result<(), TestCaseError> {
    let once = canonical(text);
    prop_assert!(once.is_some(), "a valid policy has a canonical form: {}", text);
    let once = once.unwrap();
    let once_text = serde_json::to_string(&once).unwrap();
    let twice = canonical(&once_text);
    prop_assert_eq!(
        twice.as_ref().map(|v| serde_json::to_string(v).unwrap()),
        Some(once_text),
        "canonical(canonical(x)) != canonical(x) for x = {}",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Canonicalization is idempotent: for any valid policy (one statement object or a list,
    /// `Action` / `Resource` as a string or a list, `Principal` `"*"` or a map, conditions with
    /// mixed-case and case-colliding keys, policy variables), the canonical form of the
    /// canonical form is the canonical form, member order included.
    #[test]
    fn canonicalization_is_idempotent(policy in policy_document()) {
        check_idempotent(&serde_json::to_string_pretty(&policy).unwrap())?;
    }
}

/// The minimal case the property above found: Terraform's escape `$${` reads as a literal `${`
/// in the canonical form, which reads as an interpolation (unknown) when canonicalized again.
#[test]
fn canonicalization_is_idempotent_on_terraform_escapes() {
    check_idempotent(r#"{"Statement": {"Resource": ["$${aws:username}"]}}"#).unwrap();
}

// ---- runs over a file tree ----

/// A file of a generated tree: a fixture (maybe mutated) in one of a few directories.
#[derive(Debug, Clone)]
struct TreeFile {
    dir: usize,
    input: Mutated,
}

fn tree() -> impl Strategy<Value = Vec<TreeFile>> {
    let file = (0..3usize, prop_oneof![mutated(0), mutated(3)]).prop_map(|(dir, input)| TreeFile { dir, input });
    prop::collection::vec(file, 2..8)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Writes the tree (and a module whose policies live in files it names) under a fresh
/// directory.
fn write_tree(files: &[TreeFile]) -> tempfile::TempDir {
    let root = tempfile::Builder::new().prefix("seslint-properties").tempdir().unwrap();
    for (i, file) in files.iter().enumerate() {
        let dir = root.path().join(format!("module{}", file.dir));
        std::fs::create_dir_all(&dir).unwrap();
        let extension = if file.input.seed.name.ends_with(".tf") {
            "tf"
        } else {
            "json"
        };
        std::fs::write(dir.join(format!("file{i}.{extension}")), &file.input.bytes).unwrap();
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform/file-and-template");
    copy_dir(&fixtures, &root.path().join("file-and-template"));
    root
}

fn render_run(root: &Path, threads: usize) -> Result<String, TestCaseError> {
    let paths = vec![PathBuf::from(root)];
    let options = Options {
        threads,
        ..Default::default()
    };
    let report = catch_unwind(AssertUnwindSafe(|| run(&paths, &options, &RULES)))
        .map_err(|payload| TestCaseError::fail(format!("run panicked: {}", panic_message(payload.as_ref()))))?
        .map_err(|e| TestCaseError::fail(format!("run failed: {e:?}")))?;
    Ok(json_report::render(&report))
}

proptest! {
    #![proptest_config(config(32))]

    /// The same tree gives byte-identical JSON output with 1, 2 and 4 worker threads.
    #[test]
    fn output_does_not_depend_on_jobs(files in tree()) {
        let root = write_tree(&files);
        let one = render_run(root.path(), 1)?;
        // The whole tree was walked: every generated file and the three of the module.
        let output: Value = serde_json::from_str(&one).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(output["summary"]["files_scanned"].as_u64(), Some(files.len() as u64 + 3));
        for threads in [2, 4] {
            let other = render_run(root.path(), threads)?;
            prop_assert!(one == other, "--jobs 1 and --jobs {} differ:\n{}\n---\n{}", threads, one, other);
        }
    }
}

/// The seeds themselves satisfy every per-file property (a sanity check that needs no search).
#[test]
fn seeds_satisfy_the_properties() {
    for seed in &SEEDS {
        lint_and_render(seed.name, seed.bytes).unwrap_or_else(|m| panic!("{}: {m}", seed.fixture));
        let file = lint_bytes(seed.name, seed.bytes, &RULES);
        check_spans(&file, seed.bytes).unwrap();
        check_json_summary(file.clone()).unwrap();
        check_positions(file).unwrap();
    }
}

/// The `--policy` of an AWS CLI call, quoted the `style` way: single quotes, double quotes with
/// escapes, a quoted heredoc in a command substitution, `$'...'`.
fn quoted_call(style: usize, policy: &str) -> String {
    let call = "aws ses put-identity-policy --identity example.com --policy-name p \\\n  --policy ";
    match style {
        0 => format!("{call}'{}'\n", policy.replace('\'', "'\\''")),
        1 => {
            let escaped: String = policy
                .chars()
                .flat_map(|c| {
                    matches!(c, '"' | '\\' | '$' | '`')
                        .then_some('\\')
                        .into_iter()
                        .chain([c])
                })
                .collect();
            format!("{call}\"{escaped}\"\n")
        }
        2 => format!("{call}\"$(cat <<'EOF'\n{policy}\nEOF\n)\"\n"),
        _ => format!("{call}$'{}'\n", policy.replace('\\', "\\\\").replace('\'', "\\'")),
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// A policy (a mutated fixture) reads the same in every shell quoting, in a script and in a
    /// Markdown shell block: the same findings, code and message.
    #[test]
    fn a_policy_reads_the_same_in_every_quoting(input in mutated(4)) {
        let Ok(policy) = std::str::from_utf8(&input.bytes) else {
            return Ok(());
        };
        // JSON seeds (a Terraform file's `#` comments would be the script's), text the wrappers
        // can hold as it is.
        let plain = input.seed.name.ends_with(".json")
            && !policy.contains(['\0', '\r'])
            && !policy.contains("seslint:ignore")
            && !policy.contains("```")
            && !policy.split('\n').any(|line| line == "EOF");
        if !plain {
            return Ok(());
        }
        // `$(...)` drops the trailing line breaks of what it prints; quotes keep them.
        let policy = policy.trim_end_matches('\n');
        let findings = |name: &str, text: &str| -> Vec<(String, String)> {
            lint_bytes(name, text.as_bytes(), &RULES)
                .findings
                .into_iter()
                .map(|f| (f.code, f.message))
                .collect()
        };
        let first = findings("run.sh", &quoted_call(0, policy));
        for style in 1..4 {
            prop_assert_eq!(&first, &findings("run.sh", &quoted_call(style, policy)), "quoting {}", style);
        }
        let block = format!("# Setup\n\n```sh\n{}```\n", quoted_call(0, policy));
        prop_assert_eq!(&first, &findings("doc.md", &block), "in a Markdown block");
    }
}

// ---- fixing ----

/// Findings that say a file does not parse (in its own syntax, or as policy JSON).
fn unparseable(file: &FileReport) -> usize {
    file.findings
        .iter()
        .filter(|f| ["SES001", "SES002", "SRC001"].contains(&f.code.as_str()))
        .count()
}

/// Fixes `text` (safe and unsafe fixes) as `check --fix --unsafe-fixes` does: fixing a file that
/// parses gives a file that parses, and fixing the result again changes nothing.
fn check_fixing(name: &str, text: &str) -> Result<(), TestCaseError> {
    let before = lint_bytes(name, text.as_bytes(), &RULES);
    let (fixed, left) = seslint::fix::apply::fix_text(name, text, &FileRules::all(&RULES), true, &|_| {});
    if unparseable(&before) == 0 {
        prop_assert_eq!(
            unparseable(&left),
            0,
            "fixing broke {}:\n{}\n---\n{}",
            name,
            text,
            fixed
        );
    }
    let (again, _) = seslint::fix::apply::fix_text(name, &fixed, &FileRules::all(&RULES), true, &|_| {});
    prop_assert_eq!(again, fixed, "a second fix changed {}", name);
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    /// Fixing a mutated fixture (policy JSON, CLI export, Terraform, plan JSON) never produces a
    /// file that does not parse when the input parsed, and is idempotent.
    #[test]
    fn fixing_keeps_files_parseable_and_is_idempotent(input in mutated(4)) {
        if let Ok(text) = std::str::from_utf8(&input.bytes) {
            check_fixing(input.seed.name, text)?;
        }
    }

    /// The same for random policies (mixed-case keys, single values and lists, every operator)
    /// in every container form a writer knows (JSON, CLI export, Terraform heredoc, quoted,
    /// `jsonencode` and policy document, CloudFormation YAML, CDK `Custom::AWS`).
    #[test]
    fn fixing_random_policies_keeps_them_parseable(policy in policy_document()) {
        let text = serde_json::to_string_pretty(&policy).unwrap();
        for form in common::containers::forms(&text) {
            check_fixing(form.file, &form.text)?;
        }
    }
}
