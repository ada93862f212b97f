//! Reading the files to lint: within `--max-file-size` into a reused buffer; past it, only a
//! streaming scan for what a policy is made of, so that an oversized file that may hold one is
//! reported, never silently passed over (and never loaded).

use std::io::Read;
use std::path::Path;

use crate::discover::{Problem, WalkProblem};
use crate::error::{IoError, Subject};
use crate::extract::format;

pub(crate) fn unreadable_file(display: &str, error: std::io::Error) -> WalkProblem {
    WalkProblem::new(display, Problem::Unreadable(IoError::read(Subject::File, None, error)))
}

/// Reads a file to lint. A file over `max_size` is not read into memory: `None` when a scan shows
/// it holds no policy, a fatal problem when it may.
pub(crate) fn read_file(path: &Path, display: &str, max_size: u64) -> Result<Option<Vec<u8>>, WalkProblem> {
    let mut bytes = Vec::new();
    Ok(read_into(path, display, max_size, &mut bytes)?.then_some(bytes))
}

/// [`read_file`] into `buffer` (cleared first); `false` when the file was not read.
pub(crate) fn read_into(path: &Path, display: &str, max_size: u64, buffer: &mut Vec<u8>) -> Result<bool, WalkProblem> {
    let unreadable = |e: std::io::Error| unreadable_file(display, e);
    buffer.clear();
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size <= max_size {
        // Read to the end, not to `size`: a file may grow while it is read.
        buffer.reserve(usize::try_from(size).unwrap_or(0));
        file.read_to_end(buffer).map_err(unreadable)?;
        return Ok(true);
    }
    if scan(path, format::may_hold_policy).map_err(unreadable)? {
        return Err(WalkProblem::new(display, Problem::TooLarge { size, limit: max_size }));
    }
    Ok(false)
}

/// Whether `found` holds for some part of a file, searched in chunks (that overlap, so that a
/// marker split between two chunks is still found) without reading the file into memory.
pub(crate) fn scan(path: &Path, found: impl Fn(&[u8]) -> bool) -> std::io::Result<bool> {
    const CHUNK: usize = 1 << 20;
    const OVERLAP: usize = 16;
    let mut file = std::fs::File::open(path)?;
    // A small file (a README, a script) gets a buffer of its size, not a megabyte.
    let size = usize::try_from(file.metadata()?.len()).unwrap_or(CHUNK);
    let mut buffer = vec![0; size.min(CHUNK) + OVERLAP];
    let mut kept = 0;
    loop {
        let read = file.read(&mut buffer[kept..])?;
        if read == 0 {
            return Ok(false);
        }
        let window = &buffer[..kept + read];
        if found(window) {
            return Ok(true);
        }
        // Keep the tail, so that a marker split between two chunks is still found.
        let tail = window.len().saturating_sub(OVERLAP);
        buffer.copy_within(tail..kept + read, 0);
        kept = kept + read - tail;
    }
}
