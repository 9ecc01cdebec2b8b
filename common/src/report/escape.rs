//! Escaping for the two markup languages the reports write. Written by hand: it is five
//! characters for HTML and one for Markdown tables, smaller than any dependency.

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes text safe inside a Markdown table cell: pipes would end the cell, newlines the row.
pub(crate) fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::html("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(super::markdown_cell("a|b\nc"), "a\\|b c");
    }
}
