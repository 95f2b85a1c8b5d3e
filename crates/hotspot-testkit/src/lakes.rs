//! Lakes from the synthetic city: a deterministic CSV written by `hotspot-synth`, ingested and
//! built in a temporary directory. They need nothing outside the repository, so tests over
//! them run everywhere.

use std::path::PathBuf;

use chrono::NaiveDate;
use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::HeaderStyle;
use hotspot_scope::Engine;
use hotspot_synth::{CityModel, GenerateOptions, GenerateSummary};

/// A generated export and the lake built from it (both removed on drop).
pub struct GeneratedLake {
    dir: tempfile::TempDir,
    /// The CSV the lake was built from.
    pub csv: PathBuf,
    pub lake: Lake,
    pub summary: GenerateSummary,
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub rows: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub seed: u64,
}

impl Spec {
    /// `rows` incidents from `from` to `to` (inclusive) with `seed`.
    pub fn new(rows: u64, from: (i32, u32, u32), to: (i32, u32, u32), seed: u64) -> Self {
        let day = |(y, m, d): (i32, u32, u32)| {
            NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
        };
        Self {
            rows,
            from: day(from),
            to: day(to),
            seed,
        }
    }
}

impl GeneratedLake {
    /// Generates the export and builds its lake.
    ///
    /// # Panics
    /// When generating, ingesting or building fails: the fixture is broken, not the test.
    pub fn build(spec: Spec) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let csv = dir.path().join("generated.csv");
        let model = CityModel::embedded().unwrap_or_else(|e| panic!("city model: {e}"));
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display())),
        );
        let summary = hotspot_synth::generate(
            &model,
            &GenerateOptions {
                rows: spec.rows,
                from: spec.from,
                to: spec.to,
                seed: spec.seed,
                style: HeaderStyle::Export,
            },
            &mut out,
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("generate: {e}"));
        drop(out);
        let lake = Lake::new(dir.path().join("lake"));
        hotspot_pipeline::ingest(&lake, std::slice::from_ref(&csv), &NoProgress)
            .unwrap_or_else(|e| panic!("ingest: {e}"));
        hotspot_pipeline::build(&lake, &Default::default(), &NoProgress)
            .unwrap_or_else(|e| panic!("build: {e}"));
        Self {
            dir,
            csv,
            lake,
            summary,
        }
    }

    /// Opens the lake's scope engine.
    pub fn engine(&self) -> Engine {
        Engine::open(&self.lake).unwrap_or_else(|e| panic!("opening the generated lake: {e}"))
    }

    /// The temporary directory holding the CSV and the lake.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}
