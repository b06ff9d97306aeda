//! The article's metaprogramming section, with macros doing at compile time
//! what Python's decorators and metaclasses do when the code is loaded.
//!
//! ```text
//! cargo run -p macros-demo            # add --release for the honest timing
//! ```
//!
//! ```text
//! 'complex_calculation' ran in 0.0263 seconds.      (release build; the time varies)
//! Calculation result: 49999995000000
//! …
//! Motorcycle (no 'stop') was rejected at compile time; it is not in this program.
//! The compiler's message, as tests/ui/05-motorcycle-missing-stop.stderr records it:
//!     error: Class 'Motorcycle' must have a 'stop' method.
//!       --> tests/ui/05-motorcycle-missing-stop.rs:12:1
//!        |
//!     12 | impl Motorcycle {
//!        | ^^^^^^^^^^^^^^^
//! …
//! ```
//!
//! First the faithful port of the timing decorator: `#[timed]` stands where
//! `@timing_decorator` stood, and every call prints the article's line. Then,
//! in named modules: [`plain`], the same decorator as a higher-order function
//! and as a `macro_rules!`; [`interface`], the class decorator that enforces
//! `start`/`stop` (here `Motorcycle` is rejected by the compiler, so the demo
//! shows the compiler's message); [`metaclass`], a derive macro that writes
//! code when a type is defined.
//!
//! `--n N` changes the argument; `--json` prints one JSON summary (variant
//! `timed`, with `n`, `result` and `function_ms`) and moves the narrative to
//! stderr.

mod interface;
mod metaclass;
mod plain;

use clap::{Arg, Command, value_parser};
use demo_kit::{Clock, Common, Summary, say};
use macros_demo::timed;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The article's `complex_calculation`: adds up `0..n` one step at a time.
///
/// `#[timed]` is `@timing_decorator`: the compiler rewrites this function so
/// that each call prints `'complex_calculation' ran in … seconds.` (through
/// [`report`], which also keeps the time for `--json`).
#[timed(with = report)]
fn complex_calculation(n: u64) -> u64 {
    let mut sum_val: u64 = 0;
    for i in 0..n {
        // Without `black_box`, LLVM replaces this loop by n*(n-1)/2 in a
        // release build and the timing measures nothing. `black_box` makes
        // each partial sum opaque to the optimizer, which in practice keeps
        // the loop, as Python's runs (the hint is documented as best-effort;
        // the timing scaling with `--n` shows the loop ran).
        sum_val = black_box(sum_val + i);
    }
    sum_val
}

/// The largest `--n` whose sum still fits in a `u64`.
const MAX_N: u64 = 6_000_000_000;

/// The article's `complex_calculation(10000000)`.
const DEFAULT_N: u64 = 10_000_000;

/// The last time `#[timed]` reported, in nanoseconds, for `function_ms`.
static LAST_NANOS: AtomicU64 = AtomicU64::new(0);

/// What `#[timed]` calls after each call: prints the article's line (on
/// stderr under `--json`) and remembers the time.
fn report(name: &'static str, elapsed: Duration) {
    let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    LAST_NANOS.store(nanos, Ordering::Relaxed);
    say!("{}", macros_demo::report_line(name, elapsed));
}

fn command() -> Command {
    Command::new("macros-demo")
        .about("Ports the article's decorators to Rust macros")
        .long_about(
            "Ports the article's metaprogramming examples to Rust macros:\n\
             @timing_decorator -> #[timed], @enforce_interface -> #[enforce_interface(start, stop)],\n\
             a metaclass -> #[derive(Describe)].",
        )
        .arg(
            Arg::new("n")
                .long("n")
                .value_name("N")
                .help("Add up the integers below N, as the article's complex_calculation(10000000)")
                .value_parser(value_parser!(u64).range(0..=MAX_N))
                .allow_negative_numbers(true)
                .default_value("10000000"),
        )
        // Only `--json` and `--timeline`: no tasks to count, nothing waits.
        .args(Common::report_args())
}

fn main() -> ExitCode {
    let clock = Clock::start();
    let matches = demo_kit::cli::parse(command());
    // One call of one function, and nothing waits.
    let common = Common {
        tasks: 1,
        delay_ms: 0,
        ..Common::from_matches(&matches)
    };
    common.set_narration();
    let n = matches.get_one::<u64>("n").copied().unwrap_or(DEFAULT_N);

    // The article: `result = complex_calculation(10000000)`.
    let (result, span) = clock.span(0, || complex_calculation(n));
    say!("Calculation result: {result}");
    let function_ms = LAST_NANOS.load(Ordering::Relaxed) as f64 / 1e6;

    plain::run(n);
    interface::run();
    metaclass::run();

    Summary::new("macros-demo", "timed", &common, 0.0)
        .with("n", n)
        .with("result", result)
        .with("function_ms", (function_ms * 100.0).round() / 100.0)
        .finish(clock, vec![span], 0)
}
