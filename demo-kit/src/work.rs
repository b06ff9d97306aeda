//! The CPU-bound work that `threads-demo cpu` and `process-demo cpu` share:
//! one kernel, one way to split its range between workers, the default size,
//! the timing helpers and the start of their JSON summary, so that both demos
//! time exactly the same thing and report it the same way.
//!
//! The kernel uses the standard library only; the timing (on a [`Clock`]),
//! the flag and the summary use the rest of demo-kit.

use crate::{Clock, Common, Summary};
use clap::{Arg, ArgMatches, value_parser};
use std::hint::black_box;
use std::ops::Range;

/// Default `--size` of both `cpu` subcommands: about half a second of
/// sequential work in a release build on the 2-core machine the demos were
/// written on (measured: see docs/notes/), so that three rounds of
/// every way stay a short run.
pub const DEFAULT_SIZE: u64 = 1_000_000_000;

/// The default `--size` of this build: [`DEFAULT_SIZE`], or 20 times less
/// in a build without optimisations (`cfg!(debug_assertions)`), where the
/// kernel runs many times slower (a new user's debug `threads-demo cpu` took
/// 43 s at the full size).
pub fn default_size() -> u64 {
    if cfg!(debug_assertions) {
        DEFAULT_SIZE / 20
    } else {
        DEFAULT_SIZE
    }
}

/// In a build without optimisations, says in one line of narrative that its
/// timings mean little, and the command (for package `package`) to time it properly.
pub fn note_debug_build(package: &str) {
    if cfg!(debug_assertions) {
        crate::say!(
            "Note: this is a debug build (no optimisations): its timings mean little, and the \
             default size is 20 times smaller. Time it with \
             `cargo run --release -p {package} -- cpu`."
        );
    }
}

/// Below this sequential time (ms) a run is too short for its speedup to mean
/// anything: starting threads or processes costs more than the work.
pub const MIN_TIMED_MS: f64 = 1.0;

/// `speedup` as text: `"1.93x"`, or `"too short to time"` when the
/// sequential run took less than [`MIN_TIMED_MS`]. (The JSON keeps the number.)
pub fn speedup_text(sequential_ms: f64, speedup: f64) -> String {
    if sequential_ms < MIN_TIMED_MS {
        "too short to time".to_string()
    } else {
        format!("{speedup:.2}x")
    }
}

/// `"1 process"`, `"2 processes"`: `n` and the word that fits it.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Default `--rounds`: every way is timed this many times and the best
/// (smallest) time is reported, which filters out a noisy machine.
pub const DEFAULT_ROUNDS: u64 = 3;

/// The flags both `cpu` subcommands take: `--size N` (the sum runs over
/// `0..N`), `--workers N` up to `max_workers` (`what` names the workers in
/// the help: "threads", "child processes") and `--rounds N`.
pub fn cpu_args(what: &str, max_workers: u64) -> [Arg; 3] {
    let default_size = if cfg!(debug_assertions) {
        format!(
            "{} in this debug build, {DEFAULT_SIZE} in release",
            default_size()
        )
    } else {
        DEFAULT_SIZE.to_string()
    };
    [
        Arg::new("size")
            .long("size")
            .value_name("N")
            .help(format!("Sum i*i for i in 0..N [default: {default_size}]"))
            // at most a few minutes of work, not hours
            .value_parser(value_parser!(u64).range(1..=100_000_000_000)),
        Arg::new("workers")
            .long("workers")
            .value_name("N")
            .help(format!("How many {what} [default: one per core]"))
            .value_parser(value_parser!(u64).range(1..=max_workers)),
        Arg::new("rounds")
            .long("rounds")
            .value_name("N")
            .help(format!(
                "Time every way N times, back to back, and keep the best [default: {DEFAULT_ROUNDS}]"
            ))
            .value_parser(value_parser!(u64).range(1..=100)),
    ]
}

/// The value of `--rounds`, or [`DEFAULT_ROUNDS`].
pub fn rounds(matches: &ArgMatches) -> u64 {
    matches
        .get_one::<u64>("rounds")
        .copied()
        .unwrap_or(DEFAULT_ROUNDS)
}

/// The kernel: the wrapping sum of `i * i` over `range`.
///
/// `black_box(i)` hides each `i` from the optimiser, which in practice keeps
/// it from replacing the loop by the closed formula `n(n-1)(2n-1)/6` or
/// vectorising it (`black_box` is documented as best-effort: a hint, not a
/// guarantee; the timings, not the hint, show that the loop ran).
/// `#[inline(never)]` keeps one compiled copy, so a sequential run and a
/// parallel one execute exactly the same machine code and differ only in
/// how the range is split.
#[inline(never)]
pub fn sum_of_squares(range: Range<u64>) -> u64 {
    let mut sum = 0u64;
    for i in range {
        let i = black_box(i);
        sum = sum.wrapping_add(i.wrapping_mul(i));
    }
    sum
}

/// `0..size` cut into `parts` adjacent ranges (at least one) whose lengths
/// differ by at most 1; part `k` is `split(size, parts)[k]`.
///
/// Wrapping addition is associative and commutative, so the sum of the
/// parts' sums equals the sum over the whole range, whatever the split.
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

/// Runs `f` and returns its value and how long it took, in milliseconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let clock = Clock::start();
    (f(), clock.ms())
}

/// `base_ms / other_ms` to two decimals, finite even for a run too short to measure.
pub fn speedup(base_ms: f64, other_ms: f64) -> f64 {
    round2(base_ms / other_ms.max(1e-3))
}

/// `x` to two decimals, as the JSON summary shows times.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `"best of 3 rounds"`: how both demos say which time they report.
pub fn best_of(rounds: u64) -> String {
    format!("best of {}", count(rounds as usize, "round", "rounds"))
}

/// Says in one line of narrative when `speedup` is more than `parallelism`
/// (the number of workers that can run at once: the smaller of workers and
/// cores) can give, with 5% to spare. Such a figure is not real: it means the
/// sequential pass itself was slowed by other work on the machine in every
/// round. A run too short to time (`sequential_ms` under [`MIN_TIMED_MS`])
/// gets no note.
pub fn note_implausible(sequential_ms: f64, speedup: f64, parallelism: usize) {
    let limit = parallelism.max(1) as f64;
    if sequential_ms >= MIN_TIMED_MS && speedup > limit * 1.05 {
        crate::say!(
            "Note: {speedup:.2}x is more than {limit:.0} core(s) can give; the machine slowed \
             the sequential pass in every round. Try more --rounds on a quieter machine."
        );
    }
}

/// What both `cpu` variants report first, from the rounds they ran.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CpuRun {
    /// `--size`: the sum ran over `i*i` for `i` in `0..size`.
    pub size: u64,
    /// How many threads or processes shared the work.
    pub workers: usize,
    /// How many rounds ran (fewer than `--rounds` when one failed).
    pub rounds: u64,
    /// The checked result, or `None` if a part of it is missing.
    pub result: Option<u64>,
    /// The best sequential time over the rounds.
    pub sequential_ms: f64,
}

impl CpuRun {
    /// The start of a `cpu` variant's JSON summary: the workers are its
    /// tasks, nothing waits (`delay_ms` 0), `ideal_ms` is the sequential time
    /// shared evenly by the workers, and the fields `size`, `workers`,
    /// `rounds`, `result` (`null` if missing) and `sequential_ms`. The caller
    /// adds its parallel times and speedups, and finishes it with the spans.
    pub fn summary(&self, demo: &str, common: &Common) -> Summary {
        let workers = Common {
            tasks: self.workers,
            delay_ms: 0,
            ..*common
        };
        let ideal_ms = self.sequential_ms / self.workers.max(1) as f64;
        Summary::new(demo, "cpu", &workers, ideal_ms)
            .with("size", self.size)
            .with("workers", self.workers)
            .with("rounds", self.rounds)
            .with("result", self.result)
            .with("sequential_ms", round2(self.sequential_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed formula, reduced mod 2^64 like the wrapping sum.
    fn formula(n: u64) -> u64 {
        let n = u128::from(n);
        (n.saturating_sub(1) * n * (2 * n).saturating_sub(1) / 6) as u64
    }

    #[test]
    fn kernel_matches_the_formula_and_wraps_instead_of_overflowing() {
        // From 5,000,000 on, the sum no longer fits in a u64.
        for n in [0, 1, 2, 3, 10, 12_345, 5_000_000] {
            assert_eq!(sum_of_squares(0..n), formula(n), "n = {n}");
        }
    }

    #[test]
    fn split_covers_the_range_once_in_near_equal_parts() {
        for (size, parts) in [
            (10, 3),
            (3, 5),
            (0, 2),
            (7, 7),
            (7, 1),
            (1_000_000_007, 2),
            (1_000_003, 16),
            (u64::MAX, 4),
        ] {
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
        assert_eq!(split(5, 0), vec![0..5], "zero parts means one");
    }
}
