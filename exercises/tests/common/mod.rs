//! Helpers shared by the exercises' tests (each test file includes this
//! module, and not every file uses every helper).
#![allow(dead_code)]

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// Runs `work` on a thread of its own and waits for it at most `limit`, so
/// that a starter that waits forever fails with a message instead of hanging
/// the test run. A panic in `work` (a `todo!()`, a failed assertion) is
/// passed on with its own message.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = done.send(work()); // the test may have given up waiting
    });
    match result.recv_timeout(limit) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => panic!(
            "{what} did not finish within {limit:?}: something waits forever \
             (a channel never closed? a thread never joined? a child never reaped?)"
        ),
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker ended without sending its result"),
        },
    }
}

/// `/site/{name}?delay_ms=…` on `server`.
pub fn site_url(server: &slow_server::Server, name: &str, delay_ms: u64) -> String {
    format!("{}/site/{name}?delay_ms={delay_ms}", server.base_url())
}

/// The most requests `server` has held at once since it started, from its
/// `GET /stats`.
pub fn max_in_flight(server: &slow_server::Server) -> u64 {
    let url = format!("{}/stats", server.base_url());
    let stats = reqwest::blocking::get(&url)
        .and_then(|response| response.text())
        .unwrap_or_else(|err| panic!("GET {url} failed: {err}"));
    let stats: serde_json::Value = serde_json::from_str(&stats)
        .unwrap_or_else(|err| panic!("GET {url}: not JSON ({err}): {stats}"));
    stats["max_in_flight"]
        .as_u64()
        .unwrap_or_else(|| panic!("GET {url}: no max_in_flight in {stats}"))
}

/// Starts a slow server for one test, or fails it with the reason.
pub fn server() -> slow_server::Server {
    slow_server::Server::start()
        .unwrap_or_else(|err| panic!("could not start the slow server: {err}"))
}
