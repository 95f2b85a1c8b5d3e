//! Context on the map: the footprint, district and community-area lines, the hover and
//! selection outlines, and where context labels go on screen.

use glam::DVec2;

use super::style::ContextVisibility;
use super::{ContextGpu, MapLabel, MapRenderer};
use crate::RenderError;
use crate::context::{ContextLayers, cell_outline, fill_polygons, polygon_rings, stroke_rings};

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
        self.context_gpu = ContextGpu {
            footprint_fill: Some(self.upload_mesh(&fill, "footprint fill")),
            footprint_line: Some(self.upload_mesh(&outline, "footprint line")),
            districts: Some(self.upload_mesh(&districts, "districts")),
            areas: Some(self.upload_mesh(&areas, "community areas")),
        };
        self.context = Some(context);
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
                    priority: r.cells as u32 + if major { 1 << 30 } else { 0 },
                    major,
                });
            }
        };
        if self.visibility.districts {
            push(&ctx.districts, true);
        }
        if self.visibility.community_areas {
            push(&ctx.community_areas, false);
        }
        out.sort_by_key(|l| std::cmp::Reverse(l.priority));
        out
    }
}
