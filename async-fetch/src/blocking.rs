//! `async-fetch blocking`: the mistake asyncio warns about, measured.
//!
//! An `async fn` that calls a blocking function (`std::thread::sleep`, the
//! twin of Python's `time.sleep` inside `async def`) never yields: on a
//! `current_thread` runtime it holds the loop's only thread, so the "concurrent"
//! fetches run one after another (≈ tasks × delay). The same fetches with
//! `tokio::time::sleep(..).await` yield and overlap (≈ delay). Both rounds
//! spawn one task per fetch, as `asyncio.gather` wraps each coroutine in a Task.

use crate::{timed, website};
use clap::Command;
use demo_kit::{Clock, Common, Span, Summary, say};
use futures::future::join_all;
use std::time::Duration;

/// How a fetch waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// `std::thread::sleep`: the thread stops, and with it the loop.
    Blocking,
    /// `tokio::time::sleep(..).await`: the task stops; the loop runs others.
    Cooperative,
}

/// `blocking` (the common flags are added by `main`).
pub fn command() -> Command {
    Command::new("blocking")
        .about("A blocking sleep inside an async fn serialises the tasks; an awaited sleep does not")
        .long_about(
            "Runs the fetches twice on the event loop: first with std::thread::sleep inside the async fn\n\
             (Python: time.sleep inside async def), then with tokio::time::sleep(..).await\n\
             (Python: await asyncio.sleep). Prints when each task finished, and both totals.",
        )
}

/// One fetch: announce, wait the way `wait` says, announce with the finish time.
async fn fetch_data(url: String, delay: Duration, wait: Wait, clock: Clock, round_start_ms: f64) {
    say!("  Fetching data from {url}...");
    match wait {
        // `time.sleep(2)` inside `async def`: no await, so no chance to switch.
        Wait::Blocking => std::thread::sleep(delay),
        Wait::Cooperative => tokio::time::sleep(delay).await,
    }
    let at = (clock.ms() - round_start_ms) / 1e3;
    say!("  Finished fetching data from {url} (at {at:.2} s).");
}

/// One round: a task per fetch, all spawned, then awaited in order.
/// Returns the round's wall time, the spans, and how many tasks failed.
async fn round(clock: Clock, common: &Common, wait: Wait) -> (f64, Vec<Span>, usize) {
    let start_ms = clock.ms();
    let delay = common.delay();
    let handles: Vec<_> = (0..common.tasks)
        .map(|i| {
            let url = website(i);
            tokio::spawn(timed(
                clock,
                i,
                fetch_data(url, delay, wait, clock, start_ms),
            ))
        })
        .collect();
    let mut spans = Vec::with_capacity(handles.len());
    let mut failed = 0;
    for joined in join_all(handles).await {
        match joined {
            Ok(((), span)) => spans.push(span),
            Err(err) => {
                demo_kit::error(format_args!("a task failed: {err}"));
                failed += 1;
            }
        }
    }
    (clock.ms() - start_ms, spans, failed)
}

/// Runs both rounds and prints them side by side.
pub async fn run(clock: Clock, common: Common) -> std::process::ExitCode {
    say!("Blocking: std::thread::sleep inside the async fn (Python: time.sleep in async def)");
    let (blocking_ms, blocking_spans, blocking_failed) =
        round(clock, &common, Wait::Blocking).await;
    say!("  {} tasks in {:.2} s.", common.tasks, blocking_ms / 1e3);
    say!("Cooperative: tokio::time::sleep(..).await (Python: await asyncio.sleep)");
    let (cooperative_ms, cooperative_spans, cooperative_failed) =
        round(clock, &common, Wait::Cooperative).await;
    say!("  {} tasks in {:.2} s.", common.tasks, cooperative_ms / 1e3);
    say!(
        "The blocking version took {:.1}× as long: a thread stuck in a sleep runs no other task.",
        blocking_ms / cooperative_ms.max(f64::MIN_POSITIVE)
    );
    if common.timeline {
        let axis_ms = blocking_ms.max(cooperative_ms);
        say!("Blocking:");
        say!(
            "{}",
            demo_kit::timeline::render(&rebase(&blocking_spans), axis_ms)
        );
        say!("Cooperative:");
        say!(
            "{}",
            demo_kit::timeline::render(&rebase(&cooperative_spans), axis_ms)
        );
    }

    // The two charts above replace the single one `finish` would draw.
    let flags = Common {
        timeline: false,
        ..common
    };
    Summary::new("async-fetch", "blocking", &flags, common.delay_ms as f64)
        .with("blocking_ms", round2(blocking_ms))
        .with("cooperative_ms", round2(cooperative_ms))
        .finish(
            clock,
            blocking_spans,
            blocking_failed.max(cooperative_failed),
        )
}

/// The spans measured from the start of their own round, so two rounds share one axis.
pub(crate) fn rebase(spans: &[Span]) -> Vec<Span> {
    let origin = spans
        .iter()
        .map(|s| s.start_ms)
        .fold(f64::INFINITY, f64::min);
    spans
        .iter()
        .map(|s| Span {
            task: s.task,
            start_ms: s.start_ms - origin,
            end_ms: s.end_ms - origin,
        })
        .collect()
}

/// Milliseconds to two decimals, as the summary prints its own fields.
pub(crate) fn round2(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}
