//! The Mann–Kendall trend test (Mann 1945, Kendall 1975), as emerging hot-spot analyses run it
//! on each cell's series of z-scores:
//!
//! S = Σ_{i<j} sign(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18 over the
//! groups g of t_g tied values; Z = (S − 1)/√Var(S) for S > 0, (S + 1)/√Var(S) for S < 0, 0
//! otherwise; p two-sided normal; Kendall's τ = S / (n(n−1)/2).

/// The test's result on one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannKendall {
    pub s: i64,
    pub var_s: f64,
    pub z: f64,
    pub p: f64,
    pub tau: f64,
}

/// Mann–Kendall on `x` in time order. Fewer than 3 values, or no variance: S = 0, p = 1.
pub fn mann_kendall(x: &[f64]) -> MannKendall {
    let n = x.len();
    let mut s = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            s += match x[j].partial_cmp(&x[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted: Vec<f64> = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut k = 0;
    while k < sorted.len() {
        let mut e = k + 1;
        while e < sorted.len() && sorted[e] == sorted[k] {
            e += 1;
        }
        let t = (e - k) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        k = e;
    }
    let nf = n as f64;
    let var_s = ((nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0).max(0.0);
    let z = if n < 3 || var_s == 0.0 {
        0.0
    } else if s > 0 {
        (s as f64 - 1.0) / var_s.sqrt()
    } else if s < 0 {
        (s as f64 + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let pairs = nf * (nf - 1.0) / 2.0;
    MannKendall {
        s,
        var_s,
        z,
        p: super::two_sided_p(z),
        tau: if pairs > 0.0 { s as f64 / pairs } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_rise_worked_by_hand() {
        // 1 … 5: every one of the 10 pairs rises, S = 10; Var = 5·4·15/18 = 16.6667;
        // Z = 9/4.0825 = 2.2045; p = 0.02749; τ = 1.
        let r = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(r.s, 10);
        assert!((r.var_s - 16.666_667).abs() < 1e-5);
        assert!((r.z - 2.204_541).abs() < 1e-5, "{}", r.z);
        assert!((r.p - 0.027_486).abs() < 1e-5, "{}", r.p);
        assert_eq!(r.tau, 1.0);
    }

    #[test]
    fn ties_reduce_the_variance() {
        // 1, 2, 2, 3: pairs (1,2) (1,2) (1,3) (2,3) (2,3) rise, (2,2) ties: S = 5.
        // Var = [4·3·13 − 2·1·9]/18 = (156 − 18)/18 = 7.6667; Z = 4/2.7689 = 1.4446;
        // p = 0.148562; τ = 5/6.
        let r = mann_kendall(&[1.0, 2.0, 2.0, 3.0]);
        assert_eq!(r.s, 5);
        assert!((r.var_s - 7.666_667).abs() < 1e-5);
        assert!((r.z - 1.444_630).abs() < 1e-5, "{}", r.z);
        assert!((r.p - 0.148_562).abs() < 1e-5, "{}", r.p);
        assert!((r.tau - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn falls_flat_and_short_series() {
        let r = mann_kendall(&[5.0, 4.0, 3.0, 2.0, 1.0]);
        assert_eq!(r.s, -10);
        assert!((r.z + 2.204_541).abs() < 1e-5);
        let flat = mann_kendall(&[2.0; 6]);
        assert_eq!((flat.s, flat.z, flat.p), (0, 0.0, 1.0));
        assert_eq!(mann_kendall(&[1.0, 2.0]).p, 1.0);
        assert_eq!(mann_kendall(&[]).p, 1.0);
    }
}
