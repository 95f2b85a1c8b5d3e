//! How many rows each day of the range gets, and where the id and case-number series start, so
//! that days can then be generated independently and still add up to exactly the rows asked for.

use std::collections::HashMap;

use hotspot_core::time;

use crate::SynthError;

use super::ids::{HOMICIDE_ANCHOR, HOMICIDE_PER_10_DAYS, ID_ANCHOR, ID_PER_DAY};
use super::prepare::Prepared;
use super::{GenerateOptions, MAX_ROWS, UPDATE_HORIZON_DAYS};

// ---------------------------------------------------------------------------------------------
// Documented assumptions. The sample covers two weeks, so season and long-term trend cannot be
// measured from it; these constants describe Chicago's published crime volumes.
// ---------------------------------------------------------------------------------------------

/// Incidents per year in the "Crimes – 2001 to Present" dataset (rounded to thousands): about
/// 486k in 2001 falling to about 260k by 2019, a dip in 2020–21, back to ~260k by 2023–24. Used
/// only as a relative weight across years; years before 2001 use 2001's value and years after
/// 2024 use 2024's.
pub const YEARLY_VOLUME: [(i32, u32); 24] = [
    (2001, 486_000),
    (2002, 487_000),
    (2003, 476_000),
    (2004, 469_000),
    (2005, 454_000),
    (2006, 448_000),
    (2007, 437_000),
    (2008, 427_000),
    (2009, 393_000),
    (2010, 371_000),
    (2011, 352_000),
    (2012, 336_000),
    (2013, 308_000),
    (2014, 276_000),
    (2015, 265_000),
    (2016, 270_000),
    (2017, 269_000),
    (2018, 269_000),
    (2019, 261_000),
    (2020, 212_000),
    (2021, 209_000),
    (2022, 239_000),
    (2023, 262_000),
    (2024, 258_000),
];

/// Relative incidents per day by month (January first): the summer peak about +20 %, the
/// February trough about −20 %. Interpolated linearly between mid-month values, so there are
/// no steps at month boundaries.
pub const MONTHLY_SEASON: [f64; 12] = [
    0.90, 0.80, 0.93, 0.96, 1.06, 1.12, 1.20, 1.18, 1.08, 1.04, 0.94, 0.89,
];

pub(super) struct Plan {
    /// `(day number, rows)` for every day of the range.
    pub(super) days: Vec<(i32, u64)>,
    /// Latest Updated On, microseconds.
    pub(super) cap: i64,
    pub(super) id_start: i64,
    pub(super) id_max_gap: u64,
    pub(super) homicide_start: i64,
    /// Case-number serial of the first row of the first year.
    pub(super) case_start: u64,
    /// Largest case-number step per year.
    pub(super) case_max_gap: HashMap<i32, u64>,
}

/// Relative volume of `year`.
fn yearly_volume(year: i32) -> f64 {
    let first = YEARLY_VOLUME[0];
    let last = YEARLY_VOLUME[YEARLY_VOLUME.len() - 1];
    let v = if year <= first.0 {
        first.1
    } else if year >= last.0 {
        last.1
    } else {
        YEARLY_VOLUME
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(last.1, |&(_, v)| v)
    };
    f64::from(v)
}

/// Seasonal multiplier of a day, interpolated between mid-month values.
fn season(day: i32) -> f64 {
    let (y, m, d) = time::civil_from_days(day);
    let len = f64::from(time::days_in_month(y, m).max(1));
    // Position in months where k.0 is the middle of month k (0 = January).
    let x = f64::from(m - 1) + (f64::from(d) - 0.5) / len - 0.5;
    let i0 = x.floor();
    let t = x - i0;
    let a = MONTHLY_SEASON[(i0 as i64).rem_euclid(12) as usize];
    let b = MONTHLY_SEASON[(i0 as i64 + 1).rem_euclid(12) as usize];
    a + t * (b - a)
}

fn days_in_year(year: i32) -> f64 {
    if time::is_leap_year(year) {
        366.0
    } else {
        365.0
    }
}

/// Splits `total` over `weights` exactly (largest remainder; ties to the earlier entry).
fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    let shares: Vec<f64> = if sum > 0.0 && sum.is_finite() {
        weights.iter().map(|w| total as f64 * w / sum).collect()
    } else {
        vec![total as f64 / weights.len() as f64; weights.len()]
    };
    let mut out: Vec<u64> = shares.iter().map(|s| s.floor() as u64).collect();
    let assigned: u64 = out.iter().sum();
    let mut left = total.saturating_sub(assigned);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (shares[b] - shares[b].floor())
            .total_cmp(&(shares[a] - shares[a].floor()))
            .then(a.cmp(&b))
    });
    let mut k = 0;
    while left > 0 {
        out[order[k % order.len()]] += 1;
        left -= 1;
        k += 1;
    }
    out
}

impl Plan {
    pub(super) fn new(prep: &Prepared<'_>, opts: &GenerateOptions) -> Result<Plan, SynthError> {
        if opts.from > opts.to {
            return Err(SynthError::InvalidOptions(format!(
                "from ({}) is after to ({})",
                opts.from, opts.to
            )));
        }
        if opts.rows > MAX_ROWS {
            return Err(SynthError::InvalidOptions(format!(
                "at most {MAX_ROWS} rows (ids must keep 8 digits), asked for {}",
                opts.rows
            )));
        }
        let first = time::day_number(opts.from);
        let last = time::day_number(opts.to);
        let weekdays = &prep.model.time.weekdays;
        let weights: Vec<f64> = (first..=last)
            .map(|day| {
                let (y, _, _) = time::civil_from_days(day);
                let wd = weekdays
                    .get(time::weekday_monday0(day) as usize)
                    .copied()
                    .unwrap_or(1.0);
                yearly_volume(y) / days_in_year(y) * season(day) * wd.max(0.0)
            })
            .collect();
        let quotas = largest_remainder(opts.rows, &weights);
        let days: Vec<(i32, u64)> = (first..=last).zip(quotas).collect();

        let anchor = time::days_from_civil(2024, 9, 1);
        let rows = opts.rows.max(1) as i64;
        let mut id_start =
            (ID_ANCHOR + i64::from(first - anchor) * ID_PER_DAY).clamp(10_000_000, 99_999_999);
        if 99_999_999 - id_start < rows {
            id_start = (99_999_999 - rows).max(10_000_000);
        }
        let id_max_gap = ((99_999_999 - id_start) / rows).clamp(1, 3) as u64;
        let homicide_start = (HOMICIDE_ANCHOR
            + i64::from(first - anchor) * HOMICIDE_PER_10_DAYS / 10)
            .clamp(10_000, 90_000);

        let mut per_year: HashMap<i32, (u64, u64)> = HashMap::new();
        for &(day, n) in &days {
            let (y, _, _) = time::civil_from_days(day);
            let e = per_year.entry(y).or_default();
            e.0 += n;
            e.1 += 1;
        }
        let case_max_gap = per_year
            .into_iter()
            .map(|(y, (n, covered))| {
                let full_year = n as f64 * days_in_year(y) / covered.max(1) as f64;
                let gap = (1_200_000.0 / full_year.max(1.0)).floor().clamp(1.0, 4.0) as u64;
                (y, gap)
            })
            .collect();
        let (fy, _, _) = time::civil_from_days(first);
        let into_year = f64::from(first - time::days_from_civil(fy, 1, 1)) / days_in_year(fy);
        Ok(Plan {
            days,
            cap: i64::from(last + UPDATE_HORIZON_DAYS) * time::MICROS_PER_DAY,
            id_start,
            id_max_gap,
            homicide_start,
            case_start: (into_year * 450_000.0) as u64,
            case_max_gap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_is_exact() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(
            largest_remainder(7, &[0.0, 2.0, 1.0]).iter().sum::<u64>(),
            7
        );
        assert_eq!(largest_remainder(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(largest_remainder(0, &[1.0]), vec![0]);
        assert!(largest_remainder(3, &[]).is_empty());
    }

    #[test]
    fn season_peaks_in_summer() {
        let jul = season(time::days_from_civil(2024, 7, 16));
        let feb = season(time::days_from_civil(2024, 2, 14));
        assert!(jul > 1.15 && feb < 0.85, "{jul} {feb}");
        // Continuous across a month boundary.
        let a = season(time::days_from_civil(2024, 3, 31));
        let b = season(time::days_from_civil(2024, 4, 1));
        assert!((a - b).abs() < 0.01);
        assert_eq!(yearly_volume(1990), yearly_volume(2001));
        assert_eq!(yearly_volume(2030), yearly_volume(2024));
        assert!(yearly_volume(2001) > 1.8 * yearly_volume(2024));
    }
}
