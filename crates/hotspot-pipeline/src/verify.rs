//! Checking that the lake is what its manifest says: every partition the manifest implies is
//! present and a readable Parquet file whose row count agrees, and nothing a killed writer left
//! lingers. `hotspot status` runs this before it reports anything, so it never calls a damaged
//! lake "up to date", and [`repair`] removes what can be removed safely.

use std::path::{Path, PathBuf};

use hotspot_core::Lake;
use hotspot_core::lake::snapshot::{self, current_generation, generations};
use hotspot_core::lake::{GoldTable, Manifest};
use hotspot_core::res::RESOLUTIONS;
use polars::prelude::*;

use crate::error::{PipelineError, Result};
use crate::lock::{Create, LakeLock, sweep_staging};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Leftovers or drift that do not change any answer (removed by the next writer).
    Note,
    /// A table is missing, unreadable or disagrees with the manifest: answers may be wrong.
    Damage,
}

/// One thing wrong with the lake, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub path: PathBuf,
    pub problem: String,
    pub fix: String,
}

/// What [`verify`] looked at and found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Parquet files opened and checked.
    pub files_checked: usize,
    /// The generation the lake's `CURRENT` names (`None` for a lake from before snapshots).
    pub generation: Option<u64>,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether anything may change an answer.
    pub fn damaged(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Damage)
    }
}

const REBUILD: &str = "run `hotspot build --all` to rebuild Silver and Gold from Bronze";
const REINGEST: &str = "re-ingest the source exports (`hotspot ingest FILE…`, the manifest \
                        lists them), then `hotspot build`";

/// Rows of a Parquet file, from its footer alone; `Err` says why it is unreadable.
fn parquet_rows(path: &Path) -> std::result::Result<usize, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = ParquetReader::new(file);
    reader.num_rows().map_err(|e| e.to_string())
}

/// Checks `lake` against its manifest. Errors only when the lake itself cannot be read (no
/// lake, unreadable `CURRENT` or manifest); everything else is a [`Finding`].
pub fn verify(lake: &Lake) -> Result<Report> {
    if !lake.exists() {
        return Err(PipelineError::NoLake(lake.root().to_path_buf()));
    }
    let generation = current_generation(lake.root())
        .map_err(|e| PipelineError::io(&lake.root().join(snapshot::CURRENT_FILE), e))?;
    let lake = lake.pin();
    let manifest = lake.read_manifest()?;
    let mut report = Report {
        generation,
        ..Report::default()
    };
    if let Some(g) = generation
        && !snapshot::generation_dir(lake.root(), g).is_dir()
    {
        report.findings.push(Finding {
            severity: Severity::Damage,
            path: lake.data_dir(),
            problem: format!("CURRENT names generation {g}, whose directory is missing"),
            fix: REINGEST.into(),
        });
        return Ok(report);
    }
    check_tables(&lake, &manifest, &mut report);
    check_leftovers(&lake, generation, &mut report);
    Ok(report)
}

fn check_tables(lake: &Lake, m: &Manifest, report: &mut Report) {
    let mut check = |path: PathBuf, expected_rows: Option<u64>, fix: &str| {
        report.files_checked += 1;
        let finding = |problem: String| Finding {
            severity: Severity::Damage,
            path: path.clone(),
            problem,
            fix: fix.to_string(),
        };
        match parquet_rows(&path) {
            Err(_) if !path.exists() => report.findings.push(finding("missing".into())),
            Err(e) => report
                .findings
                .push(finding(format!("not a readable Parquet file ({e})"))),
            Ok(n) => {
                if let Some(want) = expected_rows
                    && n as u64 != want
                {
                    report
                        .findings
                        .push(finding(format!("{n} rows where the manifest says {want}")));
                }
            }
        }
    };
    // Bronze: the months the manifest lists, and no others.
    let on_disk = lake.bronze_months().unwrap_or_default();
    for ym in &m.bronze_months {
        check(lake.bronze(*ym), None, REINGEST);
    }
    let strays: Vec<Finding> = on_disk
        .iter()
        .filter(|ym| !m.bronze_months.contains(ym))
        .map(|ym| Finding {
            severity: Severity::Damage,
            path: lake.bronze(*ym),
            problem: "a Bronze month the manifest does not list".into(),
            fix: REINGEST.into(),
        })
        .collect();
    if m.build.is_none() {
        report.findings.extend(strays);
        return;
    }
    for (ym, stats) in &m.months {
        if m.dirty_months.contains(ym) {
            continue; // rebuilt by the next build; its Silver may legitimately lag Bronze
        }
        check(lake.silver(*ym), Some(stats.records), REBUILD);
        check(lake.city_hourly(*ym), None, REBUILD);
        check(lake.district_daily(*ym), None, REBUILD);
        check(lake.unmapped_day(*ym), None, REBUILD);
        check(lake.r10_tally(*ym), None, REBUILD);
        check(lake.block_points(*ym), None, REBUILD);
        for table in GoldTable::ALL {
            for res in RESOLUTIONS {
                check(lake.gold(table, res, *ym), None, REBUILD);
            }
        }
    }
    check(lake.streets(), None, REBUILD);
    check(lake.areas(), None, REBUILD);
    for res in RESOLUTIONS {
        let cells = m
            .build
            .as_ref()
            .and_then(|b| b.cells_per_resolution.get(&res).copied());
        check(lake.labels(res), cells, REBUILD);
        if res > hotspot_core::res::MIN_RES {
            check(lake.drill(res), None, REBUILD);
        }
    }
    report.findings.extend(strays);
}

fn check_leftovers(lake: &Lake, current: Option<u64>, report: &mut Report) {
    let root = lake.root();
    let gens = generations(root).unwrap_or_default();
    let newer: Vec<u64> = gens
        .iter()
        .copied()
        .filter(|g| current.is_none_or(|c| *g > c))
        .collect();
    if !newer.is_empty() {
        report.findings.push(Finding {
            severity: Severity::Note,
            path: root.join(snapshot::SNAPSHOTS_DIR),
            problem: format!(
                "{} uncommitted generation(s) left by a killed ingest or build ({})",
                newer.len(),
                newer
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fix: "nothing to do: the next ingest or build removes them (or `hotspot status \
                  --repair` now)"
                .into(),
        });
    }
    if root.join("_staging").exists() {
        report.findings.push(Finding {
            severity: Severity::Note,
            path: root.join("_staging"),
            problem: "scratch space of an ingest (running, or killed)".into(),
            fix: "nothing to do: the next ingest or build removes it once no ingest runs".into(),
        });
    }
}

/// Removes what killed writers left (uncommitted generations, staging, tables at the root of a
/// lake that moved into generations), holding the lake's lock; returns what was removed.
pub fn repair(lake: &Lake) -> Result<Vec<String>> {
    let _lock = LakeLock::acquire(lake, Create::Never)?;
    let mut removed = Vec::new();
    if lake.root().join("_staging").exists() {
        sweep_staging(lake.root());
        removed.push("_staging/".to_string());
    }
    let gens = snapshot::sweep(lake.root(), true).map_err(|e| PipelineError::io(lake.root(), e))?;
    removed.extend(gens.iter().map(|g| format!("generation {g}")));
    Ok(removed)
}
