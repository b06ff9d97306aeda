//! `--scale`: the same wait on 1 to 100,000 tasks, for threads, async tasks,
//! processes and fetches over HTTP, with the time and the memory each task costs.

use crate::plan::SCALE_KINDS;
use crate::runner::{Outcome, Runner};
use crate::table::ms;
use serde_json::{Value, json};

/// One point of the sweep.
#[derive(Clone, Debug)]
pub struct Point {
    /// `threads`, `async tasks`, `processes`.
    pub kind: &'static str,
    /// How many tasks.
    pub tasks: usize,
    /// The Rust run.
    pub rust: Outcome,
    /// The Python run.
    pub python: Outcome,
}

/// The task counts of the sweep for one kind (`--quick` stops at 1,000).
pub fn counts(kind: &str, quick: bool) -> Vec<usize> {
    let top = if quick { 1000 } else { usize::MAX };
    SCALE_KINDS
        .iter()
        .filter(|k| k.label == kind)
        .flat_map(|k| k.counts.iter().copied())
        .filter(|&n| n <= top)
        .collect()
}

/// Runs the sweep, narrating each run on stderr.
pub fn run(runner: &Runner, delay_ms: u64, quick: bool) -> Vec<Point> {
    let mut points = Vec::new();
    for kind in SCALE_KINDS {
        for tasks in counts(kind.label, quick) {
            let mut args: Vec<String> = kind.sub.iter().map(|s| s.to_string()).collect();
            let (n, delay) = (tasks.to_string(), delay_ms.to_string());
            args.extend(["--tasks", &n, "--delay-ms", &delay, "--json"].map(String::from));
            eprintln!("scale: {} × {tasks} …", kind.label);
            let rust = runner.rust(kind.bin, &args, kind.variant);
            let python = runner.python(kind.script, &args, kind.variant);
            points.push(Point {
                kind: kind.label,
                tasks,
                rust,
                python,
            });
        }
    }
    points
}

/// What a run's processes cost together at their peak, in KiB: the sum of
/// their proportional set sizes, sampled by this tool while they ran
/// ([`crate::runner::group_pss_kb`]). Unlike `max_rss_kb`, which for a
/// parent and its children is the parent plus the *largest* child, this
/// counts every process, and pages they share only once.
pub fn memory_kb(outcome: &Outcome) -> Option<f64> {
    outcome.done()?.pss_kb
}

/// The memory column's method in a few words, for headers and chart titles.
pub const MEMORY_SHORT: &str = "peak sum of the processes' PSS";

/// The method of the memory columns, stated above the table.
pub const MEMORY_METHOD: &str = "RSS: the peak resident memory the demo reports (max_rss_kb; \
for processes the parent plus its largest child only). PSS/N: what the run's processes cost \
together: the largest sum of their proportional set sizes (Pss in /proc/<pid>/smaps_rollup, \
shared pages split among their sharers), read by this tool every 50 ms while the tasks wait, ÷ N.";

/// (elapsed, peak RSS, summed PSS per task) of a run, as text cells.
fn cells(outcome: &Outcome, tasks: usize) -> [String; 3] {
    match outcome.done() {
        Some(m) => [
            m.num("elapsed_ms").map_or("?".into(), ms),
            m.num("max_rss_kb")
                .map_or("?".into(), |kb| format!("{:.1} MiB", kb / 1024.0)),
            memory_kb(outcome).map_or("?".into(), |kb| per_task(kb, tasks)),
        ],
        None => [
            outcome.status().replace("skipped", "n/a"),
            "—".into(),
            "—".into(),
        ],
    }
}

/// KiB per task, with a decimal for the small ones.
pub fn per_task(kb: f64, tasks: usize) -> String {
    let each = kb / tasks.max(1) as f64;
    if each >= 100.0 {
        format!("{each:.0} KiB")
    } else {
        format!("{each:.1} KiB")
    }
}

/// The sweep as rows of cells (header first).
pub fn table(points: &[Point]) -> Vec<[String; COLUMNS]> {
    let mut rows = vec![
        [
            "kind",
            "N",
            "Rust time",
            "Rust RSS",
            "Rust PSS/N",
            "Python time",
            "Python RSS",
            "Python PSS/N",
        ]
        .map(String::from),
    ];
    for p in points {
        let [rt, rp, rn] = cells(&p.rust, p.tasks);
        let [pt, pp, pn] = cells(&p.python, p.tasks);
        rows.push([
            p.kind.to_string(),
            p.tasks.to_string(),
            rt,
            rp,
            rn,
            pt,
            pp,
            pn,
        ]);
    }
    rows
}

/// Columns of the sweep's table.
pub const COLUMNS: usize = 8;

/// The sweep as aligned text, or as Markdown.
pub fn render(points: &[Point], markdown: bool) -> String {
    let rows = table(points);
    if markdown {
        let line = |r: &[String; COLUMNS]| format!("| {} |", r.join(" | "));
        let mut out = vec![line(&rows[0]), format!("|{}", "---|".repeat(COLUMNS))];
        out.extend(rows[1..].iter().map(line));
        return out.join("\n");
    }
    let widths: Vec<usize> = (0..COLUMNS)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = " ".repeat(w - c.chars().count());
                    if i == 0 {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect();
            cells.join("  ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sweep for tooling.
pub fn to_json(points: &[Point]) -> Value {
    let side = |o: &Outcome, tasks: usize| {
        let m = o.done();
        json!({
            "status": o.status(),
            "reason": o.reason(),
            "elapsed_ms": m.and_then(|m| m.num("elapsed_ms")),
            "max_rss_kb": m.and_then(|m| m.num("max_rss_kb")),
            "kb_per_task": m.and_then(|m| m.num("max_rss_kb")).map(|kb| kb / tasks.max(1) as f64),
            "pss_kb": memory_kb(o),
            "pss_kb_per_task": memory_kb(o).map(|kb| kb / tasks.max(1) as f64),
        })
    };
    Value::Array(
        points
            .iter()
            .map(|p| json!({"kind": p.kind, "tasks": p.tasks, "rust": side(&p.rust, p.tasks), "python": side(&p.python, p.tasks)}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Measured;

    #[test]
    fn processes_are_capped_and_quick_stops_at_a_thousand() {
        assert_eq!(counts("threads", false), [1, 10, 100, 1000, 10_000]);
        assert_eq!(counts("processes", false), [1, 10, 100, 1000]);
        assert_eq!(counts("async tasks", true), [1, 10, 100, 1000]);
        assert_eq!(counts("async tasks", false).last(), Some(&100_000));
        assert_eq!(counts("threads over HTTP", false), [1, 10, 100, 1000]);
        assert_eq!(counts("async over HTTP", false).last(), Some(&5000));
    }

    #[test]
    fn memory_is_divided_by_the_task_count() {
        assert_eq!(per_task(2000.0, 10), "200 KiB");
        assert_eq!(per_task(2000.0, 1000), "2.0 KiB");
        let text = include_str!("../tests/fixtures/threads-demo.json");
        let mut measured = Measured::parse(text, 1.0).unwrap();
        measured.pss_kb = Some(3000.0);
        let point = Point {
            kind: "threads",
            tasks: 3,
            rust: Outcome::Done(measured),
            python: Outcome::Skipped("no python3".into()),
        };
        let rows = table(std::slice::from_ref(&point));
        assert_eq!(rows[1][2], "200.4 ms");
        assert_eq!(rows[1][3], "2.7 MiB");
        assert_eq!(rows[1][4], "1000 KiB", "3000 KiB of PSS over 3 threads");
        assert_eq!(rows[1][5], "n/a");
        assert!(render(std::slice::from_ref(&point), true).starts_with("| kind | N |"));
        let json = to_json(&[point]);
        assert_eq!(json[0]["rust"]["kb_per_task"], 912.0, "2736 KiB RSS over 3");
        assert_eq!(json[0]["rust"]["pss_kb_per_task"], 1000.0);
    }
}
