//! Drawing a frame: what changed since the last one, the uniforms and culling of
//! [`MapRenderer::prepare`], the draws of [`MapRenderer::paint`], and a whole map pass
//! ([`MapRenderer::render`]).

use super::pipelines::{LineUniform, StyleUniform, ViewUniform};
use super::style::{Outlines, rgba_f};
use super::values::MAX_BREAKS;
use super::{FrameStats, GpuMesh, MapRenderer};
use crate::palette::DomainMode;

impl MapRenderer {
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
            let mut bg = rgba_f(self.theme.background());
            // Over a basemap the shader leaves colours unmixed (alpha 0 says so) and the
            // blended pipeline lays them over the tiles.
            if self.basemap.is_some() {
                bg[3] = 0.0;
            }
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
                tl_a: 0,
                tl_b: 0,
                tl_t: 0.0,
                tl_flags: 0,
            };
            let mut style = style;
            if let Some((a, b, t)) = self.active.and_then(|r| self.timeline_position(r)) {
                style.tl_a = a as u32;
                style.tl_b = b as u32;
                style.tl_t = t;
                style.tl_flags = 1 | if self.timeline_zero_is_empty { 2 } else { 0 };
            }
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
        if v.wards
            && let Some(m) = &g.wards
        {
            self.write_line_uniform(m, 0.5 * sf, [fg[0], fg[1], fg[2], 0.5]);
        }
        if v.beats
            && let Some(m) = &g.beats
        {
            self.write_line_uniform(m, 0.35 * sf, [fg[0], fg[1], fg[2], 0.4]);
        }
        if v.streets {
            // A halo in the background colour under a thin line in the foreground colour, so
            // streets read over any cell colour; arterials a little wider.
            let bg = rgba_f(theme.background());
            let halo = [bg[0], bg[1], bg[2], 0.55];
            let line = [fg[0], fg[1], fg[2], 0.7];
            for (mesh, half, colour) in [
                (&g.arterial_halo, 1.9, halo),
                (&g.arterial, 0.85, line),
                (&g.minor_halo, 1.4, halo),
                (&g.minor, 0.5, line),
            ] {
                if let Some(m) = mesh {
                    self.write_line_uniform(m, half * sf, colour);
                }
            }
        }
        if v.districts
            && let Some(m) = &g.districts
        {
            self.write_line_uniform(m, 0.8 * sf, [fg[0], fg[1], fg[2], 0.8]);
        }
        {
            // Users' layers in an accent colour the palettes do not use, over a halo.
            let o = &self.overlay_gpu;
            let bg = rgba_f(theme.background());
            let accent = theme.overlay();
            for (mesh, half, colour) in [
                (&o.line_halo, 2.4, [bg[0], bg[1], bg[2], 0.7]),
                (&o.lines, 1.1, accent),
                (&o.marker_halo, 5.5, [bg[0], bg[1], bg[2], 0.85]),
                (&o.markers, 4.0, accent),
            ] {
                if let Some(m) = mesh {
                    self.write_line_uniform(m, half * sf, colour);
                }
            }
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
        self.prepare_basemap();
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
        self.paint_basemap(pass);
        if v.footprint {
            self.draw_mesh(pass, g.footprint_fill.as_ref());
        }
        if let Some(layer) = self.active.and_then(|r| self.layers.get(&r))
            && !self.draw_ranges.is_empty()
        {
            let p = &self.pipelines[self.active_pipelines];
            pass.set_pipeline(if self.basemap.is_some() {
                &p.cells_blended
            } else {
                &p.cells
            });
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
        if v.streets {
            let (arterials, all) = self.street_tiers();
            if all {
                self.draw_mesh(pass, g.minor_halo.as_ref());
            }
            if arterials {
                self.draw_mesh(pass, g.arterial_halo.as_ref());
            }
            if all {
                self.draw_mesh(pass, g.minor.as_ref());
            }
            if arterials {
                self.draw_mesh(pass, g.arterial.as_ref());
            }
        }
        if v.community_areas {
            self.draw_mesh(pass, g.areas.as_ref());
        }
        if v.beats {
            self.draw_mesh(pass, g.beats.as_ref());
        }
        if v.wards {
            self.draw_mesh(pass, g.wards.as_ref());
        }
        if v.districts {
            self.draw_mesh(pass, g.districts.as_ref());
        }
        if v.footprint {
            self.draw_mesh(pass, g.footprint_line.as_ref());
        }
        let o = &self.overlay_gpu;
        for m in [&o.line_halo, &o.lines, &o.marker_halo, &o.markers] {
            self.draw_mesh(pass, m.as_ref());
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
}

impl MapRenderer {
    /// Draws the map twice side by side into one target: the shown resolution's timeline at
    /// frame 0 in the left half and frame 1 in the right, each half with the camera's centre
    /// and zoom, so a pan, a zoom or a drill moves both. Needs a timeline of two frames (two
    /// periods); the camera keeps its full size. Each half is its own submission, so the two
    /// uniform states never meet.
    pub fn render_side_by_side(
        &mut self,
        view: &wgpu::TextureView,
        resolve_target: Option<&wgpu::TextureView>,
    ) {
        let full = self.camera.clone();
        let half = (full.width / 2).max(1);
        let position = self.timeline_pos;
        for (i, frame) in [0.0f32, 1.0].into_iter().enumerate() {
            self.camera.width = half;
            self.timeline_pos = Some(frame);
            self.prepare();
            let mut encoder = self
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("hotspot side by side"),
                });
            {
                let last = i == 1;
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("hotspot map half"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view,
                        depth_slice: None,
                        // The whole target resolves once, after the right half.
                        resolve_target: if last { resolve_target } else { None },
                        ops: wgpu::Operations {
                            load: if i == 0 {
                                wgpu::LoadOp::Clear(self.clear_color())
                            } else {
                                wgpu::LoadOp::Load
                            },
                            store: if last && resolve_target.is_some() {
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
                let x = i as u32 * half;
                pass.set_viewport(x as f32, 0.0, half as f32, full.height as f32, 0.0, 1.0);
                pass.set_scissor_rect(x, 0, half.min(full.width - x), full.height);
                self.paint(&mut pass);
            }
            self.queue.submit([encoder.finish()]);
        }
        self.camera = full.clone();
        self.timeline_pos = position;
        self.last_camera = Some(full);
        self.dirty = false;
    }

    /// Runs `f` with the camera of one half of a side-by-side view (picking, labels).
    pub fn with_half_camera<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let full = self.camera.clone();
        self.camera.width = (full.width / 2).max(1);
        let out = f(self);
        self.camera = full;
        out
    }
}
