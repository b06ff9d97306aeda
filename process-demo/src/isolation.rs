//! `process-demo isolation`: every child adds one to `counter`, the same
//! variable at the same address, and yet each child sees 1 and the parent
//! still sees 0 at the end. After `fork` each process has its own copy of
//! memory (copied lazily, page by page, when one side writes: copy-on-write).
//!
//! The article: each process has "its own memory space". Compare
//! `threads-demo shared`, where threads add to one counter that they all see
//! and it ends at the number of threads.

use crate::children::Children;
use crate::fault::{self, Fault};
use clap::Command;
use demo_kit::{Clock, Common, Summary, say};
use serde_json::Value;
use std::process::ExitCode;
use std::thread;

/// The subcommand's flags (the common ones follow it).
pub fn command() -> Command {
    Command::new("isolation")
        .about("Each child changes its own copy of a variable; the parent's copy stays unchanged")
        .long_about(
            "Each child adds 1 to the same variable and prints it; the parent prints its own \
             copy at the end.\n\
             Python: a global changed inside multiprocessing.Process's target is not changed \
             in the parent.",
        )
}

/// Forks `--tasks` children that each change their own copy of one counter, and reaps them.
pub fn run(clock: Clock, common: &Common, fault: Option<Fault>) -> ExitCode {
    let delay = common.delay();
    let mut counter: u64 = 0;
    let address = format!("{:p}", &raw const counter);
    let mut children = match Children::new(clock, common.tasks) {
        Ok(children) => children,
        Err(err) => return crate::fail(err),
    };
    for i in 0..common.tasks {
        // The closure borrows `counter` itself, not a copy of it: in the
        // child, `counter += 1` writes to the parent's variable's address,
        // which in the child's memory is the child's own page.
        let started = children.spawn(i, || {
            counter += 1;
            say!(
                "Process {i}: counter = {counter} at {:p} (my own copy)",
                &raw const counter
            );
            fault::strike(fault, i);
            thread::sleep(delay); // stay alive alongside the others
            counter
        });
        if started.is_err() {
            break; // a refused fork ends the forking; the others are reaped
        }
    }
    let reaped = children.wait_all();
    say!("All processes have finished.");
    say!(
        "Parent: counter = {counter} at {address}: no child's change reached it \
         (threads share one counter: try `threads-demo shared`)"
    );
    reaped.report_refused();

    let child_values: Vec<Value> = reaped.records().map(|r| r.value.into()).collect();
    Summary::new("process-demo", "isolation", common, common.delay_ms as f64)
        .with("parent_value", counter)
        .with("child_values", child_values)
        .finish(clock, reaped.spans(), reaped.failed())
}
