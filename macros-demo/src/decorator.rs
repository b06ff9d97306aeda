//! A decorator is a function that takes a function and returns one: the two
//! plainer translations of the article's `timing_decorator`, beside which
//! the attribute [`#[timed]`](macro@crate::timed) can be judged.
//!
//! - [`timing_decorator`] is the Python, word for word: it takes a callable
//!   and returns a new callable that times the old one. It works on any
//!   closure at run time, but the result is a closure with one argument (a
//!   tuple for several), not a function with the original signature.
//! - [`timed_fn!`](crate::timed_fn) rewrites a function definition, like
//!   `#[timed]`, but with `macro_rules!` patterns: it accepts only the shape
//!   it spells out (no generics, no `self`, no `async`).
//! - `#[timed]` parses any function with `syn` and keeps all of it.

use std::time::{Duration, Instant};

/// The article's line: `'name' ran in 0.0123 seconds.`
pub fn report_line(name: &str, elapsed: Duration) -> String {
    format!("'{name}' ran in {:.4} seconds.", elapsed.as_secs_f64())
}

/// Prints the article's line through [`demo_kit::say!`] (stdout, or stderr
/// under `--json`): what [`timing_decorator`] and [`timed_fn!`](crate::timed_fn)
/// call after each call.
pub fn print_report(name: &str, elapsed: Duration) {
    demo_kit::say!("{}", report_line(name, elapsed));
}

/// Takes a function and returns a timed one, as Python's
/// `timing_decorator(func)` returns `wrapper`.
///
/// ```
/// use macros_demo::timing_decorator;
///
/// fn double(x: u64) -> u64 {
///     x * 2
/// }
/// // Python: `double = timing_decorator(double)`
/// let double = timing_decorator(double);
/// assert_eq!(double(21), 42); // also prints "'double' ran in 0.0000 seconds."
/// ```
///
/// Python reads the name from `func.__name__`; Rust functions carry no name
/// at run time, so it is taken from [`std::any::type_name`], whose exact text
/// the standard library does not promise (a closure is named `{{closure}}`).
pub fn timing_decorator<A, R>(func: impl Fn(A) -> R) -> impl Fn(A) -> R {
    let name = short_type_name(std::any::type_name_of_val(&func));
    move |args| {
        let start = Instant::now();
        let result = func(args);
        print_report(&name, start.elapsed());
        result
    }
}

/// `crate::module::double` becomes `double`.
fn short_type_name(full: &str) -> String {
    full.rsplit("::").next().unwrap_or(full).to_string()
}

/// Rewrites a function definition so that each call prints the article's
/// line: the `macro_rules!` version of [`#[timed]`](macro@crate::timed).
///
/// ```
/// macros_demo::timed_fn! {
///     /// Adds one.
///     pub fn add_one(x: u64) -> u64 {
///         x + 1
///     }
/// }
/// assert_eq!(add_one(1), 2); // and prints "'add_one' ran in 0.0000 seconds."
/// ```
///
/// The patterns below are all it understands: attributes, a visibility,
/// `name(arg: Type, …) -> Type { body }`. A generic function, a method with
/// `self` or an `async fn` matches no rule and fails with "no rules expected
/// `<`" (or the token that broke the pattern), which is where the proc
/// macro's `syn` parser earns its keep.
#[macro_export]
macro_rules! timed_fn {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret {
            let start = ::std::time::Instant::now();
            // A closure, so that `return` in the body still reaches the print.
            #[allow(clippy::redundant_closure_call)]
            let result: $ret = (|| $body)();
            $crate::decorator::print_report(::std::stringify!($name), start.elapsed());
            result
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn the_line_has_the_articles_format() {
        assert_eq!(
            report_line("complex_calculation", Duration::from_micros(12_345)),
            "'complex_calculation' ran in 0.0123 seconds."
        );
    }

    #[test]
    fn the_decorated_closure_calls_the_original_once_per_call() {
        let calls = Cell::new(0);
        let square = timing_decorator(|x: u64| {
            calls.set(calls.get() + 1);
            x * x
        });
        assert_eq!(square(7), 49);
        assert_eq!(square(3), 9);
        assert_eq!(calls.get(), 2);
    }

    fn triple(x: u64) -> u64 {
        x * 3
    }

    #[test]
    fn the_name_comes_from_the_function() {
        assert_eq!(
            short_type_name(std::any::type_name_of_val(&triple)),
            "triple"
        );
    }

    timed_fn! {
        fn checked_half(x: u64) -> Option<u64> {
            if x % 2 == 1 {
                return None;
            }
            Some(x / 2)
        }
    }

    #[test]
    fn the_macro_rules_version_keeps_early_returns() {
        assert_eq!(checked_half(8), Some(4));
        assert_eq!(checked_half(7), None);
    }
}
