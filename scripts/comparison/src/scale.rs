//! `--scale`: the same wait on 1 to 100,000 tasks, for threads, async tasks,
//! processes and fetches over HTTP, with the time and the memory each task costs.

use crate::plan::{self, SCALE_KINDS, Settings};
use crate::runner::{Outcome, Runner};
use crate::table::{self, ms};
use serde_json::{Value, json};

/// One point of the sweep.
#[derive(Clone, Debug)]
pub struct Point {
    /// Its row of [`SCALE_KINDS`]: `threads`, `async over HTTP`, …
    pub kind: &'static str,
    pub tasks: usize,
    pub rust: Outcome,
    pub python: Outcome,
}

/// Runs the sweep (up to 1,000 tasks with `quick`), narrating each run on stderr.
pub fn run(runner: &Runner, delay_ms: u64, quick: bool) -> Vec<Point> {
    let top = if quick { 1000 } else { usize::MAX };
    let mut points = Vec::new();
    for (kind, id, counts) in SCALE_KINDS {
        for &tasks in counts.iter().filter(|&&n| n <= top) {
            let settings = Settings {
                tasks,
                delay_ms,
                ..Settings::new(quick, 1)
            };
            let entries = plan::entries(&settings);
            let Some(e) = entries.iter().find(|e| e.id == id) else {
                continue;
            };
            eprintln!("scale: {kind} × {tasks} …");
            points.push(Point {
                kind,
                tasks,
                rust: runner.rust(e.bin(), &e.args, e.variant),
                python: runner.python(&e.script(), &e.args, e.variant),
            });
        }
    }
    points
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
            m.pss_kb.map_or("?".into(), |kb| per_task(kb, tasks)),
        ],
        None => [table::not_done(outcome), "—".into(), "—".into()],
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

/// The sweep as a table: its header, then a row per point.
pub fn table(points: &[Point]) -> Vec<Vec<String>> {
    let header = [
        "kind",
        "N",
        "Rust time",
        "Rust RSS",
        "Rust PSS/N",
        "Python time",
        "Python RSS",
        "Python PSS/N",
    ];
    let mut rows = vec![header.map(String::from).to_vec()];
    for p in points {
        let mut row = vec![p.kind.to_string(), p.tasks.to_string()];
        row.extend(cells(&p.rust, p.tasks));
        row.extend(cells(&p.python, p.tasks));
        rows.push(row);
    }
    rows
}

/// The sweep as `--scale --json` prints it: each side's status, time and memory per task.
pub fn to_json(points: &[Point]) -> Value {
    let side = |o: &Outcome, tasks: usize| {
        let m = o.done();
        let rss = m.and_then(|m| m.num("max_rss_kb"));
        let pss = m.and_then(|m| m.pss_kb);
        json!({
            "status": o.status(),
            "reason": o.reason(),
            "elapsed_ms": m.and_then(|m| m.num("elapsed_ms")),
            "max_rss_kb": rss,
            "kb_per_task": rss.map(|kb| kb / tasks.max(1) as f64),
            "pss_kb": pss,
            "pss_kb_per_task": pss.map(|kb| kb / tasks.max(1) as f64),
        })
    };
    let point = |p: &Point| {
        json!({"kind": p.kind, "tasks": p.tasks,
               "rust": side(&p.rust, p.tasks), "python": side(&p.python, p.tasks)})
    };
    Value::Array(points.iter().map(point).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Measured;

    #[test]
    fn memory_is_divided_by_the_task_count() {
        assert_eq!(per_task(2000.0, 10), "200 KiB");
        assert_eq!(per_task(2000.0, 1000), "2.0 KiB");
        let text = include_str!("../tests/fixtures/threads-demo.json");
        let mut measured = Measured::parse(text).unwrap();
        measured.pss_kb = Some(3000.0);
        let point = Point {
            kind: "threads",
            tasks: 3,
            rust: Outcome::Done(measured),
            python: Outcome::Skipped("no python3".into()),
        };
        let rows = table(std::slice::from_ref(&point));
        assert_eq!(rows[1][2..6], ["200.4 ms", "2.7 MiB", "1000 KiB", "n/a"]);
        let json = to_json(&[point]);
        assert_eq!(json[0]["rust"]["kb_per_task"], 912.0, "2736 KiB RSS over 3");
        assert_eq!(json[0]["rust"]["pss_kb_per_task"], 1000.0);
    }
}
