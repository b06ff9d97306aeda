//! Every fetching mode against servers that misbehave, started by the test on
//! 127.0.0.1: a body that never ends (announced as 10 GB, or chunked with no
//! length), a body cut off before its announced length, and a connection
//! that never answers. Each ends in one `error:` line per site, in bounded
//! time, and the body cap keeps the process's memory near what a normal run
//! uses.

use fetch_client::hostile;

const BIN: &str = env!("CARGO_BIN_EXE_async-fetch");
/// The modes that fetch several sites; `get` is checked as well.
const SITE_MODES: &[&[&str]] = &[&["http"]];

#[test]
fn an_endless_body_stops_at_the_cap_and_memory_stays_near_it() {
    hostile::an_endless_body_stops_at_the_cap(BIN, SITE_MODES);
}

#[test]
fn a_body_cut_off_is_a_connection_failure_not_bad_json() {
    hostile::a_body_cut_off_is_a_connection_failure(BIN, SITE_MODES);
}

#[test]
fn a_silent_server_times_out() {
    hostile::a_silent_server_times_out(BIN);
}

#[test]
fn the_cap_is_a_checked_flag() {
    hostile::the_cap_is_a_checked_flag(BIN, SITE_MODES);
}
