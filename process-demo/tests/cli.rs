//! Runs the `process-demo` binary as a user would: its output lines (also
//! into a pipe and a file, where a missing flush before `fork` would print
//! lines twice), its JSON summary, each kind of failing child, and its
//! answers to bad flags.
//!
//! Every fork happens inside the binary, in its own process, so these tests
//! can run in parallel threads without one test's fork copying another's.
#![cfg(unix)]

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

fn run(args: &[&str]) -> Output {
    cargo_bin_cmd!("process-demo")
        .args(args)
        .output()
        .expect("the process-demo binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs with `--json`; checks the exit code and that stdout is exactly one JSON object.
fn json(args: &[&str], code: i32) -> (Value, String) {
    let mut all = args.to_vec();
    all.push("--json");
    let output = run(&all);
    assert_eq!(output.status.code(), Some(code), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        1,
        "one line of JSON on stdout: {text}"
    );
    let value: Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert!(value.is_object(), "{value}");
    (value, stderr(&output))
}

fn count(text: &str, line: &str) -> usize {
    text.lines().filter(|l| *l == line).count()
}

/// Every expected line of a successful default run exactly once, the
/// parent's line last.
fn assert_port_lines(text: &str, tasks: usize) {
    for i in 0..tasks {
        assert_eq!(
            count(text, &format!("Process {i}: Starting...")),
            1,
            "{text}"
        );
        assert_eq!(
            count(text, &format!("Process {i}: Finishing.")),
            1,
            "{text}"
        );
    }
    assert_eq!(count(text, "All processes have finished."), 1, "{text}");
    assert_eq!(text.lines().count(), 2 * tasks + 1, "{text}");
    assert_eq!(text.lines().last(), Some("All processes have finished."));
}

#[test]
fn every_process_starts_and_finishes_then_the_parent_reports() {
    let output = run(&["--delay-ms", "50"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_port_lines(&stdout(&output), 3);
    assert_eq!(stderr(&output), "");
}

#[test]
fn lines_are_not_duplicated_into_a_pipe() {
    // `.output()` gives the child a pipe for stdout, as `process-demo | cat` does.
    let output = run(&["--tasks", "20", "--delay-ms", "20"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_port_lines(&stdout(&output), 20);
}

#[test]
fn lines_are_not_duplicated_into_a_file() {
    let path = std::env::temp_dir().join(format!("process-demo-test-{}.txt", std::process::id()));
    let file = std::fs::File::create(&path).expect("a temporary file");
    let status = Command::new(assert_cmd::cargo::cargo_bin!("process-demo"))
        .args(["--tasks", "20", "--delay-ms", "20"])
        .stdout(Stdio::from(file))
        .status()
        .expect("the process-demo binary runs");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(status.success());
    assert_port_lines(&text, 20);
}

#[test]
fn processes_wait_side_by_side() {
    // A broad ratio, not a deadline: 4 × 300 ms one after another would be 1200 ms.
    let started = Instant::now();
    let (summary, _) = json(&["--tasks", "4", "--delay-ms", "300"], 0);
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    assert!(wall_ms < 0.6 * 1200.0, "{wall_ms} ms");
    let spans = summary["spans"].as_array().expect("spans");
    assert_eq!(spans.len(), 4);
    // Every pair of spans overlaps: the children ran at the same time.
    let bounds: Vec<(f64, f64)> = spans
        .iter()
        .map(|s| {
            (
                s["start_ms"].as_f64().unwrap_or(0.0),
                s["end_ms"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    for a in &bounds {
        assert!(a.1 - a.0 >= 290.0, "each child waited its delay: {a:?}");
        for b in &bounds {
            assert!(a.0 < b.1 && b.0 < a.1, "{a:?} and {b:?} overlap");
        }
    }
}

#[test]
fn json_summary_has_the_fields_of_the_design() {
    let (summary, narrative) = json(&["--tasks", "3", "--delay-ms", "40"], 0);
    assert_eq!(summary["demo"], "process-demo");
    assert_eq!(summary["variant"], "processes");
    assert_eq!(summary["tasks"], 3);
    assert_eq!(summary["delay_ms"], 40);
    assert_eq!(summary["ideal_ms"], 40.0);
    assert_eq!(summary["ok"], 3);
    assert_eq!(summary["failed"], 0);
    assert!(
        summary["elapsed_ms"].as_f64().unwrap_or(0.0) >= 40.0,
        "{summary}"
    );
    assert!(summary["max_rss_kb"].as_u64().unwrap_or(0) > 0, "{summary}");
    let mut tasks: Vec<u64> = summary["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .filter_map(|s| s["task"].as_u64())
        .collect();
    tasks.sort();
    assert_eq!(tasks, vec![0, 1, 2]);
    // The narrative moved to stderr, still once per line.
    assert_port_lines(&narrative, 3);
}

#[test]
fn timeline_draws_one_bar_per_child() {
    let output = run(&["--tasks", "2", "--delay-ms", "30", "--timeline"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("task 0 |") && text.contains("task 1 |"),
        "{text}"
    );
}

#[test]
fn each_child_changes_only_its_own_copy() {
    let (summary, narrative) = json(&["isolation", "--tasks", "3", "--delay-ms", "20"], 0);
    assert_eq!(summary["variant"], "isolation");
    assert_eq!(summary["parent_value"], 0, "{summary}");
    assert_eq!(
        summary["child_values"],
        serde_json::json!([1, 1, 1]),
        "{summary}"
    );
    assert_eq!(summary["ok"], 3);
    for i in 0..3 {
        assert!(
            narrative.contains(&format!("Process {i}: counter = 1 at")),
            "{narrative}"
        );
    }
    assert!(narrative.contains("Parent: counter = 0 at"), "{narrative}");
}

/// The closed formula, reduced mod 2^64 like the demo's wrapping sum: an
/// oracle independent of the demo's loop.
fn sum_of_squares_below(n: u64) -> u64 {
    let n = u128::from(n);
    (n.saturating_sub(1) * n * (2 * n).saturating_sub(1) / 6) as u64
}

#[test]
fn cpu_work_is_split_across_children_and_checked() {
    let (summary, narrative) = json(&["cpu", "--size", "3000001", "--workers", "3"], 0);
    assert_eq!(summary["variant"], "cpu");
    assert_eq!(summary["size"], 3_000_001);
    assert_eq!(summary["workers"], 3);
    assert_eq!(summary["tasks"], 3);
    assert_eq!(summary["result"], sum_of_squares_below(3_000_001));
    assert_eq!(summary["ok"], 3);
    for key in [
        "sequential_ms",
        "processes_ms",
        "processes_speedup",
        "ideal_ms",
    ] {
        assert!(
            summary[key].as_f64().is_some_and(|x| x > 0.0),
            "{key}: {summary}"
        );
    }
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(3));
    assert!(
        narrative.contains("matches the sequential sum"),
        "{narrative}"
    );
    assert!(narrative.contains("Speedup: "), "{narrative}");
}

#[test]
fn cpu_defaults_to_one_worker_per_cpu() {
    let (summary, _) = json(&["cpu", "--size", "1000"], 0);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    assert_eq!(summary["workers"], cpus);
}

/// One failing child: its line names how it ended, the others still finish,
/// the run exits 1 and the JSON counts it.
fn one_child_fails(kind: &str, how: &str) {
    let (summary, narrative) = json(
        &[
            "--tasks",
            "3",
            "--delay-ms",
            "50",
            "--fail",
            kind,
            "--fail-task",
            "1",
        ],
        1,
    );
    assert!(
        narrative.contains(&format!("error: Process 1: {how}")),
        "{narrative}"
    );
    assert_eq!(count(&narrative, "Process 0: Finishing."), 1, "{narrative}");
    assert_eq!(count(&narrative, "Process 2: Finishing."), 1, "{narrative}");
    assert_eq!(count(&narrative, "Process 1: Finishing."), 0, "{narrative}");
    assert_eq!(
        count(&narrative, "All processes have finished."),
        1,
        "{narrative}"
    );
    assert!(!narrative.contains("RUST_BACKTRACE"), "{narrative}");
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let tasks: Vec<u64> = summary["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .filter_map(|s| s["task"].as_u64())
        .collect();
    assert!(!tasks.contains(&1) && tasks.len() == 2, "{summary}");
}

#[test]
fn a_child_killed_by_a_signal_is_reported() {
    one_child_fails("signal", "killed by SIGKILL");
}

#[test]
fn a_child_that_exits_non_zero_is_reported() {
    one_child_fails("exit", "exited with status 3");
}

#[test]
fn a_child_that_panics_is_reported_and_does_not_unwind_into_main() {
    one_child_fails("panic", "exited with status 101");
    // Had the panic unwound out of the child into `main`, the child would
    // have gone on to print the parent's lines and a second JSON object.
    let output = run(&["--delay-ms", "20", "--fail", "panic", "--fail-task", "0"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert_eq!(count(&text, "All processes have finished."), 1, "{text}");
    assert!(stderr(&output).contains("Process 0: panicked: failing on purpose"));
}

#[test]
fn a_failed_worker_leaves_the_cpu_total_incomplete() {
    let (summary, narrative) = json(
        &[
            "cpu",
            "--size",
            "100000",
            "--workers",
            "2",
            "--fail",
            "signal",
            "--fail-task",
            "0",
        ],
        1,
    );
    assert!(
        narrative.contains("error: Process 0: killed by SIGKILL"),
        "{narrative}"
    );
    assert!(
        narrative.contains("Process 1: sum over 50000..100000"),
        "{narrative}"
    );
    assert!(
        narrative.contains("1 of 2 partial sums are missing"),
        "{narrative}"
    );
    assert_eq!(summary["result"], Value::Null);
    assert_eq!(summary["failed"], 1);
}

#[test]
fn bad_input_is_one_error_line_and_exit_2() {
    for args in [
        &["--tasks", "0"][..],
        &["--tasks", "1001"],
        &["--tasks", "many"],
        &["--delay-ms", "-5"],
        &["--fail", "explode"],
        &["--fail", "exit", "--fail-task", "3"],
        &["--fail", "exit", "--tasks", "1"],
        &["--fail-task", "0"],
        &["cpu", "--workers", "0"],
        &["cpu", "--size", "0"],
        &[
            "cpu",
            "--workers",
            "2",
            "--fail",
            "panic",
            "--fail-task",
            "2",
        ],
        &["isolation", "--nope"],
        &["fork-bomb"],
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(stdout(&output), "", "{args:?}: nothing ran");
    }
}

#[test]
fn help_names_the_python_original() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("multiprocessing.Process"));
}
