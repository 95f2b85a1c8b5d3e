//! The statistics the lake contract fixes (Wilson score intervals, shrunk arrest rates) and the
//! one quantile and one median every crate uses.

/// The two-sided 95 % normal quantile used for every interval in the lake.
pub const Z95: f64 = 1.959964;
/// Pseudo-count of the Bayesian shrinkage toward the citywide rate.
pub const SMOOTHING_ALPHA: f64 = 5.0;
/// A cell with fewer incidents than this is flagged low-confidence.
pub const LOW_CONFIDENCE_BELOW: u32 = 5;

/// Wilson score interval for `k` successes in `n` trials at quantile `z`, clipped to [0, 1].
/// `n = 0` gives `(0, 0)`: no evidence, no interval.
pub fn wilson_interval(k: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 0.0);
    }
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    // At k = 0 and k = n the bounds are exactly 0 and 1; say so rather than trust rounding.
    let lo = if k <= 0.0 {
        0.0
    } else {
        ((centre - half) / denom).clamp(0.0, 1.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        ((centre + half) / denom).clamp(0.0, 1.0)
    };
    (lo, hi)
}

/// The arrest rate shrunk toward `prior`: `(α·prior + k) / (α + n)`.
pub fn smoothed_rate(k: f64, n: f64, prior: f64, alpha: f64) -> f64 {
    if alpha + n <= 0.0 {
        prior
    } else {
        (alpha * prior + k) / (alpha + n)
    }
}

/// `k / n`, or 0 when `n = 0`.
pub fn rate(k: f64, n: f64) -> f64 {
    if n > 0.0 { k / n } else { 0.0 }
}

/// The `q` quantile (clamped to [0, 1]) of values sorted ascending, interpolating linearly
/// between order statistics: NumPy's and pandas' default (Hyndman & Fan type 7). `None` for no
/// values. Unsorted input gives a meaningless (but finite) answer.
pub fn quantile_sorted<T: Copy + Into<f64>>(sorted: &[T], q: f64) -> Option<f64> {
    let n = sorted.len();
    let first = (*sorted.first()?).into();
    if n == 1 {
        return Some(first);
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted[lo].into(), sorted[hi].into());
    Some(a + (b - a) * (h - lo as f64))
}

/// The median of `values` (sorted in place, NaN last): the type-7 quantile at 0.5, so the
/// mean of the two middle values when there is an even number. `None` for no values.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    quantile_sorted(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy() {
        // numpy.quantile([1, 2, 4, 8], q) for q = 0, 0.25, 0.5, 0.9, 1:
        // h = 3q → 1, 1.75, 3, 6.8, 8.
        let xs = [1.0f64, 2.0, 4.0, 8.0];
        let q = |p| quantile_sorted(&xs, p).unwrap_or(f64::NAN);
        assert_eq!(q(0.0), 1.0);
        assert_eq!(q(0.25), 1.75);
        assert_eq!(q(0.5), 3.0);
        assert!((q(0.9) - 6.8).abs() < 1e-12);
        assert_eq!(q(1.0), 8.0);
        assert_eq!(q(7.0), 8.0, "q is clamped");
        assert_eq!(quantile_sorted(&[5.0f32], 0.3), Some(5.0));
        assert_eq!(quantile_sorted::<f64>(&[], 0.5), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_hand_worked_values() {
        // n = 1, k = 0: centre = z²/2, half = z²/2, so low = 0 and high = z²/(1+z²).
        let (lo, hi) = wilson_interval(0.0, 1.0, Z95);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.793_45, 1e-5), "{hi}");
        // n = 10, k = 5: p = .5, z² = 3.841459; denom = 1.3841459; centre = .6920730;
        // half = 1.959964·√(.025 + .0096036) = .3646190 → [.2366, .7634].
        let (lo, hi) = wilson_interval(5.0, 10.0, Z95);
        assert!(close(lo, 0.236_593, 1e-5), "{lo}");
        assert!(close(hi, 0.763_407, 1e-5), "{hi}");
        // n = 100, k = 13: the textbook value [0.0776, 0.2098].
        let (lo, hi) = wilson_interval(13.0, 100.0, Z95);
        assert!(close(lo, 0.077_63, 1e-4), "{lo}");
        assert!(close(hi, 0.209_77, 1e-4), "{hi}");
        // k = n: the upper bound is exactly 1.
        let (lo, hi) = wilson_interval(4.0, 4.0, Z95);
        assert!(close(lo, 0.510_07, 1e-4), "{lo}");
        assert_eq!(hi, 1.0);
        assert_eq!(wilson_interval(0.0, 0.0, Z95), (0.0, 0.0));
    }

    #[test]
    fn smoothing_hand_worked_values() {
        // The seed's documented value: n = 1, k = 0, prior 0.131856 → 0.10988.
        assert!(close(
            smoothed_rate(0.0, 1.0, 0.131_856, SMOOTHING_ALPHA),
            0.109_88,
            1e-5
        ));
        // n = 92, k = 27, prior 0.131856 → (0.65928 + 27)/97 = 0.285147.
        assert!(close(
            smoothed_rate(27.0, 92.0, 0.131_856, SMOOTHING_ALPHA),
            0.285_147,
            1e-6
        ));
        assert_eq!(smoothed_rate(0.0, 0.0, 0.2, SMOOTHING_ALPHA), 0.2);
        assert_eq!(rate(0.0, 0.0), 0.0);
    }
}
