//! `process-demo cpu [--size N] [--workers N]`: the article's advice for
//! CPU-heavy work, in our words: cut the data into pieces and give each
//! piece to its own process.
//!
//! The sum of `i * i` for `i` in `0..size` (wrapping `u64` arithmetic, the
//! same kernel as `threads-demo cpu`, from `demo_kit::work`) is computed once
//! in this process, then again split into one contiguous range per child.
//! Each child sends its partial sum back over the pipe; the parent adds the
//! partial sums and checks the total against the sequential one. A shared
//! machine is noisy, so this happens in each of `--rounds` rounds (3 by
//! default, every round checked), and the best time of each way gives the
//! speedup. This is what `multiprocessing.Pool.map` does for Python, where
//! it is the way around the GIL; Rust threads would do the same without
//! forking (`threads-demo cpu`).

use crate::children::{Children, Reaped};
use crate::fault::{self, Fault};
use clap::{ArgMatches, Command};
use demo_kit::work::{self, CpuRun, best_of, count, round2, split, sum_of_squares, timed};
use demo_kit::{Clock, Common, say};
use std::process::ExitCode;

/// The largest `--workers` accepted, the same cap as `--tasks`.
pub const MAX_WORKERS: u64 = crate::LIMITS.max_tasks;

/// The subcommand's flags (the common ones follow it; `--tasks` is not used:
/// `--workers` says how many children).
pub fn command() -> Command {
    Command::new("cpu")
        .about("A CPU-bound sum split across child processes, partial sums sent over a pipe")
        .long_about(
            "Sums i*i for i in 0..SIZE once in this process, then split across WORKERS child \
             processes that send their partial sums over a pipe; prints both times and the \
             speedup.\n\
             Python: multiprocessing.Pool(workers).map(partial_sum, chunks).\n\
             It takes no --tasks or --delay-ms: --workers sets the processes, --size the work.",
        )
        .args(work::cpu_args("child processes", MAX_WORKERS))
        .args(Common::report_args())
}

/// The subcommand's own values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `--size`: the sum runs over `0..size`.
    pub size: u64,
    /// `--workers`, or the number of CPUs this process may use.
    pub workers: usize,
    /// `--rounds`: how many times both ways run; the best time counts.
    pub rounds: u64,
}

impl Options {
    /// Reads `--size`, `--workers` and `--rounds`.
    pub fn from_matches(matches: &ArgMatches) -> Result<Self, String> {
        let size = matches
            .get_one::<u64>("size")
            .copied()
            .unwrap_or_else(work::default_size);
        let workers = match matches.get_one::<u64>("workers") {
            Some(&n) => usize::try_from(n).map_err(|_| format!("--workers {n} is too large"))?,
            // Reads the CPU count and affinity mask; it starts no thread.
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };
        let rounds = work::rounds(matches);
        Ok(Self {
            size,
            workers,
            rounds,
        })
    }
}

/// One round: the sequential sum, then the same sum on the children.
struct Round {
    expected: u64,
    sequential_ms: f64,
    reaped: Reaped,
    processes_ms: f64,
}

impl Round {
    /// The children's total, if every child reported.
    fn total(&self) -> Option<u64> {
        (self.reaped.failed() == 0).then(|| {
            self.reaped
                .records()
                .fold(0u64, |sum, r| sum.wrapping_add(r.value))
        })
    }
}

/// Times the sequential sum, then forks one child per range and adds up
/// what they send back.
fn round(clock: Clock, size: u64, workers: usize, fault: Option<Fault>) -> Result<Round, String> {
    let (expected, sequential_ms) = timed(|| sum_of_squares(0..size));
    let (reaped, processes_ms) = timed(|| {
        let mut children = Children::new(clock, workers)?;
        for (w, range) in split(size, workers).into_iter().enumerate() {
            let started = children.spawn(w, || {
                fault::strike(fault, w);
                sum_of_squares(range)
            });
            if started.is_err() {
                break; // a refused fork ends the forking; the others are reaped
            }
        }
        let reaped = children.wait_all();
        reaped.report_refused();
        Ok::<_, String>(reaped)
    });
    Ok(Round {
        expected,
        sequential_ms,
        reaped: reaped?,
        processes_ms,
    })
}

/// Runs the variant: `--rounds` rounds, each the sequential sum then the
/// children, checked every round; reports the best time of each way.
pub fn run(clock: Clock, common: &Common, options: Options, fault: Option<Fault>) -> ExitCode {
    let Options {
        size,
        workers,
        rounds,
    } = options;
    let ranges = split(size, workers);
    let processes = count(workers, "process", "processes");
    work::note_debug_build("process-demo");
    say!(
        "Sum of i*i for i in 0..{size} (wrapping u64), once in this process, then on \
         {processes}; {}.",
        best_of(rounds)
    );

    // The best sequential time, and the round with the best processes time
    // (or the first round that failed, which ends the run).
    let mut sequential_ms = f64::INFINITY;
    let mut kept: Option<Round> = None;
    let mut rounds_run = 0;
    let mut mismatch = false;
    for r in 1..=rounds {
        let this = match round(clock, size, workers, fault) {
            Ok(this) => this,
            Err(err) => return crate::fail(err),
        };
        rounds_run = r;
        sequential_ms = sequential_ms.min(this.sequential_ms);
        let total = this.total();
        let verdict = match total {
            Some(total) if total == this.expected => "total matches",
            Some(_) => "TOTAL DIFFERS",
            None => "total incomplete",
        };
        say!(
            "  round {r}: sequential {:.1} ms, {processes} {:.1} ms, {verdict}",
            this.sequential_ms,
            this.processes_ms
        );
        let failed = total != Some(this.expected);
        if failed
            || kept
                .as_ref()
                .is_none_or(|k| this.processes_ms < k.processes_ms)
        {
            kept = Some(this);
        }
        if failed {
            mismatch = total.is_some();
            break; // the times of a failed round mean nothing; stop here
        }
    }
    let Some(kept) = kept else {
        return crate::fail("no round ran"); // --rounds is at least 1
    };

    for record in kept.reaped.records() {
        let range = &ranges[record.span.task];
        say!(
            "Process {}: sum over {}..{} = {} in {:.1} ms",
            record.span.task,
            range.start,
            range.end,
            record.value,
            record.span.duration_ms()
        );
    }
    let processes_ms = kept.processes_ms;
    let expected = kept.expected;
    let mut failed = kept.reaped.failed();
    let mut result = None;
    match kept.total() {
        None => demo_kit::error(format_args!(
            "the total is incomplete: {failed} of {workers} partial sums are missing"
        )),
        Some(total) if mismatch => {
            demo_kit::error(format_args!(
                "the processes' total {total} differs from the sequential sum {expected}"
            ));
            failed += 1;
            result = Some(total);
        }
        Some(total) => {
            let best = best_of(rounds_run);
            say!("Sequential: sum = {expected} in {sequential_ms:.1} ms ({best})");
            say!("{processes}: total = {total} in {processes_ms:.1} ms ({best})");
            say!("Check: the total matches the sequential sum in every round");
            result = Some(total);
        }
    }
    let speedup = work::speedup(sequential_ms, processes_ms);
    if failed == 0 {
        let best = best_of(rounds_run);
        let text = work::speedup_text(sequential_ms, speedup);
        say!("Speedup: {text} with {processes} ({best})");
        // Reads the CPU count and affinity mask; it starts no thread.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        work::note_implausible(sequential_ms, speedup, workers.min(cores));
    }
    // An incomplete or wrong run has no speedup to claim: `null` in the JSON.
    let speedup = (failed == 0).then_some(speedup);

    let run = CpuRun {
        size,
        workers,
        rounds: rounds_run,
        result,
        sequential_ms,
    };
    // The spans are those of the children of the round kept.
    run.summary("process-demo", common)
        .with("processes_ms", round2(processes_ms))
        .with("processes_speedup", speedup)
        .finish(clock, kept.reaped.spans(), failed)
}
