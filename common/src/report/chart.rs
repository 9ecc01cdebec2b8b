//! SVG charts drawn with `plotters` (SVG backend only: no fonts, no bitmaps, so the build stays
//! small; text is left to the browser's sans-serif). Each chart is plain data plus `to_svg()`,
//! so a report can build it, test it and inline it in an HTML page.
//!
//! - [`BarChart`]: grouped bars, one group per category (language), one bar per series
//!   (tokenizer), with an optional reference line (premium 1.0).
//! - [`Heatmap`]: series × category, coloured by value (viridis), values printed in small maps.
//! - [`LineChart`]: x/y series, e.g. a training curve.
//! - [`ShareChart`]: shares per category (vocabulary per script), stacked or side by side.

use super::format;
use crate::{CommonError, Result};
use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::coord::types::RangedCoordi32;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One named series of values, aligned with a chart's categories; `None` = missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Option<f64>>) -> Series {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// Grouped vertical bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub y_label: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// A horizontal rule at this value (e.g. parity, 1.0).
    pub reference: Option<f64>,
}

/// A grid of values: one row per `rows` label, one column per `columns` label.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `values[row][column]`.
    pub values: Vec<Vec<Option<f64>>>,
    /// Decimals of the printed values and of the colour scale's ends.
    pub decimals: usize,
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Lines over a continuous x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<LineSeries>,
}

/// Shares per category: `parts[k].values[i]` is part k's share of category i (fractions).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChart {
    pub title: String,
    pub categories: Vec<String>,
    pub parts: Vec<Series>,
    /// Stack the parts into one bar per category; otherwise draw them side by side.
    pub stacked: bool,
}

/// Colour-blind-safe categorical colours (Okabe & Ito 2008, then Tableau's extras).
const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
];

fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

const MISSING_GREY: RGBColor = RGBColor(220, 220, 220);
const FONT: &str = "sans-serif";

fn chart_error(title: &str, error: impl std::fmt::Display) -> CommonError {
    CommonError::Chart {
        title: title.to_string(),
        message: error.to_string(),
    }
}

/// Width of one category on a category axis, in axis units. Category axes are integer axes
/// (plotters' float axes cannot take custom tick positions and still format labels), so a
/// category gets many units to place grouped bars inside it.
const SLOT: i32 = 1000;

/// An axis of `n` categories, each `SLOT` units wide, with ticks (and labels) at each centre.
fn category_axis(n: usize) -> WithKeyPoints<RangedCoordi32> {
    let centres = (0..n as i32).map(|i| i * SLOT + SLOT / 2).collect();
    (0..n.max(1) as i32 * SLOT).with_key_points(centres)
}

/// The position `offset` (a fraction of a slot) into category `index`.
fn at(index: usize, offset: f64) -> i32 {
    ((index as f64 + offset) * f64::from(SLOT)).round() as i32
}

/// The category whose slot contains `x`.
fn category_label(labels: &[String], x: i32) -> String {
    usize::try_from(x / SLOT)
        .ok()
        .and_then(|i| labels.get(i))
        .cloned()
        .unwrap_or_default()
}

/// Pixels a category needs so its label (about 8 px a character at 14 px) fits level under it.
/// Labels are never rotated: plotters' rotated text in SVG lands half inside the plot; a wide
/// chart scrolls sideways in the page instead.
fn label_px(labels: &[String]) -> u32 {
    8 * labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as u32 + 8
}

fn x_label_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 14).into_font())
}

/// The top of a value axis: the largest value plus a tenth, so bars never touch the frame.
/// Height of the plot area of a bar chart (its 340 px less caption and margins), and of a legend
/// row and the legend box's padding, for keeping bars clear of the legend.
const BAR_PLOT_PX: f64 = 290.0;
const LEGEND_ROW_PX: f64 = 18.0;
const LEGEND_PAD_PX: f64 = 20.0;

fn axis_top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

impl BarChart {
    pub fn to_svg(&self) -> Result<String> {
        let n = self.categories.len();
        let bars = self.series.len().max(1);
        let group_px = (bars as u32 * 8 + 8)
            .max(24)
            .max(label_px(&self.categories));
        let label_area = 30;
        let width = (100 + n as u32 * group_px).max(480);
        let height = 340 + label_area;
        // The legend (more than one series) sits in the upper right of the plot: raise the
        // axis so that no bar reaches up into it.
        let legend_share = if self.series.len() > 1 {
            (LEGEND_ROW_PX * self.series.len() as f64 + LEGEND_PAD_PX) / BAR_PLOT_PX
        } else {
            0.0
        };
        let top = axis_top(
            self.series
                .iter()
                .flat_map(|s| s.values.iter().flatten().copied())
                .chain(self.reference),
        ) / (1.0 - legend_share.min(0.5));
        let mut svg = String::new();
        {
            let fail = |e| chart_error(&self.title, e);
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(fail)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, (FONT, 20))
                .margin(10)
                .x_label_area_size(label_area)
                .y_label_area_size(60)
                .build_cartesian_2d(category_axis(n), 0f64..top)
                .map_err(fail)?;
            let label = |x: &i32| category_label(&self.categories, *x);
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.max(1))
                .x_label_formatter(&label)
                .x_label_style(x_label_style())
                .y_desc(self.y_label.as_str())
                .draw()
                .map_err(fail)?;
            let bar = 0.8 / bars as f64;
            for (s, series) in self.series.iter().enumerate() {
                let fill = colour(s).filled();
                chart
                    .draw_series(series.values.iter().enumerate().filter_map(|(i, v)| {
                        let x0 = 0.1 + s as f64 * bar;
                        v.filter(|v| v.is_finite())
                            .map(|v| Rectangle::new([(at(i, x0), 0.0), (at(i, x0 + bar), v)], fill))
                    }))
                    .map_err(fail)?
                    .label(series.name.as_str())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], fill));
            }
            if let Some(reference) = self.reference {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(0, reference), (at(n.max(1), 0.0), reference)],
                        BLACK.stroke_width(1),
                    )))
                    .map_err(fail)?;
            }
            if self.series.len() > 1 {
                draw_legend(&mut chart).map_err(fail)?;
            }
            root.present().map_err(fail)?;
        }
        Ok(svg)
    }
}

fn draw_legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()
}

impl Heatmap {
    /// The smallest and largest present values.
    fn range(&self) -> Option<(f64, f64)> {
        let mut values = self
            .values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .filter(|v| v.is_finite());
        let first = values.next()?;
        Some(values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    pub fn to_svg(&self) -> Result<String> {
        let (n_rows, n_cols) = (self.rows.len(), self.columns.len());
        let cell = (if n_cols <= 30 { 44 } else { 16 }).max(label_px(&self.columns));
        let label_area = 30;
        let longest_row = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(1) as u32;
        let row_area = 16 + longest_row * 7;
        let width = (row_area + 40 + n_cols as u32 * cell).max(360);
        let height = 70 + label_area + n_rows.max(1) as u32 * 28;
        let range = self.range();
        let caption = match range {
            Some((lo, hi)) => format!(
                "{} (dark {} → light {})",
                self.title,
                format::decimal(lo, self.decimals),
                format::decimal(hi, self.decimals)
            ),
            None => self.title.clone(),
        };
        let mut svg = String::new();
        {
            let fail = |e| chart_error(&self.title, e);
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(fail)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&caption, (FONT, 16))
                .margin(10)
                .x_label_area_size(label_area)
                .y_label_area_size(row_area)
                .build_cartesian_2d(category_axis(n_cols), category_axis(n_rows))
                .map_err(fail)?;
            let column_label = |x: &i32| category_label(&self.columns, *x);
            // Row 0 is drawn at the top, so the y axis counts rows from the bottom.
            let row_label = |y: &i32| category_label(&self.rows, n_rows as i32 * SLOT - y);
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(n_cols.max(1))
                .y_labels(n_rows.max(1))
                .x_label_formatter(&column_label)
                .y_label_formatter(&row_label)
                .x_label_style(x_label_style())
                .draw()
                .map_err(fail)?;
            let (lo, hi) = range.unwrap_or((0.0, 1.0));
            let cells = self.values.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, value)| {
                    let y = n_rows - 1 - r;
                    let fill = match value.filter(|v| v.is_finite()) {
                        Some(v) => ViridisRGB.get_color_normalized(v as f32, lo as f32, hi as f32),
                        None => MISSING_GREY,
                    };
                    Rectangle::new(
                        [(at(c, 0.0), at(y, 0.0)), (at(c, 1.0), at(y, 1.0))],
                        fill.filled(),
                    )
                })
            });
            chart.draw_series(cells).map_err(fail)?;
            if n_cols <= 30 {
                let centre = Pos::new(HPos::Center, VPos::Center);
                let labels = self.values.iter().enumerate().flat_map(|(r, row)| {
                    row.iter().enumerate().map(move |(c, value)| {
                        let y = at(n_rows - 1 - r, 0.5);
                        let v = value.filter(|v| v.is_finite());
                        // Viridis is dark at the low end: light text there, dark text above.
                        let light = v.is_some_and(|v| hi > lo && (v - lo) / (hi - lo) < 0.6);
                        let text = v.map_or(format::MISSING.to_string(), |v| {
                            format::decimal(v, self.decimals)
                        });
                        let style = TextStyle::from((FONT, 13).into_font())
                            .pos(centre)
                            .color(if light { &WHITE } else { &BLACK });
                        Text::new(text, (at(c, 0.5), y), style)
                    })
                });
                chart.draw_series(labels).map_err(fail)?;
            }
            root.present().map_err(fail)?;
        }
        Ok(svg)
    }
}

impl LineChart {
    pub fn to_svg(&self) -> Result<String> {
        let points = || self.series.iter().flat_map(|s| s.points.iter().copied());
        let finite = |v: &f64| v.is_finite();
        let xs = points().map(|p| p.0).filter(finite);
        let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        let ys = points().map(|p| p.1).filter(finite);
        let (y_lo, y_hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
        let (x_lo, x_hi) = padded(x_lo, x_hi, 0.0);
        let (y_lo, y_hi) = padded(y_lo, y_hi, 0.05);
        let mut svg = String::new();
        {
            let fail = |e| chart_error(&self.title, e);
            let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
            root.fill(&WHITE).map_err(fail)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, (FONT, 20))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
                .map_err(fail)?;
            chart
                .configure_mesh()
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .draw()
                .map_err(fail)?;
            for (s, series) in self.series.iter().enumerate() {
                let stroke = colour(s).stroke_width(2);
                let points = series
                    .points
                    .iter()
                    .copied()
                    .filter(|(x, y)| x.is_finite() && y.is_finite());
                chart
                    .draw_series(plotters::series::LineSeries::new(points, stroke))
                    .map_err(fail)?
                    .label(series.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], stroke));
            }
            if self.series.len() > 1 {
                draw_legend(&mut chart).map_err(fail)?;
            }
            root.present().map_err(fail)?;
        }
        Ok(svg)
    }
}

/// An axis range around `lo..hi` with `fraction` of its span added on both sides; a degenerate
/// range (no points, or one value) widens to something drawable.
fn padded(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        return (lo - 0.5, hi + 0.5);
    }
    let pad = (hi - lo) * fraction;
    (lo - pad, hi + pad)
}

impl ShareChart {
    pub fn to_svg(&self) -> Result<String> {
        if !self.stacked {
            return BarChart {
                title: self.title.clone(),
                y_label: "share".to_string(),
                categories: self.categories.clone(),
                series: self.parts.clone(),
                reference: None,
            }
            .to_svg();
        }
        let n = self.categories.len();
        let slot = label_px(&self.categories).max(60);
        let label_area = 30;
        let legend_px = 40
            + 8 * self
                .parts
                .iter()
                .map(|p| p.name.chars().count())
                .max()
                .unwrap_or(0) as u32;
        let width = (100 + n as u32 * slot).max(300) + legend_px;
        let height = (340 + label_area).max(60 + self.parts.len() as u32 * 22);
        let top = axis_top((0..n).map(|i| {
            self.parts
                .iter()
                .filter_map(|p| p.values.get(i).copied().flatten())
                .sum()
        }));
        let mut svg = String::new();
        {
            let fail = |e| chart_error(&self.title, e);
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(fail)?;
            // The legend gets its own column: with many parts it would cover the bars.
            let (plot_area, legend_area) = root.split_horizontally(width - legend_px);
            let mut chart = ChartBuilder::on(&plot_area)
                .caption(&self.title, (FONT, 20))
                .margin(10)
                .x_label_area_size(label_area)
                .y_label_area_size(60)
                .build_cartesian_2d(category_axis(n), 0f64..top)
                .map_err(fail)?;
            let label = |x: &i32| category_label(&self.categories, *x);
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n.max(1))
                .x_label_formatter(&label)
                .x_label_style(x_label_style())
                .y_label_formatter(&|y| format::percent(*y, 0))
                .y_desc("share")
                .draw()
                .map_err(fail)?;
            let mut base = vec![0.0; n];
            for (k, part) in self.parts.iter().enumerate() {
                let fill = colour(k).filled();
                let mut bars = Vec::new();
                for (i, bottom) in base.iter_mut().enumerate() {
                    let value = part.values.get(i).copied().flatten().unwrap_or(0.0);
                    if value > 0.0 {
                        let corners = [(at(i, 0.2), *bottom), (at(i, 0.8), *bottom + value)];
                        bars.push(Rectangle::new(corners, fill));
                        *bottom += value;
                    }
                }
                chart.draw_series(bars).map_err(fail)?;
                let y = 40 + 22 * k as i32;
                legend_area
                    .draw(&Rectangle::new([(4, y), (16, y + 12)], fill))
                    .map_err(fail)?;
                let text = TextStyle::from((FONT, 14).into_font());
                legend_area
                    .draw(&Text::new(part.name.as_str(), (22, y), text))
                    .map_err(fail)?;
            }
            root.present().map_err(fail)?;
        }
        Ok(svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    /// plotters writes each text element's content on its own line.
    fn has_text(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n</text>"))
    }

    fn bars() -> BarChart {
        BarChart {
            title: "Premium per language".into(),
            y_label: "premium".into(),
            categories: vec!["en".into(), "vi".into(), "km".into()],
            series: vec![
                Series::new("ours", vec![Some(1.0), Some(1.2), None]),
                Series::new("cl100k", vec![Some(1.0), Some(2.5), Some(4.0)]),
            ],
            reference: Some(1.0),
        }
    }

    #[test]
    fn bar_chart_draws_one_rect_per_present_value() {
        let svg = bars().to_svg().unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(has_text(&svg, "Premium per language"));
        for label in ["en", "vi", "km", "ours", "cl100k"] {
            assert!(has_text(&svg, label), "missing label {label}");
        }
        // Each bar is filled with its series' colour: 2 bars + 1 legend swatch for "ours"
        // (its km value is missing), 3 + 1 for "cl100k".
        assert_eq!(count(&svg, "fill=\"#0072B2\""), 3);
        assert_eq!(count(&svg, "fill=\"#E69F00\""), 4);
    }

    #[test]
    fn charts_are_deterministic() {
        assert_eq!(bars().to_svg().unwrap(), bars().to_svg().unwrap());
    }

    #[test]
    fn heatmap_colours_cells_and_greys_missing() {
        let map = Heatmap {
            title: "Premium".into(),
            rows: vec!["ours".into(), "cl100k".into()],
            columns: vec!["en".into(), "vi".into()],
            values: vec![vec![Some(1.0), None], vec![Some(1.0), Some(3.0)]],
            decimals: 2,
        };
        let svg = map.to_svg().unwrap();
        assert!(has_text(&svg, "Premium (dark 1.00 → light 3.00)"));
        assert_eq!(count(&svg, "fill=\"#DCDCDC\""), 1, "one missing cell");
        // The lowest value gets viridis' first colour, the highest its last.
        assert_eq!(count(&svg, "fill=\"#440154\""), 2);
        assert_eq!(count(&svg, "fill=\"#FEE825\""), 1);
        assert!(has_text(&svg, "3.00"));
        assert!(has_text(&svg, "—"));
    }

    #[test]
    fn line_chart_draws_each_series() {
        let chart = LineChart {
            title: "Training loss".into(),
            x_label: "step".into(),
            y_label: "loss".into(),
            series: vec![
                LineSeries {
                    name: "train".into(),
                    points: vec![(0.0, 4.0), (100.0, 3.0), (200.0, 2.5)],
                },
                LineSeries {
                    name: "valid".into(),
                    points: vec![(0.0, 4.1), (200.0, 2.8)],
                },
            ],
        };
        let svg = chart.to_svg().unwrap();
        // Each series: its line and its legend mark, in its colour.
        assert_eq!(count(&svg, "stroke=\"#0072B2\""), 2);
        assert_eq!(count(&svg, "stroke=\"#E69F00\""), 2);
        assert!(has_text(&svg, "step") && has_text(&svg, "valid"));
    }

    #[test]
    fn share_chart_stacks_parts() {
        let chart = ShareChart {
            title: "Vocabulary per script".into(),
            categories: vec!["ours".into(), "cl100k".into()],
            parts: vec![
                Series::new("Latin", vec![Some(0.7), Some(0.9)]),
                Series::new("Khmer", vec![Some(0.3), None]),
            ],
            stacked: true,
        };
        let svg = chart.to_svg().unwrap();
        assert_eq!(count(&svg, "fill=\"#0072B2\""), 3);
        assert_eq!(count(&svg, "fill=\"#E69F00\""), 2);
        assert!(has_text(&svg, "Khmer"));
        let plain = ShareChart {
            stacked: false,
            ..chart
        };
        assert!(has_text(&plain.to_svg().unwrap(), "share"));
    }

    #[test]
    fn empty_charts_still_render() {
        let chart = BarChart {
            title: "nothing".into(),
            y_label: String::new(),
            categories: vec![],
            series: vec![],
            reference: None,
        };
        assert!(chart.to_svg().unwrap().starts_with("<svg"));
    }
}
