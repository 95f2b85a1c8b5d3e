//! Every palette the scripts define reaches the renderer's GPU lookup table unchanged, and the
//! map draws its ends: the console hands `ScriptHost::palette` straight to `MapRenderer`.

use std::path::Path;

use hotspot_render::palette::LUT_SIZE;
use hotspot_render::{DomainMode, FrameSpec, Insets, Outlines};
use hotspot_script::ScriptHost;
use hotspot_testkit::coverage::loop_scope;
use hotspot_testkit::gpu::headless;

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn script_palettes_reach_the_gpu_lut_unchanged() {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let host = ScriptHost::open(&scripts);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let palettes = host.palettes();
    assert!(palettes.len() >= 4, "{} palettes", palettes.len());
    let mut h = headless(1);
    let (cells, _) = loop_scope(8, 2); // 19 cells
    h.map
        .set_coverage(8, &cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(1.0);
    h.map.set_outlines(Outlines::Off);
    // Half the cells at the low end, half at the high end.
    let values: Vec<f32> = (0..cells.len())
        .map(|i| if i % 2 == 0 { 0.0 } else { 10.0 })
        .collect();
    h.map
        .set_values(8, &cells, &values)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_domain(Some((0.0, 10.0)));
    let frame = FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(200, 200)
    };
    h.fit(&frame, &cells, Insets::default());
    for p in palettes {
        h.map
            .set_palette(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        assert_eq!(
            h.map.lut_rgba(),
            p.lut(LUT_SIZE).concat().as_slice(),
            "palette {}",
            p.name
        );
        assert_eq!(h.map.palette(), &p);
        if p.mode == DomainMode::Quantile {
            continue; // class colours depend on the breakpoints; covered by the render tests
        }
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        let geom = h
            .map
            .geometry(8)
            .cloned()
            .unwrap_or_else(|| panic!("no geometry"));
        for (i, &c) in cells.iter().enumerate().take(4) {
            let slot = geom
                .slot(c)
                .unwrap_or_else(|| panic!("cell {c:x} not in coverage"));
            let ring = geom.polygon(slot);
            let centre = ring.iter().copied().sum::<glam::DVec2>() / ring.len() as f64;
            let s = h.map.camera.world_to_screen(centre);
            let got = img.pixel(s.x as u32, s.y as u32);
            let want = if i % 2 == 0 {
                p.low_colour()
            } else {
                p.high_colour()
            };
            assert!(
                (0..3).all(|k| got[k].abs_diff(want[k]) <= 2),
                "palette {}: cell {i} shows {got:?}, the palette says {want:?}",
                p.name
            );
        }
    }
}
