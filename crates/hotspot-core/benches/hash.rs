//! `cargo bench --workspace --bench hash`: the maps of hot paths keyed by H3 r10 cells (as
//! Gold aggregation and the renderer's slot lookups use them), with rustc-hash's FxHash (our
//! [`hotspot_core::hash::FastMap`]), foldhash, the hand-rolled hasher Hotspot had before, and
//! std's SipHash.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use h3o::{LatLng, Resolution};

/// The hand-rolled hasher Hotspot used before foldhash (FxHash's multiply-rotate with a
/// murmur3 finaliser), kept here only to show the difference.
mod hand_rolled {
    use std::hash::Hasher;

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
    pub type State = std::hash::BuildHasherDefault<FxHasher>;
}

/// About 30k distinct r10 cells on a grid over Chicago, in a scrambled order.
fn cells() -> Vec<u64> {
    let mut out = Vec::new();
    for i in 0..180 {
        for j in 0..170 {
            let lat = 41.65 + f64::from(i) * 0.0022;
            let lng = -87.90 + f64::from(j) * 0.0028;
            if let Ok(ll) = LatLng::new(lat, lng) {
                out.push(u64::from(ll.to_cell(Resolution::Ten)));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.sort_by_key(|c| c.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    out
}

fn insert_and_look_up<S: BuildHasher + Default>(cells: &[u64]) -> u64 {
    let mut m: HashMap<u64, u32, S> = HashMap::default();
    for (i, c) in cells.iter().enumerate() {
        *m.entry(*c).or_default() += i as u32;
    }
    cells.iter().map(|c| u64::from(m[c])).sum()
}

fn bench(c: &mut Criterion) {
    let cells = cells();
    let mut g = c.benchmark_group(format!("{} r10 cells: insert + lookup", cells.len()));
    g.bench_function("rustc-hash FxHash (FastMap)", |b| {
        b.iter(|| insert_and_look_up::<hotspot_core::hash::FastState>(black_box(&cells)))
    });
    g.bench_function("foldhash", |b| {
        b.iter(|| insert_and_look_up::<foldhash::fast::FixedState>(black_box(&cells)))
    });
    g.bench_function("hand-rolled FxHash + murmur3 finaliser (before)", |b| {
        b.iter(|| insert_and_look_up::<hand_rolled::State>(black_box(&cells)))
    });
    g.bench_function("std SipHash", |b| {
        b.iter(|| insert_and_look_up::<std::collections::hash_map::RandomState>(black_box(&cells)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
