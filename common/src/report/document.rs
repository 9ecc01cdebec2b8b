//! A [`Document`]: a report as an ordered list of blocks (headings, paragraphs, lists, tables,
//! charts) rendered to one self-contained HTML page (inline CSS and SVG, nothing fetched) and to
//! its Markdown twin (charts become a pointer to the HTML page). Both reports of Mekong are built
//! with it, so they share layout and style.

use super::{escape, Table};

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; level 2 is a section, 3 a subsection (the title is level 1).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    /// An SVG chart (from [`super::chart`]) with a caption.
    Chart {
        svg: String,
        caption: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Plain, print-friendly styling; wide tables and charts scroll sideways instead of squeezing.
const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;border-bottom:2px solid #0072b2;padding-bottom:.2em}
h2{font-size:1.35em;margin-top:1.8em;border-bottom:1px solid #ddd}
h3{font-size:1.1em}
.scroll{overflow-x:auto;margin:1em 0}
table{border-collapse:collapse;font-size:.9em}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .6em}
th{background:#f2f5f8;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.missing{text-align:center;color:#a00;background:#fff4f4}
tbody tr:nth-child(even){background:#fafafa}
p.note{font-size:.85em;color:#555;margin:.3em 0}
figure{margin:1.5em 0}
figcaption{font-size:.9em;color:#444}
";

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub fn heading(&mut self, level: u8, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading {
            level: level.clamp(2, 6),
            text: text.into(),
        });
        self
    }

    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    pub fn list<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Self {
        self.blocks
            .push(Block::List(items.into_iter().map(Into::into).collect()));
        self
    }

    pub fn table(&mut self, table: Table) -> &mut Self {
        self.blocks.push(Block::Table(table));
        self
    }

    pub fn chart(&mut self, svg: String, caption: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Chart {
            svg,
            caption: caption.into(),
        });
        self
    }

    /// Markdown for pasting into a paper or an issue. Charts only exist in the HTML page; the
    /// Markdown names them so a reader knows where to look.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading { level, text } => {
                    out.push_str(&format!("{} {}\n", "#".repeat(usize::from(*level)), text))
                }
                Block::Paragraph(text) => out.push_str(&format!("{text}\n")),
                Block::List(items) => {
                    for item in items {
                        out.push_str(&format!("- {item}\n"));
                    }
                }
                Block::Table(table) => out.push_str(&table.to_markdown()),
                Block::Chart { caption, .. } => {
                    out.push_str(&format!("_Chart (in the HTML report): {caption}_\n"))
                }
            }
        }
        out
    }

    /// One self-contained HTML page: inline CSS, inline SVG, no scripts, no external files.
    pub fn to_html(&self) -> String {
        let title = escape::html(&self.title);
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
        );
        for block in &self.blocks {
            match block {
                Block::Heading { level, text } => {
                    out.push_str(&format!("<h{level}>{}</h{level}>\n", escape::html(text)))
                }
                Block::Paragraph(text) => {
                    out.push_str(&format!("<p>{}</p>\n", escape::html(text)))
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", escape::html(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(table) => {
                    out.push_str(&format!("<div class=\"scroll\">\n{}</div>\n", table.to_html()))
                }
                Block::Chart { svg, caption } => out.push_str(&format!(
                    "<figure>\n<div class=\"scroll\">\n{svg}\n</div>\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape::html(caption)
                )),
            }
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BarChart, Cell, Series};

    fn sample() -> Document {
        let mut table = Table::new("Tokens", ["language", "tokens"]);
        table.push_row(vec!["vi".into(), Cell::Integer(2048)]);
        let chart = BarChart {
            title: "Premium".into(),
            y_label: "premium".into(),
            categories: vec!["vi".into()],
            series: vec![Series::new("ours", vec![Some(1.5)])],
            reference: None,
        };
        let mut doc = Document::new("Tokenizer <report>");
        doc.heading(2, "Summary")
            .paragraph("Text is NFC-normalised & counted per line.")
            .list(["one", "two"])
            .table(table)
            .chart(chart.to_svg().unwrap(), "Premium per language");
        doc
    }

    #[test]
    fn markdown_has_every_block_in_order() {
        let expected = "# Tokenizer <report>\n\n## Summary\n\n\
Text is NFC-normalised & counted per line.\n\n- one\n- two\n\n\
**Tokens**\n\n| language | tokens |\n| --- | ---: |\n| vi | 2,048 |\n\n\
_Chart (in the HTML report): Premium per language_\n";
        assert_eq!(sample().to_markdown(), expected);
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let html = sample().to_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>Tokenizer &lt;report&gt;</title>"));
        assert!(html.contains("<h2>Summary</h2>"));
        assert!(html.contains("<p>Text is NFC-normalised &amp; counted per line.</p>"));
        assert!(html.contains("<li>two</li>"));
        assert!(html.contains("<td class=\"num\">2,048</td>"));
        assert!(html.contains("<svg"));
        assert!(html.contains("<figcaption>Premium per language</figcaption>"));
        assert!(!html.contains("<script") && !html.contains("http://www.w3.org/1999/xlink\" href"));
        assert!(html.ends_with("</html>\n"));
    }
}
