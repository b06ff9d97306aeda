//! `threads-demo shared`: every thread adds to one counter that they all share.
//!
//! Python threads can all read and write one global, because they live in one
//! process. Rust threads can too, but the compiler insists the sharing be
//! explicit and safe: the counter lives behind an `Arc` (so each thread holds
//! an owning pointer to the same value) and is an `AtomicU64` (so two threads
//! adding at the same moment cannot lose an update). A plain `u64` shared
//! this way does not compile.
//!
//! ```text
//! cargo run -p threads-demo -- shared
//! ```
//!
//! The contrast is `process-demo isolation`: there each child process gets
//! its own copy of the value, and the parent never sees the children's changes.

use clap::Command;
use demo_kit::{Clock, Common, Summary, say};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// How many times each thread adds 1. Many small updates, made while the
/// other threads make theirs, are what would expose a lost update.
pub const ADDS_PER_THREAD: u64 = 1000;

/// The subcommand's flags (only the common ones).
pub fn command() -> Command {
    Command::new("shared")
        .about("Every thread adds to one shared counter (threads share memory)")
        .long_about(
            "Every thread waits, then adds 1 to one shared counter, 1000 times.\n\
             Python: a global that every threading.Thread updates.\n\
             Compare `process-demo isolation`, where each process has its own copy.",
        )
}

/// One thread's work: the article's task, plus its share of the counting.
fn task(name: usize, delay: std::time::Duration, counter: &AtomicU64) {
    say!("Thread {name}: Starting...");
    thread::sleep(delay);
    for _ in 0..ADDS_PER_THREAD {
        // `fetch_add` is one indivisible read-add-write, so no update is lost.
        // `Relaxed` is enough: the counter publishes nothing else, and
        // `join()` below makes every thread's additions visible to `main`.
        // (A `Mutex<u64>` would also be correct, and is the tool once one
        // update must change several values together; for one number an
        // atomic does the same job without a lock.)
        counter.fetch_add(1, Ordering::Relaxed);
    }
    say!("Thread {name}: Finishing.");
}

/// Runs the variant: start every thread and join them as the port does
/// (`start_and_join` in `main.rs`), then compare the counter with
/// what it must be. A mismatch (it cannot happen with an atomic) is a failed run.
pub fn run(clock: Clock, common: &Common) -> ExitCode {
    let delay = common.delay();
    // One counter; each thread gets a clone of the `Arc`, i.e. another owner
    // of the same counter, not a copy of it.
    let counter = Arc::new(AtomicU64::new(0));
    let (spans, failed) = crate::start_and_join(clock, common.tasks, |i| {
        let counter = Arc::clone(&counter);
        move || task(i, delay, &counter)
    });
    say!("All threads have finished.");

    let total = counter.load(Ordering::Relaxed);
    let expected = common.tasks as u64 * ADDS_PER_THREAD;
    say!(
        "Shared counter: {total} (expected {expected} = {} threads x {ADDS_PER_THREAD} additions).",
        common.tasks
    );
    if total == expected {
        say!("All threads changed the same memory: threads of one process share it.");
    } else {
        say!(
            "The threads did not all change this counter: did each get a copy (`move` of a `u64`)?"
        );
    }
    say!(
        "Contrast: `cargo run -p process-demo -- isolation`, where each process has its own copy."
    );

    let code = Summary::new("threads-demo", "shared", common, common.delay_ms as f64)
        .with("counter", total)
        .with("expected", expected)
        .finish(clock, spans, failed);
    if total != expected {
        demo_kit::error(format_args!("the counter is {total}, expected {expected}"));
        return ExitCode::from(demo_kit::cli::EXIT_FAILED);
    }
    code
}
