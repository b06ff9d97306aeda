//! No zombies: after `process-demo` exits, none of its children is left,
//! finished or running, including the ones that failed.
//!
//! How to see that from outside: this test process makes itself a "child
//! subreaper" (Linux `prctl(PR_SET_CHILD_SUBREAPER)`). A process whose parent
//! dies is then re-parented to us instead of to init. So if the demo exited
//! leaving a zombie (a child it never waited for) or a child still running,
//! that process becomes *our* child, and `waitpid(-1)` finds it. If the demo
//! reaped every child, we have no child at all and `waitpid(-1)` says
//! `ECHILD`.
//!
//! This is its own test binary with a single test, because `waitpid(-1)`
//! waits for any child of the whole test process: a parallel test's child
//! would be mistaken for a leftover (and reaped behind its back).
#![cfg(target_os = "linux")]

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing;
use nix::errno::Errno;
use nix::sys::prctl::set_child_subreaper;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// Every process re-parented to us within `patience`, reaped and counted.
fn leftovers(patience: Duration) -> usize {
    let deadline = Instant::now() + patience;
    let mut found = 0;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Err(Errno::ECHILD) if Instant::now() >= deadline => return found,
            Err(Errno::ECHILD) => thread::sleep(Duration::from_millis(20)),
            Ok(WaitStatus::StillAlive) => thread::sleep(Duration::from_millis(20)),
            Ok(_) => found += 1,
            Err(err) => panic!("waitpid: {err}"),
        }
    }
}

#[test]
fn the_demo_leaves_no_child_behind() {
    set_child_subreaper(true).expect("prctl(PR_SET_CHILD_SUBREAPER)");

    // The detector works: a shell that exits without waiting for its
    // background `sleep` leaves a child behind, which comes to us.
    let status = Command::new("sh")
        .args(["-c", "sleep 0.2 & exit 0"])
        .status()
        .expect("sh runs");
    assert!(status.success());
    assert_eq!(
        leftovers(Duration::from_millis(600)),
        1,
        "the shell's orphan"
    );
    assert_eq!(leftovers(Duration::ZERO), 0);

    for (args, code) in [
        (&["--tasks", "5", "--delay-ms", "30"][..], 0),
        (&["--tasks", "3", "--delay-ms", "30", "--fail", "signal"], 1),
        (&["--tasks", "3", "--delay-ms", "30", "--fail", "exit"], 1),
        (&["--tasks", "3", "--delay-ms", "30", "--fail", "panic"], 1),
        (&["isolation", "--tasks", "3", "--delay-ms", "30"], 0),
        (
            &[
                "cpu",
                "--size",
                "100000",
                "--workers",
                "3",
                "--fail",
                "signal",
            ],
            1,
        ),
    ] {
        let out = testing::run(cargo_bin!("process-demo"), args);
        out.assert_exit(code);
        assert!(!out.stderr.contains("left unreaped"), "{out}");
        // Long enough for an orphan child still sleeping its 30 ms to end.
        assert_eq!(leftovers(Duration::from_millis(200)), 0, "{args:?}");
    }
}
