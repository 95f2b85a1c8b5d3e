//! Shaders, uniforms and pipeline state of the map's two draws: cells (value buffer → palette
//! LUT, flat per-vertex colour) and lines (context layers, outlines).

use crate::context::LineVertex;
use crate::geometry::CellVertex;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct ViewUniform {
    pub(super) offset: [f32; 2],
    pub(super) half_size: [f32; 2],
    pub(super) px_per_m: f32,
    pub(super) outline_px: f32,
    pub(super) opacity: f32,
    pub(super) srgb_target: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct StyleUniform {
    pub(super) no_data: [f32; 4],
    pub(super) background: [f32; 4],
    pub(super) hover_slot: u32,
    pub(super) selected_slot: u32,
    pub(super) mode: u32,
    pub(super) n_breaks: u32,
    pub(super) lo: f32,
    pub(super) hi: f32,
    pub(super) log_span: f32,
    pub(super) dim_alpha: f32,
    pub(super) breaks: [[f32; 4]; 4],
    /// Timeline playback: frames a and b, the mix between them, and whether it is on
    /// (bit 0) and a zero count means no data (bit 1).
    pub(super) tl_a: u32,
    pub(super) tl_b: u32,
    pub(super) tl_t: f32,
    pub(super) tl_flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct LineUniform {
    pub(super) offset: [f32; 2],
    pub(super) half_size: [f32; 2],
    pub(super) px_per_m: f32,
    pub(super) half_width_px: f32,
    pub(super) srgb_target: u32,
    pub(super) _pad: u32,
    pub(super) color: [f32; 4],
}

pub(super) fn blend() -> wgpu::BlendState {
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

pub(super) fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
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

pub(super) fn storage_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
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

pub(super) struct Shaders {
    pub(super) cell_module: wgpu::ShaderModule,
    pub(super) line_module: wgpu::ShaderModule,
    pub(super) cell_layout: wgpu::PipelineLayout,
    pub(super) line_layout: wgpu::PipelineLayout,
}

pub(super) struct Pipelines {
    pub(super) samples: u32,
    pub(super) cells: wgpu::RenderPipeline,
    /// Cells blended over what is under them (a basemap) instead of mixed with the
    /// background colour in the shader.
    pub(super) cells_blended: wgpu::RenderPipeline,
    pub(super) lines: wgpu::RenderPipeline,
}

pub(super) fn build_pipelines(
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
    let cell_pipeline_for = |label: &str, targets: &[Option<wgpu::ColorTargetState>]| {
        device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(label),
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
                targets,
            }),
            multiview_mask: None,
            cache: None,
        })
    };
    let cell_pipeline = cell_pipeline_for("hotspot cells", &cell_targets);
    let cells_blended = cell_pipeline_for("hotspot cells over a basemap", &targets);
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
        cells_blended,
        lines: line_pipeline,
    }
}

/// wgpu rejects zero-sized buffers; empty contents become 4 zero bytes.
pub(super) fn nonempty(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() {
        &[0, 0, 0, 0]
    } else {
        bytes
    }
}
