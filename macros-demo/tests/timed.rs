//! `#[timed]` keeps what it wraps: results, signatures, early returns, and
//! the number of times the body runs, in every form a function can take.
//!
//! Each function reports through `#[timed(with = record)]`, which counts the
//! reports by name, so the tests can check one report per call.

use macros_demo::timed;
use std::cell::RefCell;
use std::future::Future;
use std::num::ParseIntError;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

thread_local! {
    /// How often the body of each function ran, by name.
    static BODY_RUNS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    /// Each report `#[timed]` made: name and time.
    static REPORTS: RefCell<Vec<(&'static str, Duration)>> = const { RefCell::new(Vec::new()) };
}

fn ran(name: &'static str) {
    BODY_RUNS.with(|runs| runs.borrow_mut().push(name));
}

fn record(name: &'static str, elapsed: Duration) {
    REPORTS.with(|reports| reports.borrow_mut().push((name, elapsed)));
}

fn body_runs(name: &str) -> usize {
    BODY_RUNS.with(|runs| runs.borrow().iter().filter(|n| **n == name).count())
}

fn reports(name: &str) -> Vec<Duration> {
    REPORTS.with(|reports| {
        reports
            .borrow()
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .collect()
    })
}

/// Sums `0..n`, like the article's `complex_calculation`.
#[timed(with = record)]
fn sum_below(n: u64) -> u64 {
    ran("sum_below");
    (0..n).sum()
}

#[test]
fn results_are_kept_and_the_body_runs_once_per_call() {
    assert_eq!(sum_below(10), 45);
    assert_eq!(sum_below(0), 0);
    assert_eq!(sum_below(1000), 499_500);
    assert_eq!(body_runs("sum_below"), 3);
    assert_eq!(reports("sum_below").len(), 3);
}

#[timed(with = record)]
fn sleepy() {
    std::thread::sleep(Duration::from_millis(30));
}

#[test]
fn the_reported_time_covers_the_body() {
    sleepy();
    let times = reports("sleepy");
    assert_eq!(times.len(), 1);
    assert!(times[0] >= Duration::from_millis(30), "{times:?}");
}

/// Parses two numbers and adds them; `?` returns early on bad input.
#[timed(with = record)]
fn parse_sum(a: &str, b: &str) -> Result<i64, ParseIntError> {
    ran("parse_sum");
    let a: i64 = a.parse()?;
    let b: i64 = b.parse()?;
    Ok(a + b)
}

/// Returns early with `return`.
#[timed(with = record)]
fn ratio(a: u32, b: u32) -> Option<u32> {
    ran("ratio");
    if b == 0 {
        return None;
    }
    Some(a / b)
}

#[test]
fn early_returns_are_still_timed() {
    assert_eq!(parse_sum("40", "2"), Ok(42));
    assert!(parse_sum("40", "two").is_err());
    assert!(parse_sum("x", "2").is_err());
    assert_eq!(body_runs("parse_sum"), 3);
    assert_eq!(reports("parse_sum").len(), 3);

    assert_eq!(ratio(9, 3), Some(3));
    assert_eq!(ratio(9, 0), None);
    assert_eq!(body_runs("ratio"), 2);
    assert_eq!(reports("ratio").len(), 2);
}

/// The largest item; generic, with a bound and a where clause.
#[timed(with = record)]
fn largest<T>(items: &[T]) -> Option<&T>
where
    T: PartialOrd,
{
    ran("largest");
    let mut best = items.first()?;
    for item in items {
        if item > best {
            best = item;
        }
    }
    Some(best)
}

#[test]
fn generic_functions_keep_their_type_parameters() {
    assert_eq!(largest(&[3, 9, 2]), Some(&9));
    assert_eq!(largest(&["b", "a"]), Some(&"b"));
    assert_eq!(largest::<f64>(&[]), None);
    assert_eq!(body_runs("largest"), 3);
    assert_eq!(reports("largest").len(), 3);
}

/// A counter, to time methods.
struct Counter {
    count: u32,
}

impl Counter {
    /// Reads through `&self`; returns a borrow tied to `self`.
    #[timed(with = record)]
    fn label(&self) -> &str {
        ran("label");
        if self.count == 0 { "none" } else { "some" }
    }

    /// Changes through `&mut self`.
    #[timed(with = record)]
    pub fn bump(&mut self) -> u32 {
        self.count += 1;
        self.count
    }

    /// Consumes `self`.
    #[timed(with = record)]
    fn into_count(self) -> u32 {
        self.count
    }

    /// An associated function returning `Self`.
    #[timed(with = record)]
    fn new() -> Self {
        Self { count: 0 }
    }
}

#[test]
fn methods_keep_their_receivers() {
    let mut counter = Counter::new();
    assert_eq!(counter.label(), "none");
    assert_eq!(counter.bump(), 1);
    assert_eq!(counter.bump(), 2);
    assert_eq!(counter.label(), "some");
    assert_eq!(counter.into_count(), 2);
    assert_eq!(body_runs("label"), 2);
    assert_eq!(reports("label").len(), 2);
    assert_eq!(reports("bump").len(), 2);
    assert_eq!(reports("into_count").len(), 1);
    assert_eq!(reports("new").len(), 1);
}

/// Returns an `impl Trait`, which cannot be written on a `let`.
#[timed(with = record)]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[test]
fn impl_trait_returns_work() {
    assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
    assert_eq!(reports("evens").len(), 1);
}

/// A future that is pending once before it is ready: an `.await` that
/// really gives control back, as a socket read would.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls a future to completion on this thread; counts the polls. Enough
/// for these futures, which never wait on anything outside the thread.
fn block_on<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return (value, polls);
        }
    }
}

/// Waits (yields twice, sleeping between), then parses: `async` with `?`.
#[timed(with = record)]
async fn slow_parse(text: &str) -> Result<u32, ParseIntError> {
    ran("slow_parse");
    YieldOnce(false).await;
    std::thread::sleep(Duration::from_millis(20));
    YieldOnce(false).await;
    let value: u32 = text.parse()?;
    Ok(value * 2)
}

#[test]
fn async_fns_are_timed_over_the_whole_await() {
    let future = slow_parse("21");
    // Creating the future runs nothing: no report yet (a Python decorator
    // written for plain functions would time only this step).
    assert!(reports("slow_parse").is_empty());
    let (value, polls) = block_on(future);
    assert_eq!(value, Ok(42));
    assert_eq!(polls, 3, "the body awaited twice");
    assert!(block_on(slow_parse("x")).0.is_err());
    assert_eq!(body_runs("slow_parse"), 2);
    let times = reports("slow_parse");
    assert_eq!(times.len(), 2);
    assert!(times[0] >= Duration::from_millis(20), "{times:?}");
}

/// Parameters named like the macro's own locals: the macro's `start`,
/// `result` and `elapsed` are hygienic (`Span::mixed_site`), so the body
/// still sees the parameters, not the macro's `Instant`.
#[timed(with = record)]
fn hygiene(start: u32, result: u32, elapsed: u32) -> u32 {
    start * 100 + result * 10 + elapsed
}

#[test]
fn the_macros_locals_do_not_capture_the_users_names() {
    assert_eq!(hygiene(1, 2, 3), 123);
    assert_eq!(reports("hygiene").len(), 1);
}
