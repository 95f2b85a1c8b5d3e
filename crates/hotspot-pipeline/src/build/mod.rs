//! `hotspot build`: Bronze → Silver → Gold for the months that need it.
//!
//! Each target month is rebuilt on its own (months in parallel): Silver from Bronze, then every
//! Gold table at r6–r10 and the month's r10 tallies. The all-time labels and drill maps are then
//! summed from every month's tallies. Everything is written to temporary files first and
//! renamed into place only when the whole build has succeeded, so a failed or interrupted build
//! leaves the previous lake exactly as it was, and its months stay dirty for the next run.

pub mod areas;
pub mod gold;
pub mod labels;
pub mod silver;
pub mod streets;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hotspot_core::lake::{BuildInfo, GoldTable, Lake, MonthStats, SCHEMA_VERSION};
use hotspot_core::progress::Progress;
use hotspot_core::res::RESOLUTIONS;
use hotspot_core::time::YearMonth;

use crate::error::{PipelineError, Result};
use crate::frame::{self, PendingFiles};
use crate::lock::{Create, LakeLock, sweep_staging};
use gold::Tallies;
use hotspot_core::lake::snapshot::Txn;
use labels::AllTime;

/// Which months to build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum MonthSelection {
    /// Months changed by ingests since they were last built, and months never built.
    #[default]
    Dirty,
    /// Every month with Bronze data.
    All,
    /// Every month of a year.
    Year(i32),
    /// One month.
    Month(YearMonth),
}

/// How to build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub months: MonthSelection,
    /// Test hook: fail after this many months have been computed, before anything is renamed.
    #[doc(hidden)]
    pub fail_after_months: Option<usize>,
}

/// What a build did.
#[derive(Clone, Debug)]
pub struct BuildOutcome {
    pub info: BuildInfo,
}

fn target_months(
    lake: &Lake,
    selection: &MonthSelection,
    dirty: &[YearMonth],
) -> Result<(Vec<YearMonth>, Vec<YearMonth>)> {
    let io = |e| PipelineError::io(&lake.bronze_dir(), e);
    let bronze: BTreeSet<YearMonth> = lake.bronze_months().map_err(io)?.into_iter().collect();
    let silver: BTreeSet<YearMonth> = lake.silver_months().map_err(io)?.into_iter().collect();
    let wanted: BTreeSet<YearMonth> = match selection {
        MonthSelection::Dirty => {
            let mut w: BTreeSet<YearMonth> = dirty.iter().copied().collect();
            // Never-built months count as dirty, and so do months whose Bronze is gone.
            w.extend(bronze.difference(&silver).copied());
            w.extend(silver.difference(&bronze).copied());
            w
        }
        MonthSelection::All => bronze.union(&silver).copied().collect(),
        MonthSelection::Year(y) => {
            let w: BTreeSet<_> = bronze
                .iter()
                .chain(silver.iter())
                .filter(|m| m.year == *y)
                .copied()
                .collect();
            if w.is_empty() {
                return Err(PipelineError::NoBronze(format!("year {y}")));
            }
            w
        }
        MonthSelection::Month(ym) => {
            if !bronze.contains(ym) && !silver.contains(ym) {
                return Err(PipelineError::NoBronze(ym.to_string()));
            }
            [*ym].into()
        }
    };
    let (build, remove): (Vec<_>, Vec<_>) = wanted.into_iter().partition(|m| bronze.contains(m));
    Ok((build, remove))
}

struct BuiltMonth {
    ym: YearMonth,
    stats: MonthStats,
    tallies: Tallies,
    blocks: Vec<streets::BlockPoint>,
    pending: PendingFiles,
}

/// Time spent in each phase of the month builds, summed over months (for `-v` logs).
#[derive(Default)]
struct PhaseTimes {
    nanos: [std::sync::atomic::AtomicU64; 6],
}

impl PhaseTimes {
    const NAMES: [&'static str; 6] = [
        "read bronze",
        "silver",
        "gold",
        "write silver",
        "write gold",
        "block points",
    ];

    fn add(&self, phase: usize, since: Instant) {
        self.nanos[phase].fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    fn log(&self) {
        let parts: Vec<String> = Self::NAMES
            .iter()
            .zip(&self.nanos)
            .map(|(n, v)| format!("{n} {:.2}s", v.load(Ordering::Relaxed) as f64 / 1e9))
            .collect();
        tracing::info!(
            "month build phases (CPU time over threads): {}",
            parts.join(", ")
        );
    }
}

fn build_month(lake: &Lake, ym: YearMonth, times: &PhaseTimes) -> Result<BuiltMonth> {
    let bronze_path = lake.bronze(ym);
    let t = Instant::now();
    let bronze = frame::read_bronze(&bronze_path)?;
    times.add(0, t);
    let t = Instant::now();
    let (mut silver, rows) = silver::silver_from_bronze(bronze, &bronze_path)?;
    times.add(1, t);
    let t = Instant::now();
    let g = gold::gold_for_month(&rows)?;
    times.add(2, t);
    let t = Instant::now();
    let blocks = streets::month_block_points(&rows);
    drop(rows);
    times.add(5, t);
    let t = Instant::now();
    let mut pending = PendingFiles::default();
    frame::write_parquet(&mut silver, &pending.stage(lake.silver(ym)))?;
    drop(silver);
    times.add(3, t);
    let t = Instant::now();
    let tables = [
        (GoldTable::CellDay, g.cell_day),
        (GoldTable::CellHour, g.cell_hour),
        (GoldTable::CellMonth, g.cell_month),
    ];
    for (table, frames) in tables {
        for (res, mut df) in RESOLUTIONS.into_iter().zip(frames) {
            frame::write_parquet(&mut df, &pending.stage(lake.gold(table, res, ym)))?;
        }
    }
    let mut city_hourly = g.city_hourly;
    frame::write_parquet(&mut city_hourly, &pending.stage(lake.city_hourly(ym)))?;
    let mut district_daily = g.district_daily;
    frame::write_parquet(&mut district_daily, &pending.stage(lake.district_daily(ym)))?;
    let mut unmapped = g.unmapped_day;
    frame::write_parquet(&mut unmapped, &pending.stage(lake.unmapped_day(ym)))?;
    let mut tally = g.tallies.to_frame()?;
    frame::write_parquet(&mut tally, &pending.stage(lake.r10_tally(ym)))?;
    let mut points = streets::block_points_frame(&blocks)?;
    frame::write_parquet(&mut points, &pending.stage(lake.block_points(ym)))?;
    times.add(4, t);
    Ok(BuiltMonth {
        ym,
        stats: g.stats,
        tallies: g.tallies,
        blocks,
        pending,
    })
}

fn month_outputs(lake: &Lake, ym: YearMonth) -> Vec<std::path::PathBuf> {
    let mut paths = vec![
        lake.silver(ym),
        lake.unmapped_day(ym),
        lake.r10_tally(ym),
        lake.block_points(ym),
        lake.city_hourly(ym),
        lake.district_daily(ym),
    ];
    for table in GoldTable::ALL {
        for res in RESOLUTIONS {
            paths.push(lake.gold(table, res, ym));
        }
    }
    paths
}

/// A month's block points from its table, or — for a lake built before the street skeleton
/// existed — from its Silver, staged to be written with this build.
fn month_blocks(lake: &Lake, ym: YearMonth) -> Result<(Vec<streets::BlockPoint>, PendingFiles)> {
    let path = lake.block_points(ym);
    let mut pending = PendingFiles::default();
    if path.exists() {
        let df = frame::read_parquet(&path, None)?;
        return Ok((streets::block_points_from_frame(&df, &path)?, pending));
    }
    let silver = lake.silver(ym);
    let blocks = streets::silver_block_points(&silver)?;
    let mut df = streets::block_points_frame(&blocks)?;
    frame::write_parquet(&mut df, &pending.stage(path))?;
    Ok((blocks, pending))
}

/// Builds Silver and Gold for the selected months, then the all-time labels and drill maps.
/// The lake must exist. Everything the build writes becomes visible at once when its snapshot
/// commits; a failed or killed build changes nothing.
pub fn build(lake: &Lake, options: &BuildOptions, progress: &dyn Progress) -> Result<BuildOutcome> {
    let _lock = LakeLock::acquire(lake, Create::Never)?;
    sweep_staging(lake.root());
    let txn = Txn::begin(lake).map_err(|e| PipelineError::io(lake.root(), e))?;
    let outcome = build_into(&txn.lake(), options, progress)?;
    txn.commit()
        .map_err(|e| PipelineError::io(lake.root(), e))?;
    Ok(outcome)
}

fn build_into(
    lake: &Lake,
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildOutcome> {
    let started = Instant::now();
    let mut manifest = lake.read_manifest()?;
    let (targets, removed) = target_months(lake, &options.months, &manifest.dirty_months)?;

    let stage = progress.stage("build months", Some(targets.len() as u64));
    let done = AtomicUsize::new(0);
    let times = PhaseTimes::default();
    let built: Vec<Result<BuiltMonth>> = crate::parallel::map_partitions(&targets, |&ym| {
        let month = build_month(lake, ym, &times)?;
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        stage.advance(1);
        if options.fail_after_months.is_some_and(|limit| n >= limit) {
            return Err(PipelineError::InjectedFailure(n));
        }
        Ok(month)
    });
    stage.finish();
    times.log();
    let mut pending = PendingFiles::default();
    let mut all_time = AllTime::default();
    let mut all_blocks = streets::AllBlocks::default();
    let mut month_stats = BTreeMap::new();
    let mut first_error = None;
    for b in built {
        match b {
            Ok(m) => {
                all_time.add(&m.tallies);
                all_blocks.add(m.blocks);
                month_stats.insert(m.ym, m.stats);
                pending.absorb(m.pending);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        // `pending` drops here and deletes every temporary file: the lake is untouched.
        return Err(e);
    }
    for ym in &removed {
        for p in month_outputs(lake, *ym) {
            pending.remove_at_commit(p);
        }
    }

    // Labels and drill maps over all time: this build's months plus every other month's tallies.
    let stage = progress.stage("labels and drill maps", None);
    let rebuilt: BTreeSet<YearMonth> = targets.iter().chain(removed.iter()).copied().collect();
    let other_months: Vec<YearMonth> = lake
        .silver_months()
        .map_err(|e| PipelineError::io(&lake.silver_dir(), e))?
        .into_iter()
        .filter(|m| !rebuilt.contains(m))
        .collect();
    let others: Vec<Result<(Tallies, Vec<streets::BlockPoint>, PendingFiles)>> =
        crate::parallel::map_partitions(&other_months, |&ym| {
            let path = lake.r10_tally(ym);
            let df = frame::read_parquet(&path, None)?;
            let tallies = Tallies::from_frame(&df, &path)?;
            let (blocks, staged) = month_blocks(lake, ym)?;
            Ok((tallies, blocks, staged))
        });
    for t in others {
        let (tallies, blocks, staged) = t?;
        all_time.add(&tallies);
        all_blocks.add(blocks);
        pending.absorb(staged);
    }
    let t = Instant::now();
    let lines = streets::street_lines(&all_blocks.centres());
    drop(all_blocks);
    let mut streets_df = streets::streets_frame(&lines)?;
    frame::write_parquet(&mut streets_df, &pending.stage(lake.streets()))?;
    tracing::info!(
        "street skeleton: {} polylines in {:.3} s",
        lines.len(),
        t.elapsed().as_secs_f64()
    );
    let mut cells_per_resolution = BTreeMap::new();
    for (res, mut df) in labels::label_frames(&all_time)? {
        cells_per_resolution.insert(res, df.height() as u64);
        if res > hotspot_core::res::MIN_RES {
            let cells = frame::i64_values(&df, hotspot_core::lake::columns::gold::CELL)?;
            let cells: Vec<u64> = cells.into_iter().flatten().map(|c| c as u64).collect();
            let mut drill = labels::drill_frame(res, &cells)?;
            frame::write_parquet(&mut drill, &pending.stage(lake.drill(res)))?;
        }
        frame::write_parquet(&mut df, &pending.stage(lake.labels(res)))?;
    }
    let t = Instant::now();
    let rings = areas::area_rings(&all_time)?;
    let mut areas_df = areas::areas_frame(&rings)?;
    frame::write_parquet(&mut areas_df, &pending.stage(lake.areas()))?;
    tracing::info!(
        "area outlines: {} rings in {:.3} s",
        rings.len(),
        t.elapsed().as_secs_f64()
    );
    stage.finish();

    pending.commit()?;

    for ym in &removed {
        manifest.months.remove(ym);
    }
    manifest.months.extend(month_stats);
    let rebuilt_set: BTreeSet<YearMonth> = rebuilt;
    manifest.dirty_months.retain(|m| !rebuilt_set.contains(m));
    manifest.schema_version = SCHEMA_VERSION;
    manifest.tool_version = env!("CARGO_PKG_VERSION").to_string();
    manifest.bronze_months = lake
        .bronze_months()
        .map_err(|e| PipelineError::io(&lake.bronze_dir(), e))?;
    let mut unmapped_by_issue = BTreeMap::new();
    for s in manifest.months.values() {
        for (k, v) in &s.unmapped_by_issue {
            *unmapped_by_issue.entry(k.clone()).or_insert(0) += v;
        }
    }
    let info = BuildInfo {
        built_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        months_built: targets,
        months_removed: removed,
        records: manifest.months.values().map(|s| s.records).sum(),
        unmapped: unmapped_by_issue.values().sum(),
        unmapped_by_issue,
        cells_per_resolution,
        seconds: started.elapsed().as_secs_f64(),
    };
    manifest.build = Some(info.clone());
    lake.write_manifest(&manifest)?;
    Ok(BuildOutcome { info })
}
