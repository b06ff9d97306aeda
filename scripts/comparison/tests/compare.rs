//! The `comparison` binary end to end, against stand-in demos: small shell
//! scripts that print recorded JSON summaries (tests/fixtures), so the table,
//! the verdict and the outputs are checked without timing anything.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh directory under the target dir for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A stand-in demo: prints `default`'s fixture, or the one named for its subcommand.
fn stand_in(dir: &Path, bin: &str, default: &str, by_subcommand: &[(&str, &str)]) {
    let fx = fixtures();
    let mut cases = String::new();
    for (sub, file) in by_subcommand {
        cases.push_str(&format!("  {sub}) cat '{}';;\n", fx.join(file).display()));
    }
    let script = format!(
        "#!/bin/sh\necho 'narrative on stderr' >&2\ncase \"$1\" in\n{cases}  *) cat '{}';;\nesac\n",
        fx.join(default).display()
    );
    let path = dir.join(bin);
    fs::write(&path, script).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
}

/// Every demo stood in by its recorded summary: `{bin}.json` by default,
/// `{bin}-{sub}.json` for each subcommand that the table runs.
fn all_demos(dir: &Path) {
    for (bin, subs) in [
        ("threads-demo", &["cpu"][..]),
        ("process-demo", &["cpu"]),
        ("sync-fetch", &["http", "threads"]),
        ("async-fetch", &["http"]),
    ] {
        let recorded: Vec<(&str, String)> = subs
            .iter()
            .map(|sub| match *sub {
                "threads" => (*sub, format!("{bin}-threads-http.json")),
                _ => (*sub, format!("{bin}-{sub}.json")),
            })
            .collect();
        let recorded: Vec<(&str, &str)> = recorded.iter().map(|(s, f)| (*s, f.as_str())).collect();
        stand_in(dir, bin, &format!("{bin}.json"), &recorded);
    }
    stand_in(dir, "macros-demo", "macros-demo.json", &[]);
}

/// Every demo stood in, in a fresh directory `name`, then the comparison run with `extra`.
fn compare_all(name: &str, extra: &[&str]) -> Output {
    let dir = scratch(name);
    all_demos(&dir);
    compare(&dir, extra)
}

fn compare(bin_dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_comparison"))
        .args(["--quick", "--no-python", "--timeout-s", "20", "--bin-dir"])
        .arg(bin_dir)
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn recorded_demos_pass_and_fill_the_table() {
    let out = compare_all("all", &["--timeline"]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for demo in [
        "threads-demo",
        "process-demo cpu",
        "sync-fetch http",
        "sync-fetch threads http",
        "async-fetch http",
        "macros-demo",
    ] {
        assert!(text.contains(demo), "{demo} missing from\n{text}");
    }
    assert!(text.contains("Verdict: PASS"), "{text}");
    // --quick: 3 tasks × 200 ms; the four article examples wait 1 + 1 + 3 + 1 delays.
    assert!(
        text.contains("Time: ") && text.contains("article's four examples alone wait 1.2 s"),
        "{text}"
    );
    assert!(text.contains("sync ÷ async time: Rust "), "{text}");
    assert!(text.contains("n/a (--no-python)"), "{text}");
    assert!(
        text.contains("Timeline") && text.contains("Rust sync-fetch"),
        "{text}"
    );
    assert!(
        !text.contains("narrative on stderr"),
        "a demo's stderr stays out of the table"
    );
}

#[test]
fn a_missing_demo_is_named_and_fails_the_verdict_while_the_rest_run() {
    let dir = scratch("missing");
    all_demos(&dir);
    fs::remove_file(dir.join("process-demo")).unwrap();
    let out = compare(&dir, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("process-demo: missing"), "{text}");
    assert!(text.contains("process-demo cpu: missing"), "{text}");
    let threads = text
        .lines()
        .find(|l| l.starts_with("threads-demo "))
        .unwrap();
    assert!(
        threads.contains("200.4 ms"),
        "the others still ran: {threads}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: process-demo: missing"), "{stderr}");
}

#[test]
fn a_placeholder_without_json_and_a_slow_run_are_reported_by_name() {
    let dir = scratch("placeholder");
    all_demos(&dir);
    fs::write(
        dir.join("macros-demo"),
        "#!/bin/sh\necho 'not written yet'\n",
    )
    .unwrap();
    async_fetch_took(&dir, 900.0, 200.0);
    let out = compare(&dir, &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("--json prints one JSON object");
    let problems: Vec<&str> = json["verdict"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(json["verdict"]["pass"], false);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("macros-demo: missing") && p.contains("not written yet")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("async-fetch: took 900 ms")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0]["rust"]["summary"]["variant"], "threads");
}

/// Makes the stand-in `async-fetch` in `dir` print its recorded summary with
/// `elapsed_ms` and `ideal_ms` changed (its `http` run stays as recorded).
fn async_fetch_took(dir: &Path, elapsed_ms: f64, ideal_ms: f64) {
    let recorded = fs::read_to_string(fixtures().join("async-fetch.json")).unwrap();
    let mut changed: Value = serde_json::from_str(&recorded).unwrap();
    changed["elapsed_ms"] = elapsed_ms.into();
    changed["ideal_ms"] = ideal_ms.into();
    let changed_file = dir.join("async-fetch-changed.json");
    fs::write(&changed_file, changed.to_string()).unwrap();
    fs::write(
        dir.join("async-fetch"),
        format!(
            "#!/bin/sh\ncase \"$1\" in http) cat '{}';; *) cat '{}';; esac\n",
            fixtures().join("async-fetch-http.json").display(),
            changed_file.display()
        ),
    )
    .unwrap();
}

/// The tolerance that `--json` publishes is the one the verdict applies. With
/// `fraction` and `floor_ms` read from the output, a concurrent run 1 ms
/// inside ideal + max(fraction × ideal, floor) passes and one 1 ms outside
/// fails, naming that limit: at an ideal where the floor is the larger margin
/// and at one where the fraction is.
#[test]
fn the_published_tolerance_is_the_one_applied() {
    let dir = scratch("tolerance");
    all_demos(&dir);
    let verdict = || {
        let out = compare(&dir, &["--json"]);
        let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        (out.status.code(), json)
    };
    let (code, json) = verdict();
    assert_eq!(code, Some(0), "{json}");
    let tolerance = &json["tolerance"];
    let (fraction, floor_ms) = (
        tolerance["fraction"].as_f64().unwrap(),
        tolerance["floor_ms"].as_f64().unwrap(),
    );
    let (small, large) = (floor_ms / fraction / 2.0, floor_ms / fraction * 2.0);
    for ideal_ms in [small, large] {
        let allowed_ms = ideal_ms + (fraction * ideal_ms).max(floor_ms);
        async_fetch_took(&dir, allowed_ms - 1.0, ideal_ms);
        let (code, json) = verdict();
        assert_eq!(code, Some(0), "{allowed_ms} ms allowed: {json}");
        async_fetch_took(&dir, allowed_ms + 1.0, ideal_ms);
        let (code, json) = verdict();
        assert_eq!(code, Some(1), "{allowed_ms} ms allowed: {json}");
        let problems = json["verdict"]["problems"].as_array().unwrap();
        let problem = problems[0].as_str().unwrap_or_default();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problem.starts_with("async-fetch: took")
                && problem.contains(&format!("(allowed {allowed_ms:.0} ms)")),
            "{problem}"
        );
    }
}

#[test]
fn markdown_is_a_table_with_the_verdict() {
    let out = compare_all("markdown", &["--markdown"]);
    let text = stdout(&out);
    let table: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 13, "header, rule, eleven rows:\n{text}");
    assert!(table[1].starts_with("|---|"));
    assert!(text.contains("Verdict: PASS"));
}

#[test]
fn bad_flags_are_one_line_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_comparison"))
        .args(["--json", "--markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

/// `compare | head -1`: stdout is a pipe whose reader has gone. The table's
/// first `println!` must end the tool quietly (SIGPIPE, as `ls | head` does),
/// not panic with exit 101.
#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_ends_quietly_without_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let dir = scratch("closed-pipe");
    all_demos(&dir);
    let (reader, writer) = nix::unistd::pipe().unwrap();
    drop(reader); // the reader is gone before the tool writes anything
    let out = Command::new(env!("CARGO_BIN_EXE_comparison"))
        .args(["--quick", "--no-python", "--timeout-s", "20", "--bin-dir"])
        .arg(&dir)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(nix::sys::signal::Signal::SIGPIPE as i32),
        "{:?}: {stderr}",
        out.status
    );
}

#[test]
fn a_bin_dir_that_does_not_exist_is_one_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_comparison"))
        .args(["--quick", "--bin-dir", "/nonexistent-bin-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no table: {}", stdout(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("/nonexistent-bin-dir"), "{stderr}");
}

/// The wrapper's first step (scripts/compare): parse only, run nothing.
#[test]
fn check_args_parses_without_running_anything() {
    let check = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_comparison"))
            .arg("--check-args")
            .args(args)
            .output()
            .unwrap()
    };
    // valid: exit 0, silent, although the bin dir holds no demo at all
    let empty = scratch("check-args");
    let ok = check(&["--quick", "--bin-dir", empty.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(ok.stdout.is_empty() && ok.stderr.is_empty(), "{ok:?}");
    // bad: one error line, exit 2
    let bad = check(&["--bogus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).starts_with("error: "));
    // help: printed once here, and exit 3 tells the wrapper to stop
    let help = check(&["--help"]);
    assert_eq!(help.status.code(), Some(3));
    assert!(stdout(&help).contains("--bin-dir"), "{}", stdout(&help));
}

/// The progress counter numbers the runs made: the rayon row reads the
/// threads-demo cpu run, so it adds no number and leaves no gap.
#[test]
fn the_progress_counter_has_no_gaps() {
    let out = compare_all("progress", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let counters: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with('['))
        .filter_map(|l| l.split(']').next())
        .collect();
    let n = counters.len();
    assert!(n >= 2, "{stderr}");
    let expected: Vec<String> = (1..=n).map(|i| format!("[{i}/{n}")).collect();
    assert_eq!(counters, expected, "{stderr}");
    let rows = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("threads-demo cpu (rayon)"))
        .count();
    assert_eq!(rows, 1, "the rayon row is still in the table");
}

/// `--report DIR`: the page and its charts are written, and what the table says is in it.
#[test]
fn a_report_is_written_beside_the_table() {
    let report = scratch("report-out").join("nested/dir");
    let out = compare_all("report", &["--report", report.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("<h1>scripts/compare (quick mode)</h1>"),
        "{html}"
    );
    assert!(html.contains("Verdict: PASS"));
    assert!(html.contains("<td>process-demo cpu</td>"));
    let chart = fs::read_to_string(report.join("timeline-rust-sync-fetch.svg")).unwrap();
    assert!(
        chart.starts_with("<svg") && html.contains(chart.trim()),
        "inlined as written"
    );
    assert!(report.join("speedup.svg").is_file());
    assert!(
        stdout(&out).contains("Verdict: PASS"),
        "the table is still printed"
    );
}

/// `--scale --report DIR`: the two charts against N.
#[test]
fn a_scale_report_has_time_and_memory_per_task() {
    let report = scratch("scale-report-out");
    let out = compare_all(
        "scale-report",
        &["--scale", "--report", report.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains("PSS/N") && text.contains("smaps_rollup"),
        "{text}"
    );
    for file in [
        "index.html",
        "scale-time-per-task.svg",
        "scale-memory-per-task.svg",
    ] {
        assert!(report.join(file).is_file(), "{file}");
    }
    let html = fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("<th>Rust PSS/N</th>"), "{html}");
}

/// A report that cannot be written is a usage error before anything runs.
#[test]
fn a_report_path_that_cannot_be_written_is_refused_up_front() {
    let dir = scratch("report-refused");
    all_demos(&dir);
    let blocker = dir.join("a-file");
    fs::write(&blocker, "").unwrap();
    for args in [
        vec!["--report"],
        vec!["--scale", "--report"],
        vec!["--check-args", "--report"],
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_comparison"));
        cmd.args(["--quick", "--no-python", "--bin-dir"])
            .arg(&dir)
            .args(&args);
        let out = cmd.arg(blocker.join("report")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "one line, no run started: {stderr}"
        );
        assert!(
            stderr.starts_with("error: ") && stderr.contains("--report"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}
