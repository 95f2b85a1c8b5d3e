//! Ids and case numbers. They are handed out only after the days are generated, in day order
//! from each day's totals, so they never depend on which thread generated which day.

use hotspot_core::time;

use super::day::DayRows;
use super::plan::Plan;

/// Reference points of the id and case-number series (the real data on 2024-09-01): ordinary
/// ids near 13,582,000 and rising about 720 a day; homicide ids near 28,398 rising about 3.3 a
/// day; case numbers `JH4…` in 2024, one prefix step a year.
pub(super) const ID_ANCHOR: i64 = 13_582_000;
pub(super) const ID_PER_DAY: i64 = 720;
pub(super) const HOMICIDE_ANCHOR: i64 = 28_398;
pub(super) const HOMICIDE_PER_10_DAYS: i64 = 33;
const CASE_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
const CASE_PREFIX_2024: i64 = 8 * 23 + 7; // "JH"

/// Where a day's ids and case numbers start.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bases {
    pub(super) next_id: i64,
    pub(super) next_homicide: i64,
    pub(super) case_serial: u64,
}

pub(super) struct Cursor {
    next_id: i64,
    next_homicide: i64,
    case_serial: u64,
    case_start: u64,
    year: Option<i32>,
}

impl Cursor {
    pub(super) fn new(plan: &Plan) -> Self {
        Cursor {
            next_id: plan.id_start,
            next_homicide: plan.homicide_start,
            case_serial: 0,
            case_start: plan.case_start,
            year: None,
        }
    }

    pub(super) fn take(&mut self, d: &DayRows) -> Bases {
        let (y, _, _) = time::civil_from_days(d.day);
        if self.year != Some(y) {
            self.case_serial = if self.year.is_none() {
                self.case_start
            } else {
                0
            };
            self.year = Some(y);
        }
        let b = Bases {
            next_id: self.next_id,
            next_homicide: self.next_homicide,
            case_serial: self.case_serial,
        };
        self.next_id += d.id_gaps as i64;
        self.next_homicide += d.homicides as i64;
        self.case_serial += d.case_gaps;
        b
    }
}

pub(super) fn case_number(year: i32, serial: u64) -> String {
    let max = (CASE_LETTERS.len() * CASE_LETTERS.len()) as i64 - 1;
    let prefix = (CASE_PREFIX_2024 + i64::from(year - 2024) + (serial / 900_000) as i64)
        .clamp(0, max) as usize;
    let n = CASE_LETTERS.len();
    let number = 100_000 + serial % 900_000;
    format!(
        "{}{}{number:06}",
        CASE_LETTERS[prefix / n] as char,
        CASE_LETTERS[prefix % n] as char
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_look_real() {
        assert_eq!(case_number(2024, 310_439), "JH410439");
        assert_eq!(case_number(2015, 0), "HY100000");
        assert_eq!(case_number(2024, 900_000), "JJ100000");
    }
}
