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
//!
//! The signature is done: the body is yours.

/// Wraps `f` so that each call of the result calls `f` until it returns
/// `Ok`, at most `attempts` times (at least once, even for 0), and returns
/// that `Ok` or the last `Err`. Each call of the wrapper starts its count
/// afresh.
pub fn retry<T, E>(
    mut f: impl FnMut() -> Result<T, E>,
    attempts: usize,
) -> impl FnMut() -> Result<T, E> {
    // TODO: return a closure (`move || …`) that calls `f` until it gives
    //   `Ok`, at most `attempts` times (0 counts as 1), and returns the `Ok`
    //   or the last `Err`.
    move || todo!("call f, and again if it failed, up to `attempts` times")
}
