//! Finding a GPU: hardware when there is one, the software rasteriser (lavapipe) otherwise,
//! with the adapter's real limits so large frames (8K) work wherever the hardware allows.

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

impl Gpu {
    /// Finds an adapter that can run the renderer (vertex-stage storage buffers) and opens a
    /// device with the adapter's own limits. `WGPU_BACKEND` and friends are honoured.
    pub fn new(pref: AdapterPreference) -> Result<Self, RenderError> {
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
                let caps = a.get_downlevel_capabilities();
                let limits = a.limits();
                let ok = caps.flags.contains(wgpu::DownlevelFlags::VERTEX_STORAGE)
                    && limits.max_storage_buffers_per_shader_stage >= 2;
                seen.push(format!(
                    "{} ({:?}, {:?}{})",
                    info.name,
                    info.backend,
                    info.device_type,
                    if ok {
                        ""
                    } else {
                        ", no vertex storage buffers"
                    }
                ));
                if ok {
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
        let info = adapter.get_info();
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hotspot-render"),
            required_features: wgpu::Features::empty(),
            required_limits: limits,
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

    /// "llvmpipe (LLVM 15.0.6, 256 bits) · Vulkan · Cpu".
    pub fn describe(&self) -> String {
        let i = self.info();
        format!("{} · {:?} · {:?}", i.name, i.backend, i.device_type)
    }
}
