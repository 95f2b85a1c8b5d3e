//! RGBA8 images read back from the GPU, and PNG files.

use std::path::Path;

use crate::RenderError;

/// An RGBA8 image, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Image {
    /// The pixel at (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        match self.rgba.get(i..i + 4) {
            Some(p) => [p[0], p[1], p[2], p[3]],
            None => [0; 4],
        }
    }

    /// Encodes as PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        // Opaque frames (the normal case) are written as RGB: a quarter smaller.
        let opaque = self.rgba.chunks_exact(4).all(|p| p[3] == 255);
        let rgb: Vec<u8>;
        let (color, data) = if opaque {
            rgb = self
                .rgba
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            (png::ColorType::Rgb, rgb.as_slice())
        } else {
            (png::ColorType::Rgba, self.rgba.as_slice())
        };
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(color);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::Balanced);
            let mut w = enc
                .write_header()
                .map_err(|e| RenderError::Png(e.to_string()))?;
            w.write_image_data(data)
                .map_err(|e| RenderError::Png(e.to_string()))?;
            w.finish().map_err(|e| RenderError::Png(e.to_string()))?;
        }
        Ok(out)
    }

    /// Writes a PNG file.
    pub fn save_png(&self, path: &Path) -> Result<(), RenderError> {
        let bytes = self.to_png()?;
        std::fs::write(path, bytes).map_err(|source| RenderError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads an 8-bit RGB or RGBA PNG.
    pub fn load_png(path: &Path) -> Result<Self, RenderError> {
        let file = std::fs::File::open(path).map_err(|source| RenderError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder
            .read_info()
            .map_err(|e| RenderError::Png(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| RenderError::Png("image too large".into()))?;
        let mut buf = vec![0; size];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| RenderError::Png(e.to_string()))?;
        buf.truncate(info.buffer_size());
        let rgba = match (info.color_type, info.bit_depth) {
            (png::ColorType::Rgba, png::BitDepth::Eight) => buf,
            (png::ColorType::Rgb, png::BitDepth::Eight) => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            (c, d) => return Err(RenderError::Png(format!("unsupported PNG {c:?} {d:?}"))),
        };
        Ok(Self {
            width: info.width,
            height: info.height,
            rgba,
        })
    }
}
