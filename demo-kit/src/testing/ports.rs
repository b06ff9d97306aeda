//! For the tests that keep each one-screen port (a demo's `examples/*.rs`)
//! printing what the article, the measuring binary and the Python
//! equivalent print.
//!
//! ```no_run
//! use demo_kit::testing::ports::{Order, assert_same_lines, example_stdout};
//! use demo_kit::testing::run;
//!
//! let port = example_stdout("multithreading");
//! let lab = run("target/debug/threads-demo", &["--delay-ms", "50"]);
//! assert_same_lines("threads-demo vs the port", &lab.stdout, port, Order::Any);
//! ```

use super::Run;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// The example `name` of the package under test, where `cargo test` builds
/// it before it runs the integration tests: `target/<profile>/examples/`,
/// beside the `deps/` directory that holds the running test. If it is not
/// there (`cargo test --test NAME` builds no examples), the failure says
/// which command builds it.
fn example(name: &str) -> PathBuf {
    let test = std::env::current_exe().expect("the running test's own path");
    let profile = test
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps/");
    let path = profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "<package>".into());
    assert!(
        path.is_file(),
        "the example `{name}` is not built at {}: run `cargo test -p {package}` \
         (which builds the examples first) or `cargo build -p {package} --examples`",
        path.display()
    );
    path
}

/// The stdout of the package's example `name`, which must exit 0. It
/// runs once per test binary, its output shared by every test that asks:
/// a port waits the article's seconds.
pub fn example_stdout(name: &str) -> &'static str {
    static RUNS: Mutex<BTreeMap<String, &'static str>> = Mutex::new(BTreeMap::new());
    // Held while the example runs, so that tests asking at once wait for one run.
    let mut runs = RUNS.lock().unwrap_or_else(PoisonError::into_inner);
    runs.entry(name.to_string()).or_insert_with(|| {
        let run = Run::of(&mut Command::new(example(name)));
        run.assert_exit(0);
        String::leak(run.stdout)
    })
}

/// The one JSON document `text` must hold, printed pretty or on one line.
pub fn document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not one JSON document ({err}): {text}"))
}

/// The most lines of code a one-screen port may have, not counting blank
/// lines and `//` comments (its `//!` header included).
pub const ONE_SCREEN: usize = 40;

/// Asserts that the source file at `path` has at most [`ONE_SCREEN`] lines of code.
pub fn assert_one_screen(path: impl AsRef<Path>) {
    let path = path.as_ref();
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let code = code_lines(&source);
    assert!(
        code <= ONE_SCREEN,
        "{} has {code} lines of code; a one-screen port has at most {ONE_SCREEN}",
        path.display()
    );
}

/// Lines that are neither blank nor `//` comments.
fn code_lines(source: &str) -> usize {
    source
        .lines()
        .map(str::trim_start)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

/// `line`, trimmed, with each decimal number (`6.00`, `0.0263`) as `#`: two
/// runs print lines of the same shape when only their measured times differ.
pub fn shape(line: &str) -> String {
    let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (mut shaped, mut rest) = (String::new(), line.trim());
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        shaped.push_str(&rest[..at]);
        rest = &rest[at..];
        let whole = digits(rest);
        let fraction = rest[whole..].strip_prefix('.').map_or(0, digits);
        if fraction > 0 {
            shaped.push('#');
            rest = &rest[whole + 1 + fraction..];
        } else {
            shaped.push_str(&rest[..whole]);
            rest = &rest[whole..];
        }
    }
    shaped.push_str(rest);
    shaped
}

/// The shapes of the non-blank lines of `text`, in order.
pub fn shapes(text: &str) -> Vec<String> {
    text.lines()
        .map(shape)
        .filter(|line| !line.is_empty())
        .collect()
}

/// How strictly [`assert_same_lines`] compares the order of the lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The same lines in the same order: tasks that ran one after another.
    Same,
    /// The same lines in any order, but the same last line: tasks that ran
    /// at once, then the line that reports them all done.
    Any,
}

/// Asserts that `got` and `expected` print the same lines, compared by
/// [`shape`] (so `in 2.00 seconds` matches `in 2.01 seconds`), blank lines
/// left out. `what` names the two sides in the failure message.
pub fn assert_same_lines(what: &str, got: &str, expected: &str, order: Order) {
    let (mut got_lines, mut expected_lines) = (shapes(got), shapes(expected));
    let same = match order {
        Order::Same => got_lines == expected_lines,
        Order::Any => {
            let same_last = got_lines.last() == expected_lines.last();
            got_lines.sort();
            expected_lines.sort();
            same_last && got_lines == expected_lines
        }
    };
    assert!(
        same,
        "{what}: not the same lines ({order:?} order)\n--- got:\n{got}\n--- expected:\n{expected}"
    );
}

/// `text` without its lines that start with `prefix` (after leading
/// spaces): a line the measuring binary adds to the article's, such as its
/// `Elapsed: 2.00 seconds.`
pub fn without_lines(text: &str, prefix: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with(prefix))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Asserts that every line of `part` appears in `whole`, in the same order,
/// with other lines allowed between them (compared by [`shape`]): a port's
/// lines inside a binary that prints more.
pub fn assert_lines_within(what: &str, part: &str, whole: &str) {
    let whole_lines = shapes(whole);
    let mut rest = whole_lines.iter();
    for line in shapes(part) {
        assert!(
            rest.any(|other| *other == line),
            "{what}: {line:?} is missing or out of order\n--- part:\n{part}\n--- whole:\n{whole}"
        );
    }
}

/// Asserts that every line of `text` containing `started` comes before
/// every line containing `finished`: the tasks all began before any ended,
/// so they ran at the same time. Needs at least two of each.
pub fn assert_all_start_before_any_finish(text: &str, started: &str, finished: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let count = |word: &str| lines.iter().filter(|line| line.contains(word)).count();
    assert!(
        count(started) >= 2 && count(finished) >= 2,
        "at least two {started:?} and two {finished:?} lines:\n{text}"
    );
    let last_start = lines.iter().rposition(|line| line.contains(started));
    let first_finish = lines.iter().position(|line| line.contains(finished));
    assert!(
        last_start < first_finish,
        "a task finished before another started, so they did not run at once:\n{text}"
    );
}

/// Runs the Python equivalent `scripts/python/<script>` with `args` under
/// `python3`, or says "skipped" and returns `None` if there is no `python3`.
pub fn python(script: &str, args: &[&str]) -> Option<Run> {
    let present = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !present {
        eprintln!("skipped: no python3, so {script} is not compared");
        return None;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts/python")
        .join(script);
    Some(Run::of(
        Command::new("python3")
            .arg(path)
            .args(args)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_hides_measured_times_and_keeps_names() {
        assert_eq!(
            shape("  All data fetched in 6.00 seconds. "),
            "All data fetched in # seconds."
        );
        assert_eq!(
            shape("'complex_calculation' ran in 0.0263 seconds."),
            "'complex_calculation' ran in # seconds."
        );
        assert_eq!(shape("Thread 12: Starting..."), "Thread 12: Starting...");
        assert_eq!(shape("Result: 4999. Done"), "Result: 4999. Done");
    }

    #[test]
    fn code_lines_leave_out_comments_and_blanks() {
        assert_eq!(
            code_lines("//! header\n\nfn main() {\n    // say\n    x();\n}\n"),
            3
        );
    }

    const RUN: &str = "Thread 0: Starting...\nThread 1: Starting...\nThread 1: Finishing.\nThread 0: Finishing.\nAll done in 2.00 s.\n";

    #[test]
    #[should_panic(expected = "not the same lines")]
    fn any_order_refuses_another_last_line() {
        let moved = format!(
            "All done in 2.00 s.\n{}",
            RUN.replace("All done in 2.00 s.\n", "")
        );
        assert_same_lines("runs", &moved, RUN, Order::Any);
    }

    #[test]
    #[should_panic(expected = "missing or out of order")]
    fn lines_within_refuse_the_wrong_order() {
        assert_lines_within("lab", "d\nb", "a\nb\nc\nd\ne");
    }

    #[test]
    #[should_panic(expected = "did not run at once")]
    fn a_finish_before_a_start_is_refused() {
        let in_turn = "Thread 0: Starting...\nThread 0: Finishing.\nThread 1: Starting...\nThread 1: Finishing.\n";
        assert_all_start_before_any_finish(in_turn, "Starting", "Finishing");
    }
}
