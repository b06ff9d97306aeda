//! async-fetch as a user runs it: every mode, the faults, Ctrl-C, bad input.
//! Short delays, loopback only; timing is checked as broad ratios, never as
//! "finishes within X ms".

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::{
    self, Run, assert_each_span_at_least, assert_spans_in_turn, assert_spans_overlap, num,
};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> Run {
    testing::run(cargo_bin!("async-fetch"), args)
}

/// Runs with `--json` and parses the one JSON object on stdout.
fn run_json(args: &[&str]) -> (Run, Value) {
    testing::run_json(cargo_bin!("async-fetch"), args)
}

#[test]
fn the_port_runs_the_fetches_together() {
    let out = run(&["--tasks", "3", "--delay-ms", "300"]);
    out.assert_exit(0);
    for site in ["A", "B", "C"] {
        assert!(
            out.stdout
                .contains(&format!("Fetching data from website {site}...\n"))
        );
        assert!(
            out.stdout
                .contains(&format!("Finished fetching data from website {site}.\n"))
        );
    }
    // All three start before any finishes: the loop switched while they waited.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[..3].iter().all(|l| l.starts_with("Fetching")),
        "{lines:?}"
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("All data fetched in 0.") && last.ends_with(" seconds."),
        "{last}"
    );
}

#[test]
fn json_summary_of_the_port() {
    for runtime in ["current", "multi"] {
        let (out, summary) = run_json(&["--tasks", "4", "--delay-ms", "200", "--runtime", runtime]);
        out.assert_exit(0);
        assert_eq!(summary["demo"], "async-fetch");
        assert_eq!(summary["variant"], "simulated");
        assert_eq!(
            (summary["ok"].as_u64(), summary["failed"].as_u64()),
            (Some(4), Some(0))
        );
        assert_eq!(num(&summary, "ideal_ms"), 200.0);
        // Concurrent: well under the 800 ms the fetches would take in turn.
        assert!(num(&summary, "elapsed_ms") < 0.6 * 800.0, "{summary}");
        assert_spans_overlap(&summary);
        // The narrative moved to stderr.
        assert!(out.stderr.contains("All data fetched in"));
    }
}

#[test]
fn ten_thousand_tasks_share_one_thread() {
    let (out, summary) = run_json(&["--tasks", "10000", "--delay-ms", "200"]);
    out.assert_exit(0);
    assert_eq!(summary["ok"], 10_000);
    assert_eq!(summary["spans"].as_array().unwrap().len(), 10_000);
    // In turn this would take 2,000 s; together it is a small multiple of one delay.
    assert!(
        num(&summary, "elapsed_ms") < 10.0 * 200.0,
        "{}",
        summary["elapsed_ms"]
    );
    assert!(summary["max_rss_kb"].as_u64().unwrap() > 0);
}

#[test]
fn blocking_sleep_serialises_the_tasks() {
    let (out, summary) = run_json(&["blocking", "--tasks", "3", "--delay-ms", "200"]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "blocking");
    let (blocking, cooperative) = (
        num(&summary, "blocking_ms"),
        num(&summary, "cooperative_ms"),
    );
    // Ideally 3×: a wide margin for a busy machine (the cooperative round
    // may take twice its ideal); the spans below show the order itself.
    assert!(blocking > 1.5 * cooperative, "{blocking} vs {cooperative}");
    // Each task's finish time is shown, in both rounds.
    assert_eq!(out.stderr.matches(" (at ").count(), 6, "{}", out.stderr);
    // The blocking round's spans follow one another.
    assert_spans_in_turn(&summary);
}

#[test]
fn offloading_keeps_the_heartbeat_on_time() {
    let (out, summary) = run_json(&[
        "offload",
        "--tasks",
        "2",
        "--delay-ms",
        "400",
        "--beat-ms",
        "20",
    ]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "offload");
    let (inline, offloaded) = (
        num(&summary, "inline_max_lag_ms"),
        num(&summary, "offloaded_max_lag_ms"),
    );
    // Inline, the heartbeat waits out at least one whole job.
    assert!(inline > 0.5 * 400.0, "{inline}");
    assert!(inline > 3.0 * offloaded, "{inline} vs {offloaded}");
    assert!(
        out.stderr.contains("Worst heartbeat delay"),
        "{}",
        out.stderr
    );
}

/// Each job is a fixed amount of work, not a fixed time: twice as many jobs
/// as cores cannot all finish in one job's time, even offloaded.
#[test]
fn offloaded_jobs_share_the_cores() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores > 4 {
        return; // 2 × cores jobs would make this test slow; the point shows on few cores
    }
    let tasks = (2 * cores).to_string();
    let (out, summary) = run_json(&["offload", "--tasks", &tasks, "--delay-ms", "300"]);
    out.assert_exit(0);
    assert_eq!(num(&summary, "cores"), cores as f64);
    let offloaded = num(&summary, "offloaded_ms");
    // Ideal: 2 × 300 ms; a fixed-time job would end at 300 ms.
    assert!(offloaded > 1.3 * 300.0, "{offloaded}: {summary}");
    assert!(out.stderr.contains("shared"), "{}", out.stderr);
}

#[test]
fn http_fetches_from_the_in_process_server() {
    let (out, summary) = run_json(&["http", "--tasks", "5", "--delay-ms", "300"]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "http");
    assert_eq!(summary["ok"], 5);
    assert!(
        summary["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    // Well under the 1.5 s of five fetches in turn: 900 ms, three times the ideal.
    assert!(num(&summary, "elapsed_ms") < 0.6 * 1500.0, "{summary}");
    assert_spans_overlap(&summary);
    assert!(
        out.stderr
            .contains("Finished fetching data from website E.")
    );
}

#[test]
fn http_holds_a_thousand_requests_at_once() {
    let (out, summary) = run_json(&["http", "--tasks", "1000", "--delay-ms", "2000"]);
    assert_eq!(out.code, Some(0), "{}", out.error_lines().join("\n"));
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(1000), Some(0))
    );
    // At once, not merely soon after one another: every request waited its
    // 2 s, and there is a moment when all 1,000 were waiting. A 2 s delay
    // leaves a loaded machine time to send the last before the first returns.
    assert_each_span_at_least(&summary, 2000.0);
    assert_spans_overlap(&summary);
}

/// With the open-file limit at 1,024 (soft and hard), 1,000 requests with
/// the server in the same process need 2,000 descriptors: the run waits
/// its turn instead of failing with "Too many open files".
#[test]
fn http_stays_within_a_low_open_file_limit() {
    let mut cmd = std::process::Command::new(cargo_bin!("async-fetch"));
    cmd.args(["http", "--tasks", "1000", "--delay-ms", "100", "--json"]);
    use nix::sys::resource::{Resource, setrlimit};
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only setrlimit runs, which is
    // async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            setrlimit(Resource::RLIMIT_NOFILE, 1024, 1024)?;
            Ok(())
        });
    }
    let out = Run::of(&mut cmd);
    assert_eq!(out.code, Some(0), "{}", out.error_lines().join("\n"));
    assert!(
        out.stderr.contains("the open-file limit is 1024"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["ok"], 1000);
}

#[test]
fn max_in_flight_one_fetches_in_turn() {
    let (out, summary) = run_json(&[
        "http",
        "--tasks",
        "3",
        "--delay-ms",
        "100",
        "--max-in-flight",
        "1",
    ]);
    out.assert_exit(0);
    assert_spans_in_turn(&summary);
}

#[test]
fn each_fault_is_one_error_line_and_the_others_finish() {
    let (out, summary) = run_json(&[
        "http",
        "--tasks",
        "6",
        "--delay-ms",
        "100",
        "--timeout-ms",
        "1000",
        "--fault",
        "A=refused",
        "--fault",
        "B=status",
        "--fault",
        "C=invalid",
        "--fault",
        "D=timeout",
    ]);
    out.assert_exit(1);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(4))
    );
    let errors = out.error_lines();
    assert_eq!(errors.len(), 4, "{errors:?}");
    for (site, words) in [
        ("A", "could not connect"),
        ("B", "503"),
        ("C", "not the JSON expected"),
        ("D", "timed out after 1000 ms"),
    ] {
        let line = errors
            .iter()
            .find(|l| l.contains(&format!("/site/{site}?")))
            .unwrap_or_else(|| panic!("no error line for {site}: {errors:?}"));
        assert!(
            line.contains("http://127.0.0.1:") && line.contains(words),
            "{line}"
        );
    }
    for site in ["E", "F"] {
        assert!(
            out.stderr
                .contains(&format!("Finished fetching data from website {site}."))
        );
    }
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn a_server_nobody_runs_fails_every_fetch_but_ends_cleanly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let (out, summary) = run_json(&[
        "http",
        "--tasks",
        "2",
        "--delay-ms",
        "10",
        "--base-url",
        &base,
    ]);
    out.assert_exit(1);
    assert_eq!(summary["failed"], 2);
    assert_eq!(out.error_lines().len(), 2, "{}", out.stderr);
}

#[test]
fn http_against_another_server() {
    let server = slow_server::Server::start().unwrap();
    let (out, summary) = run_json(&[
        "http",
        "--tasks",
        "2",
        "--delay-ms",
        "300",
        "--base-url",
        &server.base_url(),
    ]);
    out.assert_exit(0);
    assert_eq!(summary["base_url"], server.base_url());
    // The other server answered both sites, and held them at the same time.
    let (status, counted) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(slow_server::load::get(server.addr(), "/stats"))
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        (
            counted["served"].as_u64(),
            counted["max_in_flight"].as_u64()
        ),
        (Some(2), Some(2)),
        "{counted}"
    );
    server.shutdown();
}

#[test]
fn get_prints_the_document() {
    let out = run(&["get"]);
    out.assert_exit(0);
    let document: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(document["id"], 1);

    let (out, summary) = run_json(&["get"]);
    out.assert_exit(0);
    assert_eq!(
        (summary["variant"].as_str(), summary["ok"].as_u64()),
        (Some("get"), Some(1))
    );
    assert!(out.stderr.contains("\"id\": 1"), "{}", out.stderr);
    assert_eq!(summary["delay_ms"], 0);

    // `--delay-ms`, when given, reaches the in-process server.
    let (out, summary) = run_json(&["get", "--delay-ms", "100"]);
    out.assert_exit(0);
    assert!(
        summary["url"]
            .as_str()
            .unwrap()
            .ends_with("/data/1?delay_ms=100"),
        "{summary}"
    );
    assert!(out.stderr.contains("\"delay_ms\": 100"), "{}", out.stderr);
}

#[test]
fn get_of_a_url_that_fails() {
    let server = slow_server::Server::start().unwrap();
    let url = format!("{}/data/7?status=404", server.base_url());
    let out = run(&["get", &url]);
    out.assert_exit(1);
    assert_eq!(
        out.error_lines(),
        [format!(
            "error: GET {url}: the server answered 404 Not Found"
        )]
    );
    let url = format!("{}/data/7?delay_ms=2000", server.base_url());
    let out = run(&["get", &url, "--timeout-ms", "200"]);
    out.assert_exit(1);
    assert!(
        out.stderr.contains("timed out after 200 ms"),
        "{}",
        out.stderr
    );
}

#[test]
fn ctrl_c_ends_the_run_cleanly() {
    let mut child = std::process::Command::new(cargo_bin!("async-fetch"))
        .args(["--delay-ms", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "Fetching data from website A...\n");
    // Our own child, still running: we hold its stdout and have not waited on it.
    kill(
        Pid::from_raw(i32::try_from(child.id()).unwrap()),
        Signal::SIGINT,
    )
    .unwrap();
    let out = Run::from(child.wait_with_output().unwrap());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run was not cut short"
    );
    out.assert_exit(130);
    assert!(
        out.stderr.starts_with("Interrupted by Ctrl-C after "),
        "{out}"
    );
    assert!(!out.stderr.contains("panicked"), "{out}");
}

#[test]
fn bad_input_is_one_error_line_and_exit_2() {
    for args in [
        &["--tasks", "0"][..],
        &["--delay-ms", "soon"],
        &["--runtime", "fast"],
        &["http", "--fault", "B"],
        &["http", "--fault", "B=slow"],
        &["http", "--fault", "Z=status"],
        &["http", "--timeout-ms", "0"],
        &["http", "--base-url", "ftp://127.0.0.1/"],
        &["http", "--fault", "B=status", "--fault", "b=invalid"],
        &["http", "--fault", "A=timeout", "--timeout-ms", "59500"],
        &["get", "not a url"],
        &["offload", "--beat-ms", "0"],
        &["nope"],
    ] {
        run(args).assert_usage_error();
    }
}

#[test]
fn help_names_the_python_it_ports() {
    let out = run(&["--help"]);
    out.assert_exit(0);
    assert!(out.stdout.contains("asyncio.gather"));
    let out = run(&["offload", "--help"]);
    assert!(out.stdout.contains("run_in_executor"));
}
