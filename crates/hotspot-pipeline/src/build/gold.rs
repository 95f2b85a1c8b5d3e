//! Silver month → Gold tables at r6–r10.
//!
//! Counting is polars group-bys over the month's geolocated rows, one per table and
//! resolution. Modes (dominant type, signature block and street, district, ward, community
//! area) come from r10 *tallies* — (r10 cell, value) → incidents — summed up to each coarser
//! cell, so they are exact at every resolution and the same tallies, kept per month, give the
//! all-time labels without re-reading Silver. Neighbour pooling sums each cell's
//! `grid_disk(cell, 1)` (the cell and its six neighbours) in the same month.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::path::Path;

use h3o::CellIndex;
use hotspot_core::lake::MonthStats;
use hotspot_core::res::{self, MAX_RES, RESOLUTIONS};
use hotspot_core::stats::{self, LOW_CONFIDENCE_BELOW, SMOOTHING_ALPHA, Z95};
use polars::prelude::*;

use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};
use crate::schema::{bronze as b, gold as g, silver as s};

/// Which attribute a tally counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TallyField {
    PrimaryType,
    Block,
    Street,
    District,
    Ward,
    CommunityArea,
}

impl TallyField {
    pub const ALL: [TallyField; 6] = [
        TallyField::PrimaryType,
        TallyField::Block,
        TallyField::Street,
        TallyField::District,
        TallyField::Ward,
        TallyField::CommunityArea,
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
        }
    }

    fn numeric(self) -> bool {
        matches!(
            self,
            TallyField::District | TallyField::Ward | TallyField::CommunityArea
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
    pub numeric: BTreeMap<TallyField, Vec<(u64, u8, u32)>>,
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
            field.into_column("field"),
            value.into_column("value"),
            frame::vec_column::<UInt32Type>(g::INCIDENTS, n),
        ])
    }

    /// Reads a `r10_tally` table.
    pub fn from_frame(df: &DataFrame, path: &Path) -> Result<Tallies> {
        let err = |e| PipelineError::polars(path, e);
        let cells = df.column(g::CELL).map_err(err)?.u64().map_err(err)?;
        let fields = df.column("field").map_err(err)?.str().map_err(err)?;
        let values = df.column("value").map_err(err)?.str().map_err(err)?;
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
                if let Ok(v) = v.parse::<u8>() {
                    t.numeric.entry(field).or_default().push((c, v, n));
                }
            } else {
                t.text.entry(field).or_default().push((c, v.to_string(), n));
            }
        }
        Ok(t)
    }
}

/// The parent of an r10 cell at `res` (the cell itself at r10).
pub fn parent_at(cell: u64, res: u8) -> Option<u64> {
    let c = CellIndex::try_from(cell).ok()?;
    if res >= MAX_RES {
        return Some(cell);
    }
    c.parent(res::h3(res)).map(u64::from)
}

/// The mode of each cell at `res` from r10 tallies: the value with the most incidents, ties
/// to the smallest value.
pub fn modes_at<V: Clone + Ord + Hash>(rows: &[(u64, V, u32)], res: u8) -> HashMap<u64, V> {
    modes_of(rows.iter().map(|(c, v, n)| (*c, v, u64::from(*n))), res)
}

/// [`modes_at`] over any (r10 cell, value, incidents) rows; a (cell, value) may repeat.
pub fn modes_of<'a, V: Clone + Ord + Hash + 'a>(
    rows: impl Iterator<Item = (u64, &'a V, u64)>,
    res: u8,
) -> HashMap<u64, V> {
    let mut sums: HashMap<(u64, &V), u64> = HashMap::new();
    for (cell, v, n) in rows {
        if let Some(p) = parent_at(cell, res) {
            *sums.entry((p, v)).or_insert(0) += n;
        }
    }
    let mut best: HashMap<u64, (u64, &V)> = HashMap::new();
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

fn collect(lf: LazyFrame, path: &Path) -> Result<DataFrame> {
    lf.collect().map_err(|e| PipelineError::polars(path, e))
}

fn u32_sum(name: &str) -> Expr {
    col(name)
        .cast(DataType::UInt32)
        .sum()
        .cast(DataType::UInt32)
        .alias(name)
}

fn incidents() -> Expr {
    len().cast(DataType::UInt32).alias(g::INCIDENTS)
}

/// Computes every Gold table of one Silver month.
pub fn gold_for_month(silver: &DataFrame, path: &Path) -> Result<MonthGold> {
    let records = silver.height() as u64;
    let geo_mask = silver
        .column(s::GEO_ISSUE)
        .map_err(|e| PipelineError::polars(path, e))?
        .is_null();
    let geo = silver
        .filter(&geo_mask)
        .map_err(|e| PipelineError::polars(path, e))?;
    let unmapped = silver
        .filter(&!&geo_mask)
        .map_err(|e| PipelineError::polars(path, e))?;

    let arrests_geolocated = geo
        .column(b::ARREST)
        .map_err(|e| PipelineError::polars(path, e))?
        .bool()
        .map_err(|e| PipelineError::polars(path, e))?
        .sum()
        .unwrap_or(0) as u64;
    let geolocated = geo.height() as u64;
    let prior = stats::rate(arrests_geolocated as f64, geolocated as f64);

    let mut unmapped_by_issue = BTreeMap::new();
    if unmapped.height() > 0 {
        let issues = unmapped
            .column(s::GEO_ISSUE)
            .map_err(|e| PipelineError::polars(path, e))?
            .str()
            .map_err(|e| PipelineError::polars(path, e))?;
        for i in issues.iter().flatten() {
            *unmapped_by_issue.entry(i.to_string()).or_insert(0u64) += 1;
        }
    }

    let unmapped_day = collect(
        unmapped
            .clone()
            .lazy()
            .group_by([col(s::DATE), col(b::PRIMARY_TYPE), col(s::GEO_ISSUE)])
            .agg([
                incidents(),
                u32_sum(b::ARREST).alias(g::ARRESTS),
                u32_sum(b::DOMESTIC),
            ])
            .sort(
                [s::DATE, b::PRIMARY_TYPE, s::GEO_ISSUE],
                SortMultipleOptions::default(),
            ),
        path,
    )?;

    let city_hourly = collect(
        silver
            .clone()
            .lazy()
            .group_by([col(s::DATE), col(s::HOUR), col(b::PRIMARY_TYPE)])
            .agg([
                incidents(),
                u32_sum(b::ARREST).alias(g::ARRESTS),
                u32_sum(b::DOMESTIC),
            ])
            .sort(
                [s::DATE, s::HOUR, b::PRIMARY_TYPE],
                SortMultipleOptions::default(),
            ),
        path,
    )?;
    let district_daily = collect(
        silver
            .clone()
            .lazy()
            .group_by([col(s::DATE), col(b::DISTRICT), col(b::PRIMARY_TYPE)])
            .agg([incidents(), u32_sum(b::ARREST).alias(g::ARRESTS)])
            .sort(
                [s::DATE, b::DISTRICT, b::PRIMARY_TYPE],
                SortMultipleOptions::default().with_nulls_last(true),
            ),
        path,
    )?;
    let tallies = tally(&geo, path)?;
    let lf = geo.lazy();
    let mut cell_day = Vec::new();
    let mut cell_hour = Vec::new();
    let mut cell_month = Vec::new();
    for r in RESOLUTIONS {
        let cell = s::h3(r);
        cell_day.push(collect(
            lf.clone()
                .group_by([
                    col(&cell).alias(g::CELL),
                    col(s::DATE),
                    col(b::PRIMARY_TYPE),
                ])
                .agg([
                    incidents(),
                    u32_sum(b::ARREST).alias(g::ARRESTS),
                    u32_sum(b::DOMESTIC),
                ])
                .sort(
                    [g::CELL, g::DATE, g::PRIMARY_TYPE],
                    SortMultipleOptions::default(),
                ),
            path,
        )?);
        cell_hour.push(collect(
            lf.clone()
                .group_by([
                    col(&cell).alias(g::CELL),
                    col(b::PRIMARY_TYPE),
                    col(s::DOW),
                    col(s::HOUR),
                ])
                .agg([incidents(), u32_sum(b::ARREST).alias(g::ARRESTS)])
                .sort(
                    [g::CELL, g::PRIMARY_TYPE, g::DOW, g::HOUR],
                    SortMultipleOptions::default(),
                ),
            path,
        )?);
        let counts = collect(
            lf.clone()
                .group_by([col(&cell).alias(g::CELL)])
                .agg([
                    incidents(),
                    u32_sum(b::ARREST).alias(g::ARRESTS),
                    u32_sum(b::DOMESTIC),
                ])
                .sort([g::CELL], SortMultipleOptions::default()),
            path,
        )?;
        cell_month.push(cell_month_frame(&counts, &tallies, r, prior, path)?);
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
            records,
            geolocated,
            arrests_geolocated,
            unmapped_by_issue,
            prior,
        },
    })
}

fn tally(geo: &DataFrame, path: &Path) -> Result<Tallies> {
    let r10 = s::h3(MAX_RES);
    let mut t = Tallies::default();
    for field in TallyField::ALL {
        let name = field.column();
        let df = collect(
            geo.clone()
                .lazy()
                .filter(col(name).is_not_null())
                .group_by([col(&r10), col(name)])
                .agg([incidents()]),
            path,
        )?;
        let err = |e| PipelineError::polars(path, e);
        let cells = df.column(&r10).map_err(err)?.u64().map_err(err)?;
        let counts = df.column(g::INCIDENTS).map_err(err)?.u32().map_err(err)?;
        if field.numeric() {
            let values = df
                .column(name)
                .map_err(err)?
                .cast(&DataType::UInt8)
                .map_err(err)?;
            let values = values.u8().map_err(err)?;
            let mut rows: Vec<(u64, u8, u32)> = cells
                .iter()
                .zip(values.iter())
                .zip(counts.iter())
                .filter_map(|((c, v), n)| Some((c?, v?, n?)))
                .collect();
            rows.sort_unstable();
            t.numeric.insert(field, rows);
        } else {
            let values = df.column(name).map_err(err)?.str().map_err(err)?;
            let mut rows: Vec<(u64, String, u32)> = cells
                .iter()
                .zip(values.iter())
                .zip(counts.iter())
                .filter_map(|((c, v), n)| Some((c?, v?.to_string(), n?)))
                .collect();
            rows.sort_unstable();
            t.text.insert(field, rows);
        }
    }
    Ok(t)
}

/// Neighbour-pooled counts: for each cell, the sums over `grid_disk(cell, 1)` of `counts`.
pub fn pool(cells: &[u64], counts: &HashMap<u64, (u32, u32)>) -> Vec<(u32, u32)> {
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

fn cell_month_frame(
    counts: &DataFrame,
    tallies: &Tallies,
    res: u8,
    prior: f64,
    path: &Path,
) -> Result<DataFrame> {
    let err = |e| PipelineError::polars(path, e);
    let cells: Vec<u64> = counts
        .column(g::CELL)
        .map_err(err)?
        .u64()
        .map_err(err)?
        .iter()
        .flatten()
        .collect();
    let inc: Vec<u32> = counts
        .column(g::INCIDENTS)
        .map_err(err)?
        .u32()
        .map_err(err)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let arr: Vec<u32> = counts
        .column(g::ARRESTS)
        .map_err(err)?
        .u32()
        .map_err(err)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let dom: Vec<u32> = counts
        .column(g::DOMESTIC)
        .map_err(err)?
        .u32()
        .map_err(err)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();

    let by_cell: HashMap<u64, (u32, u32)> = cells
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

    let text_mode = |field: TallyField, name: &str| -> Column {
        let modes = tallies
            .text
            .get(&field)
            .map(|rows| modes_at(rows, res))
            .unwrap_or_default();
        let mut c = StrColumn::default();
        for cell in &cells {
            c.push_opt(modes.get(cell).map(String::as_str));
        }
        c.into_column(name)
    };
    let num_mode = |field: TallyField, name: &str| -> Column {
        let modes = tallies
            .numeric
            .get(&field)
            .map(|rows| modes_at(rows, res))
            .unwrap_or_default();
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
        text_mode(TallyField::PrimaryType, g::DOMINANT_TYPE),
        text_mode(TallyField::Block, g::SIGNATURE_BLOCK),
        text_mode(TallyField::Street, g::SIGNATURE_STREET),
        num_mode(TallyField::District, g::DISTRICT),
        num_mode(TallyField::Ward, g::WARD),
        num_mode(TallyField::CommunityArea, g::COMMUNITY_AREA),
        frame::vec_column::<UInt32Type>(g::DOMESTIC, dom),
        frame::vec_column::<Float64Type>(g::PRIOR, vec![prior; n]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut counts = HashMap::new();
        counts.insert(u64::from(centre), (10, 2));
        counts.insert(u64::from(ring[0]), (5, 1));
        counts.insert(u64::from(ring[3]), (1, 1));
        counts.insert(u64::from(far), (100, 50));
        let pooled = pool(
            &[u64::from(centre), u64::from(ring[0]), u64::from(far)],
            &counts,
        );
        assert_eq!(pooled[0], (16, 4));
        // ring[0] sees the centre and itself; ring[3] is not its neighbour unless adjacent.
        let n0: Vec<_> = ring[0].grid_disk::<Vec<_>>(1);
        let expected = 10 + 5 + if n0.contains(&ring[3]) { 1 } else { 0 };
        assert_eq!(pooled[1].0, expected);
        assert_eq!(pooled[2], (100, 50));
    }
}
