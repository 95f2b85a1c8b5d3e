//! Context on the map: the footprint, district and community-area lines, the hover and
//! selection outlines, and where context labels go on screen.

use glam::DVec2;

use super::style::ContextVisibility;
use super::{ContextGpu, MapLabel, MapRenderer, OverlayGpu};
use crate::RenderError;
use crate::context::{
    ContextLayers, OverlayLayer, cell_outline, fill_polygons, point_markers, polygon_rings,
    stroke_polylines, stroke_rings,
};
use crate::mercator::project;

/// Mercator metres per physical pixel below which arterials are drawn (about district scale
/// in Chicago: 12 ground metres a pixel).
pub(super) const ARTERIAL_M_PER_PX: f64 = 16.0;
/// … and below which every street is drawn (street scale: 3 ground metres a pixel).
pub(super) const STREET_M_PER_PX: f64 = 4.0;

impl MapRenderer {
    /// Highlights the cell under the pointer (`None` clears).
    pub fn set_hover(&mut self, cell: Option<u64>) {
        if self.hover != cell {
            self.hover = cell;
            self.refresh_highlights();
            self.dirty = true;
        }
    }

    /// Outlines the drill target (`None` clears).
    pub fn set_selected(&mut self, cell: Option<u64>) {
        if self.selected != cell {
            self.selected = cell;
            self.refresh_highlights();
            self.dirty = true;
        }
    }

    pub(super) fn refresh_highlights(&mut self) {
        let origin = self
            .active
            .and_then(|r| self.layers.get(&r))
            .map_or(DVec2::ZERO, |l| l.geom.origin());
        let hover = self
            .hover
            .and_then(|c| cell_outline(c, origin))
            .and_then(Result::ok);
        self.hover_mesh = hover.map(|m| self.upload_mesh(&m, "hover"));
        let selected = self
            .selected
            .and_then(|c| cell_outline(c, origin))
            .and_then(Result::ok);
        self.selected_halo = selected
            .as_ref()
            .map(|m| self.upload_mesh(m, "selected halo"));
        self.selected_mesh = selected.map(|m| self.upload_mesh(&m, "selected"));
    }

    // ---------------------------------------------------------------- context

    /// Uploads context layers (footprint, districts, community areas).
    pub fn set_context(&mut self, context: ContextLayers) -> Result<(), RenderError> {
        let origin = context
            .bounds()
            .map_or(DVec2::ZERO, |(a, b)| ((a + b) * 0.5).round());
        let fill = fill_polygons(&context.footprint, origin)?;
        let outline = stroke_rings(polygon_rings(&context.footprint), origin)?;
        let districts = stroke_rings(
            context
                .districts
                .iter()
                .flat_map(|r| polygon_rings(&r.polygons)),
            origin,
        )?;
        let areas = stroke_rings(
            context
                .community_areas
                .iter()
                .flat_map(|r| polygon_rings(&r.polygons)),
            origin,
        )?;
        let region_lines = |regions: &[crate::context::Region]| {
            stroke_rings(
                regions.iter().flat_map(|r| polygon_rings(&r.polygons)),
                origin,
            )
        };
        let wards = region_lines(&context.wards)?;
        let beats = region_lines(&context.beats)?;
        let arterial = stroke_polylines(
            context
                .streets
                .iter()
                .filter(|s| s.arterial)
                .map(|s| s.line.as_slice()),
            origin,
        )?;
        let minor = stroke_polylines(
            context
                .streets
                .iter()
                .filter(|s| !s.arterial)
                .map(|s| s.line.as_slice()),
            origin,
        )?;
        self.context_gpu = ContextGpu {
            footprint_fill: Some(self.upload_mesh(&fill, "footprint fill")),
            footprint_line: Some(self.upload_mesh(&outline, "footprint line")),
            districts: Some(self.upload_mesh(&districts, "districts")),
            areas: Some(self.upload_mesh(&areas, "community areas")),
            wards: Some(self.upload_mesh(&wards, "wards")),
            beats: Some(self.upload_mesh(&beats, "beats")),
            arterial_halo: Some(self.upload_mesh(&arterial, "arterial halo")),
            arterial: Some(self.upload_mesh(&arterial, "arterials")),
            minor_halo: Some(self.upload_mesh(&minor, "street halo")),
            minor: Some(self.upload_mesh(&minor, "streets")),
        };
        self.context = Some(context);
        self.dirty = true;
        Ok(())
    }

    /// Shows users' layers (GeoJSON files read above the renderer) over the cells, replacing
    /// the ones shown before; an empty slice removes them.
    pub fn set_overlays(&mut self, layers: &[OverlayLayer]) -> Result<(), RenderError> {
        let proj = |pts: &[(f64, f64)]| -> Vec<DVec2> {
            pts.iter().map(|(la, lo)| project(*la, *lo)).collect()
        };
        let lines: Vec<Vec<DVec2>> = layers
            .iter()
            .flat_map(|l| l.lines.iter().chain(&l.rings))
            .map(|p| proj(p))
            .collect();
        let points: Vec<DVec2> = layers.iter().flat_map(|l| proj(&l.points)).collect();
        let origin = lines
            .first()
            .and_then(|l| l.first())
            .or(points.first())
            .map_or(DVec2::ZERO, |p| p.round());
        let mesh = stroke_polylines(lines.iter().map(Vec::as_slice), origin)?;
        let markers = point_markers(&points, origin);
        self.overlay_gpu = OverlayGpu {
            line_halo: Some(self.upload_mesh(&mesh, "layer halo")),
            lines: Some(self.upload_mesh(&mesh, "layer lines")),
            marker_halo: Some(self.upload_mesh(&markers, "layer marker halo")),
            markers: Some(self.upload_mesh(&markers, "layer markers")),
            labels: layers
                .iter()
                .flat_map(|l| &l.labels)
                .map(|((la, lo), t)| (project(*la, *lo), t.clone()))
                .collect(),
        };
        self.dirty = true;
        Ok(())
    }

    /// The context layers, if set.
    pub fn context(&self) -> Option<&ContextLayers> {
        self.context.as_ref()
    }

    /// Chooses which context layers are drawn.
    pub fn set_context_visibility(&mut self, visibility: ContextVisibility) {
        if self.visibility != visibility {
            self.visibility = visibility;
            self.dirty = true;
        }
    }
    /// Which context layers are drawn.
    pub fn context_visibility(&self) -> ContextVisibility {
        self.visibility
    }

    /// Labels of the visible context layers at their screen positions (overlap is resolved
    /// by the overlay).
    pub fn labels(&self) -> Vec<MapLabel> {
        let Some(ctx) = &self.context else {
            return Vec::new();
        };
        if !self.visibility.labels {
            return Vec::new();
        }
        let w = f64::from(self.camera.width);
        let h = f64::from(self.camera.height);
        let mut out = Vec::new();
        let mut push = |regions: &[crate::context::Region], major: bool| {
            for r in regions {
                let pos = self.camera.screen_of(r.anchor.0, r.anchor.1);
                if pos.x < 0.0 || pos.y < 0.0 || pos.x > w || pos.y > h {
                    continue;
                }
                out.push(MapLabel {
                    text: r.name.clone(),
                    pos,
                    priority: r.cells as u32 + if major { 1 << 30 } else { 1 << 29 },
                    major,
                    along: None,
                });
            }
        };
        if self.visibility.districts {
            push(&ctx.districts, true);
        }
        if self.visibility.community_areas {
            push(&ctx.community_areas, false);
        }
        if self.visibility.wards {
            push(&ctx.wards, false);
        }
        // Beats are small: named only from district scale down.
        if self.visibility.beats && self.street_tiers().0 {
            push(&ctx.beats, false);
        }
        if self.visibility.streets {
            self.street_labels(ctx, &mut out);
        }
        // Users' own labels rank between the area names and the streets.
        for (k, (p, text)) in self.overlay_gpu.labels.iter().enumerate() {
            let pos = self.camera.world_to_screen(*p);
            if pos.x < 0.0 || pos.y < 0.0 || pos.x > w || pos.y > h {
                continue;
            }
            out.push(MapLabel {
                text: text.clone(),
                pos: pos + DVec2::new(0.0, -14.0 * self.camera.scale_factor),
                priority: (1u32 << 28) + (1 << 27) + (1 << 26) - (k as u32).min(1 << 25),
                major: false,
                along: None,
            });
        }
        out.sort_by_key(|l| std::cmp::Reverse(l.priority));
        out
    }

    /// Which street tiers the current zoom draws: (arterials, every street).
    pub(super) fn street_tiers(&self) -> (bool, bool) {
        let m_per_px = 1.0 / self.camera.px_per_m().max(1e-12);
        (m_per_px <= ARTERIAL_M_PER_PX, m_per_px <= STREET_M_PER_PX)
    }

    /// One name per drawn street polyline, on its longest straight stretch on screen (busier
    /// streets first; the overlay drops names that collide or do not fit their stretch).
    fn street_labels(&self, ctx: &ContextLayers, out: &mut Vec<MapLabel>) {
        let (arterials, all) = self.street_tiers();
        if !arterials {
            return;
        }
        let w = f64::from(self.camera.width);
        let h = f64::from(self.camera.height);
        // Keep names a little inside the frame.
        let (lo, hi) = (DVec2::splat(8.0), DVec2::new(w - 8.0, h - 8.0));
        for (rank, s) in ctx.streets.iter().enumerate() {
            if !(s.arterial || all) {
                continue;
            }
            let mut best: Option<(f64, DVec2, DVec2)> = None;
            for seg in s.line.windows(2) {
                let Some((a, b)) = clip_segment(
                    self.camera.world_to_screen(seg[0]),
                    self.camera.world_to_screen(seg[1]),
                    lo,
                    hi,
                ) else {
                    continue;
                };
                let len = (b - a).length();
                if best.is_none_or(|(l, _, _)| len > l) {
                    best = Some((len, a, b));
                }
            }
            let Some((len, a, b)) = best else { continue };
            if len < 40.0 {
                continue;
            }
            let d = b - a;
            let mut angle = d.y.atan2(d.x);
            if angle > std::f64::consts::FRAC_PI_2 {
                angle -= std::f64::consts::PI;
            } else if angle < -std::f64::consts::FRAC_PI_2 {
                angle += std::f64::consts::PI;
            }
            out.push(MapLabel {
                text: s.label.clone(),
                pos: (a + b) * 0.5,
                priority: (1u32 << 28)
                    .saturating_sub(rank as u32)
                    .saturating_add(if s.arterial { 1 << 27 } else { 0 }),
                major: false,
                along: Some((angle as f32, len as f32)),
            });
        }
    }
}

/// The part of segment `a`–`b` inside the rectangle `lo`–`hi` (Liang–Barsky), if any.
fn clip_segment(a: DVec2, b: DVec2, lo: DVec2, hi: DVec2) -> Option<(DVec2, DVec2)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d.x, a.x - lo.x),
        (d.x, hi.x - a.x),
        (-d.y, a.y - lo.y),
        (d.y, hi.y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
            continue;
        }
        let r = q / p;
        if p < 0.0 {
            t0 = t0.max(r);
        } else {
            t1 = t1.min(r);
        }
        if t0 > t1 {
            return None;
        }
    }
    Some((a + d * t0, a + d * t1))
}

#[cfg(test)]
mod tests {
    use super::clip_segment;
    use glam::DVec2;

    #[test]
    fn segments_are_clipped_to_the_frame() {
        let (lo, hi) = (DVec2::ZERO, DVec2::new(100.0, 50.0));
        // Crossing the whole frame horizontally.
        let (a, b) = clip_segment(DVec2::new(-50.0, 25.0), DVec2::new(150.0, 25.0), lo, hi)
            .expect("crosses");
        assert_eq!((a, b), (DVec2::new(0.0, 25.0), DVec2::new(100.0, 25.0)));
        // Inside: unchanged. Outside: nothing. Diagonal from a corner outward: cut at the edge.
        let inside = (DVec2::new(10.0, 10.0), DVec2::new(20.0, 30.0));
        assert_eq!(clip_segment(inside.0, inside.1, lo, hi), Some(inside));
        assert_eq!(
            clip_segment(DVec2::new(-10.0, 60.0), DVec2::new(-1.0, 80.0), lo, hi),
            None
        );
        let (_, b) =
            clip_segment(DVec2::new(50.0, 25.0), DVec2::new(150.0, 75.0), lo, hi).expect("leaves");
        assert!((b - DVec2::new(100.0, 50.0)).length() < 1e-9);
    }
}
