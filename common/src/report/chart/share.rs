//! Shares per category, stacked or side by side.

use super::*;

/// Shares per category: `parts[k].values[i]` is part k's share of category i (fractions).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChart {
    pub title: String,
    pub categories: Vec<String>,
    pub parts: Vec<Series>,
    /// Stack the parts into one bar per category; otherwise draw them side by side.
    pub stacked: bool,
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
