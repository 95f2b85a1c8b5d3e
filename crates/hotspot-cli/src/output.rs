//! Standard output that reports failure instead of panicking: `hotspot query | head -3`
//! closes the pipe early, and the command then stops quietly with success (as ripgrep does),
//! where `println!` would panic.

use std::io::{self, Write};

/// Writes one line to standard output (see [`outln!`]).
pub fn write_line(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")
}

/// Writes without a newline, flushed (a prompt, a progress line of a bench).
pub fn write(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)?;
    out.flush()
}

/// Whether `error` comes from writing to a pipe whose reader has gone.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// `println!` that returns the `io::Result` instead of panicking.
macro_rules! outln {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}

/// `print!` (flushed) that returns the `io::Result` instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}
