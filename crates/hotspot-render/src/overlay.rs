//! Text on the map with egui: the legend (gradient, ticks, title, caption whose low/high
//! wording follows the colours actually shown), a title block and context labels.
//!
//! [`paint_legend`] / [`legend_ui`] draw into any egui painter, so the console reuses them in
//! its own egui context; [`OverlayRenderer`] draws the same things into an offscreen texture
//! for headless frames (no windows, so nothing fades in: one pass is enough).

use egui::{Color32, CornerRadius, FontId, Pos2, Rect, Stroke, Vec2, epaint::Mesh};

use crate::RenderError;
use crate::map::{MapLabel, Theme};
use crate::palette::{Domain, DomainMode, Palette, sample_stops};

/// What the legend shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// "Incident volume".
    pub title: String,
    pub palette: Palette,
    pub domain: Domain,
    /// Format ticks as percentages of 1 (rates and shares).
    pub percent: bool,
    /// Appended to the caption, e.g. "Resolution Street-scale (r9) ≈200 m edge · 0.11 km²."
    pub caption_suffix: Option<String>,
}

impl Legend {
    /// A legend for a palette and domain.
    pub fn new(title: impl Into<String>, palette: Palette, domain: Domain) -> Self {
        Self {
            title: title.into(),
            palette,
            domain,
            percent: false,
            caption_suffix: None,
        }
    }

    /// "Legend: green → lower incident intensity; red → higher incident intensity." The colour
    /// words come from the palette's actual low and high ends (after `reverse`,
    /// [`Palette::legend_caption`]), so a reversed palette can never be described backwards.
    pub fn caption(&self) -> String {
        let mut s = self.palette.legend_caption();
        if let Some(extra) = &self.caption_suffix {
            s.push(' ');
            s.push_str(extra);
        }
        s
    }

    /// Tick positions (`t` ∈ [0, 1] along the bar, low → high) and labels.
    pub fn ticks(&self) -> Vec<(f32, String)> {
        let d = &self.domain;
        let fmt = |v: f32, step: f32| format_value(v, step, self.percent);
        match d.mode {
            DomainMode::Quantile => {
                let k = d.breaks.len() + 1;
                let mut out = vec![(0.0, fmt(d.lo, 1.0))];
                let step = d
                    .breaks
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .fold(f32::INFINITY, f32::min);
                for (j, b) in d.breaks.iter().enumerate() {
                    out.push(((j + 1) as f32 / k as f32, fmt(*b, step.min(1.0))));
                }
                out
            }
            DomainMode::Linear => {
                let span = d.hi - d.lo;
                if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return vec![(0.0, fmt(d.lo, 1.0))];
                }
                let step = nice_step(span / 5.0);
                let mut v = (d.lo / step).ceil() * step;
                let mut out = Vec::new();
                while v <= d.hi + step * 1e-3 && out.len() < 20 {
                    out.push(((v - d.lo) / span, fmt(v, step)));
                    v += step;
                }
                out
            }
            DomainMode::Log => {
                let mut out = Vec::new();
                let mut candidates = vec![d.lo];
                let mut p = 1.0f32;
                while p <= d.hi * 1.0001 && candidates.len() < 40 {
                    for m in [1.0, 2.0, 5.0] {
                        let v = d.lo + p * m;
                        if v <= d.hi * 1.0001 {
                            candidates.push(v);
                        }
                    }
                    p *= 10.0;
                }
                // Keep both ends, then fill in candidates at least 0.12 apart along the bar.
                let top = candidates.last().copied().unwrap_or(d.hi);
                let mut chosen: Vec<f32> = vec![d.lo];
                if top > d.lo {
                    chosen.push(top);
                }
                for v in candidates {
                    let t = d.normalise(v);
                    if chosen.iter().all(|c| (d.normalise(*c) - t).abs() >= 0.12) {
                        chosen.push(v);
                    }
                }
                chosen.sort_by(f32::total_cmp);
                out.extend(chosen.into_iter().map(|v| (d.normalise(v), fmt(v, 1.0))));
                out
            }
        }
    }
}

/// A 1-2-5 step close to `raw`.
fn nice_step(raw: f32) -> f32 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f32.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn format_value(v: f32, step: f32, percent: bool) -> String {
    if percent {
        let decimals = if step * 100.0 >= 1.0 { 0 } else { 1 };
        return format!("{:.*}%", decimals, v * 100.0);
    }
    if step >= 1.0 && v.fract().abs() < 1e-3 {
        let n = v.round();
        if n >= 0.0 {
            hotspot_core::fmt::thousands(n as u64)
        } else {
            format!("-{}", hotspot_core::fmt::thousands((-n) as u64))
        }
    } else {
        let decimals = (-step.log10().floor()).clamp(1.0, 4.0) as usize;
        format!("{v:.decimals$}")
    }
}

fn c32(c: [u8; 4]) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

const BAR_W: f32 = 16.0;
const BAR_H: f32 = 180.0;
const PAD: f32 = 10.0;

type Galley = std::sync::Arc<egui::Galley>;

struct LegendLayout {
    title: Galley,
    ticks: Vec<(f32, Galley)>,
    size: Vec2,
}

fn legend_layout(painter: &egui::Painter, legend: &Legend, theme: Theme) -> LegendLayout {
    let fg = c32(theme.foreground());
    let title = painter.layout_no_wrap(legend.title.clone(), FontId::proportional(14.0), fg);
    let ticks: Vec<(f32, Galley)> = legend
        .ticks()
        .into_iter()
        .map(|(t, s)| (t, painter.layout_no_wrap(s, FontId::proportional(11.0), fg)))
        .collect();
    let tick_w = ticks.iter().map(|(_, g)| g.size().x).fold(0.0, f32::max);
    let width = (BAR_W + 10.0 + tick_w).max(title.size().x) + 2.0 * PAD;
    let height = PAD + title.size().y + 8.0 + BAR_H + 8.0 + PAD;
    LegendLayout {
        title,
        ticks,
        size: Vec2::new(width, height),
    }
}

/// The size (points) [`paint_legend`] will take.
pub fn legend_size(painter: &egui::Painter, legend: &Legend, theme: Theme) -> Vec2 {
    legend_layout(painter, legend, theme).size
}

/// Paints the legend panel with its top-left corner at `top_left` (points); returns its rect.
pub fn paint_legend(
    painter: &egui::Painter,
    top_left: Pos2,
    legend: &Legend,
    theme: Theme,
) -> Rect {
    let fg = c32(theme.foreground());
    let LegendLayout { title, ticks, size } = legend_layout(painter, legend, theme);
    let rect = Rect::from_min_size(top_left, size);
    painter.rect_filled(rect, CornerRadius::same(6), c32(theme.panel()));
    painter.galley(rect.min + Vec2::new(PAD, PAD), title.clone(), fg);

    let bar = Rect::from_min_size(
        rect.min + Vec2::new(PAD, PAD + title.size().y + 12.0),
        Vec2::new(BAR_W, BAR_H - 8.0),
    );
    let stops = legend.palette.ordered_stops();
    let mut mesh = Mesh::default();
    let y_of = |t: f32| bar.max.y - t * bar.height();
    let mut strip = |t0: f32, t1: f32, c0: [u8; 4], c1: [u8; 4]| {
        let base = mesh.vertices.len() as u32;
        mesh.colored_vertex(Pos2::new(bar.min.x, y_of(t0)), c32(c0));
        mesh.colored_vertex(Pos2::new(bar.max.x, y_of(t0)), c32(c0));
        mesh.colored_vertex(Pos2::new(bar.max.x, y_of(t1)), c32(c1));
        mesh.colored_vertex(Pos2::new(bar.min.x, y_of(t1)), c32(c1));
        mesh.add_triangle(base, base + 1, base + 2);
        mesh.add_triangle(base, base + 2, base + 3);
    };
    if legend.domain.mode == DomainMode::Quantile {
        let k = legend.domain.breaks.len() + 1;
        for c in 0..k {
            let t = if k > 1 {
                c as f32 / (k - 1) as f32
            } else {
                0.0
            };
            let col = sample_stops(&stops, t);
            strip(c as f32 / k as f32, (c + 1) as f32 / k as f32, col, col);
        }
    } else {
        let n = 48;
        for i in 0..n {
            let (t0, t1) = (i as f32 / n as f32, (i + 1) as f32 / n as f32);
            strip(t0, t1, sample_stops(&stops, t0), sample_stops(&stops, t1));
        }
    }
    painter.add(egui::Shape::mesh(mesh));
    painter.rect_stroke(
        bar,
        CornerRadius::ZERO,
        Stroke::new(1.0, fg.gamma_multiply(0.5)),
        egui::StrokeKind::Outside,
    );
    for (t, galley) in ticks {
        let y = y_of(t);
        painter.line_segment(
            [Pos2::new(bar.max.x, y), Pos2::new(bar.max.x + 4.0, y)],
            Stroke::new(1.0, fg),
        );
        let pos = Pos2::new(bar.max.x + 7.0, y - galley.size().y * 0.5);
        painter.galley(pos, galley, fg);
    }
    rect
}

/// The legend as an egui widget (allocates its size in `ui`).
pub fn legend_ui(ui: &mut egui::Ui, legend: &Legend, theme: Theme) -> egui::Response {
    let origin = ui.cursor().min;
    let painter = ui.painter().clone();
    let rect = paint_legend(&painter, origin, legend, theme);
    ui.allocate_rect(rect, egui::Sense::hover())
}

/// Paints a title block (title, subtitle) at the top-left; returns its rect.
pub fn paint_title(
    painter: &egui::Painter,
    top_left: Pos2,
    title: &str,
    subtitle: Option<&str>,
    theme: Theme,
) -> Rect {
    let fg = c32(theme.foreground());
    let t = painter.layout_no_wrap(title.to_string(), FontId::proportional(18.0), fg);
    let s = subtitle.map(|s| {
        painter.layout_no_wrap(
            s.to_string(),
            FontId::proportional(13.0),
            fg.gamma_multiply(0.8),
        )
    });
    let w = t.size().x.max(s.as_ref().map_or(0.0, |g| g.size().x)) + 2.0 * PAD;
    let h = t.size().y + s.as_ref().map_or(0.0, |g| g.size().y + 2.0) + 2.0 * PAD - 4.0;
    let rect = Rect::from_min_size(top_left, Vec2::new(w, h));
    painter.rect_filled(rect, CornerRadius::same(6), c32(theme.panel()));
    let th = t.size().y;
    painter.galley(rect.min + Vec2::new(PAD, PAD - 2.0), t, fg);
    if let Some(s) = s {
        painter.galley(rect.min + Vec2::new(PAD, PAD - 2.0 + th + 2.0), s, fg);
    }
    rect
}

/// Paints a wrapped caption along the bottom of `screen`; returns its rect.
pub fn paint_caption(painter: &egui::Painter, screen: Rect, text: &str, theme: Theme) -> Rect {
    let fg = c32(theme.foreground());
    let max_w = (screen.width() - 4.0 * PAD).max(50.0);
    let g = painter.layout(text.to_string(), FontId::proportional(12.0), fg, max_w);
    let size = g.size() + Vec2::splat(2.0 * PAD) - Vec2::new(0.0, 6.0);
    let rect = Rect::from_min_size(
        Pos2::new(screen.min.x + PAD, screen.max.y - PAD - size.y),
        size,
    );
    painter.rect_filled(rect, CornerRadius::same(6), c32(theme.panel()));
    painter.galley(rect.min + Vec2::new(PAD, PAD - 3.0), g, fg);
    rect
}

/// Paints context labels (positions in physical pixels) centred on their anchors, skipping
/// any that would overlap a higher-priority label or one of `avoid`.
pub fn paint_labels(
    painter: &egui::Painter,
    labels: &[MapLabel],
    pixels_per_point: f32,
    theme: Theme,
    avoid: &[Rect],
) {
    let fg = c32(theme.foreground());
    let mut taken: Vec<Rect> = avoid.to_vec();
    let screen = painter.clip_rect();
    for l in labels {
        let size = if l.major { 12.0 } else { 10.5 };
        let g = painter.layout_no_wrap(l.text.clone(), FontId::proportional(size), fg);
        let centre = Pos2::new(l.pos.x as f32, l.pos.y as f32) / pixels_per_point;
        let mut rect = Rect::from_center_size(centre, g.size() + Vec2::new(8.0, 2.0));
        if !screen.contains(centre) {
            continue;
        }
        // Keep labels of anchors near the edge on screen.
        let shift = Vec2::new(
            (screen.min.x - rect.min.x).max(0.0) + (screen.max.x - rect.max.x).min(0.0),
            (screen.min.y - rect.min.y).max(0.0) + (screen.max.y - rect.max.y).min(0.0),
        );
        rect = rect.translate(shift);
        if taken.iter().any(|r| r.expand(2.0).intersects(rect)) {
            continue;
        }
        taken.push(rect);
        let mut panel = theme.panel();
        panel[3] = (f32::from(panel[3]) * 0.7) as u8;
        painter.rect_filled(rect, CornerRadius::same(4), c32(panel));
        painter.galley(rect.min + Vec2::new(4.0, 1.0), g, fg);
    }
}

/// Adds egui's bundled monospace font as a fallback of the proportional family, so the
/// legend's "→", "≈" and similar symbols have glyphs (the default proportional font lacks
/// arrows). The console should call this on its own context too.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if fonts.font_data.contains_key("Hack")
        && let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.push("Hack".into());
    }
    ctx.set_fonts(fonts);
}

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
}

/// Draws an [`Overlay`] with egui into a texture (no MSAA: egui anti-aliases by feathering).
pub struct OverlayRenderer {
    ctx: egui::Context,
    renderer: egui_wgpu::Renderer,
    max_texture_side: usize,
}

impl OverlayRenderer {
    /// An egui context and renderer for targets of `format`.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let ctx = egui::Context::default();
        ctx.all_styles_mut(|s| s.animation_time = 0.0);
        install_fonts(&ctx);
        let renderer = egui_wgpu::Renderer::new(
            device,
            format,
            egui_wgpu::RendererOptions {
                msaa_samples: 1,
                depth_stencil_format: None,
                dithering: false,
                predictable_texture_filtering: true,
            },
        );
        Self {
            ctx,
            renderer,
            max_texture_side: device.limits().max_texture_dimension_2d as usize,
        }
    }

    /// Records the overlay into `encoder` over `view` (loaded, not cleared). Returns the
    /// command buffers egui needs submitted before `encoder`.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
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
            if let Some(title) = &overlay.title {
                avoid.push(paint_title(
                    &painter,
                    Pos2::new(PAD, PAD),
                    title,
                    overlay.subtitle.as_deref(),
                    theme,
                ));
            }
            if let Some(legend) = &overlay.legend {
                let size = legend_size(&painter, legend, theme);
                let top_left = Pos2::new(screen.max.x - PAD - size.x, PAD);
                avoid.push(paint_legend(&painter, top_left, legend, theme));
                avoid.push(paint_caption(&painter, screen, &legend.caption(), theme));
            }
            if overlay.labels {
                paint_labels(&painter, labels, ppp, theme, &avoid);
            }
        });
        let mut textures = output.textures_delta;
        for (id, deltas) in textures.set.drain() {
            for delta in deltas {
                self.renderer.update_texture(device, queue, id, &delta);
            }
        }
        let prims = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let screen_desc = egui_wgpu::ScreenDescriptor {
            size_in_pixels: size,
            pixels_per_point: output.pixels_per_point,
        };
        let extra = self
            .renderer
            .update_buffers(device, queue, encoder, &prims, &screen_desc);
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("hotspot overlay"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Load,
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                })
                .forget_lifetime();
            self.renderer.render(&mut pass, &prims, &screen_desc);
        }
        for id in textures.free.drain() {
            self.renderer.free_texture(&id);
        }
        Ok(extra)
    }
}
