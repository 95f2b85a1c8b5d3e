//! Whole classes of bad input, generated rather than hand-picked: each test writes hundreds of
//! rows with faults placed at random (a fixed-seed generator, so failures reproduce), works out
//! by itself what must happen to every row, and checks that the ingest did exactly that — with
//! every physical line and every row accounted for.

mod common;

use std::collections::BTreeMap;

use common::*;
use hotspot_core::Lake;
use hotspot_core::time::YearMonth;
use hotspot_pipeline::PipelineError;

/// A deterministic pseudo-random stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The fields of a valid row (the real sample's first record) for id `id`, on day `day` of
/// September 2024.
fn fields(id: u64, day: u64) -> Vec<String> {
    let mut f = valid_fields(&id.to_string());
    f[2] = format!("09/{:02}/2024 10:00:00 AM", 1 + day % 28);
    f[18] = "10/17/2024 03:40:52 PM".to_string();
    f
}

fn file(rows: &[Vec<String>], newline: &str) -> Vec<u8> {
    let mut out = String::from(HEADER);
    out.push_str(newline);
    for r in rows {
        out.push_str(&r.join(","));
        out.push_str(newline);
    }
    out.into_bytes()
}

fn lake_in(dir: &std::path::Path) -> Lake {
    Lake::new(dir.join("lake"))
}

const SEP: YearMonth = YearMonth {
    year: 2024,
    month: 9,
};

/// (field index, column, issue code, valid values with the value stored, invalid values).
type CodeColumn<'a> = (usize, &'a str, &'a str, &'a [(&'a str, u32)], &'a [&'a str]);

#[test]
fn out_of_range_codes_are_null_and_counted_never_wrapped() {
    let mut rng = Rng(1);
    // (field index, column, code, valid values and the value stored, invalid values).
    let columns: [CodeColumn; 4] = [
        (
            10,
            "beat",
            "beat",
            &[("0632", 632), ("2535", 2535), ("65535", 65535)],
            &["65536", "99999999", "4294967306", "1A1", "-3"],
        ),
        (
            11,
            "district",
            "district",
            &[("006", 6), ("255", 255), ("6.0", 6)],
            &["256", "1006", "4294967297", "D6", "6.5"],
        ),
        (
            12,
            "ward",
            "ward",
            &[("50", 50), ("1", 1)],
            &["300", "12345678901", "W1", "+5"],
        ),
        (
            13,
            "community_area",
            "community_area",
            &[("77", 77), ("44", 44)],
            &["256", "770", "forty-four"],
        ),
    ];
    let mut rows = Vec::new();
    // id → column → expected stored value (None: null because of an issue).
    let mut expected: BTreeMap<i64, BTreeMap<&str, Option<u32>>> = BTreeMap::new();
    let mut issues: BTreeMap<&str, u64> = BTreeMap::new();
    for id in 1..=600u64 {
        let mut f = fields(id, id);
        let e = expected.entry(id as i64).or_default();
        for (idx, column, code, good, bad) in &columns {
            if rng.below(4) == 0 {
                f[*idx] = rng.pick(bad).to_string();
                e.insert(column, None);
                *issues.entry(code).or_default() += 1;
            } else {
                let (text, value) = rng.pick(good);
                f[*idx] = text.to_string();
                e.insert(column, Some(*value));
            }
        }
        rows.push(f);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_in(dir.path());
    let csv = write_file(dir.path(), "codes.csv", &file(&rows, "\n"));
    let run = ingest(&lake, &[csv]).run;
    assert_eq!(run.counts.rows_read, 600);
    assert_eq!(
        run.counts.accepted, 600,
        "a bad code never costs the record"
    );
    assert!(run.counts.balanced());
    let got: BTreeMap<&str, u64> = run
        .field_issues
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(got, issues);
    let df = frame(&lake.bronze(SEP));
    let ids: Vec<i64> = df
        .column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .iter()
        .flatten()
        .collect();
    let field_issue = strings(&lake.bronze(SEP), "field_issue");
    for (_, column, code, _, _) in &columns {
        let stored = df
            .column(column)
            .expect("column")
            .cast(&polars::prelude::DataType::UInt32)
            .expect("cast");
        let stored = stored.u32().expect("u32");
        for (i, id) in ids.iter().enumerate() {
            let want = expected[id][column];
            assert_eq!(stored.get(i), want, "id {id} {column}");
            let flagged = field_issue[i]
                .as_deref()
                .is_some_and(|s| s.split(',').any(|c| c == *code));
            assert_eq!(flagged, want.is_none(), "id {id} field_issue");
        }
    }
}

#[test]
fn every_line_ending_gives_the_same_lake_and_every_line_is_counted() {
    let rows: Vec<Vec<String>> = (1..=300).map(|id| fields(id, id)).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bronze = Vec::new();
    for (name, newline) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let lake = Lake::new(dir.path().join(name));
        let csv = write_file(dir.path(), &format!("{name}.csv"), &file(&rows, newline));
        let run = ingest(&lake, &[csv]).run;
        assert_eq!(run.counts.rows_read, 300, "{name}");
        assert_eq!(run.counts.accepted, 300, "{name}");
        assert_eq!(
            run.sources[0].lines_read, 301,
            "{name}: the header and 300 rows"
        );
        let df = frame(&lake.bronze(SEP));
        bronze.push(format!(
            "{:?}",
            df.sort(["id"], Default::default()).expect("sort")
        ));
    }
    assert_eq!(bronze[0], bronze[1]);
    assert_eq!(bronze[0], bronze[2]);
    // Mixed endings and blank lines in one file: still every line accounted for.
    let mut mixed = String::from(HEADER);
    mixed.push('\n');
    let mut rng = Rng(7);
    let mut blank = 0;
    for r in &rows {
        mixed.push_str(&r.join(","));
        let end = *rng.pick(&["\n", "\r\n", "\r"]);
        mixed.push_str(end);
        if rng.below(10) == 0 {
            // A blank line (after a lone CR, an LF would only complete a CRLF).
            mixed.push_str(if end == "\r" { "\r" } else { "\n" });
            blank += 1;
        }
    }
    let lake = Lake::new(dir.path().join("mixed"));
    let csv = write_file(dir.path(), "mixed.csv", mixed.as_bytes());
    let run = ingest(&lake, &[csv]).run;
    assert_eq!(run.counts.accepted, 300);
    assert_eq!(run.sources[0].blank_lines, blank);
    assert_eq!(run.sources[0].lines_read, 301 + blank);
}

#[test]
fn stray_quotes_cost_only_their_own_rows() {
    let mut rng = Rng(3);
    let text_fields = [3usize, 6, 7];
    let mut rows = Vec::new();
    let mut quarantined_ids = Vec::new();
    for id in 1..=500u64 {
        let mut f = fields(id, id);
        match rng.below(6) {
            // A quote inside an unquoted field (`12" TV`): an ordinary character.
            0 | 1 => {
                let k = *rng.pick(&text_fields);
                let at = 1 + rng.below(f[k].len() as u64 - 1) as usize;
                f[k].insert(at, '"');
            }
            // A quote opening a field that never closes on its line: that row only.
            2 => {
                let k = *rng.pick(&text_fields);
                f[k].insert(0, '"');
                quarantined_ids.push(id);
            }
            _ => {}
        }
        rows.push(f);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_in(dir.path());
    let csv = write_file(dir.path(), "quotes.csv", &file(&rows, "\n"));
    let run = ingest(&lake, &[csv]).run;
    assert_eq!(run.counts.rows_read, 500, "one row per physical line");
    assert_eq!(run.sources[0].lines_read, 501);
    assert_eq!(run.counts.quarantined, quarantined_ids.len() as u64);
    assert_eq!(run.counts.accepted, 500 - quarantined_ids.len() as u64);
    assert!(run.counts.balanced());
    let df = frame(&lake.bronze(SEP));
    let ids: Vec<i64> = df
        .column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .iter()
        .flatten()
        .collect();
    for q in &quarantined_ids {
        assert!(!ids.contains(&(*q as i64)), "{q} should be quarantined");
    }
    // The literal quotes reached Bronze as written.
    let blocks = strings(&lake.bronze(SEP), "description");
    assert!(blocks.iter().flatten().any(|d| d.contains('"')));
}

#[test]
fn bad_updated_on_and_implausible_dates_are_quarantined_with_their_reason() {
    let mut rng = Rng(5);
    let mut rows = Vec::new();
    let mut want: BTreeMap<&str, u64> = BTreeMap::new();
    for id in 1..=400u64 {
        let mut f = fields(id, id);
        match rng.below(8) {
            0 => {
                f[18] = rng
                    .pick(&[
                        "yesterday",
                        "13/45/2024 10:00:00 AM",
                        "2024-09-31T00:00:00",
                        "0",
                    ])
                    .to_string();
                *want.entry("bad_updated_on").or_default() += 1;
            }
            1 => {
                let (date, reason) = *rng.pick(&[
                    ("01/01/2199 10:00:00 AM", "date_out_of_range"),
                    ("03/02/1850 10:00:00 AM", "date_out_of_range"),
                    ("12/31/2000 11:59:59 PM", "date_out_of_range"),
                    // Beyond the calendar the parser knows (1800–2200): not a timestamp.
                    ("06/01/2999 12:00:00 AM", "bad_date"),
                ]);
                f[2] = date.to_string();
                *want.entry(reason).or_default() += 1;
            }
            // Empty Updated On: no update yet, accepted. The dataset's first instant too.
            2 => f[18] = String::new(),
            3 => f[2] = "01/01/2001 12:00:00 AM".into(),
            _ => {}
        }
        rows.push(f);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_in(dir.path());
    let csv = write_file(dir.path(), "dates.csv", &file(&rows, "\n"));
    let run = ingest(&lake, &[csv]).run;
    let got: BTreeMap<&str, u64> = run
        .quarantine_reasons
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(got, want);
    assert!(run.counts.balanced());
    assert_eq!(run.counts.accepted, 400 - want.values().sum::<u64>());
    // No month outside 2001 … today was written.
    let months = lake.bronze_months().expect("months");
    assert!(
        months.iter().all(|m| m.year >= 2001 && m.year <= 2027),
        "{months:?}"
    );
}

#[test]
fn more_offence_types_than_a_lake_holds_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = lake_in(dir.path());
    // A lake with 200 types.
    let rows: Vec<Vec<String>> = (1..=200u64)
        .map(|id| {
            let mut f = fields(id, id);
            f[5] = format!("TYPE {id:03}");
            f
        })
        .collect();
    let first = write_file(dir.path(), "first.csv", &file(&rows, "\n"));
    ingest(&lake, &[first]);
    let before = lake.read_manifest().expect("manifest");
    assert_eq!(before.primary_types.len(), 200);
    // 60 more: past the 255 the scope engine can code.
    let more: Vec<Vec<String>> = (201..=260u64)
        .map(|id| {
            let mut f = fields(id, id);
            f[5] = format!("TYPE {id:03}");
            f
        })
        .collect();
    let second = write_file(dir.path(), "second.csv", &file(&more, "\n"));
    let err = hotspot_pipeline::ingest(&lake, &[second], &hotspot_core::progress::NoProgress)
        .expect_err("too many types");
    assert!(
        matches!(err, PipelineError::TooManyTypes { types: 256.., .. }),
        "{err}"
    );
    assert!(err.to_string().contains("second.csv"), "{err}");
    assert_eq!(lake.read_manifest().expect("manifest"), before);
    // The lake that did build opens.
    build(&lake);
    hotspot_scope_opens(&lake);
}

fn hotspot_scope_opens(lake: &Lake) {
    // The pipeline's tests do not depend on the scope engine: check the manifest and Gold
    // months instead (every type fits the engine's one-byte codes).
    let m = lake.read_manifest().expect("manifest");
    assert!(m.primary_types.len() <= hotspot_core::lake::MAX_TYPES);
    assert!(m.build.is_some());
}
