//! Headless frames: the map in an offscreen target (4× MSAA where the adapter allows), any
//! passes a caller adds on top (the overlay layer draws its legend there), read back as RGBA
//! and written as PNG. Works on hardware GPUs and on the software adapter.

use std::time::{Duration, Instant};

use glam::DVec2;

use crate::RenderError;
use crate::gpu::{AdapterPreference, Gpu};
use crate::map::MapRenderer;
use crate::target::OffscreenTarget;

pub use crate::image::Image;

/// The offscreen colour format: 8-bit RGBA blended in sRGB space, as web maps do.
pub const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// How long a benchmark frame may take before it counts as lost.
const FRAME_TIMEOUT: Duration = Duration::from_secs(120);

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

/// The size of a headless frame and its HiDPI factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameSpec {
    pub width: u32,
    pub height: u32,
    /// HiDPI factor for line widths and text; `None` = `max(1, height / 1080)`.
    pub scale_factor: Option<f64>,
}

impl FrameSpec {
    /// A frame of the given size at the default scale.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            scale_factor: None,
        }
    }

    /// The effective HiDPI factor.
    pub fn scale(&self) -> f64 {
        self.scale_factor
            .filter(|s| *s > 0.0)
            .unwrap_or_else(|| (f64::from(self.height) / 1080.0).max(1.0))
    }
}

/// Space (logical pixels) that something drawn over the map covers along each edge; fitting
/// keeps the cells out of it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Insets {
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

/// Extra passes recorded after the map, onto the resolved single-sample frame: they get the
/// GPU, the encoder, the frame's view and size, and return command buffers that must be
/// submitted before the encoder's (egui's buffer uploads).
pub type ExtraPasses<'a> = dyn FnMut(
        &Gpu,
        &mut wgpu::CommandEncoder,
        &wgpu::TextureView,
        [u32; 2],
    ) -> Result<Vec<wgpu::CommandBuffer>, RenderError>
    + 'a;

/// The headless renderer: a [`Gpu`], a [`MapRenderer`] on it and an offscreen target.
pub struct Headless {
    pub gpu: Gpu,
    pub map: MapRenderer,
    /// Draw two periods side by side (see [`MapRenderer::render_side_by_side`]).
    pub side_by_side: bool,
    target: Option<OffscreenTarget>,
    msaa: u32,
}

impl Headless {
    /// Opens a GPU (see [`Gpu::headless`]) and builds the renderer.
    pub fn new(options: HeadlessOptions) -> Result<Self, RenderError> {
        let gpu = Gpu::headless(options.adapter)?;
        let msaa = gpu.msaa_for(FORMAT, options.msaa);
        let map = MapRenderer::new(&gpu.device, &gpu.queue, FORMAT, msaa)?;
        Ok(Self {
            gpu,
            map,
            side_by_side: false,
            target: None,
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
    /// the frame less `insets` (logical pixels, scaled by the frame's factor) and a small
    /// margin. Insets that would leave less than 40 % of the frame are ignored.
    pub fn fit(&mut self, frame: &FrameSpec, cells: &[u64], insets: Insets) {
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
        let mut lo = DVec2::new(pad + insets.left * s, pad + insets.top * s);
        let mut hi = DVec2::new(w - pad - insets.right * s, h - pad - insets.bottom * s);
        if hi.x - lo.x < w * 0.4 || hi.y - lo.y < h * 0.4 {
            lo = DVec2::new(pad, pad);
            hi = DVec2::new(w - pad, h - pad);
        }
        self.map.camera.fit_bounds_in(min, max, lo, hi);
    }

    fn target(&mut self, width: u32, height: u32) -> Result<&mut OffscreenTarget, RenderError> {
        let reuse = self
            .target
            .as_ref()
            .is_some_and(|t| t.size() == (width, height));
        if !reuse {
            self.target = None;
            self.target = Some(OffscreenTarget::new(
                &self.gpu,
                width,
                height,
                FORMAT,
                self.msaa,
                wgpu::TextureUsages::empty(),
            )?);
        }
        self.target
            .as_mut()
            .ok_or_else(|| RenderError::Gpu("no render target".into()))
    }

    /// Renders the map only (no read-back) at the camera's current viewport and returns the
    /// time from submit to GPU done. For benchmarks.
    pub fn time_map_frame(&mut self) -> Result<Duration, RenderError> {
        let (w, h) = (self.map.camera.width, self.map.camera.height);
        self.target(w, h)?;
        let Some(t) = self.target.as_ref() else {
            return Err(RenderError::Gpu("no render target".into()));
        };
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        let (view, resolve) = t.attachment();
        self.map.render(&mut encoder, view, resolve);
        let cmd = encoder.finish();
        let start = Instant::now();
        let index = self.gpu.queue.submit([cmd]);
        self.gpu.wait(Some(index), FRAME_TIMEOUT)?;
        Ok(start.elapsed())
    }

    /// Renders the map alone at `frame`'s size and reads it back.
    pub fn render_rgba(&mut self, frame: &FrameSpec) -> Result<Image, RenderError> {
        self.render_rgba_with(frame, &mut |_, _, _, _| Ok(Vec::new()))
    }

    /// Renders the map, then `extra` on top of it (see [`ExtraPasses`]), and reads the frame
    /// back.
    pub fn render_rgba_with(
        &mut self,
        frame: &FrameSpec,
        extra: &mut ExtraPasses<'_>,
    ) -> Result<Image, RenderError> {
        self.set_frame(frame);
        let (w, h) = (frame.width, frame.height);
        self.target(w, h)?;
        let validation = self
            .gpu
            .device
            .push_error_scope(wgpu::ErrorFilter::Validation);
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("hotspot frame"),
            });
        let Some(t) = self.target.as_mut() else {
            return Err(RenderError::Gpu("no render target".into()));
        };
        let (view, resolve) = t.attachment();
        if self.side_by_side {
            // Its halves are their own submissions, ahead of this encoder's.
            self.map.render_side_by_side(view, resolve);
        } else {
            self.map.render(&mut encoder, view, resolve);
        }
        let before = extra(&self.gpu, &mut encoder, t.view(), [w, h])?;
        t.copy_for_readback(&self.gpu, &mut encoder);
        let index = self
            .gpu
            .queue
            .submit(before.into_iter().chain(std::iter::once(encoder.finish())));
        if let Some(e) = pollster::block_on(validation.pop()) {
            return Err(RenderError::Gpu(e.to_string()));
        }
        t.read(&self.gpu, index)
    }
}
