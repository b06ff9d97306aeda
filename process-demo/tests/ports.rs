//! The one-screen port, `examples/multiprocessing.rs`, prints the article's
//! lines, and so do the measuring binary and the Python equivalent: the
//! three cannot drift apart.

#![cfg(unix)]

use demo_kit::testing::ports::{
    Order, assert_all_start_before_any_finish, assert_one_screen, assert_same_lines,
    example_stdout, python, without_lines,
};
use demo_kit::testing::run;

/// What the article's multiprocessing example prints (the finishing order varies).
const ARTICLE: &str = "\
Process 0: Starting...
Process 1: Starting...
Process 2: Starting...
Process 0: Finishing.
Process 1: Finishing.
Process 2: Finishing.
All processes have finished.";

/// The port's stdout (it runs once: it waits the article's seconds).
fn port() -> &'static str {
    example_stdout("multiprocessing")
}

#[test]
fn the_port_prints_the_articles_lines_with_the_processes_at_once() {
    assert_same_lines("the port vs the article", port(), ARTICLE, Order::Any);
    assert_all_start_before_any_finish(port(), "Starting", "Finishing");
}

#[test]
fn the_measuring_binary_prints_the_ports_lines() {
    let lab = run(env!("CARGO_BIN_EXE_process-demo"), &["--delay-ms", "50"]);
    lab.assert_exit(0);
    // It adds one line to the article's: how long the run took.
    let lines = without_lines(&lab.stdout, "Elapsed: ");
    assert_eq!(
        lab.stdout.lines().count(),
        lines.lines().count() + 1,
        "{lab}"
    );
    assert_same_lines("process-demo vs the port", &lines, port(), Order::Any);
}

#[test]
fn the_python_equivalent_prints_the_ports_lines() {
    let Some(python) = python("process_demo.py", &["--delay-ms", "50"]) else {
        return;
    };
    python.assert_exit(0);
    assert_same_lines(
        "process_demo.py vs the port",
        &python.stdout,
        port(),
        Order::Any,
    );
}

#[test]
fn the_port_fits_on_one_screen() {
    assert_one_screen(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/multiprocessing.rs"
    ));
}
