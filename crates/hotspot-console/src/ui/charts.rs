//! The charts: offence mix over time, arrest outcomes, weekday and hourly profiles, offence
//! types, districts and crime mix. Every chart shows values on hover.

use egui::{Color32, Pos2, RichText, Stroke, Vec2};
use egui_plot::{AxisHints, Bar, BarChart, GridInput, GridMark, Line, Plot, PlotPoints};
use hotspot_core::fmt::{percent, thousands};
use hotspot_scope::{Granularity, ScopeResult};

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
const ARRESTS: Color32 = Color32::from_rgb(0x1b, 0x78, 0x37);
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The chart strip under the map, in two tabs.
pub fn show(ui: &mut egui::Ui, input: &UiInput<'_>, tab: &mut usize, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.selectable_value(tab, 0, "When");
        ui.selectable_value(tab, 1, "What and where");
    });
    let Some(r) = input.result else { return };
    let h = (ui.available_height() - 24.0).max(120.0);
    let w = ui.available_width();
    ui.horizontal_top(|ui| {
        if *tab == 0 {
            chart_box(ui, w * 0.36, h, "Offence mix over time", |ui| mix(ui, r));
            chart_box(ui, w * 0.14, h, "Arrest outcomes", |ui| donut(ui, r));
            chart_box(ui, w * 0.2, h, "Day of week (click to focus)", |ui| {
                weekdays(ui, r, actions)
            });
            let title = match r.series.hour_focus_dow {
                Some(d) => format!("Hourly — {} focus", DAYS[usize::from(d.min(6))]),
                None => "Hourly — all days".to_string(),
            };
            chart_box(ui, w * 0.27, h, &title, |ui| hourly(ui, r));
        } else {
            chart_box(
                ui,
                w * 0.38,
                h,
                "Incidents vs arrests, top 12 offences",
                |ui| types(ui, r),
            );
            chart_box(ui, w * 0.3, h, "Districts with most incidents", |ui| {
                districts(ui, r)
            });
            chart_box(ui, w * 0.29, h, "Crime mix (top 10)", |ui| crime_mix(ui, r));
        }
    });
}

fn chart_box(ui: &mut egui::Ui, w: f32, h: f32, title: &str, body: impl FnOnce(&mut egui::Ui)) {
    ui.allocate_ui(Vec2::new(w.max(120.0), h), |ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new(title).strong());
            body(ui);
        });
    });
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
        egui::FontId::proportional(11.0),
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

/// A chart's key as one wrapped row of swatches above the plot, so it never covers the data.
fn legend_row(ui: &mut egui::Ui, keys: &[(&str, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = Vec2::new(4.0, 2.0);
        for (name, colour) in keys {
            // Swatch and name wrap together.
            ui.horizontal(|ui| {
                let size = Vec2::splat(ui.text_style_height(&egui::TextStyle::Small) * 0.8);
                let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, *colour);
                ui.label(RichText::new(*name).small());
            });
            ui.add_space(6.0);
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
        .x_grid_spacer(category_spacer(23.0, &[1.0, 2.0, 3.0, 4.0, 6.0, 12.0]))
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

fn horizontal_bars(
    ui: &mut egui::Ui,
    id: &str,
    names: Vec<String>,
    series: Vec<(&str, Vec<u64>, Color32)>,
    per_bar_colours: Option<&[Color32]>,
) {
    let n = names.len();
    let k = series.len().max(1) as f64;
    if series.len() > 1 {
        let keys: Vec<(&str, Color32)> = series.iter().map(|(l, _, c)| (*l, *c)).collect();
        legend_row(ui, &keys);
    }
    let mut charts = Vec::new();
    for (si, (label, values, colour)) in series.into_iter().enumerate() {
        let bars: Vec<Bar> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                // Largest at the top: row 0 is drawn highest.
                let y = (n - 1 - i) as f64 + (si as f64 - (k - 1.0) / 2.0) * 0.8 / k;
                let mut bar = Bar::new(y, *v as f64).width(0.8 / k).name(format!(
                    "{}: {} {label}",
                    names[i],
                    thousands(*v)
                ));
                if let Some(c) = per_bar_colours {
                    bar = bar.fill(c[i % c.len()]);
                }
                bar
            })
            .collect();
        charts.push(
            BarChart::new(label.to_string(), bars)
                .color(colour)
                .horizontal(),
        );
    }
    let labels = names.clone();
    let width = (names.iter().map(|s| s.len()).max().unwrap_or(4).min(26) as f32) * 6.5;
    plot(id)
        .y_axis_min_width(width)
        .y_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
                return String::new();
            }
            labels[n - 1 - i as usize].chars().take(26).collect()
        })
        .show(ui, |p| {
            for c in charts {
                p.bar_chart(c);
            }
        });
}

fn types(ui: &mut egui::Ui, r: &ScopeResult) {
    let t = &r.series.top_types;
    horizontal_bars(
        ui,
        "types",
        t.iter().map(|x| x.primary_type.clone()).collect(),
        vec![
            (
                "incidents",
                t.iter().map(|x| x.incidents).collect(),
                INCIDENTS,
            ),
            ("arrests", t.iter().map(|x| x.arrests).collect(), ARRESTS),
        ],
        None,
    );
}

fn districts(ui: &mut egui::Ui, r: &ScopeResult) {
    let d = &r.series.top_districts;
    horizontal_bars(
        ui,
        "districts",
        d.iter().map(|x| x.label.clone()).collect(),
        vec![(
            "incidents",
            d.iter().map(|x| x.incidents).collect(),
            Color32::from_rgb(0x66, 0xc2, 0xa4),
        )],
        None,
    );
    if let Some(note) = &r.series.districts_note {
        ui.label(RichText::new(note).weak().small());
    }
}

fn crime_mix(ui: &mut egui::Ui, r: &ScopeResult) {
    let m = &r.series.crime_mix;
    horizontal_bars(
        ui,
        "crime-mix",
        m.iter().map(|x| x.primary_type.clone()).collect(),
        vec![(
            "incidents",
            m.iter().map(|x| x.incidents).collect(),
            RANK[0],
        )],
        Some(&RANK),
    );
}
