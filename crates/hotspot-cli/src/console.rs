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
    /// A GeoJSON file drawn over the cells (lines, polygon outlines, points, labels from a
    /// `name` property); repeat for more.
    #[arg(long = "layer", value_name = "FILE")]
    pub layers: Vec<PathBuf>,
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
    options.layers = args.layers;
    options.fullscreen = args.fullscreen;
    options.size = args.size;
    options.exit_after_frames = args.exit_after_frames;
    options.screenshot = args.screenshot;
    options.started = started;
    hotspot_console::run(options).context("the console failed")
}
