//! The flags every fetching mode takes, for clap: `--timeout-ms`, `--fault`,
//! `--base-url`, `--max-body-bytes` and a URL, each with the function that
//! reads it back.

use crate::fault::{Fault, check_faults, parse_fault};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, value_parser};
use reqwest::Url;

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

/// reqwest's own default timeout: how long a request may take unless
/// `--timeout-ms` says, or the delay plus [`TIMEOUT_MARGIN_MS`] if that is longer.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// The default timeout ([`default_timeout_ms`]) allows at least this long past a request's delay.
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

/// `--max-body-bytes N`; read it with [`max_body_bytes`].
pub fn max_body_arg() -> Arg {
    Arg::new("max-body-bytes")
        .long("max-body-bytes")
        .value_name("N")
        .help(format!(
            "Fail a site whose response body is larger than N bytes [default: {}, 4 MiB]",
            crate::body::DEFAULT_MAX_BODY_BYTES
        ))
        .value_parser(value_parser!(u64).range(1..=MAX_BODY_LIMIT))
}

/// The largest `--max-body-bytes`: 1 GiB, already more than a demo should hold.
pub const MAX_BODY_LIMIT: u64 = 1 << 30;

/// `--max-body-bytes`, or [`DEFAULT_MAX_BODY_BYTES`](crate::body::DEFAULT_MAX_BODY_BYTES).
pub fn max_body_bytes(matches: &ArgMatches) -> u64 {
    matches
        .get_one::<u64>("max-body-bytes")
        .copied()
        .unwrap_or(crate::body::DEFAULT_MAX_BODY_BYTES)
}

/// `--base-url URL`: fetch from this server instead of the in-process one.
pub fn base_url_arg() -> Arg {
    Arg::new("base-url")
        .long("base-url")
        .value_name("URL")
        .help("Fetch from this server instead of the in-process one (it must serve /site/{name})")
        .value_parser(parse_base_url)
}

/// The optional `URL` of the single-call `get` modes.
pub fn url_arg() -> Arg {
    Arg::new("url")
        .value_name("URL")
        .help("http:// or https:// URL [default: the in-process server's /data/1]")
        .value_parser(parse_url)
}

/// An `http://` or `https://` URL, as reqwest's own parser sees it (so that
/// what passes here is what the client will fetch); bad ones are usage errors.
/// Returns the text as given.
pub fn parse_url(text: &str) -> Result<String, String> {
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(text.to_string()),
        Ok(url) => Err(format!(
            "only http:// and https:// URLs can be fetched, not {}://",
            url.scheme()
        )),
        Err(err) => Err(format!("not a URL: {err}")),
    }
}

/// A base URL as [`site_url`](crate::sites::site_url) wants it: checked, without its trailing slash.
pub fn parse_base_url(text: &str) -> Result<String, String> {
    parse_url(text).map(|url| url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_timeout_outlasts_the_delay() {
        assert_eq!(default_timeout_ms(2000), 30_000);
        assert_eq!(default_timeout_ms(45_000), 55_000);
        assert_eq!(default_timeout_ms(u64::MAX), u64::MAX);
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            parse_url("https://127.0.0.1/"),
            Ok("https://127.0.0.1/".into())
        );
        assert!(parse_url("ftp://h/").unwrap_err().contains("not ftp://"));
        assert!(parse_url("h/x").unwrap_err().contains("relative URL"));
        assert_eq!(
            parse_base_url("http://127.0.0.1:1//"),
            Ok("http://127.0.0.1:1".into())
        );
    }
}
