//! Threads the OS would not start, reported in two lines however many there are.
//!
//! Under a tight limit (try `ulimit -v 300000` and `--tasks 1000`) the OS may
//! refuse hundreds of threads with the same error; one line per thread would
//! bury the output. The first refusal is printed as it happens, the rest are
//! only counted, and [`Refused::report`] prints the count once the spawn loop
//! is over.

use std::fmt::Display;

/// How many threads the OS refused so far.
#[derive(Debug, Default)]
pub struct Refused {
    count: usize,
}

impl Refused {
    /// Records that thread `task` could not start; prints the first such error.
    pub fn note(&mut self, task: usize, err: &impl Display) {
        if self.count == 0 {
            demo_kit::error(format_args!("could not start thread {task}: {err}"));
        }
        self.count += 1;
    }

    /// How many threads were refused.
    pub fn count(&self) -> usize {
        self.count
    }

    /// After the spawn loop: one `error:` line with the count, if any was refused.
    pub fn report(&self, tasks: usize) {
        if self.count > 0 {
            demo_kit::error(format_args!(
                "{} of {tasks} threads could not start (the first error is above)",
                self.count
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_counted() {
        let mut refused = Refused::default();
        assert_eq!(refused.count(), 0);
        for task in [3, 7, 8] {
            refused.note(task, &"refused on purpose by this test");
        }
        assert_eq!(refused.count(), 3);
    }
}
