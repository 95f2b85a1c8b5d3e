//! `hotspot fetch --every` through the library (`fetch_every`): five real cycles 50 ms apart
//! against the Socrata stand-in on 127.0.0.1 (see `common`), with rows appearing upstream
//! between cycles, one cycle failing on HTTP 500s and one on a lake locked by another writer.
//! The loop must outlive both failures, retry, and leave the lake holding exactly what the
//! server serves.

mod common;

use std::time::{Duration, Instant};

use common::*;
use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::Field;
use hotspot_fetch::{
    EveryOptions, EverySummary, FetchError, RunKind, StopFlag, ThreadSleeper, fetch_every,
};
use hotspot_pipeline::PipelineError;
use hotspot_pipeline::lock::{Create, LakeLock};

/// `n` synthetic September 2024 rows from id `first`, updated on `day` of December 2025, a
/// second apart.
fn rows(first: i64, n: i64, day: u32) -> Vec<Row> {
    (0..n)
        .map(|k| {
            let id = first + k;
            let date = format!("2024-09-{:02}T{:02}:30:00.000", 1 + k % 28, k % 24);
            let updated = format!("2025-12-{day:02}T10:{:02}:{:02}.000", k / 60, k % 60);
            synthetic_row(id, &date, &updated, false)
        })
        .collect()
}

/// What the test saw of one cycle.
#[derive(Debug)]
struct Seen {
    cycle: u64,
    ok: bool,
    kind: Option<RunKind>,
    resumed: bool,
    rows_fetched: u64,
    rows_ingested: u64,
    error: Option<String>,
    failures: u32,
    next_in: Option<Duration>,
    ended: Instant,
}

#[test]
fn the_loop_survives_failed_cycles_and_keeps_the_lake_in_sync() {
    let server = Server::start(rows(1000, 40, 1));
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let opts = options(&server, 25);
    let every = EveryOptions {
        max_cycles: Some(5),
        ..EveryOptions::new(Duration::from_millis(50))
    };
    assert_eq!(every.first_retry, Duration::from_millis(50));

    let revised = [1003_i64, 1017];
    let mut seen: Vec<Seen> = Vec::new();
    let mut held: Option<LakeLock> = None;
    let mut bronze_after_locked_cycle = 0;
    let mut sleeper = ThreadSleeper::new(StopFlag::new());
    let started = Instant::now();
    let summary = fetch_every(&lake, &opts, &every, &NoProgress, &mut sleeper, |r| {
        let (ok, kind, resumed, rows_fetched, rows_ingested, error) = match r.result {
            Ok(o) => (
                true,
                Some(o.kind),
                o.resumed,
                o.rows_fetched,
                o.rows_ingested,
                None,
            ),
            Err(e) => (false, None, false, 0, 0, Some(e)),
        };
        seen.push(Seen {
            cycle: r.cycle,
            ok,
            kind,
            resumed,
            rows_fetched,
            rows_ingested,
            error: error.map(|e| hotspot_fetch::every::error_chain(e)),
            failures: r.consecutive_failures,
            next_in: r.next_in,
            ended: Instant::now(),
        });
        match (r.cycle, error) {
            // Upstream between 1 and 2: 30 new records and two revised (an arrest recorded
            // later); and the server breaks: every request answers 500.
            (1, None) => {
                server.edit(|data| {
                    for r in data.iter_mut().filter(|r| revised.contains(&r.id())) {
                        r.set(Field::Arrest, "true");
                        r.set(Field::UpdatedOn, "2025-12-02T09:00:00.000");
                    }
                    data.extend(rows(2000, 30, 2));
                });
                server.set_faults(|_, _| Some(Fault::Status(500, None)));
            }
            (2, Some(FetchError::Http { status: 500, .. })) => server.clear_faults(),
            // Between 3 and 4: five more records, and another writer holds the lake.
            (3, None) => {
                server.edit(|data| data.extend(rows(3000, 5, 3)));
                held = Some(LakeLock::acquire(&lake, Create::Never).expect("hold the lake"));
            }
            (4, Some(FetchError::Ingest(PipelineError::Locked { .. }))) => {
                // The failed cycle wrote nothing to Bronze: the five rows are not there yet.
                bronze_after_locked_cycle = bronze_rows(&lake).len();
                held = None;
            }
            (5, None) => {}
            (n, e) => panic!("cycle {n} ended unexpectedly: {e:?}"),
        }
    })
    .expect("the options are valid");
    drop(held);

    // Five cycles: 1 ok, 2 failed (500), 3 ok (the retry), 4 failed (locked), 5 ok (resumed).
    assert_eq!(
        seen.iter().map(|s| s.cycle).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5],
        "{seen:#?}"
    );
    assert_eq!(
        seen.iter().map(|s| s.ok).collect::<Vec<_>>(),
        [true, false, true, false, true]
    );
    assert_eq!(
        seen.iter().map(|s| s.failures).collect::<Vec<_>>(),
        [0, 1, 0, 1, 0],
        "a success resets the run of failures"
    );
    assert_eq!(seen[0].kind, Some(RunKind::Backfill));
    assert_eq!(seen[0].rows_fetched, 40);
    let http = seen[1].error.as_deref().unwrap_or("");
    assert!(
        http.contains("HTTP 500") && http.contains("after 6 attempt(s)"),
        "the failed cycle names the status after the client's retries: {http}"
    );
    assert_eq!(seen[2].kind, Some(RunKind::Incremental));
    assert_eq!(seen[2].rows_fetched, 32, "30 new and 2 revised records");
    let locked = seen[3].error.as_deref().unwrap_or("");
    assert!(locked.contains("ingest"), "{locked}");
    assert_eq!(bronze_after_locked_cycle, 70);
    assert!(
        seen[4].resumed,
        "the cycle after the lock resumes the saved pages"
    );
    assert_eq!((seen[4].rows_fetched, seen[4].rows_ingested), (0, 5));

    // Waits: the interval after a success, the first backoff (min(50 ms, 30 s)) after a failure;
    // none after the last cycle. A retry never starts before its backoff is over.
    for s in &seen[..4] {
        let wait = s.next_in.expect("a next cycle");
        assert!(wait <= Duration::from_millis(50), "{s:?}");
        if !s.ok {
            assert_eq!(wait, Duration::from_millis(50));
        }
    }
    assert_eq!(seen[4].next_in, None);
    for pair in seen.windows(2) {
        if !pair[0].ok {
            assert!(pair[1].ended - pair[0].ended >= Duration::from_millis(50));
        }
    }
    assert!(started.elapsed() < Duration::from_secs(30));

    assert_eq!(
        summary,
        EverySummary {
            cycles: 5,
            ok: 3,
            failed: 2,
            rows_fetched: 40 + 32,
            stopped: false,
            last_error: seen[3].error.clone(),
        }
    );

    // The lake holds exactly the rows served, revisions included, and no leftover pages.
    let served = server_rows(&server);
    let bronze = bronze_rows(&lake);
    assert_eq!(bronze.len(), 75);
    assert_eq!(
        bronze.keys().copied().collect::<Vec<_>>(),
        ids(&served).into_iter().collect::<Vec<_>>()
    );
    for id in revised {
        assert!(bronze[&id].1.contains(&"arrest=true".to_string()), "{id}");
    }
    assert!(page_files(&lake).is_empty());
    let cp = hotspot_fetch::read_checkpoint(&lake)
        .expect("checkpoint")
        .expect("written");
    assert!(cp.run.is_none(), "no run left half done");
    assert_eq!(cp.high_water.as_deref(), Some("2025-12-03T10:00:04.000"));
}

/// What the server holds now.
fn server_rows(server: &Server) -> Vec<Row> {
    let mut out = Vec::new();
    server.edit(|data| out = data.clone());
    out
}

#[test]
fn options_no_cycle_could_succeed_with_are_refused_before_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let opts = hotspot_fetch::FetchOptions {
        base_url: "ftp://example.invalid".into(),
        ..hotspot_fetch::FetchOptions::default()
    };
    let mut cycles = 0;
    let result = fetch_every(
        &lake,
        &opts,
        &EveryOptions::new(Duration::from_millis(10)),
        &NoProgress,
        &mut ThreadSleeper::default(),
        |_| cycles += 1,
    );
    assert!(matches!(result, Err(FetchError::Options(_))), "{result:?}");
    assert_eq!(cycles, 0);
}

#[test]
fn a_stop_ends_the_loop_in_the_middle_of_a_sleep() {
    let server = Server::start(rows(1000, 3, 1));
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Lake::new(dir.path().join("lake"));
    let stop = StopFlag::new();
    let mut sleeper = ThreadSleeper::new(stop.clone());
    let started = Instant::now();
    let summary = fetch_every(
        &lake,
        &options(&server, 25),
        // An hour between cycles: only the stop can end this loop in time.
        &EveryOptions::new(Duration::from_secs(3600)),
        &NoProgress,
        &mut sleeper,
        |r| {
            assert!(r.result.is_ok());
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                stop.request();
            });
        },
    )
    .expect("valid options");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        (summary.cycles, summary.ok, summary.rows_fetched),
        (1, 1, 3)
    );
    assert!(summary.stopped);
    assert_eq!(bronze_rows(&lake).len(), 3);
}
