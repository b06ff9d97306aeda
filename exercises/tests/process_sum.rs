//! Exercise 4: a sum split over forked children equals the sequential sum,
//! every child is reaped, and a child that dies is reported.
#![cfg(unix)]

mod common;

use common::within;
use exercises::process_sum::{SumError, parallel_sum, parallel_sum_with, sequential_sum};
use nix::errno::Errno;
use nix::sys::signal::{Signal, raise};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

/// One test at a time forks: the check for unreaped children looks at all
/// of this process's children.
static FORKING: Mutex<()> = Mutex::new(());

/// Takes the fork lock, then reaps zombies an earlier failed test may have
/// left, so that each test judges only its own children.
fn forking() -> MutexGuard<'static, ()> {
    let guard = FORKING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if status == WaitStatus::StillAlive {
            break;
        }
    }
    guard
}

/// Fails if this process has a child that was not waited for: a zombie
/// (ended, never reaped) or a child still running. Reaps what it finds, so
/// one failing test does not fail the next one.
fn assert_no_child_left() {
    match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        Err(Errno::ECHILD) => {} // no children at all: every one was reaped
        Ok(WaitStatus::StillAlive) => {
            let _ = waitpid(None, None);
            panic!("expected every child reaped, got a child still running that nobody waits for");
        }
        Ok(status) => {
            while waitpid(None, None).is_ok() {}
            panic!(
                "expected every child reaped, got a zombie (a child that ended and was never waited for): {status:?}"
            );
        }
        Err(err) => panic!("waitpid(-1, WNOHANG) failed: {err}"),
    }
}

#[test]
fn the_parallel_sum_equals_the_sequential_sum() {
    let _one_at_a_time = forking();
    for (count, children) in [(100_000u64, 4), (10, 4), (7, 3), (5, 8)] {
        let numbers: Vec<u64> = (1..=count).collect();
        let expected = sequential_sum(&numbers);
        let got = within(LIMIT, "parallel_sum", move || {
            parallel_sum(&numbers, children)
        });
        assert_eq!(
            got,
            Ok(expected),
            "1..={count} over {children} children: expected Ok({expected}), got {got:?}"
        );
        assert_no_child_left();
    }
}

/// Kills its own process (a child, here) when its slice holds 13.
fn die_on_13(slice: &[u64]) -> u64 {
    if slice.contains(&13) {
        // Async-signal-safe, and SIGKILL leaves no core file behind.
        let _ = raise(Signal::SIGKILL);
    }
    slice.iter().sum()
}

/// Exits with status 3 when its slice holds 13.
fn exit_on_13(slice: &[u64]) -> u64 {
    if slice.contains(&13) {
        // SAFETY: `_exit` is async-signal-safe and ends the (child) process.
        unsafe { libc::_exit(3) }
    }
    slice.iter().sum()
}

#[test]
fn a_child_killed_by_a_signal_is_reported_and_every_child_reaped() {
    let _one_at_a_time = forking();
    // 1..=40 over 4 children: slices of 10, and 13 is in the second (index 1).
    let numbers: Vec<u64> = (1..=40).collect();
    let got = within(LIMIT, "parallel_sum_with", move || {
        parallel_sum_with(&numbers, 4, die_on_13)
    });
    let expected = SumError::Killed {
        index: 1,
        signal: Signal::SIGKILL,
    };
    assert_eq!(
        got,
        Err(expected.clone()),
        "expected Err({expected:?}), got {got:?}"
    );
    assert_no_child_left();
}

#[test]
fn a_child_that_exits_with_an_error_is_reported_and_every_child_reaped() {
    let _one_at_a_time = forking();
    let numbers: Vec<u64> = (1..=40).collect();
    let got = within(LIMIT, "parallel_sum_with", move || {
        parallel_sum_with(&numbers, 4, exit_on_13)
    });
    let expected = SumError::Exited { index: 1, code: 3 };
    assert_eq!(
        got,
        Err(expected.clone()),
        "expected Err({expected:?}), got {got:?}"
    );
    assert_no_child_left();
}
