//! The hash maps of hot paths: `std`'s maps with rustc-hash's FxHasher (version 2).
//!
//! The standard library's SipHash resists collision attacks we do not face (keys are H3
//! cells, day numbers and codes from our own lake) and costs several times more per lookup.
//! The hasher has no random seed, so a map's iteration order, and anything derived from it, is
//! the same on every run. H3 indexes have constant low bits (their unused digits are all ones),
//! so the hasher must spread high-bit differences into the low bits hashbrown uses for
//! buckets: rustc-hash 2 rotates its state when it finishes, which does (tested below).
//! `cargo bench --workspace --bench hash` compares it on 30k H3 r10 ids with foldhash, the
//! hand-rolled hasher Hotspot had before and SipHash; it was the fastest, and building the r10
//! geometry with it takes 16 ms against 24 ms with foldhash (`hotspot bench render`).

use std::collections::{HashMap, HashSet};

/// The hasher builder of [`FastMap`] and [`FastSet`].
pub type FastState = rustc_hash::FxBuildHasher;
/// A `HashMap` keyed by our own integers (H3 cells, days, codes).
pub type FastMap<K, V> = HashMap<K, V, FastState>;
/// A `HashSet` of our own integers.
pub type FastSet<K> = HashSet<K, FastState>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn every_field_of_a_composite_key_is_hashed() {
        // 97, 31 and 7 are coprime with lcm 21,049 > 10,000: the 10,000 keys are distinct, and
        // a hasher that dropped a field would give at most 97 × 31 = 3,007 distinct hashes.
        let state = FastState::default();
        let hashes: HashSet<u64> = (0..10_000u64)
            .map(|i| state.hash_one((i % 97, (i % 31) as i32, (i % 7) as u8)))
            .collect();
        assert!(hashes.len() > 9_990, "{} distinct hashes", hashes.len());
    }

    #[test]
    fn h3_cells_spread_over_the_low_bits() {
        // The 343 r10 cells of one r7 cell around the Loop: they share their high bits and
        // their low 15 bits (unused digits, all ones), and differ only in bits 15–23. A
        // multiply-only hash (FxHash 1) would put all of them in one bucket.
        let r7 = h3o::LatLng::new(41.8781, -87.6298)
            .map(|ll| ll.to_cell(h3o::Resolution::Seven))
            .unwrap_or_else(|e| panic!("{e}"));
        let cells: Vec<u64> = r7.children(h3o::Resolution::Ten).map(u64::from).collect();
        assert_eq!(cells.len(), 343);
        assert!(cells.iter().all(|c| c & 0x7fff == 0x7fff));
        let state = FastState::default();
        let buckets: HashSet<u64> = cells.iter().map(|c| state.hash_one(c) & 0x1ff).collect();
        // 343 keys into 512 buckets: a uniform hash fills about 512 × (1 − e^(−343/512)) ≈ 250.
        assert!(buckets.len() > 200, "{} of 512 buckets used", buckets.len());
    }

    #[test]
    fn the_seed_is_fixed() {
        // The same value on every run and machine: FxHash 2 is (0 + 7) · 0xf1357aea2e62a9c5
        // rotated left by 26, with no seed.
        assert_eq!(FastState::default().hash_one(7u64), 0x9d12_ca91_8e61_d971);
        let keys = [0x8a2664c1a867fffu64, 0x8a2664c1a86ffff, 7, 1 << 63];
        // std's RandomState, by contrast, differs between builders.
        let (c, d) = (
            std::collections::hash_map::RandomState::new(),
            std::collections::hash_map::RandomState::new(),
        );
        assert!(keys.iter().any(|k| c.hash_one(k) != d.hash_one(k)));
    }
}
