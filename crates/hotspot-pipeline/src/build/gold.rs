//! Silver month → Gold tables at r6–r10.
//!
//! Counting is done in Rust over the month's dictionary-coded rows ([`MonthRows`]): each
//! table and resolution is one pass that sums into a [`FastMap`] keyed by packed integers
//! (`aggregate`), and polars only receives the finished columns to write Parquet. r6–r9 cells
//! are bit-level parents of the r10 cell. Modes (dominant type, signature block and street,
//! district, ward, community area) come from r10 *tallies* — (r10 cell, value) → incidents —
//! summed up to each coarser cell, so they are exact at every resolution and the same tallies,
//! kept per month, give the all-time labels without re-reading Silver. Neighbour pooling sums
//! each cell's `grid_disk(cell, 1)` (the cell and its six neighbours) in the same month.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::path::Path;

use h3o::CellIndex;
use hotspot_core::hash::FastMap;
use hotspot_core::lake::MonthStats;
use hotspot_core::res::RESOLUTIONS;
use hotspot_core::stats::{self, LOW_CONFIDENCE_BELOW, SMOOTHING_ALPHA, Z95};
use polars::prelude::*;

use super::silver::MonthRows;
use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};
use hotspot_core::lake::columns::{bronze as b, gold as g, silver as s};

/// Which attribute a tally counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TallyField {
    PrimaryType,
    Block,
    Street,
    District,
    Ward,
    CommunityArea,
    Beat,
}

impl TallyField {
    pub const ALL: [TallyField; 7] = [
        TallyField::PrimaryType,
        TallyField::Block,
        TallyField::Street,
        TallyField::District,
        TallyField::Ward,
        TallyField::CommunityArea,
        TallyField::Beat,
    ];

    /// The Silver column tallied, which is also the `field` code written to the tally table.
    pub fn column(self) -> &'static str {
        match self {
            TallyField::PrimaryType => b::PRIMARY_TYPE,
            TallyField::Block => b::BLOCK,
            TallyField::Street => s::STREET,
            TallyField::District => b::DISTRICT,
            TallyField::Ward => b::WARD,
            TallyField::CommunityArea => b::COMMUNITY_AREA,
            TallyField::Beat => b::BEAT,
        }
    }

    fn numeric(self) -> bool {
        matches!(
            self,
            TallyField::District | TallyField::Ward | TallyField::CommunityArea | TallyField::Beat
        )
    }

    /// Parses a `field` code.
    pub fn from_column(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.column() == name)
    }
}

/// (r10 cell, value) → incidents, for text and for numeric attributes.
#[derive(Clone, Debug, Default)]
pub struct Tallies {
    pub text: BTreeMap<TallyField, Vec<(u64, String, u32)>>,
    /// Jurisdiction codes (beats reach 2535, so 16 bits).
    pub numeric: BTreeMap<TallyField, Vec<(u64, u16, u32)>>,
}

impl Tallies {
    /// Adds another month's tallies (rows are summed later, by [`modes_at`]).
    pub fn extend(&mut self, other: Tallies) {
        for (f, mut rows) in other.text {
            self.text.entry(f).or_default().append(&mut rows);
        }
        for (f, mut rows) in other.numeric {
            self.numeric.entry(f).or_default().append(&mut rows);
        }
    }

    /// The tallies as the `r10_tally` table: cell, field, value, incidents.
    pub fn to_frame(&self) -> Result<DataFrame> {
        let mut cell = Vec::new();
        let mut field = StrColumn::default();
        let mut value = StrColumn::default();
        let mut n = Vec::new();
        for (f, rows) in &self.text {
            for (c, v, k) in rows {
                cell.push(*c);
                field.push(f.column());
                value.push(v);
                n.push(*k);
            }
        }
        for (f, rows) in &self.numeric {
            for (c, v, k) in rows {
                cell.push(*c);
                field.push(f.column());
                value.push(&v.to_string());
                n.push(*k);
            }
        }
        frame::frame(vec![
            frame::vec_column::<UInt64Type>(g::CELL, cell),
            field.into_column(g::FIELD),
            value.into_column(g::VALUE),
            frame::vec_column::<UInt32Type>(g::INCIDENTS, n),
        ])
    }

    /// Reads a `r10_tally` table.
    pub fn from_frame(df: &DataFrame, path: &Path) -> Result<Tallies> {
        let err = |e| PipelineError::polars(path, e);
        let cells = df.column(g::CELL).map_err(err)?.u64().map_err(err)?;
        let fields = df.column(g::FIELD).map_err(err)?.str().map_err(err)?;
        let values = df.column(g::VALUE).map_err(err)?.str().map_err(err)?;
        let counts = df.column(g::INCIDENTS).map_err(err)?.u32().map_err(err)?;
        let mut t = Tallies::default();
        for (((c, f), v), n) in cells
            .iter()
            .zip(fields.iter())
            .zip(values.iter())
            .zip(counts.iter())
        {
            let (Some(c), Some(f), Some(v), Some(n)) = (c, f, v, n) else {
                continue;
            };
            let Some(field) = TallyField::from_column(f) else {
                continue;
            };
            if field.numeric() {
                if let Ok(v) = v.parse::<u16>() {
                    t.numeric.entry(field).or_default().push((c, v, n));
                }
            } else {
                t.text.entry(field).or_default().push((c, v.to_string(), n));
            }
        }
        Ok(t)
    }
}

/// The parent of a (valid) cell at `res`, or the cell itself at its own resolution.
pub fn parent_at(cell: u64, res: u8) -> Option<u64> {
    (cell != 0).then(|| hotspot_core::h3bits::parent(cell, res))
}

/// The mode of each cell at `res` from r10 tallies: the value with the most incidents, ties
/// to the smallest value.
pub fn modes_at<V: Clone + Ord + Hash>(rows: &[(u64, V, u32)], res: u8) -> FastMap<u64, V> {
    modes_of(rows.iter().map(|(c, v, n)| (*c, v, u64::from(*n))), res)
}

/// [`modes_at`] over any (r10 cell, value, incidents) rows; a (cell, value) may repeat.
pub fn modes_of<'a, V: Clone + Ord + Hash + 'a>(
    rows: impl Iterator<Item = (u64, &'a V, u64)>,
    res: u8,
) -> FastMap<u64, V> {
    let mut sums: FastMap<(u64, &V), u64> = FastMap::default();
    for (cell, v, n) in rows {
        if let Some(p) = parent_at(cell, res) {
            *sums.entry((p, v)).or_insert(0) += n;
        }
    }
    let mut best: FastMap<u64, (u64, &V)> = FastMap::default();
    for ((cell, v), n) in sums {
        match best.get_mut(&cell) {
            Some(cur) => {
                if n > cur.0 || (n == cur.0 && v < cur.1) {
                    *cur = (n, v);
                }
            }
            None => {
                best.insert(cell, (n, v));
            }
        }
    }
    best.into_iter().map(|(c, (_, v))| (c, v.clone())).collect()
}

/// All Gold output of one month.
pub struct MonthGold {
    pub city_hourly: DataFrame,
    pub district_daily: DataFrame,
    pub cell_day: Vec<DataFrame>,
    pub cell_hour: Vec<DataFrame>,
    pub cell_month: Vec<DataFrame>,
    pub unmapped_day: DataFrame,
    pub tallies: Tallies,
    pub stats: MonthStats,
}

/// Sums `N` counters per key over the rows `key_of` accepts. Groups come out in order of first
/// appearance: deterministic (Bronze months are sorted by time and id) without a sort.
fn aggregate<K, const N: usize>(
    rows: usize,
    mut key_of: impl FnMut(usize) -> Option<(K, [u32; N])>,
) -> Vec<(K, [u32; N])>
where
    K: std::hash::Hash + Eq + Copy,
{
    let mut index: FastMap<K, u32> = FastMap::with_capacity_and_hasher(rows, Default::default());
    let mut out: Vec<(K, [u32; N])> = Vec::with_capacity(rows / 2 + 1);
    for i in 0..rows {
        if let Some((k, v)) = key_of(i) {
            let slot = *index.entry(k).or_insert_with(|| {
                out.push((k, [0; N]));
                (out.len() - 1) as u32
            });
            let e = &mut out[slot as usize].1;
            for j in 0..N {
                e[j] += v[j];
            }
        }
    }
    out
}

fn counts<const N: usize>(
    groups: &[impl Sized],
    values: impl Fn(usize) -> [u32; N],
    name: [&str; N],
) -> Vec<Column> {
    (0..N)
        .map(|j| {
            frame::vec_column::<UInt32Type>(
                name[j],
                (0..groups.len()).map(|i| values(i)[j]).collect(),
            )
        })
        .collect()
}

/// The `primary_type` column of a Gold cube, written as an Enum over the month's types: the
/// writer emits the dictionary straight from our codes instead of hashing millions of repeated
/// strings (Parquet readers still see a dictionary-encoded string column).
fn type_column(names: &[String], codes: impl Iterator<Item = u32>) -> Result<Column> {
    let err = |e| PipelineError::polars(Path::new(g::PRIMARY_TYPE), e);
    let cats = FrozenCategories::new(names.iter().map(String::as_str)).map_err(err)?;
    let dtype = DataType::from_frozen_categories(cats.clone());
    let name = g::PRIMARY_TYPE.into();
    let series = match cats.physical() {
        CategoricalPhysical::U8 => {
            let ids = UInt8Chunked::from_vec(name, codes.map(|c| c as u8).collect());
            Categorical8Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
        CategoricalPhysical::U16 => {
            let ids = UInt16Chunked::from_vec(name, codes.map(|c| c as u16).collect());
            Categorical16Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
        CategoricalPhysical::U32 => {
            let ids = UInt32Chunked::from_vec(name, codes.collect());
            Categorical32Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
    };
    Ok(series.into_column())
}

/// Computes every Gold table of one month from its rows.
pub fn gold_for_month(rows: &MonthRows) -> Result<MonthGold> {
    let n = rows.len();
    let (a, d) = (&rows.arrest, &rows.domestic);
    let flags = |i: usize| [1u32, u32::from(a[i]), u32::from(d[i])];
    let r10 = &rows.cells[RESOLUTIONS.len() - 1];
    let geolocated = r10.iter().filter(|c| **c != 0).count() as u64;
    let arrests_geolocated = (0..n).filter(|&i| r10[i] != 0 && a[i]).count() as u64;
    let prior = stats::rate(arrests_geolocated as f64, geolocated as f64);
    let mut unmapped_by_issue = BTreeMap::new();
    for i in rows.issue.iter().flatten() {
        *unmapped_by_issue
            .entry(i.code().to_string())
            .or_insert(0u64) += 1;
    }

    // Citywide cubes over every record.
    let hourly = aggregate(n, |i| {
        Some(((rows.date[i], rows.hour[i], rows.ty[i]), flags(i)))
    });
    let mut cols = vec![
        frame::date_column(s::DATE, hourly.iter().map(|((d, _, _), _)| *d).collect()),
        frame::vec_column::<UInt8Type>(s::HOUR, hourly.iter().map(|((_, h, _), _)| *h).collect()),
        type_column(&rows.types, hourly.iter().map(|((_, _, t), _)| *t))?,
    ];
    cols.extend(counts(
        &hourly,
        |i| hourly[i].1,
        [g::INCIDENTS, g::ARRESTS, g::DOMESTIC],
    ));
    let city_hourly = frame::frame(cols)?;

    // Nulls sort last: the key's first element is `district.is_none()`.
    let districts = aggregate(n, |i| {
        let dist = rows.district[i];
        Some((
            (rows.date[i], dist.is_none(), dist.unwrap_or(0), rows.ty[i]),
            [1, u32::from(a[i])],
        ))
    });
    let mut cols = vec![
        frame::date_column(s::DATE, districts.iter().map(|((d, ..), _)| *d).collect()),
        frame::opt_column::<UInt8Type>(
            b::DISTRICT,
            districts
                .iter()
                .map(|((_, none, dist, _), _)| (!none).then_some(*dist))
                .collect(),
        ),
        type_column(&rows.types, districts.iter().map(|((.., t), _)| *t))?,
    ];
    cols.extend(counts(
        &districts,
        |i| districts[i].1,
        [g::INCIDENTS, g::ARRESTS],
    ));
    let district_daily = frame::frame(cols)?;

    let unmapped = aggregate(n, |i| {
        rows.issue[i].map(|issue| ((rows.date[i], rows.ty[i], issue.code()), flags(i)))
    });
    let mut issue_col = StrColumn::default();
    for ((_, _, code), _) in &unmapped {
        issue_col.push(code);
    }
    let mut cols = vec![
        frame::date_column(s::DATE, unmapped.iter().map(|((d, ..), _)| *d).collect()),
        type_column(&rows.types, unmapped.iter().map(|((_, t, _), _)| *t))?,
        issue_col.into_column(s::GEO_ISSUE),
    ];
    cols.extend(counts(
        &unmapped,
        |i| unmapped[i].1,
        [g::INCIDENTS, g::ARRESTS, g::DOMESTIC],
    ));
    let unmapped_day = frame::frame(cols)?;

    let groups = field_groups(rows);
    let tallies = tally(rows, &groups);
    let mut cell_day = Vec::new();
    let mut cell_hour = Vec::new();
    let mut cell_month = Vec::new();
    for (ri, &res) in RESOLUTIONS.iter().enumerate() {
        let cells = &rows.cells[ri];
        let day = aggregate(n, |i| {
            (cells[i] != 0).then(|| ((cells[i], rows.date[i], rows.ty[i]), flags(i)))
        });
        let mut cols = vec![
            frame::vec_column::<UInt64Type>(g::CELL, day.iter().map(|((c, ..), _)| *c).collect()),
            frame::date_column(g::DATE, day.iter().map(|((_, d, _), _)| *d).collect()),
            type_column(&rows.types, day.iter().map(|((.., t), _)| *t))?,
        ];
        cols.extend(counts(
            &day,
            |i| day[i].1,
            [g::INCIDENTS, g::ARRESTS, g::DOMESTIC],
        ));
        cell_day.push(frame::frame(cols)?);

        let hour = aggregate(n, |i| {
            (cells[i] != 0).then(|| {
                (
                    (cells[i], rows.ty[i], rows.dow[i], rows.hour[i]),
                    [1, u32::from(a[i])],
                )
            })
        });
        let mut cols = vec![
            frame::vec_column::<UInt64Type>(g::CELL, hour.iter().map(|((c, ..), _)| *c).collect()),
            type_column(&rows.types, hour.iter().map(|((_, t, ..), _)| *t))?,
            frame::vec_column::<UInt8Type>(
                g::DOW,
                hour.iter().map(|((_, _, w, _), _)| *w).collect(),
            ),
            frame::vec_column::<UInt8Type>(g::HOUR, hour.iter().map(|((.., h), _)| *h).collect()),
        ];
        cols.extend(counts(&hour, |i| hour[i].1, [g::INCIDENTS, g::ARRESTS]));
        cell_hour.push(frame::frame(cols)?);

        let mut month = aggregate(n, |i| (cells[i] != 0).then(|| (cells[i], flags(i))));
        // One row per cell: cheap to sort, and readers like cell order.
        month.sort_unstable_by_key(|(c, _)| *c);
        let modes = month_modes(&groups, res);
        cell_month.push(cell_month_frame(&month, rows, &modes, prior)?);
    }
    Ok(MonthGold {
        city_hourly,
        district_daily,
        cell_day,
        cell_hour,
        cell_month,
        unmapped_day,
        tallies,
        stats: MonthStats {
            records: n as u64,
            geolocated,
            arrests_geolocated,
            unmapped_by_issue,
            prior,
        },
    })
}

fn tally(rows: &MonthRows, g: &FieldGroups) -> Tallies {
    let mut t = Tallies::default();
    let text = |groups: &[((u64, u32), [u32; 1])], names: &[String]| -> Vec<(u64, String, u32)> {
        groups
            .iter()
            .map(|((c, code), [k])| (*c, names[*code as usize].clone(), *k))
            .collect()
    };
    t.text
        .insert(TallyField::PrimaryType, text(&g.ty, &rows.types));
    t.text
        .insert(TallyField::Block, text(&g.block, &rows.blocks));
    t.text
        .insert(TallyField::Street, text(&g.street, &rows.streets));
    let numeric = |groups: &[((u64, u8), [u32; 1])]| -> Vec<(u64, u16, u32)> {
        groups
            .iter()
            .map(|((c, v), [k])| (*c, u16::from(*v), *k))
            .collect()
    };
    t.numeric.insert(TallyField::District, numeric(&g.district));
    t.numeric.insert(TallyField::Ward, numeric(&g.ward));
    t.numeric
        .insert(TallyField::CommunityArea, numeric(&g.community_area));
    let r10 = &rows.cells[RESOLUTIONS.len() - 1];
    let beats = aggregate(rows.len(), |i| match (r10[i], rows.beat[i]) {
        (0, _) | (_, None) => None,
        (c, Some(v)) => Some(((c, v), [1u32])),
    });
    t.numeric.insert(
        TallyField::Beat,
        beats.iter().map(|((c, v), [k])| (*c, *v, *k)).collect(),
    );
    t
}

/// Neighbour-pooled counts: for each cell, the sums over `grid_disk(cell, 1)` of `counts`.
pub fn pool(cells: &[u64], counts: &FastMap<u64, (u32, u32)>) -> Vec<(u32, u32)> {
    cells
        .iter()
        .map(|&c| {
            let Ok(cell) = CellIndex::try_from(c) else {
                return counts.get(&c).copied().unwrap_or((0, 0));
            };
            cell.grid_disk::<Vec<_>>(1)
                .into_iter()
                .fold((0, 0), |(n, k), nb| {
                    let (dn, dk) = counts.get(&u64::from(nb)).copied().unwrap_or((0, 0));
                    (n + dn, k + dk)
                })
        })
        .collect()
}

/// Per cell, the value with the most incidents among `(cell, value)` groups; ties go to the
/// smallest value (dictionary codes sort like their text).
fn modes_of_groups<V: Copy + Ord>(groups: &[((u64, V), [u32; 1])]) -> FastMap<u64, V> {
    let mut best: FastMap<u64, (u32, V)> =
        FastMap::with_capacity_and_hasher(groups.len(), Default::default());
    for ((cell, v), [n]) in groups {
        best.entry(*cell)
            .and_modify(|cur| {
                if *n > cur.0 || (*n == cur.0 && *v < cur.1) {
                    *cur = (*n, *v);
                }
            })
            .or_insert((*n, *v));
    }
    best.into_iter().map(|(c, (_, v))| (c, v)).collect()
}

/// (r10 cell, value) → incidents for each attribute with a mode: counted once per month, then
/// rolled up to every coarser resolution.
struct FieldGroups {
    ty: Vec<((u64, u32), [u32; 1])>,
    block: Vec<((u64, u32), [u32; 1])>,
    street: Vec<((u64, u32), [u32; 1])>,
    district: Vec<((u64, u8), [u32; 1])>,
    ward: Vec<((u64, u8), [u32; 1])>,
    community_area: Vec<((u64, u8), [u32; 1])>,
}

fn field_groups(rows: &MonthRows) -> FieldGroups {
    let r10 = &rows.cells[RESOLUTIONS.len() - 1];
    let n = rows.len();
    let coded =
        |codes: &[u32]| aggregate(n, |i| (r10[i] != 0).then(|| ((r10[i], codes[i]), [1u32])));
    let numeric = |values: &[Option<u8>]| {
        aggregate(n, |i| match (r10[i], values[i]) {
            (0, _) | (_, None) => None,
            (c, Some(v)) => Some(((c, v), [1u32])),
        })
    };
    FieldGroups {
        ty: coded(&rows.ty),
        block: coded(&rows.block),
        street: coded(&rows.street),
        district: numeric(&rows.district),
        ward: numeric(&rows.ward),
        community_area: numeric(&rows.community_area),
    }
}

/// r10 groups summed into their parents at `res`.
fn roll_up<V: Copy + Eq + Hash>(
    groups: &[((u64, V), [u32; 1])],
    res: u8,
) -> Vec<((u64, V), [u32; 1])> {
    if res >= hotspot_core::res::MAX_RES {
        return groups.to_vec();
    }
    aggregate(groups.len(), |i| {
        let ((c, v), n) = groups[i];
        Some(((hotspot_core::h3bits::parent(c, res), v), n))
    })
}

/// The month's modes at one resolution.
struct MonthModes {
    ty: FastMap<u64, u32>,
    block: FastMap<u64, u32>,
    street: FastMap<u64, u32>,
    district: FastMap<u64, u8>,
    ward: FastMap<u64, u8>,
    community_area: FastMap<u64, u8>,
}

fn month_modes(g: &FieldGroups, res: u8) -> MonthModes {
    MonthModes {
        ty: modes_of_groups(&roll_up(&g.ty, res)),
        block: modes_of_groups(&roll_up(&g.block, res)),
        street: modes_of_groups(&roll_up(&g.street, res)),
        district: modes_of_groups(&roll_up(&g.district, res)),
        ward: modes_of_groups(&roll_up(&g.ward, res)),
        community_area: modes_of_groups(&roll_up(&g.community_area, res)),
    }
}

fn cell_month_frame(
    counts: &[(u64, [u32; 3])],
    rows: &MonthRows,
    modes: &MonthModes,
    prior: f64,
) -> Result<DataFrame> {
    let cells: Vec<u64> = counts.iter().map(|(c, _)| *c).collect();
    let inc: Vec<u32> = counts.iter().map(|(_, v)| v[0]).collect();
    let arr: Vec<u32> = counts.iter().map(|(_, v)| v[1]).collect();
    let dom: Vec<u32> = counts.iter().map(|(_, v)| v[2]).collect();

    let by_cell: FastMap<u64, (u32, u32)> = cells
        .iter()
        .zip(inc.iter().zip(arr.iter()))
        .map(|(c, (n, k))| (*c, (*n, *k)))
        .collect();
    let pooled = pool(&cells, &by_cell);

    let n = cells.len();
    let (mut rate, mut lo, mut hi, mut smooth) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut p_rate, mut p_smooth, mut low) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let (nn, kk) = (f64::from(inc[i]), f64::from(arr[i]));
        rate.push(stats::rate(kk, nn));
        let (l, h) = stats::wilson_interval(kk, nn, Z95);
        lo.push(l);
        hi.push(h);
        smooth.push(stats::smoothed_rate(kk, nn, prior, SMOOTHING_ALPHA));
        let (pn, pk) = (f64::from(pooled[i].0), f64::from(pooled[i].1));
        p_rate.push(if pn > 0.0 { pk / pn } else { prior });
        p_smooth.push(stats::smoothed_rate(pk, pn, prior, SMOOTHING_ALPHA));
        low.push(inc[i] < LOW_CONFIDENCE_BELOW);
    }

    let text_mode = |modes: &FastMap<u64, u32>, names: &[String], name: &str| -> Column {
        let mut c = StrColumn::default();
        for cell in &cells {
            c.push_opt(modes.get(cell).map(|code| names[*code as usize].as_str()));
        }
        c.into_column(name)
    };
    let num_mode = |modes: &FastMap<u64, u8>, name: &str| -> Column {
        frame::opt_column::<UInt8Type>(name, cells.iter().map(|c| modes.get(c).copied()).collect())
    };

    frame::frame(vec![
        frame::vec_column::<UInt64Type>(g::CELL, cells.clone()),
        frame::vec_column::<UInt32Type>(g::INCIDENTS, inc.clone()),
        frame::vec_column::<UInt32Type>(g::ARRESTS, arr.clone()),
        frame::vec_column::<Float64Type>(g::ARREST_RATE, rate),
        frame::vec_column::<Float64Type>(g::WILSON_LO, lo),
        frame::vec_column::<Float64Type>(g::WILSON_HI, hi),
        frame::vec_column::<Float64Type>(g::SMOOTHED_RATE, smooth),
        frame::vec_column::<UInt32Type>(g::POOLED_INCIDENTS, pooled.iter().map(|p| p.0).collect()),
        frame::vec_column::<UInt32Type>(g::POOLED_ARRESTS, pooled.iter().map(|p| p.1).collect()),
        frame::vec_column::<Float64Type>(g::POOLED_RATE, p_rate),
        frame::vec_column::<Float64Type>(g::POOLED_SMOOTHED, p_smooth),
        frame::bool_column(g::LOW_CONFIDENCE, low),
        text_mode(&modes.ty, &rows.types, g::DOMINANT_TYPE),
        text_mode(&modes.block, &rows.blocks, g::SIGNATURE_BLOCK),
        text_mode(&modes.street, &rows.streets, g::SIGNATURE_STREET),
        num_mode(&modes.district, g::DISTRICT),
        num_mode(&modes.ward, g::WARD),
        num_mode(&modes.community_area, g::COMMUNITY_AREA),
        frame::vec_column::<UInt32Type>(g::DOMESTIC, dom),
        frame::vec_column::<Float64Type>(g::PRIOR, vec![prior; n]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotspot_core::res;

    #[test]
    fn modes_break_ties_to_the_smallest_value() {
        let cell = u64::from(
            h3o::LatLng::new(41.88, -87.63)
                .expect("valid")
                .to_cell(res::h3(10)),
        );
        let rows = vec![
            (cell, "B".to_string(), 2),
            (cell, "A".to_string(), 2),
            (cell, "C".to_string(), 1),
        ];
        assert_eq!(modes_at(&rows, 10).get(&cell), Some(&"A".to_string()));
        // Summed up to the parent, the answer is the same.
        let parent = parent_at(cell, 8).expect("parent");
        assert_eq!(modes_at(&rows, 8).get(&parent), Some(&"A".to_string()));
        let rows = vec![(cell, 3u8, 1), (cell, 3, 1), (cell, 1, 1)];
        assert_eq!(modes_at(&rows, 9).len(), 1);
        assert_eq!(modes_at(&rows, 10).get(&cell), Some(&3));
    }

    #[test]
    fn pooling_sums_the_disk() {
        let centre = h3o::LatLng::new(41.88, -87.63)
            .expect("valid")
            .to_cell(res::h3(9));
        let ring: Vec<_> = centre
            .grid_disk::<Vec<_>>(1)
            .into_iter()
            .filter(|c| *c != centre)
            .collect();
        let far = h3o::LatLng::new(41.75, -87.60)
            .expect("valid")
            .to_cell(res::h3(9));
        let mut counts = FastMap::default();
        counts.insert(u64::from(centre), (10, 2));
        counts.insert(u64::from(ring[0]), (5, 1));
        counts.insert(u64::from(ring[3]), (1, 1));
        counts.insert(u64::from(far), (100, 50));
        let pooled = pool(
            &[u64::from(centre), u64::from(ring[0]), u64::from(far)],
            &counts,
        );
        assert_eq!(pooled[0], (16, 4));
        assert_eq!(pooled[2], (100, 50));
        // Opposite neighbours of the centre are two steps apart, so ring[0] pools the centre
        // and itself only: 10 + 5. (Checked through another h3o path than `pool`'s disk.)
        let opposite = ring
            .iter()
            .copied()
            .find(|c| ring[0].grid_distance(*c).ok() == Some(2))
            .expect("an opposite neighbour");
        counts.insert(u64::from(ring[3]), (0, 0));
        counts.insert(u64::from(opposite), (1, 1));
        let pooled = pool(&[u64::from(ring[0])], &counts);
        assert_eq!(pooled[0].0, 15);
    }
}
