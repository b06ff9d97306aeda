//! A clock started once per run, and the span of time each task occupied on it.

use std::time::{Duration, Instant};

/// Milliseconds since the start of the run, as `f64`, for every span and total.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// Starts the clock now; call it first thing in `main`.
    pub fn start() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Milliseconds since the start.
    pub fn ms(&self) -> f64 {
        self.elapsed().as_secs_f64() * 1e3
    }

    /// Runs `task` and returns its result with the span it occupied.
    pub fn span<T>(&self, task: usize, f: impl FnOnce() -> T) -> (T, Span) {
        let start_ms = self.ms();
        let value = f();
        (
            value,
            Span {
                task,
                start_ms,
                end_ms: self.ms(),
            },
        )
    }
}

/// When one task ran, in milliseconds since the start of the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// The task's number, from 0.
    pub task: usize,
    /// When the task began, in milliseconds since the run's [`Clock`] started.
    pub start_ms: f64,
    /// When the task returned, on the same clock as `start_ms`.
    pub end_ms: f64,
}

impl Span {
    /// How long it ran.
    pub fn duration_ms(&self) -> f64 {
        self.end_ms - self.start_ms
    }
}
