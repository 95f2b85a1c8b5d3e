//! The scope engine on a lake generated from the synthetic city (no file outside the repository
//! needed), checked against a plain reference aggregation written here: the CSV is read with a
//! small RFC 4180 reader of this file, records are deduplicated by id (latest `Updated On`,
//! ties to the later row), cells come from h3o directly, and every count is a loop over those
//! records. Whole months (prefix sums), partial months (row scans), selections, drills, the
//! previous period, weekday and hour profiles and the KPIs are all compared exactly.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use h3o::{CellIndex, LatLng, Resolution};
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Period, Scope, ScopeResult, Selection};
use hotspot_testkit::lakes::{GeneratedLake, Spec};

/// One record as the reference sees it.
#[derive(Clone, Debug)]
struct Rec {
    day: NaiveDate,
    hour: u32,
    primary_type: String,
    arrest: bool,
    /// The r10 cell, when the coordinates are inside the city's extent.
    r10: Option<CellIndex>,
}

struct Fixture {
    lake: GeneratedLake,
    engine: Engine,
    records: Vec<Rec>,
}

/// Splits one CSV line into fields (quotes, doubled quotes; the generator writes no newlines
/// inside fields).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

fn timestamp(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%m/%d/%Y %I:%M:%S %p")
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// The reference records: every row of the export, one per id.
fn read_reference(csv: &std::path::Path) -> Vec<Rec> {
    let text = std::fs::read_to_string(csv).unwrap_or_else(|e| panic!("{e}"));
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap_or_default());
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    let (id, date, ty, arrest, updated, lat, lon) = (
        col("ID"),
        col("Date"),
        col("Primary Type"),
        col("Arrest"),
        col("Updated On"),
        col("Latitude"),
        col("Longitude"),
    );
    // id → (updated on, row number, record): latest update wins, ties to the later row.
    let mut latest: HashMap<String, (NaiveDateTime, usize, Rec)> = HashMap::new();
    for (row, line) in lines.enumerate() {
        let f = split_csv(line);
        assert_eq!(f.len(), header.len(), "row {row}: {line}");
        let at = timestamp(&f[date]);
        let coords = match (f[lat].parse::<f64>(), f[lon].parse::<f64>()) {
            // Chicago's extent grown by about 5 km, as ARCHITECTURE.md states it.
            (Ok(la), Ok(lo))
                if (41.60..=42.07).contains(&la) && (-88.00..=-87.46).contains(&lo) =>
            {
                LatLng::new(la, lo)
                    .ok()
                    .map(|ll| ll.to_cell(Resolution::Ten))
            }
            _ => None,
        };
        let rec = Rec {
            day: at.date(),
            hour: at.hour(),
            primary_type: f[ty].trim().to_uppercase(),
            arrest: f[arrest].eq_ignore_ascii_case("true"),
            r10: coords,
        };
        let up = timestamp(&f[updated]);
        let replace = latest
            .get(&f[id])
            .is_none_or(|(u, r, _)| (up, row) >= (*u, *r));
        if replace {
            latest.insert(f[id].clone(), (up, row, rec));
        }
    }
    latest.into_values().map(|(_, _, r)| r).collect()
}

/// 30,000 incidents over January–March 2024, generated, built and read back once.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let lake = GeneratedLake::build(Spec::new(30_000, (2024, 1, 1), (2024, 3, 31), 5));
        let engine = lake.engine();
        let records = read_reference(&lake.csv);
        Fixture {
            lake,
            engine,
            records,
        }
    })
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("bad date"))
}

fn cell_at(r: &Rec, res: u8) -> Option<u64> {
    let cell = r.r10?;
    let res = Resolution::try_from(res).ok()?;
    cell.parent(res).map(u64::from)
}

/// Per-cell (incidents, selected, arrests among selected) of the reference over [from, to].
fn reference_cells(
    records: &[Rec],
    res: u8,
    from: NaiveDate,
    to: NaiveDate,
    selected: &dyn Fn(&str) -> bool,
    inside: Option<u64>,
) -> BTreeMap<u64, (u32, u32, u32)> {
    let mut out: BTreeMap<u64, (u32, u32, u32)> = BTreeMap::new();
    for r in records.iter().filter(|r| r.day >= from && r.day <= to) {
        let Some(c) = cell_at(r, res) else { continue };
        if let Some(ancestor) = inside {
            let ar = hotspot_core::h3bits::resolution(ancestor);
            if cell_at(r, ar) != Some(ancestor) {
                continue;
            }
        }
        let e = out.entry(c).or_default();
        e.0 += 1;
        if selected(&r.primary_type) {
            e.1 += 1;
            e.2 += u32::from(r.arrest);
        }
    }
    out
}

/// The engine's per-cell (incidents, selected, arrests).
fn engine_cells(result: &ScopeResult) -> BTreeMap<u64, (u32, u32, u32)> {
    let c = &result.cells;
    (0..c.len())
        .map(|i| {
            (
                c.cell.value(i),
                (
                    c.incidents.value(i),
                    c.selected.value(i),
                    c.arrests.value(i),
                ),
            )
        })
        .collect()
}

fn query(scope: &Scope) -> ScopeResult {
    fixture()
        .engine
        .query(scope, &Taxonomy::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn all(_: &str) -> bool {
    true
}

#[test]
fn the_generated_lake_is_the_export() {
    let f = fixture();
    // Every record the reference kept is in the lake: the engine's all-time records agree.
    assert_eq!(f.engine.summary().records, f.records.len() as u64);
    assert_eq!(f.engine.date_range(), (d(2024, 1, 1), d(2024, 3, 31)));
    assert!(f.lake.summary.duplicates > 0, "the export repeats ids");
    let mapped = f.records.iter().filter(|r| r.r10.is_some()).count();
    assert!(mapped * 100 > f.records.len() * 95 && mapped < f.records.len());
}

#[test]
fn per_cell_counts_match_the_reference_at_every_resolution() {
    let records = &fixture().records;
    // A whole month (prefix sums at r6–r8, month blocks at r9–r10) and a period that starts
    // and ends inside months (row scans).
    for (from, to) in [
        (d(2024, 2, 1), d(2024, 2, 29)),
        (d(2024, 1, 20), d(2024, 3, 4)),
    ] {
        for res in 6..=10u8 {
            let r = query(&Scope::new(res, from, to));
            let expected = reference_cells(records, res, from, to, &all, None);
            assert_eq!(engine_cells(&r), expected, "r{res} {from}–{to}");
            // The rates are those counts' rates.
            for i in 0..r.cells.len() {
                let (n, k) = (r.cells.selected.value(i), r.cells.arrests.value(i));
                let rate = f64::from(k) / f64::from(n);
                assert!((f64::from(r.cells.arrest_rate.value(i)) - rate).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn a_type_selection_splits_incidents_from_selected() {
    let records = &fixture().records;
    let picked = |t: &str| t == "THEFT" || t == "BATTERY";
    let (from, to) = (d(2024, 1, 1), d(2024, 3, 31));
    let scope = Scope {
        selection: Selection {
            types: vec!["theft".into(), "BATTERY ".into()],
            categories: vec![],
        },
        ..Scope::new(9, from, to)
    };
    let r = query(&scope);
    let expected = reference_cells(records, 9, from, to, &picked, None);
    // The engine lists cells with any incident; the selection only changes `selected`.
    assert_eq!(engine_cells(&r), expected);
    assert_eq!(r.selected_types, ["BATTERY", "THEFT"]);
    for i in 0..r.cells.len() {
        let (n, s) = (r.cells.incidents.value(i), r.cells.selected.value(i));
        let share = f64::from(s) / f64::from(n);
        assert!((f64::from(r.cells.focus_share.value(i)) - share).abs() < 1e-6);
    }
    // KPIs count every record, mapped or not.
    let in_period = |rec: &&Rec| rec.day >= from && rec.day <= to;
    let sel: Vec<&Rec> = records
        .iter()
        .filter(in_period)
        .filter(|r| picked(&r.primary_type))
        .collect();
    assert_eq!(r.kpis.incidents, sel.len() as u64);
    assert_eq!(
        r.kpis.arrests,
        sel.iter().filter(|r| r.arrest).count() as u64
    );
    // Weekday (Monday = 0) and hour profiles of the selection.
    let mut dow = [0u64; 7];
    let mut hour = [0u64; 24];
    for rec in &sel {
        dow[rec.day.weekday().num_days_from_monday() as usize] += 1;
        hour[rec.hour as usize] += 1;
    }
    assert_eq!(r.series.dow_incidents, dow);
    assert_eq!(r.series.hour_incidents, hour);
}

#[test]
fn a_category_selection_uses_the_taxonomy() {
    let records = &fixture().records;
    let tax = Taxonomy::default();
    let violent = |t: &str| tax.category_of(t).eq_ignore_ascii_case("Violent");
    let (from, to) = (d(2024, 3, 1), d(2024, 3, 31));
    let scope = Scope {
        selection: Selection {
            types: vec![],
            categories: vec!["Violent".into()],
        },
        ..Scope::new(8, from, to)
    };
    let r = query(&scope);
    assert_eq!(
        engine_cells(&r),
        reference_cells(records, 8, from, to, &violent, None)
    );
    assert!(!r.selected_types.is_empty());
    assert!(r.selected_types.iter().all(|t| violent(t)));
}

#[test]
fn a_drill_shows_the_children_of_its_target_only() {
    let records = &fixture().records;
    let (from, to) = (d(2024, 2, 1), d(2024, 3, 15));
    // The busiest r7 cell of the reference, then its busiest r8 child.
    let r7 = reference_cells(records, 7, from, to, &all, None);
    let Some((&target7, _)) = r7.iter().max_by_key(|(c, v)| (v.0, std::cmp::Reverse(**c))) else {
        panic!("no r7 cells");
    };
    let r = query(&Scope {
        drill: vec![target7],
        ..Scope::new(8, from, to)
    });
    let expected = reference_cells(records, 8, from, to, &all, Some(target7));
    assert_eq!(engine_cells(&r), expected);
    assert_eq!(r.drill.target, Some(target7));
    assert_eq!(
        r.drill.children,
        expected.keys().copied().collect::<Vec<_>>()
    );
    // Drilled KPIs count the target's records only.
    let inside = records
        .iter()
        .filter(|rec| rec.day >= from && rec.day <= to && cell_at(rec, 7) == Some(target7))
        .count();
    assert_eq!(r.kpis.incidents, inside as u64);
    // Two levels down: r10 inside an r8 child.
    let (&target8, _) = expected
        .iter()
        .max_by_key(|(c, v)| (v.0, std::cmp::Reverse(**c)))
        .unwrap_or_else(|| panic!("no r8 children"));
    let r = query(&Scope {
        drill: vec![target7, target8],
        ..Scope::new(10, from, to)
    });
    assert_eq!(
        engine_cells(&r),
        reference_cells(records, 10, from, to, &all, Some(target8))
    );
}

#[test]
fn the_previous_period_is_the_one_just_before() {
    let records = &fixture().records;
    // 1–29 February 2024 (29 days): the previous period is 3–31 January.
    let r = query(&Scope::new(8, d(2024, 2, 1), d(2024, 2, 29)));
    let prev = reference_cells(records, 8, d(2024, 1, 3), d(2024, 1, 31), &all, None);
    for i in 0..r.cells.len() {
        let cell = r.cells.cell.value(i);
        assert_eq!(
            r.cells.previous_selected.value(i),
            prev.get(&cell).map_or(0, |v| v.1),
            "{cell:x}"
        );
    }
    let prev_total = records
        .iter()
        .filter(|rec| rec.day >= d(2024, 1, 3) && rec.day <= d(2024, 1, 31))
        .count();
    assert_eq!(r.comparison.incidents, prev_total as u64);
    assert!(r.comparison.complete);
}

#[test]
fn months_across_a_gap_and_the_hotspot_table() {
    let records = &fixture().records;
    let months = vec![
        hotspot_core::time::YearMonth {
            year: 2024,
            month: 1,
        },
        hotspot_core::time::YearMonth {
            year: 2024,
            month: 3,
        },
    ];
    let r = query(&Scope {
        period: Period::Months(months),
        ..Scope::new(9, d(2024, 1, 1), d(2024, 1, 1))
    });
    let mut expected = reference_cells(records, 9, d(2024, 1, 1), d(2024, 1, 31), &all, None);
    for (c, v) in reference_cells(records, 9, d(2024, 3, 1), d(2024, 3, 31), &all, None) {
        let e = expected.entry(c).or_default();
        e.0 += v.0;
        e.1 += v.1;
        e.2 += v.2;
    }
    assert_eq!(engine_cells(&r), expected);
    // The table leads with the busiest cell (ties: lower id first).
    let mut ranked: Vec<(u64, u32)> = expected.iter().map(|(c, v)| (*c, v.1)).collect();
    ranked.sort_by_key(|(c, n)| (std::cmp::Reverse(*n), *c));
    let top: Vec<(u64, u32)> = r.table.iter().map(|row| (row.cell, row.selected)).collect();
    assert_eq!(top, ranked[..top.len()].to_vec());
    assert!(!top.is_empty());
}

#[test]
fn bad_scopes_are_errors_not_answers() {
    let engine = &fixture().engine;
    let tax = Taxonomy::default();
    // A period that ends before it starts.
    assert!(
        engine
            .query(&Scope::new(8, d(2024, 3, 1), d(2024, 2, 1)), &tax)
            .is_err()
    );
    // A resolution outside r6–r10.
    assert!(
        engine
            .query(&Scope::new(11, d(2024, 3, 1), d(2024, 3, 2)), &tax)
            .is_err()
    );
    // A drill cell that is not a child of the one before.
    let r7 = engine.coverage(7).unwrap_or_else(|e| panic!("{e}"));
    let r8 = engine.coverage(8).unwrap_or_else(|e| panic!("{e}"));
    let foreign = r8
        .iter()
        .copied()
        .find(|c| {
            CellIndex::try_from(*c)
                .ok()
                .and_then(|c| c.parent(Resolution::Seven))
                .map(u64::from)
                != Some(r7[0])
        })
        .unwrap_or_else(|| panic!("one r7 cell only"));
    assert!(
        engine
            .query(
                &Scope {
                    drill: vec![r7[0], foreign],
                    ..Scope::new(9, d(2024, 3, 1), d(2024, 3, 2))
                },
                &tax
            )
            .is_err()
    );
}

#[test]
fn periods_reaching_far_beyond_the_lake_answer_from_what_it_holds() {
    let records = &fixture().records;
    let first = records
        .iter()
        .map(|r| r.day)
        .min()
        .unwrap_or_else(|| panic!("no records"));
    let last = records
        .iter()
        .map(|r| r.day)
        .max()
        .unwrap_or_else(|| panic!("no records"));

    // Ten thousand years: the whole lake, with the rest counted (not enumerated).
    let r = query(&Scope::new(8, d(1, 1, 1), d(9999, 12, 31)));
    assert_eq!(r.kpis.incidents, records.len() as u64);
    assert_eq!(
        engine_cells(&r),
        reference_cells(records, 8, first, last, &all, None)
    );
    assert_eq!((r.from, r.to), (d(1, 1, 1), d(9999, 12, 31)));
    let missing = r
        .warnings
        .iter()
        .find(|w| w.kind == hotspot_scope::WarningKind::MissingMonths)
        .unwrap_or_else(|| panic!("no missing-months warning: {:?}", r.warnings));
    // 9,999 years of 12 months, less the lake's three.
    assert!(
        missing.message.starts_with("119,985 month(s)"),
        "{}",
        missing.message
    );
    let before = (first - d(1, 1, 1)).num_days();
    let after = (d(9999, 12, 31) - last).num_days();
    let fmt = |n: i64| hotspot_core::fmt::thousands(n.unsigned_abs());
    let note = &r.kpis.window.note;
    assert!(
        note.contains(&format!("{} day(s) before the first data day", fmt(before))),
        "{note}"
    );
    assert!(
        note.contains(&format!("{} day(s) after the last data day", fmt(after))),
        "{note}"
    );

    // Every date chrono can hold (a day cube over it would need terabytes).
    let r = query(&Scope::new(7, NaiveDate::MIN, NaiveDate::MAX));
    assert_eq!(r.kpis.incidents, records.len() as u64);
    assert_eq!(r.comparison.incidents, 0);
    assert!(!r.comparison.complete);

    // Entirely outside: an empty answer, not an error.
    let r = query(&Scope::new(8, d(1900, 1, 1), d(1900, 1, 2)));
    assert_eq!(r.kpis.incidents, 0);
    assert!(r.cells.is_empty());
    assert_eq!((r.from, r.to), (d(1900, 1, 1), d(1900, 1, 2)));
    let kinds: Vec<_> = r.warnings.iter().map(|w| w.kind).collect();
    assert!(
        kinds.contains(&hotspot_scope::WarningKind::NoData)
            && kinds.contains(&hotspot_scope::WarningKind::MissingMonths),
        "{kinds:?}"
    );

    // A set of months far apart: only February counts.
    let ym = |year, month| hotspot_core::time::YearMonth { year, month };
    let r = query(&Scope {
        period: Period::Months(vec![ym(1, 1), ym(2024, 2), ym(9999, 12)]),
        ..Scope::new(8, d(2024, 1, 1), d(2024, 1, 1))
    });
    assert_eq!(
        engine_cells(&r),
        reference_cells(records, 8, d(2024, 2, 1), d(2024, 2, 29), &all, None)
    );
}

#[test]
fn a_damaged_context_table_leaves_the_map_without_it_not_without_the_lake() {
    let lake = GeneratedLake::build(Spec::new(3_000, (2024, 1, 1), (2024, 2, 29), 7));
    let engine = lake.engine();
    assert!(engine.context_error().is_none());
    assert!(!engine.streets().is_empty(), "the build derives streets");
    assert!(!engine.areas().is_empty(), "and area outlines");
    // Truncate the streets table as a failing disk would.
    let path = lake.lake.pin().streets();
    std::fs::write(&path, b"PAR1 not really").expect("write");
    let engine = Engine::open(&lake.lake).expect("the lake still opens");
    assert!(engine.streets().is_empty());
    assert!(!engine.areas().is_empty());
    let why = engine.context_error().expect("says why");
    assert!(why.contains("streets"), "{why}");
    // Scopes are answered as before.
    let r = engine
        .query(
            &Scope::new(
                8,
                NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
                NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"),
            ),
            &Taxonomy::default(),
        )
        .expect("query");
    assert!(r.kpis.incidents > 0);
}

#[test]
fn compstat_periods_cross_month_edges_and_count_every_record() {
    let f = fixture();
    // The week ending Sunday 3 March 2024: the week (26 Feb – 3 Mar) and the 28 days (5 Feb –
    // 3 Mar) cross the February / March edge, the year to date (1 Jan – 3 Mar) two edges; a
    // year earlier is outside the lake.
    let t = f
        .engine
        .compstat(d(2024, 3, 3), &Taxonomy::default())
        .expect("compstat");
    let count = |from: NaiveDate, to: NaiveDate, violent: bool| {
        f.records
            .iter()
            .filter(|r| r.day >= from && r.day <= to)
            .filter(|r| {
                !violent || hotspot_core::taxonomy::default_category(&r.primary_type) == "Violent"
            })
            .count() as u64
    };
    let city = |category: &str| {
        t.rows
            .iter()
            .find(|r| r.district.is_none() && r.category == category)
            .expect("row")
            .counts
    };
    // Every record counts citywide, mapped or not (CompStat counts by the record's district).
    assert_eq!(
        city(hotspot_scope::ALL_OFFENCES),
        [
            count(d(2024, 2, 26), d(2024, 3, 3), false),
            count(d(2024, 2, 19), d(2024, 2, 25), false),
            count(d(2024, 2, 5), d(2024, 3, 3), false),
            count(d(2024, 1, 8), d(2024, 2, 4), false),
            count(d(2024, 1, 1), d(2024, 3, 3), false),
            0,
        ]
    );
    assert_eq!(
        city("Violent")[4],
        count(d(2024, 1, 1), d(2024, 3, 3), true)
    );
    assert!(
        t.incomplete
            .iter()
            .any(|s| s.contains("same days last year"))
    );
}
