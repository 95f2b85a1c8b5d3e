//! The sandboxed Rhai engine: limits, a wall clock per call, and imports confined to the
//! scripts directory.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine, EvalAltResult, Module, Position, Scope, Shared};

/// Marks a runtime error raised by the sandbox (so it is reported as [`ErrorKind::Sandbox`]).
///
/// [`ErrorKind::Sandbox`]: crate::ErrorKind::Sandbox
pub(crate) const SANDBOX_TAG: &str = "\u{1}sandbox:";

/// What a script may use. Every call (evaluating a data script, quick hits, a predicate) runs
/// under all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations per call (a loop iteration, a function call, an expression… each count);
    /// 0 means unlimited (the time limit still applies).
    pub max_operations: u64,
    /// Wall-clock time per call.
    pub time_limit: Duration,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Expression nesting at the top level and inside functions.
    pub max_expr_depth: usize,
    pub max_fn_expr_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Items in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Modules imported during one call.
    pub max_modules: usize,
    /// Bytes a call may hold beyond what its thread held when it started: Rhai's values and
    /// host values (columns, masks, rows) alike; 0 means unlimited. Measured only where the
    /// binary installs [`crate::Metered`] as its global allocator.
    pub max_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 20_000_000,
            time_limit: Duration::from_millis(250),
            max_call_levels: 48,
            max_expr_depth: 64,
            max_fn_expr_depth: 48,
            max_string_size: 1 << 20,
            max_array_size: 1_000_000,
            max_map_size: 100_000,
            max_modules: 32,
            max_memory: 256 << 20,
        }
    }
}

/// Why the sandbox stopped a call: the token of Rhai's `ErrorTerminated`.
pub(crate) const STOP_OPERATIONS: &str = "\u{1}stop:operations";
pub(crate) const STOP_TIME: &str = "\u{1}stop:time";
pub(crate) const STOP_MEMORY: &str = "\u{1}stop:memory";

/// The error a native function returns when the call it runs in is over its memory budget.
pub(crate) fn memory_exceeded() -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorTerminated(
        Dynamic::from(STOP_MEMORY),
        Position::NONE,
    ))
}

/// Meters the call in progress: operations, wall clock and memory, checked by the engine's
/// progress callback at every operation.
///
/// Rhai's own operation counter cannot be the limit: a closure passed to a native function
/// (`array.map(|x| …)`) runs with a copy of the counter that is thrown away when it returns,
/// so loops nested in closures would never reach it. The meter counts every operation itself.
#[derive(Debug)]
pub(crate) struct Meter {
    base: Instant,
    /// Nanoseconds after `base`; `u64::MAX` when no call is running.
    deadline: AtomicU64,
    /// Operations of the call in progress.
    ops: AtomicU64,
    /// 0: unlimited.
    max_ops: u64,
    time_limit: Duration,
    max_memory: u64,
    /// Calls in progress (an import runs inside the call that imports it).
    depth: AtomicU64,
}

/// A metered call in progress; dropping it ends the call.
pub(crate) struct Metering<'a> {
    meter: &'a Meter,
    _budget: crate::alloc::Budget,
}

impl Meter {
    fn new(limits: &Limits) -> Arc<Meter> {
        Arc::new(Meter {
            base: Instant::now(),
            deadline: AtomicU64::new(u64::MAX),
            ops: AtomicU64::new(0),
            max_ops: limits.max_operations,
            time_limit: limits.time_limit,
            max_memory: limits.max_memory,
            depth: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    /// Starts a call (or joins the one in progress on this thread).
    pub(crate) fn start(&self) -> Metering<'_> {
        if self.depth.fetch_add(1, Ordering::Relaxed) == 0 {
            let d = self
                .now()
                .saturating_add(u64::try_from(self.time_limit.as_nanos()).unwrap_or(u64::MAX));
            self.deadline.store(d, Ordering::Relaxed);
            self.ops.store(0, Ordering::Relaxed);
        }
        Metering {
            meter: self,
            _budget: crate::alloc::Budget::enter(self.max_memory),
        }
    }

    fn expired(&self) -> bool {
        self.now() > self.deadline.load(Ordering::Relaxed)
    }

    /// The progress callback's verdict: `Some(reason)` stops the call.
    fn check(&self) -> Option<&'static str> {
        let n = self.ops.fetch_add(1, Ordering::Relaxed) + 1;
        if self.max_ops != 0 && n > self.max_ops {
            Some(STOP_OPERATIONS)
        } else if crate::alloc::exceeded() {
            Some(STOP_MEMORY)
        } else if n.is_multiple_of(256) && self.expired() {
            Some(STOP_TIME)
        } else {
            None
        }
    }
}

impl Drop for Metering<'_> {
    fn drop(&mut self) {
        if self.meter.depth.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.meter.deadline.store(u64::MAX, Ordering::Relaxed);
        }
    }
}

/// Functions some scripting languages offer for files, network or processes. None exists
/// here; calling one is reported as a sandbox violation rather than a typo.
pub(crate) fn is_io_function(name: &str) -> bool {
    const IO: &[&str] = &[
        "open_file",
        "read_file",
        "write_file",
        "open",
        "read",
        "write",
        "remove_file",
        "delete_file",
        "list_dir",
        "read_dir",
        "system",
        "exec",
        "spawn",
        "command",
        "shell",
        "http_get",
        "http_post",
        "fetch",
        "connect",
        "socket",
        "env",
        "getenv",
        "eval",
    ];
    IO.contains(&name)
}

/// The display name of an imported module: `scripts/lib/format.rhai` for `import "lib/format"`
/// from `scripts/quick_hits.rhai`.
pub(crate) fn module_display(importer: &str, path: &str) -> String {
    if path.contains('/') && path.ends_with(".rhai") && path.split('/').count() > 1 {
        // Already a display path (set as the module's source).
        if let Some(root) = importer.split('/').next()
            && path.starts_with(&format!("{root}/"))
        {
            return path.to_string();
        }
    }
    let root = importer.split('/').next().unwrap_or("scripts");
    let rel = path.trim_start_matches("./");
    if rel.ends_with(".rhai") {
        format!("{root}/{rel}")
    } else {
        format!("{root}/{rel}.rhai")
    }
}

fn sandbox_error(message: String, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        format!("{SANDBOX_TAG}{message}").into(),
        pos,
    ))
}

/// Checks an import path and maps it to a file inside `dir` (canonical).
pub(crate) fn confine(dir: &Path, path: &str) -> Result<PathBuf, String> {
    let p = Path::new(path);
    if path.trim().is_empty() {
        return Err("cannot import an empty path".into());
    }
    if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return Err(format!(
            "cannot import `{path}`: imports must be relative paths inside the scripts directory"
        ));
    }
    if p.components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        || path.contains('\\')
    {
        return Err(format!(
            "cannot import `{path}`: `..` would leave the scripts directory"
        ));
    }
    let mut file = dir.join(p);
    if file.extension().is_none() {
        file.set_extension("rhai");
    }
    if file.extension().and_then(|e| e.to_str()) != Some("rhai") {
        return Err(format!(
            "cannot import `{path}`: only .rhai scripts can be imported"
        ));
    }
    // Symbolic links must not lead outside either.
    let real = file
        .canonicalize()
        .map_err(|_| format!("cannot import `{path}`: no such script in the scripts directory"))?;
    if !real.starts_with(dir) {
        return Err(format!(
            "cannot import `{path}`: it resolves outside the scripts directory"
        ));
    }
    Ok(real)
}

/// Resolves `import "name"` to `name.rhai` inside the scripts directory, and nowhere else.
struct ConfinedResolver {
    /// Canonical scripts directory.
    dir: PathBuf,
    /// Its display name (`scripts`).
    root: String,
}

impl rhai::ModuleResolver for ConfinedResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let file = confine(&self.dir, path).map_err(|m| sandbox_error(m, pos))?;
        let text = std::fs::read_to_string(&file)
            .map_err(|e| sandbox_error(format!("cannot read `{path}`: {e}"), pos))?;
        let rel = file
            .strip_prefix(&self.dir)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| path.to_string());
        let display = format!("{}/{rel}", self.root);
        let mut ast = engine.compile(&text).map_err(|e| {
            Box::new(EvalAltResult::ErrorInModule(
                display.clone(),
                Box::new(EvalAltResult::ErrorParsing(*e.0, e.1)),
                pos,
            ))
        })?;
        ast.set_source(display.as_str());
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(display.clone(), e, pos)))?;
        Ok(module.into())
    }
}

/// Builds the sandboxed engine for the scripts in `dir` (canonical), with `root` as the
/// directory's display name.
pub(crate) fn engine(dir: &Path, root: &str, limits: &Limits) -> (Engine, Arc<Meter>) {
    let mut engine = Engine::new();
    engine
        // The meter counts operations (see [`Meter`]); Rhai's own counter stays unlimited.
        .set_max_operations(0)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_fn_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_modules(limits.max_modules)
        .set_fail_on_invalid_map_property(false);
    engine.disable_symbol("eval");
    engine.set_module_resolver(ConfinedResolver {
        dir: dir.to_path_buf(),
        root: root.to_string(),
    });
    engine.on_print(|s| tracing::info!(target: "hotspot_script", "{s}"));
    engine.on_debug(|s, src, pos| {
        tracing::debug!(target: "hotspot_script", "{}:{pos}: {s}", src.unwrap_or("script"))
    });
    let meter = Meter::new(limits);
    let m = Arc::clone(&meter);
    engine.on_progress(move |_| m.check().map(Dynamic::from));
    crate::api::register(&mut engine);
    (engine, meter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_stay_inside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canon");
        std::fs::create_dir_all(root.join("lib")).expect("mkdir");
        std::fs::write(root.join("lib/a.rhai"), "fn x() { 1 }").expect("write");
        assert_eq!(confine(&root, "lib/a"), Ok(root.join("lib/a.rhai")));
        assert_eq!(confine(&root, "./lib/a.rhai"), Ok(root.join("lib/a.rhai")));
        for bad in ["/etc/passwd", "../x", "lib/../../x", "C:/x", "lib\\a", ""] {
            assert!(confine(&root, bad).is_err(), "{bad}");
        }
        assert!(confine(&root, "lib/missing").is_err());
        assert_eq!(
            module_display("scripts/quick_hits.rhai", "lib/format"),
            "scripts/lib/format.rhai"
        );
    }
}
