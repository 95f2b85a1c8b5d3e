//! `hotspot render` (a headless map PNG), `hotspot console` and `hotspot bench render`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_render::overlay::Overlay;
use hotspot_render::sample::SampleCoverage;
use hotspot_render::{
    ContextLayers, FrameSpec, Headless, HeadlessOptions, Legend, OutsideScope, Theme,
};
use hotspot_scope::{Engine, Metric, Period, Scope, Selection, TableSpec};
use hotspot_script::{Camera, ScriptHost, ViewSpec};

use crate::query::{ScopeArgs, open_engine};

/// `WxH` → (W, H).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .trim()
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("{s:?} is not WIDTHxHEIGHT (e.g. 1920x1080)"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=16384).contains(n))
            .ok_or_else(|| format!("{s:?}: sizes are 1–16384 pixels"))
    };
    Ok((n(w)?, n(h)?))
}

fn parse_metric(s: &str) -> Result<Metric, String> {
    Metric::parse(s).ok_or_else(|| {
        format!(
            "{s:?} is not a metric (incidents, selected, focus_share, arrests, arrest_rate, \
             smoothed_rate, pooled_smoothed, change)"
        )
    })
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeArg {
    Dark,
    Light,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The PNG to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Image size in pixels.
    #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// What colours the cells.
    #[arg(long, value_parser = parse_metric)]
    pub metric: Option<Metric>,
    /// A palette from the scripts' palettes.rhai (default: the metric's).
    #[arg(long)]
    pub palette: Option<String>,
    /// A view script (scripts/views/NAME.rhai): it sets the scope, metric, palette and camera.
    #[arg(long)]
    pub view: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "dark")]
    pub theme: ThemeArg,
    /// The scripts directory (palettes, taxonomy).
    #[arg(long, default_value = "scripts")]
    pub scripts: PathBuf,
    /// MSAA samples (1 or 4).
    #[arg(long, default_value_t = 4)]
    pub msaa: u32,
}

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// The scripts directory (palettes, taxonomy, views, playlist, quick hits).
    #[arg(long, default_value = "scripts")]
    pub scripts: PathBuf,
    /// Wall-screen mode: fullscreen, large type, no sidebar, cycling the scripted playlist.
    #[arg(long)]
    pub wall: bool,
    /// Start fullscreen.
    #[arg(long)]
    pub fullscreen: bool,
    /// Window size in physical pixels (default: the last size used).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Exit after this many frames once the map shows data (tests).
    #[arg(long)]
    pub exit_after_frames: Option<u64>,
    /// Save the last frame as PNG, then exit (tests; default 3 frames).
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
}

/// Opens the console window.
pub fn console(lake: &Lake, args: ConsoleArgs, started: Instant) -> Result<()> {
    let mut options = hotspot_console::ConsoleOptions::new(lake.root());
    options.scripts = args.scripts;
    options.wall = args.wall;
    options.fullscreen = args.fullscreen;
    options.size = args.size;
    options.exit_after_frames = args.exit_after_frames;
    options.screenshot = args.screenshot;
    options.started = started;
    hotspot_console::run(options).context("the console failed")
}

/// Context layers (footprint, district and community-area outlines) from the lake's cells.
fn context_layers(engine: &Engine) -> Result<ContextLayers> {
    let cells = hotspot_console::context_cells(engine)?;
    ContextLayers::from_cells(&cells).context("cannot build the district outlines")
}

fn headless(msaa: u32) -> Result<Headless> {
    Headless::new(HeadlessOptions {
        msaa,
        ..HeadlessOptions::default()
    })
    .context("cannot render")
}

/// `hotspot render`: the scope's map as a PNG (coverage, values, legend, context layers).
pub fn render(lake: &Lake, args: RenderArgs) -> Result<()> {
    let started = Instant::now();
    let engine = open_engine(lake)?;
    // The view's own scripts directory (the parent of views/), else --scripts.
    let scripts_dir = match &args.view {
        Some(v) => {
            let parent = v.parent().unwrap_or(Path::new("."));
            if parent.file_name().is_some_and(|n| n == "views") {
                parent.parent().unwrap_or(parent).to_path_buf()
            } else {
                parent.to_path_buf()
            }
        }
        None => args.scripts.clone(),
    };
    let host = ScriptHost::open(&scripts_dir);
    for e in host.errors() {
        eprintln!("warning: {e}");
    }
    let spec: Option<ViewSpec> = match &args.view {
        Some(path) => Some(
            host.view_file(path, engine.date_range())
                .with_context(|| format!("cannot load the view {}", path.display()))?,
        ),
        None => None,
    };
    let (scope, default_metric, view_palette, camera, title) = match &spec {
        Some(s) => (
            s.scope.clone(),
            s.metric,
            Some(s.palette.clone()),
            s.camera,
            Some(s.title.clone()),
        ),
        None => {
            let scope = args.scope.scope(&engine)?;
            let metric = if scope.selection.is_active() {
                Metric::Selected
            } else {
                Metric::Incidents
            };
            (scope, metric, None, Camera::Citywide, None)
        }
    };
    if let Some(note) = spec.as_ref().and_then(|s| s.note.as_ref()) {
        eprintln!("note: {note}");
    }
    let metric = args.metric.unwrap_or(default_metric);
    let palette = match args.palette.as_ref().or(view_palette.as_ref()) {
        Some(name) => host.palette(name).with_context(|| {
            format!(
                "no palette {name:?} in {} (palettes: {})",
                scripts_dir.display(),
                host.palettes()
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?,
        None => host.palette_for(metric),
    };
    let taxonomy = host.taxonomy();
    let result = engine.query(&scope, &taxonomy)?;
    let res = result.scope.res;
    let (w, h) = args.size;

    let mut hl = headless(args.msaa)?;
    let map = &mut hl.map;
    map.set_coverage(res, engine.coverage(res)?)?;
    map.set_resolution(res)?;
    map.set_palette(&palette)?;
    map.set_value_kind(Some(hotspot_script::value_kind(metric)));
    let cells: &[u64] = result.cells.cell.values();
    map.set_values(res, cells, &result.cells.metric(metric))?;
    if !result.scope.drill.is_empty() {
        map.set_scope_mask(res, Some(cells), OutsideScope::Dim)?;
    }
    map.set_selected(result.drill.target);
    map.set_theme(match args.theme {
        ThemeArg::Dark => Theme::Dark,
        ThemeArg::Light => Theme::Light,
    });
    map.set_context(context_layers(&engine)?)?;

    let mut legend = Legend::new(metric.title(), palette, map.domain());
    legend.percent = matches!(
        metric,
        Metric::FocusShare | Metric::ArrestRate | Metric::SmoothedRate | Metric::PooledSmoothed
    );
    legend.caption_suffix = Some(format!(
        "Resolution {} {}.",
        hotspot_core::res::display(res),
        hotspot_core::res::size_text(res)
    ));
    let focus = result
        .drill
        .breadcrumbs
        .last()
        .map_or_else(|| "Citywide".to_string(), |c| c.label.clone());
    let frame = FrameSpec {
        overlay: Overlay {
            title: Some(
                title.unwrap_or_else(|| format!("{} · {focus}", hotspot_core::res::name(res))),
            ),
            subtitle: Some(format!(
                "{} · {}{}",
                result.period_label,
                hotspot_core::res::display(res),
                selection_text(&result)
            )),
            legend: Some(legend),
            labels: true,
        },
        ..FrameSpec::new(w, h)
    };
    // The camera: the view's, else the drilled cells or the whole coverage.
    let fit: Vec<u64> = match camera {
        Camera::Cell(c) => vec![c],
        Camera::District(d) => {
            let ix = engine.index().at(10)?;
            ix.cells
                .iter()
                .zip(&ix.district)
                .filter(|(_, dd)| **dd == Some(d))
                .map(|(c, _)| *c)
                .collect()
        }
        Camera::Citywide if !result.scope.drill.is_empty() => cells.to_vec(),
        Camera::Citywide => Vec::new(),
    };
    hl.fit(&frame, &fit);
    if let Camera::Cell(_) = camera {
        hl.map.camera.zoom -= 2.0;
    }
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    hl.render_png(&frame, &args.out)
        .with_context(|| format!("cannot render {}", args.out.display()))?;
    println!(
        "wrote {} ({w}×{h}, {} cells with data of {} at {}, {}) in {:.1} s on {}",
        args.out.display(),
        thousands(result.cells.len() as u64),
        thousands(engine.coverage(res)?.len() as u64),
        hotspot_core::res::display(res),
        metric.title(),
        started.elapsed().as_secs_f64(),
        hl.gpu.describe()
    );
    Ok(())
}

/// " · Violent, Property" (categories), " · THEFT" (a few types) or " · 12 offence types".
fn selection_text(result: &hotspot_scope::ScopeResult) -> String {
    if !result.selection_active {
        return String::new();
    }
    let categories = &result.scope.selection.categories;
    let types = &result.selected_types;
    if !categories.is_empty() && result.scope.selection.types.is_empty() {
        format!(" · {}", categories.join(", "))
    } else if types.len() <= 3 {
        format!(" · {}", types.join(", "))
    } else {
        format!(" · {} offence types", types.len())
    }
}

/// `hotspot bench render`: the renderer's figures on the lake's own coverage (geometry build,
/// value update, frame time at r6–r10, 1080p and 4K).
pub fn bench(lake: &Lake, frames: usize, msaa: u32, resolutions: &[u8]) -> Result<()> {
    let engine = open_engine(lake)?;
    let (_, last) = engine.date_range();
    let taxonomy = hotspot_core::taxonomy::Taxonomy::default();
    let mut sample = SampleCoverage::default();
    for res in 6..=10u8 {
        let i = usize::from(res - 6);
        sample.cells[i] = engine.coverage(res)?.to_vec();
        let scope = Scope {
            res,
            period: Period::Range {
                from: last - chrono::Days::new(27),
                to: last,
            },
            selection: Selection::default(),
            drill: Vec::new(),
            focus_dow: None,
            table: TableSpec::default(),
        };
        let r = engine.query(&scope, &taxonomy)?;
        sample.counts[i] = r
            .cells
            .cell
            .values()
            .iter()
            .copied()
            .zip(r.cells.metric(Metric::Incidents))
            .collect();
    }
    if resolutions.iter().any(|r| !(6..=10).contains(r)) {
        bail!("--res takes resolutions 6–10");
    }
    let mut h = headless(msaa)?;
    println!("lake {}: {}", lake.root().display(), h.gpu.describe());
    let sizes = [(1920, 1080), (3840, 2160)];
    for size in sizes {
        let t = hotspot_render::bench::empty_frame_ms(&mut h, size, frames)?;
        println!("empty frame {}x{}: {t:.1} ms", size.0, size.1);
    }
    let rows = hotspot_render::bench::run(&mut h, &sample, &sizes, frames, resolutions)?;
    print!(
        "{}",
        hotspot_render::bench::table(&h.gpu.describe(), h.msaa(), &rows)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_metrics_parse() {
        assert_eq!(parse_size("3840x2160"), Ok((3840, 2160)));
        assert_eq!(parse_size(" 640 X 480 "), Ok((640, 480)));
        assert!(parse_size("1920").is_err());
        assert!(parse_size("0x10").is_err());
        assert_eq!(parse_metric("focus_share"), Ok(Metric::FocusShare));
        assert_eq!(parse_metric("arrest-rate"), Ok(Metric::ArrestRate));
        assert!(parse_metric("nope").is_err());
    }
}
