//! The script host: loads the scripts directory, keeps the last good version of every script,
//! runs scripts under the sandbox, and reloads edited scripts.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hotspot_core::palette::Palette;
use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Metric, ScopeResult, Selection};
use rhai::{AST, Dynamic, Engine, FnAccess, FuncArgs, Scope};

use crate::api::{Cells, Column, Mask};
use crate::data::{NamedSelection, TaxonomyDef};
use crate::error::{ErrorKind, ScriptError};
use crate::sandbox::{Limits, Meter};
use crate::views::{ViewDef, ViewInfo, ViewSpec};
use crate::{convert, data, defaults, views};

/// What a script file is for, decided by its path in the scripts directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Palettes,
    Taxonomy,
    QuickHits,
    Predicates,
    Playlist,
    Alerts,
    View,
    /// Anything else: a module other scripts may `import`.
    Module,
}

fn role_of(rel: &str) -> Role {
    match rel {
        "palettes.rhai" => Role::Palettes,
        "taxonomy.rhai" => Role::Taxonomy,
        "quick_hits.rhai" => Role::QuickHits,
        "predicates.rhai" => Role::Predicates,
        "playlist.rhai" => Role::Playlist,
        "alerts.rhai" => Role::Alerts,
        _ if rel.starts_with("views/") && rel.matches('/').count() == 1 => Role::View,
        _ => Role::Module,
    }
}

/// A script reloaded by [`ScriptHost::poll`] or [`ScriptHost::reload_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reload {
    /// The script as the user knows it: `scripts/palettes.rhai`.
    pub file: String,
    /// `None` when the new version is in effect; otherwise why the last good one stays.
    pub error: Option<ScriptError>,
}

/// A script whose functions the host calls (quick hits, predicates).
#[derive(Clone)]
struct FnScript {
    /// The newest version that compiles.
    current: Arc<AST>,
    /// The newest version that also ran without error.
    good: Option<Arc<AST>>,
    /// Display name of the file.
    file: String,
}

#[derive(Clone, Debug)]
struct ErrorSlot {
    error: ScriptError,
    /// Raised while loading (the file's newest version is not in effect), not while running.
    from_load: bool,
}

/// State that changes while scripts run (behind a mutex, so calls take `&self`).
#[derive(Default)]
struct RunState {
    fns: BTreeMap<String, FnScript>,
    errors: BTreeMap<String, ErrorSlot>,
}

struct Watch {
    _watcher: notify::RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
    /// Changed files and when they last changed.
    pending: BTreeMap<PathBuf, Instant>,
    /// When a new directory appeared (everything is looked at again once it settles).
    rescan: Option<Instant>,
}

/// How long a file must stay unchanged before it is reloaded (editors write in steps).
const DEBOUNCE: Duration = Duration::from_millis(120);

/// The scripting host: every script of one scripts directory, sandboxed and hot-reloaded.
///
/// Scripts run when the caller asks (once per change of scope or script), never per cell or
/// per frame. Query methods take `&self`; reloading takes `&mut self`.
pub struct ScriptHost {
    dir: PathBuf,
    /// Whether `dir` exists (otherwise the built-in defaults are used).
    on_disk: bool,
    root: String,
    limits: Limits,
    engine: Engine,
    meter: Arc<Meter>,
    run: Mutex<RunState>,
    palettes: Vec<Palette>,
    taxonomy: TaxonomyDef,
    views: BTreeMap<String, (PathBuf, ViewDef)>,
    playlist: Vec<(String, u32)>,
    alerts: Vec<hotspot_scope::alerts::AlertRule>,
    hashes: HashMap<String, u64>,
    watch: Option<Mutex<Watch>>,
    generation: u64,
}

impl std::fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptHost")
            .field("dir", &self.dir)
            .field("generation", &self.generation)
            .field("palettes", &self.palettes.len())
            .field("views", &self.views.len())
            .finish_non_exhaustive()
    }
}

fn hash_text(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl ScriptHost {
    /// Loads every script of `dir` with the default [`Limits`]. Never fails: a script that does
    /// not load is reported by [`ScriptHost::errors`] and its built-in default stays in effect.
    /// A missing directory gives the built-in default scripts.
    pub fn open(dir: impl AsRef<Path>) -> ScriptHost {
        Self::with_limits(dir, Limits::default())
    }

    /// [`ScriptHost::open`] with other limits.
    pub fn with_limits(dir: impl AsRef<Path>, limits: Limits) -> ScriptHost {
        let given = dir.as_ref();
        let on_disk = given.is_dir();
        let dir = if on_disk {
            given.canonicalize().unwrap_or_else(|_| given.to_path_buf())
        } else {
            given.to_path_buf()
        };
        let root = dir.file_name().map_or_else(
            || "scripts".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if limits.max_memory > 0 && !crate::alloc::installed() {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                tracing::warn!(
                    "script memory limit not enforced: the global allocator is not hotspot_script::Metered"
                )
            });
        }
        let (engine, meter) = crate::sandbox::engine(&dir, &root, &limits);
        let mut host = ScriptHost {
            dir,
            on_disk,
            root,
            limits,
            engine,
            meter,
            run: Mutex::new(RunState::default()),
            palettes: Vec::new(),
            taxonomy: TaxonomyDef::default(),
            views: BTreeMap::new(),
            playlist: Vec::new(),
            alerts: Vec::new(),
            hashes: HashMap::new(),
            watch: None,
            generation: 0,
        };
        host.load_builtins();
        host.reload_all();
        host
    }

    /// Starts watching the scripts directory; [`ScriptHost::poll`] then applies edits.
    pub fn watch(&mut self) -> Result<(), ScriptError> {
        use notify::Watcher;
        if self.watch.is_some() {
            return Ok(());
        }
        let io = |e: notify::Error| {
            ScriptError::plain(
                &self.root,
                ErrorKind::Io,
                format!("cannot watch {}: {e}", self.dir.display()),
            )
        };
        let (tx, rx) = channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(io)?;
        watcher
            .watch(&self.dir, notify::RecursiveMode::Recursive)
            .map_err(io)?;
        self.watch = Some(Mutex::new(Watch {
            _watcher: watcher,
            rx,
            pending: BTreeMap::new(),
            rescan: None,
        }));
        Ok(())
    }

    /// Applies edits seen by the watcher (debounced); never blocks. Returns the scripts that
    /// were reloaded, each with the error that kept its last good version, if any.
    pub fn poll(&mut self) -> Vec<Reload> {
        let Some(watch) = self.watch.as_mut() else {
            return Vec::new();
        };
        let watch = watch.get_mut().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while let Ok(event) = watch.rx.try_recv() {
            match event {
                Ok(ev) => {
                    if matches!(ev.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    for p in ev.paths {
                        if p.extension().and_then(|e| e.to_str()) == Some("rhai") {
                            watch.pending.insert(p, now);
                        } else if p.is_dir() {
                            // A new directory (views/): files written into it before the
                            // watcher covers it send no event of their own, so look again.
                            watch.rescan = Some(now);
                        }
                    }
                }
                Err(e) => tracing::warn!("script watcher: {e}"),
            }
        }
        let ready: Vec<PathBuf> = watch
            .pending
            .iter()
            .filter(|(_, t)| now.duration_since(**t) >= DEBOUNCE)
            .map(|(p, _)| p.clone())
            .collect();
        for p in &ready {
            watch.pending.remove(p);
        }
        let rescan = watch
            .rescan
            .is_some_and(|t| now.duration_since(t) >= DEBOUNCE);
        if rescan {
            watch.rescan = None;
            watch.pending.clear();
        }
        if rescan {
            return self.reload_all();
        }
        if ready.is_empty() {
            return Vec::new();
        }
        let rels: Vec<String> = ready
            .iter()
            .filter_map(|p| {
                p.strip_prefix(&self.dir)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        let mut out = Vec::new();
        let mut module_changed = false;
        for rel in &rels {
            if role_of(rel) == Role::Module {
                module_changed = true;
            }
            if let Some(r) = self.load_file(rel, false) {
                out.push(r);
            }
        }
        if module_changed {
            // Data scripts may import the module: evaluate them again.
            for rel in self.data_files() {
                if !rels.contains(&rel)
                    && let Some(r) = self.load_file(&rel, true)
                {
                    out.push(r);
                }
            }
        }
        if !out.is_empty() {
            self.generation += 1;
        }
        out
    }

    /// Reloads every script (the console's R key).
    pub fn reload_all(&mut self) -> Vec<Reload> {
        let mut out = Vec::new();
        if !self.on_disk {
            return out;
        }
        let mut files = self.data_files();
        files.extend(self.module_files());
        // Views that disappeared.
        let present: Vec<String> = files
            .iter()
            .filter(|f| role_of(f) == Role::View)
            .map(|f| view_name(f))
            .collect();
        let gone: Vec<String> = self
            .views
            .keys()
            .filter(|k| !present.contains(k))
            .cloned()
            .collect();
        for g in gone {
            self.views.remove(&g);
        }
        for rel in files {
            if let Some(r) = self.load_file(&rel, true) {
                out.push(r);
            }
        }
        self.generation += 1;
        out
    }

    /// Every script error in effect: syntax errors (the last good version still runs),
    /// runtime errors of the newest version, invalid data. Ordered by file.
    pub fn errors(&self) -> Vec<ScriptError> {
        self.state()
            .errors
            .values()
            .map(|s| s.error.clone())
            .collect()
    }

    /// Increases whenever scripts are reloaded: rerun quick hits and predicates when it changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The scripts directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Every palette, in script order.
    pub fn palettes(&self) -> Vec<Palette> {
        self.palettes.clone()
    }

    /// A palette by name (any case).
    pub fn palette(&self, name: &str) -> Option<Palette> {
        self.palettes
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
            .cloned()
    }

    /// The palette for a metric when none is named: `arrests` for arrest metrics, `change`
    /// for change, `hotspots` and `emerging` for those maps, `volume` otherwise (built-in
    /// versions if the script lacks them; a volume ramp would misread classes).
    pub fn palette_for(&self, metric: Metric) -> Palette {
        let name = metric.default_palette();
        self.palette(name).unwrap_or_else(|| match metric {
            Metric::HotSpots => Palette::hotspots(),
            Metric::Emerging => Palette::emerging(),
            m if m.is_arrest_metric() => Palette::arrests(),
            _ => Palette::volume(),
        })
    }

    /// The offence taxonomy in force.
    pub fn taxonomy(&self) -> Taxonomy {
        self.taxonomy.taxonomy.clone()
    }

    /// Named offence selections ("Violent", "Guns", …).
    pub fn selections(&self) -> Vec<NamedSelection> {
        self.taxonomy.selections.clone()
    }

    /// A named selection (any case).
    pub fn selection(&self, name: &str) -> Option<Selection> {
        self.taxonomy
            .selections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
            .map(|s| s.selection.clone())
    }

    /// The views in `views/`, by name.
    pub fn views(&self) -> Vec<ViewInfo> {
        self.views
            .iter()
            .map(|(name, (path, def))| ViewInfo {
                name: name.clone(),
                title: def.title.clone(),
                path: path.clone(),
            })
            .collect()
    }

    /// A view resolved against the lake's date range (`Engine::date_range()`).
    pub fn view(
        &self,
        name: &str,
        date_range: (NaiveDate, NaiveDate),
    ) -> Result<ViewSpec, ScriptError> {
        let key = name.trim().trim_end_matches(".rhai");
        let (path, def) = self.views.get(key).ok_or_else(|| {
            ScriptError::plain(
                &format!("{}/views/{key}.rhai", self.root),
                ErrorKind::Missing,
                format!(
                    "no view `{key}` (views: {})",
                    self.views.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        self.finish_view(key, path.clone(), def, date_range)
    }

    /// A view from any file (`hotspot render --view FILE`), resolved against the lake's date
    /// range with this host's palettes and taxonomy.
    pub fn view_file(
        &self,
        path: &Path,
        date_range: (NaiveDate, NaiveDate),
    ) -> Result<ViewSpec, ScriptError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScriptError::plain(
                &display,
                ErrorKind::Io,
                format!("cannot read the view: {e}"),
            )
        })?;
        let ast = self.compile(&display, &text)?;
        let value = self.eval(&display, &ast)?;
        let def = views::view_def(&value)
            .map_err(|m| ScriptError::plain(&display, ErrorKind::Invalid, m))?;
        let name = path
            .file_stem()
            .map_or_else(|| "view".to_string(), |s| s.to_string_lossy().into_owned());
        self.finish_view(&name, path.to_path_buf(), &def, date_range)
    }

    fn finish_view(
        &self,
        name: &str,
        path: PathBuf,
        def: &ViewDef,
        range: (NaiveDate, NaiveDate),
    ) -> Result<ViewSpec, ScriptError> {
        let display = path.display().to_string();
        let spec = def.resolve(name, path, &self.taxonomy, range);
        if self.palette(&spec.palette).is_none() {
            return Err(ScriptError::plain(
                &display,
                ErrorKind::Invalid,
                format!(
                    "no palette `{}` (palettes: {})",
                    spec.palette,
                    self.palettes
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if let Some(p) = &spec.predicate
            && !self.predicates().contains(p)
        {
            return Err(ScriptError::plain(
                &display,
                ErrorKind::Invalid,
                format!(
                    "no predicate `{p}` in predicates.rhai (predicates: {})",
                    self.predicates().join(", ")
                ),
            ));
        }
        Ok(spec)
    }

    /// The ops-room playlist: (view name, seconds to show it).
    pub fn playlist(&self) -> Vec<(String, u32)> {
        self.playlist.clone()
    }

    /// The wall's alert rules (`alerts.rhai`, else the built-in ones).
    pub fn alert_rules(&self) -> Vec<hotspot_scope::alerts::AlertRule> {
        self.alerts.clone()
    }

    /// A playlist from a file of its own (`--playlist FILE`, one per monitor), in the format of
    /// `playlist.rhai`, its views checked against the loaded ones.
    pub fn playlist_file(&self, path: &Path) -> Result<Vec<(String, u32)>, ScriptError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScriptError::plain(
                &file,
                ErrorKind::Io,
                format!("cannot read the playlist: {e}"),
            )
        })?;
        let ast = self.compile(&file, &text)?;
        let v = self.eval(&file, &ast)?;
        let invalid = |m: String| ScriptError::plain(&file, ErrorKind::Invalid, m);
        let list = views::playlist(&v).map_err(invalid)?;
        self.check_playlist(&list).map_err(invalid)?;
        Ok(list)
    }

    /// Every view a playlist names must be loaded.
    fn check_playlist(&self, list: &[(String, u32)]) -> Result<(), String> {
        match list.iter().find(|(v, _)| !self.views.contains_key(v)) {
            Some((missing, _)) => Err(format!(
                "the playlist names view `{missing}`, which is not in views/ (views: {})",
                self.views.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
            None => Ok(()),
        }
    }

    /// The predicates `predicates.rhai` defines (public functions of `cells, city`), sorted.
    pub fn predicates(&self) -> Vec<String> {
        let st = self.state();
        let mut names: Vec<String> = st
            .fns
            .get("predicates.rhai")
            .map(|f| {
                f.current
                    .iter_functions()
                    .filter(|m| m.access != FnAccess::Private && m.params.len() == 2)
                    .map(|m| m.name.to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Runs the predicate `name` over every cell of `result` in one script call: one flag per
    /// cell, aligned with `result.cells`.
    pub fn predicate(&self, name: &str, result: &ScopeResult) -> Result<Vec<bool>, ScriptError> {
        let cells = Cells::of(result);
        let city = convert::city(result);
        let n = cells.len();
        let out = self.call("predicates.rhai", name, 2, (cells, city))?;
        let file = self.display("predicates.rhai");
        let mask: Vec<bool> = if let Some(m) = out.clone().try_cast::<Mask>() {
            m.to_vec()
        } else if let Ok(b) = out.as_bool() {
            vec![b; n]
        } else if let Some(c) = out.clone().try_cast::<Column>() {
            c.0.iter().map(|x| *x != 0.0 && !x.is_nan()).collect()
        } else {
            return Err(self.runtime_error(
                "predicates.rhai",
                ScriptError::plain(
                    &file,
                    ErrorKind::Invalid,
                    format!(
                        "predicate `{name}` returned {}, not a mask (compare cell columns: `cells.selected >= 10`)",
                        crate::value::type_name(&out)
                    ),
                ),
            ));
        };
        if mask.len() != n {
            return Err(self.runtime_error(
                "predicates.rhai",
                ScriptError::plain(
                    &file,
                    ErrorKind::Invalid,
                    format!(
                        "predicate `{name}` returned {} flags for {n} cells",
                        mask.len()
                    ),
                ),
            ));
        }
        Ok(mask)
    }

    /// The narrative bullets `quick_hits.rhai` writes for a scope result.
    pub fn quick_hits(&self, result: &ScopeResult) -> Result<Vec<String>, ScriptError> {
        let cells = Cells::of(result);
        let r = convert::result(result, &cells);
        let out = self.call("quick_hits.rhai", "quick_hits", 1, (r,))?;
        let file = self.display("quick_hits.rhai");
        let bad = |what: String| {
            self.runtime_error(
                "quick_hits.rhai",
                ScriptError::plain(&file, ErrorKind::Invalid, what),
            )
        };
        let list = crate::value::array(&out, "quick_hits() must return an array of strings: it")
            .map_err(bad)?;
        list.iter()
            .enumerate()
            .map(|(i, d)| {
                if d.is_string() {
                    Ok(d.to_string())
                } else {
                    Err(bad(format!(
                        "quick_hits() bullet {} is {}, not a string",
                        i + 1,
                        crate::value::type_name(d)
                    )))
                }
            })
            .collect()
    }

    /// Evaluates a snippet with `cells`, `city` and `result` in scope (a console REPL, and the
    /// script reference's examples) and returns its value as text.
    pub fn eval_snippet(&self, code: &str, result: &ScopeResult) -> Result<String, ScriptError> {
        let file = "snippet";
        let ast = self.compile(file, code)?;
        let cells = Cells::of(result);
        let mut scope = Scope::new();
        scope.push_constant("city", convert::city(result));
        scope.push_constant("result", convert::result(result, &cells));
        scope.push_constant("cells", cells);
        let _guard = self.state();
        let metering = self.meter.start();
        let out = self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast);
        drop(metering);
        out.map(|d| d.to_string())
            .map_err(|e| ScriptError::from_eval(file, &e, &self.limits))
    }

    // ---- internals ----

    fn state(&self) -> MutexGuard<'_, RunState> {
        self.run.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn display(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root)
    }

    fn compile(&self, file: &str, text: &str) -> Result<AST, ScriptError> {
        let mut ast = self
            .engine
            .compile(text)
            .map_err(|e| ScriptError::from_parse(file, &e))?;
        ast.set_source(file);
        Ok(ast)
    }

    fn eval(&self, file: &str, ast: &AST) -> Result<Dynamic, ScriptError> {
        let metering = self.meter.start();
        let out = self.engine.eval_ast::<Dynamic>(ast);
        drop(metering);
        out.map_err(|e| ScriptError::from_eval(file, &e, &self.limits))
    }

    /// Records an error raised while running the newest version of `rel` and returns it.
    fn runtime_error(&self, rel: &str, error: ScriptError) -> ScriptError {
        self.state().errors.insert(
            rel.to_string(),
            ErrorSlot {
                error: error.clone(),
                from_load: false,
            },
        );
        error
    }

    /// Calls `func` of the function script `rel`: the newest version first; if it fails, the
    /// last good version (the error is kept for [`ScriptHost::errors`]).
    fn call(
        &self,
        rel: &str,
        func: &str,
        arity: usize,
        args: impl FuncArgs + Clone,
    ) -> Result<Dynamic, ScriptError> {
        let mut st = self.state();
        let Some(script) = st.fns.get(rel).cloned() else {
            return Err(ScriptError::plain(
                &self.display(rel),
                ErrorKind::Missing,
                format!("{rel} is not loaded"),
            ));
        };
        let has = |ast: &AST| {
            ast.iter_functions()
                .any(|m| m.name == func && m.params.len() == arity)
        };
        let run = |ast: &AST| -> Result<Dynamic, ScriptError> {
            if !has(ast) {
                return Err(ScriptError::plain(
                    &script.file,
                    ErrorKind::Missing,
                    format!(
                        "{} defines no function `{func}` taking {arity} argument(s)",
                        script.file
                    ),
                ));
            }
            let mut scope = Scope::new();
            let metering = self.meter.start();
            let out = self
                .engine
                .call_fn::<Dynamic>(&mut scope, ast, func, args.clone());
            drop(metering);
            out.map_err(|e| ScriptError::from_eval(&script.file, &e, &self.limits))
        };
        match run(&script.current) {
            Ok(v) => {
                if let Some(s) = st.fns.get_mut(rel) {
                    s.good = Some(Arc::clone(&script.current));
                }
                if st.errors.get(rel).is_some_and(|e| !e.from_load) {
                    st.errors.remove(rel);
                }
                Ok(v)
            }
            Err(e) => {
                if e.kind != ErrorKind::Missing || !st.errors.contains_key(rel) {
                    st.errors.insert(
                        rel.to_string(),
                        ErrorSlot {
                            error: e.clone(),
                            from_load: false,
                        },
                    );
                }
                tracing::warn!("{e}");
                match &script.good {
                    Some(good) if !Arc::ptr_eq(good, &script.current) && has(good) => {
                        run(good).map_err(|_| e)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// The data and function scripts on disk, in load order (views before the playlist).
    fn data_files(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            "palettes.rhai",
            "taxonomy.rhai",
            "quick_hits.rhai",
            "predicates.rhai",
            "alerts.rhai",
        ]
        .iter()
        .filter(|f| self.dir.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
        if let Ok(rd) = std::fs::read_dir(self.dir.join("views")) {
            let mut v: Vec<String> = rd
                .flatten()
                .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("rhai"))
                .map(|e| format!("views/{}", e.file_name().to_string_lossy()))
                .collect();
            v.sort();
            out.extend(v);
        }
        if self.dir.join("playlist.rhai").is_file() {
            out.push("playlist.rhai".into());
        }
        out
    }

    /// Other `.rhai` files (modules), relative, sorted.
    fn module_files(&self) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, depth: usize, out: &mut Vec<String>) {
            if depth > 8 {
                return;
            }
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, depth + 1, out);
                } else if p.extension().and_then(|x| x.to_str()) == Some("rhai")
                    && let Ok(rel) = p.strip_prefix(base)
                {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    if role_of(&rel) == Role::Module {
                        out.push(rel);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir, &self.dir, 0, &mut out);
        out.sort();
        out
    }

    /// Loads the built-in default scripts, so that a missing or broken file still leaves the
    /// console usable.
    fn load_builtins(&mut self) {
        for (rel, text) in defaults::SCRIPTS {
            let file = format!("{}/{rel} (built-in)", self.root);
            if let Err(e) = self.apply(rel, &file, text) {
                tracing::error!("built-in script failed: {e}");
            }
        }
        // The built-in functions are the last good version until a script runs.
        for f in self.state().fns.values_mut() {
            f.good = Some(Arc::clone(&f.current));
        }
        // Built-in views and playlist only stand in for a missing directory.
        if !self.on_disk {
            for (rel, text) in defaults::VIEWS {
                let file = format!("{}/{rel} (built-in)", self.root);
                if let Err(e) = self.apply(rel, &file, text) {
                    tracing::error!("built-in view failed: {e}");
                }
            }
            let file = format!("{}/playlist.rhai (built-in)", self.root);
            if let Err(e) = self.apply("playlist.rhai", &file, defaults::PLAYLIST) {
                tracing::error!("built-in playlist failed: {e}");
            }
        }
    }

    /// Reads, compiles and applies one file; `None` when its text is unchanged and `force`
    /// is false.
    fn load_file(&mut self, rel: &str, force: bool) -> Option<Reload> {
        let file = self.display(rel);
        let path = self.dir.join(rel);
        if !path.is_file() {
            if role_of(rel) == Role::View {
                self.views.remove(&view_name(rel));
                self.state().errors.remove(rel);
                return Some(Reload { file, error: None });
            }
            // A deleted script: its last good version stays in effect.
            return None;
        }
        let result = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let h = hash_text(&text);
                if !force && self.hashes.get(rel) == Some(&h) {
                    return None;
                }
                self.hashes.insert(rel.to_string(), h);
                self.apply(rel, &file, &text)
            }
            Err(e) => Err(ScriptError::plain(
                &file,
                ErrorKind::Io,
                format!("cannot read the script: {e}"),
            )),
        };
        let mut st = self.state();
        let error = match result {
            Ok(()) => {
                st.errors.remove(rel);
                None
            }
            Err(e) => {
                tracing::warn!("{e}");
                st.errors.insert(
                    rel.to_string(),
                    ErrorSlot {
                        error: e.clone(),
                        from_load: true,
                    },
                );
                Some(e)
            }
        };
        Some(Reload { file, error })
    }

    /// Compiles a script and puts it in effect; on error nothing changes.
    fn apply(&mut self, rel: &str, file: &str, text: &str) -> Result<(), ScriptError> {
        let ast = self.compile(file, text)?;
        let invalid = |m: String| ScriptError::plain(file, ErrorKind::Invalid, m);
        match role_of(rel) {
            Role::Palettes => {
                let v = self.eval(file, &ast)?;
                self.palettes = data::palettes(&v).map_err(invalid)?;
            }
            Role::Taxonomy => {
                let v = self.eval(file, &ast)?;
                self.taxonomy = data::taxonomy(&v).map_err(invalid)?;
            }
            Role::View => {
                let v = self.eval(file, &ast)?;
                let def = views::view_def(&v).map_err(invalid)?;
                self.views.insert(view_name(rel), (self.dir.join(rel), def));
            }
            Role::Playlist => {
                let v = self.eval(file, &ast)?;
                let list = views::playlist(&v).map_err(invalid)?;
                self.check_playlist(&list).map_err(invalid)?;
                self.playlist = list;
            }
            Role::Alerts => {
                let v = self.eval(file, &ast)?;
                self.alerts = crate::alerts::alert_rules(&v).map_err(invalid)?;
            }
            Role::QuickHits | Role::Predicates => {
                if role_of(rel) == Role::QuickHits
                    && !ast
                        .iter_functions()
                        .any(|m| m.name == "quick_hits" && m.params.len() == 1)
                {
                    return Err(invalid(
                        "quick_hits.rhai must define `fn quick_hits(r)`".into(),
                    ));
                }
                let mut st = self.state();
                let good = st.fns.get(rel).and_then(|f| f.good.clone());
                st.fns.insert(
                    rel.to_string(),
                    FnScript {
                        current: Arc::new(ast),
                        good,
                        file: file.to_string(),
                    },
                );
            }
            Role::Module => {
                // Compiling is the check; importers evaluate it when they run.
            }
        }
        Ok(())
    }
}

fn view_name(rel: &str) -> String {
    rel.trim_start_matches("views/")
        .trim_end_matches(".rhai")
        .to_string()
}

impl ViewSpec {
    /// Loads a view file on its own (`hotspot render --view scripts/views/NAME.rhai`): the
    /// scripts directory is the parent of `views/` (or the file's directory), whose palettes
    /// and taxonomy the view may name.
    pub fn load(path: &Path, date_range: (NaiveDate, NaiveDate)) -> Result<ViewSpec, ScriptError> {
        let parent = path.parent().unwrap_or(Path::new("."));
        let dir = if parent.file_name().is_some_and(|n| n == "views") {
            parent.parent().unwrap_or(parent)
        } else {
            parent
        };
        ScriptHost::open(dir).view_file(path, date_range)
    }
}
