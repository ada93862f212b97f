//! Arbitrary bytes linted as a Terraform file, `main.tf` (hcl-edit, the HCL-to-JSON conversion,
//! heredocs, `jsonencode`, `aws_iam_policy_document` data sources, inline suppressions).
//!
//! Asserts: the report carries the file's text when it has findings, and every finding's spans
//! lie in it on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint_fuzz::{check_report, rules};

fuzz_target!(|data: &[u8]| {
    let report = seslint::lint_bytes("main.tf", data, rules());
    check_report(&report, data);
});
