//! hotspot-tiles brings users' raster basemaps under the map: XYZ tiles from a URL template
//! they set (`https://…/{z}/{x}/{y}.png`), never from a server of ours and never unless they
//! set one. It checks the template ([`TileSource`]), fetches tiles on a few background threads
//! newest-request-first and politely ([`TileFetcher`]: User-Agent, a small concurrency limit,
//! the source's maximum zoom, retries with backoff, a cool-down for failing tiles), keeps what
//! it fetched in a bounded disk cache so the map works offline afterwards ([`DiskCache`]), and
//! decodes PNG and JPEG to RGBA within a size bound ([`decode`]).
//!
//! It knows nothing of the renderer or the window: it takes tile addresses
//! ([`hotspot_core::tile::TileId`]) and hands back pixels through a callback. The console
//! wires that to its event loop and `hotspot render` waits on it ([`fetch_all`]).

pub mod cache;
pub mod decode;
mod error;
pub mod fetcher;
pub mod source;

pub use cache::DiskCache;
pub use decode::{TileImage, decode};
pub use error::TileError;
pub use fetcher::{
    FetchOptions, FetchStats, Origin, TileEvent, TileFetcher, fetch_all, user_agent,
};
pub use source::{DEFAULT_MAX_ZOOM, TileSource};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
