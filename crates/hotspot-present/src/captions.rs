//! The words around a picture of a scope: its title, subtitle and selection summary, as the
//! headless render and the wall show them.

use hotspot_core::res;
use hotspot_scope::ScopeResult;

/// " · Violent, Property" (categories), " · THEFT" (a few types), " · 12 offence types", or
/// nothing when no selection is active.
pub fn selection_text(result: &ScopeResult) -> String {
    if !result.selection_active {
        return String::new();
    }
    let categories = &result.scope.selection.categories;
    let types = &result.selected_types;
    if !categories.is_empty() && result.scope.selection.types.is_empty() {
        format!(" · {}", categories.join(", "))
    } else if types.len() <= 3 {
        format!(" · {}", types.join(", "))
    } else {
        format!(" · {} offence types", types.len())
    }
}

/// "Street-scale · Near North Side": the resolution's name and the drilled place (or
/// "Citywide").
pub fn title(result: &ScopeResult) -> String {
    let focus = result
        .drill
        .breadcrumbs
        .last()
        .map_or("Citywide", |c| c.label.as_str());
    format!("{} · {focus}", res::name(result.scope.res))
}

/// "September 2024 · r9 · Violent": the period, the resolution and the selection.
pub fn subtitle(result: &ScopeResult) -> String {
    format!(
        "{} · {}{}",
        result.period_label,
        res::display(result.scope.res),
        selection_text(result)
    )
}
