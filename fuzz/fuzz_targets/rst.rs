//! Arbitrary bytes linted as a reStructuredText document, `doc.rst` (our own reader: directives
//! and literal blocks by indentation, grid tables cut along their borders, tables in cells).
//!
//! Asserts: every finding's spans lie in the document on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint_fuzz::{check_report, rules};

fuzz_target!(|data: &[u8]| {
    let report = seslint::lint_bytes("doc.rst", data, rules());
    check_report(&report, data);
});
