//! Row reductions and `exp` written so the compiler vectorises them: the fused kernels' inner
//! loops (the loss over a 16k vocabulary, attention's softmax) spend their time here.

/// Lanes of the reductions below: independent partial results in a fixed order, so the compiler
/// can keep them in SIMD registers (one running total would be a chain it may not reorder).
const LANES: usize = 16;

pub(crate) fn max(row: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = lane.max(x);
        }
    }
    lanes
        .into_iter()
        .chain(rest.iter().copied())
        .fold(f32::NEG_INFINITY, f32::max)
}

pub(crate) fn sum(row: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += f(x);
        }
    }
    lanes.into_iter().sum::<f32>() + rest.iter().map(|&x| f(x)).sum::<f32>()
}

/// `e^x` for `x ≤ 0` (logits less their row's maximum), to about 2 ulp, in operations the
/// compiler vectorises: `f32::exp` is a libm call per element, and over a 16k vocabulary those
/// calls were a tenth of a training step. `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, `e^r` by its
/// Taylor series to `r^7` (truncation below 6e-9 relative), `2^n` built in the exponent bits.
pub(crate) fn exp_nonpositive(x: f32) -> f32 {
    // Below -87, e^x is under f32's smallest normal number: 2^-126 × (e^r ≤ 1.42) is as good.
    let x = x.max(-87.0);
    // n = round(x / ln 2) without a float-to-int conversion (Rust's saturating `as` keeps the
    // loop scalar): adding 1.5 × 2^23 rounds to an integer, which the low mantissa bits hold.
    const ROUNDER: f32 = 12_582_912.0;
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    let exponent = (shifted.to_bits() as i32).wrapping_sub(ROUNDER.to_bits() as i32);
    // ln 2 in two parts, the first exact in f32, so `r` keeps its low bits.
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let mut taylor = 1.0 / 5040.0;
    for k in [720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0] {
        taylor = taylor * r + 1.0 / k;
    }
    taylor * f32::from_bits(((exponent + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_of_std() {
        for i in 0..=193_000 {
            let x = -(i as f32) * 0.000_45;
            let (fast, exact) = (exp_nonpositive(x), x.exp());
            assert!(
                (fast - exact).abs() <= 2.0 * f32::EPSILON * exact,
                "e^{x}: {fast} against {exact}"
            );
        }
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert!(exp_nonpositive(-1000.0) < 1e-37);
    }
}
