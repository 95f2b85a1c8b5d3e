//! `hotspot render`: headless PNGs of a scope from the demo lake on whatever GPU is found
//! (the snapshot comparison on the software adapter, where frames are deterministic). It needs
//! an adapter, so it is `#[ignore = …]`; CI runs it.

mod common;

use std::path::Path;

use common::{hotspot, text};

use hotspot_render::{Image, Palette};
use hotspot_testkit::snapshot::{Tolerance, assert_snapshot};

/// The palette's colours as the map draws them: mixed with the background at the renderer's
/// fill opacity (0.92).
fn drawn_colours(palette: &Palette, theme: hotspot_render::Theme) -> Vec<[u8; 4]> {
    let bg = theme.background();
    palette
        .lut(256)
        .into_iter()
        .map(|c| {
            let mut out = [255u8; 4];
            for k in 0..3 {
                out[k] = (f32::from(c[k]) * 0.92 + f32::from(bg[k]) * 0.08).round() as u8;
            }
            out
        })
        .collect()
}

/// Share of pixels within 6 of a palette colour as drawn.
fn palette_share(img: &Image, palette: &Palette, theme: hotspot_render::Theme) -> f64 {
    let lut = drawn_colours(palette, theme);
    let n = img
        .rgba
        .chunks_exact(4)
        .filter(|p| lut.iter().any(|c| (0..3).all(|k| p[k].abs_diff(c[k]) <= 6)))
        .count();
    n as f64 / f64::from(img.width * img.height)
}

#[test]
#[ignore = "needs the software GPU adapter (lavapipe: apt-get install mesa-vulkan-drivers)"]
fn render_writes_maps_of_a_scope_and_of_a_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = dir.path().join("lake");
    let o = hotspot(
        &lake,
        &[
            "demo",
            "--rows",
            "20000",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--no-console",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));

    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let scripts = scripts.to_string_lossy().into_owned();
    let out = dir.path().join("maps/r7.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--size",
            "400x512",
            "--res",
            "7",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "--scripts",
            &scripts,
            "--msaa",
            "4",
            "--adapter",
            "software",
        ],
    );
    let log = text(&o);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("wrote") && log.contains("District-scale (r7)"),
        "{log}"
    );
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((img.width, img.height), (400, 512));
    let share = palette_share(&img, &Palette::volume(), hotspot_render::Theme::Dark);
    eprintln!("{:.1}% of the pixels in palette colours", share * 100.0);
    // The city fills about a fifth of the frame; outlines, labels and anti-aliased edges
    // take part of it.
    assert!(share > 0.03, "only {:.1}% palette pixels", share * 100.0);
    let bg = hotspot_render::Theme::Dark.background();
    let drawn = img
        .rgba
        .chunks_exact(4)
        .filter(|p| (0..3).any(|k| p[k].abs_diff(bg[k]) > 3))
        .count();
    assert!(
        drawn * 8 > img.rgba.len() / 4,
        "{drawn} pixels differ from the background"
    );
    // On the software adapter the frame is deterministic: compare with the reference.
    assert!(
        log.contains("Cpu"),
        "the snapshot is recorded on the software adapter (lavapipe): {log}"
    );
    assert_snapshot("cli-render-r7-q1-2024", &img, Tolerance::default());

    // A view file sets everything: its scope, metric, palette and camera (4K-sized legend
    // scaling is exercised by the size).
    let view = format!("{scripts}/views/citywide.rhai");
    let out = dir.path().join("citywide.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render", "--out", &out_s, "--size", "960x540", "--view", &view, "--theme", "light",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("District-scale (r7)"), "{}", text(&o));
    let img = Image::load_png(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((img.width, img.height), (960, 540));
    assert!(palette_share(&img, &Palette::volume(), hotspot_render::Theme::Light) > 0.05);
    // Light theme: the corners are the light background.
    let bg = hotspot_render::Theme::Light.background();
    let corner = img.pixel(2, img.height / 2);
    assert!((0..3).all(|k| corner[k].abs_diff(bg[k]) <= 3), "{corner:?}");

    // Arrest metrics take the arrest palette; errors are clear.
    let out = dir.path().join("rate.png");
    let out_s = out.to_string_lossy().into_owned();
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--size",
            "320x240",
            "--metric",
            "smoothed_rate",
            "--scripts",
            &scripts,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = hotspot(
        &lake,
        &[
            "render",
            "--out",
            &out_s,
            "--palette",
            "nope",
            "--scripts",
            &scripts,
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("no palette \"nope\""), "{}", text(&o));
    let o = hotspot(&lake, &["render", "--out", &out_s, "--metric", "nope"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("is not a metric"), "{}", text(&o));
}
