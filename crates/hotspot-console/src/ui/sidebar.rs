//! The controls: period, offences, colouring, views, resolution, display settings.

use chrono::{Datelike, NaiveDate};
use egui::RichText;
use hotspot_core::res;
use hotspot_core::time::YearMonth;

use super::{Action, UiInput};
use crate::state::{ThemeChoice, ViewState};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_picker(
    ui: &mut egui::Ui,
    label: &str,
    current: YearMonth,
    first: YearMonth,
    last: YearMonth,
) -> Option<YearMonth> {
    let mut chosen = None;
    egui::ComboBox::new(label, label)
        .selected_text(format!(
            "{} {}",
            MONTHS[usize::from(current.month - 1)],
            current.year
        ))
        .height(360.0)
        .show_ui(ui, |ui| {
            let mut m = last;
            loop {
                if ui
                    .selectable_label(
                        m == current,
                        format!("{} {}", MONTHS[usize::from(m.month - 1)], m.year),
                    )
                    .clicked()
                {
                    chosen = Some(m);
                }
                if m <= first {
                    break;
                }
                m = m.prev();
            }
        });
    chosen
}

/// The left panel.
pub fn show(
    ui: &mut egui::Ui,
    input: &UiInput<'_>,
    type_filter: &mut String,
    actions: &mut Vec<Action>,
) {
    let view = input.view;
    ui.heading("Hotspot");
    ui.label(RichText::new("Chicago crime hotspots").weak());
    ui.separator();

    // Period: any span of months, across years, plus quick ranges.
    ui.label(RichText::new("Period").strong());
    let (first_day, last_day) = input.date_range;
    let first = YearMonth {
        year: first_day.year(),
        month: first_day.month() as u8,
    };
    let last = YearMonth {
        year: last_day.year(),
        month: last_day.month() as u8,
    };
    let from_m = YearMonth {
        year: view.from.year(),
        month: view.from.month() as u8,
    };
    let to_m = YearMonth {
        year: view.to.year(),
        month: view.to.month() as u8,
    };
    ui.horizontal(|ui| {
        if let Some(m) = month_picker(ui, "From month", from_m, first, last) {
            let to = if m > to_m {
                hotspot_core::time::naive_date(m.end_day() - 1)
            } else {
                view.to
            };
            actions.push(Action::SetPeriod(
                hotspot_core::time::naive_date(m.first_day()),
                to,
            ));
        }
    });
    ui.horizontal(|ui| {
        if let Some(m) = month_picker(ui, "To month", to_m, first, last) {
            let from = if m < from_m {
                hotspot_core::time::naive_date(m.first_day())
            } else {
                view.from
            };
            let to = hotspot_core::time::naive_date(m.end_day() - 1).min(last_day);
            actions.push(Action::SetPeriod(from, to));
        }
    });
    ui.label(
        RichText::new(format!(
            "{} – {}",
            view.from.format("%-d %b %Y"),
            view.to.format("%-d %b %Y")
        ))
        .weak(),
    );
    ui.horizontal_wrapped(|ui| {
        let presets: [(&str, NaiveDate); 4] = [
            ("28 days", last_day - chrono::Days::new(27)),
            ("Quarter", last_day - chrono::Days::new(90)),
            ("Year", last_day - chrono::Days::new(364)),
            ("All", first_day),
        ];
        for (name, from) in presets {
            if ui.small_button(name).clicked() {
                actions.push(Action::SetPeriod(from.max(first_day), last_day));
            }
        }
    });
    // What the period is compared with: the previous one of equal length, or the same days a
    // year earlier (each cell's change is tested either way).
    ui.horizontal_wrapped(|ui| {
        ui.label("Compare with");
        let year_before = |d: NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
        if ui
            .selectable_label(!view.compare_last_year, "previous period")
            .clicked()
        {
            actions.push(Action::CompareLastYear(false));
        }
        if ui
            .selectable_label(view.compare_last_year, "same days last year")
            .on_hover_text(format!(
                "{} – {}",
                year_before(view.from).format("%-d %b %Y"),
                year_before(view.to).format("%-d %b %Y")
            ))
            .clicked()
        {
            actions.push(Action::CompareLastYear(true));
        }
    });
    let mut split = view.side_by_side;
    if ui
        .checkbox(&mut split, "Side by side")
        .on_hover_text(
            "The compared period on the left, this one on the right, one colour scale, one camera",
        )
        .changed()
    {
        actions.push(Action::SideBySide(split));
    }
    let mut mark = view.mark_significant;
    if ui
        .checkbox(&mut mark, "Mark significant changes")
        .on_hover_text("On the change map: the cells whose change is significant (exact binomial test, 5 % false-discovery rate) in full, the rest dimmed")
        .changed()
    {
        actions.push(Action::MarkSignificant(mark));
    }
    ui.separator();

    // Offences.
    ui.horizontal(|ui| {
        ui.label(RichText::new("Offences").strong());
        if view.selection_active() && ui.small_button("Clear").clicked() {
            actions.push(Action::ClearSelection);
        }
    });
    if !input.named_selections.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for (name, sel) in input.named_selections {
                if ui
                    .small_button(name)
                    .on_hover_text(describe_selection(sel))
                    .clicked()
                {
                    actions.push(Action::SetSelection(sel.clone()));
                }
            }
        });
    }
    ui.label(RichText::new("Categories").weak());
    ui.horizontal_wrapped(|ui| {
        for c in input.categories {
            let on = view.categories.contains(c);
            if ui.selectable_label(on, c).clicked() {
                actions.push(Action::ToggleCategory(c.clone()));
            }
        }
    });
    ui.label(RichText::new("Specific types").weak());
    ui.add(
        egui::TextEdit::singleline(type_filter)
            .hint_text("search types…")
            .desired_width(f32::INFINITY),
    );
    let needle = type_filter.trim().to_uppercase();
    egui::ScrollArea::vertical()
        .id_salt("types")
        .max_height(180.0)
        .show(ui, |ui| {
            for t in input
                .types
                .iter()
                .filter(|t| needle.is_empty() || t.contains(&needle))
            {
                let mut on = view.types.contains(t);
                if ui.checkbox(&mut on, t.as_str()).changed() {
                    actions.push(Action::ToggleType(t.clone()));
                }
            }
        });
    ui.separator();

    // Colouring.
    ui.label(RichText::new("Colour cells by").strong());
    let current = view.effective_metric();
    egui::ComboBox::new("metric", "Metric")
        .selected_text(current.title())
        .width(200.0)
        .show_ui(ui, |ui| {
            for m in view.metric_choices() {
                if ui.selectable_label(m == current, m.title()).clicked() {
                    actions.push(Action::SetMetric(m));
                }
            }
        });
    if matches!(
        current,
        hotspot_scope::Metric::HotSpots | hotspot_scope::Metric::Emerging
    ) {
        // How the hot spots are tested; the legend's method card repeats it.
        let mut o = view.hot_spots;
        ui.horizontal(|ui| {
            ui.label("Neighbourhood k").on_hover_text(
                "Each cell with the cells within k steps (k = 1: its six neighbours)",
            );
            let changed = ui
                .add(egui::Slider::new(&mut o.k, 1..=hotspot_scope::MAX_K))
                .changed();
            let fdr = ui
                .checkbox(&mut o.fdr, "FDR")
                .on_hover_text(
                    "Benjamini–Hochberg false-discovery-rate correction of the 90/95/99 % cut-offs",
                )
                .changed();
            if changed || fdr {
                actions.push(Action::SetHotSpotOptions(o));
            }
        });
    }
    if current == hotspot_scope::Metric::Emerging {
        emerging_controls(ui, view, actions);
    }
    let palette_text = view
        .palette
        .clone()
        .unwrap_or_else(|| "Default for the metric".into());
    egui::ComboBox::new("palette", "Palette")
        .selected_text(palette_text)
        .width(200.0)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(view.palette.is_none(), "Default for the metric")
                .clicked()
            {
                actions.push(Action::SetPalette(None));
            }
            for p in input.palettes {
                if ui
                    .selectable_label(view.palette.as_deref() == Some(p), p)
                    .clicked()
                {
                    actions.push(Action::SetPalette(Some(p.clone())));
                }
            }
        });
    if !input.views.is_empty() {
        ui.label(RichText::new("Views").strong());
        egui::ComboBox::new("views", "View")
            .selected_text(
                view.title
                    .clone()
                    .unwrap_or_else(|| "Choose a view…".into()),
            )
            .width(200.0)
            .show_ui(ui, |ui| {
                for (name, title) in input.views {
                    if ui
                        .selectable_label(false, title)
                        .on_hover_text(name)
                        .clicked()
                    {
                        actions.push(Action::ApplyView(name.clone()));
                    }
                }
            });
    }
    ui.separator();

    // Resolution.
    ui.label(RichText::new("Resolution").strong());
    let shown = view.res();
    for r in res::RESOLUTIONS {
        let text = format!("r{r}  {}", res::name(r));
        let b = ui.selectable_label(shown == r, text).on_hover_text(format!(
            "{}\n{}",
            res::size_text(r),
            res::story(r)
        ));
        if b.clicked() {
            actions.push(Action::SetResolution(r));
        }
    }
    ui.label(
        RichText::new(format!("{} – {}", res::size_text(shown), res::story(shown)))
            .weak()
            .small(),
    );
    ui.separator();

    // Display.
    ui.label(RichText::new("Display").strong());
    ui.horizontal(|ui| {
        let s = input.settings;
        if ui
            .selectable_label(s.theme == ThemeChoice::Dark, "Dark")
            .clicked()
        {
            actions.push(Action::SetTheme(ThemeChoice::Dark));
        }
        if ui
            .selectable_label(s.theme == ThemeChoice::Light, "Light")
            .clicked()
        {
            actions.push(Action::SetTheme(ThemeChoice::Light));
        }
    });
    let mut scale = input.settings.ui_scale;
    if ui
        .add(
            egui::Slider::new(&mut scale, 0.75..=2.5)
                .text("UI scale")
                .step_by(0.05),
        )
        .drag_stopped()
    {
        actions.push(Action::SetUiScale(scale));
    }
    let mut d = input.settings.show_districts;
    if ui.checkbox(&mut d, "District outlines").changed() {
        actions.push(Action::ShowDistricts(d));
    }
    let mut c = input.settings.show_community_areas;
    if ui.checkbox(&mut c, "Community-area outlines").changed() {
        actions.push(Action::ShowCommunityAreas(c));
    }
    ui.horizontal(|ui| {
        let mut w = input.settings.show_wards;
        if ui.checkbox(&mut w, "Wards").changed() {
            actions.push(Action::ShowWards(w));
        }
        let mut b = input.settings.show_beats;
        if ui
            .checkbox(&mut b, "Beats")
            .on_hover_text("Police beats (named from district scale down)")
            .changed()
        {
            actions.push(Action::ShowBeats(b));
        }
    });
    let mut st = input.settings.show_streets;
    if ui
        .checkbox(&mut st, "Streets")
        .on_hover_text("Street lines and names from the lake's own records: arterials from district scale, every street at street scale")
        .changed()
    {
        actions.push(Action::ShowStreets(st));
    }
    let mut opacity = input.settings.cell_opacity;
    if ui
        .add(egui::Slider::new(&mut opacity, 0.2..=1.0).text("Cell opacity"))
        .on_hover_text("Lower it to see streets and the basemap through the cells")
        .changed()
    {
        actions.push(Action::SetCellOpacity(opacity));
    }
    basemap_controls(ui, input.settings, actions);
    ui.label(
        RichText::new("Keys: arrows pan · +/− zoom · Backspace back · Esc reset · 6–0 resolution · F fullscreen · R reload scripts · Ctrl+S screenshot · Ctrl+E export table · with the time bar open: Space play/pause, ←/→ a frame, Shift+arrows pan")
            .weak()
            .small(),
    );
}

/// The basemap source being edited (kept in egui's memory between frames), and the
/// settings' URL it started from, so a view that sets another source resets it.
#[derive(Clone, Debug, Default)]
struct BasemapDraft {
    from: String,
    url: String,
    attribution: String,
    max_zoom: u8,
}

impl BasemapDraft {
    fn of(s: &crate::state::Settings) -> Self {
        Self {
            from: s.basemap_url.clone(),
            url: s.basemap_url.clone(),
            attribution: s.basemap_attribution.clone(),
            max_zoom: s.basemap_max_zoom,
        }
    }
}

/// The basemap toggle and its source: an XYZ URL template, attribution and maximum zoom,
/// checked as they are typed; nothing is fetched until the user applies a URL.
fn basemap_controls(ui: &mut egui::Ui, s: &crate::state::Settings, actions: &mut Vec<Action>) {
    let has = !s.basemap_url.trim().is_empty();
    let mut on = s.show_basemap && has;
    let toggle = ui
        .add_enabled(has, egui::Checkbox::new(&mut on, "Basemap tiles"))
        .on_hover_text("Raster tiles from the URL under “Basemap source”, under the cells")
        .on_disabled_hover_text("Set a tile URL under “Basemap source” first");
    if toggle.changed() {
        actions.push(Action::ShowBasemap(on));
    }
    egui::CollapsingHeader::new("Basemap source")
        .id_salt("basemap-source")
        .show(ui, |ui| {
            let id = ui.make_persistent_id("basemap-draft");
            let mut draft: BasemapDraft = ui
                .data(|d| d.get_temp(id))
                .filter(|d: &BasemapDraft| d.from == s.basemap_url)
                .unwrap_or_else(|| BasemapDraft::of(s));
            ui.label("XYZ URL template");
            ui.add(
                egui::TextEdit::singleline(&mut draft.url)
                    .hint_text("https://…/{z}/{x}/{y}.png")
                    .desired_width(f32::INFINITY),
            );
            ui.label("Attribution");
            ui.add(
                egui::TextEdit::singleline(&mut draft.attribution)
                    .hint_text("© …")
                    .desired_width(f32::INFINITY),
            );
            ui.add(
                egui::DragValue::new(&mut draft.max_zoom)
                    .range(0..=22)
                    .prefix("max zoom "),
            );
            let url = draft.url.trim().to_string();
            let url = url.as_str();
            let check = if url.is_empty() {
                Ok(())
            } else {
                hotspot_tiles::TileSource::new(url, &draft.attribution, draft.max_zoom).map(|_| ())
            };
            if let Err(e) = &check {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            let changed = url != s.basemap_url
                || draft.attribution.trim() != s.basemap_attribution
                || draft.max_zoom != s.basemap_max_zoom;
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(check.is_ok() && changed, egui::Button::new("Apply"))
                    .clicked()
                {
                    actions.push(Action::SetBasemap(
                        url.to_string(),
                        draft.attribution.clone(),
                        draft.max_zoom,
                    ));
                }
                if ui.add_enabled(has, egui::Button::new("Remove")).clicked() {
                    draft = BasemapDraft::default();
                    actions.push(Action::SetBasemap(String::new(), String::new(), 19));
                }
            });
            ui.label(
                RichText::new(
                    "Tiles come only from this URL, two at a time, and are kept in the cache so the map works offline. Follow the server's usage policy and show its attribution.",
                )
                .weak()
                .small(),
            );
            ui.data_mut(|d| d.insert_temp(id, draft));
        });
}

fn describe_selection(s: &hotspot_scope::Selection) -> String {
    let mut parts: Vec<String> = s.categories.clone();
    parts.extend(s.types.iter().cloned());
    parts.join(", ")
}

/// Step, time lag and significance level of the emerging hot-spot analysis.
fn emerging_controls(ui: &mut egui::Ui, view: &ViewState, actions: &mut Vec<Action>) {
    use hotspot_scope::Step;
    let mut o = view.emerging;
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.label("Step").on_hover_text(
            "The period is cut into whole weeks (ending on its last day) or whole months",
        );
        changed |= ui.radio_value(&mut o.step, Step::Week, "week").changed();
        changed |= ui.radio_value(&mut o.step, Step::Month, "month").changed();
    });
    ui.horizontal(|ui| {
        ui.label("Time lag")
            .on_hover_text("Earlier steps each step's neighbourhood reaches back (space-time Gi*)");
        changed |= ui
            .add(egui::Slider::new(
                &mut o.time_lag,
                0..=crate::state::EMERGING_MAX_LAG,
            ))
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("α").on_hover_text(
            "Significance level of the hot and cold steps and of the Mann–Kendall trend",
        );
        for a in [0.10, 0.05, 0.01] {
            changed |= ui
                .radio_value(&mut o.alpha, a, hotspot_present::alpha_text(a))
                .changed();
        }
    });
    if changed {
        actions.push(Action::SetEmergingOptions(o));
    }
}
