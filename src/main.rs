//! The `seslint` command: argument parsing, output and exit codes only; the work is in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{GraphicalReportHandler, GraphicalTheme};

use seslint::error::LoadError;
use seslint::report::{human, json};
use seslint::rules::{Expect, Rule, RuleSet, Severity};

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
    Check(CheckArgs),
    /// List every rule: code, name, default severity and summary.
    Rules(RuleArgs),
    /// Print a rule's documentation.
    Explain {
        /// A rule code (COG005) or name (missing-source-account).
        code: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

#[derive(clap::Args)]
struct RuleArgs {
    /// A directory of extra rule files (*.toml); repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files and directories to lint; `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// The file name to report for standard input.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

const SUBCOMMANDS: [&str; 8] = ["check", "rules", "explain", "help", "-h", "--help", "-V", "--version"];

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
        Command::Check(args) => check(args),
        Command::Rules(args) => load(&args).map(|rules| {
            print_out(&rules_table(&rules));
            0
        }),
        Command::Explain { code, rules } => load(&rules).and_then(|set| explain(&set, &code)),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{:?}", error.to_report());
            ExitCode::from(2)
        }
    }
}

fn load(args: &RuleArgs) -> Result<RuleSet, LoadError> {
    RuleSet::load(&args.rule_dirs)
}

fn check(args: CheckArgs) -> Result<u8, LoadError> {
    let rules = load(&args.rules)?;
    let options = seslint::Options {
        threads: args.jobs,
        stdin_filename: args.stdin_filename,
    };
    let report = seslint::run(&args.paths, &options, &rules)?;
    match args.format {
        Format::Json => print_out(&format!("{}\n", json::render(&report))),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
            };
            print_out(&human::render(&report, &human::Style { color, width: 100 }));
        }
    }
    for problem in &report.problems {
        eprintln!("seslint: {}: {}", problem.path, problem.message);
    }
    eprintln!("{}", human::summary_line(&report));
    let fail_level = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    if !report.problems.is_empty() {
        return Ok(2);
    }
    let failed = report.findings().any(|(_, f)| f.severity >= fail_level);
    Ok(u8::from(failed))
}

/// Writes to stdout, ignoring a closed pipe (`seslint ... | head`).
fn print_out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn rules_table(rules: &RuleSet) -> String {
    let name_width = rules.rules.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<7} {:<name_width$} {:<8} SUMMARY\n", "CODE", "NAME", "SEVERITY");
    for rule in &rules.rules {
        out.push_str(&format!(
            "{:<7} {:<name_width$} {:<8} {}\n",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        ));
    }
    out
}

fn explain(rules: &RuleSet, code: &str) -> Result<u8, LoadError> {
    let Some(rule) = rules.get(code) else {
        let codes: Vec<String> = rules.rules.iter().map(|r| r.code.clone()).collect();
        let hint = seslint::rules::predicate::nearest(code, &codes).map_or_else(
            || "run `seslint rules` for the list".to_string(),
            |near| format!("did you mean {near}?"),
        );
        return Err(LoadError::new(format!("no rule {code:?}")).with_help(hint));
    };
    print_out(&explain_text(rule));
    Ok(0)
}

fn explain_text(rule: &Rule) -> String {
    let indent = |text: &str| {
        text.trim_end()
            .lines()
            .map(|l| format!("    {l}").trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = format!(
        "{} {} ({})\n{}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary
    );
    if rule.origin != "built-in" {
        out.push_str(&format!("Defined in {}\n", rule.origin));
    }
    out.push_str(&format!("\nWhat it does\n{}\n", indent(&rule.doc.what)));
    out.push_str(&format!("\nWhy it matters\n{}\n", indent(&rule.doc.why)));
    for (title, kind) in [("Example", Expect::Violation), ("Fixed", Expect::Clean)] {
        for example in rule.examples.iter().filter(|e| e.expect == kind) {
            out.push_str(&format!(
                "\n{title}{}\n",
                example.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
            ));
            out.push_str(&indent(&example.policy));
            out.push('\n');
        }
    }
    out.push_str(&format!("\nHow to fix\n{}\n", indent(&rule.doc.fix)));
    out
}
