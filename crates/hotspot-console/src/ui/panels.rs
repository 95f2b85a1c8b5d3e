//! Breadcrumbs, KPIs, warnings, quick hits, the hotspot table and the map tooltip.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat};
use hotspot_core::fmt::{percent, thousands};
use hotspot_core::res;
use hotspot_scope::{ScopeResult, WarningKind, WeekDelta};

use super::{Action, UiInput, delta_colour};

/// The breadcrumb bar over the map.
pub fn breadcrumbs(ui: &mut egui::Ui, input: &UiInput<'_>, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let title = input
            .view
            .title
            .clone()
            .unwrap_or_else(|| res::display(input.view.res()));
        ui.label(RichText::new(title).strong());
        ui.separator();
        match input.result {
            Some(r) => {
                let n = r.drill.breadcrumbs.len();
                for (i, crumb) in r.drill.breadcrumbs.iter().enumerate() {
                    if i > 0 {
                        ui.label("›");
                    }
                    let text = match crumb.cell {
                        Some(_) => format!("{} ({})", crumb.label, res::name(crumb.res)),
                        None => crumb.label.clone(),
                    };
                    if i + 1 == n {
                        ui.label(RichText::new(text).strong());
                    } else if ui.link(text).clicked() {
                        actions.push(Action::TruncateDrill(i));
                    }
                }
                ui.separator();
                ui.label(
                    RichText::new(format!(
                        "{} · {}",
                        r.period_label,
                        res::display(r.scope.res)
                    ))
                    .weak(),
                );
            }
            None => {
                ui.label(RichText::new("Citywide").strong());
            }
        }
        if let Some(name) = &input.view.predicate {
            ui.separator();
            if ui
                .button(format!("Highlight: {name} ✕"))
                .on_hover_text("The view's predicate: its cells drawn in full, the rest dimmed. Click to stop highlighting.")
                .clicked()
            {
                actions.push(Action::ClearHighlight);
            }
        }
        if !input.view.drill.is_empty() {
            ui.separator();
            if ui
                .button("◀ Step back")
                .on_hover_text("Backspace")
                .clicked()
            {
                actions.push(Action::StepBack);
            }
            if ui.button("↺ Reset").on_hover_text("Esc").clicked() {
                actions.push(Action::ResetView);
            }
        }
    });
}

fn delta_line(ui: &mut egui::Ui, delta: &Option<WeekDelta>, higher_is_better: bool, unit: &str) {
    if let Some(d) = delta {
        ui.label(
            RichText::new(format!(
                "{:+.1}{unit} vs first week ({:.1} → {:.1})",
                d.change, d.first_week_mean, d.last_week_mean
            ))
            .color(delta_colour(d.change, higher_is_better))
            .small(),
        );
    }
}

fn kpi(ui: &mut egui::Ui, title: &str, value: String, detail: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(RichText::new(title).weak());
        ui.label(RichText::new(value).size(24.0).strong());
        detail(ui);
    });
}

/// Renders `**bold**` markup as a layout job.
pub fn markup(ui: &egui::Ui, text: &str) -> LayoutJob {
    markup_sized(ui, text, 14.0)
}

/// [`markup`] at a font size (points), wrapped to the space left.
pub fn markup_sized(ui: &egui::Ui, text: &str, size: f32) -> LayoutJob {
    let mut job = LayoutJob::default();
    let normal = TextFormat {
        font_id: FontId::proportional(size),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let strong = TextFormat {
        color: ui.visuals().strong_text_color(),
        ..normal.clone()
    };
    for (i, part) in text.split("**").enumerate() {
        job.append(
            part,
            0.0,
            if i % 2 == 1 {
                strong.clone()
            } else {
                normal.clone()
            },
        );
    }
    job.wrap.max_width = ui.available_width();
    job
}

/// The right panel: KPIs, warnings, quick hits, table.
pub fn insights(ui: &mut egui::Ui, input: &UiInput<'_>, actions: &mut Vec<Action>) {
    for e in input.script_errors {
        egui::Frame::new()
            .fill(Color32::from_rgb(0x5a, 0x1e, 0x1e))
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.label(
                    RichText::new(format!(
                        "Script error — the last good version stays in effect:\n{e}"
                    ))
                    .color(Color32::WHITE)
                    .monospace(),
                );
            });
    }
    alerts(ui, input.alerts, actions);
    let Some(r) = input.result else {
        ui.spinner();
        ui.label("Loading…");
        return;
    };
    ui.heading("Incident snapshot");
    let k = &r.kpis;
    kpi(ui, &k.incidents_label, thousands(k.incidents), |ui| {
        delta_line(ui, &k.incidents_delta, false, "/day")
    });
    match &k.busiest {
        Some(b) => kpi(
            ui,
            if r.selection_active {
                "Busiest cell (selected)"
            } else {
                "Busiest cell"
            },
            thousands(u64::from(b.value)),
            |ui| {
                if ui
                    .link(&b.label)
                    .on_hover_text("Fly to this cell")
                    .clicked()
                {
                    actions.push(Action::FlyTo(b.cell));
                }
                if r.selection_active {
                    ui.label(
                        RichText::new(format!("focus share {}", percent(b.focus_share, 0))).small(),
                    );
                }
                delta_line(ui, &b.delta, false, "/day");
            },
        ),
        None => kpi(ui, "Busiest cell", "–".into(), |_| {}),
    }
    match k.avg_focus_share {
        Some(s) => kpi(ui, "Avg focus share", percent(s, 0), |ui| {
            if let Some(o) = k.overall_focus_share {
                ui.label(
                    RichText::new(format!("{} of all incidents in scope", percent(o, 0))).small(),
                );
            }
            if let Some(d) = &k.avg_focus_share_delta {
                ui.label(
                    RichText::new(format!("{:+.1} pp vs first week", d.change * 100.0))
                        .color(delta_colour(d.change, false))
                        .small(),
                );
            }
        }),
        // On the wall nobody can select offences: an empty card would only take room.
        None if input.wall => {}
        None => kpi(ui, "Avg focus share", "–".into(), |ui| {
            ui.label(
                RichText::new("select offences to see their share")
                    .weak()
                    .small(),
            );
        }),
    }
    kpi(ui, "Total arrests", thousands(k.arrests), |ui| {
        ui.label(RichText::new(format!("arrest rate {}", percent(k.arrest_rate, 1))).small());
        delta_line(ui, &k.arrests_delta, true, "/day");
    });
    if let Some(c) = r.comparison.change_share {
        ui.label(
            RichText::new(format!(
                "{} vs {} ({} → {})",
                percent(c, 0),
                r.comparison.period_label,
                thousands(r.comparison.incidents),
                thousands(k.incidents)
            ))
            .color(delta_colour(c, false)),
        );
    }
    if !k.window.note.is_empty() {
        ui.label(RichText::new(&k.window.note).weak().small());
    }
    for w in &r.warnings {
        let colour = match w.kind {
            WarningKind::EmptySelection | WarningKind::NoData | WarningKind::NoChildren => {
                Color32::from_rgb(0xe0, 0x80, 0x40)
            }
            _ => Color32::from_rgb(0xd0, 0xb0, 0x40),
        };
        ui.label(RichText::new(format!("! {}", w.message)).color(colour));
    }
    ui.separator();
    ui.heading("Quick hits");
    if input.quick_hits.is_empty() {
        ui.label(RichText::new("No talking points for this slice.").weak());
    }
    for hit in input.quick_hits {
        ui.horizontal_wrapped(|ui| {
            ui.label("•");
            let job = markup(ui, hit);
            ui.label(job);
        });
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.heading("Hotspots");
        if ui
            .small_button("Export CSV")
            .on_hover_text("Ctrl+E")
            .clicked()
        {
            actions.push(Action::ExportCsv);
        }
    });
    super::table::show(ui, r, input, actions);
}

/// The alerts fired while the console runs (the wall shows them full screen), newest first;
/// each flies to its cell.
fn alerts(ui: &mut egui::Ui, fired: &[crate::alerts::Fired], actions: &mut Vec<Action>) {
    if fired.is_empty() {
        return;
    }
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.5, Color32::from_rgb(0xc6, 0x28, 0x28)))
        .inner_margin(6.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.label(
                RichText::new(format!("Alerts ({})", fired.len()))
                    .strong()
                    .color(Color32::from_rgb(0xe0, 0x50, 0x50)),
            );
            for f in fired.iter().take(5) {
                let a = &f.alert;
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(f.at.format("%H:%M").to_string()).weak());
                    if ui
                        .link(format!("{} · {}", a.rule, a.place))
                        .on_hover_text(&a.why)
                        .clicked()
                    {
                        actions.push(Action::FlyTo(a.cell));
                    }
                    ui.label(format!(
                        "{} incidents, {} – {}",
                        thousands(a.observed),
                        a.from.format("%-d %b"),
                        a.to.format("%-d %b")
                    ));
                });
            }
        });
    ui.add_space(6.0);
}

/// The hover tooltip of a map cell.
pub fn cell_tooltip(ui: &mut egui::Ui, r: &ScopeResult, row: usize) {
    let c = &r.cells;
    if row >= c.len() {
        return;
    }
    use arrow_array::Array;
    ui.label(RichText::new(c.label.value(row)).strong());
    let dominant = if c.dominant_type.is_null(row) {
        "–"
    } else {
        c.dominant_type.value(row)
    };
    ui.label(format!("Dominant offence: {dominant}"));
    ui.label(format!(
        "Incidents: {}",
        thousands(u64::from(c.incidents.value(row)))
    ));
    if r.selection_active {
        ui.label(format!(
            "Selected: {} ({} of incidents)",
            thousands(u64::from(c.selected.value(row))),
            percent(f64::from(c.focus_share.value(row)), 0)
        ));
    }
    ui.label(format!(
        "Arrests: {} · rate {} (95% CI {}–{})",
        thousands(u64::from(c.arrests.value(row))),
        percent(f64::from(c.arrest_rate.value(row)), 0),
        percent(f64::from(c.wilson_lo.value(row)), 0),
        percent(f64::from(c.wilson_hi.value(row)), 0)
    ));
    if let Some((z, p, bin)) = r.hot_spots.as_ref().and_then(|h| h.of(c.cell.value(row))) {
        let verdict = match bin {
            0 => "not a significant hot or cold spot".to_string(),
            b => format!(
                "{} spot at {} confidence",
                if b > 0 { "hot" } else { "cold" },
                match b.unsigned_abs() {
                    3 => "99%",
                    2 => "95%",
                    _ => "90%",
                }
            ),
        };
        ui.label(format!("Gi* z {z:.2} · p {p:.3}: {verdict}"));
    }
    if let Some(e) = &r.emerging
        && let Some((category, tau, p)) = e.stats.of(c.cell.value(row))
    {
        let trend = if tau.is_finite() && p.is_finite() {
            format!(
                "trend τ {tau:+.2} · p {p:.3} over {} {}s",
                e.stats.steps.len(),
                e.stats.options.step.name()
            )
        } else {
            "no trend".to_string()
        };
        ui.label(format!("{} · {trend}", category.name()));
    }
    ui.label(format!(
        "Smoothed {} · neighbour-pooled {}",
        percent(f64::from(c.smoothed_rate.value(row)), 0),
        percent(f64::from(c.pooled_smoothed.value(row)), 0)
    ));
    if c.low_confidence.value(row) {
        ui.label(RichText::new("Fewer than 5 incidents: low confidence").weak());
    }
    let place: Vec<String> = [
        (!c.district.is_null(row))
            .then(|| hotspot_core::names::district_label(c.district.value(row))),
        (!c.community_area.is_null(row))
            .then(|| hotspot_core::names::community_area_label(c.community_area.value(row))),
        (!c.ward.is_null(row)).then(|| format!("Ward {}", c.ward.value(row))),
    ]
    .into_iter()
    .flatten()
    .collect();
    ui.label(RichText::new(place.join(" · ")).weak());
    ui.label(RichText::new("Click to drill in").weak().small());
}
