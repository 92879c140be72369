//! Near-duplicate signatures: word shingles, MinHash, LSH band buckets, and the exact
//! Jaccard and containment used to verify a candidate.
//!
//! Every hash here is fixed by this file (BLAKE3 for words, SplitMix64 for mixing, fixed
//! seeds), never by a per-process random state, because signatures and buckets are stored
//! in the index and must compare across restarts and machines.

use crate::normalise::Words;

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
pub fn shingles(words: &Words, k: usize) -> Vec<u64> {
    let hashes: Vec<u64> = words.texts().map(word_hash).collect();
    shingles_of(&hashes, k)
}

/// [`shingles`] of words given by their [`word_hash`]es, in order.
pub fn shingles_of(hashes: &[u64], k: usize) -> Vec<u64> {
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
    ///
    /// This is 128 hashes per shingle, the largest single cost of an article, so it runs on
    /// the widest vector unit the CPU has (chosen at run time; every path computes the same
    /// integers).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u64> {
        if shingles.is_empty() {
            return Vec::new();
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                // SAFETY: the CPU supports the features `signature_avx512` is compiled for.
                return unsafe { signature_avx512(&self.seeds, shingles) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports the features `signature_avx2` is compiled for.
                return unsafe { signature_avx2(&self.seeds, shingles) };
            }
        }
        signature_lanes(&self.seeds, shingles)
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

/// Seeds hashed together per pass over the shingles: the inner loop over them is what the
/// compiler turns into vector instructions.
const LANES: usize = 8;

/// The MinHash signature of a non-empty shingle set, [`LANES`] permutations per pass over
/// the shingles (the same values as one permutation at a time, in a vectorisable order).
#[inline(always)]
fn signature_lanes(seeds: &[u64], shingles: &[u64]) -> Vec<u64> {
    let mut signature = Vec::with_capacity(seeds.len());
    let mut chunks = seeds.chunks_exact(LANES);
    for chunk in &mut chunks {
        let mut lanes = [0u64; LANES];
        lanes.copy_from_slice(chunk);
        let mut least = [u64::MAX; LANES];
        for &s in shingles {
            for (min, &seed) in least.iter_mut().zip(&lanes) {
                *min = (*min).min(mix(s ^ seed));
            }
        }
        signature.extend_from_slice(&least);
    }
    for &seed in chunks.remainder() {
        signature.push(shingles.iter().map(|&s| mix(s ^ seed)).min().unwrap_or(u64::MAX));
    }
    signature
}

/// [`signature_lanes`] compiled for AVX-512 (64-bit multiplies and minimums in one
/// instruction each).
///
/// # Safety
/// The CPU must support AVX-512 F, DQ and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
unsafe fn signature_avx512(seeds: &[u64], shingles: &[u64]) -> Vec<u64> {
    signature_lanes(seeds, shingles)
}

/// [`signature_lanes`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn signature_avx2(seeds: &[u64], shingles: &[u64]) -> Vec<u64> {
    signature_lanes(seeds, shingles)
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

/// The sorted, distinct short forms of `shingles`. A sorted shingle set (what [`shingles`]
/// returns) gives them already sorted (the short form is the high half), so only an
/// unsorted input is sorted.
fn short_set(shingles: &[u64]) -> Vec<u32> {
    let mut short: Vec<u32> = shingles.iter().map(|&h| short(h)).collect();
    if !shingles.is_sorted() {
        short.sort_unstable();
    }
    short.dedup();
    short
}

fn sampled(x: u32) -> bool {
    x.is_multiple_of(SAMPLE_MOD)
}

/// The stored form of a shingle set: a flag byte (0 whole, 1 sampled), then the sorted
/// distinct 32-bit shingles Rice-coded. Small sets are kept whole, so verification against a
/// short text is exact; large ones keep a consistent 1-in-[`SAMPLE_MOD`] sample, on which
/// Jaccard and containment are measured exactly (an unbiased estimate of the whole sets'
/// figures).
///
/// Rice coding: a sampled set stores each shingle divided by [`SAMPLE_MOD`] (they are all
/// multiples of it); the gaps between consecutive values (minus one) are nearly geometric,
/// so each is written as its quotient by 2^k in unary and its remainder in k bits, with k
/// from the mean gap. About 25 bits a shingle instead of 32; the values are exactly those
/// of the plain form. Layout: flag, k (one byte), the count as a LEB128 varint, the bits
/// (least significant first).
pub fn stored_set(shingles: &[u64]) -> Vec<u8> {
    let mut short = short_set(shingles);
    let sample = short.len() > KEEP_WHOLE;
    if sample {
        short.retain(|&x| sampled(x));
        short.iter_mut().for_each(|x| *x /= SAMPLE_MOD);
    }
    let mean = short.last().map_or(1, |&max| (u64::from(max) + 1) / short.len() as u64);
    let k = (u64::BITS - 1 - mean.max(1).leading_zeros()).min(31);
    let mut out = Vec::with_capacity(8 + 4 * short.len());
    out.push(u8::from(sample));
    out.push(k as u8);
    let mut n = short.len() as u64;
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    let mut bits = BitWriter { out, acc: 0, len: 0 };
    let mut next = 0u64;
    for &x in &short {
        let gap = u64::from(x) - next;
        next = u64::from(x) + 1;
        let mut quotient = gap >> k;
        while quotient >= 32 {
            bits.put(u64::from(u32::MAX), 32);
            quotient -= 32;
        }
        bits.put((1 << quotient) - 1, quotient as u32 + 1);
        bits.put(gap & ((1 << k) - 1), k);
    }
    bits.finish()
}

/// Appends bits to a byte vector, least significant first.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl BitWriter {
    /// Appends the low `n` (at most 32) bits of `value`.
    fn put(&mut self, value: u64, n: u32) {
        self.acc |= (value & ((1u64 << n) - 1)) << self.len;
        self.len += n;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A stored set decoded: whether it was sampled, and its shingles (in the plain 32-bit
/// form). `None` when `stored` is malformed.
pub fn load_set(stored: &[u8]) -> Option<(bool, Vec<u32>)> {
    let (&flag, rest) = stored.split_first()?;
    let (&k, rest) = rest.split_first()?;
    if flag > 1 || k > 31 {
        return None;
    }
    let (mut n, mut at) = (0u64, 0);
    for shift in (0..35).step_by(7) {
        let byte = *rest.get(at)?;
        at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            break;
        }
    }
    let bits = rest.get(at..)?;
    let n = usize::try_from(n).ok().filter(|&n| n <= 8 * bits.len())?;
    let bit = |i: usize| bits.get(i / 8).map(|b| (b >> (i % 8)) & 1);
    let mut values = Vec::with_capacity(n);
    let (mut pos, mut next) = (0usize, 0u64);
    for _ in 0..n {
        let mut quotient = 0u64;
        while bit(pos)? == 1 {
            quotient += 1;
            pos += 1;
        }
        pos += 1;
        let mut remainder = 0u64;
        for i in 0..k as usize {
            remainder |= u64::from(bit(pos + i)?) << i;
        }
        pos += k as usize;
        let x = next + (quotient << k) + remainder;
        next = x + 1;
        let x = if flag == 1 { x * u64::from(SAMPLE_MOD) } else { x };
        values.push(u32::try_from(x).ok()?);
    }
    Some((flag == 1, values))
}

/// Overlap of a new article's shingle set with a stored set: exact when the stored set is
/// whole; on the common sample of both when it was sampled. `None` when `stored` is corrupt.
pub fn compare(shingles: &[u64], stored: &[u8]) -> Option<Overlap> {
    let (sampled_set, other) = load_set(stored)?;
    let mut mine = short_set(shingles);
    if sampled_set || mine.len() > KEEP_WHOLE {
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
        assert!(shingles(&Words::default(), 5).is_empty());
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
        assert!(stored_set(&small).len() < 4 * 40, "Rice-coded: {}", stored_set(&small).len());
        let mut plain: Vec<u32> = small.iter().map(|&h| short(h)).collect();
        plain.sort_unstable();
        assert_eq!(load_set(&stored_set(&small)).unwrap(), (false, plain));
        let large: Vec<u64> = (0..4000u64).map(mix).collect();
        let stored = stored_set(&large);
        assert_eq!(stored[0], 1);
        let (sampled_set, kept) = load_set(&stored).unwrap();
        assert!(sampled_set && kept.iter().all(|&x| sampled(x)) && kept.windows(2).all(|p| p[0] < p[1]));
        assert!((800..1200).contains(&kept.len()), "about a quarter kept: {}", kept.len());
        assert!(stored.len() < 1 + 7 * kept.len() / 2, "under 28 bits a shingle: {} bytes", stored.len());
        let mut expected: Vec<u32> = large.iter().map(|&h| short(h)).filter(|&x| sampled(x)).collect();
        expected.sort_unstable();
        assert_eq!(kept, expected);
        // Extremes: empty, a single value, the largest value, a huge gap.
        for set in [vec![], vec![0u64], vec![u64::MAX], vec![0, 1 << 32, u64::MAX]] {
            let mut plain: Vec<u32> = set.iter().map(|&h| short(h)).collect();
            plain.sort_unstable();
            plain.dedup();
            assert_eq!(load_set(&stored_set(&set)).unwrap(), (false, plain));
        }
        // Half of `large` copied into a new text: containment near 1, Jaccard near 1/2.
        let half: Vec<u64> = large[..2000].to_vec();
        let o = compare(&half, &stored).unwrap();
        assert!(o.containment > 0.95 && (o.jaccard - 0.5).abs() < 0.05, "{o:?}");
        assert!(compare(&half, &[7, 1, 2]).is_none());
        assert!(load_set(&stored[..stored.len() / 2]).is_none(), "a truncated set is corrupt");
    }

    #[test]
    fn every_signature_path_computes_the_one_permutation_at_a_time_definition() {
        let shingles: Vec<u64> = (0..700u64).map(|i| mix(i * 7919)).collect();
        for permutations in [1, 8, 13, 128] {
            let h = MinHasher::new(permutations, 1);
            let plain: Vec<u64> =
                h.seeds.iter().map(|&seed| shingles.iter().map(|&s| mix(s ^ seed)).min().unwrap()).collect();
            assert_eq!(h.signature(&shingles), plain, "{permutations} permutations");
            assert_eq!(signature_lanes(&h.seeds, &shingles), plain);
        }
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
