//! Real HTTP, still one request at a time: `reqwest::blocking` in place of
//! Python's `requests`, against the local slow server.
//!
//! - `http`: the same sites as the port, each `GET /site/{name}?delay_ms=…`;
//! - `get [URL]`: the article's single call, `requests.get(url).json()`.
//!
//! Each failure (connection refused, a non-2xx status, a body that is not
//! JSON, a timeout) is one `error:` line naming the URL; the other sites are
//! still fetched, and the run exits 1.

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use demo_kit::{Clock, Common, Summary, say};
use reqwest::Url;
use reqwest::blocking::Client;
use serde::Deserialize;
use serde_json::Value;
use slow_server::{MAX_DELAY_MS, Server};
use std::error::Error as _;
use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

/// reqwest's own default timeout for the blocking client, kept as ours.
const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// What `GET /site/{name}` answers. Decoding into a struct checks the shape
/// as well as the syntax; `delay_ms` is in the JSON too and is ignored.
#[derive(Debug, Deserialize)]
struct Site {
    site: String,
    data: String,
}

/// A way to make one site fail on purpose (`--fault B=status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// The site's URL points at a port nobody listens on.
    Refused,
    /// The server answers 503.
    Status,
    /// The server answers 200 with a body that is not JSON.
    Invalid,
    /// The server waits longer than the client's `--timeout-ms`.
    Timeout,
}

impl Fault {
    const NAMES: [&str; 4] = ["refused", "status", "invalid", "timeout"];

    fn parse(text: &str) -> Option<Fault> {
        match text {
            "refused" => Some(Fault::Refused),
            "status" => Some(Fault::Status),
            "invalid" => Some(Fault::Invalid),
            "timeout" => Some(Fault::Timeout),
            _ => None,
        }
    }
}

fn timeout_arg() -> Arg {
    Arg::new("timeout-ms")
        .long("timeout-ms")
        .value_name("MS")
        .help("Give up on a request after this long [default: 30000, reqwest's default]")
        .value_parser(value_parser!(u64).range(1..=600_000))
}

/// `sync-fetch http`.
pub fn http_command() -> Command {
    Command::new("http")
        .about("Fetch the same sites over real HTTP, one after another, with reqwest::blocking")
        .long_about(
            "Fetch the sites over real HTTP with reqwest::blocking, one after another, from an \
             in-process slow server (GET /site/{name}?delay_ms=…) or --base-url.\n\
             Python: requests.get(url) in a loop; each call blocks until its answer arrives.",
        )
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .value_name("URL")
                .help("Fetch from this server instead of the in-process one (it must serve /site/{name})"),
        )
        .arg(timeout_arg())
        .arg(
            Arg::new("fault")
                .long("fault")
                .value_name("SITE=KIND")
                .help("Make one site fail on purpose; KIND: refused, status, invalid, timeout (repeatable)")
                .action(ArgAction::Append),
        )
}

/// `sync-fetch get`.
pub fn get_command() -> Command {
    Command::new("get")
        .about("One blocking GET whose JSON is decoded and printed: requests.get(url).json()")
        .long_about(
            "The article's single-call example: one blocking GET, the JSON body decoded and printed. \
             With no URL, the in-process slow server's /data/1.\n\
             Python: requests.get(url).json(); the Rust: client.get(url).send()?.json::<Value>()?.",
        )
        .arg(Arg::new("url").value_name("URL").help("http:// or https:// URL [default: the in-process server's /data/1]"))
        .arg(timeout_arg())
}

/// A URL from the command line, or a usage error (exit 2).
fn parse_url(text: &str, flag: &str) -> Url {
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(url) => demo_kit::cli::usage_error(format_args!(
            "{flag} must be an http:// or https:// URL, got scheme {:?}",
            url.scheme()
        )),
        Err(err) => demo_kit::cli::usage_error(format_args!("{flag}: invalid URL {text:?}: {err}")),
    }
}

/// rustls needs one crypto provider for the process; ring, installed once
/// before the first client. Err means one is installed already, which is fine.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client(timeout: Duration) -> Result<Client, reqwest::Error> {
    Client::builder().timeout(timeout).build()
}

/// Where the URLs point: the in-process server (kept alive while we fetch)
/// or a base URL given by the user.
struct Target {
    base: String,
    _server: Option<Server>,
}

fn in_process_server() -> Result<Target, ExitCode> {
    match Server::start() {
        Ok(server) => Ok(Target {
            base: server.base_url(),
            _server: Some(server),
        }),
        Err(err) => {
            demo_kit::error(format_args!("could not start the local slow server: {err}"));
            Err(ExitCode::FAILURE)
        }
    }
}

/// A URL that refuses connections: a port that was free a moment ago.
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_or(9, |addr| addr.port()); // 9 (discard) is closed on any sane machine
    format!("http://127.0.0.1:{port}")
}

/// Why one fetch failed, worded for the one `error:` line.
#[derive(Debug)]
struct FetchError(String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FetchError {
    /// reqwest's `Display` names only the outermost layer ("error sending
    /// request"); the cause (refused, timed out, expected value at line 1…)
    /// is further down the source chain.
    fn from_reqwest(err: &reqwest::Error, timeout: Duration) -> FetchError {
        let kind = if err.is_timeout() {
            return FetchError(format!("timed out after {} ms", timeout.as_millis()));
        } else if err.is_connect() {
            "could not connect"
        } else if err.is_decode() {
            "the body is not the JSON expected"
        } else if let Some(status) = err.status() {
            return FetchError(format!("the server answered {status}"));
        } else {
            "request failed"
        };
        let mut cause = err.source();
        let mut innermost = None;
        while let Some(next) = cause {
            innermost = Some(next.to_string());
            cause = next.source();
        }
        FetchError(match innermost {
            Some(reason) => format!("{kind}: {reason}"),
            None => format!("{kind}: {err}"),
        })
    }
}

/// `requests.get(url).json()`, strictly: a non-2xx status is an error here,
/// where `requests` would try to decode the error page.
fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    url: &str,
    timeout: Duration,
) -> Result<T, FetchError> {
    client
        .get(url)
        .send()
        .and_then(reqwest::blocking::Response::error_for_status)
        .and_then(reqwest::blocking::Response::json::<T>)
        .map_err(|err| FetchError::from_reqwest(&err, timeout))
}

/// The faults asked for, by site name; bad ones are usage errors.
fn parse_faults(matches: &ArgMatches, sites: &[String], timeout_ms: u64) -> Vec<(String, Fault)> {
    let mut faults = Vec::new();
    for spec in matches.get_many::<String>("fault").into_iter().flatten() {
        let Some((site, kind)) = spec.split_once('=') else {
            demo_kit::cli::usage_error(format_args!("--fault expects SITE=KIND, got {spec:?}"));
        };
        if !sites.iter().any(|s| s == site) {
            demo_kit::cli::usage_error(format_args!(
                "--fault {spec}: no site {site:?} in this run (sites: {}..{})",
                sites.first().map_or("", String::as_str),
                sites.last().map_or("", String::as_str)
            ));
        }
        let Some(fault) = Fault::parse(kind) else {
            demo_kit::cli::usage_error(format_args!(
                "--fault {spec}: KIND must be one of {}",
                Fault::NAMES.join(", ")
            ));
        };
        if fault == Fault::Timeout && timeout_ms + 1000 > MAX_DELAY_MS {
            demo_kit::cli::usage_error(format_args!(
                "--fault {spec} needs --timeout-ms of at most {} (the server waits at most {MAX_DELAY_MS} ms)",
                MAX_DELAY_MS - 1000
            ));
        }
        faults.push((site.to_string(), fault));
    }
    faults
}

/// The URL for one site, with its fault applied.
fn site_url(
    base: &str,
    site: &str,
    delay_ms: u64,
    fault: Option<Fault>,
    timeout_ms: u64,
) -> String {
    match fault {
        None => format!("{base}/site/{site}?delay_ms={delay_ms}"),
        Some(Fault::Refused) => format!("{}/site/{site}?delay_ms={delay_ms}", closed_port_url()),
        Some(Fault::Status) => format!("{base}/site/{site}?delay_ms={delay_ms}&status=503"),
        Some(Fault::Invalid) => format!("{base}/site/{site}?delay_ms={delay_ms}&body=invalid"),
        // A second past the client's patience.
        Some(Fault::Timeout) => format!("{base}/site/{site}?delay_ms={}", timeout_ms + 1000),
    }
}

/// `sync-fetch http`: the port's loop, with a real request in place of the sleep.
pub fn run_http(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let timeout_ms = matches
        .get_one::<u64>("timeout-ms")
        .copied()
        .unwrap_or(DEFAULT_TIMEOUT_MS);
    let timeout = Duration::from_millis(timeout_ms);
    let sites: Vec<String> = crate::site_names(common.tasks).collect();
    let faults = parse_faults(matches, &sites, timeout_ms);
    let base_url = matches
        .get_one::<String>("base-url")
        .map(|text| parse_url(text, "--base-url"));

    install_crypto_provider();
    let target = match base_url {
        Some(url) => Target {
            base: url.as_str().trim_end_matches('/').to_string(),
            _server: None,
        },
        None => match in_process_server() {
            Ok(target) => target,
            Err(code) => return code,
        },
    };
    let client = match client(timeout) {
        Ok(client) => client,
        Err(err) => {
            demo_kit::error(format_args!("could not build the HTTP client: {err}"));
            return ExitCode::FAILURE;
        }
    };
    say!("Fetching from {} (timeout {timeout_ms} ms)", target.base);

    let started = clock.elapsed(); // Python's `start_time = time.time()`
    let mut spans = Vec::with_capacity(sites.len());
    let mut failed = 0;
    for (i, site) in sites.iter().enumerate() {
        let fault = faults.iter().find(|(s, _)| s == site).map(|(_, f)| *f);
        let url = site_url(&target.base, site, common.delay_ms, fault, timeout_ms);
        let (result, span) = clock.span(i, || {
            say!("Fetching data from website {site}...");
            let result = get_json::<Site>(&client, &url, timeout);
            if result.is_ok() {
                say!("Finished fetching data from website {site}.");
            }
            result
        });
        spans.push(span);
        match result {
            Ok(answer) => {
                debug_assert_eq!(answer.data, format!("Data from website {}", answer.site))
            }
            Err(err) => {
                demo_kit::error(format_args!("website {site}: GET {url}: {err}"));
                failed += 1;
            }
        }
    }
    let seconds = (clock.elapsed() - started).as_secs_f64();
    if failed == 0 {
        say!("All data fetched in {seconds:.2} seconds.");
    } else {
        say!(
            "Fetched {} of {} websites in {seconds:.2} seconds; {failed} failed.",
            sites.len() - failed,
            sites.len()
        );
    }

    let mut summary = Summary::new("sync-fetch", "http", common);
    summary.ideal_ms = common.tasks as f64 * common.delay_ms as f64;
    summary.elapsed_ms = clock.ms();
    summary.ok = sites.len() - failed;
    summary.failed = failed;
    summary.spans = spans;
    summary.report(common)
}

/// `sync-fetch get [URL]`: `data = get_data_sync(url); print(data)`.
pub fn run_get(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let timeout_ms = matches
        .get_one::<u64>("timeout-ms")
        .copied()
        .unwrap_or(DEFAULT_TIMEOUT_MS);
    let timeout = Duration::from_millis(timeout_ms);
    let url = matches
        .get_one::<String>("url")
        .map(|text| parse_url(text, "URL"));

    install_crypto_provider();
    let (url, _server) = match url {
        Some(url) => (url.to_string(), None),
        None => match in_process_server() {
            Ok(target) => (format!("{}/data/1", target.base), target._server),
            Err(code) => return code,
        },
    };
    let client = match client(timeout) {
        Ok(client) => client,
        Err(err) => {
            demo_kit::error(format_args!("could not build the HTTP client: {err}"));
            return ExitCode::FAILURE;
        }
    };
    let (result, span) = clock.span(0, || get_json::<Value>(&client, &url, timeout));
    let failed = match result {
        Ok(data) => {
            // `print(data)`: Python prints the dict; we print the decoded JSON.
            say!(
                "{}",
                serde_json::to_string_pretty(&data).unwrap_or_else(|_| data.to_string())
            );
            0
        }
        Err(err) => {
            demo_kit::error(format_args!("GET {url}: {err}"));
            1
        }
    };

    let mut summary = Summary::new("sync-fetch", "get", common);
    summary.tasks = 1;
    summary.delay_ms = 0;
    summary.ideal_ms = 0.0;
    summary.elapsed_ms = clock.ms();
    summary.ok = 1 - failed;
    summary.failed = failed;
    summary.spans = vec![span];
    summary.report(common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_urls() {
        let base = "http://127.0.0.1:1234";
        assert_eq!(
            site_url(base, "A", 200, None, 1000),
            "http://127.0.0.1:1234/site/A?delay_ms=200"
        );
        assert!(site_url(base, "A", 200, Some(Fault::Status), 1000).ends_with("&status=503"));
        assert!(site_url(base, "A", 200, Some(Fault::Invalid), 1000).ends_with("&body=invalid"));
        assert!(site_url(base, "A", 200, Some(Fault::Timeout), 1000).ends_with("delay_ms=2000"));
        let refused = site_url(base, "A", 200, Some(Fault::Refused), 1000);
        assert!(
            refused.starts_with("http://127.0.0.1:") && !refused.starts_with(base),
            "{refused}"
        );
    }

    #[test]
    fn fault_names_round_trip() {
        for name in Fault::NAMES {
            assert!(Fault::parse(name).is_some(), "{name}");
        }
        assert_eq!(Fault::parse("slow"), None);
    }
}
