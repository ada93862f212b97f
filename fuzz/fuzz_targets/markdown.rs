//! Arbitrary bytes linted as a Markdown document, `doc.md` (pulldown-cmark's offset iterator,
//! code blocks in list items and block quotes, each block read as JSON, Terraform, a template or
//! shell, suppressions before blocks). The first byte picks how the rest is placed: `0` the
//! document as it is; `1` the rest as a ```` ```json ```` block in a block quote; `2` the same
//! block in a list item; any other first byte starts the document.
//!
//! Asserts: every finding's spans lie in the document on character boundaries; in a quoted or
//! listed block, no finding starts before the block's first line (the container's markers and
//! indentation are never part of what is read).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint_fuzz::{check_report, rules};

fuzz_target!(|data: &[u8]| {
    let (document, head) = match data.split_first() {
        Some((0, rest)) => (rest.to_vec(), 0),
        Some((&selector @ (1 | 2), rest)) => {
            let prefix: &[u8] = if selector == 1 { b"> " } else { b"   " };
            let mut document = b"1. Paste:\n\n".to_vec();
            if selector == 1 {
                document.clear();
            }
            document.extend_from_slice(prefix);
            document.extend_from_slice(b"```json\n");
            let head = document.len();
            for line in rest.split(|&b| b == b'\n') {
                document.extend_from_slice(prefix);
                document.extend_from_slice(line);
                document.push(b'\n');
            }
            document.extend_from_slice(prefix);
            document.extend_from_slice(b"```\n");
            (document, head)
        }
        _ => (data.to_vec(), 0),
    };
    let report = seslint::lint_bytes("doc.md", &document, rules());
    check_report(&report, &document);
    for finding in &report.findings {
        assert!(finding.span.start >= head, "a finding in the block's opener: {finding:?}");
    }
});
