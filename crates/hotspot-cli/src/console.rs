//! `hotspot console`: the analyst window (and the wall), handed to `hotspot-console`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use hotspot_core::Lake;

use crate::render::parse_size;

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// The scripts directory (palettes, taxonomy, views, playlist, quick hits); default
    /// ./scripts if there is one, else the built-ins.
    #[arg(long)]
    pub scripts: Option<PathBuf>,
    /// Wall-screen mode: fullscreen, large type, no sidebar, cycling the scripted playlist.
    #[arg(long)]
    pub wall: bool,
    /// How far the wall's farthest viewer sits (6m, 450cm, 20ft): type on the wall is sized
    /// so that text is read from at most 150 times its height.
    #[arg(long, value_name = "LENGTH", value_parser = hotspot_console::ui::wall::parse_length_m, default_value = "6m")]
    pub wall_distance: f32,
    /// How tall the wall's picture is (all monitors of a spanned wall), as --wall-distance.
    #[arg(long, value_name = "LENGTH", value_parser = hotspot_console::ui::wall::parse_length_m, default_value = "1.4m")]
    pub wall_height: f32,
    /// Fullscreen on this monitor (0 first; an unknown number lists the monitors).
    #[arg(long, value_name = "N", conflicts_with = "span")]
    pub monitor: Option<usize>,
    /// One borderless window across all monitors (a wall of several panels).
    #[arg(long)]
    pub span: bool,
    /// The wall's playlist from this file instead of scripts/playlist.rhai (same format), so
    /// each monitor's wall process can run its own.
    #[arg(long, value_name = "FILE")]
    pub playlist: Option<PathBuf>,
    /// Where fired alerts are appended as JSON lines (default: alerts.jsonl beside the
    /// console's settings).
    #[arg(long, value_name = "FILE", conflicts_with = "no_alert_log")]
    pub alert_log: Option<PathBuf>,
    /// Keep no audit log (alerts still show, and fire once per run).
    #[arg(long)]
    pub no_alert_log: bool,
    /// How often the alert rules (scripts/alerts.rhai) are evaluated; they also run after
    /// every lake update.
    #[arg(long, value_name = "DURATION", value_parser = hotspot_fetch::parse_every, default_value = "60s")]
    pub alert_every: std::time::Duration,
    /// A GeoJSON file drawn over the cells (lines, polygon outlines, points, labels from a
    /// `name` property); repeat for more.
    #[arg(long = "layer", value_name = "FILE")]
    pub layers: Vec<PathBuf>,
    /// An XYZ tile URL template for the basemap (kept in the settings, as if chosen in the
    /// sidebar). Nothing is fetched unless a URL is set here, in the sidebar or in a view.
    #[arg(long = "tiles", value_name = "URL")]
    pub tiles: Option<String>,
    /// The attribution the tiles' licence asks for (with --tiles).
    #[arg(long = "tile-attribution", value_name = "TEXT", default_value = "")]
    pub tile_attribution: String,
    /// The deepest zoom the tile server serves (with --tiles).
    #[arg(long = "tile-max-zoom", value_name = "Z", default_value_t = hotspot_tiles::DEFAULT_MAX_ZOOM)]
    pub tile_max_zoom: u8,
    /// Where basemap tiles are cached (default: the platform's cache folder).
    #[arg(long = "tile-cache", value_name = "DIR")]
    pub tile_cache: Option<PathBuf>,
    /// Draw basemap tiles from the cache only (an offline ops room); send no request.
    #[arg(long)]
    pub offline_tiles: bool,
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
    options.scripts = crate::scripts::resolve(args.scripts.as_deref())?;
    options.wall = args.wall;
    options.screen = match (args.monitor, args.span) {
        (Some(n), _) => hotspot_console::Screen::Monitor(n),
        (None, true) => hotspot_console::Screen::Span,
        (None, false) => hotspot_console::Screen::Primary,
    };
    if let Some(p) = &args.playlist
        && !p.is_file()
    {
        anyhow::bail!("--playlist {}: no such file", p.display());
    }
    options.playlist = args.playlist;
    if args.no_alert_log {
        options.alert_log = None;
    } else if let Some(p) = args.alert_log {
        options.alert_log = Some(p);
    }
    options.alert_every = args.alert_every;
    options.wall_scale = hotspot_console::ui::wall::WallScale {
        distance_m: args.wall_distance,
        height_m: args.wall_height,
    };
    options.layers = args.layers;
    if let Some(url) = args.tiles {
        // Checked here so a typo is an error at the prompt, not a status line in the window.
        hotspot_tiles::TileSource::new(&url, &args.tile_attribution, args.tile_max_zoom)?;
        options.basemap = Some((url, args.tile_attribution, args.tile_max_zoom));
    }
    options.tile_cache = args.tile_cache;
    options.offline_tiles = args.offline_tiles;
    options.fullscreen = args.fullscreen;
    options.size = args.size;
    options.exit_after_frames = args.exit_after_frames;
    options.screenshot = args.screenshot;
    options.started = started;
    hotspot_console::run(options).context("the console failed")
}
