//! sync-fetch as a user runs it: every mode, every fault, bad input.
//! Short delays; loopback only (the in-process slow server, or one started here).

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::{
    self, Run, assert_each_span_at_least, assert_spans_in_turn, num, timeline_bars,
};
use serde_json::Value;
use slow_server::Server;

fn run(args: &[&str]) -> Run {
    testing::run(cargo_bin!("sync-fetch"), args)
}

/// Runs with `--json` and parses the one JSON object on stdout.
fn run_json(args: &[&str]) -> (Run, Value) {
    testing::run_json(cargo_bin!("sync-fetch"), args)
}

fn fetched_lines(sites: &[&str]) -> Vec<String> {
    sites
        .iter()
        .flat_map(|s| {
            [
                format!("Fetching data from website {s}..."),
                format!("Finished fetching data from website {s}."),
            ]
        })
        .collect()
}

#[test]
fn simulated_port_prints_the_articles_lines_in_order() {
    let out = run(&["--delay-ms", "100"]);
    out.assert_exit(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[..6], fetched_lines(&["A", "B", "C"]));
    assert!(lines[6].starts_with("All data fetched in "), "{lines:?}");
    assert!(lines[6].ends_with(" seconds."), "{lines:?}");
    let seconds: f64 = lines[6]["All data fetched in ".len()..lines[6].len() - " seconds.".len()]
        .parse()
        .unwrap();
    assert!(seconds >= 0.3, "three 100 ms waits in a row: {seconds}");
    assert_eq!(lines.len(), 7);
}

#[test]
fn simulated_json_summary() {
    let (out, summary) = run_json(&["--delay-ms", "100", "--tasks", "4"]);
    out.assert_exit(0);
    assert_eq!(summary["demo"], "sync-fetch");
    assert_eq!(summary["variant"], "simulated");
    assert_eq!(summary["tasks"], 4);
    assert_eq!(summary["ideal_ms"], 400.0);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(4), Some(0))
    );
    assert!(num(&summary, "elapsed_ms") >= 400.0, "{summary}");
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(4));
    assert_spans_in_turn(&summary);
    // The narrative moved to stderr.
    assert!(
        out.stderr
            .contains("Finished fetching data from website D.")
    );
}

#[test]
fn more_than_26_sites_get_numbered_names() {
    let out = run(&["--tasks", "28", "--delay-ms", "0", "--verbose"]);
    out.assert_exit(0);
    for site in ["A", "Z", "A1", "B1"] {
        assert!(
            out.stdout
                .contains(&format!("Finished fetching data from website {site}.\n")),
            "{site}"
        );
    }
}

#[test]
fn timeline_draws_a_staircase() {
    let out = run(&["--delay-ms", "50", "--timeline"]);
    out.assert_exit(0);
    let bars = timeline_bars(&out.stdout);
    assert_eq!(bars.len(), 3, "{}", out.stdout);
    // Each bar starts further right, where the one above ended (rounding
    // may put one's end and the next one's start in the same cell).
    for pair in bars.windows(2) {
        assert!(
            pair[1].start > pair[0].start && pair[1].start + 1 >= pair[0].end,
            "{:?}\n{}",
            bars,
            out.stdout
        );
    }
}

#[test]
fn http_fetches_the_sites_one_after_another() {
    let out = run(&["http", "--delay-ms", "150"]);
    out.assert_exit(0);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| {
            l.contains("fetching data from website") || l.contains("Fetching data from website")
        })
        .collect();
    assert_eq!(lines, fetched_lines(&["A", "B", "C"]));
    assert!(
        out.stdout.contains("All data fetched in "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Fetching from http://127.0.0.1:"),
        "{}",
        out.stdout
    );
}

#[test]
fn http_json_summary() {
    let (out, summary) = run_json(&["http", "--delay-ms", "150"]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "http");
    assert_eq!(summary["ideal_ms"], 450.0);
    assert_eq!(summary["ok"], 3);
    assert!(num(&summary, "elapsed_ms") >= 450.0, "{summary}");
    assert_spans_in_turn(&summary);
    // Each request waited for the server.
    assert_each_span_at_least(&summary, 150.0);
}

/// `GET /stats` of `server`: the requests it served and the most it held at once.
fn stats(server: &Server) -> Value {
    fetch_client::install_tls_provider(); // reqwest is built without one
    let url = format!("{}/stats", server.base_url());
    reqwest::blocking::get(&url)
        .and_then(|response| response.json())
        .unwrap_or_else(|err| panic!("GET {url}: {err}"))
}

#[test]
fn http_base_url_points_at_another_server() {
    let server = Server::start().unwrap();
    let base = format!("{}/", server.base_url()); // a trailing slash is fine
    let out = run(&[
        "http",
        "--base-url",
        &base,
        "--delay-ms",
        "50",
        "--tasks",
        "2",
    ]);
    out.assert_exit(0);
    assert!(
        out.stdout
            .contains(&format!("Fetching from {}", server.base_url()))
    );
    // The other server answered both sites, and one at a time.
    let counted = stats(&server);
    assert_eq!(
        (
            counted["served"].as_u64(),
            counted["max_in_flight"].as_u64()
        ),
        (Some(2), Some(1)),
        "{counted}"
    );
}

/// One fault on site B: one error line naming B's URL, A and C still fetched, exit 1.
fn one_fault(kind: &str, extra: &[&str]) -> (String, Value) {
    let fault = format!("B={kind}");
    let mut args = vec!["http", "--delay-ms", "100", "--fault", &fault];
    args.extend_from_slice(extra);
    let (out, summary) = run_json(&args);
    out.assert_exit(1);
    let errors = out.error_lines();
    assert_eq!(errors.len(), 1, "{kind}: {}", out.stderr);
    assert!(
        errors[0].starts_with("error: website B: GET http://127.0.0.1:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("/site/B?"), "{}", errors[0]);
    assert!(
        out.stderr
            .contains("Finished fetching data from website A.")
    );
    assert!(
        out.stderr
            .contains("Finished fetching data from website C.")
    );
    assert!(
        !out.stderr
            .contains("Finished fetching data from website B.")
    );
    assert!(
        out.stderr.contains("Fetched 2 of 3 websites"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(3));
    (errors[0].to_string(), summary)
}

#[test]
fn fault_connection_refused() {
    let (error, _) = one_fault("refused", &[]);
    assert!(error.contains("could not connect"), "{error}");
}

#[test]
fn fault_error_status() {
    let (error, _) = one_fault("status", &[]);
    assert!(error.contains("503"), "{error}");
}

#[test]
fn fault_invalid_json() {
    let (error, _) = one_fault("invalid", &[]);
    assert!(error.contains("not the JSON expected"), "{error}");
}

#[test]
fn fault_timeout() {
    // 1 s: ten times the other sites' delay, so a loaded machine cannot
    // time them out too.
    let (error, summary) = one_fault("timeout", &["--timeout-ms", "1000"]);
    assert!(error.contains("timed out after 1000 ms"), "{error}");
    let b = &summary["spans"][1];
    let waited = num(b, "end_ms") - num(b, "start_ms");
    assert!(waited >= 1000.0, "{summary}");
}

#[test]
fn every_fault_at_once_and_the_last_site_still_fetched() {
    let (out, summary) = run_json(&[
        "http",
        "--tasks",
        "5",
        "--delay-ms",
        "50",
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
    let errors = out.error_lines();
    assert_eq!(errors.len(), 4, "{}", out.stderr);
    for (line, site) in errors.iter().zip(["A", "B", "C", "D"]) {
        assert!(
            line.starts_with(&format!("error: website {site}: GET http://")),
            "{line}"
        );
    }
    assert!(
        out.stderr
            .contains("Finished fetching data from website E.")
    );
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(1), Some(4))
    );
}

#[test]
fn a_server_that_is_not_there_fails_every_site_but_reports_them_all() {
    let dead = {
        let server = Server::start().unwrap();
        server.base_url()
    }; // dropped: nothing listens there now
    let out = run(&["http", "--base-url", &dead, "--delay-ms", "0"]);
    out.assert_exit(1);
    let errors = out.error_lines();
    assert_eq!(errors.len(), 3, "{}", out.stderr);
    assert!(
        errors
            .iter()
            .all(|l| l.contains(&dead) && l.contains("could not connect")),
        "{errors:?}"
    );
    assert!(
        out.stdout.contains("Fetched 0 of 3 websites"),
        "{}",
        out.stdout
    );
}

#[test]
fn get_prints_the_decoded_document() {
    let out = run(&["get"]);
    out.assert_exit(0);
    let printed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(printed["id"], 1);
    assert_eq!(printed["completed"], false);
}

#[test]
fn get_json_summary_and_a_given_url() {
    let server = Server::start().unwrap();
    let url = format!("{}/site/Z?delay_ms=50", server.base_url());
    let (out, summary) = run_json(&["get", &url]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "get");
    assert_eq!(summary["tasks"], 1);
    assert_eq!(summary["ideal_ms"], 0.0);
    assert_eq!(summary["ok"], 1);
    let printed: Value = serde_json::from_str(&out.stderr).unwrap();
    assert_eq!(printed["data"], "Data from website Z");
}

#[test]
fn get_faults_are_one_error_line_naming_the_url() {
    let server = Server::start().unwrap();
    let base = server.base_url();
    let dead = {
        let other = Server::start().unwrap();
        other.base_url()
    };
    for (url, reason) in [
        (format!("{base}/data/1?status=500"), "500"),
        (
            format!("{base}/data/1?body=invalid"),
            "not the JSON expected",
        ),
        (
            format!("{base}/data/1?delay_ms=3000"),
            "timed out after 1000 ms",
        ),
        (format!("{dead}/data/1"), "could not connect"),
        // https to a plain-HTTP port: the TLS handshake fails (and rustls's
        // provider is installed, or this would panic instead).
        (
            format!("{}/data/1", base.replace("http://", "https://")),
            "could not connect",
        ),
    ] {
        let out = run(&["get", &url, "--timeout-ms", "1000"]);
        out.assert_exit(1);
        let errors = out.error_lines();
        assert_eq!(errors.len(), 1, "{url}: {}", out.stderr);
        assert!(
            errors[0].starts_with(&format!("error: GET {url}: ")),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains(reason), "{}", errors[0]);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn bad_input_is_one_error_line_and_exit_2() {
    for args in [
        &["--tasks", "0"][..],
        &["--delay-ms", "60001"],
        &["--delay-ms", "soon"],
        &["http", "--base-url", "not a url"],
        &["http", "--base-url", "ftp://127.0.0.1/"],
        &["http", "--timeout-ms", "0"],
        &["http", "--fault", "B"],
        &["http", "--fault", "Q=status"],
        &["http", "--fault", "B=slow"],
        &["http", "--fault", "B=status", "--fault", "b=invalid"],
        &["http", "--fault", "B=timeout", "--timeout-ms", "60000"],
        &["get", "127.0.0.1/data/1"],
        &["get", "file:///etc/passwd"],
        &["nope"],
    ] {
        run(args).assert_usage_error();
    }
}
