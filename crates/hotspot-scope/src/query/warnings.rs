//! Warnings about a result: months missing from the lake, no data, empty drills, sparse
//! resolutions, unmapped records and a partial last day.

use std::collections::BTreeSet;

use hotspot_core::fmt::thousands;
use hotspot_core::res;
use hotspot_core::stats;
use hotspot_core::time::{self, YearMonth};

use super::Engine;
use super::kpis::fmt_day;
use super::sums::DayCube;
use crate::index::ResIndex;
use crate::result::{CellArrays, Warning, WarningKind};
use crate::scope::Scope;

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn warn(
        &self,
        scope: &Scope,
        r: &ResIndex,
        cells: &CellArrays,
        intervals: &[(i32, i32)],
        requested: &[(i32, i32)],
        mask: &[bool],
        from: i32,
        to: i32,
        cube: &DayCube,
        warnings: &mut Vec<Warning>,
    ) {
        let ix = &*self.ix;
        if let Some(message) = missing_months(&ix.months, requested) {
            warnings.push(Warning {
                kind: WarningKind::MissingMonths,
                message,
            });
        }
        let in_scope: u64 = cube.all.iter().sum();
        if in_scope == 0 {
            warnings.push(Warning {
                kind: WarningKind::NoData,
                message: "No incidents in this scope and period.".into(),
            });
        }
        if let Some(t) = scope.drill.last()
            && cells.is_empty()
        {
            warnings.push(Warning {
                kind: WarningKind::NoChildren,
                message: format!(
                    "{} has no {} cells with incidents in {}.",
                    self.label(*t).unwrap_or("This cell"),
                    res::name(r.res),
                    scope.period.label()
                ),
            });
        }
        if !cells.is_empty() {
            let dense = (0..cells.len())
                .filter(|&i| cells.selected.value(i) >= stats::LOW_CONFIDENCE_BELOW)
                .count();
            let share = dense as f64 / cells.len() as f64;
            if share < 0.2 {
                warnings.push(Warning {
                    kind: WarningKind::SparseResolution,
                    message: format!(
                        "Only {} of {} cells have 5+ incidents. Aggregate more months or step back to a coarser resolution for clearer patterns.",
                        hotspot_core::fmt::percent(share, 0),
                        res::display(r.res)
                    ),
                });
            }
        }
        if scope.drill.is_empty() {
            let u = &ix.unmapped;
            let mut n = 0u64;
            for &(a, b) in intervals {
                for day in a.max(ix.first_day)..=b.min(ix.first_day + ix.n_days as i32 - 1) {
                    let d = (day - ix.first_day) as usize;
                    for i in u.day_start[d]..u.day_start[d + 1] {
                        if mask[usize::from(u.ty[i])] {
                            n += u64::from(u.n[i]);
                        }
                    }
                }
            }
            if n > 0 {
                warnings.push(Warning {
                    kind: WarningKind::Unmapped,
                    message: format!(
                        "{} incident(s) in this period have no usable coordinates: counted in the totals, not on the map.",
                        thousands(n)
                    ),
                });
            }
        }
        if from <= ix.data_last_day && to >= ix.data_last_day && ix.last_day_max_hour < 23 {
            warnings.push(Warning {
                kind: WarningKind::PartialDay,
                message: format!(
                    "{} looks partial (latest record at {:02}:xx): it is left out of the week-over-week changes.",
                    fmt_day(ix.data_last_day),
                    ix.last_day_max_hour
                ),
            });
        }
        let _ = time::MICROS_PER_DAY;
    }
}

/// The "months not in the lake" warning, or `None` when every month of the period is there.
///
/// Counted arithmetically from the intervals, so a period of ten thousand years costs as much as
/// one of a month: only the lake's own months (a few hundred at most) are ever enumerated. Months
/// before the lake's first month and after its last are reported as spans, gaps inside it by
/// name.
fn missing_months(lake: &BTreeSet<YearMonth>, intervals: &[(i32, i32)]) -> Option<String> {
    // Month indices of the period as sorted, disjoint, inclusive spans.
    let mut spans: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for &(a, b) in intervals {
        let (ma, mb) = (
            i64::from(YearMonth::of_day(a).index()),
            i64::from(YearMonth::of_day(b).index()),
        );
        match spans.last_mut() {
            Some(last) if ma <= last.1 + 1 => last.1 = last.1.max(mb),
            _ => spans.push((ma, mb)),
        }
    }
    let covered = |lo: i64, hi: i64| -> i64 {
        spans
            .iter()
            .map(|&(a, b)| (b.min(hi) - a.max(lo) + 1).max(0))
            .sum()
    };
    let in_period = |m: &YearMonth| {
        let i = i64::from(m.index());
        spans.iter().any(|&(a, b)| a <= i && i <= b)
    };
    let name = |i: i64| {
        i32::try_from(i)
            .map(|i| YearMonth::from_index(i).to_string())
            .unwrap_or_else(|_| i.to_string())
    };
    let (Some(first), Some(last)) = (lake.first(), lake.last()) else {
        let total = covered(i64::MIN / 4, i64::MAX / 4);
        return Some(format!(
            "{} month(s) of this period are not in the lake: it holds no months.",
            thousands(total.unsigned_abs())
        ));
    };
    let (lo, hi) = (i64::from(first.index()), i64::from(last.index()));
    let before = covered(i64::MIN / 4, lo - 1);
    let after = covered(hi + 1, i64::MAX / 4);
    // Gaps inside the lake's span: bounded by its length, so enumerating is fine.
    let gaps: Vec<YearMonth> = first
        .through(*last)
        .filter(|m| !lake.contains(m) && in_period(m))
        .collect();
    let total = before + after + gaps.len() as i64;
    if total == 0 {
        return None;
    }
    let mut parts = Vec::new();
    let span_text = |lo: i64, hi: i64, n: i64, side: &str| {
        let meets = |&&(a, b): &&(i64, i64)| a <= hi && b >= lo;
        let first_in = spans.iter().find(meets).map(|&(a, _)| a.max(lo));
        let last_in = spans.iter().rev().find(meets).map(|&(_, b)| b.min(hi));
        match (first_in, last_in) {
            (Some(a), Some(b)) if a == b => format!("{} ({side})", name(a)),
            (Some(a), Some(b)) => format!(
                "{} month(s) {} … {} ({side})",
                thousands(n.unsigned_abs()),
                name(a),
                name(b)
            ),
            _ => String::new(),
        }
    };
    if before > 0 {
        parts.push(span_text(
            i64::MIN / 4,
            lo - 1,
            before,
            "before the lake's first month",
        ));
    }
    if !gaps.is_empty() {
        let list: Vec<String> = gaps.iter().take(6).map(ToString::to_string).collect();
        parts.push(format!(
            "{}{} (gaps in the lake)",
            list.join(", "),
            if gaps.len() > 6 { ", …" } else { "" }
        ));
    }
    if after > 0 {
        parts.push(span_text(
            hi + 1,
            i64::MAX / 4,
            after,
            "after the lake's last month",
        ));
    }
    Some(format!(
        "{} month(s) of this period are not in the lake: {}.",
        thousands(total.unsigned_abs()),
        parts.join("; ")
    ))
}
