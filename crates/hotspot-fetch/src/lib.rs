//! Keeps a Hotspot lake in sync with the City of Chicago's Socrata API (`hotspot fetch`).
//!
//! The first [`fetch`] backfills the "Crimes – 2001 to Present" dataset (`ijzp-q8t2`) from an
//! optional start date; every later one asks only for records whose `updated_on` is after the
//! lake's high-water mark, because the police revise records for weeks (arrests recorded later,
//! reclassifications). Pages come from the SODA CSV endpoint ordered by `(updated_on, id)` with
//! keyset paging, so rows cannot be duplicated or skipped when the dataset changes under a run
//! (the old downloader paged without `$order`). Each page is validated whole, then saved under
//! `<lake>/_fetch/pages/` with a checkpoint beside it, so an interrupted run resumes without
//! refetching what it has. Only a complete set of pages is handed to
//! [`hotspot_pipeline::ingest`], the same upsert path as `hotspot ingest` (latest `updated_on`
//! wins, only touched months rewritten), and the months it touched are rebuilt if asked. The
//! client is polite: app token, bounded retries with jittered exponential backoff, and
//! `Retry-After` honoured.
//!
//! [`fetch_every`] (`hotspot fetch --every 15m`) repeats that run on a schedule, retrying failed
//! cycles with backoff until it is stopped; see [`every`].

pub mod checkpoint;
pub mod error;
pub mod every;
mod http;
pub mod options;
pub mod page;
pub mod soql;

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use hotspot_core::Lake;
use hotspot_core::lake::write_atomic;
use hotspot_core::progress::Progress;
use hotspot_core::socrata::parse_timestamp;
use hotspot_pipeline::{BuildOptions, BuildOutcome, IngestOutcome};

pub use checkpoint::{
    Checkpoint, RunKind, RunState, checkpoint_path, page_file, pages_dir, read_checkpoint,
};
pub use error::FetchError;
pub use every::{
    CycleOutcome, CycleReport, EveryError, EveryOptions, EverySummary, Sleeper, StopFlag,
    ThreadSleeper, fetch_every, parse_every, run_every,
};
pub use http::Traffic;
pub use options::{DATASET, DEFAULT_BASE_URL, FetchOptions};
pub use soql::{Cursor, Phase};

use checkpoint::{FetchLock, clear_dir, fetch_dir, write_checkpoint};
use http::{Checked, Client};
use page::Expect;

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct FetchOutcome {
    pub kind: RunKind,
    /// The run's scope: incidents on or after this date.
    pub since: Option<NaiveDate>,
    /// The high-water mark the run started from (exclusive lower bound on `updated_on`).
    pub after: Option<String>,
    /// The high-water mark now.
    pub high_water: Option<String>,
    /// Whether this call continued an interrupted run.
    pub resumed: bool,
    /// Pages an interrupted run had already saved (not fetched again).
    pub pages_resumed: u64,
    /// Pages with rows this call downloaded.
    pub pages_fetched: u64,
    /// Rows this call downloaded.
    pub rows_fetched: u64,
    /// Rows handed to ingest (every page of the run, resumed ones included).
    pub rows_ingested: u64,
    /// Requests, retries and bytes of this call.
    pub traffic: Traffic,
    /// The ingest of the run's pages (`None` when nothing changed upstream).
    pub ingest: Option<IngestOutcome>,
    /// The build of the touched months (`None` unless asked and something changed).
    pub build: Option<BuildOutcome>,
    pub seconds: f64,
}

fn micros(text: Option<&str>) -> Option<i64> {
    text.and_then(parse_timestamp)
}

/// The later of two high-water marks.
fn later(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => {
            if micros(Some(&b)) > micros(Some(&a)) {
                Some(b)
            } else {
                Some(a)
            }
        }
        (a, b) => a.or(b),
    }
}

/// What run the options and the checkpoint call for: (kind, since, after).
fn plan(cp: &Checkpoint, options: &FetchOptions) -> (RunKind, Option<NaiveDate>, Option<String>) {
    let synced = cp.high_water.is_some() && cp.dataset == options.dataset;
    if !synced || options.full_refresh {
        let since = options.since.or(if cp.dataset == options.dataset {
            cp.since
        } else {
            None
        });
        return (RunKind::Backfill, since, None);
    }
    match (options.since, cp.since) {
        // An earlier start than the lake mirrors: backfill the wider scope.
        (Some(s), Some(recorded)) if s < recorded => (RunKind::Backfill, Some(s), None),
        // Otherwise keep the recorded scope (a later start cannot un-fetch history).
        _ => (RunKind::Incremental, cp.since, cp.high_water.clone()),
    }
}

fn check_options(options: &FetchOptions) -> Result<(), FetchError> {
    let base = options.base_url.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) || base.contains('?') {
        return Err(FetchError::Options(format!(
            "base URL {:?} must be http(s)://host[:port]",
            options.base_url
        )));
    }
    if options.dataset.is_empty()
        || !options
            .dataset
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(FetchError::Options(format!(
            "dataset id {:?} is not a Socrata resource id",
            options.dataset
        )));
    }
    if options.effective_page_size() == 0 {
        return Err(FetchError::Options("page size must be at least 1".into()));
    }
    Ok(())
}

/// The paths of the run's saved pages, in order.
fn page_paths(lake: &Lake, run: &RunState) -> Vec<PathBuf> {
    let dir = pages_dir(lake);
    (1..=run.pages)
        .map(|n| dir.join(page_file(&run.id, n)))
        .collect()
}

/// Whether every page the run saved is still on disk, whole.
fn pages_intact(lake: &Lake, run: &RunState) -> bool {
    let mut bytes = 0u64;
    for path in page_paths(lake, run) {
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => bytes += m.len(),
            _ => return false,
        }
    }
    bytes == run.bytes
}

/// Brings the lake up to date with the dataset; see the crate documentation.
pub fn fetch(
    lake: &Lake,
    options: &FetchOptions,
    progress: &dyn Progress,
) -> Result<FetchOutcome, FetchError> {
    let started = Instant::now();
    check_options(options)?;
    let _lock = FetchLock::acquire(&fetch_dir(lake))?;
    let mut cp = read_checkpoint(lake)?.unwrap_or_else(|| Checkpoint::empty(&options.dataset));
    let (kind, since, after) = plan(&cp, options);
    let page_size = options.effective_page_size();
    let pages = pages_dir(lake);

    let mut resumed = false;
    if let Some(run) = &cp.run {
        if run.kind == kind && run.since == since && run.after == after && pages_intact(lake, run) {
            resumed = true;
            tracing::info!(
                run = %run.id,
                pages = run.pages,
                rows = run.rows,
                "resuming an interrupted fetch"
            );
        } else {
            tracing::warn!(
                run = %run.id,
                "discarding an interrupted fetch that no longer matches (different scope, or \
                 its pages are gone); nothing of it had been ingested"
            );
            cp.run = None;
        }
    }
    let mut run = match cp.run.take() {
        Some(run) => run,
        None => {
            clear_dir(&pages)?;
            let now = chrono::Utc::now();
            RunState {
                id: now.format("%Y%m%dT%H%M%SZ").to_string(),
                started_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                kind,
                since,
                after: after.clone(),
                query: soql::scope_clause(since, after.as_deref()),
                page_size,
                phase: if kind == RunKind::Backfill {
                    Phase::NullUpdated
                } else {
                    Phase::ByUpdated
                },
                cursor: None,
                pages: 0,
                bytes: 0,
                rows: 0,
                max_updated_on: None,
            }
        }
    };
    run.page_size = page_size;
    cp.run = Some(run.clone());
    write_checkpoint(lake, &cp)?;
    let pages_resumed = run.pages;

    let after_micros = match after.as_deref() {
        Some(a) => Some(parse_timestamp(a).ok_or_else(|| FetchError::Checkpoint {
            path: checkpoint_path(lake),
            detail: format!("high-water mark {a:?} is not a timestamp"),
        })?),
        None => None,
    };
    let mut client = Client::new(options);
    let stage = progress.stage(&format!("fetch {}", options.dataset), None);
    stage.advance(run.rows);
    let mut pages_fetched = 0u64;
    let mut rows_fetched = 0u64;
    let download_started = Instant::now();
    while run.phase != Phase::Done {
        let where_ = soql::where_clause(
            run.since,
            run.after.as_deref(),
            run.phase,
            run.cursor.as_ref(),
        );
        let url = soql::page_url(
            &options.base_url,
            &options.dataset,
            &where_,
            soql::order(run.phase),
            page_size,
        );
        let page_no = run.pages + 1;
        let expect = Expect {
            phase: run.phase,
            cursor: run.cursor.as_ref(),
            after: after_micros,
            limit: page_size,
        };
        let (body, summary) = client.get(
            &url,
            |body| match page::validate(body, &expect) {
                Ok(s) => Checked::Ok(s),
                Err(p) => Checked::Problem(p),
            },
            |p| FetchError::MalformedPage {
                page: page_no,
                url: url.clone(),
                detail: p.detail().to_string(),
            },
        )?;
        if summary.rows > 0 {
            let path = pages.join(page_file(&run.id, page_no));
            write_atomic(&path, &body).map_err(|e| FetchError::io(&path, e))?;
            run.pages = page_no;
            run.bytes += body.len() as u64;
            run.rows += summary.rows as u64;
            run.cursor = summary.last;
            run.max_updated_on = later(run.max_updated_on.take(), summary.max_updated.map(|m| m.1));
            pages_fetched += 1;
            rows_fetched += summary.rows as u64;
        }
        if summary.rows < page_size {
            run.phase = match run.phase {
                Phase::NullUpdated => Phase::ByUpdated,
                Phase::ByUpdated | Phase::Done => Phase::Done,
            };
            run.cursor = None;
        }
        cp.run = Some(run.clone());
        write_checkpoint(lake, &cp)?;
        stage.advance(summary.rows as u64);
        let secs = download_started.elapsed().as_secs_f64().max(1e-3);
        tracing::info!(
            page = page_no,
            rows = summary.rows,
            total = run.rows,
            rows_per_sec = (rows_fetched as f64 / secs).round(),
            "fetched"
        );
        if summary.rows > 0
            && let Some(n) = options.fail_after_pages
            && pages_fetched >= n
        {
            return Err(FetchError::InjectedFailure(n));
        }
    }
    stage.finish();

    let files = page_paths(lake, &run);
    let ingest = if files.is_empty() {
        None
    } else {
        Some(hotspot_pipeline::ingest(lake, &files, progress).map_err(FetchError::Ingest)?)
    };

    cp.dataset = options.dataset.clone();
    cp.since = run.since;
    cp.high_water = later(cp.high_water.take(), run.max_updated_on.clone());
    cp.last_success = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    cp.run = None;
    write_checkpoint(lake, &cp)?;
    if let Err(e) = clear_dir(&pages) {
        tracing::warn!("could not remove the ingested pages: {e}");
    }

    let touched = ingest
        .as_ref()
        .is_some_and(|i| !i.run.months_touched.is_empty());
    let build = if options.build && touched {
        Some(
            hotspot_pipeline::build(lake, &BuildOptions::default(), progress)
                .map_err(FetchError::Build)?,
        )
    } else {
        None
    };

    Ok(FetchOutcome {
        kind,
        since,
        after,
        high_water: cp.high_water,
        resumed,
        pages_resumed,
        pages_fetched,
        rows_fetched,
        rows_ingested: run.rows,
        traffic: client.traffic,
        ingest,
        build,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(since: Option<NaiveDate>, hw: Option<&str>) -> Checkpoint {
        Checkpoint {
            since,
            high_water: hw.map(str::to_string),
            ..Checkpoint::empty(DATASET)
        }
    }

    #[test]
    fn plans_follow_the_recorded_scope() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day);
        let opts = |since| FetchOptions {
            since,
            ..FetchOptions::default()
        };
        assert_eq!(
            plan(&cp(None, None), &opts(d(9, 1))),
            (RunKind::Backfill, d(9, 1), None)
        );
        let hw = Some("2025-01-01T00:00:00.000".to_string());
        let synced = cp(d(9, 1), hw.as_deref());
        assert_eq!(
            plan(&synced, &opts(None)),
            (RunKind::Incremental, d(9, 1), hw.clone())
        );
        assert_eq!(
            plan(&synced, &opts(d(10, 1))),
            (RunKind::Incremental, d(9, 1), hw)
        );
        assert_eq!(
            plan(&synced, &opts(d(8, 1))),
            (RunKind::Backfill, d(8, 1), None)
        );
        let full = FetchOptions {
            full_refresh: true,
            ..opts(None)
        };
        assert_eq!(plan(&synced, &full), (RunKind::Backfill, d(9, 1), None));
    }

    #[test]
    fn later_compares_timestamps() {
        let a = Some("2024-09-01T00:00:00.000".to_string());
        let b = Some("2024-10-01T00:00:00.000".to_string());
        assert_eq!(later(a.clone(), b.clone()), b);
        assert_eq!(later(b.clone(), a.clone()), b);
        assert_eq!(later(None, a.clone()), a);
    }
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
