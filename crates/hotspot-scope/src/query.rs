//! Answering a scope: per-cell metrics, KPIs, series, table, comparison and warnings.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{BooleanArray, Float32Array, StringArray, UInt8Array, UInt32Array, UInt64Array};
use hotspot_core::fmt::thousands;
use hotspot_core::lake::Lake;
use hotspot_core::names;
use hotspot_core::res;
use hotspot_core::stats::{self, SMOOTHING_ALPHA, Z95};
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{self, YearMonth, naive_date};
use rayon::prelude::*;

use crate::error::{Result, ScopeError};
use crate::index::{CityRows, LakeIndex, MonthCube, ResIndex, dow, month_first_day};
use crate::result::*;
use crate::scope::{Scope, SortColumn};

/// Rows scanned per task before the scan is split across threads.
const PARALLEL_ROWS: usize = 300_000;

/// The scope engine: the lake in memory, answering scopes.
#[derive(Clone, Debug)]
pub struct Engine {
    ix: Arc<LakeIndex>,
}

/// Per-slot sums over a period.
#[derive(Clone, Debug)]
struct CellSums {
    inc: Vec<u32>,
    sel: Vec<u32>,
    arr: Vec<u32>,
    /// Selected incidents per (slot in `range`, type).
    types: Vec<u32>,
    range: Range<usize>,
    n_types: usize,
}

impl CellSums {
    fn new(slots: usize, range: Range<usize>, n_types: usize, with_types: bool) -> Self {
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
    fn add(&mut self, slot: usize, ty: usize, n: u32, k: u32, selected: bool) {
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
struct DayCube {
    /// Day number of each entry, ascending.
    days: Vec<i32>,
    /// Index into `days` of day `d - days[0]` (−1 when not in the period).
    pos: Vec<i32>,
    all: Vec<u64>,
    sel: Vec<u64>,
    arr: Vec<u64>,
    /// Selected incidents and arrests per (day entry, type).
    type_n: Vec<u64>,
    type_k: Vec<u64>,
    n_types: usize,
}

impl DayCube {
    fn new(intervals: &[(i32, i32)], n_types: usize) -> Self {
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
    fn entry(&self, day: i32) -> Option<usize> {
        let first = *self.days.first()?;
        let off = day - first;
        if off < 0 || off as usize >= self.pos.len() {
            return None;
        }
        let p = self.pos[off as usize];
        (p >= 0).then_some(p as usize)
    }

    #[inline]
    fn add(&mut self, day: i32, ty: usize, n: u64, k: u64, selected: bool) {
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

    fn type_totals(&self) -> (Vec<u64>, Vec<u64>) {
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
fn month_pieces(ix: &LakeIndex, intervals: &[(i32, i32)]) -> Vec<(usize, u8, u8, bool)> {
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
fn block_range(slots: &[u32], start: usize, end: usize, range: &Range<usize>) -> Range<usize> {
    let block = &slots[start..end];
    let a = block.partition_point(|s| (*s as usize) < range.start);
    let b = block.partition_point(|s| (*s as usize) < range.end);
    start + a..start + b
}

fn sum_cells(
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
fn drill_days(
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
fn city_days(ix: &LakeIndex, intervals: &[(i32, i32)], mask: &[bool]) -> DayCube {
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
fn sum_city(
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

fn week_delta(values: &[f64], window: &[usize]) -> Option<WeekDelta> {
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

fn fmt_day(day: i32) -> String {
    naive_date(day).format("%-d %b %Y").to_string()
}

fn granularity(days: usize) -> Granularity {
    if days <= 62 {
        Granularity::Day
    } else if days <= 731 {
        Granularity::Week
    } else {
        Granularity::Month
    }
}

fn bucket_start(day: i32, g: Granularity) -> i32 {
    match g {
        Granularity::Day => day,
        Granularity::Week => day - i32::from(dow(day)),
        Granularity::Month => YearMonth::of_day(day).first_day(),
    }
}

impl Engine {
    /// Loads the lake's Gold tables.
    pub fn open(lake: &Lake) -> Result<Engine> {
        Ok(Engine {
            ix: Arc::new(LakeIndex::load(lake)?),
        })
    }

    /// The loaded index.
    pub fn index(&self) -> &LakeIndex {
        &self.ix
    }

    /// Every cell with data at `res` (the map's coverage), ascending.
    pub fn coverage(&self, res: u8) -> Result<&[u64]> {
        Ok(&self.ix.at(res)?.cells)
    }

    /// The label of a cell of any lake resolution.
    pub fn label(&self, cell: u64) -> Option<&str> {
        let r = self.ix.at(hotspot_core::h3bits::resolution(cell)).ok()?;
        r.slot(cell).map(|s| r.label[s as usize].as_str())
    }

    /// Offence types in the lake, alphabetical.
    pub fn types(&self) -> &[String] {
        &self.ix.types
    }

    /// First and last day with data.
    pub fn date_range(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        (
            naive_date(self.ix.data_first_day),
            naive_date(self.ix.data_last_day),
        )
    }

    /// Months with data.
    pub fn months(&self) -> Vec<YearMonth> {
        self.ix.months.iter().copied().collect()
    }

    fn resolve_selection(
        &self,
        scope: &Scope,
        taxonomy: &Taxonomy,
        warnings: &mut Vec<Warning>,
    ) -> (Vec<bool>, Vec<String>) {
        let ix = &self.ix;
        if !scope.selection.is_active() {
            return (vec![true; ix.types.len()], Vec::new());
        }
        let mut mask = vec![false; ix.types.len()];
        let mut unknown = Vec::new();
        for t in &scope.selection.types {
            let key = t.trim().to_uppercase();
            match ix.type_id(&key) {
                Some(id) => mask[usize::from(id)] = true,
                None => unknown.push(key),
            }
        }
        for c in &scope.selection.categories {
            let known = taxonomy
                .categories()
                .iter()
                .any(|k| k.eq_ignore_ascii_case(c.trim()));
            if !known {
                unknown.push(format!("category {c}"));
            }
            for (i, ty) in ix.types.iter().enumerate() {
                if taxonomy.category_of(ty).eq_ignore_ascii_case(c.trim()) {
                    mask[i] = true;
                }
            }
        }
        if !unknown.is_empty() {
            warnings.push(Warning {
                kind: WarningKind::UnknownTypes,
                message: format!("Not in the lake: {}.", unknown.join(", ")),
            });
        }
        let selected: Vec<String> = ix
            .types
            .iter()
            .zip(&mask)
            .filter(|(_, m)| **m)
            .map(|(t, _)| t.clone())
            .collect();
        if selected.is_empty() {
            warnings.push(Warning {
                kind: WarningKind::EmptySelection,
                message: "The selection matches no offence type in the lake: every selected count is zero.".into(),
            });
        }
        (mask, selected)
    }

    fn validate_drill(&self, scope: &Scope) -> Result<()> {
        let mut prev: Option<u64> = None;
        for &c in &scope.drill {
            let cell = h3o::CellIndex::try_from(c)
                .map_err(|_| ScopeError::Drill(format!("{c:x} is not an H3 cell")))?;
            let r = u8::from(cell.resolution());
            if !res::is_lake_res(r) {
                return Err(ScopeError::Drill(format!(
                    "{c:015x} is at r{r}, outside r6–r10"
                )));
            }
            if let Some(p) = prev {
                let pr = hotspot_core::h3bits::resolution(p);
                if r != pr + 1 || cell.parent(res::h3(pr)).map(u64::from) != Some(p) {
                    return Err(ScopeError::Drill(format!(
                        "{c:015x} is not a child of {p:015x}"
                    )));
                }
            }
            prev = Some(c);
        }
        if let Some(t) = prev {
            let tr = hotspot_core::h3bits::resolution(t);
            if scope.res <= tr {
                return Err(ScopeError::Drill(format!(
                    "the drill target is r{tr}: show r{} or finer inside it",
                    tr + 1
                )));
            }
        }
        Ok(())
    }

    /// Answers one scope.
    pub fn query(&self, scope: &Scope, taxonomy: &Taxonomy) -> Result<ScopeResult> {
        let started = Instant::now();
        let ix = &*self.ix;
        let r = ix.at(scope.res)?;
        self.validate_drill(scope)?;
        let intervals = scope.period.intervals()?;
        let prev_period = scope.period.previous()?;
        let prev_intervals = prev_period.intervals()?;
        let mut warnings = Vec::new();
        let (mask, selected_types) = self.resolve_selection(scope, taxonomy, &mut warnings);
        let active = scope.selection.is_active();
        let n_types = ix.types.len();

        let target = scope.drill.last().copied();
        let range = match target {
            Some(t) => r.descendant_slots(t),
            None => 0..r.cells.len(),
        };
        let (cur, prev) = rayon::join(
            || sum_cells(ix, r, &intervals, &mask, range.clone(), true),
            || sum_cells(ix, r, &prev_intervals, &mask, range.clone(), false),
        );

        // The prior: the period's citywide arrest rate of the selection over mapped records.
        let total_sel: u64 = cur.sel.iter().map(|v| u64::from(*v)).sum();
        let total_arr: u64 = cur.arr.iter().map(|v| u64::from(*v)).sum();
        let prior = stats::rate(total_arr as f64, total_sel as f64);

        let cells = self.cell_arrays(r, &cur, &prev, &range, prior, n_types);

        // Daily cube: citywide from the city tables, drilled from the cells in range.
        let cube = match target {
            Some(_) => drill_days(ix, r, &intervals, &mask, &range),
            None => city_days(ix, &intervals, &mask),
        };
        let (from, to) = match (intervals.first(), intervals.last()) {
            (Some(a), Some(b)) => (a.0, b.1),
            _ => return Err(ScopeError::Period("empty period".into())),
        };

        let series = self.series(
            scope,
            &cube,
            &cur,
            &range,
            r,
            &intervals,
            &mask,
            taxonomy,
            &mut warnings,
        );
        let kpis = self.kpis(scope, &cube, &cells, r, &intervals, &mask, active);
        let table = table_rows(&cells, r, scope);
        let comparison = self.comparison(
            scope,
            &prev_period,
            &prev_intervals,
            &cells,
            &prev,
            &range,
            &mask,
            &kpis,
        );
        self.warn(
            scope,
            r,
            &cells,
            &intervals,
            &mask,
            from,
            to,
            &cube,
            &mut warnings,
        );
        let drill = self.drill_info(scope, &cells);

        Ok(ScopeResult {
            scope: scope.clone(),
            period_label: scope.period.label(),
            from: naive_date(from),
            to: naive_date(to),
            selection_active: active,
            selected_types,
            cells,
            prior,
            kpis,
            series,
            table,
            comparison,
            warnings,
            drill,
            elapsed_us: started.elapsed().as_micros() as u64,
        })
    }

    fn cell_arrays(
        &self,
        r: &ResIndex,
        cur: &CellSums,
        prev: &CellSums,
        range: &Range<usize>,
        prior: f64,
        n_types: usize,
    ) -> CellArrays {
        let ix = &*self.ix;
        let slots: Vec<usize> = range.clone().filter(|&s| cur.inc[s] > 0).collect();
        let n = slots.len();
        let mut out_rate = Vec::with_capacity(n);
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        let mut smooth = Vec::with_capacity(n);
        let mut pn = Vec::with_capacity(n);
        let mut pk = Vec::with_capacity(n);
        let mut prate = Vec::with_capacity(n);
        let mut psmooth = Vec::with_capacity(n);
        let mut share = Vec::with_capacity(n);
        let mut low = Vec::with_capacity(n);
        let mut dominant: Vec<Option<&str>> = Vec::with_capacity(n);
        for &s in &slots {
            let (nn, kk) = (f64::from(cur.sel[s]), f64::from(cur.arr[s]));
            out_rate.push(stats::rate(kk, nn) as f32);
            let (l, h) = stats::wilson_interval(kk, nn, Z95);
            lo.push(l as f32);
            hi.push(h as f32);
            smooth.push(stats::smoothed_rate(kk, nn, prior, SMOOTHING_ALPHA) as f32);
            let (mut qn, mut qk) = (cur.sel[s], cur.arr[s]);
            for &nb in r.neighbours(s) {
                qn += cur.sel[nb as usize];
                qk += cur.arr[nb as usize];
            }
            pn.push(qn);
            pk.push(qk);
            prate.push(if qn > 0 {
                qk as f32 / qn as f32
            } else {
                prior as f32
            });
            psmooth.push(
                stats::smoothed_rate(f64::from(qk), f64::from(qn), prior, SMOOTHING_ALPHA) as f32,
            );
            share.push(cur.sel[s] as f32 / cur.inc[s] as f32);
            low.push(cur.sel[s] < stats::LOW_CONFIDENCE_BELOW);
            let row = &cur.types[(s - range.start) * n_types..(s - range.start + 1) * n_types];
            let mut best: Option<(u32, usize)> = None;
            for (t, &v) in row.iter().enumerate() {
                if v > 0 && best.is_none_or(|(bv, _)| v > bv) {
                    best = Some((v, t));
                }
            }
            dominant.push(best.map(|(_, t)| ix.types[t].as_str()));
        }
        let pick_u8 =
            |v: &Vec<Option<u8>>| UInt8Array::from(slots.iter().map(|&s| v[s]).collect::<Vec<_>>());
        CellArrays {
            cell: UInt64Array::from(slots.iter().map(|&s| r.cells[s]).collect::<Vec<_>>()),
            incidents: UInt32Array::from(slots.iter().map(|&s| cur.inc[s]).collect::<Vec<_>>()),
            selected: UInt32Array::from(slots.iter().map(|&s| cur.sel[s]).collect::<Vec<_>>()),
            arrests: UInt32Array::from(slots.iter().map(|&s| cur.arr[s]).collect::<Vec<_>>()),
            arrest_rate: Float32Array::from(out_rate),
            wilson_lo: Float32Array::from(lo),
            wilson_hi: Float32Array::from(hi),
            smoothed_rate: Float32Array::from(smooth),
            pooled_incidents: UInt32Array::from(pn),
            pooled_arrests: UInt32Array::from(pk),
            pooled_rate: Float32Array::from(prate),
            pooled_smoothed: Float32Array::from(psmooth),
            focus_share: Float32Array::from(share),
            low_confidence: BooleanArray::from(low),
            dominant_type: StringArray::from(dominant),
            label: StringArray::from(
                slots
                    .iter()
                    .map(|&s| Some(r.label[s].as_str()))
                    .collect::<Vec<_>>(),
            ),
            district: pick_u8(&r.district),
            ward: pick_u8(&r.ward),
            community_area: pick_u8(&r.community_area),
            previous_selected: UInt32Array::from(
                slots.iter().map(|&s| prev.sel[s]).collect::<Vec<_>>(),
            ),
        }
    }

    /// The window of complete days for "vs first week": period days with data, the partial
    /// trailing day excluded.
    fn week_window(&self, cube: &DayCube) -> (Vec<usize>, WeekWindow) {
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
        let after = cube.days.iter().filter(|d| **d > ix.data_last_day).count();
        if after > 0 {
            notes.push(format!(
                "{after} day(s) after the last data day ({}) excluded",
                fmt_day(ix.data_last_day)
            ));
        }
        let before = cube.days.iter().filter(|d| **d < ix.data_first_day).count();
        if before > 0 {
            notes.push(format!(
                "{before} day(s) before the first data day excluded"
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
    fn kpis(
        &self,
        scope: &Scope,
        cube: &DayCube,
        cells: &CellArrays,
        r: &ResIndex,
        intervals: &[(i32, i32)],
        mask: &[bool],
        active: bool,
    ) -> Kpis {
        let (window, week) = self.week_window(cube);
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
    fn cell_daily(
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

    #[allow(clippy::too_many_arguments)]
    fn series(
        &self,
        scope: &Scope,
        cube: &DayCube,
        cur: &CellSums,
        range: &Range<usize>,
        r: &ResIndex,
        intervals: &[(i32, i32)],
        mask: &[bool],
        taxonomy: &Taxonomy,
        warnings: &mut Vec<Warning>,
    ) -> Series {
        let ix = &*self.ix;
        let n_types = ix.types.len();
        let (type_n, type_k) = cube.type_totals();
        let mut order: Vec<usize> = (0..n_types).filter(|&t| type_n[t] > 0).collect();
        order.sort_by_key(|&t| (std::cmp::Reverse(type_n[t]), t));
        let type_count = |t: usize| TypeCount {
            primary_type: ix.types[t].clone(),
            category: taxonomy.category_of(&ix.types[t]).to_string(),
            incidents: type_n[t],
            arrests: type_k[t],
        };

        // Offence mix over time.
        let g = granularity(cube.days.len());
        let top5: Vec<usize> = order.iter().take(5).copied().collect();
        let mut buckets: Vec<String> = top5.iter().map(|&t| ix.types[t].clone()).collect();
        let has_other = order.len() > 5;
        if has_other {
            buckets.push("Other".into());
        }
        let mut periods: Vec<i32> = Vec::new();
        let mut counts: Vec<Vec<u32>> = vec![Vec::new(); buckets.len()];
        let mut totals = Vec::new();
        let mut arrests = Vec::new();
        for (e, &day) in cube.days.iter().enumerate() {
            let b = bucket_start(day, g);
            if periods.last() != Some(&b) {
                periods.push(b);
                for c in &mut counts {
                    c.push(0);
                }
                totals.push(0);
                arrests.push(0);
            }
            let p = periods.len() - 1;
            let mut top_sum = 0u64;
            for (bi, &t) in top5.iter().enumerate() {
                let v = cube.type_n[e * n_types + t];
                counts[bi][p] += v as u32;
                top_sum += v;
            }
            if has_other {
                counts[top5.len()][p] += (cube.sel[e] - top_sum) as u32;
            }
            totals[p] += cube.sel[e] as u32;
            arrests[p] += cube.arr[e] as u32;
        }
        let mix = MixSeries {
            granularity: g,
            buckets,
            periods: periods.iter().map(|d| naive_date(*d)).collect(),
            counts,
            totals,
            arrests,
        };

        // Day of week from the daily cube.
        let mut dow_n = [0u64; 7];
        let mut dow_k = [0u64; 7];
        for (e, &day) in cube.days.iter().enumerate() {
            let w = usize::from(dow(day));
            dow_n[w] += cube.sel[e];
            dow_k[w] += cube.arr[e];
        }

        // Hour of day.
        let mut hour_n = [0u64; 24];
        let mut hour_k = [0u64; 24];
        let mut hour_note = None;
        match scope.drill.last() {
            None => {
                // Month cube keys are weekday × 24 + hour.
                let month_keys: Vec<(usize, usize)> = (0..7u8)
                    .filter(|w| scope.focus_dow.is_none_or(|f| f == *w))
                    .flat_map(|w| (0..24).map(move |h| (usize::from(w) * 24 + h, h)))
                    .collect();
                sum_city(
                    ix,
                    intervals,
                    mask,
                    &ix.city_hourly,
                    &ix.city_hour_month,
                    &month_keys,
                    |day, hour| {
                        scope
                            .focus_dow
                            .is_none_or(|f| f == dow(day))
                            .then(|| usize::from(hour).min(23))
                    },
                    &mut hour_n,
                    &mut hour_k,
                );
            }
            Some(&target) => {
                let tr = hotspot_core::h3bits::resolution(target);
                if let Ok(tri) = ix.at(tr)
                    && let (Some(slot), Some(hours)) = (tri.slot(target), tri.hour.as_ref())
                {
                    let range = slot as usize..slot as usize + 1;
                    let pieces = month_pieces(ix, intervals);
                    let mut months_seen = BTreeSet::new();
                    for (m, _, _, whole) in &pieces {
                        if !whole {
                            hour_note = Some(
                                "Inside a drilled cell the lake keeps hours per month: this profile covers the whole months the period touches.".to_string(),
                            );
                        }
                        if !months_seen.insert(*m) {
                            continue;
                        }
                        for i in block_range(
                            &hours.slot,
                            hours.month_start[*m],
                            hours.month_start[*m + 1],
                            &range,
                        ) {
                            if mask[usize::from(hours.ty[i])]
                                && scope.focus_dow.is_none_or(|f| f == hours.dow[i])
                            {
                                let h = usize::from(hours.hour[i]).min(23);
                                hour_n[h] += u64::from(hours.n[i]);
                                hour_k[h] += u64::from(hours.k[i]);
                            }
                        }
                    }
                }
                if let Some(note) = &hour_note {
                    warnings.push(Warning {
                        kind: WarningKind::HourlyWholeMonths,
                        message: note.clone(),
                    });
                }
            }
        }

        // Districts.
        let mut dist_n = [0u64; 256];
        let mut dist_k = [0u64; 256];
        let districts_note = match scope.drill.last() {
            None => {
                let month_keys: Vec<(usize, usize)> =
                    (0..ix.district_month.keys).map(|d| (d, d)).collect();
                sum_city(
                    ix,
                    intervals,
                    mask,
                    &ix.district_daily,
                    &ix.district_month,
                    &month_keys,
                    |_, district| Some(usize::from(district)),
                    &mut dist_n,
                    &mut dist_k,
                );
                None
            }
            Some(_) => {
                for s in range.clone() {
                    let key = r.district[s].map_or(0, usize::from);
                    dist_n[key] += u64::from(cur.sel[s]);
                    dist_k[key] += u64::from(cur.arr[s]);
                }
                Some(format!(
                    "Inside a drilled cell each {} cell counts toward its most common district.",
                    res::name(r.res)
                ))
            }
        };
        let mut districts: Vec<usize> = (0..256).filter(|&d| dist_n[d] > 0).collect();
        districts.sort_by_key(|&d| (std::cmp::Reverse(dist_n[d]), d));
        let top_districts = districts
            .into_iter()
            .take(10)
            .map(|d| DistrictCount {
                district: (d > 0).then_some(d as u8),
                label: if d == 0 {
                    "Unknown".to_string()
                } else {
                    names::district_label(d as u8)
                },
                incidents: dist_n[d],
                arrests: dist_k[d],
            })
            .collect();

        let sel_total: u64 = cube.sel.iter().sum();
        let arr_total: u64 = cube.arr.iter().sum();
        Series {
            mix,
            arrests: arr_total,
            no_arrest: sel_total.saturating_sub(arr_total),
            dow_incidents: dow_n,
            dow_arrests: dow_k,
            hour_incidents: hour_n,
            hour_arrests: hour_k,
            hour_focus_dow: scope.focus_dow,
            hour_note,
            top_types: order.iter().take(12).map(|&t| type_count(t)).collect(),
            top_districts,
            districts_note,
            crime_mix: order.iter().take(10).map(|&t| type_count(t)).collect(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn comparison(
        &self,
        scope: &Scope,
        prev_period: &crate::scope::Period,
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
        let complete = prev_intervals.iter().all(|&(a, b)| {
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

    #[allow(clippy::too_many_arguments)]
    fn warn(
        &self,
        scope: &Scope,
        r: &ResIndex,
        cells: &CellArrays,
        intervals: &[(i32, i32)],
        mask: &[bool],
        from: i32,
        to: i32,
        cube: &DayCube,
        warnings: &mut Vec<Warning>,
    ) {
        let ix = &*self.ix;
        let missing: Vec<YearMonth> = YearMonth::of_day(from)
            .through(YearMonth::of_day(to))
            .filter(|m| !ix.months.contains(m))
            .filter(|m| {
                intervals
                    .iter()
                    .any(|&(a, b)| a < m.end_day() && b >= m.first_day())
            })
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().take(6).map(ToString::to_string).collect();
            warnings.push(Warning {
                kind: WarningKind::MissingMonths,
                message: format!(
                    "{} month(s) of this period are not in the lake: {}{}.",
                    missing.len(),
                    list.join(", "),
                    if missing.len() > 6 { ", …" } else { "" }
                ),
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

    fn drill_info(&self, scope: &Scope, cells: &CellArrays) -> DrillInfo {
        let mut breadcrumbs = vec![Crumb {
            cell: None,
            res: res::MIN_RES,
            label: "Citywide".into(),
        }];
        for &c in &scope.drill {
            breadcrumbs.push(Crumb {
                cell: Some(c),
                res: hotspot_core::h3bits::resolution(c),
                label: self
                    .label(c)
                    .map_or_else(|| format!("{c:015x}"), str::to_string),
            });
        }
        let target = scope.drill.last().copied();
        let parent = target.and_then(|t| {
            let tr = hotspot_core::h3bits::resolution(t);
            (tr > res::MIN_RES)
                .then(|| {
                    h3o::CellIndex::try_from(t)
                        .ok()?
                        .parent(res::h3(tr - 1))
                        .map(u64::from)
                })
                .flatten()
        });
        let children = match target {
            Some(t) => {
                let child_res = hotspot_core::h3bits::resolution(t) + 1;
                let set: BTreeSet<u64> = cells
                    .cell
                    .values()
                    .iter()
                    .filter_map(|c| {
                        let cell = h3o::CellIndex::try_from(*c).ok()?;
                        if hotspot_core::h3bits::resolution(*c) == child_res {
                            Some(*c)
                        } else {
                            cell.parent(res::h3(child_res)).map(u64::from)
                        }
                    })
                    .collect();
                set.into_iter().collect()
            }
            None => Vec::new(),
        };
        DrillInfo {
            breadcrumbs,
            target,
            parent,
            children,
        }
    }
}

fn table_row(cells: &CellArrays, r: &ResIndex, i: usize) -> HotspotRow {
    let cell = cells.cell.value(i);
    let slot = r.slot(cell).map(|s| s as usize);
    let opt_u8 = |a: &UInt8Array| (!arrow_array::Array::is_null(a, i)).then(|| a.value(i));
    HotspotRow {
        cell,
        label: cells.label.value(i).to_string(),
        block: slot.and_then(|s| r.block[s].clone()),
        street: slot.and_then(|s| r.street[s].clone()),
        incidents: cells.incidents.value(i),
        selected: cells.selected.value(i),
        dominant_type: (!arrow_array::Array::is_null(&cells.dominant_type, i))
            .then(|| cells.dominant_type.value(i).to_string()),
        district: opt_u8(&cells.district),
        ward: opt_u8(&cells.ward),
        community_area: opt_u8(&cells.community_area),
        focus_share: f64::from(cells.focus_share.value(i)),
        arrests: cells.arrests.value(i),
        arrest_rate: f64::from(cells.arrest_rate.value(i)),
        wilson_lo: f64::from(cells.wilson_lo.value(i)),
        wilson_hi: f64::from(cells.wilson_hi.value(i)),
        previous_selected: cells.previous_selected.value(i),
    }
}

/// The hotspot table: every cell ranked by the sort column, only the kept rows built.
fn table_rows(cells: &CellArrays, r: &ResIndex, scope: &Scope) -> Vec<HotspotRow> {
    use std::cmp::Ordering;
    let slot_of = |i: usize| r.slot(cells.cell.value(i)).map(|s| s as usize);
    let street = |i: usize| slot_of(i).and_then(|s| r.street[s].as_deref());
    let opt = |a: &UInt8Array, i: usize| (!arrow_array::Array::is_null(a, i)).then(|| a.value(i));
    let dom = |i: usize| {
        (!arrow_array::Array::is_null(&cells.dominant_type, i))
            .then(|| cells.dominant_type.value(i))
    };
    let change =
        |i: usize| i64::from(cells.selected.value(i)) - i64::from(cells.previous_selected.value(i));
    let f = |a: &Float32Array, i: usize, j: usize| {
        a.value(i)
            .partial_cmp(&a.value(j))
            .unwrap_or(Ordering::Equal)
    };
    let cmp = |i: usize, j: usize| -> Ordering {
        match scope.table.sort {
            SortColumn::Label => cells.label.value(i).cmp(cells.label.value(j)),
            SortColumn::Street => street(i).cmp(&street(j)),
            SortColumn::Incidents => cells.incidents.value(i).cmp(&cells.incidents.value(j)),
            SortColumn::Selected => cells.selected.value(i).cmp(&cells.selected.value(j)),
            SortColumn::DominantType => dom(i).cmp(&dom(j)),
            SortColumn::District => opt(&cells.district, i).cmp(&opt(&cells.district, j)),
            SortColumn::Ward => opt(&cells.ward, i).cmp(&opt(&cells.ward, j)),
            SortColumn::CommunityArea => {
                opt(&cells.community_area, i).cmp(&opt(&cells.community_area, j))
            }
            SortColumn::FocusShare => f(&cells.focus_share, i, j),
            SortColumn::Arrests => cells.arrests.value(i).cmp(&cells.arrests.value(j)),
            SortColumn::ArrestRate => f(&cells.arrest_rate, i, j),
            SortColumn::Change => change(i).cmp(&change(j)),
        }
    };
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by(|&i, &j| {
        let primary = if scope.table.descending {
            cmp(j, i)
        } else {
            cmp(i, j)
        };
        primary
            .then_with(|| cells.selected.value(j).cmp(&cells.selected.value(i)))
            .then_with(|| cells.cell.value(i).cmp(&cells.cell.value(j)))
    });
    order
        .into_iter()
        .take(scope.table.rows)
        .map(|i| table_row(cells, r, i))
        .collect()
}

/// Sorts hotspot rows by a column (ties by selected incidents, then cell id, so the order is
/// stable and deterministic).
pub fn sort_rows(rows: &mut [HotspotRow], column: SortColumn, descending: bool) {
    use std::cmp::Ordering;
    let f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    rows.sort_by(|a, b| {
        let primary = match column {
            SortColumn::Label => a.label.cmp(&b.label),
            SortColumn::Street => a.street.cmp(&b.street),
            SortColumn::Incidents => a.incidents.cmp(&b.incidents),
            SortColumn::Selected => a.selected.cmp(&b.selected),
            SortColumn::DominantType => a.dominant_type.cmp(&b.dominant_type),
            SortColumn::District => a.district.cmp(&b.district),
            SortColumn::Ward => a.ward.cmp(&b.ward),
            SortColumn::CommunityArea => a.community_area.cmp(&b.community_area),
            SortColumn::FocusShare => f(a.focus_share, b.focus_share),
            SortColumn::Arrests => a.arrests.cmp(&b.arrests),
            SortColumn::ArrestRate => f(a.arrest_rate, b.arrest_rate),
            SortColumn::Change => (i64::from(a.selected) - i64::from(a.previous_selected))
                .cmp(&(i64::from(b.selected) - i64::from(b.previous_selected))),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then_with(|| b.selected.cmp(&a.selected))
            .then_with(|| a.cell.cmp(&b.cell))
    });
}
