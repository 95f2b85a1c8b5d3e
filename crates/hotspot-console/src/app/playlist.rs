//! The wall's playlist: scripted views shown in turn, each for its own number of seconds.

use std::time::{Duration, Instant};

/// Views (name, seconds) and where the rotation stands.
#[derive(Clone, Debug, Default)]
pub(super) struct Playlist {
    views: Vec<(String, u32)>,
    pos: usize,
    next: Option<Instant>,
}

impl Playlist {
    /// A playlist of (view name, seconds) entries; nothing is due until the first
    /// [`Playlist::advance`].
    pub fn new(views: Vec<(String, u32)>) -> Self {
        Self {
            views,
            pos: 0,
            next: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }

    /// Moves to the next view at `now`: returns its name and seconds and schedules the one
    /// after (at least a second later). `None` for an empty playlist.
    pub fn advance(&mut self, now: Instant) -> Option<(String, u32)> {
        let n = self.views.len();
        let (name, secs) = self.views.get(self.pos % n.max(1))?.clone();
        self.pos = (self.pos + 1) % n;
        self.next = Some(now + Duration::from_secs(u64::from(secs.max(1))));
        Some((name, secs))
    }

    /// Whether the next view is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.next.is_some_and(|t| now >= t)
    }

    /// When the next view is due.
    pub fn deadline(&self) -> Option<Instant> {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_turn_in_order_for_their_own_time() {
        let t0 = Instant::now();
        let mut p = Playlist::new(vec![("a".into(), 10), ("b".into(), 0)]);
        assert!(!p.due(t0) && p.deadline().is_none());
        assert_eq!(p.advance(t0), Some(("a".into(), 10)));
        assert_eq!(p.deadline(), Some(t0 + Duration::from_secs(10)));
        assert!(!p.due(t0 + Duration::from_secs(9)));
        assert!(p.due(t0 + Duration::from_secs(10)));
        let t1 = t0 + Duration::from_secs(10);
        // A zero-second entry still shows for a second.
        assert_eq!(p.advance(t1), Some(("b".into(), 0)));
        assert_eq!(p.deadline(), Some(t1 + Duration::from_secs(1)));
        assert_eq!(p.advance(t1).map(|v| v.0), Some("a".into()));
        assert_eq!(Playlist::new(Vec::new()).advance(t0), None);
    }
}
