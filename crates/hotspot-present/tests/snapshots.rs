//! Snapshot tests on the software adapter: small scopes around the Loop with deterministic
//! values, dark and light, the map with its overlay (legend, title, labels), selection and
//! scope masks, compared to `tests/snapshots/render-*.png`. `UPDATE_SNAPSHOTS=1` rewrites the
//! references. Each needs lavapipe, so each is `#[ignore = …]`; CI runs them.

use hotspot_present::{HeadlessView, Legend, Overlay};
use hotspot_render::gpu::AdapterPreference;
use hotspot_render::{
    ContextLayers, ContextVisibility, DomainMode, FrameSpec, HeadlessOptions, OutsideScope,
    Palette, Theme,
};
use hotspot_testkit::coverage::{loop_scope, quadrant_context, r10_children};
use hotspot_testkit::snapshot::{assert_snapshot, compare};

const W: u32 = 480;
const H: u32 = 360;

/// A headless view on the software adapter (snapshots are recorded on lavapipe; hardware
/// rasterises differently).
fn software() -> HeadlessView {
    let v = HeadlessView::new(HeadlessOptions {
        msaa: 4,
        adapter: AdapterPreference::Software,
    })
    .unwrap_or_else(|e| panic!("this test needs a GPU adapter: {e}"));
    assert!(
        v.headless.gpu.is_software(),
        "snapshots are recorded on the software adapter (lavapipe), this is {}",
        v.headless.gpu.describe()
    );
    v
}

fn context_for(cells: &[u64]) -> ContextLayers {
    ContextLayers::from_r10(&quadrant_context(&r10_children(cells)))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn frame(
    v: &mut HeadlessView,
    title: &str,
    legend_title: &str,
    percent: bool,
) -> (FrameSpec, Overlay) {
    let map = v.map();
    let mut legend = Legend::new(legend_title, map.palette().clone(), map.domain());
    legend.percent = percent;
    (
        FrameSpec {
            scale_factor: Some(1.0),
            ..FrameSpec::new(W, H)
        },
        Overlay {
            title: Some(title.into()),
            subtitle: Some("1–15 September 2024".into()),
            legend: Some(legend),
            labels: true,
            attribution: None,
            stamp: None,
            split: None,
        },
    )
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn snapshot_street_scale_dark() {
    let mut v = software();
    let (cells, vals) = loop_scope(9, 7);
    v.map()
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_values(9, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_theme(Theme::Dark);
    let (f, o) = frame(&mut v, "Street-scale · Citywide", "Incident volume", false);
    v.fit(&f, &o, &cells);
    let img = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_snapshot("render-street-scale-dark", &img, Default::default());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn snapshot_arrests_drill_light() {
    let mut v = software();
    let (cells, vals) = loop_scope(9, 7);
    v.map()
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    // Arrest-like rates 0–0.4; a quarter of the cells have no incidents.
    let (with, rates): (Vec<u64>, Vec<f32>) = cells
        .iter()
        .zip(&vals)
        .enumerate()
        .filter(|(i, _)| i % 4 != 3)
        .map(|(_, (c, v))| (*c, v / 250.0))
        .unzip();
    v.map()
        .set_values(9, &with, &rates)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_palette(&Palette::arrests())
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_domain(Some((0.0, 0.4)));
    // Drilled into the r8 parent of the centre: its children in scope, the rest dimmed.
    let (lat, lon) = hotspot_render::camera::CHICAGO_CENTER;
    let parent = h3o::LatLng::new(lat, lon)
        .map(|ll| ll.to_cell(h3o::Resolution::Eight))
        .unwrap_or_else(|e| panic!("{e}"));
    let scope: Vec<u64> = parent
        .children(h3o::Resolution::Nine)
        .map(u64::from)
        .collect();
    v.map()
        .set_scope_mask(9, Some(&scope), OutsideScope::Dim)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_selected(Some(scope[0]));
    v.map().set_hover(Some(scope[3]));
    v.map()
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_context_visibility(ContextVisibility {
        community_areas: true,
        districts: false,
        ..Default::default()
    });
    v.map().set_theme(Theme::Light);
    let (f, o) = frame(
        &mut v,
        "Street-scale · District 1",
        "Smoothed arrest rate",
        true,
    );
    v.fit(&f, &o, &cells);
    let img = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_snapshot("render-arrests-drill-light", &img, Default::default());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn snapshot_micro_block_quantile_dark() {
    let mut v = software();
    let (cells, vals) = loop_scope(10, 12);
    v.map()
        .set_coverage(10, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    let skewed: Vec<f32> = vals.iter().map(|v| (v / 10.0).powi(3).round()).collect();
    v.map()
        .set_values(10, &cells, &skewed)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_palette(&Palette {
            name: "Quantile".into(),
            mode: DomainMode::Quantile,
            ..Palette::volume()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_theme(Theme::Dark);
    let (f, o) = frame(&mut v, "Micro-block · Loop", "Incidents (quantiles)", false);
    v.fit(&f, &o, &cells);
    let img = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_snapshot("render-micro-block-quantile-dark", &img, Default::default());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn snapshot_neighbourhood_log_light() {
    let mut v = software();
    let (cells, vals) = loop_scope(8, 4);
    v.map()
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    let counts: Vec<f32> = vals.iter().map(|v| (v * v / 4.0).round()).collect();
    v.map()
        .set_values(8, &cells, &counts)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_palette(&Palette {
            mode: DomainMode::Log,
            ..Palette::volume()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    v.map().set_theme(Theme::Light);
    let (f, o) = frame(
        &mut v,
        "Neighbourhood-scale · Citywide",
        "Incident volume (log)",
        false,
    );
    v.fit(&f, &o, &cells);
    let img = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_snapshot("render-neighbourhood-log-light", &img, Default::default());
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn snapshot_comparison_detects_a_change() {
    // The comparison itself must be able to fail: one changed palette stop is caught.
    let mut v = software();
    let (cells, vals) = loop_scope(8, 2);
    v.map()
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    v.map()
        .set_values(8, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    let f = FrameSpec::new(96, 96);
    let o = Overlay::default();
    v.fit(&f, &o, &cells);
    let a = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    let b = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(compare(&a, &b, 0).0, 0, "rendering is deterministic");
    let mut p = Palette::volume();
    p.stops[5] = [0x20, 0x20, 0xb0, 0xff];
    v.map().set_palette(&p).unwrap_or_else(|e| panic!("{e}"));
    let c = v.render(&f, &o).unwrap_or_else(|e| panic!("{e}"));
    assert!(compare(&a, &c, 4).0 > 40);
}
