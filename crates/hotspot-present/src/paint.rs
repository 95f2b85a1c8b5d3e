//! Painting the map's text with egui into any painter: the legend panel, a title block, a
//! wrapped caption and collision-free context labels, plus the fonts they need. The console
//! paints them in its own egui context; [`crate::OverlayRenderer`] paints them into headless
//! frames.

use egui::emath;
use egui::{Color32, CornerRadius, FontId, Pos2, Rect, Stroke, Vec2, epaint::Mesh};
use hotspot_core::palette::{DomainMode, sample_stops};
use hotspot_render::{MapLabel, Theme};

use crate::legend::Legend;

/// Padding inside panels and from the frame's edges (points).
pub const PAD: f32 = 10.0;

pub(crate) fn c32(c: [u8; 4]) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

const BAR_W: f32 = 16.0;
const BAR_H: f32 = 180.0;

type Galley = std::sync::Arc<egui::Galley>;

/// A categorical legend's swatch side and row height (points).
const SWATCH: f32 = 13.0;
const ROW_H: f32 = 18.0;

struct LegendLayout {
    title: Galley,
    ticks: Vec<(f32, Galley)>,
    /// One line per category of a categorical legend.
    rows: Vec<Galley>,
    size: Vec2,
}

fn legend_layout(painter: &egui::Painter, legend: &Legend, theme: Theme) -> LegendLayout {
    let fg = c32(theme.foreground());
    let mut job = egui::text::LayoutJob::default();
    job.append(
        &legend.title,
        0.0,
        egui::TextFormat::simple(FontId::proportional(14.0), fg),
    );
    for note in legend.method.iter().chain(&legend.highlight) {
        job.append(
            &format!("\n{note}"),
            0.0,
            egui::TextFormat::simple(FontId::proportional(12.0), fg),
        );
    }
    let title = painter.layout_job(job);
    let ticks: Vec<(f32, Galley)> = legend
        .ticks()
        .into_iter()
        .map(|(t, s)| (t, painter.layout_no_wrap(s, FontId::proportional(12.0), fg)))
        .collect();
    if let Some(entries) = &legend.categories {
        let rows: Vec<Galley> = entries
            .iter()
            .map(|e| {
                painter.layout_no_wrap(
                    format!("{}  {}", e.label, hotspot_core::fmt::thousands(e.count)),
                    FontId::proportional(12.0),
                    fg,
                )
            })
            .collect();
        let row_w = rows.iter().map(|g| g.size().x).fold(0.0, f32::max);
        let width = (SWATCH + 8.0 + row_w).max(title.size().x) + 2.0 * PAD;
        let body = if rows.is_empty() {
            ROW_H
        } else {
            rows.len() as f32 * ROW_H
        };
        let height = PAD + title.size().y + 8.0 + body + PAD;
        return LegendLayout {
            title,
            ticks: Vec::new(),
            rows,
            size: Vec2::new(width, height),
        };
    }
    let tick_w = ticks.iter().map(|(_, g)| g.size().x).fold(0.0, f32::max);
    let width = (BAR_W + 10.0 + tick_w).max(title.size().x) + 2.0 * PAD;
    let height = PAD + title.size().y + 8.0 + BAR_H + 8.0 + PAD;
    LegendLayout {
        title,
        ticks,
        rows: Vec::new(),
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
    let LegendLayout {
        title,
        ticks,
        rows,
        size,
    } = legend_layout(painter, legend, theme);
    let rect = Rect::from_min_size(top_left, size);
    painter.rect_filled(rect, CornerRadius::same(6), c32(theme.panel()));
    painter.galley(rect.min + Vec2::new(PAD, PAD), title.clone(), fg);
    if let Some(entries) = &legend.categories {
        let top = rect.min.y + PAD + title.size().y + 8.0;
        for (k, (entry, galley)) in entries.iter().zip(rows).enumerate() {
            let y = top + k as f32 * ROW_H;
            let swatch = Rect::from_min_size(
                Pos2::new(rect.min.x + PAD, y + (ROW_H - SWATCH) * 0.5),
                Vec2::splat(SWATCH),
            );
            painter.rect_filled(swatch, CornerRadius::same(2), c32(entry.colour));
            painter.rect_stroke(
                swatch,
                CornerRadius::same(2),
                Stroke::new(1.0, fg.gamma_multiply(0.5)),
                egui::StrokeKind::Outside,
            );
            let pos = Pos2::new(swatch.max.x + 8.0, y + (ROW_H - galley.size().y) * 0.5);
            painter.galley(pos, galley, fg);
        }
        return rect;
    }

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

/// Paints a basemap's attribution (e.g. "© OpenStreetMap contributors") in the bottom-right
/// corner of `screen`, small and on a panel, as tile licences ask; returns its rect.
pub fn paint_attribution(painter: &egui::Painter, screen: Rect, text: &str, theme: Theme) -> Rect {
    let fg = c32(theme.foreground()).gamma_multiply(0.85);
    let max_w = (screen.width() * 0.5).max(80.0);
    let g = painter.layout(text.to_string(), FontId::proportional(12.0), fg, max_w);
    let size = g.size() + Vec2::new(12.0, 6.0);
    let rect = Rect::from_min_size(
        Pos2::new(screen.max.x - 4.0 - size.x, screen.max.y - 4.0 - size.y),
        size,
    );
    painter.rect_filled(rect, CornerRadius::same(4), c32(theme.panel()));
    painter.galley(rect.min + Vec2::new(6.0, 3.0), g, fg);
    rect
}

/// Paints a large date stamp (an animation frame's dates) in the bottom-right corner of
/// `screen`, readable at a glance in a briefing; returns its rect.
pub fn paint_stamp(painter: &egui::Painter, screen: Rect, text: &str, theme: Theme) -> Rect {
    let fg = c32(theme.foreground());
    let g = painter.layout_no_wrap(text.to_string(), FontId::proportional(26.0), fg);
    let size = g.size() + Vec2::new(2.0 * PAD, PAD);
    let rect = Rect::from_min_size(
        Pos2::new(screen.max.x - PAD - size.x, screen.max.y - PAD - size.y),
        size,
    );
    painter.rect_filled(rect, CornerRadius::same(6), c32(theme.panel()));
    painter.galley(rect.min + Vec2::new(PAD, PAD * 0.5), g, fg);
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

/// Paints context labels centred on their anchors inside `map` (the map's rect in points; a
/// label's position is in physical pixels from the map's top-left corner, as
/// [`hotspot_render::MapRenderer::labels`] gives them), most important first, skipping any
/// that would overlap one already placed or one of `avoid`.
pub fn paint_labels(
    painter: &egui::Painter,
    map: Rect,
    labels: &[MapLabel],
    pixels_per_point: f32,
    theme: Theme,
    avoid: &[Rect],
) {
    let fg = c32(theme.foreground());
    let mut taken: Vec<Rect> = avoid.to_vec();
    let screen = map.intersect(painter.clip_rect());
    let ppp = pixels_per_point.max(0.25);
    for l in labels {
        if let Some((angle, room_px)) = l.along {
            paint_street_label(
                painter,
                map,
                l,
                angle,
                room_px / ppp,
                ppp,
                theme,
                &mut taken,
            );
            continue;
        }
        let size = if l.major { 12.0 } else { 10.5 };
        let g = painter.layout_no_wrap(l.text.clone(), FontId::proportional(size), fg);
        let centre = map.min + Vec2::new(l.pos.x as f32, l.pos.y as f32) / ppp;
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

/// A street name laid along its line, centred on the label's anchor, in the foreground colour
/// with a background-coloured halo; skipped when it is longer than its stretch or would overlap
/// a label already placed (the collision box is the rotated text's bounding box).
#[allow(clippy::too_many_arguments)]
fn paint_street_label(
    painter: &egui::Painter,
    map: Rect,
    l: &MapLabel,
    angle: f32,
    room: f32,
    ppp: f32,
    theme: Theme,
    taken: &mut Vec<Rect>,
) {
    let fg = c32(theme.foreground());
    let bg = c32(theme.background());
    let g = painter.layout_no_wrap(l.text.clone(), FontId::proportional(10.0), fg);
    let size = g.size();
    if size.x + 8.0 > room {
        return;
    }
    let centre = map.min + Vec2::new(l.pos.x as f32, l.pos.y as f32) / ppp;
    let rot = emath::Rot2::from_angle(angle);
    let half = size * 0.5;
    let corners = [
        Vec2::new(-half.x, -half.y),
        Vec2::new(half.x, -half.y),
        Vec2::new(half.x, half.y),
        Vec2::new(-half.x, half.y),
    ]
    .map(|c| centre + rot * c);
    let bbox = Rect::from_points(&corners);
    if !map.contains_rect(bbox) || taken.iter().any(|r| r.expand(2.0).intersects(bbox)) {
        return;
    }
    taken.push(bbox);
    let origin = centre - rot * half;
    for d in [
        Vec2::new(-1.0, 0.0),
        Vec2::new(1.0, 0.0),
        Vec2::new(0.0, -1.0),
        Vec2::new(0.0, 1.0),
    ] {
        painter.add(
            egui::epaint::TextShape::new(origin + d, g.clone(), bg)
                .with_override_text_color(bg)
                .with_angle(angle),
        );
    }
    painter.add(egui::epaint::TextShape::new(origin, g, fg).with_angle(angle));
}

/// egui's default fonts with its bundled monospace font (Hack) as a fallback of the
/// proportional family, so "→", "≈", "◀", "▲", "▼" and "↺" have glyphs (the default
/// proportional font lacks arrows). Every egui context that paints Hotspot text calls this.
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
