//! Fork hygiene in one place: how this demo makes child processes, how a
//! child leaves, what it tells the parent, and how the parent reaps every
//! one of them.
//!
//! Python's `multiprocessing.Process(...).start()` and `p.join()` hide four
//! rules that `fork(2)` makes ours to keep:
//!
//! 1. **No thread at fork time.** The child gets a copy of the calling
//!    thread only. A lock held by any other thread (the allocator's, stdout's)
//!    would stay locked forever in the child. [`Children::new`] checks that the
//!    process has one thread, and nothing between it and the last fork starts one.
//! 2. **Flush before fork.** Anything sitting in stdout's buffer is copied
//!    into the child and would be written twice (`process-demo | cat`).
//! 3. **The child never returns into the parent's code.** It runs its task,
//!    flushes what it wrote, and leaves with `_exit`, so the parent's
//!    `main` (its "All processes have finished." line, its JSON summary) and
//!    its exit-time cleanup never run a second time in the child.
//! 4. **Every child is reaped.** [`Children::wait_all`] calls `waitpid` on each
//!    child, failed or not, and then checks that none is left (`ECHILD`).
//!
//! Each child reports over one pipe shared by all children, like a
//! `multiprocessing.Queue`: a fixed 32-byte [`Record`] written with a single
//! `write`. Writes of at most `PIPE_BUF` (4096) bytes to a pipe are atomic,
//! so records from different children never interleave.

use demo_kit::{Clock, Refused, Span};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::panic::{self, AssertUnwindSafe};

/// The exit status of a child whose task panicked (Rust's own status for a
/// panicking `main`).
pub const PANIC_STATUS: i32 = 101;

/// What one child sends the parent: its task number, when its task ran (on
/// the parent's clock) and one number (a partial sum, a counter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// The span of the child's task, measured by the child.
    pub span: Span,
    /// The task's result: a partial sum in `cpu`, the child's counter in `isolation`, else 0.
    pub value: u64,
}

impl Record {
    /// Bytes on the pipe: task, start, end, value, each 8 bytes little-endian.
    pub const SIZE: usize = 32;

    fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut bytes = [0; Self::SIZE];
        bytes[0..8].copy_from_slice(&(self.span.task as u64).to_le_bytes());
        bytes[8..16].copy_from_slice(&self.span.start_ms.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.span.end_ms.to_le_bytes());
        bytes[24..32].copy_from_slice(&self.value.to_le_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let word = |i: usize| -> Option<[u8; 8]> { bytes.get(i * 8..i * 8 + 8)?.try_into().ok() };
        Some(Self {
            span: Span {
                task: usize::try_from(u64::from_le_bytes(word(0)?)).ok()?,
                start_ms: f64::from_le_bytes(word(1)?),
                end_ms: f64::from_le_bytes(word(2)?),
            },
            value: u64::from_le_bytes(word(3)?),
        })
    }
}

/// How a child ended, from `waitpid`'s status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status 0 and a record on the pipe.
    Finished,
    /// Exit status 0 but no record arrived (a write to the pipe failed).
    Silent,
    /// A non-zero exit status (`std::process::exit(3)`, a panic's 101).
    Exited(i32),
    /// Killed by a signal (`kill -9`, the OOM killer, a segfault).
    Killed(Signal),
    /// `waitpid` failed or gave a status this demo does not ask for.
    Unknown(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Finished => write!(f, "finished"),
            Outcome::Silent => write!(f, "exited with status 0 without reporting a result"),
            Outcome::Exited(PANIC_STATUS) => {
                write!(f, "exited with status {PANIC_STATUS} (its task panicked)")
            }
            Outcome::Exited(code) => write!(f, "exited with status {code}"),
            Outcome::Killed(signal) => write!(f, "killed by {signal}"),
            Outcome::Unknown(why) => write!(f, "ended in an unknown way: {why}"),
        }
    }
}

/// One child after it was reaped.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    /// Its task, counted from 0 as in the `Process N:` lines.
    pub task: usize,
    /// How it ended; anything but [`Outcome::Finished`] counts as failed.
    pub outcome: Outcome,
    /// What it sent over the pipe; `None` if it ended without writing.
    pub record: Option<Record>,
}

/// Every child of a run, reaped, in task order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reaped {
    /// One entry per child that was started.
    pub children: Vec<Finished>,
    /// Tasks that got no child: the one whose `fork` was refused, and those
    /// after it, which were not tried.
    pub not_started: usize,
    /// If a fork was refused: the line that counts what started and what
    /// could not, for [`report_refused`](Self::report_refused).
    pub refused: Option<String>,
    /// Children found by the final `waitpid(-1)` check that were not ours
    /// to expect (0 unless something forked behind our back).
    pub strays: usize,
}

impl Reaped {
    /// Children that finished and reported.
    pub fn ok(&self) -> usize {
        self.children
            .iter()
            .filter(|c| c.outcome == Outcome::Finished)
            .count()
    }

    /// Everything else: children that failed, tasks that got no child, strays.
    pub fn failed(&self) -> usize {
        self.children.len() - self.ok() + self.not_started + self.strays
    }

    /// The spans of the children that reported.
    pub fn spans(&self) -> Vec<Span> {
        self.records().map(|r| r.span).collect()
    }

    /// If a fork was refused, prints the run's last line: `error: 3 of 20
    /// processes started; 17 could not: fork failed with EAGAIN …`.
    pub fn report_refused(&self) {
        if let Some(line) = &self.refused {
            demo_kit::error(line);
        }
    }

    /// The records of the children that reported, in task order.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        self.children.iter().filter_map(|c| c.record)
    }
}

/// The children of one run: start them with [`spawn`](Self::spawn), then
/// [`wait_all`](Self::wait_all).
pub struct Children {
    clock: Clock,
    tasks: usize,
    read: Option<File>,
    write: Option<File>,
    started: Vec<(usize, Pid)>,
    refused: Refused,
}

impl Children {
    /// Opens the pipe the children of a run of `tasks` tasks report on,
    /// after checking that this process has a single thread, so that
    /// forking it is sound.
    pub fn new(clock: Clock, tasks: usize) -> Result<Self, String> {
        let threads = thread_count().unwrap_or(1);
        if threads > 1 {
            return Err(format!(
                "refusing to fork: this process runs {threads} threads, and a child would \
                 inherit their locks but not the threads that hold them"
            ));
        }
        let (read, write) =
            nix::unistd::pipe().map_err(|err| format!("could not make a pipe: {err}"))?;
        Ok(Self {
            clock,
            tasks,
            read: Some(File::from(read)),
            write: Some(File::from(write)),
            started: Vec::new(),
            refused: Refused::new("process", "processes"),
        })
    }

    /// Forks a child that runs `body` as task `task`, sends its result and
    /// span to the parent, and exits. Returns at once in the parent; never
    /// returns in the child.
    ///
    /// A refused fork (`EAGAIN`: the process limit; `ENOMEM`) prints one
    /// `error:` line and returns the error: the caller stops forking there,
    /// as Python's `Process.start()` raises at the first failure, and
    /// [`wait_all`](Self::wait_all) still reaps the children that started.
    pub fn spawn(&mut self, task: usize, body: impl FnOnce() -> u64) -> Result<(), Errno> {
        // Fork rule 2: flush before forking.
        // Rust's stdout is line-buffered even into a pipe (Python's is
        // block-buffered there, which is where `| cat` shows doubled lines),
        // so only a partial line could be waiting; flush it all the same.
        let _ = io::stdout().flush();
        // SAFETY: `Children::new` checked that this process has one thread, and
        // nothing since starts one (no rayon pool, no runtime; clap has parsed
        // and returned). So no lock is held by a thread the child would lack,
        // and the child may allocate and print. The child runs only
        // `child_main`, which never returns into the parent's code.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                // Our copy of the read end: only the parent reads.
                drop(self.read.take());
                child_main(self.clock, task, self.write.as_ref(), body)
            }
            Ok(ForkResult::Parent { child }) => {
                self.started.push((task, child));
                Ok(())
            }
            Err(err) => {
                self.refused
                    .note(task, &format_args!("fork failed with {err}"));
                Err(err)
            }
        }
    }

    /// Python's `p.join()` for every child: reads every report until the
    /// last child has closed the pipe, reaps each child with `waitpid`
    /// (printing `Process i: …` for each one that failed), then checks that no
    /// child at all is left, so none stays a zombie. If a fork was refused,
    /// [`Reaped::report_refused`] then says how many started, how many could
    /// not, and why.
    pub fn wait_all(mut self) -> Reaped {
        // Close the parent's write end, or the pipe never reaches end-of-file.
        drop(self.write.take());
        let mut bytes = Vec::new();
        if let Some(mut read) = self.read.take() {
            if let Err(err) = read.read_to_end(&mut bytes) {
                demo_kit::error(format_args!("reading the children's reports: {err}"));
            }
        }
        let mut records: Vec<Option<Record>> = vec![None; self.started.len()];
        for chunk in bytes.chunks_exact(Record::SIZE) {
            let Some(record) = Record::from_bytes(chunk) else {
                continue;
            };
            let slot = self
                .started
                .iter()
                .position(|(task, _)| *task == record.span.task);
            if let Some(slot) = slot {
                records[slot] = Some(record);
            }
        }

        // Fork rule 4: every child is waited
        // for, whatever became of it, and `reap_strays` then proves with
        // `ECHILD` that none is left as a zombie.
        let mut reaped = Reaped::default();
        let started = self.started.len();
        for ((task, pid), record) in self.started.into_iter().zip(records) {
            let outcome = match reap(pid) {
                Ok(WaitStatus::Exited(_, 0)) if record.is_some() => Outcome::Finished,
                Ok(WaitStatus::Exited(_, 0)) => Outcome::Silent,
                Ok(WaitStatus::Exited(_, code)) => Outcome::Exited(code),
                Ok(WaitStatus::Signaled(_, signal, _)) => Outcome::Killed(signal),
                Ok(other) => Outcome::Unknown(format!("unexpected status {other:?}")),
                Err(err) => Outcome::Unknown(format!("waitpid failed: {err}")),
            };
            if outcome != Outcome::Finished {
                demo_kit::error(format_args!("Process {task}: {outcome}"));
            }
            reaped.children.push(Finished {
                task,
                outcome,
                record,
            });
        }
        reaped.strays = reap_strays();
        if reaped.strays > 0 {
            demo_kit::error(format_args!(
                "{} child process(es) were left unreaped and have now been reaped",
                reaped.strays
            ));
        }
        reaped.not_started = self.tasks.saturating_sub(started);
        reaped.refused = self.refused.line(self.tasks, started);
        reaped
    }
}

/// Waits for one child, retrying if a signal interrupts the wait.
fn reap(pid: Pid) -> nix::Result<WaitStatus> {
    loop {
        match waitpid(pid, None) {
            Err(Errno::EINTR) => continue,
            other => return other,
        }
    }
}

/// `waitpid(-1)` until it answers `ECHILD` ("no child processes"): the
/// in-process proof that no zombie is left. Returns how many children it
/// still found (and reaped), which is 0 when every child was waited for.
pub fn reap_strays() -> usize {
    let mut strays = 0;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Err(Errno::ECHILD) => return strays,
            Err(Errno::EINTR) => continue,
            Err(_) => return strays,
            // A child is still running: wait for it rather than leave it.
            Ok(WaitStatus::StillAlive) => match waitpid(None, None) {
                Err(Errno::ECHILD) => return strays,
                Err(_) => return strays,
                Ok(_) => strays += 1,
            },
            Ok(_) => strays += 1,
        }
    }
}

/// The whole life of a child after `fork`: run the task, report, `_exit`.
fn child_main(clock: Clock, task: usize, pipe: Option<&File>, body: impl FnOnce() -> u64) -> ! {
    // A panic in the task must not unwind out of this function into the
    // parent's `main`. The hook prints one line instead of the default
    // message, and `catch_unwind` stops the unwinding here.
    panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let _ = writeln!(io::stderr(), "Process {task}: panicked: {message}");
    }));
    let status = match panic::catch_unwind(AssertUnwindSafe(|| clock.span(task, body))) {
        Ok((value, span)) => {
            let record = Record { span, value }.to_bytes();
            // One `write` of 32 bytes: atomic on a pipe (at most PIPE_BUF).
            match pipe.map(|mut pipe| pipe.write(&record)) {
                Some(Ok(Record::SIZE)) => 0,
                _ => 1,
            }
        }
        Err(_) => PANIC_STATUS,
    };
    exit_child(status)
}

/// Leaves a child process with `status`.
///
/// `_exit`, not `std::process::exit`: `exit` would run the C library's
/// exit-time work that the child inherited from the parent (`atexit`
/// handlers, flushing C stdio buffers that may hold a copy of the parent's
/// output), which is the parent's to run once. `_exit` ends the process at
/// once, so we first flush what this child itself printed: `_exit` does not
/// flush Rust's stdout buffer either.
pub fn exit_child(status: i32) -> ! {
    let _ = io::stdout().flush();
    // SAFETY: `_exit` is async-signal-safe and takes any status; it ends the
    // process without running destructors or exit handlers, which is the point.
    unsafe { libc::_exit(status) }
}

/// How many threads this process runs, where the system says (Linux:
/// `/proc/self/task`); `None` elsewhere.
pub fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(|tasks| tasks.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_bytes() {
        let record = Record {
            span: Span {
                task: 7,
                start_ms: 1.25,
                end_ms: 2001.5,
            },
            value: u64::MAX - 3,
        };
        let bytes = record.to_bytes();
        assert_eq!(bytes.len(), Record::SIZE);
        assert_eq!(Record::from_bytes(&bytes), Some(record));
        assert_eq!(Record::from_bytes(&bytes[..31]), None);
    }

    #[test]
    fn outcomes_read_like_a_report() {
        assert_eq!(
            Outcome::Killed(Signal::SIGKILL).to_string(),
            "killed by SIGKILL"
        );
        assert_eq!(Outcome::Exited(3).to_string(), "exited with status 3");
        assert!(
            Outcome::Exited(PANIC_STATUS)
                .to_string()
                .contains("panicked")
        );
    }

    #[test]
    fn forking_is_refused_while_another_thread_runs() {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || wait.recv());
        if thread_count().is_some() {
            let refused = Children::new(Clock::start(), 1).err().unwrap_or_default();
            assert!(refused.contains("refusing to fork"), "{refused}");
        }
        let _ = release.send(());
        assert!(other.join().is_ok());
    }

    #[test]
    fn tally_counts_failures_and_strays() {
        let span = Span {
            task: 0,
            start_ms: 0.0,
            end_ms: 1.0,
        };
        let reaped = Reaped {
            children: vec![
                Finished {
                    task: 0,
                    outcome: Outcome::Finished,
                    record: Some(Record { span, value: 1 }),
                },
                Finished {
                    task: 1,
                    outcome: Outcome::Killed(Signal::SIGKILL),
                    record: None,
                },
            ],
            not_started: 0,
            refused: None,
            strays: 1,
        };
        assert_eq!((reaped.ok(), reaped.failed()), (1, 2));
        assert_eq!(reaped.spans(), vec![span]);
    }
}
