// Checks that #[timed] compiles and runs on every form a function can take:
// a plain fn, a generic fn, a fn using `?`, `&self`/`&mut self` methods and
// an `async fn`, each keeping its result.

use macros_demo::timed;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[timed]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[timed]
fn first<T: Clone>(items: &[T]) -> Option<T> {
    items.first().cloned()
}

#[timed]
fn parse_twice(text: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = text.parse()?;
    Ok(n * 2)
}

struct Meter {
    reading: u32,
}

impl Meter {
    #[timed]
    fn read(&self) -> u32 {
        self.reading
    }

    #[timed]
    fn add(&mut self, more: u32) {
        self.reading += more;
    }
}

#[timed]
async fn answer() -> u32 {
    42
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

fn main() {
    assert_eq!(add(2, 3), 5);
    assert_eq!(first(&["a", "b"]), Some("a"));
    assert_eq!(parse_twice("21"), Ok(42));
    assert!(parse_twice("x").is_err());
    let mut meter = Meter { reading: 1 };
    meter.add(2);
    assert_eq!(meter.read(), 3);
    assert_eq!(block_on(answer()), 42);
}
