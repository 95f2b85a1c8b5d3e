//! Timeline playback on the GPU: a frame's pixels are that frame's values, a position between
//! two frames mixes them, zero counts are no data, picking follows, and a timeline too large
//! is refused with the reason.

use glam::DVec2;
use hotspot_render::mercator::project_ll;
use hotspot_render::{FrameSpec, Headless, Insets, Palette, RenderError, Theme};
use hotspot_testkit::coverage::loop_scope;
use hotspot_testkit::gpu::headless;

fn near(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    (0..3).all(|k| a[k].abs_diff(b[k]) <= tol)
}

fn centre(h: &Headless, cell: u64) -> DVec2 {
    let c = h3o::CellIndex::try_from(cell).unwrap_or_else(|e| panic!("{e}"));
    h.map
        .camera
        .world_to_screen(project_ll(h3o::LatLng::from(c)))
}

/// A headless map of the Loop's r8 cells (`rings` around it) coloured blue at 0 to red at 10
/// over a fixed linear domain, light theme, fully opaque.
fn blue_to_red(msaa: u32, rings: u32) -> (Headless, Vec<u64>) {
    let mut h = headless(msaa);
    let (cells, _) = loop_scope(8, rings);
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_resolution(8).unwrap_or_else(|e| panic!("{e}"));
    let pal = Palette::from_hex("br", &["#0000ff", "#ff0000"]).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_palette(&pal).unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(1.0);
    h.map.set_theme(Theme::Light);
    h.map.set_domain(Some((0.0, 10.0)));
    (h, cells)
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn frames_are_drawn_mixed_and_picked_from_the_resident_timeline() {
    let (mut h, cells) = blue_to_red(1, 2);
    // Three frames: cell 0 goes 0 → 10 → 10, cell 1 goes 10 → 0 → 0 (zero: no data),
    // cell 2 has no data then 4.
    let n = cells.len();
    let mut values = vec![f32::NAN; 3 * n];
    values[0] = 0.0;
    values[n] = 10.0;
    values[2 * n] = 10.0;
    values[1] = 10.0;
    values[n + 1] = 0.0;
    values[2 * n + 1] = 0.0;
    values[n + 2] = 4.0;
    values[2 * n + 2] = 4.0;
    let up = h
        .map
        .set_timeline(8, &cells, 3, &values, true)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((up.matched, up.unmatched), (n, 0));
    assert_eq!(h.map.timeline_frames(), 3);
    let frame = FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(400, 400)
    };
    h.fit(&frame, &cells, Insets::default());
    // Blue to red in sRGB: at t the colour is (255 t, 0, 255 (1 − t)).
    let colour = |v: f32| {
        let t = v / 10.0;
        [
            (255.0 * t).round() as u8,
            0,
            (255.0 * (1.0 - t)).round() as u8,
            255,
        ]
    };
    let px = |h: &mut Headless, cell: usize| {
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        let p = centre(h, cells[cell]);
        img.pixel(p.x as u32, p.y as u32)
    };
    h.map.set_timeline_position(Some(0.0));
    assert!(near(px(&mut h, 1), colour(10.0), 2));
    // A zero count is no data: drawn like cell 3, which has none in any frame.
    let no_data = px(&mut h, 3);
    assert!(!near(no_data, colour(0.0), 20));
    let p0 = px(&mut h, 0);
    assert!(near(p0, no_data, 2), "{p0:?} vs {no_data:?}");
    // Halfway from frame 0 to 1: cell 0 at 5, cell 1 at 5.
    h.map.set_timeline_position(Some(0.5));
    let (a, b) = (px(&mut h, 0), px(&mut h, 1));
    assert!(
        near(a, colour(5.0), 3) && near(b, colour(5.0), 3),
        "{a:?} {b:?}"
    );
    // Picking reads the same mix.
    let p = centre(&h, cells[0]);
    let pick = h.map.pick(p).expect("pick");
    assert_eq!(pick.value, Some(5.0));
    // Between frames 0 and 1 cell 2 steps from no data to 4, past halfway.
    h.map.set_timeline_position(Some(0.25));
    assert!(near(px(&mut h, 2), no_data, 2));
    h.map.set_timeline_position(Some(0.75));
    assert!(near(px(&mut h, 2), colour(4.0), 3));
    // Past the end it holds the last frame; off, the plain values (none: background).
    h.map.set_timeline_position(Some(9.0));
    assert!(near(px(&mut h, 0), colour(10.0), 2));
    h.map.set_timeline_position(None);
    assert!(near(px(&mut h, 0), no_data, 2));
    h.map.clear_timeline();
    assert_eq!(h.map.timeline_frames(), 0);

    // Bad input: lengths that do not match, no frames.
    let e = h.map.set_timeline(8, &cells, 2, &values, true);
    assert!(
        matches!(e, Err(RenderError::LengthMismatch { .. })),
        "{e:?}"
    );
    let e = h.map.set_timeline(8, &cells, 0, &[], true);
    assert!(e.is_err());
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn side_by_side_draws_frame_a_on_the_left_and_b_on_the_right_with_one_camera() {
    let (mut h, cells) = blue_to_red(4, 1);
    // Every cell 0 in A (blue) and 10 in B (red).
    let n = cells.len();
    let values: Vec<f32> = std::iter::repeat_n(1.0e-6, n)
        .chain(std::iter::repeat_n(10.0, n))
        .collect();
    h.map
        .set_timeline(8, &cells, 2, &values, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let frame = FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(800, 400)
    };
    h.set_frame(&frame);
    // Fit the cells into one half: the halves share the camera's centre and zoom.
    h.map.camera.width = 400;
    let (min, max) = h
        .map
        .geometry(8)
        .map(|g| g.bounds())
        .unwrap_or_else(|| panic!("geometry"));
    h.map.camera.fit_bounds(min, max, 10.0);
    h.map.camera.width = 800;
    h.side_by_side = true;
    let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
    // The first cell's centre in each half.
    let c = h3o::CellIndex::try_from(cells[0]).unwrap_or_else(|e| panic!("{e}"));
    let p = h
        .map
        .with_half_camera(|m| m.camera.world_to_screen(project_ll(h3o::LatLng::from(c))));
    let (x, y) = (p.x as u32, p.y as u32);
    assert!(x < 400, "{x}");
    assert!(
        near(img.pixel(x, y), [0, 0, 255, 255], 3),
        "left {:?}",
        img.pixel(x, y)
    );
    assert!(
        near(img.pixel(x + 400, y), [255, 0, 0, 255], 3),
        "right {:?}",
        img.pixel(x + 400, y)
    );
    // The camera keeps its full width, and nothing waits to be drawn again.
    assert_eq!(h.map.camera.width, 800);
    assert!(!h.map.needs_redraw());
}
