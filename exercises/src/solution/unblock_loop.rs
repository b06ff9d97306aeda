//! Exercise 5, unblock the loop: a heartbeat must keep ticking on the event
//! loop while a CPU-heavy job runs.
//!
//! The article: the asyncio loop is one thread that runs one task at a time,
//! and a task gives the loop back only at an `await`; CPU-bound work belongs
//! in another thread or process, via `loop.run_in_executor()`. Tokio is the
//! same on a current-thread runtime: a job that never awaits holds the only
//! thread, and every other task (timers included) waits for it. Tokio's
//! `run_in_executor` is `spawn_blocking`: the job runs on a separate pool of
//! threads and the loop only awaits its result. (For many CPU jobs at once,
//! a rayon pool with a oneshot channel back is the other usual answer.)

use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// What one run measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What the job computed: how many rounds of arithmetic it did.
    pub job_result: u64,
    /// How many times the heartbeat ticked while the job ran.
    pub beats: usize,
    /// The longest stretch without a heartbeat, from the start of the run
    /// to its end: about the period when the loop is free, about the whole
    /// job when the job blocks it.
    pub worst_gap: Duration,
}

/// A CPU-heavy job that never awaits: rounds of integer arithmetic for
/// `duration`, returning how many rounds it did. It stands in for parsing,
/// hashing or resizing images; timed by the clock so that it lasts as long
/// in a debug build as in a release one.
pub fn busy_work(duration: Duration) -> u64 {
    let started = Instant::now();
    let (mut rounds, mut x) = (0_u64, 1_u64);
    while started.elapsed() < duration {
        for _ in 0..1_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        rounds += 1;
    }
    std::hint::black_box(x); // keep the arithmetic from being optimised away
    rounds
}

/// Ticks every `period` until `stop` fires, and returns when each tick came.
pub async fn heartbeat(period: Duration, mut stop: oneshot::Receiver<()>) -> Vec<Instant> {
    let mut beats = Vec::new();
    // A sleep that the stop signal cuts short: `timeout` gives up on `stop`
    // after one period, and that is a beat.
    while tokio::time::timeout(period, &mut stop).await.is_err() {
        beats.push(Instant::now());
    }
    beats
}

/// Runs [`heartbeat`] as a task on the current runtime while
/// [`busy_work`]`(job)` runs, and reports how steady the heartbeat was.
pub async fn job_with_heartbeat(job: Duration, period: Duration) -> Report {
    let started = Instant::now();
    let (stop, stopped) = oneshot::channel();
    let beating = tokio::spawn(heartbeat(period, stopped));

    // The job runs on tokio's blocking pool; this task only awaits it, which
    // leaves the loop free to run the heartbeat meanwhile.
    let job_result = match tokio::task::spawn_blocking(move || busy_work(job)).await {
        Ok(result) => result,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    };

    let _ = stop.send(()); // fails only if the heartbeat already ended
    let beats = match beating.await {
        Ok(beats) => beats,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    };
    report(started, job_result, &beats)
}

/// The longest gap between `started`, each beat and now.
fn report(started: Instant, job_result: u64, beats: &[Instant]) -> Report {
    let ended = Instant::now();
    let times: Vec<Instant> = [started]
        .into_iter()
        .chain(beats.iter().copied())
        .chain([ended])
        .collect();
    let worst_gap = times
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .max()
        .unwrap_or_default();
    Report {
        job_result,
        beats: beats.len(),
        worst_gap,
    }
}
