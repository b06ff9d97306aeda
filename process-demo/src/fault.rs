//! `--fail panic|exit|signal [--fail-task I]`: makes one child fail on
//! purpose, to show that the parent reports how it ended (`waitpid`'s
//! status), still reaps it, and still gets the other children's results.
//!
//! Python's `p.join()` says nothing about how a child ended; `p.exitcode`
//! holds it afterwards (`1` after an exception, `-9` after SIGKILL).

use crate::children;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, value_parser};
use nix::sys::signal::{Signal, raise};

/// The exit status `--fail exit` leaves with.
pub const EXIT_STATUS: i32 = 3;

/// How the chosen child fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Its task panics (the child catches the unwind and exits with 101).
    Panic,
    /// It exits with status 3, as `sys.exit(3)` would.
    Exit,
    /// It is killed by SIGKILL, as by `kill -9` or the OOM killer.
    Signal,
}

/// Which child fails, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// How the child fails.
    pub kind: Kind,
    /// Which task, from 0.
    pub task: usize,
}

/// The two flags, which every mode takes.
pub fn args() -> [Arg; 2] {
    [
        Arg::new("fail")
            .long("fail")
            .value_name("KIND")
            .help("Make one child fail on purpose: panic, exit (status 3) or signal (SIGKILL)")
            .value_parser(["panic", "exit", "signal"]),
        Arg::new("fail-task")
            .long("fail-task")
            .value_name("I")
            .help("Which child --fail applies to, from 0")
            .value_parser(value_parser!(u64))
            .default_value("1"),
    ]
}

/// Reads the flags; `tasks` is how many children the run makes. A
/// `--fail-task` outside `0..tasks` is a usage error.
pub fn from_matches(matches: &ArgMatches, tasks: usize) -> Result<Option<Fault>, String> {
    let kind = match matches.get_one::<String>("fail").map(String::as_str) {
        None if matches.value_source("fail-task") == Some(ValueSource::CommandLine) => {
            return Err("--fail-task only applies with --fail panic|exit|signal".to_string());
        }
        None => return Ok(None),
        Some("panic") => Kind::Panic,
        Some("exit") => Kind::Exit,
        Some(_) => Kind::Signal,
    };
    let task = matches.get_one::<u64>("fail-task").copied().unwrap_or(1);
    match usize::try_from(task) {
        Ok(task) if task < tasks => Ok(Some(Fault { kind, task })),
        _ => Err(format!(
            "--fail-task {task} is out of range: this run has {}, numbered 0 to {}",
            demo_kit::work::count(tasks, "child", "children"),
            tasks - 1
        )),
    }
}

/// Called by every child at the point where its task could fail: the
/// chosen child fails there, the others return and carry on.
pub fn strike(fault: Option<Fault>, task: usize) {
    let Some(fault) = fault.filter(|f| f.task == task) else {
        return;
    };
    match fault.kind {
        Kind::Panic => panic!("failing on purpose (--fail panic)"),
        Kind::Exit => children::exit_child(EXIT_STATUS),
        Kind::Signal => {
            // SIGKILL cannot be caught: the child ends here, mid-task.
            let _ = raise(Signal::SIGKILL);
            // Not reached; if the signal could not be sent, fail anyway.
            children::exit_child(EXIT_STATUS)
        }
    }
}
