//! Three child processes that each wait two seconds, started together and
//! then waited for: the article's `multiprocessing.Process` example, with
//! `fork` and `waitpid` from the `nix` crate.
//!
//! ```text
//! cargo run -p process-demo --example multiprocessing
//! ```
//!
//! ```text
//! Process 0: Starting...
//! Process 1: Starting...
//! Process 2: Starting...
//! Process 2: Finishing.      (order varies)
//! Process 0: Finishing.
//! Process 1: Finishing.
//! All processes have finished.
//! ```
//!
//! About 2 s in all, not 6 s. Unix only (Windows has no `fork`).
//! `cargo run -p process-demo` prints the same lines and measures them.

use std::process;
use std::thread;
use std::time::Duration;

#[cfg(unix)]
fn task(name: usize) {
    println!("Process {name}: Starting...");
    thread::sleep(Duration::from_secs(2)); // `time.sleep(2)`: only this process waits
    println!("Process {name}: Finishing.");
}

#[cfg(unix)]
fn main() {
    use nix::sys::wait::waitpid;
    use nix::unistd::{ForkResult, fork};

    let mut processes = Vec::new();
    for i in 0..3 {
        // `multiprocessing.Process(target=task, args=(i,)).start()` with the
        // "fork" start method: the child is a copy of this process, and both
        // carry on from here; `fork` tells each which one it is.
        // SAFETY: this program has started no other thread, so the copy is whole and the child may run any code.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                task(i);
                process::exit(0); // the child must not go on to start children of its own
            }
            ForkResult::Parent { child } => processes.push(child),
        }
    }
    for p in processes {
        waitpid(p, None).unwrap(); // `p.join()`: wait for the child and reap it
    }
    println!("All processes have finished.");
}

/// Windows starts a process from a fresh program, never as a copy.
#[cfg(not(unix))]
fn main() {
    eprintln!("error: this example needs fork(2), which Windows does not have; try WSL");
    process::exit(1);
}
