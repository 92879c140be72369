//! A membership filter over the LSH bucket keys of one sorted run.
//!
//! Almost no bucket an article looks up is present in a given run (a run holds tens of
//! millions of 32-bit bucket keys out of 2³²), yet without a filter every lookup reads the
//! run part that would hold it: 64 bands × about three runs = ~190 page reads per article,
//! nearly all of them misses of redb's page cache, which at a million articles were the
//! largest share of the tail latency. A [`RunFilter`] answers "certainly absent" for most of
//! them from memory.
//!
//! It is a register-blocked Bloom filter: each key sets [`HASHES`] bits inside one 64-bit
//! word, so a lookup is one memory access and a few bit operations. The word is chosen by
//! the key's own value (bucket keys are already the high bits of a well-mixed hash, so they
//! spread evenly), which keeps the words in key order: a run is written in key order, so
//! building its filter walks memory sequentially instead of missing the CPU cache on every
//! one of tens of millions of keys. The bits inside the word come from a hash of the key. With [`BITS_PER_KEY`]
//! bits per key its false-positive rate is about 6.7% (a classic Bloom filter of the same
//! size: 5.6%; an 8-bit binary fuse or xor filter: 0.4% but 9-9.8 bits per key and a
//! construction that needs every key in memory at once, 8 bytes each, which the merge of a
//! 40-million-pair run cannot afford here). At a million articles the filters of all runs
//! take about 46 MiB; they are built while a run is written (streaming, in key order) and
//! stored next to it, so reopening an index reads them instead of re-reading the runs.

/// Filter bits per key: about 6.7% false positives at [`HASHES`] = 4.
pub const BITS_PER_KEY: u64 = 6;
/// Bits set per key, all in the same 64-bit word.
const HASHES: u32 = 4;

/// A register-blocked Bloom filter over 32-bit LSH bucket keys (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFilter {
    words: Vec<u64>,
}

/// The bucket key mixed into 64 well-spread bits (the splitmix64 finaliser); the bit
/// positions come from its low 24 bits.
fn mix(key: u32) -> u64 {
    let mut h = u64::from(key) ^ 0x5851_f42d_4c95_7f2d;
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn mask(h: u64) -> u64 {
    (0..HASHES).fold(0u64, |m, i| m | 1u64 << ((h >> (6 * i)) & 63))
}

impl RunFilter {
    /// The number of 64-bit words of a filter sized for `keys` keys.
    pub fn words_for(keys: u64) -> usize {
        usize::try_from((keys * BITS_PER_KEY).div_ceil(64).max(1)).unwrap_or(usize::MAX)
    }

    /// An empty filter sized for `keys` keys (inserting fewer only lowers its false-positive
    /// rate; a key inserted twice counts once).
    pub fn with_keys(keys: u64) -> Self {
        Self { words: vec![0; Self::words_for(keys)] }
    }

    /// The word holding a key: equal key ranges, in key order.
    fn word(&self, key: u32) -> usize {
        ((u64::from(key) * self.words.len() as u64) >> 32) as usize
    }

    /// Adds a key.
    pub fn insert(&mut self, key: u32) {
        let at = self.word(key);
        self.words[at] |= mask(mix(key));
    }

    /// `false` when the key was certainly never inserted; `true` when it may have been.
    pub fn may_contain(&self, key: u32) -> bool {
        let m = mask(mix(key));
        self.words[self.word(key)] & m == m
    }

    /// The filter's words, little-endian, in `chunk`-word pieces (how it is stored).
    pub fn chunks(&self, chunk: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.words.chunks(chunk).map(|c| c.iter().flat_map(|w| w.to_le_bytes()).collect())
    }

    /// A filter from its stored words (decoded from [`RunFilter::chunks`]); `None` unless
    /// there are exactly `expected` of them (a filter of another size would answer wrongly).
    pub fn from_words(words: Vec<u64>, expected: usize) -> Option<Self> {
        (words.len() == expected && expected > 0).then_some(Self { words })
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        // Bucket keys are the high bits of a mixed hash: random-looking, unevenly spaced.
        let random =
            |i: u64| u32::from_le_bytes(blake3::hash(&i.to_le_bytes()).as_bytes()[..4].try_into().unwrap());
        let keys: Vec<u32> = (0..200_000).map(random).collect();
        let mut filter = RunFilter::with_keys(keys.len() as u64);
        for &k in &keys {
            filter.insert(k);
        }
        assert!(keys.iter().all(|&k| filter.may_contain(k)));
        // Keys that were not inserted (hashes of other numbers).
        let probes = 200_000u32;
        let inserted: std::collections::HashSet<u32> = keys.iter().copied().collect();
        let absent: Vec<u32> =
            (0..probes).map(|i| random(u64::from(i) + (1 << 40))).filter(|k| !inserted.contains(k)).collect();
        let positives = absent.iter().filter(|&&k| filter.may_contain(k)).count();
        let rate = positives as f64 / absent.len() as f64;
        assert!((0.04..0.09).contains(&rate), "false-positive rate {rate}");
        assert_eq!(filter.bytes(), RunFilter::words_for(200_000) * 8);
    }

    #[test]
    fn stored_bytes_round_trip_and_wrong_lengths_are_refused() {
        let mut filter = RunFilter::with_keys(1000);
        for k in 0..1000u32 {
            filter.insert(k * 7);
        }
        let words = RunFilter::words_for(1000);
        let bytes: Vec<u8> = filter.chunks(10).flatten().collect();
        let decoded: Vec<u64> =
            bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
        assert_eq!(RunFilter::from_words(decoded.clone(), words), Some(filter.clone()));
        assert_eq!(RunFilter::from_words(decoded[1..].to_vec(), words), None);
        assert_eq!(RunFilter::from_words(Vec::new(), 0), None);
        // An empty run still gets a (one-word) filter that rejects everything.
        assert!(!RunFilter::with_keys(0).may_contain(5));
    }
}
