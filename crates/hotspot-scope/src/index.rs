//! The Gold lake, held in memory as compact columns laid out for scope queries.
//!
//! Layout choices, measured against the speed goals:
//! - Cells of a resolution are *slots* `0..n` in ascending `u64` order, so the descendants of
//!   any coarser cell are one contiguous slot range (see [`crate::h3bits`]).
//! - `cell_day` rows are grouped by month and sorted by slot inside a month: a period is a run
//!   of month blocks, a drill scope a binary-searched run inside each block.
//! - r6–r8 also keep prefix sums over months of (slot, type) counts, so whole-month spans of
//!   any length cost O(cells × types), not O(rows).
//! - Citywide series come from `city_hourly` and `district_daily`, indexed by day: exact for
//!   any date range and inclusive of records without coordinates.
//!
//! Counts are `u16` per row (a row is one cell-day-type); a larger count is split over rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hotspot_core::Lake;
use hotspot_core::lake::columns::gold as col;
use hotspot_core::lake::{GoldTable, MonthStats};
use hotspot_core::res::{self, RESOLUTIONS};
use hotspot_core::time::{self, YearMonth};
use rayon::prelude::*;

use crate::error::{Result, ScopeError};
use crate::read::Table;

/// Offence type ids are indexes into [`LakeIndex::types`].
pub type TypeId = u8;

/// Rows of `cell_day` at one resolution.
#[derive(Debug, Default)]
pub struct DayRows {
    /// Row range of month block `m` is `month_start[m]..month_start[m + 1]`.
    pub(crate) month_start: Vec<usize>,
    pub(crate) slot: Vec<u32>,
    /// Day of month, 0-based.
    pub(crate) dom: Vec<u8>,
    pub(crate) ty: Vec<TypeId>,
    pub(crate) n: Vec<u16>,
    pub(crate) k: Vec<u16>,
}

/// Rows of `cell_hour` at one resolution (month-blocked, slot-sorted).
#[derive(Debug, Default)]
pub struct HourRows {
    pub(crate) month_start: Vec<usize>,
    pub(crate) slot: Vec<u32>,
    pub(crate) ty: Vec<TypeId>,
    pub(crate) dow: Vec<u8>,
    pub(crate) hour: Vec<u8>,
    pub(crate) n: Vec<u16>,
    pub(crate) k: Vec<u16>,
}

/// Cumulative (incidents, arrests) per (month, slot, type): entry `(m * slots + s) * types + t`
/// holds the sum over months `0..m`.
#[derive(Debug, Default)]
pub struct Prefix {
    pub(crate) n: Vec<u32>,
    pub(crate) k: Vec<u32>,
}

/// Everything the engine keeps for one resolution.
#[derive(Debug, Default)]
pub struct ResIndex {
    pub(crate) res: u8,
    /// Every cell with data in any month, ascending.
    pub(crate) cells: Vec<u64>,
    pub(crate) slot_of: HashMap<u64, u32>,
    pub(crate) label: Vec<String>,
    pub(crate) block: Vec<Option<String>>,
    pub(crate) street: Vec<Option<String>>,
    pub(crate) district: Vec<Option<u8>>,
    pub(crate) ward: Vec<Option<u8>>,
    pub(crate) community_area: Vec<Option<u8>>,
    /// Neighbours (grid_disk 1 without the cell) that are in `cells`: CSR.
    pub(crate) nb_start: Vec<u32>,
    pub(crate) nb: Vec<u32>,
    pub(crate) day: DayRows,
    /// Absent at r10 (drill targets are r6–r9).
    pub(crate) hour: Option<HourRows>,
    /// Present at r6–r8.
    pub(crate) prefix: Option<Prefix>,
}

impl ResIndex {
    /// The slot of a cell.
    pub fn slot(&self, cell: u64) -> Option<u32> {
        self.slot_of.get(&cell).copied()
    }

    /// The slot range holding the descendants of `ancestor` (a coarser or equal cell).
    pub fn descendant_slots(&self, ancestor: u64) -> std::ops::Range<usize> {
        let (lo, hi) = hotspot_core::h3bits::descendant_bounds(ancestor, self.res);
        let a = self.cells.partition_point(|c| *c < lo);
        let b = self.cells.partition_point(|c| *c <= hi);
        a..b
    }

    /// Neighbour slots of `slot`.
    pub fn neighbours(&self, slot: usize) -> &[u32] {
        &self.nb[self.nb_start[slot] as usize..self.nb_start[slot + 1] as usize]
    }
}

/// A day-indexed citywide cube.
#[derive(Debug, Default)]
pub struct CityRows {
    /// Row range of day `d` (relative to [`LakeIndex::first_day`]) is `day_start[d]..day_start[d+1]`.
    pub(crate) day_start: Vec<usize>,
    /// Hour (city_hourly) or district (district_daily; 0 = unknown).
    pub(crate) key: Vec<u8>,
    pub(crate) ty: Vec<TypeId>,
    pub(crate) n: Vec<u16>,
    pub(crate) k: Vec<u16>,
}

/// Whole-month totals of a [`CityRows`] per (month, type, key): a long period sums these
/// instead of walking every day's rows (25 years of hourly rows are millions; the cube is
/// months × types × keys).
#[derive(Debug, Default)]
pub struct MonthCube {
    /// Keys per (month, type): 168 (weekday × 24 + hour) or the district code range.
    pub(crate) keys: usize,
    pub(crate) n_types: usize,
    pub(crate) n: Vec<u32>,
    pub(crate) k: Vec<u32>,
}

impl MonthCube {
    /// Sums `rows` by month block, type and `key_of(day, row key)`.
    fn build(
        rows: &CityRows,
        first_month: YearMonth,
        n_months: usize,
        n_types: usize,
        keys: usize,
        key_of: impl Fn(i32, u8) -> usize,
    ) -> MonthCube {
        let mut cube = MonthCube {
            keys,
            n_types,
            n: vec![0; n_months * n_types * keys],
            k: vec![0; n_months * n_types * keys],
        };
        let first_day = first_month.first_day();
        for m in 0..n_months {
            let start = month_first_day(first_month, m);
            let end = YearMonth::from_index(first_month.index() + m as i32).end_day();
            for day in start..end {
                let d = (day - first_day) as usize;
                if d + 1 >= rows.day_start.len() {
                    break;
                }
                for i in rows.day_start[d]..rows.day_start[d + 1] {
                    let at = cube.at(m, usize::from(rows.ty[i])) + key_of(day, rows.key[i]);
                    cube.n[at] += u32::from(rows.n[i]);
                    cube.k[at] += u32::from(rows.k[i]);
                }
            }
        }
        cube
    }

    /// Offset of (month block, type)'s `keys` entries.
    #[inline]
    pub fn at(&self, m: usize, ty: usize) -> usize {
        (m * self.n_types + ty) * self.keys
    }
}

/// The whole lake, ready for queries.
#[derive(Debug)]
pub struct LakeIndex {
    /// Offence types, alphabetical.
    pub(crate) types: Vec<String>,
    pub(crate) type_ids: HashMap<String, TypeId>,
    /// First month of the month-block arrays.
    pub(crate) first_month: YearMonth,
    pub(crate) n_months: usize,
    /// Day number of the first month's first day.
    pub(crate) first_day: i32,
    pub(crate) n_days: usize,
    /// Months the lake has data for.
    pub(crate) months: BTreeSet<YearMonth>,
    pub(crate) month_stats: BTreeMap<YearMonth, MonthStats>,
    /// First and last day with any record.
    pub(crate) data_first_day: i32,
    pub(crate) data_last_day: i32,
    /// The days with data once sparse months at either end are left out (see
    /// [`typical_range`]): what default periods are measured from.
    pub(crate) typical_first_day: i32,
    pub(crate) typical_last_day: i32,
    /// Latest hour with a record on the last day (23 means the day looks complete).
    pub(crate) last_day_max_hour: u8,
    /// r6 … r10.
    pub(crate) res: Vec<ResIndex>,
    pub(crate) city_hourly: CityRows,
    /// `city_hourly` summed over hours (key 0): the daily citywide cube.
    pub(crate) city_daily: CityRows,
    /// `city_hourly` per whole month, keyed weekday × 24 + hour.
    pub(crate) city_hour_month: MonthCube,
    pub(crate) district_daily: CityRows,
    /// `district_daily` per whole month, keyed by district code.
    pub(crate) district_month: MonthCube,
    pub(crate) unmapped: CityRows,
    pub(crate) built_at: Option<String>,
    /// [`hotspot_core::lake::Manifest::identity`].
    pub(crate) identity: Option<String>,
}

impl LakeIndex {
    /// The inclusive day range the day cube covers (whole months, first to last), or `None` for
    /// a lake without months.
    pub(crate) fn cube_days(&self) -> Option<(i32, i32)> {
        (self.n_days > 0).then(|| (self.first_day, self.first_day + self.n_days as i32 - 1))
    }

    /// The index of resolution `r`.
    pub fn at(&self, r: u8) -> Result<&ResIndex> {
        if !res::is_lake_res(r) {
            return Err(ScopeError::Resolution(r));
        }
        Ok(&self.res[usize::from(r - res::MIN_RES)])
    }

    /// The type id of a primary type.
    pub fn type_id(&self, name: &str) -> Option<TypeId> {
        self.type_ids.get(name).copied()
    }

    /// Loads every Gold table of the lake.
    pub fn load(lake: &Lake) -> Result<LakeIndex> {
        // One generation for the whole load, however many commits happen meanwhile.
        let lake = &lake.pin();
        let manifest = lake.read_manifest()?;
        let identity = manifest.identity().map(str::to_string);
        let gold_dir = lake.gold_dir();
        let months: BTreeSet<YearMonth> = lake
            .gold_months(GoldTable::CellMonth, 6)
            .map_err(|source| ScopeError::Io {
                path: gold_dir.clone(),
                source,
            })?
            .into_iter()
            .collect();
        let (Some(&first_month), Some(&last_month)) = (months.first(), months.last()) else {
            return Err(ScopeError::NotBuilt(lake.root().to_path_buf()));
        };
        let n_months = (last_month.index() - first_month.index() + 1) as usize;
        let first_day = first_month.first_day();
        let n_days = (last_month.end_day() - first_day) as usize;
        let month_list: Vec<YearMonth> = months.iter().copied().collect();

        // Types: every primary type in the citywide cube (it covers every record).
        let city_tables: Vec<(YearMonth, Table)> = month_list
            .par_iter()
            .map(|&ym| {
                Ok((
                    ym,
                    Table::read(
                        &lake.city_hourly(ym),
                        &[
                            col::DATE,
                            col::HOUR,
                            col::PRIMARY_TYPE,
                            col::INCIDENTS,
                            col::ARRESTS,
                        ],
                    )?,
                ))
            })
            .collect::<Result<_>>()?;
        let mut type_set = BTreeSet::new();
        for (_, t) in &city_tables {
            t.for_each_str(col::PRIMARY_TYPE, |s| {
                if let Some(s) = s
                    && !type_set.contains(s)
                {
                    type_set.insert(s.to_string());
                }
            })?;
        }
        if type_set.len() > usize::from(u8::MAX) {
            return Err(ScopeError::TooManyTypes);
        }
        let types: Vec<String> = type_set.into_iter().collect();
        let type_ids: HashMap<String, TypeId> = types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as TypeId))
            .collect();

        let city_hourly = city_rows(&city_tables, first_day, n_days, Some(col::HOUR), &type_ids)?;
        drop(city_tables);
        let city_daily = collapse_keys(&city_hourly, types.len());
        let city_hour_month = MonthCube::build(
            &city_hourly,
            first_month,
            n_months,
            types.len(),
            7 * 24,
            |day, hour| usize::from(dow(day)) * 24 + usize::from(hour.min(23)),
        );
        let district_tables: Vec<(YearMonth, Table)> = month_list
            .par_iter()
            .map(|&ym| {
                Ok((
                    ym,
                    Table::read(
                        &lake.district_daily(ym),
                        &[
                            col::DATE,
                            col::DISTRICT,
                            col::PRIMARY_TYPE,
                            col::INCIDENTS,
                            col::ARRESTS,
                        ],
                    )?,
                ))
            })
            .collect::<Result<_>>()?;
        let district_daily = city_rows(
            &district_tables,
            first_day,
            n_days,
            Some(col::DISTRICT),
            &type_ids,
        )?;
        drop(district_tables);
        let district_keys = district_daily
            .key
            .iter()
            .copied()
            .max()
            .map_or(1, |k| usize::from(k) + 1);
        let district_month = MonthCube::build(
            &district_daily,
            first_month,
            n_months,
            types.len(),
            district_keys,
            |_, district| usize::from(district),
        );
        let unmapped_tables: Vec<(YearMonth, Table)> = month_list
            .par_iter()
            .map(|&ym| {
                Ok((
                    ym,
                    Table::read(
                        &lake.unmapped_day(ym),
                        &[col::DATE, col::PRIMARY_TYPE, col::INCIDENTS, col::ARRESTS],
                    )?,
                ))
            })
            .collect::<Result<_>>()?;
        let unmapped = city_rows(&unmapped_tables, first_day, n_days, None, &type_ids)?;
        drop(unmapped_tables);

        let mut res_index = Vec::new();
        for r in RESOLUTIONS {
            res_index.push(load_res(
                lake,
                r,
                first_month,
                n_months,
                &month_list,
                &type_ids,
            )?);
        }

        let (mut data_first_day, mut data_last_day) = (i32::MAX, i32::MIN);
        for d in 0..n_days {
            if city_hourly.day_start[d + 1] > city_hourly.day_start[d] {
                data_first_day = data_first_day.min(first_day + d as i32);
                data_last_day = first_day + d as i32;
            }
        }
        let (typical_first_day, typical_last_day) = typical_range(
            &manifest.months,
            |d| {
                let i = (d - first_day) as usize;
                i < n_days && city_hourly.day_start[i + 1] > city_hourly.day_start[i]
            },
            (data_first_day, data_last_day),
        );
        let last_day_max_hour = if data_last_day >= first_day {
            let d = (data_last_day - first_day) as usize;
            city_hourly.key[city_hourly.day_start[d]..city_hourly.day_start[d + 1]]
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
        } else {
            0
        };

        Ok(LakeIndex {
            types,
            type_ids,
            first_month,
            n_months,
            first_day,
            n_days,
            months,
            month_stats: manifest.months,
            data_first_day,
            data_last_day,
            typical_first_day,
            typical_last_day,
            last_day_max_hour,
            res: res_index,
            city_hourly,
            city_daily,
            city_hour_month,
            district_daily,
            district_month,
            unmapped,
            identity,
            built_at: manifest.build.map(|b| b.built_at),
        })
    }
}

fn to_u16_parts(mut v: u64, mut push: impl FnMut(u16)) {
    loop {
        let part = v.min(u64::from(u16::MAX));
        push(part as u16);
        v -= part;
        if v == 0 {
            break;
        }
    }
}

/// The same rows summed over their keys: one row per (day, type), key 0.
fn collapse_keys(rows: &CityRows, n_types: usize) -> CityRows {
    let n_days = rows.day_start.len().saturating_sub(1);
    let mut out = CityRows {
        day_start: Vec::with_capacity(n_days + 1),
        ..Default::default()
    };
    out.day_start.push(0);
    let (mut n, mut k) = (vec![0u64; n_types], vec![0u64; n_types]);
    for d in 0..n_days {
        for i in rows.day_start[d]..rows.day_start[d + 1] {
            n[usize::from(rows.ty[i])] += u64::from(rows.n[i]);
            k[usize::from(rows.ty[i])] += u64::from(rows.k[i]);
        }
        for t in 0..n_types {
            if n[t] == 0 && k[t] == 0 {
                continue;
            }
            let mut kk = k[t];
            to_u16_parts(n[t], |part| {
                let arrests = kk.min(u64::from(part));
                kk -= arrests;
                out.key.push(0);
                out.ty.push(t as TypeId);
                out.n.push(part);
                out.k.push(arrests as u16);
            });
            n[t] = 0;
            k[t] = 0;
        }
        out.day_start.push(out.key.len());
    }
    out
}

/// Builds a day-indexed cube from monthly tables with a `date`, an optional one-byte `key`
/// column, `primary_type`, `incidents` and `arrests`.
fn city_rows(
    tables: &[(YearMonth, Table)],
    first_day: i32,
    n_days: usize,
    key: Option<&str>,
    type_ids: &HashMap<String, TypeId>,
) -> Result<CityRows> {
    let mut per_day: Vec<Vec<(u8, TypeId, u64, u64)>> = vec![Vec::new(); n_days];
    for (_, t) in tables {
        let dates = t.dates(col::DATE)?;
        let keys = match key {
            Some(key) => t.uint(key)?,
            None => vec![Some(0); t.len()],
        };
        let n = t.uint_required(col::INCIDENTS)?;
        let k = t.uint(col::ARRESTS)?;
        let mut i = 0usize;
        t.for_each_str(col::PRIMARY_TYPE, |ty| {
            let d = dates[i] - first_day;
            if d >= 0
                && (d as usize) < n_days
                && let Some(ty) = ty.and_then(|s| type_ids.get(s))
            {
                let key = keys[i].map_or(0, |v| v.min(255) as u8);
                per_day[d as usize].push((key, *ty, n[i], k[i].unwrap_or(0)));
            }
            i += 1;
        })?;
    }
    let mut out = CityRows {
        day_start: Vec::with_capacity(n_days + 1),
        ..Default::default()
    };
    out.day_start.push(0);
    for rows in per_day {
        for (key, ty, n, k) in rows {
            let mut kk = k;
            to_u16_parts(n, |part| {
                let arrests = kk.min(u64::from(part));
                kk -= arrests;
                out.key.push(key);
                out.ty.push(ty);
                out.n.push(part);
                out.k.push(arrests as u16);
            });
        }
        out.day_start.push(out.key.len());
    }
    Ok(out)
}

fn load_res(
    lake: &Lake,
    r: u8,
    first_month: YearMonth,
    n_months: usize,
    months: &[YearMonth],
    type_ids: &HashMap<String, TypeId>,
) -> Result<ResIndex> {
    let labels_path = lake.labels(r);
    let labels = Table::read(
        &labels_path,
        &[
            col::CELL,
            col::LABEL,
            col::SIGNATURE_BLOCK,
            col::SIGNATURE_STREET,
            col::DISTRICT,
            col::WARD,
            col::COMMUNITY_AREA,
        ],
    )?;
    let cells = labels.uint_required(col::CELL)?;
    let order_ok = cells.windows(2).all(|w| w[0] < w[1]);
    let mut idx: Vec<usize> = (0..cells.len()).collect();
    if !order_ok {
        idx.sort_by_key(|&i| cells[i]);
    }
    let pick = |v: Vec<Option<u64>>| -> Vec<Option<u8>> {
        idx.iter()
            .map(|&i| v[i].map(|x| x.min(255) as u8))
            .collect()
    };
    let label_vals = labels.strings(col::LABEL)?;
    let block_vals = labels.strings(col::SIGNATURE_BLOCK)?;
    let street_vals = labels.strings(col::SIGNATURE_STREET)?;
    let sorted_cells: Vec<u64> = idx.iter().map(|&i| cells[i]).collect();
    let slot_of: HashMap<u64, u32> = sorted_cells
        .iter()
        .enumerate()
        .map(|(s, c)| (*c, s as u32))
        .collect();
    let mut index = ResIndex {
        res: r,
        label: idx
            .iter()
            .map(|&i| label_vals[i].clone().unwrap_or_default())
            .collect(),
        block: idx.iter().map(|&i| block_vals[i].clone()).collect(),
        street: idx.iter().map(|&i| street_vals[i].clone()).collect(),
        district: pick(labels.uint(col::DISTRICT)?),
        ward: pick(labels.uint(col::WARD)?),
        community_area: pick(labels.uint(col::COMMUNITY_AREA)?),
        cells: sorted_cells,
        slot_of,
        ..Default::default()
    };

    // Neighbours among cells with data.
    index.nb_start.push(0);
    for &c in &index.cells {
        if let Ok(cell) = h3o::CellIndex::try_from(c) {
            for nb in cell.grid_disk::<Vec<_>>(1) {
                let nb = u64::from(nb);
                if nb != c
                    && let Some(s) = index.slot_of.get(&nb)
                {
                    index.nb.push(*s);
                }
            }
        }
        index.nb_start.push(index.nb.len() as u32);
    }

    // Daily rows, month by month.
    let per_month: Vec<(i64, DayRows)> = months
        .par_iter()
        .map(|&ym| {
            let path = lake.gold(GoldTable::CellDay, r, ym);
            let t = Table::read(
                &path,
                &[
                    col::CELL,
                    col::DATE,
                    col::PRIMARY_TYPE,
                    col::INCIDENTS,
                    col::ARRESTS,
                ],
            )?;
            let cell = t.uint_required(col::CELL)?;
            let date = t.dates(col::DATE)?;
            let n = t.uint_required(col::INCIDENTS)?;
            let k = t.uint(col::ARRESTS)?;
            let first = ym.first_day();
            let mut rows: Vec<(u32, u8, TypeId, u64, u64)> = Vec::with_capacity(t.len());
            let mut i = 0usize;
            let mut missing = None;
            t.for_each_str(col::PRIMARY_TYPE, |ty| {
                match (
                    index.slot_of.get(&cell[i]),
                    ty.and_then(|s| type_ids.get(s)),
                ) {
                    (Some(s), Some(ty)) => rows.push((
                        *s,
                        (date[i] - first).clamp(0, 30) as u8,
                        *ty,
                        n[i],
                        k[i].unwrap_or(0),
                    )),
                    _ => missing = Some(cell[i]),
                }
                i += 1;
            })?;
            if let Some(c) = missing {
                return Err(ScopeError::column(
                    &path,
                    col::CELL,
                    format!(
                        "cell {c:x} or its type is not in labels/city tables: rebuild the lake"
                    ),
                ));
            }
            rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
            let mut d = DayRows::default();
            for (s, dom, ty, n, k) in rows {
                let mut kk = k;
                to_u16_parts(n, |part| {
                    let arrests = kk.min(u64::from(part));
                    kk -= arrests;
                    d.slot.push(s);
                    d.dom.push(dom);
                    d.ty.push(ty);
                    d.n.push(part);
                    d.k.push(arrests as u16);
                });
            }
            Ok((i64::from(ym.index() - first_month.index()), d))
        })
        .collect::<Result<_>>()?;
    let mut day = DayRows::default();
    let mut blocks: Vec<Option<DayRows>> = (0..n_months).map(|_| None).collect();
    for (m, d) in per_month {
        blocks[m as usize] = Some(d);
    }
    day.month_start.push(0);
    for b in blocks {
        if let Some(mut b) = b {
            day.slot.append(&mut b.slot);
            day.dom.append(&mut b.dom);
            day.ty.append(&mut b.ty);
            day.n.append(&mut b.n);
            day.k.append(&mut b.k);
        }
        day.month_start.push(day.slot.len());
    }
    index.day = day;

    if r < res::MAX_RES {
        index.hour = Some(load_hours(
            lake,
            r,
            first_month,
            n_months,
            months,
            &index.slot_of,
            type_ids,
        )?);
    }
    if r <= 8 {
        index.prefix = Some(prefix_sums(
            &index.day,
            n_months,
            index.cells.len(),
            type_ids.len(),
        ));
    }
    Ok(index)
}

fn load_hours(
    lake: &Lake,
    r: u8,
    first_month: YearMonth,
    n_months: usize,
    months: &[YearMonth],
    slot_of: &HashMap<u64, u32>,
    type_ids: &HashMap<String, TypeId>,
) -> Result<HourRows> {
    let per_month: Vec<(usize, HourRows)> = months
        .par_iter()
        .map(|&ym| {
            let path = lake.gold(GoldTable::CellHour, r, ym);
            let t = Table::read(
                &path,
                &[
                    col::CELL,
                    col::PRIMARY_TYPE,
                    col::DOW,
                    col::HOUR,
                    col::INCIDENTS,
                    col::ARRESTS,
                ],
            )?;
            let cell = t.uint_required(col::CELL)?;
            let dow = t.uint_required(col::DOW)?;
            let hour = t.uint_required(col::HOUR)?;
            let n = t.uint_required(col::INCIDENTS)?;
            let k = t.uint(col::ARRESTS)?;
            let mut rows: Vec<(u32, TypeId, u8, u8, u64, u64)> = Vec::with_capacity(t.len());
            let mut i = 0usize;
            t.for_each_str(col::PRIMARY_TYPE, |ty| {
                if let (Some(s), Some(ty)) =
                    (slot_of.get(&cell[i]), ty.and_then(|s| type_ids.get(s)))
                {
                    rows.push((
                        *s,
                        *ty,
                        dow[i] as u8,
                        hour[i] as u8,
                        n[i],
                        k[i].unwrap_or(0),
                    ));
                }
                i += 1;
            })?;
            rows.sort_unstable_by_key(|r| (r.0, r.1, r.2, r.3));
            let mut h = HourRows::default();
            for (s, ty, dw, hr, n, k) in rows {
                let mut kk = k;
                to_u16_parts(n, |part| {
                    let arrests = kk.min(u64::from(part));
                    kk -= arrests;
                    h.slot.push(s);
                    h.ty.push(ty);
                    h.dow.push(dw);
                    h.hour.push(hr);
                    h.n.push(part);
                    h.k.push(arrests as u16);
                });
            }
            Ok(((ym.index() - first_month.index()) as usize, h))
        })
        .collect::<Result<_>>()?;
    let mut blocks: Vec<Option<HourRows>> = (0..n_months).map(|_| None).collect();
    for (m, h) in per_month {
        blocks[m] = Some(h);
    }
    let mut out = HourRows {
        month_start: vec![0],
        ..Default::default()
    };
    for b in blocks {
        if let Some(mut b) = b {
            out.slot.append(&mut b.slot);
            out.ty.append(&mut b.ty);
            out.dow.append(&mut b.dow);
            out.hour.append(&mut b.hour);
            out.n.append(&mut b.n);
            out.k.append(&mut b.k);
        }
        out.month_start.push(out.slot.len());
    }
    Ok(out)
}

fn prefix_sums(day: &DayRows, n_months: usize, slots: usize, types: usize) -> Prefix {
    let stride = slots * types;
    let mut n = vec![0u32; (n_months + 1) * stride];
    let mut k = vec![0u32; (n_months + 1) * stride];
    for m in 0..n_months {
        let (prev, cur) = n.split_at_mut((m + 1) * stride);
        cur[..stride].copy_from_slice(&prev[m * stride..]);
        let (prevk, curk) = k.split_at_mut((m + 1) * stride);
        curk[..stride].copy_from_slice(&prevk[m * stride..]);
        for i in day.month_start[m]..day.month_start[m + 1] {
            let e = day.slot[i] as usize * types + usize::from(day.ty[i]);
            cur[e] += u32::from(day.n[i]);
            curk[e] += u32::from(day.k[i]);
        }
    }
    Prefix { n, k }
}

/// Approximate bytes held by the index (for the memory figure in benchmarks).
/// The range of days a default period should be measured from: the days with data, leaving out
/// months at either end that hold less than 1 % of a median month (at least one record). One
/// stray record dated years after the rest (a typo the date check lets through) then cannot
/// make "the last 28 days" a window with one incident in it.
pub fn typical_range(
    months: &BTreeMap<YearMonth, MonthStats>,
    has_data: impl Fn(i32) -> bool,
    (first, last): (i32, i32),
) -> (i32, i32) {
    let mut counts: Vec<u64> = months.values().map(|m| m.records).collect();
    if counts.len() < 3 || first > last {
        return (first, last);
    }
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    let threshold = (median / 100).max(1);
    let dense: Vec<YearMonth> = months
        .iter()
        .filter(|(_, s)| s.records >= threshold)
        .map(|(m, _)| *m)
        .collect();
    let (Some(lo), Some(hi)) = (dense.first(), dense.last()) else {
        return (first, last);
    };
    let lo_day = lo.first_day().max(first);
    let hi_day = (hi.end_day() - 1).min(last);
    let start = (lo_day..=hi_day).find(|d| has_data(*d)).unwrap_or(first);
    let end = (lo_day..=hi_day)
        .rev()
        .find(|d| has_data(*d))
        .unwrap_or(last);
    (start, end)
}

pub fn approx_bytes(ix: &LakeIndex) -> usize {
    let city = |c: &CityRows| c.key.len() * 6 + c.day_start.len() * 8;
    let cube = |c: &MonthCube| (c.n.len() + c.k.len()) * 4;
    let mut total = city(&ix.city_hourly)
        + city(&ix.city_daily)
        + city(&ix.district_daily)
        + city(&ix.unmapped)
        + cube(&ix.city_hour_month)
        + cube(&ix.district_month);
    for r in &ix.res {
        total += r.cells.len() * (8 + 16 + 48) + r.label.iter().map(String::len).sum::<usize>();
        total += r.nb.len() * 4 + r.day.slot.len() * 10;
        if let Some(h) = &r.hour {
            total += h.slot.len() * 11;
        }
        if let Some(p) = &r.prefix {
            total += (p.n.len() + p.k.len()) * 4;
        }
    }
    total
}

/// The day number of a month block's first day.
#[inline]
pub fn month_first_day(first_month: YearMonth, m: usize) -> i32 {
    YearMonth::from_index(first_month.index() + m as i32).first_day()
}

/// Day of week of a day number.
#[inline]
pub fn dow(day: i32) -> u8 {
    time::weekday_monday0(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_month_does_not_move_the_typical_range() {
        let m = |year, month| YearMonth { year, month };
        let stats = |records| MonthStats {
            records,
            ..MonthStats::default()
        };
        let mut months: BTreeMap<YearMonth, MonthStats> = BTreeMap::new();
        for month in 1..=6u8 {
            months.insert(m(2024, month), stats(20_000));
        }
        // One record in December 2026.
        months.insert(m(2026, 12), stats(1));
        let every_day = |_| true;
        let raw = (m(2024, 1).first_day(), m(2026, 12).first_day() + 9);
        let (a, b) = typical_range(&months, every_day, raw);
        assert_eq!(a, m(2024, 1).first_day());
        assert_eq!(b, m(2024, 6).end_day() - 1, "ends with June 2024");
        // Without the stray month the range is the data's.
        months.remove(&m(2026, 12));
        let raw = (m(2024, 1).first_day() + 3, m(2024, 6).end_day() - 5);
        assert_eq!(typical_range(&months, every_day, raw), raw);
    }
}
