//! `async-fetch http` and `async-fetch get`: the fetches over real HTTP.
//!
//! `http` fetches every site from the slow server concurrently with one
//! shared `reqwest::Client` (Python: one `aiohttp.ClientSession` for the
//! whole run), each request its own task. `get` is the article's single
//! async call: one GET, its JSON printed.
//!
//! Failures are results, not panics: each failed fetch prints one
//! `error: URL: reason` line, the other fetches go on
//! (`asyncio.gather(..., return_exceptions=True)`), and the run exits 1.

use crate::{site, timed};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use demo_kit::{Clock, Common, Span, Summary, say};
use futures::future::join_all;
use reqwest::{Client, Url};
use serde_json::Value;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a request may take, unless `--timeout-ms` says: reqwest's own
/// default (as in sync-fetch), or the delay plus [`TIMEOUT_MARGIN_MS`] if that is longer.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// See [`DEFAULT_TIMEOUT_MS`].
pub const TIMEOUT_MARGIN_MS: u64 = 10_000;

/// File descriptors kept free for everything but the connections: the
/// standard streams, the runtimes' epoll and wake-up descriptors, the listener.
pub const RESERVED_FDS: u64 = 64;

/// A way to make one site's fetch fail on purpose (`--fault SITE=KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The site's URL points at a port nobody listens on.
    Refused,
    /// The server answers 503.
    Status,
    /// The server answers 200 with a body that is not JSON.
    Invalid,
    /// The server answers after the client's timeout.
    Timeout,
}

/// The `--base-url` and `--timeout-ms` flags both HTTP subcommands take.
fn client_args() -> [Arg; 2] {
    [
        Arg::new("timeout-ms")
            .long("timeout-ms")
            .value_name("MS")
            .help("Give up on a request after this long [default: 30000, or --delay-ms + 10000 if longer]")
            .value_parser(value_parser!(u64).range(1..=600_000)),
        Arg::new("base-url")
            .long("base-url")
            .value_name("URL")
            .help("Fetch from this server instead of the in-process slow server")
            .value_parser(parse_base_url),
    ]
}

/// The `http` subcommand.
pub fn http_command() -> Command {
    Command::new("http")
        .about("The same fetches over real HTTP: async reqwest, one shared Client, the local slow server")
        .long_about(
            "Fetches /site/{name}?delay_ms=MS for every site concurrently with one shared reqwest::Client\n\
             (Python: one aiohttp.ClientSession, asyncio.gather) from the in-process slow server,\n\
             or from --base-url. Each failure is one error line; the others still finish.",
        )
        .args(client_args())
        .arg(
            Arg::new("max-in-flight")
                .long("max-in-flight")
                .value_name("N")
                .help("At most N requests at once [default: as many as the open-file limit allows]")
                .value_parser(value_parser!(u64).range(1..=100_000)),
        )
        .arg(
            Arg::new("fault")
                .long("fault")
                .value_name("SITE=KIND")
                .help("Make one site fail on purpose; KIND: refused, status, invalid, timeout (repeatable)")
                .value_parser(parse_fault)
                .action(ArgAction::Append),
        )
}

/// The `get` subcommand.
pub fn get_command() -> Command {
    Command::new("get")
        .about("The article's single async call: one GET, its JSON printed")
        .long_about(
            "One GET with async reqwest, its JSON decoded and printed (Python: aiohttp in asyncio.run).\n\
             Without URL it asks the in-process slow server for /data/1.",
        )
        .args(client_args())
        .arg(
            Arg::new("url")
                .value_name("URL")
                .help("What to fetch [default: /data/1 on the in-process slow server]")
                .value_parser(parse_url),
        )
}

/// Whether the mode needs the in-process server: no `--base-url` or URL given.
pub fn needs_local_server(mode: &str, matches: &ArgMatches) -> bool {
    match mode {
        "http" => !matches.contains_id("base-url"),
        "get" => !matches.contains_id("url"),
        _ => false,
    }
}

/// Installs rustls's `ring` provider once, for `https://` URLs (reqwest is
/// built with `rustls-no-provider`: ring builds faster than aws-lc-rs).
pub fn install_tls_provider() {
    // Err means a provider is already installed, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn timeout(common: &Common, matches: &ArgMatches) -> Duration {
    let ms = matches
        .get_one::<u64>("timeout-ms")
        .copied()
        .unwrap_or(DEFAULT_TIMEOUT_MS.max(common.delay_ms + TIMEOUT_MARGIN_MS));
    Duration::from_millis(ms)
}

fn client(timeout: Duration) -> Result<Client, reqwest::Error> {
    Client::builder().timeout(timeout).build()
}

/// `async-fetch http`: every site at once, one shared client.
pub async fn run(
    clock: Clock,
    common: Common,
    matches: &ArgMatches,
    local: Option<String>,
) -> ExitCode {
    let local_server = local.is_some();
    let base = matches
        .get_one::<String>("base-url")
        .cloned()
        .or(local)
        .unwrap_or_default();
    let faults: Vec<(String, Fault)> = matches
        .get_many::<(String, Fault)>("fault")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some((name, _)) = faults
        .iter()
        .find(|(name, _)| !(0..common.tasks).any(|i| site(i) == *name))
    {
        demo_kit::cli::usage_error(format_args!(
            "--fault names site {name}, but the run has sites {} to {}",
            site(0),
            site(common.tasks - 1)
        ));
    }
    let timeout = timeout(&common, matches);
    if faults.iter().any(|&(_, f)| f == Fault::Timeout)
        && late_ms(timeout) > slow_server::MAX_DELAY_MS
    {
        demo_kit::cli::usage_error(format_args!(
            "--fault SITE=timeout needs --timeout-ms of at most {} (the server waits at most {} ms)",
            slow_server::MAX_DELAY_MS - 1000,
            slow_server::MAX_DELAY_MS
        ));
    }
    // `async with aiohttp.ClientSession() as session`: one client, its
    // connection pool shared by every task (a clone is a new handle, not a new pool).
    let client = match client(timeout) {
        Ok(client) => client,
        Err(err) => {
            demo_kit::error(format_args!("could not build the HTTP client: {err}"));
            return ExitCode::from(demo_kit::cli::EXIT_FAILED);
        }
    };
    let in_flight = in_flight_limit(&common, matches, local_server);
    say!("Fetching from {base} (timeout {} ms)", timeout.as_millis());
    let tasks: Vec<_> = (0..common.tasks)
        .map(|i| {
            let name = site(i);
            let fault = faults.iter().find(|(n, _)| *n == name).map(|&(_, f)| f);
            let url = site_url(&base, &name, common.delay_ms, fault, timeout);
            let (client, in_flight) = (client.clone(), Arc::clone(&in_flight));
            // Each fetch its own task, so `--runtime multi` can spread them over cores.
            tokio::spawn(async move {
                // Wait for a free slot, held until this fetch is over; the span starts after.
                let _slot = in_flight.acquire_owned().await;
                timed(clock, i, fetch_site(client, name, url, timeout)).await
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
    say!(
        "All data fetched in {:.2} seconds ({} ok, {failed} failed).",
        clock.elapsed().as_secs_f64(),
        common.tasks - failed
    );

    let mut summary = Summary::new("async-fetch", "http", &common).with("base_url", base);
    summary.ideal_ms = common.delay_ms as f64;
    summary.elapsed_ms = clock.ms();
    summary.ok = common.tasks - failed;
    summary.failed = failed;
    summary.spans = spans;
    summary.report(&common)
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

/// `{base}/site/{name}?delay_ms=…`, with the switches a fault asks for.
fn site_url(
    base: &str,
    name: &str,
    delay_ms: u64,
    fault: Option<Fault>,
    timeout: Duration,
) -> String {
    match fault {
        None => format!("{base}/site/{name}?delay_ms={delay_ms}"),
        Some(Fault::Refused) => format!("{}/site/{name}?delay_ms={delay_ms}", closed_port_url()),
        Some(Fault::Status) => format!("{base}/site/{name}?delay_ms={delay_ms}&status=503"),
        Some(Fault::Invalid) => format!("{base}/site/{name}?delay_ms={delay_ms}&body=invalid"),
        Some(Fault::Timeout) => format!("{base}/site/{name}?delay_ms={}", late_ms(timeout)),
    }
}

/// A second past the client's patience.
fn late_ms(timeout: Duration) -> u64 {
    u64::try_from(timeout.as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1000)
}

/// A loopback URL where nobody listens: a port the OS just handed out and took back.
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_or(9, |addr| addr.port()); // 9 (discard) is closed on any sane machine
    format!("http://127.0.0.1:{port}")
}

/// One fetch, the article's `fetch_data` over HTTP: announce, GET, decode, announce.
/// A failure is printed here, as one line naming the URL, and returned as `Err(())`.
async fn fetch_site(
    client: Client,
    name: String,
    url: String,
    timeout: Duration,
) -> Result<String, ()> {
    say!("Fetching data from website {name}...");
    match get_json(&client, &url).await {
        Ok(body) => {
            say!("Finished fetching data from website {name}.");
            Ok(body["data"].as_str().unwrap_or_default().to_string())
        }
        Err(err) => {
            demo_kit::error(format_args!("{url}: {}", reason(&err, timeout)));
            Err(())
        }
    }
}

/// `session.get(url)` → `response.json()`, with a non-2xx status as an error.
async fn get_json(client: &Client, url: &str) -> Result<Value, reqwest::Error> {
    client
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

/// What went wrong, in one short clause.
fn reason(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("timed out after {} ms", timeout.as_millis());
    }
    if let Some(status) = err.status() {
        return format!("the server answered {status}");
    }
    let cause = innermost(err);
    if err.is_connect() {
        format!("could not connect: {cause}")
    } else if err.is_decode() {
        format!("the body is not the JSON expected: {cause}")
    } else {
        format!("request failed: {cause}")
    }
}

/// The last error in the `source` chain: the OS's or the parser's own words.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// `async-fetch get [URL]`: one request, its JSON printed.
pub async fn get(
    clock: Clock,
    common: Common,
    matches: &ArgMatches,
    local: Option<String>,
) -> ExitCode {
    // `--delay-ms` reaches the in-process server only when given.
    let explicit_delay = matches.value_source("delay-ms") == Some(ValueSource::CommandLine);
    let (url, delay_ms) = match (matches.get_one::<String>("url"), local) {
        (Some(url), _) => (url.clone(), 0),
        (None, Some(base)) if explicit_delay => (
            format!("{base}/data/1?delay_ms={}", common.delay_ms),
            common.delay_ms,
        ),
        (None, Some(base)) => (format!("{base}/data/1"), 0),
        (None, None) => (String::new(), 0),
    };
    let timeout = timeout(&common, matches);
    // The article's `get_data_async(url)`: a session, a GET, the JSON.
    let result = match client(timeout) {
        Ok(client) => get_json(&client, &url).await,
        Err(err) => Err(err),
    };
    let mut summary = Summary::new("async-fetch", "get", &common).with("url", url.clone());
    summary.tasks = 1;
    summary.delay_ms = delay_ms;
    match result {
        Ok(body) => {
            let text = serde_json::to_string_pretty(&body).unwrap_or_else(|_| body.to_string());
            say!("{text}");
            summary.ok = 1;
        }
        Err(err) => {
            demo_kit::error(format_args!("{url}: {}", reason(&err, timeout)));
            summary.failed = 1;
        }
    }
    summary.elapsed_ms = clock.ms();
    summary.spans = vec![Span {
        task: 0,
        start_ms: 0.0,
        end_ms: summary.elapsed_ms,
    }];
    summary.report(&common)
}

/// An `http://` or `https://` URL, as text.
fn parse_url(text: &str) -> Result<String, String> {
    let url = Url::parse(text).map_err(|err| format!("{text:?} is not a URL: {err}"))?;
    match url.scheme() {
        "http" | "https" => Ok(text.to_string()),
        other => Err(format!(
            "{text:?}: only http and https URLs can be fetched, not {other}"
        )),
    }
}

/// A base URL, without its trailing slash.
fn parse_base_url(text: &str) -> Result<String, String> {
    parse_url(text).map(|url| url.trim_end_matches('/').to_string())
}

/// `B=status`, `C=json`, `A=timeout`.
fn parse_fault(text: &str) -> Result<(String, Fault), String> {
    let (name, kind) = text
        .split_once('=')
        .ok_or_else(|| format!("expected SITE=KIND (like B=status), got {text:?}"))?;
    let kind = match kind {
        "refused" => Fault::Refused,
        "status" => Fault::Status,
        "invalid" => Fault::Invalid,
        "timeout" => Fault::Timeout,
        other => {
            return Err(format!(
                "unknown fault {other:?}: use refused, status, invalid or timeout"
            ));
        }
    };
    let name = name.to_ascii_uppercase();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "a site is named by letters, like B or AA, not {text:?}"
        ));
    }
    Ok((name, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse() {
        assert_eq!(parse_fault("b=status"), Ok(("B".into(), Fault::Status)));
        assert_eq!(parse_fault("AA=timeout"), Ok(("AA".into(), Fault::Timeout)));
        assert!(parse_fault("B").is_err());
        assert!(parse_fault("B=slow").is_err());
        assert!(parse_fault("1=json").is_err());
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/"),
            Ok("http://127.0.0.1:8080".into())
        );
        assert!(parse_url("ftp://127.0.0.1/").is_err());
        assert!(parse_url("not a url").is_err());
    }

    #[test]
    fn fault_urls_carry_the_switches() {
        let t = Duration::from_millis(300);
        assert_eq!(
            site_url("http://h", "A", 5, None, t),
            "http://h/site/A?delay_ms=5"
        );
        assert!(site_url("http://h", "A", 5, Some(Fault::Status), t).ends_with("&status=503"));
        assert!(site_url("http://h", "A", 5, Some(Fault::Invalid), t).ends_with("&body=invalid"));
        assert_eq!(
            site_url("http://h", "A", 5, Some(Fault::Timeout), t),
            "http://h/site/A?delay_ms=1300"
        );
        assert!(
            site_url("http://h", "A", 5, Some(Fault::Refused), t).starts_with("http://127.0.0.1:")
        );
    }
}
