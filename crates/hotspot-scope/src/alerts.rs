//! Alert rules over scope results: what makes the wall interrupt its playlist.
//!
//! Two kinds, as `scripts/alerts.rhai` lists them:
//! - **Surge**: a cell whose count over the last `days` days (ending on the lake's last day) is
//!   improbably high against its own trailing baseline. The expected count is the baseline's
//!   daily rate times `days`, with the baseline taken as at least one incident (a cell never
//!   seen before is not infinitely surprising). The false-alarm rate α is the wall's, per
//!   evaluation: each of the n cells with incidents in the window is tested at α / n
//!   (Bonferroni), so a city of thousands of cells does not raise a false alarm every few
//!   minutes. A cell fires when its count reaches the Poisson upper bound, the smallest `k`
//!   with P(X ≥ k | expected) ≤ α / n, and at least `min_count`.
//! - **New hot spot**: a cell the emerging hot-spot analysis of the last `steps` weeks (or
//!   months) classes as a *new hot spot* — significant in the final step only — with at least
//!   `min_count` incidents in that step (a handful of incidents in a quiet area can be
//!   significant without being worth interrupting a room for).
//!
//! Each firing is an [`Alert`] with a [`Alert::key`] naming its event (rule, cell, the window's
//! last day), so whoever keeps the audit log fires each event once.

use chrono::{Datelike, Duration, NaiveDate};
use hotspot_core::taxonomy::Taxonomy;
use serde::Serialize;

use crate::error::{Result, ScopeError};
use crate::hotspots::{Category, Family, Pattern};
use crate::query::{EmergingOptions, Step};
use crate::scope::{Period, Scope, Selection};
use crate::{Engine, ScopeResult};

/// The most alerts one rule raises per evaluation (the strongest first).
pub const MAX_ALERTS_PER_RULE: usize = 5;

/// A rule.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertRule {
    Surge(SurgeRule),
    NewHotSpot(NewHotSpotRule),
}

impl AlertRule {
    pub fn name(&self) -> &str {
        match self {
            AlertRule::Surge(r) => &r.name,
            AlertRule::NewHotSpot(r) => &r.name,
        }
    }

    /// Seconds a firing holds the wall.
    pub fn hold_s(&self) -> u32 {
        match self {
            AlertRule::Surge(r) => r.hold_s,
            AlertRule::NewHotSpot(r) => r.hold_s,
        }
    }
}

/// A count significantly above its trailing baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct SurgeRule {
    pub name: String,
    pub res: u8,
    /// The window: the last `days` days of data (1 = the last 24 hours of the lake).
    pub days: u32,
    /// The trailing baseline: the `baseline_days` days before the window.
    pub baseline_days: u32,
    /// The false-alarm rate α of one evaluation over all cells (each cell tested at α / n).
    pub false_alarm: f64,
    /// Fewer incidents than this never fire.
    pub min_count: u32,
    pub selection: Selection,
    pub hold_s: u32,
}

/// A cell newly hot in the final step of the emerging analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct NewHotSpotRule {
    pub name: String,
    pub res: u8,
    pub step: Step,
    /// Steps analysed, the last ending on the lake's last day.
    pub steps: u32,
    pub alpha: f64,
    /// Fewer incidents than this in the final step never fire.
    pub min_count: u32,
    pub selection: Selection,
    pub hold_s: u32,
}

impl AlertRule {
    /// Refuses a rule no evaluation can run: bad resolution, empty or absurd windows, rates
    /// outside (0, 1).
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(ScopeError::Alert(format!("`{}`: {m}", self.name())));
        match self {
            AlertRule::Surge(r) => {
                if !(6..=10).contains(&r.res) {
                    return bad(format!("resolution {} is not 6–10", r.res));
                }
                if !(1..=366).contains(&r.days) {
                    return bad(format!("days {} is not 1–366", r.days));
                }
                if !(1..=3660).contains(&r.baseline_days) {
                    return bad(format!("baseline_days {} is not 1–3660", r.baseline_days));
                }
                if !(r.false_alarm > 0.0 && r.false_alarm < 1.0) {
                    return bad(format!("false_alarm {} is not in (0, 1)", r.false_alarm));
                }
            }
            AlertRule::NewHotSpot(r) => {
                if !(6..=10).contains(&r.res) {
                    return bad(format!("resolution {} is not 6–10", r.res));
                }
                if !(3..=520).contains(&r.steps) {
                    return bad(format!("steps {} is not 3–520", r.steps));
                }
                if !(r.alpha > 0.0 && r.alpha < 1.0) {
                    return bad(format!("alpha {} is not in (0, 1)", r.alpha));
                }
            }
        }
        Ok(())
    }
}

/// One firing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    pub rule: String,
    /// "surge" or "new_hot_spot".
    pub kind: &'static str,
    #[serde(serialize_with = "crate::result::hex_cell")]
    pub cell: u64,
    pub res: u8,
    /// The cell's place name and block.
    pub place: String,
    pub block: Option<String>,
    /// The window that fired.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Incidents in the window, what the baseline expects, the count that fires, its p.
    pub observed: u64,
    pub expected: f64,
    pub bound: u64,
    pub p: f64,
    /// Why, in a sentence.
    pub why: String,
    pub hold_s: u32,
}

impl Alert {
    /// The event it reports: one rule, one cell, one window end. Fired once.
    pub fn key(&self) -> String {
        format!("{}|{:015x}|{}", self.rule, self.cell, self.to)
    }
}

/// P(X ≥ k) for X Poisson with mean `lambda`.
pub fn poisson_upper_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda.is_nan() || lambda <= 0.0 {
        return 0.0;
    }
    let pmf = |i: u64| (-lambda + i as f64 * lambda.ln() - libm::lgamma(i as f64 + 1.0)).exp();
    if (k as f64) > lambda {
        // Sum the tail upward: its terms shrink at least geometrically past the mean.
        let mut term = pmf(k);
        let mut sum = term;
        let mut i = k;
        while term > sum * 1e-17 && i < k + 100_000 {
            i += 1;
            term *= lambda / i as f64;
            sum += term;
        }
        sum.clamp(0.0, 1.0)
    } else {
        let lower: f64 = (0..k).map(pmf).sum();
        (1.0 - lower).clamp(0.0, 1.0)
    }
}

/// The Poisson upper bound at false-alarm rate `alpha`: the smallest `k` with
/// P(X ≥ k | lambda) ≤ alpha.
pub fn poisson_upper_bound(lambda: f64, alpha: f64) -> u64 {
    let mut k = lambda.max(0.0).floor() as u64;
    while poisson_upper_tail(k, lambda) > alpha && k < u64::from(u32::MAX) {
        k += 1;
    }
    k
}

impl Engine {
    /// Every rule's firings against the lake as it stands, strongest first within a rule.
    /// A rule the lake cannot answer (its baseline reaches before the lake) raises nothing.
    pub fn evaluate_alerts(&self, rules: &[AlertRule], taxonomy: &Taxonomy) -> Result<Vec<Alert>> {
        let mut out = Vec::new();
        for rule in rules {
            rule.validate()?;
            match rule {
                AlertRule::Surge(r) => out.extend(self.surges(r, taxonomy)?),
                AlertRule::NewHotSpot(r) => out.extend(self.new_hot_spots(r, taxonomy)?),
            }
        }
        Ok(out)
    }

    fn surges(&self, rule: &SurgeRule, taxonomy: &Taxonomy) -> Result<Vec<Alert>> {
        let (first, last) = self.date_range();
        let from = last - Duration::days(i64::from(rule.days) - 1);
        let base_to = from - Duration::days(1);
        let base_from = from - Duration::days(i64::from(rule.baseline_days));
        if base_from < first {
            return Ok(Vec::new());
        }
        let mut scope = Scope::new(rule.res, from, last);
        scope.selection = rule.selection.clone();
        scope.table.rows = 0;
        scope.compare = Some(Period::Range {
            from: base_from,
            to: base_to,
        });
        let r = self.query(&scope, taxonomy)?;
        let per_day = f64::from(rule.days) / f64::from(rule.baseline_days);
        let per_cell = rule.false_alarm / r.cells.len().max(1) as f64;
        let mut found = Vec::new();
        for i in 0..r.cells.len() {
            let observed = u64::from(r.cells.selected.value(i));
            if observed < u64::from(rule.min_count) {
                continue;
            }
            let baseline = u64::from(r.cells.previous_selected.value(i));
            let expected = baseline.max(1) as f64 * per_day;
            let p = poisson_upper_tail(observed, expected);
            if p <= per_cell {
                found.push((p, i, observed, baseline, expected));
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let window = if rule.days == 1 {
            "the last 24 hours of data".to_string()
        } else {
            format!("the last {} days", rule.days)
        };
        Ok(found
            .into_iter()
            .take(MAX_ALERTS_PER_RULE)
            .map(|(p, i, observed, baseline, expected)| {
                let cell = r.cells.cell.value(i);
                let bound = poisson_upper_bound(expected, per_cell);
                Alert {
                    rule: rule.name.clone(),
                    kind: "surge",
                    cell,
                    res: rule.res,
                    place: r.cells.label.value(i).to_string(),
                    block: self.block(cell).map(str::to_string),
                    from,
                    to: last,
                    observed,
                    expected,
                    bound,
                    p,
                    why: format!(
                        "{observed} incidents in {window}, against {expected:.1} expected from \
                         {} in the {} days before{}; {bound} or more would be a false alarm less \
                         than once in {} evaluations of the whole city",
                        baseline,
                        rule.baseline_days,
                        if baseline == 0 { " (taken as 1)" } else { "" },
                        (1.0 / rule.false_alarm).round()
                    ),
                    hold_s: rule.hold_s,
                }
            })
            .collect())
    }

    fn new_hot_spots(&self, rule: &NewHotSpotRule, taxonomy: &Taxonomy) -> Result<Vec<Alert>> {
        let (first, last) = self.date_range();
        let from = match rule.step {
            Step::Week => last - Duration::days(7 * i64::from(rule.steps) - 1),
            Step::Month => {
                let mut d = last;
                for _ in 0..rule.steps {
                    d = d.with_day0(0).unwrap_or(d) - Duration::days(1);
                }
                d + Duration::days(1)
            }
        };
        if from < first {
            return Ok(Vec::new());
        }
        let mut scope = Scope::new(rule.res, from, last);
        scope.selection = rule.selection.clone();
        let options = EmergingOptions {
            step: rule.step,
            alpha: rule.alpha,
            ..EmergingOptions::default()
        };
        let e = self.emerging_hot_spots(&scope, taxonomy, options)?;
        let Some(&(step_from, step_to)) = e.steps.last() else {
            return Ok(Vec::new());
        };
        let n = e.cells.len();
        let t = e.steps.len() - 1;
        let mut found: Vec<(f64, usize)> = (0..n)
            .filter(|&i| e.category[i] == Category::Spot(Family::Hot, Pattern::New))
            .map(|i| (e.z[t * n + i], i))
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let last_step = self.last_step_counts(rule, step_from, step_to, taxonomy)?;
        let count = |cell: u64| {
            last_step
                .iter()
                .find(|(c, _)| *c == cell)
                .map_or(0, |(_, n)| *n)
        };
        Ok(found
            .into_iter()
            .filter(|&(_, i)| count(e.cells[i]) >= u64::from(rule.min_count))
            .take(MAX_ALERTS_PER_RULE)
            .map(|(z, i)| {
                let cell = e.cells[i];
                let observed = count(cell);
                let p = crate::hotspots::two_sided_p(z);
                Alert {
                    rule: rule.name.clone(),
                    kind: "new_hot_spot",
                    cell,
                    res: rule.res,
                    place: self.label(cell).unwrap_or("this cell").to_string(),
                    block: self.block(cell).map(str::to_string),
                    from: step_from,
                    to: step_to,
                    observed,
                    expected: f64::NAN,
                    bound: 0,
                    p,
                    why: format!(
                        "a new hot spot: significant (Gi* z = {z:.2}) in the {} ending {} and in \
                         none of the {} before",
                        rule.step.name(),
                        step_to.format("%-d %b"),
                        e.steps.len() - 1
                    ),
                    hold_s: rule.hold_s,
                }
            })
            .collect())
    }

    /// Incidents per cell in the final step (for the alert's figures).
    fn last_step_counts(
        &self,
        rule: &NewHotSpotRule,
        from: NaiveDate,
        to: NaiveDate,
        taxonomy: &Taxonomy,
    ) -> Result<Vec<(u64, u64)>> {
        let mut scope = Scope::new(rule.res, from, to);
        scope.selection = rule.selection.clone();
        scope.table.rows = 0;
        let r: ScopeResult = self.query(&scope, taxonomy)?;
        Ok((0..r.cells.len())
            .map(|i| (r.cells.cell.value(i), u64::from(r.cells.selected.value(i))))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tails_worked_by_hand() {
        // λ = 2: P(X ≥ 1) = 1 − e^−2 = 0.864665; P(X ≥ 5) = 1 − e^−2 (1 + 2 + 2 + 4/3 + 2/3)
        // = 1 − 7 e^−2 = 0.052653.
        let e2 = (-2.0f64).exp();
        assert!((poisson_upper_tail(1, 2.0) - (1.0 - e2)).abs() < 1e-12);
        assert!((poisson_upper_tail(5, 2.0) - (1.0 - 7.0 * e2)).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0, 2.0), 1.0);
        // Far in the tail: P(X ≥ 20 | 1) = Σ_{i ≥ 20} e^−1 / i!, summed here to i = 40 (the
        // terms after are below 1e-30 of the first).
        let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
        let expect: f64 = (20..=40).map(|i| (-1.0f64).exp() / fact(i)).sum();
        assert!((poisson_upper_tail(20, 1.0) / expect - 1.0).abs() < 1e-6);
        // The bound: at λ = 2 and α = 0.06, 5 (0.0527 ≤ 0.06) and not 4 (P(X ≥ 4) = 0.1429).
        assert_eq!(poisson_upper_bound(2.0, 0.06), 5);
        assert_eq!(poisson_upper_bound(2.0, 0.05), 6);
    }

    #[test]
    fn rules_outside_their_ranges_are_refused() {
        let surge = SurgeRule {
            name: "s".into(),
            res: 9,
            days: 7,
            baseline_days: 56,
            false_alarm: 0.001,
            min_count: 5,
            selection: Selection::default(),
            hold_s: 30,
        };
        assert!(AlertRule::Surge(surge.clone()).validate().is_ok());
        for bad in [
            SurgeRule {
                res: 11,
                ..surge.clone()
            },
            SurgeRule {
                days: 0,
                ..surge.clone()
            },
            SurgeRule {
                baseline_days: 100_000,
                ..surge.clone()
            },
            SurgeRule {
                false_alarm: 1.0,
                ..surge.clone()
            },
            SurgeRule {
                false_alarm: f64::NAN,
                ..surge.clone()
            },
        ] {
            assert!(AlertRule::Surge(bad).validate().is_err());
        }
    }
}
