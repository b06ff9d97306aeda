//! A response body read with a cap, chunk by chunk, for the blocking and the
//! async client alike.
//!
//! reqwest's `.json()` and `.bytes()` read the whole body into memory, however
//! large: a server that announces 10 GB and sends fast makes the client hold
//! gigabytes until the timeout stops it. Here the body is read a chunk at a
//! time into a [`CappedBody`], which refuses a body announced or grown past
//! the cap at once, so memory stays within the cap whatever the server sends.
//! A body that stops short of its announced length is a connection failure,
//! not a JSON error, and is reported as one.
//!
//! ```
//! use fetch_client::body::CappedBody;
//!
//! let mut body = CappedBody::new(8, None).unwrap();
//! body.push(b"[1, 2]").unwrap();
//! assert_eq!(body.push(b", 3]").unwrap_err(), "the body is larger than 8 bytes");
//! ```

use serde::de::DeserializeOwned;
use std::error::Error;
use std::time::Duration;

/// The cap when `--max-body-bytes` is not given: 4 MiB, room for any JSON
/// document a demo fetches (the slow server's answers are under 100 bytes).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 4 << 20;

/// A body being read: at most `cap` bytes, and the length the server
/// announced (`Content-Length`), if it did.
#[derive(Debug)]
pub struct CappedBody {
    cap: u64,
    expected: Option<u64>,
    bytes: Vec<u8>,
}

impl CappedBody {
    /// Starts a body whose server announced `content_length`; refused at
    /// once if that is already more than `cap`.
    pub fn new(cap: u64, content_length: Option<u64>) -> Result<Self, String> {
        if content_length.is_some_and(|n| n > cap) {
            return Err(too_large(cap));
        }
        // Room for the announced body (at most `cap`), so no reallocation.
        let room = content_length.map_or(0, |n| usize::try_from(n).unwrap_or(0));
        Ok(Self {
            cap,
            expected: content_length,
            bytes: Vec::with_capacity(room),
        })
    }

    /// Adds one chunk; fails as soon as the body passes the cap.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        let len = self.bytes.len() as u64 + chunk.len() as u64;
        if len > self.cap {
            return Err(too_large(self.cap));
        }
        if self.bytes.capacity() < len as usize {
            // Grow by doubling as `Vec` would, but never past the cap, so a
            // body just under the cap costs the cap, not twice it.
            let want = (self.bytes.capacity() * 2)
                .max(len as usize)
                .min(self.cap as usize);
            self.bytes.reserve_exact(want - self.bytes.len());
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// How many bytes have arrived.
    pub fn received(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Why reading failed after [`received`](Self::received) bytes: the
    /// timeout, if `err` or one of its sources says so, else the connection
    /// closing early.
    pub fn failed(&self, err: &(dyn Error + 'static), timeout: Duration) -> String {
        if timed_out(err) {
            format!("timed out after {} ms", timeout.as_millis())
        } else {
            self.closed_early()
        }
    }

    fn closed_early(&self) -> String {
        let got = self.received();
        match self.expected {
            Some(whole) => format!("the connection closed after {got} of {whole} bytes"),
            None => format!("the connection closed after {got} bytes, before the body's end"),
        }
    }

    /// The whole body, if as long as announced.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        match self.expected {
            Some(whole) if self.received() < whole => Err(self.closed_early()),
            _ => Ok(self.bytes),
        }
    }

    /// The whole body decoded from JSON (Python's `response.json()`).
    pub fn json<T: DeserializeOwned>(self) -> Result<T, String> {
        let bytes = self.finish()?;
        serde_json::from_slice(&bytes)
            .map_err(|err| format!("the body is not the JSON expected: {err}"))
    }
}

fn too_large(cap: u64) -> String {
    format!("the body is larger than {cap} bytes")
}

/// Whether `err`, or any error in its `source` chain, is a timeout
/// (reqwest's own, or an I/O error of kind `TimedOut` from the blocking reader).
fn timed_out(err: &(dyn Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
            || err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn an_announced_length_past_the_cap_is_refused_before_any_byte() {
        let err = CappedBody::new(1000, Some(10_000_000_000)).unwrap_err();
        assert_eq!(err, "the body is larger than 1000 bytes");
        assert!(CappedBody::new(1000, Some(1000)).is_ok());
    }

    #[test]
    fn the_cap_is_checked_chunk_by_chunk_and_memory_stays_under_it() {
        let mut body = CappedBody::new(10_000, None).unwrap();
        let chunk = [b' '; 999];
        for _ in 0..10 {
            body.push(&chunk).unwrap();
            assert!(body.bytes.capacity() <= 10_000);
        }
        assert_eq!(body.received(), 9990);
        assert_eq!(
            body.push(&chunk).unwrap_err(),
            "the body is larger than 10000 bytes"
        );
        body.push(b"1").unwrap(); // still room for exactly 10,000
        assert!(body.json::<Value>().is_ok());
    }

    #[test]
    fn a_short_body_is_a_closed_connection_not_bad_json() {
        let mut body = CappedBody::new(100, Some(10)).unwrap();
        body.push(b"{\"a\":").unwrap();
        let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(
            body.failed(&io, Duration::from_millis(5)),
            "the connection closed after 5 of 10 bytes"
        );
        let timeout = std::io::Error::new(std::io::ErrorKind::TimedOut, "slow");
        assert_eq!(
            body.failed(&timeout, Duration::from_millis(5)),
            "timed out after 5 ms"
        );
        assert_eq!(
            body.json::<Value>().unwrap_err(),
            "the connection closed after 5 of 10 bytes"
        );
        let mut chunked = CappedBody::new(100, None).unwrap();
        chunked.push(b"{").unwrap();
        assert!(
            chunked
                .json::<Value>()
                .unwrap_err()
                .starts_with("the body is not the JSON expected")
        );
    }
}
