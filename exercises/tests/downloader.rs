//! Exercise 2: a pool of K worker threads fetches N URLs from the local
//! slow server; every URL is answered once, at most K at a time, and a
//! failing URL is reported without losing the others.

mod common;

use common::{max_in_flight, server, site_url, within};
use exercises::downloader::download_all;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

/// The URLs sorted, for comparing sets with a readable message.
fn sorted(mut urls: Vec<String>) -> Vec<String> {
    urls.sort();
    urls
}

#[test]
fn every_url_is_fetched_once() {
    let server = server();
    let urls: Vec<String> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|name| site_url(&server, name, 50))
        .collect();
    let given = urls.clone();
    let downloads = within(LIMIT, "download_all", move || download_all(&given, 3));

    let got = sorted(downloads.iter().map(|d| d.url.clone()).collect());
    assert_eq!(
        got,
        sorted(urls),
        "expected each URL exactly once, got these URLs back"
    );
    for download in &downloads {
        let body = download.body.as_ref().unwrap_or_else(|err| {
            panic!("expected {} to succeed, got the error: {err}", download.url)
        });
        let site = download
            .url
            .split("/site/")
            .nth(1)
            .and_then(|s| s.split('?').next());
        let expected = format!("Data from website {}", site.unwrap_or("?"));
        assert!(
            body.contains(&expected),
            "{}: expected a body with {expected:?}, got {body:?}",
            download.url
        );
    }
}

#[test]
fn k_workers_take_about_n_over_k_rounds() {
    const N: usize = 8;
    const K: usize = 4;
    const DELAY_MS: u64 = 250;
    let server = server();
    let urls: Vec<String> = slow_server_names(N)
        .iter()
        .map(|name| site_url(&server, name, DELAY_MS))
        .collect();

    let started = Instant::now();
    let downloads = within(LIMIT, "download_all", move || download_all(&urls, K));
    let elapsed = started.elapsed();
    assert_eq!(
        downloads.len(),
        N,
        "expected {N} downloads, got {}",
        downloads.len()
    );

    // The limit, counted by the server itself: never more than K at once,
    // and more than one (or the pool is not running in parallel).
    let most = max_in_flight(&server);
    println!("{N} URLs of {DELAY_MS} ms, {K} workers: {elapsed:.2?}, at most {most} in flight");
    assert!(
        (2..=K as u64).contains(&most),
        "expected between 2 and {K} requests in flight at once with {K} workers, the server saw {most}"
    );
    // ⌈N/K⌉ rounds of the delay; wide margins: more than one round (so not
    // all at once), less than half of one after another.
    let rounds = N.div_ceil(K) as u32;
    let delay = Duration::from_millis(DELAY_MS);
    let (low, high) = (delay * 3 / 2, delay * N as u32 / 2);
    assert!(
        low <= elapsed && elapsed <= high,
        "{N} URLs of {DELAY_MS} ms with {K} workers: expected about {rounds} × {DELAY_MS} ms = {:?} \
         (one after another would be {:?}), got {elapsed:.2?}",
        delay * rounds,
        delay * N as u32
    );
}

#[test]
fn a_failing_url_is_reported_and_the_others_still_arrive() {
    let server = server();
    let good: Vec<String> = ["A", "B", "D", "E"]
        .iter()
        .map(|name| site_url(&server, name, 50))
        .collect();
    let bad = format!("{}/site/C?delay_ms=50&status=503", server.base_url());
    let mut urls = good.clone();
    urls.insert(2, bad.clone());
    let downloads = within(LIMIT, "download_all", move || download_all(&urls, 2));

    assert_eq!(
        downloads.len(),
        5,
        "expected 5 downloads (4 good, 1 failed), got {}",
        downloads.len()
    );
    for download in &downloads {
        match (&download.body, download.url == bad) {
            (Err(err), true) => assert!(
                err.contains("503"),
                "expected the failure to name the 503 status, got: {err}"
            ),
            (Ok(body), true) => panic!("expected {bad} to fail with 503, got Ok({body:?})"),
            (Err(err), false) => {
                panic!("expected {} to succeed, got the error: {err}", download.url)
            }
            (Ok(_), false) => {}
        }
    }
}

/// A, B, C, …: the slow server's site names.
fn slow_server_names(count: usize) -> Vec<String> {
    (b'A'..=b'Z')
        .take(count)
        .map(|letter| char::from(letter).to_string())
        .collect()
}
