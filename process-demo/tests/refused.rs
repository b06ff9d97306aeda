//! A fork the OS refuses: process-demo stops forking there, as Python's
//! `Process.start()` raises at the first failure, prints that one error,
//! reaps the children that did start, and ends with one line that counts.
//!
//! The refusal is real: the demo runs as an unprivileged user (65534,
//! `nobody` on most systems) with `RLIMIT_NPROC` set low, so the kernel
//! answers `fork` with `EAGAIN` once that user has that many processes.
//! Root ignores `RLIMIT_NPROC`, which is why the test changes user; it
//! needs root to do so, and says it was skipped otherwise.
//!
//! The Python equivalent, `scripts/python/process_demo.py`, is held to the
//! same lines under the same limit, and skipped with a note if that user
//! has no `python3` to run.
#![cfg(target_os = "linux")]

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::Run;
use nix::sys::resource::{Resource, setrlimit};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// One limited run at a time: `RLIMIT_NPROC` counts every process of the
/// user, so two runs side by side would take each other's share.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The unprivileged user the demo runs as.
const UID: u32 = 65534;
/// Processes (threads included) that user may have, the demo itself among them.
const NPROC: u64 = 4;
const TASKS: usize = 20;

/// This run's turn, or `None` when this test process is not root and so
/// cannot change user.
fn turn() -> Option<MutexGuard<'static, ()>> {
    let turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: changing to an unprivileged user needs root");
        return None;
    }
    Some(turn)
}

/// `process-demo ARGS`, as user [`UID`] under `ulimit -u NPROC`; `None`
/// when this test process is not root.
fn run_limited(args: &[&str]) -> Option<Run> {
    let _turn = turn()?;
    Some(limited(Command::new(cargo_bin!("process-demo")).args(args)))
}

/// `python3 scripts/python/process_demo.py ARGS`, as [`run_limited`] runs
/// the Rust demo; `None` when this test process is not root, or user
/// [`UID`] cannot run `python3` (pyenv's, under /root, is not theirs to run).
fn run_python_limited(args: &[&str]) -> Option<Run> {
    let _turn = turn()?;
    let runnable = Command::new("python3")
        .arg("--version")
        .uid(UID)
        .gid(UID)
        .output()
        .is_ok_and(|out| out.status.success());
    if !runnable {
        eprintln!("skipped: user {UID} cannot run python3, so process_demo.py is not tried");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/python/process_demo.py");
    Some(limited(
        Command::new("python3")
            .arg(script)
            .args(args)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    ))
}

/// Runs `command` as user [`UID`] under `ulimit -u NPROC`; the caller holds its [`turn`].
fn limited(command: &mut Command) -> Run {
    command.uid(UID).gid(UID);
    // SAFETY: the closure runs in the forked child before exec and calls
    // only setrlimit, which is async-signal-safe; std has already switched
    // to the unprivileged user, which may lower its own limits.
    unsafe {
        command.pre_exec(|| {
            setrlimit(Resource::RLIMIT_NPROC, NPROC, NPROC)?;
            Ok(())
        });
    }
    Run::of(command)
}

/// `error: 3 of 20 processes started; 17 could not: …`: (started, could not).
fn count_line(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no last line: {stderr}"));
    let rest = line
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("last line: {line}"));
    let (started, rest) = rest
        .split_once(&format!(" of {TASKS} processes started; "))
        .unwrap_or_else(|| panic!("last line: {line}"));
    let not = rest.split(' ').next().unwrap_or_default();
    assert!(
        line.contains("could not: fork failed with EAGAIN"),
        "{line}"
    );
    (started.parse().unwrap(), not.parse().unwrap())
}

#[test]
fn forking_stops_at_the_first_refusal_and_one_line_counts() {
    let delay = "300";
    let Some(out) = run_limited(&["--tasks", "20", "--delay-ms", delay]) else {
        return;
    };
    out.assert_exit(1);
    let err = &out.stderr;
    assert!(!err.contains("panicked"), "{out}");
    // One refusal printed, not one per task; no "Process N: could not …" lines.
    assert_eq!(
        err.matches("error: could not start process").count(),
        1,
        "{out}"
    );
    assert_eq!(err.lines().count(), 2, "{out}");
    let (started, not) = count_line(err);
    assert!((1..TASKS).contains(&started), "{out}");
    assert_eq!(started + not, TASKS, "{out}");
    // The children that started ran to the end and were waited for.
    assert_eq!(
        out.stdout.matches(": Starting...").count(),
        started,
        "{out}"
    );
    assert_eq!(out.stdout.matches(": Finishing.").count(), started, "{out}");
    assert!(
        out.stdout.contains("\nAll processes have finished.\n"),
        "{out}"
    );
}

#[test]
fn the_json_summary_counts_the_tasks_that_got_no_child_as_failed() {
    let Some(out) = run_limited(&["--tasks", "20", "--delay-ms", "100", "--json"]) else {
        return;
    };
    out.assert_exit(1);
    let summary = out.json();
    let (started, not) = count_line(&out.stderr);
    assert_eq!(summary["ok"].as_u64(), Some(started as u64), "{out}");
    assert_eq!(summary["failed"].as_u64(), Some(not as u64), "{out}");
    assert_eq!(summary["tasks"].as_u64(), Some(TASKS as u64), "{out}");
}

#[test]
fn cpu_and_isolation_stop_at_the_first_refusal_too() {
    for args in [
        &[
            "cpu",
            "--workers",
            "20",
            "--size",
            "1000000",
            "--rounds",
            "1",
        ][..],
        &["isolation", "--tasks", "20", "--delay-ms", "100"][..],
    ] {
        let Some(out) = run_limited(args) else {
            return;
        };
        out.assert_exit(1);
        assert_eq!(
            out.stderr.matches("error: could not start process").count(),
            1,
            "{args:?}: {out}"
        );
        assert!(
            out.stderr.contains(" of 20 processes started; "),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn the_python_equivalent_stops_at_the_first_refusal_with_the_same_lines() {
    let Some(out) = run_python_limited(&["--tasks", "20", "--delay-ms", "300"]) else {
        return;
    };
    out.assert_exit(1);
    assert!(!out.stderr.contains("Traceback"), "{out}");
    assert_eq!(
        out.stderr.matches("error: could not start process").count(),
        1,
        "{out}"
    );
    assert_eq!(out.stderr.lines().count(), 2, "{out}");
    let (started, not) = count_line(&out.stderr);
    assert!((1..TASKS).contains(&started), "{out}");
    assert_eq!(started + not, TASKS, "{out}");
    assert!(
        out.stderr
            .trim_end()
            .ends_with("(no more were tried after the first refusal)"),
        "{out}"
    );
    assert_eq!(out.stdout.matches(": Finishing.").count(), started, "{out}");
    assert!(
        out.stdout.contains("\nAll processes have finished.\n"),
        "{out}"
    );

    let Some(out) =
        run_python_limited(&["isolation", "--tasks", "20", "--delay-ms", "100", "--json"])
    else {
        return;
    };
    out.assert_exit(1);
    let (started, not) = count_line(&out.stderr);
    let summary = out.json();
    assert_eq!(summary["ok"].as_u64(), Some(started as u64), "{out}");
    assert_eq!(summary["failed"].as_u64(), Some(not as u64), "{out}");

    // multiprocessing.Pool starts all its workers or none: one line says so.
    let cpu = [
        "cpu",
        "--workers",
        "20",
        "--size",
        "100000",
        "--rounds",
        "1",
    ];
    let Some(out) = run_python_limited(&cpu) else {
        return;
    };
    out.assert_exit(1);
    let errors = out.error_lines();
    assert_eq!(errors.len(), 1, "{out}");
    assert!(
        errors[0]
            .starts_with("error: could not start a pool of 20 processes: fork failed with EAGAIN"),
        "{out}"
    );
}
