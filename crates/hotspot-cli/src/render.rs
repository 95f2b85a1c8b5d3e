//! `hotspot render`: a scope's map as a PNG without a window, through the same present path
//! as the console (`hotspot-present`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hotspot_core::Lake;
use hotspot_core::fmt::thousands;
use hotspot_present::{HeadlessView, Overlay, captions, context_layers, present};
use hotspot_render::gpu::AdapterPreference;
use hotspot_render::{FrameSpec, HeadlessOptions, Theme};
use hotspot_scope::{Metric, Period};
use hotspot_script::{Camera, ScriptHost, ViewSpec};

use crate::query::{ScopeArgs, open_engine};

/// The largest image side `--size` accepts.
pub const MAX_SIDE: u32 = 16_384;

/// `WxH` → (W, H), each 1–16384 pixels.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .trim()
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("{s:?} is not WIDTHxHEIGHT (e.g. 1920x1080)"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SIDE).contains(n))
            .ok_or_else(|| format!("{s:?}: sizes are 1–{MAX_SIDE} pixels"))
    };
    Ok((n(w)?, n(h)?))
}

fn parse_metric(s: &str) -> Result<Metric, String> {
    Metric::parse(s).ok_or_else(|| {
        let names: Vec<String> = Metric::ALL
            .iter()
            .filter_map(|m| serde_json::to_value(m).ok())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        format!("{s:?} is not a metric ({})", names.join(", "))
    })
}

/// `1` or `4`.
pub fn parse_msaa(s: &str) -> Result<u32, String> {
    match s.trim() {
        "1" => Ok(1),
        "4" => Ok(4),
        _ => Err(format!("{s:?}: MSAA is 1 or 4 samples")),
    }
}

/// Which GPU adapter draws.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterArg {
    /// A discrete or integrated GPU when there is one, else the software rasteriser.
    Hardware,
    /// The software rasteriser (lavapipe) when installed: the same pixels on every machine.
    Software,
}

impl From<AdapterArg> for AdapterPreference {
    fn from(a: AdapterArg) -> Self {
        match a {
            AdapterArg::Hardware => AdapterPreference::Hardware,
            AdapterArg::Software => AdapterPreference::Software,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeArg {
    Dark,
    Light,
}

impl From<ThemeArg> for Theme {
    fn from(t: ThemeArg) -> Self {
        match t {
            ThemeArg::Dark => Theme::Dark,
            ThemeArg::Light => Theme::Light,
        }
    }
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
    /// A GeoJSON file drawn over the cells (lines, polygon outlines, points, labels from a
    /// `name` property); repeat for more. A file that cannot be used is an error.
    #[arg(long = "layer", value_name = "FILE")]
    pub layers: Vec<PathBuf>,
    /// Leave out the street lines and names (drawn from district scale down by default).
    #[arg(long)]
    pub no_streets: bool,
    /// Community-area outlines too (a view's `context` setting also turns them on).
    #[arg(long)]
    pub community_areas: bool,
    /// Ward outlines and names.
    #[arg(long)]
    pub wards: bool,
    /// Police-beat outlines (named from district scale down).
    #[arg(long)]
    pub beats: bool,
    /// Cell opacity, 0.2–1 (lower shows more of the streets under the cells).
    #[arg(long, default_value_t = 0.92, value_parser = parse_opacity)]
    pub cell_opacity: f32,
    /// With --metric emerging: steps of a week or a month (default: months when the period
    /// holds three or more whole ones, else weeks; a view's `emerging` setting wins). With
    /// --animate: the step between frames, day to year (default: weeks for a period of up to
    /// four months, else months).
    #[arg(long, value_enum)]
    pub step: Option<TimeStepArg>,
    #[arg(long, value_enum, default_value = "dark")]
    pub theme: ThemeArg,
    /// The scripts directory (palettes, taxonomy); default ./scripts if there is one, else the
    /// built-ins. With --view: the scripts directory the view is in.
    #[arg(long)]
    pub scripts: Option<PathBuf>,
    /// MSAA samples (1 or 4).
    #[arg(long, default_value = "4", value_parser = parse_msaa)]
    pub msaa: u32,
    /// Which adapter draws.
    #[arg(long, value_enum, default_value = "hardware")]
    pub adapter: AdapterArg,
    #[command(flatten)]
    pub basemap: crate::basemap::BasemapArgs,
    #[command(flatten)]
    pub animate: crate::animate::AnimateArgs,
    /// Period B against period A: the map shows each cell's change (B − A, a diverging
    /// palette) with the cells whose change is significant (exact binomial test given the
    /// periods' lengths, 5 % false-discovery rate) in full and the rest dimmed. Each period is
    /// a month (2024-08) or a range (2024-08-01..2024-08-31).
    #[arg(long, num_args = 2, value_names = ["A", "B"], value_parser = parse_period)]
    pub compare: Option<Vec<Period>>,
    /// With --compare: A on the left and B on the right instead of the change map, one
    /// colour scale and one camera.
    #[arg(long, requires = "compare")]
    pub side_by_side: bool,
}

/// `2024-08` (a month) or `2024-08-01..2024-08-31` (a range, either end may also be a
/// month: its first or last day).
pub fn parse_period(s: &str) -> Result<Period, String> {
    let t = s.trim();
    let day = |x: &str, end: bool| -> Option<chrono::NaiveDate> {
        let x = x.trim();
        if let Ok(d) = chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d") {
            return Some(d);
        }
        let (y, m) = x.split_once('-')?;
        let ym = hotspot_core::YearMonth {
            year: y.parse().ok()?,
            month: m.parse().ok().filter(|m| (1..=12).contains(m))?,
        };
        Some(hotspot_core::time::naive_date(if end {
            ym.end_day() - 1
        } else {
            ym.first_day()
        }))
    };
    let (a, b) = match t.split_once("..") {
        Some((a, b)) => (day(a, false), day(b, true)),
        None => (day(t, false), day(t, true)),
    };
    match (a, b) {
        (Some(from), Some(to)) if from <= to => Ok(Period::Range { from, to }),
        _ => Err(format!(
            "`{s}`: a period is a month (2024-08) or a range of days (2024-08-01..2024-08-31)"
        )),
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeStepArg {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeStepArg {
    fn time(self) -> hotspot_scope::TimeStep {
        match self {
            TimeStepArg::Day => hotspot_scope::TimeStep::Day,
            TimeStepArg::Week => hotspot_scope::TimeStep::Week,
            TimeStepArg::Month => hotspot_scope::TimeStep::Month,
            TimeStepArg::Quarter => hotspot_scope::TimeStep::Quarter,
            TimeStepArg::Year => hotspot_scope::TimeStep::Year,
        }
    }

    fn emerging(self) -> Result<hotspot_scope::Step> {
        match self {
            TimeStepArg::Week => Ok(hotspot_scope::Step::Week),
            TimeStepArg::Month => Ok(hotspot_scope::Step::Month),
            other => bail!(
                "emerging hot spots step by week or month, not by {}",
                other.time().name()
            ),
        }
    }
}

fn parse_opacity(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.2..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: the cell opacity must be between 0.2 and 1")),
    }
}

/// The scripts directory of a view file: the parent of its `views/` directory, else the
/// directory it is in.
fn view_scripts_dir(view: &Path) -> PathBuf {
    let parent = view.parent().unwrap_or(Path::new("."));
    if parent.file_name().is_some_and(|n| n == "views") {
        parent.parent().unwrap_or(parent).to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

/// `hotspot render`: the scope's map as a PNG (coverage, values, legend, context layers).
pub fn render(lake: &Lake, args: RenderArgs) -> Result<()> {
    let started = Instant::now();
    let engine = open_engine(lake)?;
    let scripts_dir = match &args.view {
        Some(v) => view_scripts_dir(v),
        None => crate::scripts::resolve(args.scripts.as_deref())?,
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
    let metric = match (&args.compare, args.metric) {
        (_, Some(m)) => m,
        (Some(_), None) => Metric::Change,
        (None, None) => default_metric,
    };
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
    let mut scope = scope;
    if let Some(ab) = &args.compare {
        scope.period = ab[1].clone();
        scope.compare = Some(ab[0].clone());
    }
    if metric == Metric::HotSpots && scope.hot_spots.is_none() {
        scope.hot_spots = Some(hotspot_scope::HotSpotOptions::default());
    }
    if metric == Metric::Emerging {
        let step = match (args.step, scope.emerging) {
            (Some(s), _) => s.emerging()?,
            (None, Some(e)) => e.step,
            (None, None) => {
                let days = scope
                    .period
                    .intervals()?
                    .iter()
                    .map(|(a, b)| i64::from(b - a + 1))
                    .sum::<i64>();
                if days >= 3 * 31 {
                    hotspot_scope::Step::Month
                } else {
                    hotspot_scope::Step::Week
                }
            }
        };
        scope.emerging = Some(hotspot_scope::EmergingOptions {
            step,
            ..scope.emerging.unwrap_or_default()
        });
    }
    let result = engine.query(&scope, &host.taxonomy())?;
    if metric == Metric::Emerging && result.emerging.is_none() {
        let why = result
            .warnings
            .iter()
            .find(|w| w.kind == hotspot_scope::WarningKind::EmergingUnavailable)
            .map_or("the period cannot be cut into steps", |w| {
                w.message.as_str()
            });
        anyhow::bail!("cannot draw emerging hot spots: {why}");
    }
    let res = result.scope.res;
    let (w, h) = args.size;
    // A view's predicate: its cells drawn in full, the rest dimmed.
    let predicate = spec.as_ref().and_then(|s| s.predicate.clone());
    let mask = match &predicate {
        Some(name) => Some(
            host.predicate(name, &result)
                .with_context(|| format!("the view's predicate `{name}` failed"))?,
        ),
        None => None,
    };
    // Comparing two periods: the significant changes in full, the rest dimmed.
    let (predicate, mask) = match (&args.compare, predicate, mask) {
        (Some(_), _, _) => {
            let cmp = &result.comparison;
            if !cmp.tested {
                eprintln!(
                    "note: the lake does not cover all of {}: changes drawn, not tested",
                    cmp.period_label
                );
                (None, None)
            } else {
                eprintln!(
                    "note: {} cells significantly up and {} down against {} (exact binomial test, 5 % false-discovery rate)",
                    cmp.n_up, cmp.n_down, cmp.period_label
                );
                if args.side_by_side {
                    // Two maps of counts: nothing to dim.
                    (None, None)
                } else {
                    (
                        Some("significant change (5 % FDR)".to_string()),
                        Some(
                            cmp.change_sig
                                .iter()
                                .map(|s| *s != 0)
                                .collect::<Vec<bool>>(),
                        ),
                    )
                }
            }
        }
        (None, p, m) => (p, m),
    };
    let highlight = predicate
        .as_deref()
        .zip(mask.as_deref())
        .map(|(name, mask)| hotspot_present::Highlight { name, mask });

    let mut view = HeadlessView::new(HeadlessOptions {
        msaa: args.msaa,
        adapter: args.adapter.into(),
    })
    .context("cannot render")?;
    let map = view.map();
    map.set_coverage(res, engine.coverage(res)?)?;
    map.set_theme(args.theme.into());
    if let Some(e) = engine.context_error() {
        eprintln!(
            "note: streets or area outlines left out: {e} (run `hotspot build` to rewrite them)"
        );
    }
    map.set_context(context_layers(&engine)?)?;
    let context = spec.as_ref().and_then(|s| s.context.clone());
    map.set_context_visibility(hotspot_render::ContextVisibility {
        streets: !args.no_streets && context.as_ref().is_none_or(|c| c.streets),
        districts: context.as_ref().is_none_or(|c| c.districts),
        community_areas: args.community_areas
            || context.as_ref().is_some_and(|c| c.community_areas),
        wards: args.wards || context.as_ref().is_some_and(|c| c.wards),
        beats: args.beats || context.as_ref().is_some_and(|c| c.beats),
        ..Default::default()
    });
    map.set_opacity(args.cell_opacity);
    let layers = args
        .layers
        .iter()
        .chain(context.iter().flat_map(|c| &c.layers))
        .map(|p| hotspot_present::read_geojson(p))
        .collect::<Result<Vec<_>, _>>()?;
    map.set_overlays(&layers)?;
    let mut shown = present(map, &result, metric, &palette, highlight)?;
    if let Some(h) = &shown.legend.highlight {
        eprintln!("note: {h}");
    }
    if args.side_by_side {
        let palette = host.palette_for(hotspot_present::side_by_side_metric(&result));
        map.set_scope_mask(res, None, hotspot_render::OutsideScope::Dim)?;
        shown.legend = hotspot_present::present_side_by_side(map, &result, &palette)?;
    }
    let mut overlay = Overlay {
        title: Some(title.unwrap_or_else(|| captions::title(&result))),
        subtitle: Some(match &args.compare {
            Some(_) => format!(
                "{} against {} · {}",
                result.period_label,
                result.comparison.period_label,
                hotspot_core::res::display(result.scope.res)
            ),
            None => captions::subtitle(&result),
        }),
        legend: Some(shown.legend),
        labels: true,
        attribution: None,
        stamp: None,
        split: args.side_by_side.then(|| {
            (
                format!("A  {}", result.comparison.period_label),
                format!("B  {}", result.period_label),
            )
        }),
    };
    let frame = FrameSpec::new(w, h);
    // The camera: the view's, else the drilled cells or the whole coverage.
    let cells: &[u64] = result.cells.cell.values();
    let fit: Vec<u64> = match camera {
        Camera::Cell(c) => vec![c],
        Camera::District(d) => engine.district_cells(d)?,
        Camera::Citywide if !result.scope.drill.is_empty() => cells.to_vec(),
        Camera::Citywide => Vec::new(),
    };
    if let Camera::District(d) = camera
        && fit.is_empty()
    {
        bail!("the view's camera is district {d}, which has no cells in this lake");
    }
    if args.side_by_side {
        // Fit into one half: both halves share the camera.
        let half = FrameSpec::new((w / 2).max(1), h);
        // The legend sits over the right half's edge: each half keeps its full width.
        let mut insets = overlay.insets();
        insets.right = 0.0;
        view.headless.fit(&half, &fit, insets);
        view.headless.side_by_side = true;
    } else {
        view.fit(&frame, &overlay, &fit);
    }
    if let Camera::Cell(_) = camera {
        view.map().camera.zoom -= 2.0;
    }
    // The basemap: the command line's, else the view's.
    let view_tiles = context.as_ref().and_then(|c| c.tiles.clone());
    let b = &args.basemap;
    let tiles = match (&b.url, &view_tiles) {
        (Some(url), _) => Some((
            url.clone(),
            b.attribution.clone().unwrap_or_default(),
            b.max_zoom,
        )),
        (None, Some(t)) => Some((
            t.url.clone(),
            b.attribution
                .clone()
                .unwrap_or_else(|| t.attribution.clone()),
            b.max_zoom.or(t.max_zoom),
        )),
        (None, None) => None,
    };
    if let Some((url, attribution, max_zoom)) = tiles {
        let max_zoom = max_zoom.unwrap_or(hotspot_tiles::DEFAULT_MAX_ZOOM);
        let drawn = crate::basemap::draw(view.map(), &url, &attribution, max_zoom, b)
            .context("the basemap cannot be used")?;
        eprintln!("note: {}", drawn.summary);
        overlay.attribution = Some(drawn.attribution);
    }
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if args.animate.animate {
        let days: i64 = scope
            .period
            .intervals()?
            .iter()
            .map(|(a, b)| i64::from(b - a + 1))
            .sum();
        let step = match args.step {
            Some(s) => s.time(),
            None if days <= 122 => hotspot_scope::TimeStep::Week,
            None => hotspot_scope::TimeStep::Month,
        };
        let timeline = hotspot_scope::Timeline {
            step,
            window_days: args.animate.window,
        };
        let matrix = engine
            .timeline(&result.scope, &host.taxonomy(), timeline)
            .context("cannot cut the period into frames")?;
        let legend = hotspot_present::present_timeline(view.map(), &matrix, res, metric, &palette)?;
        overlay.legend = Some(legend);
        let bars = crate::progress::Bars::new(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let n = crate::animate::write(
            &mut view,
            &frame,
            &overlay,
            &matrix,
            &args.animate,
            &args.out,
            &bars,
        )
        .with_context(|| format!("cannot write {}", args.out.display()))?;
        outln!(
            "wrote {} ({n} frames of {w}×{h}: {} {} steps from {} to {}, {}; timeline built in {:.0} ms) in {:.1} s on {}",
            args.out.display(),
            matrix.frames.len(),
            timeline.label(),
            matrix
                .frames
                .first()
                .map(|f| f.from.to_string())
                .unwrap_or_default(),
            matrix
                .frames
                .last()
                .map(|f| f.to.to_string())
                .unwrap_or_default(),
            metric.title(),
            matrix.elapsed_ms,
            started.elapsed().as_secs_f64(),
            view.headless.gpu.describe()
        )?;
        return Ok(());
    }
    view.render_png(&frame, &overlay, &args.out)
        .with_context(|| format!("cannot render {}", args.out.display()))?;
    outln!(
        "wrote {} ({w}×{h}, {} cells with data of {} at {}, {}) in {:.1} s on {}",
        args.out.display(),
        thousands(result.cells.len() as u64),
        thousands(engine.coverage(res)?.len() as u64),
        hotspot_core::res::display(res),
        if args.side_by_side {
            "side by side"
        } else {
            metric.title()
        },
        started.elapsed().as_secs_f64(),
        view.headless.gpu.describe()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_metrics_and_msaa_parse() {
        assert_eq!(parse_size("3840x2160"), Ok((3840, 2160)));
        assert_eq!(parse_size(" 640 X 480 "), Ok((640, 480)));
        assert_eq!(parse_size("16384×1"), Ok((16384, 1)));
        assert!(parse_size("1920").is_err());
        assert!(parse_size("0x10").is_err());
        assert!(parse_size("16385x10").is_err());
        assert!(parse_size("-5x10").is_err());
        assert_eq!(parse_metric("focus_share"), Ok(Metric::FocusShare));
        assert_eq!(parse_metric("arrest-rate"), Ok(Metric::ArrestRate));
        let e = parse_metric("nope").err().unwrap_or_default();
        assert!(e.contains("pooled_smoothed"), "{e}");
        assert_eq!(parse_msaa("4"), Ok(4));
        assert_eq!(parse_msaa("1"), Ok(1));
        assert!(parse_msaa("2").is_err() && parse_msaa("8").is_err());
    }

    #[test]
    fn periods_parse_as_months_or_ranges() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let range = |a, b| Period::Range { from: a, to: b };
        assert_eq!(
            parse_period("2024-02"),
            Ok(range(d(2024, 2, 1), d(2024, 2, 29)))
        );
        assert_eq!(
            parse_period("2024-08-05..2024-08-11"),
            Ok(range(d(2024, 8, 5), d(2024, 8, 11)))
        );
        assert_eq!(
            parse_period("2023-11..2024-01"),
            Ok(range(d(2023, 11, 1), d(2024, 1, 31)))
        );
        for bad in ["2024-13", "last week", "2024-08-11..2024-08-05", ""] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_views_scripts_are_beside_its_views_directory() {
        assert_eq!(
            view_scripts_dir(Path::new("scripts/views/a.rhai")),
            PathBuf::from("scripts")
        );
        assert_eq!(
            view_scripts_dir(Path::new("/x/my.rhai")),
            PathBuf::from("/x")
        );
    }
}
