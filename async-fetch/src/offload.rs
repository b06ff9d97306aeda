//! `async-fetch offload`: CPU-bound work on the loop, and off it.
//!
//! A heartbeat task asks to wake every `--beat-ms` and records how late each
//! wake-up was. Round one runs `--tasks` CPU jobs inside ordinary async
//! tasks: they never await, so on a `current_thread` runtime the heartbeat
//! waits for all of them. Round two hands the same jobs to
//! `tokio::task::spawn_blocking`, tokio's pool of threads for blocking work
//! (Python: `loop.run_in_executor(None, job)`), and the heartbeat stays on time.
//!
//! The analogy has two limits. Python's default executor is a thread pool,
//! so pure-Python CPU jobs there still take turns on the GIL (a process pool
//! escapes it); Rust's threads run on every core. And tokio documents
//! `spawn_blocking` for blocking calls: for much CPU-heavy work it points to
//! a bounded pool such as rayon, since its own pool grows to hundreds of
//! threads. Three jobs are fine here.
//!
//! Each job is a fixed amount of work, not a fixed time: at start the run
//! measures how many sums of squares one millisecond buys on this machine,
//! and each job does `--delay-ms` worth. So offloaded jobs that outnumber the
//! cores share them and take longer (3 jobs on 2 cores: about 1.5 × one job),
//! as real CPU work would.

use crate::blocking::{rebase, round2};
use crate::timed;
use clap::{Arg, ArgMatches, Command, value_parser};
use demo_kit::work::sum_of_squares;
use demo_kit::{Clock, Common, Span, Summary, say};
use futures::future::join_all;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::{Instant, sleep_until};

/// Where a CPU job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Inside an async task, on the loop's thread.
    Inline,
    /// On tokio's blocking pool (`spawn_blocking`).
    Offloaded,
}

/// `offload`, with its `--beat-ms` (the common flags are added by `main`).
pub fn command() -> Command {
    Command::new("offload")
        .about("CPU-bound work stalls a heartbeat task; spawn_blocking (run_in_executor) keeps it on time")
        .long_about(
            "Runs --tasks CPU jobs, each --delay-ms worth of work on this machine (calibrated at start),\n\
             while a heartbeat task wakes every --beat-ms:\n\
             first inside async tasks (they never await, so the loop stalls), then with\n\
             tokio::task::spawn_blocking (Python: loop.run_in_executor). Prints how late the heartbeat was.",
        )
        .arg(
            Arg::new("beat-ms")
                .long("beat-ms")
                .value_name("MS")
                .help("How often the heartbeat wants to wake, in milliseconds")
                .value_parser(value_parser!(u64).range(1..=10_000))
                .default_value("100"),
        )
}

/// CPU-bound work: the sum of squares over `0..size` (threads-demo's `cpu`
/// kernel). A fixed amount of work: it takes longer when it must share a core.
/// It never awaits.
fn cpu_job(size: u64) -> u64 {
    sum_of_squares(0..size)
}

/// How many terms of [`sum_of_squares`] one millisecond of one core computes
/// here: the median of five timed runs of at least 20 ms each, so that one
/// busy (or unusually quiet) moment does not set the size of every job.
fn terms_per_ms() -> u64 {
    let mut size = 100_000u64;
    while demo_kit::work::timed(|| cpu_job(size)).1 < 20.0 && size < u64::MAX / 4 {
        size *= 2;
    }
    let mut runs: Vec<f64> = (0..5)
        .map(|_| demo_kit::work::timed(|| cpu_job(size)).1)
        .collect();
    runs.sort_by(f64::total_cmp);
    ((size as f64 / runs[runs.len() / 2].max(1e-3)) as u64).max(1)
}

/// Wakes every `every` until `stop`, returning how late each wake-up was, in ms.
async fn heartbeat(every: Duration, stop: Arc<AtomicBool>) -> Vec<f64> {
    let mut lags = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let due = Instant::now() + every;
        sleep_until(due).await;
        lags.push(Instant::now().saturating_duration_since(due).as_secs_f64() * 1e3);
    }
    lags
}

/// What one round measured.
struct Round {
    wall_ms: f64,
    lags: Vec<f64>,
    spans: Vec<Span>,
    failed: usize,
}

impl Round {
    fn max_lag(&self) -> f64 {
        self.lags.iter().copied().fold(0.0, f64::max)
    }
}

/// One round: the heartbeat, then the jobs where `place` says, all awaited.
async fn round(clock: Clock, common: &Common, size: u64, every: Duration, place: Place) -> Round {
    let start_ms = clock.ms();
    let stop = Arc::new(AtomicBool::new(false));
    let beat = tokio::spawn(heartbeat(every, Arc::clone(&stop)));
    let jobs: Vec<_> = (0..common.tasks)
        .map(|i| {
            let job = async move {
                match place {
                    // An async task that never awaits: it keeps its thread until done.
                    Place::Inline => Ok(cpu_job(size)),
                    // `await loop.run_in_executor(None, job)`: the task awaits, the pool works.
                    Place::Offloaded => tokio::task::spawn_blocking(move || cpu_job(size)).await,
                }
            };
            tokio::spawn(timed(clock, i, job))
        })
        .collect();
    let mut spans = Vec::new();
    let mut failed = 0;
    for joined in join_all(jobs).await {
        match joined {
            Ok((Ok(_), span)) => spans.push(span),
            Ok((Err(err), _)) | Err(err) => {
                demo_kit::error(format_args!("a CPU job failed: {err}"));
                failed += 1;
            }
        }
    }
    let wall_ms = clock.ms() - start_ms;
    stop.store(true, Ordering::Relaxed);
    let lags = match beat.await {
        Ok(lags) => lags,
        Err(err) => {
            demo_kit::error(format_args!("the heartbeat task failed: {err}"));
            failed += 1;
            Vec::new()
        }
    };
    Round {
        wall_ms,
        lags,
        spans,
        failed,
    }
}

/// Runs both rounds and prints the heartbeat's lateness in each.
pub async fn run(clock: Clock, common: Common, matches: &ArgMatches) -> ExitCode {
    let beat_ms = matches.get_one::<u64>("beat-ms").copied().unwrap_or(100);
    let every = Duration::from_millis(beat_ms);
    let per_ms = terms_per_ms();
    let size = per_ms.saturating_mul(common.delay_ms);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    say!(
        "{} CPU jobs of about {} ms each ({size} sums of squares; one core does {per_ms} per ms here); \
         a heartbeat task wants to wake every {beat_ms} ms.",
        common.tasks,
        common.delay_ms
    );
    say!("Inline: the jobs run inside async tasks, on the loop's thread");
    let inline = round(clock, &common, size, every, Place::Inline).await;
    report_round(&inline);
    say!("Offloaded: the jobs run on spawn_blocking's threads (Python: loop.run_in_executor)");
    let offloaded = round(clock, &common, size, every, Place::Offloaded).await;
    report_round(&offloaded);
    say!(
        "Worst heartbeat delay: {:.1} ms inline, {:.1} ms offloaded.",
        inline.max_lag(),
        offloaded.max_lag()
    );
    // The pool starts every job at once, but only `cores` of them compute at
    // a time. Inline, each job had a thread to itself from start to end, so
    // its shortest span there is what one job costs right now.
    let one_job_ms = inline
        .spans
        .iter()
        .map(Span::duration_ms)
        .fold(f64::INFINITY, f64::min);
    say!(
        "Offloaded, {} jobs shared {cores} cores: {:.2} s, {:.2} × one job (its best inline: {:.2} s); \
         with the cores to themselves, expect about {:.2} ×.",
        common.tasks,
        offloaded.wall_ms / 1e3,
        offloaded.wall_ms / one_job_ms.max(1e-3),
        one_job_ms / 1e3,
        common.tasks as f64 / common.tasks.clamp(1, cores) as f64
    );
    if common.timeline {
        let axis_ms = inline.wall_ms.max(offloaded.wall_ms);
        for (name, r) in [("Inline:", &inline), ("Offloaded:", &offloaded)] {
            say!("{name}");
            say!("{}", demo_kit::timeline::render(&rebase(&r.spans), axis_ms));
        }
    }

    // The charts above replace the single one `finish` would draw.
    let flags = Common {
        timeline: false,
        ..common
    };
    let failed = inline.failed.max(offloaded.failed).min(common.tasks);
    Summary::new("async-fetch", "offload", &flags, 0.0)
        .with("beat_ms", beat_ms)
        .with("job_size", size)
        .with("cores", cores)
        .with("inline_max_lag_ms", round2(inline.max_lag()))
        .with("offloaded_max_lag_ms", round2(offloaded.max_lag()))
        .with("inline_ms", round2(inline.wall_ms))
        .with("offloaded_ms", round2(offloaded.wall_ms))
        .finish(clock, inline.spans, failed)
}

/// The round's wall time and the heartbeat's delays, the large ones one by one.
fn report_round(round: &Round) {
    let late: Vec<String> = round
        .lags
        .iter()
        .filter(|&&lag| lag >= 10.0)
        .map(|lag| format!("{lag:.0}"))
        .collect();
    let mut sorted = round.lags.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    say!(
        "  jobs done in {:.2} s; heartbeat wake-ups: {}, median delay {median:.1} ms, worst {:.1} ms",
        round.wall_ms / 1e3,
        round.lags.len(),
        round.max_lag()
    );
    if !late.is_empty() {
        say!("  late wake-ups (ms): {}", late.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpu_job_is_a_fixed_amount_of_work() {
        // 0² + 1² + 2² + 3² = 14, whatever the clock says.
        assert_eq!(cpu_job(4), 14);
        assert_eq!(cpu_job(1000), 332_833_500);
    }

    #[test]
    fn the_calibration_scales_with_the_work() {
        let per_ms = terms_per_ms();
        assert!(per_ms > 1000, "{per_ms}");
        // 50 ms worth takes at least a few ms (never a fixed-time cut-off).
        let (_, ms) = demo_kit::work::timed(|| cpu_job(per_ms * 50));
        assert!(ms > 10.0, "{ms}");
    }
}
