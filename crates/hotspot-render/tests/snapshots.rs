//! Snapshot tests on the software adapter: small scopes around the Loop with deterministic
//! values, dark and light, with legend, labels, selection and scope masks, compared to
//! `tests/snapshots/render-*.png`. `UPDATE_SNAPSHOTS=1` rewrites the references.

mod common;

use hotspot_render::overlay::Overlay;
use hotspot_render::sample::{loop_scope, quadrant_context, r10_children};
use hotspot_render::{
    ContextLayers, ContextVisibility, DomainMode, FrameSpec, Headless, Legend, OutsideScope,
    Palette, Theme,
};

const W: u32 = 480;
const H: u32 = 360;

/// The software adapter, or a reasoned skip (hardware rasterises differently).
fn software() -> Option<Headless> {
    let h = common::headless(4)?;
    if !h.gpu.is_software() {
        eprintln!(
            "skipped: snapshots are recorded on the software adapter, this is {}",
            h.gpu.describe()
        );
        return None;
    }
    Some(h)
}

fn context_for(cells: &[u64]) -> ContextLayers {
    ContextLayers::from_r10(&quadrant_context(&r10_children(cells)))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn frame(h: &mut Headless, title: &str, legend_title: &str, percent: bool) -> FrameSpec {
    let mut legend = Legend::new(legend_title, h.map.palette().clone(), h.map.domain());
    legend.percent = percent;
    FrameSpec {
        scale_factor: Some(1.0),
        overlay: Overlay {
            title: Some(title.into()),
            subtitle: Some("1–15 September 2024".into()),
            legend: Some(legend),
            labels: true,
        },
        ..FrameSpec::new(W, H)
    }
}

#[test]
fn snapshot_street_scale_dark() {
    let Some(mut h) = software() else {
        return;
    };
    let (cells, vals) = loop_scope(9, 7);
    h.map
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_values(9, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_theme(Theme::Dark);
    let f = frame(&mut h, "Street-scale · Citywide", "Incident volume", false);
    h.fit(&f, &cells);
    let img = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    common::assert_snapshot("render-street-scale-dark", &img, Default::default());
}

#[test]
fn snapshot_arrests_drill_light() {
    let Some(mut h) = software() else {
        return;
    };
    let (cells, vals) = loop_scope(9, 7);
    h.map
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
    h.map
        .set_values(9, &with, &rates)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_palette(&Palette::arrests())
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_domain(Some((0.0, 0.4)));
    // Drilled into the r8 parent of the centre: its children in scope, the rest dimmed.
    let (lat, lon) = hotspot_render::camera::CHICAGO_CENTER;
    let parent = h3o::LatLng::new(lat, lon)
        .map(|ll| ll.to_cell(h3o::Resolution::Eight))
        .unwrap_or_else(|e| panic!("{e}"));
    let scope: Vec<u64> = parent
        .children(h3o::Resolution::Nine)
        .map(u64::from)
        .collect();
    h.map
        .set_scope_mask(9, Some(&scope), OutsideScope::Dim)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_selected(Some(scope[0]));
    h.map.set_hover(Some(scope[3]));
    h.map
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_context_visibility(ContextVisibility {
        community_areas: true,
        districts: false,
        ..Default::default()
    });
    h.map.set_theme(Theme::Light);
    let f = frame(
        &mut h,
        "Street-scale · District 1",
        "Smoothed arrest rate",
        true,
    );
    h.fit(&f, &cells);
    let img = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    common::assert_snapshot("render-arrests-drill-light", &img, Default::default());
}

#[test]
fn snapshot_micro_block_quantile_dark() {
    let Some(mut h) = software() else {
        return;
    };
    let (cells, vals) = loop_scope(10, 12);
    h.map
        .set_coverage(10, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    let skewed: Vec<f32> = vals.iter().map(|v| (v / 10.0).powi(3).round()).collect();
    h.map
        .set_values(10, &cells, &skewed)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_palette(&Palette {
            name: "Quantile".into(),
            mode: DomainMode::Quantile,
            ..Palette::volume()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_theme(Theme::Dark);
    let f = frame(&mut h, "Micro-block · Loop", "Incidents (quantiles)", false);
    h.fit(&f, &cells);
    let img = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    common::assert_snapshot("render-micro-block-quantile-dark", &img, Default::default());
}

#[test]
fn snapshot_neighbourhood_log_light() {
    let Some(mut h) = software() else {
        return;
    };
    let (cells, vals) = loop_scope(8, 4);
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    let counts: Vec<f32> = vals.iter().map(|v| (v * v / 4.0).round()).collect();
    h.map
        .set_values(8, &cells, &counts)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_palette(&Palette {
            mode: DomainMode::Log,
            ..Palette::volume()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_context(context_for(&cells))
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_theme(Theme::Light);
    let f = frame(
        &mut h,
        "Neighbourhood-scale · Citywide",
        "Incident volume (log)",
        false,
    );
    h.fit(&f, &cells);
    let img = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    common::assert_snapshot("render-neighbourhood-log-light", &img, Default::default());
}

#[test]
fn snapshot_comparison_detects_a_change() {
    // The comparison itself must be able to fail: one changed palette stop is caught.
    let Some(mut h) = software() else {
        return;
    };
    let (cells, vals) = loop_scope(8, 2);
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_values(8, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    let f = FrameSpec::new(96, 96);
    h.fit(&f, &cells);
    let a = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    let b = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        common::compare(&a, &b, 0).0,
        0,
        "rendering is deterministic"
    );
    let mut p = Palette::volume();
    p.stops[5] = [0x20, 0x20, 0xb0, 0xff];
    h.map.set_palette(&p).unwrap_or_else(|e| panic!("{e}"));
    let c = h.render_rgba(&f).unwrap_or_else(|e| panic!("{e}"));
    assert!(common::compare(&a, &c, 4).0 > 40);
}
