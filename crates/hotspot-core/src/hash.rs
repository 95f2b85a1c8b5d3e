//! The hash maps of hot paths: `std`'s maps with [foldhash]'s fast, fixed-seed hasher.
//!
//! The standard library's SipHash resists collision attacks we do not face (keys are H3
//! cells, day numbers and codes from our own lake) and costs several times more per lookup.
//! The seed is fixed so that a map's iteration order, and anything derived from it, is the
//! same on every run. H3 indexes have constant low bits (their unused digits are all ones), so
//! the hasher must spread high-bit differences into the low bits hashbrown uses for buckets:
//! FxHash alone does not, foldhash does (tested below). `cargo bench --workspace --bench hash`
//! compares it with rustc-hash and SipHash on H3 ids.

use std::collections::{HashMap, HashSet};

/// The fixed-seed hasher builder of [`FastMap`] and [`FastSet`].
pub type FastState = foldhash::fast::FixedState;
/// A `HashMap` keyed by our own integers (H3 cells, days, codes).
pub type FastMap<K, V> = HashMap<K, V, FastState>;
/// A `HashSet` of our own integers.
pub type FastSet<K> = HashSet<K, FastState>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn composite_keys_stay_distinct() {
        let mut m: FastMap<(u64, i32, u8), u32> = FastMap::default();
        for i in 0..10_000u64 {
            *m.entry((i % 97, (i % 31) as i32, (i % 7) as u8))
                .or_default() += 1;
        }
        assert_eq!(m.values().sum::<u32>(), 10_000);
        // 97, 31 and 7 are coprime with lcm 21,049 > 10,000: every key is distinct.
        assert_eq!(m.len(), 10_000);
    }

    #[test]
    fn keys_differing_only_in_high_bits_spread_over_low_bits() {
        // Like H3 cells of one resolution: the low 15 bits are all ones.
        let state = FastState::default();
        let low: HashSet<u64> = (0..1024u64)
            .map(|i| state.hash_one((i << 40) | 0x7fff) & 0x3ff)
            .collect();
        // 1,024 keys into 1,024 buckets: a uniform hash fills about 1 − 1/e ≈ 63 % of them.
        assert!(low.len() > 550, "{} of 1024 buckets used", low.len());
    }

    #[test]
    fn the_seed_is_fixed() {
        // Two builders (as in two runs) hash alike, so iteration order is reproducible.
        let (a, b) = (FastState::default(), FastState::default());
        let keys = [0x8a2664c1a867fffu64, 0x8a2664c1a86ffff, 7, 1 << 63];
        for k in keys {
            assert_eq!(a.hash_one(k), b.hash_one(k));
        }
        // std's RandomState, by contrast, differs between builders.
        let (c, d) = (
            std::collections::hash_map::RandomState::new(),
            std::collections::hash_map::RandomState::new(),
        );
        assert!(keys.iter().any(|k| c.hash_one(k) != d.hash_one(k)));
    }
}
