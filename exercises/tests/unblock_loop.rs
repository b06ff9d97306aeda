//! Exercise 5: a heartbeat every 100 ms keeps ticking on a single-threaded
//! event loop while a one-second CPU job runs.

mod common;

use common::within;
use exercises::unblock_loop::job_with_heartbeat;
use std::time::Duration;

#[test]
fn the_heartbeat_keeps_ticking_while_the_job_runs() {
    let job = Duration::from_secs(1);
    let period = Duration::from_millis(100);
    let report = within(Duration::from_secs(20), "job_with_heartbeat", move || {
        // One thread for all tasks, like `asyncio.run`'s loop.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(job_with_heartbeat(job, period))
    });

    println!(
        "worst heartbeat gap {:.2?}, {} beats during the {job:?} job",
        report.worst_gap, report.beats
    );
    assert!(
        report.job_result > 0,
        "expected the job to do some work, got {report:?}"
    );
    // Wide margins: a free loop beats about every 100 ms (gap ≈ 0.1 s, ~10
    // beats); a blocked one not once until the job ends (gap ≈ 1 s).
    assert!(
        report.worst_gap < job / 2,
        "heartbeat every {period:?} during a {job:?} job: expected the worst gap well under {:?}, \
         got {:.2?} ({} beats): the job is blocking the event loop",
        job / 2,
        report.worst_gap,
        report.beats
    );
    assert!(
        report.beats >= 3,
        "expected at least 3 heartbeats during a {job:?} job, got {report:?}"
    );
}
