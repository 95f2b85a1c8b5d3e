//! The hotspot table: columns fitted to the panel, resizable, sortable by any column, with a
//! column chooser. When the panel is too narrow for every chosen column, the least important
//! go first (and the table says how many), never behind a horizontal scrollbar.

use egui::RichText;
use egui_extras::{Column, TableBuilder};
use hotspot_core::fmt::{percent, thousands};
use hotspot_scope::{HotspotRow, ScopeResult, SortColumn};

use super::{Action, UiInput};

/// One column of the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Col {
    /// Also its name in the settings' hidden list.
    pub title: &'static str,
    pub sort: SortColumn,
    /// The narrowest it is readable at, in points.
    pub min: f32,
    /// Hidden first when room is short (lower goes first); `u8::MAX`: never hidden.
    pub keep: u8,
    /// Only with an offence selection.
    pub selection_only: bool,
}

/// Every column, in display order.
pub const COLUMNS: [Col; 10] = [
    Col {
        title: "Block / place",
        sort: SortColumn::Label,
        min: 120.0,
        keep: u8::MAX,
        selection_only: false,
    },
    Col {
        title: "Incidents",
        sort: SortColumn::Incidents,
        min: 76.0,
        keep: u8::MAX,
        selection_only: false,
    },
    Col {
        title: "Selected",
        sort: SortColumn::Selected,
        min: 72.0,
        keep: 8,
        selection_only: true,
    },
    Col {
        title: "Share",
        sort: SortColumn::FocusShare,
        min: 46.0,
        keep: 6,
        selection_only: true,
    },
    Col {
        title: "Arrest rate",
        sort: SortColumn::ArrestRate,
        min: 104.0,
        keep: 7,
        selection_only: false,
    },
    Col {
        title: "Dominant",
        sort: SortColumn::DominantType,
        min: 84.0,
        keep: 5,
        selection_only: false,
    },
    Col {
        title: "Dist",
        sort: SortColumn::District,
        min: 36.0,
        keep: 4,
        selection_only: false,
    },
    Col {
        title: "Ward",
        sort: SortColumn::Ward,
        min: 40.0,
        keep: 3,
        selection_only: false,
    },
    Col {
        title: "Area",
        sort: SortColumn::CommunityArea,
        min: 90.0,
        keep: 2,
        selection_only: false,
    },
    // The street is also written under each place, so it is the first to go.
    Col {
        title: "Street",
        sort: SortColumn::Street,
        min: 100.0,
        keep: 1,
        selection_only: false,
    },
];

/// The columns that show in `width`: those the user keeps (and that apply), least important
/// dropped until the minimum widths fit. Returns them and how many were dropped for room.
pub fn fit(width: f32, gap: f32, selection: bool, hidden: &[String]) -> (Vec<Col>, usize) {
    let mut shown: Vec<Col> = COLUMNS
        .iter()
        .copied()
        .filter(|c| selection || !c.selection_only)
        .filter(|c| c.keep == u8::MAX || !hidden.iter().any(|h| h == c.title))
        .collect();
    let need = |cols: &[Col]| {
        cols.iter().map(|c| c.min).sum::<f32>() + gap * cols.len().saturating_sub(1) as f32
    };
    let mut dropped = 0;
    while need(&shown) > width {
        let Some((i, _)) = shown
            .iter()
            .enumerate()
            .filter(|(_, c)| c.keep != u8::MAX)
            .min_by_key(|(_, c)| c.keep)
        else {
            break;
        };
        shown.remove(i);
        dropped += 1;
    }
    (shown, dropped)
}

/// The table, with its column chooser and the note on columns left out.
pub fn show(ui: &mut egui::Ui, r: &ScopeResult, input: &UiInput<'_>, actions: &mut Vec<Action>) {
    let selection = r.selection_active;
    let hidden = &input.settings.hidden_columns;
    let gap = ui.spacing().item_spacing.x;
    let (cols, dropped) = fit(ui.available_width(), gap, selection, hidden);
    ui.horizontal(|ui| {
        ui.menu_button("Columns", |ui| {
            for c in COLUMNS.iter().filter(|c| c.keep != u8::MAX) {
                let mut on = !hidden.iter().any(|h| h == c.title);
                let mut label = c.title.to_string();
                if c.selection_only && !selection {
                    label.push_str(" (with a selection)");
                } else if on && !cols.iter().any(|s| s.title == c.title) {
                    label.push_str(" (no room)");
                }
                if ui.checkbox(&mut on, label).changed() {
                    actions.push(Action::ToggleColumn(c.title.to_string()));
                }
            }
        });
        if dropped > 0 {
            ui.label(
                RichText::new(format!(
                    "{dropped} column{} left out for room: widen the panel",
                    if dropped == 1 { "" } else { "s" }
                ))
                .weak()
                .small(),
            );
        }
    });
    let width = ui.available_width();
    let fixed: f32 = cols.iter().map(|c| c.min).sum::<f32>() + gap * cols.len() as f32;
    let spare = (width - fixed).max(0.0);
    let row_h = ui.text_style_height(&egui::TextStyle::Body)
        + ui.text_style_height(&egui::TextStyle::Small)
        + 4.0;
    let mut table = TableBuilder::new(ui)
        .id_salt(("hotspots", selection, cols.len()))
        .striped(true)
        .resizable(true)
        .vscroll(false)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    for (i, c) in cols.iter().enumerate() {
        // The place takes what is spare; the last column fills the rest of the panel.
        let column = if i + 1 == cols.len() {
            Column::remainder().at_least(c.min)
        } else if i == 0 {
            Column::initial(c.min + spare).at_least(c.min)
        } else {
            Column::initial(c.min).at_least(c.min)
        };
        table = table.column(column.clip(true));
    }
    table
        .header(row_h * 0.7, |mut header| {
            for c in &cols {
                header.col(|ui| header_cell(ui, c, input, actions));
            }
        })
        .body(|mut body| {
            for row in &r.table {
                body.row(row_h, |mut tr| {
                    for c in &cols {
                        tr.col(|ui| cell(ui, c, row, actions));
                    }
                });
            }
        });
}

fn header_cell(ui: &mut egui::Ui, c: &Col, input: &UiInput<'_>, actions: &mut Vec<Action>) {
    let active = input.view.sort == c.sort;
    let arrow = match (active, input.view.sort_desc) {
        (false, _) => "",
        (true, true) => " ▼",
        (true, false) => " ▲",
    };
    let response = ui
        .selectable_label(
            active,
            RichText::new(format!("{}{arrow}", c.title))
                .strong()
                .small(),
        )
        .on_hover_text(match c.sort {
            SortColumn::ArrestRate => {
                "Arrest rate with its 95% Wilson interval; click to sort".to_string()
            }
            _ => format!("Sort by {}", c.title.to_lowercase()),
        });
    if response.clicked() {
        actions.push(Action::SortTable(c.sort));
    }
}

fn text(ui: &mut egui::Ui, s: impl Into<String>) {
    let s = s.into();
    ui.add(egui::Label::new(&s).truncate()).on_hover_text(s);
}

fn cell(ui: &mut egui::Ui, c: &Col, row: &HotspotRow, actions: &mut Vec<Action>) {
    let street = || hotspot_core::names::pretty_block(row.street.as_deref().unwrap_or(""));
    match c.sort {
        SortColumn::Label => {
            // The place, and under it the cell's main street: neighbouring cells share a place
            // name, the street tells them apart.
            let clicked = ui
                .vertical(|ui| {
                    ui.spacing_mut().item_spacing.y = 0.0;
                    let r = ui
                        .add(egui::Button::selectable(false, &row.label).truncate())
                        .on_hover_text(format!("{} — fly to and highlight", row.label));
                    let s = street();
                    if !s.is_empty() {
                        ui.add(egui::Label::new(RichText::new(s).weak().small()).truncate());
                    }
                    r.clicked()
                })
                .inner;
            if clicked {
                actions.push(Action::FlyTo(row.cell));
            }
        }
        SortColumn::Incidents => text(ui, thousands(u64::from(row.incidents))),
        SortColumn::Selected => text(ui, thousands(u64::from(row.selected))),
        SortColumn::FocusShare => text(ui, percent(row.focus_share, 0)),
        SortColumn::ArrestRate => text(
            ui,
            format!(
                "{} ({}–{})",
                percent(row.arrest_rate, 0),
                percent(row.wilson_lo, 0),
                percent(row.wilson_hi, 0)
            ),
        ),
        SortColumn::DominantType => text(ui, row.dominant_type.as_deref().unwrap_or("–")),
        SortColumn::Street => text(ui, street()),
        SortColumn::District => text(ui, row.district.map_or("–".into(), |d| d.to_string())),
        SortColumn::Ward => text(ui, row.ward.map_or("–".into(), |d| d.to_string())),
        SortColumn::CommunityArea => text(
            ui,
            row.community_area
                .and_then(hotspot_core::names::community_area_name)
                .unwrap_or("–"),
        ),
        SortColumn::Arrests | SortColumn::Change => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(cols: &[Col]) -> Vec<&'static str> {
        cols.iter().map(|c| c.title).collect()
    }

    #[test]
    fn every_column_fits_a_wide_panel() {
        let (cols, dropped) = fit(1200.0, 8.0, true, &[]);
        assert_eq!(cols.len(), 10);
        assert_eq!(dropped, 0);
        // Without a selection, Selected and Share do not apply (not "dropped for room").
        let (cols, dropped) = fit(1200.0, 8.0, false, &[]);
        assert_eq!(cols.len(), 8);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn a_narrow_panel_drops_the_least_important_first() {
        // About the default 430-pt panel: all eight need 650 + 7 gaps; Street, Area, Ward, then
        // Dist go (in that order) until 120 + 76 + 104 + 84 + 3 gaps = 408 fits.
        let (cols, dropped) = fit(420.0, 8.0, false, &[]);
        assert_eq!(
            titles(&cols),
            vec!["Block / place", "Incidents", "Arrest rate", "Dominant"]
        );
        assert_eq!(dropped, 4);
        let need: f32 = cols.iter().map(|c| c.min).sum::<f32>() + 8.0 * 3.0;
        assert!(need <= 420.0, "{need}");
        // Place and incidents stay however narrow.
        let (cols, _) = fit(50.0, 8.0, true, &[]);
        assert_eq!(titles(&cols), vec!["Block / place", "Incidents"]);
    }

    #[test]
    fn columns_the_user_hides_stay_hidden_and_free_room() {
        let hidden = vec!["Dominant".to_string(), "Block / place".to_string()];
        let (cols, dropped) = fit(520.0, 8.0, false, &hidden);
        // The place cannot be hidden; without Dominant, Dist, Ward and Area fit (506 ≤ 520).
        assert_eq!(
            titles(&cols),
            vec![
                "Block / place",
                "Incidents",
                "Arrest rate",
                "Dist",
                "Ward",
                "Area"
            ]
        );
        assert_eq!(dropped, 1);
    }
}
