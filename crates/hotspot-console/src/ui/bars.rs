//! Ranked horizontal bars with a name on every row and the value at the bar's end: offence
//! types, districts, crime mix. Drawn with the painter, not a plot, so no label is ever
//! dropped for lack of axis room: a name that does not fit is shortened with "…" and shown in
//! full on hover.

use egui::{Align2, Color32, FontId, Rect, Sense, Vec2};
use hotspot_core::fmt::thousands;

/// One row: a name, its main value and an optional second value drawn inside the first (arrests
/// inside incidents).
#[derive(Clone, Debug, PartialEq)]
pub struct BarRow {
    pub name: String,
    pub value: u64,
    pub inner: Option<u64>,
    pub colour: Color32,
}

/// The smallest row that still holds a legible name.
pub const MIN_ROW_PX: f32 = 15.0;

/// The row height for `rows` in `height`: as tall as fits (up to 26 px), never below
/// [`MIN_ROW_PX`]; the rows then scroll.
pub fn row_height(rows: usize, height: f32) -> f32 {
    if rows == 0 {
        return MIN_ROW_PX;
    }
    (height / rows as f32).clamp(MIN_ROW_PX, 26.0)
}

/// `text` cut to at most `max_chars`, with "…" when it was cut.
pub fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    }
}

/// Draws `rows` (largest first) in the space left in `ui`, scrolling when they do not fit at a
/// legible height; `inner_label` names the second value ("arrests") in the value text and the
/// tooltip.
pub fn show(ui: &mut egui::Ui, id: &str, rows: &[BarRow], unit: &str, inner_label: Option<&str>) {
    let size = ui.available_size();
    let row_h = row_height(rows.len(), size.y);
    let needed = row_h * rows.len() as f32;
    if needed > size.y + 0.5 {
        egui::ScrollArea::vertical()
            .id_salt(id)
            .max_height(size.y)
            .auto_shrink([false, false])
            .show(ui, |ui| paint(ui, rows, row_h, size.x, unit, inner_label));
    } else {
        paint(ui, rows, row_h, size.x, unit, inner_label);
    }
}

fn paint(
    ui: &mut egui::Ui,
    rows: &[BarRow],
    row_h: f32,
    width: f32,
    unit: &str,
    inner_label: Option<&str>,
) {
    let height = (row_h * rows.len() as f32).max(row_h);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter_at(rect);
    let text_colour = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let font = FontId::proportional(ui.text_style_height(&egui::TextStyle::Small).max(12.0));
    if rows.is_empty() {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "no incidents",
            font,
            weak,
        );
        return;
    }
    // Names take up to 40 % of the width (measured, not estimated); values need room too.
    let measure = |t: &str| {
        painter
            .layout_no_wrap(t.to_string(), font.clone(), text_colour)
            .size()
            .x
    };
    let widest_name = rows.iter().map(|r| measure(&r.name)).fold(0.0, f32::max);
    let name_w = (widest_name + 6.0).min(rect.width() * 0.4);
    let fitted = |name: &str| -> String {
        if measure(name) + 6.0 <= name_w {
            return name.to_string();
        }
        let mut n = name.chars().count();
        while n > 2 {
            n -= 1;
            let s = shorten(name, n);
            if measure(&s) + 6.0 <= name_w {
                return s;
            }
        }
        shorten(name, 2)
    };
    let value_text = |r: &BarRow| match (r.inner, inner_label) {
        (Some(i), Some(l)) => format!("{} · {} {l}", thousands(r.value), thousands(i)),
        _ => thousands(r.value),
    };
    let widest_value = rows
        .iter()
        .map(|r| measure(&value_text(r)))
        .fold(0.0, f32::max)
        + 8.0;
    let bar_x0 = rect.min.x + name_w;
    let bar_span = (rect.max.x - bar_x0 - widest_value).max(10.0);
    let max = rows.iter().map(|r| r.value).max().unwrap_or(1).max(1) as f32;
    let pointer = response.hover_pos();
    let mut hovered = None;
    for (i, r) in rows.iter().enumerate() {
        let top = rect.min.y + i as f32 * row_h;
        let row_rect =
            Rect::from_min_size(egui::pos2(rect.min.x, top), Vec2::new(rect.width(), row_h));
        let mid = row_rect.center().y;
        painter.text(
            egui::pos2(bar_x0 - 6.0, mid),
            Align2::RIGHT_CENTER,
            fitted(&r.name),
            font.clone(),
            text_colour,
        );
        let len = bar_span * r.value as f32 / max;
        let bar = Rect::from_min_size(
            egui::pos2(bar_x0, top + row_h * 0.15),
            Vec2::new(len.max(1.0), row_h * 0.7),
        );
        painter.rect_filled(bar, 2.0, r.colour);
        if let Some(inner) = r.inner {
            let inner_len = bar_span * inner as f32 / max;
            let inner_bar = Rect::from_min_size(
                egui::pos2(bar_x0, top + row_h * 0.35),
                Vec2::new(
                    inner_len.max(if inner > 0 { 1.0 } else { 0.0 }),
                    row_h * 0.3,
                ),
            );
            painter.rect_filled(inner_bar, 1.0, darker(r.colour));
        }
        painter.text(
            egui::pos2(bar.max.x + 4.0, mid),
            Align2::LEFT_CENTER,
            value_text(r),
            font.clone(),
            weak,
        );
        if pointer.is_some_and(|p| row_rect.contains(p)) {
            hovered = Some(r);
        }
    }
    if let Some(r) = hovered {
        let text = match (r.inner, inner_label) {
            (Some(i), Some(l)) => format!(
                "{}: {} {unit}, {} {l}",
                r.name,
                thousands(r.value),
                thousands(i)
            ),
            _ => format!("{}: {} {unit}", r.name, thousands(r.value)),
        };
        response.on_hover_text(text);
    }
}

fn darker(c: Color32) -> Color32 {
    let f = |x: u8| (f32::from(x) * 0.45).round() as u8;
    Color32::from_rgb(f(c.r()), f(c.g()), f(c.b()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stay_legible_and_are_not_stretched() {
        // 12 rows in 240 px: 20 px each.
        assert_eq!(row_height(12, 240.0), 20.0);
        // 12 rows in 120 px: 15 px each (they scroll: 180 px of rows).
        assert_eq!(row_height(12, 120.0), MIN_ROW_PX);
        // Few rows are not stretched past 26 px.
        assert_eq!(row_height(2, 400.0), 26.0);
    }

    #[test]
    fn long_names_are_shortened_with_an_ellipsis() {
        assert_eq!(shorten("THEFT", 10), "THEFT");
        assert_eq!(
            shorten("CONCEALED CARRY LICENSE VIOLATION", 12),
            "CONCEALED C…"
        );
        assert_eq!(shorten("ab", 1), "…");
    }
}
