// Checks that #[timed] compiles and runs on every form a function can take:
// a plain fn, a generic fn, a fn using `?`, `&self`/`&mut self` methods, an
// `async fn`, and fns returning `impl Trait` (alone, inside a `Box` and inside
// a tuple: `let x: impl Trait` does not compile, so these prove the macro
// writes no type on its `let` there), each keeping its result.

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

#[timed]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[timed]
fn adder(n: u32) -> Box<impl Fn(u32) -> u32> {
    Box::new(move |x| x + n)
}

#[timed]
fn counted(limit: u32) -> (impl Iterator<Item = u32>, u32) {
    (0..limit, limit)
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
    assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
    assert_eq!(adder(2)(40), 42);
    let (numbers, limit) = counted(3);
    assert_eq!((numbers.sum::<u32>(), limit), (3, 3));
}
