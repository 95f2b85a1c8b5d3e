//! The street skeleton: where each street runs, derived from the lake's own records.
//!
//! Every record names its block (`012XX W MADISON ST`) and carries coordinates. Per month, each
//! block gets a robust centre — the component-wise median of its geolocated records — and its
//! record count (`gold/block_points`, one small table per month, so an incremental build only
//! recomputes the months it touches). Over all time a block's centre is the incident-weighted
//! median of its monthly centres. A street's blocks, ordered by house number, are joined into
//! polylines where consecutive blocks are plausibly adjacent on Chicago's address grid (800
//! numbers a mile: one 100-number block ≈ 201 m) and split where they are not; each polyline
//! is extended half a block past its end blocks (a block's records spread along the whole
//! block), a lone block becomes a block-long segment along the grid axis its direction prefix
//! implies (N/S streets run north–south, E/W streets east–west), and vertices that add nothing
//! are dropped (Douglas–Peucker, 3 m).

use std::collections::BTreeMap;

use glam::DVec2;
use hotspot_core::hash::FastMap;
use hotspot_core::names::{block_number, pretty_block, street_of_block};
use polars::prelude::*;

use super::silver::{MonthRows, f64_opt};
use crate::error::{PipelineError, Result};
use crate::frame::{self, StrColumn};

/// Metres per 100 house numbers on Chicago's grid (a mile is 800 numbers).
pub const BLOCK_M: f64 = 1609.344 / 8.0;
/// The most missing blocks a polyline bridges (a gap of four blocks joins, five splits).
const MAX_GAP_BLOCKS: u32 = 4;
/// Vertices within this distance of the simplified line are dropped.
const SIMPLIFY_M: f64 = 3.0;

/// Columns of `gold/block_points` and `gold/context/streets`.
pub mod columns {
    pub const BLOCK: &str = "block";
    pub const INCIDENTS: &str = "incidents";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
    pub const STREET: &str = "street";
    pub const LABEL: &str = "label";
    pub const FROM_BLOCK: &str = "from_block";
    pub const TO_BLOCK: &str = "to_block";
}

/// A local equirectangular projection about Chicago (metres east and north of the origin):
/// exact enough over a city for distances and medians.
#[derive(Clone, Copy, Debug)]
pub struct Local {
    lat0: f64,
    lon0: f64,
    kx: f64,
}

const EARTH_M: f64 = 6_371_008.8;

impl Default for Local {
    fn default() -> Self {
        Local::at(41.84, -87.68)
    }
}

impl Local {
    /// The projection about a point.
    pub fn at(lat0: f64, lon0: f64) -> Self {
        Local {
            lat0,
            lon0,
            kx: lat0.to_radians().cos(),
        }
    }

    pub fn to_xy(&self, lat: f64, lon: f64) -> DVec2 {
        DVec2::new(
            (lon - self.lon0).to_radians() * EARTH_M * self.kx,
            (lat - self.lat0).to_radians() * EARTH_M,
        )
    }

    pub fn to_lat_lon(&self, p: DVec2) -> (f64, f64) {
        (
            self.lat0 + (p.y / EARTH_M).to_degrees(),
            self.lon0 + (p.x / (EARTH_M * self.kx)).to_degrees(),
        )
    }
}

/// One block's centre over some records.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockPoint {
    pub block: String,
    pub incidents: u32,
    pub lat: f64,
    pub lon: f64,
}

/// The median of `v` (reordered in place; the mean of the middle two for an even count).
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let hi = *hi;
    if n % 2 == 1 {
        return hi;
    }
    // The largest of the lower half is the other middle value.
    let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) * 0.5
}

/// The weighted median of `(value, weight)` pairs: the smallest value at which the cumulative
/// weight reaches half the total.
fn weighted_median(v: &mut [(f64, u32)]) -> f64 {
    v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = v.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut acc = 0u64;
    for (x, w) in v.iter() {
        acc += u64::from(*w);
        if 2 * acc >= total {
            return *x;
        }
    }
    f64::NAN
}

/// Each block's centre in one month: the component-wise median of its geolocated records.
/// Records without coordinates, and blocks without a house number, are left out.
pub fn month_block_points(rows: &MonthRows) -> Vec<BlockPoint> {
    let (lat, lon) = (&rows.lat, &rows.lon);
    let r10 = &rows.cells[rows.cells.len() - 1];
    // Records grouped by block code with one sort, then the medians of each run.
    let mut order: Vec<(u32, f64, f64)> = (0..rows.len())
        .filter(|&i| r10[i] != 0 && lat[i].is_finite() && lon[i].is_finite())
        .map(|i| (rows.block[i], lat[i], lon[i]))
        .collect();
    order.sort_unstable_by_key(|r| r.0);
    let mut out = Vec::new();
    let (mut la, mut lo) = (Vec::new(), Vec::new());
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        let Some(block) = rows.blocks.get(run[0].0 as usize) else {
            continue;
        };
        if block_number(block).is_none() {
            continue;
        }
        la.clear();
        lo.clear();
        la.extend(run.iter().map(|r| r.1));
        lo.extend(run.iter().map(|r| r.2));
        out.push(BlockPoint {
            block: block.clone(),
            incidents: run.len() as u32,
            lat: median(&mut la),
            lon: median(&mut lo),
        });
    }
    // Codes follow the blocks' sorted order, so `out` is sorted by block.
    out
}

/// Each block's centre from a month's Silver file (for lakes built before block points were
/// kept): the same medians as [`month_block_points`], over the records Silver placed in a
/// cell.
pub fn silver_block_points(path: &std::path::Path) -> Result<Vec<BlockPoint>> {
    use hotspot_core::lake::columns::{bronze as b, silver as s};
    let r10 = s::h3(10);
    let df = frame::read_parquet(path, Some(&[b::BLOCK, b::LATITUDE, b::LONGITUDE, &r10]))?;
    let blocks = frame::str_values(&df, b::BLOCK)?;
    let lat = f64_opt(&df, b::LATITUDE, path)?;
    let lon = f64_opt(&df, b::LONGITUDE, path)?;
    let cell = frame::i64_values(&df, &r10)?;
    let mut by_block: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (((block, la), lo), c) in blocks.into_iter().zip(lat).zip(lon).zip(cell) {
        let (Some(block), Some(la), Some(lo), Some(_)) = (block, la, lo, c) else {
            continue;
        };
        if block_number(&block).is_none() {
            continue;
        }
        let e = by_block.entry(block).or_default();
        e.0.push(la);
        e.1.push(lo);
    }
    Ok(by_block
        .into_iter()
        .map(|(block, (mut la, mut lo))| BlockPoint {
            block,
            incidents: la.len() as u32,
            lat: median(&mut la),
            lon: median(&mut lo),
        })
        .collect())
}

/// A month's block points as the `gold/block_points` table.
pub fn block_points_frame(points: &[BlockPoint]) -> Result<DataFrame> {
    use columns as c;
    let mut block = StrColumn::default();
    for p in points {
        block.push(&p.block);
    }
    frame::frame(vec![
        block.into_column(c::BLOCK),
        frame::vec_column::<UInt32Type>(c::INCIDENTS, points.iter().map(|p| p.incidents).collect()),
        frame::vec_column::<Float64Type>(c::LAT, points.iter().map(|p| p.lat).collect()),
        frame::vec_column::<Float64Type>(c::LON, points.iter().map(|p| p.lon).collect()),
    ])
}

/// Reads a month's block points back.
pub fn block_points_from_frame(df: &DataFrame, path: &std::path::Path) -> Result<Vec<BlockPoint>> {
    use columns as c;
    let blocks = frame::str_values(df, c::BLOCK)?;
    let n = frame::i64_values(df, c::INCIDENTS)?;
    let lat = f64_opt(df, c::LAT, path)?;
    let lon = f64_opt(df, c::LON, path)?;
    let bad = |what: &str| PipelineError::Schema {
        path: path.to_path_buf(),
        column: "block points".into(),
        detail: what.into(),
    };
    blocks
        .into_iter()
        .zip(n)
        .zip(lat.into_iter().zip(lon))
        .map(|((b, n), (la, lo))| {
            Ok(BlockPoint {
                block: b.ok_or_else(|| bad("a null block"))?,
                incidents: n
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| bad("a bad count"))?,
                lat: la.ok_or_else(|| bad("a null latitude"))?,
                lon: lo.ok_or_else(|| bad("a null longitude"))?,
            })
        })
        .collect()
}

/// Block centres over many months: per block, the incident-weighted median of its monthly
/// centres (robust to a month of stray coordinates), and the summed count.
#[derive(Default)]
pub struct AllBlocks {
    parts: FastMap<String, Vec<(f64, f64, u32)>>,
}

impl AllBlocks {
    pub fn add(&mut self, month: Vec<BlockPoint>) {
        for p in month {
            self.parts
                .entry(p.block)
                .or_default()
                .push((p.lat, p.lon, p.incidents));
        }
    }

    /// Every block's centre.
    pub fn centres(&self) -> Vec<BlockPoint> {
        let mut out: Vec<BlockPoint> = self
            .parts
            .iter()
            .map(|(block, parts)| {
                let mut la: Vec<(f64, u32)> = parts.iter().map(|p| (p.0, p.2)).collect();
                let mut lo: Vec<(f64, u32)> = parts.iter().map(|p| (p.1, p.2)).collect();
                BlockPoint {
                    block: block.clone(),
                    incidents: parts.iter().map(|p| p.2).sum(),
                    lat: weighted_median(&mut la),
                    lon: weighted_median(&mut lo),
                }
            })
            .collect();
        out.sort_unstable_by(|a, b| a.block.cmp(&b.block));
        out
    }
}

/// One polyline of a street.
#[derive(Clone, Debug, PartialEq)]
pub struct StreetLine {
    /// Normalised like Silver's `street`: `W MADISON ST`.
    pub street: String,
    /// As people write it: `W Madison St`.
    pub label: String,
    /// House numbers of its first and last block (`1200`).
    pub from_block: u32,
    pub to_block: u32,
    pub incidents: u64,
    /// Vertices, in block order, as (latitude, longitude).
    pub points: Vec<(f64, f64)>,
}

/// The axis a street runs along on the grid, from its direction prefix: north–south for N/S,
/// east–west for E/W; `None` for anything else.
fn grid_axis(street: &str) -> Option<DVec2> {
    match street.split_whitespace().next() {
        Some("N" | "S") => Some(DVec2::Y),
        Some("E" | "W") => Some(DVec2::X),
        _ => None,
    }
}

/// Whether blocks `gap` numbers-of-100 apart, `d` metres apart, lie on one stretch of street.
fn adjacent(gap: u32, d: f64) -> bool {
    (1..=MAX_GAP_BLOCKS).contains(&gap) && d <= 1.6 * f64::from(gap) * BLOCK_M + 60.0
}

/// Douglas–Peucker: the indices of `p` to keep (both ends always).
fn simplify(p: &[DVec2], tolerance: f64) -> Vec<DVec2> {
    fn dist(p: DVec2, a: DVec2, b: DVec2) -> f64 {
        let ab = b - a;
        let len2 = ab.length_squared();
        if len2 == 0.0 {
            return (p - a).length();
        }
        let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
        (p - (a + ab * t)).length()
    }
    fn rec(p: &[DVec2], lo: usize, hi: usize, tol: f64, keep: &mut [bool]) {
        if hi <= lo + 1 {
            return;
        }
        let (mut best, mut at) = (0.0, lo);
        for i in lo + 1..hi {
            let d = dist(p[i], p[lo], p[hi]);
            if d > best {
                (best, at) = (d, i);
            }
        }
        if best > tol {
            keep[at] = true;
            rec(p, lo, at, tol, keep);
            rec(p, at, hi, tol, keep);
        }
    }
    if p.len() <= 2 {
        return p.to_vec();
    }
    let mut keep = vec![false; p.len()];
    keep[0] = true;
    keep[p.len() - 1] = true;
    rec(p, 0, p.len() - 1, tolerance, &mut keep);
    p.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(v, _)| *v)
        .collect()
}

/// The polylines of every street from its blocks' centres (see the module docs).
pub fn street_lines(blocks: &[BlockPoint]) -> Vec<StreetLine> {
    let local = Local::default();
    let mut by_street: BTreeMap<String, Vec<(u32, DVec2, u32)>> = BTreeMap::new();
    for b in blocks {
        let Some(number) = block_number(&b.block) else {
            continue;
        };
        if !b.lat.is_finite() || !b.lon.is_finite() {
            continue;
        }
        let street = street_of_block(&b.block);
        if street.is_empty() {
            continue;
        }
        by_street
            .entry(street)
            .or_default()
            .push((number, local.to_xy(b.lat, b.lon), b.incidents));
    }
    let mut out = Vec::new();
    for (street, mut list) in by_street {
        list.sort_unstable_by_key(|b| b.0);
        // The same block number twice (spelling variants normalise together): keep the
        // busier one.
        list.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                if later.2 > kept.2 {
                    (kept.1, kept.2) = (later.1, later.2);
                }
                true
            } else {
                false
            }
        });
        let label = pretty_block(&street);
        let axis = grid_axis(&street);
        let mut run: Vec<(u32, DVec2, u32)> = Vec::new();
        let mut flush = |run: &mut Vec<(u32, DVec2, u32)>| {
            if run.is_empty() {
                return;
            }
            let pts: Vec<DVec2> = run.iter().map(|b| b.1).collect();
            let half = BLOCK_M * 0.5;
            let mut line: Vec<DVec2> = Vec::with_capacity(pts.len() + 2);
            if pts.len() == 1 {
                // A lone block: a block-long segment along the grid axis, if the street has one.
                if let Some(ax) = axis {
                    line.push(pts[0] - ax * half);
                    line.push(pts[0] + ax * half);
                } else {
                    line.push(pts[0]);
                }
            } else {
                let start = (pts[0] - pts[1]).normalize_or_zero();
                let end = (pts[pts.len() - 1] - pts[pts.len() - 2]).normalize_or_zero();
                line.push(pts[0] + start * half);
                line.extend(&pts);
                line.push(pts[pts.len() - 1] + end * half);
            }
            let line = simplify(&line, SIMPLIFY_M);
            out.push(StreetLine {
                street: street.clone(),
                label: label.clone(),
                from_block: run[0].0,
                to_block: run[run.len() - 1].0,
                incidents: run.iter().map(|b| u64::from(b.2)).sum(),
                points: line.iter().map(|p| local.to_lat_lon(*p)).collect(),
            });
            run.clear();
        };
        for b in list {
            if let Some(last) = run.last() {
                let gap = (b.0 - last.0) / 100;
                if !adjacent(gap, (b.1 - last.1).length()) {
                    flush(&mut run);
                }
            }
            run.push(b);
        }
        flush(&mut run);
    }
    out
}

/// The polylines as the `gold/context/streets` table (vertex lists as `list<f64>`).
pub fn streets_frame(lines: &[StreetLine]) -> Result<DataFrame> {
    use columns as c;
    let mut street = StrColumn::default();
    let mut label = StrColumn::default();
    for l in lines {
        street.push(&l.street);
        label.push(&l.label);
    }
    let list = |name: &str, f: fn(&(f64, f64)) -> f64| {
        let series: Vec<Series> = lines
            .iter()
            .map(|l| Series::new("".into(), l.points.iter().map(f).collect::<Vec<f64>>()))
            .collect();
        Column::new(name.into(), series)
    };
    frame::frame(vec![
        street.into_column(c::STREET),
        label.into_column(c::LABEL),
        frame::vec_column::<UInt32Type>(
            c::FROM_BLOCK,
            lines.iter().map(|l| l.from_block).collect(),
        ),
        frame::vec_column::<UInt32Type>(c::TO_BLOCK, lines.iter().map(|l| l.to_block).collect()),
        frame::vec_column::<UInt64Type>(c::INCIDENTS, lines.iter().map(|l| l.incidents).collect()),
        list(c::LAT, |p| p.0),
        list(c::LON, |p| p.1),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(block: &str, n: u32, p: DVec2) -> BlockPoint {
        let (lat, lon) = Local::default().to_lat_lon(p);
        BlockPoint {
            block: block.into(),
            incidents: n,
            lat,
            lon,
        }
    }

    #[test]
    fn medians_by_hand() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
        // Weights 1, 1, 5: the heavy value is the median; 2, 1, 1: the light ones are not.
        assert_eq!(weighted_median(&mut [(1.0, 1), (9.0, 5), (2.0, 1)]), 9.0);
        assert_eq!(weighted_median(&mut [(1.0, 2), (9.0, 1), (2.0, 1)]), 1.0);
    }

    #[test]
    fn the_projection_round_trips_and_measures_metres() {
        let l = Local::default();
        let p = l.to_xy(41.8819, -87.6278); // State and Madison
        let (lat, lon) = l.to_lat_lon(p);
        assert!((lat - 41.8819).abs() < 1e-12 && (lon + 87.6278).abs() < 1e-12);
        // One degree of latitude is 111.2 km; a mile of State St north is 1609 m.
        let a = l.to_xy(41.0, -87.68);
        let b = l.to_xy(42.0, -87.68);
        assert!(((b - a).length() - 111_195.0).abs() < 5.0);
    }

    #[test]
    fn blocks_join_where_adjacent_and_split_where_not() {
        let y = |blocks: f64| DVec2::new(0.0, blocks * BLOCK_M);
        let centres = vec![
            bp("000XX N STATE ST", 10, y(0.5)),
            bp("001XX N STATE ST", 10, y(1.5) + DVec2::new(4.0, 0.0)),
            bp("002XX N STATE ST", 10, y(2.5)),
            // Two blocks missing: still one stretch.
            bp("005XX N STATE ST", 10, y(5.5)),
            // Numbers continue but the point is 3 km away: a different stretch.
            bp("006XX N STATE ST", 10, y(21.5)),
            // A lone E/W block becomes a block-long east–west segment.
            bp("012XX W MADISON ST", 7, DVec2::new(-2500.0, 0.0)),
        ];
        let lines = street_lines(&centres);
        assert_eq!(lines.len(), 3);
        // Streets in name order, each street's stretches in block order.
        let madison = &lines[2];
        assert_eq!(
            (madison.street.as_str(), madison.label.as_str()),
            ("W MADISON ST", "W Madison St")
        );
        let l = Local::default();
        let ends: Vec<DVec2> = madison.points.iter().map(|p| l.to_xy(p.0, p.1)).collect();
        assert_eq!(ends.len(), 2);
        assert!((ends[0] - DVec2::new(-2500.0 - BLOCK_M / 2.0, 0.0)).length() < 0.01);
        assert!((ends[1] - DVec2::new(-2500.0 + BLOCK_M / 2.0, 0.0)).length() < 0.01);
        let state = &lines[0];
        assert_eq!(
            (state.from_block, state.to_block, state.incidents),
            (0, 500, 40)
        );
        let pts: Vec<DVec2> = state.points.iter().map(|p| l.to_xy(p.0, p.1)).collect();
        // Extended half a block past both end blocks, along the end segments (the first one
        // leans 4 m over a block, so its extension lands 2 m off the axis); the 4 m kink
        // survives 3 m simplification.
        assert!(
            (pts[0] - DVec2::new(-2.0, 0.0)).length() < 0.05,
            "{:?}",
            pts[0]
        );
        assert!((pts[pts.len() - 1] - y(6.0)).length() < 0.01);
        assert!(pts.iter().any(|p| (p.x - 4.0).abs() < 0.01));
        let far = &lines[1];
        assert_eq!((far.from_block, far.to_block), (600, 600));
    }

    #[test]
    fn collinear_vertices_are_dropped() {
        let p: Vec<DVec2> = (0..5)
            .map(|i| DVec2::new(f64::from(i) * 100.0, 0.5))
            .collect();
        assert_eq!(simplify(&p, 3.0), vec![p[0], p[4]]);
        let bent = vec![DVec2::ZERO, DVec2::new(50.0, 10.0), DVec2::new(100.0, 0.0)];
        assert_eq!(simplify(&bent, 3.0).len(), 3);
    }
}
