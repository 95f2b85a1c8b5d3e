//! The comparison with the previous period of equal length: totals, completeness, the cells
//! that rose and fell most, and each cell's change tested (exact conditional binomial test,
//! Benjamini–Hochberg across cells) so "significantly up / down" is marked, not guessed.

use std::ops::Range;

use hotspot_core::time::YearMonth;

use super::Engine;
use super::sums::{CellSums, city_days};
use crate::hotspots::{bh_cutoff, change_p};
use crate::result::{CHANGE_FDR, CellArrays, CellChange, Comparison, Kpis};
use crate::scope::Scope;

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn comparison(
        &self,
        scope: &Scope,
        prev_period: &crate::scope::Period,
        prev_requested: &[(i32, i32)],
        prev_intervals: &[(i32, i32)],
        intervals: &[(i32, i32)],
        cells: &CellArrays,
        prev: &CellSums,
        range: &Range<usize>,
        mask: &[bool],
        kpis: &Kpis,
    ) -> Comparison {
        let ix = &*self.ix;
        let (incidents, arrests) = match scope.drill.last() {
            None => {
                let cube = city_days(ix, prev_intervals, mask);
                (cube.sel.iter().sum::<u64>(), cube.arr.iter().sum::<u64>())
            }
            Some(_) => (
                range.clone().map(|s| u64::from(prev.sel[s])).sum(),
                range.clone().map(|s| u64::from(prev.arr[s])).sum(),
            ),
        };
        let complete = prev_requested.iter().all(|&(a, b)| {
            let (ma, mb) = (YearMonth::of_day(a), YearMonth::of_day(b));
            ma.through(mb).all(|m| ix.months.contains(&m)) && a >= ix.data_first_day
        });
        let change = |i: usize| {
            i64::from(cells.selected.value(i)) - i64::from(cells.previous_selected.value(i))
        };
        let mut order: Vec<usize> = (0..cells.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(change(i)), cells.cell.value(i)));
        let make = |i: usize| CellChange {
            cell: cells.cell.value(i),
            label: cells.label.value(i).to_string(),
            current: cells.selected.value(i),
            previous: cells.previous_selected.value(i),
            change: change(i),
        };
        let rises: Vec<CellChange> = order
            .iter()
            .filter(|&&i| change(i) > 0)
            .take(5)
            .map(|&i| make(i))
            .collect();
        let falls: Vec<CellChange> = order
            .iter()
            .rev()
            .filter(|&&i| change(i) < 0)
            .take(5)
            .map(|&i| make(i))
            .collect();
        // The change test: both periods' days in the lake (a period reaching past the lake's
        // last day counts the days it covers).
        let days = |iv: &[(i32, i32)]| iv.iter().map(|(a, b)| f64::from(b - a + 1)).sum::<f64>();
        let (days_b, days_a) = (days(intervals), days(prev_intervals));
        let tested = complete && days_a > 0.0 && days_b > 0.0;
        let n = cells.len();
        let p: Vec<f64> = (0..n)
            .map(|i| {
                let (b, a) = (cells.selected.value(i), cells.previous_selected.value(i));
                if tested && a + b > 0 {
                    change_p(u64::from(a), u64::from(b), days_a, days_b)
                } else {
                    f64::NAN
                }
            })
            .collect();
        let cutoff = bh_cutoff(&p, CHANGE_FDR);
        let sig: Vec<i8> = (0..n)
            .map(|i| match cutoff {
                Some(c) if p[i] <= c => {
                    let (b, a) = (
                        f64::from(cells.selected.value(i)),
                        f64::from(cells.previous_selected.value(i)),
                    );
                    // Rates per day, so unequal periods compare fairly.
                    if b * days_a > a * days_b { 1 } else { -1 }
                }
                _ => 0,
            })
            .collect();
        let mut by_p: Vec<usize> = (0..n).filter(|&i| sig[i] != 0).collect();
        by_p.sort_by(|&x, &y| {
            p[x].total_cmp(&p[y])
                .then(cells.cell.value(x).cmp(&cells.cell.value(y)))
        });
        let pick = |dir: i8| -> Vec<CellChange> {
            by_p.iter()
                .filter(|&&i| sig[i] == dir)
                .take(5)
                .map(|&i| make(i))
                .collect()
        };
        Comparison {
            period_label: prev_period.label(),
            complete,
            incidents,
            arrests,
            change_share: (incidents > 0)
                .then(|| (kpis.incidents as f64 - incidents as f64) / incidents as f64),
            rises,
            falls,
            tested,
            change_p: p.iter().map(|v| *v as f32).collect(),
            significant_up: pick(1),
            significant_down: pick(-1),
            n_up: sig.iter().filter(|s| **s == 1).count(),
            n_down: sig.iter().filter(|s| **s == -1).count(),
            change_sig: sig,
        }
    }
}
