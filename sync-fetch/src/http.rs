//! Real HTTP, still one request at a time: `reqwest::blocking` in place of
//! Python's `requests`, against the local slow server.
//!
//! - `http`: the same sites as the port, each `GET /site/{name}?delay_ms=…`;
//! - `get [URL]`: the article's single call, `requests.get(url).json()`.
//!
//! Each failure (connection refused, a non-2xx status, a body that is not
//! JSON, a timeout) is one `error:` line naming the URL; the other sites are
//! still fetched, and the run exits 1.

use clap::{ArgMatches, Command};
use demo_kit::{Clock, Common, Limits, Summary, say};
use fetch_client::body::CappedBody;
use fetch_client::fault::Fault;
use fetch_client::{args, install_tls_provider, sites};
use reqwest::blocking::Client;
use serde::Deserialize;
use serde_json::Value;
use slow_server::Server;
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

/// What `GET /site/{name}` answers. Decoding into a struct checks the shape
/// as well as the syntax; `delay_ms` is in the JSON too and is ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Site {
    site: String,
    data: String,
}

/// The `http` subcommand with its own flags; `main` adds the common ones.
pub fn http_command() -> Command {
    Command::new("http")
        .about("Fetch the same sites over real HTTP, one after another, with reqwest::blocking")
        .long_about(
            "Fetch the sites over real HTTP with reqwest::blocking, one after another, from an \
             in-process slow server (GET /site/{name}?delay_ms=…) or --base-url.\n\
             Python: requests.get(url) in a loop; each call blocks until its answer arrives.",
        )
        .arg(args::base_url_arg())
        .arg(args::timeout_arg())
        .arg(args::max_body_arg())
        .arg(args::fault_arg())
}

/// `sync-fetch get`: one request, so `--delay-ms` but no `--tasks`.
pub fn get_command(limits: Limits) -> Command {
    Command::new("get")
        .about("One blocking GET whose JSON is decoded and printed: requests.get(url).json()")
        .long_about(
            "The article's single-call example: one blocking GET, the JSON body decoded and printed. \
             With no URL, the in-process slow server's /data/1 (after --delay-ms, if given).\n\
             Python: requests.get(url).json(); the Rust: client.get(url).send()?, its body read \
             in chunks under --max-body-bytes, then decoded into a serde_json::Value.",
        )
        .arg(args::url_arg())
        .arg(args::timeout_arg())
        .arg(args::max_body_arg())
        .arg(demo_kit::cli::delay_arg(limits))
        .args(Common::report_args())
}

/// The blocking client, or the `error:` line that says why there is none.
pub(crate) fn client(timeout: Duration) -> Result<Client, ExitCode> {
    Client::builder().timeout(timeout).build().map_err(|err| {
        demo_kit::error(format_args!("could not build the HTTP client: {err}"));
        ExitCode::FAILURE
    })
}

/// Where the URLs point: the in-process server (kept alive while we fetch)
/// or a base URL given by the user.
pub(crate) struct Target {
    pub(crate) base: String,
    _server: Option<Server>,
}

/// `--base-url` if given, else a slow server started in this process.
pub(crate) fn target(matches: &ArgMatches) -> Result<Target, ExitCode> {
    match matches.get_one::<String>("base-url") {
        Some(base) => Ok(Target {
            base: base.clone(),
            _server: None,
        }),
        None => in_process_server(),
    }
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

/// What `http` and `threads http` set up before their first GET: the flags
/// read (a bad `--fault` is a usage error), the target and one shared client.
pub(crate) struct HttpRun {
    /// The sites, `A` to the `--tasks`th.
    pub(crate) names: Vec<String>,
    /// Where the sites are served.
    pub(crate) target: Target,
    timeout_ms: u64,
    timeout: Duration,
    max_body: u64,
    faults: Vec<(String, Fault)>,
    client: Client,
}

impl HttpRun {
    /// Reads the flags, starts the server (or takes `--base-url`), builds the
    /// client and says where it fetches from; an `error:` line if it cannot.
    pub(crate) fn start(common: &Common, matches: &ArgMatches) -> Result<Self, ExitCode> {
        let timeout_ms = args::timeout_ms(matches, common.delay_ms);
        let timeout = Duration::from_millis(timeout_ms);
        let faults = args::faults(matches, common.tasks, timeout_ms)
            .unwrap_or_else(|err| demo_kit::cli::usage_error(err));
        install_tls_provider();
        let target = target(matches)?;
        let client = client(timeout)?;
        say!("Fetching from {} (timeout {timeout_ms} ms)", target.base);
        Ok(Self {
            timeout_ms,
            timeout,
            max_body: args::max_body_bytes(matches),
            names: sites::names(common.tasks).collect(),
            faults,
            target,
            client,
        })
    }

    /// `GET /site/{site}?delay_ms=…`, with the fault `--fault` asks of this site.
    pub(crate) fn url(&self, site: &str, delay_ms: u64) -> String {
        let fault = fetch_client::fault::fault_for(&self.faults, site);
        sites::site_url(&self.target.base, site, delay_ms, fault, self.timeout_ms)
    }

    /// One GET of `url` with the shared client, under the timeout and the body cap.
    pub(crate) fn get(&self, url: &str) -> Result<Site, String> {
        get_json(&self.client, url, self.timeout, self.max_body)
    }
}

/// `requests.get(url).json()`, strictly: a non-2xx status is an error here,
/// where `requests` would try to decode the error page; and the body is read
/// in chunks under `max_body` bytes (`--max-body-bytes`), where `.json()`
/// would hold whatever the server sends.
pub(crate) fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    url: &str,
    timeout: Duration,
    max_body: u64,
) -> Result<T, String> {
    let mut response = client
        .get(url)
        .send()
        .and_then(reqwest::blocking::Response::error_for_status)
        .map_err(|err| fetch_client::reason(&err, timeout))?;
    let mut body = CappedBody::new(max_body, response.content_length())?;
    let mut chunk = [0; 16 * 1024];
    loop {
        match response.read(&mut chunk) {
            Ok(0) => return body.json(),
            Ok(n) => body.push(&chunk[..n])?,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(body.failed(&err, timeout)),
        }
    }
}

/// `sync-fetch http`: the port's loop, with a real request in place of the sleep.
pub fn run_http(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let run = match HttpRun::start(common, matches) {
        Ok(run) => run,
        Err(code) => return code,
    };

    let started = clock.elapsed(); // Python's `start_time = time.time()`
    let mut spans = Vec::with_capacity(run.names.len());
    let mut failed = 0;
    demo_kit::narration::begin(run.names.len()); // above 10 sites: the first lines and a count
    for (i, site) in run.names.iter().enumerate() {
        let url = run.url(site, common.delay_ms);
        let (result, span) = clock.span(i, || {
            say!("Fetching data from website {site}...");
            let result = run.get(&url);
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
            Err(reason) => {
                demo_kit::error(format_args!("website {site}: GET {url}: {reason}"));
                failed += 1;
            }
        }
    }
    demo_kit::narration::end();
    say!(
        "{}",
        sites::fetched_line(run.names.len(), failed, clock.elapsed() - started)
    );

    let ideal_ms = common.tasks as f64 * common.delay_ms as f64; // sequential: tasks × delay
    Summary::new("sync-fetch", "http", common, ideal_ms)
        .with("base_url", run.target.base.clone())
        .finish(clock, spans, failed)
}

/// `sync-fetch get [URL]`: `data = get_data_sync(url); print(data)`.
pub fn run_get(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    let given = matches.get_one::<String>("url");
    let delay_ms = match given {
        Some(_) => 0,
        None => args::get_delay_ms(matches, common.delay_ms),
    };
    let timeout = Duration::from_millis(args::timeout_ms(matches, delay_ms));

    install_tls_provider();
    let (url, _server) = match given {
        Some(url) => (url.clone(), None),
        None => match in_process_server() {
            Ok(target) => (sites::document_url(&target.base, delay_ms), target._server),
            Err(code) => return code,
        },
    };
    let client = match client(timeout) {
        Ok(client) => client,
        Err(code) => return code,
    };
    let max_body = args::max_body_bytes(matches);
    let (result, span) = clock.span(0, || get_json::<Value>(&client, &url, timeout, max_body));
    let failed = match result {
        Ok(data) => {
            // `print(data)`: Python prints the dict; we print the decoded JSON.
            say!(
                "{}",
                serde_json::to_string_pretty(&data).unwrap_or_else(|_| data.to_string())
            );
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
        ..*common
    };
    Summary::new("sync-fetch", "get", &one, delay_ms as f64)
        .with("url", url)
        .finish(clock, vec![span], failed)
}
