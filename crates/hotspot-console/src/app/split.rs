//! Side by side: the compared period on the left of the map, this one on the right, one
//! camera and one colour scale. The two periods' per-cell counts go to the GPU as a
//! two-frame timeline; the renderer draws frame 0 in the left half and frame 1 in the right
//! ([`hotspot_render::MapRenderer::render_side_by_side`]); picking and labels use the camera
//! of one half.

use glam::DVec2;
use hotspot_render::Pick;

use super::App;

impl App {
    /// After a result went on the map: side by side, its two periods as a two-frame timeline
    /// (or, when the view left side by side, the plain map again).
    pub(super) fn keep_split(&mut self) {
        let (Some(ctl), Some(gfx)) = (self.ctl.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        let wanted = ctl.view.side_by_side && !ctl.timebar.open;
        if !wanted {
            if self.split_shown.take().is_some() && self.timeline_shown.is_none() {
                gfx.map.clear_timeline();
            }
            return;
        }
        let Some(r) = ctl.result.clone() else { return };
        let palette = ctl
            .scripts
            .palette_for(hotspot_present::side_by_side_metric(&r));
        match hotspot_present::present_side_by_side(&mut gfx.map, &r, &palette) {
            Ok(legend) => self.legend = Some(legend),
            Err(e) => {
                tracing::warn!("side by side: {e}");
                return;
            }
        }
        self.split_shown = Some((
            format!("A  {}", r.comparison.period_label),
            format!("B  {}", r.period_label),
        ));
    }

    /// The cell under a pointer position (physical pixels in the map): side by side, in the
    /// half it is over, with that half's period's value.
    pub(super) fn pick_at(&mut self, p: DVec2) -> Option<Pick> {
        let split = self.split_shown.is_some();
        let gfx = self.gfx.as_mut()?;
        if !split {
            return gfx.map.pick(p);
        }
        let half = f64::from((gfx.map.camera.width / 2).max(1));
        let (x, frame) = if p.x >= half {
            (p.x - half, 1.0)
        } else {
            (p.x, 0.0)
        };
        gfx.map.set_timeline_position(Some(frame));
        gfx.map.with_half_camera(|m| m.pick(DVec2::new(x, p.y)))
    }

    /// The map's labels: side by side, each half's, the right ones moved over.
    pub(super) fn map_labels(&mut self) -> Vec<hotspot_render::MapLabel> {
        let split = self.split_shown.is_some();
        let Some(gfx) = self.gfx.as_mut() else {
            return Vec::new();
        };
        if !split {
            return gfx.map.labels();
        }
        let half = f64::from((gfx.map.camera.width / 2).max(1));
        let left = gfx.map.with_half_camera(|m| m.labels());
        let right = left.iter().cloned().map(|mut l| {
            l.pos.x += half;
            l
        });
        let mut all: Vec<_> = left.iter().cloned().chain(right).collect();
        all.sort_by_key(|l| std::cmp::Reverse(l.priority));
        all
    }
}
