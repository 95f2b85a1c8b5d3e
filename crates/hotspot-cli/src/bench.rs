//! `hotspot bench`: figures for the issue notes, printed as a table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_core::socrata::HeaderStyle;
use hotspot_pipeline::BuildOptions;
use hotspot_render::bench::BenchLayer;
use hotspot_render::{Headless, HeadlessOptions};
use hotspot_scope::{Metric, Period, Scope, Selection, TableSpec};

use crate::progress::Bars;
use crate::query::open_engine;
use crate::render::parse_msaa;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Generate N synthetic rows, then time ingest and build with peak memory per stage.
    Pipeline {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value = "2001-01-01")]
        from: NaiveDate,
        #[arg(long, default_value = "2025-12-31")]
        to: NaiveDate,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Work directory (default: a temporary directory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Reuse this CSV instead of generating one.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Time the standard scopes (speed goals of the scope engine) on the lake (--lake).
    Scope {
        /// Repetitions per scope (the median is reported).
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Time the map renderer on the lake's coverage: geometry build, value update and frame
    /// time at r6–r10, 1080p and 4K (on the GPU it finds; lavapipe without one).
    Render {
        /// Timed frames per size (the median is reported).
        #[arg(long, default_value_t = 15)]
        frames: usize,
        /// MSAA samples (1 or 4).
        #[arg(long, default_value = "4", value_parser = parse_msaa)]
        msaa: u32,
        /// Resolutions to time.
        #[arg(long, value_delimiter = ',', default_value = "6,7,8,9,10")]
        res: Vec<u8>,
    },
    /// Time playback over the lake's whole date range: the timeline matrix (every frame ×
    /// cell in one pass), its upload, and the frame time while the map plays, at 1080p.
    Playback {
        /// Timed frames while playing (the median and 95th percentile are reported).
        #[arg(long, default_value_t = 30)]
        frames: usize,
        /// MSAA samples (1 or 4).
        #[arg(long, default_value = "1", value_parser = parse_msaa)]
        msaa: u32,
        /// Resolutions to time.
        #[arg(long, value_delimiter = ',', default_value = "6,7,8,9,10")]
        res: Vec<u8>,
        /// The step between frames: day, week, month, quarter or year.
        #[arg(long, default_value = "month")]
        step: String,
    },
    /// Soak the ops-room wall: run its playlist for minutes with refreshes and alerts
    /// injected, reporting frame-time percentiles and resident memory per window.
    Wall(crate::bench_wall::WallArgs),
}

/// Peak resident memory since the last [`reset_peak`], from `/proc/self/status` (Linux).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the kernel's peak-RSS counter for this process (writes 5 to `clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                dir_bytes(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

pub fn run(lake: &Lake, what: BenchCommand, bars: &Bars) -> Result<()> {
    match what {
        BenchCommand::Pipeline {
            rows,
            from,
            to,
            seed,
            dir,
            csv,
        } => pipeline(rows, from, to, seed, dir, csv, bars),
        BenchCommand::Scope { runs } => scope(lake, runs),
        BenchCommand::Render { frames, msaa, res } => render(lake, frames.max(1), msaa, &res),
        BenchCommand::Playback {
            frames,
            msaa,
            res,
            step,
        } => playback(lake, frames.max(2), msaa, &res, &step),
        BenchCommand::Wall(args) => crate::bench_wall::wall(lake, args),
    }
}

/// `hotspot bench playback`: precompute, upload and playing frame time per resolution.
fn playback(lake: &Lake, frames: usize, msaa: u32, resolutions: &[u8], step: &str) -> Result<()> {
    let engine = open_engine(lake)?;
    let (first, last) = engine.date_range();
    if resolutions.iter().any(|r| !(6..=10).contains(r)) {
        bail!("--res takes resolutions 6–10");
    }
    let step = hotspot_scope::TimeStep::parse(step)
        .with_context(|| format!("`{step}`: the step is day, week, month, quarter or year"))?;
    let timeline = hotspot_scope::Timeline::of(step);
    let taxonomy = hotspot_core::taxonomy::Taxonomy::default();
    let mut h = Headless::new(HeadlessOptions {
        msaa,
        ..HeadlessOptions::default()
    })
    .context("cannot render")?;
    outln!(
        "lake {} ({first} – {last}), {} steps, on {} at MSAA {msaa}x",
        lake.root().display(),
        timeline.label(),
        h.gpu.describe()
    )?;
    outln!(
        "{:<4} {:>8} {:>7} {:>9} {:>13} {:>10} {:>12} {:>14} {:>12}",
        "res",
        "cells",
        "frames",
        "matrix",
        "precompute",
        "upload",
        "first frame",
        "playing p50",
        "p95"
    )?;
    let palette = hotspot_core::palette::Palette::volume();
    for &res in resolutions {
        let scope = Scope::new(res, first, last);
        let mut times = Vec::new();
        let mut matrix = None;
        for _ in 0..3 {
            let t = Instant::now();
            matrix = Some(engine.timeline(&scope, &taxonomy, timeline)?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let matrix = matrix.context("no timeline")?;
        let precompute = hotspot_core::stats::median(&mut times).unwrap_or(f64::NAN);
        let t = Instant::now();
        let geom = std::sync::Arc::new(hotspot_render::CellGeometry::build(
            res,
            engine.coverage(res)?,
        )?);
        h.map.set_geometry(geom);
        let geometry_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        hotspot_present::present_timeline(&mut h.map, &matrix, res, Metric::Incidents, &palette)?;
        let upload = t.elapsed().as_secs_f64() * 1e3;
        h.set_frame(&hotspot_render::FrameSpec::new(1920, 1080));
        let (min, max) = h
            .map
            .geometry(res)
            .map(|g| g.bounds())
            .context("no geometry")?;
        h.map.camera.fit_bounds(min, max, 20.0);
        // From the timeline in hand to the first frame drawn (geometry is built once per
        // resolution and kept, as in the console).
        h.map.set_timeline_position(Some(0.0));
        let first_frame = h.time_map_frame()?.as_secs_f64() * 1e3;
        let n = matrix.frames.len();
        let mut playing: Vec<f64> = (0..frames)
            .map(|k| {
                // Positions between frames, as a 60 Hz display sweeping the timeline would.
                let p = (k as f32 * 0.37) % (n.max(1) as f32);
                h.map.set_timeline_position(Some(p));
                h.time_map_frame().map(|d| d.as_secs_f64() * 1e3)
            })
            .collect::<Result<_, _>>()?;
        playing.sort_by(f64::total_cmp);
        let p95 = playing[((playing.len() - 1) as f64 * 0.95).round() as usize];
        let p50 = hotspot_core::stats::median(&mut playing).unwrap_or(f64::NAN);
        outln!(
            "r{res:<3} {:>8} {:>7} {:>6.1} MB {:>10.1} ms {:>7.1} ms {:>9.1} ms {:>11.1} ms {:>9.1} ms   (geometry {geometry_ms:.0} ms)",
            thousands(matrix.cells.len() as u64),
            n,
            (matrix.selected.len() * 4) as f64 / 1e6,
            precompute,
            upload,
            first_frame,
            p50,
            p95
        )?;
    }
    Ok(())
}

fn scope(lake: &Lake, runs: usize) -> Result<()> {
    reset_peak();
    let t = Instant::now();
    let engine = open_engine(lake)?;
    let load = t.elapsed().as_secs_f64();
    let summary = engine.summary();
    outln!(
        "lake {}: {} records, {} months; loaded in {:.2} s, index ≈ {:.0} MiB, peak RSS {}",
        lake.root().display(),
        thousands(summary.records),
        summary.months,
        load,
        summary.index_bytes as f64 / (1u64 << 20) as f64,
        peak_rss_bytes().map(gib).unwrap_or_default()
    )?;
    let taxonomy = hotspot_core::taxonomy::Taxonomy::default();
    outln!(
        "{:<44} {:>10} {:>10} {:>9}",
        "scope",
        "median ms",
        "p95 ms",
        "cells"
    )?;
    for (name, scope) in hotspot_scope::bench::standard_scopes(&engine) {
        let mut times = Vec::with_capacity(runs);
        let mut cells = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let r = engine.query(&scope, &taxonomy)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            cells = r.cells.len();
        }
        times.sort_by(f64::total_cmp);
        let p95 = times[((times.len() as f64 * 0.95) as usize).min(times.len() - 1)];
        outln!(
            "{name:<44} {:>10.2} {p95:>10.2} {:>9}",
            times[times.len() / 2],
            thousands(cells as u64)
        )?;
    }
    // Hot spots (Gi*, k = 1, FDR) over the whole coverage: the first call builds the
    // neighbourhoods (reported apart), the timed ones reuse them as the console does.
    let (first, last) = engine.date_range();
    let year_ago = (last - chrono::Days::new(364)).max(first);
    for res in [10u8, 9, 8] {
        let scope = hotspot_scope::Scope::new(res, year_ago, last);
        let options = hotspot_scope::HotSpotOptions::default();
        let t = Instant::now();
        let h = engine.hot_spots(&scope, &taxonomy, options)?;
        let cold = t.elapsed().as_secs_f64() * 1000.0;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            engine.hot_spots(&scope, &taxonomy, options)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let p95 = times[((times.len() as f64 * 0.95) as usize).min(times.len() - 1)];
        outln!(
            "{:<44} {:>10.2} {p95:>10.2} {:>9}",
            format!("Gi* 12 months r{res} (first call {cold:.0} ms)"),
            times[times.len() / 2],
            thousands(h.cells.len() as u64)
        )?;
    }
    // Emerging hot spots: four years (or the whole lake) of weekly steps at r9, and the
    // console's default (the last 28 days in weeks) at r10, which every console query runs.
    let options = hotspot_scope::EmergingOptions {
        step: hotspot_scope::Step::Week,
        ..hotspot_scope::EmergingOptions::default()
    };
    let four_years = (last - chrono::Days::new(4 * 365 - 1)).max(first);
    let four_weeks = (last - chrono::Days::new(27)).max(first);
    for (res, from, reps) in [
        (9u8, four_years, runs.clamp(1, 5)),
        (10, four_weeks, runs.max(1)),
    ] {
        let scope = hotspot_scope::Scope::new(res, from, last);
        let mut times = Vec::with_capacity(reps);
        let mut steps = 0;
        for _ in 0..reps {
            let t = Instant::now();
            let e = engine.emerging_hot_spots(&scope, &taxonomy, options)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            steps = e.steps.len();
        }
        times.sort_by(f64::total_cmp);
        outln!(
            "{:<44} {:>10.2} {:>10.2} {:>9}",
            format!("emerging, {steps} weekly steps r{res}"),
            times[times.len() / 2],
            times[times.len() - 1],
            thousands(engine.coverage(res)?.len() as u64)
        )?;
    }
    Ok(())
}

fn pipeline(
    rows: u64,
    from: NaiveDate,
    to: NaiveDate,
    seed: u64,
    dir: Option<PathBuf>,
    csv: Option<PathBuf>,
    bars: &Bars,
) -> Result<()> {
    let scratch;
    let work = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            d
        }
        None => {
            scratch = tempfile::tempdir()?;
            scratch.path().to_path_buf()
        }
    };
    let csv = match csv {
        Some(c) => c,
        None => {
            let path = work.join(format!("bench-{rows}.csv"));
            if !path.exists() {
                let model = hotspot_synth::CityModel::embedded()?;
                let options = hotspot_synth::GenerateOptions {
                    rows,
                    from,
                    to,
                    seed,
                    style: HeaderStyle::Export,
                };
                let t = Instant::now();
                hotspot_synth::generate_to_path(&model, &options, &path, bars)?;
                outln!(
                    "generated {} rows in {:.1} s (not part of the figures below)",
                    thousands(rows),
                    t.elapsed().as_secs_f64()
                )?;
            }
            path
        }
    };
    let csv_bytes = std::fs::metadata(&csv)
        .with_context(|| format!("{}", csv.display()))?
        .len();
    let lake_dir = work.join("lake");
    if lake_dir.exists() {
        std::fs::remove_dir_all(&lake_dir)?;
    }
    let lake = Lake::new(&lake_dir);

    reset_peak();
    let t = Instant::now();
    let ingest = hotspot_pipeline::ingest(&lake, std::slice::from_ref(&csv), bars)?;
    let ingest_s = t.elapsed().as_secs_f64();
    let ingest_peak = peak_rss_bytes();
    let bronze_bytes = dir_bytes(&lake.bronze_dir());

    reset_peak();
    let t = Instant::now();
    let build = hotspot_pipeline::build(&lake, &BuildOptions::default(), bars)?;
    let build_s = t.elapsed().as_secs_f64();
    let build_peak = peak_rss_bytes();

    let read = ingest.run.counts.rows_read as f64;
    outln!()?;
    outln!(
        "pipeline benchmark: {} rows, {:.2} GB CSV, {} cores",
        thousands(ingest.run.counts.rows_read),
        csv_bytes as f64 / 1e9,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    )?;
    outln!("{:<26} {:>9} {:>14}", "stage", "seconds", "rows/s")?;
    for (name, d) in bars.timings() {
        let s = d.as_secs_f64();
        outln!(
            "{name:<26} {s:>9.2} {:>14}",
            thousands((read / s.max(1e-9)) as u64)
        )?;
    }
    outln!(
        "{:<26} {ingest_s:>9.2} {:>14}   peak RSS {}",
        "ingest total",
        thousands((read / ingest_s) as u64),
        ingest_peak.map(gib).unwrap_or_default()
    )?;
    outln!(
        "{:<26} {build_s:>9.2} {:>14}   peak RSS {}",
        "build total",
        thousands((read / build_s) as u64),
        build_peak.map(gib).unwrap_or_default()
    )?;
    outln!(
        "{:<26} {:>9.2} {:>14}",
        "ingest + build",
        ingest_s + build_s,
        thousands((read / (ingest_s + build_s)) as u64)
    )?;
    outln!(
        "reconciliation: read {} = accepted {} + quarantined {} + superseded {}",
        thousands(ingest.run.counts.rows_read),
        thousands(ingest.run.counts.accepted),
        thousands(ingest.run.counts.quarantined),
        thousands(ingest.run.counts.superseded)
    )?;
    outln!(
        "sizes: CSV {}, Bronze {}, whole lake {}; months {}; cells r10 {}",
        gib(csv_bytes),
        gib(bronze_bytes),
        gib(dir_bytes(&lake_dir)),
        build.info.months_built.len(),
        thousands(
            build
                .info
                .cells_per_resolution
                .get(&10)
                .copied()
                .unwrap_or(0)
        )
    )?;
    Ok(())
}

/// `hotspot bench render`: the renderer's figures on the lake's own coverage (geometry build,
/// value update, frame time at r6–r10, 1080p and 4K).
fn render(lake: &Lake, frames: usize, msaa: u32, resolutions: &[u8]) -> Result<()> {
    let engine = open_engine(lake)?;
    let (_, last) = engine.date_range();
    if resolutions.iter().any(|r| !(6..=10).contains(r)) {
        bail!("--res takes resolutions 6–10");
    }
    let taxonomy = hotspot_core::taxonomy::Taxonomy::default();
    let mut layers = Vec::new();
    for &res in resolutions {
        let scope = Scope {
            res,
            period: Period::Range {
                from: last - chrono::Days::new(27),
                to: last,
            },
            selection: Selection::default(),
            drill: Vec::new(),
            focus_dow: None,
            hot_spots: None,
            emerging: None,
            compare: None,
            table: TableSpec::default(),
        };
        let r = engine.query(&scope, &taxonomy)?;
        layers.push(BenchLayer {
            res,
            coverage: engine.coverage(res)?.to_vec(),
            values: r
                .cells
                .cell
                .values()
                .iter()
                .copied()
                .zip(r.cells.metric(Metric::Incidents))
                .collect(),
        });
    }
    let mut h = Headless::new(HeadlessOptions {
        msaa,
        ..HeadlessOptions::default()
    })
    .context("cannot render")?;
    outln!("lake {}: {}", lake.root().display(), h.gpu.describe())?;
    let sizes = [(1920, 1080), (3840, 2160)];
    for size in sizes {
        let t = hotspot_render::bench::empty_frame_ms(&mut h, size, frames)?;
        outln!("empty frame {}x{}: {t:.1} ms", size.0, size.1)?;
    }
    let rows = hotspot_render::bench::run(&mut h, &layers, &sizes, frames)?;
    out!(
        "{}",
        hotspot_render::bench::table(&h.gpu.describe(), h.msaa(), &rows)
    )?;
    // The context layers (outlines and the street skeleton) over the finest resolution
    // benchmarked, citywide and at street scale (Chicago's Loop, 2.5 m a pixel), with and
    // without them; labels are placed on the CPU each frame.
    if let Some(layer) = layers.iter().max_by_key(|l| l.res) {
        let t = Instant::now();
        let context = hotspot_present::context_layers(&engine)?;
        let context_ms = t.elapsed().as_secs_f64() * 1e3;
        let n_streets = context.streets.len();
        let t = Instant::now();
        h.map.set_context(context)?;
        let upload_ms = t.elapsed().as_secs_f64() * 1e3;
        outln!(
            "context: {n_streets} street polylines, built in {context_ms:.0} ms, tessellated and uploaded in {upload_ms:.0} ms"
        )?;
        let geom = h
            .map
            .geometry(layer.res)
            .cloned()
            .context("no geometry for the benchmarked resolution")?;
        outln!(
            "{:<40} {:>12} {:>12} {:>14} {:>10}",
            format!("r{} frame, 1920x1080", layer.res),
            "streets off",
            "streets on",
            "+ tile basemap",
            "labels"
        )?;
        let views: [(&str, Option<f64>); 2] =
            [("citywide", None), ("street scale (Loop)", Some(2.5))];
        for (name, m_per_px) in views {
            h.set_frame(&hotspot_render::FrameSpec::new(1920, 1080));
            let (min, max) = geom.bounds();
            h.map.camera.fit_bounds(min, max, 20.0);
            if let Some(m) = m_per_px {
                // A 1920 × 1080 window of ground at `m` metres a pixel around State and Madison.
                let (lat, lon) = (41.8819f64, -87.6278f64);
                let dlat = 540.0 * m / 111_320.0;
                let dlon = 960.0 * m / (111_320.0 * lat.to_radians().cos());
                let project = hotspot_render::mercator::project;
                h.map.camera.fit_bounds(
                    project(lat - dlat, lon - dlon),
                    project(lat + dlat, lon + dlon),
                    0.0,
                );
            }
            let mut figures = Vec::new();
            // Streets off, on, and on over a raster basemap (every tile of the view resident:
            // what a frame costs once the tiles are in; their pixels do not matter).
            for (on, tiles) in [(false, false), (true, false), (true, true)] {
                let mut v = h.map.context_visibility();
                v.streets = on;
                h.map.set_context_visibility(v);
                if tiles {
                    h.map.set_basemap(Some(19));
                    let grey: Vec<u8> = [200u8, 196, 188, 255].repeat(256 * 256);
                    for t in h.map.wanted_tiles() {
                        h.map.insert_tile(t, 256, 256, &grey)?;
                    }
                }
                h.time_map_frame()?;
                let mut times: Vec<f64> = (0..frames)
                    .map(|_| h.time_map_frame().map(|d| d.as_secs_f64() * 1e3))
                    .collect::<Result<_, _>>()?;
                figures.push(hotspot_core::stats::median(&mut times).unwrap_or(f64::NAN));
                if tiles {
                    h.map.set_basemap(None);
                }
            }
            let t = Instant::now();
            let labels = h.map.labels();
            let labels_ms = t.elapsed().as_secs_f64() * 1e3;
            outln!(
                "{:<40} {:>9.1} ms {:>9.1} ms {:>11.1} ms {:>7.2} ms ({} candidates)",
                format!("  {name}"),
                figures[0],
                figures[1],
                figures[2],
                labels_ms,
                labels.len()
            )?;
        }
    }
    Ok(())
}
