//! The generator's output goes through the pipeline and reconciles exactly.

mod common;

use chrono::NaiveDate;
use common::*;
use hotspot_core::Lake;
use hotspot_core::lake::GoldTable;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::HeaderStyle;

#[test]
fn a_generated_city_reconciles_through_every_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("city.csv.gz");
    let model = hotspot_synth::CityModel::embedded().expect("model");
    let options = hotspot_synth::GenerateOptions {
        rows: 30_000,
        from: NaiveDate::from_ymd_opt(2023, 11, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"),
        seed: 11,
        style: HeaderStyle::Api,
    };
    let summary =
        hotspot_synth::generate_to_path(&model, &options, &csv, &NoProgress).expect("generate");
    let lake = Lake::new(dir.path().join("lake"));
    let run = ingest(&lake, &[csv]).run;
    let c = &run.counts;
    assert_eq!(c.rows_read, 30_000);
    assert_eq!(c.quarantined, 0);
    // Every duplicate id (exact copies and revisions) is superseded by exactly one survivor.
    assert_eq!(c.superseded, summary.duplicates);
    assert!(c.balanced());
    assert_eq!(run.sources[0].header_style.as_deref(), Some("api"));
    assert_eq!(
        run.months_touched.len(),
        4,
        "Nov, Dec, Jan, Feb across the year boundary"
    );

    let built = build(&lake).info;
    assert_eq!(built.records, c.accepted);
    // Rows without coordinates are kept and reported as unmapped (a duplicate may be among them).
    assert!(
        built.unmapped <= summary.without_coordinates
            && built.unmapped + 10 >= summary.without_coordinates
    );
    assert_eq!(
        built
            .unmapped_by_issue
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["missing"]
    );
    let months = lake.silver_months().expect("months");
    for res in 6..=10 {
        let mapped: u64 = months
            .iter()
            .map(|m| sum_u32(&lake.gold(GoldTable::CellMonth, res, *m), "incidents"))
            .sum();
        assert_eq!(mapped, built.records - built.unmapped, "r{res}");
    }
    let city: u64 = months
        .iter()
        .map(|m| sum_u32(&lake.city_hourly(*m), "incidents"))
        .sum();
    assert_eq!(city, built.records, "the citywide cube counts every record");
    // Revisions recorded arrests later: the surviving copy is the later one.
    let m = lake.read_manifest().expect("manifest");
    assert_eq!(m.months.len(), 4);
}
