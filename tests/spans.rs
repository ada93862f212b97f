//! Spans end to end: a finding's span must cover exactly the bytes of the element it names, in
//! the original file, whatever lies between (string escapes, a BOM, CRLF line ends, multi-byte
//! characters), and its line and column must agree with those bytes.

use serde_json::Value;
use seslint::report::json;
use seslint::rules::RuleSet;
use seslint::{lint_bytes, RunReport};

/// A Cognito policy with an unknown element `Conditon` (SES004 reports it at the key).
fn policy(sid: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "{sid}",
      "Effect": "Allow",
      "Principal": {{"Service": "email.cognito-idp.amazonaws.com"}},
      "Action": ["ses:SendEmail", "ses:SendRawEmail"],
      "Resource": "arn:aws:ses:eu-west-1:111111111111:identity/example.com",
      "Conditon": {{}}
    }}
  ]
}}"#
    )
}

/// Lints `bytes` and returns the SES004 diagnostic of the JSON report.
fn unknown_element(bytes: &[u8]) -> Value {
    let rules = RuleSet::builtin().unwrap();
    let report = RunReport {
        files: vec![lint_bytes("policy.json", bytes, &rules)],
        ..Default::default()
    };
    let output: Value = serde_json::from_str(&json::render(&report)).unwrap();
    output["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "SES004")
        .cloned()
        .expect("SES004 fires")
}

fn covered<'a>(bytes: &'a [u8], diagnostic: &Value) -> &'a [u8] {
    let offset = diagnostic["span"]["offset"].as_u64().unwrap() as usize;
    let length = diagnostic["span"]["length"].as_u64().unwrap() as usize;
    &bytes[offset..offset + length]
}

fn start(diagnostic: &Value) -> (u64, u64) {
    (
        diagnostic["start"]["line"].as_u64().unwrap(),
        diagnostic["start"]["column"].as_u64().unwrap(),
    )
}

#[test]
fn plain_file() {
    let text = policy("Send");
    let d = unknown_element(text.as_bytes());
    assert_eq!(covered(text.as_bytes(), &d), br#""Conditon""#);
    assert_eq!(start(&d), (10, 7));
}

#[test]
fn bom_and_crlf() {
    let text = format!("\u{feff}{}", policy("Send").replace('\n', "\r\n"));
    let d = unknown_element(text.as_bytes());
    assert_eq!(covered(text.as_bytes(), &d), br#""Conditon""#);
    assert_eq!(start(&d), (10, 7));
}

#[test]
fn multi_byte_characters_count_as_one_column() {
    // Multi-byte text before the key on the same line.
    let text = policy("Send").replace(r#"      "Conditon""#, r#"      "NotResource": "été😀", "Conditon""#);
    let d = unknown_element(text.as_bytes());
    assert_eq!(covered(text.as_bytes(), &d), br#""Conditon""#);
    // 6 spaces + `"NotResource": "été😀", ` (23 characters, 28 bytes) before the key
    assert_eq!(start(&d), (10, 30));
}

#[test]
fn cli_export_maps_through_every_escape() {
    // The policy as a JSON string, with non-ASCII written as \u escapes and a surrogate pair.
    let inner = policy("Envoi\u{e9}\u{1F600}");
    let escaped = serde_json::to_string(&inner).unwrap();
    let escaped = escaped.replace('é', "\\u00e9").replace('😀', "\\ud83d\\ude00");
    let export = format!("{{\n  \"Policies\": {{\n    \"cognito\": {escaped}\n  }}\n}}\n");
    let d = unknown_element(export.as_bytes());
    // The key as it is written in the export: quotes escaped.
    assert_eq!(covered(export.as_bytes(), &d), br#"\"Conditon\""#);
    assert_eq!(d["policy"], "Policies.cognito");
    let line3 = export.lines().nth(2).unwrap();
    let column = line3[..line3.find(r#"\"Conditon\""#).unwrap()].chars().count() + 1;
    assert_eq!(start(&d), (3, column as u64));
}
