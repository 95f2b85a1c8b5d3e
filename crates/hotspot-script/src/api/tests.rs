//! Tests of `api.rs`.

use super::*;

#[test]
fn helpers() {
    assert_eq!(plural(1, "incident"), "1 incident");
    assert_eq!(plural(1234, "incident"), "1,234 incidents");
    assert_eq!(plural(2, "cell"), "2 cells");
    assert_eq!(plural(3, "category"), "3 categories");
    let c = Column::new(vec![1.0, 2.0, 3.0, 94.0]);
    assert!((top_share(&c, 0.05) - 0.94).abs() < 1e-12);
    assert_eq!(quantile(&c, 0.5), 2.5);
    assert!(quantile(&Column::new(vec![]), 0.5).is_nan());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The host API on a plain engine, columns `a` and `b` in scope.
    fn eval(code: &str, a: &[f64], b: &[f64]) -> Result<Dynamic, Box<EvalAltResult>> {
        let mut engine = Engine::new();
        register(&mut engine);
        let mut scope = rhai::Scope::new();
        scope.push("a", Column::new(a.to_vec()));
        scope.push("b", Column::new(b.to_vec()));
        engine.eval_with_scope::<Dynamic>(&mut scope, code)
    }

    fn column(d: Dynamic) -> Vec<f64> {
        d.try_cast::<Column>().expect("a column").0.as_ref().clone()
    }

    fn mask(d: Dynamic) -> Vec<bool> {
        d.try_cast::<Mask>().expect("a mask").to_vec()
    }

    /// Same values, NaN equal to NaN.
    fn same(x: &[f64], y: &[f64]) -> bool {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            6 => (0u32..60).prop_map(f64::from),
            2 => -1e6f64..1e6,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
        ]
    }

    fn pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (0usize..80).prop_flat_map(|n| {
            (
                prop::collection::vec(value(), n),
                prop::collection::vec(value(), n),
            )
        })
    }

    proptest! {
        #[test]
        fn column_arithmetic_is_elementwise((a, b) in pair(), k in -50i64..50) {
            let kf = k as f64;
            let cases: [(&str, Vec<f64>); 6] = [
                ("a + b", a.iter().zip(&b).map(|(x, y)| x + y).collect()),
                ("a - b", a.iter().zip(&b).map(|(x, y)| x - y).collect()),
                ("a * b", a.iter().zip(&b).map(|(x, y)| x * y).collect()),
                ("a / K", a.iter().map(|x| x / kf).collect()),
                ("K - a", a.iter().map(|x| kf - x).collect()),
                ("-a", a.iter().map(|x| -x).collect()),
            ];
            for (code, want) in cases {
                let code = code.replace('K', &k.to_string());
                let got = column(eval(&code, &a, &b).expect(&code));
                prop_assert!(same(&got, &want), "{}: {:?} vs {:?}", code, got, want);
            }
        }

        #[test]
        fn comparisons_and_logic_are_elementwise((a, b) in pair(), t in 0i64..60) {
            let tf = t as f64;
            let code = format!("(a >= {t}) & !(b < a) | (a == b)");
            let got = mask(eval(&code, &a, &b).expect("mask"));
            let want: Vec<bool> = a
                .iter()
                .zip(&b)
                .map(|(x, y)| {
                    // `!(b < a)`: true where b < a is false, NaN included.
                    (*x >= tf && y.partial_cmp(x) != Some(Ordering::Less)) || x == y
                })
                .collect();
            prop_assert_eq!(got, want);
            let n = eval(&format!("(a > {t}).count()"), &a, &b).expect("count").as_int().expect("int");
            prop_assert_eq!(n as usize, a.iter().filter(|x| **x > tf).count());
        }

        #[test]
        fn reductions_skip_what_is_not_finite((a, b) in pair()) {
            let finite: Vec<f64> = a.iter().copied().filter(|x| x.is_finite()).collect();
            let sum = eval("a.sum()", &a, &b).expect("sum").as_float().expect("float");
            let want: f64 = finite.iter().sum();
            prop_assert!((sum - want).abs() <= 1e-9 * want.abs().max(1.0), "{} vs {}", sum, want);
            let count = eval("a.count()", &a, &b).expect("count").as_int().expect("int");
            prop_assert_eq!(count as usize, finite.len());
            let filtered = column(eval("a.filter(b > 10)", &a, &b).expect("filter"));
            let want: Vec<f64> = a.iter().zip(&b).filter(|(_, y)| **y > 10.0).map(|(x, _)| *x).collect();
            prop_assert!(same(&filtered, &want));
        }

        #[test]
        fn mismatched_lengths_and_bad_indices_are_errors_not_panics(
            a in prop::collection::vec(value(), 0..20),
            b in prop::collection::vec(value(), 0..20),
            i in any::<i64>(),
        ) {
            for code in ["a + b", "a >= b", "(a > 1) & (b > 1)", "a.filter(b > 1)"] {
                let out = eval(code, &a, &b);
                prop_assert_eq!(out.is_ok(), a.len() == b.len(), "{}", code);
            }
            let n = a.len() as i64;
            let at = eval(&format!("a[{i}]"), &a, &b);
            let valid = (-n..n).contains(&i);
            prop_assert_eq!(at.is_ok(), valid, "a[{}] of {}", i, n);
            if valid {
                let j = if i < 0 { n + i } else { i } as usize;
                let got = at.expect("value").as_float().expect("float");
                prop_assert!(got == a[j] || (got.is_nan() && a[j].is_nan()));
            }
        }

        #[test]
        fn quantiles_lie_within_the_finite_values(a in prop::collection::vec(value(), 0..80), q in 0.0f64..=1.0) {
            let got = eval(&format!("a.quantile({q:?})"), &a, &[]).expect("quantile").as_float().expect("float");
            let finite: Vec<f64> = a.iter().copied().filter(|x| x.is_finite()).collect();
            if finite.is_empty() {
                prop_assert!(got.is_nan());
            } else {
                let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(got >= lo && got <= hi, "{} not in [{}, {}]", got, lo, hi);
            }
        }
    }
}
