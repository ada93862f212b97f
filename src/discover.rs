//! Discovery: which files a run looks at.
//!
//! Directories are walked in parallel with the `ignore` crate (ripgrep's walker): `.gitignore`
//! (also outside a git repository), `.ignore` and hidden files are honoured, symbolic links are
//! not followed, and anything that is not a regular file (a FIFO, a socket) is passed over
//! without being opened. Files named on the command line are always looked at; what each one is
//! (a format seslint reads, one it only sniffs, or neither) is decided by `extract::format`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::error::{io_message, LoadError};
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
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: String,
    pub message: String,
    /// A file that should have been linted was not (exit 2); otherwise a notice (a symbolic
    /// link or a FIFO named like a policy file, passed over).
    pub fatal: bool,
}

impl WalkProblem {
    pub fn fatal(path: impl Into<String>, message: impl Into<String>) -> Self {
        WalkProblem {
            path: path.into(),
            message: message.into(),
            fatal: true,
        }
    }

    pub fn notice(path: impl Into<String>, message: impl Into<String>) -> Self {
        WalkProblem {
            path: path.into(),
            message: message.into(),
            fatal: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub candidates: Vec<Candidate>,
    pub problems: Vec<WalkProblem>,
}

pub struct WalkOptions {
    pub threads: usize,
    /// Do not honour `.gitignore`, `.ignore` and git's excludes.
    pub no_ignore: bool,
}

/// Finds the files to lint under `paths`. A path that does not exist or is not a regular file
/// or directory is an error (exit 2).
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Result<Discovered, LoadError> {
    let mut found = Discovered::default();
    for path in paths {
        let metadata = std::fs::metadata(path)
            .map_err(|e| LoadError::new(format!("cannot read {}: {}", path.display(), io_message(&e))))?;
        if metadata.is_dir() {
            walk(path, options, &mut found);
        } else if metadata.is_file() {
            found.candidates.push(Candidate {
                path: path.clone(),
                display: display(path),
                explicit: true,
            });
        } else {
            return Err(LoadError::new(format!(
                "cannot lint {}: not a regular file or directory",
                path.display()
            )));
        }
    }
    found.candidates.sort();
    found.candidates.dedup();
    Ok(found)
}

fn walk(root: &Path, options: &WalkOptions, found: &mut Discovered) {
    let candidates = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .git_ignore(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .git_global(!options.no_ignore)
        .ignore(!options.no_ignore)
        .threads(options.threads)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let kind = entry.file_type();
                        if kind.is_some_and(|t| t.is_file()) {
                            if is_walked(entry.path()) {
                                let path = entry.into_path();
                                let display = display(&path);
                                let candidate = Candidate {
                                    path,
                                    display,
                                    explicit: false,
                                };
                                candidates.lock().unwrap_or_else(|p| p.into_inner()).push(candidate);
                            }
                        } else if let Some(what) = kind.and_then(special_kind).filter(|_| is_walked(entry.path())) {
                            // Named like a policy file but not one to open: say so, never block.
                            let problem = WalkProblem::notice(display(entry.path()), format!("{what}, not linted"));
                            problems.lock().unwrap_or_else(|p| p.into_inner()).push(problem);
                        }
                    }
                    Err(error) => {
                        let path = match &error {
                            ignore::Error::WithPath { path, .. } => display(path),
                            _ => display(root),
                        };
                        let problem = WalkProblem::fatal(path, error.to_string());
                        problems.lock().unwrap_or_else(|p| p.into_inner()).push(problem);
                    }
                }
                WalkState::Continue
            })
        });
    found
        .candidates
        .extend(candidates.into_inner().unwrap_or_else(|p| p.into_inner()));
    found
        .problems
        .extend(problems.into_inner().unwrap_or_else(|p| p.into_inner()));
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

/// A path as shown to users: without a leading `./`.
pub fn display(path: &Path) -> String {
    let shown = path.to_string_lossy();
    match shown.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => shown.into_owned(),
    }
}
