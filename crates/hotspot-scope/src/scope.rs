//! The question every view asks: a *scope*.

use chrono::NaiveDate;
use hotspot_core::time::{YearMonth, day_number, naive_date};
use serde::{Deserialize, Serialize};

use crate::error::{Result, ScopeError};

/// A period: a date range, or a set of months (across years, not necessarily contiguous).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Every day from `from` to `to`, inclusive.
    Range { from: NaiveDate, to: NaiveDate },
    /// Every day of these months.
    Months(Vec<YearMonth>),
}

impl Period {
    /// The period as sorted, disjoint, inclusive day-number intervals.
    pub fn intervals(&self) -> Result<Vec<(i32, i32)>> {
        let mut raw: Vec<(i32, i32)> = match self {
            Period::Range { from, to } => {
                if to < from {
                    return Err(ScopeError::Period(format!("{to} is before {from}")));
                }
                vec![(day_number(*from), day_number(*to))]
            }
            Period::Months(months) => {
                if months.is_empty() {
                    return Err(ScopeError::Period("no months selected".into()));
                }
                months
                    .iter()
                    .map(|m| (m.first_day(), m.end_day() - 1))
                    .collect()
            }
        };
        raw.sort_unstable();
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(raw.len());
        for (a, b) in raw {
            match out.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Ok(out)
    }

    /// The period of equal length immediately before this one (months shift back by the span
    /// from the first to the last month).
    pub fn previous(&self) -> Result<Period> {
        Ok(match self {
            Period::Range { from, to } => {
                let len = day_number(*to) - day_number(*from) + 1;
                Period::Range {
                    from: naive_date(day_number(*from) - len),
                    to: naive_date(day_number(*from) - 1),
                }
            }
            Period::Months(months) => {
                let first = months
                    .iter()
                    .min()
                    .copied()
                    .ok_or_else(|| ScopeError::Period("no months".into()))?;
                let last = months.iter().max().copied().unwrap_or(first);
                let span = last.index() - first.index() + 1;
                Period::Months(
                    months
                        .iter()
                        .map(|m| YearMonth::from_index(m.index() - span))
                        .collect(),
                )
            }
        })
    }

    /// A short human label: "1–15 Sep 2024", "Sep 2024", "Jun–Aug 2024", "Jan, Mar 2024".
    pub fn label(&self) -> String {
        match self {
            Period::Range { from, to } => {
                if from == to {
                    from.format("%-d %b %Y").to_string()
                } else if from.format("%Y-%m").to_string() == to.format("%Y-%m").to_string() {
                    format!("{}–{}", from.format("%-d"), to.format("%-d %b %Y"))
                } else if from.format("%Y").to_string() == to.format("%Y").to_string() {
                    format!("{} – {}", from.format("%-d %b"), to.format("%-d %b %Y"))
                } else {
                    format!("{} – {}", from.format("%-d %b %Y"), to.format("%-d %b %Y"))
                }
            }
            Period::Months(months) => {
                let mut m = months.clone();
                m.sort_unstable();
                m.dedup();
                let name = |ym: &YearMonth| naive_date(ym.first_day()).format("%b").to_string();
                let contiguous = m.windows(2).all(|w| w[1].index() == w[0].index() + 1);
                match (m.first(), m.last()) {
                    (Some(a), Some(b)) if a == b => format!("{} {:04}", name(a), a.year),
                    (Some(a), Some(b)) if contiguous && a.year == b.year => {
                        format!("{}–{} {:04}", name(a), name(b), a.year)
                    }
                    (Some(a), Some(b)) if contiguous => {
                        format!("{} {:04} – {} {:04}", name(a), a.year, name(b), b.year)
                    }
                    _ => m
                        .iter()
                        .map(|x| format!("{} {:04}", name(x), x.year))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            }
        }
    }
}

/// Which offences are "selected": primary types and/or taxonomy categories (resolved at query
/// time through the taxonomy in force). Empty means no selection: everything counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

impl Selection {
    /// Whether anything is selected.
    pub fn is_active(&self) -> bool {
        !self.types.is_empty() || !self.categories.is_empty()
    }
}

/// Hotspot-table columns it can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    Label,
    Street,
    Incidents,
    #[default]
    Selected,
    DominantType,
    District,
    Ward,
    CommunityArea,
    FocusShare,
    Arrests,
    ArrestRate,
    Change,
}

/// How the hotspot table is built.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    pub rows: usize,
    pub sort: SortColumn,
    pub descending: bool,
}

impl Default for TableSpec {
    fn default() -> Self {
        Self {
            rows: 20,
            sort: SortColumn::Selected,
            descending: true,
        }
    }
}

/// One question to the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Resolution of the cells returned (6–10).
    pub res: u8,
    pub period: Period,
    #[serde(default)]
    pub selection: Selection,
    /// Cells drilled into, coarse to fine, each one level finer than the last; the scope is the
    /// descendants of the last.
    #[serde(default)]
    pub drill: Vec<u64>,
    /// Day of week (Monday = 0) the hourly profile focuses on.
    #[serde(default)]
    pub focus_dow: Option<u8>,
    #[serde(default)]
    pub table: TableSpec,
    /// Also test every cell for a hot or cold spot (Gi*), into [`crate::ScopeResult::hot_spots`].
    #[serde(default)]
    pub hot_spots: Option<crate::HotSpotOptions>,
    /// Also run an emerging hot-spot analysis of the period cut into steps, into
    /// [`crate::ScopeResult::emerging`] (a warning says why when the period is too short).
    #[serde(default)]
    pub emerging: Option<crate::EmergingOptions>,
    /// The period the comparison (totals, rises and falls, each cell's tested change) is
    /// against; `None`: the previous period of equal length.
    #[serde(default)]
    pub compare: Option<Period>,
}

impl Scope {
    /// A citywide scope over a date range at `res`, nothing selected.
    pub fn new(res: u8, from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            res,
            period: Period::Range { from, to },
            selection: Selection::default(),
            drill: Vec::new(),
            focus_dow: None,
            table: TableSpec::default(),
            hot_spots: None,
            emerging: None,
            compare: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods() {
        let p = Period::Range {
            from: d(2024, 9, 1),
            to: d(2024, 9, 15),
        };
        assert_eq!(
            p.intervals().expect("ok"),
            vec![(day_number(d(2024, 9, 1)), day_number(d(2024, 9, 15)))]
        );
        assert_eq!(
            p.previous().expect("ok"),
            Period::Range {
                from: d(2024, 8, 17),
                to: d(2024, 8, 31)
            }
        );
        assert_eq!(p.label(), "1–15 Sep 2024");
        let m = |y, mo| YearMonth { year: y, month: mo };
        let p = Period::Months(vec![m(2024, 2), m(2023, 12), m(2024, 1)]);
        assert_eq!(p.intervals().expect("ok").len(), 1);
        assert_eq!(p.label(), "Dec 2023 – Feb 2024");
        assert_eq!(
            p.previous().expect("ok"),
            Period::Months(vec![m(2023, 11), m(2023, 9), m(2023, 10)])
        );
        let p = Period::Months(vec![m(2024, 1), m(2024, 3)]);
        assert_eq!(p.intervals().expect("ok").len(), 2);
        assert_eq!(p.label(), "Jan 2024, Mar 2024");
        assert!(
            Period::Range {
                from: d(2024, 9, 2),
                to: d(2024, 9, 1)
            }
            .intervals()
            .is_err()
        );
    }
}
