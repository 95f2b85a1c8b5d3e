//! Scope-change latency over a generated lake of the full history.
//!
//! The lake (HOTSPOT_BENCH_ROWS rows, default 8,000,000, 2001–2025) is generated, ingested and
//! built once and cached under the target directory; later runs reuse it. Set HOTSPOT_BENCH_LAKE
//! to bench an existing lake instead.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::Engine;

fn bench_lake() -> Lake {
    if let Ok(p) = std::env::var("HOTSPOT_BENCH_LAKE") {
        return Lake::new(p);
    }
    let rows: u64 = std::env::var("HOTSPOT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8_000_000);
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("hotspot-bench").join(format!("lake-{rows}"));
    let lake = Lake::new(dir.join("lake"));
    if lake
        .read_manifest()
        .map(|m| m.build.is_some())
        .unwrap_or(false)
    {
        return lake;
    }
    eprintln!(
        "building a {rows}-row benchmark lake in {} (once)…",
        dir.display()
    );
    std::fs::create_dir_all(&dir).expect("bench dir");
    let csv = dir.join("city.csv");
    let model = hotspot_synth::CityModel::embedded().expect("model");
    let options = hotspot_synth::GenerateOptions {
        rows,
        from: NaiveDate::from_ymd_opt(2001, 1, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
        seed: 7,
        style: hotspot_core::socrata::HeaderStyle::Export,
    };
    hotspot_synth::generate_to_path(&model, &options, &csv, &NoProgress).expect("generate");
    hotspot_pipeline::ingest(&lake, std::slice::from_ref(&csv), &NoProgress).expect("ingest");
    hotspot_pipeline::build(&lake, &Default::default(), &NoProgress).expect("build");
    let _ = std::fs::remove_file(csv);
    lake
}

fn scopes(c: &mut Criterion) {
    let lake = bench_lake();
    let t = Instant::now();
    let engine = Engine::open(&lake).expect("open");
    eprintln!(
        "loaded {} in {:.2} s; index ≈ {:.0} MiB",
        lake.root().display(),
        t.elapsed().as_secs_f64(),
        engine.summary().index_bytes as f64 / (1 << 20) as f64
    );
    let taxonomy = Taxonomy::default();
    let mut group = c.benchmark_group("scope");
    group.sample_size(20);
    for (name, scope) in hotspot_scope::bench::standard_scopes(&engine) {
        group.bench_function(&name, |b| {
            b.iter(|| engine.query(&scope, &taxonomy).expect("query"))
        });
    }
    group.finish();
}

criterion_group!(benches, scopes);
criterion_main!(benches);
