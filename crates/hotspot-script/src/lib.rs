//! hotspot-script (being built).
