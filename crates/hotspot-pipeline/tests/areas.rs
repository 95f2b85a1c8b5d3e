//! Area outlines on the real sample: every r10 cell lies inside the outline of its modal
//! district, beat, ward and community area (worked out here from the CSV), and the areas are
//! named as people name them.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use hotspot_core::Lake;

/// A polygon's rings, exterior first, as (lat, lon).
type Rings = Vec<Vec<(f64, f64)>>;

/// Whether `p` (lat, lon) is inside the closed ring (ray casting).
fn inside(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut c = false;
    for w in ring.windows(2) {
        let ((y1, x1), (y2, x2)) = (w[0], w[1]);
        if (y1 > p.0) != (y2 > p.0) && p.1 < (x2 - x1) * (p.0 - y1) / (y2 - y1) + x1 {
            c = !c;
        }
    }
    c
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn every_cell_lies_inside_its_modal_areas_outline() {
    let sample = hotspot_testkit::sample::path();
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    ingest(&lake, std::slice::from_ref(&sample));
    build(&lake);

    // The outlines: (kind, code) → polygons of rings, exterior first.
    let df = frame(&lake.areas());
    let kind = df.column("kind").expect("kind").str().expect("str").clone();
    let code = df.column("code").expect("code").u16().expect("u16").clone();
    let name = df.column("name").expect("name").str().expect("str").clone();
    let poly = df
        .column("polygon")
        .expect("polygon")
        .u32()
        .expect("u32")
        .clone();
    let ring = df.column("ring").expect("ring").u32().expect("u32").clone();
    let lat = df.column("lat").expect("lat").list().expect("list").clone();
    let lon = df.column("lon").expect("lon").list().expect("list").clone();
    let mut areas: HashMap<(String, u16), BTreeMap<u32, Rings>> = HashMap::new();
    let mut names: HashMap<(String, u16), String> = HashMap::new();
    for i in 0..df.height() {
        let key = (
            kind.get(i).expect("kind").to_string(),
            code.get(i).expect("code"),
        );
        let la = lat.get_as_series(i).expect("lat");
        let lo = lon.get_as_series(i).expect("lon");
        let pts: Vec<(f64, f64)> = la
            .f64()
            .expect("f64")
            .iter()
            .zip(lo.f64().expect("f64").iter())
            .map(|(a, b)| (a.expect("lat"), b.expect("lon")))
            .collect();
        assert_eq!(pts.first(), pts.last(), "rings are closed");
        let rings = areas
            .entry(key.clone())
            .or_default()
            .entry(poly.get(i).expect("polygon"))
            .or_default();
        assert_eq!(
            rings.len() as u32,
            ring.get(i).expect("ring"),
            "rings in order"
        );
        rings.push(pts);
        names.insert(key, name.get(i).expect("name").to_string());
    }
    let contains = |key: &(String, u16), p: (f64, f64)| {
        areas.get(key).is_some_and(|polys| {
            polys
                .values()
                .any(|rings| inside(&rings[0], p) && !rings[1..].iter().any(|h| inside(h, p)))
        })
    };

    // Modal jurisdictions per r10 cell, from the CSV (ties to the smallest code).
    let mut r = csv::Reader::from_path(&sample).expect("sample");
    let header = r.headers().expect("header").clone();
    let col = |n: &str| header.iter().position(|h| h == n).expect(n);
    let (la, lo) = (col("Latitude"), col("Longitude"));
    let fields = [
        ("district", col("District")),
        ("beat", col("Beat")),
        ("ward", col("Ward")),
        ("community_area", col("Community Area")),
    ];
    let mut counts: HashMap<(&str, u64), BTreeMap<u16, u32>> = HashMap::new();
    for row in r.records() {
        let row = row.expect("row");
        let (Ok(a), Ok(b)) = (row[la].parse::<f64>(), row[lo].parse::<f64>()) else {
            continue;
        };
        let cell = h3o::LatLng::new(a, b)
            .expect("point")
            .to_cell(h3o::Resolution::Ten);
        for (kind, i) in fields {
            if let Ok(v) = row[i].trim().parse::<u16>() {
                *counts
                    .entry((kind, u64::from(cell)))
                    .or_default()
                    .entry(v)
                    .or_default() += 1;
            }
        }
    }
    let mut checked = 0;
    for ((kind, cell), by_code) in &counts {
        let top = by_code.values().max().copied().unwrap_or(0);
        let code = by_code
            .iter()
            .find(|(_, n)| **n == top)
            .map(|(c, _)| *c)
            .expect("mode");
        let centre = h3o::LatLng::from(h3o::CellIndex::try_from(*cell).expect("cell"));
        let key = (kind.to_string(), code);
        assert!(
            contains(&key, (centre.lat(), centre.lng())),
            "the centre of {cell:x} is not inside {kind} {code}"
        );
        checked += 1;
    }
    assert!(checked > 4 * 7_000, "{checked} checked");
    for (key, want) in [
        (("district".to_string(), 1), "District 1 (Central)"),
        (("community_area".to_string(), 32), "Loop"),
        (("beat".to_string(), 111), "Beat 0111"),
        (("ward".to_string(), 42), "Ward 42"),
    ] {
        assert_eq!(names.get(&key).map(String::as_str), Some(want));
    }
}
