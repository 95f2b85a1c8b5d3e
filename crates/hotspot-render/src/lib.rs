//! hotspot-render (being built).
