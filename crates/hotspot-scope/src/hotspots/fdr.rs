//! Confidence bins as ArcGIS's Gi_Bin: ±3, ±2, ±1 for hot (cold) spots at 99, 95 and 90 %
//! confidence, 0 otherwise. With the false-discovery-rate correction (on by default), the
//! plain cut-off α of each level is replaced by the Benjamini–Hochberg cut-off over all the
//! p-values: the largest p₍ₖ₎ with p₍ₖ₎ ≤ k·α/m (p sorted ascending, m of them).

/// The confidence levels of the bins, strongest first: (bin, α).
pub const CONFIDENCE: [(i8, f64); 3] = [(3, 0.01), (2, 0.05), (1, 0.10)];

/// The Benjamini–Hochberg cut-off of `p` at level `alpha`: p-values at or below it are
/// significant; `None` when none is.
pub fn bh_cutoff(p: &[f64], alpha: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = p.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let m = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .rev()
        .find(|(k, v)| **v <= (*k as f64 + 1.0) * alpha / m)
        .map(|(_, v)| *v)
}

/// The bin of every cell from its z and p, with or without the FDR correction.
pub fn bins(z: &[f64], p: &[f64], fdr: bool) -> Vec<i8> {
    assert_eq!(z.len(), p.len());
    let cutoffs: Vec<(i8, Option<f64>)> = CONFIDENCE
        .iter()
        .map(|&(bin, alpha)| {
            (
                bin,
                if fdr {
                    bh_cutoff(p, alpha)
                } else {
                    Some(alpha)
                },
            )
        })
        .collect();
    z.iter()
        .zip(p)
        .map(|(&z, &p)| {
            let level = cutoffs
                .iter()
                .find(|(_, c)| c.is_some_and(|c| if fdr { p <= c } else { p < c }))
                .map_or(0, |(bin, _)| *bin);
            if z > 0.0 {
                level
            } else if z < 0.0 {
                -level
            } else {
                0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benjamini_hochberg_worked_by_hand() {
        // m = 10 p-values, α = 0.05: the thresholds k·α/m are 0.005, 0.010, … 0.050.
        // Sorted: 0.001 ≤ 0.005 ✓, 0.008 ≤ 0.010 ✓, 0.039 > 0.015, 0.041 > 0.020,
        // 0.042 > 0.025, 0.060, 0.074, 0.205, 0.212, 0.216: the largest k with p₍ₖ₎ ≤ kα/m is
        // k = 2, so the cut-off is 0.008.
        let p = [
            0.205, 0.001, 0.039, 0.041, 0.042, 0.060, 0.074, 0.008, 0.212, 0.216,
        ];
        assert_eq!(bh_cutoff(&p, 0.05), Some(0.008));
        // At α = 0.10 the thresholds are 0.01 … 0.10: k = 5 (0.042 ≤ 0.05) and k = 6
        // (0.060 ≤ 0.06) pass, k = 7 … 10 (0.074 > 0.07, 0.205 > 0.08, …) do not: the cut-off
        // is 0.060.
        assert_eq!(bh_cutoff(&p, 0.10), Some(0.060));
        assert_eq!(bh_cutoff(&[0.5, 0.9], 0.05), None);
        assert_eq!(bh_cutoff(&[], 0.05), None);
    }

    #[test]
    fn bins_follow_the_sign_and_the_strongest_level_met() {
        let z = [3.0, 2.2, 1.7, 0.5, -2.0, -3.5, 0.0];
        let p = [0.0027, 0.0278, 0.0891, 0.617, 0.0455, 0.0005, 1.0];
        assert_eq!(bins(&z, &p, false), vec![3, 2, 1, 0, -2, -3, 0]);
        // With FDR over these 7 (sorted 0.0005, 0.0027, 0.0278, 0.0455, 0.0891, 0.617, 1):
        // α = 0.01, thresholds 0.00143·k: k = 1, 2 pass, 0.0278 > 0.00429: cut-off 0.0027.
        // α = 0.05, thresholds 0.00714·k: k = 1, 2 pass, 0.0278 > 0.0214, 0.0455 > 0.0286,
        // 0.0891 > 0.0357 …: cut-off 0.0027. α = 0.10, thresholds 0.01429·k: 0.0278 ≤ 0.0429
        // and 0.0455 ≤ 0.0571 pass, 0.0891 > 0.0714 …: cut-off 0.0455.
        assert_eq!(bins(&z, &p, true), vec![3, 1, 0, 0, -1, -3, 0]);
    }
}
