//! Tests of `views.rs`.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn ym(y: i32, m: u8) -> YearMonth {
    YearMonth { year: y, month: m }
}

/// The view a script text evaluates to (or its error).
fn view_of(text: &str) -> Result<ViewDef, String> {
    let engine = rhai::Engine::new();
    let value: Dynamic = engine.eval(text).map_err(|e| e.to_string())?;
    view_def(&value)
}

#[test]
fn emerging_settings_parse_with_defaults_and_clear_errors() {
    use hotspot_scope::{EmergingOptions, Step};
    let base = r#"title: "t", res: 9, period: "last 12 weeks""#;
    let v = view_of(&format!("#{{ {base}, metric: \"emerging\" }}")).expect("view");
    assert_eq!(v.emerging, Some(EmergingOptions::default()));
    let v = view_of(&format!("#{{ {base}, emerging: \"week\" }}")).expect("view");
    assert_eq!(v.emerging.map(|e| e.step), Some(Step::Week));
    let v = view_of(&format!(
        "#{{ {base}, emerging: #{{ step: \"monthly\", time_lag: 2, k: 2, alpha: 0.05, fdr: false }} }}"
    ))
    .expect("view");
    assert_eq!(
        v.emerging,
        Some(EmergingOptions {
            step: Step::Month,
            time_lag: 2,
            k: 2,
            alpha: 0.05,
            fdr: false
        })
    );
    // Context layers: streets on by default, areas named.
    let v = view_of(&format!(
        "#{{ {base}, context: #{{ streets: false, areas: [\"community_area\", \"beat\"] }} }}"
    ))
    .expect("view");
    assert_eq!(
        v.context,
        Some(ViewContext {
            streets: false,
            districts: false,
            community_areas: true,
            wards: false,
            beats: true,
            layers: Vec::new(),
            tiles: None,
        })
    );
    let v = view_of(&format!(
        "#{{ {base}, context: #{{ layers: [\"layers/stations.geojson\"] }} }}"
    ))
    .expect("view");
    assert_eq!(
        v.context.map(|c| c.layers),
        Some(vec![PathBuf::from("layers/stations.geojson")])
    );
    let err = view_of(&format!(
        "#{{ {base}, context: #{{ areas: [\"precinct\"] }} }}"
    ))
    .expect_err("precinct");
    assert!(err.contains("`precinct` is not an area layer"), "{err}");
    // A basemap: a template alone, or with its attribution and zoom limit.
    let v = view_of(&format!(
        "#{{ {base}, context: #{{ tiles: \"https://t.example/{{z}}/{{x}}/{{y}}.png\" }} }}"
    ))
    .expect("view");
    let t = v.context.and_then(|c| c.tiles).expect("tiles");
    assert_eq!(t.url, "https://t.example/{z}/{x}/{y}.png");
    assert_eq!((t.attribution.as_str(), t.max_zoom), ("", None));
    let v = view_of(&format!(
        "#{{ {base}, context: #{{ tiles: #{{ url: \"https://t/{{z}}/{{x}}/{{y}}\", attribution: \"© T\", max_zoom: 17 }} }} }}"
    ))
    .expect("view");
    let t = v.context.and_then(|c| c.tiles).expect("tiles");
    assert_eq!((t.attribution.as_str(), t.max_zoom), ("© T", Some(17)));
    for (bad, says) in [
        ("#{ url: \"u\", max_zoom: 30 }", "outside 0–22"),
        ("#{ attribution: \"x\" }", "url"),
        ("#{ url: \"u\", subdomains: \"abc\" }", "subdomains"),
        ("5", "`tiles`"),
    ] {
        let err = view_of(&format!("#{{ {base}, context: #{{ tiles: {bad} }} }}")).expect_err(bad);
        assert!(err.contains(says), "{bad}: {err}");
    }
    // Neither metric nor key: no analysis.
    assert_eq!(
        view_of(&format!("#{{ {base} }}")).expect("view").emerging,
        None
    );
    for (bad, says) in [
        ("\"day\"", "`day` is not a step"),
        ("#{ alpha: 2.0 }", "between 0 and 1"),
        ("#{ alpha: 0.0 }", "between 0 and 1"),
        ("#{ alpha: \"x\" }", "must be a number"),
        ("#{ k: 9 }", "`k` must be 1–5"),
        ("#{ time_lag: -1 }", "0–52"),
        ("#{ lag: 1 }", "lag"),
        ("3", "must be \"week\", \"month\""),
    ] {
        let err = view_of(&format!("#{{ {base}, emerging: {bad} }}")).expect_err(bad);
        assert!(err.contains(says), "{bad}: {err}");
    }
    // An unknown metric lists every metric there is.
    let err = view_of(&format!("#{{ {base}, metric: \"heat\" }}")).expect_err("metric");
    assert!(err.contains("hot_spots, emerging"), "{err}");
}

#[test]
fn relative_periods() {
    let range = (d(2023, 1, 1), d(2024, 9, 15));
    let r = |t: &str| resolve_period(&period_text(t).expect(t), range);
    assert_eq!(
        r("last 28 days of data").0,
        Period::Range {
            from: d(2024, 8, 19),
            to: d(2024, 9, 15)
        }
    );
    assert_eq!(
        r("last full month"),
        (Period::Months(vec![ym(2024, 8)]), None)
    );
    assert_eq!(
        r("same month last year").0,
        Period::Months(vec![ym(2023, 8)])
    );
    let (p, _) = r("last 12 months");
    assert_eq!(
        p,
        Period::Months(ym(2023, 9).through(ym(2024, 8)).collect())
    );
    assert_eq!(r("latest month").0, Period::Months(vec![ym(2024, 9)]));
    assert_eq!(
        r("2024-09-01..2024-09-15").0,
        Period::Range {
            from: d(2024, 9, 1),
            to: d(2024, 9, 15)
        }
    );
    assert_eq!(r("2024-07").0, Period::Months(vec![ym(2024, 7)]));
    // Data ending on a month's last day: that month is complete.
    let (p, _) = resolve_period(&PeriodSpec::LastFullMonth, (d(2024, 1, 1), d(2024, 8, 31)));
    assert_eq!(p, Period::Months(vec![ym(2024, 8)]));
    // Half a month of data: no complete month, the partial one is used and said so.
    let (p, note) = resolve_period(&PeriodSpec::LastFullMonth, (d(2024, 9, 1), d(2024, 9, 15)));
    assert_eq!(p, Period::Months(vec![ym(2024, 9)]));
    assert!(note.expect("note").contains("no complete month"));
    // At the bound and past it (the product of weeks overflows u32 on the way).
    assert_eq!(
        r("last 36600 days").0,
        Period::Range {
            from: d(1924, 7, 3),
            to: d(2024, 9, 15)
        }
    );
    assert_eq!(
        r("last 1200 months").0,
        Period::Months(ym(1924, 9).through(ym(2024, 8)).collect())
    );
    for huge in [
        "last 36601 days",
        "last 100000000 days",
        "last 613566757 weeks",
        "last 5229 weeks",
        "last 1201 months",
        "last 99999999999999999999999 days",
    ] {
        let e = period_text(huge).expect_err(huge);
        assert!(
            e.contains("more than 100 years") || e.contains("not a period"),
            "{huge}: {e}"
        );
    }
    for bad in [
        "yesterday",
        "last 0 days",
        "2024-13",
        "2024-09-15..2024-09-01",
    ] {
        assert!(period_text(bad).is_err(), "{bad}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn lake_range() -> impl Strategy<Value = (NaiveDate, NaiveDate)> {
        (0i64..9000, 0i64..9000).prop_map(|(a, len)| {
            let first = d(2001, 1, 1) + chrono::Duration::days(a);
            (first, first + chrono::Duration::days(len))
        })
    }

    fn span_days(p: &Period) -> i64 {
        match p {
            Period::Range { from, to } => (*to - *from).num_days() + 1,
            Period::Months(m) => 31 * m.len() as i64,
        }
    }

    proptest! {
        #[test]
        fn relative_periods_are_bounded_whatever_the_number(
            n in prop_oneof![0u64..200_000, any::<u64>()],
            unit in prop::sample::select(vec!["days", "day", "weeks", "week", "months", "full months", "days of data"]),
            range in lake_range(),
        ) {
            let text = format!("last {n} {unit}");
            let per_unit: u64 = if unit.starts_with("week") { 7 } else if unit.contains("month") { 31 } else { 1 };
            match period_text(&text) {
                Ok(spec) => {
                    let (p, _) = resolve_period(&spec, range);
                    let days = span_days(&p);
                    prop_assert!(days >= 1, "{}: {:?}", text, p);
                    // Never more than the 100 years allowed, and what was asked when it fits.
                    prop_assert!(days <= 36_600 + 31 * 2, "{}: {} days", text, days);
                    if n >= 1 && !unit.contains("month") {
                        prop_assert_eq!(days as u64, n * per_unit, "{}", text);
                    }
                }
                Err(e) => {
                    // Refused only when it reaches back beyond the bound.
                    prop_assert!(n.saturating_mul(per_unit) > 36_000 || n == 0, "{}: {}", text, e);
                    prop_assert!(e.contains(&text) || e.contains("not a period"), "{}", e);
                }
            }
        }

        #[test]
        fn any_text_is_a_period_or_an_error_never_a_panic(s in "\\PC{0,40}", range in lake_range()) {
            if let Ok(spec) = period_text(&s) {
                let _ = resolve_period(&spec, range);
            }
        }

        #[test]
        fn explicit_ranges_round_trip(a in 0i64..20_000, len in 0i64..2_000) {
            let from = d(1990, 1, 1) + chrono::Duration::days(a);
            let to = from + chrono::Duration::days(len);
            let spec = period_text(&format!("{from}..{to}")).expect("range");
            prop_assert_eq!(spec, PeriodSpec::Range(from, to));
            if len > 0 {
                let backwards = format!("{to}..{from}");
                prop_assert!(period_text(&backwards).is_err());
            }
        }
    }
}
