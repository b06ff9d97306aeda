//! Exercises for the class: each is a small function that the tests in
//! `tests/<name>.rs` check. Built normally, this crate compiles the
//! solutions (`src/solution/`); with the `starter` feature it compiles the
//! starters (`src/starter/`) under the same paths instead, so one set of
//! tests turns red or green:
//!
//! ```text
//! cargo test -p exercises --features starter --test lost_updates   # red, until you fix the starter
//! cargo test -p exercises --test lost_updates                        # the solution: green
//! ```
//!
//! The briefs (what to do, what to observe, hints) are in `exercises/README.md`.

// A starter is a solution with lines taken out (`todo!()`): its unused
// arguments are expected, so they do not drown the test output in warnings.
#![cfg_attr(
    feature = "starter",
    allow(
        unused_variables,
        unused_imports,
        unreachable_code,
        dead_code,
        unused_mut
    )
)]

#[cfg_attr(not(feature = "starter"), path = "solution/lost_updates.rs")]
#[cfg_attr(feature = "starter", path = "starter/lost_updates.rs")]
pub mod lost_updates;

#[cfg_attr(not(feature = "starter"), path = "solution/downloader.rs")]
#[cfg_attr(feature = "starter", path = "starter/downloader.rs")]
pub mod downloader;

#[cfg_attr(not(feature = "starter"), path = "solution/gather_limits.rs")]
#[cfg_attr(feature = "starter", path = "starter/gather_limits.rs")]
pub mod gather_limits;

#[cfg(unix)]
#[cfg_attr(not(feature = "starter"), path = "solution/process_sum.rs")]
#[cfg_attr(feature = "starter", path = "starter/process_sum.rs")]
pub mod process_sum;

#[cfg_attr(not(feature = "starter"), path = "solution/unblock_loop.rs")]
#[cfg_attr(feature = "starter", path = "starter/unblock_loop.rs")]
pub mod unblock_loop;

#[cfg_attr(not(feature = "starter"), path = "solution/retry.rs")]
#[cfg_attr(feature = "starter", path = "starter/retry.rs")]
pub mod retry;
