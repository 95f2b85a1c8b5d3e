//! [`Engine::emerging_hot_spots`]: the space-time cube of a scope's period cut into steps
//! (weeks ending on the period's last day, or calendar months), its space-time Gi* with FDR,
//! each cell's Mann–Kendall trend, and the 17 emerging hot-spot categories.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{YearMonth, naive_date};

use crate::error::{Result, ScopeError};
use crate::hotspots::{Category, bh_cutoff, classify, mann_kendall, space_time_gi_star};
use crate::scope::Scope;

use super::Engine;
use super::hotspots::MAX_K;
use super::sums::sum_cells;

/// The most bins (cells × steps) one analysis may hold: 20 million (160 MB of z-scores).
pub const MAX_BINS: usize = 20_000_000;
/// The most steps.
pub const MAX_STEPS: usize = 2_000;

/// How long a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Seven days; the last step ends on the period's last day, a partial first week is left
    /// out.
    Week,
    /// Calendar months wholly inside the period.
    Month,
}

/// How an emerging hot-spot analysis runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmergingOptions {
    pub step: Step,
    /// Earlier steps each bin's neighbourhood reaches back (1 by default).
    pub time_lag: usize,
    /// The spatial neighbourhood ring.
    pub k: u32,
    /// Significance level of the bins and of the trend.
    pub alpha: f64,
    /// Benjamini–Hochberg over all bins.
    pub fdr: bool,
}

impl Default for EmergingOptions {
    fn default() -> Self {
        EmergingOptions {
            step: Step::Month,
            time_lag: 1,
            k: 1,
            alpha: 0.10,
            fdr: true,
        }
    }
}

/// The analysis of every study-area cell, in coverage order.
#[derive(Clone, Debug, PartialEq)]
pub struct EmergingHotSpots {
    pub res: u8,
    pub options: EmergingOptions,
    pub cells: Vec<u64>,
    /// First and last day of each step.
    pub steps: Vec<(NaiveDate, NaiveDate)>,
    /// z of bin (step t, cell i) at `z[t * cells.len() + i]`.
    pub z: Vec<f64>,
    /// Per cell: significant steps (+1 hot, −1 cold, 0), at `sig[t * n + i]`.
    pub sig: Vec<i8>,
    pub category: Vec<Category>,
    /// Mann–Kendall τ and p of each cell's z-series.
    pub trend_tau: Vec<f64>,
    pub trend_p: Vec<f64>,
    /// Cells per category (only the categories present).
    pub counts: BTreeMap<Category, u64>,
    pub elapsed_ms: f64,
}

/// The steps of the days `first..=last` (day numbers).
fn steps_of(first: i32, last: i32, step: Step) -> Vec<(i32, i32)> {
    match step {
        Step::Week => {
            let mut out = Vec::new();
            let mut end = last;
            while end - 6 >= first {
                out.push((end - 6, end));
                end -= 7;
            }
            out.reverse();
            out
        }
        Step::Month => {
            let a = YearMonth::of_day(first);
            let b = YearMonth::of_day(last);
            a.through(b)
                .filter(|m| m.first_day() >= first && m.end_day() - 1 <= last)
                .map(|m| (m.first_day(), m.end_day() - 1))
                .collect()
        }
    }
}

impl Engine {
    /// Emerging hot spots of the scope's selected incidents over its period, cut into steps.
    pub fn emerging_hot_spots(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        options: EmergingOptions,
    ) -> Result<EmergingHotSpots> {
        let started = Instant::now();
        if !(1..=MAX_K).contains(&options.k) {
            return Err(ScopeError::Options(format!(
                "the neighbourhood ring k must be 1–{MAX_K}, not {}",
                options.k
            )));
        }
        if !(options.alpha > 0.0 && options.alpha < 1.0) {
            return Err(ScopeError::Options(format!(
                "the significance level must be between 0 and 1, not {}",
                options.alpha
            )));
        }
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        let clipped = super::clip(&scope.period.intervals()?, ix.cube_days());
        let (Some(first), Some(last)) = (
            clipped.iter().map(|i| i.0).min(),
            clipped.iter().map(|i| i.1).max(),
        ) else {
            return Err(ScopeError::Period(
                "the period holds no day of the lake".into(),
            ));
        };
        let steps = steps_of(first, last, options.step);
        let n = r.cells.len();
        if steps.len() < 2 {
            return Err(ScopeError::Options(format!(
                "the period holds {} whole {}(s): emerging hot spots need at least two steps",
                steps.len(),
                if options.step == Step::Week {
                    "week"
                } else {
                    "month"
                }
            )));
        }
        if steps.len() > MAX_STEPS || n.saturating_mul(steps.len()) > MAX_BINS {
            return Err(ScopeError::Options(format!(
                "{} steps × {} cells is more than {} bins: use longer steps, a shorter period or a \
                 coarser resolution",
                steps.len(),
                n,
                MAX_BINS
            )));
        }
        let mut warnings = Vec::new();
        let (mask, _) = self.resolve_selection(scope, taxonomy, &mut warnings);
        let mut x = Vec::with_capacity(n * steps.len());
        for &(a, b) in &steps {
            let sums = sum_cells(ix, r, &[(a, b)], &mask, 0..n, false);
            x.extend(sums.sel.iter().map(|v| f64::from(*v)));
        }
        let nb = self.neighbourhoods(scope.res, options.k)?;
        let t = steps.len();
        let gi = space_time_gi_star(&x, &nb, t, options.time_lag);
        let cutoff = if options.fdr {
            bh_cutoff(&gi.p, options.alpha)
        } else {
            Some(options.alpha)
        };
        let sig: Vec<i8> = gi
            .z
            .iter()
            .zip(&gi.p)
            .map(|(&z, &p)| {
                let significant = cutoff.is_some_and(|c| if options.fdr { p <= c } else { p < c });
                if significant && z != 0.0 {
                    z.signum() as i8
                } else {
                    0
                }
            })
            .collect();
        let mut category = Vec::with_capacity(n);
        let mut trend_tau = Vec::with_capacity(n);
        let mut trend_p = Vec::with_capacity(n);
        let mut counts = BTreeMap::new();
        let mut series = vec![0.0; t];
        let mut signs = vec![0i8; t];
        for i in 0..n {
            for s in 0..t {
                series[s] = gi.z[s * n + i];
                signs[s] = sig[s * n + i];
            }
            let mk = mann_kendall(&series);
            let c = classify(&signs, &mk, options.alpha);
            *counts.entry(c).or_insert(0) += 1;
            category.push(c);
            trend_tau.push(mk.tau);
            trend_p.push(mk.p);
        }
        Ok(EmergingHotSpots {
            res: scope.res,
            options,
            cells: r.cells.clone(),
            steps: steps
                .iter()
                .map(|&(a, b)| (naive_date(a), naive_date(b)))
                .collect(),
            z: gi.z,
            sig,
            category,
            trend_tau,
            trend_p,
            counts,
            elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        hotspot_core::time::day_number(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
    }

    #[test]
    fn weeks_end_on_the_last_day_and_months_are_whole() {
        // 1–31 Jan 2024: four whole weeks ending on the 31st (the 1st–3rd are left out).
        let w = steps_of(day(2024, 1, 1), day(2024, 1, 31), Step::Week);
        assert_eq!(w.len(), 4);
        assert_eq!(w[3], (day(2024, 1, 25), day(2024, 1, 31)));
        assert_eq!(w[0], (day(2024, 1, 4), day(2024, 1, 10)));
        // 15 Jan – 10 Apr: February and March are whole, January and April are not.
        let m = steps_of(day(2024, 1, 15), day(2024, 4, 10), Step::Month);
        assert_eq!(
            m,
            vec![
                (day(2024, 2, 1), day(2024, 2, 29)),
                (day(2024, 3, 1), day(2024, 3, 31))
            ]
        );
        assert!(steps_of(day(2024, 1, 1), day(2024, 1, 5), Step::Week).is_empty());
    }
}
