//! The verdict: does every Rust demo still show what it teaches?
//!
//! - a concurrent variant must end within its ideal plus the tolerance;
//! - a sequential variant must not end before its ideal (that would mean it
//!   no longer runs one task after another), nor beyond ideal plus tolerance;
//! - a CPU variant must be faster than the sequential run by a clear margin
//!   ([`Tolerance::cpu_min_speedup`]) when there are 2 cores or more to use;
//! - a missing or failed demo fails the verdict: CI runs the tool on the
//!   finished tree, where every demo exists.
//!
//! The Python column is context, not judged: it shows what Python does.

use crate::plan::{Entry, Kind};
use crate::runner::Outcome;

/// How far a run may stray from its ideal before the verdict fails.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Allowed excess as a fraction of the ideal (0.25 = +25%)…
    pub fraction: f64,
    /// …or this many milliseconds, whichever is larger.
    pub floor_ms: f64,
    /// The smallest parallel speedup a CPU variant must show (with ≥ 2 cores and workers).
    pub cpu_min_speedup: f64,
}

/// Generous, for a noisy, shared 2-core machine.
pub const TOLERANCE: Tolerance = Tolerance {
    fraction: 0.25,
    floor_ms: 150.0,
    cpu_min_speedup: 1.2,
};

impl Tolerance {
    /// The longest a run with this ideal may take.
    pub fn allowed_ms(&self, ideal_ms: f64) -> f64 {
        ideal_ms + (ideal_ms * self.fraction).max(self.floor_ms)
    }

    /// The rule in words, for the output.
    pub fn describe(&self) -> String {
        format!(
            "concurrent runs within ideal + max({:.0}%, {:.0} ms); sequential runs no faster than \
             ideal and within the same margin; CPU speedup at least {:.1}x on 2+ cores",
            self.fraction * 100.0,
            self.floor_ms,
            self.cpu_min_speedup
        )
    }
}

/// One entry's Rust outcome against the rules; `None` if it passes.
pub fn judge(entry: &Entry, rust: &Outcome, cores: usize, tol: &Tolerance) -> Option<String> {
    let name = entry.label;
    let measured = match rust {
        Outcome::Done(m) => m,
        Outcome::Missing(why) => return Some(format!("{name}: missing ({why})")),
        Outcome::Failed(why, _) => return Some(format!("{name}: failed ({why})")),
        Outcome::Skipped(why) => return Some(format!("{name}: not run ({why})")),
    };
    let value = measured.num(entry.metric);
    let ideal = measured.num("ideal_ms");
    match entry.kind {
        Kind::Concurrent | Kind::Sequential => {
            let (Some(took), Some(ideal)) = (value, ideal) else {
                return Some(format!(
                    "{name}: the summary lacks {} or ideal_ms",
                    entry.metric
                ));
            };
            let allowed = tol.allowed_ms(ideal);
            if took > allowed {
                return Some(format!(
                    "{name}: took {took:.0} ms, more than its ideal {ideal:.0} ms + tolerance \
                     (allowed {allowed:.0} ms)"
                ));
            }
            if entry.kind == Kind::Sequential && took < ideal {
                return Some(format!(
                    "{name}: took {took:.0} ms, less than its ideal {ideal:.0} ms: the tasks no \
                     longer run one after another"
                ));
            }
            None
        }
        Kind::Cpu => {
            let workers = measured.num("workers").unwrap_or(1.0);
            let Some(speedup) = cpu_speedup(entry, measured) else {
                return Some(format!("{name}: the summary lacks {}", entry.metric));
            };
            if cores >= 2 && workers >= 2.0 && speedup < tol.cpu_min_speedup {
                return Some(format!(
                    "{name}: speedup {speedup:.2}x on {workers:.0} workers, below {:.1}x: the \
                     work no longer runs in parallel",
                    tol.cpu_min_speedup
                ));
            }
            None
        }
        Kind::Timed => value
            .is_none()
            .then(|| format!("{name}: the summary lacks {}", entry.metric)),
    }
}

/// sequential_ms ÷ the entry's parallel time.
pub fn cpu_speedup(entry: &Entry, m: &crate::runner::Measured) -> Option<f64> {
    let parallel = m.num(entry.metric)?;
    let sequential = m.num("sequential_ms")?;
    (parallel > 0.0).then(|| sequential / parallel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Settings, entries};
    use crate::runner::Measured;

    fn entry(id: &str) -> Entry {
        let all = entries(&Settings::new(true, 2));
        all.into_iter().find(|e| e.id == id).unwrap()
    }

    fn done(fixture: &str) -> Outcome {
        Outcome::Done(Measured::parse(fixture, 0.0).unwrap())
    }

    fn with(fixture: &str, key: &str, value: f64) -> Outcome {
        let mut m = Measured::parse(fixture, 0.0).unwrap();
        m.json[key] = value.into();
        Outcome::Done(m)
    }

    const THREADS: &str = include_str!("../tests/fixtures/threads-demo.json");
    const SYNC: &str = include_str!("../tests/fixtures/sync-fetch.json");
    const CPU: &str = include_str!("../tests/fixtures/threads-demo-cpu.json");

    #[test]
    fn the_allowance_is_the_larger_of_the_fraction_and_the_floor() {
        assert_eq!(TOLERANCE.allowed_ms(200.0), 350.0);
        assert_eq!(TOLERANCE.allowed_ms(2000.0), 2500.0);
        assert!(TOLERANCE.describe().contains("25%"));
    }

    #[test]
    fn recorded_runs_pass() {
        assert_eq!(
            judge(&entry("threads"), &done(THREADS), 2, &TOLERANCE),
            None
        );
        assert_eq!(judge(&entry("sync"), &done(SYNC), 2, &TOLERANCE), None);
        assert_eq!(
            judge(&entry("cpu-threads"), &done(CPU), 2, &TOLERANCE),
            None
        );
    }

    #[test]
    fn a_slow_concurrent_run_fails_naming_the_demo() {
        let slow = with(THREADS, "elapsed_ms", 351.0);
        let why = judge(&entry("threads"), &slow, 2, &TOLERANCE).unwrap();
        assert!(why.starts_with("threads-demo:"), "{why}");
        assert!(why.contains("allowed 350 ms"), "{why}");
        let just_inside = with(THREADS, "elapsed_ms", 349.0);
        assert_eq!(judge(&entry("threads"), &just_inside, 2, &TOLERANCE), None);
    }

    #[test]
    fn a_sequential_run_faster_than_its_ideal_fails() {
        let fast = with(SYNC, "elapsed_ms", 250.0);
        let why = judge(&entry("sync"), &fast, 2, &TOLERANCE).unwrap();
        assert!(
            why.contains("sync-fetch") && why.contains("one after another"),
            "{why}"
        );
    }

    #[test]
    fn a_cpu_run_without_speedup_fails_only_with_cores_to_use() {
        let sequential: f64 = Measured::parse(CPU, 0.0)
            .unwrap()
            .num("sequential_ms")
            .unwrap();
        let serial = with(CPU, "threads_ms", sequential);
        let why = judge(&entry("cpu-threads"), &serial, 2, &TOLERANCE).unwrap();
        assert!(
            why.contains("threads-demo cpu") && why.contains("speedup 1.00x"),
            "{why}"
        );
        assert_eq!(judge(&entry("cpu-threads"), &serial, 1, &TOLERANCE), None);
    }

    #[test]
    fn missing_and_failed_demos_fail_the_verdict() {
        let missing = Outcome::Missing("no binary target/release/process-demo".into());
        let why = judge(&entry("processes"), &missing, 2, &TOLERANCE).unwrap();
        assert!(why.starts_with("process-demo: missing"), "{why}");
        let failed = Outcome::Failed("exit code 1".into(), None);
        assert!(
            judge(&entry("timed"), &failed, 2, &TOLERANCE)
                .unwrap()
                .contains("failed")
        );
    }
}
