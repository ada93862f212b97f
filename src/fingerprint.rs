//! Fingerprints: a finding's identity that survives edits elsewhere in its file.
//!
//! Baselines and SARIF `partialFingerprints` must recognise a finding after lines move, so a
//! fingerprint is built from what the finding is about, never from where it sits: the rule, the
//! file, the policy's label, the finding's location in the policy (statement by Sid, else by
//! index, and the JSON pointer inside it; see [`Finding::location`]) and its message.

use crate::finding::Finding;

/// A stable 64-bit FNV-1a hash of the finding's identity, as 16 hex digits.
pub fn fingerprint(path: &str, finding: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        finding.code.as_str(),
        path,
        finding.policy.as_str(),
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
}
