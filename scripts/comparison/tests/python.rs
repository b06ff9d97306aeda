//! The Python equivalents in scripts/python, run with tiny delays: same flags,
//! same JSON summary as the Rust demos. Skipped, with a message, without python3.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: python3 is not available, so the Python column would say n/a");
    }
    ok.then_some("python3")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../python")
        .join(name)
}

fn run(py: &str, name: &str, args: &[&str]) -> Output {
    Command::new(py)
        .arg(script(name))
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap()
}

/// Runs with `--json` and returns the one JSON object of stdout.
fn summary(py: &str, name: &str, args: &[&str]) -> Value {
    summary_and_narrative(py, name, args).0
}

/// Runs with `--json`; returns the one JSON object of stdout and the narrative (stderr).
fn summary_and_narrative(py: &str, name: &str, args: &[&str]) -> (Value, String) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(py, name, &all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one line on stdout: {stdout}"
    );
    let json: Value = serde_json::from_str(stdout.trim()).unwrap();
    for field in [
        "demo",
        "variant",
        "tasks",
        "delay_ms",
        "ideal_ms",
        "elapsed_ms",
        "max_rss_kb",
        "ok",
        "failed",
        "spans",
    ] {
        assert!(json.get(field).is_some(), "{name}: no {field} in {json}");
    }
    assert!(json["max_rss_kb"].as_u64().unwrap() > 1000, "{json}");
    (json, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// (first start, last end) of the spans: the tasks' own extent, without interpreter start-up.
fn extent(json: &Value) -> f64 {
    let spans = json["spans"].as_array().unwrap();
    let start = spans
        .iter()
        .map(|s| s["start_ms"].as_f64().unwrap())
        .fold(f64::MAX, f64::min);
    let end = spans
        .iter()
        .map(|s| s["end_ms"].as_f64().unwrap())
        .fold(0.0, f64::max);
    end - start
}

/// 5 × 200 ms: one after another 1 s, at once 200 ms, so the bound of 0.6 ×
/// the sequential extent (600 ms) is three times the ideal, room for the
/// interpreter's and the forks' costs on a loaded machine.
const TINY: [&str; 4] = ["--tasks", "5", "--delay-ms", "200"];

#[test]
fn waiting_tasks_overlap_except_in_the_sequential_fetch() {
    let Some(py) = python() else { return };
    let sync = summary(py, "sync_fetch.py", &TINY);
    assert_eq!(
        (sync["variant"].as_str(), sync["ideal_ms"].as_f64()),
        (Some("simulated"), Some(1000.0))
    );
    assert!(extent(&sync) >= 1000.0, "{sync}");
    for (name, variant) in [
        ("threads_demo.py", "threads"),
        ("process_demo.py", "processes"),
        ("async_fetch.py", "simulated"),
    ] {
        let json = summary(py, name, &TINY);
        assert_eq!(json["variant"], variant);
        assert_eq!(
            (json["ok"].as_u64(), json["failed"].as_u64()),
            (Some(5), Some(0))
        );
        assert_eq!(json["ideal_ms"], 200.0);
        assert!(
            extent(&json) < 0.6 * extent(&sync),
            "{name} overlaps: {json}"
        );
    }
}

#[test]
fn http_variants_use_a_local_server_and_keep_the_same_ratio() {
    let Some(py) = python() else { return };
    let mut args = vec!["http"];
    args.extend(TINY);
    let sync = summary(py, "sync_fetch.py", &args);
    let concurrent = summary(py, "async_fetch.py", &args);
    assert_eq!(
        (sync["variant"].as_str(), concurrent["variant"].as_str()),
        (Some("http"), Some("http"))
    );
    assert_eq!(sync["ok"], 5);
    assert_eq!(concurrent["ok"], 5);
    assert!(
        extent(&concurrent) < 0.6 * extent(&sync),
        "{concurrent}\n{sync}"
    );
    let get = summary(py, "async_fetch.py", &["get"]);
    assert_eq!(
        (get["variant"].as_str(), get["ok"].as_u64()),
        (Some("get"), Some(1))
    );
}

#[test]
fn threads_wait_side_by_side_simulated_and_over_http() {
    let Some(py) = python() else { return };
    let mut sync_args = vec!["http"];
    sync_args.extend(TINY);
    let sync = summary(py, "sync_fetch.py", &sync_args);
    for (sub, variant) in [
        (&["threads"][..], "threads"),
        (&["threads", "http"], "threads-http"),
    ] {
        let mut args = sub.to_vec();
        args.extend(TINY);
        let json = summary(py, "sync_fetch.py", &args);
        assert_eq!(json["variant"], variant);
        assert_eq!(
            (json["ok"].as_u64(), json["failed"].as_u64()),
            (Some(5), Some(0))
        );
        assert!(extent(&json) < 0.6 * extent(&sync), "{json}\n{sync}");
    }
    // one site refused: counted, the others kept, exit 1
    let out = run(
        py,
        "sync_fetch.py",
        &[
            "threads",
            "http",
            "--base-url",
            "http://127.0.0.1:1",
            "--delay-ms",
            "0",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["ok"].as_u64(), json["failed"].as_u64()),
        (Some(0), Some(3))
    );
    let flag = run(py, "sync_fetch.py", &["threads", "--timeout-ms", "5"]);
    // --timeout-ms belongs to `threads http`
    assert_eq!(flag.status.code(), Some(2));
}

#[test]
fn a_failed_fetch_is_counted_and_exits_1() {
    let Some(py) = python() else { return };
    for name in ["sync_fetch.py", "async_fetch.py"] {
        // Port 1 on loopback: nothing listens there, so every fetch fails at once.
        let out = run(
            py,
            name,
            &[
                "http",
                "--base-url",
                "http://127.0.0.1:1",
                "--delay-ms",
                "0",
                "--json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (json["ok"].as_u64(), json["failed"].as_u64()),
            (Some(0), Some(3)),
            "{name}"
        );
    }
}

/// As in the Rust `cpu` variants: the result is the closed formula's, each
/// way's figure is its best round as printed, and the speedup is the ratio
/// of those figures.
#[test]
fn cpu_variants_report_each_ways_best_round_and_the_formulas_sum() {
    let Some(py) = python() else { return };
    let n: u128 = 100_000;
    let expected = (n - 1) * n * (2 * n - 1) / 6 % (1u128 << 64);
    let args = ["cpu", "--size", "100000", "--workers", "2", "--rounds", "2"];
    for (name, ways) in [
        (
            "threads_demo.py",
            [("one thread", "sequential"), ("2 threads", "threads")],
        ),
        (
            "process_demo.py",
            [("one process", "sequential"), ("2 processes", "processes")],
        ),
    ] {
        let (json, narrative) = summary_and_narrative(py, name, &args);
        assert_eq!(json["result"].as_u64().map(u128::from), Some(expected));
        assert_eq!(
            (
                json["workers"].as_u64(),
                json["tasks"].as_u64(),
                json["rounds"].as_u64()
            ),
            (Some(2), Some(2), Some(2)),
            "{name}"
        );
        demo_kit::testing::assert_best_rounds(&narrative, &json, 2, &ways);
    }
}

#[test]
fn shared_isolation_and_the_decorator() {
    let Some(py) = python() else { return };
    let shared = summary(
        py,
        "threads_demo.py",
        &["shared", "--tasks", "5", "--delay-ms", "10"],
    );
    assert_eq!(
        (shared["counter"].as_u64(), shared["expected"].as_u64()),
        (Some(5), Some(5))
    );
    let isolation = summary(py, "process_demo.py", &["isolation", "--delay-ms", "10"]);
    assert_eq!(isolation["parent_value"], 0);
    assert_eq!(isolation["child_values"], serde_json::json!([1, 2, 3]));
    let timed = summary(py, "macros_demo.py", &["--n", "1000"]);
    assert_eq!(
        (timed["variant"].as_str(), timed["result"].as_u64()),
        (Some("timed"), Some(499_500))
    );
    let function_ms = timed["function_ms"].as_f64().unwrap();
    let elapsed_ms = timed["elapsed_ms"].as_f64().unwrap();
    assert!(
        function_ms > 0.0 && function_ms <= elapsed_ms,
        "{function_ms} of {elapsed_ms}"
    );
}

#[test]
fn bad_input_is_one_error_line_and_exit_2() {
    let Some(py) = python() else { return };
    for (name, args) in [
        ("threads_demo.py", &["--tasks", "0"][..]),
        ("process_demo.py", &["cpu", "--size", "x"]),
        ("sync_fetch.py", &["--delay-ms", "-5"]),
        ("async_fetch.py", &["--nope"]),
        ("macros_demo.py", &["--n", "ten"]),
        // like macros-demo: nothing waits, so there is no --tasks or --delay-ms
        ("macros_demo.py", &["--tasks", "3"]),
        ("macros_demo.py", &["--delay-ms", "5"]),
        ("threads_demo.py", &["cpu", "--rounds", "0"]),
        ("process_demo.py", &["cpu", "--rounds", "101"]),
    ] {
        let out = run(py, name, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("error: "), "{name}: {stderr}");
        assert!(!stderr.contains("Traceback"));
    }
}

#[test]
fn run_in_executor_frees_the_loop_that_cpu_work_on_it_stalls() {
    let Some(py) = python() else { return };
    let offload = summary(
        py,
        "async_fetch.py",
        &[
            "offload",
            "--tasks",
            "2",
            "--delay-ms",
            "200",
            "--beat-ms",
            "20",
        ],
    );
    assert_eq!(
        (offload["variant"].as_str(), offload["ok"].as_u64()),
        (Some("offload"), Some(2))
    );
    let lag = |key: &str| {
        offload[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {offload}"))
    };
    // On the loop, the heartbeat waits out at least one whole job of about
    // 200 ms (both, one after the other); in an executor, the loop's thread
    // is free: with threads it waits only for the GIL, with processes for
    // nothing.
    let on_the_loop = lag("loop_max_lag_ms");
    assert!(on_the_loop > 0.5 * 200.0, "{offload}");
    assert!(lag("thread_pool_max_lag_ms") < on_the_loop, "{offload}");
    assert!(
        3.0 * lag("process_pool_max_lag_ms") < on_the_loop,
        "{offload}"
    );
}

#[test]
fn the_class_decorator_refuses_motorcycle_and_the_metaclass_registers_classes() {
    let Some(py) = python() else { return };
    let out = run(py, "macros_demo.py", &["--n", "1000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for line in [
        "Calculation result: 499500",
        "Starting the Model T.",
        "Stopping the Model T.",
        "Caught an error: Class 'Motorcycle' must have a 'stop' method.",
        "A metaclass registered each class as it was defined: Truck, Garage",
        "Truck { model: str, load_kg: int }",
    ] {
        assert!(
            stdout.lines().any(|l| l.trim() == line),
            "{line:?} in:\n{stdout}"
        );
    }
}
