//! The comparison table: one row per entry, rendered as text, Markdown or JSON.
//!
//! A table is a list of rows of cells, its header first: the text, Markdown
//! and HTML renderers of both modes (the comparison and `--scale`) read that.

use crate::plan::{Entry, Kind};
use crate::runner::Outcome;
use crate::verdict::cpu_speedup;
use comfy_table::{CellAlignment, TableComponent};
use serde_json::{Value, json};

/// One entry with both of its outcomes.
#[derive(Clone, Debug)]
pub struct Run {
    /// What ran.
    pub entry: Entry,
    /// The Rust demo's outcome.
    pub rust: Outcome,
    /// The Python equivalent's outcome.
    pub python: Outcome,
}

/// The headers of the comparison table, in order.
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
        _ => not_done(outcome),
    }
}

/// The cell of a run that did not succeed: `missing`, `failed` or `n/a`.
pub fn not_done(outcome: &Outcome) -> String {
    outcome.status().replace("skipped", "n/a")
}

/// The value `metric` of an entry's outcome, if it succeeded.
pub fn value(outcome: &Outcome, metric: &str) -> Option<f64> {
    outcome.done().and_then(|m| m.num(metric))
}

/// What the CPU rows divide: each language's own speedup.
pub const SPEEDUP: &str = "speedup = sequential ÷ parallel time";

/// The teaching ratio of one row: what is divided by what, and the figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// What is divided by what: `sync ÷ async time`.
    pub label: &'static str,
    /// Whose each figure is (`Rust rayon`, `Py processes`; empty for a
    /// single figure), and the figure: Rust's first, then Python's if any.
    pub figures: Vec<(&'static str, Option<f64>)>,
}

impl Ratio {
    /// The cell: `speedup = sequential ÷ parallel time: Rust rayon 2.05x · Py processes 1.73x`.
    pub fn text(&self) -> String {
        let figures: Vec<String> = (self.figures.iter())
            .map(|(name, x)| {
                let x = x.map_or("—".into(), |x| format!("{x:.2}x"));
                format!("{name} {x}").trim_start().to_string()
            })
            .collect();
        format!("{}: {}", self.label, figures.join(" · "))
    }
}

/// The teaching ratio of one row, if it has one.
pub fn ratio(runs: &[Run], r: &Run) -> Option<Ratio> {
    let find = |id: &str| runs.iter().find(|r| r.entry.id == id);
    let pair = |label, rust_name, rust, python_name, python| Ratio {
        label,
        figures: vec![(rust_name, rust), (python_name, python)],
    };
    // Each language's sequential elapsed time ÷ its own concurrent one.
    let fetch = |label, sequential, concurrent| {
        let divide = |side: fn(&Run) -> &Outcome| {
            let a = value(side(find(sequential)?), "elapsed_ms")?;
            let b = value(side(find(concurrent)?), "elapsed_ms")?;
            (b > 0.0).then(|| a / b)
        };
        let (rust, python) = (divide(|r| &r.rust), divide(|r| &r.python));
        pair(label, "Rust", rust, "Py", python)
    };
    let cpu = |rust_name, python_name, python_id| {
        let rust = r.rust.done().and_then(|m| cpu_speedup(&r.entry, m));
        let other = find(python_id);
        let python = other.and_then(|o| cpu_speedup(&o.entry, o.python.done()?));
        pair(SPEEDUP, rust_name, rust, python_name, python)
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
            let rust = value(&r.rust, "function_ms").filter(|&rust| rust > 0.0);
            let slower = rust.zip(value(&r.python, "function_ms"));
            Some(Ratio {
                label: "Py time ÷ Rust time",
                figures: vec![("", slower.map(|(rust, py)| py / rust))],
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
pub fn below_ideal(r: &Run) -> Option<String> {
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

/// The table: [`HEADERS`], then a row per run.
pub fn rows(runs: &[Run]) -> Vec<Vec<String>> {
    let mut table = vec![HEADERS.map(String::from).to_vec()];
    table.extend(runs.iter().map(|r| {
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
        let python =
            (e.python.as_ref()).map_or("—".into(), |_| cell(&r.python, e.metric, e.kind));
        vec![
            e.label.to_string(),
            e.what.to_string(),
            ideal.map_or("—".into(), ms),
            e.article_ms
                .map_or("—".into(), |a| format!("{:.0} s", a / 1e3)),
            cell(&r.rust, e.metric, e.kind),
            python,
            over,
            ratio(runs, r).map_or(String::new(), |ratio| ratio.text()),
        ]
    }));
    table
}

/// How wide the text output may be: a terminal a class can read on a projector.
pub const WIDTH: usize = 120;

/// The comparison table as aligned plain text, at most [`WIDTH`] columns wide.
///
/// To fit, it leaves out "what it does" (the Markdown, JSON and HTML keep
/// it), puts two headers on two lines, and breaks a ratio cell that is still
/// too long after its label (`speedup = sequential ÷ parallel time:`), so the
/// figures go on a second line of the same row. With `quick`, the article's
/// header says its figures are for its 2 s delays, not this run's.
pub fn text(table: &[Vec<String>], quick: bool) -> String {
    let mut lines: Vec<Vec<String>> = table.to_vec();
    for row in &mut lines {
        row.remove(1);
    }
    for header in &mut lines[0] {
        match header.as_str() {
            "article" if quick => *header = "article\n(2 s run)".into(),
            "Rust vs ideal" => *header = "Rust vs\nideal".into(),
            _ => {}
        }
    }
    // What the other columns leave (each takes its widest line and 2 spaces).
    let width = |i: usize| {
        let lines = lines.iter().flat_map(|row| row[i].lines());
        lines.map(|l| l.chars().count()).max().unwrap_or(0)
    };
    let last = lines[0].len() - 1;
    let room = WIDTH.saturating_sub((0..last).map(|i| width(i) + 2).sum());
    for row in &mut lines[1..] {
        if let Some(cell) = row.last_mut().filter(|c| c.chars().count() > room)
            && let Some((label, figures)) = cell.split_once(": ")
        {
            *cell = format!("{label}:\n{figures}");
        }
    }
    aligned(&lines, |_| false)
}

/// A table as plain text: the header underlined with dashes, the columns
/// apart, those for which `right(column)` holds aligned right; a cell may
/// hold several lines.
pub fn aligned(table: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let mut text = comfy_table::Table::new();
    text.load_preset(comfy_table::presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '-')
        .set_style(TableComponent::MiddleHeaderIntersections, ' ')
        .set_style(TableComponent::VerticalLines, ' ')
        .set_header(&table[0])
        .add_rows(&table[1..]);
    let last = table[0].len() - 1;
    for (i, column) in text.column_iter_mut().enumerate() {
        // A space after each column but the last, then the line between them.
        column.set_padding((0, u16::from(i < last)));
        if right(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    text.trim_fmt()
}

/// `text` broken into lines of at most `width` characters at spaces; lines
/// after the first start with `indent`, the first keeps the text's own
/// leading spaces. A word longer than a line stays whole.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = text[..text.len() - text.trim_start().len()].to_string();
    let mut line = out.chars().count();
    for (i, word) in text.split_whitespace().enumerate() {
        let length = word.chars().count();
        if i > 0 && line + 1 + length > width {
            out = format!("{out}\n{indent}");
            line = indent.chars().count();
        } else if i > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += length;
    }
    out
}

/// A table in GitHub Markdown: a line per row, the lines of a cell joined by commas.
pub fn markdown(table: &[Vec<String>]) -> String {
    let line = |cells: &Vec<String>| {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| c.replace('|', "\\|").replace('\n', ", "))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut out: Vec<String> = table.iter().map(line).collect();
    out.insert(1, format!("|{}", "---|".repeat(table[0].len())));
    out.join("\n")
}

/// A run's status, why, its wall time and its raw summary, for tooling.
fn summary_json(outcome: &Outcome) -> Value {
    let measured = match outcome {
        Outcome::Done(m) | Outcome::Failed(_, Some(m)) => Some(m),
        _ => None,
    };
    json!({
        "status": outcome.status(),
        "reason": outcome.reason(),
        "wall_ms": measured.map(|m| demo_kit::work::round2(m.wall_ms)),
        "summary": measured.map(|m| m.json.clone()),
    })
}

/// Every row with its raw summaries, for tooling.
pub fn rows_json(runs: &[Run]) -> Vec<Value> {
    runs.iter()
        .map(|r| {
            let e = &r.entry;
            let ratio = ratio(runs, r);
            let ideal = value(&r.rust, "ideal_ms").filter(|_| e.kind != Kind::Timed);
            let took = value(&r.rust, e.metric);
            json!({
                "id": e.id,
                "demo": e.label,
                "what": e.what,
                "kind": format!("{:?}", e.kind).to_lowercase(),
                "metric": e.metric,
                "ideal_ms": ideal,
                "article_ms": e.article_ms,
                "rust_ms": took,
                "python_ms": value(&r.python, e.metric),
                "rust_over_ideal": ideal.zip(took).filter(|(i, _)| *i > 0.0).map(|(i, t)| t / i - 1.0),
                "ratio": ratio.map(|q| json!({
                    "label": q.label, "rust_name": q.figures[0].0, "rust": q.figures[0].1,
                    "python_name": q.figures.get(1).map(|f| f.0),
                    "python": q.figures.get(1).and_then(|f| f.1),
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
    use crate::runner::Measured;

    /// Every entry of `--quick` with its recorded fixture as both outcomes:
    /// `tests/fixtures/<label's words joined by dashes>.json`; the rayon row
    /// reads the threads-demo cpu one, and Python's threads another.
    pub fn recorded() -> Vec<Run> {
        let fixture = |name: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            Outcome::Done(Measured::parse(&text).unwrap())
        };
        entries(&Settings::new(true, 2))
            .into_iter()
            .map(|entry| {
                let name = entry.label.trim_end_matches(" (rayon)").replace(' ', "-");
                let python = match entry.id {
                    "cpu-threads" => fixture("python-threads-cpu"),
                    _ if entry.python.is_some() => fixture(&name),
                    _ => Outcome::Skipped("no Python equivalent".into()),
                };
                Run {
                    rust: fixture(&name),
                    python,
                    entry,
                }
            })
            .collect()
    }

    /// The row of the table whose demo is `demo`.
    fn row<'a>(table: &'a [Vec<String>], demo: &str) -> &'a [String] {
        table.iter().find(|r| r[0] == demo).unwrap()
    }

    #[test]
    fn times_and_sizes_read_as_a_student_reads_them() {
        assert_eq!(ms(200.43), "200.4 ms");
        assert_eq!(ms(2003.0), "2.00 s");
        assert_eq!(size(1e9), "10⁹");
        assert_eq!(size(3e8), "3×10⁸");
        assert_eq!(size(1234.0), "1234");
        assert_eq!(size(42.0), "42");
    }

    #[test]
    fn rows_read_the_right_fields() {
        let table = rows(&recorded());
        assert_eq!(table[0], HEADERS);
        let threads = row(&table, "threads-demo");
        assert_eq!(
            threads[2..7],
            ["200.0 ms", "2 s", "200.4 ms", "200.4 ms", "+0.2%"]
        );
        assert_eq!(row(&table, "sync-fetch")[2..4], ["600.0 ms", "6 s"]);
        let fetch = row(&table, "async-fetch");
        assert_eq!(fetch[7], "sync ÷ async time: Rust 2.97x · Py 2.97x");
        // each language's CPU cell names its own size
        let cpu = row(&table, "threads-demo cpu");
        assert!(cpu[4].ends_with("\nn = 3×10⁸"), "{}", cpu[4]);
        assert!(cpu[5].ends_with("\nn = 4×10⁶"), "{}", cpu[5]);
        let rayon = row(&table, "threads-demo cpu (rayon)");
        assert_eq!(rayon[5], "—", "Python has no rayon");
        assert!(
            rayon[7].starts_with(&format!("{SPEEDUP}: Rust rayon "))
                && rayon[7].contains(" · Py processes "),
            "{}",
            rayon[7]
        );
        let timed = row(&table, "macros-demo");
        assert_eq!(timed[7], "Py time ÷ Rust time: 1.00x");
        assert_eq!((timed[2].as_str(), timed[6].as_str()), ("—", "—"));
    }

    #[test]
    fn a_cpu_row_below_its_ideal_gets_a_note_and_others_do_not() {
        let mut runs = recorded();
        let i = runs
            .iter()
            .position(|r| r.entry.id == "cpu-processes")
            .unwrap();
        assert_eq!(
            below_ideal(&runs[i]),
            None,
            "the fixture is above its ideal"
        );
        let ideal = value(&runs[i].rust, "ideal_ms").unwrap();
        let Outcome::Done(m) = &mut runs[i].rust else {
            panic!("the fixture ran")
        };
        m.json["processes_ms"] = (ideal * 0.9).into();
        let note = below_ideal(&runs[i]).unwrap();
        assert!(
            note.starts_with("process-demo cpu: -10.0% vs ideal"),
            "{note}"
        );
        let others = runs.iter().filter(|r| r.entry.kind != Kind::Cpu);
        assert!(others.map(below_ideal).all(|note| note.is_none()));
    }

    #[test]
    fn missing_and_skipped_cells_say_so() {
        let mut runs = recorded();
        runs[1].rust = Outcome::Missing("no binary".into());
        runs[0].python = Outcome::Skipped("no python3".into());
        runs[3].rust = Outcome::Failed("exit code 1".into(), None);
        let table = rows(&runs);
        assert_eq!(
            table[2][2..7],
            ["200.0 ms", "2 s", "missing", "209.9 ms", "—"]
        );
        assert_eq!(table[1][5], "n/a");
        assert_eq!(table[4][4], "failed");
        assert!(table[4][7].contains(": Rust — · Py "), "{}", table[4][7]);
        let json = rows_json(&runs);
        assert_eq!(json[1]["rust"]["status"], "missing");
        assert_eq!(json[3]["ratio"]["rust"], Value::Null);
    }

    #[test]
    fn text_fits_the_width_and_keeps_a_row_per_demo() {
        let table = rows(&recorded());
        for quick in [true, false] {
            let text = text(&table, quick);
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
            let demos: Vec<&str> = table[1..].iter().map(|r| r[0].as_str()).collect();
            let starts: Vec<&str> = lines
                .iter()
                .filter_map(|l| demos.iter().find(|d| l.starts_with(&format!("{d}  "))))
                .copied()
                .collect();
            assert_eq!(starts, demos, "{text}");
            let label = format!("{SPEEDUP}:");
            assert!(lines.iter().any(|l| l.ends_with(&label)), "{text}");
            assert!(
                !text.contains("what it does"),
                "left to Markdown, JSON and the report"
            );
        }
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        assert_eq!(wrap("aaa bbb ccc ddd", 7, ""), "aaa bbb\nccc ddd");
        let item = wrap("  - aaa bbb ccc", 9, "    ");
        assert_eq!(item, "  - aaa\n    bbb\n    ccc");
        assert_eq!(wrap("a-very-long-word b", 4, ""), "a-very-long-word\nb");
    }
}
