//! `--report DIR`: the same run as a web page a teacher can project.
//!
//! `DIR/index.html` is self-contained: the charts are inline SVG (drawn by
//! [`crate::charts`]), the styles inline, and nothing is fetched when it is
//! viewed. Each chart is also written beside it as its own `.svg` file, so a
//! README can embed one.

use crate::charts::{self, Bar, Line, PYTHON, RUST};
use crate::plan::Kind;
use crate::runner::Outcome;
use crate::scale::{self, Point};
use crate::table::Run;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// `--report`'s parser: the directory exists afterwards (it is created if
/// needed) and a file can be written in it, so a bad path is one usage error
/// before any demo runs, not a lost report after a minute of runs.
pub fn writable_dir(value: &str) -> Result<PathBuf, String> {
    let dir = PathBuf::from(value);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create the directory: {e}"))?;
    let probe = dir.join(".compare-report-probe");
    fs::write(&probe, b"").map_err(|e| format!("cannot write in it: {e}"))?;
    let _ = fs::remove_file(&probe);
    Ok(dir)
}

/// One chart of the page, with the file name it is also saved under.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Its file name beside `index.html`, such as `timeline-rust-sync-fetch.svg`.
    pub file: String,
    /// The chart as an SVG document: inline in the page, and the file's content.
    pub svg: String,
}

/// A section of charts: a heading, a sentence on how to read them, the charts
/// in a grid of `columns`.
#[derive(Clone, Debug)]
pub struct Section {
    /// Its `<h2>`.
    pub title: String,
    /// How to read the charts: one paragraph under the heading.
    pub lead: String,
    /// 1 or 2 charts side by side.
    pub columns: usize,
    /// The charts, row by row.
    pub figures: Vec<Figure>,
}

/// Everything the page shows.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Its `<title>` and `<h1>`.
    pub title: String,
    /// Paragraphs under it: the settings, the machine, how it was timed.
    pub intro: Vec<String>,
    /// The chart sections, in order, before the table.
    pub sections: Vec<Section>,
    /// The table: its header cells, then its rows.
    pub table: Vec<Vec<String>>,
    /// Lines after the table (the time it took, notes).
    pub notes: Vec<String>,
    /// The verdict's lines, if this mode has one.
    pub verdict: Vec<String>,
}

/// A name safe in a file name: `threads-demo cpu (rayon)` → `threads-demo-cpu-rayon`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The timeline charts: a row per demo run, Rust on the left and Python on
/// the right. The waiting rows share one time axis, so the sequential
/// staircase and the concurrent block of the same length read one above the
/// other; the CPU rows share another.
pub fn timelines(runs: &[Run]) -> Result<Vec<Section>, String> {
    let groups = [
        (
            "Timelines: tasks that wait",
            "Each bar is one task, from its start to its end; every chart here has the same time \
             axis. The sequential runs form a staircase; the concurrent ones a single block.",
            &[Kind::Concurrent, Kind::Sequential][..],
        ),
        (
            "Timelines: CPU work",
            "Each bar is one worker of the parallel pass (the sequential pass came first); the \
             bars overlap when the workers ran at the same time.",
            &[Kind::Cpu][..],
        ),
    ];
    let mut sections = Vec::new();
    if let Some(section) = fetch_pair(runs)? {
        sections.push(section);
    }
    for (title, lead, kinds) in groups {
        let chosen: Vec<&Run> = runs
            .iter()
            .filter(|r| kinds.contains(&r.entry.kind) && r.entry.reuse.is_none())
            .collect();
        let spans = |o: &Outcome| o.done().map(|m| m.spans()).unwrap_or_default();
        let axis = chosen
            .iter()
            .flat_map(|r| [spans(&r.rust), spans(&r.python)])
            .flatten()
            .map(|s| s.end_ms)
            .fold(0.0, f64::max);
        let mut figures = Vec::new();
        for r in &chosen {
            for (who, outcome, colour) in [("Rust", &r.rust, RUST), ("Python", &r.python, PYTHON)] {
                if matches!(outcome, Outcome::Skipped(_)) {
                    continue; // no Python column at all in this run
                }
                let name = if who == "Rust" {
                    r.entry.label.to_string()
                } else {
                    let sub = r.entry.label.split_once(' ').map_or("", |(_, sub)| sub);
                    let script = r.entry.python.as_ref().map(|_| r.entry.script());
                    script.map_or(String::new(), |s| {
                        format!("{s} {sub}").trim_end().to_string()
                    })
                };
                let title = match outcome.done() {
                    Some(_) => format!("{who}: {name}"),
                    None => format!("{who}: {name}: {}", outcome.status()),
                };
                let svg = charts::timeline(&title, &spans(outcome), axis, colour)?;
                figures.push(Figure {
                    file: format!("timeline-{}-{}.svg", slug(who), slug(r.entry.label)),
                    svg,
                });
            }
        }
        let python = chosen
            .iter()
            .any(|r| !matches!(r.python, Outcome::Skipped(_)));
        if !chosen.is_empty() {
            sections.push(Section {
                title: title.into(),
                lead: lead.into(),
                columns: if python { 2 } else { 1 },
                figures,
            });
        }
    }
    Ok(sections)
}

/// The file of the chart that sets the article's sequential fetch above its
/// concurrent one, Rust's then Python's (the one the root README shows).
pub const FETCH_PAIR: &str = "fetch-sequential-vs-concurrent.svg";

/// The article's two fetch examples in one chart: `sync-fetch` above
/// `async-fetch`, Rust's and then Python's, on one time axis.
fn fetch_pair(runs: &[Run]) -> Result<Option<Section>, String> {
    let mut panels = Vec::new();
    for rust in [true, false] {
        for id in ["sync", "async"] {
            let Some(r) = runs.iter().find(|r| r.entry.id == id) else {
                continue;
            };
            let (who, outcome, colour) = if rust {
                ("Rust", &r.rust, RUST)
            } else {
                ("Python", &r.python, PYTHON)
            };
            if let Some(m) = outcome.done() {
                let how = if id == "sync" {
                    "one after another"
                } else {
                    "at once"
                };
                // Python's panels name the script: `sync_fetch.py`.
                let name = match (&r.entry.python, rust) {
                    (Some(_), false) => r.entry.script(),
                    _ => r.entry.label.to_string(),
                };
                panels.push((format!("{who}: {name}, {how}"), m.spans(), colour));
            }
        }
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let axis = panels
        .iter()
        .flat_map(|(_, spans, _)| spans.iter().map(|s| s.end_ms))
        .fold(0.0, f64::max);
    Ok(Some(Section {
        title: "The article's fetches: in turn, then at once".into(),
        lead: "The same waits, every panel on one time axis: one after another they form a \
               staircase across it; at once, a single block a third as long."
            .into(),
        columns: 1,
        figures: vec![Figure {
            file: FETCH_PAIR.into(),
            svg: charts::stacked(&panels, axis)?,
        }],
    }))
}

/// The bars of the speedup chart: Rust's threads, rayon and processes, then
/// Python's threads and processes, each its own sequential ÷ parallel time.
pub fn speedup_bars(runs: &[Run]) -> Vec<Bar> {
    let find = |id: &str| runs.iter().find(|r| r.entry.id == id);
    let speedup = |id: &str, rust: bool| {
        let r = find(id)?;
        let outcome = if rust { &r.rust } else { &r.python };
        crate::verdict::cpu_speedup(&r.entry, outcome.done()?)
    };
    let bar = |name: &str, id: &str, rust: bool| {
        find(id).map(|_| Bar {
            name: name.into(),
            value: speedup(id, rust),
            rust,
        })
    };
    [
        bar("Rust threads", "cpu-threads", true),
        bar("Rust rayon", "cpu-rayon", true),
        bar("Rust processes", "cpu-processes", true),
        bar("Py threads", "cpu-threads", false),
        bar("Py processes", "cpu-processes", false),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The comparison's page: timelines, the speedups, the table, the verdict.
pub fn table_page(runs: &[Run], table: &[Vec<String>], workers: usize) -> Result<Page, String> {
    let mut sections = timelines(runs)?;
    let bars = speedup_bars(runs);
    if !bars.is_empty() {
        let svg = charts::speedups(
            "CPU speedup: each language's sequential ÷ parallel time",
            &bars,
            workers as f64,
        )?;
        sections.push(Section {
            title: "Speedups of the CPU rows".into(),
            lead: "Rust's threads, rayon and processes beside Python's threads and process \
                   pool; the dashed line is perfect scaling over every worker."
                .into(),
            columns: 1,
            figures: vec![Figure {
                file: "speedup.svg".into(),
                svg,
            }],
        });
    }
    Ok(Page {
        sections,
        table: table.to_vec(),
        ..Page::default()
    })
}

/// The lines of one scale chart: per kind and language, `value(point)` at each N.
pub fn scale_lines(points: &[Point], value: impl Fn(&Outcome, usize) -> Option<f64>) -> Vec<Line> {
    let mut kinds: Vec<&str> = Vec::new();
    for p in points {
        if !kinds.contains(&p.kind) {
            kinds.push(p.kind);
        }
    }
    let mut lines = Vec::new();
    for rust in [true, false] {
        for (k, kind) in kinds.iter().enumerate() {
            let points: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.kind == *kind)
                .filter_map(|p| {
                    let outcome = if rust { &p.rust } else { &p.python };
                    Some((p.tasks as f64, value(outcome, p.tasks)?))
                })
                .collect();
            if !points.is_empty() {
                let who = if rust { "Rust" } else { "Python" };
                lines.push(Line {
                    name: format!("{who} {kind}"),
                    kind: k,
                    rust,
                    points,
                });
            }
        }
    }
    lines
}

/// The sweep's page: time per task and memory per task against N, and the table.
pub fn scale_page(points: &[Point]) -> Result<Page, String> {
    let time = scale_lines(points, |o, n| {
        Some(o.done()?.num("elapsed_ms")? / n.max(1) as f64)
    });
    let memory = scale_lines(points, |o, n| Some(o.done()?.pss_kb? / n.max(1) as f64));
    let sections = vec![Section {
        title: "Cost per task as N grows".into(),
        lead: "Both axes are logarithmic. Solid lines are Rust, dashed lines Python, one colour \
               per kind. Time per task falls as 1/N while the tasks overlap; memory per task \
               falls towards what one more task costs."
            .into(),
        columns: 1,
        figures: vec![
            Figure {
                file: "scale-time-per-task.svg".into(),
                svg: charts::per_task("Time per task (elapsed ÷ N)", "ms per task", &time)?,
            },
            Figure {
                file: "scale-memory-per-task.svg".into(),
                svg: charts::per_task(
                    &format!("Memory per task ({} ÷ N)", scale::MEMORY_SHORT),
                    "KiB per task",
                    &memory,
                )?,
            },
        ],
    }];
    Ok(Page {
        sections,
        table: scale::table(points),
        ..Page::default()
    })
}

/// `&`, `<`, `>` and `"` as HTML entities.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page as one HTML document.
pub fn html(page: &Page) -> String {
    let mut out = String::new();
    let title = escape(&page.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for p in &page.intro {
        let _ = writeln!(out, "<p>{}</p>", escape(p));
    }
    for s in &page.sections {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<p>{}</p>",
            escape(&s.title),
            escape(&s.lead)
        );
        let _ = writeln!(out, "<div class=\"grid c{}\">", s.columns);
        for f in &s.figures {
            let _ = writeln!(
                out,
                "<figure id=\"{}\">\n{}\n</figure>",
                escape(&f.file),
                f.svg.trim()
            );
        }
        out.push_str("</div>\n");
    }
    if let Some((header, rows)) = page.table.split_first() {
        out.push_str("<h2>The table</h2>\n<table>\n<thead><tr>");
        for h in header {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            out.push_str("<tr>");
            for c in row {
                let _ = write!(out, "<td>{}</td>", escape(c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !page.notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for n in &page.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n");
    }
    if let Some((first, rest)) = page.verdict.split_first() {
        let class = if first.contains("PASS") {
            "pass"
        } else {
            "fail"
        };
        let _ = writeln!(
            out,
            "<h2>Verdict</h2>\n<p class=\"{class}\">{}</p>",
            escape(first)
        );
        if !rest.is_empty() {
            out.push_str("<ul>\n");
            for p in rest {
                let _ = writeln!(out, "<li>{}</li>", escape(p));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

const STYLE: &str = "body { font-family: sans-serif; margin: 2em auto; max-width: 1500px; \
padding: 0 1em; color: #222; }
.grid { display: grid; gap: 1em; }
.grid.c2 { grid-template-columns: 1fr 1fr; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f3f3f3; }
.pass { color: #176b2c; font-weight: bold; }
.fail { color: #a4161a; font-weight: bold; }
";

/// Writes `dir/index.html` and each chart as `dir/<file>.svg`.
pub fn write(dir: &Path, page: &Page) -> Result<PathBuf, String> {
    let failed = |path: &Path, e: std::io::Error| format!("cannot write {}: {e}", path.display());
    for figure in page.sections.iter().flat_map(|s| &s.figures) {
        let path = dir.join(&figure.file);
        fs::write(&path, &figure.svg).map_err(|e| failed(&path, e))?;
    }
    let index = dir.join("index.html");
    fs::write(&index, html(page)).map_err(|e| failed(&index, e))?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Measured;
    use crate::table::tests::recorded;
    use roxmltree::Document;

    /// What a test reads back from a chart: its texts, bars, markers and lines.
    #[derive(Debug, Default)]
    struct Drawn {
        /// (content, x, y) of every `<text>`.
        texts: Vec<(String, f64, f64)>,
        /// (x, y, width, height, fill) of every `<rect>`.
        rects: Vec<(f64, f64, f64, f64, String)>,
        /// (cx, cy, fill, stroke) of every `<circle>`.
        circles: Vec<(f64, f64, String, String)>,
        /// (stroke, point count) of every `<polyline>`.
        polylines: Vec<(String, usize)>,
    }

    /// Parses `svg` as XML (a parse error fails the test) and collects what it draws.
    fn drawn(svg: &str) -> Drawn {
        let doc = Document::parse(svg).expect("the chart is well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let num = |n: &roxmltree::Node, a: &str| {
            n.attribute(a)
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let text = |n: &roxmltree::Node, a: &str| n.attribute(a).unwrap_or("").to_uppercase();
        let mut d = Drawn::default();
        for n in doc.descendants() {
            match n.tag_name().name() {
                "text" => d.texts.push((
                    n.text().unwrap_or("").trim().to_string(),
                    num(&n, "x"),
                    num(&n, "y"),
                )),
                "rect" => d.rects.push((
                    num(&n, "x"),
                    num(&n, "y"),
                    num(&n, "width"),
                    num(&n, "height"),
                    text(&n, "fill"),
                )),
                "circle" => d.circles.push((
                    num(&n, "cx"),
                    num(&n, "cy"),
                    text(&n, "fill"),
                    text(&n, "stroke"),
                )),
                "polyline" => d.polylines.push((
                    text(&n, "stroke"),
                    n.attribute("points")
                        .unwrap_or("")
                        .split_whitespace()
                        .count(),
                )),
                _ => {}
            }
        }
        d
    }

    fn hex(c: plotters::style::RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    impl Drawn {
        fn has_text(&self, wanted: &str) -> bool {
            self.texts.iter().any(|(t, ..)| t == wanted)
        }

        /// The numeric tick labels of one axis as (value, position along it):
        /// the x axis's share the lowest line of numbers, the y axis's the
        /// leftmost column.
        fn ticks(&self, along_x: bool) -> Vec<(f64, f64)> {
            let numbers: Vec<(f64, f64, f64)> = self
                .texts
                .iter()
                .filter_map(|(t, x, y)| Some((t.parse::<f64>().ok()?, *x, *y)))
                .collect();
            let bottom = numbers.iter().map(|n| n.2).fold(f64::MIN, f64::max);
            let left = numbers.iter().map(|n| n.1).fold(f64::MAX, f64::min);
            numbers
                .into_iter()
                .filter_map(|(v, x, y)| match along_x {
                    true => (y == bottom).then_some((v, x)),
                    false => (x == left).then_some((v, y)),
                })
                .collect()
        }

        fn bars(&self, colour: &str) -> Vec<(f64, f64, f64, f64)> {
            self.rects
                .iter()
                .filter(|r| r.4 == colour)
                .map(|r| (r.0, r.1, r.2, r.3))
                .collect()
        }
    }

    /// The pixel of `value` on an axis, interpolated between two of its ticks.
    fn pixel(ticks: &[(f64, f64)], value: f64, log: bool) -> f64 {
        let f = |v: f64| if log { v.log10() } else { v };
        let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
        a.1 + (f(value) - f(a.0)) / (f(b.0) - f(a.0)) * (b.1 - a.1)
    }

    fn figure<'a>(sections: &'a [Section], file: &str) -> &'a Figure {
        sections
            .iter()
            .flat_map(|s| &s.figures)
            .find(|f| f.file == file)
            .unwrap_or_else(|| panic!("no {file}"))
    }

    #[test]
    fn each_timeline_draws_the_runs_spans_on_the_shared_axis() {
        let runs = recorded();
        let sections = timelines(&runs).unwrap();
        let waiting = &sections[1];
        // seven waiting rows, Rust and Python each
        assert_eq!(waiting.figures.len(), 14);
        assert_eq!(waiting.columns, 2);
        // the shared axis ends at the latest end of any waiting run: the HTTP sync run
        let axis = runs
            .iter()
            .filter(|r| matches!(r.entry.kind, Kind::Concurrent | Kind::Sequential))
            .flat_map(|r| r.rust.done().unwrap().spans())
            .map(|s| s.end_ms)
            .fold(0.0, f64::max);
        assert_eq!(axis, 618.67);
        let mut first_axis: Option<Vec<(f64, f64)>> = None;
        for (id, file) in [
            ("sync", "timeline-rust-sync-fetch.svg"),
            ("async", "timeline-rust-async-fetch.svg"),
            ("threads", "timeline-rust-threads-demo.svg"),
            ("sync-http", "timeline-rust-sync-fetch-http.svg"),
        ] {
            let run = runs.iter().find(|r| r.entry.id == id).unwrap();
            let spans = run.rust.done().unwrap().spans();
            let d = drawn(&figure(&sections, file).svg);
            assert!(
                d.has_text(&format!("Rust: {}", run.entry.label)),
                "{file}: {:?}",
                d.texts
            );
            let ticks: Vec<(f64, f64)> = d.ticks(true);
            let (lo, hi) = (ticks[0].0, ticks[ticks.len() - 1].0);
            assert_eq!(lo, 0.0, "{file}: the axis starts at 0");
            assert!(
                hi <= axis && hi >= axis * 0.8,
                "{file}: last tick {hi} for an axis of {axis}"
            );
            // every chart of the group has the same ticks at the same places
            match &first_axis {
                None => first_axis = Some(ticks.clone()),
                Some(first) => assert_eq!(first, &ticks, "{file}: not the shared axis"),
            }
            let bars = d.bars(&hex(RUST));
            assert_eq!(bars.len(), spans.len(), "{file}: a bar per span");
            for (bar, span) in bars.iter().zip(&spans) {
                let (left, right) = (
                    pixel(&ticks, span.start_ms, false),
                    pixel(&ticks, span.end_ms, false),
                );
                assert!(
                    (bar.0 - left).abs() <= 2.0,
                    "{file}: bar starts at {} not {left}",
                    bar.0
                );
                assert!(
                    (bar.0 + bar.2 - right).abs() <= 2.0,
                    "{file}: bar ends at {} not {right}",
                    bar.0 + bar.2
                );
            }
            // task 0 on top: the bars go down the chart in task order
            assert!(bars.windows(2).all(|w| w[0].1 < w[1].1), "{file}: {bars:?}");
        }
        let cpu = &sections[2];
        assert_eq!(
            cpu.figures.len(),
            4,
            "threads-demo cpu and process-demo cpu; rayon reads the same run"
        );
    }

    #[test]
    fn the_fetch_pair_sets_the_staircase_above_the_block_on_one_axis() {
        let runs = recorded();
        let sections = timelines(&runs).unwrap();
        let d = drawn(&figure(&sections, FETCH_PAIR).svg);
        for title in [
            "Rust: sync-fetch, one after another",
            "Rust: async-fetch, at once",
            "Python: sync_fetch.py, one after another",
        ] {
            assert!(d.has_text(title), "{title}: {:?}", d.texts);
        }
        let json = |id: &str| {
            runs.iter()
                .find(|r| r.entry.id == id)
                .unwrap()
                .rust
                .done()
                .unwrap()
                .spans()
        };
        let (sync, concurrent) = (json("sync"), json("async"));
        let bars = d.bars(&hex(RUST));
        assert_eq!(bars.len(), sync.len() + concurrent.len());
        assert_eq!(
            d.bars(&hex(PYTHON)).len(),
            6,
            "the recorded Python runs too"
        );
        // one axis: where each bar ends, over where the staircase ends, is the ratio of their end_ms
        let right = |b: &(f64, f64, f64, f64)| b.0 + b.2;
        let left = bars[0].0 - (bars[0].2 / (sync[0].end_ms - sync[0].start_ms)) * sync[0].start_ms;
        let scale = (right(&bars[2]) - left) / sync[2].end_ms;
        for (bar, span) in bars[3..].iter().zip(&concurrent) {
            let expected = left + span.end_ms * scale;
            assert!(
                (right(bar) - expected).abs() <= 3.0,
                "{} vs {expected}",
                right(bar)
            );
        }
        assert!(
            right(&bars[3]) - left < 0.45 * (right(&bars[2]) - left),
            "a third as long"
        );
    }

    #[test]
    fn without_python_only_rusts_timelines_are_drawn_in_one_column() {
        let mut runs = recorded();
        for r in &mut runs {
            r.python = Outcome::Skipped("--no-python".into());
        }
        runs[2].rust = Outcome::Missing("no binary".into());
        let sections = timelines(&runs).unwrap();
        assert_eq!(
            sections[0].figures[0].file, FETCH_PAIR,
            "async-fetch's Rust run alone"
        );
        assert_eq!((sections[1].figures.len(), sections[1].columns), (7, 1));
        let missing = drawn(&sections[1].figures[2].svg);
        assert!(
            missing.has_text("Rust: sync-fetch: missing"),
            "{:?}",
            missing.texts
        );
        assert!(missing.bars(&hex(RUST)).is_empty());
    }

    #[test]
    fn the_speedup_chart_has_a_bar_per_run_and_the_ideal_line() {
        let runs = recorded();
        let bars = speedup_bars(&runs);
        let names: Vec<&str> = bars.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Rust threads",
                "Rust rayon",
                "Rust processes",
                "Py threads",
                "Py processes"
            ]
        );
        // the values are each run's sequential ÷ parallel time, from its JSON
        let json = |id: &str, rust: bool| {
            let r = runs.iter().find(|r| r.entry.id == id).unwrap();
            let m = if rust { r.rust.done() } else { r.python.done() }.unwrap();
            m.num("sequential_ms").unwrap() / m.num(r.entry.metric).unwrap()
        };
        assert_eq!(bars[1].value, Some(json("cpu-rayon", true)));
        assert_eq!(bars[3].value, Some(json("cpu-threads", false)));
        let page = table_page(&runs, &crate::table::rows(&runs), 2).unwrap();
        let d = drawn(&figure(&page.sections, "speedup.svg").svg);
        for b in &bars {
            assert!(d.has_text(&b.name), "{}", b.name);
            assert!(d.has_text(&format!("{:.2}x", b.value.unwrap())), "{b:?}");
        }
        assert!(
            d.has_text("ideal: 2x (2 workers, perfect scaling)"),
            "{:?}",
            d.texts
        );
        let y_ticks = d.ticks(false);
        assert_eq!(y_ticks[0].0, 0.0);
        let top = y_ticks.last().unwrap().0;
        let tallest = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
        assert!(
            top >= 2.0 && top >= tallest * 0.9,
            "the axis reaches the tallest bar: {top}"
        );
        // each bar's height is its speedup on the y axis
        let base = pixel(&y_ticks, 0.0, false);
        let rust_bars = d.bars(&hex(RUST));
        assert_eq!(rust_bars.len(), 3);
        let (_, y, _, _) = rust_bars[1];
        let expected = pixel(&y_ticks, bars[1].value.unwrap(), false);
        assert!(
            (y - expected).abs() <= 3.0,
            "rayon bar top at {y}, expected {expected} (base {base})"
        );
        assert_eq!(d.bars(&hex(PYTHON)).len(), 2);
    }

    /// A scale sweep from the recorded summaries: per kind, the time grows a
    /// little with N and the summed PSS by a fixed cost per task.
    fn sweep() -> Vec<Point> {
        let text = include_str!("../tests/fixtures/threads-demo.json");
        let at = |n: usize, per_task_kb: f64, rust: bool| {
            let mut m = Measured::parse(text).unwrap();
            m.json["elapsed_ms"] = (200.0 + n as f64 * if rust { 0.01 } else { 0.1 }).into();
            m.pss_kb = Some(2000.0 + per_task_kb * n as f64);
            Outcome::Done(m)
        };
        let mut points = Vec::new();
        for (kind, rust_kb, py_kb) in [
            ("threads", 10.0, 40.0),
            ("async tasks", 1.0, 3.0),
            ("processes", 200.0, 900.0),
        ] {
            for n in [1, 10, 100, 1000] {
                points.push(Point {
                    kind,
                    tasks: n,
                    rust: at(n, rust_kb, true),
                    python: if kind == "processes" && n == 1000 {
                        Outcome::Failed("too many processes".into(), None)
                    } else {
                        at(n, py_kb, false)
                    },
                });
            }
        }
        points
    }

    #[test]
    fn scale_charts_have_a_line_per_kind_and_language_on_log_axes() {
        let points = sweep();
        let page = scale_page(&points).unwrap();
        let memory = scale_lines(&points, |o, n| Some(o.done()?.pss_kb? / n as f64));
        assert_eq!(memory.len(), 6, "three kinds × two languages");
        assert_eq!(memory[5].name, "Python processes");
        assert_eq!(memory[5].points.len(), 3, "the failed N = 1000 is left out");
        for (file, lines) in [
            ("scale-memory-per-task.svg", memory),
            (
                "scale-time-per-task.svg",
                scale_lines(&points, |o, n| {
                    Some(o.done()?.num("elapsed_ms")? / n as f64)
                }),
            ),
        ] {
            let d = drawn(&figure(&page.sections, file).svg);
            let x = d
                .ticks(true)
                .into_iter()
                .filter(|t| [1.0, 10.0, 100.0, 1000.0].contains(&t.0))
                .collect::<Vec<_>>();
            assert_eq!(
                x.iter().map(|t| t.0).collect::<Vec<_>>(),
                [1.0, 10.0, 100.0, 1000.0],
                "{file}: {:?}",
                d.texts
            );
            let (lo, hi) = charts::decades(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
            // The y axis runs from the decade below the smallest value to the
            // one above the largest; plotters labels the whole powers of ten
            // from 1 up, so the top one is labelled, and the markers below
            // (checked next) show the rest of the range.
            let y = d.ticks(false);
            assert!(y.len() >= 2, "{file}: {:?}", d.texts);
            assert_eq!(y.last().unwrap().0, hi, "{file}: the y axis ends at {hi}");
            assert!(
                y.iter().all(|t| t.0 >= lo),
                "{file}: the y axis starts at {lo}"
            );
            for line in &lines {
                assert!(
                    d.has_text(&line.name),
                    "{file}: no legend for {}",
                    line.name
                );
                let colour = hex(charts::PALETTE[line.kind]);
                // Rust's markers filled, Python's hollow: one marker per point
                let markers: Vec<_> = d
                    .circles
                    .iter()
                    .filter(|c| {
                        if line.rust {
                            c.2 == colour
                        } else {
                            c.2 == "NONE" && c.3 == colour
                        }
                    })
                    .collect();
                assert_eq!(markers.len(), line.points.len(), "{file}: {}", line.name);
                for (c, &(n, v)) in markers.iter().zip(&line.points) {
                    let (px, py) = (pixel(&x, n, true), pixel(&y, v, true));
                    assert!(
                        (c.0 - px).abs() <= 3.0 && (c.1 - py).abs() <= 3.0,
                        "{file}: {} at N = {n}: ({}, {}) not ({px}, {py})",
                        line.name,
                        c.0,
                        c.1
                    );
                }
                if line.rust {
                    assert!(
                        d.polylines
                            .iter()
                            .any(|p| p.0 == colour && p.1 == line.points.len()),
                        "{file}: {}",
                        line.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_page_is_self_contained_and_holds_the_table_and_the_verdict() {
        let runs = recorded();
        let rows = crate::table::rows(&runs);
        let mut page = table_page(&runs, &rows, 2).unwrap();
        page.title = "scripts/compare (quick mode)".into();
        page.intro = vec!["Machine: 2 cores <test>".into()];
        page.verdict = vec!["Verdict: PASS: every demo shows what it teaches.".into()];
        let html = html(&page);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("Machine: 2 cores &lt;test&gt;"),
            "text is escaped"
        );
        assert!(html.contains("<th>ratio that teaches</th>"));
        assert!(html.contains("<td>async-fetch http</td>"));
        assert!(html.contains("class=\"pass\">Verdict: PASS"));
        assert_eq!(
            html.matches("<svg").count(),
            20,
            "the fetch pair, 14 + 4 timelines, 1 speedup chart"
        );
        // nothing fetched when viewed: no scripts, links or images; the only URL is the SVG namespace
        for banned in ["<script", "<link", "<img", "url("] {
            assert!(!html.contains(banned), "{banned}");
        }
        let namespaces = html.matches("\"http://www.w3.org/2000/svg\"").count();
        assert_eq!(
            html.matches("://").count(),
            namespaces,
            "no address but the SVG namespace"
        );
    }

    #[test]
    fn a_path_that_cannot_be_written_is_refused() {
        assert!(writable_dir("/dev/null/report").is_err());
        let dir = std::env::temp_dir().join(format!("compare-report-{}", std::process::id()));
        let made = writable_dir(dir.join("a/b").to_str().unwrap()).unwrap();
        assert!(made.is_dir());
        assert_eq!(
            fs::read_dir(&made).unwrap().count(),
            0,
            "the probe is removed"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("threads-demo cpu (rayon)"), "threads-demo-cpu-rayon");
        assert_eq!(slug("Rust"), "rust");
    }
}
