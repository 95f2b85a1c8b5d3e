//! Scope queries off the UI thread: the latest request wins, the UI never waits.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use hotspot_core::taxonomy::Taxonomy;
use hotspot_scope::{Engine, Scope, ScopeResult};

/// A query to run.
#[derive(Clone)]
pub struct Request {
    /// Increases with every request; responses carry it back.
    pub id: u64,
    pub scope: Scope,
    pub taxonomy: Arc<Taxonomy>,
}

/// A finished query.
pub struct Response {
    pub id: u64,
    pub result: Result<Arc<ScopeResult>, String>,
}

#[derive(Default)]
struct Shared {
    pending: Option<Request>,
    done: Vec<Response>,
    stop: bool,
}

/// Runs scope queries on a background thread. Submitting while a query runs replaces any
/// request still waiting, so a burst of changes (dragging a slider) costs one extra query.
pub struct QueryWorker {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    handle: Option<JoinHandle<()>>,
}

impl QueryWorker {
    /// Starts the worker; `wake` is called (from the worker thread) when a result is ready.
    pub fn start(engine: Engine, wake: impl Fn() + Send + 'static) -> Self {
        let shared: Arc<(Mutex<Shared>, Condvar)> = Arc::default();
        let worker = shared.clone();
        let handle = std::thread::Builder::new()
            .name("hotspot-query".into())
            .spawn(move || {
                let (lock, cvar) = &*worker;
                loop {
                    let request = {
                        let Ok(mut s) = lock.lock() else { return };
                        while s.pending.is_none() && !s.stop {
                            s = match cvar.wait(s) {
                                Ok(s) => s,
                                Err(_) => return,
                            };
                        }
                        if s.stop {
                            return;
                        }
                        s.pending.take()
                    };
                    let Some(request) = request else { continue };
                    let result = engine
                        .query(&request.scope, &request.taxonomy)
                        .map(Arc::new)
                        .map_err(|e| e.to_string());
                    if let Ok(mut s) = lock.lock() {
                        s.done.push(Response {
                            id: request.id,
                            result,
                        });
                    }
                    wake();
                }
            })
            .ok();
        Self { shared, handle }
    }

    /// Queues a request (replacing one not yet started).
    pub fn submit(&self, request: Request) {
        let (lock, cvar) = &*self.shared;
        if let Ok(mut s) = lock.lock() {
            s.pending = Some(request);
            cvar.notify_one();
        }
    }

    /// Finished responses, oldest first.
    pub fn take_done(&self) -> Vec<Response> {
        self.shared
            .0
            .lock()
            .map(|mut s| std::mem::take(&mut s.done))
            .unwrap_or_default()
    }

    /// Whether a request is waiting or running.
    pub fn busy(&self) -> bool {
        self.shared
            .0
            .lock()
            .map(|s| s.pending.is_some())
            .unwrap_or(false)
    }
}

impl Drop for QueryWorker {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.shared;
        if let Ok(mut s) = lock.lock() {
            s.stop = true;
            cvar.notify_all();
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
