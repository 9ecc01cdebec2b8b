//! A [`Table`]: a title, column headers and rows of typed [`Cell`]s. People read the Markdown and
//! HTML renderings, where numbers are rounded and grouped; programs read CSV and JSON, where they
//! keep full precision. A missing value is explicit (`—`, an empty CSV field, JSON `null`).

use super::{escape, format};
use serde_json::{json, Value};

/// One table cell. Numbers carry how many decimals people should see.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// A real number shown with `decimals` decimals.
    Decimal {
        value: f64,
        decimals: usize,
    },
    /// A fraction (0.25) shown as a percentage (25.0%) with `decimals` decimals.
    Percent {
        value: f64,
        decimals: usize,
    },
    /// No value; `reason` (if any) appears in the HTML tooltip.
    Missing {
        reason: Option<String>,
    },
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    pub fn decimal(value: f64, decimals: usize) -> Cell {
        Cell::Decimal { value, decimals }
    }

    pub fn percent(value: f64, decimals: usize) -> Cell {
        Cell::Percent { value, decimals }
    }

    pub fn missing() -> Cell {
        Cell::Missing { reason: None }
    }

    pub fn missing_because(reason: impl Into<String>) -> Cell {
        Cell::Missing {
            reason: Some(reason.into()),
        }
    }

    /// `Some(value)` as a decimal, `None` as missing.
    pub fn optional_decimal(value: Option<f64>, decimals: usize) -> Cell {
        value.map_or_else(Cell::missing, |v| Cell::decimal(v, decimals))
    }

    fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Integer(_) | Cell::Decimal { .. } | Cell::Percent { .. }
        )
    }

    fn is_missing(&self) -> bool {
        match self {
            Cell::Missing { .. } => true,
            Cell::Decimal { value, .. } | Cell::Percent { value, .. } => !value.is_finite(),
            _ => false,
        }
    }

    /// The human rendering shared by Markdown and HTML.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Integer(value) => format::integer(*value),
            Cell::Decimal { value, decimals } => format::decimal(*value, *decimals),
            Cell::Percent { value, decimals } => format::percent(*value, *decimals),
            Cell::Missing { .. } => format::MISSING.to_string(),
        }
    }

    /// The machine rendering: full precision, no grouping, fractions stay fractions.
    fn raw(&self) -> String {
        if self.is_missing() {
            return String::new();
        }
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Integer(value) => value.to_string(),
            Cell::Decimal { value, .. } | Cell::Percent { value, .. } => value.to_string(),
            Cell::Missing { .. } => String::new(),
        }
    }

    fn json(&self) -> Value {
        if self.is_missing() {
            return Value::Null;
        }
        match self {
            Cell::Text(text) => json!(text),
            Cell::Integer(value) => json!(value),
            Cell::Decimal { value, .. } | Cell::Percent { value, .. } => json!(value),
            Cell::Missing { .. } => Value::Null,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Cell {
        Cell::Integer(value)
    }
}

impl From<usize> for Cell {
    fn from(value: usize) -> Cell {
        Cell::Integer(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

/// A titled table with optional notes (units, caveats) printed under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
}

impl Table {
    pub fn new<S: Into<String>>(
        title: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Table {
        Table {
            title: title.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Appends a row. Panics if its width differs from the header's: that is a bug in the
    /// report code, never a property of the input data.
    pub fn push_row(&mut self, row: Vec<Cell>) -> &mut Self {
        assert_eq!(
            row.len(),
            self.columns.len(),
            "table '{}': row width differs from its header",
            self.title
        );
        self.rows.push(row);
        self
    }

    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    /// A column is right-aligned when it holds numbers.
    fn numeric_column(&self, column: usize) -> bool {
        self.rows.iter().any(|row| row[column].is_numeric())
    }

    /// A GitHub-flavoured Markdown table under a bold title, notes in italics below.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("**{}**\n\n", self.title));
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|c| escape::markdown_cell(c))
            .collect();
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        let rule: Vec<&str> = (0..self.columns.len())
            .map(|c| {
                if self.numeric_column(c) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| escape::markdown_cell(&cell.display()))
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        for note in &self.notes {
            out.push_str(&format!("\n_{}_\n", note));
        }
        out
    }

    /// An HTML `<table>` with a caption; numeric cells carry class `num` (right-aligned by the
    /// page's CSS), missing cells class `missing` and their reason as a tooltip.
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table>\n");
        if !self.title.is_empty() {
            out.push_str(&format!(
                "<caption>{}</caption>\n",
                escape::html(&self.title)
            ));
        }
        out.push_str("<thead><tr>");
        for column in &self.columns {
            out.push_str(&format!("<th>{}</th>", escape::html(column)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for cell in row {
                let text = escape::html(&cell.display());
                match cell {
                    Cell::Missing {
                        reason: Some(reason),
                    } => out.push_str(&format!(
                        "<td class=\"missing\" title=\"{}\">{text}</td>",
                        escape::html(reason)
                    )),
                    _ if cell.is_missing() => {
                        out.push_str(&format!("<td class=\"missing\">{text}</td>"))
                    }
                    _ if cell.is_numeric() => {
                        out.push_str(&format!("<td class=\"num\">{text}</td>"))
                    }
                    _ => out.push_str(&format!("<td>{text}</td>")),
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        for note in &self.notes {
            out.push_str(&format!("<p class=\"note\">{}</p>\n", escape::html(note)));
        }
        out
    }

    /// RFC 4180 CSV: the header row, then full-precision values (missing = empty field).
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let rows = std::iter::once(self.columns.clone()).chain(
            self.rows
                .iter()
                .map(|row| row.iter().map(Cell::raw).collect()),
        );
        for record in rows {
            writer
                .write_record(&record)
                .expect("writing CSV into memory cannot fail");
        }
        let bytes = writer
            .into_inner()
            .expect("flushing CSV into memory cannot fail");
        String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
    }

    /// `{"title", "columns", "rows": [{column: value}], "notes"}` with full-precision numbers
    /// and `null` for missing values. Keys keep the column order.
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let object: serde_json::Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| (column.clone(), cell.json()))
                    .collect();
                Value::Object(object)
            })
            .collect();
        json!({
            "title": self.title,
            "columns": self.columns,
            "rows": rows,
            "notes": self.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new(
            "Premium | per language",
            ["language", "tokens", "premium", "share"],
        );
        table.push_row(vec![
            "en".into(),
            Cell::Integer(1234),
            Cell::decimal(1.0, 2),
            Cell::percent(0.5, 1),
        ]);
        table.push_row(vec![
            "vi, \"south\"".into(),
            Cell::Integer(2500),
            Cell::decimal(2.0259, 2),
            Cell::missing_because("tokenizer failed"),
        ]);
        table.note("Text is NFC-normalised.");
        table
    }

    #[test]
    fn markdown_aligns_numbers_and_formats_them() {
        let expected = "**Premium | per language**\n\n\
| language | tokens | premium | share |\n\
| --- | ---: | ---: | ---: |\n\
| en | 1,234 | 1.00 | 50.0% |\n\
| vi, \"south\" | 2,500 | 2.03 | — |\n\
\n_Text is NFC-normalised._\n";
        assert_eq!(sample().to_markdown(), expected);
    }

    #[test]
    fn html_escapes_and_marks_missing_cells() {
        let html = sample().to_html();
        assert!(html.contains("<caption>Premium | per language</caption>"));
        assert!(html.contains("<td>vi, &quot;south&quot;</td>"));
        assert!(html.contains("<td class=\"num\">2.03</td>"));
        assert!(html.contains("<td class=\"missing\" title=\"tokenizer failed\">—</td>"));
        assert!(html.contains("<p class=\"note\">Text is NFC-normalised.</p>"));
    }

    #[test]
    fn csv_keeps_full_precision_and_quotes() {
        let expected = "language,tokens,premium,share\n\
en,1234,1,0.5\n\
\"vi, \"\"south\"\"\",2500,2.0259,\n";
        assert_eq!(sample().to_csv(), expected);
    }

    #[test]
    fn json_has_one_object_per_row_with_nulls() {
        let value = sample().to_json();
        assert_eq!(value["rows"][1]["premium"], json!(2.0259));
        assert_eq!(value["rows"][1]["share"], Value::Null);
        assert_eq!(value["rows"][0]["tokens"], json!(1234));
        assert_eq!(value["columns"][0], json!("language"));
    }

    #[test]
    fn non_finite_numbers_are_missing() {
        let cell = Cell::decimal(f64::INFINITY, 2);
        assert_eq!(cell.display(), "—");
        assert_eq!(cell.json(), Value::Null);
        assert_eq!(cell.raw(), "");
    }

    #[test]
    #[should_panic(expected = "row width")]
    fn rejects_ragged_rows() {
        Table::new("t", ["a", "b"]).push_row(vec![Cell::Integer(1)]);
    }
}
