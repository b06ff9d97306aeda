//! The small library every demo shares, so each demo's `main.rs` can stay a
//! faithful port of the article's example:
//!
//! - [`cli`]: the common flags (`--tasks`, `--delay-ms`, `--json`, `--timeline`),
//!   exit codes, and one-line `error: …` messages instead of panics;
//! - [`say!`]: `println!` that moves to stderr under `--json`, so stdout holds
//!   exactly one JSON object;
//! - [`narration`]: a long run's narrative cut to its first lines and a count;
//! - [`refused`]: the first thread or process the OS refused, and one line counting them all;
//! - [`span`]: a clock started at the top of `main` and the start/end of each task;
//! - [`summary`]: the JSON summary every demo prints under `--json`, with its peak memory;
//! - [`timeline`]: each task's span drawn as a bar on a shared time axis;
//! - [`work`]: the CPU-bound kernel, its flags and timing, shared by both `cpu` subcommands.
//!
//! It depends on std, clap (builder API), serde_json and libc only, so that
//! `cargo run -p threads-demo` stays quick to build.

pub mod cli;
pub mod narration;
pub mod refused;
pub mod span;
pub mod summary;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timeline;
pub mod work;

pub use cli::{Common, Limits};
pub use refused::Refused;
pub use span::{Clock, Span};
pub use summary::Summary;

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static NARRATE_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends the narrative ([`say!`]) to stderr (`true`) or stdout (`false`).
///
/// [`Common::set_narration`] calls it with `--json`'s value; a binary
/// without the common flags (`slow-server`) calls it itself.
pub fn narrate_to_stderr(on: bool) {
    NARRATE_TO_STDERR.store(on, Ordering::Relaxed);
}

/// Writes one line of narrative; see [`say!`].
///
/// A closed stdout (`demo | head -1`) is not an error worth a panic: the line
/// is dropped, as Python's `print` would eventually do with a broken pipe.
pub fn narrate(args: fmt::Arguments<'_>) {
    if !narration::shows_next_line() {
        return;
    }
    let line = format!("{args}\n");
    if NARRATE_TO_STDERR.load(Ordering::Relaxed) {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    } else {
        write_stdout(&line);
    }
}

/// Writes `text` to stdout and flushes it, ignoring errors: unlike `print!`,
/// it does not panic when the reader has gone (`EPIPE`, as in `demo | head -1`).
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `println!` for the narrative: stdout normally, stderr under `--json`.
///
/// Each call writes one whole line under the stream's lock, so lines from
/// different threads never mix within a line (their order still varies).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::narrate(::std::format_args!($($arg)*))
    };
}

/// Prints `error: {message}` on stderr: the one line a user sees when something fails.
pub fn error(message: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}
