//! The context layers (city footprint, district and community-area outlines with names, the
//! street skeleton) of a lake: outlines dissolved by the renderer from the cells the scope
//! engine picks, streets as the lake's build derived them.

use hotspot_render::{AreaInput, ContextLayers, RenderError, StreetInput};
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
/// [`ContextLayers::from_cells`], with [`Engine::streets`] and the ward and beat outlines of
/// [`Engine::areas`].
pub fn context_layers(engine: &Engine) -> Result<ContextLayers, ContextError> {
    let cells = engine.context_cells()?;
    let streets = engine
        .streets()
        .iter()
        .map(|s| StreetInput {
            label: s.label.clone(),
            street: s.street.clone(),
            blocks: s.blocks(),
            incidents: s.incidents,
            points: s.points.clone(),
        })
        .collect();
    let areas = engine
        .areas()
        .iter()
        .map(|a| AreaInput {
            kind: a.kind.clone(),
            code: a.code,
            name: a.name.clone(),
            polygon: a.polygon,
            ring: a.ring,
            points: a.points.clone(),
        })
        .collect();
    Ok(ContextLayers::from_cells(&cells)?
        .with_streets(streets)
        .with_areas(areas))
}
