//! Exercise 6: `retry(f, attempts)` calls `f` until it succeeds, at most
//! `attempts` times, and returns the success or the last error.

mod common;

use common::within;
use exercises::retry::retry;
use std::cell::Cell;
use std::time::Duration;

/// Bounds each test: a retry loop that never stops fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn a_success_on_the_third_try_is_returned() {
    let (result, calls) = within(LIMIT, "retry", || {
        let calls = Cell::new(0);
        // Fails twice (Err(1), Err(2)), then answers Ok(3).
        let flaky = || {
            calls.set(calls.get() + 1);
            if calls.get() < 3 {
                Err(calls.get())
            } else {
                Ok(calls.get())
            }
        };
        let result = retry(flaky, 5)();
        (result, calls.get())
    });
    assert_eq!(
        result,
        Ok(3),
        "fails twice then succeeds, 5 attempts: expected Ok(3), got {result:?}"
    );
    assert_eq!(
        calls, 3,
        "expected 3 calls (no more after the success), got {calls}"
    );
}

#[test]
fn after_the_last_attempt_the_last_error_is_returned() {
    let (result, calls) = within(LIMIT, "retry", || {
        let calls = Cell::new(0);
        let always_fails = || {
            calls.set(calls.get() + 1);
            Err::<(), _>(format!("failure {}", calls.get()))
        };
        let result = retry(always_fails, 4)();
        (result, calls.get())
    });
    assert_eq!(
        calls, 4,
        "always fails, 4 attempts: expected 4 calls, got {calls}"
    );
    assert_eq!(
        result,
        Err("failure 4".to_string()),
        "expected the last error, got {result:?}"
    );
}

#[test]
fn zero_attempts_still_tries_once() {
    let calls = within(LIMIT, "retry", || {
        let calls = Cell::new(0);
        let fails = || {
            calls.set(calls.get() + 1);
            Err::<(), ()>(())
        };
        let _ = retry(fails, 0)();
        calls.get()
    });
    assert_eq!(
        calls, 1,
        "retry(f, 0): expected f called once, got {calls} calls"
    );
}

#[test]
fn each_call_of_the_wrapped_function_starts_afresh() {
    let (results, calls) = within(LIMIT, "retry", || {
        let calls = Cell::new(0);
        // Succeeds on every third call: 3, 6, 9, …
        let every_third = || {
            calls.set(calls.get() + 1);
            if calls.get() % 3 == 0 {
                Ok(calls.get())
            } else {
                Err(calls.get())
            }
        };
        let mut fetch = retry(every_third, 3);
        let results = [fetch(), fetch()];
        (results, calls.get())
    });
    assert_eq!(
        results,
        [Ok(3), Ok(6)],
        "two calls of the wrapped function, each allowed 3 attempts: expected [Ok(3), Ok(6)], got {results:?}"
    );
    assert_eq!(calls, 6, "expected 6 calls in all, got {calls}");
}
