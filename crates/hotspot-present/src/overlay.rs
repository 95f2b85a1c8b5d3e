//! What a headless frame draws over the map ([`Overlay`]: title, legend, caption, context
//! labels) and the renderer that paints it with egui into the frame ([`OverlayRenderer`]).

use egui::{Pos2, Rect, Vec2};
use hotspot_render::{Gpu, Insets, MapLabel, RenderError, Theme};

use crate::egui_pass::EguiPass;
use crate::legend::Legend;
use crate::paint::{
    PAD, install_fonts, legend_size, paint_attribution, paint_caption, paint_labels, paint_legend,
    paint_stamp, paint_title,
};

/// What a headless frame draws over the map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlay {
    /// Top-left title, e.g. "Street-scale · District 18".
    pub title: Option<String>,
    /// Under the title, e.g. the period "September 2024".
    pub subtitle: Option<String>,
    /// Legend panel (top-right) and its caption (bottom).
    pub legend: Option<Legend>,
    /// Draw context labels.
    pub labels: bool,
    /// The basemap's attribution, bottom-right (None: no basemap drawn).
    pub attribution: Option<String>,
    /// A large date stamp, bottom-right above the attribution (an animation's frame dates).
    pub stamp: Option<String>,
    /// Side by side: a divider down the middle and each half's period, top left of it.
    pub split: Option<(String, String)>,
}

impl Overlay {
    /// The frame edges the overlay covers (logical pixels), which a camera fit keeps the
    /// cells out of: the legend on the right and its caption at the bottom, the title on top.
    pub fn insets(&self) -> Insets {
        let mut insets = Insets::default();
        if self.legend.is_some() {
            insets.right = 150.0;
            insets.bottom = 40.0;
        }
        if self.title.is_some() {
            insets.top = 50.0;
        }
        insets
    }
}

/// Paints an [`Overlay`] with egui over a frame.
pub struct OverlayRenderer {
    ctx: egui::Context,
    pass: EguiPass,
    max_texture_side: usize,
}

impl OverlayRenderer {
    /// An egui context and renderer for targets of `format`.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let ctx = egui::Context::default();
        // No window: nothing may fade in, one pass must be the final picture.
        ctx.all_styles_mut(|s| s.animation_time = 0.0);
        install_fonts(&ctx);
        Self {
            ctx,
            pass: EguiPass::new(device, format, false),
            max_texture_side: device.limits().max_texture_dimension_2d as usize,
        }
    }

    /// Records the overlay into `encoder` over `view` (loaded, not cleared), `size` physical
    /// pixels at `pixels_per_point`. Returns the command buffers to submit before `encoder`.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &mut self,
        gpu: &Gpu,
        encoder: &mut wgpu::CommandEncoder,
        view: &wgpu::TextureView,
        size: [u32; 2],
        pixels_per_point: f32,
        theme: Theme,
        overlay: &Overlay,
        labels: &[MapLabel],
    ) -> Result<Vec<wgpu::CommandBuffer>, RenderError> {
        let ppp = pixels_per_point.max(0.25);
        let screen = Rect::from_min_size(
            Pos2::ZERO,
            Vec2::new(size[0] as f32 / ppp, size[1] as f32 / ppp),
        );
        let mut raw = egui::RawInput {
            screen_rect: Some(screen),
            max_texture_side: Some(self.max_texture_side),
            time: Some(0.0),
            ..Default::default()
        };
        raw.viewports.insert(
            egui::ViewportId::ROOT,
            egui::ViewportInfo {
                native_pixels_per_point: Some(ppp),
                ..Default::default()
            },
        );
        let output = self.ctx.run_ui(raw, |ui| {
            let painter = ui.ctx().layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("hotspot overlay"),
            ));
            let mut avoid = Vec::new();
            if let Some((left, right)) = &overlay.split {
                let x = screen.center().x;
                painter.line_segment(
                    [Pos2::new(x, screen.top()), Pos2::new(x, screen.bottom())],
                    egui::Stroke::new(
                        2.0,
                        crate::paint::c32(theme.foreground()).gamma_multiply(0.7),
                    ),
                );
                let at = Pos2::new(x + PAD, screen.top() + PAD + 50.0);
                avoid.push(paint_title(&painter, at, right, None, theme));
                let at = Pos2::new(screen.left() + PAD, screen.top() + PAD + 50.0);
                avoid.push(paint_title(&painter, at, left, None, theme));
            }
            if let Some(title) = &overlay.title {
                avoid.push(paint_title(
                    &painter,
                    Pos2::new(PAD, PAD),
                    title,
                    overlay.subtitle.as_deref(),
                    theme,
                ));
            }
            // The attribution takes the bottom-right corner; the caption wraps beside it.
            let mut caption_area = screen;
            let mut corner = screen;
            if let Some(text) = overlay.attribution.as_deref().filter(|t| !t.is_empty()) {
                let r = paint_attribution(&painter, screen, text, theme);
                caption_area.max.x = r.min.x - PAD;
                corner.max.y = r.min.y - 4.0;
                avoid.push(r);
            }
            if let Some(text) = overlay.stamp.as_deref().filter(|t| !t.is_empty()) {
                let r = paint_stamp(&painter, corner, text, theme);
                caption_area.max.x = caption_area.max.x.min(r.min.x - PAD);
                avoid.push(r);
            }
            if let Some(legend) = &overlay.legend {
                let size = legend_size(&painter, legend, theme);
                // Side by side, the top-right corner is the B map's: the legend goes to the
                // bottom-right, above the caption (over Lake Michigan in Chicago's case).
                let top_left = if overlay.split.is_some() {
                    Pos2::new(screen.max.x - PAD - size.x, screen.max.y - 60.0 - size.y)
                } else {
                    Pos2::new(screen.max.x - PAD - size.x, PAD)
                };
                avoid.push(paint_legend(&painter, top_left, legend, theme));
                avoid.push(paint_caption(
                    &painter,
                    caption_area,
                    &legend.caption(),
                    theme,
                ));
            }
            if overlay.labels {
                paint_labels(&painter, screen, labels, ppp, theme, &avoid);
            }
        });
        let frame = self.pass.frame(
            &gpu.device,
            &gpu.queue,
            &self.ctx,
            output.shapes,
            output.textures_delta,
            output.pixels_per_point,
            size,
        );
        let before = self.pass.upload(&gpu.device, &gpu.queue, encoder, &frame);
        self.pass.draw(encoder, view, &frame, None);
        self.pass.end(frame);
        Ok(before)
    }
}
