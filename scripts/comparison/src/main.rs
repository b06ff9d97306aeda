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
//! Unix only, like the demos it runs.

mod charts;
mod machine;
mod plan;
mod report;
mod runner;
mod scale;
mod signals;
mod table;
mod verdict;

use clap::{Arg, ArgAction, Command, value_parser};
use demo_kit::cli::Stop;
use machine::Machine;
use report::Page;
use runner::{Outcome, Runner};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use table::Run;
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
        // For the wrapper: check the arguments before the long workspace
        // build, so a bad flag is reported in seconds, not minutes.
        .arg(flag("check-args", "").hide(true))
}

/// `--check-args` exit code: the arguments asked for the help, which has been
/// printed; the wrapper stops there with 0 (exit 0 means "valid, go on").
const ANSWERED: u8 = 3;

/// `--bin-dir`'s parser: the directory must exist, so a typo is one usage
/// error up front rather than every row missing.
fn existing_dir(value: &str) -> Result<PathBuf, String> {
    let path = Some(PathBuf::from(value)).filter(|path| path.is_dir());
    path.ok_or_else(|| "no such directory".into())
}

/// Runs every entry in order. A Rust run that fails the verdict on timing
/// alone (for itself or a row that reads the same run) is run once more, since
/// the machine is noisy; when the retry passes it is kept, and a note says so.
fn run_all(
    runner: &Runner,
    entries: &[plan::Entry],
    cores: usize,
    notes: &mut Vec<String>,
) -> Vec<Run> {
    let outside = |entry: &plan::Entry, outcome: &Outcome| {
        matches!(outcome, Outcome::Done(_))
            && entries
                .iter()
                .filter(|e| e.id == entry.id || e.reuse == Some(entry.id))
                .any(|e| {
                    verdict::judge(e, outcome, cores).is_some()
                        || verdict::cpu_warning(e, outcome, cores).is_some()
                })
    };
    let mut runs: Vec<Run> = Vec::with_capacity(entries.len());
    // Number only the runs made: a row that reads an earlier run has none.
    let total = entries.iter().filter(|e| e.reuse.is_none()).count();
    let mut made = 0;
    for entry in entries {
        let earlier = runs.iter().find(|r| Some(r.entry.id) == entry.reuse);
        let rust = match earlier {
            Some(earlier) => earlier.rust.clone(),
            None => {
                made += 1;
                eprintln!("[{made}/{total}] {} {}", entry.bin(), entry.args.join(" "));
                let run = || runner.rust(entry.bin(), &entry.args, entry.variant);
                let mut rust = run();
                if outside(entry, &rust) {
                    eprintln!("      outside the tolerance; running it once more");
                    let again = run();
                    if !outside(entry, &again) {
                        notes.push(format!(
                            "{}: the first run was outside the tolerance; the retry is shown",
                            entry.label
                        ));
                        rust = again;
                    }
                }
                rust
            }
        };
        let python = match &entry.python {
            Some(args) => {
                eprintln!("      python3 {} {}", entry.script(), args.join(" "));
                runner.python(&entry.script(), args, entry.variant)
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
    let fetches = runs
        .iter()
        .filter(|r| ["sync", "async"].contains(&r.entry.id));
    let rust = fetches.clone().map(|r| ("Rust", r, &r.rust));
    let mut charts = Vec::new();
    for (who, run, outcome) in rust.chain(fetches.map(|r| ("Python", r, &r.python))) {
        let title = format!("{who} {}", run.entry.label);
        match outcome.done() {
            Some(m) => charts.push((title, m.spans())),
            // A Rust run that failed still gets its title; Python's is left out.
            None if who == "Rust" => {
                charts.push((format!("{title}: {}", outcome.status()), vec![]))
            }
            None => {}
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
            out.push_str(&demo_kit::timeline::render(&spans, axis));
            out.push('\n');
        }
    }
    out
}

/// How the output is printed.
#[derive(Clone, Copy)]
enum Format {
    Text,
    Markdown,
    Json,
}

impl Format {
    /// A paragraph: text stays within [`table::WIDTH`] columns; Markdown is
    /// left to its renderer.
    fn say(self, text: &str) -> String {
        match self {
            Format::Markdown => text.to_string(),
            _ => table::wrap(text, table::WIDTH, ""),
        }
    }

    /// An item of a list.
    fn item(self, text: &str) -> String {
        match self {
            Format::Markdown => format!("- {text}"),
            _ => table::wrap(&format!("  - {text}"), table::WIDTH, "    "),
        }
    }
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
        let out = json!({
            "mode": "scale", "delay_ms": delay, "memory_method": scale::MEMORY_METHOD,
            "points": scale::to_json(&points), "cores": machine.cores, "cpu": machine.cpu,
            "date": machine.date, "python": machine.python,
        });
        println!("{out}");
    } else {
        println!("{heading}\n");
        println!("{}\n", machine.line());
        println!("{}\n", Format::Text.say(scale::MEMORY_METHOD));
        let table = scale::table(&points);
        match format {
            Format::Markdown => println!("{}", table::markdown(&table)),
            _ => println!("{}", table::aligned(&table, |column| column > 0)),
        }
        notes.iter().for_each(|n| println!("  note: {n}"));
    }
    let written = write_report(report, || {
        report::scale_page(&points).map(|page| Page {
            title: heading,
            intro: vec![machine.line(), scale::MEMORY_METHOD.into()],
            notes,
            ..page
        })
    });
    ExitCode::from(u8::from(!written))
}

/// Writes the report if there is a `dir` for it, saying where on stderr;
/// false (and one `error:` line) if it failed.
fn write_report(dir: Option<&Path>, page: impl FnOnce() -> Result<Page, String>) -> bool {
    let Some(dir) = dir else {
        return true;
    };
    match page().and_then(|page| report::write(dir, &page)) {
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

/// How the two clocks differ, said above the table.
const CLOCKS: &str = "Rust times come from each demo's own clock, started at the top of main; \
    Python's from time.perf_counter() at the top of each script. Neither includes starting the \
    process (`time python3 -c pass` shows what that costs on this machine).";

/// The comparison: every entry, the table, the notes, the verdict.
fn table_mode(
    runner: &Runner,
    machine: &Machine,
    quick: bool,
    format: Format,
    chart: bool,
    report: Option<&Path>,
) -> ExitCode {
    let started = Instant::now();
    let settings = plan::Settings::new(quick, machine.cores);
    let mut notes = Vec::new();
    let entries = plan::entries(&settings);
    let runs = run_all(runner, &entries, machine.cores, &mut notes);
    let time = time_line(&runs, &settings, started.elapsed());
    let problems: Vec<String> = runs
        .iter()
        // a row reading another's run adds its own problem only when that run exists
        .filter(|r| r.entry.reuse.is_none() || matches!(r.rust, Outcome::Done(_)))
        .filter_map(|r| verdict::judge(&r.entry, &r.rust, machine.cores))
        .collect();
    notes.extend(
        runs.iter()
            .filter_map(|r| verdict::cpu_warning(&r.entry, &r.rust, machine.cores)),
    );
    notes.extend(runs.iter().filter_map(table::below_ideal));
    for r in runs.iter().filter(|r| r.entry.python.is_some()) {
        if let Outcome::Missing(why) | Outcome::Failed(why, _) = &r.python {
            let status = r.python.status();
            notes.push(format!("Python {}: {status} ({why})", r.entry.label));
        }
    }
    let pass = problems.is_empty();
    // The verdict: its first line, then one line per problem.
    let mut verdict = vec![if pass {
        "Verdict: PASS: every demo shows what it teaches.".to_string()
    } else {
        format!("Verdict: FAIL ({} problem(s)):", problems.len())
    }];
    verdict.extend(problems.iter().cloned());
    let rust_size = settings.rust_size;
    let sizes = format!(
        "{} tasks × {} ms; CPU: {} workers, best of {} rounds, Rust size {}, Python size {}; \
         macro n {}",
        settings.tasks,
        settings.delay_ms,
        settings.workers,
        settings.rounds,
        rust_size.map_or("the demo's default".into(), |s| s.to_string()),
        settings.python_size,
        settings.n
    );
    let tolerance = format!("Tolerance: {}.", TOLERANCE.describe());
    let table = table::rows(&runs);
    if let Format::Json = format {
        let out = json!({
            "mode": settings.mode, "settings": sizes, "clocks": CLOCKS, "time": time,
            "tolerance": {
                "fraction": TOLERANCE.fraction, "floor_ms": TOLERANCE.floor_ms,
                "cpu_min_speedup": TOLERANCE.cpu_min_speedup, "rule": TOLERANCE.describe(),
            },
            "rows": table::rows_json(&runs), "notes": notes,
            "verdict": {"pass": pass, "problems": problems},
            "cores": machine.cores, "cpu": machine.cpu, "date": machine.date,
            "python": machine.python,
        });
        println!("{out}");
    } else {
        let md = matches!(format, Format::Markdown);
        // Markdown joins adjacent lines into one paragraph: keep them apart there.
        let gap = if md { "\n" } else { "" };
        let title = format!("scripts/compare ({} mode): {sizes}", settings.mode);
        println!("{}{gap}", format.say(&title));
        println!("{}{gap}", format.say(&machine.line()));
        println!("{}\n", format.say(CLOCKS));
        if md {
            println!("{}", table::markdown(&table));
        } else {
            println!("{}", table::text(&table, quick));
        }
        println!("\n{}", format.say(&time));
        if !notes.is_empty() {
            println!("\nNotes:");
            notes.iter().for_each(|n| println!("{}", format.item(n)));
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
        println!("\n{}", format.say(&tolerance));
        println!("{}", verdict[0]);
        problems.iter().for_each(|p| println!("{}", format.item(p)));
    }
    let written = write_report(report, || {
        report::table_page(&runs, &table, settings.workers).map(|page| Page {
            title: format!("scripts/compare ({} mode)", settings.mode),
            intro: vec![sizes, machine.line(), CLOCKS.into()],
            notes: [time].into_iter().chain(notes).chain([tolerance]).collect(),
            verdict,
            ..page
        })
    });
    for p in &problems {
        demo_kit::error(p);
    }
    ExitCode::from(u8::from(!(pass && written)))
}

/// Where the comparison's time went: the whole, the Rust runs and the Python
/// runs (each from spawn to exit), beside what the article's four examples
/// wait in one language, so a class sees the tool adds little of its own.
fn time_line(runs: &[Run], settings: &plan::Settings, total: Duration) -> String {
    let wall = |outcome: &Outcome| match outcome {
        Outcome::Done(m) | Outcome::Failed(_, Some(m)) => m.wall_ms / 1e3,
        _ => 0.0,
    };
    let made = runs.iter().filter(|r| r.entry.reuse.is_none());
    let rust: f64 = made.map(|r| wall(&r.rust)).sum();
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
    let path = |id: &str| matches.get_one::<PathBuf>(id).cloned();
    let python = path("python").unwrap_or_default();
    let version = if matches.get_flag("no-python") {
        Err("--no-python".to_string())
    } else {
        runner::python_version(&python)
    };
    let runner = Runner {
        // The wrapper builds the demos next to this binary.
        bin_dir: path("bin-dir").unwrap_or_else(|| {
            let exe = std::env::current_exe().unwrap_or_default();
            exe.parent().map(PathBuf::from).unwrap_or_default()
        }),
        python: version.clone().map(|_| python),
        python_dir: path("python-dir")
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../python")),
        timeout: Duration::from_secs(matches.get_one("timeout-s").copied().unwrap_or(120)),
        sample_memory: matches.get_flag("scale"),
    };
    let machine = Machine::here(version.unwrap_or_else(|why| format!("n/a ({why})")));
    let format = if matches.get_flag("json") {
        Format::Json
    } else if matches.get_flag("markdown") {
        Format::Markdown
    } else {
        Format::Text
    };
    let quick = matches.get_flag("quick");
    let report = path("report");
    if matches.get_flag("scale") {
        scale_mode(&runner, &machine, quick, format, report.as_deref())
    } else {
        let chart = matches.get_flag("timeline");
        table_mode(&runner, &machine, quick, format, chart, report.as_deref())
    }
}
