//! A heatmap: series × category, coloured by value (viridis).

use super::*;

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
