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

/// `hotspot fetch`: one run, or with `every` the sync loop (one line per run).
pub fn fetch(
    lake: &Lake,
    options: &hotspot_fetch::FetchOptions,
    every: Option<&hotspot_fetch::EveryOptions>,
    bars: &Bars,
) -> Result<()> {
    if let Some(every) = every {
        return fetch_every(lake, options, every, bars);
    }
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

/// `hotspot fetch --every`: runs until Ctrl+C / SIGTERM (or the hidden `--cycles`), one line per
/// run; a failed run is reported and retried, never the end of the loop.
fn fetch_every(
    lake: &Lake,
    options: &hotspot_fetch::FetchOptions,
    every: &hotspot_fetch::EveryOptions,
    bars: &Bars,
) -> Result<()> {
    let stop = hotspot_fetch::StopFlag::on_signals()
        .context("cannot handle Ctrl+C and SIGTERM for the sync loop")?;
    let mut sleeper = hotspot_fetch::ThreadSleeper::new(stop.clone());
    outln!(
        "syncing {} every {} (Ctrl+C or SIGTERM stops it; a second one at once)",
        options.dataset,
        span(every.every)
    )?;
    // Standard output gone (`| head`): stop the loop and report it as the one-shot fetch would.
    let mut write_error: Option<std::io::Error> = None;
    let summary = hotspot_fetch::fetch_every(lake, options, every, bars, &mut sleeper, |r| {
        if write_error.is_none()
            && let Err(e) = outln!("{}", cycle_line(r))
        {
            write_error = Some(e);
            stop.request();
        }
    })
    .context("fetch failed")?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    outln!(
        "sync {} after {} run(s): {} ok, {} failed, {} rows downloaded",
        if summary.stopped { "stopped" } else { "ended" },
        thousands(summary.cycles),
        thousands(summary.ok),
        thousands(summary.failed),
        thousands(summary.rows_fetched)
    )?;
    Ok(())
}

/// One run of the sync loop in a line.
fn cycle_line(
    r: &hotspot_fetch::CycleReport<'_, hotspot_fetch::FetchOutcome, hotspot_fetch::FetchError>,
) -> String {
    let next = match (r.next_in, &r.next_at) {
        (Some(wait), Some(at)) => {
            let verb = if r.result.is_ok() { "next" } else { "retry" };
            format!("; {verb} at {} (in {})", at.format("%H:%M:%S"), span(wait))
        }
        (Some(wait), None) => format!("; next in {}", span(wait)),
        (None, _) => String::new(),
    };
    match r.result {
        Ok(o) => {
            let changed = match &o.ingest {
                Some(i) => format!(
                    ", {} accepted, {} quarantined",
                    thousands(i.run.counts.accepted),
                    thousands(i.run.counts.quarantined)
                ),
                None => ", nothing changed upstream".to_string(),
            };
            let built = o.build.as_ref().map_or(String::new(), |b| {
                format!(", {} month(s) built", b.info.months_built.len())
            });
            format!(
                "cycle {} ok: {:?}{}, {} rows downloaded ({} requests, {} retries){changed}{built} \
                 in {}{next}",
                r.cycle,
                o.kind,
                if o.resumed { " (resumed)" } else { "" },
                thousands(o.rows_fetched),
                thousands(o.traffic.requests),
                thousands(o.traffic.retries),
                span(r.took)
            )
        }
        Err(e) => format!(
            "cycle {} FAILED after {} ({} in a row): {}{next}",
            r.cycle,
            span(r.took),
            r.consecutive_failures,
            hotspot_fetch::every::error_chain(e)
        ),
    }
}

/// A duration for people: `850 ms`, `12.3 s`, `4m05s`, `2h15m`.
fn span(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else if secs >= 1 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}
