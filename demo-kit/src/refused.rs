//! Tasks the OS would not start (a thread, a child process), reported in two
//! lines however many there are.
//!
//! Under a tight limit the OS may refuse hundreds of tasks with the same
//! error; one line each would bury the output. The first refusal is printed
//! as it happens, the rest are only counted, and [`Refused::report`] ends
//! the run with one line: how many started, how many could not, and why.

use std::fmt::Display;

/// The refusals of one run, for one kind of task.
#[derive(Debug)]
pub struct Refused {
    noun: &'static str,
    plural: &'static str,
    count: usize,
    first: Option<String>,
}

impl Refused {
    /// For tasks named `noun`, `plural`: `Refused::new("thread", "threads")`
    /// says "could not start thread 7", then "… of 1000 threads …".
    pub fn new(noun: &'static str, plural: &'static str) -> Self {
        Self {
            noun,
            plural,
            count: 0,
            first: None,
        }
    }

    /// Records that task `task` could not start; prints the first such error.
    pub fn note(&mut self, task: usize, err: &impl Display) {
        if self.first.is_none() {
            let why = err.to_string();
            crate::error(format_args!("could not start {} {task}: {why}", self.noun));
            self.first = Some(why);
        }
        self.count += 1;
    }

    /// How many refusals were noted.
    pub fn count(&self) -> usize {
        self.count
    }

    /// At the end of the run: if fewer than `tasks` started, one `error:`
    /// line, `15 of 1000 threads started; 985 could not: <first error>`.
    /// Tasks never tried (a run that stops at the first refusal) count as
    /// could-not, and the line says the run stopped there.
    pub fn report(&self, tasks: usize, started: usize) {
        if let Some(line) = self.line(tasks, started) {
            crate::error(line);
        }
    }

    /// The text of [`report`](Self::report)'s line, if there is one.
    pub fn line(&self, tasks: usize, started: usize) -> Option<String> {
        let why = self.first.as_deref()?;
        let not = tasks.saturating_sub(started);
        let stopped = if not > self.count {
            " (no more were tried after the first refusal)"
        } else {
            ""
        };
        Some(format!(
            "{started} of {tasks} {} started; {not} could not: {why}{stopped}",
            self.plural
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_counted_and_the_first_gives_the_reason() {
        let mut refused = Refused::new("thread", "threads");
        assert_eq!(refused.count(), 0);
        assert_eq!(refused.line(10, 10), None);
        for task in [3, 7, 8] {
            refused.note(task, &format!("refusal {task}"));
        }
        assert_eq!(refused.count(), 3);
        assert_eq!(
            refused.line(10, 7).as_deref(),
            Some("7 of 10 threads started; 3 could not: refusal 3")
        );
    }

    #[test]
    fn a_run_that_stops_says_so() {
        let mut refused = Refused::new("process", "processes");
        refused.note(4, &"EAGAIN: Try again");
        assert_eq!(
            refused.line(1000, 4).as_deref(),
            Some(
                "4 of 1000 processes started; 996 could not: EAGAIN: Try again \
                 (no more were tried after the first refusal)"
            )
        );
    }
}
