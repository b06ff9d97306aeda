//! Three fetches that each wait two seconds, run together on one event
//! loop: the article's asyncio example (`async def fetch_data`,
//! `asyncio.gather`, `asyncio.run`), on tokio.
//!
//! ```text
//! cargo run -p async-fetch --example asynchronous
//! ```
//!
//! ```text
//! Fetching data from website A...
//! Fetching data from website B...
//! Fetching data from website C...
//! Finished fetching data from website A.      (order may vary)
//! Finished fetching data from website B.
//! Finished fetching data from website C.
//! All data fetched in 2.00 seconds.
//! ```
//!
//! About 2 s, not 6 s: while one fetch waits, the loop runs the others.
//! `cargo run -p async-fetch` prints the same lines and measures them.

use futures::future::join_all;
use std::time::{Duration, Instant};
use tokio::time::sleep;

async fn fetch_data(url: &str) -> String {
    println!("Fetching data from {url}...");
    sleep(Duration::from_secs(2)).await; // `await asyncio.sleep(2)`: this task waits, the loop does not
    println!("Finished fetching data from {url}.");
    format!("Data from {url}")
}

// `asyncio.run(main())`: an event loop on this one thread, running `main`
// to the end. (tokio's default flavour would use a thread per core.)
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start_time = Instant::now();
    // Like a coroutine, a future does nothing until it is awaited.
    let tasks = vec![
        fetch_data("website A"),
        fetch_data("website B"),
        fetch_data("website C"),
    ];
    join_all(tasks).await; // `await asyncio.gather(*tasks)`: all three at once
    let seconds = start_time.elapsed().as_secs_f64();
    println!("All data fetched in {seconds:.2} seconds.");
}
