//! A fast, deterministic hasher for integer-keyed maps on hot paths.
//!
//! The standard library's SipHash resists collision attacks we do not face (keys are H3
//! cells, day numbers and codes from our own lake) and costs several times more per lookup.
//! This is the multiply-rotate hash used by rustc (FxHash) with a murmur3 finaliser: FxHash's
//! low bits depend only on the key's low bits, and H3 indexes have constant low bits (their
//! unused digits are all ones), which would put every cell of a resolution in the same
//! hashbrown bucket group.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// FxHash: one rotate, xor and multiply per word.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i32(&mut self, i: i32) {
        self.add(i as u32 as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_and_hashing_is_deterministic() {
        let mut m: FastMap<(u64, i32, u8), u32> = FastMap::default();
        for i in 0..10_000u64 {
            *m.entry((i % 97, (i % 31) as i32, (i % 7) as u8))
                .or_default() += 1;
        }
        assert_eq!(m.values().sum::<u32>(), 10_000);
        // 97, 31 and 7 are coprime with lcm 21,049 > 10,000: every key is distinct.
        assert_eq!(m.len(), 10_000);
        let h = |x: u64| {
            let mut s = FxHasher::default();
            s.write_u64(x);
            s.finish()
        };
        assert_eq!(h(42), h(42));
        assert_ne!(h(42), h(43));
        // Keys that differ only in high bits (like H3 cells) still spread over low bits.
        let low: std::collections::HashSet<u64> = (0..1024u64)
            .map(|i| h((i << 40) | 0x7fff) & 0x3ff)
            .collect();
        assert!(low.len() > 500, "{}", low.len());
    }
}
