//! `hotspot ingest`: Socrata CSVs → Bronze partitions, with quarantine and upserts.
//!
//! 1. **Parse** every file (see [`parse`]) into per-month batches; bad rows go to quarantine.
//!    Buffered batches spill to Arrow IPC files under `_staging/` once they hold 256 MiB, so
//!    the rows themselves never all sit in memory; what grows with the input is one 32-byte key
//!    per row (id, updated_on, input position, month) — 256 MB for 8 million rows, whose
//!    ingest peaks at 0.76 GiB (`hotspot bench pipeline --rows 8000000`).
//! 2. **Resolve** duplicates over the new rows *and* the records already in the lake: per id the
//!    record with the latest `updated_on` wins, ties going to the later one in input order (new
//!    rows come after the lake's). Losing new rows are *superseded*; losing lake records are
//!    *replaced* (an upsert), even when the update moved the incident to another month.
//! 3. **Rewrite** only the months that gain or lose a record, each to a temporary file, then
//!    rename them all into place. An interrupted ingest leaves the previous Bronze intact.
//!
//! Every run reconciles `rows_read = accepted + quarantined + superseded`, prints it and
//! records it in the manifest along with the source files' sizes and hashes.

mod batch;
mod parse;
mod quarantine;

use quarantine::QuarantineSink;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hotspot_core::lake::{IngestRun, Lake, MAX_TYPES, Reconciliation, SCHEMA_VERSION};
use hotspot_core::progress::Progress;
use hotspot_core::time::YearMonth;
use polars::prelude::*;
use rayon::prelude::*;

pub use batch::{BronzeBatch, SEQ};
pub use parse::{DateRange, Quarantined};

use crate::error::{PipelineError, Result};
use crate::frame::{self, PendingFiles};
use crate::lock::{Create, LakeLock, sweep_staging};
use hotspot_core::lake::columns::bronze as col;
use hotspot_core::lake::snapshot::Txn;

/// Spill buffered batches to staging once they hold this many bytes.
const SPILL_BYTES: usize = 256 << 20;

/// What an ingest run did.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The run as recorded in the manifest (counts, sources, months touched).
    pub run: IngestRun,
    /// Up to the first 20 quarantined rows, for the terminal.
    pub quarantine_sample: Vec<Quarantined>,
}

#[derive(Clone, Copy)]
struct Key {
    id: i64,
    updated: i64,
    seq: u64,
    month: i32,
}

/// Sequence number of records already in the lake: earlier than any new row.
const IN_LAKE: u64 = 0;

struct Staging {
    dir: PathBuf,
    files: BTreeMap<YearMonth, Vec<PathBuf>>,
    buffers: BTreeMap<YearMonth, BronzeBatch>,
    buffered: usize,
    spilled: usize,
    keys: Vec<Key>,
}

impl Staging {
    fn new(lake: &Lake) -> Result<Self> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let dir = lake
            .staging_dir()
            .join(format!("ingest-{stamp}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| PipelineError::io(&dir, e))?;
        Ok(Self {
            dir,
            files: BTreeMap::new(),
            buffers: BTreeMap::new(),
            buffered: 0,
            spilled: 0,
            keys: Vec::new(),
        })
    }

    fn add(&mut self, ym: YearMonth, batch: BronzeBatch) -> Result<()> {
        let month = ym.index();
        self.keys.extend((0..batch.len()).map(|i| Key {
            id: batch.id[i],
            updated: batch.updated_on[i].unwrap_or(i64::MIN),
            seq: batch.seq[i],
            month,
        }));
        let buf = self.buffers.entry(ym).or_default();
        self.buffered -= buf.approx_bytes().min(self.buffered);
        buf.append(batch);
        self.buffered += buf.approx_bytes();
        if self.buffered > SPILL_BYTES {
            self.spill_largest_until(SPILL_BYTES / 2)?;
        }
        Ok(())
    }

    fn spill_largest_until(&mut self, limit: usize) -> Result<()> {
        while self.buffered > limit {
            let Some((&ym, _)) = self.buffers.iter().max_by_key(|(_, b)| b.approx_bytes()) else {
                break;
            };
            self.spill(ym)?;
        }
        Ok(())
    }

    fn spill(&mut self, ym: YearMonth) -> Result<()> {
        let Some(batch) = self.buffers.remove(&ym) else {
            return Ok(());
        };
        self.buffered -= batch.approx_bytes().min(self.buffered);
        if batch.is_empty() {
            return Ok(());
        }
        self.spilled += 1;
        let path = self.dir.join(format!("{ym}-{:05}.ipc", self.spilled));
        let mut df = batch.into_frame()?;
        frame::write_ipc(&mut df, &path)?;
        self.files.entry(ym).or_default().push(path);
        Ok(())
    }

    fn spill_all(&mut self) -> Result<()> {
        let months: Vec<_> = self.buffers.keys().copied().collect();
        for ym in months {
            self.spill(ym)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        // `_staging/` itself, once no other run's scratch space is in it.
        if let Some(parent) = self.dir.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

/// Decisions of the duplicate resolution.
#[derive(Default)]
struct Resolution {
    /// New rows that lost, by month: their sequence numbers, sorted.
    superseded: HashMap<YearMonth, Vec<u64>>,
    /// Lake records that lost, by month: their ids.
    replaced: HashMap<YearMonth, HashSet<i64>>,
    superseded_count: u64,
    replaced_count: u64,
    /// Months where at least one new row won.
    winning_months: BTreeSet<YearMonth>,
}

fn lake_keys(lake: &Lake) -> Result<Vec<Key>> {
    let months = lake
        .bronze_months()
        .map_err(|e| PipelineError::io(&lake.bronze_dir(), e))?;
    let per_month: Vec<Result<Vec<Key>>> = crate::parallel::map_partitions(&months, |&ym| {
        let path = lake.bronze(ym);
        let df = frame::read_parquet(&path, Some(&[col::ID, col::UPDATED_ON]))?;
        let ids = frame::i64_values(&df, col::ID)?;
        let updated = frame::i64_values(&df, col::UPDATED_ON)?;
        Ok(ids
            .into_iter()
            .zip(updated)
            .filter_map(|(id, u)| {
                Some(Key {
                    id: id?,
                    updated: u.unwrap_or(i64::MIN),
                    seq: IN_LAKE,
                    month: ym.index(),
                })
            })
            .collect())
    });
    let mut keys = Vec::new();
    for k in per_month {
        keys.extend(k?);
    }
    Ok(keys)
}

/// The primary types already in the lake: the manifest's list, or (for a lake from before the
/// list) Bronze's own.
fn lake_types(lake: &Lake, manifest: &hotspot_core::lake::Manifest) -> Result<BTreeSet<String>> {
    if !manifest.primary_types.is_empty() || manifest.bronze_months.is_empty() {
        return Ok(manifest.primary_types.iter().cloned().collect());
    }
    let mut out = BTreeSet::new();
    for ym in &manifest.bronze_months {
        let path = lake.bronze(*ym);
        let df = frame::read_parquet(&path, Some(&[col::PRIMARY_TYPE]))?;
        for t in frame::str_values(&df, col::PRIMARY_TYPE)?
            .into_iter()
            .flatten()
        {
            if !out.contains(&t) {
                out.insert(t);
            }
        }
    }
    Ok(out)
}

fn resolve(mut keys: Vec<Key>) -> Resolution {
    keys.par_sort_unstable_by_key(|k| (k.id, k.updated, k.seq));
    let mut r = Resolution::default();
    for group in keys.chunk_by(|a, b| a.id == b.id) {
        // chunk_by never yields an empty group.
        let Some((winner, losers)) = group.split_last() else {
            continue;
        };
        if winner.seq != IN_LAKE {
            r.winning_months.insert(YearMonth::from_index(winner.month));
        }
        for loser in losers {
            let ym = YearMonth::from_index(loser.month);
            if loser.seq == IN_LAKE {
                r.replaced.entry(ym).or_default().insert(loser.id);
                r.replaced_count += 1;
            } else {
                r.superseded.entry(ym).or_default().push(loser.seq);
                r.superseded_count += 1;
            }
        }
    }
    for seqs in r.superseded.values_mut() {
        seqs.sort_unstable();
    }
    r
}

fn sort_bronze(df: DataFrame, path: &Path) -> Result<DataFrame> {
    df.sort([col::OCCURRED_AT, col::ID], SortMultipleOptions::default())
        .map_err(|e| PipelineError::polars(path, e))
}

/// Builds the new Bronze partition of `ym` into `pending`.
fn rewrite_month(
    lake: &Lake,
    ym: YearMonth,
    staged: &[PathBuf],
    resolution: &Resolution,
    pending: &mut PendingFiles,
) -> Result<()> {
    let dest = lake.bronze(ym);
    let mut parts: Vec<DataFrame> = Vec::new();
    let drop_seqs = resolution.superseded.get(&ym);
    for file in staged {
        let df = frame::read_ipc(file)?;
        let df = match drop_seqs {
            Some(seqs) => {
                let seq_col = frame::i64_values(&df, SEQ)?;
                let keep: BooleanChunked = seq_col
                    .iter()
                    .map(|s| Some(s.is_none_or(|s| seqs.binary_search(&(s as u64)).is_err())))
                    .collect();
                df.filter(&keep)
                    .map_err(|e| PipelineError::polars(file, e))?
            }
            None => df,
        };
        parts.push(df.drop(SEQ).map_err(|e| PipelineError::polars(file, e))?);
    }
    if dest.is_file() {
        let df = frame::read_bronze(&dest)?;
        let df = match resolution.replaced.get(&ym) {
            Some(ids) => {
                let id_col = frame::i64_values(&df, col::ID)?;
                let keep: BooleanChunked = id_col
                    .iter()
                    .map(|id| Some(id.is_none_or(|id| !ids.contains(&id))))
                    .collect();
                df.filter(&keep)
                    .map_err(|e| PipelineError::polars(&dest, e))?
            }
            None => df,
        };
        parts.push(df);
    }
    let mut merged = match parts.len() {
        0 => DataFrame::empty(),
        _ => {
            let mut iter = parts.into_iter();
            let mut acc = iter.next().unwrap_or_default();
            for p in iter {
                acc.vstack_mut_owned(p)
                    .map_err(|e| PipelineError::polars(&dest, e))?;
            }
            acc
        }
    };
    if merged.height() == 0 {
        pending.remove_at_commit(dest);
        return Ok(());
    }
    merged = sort_bronze(merged, &dest)?;
    merged.rechunk_mut();
    let tmp = pending.stage(dest);
    frame::write_parquet(&mut merged, &tmp)
}

/// Ingests `files` into the lake's Bronze layer (creating the lake if the directory is missing
/// or empty). Everything the run changes — Bronze months, the quarantine file, the manifest —
/// becomes visible at once when its snapshot commits; a failed or killed run changes nothing.
pub fn ingest(lake: &Lake, files: &[PathBuf], progress: &dyn Progress) -> Result<IngestOutcome> {
    let _lock = LakeLock::acquire(lake, Create::IfMissing)?;
    sweep_staging(lake.root());
    let txn = Txn::begin(lake).map_err(|e| PipelineError::io(lake.root(), e))?;
    let outcome = ingest_into(&txn.lake(), files, progress)?;
    txn.commit()
        .map_err(|e| PipelineError::io(lake.root(), e))?;
    Ok(outcome)
}

fn ingest_into(lake: &Lake, files: &[PathBuf], progress: &dyn Progress) -> Result<IngestOutcome> {
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut manifest = lake.read_manifest()?;
    let mut staging = Staging::new(lake)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let quarantine_name = format!("ingest-{stamp}-{}.parquet", std::process::id());
    let mut rejects = QuarantineSink::new(lake.quarantine_dir().join(quarantine_name));
    let mut sources = Vec::new();

    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let stage = progress.stage("read", Some(total_bytes));
    let dates = DateRange::until_day_after(chrono::Local::now().date_naive());
    let mut field_issues: BTreeMap<String, u64> = BTreeMap::new();
    let mut types: BTreeSet<String> = lake_types(lake, &manifest)?;
    for (index, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        let source = parse::parse_file(path, index, dates, stage.as_ref(), &mut |parsed| {
            types.extend(parsed.types);
            if types.len() > MAX_TYPES {
                let examples: Vec<&str> = types.iter().take(6).map(String::as_str).collect();
                return Err(PipelineError::TooManyTypes {
                    types: types.len(),
                    max: MAX_TYPES,
                    examples: format!("{} …", examples.join(", ")),
                    file: name.clone(),
                });
            }
            rejects.extend(parsed.rejects)?;
            for (code, n) in parsed.field_issues {
                *field_issues.entry(code.to_string()).or_default() += n;
            }
            for (ym, batch) in parsed.months {
                staging.add(ym, batch)?;
            }
            Ok(())
        })?;
        tracing::info!(file = %source.name, rows = source.rows_read, "read");
        sources.push(source);
    }
    staging.spill_all()?;
    stage.finish();

    let rows_read: u64 = sources.iter().map(|s| s.rows_read).sum();
    let rejects = rejects.finish()?;
    let quarantined = rejects.rows;
    let new_rows = staging.keys.len() as u64;

    let stage = progress.stage("resolve duplicates", None);
    let mut keys = std::mem::take(&mut staging.keys);
    keys.extend(lake_keys(lake)?);
    let resolution = resolve(keys);
    stage.finish();

    let mut touched: BTreeSet<YearMonth> = resolution.winning_months.clone();
    touched.extend(resolution.replaced.keys().copied());
    let touched: Vec<YearMonth> = touched.into_iter().collect();

    let stage = progress.stage("write bronze", Some(touched.len() as u64));
    let results: Vec<Result<PendingFiles>> = crate::parallel::map_partitions(&touched, |&ym| {
        let mut pending = PendingFiles::default();
        let staged = staging.files.get(&ym).map(Vec::as_slice).unwrap_or(&[]);
        rewrite_month(lake, ym, staged, &resolution, &mut pending)?;
        stage.advance(1);
        Ok(pending)
    });
    let mut pending = PendingFiles::default();
    for r in results {
        pending.absorb(r?);
    }
    stage.finish();

    pending.absorb(rejects.pending);
    let quarantine_file = rejects.file;

    let counts = Reconciliation {
        rows_read,
        accepted: new_rows - resolution.superseded_count,
        quarantined,
        superseded: resolution.superseded_count,
    };
    let quarantine_reasons = rejects.reasons;
    let run = IngestRun {
        started_at,
        sources: sources.clone(),
        counts: counts.clone(),
        replaced_in_lake: resolution.replaced_count,
        quarantine_reasons,
        field_issues,
        quarantine_file,
        months_touched: touched.clone(),
    };

    pending.commit()?;

    let mut dirty: BTreeSet<YearMonth> = manifest.dirty_months.iter().copied().collect();
    dirty.extend(touched.iter().copied());
    manifest.dirty_months = dirty.into_iter().collect();
    manifest.schema_version = SCHEMA_VERSION;
    manifest.tool_version = env!("CARGO_PKG_VERSION").to_string();
    manifest.sources.extend(sources);
    manifest.totals.rows_read += counts.rows_read;
    manifest.totals.accepted += counts.accepted;
    manifest.totals.quarantined += counts.quarantined;
    manifest.totals.superseded += counts.superseded;
    manifest.ingest_runs.push(run.clone());
    manifest.primary_types = types.into_iter().collect();
    manifest.bronze_months = lake
        .bronze_months()
        .map_err(|e| PipelineError::io(&lake.bronze_dir(), e))?;
    lake.write_manifest(&manifest)?;

    let quarantine_sample = rejects.sample;
    Ok(IngestOutcome {
        run,
        quarantine_sample,
    })
}
