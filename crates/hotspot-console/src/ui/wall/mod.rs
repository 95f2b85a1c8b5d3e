//! The ops-room wall: one layout read from across the room.
//!
//! Every size derives from the viewing distance and the picture's height ([`WallScale`]), in a
//! layout [`scale::WALL_HEIGHT_PT`] points tall on any screen: a header band (the view's title
//! and the clock, then how fresh the data is), a column of big figures with their change and
//! the few quick hits that fit, and the map taking the rest. No sidebar, no table, nothing to
//! click. A firing alert takes the column over ([`AlertCard`]) until it has been held long
//! enough.

pub mod scale;
mod status;

use egui::{Color32, RichText};
use hotspot_core::fmt::{percent, thousands};
use hotspot_core::res;
use hotspot_scope::ScopeResult;

pub use scale::{WallScale, parse_length_m};
pub use status::{PUBLICATION_LAG_DAYS, STALE_BUILD_HOURS, WallStatus, stale_reason};

use super::{Action, ConsoleUi, UiInput, delta_colour};

/// What the wall shows besides the scope: its freshness, its scale and a firing alert.
#[derive(Clone, Debug, Default)]
pub struct WallScreen {
    pub status: Option<WallStatus>,
    pub scale: WallScale,
    pub alert: Option<AlertCard>,
    /// A problem the wall works around while keeping its last good picture ("lake locked,
    /// retrying in 10 s").
    pub trouble: Option<String>,
}

/// An alert holding the wall: what fired, where, and the figures that made it fire.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertCard {
    /// "Surge: last 7 days".
    pub title: String,
    /// The place ("Near West Side — W Madison St").
    pub place: String,
    /// The figures, one a line ("23 incidents in the last 7 days", "expected 6.1").
    pub figures: Vec<String>,
    /// Why it fired, in a sentence.
    pub why: String,
    /// Seconds left before the wall goes back to its playlist.
    pub seconds_left: u64,
}

/// The alert red.
const ALERT: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);

/// Lays a wall screen `screen_px_height` physical pixels tall out in the wall's points.
pub fn fit_zoom(ctx: &egui::Context) {
    let native = ctx.native_pixels_per_point().unwrap_or(1.0);
    let px_height = ctx.content_rect().height() * ctx.pixels_per_point();
    let zoom = WallScale::zoom_factor(px_height, native);
    if (ctx.zoom_factor() - zoom).abs() > 1e-3 {
        ctx.set_zoom_factor(zoom);
    }
}

impl ConsoleUi {
    /// The wall's whole frame.
    pub(super) fn show_wall(
        &mut self,
        root: &mut egui::Ui,
        input: &UiInput<'_>,
        actions: &mut Vec<Action>,
    ) {
        fit_zoom(root.ctx());
        let screen = input.wall_screen.clone().unwrap_or_default();
        let scale = screen.scale;
        let width = root.available_width();
        egui::Panel::top("wall-header").show(root, |ui| header(ui, input, &screen));
        egui::Panel::left("wall-figures")
            .resizable(false)
            .exact_size((width * 0.34).max(scale.body() * 9.0))
            .show(root, |ui| {
                ui.set_min_width(ui.available_width());
                match &screen.alert {
                    Some(alert) => alert_card(ui, alert, scale),
                    None => figures(ui, input, scale),
                }
            });
        egui::CentralPanel::no_frame().show(root, |ui| {
            self.map_panel(ui, input, actions, scale.detail() / 13.0);
        });
    }
}

/// Line one: the view's title and the clock; line two: how fresh the data is; then a stale
/// warning or a problem the wall is working around, in words.
fn header(ui: &mut egui::Ui, input: &UiInput<'_>, screen: &WallScreen) {
    let s = screen.scale;
    // A view's title, else where the wall stands (the drilled cell or the city).
    let title = match (&input.view.title, input.result) {
        (Some(t), _) => t.clone(),
        (None, Some(r)) => r
            .drill
            .breadcrumbs
            .last()
            .map_or_else(|| "Citywide".to_string(), |c| c.label.clone()),
        (None, None) => "Loading the lake…".into(),
    };
    ui.add_space(s.detail() * 0.3);
    ui.horizontal(|ui| {
        ui.label(RichText::new(title).size(s.title()).strong());
        if let Some(st) = &screen.status {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(st.now.format("%H:%M").to_string())
                        .size(s.title())
                        .strong(),
                );
            });
        }
    });
    ui.horizontal_wrapped(|ui| {
        if let Some(r) = input.result {
            ui.label(
                RichText::new(format!(
                    "{} · {}",
                    r.period_label,
                    res::display(r.scope.res)
                ))
                .size(s.detail()),
            );
            ui.add_space(s.detail());
        }
        if let Some(st) = &screen.status {
            status::details(ui, st, s.detail());
        }
    });
    if let Some(why) = screen.status.as_ref().and_then(stale_reason) {
        egui::Frame::new()
            .fill(ALERT)
            .inner_margin(s.detail() * 0.3)
            .show(ui, |ui| {
                ui.set_min_width(ui.available_width());
                ui.label(
                    RichText::new(why)
                        .size(s.body())
                        .strong()
                        .color(Color32::WHITE),
                );
            });
    }
    // A problem the wall works around: a line, not an alarm (the picture is still good).
    if let Some(t) = &screen.trouble {
        ui.label(
            RichText::new(t.as_str())
                .size(s.detail())
                .color(Color32::from_rgb(0xf0, 0xb4, 0x29)),
        );
    }
    ui.add_space(s.detail() * 0.3);
}

/// The big figures with their change, then as many quick hits as fit.
fn figures(ui: &mut egui::Ui, input: &UiInput<'_>, s: WallScale) {
    let Some(r) = input.result else {
        ui.label(RichText::new("Loading…").size(s.body()));
        return;
    };
    ui.add_space(s.detail() * 0.5);
    let k = &r.kpis;
    figure(ui, s, &k.incidents_label, thousands(k.incidents), change(r));
    figure(
        ui,
        s,
        "Arrests",
        thousands(k.arrests),
        Some((
            format!("arrest rate {}", percent(k.arrest_rate, 1)),
            ui.visuals().text_color(),
        )),
    );
    if let Some(b) = &k.busiest {
        ui.label(RichText::new("Busiest cell").size(s.detail()).weak());
        ui.label(
            RichText::new(format!("{} · {}", b.label, thousands(u64::from(b.value))))
                .size(s.body())
                .strong(),
        );
    }
    ui.add_space(s.detail() * 0.6);
    quick_hits(ui, input.quick_hits, s);
}

/// How the period compares with the one before, in words and colour.
fn change(r: &ScopeResult) -> Option<(String, Color32)> {
    let c = r.comparison.change_share?;
    let words = if c.abs() < 0.005 {
        "level".to_string()
    } else {
        format!(
            "{} {}",
            if c > 0.0 { "up" } else { "down" },
            percent(c.abs(), 0)
        )
    };
    let days = (r.to - r.from).num_days() + 1;
    Some((
        format!("{words} on the {days} days before"),
        delta_colour(c, false),
    ))
}

fn figure(
    ui: &mut egui::Ui,
    s: WallScale,
    name: &str,
    value: String,
    detail: Option<(String, Color32)>,
) {
    ui.label(RichText::new(name).size(s.detail()).weak());
    ui.label(RichText::new(value).size(s.figure()).strong());
    if let Some((text, colour)) = detail {
        ui.label(RichText::new(text).size(s.body()).color(colour));
    }
    ui.add_space(s.detail() * 0.6);
}

/// The quick hits that fit whole in the space left, in body type (a half-shown hit helps
/// nobody across a room).
fn quick_hits(ui: &mut egui::Ui, hits: &[String], s: WallScale) {
    let width = ui.available_width();
    let mut left = ui.available_height();
    for hit in hits.iter().take(3) {
        let mut job = super::panels::markup_sized(ui, hit, s.body());
        job.wrap.max_width = width;
        let galley = ui.fonts_mut(|f| f.layout_job(job.clone()));
        let h = galley.size().y + ui.spacing().item_spacing.y + s.detail() * 0.4;
        if h > left {
            break;
        }
        left -= h;
        ui.label(job);
        ui.add_space(s.detail() * 0.4);
    }
}

/// An alert in the figures' place: red, what fired, where, the numbers and why.
fn alert_card(ui: &mut egui::Ui, a: &AlertCard, s: WallScale) {
    egui::Frame::new()
        .fill(ALERT)
        .inner_margin(s.detail() * 0.5)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.label(
                RichText::new(format!("ALERT · {}", a.title))
                    .size(s.title())
                    .strong()
                    .color(Color32::WHITE),
            );
        });
    ui.add_space(s.detail() * 0.5);
    ui.label(RichText::new(&a.place).size(s.body()).strong());
    ui.add_space(s.detail() * 0.5);
    for f in &a.figures {
        ui.label(RichText::new(f).size(s.body()));
    }
    ui.add_space(s.detail() * 0.5);
    ui.label(RichText::new(&a.why).size(s.detail()));
    ui.add_space(s.detail() * 0.5);
    ui.label(
        RichText::new(format!(
            "back to the playlist in {} s",
            a.seconds_left.max(1)
        ))
        .size(s.detail())
        .weak(),
    );
}
