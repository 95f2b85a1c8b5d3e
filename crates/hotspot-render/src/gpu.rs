//! Finding a GPU: hardware when there is one, the software rasteriser (lavapipe) otherwise,
//! with the adapter's real limits so large frames (8K) work wherever the hardware allows.
//! [`Gpu::headless`] opens one for offscreen frames, [`Gpu::for_surface`] one that can present
//! to a window's surface; both check that the adapter can run the renderer.

use std::sync::Arc;

use crate::RenderError;

/// Which adapter to prefer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum AdapterPreference {
    /// A discrete or integrated GPU if there is one, else a software adapter.
    #[default]
    Hardware,
    /// A software (CPU) adapter if there is one (deterministic output for snapshots).
    Software,
}

/// An adapter, device and queue.
pub struct Gpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
}

fn rank(info: &wgpu::AdapterInfo, pref: AdapterPreference) -> (u8, u8) {
    let kind = match (info.device_type, pref) {
        (wgpu::DeviceType::Cpu, AdapterPreference::Software) => 0,
        (wgpu::DeviceType::DiscreteGpu, AdapterPreference::Hardware) => 0,
        (wgpu::DeviceType::IntegratedGpu, AdapterPreference::Hardware) => 1,
        (wgpu::DeviceType::Cpu, AdapterPreference::Hardware) => 3,
        _ => 2,
    };
    let backend = match info.backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        wgpu::Backend::Gl => 1,
        _ => 2,
    };
    (kind, backend)
}

/// Why an adapter cannot run the renderer (`None`: it can). The cell shader reads values and
/// flags from storage buffers in the vertex stage.
fn unsupported(adapter: &wgpu::Adapter) -> Option<&'static str> {
    let caps = adapter.get_downlevel_capabilities();
    let limits = adapter.limits();
    let ok = caps.flags.contains(wgpu::DownlevelFlags::VERTEX_STORAGE)
        && limits.max_storage_buffers_per_shader_stage >= 2;
    (!ok).then_some("no storage buffers in vertex shaders")
}

impl Gpu {
    /// Finds an adapter for offscreen rendering and opens a device with the adapter's own
    /// limits. `WGPU_BACKEND` and friends are honoured.
    pub fn headless(pref: AdapterPreference) -> Result<Self, RenderError> {
        let mut seen = Vec::new();
        let mut usable: Vec<wgpu::Adapter> = Vec::new();
        let mut instance = None;
        // Vulkan / Metal / DX12 first; OpenGL only when none of those has a usable adapter
        // (creating a GL instance probes EGL / Wayland, which complains on headless machines).
        for backends in [wgpu::Backends::PRIMARY, wgpu::Backends::SECONDARY] {
            if !usable.is_empty() {
                break;
            }
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            desc.backends &= backends;
            desc.backends.remove(wgpu::Backends::BROWSER_WEBGPU);
            if desc.backends.is_empty() {
                continue;
            }
            let inst = wgpu::Instance::new(desc);
            let adapters = pollster::block_on(inst.enumerate_adapters(backends));
            instance = Some(inst);
            for a in adapters {
                let info = a.get_info();
                if info.backend == wgpu::Backend::Noop {
                    continue;
                }
                let why = unsupported(&a);
                seen.push(format!(
                    "{} ({:?}, {:?}{})",
                    info.name,
                    info.backend,
                    info.device_type,
                    why.map(|w| format!(", {w}")).unwrap_or_default()
                ));
                if why.is_none() {
                    usable.push(a);
                }
            }
        }
        usable.sort_by_key(|a| rank(&a.get_info(), pref));
        let (Some(adapter), Some(instance)) = (usable.into_iter().next(), instance) else {
            return Err(RenderError::NoAdapter {
                detail: if seen.is_empty() {
                    "no Vulkan, Metal, DirectX 12 or OpenGL driver answered".into()
                } else {
                    format!("none usable among {}", seen.join("; "))
                },
            });
        };
        Self::open(instance, adapter, "hotspot-render")
    }

    /// Finds an adapter that can present to `surface` (created from `instance`) and opens a
    /// device on it.
    pub fn for_surface(
        instance: wgpu::Instance,
        surface: &wgpu::Surface<'_>,
    ) -> Result<Self, RenderError> {
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: Some(surface),
            apply_limit_buckets: false,
        }))
        .map_err(|e| RenderError::NoAdapter {
            detail: format!("none can draw to this window: {e}"),
        })?;
        if let Some(why) = unsupported(&adapter) {
            return Err(RenderError::Unsupported {
                adapter: adapter.get_info().name,
                detail: why.into(),
            });
        }
        Self::open(instance, adapter, "hotspot-window")
    }

    fn open(
        instance: wgpu::Instance,
        adapter: wgpu::Adapter,
        label: &'static str,
    ) -> Result<Self, RenderError> {
        let info = adapter.get_info();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some(label),
            required_features: wgpu::Features::empty(),
            required_limits: adapter.limits(),
            ..Default::default()
        }))
        .map_err(|e| RenderError::Device {
            adapter: info.name.clone(),
            detail: e.to_string(),
        })?;
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            tracing::error!("wgpu: {e}");
        }));
        tracing::debug!(adapter = %info.name, backend = ?info.backend, kind = ?info.device_type, "GPU ready");
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
        })
    }

    /// Adapter name, backend and kind.
    pub fn info(&self) -> wgpu::AdapterInfo {
        self.adapter.get_info()
    }

    /// Whether this is a software adapter.
    pub fn is_software(&self) -> bool {
        self.info().device_type == wgpu::DeviceType::Cpu
    }

    /// The largest texture side the device allows.
    pub fn max_texture_side(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    /// The MSAA sample count to use for `format`: `requested` (1 or 4) where the adapter can
    /// multisample that format 4×, else 1.
    pub fn msaa_for(&self, format: wgpu::TextureFormat, requested: u32) -> u32 {
        let x4 = self
            .adapter
            .get_texture_format_features(format)
            .flags
            .contains(wgpu::TextureFormatFeatureFlags::MULTISAMPLE_X4);
        if requested >= 4 && x4 { 4 } else { 1 }
    }

    /// The sample count for interactive maps: 4× on hardware, 1× on a software adapter, where
    /// 4× MSAA costs more than the whole frame.
    pub fn interactive_msaa(&self, format: wgpu::TextureFormat) -> u32 {
        if self.is_software() {
            1
        } else {
            self.msaa_for(format, 4)
        }
    }

    /// Waits until the GPU has finished `index` (or everything submitted), for at most
    /// `timeout`.
    pub fn wait(
        &self,
        index: Option<wgpu::SubmissionIndex>,
        timeout: std::time::Duration,
    ) -> Result<(), RenderError> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: index,
                timeout: Some(timeout),
            })
            .map(|_| ())
            .map_err(|e| RenderError::Gpu(e.to_string()))
    }

    /// "llvmpipe (LLVM 15.0.6, 256 bits) · Vulkan · Cpu".
    pub fn describe(&self) -> String {
        let i = self.info();
        format!("{} · {:?} · {:?}", i.name, i.backend, i.device_type)
    }
}
