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

use crate::work::round2;
use crate::{Clock, Common, Span, timeline};
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

    /// Ends the run as the flags ask: the timeline of `spans` (on an axis
    /// that ends at the latest end) under `--timeline`, the JSON on stdout
    /// under `--json` (its `elapsed_ms` read from `clock` now, `ok` = tasks −
    /// `failed`); returns exit code 1 if a task failed.
    ///
    /// A closed stdout (`demo --json | head -c 10`) drops the JSON rather
    /// than panicking, as [`say!`](crate::say) drops a narrative line.
    pub fn finish(self, clock: Clock, spans: Vec<Span>, failed: usize) -> ExitCode {
        let elapsed_ms = clock.ms();
        if self.common.timeline {
            let axis_ms = spans.iter().map(|s| s.end_ms).fold(0.0, f64::max);
            crate::say!("{}", timeline::render(&spans, axis_ms));
        }
        if self.common.json {
            let mut out = io::BufWriter::new(io::stdout().lock());
            let _ = self
                .write_json(&mut out, elapsed_ms, &spans, failed)
                .and_then(|()| out.flush());
        }
        crate::cli::exit_code(failed)
    }

    /// Writes the summary as one line of JSON, with `max_rss_kb` read now.
    ///
    /// The spans are streamed one by one into the place where `spans` falls
    /// among the keys (serde_json keeps them sorted), instead of being built
    /// as one `serde_json::Value` first: at 100,000 spans that value and its
    /// text took about 50 MB, a third of the whole run's peak memory.
    fn write_json(
        self,
        out: &mut impl Write,
        elapsed_ms: f64,
        spans: &[Span],
        failed: usize,
    ) -> io::Result<()> {
        let mut fields = json!({
            "demo": self.demo,
            "variant": self.variant,
            "tasks": self.common.tasks,
            "delay_ms": self.common.delay_ms,
            "ideal_ms": round2(self.ideal_ms),
            "elapsed_ms": round2(elapsed_ms),
            // This process's peak plus the peak of the largest child it has
            // waited for (Linux's `ru_maxrss` for `RUSAGE_CHILDREN`; 0 without children).
            "max_rss_kb": self_peak_kb() + rusage_max_rss_kb(libc::RUSAGE_CHILDREN),
            "ok": self.common.tasks.saturating_sub(failed),
            "failed": failed,
            "spans": null, // written below
        });
        let Value::Object(fields) = &mut fields else {
            unreachable!("json!({{…}}) is an object")
        };
        fields.extend(self.extra);
        out.write_all(b"{")?;
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, key)?;
            out.write_all(b":")?;
            match key.as_str() {
                "spans" => write_spans(out, spans)?,
                _ => serde_json::to_writer(&mut *out, value)?,
            }
        }
        out.write_all(b"}\n")
    }
}

/// This program's own peak resident memory in KiB.
///
/// On Linux it is `VmHWM` from `/proc/self/status`, not `getrusage`: the
/// kernel carries `ru_maxrss` across `execve`, so a demo started by
/// `cargo run` or a test harness would report its parent's larger peak.
fn self_peak_kb() -> u64 {
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
fn rusage_max_rss_kb(who: libc::c_int) -> u64 {
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

/// `[{"end_ms":…,"start_ms":…,"task":…},…]`, one small object at a time.
fn write_spans(out: &mut impl Write, spans: &[Span]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        let span =
            json!({"task": s.task, "start_ms": round2(s.start_ms), "end_ms": round2(s.end_ms)});
        serde_json::to_writer(&mut *out, &span)?;
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_is_one_line_with_the_fields_of_the_design() {
        let common = Common::from_matches(&clap::ArgMatches::default()); // no flags given
        let spans = [Span {
            task: 1,
            start_ms: 0.004,
            end_ms: 2000.0 / 3.0,
        }];
        let mut out = Vec::new();
        Summary::new("sync-fetch", "http", &common, 50.0)
            .with("base_url", "http://x")
            .with("speedup", 1.95)
            .write_json(&mut out, 51.23456, &spans, 1)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        // The peak memory is this test's own, read as the line was written.
        let rss: u64 = text
            .split_once("\"max_rss_kb\":")
            .and_then(|(_, rest)| rest.split(',').next()?.parse().ok())
            .unwrap_or(0);
        assert!(rss > 0, "{text}");
        let expected = format!(
            "{{\"base_url\":\"http://x\",\"delay_ms\":2000,\"demo\":\"sync-fetch\",\
             \"elapsed_ms\":51.23,\"failed\":1,\"ideal_ms\":50.0,\"max_rss_kb\":{rss},\"ok\":2,\
             \"spans\":[{{\"end_ms\":666.67,\"start_ms\":0.0,\"task\":1}}],\
             \"speedup\":1.95,\"tasks\":3,\"variant\":\"http\"}}\n"
        );
        assert_eq!(text, expected);
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
}
