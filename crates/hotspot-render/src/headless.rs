//! Headless frames: the map (4× MSAA) plus the egui overlay in an offscreen texture, read
//! back as RGBA and written as PNG. Works on hardware GPUs and on the software adapter.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::RenderError;
use crate::gpu::{AdapterPreference, Gpu};
use crate::map::MapRenderer;
use crate::overlay::{Overlay, OverlayRenderer};

/// The offscreen colour format: 8-bit RGBA blended in sRGB space, as web maps do.
pub const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Options for [`Headless::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HeadlessOptions {
    /// MSAA samples: 4 (default) or 1.
    pub msaa: u32,
    pub adapter: AdapterPreference,
}

impl Default for HeadlessOptions {
    fn default() -> Self {
        Self {
            msaa: 4,
            adapter: AdapterPreference::Hardware,
        }
    }
}

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

/// One headless frame.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameSpec {
    pub width: u32,
    pub height: u32,
    /// HiDPI factor for line widths and text; `None` = `max(1, height / 1080)`.
    pub scale_factor: Option<f64>,
    pub overlay: Overlay,
}

impl FrameSpec {
    /// A frame of the given size with no overlay.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            scale_factor: None,
            overlay: Overlay::default(),
        }
    }

    /// The effective HiDPI factor.
    pub fn scale(&self) -> f64 {
        self.scale_factor
            .filter(|s| *s > 0.0)
            .unwrap_or_else(|| (f64::from(self.height) / 1080.0).max(1.0))
    }
}

struct Targets {
    width: u32,
    height: u32,
    msaa_view: Option<wgpu::TextureView>,
    resolve: wgpu::Texture,
    resolve_view: wgpu::TextureView,
    readback: wgpu::Buffer,
    padded_row: u32,
}

/// The headless renderer: a [`Gpu`], a [`MapRenderer`] on it and the egui overlay.
pub struct Headless {
    pub gpu: Gpu,
    pub map: MapRenderer,
    overlay: OverlayRenderer,
    targets: Option<Targets>,
    msaa: u32,
}

impl Headless {
    /// Opens a GPU (see [`Gpu::new`]) and builds the renderer.
    pub fn new(options: HeadlessOptions) -> Result<Self, RenderError> {
        let gpu = Gpu::new(options.adapter)?;
        let msaa = if options.msaa >= 4 { 4 } else { 1 };
        let flags = gpu.adapter.get_texture_format_features(FORMAT).flags;
        let msaa = if msaa == 4 && !flags.contains(wgpu::TextureFormatFeatureFlags::MULTISAMPLE_X4)
        {
            1
        } else {
            msaa
        };
        let map = MapRenderer::new(&gpu.device, &gpu.queue, FORMAT, msaa)?;
        let overlay = OverlayRenderer::new(&gpu.device, FORMAT);
        Ok(Self {
            gpu,
            map,
            overlay,
            targets: None,
            msaa,
        })
    }

    /// MSAA samples in use.
    pub fn msaa(&self) -> u32 {
        self.msaa
    }

    /// Sets the camera's viewport for a frame (call before fitting the camera).
    pub fn set_frame(&mut self, frame: &FrameSpec) {
        self.map
            .camera
            .set_viewport(frame.width, frame.height, frame.scale());
    }

    /// Sets the viewport for `frame` and fits `cells` (or, if empty, the shown coverage) into
    /// the part of the frame the overlay leaves free (legend on the right, title on top,
    /// caption at the bottom).
    pub fn fit(&mut self, frame: &FrameSpec, cells: &[u64]) {
        self.set_frame(frame);
        let bounds = if cells.is_empty() {
            self.map
                .resolution()
                .and_then(|r| self.map.geometry(r))
                .map(|g| g.bounds())
        } else {
            crate::camera::cells_bounds(cells)
        };
        let Some((min, max)) = bounds else {
            return;
        };
        let s = frame.scale();
        let (w, h) = (f64::from(frame.width), f64::from(frame.height));
        let pad = 12.0 * s;
        let mut lo = glam::DVec2::new(pad, pad);
        let mut hi = glam::DVec2::new(w - pad, h - pad);
        if frame.overlay.legend.is_some() {
            hi.x -= 150.0 * s;
            hi.y -= 40.0 * s;
        }
        if frame.overlay.title.is_some() {
            lo.y += 50.0 * s;
        }
        if hi.x - lo.x < w * 0.4 || hi.y - lo.y < h * 0.4 {
            lo = glam::DVec2::new(pad, pad);
            hi = glam::DVec2::new(w - pad, h - pad);
        }
        self.map.camera.fit_bounds_in(min, max, lo, hi);
    }

    fn targets(&mut self, width: u32, height: u32) -> Result<&Targets, RenderError> {
        if width == 0 || height == 0 {
            return Err(RenderError::EmptyImage { width, height });
        }
        let max = self.gpu.max_texture_side();
        if width > max || height > max {
            return Err(RenderError::TooLarge { width, height, max });
        }
        let reuse = self
            .targets
            .as_ref()
            .is_some_and(|t| t.width == width && t.height == height);
        if !reuse {
            self.targets = None;
            let device = &self.gpu.device;
            let size = wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            };
            let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let msaa_view = (self.msaa > 1).then(|| {
                device
                    .create_texture(&wgpu::TextureDescriptor {
                        label: Some("hotspot msaa"),
                        size,
                        mip_level_count: 1,
                        sample_count: self.msaa,
                        dimension: wgpu::TextureDimension::D2,
                        format: FORMAT,
                        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                        view_formats: &[],
                    })
                    .create_view(&wgpu::TextureViewDescriptor::default())
            });
            let resolve = device.create_texture(&wgpu::TextureDescriptor {
                label: Some("hotspot frame"),
                size,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            });
            let resolve_view = resolve.create_view(&wgpu::TextureViewDescriptor::default());
            let padded_row = (width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
                * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
            let readback = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("hotspot readback"),
                size: u64::from(padded_row) * u64::from(height),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            if let Some(e) = pollster::block_on(scope.pop()) {
                return Err(RenderError::Gpu(format!(
                    "cannot allocate a {width}×{height} frame: {e}"
                )));
            }
            self.targets = Some(Targets {
                width,
                height,
                msaa_view,
                resolve,
                resolve_view,
                readback,
                padded_row,
            });
        }
        self.targets
            .as_ref()
            .ok_or_else(|| RenderError::Gpu("no render targets".into()))
    }

    fn wait(&self, index: Option<wgpu::SubmissionIndex>) -> Result<(), RenderError> {
        self.gpu
            .device
            .poll(wgpu::PollType::Wait {
                submission_index: index,
                timeout: Some(Duration::from_secs(120)),
            })
            .map(|_| ())
            .map_err(|e| RenderError::Gpu(e.to_string()))
    }

    /// Renders the map only (no overlay, no readback) at the camera's current viewport and
    /// returns the time from submit to GPU done. For benchmarks.
    pub fn time_map_frame(&mut self) -> Result<Duration, RenderError> {
        let (w, h) = (self.map.camera.width, self.map.camera.height);
        self.targets(w, h)?;
        let Some(t) = self.targets.as_ref() else {
            return Err(RenderError::Gpu("no render targets".into()));
        };
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        match &t.msaa_view {
            Some(msaa) => self.map.render(&mut encoder, msaa, Some(&t.resolve_view)),
            None => self.map.render(&mut encoder, &t.resolve_view, None),
        }
        let cmd = encoder.finish();
        let start = Instant::now();
        let index = self.gpu.queue.submit([cmd]);
        self.wait(Some(index))?;
        Ok(start.elapsed())
    }

    /// Renders a frame (map + overlay) and reads it back.
    pub fn render_rgba(&mut self, frame: &FrameSpec) -> Result<Image, RenderError> {
        self.set_frame(frame);
        let (w, h) = (frame.width, frame.height);
        self.targets(w, h)?;
        let device = self.gpu.device.clone();
        let queue = self.gpu.queue.clone();
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hotspot frame"),
        });
        let Some(t) = self.targets.as_ref() else {
            return Err(RenderError::Gpu("no render targets".into()));
        };
        match &t.msaa_view {
            Some(msaa) => self.map.render(&mut encoder, msaa, Some(&t.resolve_view)),
            None => self.map.render(&mut encoder, &t.resolve_view, None),
        }
        let labels = if frame.overlay.labels {
            self.map.labels()
        } else {
            Vec::new()
        };
        let extra = self.overlay.render(
            &device,
            &queue,
            &mut encoder,
            &t.resolve_view,
            [w, h],
            frame.scale() as f32,
            self.map.theme(),
            &frame.overlay,
            &labels,
        )?;
        encoder.copy_texture_to_buffer(
            t.resolve.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &t.readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(t.padded_row),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        let index = queue.submit(extra.into_iter().chain(std::iter::once(encoder.finish())));
        if let Some(e) = pollster::block_on(validation.pop()) {
            return Err(RenderError::Gpu(e.to_string()));
        }
        let slice = t.readback.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait(Some(index))?;
        rx.recv()
            .map_err(|e| RenderError::Gpu(e.to_string()))?
            .map_err(|e| RenderError::Gpu(e.to_string()))?;
        let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
        {
            let data = slice
                .get_mapped_range()
                .map_err(|e| RenderError::Gpu(e.to_string()))?;
            for row in data.chunks_exact(t.padded_row as usize).take(h as usize) {
                rgba.extend_from_slice(&row[..w as usize * 4]);
            }
        }
        t.readback.unmap();
        Ok(Image {
            width: w,
            height: h,
            rgba,
        })
    }

    /// Renders a frame and writes it as PNG; returns the image.
    pub fn render_png(&mut self, frame: &FrameSpec, path: &Path) -> Result<Image, RenderError> {
        let img = self.render_rgba(frame)?;
        img.save_png(path)?;
        Ok(img)
    }
}
