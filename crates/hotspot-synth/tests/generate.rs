//! Determinism, exact row counts, the CSV format in both header styles, files and options.

mod common;

use std::io::Read;

use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::HeaderStyle;
use hotspot_core::time;
use hotspot_synth::{GenerateOptions, SynthError, generate, generate_to_path};

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let m = common::model();
    let opts = common::options(
        25_000,
        common::date(2024, 3, 1),
        common::date(2024, 4, 15),
        7,
        HeaderStyle::Export,
    );
    let (a, sa) = common::generate_bytes(&m, &opts);
    let (b, sb) = common::generate_bytes(&m, &opts);
    assert!(a == b, "same seed gave different bytes");
    assert_eq!(sa, sb);
    let (c, _) = common::generate_bytes(
        &m,
        &GenerateOptions {
            seed: 8,
            ..opts.clone()
        },
    );
    assert!(a != c, "different seeds gave the same bytes");
    // Exactly N data rows plus the header.
    assert_eq!(a.iter().filter(|&&b| b == b'\n').count(), 25_001);
    assert_eq!(sa.rows, 25_000);
    assert_eq!(sa.days, 46);
}

#[test]
fn exact_row_counts_for_awkward_sizes() {
    let m = common::model();
    for (rows, from, to) in [
        (0, common::date(2024, 1, 1), common::date(2024, 1, 1)),
        (1, common::date(2024, 1, 1), common::date(2024, 12, 31)),
        (7, common::date(2001, 1, 1), common::date(2001, 1, 1)),
        (5_000, common::date(2010, 6, 1), common::date(2010, 6, 1)),
    ] {
        let opts = common::options(rows, from, to, 1, HeaderStyle::Api);
        let (bytes, s) = common::generate_bytes(&m, &opts);
        let (_, parsed) = common::parse_all(&bytes);
        assert_eq!(parsed.len() as u64, rows);
        assert_eq!(s.rows, rows);
        let (lo, hi) = (time::day_number(from), time::day_number(to));
        for p in &parsed {
            let day = time::day_of_micros(p.record.occurred_at);
            assert!((lo..=hi).contains(&day));
        }
    }
}

#[test]
fn every_row_parses_in_both_header_styles() {
    let m = common::model();
    for style in [HeaderStyle::Export, HeaderStyle::Api] {
        let opts = common::options(
            8_000,
            common::date(2023, 12, 25),
            common::date(2024, 1, 20),
            3,
            style,
        );
        let (bytes, summary) = common::generate_bytes(&m, &opts);
        let (header, rows) = common::parse_all(&bytes);
        assert_eq!(header.style, style);
        assert!(header.extra_columns.is_empty());
        assert_eq!(rows.len(), 8_000);
        assert_eq!(summary.rows, 8_000);
        let cap = i64::from(time::day_number(opts.to) + 30) * time::MICROS_PER_DAY;
        let mut last = i64::MIN;
        for p in &rows {
            let r = &p.record;
            assert!(
                r.occurred_at >= last,
                "rows are not sorted by incident time"
            );
            last = r.occurred_at;
            let updated = r.updated_on.expect("updated on");
            assert!(
                updated > r.occurred_at && updated <= cap,
                "bad Updated On in {}",
                p.line
            );
            assert!(!r.case_number.is_empty() && !r.iucr.is_empty() && !r.fbi_code.is_empty());
            assert!(r.beat.is_some() && r.district.is_some());
            let cn = r.case_number.as_bytes();
            assert!(
                cn.len() == 8
                    && cn[..2].iter().all(u8::is_ascii_uppercase)
                    && cn[2..].iter().all(u8::is_ascii_digit)
            );
            // Seconds are always zero, as in the real data.
            assert_eq!(r.occurred_at % 60_000_000, 0);
            // Year column agrees with the date.
            let (y, _, _) = time::civil_from_days(time::day_of_micros(r.occurred_at));
            assert!(p.line.contains(&format!(",{y},")));
        }
        // Case numbers move to the next year's prefix.
        let first = &rows[0].record.case_number;
        let last_cn = &rows[rows.len() - 1].record.case_number;
        assert_eq!(&first[..2], "JG");
        assert_eq!(&last_cn[..2], "JH");
    }
}

#[test]
fn files_and_gzip_hold_the_same_bytes() {
    let m = common::model();
    let opts = common::options(
        6_000,
        common::date(2024, 5, 1),
        common::date(2024, 5, 31),
        99,
        HeaderStyle::Export,
    );
    let (bytes, summary) = common::generate_bytes(&m, &opts);
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("out.csv");
    let gz = dir.path().join("out.csv.gz");
    assert_eq!(
        generate_to_path(&m, &opts, &plain, &NoProgress).expect("plain"),
        summary
    );
    assert_eq!(
        generate_to_path(&m, &opts, &gz, &NoProgress).expect("gz"),
        summary
    );
    assert_eq!(std::fs::read(&plain).expect("read"), bytes);
    let compressed = std::fs::read(&gz).expect("read gz");
    assert_eq!(&compressed[..2], &[0x1f, 0x8b]);
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut unzipped)
        .expect("gunzip");
    assert_eq!(unzipped, bytes);
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
    // A path in a missing directory fails cleanly.
    let bad = dir.path().join("missing").join("x.csv");
    assert!(matches!(
        generate_to_path(&m, &opts, &bad, &NoProgress),
        Err(SynthError::Io { .. })
    ));
}

#[test]
fn bad_options_are_errors() {
    let m = common::model();
    let opts = common::options(
        10,
        common::date(2024, 2, 1),
        common::date(2024, 1, 1),
        0,
        HeaderStyle::Export,
    );
    let mut out = Vec::new();
    assert!(matches!(
        generate(&m, &opts, &mut out, &NoProgress),
        Err(SynthError::InvalidOptions(_))
    ));
    let huge = GenerateOptions {
        rows: 500_000_000,
        ..GenerateOptions::default()
    };
    assert!(matches!(
        generate(&m, &huge, &mut out, &NoProgress),
        Err(SynthError::InvalidOptions(_))
    ));
}

#[test]
fn progress_is_reported() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    struct Counter(Arc<AtomicU64>);
    struct CounterStage(Arc<AtomicU64>);
    impl hotspot_core::progress::Progress for Counter {
        fn stage(&self, _: &str, total: Option<u64>) -> Box<dyn hotspot_core::progress::Stage> {
            assert_eq!(total, Some(3_000));
            Box::new(CounterStage(self.0.clone()))
        }
    }
    impl hotspot_core::progress::Stage for CounterStage {
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
        fn finish(&self) {}
    }
    let done = Arc::new(AtomicU64::new(0));
    let m = common::model();
    let opts = common::options(
        3_000,
        common::date(2024, 1, 1),
        common::date(2024, 1, 31),
        0,
        HeaderStyle::Export,
    );
    generate(&m, &opts, std::io::sink(), &Counter(done.clone())).expect("generate");
    assert_eq!(done.load(Ordering::Relaxed), 3_000);
}
