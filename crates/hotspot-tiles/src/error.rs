//! What can go wrong with a tile source or a tile.

use thiserror::Error;

/// An error of the tile client.
#[derive(Debug, Error)]
pub enum TileError {
    /// The URL template cannot be used (says why).
    #[error("tile URL template {template:?}: {reason}")]
    Template { template: String, reason: String },
    /// The server answered with a status that is not a tile.
    #[error("HTTP {status} for {url}")]
    Http { url: String, status: u16 },
    /// The request did not complete (refused, timed out, TLS, body too large).
    #[error("{url}: {detail}")]
    Network { url: String, detail: String },
    /// The body is not an image we can draw.
    #[error("{url}: not a usable tile image ({detail})")]
    Image { url: String, detail: String },
    /// Offline and not in the cache.
    #[error("{tile} is not in the offline cache")]
    NotCached { tile: String },
    /// The disk cache could not be read or written.
    #[error("tile cache {path}: {source}")]
    Cache {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
