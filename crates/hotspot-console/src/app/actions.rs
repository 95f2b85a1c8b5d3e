//! Carrying out what the overlay asked for: actions go to the [`crate::Controller`], whose
//! effects (re-query, camera fits, fullscreen, screenshots, exports, style) the app applies;
//! map interaction (pan, zoom, hover, click-to-drill) goes straight to the renderer's camera
//! and picking.

use std::path::PathBuf;

use glam::DVec2;
use hotspot_render::ContextVisibility;
use winit::window::Fullscreen;

use super::App;
use super::camera::Fit;
use crate::controller::Effect;
use crate::ui::Action;

/// `20261201-093000`, for file names.
fn timestamp() -> String {
    chrono::Local::now().format("%Y%m%d-%H%M%S").to_string()
}

impl App {
    pub(super) fn apply_action(&mut self, action: Action) {
        let effects = match self.ctl.as_mut() {
            Some(c) => c.apply(&action),
            None => match action {
                Action::MapResized(..)
                | Action::MapPan(..)
                | Action::MapZoom(..)
                | Action::MapHover(..)
                | Action::MapClick(..) => vec![Effect::Map(action)],
                Action::ToggleFullscreen => vec![Effect::ToggleFullscreen],
                _ => Vec::new(),
            },
        };
        for e in effects {
            self.effect(e);
        }
    }

    pub(super) fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Requery => {
                self.requery = true;
                self.fly_selected = None;
            }
            Effect::ToggleFullscreen => {
                if let Some(g) = &self.gfx {
                    let next = match g.window.fullscreen() {
                        Some(_) => None,
                        None => Some(Fullscreen::Borderless(None)),
                    };
                    g.window.set_fullscreen(next);
                }
            }
            Effect::Screenshot => {
                self.screenshot_request =
                    Some(PathBuf::from(format!("hotspot-{}.png", timestamp())));
            }
            Effect::ExportCsv => self.export_csv(),
            Effect::FlyTo(cell) => {
                self.fly_selected = Some(cell);
                if let Some(g) = self.gfx.as_mut() {
                    g.map.set_selected(Some(cell));
                }
                self.pending_fit = Some(Fit::Cell(cell));
                self.try_fit();
            }
            Effect::FitCamera(cam) => {
                self.pending_fit = Some(cam.into());
                self.try_fit();
            }
            Effect::FitToScope => self.fit_scope_pending = true,
            Effect::Map(a) => self.map_action(a),
            Effect::StyleChanged => self.style_dirty = true,
            Effect::ContextChanged => self.apply_context_visibility(),
            Effect::ShowLayers(paths) => self.show_layers(paths),
            Effect::BasemapChanged => self.apply_basemap(),
            Effect::TimelineChanged => self.timeline_changed(),
            Effect::TimelinePosition(p) => self.timeline_position(p),
            Effect::ExportAnimation => self.export_animation(),
        }
    }

    pub(super) fn apply_context_visibility(&mut self) {
        let s = self.settings().clone();
        if let Some(g) = self.gfx.as_mut() {
            g.map.set_context_visibility(ContextVisibility {
                districts: s.show_districts,
                community_areas: s.show_community_areas,
                streets: s.show_streets,
                wards: s.show_wards,
                beats: s.show_beats,
                ..Default::default()
            });
            g.map.set_opacity(s.cell_opacity.clamp(0.2, 1.0));
        }
    }

    fn export_csv(&mut self) {
        let Some(ctl) = self.ctl.as_mut() else { return };
        let path = PathBuf::from(format!("hotspot-table-{}.csv", timestamp()));
        match std::fs::write(&path, ctl.table_csv()) {
            Ok(()) => ctl.set_status(format!("Saved {}", path.display())),
            Err(e) => ctl.set_status(format!("Cannot write {}: {e}", path.display())),
        }
    }

    fn map_action(&mut self, action: Action) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        let map = &mut gfx.map;
        match action {
            Action::MapResized(w, h) => {
                let sf = gfx.window.scale_factor();
                map.camera.set_viewport(w, h, sf);
                let first = self.map_size.is_none();
                self.map_size = Some((w, h));
                if first {
                    self.try_fit();
                }
            }
            Action::MapPan(d) => map.camera.pan_px(f64::from(d.x), f64::from(d.y)),
            Action::MapZoom(p, dz) => {
                map.camera
                    .zoom_about(DVec2::new(f64::from(p.x), f64::from(p.y)), f64::from(dz));
            }
            Action::MapHover(p) => {
                self.hover_pos = p;
                self.repick();
            }
            Action::MapClick(p) => {
                let pick = self.pick_at(DVec2::new(f64::from(p.x), f64::from(p.y)));
                if let Some(cell) = pick.map(|p| p.cell).filter(|c| self.rows.contains_key(c)) {
                    self.apply_action(Action::DrillInto(cell));
                }
            }
            _ => {}
        }
    }

    /// Shows the playlist's next view.
    pub(super) fn next_playlist_view(&mut self) {
        let Some((name, secs)) = self.playlist.advance(std::time::Instant::now()) else {
            return;
        };
        tracing::info!(view = %name, seconds = secs, "playlist");
        self.playlist_view = Some(name);
        self.reapply_playlist_view();
    }

    /// Shows the playlist's current view again (after the lake changed).
    pub(super) fn reapply_playlist_view(&mut self) {
        let Some(name) = self.playlist_view.clone() else {
            return;
        };
        if let Some(ctl) = self.ctl.as_mut() {
            let effects = ctl.apply_view(&name);
            for e in effects {
                self.effect(e);
            }
        }
    }
}
