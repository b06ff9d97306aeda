//! Three fetches that each wait two seconds, run together on one event loop:
//! the article's asyncio example (`async def fetch_data`, `asyncio.gather`,
//! `asyncio.run`), ported to tokio.
//!
//! ```text
//! cargo run -p async-fetch
//! ```
//!
//! ```text
//! Fetching data from website A...
//! Fetching data from website B...
//! Fetching data from website C...
//! Finished fetching data from website A.      (finish order may vary)
//! Finished fetching data from website B.
//! Finished fetching data from website C.
//! All data fetched in 2.00 seconds.
//! ```
//!
//! About 2 s, not 6 s: while one fetch waits, the loop runs the others. The
//! loop is tokio's `current_thread` runtime, which is asyncio's model: one
//! loop on one thread (`--runtime multi` swaps in tokio's multi-thread
//! scheduler). Beyond the port, each a subcommand:
//!
//! - `http`: the same fetches over real HTTP with reqwest, against a local slow server;
//! - `get [URL]`: the article's single async call, its JSON printed;
//! - `blocking`: `std::thread::sleep` inside an async fn stalls the loop (≈ 6 s, not 2 s);
//! - `offload`: CPU-bound work stalls a heartbeat task unless moved to `spawn_blocking`.

mod blocking;
mod event_loop;
mod http;
mod offload;

use clap::Command;
use demo_kit::{Clock, Common, Limits, Span, Summary, say};
use futures::future::join_all;
use std::process::ExitCode;
use std::time::Duration;
use tokio::time::sleep;

/// The article's `async def fetch_data(url)`: announce, wait without
/// blocking the loop, announce, return the data.
async fn fetch_data(url: String, delay: Duration) -> String {
    say!("Fetching data from {url}...");
    sleep(delay).await; // `await asyncio.sleep(2)`: pauses this task only; the loop runs the others
    say!("Finished fetching data from {url}.");
    format!("Data from {url}")
}

/// The article's `async def main()`: one future per website, gathered, timed.
async fn fetch_all(clock: Clock, common: Common) -> ExitCode {
    // `tasks = [fetch_data("website A"), ...]`. Like a coroutine, a future
    // does nothing until it is awaited. Each notes its own span. (Not with
    // `timed`: a future passed to an async fn is stored twice in it, rustc
    // issue #62958, and at 100,000 tasks that is 19 MB more.)
    let delay = common.delay();
    let tasks = (0..common.tasks).map(|i| async move {
        let start_ms = clock.ms();
        fetch_data(website(i), delay).await;
        let end_ms = clock.ms();
        Span {
            task: i,
            start_ms,
            end_ms,
        }
    });
    demo_kit::narration::begin(common.tasks); // above 10 fetches: the first lines and a count
    event_loop::let_the_timer_know(delay).await;
    // `await asyncio.gather(*tasks)`: poll them all together, results in order.
    let spans: Vec<Span> = join_all(tasks).await;
    demo_kit::narration::end();
    say!(
        "All data fetched in {:.2} seconds.",
        clock.elapsed().as_secs_f64()
    );

    Summary::new("async-fetch", "simulated", &common, common.delay_ms as f64)
        .finish(clock, spans, 0)
}

fn main() -> ExitCode {
    let clock = Clock::start();
    let matches = demo_kit::cli::parse(command());
    let (mode, leaf) = matches.subcommand().unwrap_or(("", &matches));
    let common = Common::from_matches(leaf);
    common.set_narration();
    // `asyncio.run(main())`: make a loop, run `main` on it to the end, close it.
    // These lines are what `#[tokio::main(flavor = "current_thread")]` writes;
    // written out, `--runtime` can pick the flavour and Ctrl-C can end the run.
    let runtime = match event_loop::Flavor::from_matches(leaf).build() {
        Ok(runtime) => runtime,
        Err(err) => {
            demo_kit::error(format_args!("could not start the tokio runtime: {err}"));
            return ExitCode::from(demo_kit::cli::EXIT_FAILED);
        }
    };
    // The HTTP modes' local slow server runs on its own runtime and thread,
    // as a remote server would, so it is started outside this one.
    let server = match http::local_server(mode, leaf) {
        Ok(server) => server,
        Err(code) => return code,
    };
    let local = server.as_ref().map(slow_server::Server::base_url);
    let run = async {
        match mode {
            "http" => http::run(clock, common, leaf, local).await,
            "get" => http::get(clock, common, leaf, local).await,
            "blocking" => blocking::run(clock, common).await,
            "offload" => offload::run(clock, common, leaf).await,
            _ => fetch_all(clock, common).await,
        }
    };
    match runtime.block_on(event_loop::until_ctrl_c(run)) {
        Some(code) => {
            // Don't wait for work still running on blocking threads.
            runtime.shutdown_background();
            if let Some(server) = server {
                server.shutdown();
            }
            code
        }
        None => event_loop::interrupted(clock),
    }
}

fn command() -> Command {
    Command::new("async-fetch")
        .about("Ports the article's asyncio example to tokio: concurrent fetches on one event loop")
        .long_about(
            "Ports the article's asyncio example: N fetches that each wait, run concurrently on one event loop.\n\
             Python: async def fetch_data(url), await asyncio.gather(*tasks), asyncio.run(main()).",
        )
        .args(Common::args(Limits::DEFAULT))
        .arg(event_loop::runtime_arg())
        .subcommands(
            [
                http::http_command().args(Common::args(Limits::DEFAULT)),
                http::get_command(Limits::DEFAULT),
                blocking::command().args(Common::args(Limits::DEFAULT)),
                offload::command().args(Common::args(Limits::DEFAULT)),
            ]
            .map(|mode| mode.arg(event_loop::runtime_arg())),
        )
}

/// `website A`, `website B`, … `website Z`, `website A1`, …: the article's
/// names, for any `--tasks` (the same sites `sync-fetch` fetches).
pub(crate) fn website(i: usize) -> String {
    format!("website {}", fetch_client::sites::name(i))
}

/// [`Clock::span`] for a future: its result and when it started and finished.
pub(crate) async fn timed<T>(
    clock: Clock,
    task: usize,
    work: impl Future<Output = T>,
) -> (T, Span) {
    let start_ms = clock.ms();
    let value = work.await;
    let span = Span {
        task,
        start_ms,
        end_ms: clock.ms(),
    };
    (value, span)
}
