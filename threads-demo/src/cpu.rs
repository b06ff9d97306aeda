//! `threads-demo cpu`: CPU-bound work, where Python threads do not help and
//! Rust threads do.
//!
//! The article says the GIL lets only one Python thread run at a time, so
//! threads suit waiting (I/O), not computing. Rust has no GIL. Here one
//! kernel, the sum of `i * i` over a range, runs three ways:
//!
//! 1. sequentially, on one thread, over `0..size`;
//! 2. on `std::thread::scope` threads, one per core, each over its own slice of the range;
//! 3. with rayon, whose pool splits the work and balances it between its threads.
//!
//! The three results must be equal (a mismatch is a failed run, exit 1), and
//! the two parallel times are printed as speedups over the sequential one.
//!
//! ```text
//! cargo run --release -p threads-demo -- cpu
//! cargo run --release -p threads-demo -- cpu --workers 1
//! ```
//!
//! ```text
//! Sum of i*i for i in 0..1500000000 (wrapping u64), 2 core(s) available.
//!   sequential (1 thread)               725.9 ms  result 2606953865443422848
//!   std::thread::scope (2 threads)      355.7 ms  result 2606953865443422848  speedup 2.04x
//!   rayon (2 threads)                   330.0 ms  result 2606953865443422848  speedup 2.20x
//! All three results are equal.
//! ```
//!
//! (One run on a 2-core machine; timings there wandered between about 1x and
//! 2x from run to run, see the README.)

use clap::{Arg, ArgMatches, Command, value_parser};
use demo_kit::{Clock, Common, Span, Summary, say};
use rayon::prelude::*;
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

/// Default `--size`: about 1 s sequentially in a release build on the
/// 2-core machine this demo was written on (see the README for the runs).
pub const DEFAULT_SIZE: u64 = 1_500_000_000;
/// The largest `--size` accepted (minutes of work, not hours).
pub const MAX_SIZE: u64 = 100_000_000_000;
/// The largest `--workers` accepted.
pub const MAX_WORKERS: u64 = 1024;

/// The subcommand's flags.
pub fn command() -> Command {
    Command::new("cpu")
        .about("CPU-bound work: sequential vs std::thread::scope vs rayon (no GIL)")
        .long_about(
            "Sums i*i over 0..size (wrapping u64) three ways: sequentially, on scoped threads\n\
             (one per core) and with rayon, checks the results agree and prints the speedups.\n\
             Python threads get about 1x on this kind of work because of the GIL.\n\
             --tasks and --delay-ms do not apply here. Build with --release to time it.",
        )
        .arg(
            Arg::new("size")
                .long("size")
                .value_name("N")
                .help("Sum i*i for i in 0..N [default: about 1 s of work]")
                .value_parser(value_parser!(u64).range(1..=MAX_SIZE)),
        )
        .arg(
            Arg::new("workers")
                .long("workers")
                .value_name("N")
                .help("Threads for the parallel runs [default: one per core]")
                .value_parser(value_parser!(u64).range(1..=MAX_WORKERS)),
        )
}

/// The kernel every variant runs: the wrapping sum of `i * i` over `range`.
///
/// `black_box(i)` hides each `i` from the optimiser, so it can neither
/// replace the loop by a closed formula nor vectorise it. `#[inline(never)]`
/// keeps one compiled copy, so the sequential and the parallel runs execute
/// exactly the same machine code and differ only in how the range is split.
#[inline(never)]
pub fn sum_of_squares(range: Range<u64>) -> u64 {
    let mut sum = 0u64;
    for i in range {
        let i = black_box(i);
        sum = sum.wrapping_add(i.wrapping_mul(i));
    }
    sum
}

/// `0..size` cut into `parts` adjacent ranges whose lengths differ by at most 1.
///
/// Wrapping addition is associative and commutative, so the sum of the parts'
/// sums equals the sum over the whole range, whatever the split.
pub fn split(size: u64, parts: usize) -> Vec<Range<u64>> {
    let parts = parts.max(1) as u64;
    let (base, extra) = (size / parts, size % parts);
    let mut start = 0;
    (0..parts)
        .map(|k| {
            let end = start + base + u64::from(k < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// One scoped thread per part: the threads may borrow from this function
/// because `scope` joins them all before it returns.
///
/// Returns the combined result (or `None` if a thread could not start or
/// panicked) and each thread's span.
fn with_scoped_threads(clock: Clock, size: u64, workers: usize) -> (Option<u64>, Vec<Span>) {
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(workers);
        let mut complete = true;
        for (i, range) in split(size, workers).into_iter().enumerate() {
            match thread::Builder::new()
                .spawn_scoped(scope, move || clock.span(i, || sum_of_squares(range)))
            {
                Ok(handle) => handles.push(handle),
                Err(err) => {
                    demo_kit::error(format_args!("could not start thread {i}: {err}"));
                    complete = false;
                }
            }
        }
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

/// The same kernel on a rayon pool of `workers` threads.
///
/// The range is cut into more pieces than there are threads, so a thread that
/// finishes early steals another piece (rayon's work stealing) instead of
/// idling. The more usual `(0..size).into_par_iter().map(|i| i * i).sum()`
/// would be a different loop, which the compiler may vectorise, so the
/// comparison would no longer be like for like.
fn with_rayon(size: u64, workers: usize) -> Result<u64, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|err| format!("could not start the rayon pool: {err}"))?;
    let pieces = split(size, workers.saturating_mul(16));
    Ok(pool.install(|| {
        pieces
            .into_par_iter()
            .map(sum_of_squares)
            .reduce(|| 0, u64::wrapping_add)
    }))
}

/// Runs `f` and returns its value and how long it took, in milliseconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64() * 1e3)
}

/// One row of the result table: how, on how many threads, how long, what result.
fn line(how: &str, threads: usize, ms: f64, result: Option<u64>, speedup: Option<f64>) {
    let plural = if threads == 1 { "" } else { "s" };
    let label = format!("{how} ({threads} thread{plural})");
    let result = result.map_or("failed (see above)".to_string(), |r| r.to_string());
    let speedup = speedup.map_or(String::new(), |x| format!("  speedup {x:.2}x"));
    say!("  {label:<32} {ms:>8.1} ms  result {result}{speedup}");
}

/// `base / other`, safe for a run too short to measure.
fn speedup(base_ms: f64, other_ms: f64) -> f64 {
    let ratio = base_ms / other_ms.max(1e-3);
    (ratio * 100.0).round() / 100.0
}

/// Runs the three variants, prints their times and speedups, and checks the results.
pub fn run(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let size = matches
        .get_one::<u64>("size")
        .copied()
        .unwrap_or(DEFAULT_SIZE);
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let workers = matches
        .get_one::<u64>("workers")
        .map_or(cores, |&w| usize::try_from(w).unwrap_or(cores));

    say!("Sum of i*i for i in 0..{size} (wrapping u64), {cores} core(s) available.");
    let (sequential, sequential_ms) = timed(|| sum_of_squares(0..size));
    line("sequential", 1, sequential_ms, Some(sequential), None);

    let ((threads, spans), threads_ms) = timed(|| with_scoped_threads(clock, size, workers));
    let threads_speedup = speedup(sequential_ms, threads_ms);
    line(
        "std::thread::scope",
        workers,
        threads_ms,
        threads,
        Some(threads_speedup),
    );

    let (rayon, rayon_ms) = timed(|| with_rayon(size, workers));
    let rayon_speedup = speedup(sequential_ms, rayon_ms);
    if let Err(err) = &rayon {
        demo_kit::error(err);
    }
    line(
        "rayon",
        workers,
        rayon_ms,
        rayon.as_ref().ok().copied(),
        Some(rayon_speedup),
    );

    let all_equal = threads == Some(sequential) && rayon.as_ref().ok() == Some(&sequential);
    if all_equal {
        say!("All three results are equal.");
    }
    say!(
        "Python threads get about 1x on this work: the GIL lets one thread at a time run Python code."
    );
    say!("Rust has no GIL, so each thread computes on its own core at the same time.");

    let mut summary = Summary::new("threads-demo", "cpu", common)
        .with("size", size)
        .with("workers", workers)
        .with("result", sequential)
        .with("sequential_ms", round2(sequential_ms))
        .with("threads_ms", round2(threads_ms))
        .with("rayon_ms", round2(rayon_ms))
        .with("threads_speedup", threads_speedup)
        .with("rayon_speedup", rayon_speedup);
    // Here the tasks are the workers, and nothing waits.
    summary.tasks = workers;
    summary.delay_ms = 0;
    summary.ideal_ms = sequential_ms / workers as f64;
    summary.elapsed_ms = clock.ms();
    summary.ok = spans.len();
    summary.failed = workers - spans.len();
    summary.spans = spans;
    let code = summary.report(common);
    if !all_equal {
        demo_kit::error(format_args!(
            "the results differ: sequential {sequential}, threads {threads:?}, rayon {rayon:?}"
        ));
        return ExitCode::from(demo_kit::cli::EXIT_FAILED);
    }
    code
}

fn round2(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_the_range_without_gaps() {
        for (size, parts) in [(10, 3), (3, 5), (0, 2), (1_000_003, 16), (7, 1)] {
            let ranges = split(size, parts);
            assert_eq!(ranges.len(), parts);
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges[parts - 1].end, size);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
            let lengths: Vec<u64> = ranges.iter().map(|r| r.end - r.start).collect();
            let (min, max) = (lengths.iter().min(), lengths.iter().max());
            assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{lengths:?}");
        }
    }

    #[test]
    fn kernel_matches_the_formula() {
        // sum of i^2 for i < n is (n-1) n (2n-1) / 6; small enough not to wrap.
        let n: u64 = 10_000;
        assert_eq!(sum_of_squares(0..n), (n - 1) * n * (2 * n - 1) / 6);
        assert_eq!(sum_of_squares(0..0), 0);
    }

    #[test]
    fn parts_add_up_to_the_whole_even_when_wrapping() {
        // 2^32 + k squared overflows u64, so this exercises wrapping.
        let size = (1u64 << 32) + 5000;
        let whole = sum_of_squares((1u64 << 32)..size);
        let parts = split(5000, 7)
            .into_iter()
            .map(|r| sum_of_squares((r.start + (1 << 32))..(r.end + (1 << 32))))
            .fold(0u64, u64::wrapping_add);
        assert_eq!(parts, whole);
        let exact: u128 = ((1u128 << 32)..u128::from(size)).map(|i| i * i).sum();
        assert_eq!(whole, exact as u64, "wrapping keeps the low 64 bits");
    }

    #[test]
    fn the_three_ways_agree() {
        let clock = Clock::start();
        let size = 100_001;
        let expected = sum_of_squares(0..size);
        let (threads, spans) = with_scoped_threads(clock, size, 3);
        assert_eq!(threads, Some(expected));
        assert_eq!(spans.len(), 3);
        assert_eq!(with_rayon(size, 2), Ok(expected));
    }

    #[test]
    fn speedup_survives_a_zero_time() {
        assert!(speedup(10.0, 0.0).is_finite());
        assert_eq!(speedup(10.0, 5.0), 2.0);
    }
}
