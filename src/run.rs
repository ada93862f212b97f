//! The run: what a check does with the paths it is given, in an order users can rely on and in
//! memory that does not grow with the repository.
//!
//! 1. **List.** The walk lists the files worth looking at (paths only) and they are sorted by
//!    the path users see, the order reports show them in.
//! 2. **Plan.** Each file becomes part of a unit: a file on its own, a Terraform module (the
//!    files of a directory, read together), or a policy file that another unit names
//!    (`file(...)`, a script's `file://`), which is linted in that unit's context instead of on
//!    its own. Which files are named is found first, by extracting only the units that can name
//!    one, because the naming unit may come after the named file in path order.
//! 3. **Lint in order.** Worker threads take the units in path order, a few at a time, each
//!    with its own read buffer; a file's report is prepared on the worker that linted it
//!    (rendered, for a printed format) and handed on as soon as every file before it has been,
//!    then dropped. Workers do not run more than [`WINDOW`] files ahead of the last one handed
//!    on, so that one slow file cannot make the others pile up.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use crate::discover::{self, Candidate, WalkOptions, WalkProblem};
use crate::error::{IoError, LoadError, Subject};
use crate::extract;
use crate::extract::unit::ReferencedFile;
use crate::extract::UnitOf;
use crate::input::read_file;
use crate::lint::{self, Outcome, Rules};
use crate::rules::RuleSet;
use crate::{FileReport, Options, RunReport, UnreadFile};

/// How many files the workers may run ahead of the last file handed on.
const WINDOW: usize = 1024;
/// The most units a worker takes at a time.
const BATCH: usize = 32;

/// A position in a run's files, or an index in its lists of modules and claims: 32 bits, so that
/// the listing of a large repository stays small.
type Index = u32;

/// Lints `paths` as [`crate::run`] does, without keeping the reports with findings: each one goes
/// through `prepare` on the worker thread that made it (to settle and render it), and what that
/// gives through `emit`, one at a time and in path order, as soon as the files before it are
/// done. Memory follows the files in flight, not the size of the repository; the report returned
/// holds the rest (counts, problems, unread files), and the caller counts what it handed on in
/// [`RunReport::streamed`].
pub fn run_streamed<T: Send>(
    paths: &[PathBuf],
    options: &Options,
    rules: &RuleSet,
    prepare: &(dyn Fn(FileReport) -> T + Sync),
    emit: &mut (dyn FnMut(T) + Send),
) -> Result<RunReport, LoadError> {
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let stdin = match stdin.is_empty() {
        true => None,
        false => Some(read_stdin(options)?),
    };
    let walk = WalkOptions {
        threads: options.threads,
        no_ignore: options.no_ignore,
    };
    let keep = |path: &Path| options.excluded.as_ref().is_none_or(|excluded| !excluded(path));
    let found = discover::discover(&paths, &walk, &keep)?;
    let mut entries: Vec<Entry> = found
        .files
        .into_iter()
        .map(|listed| Entry::new(listed.path, listed.explicit, false, None))
        .collect();
    if let Some((name, _)) = &stdin {
        entries.push(Entry::new(PathBuf::from(name), true, true, None));
    }
    sort(&mut entries);
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let claims = find_claims(&mut entries, options, threads);
    let plan = Plan::new(entries, claims);
    let mut report = RunReport {
        problems: found.problems,
        ..RunReport::default()
    };
    let order = Mutex::new(Order {
        next: 0,
        done: BTreeMap::new(),
        report: &mut report,
        emit,
    });
    let advanced = Condvar::new();
    let stopped = AtomicBool::new(false);
    let linter = Linter {
        plan: &plan,
        rules: Rules {
            set: rules,
            ignored: options.ignored_rules.as_ref(),
        },
        options,
        stdin: stdin.as_ref().map(|(_, bytes)| bytes.as_slice()),
    };
    // Units are taken in batches, linted, then prepared together: rendering between linting
    // one file and the next made both slower (each pushed the other's code and data out of the
    // processor's caches).
    let batch = (plan.units.len() / (threads * 8)).clamp(1, BATCH);
    share_out(
        threads,
        plan.units.len().div_ceil(batch),
        Vec::new,
        |scratch: &mut Vec<u8>, taken| {
            let units = &plan.units[taken * batch..plan.units.len().min((taken + 1) * batch)];
            wait_for(&order, &advanced, |order| {
                stopped.load(Ordering::Relaxed) || units[0] as usize <= order.next + WINDOW
            });
            if stopped.load(Ordering::Relaxed) {
                return;
            }
            // Should linting ever panic, the workers waiting for this batch must not wait forever.
            let _stop = StopOnPanic {
                stopped: &stopped,
                order: &order,
                advanced: &advanced,
            };
            let looked: Vec<(usize, Looked)> = units
                .iter()
                .flat_map(|&first| linter.unit(first as usize, scratch))
                .collect();
            let ready: Vec<(usize, Ready<T>)> = looked
                .into_iter()
                .map(|(at, looked)| (at, looked.prepare(prepare)))
                .collect();
            let mut order = order.lock().unwrap_or_else(|p| p.into_inner());
            order.done.extend(ready);
            if order.hand_on() {
                advanced.notify_all();
            }
        },
    );
    drop(order);
    report.unread.sort();
    report.passed_over.sort();
    Ok(report)
}

/// Stops the run when the worker holding it panics: the workers waiting for what it was doing
/// are woken and go no further, so that the panic ends the run instead of hanging it.
struct StopOnPanic<'a, 'r, 'e, T> {
    stopped: &'a AtomicBool,
    order: &'a Mutex<Order<'r, 'e, T>>,
    advanced: &'a Condvar,
}

impl<T> Drop for StopOnPanic<'_, '_, '_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.stopped.store(true, Ordering::Relaxed);
            // Under the lock, so that no waiter is between its test and its wait.
            let _order = self.order.lock().unwrap_or_else(|p| p.into_inner());
            self.advanced.notify_all();
        }
    }
}

/// Reads standard input, with the name to report it under.
fn read_stdin(options: &Options) -> Result<(String, Vec<u8>), LoadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| IoError::read(Subject::StandardInput, None, e))?;
    Ok((options.stdin_filename.clone().unwrap_or_else(|| "-".into()), bytes))
}

/// A file of the run, in path order. As large as the [`discover::Listed`] it is made from, so
/// that the listing becomes the entries in place (no second copy of a large repository's list).
struct Entry {
    path: PathBuf,
    /// Linted in the context of the units that name it: an index in [`Plan::claims`], or
    /// [`UNCLAIMED`] (see [`Entry::claim`]).
    claim: Index,
    /// Named on the command line (always linted, and a note when it is passed over).
    explicit: bool,
    /// Standard input, reported under `path`.
    stdin: bool,
    unit: UnitOf,
}

const _: () = assert!(std::mem::size_of::<Entry>() == std::mem::size_of::<discover::Listed>());

/// An entry no unit names.
const UNCLAIMED: Index = Index::MAX;

impl Entry {
    /// The path users see, which orders the reports.
    fn shown(&self) -> Cow<'_, str> {
        match self.stdin {
            true => self.path.to_string_lossy(),
            false => discover::shown(&self.path),
        }
    }

    /// The bytes of [`Entry::shown`], when the path is UTF-8.
    fn shown_utf8(&self) -> &[u8] {
        let bytes = self.path.as_os_str().as_encoded_bytes();
        match bytes.strip_prefix(b"./") {
            Some(rest) if !self.stdin && !rest.is_empty() => rest,
            _ => bytes,
        }
    }

    fn candidate(&self) -> Candidate {
        Candidate {
            path: self.path.clone(),
            display: self.shown().into_owned(),
            explicit: self.explicit,
        }
    }

    fn new(path: PathBuf, explicit: bool, stdin: bool, claim: Option<Index>) -> Entry {
        let unit = extract::unit_of(&path);
        Entry {
            path,
            claim: claim.unwrap_or(UNCLAIMED),
            explicit,
            stdin,
            unit,
        }
    }

    /// The claim of the units that name this file, if any name it.
    fn claim(&self) -> Option<Index> {
        (self.claim != UNCLAIMED).then_some(self.claim)
    }

    fn in_module(&self) -> bool {
        !self.stdin && self.claim().is_none() && self.unit == UnitOf::Directory
    }

    fn module_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Puts entries in the order of the paths users see (two paths shown alike, `./a` and `a`, in
/// the order of their own text). When every path is UTF-8 (the rule), the paths' bytes compare
/// as their text does, and are compared as they are; the sort takes no second buffer.
fn sort(entries: &mut [Entry]) {
    if entries.iter().all(|entry| entry.path.to_str().is_some()) {
        let own = |entry: &Entry| -> Vec<u8> { entry.path.as_os_str().as_encoded_bytes().to_vec() };
        // Ties are rare (the same file named twice), and only they copy.
        entries.sort_unstable_by(|a, b| a.shown_utf8().cmp(b.shown_utf8()).then_with(|| own(a).cmp(&own(b))));
    } else {
        entries.sort_by_cached_key(|entry| entry.shown().into_owned());
    }
}

/// The units that name a file as their policy, tried in this order: scripts (in path order),
/// the first one that gives a report wins; then the last module (in directory order), whose
/// report stands even when it gives none; then the file on its own, when it was listed.
#[derive(Default)]
struct Claim {
    scripts: Vec<ReferencedFile>,
    module: Option<ReferencedFile>,
    listed: bool,
}

/// Finds the files that units name as their policies, by extracting (not linting) the units
/// that can name one, and marks them in `entries`; a named file that was not listed (outside
/// the paths, or ignored) joins them, in order.
fn find_claims(entries: &mut Vec<Entry>, options: &Options, threads: usize) -> Vec<Claim> {
    let modules = modules(entries);
    let scripts: Vec<usize> = (0..entries.len())
        .filter(|&at| !entries[at].stdin && entries[at].unit == UnitOf::NamingFiles)
        .collect();
    let tasks = modules.len() + scripts.len();
    let named: Mutex<Vec<(usize, Vec<ReferencedFile>)>> = Mutex::default();
    let max_size = options.max_file_size;
    let overlay = options.overlay.as_deref();
    share_out(
        threads,
        tasks,
        || (),
        |(), task| {
            let references = match task.checked_sub(modules.len()) {
                None => {
                    let (dir, members) = &modules[task];
                    let candidates: Vec<Candidate> = members.iter().map(|&at| entries[at].candidate()).collect();
                    lint::group_references(dir, &sorted(candidates), max_size, overlay)
                }
                Some(script) => {
                    let candidate = entries[scripts[script]].candidate();
                    let bytes = match overlay.and_then(|o| o.get(&candidate.display)) {
                        Some(text) => Some(text.clone().into_bytes()),
                        // What cannot be read is reported when the file is linted.
                        None => read_file(&candidate.path, &candidate.display, max_size).ok().flatten(),
                    };
                    match bytes.as_deref().map(std::str::from_utf8) {
                        Some(Ok(text)) => extract::references(Path::new(&candidate.display), text),
                        _ => Vec::new(),
                    }
                }
            };
            if !references.is_empty() {
                named.lock().unwrap_or_else(|p| p.into_inner()).push((task, references));
            }
        },
    );
    let mut named = named.into_inner().unwrap_or_else(|p| p.into_inner());
    if named.is_empty() {
        return Vec::new();
    }
    // Scripts in path order, then modules in directory order (the last one's report stands).
    named.sort_by_key(|&(task, _)| (task < modules.len(), task));
    let mut claims: Vec<Claim> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for (task, references) in named {
        let from_module = task < modules.len();
        let mut seen_here: Vec<PathBuf> = Vec::new();
        for referenced in references {
            if from_module {
                // A module that names a file twice lints it once, as the first names it.
                if seen_here.contains(&referenced.path) {
                    continue;
                }
                seen_here.push(referenced.path.clone());
            }
            let index = *by_path.entry(referenced.path.clone()).or_insert_with(|| {
                claims.push(Claim::default());
                claims.len() - 1
            });
            match from_module {
                true => claims[index].module = Some(referenced),
                false => claims[index].scripts.push(referenced),
            }
        }
    }
    for entry in entries.iter_mut() {
        // A module's own files stay its own.
        if entry.stdin || entry.unit == UnitOf::Directory {
            continue;
        }
        if let Some(&index) = by_path.get(&discover::normalized(&entry.path)) {
            entry.claim = index as Index;
            claims[index].listed = true;
        }
    }
    let mut unlisted: Vec<(PathBuf, usize)> = by_path
        .into_iter()
        .filter(|&(_, index)| !claims[index].listed)
        .collect();
    unlisted.sort();
    for (path, index) in unlisted {
        entries.push(Entry::new(path, false, false, Some(index as Index)));
    }
    sort(entries);
    claims
}

/// The Terraform modules among `entries`: each directory, in directory order, with its files.
fn modules(entries: &[Entry]) -> Vec<(PathBuf, Vec<usize>)> {
    let mut modules: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (at, entry) in entries.iter().enumerate() {
        if entry.in_module() {
            modules.entry(entry.module_dir()).or_default().push(at);
        }
    }
    modules.into_iter().collect()
}

fn sorted(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort();
    candidates
}

/// What is linted as one unit, by the position of its first file.
enum Role {
    /// A file on its own.
    Own,
    /// The first file of a module (an index in [`Plan::modules`]), which lints all of its files.
    Module(Index),
    /// Another file of a module: linted with its first.
    InModule,
    /// Linted in the context of the units that name it (an index in [`Plan::claims`]).
    Claimed(Index),
    Stdin,
}

/// The run's files in order, and how each is linted.
struct Plan {
    entries: Vec<Entry>,
    roles: Vec<Role>,
    modules: Vec<(PathBuf, Vec<usize>)>,
    claims: Vec<Claim>,
    /// The position of each unit's first file, in order.
    units: Vec<Index>,
}

impl Plan {
    fn new(entries: Vec<Entry>, claims: Vec<Claim>) -> Plan {
        let modules = modules(&entries);
        let mut roles: Vec<Role> = entries
            .iter()
            .map(|entry| match (entry.stdin, entry.claim()) {
                (true, _) => Role::Stdin,
                (false, Some(claim)) => Role::Claimed(claim),
                (false, None) if entry.in_module() => Role::InModule,
                (false, None) => Role::Own,
            })
            .collect();
        for (index, (_, members)) in modules.iter().enumerate() {
            roles[members[0]] = Role::Module(index as Index);
        }
        let units = (0..entries.len())
            .filter(|&at| !matches!(roles[at], Role::InModule))
            .map(|at| at as Index)
            .collect();
        Plan {
            entries,
            roles,
            modules,
            claims,
            units,
        }
    }
}

/// What looking at one file gave.
#[derive(Default)]
struct Looked {
    outcome: Option<Outcome>,
    /// Part of the file is in a form seslint does not read that may hold a policy.
    unread: Option<UnreadFile>,
    problems: Vec<WalkProblem>,
}

impl Looked {
    fn of(result: Result<(Outcome, lint::Aside), WalkProblem>) -> Looked {
        match result {
            Ok((outcome, unread)) => Looked {
                outcome: Some(outcome),
                unread,
                problems: Vec::new(),
            },
            Err(problem) => Looked {
                problems: vec![problem],
                ..Looked::default()
            },
        }
    }

    /// What is handed on: a report with findings goes through `prepare`, here on the worker.
    fn prepare<T>(self, prepare: &(dyn Fn(FileReport) -> T + Sync)) -> Ready<T> {
        let mut ready = Ready {
            file: None,
            unread: self.unread.into_iter().collect(),
            passed_over: None,
            problems: self.problems,
        };
        match self.outcome {
            Some(Outcome::Linted(file)) if file.findings.is_empty() => {
                ready.file = Some(Reported::Clean(file.policies))
            }
            Some(Outcome::Linted(file)) => ready.file = Some(Reported::Findings(prepare(file))),
            Some(Outcome::Unread(file)) => ready.unread.push(file),
            Some(Outcome::PassedOver(file)) => ready.passed_over = file,
            None => {}
        }
        ready
    }
}

/// A linted file: prepared, when it has findings; counted, with its policies, when not.
enum Reported<T> {
    Findings(T),
    Clean(usize),
}

/// One file's part of the run, ready to be handed on.
struct Ready<T> {
    file: Option<Reported<T>>,
    unread: Vec<UnreadFile>,
    passed_over: Option<UnreadFile>,
    problems: Vec<WalkProblem>,
}

/// The files done and not yet handed on, and where to hand them.
struct Order<'r, 'e, T> {
    /// The position of the next file to hand on.
    next: usize,
    done: BTreeMap<usize, Ready<T>>,
    report: &'r mut RunReport,
    emit: &'e mut (dyn FnMut(T) + Send),
}

impl<T> Order<'_, '_, T> {
    /// Hands on the files done from `next` on; whether any was.
    fn hand_on(&mut self) -> bool {
        let from = self.next;
        while let Some(ready) = self.done.remove(&self.next) {
            self.next += 1;
            match ready.file {
                Some(Reported::Findings(prepared)) => (self.emit)(prepared),
                Some(Reported::Clean(policies)) => {
                    self.report.clean_files += 1;
                    self.report.clean_policies += policies;
                }
                None => {}
            }
            self.report.unread.extend(ready.unread);
            self.report.passed_over.extend(ready.passed_over);
            self.report.problems.extend(ready.problems);
        }
        self.next > from
    }
}

fn wait_for<T>(order: &Mutex<Order<'_, '_, T>>, advanced: &Condvar, ready: impl Fn(&Order<'_, '_, T>) -> bool) {
    let mut order = order.lock().unwrap_or_else(|p| p.into_inner());
    while !ready(&order) {
        order = advanced.wait(order).unwrap_or_else(|p| p.into_inner());
    }
}

/// Lints the units of a plan.
struct Linter<'a> {
    plan: &'a Plan,
    rules: Rules<'a>,
    options: &'a Options,
    stdin: Option<&'a [u8]>,
}

impl Linter<'_> {
    /// Lints the unit whose first file is at `at`: what each of its files gave, by position.
    fn unit(&self, at: usize, scratch: &mut Vec<u8>) -> Vec<(usize, Looked)> {
        let entry = &self.plan.entries[at];
        match self.plan.roles[at] {
            Role::Own => vec![(at, self.own(entry, scratch))],
            Role::Stdin => {
                let name = entry.path.to_string_lossy();
                // What standard input names (`file://`) is relative to an unknown directory: not followed.
                let rules = self.rules.for_file(&name);
                let read = lint::lint_read(&name, self.stdin.unwrap_or_default(), &rules, true);
                vec![(at, Looked::of(Ok(read)))]
            }
            Role::Module(index) => self.module(index as usize),
            Role::Claimed(index) => vec![(at, self.claimed(&self.plan.claims[index as usize], entry, scratch))],
            // Linted with the first file of its module.
            Role::InModule => Vec::new(),
        }
    }

    /// A file on its own (or the text a fix pass made in its place).
    fn own(&self, entry: &Entry, scratch: &mut Vec<u8>) -> Looked {
        let candidate = entry.candidate();
        let rules = self.rules;
        if let Some(text) = self.options.overlay.as_ref().and_then(|o| o.get(&candidate.display)) {
            return Looked::of(Ok(lint::lint_read(
                &candidate.display,
                text.as_bytes(),
                &rules.for_file(&candidate.display),
                candidate.explicit,
            )));
        }
        Looked::of(lint::lint_file(&candidate, rules, self.options.max_file_size, scratch))
    }

    fn module(&self, index: usize) -> Vec<(usize, Looked)> {
        let (dir, members) = &self.plan.modules[index];
        let candidates = sorted(members.iter().map(|&at| self.plan.entries[at].candidate()).collect());
        let options = self.options;
        let group = lint::lint_group(
            dir,
            &candidates,
            self.rules,
            options.max_file_size,
            options.overlay.as_deref(),
        );
        let mut looked: Vec<(usize, Looked)> = members.iter().map(|&at| (at, Looked::default())).collect();
        for (path, file) in group.files {
            if let Some((_, slot)) = looked.iter_mut().find(|(at, _)| self.plan.entries[*at].path == path) {
                slot.outcome = Some(Outcome::Linted(file));
            }
        }
        // The module's problems come with its first file.
        looked[0].1.problems = group.problems;
        looked
    }

    fn claimed(&self, claim: &Claim, entry: &Entry, scratch: &mut Vec<u8>) -> Looked {
        let mut looked = Looked::default();
        let (rules, max_size) = (self.rules, self.options.max_file_size);
        for referenced in &claim.scripts {
            match lint::lint_referenced(referenced.clone(), rules, max_size) {
                Ok(Some(file)) => {
                    looked.outcome = Some(Outcome::Linted(file));
                    return looked;
                }
                Ok(None) => {}
                Err(problem) => looked.problems.push(problem),
            }
        }
        if let Some(referenced) = &claim.module {
            match lint::lint_referenced(referenced.clone(), rules, max_size) {
                Ok(file) => looked.outcome = file.map(Outcome::Linted),
                Err(problem) => looked.problems.push(problem),
            }
            return looked;
        }
        if claim.listed {
            let own = self.own(entry, scratch);
            looked.outcome = own.outcome;
            looked.unread = own.unread;
            looked.problems.extend(own.problems);
        }
        looked
    }
}

/// Runs `work` for each of `count` items, numbered in order, on up to `threads` threads, each
/// with its state from `state`; on this thread when there are fewer than two items (starting
/// threads would cost more than the work).
fn share_out<S>(threads: usize, count: usize, state: impl Fn() -> S + Sync, work: impl Fn(&mut S, usize) + Sync) {
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut state = state();
        loop {
            let item = next.fetch_add(1, Ordering::Relaxed);
            if item >= count {
                break;
            }
            work(&mut state, item);
        }
    };
    let threads = threads.min(count);
    if threads < 2 {
        worker();
        return;
    }
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(worker);
        }
    });
}
