//! The client side of the fetch demos, in one place: what `sync-fetch` and
//! `async-fetch` (and anything else that fetches from the slow server) share.
//!
//! - [`sites`]: the sites' names (`A` … `Z`, `A1` …), their URLs, the run's last line;
//! - [`fault`]: `--fault B=status`, the ways one site can be made to fail;
//! - [`args`]: the flags every fetching mode takes (`--timeout-ms`, `--fault`,
//!   `--base-url`, `--max-body-bytes`, a URL) and their value parsers;
//! - [`body`]: a response body read chunk by chunk under a cap, then decoded;
//! - `hostile` (feature `testing`): servers that misbehave, for the demos' tests;
//! - this page: the TLS set-up and a failed request worded as one clause.
//!
//! The HTTP calls themselves stay in the demos (blocking in one, async in the
//! other); this crate names only reqwest's error and URL types.
//!
//! ```
//! use fetch_client::{Fault, sites};
//!
//! let names: Vec<String> = sites::names(28).collect();
//! assert_eq!((names[0].as_str(), names[26].as_str()), ("A", "A1"));
//! assert_eq!(
//!     sites::site_url("http://127.0.0.1:8080", "B", 200, Some(Fault::Status), 30_000),
//!     "http://127.0.0.1:8080/site/B?delay_ms=200&status=503"
//! );
//! ```

pub mod args;
pub mod body;
pub mod fault;
#[cfg(feature = "testing")]
pub mod hostile;
pub mod sites;

pub use fault::Fault;

use std::error::Error;
use std::time::Duration;

/// Installs rustls's `ring` provider for `https://` URLs; call it before the
/// first client is built. rustls needs one crypto provider per process, and
/// reqwest is built with `rustls-no-provider` because ring builds faster than
/// the default aws-lc-rs. Calling it twice is harmless.
pub fn install_tls_provider() {
    // Err means a provider is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Why one request failed, in one clause for the `error:` line: reqwest's
/// verdict (timeout, status, connection, body), then the innermost words of
/// the error's source chain. reqwest's own `Display` names only its outermost
/// layer ("error sending request"); the words that help (connection refused,
/// expected value at line 1 …) are at the end of the chain. Blocking and async
/// reqwest share this one error type.
pub fn reason(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        format!("timed out after {} ms", timeout.as_millis())
    } else if let Some(status) = err.status() {
        format!("the server answered {status}")
    } else if err.is_connect() {
        format!("could not connect: {}", innermost(err))
    } else if err.is_decode() {
        format!("the body is not the JSON expected: {}", innermost(err))
    } else {
        format!("request failed: {}", innermost(err))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

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
    fn innermost_finds_the_os_words() {
        let refused = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(innermost(&refused), "Connection refused");
        assert_eq!(innermost(&std::io::Error::other("odd")), "odd");
    }
}
