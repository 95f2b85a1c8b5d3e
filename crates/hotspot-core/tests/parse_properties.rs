//! Properties of the field parsers over generated inputs: timestamps agree with chrono in every
//! layout the dataset uses, month keys round-trip, and no input makes either panic.

use chrono::{NaiveDate, NaiveDateTime};
use hotspot_core::socrata::parse_timestamp;
use hotspot_core::time::YearMonth;
use proptest::prelude::*;

fn datetime() -> impl Strategy<Value = NaiveDateTime> {
    // 1900-01-01 .. 2199-12-31, to the second.
    (-25_567i64..83_603, 0u32..86_400).prop_map(|(day, sec)| {
        let date =
            NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(day);
        date.and_hms_opt(sec / 3600, sec / 60 % 60, sec % 60)
            .expect("time")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn timestamps_agree_with_chrono_in_every_layout(t in datetime()) {
        let micros = t.and_utc().timestamp_micros();
        for layout in [
            "%m/%d/%Y %I:%M:%S %p", // the portal export
            "%Y-%m-%dT%H:%M:%S%.3f", // the SODA API
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%m/%d/%Y %H:%M:%S",
        ] {
            let text = t.format(layout).to_string();
            prop_assert_eq!(parse_timestamp(&text), Some(micros), "{}", text);
        }
    }

    #[test]
    fn impossible_dates_are_refused(y in 1900i32..2200, m in 1u32..=12, d in 29u32..=32) {
        let text = format!("{m:02}/{d:02}/{y:04} 01:02:03 PM");
        let valid = NaiveDate::from_ymd_opt(y, m, d).is_some();
        prop_assert_eq!(parse_timestamp(&text).is_some(), valid, "{}", text);
    }

    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(s in "\\PC{0,40}") {
        let _ = parse_timestamp(&s);
        let _ = YearMonth::parse(&s);
    }

    #[test]
    fn near_miss_text_never_panics(s in "[0-9/: APMT.-]{0,30}") {
        if let Some(us) = parse_timestamp(&s) {
            // Whatever is accepted is a real instant chrono can represent.
            prop_assert!(chrono::DateTime::from_timestamp_micros(us).is_some(), "{}", s);
        }
    }

    #[test]
    fn month_keys_round_trip(y in 1i32..=9999, m in 1u32..=12) {
        let text = format!("{y:04}-{m:02}");
        let ym = YearMonth::parse(&text).expect("valid month");
        prop_assert_eq!(ym.to_string(), text);
        prop_assert_eq!(YearMonth::from_index(ym.index()), ym);
    }

    #[test]
    fn months_out_of_range_are_refused(y in prop_oneof![-100_000i32..=0, 10_000i32..1_000_000], m in 0u32..20) {
        prop_assert_eq!(YearMonth::parse(&format!("{y}-{m:02}")), None);
    }
}
