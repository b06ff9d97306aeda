//! The library half of `macros-demo`: the three macros of the `macros`
//! crate, re-exported, and the plain-Rust pieces they lean on.
//!
//! - [`timed`](macro@timed), [`enforce_interface`](macro@enforce_interface)
//!   and [`Describe`](macro@Describe): the proc macros (see the `macros` crate);
//! - [`decorator`]: the two plainer translations of a Python decorator, a
//!   function that takes a closure and returns a timed one, and the
//!   [`timed_fn!`] `macro_rules!` version;
//! - [`describe`]: the trait that `#[derive(Describe)]` implements;
//! - [`snapshots`]: the compiler's messages for the rejected types, read from
//!   the committed trybuild snapshots so the demo shows what the tests check.
//!
//! The binary (`src/main.rs`) is the article's example; the tests under
//! `tests/` use this library, and so do the trybuild cases in `tests/ui/`.

// The code `#[derive(Describe)]` writes names `::macros_demo::Describe`;
// this line lets that path work inside this crate too.
extern crate self as macros_demo;

pub mod decorator;
pub mod describe;
pub mod snapshots;

pub use decorator::{report_line, timing_decorator};
pub use describe::{Describe, Field};
pub use macros::{Describe, enforce_interface, timed};
