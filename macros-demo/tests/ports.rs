//! The one-screen ports, `examples/timing_decorator.rs` and
//! `examples/enforce_interface.rs`, print what the article's examples print,
//! and so do the measuring binary and the Python equivalent; the compiler
//! message in the second one's comment is the one trybuild checks.

use demo_kit::testing::ports::{
    Order, assert_lines_within, assert_one_screen, assert_same_lines, example_stdout, python,
};
use demo_kit::testing::run;
use std::fs;
use std::sync::OnceLock;

/// What the article's timing-decorator example prints (the time varies).
const ARTICLE_TIMED: &str = "\
'complex_calculation' ran in 0.6000 seconds.
Calculation result: 49999995000000";

/// The article's message for `Motorcycle`, which has no `stop`.
const ARTICLE_REFUSAL: &str = "Class 'Motorcycle' must have a 'stop' method.";

/// The lines `Car` prints in the port.
const CAR: &str = "\
Starting the Model T.
Stopping the Model T.";

fn source(example: &str) -> String {
    let path = format!("{}/examples/{example}.rs", env!("CARGO_MANIFEST_DIR"));
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The measuring binary's stdout with its default settings, run once.
fn lab() -> &'static str {
    static STDOUT: OnceLock<String> = OnceLock::new();
    STDOUT.get_or_init(|| {
        let lab = run(env!("CARGO_BIN_EXE_macros-demo"), &[]);
        lab.assert_exit(0);
        lab.stdout
    })
}

/// The Python equivalent's stdout (the article's n), or `None` without python3.
fn python_stdout() -> Option<&'static str> {
    static STDOUT: OnceLock<Option<String>> = OnceLock::new();
    STDOUT
        .get_or_init(|| {
            python("macros_demo.py", &[]).map(|python| {
                python.assert_exit(0);
                python.stdout
            })
        })
        .as_deref()
}

#[test]
fn the_timing_port_prints_the_articles_lines_as_the_binary_and_python_do() {
    let port = example_stdout("timing_decorator");
    assert_same_lines("the port vs the article", port, ARTICLE_TIMED, Order::Same);
    assert_lines_within("macros-demo vs the port", port, lab());
    if let Some(python) = python_stdout() {
        assert_lines_within("macros_demo.py vs the port", port, python);
    }
}

#[test]
fn the_class_decorator_port_drives_the_car_as_the_binary_and_python_do() {
    let port = example_stdout("enforce_interface");
    assert_same_lines("the port's Car", port, CAR, Order::Same);
    assert_lines_within("macros-demo vs the port", port, lab());
    if let Some(python) = python_stdout() {
        assert_lines_within("macros_demo.py vs the port", port, python);
        let caught = format!("Caught an error: {ARTICLE_REFUSAL}");
        assert!(python.lines().any(|line| line == caught), "{python}");
    }
}

/// The lines of the port's comment from `first` up to the next blank
/// comment line or the comment's end, with the `// ` taken off.
fn commented_block(source: &str, first: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with(&format!("// {first}")))
        .unwrap_or_else(|| panic!("no `// {first}` line in the port"));
    lines[start..]
        .iter()
        .map_while(|line| line.strip_prefix("// "))
        .map(String::from)
        .collect()
}

/// The commented `Motorcycle`, uncommented: from its `struct` line to the
/// closing brace of its `impl` block.
fn commented_code(source: &str) -> String {
    let uncommented: Vec<&str> = source
        .lines()
        .skip_while(|line| *line != "// struct Motorcycle {")
        .map_while(|line| line.strip_prefix("// ").or((line == "//").then_some("")))
        .collect();
    let end = uncommented
        .iter()
        .position(|line| *line == "impl Motorcycle {")
        .and_then(|at| {
            uncommented[at..]
                .iter()
                .position(|line| *line == "}")
                .map(|to| at + to)
        })
        .expect("the commented Motorcycle has an `impl Motorcycle { … }` block");
    uncommented[..=end].join("\n")
}

/// What rustc prints right of the `|` gutter (the gutter holds line numbers).
fn right_of_gutter(lines: &[impl AsRef<str>]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            line.as_ref()
                .split_once('|')
                .map_or("", |(_, right)| right)
                .to_string()
        })
        .collect()
}

#[test]
fn the_motorcycle_in_the_ports_comment_is_the_one_trybuild_refuses() {
    let port = source("enforce_interface");
    let case = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/05-motorcycle-missing-stop.rs"
    ))
    .unwrap();
    let stderr = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/05-motorcycle-missing-stop.stderr"
    ))
    .unwrap();

    // The commented code is the trybuild case's code, line for line.
    let code = commented_code(&port);
    assert!(
        case.contains(&code),
        "the port's Motorcycle:\n{code}\nis not in the case:\n{case}"
    );

    // The commented message is the compiler's, as the case's snapshot records it…
    let message = commented_block(&port, "error: ");
    let expected: Vec<&str> = stderr.lines().collect();
    assert_eq!(message[0], format!("error: {ARTICLE_REFUSAL}"));
    assert_eq!(message[0], expected[0]);
    assert_eq!(
        right_of_gutter(&message[2..]),
        right_of_gutter(&expected[2..]),
        "the underlined lines"
    );
    // …and points at the commented `impl Motorcycle` line of the port itself.
    let impl_line = port
        .lines()
        .position(|line| line == "// impl Motorcycle {")
        .unwrap()
        + 1;
    let place = format!("  --> macros-demo/examples/enforce_interface.rs:{impl_line}:1");
    assert_eq!(message[1], place);
}

#[test]
fn the_ports_fit_on_one_screen() {
    assert_one_screen(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/timing_decorator.rs"
    ));
    assert_one_screen(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/enforce_interface.rs"
    ));
}
