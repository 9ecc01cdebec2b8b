//! Number formatting shared by tables and chart labels, so a figure reads the same everywhere:
//! integers with thousands separators, fixed decimals for ratios, percentages from fractions.

/// `1234567` → `1,234,567`.
pub fn integer(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A fixed number of decimals, thousands separators in the integer part: `12345.678, 2` →
/// `12,345.68`. Non-finite values render as an em dash, like missing cells.
pub fn decimal(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return MISSING.to_string();
    }
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match fixed.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (fixed.as_str(), None),
    };
    // "-0.00" would read as a negative zero: only keep the sign when a digit is non-zero.
    let negative = value < 0.0 && fixed.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&integer(whole.parse::<i64>().unwrap_or(0)));
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A fraction as a percentage: `0.1234, 1` → `12.3%`.
pub fn percent(fraction: f64, decimals: usize) -> String {
    if !fraction.is_finite() {
        return MISSING.to_string();
    }
    format!("{}%", decimal(fraction * 100.0, decimals))
}

/// How a missing value reads in Markdown, HTML and charts.
pub const MISSING: &str = "—";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_consistently() {
        assert_eq!(integer(0), "0");
        assert_eq!(integer(999), "999");
        assert_eq!(integer(1000), "1,000");
        assert_eq!(integer(-1234567), "-1,234,567");
        assert_eq!(decimal(12345.678, 2), "12,345.68");
        assert_eq!(decimal(-0.001, 2), "0.00");
        assert_eq!(decimal(-1.5, 1), "-1.5");
        assert_eq!(decimal(3.0, 0), "3");
        assert_eq!(decimal(f64::NAN, 2), "—");
        assert_eq!(percent(0.1234, 1), "12.3%");
    }
}
