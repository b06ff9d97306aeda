//! The one-screen ports, `examples/asynchronous.rs` and
//! `examples/get_data_async.rs`, print what the article's examples print,
//! and so do the measuring binary and the Python equivalent: they cannot
//! drift apart.

use demo_kit::testing::ports::{
    Order, assert_all_start_before_any_finish, assert_one_screen, assert_same_lines, document,
    example_stdout, python,
};
use demo_kit::testing::run;

/// What the article's asyncio example prints (the finishing order may vary).
const ARTICLE: &str = "\
Fetching data from website A...
Fetching data from website B...
Fetching data from website C...
Finished fetching data from website A.
Finished fetching data from website B.
Finished fetching data from website C.
All data fetched in 2.00 seconds.";

/// The port's stdout (it runs once: it waits the article's seconds).
fn port() -> &'static str {
    example_stdout("asynchronous")
}

#[test]
fn the_port_prints_the_articles_lines_with_the_fetches_at_once() {
    assert_same_lines("the port vs the article", port(), ARTICLE, Order::Any);
    assert_all_start_before_any_finish(port(), "Fetching", "Finished");
}

#[test]
fn the_measuring_binary_prints_the_ports_lines() {
    let lab = run(env!("CARGO_BIN_EXE_async-fetch"), &["--delay-ms", "50"]);
    lab.assert_exit(0);
    assert_same_lines("async-fetch vs the port", &lab.stdout, port(), Order::Any);
}

#[test]
fn the_python_equivalent_prints_the_ports_lines() {
    let Some(python) = python("async_fetch.py", &["--delay-ms", "50"]) else {
        return;
    };
    python.assert_exit(0);
    assert_same_lines(
        "async_fetch.py vs the port",
        &python.stdout,
        port(),
        Order::Any,
    );
}

#[test]
fn the_single_call_port_prints_the_document_the_binary_and_python_print() {
    let data = document(example_stdout("get_data_async"));
    // The article asks for /data/1; the local server answers with document 1.
    assert_eq!(data["id"], 1, "{data}");

    let lab = run(env!("CARGO_BIN_EXE_async-fetch"), &["get"]);
    lab.assert_exit(0);
    assert_eq!(document(&lab.stdout), data, "async-fetch get vs the port");

    // Python fetches from the same kind of server: one started here.
    let server = slow_server::Server::start().unwrap();
    let url = format!("{}/data/1", server.base_url());
    if let Some(python) = python("async_fetch.py", &["get", &url]) {
        python.assert_exit(0);
        assert_eq!(
            document(&python.stdout),
            data,
            "async_fetch.py get vs the port"
        );
    }
}

#[test]
fn the_ports_fit_on_one_screen() {
    assert_one_screen(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/asynchronous.rs"
    ));
    assert_one_screen(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/get_data_async.rs"
    ));
}
