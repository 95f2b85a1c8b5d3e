//! Robust fits from incident coordinates: each street's line, the address-grid calibration and
//! the state-plane projection. Results are rounded so the model file stays stable and small.

use std::collections::BTreeMap;

use crate::SynthError;
use crate::grid::Axis;

use super::{StatePlaneFit, Street};

/// Width in degrees of the bins the address-grid calibration is measured in.
const GRID_BIN_DEG: f64 = 0.01;
/// A calibration bin needs this many blocks to become a knot.
const GRID_MIN_BLOCKS: usize = 5;

/// Fits a street's line (see [`Street`]) robustly: a slope through the median point, points
/// far off the line (mis-geocoded incidents) dropped before measuring the extent.
pub(super) fn fit_street(name: String, axis: Axis, pts: &mut [[f64; 2]]) -> Street {
    let count = pts.len() as u64;
    let mut along: Vec<f64> = pts.iter().map(|p| p[0]).collect();
    let mut cross: Vec<f64> = pts.iter().map(|p| p[1]).collect();
    let pivot = median(&mut along);
    let fixed = median(&mut cross);
    let slope_through = |pts: &[[f64; 2]], keep: &dyn Fn(&[f64; 2]) -> bool| {
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for p in pts.iter().filter(|p| keep(p)) {
            let (a, c) = (p[0] - pivot, p[1] - fixed);
            sxx += a * a;
            sxy += a * c;
        }
        if sxx > 0.0 { sxy / sxx } else { 0.0 }
    };
    let lo = along.first().copied().unwrap_or(pivot);
    let hi = along.last().copied().unwrap_or(pivot);
    let mut slope = 0.0;
    let mut threshold = 0.003;
    if pts.len() >= 4 && hi - lo >= 0.004 {
        let s1 = slope_through(pts, &|_| true);
        let mut resid: Vec<f64> = pts
            .iter()
            .map(|p| (p[1] - fixed - s1 * (p[0] - pivot)).abs())
            .collect();
        let mad = median(&mut resid);
        let thr = (3.0 * mad).max(0.0015);
        let s2 = slope_through(pts, &|p| (p[1] - fixed - s1 * (p[0] - pivot)).abs() <= thr);
        slope = s2.clamp(-3.0, 3.0);
        if slope.abs() < 0.002 {
            slope = 0.0;
        }
        threshold = thr.max(0.0015);
    }
    let slope = round_to(slope, 4);
    let inliers = pts
        .iter()
        .filter(|p| (p[1] - fixed - slope * (p[0] - pivot)).abs() <= threshold);
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in inliers {
        min = min.min(p[0]);
        max = max.max(p[0]);
    }
    if min > max {
        (min, max) = (pivot, pivot);
    }
    Street {
        name,
        axis,
        fixed: round_to(fixed, 6),
        pivot: round_to(pivot, 6),
        slope,
        min: round_to(min, 6),
        max: round_to(max, 6),
        count,
    }
}

/// Calibration knots from `[offset, signed number]` samples: the median of each
/// [`GRID_BIN_DEG`] bin with enough blocks, anchored at the origin and kept strictly
/// monotone outwards from it.
pub(super) fn grid_knots(samples: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let mut bins: BTreeMap<i64, Vec<[f64; 2]>> = BTreeMap::new();
    for s in samples {
        bins.entry((s[0] / GRID_BIN_DEG).floor() as i64)
            .or_default()
            .push(s);
    }
    let mut knots: Vec<[f64; 2]> = Vec::new();
    for (_, entries) in bins {
        if entries.len() < GRID_MIN_BLOCKS {
            continue;
        }
        let mut offsets: Vec<f64> = entries.iter().map(|e| e[0]).collect();
        let mut numbers: Vec<f64> = entries.iter().map(|e| e[1]).collect();
        knots.push([
            round_to(median(&mut offsets), 5),
            median(&mut numbers).round(),
        ]);
    }
    let mut positive: Vec<[f64; 2]> = Vec::new();
    let mut last = [0.0, 0.0];
    for k in knots.iter().filter(|k| k[0] > 0.0) {
        if k[0] > last[0] && k[1] > last[1] {
            positive.push(*k);
            last = *k;
        }
    }
    let mut negative: Vec<[f64; 2]> = Vec::new();
    last = [0.0, 0.0];
    for k in knots.iter().rev().filter(|k| k[0] < 0.0) {
        if k[0] < last[0] && k[1] < last[1] {
            negative.push(*k);
            last = *k;
        }
    }
    negative.reverse();
    negative.push([0.0, 0.0]);
    negative.extend(positive);
    negative
}

pub(super) fn fit_state_plane(rows: &[[f64; 4]]) -> Result<StatePlaneFit, SynthError> {
    if rows.len() < 3 {
        return Err(SynthError::NotEnoughData(
            "fewer than 3 rows with both coordinates and state-plane X/Y".into(),
        ));
    }
    let n = rows.len() as f64;
    let mut mean = [0.0f64; 4];
    for r in rows {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= n;
    }
    let (mut saa, mut sab, mut sbb, mut sax, mut sbx, mut say, mut sby) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for r in rows {
        let (a, b, x, y) = (
            r[0] - mean[0],
            r[1] - mean[1],
            r[2] - mean[2],
            r[3] - mean[3],
        );
        saa += a * a;
        sab += a * b;
        sbb += b * b;
        sax += a * x;
        sbx += b * x;
        say += a * y;
        sby += b * y;
    }
    let det = saa * sbb - sab * sab;
    if det.abs() <= f64::EPSILON * saa * sbb || det == 0.0 {
        return Err(SynthError::NotEnoughData(
            "state-plane fit is degenerate".into(),
        ));
    }
    let x_lat = (sax * sbb - sbx * sab) / det;
    let x_lon = (sbx * saa - sax * sab) / det;
    let y_lat = (say * sbb - sby * sab) / det;
    let y_lon = (sby * saa - say * sab) / det;
    let lat0 = round_to(mean[0], 6);
    let lon0 = round_to(mean[1], 6);
    let x0 = mean[2] + x_lat * (lat0 - mean[0]) + x_lon * (lon0 - mean[1]);
    let y0 = mean[3] + y_lat * (lat0 - mean[0]) + y_lon * (lon0 - mean[1]);
    Ok(StatePlaneFit {
        lat0,
        lon0,
        x0: round_to(x0, 2),
        y0: round_to(y0, 2),
        x_lat: round_to(x_lat, 2),
        x_lon: round_to(x_lon, 2),
        y_lat: round_to(y_lat, 2),
        y_lon: round_to(y_lon, 2),
    })
}

pub(super) fn round_to(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let r = (v * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

fn median(values: &mut [f64]) -> f64 {
    hotspot_core::stats::median(values).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::AddressGrid;

    #[test]
    fn rounding() {
        assert_eq!(round_to(41.8819994, 6), 41.881999);
        assert_eq!(round_to(-0.00000001, 6), 0.0);
    }

    #[test]
    fn straight_and_diagonal_streets() {
        let mut straight: Vec<[f64; 2]> = (0..20)
            .map(|i| {
                [
                    41.80 + f64::from(i) * 0.002,
                    -87.65 + f64::from(i % 2) * 1e-5,
                ]
            })
            .collect();
        straight.push([41.85, -87.60]); // mis-geocoded: far off the line, not in the extent
        let s = fit_street("S HALSTED ST".into(), Axis::NorthSouth, &mut straight);
        assert_eq!(s.slope, 0.0);
        assert!((s.fixed + 87.65).abs() < 1e-4);
        assert!((s.max - 41.838).abs() < 1e-9, "{}", s.max);
        let mut diagonal: Vec<[f64; 2]> = (0..20)
            .map(|i| [41.90 + f64::from(i) * 0.004, -87.68 - f64::from(i) * 0.005])
            .collect();
        let d = fit_street("N MILWAUKEE AVE".into(), Axis::NorthSouth, &mut diagonal);
        assert!((d.slope + 1.25).abs() < 1e-3, "{}", d.slope);
    }

    #[test]
    fn grid_knots_are_monotone_and_anchored() {
        let mut samples = Vec::new();
        for i in -30..30 {
            let off = f64::from(i) * 0.0033 + 0.001;
            let number = off * 55_000.0 + if off < -0.02 { -500.0 } else { 0.0 };
            for _ in 0..6 {
                samples.push([off, (number / 100.0).floor() * 100.0 + 50.0]);
            }
        }
        samples.push([0.05, -9000.0]); // noise inside a bin does not break monotonicity
        let knots = grid_knots(samples);
        let g = AddressGrid {
            north_south: knots.clone(),
            east_west: vec![],
        };
        g.validate().expect("monotone");
        assert!(knots.contains(&[0.0, 0.0]));
        assert!(knots.len() > 10);
    }
}
