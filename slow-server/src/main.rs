//! The local slow server on its own, for curl and for other processes:
//! "websites" on 127.0.0.1 that answer after a delay you choose.
//!
//! ```text
//! cargo run -p slow-server                 # a free port
//! cargo run -p slow-server -- --port 8080  # a fixed one
//! cargo run -p slow-server -- load --url http://127.0.0.1:8080 --requests 1000 --delay-ms 500
//! ```
//!
//! ```text
//! slow-server listening on http://127.0.0.1:8080
//! open-file limit: soft 1024 raised to 20000 (the hard limit)
//! try:
//!   curl 'http://127.0.0.1:8080/site/A?delay_ms=2000'
//!   …
//! Ctrl-C stops it.
//! ```
//!
//! `load` is the other side: a client process that sends many slow requests
//! at once and reports how many came back, to show that the server holds them.

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use demo_kit::say;
use slow_server::server::HEADER_READ_TIMEOUT;
use slow_server::{MAX_DELAY_MS, fdlimit, load};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::task::Poll;

fn command() -> Command {
    Command::new("slow-server")
        .about("Local \"websites\" on 127.0.0.1 that answer after a delay")
        .long_about(format!(
            "Local \"websites\" on 127.0.0.1 that answer after a delay: the offline stand-in \
             for the servers the article's fetch examples reach.\n\
             Routes: GET /site/{{name}}?delay_ms=N, GET /data/{{id}}?delay_ms=N, GET /stats; \
             any route takes status=CODE and body=invalid to fail on purpose.\n\
             Idle connections are closed: one that has not sent a whole request head \
             (request line and headers) within {timeout} s of opening, or of its previous \
             answer when kept alive, is closed (hyper's header-read timeout, which also \
             serves as the keep-alive idle timeout). A route's own delay_ms, up to {max} s, \
             is not cut short by it.",
            timeout = HEADER_READ_TIMEOUT.as_secs(),
            max = MAX_DELAY_MS / 1000,
        ))
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("P")
                .help("Port on 127.0.0.1 (0: let the OS pick)")
                .value_parser(value_parser!(u16))
                .default_value("0"),
        )
        .subcommand(
            Command::new("load")
                .about("Send many slow requests at once to a running slow-server and count the answers")
                .arg(
                    Arg::new("url")
                        .long("url")
                        .value_name("URL")
                        .help("The server, as http://IP:PORT")
                        .required(true),
                )
                .arg(
                    Arg::new("requests")
                        .long("requests")
                        .value_name("N")
                        .help("How many requests in all")
                        .value_parser(value_parser!(u64).range(1..=100_000))
                        .default_value("1000"),
                )
                .arg(
                    Arg::new("concurrency")
                        .long("concurrency")
                        .value_name("N")
                        .help("How many in flight at once [default: all of them]")
                        .value_parser(value_parser!(u64).range(1..=100_000)),
                )
                .arg(
                    Arg::new("delay-ms")
                        .long("delay-ms")
                        .value_name("MS")
                        .help("The delay each request asks for")
                        .value_parser(value_parser!(u64).range(0..=MAX_DELAY_MS))
                        .default_value("500"),
                )
                .arg(
                    Arg::new("fd-limit")
                        .long("fd-limit")
                        .value_name("N")
                        .help("Set this client's open-file soft limit first (e.g. 1024)")
                        // 1,048,576 is Linux's usual fs.nr_open: no process may hold more.
                        .value_parser(value_parser!(u64).range(16..=1_048_576)),
                )
                .arg(
                    Arg::new("json")
                        .long("json")
                        .help("Print one JSON object on stdout")
                        .action(ArgAction::SetTrue),
                ),
        )
}

fn main() -> ExitCode {
    let matches = demo_kit::cli::parse(command());
    match matches.subcommand() {
        Some(("load", sub)) => run_load(sub),
        _ => {
            let port = matches.get_one::<u16>("port").copied().unwrap_or(0);
            serve(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Serves until Ctrl-C, then shuts down gracefully.
fn serve(addr: SocketAddr) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(err) => {
            demo_kit::error(format_args!("could not start the runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let before = fdlimit::get().ok();
        let server = match slow_server::spawn(addr).await {
            Ok(server) => server,
            Err(err) => {
                demo_kit::error(format_args!("could not listen on {addr}: {err}"));
                return ExitCode::FAILURE;
            }
        };
        // Poll the Ctrl-C future once so its handler is installed before we
        // tell anyone that Ctrl-C works (a SIGINT before that would kill us
        // outright instead of shutting down gracefully).
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        let early = std::future::poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx))).await;
        let base = server.base_url();
        say!("slow-server listening on {base}");
        match (before, fdlimit::get().ok()) {
            (Some(before), Some(after)) if after.soft > before.soft => say!(
                "open-file limit: soft {} raised to {} (the hard limit)",
                before.soft,
                after.soft
            ),
            (_, Some(after)) => say!("open-file limit: soft {}", after.soft),
            _ => {}
        }
        say!("try:");
        for (path, note) in [
            ("/site/A?delay_ms=2000", "website A, after 2 s"),
            ("/data/1", "a small JSON document"),
            ("/stats", "requests in flight now and at most"),
            ("/site/A?status=503", "fail on purpose: an error status"),
            (
                "/site/A?body=invalid",
                "fail on purpose: a body that is not JSON",
            ),
            ("/site/A?delay_ms=999999", "refused: 400 with a JSON error"),
        ] {
            say!("  curl -i '{base}{path}'  # {note}");
        }
        say!("Ctrl-C stops it.");
        let interrupted = match early {
            Poll::Ready(result) => result,
            Poll::Pending => ctrl_c.await,
        };
        if let Err(err) = interrupted {
            demo_kit::error(format_args!("cannot wait for Ctrl-C: {err}"));
        }
        say!("slow-server: stopping (requests in flight may finish)");
        server.shutdown_async().await;
        say!("slow-server: stopped");
        ExitCode::SUCCESS
    })
}

/// `slow-server load`: the client side of the 1,000-request test.
fn run_load(matches: &ArgMatches) -> ExitCode {
    let number = |id: &str| matches.get_one::<u64>(id).copied();
    let url = matches.get_one::<String>("url").map_or("", String::as_str);
    let addr = match load::parse_addr(url) {
        Ok(addr) => addr,
        Err(message) => demo_kit::cli::usage_error(message),
    };
    let requests = number("requests").unwrap_or(1000) as usize;
    let plan = load::Plan {
        addr,
        requests,
        concurrency: number("concurrency").map_or(requests, |n| n as usize),
        delay_ms: number("delay-ms").unwrap_or(500),
    };
    let json = matches.get_flag("json");
    // (A plain `if let` inside: let-chains need Rust 1.88, the workspace says 1.85.)
    if let Some(limit) = number("fd-limit") {
        if let Err(err) = fdlimit::set_soft(limit) {
            demo_kit::error(format_args!(
                "could not set the open-file limit to {limit}: {err}"
            ));
            return ExitCode::FAILURE;
        }
    }
    let soft = fdlimit::get().ok().map(|l| l.soft);
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(err) => {
            demo_kit::error(format_args!("could not start the runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    // The narrative goes to stderr under --json; neither stream panics when closed.
    demo_kit::narrate_to_stderr(json);
    let line = |text: String| say!("{text}");
    line(format!(
        "load: {} requests to {addr}, {} at a time, each asking for {} ms; this process's open-file soft limit: {}",
        plan.requests,
        plan.concurrency,
        plan.delay_ms,
        soft.map_or("unknown".into(), |s| s.to_string())
    ));
    let report = runtime.block_on(load::run(&plan));
    line(format!(
        "load: {} ok, {} failed in {:.2} s; at most {} of these requests were open at once{}",
        report.ok,
        report.failed(),
        report.elapsed_ms / 1e3,
        report.max_in_flight,
        report
            .server_max_in_flight
            .map_or(String::new(), |n| format!(
                " (the server's most at once since it started: {n})"
            ))
    ));
    for (reason, count) in &report.errors {
        demo_kit::error(format_args!("{count} requests failed: {reason}"));
    }
    if json {
        demo_kit::write_stdout(&format!("{}\n", report.to_json(&plan, soft)));
    }
    demo_kit::cli::exit_code(report.failed())
}
