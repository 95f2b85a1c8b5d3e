//! The KPI cards: totals, the busiest cell, focus shares and week-over-week changes over the
//! complete days of the period.

use hotspot_core::fmt::thousands;
use hotspot_core::stats;
use hotspot_core::time::naive_date;

use super::Engine;
use super::sums::{DayCube, block_range, month_pieces};
use crate::index::{ResIndex, month_first_day};
use crate::result::{Busiest, CellArrays, Kpis, WeekDelta, WeekWindow};
use crate::scope::Scope;

#[inline]
pub(super) fn week_delta(values: &[f64], window: &[usize]) -> Option<WeekDelta> {
    if window.len() < 7 {
        return None;
    }
    let mean = |idx: &[usize]| idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64;
    let first = mean(&window[..7]);
    let last = mean(&window[window.len() - 7..]);
    Some(WeekDelta {
        first_week_mean: first,
        last_week_mean: last,
        change: last - first,
    })
}

pub(super) fn fmt_day(day: i32) -> String {
    naive_date(day).format("%-d %b %Y").to_string()
}

impl Engine {
    /// The window of complete days for "vs first week": period days with data, the partial
    /// trailing day excluded.
    /// `requested` is the period as asked (before clipping to the lake): days of it outside the
    /// data are counted, not enumerated.
    pub(super) fn week_window(
        &self,
        cube: &DayCube,
        requested: &[(i32, i32)],
    ) -> (Vec<usize>, WeekWindow) {
        let ix = &*self.ix;
        let last_complete = if ix.last_day_max_hour >= 23 {
            ix.data_last_day
        } else {
            ix.data_last_day - 1
        };
        let mut notes = Vec::new();
        let idx: Vec<usize> = (0..cube.days.len())
            .filter(|&i| cube.days[i] >= ix.data_first_day && cube.days[i] <= last_complete)
            .collect();
        if cube.days.contains(&ix.data_last_day) && last_complete < ix.data_last_day {
            notes.push(format!(
                "{} excluded: a partial day (latest record at {:02}:xx)",
                fmt_day(ix.data_last_day),
                ix.last_day_max_hour
            ));
        }
        let outside = |lo: i64, hi: i64| -> u64 {
            requested
                .iter()
                .map(|&(a, b)| (i64::from(b).min(hi) - i64::from(a).max(lo) + 1).max(0))
                .sum::<i64>()
                .unsigned_abs()
        };
        let after = outside(i64::from(ix.data_last_day) + 1, i64::MAX / 4);
        if after > 0 {
            notes.push(format!(
                "{} day(s) after the last data day ({}) excluded",
                thousands(after),
                fmt_day(ix.data_last_day)
            ));
        }
        let before = outside(i64::MIN / 4, i64::from(ix.data_first_day) - 1);
        if before > 0 {
            notes.push(format!(
                "{} day(s) before the first data day excluded",
                thousands(before)
            ));
        }
        if idx.len() < 7 {
            notes.push(format!(
                "{} complete day(s): at least 7 are needed for week-over-week change",
                idx.len()
            ));
        } else {
            notes.insert(
                0,
                format!(
                    "mean of the last 7 complete days minus the first 7 ({} – {} vs {} – {}), days without incidents count as 0",
                    fmt_day(cube.days[idx[idx.len() - 7]]),
                    fmt_day(cube.days[idx[idx.len() - 1]]),
                    fmt_day(cube.days[idx[0]]),
                    fmt_day(cube.days[idx[6]])
                ),
            );
        }
        let days = match (idx.first(), idx.last()) {
            (Some(a), Some(b)) if idx.len() >= 7 => {
                Some((naive_date(cube.days[*a]), naive_date(cube.days[*b])))
            }
            _ => None,
        };
        (
            idx.clone(),
            WeekWindow {
                days,
                complete_days: idx.len() as u32,
                note: notes.join("; "),
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn kpis(
        &self,
        scope: &Scope,
        cube: &DayCube,
        cells: &CellArrays,
        r: &ResIndex,
        intervals: &[(i32, i32)],
        requested: &[(i32, i32)],
        mask: &[bool],
        active: bool,
    ) -> Kpis {
        let (window, week) = self.week_window(cube, requested);
        let as_f = |v: &[u64]| v.iter().map(|x| *x as f64).collect::<Vec<_>>();
        let incidents: u64 = cube.sel.iter().sum();
        let arrests: u64 = cube.arr.iter().sum();
        let busiest = (0..cells.len())
            .max_by_key(|&i| {
                (
                    cells.selected.value(i),
                    std::cmp::Reverse(cells.cell.value(i)),
                )
            })
            .and_then(|i| {
                let value = cells.selected.value(i);
                (value > 0).then(|| {
                    let cell = cells.cell.value(i);
                    let daily = self.cell_daily(r, cell, intervals, mask, cube);
                    Busiest {
                        cell,
                        label: cells.label.value(i).to_string(),
                        value,
                        focus_share: f64::from(cells.focus_share.value(i)),
                        delta: week_delta(&daily, &window),
                    }
                })
            });
        let (avg_share, avg_share_delta, overall) = if active {
            let with_data: Vec<f64> = (0..cells.len())
                .map(|i| f64::from(cells.focus_share.value(i)))
                .collect();
            let avg = (!with_data.is_empty())
                .then(|| with_data.iter().sum::<f64>() / with_data.len() as f64);
            let daily: Vec<f64> = (0..cube.days.len())
                .map(|i| {
                    if cube.all[i] > 0 {
                        cube.sel[i] as f64 / cube.all[i] as f64
                    } else {
                        0.0
                    }
                })
                .collect();
            let all: u64 = cube.all.iter().sum();
            (
                avg,
                week_delta(&daily, &window),
                Some(stats::rate(incidents as f64, all as f64)),
            )
        } else {
            (None, None, None)
        };
        let _ = scope;
        Kpis {
            incidents_label: if active {
                "Selected incidents".into()
            } else {
                "Total incidents".into()
            },
            incidents,
            incidents_delta: week_delta(&as_f(&cube.sel), &window),
            busiest,
            avg_focus_share: avg_share,
            avg_focus_share_delta: avg_share_delta,
            overall_focus_share: overall,
            arrests,
            arrests_delta: week_delta(&as_f(&cube.arr), &window),
            arrest_rate: stats::rate(arrests as f64, incidents as f64),
            window: week,
        }
    }

    /// One cell's selected incidents per period day (zero-filled), aligned with `cube.days`.
    pub(super) fn cell_daily(
        &self,
        r: &ResIndex,
        cell: u64,
        intervals: &[(i32, i32)],
        mask: &[bool],
        cube: &DayCube,
    ) -> Vec<f64> {
        let mut out = vec![0.0; cube.days.len()];
        let Some(slot) = r.slot(cell) else { return out };
        let range = slot as usize..slot as usize + 1;
        let ix = &*self.ix;
        for (m, lo, hi, _) in month_pieces(ix, intervals) {
            let d = &r.day;
            let first = month_first_day(ix.first_month, m);
            for i in block_range(&d.slot, d.month_start[m], d.month_start[m + 1], &range) {
                if d.dom[i] >= lo
                    && d.dom[i] <= hi
                    && mask[usize::from(d.ty[i])]
                    && let Some(e) = cube.entry(first + i32::from(d.dom[i]))
                {
                    out[e] += f64::from(d.n[i]);
                }
            }
        }
        out
    }
}
