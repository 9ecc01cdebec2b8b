//! SVG charts drawn with `plotters` (SVG backend only: no fonts, no bitmaps, so the build stays
//! small; text is left to the browser's sans-serif). Each chart is plain data plus `to_svg()`,
//! so a report can build it, test it and inline it in an HTML page.
//!
//! - [`BarChart`]: grouped bars, one group per category (language), one bar per series
//!   (tokenizer), with an optional reference line (premium 1.0).
//! - [`Heatmap`]: series × category, coloured by value (viridis), values printed in small maps.
//! - [`LineChart`]: x/y series, e.g. a training curve.
//! - [`ShareChart`]: shares per category (vocabulary per script), stacked or side by side.

mod bar;
mod heatmap;
mod line;
mod share;

pub use bar::BarChart;
pub use heatmap::Heatmap;
pub use line::{LineChart, LineSeries};
pub use share::ShareChart;

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
