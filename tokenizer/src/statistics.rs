//! The two statistics fairness figures need: the Gini coefficient of the premiums, and how far
//! a premium measured on a sample of segments can be trusted.

/// Gini coefficient Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ), computed on the sorted values in O(n log n)
/// (Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n + 1) x₍ᵢ₎ for ascending x, 0-based i). `None` for no values or
/// a zero mean.
pub fn gini(values: &[f64]) -> Option<f64> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.is_empty() || mean <= 0.0 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pairwise: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - n + 1.0) * x)
        .sum::<f64>()
        * 2.0;
    Some(pairwise / (2.0 * n * n * mean))
}

/// Standard errors either side of a normal estimate for a 95 % interval.
pub const Z_95: f64 = 1.96;

/// A ratio of sums R = Σxᵢ / Σyᵢ over rows: both sums, and R's standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioOfSums {
    pub numerator: u64,
    pub denominator: u64,
    /// By the delta method for a ratio estimator: √(Σ (xᵢ − R yᵢ)² / (n (n − 1))) / ȳ. For a
    /// premium, xᵢ and yᵢ are a language's and the reference's tokens on segment i: another
    /// sample of as many segments of the same text lands within about two of these of it. `None`
    /// for fewer than two rows or no reference tokens.
    pub standard_error: Option<f64>,
}

/// Sums `rows` once and derives the ratio's standard error from those sums.
pub fn ratio_of_sums(rows: &[(u64, u64)]) -> RatioOfSums {
    let numerator: u64 = rows.iter().map(|&(x, _)| x).sum();
    let denominator: u64 = rows.iter().map(|&(_, y)| y).sum();
    let standard_error = (rows.len() >= 2 && denominator > 0).then(|| {
        let n = rows.len() as f64;
        let ratio = numerator as f64 / denominator as f64;
        let squares: f64 = rows
            .iter()
            .map(|&(x, y)| (x as f64 - ratio * y as f64).powi(2))
            .sum();
        (squares / (n * (n - 1.0))).sqrt() / (denominator as f64 / n)
    });
    RatioOfSums {
        numerator,
        denominator,
        standard_error,
    }
}

/// The Gini that sampling alone gives premiums that are truly all equal (to 1), measured with
/// these standard errors: with independent normal errors, E|pᵢ − pⱼ| = √(2/π) √(sᵢ² + sⱼ²), so
/// Σᵢ Σⱼ √(2/π) √(sᵢ² + sⱼ²) / (2 n²). A measured Gini near it is as even as the set can tell;
/// one below it was fitted to the set's own segments (a dev set after parity).
pub fn gini_noise_floor(standard_errors: &[f64]) -> f64 {
    let n = standard_errors.len() as f64;
    if standard_errors.is_empty() {
        return 0.0;
    }
    let spread: f64 = standard_errors
        .iter()
        .flat_map(|a| standard_errors.iter().map(move |b| (a * a + b * b).sqrt()))
        .sum();
    (2.0 / std::f64::consts::PI).sqrt() * spread / (2.0 * n * n)
}

/// [`gini_noise_floor`] of the premiums' standard errors when every one is known and there is at
/// least one; `None` otherwise, since a floor from some of them would understate the noise.
pub fn gini_noise_floor_if_known(
    standard_errors: impl IntoIterator<Item = Option<f64>>,
) -> Option<f64> {
    let errors: Vec<f64> = standard_errors.into_iter().collect::<Option<_>>()?;
    (!errors.is_empty()).then(|| gini_noise_floor(&errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn gini_of_known_cases() {
        assert_eq!(gini(&[5.0, 5.0, 5.0]), Some(0.0));
        // One language pays everything: (n − 1) / n.
        assert!(close(gini(&[0.0, 0.0, 0.0, 8.0]).unwrap(), 0.75));
        // 1, 2, 3: Σ|xi − xj| = 2·(1 + 2 + 1) = 8; 2 n² μ = 2·9·2 = 36.
        assert!(close(gini(&[3.0, 1.0, 2.0]).unwrap(), 8.0 / 36.0));
        assert_eq!(gini(&[]), None);
    }

    #[test]
    fn gini_matches_the_double_sum() {
        let values = [1.0, 1.3, 2.7, 4.1, 0.9, 1.0];
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let double: f64 = values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a - b).abs()))
            .sum();
        assert!(close(gini(&values).unwrap(), double / (2.0 * n * n * mean)));
    }

    #[test]
    fn gini_noise_floor_by_hand() {
        assert_eq!(gini_noise_floor(&[0.0, 0.0, 0.0]), 0.0);
        assert_eq!(gini_noise_floor(&[]), 0.0);
        // Pairs (0, s) and (s, 0) each √(2/π)·s, (s, s) √(2/π)·s√2: over 2·4.
        let s = 0.04;
        let expected = (2.0 / std::f64::consts::PI).sqrt() * s * (2.0 + 2f64.sqrt()) / 8.0;
        assert!(close(gini_noise_floor(&[0.0, s]), expected));
    }

    #[test]
    fn the_floor_needs_every_standard_error() {
        let s = 0.04;
        assert_eq!(
            gini_noise_floor_if_known([Some(0.0), Some(s)]),
            Some(gini_noise_floor(&[0.0, s]))
        );
        assert_eq!(gini_noise_floor_if_known([Some(0.0), None]), None);
        assert_eq!(gini_noise_floor_if_known([]), None);
    }

    fn standard_error(rows: &[(u64, u64)]) -> Option<f64> {
        ratio_of_sums(rows).standard_error
    }

    #[test]
    fn a_ratio_held_on_every_row_has_no_error() {
        assert_eq!(standard_error(&[(2, 1), (4, 2), (10, 5)]), Some(0.0));
        assert_eq!(standard_error(&[(2, 1)]), None);
        assert_eq!(standard_error(&[(2, 0), (3, 0)]), None);
    }

    #[test]
    fn ratio_of_sums_by_hand() {
        let two = ratio_of_sums(&[(1, 2), (3, 2)]);
        assert_eq!((two.numerator, two.denominator), (4, 4));
        // R = (1 + 3) / (2 + 2) = 1; residuals −1 and 1; √(2 / (2·1)) / 2 = 0.5.
        assert!(close(two.standard_error.unwrap(), 0.5));
        // The more rows of the same spread, the smaller the error: four rows, √(4 / 12) / 2.
        let four = standard_error(&[(1, 2), (3, 2), (1, 2), (3, 2)]).unwrap();
        assert!(close(four, (4.0f64 / 12.0).sqrt() / 2.0));
    }
}
