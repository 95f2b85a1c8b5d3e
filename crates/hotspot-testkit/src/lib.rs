//! hotspot-testkit holds what Hotspot's tests share, so no library exports test fixtures and no
//! test binary copies another's set-up: where the real sample is ([`sample`]), its lake built
//! once per test binary, lakes generated from the synthetic city ([`lakes`]), a headless GPU
//! ([`gpu`]), coverages for renderer tests ([`coverage`]), snapshot comparison
//! ([`snapshot`]), shrink-and-read legibility checks ([`legibility`]) and a tile server on
//! 127.0.0.1 ([`tileserver`]). It is a dev-dependency only and never published.
//!
//! A test that needs something the machine may lack (the real sample in `../shared`, a GPU
//! adapter, a display) is marked `#[ignore = "needs …"]`, so a plain `cargo test` lists it as
//! ignored with the reason instead of passing silently; CI (and the README's test command)
//! runs `--include-ignored`, and the helpers here panic with the reason when what the test
//! needs is missing.

pub mod coverage;
pub mod display;
pub mod gpu;
pub mod lakes;
pub mod legibility;
pub mod sample;
pub mod snapshot;
pub mod tileserver;

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
