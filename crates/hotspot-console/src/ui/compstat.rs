//! The CompStat tab: the weekly-meeting table for the week ending on the view's last day,
//! citywide or for one district, every offence category, with the changes coloured (up red,
//! down green, as in the meeting's slides).

use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use hotspot_core::fmt::thousands;
use hotspot_scope::{CompStat, Period};

fn change(c: Option<f64>) -> RichText {
    match c {
        Some(v) if v > 0.0 => {
            RichText::new(format!("+{:.1}%", v * 100.0)).color(Color32::from_rgb(0xd6, 0x3c, 0x3c))
        }
        Some(v) if v < 0.0 => {
            RichText::new(format!("−{:.1}%", -v * 100.0)).color(Color32::from_rgb(0x2e, 0xa0, 0x43))
        }
        Some(_) => RichText::new("0.0%"),
        None => RichText::new("—").weak(),
    }
}

pub fn show(
    ui: &mut egui::Ui,
    table: Option<&Result<std::sync::Arc<CompStat>, String>>,
    area: &mut Option<u8>,
) {
    let t = match table {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("No CompStat table: {e}"),
            );
            return;
        }
        None => {
            ui.label(RichText::new("The table follows the first answer…").weak());
            return;
        }
    };
    let mut districts: Vec<(u8, String)> = t
        .rows
        .iter()
        .filter_map(|r| r.district.map(|d| (d, r.area.clone())))
        .collect();
    districts.dedup();
    if area.is_some_and(|a| !districts.iter().any(|(d, _)| *d == a)) {
        *area = None;
    }
    ui.horizontal(|ui| {
        let label = |a: Option<u8>| match a {
            None => "Citywide".to_string(),
            Some(d) => districts
                .iter()
                .find(|(x, _)| *x == d)
                .map_or_else(|| format!("District {d}"), |(_, n)| n.clone()),
        };
        egui::ComboBox::new("compstat-area", "area")
            .selected_text(label(*area))
            .show_ui(ui, |ui| {
                ui.selectable_value(area, None, "Citywide");
                for (d, name) in &districts {
                    ui.selectable_value(area, Some(*d), name);
                }
            });
        let p = |i: usize| {
            Period::Range {
                from: t.periods[i].0,
                to: t.periods[i].1,
            }
            .label()
        };
        ui.label(
            RichText::new(format!(
                "week ending {} · week {} · 28 days {} · year to date {}",
                t.week_ending.format("%-d %b %Y"),
                p(0),
                p(2),
                p(4)
            ))
            .weak(),
        );
    });
    if !t.incomplete.is_empty() {
        ui.label(
            RichText::new(format!(
                "! {} period(s) reach outside the lake: their counts are low",
                t.incomplete.len()
            ))
            .color(Color32::from_rgb(0xe0, 0xa0, 0x30)),
        )
        .on_hover_text(t.incomplete.join("\n"));
    }
    let rows: Vec<_> = t.area(*area).collect();
    TableBuilder::new(ui)
        .striped(true)
        .column(Column::remainder().at_least(120.0))
        .columns(Column::auto().at_least(56.0), 9)
        .header(20.0, |mut h| {
            for title in [
                "Category",
                "Week",
                "Prev.",
                "Change",
                "28 days",
                "Prev. 28",
                "Change",
                "Year to date",
                "Last year",
                "Change",
            ] {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for r in rows {
                body.row(18.0, |mut row| {
                    row.col(|ui| {
                        ui.label(&r.category);
                    });
                    // Figures right-aligned, so their digits line up down each column.
                    let right = egui::Layout::right_to_left(egui::Align::Center);
                    for (i, v) in r.counts.iter().enumerate() {
                        row.col(|ui| {
                            ui.with_layout(right, |ui| ui.label(thousands(*v)));
                        });
                        if i % 2 == 1 {
                            row.col(|ui| {
                                ui.with_layout(right, |ui| ui.label(change(r.change(i / 2))));
                            });
                        }
                    }
                });
            }
        });
}
