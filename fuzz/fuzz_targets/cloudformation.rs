//! Arbitrary bytes linted as a CloudFormation template, `template.yaml` or `template.json` by the
//! first byte's low bit (the YAML reader with its tags, anchors and aliases, the JSON reader,
//! intrinsics, custom resources with SDK calls in JSON strings and `Fn::Join`, the pool
//! documents of COG101 to COG104).
//!
//! Asserts: the report carries the file's text when it has findings, and every finding's spans
//! (primary and related) lie in it on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint_fuzz::{check_report, rules};

fuzz_target!(|data: &[u8]| {
    let Some((selector, file)) = data.split_first() else {
        return;
    };
    let name = if selector & 1 == 0 { "template.yaml" } else { "template.json" };
    let report = seslint::lint_bytes(name, file, rules());
    check_report(&report, file);
});
