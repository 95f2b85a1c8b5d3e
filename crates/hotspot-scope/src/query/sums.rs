//! Summing the index over a period: per-cell sums (prefix sums for whole months, scans for
//! partial ones, in parallel for long periods), per-day cubes for drilled and citywide scopes,
//! and citywide sums from the month cubes.

use std::collections::BTreeSet;
use std::ops::Range;

use hotspot_core::time::YearMonth;
use rayon::prelude::*;

use crate::index::{CityRows, LakeIndex, MonthCube, ResIndex, month_first_day};

/// Rows scanned per task before the scan is split across threads.
const PARALLEL_ROWS: usize = 300_000;

/// Per-slot sums over a period.
#[derive(Clone, Debug)]
pub(super) struct CellSums {
    pub(super) inc: Vec<u32>,
    pub(super) sel: Vec<u32>,
    pub(super) arr: Vec<u32>,
    /// Selected incidents per (slot in `range`, type).
    pub(super) types: Vec<u32>,
    pub(super) range: Range<usize>,
    pub(super) n_types: usize,
}

impl CellSums {
    pub(super) fn new(slots: usize, range: Range<usize>, n_types: usize, with_types: bool) -> Self {
        Self {
            inc: vec![0; slots],
            sel: vec![0; slots],
            arr: vec![0; slots],
            types: if with_types {
                vec![0; range.len() * n_types]
            } else {
                Vec::new()
            },
            range,
            n_types,
        }
    }

    fn merge(mut self, other: CellSums) -> CellSums {
        for (a, b) in self.inc.iter_mut().zip(&other.inc) {
            *a += b;
        }
        for (a, b) in self.sel.iter_mut().zip(&other.sel) {
            *a += b;
        }
        for (a, b) in self.arr.iter_mut().zip(&other.arr) {
            *a += b;
        }
        for (a, b) in self.types.iter_mut().zip(&other.types) {
            *a += b;
        }
        self
    }

    #[inline]
    pub(super) fn add(&mut self, slot: usize, ty: usize, n: u32, k: u32, selected: bool) {
        self.inc[slot] += n;
        if selected {
            self.sel[slot] += n;
            self.arr[slot] += k;
            if !self.types.is_empty() && self.range.contains(&slot) {
                self.types[(slot - self.range.start) * self.n_types + ty] += n;
            }
        }
    }
}

/// Per-day sums (days of the period), selected types.
#[derive(Clone, Debug, Default)]
pub(super) struct DayCube {
    /// Day number of each entry, ascending.
    pub(super) days: Vec<i32>,
    /// Index into `days` of day `d - days[0]` (−1 when not in the period).
    pub(super) pos: Vec<i32>,
    pub(super) all: Vec<u64>,
    pub(super) sel: Vec<u64>,
    pub(super) arr: Vec<u64>,
    /// Selected incidents and arrests per (day entry, type).
    pub(super) type_n: Vec<u64>,
    pub(super) type_k: Vec<u64>,
    pub(super) n_types: usize,
}

impl DayCube {
    pub(super) fn new(intervals: &[(i32, i32)], n_types: usize) -> Self {
        let days: Vec<i32> = intervals.iter().flat_map(|(a, b)| *a..=*b).collect();
        let span = match (days.first(), days.last()) {
            (Some(a), Some(b)) => (b - a + 1) as usize,
            _ => 0,
        };
        let mut pos = vec![-1i32; span];
        for (i, d) in days.iter().enumerate() {
            pos[(d - days[0]) as usize] = i as i32;
        }
        let n = days.len();
        Self {
            days,
            pos,
            all: vec![0; n],
            sel: vec![0; n],
            arr: vec![0; n],
            type_n: vec![0; n * n_types],
            type_k: vec![0; n * n_types],
            n_types,
        }
    }

    #[inline]
    pub(super) fn entry(&self, day: i32) -> Option<usize> {
        let first = *self.days.first()?;
        let off = day - first;
        if off < 0 || off as usize >= self.pos.len() {
            return None;
        }
        let p = self.pos[off as usize];
        (p >= 0).then_some(p as usize)
    }

    #[inline]
    pub(super) fn add(&mut self, day: i32, ty: usize, n: u64, k: u64, selected: bool) {
        if let Some(e) = self.entry(day) {
            self.all[e] += n;
            if selected {
                self.sel[e] += n;
                self.arr[e] += k;
                self.type_n[e * self.n_types + ty] += n;
                self.type_k[e * self.n_types + ty] += k;
            }
        }
    }

    pub(super) fn type_totals(&self) -> (Vec<u64>, Vec<u64>) {
        let mut n = vec![0u64; self.n_types];
        let mut k = vec![0u64; self.n_types];
        for e in 0..self.days.len() {
            for t in 0..self.n_types {
                n[t] += self.type_n[e * self.n_types + t];
                k[t] += self.type_k[e * self.n_types + t];
            }
        }
        (n, k)
    }
}

/// Intersects period intervals with one month block: (block, first dom, last dom, whole).
#[inline]
pub(super) fn month_pieces(ix: &LakeIndex, intervals: &[(i32, i32)]) -> Vec<(usize, u8, u8, bool)> {
    let mut out = Vec::new();
    for m in 0..ix.n_months {
        let first = month_first_day(ix.first_month, m);
        let ym = YearMonth::of_day(first);
        let last = ym.end_day() - 1;
        for &(a, b) in intervals {
            let lo = a.max(first);
            let hi = b.min(last);
            if lo <= hi {
                let whole = lo == first && hi == last;
                out.push((m, (lo - first) as u8, (hi - first) as u8, whole));
            }
        }
    }
    out
}

/// Slot sub-range of rows in a month block whose slot lies in `range` (rows are slot-sorted).
#[inline]
pub(super) fn block_range(
    slots: &[u32],
    start: usize,
    end: usize,
    range: &Range<usize>,
) -> Range<usize> {
    let block = &slots[start..end];
    let a = block.partition_point(|s| (*s as usize) < range.start);
    let b = block.partition_point(|s| (*s as usize) < range.end);
    start + a..start + b
}

pub(super) fn sum_cells(
    ix: &LakeIndex,
    r: &ResIndex,
    intervals: &[(i32, i32)],
    mask: &[bool],
    range: Range<usize>,
    with_types: bool,
) -> CellSums {
    let slots = r.cells.len();
    let n_types = ix.types.len();
    let pieces = month_pieces(ix, intervals);
    let mut sums = CellSums::new(slots, range.clone(), n_types, with_types);
    let mut scan: Vec<(usize, u8, u8, bool)> = Vec::new();
    match &r.prefix {
        Some(prefix) => {
            // Whole months through prefix sums, in runs of consecutive months.
            let whole: BTreeSet<usize> = pieces.iter().filter(|p| p.3).map(|p| p.0).collect();
            let whole: Vec<usize> = whole.into_iter().collect();
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for m in whole {
                match runs.last_mut() {
                    Some(run) if run.1 == m => run.1 = m + 1,
                    _ => runs.push((m, m + 1)),
                }
            }
            let stride = slots * n_types;
            for (m0, m1) in runs {
                let (lo_n, hi_n) = (
                    &prefix.n[m0 * stride..(m0 + 1) * stride],
                    &prefix.n[m1 * stride..(m1 + 1) * stride],
                );
                let (lo_k, hi_k) = (
                    &prefix.k[m0 * stride..(m0 + 1) * stride],
                    &prefix.k[m1 * stride..(m1 + 1) * stride],
                );
                for s in 0..slots {
                    for (t, &selected) in mask.iter().enumerate() {
                        let e = s * n_types + t;
                        let n = hi_n[e] - lo_n[e];
                        if n > 0 {
                            sums.add(s, t, n, hi_k[e] - lo_k[e], selected);
                        }
                    }
                }
            }
            scan.extend(pieces.iter().filter(|p| !p.3));
        }
        None => scan.extend(pieces.iter()),
    }
    let rows: usize = scan
        .iter()
        .map(|p| r.day.month_start[p.0 + 1] - r.day.month_start[p.0])
        .sum();
    let scan_piece = |acc: &mut CellSums, &(m, lo, hi, whole): &(usize, u8, u8, bool)| {
        let d = &r.day;
        for i in d.month_start[m]..d.month_start[m + 1] {
            if !whole && (d.dom[i] < lo || d.dom[i] > hi) {
                continue;
            }
            let t = usize::from(d.ty[i]);
            acc.add(
                d.slot[i] as usize,
                t,
                u32::from(d.n[i]),
                u32::from(d.k[i]),
                mask[t],
            );
        }
    };
    if rows > PARALLEL_ROWS && scan.len() > 1 {
        let partial = scan
            .par_iter()
            .fold(
                || CellSums::new(slots, range.clone(), n_types, with_types),
                |mut acc, p| {
                    scan_piece(&mut acc, p);
                    acc
                },
            )
            .reduce(
                || CellSums::new(slots, range.clone(), n_types, with_types),
                CellSums::merge,
            );
        sums = sums.merge(partial);
    } else {
        for p in &scan {
            scan_piece(&mut sums, p);
        }
    }
    sums
}

/// Daily sums of the cells in `range` at resolution `r` (drilled scopes).
pub(super) fn drill_days(
    ix: &LakeIndex,
    r: &ResIndex,
    intervals: &[(i32, i32)],
    mask: &[bool],
    range: &Range<usize>,
) -> DayCube {
    let mut cube = DayCube::new(intervals, ix.types.len());
    for (m, lo, hi, _) in month_pieces(ix, intervals) {
        let d = &r.day;
        let first = month_first_day(ix.first_month, m);
        for i in block_range(&d.slot, d.month_start[m], d.month_start[m + 1], range) {
            if d.dom[i] < lo || d.dom[i] > hi {
                continue;
            }
            let t = usize::from(d.ty[i]);
            cube.add(
                first + i32::from(d.dom[i]),
                t,
                u64::from(d.n[i]),
                u64::from(d.k[i]),
                mask[t],
            );
        }
    }
    cube
}

/// Daily sums citywide from `city_hourly` (all records, mapped or not).
#[inline]
pub(super) fn city_days(ix: &LakeIndex, intervals: &[(i32, i32)], mask: &[bool]) -> DayCube {
    let mut cube = DayCube::new(intervals, ix.types.len());
    let c = &ix.city_daily;
    for &(a, b) in intervals {
        for day in a.max(ix.first_day)..=b.min(ix.first_day + ix.n_days as i32 - 1) {
            let d = (day - ix.first_day) as usize;
            for i in c.day_start[d]..c.day_start[d + 1] {
                let t = usize::from(c.ty[i]);
                cube.add(day, t, u64::from(c.n[i]), u64::from(c.k[i]), mask[t]);
            }
        }
    }
    cube
}

/// Sums a citywide cube over a period into `out[key]`: whole months from the month cube
/// (`keys(month cube)` picks which keys count), partial months from the day rows
/// (`key(day, row key)` maps a row to its slot, `None` skips it).
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn sum_city(
    ix: &LakeIndex,
    intervals: &[(i32, i32)],
    mask: &[bool],
    rows: &CityRows,
    months: &MonthCube,
    month_keys: &[(usize, usize)],
    key: impl Fn(i32, u8) -> Option<usize>,
    out_n: &mut [u64],
    out_k: &mut [u64],
) {
    for (m, lo, hi, whole) in month_pieces(ix, intervals) {
        if whole {
            for t in (0..mask.len()).filter(|&t| mask[t]) {
                let base = months.at(m, t);
                for &(cube_key, out) in month_keys {
                    out_n[out] += u64::from(months.n[base + cube_key]);
                    out_k[out] += u64::from(months.k[base + cube_key]);
                }
            }
            continue;
        }
        let first = month_first_day(ix.first_month, m);
        for day in first + i32::from(lo)..=first + i32::from(hi) {
            let d = (day - ix.first_day) as usize;
            for i in rows.day_start[d]..rows.day_start[d + 1] {
                if mask[usize::from(rows.ty[i])]
                    && let Some(o) = key(day, rows.key[i])
                {
                    out_n[o] += u64::from(rows.n[i]);
                    out_k[o] += u64::from(rows.k[i]);
                }
            }
        }
    }
}
