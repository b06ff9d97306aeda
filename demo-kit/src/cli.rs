//! The flags every demo shares, the exit codes, and how bad input ends a run:
//! one `error: …` line on stderr and exit code 2, never a panic.
//!
//! Demos build their command with clap's builder API and add [`Common::args`]:
//!
//! ```
//! use demo_kit::{Common, Limits};
//!
//! let cmd = clap::Command::new("threads-demo").args(Common::args(Limits::default()));
//! let matches = demo_kit::cli::try_parse_from(cmd, ["threads-demo", "--tasks", "5"]).unwrap();
//! let common = Common::from_matches(&matches);
//! assert_eq!(common.tasks, 5);
//! assert_eq!(common.delay_ms, 2000);
//! ```
//!
//! (The builder API rather than `#[derive(Parser)]`: the derive would build
//! `syn`, and `threads-demo` must build in a few seconds.)

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code when every task succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit code when the run finished but a task failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad flags or arguments.
pub const EXIT_USAGE: u8 = 2;

/// The article's numbers: three tasks that wait two seconds each.
pub const DEFAULT_TASKS: u64 = 3;
/// See [`DEFAULT_TASKS`].
pub const DEFAULT_DELAY_MS: u64 = 2000;

/// Upper bounds for `--tasks` and `--delay-ms`; each demo picks what it can carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest `--tasks` accepted.
    pub max_tasks: u64,
    /// The largest `--delay-ms` accepted.
    pub max_delay_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tasks: 100_000,
            max_delay_ms: 60_000,
        }
    }
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
}

impl Common {
    /// The common flags, global so they also follow a subcommand.
    pub fn args(limits: Limits) -> [Arg; 5] {
        [
            Arg::new("tasks")
                .long("tasks")
                .value_name("N")
                .help("How many tasks to run")
                .value_parser(value_parser!(u64).range(1..=limits.max_tasks))
                .allow_negative_numbers(true) // `-1` is a bad value, not an unknown flag
                .default_value("3")
                .global(true),
            Arg::new("delay-ms")
                .long("delay-ms")
                .value_name("MS")
                .help("How long each task waits, in milliseconds")
                .value_parser(value_parser!(u64).range(0..=limits.max_delay_ms))
                .allow_negative_numbers(true)
                .default_value("2000")
                .global(true),
            Arg::new("json")
                .long("json")
                .help("Print one JSON summary on stdout; the narrative goes to stderr")
                .action(ArgAction::SetTrue)
                .global(true),
            Arg::new("timeline")
                .long("timeline")
                .help("After the run, draw each task's span on a shared time axis")
                .action(ArgAction::SetTrue)
                .global(true),
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .help("Print every task's lines (runs of more than 10 tasks show the first 10 lines and a count)")
                .action(ArgAction::SetTrue)
                .global(true),
        ]
    }

    /// Reads the common flags (from the top level or a subcommand's matches)
    /// and points [`say!`](crate::say) at stderr under `--json`.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        let number =
            |id: &str, default: u64| matches.get_one::<u64>(id).copied().unwrap_or(default);
        let common = Self {
            tasks: usize::try_from(number("tasks", DEFAULT_TASKS)).unwrap_or(usize::MAX),
            delay_ms: number("delay-ms", DEFAULT_DELAY_MS),
            json: matches.get_flag("json"),
            timeline: matches.get_flag("timeline"),
        };
        crate::narrate_to_stderr(common.json);
        let verbose = matches!(matches.try_get_one::<bool>("verbose"), Ok(Some(true)));
        crate::narration::set_verbose(verbose);
        common
    }

    /// `--delay-ms` as a [`Duration`].
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }
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
pub fn try_parse_from<I, T>(cmd: Command, args: I) -> Result<ArgMatches, Stop>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    cmd.try_get_matches_from(args)
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
    ExitCode::from(if failed == 0 { EXIT_OK } else { EXIT_FAILED })
}

/// clap's first line without its own `error: ` prefix: the rest of its
/// message is usage and a hint to try `--help`, which the one-line rule drops,
/// except a `[possible values: …]` line, which is appended to the one line.
fn first_line(rendered: &str) -> String {
    let line = rendered
        .lines()
        .next()
        .unwrap_or("invalid arguments")
        .trim();
    let mut message = line.strip_prefix("error: ").unwrap_or(line).to_string();
    let possible = rendered
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("[possible values:"));
    if let Some(possible) = possible {
        message.push(' ');
        message.push_str(possible);
    }
    message
}

/// Refuses flags that do not apply to this (sub)command when the user typed
/// them: the common flags are global, so `cpu --tasks 5` parses, but means
/// nothing there. Returns the usage message for the first such flag in
/// `ids` (ids are the long names, without `--`): `--tasks does not apply
/// here; {instead}`. Defaults do not count, only the command line.
///
/// ```
/// use demo_kit::{Common, Limits};
///
/// let cmd = clap::Command::new("demo")
///     .args(Common::args(Limits::default()))
///     .subcommand(clap::Command::new("cpu"));
/// let matches = cmd.try_get_matches_from(["demo", "cpu", "--tasks", "5"]).unwrap();
/// let (_, cpu) = matches.subcommand().unwrap();
/// let message = demo_kit::cli::refuse(cpu, &["tasks", "delay-ms"], "use --workers").unwrap_err();
/// assert_eq!(message, "--tasks does not apply here; use --workers");
/// ```
pub fn refuse(matches: &ArgMatches, ids: &[&str], instead: &str) -> Result<(), String> {
    match ids
        .iter()
        .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
    {
        Some(id) => Err(format!("--{id} does not apply here; {instead}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> Command {
        Command::new("demo")
            .args(Common::args(Limits {
                max_tasks: 10,
                max_delay_ms: 5000,
            }))
            .subcommand(Command::new("cpu"))
    }

    fn parse(args: &[&str]) -> Result<Common, Stop> {
        let mut all = vec!["demo"];
        all.extend_from_slice(args);
        try_parse_from(cmd(), all).map(|m| Common::from_matches(&m))
    }

    fn usage(args: &[&str]) -> String {
        match parse(args) {
            Err(Stop::Usage(message)) => message,
            other => panic!("expected a usage error for {args:?}, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_articles_numbers() {
        let common = parse(&[]).unwrap();
        assert_eq!(
            common,
            Common {
                tasks: 3,
                delay_ms: 2000,
                json: false,
                timeline: false
            }
        );
        assert_eq!(common.delay(), Duration::from_secs(2));
    }

    #[test]
    fn flags_follow_a_subcommand() {
        let m = try_parse_from(cmd(), ["demo", "cpu", "--tasks", "4", "--json"]).unwrap();
        let (_, sub) = m.subcommand().unwrap();
        let common = Common::from_matches(sub);
        assert_eq!((common.tasks, common.json), (4, true));
        crate::narrate_to_stderr(false);
    }

    #[test]
    fn bad_values_are_one_line_naming_the_flag() {
        for args in [
            &["--tasks", "abc"][..],
            &["--tasks", "0"],
            &["--tasks", "11"],
            &["--delay-ms", "-1"],
            &["--delay-ms", "5001"],
            &["--delay-ms", "99999999999999999999999"],
            &["--tasks", "-1"],
        ] {
            let message = usage(args);
            assert!(message.contains(args[0]), "{args:?}: {message}");
            assert!(!message.contains('\n'), "{args:?}: {message}");
            assert!(!message.starts_with("error"), "{message}");
        }
        assert!(usage(&["--nope"]).contains("--nope"));
    }

    #[test]
    fn a_negative_count_is_an_invalid_value_not_an_unknown_flag() {
        for args in [&["--tasks", "-1"][..], &["--delay-ms", "-1"]] {
            let message = usage(args);
            assert!(message.starts_with("invalid value '-1'"), "{message}");
        }
    }

    #[test]
    fn possible_values_stay_on_the_one_line() {
        let cmd = Command::new("demo").arg(
            Arg::new("fail")
                .long("fail")
                .value_name("KIND")
                .value_parser(["panic", "exit", "signal"]),
        );
        let message = match try_parse_from(cmd, ["demo", "--fail", "bogus"]) {
            Err(Stop::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        };
        assert_eq!(
            message,
            "invalid value 'bogus' for '--fail <KIND>' [possible values: panic, exit, signal]"
        );
        let rendered =
            "error: bad\n  [possible values: a, b]\n\nFor more information, try '--help'.\n";
        assert_eq!(first_line(rendered), "bad [possible values: a, b]");
        assert_eq!(first_line("error: bad\n\nUsage: demo\n"), "bad");
    }

    #[test]
    fn flags_that_do_not_apply_are_refused_only_when_typed() {
        let refused = |args: &[&str]| {
            let mut all = vec!["demo"];
            all.extend_from_slice(args);
            let m = try_parse_from(cmd(), all).unwrap();
            let (_, sub) = m.subcommand().unwrap();
            refuse(sub, &["tasks", "delay-ms"], "use --workers")
        };
        assert_eq!(refused(&["cpu"]), Ok(()), "defaults are not refused");
        assert_eq!(refused(&["cpu", "--json"]), Ok(()));
        assert_eq!(
            refused(&["cpu", "--tasks", "5"]),
            Err("--tasks does not apply here; use --workers".to_string())
        );
        assert_eq!(
            refused(&["--delay-ms", "7", "cpu"]),
            Err("--delay-ms does not apply here; use --workers".to_string()),
            "a global flag before the subcommand counts too"
        );
    }

    #[test]
    fn help_is_shown_not_an_error() {
        assert!(matches!(parse(&["--help"]), Err(Stop::Show(text)) if text.contains("--delay-ms")));
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(0), ExitCode::from(EXIT_OK));
        assert_eq!(exit_code(2), ExitCode::from(EXIT_FAILED));
    }
}
