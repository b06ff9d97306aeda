//! A decorator is a function that takes a function: the same timing done
//! twice more, without the attribute, so the three can be compared.
//!
//! Python's `@timing_decorator` is sugar for
//! `complex_calculation = timing_decorator(complex_calculation)`. Rust has no
//! such rebinding of a `fn`, but the call can be written as is, with a
//! closure coming back; and `macro_rules!` can rewrite a definition, if it
//! has exactly the shape its patterns spell out.

use demo_kit::say;
use macros_demo::{timed_fn, timing_decorator};
use std::hint::black_box;

/// The article's loop, undecorated.
fn add_below(n: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        sum = black_box(sum + i); // see `complex_calculation`
    }
    sum
}

timed_fn! {
    /// The article's loop again, rewritten by the `macro_rules!` version.
    fn add_below_rules(n: u64) -> u64 {
        let mut sum = 0u64;
        for i in 0..n {
            sum = black_box(sum + i);
        }
        sum
    }
}

/// Times the loop with the higher-order function, then with `timed_fn!`.
pub fn run(n: u64) {
    say!("");
    say!("The same decorator without an attribute:");
    // Python: `add_below = timing_decorator(add_below)`.
    let add_below = timing_decorator(add_below);
    let by_function = add_below(n);
    let by_rules = add_below_rules(n);
    say!("Both give {by_function} and {by_rules}.");
}
