//! The 17 categories of an emerging hot-spot analysis (ArcGIS Emerging Hot Spot Analysis):
//! eight hot patterns, their eight cold counterparts and "no pattern", from a cell's
//! significant hot (+) or cold (−) steps at one level α and the Mann–Kendall trend of its
//! z-scores.
//!
//! Definitions (for hot; cold mirrors them, with "intensifying" a significant *fall* of z):
//! - **New**: hot in the final step, never before.
//! - **Consecutive**: a run of at least two hot steps ending with the final one, never hot
//!   before that run, and hot in less than 90 % of the steps.
//! - **Intensifying**: hot in at least 90 % of the steps including the final one, and z rises
//!   significantly.
//! - **Persistent**: hot in at least 90 % of the steps including the final one, no significant
//!   trend.
//! - **Diminishing**: hot in at least 90 % of the steps including the final one, and z falls
//!   significantly.
//! - **Sporadic**: hot in the final step, on and off before, never cold, under 90 %.
//! - **Oscillating**: hot in the final step, cold in some earlier step, under 90 %.
//! - **Historical**: not hot in the final step, but hot in at least 90 % of the steps.
//!
//! Precedence, in this order: the final step's sign picks the family (hot, cold, or neither).
//! Hot final step: the 90 % patterns (intensifying, diminishing, else persistent), then new,
//! then consecutive, then oscillating, then sporadic. Final step neither: historical hot, then
//! historical cold, else no pattern. "At least 90 %" is hot·10 ≥ 9·T.

use super::MannKendall;

/// Hot or cold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Hot,
    Cold,
}

/// The eight patterns of each family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pattern {
    New,
    Consecutive,
    Intensifying,
    Persistent,
    Diminishing,
    Sporadic,
    Oscillating,
    Historical,
}

/// One of the 17 categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    NoPattern,
    Spot(Family, Pattern),
}

impl Pattern {
    /// Every pattern, in ArcGIS's order.
    pub const ALL: [Pattern; 8] = [
        Pattern::New,
        Pattern::Consecutive,
        Pattern::Intensifying,
        Pattern::Persistent,
        Pattern::Diminishing,
        Pattern::Sporadic,
        Pattern::Oscillating,
        Pattern::Historical,
    ];

    fn word(self) -> &'static str {
        match self {
            Pattern::New => "New",
            Pattern::Consecutive => "Consecutive",
            Pattern::Intensifying => "Intensifying",
            Pattern::Persistent => "Persistent",
            Pattern::Diminishing => "Diminishing",
            Pattern::Sporadic => "Sporadic",
            Pattern::Oscillating => "Oscillating",
            Pattern::Historical => "Historical",
        }
    }
}

impl Category {
    /// All 17, no pattern first, then the hot patterns, then the cold ones.
    pub fn all() -> Vec<Category> {
        std::iter::once(Category::NoPattern)
            .chain(Pattern::ALL.iter().map(|p| Category::Spot(Family::Hot, *p)))
            .chain(
                Pattern::ALL
                    .iter()
                    .map(|p| Category::Spot(Family::Cold, *p)),
            )
            .collect()
    }

    /// The number maps and scripts carry: 0 no pattern, +1 … +8 the hot patterns and −1 … −8
    /// the cold ones, in [`Pattern::ALL`] order (new = ±1 … historical = ±8).
    pub fn code(self) -> i8 {
        match self {
            Category::NoPattern => 0,
            Category::Spot(family, p) => {
                let k = Pattern::ALL.iter().position(|q| *q == p).unwrap_or(0) as i8 + 1;
                if family == Family::Hot { k } else { -k }
            }
        }
    }

    /// The category of a [`Category::code`] (`None` outside −8 … +8).
    pub fn from_code(code: i8) -> Option<Category> {
        if code == 0 {
            return Some(Category::NoPattern);
        }
        let p = *Pattern::ALL.get(usize::from(code.unsigned_abs()) - 1)?;
        let family = if code > 0 { Family::Hot } else { Family::Cold };
        Some(Category::Spot(family, p))
    }

    /// "New Hot Spot", "Oscillating Cold Spot", "No Pattern Detected" (ArcGIS's names).
    pub fn name(self) -> String {
        match self {
            Category::NoPattern => "No Pattern Detected".to_string(),
            Category::Spot(Family::Hot, p) => format!("{} Hot Spot", p.word()),
            Category::Spot(Family::Cold, p) => format!("{} Cold Spot", p.word()),
        }
    }
}

/// The category of a cell from its significant steps (`steps[t]` > 0 hot, < 0 cold, 0 not
/// significant, in time order) and the trend of its z-scores tested at `alpha`.
pub fn classify(steps: &[i8], trend: &MannKendall, alpha: f64) -> Category {
    let Some(&last) = steps.last() else {
        return Category::NoPattern;
    };
    let t = steps.len();
    let count = |sign: i8| steps.iter().filter(|s| s.signum() == sign).count();
    let mostly = |sign: i8| count(sign) * 10 >= 9 * t;
    let family_of = |sign: i8| if sign > 0 { Family::Hot } else { Family::Cold };
    if last == 0 {
        return if mostly(1) {
            Category::Spot(Family::Hot, Pattern::Historical)
        } else if mostly(-1) {
            Category::Spot(Family::Cold, Pattern::Historical)
        } else {
            Category::NoPattern
        };
    }
    let sign = last.signum();
    let family = family_of(sign);
    let spot = |p| Category::Spot(family, p);
    if mostly(sign) {
        let significant = trend.p < alpha && trend.s != 0;
        // For cold spots, "intensifying" is z growing more negative.
        let rising = trend.s.signum() as i8 == sign;
        return spot(match (significant, rising) {
            (true, true) => Pattern::Intensifying,
            (true, false) => Pattern::Diminishing,
            (false, _) => Pattern::Persistent,
        });
    }
    let same = count(sign);
    if same == 1 {
        return spot(Pattern::New);
    }
    let run = steps
        .iter()
        .rev()
        .take_while(|s| s.signum() == sign)
        .count();
    if run >= 2 && run == same {
        return spot(Pattern::Consecutive);
    }
    if count(-sign) > 0 {
        spot(Pattern::Oscillating)
    } else {
        spot(Pattern::Sporadic)
    }
}

#[cfg(test)]
mod tests {
    use super::super::mann_kendall;
    use super::*;

    const ALPHA: f64 = 0.10;

    /// The category of a series of significant steps, with the trend of `z`.
    fn cat(steps: &[i8], z: &[f64]) -> Category {
        classify(steps, &mann_kendall(z), ALPHA)
    }

    fn flat(t: usize) -> Vec<f64> {
        (0..t).map(|i| if i % 2 == 0 { 3.0 } else { 3.1 }).collect()
    }

    fn rising(t: usize) -> Vec<f64> {
        (0..t).map(|i| 2.0 + i as f64 * 0.3).collect()
    }

    #[test]
    fn codes_round_trip_and_follow_arcgis_order() {
        let all = Category::all();
        assert_eq!(all.len(), 17);
        for c in &all {
            assert_eq!(Category::from_code(c.code()), Some(*c), "{c:?}");
        }
        let mut codes: Vec<i8> = all.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        assert_eq!(codes, (-8..=8).collect::<Vec<i8>>());
        assert_eq!(Category::Spot(Family::Hot, Pattern::New).code(), 1);
        assert_eq!(Category::Spot(Family::Hot, Pattern::Historical).code(), 8);
        assert_eq!(
            Category::Spot(Family::Cold, Pattern::Intensifying).code(),
            -3
        );
        assert_eq!(Category::NoPattern.code(), 0);
        assert_eq!(Category::from_code(9), None);
        assert_eq!(Category::from_code(-9), None);
        assert_eq!(Category::from_code(i8::MIN), None);
    }

    #[test]
    fn one_series_per_category() {
        use Family::{Cold, Hot};
        use Pattern::*;
        let t = 10;
        let hot = vec![1i8; t];
        let cold = vec![-1i8; t];
        let fall: Vec<f64> = rising(t).into_iter().rev().collect();
        let neg = |z: Vec<f64>| z.into_iter().map(|v| -v).collect::<Vec<_>>();
        let cases: Vec<(Category, Vec<i8>, Vec<f64>)> = vec![
            (
                Category::NoPattern,
                vec![0, 1, 0, 0, 1, 0, 0, 0, 0, 0],
                flat(t),
            ),
            (
                Category::Spot(Hot, New),
                vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                flat(t),
            ),
            (
                Category::Spot(Hot, Consecutive),
                vec![0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
                flat(t),
            ),
            (Category::Spot(Hot, Intensifying), hot.clone(), rising(t)),
            (Category::Spot(Hot, Persistent), hot.clone(), flat(t)),
            (Category::Spot(Hot, Diminishing), hot.clone(), fall.clone()),
            (
                Category::Spot(Hot, Sporadic),
                vec![1, 0, 0, 1, 0, 1, 0, 0, 0, 1],
                flat(t),
            ),
            (
                Category::Spot(Hot, Oscillating),
                vec![-1, 0, 1, 0, -1, 0, 0, 0, 0, 1],
                flat(t),
            ),
            (
                Category::Spot(Hot, Historical),
                vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
                flat(t),
            ),
            (
                Category::Spot(Cold, New),
                vec![0, 0, 0, 0, 0, 0, 0, 0, 0, -1],
                neg(flat(t)),
            ),
            (
                Category::Spot(Cold, Consecutive),
                vec![0, 0, 0, 0, 0, 0, 0, 0, -1, -1],
                neg(flat(t)),
            ),
            // Colder and colder: z falls significantly.
            (
                Category::Spot(Cold, Intensifying),
                cold.clone(),
                neg(rising(t)),
            ),
            (Category::Spot(Cold, Persistent), cold.clone(), neg(flat(t))),
            (
                Category::Spot(Cold, Diminishing),
                cold.clone(),
                neg(fall.clone()),
            ),
            (
                Category::Spot(Cold, Sporadic),
                vec![-1, 0, -1, 0, 0, 0, 0, 0, 0, -1],
                neg(flat(t)),
            ),
            (
                Category::Spot(Cold, Oscillating),
                vec![1, -1, 0, 0, 0, 0, 0, 0, 0, -1],
                neg(flat(t)),
            ),
            (
                Category::Spot(Cold, Historical),
                vec![-1, -1, -1, -1, -1, -1, -1, -1, -1, 0],
                neg(flat(t)),
            ),
        ];
        assert_eq!(cases.len(), 17);
        let mut seen: Vec<Category> = cases.iter().map(|c| c.0).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 17, "every category once");
        assert_eq!(Category::all().len(), 17);
        for (want, steps, z) in cases {
            assert_eq!(cat(&steps, &z), want, "{} from {steps:?}", want.name());
        }
    }

    #[test]
    fn precedence_between_categories() {
        use Family::Hot;
        use Pattern::*;
        // 90 % hot including the final step outranks "consecutive": 9 of 10 steps hot in a run
        // is persistent, not consecutive.
        let steps = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, Persistent));
        // 8 of 10 (< 90 %) in a final run is consecutive.
        let steps = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, Consecutive));
        // A final run after an earlier hot step is not consecutive: sporadic (never cold) …
        let steps = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, Sporadic));
        // … or oscillating once a cold step came before.
        let steps = [1, -1, 0, 0, 0, 0, 0, 0, 1, 1];
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, Oscillating));
        // A single final hot step after cold ones is new (never hot before), not oscillating.
        let steps = [-1, -1, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, New));
        // A trend that is not significant at α leaves a 90 % spot persistent.
        let weak = [3.0, 3.2, 3.1, 3.3, 3.2, 3.0, 3.3, 3.1, 3.2, 3.3];
        let mk = mann_kendall(&weak);
        assert!(mk.p >= ALPHA, "{mk:?}");
        assert_eq!(cat(&[1; 10], &weak), Category::Spot(Hot, Persistent));
        // Final step not significant: historical needs 90 % (9 of 10) of the steps hot.
        let mut steps = [1i8; 10];
        steps[9] = 0;
        assert_eq!(cat(&steps, &flat(10)), Category::Spot(Hot, Historical));
        steps[0] = 0;
        assert_eq!(cat(&steps, &flat(10)), Category::NoPattern);
        assert_eq!(
            classify(&[], &mann_kendall(&[]), ALPHA),
            Category::NoPattern
        );
    }

    #[test]
    fn names_are_arcgis_names() {
        assert_eq!(
            Category::Spot(Family::Hot, Pattern::New).name(),
            "New Hot Spot"
        );
        assert_eq!(
            Category::Spot(Family::Cold, Pattern::Oscillating).name(),
            "Oscillating Cold Spot"
        );
        assert_eq!(Category::NoPattern.name(), "No Pattern Detected");
    }
}
