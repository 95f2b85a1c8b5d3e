//! The charts: offence mix over time, arrest outcomes, weekday and hourly profiles, offence
//! types, districts and crime mix. Every chart shows values on hover.

use egui::{Color32, Pos2, RichText, Stroke, Vec2};
use egui_plot::{AxisHints, Bar, BarChart, GridInput, GridMark, Line, Plot, PlotPoints};
use hotspot_core::fmt::{percent, thousands};
use hotspot_scope::{Granularity, ScopeResult};

use super::bars::{self, BarRow};
use super::{Action, UiInput};

/// Plotly's qualitative "Safe" sequence (the seed's mix colours) plus grey for "Other".
const SAFE: [Color32; 6] = [
    Color32::from_rgb(136, 204, 238),
    Color32::from_rgb(204, 102, 119),
    Color32::from_rgb(221, 204, 119),
    Color32::from_rgb(17, 119, 51),
    Color32::from_rgb(51, 34, 136),
    Color32::from_rgb(136, 136, 136),
];
/// The seed's crime-mix rank colours.
const RANK: [Color32; 10] = [
    Color32::from_rgb(0x1b, 0x9e, 0x77),
    Color32::from_rgb(0xd9, 0x5f, 0x02),
    Color32::from_rgb(0x75, 0x70, 0xb3),
    Color32::from_rgb(0xe7, 0x29, 0x8a),
    Color32::from_rgb(0x66, 0xa6, 0x1e),
    Color32::from_rgb(0xe6, 0xab, 0x02),
    Color32::from_rgb(0xa6, 0x76, 0x1d),
    Color32::from_rgb(0x66, 0x66, 0x66),
    Color32::from_rgb(0x8d, 0xd3, 0xc7),
    Color32::from_rgb(0xfb, 0x80, 0x72),
];
const INCIDENTS: Color32 = Color32::from_rgb(0xd7, 0x30, 0x27);
/// Arrests drawn inside an incidents bar (the incidents colour, darker).
const ARRESTS_INNER: Color32 = Color32::from_rgb(0x61, 0x16, 0x12);
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A chart of the strip: its title, its share of the width and the narrowest it can be read.
struct Spec {
    share: f32,
    min: f32,
}

/// Lays `specs` out in `width` (with `gap` between charts): one row when every chart gets at
/// least its minimum, else two rows (the first half, the rest). Each row's widths grow from the
/// minimums in proportion to the shares and add up to the row's width exactly.
fn layout(width: f32, gap: f32, specs: &[Spec]) -> Vec<Vec<(usize, f32)>> {
    let fits = |idx: &[usize]| {
        let mins: f32 = idx.iter().map(|&i| specs[i].min).sum();
        mins + gap * (idx.len().saturating_sub(1)) as f32 <= width
    };
    let row = |idx: Vec<usize>| -> Vec<(usize, f32)> {
        let inner = (width - gap * (idx.len().saturating_sub(1)) as f32).max(0.0);
        let mins: f32 = idx.iter().map(|&i| specs[i].min).sum();
        let shares: f32 = idx
            .iter()
            .map(|&i| specs[i].share)
            .sum::<f32>()
            .max(f32::EPSILON);
        idx.iter()
            .map(|&i| {
                let w = if inner >= mins {
                    specs[i].min + (inner - mins) * specs[i].share / shares
                } else {
                    // Narrower than every minimum (a tiny window): shrink in proportion.
                    inner * specs[i].min / mins.max(f32::EPSILON)
                };
                (i, w)
            })
            .collect()
    };
    let all: Vec<usize> = (0..specs.len()).collect();
    if specs.len() < 2 || fits(&all) {
        return vec![row(all)];
    }
    let half = specs.len().div_ceil(2);
    vec![row((0..half).collect()), row((half..specs.len()).collect())]
}

/// The charts of a tab: their shares of the width and their minimum widths.
fn specs(tab: usize) -> &'static [Spec] {
    const WHEN: [Spec; 4] = [
        Spec {
            share: 0.36,
            min: 260.0,
        },
        Spec {
            share: 0.14,
            min: 110.0,
        },
        Spec {
            share: 0.2,
            min: 160.0,
        },
        Spec {
            share: 0.3,
            min: 250.0,
        },
    ];
    const WHAT: [Spec; 3] = [
        Spec {
            share: 0.38,
            min: 260.0,
        },
        Spec {
            share: 0.3,
            min: 220.0,
        },
        Spec {
            share: 0.32,
            min: 220.0,
        },
    ];
    if tab == 0 { &WHEN } else { &WHAT }
}

/// The strip's least height: enough for its charts to stay readable in one row, or in two
/// when `width` is too narrow for one.
pub fn min_height(width: f32, gap: f32, tab: usize) -> f32 {
    if layout(width, gap, specs(tab)).len() > 1 {
        300.0
    } else {
        200.0
    }
}

/// The chart strip under the map, in two tabs. Charts share the width and wrap to two rows
/// when the strip is too narrow for all of them side by side.
pub fn show(
    ui: &mut egui::Ui,
    input: &UiInput<'_>,
    tab: &mut usize,
    area: &mut Option<u8>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.selectable_value(tab, 0, "When");
        ui.selectable_value(tab, 1, "What and where");
        ui.selectable_value(tab, 2, "CompStat").on_hover_text(
            "This week, 28 days and year to date against the periods before, by offence category",
        );
    });
    if *tab == 2 {
        super::compstat::show(ui, input.compstat, area);
        return;
    }
    let Some(r) = input.result else { return };
    let gap = ui.spacing().item_spacing.x;
    let width = ui.available_width();
    let height = (ui.available_height() - 4.0).max(120.0);
    let rows = layout(width, gap, specs(*tab));
    let row_h = (height - gap * (rows.len() - 1) as f32) / rows.len() as f32;
    for row in rows {
        ui.horizontal_top(|ui| {
            for (i, w) in row {
                match (*tab, i) {
                    (0, 0) => chart_box(ui, w, row_h, "Offence mix over time", |ui| mix(ui, r)),
                    (0, 1) => chart_box(ui, w, row_h, "Arrest outcomes", |ui| donut(ui, r)),
                    (0, 2) => chart_box(ui, w, row_h, "Day of week (click to focus)", |ui| {
                        weekdays(ui, r, actions)
                    }),
                    (0, _) => {
                        let title = match r.series.hour_focus_dow {
                            Some(d) => format!("Hourly — {} focus", DAYS[usize::from(d.min(6))]),
                            None => "Hourly — all days".to_string(),
                        };
                        chart_box(ui, w, row_h, &title, |ui| hourly(ui, r))
                    }
                    (_, 0) => chart_box(
                        ui,
                        w,
                        row_h,
                        "Incidents and arrests, top 12 offences",
                        |ui| types(ui, r),
                    ),
                    (_, 1) => chart_box(ui, w, row_h, "Districts with most incidents", |ui| {
                        districts(ui, r)
                    }),
                    (_, _) => chart_box(ui, w, row_h, "Crime mix (top 10)", |ui| crime_mix(ui, r)),
                }
            }
        });
    }
}

/// A chart in exactly `w` × `h`: its contents can neither grow past it nor push the next one.
fn chart_box(ui: &mut egui::Ui, w: f32, h: f32, title: &str, body: impl FnOnce(&mut egui::Ui)) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(w, h), egui::Sense::hover());
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    child.set_clip_rect(rect.intersect(ui.clip_rect()));
    child.set_width(w);
    child.label(RichText::new(title).strong());
    body(&mut child);
}

fn plot(id: &str) -> Plot<'static> {
    Plot::new(id.to_string())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_background(false)
}

fn mix(ui: &mut egui::Ui, r: &ScopeResult) {
    let m = &r.series.mix;
    let periods = m.periods.clone();
    let g = m.granularity;
    let mut charts: Vec<BarChart> = Vec::new();
    for (b, name) in m.buckets.iter().enumerate() {
        let bars: Vec<Bar> = m.counts[b]
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Bar::new(i as f64, f64::from(*v))
                    .width(0.85)
                    .name(format!("{name} · {}", period_name(&periods, i, g)))
            })
            .collect();
        let refs: Vec<&BarChart> = charts.iter().collect();
        let chart = BarChart::new(name.clone(), bars)
            .color(SAFE[b.min(SAFE.len() - 1)])
            .stack_on(&refs);
        charts.push(chart);
    }
    let keys: Vec<(&str, Color32)> = m
        .buckets
        .iter()
        .enumerate()
        .map(|(b, name)| (name.as_str(), SAFE[b.min(SAFE.len() - 1)]))
        .collect();
    legend_row(ui, &keys);
    let labels = periods.clone();
    plot("mix")
        .y_grid_spacer(value_spacer)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            labels
                .get(i as usize)
                .map(|d| {
                    d.format(if g == Granularity::Month {
                        "%b %Y"
                    } else {
                        "%-d %b"
                    })
                    .to_string()
                })
                .unwrap_or_default()
        })
        .show(ui, |p| {
            for c in charts {
                p.bar_chart(c);
            }
        });
}

fn period_name(periods: &[chrono::NaiveDate], i: usize, g: Granularity) -> String {
    periods.get(i).map_or_else(String::new, |d| match g {
        Granularity::Day => d.format("%a %-d %b").to_string(),
        Granularity::Week => format!("week of {}", d.format("%-d %b %Y")),
        Granularity::Month => d.format("%B %Y").to_string(),
    })
}

fn donut(ui: &mut egui::Ui, r: &ScopeResult) {
    let (a, n) = (r.series.arrests as f64, r.series.no_arrest as f64);
    let total = a + n;
    let size = ui.available_size();
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let centre = rect.center();
    let outer = (rect.width().min(rect.height()) * 0.42).max(10.0);
    let inner = outer * 0.55;
    if total <= 0.0 {
        painter.text(
            centre,
            egui::Align2::CENTER_CENTER,
            "no incidents",
            egui::FontId::proportional(13.0),
            Color32::GRAY,
        );
        return;
    }
    let slices = [
        (a, Color32::from_rgb(0x23, 0x8b, 0x45), "Arrests"),
        (n, Color32::from_rgb(0xfd, 0xdb, 0xc7), "No arrest"),
    ];
    let mut start = -std::f32::consts::FRAC_PI_2;
    let mut hovered = None;
    let pointer = response.hover_pos();
    for (value, colour, name) in slices {
        let sweep = (value / total) as f32 * std::f32::consts::TAU;
        let steps = ((sweep / 0.05).ceil() as usize).max(1);
        for s in 0..steps {
            let a0 = start + sweep * s as f32 / steps as f32;
            let a1 = start + sweep * (s + 1) as f32 / steps as f32;
            let p = |ang: f32, rad: f32| centre + Vec2::new(ang.cos(), ang.sin()) * rad;
            painter.add(egui::Shape::convex_polygon(
                vec![p(a0, inner), p(a0, outer), p(a1, outer), p(a1, inner)],
                colour,
                Stroke::NONE,
            ));
        }
        if let Some(pt) = pointer {
            let v = pt - centre;
            let d = v.length();
            let mut ang = v.y.atan2(v.x);
            if ang < -std::f32::consts::FRAC_PI_2 {
                ang += std::f32::consts::TAU;
            }
            if d >= inner && d <= outer && ang >= start && ang < start + sweep {
                hovered = Some((name, value));
            }
        }
        start += sweep;
    }
    painter.text(
        centre,
        egui::Align2::CENTER_CENTER,
        percent(a / total, 0),
        egui::FontId::proportional(16.0),
        ui.visuals().strong_text_color(),
    );
    painter.text(
        centre + Vec2::new(0.0, 16.0),
        egui::Align2::CENTER_CENTER,
        "arrested",
        egui::FontId::proportional(12.0),
        Color32::GRAY,
    );
    if let Some((name, value)) = hovered {
        response.on_hover_text(format!(
            "{name}: {} ({})",
            thousands(value as u64),
            percent(value / total, 1)
        ));
    }
    let _ = Pos2::ZERO;
}

fn weekdays(ui: &mut egui::Ui, r: &ScopeResult, actions: &mut Vec<Action>) {
    let s = &r.series;
    let focus = s.hour_focus_dow;
    let max = s.dow_incidents.iter().copied().max().unwrap_or(1).max(1) as f32;
    let bars: Vec<Bar> = (0..7)
        .map(|d| {
            let v = s.dow_incidents[d];
            let t = v as f32 / max;
            let fill = lerp(
                Color32::from_rgb(0xfe, 0xe0, 0xd2),
                Color32::from_rgb(0xde, 0x2d, 0x26),
                t,
            );
            let stroke = if focus == Some(d as u8) {
                Stroke::new(2.5, Color32::WHITE)
            } else {
                Stroke::new(0.5, Color32::from_gray(0xbb))
            };
            Bar::new(d as f64, v as f64)
                .width(0.8)
                .fill(fill)
                .stroke(stroke)
                .name(format!(
                    "{}: {} incidents, {} arrests",
                    DAYS[d],
                    thousands(v),
                    thousands(s.dow_arrests[d])
                ))
        })
        .collect();
    let response = plot("dow")
        .y_grid_spacer(value_spacer)
        .x_grid_spacer(category_spacer(6.0, &[1.0, 2.0, 3.0]))
        .custom_x_axes(vec![dense_axis().formatter(|m, _| {
            let i = m.value.round();
            if (m.value - i).abs() > 1e-6 || !(0.0..7.0).contains(&i) {
                String::new()
            } else {
                DAYS[i as usize][..2].to_string()
            }
        })])
        .show(ui, |p| {
            p.bar_chart(BarChart::new("Incidents", bars));
            p.pointer_coordinate()
        });
    if response.response.clicked()
        && let Some(pt) = response.inner
    {
        let d = pt.x.round();
        if (0.0..7.0).contains(&d) {
            let d = d as u8;
            actions.push(Action::FocusDow(if focus == Some(d) {
                None
            } else {
                Some(d)
            }));
        }
    }
    if focus.is_some() && ui.small_button("Show all days").clicked() {
        actions.push(Action::FocusDow(None));
    }
}

/// An x axis for category ticks (weekdays, hours): labels show from 16 px apart, not egui_plot's
/// default 60 px, which hides them on a compact chart ([`category_spacer`] keeps them apart).
fn dense_axis() -> AxisHints<'static> {
    AxisHints::new_x().label_spacing(16.0..=20.0)
}

/// Value ticks at 1, 2 or 5 × 10ⁿ, at least 28 px apart: a short chart still gets a scale
/// (egui_plot's powers-of-ten grid leaves one shows only "0").
fn value_spacer(input: GridInput) -> Vec<GridMark> {
    let px_per_unit = 8.0 / input.base_step_size.max(f64::EPSILON);
    let min_step = 28.0 / px_per_unit;
    let magnitude = 10f64.powf(min_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= min_step)
        .unwrap_or(10.0 * magnitude);
    let (lo, hi) = input.bounds;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last.min(first + 100))
        .map(|i| GridMark {
            value: i as f64 * step,
            step_size: step,
        })
        .collect()
}

/// Ticks at 0, step, 2·step … `max` for the smallest `steps` entry at least 32 px wide, so the
/// labels under a compact chart never run together.
fn category_spacer(max: f64, steps: &'static [f64]) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |input| {
        // egui_plot's base step is the value span of its minimum grid spacing (8 points).
        let px_per_unit = 8.0 / input.base_step_size.max(f64::EPSILON);
        let step = steps
            .iter()
            .copied()
            .find(|s| s * px_per_unit >= 32.0)
            .or_else(|| steps.last().copied())
            .unwrap_or(1.0);
        (0..)
            .map(|i| f64::from(i) * step)
            .take_while(|v| *v <= max + 1e-9)
            .map(|value| GridMark {
                value,
                step_size: step,
            })
            .collect()
    }
}

/// A chart's key as one wrapped row of swatches above the plot, so it never covers the data:
/// each swatch and its name are one item, moved to the next line whole when it does not fit.
fn legend_row(ui: &mut egui::Ui, keys: &[(&str, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = Vec2::new(10.0, 2.0);
        let font = egui::TextStyle::Small.resolve(ui.style());
        let colour = ui.visuals().text_color();
        for (name, swatch) in keys {
            let galley = ui
                .painter()
                .layout_no_wrap(name.to_string(), font.clone(), colour);
            let side = font.size * 0.8;
            let size = Vec2::new(side + 4.0 + galley.size().x, galley.size().y.max(side));
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let square = egui::Rect::from_center_size(
                egui::pos2(rect.min.x + side / 2.0, rect.center().y),
                Vec2::splat(side),
            );
            ui.painter().rect_filled(square, 2.0, *swatch);
            ui.painter().galley(
                egui::pos2(
                    rect.min.x + side + 4.0,
                    rect.center().y - galley.size().y / 2.0,
                ),
                galley,
                colour,
            );
        }
    });
}

fn lerp(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(m(a.r(), b.r()), m(a.g(), b.g()), m(a.b(), b.b()))
}

fn hourly(ui: &mut egui::Ui, r: &ScopeResult) {
    let s = &r.series;
    let line: PlotPoints = (0..24)
        .map(|h| [h as f64, s.hour_incidents[h] as f64])
        .collect();
    let arrests: Vec<Bar> = (0..24)
        .map(|h| {
            Bar::new(h as f64, s.hour_arrests[h] as f64)
                .width(0.7)
                .name(format!("{h:02}:00 arrests"))
        })
        .collect();
    let (arrest_colour, line_colour) = (
        Color32::from_rgba_unmultiplied(0x74, 0xa9, 0xcf, 115),
        Color32::from_rgb(0xff, 0x7f, 0x00),
    );
    legend_row(
        ui,
        &[("Incidents", line_colour), ("Arrests", arrest_colour)],
    );
    plot("hourly")
        .y_grid_spacer(value_spacer)
        .x_grid_spacer(category_spacer(23.0, &[1.0, 2.0, 3.0, 6.0, 12.0]))
        .custom_x_axes(vec![
            dense_axis().formatter(|m, _| format!("{:02}h", m.value.round() as i64)),
        ])
        .show(ui, |p| {
            p.bar_chart(BarChart::new("Arrests", arrests).color(arrest_colour));
            p.line(Line::new("Incidents", line).color(line_colour).width(2.0));
        });
    if let Some(note) = &s.hour_note {
        ui.label(RichText::new(note).weak().small());
    }
}

fn types(ui: &mut egui::Ui, r: &ScopeResult) {
    let rows: Vec<BarRow> = r
        .series
        .top_types
        .iter()
        .map(|t| BarRow {
            name: t.primary_type.clone(),
            value: t.incidents,
            inner: Some(t.arrests),
            colour: INCIDENTS,
        })
        .collect();
    legend_row(
        ui,
        &[
            ("incidents", INCIDENTS),
            ("arrests (inside)", ARRESTS_INNER),
        ],
    );
    bars::show(ui, "types", &rows, "incidents", Some("arrests"));
}

fn districts(ui: &mut egui::Ui, r: &ScopeResult) {
    let note = r.series.districts_note.clone();
    let rows: Vec<BarRow> = r
        .series
        .top_districts
        .iter()
        .map(|d| BarRow {
            name: d.label.clone(),
            value: d.incidents,
            inner: None,
            colour: Color32::from_rgb(0x66, 0xc2, 0xa4),
        })
        .collect();
    if let Some(note) = note {
        ui.label(RichText::new(note).weak().small());
    }
    bars::show(ui, "districts", &rows, "incidents", None);
}

fn crime_mix(ui: &mut egui::Ui, r: &ScopeResult) {
    let rows: Vec<BarRow> = r
        .series
        .crime_mix
        .iter()
        .enumerate()
        .map(|(i, t)| BarRow {
            name: t.primary_type.clone(),
            value: t.incidents,
            inner: None,
            colour: RANK[i % RANK.len()],
        })
        .collect();
    bars::show(ui, "crime-mix", &rows, "incidents", None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(row: &[(usize, f32)], gap: f32) -> f32 {
        row.iter().map(|(_, w)| w).sum::<f32>() + gap * (row.len() - 1) as f32
    }

    #[test]
    fn charts_share_one_row_when_they_fit_and_wrap_when_not() {
        let specs = specs(0);
        // 1920-px window: the strip is ~1190 px, one row, every chart past its minimum.
        let rows = layout(1190.0, 8.0, specs);
        assert_eq!(rows.len(), 1);
        assert!((total(&rows[0], 8.0) - 1190.0).abs() < 0.01);
        for (i, w) in &rows[0] {
            assert!(*w >= specs[*i].min, "chart {i}: {w}");
        }
        // 1600 px (strip ~840 px: 780 of minimums + 24 of gaps fits) and 1280 px (~550 px).
        assert_eq!(layout(840.0, 8.0, specs).len(), 1);
        assert_eq!(layout(800.0, 8.0, specs).len(), 2);
        let rows = layout(550.0, 8.0, specs);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1]);
        for row in &rows {
            assert!((total(row, 8.0) - 550.0).abs() < 0.01);
            for (i, w) in row {
                assert!(*w >= specs[*i].min, "chart {i}: {w}");
            }
        }
    }
}
