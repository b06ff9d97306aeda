//! `threads-demo cpu`: CPU-bound work, where Python threads do not help and
//! Rust threads do.
//!
//! The article says the GIL lets only one Python thread run at a time, so
//! threads suit waiting (I/O), not computing. Rust has no GIL. Here one
//! kernel, [`sum_of_squares`] over a range (shared with `process-demo cpu`
//! through `demo_kit::work`), runs three ways:
//!
//! 1. sequentially, on one thread, over `0..size`;
//! 2. on `std::thread::scope` threads, one per core, each over its own slice of the range;
//! 3. with rayon, whose pool splits the work and balances it between its threads.
//!
//! A shared machine is noisy: one pass can take half as long again as the
//! next. So the three ways run back to back in each of `--rounds` rounds
//! (3 by default), and the best (smallest) time of each way is the one
//! reported and used for the speedups. The three results must be equal in
//! every round (a mismatch is a failed run, exit 1).
//!
//! ```text
//! cargo run --release -p threads-demo -- cpu
//! cargo run --release -p threads-demo -- cpu --workers 1 --rounds 5
//! ```
//!
//! ```text
//! Sum of i*i for i in 0..1000000000 (wrapping u64), 2 core(s) available, best of 3 rounds.
//!   round 1: sequential 557.8 ms, scoped threads 356.0 ms, rayon 382.7 ms, results equal
//!   round 2: sequential 499.6 ms, scoped threads 402.3 ms, rayon 259.6 ms, results equal
//!   round 3: sequential 610.1 ms, scoped threads 457.4 ms, rayon 277.5 ms, results equal
//! The best of 3 rounds:
//!   sequential (1 thread)               499.6 ms  result 3338615082255021824
//!   std::thread::scope (2 threads)      356.0 ms  result 3338615082255021824  speedup 1.40x
//!   rayon (2 threads)                   259.6 ms  result 3338615082255021824  speedup 1.92x
//! All three results are equal.
//! ```
//!
//! (One run on a 2-core shared virtual machine, load average about 1;
//! see docs/notes/threads-demo.md for more runs.)

use clap::{ArgMatches, Command};
use demo_kit::Refused;
use demo_kit::work::{self, CpuRun, best_of, round2, split, sum_of_squares, timed};
use demo_kit::{Clock, Common, Span, say};
use rayon::prelude::*;
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::thread;

/// The largest `--workers` accepted.
pub const MAX_WORKERS: u64 = 1024;
/// `cpu` and every flag it takes; `--tasks` and `--delay-ms` do not apply to it.
pub fn command() -> Command {
    Command::new("cpu")
        .about("CPU-bound work: sequential vs std::thread::scope vs rayon (no GIL)")
        .long_about(
            "Sums i*i over 0..size (wrapping u64) three ways: sequentially, on scoped threads\n\
             (one per core) and with rayon, checks the results agree and prints the speedups.\n\
             Each round runs the three ways back to back; the best time of each way counts.\n\
             Python threads get about 1x on this kind of work on the default (GIL) CPython build.\n\
             --tasks and --delay-ms do not apply here (--workers, --size instead).\n\
             Build with --release to time it.",
        )
        .args(work::cpu_args("threads for the parallel runs", MAX_WORKERS))
        .args(Common::report_args())
}

/// One scoped thread per part: the threads may borrow from this function
/// because `scope` joins them all before it returns.
///
/// Returns the combined result (or `None` if a thread could not start or
/// panicked) and each thread's span.
fn with_scoped_threads(clock: Clock, size: u64, workers: usize) -> (Option<u64>, Vec<Span>) {
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(workers);
        let mut refused = Refused::new("thread", "threads");
        for (i, range) in split(size, workers).into_iter().enumerate() {
            match thread::Builder::new()
                .spawn_scoped(scope, move || clock.span(i, || sum_of_squares(range)))
            {
                Ok(handle) => handles.push(handle),
                Err(err) => refused.note(i, &err),
            }
        }
        refused.report(workers, handles.len());
        let mut complete = refused.count() == 0;
        let mut sum = 0u64;
        let mut spans = Vec::with_capacity(handles.len());
        for handle in handles {
            match handle.join() {
                Ok((part, span)) => {
                    sum = sum.wrapping_add(part);
                    spans.push(span);
                }
                Err(_) => complete = false,
            }
        }
        (complete.then_some(sum), spans)
    })
}

/// The same kernel on a rayon pool.
///
/// The range is cut into 16 pieces per thread, so a thread that finishes
/// early steals another piece (rayon's work stealing) instead of idling. The
/// more usual `(0..size).into_par_iter().map(|i| i * i).sum()` would be a
/// different loop, which the compiler may vectorise, so the comparison would
/// no longer be like for like.
fn with_rayon(pool: &rayon::ThreadPool, size: u64) -> u64 {
    let pieces = split(size, pool.current_num_threads().saturating_mul(16));
    pool.install(|| {
        pieces
            .into_par_iter()
            .map(sum_of_squares)
            .reduce(|| 0, u64::wrapping_add)
    })
}

/// The times of one way over the rounds so far.
#[derive(Clone, Copy, Debug)]
struct Best(f64);

impl Best {
    fn new() -> Self {
        Best(f64::INFINITY)
    }

    /// Keeps `ms` if it beats the best so far; says whether it did.
    fn keep(&mut self, ms: f64) -> bool {
        let better = ms < self.0;
        self.0 = self.0.min(ms);
        better
    }
}

/// One row of the result table: how, on how many threads, best time, what result.
fn line(how: &str, threads: usize, ms: f64, result: Option<u64>, speedup: Option<String>) {
    let label = format!("{how} ({})", work::count(threads, "thread", "threads"));
    let result = result.map_or("failed (see above)".to_string(), |r| r.to_string());
    let speedup = speedup.map_or(String::new(), |x| format!("  speedup {x}"));
    say!("  {label:<32} {ms:>8.1} ms  result {result}{speedup}");
}

/// What this run shows about Rust having no GIL, true whatever was measured.
fn no_gil_verdict(parallelism: usize, sequential_ms: f64, best_speedup: f64) -> String {
    if parallelism < 2 {
        "Rust has no GIL, so threads can compute on separate cores at once; with one \
         worker or one core there was nothing to run side by side (try more --workers)."
            .to_string()
    } else if sequential_ms < work::MIN_TIMED_MS {
        "Rust has no GIL, so threads can compute on separate cores at once; this run was too \
         short to show it (try a larger --size)."
            .to_string()
    } else if best_speedup >= 1.2 {
        format!(
            "Rust has no GIL: the threads computed on {parallelism} cores at once \
             ({best_speedup:.2}x)."
        )
    } else {
        format!(
            "Rust has no GIL, so threads can compute on separate cores at once, but this run \
             gained only {best_speedup:.2}x: other work was using the cores, or the work was \
             too small (try more --rounds or a larger --size)."
        )
    }
}

/// Runs the rounds, prints the best times and speedups, and checks the results.
pub fn run(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let size = matches
        .get_one::<u64>("size")
        .copied()
        .unwrap_or_else(work::default_size);
    let rounds = work::rounds(matches);
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let workers = matches
        .get_one::<u64>("workers")
        .map_or(cores, |&w| usize::try_from(w).unwrap_or(cores));
    // One pool for every round, started before any timing, as a program
    // would keep its pool; the scoped threads are started in every round.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|err| demo_kit::error(format_args!("could not start the rayon pool: {err}")))
        .ok();

    work::note_debug_build("threads-demo");
    say!(
        "Sum of i*i for i in 0..{size} (wrapping u64), {cores} core(s) available, {}.",
        best_of(rounds)
    );
    let (mut best_sequential, mut best_threads, mut best_rayon) =
        (Best::new(), Best::new(), Best::new());
    let (mut sequential, mut threads, mut rayon) = (0, None, None);
    let mut spans = Vec::new();
    let mut all_equal = true;
    let mut rounds_run = 0;
    for round in 1..=rounds {
        rounds_run = round;
        let (result, sequential_ms) = timed(|| sum_of_squares(0..size));
        let ((result_threads, round_spans), threads_ms) =
            timed(|| with_scoped_threads(clock, size, workers));
        let (result_rayon, rayon_ms) = timed(|| pool.as_ref().map(|pool| with_rayon(pool, size)));
        let equal = result_threads == Some(result) && result_rayon == Some(result);
        best_sequential.keep(sequential_ms);
        if best_threads.keep(threads_ms) || !equal {
            spans = round_spans;
        }
        best_rayon.keep(rayon_ms);
        let verdict = if equal {
            "results equal"
        } else {
            "RESULTS DIFFER"
        };
        say!(
            "  round {round}: sequential {sequential_ms:.1} ms, scoped threads {threads_ms:.1} ms, \
             rayon {rayon_ms:.1} ms, {verdict}"
        );
        (sequential, threads, rayon) = (result, result_threads, result_rayon);
        if !equal {
            all_equal = false;
            break; // the times of a failed round mean nothing; stop here
        }
    }

    let (sequential_ms, threads_ms, rayon_ms) = (best_sequential.0, best_threads.0, best_rayon.0);
    let threads_speedup = work::speedup(sequential_ms, threads_ms);
    let rayon_speedup = work::speedup(sequential_ms, rayon_ms);
    say!("The {}:", best_of(rounds_run));
    line("sequential", 1, sequential_ms, Some(sequential), None);
    let scoped = "std::thread::scope";
    let text = |speedup| Some(work::speedup_text(sequential_ms, speedup));
    line(scoped, workers, threads_ms, threads, text(threads_speedup));
    line("rayon", workers, rayon_ms, rayon, text(rayon_speedup));
    if all_equal {
        say!("All three results are equal.");
    }
    let parallelism = workers.min(cores);
    let best_speedup = threads_speedup.max(rayon_speedup);
    work::note_implausible(sequential_ms, best_speedup, parallelism);
    say!(
        "Python threads get about 1x on this work on the default CPython build: its GIL lets one thread at a time run Python code (the free-threaded build, 3.13t and later, has no GIL)."
    );
    say!(
        "{}",
        no_gil_verdict(parallelism, sequential_ms, best_speedup)
    );

    let run = CpuRun {
        size,
        workers,
        rounds: rounds_run,
        result: Some(sequential),
        sequential_ms,
    };
    // The spans are those of the fastest scoped-threads round.
    let failed = workers - spans.len();
    let code = run
        .summary("threads-demo", common)
        .with("threads_ms", round2(threads_ms))
        .with("rayon_ms", round2(rayon_ms))
        .with("threads_speedup", threads_speedup)
        .with("rayon_speedup", rayon_speedup)
        .finish(clock, spans, failed);
    if !all_equal {
        demo_kit::error(format_args!(
            "the results differ in round {rounds_run}: sequential {sequential}, \
             threads {threads:?}, rayon {rayon:?}"
        ));
        return ExitCode::from(demo_kit::cli::EXIT_FAILED);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_ways_agree() {
        let clock = Clock::start();
        let size = 100_001;
        let expected = sum_of_squares(0..size);
        let (threads, spans) = with_scoped_threads(clock, size, 3);
        assert_eq!(threads, Some(expected));
        assert_eq!(spans.len(), 3);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
        assert_eq!(
            pool.ok().map(|pool| with_rayon(&pool, size)),
            Some(expected)
        );
    }

    #[test]
    fn the_verdict_claims_only_what_was_measured() {
        let one = no_gil_verdict(1, 500.0, 1.0);
        assert!(one.contains("nothing to run side by side"), "{one}");
        let short = no_gil_verdict(2, 0.02, 0.0);
        assert!(short.contains("too short"), "{short}");
        let good = no_gil_verdict(2, 500.0, 1.9);
        assert!(good.contains("on 2 cores at once (1.90x)"), "{good}");
        let poor = no_gil_verdict(2, 500.0, 0.89);
        assert!(poor.contains("gained only 0.89x"), "{poor}");
    }

    #[test]
    fn best_keeps_the_smallest_time() {
        let mut best = Best::new();
        assert!(best.keep(5.0));
        assert!(!best.keep(7.0));
        assert!(best.keep(3.0));
        assert_eq!(best.0, 3.0);
    }
}
