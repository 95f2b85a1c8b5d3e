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

mod basemap;
mod context;
mod frame;
mod pipelines;
pub mod style;
mod timeline;
pub mod values;

use std::collections::BTreeMap;
use std::sync::Arc;

use glam::DVec2;
use wgpu::util::DeviceExt;

use crate::RenderError;
use crate::camera::Camera;
use crate::context::{ContextLayers, LineMesh};
use crate::geometry::CellGeometry;
use crate::palette::{LUT_SIZE, Palette, ValueKind};

pub use basemap::{BasemapStats, MAX_TILE_SIDE};
use pipelines::{
    LineUniform, Pipelines, Shaders, StyleUniform, ViewUniform, build_pipelines, nonempty,
    storage_entry, uniform_entry,
};
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
    /// A street name laid along its line: the line's direction on screen (radians, clockwise
    /// from east, kept within ±90° so text reads left to right) and the length of the straight
    /// stretch it sits on (physical pixels; a longer name is not drawn).
    pub along: Option<(f32, f32)>,
}

/// The bind group of a layer's per-slot buffers: values, flags, timeline.
fn layer_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    values: &wgpu::Buffer,
    flags: &wgpu::Buffer,
    timeline: &wgpu::Buffer,
) -> wgpu::BindGroup {
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("hotspot layer"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: values.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: flags.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: timeline.as_entire_binding(),
            },
        ],
    })
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
    wards: Option<GpuMesh>,
    beats: Option<GpuMesh>,
    /// Street lines and their halos: arterials, then every other street.
    arterial_halo: Option<GpuMesh>,
    arterial: Option<GpuMesh>,
    minor_halo: Option<GpuMesh>,
    minor: Option<GpuMesh>,
}

/// Users' layers on the GPU: their lines and rings, their point markers (each with a halo),
/// and their labels.
#[derive(Default)]
struct OverlayGpu {
    line_halo: Option<GpuMesh>,
    lines: Option<GpuMesh>,
    marker_halo: Option<GpuMesh>,
    markers: Option<GpuMesh>,
    /// (Mercator position, text).
    labels: Vec<(DVec2, String)>,
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
    overlay_gpu: OverlayGpu,
    basemap: Option<basemap::BasemapGpu>,
    /// Where a timeline is played (frame index with its fraction), when one is.
    timeline_pos: Option<f32>,
    timeline_zero_is_empty: bool,
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
            entries: &[storage_entry(0), storage_entry(1), storage_entry(2)],
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
            overlay_gpu: OverlayGpu::default(),
            basemap: None,
            timeline_pos: None,
            timeline_zero_is_empty: false,
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
        let timeline_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("hotspot timeline"),
            contents: &[0, 0, 0, 0],
            usage: wgpu::BufferUsages::STORAGE,
        });
        let bind_group = layer_bind_group(
            device,
            &self.layer_bgl,
            &values_buf,
            &flags_buf,
            &timeline_buf,
        );
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
                timeline_buf,
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
                timeline: Vec::new(),
                timeline_frames: 0,
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
