//! Is the text still readable? Pictures shrunk as a viewer across the room sees them (a
//! box filter: each output pixel the mean of a `factor` × `factor` block), read back by
//! tesseract.

use std::path::Path;

use hotspot_render::Image;

/// `img` shrunk by a whole `factor` (the last partial blocks dropped).
pub fn shrink(img: &Image, factor: u32) -> Image {
    let f = factor.max(1);
    let (w, h) = (img.width / f, img.height / f);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 4];
            for dy in 0..f {
                for dx in 0..f {
                    let p = img.pixel(x * f + dx, y * f + dy);
                    for k in 0..4 {
                        sum[k] += u32::from(p[k]);
                    }
                }
            }
            let n = f * f;
            rgba.extend(sum.iter().map(|s| ((s + n / 2) / n) as u8));
        }
    }
    Image {
        width: w,
        height: h,
        rgba,
    }
}

/// The text tesseract reads in a PNG; panics, saying how to install it, without tesseract.
pub fn ocr(path: &Path) -> String {
    tesseract(path, &[])
}

/// [`ocr`] for a screen of scattered blocks of text (tesseract's sparse-text page mode), such
/// as a wall with its figures beside a map.
pub fn ocr_sparse(path: &Path) -> String {
    tesseract(path, &["--psm", "11"])
}

fn tesseract(path: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("tesseract")
        .arg(path)
        .arg("-")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs tesseract (apt-get install tesseract-ocr): {e}")
        });
    assert!(
        o.status.success(),
        "tesseract failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_each_block() {
        // A 4 × 2 picture: left block 0 and 100 (mean 50), right block all 200.
        let px = |v: u8| [v, v, v, 255];
        let rows = [[0, 100, 200, 200], [100, 0, 200, 200]];
        let rgba = rows.iter().flatten().flat_map(|&v| px(v)).collect();
        let img = Image {
            width: 4,
            height: 2,
            rgba,
        };
        let small = shrink(&img, 2);
        assert_eq!((small.width, small.height), (2, 1));
        assert_eq!(small.pixel(0, 0), [50, 50, 50, 255]);
        assert_eq!(small.pixel(1, 0), [200, 200, 200, 255]);
    }
}
