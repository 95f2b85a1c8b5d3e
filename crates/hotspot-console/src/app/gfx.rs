//! The window's graphics: a winit window with a wgpu surface on the renderer's [`Gpu`], the
//! map drawn into an [`OffscreenTarget`] that egui samples in its map panel (re-rendered only
//! when the map changed), and egui painted to the surface through the shared [`EguiPass`],
//! optionally also into a target that is read back as a screenshot.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use egui::ViewportId;
use hotspot_present::EguiPass;
use hotspot_render::{Gpu, MapRenderer, OffscreenTarget};
use winit::dpi::{LogicalSize, PhysicalSize};
use winit::event_loop::ActiveEventLoop;
use winit::window::{Fullscreen, Window};

use super::{ConsoleError, ConsoleOptions};
use crate::state::Settings;

/// The colour format of the offscreen map texture: 8-bit RGBA blended in sRGB space (as the
/// headless renderer and web maps do), which is also what egui-wgpu expects of native textures.
const MAP_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Window, GPU and egui state.
pub(super) struct Gfx {
    pub window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    gpu: Gpu,
    pub egui_state: egui_winit::State,
    egui: EguiPass,
    pub map: MapRenderer,
    map_target: Option<OffscreenTarget>,
    /// The map texture as egui knows it (None until the map was first drawn).
    pub texture_id: Option<egui::TextureId>,
}

/// What [`Gfx::paint`] did.
pub(super) enum Painted {
    Presented,
    /// The surface was not available (resized, occluded); try again.
    Skipped,
}

impl Gfx {
    /// Opens the window (size from the options, else the saved settings; fullscreen for the
    /// wall), its surface, a GPU that can present to it, the map renderer and egui's state.
    pub fn new(
        event_loop: &ActiveEventLoop,
        options: &ConsoleOptions,
        settings: &Settings,
        ctx: &egui::Context,
    ) -> Result<Self, ConsoleError> {
        let t = Instant::now();
        let mut attrs = Window::default_attributes().with_title("Hotspot — Chicago crime hotspots");
        attrs = match options.size {
            Some((w, h)) => attrs.with_inner_size(PhysicalSize::new(w.max(64), h.max(64))),
            None => {
                let (w, h) = settings.window_size;
                attrs.with_inner_size(LogicalSize::new(
                    f64::from(w.clamp(640, 16384)),
                    f64::from(h.clamp(400, 16384)),
                ))
            }
        };
        attrs = place(event_loop, attrs, options)?;
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .map_err(|e| ConsoleError::Window(e.to_string()))?,
        );
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| ConsoleError::Surface(e.to_string()))?;
        let gpu = Gpu::for_surface(instance, &surface)?;
        let info = gpu.info();
        if options.wall
            && info.device_type == wgpu::DeviceType::Cpu
            && info.backend == wgpu::Backend::Vulkan
        {
            // Measured with `hotspot bench wall`: on lavapipe the cell pass grows the process
            // by about half a megabyte a frame; Mesa's GL rasteriser runs the same code flat.
            tracing::warn!(
                "the wall runs on software Vulkan ({}), whose memory grows with every map frame; \
                 for a wall that runs for days without a GPU, start it with WGPU_BACKEND=gl",
                info.name
            );
        }
        let caps = surface.get_capabilities(&gpu.adapter);
        let format = [
            wgpu::TextureFormat::Bgra8Unorm,
            wgpu::TextureFormat::Rgba8Unorm,
        ]
        .into_iter()
        .find(|f| caps.formats.contains(f))
        .or_else(|| caps.formats.first().copied())
        .ok_or_else(|| ConsoleError::Surface(format!("{} offers no surface format", info.name)))?;
        let present_mode = if std::env::var_os("HOTSPOT_DEBUG_IMMEDIATE").is_some() {
            wgpu::PresentMode::Immediate
        } else if caps.present_modes.contains(&wgpu::PresentMode::Fifo) {
            wgpu::PresentMode::Fifo
        } else {
            caps.present_modes
                .first()
                .copied()
                .unwrap_or(wgpu::PresentMode::Fifo)
        };
        let size = window.inner_size();
        let mut config = surface
            .get_default_config(&gpu.adapter, size.width.max(1), size.height.max(1))
            .ok_or_else(|| {
                ConsoleError::Surface(format!("{} cannot draw to this window", info.name))
            })?;
        config.format = format;
        config.present_mode = present_mode;
        config.view_formats = vec![format];
        config.desired_maximum_frame_latency = 2;
        if let Some(a) = caps.alpha_modes.first() {
            config.alpha_mode = *a;
        }
        surface.configure(&gpu.device, &config);
        let msaa = gpu.interactive_msaa(MAP_FORMAT);
        let mut map = MapRenderer::new(&gpu.device, &gpu.queue, MAP_FORMAT, msaa)?;
        map.camera
            .set_viewport(size.width, size.height, window.scale_factor());
        let egui = EguiPass::new(
            &gpu.device,
            format,
            std::env::var_os("HOTSPOT_DEBUG_NODITHER").is_none(),
        );
        let egui_state = egui_winit::State::new(
            ctx.clone(),
            ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(gpu.max_texture_side() as usize),
        );
        tracing::info!(
            adapter = %info.name,
            backend = ?info.backend,
            kind = ?info.device_type,
            ?format,
            ?present_mode,
            msaa,
            "window and GPU ready in {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        Ok(Self {
            window,
            surface,
            config,
            gpu,
            egui_state,
            egui,
            map,
            map_target: None,
            texture_id: None,
        })
    }

    /// Reconfigures the surface for a new window size.
    pub fn resize(&mut self, width: u32, height: u32) {
        if width > 0 && height > 0 {
            self.config.width = width;
            self.config.height = height;
            self.surface.configure(&self.gpu.device, &self.config);
        }
    }

    /// Renders the map into its texture if it changed or the map panel was resized to `size`
    /// (physical pixels); returns whether it drew.
    pub fn render_map(
        &mut self,
        size: Option<(u32, u32)>,
        side_by_side: bool,
    ) -> Result<bool, ConsoleError> {
        let Some((w, h)) = size else { return Ok(false) };
        let max = self.gpu.max_texture_side();
        let (w, h) = (w.clamp(1, max), h.clamp(1, max));
        if self.map_target.as_ref().is_none_or(|t| t.size() != (w, h)) {
            let target = OffscreenTarget::new(
                &self.gpu,
                w,
                h,
                MAP_FORMAT,
                self.map.sample_count(),
                wgpu::TextureUsages::TEXTURE_BINDING,
            )?;
            let filter = if std::env::var_os("HOTSPOT_DEBUG_LINEAR").is_some() {
                wgpu::FilterMode::Linear
            } else {
                wgpu::FilterMode::Nearest
            };
            let renderer = self.egui.renderer_mut();
            match self.texture_id {
                Some(id) => renderer.update_egui_texture_from_wgpu_texture(
                    &self.gpu.device,
                    target.view(),
                    filter,
                    id,
                ),
                None => {
                    self.texture_id = Some(renderer.register_native_texture(
                        &self.gpu.device,
                        target.view(),
                        filter,
                    ))
                }
            }
            self.map_target = Some(target);
            self.map.request_redraw();
        }
        if !self.map.needs_redraw() {
            return Ok(false);
        }
        let Some(t) = self.map_target.as_ref() else {
            return Ok(false);
        };
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("hotspot map"),
            });
        let (view, resolve) = t.attachment();
        if side_by_side {
            // Two halves, each its own submission.
            drop(encoder);
            self.map.render_side_by_side(view, resolve);
            return Ok(true);
        }
        self.map.render(&mut encoder, view, resolve);
        self.gpu.queue.submit([encoder.finish()]);
        Ok(true)
    }

    /// Paints egui's output to the window; with `screenshot`, also into a target of the same
    /// size that is read back and saved as PNG at the window's native resolution.
    pub fn paint(
        &mut self,
        ctx: &egui::Context,
        output: egui::FullOutput,
        screenshot: Option<&Path>,
    ) -> Result<Painted, ConsoleError> {
        let t0 = Instant::now();
        let (w, h) = (self.config.width, self.config.height);
        let frame = self.egui.frame(
            &self.gpu.device,
            &self.gpu.queue,
            ctx,
            output.shapes,
            output.textures_delta,
            output.pixels_per_point,
            [w, h],
        );
        let t_tess = t0.elapsed();
        let surface_texture = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) => f,
            wgpu::CurrentSurfaceTexture::Suboptimal(f) => {
                self.surface.configure(&self.gpu.device, &self.config);
                f
            }
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                self.egui.end(frame);
                return Ok(Painted::Skipped);
            }
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                let size = self.window.inner_size();
                self.resize(size.width, size.height);
                self.egui.end(frame);
                return Ok(Painted::Skipped);
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                self.egui.end(frame);
                return Err(ConsoleError::Surface(
                    "the surface texture failed validation".into(),
                ));
            }
        };
        let t_acquire = t0.elapsed();
        let view = surface_texture
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        let device = &self.gpu.device;
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hotspot egui"),
        });
        let mut buffers = self
            .egui
            .upload(device, &self.gpu.queue, &mut encoder, &frame);
        let clear = {
            let c = ctx.global_style().visuals.panel_fill;
            let f = |v: u8| f64::from(v) / 255.0;
            wgpu::Color {
                r: f(c.r()),
                g: f(c.g()),
                b: f(c.b()),
                a: 1.0,
            }
        };
        self.egui.draw(&mut encoder, &view, &frame, Some(clear));
        let mut capture = match screenshot {
            Some(_) => {
                let target = OffscreenTarget::new(
                    &self.gpu,
                    w,
                    h,
                    self.config.format,
                    1,
                    wgpu::TextureUsages::empty(),
                )?;
                Some(target)
            }
            None => None,
        };
        if let Some(target) = capture.as_mut() {
            self.egui
                .draw(&mut encoder, target.view(), &frame, Some(clear));
            target.copy_for_readback(&self.gpu, &mut encoder);
        }
        buffers.push(encoder.finish());
        let t_record = t0.elapsed();
        let index = self.gpu.queue.submit(buffers);
        let t_submit = t0.elapsed();
        self.window.pre_present_notify();
        self.gpu.queue.present(surface_texture);
        tracing::debug!(
            tess = t_tess.as_secs_f64() * 1000.0,
            acquire = (t_acquire - t_tess).as_secs_f64() * 1000.0,
            record = (t_record - t_acquire).as_secs_f64() * 1000.0,
            submit = (t_submit - t_record).as_secs_f64() * 1000.0,
            present = (t0.elapsed() - t_submit).as_secs_f64() * 1000.0,
            prims = frame.primitives(),
            "paint"
        );
        self.egui.end(frame);
        if let (Some(path), Some(target)) = (screenshot, capture) {
            let mut image = target.read(&self.gpu, index)?;
            // The window is opaque whatever alpha the surface format carries.
            for p in image.rgba.chunks_exact_mut(4) {
                p[3] = 255;
            }
            image.save_png(path)?;
        }
        Ok(Painted::Presented)
    }
}

/// Puts the window where the options say: fullscreen on a monitor, or borderless across all.
fn place(
    event_loop: &ActiveEventLoop,
    attrs: winit::window::WindowAttributes,
    options: &ConsoleOptions,
) -> Result<winit::window::WindowAttributes, ConsoleError> {
    use super::Screen;
    let monitors: Vec<winit::monitor::MonitorHandle> = event_loop.available_monitors().collect();
    let describe = |m: &winit::monitor::MonitorHandle, i: usize| {
        let s = m.size();
        let p = m.position();
        format!(
            "{i}: {} {}×{} at {},{}",
            m.name().unwrap_or_else(|| "unnamed".into()),
            s.width,
            s.height,
            p.x,
            p.y
        )
    };
    Ok(match options.screen {
        Screen::Primary if options.fullscreen || options.wall => {
            attrs.with_fullscreen(Some(Fullscreen::Borderless(None)))
        }
        Screen::Primary => attrs,
        Screen::Monitor(n) => {
            let Some(m) = monitors.get(n) else {
                let list: Vec<String> = monitors
                    .iter()
                    .enumerate()
                    .map(|(i, m)| describe(m, i))
                    .collect();
                return Err(ConsoleError::Window(format!(
                    "there is no monitor {n}: this display has {} ({})",
                    monitors.len(),
                    if list.is_empty() {
                        "none reported".into()
                    } else {
                        list.join("; ")
                    }
                )));
            };
            tracing::info!("fullscreen on monitor {}", describe(m, n));
            attrs.with_fullscreen(Some(Fullscreen::Borderless(Some(m.clone()))))
        }
        Screen::Span => {
            let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
            for m in &monitors {
                let (p, s) = (m.position(), m.size());
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x.saturating_add(s.width as i32));
                y1 = y1.max(p.y.saturating_add(s.height as i32));
            }
            if monitors.is_empty() || x1 <= x0 || y1 <= y0 {
                return Err(ConsoleError::Window(
                    "--span needs the window system to report its monitors, and it reports none"
                        .into(),
                ));
            }
            tracing::info!(
                monitors = monitors.len(),
                "spanning {}×{} at {x0},{y0}",
                x1 - x0,
                y1 - y0
            );
            attrs
                .with_decorations(false)
                .with_position(winit::dpi::PhysicalPosition::new(x0, y0))
                .with_inner_size(PhysicalSize::new((x1 - x0) as u32, (y1 - y0) as u32))
        }
    })
}
