//! Exercise 3, gather with limits: fetch many URLs concurrently on tokio,
//! with at most `limit` requests in flight and a timeout on each, and get
//! every result back in input order, errors included.
//!
//! The article's `asyncio.gather(*tasks)` starts everything at once; with a
//! thousand URLs that is a thousand sockets and a server under siege. Python
//! bounds it with an `asyncio.Semaphore` and `asyncio.wait_for`, and
//! `gather(..., return_exceptions=True)` keeps one failure from hiding the
//! other results.
//!
//! `client` and `fetch` are done. `gather` below is the article's version:
//! everything at once, no timeout. Add the limit and the timeout.

use futures::future::join_all;
use reqwest::Client;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Fetches every URL, at most `limit` at a time, each request given at most
/// `timeout` (not counting its wait for a turn), and returns one result per
/// URL in the order of `urls`: the body, or one line saying why it failed.
pub async fn gather(
    urls: &[String],
    limit: usize,
    timeout: Duration,
) -> Vec<Result<String, String>> {
    let client = client();
    // TODO 1: at most `limit` requests in flight (a `Semaphore` with `limit`
    //   permits, one held around each request).
    // TODO 2: a request that takes longer than `timeout` becomes an `Err`
    //   (`tokio::time::timeout`), and the others go on.
    let fetches = urls.iter().map(|url| fetch(&client, url));
    join_all(fetches).await
}

/// An HTTP client for the local slow server.
pub fn client() -> Client {
    // The workspace's reqwest has rustls without a default provider (see
    // fetch-client): building a client needs one, even for http:// URLs.
    fetch_client::install_tls_provider();
    Client::new()
}

/// One GET: the body of a 2xx answer, or why it failed, as one line.
pub async fn fetch(client: &Client, url: &str) -> Result<String, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    let response = response.error_for_status().map_err(|err| err.to_string())?;
    response.text().await.map_err(|err| err.to_string())
}
