//! A headless GPU for tests: the software adapter when there is one (deterministic pixels for
//! snapshots), else any. Tests that draw are `#[ignore = "needs a GPU adapter …"]`, so
//! [`headless`] panics with the reason when none answers.

use hotspot_render::gpu::AdapterPreference;
use hotspot_render::{Headless, HeadlessOptions};

/// A headless renderer with `msaa` samples (1 or 4).
///
/// # Panics
/// When no adapter can be opened: install one (on Linux `apt-get install mesa-vulkan-drivers
/// libvulkan1` gives the lavapipe software adapter).
pub fn headless(msaa: u32) -> Headless {
    Headless::new(HeadlessOptions {
        msaa,
        adapter: AdapterPreference::Software,
    })
    .unwrap_or_else(|e| panic!("this test needs a GPU adapter: {e}"))
}
