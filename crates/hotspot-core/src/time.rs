//! Naive Chicago wall-clock time as plain integers.
//!
//! The lake stores `occurred_at` as microseconds since 1970-01-01T00:00:00 (no time zone: the
//! source is Chicago local time and the contract keeps it naive) and `date` as days since the
//! same epoch (Arrow `date32`). These helpers convert between the two without going through a
//! calendar library on the hot path; [`chrono`] is used only at the edges.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Microseconds per day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds per hour.
pub const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Days since 1970-01-01 of the civil date (proleptic Gregorian), after Howard Hinnant's
/// `days_from_civil`. `month` is 1–12, `day` 1–31; the caller validates ranges.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// The civil date `(year, month 1–12, day 1–31)` of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// Day of week with Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday_monday0(days: i32) -> u8 {
    (i64::from(days) + 3).rem_euclid(7) as u8
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Microseconds since the epoch for a validated civil date and time.
pub fn micros_from_parts(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32, us: u32) -> i64 {
    i64::from(days_from_civil(year, month, day)) * MICROS_PER_DAY
        + i64::from(h) * MICROS_PER_HOUR
        + i64::from(m) * 60_000_000
        + i64::from(s) * 1_000_000
        + i64::from(us)
}

/// Day number of a timestamp in microseconds.
pub fn day_of_micros(micros: i64) -> i32 {
    micros.div_euclid(MICROS_PER_DAY) as i32
}

/// Hour of day (0–23) of a timestamp in microseconds.
pub fn hour_of_micros(micros: i64) -> u8 {
    (micros.rem_euclid(MICROS_PER_DAY) / MICROS_PER_HOUR) as u8
}

/// Converts a day number to a [`NaiveDate`] (for display and for APIs that want one).
pub fn naive_date(days: i32) -> NaiveDate {
    let (y, m, d) = civil_from_days(days);
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Day number of a [`NaiveDate`].
pub fn day_number(date: NaiveDate) -> i32 {
    days_from_civil(date.year(), date.month(), date.day())
}

/// A calendar month: the lake's partition key (`year=YYYY/month=MM`).
///
/// Serialised as the text `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    /// A month; `None` unless `month` is 1–12.
    pub fn new(year: i32, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The month containing day number `days`.
    pub fn of_day(days: i32) -> Self {
        let (year, month, _) = civil_from_days(days);
        Self {
            year,
            month: month as u8,
        }
    }

    /// The month containing a timestamp in microseconds.
    pub fn of_micros(micros: i64) -> Self {
        Self::of_day(day_of_micros(micros))
    }

    /// Day number of the first day of the month.
    pub fn first_day(self) -> i32 {
        days_from_civil(self.year, u32::from(self.month), 1)
    }

    /// Number of days in the month.
    pub fn len_days(self) -> u32 {
        days_in_month(self.year, u32::from(self.month))
    }

    /// Day number one past the last day of the month.
    pub fn end_day(self) -> i32 {
        self.first_day() + self.len_days() as i32
    }

    /// The following month.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The preceding month.
    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// A dense index (months since year 0), handy for arrays indexed by month.
    pub fn index(self) -> i32 {
        self.year * 12 + i32::from(self.month) - 1
    }

    /// Inverse of [`YearMonth::index`].
    pub fn from_index(index: i32) -> Self {
        Self {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u8,
        }
    }

    /// Every month from `self` to `last`, inclusive.
    pub fn through(self, last: Self) -> impl Iterator<Item = YearMonth> {
        (self.index()..=last.index()).map(Self::from_index)
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.trim().split_once('-')?;
        let year: i32 = y.parse().ok()?;
        // Four-digit years only: every day of such a month is a valid date, and month indices
        // cannot overflow however far a period reaches.
        (1..=9999).contains(&year).then_some(())?;
        Self::new(year, m.parse().ok()?)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        YearMonth::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a YYYY-MM month")))
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_against_chrono() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            let chrono = NaiveDate::from_num_days_from_ce_opt(days + 719_163).expect("in range");
            assert_eq!((y, m, d), (chrono.year(), chrono.month(), chrono.day()));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn known_days_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2024-09-01 was a Sunday.
        let d = days_from_civil(2024, 9, 1);
        assert_eq!(d, 19_967);
        assert_eq!(weekday_monday0(d), 6);
        assert_eq!(weekday_monday0(d + 1), 0);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }

    #[test]
    fn year_month_arithmetic() {
        let ym = YearMonth::new(2024, 12).expect("valid");
        assert_eq!(
            ym.next(),
            YearMonth {
                year: 2025,
                month: 1
            }
        );
        assert_eq!(ym.next().prev(), ym);
        assert_eq!(YearMonth::from_index(ym.index()), ym);
        assert_eq!(ym.to_string(), "2024-12");
        assert_eq!(YearMonth::parse("2024-09"), YearMonth::new(2024, 9));
        assert_eq!(YearMonth::parse("2024-13"), None);
        assert_eq!(ym.len_days(), 31);
        assert_eq!(YearMonth::of_day(ym.end_day()), ym.next());
        let months: Vec<_> = YearMonth {
            year: 2023,
            month: 11,
        }
        .through(YearMonth {
            year: 2024,
            month: 2,
        })
        .collect();
        assert_eq!(months.len(), 4);
    }

    #[test]
    fn hours_of_negative_timestamps() {
        // 1969-12-31T23:00 is one hour before the epoch.
        assert_eq!(hour_of_micros(-MICROS_PER_HOUR), 23);
        assert_eq!(day_of_micros(-1), -1);
    }
}
