//! [`WordCache`]: the weighed word features of recently tagged words, kept across
//! documents. A word's [`word_features`](super::features::word_features) and their weight
//! sums depend on the word alone, so a word met again in a later document needs neither
//! its features made nor the weight table searched again. The sums are integers, so taking
//! them from the cache cannot change a tag.
//!
//! The cache is bounded: two generations of at most half the words each. A word is
//! looked up in the recent one, then the older one (and moved to the recent one); when
//! the recent one is full it becomes the older one and the words of the older one are
//! dropped. So the words kept are about those of the last few hundred documents, the
//! frequent ones always among them.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Mutex, PoisonError};

use super::decode::TAGS;
use super::features::{ContextInfo, WORD_ROLES};
use super::model::WordHasher;

/// Weight sums kept per word: one per role ([`WORD_ROLES`]) and stage (first stage's
/// roles, then the second's).
pub const SUM_ROWS: usize = 2 * WORD_ROLES.len();

/// Words kept by [`WordCache::default`]: two generations of 1,280, about 1.1 MiB in all
/// (384 bytes of values and a short key per word, two tables of 2,048 buckets). On BBC
/// News about 60% of each article's distinct words are then found (with 1,792 words,
/// `process` ran 3.7% more instructions).
pub const DEFAULT_WORDS: usize = 2560;

/// One word's cached values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weighed {
    /// What tagging reads of the word besides its word features.
    pub context: ContextInfo,
    /// Its word features' weight sums per role and stage ([`SUM_ROWS`]).
    pub sums: [[i32; TAGS]; SUM_ROWS],
}

/// One generation: word → index into `values` (kept apart from the table, so no value
/// is allocated on its own and a full table's empty buckets cost 24 bytes, not 400).
#[derive(Debug, Default)]
struct Generation {
    index: HashMap<Box<str>, u32, BuildHasherDefault<WordHasher>>,
    values: Vec<Weighed>,
}

impl Generation {
    fn with_capacity(n: usize) -> Self {
        Self {
            index: HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default()),
            values: Vec::with_capacity(n),
        }
    }

    fn get(&self, word: &str) -> Option<&Weighed> {
        self.index.get(word).map(|&i| &self.values[i as usize])
    }

    fn insert(&mut self, word: Box<str>, value: Weighed) {
        self.index.insert(word, self.values.len() as u32);
        self.values.push(value);
    }

    fn clear(&mut self) {
        self.index.clear();
        self.values.clear();
    }
}

#[derive(Debug, Default)]
struct Generations {
    recent: Generation,
    older: Generation,
}

/// A bounded cache of weighed words, shared by the threads tagging with one model (one
/// lock per document to look words up, one to add the new ones).
#[derive(Debug)]
pub struct WordCache {
    half: usize,
    inner: Mutex<Generations>,
}

impl Default for WordCache {
    fn default() -> Self {
        Self::new(DEFAULT_WORDS)
    }
}

impl Clone for WordCache {
    /// An empty cache of the same size (cached values are only ever a shortcut).
    fn clone(&self) -> Self {
        Self::new(self.half * 2)
    }
}

impl Generations {
    /// Makes room for one word in the recent generation.
    fn room(&mut self, half: usize) {
        if self.recent.values.len() >= half {
            std::mem::swap(&mut self.recent, &mut self.older);
            self.recent.clear();
        }
    }
}

impl WordCache {
    /// A cache of at most `max_words` words (0 keeps none).
    #[must_use]
    pub fn new(max_words: usize) -> Self {
        let half = max_words / 2;
        let (recent, older) = (Generation::with_capacity(half), Generation::with_capacity(half));
        Self { half, inner: Mutex::new(Generations { recent, older }) }
    }

    /// Words cached now.
    #[must_use]
    pub fn len(&self) -> usize {
        let g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.recent.index.len() + g.older.index.len()
    }

    /// True when no word is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `found(i, values)` for each `words[i]` that is cached.
    pub fn lookup(&self, words: &[&str], mut found: impl FnMut(usize, &Weighed)) {
        if self.half == 0 {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for (i, &w) in words.iter().enumerate() {
            if let Some(v) = g.recent.get(w) {
                found(i, v);
            } else if let Some((k, at)) = g.older.index.remove_entry(w) {
                // Its value stays in the older slab (unreachable) until that is cleared.
                let v = g.older.values[at as usize];
                found(i, &v);
                g.room(self.half);
                g.recent.insert(k, v);
            }
        }
    }

    /// Caches words not found by [`WordCache::lookup`] with their values. A word that is
    /// cached meanwhile (by another thread) may be cached twice for a while, with the same
    /// values.
    pub fn insert<'w>(&self, words: impl IntoIterator<Item = (&'w str, Weighed)>) {
        if self.half == 0 {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for (w, v) in words {
            g.room(self.half);
            g.recent.insert(w.into(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighed(k: i32) -> Weighed {
        Weighed { context: ContextInfo::default(), sums: [[k; TAGS]; SUM_ROWS] }
    }

    fn cached(c: &WordCache, w: &str) -> Option<i32> {
        let mut out = None;
        c.lookup(&[w], |_, v| out = Some(v.sums[0][0]));
        out
    }

    #[test]
    fn keeps_recent_words_within_its_bound() {
        let c = WordCache::new(4);
        c.insert([("a", weighed(1)), ("b", weighed(2))]);
        assert_eq!((cached(&c, "a"), cached(&c, "b"), cached(&c, "z")), (Some(1), Some(2), None));
        // "a" and "b" move to the older generation, then "a" is used again.
        c.insert([("c", weighed(3)), ("d", weighed(4))]);
        assert_eq!(c.len(), 4);
        assert_eq!(cached(&c, "a"), Some(1));
        c.insert([("e", weighed(5))]);
        assert!(c.len() <= 4);
        assert_eq!(cached(&c, "a"), Some(1), "a word in use stays");
        assert_eq!(cached(&c, "b"), None, "the least recent are dropped");
        let mut seen = Vec::new();
        c.lookup(&["e", "x", "a"], |i, v| seen.push((i, v.sums[0][0])));
        assert_eq!(seen, [(0, 5), (2, 1)]);
        let none = WordCache::new(0);
        none.insert([("a", weighed(1))]);
        assert!(none.is_empty() && cached(&none, "a").is_none());
    }
}
