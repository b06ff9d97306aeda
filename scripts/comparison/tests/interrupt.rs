//! Interrupting a comparison leaves no process behind: Ctrl-C (SIGINT to
//! the whole foreground group) during a Python run, SIGTERM to the tool
//! during a Rust run, and SIGKILL, which cannot be caught.
//!
//! The runs are stand-ins that behave like the demos where it matters here:
//! the Python one is real `python3` with three `multiprocessing` children
//! (like `process_demo.py`), the Rust one a program with three children
//! (like `process-demo`), and both run far longer than the test, so they are
//! surely interrupted in the middle. The other rows are recorded summaries.
//! `scripts/compare` execs this same binary after its build, so its process
//! is the one tested here.
#![cfg(target_os = "linux")]

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// One process as /proc shows it.
#[derive(Clone, Debug, PartialEq)]
struct Proc {
    pid: i32,
    ppid: i32,
    state: char,
    start: u64,
    cmdline: String,
}

fn read_proc(pid: i32) -> Option<Proc> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces, so split after its ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let cmdline = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default();
    Some(Proc {
        pid,
        ppid: fields.get(1)?.parse().ok()?,
        state: fields.first()?.chars().next()?,
        // Field 22 of stat, the start time: tells a reused pid apart.
        start: fields.get(19)?.parse().ok()?,
        cmdline,
    })
}

fn all_procs() -> Vec<Proc> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(read_proc)
        .collect()
}

/// Every process below `root`.
fn descendants(root: i32) -> Vec<Proc> {
    let procs = all_procs();
    let mut found: Vec<Proc> = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for p in procs.iter().filter(|p| p.ppid == parent) {
            parents.push(p.pid);
            found.push(p.clone());
        }
    }
    found
}

/// Still there and not a zombie (a zombie has ended; it only waits to be reaped).
fn still_running(p: &Proc) -> bool {
    read_proc(p.pid).is_some_and(|now| now.start == p.start && now.state != 'Z')
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    Command::new("chmod").arg("+x").arg(path).status().unwrap();
}

/// Stand-ins for every demo that print their recorded summary at once,
/// except `process-demo` when `hang` holds: three children that sleep.
fn demos(dir: &Path, hang: bool) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (bin, sub) in [
        ("threads-demo", "cpu"),
        ("process-demo", "cpu"),
        ("sync-fetch", "http"),
        ("async-fetch", "http"),
        ("macros-demo", ""),
    ] {
        let default = fixtures.join(format!("{bin}.json"));
        let by_sub = fixtures.join(format!("{bin}-{sub}.json"));
        let script = if hang && bin == "process-demo" {
            "#!/bin/sh\nsleep 300 & sleep 300 & sleep 300 &\nwait\n".to_string()
        } else {
            format!(
                "#!/bin/sh\nif [ \"$1\" = '{sub}' ]; then cat '{}'; else cat '{}'; fi\n",
                by_sub.display(),
                default.display()
            )
        };
        executable(&dir.join(bin), &script);
    }
}

/// A Python `process_demo.py` whose three children outlive any test.
fn python_dir(dir: &Path) {
    fs::write(
        dir.join("process_demo.py"),
        "import multiprocessing, time\n\
         if __name__ == '__main__':\n\
         \x20   children = [multiprocessing.Process(target=time.sleep, args=(300,)) for _ in range(3)]\n\
         \x20   for child in children:\n\
         \x20       child.start()\n\
         \x20   for child in children:\n\
         \x20       child.join()\n",
    )
    .unwrap();
}

/// The comparison, in a process group of its own, as a shell starts a job.
struct Comparison {
    child: Child,
    /// Every process seen below it, for the final check and for cleaning up.
    seen: Vec<Proc>,
}

impl Comparison {
    fn start(bins: &Path, python: Option<&Path>) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_comparison"));
        cmd.args(["--quick", "--timeout-s", "600", "--bin-dir"])
            .arg(bins)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match python {
            Some(dir) => cmd.arg("--python-dir").arg(dir),
            None => cmd.arg("--no-python"),
        };
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        Self {
            child: cmd.spawn().unwrap(),
            seen: Vec::new(),
        }
    }

    fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    /// Waits until a run whose command line holds `marker` has three
    /// processes below it, noting everything seen below the comparison.
    fn wait_for_run(&mut self, marker: &str) {
        let start = Instant::now();
        loop {
            let below = descendants(self.pid());
            for p in &below {
                if !self.seen.contains(p) {
                    self.seen.push(p.clone());
                }
            }
            let run = below.iter().find(|p| p.cmdline.contains(marker));
            if let Some(run) = run {
                if descendants(run.pid).len() >= 3 {
                    self.seen.extend(descendants(run.pid));
                    return;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no `{marker}` run with 3 children appeared: {below:?}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` to the comparison's group (`group`) or to it alone,
    /// then waits for it; returns its exit code and stderr.
    fn interrupt(&mut self, signal: Signal, group: bool) -> (Option<i32>, String) {
        let target = if group { -self.pid() } else { self.pid() };
        kill(Pid::from_raw(target), signal).unwrap();
        let start = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the comparison did not end"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The processes seen during the run that still run, after a moment for
    /// the last ones to go.
    fn left(&self) -> Vec<Proc> {
        let start = Instant::now();
        loop {
            let left: Vec<Proc> = self
                .seen
                .iter()
                .filter(|p| still_running(p))
                .cloned()
                .collect();
            if left.is_empty() || start.elapsed() > Duration::from_secs(10) {
                return left;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Comparison {
    /// A failed test still leaves nothing running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for p in self.seen.iter().filter(|p| still_running(p)) {
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
        }
    }
}

#[test]
fn ctrl_c_during_a_python_run_stops_it_and_its_children() {
    let has_python = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!("skipped: no python3");
        return;
    }
    let bins = scratch("interrupt-python-bins");
    let python = scratch("interrupt-python-scripts");
    demos(&bins, false);
    python_dir(&python);
    let mut run = Comparison::start(&bins, Some(&python));
    run.wait_for_run("process_demo.py");
    let (code, stderr) = run.interrupt(Signal::SIGINT, true);
    assert_eq!(code, Some(130), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: interrupted by SIGINT"), "{stderr}");
    assert!(last.contains("process_demo.py"), "{stderr}");
    let left = run.left();
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn sigterm_during_a_rust_run_stops_it_and_its_children() {
    let bins = scratch("interrupt-rust-bins");
    demos(&bins, true);
    let mut run = Comparison::start(&bins, None);
    run.wait_for_run("process-demo");
    let (code, stderr) = run.interrupt(Signal::SIGTERM, false);
    assert_eq!(code, Some(143), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: interrupted by SIGTERM"),
        "{stderr}"
    );
    assert!(last.contains("process-demo"), "{stderr}");
    let left = run.left();
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn sigkill_of_the_comparison_takes_the_run_with_it() {
    let bins = scratch("interrupt-kill-bins");
    demos(&bins, true);
    let mut run = Comparison::start(&bins, None);
    run.wait_for_run("process-demo");
    let (code, _) = run.interrupt(Signal::SIGKILL, false);
    assert_eq!(code, None, "killed by a signal");
    let left = run.left();
    assert!(left.is_empty(), "left running: {left:?}");
}
