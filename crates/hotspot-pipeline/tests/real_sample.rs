//! The real 1–15 Sept 2024 sample end to end. Expected values were computed independently with
//! the reference H3 library (h3-py 4.3.1: `latlng_to_cell` at r10, `cell_to_parent`,
//! `grid_disk`) and Python's csv module over the same file.

mod common;

use std::collections::HashMap;

use common::*;
use hotspot_core::lake::GoldTable;
use hotspot_core::stats::{Z95, wilson_interval};
use hotspot_core::time::YearMonth;

const SEP: YearMonth = YearMonth {
    year: 2024,
    month: 9,
};

fn cell(hex: &str) -> u64 {
    u64::from_str_radix(hex, 16).expect("hex cell")
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn real_sample_end_to_end() {
    let sample = hotspot_testkit::sample::path();
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = hotspot_core::Lake::new(dir.path());

    let outcome = ingest(&lake, &[sample]);
    let c = &outcome.run.counts;
    assert_eq!(
        (c.rows_read, c.accepted, c.quarantined, c.superseded),
        (11_641, 11_641, 0, 0)
    );
    assert!(c.balanced());
    assert_eq!(outcome.run.months_touched, vec![SEP]);
    assert_eq!(lake.bronze_months().expect("months"), vec![SEP]);
    assert_eq!(height(&lake.bronze(SEP)), 11_641);

    let built = build(&lake);
    assert_eq!(built.info.months_built, vec![SEP]);
    assert_eq!(built.info.records, 11_641);
    assert_eq!(built.info.unmapped, 0);
    assert_eq!(height(&lake.silver(SEP)), 11_641);
    // Distinct cells per resolution (h3-py: 30, 140, 756, 3426, 7210).
    let expected_cells = [(6u8, 30u64), (7, 140), (8, 756), (9, 3_426), (10, 7_210)];
    for (res, n) in expected_cells {
        assert_eq!(
            built.info.cells_per_resolution.get(&res),
            Some(&n),
            "r{res}"
        );
        assert_eq!(
            height(&lake.gold(GoldTable::CellMonth, res, SEP)) as u64,
            n,
            "cell_month r{res}"
        );
        assert_eq!(height(&lake.labels(res)) as u64, n, "labels r{res}");
    }

    // Busiest cells and their arrests, per h3-py.
    let months: HashMap<u8, HashMap<u64, MonthRow>> = (6..=10)
        .map(|r| (r, cell_month(&lake.gold(GoldTable::CellMonth, r, SEP))))
        .collect();
    for (res, hex, n, k) in [
        (6, "862664cafffffff", 1_299, 187),
        (7, "872664c1effffff", 459, 83),
        (8, "882664c1a9fffff", 145, 39),
        (9, "892664c1a93ffff", 41, 9),
        (10, "8a2664c1a62ffff", 19, 0),
        (10, "8a2664c1a237fff", 17, 8),
    ] {
        let row = &months[&res][&cell(hex)];
        assert_eq!((row.incidents, row.arrests), (n, k), "r{res} {hex}");
    }

    // Parent = sum of children, at every resolution, for every cell.
    for res in 7..=10u8 {
        let mut sums: HashMap<u64, (u32, u32)> = HashMap::new();
        for (c, row) in &months[&res] {
            let parent = hotspot_pipeline::build::gold::parent_at(*c, res - 1).expect("parent");
            let e = sums.entry(parent).or_default();
            e.0 += row.incidents;
            e.1 += row.arrests;
        }
        assert_eq!(
            sums.len(),
            months[&(res - 1)].len(),
            "r{res}: every parent has children"
        );
        for (p, (n, k)) in sums {
            let parent = &months[&(res - 1)][&p];
            assert_eq!(
                (parent.incidents, parent.arrests),
                (n, k),
                "r{} {p:x}",
                res - 1
            );
        }
    }
    // The r7 busiest cell's seven r8 children, per h3-py.
    let children: u32 = [
        "882664c1e1fffff",
        "882664c1e3fffff",
        "882664c1e5fffff",
        "882664c1e7fffff",
        "882664c1e9fffff",
        "882664c1ebfffff",
        "882664c1edfffff",
    ]
    .iter()
    .map(|h| months[&8][&cell(h)].incidents)
    .sum();
    assert_eq!(children, 122 + 61 + 51 + 113 + 12 + 31 + 69);
    assert_eq!(children, 459);

    // The prior is the period's citywide rate: 1,577 arrests / 11,641 geolocated records.
    let prior = 1_577.0 / 11_641.0;
    let r9 = &months[&9][&cell("892664c1a93ffff")];
    assert!((r9.prior - prior).abs() < 1e-12);

    // Wilson bounds and shrinkage, against hand-worked values.
    let r10 = &months[&10][&cell("8a2664c1a62ffff")];
    assert_eq!(r10.wilson_lo, 0.0);
    // n = 19, k = 0: upper = z²/(19 + z²) = 3.841459/22.841459 = 0.168179.
    assert!(
        (r10.wilson_hi - 0.168_179).abs() < 1e-5,
        "{}",
        r10.wilson_hi
    );
    let r7 = &months[&7][&cell("872664c1effffff")];
    // n = 459, k = 83: p = .180828; the interval worked by hand is [0.148314, 0.218640].
    assert!((r7.wilson_lo - 0.148_314).abs() < 1e-5, "{}", r7.wilson_lo);
    assert!((r7.wilson_hi - 0.218_640).abs() < 1e-5, "{}", r7.wilson_hi);
    assert!((r7.smoothed_rate - (5.0 * prior + 83.0) / (5.0 + 459.0)).abs() < 1e-12);
    for rows in months.values() {
        for row in rows.values() {
            let (lo, hi) = wilson_interval(f64::from(row.arrests), f64::from(row.incidents), Z95);
            assert!((row.wilson_lo - lo).abs() < 1e-12 && (row.wilson_hi - hi).abs() < 1e-12);
            assert_eq!(row.low_confidence, row.incidents < 5);
        }
    }
    let n1_k0 = months[&10]
        .values()
        .find(|r| r.incidents == 1 && r.arrests == 0)
        .expect("a single-incident cell");
    assert!((n1_k0.wilson_hi - 0.7935).abs() < 5e-5 && n1_k0.wilson_lo == 0.0);

    // Neighbour pooling over grid_disk(cell, 1), counted by hand from h3-py's disk:
    // 41+19+0+25+16+10+16 = 127 incidents, 9+2+0+10+6+1+4 = 32 arrests.
    assert_eq!((r9.pooled_incidents, r9.pooled_arrests), (127, 32));
    assert!((r9.pooled_rate - 32.0 / 127.0).abs() < 1e-12);
    assert!((r9.pooled_smoothed - (5.0 * prior + 32.0) / (5.0 + 127.0)).abs() < 1e-12);
    let r8 = &months[&8][&cell("882664c1a9fffff")];
    assert_eq!((r8.pooled_incidents, r8.pooled_arrests), (459, 85));

    // Modes of the busiest r9 cell: 21 of its 41 incidents are at 001XX N STATE ST.
    assert_eq!(r9.signature_block.as_deref(), Some("001XX N STATE ST"));
    assert_eq!(r9.signature_street.as_deref(), Some("N STATE ST"));
    assert_eq!(r9.dominant_type.as_deref(), Some("THEFT"));
    assert_eq!(r9.district, Some(1));
    let labels = labels(&lake.labels(9));
    assert_eq!(labels[&cell("892664c1a93ffff")], "001XX N State St");

    // Daily rows add up to the monthly rows; hourly rows too.
    for res in [6u8, 9, 10] {
        let days = sum_u32(&lake.gold(GoldTable::CellDay, res, SEP), "incidents");
        let hours = sum_u32(&lake.gold(GoldTable::CellHour, res, SEP), "incidents");
        assert_eq!(days, 11_641);
        assert_eq!(hours, 11_641);
    }
    // Drill maps hold every child once.
    for res in 7..=10u8 {
        assert_eq!(
            height(&lake.drill(res)) as u64,
            expected_cells[usize::from(res - 6)].1
        );
    }

    // A second build with nothing dirty builds nothing and changes nothing.
    let again = build(&lake);
    assert!(again.info.months_built.is_empty());
    assert_eq!(
        again.info.cells_per_resolution,
        built.info.cells_per_resolution
    );

    // Re-ingesting the same file supersedes nothing already better: ties go to the later
    // input, so every row replaces its lake twin and the month is rewritten, not duplicated.
    let again = ingest(&lake, &[hotspot_testkit::sample::path()]);
    assert_eq!(again.run.counts.accepted, 11_641);
    assert_eq!(again.run.replaced_in_lake, 11_641);
    assert_eq!(height(&lake.bronze(SEP)), 11_641);
}
