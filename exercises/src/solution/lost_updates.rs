//! Exercise 1, lost updates: threads share one counter, and every increment
//! must count.
//!
//! Python's FAQ lists `i = i + 1` among the operations that are not atomic
//! even under the GIL: a read, an add and a write, and another thread may
//! write in between. Rust lets threads share an `AtomicU64` or a `Mutex` in
//! safe code, but safe is not the same as correct: a `load` followed by a
//! `store` is two steps, and so is taking a lock twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::thread;

/// Starts `threads` threads that each call [`add_one`] `per_thread` times on
/// one shared `AtomicU64`, waits for them all, and returns the final count.
pub fn count_atomic(threads: usize, per_thread: u64) -> u64 {
    let counter = AtomicU64::new(0);
    // All threads start counting together, so that they overlap.
    let start = Barrier::new(threads);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                for _ in 0..per_thread {
                    add_one(&counter);
                }
            });
        }
    });
    counter.into_inner()
}

/// Adds one to `counter` in a single indivisible step.
pub fn add_one(counter: &AtomicU64) {
    // One read-modify-write instruction (`lock xadd` on x86): no other
    // thread can write between the read and the write. `Relaxed` is enough
    // for a counter that is read only after the threads are joined.
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Like [`count_atomic`], with the counter behind a `Mutex` and
/// [`add_one_locked`] doing the increments.
pub fn count_mutex(threads: usize, per_thread: u64) -> u64 {
    let counter = Mutex::new(0);
    // All threads start counting together, so that they overlap.
    let start = Barrier::new(threads);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                for _ in 0..per_thread {
                    add_one_locked(&counter);
                }
            });
        }
    });
    // Poisoned only if a thread panicked while holding the lock, and then
    // `scope` has already passed that panic on.
    counter
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Adds one to the number behind `counter`, reading and writing it under
/// one hold of the lock.
pub fn add_one_locked(counter: &Mutex<u64>) {
    let mut count = counter
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *count += 1;
}
