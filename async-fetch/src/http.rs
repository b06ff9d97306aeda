//! `async-fetch http` and `async-fetch get`: the fetches over real HTTP.
//!
//! `http` fetches every site from the slow server concurrently with one
//! shared `reqwest::Client` (Python: one `aiohttp.ClientSession` for the
//! whole run), each request its own task. `get` is the article's single
//! async call: one GET, its JSON printed.
//!
//! Failures are results, not panics: each failed fetch prints one
//! `error: website B: GET URL: reason` line, the other fetches go on
//! (`asyncio.gather(..., return_exceptions=True)`), and the run exits 1.
//! Site names, fault URLs, `--fault`, `--timeout-ms` and the wording of a
//! failure come from `fetch_client`, shared with `sync-fetch`.

use crate::timed;
use clap::{Arg, ArgMatches, Command, value_parser};
use demo_kit::{Clock, Common, Limits, Span, Summary, say};
use fetch_client::body::CappedBody;
use fetch_client::{args, sites};
use futures::future::join_all;
use reqwest::Client;
use serde_json::Value;
use slow_server::Server;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// File descriptors kept free for everything but the connections: the
/// standard streams, the runtimes' epoll and wake-up descriptors, the listener.
pub const RESERVED_FDS: u64 = 64;

/// The `http` subcommand with its own flags; `main` adds the common ones.
pub fn http_command() -> Command {
    Command::new("http")
        .about("The same fetches over real HTTP: async reqwest, one shared Client, the local slow server")
        .long_about(
            "Fetches /site/{name}?delay_ms=MS for every site concurrently with one shared reqwest::Client\n\
             (Python: one aiohttp.ClientSession, asyncio.gather) from the in-process slow server,\n\
             or from --base-url. Each failure is one error line; the others still finish.",
        )
        .arg(args::base_url_arg())
        .arg(args::timeout_arg())
        .arg(args::max_body_arg())
        .arg(
            Arg::new("max-in-flight")
                .long("max-in-flight")
                .value_name("N")
                .help("At most N requests at once [default: as many as the open-file limit allows]")
                .value_parser(value_parser!(u64).range(1..=100_000)),
        )
        .arg(args::fault_arg())
}

/// The `get` subcommand: one request, so `--delay-ms` but no `--tasks`.
pub fn get_command(limits: Limits) -> Command {
    Command::new("get")
        .about("The article's single async call: one GET, its JSON printed")
        .long_about(
            "One GET with async reqwest, its JSON decoded and printed (Python: aiohttp in asyncio.run).\n\
             Without URL it asks the in-process slow server for /data/1 (after --delay-ms, if given).",
        )
        .arg(args::timeout_arg())
        .arg(args::max_body_arg())
        .arg(args::url_arg())
        .arg(demo_kit::cli::delay_arg(limits))
        .args(Common::report_args())
}

/// The in-process slow server, if the mode fetches from it (no
/// `--base-url` or URL given); `Err` is the exit code after its `error:` line.
pub fn local_server(mode: &str, matches: &ArgMatches) -> Result<Option<Server>, ExitCode> {
    let needed = match mode {
        "http" => !matches.contains_id("base-url"),
        "get" => !matches.contains_id("url"),
        _ => false,
    };
    if !needed {
        return Ok(None);
    }
    Server::start().map(Some).map_err(|err| {
        demo_kit::error(format_args!("could not start the local slow server: {err}"));
        ExitCode::from(demo_kit::cli::EXIT_FAILED)
    })
}

/// One client for the run. `pooled: false` is for a run whose requests are
/// all in flight at once: no connection is free before the last request is
/// sent, so none could be reused, and the pool's bookkeeping costs time that
/// grows with the square of the requests (hyper-util 0.1 files each request
/// that finds no idle connection as a waiter, and scans every waiter each
/// time one of them gets its own new connection: 12.5 million checks at 5,000).
fn client(timeout: Duration, pooled: bool) -> Result<Client, reqwest::Error> {
    let builder = Client::builder().timeout(timeout);
    if pooled {
        builder.build()
    } else {
        builder.pool_max_idle_per_host(0).build()
    }
}

/// `async-fetch http`: every site at once, one shared client.
pub async fn run(
    clock: Clock,
    common: Common,
    matches: &ArgMatches,
    local: Option<String>,
) -> ExitCode {
    fetch_client::install_tls_provider(); // for https:// base URLs
    let local_server = local.is_some();
    let base = matches
        .get_one::<String>("base-url")
        .cloned()
        .or(local)
        .unwrap_or_default();
    let timeout_ms = args::timeout_ms(matches, common.delay_ms);
    let timeout = Duration::from_millis(timeout_ms);
    let max_body = args::max_body_bytes(matches);
    let faults = args::faults(matches, common.tasks, timeout_ms)
        .unwrap_or_else(|err| demo_kit::cli::usage_error(err));
    let in_flight = in_flight_limit(&common, matches, local_server);
    // `async with aiohttp.ClientSession() as session`: one client, its
    // connection pool shared by every task (a clone is a new handle, not a
    // new pool); no pool when nothing waits its turn, as none could be reused.
    let pooled = in_flight.available_permits() < common.tasks;
    let client = match client(timeout, pooled) {
        Ok(client) => client,
        Err(err) => {
            demo_kit::error(format_args!("could not build the HTTP client: {err}"));
            return ExitCode::from(demo_kit::cli::EXIT_FAILED);
        }
    };
    say!("Fetching from {base} (timeout {timeout_ms} ms)");
    demo_kit::narration::begin(common.tasks); // above 10 fetches: the first lines and a count
    let tasks: Vec<_> = (0..common.tasks)
        .map(|i| {
            let name = sites::name(i);
            let fault = fetch_client::fault::fault_for(&faults, &name);
            let url = sites::site_url(&base, &name, common.delay_ms, fault, timeout_ms);
            let (client, in_flight) = (client.clone(), Arc::clone(&in_flight));
            // Each fetch its own task, so `--runtime multi` can spread them over cores.
            tokio::spawn(async move {
                // Wait for a free slot, held until this fetch is over; the span starts after.
                let _slot = in_flight.acquire_owned().await;
                timed(clock, i, fetch_site(client, name, url, timeout, max_body)).await
            })
        })
        .collect();
    let mut spans: Vec<Span> = Vec::with_capacity(tasks.len());
    let mut failed = 0;
    for joined in join_all(tasks).await {
        match joined {
            Ok((Ok(_), span)) => spans.push(span),
            Ok((Err(()), span)) => {
                failed += 1;
                spans.push(span);
            }
            Err(err) => {
                demo_kit::error(format_args!("a fetch task failed: {err}"));
                failed += 1;
            }
        }
    }
    demo_kit::narration::end();
    say!(
        "{}",
        sites::fetched_line(common.tasks, failed, clock.elapsed())
    );

    Summary::new("async-fetch", "http", &common, common.delay_ms as f64)
        .with("base_url", base)
        .finish(clock, spans, failed)
}

/// How many requests may be in flight at once.
///
/// Every connection is a file descriptor, and with the server in this
/// process each request holds two (the client's socket and the server's).
/// With the usual soft limit of 1,024, a thousand requests at once would fail
/// with "Too many open files", so the soft limit is raised to the hard limit
/// first, and the rest wait their turn if even that is too low.
fn in_flight_limit(common: &Common, matches: &ArgMatches, local_server: bool) -> Arc<Semaphore> {
    let soft = match slow_server::fdlimit::raise_to_hard() {
        Ok((_, after)) => after.soft,
        Err(_) => slow_server::fdlimit::get().map_or(1024, |limit| limit.soft),
    };
    let per_request = if local_server { 2 } else { 1 };
    let budget = usize::try_from((soft.saturating_sub(RESERVED_FDS) / per_request).max(1))
        .unwrap_or(usize::MAX);
    let asked = matches
        .get_one::<u64>("max-in-flight")
        .map(|&n| usize::try_from(n).unwrap_or(usize::MAX));
    let limit = asked
        .unwrap_or(common.tasks)
        .min(budget)
        .min(Semaphore::MAX_PERMITS);
    if limit < common.tasks {
        if asked.is_some_and(|n| n <= budget) {
            say!("At most {limit} requests at once (--max-in-flight); the others wait their turn.");
        } else {
            say!(
                "At most {limit} requests at once: the open-file limit is {soft} and each request \
                 holds {per_request} descriptors; the others wait their turn."
            );
        }
    }
    Arc::new(Semaphore::new(limit))
}

/// One fetch, the article's `fetch_data` over HTTP: announce, GET, decode, announce.
/// A failure is printed here, as one line naming the URL, and returned as `Err(())`.
async fn fetch_site(
    client: Client,
    name: String,
    url: String,
    timeout: Duration,
    max_body: u64,
) -> Result<String, ()> {
    say!("Fetching data from website {name}...");
    match get_json(&client, &url, timeout, max_body).await {
        Ok(body) => {
            say!("Finished fetching data from website {name}.");
            Ok(body["data"].as_str().unwrap_or_default().to_string())
        }
        Err(reason) => {
            demo_kit::error(format_args!("website {name}: GET {url}: {reason}"));
            Err(())
        }
    }
}

/// `session.get(url)` → `response.json()`, with a non-2xx status as an
/// error, and the body read chunk by chunk under `max_body` bytes
/// (`--max-body-bytes`), where `.json()` would hold whatever the server sends.
/// A failure comes back as one clause for the `error:` line.
async fn get_json(
    client: &Client,
    url: &str,
    timeout: Duration,
    max_body: u64,
) -> Result<Value, String> {
    let reason = |err: reqwest::Error| fetch_client::reason(&err, timeout);
    let response = client.get(url).send().await.map_err(reason)?;
    let mut response = response.error_for_status().map_err(reason)?;
    let mut body = CappedBody::new(max_body, response.content_length())?;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.push(&chunk)?,
            Ok(None) => return body.json(),
            Err(err) => return Err(body.failed(&err, timeout)),
        }
    }
}

/// `async-fetch get [URL]`: one request, its JSON printed.
pub async fn get(
    clock: Clock,
    common: Common,
    matches: &ArgMatches,
    local: Option<String>,
) -> ExitCode {
    fetch_client::install_tls_provider(); // for https:// URLs
    // `--delay-ms` reaches the in-process server only when given.
    let (url, delay_ms) = match (matches.get_one::<String>("url"), local) {
        (Some(url), _) => (url.clone(), 0),
        (None, base) => {
            let delay_ms = args::get_delay_ms(matches, common.delay_ms);
            (
                sites::document_url(&base.unwrap_or_default(), delay_ms),
                delay_ms,
            )
        }
    };
    let timeout = Duration::from_millis(args::timeout_ms(matches, delay_ms));
    let max_body = args::max_body_bytes(matches);
    // The article's `get_data_async(url)`: a session, a GET, the JSON.
    let (result, span) = timed(clock, 0, async {
        match client(timeout, true) {
            Ok(client) => get_json(&client, &url, timeout, max_body).await,
            Err(err) => Err(fetch_client::reason(&err, timeout)),
        }
    })
    .await;
    let failed = match result {
        Ok(body) => {
            let text = serde_json::to_string_pretty(&body).unwrap_or_else(|_| body.to_string());
            say!("{text}");
            0
        }
        Err(reason) => {
            demo_kit::error(format_args!("GET {url}: {reason}"));
            1
        }
    };
    // One request: its own wait, 0 unless --delay-ms was given.
    let one = Common {
        tasks: 1,
        delay_ms,
        ..common
    };
    Summary::new("async-fetch", "get", &one, delay_ms as f64)
        .with("url", url)
        .finish(clock, vec![span], failed)
}
