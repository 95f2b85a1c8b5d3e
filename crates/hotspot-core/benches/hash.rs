//! `cargo bench --workspace --bench hash`: the maps of hot paths keyed by H3 r10 cells (as
//! Gold aggregation and the renderer's slot lookups use them), with foldhash (our
//! [`hotspot_core::hash::FastMap`]), rustc-hash's FxHash and std's SipHash.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use h3o::{LatLng, Resolution};

/// About 30k distinct r10 cells on a grid over Chicago, in a scrambled order.
fn cells() -> Vec<u64> {
    let mut out = Vec::new();
    for i in 0..180 {
        for j in 0..170 {
            let lat = 41.65 + f64::from(i) * 0.0022;
            let lng = -87.90 + f64::from(j) * 0.0028;
            if let Ok(ll) = LatLng::new(lat, lng) {
                out.push(u64::from(ll.to_cell(Resolution::Ten)));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.sort_by_key(|c| c.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    out
}

fn insert_and_look_up<S: BuildHasher + Default>(cells: &[u64]) -> u64 {
    let mut m: HashMap<u64, u32, S> = HashMap::default();
    for (i, c) in cells.iter().enumerate() {
        *m.entry(*c).or_default() += i as u32;
    }
    cells.iter().map(|c| u64::from(m[c])).sum()
}

fn bench(c: &mut Criterion) {
    let cells = cells();
    let mut g = c.benchmark_group(format!("{} r10 cells: insert + lookup", cells.len()));
    g.bench_function("foldhash (FastMap)", |b| {
        b.iter(|| insert_and_look_up::<hotspot_core::hash::FastState>(black_box(&cells)))
    });
    g.bench_function("rustc-hash FxHash", |b| {
        b.iter(|| insert_and_look_up::<rustc_hash::FxBuildHasher>(black_box(&cells)))
    });
    g.bench_function("std SipHash", |b| {
        b.iter(|| insert_and_look_up::<std::collections::hash_map::RandomState>(black_box(&cells)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
