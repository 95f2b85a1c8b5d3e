//! Getis–Ord Gi* (Getis & Ord 1995; ArcGIS Hot Spot Analysis; esda `G_Local(star=True)`) on
//! binary weights.
//!
//! With n cells, x̄ the mean and s the population standard deviation of x over the study area,
//! N(i) the neighbourhood of cell i (itself included) and W_i = |N(i)|:
//!
//! z_i = (Σ_{j∈N(i)} x_j − x̄·W_i) / (s · √((n·W_i − W_i²)/(n − 1)))

use h3o::CellIndex;

/// The neighbourhood of every cell of a study area, as indices into it (compressed rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbourhoods {
    /// `offsets[i]..offsets[i + 1]` indexes `members` for cell i.
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl Neighbourhoods {
    /// `grid_disk(cell, k)` ∩ `cells` for every cell of `cells` (sorted, unique H3 ids): the cell
    /// itself and every study-area cell within `k` steps. Ids that are not valid cells have
    /// only themselves.
    pub fn grid_disk(cells: &[u64], k: u32) -> Neighbourhoods {
        debug_assert!(
            cells.windows(2).all(|w| w[0] < w[1]),
            "cells must be sorted"
        );
        let mut offsets = Vec::with_capacity(cells.len() + 1);
        let mut members = Vec::with_capacity(cells.len() * (1 + 3 * k as usize * (k as usize + 1)));
        offsets.push(0);
        for (i, &c) in cells.iter().enumerate() {
            match CellIndex::try_from(c) {
                Ok(cell) => {
                    let start = members.len();
                    for n in cell.grid_disk::<Vec<_>>(k) {
                        if let Ok(j) = cells.binary_search(&u64::from(n)) {
                            members.push(j as u32);
                        }
                    }
                    members[start..].sort_unstable();
                }
                Err(_) => members.push(i as u32),
            }
            offsets.push(members.len() as u32);
        }
        Neighbourhoods { offsets, members }
    }

    /// From explicit lists (tests, other tessellations): `lists[i]` must contain `i`.
    pub fn from_lists(lists: &[Vec<u32>]) -> Neighbourhoods {
        let mut offsets = vec![0u32];
        let mut members = Vec::new();
        for l in lists {
            members.extend_from_slice(l);
            offsets.push(members.len() as u32);
        }
        Neighbourhoods { offsets, members }
    }

    /// Cells in the study area.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether the study area is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The neighbourhood of cell `i`.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.members[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Gi* of every cell.
#[derive(Clone, Debug, PartialEq)]
pub struct GiStar {
    pub z: Vec<f64>,
    /// Two-sided p-values.
    pub p: Vec<f64>,
    /// False when x does not vary over the study area (s = 0): no cell can stand out, every
    /// z is 0 and every p is 1 (never NaN).
    pub varies: bool,
    pub mean: f64,
    /// Population standard deviation.
    pub sd: f64,
}

impl GiStar {
    fn flat(n: usize, mean: f64) -> GiStar {
        GiStar {
            z: vec![0.0; n],
            p: vec![1.0; n],
            varies: false,
            mean,
            sd: 0.0,
        }
    }
}

/// Mean and population standard deviation, in one pass with compensation-free sums (counts
/// are small integers: exact in f64).
fn moments(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (s1, s2) = x.iter().fold((0.0, 0.0), |(a, b), v| (a + v, b + v * v));
    let mean = s1 / n;
    let var = (s2 / n - mean * mean).max(0.0);
    (mean, var.sqrt())
}

/// z of one cell from its neighbourhood sum `sum` over `w` members, in a study area of `n`.
fn z_of(sum: f64, w: f64, n: f64, mean: f64, sd: f64) -> f64 {
    let spread = ((n * w - w * w) / (n - 1.0)).max(0.0).sqrt();
    if spread == 0.0 {
        // The neighbourhood is the whole study area: it cannot differ from it.
        0.0
    } else {
        (sum - mean * w) / (sd * spread)
    }
}

/// Gi* of `x` (one value per study-area cell) over `nb`.
pub fn gi_star(x: &[f64], nb: &Neighbourhoods) -> GiStar {
    assert_eq!(x.len(), nb.len(), "one value per study-area cell");
    let n = x.len();
    if n < 2 {
        return GiStar::flat(n, x.first().copied().unwrap_or(0.0));
    }
    let (mean, sd) = moments(x);
    if sd <= f64::EPSILON * mean.abs().max(1.0) {
        return GiStar::flat(n, mean);
    }
    let z: Vec<f64> = (0..n)
        .map(|i| {
            let members = nb.of(i);
            let sum: f64 = members.iter().map(|&j| x[j as usize]).sum();
            z_of(sum, members.len() as f64, n as f64, mean, sd)
        })
        .collect();
    let p = z.iter().map(|&z| super::two_sided_p(z)).collect();
    GiStar {
        z,
        p,
        varies: true,
        mean,
        sd,
    }
}

/// Space-time Gi* of a cube of `steps` steps: `x[t * n + i]` is cell i in step t. The
/// neighbourhood of bin (i, t) is N(i) in steps t − `time_lag` … t (those that exist); x̄ and s
/// are taken over all n·T bins, and n·T is the study area's size. Results are laid out like x.
pub fn space_time_gi_star(x: &[f64], nb: &Neighbourhoods, steps: usize, time_lag: usize) -> GiStar {
    let n = nb.len();
    assert_eq!(x.len(), n * steps, "one value per cell and step");
    let bins = x.len();
    if bins < 2 {
        return GiStar::flat(bins, x.first().copied().unwrap_or(0.0));
    }
    let (mean, sd) = moments(x);
    if sd <= f64::EPSILON * mean.abs().max(1.0) {
        return GiStar::flat(bins, mean);
    }
    // Spatial neighbourhood sums per step, then summed over the lag window.
    let spatial: Vec<f64> = (0..steps)
        .flat_map(|t| {
            let layer = &x[t * n..(t + 1) * n];
            (0..n).map(move |i| nb.of(i).iter().map(|&j| layer[j as usize]).sum::<f64>())
        })
        .collect();
    let mut z = Vec::with_capacity(bins);
    for t in 0..steps {
        let first = t.saturating_sub(time_lag);
        let window = (t - first + 1) as f64;
        for i in 0..n {
            let sum: f64 = (first..=t).map(|s| spatial[s * n + i]).sum();
            let w = nb.of(i).len() as f64 * window;
            z.push(z_of(sum, w, bins as f64, mean, sd));
        }
    }
    let p = z.iter().map(|&z| super::two_sided_p(z)).collect();
    GiStar {
        z,
        p,
        varies: true,
        mean,
        sd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A k = 2 disk around a Chicago r9 cell: the centre, its ring of 6 and the ring of 12.
    fn disk() -> (Vec<u64>, u64, Vec<u64>) {
        let centre = h3o::LatLng::new(41.8781, -87.6298)
            .expect("coordinates")
            .to_cell(h3o::Resolution::Nine);
        let ring1: Vec<u64> = centre
            .grid_ring_fast(1)
            .map(|c| u64::from(c.expect("ring")))
            .collect();
        let mut cells: Vec<u64> = centre
            .grid_disk::<Vec<_>>(2)
            .into_iter()
            .map(u64::from)
            .collect();
        cells.sort_unstable();
        (cells, u64::from(centre), ring1)
    }

    #[test]
    fn gi_star_worked_by_hand_on_a_disk_and_its_rings() {
        let (cells, centre, ring1) = disk();
        assert_eq!(cells.len(), 19);
        // 10 incidents in the centre, 1 in each cell of the first ring, none in the second.
        let x: Vec<f64> = cells
            .iter()
            .map(|c| {
                if *c == centre {
                    10.0
                } else if ring1.contains(c) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let nb = Neighbourhoods::grid_disk(&cells, 1);
        let gi = gi_star(&x, &nb);
        // By hand: n = 19, Σx = 16, x̄ = 16/19 = 0.842105, Σx² = 106,
        // s = √(106/19 − x̄²) = √4.869806 = 2.206764.
        assert!((gi.mean - 0.842_105).abs() < 1e-6);
        assert!((gi.sd - 2.206_764).abs() < 1e-6);
        // Centre: W = 7 (itself and ring 1), Σ = 16:
        // z = (16 − 0.842105·7) / (2.206764·√((19·7 − 49)/18)) = 10.105263 / 4.767155 = 2.119768.
        let ci = cells.binary_search(&centre).expect("centre");
        assert_eq!(nb.of(ci).len(), 7);
        assert!((gi.z[ci] - 2.119_768).abs() < 1e-5, "{}", gi.z[ci]);
        // p = erfc(2.119768/√2) = 0.034026.
        assert!((gi.p[ci] - 0.034_026).abs() < 1e-5, "{}", gi.p[ci]);
        // A ring-1 cell: W = 7 (itself, the centre, 2 ring-1 and 3 ring-2 neighbours),
        // Σ = 1 + 10 + 2 = 13: z = (13 − 5.894737) / 4.767155 = 1.490462.
        let r = cells.binary_search(&ring1[0]).expect("ring cell");
        assert_eq!(nb.of(r).len(), 7);
        assert!((gi.z[r] - 1.490_462).abs() < 1e-5, "{}", gi.z[r]);
        // Every ring-2 cell has part of its neighbourhood outside the study area.
        for (i, c) in cells.iter().enumerate() {
            if *c != centre && !ring1.contains(c) {
                assert!(matches!(nb.of(i).len(), 4 | 5), "{}", nb.of(i).len());
                assert!(gi.z[i] < 0.0);
            }
        }
    }

    #[test]
    fn no_variation_is_a_clear_result_not_nan() {
        let (cells, _, _) = disk();
        let nb = Neighbourhoods::grid_disk(&cells, 1);
        for value in [0.0, 3.0] {
            let gi = gi_star(&vec![value; cells.len()], &nb);
            assert!(!gi.varies);
            assert!(gi.z.iter().all(|z| *z == 0.0));
            assert!(gi.p.iter().all(|p| *p == 1.0));
        }
    }

    #[test]
    fn a_neighbourhood_that_is_the_whole_area_scores_zero() {
        // Three cells, each neighbour of all: W = n, the spread is 0, z is 0 (not ±inf).
        let all = vec![0u32, 1, 2];
        let nb = Neighbourhoods::from_lists(&[all.clone(), all.clone(), all]);
        let gi = gi_star(&[1.0, 5.0, 9.0], &nb);
        assert!(gi.varies);
        assert_eq!(gi.z, vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn space_time_with_no_lag_is_the_spatial_statistic_of_the_whole_cube() {
        // Two steps, cells on a line 0–1–2; with time lag 0 each bin sees its step only.
        let nb = Neighbourhoods::from_lists(&[vec![0, 1], vec![0, 1, 2], vec![1, 2]]);
        let x = [4.0, 1.0, 0.0, 0.0, 1.0, 2.0];
        let st = space_time_gi_star(&x, &nb, 2, 0);
        // By hand over all 6 bins: x̄ = 8/6 = 1.333333, Σx² = 22, s² = 22/6 − 1.777778 =
        // 1.888889, s = 1.374369. Bin (0, t=0): W = 2, Σ = 5,
        // z = (5 − 2.666667) / (1.374369·√((6·2 − 4)/5)) = 2.333333 / 1.738454 = 1.342189.
        assert!((st.z[0] - 1.342_189).abs() < 1e-5, "{}", st.z[0]);
        // With time lag 1, bin (1, t=1) sees N(1) in both steps: W = 6, Σ = 8 = all of x:
        // z = (8 − 8) / … = 0.
        let lag = space_time_gi_star(&x, &nb, 2, 1);
        assert!(lag.z[4].abs() < 1e-12, "{}", lag.z[4]);
        // Step 0 has no earlier step: its bins equal the no-lag ones.
        assert_eq!(&lag.z[..3], &st.z[..3]);
    }
}
