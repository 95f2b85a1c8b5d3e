//! The exact conditional test of a change in counts: given `n = a + b` incidents over two
//! periods of `days_a` and `days_b` days, under equal daily rates `b` is binomial with
//! `p = days_b / (days_a + days_b)`. The two-sided p-value sums the probabilities of every
//! outcome no more likely than the one seen (R's `binom.test`, and the conditional test of
//! two Poisson rates, Przyborowski and Wilenski 1940).

/// ln C(n, k) p^k (1 − p)^(n − k).
fn ln_pmf(k: u64, n: u64, p: f64) -> f64 {
    let (kf, nf) = (k as f64, n as f64);
    let ln_choose = libm::lgamma(nf + 1.0) - libm::lgamma(kf + 1.0) - libm::lgamma(nf - kf + 1.0);
    let a = if k == 0 { 0.0 } else { kf * p.ln() };
    let b = if k == n {
        0.0
    } else {
        (nf - kf) * (1.0 - p).ln()
    };
    ln_choose + a + b
}

/// The two-sided exact binomial p-value of `k` successes in `n` trials at probability `p`
/// (1 when there is nothing to test).
pub fn binomial_two_sided(k: u64, n: u64, p: f64) -> f64 {
    if n == 0 || k > n || !(p > 0.0 && p < 1.0) {
        return 1.0;
    }
    let seen = ln_pmf(k, n, p);
    // Outcomes as likely as the one seen count, within a relative 1e-7 (as binom.test).
    let bar = seen + (1.0 + 1e-7f64).ln();
    let mut total = 0.0;
    for j in 0..=n {
        let l = ln_pmf(j, n, p);
        if l <= bar {
            total += l.exp();
        }
    }
    total.clamp(0.0, 1.0)
}

/// The p-value of `b` incidents in a period of `days_b` days against `a` in `days_a`.
pub fn change_p(a: u64, b: u64, days_a: f64, days_b: f64) -> f64 {
    if days_a <= 0.0 || days_b <= 0.0 {
        return f64::NAN;
    }
    binomial_two_sided(b, a + b, days_b / (days_a + days_b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn worked_by_hand() {
        // 8 of 10 at ½: P(8) + P(9) + P(10) = (45 + 10 + 1) / 1024, doubled by symmetry.
        assert!(close(binomial_two_sided(8, 10, 0.5), 112.0 / 1024.0));
        // 5 against 5: every outcome is as likely or less: p = 1.
        assert!(close(binomial_two_sided(5, 10, 0.5), 1.0));
        // 0 of 5 at ½: P(0) + P(5) = 2 / 32.
        assert!(close(binomial_two_sided(0, 5, 0.5), 1.0 / 16.0));
        // Unequal periods: 3 of 3 at ¼ (a week against three): only P(3) = 1/64 is no more
        // likely (P(0) = P(1) = 27/64, P(2) = 9/64).
        assert!(close(binomial_two_sided(3, 3, 0.25), 1.0 / 64.0));
        // 12 incidents this week against 2 the week before: n = 14, P(k ≥ 12) =
        // (91 + 14 + 1) / 16384, doubled.
        assert!(close(change_p(2, 12, 7.0, 7.0), 212.0 / 16384.0));
        assert_eq!(binomial_two_sided(0, 0, 0.5), 1.0);
        assert!(change_p(1, 2, 0.0, 7.0).is_nan());
    }

    #[test]
    fn large_counts_stay_finite_and_agree_with_the_normal_approximation() {
        // 600 against 400 at ½: z = (600 − 500) / √250 = 6.32, p ≈ 2.5e-10.
        let p = binomial_two_sided(600, 1000, 0.5);
        assert!(p > 1e-11 && p < 1e-9, "{p}");
        let p = binomial_two_sided(510, 1000, 0.5);
        assert!((p - 0.5479).abs() < 0.01, "{p}");
    }
}
