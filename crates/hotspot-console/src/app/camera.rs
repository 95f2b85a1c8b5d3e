//! Where the camera goes: a pending [`Fit`] runs as soon as what it needs (the map panel's
//! size, the geometry, the result it fits) is there, as a short flight once the first map has
//! been shown.

use glam::DVec2;
use hotspot_render::camera::cells_bounds;
use hotspot_script::Camera;

use super::App;

/// How long a camera flight takes.
const FLIGHT_S: f64 = 0.6;
/// Above this many cells a drilled scope is fitted by its resolution's whole coverage.
const FIT_CELLS_MAX: usize = 20_000;

/// Where the camera should go once it can.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Fit {
    Citywide,
    Cell(u64),
    District(u8),
    /// The cells of the result of request `id` (or a later one).
    Scope(u64),
}

impl From<Camera> for Fit {
    fn from(cam: Camera) -> Self {
        match cam {
            Camera::Citywide => Fit::Citywide,
            Camera::Cell(c) => Fit::Cell(c),
            Camera::District(d) => Fit::District(d),
        }
    }
}

impl App {
    fn fit_bounds(&mut self, min: DVec2, max: DVec2, animate: bool) {
        let Some(gfx) = self.gfx.as_mut() else { return };
        let cam = &mut gfx.map.camera;
        let pad = 28.0 * cam.scale_factor;
        let zoom = cam.zoom_to_fit(min, max, pad);
        let center = (min + max) * 0.5;
        cam.fly_to(center, zoom, if animate { FLIGHT_S } else { 0.0 });
    }

    /// Runs the pending camera fit if what it needs is there.
    pub(super) fn try_fit(&mut self) {
        let Some(fit) = self.pending_fit.clone() else {
            return;
        };
        if self.map_size.is_none() {
            return;
        }
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_ref()) else {
            return;
        };
        let first = !self.first_map_logged;
        let bounds = match fit {
            Fit::Citywide => {
                let res = gfx.map.resolution();
                match res.and_then(|r| gfx.map.geometry(r)) {
                    Some(g) => Some(g.bounds()),
                    None => return,
                }
            }
            Fit::Cell(cell) => {
                let Some((min, max)) = cells_bounds(&[cell]) else {
                    self.pending_fit = None;
                    return;
                };
                // The cell and about a ring of neighbours around it.
                let c = (min + max) * 0.5;
                let h = (max - min) * 1.6;
                Some((c - h, c + h))
            }
            Fit::District(d) => ctl
                .engine
                .district_cells(d)
                .ok()
                .and_then(|cells| cells_bounds(&cells)),
            Fit::Scope(id) => {
                if self.awaiting.is_some_and(|a| a <= id) {
                    return; // its result has not arrived yet
                }
                let Some(r) = &ctl.result else { return };
                if gfx.map.resolution() != Some(r.scope.res) {
                    return; // geometry still building
                }
                let cells: &[u64] = r.cells.cell.values();
                if r.scope.drill.is_empty() || cells.len() > FIT_CELLS_MAX {
                    gfx.map.geometry(r.scope.res).map(|g| g.bounds())
                } else {
                    cells_bounds(cells)
                }
            }
        };
        self.pending_fit = None;
        if let Some((min, max)) = bounds {
            self.fit_bounds(min, max, !first);
        }
    }
}
