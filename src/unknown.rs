//! Values that cannot be known statically: Terraform references and interpolations, and IAM
//! policy variables, all written `${...}`.
//!
//! In the canonical form each `${...}` becomes [`UNKNOWN`] (one private-use character), or, when
//! the reference says what it holds, a *skeleton* of it: `${aws_cognito_user_pool.main.arn}` is
//! `arn:U:cognito-idp:U:U:userpool/U` (U standing for [`UNKNOWN`]), so that a rule asking "is this
//! a user pool ARN?" gets an answer while a rule asking "which account?" stays silent.
//!
//! How rules treat such strings ([`decide`]): an ARN whose unknown parts stand for whole fields is
//! tested twice, with two different plausible values in each unknown field; a test that gives the
//! same answer both times depends only on the known parts, and that answer counts. Any other
//! outcome, and any other string holding an unknown part, is *undecided*: the rule stays silent.
//! Compared ARN fields that hold an unknown part are skipped.

/// Stands for one unknown part of a string.
pub const UNKNOWN: char = '\u{e000}';

/// Whether a canonical string holds an unknown part.
pub fn is_partly_unknown(text: &str) -> bool {
    // Rules ask this of every value they test: look for the character's first byte with memchr
    // (which ASCII text never holds) rather than running a substring search.
    const BYTES: [u8; 3] = [0xEE, 0x80, 0x80];
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memchr(BYTES[0], &bytes[from..]) {
        let at = from + at;
        if bytes.get(at..at + 3) == Some(&BYTES[..]) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Decides a test on a string that may hold unknown parts: `Some(answer)` when the answer does
/// not depend on them, `None` when it does (or the string's structure is not known).
pub fn decide(text: &str, test: impl Fn(&str) -> bool) -> Option<bool> {
    if !is_partly_unknown(text) {
        return Some(test(text));
    }
    if !text.starts_with("arn:") {
        return None;
    }
    let first = test(&fill(text, 0));
    (first == test(&fill(text, 1))).then_some(first)
}

/// The ARN with each unknown part replaced by a plausible value for its field; `variant` 0 and 1
/// give two different values.
fn fill(text: &str, variant: usize) -> String {
    const FIELDS: [[&str; 2]; 6] = [
        ["arn", "arn"],
        ["aws", "aws-cn"],
        ["service", "other"],
        ["us-east-1", "eu-west-3"],
        ["000000000000", "999999999999"],
        ["x", "y"],
    ];
    let mut out = String::with_capacity(text.len() + 16);
    let mut field = 0;
    for c in text.chars() {
        match c {
            ':' => {
                field = (field + 1).min(FIELDS.len() - 1);
                out.push(c);
            }
            UNKNOWN => out.push_str(FIELDS[field][variant]),
            c => out.push(c),
        }
    }
    out
}

/// Replaces every `${...}` of `text` by its skeleton, and every `$${...}` (Terraform's escape for
/// an IAM policy variable) by [`UNKNOWN`].
/// Returns `None` when there is nothing to replace, so that plain strings are not copied.
pub fn substitute(text: &str) -> Option<String> {
    // Most strings hold no `$`: one fast scan for it rather than a substring search.
    let bytes = text.as_bytes();
    if !memchr::memchr_iter(b'$', bytes).any(|i| bytes.get(i + 1) == Some(&b'{')) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        // `$${...}` is Terraform's escape: IAM receives `${...}`, a policy variable, as unknown
        // as an interpolation (and a canonical string never holds `${`, so this is idempotent).
        let escaped = rest[..at].ends_with('$');
        out.push_str(&rest[..if escaped { at - 1 } else { at }]);
        let Some(len) = interpolation_len(&rest[at..]) else {
            // An unclosed `${`: the rest cannot be known.
            out.push(UNKNOWN);
            return Some(out);
        };
        if escaped {
            out.push(UNKNOWN);
        } else {
            out.push_str(&skeleton(rest[at + 2..at + len - 1].trim()));
        }
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    Some(out)
}

/// The byte length of the interpolation at the start of `text` (`${` ... matching `}`), with
/// nested braces and quoted strings inside it.
pub fn interpolation_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// What a reference is known to hold, as a canonical string.
pub fn skeleton(expression: &str) -> String {
    let u = UNKNOWN;
    let parts: Vec<&str> = expression.split('.').collect();
    let resource = |kind: &str| match parts.as_slice() {
        ["data", t, _, attr] | [t, _, attr] if *t == kind => Some(*attr),
        _ => None,
    };
    let arn = |service: &str, resource: &str| format!("arn:{u}:{service}:{u}:{u}:{resource}/{u}");
    if resource("aws_cognito_user_pool") == Some("arn") {
        return arn("cognito-idp", "userpool");
    }
    if resource("aws_cognito_identity_pool") == Some("arn") {
        return arn("cognito-identity", "identitypool");
    }
    for kind in [
        "aws_ses_domain_identity",
        "aws_ses_email_identity",
        "aws_sesv2_email_identity",
    ] {
        if resource(kind) == Some("arn") {
            return arn("ses", "identity");
        }
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_character_is_found() {
        assert_eq!(UNKNOWN.encode_utf8(&mut [0; 4]).as_bytes(), &[0xEE, 0x80, 0x80]);
        assert!(is_partly_unknown("arn:\u{e000}:x"));
        assert!(!is_partly_unknown("arn:\u{e001}:\u{ee}x"));
        assert!(!is_partly_unknown("ses:SendEmail"));
    }

    const U: char = UNKNOWN;

    #[test]
    fn interpolations_become_unknown_parts() {
        assert_eq!(substitute("plain"), None);
        assert_eq!(
            substitute("arn:aws:ses:${var.region}:${local.account}:identity/${var.domain}").unwrap(),
            format!("arn:aws:ses:{U}:{U}:identity/{U}")
        );
        assert_eq!(substitute("${aws:username}").unwrap(), U.to_string());
        assert_eq!(substitute("a$${b}").unwrap(), format!("a{U}"));
        assert_eq!(substitute("${lookup(var.m, \"}\")}x").unwrap(), format!("{U}x"));
        assert_eq!(substitute("x${unclosed").unwrap(), format!("x{U}"));
    }

    #[test]
    fn typed_references_keep_their_shape() {
        assert_eq!(
            substitute("${aws_cognito_user_pool.main.arn}").unwrap(),
            format!("arn:{U}:cognito-idp:{U}:{U}:userpool/{U}")
        );
        assert_eq!(
            substitute("${aws_cognito_identity_pool.main.arn}").unwrap(),
            format!("arn:{U}:cognito-identity:{U}:{U}:identitypool/{U}")
        );
        assert_eq!(
            substitute("${data.aws_ses_domain_identity.d.arn}").unwrap(),
            format!("arn:{U}:ses:{U}:{U}:identity/{U}")
        );
        assert_eq!(substitute("${aws_cognito_user_pool.main.id}").unwrap(), U.to_string());
    }

    #[test]
    fn only_tests_that_ignore_the_unknown_parts_are_decided() {
        let pool = substitute("${aws_cognito_user_pool.main.arn}").unwrap();
        let is_pool = |s: &str| s.contains(":cognito-idp:") && s.contains(":userpool/");
        assert_eq!(decide(&pool, is_pool), Some(true));
        let identity_pool = substitute("${aws_cognito_identity_pool.main.arn}").unwrap();
        assert_eq!(decide(&identity_pool, is_pool), Some(false));
        // Which region? Unknown.
        assert_eq!(decide(&pool, |s| s.contains("us-east-1")), None);
        // Not an ARN: nothing can be said.
        let account = substitute("${data.aws_caller_identity.current.account_id}").unwrap();
        assert_eq!(decide(&account, |s| s.len() == 12), None);
        assert_eq!(decide("known", |s| s == "known"), Some(true));
    }
}
