//! Upserts by id (latest `updated_on` wins) and crash safety of the build.

mod common;

use std::path::Path;

use common::*;
use hotspot_core::Lake;
use hotspot_core::lake::GoldTable;
use hotspot_core::progress::NoProgress;
use hotspot_core::time::YearMonth;
use hotspot_pipeline::{BuildOptions, PipelineError};

const HEADER: &str = "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location";
const AUG: YearMonth = YearMonth {
    year: 2024,
    month: 8,
};
const SEP: YearMonth = YearMonth {
    year: 2024,
    month: 9,
};
const OCT: YearMonth = YearMonth {
    year: 2024,
    month: 10,
};

/// A record at (lat, lon) with the given id, date, arrest flag, update time and description.
fn rec(id: u32, date: &str, arrest: bool, updated: &str, desc: &str, lat: f64, lon: f64) -> String {
    format!(
        "{id},JH{id:06},{date},001XX N STATE ST,0820,THEFT,{desc},STREET,{arrest},false,0111,001,42,32,06,1176000,1900000,2024,{updated},{lat:.9},{lon:.9},\"({lat:.9}, {lon:.9})\""
    )
}

fn csv(dir: &Path, name: &str, rows: &[String]) -> std::path::PathBuf {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    write_file(dir, name, text.as_bytes())
}

fn r10(lat: f64, lon: f64) -> u64 {
    u64::from(
        h3o::LatLng::new(lat, lon)
            .expect("valid")
            .to_cell(h3o::Resolution::Ten),
    )
}

/// The (id, arrest, location) rows of a Bronze month; panics when the partition is missing.
fn bronze_rows(lake: &Lake, ym: YearMonth) -> Vec<(i64, bool, String)> {
    let path = lake.bronze(ym);
    assert!(path.exists(), "no Bronze partition for {ym}");
    let df = frame(&path);
    let ids = df.column("id").expect("id").i64().expect("i64").clone();
    let arrests = df
        .column("arrest")
        .expect("arrest")
        .bool()
        .expect("bool")
        .clone();
    let descs = strings(&path, "description");
    let mut rows: Vec<_> = (0..df.height())
        .map(|i| {
            (
                ids.get(i).expect("id"),
                arrests.get(i).expect("a"),
                descs[i].clone().expect("d"),
            )
        })
        .collect();
    rows.sort();
    rows
}

const A: (f64, f64) = (41.882_607, -87.627_803);
const B: (f64, f64) = (41.750_000, -87.600_000);

#[test]
fn upserts_keep_the_latest_update() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));

    let first = csv(
        dir.path(),
        "first.csv",
        &[
            rec(
                100,
                "09/05/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "POCKET",
                A.0,
                A.1,
            ),
            rec(
                101,
                "09/06/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "RETAIL",
                B.0,
                B.1,
            ),
            rec(
                102,
                "09/07/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "BIKE",
                B.0,
                B.1,
            ),
            // Duplicates inside one file: the latest update wins, ties go to the later row.
            rec(
                200,
                "09/08/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "T1",
                B.0,
                B.1,
            ),
            rec(
                200,
                "09/08/2024 10:00:00 AM",
                true,
                "09/12/2024 08:00:00 AM",
                "T3",
                B.0,
                B.1,
            ),
            rec(
                200,
                "09/08/2024 10:00:00 AM",
                false,
                "09/11/2024 08:00:00 AM",
                "T2",
                B.0,
                B.1,
            ),
            rec(
                201,
                "09/09/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "EARLIER ROW",
                B.0,
                B.1,
            ),
            rec(
                201,
                "09/09/2024 10:00:00 AM",
                false,
                "09/10/2024 08:00:00 AM",
                "LATER ROW",
                B.0,
                B.1,
            ),
        ],
    );
    let run = ingest(&lake, &[first]).run;
    assert_eq!(
        (
            run.counts.rows_read,
            run.counts.accepted,
            run.counts.superseded
        ),
        (8, 5, 3)
    );
    assert!(run.counts.balanced());
    let rows = bronze_rows(&lake, SEP);
    assert_eq!(rows.len(), 5);
    assert!(rows.contains(&(200, true, "T3".into())));
    assert!(rows.contains(&(201, false, "LATER ROW".into())));
    build(&lake);
    let cell_a = r10(A.0, A.1);
    let before = cell_month(&lake.gold(GoldTable::CellMonth, 10, SEP));
    assert_eq!((before[&cell_a].incidents, before[&cell_a].arrests), (1, 0));

    // An arrest recorded later: one record, the new value, Gold follows.
    let update = csv(
        dir.path(),
        "update.csv",
        &[rec(
            100,
            "09/05/2024 10:00:00 AM",
            true,
            "10/01/2024 09:30:00 AM",
            "POCKET",
            A.0,
            A.1,
        )],
    );
    let run = ingest(&lake, &[update]).run;
    assert_eq!(
        (
            run.counts.accepted,
            run.replaced_in_lake,
            run.counts.superseded
        ),
        (1, 1, 0)
    );
    assert_eq!(run.months_touched, vec![SEP]);
    let rows = bronze_rows(&lake, SEP);
    assert_eq!(rows.len(), 5);
    assert!(rows.contains(&(100, true, "POCKET".into())));
    let b = build(&lake);
    assert_eq!(b.info.months_built, vec![SEP]);
    let after = cell_month(&lake.gold(GoldTable::CellMonth, 10, SEP));
    assert_eq!((after[&cell_a].incidents, after[&cell_a].arrests), (1, 1));
    let r6 = hotspot_pipeline::build::gold::parent_at(cell_a, 6).expect("parent");
    let before6 = cell_month(&lake.gold(GoldTable::CellMonth, 6, SEP));
    assert_eq!(before6[&r6].arrests, 1);

    // A stale copy (older update) is superseded and changes nothing.
    let stale = csv(
        dir.path(),
        "stale.csv",
        &[rec(
            101,
            "09/06/2024 10:00:00 AM",
            true,
            "09/01/2024 08:00:00 AM",
            "RETAIL",
            B.0,
            B.1,
        )],
    );
    let run = ingest(&lake, &[stale]).run;
    assert_eq!((run.counts.accepted, run.counts.superseded), (0, 1));
    assert!(run.months_touched.is_empty());
    assert!(bronze_rows(&lake, SEP).contains(&(101, false, "RETAIL".into())));

    // A revision that moves the incident to another month: September loses it, October has it.
    let moved = csv(
        dir.path(),
        "moved.csv",
        &[rec(
            102,
            "10/02/2024 10:00:00 AM",
            false,
            "10/05/2024 08:00:00 AM",
            "BIKE",
            B.0,
            B.1,
        )],
    );
    let run = ingest(&lake, &[moved]).run;
    assert_eq!(run.months_touched, vec![SEP, OCT]);
    let mut sep_ids: Vec<i64> = bronze_rows(&lake, SEP).iter().map(|r| r.0).collect();
    sep_ids.sort_unstable();
    assert_eq!(sep_ids, [100, 101, 200, 201], "102 moved to October");
    assert_eq!(bronze_rows(&lake, OCT), vec![(102, false, "BIKE".into())]);
    let b = build(&lake);
    assert_eq!(b.info.months_built, vec![SEP, OCT]);
    assert_eq!(b.info.records, 5);
    let totals = lake.read_manifest().expect("manifest").totals;
    assert_eq!(
        (
            totals.rows_read,
            totals.accepted,
            totals.quarantined,
            totals.superseded
        ),
        (11, 7, 0, 4)
    );
}

#[test]
fn an_interrupted_build_leaves_the_previous_gold_and_a_rerun_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let first = csv(
        dir.path(),
        "first.csv",
        &[
            rec(
                1,
                "08/20/2024 10:00:00 AM",
                false,
                "08/21/2024 08:00:00 AM",
                "X",
                A.0,
                A.1,
            ),
            rec(
                2,
                "09/20/2024 10:00:00 AM",
                false,
                "09/21/2024 08:00:00 AM",
                "Y",
                A.0,
                A.1,
            ),
        ],
    );
    ingest(&lake, &[first]);
    build(&lake);
    let gold_files: Vec<_> = [AUG, SEP]
        .iter()
        .flat_map(|ym| {
            [
                lake.gold(GoldTable::CellMonth, 9, *ym),
                lake.silver(*ym),
                lake.labels(9),
            ]
        })
        .collect();
    let snapshot: Vec<Vec<u8>> = gold_files
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();

    let update = csv(
        dir.path(),
        "update.csv",
        &[
            rec(
                1,
                "08/20/2024 10:00:00 AM",
                true,
                "09/30/2024 08:00:00 AM",
                "X",
                A.0,
                A.1,
            ),
            rec(
                2,
                "09/20/2024 10:00:00 AM",
                true,
                "09/30/2024 08:00:00 AM",
                "Y",
                A.0,
                A.1,
            ),
            rec(
                3,
                "09/21/2024 10:00:00 AM",
                true,
                "09/30/2024 08:00:00 AM",
                "Z",
                B.0,
                B.1,
            ),
        ],
    );
    ingest(&lake, &[update]);
    let options = BuildOptions {
        fail_after_months: Some(1),
        ..BuildOptions::default()
    };
    let err = hotspot_pipeline::build(&lake, &options, &NoProgress).expect_err("injected failure");
    assert!(matches!(err, PipelineError::InjectedFailure(_)), "{err}");

    // Nothing moved: every Gold/Silver file is byte-identical and still readable.
    for (path, before) in gold_files.iter().zip(&snapshot) {
        assert_eq!(
            &std::fs::read(path).expect("read"),
            before,
            "{}",
            path.display()
        );
        assert!(height(path) > 0);
    }
    let leftovers: Vec<_> = walk(lake.root())
        .into_iter()
        .filter(|p| p.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let manifest = lake.read_manifest().expect("manifest");
    assert_eq!(manifest.dirty_months, vec![AUG, SEP]);

    // The rerun builds both months and sees the update.
    let b = build(&lake);
    assert_eq!(b.info.months_built, vec![AUG, SEP]);
    let sep = cell_month(&lake.gold(GoldTable::CellMonth, 10, SEP));
    assert_eq!(sep[&r10(A.0, A.1)].arrests, 1);
    assert_eq!(sep[&r10(B.0, B.1)].incidents, 1);
    assert!(
        lake.read_manifest()
            .expect("manifest")
            .dirty_months
            .is_empty()
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn a_second_writer_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let _held =
        hotspot_pipeline::lock::LakeLock::acquire(&lake, hotspot_pipeline::lock::Create::IfMissing)
            .expect("first lock");
    let f = csv(
        dir.path(),
        "one.csv",
        &[rec(1, "09/20/2024 10:00:00 AM", false, "", "X", A.0, A.1)],
    );
    let err = hotspot_pipeline::ingest(&lake, &[f], &NoProgress).expect_err("locked");
    assert!(matches!(err, PipelineError::Locked { .. }), "{err}");
}
