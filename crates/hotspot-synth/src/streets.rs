//! Snapping points onto the street catalogue, at block midpoints.

use crate::grid::{AddressGrid, Axis, M_PER_DEG_LAT, M_PER_DEG_LON};
use crate::model::Street;
use crate::rng::Rng;

/// Side of a lookup bucket, degrees.
const BUCKET_DEG: f64 = 0.004;
/// How far beyond its observed extent a street may be used (about one block).
pub const EXTENT_MARGIN: f64 = 0.0015;
/// Candidate streets farther than this from the point are ignored, metres.
const MAX_DISTANCE_M: f64 = 450.0;
/// Distance scale of the preference for near streets, metres.
const NEAR_M: f64 = 60.0;
/// Positions within a block (address offsets from the hundred) an incident may sit at, so
/// incidents of one block share a handful of coordinates as in the real data.
const SLOTS: [u32; 5] = [20, 35, 50, 65, 80];
/// Offset across the street for the two sides of a block, degrees (about 2 m).
const SIDE_OFFSET: f64 = 0.00002;

/// A street ready for snapping.
pub(crate) struct Line {
    pub axis: Axis,
    pub fixed: f64,
    pub pivot: f64,
    pub slope: f64,
    pub lo: f64,
    pub hi: f64,
    /// Preference for busy streets: √(1 + incidents).
    pub weight: f64,
    /// 1 / √(1 + slope²) in metric units: turns a cross-axis offset into a distance.
    pub perpendicular: f64,
    /// The name without its direction letter: `95TH ST`.
    pub body: String,
}

impl Line {
    fn new(s: &Street) -> Self {
        let metric_slope = match s.axis {
            Axis::NorthSouth => s.slope * M_PER_DEG_LON / M_PER_DEG_LAT,
            Axis::EastWest => s.slope * M_PER_DEG_LAT / M_PER_DEG_LON,
        };
        let body = s.name.split_once(' ').map_or("", |(_, b)| b).to_string();
        Line {
            axis: s.axis,
            fixed: s.fixed,
            pivot: s.pivot,
            slope: s.slope,
            lo: s.min - EXTENT_MARGIN,
            hi: s.max + EXTENT_MARGIN,
            weight: (1.0 + s.count as f64).sqrt(),
            perpendicular: 1.0 / (1.0 + metric_slope * metric_slope).sqrt(),
            body,
        }
    }

    /// The cross coordinate at `along`.
    pub fn cross_at(&self, along: f64) -> f64 {
        self.fixed + self.slope * (along - self.pivot)
    }

    /// `(lat, lon)` of the point at `along` (plus `cross_offset` across the street).
    pub fn point(&self, along: f64, cross_offset: f64) -> (f64, f64) {
        let cross = self.cross_at(along) + cross_offset;
        match self.axis {
            Axis::NorthSouth => (along, cross),
            Axis::EastWest => (cross, along),
        }
    }

    /// `(along, cross)` coordinates of a point.
    fn split(&self, lat: f64, lon: f64) -> (f64, f64) {
        match self.axis {
            Axis::NorthSouth => (lat, lon),
            Axis::EastWest => (lon, lat),
        }
    }

    /// Distance in metres from a point to the line, ignoring the extent.
    fn distance_m(&self, lat: f64, lon: f64) -> f64 {
        let (along, cross) = self.split(lat, lon);
        let scale = match self.axis {
            Axis::NorthSouth => M_PER_DEG_LON,
            Axis::EastWest => M_PER_DEG_LAT,
        };
        (cross - self.cross_at(along)).abs() * scale * self.perpendicular
    }
}

/// Where a generated incident ends up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Snapped {
    pub street: u32,
    pub hundred: u32,
    pub direction: char,
    pub lat: f64,
    pub lon: f64,
}

/// The catalogue with a bucket grid for finding streets near a point.
pub(crate) struct StreetIndex {
    pub lines: Vec<Line>,
    lat0: f64,
    lon0: f64,
    nx: usize,
    ny: usize,
    buckets: Vec<Vec<u32>>,
}

impl StreetIndex {
    pub fn new(streets: &[Street]) -> Self {
        let lines: Vec<Line> = streets.iter().map(Line::new).collect();
        let (mut lat_lo, mut lat_hi, mut lon_lo, mut lon_hi) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        let sample_points = |l: &Line, f: &mut dyn FnMut(f64, f64)| {
            let steps = ((l.hi - l.lo) / (BUCKET_DEG / 2.0)).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let along = l.lo + (l.hi - l.lo) * k as f64 / steps as f64;
                let (lat, lon) = l.point(along, 0.0);
                f(lat, lon);
            }
        };
        for l in &lines {
            sample_points(l, &mut |lat, lon| {
                lat_lo = lat_lo.min(lat);
                lat_hi = lat_hi.max(lat);
                lon_lo = lon_lo.min(lon);
                lon_hi = lon_hi.max(lon);
            });
        }
        if !lat_lo.is_finite() {
            return StreetIndex {
                lines,
                lat0: 0.0,
                lon0: 0.0,
                nx: 0,
                ny: 0,
                buckets: Vec::new(),
            };
        }
        let lat0 = lat_lo - 2.0 * BUCKET_DEG;
        let lon0 = lon_lo - 2.0 * BUCKET_DEG;
        let ny = ((lat_hi - lat0) / BUCKET_DEG).ceil() as usize + 3;
        let nx = ((lon_hi - lon0) / BUCKET_DEG).ceil() as usize + 3;
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); nx * ny];
        for (i, l) in lines.iter().enumerate() {
            sample_points(l, &mut |lat, lon| {
                let iy = ((lat - lat0) / BUCKET_DEG) as usize;
                let ix = ((lon - lon0) / BUCKET_DEG) as usize;
                for y in iy.saturating_sub(1)..=(iy + 1).min(ny - 1) {
                    for x in ix.saturating_sub(1)..=(ix + 1).min(nx - 1) {
                        let b = &mut buckets[y * nx + x];
                        if b.last() != Some(&(i as u32)) {
                            b.push(i as u32);
                        }
                    }
                }
            });
        }
        for b in &mut buckets {
            b.sort_unstable();
            b.dedup();
        }
        StreetIndex {
            lines,
            lat0,
            lon0,
            nx,
            ny,
            buckets,
        }
    }

    fn bucket(&self, lat: f64, lon: f64) -> &[u32] {
        let fy = (lat - self.lat0) / BUCKET_DEG;
        let fx = (lon - self.lon0) / BUCKET_DEG;
        if !(fx >= 0.0 && fy >= 0.0) {
            return &[];
        }
        let (ix, iy) = (fx as usize, fy as usize);
        if ix >= self.nx || iy >= self.ny {
            return &[];
        }
        &self.buckets[iy * self.nx + ix]
    }

    /// Chooses a street near `(lat, lon)` (nearer and busier streets are likelier) and
    /// places the point at one of its block's address slots. `None` when no catalogue street
    /// runs within reach.
    pub fn snap(
        &self,
        grid: &AddressGrid,
        lat: f64,
        lon: f64,
        rng: &mut Rng,
        scratch: &mut Vec<(u32, f64)>,
    ) -> Option<Snapped> {
        scratch.clear();
        let mut total = 0.0;
        for &i in self.bucket(lat, lon) {
            let l = &self.lines[i as usize];
            let (along, _) = l.split(lat, lon);
            if along < l.lo || along > l.hi {
                continue;
            }
            let d = l.distance_m(lat, lon);
            if d > MAX_DISTANCE_M {
                continue;
            }
            let q = 1.0 + (d / NEAR_M) * (d / NEAR_M);
            let w = l.weight / (q * q);
            total += w;
            scratch.push((i, total));
        }
        if scratch.is_empty() || total <= 0.0 {
            return None;
        }
        let u = rng.f64() * total;
        let pick = scratch
            .iter()
            .find(|&&(_, c)| u < c)
            .or(scratch.last())
            .map(|&(i, _)| i)?;
        Some(self.place(pick, grid, lat, lon))
    }

    /// The street nearest to a point, by a full scan (the rare fallback).
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<u32> {
        let mut best: Option<(u32, f64)> = None;
        for (i, l) in self.lines.iter().enumerate() {
            let (along, _) = l.split(lat, lon);
            let clamped = along.clamp(l.lo, l.hi);
            let (plat, plon) = l.point(clamped, 0.0);
            let (dy, dx) = ((plat - lat) * M_PER_DEG_LAT, (plon - lon) * M_PER_DEG_LON);
            let d = dy * dy + dx * dx;
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((i as u32, d));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Places a point on street `street` near `(lat, lon)`: the block containing the point's
    /// along coordinate and the address slot nearest to it.
    pub fn place(&self, street: u32, grid: &AddressGrid, lat: f64, lon: f64) -> Snapped {
        let l = &self.lines[street as usize];
        let (along, _) = l.split(lat, lon);
        let along = along.clamp(l.lo, l.hi);
        let number = grid.number_at(l.axis, along);
        let positive = number >= 0.0;
        let hundred = ((number.abs() / 100.0).floor() as u32).min(999);
        // The address slot nearest to the point's own position within the block.
        let within = number.abs() - f64::from(hundred * 100);
        let (k, slot) = SLOTS
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| {
                (f64::from(a.1) - within)
                    .abs()
                    .total_cmp(&(f64::from(b.1) - within).abs())
            })
            .unwrap_or((2, 50));
        let magnitude = f64::from(hundred * 100 + slot);
        let at = grid.coord_of(l.axis, if positive { magnitude } else { -magnitude });
        // Alternate slots sit on alternate sides of the street (odd and even house numbers).
        let side = if k % 2 == 0 {
            SIDE_OFFSET
        } else {
            -SIDE_OFFSET
        };
        let (plat, plon) = l.point(at, side);
        Snapped {
            street,
            hundred,
            direction: l.axis.direction(positive),
            lat: plat,
            lon: plon,
        }
    }
}
