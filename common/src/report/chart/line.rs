//! Lines over a continuous x axis, e.g. a training curve.

use super::*;

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
