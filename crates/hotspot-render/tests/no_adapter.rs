#![allow(unsafe_code)] // edition 2024: setting the environment is unsafe; this binary has one test.
//! With no usable backend the renderer says what to install (its own process: it changes the
//! environment).

use hotspot_render::{Headless, HeadlessOptions, RenderError};

#[test]
fn no_adapter_error_names_the_fix() {
    // A backend this platform does not have: no adapter can be found.
    let other = if cfg!(target_os = "macos") {
        "dx12"
    } else {
        "metal"
    };
    // SAFETY: this test binary has a single test; nothing else reads the environment.
    unsafe { std::env::set_var("WGPU_BACKEND", other) };
    match Headless::new(HeadlessOptions::default()) {
        Err(e @ RenderError::NoAdapter { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("mesa-vulkan-drivers"), "{msg}");
            assert!(msg.contains("GPU driver"), "{msg}");
        }
        Err(e) => panic!("expected NoAdapter, got {e}"),
        Ok(h) => panic!(
            "found an adapter on a missing backend: {}",
            h.gpu.describe()
        ),
    }
}
