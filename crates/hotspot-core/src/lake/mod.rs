//! The lake's layout on disk, its manifest, and atomic writes.
//!
//! Every path the pipeline writes and the scope engine reads is spelled here once. Tables are
//! Hive-style partitions (`year=YYYY/month=MM`, `res=R` not zero-padded) of plain Parquet, one
//! file per partition named [`PART_FILE`], so DuckDB, Polars or pandas read the lake as is.
//! They live in the current generation of [`snapshot`] (`<lake>/current/…` for outside tools);
//! a writer changes the lake only through a [`snapshot::Txn`].

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::time::YearMonth;

pub mod columns;
pub mod snapshot;

/// The lake format version written to the manifest: 2 keeps the tables in snapshot
/// generations and Bronze has a `field_issue` column.
pub const SCHEMA_VERSION: u32 = 2;
/// The file inside each partition directory.
pub const PART_FILE: &str = "part-0.parquet";
/// The default lake root.
pub const DEFAULT_LAKE: &str = "data/lake";

/// Gold tables partitioned by resolution and month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GoldTable {
    /// (cell, date, primary_type) → incidents, arrests, domestic.
    CellDay,
    /// (cell, primary_type, dow, hour) → incidents, arrests.
    CellHour,
    /// One row per cell with data that month, with rates, intervals and modes.
    CellMonth,
}

impl GoldTable {
    /// Every month-partitioned Gold table.
    pub const ALL: [GoldTable; 3] = [
        GoldTable::CellDay,
        GoldTable::CellHour,
        GoldTable::CellMonth,
    ];

    /// The table's directory name under `gold/`.
    pub fn dir(self) -> &'static str {
        match self {
            GoldTable::CellDay => "cell_day",
            GoldTable::CellHour => "cell_hour",
            GoldTable::CellMonth => "cell_month",
        }
    }
}

/// Paths inside one lake. A `Lake` made with [`Lake::new`] follows the current generation (each
/// path is resolved when asked for); a pinned one ([`Lake::pin`], or a transaction's) always
/// reads one generation, so a reader sees one consistent snapshot while writers commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lake {
    root: PathBuf,
    /// The generation directory the tables are read from; `None`: the current one.
    base: Option<PathBuf>,
}

fn month_dir(base: PathBuf, ym: YearMonth) -> PathBuf {
    base.join(format!("year={:04}", ym.year))
        .join(format!("month={:02}", ym.month))
}

impl Lake {
    /// A lake rooted at `root` (not created until something is written).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            base: None,
        }
    }

    /// The lake at `root` read from the tables under `base` (a generation directory).
    pub fn pinned(root: &Path, base: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            base: Some(base.to_path_buf()),
        }
    }

    /// This lake pinned to the generation that is current now.
    pub fn pin(&self) -> Self {
        Self::pinned(&self.root, &self.data_dir())
    }

    /// The lake root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory the tables are read from (see [`snapshot::data_dir`]).
    pub fn data_dir(&self) -> PathBuf {
        match &self.base {
            Some(b) => b.clone(),
            None => snapshot::data_dir(&self.root),
        }
    }

    /// Whether anything was ever committed to this lake (a generation, or tables written
    /// before snapshots).
    pub fn exists(&self) -> bool {
        let root = &self.root;
        root.join(snapshot::CURRENT_FILE).is_file()
            || snapshot::TABLE_DIRS.iter().any(|t| root.join(t).is_dir())
    }

    /// `bronze/`.
    pub fn bronze_dir(&self) -> PathBuf {
        self.data_dir().join("bronze")
    }

    /// `bronze/year=YYYY/month=MM/part-0.parquet`.
    pub fn bronze(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.bronze_dir(), ym).join(PART_FILE)
    }

    /// `silver/`.
    pub fn silver_dir(&self) -> PathBuf {
        self.data_dir().join("silver")
    }

    /// `silver/year=YYYY/month=MM/part-0.parquet`.
    pub fn silver(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.silver_dir(), ym).join(PART_FILE)
    }

    /// `gold/`.
    pub fn gold_dir(&self) -> PathBuf {
        self.data_dir().join("gold")
    }

    /// `gold/<table>/res=R/`.
    pub fn gold_table_dir(&self, table: GoldTable, res: u8) -> PathBuf {
        self.gold_dir().join(table.dir()).join(format!("res={res}"))
    }

    /// `gold/<table>/res=R/year=YYYY/month=MM/part-0.parquet`.
    pub fn gold(&self, table: GoldTable, res: u8, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_table_dir(table, res), ym).join(PART_FILE)
    }

    /// `gold/unmapped_day/year=YYYY/month=MM/part-0.parquet`: (date, primary_type) → incidents,
    /// arrests, domestic for records without usable coordinates (an extension of the contract,
    /// so citywide totals can include them).
    pub fn unmapped_day(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_dir().join("unmapped_day"), ym).join(PART_FILE)
    }

    /// `gold/drill/res=R/part-0.parquet` (R = 7..=10): (parent at R−1, child at R).
    pub fn drill(&self, res: u8) -> PathBuf {
        self.gold_dir()
            .join("drill")
            .join(format!("res={res}"))
            .join(PART_FILE)
    }

    /// `gold/labels/res=R/part-0.parquet`: one row per cell over all time.
    pub fn labels(&self, res: u8) -> PathBuf {
        self.gold_dir()
            .join("labels")
            .join(format!("res={res}"))
            .join(PART_FILE)
    }

    /// `gold/city_hourly/year=YYYY/month=MM/part-0.parquet`: (date, hour, primary_type) →
    /// incidents, arrests, domestic over *all* records, mapped or not (an extension: exact
    /// citywide daily, weekday and hourly series for any period).
    pub fn city_hourly(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_dir().join("city_hourly"), ym).join(PART_FILE)
    }

    /// `gold/district_daily/year=YYYY/month=MM/part-0.parquet`: (date, district, primary_type)
    /// → incidents, arrests over all records (an extension: exact district rankings).
    pub fn district_daily(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_dir().join("district_daily"), ym).join(PART_FILE)
    }

    /// `gold/r10_tally/year=YYYY/month=MM/part-0.parquet`: (r10 cell, field, value) →
    /// incidents for the attributes whose modes Gold reports (an extension: all-time labels
    /// are summed from these without re-reading Silver).
    pub fn r10_tally(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_dir().join("r10_tally"), ym).join(PART_FILE)
    }

    /// `gold/block_points/year=YYYY/month=MM/part-0.parquet`: block → its geolocated records'
    /// count and median latitude and longitude that month (an extension: the street skeleton
    /// is derived from these without re-reading Silver).
    pub fn block_points(&self, ym: YearMonth) -> PathBuf {
        month_dir(self.gold_dir().join("block_points"), ym).join(PART_FILE)
    }

    /// `gold/context/streets/part-0.parquet`: one row per street polyline derived from the
    /// records (`street`, `label`, `from_block`, `to_block`, `incidents`, `lat` and `lon` as
    /// `list<f64>`).
    pub fn streets(&self) -> PathBuf {
        self.gold_dir()
            .join("context")
            .join("streets")
            .join(PART_FILE)
    }

    /// `gold/context/areas/part-0.parquet`: one row per outline ring of every police district,
    /// beat, ward and community area (`kind`, `code`, `name`, `polygon`, `ring` — 0 the
    /// exterior — and `lat`, `lon` as `list<f64>`, closed), dissolved from the r10 cells whose
    /// all-time modal jurisdiction it is.
    pub fn areas(&self) -> PathBuf {
        self.gold_dir()
            .join("context")
            .join("areas")
            .join(PART_FILE)
    }

    /// `gold/_manifest.json`.
    pub fn manifest_path(&self) -> PathBuf {
        self.gold_dir().join("_manifest.json")
    }

    /// `quarantine/`.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.data_dir().join("quarantine")
    }

    /// `_staging/`: scratch space of a running ingest, removed when it finishes.
    pub fn staging_dir(&self) -> PathBuf {
        self.root.join("_staging")
    }

    /// Months with a partition under `dir` (`dir/year=YYYY/month=MM/part-0.parquet`), sorted.
    pub fn months_in(dir: &Path) -> io::Result<Vec<YearMonth>> {
        let mut out = Vec::new();
        let years = match fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for y in years {
            let y = y?;
            let Some(year) = parse_key(&y.file_name(), "year=") else {
                continue;
            };
            for m in fs::read_dir(y.path())? {
                let m = m?;
                let Some(month) = parse_key(&m.file_name(), "month=") else {
                    continue;
                };
                let Ok(month) = u8::try_from(month) else {
                    continue;
                };
                if let Some(ym) = YearMonth::new(year, month)
                    && m.path().join(PART_FILE).is_file()
                {
                    out.push(ym);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Months with a Bronze partition.
    pub fn bronze_months(&self) -> io::Result<Vec<YearMonth>> {
        Self::months_in(&self.bronze_dir())
    }

    /// Months with a Silver partition.
    pub fn silver_months(&self) -> io::Result<Vec<YearMonth>> {
        Self::months_in(&self.silver_dir())
    }

    /// Months with a Gold partition of `table` at `res`.
    pub fn gold_months(&self, table: GoldTable, res: u8) -> io::Result<Vec<YearMonth>> {
        Self::months_in(&self.gold_table_dir(table, res))
    }

    /// Reads the manifest. A lake nothing was ever committed to has an empty one; a lake
    /// whose tables exist but whose manifest does not is damaged, and says so.
    pub fn read_manifest(&self) -> Result<Manifest, ManifestError> {
        let path = self.manifest_path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| ManifestError::Parse { path, source }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let tables = snapshot::TABLE_DIRS
                    .iter()
                    .any(|t| self.data_dir().join(t).is_dir());
                if tables || self.root.join(snapshot::CURRENT_FILE).is_file() {
                    Err(ManifestError::Missing { path })
                } else {
                    Ok(Manifest::default())
                }
            }
            Err(source) => Err(ManifestError::Io { path, source }),
        }
    }

    /// Writes the manifest atomically.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), ManifestError> {
        let path = self.manifest_path();
        let bytes = serde_json::to_vec_pretty(manifest).map_err(|source| ManifestError::Parse {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes).map_err(|source| ManifestError::Io { path, source })
    }
}

fn parse_key(name: &std::ffi::OsStr, prefix: &str) -> Option<i32> {
    name.to_str()?.strip_prefix(prefix)?.parse().ok()
}

/// Why the manifest could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot access {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "the lake's manifest {} is missing although the lake holds tables: the lake is damaged \
         (`hotspot status` says what to do)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("{} is not a valid manifest: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// A source file that was ingested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub name: String,
    pub size: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub header_style: Option<String>,
    /// Header columns that are not dataset columns (ignored).
    #[serde(default)]
    pub extra_columns: Vec<String>,
    pub rows_read: u64,
    /// Physical lines of the file: the header, blank lines and the lines of its rows.
    #[serde(default)]
    pub lines_read: u64,
    /// Lines that held nothing (no row).
    #[serde(default)]
    pub blank_lines: u64,
}

/// The reconciliation of one ingest run: `rows_read = accepted + quarantined + superseded`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub rows_read: u64,
    pub accepted: u64,
    pub quarantined: u64,
    pub superseded: u64,
}

impl Reconciliation {
    /// Whether the counts add up.
    pub fn balanced(&self) -> bool {
        self.rows_read == self.accepted + self.quarantined + self.superseded
    }
}

/// One ingest run as recorded in the manifest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestRun {
    pub started_at: String,
    pub sources: Vec<SourceFile>,
    #[serde(flatten)]
    pub counts: Reconciliation,
    /// Records already in the lake that this run's records replaced (upserts).
    pub replaced_in_lake: u64,
    /// Quarantine counts by reason code.
    pub quarantine_reasons: BTreeMap<String, u64>,
    /// Accepted records with a field stored as null because its value was unusable, by field
    /// (`beat`, `district`, `ward`, `community_area`).
    #[serde(default)]
    pub field_issues: BTreeMap<String, u64>,
    /// The quarantine file this run wrote (relative to the lake root), if any.
    pub quarantine_file: Option<String>,
    /// Months whose Bronze partition this run rewrote.
    pub months_touched: Vec<YearMonth>,
}

/// Figures of one built month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthStats {
    /// Silver records of the month.
    pub records: u64,
    /// Records with a cell.
    pub geolocated: u64,
    /// Arrests among the geolocated records.
    pub arrests_geolocated: u64,
    /// Records without a cell, by `geo_issue` code.
    pub unmapped_by_issue: BTreeMap<String, u64>,
    /// The month's citywide arrest rate over geolocated records: every smoothed rate's prior.
    pub prior: f64,
}

impl MonthStats {
    /// Records without a cell.
    pub fn unmapped(&self) -> u64 {
        self.unmapped_by_issue.values().sum()
    }
}

/// What the last build did and what the lake holds after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    pub built_at: String,
    /// Months (re)built by the last build.
    pub months_built: Vec<YearMonth>,
    /// Months whose outputs the last build removed (their records all moved elsewhere).
    pub months_removed: Vec<YearMonth>,
    /// Silver records in the lake.
    pub records: u64,
    /// Silver records without usable coordinates.
    pub unmapped: u64,
    /// Unmapped records by `geo_issue` code.
    pub unmapped_by_issue: BTreeMap<String, u64>,
    /// Distinct cells with data over all time, per resolution.
    pub cells_per_resolution: BTreeMap<u8, u64>,
    /// Seconds the last build took.
    pub seconds: f64,
}

/// `gold/_manifest.json`: what the lake holds and how it got there.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool_version: String,
    /// Every source file ever ingested, in order.
    pub sources: Vec<SourceFile>,
    /// Totals over every ingest run.
    pub totals: Reconciliation,
    pub ingest_runs: Vec<IngestRun>,
    /// Months whose Bronze changed since they were last built.
    pub dirty_months: Vec<YearMonth>,
    /// Months with a Bronze partition.
    pub bronze_months: Vec<YearMonth>,
    /// Figures of every built month.
    pub months: BTreeMap<YearMonth, MonthStats>,
    pub build: Option<BuildInfo>,
    /// Every primary type ingested so far (an upper bound of Bronze's: upserts may have
    /// removed some), sorted; ingest refuses a run that would take it past [`MAX_TYPES`].
    #[serde(default)]
    pub primary_types: Vec<String>,
}

impl Manifest {
    /// What tells one lake from another: the SHA-256 of the first file ever ingested into it.
    /// It stays the same as the lake grows (later ingests, builds, fetches) and differs between
    /// lakes started from different data; `None` for a lake with nothing ingested.
    pub fn identity(&self) -> Option<&str> {
        self.sources.first().map(|s| s.sha256.as_str())
    }
}

/// The most distinct primary types a lake holds (the scope engine codes them in one byte; the
/// dataset has about 35).
pub const MAX_TYPES: usize = 255;

/// The path of the temporary file [`write_atomic`] writes before renaming onto `path`.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it over `path`:
/// readers see the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_contract() {
        let lake = Lake::new("/l");
        let ym = YearMonth {
            year: 2024,
            month: 9,
        };
        assert_eq!(
            lake.bronze(ym),
            Path::new("/l/bronze/year=2024/month=09/part-0.parquet")
        );
        assert_eq!(
            lake.gold(GoldTable::CellDay, 10, ym),
            Path::new("/l/gold/cell_day/res=10/year=2024/month=09/part-0.parquet")
        );
        assert_eq!(
            lake.drill(7),
            Path::new("/l/gold/drill/res=7/part-0.parquet")
        );
        assert_eq!(
            lake.labels(9),
            Path::new("/l/gold/labels/res=9/part-0.parquet")
        );
    }

    #[test]
    fn months_are_listed_and_atomic_writes_replace() {
        let dir = std::env::temp_dir().join(format!("hotspot-lake-test-{}", std::process::id()));
        let lake = Lake::new(&dir);
        for ym in [
            YearMonth {
                year: 2024,
                month: 10,
            },
            YearMonth {
                year: 2023,
                month: 1,
            },
        ] {
            write_atomic(&lake.bronze(ym), b"x").expect("write");
        }
        // A directory without a part file is not a partition.
        fs::create_dir_all(dir.join("bronze/year=2025/month=01")).expect("mkdir");
        let months = lake.bronze_months().expect("list");
        assert_eq!(
            months,
            vec![
                YearMonth {
                    year: 2023,
                    month: 1
                },
                YearMonth {
                    year: 2024,
                    month: 10
                }
            ]
        );
        let p = lake.bronze(months[0]);
        write_atomic(&p, b"new").expect("rewrite");
        assert_eq!(fs::read(&p).expect("read"), b"new");
        assert!(!temp_path(&p).exists());
        // Tables without a manifest: a damaged lake, not an empty one.
        assert!(matches!(
            lake.read_manifest(),
            Err(ManifestError::Missing { .. })
        ));
        let m = Manifest {
            dirty_months: months.clone(),
            ..Default::default()
        };
        lake.write_manifest(&m).expect("write manifest");
        assert_eq!(
            lake.read_manifest().expect("read back").dirty_months,
            months
        );
        fs::remove_dir_all(&dir).expect("cleanup");
    }
}
