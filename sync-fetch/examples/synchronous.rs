//! Three "websites" fetched one after another, each call blocking until it
//! returns: the article's synchronous example, with `std::thread::sleep`
//! standing in for the network as `time.sleep` does in the Python.
//!
//! ```text
//! cargo run -p sync-fetch --example synchronous
//! ```
//!
//! ```text
//! Fetching data from website A...
//! Finished fetching data from website A.
//! Fetching data from website B...
//! Finished fetching data from website B.
//! Fetching data from website C...
//! Finished fetching data from website C.
//! All data fetched in 6.00 seconds.
//! ```
//!
//! About 6 s: 2 s per call, and nothing else happens while one waits.
//! `cargo run -p sync-fetch` prints the same lines and measures them.

use std::thread;
use std::time::{Duration, Instant};

fn fetch_data(url: &str) -> String {
    println!("Fetching data from {url}...");
    thread::sleep(Duration::from_secs(2)); // `time.sleep(2)`: the whole program waits
    println!("Finished fetching data from {url}.");
    format!("Data from {url}")
}

fn main() {
    let start_time = Instant::now(); // `time.time()`, but a clock that never jumps
    // The leading `_` says "unused, on purpose": the Python never reads them either.
    let _data1 = fetch_data("website A");
    let _data2 = fetch_data("website B");
    let _data3 = fetch_data("website C");
    let seconds = start_time.elapsed().as_secs_f64();
    println!("All data fetched in {seconds:.2} seconds.");
}
