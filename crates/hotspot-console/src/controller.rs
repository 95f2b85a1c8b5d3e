//! The console's brain, without a window or a GPU: it owns the view, applies the overlay's
//! actions, asks the scope engine and the scripts, and tells the app what else to do.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hotspot_core::palette::Palette;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_core::time::naive_date;
use hotspot_scope::{Engine, Metric, Period, ScopeResult, Selection};
use hotspot_script::{Camera, ScriptHost};

use crate::state::{EMERGING_MAX_LAG, Settings, ViewState};
use crate::ui::{Action, MapInput, UiInput};
use crate::worker::{Request, Response};

/// Rows of the hotspot table the console asks for.
pub const TABLE_ROWS: usize = 25;

/// What the app must do after an action, beyond re-querying.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Requery,
    ToggleFullscreen,
    Screenshot,
    ExportCsv,
    FlyTo(u64),
    FitCamera(Camera),
    /// Fit the map to the cells of the current scope when its result arrives.
    FitToScope,
    Map(Action),
    StyleChanged,
    ContextChanged,
    /// Show these GeoJSON layers (a view's), besides the ones given on the command line.
    ShowLayers(Vec<PathBuf>),
    /// The basemap source or its visibility changed (settings hold the new state).
    BasemapChanged,
    /// The time bar opened, closed or needs another timeline: build it, or take it off.
    TimelineChanged,
    /// The playhead moved: the map shows this position of the timeline.
    TimelinePosition(f32),
    /// Write the playing timeline as an animation of the current view.
    ExportAnimation,
}

/// View state, engine, scripts and the latest result.
pub struct Controller {
    pub view: ViewState,
    pub settings: Settings,
    settings_path: Option<PathBuf>,
    pub engine: Engine,
    pub scripts: ScriptHost,
    pub taxonomy: Arc<Taxonomy>,
    pub result: Option<Arc<ScopeResult>>,
    pub quick_hits: Vec<String>,
    quick_hits_error: Option<String>,
    /// The view predicate's flags, aligned with `result.cells` (None without a predicate or
    /// when it failed).
    pub highlight: Option<Arc<Vec<bool>>>,
    highlight_error: Option<String>,
    query_error: Option<String>,
    /// A transient message, when it was set and for how long it shows.
    status: Option<(String, Instant, Duration)>,
    next_id: u64,
    applied_id: u64,
    pub types: Vec<String>,
    pub categories: Vec<String>,
    pub selections: Vec<(String, Selection)>,
    pub palette_names: Vec<String>,
    pub views: Vec<(String, String)>,
    /// Playback through time: the timeline on the map and the playhead.
    pub timebar: crate::timebar::TimeBar,
    /// Which cells' change is significant, aligned with the result's cells (None when the
    /// comparison was not tested).
    significant: Option<Vec<bool>>,
    /// The CompStat table of the week ending on the view's last day (or why there is none).
    pub compstat: Option<std::result::Result<Arc<hotspot_scope::CompStat>, String>>,
}

impl Controller {
    /// A controller over an opened lake and scripts, restoring the last view when it still fits.
    pub fn new(
        engine: Engine,
        scripts: ScriptHost,
        settings: Settings,
        settings_path: Option<PathBuf>,
    ) -> Self {
        let (first, last) = engine.date_range();
        // A view saved on another lake may sit on a period this one barely covers: start such
        // a lake from its latest 28 days, and say so.
        let same_lake =
            settings.view_lake.is_none() || settings.view_lake.as_deref() == engine.lake_identity();
        let restored = settings
            .view
            .clone()
            .filter(|v| same_lake && covers(first, last, v.from, v.to));
        let other_lake = settings.view.is_some() && restored.is_none();
        let view = restored.unwrap_or_else(|| ViewState::new(last));
        let mut c = Controller {
            view,
            settings,
            settings_path,
            types: engine.types().to_vec(),
            engine,
            scripts,
            taxonomy: Arc::new(Taxonomy::default()),
            result: None,
            quick_hits: Vec::new(),
            quick_hits_error: None,
            highlight: None,
            highlight_error: None,
            query_error: None,
            status: None,
            next_id: 0,
            applied_id: 0,
            categories: Vec::new(),
            selections: Vec::new(),
            palette_names: Vec::new(),
            views: Vec::new(),
            timebar: crate::timebar::TimeBar::default(),
            compstat: None,
            significant: None,
        };
        c.refresh_script_data();
        if other_lake {
            c.set_status_for(
                format!(
                    "The last view does not fit this lake: showing its latest 28 days ({} – {})",
                    c.view.from.format("%-d %b %Y"),
                    c.view.to.format("%-d %b %Y")
                ),
                Duration::from_secs(15),
            );
        }
        c
    }

    /// Re-reads everything the scripts define (after a reload).
    pub fn refresh_script_data(&mut self) {
        let taxonomy = self.scripts.taxonomy();
        self.categories = taxonomy.categories().to_vec();
        self.taxonomy = Arc::new(taxonomy);
        self.selections = self
            .scripts
            .selections()
            .into_iter()
            .map(|s| (s.name, s.selection))
            .collect();
        self.palette_names = self
            .scripts
            .palettes()
            .into_iter()
            .map(|p| p.name)
            .collect();
        self.views = self
            .scripts
            .views()
            .into_iter()
            .map(|v| (v.name, v.title))
            .collect();
    }

    /// The next query request for the current view.
    pub fn request(&mut self) -> Request {
        self.next_id += 1;
        Request {
            id: self.next_id,
            scope: self.view.scope(TABLE_ROWS),
            taxonomy: self.taxonomy.clone(),
        }
    }

    /// Takes a finished query; stale answers (an older request) are dropped. Returns whether
    /// the shown result changed.
    pub fn accept(&mut self, response: Response) -> bool {
        if response.id < self.applied_id {
            return false;
        }
        self.applied_id = response.id;
        match response.result {
            Ok(result) => {
                self.query_error = None;
                self.run_scripts(&result);
                self.significant = result.comparison.tested.then(|| {
                    result
                        .comparison
                        .change_sig
                        .iter()
                        .map(|s| *s != 0)
                        .collect()
                });
                self.result = Some(result);
                self.refresh_compstat();
                true
            }
            Err(e) => {
                self.query_error = Some(e);
                true
            }
        }
    }

    /// Runs the current query on this thread (tests, headless, first frame).
    pub fn query_now(&mut self) {
        let request = self.request();
        let result = self
            .engine
            .query(&request.scope, &request.taxonomy)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        self.accept(Response {
            id: request.id,
            result,
        });
    }

    /// Runs what the scripts say about a new result: the quick hits, and the view's predicate.
    fn run_scripts(&mut self, result: &ScopeResult) {
        match self.scripts.quick_hits(result) {
            Ok(hits) => {
                self.quick_hits = hits;
                self.quick_hits_error = None;
            }
            Err(e) => self.quick_hits_error = Some(e.to_string()),
        }
        self.highlight = None;
        self.highlight_error = None;
        if let Some(name) = self.view.predicate.clone() {
            match self.scripts.predicate(&name, result) {
                Ok(mask) => self.highlight = Some(Arc::new(mask)),
                Err(e) => self.highlight_error = Some(format!("predicate `{name}`: {e}")),
            }
        }
    }

    /// The view's predicate and what it picked, for the map.
    pub fn highlight(&self) -> Option<hotspot_present::Highlight<'_>> {
        if let (Some(name), Some(mask)) =
            (self.view.predicate.as_deref(), self.highlight.as_deref())
        {
            return Some(hotspot_present::Highlight { name, mask });
        }
        // The change map marks the cells whose change is significant.
        if self.view.mark_significant && self.view.effective_metric() == Metric::Change {
            let mask = self.significant.as_deref()?;
            return Some(hotspot_present::Highlight {
                name: "significant change (5 % FDR)",
                mask,
            });
        }
        None
    }

    /// Applies pending script reloads; returns whether anything changed (re-query then).
    pub fn poll_scripts(&mut self) -> bool {
        let changed = !self.scripts.poll().is_empty();
        if changed {
            self.refresh_script_data();
            if let Some(r) = self.result.clone() {
                self.run_scripts(&r);
            }
        }
        changed
    }

    /// Every error to show: script errors (the last good version stays in effect), the quick
    /// hits' runtime error, a failed query.
    pub fn errors(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .scripts
            .errors()
            .iter()
            .map(ToString::to_string)
            .collect();
        if let Some(e) = &self.quick_hits_error
            && !out.contains(e)
        {
            out.push(e.clone());
        }
        if let Some(e) = &self.highlight_error {
            out.push(e.clone());
        }
        if let Some(e) = &self.query_error {
            out.push(format!("query failed: {e}"));
        }
        out
    }

    /// Shows a transient message for a few seconds.
    pub fn set_status(&mut self, text: impl Into<String>) {
        self.set_status_for(text, Duration::from_secs(5));
    }

    /// A message that shows for `duration`.
    pub fn set_status_for(&mut self, text: impl Into<String>, duration: Duration) {
        self.status = Some((text.into(), Instant::now(), duration));
    }

    /// The transient message, if still fresh.
    pub fn status(&self) -> Option<&str> {
        self.status
            .as_ref()
            .filter(|(_, t, d)| t.elapsed() < *d)
            .map(|(s, _, _)| s.as_str())
    }

    /// The palette for the current metric (the view's named palette, else the metric's default).
    pub fn palette(&self) -> Palette {
        let metric = self.view.effective_metric();
        self.view
            .palette
            .as_deref()
            .and_then(|name| self.scripts.palette(name))
            .unwrap_or_else(|| self.scripts.palette_for(metric))
    }

    /// The overlay's input for this frame.
    pub fn ui_input<'a>(
        &'a self,
        errors: &'a [String],
        map: MapInput,
        busy: bool,
        wall: bool,
    ) -> UiInput<'a> {
        UiInput {
            view: &self.view,
            result: self.result.as_deref(),
            busy,
            types: &self.types,
            categories: &self.categories,
            named_selections: &self.selections,
            palettes: &self.palette_names,
            views: &self.views,
            quick_hits: &self.quick_hits,
            script_errors: errors,
            date_range: self.engine.date_range(),
            settings: &self.settings,
            map,
            wall,
            status: self.status(),
            timebar: &self.timebar,
            compstat: self.compstat.as_ref(),
            wall_screen: None,
            alerts: &[],
        }
    }

    /// Saves the settings (with the current view) where they live.
    pub fn save_settings(&mut self) {
        self.settings.view = Some(self.view.clone());
        self.settings.view_lake = self.engine.lake_identity().map(str::to_string);
        if let Some(path) = &self.settings_path
            && let Err(e) = self.settings.save(path)
        {
            tracing::warn!(path = %path.display(), "cannot save settings: {e}");
        }
    }

    fn selection_changed(&mut self, was_active: bool) {
        let now = self.view.selection_active();
        if !was_active && now && self.view.metric == Metric::Incidents {
            // Filters flip the default metric to the selected volume (as the old console did).
            self.view.metric = Metric::Selected;
        }
        if was_active && !now && matches!(self.view.metric, Metric::Selected | Metric::FocusShare) {
            self.view.metric = Metric::Incidents;
        }
    }

    /// Applies a scripted view by name.
    /// Switches to a newer generation of the lake, keeping the view. A view that ended on the
    /// lake's last day moves with it (same length), so "the latest days" stay the latest.
    pub fn replace_engine(&mut self, engine: Engine) -> Vec<Effect> {
        let old_last = self.engine.date_range().1;
        let new_last = engine.date_range().1;
        if self.view.to == old_last && new_last > old_last {
            let shift = new_last - old_last;
            self.view.from += shift;
            self.view.to = new_last;
        }
        self.types = engine.types().to_vec();
        self.engine = engine;
        self.compstat = None;
        let mut effects = vec![Effect::Requery];
        if self.timebar.open {
            effects.push(Effect::TimelineChanged);
        }
        effects
    }

    /// Shows an alert's cell over the window that fired: its resolution, citywide (the
    /// neighbours give the surge its context), all offences, the camera on the cell.
    pub fn apply_alert_view(&mut self, alert: &hotspot_scope::alerts::Alert) -> Vec<Effect> {
        self.view.from = alert.from;
        self.view.to = alert.to;
        self.view.types.clear();
        self.view.categories.clear();
        self.view.drill.clear();
        self.view.base_res = alert.res;
        self.view.metric = hotspot_scope::Metric::Incidents;
        self.view.palette = None;
        self.view.title = Some(format!("ALERT · {}", alert.place));
        self.view.predicate = None;
        self.highlight = None;
        // The camera on the cell's parent, so its neighbours show what the surge stands out
        // from (the cell itself blinks).
        let around = if alert.res > 6 {
            hotspot_core::h3bits::parent(alert.cell, alert.res - 1)
        } else {
            alert.cell
        };
        vec![Effect::Requery, Effect::FlyTo(around)]
    }

    pub fn apply_view(&mut self, name: &str) -> Vec<Effect> {
        match self.scripts.view(name, self.engine.date_range()) {
            Ok(spec) => {
                let (from, to) = match &spec.scope.period {
                    Period::Range { from, to } => (*from, *to),
                    Period::Months(m) => {
                        let first = m.iter().min().copied();
                        let last = m.iter().max().copied();
                        match (first, last) {
                            (Some(a), Some(b)) => {
                                (naive_date(a.first_day()), naive_date(b.end_day() - 1))
                            }
                            _ => (self.view.from, self.view.to),
                        }
                    }
                };
                self.view.from = from;
                self.view.to = to;
                self.view.types = spec.scope.selection.types.iter().cloned().collect();
                self.view.categories = spec.scope.selection.categories.iter().cloned().collect();
                self.view.drill = spec.drill.clone();
                if spec.drill.is_empty() {
                    self.view.base_res = spec.scope.res;
                }
                self.view.metric = spec.metric;
                self.view.palette = Some(spec.palette.clone());
                self.view.title = Some(spec.title.clone());
                self.view.focus_dow = spec.scope.focus_dow;
                self.view.predicate = spec.predicate.clone();
                let mut effects = vec![Effect::Requery, Effect::FitCamera(spec.camera)];
                if let Some(c) = spec.context {
                    effects.push(Effect::ShowLayers(c.layers.clone()));
                    self.settings.show_streets = c.streets;
                    self.settings.show_districts = c.districts;
                    self.settings.show_community_areas = c.community_areas;
                    self.settings.show_wards = c.wards;
                    self.settings.show_beats = c.beats;
                    effects.push(Effect::ContextChanged);
                    if let Some(t) = &c.tiles {
                        let s = &mut self.settings;
                        s.basemap_url = t.url.trim().to_string();
                        s.basemap_attribution = t.attribution.clone();
                        s.basemap_max_zoom = t.max_zoom.unwrap_or(19);
                        s.show_basemap = true;
                        effects.push(Effect::BasemapChanged);
                    }
                }
                if let Some(e) = spec.scope.emerging {
                    self.view.emerging = e;
                    self.view.hot_spots.k = e.k;
                    self.view.hot_spots.fdr = e.fdr;
                }
                if let Some(note) = &spec.note {
                    self.set_status(note.clone());
                }
                effects
            }
            Err(e) => {
                self.set_status(format!("view {name}: {e}"));
                Vec::new()
            }
        }
    }

    /// Applies one overlay action.
    pub fn apply(&mut self, action: &Action) -> Vec<Effect> {
        let was_active = self.view.selection_active();
        let v = &mut self.view;
        let effects = match action {
            Action::SetResolution(r) => {
                v.base_res = *r;
                v.drill.clear();
                v.focus_dow = None;
                v.title = None;
                vec![Effect::Requery]
            }
            Action::SetPeriod(from, to) => {
                v.from = *from;
                v.to = (*to).max(*from);
                // A period picked by hand ends playback (the picked period stays).
                if self.timebar.open {
                    self.timebar.close();
                    vec![Effect::Requery, Effect::TimelineChanged]
                } else {
                    vec![Effect::Requery]
                }
            }
            Action::TimelineOpen => {
                v.side_by_side = false;
                self.timebar.open((v.from, v.to));
                vec![Effect::TimelineChanged]
            }
            Action::TimelineClose => {
                if let Some((from, to)) = self.timebar.close() {
                    v.from = from;
                    v.to = to;
                }
                vec![Effect::Requery, Effect::TimelineChanged]
            }
            Action::TimelinePlay(on) => {
                self.timebar.play(*on);
                Vec::new()
            }
            Action::TimelineSeek(p) => {
                let f = self.timebar.seek(*p);
                self.follow(f)
            }
            Action::TimelineStep(by) => {
                let f = self.timebar.step(*by);
                self.follow(f)
            }
            Action::SetTimeline(t) => {
                self.timebar.timeline = *t;
                self.timebar.playing = false;
                vec![Effect::TimelineChanged]
            }
            Action::SetTimelineSpeed(fps) => {
                self.timebar.speed = if fps.is_finite() {
                    fps.clamp(0.1, 60.0)
                } else {
                    2.0
                };
                Vec::new()
            }
            Action::SetTimelineLoop(on) => {
                self.timebar.looping = *on;
                Vec::new()
            }
            Action::ExportAnimation => {
                if self.timebar.frames() > 0 {
                    vec![Effect::ExportAnimation]
                } else {
                    Vec::new()
                }
            }
            Action::ToggleType(t) => {
                if !v.types.remove(t) {
                    v.types.insert(t.clone());
                }
                vec![Effect::Requery]
            }
            Action::ToggleCategory(c) => {
                if !v.categories.remove(c) {
                    v.categories.insert(c.clone());
                }
                vec![Effect::Requery]
            }
            Action::SetSelection(s) => {
                v.types = s.types.iter().cloned().collect();
                v.categories = s.categories.iter().cloned().collect();
                vec![Effect::Requery]
            }
            Action::ClearSelection => {
                v.types.clear();
                v.categories.clear();
                vec![Effect::Requery]
            }
            Action::SetMetric(m) => {
                v.metric = *m;
                vec![Effect::Requery]
            }
            Action::SetPalette(p) => {
                v.palette = p.clone();
                vec![Effect::Requery]
            }
            Action::ApplyView(name) => {
                let name = name.clone();
                return self.apply_view(&name);
            }
            Action::DrillInto(cell) => {
                if v.res() >= hotspot_core::res::MAX_RES {
                    self.set_status("Already at the finest resolution (Micro-block, r10).");
                    return Vec::new();
                }
                v.drill.push(*cell);
                v.focus_dow = None;
                vec![Effect::Requery, Effect::FitToScope]
            }
            Action::TruncateDrill(n) => {
                v.drill.truncate(*n);
                v.focus_dow = None;
                vec![Effect::Requery, Effect::FitToScope]
            }
            Action::StepBack => {
                if v.drill.pop().is_none() {
                    return Vec::new();
                }
                v.focus_dow = None;
                vec![Effect::Requery, Effect::FitToScope]
            }
            Action::ResetView => {
                v.drill.clear();
                v.focus_dow = None;
                vec![Effect::Requery, Effect::FitCamera(Camera::Citywide)]
            }
            Action::FocusDow(d) => {
                v.focus_dow = *d;
                vec![Effect::Requery]
            }
            Action::CompareLastYear(on) => {
                v.compare_last_year = *on;
                if *on {
                    v.metric = Metric::Change;
                }
                vec![Effect::Requery]
            }
            Action::SideBySide(on) => {
                v.side_by_side = *on;
                // One timeline at a time: the time bar gives way.
                if *on && self.timebar.open {
                    if let Some((from, to)) = self.timebar.close() {
                        self.view.from = from;
                        self.view.to = to;
                    }
                    vec![Effect::Requery, Effect::TimelineChanged]
                } else {
                    vec![Effect::Requery]
                }
            }
            Action::MarkSignificant(on) => {
                v.mark_significant = *on;
                vec![Effect::StyleChanged, Effect::Requery]
            }
            Action::SortTable(col) => {
                if v.sort == *col {
                    v.sort_desc = !v.sort_desc;
                } else {
                    v.sort = *col;
                    v.sort_desc = true;
                }
                vec![Effect::Requery]
            }
            Action::FlyTo(cell) => vec![Effect::FlyTo(*cell)],
            Action::ToggleFullscreen => vec![Effect::ToggleFullscreen],
            Action::ReloadScripts => {
                self.scripts.reload_all();
                self.refresh_script_data();
                self.set_status("Scripts reloaded");
                vec![Effect::Requery]
            }
            Action::SaveScreenshot => vec![Effect::Screenshot],
            Action::ExportCsv => vec![Effect::ExportCsv],
            Action::SetTheme(t) => {
                self.settings.theme = *t;
                self.save_settings();
                vec![Effect::StyleChanged]
            }
            Action::SetUiScale(s) => {
                self.settings.ui_scale = s.clamp(0.5, 3.0);
                self.save_settings();
                vec![Effect::StyleChanged]
            }
            Action::ShowDistricts(b) => {
                self.settings.show_districts = *b;
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::SetHotSpotOptions(o) => {
                v.hot_spots = hotspot_scope::HotSpotOptions {
                    k: o.k.clamp(1, hotspot_scope::MAX_K),
                    fdr: o.fdr,
                };
                vec![Effect::Requery]
            }
            Action::SetEmergingOptions(o) => {
                let alpha = if o.alpha > 0.0 && o.alpha < 1.0 {
                    o.alpha
                } else {
                    v.emerging.alpha
                };
                v.emerging = hotspot_scope::EmergingOptions {
                    time_lag: o.time_lag.min(EMERGING_MAX_LAG),
                    alpha,
                    ..*o
                };
                vec![Effect::Requery]
            }
            Action::ClearHighlight => {
                v.predicate = None;
                self.highlight = None;
                self.highlight_error = None;
                vec![Effect::Requery]
            }
            Action::ToggleColumn(title) => {
                let hidden = &mut self.settings.hidden_columns;
                match hidden.iter().position(|h| h == title) {
                    Some(i) => {
                        hidden.remove(i);
                    }
                    None => hidden.push(title.clone()),
                }
                self.save_settings();
                Vec::new()
            }
            Action::ShowCommunityAreas(b) => {
                self.settings.show_community_areas = *b;
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::ShowStreets(b) => {
                self.settings.show_streets = *b;
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::ShowWards(b) => {
                self.settings.show_wards = *b;
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::ShowBeats(b) => {
                self.settings.show_beats = *b;
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::SetBasemap(url, attribution, max_zoom) => {
                let s = &mut self.settings;
                s.basemap_url = url.trim().to_string();
                s.basemap_attribution = attribution.trim().to_string();
                s.basemap_max_zoom = (*max_zoom).min(22);
                s.show_basemap = !s.basemap_url.is_empty();
                self.save_settings();
                vec![Effect::BasemapChanged]
            }
            Action::ShowBasemap(b) => {
                self.settings.show_basemap = *b;
                self.save_settings();
                vec![Effect::BasemapChanged]
            }
            Action::SetCellOpacity(o) => {
                self.settings.cell_opacity = if o.is_finite() {
                    o.clamp(0.2, 1.0)
                } else {
                    0.92
                };
                self.save_settings();
                vec![Effect::ContextChanged]
            }
            Action::MapResized(..)
            | Action::MapPan(..)
            | Action::MapZoom(..)
            | Action::MapHover(..)
            | Action::MapClick(..) => {
                vec![Effect::Map(action.clone())]
            }
        };
        self.selection_changed(was_active);
        effects
    }

    /// Rebuilds the CompStat table when the view's last day moved (a few milliseconds).
    fn refresh_compstat(&mut self) {
        let week_ending = self.view.to.min(self.engine.date_range().1);
        let current = match &self.compstat {
            Some(Ok(t)) => Some(t.week_ending),
            _ => None,
        };
        if current == Some(week_ending) {
            return;
        }
        self.compstat = Some(
            self.engine
                .compstat(week_ending, &self.taxonomy)
                .map(Arc::new)
                .map_err(|e| e.to_string()),
        );
    }

    /// What the view's timeline is built for.
    pub fn timeline_key(&self) -> crate::timebar::TimelineKey {
        crate::timebar::TimelineKey {
            res: self.view.res(),
            selection: self.view.scope(0).selection,
            drill: self.view.drill.clone(),
            metric: self.view.effective_metric(),
            timeline: self.timebar.timeline,
        }
    }

    /// The timeline to build now, if the time bar needs one: the view's scope over the
    /// lake's whole date range.
    pub fn timeline_job(&mut self) -> Option<crate::timebar::TimelineJob> {
        let key = self.timeline_key();
        let (first, last) = self.engine.date_range();
        let mut scope = self.view.scope(0);
        scope.period = hotspot_scope::Period::Range {
            from: first,
            to: last,
        };
        scope.hot_spots = None;
        scope.emerging = None;
        self.timebar.job(scope, key)
    }

    /// Builds the pending timeline here and now (tests, and callers without threads).
    pub fn build_timeline_now(&mut self) -> bool {
        let Some(job) = self.timeline_job() else {
            return false;
        };
        let result = self
            .engine
            .timeline(&job.scope, &self.taxonomy, job.key.timeline)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        self.accept_timeline(job.id, job.key, result)
    }

    /// Takes a built timeline; returns whether the map should show it (its effects follow
    /// from [`Controller::timeline_effects`]).
    pub fn accept_timeline(
        &mut self,
        id: u64,
        key: crate::timebar::TimelineKey,
        result: std::result::Result<Arc<hotspot_scope::TimelineMatrix>, String>,
    ) -> bool {
        let shown = self.timebar.accept(id, key, result);
        if let Some(e) = self.timebar.error() {
            let e = e.to_string();
            self.set_status(format!("Cannot play this view: {e}"));
        }
        shown
    }

    /// The effects of the playhead where it is now (after a new timeline).
    pub fn timeline_effects(&mut self) -> Vec<Effect> {
        let p = self.timebar.position;
        let f = self.timebar.seek(p);
        self.follow(f)
    }

    /// Advances playback by `dt` seconds.
    pub fn tick(&mut self, dt: f64) -> Vec<Effect> {
        let f = self.timebar.tick(dt);
        self.follow(f)
    }

    /// The view follows the playhead: a new frame becomes the period the KPIs, charts and
    /// table show.
    fn follow(&mut self, f: crate::timebar::Follow) -> Vec<Effect> {
        use crate::timebar::Follow;
        match f {
            Follow::Nothing => Vec::new(),
            Follow::Position(p) => vec![Effect::TimelinePosition(p)],
            Follow::Frame(p, from, to) => {
                self.view.from = from;
                self.view.to = to;
                vec![Effect::TimelinePosition(p), Effect::Requery]
            }
        }
    }

    /// The hotspot table of the current result as CSV (all columns, header first), with each
    /// row's Gi* z, p and bin and its emerging category and trend where the scope computed
    /// them (empty fields otherwise).
    pub fn table_csv(&self) -> String {
        let mut out = String::from(
            "cell,label,block,street,incidents,selected,dominant_type,district,ward,community_area,focus_share,arrests,arrest_rate,wilson_lo,wilson_hi,previous_selected,gi_z,gi_p,gi_bin,ehsa,trend_tau,trend_p\n",
        );
        let Some(r) = &self.result else { return out };
        let q = |s: &str| {
            let mut b = Vec::new();
            hotspot_core::csv::write_field(&mut b, s);
            String::from_utf8_lossy(&b).into_owned()
        };
        let n = |v: Option<u8>| v.map(|x| x.to_string()).unwrap_or_default();
        let f = |v: f64| {
            if v.is_finite() {
                format!("{v:.4}")
            } else {
                String::new()
            }
        };
        for row in &r.table {
            let gi = r
                .hot_spots
                .as_ref()
                .and_then(|h| h.of(row.cell))
                .map_or_else(
                    || ",,".to_string(),
                    |(z, p, b)| format!("{},{},{b}", f(z), f(p)),
                );
            let ehsa = r
                .emerging
                .as_ref()
                .and_then(|e| e.stats.of(row.cell))
                .map_or_else(
                    || ",,".to_string(),
                    |(c, tau, p)| format!("{},{},{}", q(&c.name()), f(tau), f(p)),
                );
            out.push_str(&format!(
                "{:015x},{},{},{},{},{},{},{},{},{},{:.4},{},{:.4},{:.4},{:.4},{},{gi},{ehsa}\n",
                row.cell,
                q(&row.label),
                q(row.block.as_deref().unwrap_or("")),
                q(row.street.as_deref().unwrap_or("")),
                row.incidents,
                row.selected,
                q(row.dominant_type.as_deref().unwrap_or("")),
                n(row.district),
                n(row.ward),
                n(row.community_area),
                row.focus_share,
                row.arrests,
                row.arrest_rate,
                row.wilson_lo,
                row.wilson_hi,
                row.previous_selected
            ));
        }
        out
    }
}

/// Whether the lake's days `first..=last` cover a saved view's `from..=to` well enough to
/// restore it: the view ends inside the lake, and the lake holds at least half of the view's
/// days (or of its own, when the lake is shorter than the view).
fn covers(first: NaiveDate, last: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    if to < first || to > last || from > to {
        return false;
    }
    let days = |a: NaiveDate, b: NaiveDate| (b - a).num_days() + 1;
    let overlap = days(from.max(first), to);
    2 * overlap >= days(from, to).min(days(first, last))
}

#[cfg(test)]
mod tests {
    use super::covers;
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).expect("date")
    }

    #[test]
    fn a_saved_view_is_restored_only_where_the_lake_covers_it() {
        // A 15-day lake and a 28-day view ending on its last day: the whole lake is in view.
        assert!(covers(d(9, 1), d(9, 15), d(8, 19), d(9, 15)));
        // A long lake: the view lies inside.
        assert!(covers(d(1, 1), d(9, 15), d(8, 19), d(9, 15)));
        // Ends after the lake, or before it starts.
        assert!(!covers(d(1, 1), d(9, 15), d(9, 1), d(9, 20)));
        assert!(!covers(d(6, 1), d(9, 15), d(4, 1), d(5, 31)));
        // A year's view of which the lake (which runs on for months) holds 3 days: barely
        // covered.
        let year_ago = NaiveDate::from_ymd_opt(2023, 9, 16).expect("date");
        assert!(!covers(d(9, 13), d(12, 31), year_ago, d(9, 15)));
        // A year's view over a lake of nine months: most of it is there.
        assert!(covers(
            d(1, 1),
            d(9, 15),
            NaiveDate::from_ymd_opt(2023, 9, 16).expect("date"),
            d(9, 15)
        ));
    }
}
