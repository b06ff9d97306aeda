//! `sync-fetch threads`: the blocking fetches, one thread per site, as a user
//! runs them. Short delays; loopback only (the in-process slow server).

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::{
    self, Run, assert_bars_overlap, assert_each_span_at_least, assert_spans_overlap, num,
};
use serde_json::Value;

fn run(args: &[&str]) -> Run {
    testing::run(cargo_bin!("sync-fetch"), args)
}

fn run_json(args: &[&str]) -> (Run, Value) {
    testing::run_json(cargo_bin!("sync-fetch"), args)
}

/// The lines about `site`, in the order printed.
fn about<'a>(text: &'a str, site: &str) -> Vec<&'a str> {
    let end = format!("website {site}");
    text.lines()
        .filter(|l| l.ends_with(&format!("{end}...")) || l.ends_with(&format!("{end}.")))
        .collect()
}

#[test]
fn threads_print_the_articles_lines_and_wait_side_by_side() {
    let out = run(&["threads", "--delay-ms", "300"]);
    out.assert_exit(0);
    for site in ["A", "B", "C"] {
        assert_eq!(
            about(&out.stdout, site),
            [
                format!("Fetching data from website {site}..."),
                format!("Finished fetching data from website {site}.")
            ],
            "{}",
            out.stdout
        );
    }
    // all three start before any finishes: the threads wait at the same time
    let lines: Vec<&str> = out.stdout.lines().collect();
    let first_finish = lines
        .iter()
        .position(|l| l.starts_with("Finished"))
        .unwrap();
    assert_eq!(
        lines[..first_finish]
            .iter()
            .filter(|l| l.starts_with("Fetching data"))
            .count(),
        3,
        "{}",
        out.stdout
    );
    let last = lines.last().unwrap();
    assert!(last.starts_with("All data fetched in "), "{last}");
}

#[test]
fn simulated_threads_json_summary() {
    let (out, summary) = run_json(&["threads", "--delay-ms", "300", "--tasks", "4"]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "threads");
    assert_eq!(summary["ideal_ms"], 300.0, "side by side: one delay");
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(4), Some(0))
    );
    assert_spans_overlap(&summary);
    assert_each_span_at_least(&summary, 300.0);
    // broad: well under the 1.2 s that four waits in turn take
    assert!(num(&summary, "elapsed_ms") < 0.6 * 1200.0, "{summary}");
}

#[test]
fn http_threads_fetch_from_the_local_server_at_once() {
    let (out, summary) = run_json(&["threads", "http", "--delay-ms", "300"]);
    out.assert_exit(0);
    assert_eq!(summary["variant"], "threads-http");
    assert!(
        summary["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(summary["ok"], 3);
    assert_spans_overlap(&summary);
    assert_each_span_at_least(&summary, 300.0);
    assert!(
        out.stderr
            .contains("Finished fetching data from website C."),
        "{}",
        out.stderr
    );
}

#[test]
fn a_failed_site_is_reported_and_the_others_kept() {
    let (out, summary) = run_json(&[
        "threads",
        "http",
        "--delay-ms",
        "100",
        "--fault",
        "B=status",
    ]);
    out.assert_exit(1);
    let errors = out.error_lines();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].starts_with("error: website B: GET http://127.0.0.1:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("503"), "{}", errors[0]);
    for site in ["A", "C"] {
        assert!(
            out.stderr
                .contains(&format!("Finished fetching data from website {site}."))
        );
    }
    assert!(
        out.stderr.contains("Fetched 2 of 3 websites"),
        "{}",
        out.stderr
    );
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(3));
}

#[test]
fn timeline_draws_bars_side_by_side() {
    let out = run(&["threads", "--delay-ms", "100", "--timeline"]);
    out.assert_exit(0);
    assert_bars_overlap(&out.stdout, 3);
}

#[test]
fn http_flags_belong_to_the_http_subcommand() {
    let out = run(&["threads", "--fault", "B=status"]);
    out.assert_usage_error();
    assert!(out.stderr.contains("--fault"), "{}", out.stderr);
}
