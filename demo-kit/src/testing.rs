//! Helpers for the demos' integration tests (cargo feature `testing`): run a
//! binary, read its JSON summary, and check the workspace conventions. A
//! check that fails panics with what ran and what it printed: that is how
//! the test fails.
//!
//! A test crate turns it on in its `[dev-dependencies]`:
//! `demo-kit = { workspace = true, features = ["testing"] }`. It adds no
//! dependency: a [`Run`] is built from a `std::process::Command` or `Output`
//! (which is also what assert_cmd's `.output()` returns).
//!
//! ```no_run
//! use demo_kit::testing::{assert_spans_overlap, num, run, run_json};
//!
//! let bin = "target/debug/threads-demo"; // in a test: env!("CARGO_BIN_EXE_threads-demo")
//! run(bin, &["--tasks", "0"]).assert_usage_error();
//! let (out, summary) = run_json(bin, &["--tasks", "3"]);
//! out.assert_exit(0);
//! assert!(num(&summary, "elapsed_ms") >= 0.0);
//! assert_spans_overlap(&summary);
//! ```

pub mod ports;

use serde_json::Value;
use std::ffi::OsStr;
use std::fmt;
use std::process::{Command, Output};

/// What a finished process did: its exit code and its output as text.
#[derive(Debug)]
pub struct Run {
    /// What ran (the `Debug` form of its `Command`), for failure messages;
    /// empty when the `Run` was made from a bare `Output`.
    pub command: String,
    /// The exit code; `None` if a signal ended the process.
    pub code: Option<i32>,
    /// Everything written to stdout (invalid UTF-8 replaced).
    pub stdout: String,
    /// Everything written to stderr (invalid UTF-8 replaced).
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            command: String::new(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `{command}: exit {code}`, then both streams (long ones clipped to their
/// first and last lines): the context of every failure message.
impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: exit {:?}", self.command, self.code)?;
        writeln!(f, "--- stdout:\n{}", clip(&self.stdout))?;
        write!(f, "--- stderr:\n{}", clip(&self.stderr))
    }
}

/// `text`, or its first and last 20 lines if it is much longer (10,000 tasks
/// print 20,000 lines).
fn clip(text: &str) -> String {
    const KEEP: usize = 20;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 3 * KEEP {
        return text.to_string();
    }
    let head = lines[..KEEP].join("\n");
    let tail = lines[lines.len() - KEEP..].join("\n");
    format!("{head}\n[… {} lines …]\n{tail}", lines.len() - 2 * KEEP)
}

impl Run {
    /// Runs `command` to the end with stdout and stderr captured (panics if
    /// it cannot be started).
    pub fn of(command: &mut Command) -> Run {
        let output = command
            .output()
            .unwrap_or_else(|err| panic!("{command:?} did not start: {err}"));
        Run {
            command: format!("{command:?}"),
            ..Run::from(output)
        }
    }

    /// Asserts the exit code, showing both streams if it is another one.
    pub fn assert_exit(&self, code: i32) {
        assert_eq!(self.code, Some(code), "expected exit {code}; {self}");
    }

    /// The JSON summary: stdout must be exactly one line holding one JSON object.
    pub fn json(&self) -> Value {
        assert_eq!(self.stdout.lines().count(), 1, "one line on stdout: {self}");
        let value: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}): {self}"));
        assert!(value.is_object(), "stdout is not a JSON object: {self}");
        value
    }

    /// The lines of stderr that start with `error: `, in order.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect()
    }

    /// Asserts the workspace's answer to bad input: exit 2, exactly one line
    /// on stderr, starting `error: `, no panic, and nothing on stdout.
    pub fn assert_usage_error(&self) {
        self.assert_exit(2);
        assert_eq!(self.stderr.lines().count(), 1, "one line on stderr; {self}");
        assert!(
            self.stderr.starts_with("error: "),
            "an `error: ` line; {self}"
        );
        assert!(!self.stderr.contains("panicked"), "no panic; {self}");
        assert!(self.stdout.is_empty(), "nothing on stdout; {self}");
    }
}

/// Runs `program` with `args` ([`Run::of`]).
pub fn run(program: impl AsRef<OsStr>, args: &[&str]) -> Run {
    Run::of(Command::new(program).args(args))
}

/// Runs `program` with `args`, its stdout a pipe whose read end is already
/// closed (as in `demo | head -c 10` once `head` has left), so every write to
/// stdout fails with `EPIPE`; returns the run with stderr (stdout is empty).
/// Rust ignores `SIGPIPE`, so a `print!` there panics; a demo must not.
pub fn run_with_closed_stdout(program: impl AsRef<OsStr>, args: &[&str]) -> Run {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|err| panic!("{command:?} did not start: {err}"));
    drop(child.stdout.take()); // the only read end: from now on writes fail
    let output = child
        .wait_with_output()
        .unwrap_or_else(|err| panic!("{command:?} could not be waited for: {err}"));
    Run {
        command: format!("{command:?} >closed-pipe"),
        ..Run::from(output)
    }
}

/// Runs `program` with `args` and `--json`; returns the run and its summary ([`Run::json`]).
/// The exit code is not checked: that is the caller's [`Run::assert_exit`].
pub fn run_json(program: impl AsRef<OsStr>, args: &[&str]) -> (Run, Value) {
    let out = Run::of(Command::new(program).args(args).arg("--json"));
    let summary = out.json();
    (out, summary)
}

/// `value[key]`, which must be a number.
pub fn num(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {value}"))
}

/// Each span of the summary as `(start_ms, end_ms)`, in the order listed.
fn spans(summary: &Value) -> Vec<(f64, f64)> {
    summary["spans"]
        .as_array()
        .unwrap_or_else(|| panic!("spans is not an array in {summary}"))
        .iter()
        .map(|span| (num(span, "start_ms"), num(span, "end_ms")))
        .collect()
}

/// Asserts that there are at least two spans and all of them share a moment:
/// the tasks ran at the same time. (For intervals, every pair overlapping
/// and all overlapping at once are the same thing.)
pub fn assert_spans_overlap(summary: &Value) {
    let spans = spans(summary);
    assert!(spans.len() >= 2, "at least two spans: {summary}");
    let latest_start = spans.iter().map(|s| s.0).fold(f64::MIN, f64::max);
    let earliest_end = spans.iter().map(|s| s.1).fold(f64::MAX, f64::min);
    assert!(latest_start < earliest_end, "spans overlap: {summary}");
}

/// Asserts that there are at least two spans and, in the order listed (task
/// order), each one starts no earlier than the one before it ended: the
/// tasks ran one after another.
pub fn assert_spans_in_turn(summary: &Value) {
    let spans = spans(summary);
    assert!(spans.len() >= 2, "at least two spans: {summary}");
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 >= pair[0].1,
            "{:?} starts before {:?} ends: {summary}",
            pair[1],
            pair[0]
        );
    }
}

/// Asserts that every span lasted at least `ms` (each task waited its delay).
pub fn assert_each_span_at_least(summary: &Value, ms: f64) {
    for span in spans(summary) {
        assert!(
            span.1 - span.0 >= ms,
            "{span:?} is under {ms} ms: {summary}"
        );
    }
}

/// Asserts how a `cpu` run reports its rounds: `narrative` holds `rounds`
/// lines `round N: …`, and for each `(label, way)` the summary's `{way}_ms`
/// is the best (smallest) time those lines give after `label`
/// (`sequential 12.3 ms`); each way but `sequential` also has a
/// `{way}_speedup` equal to `sequential_ms ÷ {way}_ms`.
pub fn assert_best_rounds(narrative: &str, summary: &Value, rounds: usize, ways: &[(&str, &str)]) {
    let lines: Vec<&str> = narrative
        .lines()
        .filter(|l| l.trim_start().starts_with("round "))
        .collect();
    assert_eq!(lines.len(), rounds, "{rounds} round lines: {narrative}");
    for &(label, way) in ways {
        let time = |line: &&str| -> f64 {
            let (_, rest) = line.split_once(&format!(" {label} ")).unwrap_or_default();
            let time = rest.split(" ms").next().and_then(|t| t.parse().ok());
            time.unwrap_or_else(|| panic!("no `{label} … ms` in {line:?}"))
        };
        let best = lines.iter().map(time).fold(f64::MAX, f64::min);
        let key = format!("{way}_ms");
        // The narrative shows one decimal, the JSON two.
        assert!(
            (num(summary, &key) - best).abs() <= 0.051,
            "{key} is not the best round, {best}: {summary}"
        );
        if way != "sequential" {
            let ratio = num(summary, "sequential_ms") / num(summary, &key);
            let speedup = num(summary, &format!("{way}_speedup"));
            assert!(
                (speedup - ratio).abs() <= 0.01 + 0.01 * ratio,
                "{way}_speedup is not sequential_ms ÷ {key}: {summary}"
            );
        }
    }
}

/// The bars of the `--timeline` chart in `text`, top to bottom, each as the
/// columns it fills.
pub fn timeline_bars(text: &str) -> Vec<std::ops::Range<usize>> {
    let bars = text
        .lines()
        .filter_map(|l| l.strip_prefix("task ")?.split('|').nth(1));
    let width = |s: &str| s.chars().count();
    bars.map(|bar| width(bar) - width(bar.trim_start())..width(bar.trim_end()))
        .collect()
}

/// Asserts that the `--timeline` chart in `text` has `tasks` bars side by
/// side: one column of the chart crosses every bar.
pub fn assert_bars_overlap(text: &str, tasks: usize) {
    let bars = timeline_bars(text);
    assert_eq!(bars.len(), tasks, "{tasks} bars: {text}");
    let latest_start = bars.iter().map(|b| b.start).max();
    let earliest_end = bars.iter().map(|b| b.end).min();
    assert!(
        latest_start < earliest_end,
        "the bars are not side by side: {bars:?}\n{text}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_of(code: i32, stdout: &str, stderr: &str) -> Run {
        Run {
            command: "test".to_string(),
            code: Some(code),
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
        }
    }

    fn summary(spans: &[(f64, f64)]) -> Value {
        let spans: Vec<Value> = spans
            .iter()
            .enumerate()
            .map(|(task, (start, end))| json!({"task": task, "start_ms": start, "end_ms": end}))
            .collect();
        json!({ "spans": spans })
    }

    #[test]
    #[should_panic(expected = "one line on stdout")]
    fn json_refuses_two_lines() {
        run_of(0, "{\"ok\":3}\n{\"ok\":3}\n", "").json();
    }

    #[test]
    #[should_panic(expected = "one line on stderr")]
    fn usage_error_needs_exactly_one_line() {
        run_of(2, "", "error: bad\nUsage: demo [OPTIONS]\n").assert_usage_error();
    }

    #[test]
    #[should_panic(expected = "no panic")]
    fn usage_error_refuses_a_panic() {
        run_of(2, "", "error: thread 'main' panicked\n").assert_usage_error();
    }

    #[test]
    #[should_panic(expected = "spans overlap")]
    fn overlap_fails_when_one_span_starts_after_another_ended() {
        // Each of the first two overlaps the middle one, not each other.
        assert_spans_overlap(&summary(&[(0.0, 10.0), (5.0, 25.0), (20.0, 30.0)]));
    }

    #[test]
    #[should_panic(expected = "spans overlap")]
    fn overlap_fails_when_spans_only_touch() {
        assert_spans_overlap(&summary(&[(0.0, 10.0), (10.0, 20.0)]));
    }

    #[test]
    #[should_panic(expected = "starts before")]
    fn in_turn_fails_on_an_overlap() {
        assert_spans_in_turn(&summary(&[(0.0, 10.0), (9.9, 20.0)]));
    }
}
