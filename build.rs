//! Embeds the built-in rules (`rules/*.toml`) and their data tables (`rules/data/*.toml`) in the
//! binary, so that it needs no files at run time.
//!
//! Each rule is embedded twice: as written, and without its documentation (`[doc]` emptied, no
//! `[[example]]`), which is most of the text and which a check run does not read; the loader
//! parses the short form and the full one only when documentation is asked for. A test in
//! `src/rules/mod.rs` checks that the two agree on everything else.
//!
//! It also fingerprints what the compiled rule-set snapshot (`src/rules/snapshot.rs`) is made
//! from, so that a run uses the snapshot only when it was written from these very sources.

use std::{env, fs, path::Path};

/// The `.toml` file names of `dir`, sorted, each also watched for changes.
fn toml_files(dir: &Path) -> Vec<String> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} is readable: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    for name in &names {
        println!("cargo:rerun-if-changed={}", dir.join(name).display());
    }
    names
}

/// The Rust sources of the types a rule-set snapshot holds and of the compiler that fills them:
/// a change to one may change what the snapshot must hold.
const SNAPSHOT_SOURCES: &[&str] = &[
    "src/rules/mod.rs",
    "src/rules/definitions.rs",
    "src/rules/operator.rs",
    "src/rules/path.rs",
    "src/rules/predicate.rs",
    "src/rules/schema.rs",
    "src/rules/snapshot.rs",
    "src/rules/table.rs",
    "src/rules/template.rs",
    "src/fix/mod.rs",
    "src/fix/rule.rs",
    "src/finding.rs",
    "Cargo.lock",
];

/// FNV-1a, 64 bits: stable across toolchains, unlike the standard library's hasher.
struct Fingerprint(u64);

impl Fingerprint {
    fn add(&mut self, bytes: &[u8]) {
        for &byte in bytes.iter().chain(&[0xff]) {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn write(target: &str, text: &str) {
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(target);
    fs::write(target, text).expect("OUT_DIR is writable");
}

fn main() {
    // Read when the script runs, not when it is compiled: a build script compiled in one checkout
    // (a shared or copied target directory) must embed the rules of the checkout it builds.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    // (file name, the rule as written, the rule without its documentation)
    let mut rules = String::from("&[\n");
    let mut fingerprint = Fingerprint(0xcbf2_9ce4_8422_2325);
    for name in toml_files(&dir) {
        let path = dir.join(&name);
        let text = fs::read_to_string(&path).expect("rule files are UTF-8");
        let short = without_docs(&text);
        fingerprint.add(name.as_bytes());
        fingerprint.add(short.as_bytes());
        rules.push_str(&format!(
            "    ({name:?}, include_str!({:?}), {short:?}),\n",
            path.display().to_string(),
        ));
    }
    rules.push_str("]\n");
    write("builtin_rules.rs", &rules);
    // (file name, text)
    let data = dir.join("data");
    let mut tables = String::from("&[\n");
    for name in toml_files(&data) {
        let path = data.join(&name);
        fingerprint.add(name.as_bytes());
        fingerprint.add(&fs::read(&path).expect("data files are readable"));
        tables.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    tables.push_str("]\n");
    write("builtin_data.rs", &tables);
    for source in SNAPSHOT_SOURCES {
        let path = Path::new(&manifest).join(source);
        println!("cargo:rerun-if-changed={}", path.display());
        fingerprint.add(source.as_bytes());
        // Comment lines and blank lines change nothing a snapshot holds.
        let text = fs::read_to_string(&path).unwrap_or_default();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
        {
            fingerprint.add(line.as_bytes());
        }
    }
    write("rules_fingerprint.rs", &format!("{:#x}", fingerprint.0));
}

/// A table header line (`[doc]`, `[[check]]`): its name, or `None` for any other line.
fn header(line: &str) -> Option<&str> {
    let line = line.trim();
    let inner = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]"));
    let inner = inner.or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))?;
    inner
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        .then_some(inner)
}

/// The rule file with `[doc]` emptied and every `[[example]]` left out. Headers inside
/// multi-line strings (`'''` or `"""`) are not headers.
fn without_docs(text: &str) -> String {
    let mut out = String::new();
    let mut open: Option<&str> = None;
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if open.is_none() {
            if let Some(name) = header(line) {
                skipping = name == "doc" || name == "example" || name.starts_with("doc.");
                if name == "doc" {
                    out.push_str("[doc]\nwhat = \"\"\nwhy = \"\"\nfix = \"\"\n");
                }
            }
        }
        let mut rest = line;
        loop {
            let next = match open {
                Some(quote) => rest.find(quote).map(|i| (i, quote)),
                None => ["'''", "\"\"\""]
                    .iter()
                    .filter_map(|q| rest.find(q).map(|i| (i, *q)))
                    .min(),
            };
            let Some((at, quote)) = next else { break };
            open = if open.is_some() { None } else { Some(quote) };
            rest = &rest[at + 3..];
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}
