//! Values on the map: the per-slot value and flag buffers of each resolution's layer, the
//! colour domain over them, and exact CPU picking.

use std::sync::Arc;

use glam::DVec2;

use super::MapRenderer;
use super::style::OutsideScope;
use crate::RenderError;
use crate::geometry::CellGeometry;
use crate::palette::{Domain, DomainMode, ValueKind, quantile_breaks};

/// Value bits that mean "no data" (a NaN pattern never produced by arithmetic).
pub const NO_DATA_BITS: u32 = 0xffff_ffff;
/// Flag: the cell is not drawn.
pub const FLAG_HIDDEN: u32 = 1;
/// Flag: the cell is drawn faded (outside the drill scope).
pub const FLAG_DIM: u32 = 2;
/// Most quantile breakpoints the shader takes (so at most 17 classes).
pub const MAX_BREAKS: usize = 16;

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

pub(super) struct Layer {
    pub(super) geom: Arc<CellGeometry>,
    pub(super) vbuf: wgpu::Buffer,
    pub(super) ibuf: wgpu::Buffer,
    pub(super) lod_vbuf: wgpu::Buffer,
    pub(super) lod_ibuf: wgpu::Buffer,
    pub(super) values_buf: wgpu::Buffer,
    pub(super) flags_buf: wgpu::Buffer,
    /// Every frame of a timeline, frame-major in slot order (a 4-byte stand-in without one).
    pub(super) timeline_buf: wgpu::Buffer,
    pub(super) bind_group: wgpu::BindGroup,
    pub(super) values: Vec<u32>,
    pub(super) flags: Vec<u32>,
    pub(super) mapping_cells: Vec<u64>,
    pub(super) mapping: Vec<u32>,
    pub(super) min: f32,
    pub(super) max: f32,
    pub(super) with_data: usize,
    pub(super) breaks: Option<Vec<f32>>,
    /// The automatic range for [`MapRenderer::set_value_kind`], cached.
    pub(super) range: Option<(f32, f32)>,
    /// The timeline's values as uploaded (for picking), and its frame count (0: none).
    pub(super) timeline: Vec<u32>,
    pub(super) timeline_frames: usize,
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

impl MapRenderer {
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

    pub(super) fn finish_values(
        layer: &mut Layer,
        queue: &wgpu::Queue,
        min: f32,
        max: f32,
        n: usize,
    ) {
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
        let bits = match self.timeline_position(res) {
            Some((a, b, t)) => super::timeline::mix_bits(
                layer
                    .timeline
                    .get(a * layer.values.len() + slot as usize)
                    .copied(),
                layer
                    .timeline
                    .get(b * layer.values.len() + slot as usize)
                    .copied(),
                t,
                self.timeline_zero_is_empty,
            ),
            None => layer
                .values
                .get(slot as usize)
                .copied()
                .unwrap_or(NO_DATA_BITS),
        };
        Some(Pick {
            cell,
            res,
            slot,
            value: (bits != NO_DATA_BITS).then(|| f32::from_bits(bits)),
            lat,
            lon,
        })
    }
}
