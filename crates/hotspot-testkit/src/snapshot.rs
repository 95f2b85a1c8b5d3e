//! Snapshot tests: an image compared with its reference in `tests/snapshots/` within a
//! tolerance; on failure the actual image and a diff are written beside the reference.
//! `UPDATE_SNAPSHOTS=1` rewrites references.

use std::path::{Path, PathBuf};

use hotspot_render::Image;

/// `tests/snapshots/` at the workspace root, where every reference image lives.
pub fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/snapshots")
}

/// Per-channel tolerance and how many pixels may exceed it.
pub struct Tolerance {
    pub per_channel: u8,
    pub max_pixels: usize,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            per_channel: 4,
            max_pixels: 40,
        }
    }
}

/// Compares `img` with `tests/snapshots/<name>.png`. On failure writes `<name>.actual.png` and
/// `<name>.diff.png` beside the reference and panics; `UPDATE_SNAPSHOTS=1` rewrites it.
pub fn assert_snapshot(name: &str, img: &Image, tol: Tolerance) {
    assert!(
        img.width <= 512 && img.height <= 512,
        "keep snapshots ≤ 512×512"
    );
    let dir = snapshot_dir();
    let reference = dir.join(format!("{name}.png"));
    let actual_path = dir.join(format!("{name}.actual.png"));
    let diff_path = dir.join(format!("{name}.diff.png"));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        img.save_png(&reference).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_file(&actual_path);
        let _ = std::fs::remove_file(&diff_path);
        eprintln!("updated {}", reference.display());
        return;
    }
    let expected = match Image::load_png(&reference) {
        Ok(i) => i,
        Err(e) => {
            img.save_png(&actual_path).unwrap_or_else(|e| panic!("{e}"));
            panic!(
                "no reference {} ({e}); wrote {}; run with UPDATE_SNAPSHOTS=1 to accept",
                reference.display(),
                actual_path.display()
            );
        }
    };
    let (bad, max_delta, diff) = compare(&expected, img, tol.per_channel);
    if bad > tol.max_pixels {
        img.save_png(&actual_path).unwrap_or_else(|e| panic!("{e}"));
        if let Some(d) = diff {
            d.save_png(&diff_path).unwrap_or_else(|e| panic!("{e}"));
        }
        panic!(
            "{name}: {bad} pixels differ by more than {} (max Δ {max_delta}, {} allowed); see {} and {}",
            tol.per_channel,
            tol.max_pixels,
            actual_path.display(),
            diff_path.display()
        );
    }
    let _ = std::fs::remove_file(&actual_path);
    let _ = std::fs::remove_file(&diff_path);
}

/// (pixels over tolerance, largest channel delta, diff image: red where over, dimmed grey
/// copy of the expected image elsewhere). Size mismatch counts every pixel.
pub fn compare(expected: &Image, actual: &Image, per_channel: u8) -> (usize, u8, Option<Image>) {
    if expected.width != actual.width || expected.height != actual.height {
        return ((actual.width * actual.height) as usize, 255, None);
    }
    let mut bad = 0;
    let mut max_delta = 0u8;
    let mut diff = Vec::with_capacity(expected.rgba.len());
    for (e, a) in expected
        .rgba
        .chunks_exact(4)
        .zip(actual.rgba.chunks_exact(4))
    {
        let d = (0..4).map(|k| e[k].abs_diff(a[k])).max().unwrap_or(0);
        max_delta = max_delta.max(d);
        if d > per_channel {
            bad += 1;
            diff.extend_from_slice(&[255, 0, 0, 255]);
        } else {
            let g = ((u16::from(e[0]) + u16::from(e[1]) + u16::from(e[2])) / 6) as u8;
            diff.extend_from_slice(&[g, g, g, 255]);
        }
    }
    (
        bad,
        max_delta,
        Some(Image {
            width: expected.width,
            height: expected.height,
            rgba: diff,
        }),
    )
}
