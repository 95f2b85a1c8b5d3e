//! Script errors: which file, where in it, and what went wrong.

use rhai::{EvalAltResult, ParseError, Position};

/// What kind of failure a [`ScriptError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The script does not parse.
    Syntax,
    /// The script failed while running (type error, missing variable, bad index…).
    Runtime,
    /// Stopped after too many operations (probably an endless loop).
    OperationLimit,
    /// Stopped after running longer than the per-call time limit.
    TimeLimit,
    /// Stopped after holding more memory than the per-call limit.
    MemoryLimit,
    /// Calls nested too deeply (runaway recursion).
    CallDepth,
    /// A string, array or map grew past its size limit, or an expression nests too deeply.
    DataTooLarge,
    /// An `import` tried to leave the scripts directory, or a script tried to reach files.
    Sandbox,
    /// The script ran but returned something the console cannot use.
    Invalid,
    /// A script, function, view or palette the caller asked for does not exist.
    Missing,
    /// The script file could not be read.
    Io,
}

/// A script failure, displayed as `scripts/quick_hits.rhai:12:5: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ScriptError {
    /// The script as the user knows it: `scripts/quick_hits.rhai`.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub kind: ErrorKind,
    /// What went wrong, without the location.
    pub message: String,
    /// `file:line:column`, `file:line` or `file`.
    pub location: String,
}

impl ScriptError {
    /// An error at a position (`Position::NONE` for none).
    pub fn new(file: &str, pos: Position, kind: ErrorKind, message: impl Into<String>) -> Self {
        let (line, column) = (pos.line(), pos.position());
        let location = match (line, column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.to_string(),
        };
        ScriptError {
            file: file.to_string(),
            line,
            column,
            kind,
            message: message.into(),
            location,
        }
    }

    /// An error without a position.
    pub fn plain(file: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(file, Position::NONE, kind, message)
    }

    /// A parse error of `file`.
    pub fn from_parse(file: &str, err: &ParseError) -> Self {
        Self::new(
            file,
            err.position(),
            ErrorKind::Syntax,
            format!("syntax error: {}", err.err_type()),
        )
    }

    /// A runtime error of `file`. Errors inside functions and imported modules are reported
    /// at their innermost position (and in the module's file when it is another one).
    pub fn from_eval(file: &str, err: &EvalAltResult, limits: &crate::Limits) -> Self {
        let mut source = file.to_string();
        let mut calls = Vec::new();
        let mut e = err;
        loop {
            match e {
                EvalAltResult::ErrorInFunctionCall(name, src, inner, _) => {
                    if !src.is_empty() {
                        source = src.clone();
                    }
                    calls.push(name.clone());
                    e = inner;
                }
                EvalAltResult::ErrorInModule(path, inner, _) => {
                    source = crate::sandbox::module_display(file, path);
                    e = inner;
                }
                _ => break,
            }
        }
        let pos = e.position();
        let (kind, message) = describe(e, file, limits);
        let mut message = message;
        if let Some(f) = calls.first() {
            message.push_str(&format!(" (in function `{f}`)"));
        }
        if source != file {
            message.push_str(&format!(" (imported by {file})"));
        }
        ScriptError::new(&source, pos, kind, message)
    }
}

fn describe(e: &EvalAltResult, file: &str, limits: &crate::Limits) -> (ErrorKind, String) {
    use EvalAltResult as E;
    match e {
        E::ErrorParsing(p, _) => (ErrorKind::Syntax, format!("syntax error: {p}")),
        E::ErrorTooManyOperations(_) => operation_limit(file, limits),
        E::ErrorTerminated(why, _) if why.to_string() == crate::sandbox::STOP_OPERATIONS => {
            operation_limit(file, limits)
        }
        E::ErrorTerminated(why, _) if why.to_string() == crate::sandbox::STOP_MEMORY => (
            ErrorKind::MemoryLimit,
            format!(
                "stopped {file}: it held more than {} (the memory limit per call); a column of \
                 every cell is 8 bytes a cell, so keep fewer of them or fewer rows",
                hotspot_core::fmt::bytes(limits.max_memory)
            ),
        ),
        E::ErrorTerminated(_, _) => (
            ErrorKind::TimeLimit,
            format!(
                "stopped {file} after {} ms (the time limit per call): does it loop forever?",
                limits.time_limit.as_millis()
            ),
        ),
        E::ErrorStackOverflow(_) => (
            ErrorKind::CallDepth,
            format!(
                "stopped {file}: calls nested more than {} deep (runaway recursion?)",
                limits.max_call_levels
            ),
        ),
        E::ErrorDataTooLarge(what, _) => (
            ErrorKind::DataTooLarge,
            format!(
                "stopped {file}: {} too large (limits: strings {} bytes, arrays {} items, maps {} entries)",
                what.to_lowercase(),
                hotspot_core::fmt::thousands(limits.max_string_size as u64),
                hotspot_core::fmt::thousands(limits.max_array_size as u64),
                hotspot_core::fmt::thousands(limits.max_map_size as u64)
            ),
        ),
        E::ErrorTooManyModules(_) => (
            ErrorKind::DataTooLarge,
            "too many modules imported".to_string(),
        ),
        E::ErrorModuleNotFound(path, _) => (
            ErrorKind::Sandbox,
            format!("cannot import `{path}`: no such script in the scripts directory"),
        ),
        E::ErrorRuntime(d, _) => {
            let text = d.to_string();
            if let Some(rest) = text.strip_prefix(crate::sandbox::SANDBOX_TAG) {
                (ErrorKind::Sandbox, rest.to_string())
            } else {
                (ErrorKind::Runtime, text)
            }
        }
        E::ErrorFunctionNotFound(sig, _) => {
            let name = sig.split(['(', ' ']).next().unwrap_or(sig);
            if crate::sandbox::is_io_function(name) {
                (
                    ErrorKind::Sandbox,
                    format!(
                        "`{name}` is not available: scripts cannot read or write files, use the network or start processes"
                    ),
                )
            } else {
                (ErrorKind::Runtime, format!("function not found: {sig}"))
            }
        }
        other => {
            let text = other.to_string();
            let suffix = format!(" ({})", other.position());
            let text = text.strip_suffix(&suffix).unwrap_or(&text);
            (ErrorKind::Runtime, lower_first(text))
        }
    }
}

fn operation_limit(file: &str, limits: &crate::Limits) -> (ErrorKind, String) {
    (
        ErrorKind::OperationLimit,
        format!(
            "stopped {file} after {} operations (the limit): does it loop forever?",
            hotspot_core::fmt::thousands(limits.max_operations)
        ),
    )
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
