//! The CompStat table on the real 1–15 Sept 2024 sample, against counts worked out
//! independently in Python (csv module over the same file): the week ending Wednesday
//! 11 September against the week before (which crosses the August / September edge and the
//! lake's first day), citywide and per district, all offences and violent ones.

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{ALL_OFFENCES, CompStat};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn table() -> CompStat {
    hotspot_testkit::sample::engine()
        .compstat(d(2024, 9, 11), &Taxonomy::default())
        .expect("compstat")
}

fn row(t: &CompStat, district: Option<u8>, category: &str) -> [u64; 6] {
    t.rows
        .iter()
        .find(|r| r.district == district && r.category == category)
        .unwrap_or_else(|| panic!("no row {district:?} {category}"))
        .counts
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn weekly_figures_match_the_export() {
    let t = table();
    assert_eq!(t.periods[0], (d(2024, 9, 5), d(2024, 9, 11)));
    assert_eq!(t.periods[1], (d(2024, 8, 29), d(2024, 9, 4)));
    // Citywide: 5,270 this week, 3,234 the week before (its 1–4 September; the lake holds
    // nothing earlier). The 28 days and the year to date are 1–11 September: 8,504.
    assert_eq!(row(&t, None, ALL_OFFENCES), [5270, 3234, 8504, 0, 8504, 0]);
    assert_eq!(row(&t, None, "Violent")[..2], [1681, 1047]);
    // Districts as the records name them.
    assert_eq!(row(&t, Some(1), ALL_OFFENCES)[..2], [290, 175]);
    assert_eq!(row(&t, Some(18), ALL_OFFENCES)[..2], [247, 160]);
    assert_eq!(row(&t, Some(11), ALL_OFFENCES)[..2], [288, 175]);
    assert_eq!(row(&t, Some(1), "Violent")[..2], [79, 37]);
    assert_eq!(row(&t, Some(18), "Violent")[..2], [61, 39]);
    assert_eq!(row(&t, Some(11), "Violent")[..2], [115, 66]);
    // Every district's rows add up to the citywide row, category by category.
    for cat in Taxonomy::default()
        .categories()
        .iter()
        .map(String::as_str)
        .chain([ALL_OFFENCES])
    {
        let mut sum = [0u64; 6];
        for r in t
            .rows
            .iter()
            .filter(|r| r.district.is_some() && r.category == cat)
        {
            for (s, c) in sum.iter_mut().zip(r.counts) {
                *s += c;
            }
        }
        assert_eq!(sum, row(&t, None, cat), "{cat}");
    }
    // 22 districts in the sample, seven rows each (all offences and six categories).
    assert_eq!(t.rows.len(), 7 + 22 * 7);
    // Changes: +63 % week on week citywide (5,270 against 3,234).
    let city = t.rows.iter().find(|r| r.district.is_none()).expect("city");
    assert!((city.change(0).expect("change") - (5270.0 - 3234.0) / 3234.0).abs() < 1e-12);
    assert_eq!(city.change(1), None, "no earlier 28 days in the lake");
    // Every period but this week reaches before the lake's first day, and says so.
    assert_eq!(t.incomplete.len(), 5, "{:?}", t.incomplete);
    assert!(t.incomplete[0].contains("previous week"));
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_week_before_the_lake_is_an_error() {
    let e = hotspot_testkit::sample::engine()
        .compstat(d(2024, 8, 1), &Taxonomy::default())
        .expect_err("before the lake");
    assert!(e.to_string().contains("before the lake's first day"), "{e}");
}
