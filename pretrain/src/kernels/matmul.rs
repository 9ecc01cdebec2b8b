//! Matrix multiplies over slices for the fused kernels, on the `gemm` crate that burn's CPU
//! backend multiplies with. `gemm` takes raw pointers and strides; this wrapper checks every
//! index it will touch against the slices first, so its callers stay in safe code. It runs on the
//! calling thread: the kernels run many small products in parallel, one per rayon task.

use gemm::Parallelism;

/// A matrix inside a slice: element `(r, c)` at `r × row_stride + c × col_stride`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> View<'a> {
    /// The first `rows` rows of a row-major matrix with `cols` values a row.
    pub(crate) fn rows(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose (no copy).
    pub(crate) fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    fn assert_in_bounds(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride;
            assert!(last < self.data.len(), "matrix view past its slice");
        }
    }
}

/// `dst = a × b`, or `dst += a × b` when `accumulate`; `dst` is row-major with `dst_stride`
/// values between rows.
pub(crate) fn multiply(dst: &mut [f32], dst_stride: usize, a: View, b: View, accumulate: bool) {
    assert_eq!(a.cols, b.rows, "inner dimensions differ");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        n <= dst_stride && (m - 1) * dst_stride + n <= dst.len(),
        "product past its destination"
    );
    if k == 0 {
        if !accumulate {
            dst.chunks_mut(dst_stride)
                .take(m)
                .for_each(|row| row[..n].fill(0.0));
        }
        return;
    }
    a.assert_in_bounds();
    b.assert_in_bounds();
    // SAFETY: every element gemm reads or writes lies inside the slices (checked above: `a`'s and
    // `b`'s last elements, and `dst`'s last row ends inside `dst`, whose rows do not overlap as
    // `n ≤ dst_stride`); `dst` is borrowed mutably, so it aliases neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_stride as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product by definition, element by element.
    fn naive(a: View, b: View) -> Vec<f32> {
        let at = |v: &View, r: usize, c: usize| v.data[r * v.row_stride + c * v.col_stride];
        let mut out = vec![0.0; a.rows * b.cols];
        for r in 0..a.rows {
            for c in 0..b.cols {
                out[r * b.cols + c] = (0..a.cols).map(|k| at(&a, r, k) * at(&b, k, c)).sum();
            }
        }
        out
    }

    #[test]
    fn products_of_views_and_transposes_are_by_definition() {
        let a: Vec<f32> = (0..35).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..35).map(|i| (i as f32 * 0.11).cos()).collect();
        let (a, bt) = (View::rows(&a, 5, 7), View::rows(&b, 5, 7).t());
        let mut dst = vec![0.0; 5 * 5];
        multiply(&mut dst, 5, a, bt, false);
        let expected = naive(a, bt);
        for (got, want) in dst.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-5, "{got} against {want}");
        }
        // Accumulating adds the product again.
        multiply(&mut dst, 5, a, bt, true);
        for (got, want) in dst.iter().zip(&expected) {
            assert!(
                (got - 2.0 * want).abs() < 1e-5,
                "{got} against {}",
                2.0 * want
            );
        }
    }

    #[test]
    #[should_panic(expected = "matrix view past its slice")]
    fn a_view_past_its_slice_is_refused() {
        let (a, b) = (vec![1.0; 6], vec![1.0; 6]);
        let mut dst = vec![0.0; 9];
        multiply(
            &mut dst,
            3,
            View::rows(&a, 3, 3),
            View::rows(&b, 3, 3),
            false,
        );
    }
}
