//! [`Lexicon`]: what the tagger knows about words beyond the training sentences:
//! gazetteer phrases (places, given names, organisations, nationalities, titles) and
//! word clusters learned from unlabelled text. Both are stored in the model file, so the
//! features at run time are exactly those the model was trained with.

use super::features::lower_hash;
use super::hash::mix;
use super::model::Reader;
use super::table::Table;

/// The gazetteer lists, by bit index. A token inside a phrase of list `k` gets bit
/// `2k` (first token) or `2k + 1` (later token).
pub const LISTS: [&str; 6] = ["loc", "per_first", "org", "misc_demonym", "title", "person"];

/// Flag in a phrase-table value: some longer phrase starts with this key's words, so a
/// lookup must go on to the next word. A key without it ends the search at that word (and
/// an absent key too: every prefix of every phrase is stored), which makes a token's
/// search one or two lookups instead of [`Lexicon::max_len`].
pub const CONTINUES: u32 = 1 << 31;

/// Gazetteer phrase table and word clusters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexicon {
    /// Longest phrase, in tokens.
    pub max_len: u32,
    /// Hash of a phrase's lowercased tokens (see [`phrase_key`]) → bit set of lists, plus
    /// [`CONTINUES`]; every proper prefix of a phrase is stored too (lists 0 unless it is
    /// itself a phrase).
    pub phrases: Table,
    /// Hash of a lowercased word → packed cluster ids (see [`Lexicon::clusters`]).
    pub clusters: Table,
    /// Hash of a lowercased word → its Brown cluster path (see [`Lexicon::brown`]).
    pub brown: Table,
}

/// Bits of a Brown path kept (the longest prefix feature).
pub const BROWN_BITS: usize = 20;

/// Packs a Brown path (`"0110…"`): its first [`BROWN_BITS`] bits, and their number
/// in the bits above.
#[must_use]
pub fn pack_brown(path: &str) -> u32 {
    let bits: Vec<u32> = path.bytes().take(BROWN_BITS).map(|b| u32::from(b == b'1')).collect();
    let value = bits.iter().fold(0, |v, &b| (v << 1) | b);
    ((bits.len() as u32) << BROWN_BITS) | value
}

const PHRASE_SEED: u64 = 0x7068_7261_7365;

/// The key of a phrase from its tokens' lowercase hashes.
#[inline]
#[must_use]
pub fn phrase_key(lower_hashes: &[u64]) -> u64 {
    lower_hashes.iter().fold(PHRASE_SEED, |h, &w| mix(h, w))
}

/// The lowercase token hashes of a gazetteer phrase, tokenised as the tagger tokenises
/// text ("U.S. Virgin Islands" → "u.s." "virgin" "islands").
#[must_use]
pub fn phrase_hashes(phrase: &str) -> Vec<u64> {
    let span = ingest_abi::Span { start: 0, end: phrase.chars().count() };
    super::tokens::sentence_tokens(phrase, &[span])
        .into_iter()
        .flatten()
        .map(|t| lower_hash(t.text(phrase)))
        .collect()
}

impl Lexicon {
    /// Builds the phrase table from `(list index, lowercase token hashes)` entries, the
    /// cluster table from `(lowercase word hash, packed ids)` and the Brown table from
    /// `(lowercase word hash, packed path)` ([`pack_brown`]).
    #[must_use]
    pub fn build(phrases: &[(usize, Vec<u64>)], clusters: &[(u64, u32)], brown: &[(u64, u32)]) -> Self {
        let mut bits: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut max_len = 0;
        for (list, words) in phrases {
            if words.is_empty() {
                continue;
            }
            max_len = max_len.max(words.len() as u32);
            *bits.entry(phrase_key(words)).or_default() |= 1 << list;
            for len in 1..words.len() {
                *bits.entry(phrase_key(&words[..len])).or_default() |= CONTINUES;
            }
        }
        let mut entries: Vec<(u64, u32)> = bits.into_iter().collect();
        entries.sort_unstable();
        Self {
            max_len,
            phrases: Table::build(&entries),
            clusters: Table::build(clusters),
            brown: Table::build(brown),
        }
    }

    /// Per-token gazetteer bits for a sentence given its tokens' lowercase hashes
    /// (every match at each position; overlapping matches all count). The search from a
    /// position stops at the first word whose prefix no phrase has ([`CONTINUES`]).
    pub fn gazetteer_bits(&self, lower: &[u64], out: &mut Vec<u32>) {
        out.clear();
        out.resize(lower.len(), 0);
        for i in 0..lower.len() {
            let longest = (self.max_len as usize).min(lower.len() - i);
            // `phrase_key(&lower[i..i + len])`, extended one word at a time.
            let mut key = PHRASE_SEED;
            for len in 1..=longest {
                key = mix(key, lower[i + len - 1]);
                let Some(lists) = self.phrases.get(key) else { break };
                for k in 0..LISTS.len() {
                    if lists & (1 << k) != 0 {
                        out[i] |= 1 << (2 * k);
                        for b in &mut out[i + 1..i + len] {
                            *b |= 1 << (2 * k + 1);
                        }
                    }
                }
                if lists & CONTINUES == 0 {
                    break;
                }
            }
        }
    }

    /// Packed cluster ids of a word (0 when unknown): up to three ids of decreasing
    /// granularity, 10 bits each, each stored + 1 so that 0 means "none".
    #[inline]
    #[must_use]
    pub fn clusters(&self, lower: u64) -> u32 {
        self.clusters.get(lower).unwrap_or(0)
    }

    /// Packed Brown path of a word ([`pack_brown`]), if it has one.
    #[inline]
    #[must_use]
    pub fn brown(&self, lower: u64) -> Option<u32> {
        self.brown.get(lower)
    }

    /// Appends the lexicon to a model file.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.max_len.to_le_bytes());
        self.phrases.write(out);
        self.clusters.write(out);
        self.brown.write(out);
    }

    /// Reads a lexicon written by [`Lexicon::write`].
    ///
    /// # Errors
    /// Truncated or malformed input.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, String> {
        let max_len = r.u32()?;
        if max_len > 16 {
            return Err(format!("gazetteer phrase length {max_len} is implausible"));
        }
        Ok(Self { max_len, phrases: Table::read(r)?, clusters: Table::read(r)?, brown: Table::read(r)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_mark_first_and_later_tokens() {
        let h = phrase_hashes;
        let lex = Lexicon::build(&[(0, h("New York")), (0, h("York")), (1, h("john"))], &[], &[]);
        let mut bits = Vec::new();
        lex.gazetteer_bits(&h("JOHN flew to new york"), &mut bits);
        assert_eq!(bits, [0b100, 0, 0, 0b01, 0b11]);
        // A phrase found past a prefix that is not itself a phrase, and one inside another.
        let lex =
            Lexicon::build(&[(2, h("bank of new york mellon")), (0, h("new york")), (4, h("of"))], &[], &[]);
        lex.gazetteer_bits(&h("the bank of new york mellon bank of new york"), &mut bits);
        let org = (0b01 << 4, 0b10 << 4);
        assert_eq!(
            bits,
            [0, org.0, org.1 | 1 << 8, org.1 | 0b01, org.1 | 0b10, org.1, 0, 1 << 8, 0b01, 0b10]
        );
    }

    #[test]
    fn brown_paths_pack_their_length_and_bits() {
        assert_eq!(pack_brown("0110"), (4 << BROWN_BITS) | 0b0110);
        assert_eq!(pack_brown(&"1".repeat(30)) >> BROWN_BITS, BROWN_BITS as u32);
    }
}
