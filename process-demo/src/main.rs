//! Three child processes that each wait two seconds, started together and
//! waited for: the article's `multiprocessing.Process` example, ported to
//! `fork(2)` and `waitpid(2)` with the `nix` crate.
//!
//! ```text
//! cargo run -p process-demo
//! ```
//!
//! ```text
//! Process 0: Starting...
//! Process 1: Starting...
//! Process 2: Starting...
//! Process 0: Finishing.      (order varies)
//! Process 2: Finishing.
//! Process 1: Finishing.
//! All processes have finished.
//! ```
//!
//! The run takes about 2 s, not 6 s: the three processes wait side by side.
//! Beyond the port, `isolation` shows that each child changes its own copy
//! of a variable (compare `threads-demo shared`), `cpu` splits a CPU-bound
//! sum across children that send their partial sums back over a pipe, and
//! `--fail panic|exit|signal` makes one child fail so the parent reports how.
//! The fork hygiene (no thread at fork time, flush first, `_exit`, reap every
//! child) lives in `children.rs`.

#[cfg(unix)]
mod children;
#[cfg(unix)]
mod cpu;
#[cfg(unix)]
mod fault;
#[cfg(unix)]
mod isolation;

#[cfg(unix)]
use {
    children::Children,
    clap::{ArgMatches, Command},
    demo_kit::{Clock, Common, Limits, Summary, say},
    fault::Fault,
    std::process::ExitCode,
    std::thread,
    std::time::Duration,
};

/// The article's `task(name)`, run in a child process: announce, wait,
/// announce. (`thread::sleep` puts this process to sleep; it starts no thread.)
#[cfg(unix)]
fn task(name: usize, delay: Duration, fault: Option<Fault>) -> u64 {
    say!("Process {name}: Starting...");
    fault::strike(fault, name); // only under --fail: the chosen child fails here
    thread::sleep(delay); // `time.sleep(2)`
    say!("Process {name}: Finishing.");
    0
}

/// The article's `if __name__ == "__main__":` block: start every process,
/// then wait for each one.
///
/// `multiprocessing.Process(...).start()` is `fork()`: the child is a copy of
/// this process that goes on from the fork and runs `task`. `p.join()` is
/// `waitpid()`, which also tells us how the child ended and frees its entry
/// in the process table (without it the child stays a zombie).
#[cfg(unix)]
fn run_processes(clock: Clock, common: &Common, fault: Option<Fault>) -> ExitCode {
    let delay = common.delay();
    let mut children = match Children::new(clock, common.tasks) {
        Ok(children) => children,
        Err(err) => return fail(err),
    };
    demo_kit::narration::begin(common.tasks); // above 10 children: the first lines and a count
    for i in 0..common.tasks {
        // `p.start()`, which raises at the first refused fork: stop there too.
        if children.spawn(i, || task(i, delay, fault)).is_err() {
            break;
        }
        demo_kit::narration::reserve(2); // the two lines that child prints
    }
    let reaped = children.wait_all(); // `p.join()` for each
    demo_kit::narration::end();
    say!("All processes have finished.");
    // Not in the article, which only claims it: the three 2 s waits overlapped.
    say!("Elapsed: {:.2} seconds.", clock.elapsed().as_secs_f64());
    reaped.report_refused();

    Summary::new("process-demo", "processes", common, common.delay_ms as f64).finish(
        clock,
        reaped.spans(),
        reaped.failed(),
    )
}

/// Ends a run that could not start: one `error:` line, exit code 1.
#[cfg(unix)]
fn fail(message: impl std::fmt::Display) -> ExitCode {
    demo_kit::error(message);
    ExitCode::from(demo_kit::cli::EXIT_FAILED)
}

/// At most this many children: each is a whole process, and the process
/// table and `ulimit -u` are shared with everyone on the machine.
#[cfg(unix)]
const LIMITS: Limits = Limits {
    max_tasks: 1000,
    ..Limits::DEFAULT
};

#[cfg(unix)]
fn command() -> Command {
    Command::new("process-demo")
        .about("Ports the article's multiprocessing.Process example to fork/waitpid")
        .long_about(
            "Ports the article's multiprocessing.Process example: N child processes each wait, \
             then are waited for.\n\
             Python: multiprocessing.Process(target=task, args=(i,)).start(), then p.join().",
        )
        .args(Common::args(LIMITS))
        .args(fault::args())
        .subcommand(
            isolation::command()
                .args(Common::args(LIMITS))
                .args(fault::args()),
        )
        .subcommand(cpu::command().args(fault::args()))
}

/// The fault flags, checked against how many children the run makes.
#[cfg(unix)]
fn fault_for(matches: &ArgMatches, children: usize) -> Option<Fault> {
    fault::from_matches(matches, children).unwrap_or_else(|err| demo_kit::cli::usage_error(err))
}

#[cfg(unix)]
fn main() -> ExitCode {
    let clock = Clock::start();
    // clap parses on this thread and starts none: the process is still
    // single-threaded when the children are forked.
    let matches = demo_kit::cli::parse(command());
    let (mode, leaf) = matches.subcommand().unwrap_or(("", &matches));
    let common = Common::from_matches(leaf);
    common.set_narration();
    match mode {
        "isolation" => isolation::run(clock, &common, fault_for(leaf, common.tasks)),
        "cpu" => match cpu::Options::from_matches(leaf) {
            Ok(options) => {
                let fault = fault_for(leaf, options.workers);
                cpu::run(clock, &common, options, fault)
            }
            Err(err) => demo_kit::cli::usage_error(err),
        },
        _ => run_processes(clock, &common, fault_for(leaf, common.tasks)),
    }
}

/// Without `fork` there is nothing to demonstrate: Windows starts a process
/// from a fresh program (Python's "spawn" start method), never as a copy.
#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    demo_kit::error(
        "process-demo needs a Unix system (Linux, macOS, a BSD): it shows fork(2), \
         which Windows does not have; try it under WSL",
    );
    std::process::ExitCode::from(demo_kit::cli::EXIT_FAILED)
}
