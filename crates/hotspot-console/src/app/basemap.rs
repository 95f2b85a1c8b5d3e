//! The window's raster basemap: a tile fetcher for the source in the settings (none unless
//! the user set a URL), asked for the tiles each new view lacks, its answers handed to the
//! renderer on the UI thread, and failures said once in the status line.

use hotspot_core::tile::TileId;
use hotspot_tiles::{DiskCache, FetchOptions, TileEvent, TileFetcher, TileSource};

use super::App;
use super::loader::UserEvent;

pub(super) struct Basemap {
    fetcher: TileFetcher,
    /// The tiles last asked for (asked again only when the view's list changes).
    asked: Option<Vec<TileId>>,
    reported: bool,
}

impl Basemap {
    pub(super) fn source(&self) -> &TileSource {
        self.fetcher.source()
    }

    /// Whether the tiles the view asked for have all been answered.
    pub(super) fn settled(&self) -> bool {
        self.asked.is_some() && self.fetcher.stats().pending == 0
    }
}

impl App {
    /// Starts, changes or stops the basemap to match the settings.
    pub(super) fn apply_basemap(&mut self) {
        let s = self.settings().clone();
        let want = (s.show_basemap && !s.basemap_url.trim().is_empty())
            .then(|| TileSource::new(&s.basemap_url, &s.basemap_attribution, s.basemap_max_zoom));
        let source = match want {
            None => None,
            Some(Ok(source)) => Some(source),
            Some(Err(e)) => {
                if let Some(ctl) = self.ctl.as_mut() {
                    ctl.set_status(format!("Basemap not shown: {e}"));
                }
                None
            }
        };
        let Some(gfx) = self.gfx.as_mut() else { return };
        let Some(source) = source else {
            self.basemap = None;
            gfx.map.set_basemap(None);
            return;
        };
        if self.basemap.as_ref().is_some_and(|b| b.source() == &source) {
            return;
        }
        let same_tiles = self
            .basemap
            .as_ref()
            .is_some_and(|b| b.source().template() == source.template());
        gfx.map.set_basemap(Some(source.max_zoom));
        if !same_tiles {
            gfx.map.clear_tiles();
        }
        let root = self
            .options
            .tile_cache
            .clone()
            .or_else(DiskCache::default_root);
        let cache = root.map(|r| DiskCache::new(&r, &source));
        let options = FetchOptions {
            offline: self.options.offline_tiles,
            ..FetchOptions::default()
        };
        let proxy = self.proxy.clone();
        tracing::info!(template = source.template(), "basemap on");
        let fetcher = TileFetcher::new(source, cache, options, move |ev| {
            let _ = proxy.send_event(UserEvent::Tile(Box::new(ev)));
        });
        self.basemap = Some(Basemap {
            fetcher,
            asked: None,
            reported: false,
        });
        gfx.map.request_redraw();
    }

    /// Asks for the tiles the view now lacks (after a frame: the camera may have moved).
    pub(super) fn ask_for_tiles(&mut self) {
        let (Some(b), Some(gfx)) = (self.basemap.as_mut(), self.gfx.as_ref()) else {
            return;
        };
        let wanted = gfx.map.wanted_tiles();
        if b.asked.as_ref() != Some(&wanted) {
            b.fetcher.want(&wanted);
            b.asked = Some(wanted);
        }
    }

    /// One answer of the fetcher.
    pub(super) fn on_tile(&mut self, event: TileEvent) {
        let Some(b) = self.basemap.as_mut() else {
            return;
        };
        match event {
            TileEvent::Ready { tile, image, .. } => {
                if let Some(gfx) = self.gfx.as_mut()
                    && let Err(e) =
                        gfx.map
                            .insert_tile(tile, image.width, image.height, &image.rgba)
                {
                    tracing::warn!("basemap: {e}");
                }
            }
            TileEvent::Missing { tile } => tracing::debug!("basemap: the server has no {tile}"),
            TileEvent::Failed { tile, error } => {
                tracing::warn!("basemap tile {tile}: {error}");
                if !b.reported {
                    b.reported = true;
                    if let Some(ctl) = self.ctl.as_mut() {
                        ctl.set_status(format!("Basemap tiles failing: {error}"));
                    }
                }
            }
        }
    }
}
