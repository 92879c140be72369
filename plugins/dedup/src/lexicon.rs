//! The per-word hashes an article needs (its shingle word hash and its story term), looked
//! up in a small cache instead of hashed with BLAKE3 at every occurrence.
//!
//! News text repeats its vocabulary within an article and across articles, and BLAKE3 of a
//! short word (one compression) was the largest single cost of an article's analysis. The
//! cache is a fixed direct-mapped table: no allocation per word, bounded memory, and a word
//! that collides with another just replaces it. A cached value is exactly what the hash
//! functions compute ([`word_hash`], [`content_term`]), so answers do not depend on the
//! cache's state.

use crate::minhash::word_hash;
use crate::normalise::Words;
use crate::story::content_term;

/// What the analysis needs of one folded word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordKeys {
    /// [`word_hash`] of the word: the input of its shingles.
    pub hash: u64,
    /// Its story term ([`content_term`]): `None` for stopwords, numbers, single letters.
    pub term: Option<u64>,
}

impl WordKeys {
    /// The keys of `word`, computed (not cached).
    pub fn of(word: &str) -> Self {
        let hash = word_hash(word);
        Self { hash, term: content_term(word, hash) }
    }
}

/// Words longer than this many bytes are not cached (0.02% of the BBC corpus's words; they
/// are hashed directly).
const MAX_CACHED: usize = 15;
/// Slots in a cache: 512 KiB of 32-byte slots. A lookup's time is mostly the slot's cache
/// miss, so slots are kept small: 16,384 of 64 bytes took more CPU time than this.
const SLOTS: usize = 1 << 14;
/// Set in a slot's `key[1]` when the word has a story term.
const HAS_TERM: u64 = 1 << 62;

/// One cached word: its bytes zero-padded with the length in the last byte (so an empty
/// slot, all zeros, matches no word; [`HAS_TERM`] is set above the length), its word hash
/// and its term (meaningful when [`HAS_TERM`] is set).
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
struct Slot {
    key: [u64; 2],
    hash: u64,
    term: u64,
}

const EMPTY: Slot = Slot { key: [0; 2], hash: 0, term: 0 };

/// A direct-mapped cache of [`WordKeys`] by folded word. One per analysing thread (the
/// engine keeps a pool of them), so lookups take no lock.
#[derive(Debug)]
pub struct WordCache {
    slots: Box<[Slot]>,
}

impl Default for WordCache {
    fn default() -> Self {
        Self { slots: vec![EMPTY; SLOTS].into_boxed_slice() }
    }
}

impl WordCache {
    /// The keys of `word`, from the cache when it holds them.
    pub fn get(&mut self, word: &str) -> WordKeys {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CACHED {
            return WordKeys::of(word);
        }
        let mut padded = [0u8; 16];
        padded[..bytes.len()].copy_from_slice(bytes);
        padded[15] = bytes.len() as u8;
        let key = [
            u64::from_le_bytes(padded[..8].try_into().expect("8 bytes")),
            u64::from_le_bytes(padded[8..].try_into().expect("8 bytes")),
        ];
        let h = key[0].wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key[1].wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        let h = (h ^ (h >> 32)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let slot = &mut self.slots[(h >> (64 - SLOTS.trailing_zeros())) as usize];
        if slot.key[0] == key[0] && slot.key[1] & !HAS_TERM == key[1] {
            let term = (slot.key[1] & HAS_TERM != 0).then_some(slot.term);
            return WordKeys { hash: slot.hash, term };
        }
        let keys = WordKeys::of(word);
        let flag = if keys.term.is_some() { HAS_TERM } else { 0 };
        *slot = Slot { key: [key[0], key[1] | flag], hash: keys.hash, term: keys.term.unwrap_or(0) };
        keys
    }

    /// The keys of every word, in order.
    pub fn keys(&mut self, words: &Words) -> Vec<WordKeys> {
        words.texts().map(|w| self.get(w)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_keys_are_the_computed_keys_whatever_the_collisions() {
        let mut cache = WordCache::default();
        let long = "a".repeat(16);
        let mut words: Vec<String> = (0..3 * SLOTS).map(|i| format!("w{i}")).collect();
        words.extend(["the", "putin's", "g7", "x", "2025", "ceasefire", &long, "é"].map(str::to_owned));
        for round in 0..2 {
            for w in &words {
                assert_eq!(cache.get(w), WordKeys::of(w), "{w}, round {round}");
            }
        }
        assert_eq!(cache.get("the").term, None, "a stopword");
        assert_eq!(cache.get("putin's").term, Some(word_hash("putin")), "a possessive's stem");
        assert_eq!(cache.get("ceasefire").term, Some(word_hash("ceasefire")));
    }
}
