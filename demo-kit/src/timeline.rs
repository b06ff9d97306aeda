//! Each task's span drawn as a bar on one time axis, so a class can see at a
//! glance whether the tasks ran one after another or side by side.
//!
//! ```text
//! task 0 |████████████████████████████████████████          | 0 → 2001 ms
//! task 1 |                                        ██████████| 2001 → 2503 ms
//!        0 ms                                         2503 ms
//! ```

use crate::Span;
use std::fmt::Write;

/// Bars are this many characters wide.
pub const WIDTH: usize = 50;
/// Runs with more tasks show the first and last few and say how many were left out.
pub const MAX_ROWS: usize = 20;

/// The spans on an axis from 0 to `axis_ms`, [`WIDTH`] characters wide, so
/// that two charts drawn with the same `axis_ms` can be compared line by line.
pub fn render(spans: &[Span], axis_ms: f64) -> String {
    let mut out = String::new();
    let axis_ms = axis_ms.max(f64::MIN_POSITIVE);
    let last_task = spans.iter().map(|s| s.task).max().unwrap_or(0);
    let label = last_task.to_string().len();
    // The rows left out of a long run: those in the middle.
    let hidden = spans.len().saturating_sub(MAX_ROWS);
    let left_out = MAX_ROWS / 2..MAX_ROWS / 2 + hidden;
    for (row, span) in spans.iter().enumerate() {
        if row == left_out.start && hidden > 0 {
            let _ = writeln!(out, "  … {hidden} more tasks …");
        }
        if left_out.contains(&row) {
            continue;
        }
        let cell = |ms: f64| ((ms / axis_ms) * WIDTH as f64).clamp(0.0, WIDTH as f64);
        let from = cell(span.start_ms).floor() as usize;
        let to = (cell(span.end_ms).ceil() as usize).max(from + 1).min(WIDTH);
        let from = from.min(to.saturating_sub(1));
        let bar: String = (0..WIDTH)
            .map(|i| if (from..to).contains(&i) { '█' } else { ' ' })
            .collect();
        let _ = writeln!(
            out,
            "task {:>label$} |{bar}| {:.0} → {:.0} ms",
            span.task, span.start_ms, span.end_ms
        );
    }
    let end = format!("{axis_ms:.0} ms");
    let _ = write!(
        out,
        "{:pad$}0 ms{end:>rest$}",
        "",
        pad = label + 7,
        rest = (WIDTH + 1).saturating_sub(4)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(task: usize, start_ms: f64, end_ms: f64) -> Span {
        Span {
            task,
            start_ms,
            end_ms,
        }
    }

    fn bars(chart: &str) -> Vec<String> {
        chart
            .lines()
            .filter_map(|l| l.split('|').nth(1).map(str::to_string))
            .collect()
    }

    #[test]
    fn concurrent_spans_stack_sequential_spans_step() {
        let together = bars(&render(&[span(0, 0.0, 100.0), span(1, 0.0, 100.0)], 100.0));
        assert_eq!(together, vec!["█".repeat(WIDTH); 2]);
        let apart = bars(&render(&[span(0, 0.0, 50.0), span(1, 50.0, 100.0)], 100.0));
        let (half, blank) = ("█".repeat(WIDTH / 2), " ".repeat(WIDTH / 2));
        assert_eq!(
            apart,
            vec![format!("{half}{blank}"), format!("{blank}{half}")]
        );
    }

    #[test]
    fn a_short_span_still_shows() {
        let chart = render(&[span(0, 0.0, 0.01)], 1000.0);
        assert_eq!(bars(&chart), vec![format!("█{}", " ".repeat(WIDTH - 1))]);
        assert!(chart.ends_with("1000 ms"), "{chart}");
    }

    #[test]
    fn many_tasks_are_elided() {
        let spans: Vec<Span> = (0..100).map(|i| span(i, 0.0, 10.0)).collect();
        let chart = render(&spans, 10.0);
        assert_eq!(bars(&chart).len(), MAX_ROWS);
        assert!(chart.contains("80 more tasks"));
        assert!(chart.contains("task 99 |"));
    }

    #[test]
    fn empty_is_just_the_axis() {
        assert_eq!(render(&[], 0.0).lines().count(), 1);
    }
}
