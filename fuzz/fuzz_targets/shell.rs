//! Arbitrary bytes linted as a shell script, `run.sh` (our own lexer: quotes, escapes, `$'...'`,
//! continuations, expansions, nested substitutions, heredocs, the AWS CLI calls that put an SES
//! identity policy). The first byte below `0x04` picks how the rest is passed as a call's policy
//! (`0` in single quotes, its `'` written `'\''`; `1` in double quotes with `\` before `"`, `\`,
//! `$` and `` ` ``; `2` in a quoted heredoc inside `$(cat <<'EOF' ... EOF)`; `3` as `$'...'`
//! with `\` before `'` and `\`), so that the fuzzer reaches the policy reader through each
//! quoting; any other first byte starts the script.
//!
//! Asserts: every finding's spans lie in the script on character boundaries; a policy passed
//! in a quoting gives the same findings (code and message) in each of the four.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint_fuzz::{check_report, rules};

/// The rest, as the `--policy` of a call, quoted the `style` way.
fn script(style: u8, policy: &str) -> String {
    let call = "aws ses put-identity-policy --identity example.com --policy-name p --policy ";
    match style {
        0 => format!("{call}'{}'\n", policy.replace('\'', "'\\''")),
        1 => {
            let mut quoted = String::new();
            for c in policy.chars() {
                if matches!(c, '"' | '\\' | '$' | '`') {
                    quoted.push('\\');
                }
                quoted.push(c);
            }
            format!("{call}\"{quoted}\"\n")
        }
        2 => format!("{call}\"$(cat <<'EOF'\n{policy}\nEOF\n)\"\n"),
        _ => format!("{call}$'{}'\n", policy.replace('\\', "\\\\").replace('\'', "\\'")),
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((&style, rest)) if style < 4 => {
            let Ok(policy) = std::str::from_utf8(rest) else {
                return;
            };
            // A heredoc ends at a line that is its delimiter.
            if policy.split('\n').any(|line| line.trim_end_matches('\r') == "EOF") || policy.contains('\0') {
                return;
            }
            let mut seen: Option<Vec<(String, String)>> = None;
            for style in 0..4 {
                let text = script(style, policy);
                let report = seslint::lint_bytes("run.sh", text.as_bytes(), rules());
                check_report(&report, text.as_bytes());
                let found: Vec<(String, String)> = report
                    .findings
                    .iter()
                    .map(|f| (f.code.clone(), f.message.clone()))
                    .collect();
                match &seen {
                    None => seen = Some(found),
                    Some(first) => assert_eq!(first, &found, "quoting {style} reads the policy otherwise"),
                }
            }
        }
        _ => {
            let report = seslint::lint_bytes("run.sh", data, rules());
            check_report(&report, data);
        }
    }
});
