//! Ctrl-C, `kill` and a closed terminal while a comparison runs.
//!
//! Each demo runs in a process group of its own (see [`Runner::run`](crate::runner::Runner::run)),
//! so Ctrl-C, which the terminal sends to the foreground group, reaches this
//! tool but not the demo. Without help the demo, and any children it forked,
//! would outlive the comparison. So SIGINT, SIGTERM and SIGHUP are caught
//! here and only noted; the runner, which polls for its child every few
//! milliseconds, sees the note, stops the demo's whole group, waits for it,
//! says which run was cut short and exits with 128 + the signal's number
//! (130 for Ctrl-C, 143 for `kill`), as the shell would have reported.

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use std::sync::atomic::{AtomicI32, Ordering};

/// The signal caught, or 0.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: std::ffi::c_int) {
    // Only an atomic store: all a signal handler may safely do here.
    CAUGHT.store(signal, Ordering::SeqCst);
}

/// Catches SIGINT, SIGTERM and SIGHUP from now on, and (on Linux) makes this
/// process the reaper of its descendants, so that a demo's children left
/// behind when the demo is stopped come back to us to be waited for.
pub fn install() {
    let action = SigAction::new(
        SigHandler::Handler(note),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is
        // async-signal-safe, and replaces no handler anyone relies on.
        let _ = unsafe { sigaction(signal, &action) };
    }
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// The signal caught since [`install`], if any.
pub fn caught() -> Option<i32> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}
