//! Exercise 6, a decorator of your own: `retry(f, attempts)` takes a function
//! that may fail and gives back a new function that tries it up to
//! `attempts` times.
//!
//! The article's decorators are functions that take a function and return a
//! wrapped one (`@timer` around `slow_function`). A Python `retry` decorator
//! would loop in its `wrapper`, catch the exception and try again, and
//! re-raise the last one. In Rust the same shape is a function that takes a
//! closure and returns a closure (`impl FnMut`), and a failure is an `Err`
//! value rather than an exception, so nothing needs catching.

/// Wraps `f` so that each call of the result calls `f` until it returns
/// `Ok`, at most `attempts` times (at least once, even for 0), and returns
/// that `Ok` or the last `Err`. Each call of the wrapper starts its count
/// afresh.
pub fn retry<T, E>(
    mut f: impl FnMut() -> Result<T, E>,
    attempts: usize,
) -> impl FnMut() -> Result<T, E> {
    let attempts = attempts.max(1);
    move || {
        let mut tried = 1;
        loop {
            match f() {
                Ok(value) => return Ok(value),
                Err(err) if tried >= attempts => return Err(err),
                Err(_) => tried += 1,
            }
        }
    }
}
