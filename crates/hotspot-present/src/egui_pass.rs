//! Drawing egui's output with egui-wgpu into any colour target: the console's window surface
//! (and its screenshots), and the overlay of headless frames. One path for both: apply
//! texture updates and tessellate ([`EguiPass::frame`]), upload buffers
//! ([`EguiPass::upload`]), record passes ([`EguiPass::draw`], as many targets as needed), then
//! free what egui released ([`EguiPass::end`]).

/// egui-wgpu's renderer for one colour format.
pub struct EguiPass {
    renderer: egui_wgpu::Renderer,
}

/// One egui frame, tessellated and ready to draw.
pub struct EguiFrame {
    prims: Vec<egui::ClippedPrimitive>,
    screen: egui_wgpu::ScreenDescriptor,
    free: Vec<egui::TextureId>,
}

impl EguiFrame {
    /// Clipped meshes in the frame (for logs).
    pub fn primitives(&self) -> usize {
        self.prims.len()
    }
}

impl EguiPass {
    /// A renderer for targets of `format`, single-sampled (egui anti-aliases by feathering).
    /// `dithering` smooths gradients on 8-bit targets; headless snapshots turn it off so they
    /// are reproducible.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat, dithering: bool) -> Self {
        Self {
            renderer: egui_wgpu::Renderer::new(
                device,
                format,
                egui_wgpu::RendererOptions {
                    msaa_samples: 1,
                    depth_stencil_format: None,
                    dithering,
                    predictable_texture_filtering: !dithering,
                },
            ),
        }
    }

    /// The egui-wgpu renderer (to register native textures such as the map's).
    pub fn renderer_mut(&mut self) -> &mut egui_wgpu::Renderer {
        &mut self.renderer
    }

    /// Applies egui's texture updates and tessellates `shapes` for a target of `size` physical
    /// pixels at `pixels_per_point`.
    #[allow(clippy::too_many_arguments)]
    pub fn frame(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        ctx: &egui::Context,
        shapes: Vec<egui::epaint::ClippedShape>,
        mut textures: egui::TexturesDelta,
        pixels_per_point: f32,
        size: [u32; 2],
    ) -> EguiFrame {
        for (id, deltas) in textures.set.drain() {
            for delta in &deltas {
                self.renderer.update_texture(device, queue, id, delta);
            }
        }
        EguiFrame {
            prims: ctx.tessellate(shapes, pixels_per_point),
            screen: egui_wgpu::ScreenDescriptor {
                size_in_pixels: size,
                pixels_per_point,
            },
            free: textures.free.drain().collect(),
        }
    }

    /// Uploads the frame's vertex and index buffers; returns command buffers to submit before
    /// `encoder`'s.
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        frame: &EguiFrame,
    ) -> Vec<wgpu::CommandBuffer> {
        self.renderer
            .update_buffers(device, queue, encoder, &frame.prims, &frame.screen)
    }

    /// Records a pass drawing the frame into `view`: cleared to `clear`, or over what is there
    /// when `None`.
    pub fn draw(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        view: &wgpu::TextureView,
        frame: &EguiFrame,
        clear: Option<wgpu::Color>,
    ) {
        let mut pass = encoder
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("hotspot egui"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: clear.map_or(wgpu::LoadOp::Load, wgpu::LoadOp::Clear),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            })
            .forget_lifetime();
        self.renderer.render(&mut pass, &frame.prims, &frame.screen);
    }

    /// Frees the textures egui released in this frame (drawn or not).
    pub fn end(&mut self, frame: EguiFrame) {
        for id in &frame.free {
            self.renderer.free_texture(id);
        }
    }
}
