//! The map camera: centre and zoom in Web Mercator, pan, zoom about the cursor, fit-to-cells
//! and an animated fly-to that callers step with their own clock.
//!
//! Zoom follows the Mapbox GL convention the old console used (512-pixel world at zoom 0), so
//! its default zooms (r6 9.0 … r10 14.0) carry over. Screen coordinates are *physical* pixels
//! with y down; `scale_factor` (HiDPI) keeps a zoom level showing the same area per logical
//! pixel on every screen.

use glam::DVec2;

use crate::mercator::{WORLD_SIZE_M, project, project_ll, unproject};

/// The old console's map centre (the Loop).
pub const CHICAGO_CENTER: (f64, f64) = (41.881832, -87.623177);
/// Zoom limits.
pub const MIN_ZOOM: f64 = 0.0;
/// Zoom limits.
pub const MAX_ZOOM: f64 = 22.0;

/// The old console's default zoom per resolution (fallback 11).
pub fn default_zoom(res: u8) -> f64 {
    match res {
        6 => 9.0,
        7 => 10.2,
        8 => 11.4,
        9 => 12.8,
        10 => 14.0,
        _ => 11.0,
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Flight {
    from_center: DVec2,
    from_zoom: f64,
    to_center: DVec2,
    to_zoom: f64,
    /// How far below the lower end zoom the path dips mid-flight (so both ends fit).
    dip: f64,
    duration: f64,
    elapsed: f64,
}

/// Where the map looks and how large it is on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Camera {
    /// Centre of the view in Web Mercator metres.
    pub center: DVec2,
    /// Mapbox-style zoom level.
    pub zoom: f64,
    /// Viewport size in physical pixels.
    pub width: u32,
    /// Viewport size in physical pixels.
    pub height: u32,
    /// Physical pixels per logical pixel (HiDPI).
    pub scale_factor: f64,
    flight: Option<Flight>,
}

impl Default for Camera {
    fn default() -> Self {
        Self::new(1920, 1080, 1.0)
    }
}

impl Camera {
    /// A camera on the Loop at district-scale zoom.
    pub fn new(width: u32, height: u32, scale_factor: f64) -> Self {
        Self {
            center: project(CHICAGO_CENTER.0, CHICAGO_CENTER.1),
            zoom: default_zoom(7),
            width: width.max(1),
            height: height.max(1),
            scale_factor: if scale_factor > 0.0 {
                scale_factor
            } else {
                1.0
            },
            flight: None,
        }
    }

    /// Resizes the viewport (physical pixels) and sets the HiDPI factor.
    pub fn set_viewport(&mut self, width: u32, height: u32, scale_factor: f64) {
        self.width = width.max(1);
        self.height = height.max(1);
        if scale_factor > 0.0 {
            self.scale_factor = scale_factor;
        }
    }

    /// Physical pixels per Web Mercator metre.
    pub fn px_per_m(&self) -> f64 {
        512.0 * self.zoom.exp2() / WORLD_SIZE_M * self.scale_factor
    }

    fn half(&self) -> DVec2 {
        DVec2::new(f64::from(self.width), f64::from(self.height)) * 0.5
    }

    /// World metres → screen pixels (y down).
    pub fn world_to_screen(&self, w: DVec2) -> DVec2 {
        let d = (w - self.center) * self.px_per_m();
        self.half() + DVec2::new(d.x, -d.y)
    }

    /// Screen pixels (y down) → world metres.
    pub fn screen_to_world(&self, s: DVec2) -> DVec2 {
        let d = s - self.half();
        self.center + DVec2::new(d.x, -d.y) / self.px_per_m()
    }

    /// Screen pixels → (latitude, longitude) in degrees.
    pub fn lat_lon_at(&self, s: DVec2) -> (f64, f64) {
        unproject(self.screen_to_world(s))
    }

    /// (latitude, longitude) → screen pixels.
    pub fn screen_of(&self, lat: f64, lon: f64) -> DVec2 {
        self.world_to_screen(project(lat, lon))
    }

    /// The visible world rectangle (min, max) in metres.
    pub fn visible_rect(&self) -> (DVec2, DVec2) {
        let h = self.half() / self.px_per_m();
        (self.center - h, self.center + h)
    }

    /// Moves the map with a drag of `(dx, dy)` physical pixels.
    pub fn pan_px(&mut self, dx: f64, dy: f64) {
        self.flight = None;
        self.center -= DVec2::new(dx, -dy) / self.px_per_m();
    }

    /// Zooms by `dz` levels keeping the point under `cursor` (physical pixels) still.
    pub fn zoom_about(&mut self, cursor: DVec2, dz: f64) {
        self.flight = None;
        let anchor = self.screen_to_world(cursor);
        self.zoom = (self.zoom + dz).clamp(MIN_ZOOM, MAX_ZOOM);
        let d = cursor - self.half();
        self.center = anchor - DVec2::new(d.x, -d.y) / self.px_per_m();
    }

    /// The zoom at which a world rectangle fits the viewport with `padding_px` (physical) on
    /// every side.
    pub fn zoom_to_fit(&self, min: DVec2, max: DVec2, padding_px: f64) -> f64 {
        let size = (max - min).max(DVec2::splat(1e-3));
        let avail_w = (f64::from(self.width) - 2.0 * padding_px).max(1.0);
        let avail_h = (f64::from(self.height) - 2.0 * padding_px).max(1.0);
        let ppm = (avail_w / size.x).min(avail_h / size.y);
        (ppm * WORLD_SIZE_M / (512.0 * self.scale_factor))
            .log2()
            .clamp(MIN_ZOOM, MAX_ZOOM)
    }

    /// Centres on a world rectangle and zooms so that it fits.
    pub fn fit_bounds(&mut self, min: DVec2, max: DVec2, padding_px: f64) {
        self.flight = None;
        self.zoom = self.zoom_to_fit(min, max, padding_px);
        self.center = (min + max) * 0.5;
    }

    /// Fits a world rectangle into a screen rectangle (physical pixels, e.g. the part of the
    /// view not covered by panels).
    pub fn fit_bounds_in(&mut self, min: DVec2, max: DVec2, screen_min: DVec2, screen_max: DVec2) {
        self.flight = None;
        let size = (max - min).max(DVec2::splat(1e-3));
        let avail = (screen_max - screen_min).max(DVec2::ONE);
        let ppm = (avail.x / size.x).min(avail.y / size.y);
        self.zoom = (ppm * WORLD_SIZE_M / (512.0 * self.scale_factor))
            .log2()
            .clamp(MIN_ZOOM, MAX_ZOOM);
        // Put the rectangle's centre at the screen rectangle's centre.
        let target = (screen_min + screen_max) * 0.5;
        let d = target - self.half();
        self.center = (min + max) * 0.5 - DVec2::new(d.x, -d.y) / self.px_per_m();
    }

    /// Fits the bounding box of the cells' exact boundaries. Invalid ids are ignored; returns
    /// `false` (camera unchanged) when no cell is valid.
    pub fn fit_cells(&mut self, cells: &[u64], padding_px: f64) -> bool {
        match cells_bounds(cells) {
            Some((min, max)) => {
                self.fit_bounds(min, max, padding_px);
                true
            }
            None => false,
        }
    }

    /// Starts an animated flight to `center` / `zoom` lasting `seconds`; drive it with
    /// [`Camera::step`].
    pub fn fly_to(&mut self, center: DVec2, zoom: f64, seconds: f64) {
        let to_zoom = zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        if seconds <= 0.0 {
            self.center = center;
            self.zoom = to_zoom;
            self.flight = None;
            return;
        }
        // Dip so that mid-flight both ends are on screen (a cheap van Wijk–Nuij).
        let span = (center - self.center).abs();
        let fit = self.zoom_to_fit(
            self.center.min(center) - span * 0.1,
            self.center.max(center) + span * 0.1,
            0.0,
        );
        let dip = (self.zoom.min(to_zoom) - fit).max(0.0);
        self.flight = Some(Flight {
            from_center: self.center,
            from_zoom: self.zoom,
            to_center: center,
            to_zoom,
            dip,
            duration: seconds,
            elapsed: 0.0,
        });
    }

    /// Flies to a cell's centre; `zoom` defaults to the old console's zoom for its resolution.
    /// Returns `false` for an invalid id.
    pub fn fly_to_cell(&mut self, cell: u64, zoom: Option<f64>, seconds: f64) -> bool {
        let Ok(c) = h3o::CellIndex::try_from(cell) else {
            return false;
        };
        let z = zoom.unwrap_or_else(|| default_zoom(u8::from(c.resolution())));
        self.fly_to(project_ll(h3o::LatLng::from(c)), z, seconds);
        true
    }

    /// Whether a flight is under way.
    pub fn is_flying(&self) -> bool {
        self.flight.is_some()
    }

    /// Advances a flight by `dt` seconds; returns `true` while still moving.
    pub fn step(&mut self, dt: f64) -> bool {
        let Some(f) = self.flight.as_mut() else {
            return false;
        };
        f.elapsed += dt.max(0.0);
        let t = (f.elapsed / f.duration).min(1.0);
        // Smoothstep easing.
        let e = t * t * (3.0 - 2.0 * t);
        self.center = f.from_center.lerp(f.to_center, e);
        self.zoom = f.from_zoom + (f.to_zoom - f.from_zoom) * e - f.dip * 4.0 * e * (1.0 - e);
        if t >= 1.0 {
            self.center = f.to_center;
            self.zoom = f.to_zoom;
            self.flight = None;
            return false;
        }
        true
    }
}

/// The bounding box (Web Mercator metres) of the valid cells' boundaries.
pub fn cells_bounds(cells: &[u64]) -> Option<(DVec2, DVec2)> {
    let mut min = DVec2::splat(f64::INFINITY);
    let mut max = DVec2::splat(f64::NEG_INFINITY);
    for &id in cells {
        let Ok(c) = h3o::CellIndex::try_from(id) else {
            continue;
        };
        for ll in c.boundary().iter() {
            let p = project_ll(*ll);
            min = min.min(p);
            max = max.max(p);
        }
    }
    (min.x <= max.x).then_some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_world_round_trip_and_zoom_about_cursor() {
        let mut cam = Camera::new(1920, 1080, 2.0);
        let cursor = DVec2::new(300.0, 700.0);
        let before = cam.screen_to_world(cursor);
        assert!((cam.world_to_screen(before) - cursor).length() < 1e-6);
        cam.zoom_about(cursor, 1.5);
        assert!((cam.screen_to_world(cursor) - before).length() < 1e-6);
        cam.pan_px(10.0, -5.0);
        assert!((cam.world_to_screen(before) - cursor - DVec2::new(10.0, -5.0)).length() < 1e-6);
    }

    #[test]
    fn flight_ends_at_target() {
        let mut cam = Camera::default();
        let target = project(41.75, -87.6);
        cam.fly_to(target, 14.0, 1.0);
        let mut n = 0;
        while cam.step(1.0 / 60.0) {
            n += 1;
            assert!(n < 1000);
        }
        assert!((cam.center - target).length() < 1e-9 && cam.zoom == 14.0);
        assert!((55..=61).contains(&n), "{n} steps");
    }
}
