//! Near-duplicate signatures: word shingles, MinHash, LSH band buckets, and the exact
//! Jaccard and containment used to verify a candidate.
//!
//! Every hash here is fixed by this file (BLAKE3 for words, SplitMix64 for mixing, fixed
//! seeds), never by a per-process random state, because signatures and buckets are stored
//! in the index and must compare across restarts and machines.

use crate::normalise::Word;

/// SplitMix64's finaliser: a fast, well-mixed bijection on `u64`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A stable 64-bit hash of one folded word (the first 8 bytes of its BLAKE3 hash).
pub fn word_hash(word: &str) -> u64 {
    let hash = blake3::hash(word.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// The set of word `k`-shingles of `words`, as sorted, distinct 64-bit hashes.
///
/// A text shorter than `k` words (but not empty) is one shingle of all its words, so a
/// two-line brief still has a signature.
pub fn shingles(words: &[Word], k: usize) -> Vec<u64> {
    let hashes: Vec<u64> = words.iter().map(|w| word_hash(&w.text)).collect();
    if hashes.is_empty() {
        return Vec::new();
    }
    let k = k.clamp(1, hashes.len());
    let mut set: Vec<u64> = hashes
        .windows(k)
        .map(|window| window.iter().fold(0x5348_494E_474C_4531_u64, |h, &w| mix(h.rotate_left(17) ^ w)))
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// Computes MinHash signatures and LSH band buckets for one configuration.
#[derive(Debug, Clone)]
pub struct MinHasher {
    /// One seed per permutation; permutation `i` is `x -> mix(x ^ seeds[i])`.
    seeds: Vec<u64>,
    /// Signature values per band.
    rows: usize,
}

impl MinHasher {
    /// A hasher with `permutations` hash functions cut into bands of `rows` values.
    ///
    /// Precondition: `rows` divides `permutations` (checked by `Config::validate`).
    pub fn new(permutations: usize, rows: usize) -> Self {
        let seeds = (0..permutations as u64).map(|i| mix(i ^ 0x4D49_4E48_4153_4800)).collect();
        Self { seeds, rows: rows.max(1) }
    }

    /// The MinHash signature of a shingle set: per permutation, the least permuted hash.
    /// Empty when the set is empty (such a document has no near-duplicates).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u64> {
        if shingles.is_empty() {
            return Vec::new();
        }
        self.seeds
            .iter()
            .map(|&seed| shingles.iter().map(|&s| mix(s ^ seed)).min().unwrap_or(u64::MAX))
            .collect()
    }

    /// One bucket key per band: a 32-bit hash of the band's number and its rows. Two
    /// documents are LSH candidates when they share a bucket key (a chance collision only
    /// costs one verification).
    pub fn buckets(&self, signature: &[u64]) -> Vec<u32> {
        signature
            .chunks(self.rows)
            .enumerate()
            .map(|(band, rows)| (rows.iter().fold(mix(band as u64), |h, &v| mix(h ^ v)) >> 32) as u32)
            .collect()
    }
}

/// Stored shingle sets larger than this are sampled: only hashes whose short form is a
/// multiple of [`SAMPLE_MOD`] are kept (a consistent sample: two texts keep the same shingles).
pub const KEEP_WHOLE: usize = 64;
/// One stored shingle in this many is kept for a large set.
pub const SAMPLE_MOD: u32 = 4;

/// The 32-bit form of a shingle hash that the index stores.
pub fn short(hash: u64) -> u32 {
    (hash >> 32) as u32
}

fn sampled(x: u32) -> bool {
    x.is_multiple_of(SAMPLE_MOD)
}

/// The stored form of a shingle set: a flag byte (0 whole, 1 sampled), then sorted distinct
/// 32-bit shingles, little-endian. Small sets are kept whole, so verification against a short
/// text is exact; large ones keep a consistent 1-in-[`SAMPLE_MOD`] sample, on which Jaccard
/// and containment are measured exactly (an unbiased estimate of the whole sets' figures).
pub fn stored_set(shingles: &[u64]) -> Vec<u8> {
    let mut short: Vec<u32> = shingles.iter().map(|&h| short(h)).collect();
    short.sort_unstable();
    short.dedup();
    let sample = short.len() > KEEP_WHOLE;
    if sample {
        short.retain(|&x| sampled(x));
    }
    let mut out = Vec::with_capacity(1 + 4 * short.len());
    out.push(u8::from(sample));
    out.extend(short.iter().flat_map(|x| x.to_le_bytes()));
    out
}

/// Overlap of a new article's shingle set with a stored set: exact when the stored set is
/// whole; on the common sample of both when it was sampled. `None` when `stored` is corrupt.
pub fn compare(shingles: &[u64], stored: &[u8]) -> Option<Overlap> {
    let (&flag, rest) = stored.split_first()?;
    let chunks = rest.chunks_exact(4);
    if !chunks.remainder().is_empty() || flag > 1 {
        return None;
    }
    let other: Vec<u32> = chunks.map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())).collect();
    let mut mine: Vec<u32> = shingles.iter().map(|&h| short(h)).collect();
    mine.sort_unstable();
    mine.dedup();
    if flag == 1 || mine.len() > KEEP_WHOLE {
        mine.retain(|&x| sampled(x));
        let other: Vec<u32> = other.into_iter().filter(|&x| sampled(x)).collect();
        return Some(overlap(&mine, &other));
    }
    Some(overlap(&mine, &other))
}

/// How much two shingle sets overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f64,
    /// |A ∩ B| / min(|A|, |B|): 1.0 when the shorter text is wholly inside the longer.
    pub containment: f64,
}

/// Exact Jaccard and containment of two sorted, distinct hash sets.
pub fn overlap<T: Ord>(a: &[T], b: &[T]) -> Overlap {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    let smaller = a.len().min(b.len());
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    Overlap { jaccard: ratio(common, union), containment: ratio(common, smaller) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::words;

    #[test]
    fn shingles_are_sorted_distinct_and_cover_short_texts() {
        let w = words("a b c d e a b c d e");
        let s = shingles(&w, 5);
        assert!(s.windows(2).all(|p| p[0] < p[1]));
        assert_eq!(s.len(), 5, "a b c d e / b c d e a / c d e a b / d e a b c / e a b c d");
        assert_eq!(shingles(&words("two words"), 5).len(), 1);
        assert!(shingles(&[], 5).is_empty());
    }

    #[test]
    fn overlap_measures_jaccard_and_containment() {
        let o = overlap(&[1, 2, 3, 4], &[3, 4]);
        assert_eq!(o.jaccard, 0.5);
        assert_eq!(o.containment, 1.0);
        assert_eq!(overlap::<u64>(&[], &[1]).jaccard, 0.0);
    }

    #[test]
    fn stored_sets_are_whole_when_small_and_sampled_consistently_when_large() {
        let small: Vec<u64> = (0..40u64).map(mix).collect();
        let o = compare(&small, &stored_set(&small)).unwrap();
        assert_eq!((o.jaccard, o.containment), (1.0, 1.0));
        assert_eq!(stored_set(&small).len(), 1 + 4 * 40);
        let large: Vec<u64> = (0..4000u64).map(mix).collect();
        let stored = stored_set(&large);
        assert_eq!(stored[0], 1);
        assert!(stored.len() < 1 + 4 * 1500, "about a quarter kept: {}", stored.len());
        // Half of `large` copied into a new text: containment near 1, Jaccard near 1/2.
        let half: Vec<u64> = large[..2000].to_vec();
        let o = compare(&half, &stored).unwrap();
        assert!(o.containment > 0.95 && (o.jaccard - 0.5).abs() < 0.05, "{o:?}");
        assert!(compare(&half, &[7, 1, 2]).is_none());
    }

    #[test]
    fn identical_sets_share_every_bucket_and_signatures_estimate_jaccard() {
        let h = MinHasher::new(128, 2);
        let a: Vec<u64> = (0..1000).collect();
        let b: Vec<u64> = (500..1500).collect(); // Jaccard 1/3
        let (sa, sb) = (h.signature(&a), h.signature(&b));
        assert_eq!(h.buckets(&sa), h.buckets(&h.signature(&a)));
        assert_eq!(h.buckets(&sa).len(), 64);
        let agree = sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f64 / 128.0;
        assert!((agree - 1.0 / 3.0).abs() < 0.15, "estimate {agree}");
    }
}
