//! `sync-fetch threads`: the same blocking fetches, one thread per site.
//!
//! The article's first multithreading example downloads several files with
//! one thread each, and its section on threads and asyncio says both suit
//! waiting on I/O. Here each site gets its own `std::thread`; the call inside
//! still blocks, but only its own thread, so the waits overlap and 3 sites ×
//! 2 s take about 2 s, as `async-fetch` does with tasks on one thread.
//!
//! - `sync-fetch threads`: each thread runs the port's `fetch_data`
//!   (`thread::sleep`);
//! - `sync-fetch threads http`: each thread makes a real blocking GET to the
//!   local slow server with one shared `reqwest::blocking::Client` (Python:
//!   `ThreadPoolExecutor` with `urllib.request.urlopen` per site).
//!
//! reqwest's blocking client runs its sockets on a tokio runtime of its own,
//! on one background thread, and each calling thread waits for its answer;
//! Python's `urlopen` reads the socket on the calling thread. Either way, a
//! thread per site is what the program's own code does.
//!
//! A site that fails (`--fault B=status`, a timeout, a refused connection, a
//! thread that cannot be started) is one `error:` line; the other threads
//! still finish and are counted, and the run exits 1.

use crate::http::HttpRun;
use clap::{ArgMatches, Command};
use demo_kit::{Clock, Common, Limits, Span, Summary, say};
use fetch_client::{args, sites};
use std::process::ExitCode;
use std::thread;

/// `sync-fetch threads` and its `http` subcommand, each with the common flags.
pub fn command(limits: Limits) -> Command {
    Command::new("threads")
        .about("The same blocking fetches, one thread per site: about one delay in all")
        .long_about(
            "One std::thread per site, each running the blocking fetch_data (thread::sleep).\n\
             Python: threading.Thread(target=fetch_data, args=(site,)) per site, started, then \
             joined.",
        )
        .subcommand(
            Command::new("http")
                .about("One thread per site, each a real blocking GET with reqwest::blocking")
                .long_about(
                    "One std::thread per site, each a blocking GET /site/{name}?delay_ms=… with \
                     one shared reqwest::blocking::Client, to the in-process slow server or \
                     --base-url.\n\
                     Python: a ThreadPoolExecutor with a worker per site, each calling \
                     urllib.request.urlopen.",
                )
                .arg(args::base_url_arg())
                .arg(args::timeout_arg())
                .arg(args::max_body_arg())
                .arg(args::fault_arg())
                .args(Common::args(limits)),
        )
        .args(Common::args(limits))
}

/// Runs `threads`, or `threads http`, which reads its own common flags, not `common`.
pub fn run(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    match matches.subcommand() {
        Some(("http", http)) => {
            let common = Common::from_matches(http);
            common.set_narration();
            run_http(clock, &common, http)
        }
        _ => run_simulated(clock, common),
    }
}

/// Runs `fetch(i, site)` for every site on a thread of its own, all at once,
/// and returns each site's span and how many failed. A thread that cannot be
/// started, or that panics, counts as a failed site with one `error:` line;
/// the threads that did start are all joined.
fn on_threads<F>(clock: Clock, names: &[String], fetch: F) -> (Vec<Span>, usize)
where
    F: Fn(&str) -> bool + Sync,
{
    let fetch = &fetch;
    let mut spans = Vec::with_capacity(names.len());
    let mut failed = 0;
    // Scoped threads may borrow `names` and `fetch`; the scope joins them all.
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(names.len());
        for (i, site) in names.iter().enumerate() {
            let started = thread::Builder::new()
                .name(format!("website {site}"))
                .spawn_scoped(scope, move || clock.span(i, || fetch(site)));
            match started {
                Ok(handle) => handles.push((site, handle)),
                Err(err) => {
                    demo_kit::error(format_args!(
                        "website {site}: could not start a thread: {err}"
                    ));
                    failed += 1;
                }
            }
        }
        for (site, handle) in handles {
            match handle.join() {
                Ok((ok, span)) => {
                    failed += usize::from(!ok);
                    spans.push(span);
                }
                Err(_) => {
                    demo_kit::error(format_args!("website {site}: its thread panicked"));
                    failed += 1;
                }
            }
        }
    });
    (spans, failed)
}

/// Each thread runs the port's `fetch_data`: its own `thread::sleep`.
fn run_simulated(clock: Clock, common: &Common) -> ExitCode {
    let names: Vec<String> = sites::names(common.tasks).collect();
    let delay = common.delay();
    demo_kit::narration::begin(names.len()); // above 10 sites: the first lines and a count
    let (spans, failed) = on_threads(clock, &names, |site| {
        let data = crate::fetch_data(site, delay);
        data == format!("Data from website {site}")
    });
    demo_kit::narration::end();
    say!(
        "{}",
        sites::fetched_line(names.len(), failed, clock.elapsed())
    );
    // Side by side: the ideal is one delay, as for async-fetch.
    Summary::new("sync-fetch", "threads", common, common.delay_ms as f64)
        .finish(clock, spans, failed)
}

/// Each thread makes one blocking GET; the client and its connection pool are shared.
fn run_http(clock: Clock, common: &Common, matches: &ArgMatches) -> ExitCode {
    // Each thread holds a connection, and with the in-process server each
    // connection is two descriptors: ask for the hard open-file limit.
    let _ = slow_server::fdlimit::raise_to_hard();
    let run = match HttpRun::start(common, matches) {
        Ok(run) => run,
        Err(code) => return code,
    };

    let started = clock.elapsed();
    demo_kit::narration::begin(run.names.len());
    let (spans, failed) = on_threads(clock, &run.names, |site| {
        let url = run.url(site, common.delay_ms);
        say!("Fetching data from website {site}...");
        match run.get(&url) {
            Ok(_) => {
                say!("Finished fetching data from website {site}.");
                true
            }
            Err(reason) => {
                demo_kit::error(format_args!("website {site}: GET {url}: {reason}"));
                false
            }
        }
    });
    demo_kit::narration::end();
    say!(
        "{}",
        sites::fetched_line(run.names.len(), failed, clock.elapsed() - started)
    );
    Summary::new("sync-fetch", "threads-http", common, common.delay_ms as f64)
        .with("base_url", run.target.base.clone())
        .finish(clock, spans, failed)
}
