//! A run of 10,000 tasks prints 20,000 lines of narrative: more than a class
//! can read, and enough to flood a projector's terminal. Between
//! [`begin`] and [`end`], a run of more than [`SHOWN_LINES`] tasks prints
//! only its first [`SHOWN_LINES`] lines of narrative; [`end`] then says how
//! many it left out. `--verbose` prints every line.
//!
//! ```text
//! Thread 0: Starting...
//! …                          (10 lines in all)
//! … and 1990 more lines like these, not shown (--verbose prints every line).
//! All threads have finished.
//! ```
//!
//! Threads and async tasks share one count. Forked children each get a copy
//! of it, so the parent calls [`reserve`] after each fork for the lines that
//! child will print: child `i` then finds the count where it would stand had
//! the children printed in order.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How many lines of task narrative a long run shows before it stops.
pub const SHOWN_LINES: u64 = 10;

static VERBOSE: AtomicBool = AtomicBool::new(false);
/// Lines shown after which the narrative is cut; `u64::MAX` outside [`begin`]/[`end`].
static BUDGET: AtomicU64 = AtomicU64::new(u64::MAX);
/// Lines of narrative since [`begin`], shown or not: those past the budget were left out.
static SAID: AtomicU64 = AtomicU64::new(0);

/// Records `--verbose` (every line printed, whatever the number of tasks).
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

/// Starts the task narrative of a run of `tasks` tasks: above
/// [`SHOWN_LINES`] tasks, and without `--verbose`, only the first
/// [`SHOWN_LINES`] lines are printed.
pub fn begin(tasks: usize) {
    SAID.store(0, Ordering::Relaxed);
    let cut = tasks as u64 > SHOWN_LINES && !VERBOSE.load(Ordering::Relaxed);
    BUDGET.store(if cut { SHOWN_LINES } else { u64::MAX }, Ordering::Relaxed);
}

/// Counts `lines` that a forked child will print as if this process had
/// printed them (see the module comment).
pub fn reserve(lines: u64) {
    SAID.fetch_add(lines, Ordering::Relaxed);
}

/// Whether the next line of narrative is printed (and counts it).
pub(crate) fn shows_next_line() -> bool {
    SAID.fetch_add(1, Ordering::Relaxed) < BUDGET.load(Ordering::Relaxed)
}

/// Ends the task narrative: every later line is printed again, and if lines
/// were left out, one line says how many.
pub fn end() {
    let budget = BUDGET.swap(u64::MAX, Ordering::Relaxed);
    let hidden = SAID.load(Ordering::Relaxed).saturating_sub(budget);
    if hidden > 0 {
        crate::say!(
            "… and {hidden} more lines like these, not shown (--verbose prints every line)."
        );
    }
}
