//! Statistically tested hot spots: the Getis–Ord Gi* statistic over a study area of H3 cells,
//! its confidence bins with Benjamini–Hochberg false-discovery-rate control, the space-time
//! Gi* of a cube of steps, the Mann–Kendall trend test and the 17 categories of an emerging
//! hot-spot analysis (as ArcGIS's Emerging Hot Spot Analysis defines them), and the exact
//! conditional binomial test of a cell's change between two periods.
//!
//! These are the pure statistics, on plain slices: what the scope engine computes per scope
//! (the study area is the lake's coverage at the resolution, zero-filled). The formulas are
//! written out with each function and in `ARCHITECTURE.md` ("Hot spot statistics").

mod binomial;
mod emerging;
mod fdr;
mod gistar;
mod trend;

pub use binomial::{binomial_two_sided, change_p};
pub use emerging::{Category, Family, Pattern, classify};
pub use fdr::{CONFIDENCE, bh_cutoff, bins};
pub use gistar::{GiStar, Neighbourhoods, gi_star, space_time_gi_star};
pub use trend::{MannKendall, mann_kendall};

/// Two-sided p-value of a standard normal `z`.
pub fn two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return 1.0;
    }
    libm::erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::two_sided_p;

    #[test]
    fn normal_p_values() {
        // Standard normal table: P(|Z| > 1.959964) = 0.05, P(|Z| > 2.575829) = 0.01.
        assert!((two_sided_p(1.959_964) - 0.05).abs() < 1e-6);
        assert!((two_sided_p(-2.575_829) - 0.01).abs() < 1e-6);
        assert!((two_sided_p(1.644_854) - 0.10).abs() < 1e-6);
        assert_eq!(two_sided_p(0.0), 1.0);
        assert_eq!(two_sided_p(f64::NAN), 1.0);
    }
}
