//! Every fetching mode against servers that misbehave, started by the test on
//! 127.0.0.1: a body that never ends (announced as 10 GB, or chunked with no
//! length), a body cut off before its announced length, and a connection
//! that never answers. Each ends in one `error:` line per site, in bounded
//! time, and the body cap keeps the process's memory near what a normal run
//! uses.

use fetch_client::hostile::{Behaviour, Hostile, run_json};

const BIN: &str = env!("CARGO_BIN_EXE_async-fetch");
/// The cap the tests set: small, so that going past it would show in memory.
const CAP: u64 = 1 << 20;

/// Each fetching mode, pointed at `base`, with the cap and a timeout long
/// enough that only the cap (or the server closing) can end a fetch.
fn modes(base: &str) -> Vec<Vec<String>> {
    let url = format!("{base}/data/1");
    let cap = CAP.to_string();
    let common = ["--max-body-bytes", &cap, "--timeout-ms", "30000"];
    let sites = ["--base-url", base, "--tasks", "3", "--delay-ms", "0"];
    [
        [&["get", url.as_str()][..], &common].concat(),
        [&["http"][..], &sites, &common].concat(),
    ]
    .iter()
    .map(|mode| mode.iter().map(|s| s.to_string()).collect())
    .collect()
}

fn every_mode_fails_with(behaviour: Behaviour, reason: &str) -> Vec<(Vec<String>, u64)> {
    fetch_client::hostile::every_mode_fails_with(BIN, modes, behaviour, reason)
}

#[test]
fn an_endless_body_stops_at_the_cap_and_memory_stays_near_it() {
    let too_large = format!("the body is larger than {CAP} bytes");
    // The baseline: the same runs, failing on a body cut off at 10 bytes.
    let baseline = every_mode_fails_with(
        Behaviour::CutOff {
            announced: 100,
            sent: 10,
        },
        "the connection closed after 10 of 100 bytes",
    );
    for behaviour in [Behaviour::EndlessChunked, Behaviour::EndlessAnnounced] {
        let peaks = every_mode_fails_with(behaviour, &too_large);
        for ((mode, peak), (_, base)) in peaks.iter().zip(&baseline) {
            // Three sites may each hold a body up to the cap at once (they
            // run concurrently); allow
            // that plus 8 MiB of slack for a noisy allocator.
            let allowed = base + 3 * CAP / 1024 + 8 * 1024;
            assert!(
                *peak <= allowed,
                "{behaviour:?} {mode:?}: {peak} KiB at peak, against {base} KiB for a short body"
            );
        }
    }
}

#[test]
fn a_body_cut_off_is_a_connection_failure_not_bad_json() {
    every_mode_fails_with(
        Behaviour::CutOff {
            announced: 1000,
            sent: 300,
        },
        "the connection closed after 300 of 1000 bytes",
    );
}

#[test]
fn a_silent_server_times_out() {
    let server = Hostile::start(Behaviour::Silent).unwrap();
    let url = format!("{}/data/1", server.base_url());
    let out = run_json(BIN, &["get", &url, "--timeout-ms", "300"]);
    out.assert_exit(1);
    assert_eq!(
        out.error_lines(),
        [format!("error: GET {url}: timed out after 300 ms")],
        "{}",
        out.stderr
    );
}

#[test]
fn the_cap_is_a_checked_flag() {
    for mode in [&["get"][..], &["http"]] {
        let out = demo_kit::testing::run(BIN, &[mode, &["--max-body-bytes", "0"]].concat());
        out.assert_usage_error();
        assert!(
            out.stderr.contains("--max-body-bytes"),
            "{mode:?}: {}",
            out.stderr
        );
    }
    let help = demo_kit::testing::run(BIN, &["get", "--help"]);
    assert!(help.stdout.contains("--max-body-bytes"), "{}", help.stdout);
    assert!(help.stdout.contains("4194304"), "{}", help.stdout);
}
