//! Arbitrary bytes linted as TypeScript or JavaScript, named by the first byte (`stack.ts`,
//! `serverless.js`, `module.mjs`, `config.cjs`): the byte sniff, oxc's parser on its own thread,
//! the walk, values followed through names, the CDK's IAM classes and constructs, CloudFormation
//! written as objects, and the template reader they feed.
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
    let name = ["stack.ts", "serverless.js", "module.mjs", "config.cjs"][usize::from(selector % 4)];
    let report = seslint::lint_bytes(name, file, rules());
    check_report(&report, file);
});
