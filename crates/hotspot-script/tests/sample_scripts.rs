//! The default scripts against the real 1–15 Sept 2024 sample. The expected numbers were
//! worked out independently in Python (csv module + h3-py 4.3.1) from the same file:
//! r9 busiest cell 892664c1a93ffff, 41 incidents, block 001XX N STATE ST, THEFT, district 1;
//! Violent citywide 3,803; prior 1,577 / 11,641; the busiest 5 % of r9 cells (172 of 3,426)
//! hold 20.3 % of incidents; 29 r9 cells with 10+ incidents have a Wilson interval above the
//! city rate, the largest 0000X E GRAND AVE with 12 arrests in 37.

use hotspot_core::stats::{Z95, wilson_interval};
use hotspot_scope::{Metric, Period, Scope, ScopeResult};
use hotspot_script::{Camera, ErrorKind, ScriptHost, ViewSpec};

mod common;
use common::*;

fn host() -> ScriptHost {
    let h = ScriptHost::open(scripts_dir());
    assert!(h.errors().is_empty(), "{:?}", h.errors());
    h
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn quick_hits_street_scale_no_selection() {
    let e = engine();
    let r = query(e, &sept(9));
    assert_eq!((r.kpis.incidents, r.kpis.arrests), (11_641, 1_577));
    let busiest = &r.table[0];
    assert_eq!(format!("{:015x}", busiest.cell), "892664c1a93ffff");
    assert_eq!(busiest.block.as_deref(), Some("001XX N STATE ST"));
    assert_eq!(busiest.district, Some(1));
    let bullets = host().quick_hits(&r).expect("quick hits");
    assert_eq!(
        bullets,
        [
            "Around **001XX N State St** we saw **41 incidents**; most common offence: **THEFT**.",
            "Around **0000X E Grand Ave** we saw **37 incidents**; most common offence: **THEFT**.",
            "Around **0000X E Roosevelt Rd** we saw **36 incidents**; most common offence: **THEFT**.",
            "The busiest 5% of cells (172 of 3,426) hold **20%** of mapped incidents.",
            "Arrest rate clearly above the city's 13.5% in **29 cells** with 10+ incidents (95% interval excludes the city rate), e.g. **0000X E Grand Ave**: 12 arrests in 37 incidents (32%).",
        ]
    );
    // The previous period (17–31 Aug) is not in the lake: no rises or falls.
    assert!(!r.comparison.complete);
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn quick_hits_with_a_selection() {
    let e = engine();
    let r = query(e, &sept_category(9, "Violent"));
    assert_eq!(r.kpis.incidents, 3_803);
    let bullets = host().quick_hits(&r).expect("quick hits");
    assert_eq!(
        bullets,
        [
            "Around **0000X E Roosevelt Rd** we saw **13 incidents**; most common offence: **ASSAULT** (selected crimes share 36%).",
            "Around **063XX S Ashland Ave** we saw **11 incidents**; most common offence: **ROBBERY** (selected crimes share 73%).",
            "Around **004XX N Wabash Ave** we saw **10 incidents**; most common offence: **BATTERY** (selected crimes share 40%).",
            "The busiest 5% of cells (103 of 2,043) hold **17%** of mapped selected incidents.",
            "Caution: Only 3% of Street-scale (r9) cells have 5+ incidents. Aggregate more months or step back to a coarser resolution for clearer patterns.",
        ]
    );
    assert!(
        bullets
            .iter()
            .all(|b| !b.contains("nan") && !b.contains("NaN"))
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn quick_hits_at_district_scale_name_areas() {
    let e = engine();
    let bullets = host().quick_hits(&query(e, &sept(7))).expect("quick hits");
    assert_eq!(
        bullets[0],
        "In **Near North Side** (around N Michigan Ave) we saw **459 incidents**; most common offence: **THEFT**."
    );
    assert!(bullets.iter().all(|b| !b.contains("selected crimes share")));
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn rises_and_falls_only_with_a_complete_previous_period() {
    let e = engine();
    let scope = Scope {
        period: Period::Range {
            from: d(2024, 9, 9),
            to: d(2024, 9, 15),
        },
        ..sept(9)
    };
    let r = query(e, &scope);
    assert!(r.comparison.complete);
    // The biggest rise and fall worked out here from the cell arrays, not by the script.
    let c = &r.cells;
    let change =
        |i: usize| i64::from(c.selected.value(i)) - i64::from(c.previous_selected.value(i));
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(change(i)), c.cell.value(i)));
    let top = order[0];
    assert_eq!(change(top), 9);
    assert_eq!(c.label.value(top), "014XX S State St");
    let bullets = host().quick_hits(&r).expect("quick hits");
    let rises = bullets
        .iter()
        .find(|b| b.starts_with("Biggest rises"))
        .expect("rises");
    assert_eq!(
        rises,
        "Biggest rises vs 2–8 Sep 2024: **014XX S State St** +9 (3 → 12), **004XX N Wabash Ave** +8 (7 → 15), **015XX N Milwaukee Ave** +8 (2 → 10)."
    );
    let falls = bullets
        .iter()
        .find(|b| b.starts_with("Biggest falls"))
        .expect("falls");
    assert!(
        falls.starts_with("Biggest falls vs 2–8 Sep 2024: **091XX S Commercial Ave** -11 (13 → 2)"),
        "{falls}"
    );
    assert!(bullets.contains(&"Overall **-1%** vs 2–8 Sep 2024 (5,400 → 5,321).".to_string()));
}

/// The predicate evaluated cell by cell in Rust.
fn scalar_low_clearance(r: &ScopeResult) -> Vec<bool> {
    let c = &r.cells;
    let n: u64 = c.selected.values().iter().map(|v| u64::from(*v)).sum();
    let k: u64 = c.arrests.values().iter().map(|v| u64::from(*v)).sum();
    let (lo, _) = wilson_interval(k as f64, n as f64, Z95);
    (0..c.len())
        .map(|i| c.selected.value(i) >= 10 && f64::from(c.arrest_rate.value(i)) < lo)
        .collect()
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn vectorised_predicate_matches_a_scalar_evaluation() {
    let e = engine();
    let h = host();
    assert_eq!(
        h.predicates(),
        [
            "busy",
            "clearance_above_city",
            "clearance_below_city",
            "low_clearance",
            "surging"
        ]
    );
    for scope in [sept(9), sept(10), sept(7), sept_category(8, "Violent")] {
        let r = query(e, &scope);
        let mask = h.predicate("low_clearance", &r).expect("predicate");
        let expect = scalar_low_clearance(&r);
        assert_eq!(mask.len(), r.cells.len());
        assert!(expect.iter().any(|m| *m), "r{}: nothing flagged", scope.res);
        assert_eq!(mask, expect, "r{}", scope.res);
        // The other defaults run too and agree with their definitions.
        let above = h.predicate("clearance_above_city", &r).expect("above");
        assert_eq!(above.len(), r.cells.len());
        assert!(
            above.iter().any(|f| *f),
            "r{}: no cell above the city",
            scope.res
        );
        for (i, flag) in above.iter().enumerate() {
            assert_eq!(*flag, f64::from(r.cells.wilson_lo.value(i)) > r.prior);
        }
        let busy = h.predicate("busy", &r).expect("busy");
        assert!(busy.iter().filter(|b| **b).count() >= r.cells.len().min(600));
    }
    let err = h
        .predicate("nope", &query(e, &sept(9)))
        .expect_err("missing");
    assert_eq!(err.kind, ErrorKind::Missing);
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_failing_script_falls_back_to_its_last_good_version() {
    let e = engine();
    let r = query(e, &sept(9));
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scripts");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("quick_hits.rhai"),
        "fn quick_hits(r) {\n    [`${r.top.len()} cells`]\n}\n",
    )
    .expect("write");
    let mut h = ScriptHost::open(&dir);
    assert_eq!(h.quick_hits(&r).expect("good"), ["10 cells"]);
    // A runtime error on line 3: the last good version answers, the error is kept.
    std::fs::write(
        dir.join("quick_hits.rhai"),
        "fn quick_hits(r) {\n    let n = r.top.len();\n    let x = n / 0;\n    [`${x}`]\n}\n",
    )
    .expect("write");
    h.reload_all();
    assert!(h.errors().is_empty(), "it compiles");
    assert_eq!(h.quick_hits(&r).expect("last good"), ["10 cells"]);
    let errors = h.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, ErrorKind::Runtime);
    assert!(
        errors[0]
            .to_string()
            .starts_with("scripts/quick_hits.rhai:3:"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].message.contains("division by zero"),
        "{}",
        errors[0]
    );

    // A predicate that returns the wrong thing.
    std::fs::write(dir.join("predicates.rhai"), "fn odd(cells, city) { 42 }").expect("write");
    h.reload_all();
    let err = h.predicate("odd", &r).expect_err("not a mask");
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(
        err.message.contains("returned an integer, not a mask"),
        "{err}"
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn views_resolve_against_the_lake_dates() {
    let e = engine();
    let h = host();
    let range = e.date_range();
    assert_eq!(range, (d(2024, 9, 1), d(2024, 9, 15)));
    let ym = |y, m| hotspot_core::YearMonth { year: y, month: m };

    let v = h.view("citywide", range).expect("citywide");
    assert_eq!(v.scope.res, 7);
    // Half a month of data: no complete month, so the partial one, with a note.
    assert_eq!(v.scope.period, Period::Months(vec![ym(2024, 9)]));
    assert!(
        v.note
            .as_deref()
            .is_some_and(|n| n.contains("no complete month"))
    );
    assert_eq!((v.metric, v.camera), (Metric::Incidents, Camera::Citywide));

    let v = h.view("street_scale_theft", range).expect("theft");
    assert_eq!(v.scope.res, 9);
    assert_eq!(
        v.scope.period,
        Period::Range {
            from: d(2024, 8, 19),
            to: d(2024, 9, 15)
        }
    );
    assert_eq!(v.scope.selection.types, ["THEFT"]);
    assert_eq!(v.metric, Metric::Selected);

    let v = h.view("violent_last_year", range).expect("violent");
    assert_eq!(v.scope.res, 8);
    assert_eq!(
        v.scope.period,
        Period::Months(ym(2023, 10).through(ym(2024, 9)).collect())
    );
    assert_eq!(v.scope.selection.categories, ["Violent"]);
    assert_eq!(v.palette, "volume_log");

    // Every view's scope runs, and its palette exists.
    for info in h.views() {
        let v = h.view(&info.name, range).expect("view");
        let r = e.query(&v.scope, &h.taxonomy()).expect("query");
        assert!(h.palette(&v.palette).is_some());
        if let Some(p) = &v.predicate {
            h.predicate(p, &r).expect("predicate");
        }
    }
    let violent = e
        .query(
            &h.view("violent_last_year", range).expect("v").scope,
            &h.taxonomy(),
        )
        .expect("query");
    assert_eq!(violent.kpis.incidents, 3_803);

    // The file on its own, as `hotspot render --view` loads it.
    let alone =
        ViewSpec::load(&scripts_dir().join("views/street_scale_theft.rhai"), range).expect("load");
    assert_eq!(
        alone.scope,
        h.view("street_scale_theft", range).expect("v").scope
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn quick_hits_lead_with_significant_hot_spots() {
    let e = engine();
    let scope = Scope {
        hot_spots: Some(hotspot_scope::HotSpotOptions::default()),
        ..sept(9)
    };
    let r = query(e, &scope);
    let h = r.hot_spots.clone().expect("hot spots");
    let hot: Vec<&hotspot_scope::Cluster> = h.clusters.iter().filter(|c| c.sign > 0).collect();
    assert!(!hot.is_empty());
    let hot_cells: u64 = (1..=3).map(|b| h.stats.count(b)).sum();
    let largest = hot[0];
    let bullets = host().quick_hits(&r).expect("quick hits");
    let confidence = match largest.bin.unsigned_abs() {
        3 => 99,
        2 => 95,
        _ => 90,
    };
    assert_eq!(
        bullets[0],
        format!(
            "Significant hot spots (Gi*, {confidence}% confidence at the peak): **{} clusters** of {} cells; the largest around **{}** ({} cells, {} incidents).",
            hot.len(),
            hotspot_core::fmt::thousands(hot_cells),
            largest.label.as_deref().expect("label"),
            largest.cells.len(),
            hotspot_core::fmt::thousands(largest.incidents)
        )
    );
    // The rest are the bullets of a scope without the test.
    let plain = host().quick_hits(&query(e, &sept(9))).expect("quick hits");
    assert_eq!(&bullets[1..], &plain[..]);

    // The Gi* columns reach the cells: the predicate mask of bin ≥ 1 equals the hot cells shown.
    let dir = tempfile::tempdir().expect("tempdir");
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    std::fs::write(
        scripts.join("predicates.rhai"),
        "fn hot(cells, city) { cells.gi_bin >= 1 & cells.gi_z > 0 }\n",
    )
    .expect("write");
    let mask = ScriptHost::open(&scripts)
        .predicate("hot", &r)
        .expect("predicate");
    let expected: Vec<bool> = r
        .cells
        .cell
        .values()
        .iter()
        .map(|c| h.of(*c).is_some_and(|(_, _, b)| b >= 1))
        .collect();
    assert_eq!(mask, expected);
    assert!(mask.iter().any(|m| *m));
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn quick_hits_name_new_hot_spots_and_cells_carry_the_emerging_columns() {
    use hotspot_scope::hotspots::{Category, Family, Pattern};
    use hotspot_scope::{EmergingOptions, Step};
    let e = engine();
    let options = EmergingOptions {
        step: Step::Week,
        ..EmergingOptions::default()
    };
    let scope = Scope {
        emerging: Some(options),
        ..sept(9)
    };
    let r = query(e, &scope);
    let em = r.emerging.clone().expect("emerging");
    let new_hot = Category::Spot(Family::Hot, Pattern::New);
    // Counted here from the categories, not from the engine's summary.
    let n_new = em.stats.category.iter().filter(|c| **c == new_hot).count();
    assert!(n_new > 0, "the sample has new hot spots in its second week");
    let leaders = em
        .leaders
        .iter()
        .find(|l| l.category == new_hot)
        .expect("new hot spots lead");
    let mut names: Vec<String> = Vec::new();
    for (_, label) in &leaders.cells {
        let named = format!("**{}**", label.as_deref().expect("label"));
        if names.len() < 3 && !names.contains(&named) {
            names.push(named);
        }
    }
    let bullets = host().quick_hits(&r).expect("quick hits");
    assert_eq!(
        bullets[0],
        format!(
            "**{n_new} new hot spots** in the latest week (9–15 Sep 2024), around {}.",
            names.join(", ")
        )
    );
    // The rest are the bullets of a scope without the analysis.
    let plain = host().quick_hits(&query(e, &sept(9))).expect("quick hits");
    assert_eq!(&bullets[1..], &plain[..]);

    // The columns: ehsa names the category of each result cell, trend_tau and trend_p are the
    // Mann–Kendall of its z-series.
    let dir = tempfile::tempdir().expect("tempdir");
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    std::fs::write(
        scripts.join("predicates.rhai"),
        "fn fresh(cells, city) { cells.ehsa == \"New Hot Spot\" & cells.ehsa_code == 1 }\n\
         fn rising(cells, city) { cells.trend_tau > 0.0 & cells.trend_p < 2.0 }\n",
    )
    .expect("write");
    let host = ScriptHost::open(&scripts);
    let fresh = host.predicate("fresh", &r).expect("predicate");
    let rising = host.predicate("rising", &r).expect("predicate");
    let cells = r.cells.cell.values();
    let by_cell = |c: u64| {
        let i = em.stats.cells.binary_search(&c).expect("in the study area");
        (em.stats.category[i], em.stats.trend_tau[i])
    };
    let want_fresh: Vec<bool> = cells.iter().map(|c| by_cell(*c).0 == new_hot).collect();
    let want_rising: Vec<bool> = cells.iter().map(|c| by_cell(*c).1 > 0.0).collect();
    assert_eq!(fresh, want_fresh);
    assert_eq!(rising, want_rising);
    // A hot cell may have no incidents of its own (its neighbours make it hot), so the result's
    // cells hold at most all of them.
    let shown = fresh.iter().filter(|f| **f).count();
    assert!(shown > 0 && shown <= n_new, "{shown} of {n_new}");
    // Without the analysis the columns are NaN (and no name).
    let none = host
        .predicate("fresh", &query(e, &sept(9)))
        .expect("predicate");
    assert!(none.iter().all(|f| !f));
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn predicates_see_each_cells_change_test() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["palettes.rhai", "taxonomy.rhai", "quick_hits.rhai"] {
        std::fs::copy(scripts_dir().join(f), dir.path().join(f)).expect("copy");
    }
    std::fs::write(
        dir.path().join("predicates.rhai"),
        "fn tested(cells, city) { cells.change_p <= 1.0 }\n\
         fn strong(cells, city) { cells.change_p < 0.01 }\n\
         fn flagged(cells, city) { cells.change_sig != 0 }\n",
    )
    .expect("write");
    let h = ScriptHost::open(dir.path());
    assert!(h.errors().is_empty(), "{:?}", h.errors());
    let e = engine();
    let scope = Scope {
        period: Period::Range {
            from: d(2024, 9, 9),
            to: d(2024, 9, 15),
        },
        ..sept(9)
    };
    let r = query(e, &scope);
    let cmp = &r.comparison;
    assert!(cmp.tested);
    // Every cell with incidents in either week is tested; the masks follow the p-values.
    let tested = h.predicate("tested", &r).expect("tested");
    assert_eq!(tested.iter().filter(|x| **x).count(), r.cells.len());
    let strong = h.predicate("strong", &r).expect("strong");
    let expected: Vec<bool> = cmp.change_p.iter().map(|p| *p < 0.01).collect();
    assert_eq!(strong, expected);
    assert!(strong.iter().any(|x| *x), "some cells changed at p < 0.01");
    let flagged = h.predicate("flagged", &r).expect("flagged");
    let expected: Vec<bool> = cmp.change_sig.iter().map(|s| *s != 0).collect();
    assert_eq!(flagged, expected);
    // Untested (the week before 1–7 September is not in the lake): no cell passes.
    let first = query(e, &sept(9));
    let none = h.predicate("tested", &first).expect("tested");
    assert!(none.iter().all(|x| !*x));
}
