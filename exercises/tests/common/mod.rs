//! Helpers shared by the exercises' tests (each test file includes this
//! module, and not every file uses every helper).
#![allow(dead_code)]

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// Runs `work` on a thread of its own and waits for it at most `limit`, so
/// that a starter that waits forever fails with a message instead of hanging
/// the test run. A panic in `work` (a `todo!()`, a failed assertion) is
/// passed on with its own message.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = done.send(work()); // the test may have given up waiting
    });
    match result.recv_timeout(limit) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => panic!(
            "{what} did not finish within {limit:?}: something waits forever \
             (a channel never closed? a thread never joined? a child never reaped?)"
        ),
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker ended without sending its result"),
        },
    }
}
