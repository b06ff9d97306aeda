//! Runs the `process-demo` binary as a user would: its output lines (also
//! into a pipe and a file, where a missing flush before `fork` would print
//! lines twice), its JSON summary, each kind of failing child, and its
//! answers to bad flags.
//!
//! Every fork happens inside the binary, in its own process, so these tests
//! can run in parallel threads without one test's fork copying another's.
#![cfg(unix)]

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::{
    self, Run, assert_bars_overlap, assert_each_span_at_least, assert_spans_overlap, num,
};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Instant;

fn run(args: &[&str]) -> Run {
    testing::run(cargo_bin!("process-demo"), args)
}

/// Runs with `--json`; checks the exit code and that stdout is exactly one
/// JSON object. Returns it with the narrative (stderr).
fn json(args: &[&str], code: i32) -> (Value, String) {
    let (out, summary) = testing::run_json(cargo_bin!("process-demo"), args);
    out.assert_exit(code);
    (summary, out.stderr)
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
    assert_eq!(text.lines().count(), 2 * tasks + 2, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[lines.len() - 2], "All processes have finished.");
    assert!(lines[lines.len() - 1].starts_with("Elapsed: "), "{text}");
}

#[test]
fn every_process_starts_and_finishes_then_the_parent_reports() {
    let out = run(&["--delay-ms", "50"]);
    out.assert_exit(0);
    assert_port_lines(&out.stdout, 3);
    assert_eq!(out.stderr, "");
}

#[test]
fn a_long_run_shows_the_first_childrens_lines_and_counts_the_rest() {
    let out = run(&["--tasks", "30", "--delay-ms", "100"]);
    out.assert_exit(0);
    let text = &out.stdout;
    // Children 0 to 4 print their two lines each; the others are counted.
    for i in 0..5 {
        assert_eq!(
            count(text, &format!("Process {i}: Finishing.")),
            1,
            "{text}"
        );
    }
    assert_eq!(count(text, "Process 5: Starting..."), 0, "{text}");
    assert!(
        text.contains("… and 50 more lines like these, not shown (--verbose prints every line).\nAll processes have finished.\n"),
        "{text}"
    );
}

#[test]
fn lines_are_not_duplicated_into_a_pipe() {
    // `.output()` gives the child a pipe for stdout, as `process-demo | cat` does.
    let out = run(&["--tasks", "20", "--delay-ms", "20", "--verbose"]);
    out.assert_exit(0);
    assert_port_lines(&out.stdout, 20);
}

#[test]
fn lines_are_not_duplicated_into_a_file() {
    let path = std::env::temp_dir().join(format!("process-demo-test-{}.txt", std::process::id()));
    let file = std::fs::File::create(&path).expect("a temporary file");
    let status = Command::new(cargo_bin!("process-demo"))
        .args(["--tasks", "20", "--delay-ms", "20", "--verbose"])
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
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(4));
    // Each child waited its delay, and all of them at the same time.
    assert_each_span_at_least(&summary, 290.0);
    assert_spans_overlap(&summary);
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
    assert!(num(&summary, "elapsed_ms") >= 40.0, "{summary}");
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
fn timeline_draws_one_bar_per_child_side_by_side() {
    let out = run(&["--tasks", "2", "--delay-ms", "300", "--timeline"]);
    out.assert_exit(0);
    assert_bars_overlap(&out.stdout, 2);
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

/// The children's ranges, as their `Process N: sum over A..B = S in T ms`
/// lines say: `(A, B, S)` in task order.
fn partial_sums(narrative: &str) -> Vec<(u64, u64, u64)> {
    let mut parts: Vec<(usize, (u64, u64, u64))> = narrative
        .lines()
        .filter_map(|line| {
            let (task, rest) = line.strip_prefix("Process ")?.split_once(": sum over ")?;
            let (range, rest) = rest.split_once(" = ")?;
            let (start, end) = range.split_once("..")?;
            let sum = rest.split(' ').next()?;
            let number = |text: &str| text.parse::<u64>().ok();
            Some((
                task.parse().ok()?,
                (number(start)?, number(end)?, number(sum)?),
            ))
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, part)| part).collect()
}

/// The children's ranges cover `0..size` once, in near-equal parts, their
/// partial sums add up to the closed formula's total (the JSON's result),
/// each way's figure is its best round as printed, and the speedup is the
/// ratio of those figures.
#[test]
fn cpu_work_is_split_across_children_and_checked() {
    let size = 3_000_001;
    let (summary, narrative) = json(
        &[
            "cpu",
            "--size",
            "3000001",
            "--workers",
            "3",
            "--rounds",
            "2",
        ],
        0,
    );
    assert_eq!(summary["variant"], "cpu");
    assert_eq!(
        (summary["workers"].as_u64(), summary["ok"].as_u64()),
        (Some(3), Some(3))
    );
    let parts = partial_sums(&narrative);
    assert_eq!(parts.len(), 3, "{narrative}");
    let (mut next, mut total) = (0, 0u64);
    for &(start, end, sum) in &parts {
        assert_eq!(start, next, "{narrative}");
        assert!(
            end - start == size / 3 || end - start == size / 3 + 1,
            "{narrative}"
        );
        next = end;
        total = total.wrapping_add(sum);
    }
    assert_eq!(next, size, "{narrative}");
    assert_eq!(total, sum_of_squares_below(size));
    assert_eq!(summary["result"], total);
    assert!(
        narrative.contains("matches the sequential sum"),
        "{narrative}"
    );

    let ways = [("sequential", "sequential"), ("3 processes", "processes")];
    testing::assert_best_rounds(&narrative, &summary, 2, &ways);
    assert!(narrative.contains("Speedup: "), "{narrative}");
    assert_eq!(summary["spans"].as_array().map(Vec::len), Some(3));
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
    let out = run(&["--delay-ms", "20", "--fail", "panic", "--fail-task", "0"]);
    out.assert_exit(1);
    assert_eq!(
        count(&out.stdout, "All processes have finished."),
        1,
        "{out}"
    );
    assert!(
        out.stderr
            .contains("Process 0: panicked: failing on purpose"),
        "{out}"
    );
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
    // No speedup is claimed for a run that did not finish its work.
    assert!(!narrative.contains("Speedup"), "{narrative}");
    assert_eq!(summary["processes_speedup"], Value::Null, "{summary}");
}

#[test]
fn one_worker_is_one_process_and_a_tiny_run_is_not_timed() {
    let out = run(&["cpu", "--size", "1000", "--workers", "1", "--rounds", "1"]);
    out.assert_exit(0);
    let text = &out.stdout;
    assert!(text.contains("then on 1 process;"), "{text}");
    assert!(!text.contains("1 processes"), "{text}");
    assert!(text.contains("Speedup: too short to time"), "{text}");
    if cfg!(debug_assertions) {
        assert_eq!(text.matches("debug build").count(), 1, "{text}");
    }
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
        &["--tasks", "-1"],
        &["cpu", "--tasks", "7"],
        &["cpu", "--delay-ms", "5"],
        &["--tasks", "7", "cpu"],
    ] {
        run(args).assert_usage_error();
    }
}

#[test]
fn usage_errors_say_what_to_use_instead() {
    let out = run(&["--fail", "bogus"]);
    out.assert_usage_error();
    assert!(
        out.stderr
            .contains("[possible values: panic, exit, signal]"),
        "{out}"
    );
    // `cpu` has no `--tasks`: clap refuses it, and the help says what to use.
    let out = run(&["cpu", "--tasks", "7"]);
    out.assert_usage_error();
    assert!(out.stderr.contains("'--tasks'"), "{out}");
    let help = run(&["cpu", "--help"]);
    assert!(
        help.stdout.contains("no --tasks") && help.stdout.contains("--workers"),
        "{help}"
    );
    let out = run(&["--tasks", "-1"]);
    out.assert_usage_error();
    assert!(out.stderr.contains("invalid value '-1'"), "{out}");
}

#[test]
fn help_names_the_python_original() {
    let out = run(&["--help"]);
    out.assert_exit(0);
    assert!(out.stdout.contains("multiprocessing.Process"), "{out}");
}

/// `process-demo --json | head -c 10`: the reader has left, so the parent's
/// JSON and the children's lines meet EPIPE; nobody may panic over it.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    for args in [
        &["--tasks", "3", "--delay-ms", "100", "--json"][..],
        &["--tasks", "3", "--delay-ms", "100"],
    ] {
        let out = testing::run_with_closed_stdout(cargo_bin!("process-demo"), args);
        assert!(!out.stderr.contains("panicked"), "{out}");
        out.assert_exit(0);
    }
}
