//! The GPU map: resident per-resolution cell meshes, a per-slot value buffer, the palette
//! lookup texture, context lines, hover / selection outlines, culling and picking.
//!
//! [`MapRenderer`] works on any `wgpu` device and colour format, so the console can draw it
//! inside its own render pass ([`MapRenderer::prepare`] then [`MapRenderer::paint`]) and the
//! headless path ([`crate::Headless`]) can draw it into an offscreen texture.
//!
//! The renderer is split by job: [`style`] (theme, palette, outlines), [`values`] (the value
//! and flag buffers, the colour domain, picking), `context` (context layers, highlights and
//! label anchors) and `pipelines` (shaders, uniforms, pipeline state); this file holds the
//! renderer, its geometry layers and the frame.

mod context;
mod pipelines;
pub mod style;
pub mod values;

use std::collections::BTreeMap;
use std::sync::Arc;

use glam::DVec2;
use wgpu::util::DeviceExt;

use crate::RenderError;
use crate::camera::Camera;
use crate::context::{ContextLayers, LineMesh};
use crate::geometry::CellGeometry;
use crate::palette::{DomainMode, LUT_SIZE, Palette, ValueKind};

use pipelines::{
    LineUniform, Pipelines, Shaders, StyleUniform, ViewUniform, build_pipelines, nonempty,
    storage_entry, uniform_entry,
};
use style::rgba_f;
pub use style::{ContextVisibility, Outlines, OutsideScope, Theme};
use values::Layer;
pub use values::{FLAG_DIM, FLAG_HIDDEN, MAX_BREAKS, NO_DATA_BITS, Pick, ValueUpdate};

const CELL_SHADER: &str = include_str!("../../../../shaders/cells.wgsl");
const LINE_SHADER: &str = include_str!("../../../../shaders/lines.wgsl");

/// Below this cell size on screen (physical pixels) hexagons are drawn as two-triangle
/// bricks of equal area (see [`CellGeometry::lod_vertices`]).
pub const DEFAULT_LOD_PX: f64 = 4.0;

/// Draw statistics of the last prepared frame.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct FrameStats {
    pub chunks_drawn: usize,
    pub chunks_total: usize,
    pub triangles: usize,
    /// Cell size on screen in physical pixels.
    pub cell_px: f64,
    /// Outline gap used, physical pixels.
    pub outline_px: f32,
    /// Whether the brick level of detail was drawn.
    pub lod: bool,
}

/// A label the overlay should draw.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLabel {
    pub text: String,
    /// Physical pixels.
    pub pos: DVec2,
    /// Larger labels win overlaps.
    pub priority: u32,
    pub major: bool,
}

/// A line or fill mesh on the GPU with its own uniform.
struct GpuMesh {
    vbuf: wgpu::Buffer,
    ibuf: wgpu::Buffer,
    index_count: u32,
    origin: DVec2,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

#[derive(Default)]
struct ContextGpu {
    footprint_fill: Option<GpuMesh>,
    footprint_line: Option<GpuMesh>,
    districts: Option<GpuMesh>,
    areas: Option<GpuMesh>,
}

/// The GPU map renderer. See the module docs.
pub struct MapRenderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    format: wgpu::TextureFormat,
    shaders: Shaders,
    pipelines: Vec<Pipelines>,
    active_pipelines: usize,
    layer_bgl: wgpu::BindGroupLayout,
    line_bgl: wgpu::BindGroupLayout,
    view_buf: wgpu::Buffer,
    style_buf: wgpu::Buffer,
    lut_tex: wgpu::Texture,
    globals_bg: wgpu::BindGroup,
    layers: BTreeMap<u8, Layer>,
    active: Option<u8>,
    palette: Palette,
    lut: Vec<u8>,
    no_data: [u8; 4],
    domain_override: Option<(f32, f32)>,
    value_kind: Option<ValueKind>,
    theme: Theme,
    opacity: f32,
    outlines: Outlines,
    hover: Option<u64>,
    selected: Option<u64>,
    hover_mesh: Option<GpuMesh>,
    selected_halo: Option<GpuMesh>,
    selected_mesh: Option<GpuMesh>,
    context: Option<ContextLayers>,
    context_gpu: ContextGpu,
    visibility: ContextVisibility,
    /// The camera; changing it makes [`MapRenderer::needs_redraw`] true.
    pub camera: Camera,
    dirty: bool,
    last_camera: Option<Camera>,
    draw_ranges: Vec<(u32, u32)>,
    use_lod: bool,
    lod_px: f64,
    stats: FrameStats,
}

impl MapRenderer {
    /// Creates the pipelines for a colour target of `format` with `sample_count` samples
    /// (1 or 4).
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        format: wgpu::TextureFormat,
        sample_count: u32,
    ) -> Result<Self, RenderError> {
        let globals_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hotspot globals"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX),
                uniform_entry(1, wgpu::ShaderStages::VERTEX),
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: false },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        let layer_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hotspot layer"),
            entries: &[storage_entry(0), storage_entry(1)],
        });
        let line_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hotspot line"),
            entries: &[uniform_entry(
                0,
                wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
            )],
        });
        let cell_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("cells.wgsl"),
            source: wgpu::ShaderSource::Wgsl(CELL_SHADER.into()),
        });
        let line_module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("lines.wgsl"),
            source: wgpu::ShaderSource::Wgsl(LINE_SHADER.into()),
        });
        let cell_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("hotspot cells"),
            bind_group_layouts: &[Some(&globals_bgl), Some(&layer_bgl)],
            immediate_size: 0,
        });
        let line_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("hotspot lines"),
            bind_group_layouts: &[Some(&line_bgl)],
            immediate_size: 0,
        });
        let shaders = Shaders {
            cell_module,
            line_module,
            cell_layout,
            line_layout,
        };
        let pipelines = build_pipelines(device, &shaders, format, sample_count.max(1));
        let view_buf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hotspot view"),
            size: std::mem::size_of::<ViewUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let style_buf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hotspot style"),
            size: std::mem::size_of::<StyleUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let lut_tex = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("hotspot palette LUT"),
            size: wgpu::Extent3d {
                width: LUT_SIZE as u32,
                height: 1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let lut_view = lut_tex.create_view(&wgpu::TextureViewDescriptor::default());
        let globals_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("hotspot globals"),
            layout: &globals_bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: style_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&lut_view),
                },
            ],
        });
        let mut map = Self {
            device: device.clone(),
            queue: queue.clone(),
            format,
            shaders,
            pipelines: vec![pipelines],
            active_pipelines: 0,
            layer_bgl,
            line_bgl,
            view_buf,
            style_buf,
            lut_tex,
            globals_bg,
            layers: BTreeMap::new(),
            active: None,
            palette: Palette::default(),
            lut: Vec::new(),
            no_data: [0; 4],
            domain_override: None,
            value_kind: None,
            theme: Theme::Dark,
            opacity: 0.92,
            outlines: Outlines::Auto,
            hover: None,
            selected: None,
            hover_mesh: None,
            selected_halo: None,
            selected_mesh: None,
            context: None,
            context_gpu: ContextGpu::default(),
            visibility: ContextVisibility::default(),
            camera: Camera::default(),
            dirty: true,
            last_camera: None,
            draw_ranges: Vec::new(),
            use_lod: false,
            lod_px: DEFAULT_LOD_PX,
            stats: FrameStats::default(),
        };
        map.set_palette(&Palette::default())?;
        Ok(map)
    }

    /// The colour format the pipelines were built for.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }
    /// MSAA sample count of the render pass [`MapRenderer::paint`] expects.
    pub fn sample_count(&self) -> u32 {
        self.pipelines[self.active_pipelines].samples
    }

    /// Switches the MSAA sample count (1 or 4; pipelines are built once per count). The
    /// console can draw at 1× while the map moves on a software adapter, where 4× MSAA costs
    /// more than the whole frame, and at 4× once it settles.
    pub fn set_sample_count(&mut self, samples: u32) {
        let samples = if samples >= 4 { 4 } else { 1 };
        if let Some(i) = self.pipelines.iter().position(|p| p.samples == samples) {
            self.active_pipelines = i;
        } else {
            self.pipelines.push(build_pipelines(
                &self.device,
                &self.shaders,
                self.format,
                samples,
            ));
            self.active_pipelines = self.pipelines.len() - 1;
        }
        self.dirty = true;
    }

    // ---------------------------------------------------------------- geometry

    /// Builds (or reuses) the geometry of a resolution's coverage. Returns the geometry.
    /// Building is CPU work; callers that must not block can build a [`CellGeometry`] on
    /// another thread and hand it to [`MapRenderer::set_geometry`].
    pub fn set_coverage(
        &mut self,
        res: u8,
        cells: &[u64],
    ) -> Result<Arc<CellGeometry>, RenderError> {
        if let Some(layer) = self.layers.get(&res)
            && same_cells(layer.geom.cells(), cells)
        {
            return Ok(layer.geom.clone());
        }
        let geom = Arc::new(CellGeometry::build(res, cells)?);
        self.set_geometry(geom.clone());
        Ok(geom)
    }

    /// Uploads a prebuilt geometry (replacing that resolution's; values reset to no data).
    pub fn set_geometry(&mut self, geom: Arc<CellGeometry>) {
        let res = geom.res();
        let n = geom.len();
        let device = &self.device;
        let vbuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot cell vertices"),
            contents: nonempty(bytemuck::cast_slice(geom.vertices())),
            usage: wgpu::BufferUsages::VERTEX,
        });
        let ibuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot cell indices"),
            contents: nonempty(bytemuck::cast_slice(geom.indices())),
            usage: wgpu::BufferUsages::INDEX,
        });
        let lod_vbuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot cell LOD vertices"),
            contents: nonempty(bytemuck::cast_slice(geom.lod_vertices())),
            usage: wgpu::BufferUsages::VERTEX,
        });
        let lod_ibuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot cell LOD indices"),
            contents: nonempty(bytemuck::cast_slice(geom.lod_indices())),
            usage: wgpu::BufferUsages::INDEX,
        });
        let values = vec![NO_DATA_BITS; n];
        let flags = vec![0u32; n];
        let values_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot values"),
            contents: nonempty(bytemuck::cast_slice(&values)),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        });
        let flags_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot flags"),
            contents: nonempty(bytemuck::cast_slice(&flags)),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("hotspot layer"),
            layout: &self.layer_bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: values_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: flags_buf.as_entire_binding(),
                },
            ],
        });
        self.layers.insert(
            res,
            Layer {
                geom,
                vbuf,
                ibuf,
                lod_vbuf,
                lod_ibuf,
                values_buf,
                flags_buf,
                bind_group,
                values,
                flags,
                mapping_cells: Vec::new(),
                mapping: Vec::new(),
                min: 0.0,
                max: 0.0,
                with_data: 0,
                breaks: None,
                range: None,
            },
        );
        if self.active.is_none() {
            self.active = Some(res);
        }
        self.refresh_highlights();
        self.dirty = true;
    }

    /// The geometry of a resolution, if built.
    pub fn geometry(&self, res: u8) -> Option<&Arc<CellGeometry>> {
        self.layers.get(&res).map(|l| &l.geom)
    }

    /// Drops a resolution's geometry and buffers.
    pub fn drop_coverage(&mut self, res: u8) {
        self.layers.remove(&res);
        if self.active == Some(res) {
            self.active = None;
        }
        self.dirty = true;
    }

    /// Shows a resolution (its coverage must have been set).
    pub fn set_resolution(&mut self, res: u8) -> Result<(), RenderError> {
        if !self.layers.contains_key(&res) {
            return Err(RenderError::NoCoverage(res));
        }
        if self.active != Some(res) {
            self.active = Some(res);
            self.refresh_highlights();
            self.dirty = true;
        }
        Ok(())
    }

    /// The resolution shown.
    pub fn resolution(&self) -> Option<u8> {
        self.active
    }

    // ---------------------------------------------------------------- frames

    /// Whether anything changed since the last [`MapRenderer::prepare`] (state or camera).
    pub fn needs_redraw(&self) -> bool {
        self.dirty || self.last_camera.as_ref() != Some(&self.camera)
    }

    /// Forces the next [`MapRenderer::needs_redraw`] to be true.
    pub fn request_redraw(&mut self) {
        self.dirty = true;
    }

    /// Statistics of the last prepared frame.
    pub fn stats(&self) -> FrameStats {
        self.stats
    }

    /// The clear colour for the theme, in the target's encoding.
    pub fn clear_color(&self) -> wgpu::Color {
        let [r, g, b, a] = rgba_f(self.theme.background()).map(f64::from);
        if self.format.is_srgb() {
            let lin = |c: f64| {
                if c <= 0.04045 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            wgpu::Color {
                r: lin(r),
                g: lin(g),
                b: lin(b),
                a,
            }
        } else {
            wgpu::Color { r, g, b, a }
        }
    }

    fn write_line_uniform(&self, mesh: &GpuMesh, half_width_px: f32, color: [f32; 4]) {
        let cam = &self.camera;
        let off = mesh.origin - cam.center;
        let u = LineUniform {
            offset: [off.x as f32, off.y as f32],
            half_size: [cam.width as f32 * 0.5, cam.height as f32 * 0.5],
            px_per_m: cam.px_per_m() as f32,
            half_width_px,
            srgb_target: u32::from(self.format.is_srgb()),
            _pad: 0,
            color,
        };
        self.queue
            .write_buffer(&mesh.uniform, 0, bytemuck::bytes_of(&u));
    }

    /// Writes uniforms and decides what to draw (culling, level of detail) for the current
    /// camera. Call once per frame before [`MapRenderer::paint`].
    pub fn prepare(&mut self) {
        let domain = self.domain();
        let cam = self.camera.clone();
        let ppm = cam.px_per_m();
        let sf = cam.scale_factor as f32;
        let mut stats = FrameStats::default();
        self.draw_ranges.clear();
        if let Some(layer) = self.active.and_then(|r| self.layers.get(&r)) {
            let geom = &layer.geom;
            let cell_px = geom.mean_size_m() * ppm;
            self.use_lod = cell_px < self.lod_px;
            let outline_px = match self.outlines {
                _ if self.use_lod => 0.0,
                Outlines::Off => 0.0,
                Outlines::Px(p) => (p * sf).min(cell_px as f32 * 0.25),
                Outlines::Auto if cell_px < 4.0 => 0.0,
                Outlines::Auto if cell_px < 12.0 => 0.5 * sf,
                Outlines::Auto => 1.0 * sf,
            };
            // Frustum culling: merge consecutive visible chunks into single draws.
            let (vmin, vmax) = cam.visible_rect();
            for c in geom.chunks() {
                stats.chunks_total += 1;
                if c.max.x < vmin.x || c.min.x > vmax.x || c.max.y < vmin.y || c.min.y > vmax.y {
                    continue;
                }
                stats.chunks_drawn += 1;
                let (first, count) = if self.use_lod {
                    (c.lod_first_index, c.lod_index_count)
                } else {
                    (c.first_index, c.index_count)
                };
                stats.triangles += count as usize / 3;
                match self.draw_ranges.last_mut() {
                    Some((start, n)) if *start + *n == first => *n += count,
                    _ => self.draw_ranges.push((first, count)),
                }
            }
            stats.cell_px = cell_px;
            stats.lod = self.use_lod;
            stats.outline_px = outline_px;
            let off = geom.origin() - cam.center;
            let view = ViewUniform {
                offset: [off.x as f32, off.y as f32],
                half_size: [cam.width as f32 * 0.5, cam.height as f32 * 0.5],
                px_per_m: ppm as f32,
                outline_px,
                opacity: self.opacity,
                srgb_target: u32::from(self.format.is_srgb()),
            };
            self.queue
                .write_buffer(&self.view_buf, 0, bytemuck::bytes_of(&view));
            let slot_of = |c: Option<u64>| c.and_then(|c| geom.slot(c)).unwrap_or(u32::MAX);
            let mut breaks = [[0f32; 4]; 4];
            for (i, b) in domain.breaks.iter().take(MAX_BREAKS).enumerate() {
                breaks[i / 4][i % 4] = *b;
            }
            let bg = rgba_f(self.theme.background());
            let mode = match self.palette.mode {
                DomainMode::Linear => 0,
                DomainMode::Log => 1,
                DomainMode::Quantile => 2,
            };
            let style = StyleUniform {
                no_data: rgba_f(self.no_data),
                background: bg,
                hover_slot: slot_of(self.hover),
                selected_slot: slot_of(self.selected),
                mode,
                n_breaks: domain.breaks.len().min(MAX_BREAKS) as u32,
                lo: domain.lo,
                hi: domain.hi,
                log_span: (domain.hi - domain.lo).max(0.0).ln_1p().max(1e-30),
                dim_alpha: 0.35,
                breaks,
            };
            self.queue
                .write_buffer(&self.style_buf, 0, bytemuck::bytes_of(&style));
        }
        let fg = rgba_f(self.theme.foreground());
        let theme = self.theme;
        let v = self.visibility;
        let g = &self.context_gpu;
        if v.footprint {
            if let Some(m) = &g.footprint_fill {
                self.write_line_uniform(m, 0.0, theme.footprint_fill());
            }
            if let Some(m) = &g.footprint_line {
                self.write_line_uniform(m, 0.6 * sf, [fg[0], fg[1], fg[2], 0.55]);
            }
        }
        if v.community_areas
            && let Some(m) = &g.areas
        {
            self.write_line_uniform(m, 0.4 * sf, [fg[0], fg[1], fg[2], 0.45]);
        }
        if v.districts
            && let Some(m) = &g.districts
        {
            self.write_line_uniform(m, 0.8 * sf, [fg[0], fg[1], fg[2], 0.8]);
        }
        if let Some(m) = &self.hover_mesh {
            self.write_line_uniform(m, 1.0 * sf, theme.hover());
        }
        if let Some(m) = &self.selected_halo {
            self.write_line_uniform(m, 2.5 * sf, theme.selected_halo());
        }
        if let Some(m) = &self.selected_mesh {
            self.write_line_uniform(m, 1.25 * sf, rgba_f(theme.foreground()));
        }
        self.stats = stats;
        self.dirty = false;
        self.last_camera = Some(cam);
    }

    fn draw_mesh(&self, pass: &mut wgpu::RenderPass<'_>, mesh: Option<&GpuMesh>) {
        let Some(m) = mesh else {
            return;
        };
        if m.index_count == 0 {
            return;
        }
        pass.set_pipeline(&self.pipelines[self.active_pipelines].lines);
        pass.set_bind_group(0, &m.bind_group, &[]);
        pass.set_vertex_buffer(0, m.vbuf.slice(..));
        pass.set_index_buffer(m.ibuf.slice(..), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(0..m.index_count, 0, 0..1);
    }

    /// Records the map's draws into a render pass whose target matches [`MapRenderer::format`]
    /// and [`MapRenderer::sample_count`]. The caller clears it ([`MapRenderer::clear_color`]).
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>) {
        let v = self.visibility;
        let g = &self.context_gpu;
        if v.footprint {
            self.draw_mesh(pass, g.footprint_fill.as_ref());
        }
        if let Some(layer) = self.active.and_then(|r| self.layers.get(&r))
            && !self.draw_ranges.is_empty()
        {
            pass.set_pipeline(&self.pipelines[self.active_pipelines].cells);
            pass.set_bind_group(0, &self.globals_bg, &[]);
            pass.set_bind_group(1, &layer.bind_group, &[]);
            let (vbuf, ibuf) = if self.use_lod {
                (&layer.lod_vbuf, &layer.lod_ibuf)
            } else {
                (&layer.vbuf, &layer.ibuf)
            };
            pass.set_vertex_buffer(0, vbuf.slice(..));
            pass.set_index_buffer(ibuf.slice(..), wgpu::IndexFormat::Uint32);
            for &(start, count) in &self.draw_ranges {
                pass.draw_indexed(start..start + count, 0, 0..1);
            }
        }
        if v.community_areas {
            self.draw_mesh(pass, g.areas.as_ref());
        }
        if v.districts {
            self.draw_mesh(pass, g.districts.as_ref());
        }
        if v.footprint {
            self.draw_mesh(pass, g.footprint_line.as_ref());
        }
        self.draw_mesh(pass, self.hover_mesh.as_ref());
        self.draw_mesh(pass, self.selected_halo.as_ref());
        self.draw_mesh(pass, self.selected_mesh.as_ref());
    }

    /// Prepares and records a whole map pass: clears `view` (the MSAA texture when
    /// `sample_count > 1`), draws, and resolves into `resolve_target` if given.
    pub fn render(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        view: &wgpu::TextureView,
        resolve_target: Option<&wgpu::TextureView>,
    ) {
        self.prepare();
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("hotspot map"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view,
                depth_slice: None,
                resolve_target,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(self.clear_color()),
                    store: if resolve_target.is_some() {
                        wgpu::StoreOp::Discard
                    } else {
                        wgpu::StoreOp::Store
                    },
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        self.paint(&mut pass);
    }

    fn upload_mesh(&self, mesh: &LineMesh, label: &str) -> GpuMesh {
        let vbuf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: nonempty(bytemuck::cast_slice(&mesh.vertices)),
                usage: wgpu::BufferUsages::VERTEX,
            });
        let ibuf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: nonempty(bytemuck::cast_slice(&mesh.indices)),
                usage: wgpu::BufferUsages::INDEX,
            });
        let uniform = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: std::mem::size_of::<LineUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &self.line_bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            }],
        });
        GpuMesh {
            vbuf,
            ibuf,
            index_count: mesh.indices.len() as u32,
            origin: mesh.origin,
            uniform,
            bind_group,
        }
    }
}

/// Whether `input` lists the same cells as a geometry's slot order (as a set).
fn same_cells(slots: &[u64], input: &[u64]) -> bool {
    if slots.len() != input.len() {
        return false;
    }
    let mut a = slots.to_vec();
    let mut b = input.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}
