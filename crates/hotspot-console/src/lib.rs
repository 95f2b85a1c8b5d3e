//! hotspot-console (being built).
