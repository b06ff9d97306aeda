//! Runs the `macros-demo` binary as a user would: the article's lines, the
//! compiler messages it shows (which must be the committed snapshots), the
//! JSON summary for `scripts/compare`, and its answers to bad flags.

use assert_cmd::cargo::cargo_bin;
use demo_kit::testing::{self, Run, num};

/// Runs the binary with `args` and returns what it did.
fn run(args: &[&str]) -> Run {
    testing::run(cargo_bin!("macros-demo"), args)
}

/// The seconds in `'name' ran in 0.0123 seconds.`, if `line` is that line
/// for `name` with four decimals.
fn seconds(line: &str, name: &str) -> Option<f64> {
    let rest = line.strip_prefix(&format!("'{name}' ran in "))?;
    let number = rest.strip_suffix(" seconds.")?;
    let (_, decimals) = number.split_once('.')?;
    (decimals.len() == 4).then(|| number.parse().ok())?
}

#[test]
fn the_default_run_is_the_articles_example() {
    let out = run(&[]);
    out.assert_exit(0);
    let text = &out.stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert!(seconds(lines[0], "complex_calculation").is_some(), "{text}");
    assert_eq!(lines[1], "Calculation result: 49999995000000");
}

#[test]
fn every_translation_times_the_same_sum() {
    let out = run(&["--n", "1000"]);
    out.assert_exit(0);
    let text = &out.stdout;
    for name in ["complex_calculation", "add_below", "add_below_rules"] {
        let timed: Vec<&str> = text
            .lines()
            .filter(|line| seconds(line, name).is_some())
            .collect();
        assert_eq!(timed.len(), 1, "one line for {name}: {text}");
    }
    assert!(text.contains("Calculation result: 499500\n"), "{text}");
    assert!(text.contains("Both give 499500 and 499500."), "{text}");
}

#[test]
fn car_runs_and_motorcycle_is_shown_as_the_compiler_rejected_it() {
    let text = run(&["--n", "10"]).stdout;
    // Each pair is labelled with what printed it: the inherent methods, then
    // the trait's methods through `&dyn Vehicle`.
    let pair = "  Starting the Model T.\n  Stopping the Model T.\n";
    let own =
        "Car's own methods (the impl block that #[enforce_interface(start, stop)] checked):\n";
    let by_trait = "The same car as a &dyn Vehicle (the Vehicle trait's methods):\n";
    assert!(
        text.contains(&format!("{own}{pair}{by_trait}{pair}")),
        "{text}"
    );
    assert!(
        text.contains("Motorcycle (no 'stop') was rejected at compile time"),
        "{text}"
    );
    // What the demo shows is what the trybuild test verifies: every line of
    // the committed snapshots, in order.
    for snapshot in [
        include_str!("ui/05-motorcycle-missing-stop.stderr"),
        include_str!("ui/06-vehicle-trait-missing-stop.stderr"),
    ] {
        let shown: String = snapshot
            .trim_end()
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect();
        assert!(text.contains(&shown), "{text}\nmissing:\n{shown}");
    }
    assert!(
        text.contains("    error: Class 'Motorcycle' must have a 'stop' method.\n"),
        "{text}"
    );
}

#[test]
fn the_derive_describes_the_types() {
    let text = run(&["--n", "10"]).stdout;
    assert!(
        text.contains("  Truck { model: String, load_kg: u32 }\n"),
        "{text}"
    );
    assert!(
        text.contains("  Garage { name: String, vehicles: Vec<V> }\n"),
        "{text}"
    );
}

#[test]
fn json_is_one_object_with_the_timing_fields() {
    let (out, value) = testing::run_json(cargo_bin!("macros-demo"), &["--n", "2000000"]);
    out.assert_exit(0);
    assert_eq!(value["demo"], "macros-demo");
    assert_eq!(value["variant"], "timed");
    assert_eq!(value["tasks"], 1);
    assert_eq!(value["ok"], 1);
    assert_eq!(value["failed"], 0);
    assert_eq!(value["n"], 2_000_000);
    assert_eq!(value["result"], 1_999_999_000_000u64);
    let (function_ms, elapsed_ms) = (num(&value, "function_ms"), num(&value, "elapsed_ms"));
    assert!(function_ms > 0.0 && function_ms <= elapsed_ms, "{value}");
    assert_eq!(value["spans"].as_array().map(Vec::len), Some(1));
    // The narrative moved to stderr, the article's line included.
    let line = out.stderr.lines().next().unwrap_or_default();
    let reported = seconds(line, "complex_calculation").expect("the timing line");
    // The JSON and the printed line come from the same measurement.
    assert!(
        (reported * 1e3 - function_ms).abs() < 0.1,
        "{line} vs {function_ms}"
    );
}

#[test]
fn function_ms_grows_with_n() {
    let time = |n: &str| {
        num(
            &testing::run_json(cargo_bin!("macros-demo"), &["--n", n]).1,
            "function_ms",
        )
    };
    // Wide margin: 20 million additions against none at all.
    assert!(time("20000000") > 5.0 * time("0").max(0.01));
}

#[test]
fn bad_flags_are_one_error_line_and_exit_2() {
    for args in [
        &["--n", "abc"][..],
        &["--n", "-5"],
        &["--n", "6000000001"],
        &["--tasks", "3"],
        &["--nope"],
    ] {
        run(args).assert_usage_error();
    }
}

#[test]
fn help_names_the_python_originals() {
    let out = run(&["--help"]);
    out.assert_exit(0);
    let text = &out.stdout;
    assert!(text.contains("@timing_decorator"), "{text}");
    assert!(text.contains("--n <N>"), "{text}");
}
