//! The verdict: does every Rust demo still show what it teaches?
//!
//! - a concurrent variant must end within its ideal plus the tolerance;
//! - a sequential variant must not end before its ideal (that would mean it
//!   no longer runs one task after another), nor beyond ideal plus tolerance;
//! - a CPU variant's workers must have run at the same time (their spans
//!   overlap); a speedup below [`Tolerance::cpu_min_speedup`] is only a
//!   warning ([`cpu_warning`]), because on a shared 2-core machine one busy
//!   core is enough to halve it, while overlapping spans are a fact of the
//!   program, not of the machine's load;
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
    /// The rule in words, for the output.
    pub fn describe(&self) -> String {
        format!(
            "concurrent runs within ideal + max({:.0}%, {:.0} ms); sequential runs no faster than \
             ideal and within the same margin; CPU workers side by side (a speedup under {:.1}x \
             on 2+ cores is a warning)",
            self.fraction * 100.0,
            self.floor_ms,
            self.cpu_min_speedup
        )
    }
}

/// One entry's Rust outcome against the rules; `None` if it passes.
pub fn judge(entry: &Entry, rust: &Outcome, cores: usize) -> Option<String> {
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
            let allowed = ideal + (ideal * TOLERANCE.fraction).max(TOLERANCE.floor_ms);
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
            if cpu_speedup(entry, measured).is_none() {
                return Some(format!("{name}: the summary lacks {}", entry.metric));
            }
            let spans = measured.spans();
            let latest_start = spans.iter().map(|s| s.start_ms).fold(f64::MIN, f64::max);
            let earliest_end = spans.iter().map(|s| s.end_ms).fold(f64::MAX, f64::min);
            if cores >= 2 && spans.len() >= 2 && latest_start >= earliest_end {
                return Some(format!(
                    "{name}: its {} workers did not run at the same time (one ended at \
                     {earliest_end:.0} ms, another started at {latest_start:.0} ms)",
                    spans.len()
                ));
            }
            None
        }
        Kind::Timed => value
            .is_none()
            .then(|| format!("{name}: the summary lacks {}", entry.metric)),
    }
}

/// A CPU run whose speedup is below [`Tolerance::cpu_min_speedup`] (with 2+
/// cores and workers): worth a note, since it may mean the machine was busy.
pub fn cpu_warning(entry: &Entry, rust: &Outcome, cores: usize) -> Option<String> {
    let Outcome::Done(measured) = rust else {
        return None;
    };
    let workers = measured.num("workers").unwrap_or(1.0);
    let speedup = cpu_speedup(entry, measured)?;
    (entry.kind == Kind::Cpu && cores >= 2 && workers >= 2.0 && speedup < TOLERANCE.cpu_min_speedup)
        .then(|| {
            format!(
                "{}: speedup {speedup:.2}x on {workers:.0} workers, below {:.1}x (was the \
                 machine busy? the workers did run side by side)",
                entry.label, TOLERANCE.cpu_min_speedup
            )
        })
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

    const SYNC: &str = include_str!("../tests/fixtures/sync-fetch.json");
    const CPU: &str = include_str!("../tests/fixtures/threads-demo-cpu.json");

    fn entry(id: &str) -> Entry {
        let all = entries(&Settings::new(true, 2));
        all.into_iter().find(|e| e.id == id).unwrap()
    }

    /// The recorded `fixture` with `key` set to `value`.
    fn with(fixture: &str, key: &str, value: serde_json::Value) -> Outcome {
        let mut m = Measured::parse(fixture).unwrap();
        m.json[key] = value;
        Outcome::Done(m)
    }

    #[test]
    fn a_sequential_run_faster_than_its_ideal_fails() {
        let fast = with(SYNC, "elapsed_ms", 250.0.into());
        let why = judge(&entry("sync"), &fast, 2).unwrap();
        assert!(
            why.contains("sync-fetch") && why.contains("one after another"),
            "{why}"
        );
    }

    #[test]
    fn a_cpu_run_without_speedup_is_a_warning_not_a_failure() {
        let cpu = entry("cpu-threads");
        let recorded = Outcome::Done(Measured::parse(CPU).unwrap());
        assert_eq!(cpu_warning(&cpu, &recorded, 2), None, "2.72x");
        let sequential = Measured::parse(CPU).unwrap().num("sequential_ms");
        let slow = with(CPU, "threads_ms", sequential.into());
        assert_eq!(judge(&cpu, &slow, 2), None);
        let why = cpu_warning(&cpu, &slow, 2).unwrap();
        assert!(
            why.contains("threads-demo cpu") && why.contains("speedup 1.00x"),
            "{why}"
        );
        assert_eq!(cpu_warning(&cpu, &slow, 1), None, "one core: no warning");
    }

    #[test]
    fn cpu_workers_one_after_another_fail() {
        let spans = serde_json::json!([
            {"task": 0, "start_ms": 0.0, "end_ms": 100.0},
            {"task": 1, "start_ms": 100.0, "end_ms": 200.0}
        ]);
        let why = judge(&entry("cpu-threads"), &with(CPU, "spans", spans), 2).unwrap();
        assert!(why.contains("did not run at the same time"), "{why}");
    }
}
