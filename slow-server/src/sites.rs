//! The client's side of the slow server, shared by `sync-fetch` and
//! `async-fetch`: the sites' names, their URLs, the faults a run can ask for
//! (`--fault B=status`) and the `--timeout-ms` flag, and a failed request
//! worded as one short clause.
//!
//! Everything here is std (plus clap for the two flags): the HTTP client and
//! its URL parser stay in the demos, so the server never builds reqwest.
//!
//! ```
//! use slow_server::sites::{self, Fault};
//!
//! let names: Vec<String> = sites::names(28).collect();
//! assert_eq!((names[0].as_str(), names[26].as_str()), ("A", "A1"));
//! assert_eq!(sites::parse_fault("b=status"), Ok(("B".to_string(), Fault::Status)));
//! assert_eq!(
//!     sites::site_url("http://127.0.0.1:8080", "B", 200, Some(Fault::Status), 30_000),
//!     "http://127.0.0.1:8080/site/B?delay_ms=200&status=503"
//! );
//! ```

use crate::MAX_DELAY_MS;
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, value_parser};
use std::error::Error;
use std::fmt;
use std::str::FromStr;
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

/// A way to make one site fail on purpose (`--fault B=status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The site's URL points at a port nobody listens on.
    Refused,
    /// The server answers 503.
    Status,
    /// The server answers 200 with a body that is not JSON.
    Invalid,
    /// The server answers a second after the client's timeout.
    Timeout,
}

impl Fault {
    /// Every fault, in the order the help lists them.
    pub const ALL: [Fault; 4] = [
        Fault::Refused,
        Fault::Status,
        Fault::Invalid,
        Fault::Timeout,
    ];

    /// The KIND in `--fault SITE=KIND`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Refused => "refused",
            Fault::Status => "status",
            Fault::Invalid => "invalid",
            Fault::Timeout => "timeout",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(kind: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name() == kind)
            .ok_or_else(|| {
                format!("unknown fault {kind:?}: use refused, status, invalid or timeout")
            })
    }
}

/// `B=status`, `a1=timeout` (a site name is not case-sensitive): the value
/// parser of `--fault`. Whether the run has that site is [`check_faults`]'s job.
pub fn parse_fault(spec: &str) -> Result<(String, Fault), String> {
    let (site, kind) = spec
        .split_once('=')
        .ok_or_else(|| "expected SITE=KIND, like B=status".to_string())?;
    let fault = kind.parse()?;
    let site = site.to_ascii_uppercase();
    if index(&site).is_none() {
        return Err(format!(
            "{site:?} is not a site name (A to Z, then A1 to Z1, A2 …)"
        ));
    }
    Ok((site, fault))
}

/// Checks the faults against the run: each names one of its `count` sites,
/// no site is named twice (one site fails one way), and a `timeout` fault
/// fits under the server's [`MAX_DELAY_MS`].
pub fn check_faults(
    faults: &[(String, Fault)],
    count: usize,
    timeout_ms: u64,
) -> Result<(), String> {
    for (n, (site, fault)) in faults.iter().enumerate() {
        if let Some((_, first)) = faults[..n].iter().find(|(s, _)| s == site) {
            return Err(format!(
                "--fault {site}={first} and --fault {site}={fault}: a site can fail only one way, give one --fault per site"
            ));
        }
        if index(site).is_none_or(|i| i >= count) {
            return Err(format!(
                "--fault {site}={fault}: this run has no website {site} (its sites are {} to {})",
                name(0),
                name(count.saturating_sub(1))
            ));
        }
        if *fault == Fault::Timeout && late_ms(timeout_ms) > MAX_DELAY_MS {
            return Err(format!(
                "--fault {site}=timeout needs --timeout-ms of at most {} (the server waits at most {MAX_DELAY_MS} ms)",
                MAX_DELAY_MS - 1000
            ));
        }
    }
    Ok(())
}

/// The fault asked for `site`, if any ([`check_faults`] refuses a site named twice).
pub fn fault_for(faults: &[(String, Fault)], site: &str) -> Option<Fault> {
    faults.iter().find(|(s, _)| s == site).map(|&(_, f)| f)
}

/// `--fault SITE=KIND`, repeatable; read it with [`faults`].
pub fn fault_arg() -> Arg {
    Arg::new("fault")
        .long("fault")
        .value_name("SITE=KIND")
        .help("Make one site fail on purpose; KIND: refused, status, invalid, timeout (repeatable)")
        .value_parser(parse_fault)
        .action(ArgAction::Append)
}

/// The `--fault`s given, checked against the run with [`check_faults`].
pub fn faults(
    matches: &ArgMatches,
    count: usize,
    timeout_ms: u64,
) -> Result<Vec<(String, Fault)>, String> {
    let faults: Vec<(String, Fault)> = matches
        .get_many::<(String, Fault)>("fault")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    check_faults(&faults, count, timeout_ms)?;
    Ok(faults)
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

/// reqwest's own default timeout: how long a request may take unless
/// `--timeout-ms` says, or the delay plus [`TIMEOUT_MARGIN_MS`] if that is longer.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// See [`DEFAULT_TIMEOUT_MS`].
pub const TIMEOUT_MARGIN_MS: u64 = 10_000;

/// The timeout when `--timeout-ms` is not given, for requests that wait `delay_ms`.
pub fn default_timeout_ms(delay_ms: u64) -> u64 {
    DEFAULT_TIMEOUT_MS.max(delay_ms.saturating_add(TIMEOUT_MARGIN_MS))
}

/// `--timeout-ms MS`; read it with [`timeout_ms`].
pub fn timeout_arg() -> Arg {
    Arg::new("timeout-ms")
        .long("timeout-ms")
        .value_name("MS")
        .help("Give up on a request after this long [default: 30000, or --delay-ms + 10000 if longer]")
        .value_parser(value_parser!(u64).range(1..=600_000))
}

/// `--timeout-ms`, or [`default_timeout_ms`] for `delay_ms`.
pub fn timeout_ms(matches: &ArgMatches, delay_ms: u64) -> u64 {
    matches
        .get_one::<u64>("timeout-ms")
        .copied()
        .unwrap_or_else(|| default_timeout_ms(delay_ms))
}

/// How long `get`'s request waits on the in-process server: `--delay-ms`
/// only if it was given on the command line (the default 2 s is for the
/// simulated fetches, not for the article's single call).
pub fn get_delay_ms(matches: &ArgMatches, delay_ms: u64) -> u64 {
    match matches.value_source("delay-ms") {
        Some(ValueSource::CommandLine) => delay_ms,
        _ => 0,
    }
}

/// Checks a URL from the command line, for a clap value parser: `scheme` is
/// what the HTTP client's own URL parser made of `text` (so that what passes
/// here is what the client will fetch). Returns `text` as given.
pub fn http_url(text: &str, scheme: Result<&str, impl fmt::Display>) -> Result<String, String> {
    match scheme {
        Ok("http" | "https") => Ok(text.to_string()),
        Ok(other) => Err(format!(
            "only http:// and https:// URLs can be fetched, not {other}://"
        )),
        Err(err) => Err(format!("not a URL: {err}")),
    }
}

/// A base URL as [`site_url`] wants it: without its trailing slash.
pub fn base_url(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

/// Why a request failed, as the HTTP client classified it (`reqwest_reason`
/// maps a reqwest error onto it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No complete answer within the timeout.
    TimedOut(Duration),
    /// The server answered with this non-2xx status (e.g. `503 Service Unavailable`).
    Status(String),
    /// No connection: refused, unreachable, a failed TLS handshake.
    Connect,
    /// The body is not the JSON expected.
    Decode,
    /// Anything else.
    Other,
}

impl Failure {
    /// One short clause for the `error:` line. The client's own `Display`
    /// names only its outermost layer ("error sending request"); the words
    /// that help (connection refused, expected value at line 1 …) are at the
    /// end of `err`'s source chain.
    pub fn reason(&self, err: &(dyn Error + 'static)) -> String {
        match self {
            Failure::TimedOut(timeout) => format!("timed out after {} ms", timeout.as_millis()),
            Failure::Status(status) => format!("the server answered {status}"),
            Failure::Connect => format!("could not connect: {}", innermost(err)),
            Failure::Decode => format!("the body is not the JSON expected: {}", innermost(err)),
            Failure::Other => format!("request failed: {}", innermost(err)),
        }
    }
}

/// Why one reqwest request failed, in one clause: reqwest's verdict, worded
/// by [`Failure`]. (Feature `reqwest`, which sync-fetch and async-fetch turn
/// on; blocking and async reqwest share the one error type.)
#[cfg(feature = "reqwest")]
pub fn reqwest_reason(err: &reqwest::Error, timeout: Duration) -> String {
    let failure = if err.is_timeout() {
        Failure::TimedOut(timeout)
    } else if let Some(status) = err.status() {
        Failure::Status(status.to_string())
    } else if err.is_connect() {
        Failure::Connect
    } else if err.is_decode() {
        Failure::Decode
    } else {
        Failure::Other
    };
    failure.reason(err)
}

/// The last error in `err`'s `source` chain (`err` itself if it has none):
/// the OS's or the parser's own words.
pub fn innermost(err: &(dyn Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// The run's last line: the article's when every site answered, a count of
/// the failures otherwise.
pub fn fetched_line(total: usize, failed: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if failed == 0 {
        format!("All data fetched in {seconds:.2} seconds.")
    } else {
        format!(
            "Fetched {} of {total} websites in {seconds:.2} seconds; {failed} failed.",
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
    fn faults_parse() {
        assert_eq!(parse_fault("b=status"), Ok(("B".into(), Fault::Status)));
        assert_eq!(parse_fault("A1=timeout"), Ok(("A1".into(), Fault::Timeout)));
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse(), Ok(fault));
        }
        for bad in ["B", "B=slow", "1=status", "=status", "AA=status"] {
            assert!(parse_fault(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn faults_are_checked_against_the_run() {
        let faults = |site: &str, fault| vec![(site.to_string(), fault)];
        assert_eq!(check_faults(&faults("C", Fault::Status), 3, 1000), Ok(()));
        let err = check_faults(&faults("D", Fault::Status), 3, 1000).unwrap_err();
        assert!(
            err.contains("no website D") && err.contains("A to C"),
            "{err}"
        );
        assert_eq!(
            check_faults(&faults("A", Fault::Timeout), 3, 59_000),
            Ok(())
        );
        let err = check_faults(&faults("A", Fault::Timeout), 3, 59_001).unwrap_err();
        assert!(err.contains("at most 59000"), "{err}");
        let twice = [
            ("B".to_string(), Fault::Status),
            ("B".to_string(), Fault::Invalid),
        ];
        let err = check_faults(&twice, 3, 1000).unwrap_err();
        assert!(err.contains("B=status and --fault B=invalid"), "{err}");
        let two_sites = [
            ("A".to_string(), Fault::Status),
            ("B".to_string(), Fault::Status),
        ];
        assert_eq!(check_faults(&two_sites, 3, 1000), Ok(()));
    }

    #[test]
    fn fault_urls_carry_the_switches() {
        let base = "http://127.0.0.1:1234";
        assert_eq!(
            site_url(base, "A", 200, None, 1000),
            "http://127.0.0.1:1234/site/A?delay_ms=200"
        );
        assert!(site_url(base, "A", 200, Some(Fault::Status), 1000).ends_with("&status=503"));
        assert!(site_url(base, "A", 200, Some(Fault::Invalid), 1000).ends_with("&body=invalid"));
        assert_eq!(
            site_url(base, "A", 200, Some(Fault::Timeout), 300),
            "http://127.0.0.1:1234/site/A?delay_ms=1300"
        );
        let refused = site_url(base, "A", 200, Some(Fault::Refused), 1000);
        assert!(
            refused.starts_with("http://127.0.0.1:") && !refused.starts_with(base),
            "{refused}"
        );
        assert_eq!(document_url(base, 0), "http://127.0.0.1:1234/data/1");
        assert_eq!(
            document_url(base, 5),
            "http://127.0.0.1:1234/data/1?delay_ms=5"
        );
    }

    #[test]
    fn the_default_timeout_outlasts_the_delay() {
        assert_eq!(default_timeout_ms(2000), 30_000);
        assert_eq!(default_timeout_ms(45_000), 55_000);
        assert_eq!(default_timeout_ms(u64::MAX), u64::MAX);
    }

    #[test]
    fn urls_are_checked() {
        let ok: Result<&str, &str> = Ok("https");
        assert_eq!(
            http_url("https://127.0.0.1/", ok),
            Ok("https://127.0.0.1/".into())
        );
        let ftp: Result<&str, &str> = Ok("ftp");
        assert!(
            http_url("ftp://h/", ftp)
                .unwrap_err()
                .contains("not ftp://")
        );
        let bad: Result<&str, &str> = Err("relative URL without a base");
        assert!(http_url("h/x", bad).unwrap_err().contains("relative URL"));
        assert_eq!(base_url("http://127.0.0.1:1//"), "http://127.0.0.1:1");
    }

    /// An error with a cause, like reqwest's "error sending request" over the OS's words.
    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("error sending request")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_failure_is_one_clause_with_the_innermost_words() {
        let refused = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(
            Failure::Connect.reason(&refused),
            "could not connect: Connection refused"
        );
        assert_eq!(
            Failure::TimedOut(Duration::from_millis(200)).reason(&refused),
            "timed out after 200 ms"
        );
        assert_eq!(
            Failure::Status("503 Service Unavailable".into()).reason(&refused),
            "the server answered 503 Service Unavailable"
        );
        let alone = std::io::Error::other("odd");
        assert_eq!(Failure::Other.reason(&alone), "request failed: odd");
    }

    #[test]
    fn the_last_line_counts_failures() {
        let t = Duration::from_millis(1234);
        assert_eq!(fetched_line(3, 0, t), "All data fetched in 1.23 seconds.");
        assert_eq!(
            fetched_line(3, 1, t),
            "Fetched 2 of 3 websites in 1.23 seconds; 1 failed."
        );
    }
}
