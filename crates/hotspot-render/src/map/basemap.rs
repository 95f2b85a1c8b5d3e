//! Raster basemap tiles on the GPU: resident tile textures (least recently drawn evicted past
//! [`TILE_CAPACITY`]), the plan of what to draw for the camera (each tile in view, or while it
//! is missing the part of a resident ancestor that covers it, or its resident children),
//! and one instanced quad per drawn tile, under everything else.

use std::collections::HashMap;

use hotspot_core::tile::TileId;
use wgpu::util::DeviceExt;

use super::MapRenderer;
use super::pipelines::{blend, uniform_entry};
use crate::RenderError;
use crate::basemap::{TILE_CAPACITY, tile_rect_m, tiles_for_view, view_zoom};

const TILE_SHADER: &str = include_str!("../../../../shaders/tiles.wgsl");

/// The largest tile side accepted.
pub const MAX_TILE_SIDE: u32 = 1024;
/// How many zoom levels up a missing tile looks for a stand-in.
const ANCESTOR_LEVELS: u8 = 6;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct TileView {
    half_size: [f32; 2],
    px_per_m: f32,
    srgb_target: u32,
    dim: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct TileInstance {
    rect: [f32; 4],
    uv: [f32; 4],
}

struct Resident {
    bind_group: wgpu::BindGroup,
    last_drawn: u64,
}

/// Draw statistics of the basemap in the last prepared frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BasemapStats {
    /// The tile zoom of the view.
    pub zoom: u8,
    /// Tiles the view needs at that zoom.
    pub wanted: usize,
    /// Of those, drawn from their own texture.
    pub exact: usize,
    /// Drawn from an ancestor's or children's texture while their own is missing.
    pub stand_ins: usize,
    /// Resident tile textures.
    pub resident: usize,
}

pub(super) struct BasemapGpu {
    pub(super) max_zoom: u8,
    layout: wgpu::PipelineLayout,
    module: wgpu::ShaderModule,
    tile_bgl: wgpu::BindGroupLayout,
    view_buf: wgpu::Buffer,
    globals: wgpu::BindGroup,
    pipelines: Vec<(u32, wgpu::RenderPipeline)>,
    tiles: HashMap<TileId, Resident>,
    clock: u64,
    instances: wgpu::Buffer,
    /// (tile whose texture is drawn, instance index) of the last prepared frame.
    draws: Vec<TileId>,
    pub(super) stats: BasemapStats,
}

impl BasemapGpu {
    pub(super) fn new(device: &wgpu::Device, max_zoom: u8) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("tiles.wgsl"),
            source: wgpu::ShaderSource::Wgsl(TILE_SHADER.into()),
        });
        let globals_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hotspot tile globals"),
            entries: &[
                uniform_entry(0, wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let tile_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("hotspot tile"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: true },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("hotspot tiles"),
            bind_group_layouts: &[Some(&globals_bgl), Some(&tile_bgl)],
            immediate_size: 0,
        });
        let view_buf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hotspot tile view"),
            size: std::mem::size_of::<TileView>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("hotspot tile sampler"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let globals = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("hotspot tile globals"),
            layout: &globals_bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
            ],
        });
        let instances = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("hotspot tile instances"),
            size: (std::mem::size_of::<TileInstance>() * TILE_CAPACITY * 2) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            max_zoom,
            layout,
            module,
            tile_bgl,
            view_buf,
            globals,
            pipelines: Vec::new(),
            tiles: HashMap::new(),
            clock: 0,
            instances,
            draws: Vec::new(),
            stats: BasemapStats::default(),
        }
    }

    fn pipeline(
        &mut self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        samples: u32,
    ) -> usize {
        if let Some(i) = self.pipelines.iter().position(|p| p.0 == samples) {
            return i;
        }
        let attrs = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4];
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("hotspot tiles"),
            layout: Some(&self.layout),
            vertex: wgpu::VertexState {
                module: &self.module,
                entry_point: Some("vs_tile"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<TileInstance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attrs,
                })],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: wgpu::MultisampleState {
                count: samples,
                mask: !0,
                alpha_to_coverage_enabled: false,
            },
            fragment: Some(wgpu::FragmentState {
                module: &self.module,
                entry_point: Some("fs_tile"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(blend()),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        self.pipelines.push((samples, pipeline));
        self.pipelines.len() - 1
    }

    /// The resident tile whose texture best stands in for `tile`, and where `tile` lies in it.
    fn stand_in(&self, tile: TileId) -> Option<(TileId, [f64; 4])> {
        (1..=ANCESTOR_LEVELS.min(tile.z)).find_map(|up| {
            let a = tile.ancestor(tile.z - up)?;
            self.tiles
                .contains_key(&a)
                .then(|| (a, tile.within(a).unwrap_or([0.0, 0.0, 1.0, 1.0])))
        })
    }
}

impl MapRenderer {
    /// Draws raster basemap tiles under the cells (tiles deeper than `max_zoom` are never
    /// asked for: deeper views enlarge those), or none (`None`, which frees them). With a
    /// basemap the cells are blended over it at the cell opacity instead of over the
    /// background colour.
    pub fn set_basemap(&mut self, max_zoom: Option<u8>) {
        match (max_zoom, &mut self.basemap) {
            (None, b) => *b = None,
            (Some(z), Some(b)) => b.max_zoom = z,
            (Some(z), b) => *b = Some(BasemapGpu::new(&self.device, z)),
        }
        self.dirty = true;
    }

    /// Whether a basemap is on.
    pub fn has_basemap(&self) -> bool {
        self.basemap.is_some()
    }

    /// The tiles the current view needs and does not hold, nearest the centre first (empty
    /// without a basemap). Ask for these; hand what arrives to [`MapRenderer::insert_tile`].
    pub fn wanted_tiles(&self) -> Vec<TileId> {
        let Some(b) = &self.basemap else {
            return Vec::new();
        };
        tiles_for_view(&self.camera, b.max_zoom)
            .into_iter()
            .filter(|t| !b.tiles.contains_key(t))
            .collect()
    }

    /// Uploads one tile (`width × height` RGBA8, sRGB-encoded, rows from the north). The
    /// tiles drawn least recently are let go past [`TILE_CAPACITY`]. Ignored without a
    /// basemap.
    pub fn insert_tile(
        &mut self,
        tile: TileId,
        width: u32,
        height: u32,
        rgba: &[u8],
    ) -> Result<(), RenderError> {
        let Some(b) = &mut self.basemap else {
            return Ok(());
        };
        if width == 0 || height == 0 || width > MAX_TILE_SIDE || height > MAX_TILE_SIDE {
            return Err(RenderError::Tile(format!(
                "{tile}: {width}×{height} pixels (1–{MAX_TILE_SIDE} a side)"
            )));
        }
        if rgba.len() != (width * height * 4) as usize {
            return Err(RenderError::Tile(format!(
                "{tile}: {} bytes for {width}×{height} RGBA",
                rgba.len()
            )));
        }
        while b.tiles.len() >= TILE_CAPACITY {
            let Some(oldest) = b
                .tiles
                .iter()
                .min_by_key(|(_, r)| r.last_drawn)
                .map(|(t, _)| *t)
            else {
                break;
            };
            b.tiles.remove(&oldest);
        }
        let texture = self.device.create_texture_with_data(
            &self.queue,
            &wgpu::TextureDescriptor {
                label: Some("hotspot tile"),
                size: wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            },
            wgpu::util::TextureDataOrder::LayerMajor,
            rgba,
        );
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("hotspot tile"),
            layout: &b.tile_bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&view),
            }],
        });
        b.tiles.insert(
            tile,
            Resident {
                bind_group,
                // Not drawn yet: older than what the last frame drew, so a burst of arrivals
                // never pushes out the tiles on screen.
                last_drawn: b.clock.saturating_sub(1),
            },
        );
        self.dirty = true;
        Ok(())
    }

    /// Lets every resident tile go (a new source), keeping the basemap on.
    pub fn clear_tiles(&mut self) {
        if let Some(b) = &mut self.basemap {
            b.tiles.clear();
            b.draws.clear();
            self.dirty = true;
        }
    }

    /// Basemap statistics of the last prepared frame.
    pub fn basemap_stats(&self) -> Option<BasemapStats> {
        self.basemap.as_ref().map(|b| b.stats)
    }

    /// Plans the basemap for the camera and writes its uniform and instances.
    pub(super) fn prepare_basemap(&mut self) {
        let samples = self.sample_count();
        let (device, format, queue) = (&self.device, self.format, &self.queue);
        let cam = &self.camera;
        let dark = self.theme == super::Theme::Dark;
        let bg = super::style::rgba_f(self.theme.background());
        let Some(b) = &mut self.basemap else {
            return;
        };
        b.pipeline(device, format, samples);
        b.clock += 1;
        let wanted = tiles_for_view(cam, b.max_zoom);
        let mut instances = Vec::with_capacity(wanted.len());
        let mut draws = Vec::with_capacity(wanted.len());
        let mut stats = BasemapStats {
            zoom: view_zoom(cam, b.max_zoom),
            wanted: wanted.len(),
            ..BasemapStats::default()
        };
        let rect_of = |t: TileId| {
            let (sw, ne) = tile_rect_m(t);
            let (a, c) = (sw - cam.center, ne - cam.center);
            [a.x as f32, c.y as f32, c.x as f32, a.y as f32]
        };
        for t in &wanted {
            if b.tiles.contains_key(t) {
                instances.push(TileInstance {
                    rect: rect_of(*t),
                    uv: [0.0, 0.0, 1.0, 1.0],
                });
                draws.push(*t);
                stats.exact += 1;
            } else if let Some((a, uv)) = b.stand_in(*t) {
                instances.push(TileInstance {
                    rect: rect_of(*t),
                    uv: uv.map(|v| v as f32),
                });
                draws.push(a);
                stats.stand_ins += 1;
            } else {
                // Zoomed out past what has arrived: the children that are here.
                let (cz, cx, cy) = (t.z + 1, t.x * 2, t.y * 2);
                let children = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .into_iter()
                    .filter_map(|(dx, dy)| TileId::new(cz, cx + dx, cy + dy))
                    .filter(|c| b.tiles.contains_key(c))
                    .collect::<Vec<_>>();
                if !children.is_empty() {
                    stats.stand_ins += 1;
                }
                for c in children {
                    instances.push(TileInstance {
                        rect: rect_of(c),
                        uv: [0.0, 0.0, 1.0, 1.0],
                    });
                    draws.push(c);
                }
            }
        }
        instances.truncate(TILE_CAPACITY * 2);
        draws.truncate(TILE_CAPACITY * 2);
        for t in &draws {
            if let Some(r) = b.tiles.get_mut(t) {
                r.last_drawn = b.clock;
            }
        }
        queue.write_buffer(&b.instances, 0, bytemuck::cast_slice(&instances));
        let view = TileView {
            half_size: [cam.width as f32 * 0.5, cam.height as f32 * 0.5],
            px_per_m: cam.px_per_m() as f32,
            srgb_target: u32::from(format.is_srgb()),
            dim: [bg[0], bg[1], bg[2], if dark { 0.55 } else { 0.0 }],
        };
        queue.write_buffer(&b.view_buf, 0, bytemuck::bytes_of(&view));
        stats.resident = b.tiles.len();
        b.stats = stats;
        b.draws = draws;
    }

    /// Records the basemap's draws (first in the pass: everything else goes over it).
    pub(super) fn paint_basemap(&self, pass: &mut wgpu::RenderPass<'_>) {
        let Some(b) = &self.basemap else {
            return;
        };
        let samples = self.sample_count();
        let Some((_, pipeline)) = b.pipelines.iter().find(|p| p.0 == samples) else {
            return;
        };
        if b.draws.is_empty() {
            return;
        }
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &b.globals, &[]);
        pass.set_vertex_buffer(0, b.instances.slice(..));
        for (i, t) in b.draws.iter().enumerate() {
            if let Some(r) = b.tiles.get(t) {
                let i = i as u32;
                pass.set_bind_group(1, &r.bind_group, &[]);
                pass.draw(0..4, i..i + 1);
            }
        }
    }
}
