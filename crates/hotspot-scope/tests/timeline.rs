//! The timeline matrix against separate queries: every frame's per-cell counts equal a scope
//! query of that frame's days, exactly, at two resolutions, with a selection and a drill, for
//! calendar steps (whole and partial) and windows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Period, Scope, Selection, TimeStep, Timeline, TimelineMatrix};
use hotspot_testkit::lakes::{GeneratedLake, Spec};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Cells with a count above zero: cell → (selected, arrests).
fn of_query(engine: &Engine, scope: &Scope) -> BTreeMap<u64, (u32, u32)> {
    let r = engine
        .query(scope, &Taxonomy::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let c = &r.cells;
    (0..c.len())
        .filter(|&i| c.selected.value(i) > 0)
        .map(|i| (c.cell.value(i), (c.selected.value(i), c.arrests.value(i))))
        .collect()
}

fn of_frame(m: &TimelineMatrix, f: usize) -> BTreeMap<u64, (u32, u32)> {
    m.cells
        .iter()
        .zip(m.frame(f).iter().zip(m.frame_arrests(f)))
        .filter(|(_, (s, _))| **s > 0)
        .map(|(c, (s, a))| (*c, (*s, *a)))
        .collect()
}

fn check(engine: &Engine, base: &Scope, timeline: Timeline) -> usize {
    let m = engine
        .timeline(base, &Taxonomy::default(), timeline)
        .unwrap_or_else(|e| panic!("{timeline:?}: {e}"));
    assert_eq!(m.selected.len(), m.frames.len() * m.cells.len());
    let mut max = 0;
    let mut nonzero = 0;
    for (f, frame) in m.frames.iter().enumerate() {
        let scope = Scope {
            period: Period::Range {
                from: frame.from,
                to: frame.to,
            },
            ..base.clone()
        };
        let expected = of_query(engine, &scope);
        let got = of_frame(&m, f);
        assert_eq!(
            got, expected,
            "{timeline:?} frame {f} ({} – {})",
            frame.from, frame.to
        );
        max = max.max(got.values().map(|v| v.0).max().unwrap_or(0));
        nonzero += usize::from(!got.is_empty());
    }
    assert_eq!(m.max_selected, max);
    assert!(nonzero * 2 > m.frames.len(), "most frames have data");
    m.frames.len()
}

#[test]
fn every_frame_equals_a_query_of_its_days() {
    let lake = GeneratedLake::build(Spec::new(24_000, (2023, 10, 1), (2024, 3, 31), 11));
    let engine = lake.engine();
    let span = Period::Range {
        from: date(2023, 10, 14),
        to: date(2024, 3, 20),
    };
    let mut base = Scope::new(8, date(2023, 10, 14), date(2024, 3, 20));
    base.period = span;
    let monthly = Timeline::of(TimeStep::Month);
    let windowed = Timeline {
        step: TimeStep::Week,
        window_days: Some(28),
    };
    // r8 citywide: months (partial October and March), 28-day windows weekly, quarters.
    assert_eq!(check(&engine, &base, monthly), 6);
    assert!(check(&engine, &base, windowed) >= 22);
    // Q4 2023 from 14 October and Q1 2024 to 20 March, both partial.
    assert_eq!(check(&engine, &base, Timeline::of(TimeStep::Quarter)), 2);
    // r10 with a selection, daily over a fortnight and weekly.
    let mut fine = base.clone();
    fine.res = 10;
    fine.selection = Selection {
        types: vec!["THEFT".into(), "BATTERY".into()],
        ..Selection::default()
    };
    let mut short = fine.clone();
    short.period = Period::Range {
        from: date(2024, 2, 20),
        to: date(2024, 3, 4),
    };
    assert_eq!(check(&engine, &short, Timeline::of(TimeStep::Day)), 14);
    assert!(check(&engine, &fine, Timeline::of(TimeStep::Week)) >= 22);
    // A drill: r9 inside the busiest r7 cell.
    let r7 = engine
        .query(
            &Scope::new(7, date(2023, 10, 1), date(2024, 3, 31)),
            &Taxonomy::default(),
        )
        .expect("r7");
    let busiest = (0..r7.cells.len())
        .max_by_key(|&i| r7.cells.selected.value(i))
        .map(|i| r7.cells.cell.value(i))
        .expect("a cell");
    let mut drilled = base.clone();
    drilled.res = 9;
    drilled.drill = vec![busiest];
    check(&engine, &drilled, monthly);
    let m = engine
        .timeline(&drilled, &Taxonomy::default(), monthly)
        .expect("drilled");
    assert!(
        m.cells
            .iter()
            .all(|c| hotspot_core::h3bits::parent(*c, 7) == busiest),
        "the drill's cells only"
    );
}

#[test]
fn timelines_too_large_or_empty_are_refused_with_the_reason() {
    let lake = GeneratedLake::build(Spec::new(3_000, (2024, 1, 1), (2024, 1, 31), 3));
    let engine = lake.engine();
    let mut scope = Scope::new(10, date(2001, 1, 1), date(2024, 1, 31));
    let e = engine
        .timeline(&scope, &Taxonomy::default(), Timeline::of(TimeStep::Day))
        .expect_err("too many frames × cells");
    assert!(e.to_string().contains("more than"), "{e}");
    scope.period = Period::Range {
        from: date(2024, 1, 1),
        to: date(2024, 1, 3),
    };
    let e = engine
        .timeline(&scope, &Taxonomy::default(), Timeline::of(TimeStep::Week))
        .expect_err("no week");
    assert!(e.to_string().contains("no whole week"), "{e}");
}
