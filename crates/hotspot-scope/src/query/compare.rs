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
        cur: &CellSums,
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
        // Cells with incidents only in the previous period are not among `cells` (they have
        // nothing this period) but fell to zero: they are tested too, and counted.
        let gone: Vec<(u64, String, u32, f64)> = match (tested, ix.at(scope.res)) {
            (true, Ok(r)) => range
                .clone()
                .filter(|&s| cur.inc[s] == 0 && prev.sel[s] > 0)
                .map(|s| {
                    let a = prev.sel[s];
                    (
                        r.cells[s],
                        r.label[s].clone(),
                        a,
                        change_p(u64::from(a), 0, days_a, days_b),
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        let all_p: Vec<f64> = p.iter().copied().chain(gone.iter().map(|g| g.3)).collect();
        let cutoff = bh_cutoff(&all_p, CHANGE_FDR);
        let passes = |q: f64| cutoff.is_some_and(|c| q <= c);
        let sig: Vec<i8> = (0..n)
            .map(|i| {
                if !passes(p[i]) {
                    return 0;
                }
                let (b, a) = (
                    f64::from(cells.selected.value(i)),
                    f64::from(cells.previous_selected.value(i)),
                );
                // Rates per day, so unequal periods compare fairly.
                if b * days_a > a * days_b { 1 } else { -1 }
            })
            .collect();
        // The significant changes, smallest p first: the result's cells, and those that fell
        // to zero.
        let mut ranked: Vec<(f64, i8, CellChange)> = (0..n)
            .filter(|&i| sig[i] != 0)
            .map(|i| (p[i], sig[i], make(i)))
            .chain(
                gone.iter()
                    .filter(|g| passes(g.3))
                    .map(|(cell, label, a, q)| {
                        (
                            *q,
                            -1,
                            CellChange {
                                cell: *cell,
                                label: label.clone(),
                                current: 0,
                                previous: *a,
                                change: -i64::from(*a),
                            },
                        )
                    }),
            )
            .collect();
        ranked.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cell.cmp(&y.2.cell)));
        let count = |dir: i8| ranked.iter().filter(|r| r.1 == dir).count();
        let pick = |dir: i8| -> Vec<CellChange> {
            ranked
                .iter()
                .filter(|r| r.1 == dir)
                .take(5)
                .map(|r| r.2.clone())
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
            n_up: count(1),
            n_down: count(-1),
            change_sig: sig,
        }
    }
}
