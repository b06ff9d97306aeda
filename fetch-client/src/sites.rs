//! The sites a run fetches: their names, their URLs on the slow server (with
//! the switches a fault asks for), and the run's last line.

use crate::Fault;
use std::time::Duration;

/// The sites' names: A to Z, then A1 to Z1, A2 …, so that `--tasks 100` works.
pub fn names(count: usize) -> impl Iterator<Item = String> {
    (0..count).map(name)
}

/// The name of site `i` (counting from 0): `A`, …, `Z`, `A1`, …, `Z1`, `A2`, …
pub fn name(i: usize) -> String {
    let letter = char::from(b'A' + (i % 26) as u8);
    match i / 26 {
        0 => letter.to_string(),
        round => format!("{letter}{round}"),
    }
}

/// Where `name` comes in [`names`], or `None` if no site is called that.
pub fn index(name: &str) -> Option<usize> {
    let (&letter, round) = name.as_bytes().split_first()?;
    if !letter.is_ascii_uppercase() {
        return None;
    }
    let round: usize = match round {
        [] => 0,
        [b'1'..=b'9', rest @ ..] if rest.iter().all(u8::is_ascii_digit) => {
            std::str::from_utf8(round).ok()?.parse().ok()?
        }
        _ => return None,
    };
    round
        .checked_mul(26)?
        .checked_add(usize::from(letter - b'A'))
}

/// `{base}/site/{name}?delay_ms=…`, with the switches `fault` asks for.
pub fn site_url(
    base: &str,
    name: &str,
    delay_ms: u64,
    fault: Option<Fault>,
    timeout_ms: u64,
) -> String {
    match fault {
        None => format!("{base}/site/{name}?delay_ms={delay_ms}"),
        Some(Fault::Refused) => format!("{}/site/{name}?delay_ms={delay_ms}", closed_port_url()),
        Some(Fault::Status) => format!("{base}/site/{name}?delay_ms={delay_ms}&status=503"),
        Some(Fault::Invalid) => format!("{base}/site/{name}?delay_ms={delay_ms}&body=invalid"),
        Some(Fault::Timeout) => format!("{base}/site/{name}?delay_ms={}", late_ms(timeout_ms)),
    }
}

/// `{base}/data/1`, the single-call examples' document, after `delay_ms`.
pub fn document_url(base: &str, delay_ms: u64) -> String {
    match delay_ms {
        0 => format!("{base}/data/1"),
        ms => format!("{base}/data/1?delay_ms={ms}"),
    }
}

/// A second past the client's patience: the delay a `timeout` fault asks for.
pub fn late_ms(timeout_ms: u64) -> u64 {
    timeout_ms.saturating_add(1000)
}

/// A loopback URL where nobody listens: a port the OS just handed out and took back.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_or(9, |addr| addr.port()); // 9 (discard) is closed on any sane machine
    format!("http://127.0.0.1:{port}")
}

/// The run's last line: the article's when every site answered, a count of
/// the failures otherwise. `fetched_line` in scripts/python/demo_kit.py
/// prints the same.
pub fn fetched_line(total: usize, failed: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let websites = if total == 1 { "website" } else { "websites" };
    if failed == 0 {
        format!("All data fetched in {seconds:.2} seconds.")
    } else {
        format!(
            "Fetched {} of {total} {websites} in {seconds:.2} seconds; {failed} failed.",
            total - failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_past_z() {
        let names: Vec<String> = names(30).collect();
        assert_eq!(names[..3], ["A", "B", "C"]);
        assert_eq!(names[25], "Z");
        assert_eq!(names[26], "A1");
        assert_eq!(names[29], "D1");
    }

    #[test]
    fn names_are_distinct_and_index_finds_them() {
        let all: Vec<String> = names(10_000).collect();
        let unique: std::collections::HashSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        for (i, name) in all.iter().enumerate() {
            assert_eq!(index(name), Some(i), "{name}");
        }
        for bad in [
            "",
            "a",
            "1",
            "A0",
            "A01",
            "AA",
            "A-1",
            "Ä",
            "A99999999999999999999999",
        ] {
            assert_eq!(index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_last_line_counts_failures() {
        let t = Duration::from_millis(1234);
        assert_eq!(fetched_line(3, 0, t), "All data fetched in 1.23 seconds.");
        assert_eq!(
            fetched_line(3, 1, t),
            "Fetched 2 of 3 websites in 1.23 seconds; 1 failed."
        );
        assert_eq!(
            fetched_line(1, 1, t),
            "Fetched 0 of 1 website in 1.23 seconds; 1 failed."
        );
    }
}
