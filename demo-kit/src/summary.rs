//! The JSON summary every demo prints under `--json`, and the peak memory it reports.
//!
//! ```json
//! {"demo":"threads-demo","variant":"threads","tasks":3,"delay_ms":2000,
//!  "ideal_ms":2000.0,"elapsed_ms":2001.3,"max_rss_kb":2140,"ok":3,"failed":0,
//!  "spans":[{"task":0,"start_ms":0.04,"end_ms":2000.5}]}
//! ```
//!
//! A run ends with one call, which takes what differs between variants and
//! works out the rest (elapsed time, peak memory, the `ok` count):
//!
//! ```no_run
//! # let clock = demo_kit::Clock::start();
//! # let common = demo_kit::Common { tasks: 3, delay_ms: 2000, json: false, timeline: false, verbose: false };
//! # let (spans, failed) = (Vec::new(), 0);
//! // in a demo's `run`, after its tasks:
//! let code = demo_kit::Summary::new("threads-demo", "threads", &common, common.delay_ms as f64)
//!     .with("speedup", 1.95) // a field of this variant's own, if any
//!     .finish(clock, spans, failed);
//! ```

use crate::{Clock, Common, Span};
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use std::process::ExitCode;

/// One run, as `scripts/compare` and the tests read it: start it with
/// [`Summary::new`], add fields with [`Summary::with`], end the run with
/// [`Summary::finish`].
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    demo: String,
    variant: String,
    common: Common,
    ideal_ms: f64,
    extra: Map<String, Value>,
}

impl Summary {
    /// The summary of `demo`'s `variant`, run with `common`'s flags (its
    /// `tasks`, `delay_ms`, `--json` and `--timeline`). `ideal_ms` is the
    /// physical limit: the delay for a concurrent variant, tasks × delay for
    /// a sequential one, 0 where nothing waits.
    pub fn new(demo: &str, variant: &str, common: &Common, ideal_ms: f64) -> Self {
        Self {
            demo: demo.to_string(),
            variant: variant.to_string(),
            common: *common,
            ideal_ms,
            extra: Map::new(),
        }
    }

    /// Adds a field of this variant's own at the top level of the JSON.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// Ends the run as the flags ask: the timeline of `spans` under
    /// `--timeline`, the JSON on stdout under `--json` (its `elapsed_ms` read
    /// from `clock` now, `ok` = tasks − `failed`); returns exit code 1 if a
    /// task failed.
    ///
    /// A closed stdout (`demo --json | head -c 10`) drops the JSON rather
    /// than panicking, as [`say!`](crate::say) drops a narrative line.
    pub fn finish(self, clock: Clock, spans: Vec<Span>, failed: usize) -> ExitCode {
        let elapsed_ms = clock.ms();
        if self.common.timeline {
            crate::say!("{}", crate::timeline::chart(&spans));
        }
        if self.common.json {
            let mut out = io::BufWriter::new(io::stdout().lock());
            // A closed stdout drops the rest, as `write_stdout` does.
            let _ = self
                .write_json(&mut out, elapsed_ms, &spans, failed)
                .and_then(|()| out.flush());
        }
        crate::cli::exit_code(failed)
    }

    /// Writes [`json`](Self::json)'s object as one line, the same text, but
    /// streams the spans one by one instead of building them as one
    /// `serde_json::Value` first: at 100,000 spans that value and its text
    /// took about 50 MB, a third of the whole run's peak memory.
    pub(crate) fn write_json(
        &self,
        out: &mut impl Write,
        elapsed_ms: f64,
        spans: &[Span],
        failed: usize,
    ) -> io::Result<()> {
        let mut fields = self.json(elapsed_ms, &[], failed);
        if let Value::Object(map) = &mut fields {
            map.remove("spans");
        }
        let empty = Map::new();
        let map = fields.as_object().unwrap_or(&empty);
        // The keys in the map's own order, with `spans` where it falls.
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        let at = keys.iter().position(|k| *k > "spans").unwrap_or(keys.len());
        keys.insert(at, "spans");
        out.write_all(b"{")?;
        for (i, key) in keys.into_iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, key)?;
            out.write_all(b":")?;
            match map.get(key) {
                Some(value) => serde_json::to_writer(&mut *out, value)?,
                None => write_spans(out, spans)?,
            }
        }
        out.write_all(b"}\n")
    }

    /// The summary as one JSON object, with `max_rss_kb` read now.
    pub(crate) fn json(&self, elapsed_ms: f64, spans: &[Span], failed: usize) -> Value {
        let spans: Vec<Value> = spans
            .iter()
            .map(|s| json!({"task": s.task, "start_ms": round2(s.start_ms), "end_ms": round2(s.end_ms)}))
            .collect();
        let mut object = json!({
            "demo": self.demo,
            "variant": self.variant,
            "tasks": self.common.tasks,
            "delay_ms": self.common.delay_ms,
            "ideal_ms": round2(self.ideal_ms),
            "elapsed_ms": round2(elapsed_ms),
            "max_rss_kb": max_rss_kb(),
            "ok": self.common.tasks.saturating_sub(failed),
            "failed": failed,
            "spans": spans,
        });
        if let Value::Object(fields) = &mut object {
            fields.extend(self.extra.clone());
        }
        object
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

/// `[{"end_ms":…,"start_ms":…,"task":…},…]`, the keys in serde_json's order.
fn write_spans(out: &mut impl Write, spans: &[Span]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"end_ms\":")?;
        serde_json::to_writer(&mut *out, &round2(s.end_ms))?;
        out.write_all(b",\"start_ms\":")?;
        serde_json::to_writer(&mut *out, &round2(s.start_ms))?;
        write!(out, ",\"task\":{}}}", s.task)?;
    }
    out.write_all(b"]")
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
            verbose: false,
        }
    }

    #[test]
    fn json_has_the_fields_of_the_design() {
        let span = Span {
            task: 1,
            start_ms: 0.011,
            end_ms: 50.5,
        };
        let value = Summary::new("threads-demo", "threads", &common(), 50.0)
            .with("speedup", 1.95)
            .json(51.23456, &[span], 1);
        assert_eq!(value["demo"], "threads-demo");
        assert_eq!(value["variant"], "threads");
        assert_eq!(value["tasks"], 2);
        assert_eq!(value["delay_ms"], 50);
        assert_eq!(value["ideal_ms"], 50.0);
        assert_eq!(value["elapsed_ms"], 51.23);
        assert_eq!(value["ok"], 1);
        assert_eq!(value["failed"], 1);
        assert_eq!(value["speedup"], 1.95);
        assert_eq!(value["spans"][0]["task"], 1);
        assert_eq!(value["spans"][0]["start_ms"], 0.01);
        assert!(value["max_rss_kb"].as_u64().unwrap() > 0);
        let text = value.to_string();
        assert!(!text.contains('\n'));
    }

    #[test]
    fn the_streamed_json_is_the_same_text_as_the_value() {
        let spans: Vec<Span> = (0..5)
            .map(|task| Span {
                task,
                start_ms: 0.004 + task as f64,
                end_ms: 2000.0 + task as f64 / 3.0,
            })
            .collect();
        for (summary, spans) in [
            (
                Summary::new("sync-fetch", "http", &common(), 100.0).with("base_url", "http://x"),
                &spans[..],
            ),
            (
                Summary::new("threads-demo", "cpu", &common(), 0.0).with("workers", 2),
                &spans[..1],
            ),
            (Summary::new("d", "v", &common(), 0.0), &[][..]),
        ] {
            let mut out = Vec::new();
            summary.write_json(&mut out, 12.345, spans, 1).unwrap();
            let text = String::from_utf8(out).unwrap();
            let mut value = summary.json(12.345, spans, 1);
            // max_rss_kb is read twice; the rest must match exactly
            let written: Value = serde_json::from_str(&text).unwrap();
            value["max_rss_kb"] = written["max_rss_kb"].clone();
            assert_eq!(text, format!("{value}\n"));
        }
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
        let finish = |failed| {
            Summary::new("d", "v", &common(), 0.0).finish(Clock::start(), Vec::new(), failed)
        };
        assert_eq!(finish(0), ExitCode::SUCCESS);
        assert_eq!(finish(1), ExitCode::from(1));
    }
}
