//! `scripts/compare`: runs every demo's faithful default and key variants,
//! and their Python equivalents, then prints one table against the ideal, the
//! article's figures and Python, with a verdict.
//!
//! ```text
//! scripts/compare --quick            # short delays, small sizes: < 30 s after the build
//! scripts/compare                    # the article's 2 s delays
//! scripts/compare --markdown         # for slides and the README
//! scripts/compare --json             # for tooling
//! scripts/compare --timeline         # the sequential and concurrent fetch spans on one axis
//! scripts/compare --scale            # 1 to 100,000 tasks: time and memory per task
//! scripts/compare --report DIR       # also DIR/index.html: charts, the table, the verdict
//! ```
//!
//! The wrapper builds the workspace in release first, so that compile time
//! never enters a figure, then runs this binary; the demos are found next to
//! it (target/release) unless `--bin-dir` says otherwise. Exit code 0 when the
//! verdict passes, 1 when it fails (naming the demos), 2 for bad flags.

mod charts;
mod machine;
mod plan;
mod report;
mod runner;
mod scale;
mod signals;
mod table;
mod verdict;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use demo_kit::cli::Stop;
use runner::{Outcome, Runner};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use table::Result as Run;
use verdict::TOLERANCE;

fn command() -> Command {
    let flag = |id: &'static str, help: &'static str| {
        Arg::new(id).long(id).help(help).action(ArgAction::SetTrue)
    };
    Command::new("compare")
        .about("Runs every demo and its Python equivalent, and compares the timings")
        .arg(flag(
            "quick",
            "Short delays (200 ms) and small CPU sizes: ends in < 30 s",
        ))
        .arg(flag(
            "scale",
            "Sweep 1..100,000 tasks: threads, async tasks, processes, and fetches over HTTP",
        ))
        .arg(flag("markdown", "Print the table as Markdown").conflicts_with("json"))
        .arg(flag(
            "json",
            "Print one JSON object (progress stays on stderr)",
        ))
        .arg(flag(
            "timeline",
            "Draw the sequential and concurrent fetch spans on one axis",
        ))
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("DIR")
                .value_parser(report::writable_dir)
                .help("Also write DIR/index.html: SVG charts, the table and the verdict"),
        )
        .arg(flag("no-python", "Skip the Python column"))
        .arg(
            Arg::new("python")
                .long("python")
                .value_name("CMD")
                .default_value("python3")
                .value_parser(value_parser!(PathBuf))
                .help("The Python interpreter"),
        )
        .arg(
            Arg::new("bin-dir")
                .long("bin-dir")
                .value_name("DIR")
                .value_parser(existing_dir)
                .help("Where the demo binaries are [default: next to this binary]"),
        )
        .arg(
            Arg::new("python-dir")
                .long("python-dir")
                .value_name("DIR")
                .value_parser(value_parser!(PathBuf))
                .help("Where the Python scripts are [default: scripts/python]"),
        )
        .arg(
            Arg::new("timeout-s")
                .long("timeout-s")
                .value_name("SECS")
                .default_value("120")
                .value_parser(value_parser!(u64).range(1..=3600))
                .help("Kill and report as failed any run longer than this"),
        )
        .arg(
            // For the wrapper: check the arguments before the long workspace
            // build, so a bad flag is reported in seconds, not minutes.
            Arg::new("check-args")
                .long("check-args")
                .hide(true)
                .action(ArgAction::SetTrue),
        )
}

/// `--check-args` exit code: the arguments asked for the help, which has been
/// printed; the wrapper stops there with 0 (exit 0 means "valid, go on").
const ANSWERED: u8 = 3;

/// `--bin-dir`'s parser: the directory must exist, so a typo is one usage
/// error up front rather than every row missing.
fn existing_dir(value: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(value);
    if path.is_dir() {
        Ok(path)
    } else {
        Err("no such directory".into())
    }
}

/// The interpreter's version, or why there is no Python column.
fn python(matches: &ArgMatches) -> Result<(PathBuf, String), String> {
    if matches.get_flag("no-python") {
        return Err("--no-python".into());
    }
    let cmd = matches
        .get_one::<PathBuf>("python")
        .cloned()
        .unwrap_or_else(|| "python3".into());
    runner::find_python(&cmd)
}

fn runner(matches: &ArgMatches, python: &Result<(PathBuf, String), String>) -> Runner {
    let bin_dir = matches
        .get_one::<PathBuf>("bin-dir")
        .cloned()
        .unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(PathBuf::from))
                .unwrap_or_default()
        });
    let python_dir = matches
        .get_one::<PathBuf>("python-dir")
        .cloned()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../python"));
    Runner {
        bin_dir,
        python: python
            .as_ref()
            .map(|(p, _)| p.clone())
            .map_err(Clone::clone),
        python_dir,
        timeout: Duration::from_secs(matches.get_one::<u64>("timeout-s").copied().unwrap_or(120)),
        sample_memory: matches.get_flag("scale"),
    }
}

/// Runs every entry in order. A Rust run that fails the verdict on timing
/// alone (for itself or a row that reads the same run) is run once more, since
/// the machine is noisy; when the retry passes it is kept, and a note says so.
fn run_all(runner: &Runner, entries: &[plan::Entry], notes: &mut Vec<String>) -> Vec<Run> {
    let cores = machine::cores();
    let outside = |entry: &plan::Entry, outcome: &Outcome| {
        matches!(outcome, Outcome::Done(_))
            && entries
                .iter()
                .filter(|e| e.id == entry.id || e.reuse == Some(entry.id))
                .any(|e| {
                    verdict::judge(e, outcome, cores, &TOLERANCE).is_some()
                        || verdict::cpu_warning(e, outcome, cores, &TOLERANCE).is_some()
                })
    };
    let mut runs: Vec<Run> = Vec::with_capacity(entries.len());
    // Number only the runs made: a row that reads an earlier run has none.
    let total = entries.iter().filter(|e| e.reuse.is_none()).count();
    let mut made = 0;
    for entry in entries {
        let rust = match entry
            .reuse
            .and_then(|id| runs.iter().find(|r| r.entry.id == id))
        {
            Some(earlier) => earlier.rust.clone(),
            None => {
                made += 1;
                eprintln!("[{made}/{total}] {} {}", entry.bin, entry.args.join(" "));
                let first = runner.rust(entry.bin, &entry.args, entry.variant);
                if outside(entry, &first) {
                    eprintln!("      outside the tolerance; running it once more");
                    let again = runner.rust(entry.bin, &entry.args, entry.variant);
                    if outside(entry, &again) {
                        first
                    } else {
                        notes.push(format!(
                            "{}: the first run was outside the tolerance; the retry is shown",
                            entry.label
                        ));
                        again
                    }
                } else {
                    first
                }
            }
        };
        let python = match &entry.python {
            Some((script, args)) => {
                eprintln!("      python3 {script} {}", args.join(" "));
                runner.python(script, args, entry.variant)
            }
            None => Outcome::Skipped("no Python equivalent".into()),
        };
        runs.push(Run {
            entry: entry.clone(),
            rust,
            python,
        });
    }
    runs
}

/// The timeline: sequential and concurrent fetch spans, one above the other, on one axis.
fn timeline(runs: &[Run]) -> String {
    let mut charts: Vec<(String, Vec<demo_kit::Span>)> = Vec::new();
    for rust in [true, false] {
        for id in ["sync", "async"] {
            let Some(run) = runs.iter().find(|r| r.entry.id == id) else {
                continue;
            };
            let (who, outcome) = if rust {
                ("Rust", &run.rust)
            } else {
                ("Python", &run.python)
            };
            match outcome.done() {
                Some(m) => charts.push((format!("{who} {}", run.entry.label), m.spans())),
                None if rust => {
                    let title = format!("{who} {}: {}", run.entry.label, outcome.status());
                    charts.push((title, vec![]));
                }
                None => {}
            }
        }
    }
    let axis = charts
        .iter()
        .flat_map(|(_, spans)| spans.iter().map(|s| s.end_ms))
        .fold(0.0, f64::max);
    let mut out = String::from("Timeline: each task's span, every chart on the same axis\n");
    for (title, spans) in charts {
        out.push_str(&format!("\n{title}\n"));
        if !spans.is_empty() {
            out.push_str(&demo_kit::timeline::render(&spans, axis, 50));
            out.push('\n');
        }
    }
    out
}

/// Where and when the figures were measured.
struct Machine {
    cores: usize,
    cpu: String,
    date: String,
    python: String,
}

impl Machine {
    /// `fields` (a JSON object) with the machine's `cores`, `cpu`, `date` and `python` added.
    fn with_json(&self, mut fields: serde_json::Value) -> serde_json::Value {
        if let Some(object) = fields.as_object_mut() {
            object.insert("cores".into(), self.cores.into());
            object.insert("cpu".into(), self.cpu.clone().into());
            object.insert("date".into(), self.date.clone().into());
            object.insert("python".into(), self.python.clone().into());
        }
        fields
    }

    fn line(&self) -> String {
        let Machine {
            cores,
            cpu,
            date,
            python,
        } = self;
        format!("{cores} cores ({cpu}), {date}; Python: {python}")
    }
}

/// How the output is printed.
#[derive(Clone, Copy)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// `--scale`: the sweep, then its table. Failures are notes; the exit code is
/// 0 (1 only when the report cannot be written).
fn scale_mode(
    runner: &Runner,
    machine: &Machine,
    quick: bool,
    format: Format,
    report: Option<&Path>,
) -> ExitCode {
    let delay = if quick { 200 } else { plan::SCALE_DELAY_MS };
    let points = scale::run(runner, delay, quick);
    let heading =
        format!("Scale: N tasks each waiting {delay} ms; time, peak memory and memory ÷ N");
    let mut notes = Vec::new();
    for p in &points {
        for (who, o) in [("Rust", &p.rust), ("Python", &p.python)] {
            if let (Some(why), false) = (o.reason(), matches!(o, Outcome::Skipped(_))) {
                let status = o.status();
                notes.push(format!("{who} {} × {}: {status}: {why}", p.kind, p.tasks));
            }
        }
    }
    if let Format::Json = format {
        let out = machine.with_json(json!({
            "mode": "scale", "delay_ms": delay, "memory_method": scale::MEMORY_METHOD,
            "points": scale::to_json(&points),
        }));
        println!("{out}");
    } else {
        println!("{heading}\n");
        println!("Machine: {}\n", machine.line());
        println!("{}\n", table::wrap(scale::MEMORY_METHOD, table::WIDTH));
        let md = matches!(format, Format::Markdown);
        println!("{}", scale::render(&points, md));
        notes.iter().for_each(|n| println!("  note: {n}"));
    }
    let page = || {
        let mut page = report::scale_page(&points)?;
        page.title = heading.clone();
        page.intro = vec![
            format!("Machine: {}", machine.line()),
            scale::MEMORY_METHOD.into(),
        ];
        page.notes = notes.clone();
        Ok(page)
    };
    match report.map(|dir| write_report(dir, page())) {
        Some(false) => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

/// Writes the report, saying where on stderr; false (and one `error:` line) if it failed.
fn write_report(dir: &Path, page: Result<report::Page, String>) -> bool {
    match page.and_then(|page| report::write(dir, &page)) {
        Ok(index) => {
            eprintln!("report: {}", index.display());
            true
        }
        Err(why) => {
            demo_kit::error(format!("the report: {why}"));
            false
        }
    }
}

/// The comparison: every entry, the table, the notes, the verdict.
fn table_mode(
    runner: &Runner,
    machine: &Machine,
    quick: bool,
    format: Format,
    chart: bool,
    report: Option<&Path>,
) -> ExitCode {
    let started = std::time::Instant::now();
    let settings = plan::Settings::new(quick, machine.cores);
    let entries = plan::entries(&settings);
    let mut notes = Vec::new();
    let runs = run_all(runner, &entries, &mut notes);
    let time = time_line(&runs, &settings, started.elapsed());
    let problems: Vec<String> = runs
        .iter()
        // a row reading another's run adds its own problem only when that run exists
        .filter(|r| r.entry.reuse.is_none() || matches!(r.rust, Outcome::Done(_)))
        .filter_map(|r| verdict::judge(&r.entry, &r.rust, machine.cores, &TOLERANCE))
        .collect();
    notes.extend(
        runs.iter()
            .filter_map(|r| verdict::cpu_warning(&r.entry, &r.rust, machine.cores, &TOLERANCE)),
    );
    notes.extend(runs.iter().filter_map(table::below_ideal));
    for r in runs.iter().filter(|r| r.entry.python.is_some()) {
        if let Outcome::Missing(why) | Outcome::Failed(why, _) = &r.python {
            notes.push(format!(
                "Python {}: {} ({why})",
                r.entry.label,
                r.python.status()
            ));
        }
    }
    let pass = problems.is_empty();
    // The verdict: its first line, then one line per problem.
    let mut verdict_lines = vec![if pass {
        "Verdict: PASS: every demo shows what it teaches.".to_string()
    } else {
        format!("Verdict: FAIL ({} problem(s)):", problems.len())
    }];
    verdict_lines.extend(problems.iter().cloned());
    let sizes = format!(
        "{} tasks × {} ms; CPU: {} workers, best of {} rounds, Rust size {}, Python size {}; \
         macro n {}",
        settings.tasks,
        settings.delay_ms,
        settings.workers,
        settings.rounds,
        settings
            .rust_size
            .map_or("the demo's default".into(), |s| s.to_string()),
        settings.python_size,
        settings.n
    );
    let clocks = "Rust times come from each demo's own clock, started at the top of main; \
                  Python's from time.perf_counter() at the top of each script. Neither includes \
                  starting the process (`time python3 -c pass` shows what that costs on this machine).";
    match format {
        Format::Json => {
            let tolerance = json!({
                "fraction": TOLERANCE.fraction, "floor_ms": TOLERANCE.floor_ms,
                "cpu_min_speedup": TOLERANCE.cpu_min_speedup, "rule": TOLERANCE.describe(),
            });
            let out = machine.with_json(json!({
                "mode": settings.mode, "settings": sizes, "clocks": clocks, "time": time,
                "tolerance": tolerance,
                "rows": table::rows_json(&runs), "notes": notes,
                "verdict": {"pass": pass, "problems": problems},
            }));
            println!("{out}");
        }
        Format::Text | Format::Markdown => {
            let md = matches!(format, Format::Markdown);
            // Text stays within table::WIDTH columns; Markdown is left to its renderer.
            let say = |text: &str| {
                if md {
                    text.to_string()
                } else {
                    table::wrap(text, table::WIDTH)
                }
            };
            let item = |text: &str| {
                if md {
                    format!("- {text}")
                } else {
                    table::wrap_indented(&format!("  - {text}"), table::WIDTH, "    ")
                }
            };
            // Markdown joins adjacent lines into one paragraph: keep them apart there.
            let gap = if md { "\n" } else { "" };
            println!(
                "{}{gap}",
                say(&format!(
                    "scripts/compare ({} mode): {sizes}",
                    settings.mode
                ))
            );
            println!("{}{gap}", say(&format!("Machine: {}", machine.line())));
            println!("{}\n", say(clocks));
            let rows = table::rows(&runs);
            println!(
                "{}",
                if md {
                    table::markdown(&rows)
                } else {
                    table::text(&rows, quick)
                }
            );
            println!("\n{}", say(&time));
            if !notes.is_empty() {
                println!("\nNotes:");
                notes.iter().for_each(|n| println!("{}", item(n)));
            }
            if chart {
                let drawn = timeline(&runs);
                let drawn = drawn.trim_end();
                if md {
                    println!("\n```text\n{drawn}\n```");
                } else {
                    println!("\n{drawn}");
                }
            }
            println!(
                "\n{}",
                say(&format!("Tolerance: {}.", TOLERANCE.describe()))
            );
            println!("{}", verdict_lines[0]);
            verdict_lines[1..]
                .iter()
                .for_each(|p| println!("{}", item(p)));
        }
    }
    let mut written = true;
    if let Some(dir) = report {
        let page =
            report::table_page(&runs, &table::rows(&runs), settings.workers).map(|mut page| {
                page.title = format!("scripts/compare ({} mode)", settings.mode);
                page.intro = vec![
                    sizes.clone(),
                    format!("Machine: {}", machine.line()),
                    clocks.into(),
                ];
                page.notes = [time.clone()]
                    .into_iter()
                    .chain(notes.iter().cloned())
                    .collect();
                page.notes
                    .push(format!("Tolerance: {}.", TOLERANCE.describe()));
                page.verdict = verdict_lines.clone();
                page
            });
        written = write_report(dir, page);
    }
    for p in &problems {
        demo_kit::error(p);
    }
    ExitCode::from(if pass && written { 0 } else { 1 })
}

/// Where the comparison's time went: the whole, the Rust runs and the Python
/// runs (each from spawn to exit), beside what the article's four examples
/// wait in one language, so a class sees the tool adds little of its own.
fn time_line(runs: &[Run], settings: &plan::Settings, total: Duration) -> String {
    let wall = |outcome: &Outcome| match outcome {
        Outcome::Done(m) | Outcome::Failed(_, Some(m)) => m.wall_ms / 1e3,
        _ => 0.0,
    };
    let rust: f64 = runs
        .iter()
        .filter(|r| r.entry.reuse.is_none())
        .map(|r| wall(&r.rust))
        .sum();
    let python: f64 = runs.iter().map(|r| wall(&r.python)).sum();
    // threads, processes and async wait one delay each; sync waits tasks × delay.
    let article = (3 + settings.tasks) as f64 * settings.delay_ms as f64 / 1e3;
    format!(
        "Time: {:.1} s in all: the Rust runs {rust:.1} s, the Python runs {python:.1} s; the \
         article's four examples alone wait {article:.1} s per language.",
        total.as_secs_f64()
    )
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so `println!` to a closed pipe (`compare | head -1`)
    // panics. Like other Unix command-line tools, end quietly instead: the
    // default action ends the process at the first write to a closed pipe.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread is started; this
    // tool does no networking, so a closed socket cannot end it by surprise
    // either. Children are spawned with the default action anyway.
    unsafe {
        use nix::sys::signal::{SigHandler, Signal, signal};
        let _ = signal(Signal::SIGPIPE, SigHandler::SigDfl);
    }
    let checking = std::env::args_os().skip(1).any(|arg| arg == "--check-args");
    let matches = match demo_kit::cli::try_parse_from(command(), std::env::args_os()) {
        Ok(matches) => matches,
        Err(Stop::Show(text)) => {
            demo_kit::write_stdout(&text);
            return ExitCode::from(if checking { ANSWERED } else { 0 });
        }
        Err(Stop::Usage(message)) => demo_kit::cli::usage_error(message),
    };
    if matches.get_flag("check-args") {
        return ExitCode::SUCCESS;
    }
    // From here on, Ctrl-C or a `kill` stops the demo running, then this tool.
    signals::install();
    let python = python(&matches);
    let runner = runner(&matches, &python);
    let machine = Machine {
        cores: machine::cores(),
        cpu: machine::cpu_model().unwrap_or_else(|| "unknown CPU".into()),
        date: machine::today(),
        python: match &python {
            Ok((_, version)) => version.clone(),
            Err(why) => format!("n/a ({why})"),
        },
    };
    let format = if matches.get_flag("json") {
        Format::Json
    } else if matches.get_flag("markdown") {
        Format::Markdown
    } else {
        Format::Text
    };
    let quick = matches.get_flag("quick");
    let report = matches.get_one::<PathBuf>("report").map(PathBuf::as_path);
    if matches.get_flag("scale") {
        scale_mode(&runner, &machine, quick, format, report)
    } else {
        table_mode(
            &runner,
            &machine,
            quick,
            format,
            matches.get_flag("timeline"),
            report,
        )
    }
}
