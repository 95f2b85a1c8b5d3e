//! Tile bytes to RGBA pixels, bounded: a tile is at most [`MAX_TILE_SIDE`] pixels a side, so
//! a hostile or broken server cannot make us allocate more than a few MiB per tile.

use std::io::Cursor;

use crate::error::TileError;

/// The largest tile side accepted (servers send 256 or 512; "@2x" tiles 512).
pub const MAX_TILE_SIDE: u32 = 1024;

/// A decoded tile: `width × height` pixels, RGBA8, rows from the north edge, sRGB-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Decodes a PNG or JPEG tile (the format is read from the bytes, not the URL).
pub fn decode(url: &str, bytes: &[u8]) -> Result<TileImage, TileError> {
    let bad = |detail: String| TileError::Image {
        url: url.to_string(),
        detail,
    };
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(e.to_string()))?;
    if reader.format().is_none() {
        let head: String = bytes
            .iter()
            .take(16)
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
            .collect();
        return Err(bad(format!("neither PNG nor JPEG; starts {head:?}")));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_TILE_SIDE);
    limits.max_image_height = Some(MAX_TILE_SIDE);
    limits.max_alloc = Some(u64::from(MAX_TILE_SIDE * MAX_TILE_SIDE) * 8);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| bad(e.to_string()))?.to_rgba8();
    let (width, height) = img.dimensions();
    if width == 0 || height == 0 {
        return Err(bad("empty image".into()));
    }
    Ok(TileImage {
        width,
        height,
        rgba: img.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba(rgba));
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn png_and_jpeg_decode_to_rgba() {
        let t = decode("u", &png(256, 256, [10, 200, 30, 255])).expect("png");
        assert_eq!((t.width, t.height, t.rgba.len()), (256, 256, 256 * 256 * 4));
        assert_eq!(&t.rgba[..4], &[10, 200, 30, 255]);
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(64, 64, image::Rgb([200, 100, 50]))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .expect("encode");
        let j = decode("u", &jpeg).expect("jpeg");
        assert_eq!((j.width, j.height), (64, 64));
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
        assert!(d(j.rgba[0], 200) < 6 && d(j.rgba[1], 100) < 6 && d(j.rgba[2], 50) < 6);
    }

    #[test]
    fn what_is_not_a_tile_is_refused_with_a_reason() {
        let e = decode("http://h/1/2/3.png", b"<html>rate limited</html>").expect_err("html");
        let s = e.to_string();
        assert!(
            s.contains("http://h/1/2/3.png") && s.contains("<html>"),
            "{s}"
        );
        let mut cut = png(256, 256, [1, 2, 3, 255]);
        cut.truncate(cut.len() / 2);
        assert!(decode("u", &cut).is_err(), "truncated");
        assert!(decode("u", &png(2048, 8, [0; 4])).is_err(), "too wide");
    }
}
