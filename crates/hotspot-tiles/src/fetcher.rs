//! The tile fetcher: a few worker threads that take the tiles a view wants, newest request
//! first, answer each from the disk cache or the server, and hand every answer to a sink
//! (the console's event loop, a channel). Nothing here blocks its caller.
//!
//! Politeness, as tile servers' usage policies ask: a User-Agent naming the program, at most
//! [`FetchOptions::concurrency`] requests at once (2 by default), nothing past the source's
//! maximum zoom (the caller enlarges those tiles instead), cached tiles reused for a week, a
//! missing tile (404) asked for once per session, and a failing one left alone for a
//! cool-down before it is tried again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hotspot_core::tile::TileId;

use crate::cache::DiskCache;
use crate::decode::{TileImage, decode};
use crate::error::TileError;
use crate::source::TileSource;

/// How the fetcher behaves.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Requests in flight at once (1–8).
    pub concurrency: usize,
    /// Connect timeout of one request.
    pub connect_timeout: Duration,
    /// Whole-request timeout (a slow tile gives up after this).
    pub timeout: Duration,
    /// Extra attempts after a failure worth retrying (timeouts, 5xx, 429).
    pub retries: u32,
    /// The wait before a retry (doubled each time).
    pub backoff: Duration,
    /// How long a tile that failed is not asked for again.
    pub cooldown: Duration,
    /// The largest body read (bytes).
    pub max_body: u64,
    /// Never touch the network: only the cache answers.
    pub offline: bool,
    /// The most requests waiting; older ones are dropped when more arrive.
    pub max_queue: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            concurrency: 2,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            retries: 1,
            backoff: Duration::from_millis(400),
            cooldown: Duration::from_secs(30),
            max_body: 2 << 20,
            offline: false,
            max_queue: 1024,
        }
    }
}

/// Where a ready tile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A fresh copy from the disk cache (no request sent).
    Cache,
    /// Downloaded now (and cached).
    Network,
    /// An old cached copy, used because the server could not be reached or we are offline.
    StaleCache,
}

/// One answer of the fetcher.
#[derive(Clone, Debug)]
pub enum TileEvent {
    Ready {
        tile: TileId,
        image: Arc<TileImage>,
        origin: Origin,
    },
    /// The server has no such tile (404 / 204): draw nothing there, do not ask again.
    Missing { tile: TileId },
    /// It could not be had now (says why); it may be asked for again after the cool-down.
    Failed { tile: TileId, error: String },
}

impl TileEvent {
    pub fn tile(&self) -> TileId {
        match self {
            Self::Ready { tile, .. } | Self::Missing { tile } | Self::Failed { tile, .. } => *tile,
        }
    }
}

/// Counters of a fetcher's work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// HTTP requests sent (every attempt).
    pub requests: u64,
    /// Tiles answered from the cache without a request.
    pub cache_hits: u64,
    /// Body bytes downloaded.
    pub bytes: u64,
    /// Tiles that failed.
    pub failures: u64,
    /// Tiles the server does not have.
    pub missing: u64,
    /// Tiles waiting or in flight now.
    pub pending: u64,
}

type Sink = Box<dyn Fn(TileEvent) + Send + Sync>;

#[derive(Default)]
struct Queue {
    waiting: VecDeque<TileId>,
    in_flight: HashSet<TileId>,
    missing: HashSet<TileId>,
    failed: HashMap<TileId, Instant>,
    stop: bool,
}

struct Shared {
    source: TileSource,
    cache: Option<DiskCache>,
    options: FetchOptions,
    agent: ureq::Agent,
    queue: Mutex<Queue>,
    wake: Condvar,
    sink: Sink,
    requests: AtomicU64,
    cache_hits: AtomicU64,
    bytes: AtomicU64,
    failures: AtomicU64,
    missing: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Fetches tiles of one source on background threads. Dropping it stops the workers (a
/// request in flight finishes or times out on its own and its answer is discarded).
pub struct TileFetcher {
    shared: Arc<Shared>,
}

/// The User-Agent sent with every request.
pub fn user_agent() -> String {
    format!(
        "hotspot/{} (+https://github.com/hotspot-console/hotspot)",
        env!("CARGO_PKG_VERSION")
    )
}

impl TileFetcher {
    /// Starts the workers. `cache` is where tiles are kept (None: memory only, nothing
    /// saved); `sink` receives every answer, on a worker thread.
    pub fn new(
        source: TileSource,
        cache: Option<DiskCache>,
        options: FetchOptions,
        sink: impl Fn(TileEvent) + Send + Sync + 'static,
    ) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .user_agent(user_agent())
            .max_idle_connections_per_host(options.concurrency.clamp(1, 8))
            .build();
        let workers = options.concurrency.clamp(1, 8);
        let shared = Arc::new(Shared {
            source,
            cache,
            options,
            agent: config.new_agent(),
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            sink: Box::new(sink),
            requests: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            missing: AtomicU64::new(0),
        });
        for i in 0..workers {
            let s = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("hotspot-tiles-{i}"))
                .spawn(move || work(&s));
            if let Err(e) = spawned {
                tracing::warn!("tile worker {i} could not start: {e}");
            }
        }
        if let Some(cache) = shared.cache.clone() {
            // Trimming walks the whole cache folder: not on the caller's thread.
            let _ = std::thread::Builder::new()
                .name("hotspot-tiles-trim".into())
                .spawn(move || {
                    let (removed, left) = cache.trim();
                    if removed > 0 {
                        tracing::info!(
                            "tile cache trimmed: {removed} tiles removed, {left} bytes left"
                        );
                    }
                });
        }
        Self { shared }
    }

    /// The source this fetcher serves.
    pub fn source(&self) -> &TileSource {
        &self.shared.source
    }

    /// Asks for `tiles`, most wanted first, replacing whatever was waiting (tiles no view
    /// wants any more are not fetched). Tiles in flight, known missing or cooling down after
    /// a failure are skipped; so is anything past the source's maximum zoom.
    pub fn want(&self, tiles: &[TileId]) {
        let max_zoom = self.shared.source.max_zoom;
        let cooldown = self.shared.options.cooldown;
        let limit = self.shared.options.max_queue;
        let mut q = self.shared.lock();
        let now = Instant::now();
        q.failed.retain(|_, at| now.duration_since(*at) < cooldown);
        let mut seen = HashSet::new();
        let waiting: VecDeque<TileId> = tiles
            .iter()
            .copied()
            .filter(|t| t.z <= max_zoom)
            .filter(|t| !q.in_flight.contains(t) && !q.missing.contains(t))
            .filter(|t| !q.failed.contains_key(t))
            .filter(|t| seen.insert(*t))
            .take(limit)
            .collect();
        q.waiting = waiting;
        drop(q);
        self.shared.wake.notify_all();
    }

    /// Counters so far.
    pub fn stats(&self) -> FetchStats {
        let s = &self.shared;
        let q = s.lock();
        FetchStats {
            requests: s.requests.load(Ordering::Relaxed),
            cache_hits: s.cache_hits.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            failures: s.failures.load(Ordering::Relaxed),
            missing: s.missing.load(Ordering::Relaxed),
            pending: (q.waiting.len() + q.in_flight.len()) as u64,
        }
    }
}

impl Drop for TileFetcher {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
    }
}

fn work(s: &Shared) {
    loop {
        let tile = {
            let mut q = s.lock();
            loop {
                if q.stop {
                    return;
                }
                if let Some(t) = q.waiting.pop_front() {
                    q.in_flight.insert(t);
                    break t;
                }
                q = s.wake.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        let event = answer(s, tile);
        let mut q = s.lock();
        q.in_flight.remove(&tile);
        match &event {
            TileEvent::Missing { .. } => {
                q.missing.insert(tile);
                s.missing.fetch_add(1, Ordering::Relaxed);
            }
            TileEvent::Failed { .. } => {
                q.failed.insert(tile, Instant::now());
                s.failures.fetch_add(1, Ordering::Relaxed);
            }
            TileEvent::Ready { .. } => {}
        }
        let stop = q.stop;
        drop(q);
        if !stop {
            (s.sink)(event);
        }
    }
}

/// What one request came to.
enum Got {
    Body(Vec<u8>),
    Missing,
}

/// Answers one tile: a fresh cached copy, else the server, else a stale cached copy.
fn answer(s: &Shared, tile: TileId) -> TileEvent {
    let url = s.source.url(tile);
    let cached = s.cache.as_ref().and_then(|c| c.get(tile));
    let from_cache = |bytes: &[u8], origin: Origin| match decode(&url, bytes) {
        Ok(image) => Some(TileEvent::Ready {
            tile,
            image: Arc::new(image),
            origin,
        }),
        Err(e) => {
            tracing::warn!("cached tile {tile} unreadable, fetching again: {e}");
            None
        }
    };
    if let Some(c) = &cached
        && (c.fresh || s.options.offline)
    {
        let origin = if c.fresh {
            Origin::Cache
        } else {
            Origin::StaleCache
        };
        if let Some(ev) = from_cache(&c.bytes, origin) {
            s.cache_hits.fetch_add(1, Ordering::Relaxed);
            return ev;
        }
    }
    if s.options.offline {
        return TileEvent::Failed {
            tile,
            error: TileError::NotCached {
                tile: tile.to_string(),
            }
            .to_string(),
        };
    }
    let fetched = fetch(s, &url).and_then(|got| match got {
        Got::Missing => Ok(None),
        Got::Body(bytes) => decode(&url, &bytes).map(|img| Some((bytes, img))),
    });
    match fetched {
        Ok(Some((bytes, image))) => {
            if let Some(cache) = &s.cache {
                if cached.as_ref().is_some_and(|c| c.bytes == bytes) {
                    cache.touch(tile);
                } else if let Err(e) = cache.put(tile, &bytes) {
                    tracing::warn!("{e}");
                }
            }
            TileEvent::Ready {
                tile,
                image: Arc::new(image),
                origin: Origin::Network,
            }
        }
        Ok(None) => TileEvent::Missing { tile },
        Err(e) => {
            // The server cannot give it now: an old copy is better than a hole.
            if let Some(c) = &cached
                && let Some(ev) = from_cache(&c.bytes, Origin::StaleCache)
            {
                s.cache_hits.fetch_add(1, Ordering::Relaxed);
                return ev;
            }
            TileEvent::Failed {
                tile,
                error: e.to_string(),
            }
        }
    }
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

/// One tile over HTTP, with the retries the options allow.
fn fetch(s: &Shared, url: &str) -> Result<Got, TileError> {
    let mut wait = s.options.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt > s.options.retries;
        s.requests.fetch_add(1, Ordering::Relaxed);
        let result = s
            .agent
            .get(url)
            .header("Accept", "image/png,image/jpeg,image/*;q=0.8")
            .call();
        let error = match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                match status {
                    200 => {
                        let body = response
                            .body_mut()
                            .with_config()
                            .limit(s.options.max_body)
                            .read_to_vec();
                        match body {
                            Ok(bytes) => {
                                s.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                                return Ok(Got::Body(bytes));
                            }
                            Err(e) => TileError::Network {
                                url: url.to_string(),
                                detail: e.to_string(),
                            },
                        }
                    }
                    204 | 404 | 410 => return Ok(Got::Missing),
                    _ => {
                        let e = TileError::Http {
                            url: url.to_string(),
                            status,
                        };
                        if !retryable(status) {
                            return Err(e);
                        }
                        e
                    }
                }
            }
            Err(e) => TileError::Network {
                url: url.to_string(),
                detail: e.to_string(),
            },
        };
        if last || stopped(s) {
            return Err(error);
        }
        std::thread::sleep(wait);
        wait *= 2;
    }
}

fn stopped(s: &Shared) -> bool {
    s.lock().stop
}

/// Fetches `tiles` and waits for every answer, or until `deadline` passes (the rest are
/// reported failed). For one picture (`hotspot render`), not for a window.
pub fn fetch_all(
    source: TileSource,
    cache: Option<DiskCache>,
    options: FetchOptions,
    tiles: &[TileId],
    deadline: Duration,
) -> Vec<TileEvent> {
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(tx);
    let fetcher = TileFetcher::new(source, cache, options, move |ev| {
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(ev);
        }
    });
    let wanted: Vec<TileId> = tiles
        .iter()
        .copied()
        .filter(|t| t.z <= fetcher.source().max_zoom)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    fetcher.want(&wanted);
    let end = Instant::now() + deadline;
    let mut answers: HashMap<TileId, TileEvent> = HashMap::new();
    while answers.len() < wanted.len() {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ev) => {
                answers.insert(ev.tile(), ev);
            }
            Err(_) => break,
        }
    }
    drop(fetcher);
    let mut out: Vec<TileEvent> = wanted
        .iter()
        .map(|t| {
            answers.remove(t).unwrap_or_else(|| TileEvent::Failed {
                tile: *t,
                error: format!("no answer within {:.1} s", deadline.as_secs_f64()),
            })
        })
        .collect();
    out.sort_by_key(TileEvent::tile);
    out
}
