//! Every kind of bad input: the run completes, each row lands where the contract says with the
//! right reason, and the counts reconcile.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use common::*;
use hotspot_core::Lake;
use hotspot_core::time::YearMonth;

const API_HEADER: &str = "id,case_number,date,block,iucr,primary_type,description,location_description,arrest,domestic,beat,district,ward,community_area,fbi_code,x_coordinate,y_coordinate,year,updated_on,latitude,longitude,location";

/// A valid export row (from the real sample) with some fields replaced. Fields are written
/// verbatim: callers quote what needs quoting.
fn row(id: &str, overrides: &[(usize, &str)]) -> String {
    let mut f = valid_fields(id);
    for (i, v) in overrides {
        f[*i] = v.to_string();
    }
    f.join(",")
}

#[test]
fn every_fault_lands_where_the_contract_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));

    // One line per entry; the comment is the physical line number.
    let mut lines: Vec<String> = vec![HEADER.to_string()]; // 1
    lines.push(row("1", &[])); // 2 ok
    lines.push(
        row("2", &[])
            .rsplitn(4, ',')
            .last()
            .expect("prefix")
            .to_string(),
    ); // 3 field_count
    lines.push(row("3", &[(2, "2024-13-45T00:00:00")])); // 4 bad_date
    lines.push(row("4", &[(8, "maybe")])); // 5 bad_boolean
    lines.push(row("", &[])); // 6 bad_id
    lines.push(row("5", &[(6, "\"UNLAWFUL\nPOSSESSION, \"\"QUOTED\"\"\"")])); // 7–8 ok, quoted newline
    lines.push(row("6", &[(19, "NaN"), (20, "NaN")])); // 9 kept, invalid
    lines.push(row("7", &[(20, "inf")])); // 10 kept, invalid
    lines.push(row("8", &[(19, "95.0")])); // 11 kept, invalid
    lines.push(row("9", &[(19, "40.0"), (20, "-89.0")])); // 12 kept, outside_city
    lines.push(row(
        "10",
        &[(15, ""), (16, ""), (19, ""), (20, ""), (21, "")],
    )); // 13 kept, missing
    lines.push(row(
        "11",
        &[
            (3, "022XX N Western\u{a0}Ave"),
            (5, "\u{200b}theft "),
            (6, "CAÑON"),
        ],
    )); // 14 ok
    lines.push("__INVALID_UTF8__".to_string()); // 15 invalid_utf8
    lines.push(row("12", &[(5, "")])); // 16 empty_primary_type
    lines.push("13,\"JH000001,09/02/2024 01:00:00 AM,oops".to_string()); // 17 unterminated_quote
    lines.push(row("14", &[(2, "09/02/2024 01:00:00 PM")])); // 18 ok, recovered after the stray quote
    lines.push(row("12a", &[])); // 19 bad_id
    lines.push(row("15", &[(2, "09/03/2024 11:30:00 PM")]) + "\r"); // 20 ok, CRLF
    let mut text = lines.join("\n").into_bytes();
    text.push(b'\n');
    // Splice invalid UTF-8 into line 15.
    let marker = b"__INVALID_UTF8__";
    let at = text
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("marker");
    let bad = row("16", &[(6, "BAD\u{1}BYTES")])
        .replace('\u{1}', "\u{FFFF}")
        .into_bytes();
    let mut bad = bad;
    let pos = bad
        .windows(3)
        .position(|w| w == "\u{FFFF}".as_bytes())
        .expect("pos");
    bad.splice(pos..pos + 3, [0xFFu8, 0xFE]);
    text.splice(at..at + marker.len(), bad);
    let faults = write_file(dir.path(), "faults.csv", &text);

    let header_only = write_file(
        dir.path(),
        "header_only.csv",
        format!("{HEADER}\n").as_bytes(),
    );
    // API style, ISO dates, an extra computed-region column, gzip-compressed.
    let api_rows = [
        format!("{API_HEADER},:@computed_region_x"),
        row(
            "20",
            &[
                (2, "2024-09-04T10:15:00.000"),
                (18, "2024-09-10T00:00:00.000"),
            ],
        ) + ",7",
        row("21", &[(2, "2024-10-01T00:00:00.000"), (18, "")]) + ",8",
    ];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all((api_rows.join("\n") + "\n").as_bytes())
        .expect("gzip");
    let api = write_file(dir.path(), "api.csv.gz", &gz.finish().expect("gzip"));

    let outcome = ingest(&lake, &[faults, header_only, api]);
    let c = &outcome.run.counts;
    // faults: 18 data records (lines 7–8 are one); api: 2.
    assert_eq!(c.rows_read, 18 + 2);
    assert_eq!(c.quarantined, 8);
    assert_eq!(c.accepted, 10 + 2);
    assert_eq!(c.superseded, 0);
    assert!(c.balanced());
    let reasons: BTreeMap<&str, u64> = outcome
        .run
        .quarantine_reasons
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    let expected: BTreeMap<&str, u64> = [
        ("field_count", 1),
        ("bad_date", 1),
        ("bad_boolean", 1),
        ("bad_id", 2),
        ("invalid_utf8", 1),
        ("empty_primary_type", 1),
        ("unterminated_quote", 1),
    ]
    .into();
    assert_eq!(reasons, expected);
    let sources = &outcome.run.sources;
    assert_eq!(
        sources.iter().map(|s| s.rows_read).collect::<Vec<_>>(),
        vec![18, 0, 2]
    );
    // Every physical line is accounted for: 20 lines of faults.csv = the header + 19 lines of
    // its 18 rows; header_only.csv is its header.
    assert_eq!(
        sources
            .iter()
            .map(|s| (s.lines_read, s.blank_lines))
            .collect::<Vec<_>>(),
        vec![(20, 0), (1, 0), (3, 0)]
    );
    assert_eq!(sources[2].header_style.as_deref(), Some("api"));
    assert_eq!(
        sources[2].extra_columns,
        vec![":@computed_region_x".to_string()]
    );
    assert_eq!(sources[0].sha256.len(), 64);

    // The quarantine file: file, line, raw text and reason for every row.
    let qfile = lake.data_dir().join(
        outcome
            .run
            .quarantine_file
            .as_deref()
            .expect("quarantine file"),
    );
    let q = frame(&qfile);
    let lines_col: Vec<u64> = q
        .column("line")
        .expect("line")
        .u64()
        .expect("u64")
        .iter()
        .flatten()
        .collect();
    let reason_col = strings(&qfile, "reason");
    let source_col = strings(&qfile, "source");
    let raw_col = strings(&qfile, "raw");
    let got: Vec<(String, u64, String)> = (0..q.height())
        .map(|i| {
            let src = source_col[i].clone().expect("source");
            let name = std::path::Path::new(&src)
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, lines_col[i], reason_col[i].clone().expect("reason"))
        })
        .collect();
    for expected in [
        ("faults.csv", 3, "field_count"),
        ("faults.csv", 4, "bad_date"),
        ("faults.csv", 5, "bad_boolean"),
        ("faults.csv", 6, "bad_id"),
        ("faults.csv", 15, "invalid_utf8"),
        ("faults.csv", 16, "empty_primary_type"),
        ("faults.csv", 17, "unterminated_quote"),
        ("faults.csv", 19, "bad_id"),
    ] {
        let e = (expected.0.to_string(), expected.1, expected.2.to_string());
        assert!(got.contains(&e), "missing {e:?} in {got:?}");
    }
    let raw_of = |line: u64| {
        let i = got
            .iter()
            .position(|g| g.0 == "faults.csv" && g.1 == line)
            .expect("line");
        raw_col[i].clone().expect("raw")
    };
    assert_eq!(raw_of(4), row("3", &[(2, "2024-13-45T00:00:00")]));
    assert_eq!(raw_of(17), "13,\"JH000001,09/02/2024 01:00:00 AM,oops");
    assert!(raw_of(15).starts_with("16,JH410439"));

    // Bronze: the accepted records, cleaned.
    let sep = YearMonth {
        year: 2024,
        month: 9,
    };
    let bronze = frame(&lake.bronze(sep));
    let ids: Vec<i64> = bronze
        .column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .iter()
        .flatten()
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![1, 5, 6, 7, 8, 9, 10, 11, 14, 15, 20]);
    assert_eq!(
        lake.bronze_months().expect("months"),
        vec![
            sep,
            YearMonth {
                year: 2024,
                month: 10
            }
        ]
    );
    let idx = |id: i64| ids.iter().position(|x| *x == id).expect("id");
    let blocks = strings(&lake.bronze(sep), "block");
    let types = strings(&lake.bronze(sep), "primary_type");
    let descs = strings(&lake.bronze(sep), "description");
    assert_eq!(blocks[idx(11)].as_deref(), Some("022XX N WESTERN AVE"));
    assert_eq!(types[idx(11)].as_deref(), Some("THEFT"));
    assert_eq!(descs[idx(11)].as_deref(), Some("CAÑON"));
    assert_eq!(
        descs[idx(5)].as_deref(),
        Some("UNLAWFUL POSSESSION, \"QUOTED\"")
    );

    // Silver keeps odd coordinates as records with a geo_issue and no cells.
    let built = build(&lake);
    assert_eq!(built.info.records, 12);
    assert_eq!(built.info.unmapped, 5);
    let issues: BTreeMap<&str, u64> = built
        .info
        .unmapped_by_issue
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        issues,
        [("invalid", 3), ("missing", 1), ("outside_city", 1)].into()
    );
    let silver = frame(&lake.silver(sep));
    let sid: Vec<i64> = silver
        .column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .iter()
        .flatten()
        .collect();
    let geo = strings(&lake.silver(sep), "geo_issue");
    let by_id: HashMap<i64, Option<String>> = sid.iter().copied().zip(geo).collect();
    assert_eq!(by_id[&6].as_deref(), Some("invalid"));
    assert_eq!(by_id[&7].as_deref(), Some("invalid"));
    assert_eq!(by_id[&8].as_deref(), Some("invalid"));
    assert_eq!(by_id[&9].as_deref(), Some("outside_city"));
    assert_eq!(by_id[&10].as_deref(), Some("missing"));
    assert_eq!(by_id[&1], None);
    let r10 = silver
        .column("h3_r10")
        .expect("h3")
        .u64()
        .expect("u64")
        .clone();
    for (i, id) in sid.iter().enumerate() {
        assert_eq!(r10.get(i).is_some(), by_id[id].is_none(), "id {id}");
    }
    // Gold counts only geolocated records; the unmapped ones are in unmapped_day.
    // September holds 11 records (10 from faults.csv, id 20 from the API file), 5 unmapped.
    for r in 6..=10 {
        let cell_month = lake.gold(hotspot_core::lake::GoldTable::CellMonth, r, sep);
        assert_eq!(sum_u32(&cell_month, "incidents"), 11 - 5, "r{r}");
    }
    assert_eq!(sum_u32(&lake.unmapped_day(sep), "incidents"), 5);

    // The manifest reconciles too.
    let m = lake.read_manifest().expect("manifest");
    assert_eq!(m.totals, outcome.run.counts);
    assert!(m.dirty_months.is_empty());
}

#[test]
fn a_file_that_cannot_be_opened_is_an_error_and_the_lake_is_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let err = hotspot_pipeline::ingest(
        &lake,
        &[dir.path().join("no-such-file.csv")],
        &hotspot_core::progress::NoProgress,
    )
    .expect_err("missing file");
    assert!(err.to_string().contains("no-such-file.csv"), "{err}");
    assert!(lake.bronze_months().expect("months").is_empty());
}

#[test]
fn a_file_without_the_datasets_header_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let good = write_file(
        dir.path(),
        "good.csv",
        format!("{HEADER}\n{}\n", row("1", &[])).as_bytes(),
    );
    ingest(&lake, std::slice::from_ref(&good));
    let before = lake.read_manifest().expect("manifest");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.csv", Vec::new(), "the file is empty"),
        (
            "unknown.csv",
            b"foo,bar\n1,2\n3,4\n".to_vec(),
            "not the dataset's header",
        ),
        // A headerless export: its first record would otherwise be eaten as the header.
        (
            "headerless.csv",
            format!("{}\n{}\n", row("2", &[]), row("3", &[])).into_bytes(),
            "data row, not a header",
        ),
        (
            "binary.csv",
            vec![0xff, 0xfe, 0x00, 0x41, b'\n'],
            "not UTF-8",
        ),
    ];
    for (name, bytes, why) in cases {
        let bad = write_file(dir.path(), name, &bytes);
        // With a good file before it: the whole run fails, the good file is not ingested either.
        let err = hotspot_pipeline::ingest(
            &lake,
            &[good.clone(), bad],
            &hotspot_core::progress::NoProgress,
        )
        .expect_err(name);
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains(why), "{name}: {msg}");
        assert!(msg.contains("nothing was ingested"), "{msg}");
        assert_eq!(lake.read_manifest().expect("manifest"), before, "{name}");
    }
}
