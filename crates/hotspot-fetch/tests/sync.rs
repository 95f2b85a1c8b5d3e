//! `hotspot fetch` against a Socrata stand-in on 127.0.0.1 (see `common`): backfill, incremental
//! sync, retries, resumption, malformed pages. No test touches the internet.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::{FIELDS, Field, parse_timestamp};
use hotspot_core::time::YearMonth;
use hotspot_fetch::{FetchError, FetchOptions, Phase, RunKind, fetch, read_checkpoint};

const SEP: YearMonth = YearMonth {
    year: 2024,
    month: 9,
};

/// What the stand-in serves: an export and its rows with unique ids (as the API has them,
/// the latest revision of each record).
struct Source {
    _dir: Option<tempfile::TempDir>,
    path: PathBuf,
    rows: Vec<Row>,
}

impl Source {
    fn from_csv(dir: Option<tempfile::TempDir>, path: PathBuf) -> Source {
        // The export may repeat an id (revisions): keep what ingest keeps, the latest
        // `Updated On`, ties to the later row.
        let mut latest: std::collections::BTreeMap<String, (usize, Row)> = Default::default();
        for (i, row) in rows_from_csv(&path).into_iter().enumerate() {
            let id = row.get(Field::Id).to_string();
            let newer = latest.get(&id).is_none_or(|(_, old)| {
                parse_timestamp(row.get(Field::UpdatedOn))
                    >= parse_timestamp(old.get(Field::UpdatedOn))
            });
            if newer {
                latest.insert(id, (i, row));
            }
        }
        let mut rows: Vec<(usize, Row)> = latest.into_values().collect();
        rows.sort_by_key(|(i, _)| *i);
        Source {
            _dir: dir,
            path,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        }
    }
}

/// A generated 1–15 September 2024 of about the real sample's size (so the paging below has
/// the same five pages of 2,500), built once: these tests run anywhere.
fn generated() -> &'static Source {
    static SOURCE: OnceLock<Source> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("generated.csv");
        let model = hotspot_synth::CityModel::embedded().expect("model");
        let options = hotspot_synth::GenerateOptions {
            rows: 11_700,
            from: chrono::NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
            to: chrono::NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
            seed: 11,
            style: hotspot_core::socrata::HeaderStyle::Export,
        };
        hotspot_synth::generate_to_path(&model, &options, &path, &NoProgress).expect("generate");
        let source = Source::from_csv(Some(dir), path);
        assert!(
            (10_001..12_500).contains(&source.rows.len()),
            "{} rows: not five pages of 2,500",
            source.rows.len()
        );
        source
    })
}

fn max_updated(rows: &[Row]) -> String {
    rows.iter()
        .max_by_key(|r| parse_timestamp(r.get(Field::UpdatedOn)))
        .map(|r| r.get(Field::UpdatedOn).to_string())
        .expect("rows")
}

/// Asserts that two lakes hold the same Bronze partitions, row for row.
fn assert_same_bronze(fetched: &Lake, direct: &Lake) {
    assert_eq!(
        fetched.bronze_months().expect("months"),
        direct.bronze_months().expect("months")
    );
    let a = bronze_rows(fetched);
    let b = bronze_rows(direct);
    assert_eq!(a.len(), b.len(), "row counts differ");
    for ((ida, ra), (idb, rb)) in a.iter().zip(b.iter()) {
        assert_eq!(ida, idb, "ids differ");
        assert_eq!(ra, rb, "record {ida} differs");
    }
}

fn direct_lake(dir: &Path, sample: &Path) -> Lake {
    let lake = Lake::new(dir.join("direct"));
    hotspot_pipeline::ingest(&lake, &[sample.to_path_buf()], &NoProgress).expect("direct ingest");
    lake
}

/// A backfill of `source` through the stand-in equals ingesting its CSV directly.
fn backfill_equals_ingesting_the_csv(source: &Source) {
    let (sample, rows) = (&source.path, &source.rows);
    let n = rows.len() as u64;
    let server = Server::start(rows.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("fetched"));
    let opts = FetchOptions {
        app_token: Some("test-token".into()),
        ..options(&server, 2500)
    };
    let out = fetch(&lake, &opts, &NoProgress).expect("fetch");

    assert_eq!(out.kind, RunKind::Backfill);
    assert!(!out.resumed);
    assert_eq!(out.rows_fetched, n);
    assert_eq!(out.rows_ingested, n);
    assert_eq!(out.pages_fetched, 5, "4 full pages of 2500 and a last one");
    assert_eq!(out.traffic.retries, 0);

    // One pass over rows without updated_on (none), then 5 keyset pages; no $offset anywhere.
    let log = server.log();
    assert_eq!(log.len(), 6);
    assert_eq!(out.traffic.requests, 6);
    let select: Vec<&str> = FIELDS.iter().map(|f| f.api_name()).collect();
    for l in &log {
        assert_eq!(l.status, 200);
        assert_eq!(l.app_token.as_deref(), Some("test-token"));
        assert_eq!(l.param("$select"), select.join(","));
        assert_eq!(l.param("$limit"), "2500");
        assert!(!l.params.contains_key("$offset"));
    }
    assert_eq!(log[0].param("$where"), "updated_on IS NULL");
    assert_eq!(log[0].param("$order"), "id");
    assert_eq!(log[1].param("$where"), "updated_on IS NOT NULL");
    for l in &log[1..] {
        assert_eq!(l.param("$order"), "updated_on,id");
    }
    // Pages after the first start strictly after the previous page's last key.
    for (prev, l) in log[1..].iter().zip(&log[2..]) {
        let w = l.param("$where");
        assert!(
            w.starts_with("(updated_on > '") && w.contains("' AND id > "),
            "{w}"
        );
        assert_ne!(w, prev.param("$where"));
    }
    assert_eq!(log.iter().map(|l| l.rows as u64).sum::<u64>(), n);

    let ingest = out.ingest.expect("ingested");
    assert_eq!(ingest.run.counts.rows_read, n);
    assert_eq!(
        ingest.run.counts.superseded, 0,
        "no page overlapped another"
    );
    assert_eq!(ingest.run.counts.quarantined, 0);
    assert_eq!(out.high_water.as_deref(), Some(max_updated(rows).as_str()));

    let cp = read_checkpoint(&lake).expect("read").expect("checkpoint");
    assert!(cp.run.is_none());
    assert_eq!(cp.high_water, out.high_water);
    assert_eq!(cp.since, None);
    assert!(page_files(&lake).is_empty(), "pages removed after ingest");

    let direct = direct_lake(dir.path(), sample);
    assert_same_bronze(&lake, &direct);
}

#[test]
fn full_backfill_equals_ingesting_the_csv() {
    backfill_equals_ingesting_the_csv(generated());
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn full_backfill_of_the_real_sample_equals_ingesting_it() {
    let source = Source::from_csv(None, hotspot_testkit::sample::path());
    assert_eq!(source.rows.len(), 11_641, "the real sample has 11,641 rows");
    backfill_equals_ingesting_the_csv(&source);
}

#[test]
fn incremental_run_fetches_only_what_changed() {
    let rows = generated().rows.clone();
    let server = Server::start(rows.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let mut opts = options(&server, 5000);
    let first = fetch(&lake, &opts, &NoProgress).expect("backfill");
    let hw = first.high_water.clone().expect("high-water mark");
    assert_eq!(hw, max_updated(&rows));

    // Upstream: an arrest recorded later on one record, and one new record.
    let target = rows
        .iter()
        .find(|r| r.get(Field::Arrest) == "false")
        .expect("a record without arrest")
        .id();
    let mut new_row = rows[0].clone();
    new_row.set(Field::Id, "99000001");
    new_row.set(Field::CaseNumber, "JJ000001");
    new_row.set(Field::Date, "2024-09-14T12:00:00.000");
    new_row.set(Field::UpdatedOn, "2025-12-01T11:00:00.000");
    server.edit(|data| {
        let r = data.iter_mut().find(|r| r.id() == target).expect("target");
        r.set(Field::Arrest, "true");
        r.set(Field::UpdatedOn, "2025-12-01T10:00:00.000");
        data.push(new_row);
    });
    server.clear_log();
    opts.build = true;
    let out = fetch(&lake, &opts, &NoProgress).expect("incremental");

    assert_eq!(out.kind, RunKind::Incremental);
    assert_eq!(out.after.as_deref(), Some(hw.as_str()));
    let log = server.log();
    assert_eq!(log.len(), 1, "one page holds both changes");
    assert_eq!(log[0].param("$where"), format!("updated_on > '{hw}'"));
    assert_eq!(log[0].rows, 2);
    assert_eq!(out.rows_fetched, 2);
    let ingest = out.ingest.expect("ingested");
    assert_eq!(ingest.run.counts.rows_read, 2);
    assert_eq!(ingest.run.counts.accepted, 2);
    assert_eq!(
        ingest.run.replaced_in_lake, 1,
        "the revised record replaced its old version"
    );
    assert_eq!(ingest.run.months_touched, vec![SEP]);
    let build = out.build.expect("built");
    assert_eq!(build.info.months_built, vec![SEP]);
    assert_eq!(out.high_water.as_deref(), Some("2025-12-01T11:00:00.000"));

    let bronze = bronze_rows(&lake);
    assert_eq!(bronze.len(), rows.len() + 1, "one new record");
    assert!(bronze[&target].1.contains(&"arrest=true".to_string()));
    assert!(bronze.contains_key(&99_000_001));

    // Nothing changed since: one empty page, nothing ingested or built.
    server.clear_log();
    let idle = fetch(&lake, &opts, &NoProgress).expect("idle");
    assert_eq!(server.log().len(), 1);
    assert_eq!(
        server.log()[0].param("$where"),
        "updated_on > '2025-12-01T11:00:00.000'"
    );
    assert_eq!(idle.rows_fetched, 0);
    assert!(idle.ingest.is_none() && idle.build.is_none());
    assert_eq!(idle.high_water.as_deref(), Some("2025-12-01T11:00:00.000"));
    let manifest = lake.read_manifest().expect("manifest");
    assert_eq!(manifest.ingest_runs.len(), 2);
}

#[test]
fn survives_429_500_and_dropped_connections() {
    let rows = generated().rows.clone();
    let n = rows.len() as u64;
    let server = Server::start(rows);
    let in_two_seconds = chrono::Utc::now() + chrono::Duration::seconds(2);
    let http_date = in_two_seconds
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    server.set_faults(move |n, _| match n {
        0 => Some(Fault::Status(429, Some("1".into()))),
        1 => Some(Fault::Status(500, None)),
        2 => Some(Fault::CloseWithoutResponse),
        // 3: the pass over rows without updated_on succeeds.
        4 => Some(Fault::DropMidBody),
        6 => Some(Fault::TruncateUndelimited),
        8 => Some(Fault::Status(503, Some(http_date.clone()))),
        _ => None,
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let started = Instant::now();
    let out = fetch(&lake, &options(&server, 3000), &NoProgress).expect("fetch survives");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(out.traffic.retries, 6);
    assert_eq!(
        out.traffic.requests, 11,
        "5 good requests and 6 failed ones"
    );
    let log = server.log();
    assert_eq!(log.len(), 11);
    assert_eq!(log.iter().filter(|l| l.status == 200).count(), 5);
    // Each retry repeats the failed request exactly.
    assert_eq!(log[0].params, log[3].params);
    assert_eq!(log[4].params, log[5].params);
    assert_eq!(log[6].params, log[7].params);
    assert_eq!(log[8].params, log[9].params);
    assert_eq!(out.rows_ingested, n);
    let ingest = out.ingest.expect("ingested");
    assert_eq!(ingest.run.counts.superseded, 0);
    assert_eq!(bronze_rows(&lake).len() as u64, n);
}

/// A fetch of the generated source in pages of 2,500 rows, killed after two pages.
struct Killed {
    sample: &'static Path,
    n: u64,
    server: Server,
    dir: tempfile::TempDir,
    lake: Lake,
    opts: FetchOptions,
}

fn killed_after_two_pages() -> Killed {
    let (sample, rows) = (&generated().path, generated().rows.clone());
    let n = rows.len() as u64;
    let server = Server::start(rows);
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("fetched"));
    let mut opts = options(&server, 2500);
    opts.fail_after_pages = Some(2);
    let err = fetch(&lake, &opts, &NoProgress).expect_err("killed");
    assert!(matches!(err, FetchError::InjectedFailure(2)), "{err}");
    Killed {
        sample,
        n,
        server,
        dir,
        lake,
        opts,
    }
}

#[test]
fn a_killed_run_resumes_without_refetching() {
    let Killed {
        sample,
        n,
        server,
        dir,
        lake,
        mut opts,
    } = killed_after_two_pages();

    let cp = read_checkpoint(&lake).expect("read").expect("checkpoint");
    let run = cp.run.expect("run in progress");
    assert_eq!(run.pages, 2);
    assert_eq!(run.rows, 5000);
    assert_eq!(run.phase, Phase::ByUpdated);
    let cursor = run.cursor.expect("cursor");
    assert_eq!(page_files(&lake).len(), 2);
    assert!(
        lake.bronze_months().expect("months").is_empty(),
        "nothing ingested"
    );
    let first = wheres(&server.log());
    assert_eq!(first.len(), 3);

    server.clear_log();
    opts.fail_after_pages = None;
    let out = fetch(&lake, &opts, &NoProgress).expect("resume");
    assert!(out.resumed);
    assert_eq!(out.pages_resumed, 2);
    assert_eq!(out.pages_fetched, 3);
    assert_eq!(
        out.rows_fetched,
        n - 5000,
        "all but the two pages of 2,500 kept"
    );
    assert_eq!(out.rows_ingested, n);
    let second = wheres(&server.log());
    assert_eq!(
        second.len(),
        3,
        "only the three missing pages were requested"
    );
    assert!(
        second[0].ends_with(&format!("AND id > {}))", cursor.id)),
        "{}",
        second[0]
    );
    for w in &second {
        assert!(!first.contains(w), "page {w} fetched twice");
    }
    assert_eq!(out.ingest.expect("ingest").run.counts.superseded, 0);
    assert!(page_files(&lake).is_empty());
    assert_same_bronze(&lake, &direct_lake(dir.path(), sample));
}

#[test]
fn ingest_build_and_repair_between_runs_leave_the_fetch_alone() {
    // `_fetch/` belongs to fetch (its pages and checkpoint outlive a killed run); the sweeps
    // of ingest, build and `status --repair` clean `_staging/` and old snapshots only.
    let Killed {
        sample,
        n,
        server,
        dir,
        lake,
        mut opts,
    } = killed_after_two_pages();
    let sorted = |mut v: Vec<PathBuf>| {
        v.sort();
        v
    };
    let pages = sorted(page_files(&lake));
    assert_eq!(pages.len(), 2);
    let checkpoint = read_checkpoint(&lake).expect("read").expect("checkpoint");

    hotspot_pipeline::ingest(&lake, &[sample.to_path_buf()], &NoProgress).expect("ingest");
    hotspot_pipeline::build(&lake, &Default::default(), &NoProgress).expect("build");
    let removed = hotspot_pipeline::verify::repair(&lake).expect("repair");
    assert!(
        removed.iter().all(|r| !r.contains("_fetch")),
        "repair removed {removed:?}"
    );
    assert_eq!(
        sorted(page_files(&lake)),
        pages,
        "the fetched pages survive"
    );
    assert_eq!(
        read_checkpoint(&lake).expect("read").expect("checkpoint"),
        checkpoint
    );

    server.clear_log();
    opts.fail_after_pages = None;
    let out = fetch(&lake, &opts, &NoProgress).expect("resume");
    assert!(out.resumed);
    assert_eq!(out.pages_resumed, 2);
    assert_eq!(
        out.rows_fetched,
        n - 5000,
        "the kept pages were not fetched again"
    );
    assert_same_bronze(&lake, &direct_lake(dir.path(), sample));
}

#[test]
fn retry_after_values_no_server_should_send_are_survived() {
    // Absurd, negative and malformed delays: each either waits at most the cap or falls back
    // to the backoff, and never panics (`1e20` seconds overflowed `Duration` before).
    let rows = generated().rows.clone();
    let n = rows.len() as u64;
    let server = Server::start(rows);
    server.set_faults(move |n, _| match n {
        0 => Some(Fault::Status(429, Some("1e20".into()))),
        1 => Some(Fault::Status(429, Some("-5".into()))),
        2 => Some(Fault::Status(503, Some("99999999999999999999999".into()))),
        3 => Some(Fault::Status(429, Some("tomorrow-ish".into()))),
        _ => None,
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let mut opts = options(&server, 3000);
    opts.max_retry_after = Duration::from_millis(300);
    let started = Instant::now();
    let out = fetch(&lake, &opts, &NoProgress).expect("fetch survives");
    let took = started.elapsed();
    // Two capped waits of 300 ms, two backoffs of at most 50 ms.
    assert!(
        took >= Duration::from_millis(600),
        "capped waits were honoured: {took:?}"
    );
    assert!(took < Duration::from_secs(30), "no absurd wait: {took:?}");
    assert_eq!(out.traffic.retries, 4);
    assert_eq!(out.rows_ingested, n);
}

#[test]
fn an_outage_mid_run_resumes_without_refetching() {
    let rows = generated().rows.clone();
    let n = rows.len() as u64;
    let server = Server::start(rows);
    // The null pass and two pages succeed, then the server answers 503 for good.
    server.set_faults(|n, _| (n >= 3).then_some(Fault::Status(503, None)));
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let mut opts = options(&server, 2500);
    opts.max_retries = 2;
    let err = fetch(&lake, &opts, &NoProgress).expect_err("outage");
    assert!(
        matches!(
            err,
            FetchError::Http {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(lake.bronze_months().expect("months").is_empty());
    let first: Vec<String> = server
        .log()
        .iter()
        .filter(|l| l.status == 200)
        .map(|l| l.param("$where").to_string())
        .collect();
    assert_eq!(first.len(), 3);

    server.clear_faults();
    server.clear_log();
    let out = fetch(&lake, &opts, &NoProgress).expect("resume");
    assert!(out.resumed);
    assert_eq!(out.pages_resumed, 2);
    let second = wheres(&server.log());
    assert_eq!(second.len(), 3);
    for w in &second {
        assert!(!first.contains(w), "page {w} fetched twice");
    }
    assert_eq!(out.ingest.expect("ingest").run.counts.rows_read, n);
    assert_eq!(bronze_rows(&lake).len() as u64, n);
}

#[test]
fn a_malformed_page_is_named_and_nothing_is_ingested() {
    let rows = generated().rows.clone();
    let n = rows.len() as u64;
    let server = Server::start(rows);
    // Request 2 is the second data page: one of its rows loses a field.
    server.set_faults(|n, _| (n == 2).then_some(Fault::ShortRow));
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let opts = options(&server, 2500);
    let err = fetch(&lake, &opts, &NoProgress).expect_err("malformed");
    let FetchError::MalformedPage { page, url, detail } = &err else {
        panic!("expected a malformed page, got {err}");
    };
    assert_eq!(*page, 2);
    assert!(url.starts_with(&format!("{}/resource/ijzp-q8t2.csv?", server.base_url)));
    assert!(detail.contains("field"), "{detail}");
    let msg = err.to_string();
    assert!(
        msg.contains("page 2") && msg.contains(url.as_str()),
        "{msg}"
    );
    assert_eq!(
        server.log().len(),
        3,
        "a complete but malformed page is not retried"
    );
    assert!(lake.bronze_months().expect("months").is_empty());
    assert!(
        lake.read_manifest()
            .expect("manifest")
            .ingest_runs
            .is_empty()
    );
    assert_eq!(
        page_files(&lake).len(),
        1,
        "only the valid first page was kept"
    );

    // A page with the wrong header is refused the same way.
    server.set_faults(|n, _| (n == 3).then_some(Fault::ExportHeader));
    let err = fetch(&lake, &opts, &NoProgress).expect_err("wrong header");
    assert!(
        matches!(&err, FetchError::MalformedPage { page: 2, detail, .. } if detail.contains("header")),
        "{err}"
    );
    assert!(lake.bronze_months().expect("months").is_empty());

    // Once the server is fixed the run completes, with every row exactly once.
    server.clear_faults();
    let out = fetch(&lake, &opts, &NoProgress).expect("fixed");
    assert!(out.resumed);
    let ingest = out.ingest.expect("ingest");
    assert_eq!(ingest.run.counts.rows_read, n);
    assert_eq!(ingest.run.counts.quarantined, 0);
    assert_eq!(ingest.run.counts.superseded, 0);
}

#[test]
fn retries_are_bounded_and_the_error_names_url_and_status() {
    let rows = vec![synthetic_row(
        1,
        "2024-09-01T10:00:00.000",
        "2024-09-02T00:00:00.000",
        false,
    )];
    let server = Server::start(rows);
    server.set_faults(|_, _| Some(Fault::Status(503, None)));
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let mut opts = options(&server, 100);
    opts.max_retries = 3;
    let err = fetch(&lake, &opts, &NoProgress).expect_err("always 503");
    let FetchError::Http {
        url,
        status,
        attempts,
        ..
    } = &err
    else {
        panic!("expected an HTTP error, got {err}");
    };
    assert_eq!((*status, *attempts), (503, 4));
    assert!(url.starts_with(&format!(
        "{}/resource/ijzp-q8t2.csv?$select=",
        server.base_url
    )));
    let msg = err.to_string();
    assert!(
        msg.contains("HTTP 503") && msg.contains(url.as_str()) && msg.contains("4 attempt"),
        "{msg}"
    );
    assert_eq!(server.log().len(), 4);

    // A client error (a bad query) is not retried.
    server.set_faults(|_, _| Some(Fault::Status(400, None)));
    server.clear_log();
    let err = fetch(&lake, &opts, &NoProgress).expect_err("400");
    assert!(
        matches!(
            err,
            FetchError::Http {
                status: 400,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.log().len(), 1);

    // Nobody listening: a network error after the same number of attempts.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let refused = FetchOptions {
        base_url: format!("http://127.0.0.1:{port}"),
        ..opts.clone()
    };
    let err = fetch(&lake, &refused, &NoProgress).expect_err("refused");
    assert!(
        matches!(err, FetchError::Network { attempts: 4, .. }),
        "{err}"
    );
    assert!(lake.bronze_months().expect("months").is_empty());
}

#[test]
fn rows_without_updated_on_and_ties_are_all_fetched() {
    // Seven rows share one updated_on, three have none; pages of two force ties across pages.
    let mut rows: Vec<Row> = (1..=7)
        .map(|i| {
            synthetic_row(
                100 - i,
                "2024-09-05T10:00:00.000",
                "2024-10-01T00:00:00.000",
                false,
            )
        })
        .collect();
    rows.extend((1..=3).map(|i| synthetic_row(i, "2024-09-06T10:00:00.000", "", true)));
    rows.push(synthetic_row(
        50,
        "2024-09-07T10:00:00.000",
        "2024-09-20T00:00:00.000",
        false,
    ));
    let server = Server::start(rows.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let progress = Recorder::default();
    let out = fetch(&lake, &options(&server, 2), &progress).expect("fetch");
    assert_eq!(out.rows_fetched, 11);
    assert_eq!(
        progress.rows("fetch ijzp-q8t2"),
        11,
        "rows reported to the progress sink"
    );
    // Null pass: pages of 2 and 1; keyed pass: 8 rows in pages of 2, then an empty page.
    assert_eq!(server.log().len(), 2 + 5);
    assert_eq!(out.ingest.expect("ingest").run.counts.superseded, 0);
    let bronze = bronze_rows(&lake);
    assert_eq!(
        bronze.keys().copied().collect::<Vec<_>>(),
        ids(&rows).into_iter().collect::<Vec<_>>()
    );
    assert_eq!(out.high_water.as_deref(), Some("2024-10-01T00:00:00.000"));
}

#[test]
fn since_limits_the_scope_and_an_earlier_since_backfills_again() {
    let rows = vec![
        synthetic_row(
            1,
            "2024-08-20T10:00:00.000",
            "2024-08-21T00:00:00.000",
            false,
        ),
        synthetic_row(
            2,
            "2024-09-02T10:00:00.000",
            "2024-09-03T00:00:00.000",
            false,
        ),
        synthetic_row(
            3,
            "2024-09-10T10:00:00.000",
            "2024-09-11T00:00:00.000",
            false,
        ),
    ];
    let server = Server::start(rows);
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path());
    let mut opts = options(&server, 100);
    opts.since = chrono::NaiveDate::from_ymd_opt(2024, 9, 1);
    let out = fetch(&lake, &opts, &NoProgress).expect("backfill");
    assert_eq!(out.rows_fetched, 2);
    assert!(
        server.log()[1]
            .param("$where")
            .starts_with("date >= '2024-09-01T00:00:00.000' AND ")
    );
    assert_eq!(lake.bronze_months().expect("months"), vec![SEP]);

    // Upstream: both an out-of-scope and an in-scope record are revised.
    server.edit(|data| {
        data[0].set(Field::UpdatedOn, "2024-12-01T00:00:00.000");
        data[2].set(Field::Arrest, "true");
        data[2].set(Field::UpdatedOn, "2024-12-02T00:00:00.000");
    });
    server.clear_log();
    let plain = FetchOptions {
        since: None,
        ..opts.clone()
    };
    let out = fetch(&lake, &plain, &NoProgress).expect("incremental keeps the scope");
    assert_eq!(out.kind, RunKind::Incremental);
    assert_eq!(out.since, opts.since);
    assert_eq!(
        server.log()[0].param("$where"),
        "date >= '2024-09-01T00:00:00.000' AND updated_on > '2024-09-11T00:00:00.000'"
    );
    assert_eq!(out.rows_fetched, 1);

    // An earlier start widens the scope with a new backfill.
    let wider = FetchOptions {
        since: chrono::NaiveDate::from_ymd_opt(2024, 8, 1),
        ..opts
    };
    let out = fetch(&lake, &wider, &NoProgress).expect("wider backfill");
    assert_eq!(out.kind, RunKind::Backfill);
    assert_eq!(out.rows_fetched, 3);
    assert_eq!(bronze_rows(&lake).len(), 3);
    let cp = read_checkpoint(&lake).expect("read").expect("checkpoint");
    assert_eq!(cp.since, chrono::NaiveDate::from_ymd_opt(2024, 8, 1));
    assert_eq!(cp.high_water.as_deref(), Some("2024-12-02T00:00:00.000"));
}
