//! Three threads that each wait two seconds, started together and then
//! joined: the article's `threading.Thread` example, on `std::thread`.
//!
//! ```text
//! cargo run -p threads-demo --example multithreading
//! ```
//!
//! ```text
//! Thread 0: Starting...
//! Thread 1: Starting...
//! Thread 2: Starting...
//! Thread 1: Finishing.      (order varies)
//! Thread 0: Finishing.
//! Thread 2: Finishing.
//! All threads have finished.
//! ```
//!
//! About 2 s in all, not 6 s: the threads sleep at the same time.
//! `cargo run -p threads-demo` prints the same lines and measures them.

use std::thread;
use std::time::Duration;

fn task(name: usize) {
    println!("Thread {name}: Starting...");
    thread::sleep(Duration::from_secs(2)); // `time.sleep(2)`: only this thread waits
    println!("Thread {name}: Finishing.");
}

fn main() {
    let mut threads = Vec::new();
    for i in 0..3 {
        // `threading.Thread(target=task, args=(i,))` and `t.start()` in one
        // call: a Rust thread starts running as soon as it is spawned.
        let t = thread::spawn(move || task(i));
        threads.push(t);
    }
    for t in threads {
        // `t.join()`. It also returns what the thread returned, or `Err` if
        // it panicked; Python's `join` cannot tell you that.
        t.join().unwrap();
    }
    println!("All threads have finished.");
}
