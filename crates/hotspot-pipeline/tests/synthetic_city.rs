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
    let run = ingest(&lake, std::slice::from_ref(&csv)).run;
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
    let m = lake.read_manifest().expect("manifest");
    assert_eq!(m.months.len(), 4);

    // Revisions recorded arrests later: for every id the export repeats with different
    // contents, Bronze holds the copy with the latest Updated On.
    let mut copies: std::collections::HashMap<i64, Vec<(i64, bool)>> = Default::default();
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&csv).expect("open"))
            .read_to_string(&mut s)
            .expect("gunzip");
        s
    };
    let mut lines = text.lines();
    let names: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let header = hotspot_core::socrata::Header::detect(&names).expect("header");
    let mut fields = Vec::new();
    for line in lines {
        hotspot_core::csv::split_fields_str(line, &mut fields);
        let r = hotspot_core::socrata::parse_record(&header, &fields).expect("row");
        copies
            .entry(r.id)
            .or_default()
            .push((r.updated_on.unwrap_or(i64::MIN), r.arrest));
    }
    let revised: Vec<(i64, bool)> = copies
        .iter()
        .filter(|(_, v)| v.len() > 1 && v.iter().any(|c| c.1 != v[0].1))
        .map(|(id, v)| {
            let latest = v.iter().max_by_key(|c| c.0).expect("copies");
            (*id, latest.1)
        })
        .collect();
    assert!(
        revised.len() as u64 * 2 >= summary.revisions,
        "{} revised ids for {} revisions",
        revised.len(),
        summary.revisions
    );
    assert!(!revised.is_empty(), "the generator wrote no revisions");
    let mut bronze: std::collections::HashMap<i64, bool> = Default::default();
    for month in lake.bronze_months().expect("months") {
        let df = frame(&lake.bronze(month));
        let ids = df.column("id").expect("id").i64().expect("i64").clone();
        let arrests = df
            .column("arrest")
            .expect("arrest")
            .bool()
            .expect("bool")
            .clone();
        for (id, arrest) in ids.iter().zip(arrests.iter()) {
            bronze.insert(id.expect("id"), arrest.expect("arrest"));
        }
    }
    for (id, arrest) in &revised {
        assert_eq!(bronze.get(id), Some(arrest), "id {id}: not the latest copy");
    }
}
