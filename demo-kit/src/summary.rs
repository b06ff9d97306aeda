//! The JSON summary every demo prints under `--json`, and the peak memory it reports.
//!
//! ```json
//! {"demo":"threads-demo","variant":"threads","tasks":3,"delay_ms":2000,
//!  "ideal_ms":2000.0,"elapsed_ms":2001.3,"max_rss_kb":2140,"ok":3,"failed":0,
//!  "spans":[{"task":0,"start_ms":0.04,"end_ms":2000.5}]}
//! ```
//!
//! A variant may add fields of its own with [`Summary::with`] (the CPU
//! variants add their sequential and parallel times, for example).

use crate::{Common, Span};
use serde_json::{Map, Value, json};
use std::process::ExitCode;

/// One run, as `scripts/compare` and the tests read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The binary: `threads-demo`, `async-fetch`, …
    pub demo: String,
    /// Which mode ran: `threads`, `cpu`, `http`, …
    pub variant: String,
    /// `--tasks`.
    pub tasks: usize,
    /// `--delay-ms`.
    pub delay_ms: u64,
    /// The physical limit: the delay for concurrent variants, tasks × delay for sequential ones.
    pub ideal_ms: f64,
    /// Measured wall time of the run.
    pub elapsed_ms: f64,
    /// Tasks that succeeded.
    pub ok: usize,
    /// Tasks that failed.
    pub failed: usize,
    /// When each task ran.
    pub spans: Vec<Span>,
    /// Fields of this variant's own, added at the top level of the JSON.
    pub extra: Map<String, Value>,
}

impl Summary {
    /// A summary of `demo`'s `variant`, run with `common`'s flags; fill in the rest.
    pub fn new(demo: &str, variant: &str, common: &Common) -> Self {
        Self {
            demo: demo.to_string(),
            variant: variant.to_string(),
            tasks: common.tasks,
            delay_ms: common.delay_ms,
            ideal_ms: 0.0,
            elapsed_ms: 0.0,
            ok: 0,
            failed: 0,
            spans: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Adds a field of this variant's own.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// The summary as one JSON object, with `max_rss_kb` read now.
    pub fn to_json(&self) -> Value {
        let spans: Vec<Value> = self
            .spans
            .iter()
            .map(|s| json!({"task": s.task, "start_ms": round2(s.start_ms), "end_ms": round2(s.end_ms)}))
            .collect();
        let mut object = json!({
            "demo": self.demo,
            "variant": self.variant,
            "tasks": self.tasks,
            "delay_ms": self.delay_ms,
            "ideal_ms": round2(self.ideal_ms),
            "elapsed_ms": round2(self.elapsed_ms),
            "max_rss_kb": max_rss_kb(),
            "ok": self.ok,
            "failed": self.failed,
            "spans": spans,
        });
        if let Value::Object(fields) = &mut object {
            fields.extend(self.extra.clone());
        }
        object
    }

    /// Ends the run as the flags ask: the timeline under `--timeline`, the
    /// JSON on stdout under `--json`; returns exit code 1 if a task failed.
    ///
    /// A closed stdout (`demo --json | head -c 10`) drops the JSON rather
    /// than panicking, as [`say!`](crate::say) drops a narrative line.
    pub fn report(&self, common: &Common) -> ExitCode {
        if common.timeline {
            crate::say!("{}", crate::timeline::chart(&self.spans));
        }
        if common.json {
            crate::write_stdout(&format!("{}\n", self.to_json()));
        }
        crate::cli::exit_code(self.failed)
    }
}

/// Peak resident memory in KiB: this process's peak ([`self_peak_kb`]) plus
/// the peak of the largest child it has waited for (Linux's `ru_maxrss` for
/// `RUSAGE_CHILDREN`). With no children the second term is 0.
pub fn max_rss_kb() -> u64 {
    self_peak_kb() + rusage_max_rss_kb(libc::RUSAGE_CHILDREN)
}

/// This program's own peak resident memory in KiB.
///
/// On Linux it is `VmHWM` from `/proc/self/status`, not `getrusage`: the
/// kernel carries `ru_maxrss` across `execve`, so a demo started by
/// `cargo run` or a test harness would report its parent's larger peak.
pub fn self_peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| vm_hwm_kb(&status))
        .unwrap_or_else(|| rusage_max_rss_kb(libc::RUSAGE_SELF))
}

/// The `VmHWM:   1234 kB` line of a `/proc/<pid>/status` text.
fn vm_hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `ru_maxrss` for `who`, in KiB (Linux reports KiB; macOS reports bytes).
pub fn rusage_max_rss_kb(who: libc::c_int) -> u64 {
    // SAFETY: `getrusage` only writes into the zeroed struct we own; an
    // all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage`, and `who` is one of the
    // RUSAGE_* constants from libc.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return 0;
    }
    let raw = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    if cfg!(target_os = "macos") {
        raw / 1024
    } else {
        raw
    }
}

fn round2(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> Common {
        Common {
            tasks: 2,
            delay_ms: 50,
            json: false,
            timeline: false,
        }
    }

    #[test]
    fn json_has_the_fields_of_the_design() {
        let mut summary = Summary::new("threads-demo", "threads", &common()).with("speedup", 1.95);
        summary.ideal_ms = 50.0;
        summary.elapsed_ms = 51.23456;
        summary.ok = 2;
        summary.spans = vec![Span {
            task: 1,
            start_ms: 0.011,
            end_ms: 50.5,
        }];
        let value = summary.to_json();
        assert_eq!(value["demo"], "threads-demo");
        assert_eq!(value["variant"], "threads");
        assert_eq!(value["tasks"], 2);
        assert_eq!(value["delay_ms"], 50);
        assert_eq!(value["ideal_ms"], 50.0);
        assert_eq!(value["elapsed_ms"], 51.23);
        assert_eq!(value["ok"], 2);
        assert_eq!(value["failed"], 0);
        assert_eq!(value["speedup"], 1.95);
        assert_eq!(value["spans"][0]["task"], 1);
        assert_eq!(value["spans"][0]["start_ms"], 0.01);
        assert!(value["max_rss_kb"].as_u64().unwrap() > 0);
        let text = value.to_string();
        assert!(!text.contains('\n'));
    }

    #[test]
    fn rss_grows_when_memory_is_touched() {
        // The peak may already be high from another test, so compare with the
        // block's own size rather than with the peak before it.
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let peak = self_peak_kb();
        assert!(peak >= 64 * 1024, "peak {peak} KiB after touching 64 MiB");
    }

    #[test]
    fn vm_hwm_is_read_from_the_status_text() {
        let status = "Name:\tdemo\nVmPeak:\t  9000 kB\nVmHWM:\t    2140 kB\nVmRSS:\t 2000 kB\n";
        assert_eq!(vm_hwm_kb(status), Some(2140));
        assert_eq!(vm_hwm_kb("Name:\tdemo\n"), None);
    }

    #[test]
    fn exit_code_follows_failures() {
        let mut summary = Summary::new("d", "v", &common());
        assert_eq!(summary.report(&common()), ExitCode::SUCCESS);
        summary.failed = 1;
        assert_eq!(summary.report(&common()), ExitCode::from(1));
    }
}
