//! Gi* on the real sample: the statistics of `hotspot_scope::hotspots` over the lake's whole
//! r9 coverage (zero-filled, as the contract asks) agree with an independent implementation of
//! the formula written here, bins included.

use std::collections::HashMap;

use chrono::NaiveDate;
use h3o::CellIndex;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::hotspots::{Neighbourhoods, bins, gi_star};
use hotspot_scope::{Scope, Selection};

/// Gi* straight from the formula: x̄ and s over the study area, binary weights on
/// grid_disk(cell, 1) ∩ study area, z = (Σ − x̄W) / (s √((nW − W²)/(n − 1))).
fn naive(x: &HashMap<u64, f64>) -> HashMap<u64, f64> {
    let n = x.len() as f64;
    let mean = x.values().sum::<f64>() / n;
    let sd = (x.values().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    x.keys()
        .map(|&c| {
            let cell = CellIndex::try_from(c).expect("cell");
            let members: Vec<f64> = cell
                .grid_disk::<Vec<_>>(1)
                .into_iter()
                .filter_map(|nb| x.get(&u64::from(nb)).copied())
                .collect();
            let w = members.len() as f64;
            let sum: f64 = members.iter().sum();
            (c, (sum - mean * w) / (sd * ((n * w - w * w) / (n - 1.0)).sqrt()))
        })
        .collect()
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn gi_star_on_the_sample_agrees_with_the_formula() {
    let engine = hotspot_testkit::sample::engine();
    let scope = Scope {
        selection: Selection {
            types: vec![],
            categories: vec!["Violent".into()],
        },
        ..Scope::new(
            9,
            NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
            NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
        )
    };
    let r = engine.query(&scope, &Taxonomy::default()).expect("query");
    let coverage = engine.coverage(9).expect("coverage");
    assert!(coverage.len() > 1000, "{}", coverage.len());
    // x: selected incidents per cell of the coverage, 0 where the scope has none.
    let selected: HashMap<u64, f64> = r
        .cells
        .cell
        .values()
        .iter()
        .zip(r.cells.selected.values())
        .map(|(c, s)| (*c, f64::from(*s)))
        .collect();
    let x: Vec<f64> = coverage
        .iter()
        .map(|c| selected.get(c).copied().unwrap_or(0.0))
        .collect();
    assert!(x.iter().filter(|v| **v == 0.0).count() > 0, "zero-filled cells exist");
    let gi = gi_star(&x, &Neighbourhoods::grid_disk(coverage, 1));
    assert!(gi.varies);
    let expected = naive(&coverage.iter().copied().zip(x.iter().copied()).collect());
    for (i, c) in coverage.iter().enumerate() {
        let want = expected[c];
        assert!((gi.z[i] - want).abs() < 1e-9, "cell {c:x}: {} vs {want}", gi.z[i]);
    }
    // Bins without FDR follow the plain cut-offs of |z| (1.645, 1.960, 2.576).
    let plain = bins(&gi.z, &gi.p, false);
    for (i, b) in plain.iter().enumerate() {
        let a = gi.z[i].abs();
        let level = if a > 2.575_83 {
            3
        } else if a > 1.959_97 {
            2
        } else if a > 1.644_86 {
            1
        } else {
            0
        };
        assert_eq!(b.unsigned_abs(), level, "z = {}", gi.z[i]);
    }
    // The sample has hot spots downtown, and FDR never makes more cells significant.
    let hot = plain.iter().filter(|b| **b > 0).count();
    assert!(hot > 0);
    let fdr = bins(&gi.z, &gi.p, true);
    let significant = |b: &[i8]| b.iter().filter(|v| **v != 0).count();
    assert!(significant(&fdr) <= significant(&plain));
    assert!(fdr.iter().zip(&plain).all(|(f, p)| f.unsigned_abs() <= p.unsigned_abs()));
}
