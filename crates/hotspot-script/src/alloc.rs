//! Memory accounting for the sandbox: a global allocator wrapper that counts the bytes each
//! thread holds, so a script call can be stopped when what it allocated (Rhai's own values
//! and host values such as columns and masks alike) passes [`crate::Limits::max_memory`].
//!
//! A binary opts in by wrapping its allocator:
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: hotspot_script::Metered<std::alloc::System> = hotspot_script::Metered(std::alloc::System);
//! ```
//!
//! Without it the memory limit cannot be measured: [`installed`] says so, and the host logs a
//! warning once (the other limits still apply).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (frees of memory allocated elsewhere
    /// make it lower, never wrong for a delta taken across one call on this thread).
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// Counts every allocation of the thread that makes it, then forwards to `A`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Metered<A>(pub A);

#[inline]
fn add(bytes: usize) {
    // `try_with`: never panic inside the allocator, even while thread-locals are torn down.
    let _ = LIVE.try_with(|l| l.set(l.get().wrapping_add(bytes as i64)));
}

#[inline]
fn sub(bytes: usize) {
    let _ = LIVE.try_with(|l| l.set(l.get().wrapping_sub(bytes as i64)));
}

// SAFETY: every method forwards to the wrapped allocator with the caller's arguments
// unchanged, so `A`'s guarantees hold; the bookkeeping touches only a `const`-initialised
// thread-local `Cell` (no allocation, no lazy initialisation, no destructor) and cannot fail.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Metered<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { self.0.dealloc(ptr, layout) };
        sub(layout.size());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            sub(layout.size());
            add(new_size);
        }
        p
    }
}

/// Bytes this thread holds according to [`Metered`] (0 forever when it is not installed).
pub fn live() -> i64 {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// Whether the process's global allocator is [`Metered`], so memory limits are enforced.
pub fn installed() -> bool {
    let before = live();
    let probe = std::hint::black_box(vec![0u8; 4096]);
    let grew = live() - before >= 4096;
    drop(probe);
    grew
}

thread_local! {
    /// The [`LIVE`] value above which the running call is over its memory limit
    /// (`i64::MAX` when no limited call runs on this thread).
    static CEILING: Cell<i64> = const { Cell::new(i64::MAX) };
}

/// A memory budget in force on this thread until dropped (the previous one comes back, so
/// budgets nest).
#[derive(Debug)]
pub(crate) struct Budget {
    previous: i64,
}

impl Budget {
    /// Allows `bytes` more than this thread holds now; 0 means unlimited.
    pub(crate) fn enter(bytes: u64) -> Budget {
        let ceiling = if bytes == 0 {
            i64::MAX
        } else {
            live().saturating_add(i64::try_from(bytes).unwrap_or(i64::MAX))
        };
        let previous = CEILING.with(|c| c.replace(ceiling.min(c.get())));
        Budget { previous }
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        CEILING.with(|c| c.set(self.previous));
    }
}

/// Whether this thread holds more than the budget in force allows.
pub(crate) fn exceeded() -> bool {
    live() > CEILING.with(Cell::get)
}
