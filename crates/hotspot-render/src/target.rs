//! Offscreen render targets: a single-sample colour texture (what is sampled, copied or read
//! back), an optional multisampled texture that resolves into it, and the read-back of its
//! pixels into an [`Image`]. The headless renderer draws into one; the console draws its map
//! into one that egui samples, and its screenshots into another.

use std::time::Duration;

use crate::RenderError;
use crate::gpu::Gpu;
use crate::image::Image;

/// How long a read-back may wait for the GPU (a 16K frame on a software adapter is slow).
const READBACK_TIMEOUT: Duration = Duration::from_secs(120);

/// An offscreen colour target. See the module docs.
pub struct OffscreenTarget {
    width: u32,
    height: u32,
    format: wgpu::TextureFormat,
    msaa: u32,
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    msaa_view: Option<wgpu::TextureView>,
    readback: Option<(wgpu::Buffer, u32)>,
}

impl OffscreenTarget {
    /// A `width`×`height` target of `format` drawn with `msaa` samples (1 or 4). `usage` is
    /// added to `RENDER_ATTACHMENT | COPY_SRC` (e.g. `TEXTURE_BINDING` to sample it). Fails
    /// for an empty size, one beyond the device's limit, or when the GPU is out of memory.
    pub fn new(
        gpu: &Gpu,
        width: u32,
        height: u32,
        format: wgpu::TextureFormat,
        msaa: u32,
        usage: wgpu::TextureUsages,
    ) -> Result<Self, RenderError> {
        if width == 0 || height == 0 {
            return Err(RenderError::EmptyImage { width, height });
        }
        let max = gpu.max_texture_side();
        if width > max || height > max {
            return Err(RenderError::TooLarge { width, height, max });
        }
        let msaa = if msaa >= 4 { 4 } else { 1 };
        let device = &gpu.device;
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("hotspot target"),
            size,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC | usage,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let msaa_view = (msaa > 1).then(|| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some("hotspot target msaa"),
                    size,
                    mip_level_count: 1,
                    sample_count: msaa,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(RenderError::Gpu(format!(
                "cannot allocate a {width}×{height} target: {e}"
            )));
        }
        Ok(Self {
            width,
            height,
            format,
            msaa,
            texture,
            view,
            msaa_view,
            readback: None,
        })
    }

    /// (width, height) in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The colour format.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Samples per pixel of [`OffscreenTarget::attachment`].
    pub fn msaa(&self) -> u32 {
        self.msaa
    }

    /// The single-sample texture (resolved when multisampled).
    pub fn texture(&self) -> &wgpu::Texture {
        &self.texture
    }

    /// A view of [`OffscreenTarget::texture`]: sample it, or draw single-sample passes
    /// (overlays) on top of a resolved frame.
    pub fn view(&self) -> &wgpu::TextureView {
        &self.view
    }

    /// What a pass drawing with [`OffscreenTarget::msaa`] samples attaches: the view it draws
    /// into and the resolve target (`Some` when multisampled).
    pub fn attachment(&self) -> (&wgpu::TextureView, Option<&wgpu::TextureView>) {
        match &self.msaa_view {
            Some(msaa) => (msaa, Some(&self.view)),
            None => (&self.view, None),
        }
    }

    /// Records a copy of the texture into the (reused) read-back buffer; submit `encoder`, then
    /// call [`OffscreenTarget::read`] with its submission index.
    pub fn copy_for_readback(&mut self, gpu: &Gpu, encoder: &mut wgpu::CommandEncoder) {
        let padded_row = (self.width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let (buffer, _) = self.readback.get_or_insert_with(|| {
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("hotspot readback"),
                size: u64::from(padded_row) * u64::from(self.height),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            (buffer, padded_row)
        });
        encoder.copy_texture_to_buffer(
            self.texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d {
                width: self.width,
                height: self.height,
                depth_or_array_layers: 1,
            },
        );
    }

    /// Waits for submission `index` (which must contain a
    /// [`OffscreenTarget::copy_for_readback`]) and returns the pixels as RGBA, rows top to
    /// bottom (BGRA targets are swizzled).
    pub fn read(&self, gpu: &Gpu, index: wgpu::SubmissionIndex) -> Result<Image, RenderError> {
        let Some((buffer, padded_row)) = &self.readback else {
            return Err(RenderError::Gpu(
                "read-back without copy_for_readback".into(),
            ));
        };
        let slice = buffer.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        gpu.wait(Some(index), READBACK_TIMEOUT)?;
        rx.recv()
            .map_err(|e| RenderError::Gpu(e.to_string()))?
            .map_err(|e| RenderError::Gpu(e.to_string()))?;
        let bgra = matches!(
            self.format,
            wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
        );
        let (w, h) = (self.width as usize, self.height as usize);
        let mut rgba = Vec::with_capacity(w * h * 4);
        {
            let data = slice
                .get_mapped_range()
                .map_err(|e| RenderError::Gpu(e.to_string()))?;
            for row in data.chunks_exact(*padded_row as usize).take(h) {
                let row = &row[..w * 4];
                if bgra {
                    for p in row.chunks_exact(4) {
                        rgba.extend_from_slice(&[p[2], p[1], p[0], p[3]]);
                    }
                } else {
                    rgba.extend_from_slice(row);
                }
            }
        }
        buffer.unmap();
        Ok(Image {
            width: self.width,
            height: self.height,
            rgba,
        })
    }
}
