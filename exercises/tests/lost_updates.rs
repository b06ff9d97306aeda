//! Exercise 1: every increment of a shared counter counts, under real
//! contention (more threads than cores, each incrementing many times).

mod common;

use common::within;
use exercises::lost_updates::{count_atomic, count_mutex};
use std::time::Duration;

/// Enough threads and increments that a load-then-store loses updates on
/// every run, even on 2 cores.
const THREADS: usize = 8;
const PER_THREAD: u64 = 500_000;
const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn atomic_counter_counts_every_increment() {
    let got = within(LIMIT, "count_atomic", || count_atomic(THREADS, PER_THREAD));
    let expected = THREADS as u64 * PER_THREAD;
    assert_eq!(
        got,
        expected,
        "{THREADS} threads × {PER_THREAD} increments: expected {expected}, got {got} \
         ({} updates lost: a thread stored over another's increment)",
        expected.saturating_sub(got)
    );
}

#[test]
fn mutex_counter_counts_every_increment() {
    let got = within(LIMIT, "count_mutex", || count_mutex(THREADS, PER_THREAD));
    let expected = THREADS as u64 * PER_THREAD;
    assert_eq!(
        got,
        expected,
        "{THREADS} threads × {PER_THREAD} increments: expected {expected}, got {got} \
         ({} updates lost: the lock was let go between the read and the write)",
        expected.saturating_sub(got)
    );
}
