//! What to run: each demo's faithful default and key variants, with the
//! matching Python script, and the sizes for `--quick` and the default mode.

/// What a row teaches, which decides how the verdict judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The tasks wait side by side: the run should take about one delay.
    Concurrent,
    /// The tasks wait one after another: the run takes at least tasks × delay.
    Sequential,
    /// CPU-bound work split across workers: judged by its speedup.
    Cpu,
    /// The timing macro: no physical limit, only a measured function time.
    Timed,
}

/// One row of the table: a Rust command, its Python equivalent, and how to read them.
#[derive(Clone, Debug)]
pub struct Entry {
    /// A short key: `threads`, `sync`, `cpu-rayon`, …
    pub id: &'static str,
    /// The command as a student would type it, the binary first: `async-fetch http`.
    pub label: &'static str,
    /// Its arguments; `--json` is always among them.
    pub args: Vec<String>,
    /// The `variant` its JSON summary must name.
    pub variant: &'static str,
    /// What it does, in a few words.
    pub what: &'static str,
    /// How the verdict judges it.
    pub kind: Kind,
    /// The time the article states for this example, if it states one.
    pub article_ms: Option<f64>,
    /// The ideal the plan expects (shown when the demo is missing); the
    /// demo's own `ideal_ms` is used when it ran.
    pub expected_ideal_ms: Option<f64>,
    /// The summary field that is this row's measured time.
    pub metric: &'static str,
    /// Another entry whose run this row reads instead of running again.
    pub reuse: Option<&'static str>,
    /// The arguments of the Python equivalent ([`Entry::script`]), if there is one.
    pub python: Option<Vec<String>>,
}

impl Entry {
    /// The Rust binary: the label's first word.
    pub fn bin(&self) -> &'static str {
        self.label.split(' ').next().unwrap_or(self.label)
    }

    /// The Python equivalent in scripts/python: the binary's name, in snake case.
    pub fn script(&self) -> String {
        format!("{}.py", self.bin().replace('-', "_"))
    }
}

/// The numbers a mode runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The mode's name in the title and the JSON: `quick` or `default`.
    pub mode: &'static str,
    /// Tasks per timing demo (the article's 3).
    pub tasks: usize,
    /// `--delay-ms` of the timing demos: 200 in quick mode, the article's 2000 otherwise.
    pub delay_ms: u64,
    /// `--size` for the Rust CPU variants; `None` leaves the demo's own default (about 1 s).
    pub rust_size: Option<u64>,
    /// `--size` for the Python CPU variants (pure Python is ~50-100× slower).
    pub python_size: u64,
    /// `--workers` for every CPU variant, Rust and Python alike.
    pub workers: usize,
    /// `--rounds` for every CPU variant, Rust and Python alike: each way is
    /// timed this many times and the best time counts (a shared machine is noisy).
    pub rounds: u64,
    /// `--n` for the timing macro and the timing decorator.
    pub n: u64,
}

impl Settings {
    /// The numbers for `--quick` (short delays, small sizes) or the default (the article's).
    pub fn new(quick: bool, workers: usize) -> Self {
        let quick_mode = Self {
            mode: "quick",
            tasks: 3,
            delay_ms: 200,
            rust_size: Some(300_000_000),
            python_size: 3_000_000,
            workers,
            rounds: 3,
            n: 1_000_000,
        };
        if quick {
            return quick_mode;
        }
        Self {
            mode: "default",
            delay_ms: 2000,
            rust_size: None,
            python_size: 10_000_000,
            n: 10_000_000,
            ..quick_mode
        }
    }
}

/// Every row, in teaching order.
pub fn entries(s: &Settings) -> Vec<Entry> {
    let words = |line: String| {
        line.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let cpu = |size: Option<u64>| {
        let size = size.map_or(String::new(), |n| format!("--size {n}"));
        let (workers, rounds) = (s.workers, s.rounds);
        words(format!(
            "cpu --workers {workers} --rounds {rounds} {size} --json"
        ))
    };
    // The Python script takes the same arguments, but for a CPU row's size.
    let entry = |id, label, args: Vec<String>, variant, what, kind, article_s: Option<f64>| Entry {
        id,
        label,
        python: Some(args.clone()),
        args,
        variant,
        what,
        kind,
        article_ms: article_s.map(|secs| secs * 1e3),
        expected_ideal_ms: match kind {
            Concurrent => Some(s.delay_ms as f64),
            Sequential => Some((s.tasks as u64 * s.delay_ms) as f64),
            Cpu | Timed => None,
        },
        metric: "elapsed_ms",
        reuse: None,
    };
    // A row where tasks wait: the arguments are the label's subcommand, then
    // the tasks and the delay.
    let waiting = |id, label: &'static str, variant, what, kind, article_s| {
        let sub = label.split_once(' ').map_or("", |(_, sub)| sub);
        let (tasks, delay) = (s.tasks, s.delay_ms);
        let args = words(format!("{sub} --tasks {tasks} --delay-ms {delay} --json"));
        entry(id, label, args, variant, what, kind, article_s)
    };
    use Kind::*;
    let cpu_threads = Entry {
        metric: "threads_ms",
        python: Some(cpu(Some(s.python_size))),
        ..entry(
            "cpu-threads",
            "threads-demo cpu",
            cpu(s.rust_size),
            "cpu",
            "sum of squares split over threads",
            Cpu,
            None,
        )
    };
    // The rayon time of the same run: read from it, not run again.
    let cpu_rayon = Entry {
        id: "cpu-rayon",
        label: "threads-demo cpu (rayon)",
        what: "the same sum on a rayon pool",
        metric: "rayon_ms",
        reuse: Some("cpu-threads"),
        python: None,
        ..cpu_threads.clone()
    };
    vec![
        waiting(
            "threads",
            "threads-demo",
            "threads",
            "N threads sleep, then join",
            Concurrent,
            Some(2.0),
        ),
        waiting(
            "processes",
            "process-demo",
            "processes",
            "N child processes sleep, then are waited for",
            Concurrent,
            Some(2.0),
        ),
        waiting(
            "sync",
            "sync-fetch",
            "simulated",
            "N simulated fetches, one after another",
            Sequential,
            Some(6.0),
        ),
        waiting(
            "async",
            "async-fetch",
            "simulated",
            "N simulated fetches on one event loop",
            Concurrent,
            Some(2.0),
        ),
        waiting(
            "sync-http",
            "sync-fetch http",
            "http",
            "N real HTTP GETs to 127.0.0.1, in turn",
            Sequential,
            None,
        ),
        waiting(
            "threads-http",
            "sync-fetch threads http",
            "threads-http",
            "N real HTTP GETs to 127.0.0.1, a thread each",
            Concurrent,
            None,
        ),
        waiting(
            "async-http",
            "async-fetch http",
            "http",
            "N real HTTP GETs to 127.0.0.1, at once",
            Concurrent,
            None,
        ),
        cpu_threads,
        cpu_rayon,
        Entry {
            metric: "processes_ms",
            python: Some(cpu(Some(s.python_size))),
            ..entry(
                "cpu-processes",
                "process-demo cpu",
                cpu(s.rust_size),
                "cpu",
                "sum of squares split over processes",
                Cpu,
                None,
            )
        },
        Entry {
            metric: "function_ms",
            ..entry(
                "timed",
                "macros-demo",
                words(format!("--n {} --json", s.n)),
                "timed",
                "#[timed] on a black_box loop of n additions",
                Timed,
                None,
            )
        },
    ]
}

/// The delay every task of the sweep waits.
pub const SCALE_DELAY_MS: u64 = 1000;

/// What `--scale` sweeps: each kind of task, the comparison's entry that
/// runs it (the same command and Python script, with N tasks), and the task
/// counts of the full sweep (`--quick` stops at 1,000). Processes stop at
/// 1,000 (10,000 children would exhaust a small machine's process table),
/// and so do threads over HTTP (each thread holds a connection, and the local
/// server one more socket). Async tasks that only sleep go to 100,000; async
/// HTTP fetches to 5,000.
pub const SCALE_KINDS: [(&str, &str, &[usize]); 5] = [
    ("threads", "threads", &[1, 10, 100, 1000, 10_000]),
    ("async tasks", "async", &[1, 10, 100, 1000, 10_000, 100_000]),
    ("processes", "processes", &[1, 10, 100, 1000]),
    ("threads over HTTP", "threads-http", &[1, 10, 100, 1000]),
    ("async over HTTP", "async-http", &[1, 10, 100, 1000, 5000]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_asks_for_json_and_a_reused_run_is_made() {
        for quick in [true, false] {
            let all = entries(&Settings::new(quick, 2));
            for e in &all {
                for args in std::iter::once(&e.args).chain(&e.python) {
                    assert!(args.iter().any(|a| a == "--json"), "{}", e.id);
                }
                if let Some(other) = e.reuse {
                    assert!(all.iter().any(|o| o.id == other && o.reuse.is_none()));
                }
            }
            let ids: std::collections::HashSet<_> = all.iter().map(|e| e.id).collect();
            assert_eq!(ids.len(), all.len(), "ids are unique");
        }
    }
}
