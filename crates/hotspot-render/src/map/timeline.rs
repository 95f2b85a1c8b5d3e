//! Timeline playback on the GPU: every frame of a timeline resident in one storage buffer
//! (frame-major, in the layer's slot order), and a position — a frame and the fraction of the
//! way to the next — that the cell shader mixes the two frames by. Playing costs a uniform
//! per frame, nothing else: no values are uploaded while the map moves through time.

use wgpu::util::DeviceExt;

use super::values::{NO_DATA_BITS, ValueUpdate};
use super::{MapRenderer, layer_bind_group};
use crate::RenderError;

/// The value between two frames' bits, as the shader computes it: mixed when both have
/// data, else the nearer frame's; with `zero_is_empty`, a zero is no data.
pub(super) fn mix_bits(a: Option<u32>, b: Option<u32>, t: f32, zero_is_empty: bool) -> u32 {
    let (a, b) = (a.unwrap_or(NO_DATA_BITS), b.unwrap_or(NO_DATA_BITS));
    let bits = if a == NO_DATA_BITS || b == NO_DATA_BITS {
        if t >= 0.5 { b } else { a }
    } else {
        let (x, y) = (f32::from_bits(a), f32::from_bits(b));
        (x + (y - x) * t).to_bits()
    };
    if zero_is_empty && bits != NO_DATA_BITS && f32::from_bits(bits) == 0.0 {
        NO_DATA_BITS
    } else {
        bits
    }
}

impl MapRenderer {
    /// Uploads a timeline for resolution `res`: `frames` frames of a value per cell of
    /// `cells`, frame-major (`values[f * cells.len() + i]`; NaN = no data). Coverage cells not
    /// listed have no data in any frame; listed cells outside the coverage are counted in the
    /// answer and ignored. With `zero_is_empty` (counts), a zero is drawn as no data, as a
    /// query's map leaves out cells without incidents. The buffer must fit the device's
    /// storage-buffer limit.
    pub fn set_timeline(
        &mut self,
        res: u8,
        cells: &[u64],
        frames: usize,
        values: &[f32],
        zero_is_empty: bool,
    ) -> Result<ValueUpdate, RenderError> {
        if frames == 0 || cells.len().checked_mul(frames) != Some(values.len()) {
            return Err(RenderError::LengthMismatch {
                cells: cells.len().saturating_mul(frames),
                values: values.len(),
            });
        }
        let limit = self.device.limits().max_storage_buffer_binding_size;
        let layer = self
            .layers
            .get_mut(&res)
            .ok_or(RenderError::NoCoverage(res))?;
        let slots = layer.values.len();
        let bytes = (slots as u64)
            .saturating_mul(frames as u64)
            .saturating_mul(4);
        if bytes > limit {
            return Err(RenderError::Timeline(format!(
                "{frames} frames × {slots} cells need {} MB; this GPU binds at most {} MB: \
                 use a longer step, a shorter span or a coarser resolution",
                bytes >> 20,
                limit >> 20
            )));
        }
        let mut mapping = Vec::new();
        layer.geom.slots_for(cells, &mut mapping);
        let mut update = ValueUpdate::default();
        let mut data = vec![NO_DATA_BITS; slots * frames];
        for (i, &slot) in mapping.iter().enumerate() {
            if slot == u32::MAX {
                update.unmatched += 1;
                continue;
            }
            update.matched += 1;
            for f in 0..frames {
                let v = values[f * cells.len() + i];
                if v.is_finite() {
                    data[f * slots + slot as usize] = v.to_bits();
                }
            }
        }
        let buf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("hotspot timeline"),
                contents: bytemuck::cast_slice(&data),
                usage: wgpu::BufferUsages::STORAGE,
            });
        layer.bind_group = layer_bind_group(
            &self.device,
            &self.layer_bgl,
            &layer.values_buf,
            &layer.flags_buf,
            &buf,
        );
        layer.timeline_buf = buf;
        layer.timeline = data;
        layer.timeline_frames = frames;
        self.timeline_zero_is_empty = zero_is_empty;
        self.dirty = true;
        Ok(update)
    }

    /// Drops every layer's timeline and shows the plain values again.
    pub fn clear_timeline(&mut self) {
        let device = &self.device;
        for layer in self.layers.values_mut() {
            if layer.timeline_frames == 0 {
                continue;
            }
            let stand_in = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("hotspot timeline"),
                contents: &[0, 0, 0, 0],
                usage: wgpu::BufferUsages::STORAGE,
            });
            layer.bind_group = layer_bind_group(
                device,
                &self.layer_bgl,
                &layer.values_buf,
                &layer.flags_buf,
                &stand_in,
            );
            layer.timeline_buf = stand_in;
            layer.timeline = Vec::new();
            layer.timeline_frames = 0;
        }
        self.timeline_pos = None;
        self.dirty = true;
    }

    /// Plays the shown resolution's timeline at `position` (frame index; the fraction mixes
    /// toward the next frame), or shows the plain values (`None`). Clamped to the frames.
    pub fn set_timeline_position(&mut self, position: Option<f32>) {
        let position = position.filter(|p| p.is_finite());
        if self.timeline_pos != position {
            self.timeline_pos = position;
            self.dirty = true;
        }
    }

    /// Frames of the shown resolution's timeline (0: none).
    pub fn timeline_frames(&self) -> usize {
        self.active
            .and_then(|r| self.layers.get(&r))
            .map_or(0, |l| l.timeline_frames)
    }

    /// (frame a, frame b, mix) for `res`, while its timeline plays.
    pub(super) fn timeline_position(&self, res: u8) -> Option<(usize, usize, f32)> {
        let p = self.timeline_pos?;
        let frames = self.layers.get(&res)?.timeline_frames;
        if frames == 0 {
            return None;
        }
        let p = p.clamp(0.0, (frames - 1) as f32);
        let a = p.floor() as usize;
        let b = (a + 1).min(frames - 1);
        Some((a, b, p - a as f32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_mix_and_no_data_steps() {
        let b = |v: f32| Some(v.to_bits());
        assert_eq!(f32::from_bits(mix_bits(b(2.0), b(6.0), 0.25, false)), 3.0);
        assert_eq!(
            mix_bits(b(2.0), Some(NO_DATA_BITS), 0.4, false),
            2.0f32.to_bits()
        );
        assert_eq!(
            mix_bits(b(2.0), Some(NO_DATA_BITS), 0.6, false),
            NO_DATA_BITS
        );
        assert_eq!(mix_bits(b(0.0), b(0.0), 0.5, true), NO_DATA_BITS);
        assert_eq!(f32::from_bits(mix_bits(b(0.0), b(4.0), 0.5, true)), 2.0);
        assert_eq!(mix_bits(None, None, 0.0, false), NO_DATA_BITS);
    }
}
