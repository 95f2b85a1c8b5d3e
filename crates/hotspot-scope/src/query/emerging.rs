//! [`Engine::emerging_hot_spots`]: the space-time cube of a scope's period cut into steps
//! (weeks ending on the period's last day, or calendar months), its space-time Gi* with FDR,
//! each cell's Mann–Kendall trend, and the 17 emerging hot-spot categories.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Instant;

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{YearMonth, naive_date};

use std::sync::Arc;

use crate::error::{Result, ScopeError};
use crate::hotspots::{Category, bh_cutoff, classify, mann_kendall, space_time_gi_star};
use crate::result::{CategoryLeaders, EmergingResult, Warning, WarningKind};
use crate::scope::Scope;

use super::Engine;
use super::hotspots::MAX_K;
use super::sums::sum_cells;

/// The most bins (cells × steps) one analysis may hold: 20 million (160 MB of z-scores).
pub const MAX_BINS: usize = 20_000_000;
/// The most steps.
pub const MAX_STEPS: usize = 2_000;

/// How long a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Seven days; the last step ends on the period's last day, a partial first week is left
    /// out.
    Week,
    /// Calendar months wholly inside the period.
    Month,
}

impl Step {
    /// "week" or "month".
    pub fn name(self) -> &'static str {
        match self {
            Step::Week => "week",
            Step::Month => "month",
        }
    }
}

/// How an emerging hot-spot analysis runs.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
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

// `alpha` is never NaN in options an analysis accepts (it must lie in (0, 1)), so equality is
// total on them and a scope holding options can be compared as a cache key.
impl Eq for EmergingOptions {}

impl EmergingOptions {
    /// Refuses options no analysis can run with: k outside 1–[`MAX_K`], α outside (0, 1), a
    /// time lag of more than [`MAX_STEPS`].
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(ScopeError::Options(format!(
                "the neighbourhood ring k must be 1–{MAX_K}, not {}",
                self.k
            )));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(ScopeError::Options(format!(
                "the significance level must be between 0 and 1, not {}",
                self.alpha
            )));
        }
        if self.time_lag > MAX_STEPS {
            return Err(ScopeError::Options(format!(
                "the time lag must be at most {MAX_STEPS} steps, not {}",
                self.time_lag
            )));
        }
        Ok(())
    }
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
    /// The cells the scope's drill shows (all of them without a drill).
    pub shown: Range<usize>,
    /// Shown cells per category (only the categories present).
    pub counts: BTreeMap<Category, u64>,
    pub elapsed_ms: f64,
}

impl EmergingHotSpots {
    /// Shown cells in `category`.
    pub fn count(&self, category: Category) -> u64 {
        self.counts.get(&category).copied().unwrap_or(0)
    }

    /// Index of `cell` in the study area.
    pub fn index(&self, cell: u64) -> Option<usize> {
        self.cells.binary_search(&cell).ok()
    }

    /// The category, trend τ and trend p of `cell` (any cell of the study area).
    pub fn of(&self, cell: u64) -> Option<(Category, f64, f64)> {
        let i = self.index(cell)?;
        Some((self.category[i], self.trend_tau[i], self.trend_p[i]))
    }

    /// The z of study-area cell `i` (an index into `cells`) in the final step.
    pub fn final_z(&self, i: usize) -> f64 {
        let n = self.cells.len();
        self.steps
            .len()
            .checked_sub(1)
            .and_then(|t| self.z.get(t * n + i))
            .copied()
            .unwrap_or(0.0)
    }

    /// Each category present among the shown cells, no pattern left out, with up to `n` of
    /// its cells, largest final-step |z| first (ties: lower cell id). Hot patterns come
    /// first, in [`crate::hotspots::Pattern::ALL`] order, then the cold ones.
    pub fn leaders(&self, n: usize) -> Vec<(Category, u64, Vec<u64>)> {
        let mut by: BTreeMap<i8, Vec<usize>> = BTreeMap::new();
        for i in self.shown.clone() {
            let c = self.category[i];
            if c != Category::NoPattern {
                by.entry(c.code()).or_default().push(i);
            }
        }
        let mut out: Vec<(Category, u64, Vec<u64>)> = by
            .into_iter()
            .filter_map(|(code, mut idx)| {
                let category = Category::from_code(code)?;
                idx.sort_by(|&a, &b| {
                    self.final_z(b)
                        .abs()
                        .total_cmp(&self.final_z(a).abs())
                        .then(self.cells[a].cmp(&self.cells[b]))
                });
                let count = idx.len() as u64;
                Some((
                    category,
                    count,
                    idx.into_iter().take(n).map(|i| self.cells[i]).collect(),
                ))
            })
            .collect();
        // Hot (positive codes, ascending) before cold (negative, by magnitude).
        out.sort_by_key(|(c, _, _)| {
            let k = c.code();
            if k > 0 { (0, k) } else { (1, -k) }
        });
        out
    }

    /// The shown cells and the summary as JSON: the method and its settings, the steps, cells
    /// as 15-hex-digit strings with their category name, category code, trend τ and p, and
    /// counts per category name (only those present).
    pub fn to_json_value(&self) -> serde_json::Value {
        let shown = self.shown.clone();
        let counts: serde_json::Map<String, serde_json::Value> = self
            .counts
            .iter()
            .map(|(c, n)| (c.name(), serde_json::Value::from(*n)))
            .collect();
        let finite = |v: f64| if v.is_finite() { Some(v) } else { None };
        serde_json::json!({
            "method": "Emerging hot spot analysis (space-time Gi*, Mann-Kendall)",
            "step": self.options.step.name(),
            "time_lag": self.options.time_lag,
            "k": self.options.k,
            "alpha": self.options.alpha,
            "fdr": self.options.fdr,
            "study_area": self.cells.len(),
            "steps": self.steps.iter().map(|(a, b)| serde_json::json!([a, b])).collect::<Vec<_>>(),
            "counts": counts,
            "cells": self.cells[shown.clone()].iter().map(|c| format!("{c:015x}")).collect::<Vec<_>>(),
            "ehsa": self.category[shown.clone()].iter().map(|c| c.name()).collect::<Vec<_>>(),
            "ehsa_code": self.category[shown.clone()].iter().map(|c| c.code()).collect::<Vec<_>>(),
            "trend_tau": self.trend_tau[shown.clone()].iter().map(|v| finite(*v)).collect::<Vec<_>>(),
            "trend_p": self.trend_p[shown].iter().map(|v| finite(*v)).collect::<Vec<_>>(),
        })
    }
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
    /// The emerging analysis a query carries: `None` with a warning when the period cannot be
    /// cut into enough steps (or into too many bins), an error for options no analysis accepts.
    pub(super) fn emerging_of(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        options: EmergingOptions,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Arc<EmergingResult>>> {
        options.validate()?;
        match self.emerging_hot_spots(scope, taxonomy, options) {
            Ok(stats) => {
                let leaders = stats
                    .leaders(EmergingResult::LEADERS)
                    .into_iter()
                    .map(|(category, count, cells)| CategoryLeaders {
                        category,
                        count,
                        cells: cells
                            .into_iter()
                            .map(|c| (c, self.label(c).map(str::to_string)))
                            .collect(),
                    })
                    .collect();
                Ok(Some(Arc::new(EmergingResult { stats, leaders })))
            }
            Err(ScopeError::Steps(message)) => {
                warnings.push(Warning {
                    kind: WarningKind::EmergingUnavailable,
                    message: format!("Emerging hot spots: {message}."),
                });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Emerging hot spots of the scope's selected incidents over its period, cut into steps.
    pub fn emerging_hot_spots(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        options: EmergingOptions,
    ) -> Result<EmergingHotSpots> {
        let started = Instant::now();
        options.validate()?;
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        let clipped = super::clip(&scope.period.intervals()?, ix.cube_days());
        let (Some(first), Some(last)) = (
            clipped.iter().map(|i| i.0).min(),
            clipped.iter().map(|i| i.1).max(),
        ) else {
            return Err(ScopeError::Steps(
                "the period holds no day of the lake".into(),
            ));
        };
        let steps = steps_of(first, last, options.step);
        let n = r.cells.len();
        if steps.len() < 2 {
            return Err(ScopeError::Steps(format!(
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
            return Err(ScopeError::Steps(format!(
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
        let shown = match scope.drill.last() {
            Some(&t) => r.descendant_slots(t),
            None => 0..n,
        };
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
            if shown.contains(&i) {
                *counts.entry(c).or_insert(0) += 1;
            }
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
            shown,
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
