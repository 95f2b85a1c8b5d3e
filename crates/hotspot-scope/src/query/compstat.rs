//! [`Engine::compstat`]: the table of a police weekly meeting. For a week ending on a given
//! day, citywide and for every police district (as each record names it), per offence
//! category and for all offences: this week against the week before, the last 28 days
//! against the 28 before, and the year to date against the same days a year earlier, each
//! with its change. Counts come from the lake's district-by-day table, so unmapped records
//! count too (they have a district), as they do in CompStat.

use chrono::{Datelike, NaiveDate};
use hotspot_core::names;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::{day_number, naive_date};

use crate::error::{Result, ScopeError};

use super::Engine;
use super::sums::sum_city;

/// The six periods of a CompStat table, in column order.
pub const COMPSTAT_PERIODS: [&str; 6] = [
    "week",
    "previous week",
    "28 days",
    "previous 28 days",
    "year to date",
    "same days last year",
];

/// The label of the all-offences rows.
pub const ALL_OFFENCES: &str = "All offences";

/// One row: an area and an offence category, counted over the six periods.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CompStatRow {
    /// The police district (None: citywide; Some(0): records without a district).
    pub district: Option<u8>,
    pub area: String,
    pub category: String,
    /// Incidents in each of [`COMPSTAT_PERIODS`].
    pub counts: [u64; 6],
}

impl CompStatRow {
    /// The change of period `2i` against period `2i + 1` (week, 28 days, year to date), as a
    /// share of the earlier count; `None` when that is zero.
    pub fn change(&self, pair: usize) -> Option<f64> {
        let (now, before) = (self.counts[2 * pair], self.counts[2 * pair + 1]);
        (before > 0).then(|| (now as f64 - before as f64) / before as f64)
    }
}

/// The CompStat table for a week.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CompStat {
    pub week_ending: NaiveDate,
    /// Each period's first and last day, in [`COMPSTAT_PERIODS`] order.
    pub periods: [(NaiveDate, NaiveDate); 6],
    /// Citywide first (all offences, then each category), then each district in code order.
    pub rows: Vec<CompStatRow>,
    /// Periods the lake does not wholly cover (their counts are low), said in words.
    pub incomplete: Vec<String>,
}

impl CompStat {
    /// The rows of one area (`None`: citywide).
    pub fn area(&self, district: Option<u8>) -> impl Iterator<Item = &CompStatRow> {
        self.rows.iter().filter(move |r| r.district == district)
    }
}

/// The same day a year earlier (29 February → 28 February).
fn year_before(d: NaiveDate) -> NaiveDate {
    d.with_year(d.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(d.year() - 1, d.month(), 28))
        .unwrap_or(d)
}

/// The six periods of the week ending on `we`.
pub fn compstat_periods(we: NaiveDate) -> [(NaiveDate, NaiveDate); 6] {
    let d = day_number(we);
    let day = |n: i32| naive_date(n);
    let jan1 = NaiveDate::from_ymd_opt(we.year(), 1, 1).unwrap_or(we);
    [
        (day(d - 6), we),
        (day(d - 13), day(d - 7)),
        (day(d - 27), we),
        (day(d - 55), day(d - 28)),
        (jan1, we),
        (year_before(jan1), year_before(we)),
    ]
}

impl Engine {
    /// The CompStat table of the week ending on `week_ending` (see the module docs).
    pub fn compstat(&self, week_ending: NaiveDate, taxonomy: &Taxonomy) -> Result<CompStat> {
        let ix = &*self.ix;
        if ix.n_days == 0 {
            return Err(ScopeError::Period("the lake holds no day".into()));
        }
        let periods = compstat_periods(week_ending);
        let (first, last) = (ix.data_first_day, ix.data_last_day);
        if day_number(week_ending) < first {
            return Err(ScopeError::Period(format!(
                "the week ending {week_ending} is before the lake's first day ({})",
                naive_date(first)
            )));
        }
        let mut incomplete = Vec::new();
        for (name, (a, b)) in COMPSTAT_PERIODS.iter().zip(&periods) {
            if day_number(*a) < first || day_number(*b) > last {
                incomplete.push(format!(
                    "the {name} ({} – {}) is not all in the lake ({} – {})",
                    a.format("%-d %b %Y"),
                    b.format("%-d %b %Y"),
                    naive_date(first).format("%-d %b %Y"),
                    naive_date(last).format("%-d %b %Y")
                ));
            }
        }
        // All offences, then each category of the taxonomy.
        let mut categories: Vec<(String, Vec<bool>)> =
            vec![(ALL_OFFENCES.to_string(), vec![true; ix.types.len()])];
        for c in taxonomy.categories() {
            let mask: Vec<bool> = ix
                .types
                .iter()
                .map(|t| taxonomy.category_of(t).eq_ignore_ascii_case(c))
                .collect();
            categories.push((c.clone(), mask));
        }
        let keys = ix.district_month.keys;
        let month_keys: Vec<(usize, usize)> = (0..keys).map(|d| (d, d)).collect();
        // counts[category][period][district key]
        let mut counts = vec![[[0u64; 256]; 6]; categories.len()];
        for (ci, (_, mask)) in categories.iter().enumerate() {
            for (pi, (a, b)) in periods.iter().enumerate() {
                let mut k = [0u64; 256];
                // Only the days the lake's cube holds (a period may reach before or after).
                let days = super::clip(&[(day_number(*a), day_number(*b))], ix.cube_days());
                sum_city(
                    ix,
                    &days,
                    mask,
                    &ix.district_daily,
                    &ix.district_month,
                    &month_keys,
                    |_, district| Some(usize::from(district)),
                    &mut counts[ci][pi],
                    &mut k,
                );
            }
        }
        let present: Vec<usize> = (0..256)
            .filter(|&d| counts[0].iter().any(|p| p[d] > 0))
            .collect();
        let mut rows = Vec::new();
        for (ci, (name, _)) in categories.iter().enumerate() {
            let mut c = [0u64; 6];
            for (pi, slot) in c.iter_mut().enumerate() {
                *slot = counts[ci][pi].iter().sum();
            }
            rows.push(CompStatRow {
                district: None,
                area: "Citywide".into(),
                category: name.clone(),
                counts: c,
            });
        }
        for &d in &present {
            for (ci, (name, _)) in categories.iter().enumerate() {
                let mut c = [0u64; 6];
                for (pi, slot) in c.iter_mut().enumerate() {
                    *slot = counts[ci][pi][d];
                }
                rows.push(CompStatRow {
                    district: Some(d as u8),
                    area: if d == 0 {
                        "No district".into()
                    } else {
                        names::district_label(d as u8)
                    },
                    category: name.clone(),
                    counts: c,
                });
            }
        }
        Ok(CompStat {
            week_ending,
            periods,
            rows,
            incomplete,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods_of_a_week() {
        let p = compstat_periods(d(2024, 3, 3));
        assert_eq!(p[0], (d(2024, 2, 26), d(2024, 3, 3)));
        assert_eq!(p[1], (d(2024, 2, 19), d(2024, 2, 25)));
        // 3 days of March and 25 of February (a leap year).
        assert_eq!(p[2], (d(2024, 2, 5), d(2024, 3, 3)));
        assert_eq!(p[3], (d(2024, 1, 8), d(2024, 2, 4)));
        assert_eq!(p[4], (d(2024, 1, 1), d(2024, 3, 3)));
        assert_eq!(p[5], (d(2023, 1, 1), d(2023, 3, 3)));
        // A leap day's year before is 28 February.
        assert_eq!(compstat_periods(d(2024, 2, 29))[5].1, d(2023, 2, 28));
        let row = CompStatRow {
            district: None,
            area: "Citywide".into(),
            category: ALL_OFFENCES.into(),
            counts: [12, 10, 40, 50, 7, 0],
        };
        assert_eq!(row.change(0), Some(0.2));
        assert_eq!(row.change(1), Some(-0.2));
        assert_eq!(row.change(2), None);
    }
}
