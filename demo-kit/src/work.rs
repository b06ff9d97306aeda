//! The CPU-bound work that `threads-demo cpu` and `process-demo cpu` share:
//! one kernel, one way to split its range between workers, the default size,
//! and the timing helpers, so that both demos time exactly the same thing.
//!
//! Standard library only.

use std::hint::black_box;
use std::ops::Range;
use std::time::Instant;

/// Default `--size` of both `cpu` subcommands: about half a second of
/// sequential work in a release build on the 2-core machine the demos were
/// written on (measured: see the demos' READMEs), so that three rounds of
/// every way stay a short run.
pub const DEFAULT_SIZE: u64 = 1_000_000_000;

/// Default `--rounds`: every way is timed this many times and the best
/// (smallest) time is reported, which filters out a noisy machine.
pub const DEFAULT_ROUNDS: u64 = 3;

/// The kernel: the wrapping sum of `i * i` over `range`.
///
/// `black_box(i)` hides each `i` from the optimiser, so it can neither
/// replace the loop by the closed formula `n(n-1)(2n-1)/6` nor vectorise it.
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
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64() * 1e3)
}

/// `base_ms / other_ms` to two decimals, finite even for a run too short to measure.
pub fn speedup(base_ms: f64, other_ms: f64) -> f64 {
    round2(base_ms / other_ms.max(1e-3))
}

/// `x` to two decimals, as the JSON summary shows times.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
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
    fn kernel_matches_the_formula() {
        for n in [0, 1, 2, 3, 10, 12_345, 3_000_000] {
            assert_eq!(sum_of_squares(0..n), formula(n), "n = {n}");
        }
    }

    #[test]
    fn kernel_wraps_instead_of_overflowing() {
        // 2^32 + k squared overflows u64; wrapping keeps the low 64 bits.
        let (low, high) = (1u64 << 32, (1u64 << 32) + 5000);
        let exact: u128 = (u128::from(low)..u128::from(high)).map(|i| i * i).sum();
        assert_eq!(sum_of_squares(low..high), exact as u64);
    }

    #[test]
    fn parts_add_up_to_the_whole_even_when_wrapping() {
        let offset = 1u64 << 32;
        let whole = sum_of_squares(offset..offset + 5000);
        let parts = split(5000, 7)
            .into_iter()
            .map(|r| sum_of_squares(r.start + offset..r.end + offset))
            .fold(0u64, u64::wrapping_add);
        assert_eq!(parts, whole);
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

    #[test]
    fn timing_and_speedup() {
        let (value, ms) = timed(|| 6 * 7);
        assert_eq!(value, 42);
        assert!(ms >= 0.0);
        assert_eq!(speedup(10.0, 5.0), 2.0);
        assert_eq!(speedup(2.0, 3.0), 0.67);
        assert!(speedup(10.0, 0.0).is_finite());
        assert_eq!(round2(1.23456), 1.23);
    }
}
