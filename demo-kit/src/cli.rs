//! The flags every demo shares, the exit codes, and how bad input ends a run:
//! one `error: …` line on stderr and exit code 2, never a panic.
//!
//! Demos build their command with clap's builder API and add [`Common::args`]:
//!
//! ```
//! use demo_kit::{Common, Limits};
//!
//! let cmd = clap::Command::new("threads-demo").args(Common::args(Limits::DEFAULT));
//! let matches = demo_kit::cli::try_parse_from(cmd, ["threads-demo", "--tasks", "5"]).unwrap();
//! let common = Common::from_matches(&matches);
//! assert_eq!(common.tasks, 5);
//! assert_eq!(common.delay_ms, 2000);
//! ```
//!
//! (The builder API rather than `#[derive(Parser)]`: the derive would build
//! `syn`, and `threads-demo` must build in a few seconds.)

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code when the run finished but a task failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad flags or arguments.
pub const EXIT_USAGE: u8 = 2;

/// The article's numbers: three tasks that wait two seconds each.
pub const DEFAULT_TASKS: u64 = 3;
/// Default `--delay-ms`: the article's `time.sleep(2)`, in milliseconds.
pub const DEFAULT_DELAY_MS: u64 = 2000;

/// Upper bounds for `--tasks` and `--delay-ms`; each demo picks what it can carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest `--tasks` accepted.
    pub max_tasks: u64,
    /// The largest `--delay-ms` accepted.
    pub max_delay_ms: u64,
}

impl Limits {
    /// 100,000 tasks of at most a minute each, unless a demo needs less.
    pub const DEFAULT: Limits = Limits {
        max_tasks: 100_000,
        max_delay_ms: 60_000,
    };
}

/// The values of the common flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Common {
    /// `--tasks N`: how many threads, processes or fetches.
    pub tasks: usize,
    /// `--delay-ms MS`: how long each one waits.
    pub delay_ms: u64,
    /// `--json`: one JSON summary on stdout, narrative on stderr.
    pub json: bool,
    /// `--timeline`: draw each task's span after the run.
    pub timeline: bool,
    /// `--verbose`: print every task's lines, however many tasks.
    pub verbose: bool,
}

impl Common {
    /// The common flags of a command whose tasks wait: `--tasks N` (from 1
    /// to `limits.max_tasks`, [`DEFAULT_TASKS`] if not given), [`delay_arg`],
    /// `--verbose` and [`Common::report_args`].
    pub fn args(limits: Limits) -> [Arg; 5] {
        let tasks = Arg::new("tasks")
            .long("tasks")
            .value_name("N")
            .help(format!("How many tasks to run [default: {DEFAULT_TASKS}]"))
            .value_parser(value_parser!(u64).range(1..=limits.max_tasks))
            .allow_negative_numbers(true); // `-1` is a bad value, not an unknown flag
        let [json, timeline] = Self::report_args();
        let verbose = Arg::new("verbose")
            .long("verbose")
            .short('v')
            .help("Print every task's lines (runs of more than 10 tasks show the first 10 lines and a count)")
            .action(ArgAction::SetTrue);
        [tasks, delay_arg(limits), verbose, json, timeline]
    }

    /// `--json` and `--timeline` alone, for a command that has no waiting
    /// tasks to count (a CPU run, a single call).
    pub fn report_args() -> [Arg; 2] {
        [
            Arg::new("json")
                .long("json")
                .help("Print one JSON summary on stdout; the narrative goes to stderr")
                .action(ArgAction::SetTrue),
            Arg::new("timeline")
                .long("timeline")
                .help("After the run, draw each task's span on a shared time axis")
                .action(ArgAction::SetTrue),
        ]
    }

    /// Reads the common flags a command has; one it does not take reads as
    /// its default. It changes nothing else: the caller then points the
    /// narrative where the flags say with [`Common::set_narration`].
    pub fn from_matches(matches: &ArgMatches) -> Self {
        let number = |id: &str, default: u64| match matches.try_get_one::<u64>(id) {
            Ok(Some(&value)) => value,
            _ => default,
        };
        let flag = |id: &str| matches!(matches.try_get_one::<bool>(id), Ok(Some(true)));
        Self {
            tasks: usize::try_from(number("tasks", DEFAULT_TASKS)).unwrap_or(usize::MAX),
            delay_ms: number("delay-ms", DEFAULT_DELAY_MS),
            json: flag("json"),
            timeline: flag("timeline"),
            verbose: flag("verbose"),
        }
    }

    /// Points the narrative ([`say!`](crate::say)) where the flags say:
    /// stderr under `--json`, so that stdout holds only the JSON, and every
    /// line of a long run under `--verbose`.
    pub fn set_narration(&self) {
        crate::narrate_to_stderr(self.json);
        crate::narration::set_verbose(self.verbose);
    }

    /// `--delay-ms` as a [`Duration`].
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }
}

/// `--delay-ms MS`: how long each task waits, [`DEFAULT_DELAY_MS`] if not given.
pub fn delay_arg(limits: Limits) -> Arg {
    Arg::new("delay-ms")
        .long("delay-ms")
        .value_name("MS")
        .help(format!(
            "How long each task waits, in milliseconds [default: {DEFAULT_DELAY_MS}]"
        ))
        .value_parser(value_parser!(u64).range(0..=limits.max_delay_ms))
        .allow_negative_numbers(true)
}

/// What a failed parse means for the user.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// `--help` or `--version`: print this text on stdout and exit 0.
    Show(String),
    /// Bad input: print `error: {0}` and exit 2.
    Usage(String),
}

/// Parses `args`, or says why the run stops before it starts.
///
/// A demo's top-level flags belong to its default mode, so they do not
/// combine with a subcommand: `threads-demo --tasks 5 cpu` is a usage error
/// (each subcommand declares the flags it takes).
pub fn try_parse_from(
    cmd: Command,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
) -> Result<ArgMatches, Stop> {
    cmd.args_conflicts_with_subcommands(true)
        .try_get_matches_from(args)
        .map_err(|err| match err.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Stop::Show(err.to_string()),
            _ => Stop::Usage(first_line(&err.to_string())),
        })
}

/// Parses the process's arguments; on bad input prints one `error:` line and
/// exits 2, on `--help` prints the help and exits 0.
pub fn parse(cmd: Command) -> ArgMatches {
    match try_parse_from(cmd, std::env::args_os()) {
        Ok(matches) => matches,
        Err(Stop::Show(text)) => {
            crate::write_stdout(&text); // `--help | head -1` must not panic
            std::process::exit(0);
        }
        Err(Stop::Usage(message)) => usage_error(message),
    }
}

/// Prints `error: {message}` and exits with [`EXIT_USAGE`].
pub fn usage_error(message: impl std::fmt::Display) -> ! {
    crate::error(message);
    std::process::exit(i32::from(EXIT_USAGE))
}

/// The exit code for a finished run: [`EXIT_FAILED`] if any task failed.
pub fn exit_code(failed: usize) -> ExitCode {
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

/// clap's first line without its own `error: ` prefix: the rest of its
/// message is usage and a hint to try `--help`, which the one-line rule drops,
/// except a `[possible values: …]` line, which is appended to the one line.
fn first_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim);
    let first = lines.next().unwrap_or("invalid arguments");
    let message = first.strip_prefix("error: ").unwrap_or(first);
    match lines.find(|line| line.starts_with("[possible values:")) {
        Some(possible) => format!("{message} {possible}"),
        None => message.to_string(),
    }
}
