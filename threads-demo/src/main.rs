//! Three threads that each wait two seconds, started together and joined:
//! the article's `threading.Thread` example, ported to `std::thread`.
//!
//! ```text
//! cargo run -p threads-demo
//! ```
//!
//! ```text
//! Thread 0: Starting...
//! Thread 1: Starting...
//! Thread 2: Starting...
//! Thread 1: Finishing.      (order varies)
//! Thread 0: Finishing.
//! Thread 2: Finishing.
//! All threads have finished.
//! ```
//!
//! The whole run takes about 2 s, not 6 s: while one thread sleeps the
//! others sleep too. Beyond the port, `shared` has every thread update one
//! counter (threads share memory; compare `process-demo isolation`) and `cpu`
//! shows CPU-bound work running in parallel, which Python's GIL prevents.

mod cpu;
mod shared;

use clap::Command;
use demo_kit::{Clock, Common, Limits, Span, Summary, say};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// The article's `task(name)`: announce, wait as if for the network, announce.
fn task(name: usize, delay: Duration) {
    say!("Thread {name}: Starting...");
    thread::sleep(delay); // `time.sleep(2)`: this thread blocks; the others run on
    say!("Thread {name}: Finishing.");
}

/// The article's main block: start every thread, then join each one.
fn run_threads(clock: Clock, common: &Common) -> ExitCode {
    let delay = common.delay();
    // `target=task, args=(i,)`: thread `i` runs `task(i, delay)`.
    let (spans, failed) = start_and_join(clock, common.tasks, |i| move || task(i, delay));
    say!("All threads have finished.");
    // Not in the article, which only claims it: the three 2 s waits overlapped.
    say!("Elapsed: {:.2} seconds.", clock.elapsed().as_secs_f64());

    Summary::new("threads-demo", "threads", common, common.delay_ms as f64)
        .finish(clock, spans, failed)
}

/// Starts `tasks` threads, thread `i` running `target(i)`, then joins them
/// all. Returns the spans of the threads that finished and how many failed.
/// (`shared` starts its threads with it too.)
///
/// Python's `t.join()` cannot report a crash inside the thread; Rust's
/// `join()` returns the thread's result, or `Err` if it panicked, so a
/// failed task is counted instead of lost.
fn start_and_join<F>(
    clock: Clock,
    tasks: usize,
    mut target: impl FnMut(usize) -> F,
) -> (Vec<Span>, usize)
where
    F: FnOnce() + Send + 'static,
{
    let mut threads = Vec::with_capacity(tasks);
    let mut refused = demo_kit::Refused::new("thread", "threads");
    demo_kit::narration::begin(tasks); // above 10 threads: the first lines and a count
    for i in 0..tasks {
        // `threading.Thread(target=task, args=(i,)).start()`. `Builder::spawn`
        // rather than `thread::spawn`, so that a thread the OS refuses (try
        // `ulimit -v 300000` first) is an error message, not a panic.
        let body = target(i);
        match thread::Builder::new().spawn(move || clock.span(i, body)) {
            Ok(handle) => threads.push(handle),
            Err(err) => refused.note(i, &err),
        }
    }
    refused.report(tasks, threads.len());
    let mut spans: Vec<Span> = Vec::with_capacity(threads.len());
    let mut failed = refused.count();
    for handle in threads {
        // `t.join()`
        match handle.join() {
            Ok(((), span)) => spans.push(span),
            Err(_) => failed += 1, // the panic message was already printed by the thread
        }
    }
    demo_kit::narration::end();
    (spans, failed)
}

/// At most this many threads (`--tasks`, also for `shared`). Each thread
/// takes 4 memory mappings (its stack and guard page, its signal stack and
/// guard page), and Linux allows 65,530 per process (`vm.max_map_count`).
/// Measured: 16,300 threads ran, 16,400 did not: a new thread could not map
/// its signal stack, and the Rust runtime aborts the whole process for that
/// (exit 134), which no `Builder::spawn` error can catch. 10,000 leaves room.
const LIMITS: Limits = Limits {
    max_tasks: 10_000,
    ..Limits::DEFAULT
};

fn command() -> Command {
    Command::new("threads-demo")
        .about("Ports the article's threading.Thread example to std::thread")
        .long_about(
            "Ports the article's threading.Thread example: N threads each wait, then are joined.\n\
             Python: threading.Thread(target=task, args=(i,)).start(), then t.join().\n\
             --tasks is at most 10000: each thread takes 4 memory mappings and Linux allows \
             65530 per process (vm.max_map_count); past about 16300 threads the Rust runtime \
             aborts the whole process when a new thread cannot map its signal stack.",
        )
        .args(Common::args(LIMITS))
        .subcommand(shared::command().args(Common::args(LIMITS)))
        .subcommand(cpu::command())
}

fn main() -> ExitCode {
    let clock = Clock::start();
    let matches = demo_kit::cli::parse(command());
    let (mode, leaf) = matches.subcommand().unwrap_or(("", &matches));
    let common = Common::from_matches(leaf);
    common.set_narration();
    match mode {
        "shared" => shared::run(clock, &common),
        "cpu" => cpu::run(clock, &common, leaf),
        _ => run_threads(clock, &common),
    }
}
