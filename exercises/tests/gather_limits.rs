//! Exercise 3: concurrent fetches on tokio with at most L in flight (the
//! server's own `max_in_flight` is the proof), results in input order, and a
//! slow URL timing out while the others succeed.

mod common;

use common::{max_in_flight, server, site_url, within};
use exercises::gather_limits::gather;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

/// Runs `gather` on a fresh single-threaded tokio runtime (one event loop,
/// like `asyncio.run`), bounded by [`within`].
fn run_gather(urls: Vec<String>, limit: usize, timeout: Duration) -> Vec<Result<String, String>> {
    within(LIMIT, "gather", move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(gather(&urls, limit, timeout))
    })
}

#[test]
fn at_most_limit_in_flight_and_results_in_input_order() {
    const N: usize = 9;
    const L: usize = 3;
    let server = server();
    let names: Vec<String> = (b'A'..)
        .take(N)
        .map(|b| char::from(b).to_string())
        .collect();
    // The first URLs are the slowest, so finishing order is not input order.
    let urls: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| site_url(&server, name, 300 - 25 * i as u64))
        .collect();
    let results = run_gather(urls, L, Duration::from_secs(10));

    assert_eq!(
        results.len(),
        N,
        "expected {N} results, got {}",
        results.len()
    );
    for (name, result) in names.iter().zip(&results) {
        let expected = format!("Data from website {name}");
        match result {
            Ok(body) => assert!(
                body.contains(&expected),
                "result for site {name}: expected {expected:?}, got {body:?}"
            ),
            Err(err) => panic!("site {name}: expected success, got the error: {err}"),
        }
    }
    let most = max_in_flight(&server);
    println!("{N} URLs, limit {L}: at most {most} in flight");
    assert!(
        (2..=L as u64).contains(&most),
        "limit {L}: expected between 2 and {L} requests in flight at once, the server saw {most}"
    );
}

#[test]
fn a_slow_url_times_out_and_the_others_succeed() {
    let server = server();
    let urls = vec![
        site_url(&server, "A", 50),
        site_url(&server, "B", 50),
        site_url(&server, "C", 3000), // far past the 500 ms timeout
        format!("{}/site/D?status=503", server.base_url()),
        site_url(&server, "E", 50),
    ];
    let results = run_gather(urls, 2, Duration::from_millis(500));

    assert_eq!(
        results.len(),
        5,
        "expected 5 results, got {}",
        results.len()
    );
    for (i, name) in [(0, "A"), (1, "B"), (4, "E")] {
        if let Err(err) = &results[i] {
            panic!("site {name}: expected success, got the error: {err}");
        }
    }
    if let Ok(body) = &results[2] {
        panic!("site C answers after 3 s: expected a timeout at 500 ms, got Ok({body:?})");
    }
    match &results[3] {
        Err(err) => assert!(
            err.contains("503"),
            "site D: expected an error naming the 503 status, got: {err}"
        ),
        Ok(body) => panic!("site D answers 503: expected an error, got Ok({body:?})"),
    }
}
