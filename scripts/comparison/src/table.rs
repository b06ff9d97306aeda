//! The comparison table: one row per entry, rendered as text, Markdown or JSON.

use crate::plan::{Entry, Kind};
use crate::runner::{Measured, Outcome};
use crate::verdict::cpu_speedup;
use serde_json::{Value, json};

/// One entry with both of its outcomes.
#[derive(Clone, Debug)]
pub struct Result {
    /// What ran.
    pub entry: Entry,
    /// The Rust demo's outcome.
    pub rust: Outcome,
    /// The Python equivalent's outcome.
    pub python: Outcome,
}

/// One row, ready to print.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `sync-fetch http`.
    pub demo: String,
    /// What it does.
    pub what: String,
    /// The physical limit, from the Rust summary.
    pub ideal: String,
    /// The article's figure, or "—".
    pub article: String,
    /// The Rust time.
    pub rust: String,
    /// The Python time.
    pub python: String,
    /// Rust ÷ ideal − 1, as a percentage.
    pub over_ideal: String,
    /// The pair ratio this row teaches, if any.
    pub ratio: String,
}

/// The headers of the table, in order.
pub const HEADERS: [&str; 8] = [
    "demo",
    "what it does",
    "ideal",
    "article",
    "Rust",
    "Python",
    "Rust vs ideal",
    "ratio that teaches",
];

impl Row {
    /// The cells in the order of [`HEADERS`].
    pub fn cells(&self) -> [&str; 8] {
        [
            &self.demo,
            &self.what,
            &self.ideal,
            &self.article,
            &self.rust,
            &self.python,
            &self.over_ideal,
            &self.ratio,
        ]
    }
}

/// Milliseconds as a student reads them: `2.00 s` or `201.3 ms`.
pub fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} s", value / 1e3)
    } else {
        format!("{value:.1} ms")
    }
}

/// A CPU run's size as a student reads it: `10⁹`, `3×10⁸`, or the plain number.
pub fn size(n: f64) -> String {
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let exponent = n.log10().floor();
    let mantissa = n / 10f64.powf(exponent);
    if n < 1000.0 || (mantissa - mantissa.round()).abs() > 1e-9 {
        return format!("{n:.0}");
    }
    let power: String = format!("{exponent:.0}")
        .chars()
        .map(|d| SUPERSCRIPT[d.to_digit(10).unwrap_or(0) as usize])
        .collect();
    match mantissa.round() as u64 {
        1 => format!("10{power}"),
        m => format!("{m}×10{power}"),
    }
}

/// A time cell; a CPU row also names the size it summed on a second line
/// (`341.3 ms` / `n = 10⁹`), since Rust and Python sum different sizes and
/// only their speedups compare. Markdown joins the two lines with a comma.
fn cell(outcome: &Outcome, metric: &str, kind: Kind) -> String {
    match outcome {
        Outcome::Done(m) => {
            let time = m.num(metric).map_or("?".into(), ms);
            match m.num("size").filter(|_| kind == Kind::Cpu) {
                Some(n) => format!("{time}\nn = {}", size(n)),
                None => time,
            }
        }
        Outcome::Missing(_) => "missing".into(),
        Outcome::Failed(..) => "failed".into(),
        Outcome::Skipped(_) => "n/a".into(),
    }
}

/// The value `metric` of an entry's outcome, if it succeeded.
pub fn value(outcome: &Outcome, metric: &str) -> Option<f64> {
    outcome.done().and_then(|m| m.num(metric))
}

fn find<'a>(results: &'a [Result], id: &str) -> Option<&'a Result> {
    results.iter().find(|r| r.entry.id == id)
}

fn times(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| format!("{x:.2}x"))
}

/// `a ÷ b` of two entries' elapsed times, for Rust and for Python.
fn fetch_ratio(
    results: &[Result],
    sequential: &str,
    concurrent: &str,
) -> (Option<f64>, Option<f64>) {
    let pair = |pick: fn(&Result) -> &Outcome| {
        let a = value(pick(find(results, sequential)?), "elapsed_ms")?;
        let b = value(pick(find(results, concurrent)?), "elapsed_ms")?;
        (b > 0.0).then(|| a / b)
    };
    (pair(|r| &r.rust), pair(|r| &r.python))
}

fn speedup(entry: &Entry, outcome: &Outcome) -> Option<f64> {
    cpu_speedup(entry, outcome.done()?)
}

/// What the CPU rows divide: each language's own speedup.
pub const SPEEDUP: &str = "speedup = sequential ÷ parallel time";

/// The teaching ratio of one row: what is divided by what, and the values.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// What is divided by what: `sync ÷ async time`.
    pub label: &'static str,
    /// Whose value `rust` is: `Rust`, `Rust rayon`; empty for a single value.
    pub rust_name: &'static str,
    /// The Rust value.
    pub rust: Option<f64>,
    /// Whose value `python` is (`Py processes`), or `None` for a single value.
    pub python_name: Option<&'static str>,
    /// The Python value.
    pub python: Option<f64>,
}

impl Ratio {
    /// The cell: `speedup = sequential ÷ parallel time: Rust rayon 2.05x · Py processes 1.73x`.
    pub fn text(&self) -> String {
        let rust = match self.rust_name {
            "" => format!("{}: {}", self.label, times(self.rust)),
            name => format!("{}: {name} {}", self.label, times(self.rust)),
        };
        match self.python_name {
            Some(name) => format!("{rust} · {name} {}", times(self.python)),
            None => rust,
        }
    }
}

/// The teaching ratio of one row, if it has one.
pub fn ratio(results: &[Result], r: &Result) -> Option<Ratio> {
    let python_cpu = |id: &str| {
        let other = find(results, id)?;
        speedup(&other.entry, &other.python)
    };
    let pair = |label, rust_name, rust, python_name, python| Ratio {
        label,
        rust_name,
        rust,
        python_name: Some(python_name),
        python,
    };
    let fetch = |label, sequential, concurrent| {
        let (rust, py) = fetch_ratio(results, sequential, concurrent);
        pair(label, "Rust", rust, "Py", py)
    };
    let cpu = |rust_name, python_name, python_id| {
        let rust = speedup(&r.entry, &r.rust);
        pair(SPEEDUP, rust_name, rust, python_name, python_cpu(python_id))
    };
    match r.entry.id {
        "async" => Some(fetch("sync ÷ async time", "sync", "async")),
        "threads-http" => Some(fetch("sync ÷ threads time", "sync-http", "threads-http")),
        "async-http" => Some(fetch("sync ÷ async time", "sync-http", "async-http")),
        "cpu-threads" => Some(cpu("Rust threads", "Py threads", "cpu-threads")),
        // Python has no rayon: its nearest parallel CPU answer is a process pool.
        "cpu-rayon" => Some(cpu("Rust rayon", "Py processes", "cpu-processes")),
        "cpu-processes" => Some(cpu("Rust processes", "Py processes", "cpu-processes")),
        "timed" => {
            let rust = value(&r.rust, "function_ms");
            let py = value(&r.python, "function_ms");
            let slower = rust
                .zip(py)
                .and_then(|(rust, py)| (rust > 0.0).then(|| py / rust));
            Some(Ratio {
                label: "Py time ÷ Rust time",
                rust_name: "",
                rust: slower,
                python_name: None,
                python: None,
            })
        }
        _ => None,
    }
}

/// A CPU row whose parallel time beat its ideal: the note that says why.
///
/// The CPU ideal is the best sequential time ÷ workers, measured in the same
/// run; a parallel time below it means the sequential pass was slowed (the
/// machine was busy then), not that the cores were beaten.
pub fn below_ideal(r: &Result) -> Option<String> {
    let e = &r.entry;
    let ideal = value(&r.rust, "ideal_ms")?;
    let took = value(&r.rust, e.metric)?;
    (e.kind == Kind::Cpu && ideal > 0.0 && took < ideal).then(|| {
        format!(
            "{}: {:+.1}% vs ideal: faster than the best sequential time ÷ workers, so the \
             sequential pass was slowed by noise; read the speedup with that in mind",
            e.label,
            (took / ideal - 1.0) * 100.0
        )
    })
}

/// The rows of the table, one per result.
pub fn rows(results: &[Result]) -> Vec<Row> {
    results
        .iter()
        .map(|r| {
            let e = &r.entry;
            let ideal = value(&r.rust, "ideal_ms")
                .or(e.expected_ideal_ms)
                .filter(|_| e.kind != Kind::Timed);
            let took = value(&r.rust, e.metric);
            let over = ideal
                .zip(took)
                .filter(|(ideal, _)| *ideal > 0.0)
                .map_or("—".into(), |(ideal, took)| {
                    format!("{:+.1}%", (took / ideal - 1.0) * 100.0)
                });
            let ratio = ratio(results, r).map_or(String::new(), |ratio| ratio.text());
            let python = if e.python.is_none() {
                "—".into()
            } else {
                cell(&r.python, e.metric, e.kind)
            };
            Row {
                demo: e.label.to_string(),
                what: e.what.to_string(),
                ideal: ideal.map_or("—".into(), ms),
                article: e
                    .article_ms
                    .map_or("—".into(), |a| format!("{:.0} s", a / 1e3)),
                rust: cell(&r.rust, e.metric, e.kind),
                python,
                over_ideal: over,
                ratio,
            }
        })
        .collect()
}

/// How wide the text output may be: a terminal a class can read on a projector.
pub const WIDTH: usize = 120;

/// The table as aligned plain text, at most [`WIDTH`] columns wide.
///
/// To fit, it leaves out "what it does" (the Markdown, JSON and HTML keep
/// it), puts two headers on two lines, and breaks a ratio cell that is still
/// too long after its label (`speedup = sequential ÷ parallel time:`), so the
/// figures go on a second line of the same row. With `quick`, the article's
/// header says its figures are for its 2 s delays, not this run's.
pub fn text(rows: &[Row], quick: bool) -> String {
    let article = if quick {
        "article\n(2 s run)"
    } else {
        "article"
    };
    let header = [
        "demo",
        "ideal",
        article,
        "Rust",
        "Python",
        "Rust vs\nideal",
        "ratio that teaches",
    ];
    let mut table: Vec<Vec<String>> = vec![header.map(String::from).to_vec()];
    table.extend(rows.iter().map(|r| {
        [
            &r.demo,
            &r.ideal,
            &r.article,
            &r.rust,
            &r.python,
            &r.over_ideal,
            &r.ratio,
        ]
        .map(String::clone)
        .to_vec()
    }));
    let columns = header.len();
    let width = |cells: &[Vec<String>], i: usize| {
        cells
            .iter()
            .flat_map(|row| row[i].lines().map(|l| l.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let last = columns - 1;
    let fixed: usize = (0..last).map(|i| width(&table, i) + 2).sum();
    let room = WIDTH.saturating_sub(fixed);
    for row in &mut table[1..] {
        let cell = &mut row[last];
        if cell.chars().count() > room
            && let Some((label, figures)) = cell.split_once(": ")
        {
            *cell = format!("{label}:\n{figures}");
        }
    }
    let widths: Vec<usize> = (0..columns).map(|i| width(&table, i)).collect();
    let mut out: Vec<String> = Vec::new();
    for (n, row) in table.iter().enumerate() {
        let height = row.iter().map(|c| c.lines().count()).max().unwrap_or(1);
        for k in 0..height {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| {
                    let part = c.lines().nth(k).unwrap_or("");
                    format!("{part}{}", " ".repeat(w - part.chars().count()))
                })
                .collect();
            out.push(line.join("  ").trim_end().to_string());
        }
        if n == 0 {
            let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push(dashes.join("  "));
        }
    }
    out.join("\n")
}

/// `text` broken into lines of at most `width` characters at spaces; lines
/// after the first start with `indent`, the first keeps the text's own
/// leading spaces. A word longer than a line stays whole.
pub fn wrap_indented(text: &str, width: usize, indent: &str) -> String {
    let lead = text.len() - text.trim_start().len();
    let mut lines = Vec::new();
    let mut line = text[..lead].to_string();
    let mut fresh = true; // nothing but the indent on this line yet
    for word in text.split_whitespace() {
        if !fresh && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, indent.to_string()));
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    lines.push(line);
    lines.join("\n")
}

/// `text` broken into lines of at most `width` characters at spaces.
pub fn wrap(text: &str, width: usize) -> String {
    wrap_indented(text, width, "")
}

/// The table in GitHub Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let line = |cells: [&str; 8]| {
        format!(
            "| {} |",
            cells
                .map(|c| c.replace('|', "\\|").replace('\n', ", "))
                .join(" | ")
        )
    };
    let mut out = vec![line(HEADERS), format!("|{}", "---|".repeat(HEADERS.len()))];
    out.extend(rows.iter().map(|r| line(r.cells())));
    out.join("\n")
}

fn summary_json(outcome: &Outcome) -> Value {
    let measured: Option<&Measured> = match outcome {
        Outcome::Done(m) | Outcome::Failed(_, Some(m)) => Some(m),
        _ => None,
    };
    json!({
        "status": outcome.status(),
        "reason": outcome.reason(),
        "wall_ms": measured.map(|m| (m.wall_ms * 100.0).round() / 100.0),
        "summary": measured.map(|m| m.json.clone()),
    })
}

/// Every row with its raw summaries, for tooling.
pub fn rows_json(results: &[Result]) -> Vec<Value> {
    results
        .iter()
        .map(|r| {
            let e = &r.entry;
            let ratio = ratio(results, r);
            let ideal = value(&r.rust, "ideal_ms").filter(|_| e.kind != Kind::Timed);
            let took = value(&r.rust, e.metric);
            json!({
                "id": e.id,
                "demo": e.label,
                "what": e.what,
                "kind": e.kind.name(),
                "metric": e.metric,
                "ideal_ms": ideal,
                "article_ms": e.article_ms,
                "rust_ms": took,
                "python_ms": value(&r.python, e.metric),
                "rust_over_ideal": ideal.zip(took).filter(|(i, _)| *i > 0.0).map(|(i, t)| t / i - 1.0),
                "ratio": ratio.map(|q| json!({
                    "label": q.label, "rust_name": q.rust_name, "rust": q.rust,
                    "python_name": q.python_name, "python": q.python,
                })),
                "rust": summary_json(&r.rust),
                "python": summary_json(&r.python),
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::{Settings, entries};

    /// Every entry of `--quick` with its recorded fixture as both outcomes.
    pub fn recorded() -> Vec<Result> {
        let fixture = |id: &str| match id {
            "threads" => include_str!("../tests/fixtures/threads-demo.json"),
            "processes" => include_str!("../tests/fixtures/process-demo.json"),
            "sync" => include_str!("../tests/fixtures/sync-fetch.json"),
            "async" => include_str!("../tests/fixtures/async-fetch.json"),
            "sync-http" => include_str!("../tests/fixtures/sync-fetch-http.json"),
            "async-http" => include_str!("../tests/fixtures/async-fetch-http.json"),
            "threads-http" => include_str!("../tests/fixtures/sync-fetch-threads-http.json"),
            "cpu-threads" | "cpu-rayon" => include_str!("../tests/fixtures/threads-demo-cpu.json"),
            "cpu-processes" => include_str!("../tests/fixtures/process-demo-cpu.json"),
            _ => include_str!("../tests/fixtures/macros-demo.json"),
        };
        let python_cpu = include_str!("../tests/fixtures/python-threads-cpu.json");
        entries(&Settings::new(true, 2))
            .into_iter()
            .map(|entry| {
                let text = fixture(entry.id);
                let rust = Outcome::Done(Measured::parse(text, 1.0).unwrap());
                let py_text = if entry.id == "cpu-threads" {
                    python_cpu
                } else {
                    text
                };
                let python = if entry.python.is_some() {
                    Outcome::Done(Measured::parse(py_text, 1.0).unwrap())
                } else {
                    Outcome::Skipped("no Python equivalent".into())
                };
                Result {
                    entry,
                    rust,
                    python,
                }
            })
            .collect()
    }

    #[test]
    fn ms_switches_to_seconds_at_one_second() {
        assert_eq!(ms(200.43), "200.4 ms");
        assert_eq!(ms(2003.0), "2.00 s");
    }

    #[test]
    fn sizes_read_as_powers_of_ten() {
        assert_eq!(size(1e9), "10⁹");
        assert_eq!(size(3e8), "3×10⁸");
        assert_eq!(size(10_000_000.0), "10⁷");
        assert_eq!(size(1234.0), "1234");
        assert_eq!(size(42.0), "42");
    }

    #[test]
    fn cpu_cells_name_each_language_its_own_size() {
        let rows = rows(&recorded());
        let cpu = rows.iter().find(|r| r.demo == "threads-demo cpu").unwrap();
        assert!(cpu.rust.ends_with("\nn = 3×10⁸"), "{}", cpu.rust);
        assert!(cpu.python.ends_with("\nn = 4×10⁶"), "{}", cpu.python);
        assert!(!rows[0].rust.contains("n ="), "a waiting row has no size");
    }

    #[test]
    fn rows_read_the_right_fields() {
        let rows = rows(&recorded());
        let threads = &rows[0];
        assert_eq!(threads.demo, "threads-demo");
        assert_eq!(
            (threads.ideal.as_str(), threads.rust.as_str()),
            ("200.0 ms", "200.4 ms")
        );
        assert_eq!(threads.article, "2 s");
        assert_eq!(threads.over_ideal, "+0.2%");
        let sync = rows.iter().find(|r| r.demo == "sync-fetch").unwrap();
        assert_eq!(
            (sync.ideal.as_str(), sync.article.as_str()),
            ("600.0 ms", "6 s")
        );
        let rayon = rows.iter().find(|r| r.demo.contains("rayon")).unwrap();
        assert_eq!(rayon.python, "—", "Python has no rayon");
        assert!(
            rayon
                .ratio
                .starts_with("speedup = sequential ÷ parallel time: Rust rayon ")
                && rayon.ratio.contains(" · Py processes "),
            "{}",
            rayon.ratio
        );
        let timed = rows.iter().find(|r| r.demo == "macros-demo").unwrap();
        assert!(
            timed.ratio.starts_with("Py time ÷ Rust time: ") && timed.ratio.ends_with('x'),
            "{}",
            timed.ratio
        );
        assert_eq!(
            (timed.ideal.as_str(), timed.over_ideal.as_str()),
            ("—", "—")
        );
    }

    #[test]
    fn the_fetch_ratio_divides_sequential_by_concurrent() {
        let results = recorded();
        let sync = value(&results[2].rust, "elapsed_ms").unwrap();
        let concurrent = value(&results[3].rust, "elapsed_ms").unwrap();
        let ratio = ratio(&results, &results[3]).unwrap();
        assert_eq!(ratio.label, "sync ÷ async time");
        let rust = ratio.rust.unwrap();
        assert!((rust - sync / concurrent).abs() < 1e-9);
        assert!(rust > 1.5, "the recorded sequential run is the slower one");
    }

    #[test]
    fn a_cpu_row_below_its_ideal_gets_a_note_and_others_do_not() {
        let mut results = recorded();
        let i = results
            .iter()
            .position(|r| r.entry.id == "cpu-processes")
            .unwrap();
        assert_eq!(
            below_ideal(&results[i]),
            None,
            "the fixture is above its ideal"
        );
        let ideal = value(&results[i].rust, "ideal_ms").unwrap();
        let Outcome::Done(m) = &mut results[i].rust else {
            panic!("the fixture ran")
        };
        m.json["processes_ms"] = (ideal * 0.9).into();
        let note = below_ideal(&results[i]).unwrap();
        assert!(
            note.starts_with("process-demo cpu: -10.0% vs ideal"),
            "{note}"
        );
        assert!(
            results
                .iter()
                .filter(|r| r.entry.kind != Kind::Cpu)
                .all(|r| below_ideal(r).is_none())
        );
    }

    #[test]
    fn missing_and_skipped_cells_say_so() {
        let mut results = recorded();
        results[1].rust = Outcome::Missing("no binary".into());
        results[0].python = Outcome::Skipped("no python3".into());
        results[3].rust = Outcome::Failed("exit code 1".into(), None);
        let rows = rows(&results);
        assert_eq!(
            (rows[1].rust.as_str(), rows[1].ideal.as_str()),
            ("missing", "200.0 ms")
        );
        assert_eq!(rows[1].over_ideal, "—");
        assert_eq!(rows[0].python, "n/a");
        assert_eq!(rows[3].rust, "failed");
        assert!(
            rows[3].ratio.contains(": Rust — · Py "),
            "{}",
            rows[3].ratio
        );
    }

    #[test]
    fn text_fits_the_width_and_markdown_has_a_line_per_row() {
        let rows = rows(&recorded());
        for quick in [true, false] {
            let text = text(&rows, quick);
            let lines: Vec<&str> = text.lines().collect();
            let widest = lines.iter().map(|l| l.chars().count()).max().unwrap();
            assert!(widest <= WIDTH, "{widest} columns:\n{text}");
            assert!(lines[0].starts_with("demo") && lines[0].contains("Rust vs"));
            assert_eq!(
                text.contains("(2 s run)"),
                quick,
                "quick says the article's figures are for 2 s:\n{text}"
            );
            // every row starts a line with its demo, in order; a long ratio continues below
            let starts: Vec<&str> = lines
                .iter()
                .filter_map(|l| {
                    rows.iter()
                        .find(|r| l.starts_with(&format!("{}  ", r.demo)))
                })
                .map(|r| r.demo.as_str())
                .collect();
            let demos: Vec<&str> = rows.iter().map(|r| r.demo.as_str()).collect();
            assert_eq!(starts, demos, "{text}");
            let column = |line: &str| line.chars().position(|c| c == '+').unwrap_or(0);
            let threads = lines
                .iter()
                .position(|l| l.starts_with("threads-demo "))
                .unwrap();
            assert_eq!(column(lines[threads]), column(lines[threads + 1]), "{text}");
            assert!(text.contains("sync ÷ async time: Rust "), "{text}");
            assert!(
                text.contains("speedup = sequential ÷ parallel time:\n")
                    || text.contains("speedup = sequential ÷ parallel time: "),
                "{text}"
            );
            assert!(
                !text.contains("what it does"),
                "left to Markdown, JSON and the report"
            );
        }
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let text = "aaa bbb ccc ddd";
        assert_eq!(wrap(text, 7), "aaa bbb\nccc ddd");
        assert_eq!(
            wrap_indented("  - aaa bbb ccc", 9, "    "),
            "  - aaa\n    bbb\n    ccc"
        );
        assert_eq!(wrap("a-very-long-word b", 4), "a-very-long-word\nb");
    }

    #[test]
    fn markdown_has_a_line_per_row() {
        let rows = rows(&recorded());
        let md = markdown(&rows);
        assert_eq!(md.lines().count(), rows.len() + 2);
        assert!(
            md.lines().all(|l| l.starts_with('|') && l.ends_with('|')),
            "{md}"
        );
        assert_eq!(md.lines().nth(2).unwrap().matches(" | ").count(), 7);
    }

    #[test]
    fn json_rows_carry_the_summaries() {
        let results = recorded();
        let rows = rows_json(&results);
        assert_eq!(rows.len(), results.len());
        assert_eq!(rows[0]["rust"]["summary"]["demo"], "threads-demo");
        assert_eq!(rows[0]["rust"]["status"], "ok");
        assert_eq!(rows[3]["ratio"]["label"], "sync ÷ async time");
        assert!(rows[0]["rust_over_ideal"].as_f64().unwrap() < 0.01);
    }
}
