//! The GPU map: resident per-resolution cell meshes, a per-slot value buffer, the palette
//! lookup texture, context lines, hover / selection outlines, culling and picking.
//!
//! [`MapRenderer`] works on any `wgpu` device and colour format, so the console can draw it
//! inside its own render pass ([`MapRenderer::prepare`] then [`MapRenderer::paint`]) and the
//! headless path ([`crate::Headless`]) can draw it into an offscreen texture.

use std::collections::BTreeMap;
use std::sync::Arc;

use glam::DVec2;
use wgpu::util::DeviceExt;

use crate::RenderError;
use crate::camera::Camera;
use crate::context::{
    ContextLayers, LineMesh, LineVertex, cell_outline, fill_polygons, polygon_rings, stroke_rings,
};
use crate::geometry::{CellGeometry, CellVertex};
use crate::palette::{Domain, DomainMode, LUT_SIZE, Palette, ValueKind, lut_rgba, quantile_breaks};

const CELL_SHADER: &str = include_str!("../../../shaders/cells.wgsl");
const LINE_SHADER: &str = include_str!("../../../shaders/lines.wgsl");

/// Value bits that mean "no data" (a NaN pattern never produced by arithmetic).
pub const NO_DATA_BITS: u32 = 0xffff_ffff;
/// Flag: the cell is not drawn.
pub const FLAG_HIDDEN: u32 = 1;
/// Flag: the cell is drawn faded (outside the drill scope).
pub const FLAG_DIM: u32 = 2;
/// Below this cell size on screen (physical pixels) hexagons are drawn as two-triangle
/// bricks of equal area (see [`CellGeometry::lod_vertices`]).
pub const DEFAULT_LOD_PX: f64 = 4.0;
/// Most quantile breakpoints the shader takes (so at most 17 classes).
pub const MAX_BREAKS: usize = 16;

/// Background theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    /// The map background.
    pub fn background(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0x0e, 0x11, 0x17, 0xff],
            Theme::Light => [0xf7, 0xf7, 0xf4, 0xff],
        }
    }
    /// Text and line colour that contrasts with the background.
    pub fn foreground(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0xe8, 0xea, 0xed, 0xff],
            Theme::Light => [0x1f, 0x23, 0x29, 0xff],
        }
    }
    /// A translucent panel behind overlay text.
    pub fn panel(self) -> [u8; 4] {
        match self {
            Theme::Dark => [0x0e, 0x11, 0x17, 0xd8],
            Theme::Light => [0xff, 0xff, 0xff, 0xe0],
        }
    }
    fn with_alpha(c: [u8; 4], a: f32) -> [f32; 4] {
        [rgba_f(c)[0], rgba_f(c)[1], rgba_f(c)[2], a]
    }
    fn footprint_fill(self) -> [f32; 4] {
        match self {
            Theme::Dark => [1.0, 1.0, 1.0, 0.045],
            Theme::Light => [0.0, 0.0, 0.0, 0.05],
        }
    }
    fn hover(self) -> [f32; 4] {
        Self::with_alpha(self.foreground(), 1.0)
    }
    fn selected_halo(self) -> [f32; 4] {
        match self {
            Theme::Dark => [0.0, 0.0, 0.0, 0.75],
            Theme::Light => [1.0, 1.0, 1.0, 0.85],
        }
    }
}

fn rgba_f(c: [u8; 4]) -> [f32; 4] {
    c.map(|v| f32::from(v) / 255.0)
}

/// How cells outside the drill scope are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum OutsideScope {
    /// Faded towards the background.
    #[default]
    Dim,
    /// Not drawn.
    Hide,
}

/// Cell outline policy.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Outlines {
    /// Thin gaps between cells when cells are large enough on screen (none below 4 px).
    #[default]
    Auto,
    /// Cells share edges exactly.
    Off,
    /// A fixed gap in logical pixels.
    Px(f32),
}

/// Which context layers are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextVisibility {
    pub footprint: bool,
    pub districts: bool,
    pub community_areas: bool,
    pub labels: bool,
}

impl Default for ContextVisibility {
    fn default() -> Self {
        Self {
            footprint: true,
            districts: true,
            community_areas: false,
            labels: true,
        }
    }
}

/// The result of [`MapRenderer::pick`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pick {
    pub cell: u64,
    pub res: u8,
    pub slot: u32,
    /// `None` when the cell has no data in the scope.
    pub value: Option<f32>,
    pub lat: f64,
    pub lon: f64,
}

/// What [`MapRenderer::set_values`] matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ValueUpdate {
    /// Input cells found in the coverage.
    pub matched: usize,
    /// Input cells not in the coverage (ignored).
    pub unmatched: usize,
}

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

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct ViewUniform {
    offset: [f32; 2],
    half_size: [f32; 2],
    px_per_m: f32,
    outline_px: f32,
    opacity: f32,
    srgb_target: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct StyleUniform {
    no_data: [f32; 4],
    background: [f32; 4],
    hover_slot: u32,
    selected_slot: u32,
    mode: u32,
    n_breaks: u32,
    lo: f32,
    hi: f32,
    log_span: f32,
    dim_alpha: f32,
    breaks: [[f32; 4]; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct LineUniform {
    offset: [f32; 2],
    half_size: [f32; 2],
    px_per_m: f32,
    half_width_px: f32,
    srgb_target: u32,
    _pad: u32,
    color: [f32; 4],
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

struct Layer {
    geom: Arc<CellGeometry>,
    vbuf: wgpu::Buffer,
    ibuf: wgpu::Buffer,
    lod_vbuf: wgpu::Buffer,
    lod_ibuf: wgpu::Buffer,
    values_buf: wgpu::Buffer,
    flags_buf: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    values: Vec<u32>,
    flags: Vec<u32>,
    mapping_cells: Vec<u64>,
    mapping: Vec<u32>,
    min: f32,
    max: f32,
    with_data: usize,
    breaks: Option<Vec<f32>>,
    /// The automatic range for [`MapRenderer::set_value_kind`], cached.
    range: Option<(f32, f32)>,
}

impl Layer {
    fn data_values(&self) -> Vec<f32> {
        self.values
            .iter()
            .filter(|b| **b != NO_DATA_BITS)
            .map(|b| f32::from_bits(*b))
            .collect()
    }
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

fn blend() -> wgpu::BlendState {
    wgpu::BlendState {
        color: wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::SrcAlpha,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        },
        alpha: wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        },
    }
}

fn uniform_entry(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn storage_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::VERTEX,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only: true },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
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

    // ---------------------------------------------------------------- values

    /// Sets the values of a resolution: `values[i]` belongs to `cells[i]`; coverage cells not
    /// listed (and NaN values) have no data and are drawn in the palette's no-data colour.
    /// Only the per-slot value buffer is written. The id → slot mapping of the last `cells`
    /// is cached, so switching metrics over the same cells skips every hash lookup.
    pub fn set_values(
        &mut self,
        res: u8,
        cells: &[u64],
        values: &[f32],
    ) -> Result<ValueUpdate, RenderError> {
        if cells.len() != values.len() {
            return Err(RenderError::LengthMismatch {
                cells: cells.len(),
                values: values.len(),
            });
        }
        let layer = self
            .layers
            .get_mut(&res)
            .ok_or(RenderError::NoCoverage(res))?;
        if layer.mapping_cells.as_slice() != cells {
            layer.geom.slots_for(cells, &mut layer.mapping);
            layer.mapping_cells.clear();
            layer.mapping_cells.extend_from_slice(cells);
        }
        layer.values.fill(NO_DATA_BITS);
        let mut update = ValueUpdate::default();
        let (mut min, mut max, mut n) = (f32::INFINITY, f32::NEG_INFINITY, 0usize);
        for (&slot, &v) in layer.mapping.iter().zip(values) {
            if slot == u32::MAX {
                update.unmatched += 1;
                continue;
            }
            update.matched += 1;
            if v.is_finite() {
                layer.values[slot as usize] = v.to_bits();
                min = min.min(v);
                max = max.max(v);
                n += 1;
            }
        }
        Self::finish_values(layer, &self.queue, min, max, n);
        self.dirty = true;
        Ok(update)
    }

    /// Sets values in slot order (`values.len()` must equal the coverage size); NaN = no data.
    pub fn set_values_by_slot(&mut self, res: u8, values: &[f32]) -> Result<(), RenderError> {
        let layer = self
            .layers
            .get_mut(&res)
            .ok_or(RenderError::NoCoverage(res))?;
        if values.len() != layer.values.len() {
            return Err(RenderError::LengthMismatch {
                cells: layer.values.len(),
                values: values.len(),
            });
        }
        let (mut min, mut max, mut n) = (f32::INFINITY, f32::NEG_INFINITY, 0usize);
        for (dst, &v) in layer.values.iter_mut().zip(values) {
            if v.is_finite() {
                *dst = v.to_bits();
                min = min.min(v);
                max = max.max(v);
                n += 1;
            } else {
                *dst = NO_DATA_BITS;
            }
        }
        Self::finish_values(layer, &self.queue, min, max, n);
        self.dirty = true;
        Ok(())
    }

    /// [`MapRenderer::set_values`] from Arrow arrays (the scope engine's output): `cells` must
    /// be `UInt64`, `values` any of Float32/Float64/Int32/Int64/UInt32/UInt64; nulls = no data.
    pub fn set_values_arrow(
        &mut self,
        res: u8,
        cells: &dyn arrow_array::Array,
        values: &dyn arrow_array::Array,
    ) -> Result<ValueUpdate, RenderError> {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{
            Float32Type, Float64Type, Int32Type, Int64Type, UInt32Type, UInt64Type,
        };
        let ids = cells.as_primitive_opt::<UInt64Type>().ok_or_else(|| {
            RenderError::Gpu(format!(
                "cell ids must be UInt64, not {}",
                cells.data_type()
            ))
        })?;
        fn collect<T: arrow_array::ArrowPrimitiveType>(
            a: &arrow_array::PrimitiveArray<T>,
            f: impl Fn(T::Native) -> f32,
        ) -> Vec<f32> {
            a.iter().map(|v| v.map_or(f32::NAN, &f)).collect()
        }
        let vals: Vec<f32> = if let Some(a) = values.as_primitive_opt::<Float64Type>() {
            collect(a, |v| v as f32)
        } else if let Some(a) = values.as_primitive_opt::<Float32Type>() {
            collect(a, |v| v)
        } else if let Some(a) = values.as_primitive_opt::<Int64Type>() {
            collect(a, |v| v as f32)
        } else if let Some(a) = values.as_primitive_opt::<UInt64Type>() {
            collect(a, |v| v as f32)
        } else if let Some(a) = values.as_primitive_opt::<Int32Type>() {
            collect(a, |v| v as f32)
        } else if let Some(a) = values.as_primitive_opt::<UInt32Type>() {
            collect(a, |v| v as f32)
        } else {
            return Err(RenderError::Gpu(format!(
                "unsupported value type {}",
                values.data_type()
            )));
        };
        let id_vec: Vec<u64> = ids.iter().map(|v| v.unwrap_or(0)).collect();
        self.set_values(res, &id_vec, &vals)
    }

    fn finish_values(layer: &mut Layer, queue: &wgpu::Queue, min: f32, max: f32, n: usize) {
        layer.min = if n > 0 { min } else { 0.0 };
        layer.max = if n > 0 { max } else { 0.0 };
        layer.with_data = n;
        layer.breaks = None;
        layer.range = None;
        if !layer.values.is_empty() {
            queue.write_buffer(&layer.values_buf, 0, bytemuck::cast_slice(&layer.values));
        }
    }

    /// The value of a cell at a resolution (`None` = not in coverage or no data).
    pub fn value(&self, res: u8, cell: u64) -> Option<f32> {
        let layer = self.layers.get(&res)?;
        let slot = layer.geom.slot(cell)?;
        let bits = *layer.values.get(slot as usize)?;
        (bits != NO_DATA_BITS).then(|| f32::from_bits(bits))
    }

    /// Restricts the drill scope: cells of `in_scope` are drawn normally, the rest dimmed or
    /// hidden. `None` clears the mask.
    pub fn set_scope_mask(
        &mut self,
        res: u8,
        in_scope: Option<&[u64]>,
        outside: OutsideScope,
    ) -> Result<(), RenderError> {
        let layer = self
            .layers
            .get_mut(&res)
            .ok_or(RenderError::NoCoverage(res))?;
        match in_scope {
            None => layer.flags.fill(0),
            Some(cells) => {
                let out = match outside {
                    OutsideScope::Dim => FLAG_DIM,
                    OutsideScope::Hide => FLAG_HIDDEN,
                };
                layer.flags.fill(out);
                for c in cells {
                    if let Some(s) = layer.geom.slot(*c) {
                        layer.flags[s as usize] = 0;
                    }
                }
            }
        }
        if !layer.flags.is_empty() {
            self.queue
                .write_buffer(&layer.flags_buf, 0, bytemuck::cast_slice(&layer.flags));
        }
        self.dirty = true;
        Ok(())
    }

    /// Highlights the cell under the pointer (`None` clears).
    pub fn set_hover(&mut self, cell: Option<u64>) {
        if self.hover != cell {
            self.hover = cell;
            self.refresh_highlights();
            self.dirty = true;
        }
    }

    /// Outlines the drill target (`None` clears).
    pub fn set_selected(&mut self, cell: Option<u64>) {
        if self.selected != cell {
            self.selected = cell;
            self.refresh_highlights();
            self.dirty = true;
        }
    }

    fn refresh_highlights(&mut self) {
        let origin = self
            .active
            .and_then(|r| self.layers.get(&r))
            .map_or(DVec2::ZERO, |l| l.geom.origin());
        let hover = self
            .hover
            .and_then(|c| cell_outline(c, origin))
            .and_then(Result::ok);
        self.hover_mesh = hover.map(|m| self.upload_mesh(&m, "hover"));
        let selected = self
            .selected
            .and_then(|c| cell_outline(c, origin))
            .and_then(Result::ok);
        self.selected_halo = selected
            .as_ref()
            .map(|m| self.upload_mesh(m, "selected halo"));
        self.selected_mesh = selected.map(|m| self.upload_mesh(&m, "selected"));
    }

    // ---------------------------------------------------------------- style

    /// Sets the palette (validated; the LUT texture is rewritten).
    pub fn set_palette(&mut self, palette: &Palette) -> Result<(), RenderError> {
        let lut = lut_rgba(palette)?;
        let no_data = palette.no_data;
        if palette.stops.len() > MAX_BREAKS + 1 && palette.mode == DomainMode::Quantile {
            return Err(RenderError::Unsupported {
                adapter: "renderer".into(),
                detail: format!("quantile palettes take at most {} stops", MAX_BREAKS + 1),
            });
        }
        self.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &self.lut_tex,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &lut,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(LUT_SIZE as u32 * 4),
                rows_per_image: None,
            },
            wgpu::Extent3d {
                width: LUT_SIZE as u32,
                height: 1,
                depth_or_array_layers: 1,
            },
        );
        if palette.stops.len() != self.palette.stops.len() || palette.mode != self.palette.mode {
            for l in self.layers.values_mut() {
                l.breaks = None;
            }
        }
        self.palette = palette.clone();
        self.lut = lut;
        self.no_data = no_data;
        self.dirty = true;
        Ok(())
    }

    /// The palette in use.
    pub fn palette(&self) -> &Palette {
        &self.palette
    }

    /// The LUT uploaded to the GPU (RGBA, [`LUT_SIZE`] texels).
    pub fn lut_rgba(&self) -> &[u8] {
        &self.lut
    }

    /// Fixes the value range (`None`: automatic, see [`MapRenderer::set_value_kind`]).
    pub fn set_domain(&mut self, range: Option<(f32, f32)>) {
        if self.domain_override != range {
            self.domain_override = range;
            self.dirty = true;
        }
    }

    /// How the automatic value range is chosen: `Some(kind)` applies the old console's rules
    /// for that kind of value ([`Palette::domain_for`]: robust `[0, max(p90, 0.6 × max, 1)]`
    /// for counts, `[0, max(max, 0.1)]` for rates, symmetric for signed changes); `None` (the
    /// default) uses `[min(0, min), max]` of the data.
    pub fn set_value_kind(&mut self, kind: Option<ValueKind>) {
        if self.value_kind != kind {
            self.value_kind = kind;
            for l in self.layers.values_mut() {
                l.range = None;
            }
            self.dirty = true;
        }
    }

    /// The effective domain of the shown resolution (computes quantile breaks if needed).
    pub fn domain(&mut self) -> Domain {
        let mode = self.palette.mode;
        let empty = Domain {
            mode,
            lo: 0.0,
            hi: 1.0,
            breaks: Vec::new(),
        };
        let Some(res) = self.active else {
            return empty;
        };
        let override_ = self.domain_override;
        let classes = self.palette.stops.len();
        let quantile = mode == DomainMode::Quantile;
        let kind = self.value_kind;
        let Some(layer) = self.layers.get_mut(&res) else {
            return empty;
        };
        let (lo, hi) = match (override_, kind) {
            (Some((lo, hi)), _) => (lo, hi),
            (None, _) if layer.with_data == 0 => (0.0, 1.0),
            (None, Some(kind)) => {
                if layer.range.is_none() {
                    let d = self.palette.domain_for(&layer.data_values(), kind);
                    layer.range = Some((d.lo, d.hi));
                }
                layer.range.unwrap_or((0.0, 1.0))
            }
            (None, None) => {
                let lo = layer.min.min(0.0);
                (lo, layer.max.max(lo + f32::EPSILON))
            }
        };
        let breaks = if quantile {
            if layer.breaks.is_none() {
                layer.breaks = Some(quantile_breaks(&layer.data_values(), classes));
            }
            layer.breaks.clone().unwrap_or_default()
        } else {
            Vec::new()
        };
        Domain {
            mode,
            lo,
            hi,
            breaks,
        }
    }

    /// Sets the background theme.
    pub fn set_theme(&mut self, theme: Theme) {
        if self.theme != theme {
            self.theme = theme;
            self.dirty = true;
        }
    }
    /// The background theme.
    pub fn theme(&self) -> Theme {
        self.theme
    }
    /// Fill opacity of cells with data (0–1).
    pub fn set_opacity(&mut self, opacity: f32) {
        self.opacity = opacity.clamp(0.0, 1.0);
        self.dirty = true;
    }
    /// Cell size on screen (physical pixels) below which the brick level of detail is used;
    /// 0 disables it.
    pub fn set_lod_threshold(&mut self, px: f64) {
        self.lod_px = px.max(0.0);
        self.dirty = true;
    }
    /// Cell outline policy.
    pub fn set_outlines(&mut self, outlines: Outlines) {
        self.outlines = outlines;
        self.dirty = true;
    }

    // ---------------------------------------------------------------- context

    /// Uploads context layers (footprint, districts, community areas).
    pub fn set_context(&mut self, context: ContextLayers) -> Result<(), RenderError> {
        let origin = context
            .bounds()
            .map_or(DVec2::ZERO, |(a, b)| ((a + b) * 0.5).round());
        let fill = fill_polygons(&context.footprint, origin)?;
        let outline = stroke_rings(polygon_rings(&context.footprint), origin)?;
        let districts = stroke_rings(
            context
                .districts
                .iter()
                .flat_map(|r| polygon_rings(&r.polygons)),
            origin,
        )?;
        let areas = stroke_rings(
            context
                .community_areas
                .iter()
                .flat_map(|r| polygon_rings(&r.polygons)),
            origin,
        )?;
        self.context_gpu = ContextGpu {
            footprint_fill: Some(self.upload_mesh(&fill, "footprint fill")),
            footprint_line: Some(self.upload_mesh(&outline, "footprint line")),
            districts: Some(self.upload_mesh(&districts, "districts")),
            areas: Some(self.upload_mesh(&areas, "community areas")),
        };
        self.context = Some(context);
        self.dirty = true;
        Ok(())
    }

    /// The context layers, if set.
    pub fn context(&self) -> Option<&ContextLayers> {
        self.context.as_ref()
    }

    /// Chooses which context layers are drawn.
    pub fn set_context_visibility(&mut self, visibility: ContextVisibility) {
        if self.visibility != visibility {
            self.visibility = visibility;
            self.dirty = true;
        }
    }
    /// Which context layers are drawn.
    pub fn context_visibility(&self) -> ContextVisibility {
        self.visibility
    }

    /// Labels of the visible context layers at their screen positions (overlap is resolved
    /// by the overlay).
    pub fn labels(&self) -> Vec<MapLabel> {
        let Some(ctx) = &self.context else {
            return Vec::new();
        };
        if !self.visibility.labels {
            return Vec::new();
        }
        let w = f64::from(self.camera.width);
        let h = f64::from(self.camera.height);
        let mut out = Vec::new();
        let mut push = |regions: &[crate::context::Region], major: bool| {
            for r in regions {
                let pos = self.camera.screen_of(r.anchor.0, r.anchor.1);
                if pos.x < 0.0 || pos.y < 0.0 || pos.x > w || pos.y > h {
                    continue;
                }
                out.push(MapLabel {
                    text: r.name.clone(),
                    pos,
                    priority: r.cells as u32 + if major { 1 << 30 } else { 0 },
                    major,
                });
            }
        };
        if self.visibility.districts {
            push(&ctx.districts, true);
        }
        if self.visibility.community_areas {
            push(&ctx.community_areas, false);
        }
        out.sort_by_key(|l| std::cmp::Reverse(l.priority));
        out
    }

    // ---------------------------------------------------------------- picking

    /// The cell of the shown resolution under a screen point (physical pixels), computed
    /// exactly on the CPU (inverse camera, inverse Mercator, h3o): no GPU readback.
    pub fn pick(&self, screen: DVec2) -> Option<Pick> {
        let res = self.active?;
        let (lat, lon) = self.camera.lat_lon_at(screen);
        let layer = self.layers.get(&res)?;
        let (cell, slot) = layer.geom.cell_at(lat, lon)?;
        if layer
            .flags
            .get(slot as usize)
            .is_some_and(|f| f & FLAG_HIDDEN != 0)
        {
            return None;
        }
        let bits = layer
            .values
            .get(slot as usize)
            .copied()
            .unwrap_or(NO_DATA_BITS);
        Some(Pick {
            cell,
            res,
            slot,
            value: (bits != NO_DATA_BITS).then(|| f32::from_bits(bits)),
            lat,
            lon,
        })
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

struct Shaders {
    cell_module: wgpu::ShaderModule,
    line_module: wgpu::ShaderModule,
    cell_layout: wgpu::PipelineLayout,
    line_layout: wgpu::PipelineLayout,
}

struct Pipelines {
    samples: u32,
    cells: wgpu::RenderPipeline,
    lines: wgpu::RenderPipeline,
}

fn build_pipelines(
    device: &wgpu::Device,
    shaders: &Shaders,
    format: wgpu::TextureFormat,
    samples: u32,
) -> Pipelines {
    let targets = [Some(wgpu::ColorTargetState {
        format,
        blend: Some(blend()),
        write_mask: wgpu::ColorWrites::ALL,
    })];
    // Cells are opaque (mixed with the background in the shader): no blending.
    let cell_targets = [Some(wgpu::ColorTargetState {
        format,
        blend: None,
        write_mask: wgpu::ColorWrites::ALL,
    })];
    let multisample = wgpu::MultisampleState {
        count: samples,
        mask: !0,
        alpha_to_coverage_enabled: false,
    };
    let cell_attrs = wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Uint32];
    let cell_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("hotspot cells"),
        layout: Some(&shaders.cell_layout),
        vertex: wgpu::VertexState {
            module: &shaders.cell_module,
            entry_point: Some("vs_cell"),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<CellVertex>() as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &cell_attrs,
            })],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample,
        fragment: Some(wgpu::FragmentState {
            module: &shaders.cell_module,
            entry_point: Some("fs_cell"),
            compilation_options: Default::default(),
            targets: &cell_targets,
        }),
        multiview_mask: None,
        cache: None,
    });
    let line_attrs = wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2];
    let line_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("hotspot lines"),
        layout: Some(&shaders.line_layout),
        vertex: wgpu::VertexState {
            module: &shaders.line_module,
            entry_point: Some("vs_line"),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<LineVertex>() as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &line_attrs,
            })],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample,
        fragment: Some(wgpu::FragmentState {
            module: &shaders.line_module,
            entry_point: Some("fs_line"),
            compilation_options: Default::default(),
            targets: &targets,
        }),
        multiview_mask: None,
        cache: None,
    });
    Pipelines {
        samples,
        cells: cell_pipeline,
        lines: line_pipeline,
    }
}

/// wgpu rejects zero-sized buffers; empty contents become 4 zero bytes.
fn nonempty(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() {
        &[0, 0, 0, 0]
    } else {
        bytes
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
