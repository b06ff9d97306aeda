//! Exercise 4, split the work across processes: fork K children, each sums
//! its slice and sends the result back over a pipe; the parent adds them up
//! and reaps every child.
//!
//! The article's multiprocessing example splits "a large dataset" so that
//! separate processes compute on separate cores. Python's `multiprocessing`
//! pickles results back over a pipe and `join()` waits for each process;
//! here the pipe carries 8 bytes and `waitpid` does the waiting. A child that
//! is never waited for stays a zombie until its parent exits, and `waitpid`
//! is also how the parent learns that a child died.
//!
//! The tests run on several threads, so this process has more than one
//! thread when it forks. The child then owns a copy of memory in which
//! another thread may have held a lock (the allocator's, stdout's), so it
//! does only async-signal-safe things: arithmetic on its slice, `write(2)`,
//! `_exit(2)`. No allocation, no printing.

use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe};
use std::fmt;
use std::fs::File;
use std::io::Read;

/// Why a parallel sum failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumError {
    /// Child `index` (counting slices from 0) was killed by `signal`.
    Killed {
        /// Which child, in slice order.
        index: usize,
        /// The signal that ended it.
        signal: Signal,
    },
    /// Child `index` exited with a status other than 0.
    Exited {
        /// Which child, in slice order.
        index: usize,
        /// Its exit status: not 0; 1 if writing its result failed.
        code: i32,
    },
    /// Child `index` exited with 0 but sent no whole result.
    NoResult {
        /// Which child, in slice order.
        index: usize,
    },
    /// A system call failed in the parent (`pipe`, `fork`, `waitpid`).
    Os(String),
}

impl fmt::Display for SumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SumError::Killed { index, signal } => write!(f, "child {index} was killed by {signal}"),
            SumError::Exited { index, code } => {
                write!(f, "child {index} exited with status {code}")
            }
            SumError::NoResult { index } => {
                write!(f, "child {index} exited without sending its result")
            }
            SumError::Os(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for SumError {}

/// What a child computes from its slice. A plain `fn`, not a closure that
/// captures: the child runs it on its copy of the parent's memory.
pub type Work = fn(&[u64]) -> u64;

/// The sum in one process, one number after another: the reference result.
pub fn sequential_sum(numbers: &[u64]) -> u64 {
    numbers.iter().sum()
}

/// The plain sum on up to `children` processes: [`parallel_sum_with`] with [`sequential_sum`].
pub fn parallel_sum(numbers: &[u64], children: usize) -> Result<u64, SumError> {
    parallel_sum_with(numbers, children, sequential_sum)
}

/// Splits `numbers` into at most `children` slices, forks one child per
/// slice to run `work` on it, and adds up what the children send back.
/// Every child that was started is reaped, even when one of them fails;
/// the error names the first failing child.
pub fn parallel_sum_with(numbers: &[u64], children: usize, work: Work) -> Result<u64, SumError> {
    let slice_len = numbers.len().div_ceil(children.max(1)).max(1);
    let mut started = Vec::new();
    for slice in numbers.chunks(slice_len) {
        match start_child(slice, work) {
            Ok(child) => started.push(child),
            Err(err) => {
                let _ = collect(started); // reap the ones already running
                return Err(err);
            }
        }
    }
    collect(started)
}

/// A running child: its pid and the read end of its pipe.
#[derive(Debug)]
pub struct Child {
    /// The child's process id, for `waitpid`.
    pub pid: Pid,
    /// The read end of the pipe the child writes its 8-byte result to.
    pub result: File,
}

/// Forks one child that runs `work` on `slice`, writes the result to a
/// pipe as 8 little-endian bytes, and exits with 0 (1 if the write failed).
pub fn start_child(slice: &[u64], work: Work) -> Result<Child, SumError> {
    let (read_end, write_end) =
        pipe().map_err(|err| SumError::Os(format!("pipe failed: {err}")))?;
    // SAFETY: the child runs only async-signal-safe code (see the module
    // documentation): `work` on memory it already has, `write`, `_exit`.
    match unsafe { fork() } {
        Err(err) => Err(SumError::Os(format!("fork failed: {err}"))),
        Ok(ForkResult::Child) => {
            let bytes = work(slice).to_le_bytes();
            let status = match nix::unistd::write(&write_end, &bytes) {
                Ok(8) => 0, // at most PIPE_BUF bytes: written whole or not at all
                _ => 1,
            };
            // SAFETY: `_exit` is async-signal-safe; it skips the exit-time
            // work (atexit handlers, stdio flushing) that is the parent's.
            unsafe { libc::_exit(status) }
        }
        Ok(ForkResult::Parent { child }) => {
            // Our copy of the write end must close, or the pipe never
            // reaches end-of-file while we read it.
            drop(write_end);
            Ok(Child {
                pid: child,
                result: File::from(read_end),
            })
        }
    }
}

/// Reads each child's result, reaps each child with `waitpid`, and returns
/// the total, or the first child's failure once all of them are reaped.
pub fn collect(children: Vec<Child>) -> Result<u64, SumError> {
    let mut total: u64 = 0;
    let mut first_failure = None;
    for (index, mut child) in children.into_iter().enumerate() {
        // Reads until the child's end closes: when it exits, or dies.
        let mut bytes = Vec::new();
        let read = child.result.read_to_end(&mut bytes);
        let outcome = match waitpid(child.pid, None) {
            Ok(WaitStatus::Exited(_, 0)) => match (read, <[u8; 8]>::try_from(bytes.as_slice())) {
                (Ok(_), Ok(bytes)) => Ok(u64::from_le_bytes(bytes)),
                _ => Err(SumError::NoResult { index }),
            },
            Ok(WaitStatus::Exited(_, code)) => Err(SumError::Exited { index, code }),
            Ok(WaitStatus::Signaled(_, signal, _core_dumped)) => {
                Err(SumError::Killed { index, signal })
            }
            Ok(other) => Err(SumError::Os(format!(
                "waitpid: unexpected status {other:?}"
            ))),
            Err(err) => Err(SumError::Os(format!("waitpid failed: {err}"))),
        };
        match outcome {
            Ok(part) => total += part,
            Err(err) => {
                first_failure.get_or_insert(err);
            }
        }
    }
    first_failure.map_or(Ok(total), Err)
}
