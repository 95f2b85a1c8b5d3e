//! Every palette the scripts define reaches the GPU unchanged: 256 cells valued so that each
//! lands on one texel of the lookup table are drawn, and each cell's centre pixel must be the
//! colour the palette's stops give at that point, interpolated here independently of the
//! renderer (evenly spaced stops, linear in sRGB, rounded; reversed when the script says so),
//! composited over the map's background by its alpha (a see-through stop shows the map
//! through it).

use std::path::Path;

use hotspot_core::palette::{DomainMode, Palette};
use hotspot_render::{FrameSpec, Insets, Outlines};
use hotspot_script::ScriptHost;
use hotspot_testkit::coverage::loop_scope;
use hotspot_testkit::gpu::headless;

/// The colour at `t` ∈ [0, 1] of evenly spaced `stops`, as the palette contract defines it.
fn expected(stops: &[[u8; 4]], t: f64) -> [u8; 4] {
    let n = stops.len();
    let s = t * (n - 1) as f64;
    let j = (s.floor() as usize).min(n - 2);
    let f = s - j as f64;
    let mut c = [0u8; 4];
    for k in 0..4 {
        let (a, b) = (f64::from(stops[j][k]), f64::from(stops[j + 1][k]));
        c[k] = (a + (b - a) * f).round() as u8;
    }
    c
}

#[test]
#[ignore = "needs a GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn script_palettes_reach_the_gpu_lut_unchanged() {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let host = ScriptHost::open(&scripts);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let palettes = host.palettes();
    assert!(palettes.len() >= 4, "{} palettes", palettes.len());
    let mut h = headless(1);
    let (all, _) = loop_scope(9, 9); // 271 cells
    let cells = &all[..256];
    h.map
        .set_coverage(9, cells)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_opacity(1.0);
    h.map.set_outlines(Outlines::Off);
    // Cell i has value i on a [0, 255] domain: t = i / 255, texel i.
    let values: Vec<f32> = (0..256).map(|i| i as f32).collect();
    h.map
        .set_values(9, cells, &values)
        .unwrap_or_else(|e| panic!("{e}"));
    h.map.set_domain(Some((0.0, 255.0)));
    let frame = FrameSpec {
        scale_factor: Some(1.0),
        ..FrameSpec::new(720, 720)
    };
    h.fit(&frame, cells, Insets::default());
    let geom = h
        .map
        .geometry(9)
        .cloned()
        .unwrap_or_else(|| panic!("no geometry"));
    let mut checked = 0;
    for script_palette in palettes {
        // The lookup table is the stops alone; a linear domain puts value i on texel i
        // whatever mode the script gives the palette (log and quantile only move t).
        let p = Palette {
            mode: DomainMode::Linear,
            ..script_palette.clone()
        };
        h.map
            .set_palette(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        let img = h.render_rgba(&frame).unwrap_or_else(|e| panic!("{e}"));
        let mut stops = p.stops.clone();
        if p.reverse {
            stops.reverse();
        }
        for (i, &c) in cells.iter().enumerate() {
            let slot = geom
                .slot(c)
                .unwrap_or_else(|| panic!("cell {c:x} not in coverage"));
            let ring = geom.polygon(slot);
            let centre = ring.iter().copied().sum::<glam::DVec2>() / ring.len() as f64;
            let s = h.map.camera.world_to_screen(centre);
            let got = img.pixel(s.x as u32, s.y as u32);
            let c = expected(&stops, i as f64 / 255.0);
            let bg = h.map.theme().background();
            let a = f64::from(c[3]) / 255.0;
            let want: Vec<u8> = (0..3)
                .map(|k| {
                    (f64::from(bg[k]) + (f64::from(c[k]) - f64::from(bg[k])) * a).round() as u8
                })
                .collect();
            assert!(
                (0..3).all(|k| got[k].abs_diff(want[k]) <= 1),
                "palette {}: the cell on texel {i} shows {got:?}, its stops give {want:?}",
                p.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 4 * 256);
}
