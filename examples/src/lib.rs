//! hotspot-examples holds the small programs in `examples/` (`cargo run -p hotspot-examples
//! --example scope`, `render_view`, `script`) and the one thing they share: a lake to run
//! on. Pass a lake directory as the first argument, or let [`lake_or_demo`] build a small
//! synthetic one (a quarter of 2024, a few seconds) in a temporary directory.

use std::path::PathBuf;

use chrono::NaiveDate;
use hotspot_core::Lake;
use hotspot_core::progress::NoProgress;
use hotspot_core::socrata::HeaderStyle;

/// What [`lake_or_demo`] hands out: the lake, and the temporary directory holding it when it
/// was generated (removed when dropped).
pub struct ExampleLake {
    pub lake: Lake,
    _dir: Option<std::path::PathBuf>,
}

impl Drop for ExampleLake {
    fn drop(&mut self) {
        if let Some(dir) = &self._dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The lake named by the first command-line argument, else a freshly generated one: 40,000
/// synthetic incidents of January–March 2024 built into a directory under the system's
/// temporary directory.
pub fn lake_or_demo() -> Result<ExampleLake, Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::args_os().nth(1) {
        return Ok(ExampleLake {
            lake: Lake::new(PathBuf::from(dir)),
            _dir: None,
        });
    }
    let dir = std::env::temp_dir().join(format!("hotspot-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("city.csv");
    let model = hotspot_synth::CityModel::embedded()?;
    let options = hotspot_synth::GenerateOptions {
        rows: 40_000,
        from: NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?,
        to: NaiveDate::from_ymd_opt(2024, 3, 31).ok_or("date")?,
        seed: 42,
        style: HeaderStyle::Export,
    };
    hotspot_synth::generate_to_path(&model, &options, &csv, &NoProgress)?;
    let lake = Lake::new(dir.join("lake"));
    hotspot_pipeline::ingest(&lake, &[csv], &NoProgress)?;
    hotspot_pipeline::build(&lake, &Default::default(), &NoProgress)?;
    eprintln!("built a demo lake in {}", lake.root().display());
    Ok(ExampleLake {
        lake,
        _dir: Some(dir),
    })
}

/// The repository's `scripts/` directory.
pub fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts")
}
