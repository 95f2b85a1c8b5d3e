//! The metrics a map can be coloured by, and every fact about each: its name, the kind of
//! value it is (which picks the colour range), whether it reads as a percentage, and the
//! palette it is drawn with unless a view says otherwise. Everything that shows a metric asks
//! here.

use hotspot_core::palette::ValueKind;
use serde::Serialize;

/// The metrics a map can be coloured by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Incidents,
    Selected,
    FocusShare,
    Arrests,
    ArrestRate,
    SmoothedRate,
    PooledSmoothed,
    Change,
    /// The FDR-corrected Gi* confidence bin, −3 … +3 (see [`crate::hotspots`]): drawn over the
    /// whole coverage from [`crate::ScopeResult::hot_spots`].
    HotSpots,
    /// The emerging hot-spot category, −8 … +8 ([`crate::hotspots::Category::code`]): drawn
    /// over the whole coverage from [`crate::ScopeResult::emerging`].
    Emerging,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 10] = [
        Metric::Incidents,
        Metric::Selected,
        Metric::FocusShare,
        Metric::Arrests,
        Metric::ArrestRate,
        Metric::SmoothedRate,
        Metric::PooledSmoothed,
        Metric::Change,
        Metric::HotSpots,
        Metric::Emerging,
    ];

    /// The name scripts and the command line use (`arrest_rate`, `hot_spots`, …).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Incidents => "incidents",
            Metric::Selected => "selected",
            Metric::FocusShare => "focus_share",
            Metric::Arrests => "arrests",
            Metric::ArrestRate => "arrest_rate",
            Metric::SmoothedRate => "smoothed_rate",
            Metric::PooledSmoothed => "pooled_smoothed",
            Metric::Change => "change",
            Metric::HotSpots => "hot_spots",
            Metric::Emerging => "emerging",
        }
    }

    /// The name shown in menus and legends.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Incidents => "Incident volume",
            Metric::Selected => "Selected incident volume",
            Metric::FocusShare => "Selected share",
            Metric::Arrests => "Arrests",
            Metric::ArrestRate => "Arrest rate",
            Metric::SmoothedRate => "Smoothed arrest rate",
            Metric::PooledSmoothed => "Neighbour-pooled rate",
            Metric::Change => "Change vs previous period",
            Metric::HotSpots => "Hot spots (Gi*)",
            Metric::Emerging => "Emerging hot spots",
        }
    }

    /// How the metric's colour range is computed (the old console's rules): incident counts
    /// use the robust count range, arrests and rates `[0, max]`, change is symmetric around
    /// zero.
    pub fn value_kind(self) -> ValueKind {
        match self {
            Metric::Incidents | Metric::Selected => ValueKind::Count,
            Metric::Change | Metric::HotSpots | Metric::Emerging => ValueKind::Signed,
            Metric::FocusShare
            | Metric::Arrests
            | Metric::ArrestRate
            | Metric::SmoothedRate
            | Metric::PooledSmoothed => ValueKind::Rate,
        }
    }

    /// Whether values are fractions of 1 shown as percentages (shares and rates).
    pub fn is_percent(self) -> bool {
        matches!(
            self,
            Metric::FocusShare | Metric::ArrestRate | Metric::SmoothedRate | Metric::PooledSmoothed
        )
    }

    /// The palette (by name, from `scripts/palettes.rhai`) the metric is drawn with unless a
    /// view names another: arrest metrics `arrests`, change `change`, volumes `volume`.
    pub fn default_palette(self) -> &'static str {
        if self.is_arrest_metric() {
            "arrests"
        } else if self == Metric::Change {
            "change"
        } else if self == Metric::HotSpots {
            "hotspots"
        } else if self == Metric::Emerging {
            "emerging"
        } else {
            "volume"
        }
    }

    /// The fixed colour range of metrics read against fixed levels rather than a data range:
    /// Gi* bins −3 … +3, emerging categories −8 … +8.
    pub fn fixed_domain(self) -> Option<(f32, f32)> {
        match self {
            Metric::HotSpots => Some((-3.0, 3.0)),
            Metric::Emerging => Some((-8.0, 8.0)),
            _ => None,
        }
    }

    /// Whether the metric's values name classes (one colour each, a legend of swatches)
    /// rather than measure an amount.
    pub fn is_categorical(self) -> bool {
        self == Metric::Emerging
    }

    /// Whether higher values mean better clearance (palettes reverse for these).
    pub fn is_arrest_metric(self) -> bool {
        matches!(
            self,
            Metric::Arrests | Metric::ArrestRate | Metric::SmoothedRate | Metric::PooledSmoothed
        )
    }

    /// Parses a metric name (`incidents`, `arrest_rate`, …).
    pub fn parse(name: &str) -> Option<Metric> {
        serde_json::from_value(serde_json::Value::String(
            name.trim().to_lowercase().replace(['-', ' '], "_"),
        ))
        .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_consistent_facts() {
        for m in Metric::ALL {
            // Names round-trip through the parser, in the spellings users type.
            let name = serde_json::to_value(m)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            assert_eq!(Metric::parse(&name), Some(m));
            assert_eq!(m.name(), name);
            assert_eq!(
                Metric::parse(&name.replace('_', "-").to_uppercase()),
                Some(m)
            );
            // A percentage is a fraction of 1, so its colour range is a rate's.
            if m.is_percent() {
                assert_eq!(m.value_kind(), ValueKind::Rate, "{m:?}");
            }
        }
        assert_eq!(Metric::parse("nope"), None);
        let percent: Vec<Metric> = Metric::ALL.into_iter().filter(|m| m.is_percent()).collect();
        assert_eq!(
            percent,
            [
                Metric::FocusShare,
                Metric::ArrestRate,
                Metric::SmoothedRate,
                Metric::PooledSmoothed
            ]
        );
        // Arrest counts are not percentages but use the rate range, as the old console did.
        assert!(!Metric::Arrests.is_percent());
        assert_eq!(Metric::Arrests.value_kind(), ValueKind::Rate);
        assert_eq!(Metric::Change.value_kind(), ValueKind::Signed);
        assert_eq!(Metric::Selected.value_kind(), ValueKind::Count);
        assert_eq!(Metric::ArrestRate.default_palette(), "arrests");
        assert_eq!(Metric::Change.default_palette(), "change");
        assert_eq!(Metric::FocusShare.default_palette(), "volume");
    }
}
