// SPDX-License-Identifier: GPL-2.0
//! Answers kept for a little while.
//!
//! A burst of failures asks the resolver the same questions again and
//! again: the delivery to a filesystem that declines and the per-page
//! fallback that follows are the same range of the same device; a range
//! may be reported twice (address range scrub, then a machine check); and
//! every failure of a device asks where its media is and what is stacked
//! on it. Each answer is kept for a fixed time from when it was found, so
//! that a burst pays for each question once, and a later failure still
//! sees the filesystems as they are then. Entries older than that are
//! dropped as new ones come, so memory follows the rate of questions, not
//! the length of the run.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// The smallest number of entries at which expired ones are looked for.
const FIRST_SWEEP: usize = 64;

/// Answers of type `V` to questions `K`, each kept for `ttl`.
#[derive(Debug)]
pub struct Recent<K, V> {
    ttl: Duration,
    answers: HashMap<K, (Instant, V)>,
    /// Expired entries are dropped when the map reaches this size; then
    /// it becomes twice what is left, so that sweeping costs O(1) an
    /// insertion.
    sweep_at: usize,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// Keeps each answer for `ttl` after it was found (none with zero).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            answers: HashMap::new(),
            sweep_at: FIRST_SWEEP,
        }
    }

    /// The answer to `key`, if it was found less than the time to keep
    /// ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let (at, v) = self.answers.get(key)?;
        (at.elapsed() < self.ttl).then(|| v.clone())
    }

    /// Keeps `v`, just found, as the answer to `key`.
    pub fn insert(&mut self, key: K, v: V) {
        let now = Instant::now();
        if self.answers.len() >= self.sweep_at {
            let ttl = self.ttl;
            self.answers
                .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);
            self.sweep_at = FIRST_SWEEP.max(2 * self.answers.len());
        }
        self.answers.insert(key, (now, v));
    }

    /// The answer to `key`: the one kept, while fresh, or else what
    /// `find` answers, kept from now.
    pub fn get_or_find(&mut self, key: K, find: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(&key) {
            return v;
        }
        let v = find();
        self.insert(key, v.clone());
        v
    }

    /// How many answers are kept now, expired or not.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_while_fresh() {
        let mut r = Recent::new(Duration::from_secs(3600));
        assert_eq!(r.get(&"a"), None);
        r.insert("a", 1);
        assert_eq!(r.get(&"a"), Some(1));
        assert_eq!(r.get(&"b"), None);
        r.insert("a", 2);
        assert_eq!(r.get(&"a"), Some(2));
    }

    #[test]
    fn finds_only_what_is_not_kept() {
        let mut r = Recent::new(Duration::from_secs(3600));
        let mut asked = 0;
        for _ in 0..3 {
            let v = r.get_or_find("a", || {
                asked += 1;
                7
            });
            assert_eq!(v, 7);
        }
        assert_eq!(asked, 1);
        let mut r = Recent::new(Duration::ZERO);
        for _ in 0..3 {
            r.get_or_find("a", || {
                asked += 1;
                7
            });
        }
        assert_eq!(asked, 4);
    }

    #[test]
    fn forgets_once_expired() {
        let mut r = Recent::new(Duration::ZERO);
        r.insert("a", 1);
        assert_eq!(r.get(&"a"), None);
    }

    #[test]
    fn expired_answers_are_dropped() {
        let mut r = Recent::new(Duration::ZERO);
        for i in 0..10_000 {
            r.insert(i, i);
        }
        assert!(r.len() <= FIRST_SWEEP, "{} kept", r.len());
        // Fresh ones are all kept.
        let mut r = Recent::new(Duration::from_secs(3600));
        for i in 0..10_000 {
            r.insert(i, i);
        }
        assert_eq!(r.len(), 10_000);
    }
}
