//! What the console's test files share: the real sample's engine, the repository's scripts,
//! the kittest state and a controller over 1–15 Sept 2024.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use egui_kittest::Harness;
use hotspot_console::controller::Controller;
use hotspot_console::ui::{Action, ConsoleUi};
use hotspot_console::{Settings, ViewState};
use hotspot_scope::Engine;
use hotspot_script::ScriptHost;

pub fn engine() -> Engine {
    hotspot_testkit::sample::engine().clone()
}

pub fn repo_scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

pub struct State {
    pub fonts: bool,
    pub ctl: Controller,
    pub ui: ConsoleUi,
    pub actions: Vec<Action>,
}

pub fn controller(engine: Engine, scripts: &Path) -> Controller {
    let mut settings = Settings::default();
    let mut view = ViewState::new(NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"));
    view.from = NaiveDate::from_ymd_opt(2024, 9, 1).expect("date");
    settings.view = Some(view);
    let mut ctl = Controller::new(engine, ScriptHost::open(scripts), settings, None);
    ctl.query_now();
    ctl
}

/// Every text the last frame drew: (text, size in points).
pub fn texts(h: &Harness<'static, State>) -> Vec<(String, f32)> {
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        collect_texts(&clipped.shape, &mut out);
    }
    out
}

pub fn collect_texts(shape: &egui::Shape, out: &mut Vec<(String, f32)>) {
    match shape {
        egui::Shape::Vec(v) => v.iter().for_each(|s| collect_texts(s, out)),
        egui::Shape::Text(t) => {
            for section in &t.galley.job.sections {
                let text = &t.galley.job.text[section.byte_range.start.0..section.byte_range.end.0];
                if !text.trim().is_empty() {
                    out.push((text.to_string(), section.format.font_id.size));
                }
            }
        }
        _ => {}
    }
}
