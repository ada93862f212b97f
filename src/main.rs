//! The `seslint` command: argument parsing, output and exit codes only; the work is in the library.

/// A faster allocator than the system's: a run allocates and frees small strings and vectors for
/// every node and finding, and glibc's malloc and free were a quarter of a 2,000-file run's
/// instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use miette::{GraphicalReportHandler, GraphicalTheme};

use seslint::baseline::Baseline;
use seslint::config::{self, Overrides, Settings};
use seslint::error::{IoError, LoadError, Subject};
use seslint::finding::Severity;
use seslint::fix;
use seslint::report::{catalog, github, human, json, sarif};
use seslint::rules::{FileRules, RuleSet};
use seslint::RunReport;

/// Lint Amazon SES sending-authorization policies, above all the one that lets a Cognito user
/// pool send email through an SES identity.
#[derive(Parser)]
#[command(name = "seslint", version, about, long_about = None, after_help = "Exit status: 0 no finding at or above the fail level, 1 findings, 2 the run could not be done.\nWith no subcommand, `seslint PATHS...` is `seslint check PATHS...`.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint policies in files and directories (the default command).
    Check(Box<CheckArgs>),
    /// List every rule: code, name, default severity and summary.
    Rules(RuleArgs),
    /// Print a rule's documentation.
    Explain {
        /// A rule code (COG005) or name (missing-source-account).
        code: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Run the examples of the rules in DIR (their own tests): PASS or FAIL per example.
    TestRules {
        /// Directories of rule files (*.toml, with data/*.toml); the built-in rules when none.
        #[arg(value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// Print the identity policy a Cognito user pool needs to send email through an SES
    /// identity (following the region table: the principal, the identity regions allowed).
    Generate(GenerateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args)]
struct RuleArgs {
    /// A directory of extra rule files (*.toml); repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Use this configuration file instead of searching for seslint.toml / .seslint.toml.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// The SES identity's ARN: arn:aws:ses:REGION:ACCOUNT:identity/NAME.
    #[arg(long, value_name = "ARN")]
    identity_arn: String,
    /// The user pool's ARN: arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID.
    #[arg(long, value_name = "ARN")]
    user_pool_arn: String,
    /// What to print: the policy JSON, Terraform, a CloudFormation template, or the AWS CLI call.
    #[arg(long, value_enum, default_value_t = GenerateFormat::Json)]
    format: GenerateFormat,
    /// A directory of extra rule files (*.toml) whose data tables are read too; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GenerateFormat {
    Json,
    Terraform,
    Cloudformation,
    Cli,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files and directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The lowest severity that makes the run fail (exit 1); default warning.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Run only these rule codes or prefixes (comma-separated); replaces the configuration's.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Option<Vec<String>>,
    /// Run these codes or prefixes too.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    extend_select: Option<Vec<String>>,
    /// Do not run these codes or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Option<Vec<String>>,
    /// Do not walk files or directories matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Option<Vec<String>>,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Print only the findings: no summary, no closing notes.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    quiet: bool,
    /// Also name each file given on the command line that is in no format seslint reads.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Report only findings that are not in this baseline.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the findings of this run as a baseline (and exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Do not read files larger than this (bytes, or with a K, M or G suffix); one that looks
    /// like a policy is reported.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64M")]
    max_file_size: u64,
    /// The file name to report for standard input (its format follows from it).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Apply the safe fixes in place, then report what is left (with `-`: print the fixed text).
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff: apply the unsafe fixes too (they may change what the policy allows).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes --fix would apply as a unified diff; write nothing.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// For fixes: the account that owns the user pool (aws:SourceAccount).
    #[arg(long, value_name = "ACCOUNT_ID")]
    account: Option<String>,
    /// For fixes: the ARN of the user pool that sends (aws:SourceArn).
    #[arg(long, value_name = "ARN")]
    user_pool_arn: Option<String>,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(level: FailOn) -> Severity {
        match level {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

const SUBCOMMANDS: [&str; 11] = [
    "check",
    "generate",
    "rules",
    "explain",
    "completions",
    "test-rules",
    "help",
    "-h",
    "--help",
    "-V",
    "--version",
];

fn main() -> ExitCode {
    // Errors render like findings: fixed width, colour only on a terminal without NO_COLOR.
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Box::new(
            GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
        )
    }));
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `seslint PATHS...` means `seslint check PATHS...`.
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    if !SUBCOMMANDS.contains(&first) {
        args.insert(1, "check".into());
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules(args) => load(&args, Overrides::default()).map(|(_, rules)| {
            print_out(&catalog::rules_table(&rules));
            0
        }),
        Command::Explain { code, rules } => {
            load(&rules, Overrides::default()).and_then(|(_, set)| explain(&set, &code))
        }
        Command::TestRules { dirs } => test_rules(&dirs),
        Command::Generate(args) => generate(&args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "seslint", &mut out);
            print_out(&String::from_utf8_lossy(&out));
            Ok(0)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{:?}", error.to_report());
            ExitCode::from(2)
        }
    }
}

/// The settings (configuration file and flags) and the rule set they load.
fn load(args: &RuleArgs, mut overrides: Overrides) -> Result<(Settings, RuleSet), LoadError> {
    let cwd = std::env::current_dir().map_err(|e| IoError::read(Subject::WorkingDirectory, None, e))?;
    let file = match (&args.config, args.isolated) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => config::find(&cwd),
    };
    let loaded = file.as_deref().map(config::read).transpose()?;
    overrides.rule_dirs = args.rule_dirs.clone();
    let settings = Settings::new(loaded.as_ref(), overrides, &cwd)?;
    let rules = RuleSet::load(&settings.rule_dirs)?;
    settings.validate(loaded.as_ref(), &rules)?;
    Ok((settings, rules))
}

/// `seslint test-rules DIR...`: every example of the rules defined in DIR, PASS or FAIL; exit 1 when
/// one fails. Without DIR, the built-in rules' examples.
fn test_rules(dirs: &[PathBuf]) -> Result<u8, LoadError> {
    let rules = RuleSet::load(dirs)?;
    let outcomes = seslint::check_examples(&rules, |rule| dirs.is_empty() || rule.origin != "built-in");
    print_out(&catalog::example_results(&outcomes));
    Ok(u8::from(outcomes.iter().any(|o| !o.passed)))
}

fn check(args: CheckArgs) -> Result<u8, LoadError> {
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        fail_on: args.fail_on.map(Severity::from),
        rule_dirs: Vec::new(),
    };
    let (settings, mut rules) = load(&args.rules, overrides)?;
    rules.given = given_facts(&args)?;
    // Rules that are not selected do not run.
    rules.select(|code| settings.is_selected(code));
    // The rule set lives until the process exits: freeing its thousands of parts one by one cost
    // a one-file run a tenth of its instructions.
    let rules = std::mem::ManuallyDrop::new(rules);
    let settings = std::sync::Arc::new(settings);
    let cwd = std::env::current_dir().unwrap_or_default();
    let excluded = {
        let (settings, cwd) = (settings.clone(), cwd.clone());
        Box::new(move |path: &Path| settings.is_excluded(path, &cwd))
    };
    // Rules a file's per-file ignores name do not run on it, as unselected rules do not run.
    let ignored_rules = (!settings.per_file_ignores.is_empty()).then(|| {
        let (settings, cwd) = (settings.clone(), cwd.clone());
        Box::new(move |path: &str| settings.ignored_for(path, &cwd)) as seslint::RuleIgnores
    });
    let mut options = seslint::Options {
        threads: args.jobs,
        max_file_size: args.max_file_size,
        stdin_filename: args.stdin_filename.clone(),
        no_ignore: args.no_ignore,
        excluded: Some(excluded),
        ignored_rules,
        overlay: None,
    };
    let fixing = args.fix || args.diff;
    if fixing && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return fix_stdin(&args, &settings, &rules);
    }
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(path), None) => Some(Baseline::read(path)?),
        _ => None,
    };
    let report = if fixing {
        let settle = |report: &mut RunReport| {
            settings.apply(report, &cwd);
            if let Some(baseline) = &baseline {
                baseline.apply(report);
            }
            Ok(())
        };
        let fixed = fix::apply::fix_run(&args.paths, &mut options, &rules, args.unsafe_fixes, &settle)?;
        let changed = fixed.changed;
        if args.fix {
            fix::apply::write_all(&changed)?;
        } else {
            let diffs: String = changed
                .iter()
                .map(|c| fix::diff::unified(&c.path, &c.before, &c.after))
                .collect();
            print_out(&diffs);
        }
        if !args.quiet {
            let verb = if args.fix { "fixed" } else { "would fix" };
            eprintln!(
                "{verb} {} {} ({} {})",
                fixed.applied,
                if fixed.applied == 1 { "finding" } else { "findings" },
                changed.len(),
                if changed.len() == 1 { "file" } else { "files" }
            );
        }
        // The report of what is left is settled already (configuration and baseline).
        if args.diff {
            return Ok(exit_after_diff(&args, &fixed.report, &changed, &settings));
        }
        fixed.report
    } else {
        let matcher = baseline.as_ref().map(Baseline::matcher);
        let settle = |file: &mut seslint::FileReport| {
            settings.apply_file(file, &cwd);
            if let Some(matcher) = &matcher {
                matcher.apply_file(file);
            }
        };
        let report = match Printer::for_args(&args) {
            // Printed as the run goes, and not kept: memory does not grow with the findings.
            Some(printer) if args.write_baseline.is_none() => {
                let mut streamed = seslint::report::Tally::default();
                let prepare = |mut file: seslint::FileReport| {
                    settle(&mut file);
                    let mut tally = seslint::report::Tally::default();
                    tally.count(&file);
                    (printer.render(&file), tally)
                };
                let mut out = Output::new();
                let mut emit = |(text, tally): (String, seslint::report::Tally)| {
                    out.write(&text);
                    streamed.add(tally);
                };
                let mut report = seslint::run_streamed(&args.paths, &options, &rules, &prepare, &mut emit)?;
                out.flush();
                report.streamed = streamed;
                if args.statistics {
                    print_out(&human::statistics(&report));
                }
                report
            }
            _ => {
                let mut report = seslint::run(&args.paths, &options, &rules)?;
                for file in &mut report.files {
                    settle(file);
                }
                if args.write_baseline.is_none() {
                    write_output(&args, &report, &rules);
                }
                report
            }
        };
        if let Some(stale) = matcher.map(|matcher| matcher.unmatched()) {
            report_stale(&stale, args.quiet);
        }
        report
    };

    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&report);
        baseline.write(path)?;
        eprintln!(
            "wrote {} findings to the baseline {}",
            baseline.findings.len(),
            path.display()
        );
        return Ok(0);
    }
    if fixing {
        write_output(&args, &report, &rules);
    }
    for problem in &report.problems {
        let kind = if problem.is_fatal() { "" } else { "note: " };
        eprintln!("seslint: {kind}{}: {}", problem.path, problem.problem);
    }
    if args.verbose {
        for file in &report.passed_over {
            let format = file.format.unwrap_or("its format");
            eprintln!(
                "seslint: note: {}: not linted: seslint does not read {format}",
                file.path
            );
        }
    }
    if !args.quiet {
        eprintln!("{}", human::summary_line(&report));
        if let Some(note) = human::unread_note(&report) {
            eprintln!("{note}");
        }
    }
    if report.problems.iter().any(|p| p.is_fatal()) {
        return Ok(2);
    }
    let failed = report.findings().any(|(_, f)| f.severity >= settings.fail_on);
    let streamed_failed = report.streamed.worst().is_some_and(|worst| worst >= settings.fail_on);
    Ok(u8::from(failed || streamed_failed))
}

/// Says which baseline entries no longer match a finding (on stderr).
fn report_stale(stale: &[seslint::baseline::Entry], quiet: bool) {
    if stale.is_empty() || quiet {
        return;
    }
    eprintln!(
        "{} baseline entries no longer match a finding (fixed, or changed); update the baseline:",
        stale.len()
    );
    for entry in stale.iter().take(20) {
        eprintln!("  {} {} {} {}", entry.rule, entry.path, entry.location, entry.message);
    }
}

/// The formats printed one file at a time, as a run hands its reports on.
enum Printer {
    Human(Box<human::Renderer>),
    Github,
    /// `--statistics`: counted, printed at the end.
    Counted,
}

impl Printer {
    fn for_args(args: &CheckArgs) -> Option<Printer> {
        match args.format {
            Format::Human if args.statistics => Some(Printer::Counted),
            Format::Human => Some(Printer::Human(Box::new(human::Renderer::new(&human_style(args))))),
            Format::Github => Some(Printer::Github),
            Format::Json | Format::Sarif => None,
        }
    }

    fn render(&self, file: &seslint::FileReport) -> String {
        match self {
            Printer::Human(renderer) => renderer.file(file),
            Printer::Github => github::render_file(file),
            Printer::Counted => String::new(),
        }
    }
}

/// Standard output for text handed on piece by piece: written as it comes to a terminal, in
/// large writes to a pipe or a file. A closed pipe (`seslint ... | head`) is not an error.
struct Output {
    buffer: Vec<u8>,
    terminal: bool,
}

impl Output {
    const FLUSH_AT: usize = 64 << 10;

    fn new() -> Output {
        Output {
            buffer: Vec::new(),
            terminal: std::io::stdout().is_terminal(),
        }
    }

    fn write(&mut self, text: &str) {
        self.buffer.extend_from_slice(text.as_bytes());
        if self.terminal || self.buffer.len() >= Self::FLUSH_AT {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let _ = std::io::stdout().lock().write_all(&self.buffer);
        self.buffer.clear();
    }
}

/// `seslint generate`: the policy on stdout, notes on stderr; a bad or mismatched ARN is an error
/// (exit 2) that says what to change.
fn generate(args: &GenerateArgs) -> Result<u8, LoadError> {
    let tables = seslint::rules::definitions::Definitions::of_dirs(&args.rule_dirs)?;
    let generated = seslint::generate::policy(&args.identity_arn, &args.user_pool_arn, &tables)
        .map_err(|message| LoadError::new(format!("cannot generate the policy: {message}")))?;
    for note in &generated.notes {
        eprintln!("seslint: note: {note}");
    }
    let output = match args.format {
        GenerateFormat::Json => seslint::generate::Output::Json,
        GenerateFormat::Terraform => seslint::generate::Output::Terraform,
        GenerateFormat::Cloudformation => seslint::generate::Output::CloudFormation,
        GenerateFormat::Cli => seslint::generate::Output::Cli,
    };
    print_out(&generated.render(output));
    Ok(0)
}

/// The facts `--account` and `--user-pool-arn` give fixes; a malformed one is an error.
fn given_facts(args: &CheckArgs) -> Result<serde_json::Value, LoadError> {
    let mut given = serde_json::Map::new();
    if let Some(account) = &args.account {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LoadError::new(format!(
                "--account {account:?} is not a 12-digit account ID"
            )));
        }
        given.insert("account".into(), account.clone().into());
    }
    if let Some(arn) = &args.user_pool_arn {
        let pool = seslint::generate::UserPoolArn::parse(arn).map_err(LoadError::new)?;
        if let Some(account) = &args.account {
            if *account != pool.account {
                return Err(LoadError::new(format!(
                    "--account {account} is not the account of --user-pool-arn ({})",
                    pool.account
                )));
            }
        }
        given.insert("user_pool_arn".into(), arn.clone().into());
    }
    Ok(serde_json::Value::Object(given))
}

/// `--fix -`: the fixed text of standard input on standard output, the summary on stderr.
fn fix_stdin(args: &CheckArgs, settings: &Settings, rules: &RuleSet) -> Result<u8, LoadError> {
    if args.paths.len() > 1 {
        return Err(LoadError::new(
            "with --fix or --diff, `-` (standard input) must be the only path",
        ));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .map_err(|e| IoError::read(Subject::StandardInput, None, e))?;
    let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(LoadError::new("standard input is not UTF-8: it cannot be fixed"));
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let settle = |file: &mut seslint::FileReport| settings.apply_file(file, &cwd);
    let rules = FileRules::skipping(rules, &settings.ignored_for(&name, &cwd));
    let (fixed, left) = fix::apply::fix_text(&name, &text, &rules, args.unsafe_fixes, &settle);
    if args.diff {
        print_out(&fix::diff::unified(&name, &text, &fixed));
    } else {
        print_out(&fixed);
    }
    let failed = left.findings.iter().any(|f| f.severity >= settings.fail_on);
    if !args.quiet {
        let report = RunReport {
            files: vec![left],
            ..RunReport::default()
        };
        eprintln!("{}", human::summary_line(&report));
    }
    Ok(u8::from(failed || (args.diff && fixed != text)))
}

/// `--diff`: the diff is printed; the exit status says whether anything would change or is left.
fn exit_after_diff(args: &CheckArgs, report: &RunReport, changed: &[fix::apply::Changed], settings: &Settings) -> u8 {
    if !args.quiet {
        eprintln!("{}", human::summary_line(report));
    }
    if report.problems.iter().any(|p| p.is_fatal()) {
        return 2;
    }
    let failed = report.findings().any(|(_, f)| f.severity >= settings.fail_on);
    u8::from(failed || !changed.is_empty())
}

fn write_output(args: &CheckArgs, report: &RunReport, rules: &RuleSet) {
    if args.statistics && matches!(args.format, Format::Human) {
        print_out(&human::statistics(report));
        return;
    }
    match args.format {
        Format::Json => print_out(&format!("{}\n", json::render(report))),
        Format::Sarif => print_out(&format!("{}\n", sarif::render(report, rules))),
        Format::Github => print_out(&github::render(report)),
        Format::Human => print_out(&human::render(report, &human_style(args))),
    }
}

fn human_style(args: &CheckArgs) -> human::Style {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    human::Style { color, width: 100 }
}

/// A size in bytes: `1048576`, `512K`, `10M`, `1G` (binary multiples).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, multiple) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&text[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    number
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiple))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a size: use bytes, or a number with K, M or G"))
}

/// Writes to stdout, ignoring a closed pipe (`seslint ... | head`).
fn print_out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn explain(rules: &RuleSet, code: &str) -> Result<u8, LoadError> {
    if let Some(non_rule) = seslint::codes::non_rule(code) {
        print_out(&catalog::explain_non_rule(non_rule));
        return Ok(0);
    }
    let Some(rule) = rules.get(code) else {
        let codes: Vec<String> = rules.rules.iter().map(|r| r.code.clone()).collect();
        let hint = seslint::rules::predicate::nearest(code, &codes).map_or_else(
            || "run `seslint rules` for the list".to_string(),
            |near| format!("did you mean {near}?"),
        );
        return Err(LoadError::new(format!("no rule {code:?}")).with_help(hint));
    };
    print_out(&catalog::explain(rule));
    Ok(0)
}
