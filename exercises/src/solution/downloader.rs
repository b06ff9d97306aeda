//! Exercise 2, the threaded downloader: a pool of worker threads takes URLs
//! from one channel and sends what it fetched back on another.
//!
//! The article's threading example is "a program that downloads multiple
//! files": while one thread waits for its download, another starts the next.
//! Python would use a `queue.Queue` and `threading.Thread`s; here the queue is
//! a `std::sync::mpsc` channel. Its receiver cannot be cloned (one consumer),
//! so the workers share it behind a `Mutex` and take turns at `recv`.

use reqwest::blocking::Client;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

/// What one URL gave: its body, or one line saying why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The URL, as it was given.
    pub url: String,
    /// The body of a 2xx answer, or why there was none.
    pub body: Result<String, String>,
}

/// How long one request may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Fetches every URL once with `workers` threads, each fetching one URL at a
/// time, and returns one [`Download`] per URL, in the order they finished.
/// A URL that fails is reported in its `Download`; the others still arrive.
pub fn download_all(urls: &[String], workers: usize) -> Vec<Download> {
    let client = client();
    let (job_tx, job_rx) = mpsc::channel::<String>();
    let (result_tx, result_rx) = mpsc::channel::<Download>();
    let job_rx = Arc::new(Mutex::new(job_rx));

    let mut pool = Vec::new();
    for _ in 0..workers.max(1) {
        let job_rx = Arc::clone(&job_rx);
        let result_tx = result_tx.clone();
        let client = client.clone(); // a handle to one shared connection pool
        pool.push(thread::spawn(move || {
            loop {
                // The lock is held only while waiting for the next URL: the
                // guard is a temporary, dropped at the end of this statement.
                let next = job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(url) = next else { break }; // channel closed and empty
                let body = fetch(&client, &url);
                if result_tx.send(Download { url, body }).is_err() {
                    break; // nobody is listening any more
                }
            }
        }));
    }
    // Only the workers hold senders now, so `result_rx` ends when they do.
    drop(result_tx);

    for url in urls {
        // Fails only if every worker has gone, and then nothing can be fetched.
        let _ = job_tx.send(url.clone());
    }
    // Closing the queue is what lets each worker's `recv` return `Err`.
    drop(job_tx);

    let results: Vec<Download> = result_rx.iter().collect();
    for worker in pool {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    results
}

/// A blocking client with [`TIMEOUT`] on every request.
pub fn client() -> Client {
    // The workspace's reqwest has rustls without a default provider (see
    // fetch-client): building a client needs one, even for http:// URLs.
    fetch_client::install_tls_provider();
    Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_else(|err| panic!("could not build the HTTP client: {err}"))
}

/// One GET: the body of a 2xx answer, or why it failed, as one line.
pub fn fetch(client: &Client, url: &str) -> Result<String, String> {
    let response = client.get(url).send().map_err(|err| err.to_string())?;
    let response = response.error_for_status().map_err(|err| err.to_string())?;
    response.text().map_err(|err| err.to_string())
}
