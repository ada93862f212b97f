//! Embeds the built-in rules (`rules/*.toml`) and their data tables (`rules/data/*.toml`) in the
//! binary, so that it needs no files at run time.

use std::{env, fs, path::Path};

/// Writes `OUT_DIR/TARGET`: a `&[(file name, text)]` of the `.toml` files of `dir`, in name order.
fn embed(dir: &Path, target: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} is readable: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from("&[\n");
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(target);
    fs::write(target, out).expect("OUT_DIR is writable");
}

fn main() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    embed(&rules, "builtin_rules.rs");
    embed(&rules.join("data"), "builtin_data.rs");
}
