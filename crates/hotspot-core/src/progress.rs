//! Progress reporting without a terminal dependency.
//!
//! Libraries report long steps through [`Progress`]; the command line renders them with
//! progress bars, tests and the console pass [`NoProgress`] or their own sink.

/// Something that can show the progress of named stages.
pub trait Progress: Send + Sync {
    /// Starts a stage of `total` units (`None` when unknown).
    fn stage(&self, name: &str, total: Option<u64>) -> Box<dyn Stage>;
}

/// One running stage.
pub trait Stage: Send + Sync {
    /// `n` more units done.
    fn advance(&self, n: u64);
    /// Sets the total once it is known.
    fn set_total(&self, _total: u64) {}
    /// The stage is over.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

struct NoStage;

impl Stage for NoStage {
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

impl Progress for NoProgress {
    fn stage(&self, _name: &str, _total: Option<u64>) -> Box<dyn Stage> {
        Box::new(NoStage)
    }
}
