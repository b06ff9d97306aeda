//! Exercise 2, the threaded downloader: a pool of worker threads takes URLs
//! from one channel and sends what it fetched back on another.
//!
//! The article's threading example is "a program that downloads multiple
//! files": while one thread waits for its download, another starts the next.
//! Python would use a `queue.Queue` and `threading.Thread`s; here the queue is
//! a `std::sync::mpsc` channel. Its receiver cannot be cloned (one consumer),
//! so the workers must share it and take turns at `recv`.
//!
//! `client` and `fetch` are done; `download_all` is yours.

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

    // TODO 1: start `workers` threads. Each one loops: take the next URL from
    //   `job_rx`, fetch it with `fetch(&client, &url)`, send a `Download` on
    //   `result_tx`; it stops when `recv` says the channel is closed.
    //   `job_rx` cannot be cloned: share it as `Arc<Mutex<Receiver<String>>>`.
    // TODO 2: send every URL on `job_tx`.
    // TODO 3: `result_rx.iter()` below ends only when every sender is gone.
    //   Which senders does this function still hold?
    todo!("start the workers and queue the URLs");

    result_rx.iter().collect()
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
