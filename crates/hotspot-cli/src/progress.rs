//! Progress bars (indicatif) for the pipeline's stages, with the time each stage took.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hotspot_core::progress::{Progress, Stage};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Draws a bar per stage on stderr (hidden when stderr is not a terminal or in quiet mode) and
/// remembers how long each stage took.
#[derive(Clone)]
pub struct Bars {
    multi: MultiProgress,
    timings: Arc<Mutex<Vec<(String, Duration)>>>,
}

impl Bars {
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            timings: Arc::default(),
        }
    }

    /// The stages finished so far and how long each took.
    pub fn timings(&self) -> Vec<(String, Duration)> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

struct Bar {
    name: String,
    bar: ProgressBar,
    started: Instant,
    timings: Arc<Mutex<Vec<(String, Duration)>>>,
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: Option<u64>) -> Box<dyn Stage> {
        let bar = match total {
            Some(n) => {
                let bar = ProgressBar::new(n);
                let unit = if name == "read" {
                    "{bytes}/{total_bytes} ({bytes_per_sec})"
                } else {
                    "{pos}/{len}"
                };
                bar.set_style(
                    ProgressStyle::with_template(&format!(
                        "{{spinner:.green}} {{msg:<22}} [{{bar:32.cyan/blue}}] {unit} eta {{eta}}"
                    ))
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner:.green} {msg:<22} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }
        };
        let bar = self.multi.add(bar);
        bar.set_message(name.to_string());
        Box::new(Bar {
            name: name.to_string(),
            bar,
            started: Instant::now(),
            timings: self.timings.clone(),
        })
    }
}

impl Stage for Bar {
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn set_total(&self, total: u64) {
        self.bar.set_length(total);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
        if let Ok(mut t) = self.timings.lock() {
            t.push((self.name.clone(), self.started.elapsed()));
        }
    }
}
