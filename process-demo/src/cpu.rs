//! `process-demo cpu [--size N] [--workers N]`: the article's "split the
//! dataset and have a separate process perform calculations on each part".
//!
//! The sum of `i * i` for `i` in `0..size` (wrapping `u64` arithmetic, the
//! same kernel as `threads-demo cpu`) is computed once in this process, then
//! again split into one contiguous range per child. Each child sends its
//! partial sum back over the pipe; the parent adds the partial sums, checks
//! the total against the sequential one, and prints both times and the
//! speedup. This is what `multiprocessing.Pool.map` does for Python, where
//! it is the way around the GIL; Rust threads would do the same without
//! forking (`threads-demo cpu`).

use crate::children::Children;
use crate::fault::{self, Fault};
use clap::{Arg, ArgMatches, Command, value_parser};
use demo_kit::{Clock, Common, Summary, say};
use serde_json::Value;
use std::hint::black_box;
use std::ops::Range;
use std::process::ExitCode;
use std::time::Instant;

/// About one second of sequential work in a release build on the 2-core
/// machine this was written on (measured: see the README).
pub const DEFAULT_SIZE: u64 = 1_500_000_000;
/// [`DEFAULT_SIZE`] as clap's default text (clap's builder takes a `&'static str`).
const DEFAULT_SIZE_TEXT: &str = "1500000000";

/// The largest `--size` accepted (about 20 minutes of sequential work).
pub const MAX_SIZE: u64 = 1_000_000_000_000;

/// The largest `--workers` accepted, the same cap as `--tasks`.
pub const MAX_WORKERS: u64 = crate::MAX_TASKS;

/// The subcommand's flags (the common ones follow it; `--tasks` is not used:
/// `--workers` says how many children).
pub fn command() -> Command {
    Command::new("cpu")
        .about("A CPU-bound sum split across child processes, partial sums sent over a pipe")
        .long_about(
            "Sums i*i for i in 0..SIZE once in this process, then split across WORKERS child \
             processes that send their partial sums over a pipe; prints both times and the \
             speedup.\n\
             Python: multiprocessing.Pool(workers).map(partial_sum, chunks).",
        )
        .arg(
            Arg::new("size")
                .long("size")
                .value_name("N")
                .help("How many squares to add up")
                .value_parser(value_parser!(u64).range(1..=MAX_SIZE))
                .default_value(DEFAULT_SIZE_TEXT),
        )
        .arg(
            Arg::new("workers")
                .long("workers")
                .value_name("N")
                .help("How many child processes [default: the number of CPUs]")
                .value_parser(value_parser!(u64).range(1..=MAX_WORKERS)),
        )
}

/// The subcommand's own values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `--size`.
    pub size: u64,
    /// `--workers`, or the number of CPUs this process may use.
    pub workers: usize,
}

impl Options {
    /// Reads `--size` and `--workers`.
    pub fn from_matches(matches: &ArgMatches) -> Result<Self, String> {
        let size = matches
            .get_one::<u64>("size")
            .copied()
            .unwrap_or(DEFAULT_SIZE);
        let workers = match matches.get_one::<u64>("workers") {
            Some(&n) => usize::try_from(n).map_err(|_| format!("--workers {n} is too large"))?,
            // Reads the CPU count and affinity mask; it starts no thread.
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };
        Ok(Self { size, workers })
    }
}

/// The CPU-bound kernel: the sum of `i * i` over `range`, wrapping on
/// overflow. `black_box` keeps the compiler from replacing the loop with
/// the closed formula `n(n-1)(2n-1)/6` (or vectorising it); `inline(never)`
/// keeps one compiled copy, so the sequential run and the children run the
/// same machine code.
#[inline(never)]
pub fn sum_of_squares(range: Range<u64>) -> u64 {
    let mut sum = 0u64;
    for i in range {
        let i = black_box(i);
        sum = sum.wrapping_add(i.wrapping_mul(i));
    }
    sum
}

/// Worker `w`'s share of `0..size`: contiguous, sizes differing by at most one.
pub fn chunk(size: u64, workers: usize, w: usize) -> Range<u64> {
    let bound = |k: usize| (u128::from(size) * k as u128 / workers.max(1) as u128) as u64;
    bound(w)..bound(w + 1)
}

/// Runs the variant.
pub fn run(clock: Clock, common: &Common, options: Options, fault: Option<Fault>) -> ExitCode {
    let Options { size, workers } = options;

    let started = Instant::now();
    let expected = sum_of_squares(0..size);
    let sequential_ms = ms_since(started);
    say!("Sequential: sum of i*i for i in 0..{size} = {expected} in {sequential_ms:.1} ms");

    let started = Instant::now();
    let mut children = match Children::new(clock) {
        Ok(children) => children,
        Err(err) => return crate::fail(err),
    };
    for w in 0..workers {
        let range = chunk(size, workers, w);
        children.spawn(w, || {
            fault::strike(fault, w);
            sum_of_squares(range)
        });
    }
    let reaped = children.wait_all();
    let processes_ms = ms_since(started);

    for record in reaped.records() {
        let range = chunk(size, workers, record.span.task);
        say!(
            "Process {}: sum over {}..{} = {} in {:.1} ms",
            record.span.task,
            range.start,
            range.end,
            record.value,
            record.span.duration_ms()
        );
    }
    let mut failed = reaped.failed();
    let mut result = Value::Null;
    if failed > 0 {
        demo_kit::error(format_args!(
            "the total is incomplete: {failed} of {workers} partial sums are missing"
        ));
    } else {
        let total = reaped
            .records()
            .fold(0u64, |sum, r| sum.wrapping_add(r.value));
        say!("{workers} processes: total = {total} in {processes_ms:.1} ms");
        if total == expected {
            say!("Check: the total matches the sequential sum");
        } else {
            demo_kit::error(format_args!(
                "the processes' total {total} differs from the sequential sum {expected}"
            ));
            failed += 1;
        }
        result = total.into();
    }
    let speedup = sequential_ms / processes_ms.max(f64::MIN_POSITIVE);
    say!("Speedup: {speedup:.2}x with {workers} processes");

    let mut summary = Summary::new("process-demo", "cpu", common)
        .with("size", size)
        .with("workers", workers)
        .with("result", result)
        .with("sequential_ms", round2(sequential_ms))
        .with("processes_ms", round2(processes_ms))
        .with("processes_speedup", round2(speedup));
    // As in `threads-demo cpu`: the tasks are the workers, and nothing waits.
    summary.tasks = workers;
    summary.delay_ms = 0;
    summary.ideal_ms = sequential_ms / workers as f64;
    summary.elapsed_ms = clock.ms();
    summary.ok = reaped.ok();
    summary.failed = failed;
    summary.spans = reaped.spans();
    summary.report(common)
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed formula, reduced mod 2^64 like the wrapping sum.
    fn formula(n: u64) -> u64 {
        let n = u128::from(n);
        let exact = n.saturating_sub(1) * n * (2 * n).saturating_sub(1) / 6;
        exact as u64
    }

    #[test]
    fn default_size_text_is_the_default_size() {
        assert_eq!(DEFAULT_SIZE_TEXT.parse(), Ok(DEFAULT_SIZE));
    }

    #[test]
    fn kernel_agrees_with_the_formula() {
        for n in [0, 1, 2, 3, 10, 12_345, 3_000_000] {
            assert_eq!(sum_of_squares(0..n), formula(n), "n = {n}");
        }
    }

    #[test]
    fn kernel_wraps_instead_of_overflowing() {
        let big = 5_000_000_000u64;
        let square = big.wrapping_mul(big);
        assert_eq!(sum_of_squares(big..big + 1), square);
        assert_eq!(
            sum_of_squares(big..big + 2),
            square.wrapping_add((big + 1).wrapping_mul(big + 1))
        );
    }

    #[test]
    fn chunks_cover_the_range_once() {
        for (size, workers) in [(10, 3), (7, 7), (3, 5), (1_000_000_007, 2), (u64::MAX, 4)] {
            let chunks: Vec<_> = (0..workers).map(|w| chunk(size, workers, w)).collect();
            assert_eq!(chunks[0].start, 0);
            assert_eq!(chunks[workers - 1].end, size);
            for pair in chunks.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
            let lengths: Vec<u64> = chunks.iter().map(|c| c.end - c.start).collect();
            let (min, max) = (lengths.iter().min(), lengths.iter().max());
            assert!(max.zip(min).is_some_and(|(max, min)| max - min <= 1));
        }
    }
}
