//! Settings: `seslint.toml` / `.seslint.toml`, and the command-line flags that mirror it.
//!
//! The file is found from the working directory upward, stopping at the repository root (the
//! directory holding `.git`); `--config PATH` names one and `--isolated` ignores them. Flags win
//! over the file: a flag given replaces the file's value. Unknown keys, bad values and rule
//! selectors that match no rule are errors pointing into the file (exit 2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::codes::{self, matches};
use crate::error::{IoError, LoadError, Subject};
use crate::finding::Severity;
use crate::rules::RuleSet;
use crate::source::Span;
use crate::FileReport;
use crate::RunReport;

/// The file names searched for, in order, in each directory.
pub const FILE_NAMES: [&str; 2] = ["seslint.toml", ".seslint.toml"];

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Rule codes or prefixes (`COG`, `SES01`) to run; default all.
    pub select: Option<Vec<Spanned<String>>>,
    /// Codes or prefixes added to `select`.
    pub extend_select: Option<Vec<Spanned<String>>>,
    /// Codes or prefixes not to run.
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Severity per code or prefix.
    pub severity: Option<BTreeMap<Spanned<String>, Severity>>,
    /// Globs of files and directories not to walk (relative to the configuration's directory).
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Glob -> codes or prefixes ignored in the files it matches.
    pub per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    /// Directories of extra rule files (relative to the configuration's directory).
    pub rule_dirs: Option<Vec<Spanned<String>>>,
    /// The lowest severity that fails the run.
    pub fail_on: Option<Severity>,
}

/// What the command line says; `None` where a flag was not given.
#[derive(Debug, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub fail_on: Option<Severity>,
    pub rule_dirs: Vec<PathBuf>,
}

/// The settings of a run.
#[derive(Debug)]
pub struct Settings {
    /// The configuration file used, if any.
    pub file: Option<PathBuf>,
    /// The directory globs and relative paths are taken from.
    pub root: PathBuf,
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    pub exclude: Vec<GlobMatcher>,
    pub per_file_ignores: Vec<(GlobMatcher, Vec<String>)>,
    pub rule_dirs: Vec<PathBuf>,
    pub fail_on: Severity,
}

/// Finds the configuration file for `start`: the first `seslint.toml` or `.seslint.toml` from
/// `start` upward, not above the directory that holds `.git`.
pub fn find(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        if let Some(file) = FILE_NAMES.iter().map(|name| dir.join(name)).find(|path| path.is_file()) {
            return Some(file);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// A configuration file read and parsed, with its text for error reports.
pub struct Loaded {
    pub path: PathBuf,
    pub text: String,
    pub file: ConfigFile,
}

pub fn read(path: &Path) -> Result<Loaded, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::read(Subject::Configuration, Some(path), e))?;
    let display = path.display().to_string();
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        LoadError::new(format!("invalid configuration: {}", e.message()))
            .in_file(&display, &text)
            .at(span, "here")
    })?;
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        file,
    })
}

impl Settings {
    /// Settings from an optional configuration file and the flags; `cwd` is where relative
    /// paths of flags start.
    pub fn new(loaded: Option<&Loaded>, overrides: Overrides, cwd: &Path) -> Result<Settings, LoadError> {
        let empty = ConfigFile::default();
        let file = loaded.map_or(&empty, |l| &l.file);
        let root = loaded.and_then(|l| l.path.parent().map(Path::to_path_buf)).map_or_else(
            || cwd.to_path_buf(),
            |dir| {
                if dir.as_os_str().is_empty() {
                    cwd.to_path_buf()
                } else {
                    dir
                }
            },
        );
        let fail = |message: String, span: Span| -> LoadError {
            match loaded {
                Some(l) => LoadError::new(message)
                    .in_file(&l.path.display().to_string(), &l.text)
                    .at(span, "here"),
                None => LoadError::new(message),
            }
        };
        let glob = |pattern: &str, span: Span| -> Result<GlobMatcher, LoadError> {
            // `*` stays within a directory, as in .gitignore; `**` crosses directories.
            GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| fail(format!("invalid glob `{pattern}`: {e}"), span))
        };
        let strings = |list: &Option<Vec<Spanned<String>>>| -> Vec<String> {
            list.iter().flatten().map(|s| s.get_ref().clone()).collect()
        };
        let exclude = match overrides.exclude {
            Some(globs) => globs
                .iter()
                .map(|g| glob(g, Span::default()))
                .collect::<Result<_, _>>()?,
            None => file
                .exclude
                .iter()
                .flatten()
                .map(|g| glob(g.get_ref(), span_of(g)))
                .collect::<Result<_, _>>()?,
        };
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in file.per_file_ignores.iter().flatten() {
            per_file_ignores.push((
                glob(pattern.get_ref(), span_of(pattern))?,
                codes.iter().map(|c| c.get_ref().clone()).collect(),
            ));
        }
        let mut rule_dirs: Vec<PathBuf> = file
            .rule_dirs
            .iter()
            .flatten()
            .map(|d| root.join(d.get_ref()))
            .collect();
        rule_dirs.extend(overrides.rule_dirs.iter().map(|d| cwd.join(d)));
        Ok(Settings {
            file: loaded.map(|l| l.path.clone()),
            root,
            select: overrides.select.unwrap_or_else(|| strings(&file.select)),
            extend_select: overrides.extend_select.unwrap_or_else(|| strings(&file.extend_select)),
            ignore: overrides.ignore.unwrap_or_else(|| strings(&file.ignore)),
            severity: file
                .severity
                .iter()
                .flatten()
                .map(|(code, severity)| (code.get_ref().clone(), *severity))
                .collect(),
            exclude,
            per_file_ignores,
            rule_dirs,
            fail_on: overrides.fail_on.or(file.fail_on).unwrap_or(Severity::Warning),
        })
    }

    /// Checks that every selector names a rule or a prefix of one: a typo in `ignore` would
    /// otherwise silently ignore nothing.
    pub fn validate(&self, loaded: Option<&Loaded>, rules: &RuleSet) -> Result<(), LoadError> {
        let known = |selector: &str| {
            rules.rules.iter().any(|r| matches(selector, &r.code))
                || codes::NON_RULE_CODES.iter().any(|c| matches(selector, c.code))
        };
        let mut selectors: Vec<(String, Span)> = Vec::new();
        if let Some(l) = loaded {
            let file = &l.file;
            for list in [&file.select, &file.extend_select, &file.ignore].into_iter().flatten() {
                selectors.extend(list.iter().map(|s| (s.get_ref().clone(), span_of(s))));
            }
            selectors.extend(
                file.severity
                    .iter()
                    .flatten()
                    .map(|(s, _)| (s.get_ref().clone(), span_of(s))),
            );
            for codes in file.per_file_ignores.iter().flatten().map(|(_, codes)| codes) {
                selectors.extend(codes.iter().map(|s| (s.get_ref().clone(), span_of(s))));
            }
        }
        for (selector, span) in selectors {
            if !known(&selector) {
                let message = format!("`{selector}` matches no rule code");
                let error = match loaded {
                    Some(l) => LoadError::new(message)
                        .in_file(&l.path.display().to_string(), &l.text)
                        .at(span, "here"),
                    None => LoadError::new(message),
                };
                return Err(error.with_help(
                    "use a rule code (COG005) or a prefix of codes (COG, SES01); `seslint rules` lists them",
                ));
            }
        }
        for selector in self.select.iter().chain(&self.extend_select).chain(&self.ignore) {
            if !known(selector) {
                return Err(LoadError::new(format!("`{selector}` matches no rule code")).with_help(
                    "use a rule code (COG005) or a prefix of codes (COG, SES01); `seslint rules` lists them",
                ));
            }
        }
        Ok(())
    }

    /// Whether findings of `code` are reported.
    pub fn is_selected(&self, code: &str) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| matches(s, code));
        let extended = self.extend_select.iter().any(|s| matches(s, code));
        (selected || extended) && !self.ignore.iter().any(|s| matches(s, code))
    }

    /// The severity configured for `code`: the most specific selector wins.
    pub fn severity_for(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter(|(s, _)| matches(s, code))
            .max_by_key(|(s, _)| s.len())
            .map(|(_, severity)| *severity)
    }

    /// Whether a walked file is excluded: the glob matches its path relative to the
    /// configuration's directory, or one of its parent directories.
    pub fn is_excluded(&self, path: &Path, cwd: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let relative = self.relative(path, cwd);
        relative
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| self.exclude.iter().any(|g| g.is_match(p)))
    }

    fn relative(&self, path: &Path, cwd: &Path) -> PathBuf {
        let absolute = std::path::absolute(cwd.join(path)).unwrap_or_else(|_| cwd.join(path));
        let root = std::path::absolute(&self.root).unwrap_or_else(|_| self.root.clone());
        absolute.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(absolute)
    }

    /// Applies selection, per-file ignores and severities to a run's findings.
    pub fn apply(&self, report: &mut RunReport, cwd: &Path) {
        for file in &mut report.files {
            self.apply_file(file, cwd);
        }
    }

    /// The selectors (codes or prefixes) that `per-file-ignores` gives the file reported at
    /// `path`. The run does not run the rules they name on the file (see `FileRules`);
    /// [`Settings::apply_file`] also drops findings of other codes they name (SUP001), and those
    /// a module's document made in another of its files.
    pub fn ignored_for(&self, path: &str, cwd: &Path) -> Vec<String> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let relative = self.relative(Path::new(path), cwd);
        self.per_file_ignores
            .iter()
            .filter(|(glob, _)| glob.is_match(&relative))
            .flat_map(|(_, codes)| codes.iter().cloned())
            .collect()
    }

    /// [`Settings::apply`] to one file's report.
    pub fn apply_file(&self, file: &mut FileReport, cwd: &Path) {
        let ignored = self.ignored_for(&file.path, cwd);
        file.findings
            .retain(|f| self.is_selected(&f.code) && !ignored.iter().any(|s| matches(s, &f.code)));
        for finding in &mut file.findings {
            if let Some(severity) = self.severity_for(&finding.code) {
                finding.severity = severity;
            }
        }
    }
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str, overrides: Overrides) -> Settings {
        let loaded = Loaded {
            path: PathBuf::from("seslint.toml"),
            text: text.into(),
            file: toml::from_str(text).unwrap(),
        };
        Settings::new(Some(&loaded), overrides, Path::new(".")).unwrap()
    }

    #[test]
    fn selection_by_code_and_prefix() {
        let s = settings(
            "select = [\"COG\"]\nextend-select = [\"SES001\"]\nignore = [\"COG01\"]\n",
            Overrides::default(),
        );
        assert!(s.is_selected("COG005"));
        assert!(!s.is_selected("COG013"));
        assert!(s.is_selected("SES001"));
        assert!(!s.is_selected("SES002"));
    }

    #[test]
    fn flags_replace_the_files_values() {
        let overrides = Overrides {
            select: Some(vec!["SES".into()]),
            fail_on: Some(Severity::Error),
            ..Default::default()
        };
        let s = settings("select = [\"COG\"]\nfail-on = \"info\"\n", overrides);
        assert!(s.is_selected("SES003") && !s.is_selected("COG005"));
        assert_eq!(s.fail_on, Severity::Error);
    }

    #[test]
    fn the_most_specific_severity_wins() {
        let s = settings(
            "[severity]\nCOG = \"info\"\nCOG005 = \"warning\"\n",
            Overrides::default(),
        );
        assert_eq!(s.severity_for("COG005"), Some(Severity::Warning));
        assert_eq!(s.severity_for("COG001"), Some(Severity::Info));
        assert_eq!(s.severity_for("SES001"), None);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_span() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seslint.toml");
        std::fs::write(&path, "selct = [\"COG\"]\n").unwrap();
        let error = read(&path).err().unwrap();
        assert!(error.to_string().contains("unknown field `selct`"));
    }
}
