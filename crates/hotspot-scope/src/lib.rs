//! hotspot-scope (being built).
