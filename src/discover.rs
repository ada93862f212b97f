//! Discovery: which files a run looks at.
//!
//! Directories are walked in parallel with the `ignore` crate (ripgrep's walker): `.gitignore`
//! (also outside a git repository), `.ignore` and hidden files are honoured, symbolic links are
//! not followed, and anything that is not a regular file (a FIFO, a socket) is passed over
//! without being opened. Files named on the command line are always looked at; what each one is
//! (a format seslint reads, one it only sniffs, or neither) is decided by `extract::format`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::error::{IoError, LoadError, Subject};
use crate::extract::format::is_walked;

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path as users see it: as given, or the walked root joined with the relative path.
    pub display: String,
    /// Named on the command line (always linted), rather than found by a walk.
    pub explicit: bool,
}

/// Something discovery or reading could not look at; the run goes on.
#[derive(Debug)]
pub struct WalkProblem {
    pub path: String,
    pub problem: Problem,
}

/// What went wrong with a file (its path is the [`WalkProblem`]'s).
#[derive(Debug)]
pub enum Problem {
    /// The file could not be read.
    Unreadable(IoError),
    /// The walk could not go on somewhere (a directory that cannot be listed, a loop).
    Walk(ignore::Error),
    /// Over `--max-file-size` and it may hold a policy: not linted.
    TooLarge { size: u64, limit: u64 },
    /// Named like a policy file, but a symbolic link, a FIFO, a socket or a device: not opened.
    Special(&'static str),
    /// A policy file a Terraform resource names (`file(...)`) could not be read.
    NamedBy { label: String, problem: Box<Problem> },
}

impl Problem {
    /// A file that should have been linted was not (exit 2); otherwise a notice (a symbolic link
    /// or a FIFO named like a policy file, passed over).
    pub fn is_fatal(&self) -> bool {
        match self {
            Problem::Special(_) => false,
            Problem::NamedBy { problem, .. } => problem.is_fatal(),
            _ => true,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unreadable(error) => error.fmt(f),
            Problem::Walk(error) => error.fmt(f),
            Problem::TooLarge { size, limit } => {
                let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
                write!(
                    f,
                    "the file is {:.1} MiB, over the {:.1} MiB limit: not linted (raise it with --max-file-size)",
                    mib(*size),
                    mib(*limit)
                )
            }
            Problem::Special(what) => write!(f, "{what}, not linted"),
            Problem::NamedBy { label, problem } => write!(f, "{problem} (the policy file named by {label})"),
        }
    }
}

impl WalkProblem {
    pub fn new(path: impl Into<String>, problem: Problem) -> Self {
        WalkProblem {
            path: path.into(),
            problem,
        }
    }

    pub fn is_fatal(&self) -> bool {
        self.problem.is_fatal()
    }
}

/// A file the walk listed, or one named on the command line.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    /// Named on the command line (always linted), rather than found by a walk.
    pub explicit: bool,
}

/// What discovery found: the files to look at, in no particular order, and what it could not
/// look at.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<Listed>,
    pub problems: Vec<WalkProblem>,
}

pub struct WalkOptions {
    pub threads: usize,
    /// Do not honour `.gitignore`, `.ignore` and git's excludes.
    pub no_ignore: bool,
}

/// Lists the files among `paths` and in the directories among them that are worth looking at;
/// `keep` says whether a walked file is (files named directly always are). Only paths are kept,
/// so that a listing of a large repository stays small. A path that does not exist or is not a
/// regular file or directory is an error (exit 2).
pub fn discover(
    paths: &[PathBuf],
    options: &WalkOptions,
    keep: &(dyn Fn(&Path) -> bool + Sync),
) -> Result<Found, LoadError> {
    let mut named = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| IoError::read(Subject::Path, Some(path), e))?;
        if metadata.is_dir() {
            roots.push(path);
        } else if metadata.is_file() {
            named.push(path.clone());
        } else {
            return Err(LoadError::new(format!(
                "cannot lint {}: not a regular file or directory",
                path.display()
            )));
        }
    }
    named.sort();
    named.dedup();
    let found = Mutex::new(Found {
        files: named.into_iter().map(|path| Listed { path, explicit: true }).collect(),
        problems: Vec::new(),
    });
    // Roots nested in one another would deliver their common files twice.
    let seen: Option<Mutex<HashSet<PathBuf>>> = (roots.len() > 1).then(Mutex::default);
    for root in roots {
        let mut builder = Builder {
            found: &found,
            keep,
            seen: seen.as_ref(),
            root,
        };
        walker(root, options).visit(&mut builder);
    }
    Ok(found.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// One walking thread's listing, handed over when the thread is done (no lock per file).
struct Listing<'a> {
    local: Found,
    found: &'a Mutex<Found>,
    keep: &'a (dyn Fn(&Path) -> bool + Sync),
    /// The files already listed, when there are several roots.
    seen: Option<&'a Mutex<HashSet<PathBuf>>>,
    root: &'a Path,
}

impl ignore::ParallelVisitor for Listing<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => {
                let kind = entry.file_type();
                if kind.is_some_and(|t| t.is_file()) {
                    if is_walked(entry.path()) && (self.keep)(entry.path()) {
                        let path = entry.into_path();
                        let first = self
                            .seen
                            .is_none_or(|seen| seen.lock().unwrap_or_else(|p| p.into_inner()).insert(path.clone()));
                        if first {
                            self.local.files.push(Listed { path, explicit: false });
                        }
                    }
                } else if let Some(what) = kind.and_then(special_kind).filter(|_| is_walked(entry.path())) {
                    // Named like a policy file but not one to open: say so, never block.
                    let problem = WalkProblem::new(display(entry.path()), Problem::Special(what));
                    self.local.problems.push(problem);
                }
            }
            Err(error) => {
                let path = match &error {
                    ignore::Error::WithPath { path, .. } => display(path),
                    _ => display(self.root),
                };
                self.local.problems.push(WalkProblem::new(path, Problem::Walk(error)));
            }
        }
        WalkState::Continue
    }
}

impl Drop for Listing<'_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        found.files.extend(local.files);
        found.problems.extend(local.problems);
    }
}

struct Builder<'a> {
    found: &'a Mutex<Found>,
    keep: &'a (dyn Fn(&Path) -> bool + Sync),
    seen: Option<&'a Mutex<HashSet<PathBuf>>>,
    root: &'a Path,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Listing {
            local: Found::default(),
            found: self.found,
            keep: self.keep,
            seen: self.seen,
            root: self.root,
        })
    }
}

fn walker(root: &Path, options: &WalkOptions) -> ignore::WalkParallel {
    WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .git_ignore(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .git_global(!options.no_ignore)
        .ignore(!options.no_ignore)
        .threads(options.threads)
        .build_parallel()
}

/// What a directory entry that is neither a file nor a directory is.
fn special_kind(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_symlink() {
        return Some("a symbolic link (links are not followed)");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    (!kind.is_dir() && !kind.is_file()).then_some("not a regular file")
}

/// `path` with its `.` components left out and each `..` folded into the directory before it,
/// without asking the file system (links are not followed anyway): the one name of a file that
/// units reach by different ways (`./infra/policy.json`, `scripts/../infra/policy.json`). A `..`
/// with nothing before it to fold into stays.
pub fn normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            // Above the root is the root.
            Component::ParentDir if out.has_root() => {}
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A path as shown to users: without a leading `./`.
pub fn display(path: &Path) -> String {
    shown(path).into_owned()
}

/// [`display`], borrowed when the path is UTF-8 (to compare paths as users see them).
pub fn shown(path: &Path) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let strip = |shown: &str| match shown.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.len(),
        _ => shown.len(),
    };
    match path.to_str() {
        Some(shown) => Cow::Borrowed(&shown[shown.len() - strip(shown)..]),
        None => {
            let shown = path.to_string_lossy();
            Cow::Owned(shown[shown.len() - strip(&shown)..].to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_paths_fold_dot_dot_and_leave_out_dot() {
        let cases = [
            ("./infra/policy.json", "infra/policy.json"),
            ("scripts/../mail/policy.json", "mail/policy.json"),
            ("a/./b/../../c", "c"),
            ("../shared/policy.json", "../shared/policy.json"),
            ("a/../../shared", "../shared"),
            ("/srv/../etc/policy.json", "/etc/policy.json"),
            ("/../policy.json", "/policy.json"),
            ("./", "."),
            ("a/..", "."),
        ];
        for (path, expected) in cases {
            assert_eq!(normalized(Path::new(path)), PathBuf::from(expected), "{path}");
        }
    }
}
