//! `--tiles`: a raster basemap under `hotspot render`'s map, fetched (or read from the tile
//! cache) before the frame is drawn.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use hotspot_render::MapRenderer;
use hotspot_tiles::{DiskCache, FetchOptions, Origin, TileEvent, TileSource, fetch_all};

#[derive(Args, Debug, Clone, Default)]
pub struct BasemapArgs {
    /// An XYZ tile URL template drawn under the cells, e.g.
    /// `https://tile.example.org/{z}/{x}/{y}.png` (`{-y}` for TMS). Nothing is fetched
    /// without one. A view's `context.tiles` gives one too.
    #[arg(long = "tiles", value_name = "URL")]
    pub url: Option<String>,
    /// The attribution the tiles' licence asks for (drawn bottom-right).
    #[arg(long = "tile-attribution", value_name = "TEXT")]
    pub attribution: Option<String>,
    /// The deepest zoom the tile server serves (deeper views enlarge its tiles).
    #[arg(long = "tile-max-zoom", value_name = "Z")]
    pub max_zoom: Option<u8>,
    /// Where fetched tiles are kept (default: the platform's cache folder).
    #[arg(long = "tile-cache", value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Use only cached tiles; send no request.
    #[arg(long)]
    pub offline: bool,
    /// How long to wait for the tiles, seconds.
    #[arg(long = "tile-timeout", value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// What the basemap came to, for the command's report.
pub struct Drawn {
    pub attribution: String,
    pub summary: String,
}

/// Turns the basemap on for `map`'s current camera, fetches the tiles it needs and hands
/// them over. A template that cannot be used is an error; tiles that cannot be had are
/// reported and left out.
pub fn draw(
    map: &mut MapRenderer,
    url: &str,
    attribution: &str,
    max_zoom: u8,
    args: &BasemapArgs,
) -> Result<Drawn> {
    let source = TileSource::new(url, attribution, max_zoom)?;
    let root = match &args.cache {
        Some(dir) => Some(dir.clone()),
        None => DiskCache::default_root(),
    };
    let cache = root.map(|r| DiskCache::new(&r, &source));
    map.set_basemap(Some(source.max_zoom));
    let wanted = map.wanted_tiles();
    let options = FetchOptions {
        offline: args.offline,
        ..FetchOptions::default()
    };
    let events = fetch_all(
        source.clone(),
        cache,
        options,
        &wanted,
        Duration::from_secs(args.timeout.max(1)),
    );
    let (mut fetched, mut cached, mut missing) = (0, 0, 0);
    let mut failed = Vec::new();
    for ev in events {
        match ev {
            TileEvent::Ready {
                tile,
                image,
                origin,
            } => {
                map.insert_tile(tile, image.width, image.height, &image.rgba)
                    .with_context(|| format!("tile {tile}"))?;
                match origin {
                    Origin::Network => fetched += 1,
                    Origin::Cache | Origin::StaleCache => cached += 1,
                }
            }
            TileEvent::Missing { .. } => missing += 1,
            TileEvent::Failed { error, .. } => failed.push(error),
        }
    }
    let mut summary = format!(
        "basemap: {} of {} tiles ({fetched} fetched, {cached} from the cache)",
        fetched + cached,
        wanted.len()
    );
    if missing > 0 {
        summary.push_str(&format!(", {missing} the server does not have"));
    }
    if let Some(first) = failed.first() {
        summary.push_str(&format!(", {} failed (first: {first})", failed.len()));
    }
    Ok(Drawn {
        attribution: source.attribution_text(),
        summary,
    })
}
