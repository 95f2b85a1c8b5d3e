//! What the analyst is looking at, and the settings that persist between runs.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use hotspot_scope::{Metric, Period, Scope, Selection, SortColumn, TableSpec};
use serde::{Deserialize, Serialize};

/// The view: everything a scope query and the map colouring depend on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewState {
    /// Resolution when not drilled.
    pub base_res: u8,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub types: BTreeSet<String>,
    pub categories: BTreeSet<String>,
    pub metric: Metric,
    /// Palette name (from the scripts); `None` picks the metric's default.
    pub palette: Option<String>,
    /// Drilled cells, coarse to fine.
    pub drill: Vec<u64>,
    pub focus_dow: Option<u8>,
    pub sort: SortColumn,
    pub sort_desc: bool,
    /// A title set by a scripted view.
    pub title: Option<String>,
    /// The predicate (from `predicates.rhai`) a scripted view highlights cells with.
    #[serde(default)]
    pub predicate: Option<String>,
    /// How hot spots are tested (neighbourhood ring k, FDR correction).
    #[serde(default)]
    pub hot_spots: hotspot_scope::HotSpotOptions,
    /// How emerging hot spots are analysed: step, time lag and α (k and FDR are those of
    /// `hot_spots`, one setting for both maps).
    #[serde(default = "console_emerging")]
    pub emerging: hotspot_scope::EmergingOptions,
    /// Compare with the same days a year earlier (default: the previous period of equal
    /// length).
    #[serde(default)]
    pub compare_last_year: bool,
    /// On the change map, the cells whose change is significant drawn in full and the rest
    /// dimmed.
    #[serde(default)]
    pub mark_significant: bool,
    /// The two periods side by side: the one compared with on the left, this one on the
    /// right, one camera.
    #[serde(default)]
    pub side_by_side: bool,
}

/// The console's emerging analysis: weekly steps, as its periods are weeks to months long.
fn console_emerging() -> hotspot_scope::EmergingOptions {
    hotspot_scope::EmergingOptions {
        step: hotspot_scope::Step::Week,
        ..Default::default()
    }
}

/// The longest time lag the console offers (steps each bin's neighbourhood reaches back).
pub const EMERGING_MAX_LAG: usize = 4;

/// The longest period the console analyses emerging hot spots for when the map does not show
/// them (for the quick hits): half a year, a few dozen weekly steps.
pub const EMERGING_FOR_QUICK_HITS_DAYS: i64 = 183;

impl ViewState {
    /// The default view over the lake's last 28 days, at the district scale.
    pub fn new(last_day: NaiveDate) -> Self {
        Self {
            base_res: 7,
            from: last_day - chrono::Days::new(27),
            to: last_day,
            types: BTreeSet::new(),
            categories: BTreeSet::new(),
            metric: Metric::Incidents,
            palette: None,
            drill: Vec::new(),
            focus_dow: None,
            sort: SortColumn::Selected,
            sort_desc: true,
            title: None,
            predicate: None,
            hot_spots: hotspot_scope::HotSpotOptions::default(),
            emerging: console_emerging(),
            compare_last_year: false,
            mark_significant: true,
            side_by_side: false,
        }
    }

    /// The emerging analysis the view asks for: always when the map shows it, otherwise for
    /// periods of up to [`EMERGING_FOR_QUICK_HITS_DAYS`] (quick hits name new and
    /// intensifying hot spots); k and FDR follow the hot-spot settings.
    pub fn emerging_options(&self) -> Option<hotspot_scope::EmergingOptions> {
        let days = (self.to - self.from).num_days() + 1;
        // For the quick hits only when the period holds two weekly steps: a shorter one (a
        // week's frame of the time bar) would only add a warning that it cannot be analysed.
        let wanted = self.effective_metric() == Metric::Emerging
            || (14..=EMERGING_FOR_QUICK_HITS_DAYS).contains(&days);
        wanted.then_some(hotspot_scope::EmergingOptions {
            k: self.hot_spots.k,
            fdr: self.hot_spots.fdr,
            ..self.emerging
        })
    }

    /// Whether an offence selection is active.
    pub fn selection_active(&self) -> bool {
        !self.types.is_empty() || !self.categories.is_empty()
    }

    /// The resolution shown: one finer than the drill target, or the base resolution.
    pub fn res(&self) -> u8 {
        match self.drill.last() {
            Some(c) => (hotspot_core::h3bits::resolution(*c) + 1).min(10),
            None => self.base_res,
        }
    }

    /// The metric actually shown: selection metrics fall back to volume without a selection.
    pub fn effective_metric(&self) -> Metric {
        match self.metric {
            Metric::Selected | Metric::FocusShare if !self.selection_active() => Metric::Incidents,
            m => m,
        }
    }

    /// The metrics offered in the menu, in order.
    pub fn metric_choices(&self) -> Vec<Metric> {
        let mut out = vec![Metric::Incidents];
        if self.selection_active() {
            out.extend([Metric::Selected, Metric::FocusShare]);
        }
        out.extend([
            Metric::Arrests,
            Metric::ArrestRate,
            Metric::SmoothedRate,
            Metric::PooledSmoothed,
            Metric::Change,
            Metric::HotSpots,
            Metric::Emerging,
        ]);
        out
    }

    /// The scope this view asks the engine.
    pub fn scope(&self, table_rows: usize) -> Scope {
        Scope {
            res: self.res(),
            period: Period::Range {
                from: self.from,
                to: self.to,
            },
            selection: Selection {
                types: self.types.iter().cloned().collect(),
                categories: self.categories.iter().cloned().collect(),
            },
            drill: self.drill.clone(),
            focus_dow: self.focus_dow,
            table: TableSpec {
                rows: table_rows,
                sort: self.sort,
                descending: self.sort_desc,
            },
            // The quick hits lead with significant hot spots; scripts see the Gi* columns.
            hot_spots: Some(self.hot_spots),
            emerging: self.emerging_options(),
            compare: self.compare_last_year.then(|| {
                let back =
                    |d: NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
                Period::Range {
                    from: back(self.from),
                    to: back(self.to),
                }
            }),
        }
    }
}

/// Light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    Dark,
    Light,
}

/// What persists between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub window_size: (u32, u32),
    pub ui_scale: f32,
    pub theme: ThemeChoice,
    pub view: Option<ViewState>,
    /// The lake `view` was saved on ([`hotspot_scope::Engine::lake_identity`]): a view is
    /// restored only on the same lake.
    #[serde(default)]
    pub view_lake: Option<String>,
    /// Hotspot-table columns the user hid.
    #[serde(default)]
    pub hidden_columns: Vec<String>,
    pub show_districts: bool,
    pub show_community_areas: bool,
    /// Street lines and names under the cells (from the lake's street skeleton).
    #[serde(default = "yes")]
    pub show_streets: bool,
    /// Ward and police-beat outlines (from the lake's area table).
    #[serde(default)]
    pub show_wards: bool,
    #[serde(default)]
    pub show_beats: bool,
    /// How opaque the cells are (0.2–1), so streets show through.
    #[serde(default = "default_cell_opacity")]
    pub cell_opacity: f32,
    /// A raster basemap's XYZ URL template (empty: none, and nothing is ever fetched).
    #[serde(default)]
    pub basemap_url: String,
    /// What the basemap's licence asks to show.
    #[serde(default)]
    pub basemap_attribution: String,
    /// The deepest zoom its server serves.
    #[serde(default = "default_basemap_max_zoom")]
    pub basemap_max_zoom: u8,
    /// Whether the basemap is drawn (it stays set when hidden).
    #[serde(default = "yes")]
    pub show_basemap: bool,
}

fn default_basemap_max_zoom() -> u8 {
    19
}

fn yes() -> bool {
    true
}

/// The cells' default opacity: the map's own.
fn default_cell_opacity() -> f32 {
    0.92
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            window_size: (1600, 1000),
            ui_scale: 1.0,
            theme: ThemeChoice::Dark,
            view: None,
            view_lake: None,
            hidden_columns: Vec::new(),
            show_districts: true,
            show_community_areas: false,
            show_streets: true,
            show_wards: false,
            show_beats: false,
            cell_opacity: default_cell_opacity(),
            basemap_url: String::new(),
            basemap_attribution: String::new(),
            basemap_max_zoom: default_basemap_max_zoom(),
            show_basemap: true,
        }
    }
}

impl Settings {
    /// `$HOTSPOT_CONFIG`, else `console.json` in the platform's config directory for
    /// "hotspot" (see [`directories::ProjectDirs::config_dir`]).
    pub fn default_path() -> Option<PathBuf> {
        if let Ok(p) = std::env::var("HOTSPOT_CONFIG") {
            return Some(PathBuf::from(p));
        }
        // ~/.config/hotspot (XDG) on Linux, ~/Library/Application Support/hotspot on macOS,
        // %APPDATA%\hotspot\config on Windows.
        directories::ProjectDirs::from("", "", "hotspot")
            .map(|dirs| dirs.config_dir().join("console.json"))
    }

    /// Loads settings; a missing or unreadable file gives the defaults (with a log line).
    pub fn load(path: Option<&std::path::Path>) -> Settings {
        let Some(path) = path else {
            return Settings::default();
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), "ignoring unreadable settings: {e}");
                Settings::default()
            }),
            Err(_) => Settings::default(),
        }
    }

    /// Saves settings atomically.
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        hotspot_core::lake::write_atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_follows_the_drill_and_metrics_follow_the_selection() {
        let mut v = ViewState::new(NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"));
        assert_eq!(v.res(), 7);
        assert_eq!(v.from, NaiveDate::from_ymd_opt(2024, 8, 19).expect("date"));
        v.drill.push(0x872664c1effffff);
        assert_eq!(v.res(), 8);
        v.metric = Metric::FocusShare;
        assert_eq!(v.effective_metric(), Metric::Incidents);
        assert!(!v.metric_choices().contains(&Metric::FocusShare));
        v.types.insert("THEFT".into());
        assert_eq!(v.effective_metric(), Metric::FocusShare);
        assert_eq!(v.metric_choices()[1], Metric::Selected);
        let s = v.scope(20);
        assert_eq!(s.res, 8);
        assert_eq!(s.selection.types, vec!["THEFT".to_string()]);
    }

    #[test]
    fn settings_round_trip() {
        let dir = std::env::temp_dir().join(format!("hotspot-settings-{}", std::process::id()));
        let path = dir.join("console.json");
        let s = Settings {
            ui_scale: 1.5,
            view: Some(ViewState::new(
                NaiveDate::from_ymd_opt(2024, 9, 15).expect("date"),
            )),
            ..Settings::default()
        };
        s.save(&path).expect("save");
        assert_eq!(Settings::load(Some(&path)), s);
        std::fs::write(&path, b"{not json").expect("write");
        assert_eq!(Settings::load(Some(&path)), Settings::default());
        let _ = std::fs::remove_dir_all(dir);
    }
}
