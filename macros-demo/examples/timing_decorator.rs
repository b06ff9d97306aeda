//! A function whose every call prints how long it took: the article's
//! `@timing_decorator` on `complex_calculation`, as the attribute macro
//! `#[timed]`, which rewrites the function when it is compiled.
//!
//! ```text
//! cargo run -p macros-demo --example timing_decorator
//! ```
//!
//! ```text
//! 'complex_calculation' ran in 0.2132 seconds.      (a debug build; the time varies)
//! Calculation result: 49999995000000
//! ```
//!
//! `cargo run -p macros-demo` prints the same lines, then the other ways to
//! write a decorator in Rust.

use macros_demo::timed;

// `@timing_decorator`. Python wraps the function when the module runs; the
// macro writes the clock into this function's body before it is compiled.
#[timed]
fn complex_calculation(n: u64) -> u64 {
    let mut sum_val = 0;
    for i in 0..n {
        sum_val += i;
    }
    sum_val
}

fn main() {
    let result = complex_calculation(10_000_000);
    println!("Calculation result: {result}");
}
