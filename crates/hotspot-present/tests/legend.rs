//! The legend: captions that follow the colours shown, ticks over the domain, the old
//! console's colour ranges reaching the legend, and what a metric's legend says.

use hotspot_core::palette::{Domain, DomainMode, Palette, ValueKind};
use hotspot_present::Legend;
use hotspot_scope::Metric;

fn domain(mode: DomainMode, lo: f32, hi: f32, breaks: Vec<f32>) -> Domain {
    Domain {
        mode,
        lo,
        hi,
        breaks,
    }
}

#[test]
fn captions_follow_the_colours_shown() {
    let unit = domain(DomainMode::Linear, 0.0, 1.0, vec![]);
    let vol = Legend::new("Incident volume", Palette::volume(), unit.clone());
    assert_eq!(
        vol.caption(),
        "Legend: green → lower incident intensity; red → higher incident intensity."
    );
    // The seed said "green → fewer arrests" although its reversed scale shows low as red.
    let mut arr = Legend::new("Arrest count", Palette::arrests(), unit);
    assert_eq!(
        arr.caption(),
        "Legend: red → fewer arrests / lower clearance; green → more arrests / higher clearance."
    );
    arr.caption_suffix = Some("Resolution Street-scale (r9).".into());
    assert!(
        arr.caption()
            .ends_with("clearance. Resolution Street-scale (r9).")
    );
}

#[test]
fn legend_ticks_cover_the_domain() {
    let mut l = Legend::new(
        "Incident volume",
        Palette::volume(),
        domain(DomainMode::Linear, 0.0, 55.2, vec![]),
    );
    let ticks = l.ticks();
    let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(labels, ["0", "10", "20", "30", "40", "50"]);
    assert!(ticks.iter().all(|t| (0.0..=1.0).contains(&t.0)));
    l.domain = domain(DomainMode::Linear, 0.0, 0.35, vec![]);
    l.percent = true;
    assert_eq!(l.ticks().last().map(|t| t.1.clone()), Some("35%".into()));
    l.palette.mode = DomainMode::Log;
    l.percent = false;
    l.domain = domain(DomainMode::Log, 0.0, 1000.0, vec![]);
    let log: Vec<String> = l.ticks().into_iter().map(|t| t.1).collect();
    assert!(
        log.contains(&"0".to_string()) && log.contains(&"1,000".to_string()),
        "{log:?}"
    );
}

#[test]
fn seed_colour_ranges_reach_the_legend() {
    // The seed's count rule: max(p90 = 2.1, 0.6 × 92 = 55.2, 1) = 55.2.
    let mut values = vec![1.0f32; 90];
    values.extend([12.0; 9]);
    values.push(92.0);
    let d = Palette::volume().domain_for(&values, ValueKind::Count);
    assert!((d.hi - 55.2).abs() < 1e-4, "{}", d.hi);
    let l = Legend::new("Incident volume", Palette::volume(), d);
    assert_eq!(l.ticks().last().map(|t| t.1.as_str()), Some("50"));
}

#[test]
fn a_metric_legend_carries_its_title_format_and_resolution() {
    let d = domain(DomainMode::Linear, 0.0, 0.42, vec![]);
    let l = Legend::for_metric(Metric::ArrestRate, Palette::arrests(), d.clone(), 9);
    assert_eq!(l.title, "Arrest rate");
    assert!(l.percent);
    assert_eq!(l.ticks().last().map(|t| t.1.clone()), Some("40%".into()));
    let resolution = format!(
        "Resolution Street-scale (r9) {}.",
        hotspot_core::res::size_text(9)
    );
    assert!(l.caption().ends_with(&resolution), "{}", l.caption());
    assert!(
        l.caption().starts_with("Legend: red → fewer arrests"),
        "{}",
        l.caption()
    );
    let counts = Legend::for_metric(Metric::Incidents, Palette::volume(), d, 6);
    assert!(!counts.percent);
    assert_eq!(counts.title, "Incident volume");
}
