//! GPU behaviour on whatever adapter is found (software preferred). Every test needs one, so
//! each is `#[ignore = …]` with the reason: CI runs them with `--include-ignored` on lavapipe.

use glam::DVec2;
use hotspot_render::mercator::project_ll;
use hotspot_render::palette::parse_hex;
use hotspot_render::{
    DomainMode, FrameSpec, Headless, Insets, Outlines, OutsideScope, Palette, RenderError, Theme,
};
use hotspot_testkit::coverage::loop_scope;
use hotspot_testkit::gpu::headless;

fn near(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    (0..3).all(|k| a[k].abs_diff(b[k]) <= tol)
}

fn blend(src: [u8; 4], bg: [u8; 4]) -> [u8; 4] {
    let a = f32::from(src[3]) / 255.0;
    let mut out = [255u8; 4];
    for k in 0..3 {
        out[k] = (f32::from(src[k]) * a + f32::from(bg[k]) * (1.0 - a)).round() as u8;
    }
    out
}

fn centre_px(h: &Headless, cell: u64) -> (u32, u32) {
    let c = h3o::CellIndex::try_from(cell).unwrap_or_else(|e| panic!("{e}"));
    let p = h
        .map
        .camera
        .world_to_screen(project_ll(h3o::LatLng::from(c)));
    (p.x as u32, p.y as u32)
}

/// Pixels well inside the footprint (cell at the centre has all neighbours covered and all four
/// corners fall in coverage) that are not exactly `colour`.
fn leaks(h: &Headless, res: u8, img: &hotspot_render::Image, colour: [u8; 4]) -> (usize, usize) {
    let g = h
        .map
        .geometry(res)
        .cloned()
        .unwrap_or_else(|| panic!("no geometry"));
    let cam = &h.map.camera;
    let (mut inside, mut bad) = (0, 0);
    for y in 0..img.height {
        for x in 0..img.width {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let Some((cell, _)) = g.pick(cam, DVec2::new(fx + 0.5, fy + 0.5)) else {
                continue;
            };
            let c = h3o::CellIndex::try_from(cell).unwrap_or_else(|e| panic!("{e}"));
            let interior = c
                .grid_disk::<Vec<_>>(1)
                .iter()
                .all(|n| g.slot(u64::from(*n)).is_some());
            let corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
                .iter()
                .all(|(dx, dy)| g.pick(cam, DVec2::new(fx + dx, fy + dy)).is_some());
            if !(interior && corners) {
                continue;
            }
            inside += 1;
            if !near(img.pixel(x, y), colour, 1) {
                bad += 1;
            }
        }
    }
    (inside, bad)
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn full_coverage_without_outlines_shows_no_background_inside() {
    let mut h = headless(4);
    for res in [8u8, 10] {
        let (cells, _) = loop_scope(res, if res == 10 { 22 } else { 6 });
        h.map
            .set_coverage(res, &cells)
            .unwrap_or_else(|e| panic!("{e}"));
        h.map.set_resolution(res).unwrap_or_else(|e| panic!("{e}"));
        h.map
            .set_values(res, &cells, &vec![1.0; cells.len()])
            .unwrap_or_else(|e| panic!("{e}"));
        h.map.set_domain(Some((0.0, 1.0)));
        h.map.set_opacity(1.0);
        h.map.set_outlines(Outlines::Off);
        let frame = FrameSpec {
            scale_factor: Some(1.0),
            ..FrameSpec::new(320, 320)
        };
        h.fit(&frame, &cells, Insets::default());
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        let top = parse_hex("#b0202f").unwrap_or_else(|e| panic!("{e}"));
        let (inside, bad) = leaks(&h, res, &img, top);
        assert!(
            inside > 320 * 320 / 3,
            "r{res}: only {inside} interior pixels"
        );
        assert_eq!(
            bad, 0,
            "r{res}: {bad} of {inside} interior pixels are not the cell colour"
        );
        // The same check sees the gaps when outlines are on (so it can fail).
        h.map.set_outlines(Outlines::Px(1.0));
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        let (_, gaps) = leaks(&h, res, &img, top);
        assert!(
            gaps > inside / 20,
            "r{res}: outlines should show ({gaps} gap pixels)"
        );
        // The brick level of detail tiles too (approximately: allow a handful of pixels).
        h.map.set_outlines(Outlines::Off);
        h.map.set_lod_threshold(1e9);
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.map.stats().lod);
        let (inside, bad) = leaks(&h, res, &img, top);
        eprintln!("r{res} bricks: {bad} of {inside} interior pixels off");
        assert!(
            bad * 200 <= inside,
            "r{res} bricks: {bad} of {inside} interior pixels off"
        );
        h.map.set_lod_threshold(hotspot_render::map::DEFAULT_LOD_PX);
        h.map.set_outlines(Outlines::Auto);
    }
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn palette_value_flags_and_highlights_reach_the_pixels() {
    let mut h = headless(4);
    let (cells, _) = loop_scope(8, 3);
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_resolution(8).unwrap_or_else(|e| panic!("{e}"));
    // A palette as hotspot-script builds it from `palettes.rhai`; the renderer takes the very
    // same type, and its LUT is the palette's own.
    let script = Palette {
        no_data: parse_hex("#00ff0080").unwrap_or_else(|e| panic!("{e}")),
        caption_low: "low".into(),
        caption_high: "high".into(),
        ..Palette::from_hex("script", &["#0000ff", "#ff0000"]).unwrap_or_else(|e| panic!("{e}"))
    };
    h.map.set_palette(&script).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(1.0);
    h.map.set_theme(Theme::Light);
    // Cells 0..10 get 0, 10..20 get 10, the rest no data.
    let with: Vec<u64> = cells[..20].to_vec();
    let vals: Vec<f32> = (0..20).map(|i| if i < 10 { 0.0 } else { 10.0 }).collect();
    let up = h
        .map
        .set_values(8, &with, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((up.matched, up.unmatched), (20, 0));
    let frame = FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(400, 400)
    };
    h.fit(&frame, &cells, Insets::default());
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let bg = Theme::Light.background();
    for (i, &c) in cells.iter().enumerate() {
        let (x, y) = centre_px(&h, c);
        let expected = match i {
            0..10 => [0, 0, 255, 255],
            10..20 => [255, 0, 0, 255],
            _ => blend([0, 255, 0, 128], bg),
        };
        assert!(
            near(img.pixel(x, y), expected, 2),
            "cell {i}: {:?} vs {expected:?}",
            img.pixel(x, y)
        );
    }
    // Picking returns the value.
    let (x, y) = centre_px(&h, cells[12]);
    let p = h
        .map
        .pick(DVec2::new(f64::from(x) + 0.5, f64::from(y) + 0.5));
    assert_eq!(p.map(|p| (p.cell, p.value)), Some((cells[12], Some(10.0))));
    let (x, y) = centre_px(&h, cells[30]);
    assert_eq!(
        h.map
            .pick(DVec2::new(f64::from(x), f64::from(y)))
            .map(|p| p.value),
        Some(None)
    );

    // Reversed palette swaps the colours.
    h.map
        .set_palette(&Palette {
            reverse: true,
            ..script.clone()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let (x, y) = centre_px(&h, cells[0]);
    assert!(near(img.pixel(x, y), [255, 0, 0, 255], 2));

    // Scope mask: the first 10 cells in scope, the rest hidden (background) or dimmed.
    h.map
        .set_scope_mask(8, Some(&cells[..10]), OutsideScope::Hide)
        .unwrap_or_else(|e| panic!("{e}"));
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let (x, y) = centre_px(&h, cells[15]);
    assert!(
        near(img.pixel(x, y), bg, 1),
        "hidden cell shows {:?}",
        img.pixel(x, y)
    );
    assert_eq!(h.map.pick(DVec2::new(f64::from(x), f64::from(y))), None);
    let (x0, y0) = centre_px(&h, cells[0]);
    assert!(near(img.pixel(x0, y0), [255, 0, 0, 255], 2));
    h.map
        .set_scope_mask(8, Some(&cells[..10]), OutsideScope::Dim)
        .unwrap_or_else(|e| panic!("{e}"));
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let dimmed = img.pixel(x, y);
    assert!(
        !near(dimmed, bg, 3) && !near(dimmed, [0, 0, 255, 255], 60),
        "dimmed {dimmed:?}"
    );
    h.map
        .set_scope_mask(8, None, OutsideScope::Dim)
        .unwrap_or_else(|e| panic!("{e}"));

    // Selection and hover outlines change pixels only around their cells.
    let before = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_selected(Some(cells[5]));
    h.map.set_hover(Some(cells[25]));
    let after = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let changed: Vec<(u32, u32)> = (0..400u32)
        .flat_map(|y| (0..400u32).map(move |x| (x, y)))
        .filter(|&(x, y)| !near(before.pixel(x, y), after.pixel(x, y), 2))
        .collect();
    assert!(changed.len() > 100, "{} pixels changed", changed.len());
    let near_cells = [centre_px(&h, cells[5]), centre_px(&h, cells[25])];
    let radius = h.map.geometry(8).map_or(0.0, |g| g.mean_size_m()) * h.map.camera.px_per_m();
    for (x, y) in changed {
        let d = near_cells
            .iter()
            .map(|c| {
                ((f64::from(x) - f64::from(c.0)).powi(2) + (f64::from(y) - f64::from(c.1)).powi(2))
                    .sqrt()
            })
            .fold(f64::INFINITY, f64::min);
        assert!(
            d < radius,
            "pixel ({x},{y}) changed {d:.0} px from the highlighted cells"
        );
    }
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn redraw_flag_follows_changes() {
    let mut h = headless(1);
    let (cells, vals) = loop_scope(9, 2);
    h.map
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(h.map.needs_redraw());
    let frame = FrameSpec::new(64, 64);
    h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    assert!(!h.map.needs_redraw());
    h.map.camera.pan_px(3.0, 0.0);
    assert!(h.map.needs_redraw());
    h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_values(9, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(h.map.needs_redraw());
    h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_hover(None);
    assert!(!h.map.needs_redraw(), "no-op hover must not redraw");
    assert!(matches!(
        h.map.set_resolution(7),
        Err(RenderError::NoCoverage(7))
    ));
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn large_frames_use_the_adapter_limits() {
    let mut h = headless(4);
    let max = h.gpu.max_texture_side();
    let (cells, vals) = loop_scope(9, 4);
    h.map
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_values(9, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    let too_big = FrameSpec::new(max + 1, 8);
    assert!(matches!(
        h.render_rgba(&too_big),
        Err(RenderError::TooLarge { .. })
    ));
    assert!(matches!(
        h.render_rgba(&FrameSpec::new(0, 8)),
        Err(RenderError::EmptyImage { .. })
    ));
    assert!(
        max >= 7680,
        "this adapter allows only {max}-pixel textures: 8K frames cannot be tested on it"
    );
    let frame = FrameSpec::new(7680, 4320);
    h.fit(&frame, &cells, Insets::default());
    let t = std::time::Instant::now();
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "7680×4320 frame + readback: {:?} on {}",
        t.elapsed(),
        h.gpu.describe()
    );
    assert_eq!(
        (img.width, img.height, img.rgba.len()),
        (7680, 4320, 7680 * 4320 * 4)
    );
    let (x, y) = centre_px(&h, cells[0]);
    assert!(!near(img.pixel(x, y), Theme::Dark.background(), 8));
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn quantile_mode_on_the_gpu_uses_breakpoints_from_the_values() {
    let mut h = headless(1);
    let (cells, _) = loop_scope(9, 3); // 37 cells
    h.map
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    // Heavily skewed values: linear mode would paint almost everything the first colour.
    let vals: Vec<f32> = (0..cells.len()).map(|i| (i as f32).powi(4)).collect();
    h.map
        .set_values(9, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_palette(&Palette {
            mode: DomainMode::Quantile,
            stops: vec![[0, 0, 0, 255], [0x80, 0x80, 0x80, 255], [255; 4]],
            ..Palette::volume()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(1.0);
    let d = h.map.domain();
    // Three classes of 37 values i⁴ (i = 0‥36): the type-7 quantiles at 1/3 and 2/3 fall
    // exactly on i = 12 and i = 24.
    assert_eq!(d.breaks, vec![20_736.0, 331_776.0]);
    let frame = FrameSpec::new(300, 300);
    h.fit(&frame, &cells, Insets::default());
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let mut classes = [0usize; 3];
    for (&c, &v) in cells.iter().zip(&vals) {
        let (x, y) = centre_px(&h, c);
        let class = d.breaks.iter().filter(|b| v >= **b).count();
        let grey = [0u8, 128, 255][class];
        assert!(
            near(img.pixel(x, y), [grey, grey, grey, 255], 1),
            "value {v}"
        );
        classes[class] += 1;
    }
    assert_eq!(classes, [12, 12, 13]);
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn values_match_cells_and_nan_means_no_data() {
    let mut h = headless(1);
    let (cells, _) = loop_scope(9, 2);
    h.map
        .set_coverage(9, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    let ids = [cells[0], cells[1], cells[2], 0x1234];
    let up = h
        .map
        .set_values(9, &ids, &[3.0, f32::NAN, 7.5, 1.0])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((up.matched, up.unmatched), (3, 1));
    assert_eq!(h.map.value(9, cells[0]), Some(3.0));
    assert_eq!(h.map.value(9, cells[1]), None, "NaN = no data");
    assert_eq!(h.map.value(9, cells[2]), Some(7.5));
    assert_eq!(h.map.value(9, cells[3]), None, "not listed = no data");
    assert!(matches!(
        h.map.set_values(9, &cells[..2], &[1.0]),
        Err(RenderError::LengthMismatch {
            cells: 2,
            values: 1
        })
    ));
    // A sample-count switch rebuilds nothing but the pipelines and keeps drawing.
    h.map.set_sample_count(4);
    assert_eq!(h.map.sample_count(), 4);
    h.map.set_sample_count(1);
    h.render_rgba(&FrameSpec::new(32, 32))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn culling_and_level_of_detail_follow_the_camera() {
    let mut h = headless(1);
    let (cells, vals) = loop_scope(10, 45); // 6,211 cells: several chunks
    h.map
        .set_coverage(10, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map
        .set_values(10, &cells, &vals)
        .unwrap_or_else(|e| panic!("{e}"));
    let frame = FrameSpec::new(400, 300);
    h.fit(&frame, &cells, Insets::default());
    h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let all = h.map.stats();
    assert!(
        all.chunks_total >= 3 && all.chunks_drawn == all.chunks_total,
        "{all:?}"
    );
    // Far out: cells are a few pixels wide, so they are drawn as two-triangle bricks.
    assert!(
        all.cell_px < hotspot_render::map::DEFAULT_LOD_PX && all.lod,
        "{all:?}"
    );
    assert_eq!(all.triangles, cells.len() * 2);
    // Zoomed in on one cell: only nearby chunks are drawn, with exact fans and outlines.
    h.map.camera.fly_to_cell(cells[0], Some(17.0), 0.5);
    while h.map.camera.step(0.1) {}
    h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    let near = h.map.stats();
    assert!(near.chunks_drawn < near.chunks_total, "{near:?}");
    assert!(!near.lod && near.outline_px > 0.0, "{near:?}");
    assert_eq!(near.triangles % 4, 0);
    let (x, y) = (200.0, 150.0);
    assert_eq!(h.map.pick(DVec2::new(x, y)).map(|p| p.cell), Some(cells[0]));
}
