//! Runs one demo (or one Python script) with `--json` and reads its summary,
//! telling apart a missing binary, a failed run and a run without a summary.

use crate::signals;
use demo_kit::Span;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpgid};
use serde_json::Value;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A summary a demo printed, as parsed JSON, with the wall time seen from outside.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The JSON object the run printed.
    pub json: Value,
    /// Spawn to exit, measured by this tool (includes process start-up).
    pub wall_ms: f64,
    /// The largest sum of the proportional set sizes of the run's processes
    /// seen while it ran (see [`group_pss_kb`]), when the run was sampled.
    pub pss_kb: Option<f64>,
}

impl Measured {
    /// A summary read from text (a recorded fixture, or a run's stdout),
    /// before its wall time and memory are known: the whole text, or else its
    /// last line that is a JSON object with an `elapsed_ms`.
    pub fn parse(text: &str) -> Option<Self> {
        let is_summary = |v: &Value| v.get("elapsed_ms").is_some_and(Value::is_number);
        let whole = serde_json::from_str::<Value>(text.trim()).ok();
        let json = whole.filter(is_summary).or_else(|| {
            text.lines()
                .rev()
                .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
                .find(is_summary)
        })?;
        Some(Self {
            json,
            wall_ms: 0.0,
            pss_kb: None,
        })
    }

    /// The summary's field `key` as a number; `None` if it is missing or not one.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.json.get(key).and_then(Value::as_f64)
    }

    /// The summary's `spans`, for the timeline; a malformed span is left out.
    pub fn spans(&self) -> Vec<Span> {
        let list = self.json.get("spans").and_then(Value::as_array);
        list.into_iter()
            .flatten()
            .filter_map(|s| {
                Some(Span {
                    task: usize::try_from(s.get("task")?.as_u64()?).ok()?,
                    start_ms: s.get("start_ms")?.as_f64()?,
                    end_ms: s.get("end_ms")?.as_f64()?,
                })
            })
            .collect()
    }
}

/// What came of running one command.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It ran and printed a summary with no failed task.
    Done(Measured),
    /// Not there to run: no binary, or it printed no summary (not written yet).
    Missing(String),
    /// It ran and failed: a non-zero exit, a failed task, a timeout, the wrong variant.
    Failed(String, Option<Measured>),
    /// Not run on purpose (no python3, or no Python equivalent).
    Skipped(String),
}

impl Outcome {
    /// The summary, if the run was a success.
    pub fn done(&self) -> Option<&Measured> {
        match self {
            Outcome::Done(m) => Some(m),
            _ => None,
        }
    }

    /// One word for the JSON output.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Done(_) => "ok",
            Outcome::Missing(_) => "missing",
            Outcome::Failed(..) => "failed",
            Outcome::Skipped(_) => "skipped",
        }
    }

    /// Why it is not a success, if it is not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Done(_) => None,
            Outcome::Missing(r) | Outcome::Failed(r, _) | Outcome::Skipped(r) => Some(r),
        }
    }
}

/// Judges a finished run from its exit code (`None`: killed by a signal)
/// and output.
pub fn classify(code: Option<i32>, stdout: &str, stderr: &str, variant: &str) -> Outcome {
    let success = code == Some(0);
    let last_error = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string());
    let exit = code.map_or("killed by a signal".to_string(), |c| {
        format!("exit code {c}")
    });
    let Some(measured) = Measured::parse(stdout) else {
        let said = last_error.unwrap_or_else(|| {
            let first = stdout.lines().next().unwrap_or("").trim();
            if first.is_empty() {
                "no output".into()
            } else {
                format!("stdout: {first}")
            }
        });
        return if success {
            Outcome::Missing(format!("printed no JSON summary ({said})"))
        } else {
            Outcome::Failed(format!("{exit}, no JSON summary ({said})"), None)
        };
    };
    let got = measured.json["variant"].as_str().unwrap_or("").to_string();
    if got != variant {
        return Outcome::Failed(
            format!("expected variant `{variant}`, got `{got}`"),
            Some(measured),
        );
    }
    let failed = measured.num("failed").unwrap_or(0.0);
    if !success || failed > 0.0 {
        let why = match last_error {
            Some(line) => format!("{exit}, {failed} task(s) failed ({line})"),
            None => format!("{exit}, {failed} task(s) failed"),
        };
        return Outcome::Failed(why, Some(measured));
    }
    Outcome::Done(measured)
}

/// How often a sampled run's memory is read (see [`group_pss_kb`]).
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Where the programs are, and how long one may run.
#[derive(Clone, Debug)]
pub struct Runner {
    /// The directory of the Rust binaries (target/release).
    pub bin_dir: PathBuf,
    /// The Python interpreter, or why there is none.
    pub python: Result<PathBuf, String>,
    /// Where the Python equivalents are: `--python-dir`, else scripts/python.
    pub python_dir: PathBuf,
    /// A run taking longer than this is killed and reported as failed.
    pub timeout: Duration,
    /// Read each run's memory while it runs (`--scale`): see [`group_pss_kb`].
    pub sample_memory: bool,
}

impl Runner {
    /// Runs the Rust binary `bin` of the bin dir.
    pub fn rust(&self, bin: &str, args: &[String], variant: &str) -> Outcome {
        match self.bin_dir.join(bin) {
            path if path.is_file() => self.run(path.as_os_str(), args, variant),
            path => Outcome::Missing(format!("no binary {}", path.display())),
        }
    }

    /// Runs `scripts/python/{script}` with the interpreter, if there is one.
    pub fn python(&self, script: &str, args: &[String], variant: &str) -> Outcome {
        let python = match &self.python {
            Ok(python) => python,
            Err(why) => return Outcome::Skipped(why.clone()),
        };
        let path = self.python_dir.join(script);
        if !path.is_file() {
            return Outcome::Missing(format!("no script {}", path.display()));
        }
        let mut all = vec![path.to_string_lossy().into_owned()];
        all.extend(args.iter().cloned());
        self.run(python.as_os_str(), &all, variant)
    }

    /// Runs `program args…` [`through_shell`], kills it after the timeout,
    /// and judges the result. With `sample_memory`, the memory of its
    /// processes is read every [`SAMPLE_EVERY`] while it runs, and the peak
    /// kept as `pss_kb`.
    ///
    /// If this tool is interrupted meanwhile (see [`signals`]), the run is
    /// stopped with every process of its group, and the tool exits with
    /// 128 + the signal's number after one line naming the run.
    pub fn run(&self, program: &OsStr, args: &[String], variant: &str) -> Outcome {
        // The run as a user would type it: file names without their directories.
        let words = std::iter::once(program).chain(args.iter().map(OsStr::new));
        let short = words.map(|w| Path::new(w).file_name().unwrap_or(w).to_string_lossy());
        let step = short.collect::<Vec<_>>().join(" ");
        if let Some(signal) = signals::caught() {
            interrupted(signal, &step, "before it started");
        }
        let mut cmd = through_shell(program, args);
        // The Python scripts write no __pycache__ beside themselves.
        cmd.env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a timeout also ends the children it
            // forked (they would otherwise keep the pipes open, and this tool
            // waiting).
            .process_group(0);
        #[cfg(target_os = "linux")]
        die_with_this_process(&mut cmd);
        let started = Instant::now();
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(err) => return Outcome::Failed(format!("could not start: {err}"), None),
        };
        // Read both pipes while it runs: a chatty demo must not block on a full pipe.
        let out = drain(child.stdout.take());
        let err = drain(child.stderr.take());
        let mut peak_pss: Option<u64> = None;
        let mut sampled = started;
        let status = loop {
            if self.sample_memory && (peak_pss.is_none() || sampled.elapsed() >= SAMPLE_EVERY) {
                sampled = Instant::now();
                if let Some(kb) = group_pss_kb(child.id()) {
                    peak_pss = Some(peak_pss.unwrap_or(0).max(kb));
                }
            }
            if let Some(signal) = signals::caught() {
                stop_group(&mut child);
                interrupted(signal, &step, "while it ran");
            }
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if started.elapsed() > self.timeout => {
                    stop_group(&mut child);
                    break Err(format!(
                        "timed out after {} s and was killed",
                        self.timeout.as_secs()
                    ));
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(e) => break Err(format!("could not wait for it: {e}")),
            }
        };
        let wall_ms = started.elapsed().as_secs_f64() * 1e3;
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let mut outcome = match status {
            Ok(status) => classify(status.code(), &stdout, &stderr, variant),
            Err(why) => Outcome::Failed(why, None),
        };
        if let Outcome::Done(m) | Outcome::Failed(_, Some(m)) = &mut outcome {
            m.wall_ms = wall_ms;
            m.pss_kb = peak_pss.map(|kb| kb as f64);
        }
        outcome
    }
}

/// A thread that reads `pipe` to its end, and returns what it read as text.
fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What the processes of one run cost together, in KiB: the sum of the
/// proportional set size (`Pss:` of `/proc/<pid>/smaps_rollup`) of every
/// process in the process group `leader` leads, except the leader itself
/// (the small `sh` of [`through_shell`]). PSS splits each shared page among
/// the processes that share it, so pages a fork shares copy-on-write are
/// counted once in the sum, and one process's own pages in full. `None` if
/// no process could be read (not Linux, or the run already ended).
pub fn group_pss_kb(leader: u32) -> Option<u64> {
    let group = Pid::from_raw(leader as i32);
    let pids = std::fs::read_dir("/proc").ok()?.flatten();
    let pids = pids.filter_map(|entry| entry.file_name().to_str()?.parse().ok());
    let members = pids
        .map(Pid::from_raw)
        .filter(|&pid| pid != group && getpgid(Some(pid)) == Ok(group));
    let pss = members.filter_map(|pid| {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
        let kb = rollup.lines().find_map(|l| l.strip_prefix("Pss:"))?;
        kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
    });
    pss.reduce(|a, b| a + b)
}

/// Ends the tool after an interruption: one line naming the run that was
/// cut short, and the exit code a shell gives a process ended by `signal`.
fn interrupted(signal: i32, step: &str, when: &str) -> ! {
    let name = match Signal::try_from(signal) {
        Ok(Signal::SIGINT) => "SIGINT (Ctrl-C)".to_string(),
        Ok(signal) => signal.as_str().to_string(),
        Err(_) => format!("signal {signal}"),
    };
    demo_kit::error(format_args!(
        "interrupted by {name} {when}: `{step}`; that run and its children were stopped, \
         and no table is printed"
    ));
    std::process::exit(128 + signal)
}

/// Makes the run die with this tool: if this process ends without stopping
/// it (even by SIGKILL, which cannot be caught), the kernel sends SIGTERM to
/// the run's first process (`PR_SET_PDEATHSIG`, kept across `exec`), and
/// [`through_shell`]'s shell answers that by killing its whole group.
#[cfg(target_os = "linux")]
fn die_with_this_process(cmd: &mut Command) {
    use nix::unistd::{getpid, getppid};
    let parent = getpid();
    // SAFETY: the closure runs in the child between fork and exec and makes
    // only the prctl and getppid system calls, which allocate nothing.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM)?;
            // This tool may have died before the prctl: then nobody would
            // signal us, so do not start at all.
            if getppid() != parent {
                return Err(nix::errno::Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

/// Stops a run and everything in its process group (see `process_group(0)`
/// in [`Runner::run`]): SIGTERM, a moment to go, then SIGKILL; waits for the child,
/// then for the rest of the group, which this tool reaps as their subreaper
/// (see [`signals::install`]).
fn stop_group(child: &mut std::process::Child) {
    // A pid fits an i32 (Linux's pid_max is at most 2^22).
    let group = Pid::from_raw(child.id() as i32);
    // The group this tool created for the run: nothing outside it is
    // touched. An error means the group is gone already.
    let _ = killpg(group, Signal::SIGTERM);
    let grace = Instant::now();
    while grace.elapsed() < Duration::from_secs(1) && matches!(child.try_wait(), Ok(None)) {
        thread::sleep(Duration::from_millis(10));
    }
    let _ = killpg(group, Signal::SIGKILL);
    let _ = child.wait();
    let gone = Instant::now();
    while gone.elapsed() < Duration::from_secs(5) {
        // Reap the group's members that were handed to us; stop once the
        // group is empty (signal 0 fails).
        while matches!(
            waitpid(Pid::from_raw(-group.as_raw()), Some(WaitPidFlag::WNOHANG)),
            Ok(status) if status != WaitStatus::StillAlive
        ) {}
        if killpg(group, None).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// `sh -c '… "$@" & wait $! …' sh program args…`: the program runs as a
/// child of a small shell rather than straight from this tool.
///
/// Linux carries a process's peak RSS across `exec`, and a freshly spawned
/// child starts with its parent's pages counted, so a demo spawned directly
/// would report this tool's own peak memory as its `max_rss_kb` (the
/// `--scale` sweep showed 20-40 MB for a 3 MB demo). The shell is small, and
/// it waits for the program rather than `exec`-ing it in its own place, so
/// the demo starts from the shell's few pages instead.
///
/// The shell also guards the run: on SIGTERM (which the kernel sends it if
/// this tool dies, see `die_with_this_process`) it kills its whole process
/// group, the program and the program's children with it. It runs the
/// program in the background and `wait`s, because a shell runs a trap only
/// once a foreground command has finished. (A background program starts
/// with SIGINT ignored; the demos are never sent one.)
fn through_shell(program: &OsStr, args: &[String]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", GUARD, "sh"]).arg(program).args(args);
    cmd
}

/// The script of [`through_shell`]'s shell.
const GUARD: &str = "trap 'kill -KILL 0' TERM; \"$@\" & wait $!; exit $?";

/// The version of the interpreter `python`, if `python --version` answers; else why not.
pub fn python_version(python: &Path) -> Result<String, String> {
    let output = Command::new(python)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| format!("{} not found", python.display()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() && version.starts_with("Python 3") {
        Ok(version)
    } else {
        Err(format!(
            "{} --version did not answer Python 3",
            python.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THREADS: &str = include_str!("../tests/fixtures/threads-demo.json");

    /// A runner without Python that kills a run after `timeout_ms`.
    fn runner(timeout_ms: u64, sample_memory: bool) -> Runner {
        Runner {
            bin_dir: PathBuf::from("/nonexistent-bin-dir"),
            python: Err("none".into()),
            python_dir: PathBuf::from("/nonexistent"),
            timeout: Duration::from_millis(timeout_ms),
            sample_memory,
        }
    }

    /// Runs `sh -c script`.
    fn sh(runner: &Runner, script: &str) -> Outcome {
        runner.run("sh".as_ref(), &["-c".into(), script.into()], "threads")
    }

    #[test]
    fn classify_tells_missing_from_failed_from_done() {
        let done = classify(Some(0), THREADS, "", "threads");
        assert_eq!(done.done().and_then(|m| m.num("ideal_ms")), Some(200.0));

        let placeholder = classify(Some(0), "not written yet\n", "", "threads");
        assert_eq!(placeholder.status(), "missing");
        assert!(placeholder.reason().unwrap().contains("not written yet"));

        let crashed = classify(Some(1), "", "error: not written yet\n", "cpu");
        let why = crashed.reason().unwrap();
        assert_eq!(crashed.status(), "failed");
        assert!(why.contains("exit code 1") && why.contains("not written yet"));

        let wrong = classify(Some(0), THREADS, "", "shared");
        assert!(
            wrong
                .reason()
                .unwrap()
                .contains("expected variant `shared`")
        );

        let one_failed = THREADS.replace("\"failed\":0", "\"failed\":1");
        let failed = classify(Some(1), &one_failed, "error: task 2", "threads");
        assert!(
            matches!(&failed, Outcome::Failed(why, Some(_)) if why.contains("1 task(s)")),
            "{failed:?}"
        );
    }

    #[test]
    fn a_real_process_is_run_and_judged() {
        // The summary is the last line with an elapsed_ms, after the narrative.
        let chatty = format!("echo narrative; echo '{}'; echo '{{}}'", THREADS.trim());
        assert_eq!(sh(&runner(10_000, false), &chatty).status(), "ok");
        let started = Instant::now();
        let slow = sh(&runner(100, false), "sleep 60; echo late");
        assert!(slow.reason().unwrap().contains("timed out"), "{slow:?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the timeout also ended the shell's child, which held the pipes"
        );
    }

    /// Two children each holding ~30 MB: the summed PSS counts both, where
    /// `max_rss_kb` (parent plus the largest child) would count one.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_sampled_run_sums_the_memory_of_all_its_processes() {
        let hold = "(x=$(head -c 30000000 /dev/zero | tr '\\0' x); sleep 1; echo ${#x} >/dev/null)";
        let script = format!("{hold} & {hold} & wait; echo '{}'", THREADS.trim());
        let outcome = sh(&runner(30_000, true), &script);
        let pss = outcome.done().and_then(|m| m.pss_kb).expect("sampled");
        assert!(pss > 50_000.0, "two children of ~30 MB each: {pss} KiB");
        let unsampled = sh(
            &runner(30_000, false),
            &format!("echo '{}'", THREADS.trim()),
        );
        assert_eq!(unsampled.done().unwrap().pss_kb, None);
    }

    #[test]
    fn a_demo_does_not_inherit_this_tools_peak_memory() {
        let probe = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)";
        if python_version(Path::new("python3")).is_err() {
            eprintln!("skipped: no python3 to report its own ru_maxrss");
            return;
        }
        let big = vec![1u8; 300 << 20]; // this process's peak: 300 MiB and more
        std::hint::black_box(&big);
        let kb = |mut cmd: Command| -> u64 {
            let out = cmd.output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        let mut direct = Command::new("python3");
        direct.args(["-c", probe]);
        let direct = kb(direct);
        let shelled = kb(through_shell(
            "python3".as_ref(),
            &["-c".into(), probe.into()],
        ));
        eprintln!("ru_maxrss spawned directly: {direct} KiB; through the shell: {shelled} KiB");
        assert!(
            shelled < 150 * 1024,
            "{shelled} KiB: the 300 MiB of the parent leaked in"
        );
        drop(big);
    }
}
