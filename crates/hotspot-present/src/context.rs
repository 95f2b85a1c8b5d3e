//! The context layers (city footprint, district and community-area outlines with names) of a
//! lake, dissolved by the renderer from the cells the scope engine picks.

use hotspot_render::{ContextLayers, RenderError};
use hotspot_scope::{Engine, ScopeError};

/// Why the context layers could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error("cannot build the district outlines: {0}")]
    Render(#[from] RenderError),
}

/// The context layers of `engine`'s lake: [`Engine::context_cells`] dissolved by
/// [`ContextLayers::from_cells`].
pub fn context_layers(engine: &Engine) -> Result<ContextLayers, ContextError> {
    let cells = engine.context_cells()?;
    Ok(ContextLayers::from_cells(&cells)?)
}
