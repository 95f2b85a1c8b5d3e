//! Alert rules against a generated city: a surge injected into one cell's last week fires for
//! that cell (and only it) with the figures counted here; the same city without the surge
//! raises nothing.

use std::path::Path;

use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::Engine;
use hotspot_scope::alerts::{AlertRule, SurgeRule, poisson_upper_tail};
use hotspot_scope::scope::Selection;
use hotspot_testkit::lakes::{GeneratedLake, Spec};

fn rule() -> AlertRule {
    AlertRule::Surge(SurgeRule {
        name: "surge-7d".into(),
        res: 9,
        days: 7,
        baseline_days: 56,
        false_alarm: 0.01,
        min_count: 5,
        selection: Selection::default(),
        hold_s: 30,
    })
}

/// Writes `n` copies of the generated export's last geolocated row, spread over the last
/// seven days (new IDs and case numbers), and returns the file and the copied row's
/// coordinates.
fn surge_csv(generated: &Path, dir: &Path, n: usize) -> (std::path::PathBuf, f64, f64) {
    let mut rd = csv::Reader::from_path(generated).expect("generated csv");
    let header = rd.headers().expect("header").clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (id, case, date, updated, lat, lon) = (
        col("ID"),
        col("Case Number"),
        col("Date"),
        col("Updated On"),
        col("Latitude"),
        col("Longitude"),
    );
    let row = rd
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| !r[lat].is_empty() && r[date].starts_with("09/"))
        .last()
        .expect("a geolocated September row");
    let path = dir.join("surge.csv");
    let mut w = csv::Writer::from_path(&path).expect("surge csv");
    w.write_record(&header).expect("header");
    for i in 0..n {
        let mut fields: Vec<String> = row.iter().map(str::to_string).collect();
        fields[id] = format!("{}", 90_000_000 + i);
        fields[case] = format!("JZ{:06}", 900_000 + i);
        // 24–30 Sept 2024, the lake's last week.
        fields[date] = format!("09/{:02}/2024 10:{:02}:00 PM", 24 + i % 7, i % 60);
        fields[updated] = "10/01/2024 03:40:00 PM".into();
        w.write_record(&fields).expect("row");
    }
    w.flush().expect("flush");
    let (la, lo) = (
        row[lat].parse().expect("lat"),
        row[lon].parse().expect("lon"),
    );
    (path, la, lo)
}

#[test]
fn a_surge_in_one_cell_fires_for_that_cell_alone_and_a_quiet_city_raises_nothing() {
    let g = GeneratedLake::build(Spec::new(40_000, (2024, 6, 1), (2024, 9, 30), 11));
    let taxonomy = Taxonomy::default();
    let quiet = g.engine();
    assert_eq!(quiet.date_range().1.to_string(), "2024-09-30");
    let before = quiet
        .evaluate_alerts(&[rule()], &taxonomy)
        .expect("evaluate");
    assert!(before.is_empty(), "a quiet city raised {before:#?}");

    // Thirty more incidents at one address in the last week.
    let (csv, lat, lon) = surge_csv(&g.csv, g.dir(), 30);
    let lake = Lake::new(g.lake.root());
    hotspot_pipeline::ingest(&lake, &[csv], &NoProgress).expect("ingest");
    hotspot_pipeline::build(&lake, &Default::default(), &NoProgress).expect("build");
    let engine = Engine::open(&lake).expect("open");
    let cell = u64::from(
        h3o::LatLng::new(lat, lon)
            .expect("coordinates")
            .to_cell(h3o::Resolution::Nine),
    );
    let alerts = engine
        .evaluate_alerts(&[rule()], &taxonomy)
        .expect("evaluate");
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(
        (a.cell, a.kind, a.rule.as_str()),
        (cell, "surge", "surge-7d")
    );
    assert_eq!(a.from.to_string(), "2024-09-24");
    assert_eq!(a.to.to_string(), "2024-09-30");

    // The figures, counted independently: the cell's incidents in the window and in the 56
    // days before (29 Jul – 23 Sep), straight from a plain scope query.
    let count = |from: (u32, u32), to: (u32, u32)| {
        let d = |(m, day): (u32, u32)| chrono::NaiveDate::from_ymd_opt(2024, m, day).expect("day");
        let r = engine
            .query(&hotspot_scope::Scope::new(9, d(from), d(to)), &taxonomy)
            .expect("query");
        (0..r.cells.len())
            .find(|&i| r.cells.cell.value(i) == cell)
            .map_or(0, |i| u64::from(r.cells.incidents.value(i)))
    };
    let observed = count((9, 24), (9, 30));
    let baseline = count((7, 29), (9, 23));
    assert!(observed >= 30);
    assert_eq!(a.observed, observed);
    let expected = baseline.max(1) as f64 * 7.0 / 56.0;
    assert!(
        (a.expected - expected).abs() < 1e-9,
        "{} vs {expected}",
        a.expected
    );
    assert!((a.p - poisson_upper_tail(observed, expected)).abs() <= 1e-12 * a.p.max(1e-300));
    assert!(a.bound <= observed && a.bound >= 5);
    assert!(
        a.why
            .contains(&format!("{observed} incidents in the last 7 days")),
        "{}",
        a.why
    );
    // The event's key names the rule, the cell and the window's end: the same surge seen
    // again later the same day is the same event.
    assert_eq!(a.key(), format!("surge-7d|{cell:015x}|2024-09-30"));
}
