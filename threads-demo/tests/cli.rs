//! Runs the `threads-demo` binary as a user would: its output lines, its JSON
//! summary, its timing (as a broad ratio, never an exact time) and its
//! answers to bad flags.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::process::Output;
use std::time::Instant;

/// Runs the binary with `args` and returns what it did.
fn run(args: &[&str]) -> Output {
    cargo_bin_cmd!("threads-demo")
        .args(args)
        .output()
        .expect("the threads-demo binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs with `--json`, checks it succeeded and that stdout is exactly one JSON object.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let output = run(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        1,
        "one line of JSON on stdout: {text}"
    );
    let value: Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert!(value.is_object(), "{value}");
    value
}

fn number(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {value}"))
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn every_thread_starts_and_finishes_then_main_reports() {
    let output = run(&["--tasks", "3", "--delay-ms", "100"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // Threads interleave, so compare the lines as a set; only the last line
    // has a fixed place, because main prints it after joining every thread.
    let mut expected: Vec<String> = (0..3)
        .flat_map(|i| {
            [
                format!("Thread {i}: Starting..."),
                format!("Thread {i}: Finishing."),
            ]
        })
        .collect();
    expected.push("All threads have finished.".to_string());
    expected.sort();
    assert_eq!(sorted_lines(&text), expected);
    assert_eq!(text.lines().last(), Some("All threads have finished."));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn json_summary_parses_and_the_three_spans_overlap() {
    let value = json(&["--tasks", "3", "--delay-ms", "200"]);
    assert_eq!(value["demo"], "threads-demo");
    assert_eq!(value["variant"], "threads");
    assert_eq!(value["tasks"], 3);
    assert_eq!(value["delay_ms"], 200);
    assert_eq!(number(&value, "ideal_ms"), 200.0);
    assert_eq!(
        (value["ok"].as_u64(), value["failed"].as_u64()),
        (Some(3), Some(0))
    );
    assert!(
        value["max_rss_kb"].as_u64().is_some_and(|kb| kb > 0),
        "{value}"
    );
    let spans: Vec<(f64, f64)> = value["spans"]
        .as_array()
        .expect("spans is an array")
        .iter()
        .map(|s| (number(s, "start_ms"), number(s, "end_ms")))
        .collect();
    assert_eq!(spans.len(), 3);
    for (i, a) in spans.iter().enumerate() {
        assert!(a.1 - a.0 >= 200.0, "each task waited its delay: {a:?}");
        for b in &spans[i + 1..] {
            assert!(a.0 < b.1 && b.0 < a.1, "spans {a:?} and {b:?} overlap");
        }
    }
}

#[test]
fn under_json_the_narrative_moves_to_stderr() {
    let output = run(&["--tasks", "2", "--delay-ms", "10", "--json"]);
    assert!(stderr(&output).contains("All threads have finished."));
    assert!(!stdout(&output).contains("Thread"));
}

#[test]
fn a_concurrent_run_is_much_faster_than_one_after_another() {
    let (tasks, delay_ms) = (10.0, 100.0);
    let started = Instant::now();
    let value = json(&["--tasks", "10", "--delay-ms", "100"]);
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    let sequential_ms = tasks * delay_ms;
    assert!(
        number(&value, "elapsed_ms") < 0.6 * sequential_ms,
        "{value}"
    );
    assert!(
        wall_ms < 0.6 * sequential_ms,
        "whole process took {wall_ms:.0} ms"
    );
    assert!(number(&value, "elapsed_ms") >= delay_ms, "{value}");
}

#[test]
fn bad_flags_are_one_error_line_and_exit_2() {
    let cases: &[&[&str]] = &[
        &["--tasks", "abc"],
        &["--tasks", "0"],
        &["--tasks", "1000000"],
        &["--delay-ms", "-1"],
        &["--delay-ms", "3600000"],
        &["--delay-ms", "99999999999999999999999"],
        &["--nope"],
        &["shared", "--tasks", "0"],
        &["cpu", "--size", "0"],
        &["cpu", "--size", "abc"],
        &["cpu", "--workers", "0"],
        &["cpu", "--workers", "-2"],
    ];
    for args in cases {
        let output = run(args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn help_names_the_python_original() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("threading.Thread"));
}

#[test]
fn timeline_draws_one_bar_per_task() {
    let output = run(&["--tasks", "2", "--delay-ms", "50", "--timeline"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("task 0 |") && text.contains("task 1 |"),
        "{text}"
    );
}

#[test]
fn shared_counter_sees_every_threads_additions() {
    let value = json(&["shared", "--tasks", "4", "--delay-ms", "50"]);
    assert_eq!(value["variant"], "shared");
    assert_eq!(value["expected"], 4000, "4 threads x 1000 additions");
    assert_eq!(value["counter"], value["expected"]);
    assert_eq!(value["spans"].as_array().map(Vec::len), Some(4));

    let output = run(&["shared", "--tasks", "2", "--delay-ms", "10"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("Shared counter: 2000 (expected 2000"),
        "{text}"
    );
    assert!(text.contains("process-demo -- isolation"), "{text}");
}

#[test]
fn cpu_results_agree_and_the_summary_has_its_fields() {
    let size: u64 = 200_000;
    let value = json(&["cpu", "--size", "200000", "--workers", "3"]);
    assert_eq!(value["variant"], "cpu");
    assert_eq!(value["size"], size);
    assert_eq!(
        (value["workers"].as_u64(), value["tasks"].as_u64()),
        (Some(3), Some(3))
    );
    // The sum of i^2 for i < n is (n-1) n (2n-1) / 6; small enough not to wrap.
    assert_eq!(value["result"], (size - 1) * size * (2 * size - 1) / 6);
    for key in [
        "sequential_ms",
        "threads_ms",
        "rayon_ms",
        "threads_speedup",
        "rayon_speedup",
        "ideal_ms",
    ] {
        assert!(number(&value, key) >= 0.0, "{key} in {value}");
    }
    assert_eq!(value["spans"].as_array().map(Vec::len), Some(3));

    let output = run(&["cpu", "--size", "100000", "--workers", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("All three results are equal."), "{text}");
    assert!(text.contains("GIL"), "{text}");
    assert_eq!(text.matches("result 333328333350000").count(), 3, "{text}");
}

/// Under an address-space limit of 300 MB the OS refuses most of 1000 thread
/// stacks (2 MiB each): every refusal is an `error:` line, the threads that
/// did start still finish and are counted, and the exit code is 1.
#[cfg(target_os = "linux")]
#[test]
fn threads_the_os_refuses_are_reported_and_the_others_still_finish() {
    let bin = assert_cmd::cargo::cargo_bin!("threads-demo");
    let output = std::process::Command::new("sh")
        .args(["-c", "ulimit -v 300000 && exec \"$0\" \"$@\""])
        .arg(bin)
        .args(["--tasks", "1000", "--delay-ms", "50", "--json"])
        .output()
        .expect("sh runs");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let refused = err
        .lines()
        .filter(|l| l.starts_with("error: could not start thread"))
        .count();
    let started = err.matches(": Starting...").count();
    let finished = err.matches(": Finishing.").count();
    assert!(
        refused > 0 && started > 0,
        "{refused} refused, {started} started"
    );
    assert_eq!(started, finished);
    assert!(err.contains("All threads have finished."));
    let value: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(value["failed"].as_u64(), Some(refused as u64));
    assert_eq!(value["ok"].as_u64(), Some(finished as u64));
    assert_eq!(refused + finished, 1000);
}
