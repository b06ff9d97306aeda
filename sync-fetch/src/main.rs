//! Three websites fetched one after another, each call blocking until it is
//! done: the article's synchronous example, ported with `std::thread::sleep`.
//!
//! ```text
//! cargo run -p sync-fetch
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
//! About 6 s: 2 s per site, and nothing else happens while one waits
//! (compare `async-fetch`, about 2 s). Beyond the port, `http` fetches the same
//! sites over real HTTP with `reqwest::blocking` from a local slow server,
//! `get [URL]` is the article's single-call `requests.get(url).json()`, and
//! `threads [http]` runs the same blocking fetches one thread per site.

mod http;
mod threads;

use clap::Command;
use demo_kit::{Clock, Common, Limits, Summary, say};
use fetch_client::sites;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// The article's `fetch_data(url)`: announce, wait as if for the network,
/// announce, return the data.
fn fetch_data(site: &str, delay: Duration) -> String {
    say!("Fetching data from website {site}...");
    thread::sleep(delay); // `time.sleep(2)`: the whole program waits here
    say!("Finished fetching data from website {site}.");
    format!("Data from website {site}")
}

/// The article's main block: `data1 = fetch_data("website A")`, then B, then C,
/// each call starting only when the one before has returned.
fn run_simulated(clock: Clock, common: &Common) -> ExitCode {
    let mut spans = Vec::with_capacity(common.tasks);
    demo_kit::narration::begin(common.tasks); // above 10 sites: the first lines and a count
    for (i, site) in sites::names(common.tasks).enumerate() {
        let (data, span) = clock.span(i, || fetch_data(&site, common.delay()));
        debug_assert_eq!(data, format!("Data from website {site}"));
        spans.push(span);
    }
    demo_kit::narration::end();
    say!(
        "All data fetched in {:.2} seconds.",
        clock.elapsed().as_secs_f64()
    );

    let ideal_ms = common.tasks as f64 * common.delay_ms as f64; // sequential: tasks × delay
    Summary::new("sync-fetch", "simulated", common, ideal_ms).finish(clock, spans, 0)
}

/// `--tasks` runs one after another here, so its limit is modest.
const LIMITS: Limits = Limits {
    max_tasks: 10_000,
    max_delay_ms: slow_server::MAX_DELAY_MS,
};

fn command() -> Command {
    Command::new("sync-fetch")
        .about("Ports the article's synchronous fetch example: one site after another")
        .long_about(
            "Ports the article's synchronous example: fetch_data(\"website A\"), then B, then C, \
             each blocking for --delay-ms.\n\
             Python: time.sleep(2) inside fetch_data; the Rust: std::thread::sleep.",
        )
        .args(Common::args(LIMITS))
        .subcommand(http::http_command().args(Common::args(LIMITS)))
        .subcommand(http::get_command(LIMITS))
        .subcommand(threads::command(LIMITS))
}

fn main() -> ExitCode {
    let clock = Clock::start();
    let matches = demo_kit::cli::parse(command());
    let (mode, leaf) = matches.subcommand().unwrap_or(("", &matches));
    let common = Common::from_matches(leaf);
    common.set_narration();
    match mode {
        "http" => http::run_http(clock, &common, leaf),
        "get" => http::run_get(clock, &common, leaf),
        "threads" => threads::run(clock, &common, leaf),
        _ => run_simulated(clock, &common),
    }
}
