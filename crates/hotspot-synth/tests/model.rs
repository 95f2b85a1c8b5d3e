//! The committed model: parses, holds no incident identifiers, equals a fresh derivation.

mod common;

use std::io::Write;

use hotspot_synth::{CityModel, SynthError};

#[test]
fn embedded_model_parses_and_is_consistent() {
    let m = common::model();
    m.validate().expect("valid");
    assert_eq!(m.format, hotspot_synth::model::MODEL_FORMAT);
    assert_eq!(m.categories.len(), 6);
    assert!(m.types.len() >= 20, "only {} types", m.types.len());
    assert!(m.type_share("THEFT") > 0.15 && m.type_share("THEFT") < 0.35);
    assert!(m.type_share("HOMICIDE") > 0.0 && m.type_share("HOMICIDE") < 0.01);
    assert!(m.cells_r8.len() > 500 && m.hot_r10.len() > 300 && m.streets.len() > 800);
    // Stays well under the size budget.
    assert!(CityModel::embedded_json().len() < 1_500_000);
    // The canonical text round-trips.
    assert_eq!(m.to_json().expect("json"), CityModel::embedded_json());
}

/// A value in the model shaped like an incident identifier: a case number (two capitals then
/// six digits) or an incident id (an integer of 8 or more digits).
fn find_identifier(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            let case_number = b.len() == 8
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..].iter().all(u8::is_ascii_digit);
            case_number.then(|| s.clone())
        }
        Value::Number(n) => n
            .as_u64()
            .filter(|&n| n >= 10_000_000)
            .map(|n| n.to_string()),
        Value::Array(a) => a.iter().find_map(find_identifier),
        Value::Object(o) => o.iter().find_map(|(k, v)| {
            find_identifier(&Value::String(k.clone())).or_else(|| find_identifier(v))
        }),
        _ => None,
    }
}

#[test]
fn model_holds_no_incident_identifiers() {
    let probe: serde_json::Value =
        serde_json::from_str(r#"{"a":[{"b":"JH410439"}],"c":1,"d":"882664c1a9fffff"}"#)
            .expect("json");
    assert_eq!(find_identifier(&probe), Some("JH410439".into()));
    let probe: serde_json::Value = serde_json::from_str(r#"[1, 13582375]"#).expect("json");
    assert_eq!(find_identifier(&probe), Some("13582375".into()));
    let text = CityModel::embedded_json();
    let value: serde_json::Value = serde_json::from_str(text).expect("json");
    assert_eq!(find_identifier(&value), None);
    for key in ["\"id\"", "case_number", "\"date\""] {
        assert!(!text.contains(key), "model has a {key} field");
    }
    // Aggregates only: every hot cell really aggregates several incidents.
    let m = common::model();
    for c in &m.hot_r10 {
        assert!(c.counts.iter().sum::<u32>() >= hotspot_synth::model::HOT_MIN_INCIDENTS);
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn committed_model_equals_a_fresh_derivation() {
    let sample = hotspot_testkit::sample::path();
    let fresh = CityModel::derive(&[sample])
        .expect("derive")
        .to_json()
        .expect("json");
    let committed = CityModel::embedded_json();
    if fresh != committed {
        let line = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b);
        panic!(
            "data/city-model.json is stale (first difference at line {:?}); regenerate it with \
             `cargo run -p hotspot-synth --example derive-model -- SAMPLE.csv > data/city-model.json`",
            line.map(|l| l + 1)
        );
    }
}

#[test]
fn derivation_reads_api_style_and_gzip_and_rejects_foreign_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A generated API-style file derives a model with the same shape.
    let m = common::model();
    let opts = common::options(
        20_000,
        common::date(2024, 9, 1),
        common::date(2024, 9, 30),
        5,
        hotspot_core::socrata::HeaderStyle::Api,
    );
    let (bytes, summary) = common::generate_bytes(&m, &opts);
    let api = dir.path().join("api.csv");
    std::fs::write(&api, &bytes).expect("write");
    let again = CityModel::derive(std::slice::from_ref(&api)).expect("derive api");
    assert_eq!(again.source.rows, 20_000);
    assert_eq!(again.source.duplicate_ids, summary.duplicates);
    assert_eq!(again.source.mixed_case_blocks, summary.mixed_case_blocks);
    assert!(again.source.without_coordinates >= summary.without_coordinates);
    assert_eq!(again.types[0].primary_type, m.types[0].primary_type);
    assert_eq!(
        (
            again.source.first_day.as_str(),
            again.source.last_day.as_str()
        ),
        ("2024-09-01", "2024-09-30")
    );

    // The same rows gzip-compressed give the same model.
    let gz = dir.path().join("api.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&bytes).expect("gzip");
    std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
    let from_gz = CityModel::derive(&[gz]).expect("derive gz");
    assert_eq!(from_gz, again);

    // Two files: the second's rows repeat the first's IDs and are skipped.
    let twice = CityModel::derive(&[api.clone(), api]).expect("derive twice");
    assert_eq!(twice.source.used, again.source.used);
    assert_eq!(twice.types, again.types);

    let foreign = dir.path().join("foreign.csv");
    std::fs::write(&foreign, "a,b\n1,2\n").expect("write");
    assert!(matches!(
        CityModel::derive(&[foreign]),
        Err(SynthError::Header { .. })
    ));
    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        CityModel::derive(&[missing]),
        Err(SynthError::Io { .. })
    ));
}

#[test]
fn invalid_models_are_rejected() {
    assert!(matches!(
        CityModel::from_json("{}"),
        Err(SynthError::Json(_))
    ));
    let mut m = common::model();
    m.time.minutes.pop();
    let text = m.to_json().expect("json");
    assert!(matches!(
        CityModel::from_json(&text),
        Err(SynthError::InvalidModel(_))
    ));
    let mut m = common::model();
    m.cells_r8[0].cell = "not-a-cell".into();
    assert!(m.validate().is_err());
}
