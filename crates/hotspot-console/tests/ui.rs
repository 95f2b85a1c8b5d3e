//! The console's overlay under egui_kittest, on the real 1–15 Sept 2024 sample.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use hotspot_console::controller::Controller;
use hotspot_console::ui::{Action, ConsoleUi, MapInput, apply_style, install_fonts};
use hotspot_console::{Settings, ViewState};
use hotspot_script::ScriptHost;

mod common;
use common::{State, controller, engine, repo_scripts, texts};

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

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn every_bar_has_its_name_and_nothing_is_below_the_legible_size() {
    for (w, h) in [
        (1280.0, 720.0),
        (1600.0, 1000.0),
        (1920.0, 1080.0),
        (2560.0, 1440.0),
    ] {
        let mut harness = harness(controller(engine(), &repo_scripts()));
        harness.set_size(egui::vec2(w, h));
        harness.state_mut().ui.set_chart_tab(1);
        harness.run();
        let drawn = texts(&harness);
        let r = harness.state().ctl.result.clone().expect("result");
        // Every offence of the top-12 and crime-mix charts and every district is labelled
        // (in full, or shortened with "…" and its start kept).
        let names: Vec<String> = r
            .series
            .top_types
            .iter()
            .map(|t| t.primary_type.clone())
            .chain(r.series.crime_mix.iter().map(|t| t.primary_type.clone()))
            .chain(r.series.top_districts.iter().map(|d| d.label.clone()))
            .collect();
        assert!(names.len() >= 20, "{names:?}");
        for name in &names {
            let labelled = drawn.iter().any(|(t, _)| {
                t == name
                    || t.strip_suffix('…')
                        .is_some_and(|s| name.starts_with(s) && s.len() >= 3)
            });
            assert!(labelled, "{w}×{h}: no label for {name:?}");
        }
        // The value at the end of the top offence's bar.
        let top = &r.series.top_types[0];
        let value = hotspot_core::fmt::thousands(top.incidents);
        assert!(
            drawn.iter().any(|(t, _)| t.starts_with(&value)),
            "{w}×{h}: no value {value} for {}",
            top.primary_type
        );
        let small: Vec<&(String, f32)> = drawn
            .iter()
            .filter(|(_, size)| *size < hotspot_console::ui::MIN_TEXT_PT - 0.01)
            .collect();
        assert!(small.is_empty(), "{w}×{h}: text below 12 pt: {small:?}");
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_hourly_chart_and_the_table_fit_their_panels() {
    for (w, h) in [
        (1280.0, 720.0),
        (1600.0, 1000.0),
        (1920.0, 1080.0),
        (2560.0, 1440.0),
    ] {
        let mut harness = harness(controller(engine(), &repo_scripts()));
        harness.set_size(egui::vec2(w, h));
        harness.run();
        let drawn = texts(&harness);
        // Every third hour's label of the hourly chart shows (its x axis labels 00h … 21h).
        for hour in ["00h", "06h", "12h", "18h"] {
            assert!(
                drawn.iter().any(|(t, _)| t == hour),
                "{w}×{h}: hour label {hour} missing"
            );
        }
        // The table shows its header columns without a horizontal scrollbar: every header
        // drawn lies inside the window.
        let headers = ["Block / place", "Incidents", "Arrest rate"];
        for title in headers {
            let nodes: Vec<_> = harness.get_all_by_label(title).collect();
            assert!(!nodes.is_empty(), "{w}×{h}: no header {title}");
            for node in nodes {
                assert!(
                    node.rect().max.x <= w + 0.5,
                    "{w}×{h}: {title} at {:?}",
                    node.rect()
                );
            }
        }
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_view_predicate_highlights_the_cells_it_picks() {
    let mut ctl = controller(engine(), &repo_scripts());
    assert!(ctl.highlight().is_none());
    ctl.apply(&Action::ApplyView("low_clearance".into()));
    ctl.query_now();
    assert_eq!(ctl.view.predicate.as_deref(), Some("low_clearance"));
    let r = ctl.result.clone().expect("result");
    // low_clearance: 10+ selected incidents and an arrest rate below the lower 95% Wilson
    // bound of the city's rate (over the mapped cells), worked out here.
    let c = &r.cells;
    let n: f64 = c.selected.values().iter().map(|v| f64::from(*v)).sum();
    let a: f64 = c.arrests.values().iter().map(|v| f64::from(*v)).sum();
    let (z, p) = (1.959_963_984_540_054_f64, a / n);
    let lo = (p + z * z / (2.0 * n) - z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt())
        / (1.0 + z * z / n);
    let expected: Vec<bool> = (0..c.len())
        .map(|i| c.selected.value(i) >= 10 && f64::from(c.arrest_rate.value(i)) < lo)
        .collect();
    let h = ctl.highlight().expect("highlight");
    assert_eq!(h.name, "low_clearance");
    assert_eq!(h.mask, expected.as_slice());
    assert!(
        expected.iter().any(|x| *x),
        "the sample has low-clearance cells"
    );
    assert!(expected.iter().any(|x| !*x));
    // The breadcrumb offers to clear it; clearing stops the highlight.
    ctl.apply(&Action::ClearHighlight);
    ctl.query_now();
    assert!(ctl.highlight().is_none());
    assert!(ctl.view.predicate.is_none());
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_view_saved_on_another_lake_starts_from_the_latest_28_days() {
    let engine = engine();
    let (_, last) = engine.date_range();
    let mut settings = Settings::default();
    let mut saved = ViewState::new(NaiveDate::from_ymd_opt(2021, 3, 31).expect("date"));
    saved.base_res = 9;
    settings.view = Some(saved.clone());
    settings.view_lake = Some("another lake".into());
    let ctl = Controller::new(
        engine.clone(),
        ScriptHost::open(repo_scripts()),
        settings,
        None,
    );
    assert_eq!(ctl.view.to, last);
    assert_eq!(ctl.view.from, last - chrono::Days::new(27));
    let status = ctl.status().expect("it says so");
    assert!(status.contains("latest 28 days"), "{status}");

    // On the same lake, a view that fits is restored as it was.
    let mut settings = Settings::default();
    let mut fits = ViewState::new(last);
    fits.base_res = 9;
    settings.view = Some(fits.clone());
    settings.view_lake = engine.lake_identity().map(str::to_string);
    assert!(settings.view_lake.is_some());
    let ctl = Controller::new(engine, ScriptHost::open(repo_scripts()), settings, None);
    assert_eq!(ctl.view, fits);
    assert!(ctl.status().is_none());
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn hot_spot_options_reach_the_query() {
    let mut ctl = controller(engine(), &repo_scripts());
    let h = ctl
        .result
        .as_ref()
        .and_then(|r| r.hot_spots.clone())
        .expect("hot spots");
    assert_eq!(
        h.stats.options,
        hotspot_scope::HotSpotOptions { k: 1, fdr: true }
    );
    ctl.apply(&Action::SetHotSpotOptions(hotspot_scope::HotSpotOptions {
        k: 2,
        fdr: false,
    }));
    ctl.query_now();
    let h2 = ctl
        .result
        .as_ref()
        .and_then(|r| r.hot_spots.clone())
        .expect("hot spots");
    assert_eq!(
        h2.stats.options,
        hotspot_scope::HotSpotOptions { k: 2, fdr: false }
    );
    assert_ne!(h2.stats.z, h.stats.z);
    // Out of range is clamped, not an error shown to the user.
    ctl.apply(&Action::SetHotSpotOptions(hotspot_scope::HotSpotOptions {
        k: 99,
        fdr: true,
    }));
    assert_eq!(ctl.view.hot_spots.k, hotspot_scope::MAX_K);
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn emerging_options_reach_the_query_and_a_short_period_says_why() {
    use hotspot_scope::{EmergingOptions, Metric, Step, WarningKind};
    let mut ctl = controller(engine(), &repo_scripts());
    // 1–15 Sep: two whole weeks, analysed for the quick hits even on the volume map.
    let e = ctl
        .result
        .as_ref()
        .and_then(|r| r.emerging.clone())
        .expect("emerging");
    assert_eq!(
        e.stats.options,
        EmergingOptions {
            step: Step::Week,
            time_lag: 1,
            k: 1,
            alpha: 0.10,
            fdr: true
        }
    );
    assert_eq!(e.stats.steps.len(), 2);
    // The map's controls: step, time lag and α; k and FDR come from the hot-spot settings.
    ctl.apply(&Action::SetMetric(Metric::Emerging));
    ctl.apply(&Action::SetHotSpotOptions(hotspot_scope::HotSpotOptions {
        k: 2,
        fdr: false,
    }));
    ctl.apply(&Action::SetEmergingOptions(EmergingOptions {
        time_lag: 0,
        alpha: 0.05,
        ..ctl.view.emerging
    }));
    ctl.query_now();
    let e2 = ctl
        .result
        .as_ref()
        .and_then(|r| r.emerging.clone())
        .expect("emerging");
    assert_eq!(
        e2.stats.options,
        EmergingOptions {
            step: Step::Week,
            time_lag: 0,
            k: 2,
            alpha: 0.05,
            fdr: false
        }
    );
    assert_ne!(e2.stats.z, e.stats.z);
    // A bad α keeps the last good one; a long time lag is cut to the console's longest.
    ctl.apply(&Action::SetEmergingOptions(EmergingOptions {
        time_lag: 99,
        alpha: 1.5,
        ..ctl.view.emerging
    }));
    assert_eq!(ctl.view.emerging.alpha, 0.05);
    assert_eq!(ctl.view.emerging.time_lag, 4);
    // Monthly steps over 15 days: no analysis, a warning that says why, the rest answered.
    ctl.apply(&Action::SetEmergingOptions(EmergingOptions {
        step: Step::Month,
        ..ctl.view.emerging
    }));
    ctl.query_now();
    let r = ctl.result.clone().expect("result");
    assert!(r.emerging.is_none());
    assert_eq!(r.kpis.incidents, 11_641);
    let w = r
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::EmergingUnavailable)
        .expect("warning");
    assert!(w.message.contains("0 whole month(s)"), "{}", w.message);
    // A long period on another map skips the analysis; on the emerging map it runs.
    ctl.apply(&Action::SetEmergingOptions(EmergingOptions {
        step: Step::Week,
        ..ctl.view.emerging
    }));
    ctl.apply(&Action::SetMetric(Metric::Incidents));
    ctl.view.from = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    assert_eq!(ctl.view.scope(20).emerging, None);
    ctl.apply(&Action::SetMetric(Metric::Emerging));
    assert!(ctl.view.scope(20).emerging.is_some());
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_table_export_carries_the_hot_spot_statistics_of_each_row() {
    let ctl = controller(engine(), &repo_scripts());
    let r = ctl.result.clone().expect("result");
    let (h, e) = (
        r.hot_spots.clone().expect("hot spots"),
        r.emerging.clone().expect("emerging"),
    );
    let text = ctl.table_csv();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header.len(), 22);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), r.table.len());
    assert!(!rows.is_empty());
    for (row, t) in rows.iter().zip(&r.table) {
        let cell = u64::from_str_radix(&row[col("cell")], 16).expect("hex cell");
        assert_eq!(cell, t.cell);
        let (z, _, bin) = h.of(cell).expect("in the study area");
        assert_eq!(row[col("gi_bin")].parse::<i8>().expect("bin"), bin);
        let z_text: f64 = row[col("gi_z")].parse().expect("z");
        assert!((z_text - z).abs() < 1e-4, "{z_text} vs {z}");
        let (category, _, p) = e.stats.of(cell).expect("in the study area");
        assert_eq!(&row[col("ehsa")], category.name());
        let p_text: f64 = row[col("trend_p")].parse().expect("p");
        assert!((p_text - p).abs() < 1e-4);
    }
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_display_toggles_reach_the_settings() {
    let mut h = harness(controller(engine(), &repo_scripts()));
    assert!(h.state().ctl.settings.show_streets);
    // The sidebar scrolls: bring each toggle into view before clicking it.
    for label in ["Streets", "Wards", "Beats"] {
        h.get_by_label(label).scroll_to_me();
        h.run();
        h.get_by_label(label).click();
        h.run();
    }
    let actions = apply(&mut h);
    for a in [
        Action::ShowStreets(false),
        Action::ShowWards(true),
        Action::ShowBeats(true),
    ] {
        assert!(actions.contains(&a), "{a:?} not in {actions:?}");
    }
    let s = &h.state().ctl.settings;
    assert!(!s.show_streets && s.show_wards && s.show_beats);
    // Opacity is clamped to 0.2–1, and a bad value falls back to the map's own.
    let mut ctl = controller(engine(), &repo_scripts());
    ctl.apply(&Action::SetCellOpacity(0.05));
    assert_eq!(ctl.settings.cell_opacity, 0.2);
    ctl.apply(&Action::SetCellOpacity(f32::NAN));
    assert_eq!(ctl.settings.cell_opacity, 0.92);
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_basemap_source_is_checked_as_typed_applied_and_toggled() {
    const HINT: &str = "https://…/{z}/{x}/{y}.png";
    let mut h = harness(controller(engine(), &repo_scripts()));
    assert!(h.state().ctl.settings.basemap_url.is_empty());
    // Without a URL the toggle cannot be switched on.
    h.get_by_label("Basemap tiles").scroll_to_me();
    h.run();
    h.get_by_label("Basemap tiles").click();
    h.run();
    assert!(apply(&mut h).is_empty());
    h.get_by_label("Basemap source").scroll_to_me();
    h.run();
    h.get_by_label("Basemap source").click();
    h.run();
    assert!(
        h.query_by_label("XYZ URL template").is_some(),
        "the source section opens"
    );
    h.get_by(|n| n.placeholder() == Some(HINT)).scroll_to_me();
    h.run();
    h.get_by(|n| n.placeholder() == Some(HINT)).focus();
    h.run();
    h.get_by(|n| n.placeholder() == Some(HINT))
        .type_text("https://tiles.example/{z}/{x}.png");
    h.run();
    // The template is checked as it is typed: the reason shows, Apply does nothing.
    assert!(
        h.query_by_label_contains("must contain {z}, {x} and {y}")
            .is_some(),
        "no error shown"
    );
    h.get_by_label("Apply").scroll_to_me();
    h.run();
    h.get_by_label("Apply").click();
    h.run();
    assert!(apply(&mut h).is_empty());
    // Completed, it applies: the settings take it and the basemap is on.
    h.get_by(|n| {
        n.role() == egui::accesskit::Role::TextInput
            && n.value().is_some_and(|v| v.starts_with("https://tiles"))
    })
    .focus();
    h.run();
    h.get_by(|n| {
        n.role() == egui::accesskit::Role::TextInput
            && n.value().is_some_and(|v| v.starts_with("https://tiles"))
    })
    .type_text("/{y}");
    h.run();
    assert!(h.query_by_label_contains("must contain").is_none());
    h.get_by_label("Apply").scroll_to_me();
    h.run();
    h.get_by_label("Apply").click();
    h.run();
    let actions = apply(&mut h);
    let url = "https://tiles.example/{z}/{x}.png/{y}".to_string();
    assert!(
        actions.contains(&Action::SetBasemap(url.clone(), String::new(), 19)),
        "{actions:?}"
    );
    let s = &h.state().ctl.settings;
    assert_eq!(s.basemap_url, url);
    assert!(s.show_basemap);
    // The toggle hides it and keeps the source.
    h.get_by_label("Basemap tiles").scroll_to_me();
    h.run();
    h.get_by_label("Basemap tiles").click();
    h.run();
    assert_eq!(apply(&mut h), vec![Action::ShowBasemap(false)]);
    let s = &h.state().ctl.settings;
    assert!(!s.show_basemap && s.basemap_url == url);
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn a_view_with_tiles_sets_the_basemap() {
    // The repository's scripts plus one view that names a basemap.
    let dir = tempfile::tempdir().expect("tempdir");
    let scripts = dir.path().join("scripts");
    std::fs::create_dir_all(scripts.join("views")).expect("mkdir");
    for f in [
        "palettes.rhai",
        "taxonomy.rhai",
        "quick_hits.rhai",
        "predicates.rhai",
    ] {
        std::fs::copy(repo_scripts().join(f), scripts.join(f)).expect("copy");
    }
    std::fs::write(
        scripts.join("views/with_tiles.rhai"),
        r#"#{ title: "Over tiles", res: 9, period: "all",
             context: #{ tiles: #{ url: "https://t.example/{z}/{x}/{y}.png",
                                    attribution: "© T", max_zoom: 17 } } }"#,
    )
    .expect("write view");
    let mut ctl = controller(engine(), &scripts);
    let effects = ctl.apply(&Action::ApplyView("with_tiles".into()));
    assert!(
        effects.contains(&hotspot_console::controller::Effect::BasemapChanged),
        "{effects:?}"
    );
    let s = &ctl.settings;
    assert_eq!(
        (s.basemap_url.as_str(), s.basemap_attribution.as_str()),
        ("https://t.example/{z}/{x}/{y}.png", "© T")
    );
    assert_eq!(s.basemap_max_zoom, 17);
    assert!(s.show_basemap);
}

/// Incidents per day of September 2024 in the real sample, counted from its Date column.
fn sample_days() -> BTreeMap<u32, u64> {
    let text = std::fs::read_to_string(hotspot_testkit::sample::path()).expect("sample");
    let mut days = BTreeMap::new();
    for line in text.lines().skip(1) {
        // ID and Case Number hold no commas: the third field is the date.
        let Some(date) = line.split(',').nth(2) else {
            continue;
        };
        if let Some(d) = date.strip_prefix("09/").and_then(|r| r.get(..2)) {
            *days.entry(d.parse::<u32>().expect("day")).or_insert(0) += 1;
        }
    }
    days
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_time_bar_drives_the_kpis_and_stops_at_the_end_unless_looping() {
    use hotspot_scope::{TimeStep, Timeline};
    let days = sample_days();
    assert_eq!(days.values().sum::<u64>(), 11_641);
    let mut ctl = controller(engine(), &repo_scripts());
    ctl.apply(&Action::SetTimeline(Timeline::of(TimeStep::Day)));
    let mut h = harness(ctl);
    h.get_by_label("▶ Play through time").click();
    h.run();
    assert_eq!(apply(&mut h), vec![Action::TimelineOpen]);
    let kpis = |h: &Harness<'static, State>| {
        h.state()
            .ctl
            .result
            .as_ref()
            .expect("result")
            .kpis
            .incidents
    };
    {
        let s = h.state_mut();
        assert!(s.ctl.build_timeline_now());
        s.ctl.timeline_effects();
        s.ctl.query_now();
    }
    h.run();
    // Fifteen daily frames; the playhead starts on the last day, and the KPIs are its own.
    assert_eq!(h.state().ctl.timebar.frames(), 15);
    assert_eq!(kpis(&h), days[&15]);
    h.get_by_label("15 Sep 2024");
    // The scrubber's position drives the period: the first day.
    h.state_mut().ctl.apply(&Action::TimelineSeek(0.0));
    h.state_mut().ctl.query_now();
    h.run();
    assert_eq!(kpis(&h), days[&1]);
    // → steps a frame.
    h.key_press(egui::Key::ArrowRight);
    h.run();
    assert_eq!(apply(&mut h), vec![Action::TimelineStep(1)]);
    assert_eq!(kpis(&h), days[&2]);
    // Space plays; at 2 frames a second ten seconds reach the end, where it stops.
    h.key_press(egui::Key::Space);
    h.run();
    assert_eq!(apply(&mut h), vec![Action::TimelinePlay(true)]);
    let ctl = &mut h.state_mut().ctl;
    for _ in 0..100 {
        ctl.tick(0.1);
    }
    assert!(!ctl.timebar.playing);
    assert_eq!(ctl.timebar.position, 14.0);
    ctl.query_now();
    assert_eq!(
        ctl.result.as_ref().expect("result").kpis.incidents,
        days[&15]
    );
    // Looping, it goes round instead.
    ctl.apply(&Action::SetTimelineLoop(true));
    ctl.apply(&Action::TimelinePlay(true));
    let mut wrapped = false;
    let mut last = ctl.timebar.position;
    for _ in 0..200 {
        ctl.tick(0.1);
        wrapped |= ctl.timebar.position < last;
        last = ctl.timebar.position;
    }
    assert!(ctl.timebar.playing && wrapped);
    // Export asks the app to write the timeline (nothing to write once it is closed).
    assert_eq!(
        ctl.apply(&Action::ExportAnimation),
        vec![hotspot_console::controller::Effect::ExportAnimation]
    );
    // Closing gives the period back.
    ctl.apply(&Action::TimelineClose);
    assert_eq!(
        (ctl.view.from, ctl.view.to),
        (
            NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
            NaiveDate::from_ymd_opt(2024, 9, 15).expect("date")
        )
    );
    assert!(!ctl.timebar.open);
    assert!(ctl.apply(&Action::ExportAnimation).is_empty());
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn the_compstat_tab_shows_the_week_against_the_week_before() {
    let days = sample_days();
    // The view ends on 15 September: the week is 9–15, the week before 2–8.
    let week: u64 = (9..=15).map(|d| days[&d]).sum();
    let before: u64 = (2..=8).map(|d| days[&d]).sum();
    let mut h = harness(controller(engine(), &repo_scripts()));
    h.get_by_label("CompStat").click();
    h.run();
    h.get_by_label("All offences");
    // "Violent" is also a sidebar category: the table adds one more.
    assert!(h.query_all_by_label("Violent").count() >= 2);
    for n in [week, before] {
        let label = hotspot_core::fmt::thousands(n);
        assert!(h.query_all_by_label(&label).next().is_some(), "no {label}");
    }
    let change = (week as f64 - before as f64) / before as f64 * 100.0;
    let text = if change >= 0.0 {
        format!("+{change:.1}%")
    } else {
        format!("−{:.1}%", -change)
    };
    assert!(
        h.query_all_by_label(&text).next().is_some(),
        "no change label {text}"
    );
    let t = h.state().ctl.compstat.clone().expect("table").expect("ok");
    assert_eq!(
        t.week_ending,
        NaiveDate::from_ymd_opt(2024, 9, 15).expect("date")
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn comparing_with_last_year_or_the_week_before_and_marking_what_changed() {
    let d = |day| NaiveDate::from_ymd_opt(2024, 9, day).expect("date");
    let mut h = harness(controller(engine(), &repo_scripts()));
    // The second week against the first: both in the lake, so each cell's change is tested
    // and the change map marks the significant ones.
    {
        let ctl = &mut h.state_mut().ctl;
        ctl.apply(&Action::SetPeriod(d(9), d(15)));
        ctl.apply(&Action::SetMetric(hotspot_scope::Metric::Change));
        ctl.query_now();
        let r = ctl.result.clone().expect("result");
        assert!(r.comparison.tested);
        let marked = ctl.highlight().expect("marks");
        assert_eq!(marked.mask.len(), r.cells.len());
        let expected: Vec<bool> = r.comparison.change_sig.iter().map(|s| *s != 0).collect();
        assert_eq!(marked.mask, expected.as_slice());
    }
    h.run();
    // Marks off: no highlight.
    h.get_by_label("Mark significant changes").click();
    h.run();
    assert_eq!(apply(&mut h), vec![Action::MarkSignificant(false)]);
    assert!(h.state().ctl.highlight().is_none());
    // Against the same days last year: the query's comparison is 9–15 Sep 2023, outside the
    // lake, so nothing is tested.
    h.get_by_label("same days last year").click();
    h.run();
    assert_eq!(apply(&mut h), vec![Action::CompareLastYear(true)]);
    let r = h.state().ctl.result.clone().expect("result");
    assert_eq!(r.comparison.period_label, "9–15 Sep 2023");
    assert!(!r.comparison.tested);
    assert_eq!(
        h.state().ctl.view.effective_metric(),
        hotspot_scope::Metric::Change
    );
}

#[test]
#[ignore = "needs the real sample (../shared/data)"]
fn side_by_side_and_the_time_bar_take_turns() {
    use hotspot_console::controller::Effect;
    let mut ctl = controller(engine(), &repo_scripts());
    let period = (ctl.view.from, ctl.view.to);
    assert_eq!(ctl.apply(&Action::SideBySide(true)), vec![Effect::Requery]);
    assert!(ctl.view.side_by_side);
    // Opening the time bar leaves side by side (one timeline on the map at a time)…
    ctl.apply(&Action::TimelineOpen);
    assert!(ctl.timebar.open && !ctl.view.side_by_side);
    // …and side by side closes the time bar, giving its period back.
    let effects = ctl.apply(&Action::SideBySide(true));
    assert!(effects.contains(&Effect::TimelineChanged), "{effects:?}");
    assert!(!ctl.timebar.open && ctl.view.side_by_side);
    assert_eq!((ctl.view.from, ctl.view.to), period);
}
