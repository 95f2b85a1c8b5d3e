//! The scopes the speed goals are stated for, shared by the criterion bench and
//! `hotspot bench scope`.

use chrono::{Datelike, NaiveDate};
use hotspot_core::time::{YearMonth, naive_date};

use crate::query::Engine;
use crate::scope::{Period, Scope, Selection};

/// (name, scope) pairs: 1 month at r10 with a type selection, 12 months at r10, the whole
/// history at r10 and at r6–r8, and a drilled long period.
pub fn standard_scopes(engine: &Engine) -> Vec<(String, Scope)> {
    let (first, last) = engine.date_range();
    let last_month = YearMonth {
        year: last.year(),
        month: last.month() as u8,
    };
    let month_start = naive_date(last_month.first_day());
    let year_start = naive_date(YearMonth::from_index(last_month.index() - 11).first_day());
    let range = |res: u8, from: NaiveDate| Scope::new(res, from, last);
    let mut out = vec![
        (
            "1 month r10, types THEFT+BATTERY".to_string(),
            Scope {
                selection: Selection {
                    types: vec!["THEFT".into(), "BATTERY".into()],
                    categories: vec![],
                },
                ..range(10, month_start)
            },
        ),
        ("12 months r10".to_string(), range(10, year_start)),
        (
            "12 months r9, category Violent".to_string(),
            Scope {
                selection: Selection {
                    types: vec![],
                    categories: vec!["Violent".into()],
                },
                ..range(9, year_start)
            },
        ),
        ("full history r10".to_string(), range(10, first)),
        ("full history r8".to_string(), range(8, first)),
        ("full history r7".to_string(), range(7, first)),
        ("full history r6".to_string(), range(6, first)),
        (
            "months across years r8".to_string(),
            Scope {
                period: Period::Months(
                    (0..5)
                        .map(|y| YearMonth {
                            year: last_month.year - y,
                            month: last_month.month,
                        })
                        .collect(),
                ),
                ..range(8, first)
            },
        ),
    ];
    if let Ok(r6) = engine.coverage(6)
        && let Some(&cell) = r6.get(r6.len() / 2)
    {
        out.push((
            "full history r7 drilled into an r6 cell".to_string(),
            Scope {
                drill: vec![cell],
                ..range(7, first)
            },
        ));
    }
    out
}
