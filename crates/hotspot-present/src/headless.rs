//! Headless pictures: the renderer's offscreen map with the [`Overlay`] painted on top, read
//! back as an image or PNG. `hotspot render` and the examples draw through this; the console
//! composites the same overlay in its own window.

use std::path::Path;

use hotspot_render::headless::FORMAT;
use hotspot_render::{FrameSpec, Headless, HeadlessOptions, Image, MapRenderer, RenderError};

use crate::overlay::{Overlay, OverlayRenderer};

/// A headless map renderer with an overlay painter.
pub struct HeadlessView {
    pub headless: Headless,
    overlay: OverlayRenderer,
}

impl HeadlessView {
    /// Opens a GPU (hardware preferred, see [`HeadlessOptions`]) and builds both renderers.
    pub fn new(options: HeadlessOptions) -> Result<Self, RenderError> {
        let headless = Headless::new(options)?;
        let overlay = OverlayRenderer::new(&headless.gpu.device, FORMAT);
        Ok(Self { headless, overlay })
    }

    /// The map renderer (set geometry, values, palette, camera on it).
    pub fn map(&mut self) -> &mut MapRenderer {
        &mut self.headless.map
    }

    /// Fits `cells` (empty: the shown coverage) into the part of `frame` the overlay leaves
    /// free.
    pub fn fit(&mut self, frame: &FrameSpec, overlay: &Overlay, cells: &[u64]) {
        self.headless.fit(frame, cells, overlay.insets());
    }

    /// Renders the map and the overlay and reads the frame back.
    pub fn render(&mut self, frame: &FrameSpec, overlay: &Overlay) -> Result<Image, RenderError> {
        self.headless.set_frame(frame);
        let labels = match (overlay.labels, self.headless.side_by_side) {
            (false, _) => Vec::new(),
            (true, false) => self.headless.map.labels(),
            // Side by side: each half's labels, the right ones moved over.
            (true, true) => {
                let half = f64::from((frame.width / 2).max(1));
                let left = self.headless.map.with_half_camera(|m| m.labels());
                let right = left.iter().cloned().map(|mut l| {
                    l.pos.x += half;
                    l
                });
                let mut all: Vec<_> = left.iter().cloned().chain(right).collect();
                all.sort_by_key(|l| std::cmp::Reverse(l.priority));
                all
            }
        };
        let theme = self.headless.map.theme();
        let ppp = frame.scale() as f32;
        let painter = &mut self.overlay;
        self.headless
            .render_rgba_with(frame, &mut |gpu, encoder, view, size| {
                painter.render(gpu, encoder, view, size, ppp, theme, overlay, &labels)
            })
    }

    /// Renders and writes a PNG; returns the image.
    pub fn render_png(
        &mut self,
        frame: &FrameSpec,
        overlay: &Overlay,
        path: &Path,
    ) -> Result<Image, RenderError> {
        let image = self.render(frame, overlay)?;
        image.save_png(path)?;
        Ok(image)
    }
}
