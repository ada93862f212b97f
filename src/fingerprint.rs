//! Fingerprints: a finding's identity that survives edits elsewhere in its file.
//!
//! Baselines and SARIF `partialFingerprints` must recognise a finding after lines move, so a
//! fingerprint is built from what the finding is about, never from where it sits: the rule, the
//! file, the policy's label, the finding's location in the policy (statement by Sid, else by
//! index, and the JSON pointer inside it; see [`Finding::location`]) and its message. A code
//! block's label names the line the block opens on (`block 3 (line 40, ```json)`): that line is
//! left out.

use std::borrow::Cow;

use crate::finding::Finding;

/// A stable 64-bit FNV-1a hash of the finding's identity, as 16 hex digits.
pub fn fingerprint(path: &str, finding: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let label = without_lines(&finding.policy);
    for part in [
        finding.code.as_str(),
        path,
        label.as_ref(),
        finding.location.as_str(),
        finding.message.as_str(),
    ] {
        // A separator that cannot occur in the parts keeps ("ab", "c") apart from ("a", "bc").
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A label without the `line N, ` a block's label names (`block 3 (```json)`).
fn without_lines(label: &str) -> Cow<'_, str> {
    const MARK: &str = "(line ";
    let Some(at) = label.find(MARK) else {
        return Cow::Borrowed(label);
    };
    let rest = &label[at + MARK.len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[digits..].strip_prefix(", ") {
        Some(after) if digits > 0 => Cow::Owned(format!("{}({after}", &label[..at])),
        _ => Cow::Borrowed(label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;
    use crate::source::Span;

    fn finding(span: Span) -> Finding {
        Finding {
            code: "COG005".into(),
            name: "missing-source-account".into(),
            severity: Severity::Error,
            message: "statement \"A\" lets Cognito send without an aws:SourceAccount condition".into(),
            help: String::new(),
            policy: String::new(),
            span,
            label: None,
            related: Vec::new(),
            location: "Statement[Sid=A]".into(),
            fix: None,
        }
    }

    #[test]
    fn does_not_depend_on_position() {
        let a = fingerprint("p.json", &finding(Span::new(10, 20)));
        let b = fingerprint("p.json", &finding(Span::new(400, 410)));
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert_ne!(a, fingerprint("q.json", &finding(Span::new(10, 20))));
    }

    #[test]
    fn a_block_that_moves_keeps_its_fingerprint() {
        let in_block = |label: &str| Finding {
            policy: label.into(),
            ..finding(Span::new(10, 20))
        };
        let before = fingerprint("README.md", &in_block("block 3 (line 40, ```json)"));
        assert_eq!(
            before,
            fingerprint("README.md", &in_block("block 3 (line 52, ```json)"))
        );
        assert_ne!(
            before,
            fingerprint("README.md", &in_block("block 4 (line 52, ```json)"))
        );
        assert_eq!(
            without_lines("block 1 (line 7, .. code-block:: json): x"),
            "block 1 (.. code-block:: json): x"
        );
        assert_eq!(without_lines("Policies.(line x"), "Policies.(line x");
    }
}
