//! Partition-level parallelism on plain threads.
//!
//! The pipeline's unit of parallel work is a partition (a month). Running partitions on
//! rayon's pool while polars runs inside them on its own pool made waiting threads steal
//! other partitions' work, nesting them on one stack; plain worker threads pulling from a
//! shared counter keep every partition on its own thread, in bounded memory.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Applies `f` to every item on as many threads as the machine has cores; results keep the
/// items' order.
pub fn map_partitions<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len())
        .max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_visits_everything_once() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map_partitions(&items, |x| x * 2);
        assert_eq!(out, (0..1000).map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::map_partitions(&Vec::<u32>::new(), |x| *x).is_empty());
    }
}
