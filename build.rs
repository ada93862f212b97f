//! Embeds the built-in rules (`rules/*.toml`) and their data tables (`rules/data/*.toml`) in the
//! binary, so that it needs no files at run time.
//!
//! Each rule is embedded twice: as written, and without its documentation (`[doc]` emptied, no
//! `[[example]]`), which is most of the text and which a check run does not read; the loader
//! parses the short form and the full one only when documentation is asked for. A test in
//! `src/rules/mod.rs` checks that the two agree on everything else.

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

fn write(target: &str, text: &str) {
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(target);
    fs::write(target, text).expect("OUT_DIR is writable");
}

fn main() {
    // Read at run time, not baked in when the script is compiled: a build script compiled in
    // one checkout and reused by another (a shared target directory) reads its own rules.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    // (file name, the rule as written, the rule without its documentation)
    let mut rules = String::from("&[\n");
    for name in toml_files(&dir) {
        let path = dir.join(&name);
        let text = fs::read_to_string(&path).expect("rule files are UTF-8");
        rules.push_str(&format!(
            "    ({name:?}, include_str!({:?}), {:?}),\n",
            path.display().to_string(),
            without_docs(&text)
        ));
    }
    rules.push_str("]\n");
    write("builtin_rules.rs", &rules);
    // (file name, text)
    let data = dir.join("data");
    let mut tables = String::from("&[\n");
    for name in toml_files(&data) {
        let path = data.join(&name);
        tables.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    tables.push_str("]\n");
    write("builtin_data.rs", &tables);
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
