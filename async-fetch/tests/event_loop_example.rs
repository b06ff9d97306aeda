//! `examples/event_loop.rs`, the hand-written event loop, run as a student
//! runs it: it prints the article's lines, and the three waits overlap.

use std::path::PathBuf;
use std::process::Command;

/// The example's binary: cargo builds examples before it runs the tests, into
/// `target/<profile>/examples/`, beside the `deps/` directory this test runs from.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .ancestors()
        .find(|dir| dir.join("examples").is_dir() && dir.join("deps").is_dir())
        .expect("the test runs from target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("event_loop{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_three_fetches_wait_together_on_one_loop() {
    let out = Command::new(example_binary())
        .output()
        .expect("cargo test builds the event_loop example first");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "Fetching data from website A...",
            "Fetching data from website B...",
            "Fetching data from website C...",
            "Finished fetching data from website A.",
            "Finished fetching data from website B.",
            "Finished fetching data from website C.",
        ],
        "every fetch starts before any finishes: the waits overlap"
    );
    let seconds: f64 = lines[6]
        .strip_prefix("All data fetched in ")
        .and_then(|rest| rest.strip_suffix(" seconds."))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("the article's last line, got {:?}", lines[6]));
    // At least one 2 s wait; well under the 6 s of three waits in turn.
    assert!(
        (2.0..0.6 * 6.0).contains(&seconds),
        "{seconds} s: the waits did not overlap"
    );
    assert_eq!(lines.len(), 7, "{text}");
}
