//! Helpers shared by the pipeline's integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_pipeline::frame::read_parquet;
use hotspot_pipeline::{BuildOptions, BuildOutcome, IngestOutcome};
use polars::prelude::*;

pub fn ingest(lake: &Lake, files: &[PathBuf]) -> IngestOutcome {
    hotspot_pipeline::ingest(lake, files, &NoProgress).expect("ingest")
}

pub fn build(lake: &Lake) -> BuildOutcome {
    hotspot_pipeline::build(lake, &BuildOptions::default(), &NoProgress).expect("build")
}

pub fn height(path: &Path) -> usize {
    read_parquet(path, None).expect("read").height()
}

pub fn frame(path: &Path) -> DataFrame {
    read_parquet(path, None).expect("read")
}

pub fn sum_u32(path: &Path, column: &str) -> u64 {
    let df = frame(path);
    df.column(column)
        .expect("column")
        .u32()
        .expect("u32")
        .iter()
        .flatten()
        .map(u64::from)
        .sum()
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[derive(Debug, Clone)]
pub struct MonthRow {
    pub incidents: u32,
    pub arrests: u32,
    pub wilson_lo: f64,
    pub wilson_hi: f64,
    pub smoothed_rate: f64,
    pub pooled_incidents: u32,
    pub pooled_arrests: u32,
    pub pooled_rate: f64,
    pub pooled_smoothed: f64,
    pub low_confidence: bool,
    pub dominant_type: Option<String>,
    pub signature_block: Option<String>,
    pub signature_street: Option<String>,
    pub district: Option<u8>,
    pub prior: f64,
}

pub fn cell_month(path: &Path) -> HashMap<u64, MonthRow> {
    let df = frame(path);
    let u32c = |n: &str| df.column(n).expect(n).u32().expect(n).clone();
    let f64c = |n: &str| df.column(n).expect(n).f64().expect(n).clone();
    let strc = |n: &str| df.column(n).expect(n).str().expect(n).clone();
    let cells = df.column("cell").expect("cell").u64().expect("u64").clone();
    let (inc, arr, pi, pa) = (
        u32c("incidents"),
        u32c("arrests"),
        u32c("pooled_incidents"),
        u32c("pooled_arrests"),
    );
    let (lo, hi, sm, pr, ps, prior) = (
        f64c("wilson_lo"),
        f64c("wilson_hi"),
        f64c("smoothed_rate"),
        f64c("pooled_rate"),
        f64c("pooled_smoothed"),
        f64c("prior"),
    );
    let low = df
        .column("low_confidence")
        .expect("low")
        .bool()
        .expect("bool")
        .clone();
    let (dt, sb, ss) = (
        strc("dominant_type"),
        strc("signature_block"),
        strc("signature_street"),
    );
    let dist = df
        .column("district")
        .expect("district")
        .u8()
        .expect("u8")
        .clone();
    (0..df.height())
        .map(|i| {
            (
                cells.get(i).expect("cell"),
                MonthRow {
                    incidents: inc.get(i).expect("v"),
                    arrests: arr.get(i).expect("v"),
                    wilson_lo: lo.get(i).expect("v"),
                    wilson_hi: hi.get(i).expect("v"),
                    smoothed_rate: sm.get(i).expect("v"),
                    pooled_incidents: pi.get(i).expect("v"),
                    pooled_arrests: pa.get(i).expect("v"),
                    pooled_rate: pr.get(i).expect("v"),
                    pooled_smoothed: ps.get(i).expect("v"),
                    low_confidence: low.get(i).expect("v"),
                    dominant_type: dt.get(i).map(str::to_string),
                    signature_block: sb.get(i).map(str::to_string),
                    signature_street: ss.get(i).map(str::to_string),
                    district: dist.get(i),
                    prior: prior.get(i).expect("v"),
                },
            )
        })
        .collect()
}

pub fn labels(path: &Path) -> HashMap<u64, String> {
    let df = frame(path);
    let cells = df.column("cell").expect("cell").u64().expect("u64").clone();
    let labels = df
        .column("label")
        .expect("label")
        .str()
        .expect("str")
        .clone();
    cells
        .iter()
        .zip(labels.iter())
        .map(|(c, l)| (c.expect("c"), l.expect("l").to_string()))
        .collect()
}

/// Rows of a Parquet file's string column.
pub fn strings(path: &Path, column: &str) -> Vec<Option<String>> {
    let df = frame(path);
    df.column(column)
        .expect("column")
        .str()
        .expect("str")
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

/// The portal export's header.
pub const HEADER: &str = "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location";

/// The fields of a valid export row (the real sample's first record) with id `id`, as written
/// in the file (the location quoted).
pub fn valid_fields(id: &str) -> Vec<String> {
    [
        id,
        "JH410439",
        "09/01/2024 12:00:00 AM",
        "006XX E 85TH ST",
        "143A",
        "WEAPONS VIOLATION",
        "UNLAWFUL POSSESSION - HANDGUN",
        "PARK PROPERTY",
        "true",
        "false",
        "0632",
        "006",
        "6",
        "44",
        "15",
        "1181989",
        "1848768",
        "2024",
        "05/17/2025 03:40:52 PM",
        "41.740242790",
        "-87.608792309",
        "\"(41.740242790, -87.608792309)\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
