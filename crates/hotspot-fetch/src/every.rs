//! The long-running sync loop behind `hotspot fetch --every 15m`: one ordinary [`fetch`] per
//! cycle (an incremental run that ingests and builds the months it touched), then a sleep
//! until the next one, for as long as the process lives.
//!
//! A failed cycle (the network down, a server still answering 5xx after the client's own
//! retries, the lake locked by another writer) never ends the loop: it is logged with its
//! error chain and retried after a backoff that starts at `min(every, 30 s)`
//! ([`FIRST_RETRY_MAX`]), doubles with each consecutive failure and is capped at `every`; the
//! first success returns to the regular interval. Nothing here writes to the lake: a failed
//! cycle leaves exactly what [`fetch`] leaves (a checkpoint the next cycle resumes from).
//!
//! Cycles are scheduled start to start: after a success the loop waits `every` minus the time
//! the cycle took (a cycle longer than `every` is followed at once by the next); after a failure
//! it waits the whole backoff. The loop itself ([`run_every`]) knows no HTTP and no clock: it is
//! given the cycle as a closure and a [`Sleeper`] that tells the time, sleeps, and says whether a
//! stop was asked, so its schedule is unit-tested without sleeping. [`ThreadSleeper`] is the
//! real one: it sleeps in slices of at most [`STOP_POLL`] and wakes early when its
//! [`StopFlag`] is set, which [`StopFlag::on_signals`] does on Ctrl+C (SIGINT) or SIGTERM, so
//! the loop ends between cycles or in the middle of a sleep. A signal during a cycle lets that
//! cycle finish (its writes are atomic anyway); a second one ends the process at once.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hotspot_core::Lake;
use hotspot_core::progress::Progress;

use crate::{FetchError, FetchOptions, FetchOutcome, fetch};

/// The longest interval `--every` accepts.
pub const MAX_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// The first retry after a failure waits `min(every, FIRST_RETRY_MAX)`.
pub const FIRST_RETRY_MAX: Duration = Duration::from_secs(30);
/// The longest a [`ThreadSleeper`] sleeps before it looks at its stop flag again.
pub const STOP_POLL: Duration = Duration::from_millis(100);
/// The shortest wait between cycles, whatever the options say (no busy loop).
const MIN_WAIT: Duration = Duration::from_millis(1);

/// Why an `--every` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EveryError {
    #[error("an interval is a whole number with a unit, e.g. 30s, 15m or 1h")]
    Empty,
    #[error("{0:?} has no unit: write it with s, m or h (e.g. 30s, 15m, 1h)")]
    NoUnit(String),
    #[error("{0:?} is not an interval: write a whole number with s, m or h (e.g. 30s, 15m, 1h)")]
    Invalid(String),
    #[error("the interval must be longer than zero")]
    Zero,
    #[error("{0:?} is longer than the most allowed, 24h")]
    TooLong(String),
}

/// Parses an interval for `--every`: a whole number with the unit `s`, `m` or `h` (`30s`, `15m`,
/// `1h`), more than zero and at most [`MAX_EVERY`].
pub fn parse_every(text: &str) -> Result<Duration, EveryError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(EveryError::Empty);
    }
    let digits_end = t
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    if number.is_empty() {
        return Err(EveryError::Invalid(text.to_string()));
    }
    if unit.is_empty() {
        return Err(EveryError::NoUnit(text.to_string()));
    }
    let scale: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(EveryError::Invalid(text.to_string())),
    };
    // More digits than a u64 holds is certainly longer than a day.
    let secs = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| EveryError::TooLong(text.to_string()))?;
    if secs == 0 {
        return Err(EveryError::Zero);
    }
    let every = Duration::from_secs(secs);
    if every > MAX_EVERY {
        return Err(EveryError::TooLong(text.to_string()));
    }
    Ok(every)
}

/// How the loop runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EveryOptions {
    /// The regular interval, start to start, after a successful cycle.
    pub every: Duration,
    /// The wait after the first of a run of failures; it doubles with each further one, up to
    /// `every`. [`EveryOptions::new`] sets `min(every, FIRST_RETRY_MAX)`.
    pub first_retry: Duration,
    /// Stop after this many cycles, successful or not (`None`: until a stop is asked). The
    /// CLI's hidden `--cycles` sets it for tests.
    pub max_cycles: Option<u64>,
}

impl EveryOptions {
    /// A loop every `every`, with the default backoff and no cycle limit.
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            first_retry: every.min(FIRST_RETRY_MAX),
            max_cycles: None,
        }
    }

    /// The wait after the `failures`-th consecutive failure (1 for the first):
    /// `first_retry · 2^(failures-1)`, capped at `every`.
    pub fn retry_delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first_retry
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.every)
            .min(self.every)
            .max(MIN_WAIT)
    }
}

/// What the loop needs to know of a successful cycle.
pub trait CycleOutcome {
    /// Rows the cycle downloaded.
    fn rows_fetched(&self) -> u64;
}

impl CycleOutcome for FetchOutcome {
    fn rows_fetched(&self) -> u64 {
        self.rows_fetched
    }
}

/// A bare row count (for loops whose cycle is not a [`fetch`], and for tests).
impl CycleOutcome for u64 {
    fn rows_fetched(&self) -> u64 {
        *self
    }
}

/// The loop's clock, sleep and stop signal.
pub trait Sleeper {
    /// A monotonic now.
    fn now(&self) -> Instant;
    /// Sleeps `duration`, or less if a stop is asked meanwhile; returns whether it slept the
    /// whole time (`false`: stopped).
    fn sleep(&mut self, duration: Duration) -> bool;
    /// Whether a stop was asked (the loop looks before each cycle).
    fn stop_requested(&self) -> bool;
}

/// A stop request shared between a signal handler (or any thread) and the loop.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// A flag nobody has set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag set by the first SIGINT (Ctrl+C) or SIGTERM; a second one of either ends the
    /// process at once with the shell's code for it (130 or 143), as it would have ended
    /// without a handler.
    pub fn on_signals() -> std::io::Result<Self> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let flag = Self::new();
        for (signal, code) in [(SIGINT, 130), (SIGTERM, 143)] {
            // The shutdown must be registered first: it sees the flag as the earlier signal
            // left it, before this one sets it.
            signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(&flag.0))?;
            signal_hook::flag::register(signal, Arc::clone(&flag.0))?;
        }
        Ok(flag)
    }

    /// Asks for a stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The real clock: [`std::thread::sleep`] in slices of at most [`STOP_POLL`], waking early
/// when the flag is set.
#[derive(Clone, Debug, Default)]
pub struct ThreadSleeper {
    pub stop: StopFlag,
}

impl ThreadSleeper {
    pub fn new(stop: StopFlag) -> Self {
        Self { stop }
    }
}

impl Sleeper for ThreadSleeper {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&mut self, duration: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.stop.is_requested() {
                return false;
            }
            let left = duration.saturating_sub(start.elapsed());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(STOP_POLL));
        }
    }

    fn stop_requested(&self) -> bool {
        self.stop.is_requested()
    }
}

/// One finished cycle, as the loop reports it (after logging it, before sleeping).
#[derive(Debug)]
pub struct CycleReport<'a, T, E> {
    /// 1-based.
    pub cycle: u64,
    pub result: &'a Result<T, E>,
    /// How long the cycle ran.
    pub took: Duration,
    /// Failures in a row up to and including this cycle (0 after a success).
    pub consecutive_failures: u32,
    /// The wait before the next cycle (`None`: this was the last one).
    pub next_in: Option<Duration>,
    /// When the next cycle starts, on the wall clock (`None`: this was the last one).
    pub next_at: Option<chrono::DateTime<chrono::Local>>,
}

/// What a loop did, once it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EverySummary {
    pub cycles: u64,
    pub ok: u64,
    pub failed: u64,
    /// Rows downloaded by the successful cycles.
    pub rows_fetched: u64,
    /// Whether the loop ended because a stop was asked (rather than after `max_cycles`).
    pub stopped: bool,
    /// The error chain of the latest failed cycle.
    pub last_error: Option<String>,
}

/// An error with its sources, `: `-separated, each source left out when the text before already
/// says it (errors that print their source in their own message).
pub fn error_chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    // Bounded: a chain is a handful of links; a cycle in one would not end otherwise.
    for _ in 0..16 {
        let Some(s) = source else { break };
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn wall_clock_after(wait: Duration) -> Option<chrono::DateTime<chrono::Local>> {
    let wait = chrono::Duration::from_std(wait).ok()?;
    chrono::Local::now().checked_add_signed(wait)
}

fn display_time(at: Option<&chrono::DateTime<chrono::Local>>) -> String {
    at.map_or_else(
        || "none (the loop ends)".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// Runs `cycle` again and again, as the module documentation describes, until
/// `options.max_cycles` cycles have run or the sleeper reports a stop. `cycle` gets the 1-based
/// cycle number; `report` sees every finished cycle before the loop sleeps.
pub fn run_every<T: CycleOutcome, E: Error>(
    options: &EveryOptions,
    sleeper: &mut dyn Sleeper,
    mut cycle: impl FnMut(u64) -> Result<T, E>,
    mut report: impl FnMut(&CycleReport<'_, T, E>),
) -> EverySummary {
    let every = options.every.max(MIN_WAIT);
    let mut summary = EverySummary::default();
    let mut failures = 0u32;
    loop {
        if sleeper.stop_requested() {
            summary.stopped = true;
            break;
        }
        let n = summary.cycles.saturating_add(1);
        let started = sleeper.now();
        let result = cycle(n);
        let took = sleeper.now().saturating_duration_since(started);
        summary.cycles = n;
        let wait = match &result {
            Ok(outcome) => {
                summary.ok += 1;
                summary.rows_fetched = summary.rows_fetched.saturating_add(outcome.rows_fetched());
                failures = 0;
                every.saturating_sub(took)
            }
            Err(e) => {
                summary.failed += 1;
                failures = failures.saturating_add(1);
                summary.last_error = Some(error_chain(e));
                options.retry_delay(failures)
            }
        };
        let last = options.max_cycles.is_some_and(|max| n >= max) || sleeper.stop_requested();
        let next_in = (!last).then_some(wait);
        let next_at = next_in.and_then(wall_clock_after);
        match &result {
            Ok(outcome) => tracing::info!(
                cycle = n,
                rows_fetched = outcome.rows_fetched(),
                seconds = took.as_secs_f64(),
                next_in_s = next_in.map(|w| w.as_secs_f64()),
                next_at = %display_time(next_at.as_ref()),
                "sync cycle done"
            ),
            Err(_) => tracing::warn!(
                cycle = n,
                consecutive_failures = failures,
                seconds = took.as_secs_f64(),
                error = summary.last_error.as_deref().unwrap_or(""),
                retry_in_s = next_in.map(|w| w.as_secs_f64()),
                retry_at = %display_time(next_at.as_ref()),
                "sync cycle failed; retrying after the backoff"
            ),
        }
        report(&CycleReport {
            cycle: n,
            result: &result,
            took,
            consecutive_failures: failures,
            next_in,
            next_at,
        });
        if last {
            summary.stopped = sleeper.stop_requested();
            break;
        }
        if !wait.is_zero() && !sleeper.sleep(wait) {
            summary.stopped = true;
            break;
        }
    }
    tracing::info!(
        cycles = summary.cycles,
        ok = summary.ok,
        failed = summary.failed,
        rows_fetched = summary.rows_fetched,
        stopped = summary.stopped,
        "sync loop ended"
    );
    summary
}

/// [`fetch`] into `lake` every `every.every`: [`run_every`] with one fetch per cycle. Options
/// that no cycle could succeed with (a bad base URL or dataset id) are refused before the
/// first; every other error is a failed cycle, retried.
pub fn fetch_every(
    lake: &Lake,
    options: &FetchOptions,
    every: &EveryOptions,
    progress: &dyn Progress,
    sleeper: &mut dyn Sleeper,
    report: impl FnMut(&CycleReport<'_, FetchOutcome, FetchError>),
) -> Result<EverySummary, FetchError> {
    crate::check_options(options)?;
    Ok(run_every(
        every,
        sleeper,
        |_| fetch(lake, options, progress),
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    /// A clock that moves only when slept on (or when a cycle says it took time).
    struct FakeSleeper {
        origin: Instant,
        at: Duration,
        sleeps: Vec<Duration>,
        stop_after_sleeps: Option<usize>,
    }

    impl FakeSleeper {
        fn new() -> Self {
            Self {
                origin: Instant::now(),
                at: Duration::ZERO,
                sleeps: Vec::new(),
                stop_after_sleeps: None,
            }
        }
    }

    impl Sleeper for FakeSleeper {
        fn now(&self) -> Instant {
            self.origin + self.at
        }
        fn sleep(&mut self, d: Duration) -> bool {
            self.sleeps.push(d);
            self.at += d;
            !self.stop_requested()
        }
        fn stop_requested(&self) -> bool {
            self.stop_after_sleeps
                .is_some_and(|n| self.sleeps.len() >= n)
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cycle {0} failed")]
    struct Failed(u64);

    /// A report's (cycle, next_in, consecutive failures).
    type Seen = (u64, Option<Duration>, u32);

    /// Runs a script of outcomes (`true`: success of `n` rows) and returns the summary, the
    /// sleeps and the reports' (cycle, next_in, failures).
    fn script(
        options: &EveryOptions,
        outcomes: &[bool],
    ) -> (EverySummary, Vec<Duration>, Vec<Seen>) {
        let mut sleeper = FakeSleeper::new();
        let mut seen = Vec::new();
        let summary = run_every(
            &EveryOptions {
                max_cycles: Some(outcomes.len() as u64),
                ..options.clone()
            },
            &mut sleeper,
            |n| {
                if outcomes[(n - 1) as usize] {
                    Ok::<u64, Failed>(n * 10)
                } else {
                    Err(Failed(n))
                }
            },
            |r| seen.push((r.cycle, r.next_in, r.consecutive_failures)),
        );
        (summary, sleeper.sleeps, seen)
    }

    #[test]
    fn backoff_doubles_on_failures_and_a_success_resets_it() {
        let options = EveryOptions::new(10 * MIN);
        assert_eq!(options.first_retry, Duration::from_secs(30));
        let (summary, sleeps, seen) = script(&options, &[true, false, false, true, false, true]);
        assert_eq!(
            sleeps,
            [
                10 * MIN,                // success: the interval
                Duration::from_secs(30), // first failure: min(every, 30 s)
                Duration::from_secs(60), // second in a row: doubled
                10 * MIN,                // success: back to the interval
                Duration::from_secs(30), // a new run of failures starts again at 30 s
            ]
        );
        assert_eq!(
            seen.iter().map(|s| s.2).collect::<Vec<_>>(),
            [0, 1, 2, 0, 1, 0]
        );
        assert_eq!(
            seen.last().map(|s| s.1),
            Some(None),
            "no next after the last"
        );
        assert_eq!(
            summary,
            EverySummary {
                cycles: 6,
                ok: 3,
                failed: 3,
                rows_fetched: 10 + 40 + 60,
                stopped: false,
                last_error: Some("cycle 5 failed".into()),
            }
        );
    }

    #[test]
    fn the_backoff_is_capped_at_the_interval() {
        let options = EveryOptions::new(3 * MIN);
        let (_, sleeps, _) = script(&options, &[false; 7]);
        let secs: Vec<u64> = sleeps.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [30, 60, 120, 180, 180, 180]);
        // Far down a long outage nothing overflows.
        assert_eq!(options.retry_delay(u32::MAX), 3 * MIN);
        // An interval under 30 s retries at the interval.
        let short = EveryOptions::new(Duration::from_millis(50));
        assert_eq!(short.retry_delay(1), Duration::from_millis(50));
        assert_eq!(short.retry_delay(5), Duration::from_millis(50));
    }

    #[test]
    fn cycles_are_scheduled_start_to_start() {
        let mut sleeper = FakeSleeper::new();
        let took = [4 * MIN, 20 * MIN, MIN];
        // The cycle "takes" time by moving the fake clock through a shared cell.
        let clock = std::cell::Cell::new(Duration::ZERO);
        let options = EveryOptions {
            max_cycles: Some(3),
            ..EveryOptions::new(15 * MIN)
        };
        struct Shared<'a> {
            inner: &'a mut FakeSleeper,
            extra: &'a std::cell::Cell<Duration>,
        }
        impl Sleeper for Shared<'_> {
            fn now(&self) -> Instant {
                self.inner.now() + self.extra.get()
            }
            fn sleep(&mut self, d: Duration) -> bool {
                self.inner.sleep(d)
            }
            fn stop_requested(&self) -> bool {
                self.inner.stop_requested()
            }
        }
        let mut shared = Shared {
            inner: &mut sleeper,
            extra: &clock,
        };
        let summary = run_every(
            &options,
            &mut shared,
            |n| {
                clock.set(clock.get() + took[(n - 1) as usize]);
                Ok::<u64, Failed>(1)
            },
            |_| {},
        );
        assert_eq!(summary.ok, 3);
        // 15 − 4 = 11 minutes; a cycle longer than the interval is followed at once (no sleep).
        assert_eq!(sleeper.sleeps, [11 * MIN]);
    }

    #[test]
    fn a_stop_during_a_sleep_ends_the_loop() {
        let mut sleeper = FakeSleeper::new();
        sleeper.stop_after_sleeps = Some(2);
        let mut cycles = 0;
        let summary = run_every(
            &EveryOptions::new(MIN),
            &mut sleeper,
            |_| {
                cycles += 1;
                Ok::<u64, Failed>(0)
            },
            |_| {},
        );
        assert_eq!(cycles, 2);
        assert_eq!(summary.cycles, 2);
        assert!(summary.stopped);
    }

    #[test]
    fn a_stop_before_the_first_cycle_runs_none() {
        let stop = StopFlag::new();
        stop.request();
        let mut sleeper = ThreadSleeper::new(stop);
        let summary = run_every(
            &EveryOptions::new(MIN),
            &mut sleeper,
            |_| -> Result<u64, Failed> { panic!("no cycle may run") },
            |_| {},
        );
        assert_eq!(summary.cycles, 0);
        assert!(summary.stopped);
    }

    #[test]
    fn the_thread_sleeper_wakes_when_stopped() {
        let stop = StopFlag::new();
        let mut sleeper = ThreadSleeper::new(stop.clone());
        let started = Instant::now();
        let setter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            stop.request();
        });
        assert!(!sleeper.sleep(Duration::from_secs(60)));
        assert!(started.elapsed() < Duration::from_secs(5));
        setter.join().expect("setter");
        assert!(ThreadSleeper::default().sleep(Duration::from_millis(5)));
    }

    #[test]
    fn intervals_parse_with_a_unit_and_within_a_day() {
        assert_eq!(parse_every("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_every("15m"), Ok(15 * MIN));
        assert_eq!(parse_every(" 1h "), Ok(60 * MIN));
        assert_eq!(parse_every("24h"), Ok(MAX_EVERY));
        assert_eq!(parse_every("1440m"), Ok(MAX_EVERY));
        assert_eq!(parse_every("0s"), Err(EveryError::Zero));
        assert_eq!(parse_every("0h"), Err(EveryError::Zero));
        assert!(matches!(parse_every("25h"), Err(EveryError::TooLong(_))));
        assert!(matches!(parse_every("86401s"), Err(EveryError::TooLong(_))));
        assert!(matches!(
            parse_every("99999999999999999999999h"),
            Err(EveryError::TooLong(_))
        ));
        assert!(matches!(parse_every("15"), Err(EveryError::NoUnit(_))));
        for bad in ["m", "15 m", "1.5h", "-5m", "15min", "1h30m", "abc", "15M"] {
            assert!(
                matches!(parse_every(bad), Err(EveryError::Invalid(_))),
                "{bad:?}"
            );
        }
        assert_eq!(parse_every(""), Err(EveryError::Empty));
    }

    #[test]
    fn error_chains_name_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        #[derive(Debug, thiserror::Error)]
        #[error("wrapped: {0}")]
        struct Repeats(#[source] std::io::Error);
        let io = || std::io::Error::other("disk on fire");
        assert_eq!(error_chain(&Outer(io())), "outer: disk on fire");
        assert_eq!(error_chain(&Repeats(io())), "wrapped: disk on fire");
    }
}
