//! The pipeline commands: ingest, build, status, generate, demo, model.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_core::socrata::HeaderStyle;
use hotspot_core::time::YearMonth;
use hotspot_pipeline::{BuildOptions, MonthSelection};

use crate::progress::Bars;
use crate::report;

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Derive a city model from real exports (aggregate statistics only, no records).
    Derive {
        /// Socrata CSV exports to learn from.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Where to write the model (JSON).
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn ingest(lake: &Lake, files: &[PathBuf], then_build: bool, bars: &Bars) -> Result<()> {
    let outcome = hotspot_pipeline::ingest(lake, files, bars).context("ingest failed")?;
    report::ingest(&outcome.run, &outcome.quarantine_sample)?;
    if then_build {
        build(lake, None, None, false, bars)?;
    }
    Ok(())
}

pub fn build(
    lake: &Lake,
    year: Option<i32>,
    month: Option<u8>,
    all: bool,
    bars: &Bars,
) -> Result<()> {
    let months = match (year, month, all) {
        (_, _, true) => MonthSelection::All,
        (Some(y), Some(m), _) => MonthSelection::Month(
            YearMonth::new(y, m).with_context(|| format!("--month {m} is not 1–12"))?,
        ),
        (Some(y), None, _) => MonthSelection::Year(y),
        (None, _, _) => MonthSelection::Dirty,
    };
    let outcome = hotspot_pipeline::build(
        lake,
        &BuildOptions {
            months,
            ..Default::default()
        },
        bars,
    )
    .context("build failed")?;
    report::build(&outcome.info)?;
    Ok(())
}

/// `hotspot status [--repair]`: what the lake holds, after checking it against its manifest.
/// A damaged lake is an error (non-zero exit) with what to do about it.
pub fn status_with(lake: &Lake, repair: bool) -> Result<()> {
    if repair {
        let removed = hotspot_pipeline::verify::repair(lake)?;
        if removed.is_empty() {
            outln!("nothing to repair: no leftovers of killed runs")?;
        } else {
            outln!("removed {}", removed.join(", "))?;
        }
    }
    let check = hotspot_pipeline::verify::verify(lake)?;
    let manifest = lake.read_manifest()?;
    report::status(lake, &manifest, &check)?;
    if check.damaged() {
        bail!(
            "the lake at {} is damaged: see above for what to do",
            lake.root().display()
        );
    }
    Ok(())
}

/// The lake summary after a command that wrote it.
pub fn status(lake: &Lake) -> Result<()> {
    status_with(lake, false)
}

fn check_range(rows: u64, from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    if rows == 0 {
        bail!("--rows must be at least 1");
    }
    Ok(())
}

pub fn generate(
    rows: u64,
    from: NaiveDate,
    to: NaiveDate,
    seed: u64,
    api_style: bool,
    out: &Path,
    bars: &Bars,
) -> Result<()> {
    check_range(rows, from, to)?;
    let model =
        hotspot_synth::CityModel::embedded().context("the embedded city model is unreadable")?;
    let options = hotspot_synth::GenerateOptions {
        rows,
        from,
        to,
        seed,
        style: if api_style {
            HeaderStyle::Api
        } else {
            HeaderStyle::Export
        },
    };
    let started = std::time::Instant::now();
    let summary = hotspot_synth::generate_to_path(&model, &options, out, bars)
        .with_context(|| format!("cannot write {}", out.display()))?;
    outln!(
        "wrote {} rows to {} in {:.1} s ({} duplicates, {} without coordinates, {} homicides)",
        thousands(summary.rows),
        out.display(),
        started.elapsed().as_secs_f64(),
        thousands(summary.duplicates),
        thousands(summary.without_coordinates),
        thousands(summary.homicides)
    )?;
    Ok(())
}

pub fn demo(
    lake: &Lake,
    rows: u64,
    from: NaiveDate,
    to: NaiveDate,
    seed: u64,
    fresh: bool,
    bars: &Bars,
) -> Result<()> {
    check_range(rows, from, to)?;
    let manifest = lake.read_manifest()?;
    let has_data = manifest.build.is_some() && !manifest.bronze_months.is_empty();
    // Only a lake is cleared: with a mistyped --lake, --fresh must not delete a directory of
    // other things (ingest then refuses it too).
    if fresh && lake.exists() {
        std::fs::remove_dir_all(lake.root())
            .with_context(|| format!("cannot clear {}", lake.root().display()))?;
    }
    if fresh || !has_data {
        outln!(
            "Generating a synthetic Chicago: {} incidents, {from} … {to} (seed {seed})",
            thousands(rows)
        )?;
        std::fs::create_dir_all(lake.root())?;
        let scratch = tempfile::Builder::new()
            .prefix("_demo-city-")
            .tempdir_in(lake.root())
            .context("cannot create a scratch directory in the lake")?;
        let csv = scratch.path().join("chicago-synthetic.csv");
        generate(rows, from, to, seed, false, &csv, bars)?;
        ingest(lake, &[csv], false, bars)?;
        build(lake, None, None, false, bars)?;
    } else {
        outln!("Using the existing lake (pass --fresh to regenerate).")?;
        if !manifest.dirty_months.is_empty() {
            build(lake, None, None, false, bars)?;
        }
    }
    outln!()?;
    status(lake)
}

pub fn model(what: ModelCommand) -> Result<()> {
    match what {
        ModelCommand::Derive { inputs, out } => {
            let model =
                hotspot_synth::CityModel::derive(&inputs).context("cannot derive a city model")?;
            let json = model.to_json().context("cannot serialise the model")?;
            hotspot_core::lake::write_atomic(&out, json.as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
            outln!(
                "wrote {} ({} bytes)",
                out.display(),
                thousands(json.len() as u64)
            )?;
            Ok(())
        }
    }
}

pub fn fetch(lake: &Lake, options: &hotspot_fetch::FetchOptions, bars: &Bars) -> Result<()> {
    let outcome = hotspot_fetch::fetch(lake, options, bars).context("fetch failed")?;
    outln!(
        "{:?} run{}: {} page(s), {} rows downloaded in {:.1} s ({} requests, {} retries, {:.1} MB)",
        outcome.kind,
        if outcome.resumed {
            format!(
                " (resumed, {} page(s) already saved)",
                outcome.pages_resumed
            )
        } else {
            String::new()
        },
        thousands(outcome.pages_fetched),
        thousands(outcome.rows_fetched),
        outcome.seconds,
        thousands(outcome.traffic.requests),
        thousands(outcome.traffic.retries),
        outcome.traffic.bytes as f64 / 1e6
    )?;
    if let Some(hw) = &outcome.high_water {
        outln!("high-water mark: updated_on {hw}")?;
    }
    match &outcome.ingest {
        Some(i) => report::ingest(&i.run, &i.quarantine_sample)?,
        None => outln!("nothing changed upstream")?,
    }
    if let Some(b) = &outcome.build {
        report::build(&b.info)?;
    }
    Ok(())
}
