//! hotspot-fetch (being built).
