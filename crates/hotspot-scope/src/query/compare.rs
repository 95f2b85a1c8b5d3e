//! The comparison with the previous period of equal length: totals, completeness, and the
//! cells that rose and fell most.

use std::ops::Range;

use hotspot_core::time::YearMonth;

use super::Engine;
use super::sums::{CellSums, city_days};
use crate::result::{CellArrays, CellChange, Comparison, Kpis};
use crate::scope::Scope;

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn comparison(
        &self,
        scope: &Scope,
        prev_period: &crate::scope::Period,
        prev_requested: &[(i32, i32)],
        prev_intervals: &[(i32, i32)],
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
        Comparison {
            period_label: prev_period.label(),
            complete,
            incidents,
            arrests,
            change_share: (incidents > 0)
                .then(|| (kpis.incidents as f64 - incidents as f64) / incidents as f64),
            rises,
            falls,
        }
    }
}
