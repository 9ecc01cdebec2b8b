//! Grouped vertical bars: one group per category, one bar per series.

use super::*;

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
