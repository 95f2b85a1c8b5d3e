//! The console's overlay, as pure egui: it reads a [`UiInput`] and returns [`Action`]s.
//!
//! Nothing here touches the window, the GPU or the scope engine, so the whole UI runs under
//! egui_kittest in tests. The app ([`crate::app`]) applies the actions.

mod bars;
mod charts;
mod compstat;
mod panels;
mod sidebar;
mod table;
mod timebar;
pub mod wall;

use chrono::NaiveDate;
use egui::{Color32, Context, Pos2, Vec2};
use hotspot_scope::{Metric, ScopeResult, Selection, SortColumn};

use crate::state::{Settings, ThemeChoice, ViewState};

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetResolution(u8),
    SetPeriod(NaiveDate, NaiveDate),
    ToggleType(String),
    ToggleCategory(String),
    SetSelection(Selection),
    ClearSelection,
    SetMetric(Metric),
    SetPalette(Option<String>),
    ApplyView(String),
    DrillInto(u64),
    /// Keep the first `n` drilled cells (0 = citywide).
    TruncateDrill(usize),
    StepBack,
    ResetView,
    FocusDow(Option<u8>),
    SortTable(SortColumn),
    /// Test hot spots with another neighbourhood ring or FDR setting.
    SetHotSpotOptions(hotspot_scope::HotSpotOptions),
    /// Step, time lag and α of the emerging hot-spot analysis.
    SetEmergingOptions(hotspot_scope::EmergingOptions),
    /// Stop highlighting the cells of the view's predicate.
    ClearHighlight,
    /// Show or hide a hotspot-table column (by its title).
    ToggleColumn(String),
    FlyTo(u64),
    /// Map interaction, in physical pixels relative to the map's top-left corner.
    MapResized(u32, u32),
    MapPan(Vec2),
    MapZoom(Pos2, f32),
    MapHover(Option<Pos2>),
    MapClick(Pos2),
    ToggleFullscreen,
    ReloadScripts,
    SaveScreenshot,
    ExportCsv,
    SetTheme(ThemeChoice),
    SetUiScale(f32),
    ShowDistricts(bool),
    ShowCommunityAreas(bool),
    ShowStreets(bool),
    ShowWards(bool),
    ShowBeats(bool),
    /// Cell opacity, 0.2–1.
    SetCellOpacity(f32),
    /// A new basemap source: URL template (empty: none), attribution, maximum zoom.
    SetBasemap(String, String, u8),
    ShowBasemap(bool),
    /// The time bar: open it (the scrubber drives the period), close it (the period before
    /// comes back), play or pause, move the playhead, step a frame, change the step and
    /// window, the speed (frames a second) or looping.
    TimelineOpen,
    TimelineClose,
    TimelinePlay(bool),
    TimelineSeek(f32),
    TimelineStep(i32),
    SetTimeline(hotspot_scope::Timeline),
    SetTimelineSpeed(f32),
    SetTimelineLoop(bool),
    /// Write the playing timeline as an animated GIF of the current view.
    ExportAnimation,
    /// Compare with the same days a year earlier (true) or the previous period of equal
    /// length (false); the first shows each cell's change on the map.
    CompareLastYear(bool),
    /// Mark the significant changes on the change map (the rest dimmed).
    MarkSignificant(bool),
    /// The compared period left and this one right, one camera.
    SideBySide(bool),
}

/// The map panel's inputs.
#[derive(Clone, Debug, Default)]
pub struct MapInput {
    /// The rendered map (None until the first frame is ready, or without a GPU).
    pub texture: Option<egui::TextureId>,
    /// The cell under the pointer: its row in `result.cells`.
    pub hover_row: Option<usize>,
    /// The map's legend, painted with the present layer's egui helpers.
    pub legend: Option<hotspot_present::Legend>,
    pub theme: Option<hotspot_render::Theme>,
    /// District / community-area names, positioned in physical pixels from the map's
    /// top-left corner (as the renderer gives them), most important first.
    pub labels: Vec<hotspot_render::MapLabel>,
    /// The basemap's attribution while one is drawn.
    pub attribution: Option<String>,
    /// Side by side: the left and right halves' period labels.
    pub split: Option<(String, String)>,
}

/// Everything the overlay shows.
pub struct UiInput<'a> {
    pub view: &'a ViewState,
    pub result: Option<&'a ScopeResult>,
    pub busy: bool,
    pub types: &'a [String],
    pub categories: &'a [String],
    pub named_selections: &'a [(String, Selection)],
    pub palettes: &'a [String],
    /// (name, title) of each scripted view.
    pub views: &'a [(String, String)],
    pub quick_hits: &'a [String],
    pub script_errors: &'a [String],
    pub date_range: (NaiveDate, NaiveDate),
    pub settings: &'a Settings,
    pub map: MapInput,
    /// Wall-screen mode: no sidebar, large type.
    pub wall: bool,
    /// A transient message ("Saved …").
    pub status: Option<&'a str>,
    /// Playback through time.
    pub timebar: &'a crate::timebar::TimeBar,
    /// The CompStat table of the week ending on the view's last day.
    pub compstat: Option<&'a Result<std::sync::Arc<hotspot_scope::CompStat>, String>>,
    /// On the wall: the clock, how fresh the data is, the next view, its scale and a firing
    /// alert.
    pub wall_screen: Option<wall::WallScreen>,
    /// The latest alerts fired, newest first.
    pub alerts: &'a [crate::alerts::Fired],
}

/// Widget state that lives across frames but is not part of the view.
#[derive(Debug, Default)]
pub struct ConsoleUi {
    type_filter: String,
    chart_tab: usize,
    /// The CompStat tab's area (None: citywide).
    compstat_area: Option<u8>,
    map_size: (u32, u32),
    last_hover: Option<Pos2>,
}

/// Colours of a KPI delta: good news green, bad news red.
pub fn delta_colour(change: f64, higher_is_better: bool) -> Color32 {
    if change.abs() < 1e-9 {
        Color32::GRAY
    } else if (change > 0.0) == higher_is_better {
        Color32::from_rgb(0x2e, 0xa0, 0x43)
    } else {
        Color32::from_rgb(0xd6, 0x3c, 0x3c)
    }
}

pub use hotspot_present::paint::install_fonts;

/// Applies the theme and scale to the context.
pub fn apply_style(ctx: &Context, settings: &Settings, wall: bool) {
    ctx.set_theme(match settings.theme {
        ThemeChoice::Dark => egui::Theme::Dark,
        ThemeChoice::Light => egui::Theme::Light,
    });
    // The wall sizes itself from its screen and viewing distance ([`wall::fit_zoom`]).
    if !wall {
        ctx.set_zoom_factor(settings.ui_scale.clamp(0.5, 4.0));
    }
    ctx.all_styles_mut(|s| {
        s.animation_time = 0.0;
        for (style, size) in TEXT_SIZES {
            s.text_styles
                .insert(style.clone(), egui::FontId::new(*size, family(style)));
        }
    });
}

/// The smallest text the console draws, in points at UI scale 1 (egui's own `Small` is 9 pt,
/// unreadable on a 1080p screen at arm's length; 12 px is the usual floor for UI text).
pub const MIN_TEXT_PT: f32 = 12.0;

/// Text sizes in points: nothing below [`MIN_TEXT_PT`].
const TEXT_SIZES: &[(egui::TextStyle, f32)] = &[
    (egui::TextStyle::Small, MIN_TEXT_PT),
    (egui::TextStyle::Body, 14.0),
    (egui::TextStyle::Button, 14.0),
    (egui::TextStyle::Monospace, 13.0),
    (egui::TextStyle::Heading, 19.0),
];

fn family(style: &egui::TextStyle) -> egui::FontFamily {
    match style {
        egui::TextStyle::Monospace => egui::FontFamily::Monospace,
        _ => egui::FontFamily::Proportional,
    }
}

impl ConsoleUi {
    /// Switches the chart strip's tab (0: when, 1: what and where).
    pub fn set_chart_tab(&mut self, tab: usize) {
        self.chart_tab = tab;
    }

    /// Draws the whole overlay for one frame.
    pub fn show(&mut self, root: &mut egui::Ui, input: &UiInput<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let ctx = root.ctx().clone();
        self.keyboard(&ctx, input, &mut actions);
        if input.wall {
            self.show_wall(root, input, &mut actions);
            return actions;
        }
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(300.0)
            .min_size(240.0)
            .show(root, |ui| {
                // Keep the panel's width while its contents are narrow (loading).
                ui.set_min_width(ui.available_width());
                egui::ScrollArea::vertical().show(ui, |ui| {
                    sidebar::show(ui, input, &mut self.type_filter, &mut actions);
                });
            });
        // Wider screens give the insights panel room for more of the table's columns.
        let insights_w = (root.available_width() * 0.22).clamp(430.0, 640.0);
        egui::Panel::right("insights")
            .resizable(true)
            .default_size(insights_w)
            .min_size(320.0)
            .show(root, |ui| {
                ui.set_min_width(ui.available_width());
                egui::ScrollArea::vertical().show(ui, |ui| {
                    panels::insights(ui, input, &mut actions);
                });
            });
        // The strip is as wide as what the side panels leave; two rows of charts need more
        // height than one.
        let min_h = charts::min_height(
            root.available_width(),
            root.spacing().item_spacing.x,
            self.chart_tab,
        );
        egui::Panel::bottom("charts")
            .resizable(true)
            .default_size(min_h.max(300.0))
            .min_size(min_h)
            .show(root, |ui| {
                charts::show(
                    ui,
                    input,
                    &mut self.chart_tab,
                    &mut self.compstat_area,
                    &mut actions,
                );
            });
        egui::Panel::bottom("timebar").show(root, |ui| {
            timebar::show(ui, input.timebar, &mut actions);
        });
        egui::Panel::top("crumbs").show(root, |ui| {
            panels::breadcrumbs(ui, input, &mut actions);
        });
        egui::CentralPanel::no_frame().show(root, |ui| {
            self.map_panel(ui, input, &mut actions, 1.0);
        });
        actions
    }

    fn keyboard(&self, ctx: &Context, input: &UiInput<'_>, actions: &mut Vec<Action>) {
        // Shortcuts work unless a text field takes the keys (a clicked button keeps egui's
        // focus, and must not silence them).
        if ctx.text_edit_focused() {
            return;
        }
        let playing_through_time = input.timebar.open && input.timebar.frames() > 0;
        if playing_through_time {
            // Space plays and pauses, ← and → step a frame (Shift+arrows still pan); taken
            // before the widgets, so a focused button is not pressed as well.
            ctx.input_mut(|i| {
                if i.consume_key(egui::Modifiers::NONE, egui::Key::Space) {
                    actions.push(Action::TimelinePlay(!input.timebar.playing));
                }
                if i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowLeft) {
                    actions.push(Action::TimelineStep(-1));
                }
                if i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowRight) {
                    actions.push(Action::TimelineStep(1));
                }
            });
        }
        ctx.input(|i| {
            let step = 80.0;
            for (key, d) in [
                (egui::Key::ArrowLeft, Vec2::new(step, 0.0)),
                (egui::Key::ArrowRight, Vec2::new(-step, 0.0)),
                (egui::Key::ArrowUp, Vec2::new(0.0, step)),
                (egui::Key::ArrowDown, Vec2::new(0.0, -step)),
            ] {
                if i.key_pressed(key) {
                    actions.push(Action::MapPan(d));
                }
            }
            let centre = Pos2::new(self.map_size.0 as f32 / 2.0, self.map_size.1 as f32 / 2.0);
            if i.key_pressed(egui::Key::Plus) || i.key_pressed(egui::Key::Equals) {
                actions.push(Action::MapZoom(centre, 0.5));
            }
            if i.key_pressed(egui::Key::Minus) {
                actions.push(Action::MapZoom(centre, -0.5));
            }
            if i.key_pressed(egui::Key::Backspace) {
                actions.push(Action::StepBack);
            }
            if i.key_pressed(egui::Key::Escape) {
                actions.push(Action::ResetView);
            }
            for (key, res) in [
                (egui::Key::Num6, 6u8),
                (egui::Key::Num7, 7),
                (egui::Key::Num8, 8),
                (egui::Key::Num9, 9),
                (egui::Key::Num0, 10),
            ] {
                if i.key_pressed(key) && !i.modifiers.command {
                    actions.push(Action::SetResolution(res));
                }
            }
            if i.key_pressed(egui::Key::F) && !i.modifiers.command {
                actions.push(Action::ToggleFullscreen);
            }
            if i.key_pressed(egui::Key::R) && !i.modifiers.command {
                actions.push(Action::ReloadScripts);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::S) {
                actions.push(Action::SaveScreenshot);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::E) {
                actions.push(Action::ExportCsv);
            }
        });
        let _ = input;
    }

    /// The map with its labels, legend (drawn `legend_scale` times its desktop size) and
    /// notes.
    fn map_panel(
        &mut self,
        ui: &mut egui::Ui,
        input: &UiInput<'_>,
        actions: &mut Vec<Action>,
        legend_scale: f32,
    ) {
        let rect = ui.available_rect_before_wrap();
        let ppp = ui.ctx().pixels_per_point();
        let size = (
            (rect.width() * ppp).round().max(1.0) as u32,
            (rect.height() * ppp).round().max(1.0) as u32,
        );
        if size != self.map_size {
            self.map_size = size;
            actions.push(Action::MapResized(size.0, size.1));
        }
        let response = ui.allocate_rect(rect, egui::Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        let bg = input.map.theme.map_or(Color32::from_gray(24), |t| {
            let c = t.background();
            Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
        });
        painter.rect_filled(rect, 0.0, bg);
        match input.map.texture {
            Some(tex) => {
                painter.image(
                    tex,
                    rect,
                    egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                    Color32::WHITE,
                );
            }
            None => {
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    if input.result.is_none() {
                        "Loading the lake…"
                    } else {
                        "Preparing the map…"
                    },
                    egui::FontId::proportional(18.0 * legend_scale),
                    Color32::GRAY,
                );
            }
        }
        // Context labels, most important first (the renderer sorts them); a label that would
        // overlap one already placed is left out. On the wall they are drawn larger.
        if let Some(theme) = input.map.theme {
            let s = label_scale(legend_scale);
            let (labels_painter, labels_rect) = scaled(ui, "labels", rect, s, &painter);
            hotspot_present::paint::paint_labels(
                &labels_painter,
                labels_rect,
                &input.map.labels,
                ppp * s,
                theme,
                &[],
            );
        }
        let to_physical = |p: Pos2| Pos2::new((p.x - rect.min.x) * ppp, (p.y - rect.min.y) * ppp);
        if response.dragged() {
            let d = response.drag_delta() * ppp;
            if d != Vec2::ZERO {
                actions.push(Action::MapPan(d));
            }
        }
        if response.hovered() {
            let scroll = ui.ctx().input(|i| i.smooth_scroll_delta.y);
            if scroll.abs() > 0.0
                && let Some(p) = response.hover_pos()
            {
                actions.push(Action::MapZoom(to_physical(p), scroll / 240.0));
            }
        }
        let hover = response.hover_pos().map(to_physical);
        if hover != self.last_hover {
            self.last_hover = hover;
            actions.push(Action::MapHover(hover));
        }
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            actions.push(Action::MapClick(to_physical(p)));
        }
        if let (Some(row), Some(result)) = (input.map.hover_row, input.result)
            && response.hovered()
        {
            response
                .clone()
                .on_hover_ui_at_pointer(|ui| panels::cell_tooltip(ui, result, row));
        }
        // Side by side: a divider and each half's period.
        if let Some((left, right)) = &input.map.split {
            let x = rect.center().x;
            painter.line_segment(
                [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                egui::Stroke::new(2.0, Color32::from_gray(200)),
            );
            for (text, at) in [
                (left, Pos2::new(rect.left() + 12.0, rect.top() + 10.0)),
                (right, Pos2::new(x + 12.0, rect.top() + 10.0)),
            ] {
                let galley = painter.layout_no_wrap(
                    text.clone(),
                    egui::FontId::proportional(16.0),
                    Color32::WHITE,
                );
                let r = egui::Rect::from_min_size(at, galley.size() + Vec2::new(12.0, 6.0));
                painter.rect_filled(r, 4.0, Color32::from_black_alpha(170));
                painter.galley(at + Vec2::new(6.0, 3.0), galley, Color32::WHITE);
            }
        }
        // The basemap's attribution, bottom-right, as its licence asks.
        if let (Some(text), Some(theme)) = (&input.map.attribution, input.map.theme) {
            hotspot_present::paint::paint_attribution(&painter, rect, text, theme);
        }
        // Legend, bottom-left; on the wall larger.
        if let (Some(legend), Some(theme)) = (&input.map.legend, input.map.theme) {
            let (legend_painter, r) = scaled(ui, "legend", rect, legend_scale, &painter);
            let size = hotspot_present::paint::legend_size(&legend_painter, legend, theme);
            let top_left = Pos2::new(r.min.x + 12.0, r.max.y - size.y - 12.0);
            hotspot_present::paint::paint_legend(&legend_painter, top_left, legend, theme);
        }
        if input.busy {
            painter.text(
                rect.right_top() + Vec2::new(-12.0, 12.0),
                egui::Align2::RIGHT_TOP,
                "updating…",
                egui::FontId::proportional(13.0 * legend_scale),
                Color32::GRAY,
            );
        }
        if let Some(msg) = input.status {
            painter.text(
                rect.center_bottom() + Vec2::new(0.0, -16.0),
                egui::Align2::CENTER_BOTTOM,
                msg,
                egui::FontId::proportional(14.0 * legend_scale),
                Color32::LIGHT_GRAY,
            );
        }
    }
}

/// Map labels grow by less than the legend on the wall: they must leave the cells visible.
fn label_scale(legend_scale: f32) -> f32 {
    1.0 + (legend_scale - 1.0) * 0.4
}

/// A painter drawing `scale` times larger than `painter` (on a layer of its own, scaled), and
/// `rect` in its coordinates; `painter` itself at scale 1.
fn scaled(
    ui: &egui::Ui,
    name: &str,
    rect: egui::Rect,
    scale: f32,
    painter: &egui::Painter,
) -> (egui::Painter, egui::Rect) {
    if (scale - 1.0).abs() < 1e-3 {
        return (painter.clone(), rect);
    }
    let layer = egui::LayerId::new(egui::Order::Foreground, ui.scope_id().with(name));
    ui.ctx()
        .set_transform_layer(layer, egui::emath::TSTransform::from_scaling(scale));
    let r = egui::Rect::from_min_max(
        (rect.min.to_vec2() / scale).to_pos2(),
        (rect.max.to_vec2() / scale).to_pos2(),
    );
    (ui.ctx().layer_painter(layer).with_clip_rect(r), r)
}
