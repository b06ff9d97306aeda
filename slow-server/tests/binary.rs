//! The `slow-server` binary as a separate process: its startup lines, Ctrl-C,
//! bad input, and the 1,000-concurrent-request load from another process.

use demo_kit::testing::{self, Run};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_slow-server");

/// A server process, stopped with SIGINT (Ctrl-C) or killed when dropped.
struct Running {
    child: Child,
    url: String,
    lines: Vec<String>,
}

impl Running {
    /// Starts the binary through `sh` with the open-file soft limit at
    /// `soft_limit`, as a user whose shell says `ulimit -S -n 1024` would;
    /// the server may still raise it to the hard limit.
    fn start(soft_limit: u64) -> Running {
        Self::start_with_ulimit(&format!("-S -n {soft_limit}"))
    }

    /// Starts the binary through `sh` after `ulimit ULIMIT_ARGS`.
    fn start_with_ulimit(ulimit_args: &str) -> Running {
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit {ulimit_args} && exec \"$0\""))
            .arg(BIN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "server ended early: {lines:?}"
            );
            let done = line.starts_with("Ctrl-C");
            lines.push(line.trim_end().to_string());
            if done {
                break;
            }
        }
        let url = lines[0]
            .strip_prefix("slow-server listening on ")
            .unwrap_or_else(|| panic!("first line: {:?}", lines[0]))
            .to_string();
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in stdout.lines() {});
        Running { child, url, lines }
    }

    fn interrupt(mut self) -> std::process::Output {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        kill(pid, Signal::SIGINT).unwrap();
        let child = std::mem::replace(&mut self.child, dummy());
        child.wait_with_output().unwrap()
    }
}

/// A finished process to leave in place of the real child once it is waited for.
fn dummy() -> Child {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let _ = child.wait();
    child
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hard_limit() -> u64 {
    slow_server::fdlimit::get().unwrap().hard
}

#[test]
fn prints_its_address_and_curl_lines_and_stops_on_ctrl_c() {
    let server = Running::start(1024);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let curls = server
        .lines
        .iter()
        .filter(|l| l.trim_start().starts_with("curl "))
        .count();
    assert!(curls >= 3, "{:?}", server.lines);
    assert!(
        server
            .lines
            .iter()
            .any(|l| l.contains(&format!("{}/site/A", server.url)))
    );
    if hard_limit() > 1024 {
        assert!(
            server
                .lines
                .iter()
                .any(|l| l.contains("soft 1024 raised to")),
            "{:?}",
            server.lines
        );
    }
    let out = Run::from(server.interrupt());
    out.assert_exit(0);
    assert!(out.stderr.is_empty(), "{out}");
}

#[test]
fn help_states_the_idle_timeouts() {
    let out = testing::run(BIN, &["--help"]);
    out.assert_exit(0);
    let secs = slow_server::server::HEADER_READ_TIMEOUT.as_secs();
    assert!(out.stdout.contains(&format!("within {secs} s")), "{out}");
    assert!(out.stdout.contains("keep-alive idle timeout"), "{out}");
}

#[test]
fn bad_port_is_one_error_line_and_exit_2() {
    let out = testing::run(BIN, &["--port", "70000"]);
    out.assert_usage_error();
    assert!(out.stderr.contains("--port"), "{out}");
}

#[test]
fn fd_limit_out_of_range_names_its_range() {
    let out = testing::run(
        BIN,
        &["load", "--url", "http://127.0.0.1:1", "--fd-limit", "5"],
    );
    out.assert_usage_error();
    assert!(out.stderr.contains("16..=1048576"), "{out}");
}

#[test]
fn load_needs_an_ip_url() {
    let out = testing::run(BIN, &["load", "--url", "http://localhost:1"]);
    out.assert_usage_error();
    assert!(
        out.stderr.starts_with("error: expected http://IP:PORT"),
        "{out}"
    );
}

/// Runs `slow-server load --url URL ARGS --json`; returns the run and its report.
fn load(url: &str, args: &[&str]) -> (Run, Value) {
    testing::run_json(BIN, &[&["load", "--url", url], args].concat())
}

/// The server's promise: 1,000 slow requests at once from another process,
/// 0 errors, with that client process's soft limit at 1024. The server was
/// also started at 1024 and raised its own limit.
#[test]
fn holds_1000_concurrent_slow_requests_from_another_process() {
    let server = Running::start(1024);
    let (out, report) = load(
        &server.url,
        &[
            "--requests",
            "1000",
            "--delay-ms",
            "500",
            "--fd-limit",
            "1024",
        ],
    );
    out.assert_exit(0);
    assert_eq!(report["ok"], 1000, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["fd_soft_limit"], 1024, "{report}");
    // Broad: the server held most of them at the same moment (one after
    // another they would have taken 500 s; the timing is not asserted).
    let held = report["server_max_in_flight"].as_u64().unwrap();
    assert!(held > 500, "{report}");
    let this_run = report["max_in_flight"].as_u64().unwrap();
    assert!(this_run > 500 && this_run <= 1000, "{report}");
    Run::from(server.interrupt()).assert_exit(0);
}

/// A client whose limit is below the number of sockets it wants fails with
/// EMFILE, which is why the load above needs 1,000 < 1024 − a few; bounding
/// the connections in flight fixes it.
#[test]
fn a_low_client_limit_fails_unless_connections_are_bounded() {
    let server = Running::start(1024);
    let (out, report) = load(
        &server.url,
        &["--requests", "100", "--delay-ms", "300", "--fd-limit", "40"],
    );
    out.assert_exit(1);
    let failed = report["failed"].as_u64().unwrap();
    assert!(failed > 0, "{report}");
    assert_eq!(report["ok"].as_u64().unwrap() + failed, 100, "{report}");
    // Every failure is counted once, under its reason.
    let errors = report["errors"].as_object().unwrap();
    let by_reason: u64 = errors.values().filter_map(Value::as_u64).sum();
    assert_eq!(by_reason, failed, "{report}");
    assert!(
        errors
            .keys()
            .any(|reason| reason.contains("Too many open files")),
        "{report}"
    );
    assert!(out.stderr.contains("Too many open files"), "{out}");
    assert!(!out.error_lines().is_empty(), "{out}");

    // 300 ms per request: long enough that all 20 allowed are connected at once.
    let (out, report) = load(
        &server.url,
        &[
            "--requests",
            "100",
            "--delay-ms",
            "300",
            "--fd-limit",
            "40",
            "--concurrency",
            "20",
        ],
    );
    out.assert_exit(0);
    assert_eq!(report["ok"], 100, "{report}");
    // This run's own count reaches its bound and no more, whatever the
    // server held for the earlier, unbounded run (its max is since it started).
    let this_run = report["max_in_flight"].as_u64().unwrap();
    let server_max = report["server_max_in_flight"].as_u64().unwrap();
    assert_eq!(this_run, 20, "{report}");
    assert!(server_max >= this_run, "{report}");
}

/// The slowloris case: a server held to 1,024 files (soft and hard, so it
/// cannot raise it) and 1,100 connections that each sent half a request.
/// Without a header-read timeout they would hold every descriptor for ever
/// and a normal request would wait in the backlog until its client gave up;
/// with it, the server closes them and the normal request is answered.
#[test]
fn half_sent_requests_past_the_file_limit_do_not_starve_a_normal_one() {
    use slow_server::server::HEADER_READ_TIMEOUT;
    use std::io::{ErrorKind, Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    // This test process holds the 1,100 sockets itself.
    let (_, ours) = slow_server::fdlimit::raise_to_hard().unwrap();
    assert!(
        ours.soft > 1_300,
        "this test needs 1,300 open files: {ours:?}"
    );
    let server = Running::start_with_ulimit("-n 1024");
    let addr = server.url.strip_prefix("http://").unwrap().to_string();
    let mut held = Vec::new();
    for _ in 0..1_100 {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .write_all(b"GET /site/A?delay_ms=0 HTTP/1.1\r\nHost: t\r\nX-Half: ")
            .unwrap();
        held.push(stream);
    }
    let start = Instant::now();
    let mut normal = TcpStream::connect(&addr).unwrap();
    normal
        .write_all(b"GET /data/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The client's patience: well past the timeout plus a margin.
    normal
        .set_read_timeout(Some(HEADER_READ_TIMEOUT * 4))
        .unwrap();
    let mut answer = String::new();
    let read = normal.read_to_string(&mut answer);
    let waited = start.elapsed();
    assert!(read.is_ok(), "no answer after {waited:?}: {read:?}");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer:?}");
    assert!(
        waited < HEADER_READ_TIMEOUT + Duration::from_secs(10),
        "{waited:?}"
    );
    // The half-sent connections were closed by the server, not by us.
    let mut closed = 0;
    for stream in &mut held {
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        // End of stream or a reset: the server hung up; a read timeout: still open.
        match stream.read(&mut [0; 64]) {
            Ok(0) => closed += 1,
            Err(err) if !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                closed += 1
            }
            _ => {}
        }
    }
    drop(held);
    // Most were: those the server had accepted (about 1,000) by the timeout,
    // the rest in turn, once accepted.
    assert!(
        closed > 500,
        "only {closed} of 1,100 half-sent connections were closed"
    );
    Run::from(server.interrupt()).assert_exit(0);
}

/// `slow-server | head -1`, then Ctrl-C: every later line goes to a closed
/// pipe; the server must still stop cleanly, not panic. The same for `load`.
#[test]
fn a_closed_stdout_is_no_panic() {
    let mut child = std::process::Command::new(BIN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim_end()
        .strip_prefix("slow-server listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    drop(stdout); // `head -1` has left: the read end is closed

    for args in [&["--json"][..], &[]] {
        let mut load = vec!["load", "--url", &url, "--requests", "3", "--delay-ms", "0"];
        load.extend_from_slice(args);
        let out = testing::run_with_closed_stdout(BIN, &load);
        out.assert_exit(0);
        assert!(!out.stderr.contains("panicked"), "{out}");
    }

    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    kill(pid, Signal::SIGINT).unwrap();
    let out = Run::from(child.wait_with_output().unwrap());
    out.assert_exit(0);
    assert!(!out.stderr.contains("panicked"), "{out}");
}
