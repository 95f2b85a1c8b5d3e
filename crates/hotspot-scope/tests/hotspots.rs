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
            (
                c,
                (sum - mean * w) / (sd * ((n * w - w * w) / (n - 1.0)).sqrt()),
            )
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
    assert!(
        x.iter().filter(|v| **v == 0.0).count() > 0,
        "zero-filled cells exist"
    );
    let gi = gi_star(&x, &Neighbourhoods::grid_disk(coverage, 1));
    assert!(gi.varies);
    let expected = naive(&coverage.iter().copied().zip(x.iter().copied()).collect());
    for (i, c) in coverage.iter().enumerate() {
        let want = expected[c];
        assert!(
            (gi.z[i] - want).abs() < 1e-9,
            "cell {c:x}: {} vs {want}",
            gi.z[i]
        );
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
    assert!(
        fdr.iter()
            .zip(&plain)
            .all(|(f, p)| f.unsigned_abs() <= p.unsigned_abs())
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_engine_tests_the_whole_coverage_whatever_the_drill() {
    use hotspot_scope::{HotSpotOptions, ScopeError};
    let engine = hotspot_testkit::sample::engine();
    let sept = |drill: Vec<u64>| Scope {
        drill,
        ..Scope::new(
            9,
            NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
            NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
        )
    };
    let tax = Taxonomy::default();
    let city = engine
        .hot_spots(&sept(vec![]), &tax, HotSpotOptions::default())
        .expect("hot spots");
    let coverage = engine.coverage(9).expect("coverage");
    assert_eq!(city.cells, coverage);
    assert_eq!(city.shown, 0..coverage.len());
    assert_eq!(city.counts.iter().sum::<u64>(), coverage.len() as u64);
    // x is the scope's incidents per cell, zero-filled: its total is the mapped incidents.
    let r = engine.query(&sept(vec![]), &tax).expect("query");
    let mapped: u64 = r
        .cells
        .incidents
        .values()
        .iter()
        .map(|v| u64::from(*v))
        .sum();
    assert_eq!(city.x.iter().map(|v| u64::from(*v)).sum::<u64>(), mapped);
    let expected = naive(
        &coverage
            .iter()
            .zip(&city.x)
            .map(|(c, v)| (*c, f64::from(*v)))
            .collect(),
    );
    for (i, c) in coverage.iter().enumerate() {
        assert!((city.z[i] - expected[c]).abs() < 1e-9);
    }
    assert!(
        city.count(3) + city.count(2) + city.count(1) > 0,
        "{:?}",
        city.counts
    );

    // Drilled into the r8 parent of the hottest cell: same statistics, fewer cells shown.
    let hottest = (0..coverage.len())
        .max_by(|&a, &b| city.z[a].total_cmp(&city.z[b]))
        .expect("cells");
    let parent = u64::from(
        CellIndex::try_from(coverage[hottest])
            .expect("cell")
            .parent(h3o::Resolution::Eight)
            .expect("parent"),
    );
    let drilled = engine
        .hot_spots(&sept(vec![parent]), &tax, HotSpotOptions::default())
        .expect("drilled");
    assert_eq!(drilled.z, city.z);
    assert_eq!(drilled.bin, city.bin);
    assert!(drilled.shown.contains(&hottest));
    assert!(drilled.shown.len() < coverage.len() && drilled.shown.len() <= 7);
    assert_eq!(
        drilled.counts.iter().sum::<u64>(),
        drilled.shown.len() as u64
    );

    // A wider ring smooths more; an absurd one is refused.
    let k2 = engine
        .hot_spots(&sept(vec![]), &tax, HotSpotOptions { k: 2, fdr: true })
        .expect("k = 2");
    assert_ne!(k2.z, city.z);
    let err = engine
        .hot_spots(&sept(vec![]), &tax, HotSpotOptions { k: 40, fdr: true })
        .expect_err("k = 40");
    assert!(matches!(err, ScopeError::Options(_)), "{err}");
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn clusters_are_touching_significant_cells_of_one_sign() {
    use hotspot_scope::HotSpotOptions;
    let engine = hotspot_testkit::sample::engine();
    let scope = sept9();
    let h = engine
        .hot_spots(&scope, &Taxonomy::default(), HotSpotOptions::default())
        .expect("hot spots");
    let clusters = h.clusters();
    assert!(!clusters.is_empty());
    // Every significant cell is in exactly one cluster, of its sign.
    let significant: Vec<u64> = (0..h.cells.len())
        .filter(|&i| h.bin[i] != 0)
        .map(|i| h.cells[i])
        .collect();
    let mut clustered: Vec<u64> = clusters.iter().flat_map(|c| c.cells.clone()).collect();
    clustered.sort_unstable();
    assert_eq!(clustered, significant);
    let index = |c: &u64| h.cells.binary_search(c).expect("in coverage");
    for cl in &clusters {
        assert!(cl.cells.iter().all(|c| h.bin[index(c)].signum() == cl.sign));
        assert_eq!(
            cl.incidents,
            cl.cells
                .iter()
                .map(|c| u64::from(h.x[index(c)]))
                .sum::<u64>()
        );
        // Connected: every cell of a cluster of several touches another of it.
        if cl.cells.len() > 1 {
            for c in &cl.cells {
                let cell = CellIndex::try_from(*c).expect("cell");
                let touches = cell
                    .grid_disk::<Vec<_>>(1)
                    .into_iter()
                    .any(|n| u64::from(n) != *c && cl.cells.contains(&u64::from(n)));
                assert!(touches, "{c:x} is alone in a cluster of {}", cl.cells.len());
            }
        }
    }
    // Two clusters of one sign never touch (they would be one).
    for (a, ca) in clusters.iter().enumerate() {
        for cb in clusters.iter().skip(a + 1).filter(|cb| cb.sign == ca.sign) {
            for c in &ca.cells {
                let cell = CellIndex::try_from(*c).expect("cell");
                assert!(
                    !cell
                        .grid_disk::<Vec<_>>(1)
                        .into_iter()
                        .any(|n| cb.cells.contains(&u64::from(n)))
                );
            }
        }
    }
    // Hot clusters come first, the busiest first.
    let hot: Vec<_> = clusters.iter().take_while(|c| c.sign > 0).collect();
    assert!(hot.windows(2).all(|w| w[0].incidents >= w[1].incidents));
    assert!(clusters.iter().skip(hot.len()).all(|c| c.sign < 0));
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn emerging_hot_spots_on_the_sample_follow_the_formula_and_the_definitions() {
    use hotspot_scope::hotspots::{Category, Family, Pattern};
    use hotspot_scope::{EmergingOptions, Step};
    let engine = hotspot_testkit::sample::engine();
    let scope = sept9();
    let tax = Taxonomy::default();
    let options = EmergingOptions {
        step: Step::Week,
        ..EmergingOptions::default()
    };
    let e = engine
        .emerging_hot_spots(&scope, &tax, options)
        .expect("emerging");
    // Two whole weeks end on the 15th: 2–8 and 9–15 September (the 1st is left out).
    let d = |day| NaiveDate::from_ymd_opt(2024, 9, day).expect("date");
    assert_eq!(e.steps, vec![(d(2), d(8)), (d(9), d(15))]);
    let n = e.cells.len();
    assert_eq!(e.z.len(), 2 * n);
    assert_eq!(e.counts.values().sum::<u64>(), n as u64);

    // Space-time Gi* from the formula: the counts of each week from separate queries, x̄ and s
    // over all 2n bins, the neighbourhood of (i, week 2) is N(i) in both weeks.
    let week = |a, b| {
        let r = engine
            .query(&Scope::new(9, d(a), d(b)), &tax)
            .expect("query");
        let by_cell: HashMap<u64, f64> = r
            .cells
            .cell
            .values()
            .iter()
            .zip(r.cells.selected.values())
            .map(|(c, s)| (*c, f64::from(*s)))
            .collect();
        e.cells
            .iter()
            .map(|c| by_cell.get(c).copied().unwrap_or(0.0))
            .collect::<Vec<f64>>()
    };
    let (w1, w2) = (week(2, 8), week(9, 15));
    let all: Vec<f64> = w1.iter().chain(&w2).copied().collect();
    let bins = all.len() as f64;
    let mean = all.iter().sum::<f64>() / bins;
    let sd = (all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / bins).sqrt();
    let index: HashMap<u64, usize> = e.cells.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    for i in (0..n).step_by(37) {
        let cell = CellIndex::try_from(e.cells[i]).expect("cell");
        let nb: Vec<usize> = cell
            .grid_disk::<Vec<_>>(1)
            .into_iter()
            .filter_map(|c| index.get(&u64::from(c)).copied())
            .collect();
        let z =
            |sum: f64, w: f64| (sum - mean * w) / (sd * ((bins * w - w * w) / (bins - 1.0)).sqrt());
        let w = nb.len() as f64;
        let first: f64 = nb.iter().map(|&j| w1[j]).sum();
        let second: f64 = nb.iter().map(|&j| w1[j] + w2[j]).sum();
        assert!((e.z[i] - z(first, w)).abs() < 1e-9, "week 1, cell {i}");
        assert!(
            (e.z[n + i] - z(second, 2.0 * w)).abs() < 1e-9,
            "week 2, cell {i}"
        );
    }

    // Every category agrees with its definition on the cell's significant weeks.
    for i in 0..n {
        let s = [e.sig[i], e.sig[n + i]];
        match e.category[i] {
            Category::Spot(Family::Hot, Pattern::New) => assert_eq!(s, [0, 1]),
            Category::Spot(Family::Cold, Pattern::New) => assert_eq!(s, [0, -1]),
            Category::Spot(_, Pattern::Historical) => panic!("historical needs 90 % of 2 steps"),
            Category::Spot(
                _,
                Pattern::Intensifying | Pattern::Persistent | Pattern::Diminishing,
            ) => {
                assert!(s[0] == s[1] && s[0] != 0, "{s:?}")
            }
            Category::Spot(Family::Hot, Pattern::Oscillating) => assert_eq!(s, [-1, 1]),
            // With two steps, one significant week is 50 %: never the 90 % of "historical".
            Category::NoPattern => assert_eq!(s[1], 0, "{s:?}"),
            other => assert!(s[1] != 0, "{} with {s:?}", other.name()),
        }
    }
    assert!(
        e.counts
            .keys()
            .any(|c| matches!(c, Category::Spot(Family::Hot, _))),
        "{:?}",
        e.counts
    );

    // Bounds: a single week is refused with what to do.
    let short = Scope::new(9, d(9), d(15));
    let err = engine
        .emerging_hot_spots(&short, &tax, options)
        .expect_err("one step");
    assert!(err.to_string().contains("at least two steps"), "{err}");
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_query_asking_for_hot_spots_carries_the_engines_answer() {
    use hotspot_scope::HotSpotOptions;
    let engine = hotspot_testkit::sample::engine();
    let tax = Taxonomy::default();
    let options = HotSpotOptions { k: 1, fdr: true };
    let base = sept9();
    // Undrilled (the query reuses its own sums) and drilled (a second pass over every cell).
    let first = engine.coverage(8).expect("coverage")[0];
    for drill in [vec![], vec![first]] {
        let scope = Scope {
            drill: drill.clone(),
            hot_spots: Some(options),
            ..base.clone()
        };
        let r = engine.query(&scope, &tax).expect("query");
        let carried = r.hot_spots.clone().expect("hot spots");
        let direct = engine.hot_spots(&scope, &tax, options).expect("direct");
        assert_eq!(carried.stats.z, direct.z, "drill {drill:x?}");
        assert_eq!(carried.stats.bin, direct.bin);
        assert_eq!(carried.stats.shown, direct.shown);
        let unlabelled: Vec<_> = carried
            .clusters
            .iter()
            .map(|c| hotspot_scope::Cluster {
                label: None,
                ..c.clone()
            })
            .collect();
        assert_eq!(unlabelled, direct.clusters());
        assert!(carried.clusters.iter().all(|c| c.label.is_some()));
    }
    // Not asked, not computed.
    assert!(
        engine
            .query(&base, &tax)
            .expect("query")
            .hot_spots
            .is_none()
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_query_asking_for_emerging_hot_spots_carries_them_or_says_why_not() {
    use hotspot_scope::hotspots::Category;
    use hotspot_scope::{EmergingOptions, Step, WarningKind};
    let engine = hotspot_testkit::sample::engine();
    let tax = Taxonomy::default();
    let options = EmergingOptions {
        step: Step::Week,
        ..EmergingOptions::default()
    };
    let first = engine.coverage(8).expect("coverage")[0];
    for drill in [vec![], vec![first]] {
        let scope = Scope {
            drill: drill.clone(),
            emerging: Some(options),
            ..sept9()
        };
        let r = engine.query(&scope, &tax).expect("query");
        let carried = r.emerging.clone().expect("emerging");
        let direct = engine
            .emerging_hot_spots(&scope, &tax, options)
            .expect("direct");
        assert_eq!(carried.stats.category, direct.category);
        assert_eq!(carried.stats.z, direct.z);
        // The drill limits what is counted, never the study area.
        assert_eq!(carried.stats.cells, engine.coverage(9).expect("coverage"));
        let shown: Vec<usize> = (0..direct.cells.len())
            .filter(|&i| {
                drill.is_empty()
                    || CellIndex::try_from(direct.cells[i])
                        .ok()
                        .and_then(|c| c.parent(h3o::Resolution::Eight))
                        .map(u64::from)
                        == Some(first)
            })
            .collect();
        assert_eq!(direct.shown.clone().collect::<Vec<_>>(), shown);
        let mut counts: std::collections::BTreeMap<Category, u64> = Default::default();
        for &i in &shown {
            *counts.entry(direct.category[i]).or_default() += 1;
        }
        assert_eq!(direct.counts, counts, "drill {drill:x?}");
        // Leaders: every category present but no pattern, its count, its strongest cells
        // first, each labelled.
        let present: Vec<Category> = counts
            .keys()
            .copied()
            .filter(|c| *c != Category::NoPattern)
            .collect();
        assert_eq!(carried.leaders.len(), present.len());
        for l in &carried.leaders {
            assert_eq!(l.count, counts[&l.category]);
            assert!(!l.cells.is_empty() && l.cells.len() <= 5);
            let z: Vec<f64> = l
                .cells
                .iter()
                .map(|(c, _)| {
                    let i = direct.cells.binary_search(c).expect("in study area");
                    assert_eq!(direct.category[i], l.category);
                    direct.z[direct.cells.len() + i].abs()
                })
                .collect();
            assert!(z.windows(2).all(|w| w[0] >= w[1]), "{z:?}");
            assert!(l.cells.iter().all(|(_, label)| label.is_some()));
        }
        // JSON: counts by name, one category per shown cell.
        let json = direct.to_json_value();
        let total: u64 = json["counts"]
            .as_object()
            .expect("counts")
            .values()
            .filter_map(|v| v.as_u64())
            .sum();
        assert_eq!(total, shown.len() as u64);
        assert_eq!(json["ehsa"].as_array().map(Vec::len), Some(shown.len()));
        assert_eq!(json["step"], "week");
    }
    // One week cannot be cut into two steps: the query still answers, with a warning.
    let short = Scope {
        emerging: Some(options),
        ..Scope::new(
            9,
            NaiveDate::from_ymd_opt(2024, 9, 9).expect("date"),
            NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
        )
    };
    let r = engine.query(&short, &tax).expect("query");
    assert!(r.emerging.is_none());
    let w = r
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::EmergingUnavailable)
        .expect("warning");
    assert!(w.message.contains("at least two steps"), "{}", w.message);
    // Options no analysis accepts are an error, not a warning.
    let bad = Scope {
        emerging: Some(EmergingOptions {
            alpha: 1.5,
            ..options
        }),
        ..sept9()
    };
    let err = engine.query(&bad, &tax).expect_err("alpha 1.5");
    assert!(err.to_string().contains("significance level"), "{err}");
}

/// 1–15 Sep 2024 at r9, nothing selected.
fn sept9() -> Scope {
    Scope::new(
        9,
        NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
        NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
    )
}
