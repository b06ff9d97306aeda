//! The event loop itself: which runtime runs the futures, and how Ctrl-C ends a run.
//!
//! asyncio runs one loop on one thread (`asyncio.run` makes it, runs `main`
//! to the end, closes it). tokio's `current_thread` runtime is that model:
//! every task takes turns on the thread that called `block_on`. Its
//! `multi_thread` runtime is Rust's extra: one loop per core with work
//! stealing, so tasks spawned with `tokio::spawn` can run at the same time on
//! different cores. That pays when tasks do real work between awaits (parse,
//! compress, hash); for tasks that only wait, as here, one thread is enough.

use clap::{Arg, ArgMatches};
use futures::future::{Either, select};
use std::io::Write;
use std::pin::pin;
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};

/// Exit code after Ctrl-C: 128 + SIGINT, as a shell reports a process ended by it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Which tokio scheduler runs the futures (`--runtime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// One thread runs every task: asyncio's model, and the default.
    Current,
    /// A worker thread per core steals tasks from the others.
    Multi,
}

/// The `--runtime current|multi` flag, which every mode takes.
pub fn runtime_arg() -> Arg {
    Arg::new("runtime")
        .long("runtime")
        .value_name("FLAVOR")
        .help("current: one thread runs every task, like asyncio's loop; multi: a worker per core")
        .value_parser(["current", "multi"])
        .default_value("current")
}

impl Flavor {
    pub fn from_matches(matches: &ArgMatches) -> Self {
        match matches.get_one::<String>("runtime").map(String::as_str) {
            Some("multi") => Flavor::Multi,
            _ => Flavor::Current,
        }
    }

    /// Builds the runtime: what `#[tokio::main(flavor = "current_thread")]`
    /// (or `#[tokio::main]` for `Multi`) expands to.
    pub fn build(self) -> std::io::Result<Runtime> {
        let mut builder = match self {
            Flavor::Current => Builder::new_current_thread(),
            Flavor::Multi => Builder::new_multi_thread(),
        };
        builder.enable_all().build()
    }
}

/// Runs `work` to the end, or until Ctrl-C arrives (then `None`).
///
/// Dropping `work` cancels the futures it owns, such as those inside a
/// `join_all`, as asyncio cancels its tasks. It does not cancel what was
/// `tokio::spawn`ed: dropping a `JoinHandle` only detaches its task, and
/// `spawn_blocking` work cannot be cancelled at all. Those end because
/// [`interrupted`] then ends the whole process.
///
/// The Ctrl-C future is polled first, so its handler is in place before
/// `work` prints anything. If no handler can be installed the run simply
/// goes on without one.
pub async fn until_ctrl_c<T>(work: impl Future<Output = T>) -> Option<T> {
    // `unconstrained`, for the scale: tokio makes a task yield after ~128
    // polls of timers and other resources, so that it cannot starve others.
    // `work` is `main`, and the simulated port's `join_all` polls every fetch
    // inside it: at 10,000 fetches the forced yields made the last one end
    // ~50 ms late (docs/notes/async-fetch.md). Tasks it spawns keep their budget.
    let work = tokio::task::unconstrained(work);
    match select(pin!(tokio::signal::ctrl_c()), pin!(work)).await {
        Either::Left((Ok(()), _)) => None,
        Either::Left((Err(_), work)) => Some(work.await),
        Either::Right((value, _)) => Some(value),
    }
}

/// Says the run was interrupted and ends the process with
/// [`EXIT_INTERRUPTED`], at once: no JSON summary (the run did not finish;
/// asyncio raises `KeyboardInterrupt`), and no waiting for blocking threads
/// or for a local server's graceful shutdown, which the OS ends with the process.
pub fn interrupted(clock: demo_kit::Clock) -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "Interrupted by Ctrl-C after {:.2} s: the unfinished tasks were cancelled.",
        clock.elapsed().as_secs_f64()
    );
    let _ = std::io::stdout().flush();
    std::process::exit(i32::from(EXIT_INTERRUPTED))
}

/// Registers one timer for `delay` from now and lets the runtime park once,
/// so that its timer driver knows its next deadline before many sleeps
/// arrive. tokio 1.54 (`runtime/time/mod.rs`, `reregister`) wakes its driver,
/// a write to an eventfd, for each new timer due before the next deadline it
/// knows, and before its first park it knows none. Joined futures are all
/// first polled in one go, so each of 100,000 sleeps made that system call
/// (0.17 s of CPU time for the run, against 0.12 s without them, measured
/// with `/usr/bin/time`); the later sleeps are due no earlier than this
/// one, so none makes it now.
pub async fn let_the_timer_know(delay: Duration) {
    let mut marker = pin!(tokio::time::sleep(delay));
    std::future::poll_fn(|cx| {
        let _registered = marker.as_mut().poll(cx);
        std::task::Poll::Ready(())
    })
    .await;
    tokio::task::yield_now().await; // the runtime parks once, reading the deadline
}
