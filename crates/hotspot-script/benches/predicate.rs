//! The vectorised predicate over 40,000 cells: one script call per scope change.
//!
//! The scope result is synthetic (deterministic pseudo-random counts for 40k r10 cells), so
//! the bench needs no lake. Run: `cargo bench --workspace --bench predicate`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hotspot_scope::{
    CellArrays, Comparison, DrillInfo, Granularity, Kpis, MixSeries, Scope, ScopeResult, Series,
    WeekWindow,
};
use hotspot_script::ScriptHost;

const CELLS: usize = 40_000;

/// A scope result with `n` cells of plausible, deterministic values.
fn synthetic(n: usize) -> ScopeResult {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let base = 0x8a26_64c1_a000_0000u64;
    let mut cell = Vec::with_capacity(n);
    let (mut inc, mut arr, mut prev) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        cell.push(base + (i as u64) * 0x40_0000);
        // Heavy-tailed counts: most cells quiet, a few busy.
        let r = next() % 1000;
        let n_inc = if r < 600 { r % 5 + 1 } else { r % 60 + 1 } as u32;
        inc.push(n_inc);
        arr.push((next() % u64::from(n_inc + 1)) as u32 / 3);
        prev.push((next() % u64::from(n_inc + 3)) as u32);
    }
    let (k, nn): (u64, u64) = (
        arr.iter().map(|v| u64::from(*v)).sum(),
        inc.iter().map(|v| u64::from(*v)).sum(),
    );
    let prior = k as f64 / nn as f64;
    let rate: Vec<f32> = inc
        .iter()
        .zip(&arr)
        .map(|(n, k)| *k as f32 / *n as f32)
        .collect();
    let wilson: Vec<(f64, f64)> = inc
        .iter()
        .zip(&arr)
        .map(|(n, k)| hotspot_core::stats::wilson_interval(f64::from(*k), f64::from(*n), 1.959964))
        .collect();
    let cells = CellArrays {
        cell: From::from(cell),
        incidents: From::from(inc.clone()),
        selected: From::from(inc.clone()),
        arrests: From::from(arr.clone()),
        arrest_rate: From::from(rate.clone()),
        wilson_lo: From::from(wilson.iter().map(|w| w.0 as f32).collect::<Vec<_>>()),
        wilson_hi: From::from(wilson.iter().map(|w| w.1 as f32).collect::<Vec<_>>()),
        smoothed_rate: From::from(rate.clone()),
        pooled_incidents: From::from(inc.clone()),
        pooled_arrests: From::from(arr.clone()),
        pooled_rate: From::from(rate.clone()),
        pooled_smoothed: From::from(rate),
        focus_share: From::from(vec![1.0f32; n]),
        low_confidence: From::from(inc.iter().map(|v| *v < 5).collect::<Vec<_>>()),
        dominant_type: From::from(vec![Some("THEFT"); n]),
        label: From::from(vec![Some("001XX N State St"); n]),
        district: From::from(vec![Some(1u8); n]),
        ward: From::from(vec![Some(42u8); n]),
        community_area: From::from(vec![Some(32u8); n]),
        previous_selected: From::from(prev),
    };
    let day = |d: u32| NaiveDate::from_ymd_opt(2024, 9, d).unwrap_or_default();
    let window = WeekWindow {
        days: None,
        complete_days: 0,
        note: String::new(),
    };
    ScopeResult {
        scope: Scope::new(10, day(1), day(15)),
        period_label: "1–15 Sep 2024".into(),
        from: day(1),
        to: day(15),
        selection_active: false,
        selected_types: vec![],
        cells,
        prior,
        kpis: Kpis {
            incidents_label: "Total incidents".into(),
            incidents: nn,
            incidents_delta: None,
            busiest: None,
            avg_focus_share: None,
            avg_focus_share_delta: None,
            overall_focus_share: None,
            arrests: k,
            arrests_delta: None,
            arrest_rate: prior,
            window,
        },
        series: Series {
            mix: MixSeries {
                granularity: Granularity::Day,
                buckets: vec![],
                periods: vec![],
                counts: vec![],
                totals: vec![],
                arrests: vec![],
            },
            arrests: k,
            no_arrest: nn - k,
            dow_incidents: [0; 7],
            dow_arrests: [0; 7],
            hour_incidents: [0; 24],
            hour_arrests: [0; 24],
            hour_focus_dow: None,
            hour_note: None,
            top_types: vec![],
            top_districts: vec![],
            districts_note: None,
            crime_mix: vec![],
        },
        table: vec![],
        comparison: Comparison {
            period_label: "17–31 Aug 2024".into(),
            complete: false,
            incidents: 0,
            arrests: 0,
            change_share: None,
            rises: vec![],
            falls: vec![],
            tested: false,
            change_p: vec![f32::NAN; n],
            change_sig: vec![0; n],
            significant_up: vec![],
            significant_down: vec![],
            n_up: 0,
            n_down: 0,
        },
        warnings: vec![],
        drill: DrillInfo {
            breadcrumbs: vec![],
            target: None,
            parent: None,
            children: vec![],
        },
        hot_spots: None,
        emerging: None,
        elapsed_us: 0,
    }
}

fn predicate(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let host = ScriptHost::open(&dir);
    let result = synthetic(CELLS);
    let t = Instant::now();
    let mask = host
        .predicate("low_clearance", &result)
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "low_clearance over {CELLS} cells: {} flagged, first call {:.2} ms",
        mask.iter().filter(|m| **m).count(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut group = c.benchmark_group("predicate");
    group.sample_size(50);
    group.bench_function("low_clearance 40k cells", |b| {
        b.iter(|| host.predicate("low_clearance", black_box(&result)))
    });
    group.bench_function("quick_hits 40k cells", |b| {
        b.iter(|| host.quick_hits(black_box(&result)))
    });
    group.finish();
}

criterion_group!(benches, predicate);
criterion_main!(benches);
