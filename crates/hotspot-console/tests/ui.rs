//! The console's overlay under egui_kittest, on the real 1–15 Sept 2024 sample.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use hotspot_console::controller::Controller;
use hotspot_console::ui::{Action, ConsoleUi, MapInput, apply_style, install_fonts};
use hotspot_console::{Settings, ViewState};
use hotspot_scope::Engine;
use hotspot_script::ScriptHost;

fn engine() -> Engine {
    hotspot_testkit::sample::engine().clone()
}

fn repo_scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

struct State {
    fonts: bool,
    ctl: Controller,
    ui: ConsoleUi,
    actions: Vec<Action>,
}

fn controller(engine: Engine, scripts: &Path) -> Controller {
    let mut settings = Settings::default();
    let mut view = ViewState::new(NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"));
    view.from = NaiveDate::from_ymd_opt(2024, 9, 1).expect("date");
    settings.view = Some(view);
    let mut ctl = Controller::new(engine, ScriptHost::open(scripts), settings, None);
    ctl.query_now();
    ctl
}

fn harness(ctl: Controller) -> Harness<'static, State> {
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(
            |ui, s: &mut State| {
                if !s.fonts {
                    install_fonts(ui.ctx());
                    s.fonts = true;
                }
                apply_style(ui.ctx(), &s.ctl.settings, false);
                let errors = s.ctl.errors();
                let input = s.ctl.ui_input(&errors, MapInput::default(), false, false);
                let actions = s.ui.show(ui, &input);
                s.actions.extend(
                    actions
                        .into_iter()
                        .filter(|a| !matches!(a, Action::MapResized(..) | Action::MapHover(..))),
                );
            },
            State {
                fonts: false,
                ctl,
                ui: ConsoleUi::default(),
                actions: Vec::new(),
            },
        );
    h.run();
    h
}

/// Applies the actions the last frames produced and re-queries synchronously.
fn apply(h: &mut Harness<'static, State>) -> Vec<Action> {
    let s = h.state_mut();
    let actions = std::mem::take(&mut s.actions);
    for a in &actions {
        s.ctl.apply(a);
    }
    s.ctl.query_now();
    h.run();
    actions
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn selecting_a_type_changes_kpis_and_charts() {
    let engine = engine();
    let mut h = harness(controller(engine, &repo_scripts()));
    assert_eq!(
        h.state()
            .ctl
            .result
            .as_ref()
            .expect("result")
            .kpis
            .incidents,
        11_641
    );
    h.get_by_label("Total incidents");
    // Search the type list, then tick the type.
    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.run();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("theft");
    h.run();
    // Two checkboxes are labelled THEFT: the sidebar's and the mix chart's legend entry.
    h.get_all_by_role_and_label(egui::accesskit::Role::CheckBox, "THEFT")
        .min_by(|a, b| a.rect().min.x.total_cmp(&b.rect().min.x))
        .expect("THEFT checkbox")
        .click();
    h.run();
    let actions = apply(&mut h);
    assert!(
        actions.contains(&Action::ToggleType("THEFT".into())),
        "{actions:?}"
    );
    let r = h.state().ctl.result.clone().expect("result");
    assert_eq!(r.kpis.incidents, 2_748);
    assert_eq!(r.series.crime_mix.len(), 1);
    assert_eq!(r.series.crime_mix[0].primary_type, "THEFT");
    // The KPI panel now says "Selected incidents" and the metric flipped to the selected volume.
    h.get_by_label("Selected incidents");
    assert_eq!(
        h.state().ctl.view.effective_metric(),
        hotspot_scope::Metric::Selected
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn clicking_a_breadcrumb_pops_the_scope() {
    let engine = engine();
    let mut ctl = controller(engine, &repo_scripts());
    ctl.apply(&Action::DrillInto(0x0872_664c_1eff_ffff));
    ctl.query_now();
    assert_eq!(ctl.view.res(), 8);
    let mut h = harness(ctl);
    h.get_by_label("Citywide").click();
    h.run();
    let actions = apply(&mut h);
    assert!(actions.contains(&Action::TruncateDrill(0)), "{actions:?}");
    let s = h.state();
    assert!(s.ctl.view.drill.is_empty());
    assert_eq!(s.ctl.view.res(), 7);
    assert_eq!(
        s.ctl.result.as_ref().expect("result").kpis.incidents,
        11_641
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_bad_script_shows_its_error_and_the_last_good_version_stays() {
    let engine = engine();
    let dir = tempfile::tempdir().expect("tempdir");
    hotspot_script::defaults::write_defaults(dir.path()).expect("defaults");
    let mut ctl = controller(engine, dir.path());
    let good = ctl.quick_hits.clone();
    assert!(!good.is_empty());
    std::fs::write(
        dir.path().join("quick_hits.rhai"),
        "fn quick_hits(r) { let x = ; }",
    )
    .expect("write");
    ctl.apply(&Action::ReloadScripts);
    ctl.query_now();
    let errors = ctl.errors();
    assert!(
        errors.iter().any(|e| e.contains("quick_hits.rhai:1")),
        "{errors:?}"
    );
    assert_eq!(ctl.quick_hits, good, "the last good script still answers");
    let h = harness(ctl);
    h.get_by_label_contains("Script error");
    h.get_by_label_contains("quick_hits.rhai:1");
}

#[test]
#[ignore = "needs the real sample (../shared/data) and a GPU adapter (lavapipe)"]
fn overview_snapshot() {
    let engine = engine();
    let ctl = controller(engine, &repo_scripts());
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .wgpu()
        .build_ui_state(
            |ui, s: &mut State| {
                if !s.fonts {
                    install_fonts(ui.ctx());
                    s.fonts = true;
                }
                apply_style(ui.ctx(), &s.ctl.settings, false);
                let errors = s.ctl.errors();
                let input = s.ctl.ui_input(&errors, MapInput::default(), false, false);
                s.ui.show(ui, &input);
            },
            State {
                fonts: false,
                ctl,
                ui: ConsoleUi::default(),
                actions: Vec::new(),
            },
        );
    h.run();
    let options = SnapshotOptions::new()
        .output_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/snapshots"))
        .threshold(2.0)
        .max_failed_pixels(200);
    h.snapshot_options("console-overview", &options);
}
