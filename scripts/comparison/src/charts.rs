//! The report's charts, drawn as SVG text by `plotters`: a timeline of one
//! run's spans, the CPU speedups against the ideal, and a per-task cost
//! against N on log axes.
//!
//! Plotters is built without its font features, so it never opens a system
//! font: the SVG holds `<text>` elements that the browser sets in its own
//! sans-serif, and plotters lays them out by an estimate of their width.

use demo_kit::Span;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every chart, in SVG pixels.
pub const WIDTH: u32 = 720;

/// The colour of Rust's bars and lines.
pub const RUST: RGBColor = RGBColor(0xb7, 0x41, 0x0e);
/// The colour of Python's bars and lines.
pub const PYTHON: RGBColor = RGBColor(0x30, 0x69, 0x98);
/// One colour per kind in the scale charts (the same for Rust and Python).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x1b, 0x9e, 0x77),
    RGBColor(0xd9, 0x5f, 0x02),
    RGBColor(0x75, 0x70, 0xb3),
    RGBColor(0xe7, 0x29, 0x8a),
    RGBColor(0x66, 0xa6, 0x1e),
    RGBColor(0xa6, 0x76, 0x1d),
];

/// The most tasks a timeline draws; a run with more draws its first ones.
pub const MAX_BARS: usize = 50;

/// Any drawing error, as one clause.
fn failed<E: std::fmt::Debug>(err: E) -> String {
    format!("could not draw a chart: {err:?}")
}

/// A fresh SVG canvas of `height` pixels that draws into `out`, filled white.
fn canvas(out: &mut String, height: u32) -> Result<DrawingArea<SVGBackend<'_>, Shift>, String> {
    let root = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    Ok(root)
}

/// The series' labels in the upper right corner, on a pale box.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(failed)
}

/// The height of a timeline panel of `rows` tasks.
fn panel_height(rows: usize) -> u32 {
    90 + 22 * rows.clamp(1, MAX_BARS) as u32
}

/// One run's spans as bars on a time axis from 0 to `axis_ms`: task 0 at the
/// top, each bar from the task's start to its end. Charts drawn with the
/// same `axis_ms` can be read one above the other.
pub fn timeline(
    title: &str,
    spans: &[Span],
    axis_ms: f64,
    colour: RGBColor,
) -> Result<String, String> {
    stacked(&[(title.to_string(), spans.to_vec(), colour)], axis_ms)
}

/// Several runs' timelines in one SVG, one above the other on the same time
/// axis from 0 to `axis_ms`: the sequential staircase over the concurrent block.
pub fn stacked(panels: &[(String, Vec<Span>, RGBColor)], axis_ms: f64) -> Result<String, String> {
    let heights: Vec<u32> = panels
        .iter()
        .map(|(_, spans, _)| panel_height(spans.len()))
        .collect();
    let mut out = String::new();
    {
        let root = canvas(&mut out, heights.iter().sum::<u32>().max(1))?;
        let mut rest = root.clone();
        for ((title, spans, colour), height) in panels.iter().zip(&heights) {
            let (area, below) = rest.split_vertically(*height);
            draw_timeline(&area, title, spans, axis_ms, *colour)?;
            rest = below;
        }
        root.present().map_err(failed)?;
    }
    Ok(out)
}

/// Draws one timeline panel on `area`.
fn draw_timeline(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    spans: &[Span],
    axis_ms: f64,
    colour: RGBColor,
) -> Result<(), String> {
    let shown = &spans[..spans.len().min(MAX_BARS)];
    let rows = shown.len().max(1);
    let top = rows as f64 - 0.5;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..axis_ms.max(1.0), -0.5..top)
        .map_err(failed)?;
    let row_of = |i: usize| (rows - 1 - i) as f64;
    let label = |y: &f64| {
        let i = rows as f64 - 1.0 - y.round();
        // Only whole rows get a name; plotters may ask for in-between ticks.
        if (y - y.round()).abs() < 1e-6 && i >= 0.0 {
            shown
                .get(i as usize)
                .map_or(String::new(), |s| format!("task {}", s.task))
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows)
        .y_label_formatter(&label)
        .x_desc("ms since the program started")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(shown.iter().enumerate().map(|(i, s)| {
            let y = row_of(i);
            Rectangle::new(
                [(s.start_ms, y - 0.32), (s.end_ms, y + 0.32)],
                colour.filled(),
            )
        }))
        .map_err(failed)?;
    Ok(())
}

/// One bar of the speedup chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Whose speedup: `Rust rayon`, `Py processes`.
    pub name: String,
    /// The speedup, if that run succeeded.
    pub value: Option<f64>,
    /// Rust's colour or Python's.
    pub rust: bool,
}

/// The speedups as bars, with the ideal (`workers`×) as a dashed line and
/// 1× (no gain) as a thin one.
pub fn speedups(title: &str, bars: &[Bar], ideal: f64) -> Result<String, String> {
    let top = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(ideal, f64::max)
        .max(1.0)
        * 1.2;
    let n = bars.len().max(1);
    let mut out = String::new();
    {
        let root = canvas(&mut out, 360)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..top)
            .map_err(failed)?;
        let name = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                bars.get(i as usize)
                    .map_or(String::new(), |b| b.name.clone())
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&name)
            .y_desc("speedup (×)")
            .y_label_formatter(&|y| format!("{y:.1}"))
            .draw()
            .map_err(failed)?;
        let colour = |b: &Bar| if b.rust { RUST } else { PYTHON };
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                let x = i as f64;
                let v = b.value?;
                Some(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, v)],
                    colour(b).filled(),
                ))
            }))
            .map_err(failed)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let text = b.value.map_or("n/a".to_string(), |v| format!("{v:.2}x"));
                let style = ("sans-serif", 16)
                    .into_font()
                    .into_text_style(&root)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                Text::new(text, (i as f64, b.value.unwrap_or(0.0) + top * 0.01), style)
            }))
            .map_err(failed)?;
        let ends = [(-0.5, ideal), (n as f64 - 0.5, ideal)];
        chart
            .draw_series(DashedLineSeries::new(ends, 8, 5, BLACK.stroke_width(2)))
            .map_err(failed)?
            .label(format!(
                "ideal: {ideal:.0}x ({ideal:.0} workers, perfect scaling)"
            ))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                [(-0.5, 1.0), (n as f64 - 0.5, 1.0)],
                BLACK.mix(0.4),
            ))
            .map_err(failed)?
            .label("1x: no gain")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.mix(0.4)));
        legend(&mut chart)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}

/// One line of a scale chart: a kind of task in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// `Rust threads`, `Python async tasks`.
    pub name: String,
    /// Which colour of the palette (one per kind).
    pub kind: usize,
    /// Drawn solid (Rust) or dashed (Python).
    pub rust: bool,
    /// (N, value) for each N that succeeded.
    pub points: Vec<(f64, f64)>,
}

/// The smallest and largest value of `values`, widened to whole powers of
/// ten so a log axis starts and ends on a labelled tick.
pub fn decades(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (1.0, 10.0);
    }
    let lo = 10f64.powf(lo.log10().floor());
    let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
    (lo, hi)
}

/// Values against N, both axes logarithmic; a line per kind and language.
pub fn per_task(title: &str, y_desc: &str, lines: &[Line]) -> Result<String, String> {
    let (x_lo, x_hi) = decades(lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
    let (y_lo, y_hi) = decades(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
    let mut out = String::new();
    {
        let root = canvas(&mut out, 440)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(8)
            .margin_right(24)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_desc("N (tasks), log scale")
            .y_desc(y_desc)
            .x_label_formatter(&|x| format!("{x}"))
            .y_label_formatter(&|y| format!("{y}"))
            .draw()
            .map_err(failed)?;
        for line in lines.iter().filter(|l| !l.points.is_empty()) {
            let colour = PALETTE[line.kind % PALETTE.len()];
            let style = colour.stroke_width(2);
            let points = line.points.clone();
            let drawn = if line.rust {
                chart.draw_series(LineSeries::new(points.clone(), style))
            } else {
                chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, style))
            }
            .map_err(failed)?;
            drawn.label(&line.name).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
            });
            // Rust's markers are filled, Python's hollow.
            let marker = if line.rust {
                colour.filled()
            } else {
                colour.stroke_width(2)
            };
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 4, marker)))
                .map_err(failed)?;
        }
        legend(&mut chart)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}
