//! [`Lexicon`]: word valences and emoji descriptions, parsed once per instance from the
//! vendored VADER files (`data/`, see `data/SOURCE.md`).
//!
//! This is the seam for a different lexicon (domain-tuned, another language): anything that
//! can answer [`Lexicon::word`] and [`Lexicon::describe_emoji`] plugs into
//! [`crate::score`] unchanged. The news mode uses the same lexicon with a few entries
//! added or overridden ([`Lexicon::with_overrides`]).
//!
//! Every fact the scorer needs about a word (its valence, whether it boosts or dampens,
//! whether it negates, and a small tag for the words a rule compares by spelling, such as
//! "but" or "never") sits in one entry, so scoring a word costs one lookup. The scorer
//! looks words up in a read-only table built at `create` (`Index`): the word's lowercase
//! form is packed into three `u64`s straight from the text (no copy, no allocation), hashed
//! with one multiplication (the keys are short, trusted strings fixed at `create`, so hash
//! flooding is not a concern) and found without a branch. The public API ([`Lexicon::word`])
//! reads the plain map the table is built from.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::hint::select_unpredictable;

use crate::rules;

/// The VADER lexicon as shipped with vaderSentiment 3.3.2.
const VADER_LEXICON: &str = include_str!("../data/vader_lexicon.txt");
/// VADER's emoji-to-description table, same release.
const VADER_EMOJI: &str = include_str!("../data/emoji_utf8_lexicon.txt");

/// What the scorer knows about one (lowercased) token.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Entry {
    /// Lexicon valence on VADER's -4..+4 scale, if the token is a lexicon word.
    pub valence: Option<f64>,
    /// Booster (+0.293) or dampener (-0.293) increment; 0 when it is neither.
    pub booster: f64,
    /// One of VADER's negation words (words containing "n't" are checked separately).
    pub negation: bool,
    /// The word's [`rules::tag`] when a rule compares it by spelling ("but", "no", idiom
    /// words); 0 otherwise.
    pub tag: u8,
}

impl Entry {
    /// True when the entry exists only for its tag: no valence, no boost, no negation.
    fn rule_word_only(&self) -> bool {
        self.valence.is_none() && self.booster == 0.0 && !self.negation
    }
}

/// An [`Entry`] as the scorer reads it, in 16 bytes (half an `Entry`, so more of the table
/// stays in cache).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Facts {
    /// The valence, meaningful when `has_valence`.
    pub valence: f64,
    /// The word is a lexicon word.
    pub has_valence: bool,
    /// +1 for a booster ([`rules::B_INCR`]), -1 for a dampener ([`rules::B_DECR`]), else 0.
    pub booster: i8,
    /// [`Entry::negation`].
    pub negation: bool,
    /// [`Entry::tag`].
    pub tag: u8,
}

impl Facts {
    fn of(e: &Entry) -> Self {
        // Every booster increment is B_INCR or B_DECR = -B_INCR (tested), so the sign is
        // enough and `f64::from(sign) * B_INCR` gives the increment back exactly.
        let booster = if e.booster > 0.0 {
            1
        } else if e.booster < 0.0 {
            -1
        } else {
            0
        };
        Self {
            valence: e.valence.unwrap_or(0.0),
            has_valence: e.valence.is_some(),
            booster,
            negation: e.negation,
            tag: e.tag,
        }
    }
}

/// Sentiment valences of tokens (on VADER's -4..+4 scale) and descriptions of emoji.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Index,
    emoji: FastMap<char, Box<str>>,
    ascii_emoji: bool,
}

impl Lexicon {
    /// The vendored VADER lexicon and emoji table.
    ///
    /// # Errors
    /// A line of a vendored file that does not parse; names the file and line, so a bad
    /// update of `data/` fails at `create` instead of scoring silently wrong.
    pub fn vader() -> Result<Self, String> {
        Ok(Self::build(parse_valences(VADER_LEXICON, "vader_lexicon.txt")?, parse_emoji(VADER_EMOJI)))
    }

    /// Builds a lexicon from a table in VADER's format (`token<TAB>mean<TAB>...` per line)
    /// and no emoji; for tests and for alternative lexicons.
    ///
    /// # Errors
    /// A line without a token and a numeric mean.
    pub fn from_table(table: &str) -> Result<Self, String> {
        Ok(Self::build(parse_valences(table, "table")?, FastMap::default()))
    }

    /// This lexicon with `overrides` (lowercased token, valence) added or replacing the
    /// valence of an existing token; a NaN valence removes the token from the lexicon.
    #[must_use]
    pub fn with_overrides<'a>(mut self, overrides: impl IntoIterator<Item = (&'a str, f64)>) -> Self {
        for (word, valence) in overrides {
            let entry = self.entries.entry(word);
            entry.valence = if valence.is_nan() { None } else { Some(valence) };
        }
        self.entries.seal();
        self
    }

    fn build(valences: Vec<(String, f64)>, emoji: FastMap<char, Box<str>>) -> Self {
        let mut entries = Index::default();
        entries.words.reserve(valences.len() + 128);
        // Later duplicates win, as in VADER's own loader.
        for (word, valence) in valences {
            entries.entry(&word).valence = Some(valence);
        }
        for &(word, increment) in rules::BOOSTERS {
            entries.entry(word).booster = increment;
        }
        for &word in rules::NEGATE {
            entries.entry(word).negation = true;
        }
        for &word in rules::RULE_WORDS {
            entries.entry(word).tag = rules::tag(word);
        }
        entries.seal();
        let ascii_emoji = emoji.keys().any(char::is_ascii);
        Self { entries, emoji, ascii_emoji }
    }

    /// Everything known about a (lowercased) token, if anything is.
    #[inline]
    pub fn word(&self, lower: &str) -> Option<&Entry> {
        self.entries.get(lower).filter(|e| !e.rule_word_only())
    }

    /// [`Lexicon::word`] including the words that only carry a rule tag.
    #[inline]
    pub(crate) fn entry(&self, lower: &str) -> Option<&Entry> {
        self.entries.words.get(lower)
    }

    /// What the scorer needs about a (lowercased) word; all zero when it is unknown.
    #[inline]
    pub(crate) fn facts(&self, lower: &str) -> Facts {
        match Key::new(lower.as_bytes()) {
            Some(key) => *self.entries.table.get(&key),
            None => self.entry(lower).map(Facts::of).unwrap_or_default(),
        }
    }

    /// [`Lexicon::facts`] for the ASCII word `text[start..end]`, lowercased on the way
    /// (no copy of the word; `text` around it may be read, never changed); a long word is
    /// lowercased into `buf`.
    #[inline]
    pub(crate) fn facts_ascii(&self, text: &[u8], start: usize, end: usize, buf: &mut String) -> Facts {
        match Key::ascii_lowercase(text, start, end) {
            Some(key) => *self.entries.table.get(&key),
            None if end - start > self.entries.longest => Facts::default(),
            None => {
                buf.clear();
                buf.extend(text[start..end].iter().map(|b| char::from(b.to_ascii_lowercase())));
                self.entry(buf).map(Facts::of).unwrap_or_default()
            }
        }
    }

    /// The valence of a token as VADER looks it up: by its exact (already lowercased)
    /// spelling.
    pub fn valence(&self, lower: &str) -> Option<f64> {
        self.word(lower).and_then(|e| e.valence)
    }

    /// True when the (lowercased) token has a valence.
    pub fn contains(&self, lower: &str) -> bool {
        self.valence(lower).is_some()
    }

    /// The English description VADER substitutes for an emoji ("😁" -> "beaming face with
    /// smiling eyes").
    pub fn describe_emoji(&self, c: char) -> Option<&str> {
        self.emoji.get(&c).map(|d| &**d)
    }

    /// True when some emoji key is an ASCII character (none is in VADER's table), so the
    /// scorer knows whether ASCII text needs the emoji pass at all.
    pub fn has_ascii_emoji(&self) -> bool {
        self.ascii_emoji
    }

    /// Number of tokens with a valence.
    pub fn len(&self) -> usize {
        self.entries.words.values().filter(|e| e.valence.is_some()).count()
    }

    /// True when no token has a valence.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `token<TAB>mean[<TAB>...]` lines, in file order.
fn parse_valences(table: &str, file: &str) -> Result<Vec<(String, f64)>, String> {
    let mut out = Vec::with_capacity(8192);
    for (n, line) in table.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(token), Some(mean)) = (fields.next(), fields.next()) else {
            return Err(format!("{file} line {}: expected token<TAB>valence", n + 1));
        };
        let mean: f64 =
            mean.trim().parse().map_err(|e| format!("{file} line {}: valence {mean:?}: {e}", n + 1))?;
        out.push((token.to_owned(), mean));
    }
    Ok(out)
}

/// `emoji<TAB>description` lines. VADER compares emoji one code point at a time, so only
/// single-code-point entries can ever match; the others are skipped.
fn parse_emoji(table: &str) -> FastMap<char, Box<str>> {
    let mut out = FastMap::default();
    out.reserve(2048);
    for line in table.lines() {
        let mut fields = line.trim().split('\t');
        let (Some(emoji), Some(description)) = (fields.next(), fields.next()) else { continue };
        let mut chars = emoji.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            out.insert(c, description.into());
        }
    }
    out
}

/// The word table. `words` is the truth (built once, changed only by
/// [`Lexicon::with_overrides`]); `table` is its read-only copy for the scorer, keyed by
/// fixed-size [`Key`]s, rebuilt by [`Index::seal`] after every change.
#[derive(Debug, Clone, Default)]
struct Index {
    words: FastMap<Box<str>, Entry>,
    table: Table,
    /// The length in bytes of the longest word (those longer than [`Key::MAX`] are only
    /// in `words`).
    longest: usize,
}

impl Index {
    #[inline]
    fn get(&self, word: &str) -> Option<&Entry> {
        self.words.get(word)
    }

    /// The entry of `word`, created empty if absent; [`Index::seal`] must follow.
    fn entry(&mut self, word: &str) -> &mut Entry {
        self.words.entry(word.into()).or_default()
    }

    /// Rebuilds the scorer's table from `words`.
    fn seal(&mut self) {
        self.longest = self.words.keys().map(|w| w.len()).max().unwrap_or(0);
        let items: Vec<(Key, Facts)> =
            self.words.iter().filter_map(|(w, e)| Some((Key::new(w.as_bytes())?, Facts::of(e)))).collect();
        self.table = Table::new(items);
    }
}

/// A two-choice bucketed table of [`Key`]s, built once and read without branching: a key
/// may sit in one of four lanes of either of two buckets; a lookup compares the key's 16-bit
/// fingerprint with all eight lanes at once (two `u64` reads), reads the one candidate item
/// (or the empty item at the end) and keeps it only if its key is the key. Built so that
/// every key's first matching lane is its own (checked; else rebuilt with another seed or
/// more buckets), so no lookup needs a second candidate.
#[derive(Debug, Clone)]
struct Table {
    /// Per bucket: four 16-bit fingerprints, 0 for an empty lane.
    buckets: Box<[u64]>,
    /// Per lane, then one empty item: the answer for "absent".
    items: Box<[(Key, Facts)]>,
    seed: u64,
}

impl Default for Table {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

const LANES: u64 = 0x0001_0001_0001_0001;

impl Table {
    fn new(items: Vec<(Key, Facts)>) -> Self {
        let mut buckets = (items.len() / 2).next_power_of_two().max(4);
        for attempt in 0u64.. {
            let seed = 0x243f_6a88_85a3_08d3 ^ attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            if let Some(table) = Self::try_build(&items, buckets, seed) {
                return table;
            }
            if attempt % 8 == 7 {
                buckets *= 2;
            }
        }
        unreachable!("some table size always fits")
    }

    fn try_build(items: &[(Key, Facts)], buckets: usize, seed: u64) -> Option<Self> {
        let empty = (Key([u64::MAX; 2]), Facts::default());
        let mut table = Self {
            buckets: vec![0; buckets].into_boxed_slice(),
            items: vec![empty; buckets * 4 + 1].into_boxed_slice(),
            seed,
        };
        for &(key, entry) in items {
            let (b1, b2, fingerprint) = table.place(&key);
            let lane = [b1, b2].into_iter().find_map(|b| {
                let lane = (0..4).find(|l| table.buckets[b] >> (16 * l) & 0xffff == 0)?;
                Some((b, lane))
            });
            let (b, lane) = lane?;
            table.buckets[b] |= u64::from(fingerprint) << (16 * lane);
            table.items[b * 4 + lane] = (key, entry);
        }
        items.iter().all(|(key, entry)| table.get(key) == entry).then_some(table)
    }

    /// The two buckets and the fingerprint of `key`.
    #[inline(always)]
    fn place(&self, key: &Key) -> (usize, usize, u16) {
        let h = key.hash(self.seed);
        let mask = self.buckets.len() - 1;
        ((h >> 16) as usize & mask, (h >> 40) as usize & mask, (h as u16).max(1))
    }

    /// The facts of `key`; all zero when absent.
    #[inline(always)]
    fn get(&self, key: &Key) -> &Facts {
        let (b1, b2, fingerprint) = self.place(key);
        let lanes = u64::from(fingerprint) * LANES;
        // The high bit of each 16-bit lane that equals the fingerprint.
        let matches = |bucket: u64| {
            let x = bucket ^ lanes;
            !(((x & 0x7fff_7fff_7fff_7fff) + 0x7fff_7fff_7fff_7fff) | x) & 0x8000_8000_8000_8000
        };
        let (m1, m2) = (matches(self.buckets[b1]), matches(self.buckets[b2]));
        let absent = self.items.len() - 1;
        // A lane past the bucket when `m` is 0: still an index of `items`, never used.
        let first = |b: usize, m: u64| b * 4 + (m.trailing_zeros() / 16) as usize;
        // Whether a word is in the table is unpredictable: selects, not branches.
        let slot = select_unpredictable(m2 != 0, first(b2, m2), absent);
        let slot = select_unpredictable(m1 != 0, first(b1, m1), slot);
        let [a, b] = self.items[slot].0.0;
        let [x, y] = key.0;
        let slot = select_unpredictable((a ^ x) | (b ^ y) == 0, slot, absent);
        &self.items[slot].1
    }
}

/// A word of up to 15 bytes as two little-endian words: the bytes, zero-padded, and the
/// length in the last byte (nearly every lexicon key and token fits; longer ones are looked
/// up by their text). Hashing and comparing it is a few register operations, and a
/// lowercased key is built straight from the text, eight bytes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key([u64; 2]);

impl Key {
    /// The longest word a key holds.
    const MAX: usize = 15;

    /// The key of `word` as it is, if it is short enough.
    fn new(word: &[u8]) -> Option<Self> {
        if word.len() > Self::MAX {
            return None;
        }
        let mut buf = [0u8; 16];
        buf[..word.len()].copy_from_slice(word);
        let w = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i..i + 8]);
            u64::from_le_bytes(b)
        };
        Some(Self([w(0), w(8) | ((word.len() as u64) << 56)]))
    }

    /// The key of the lowercase form of the ASCII word `text[start..end]`, if it is short
    /// enough.
    #[inline]
    fn ascii_lowercase(text: &[u8], start: usize, end: usize) -> Option<Self> {
        let len = end - start;
        if len > Self::MAX {
            return None;
        }
        let a = load8(text, start) & low_bytes(len);
        // Most words fit in the first eight bytes.
        let b = if len <= 8 { 0 } else { load8(text, start + 8) & low_bytes(len - 8) };
        Some(Self([ascii_lowercase(a), ascii_lowercase(b) | ((len as u64) << 56)]))
    }

    #[inline(always)]
    fn hash(&self, seed: u64) -> u64 {
        let [a, b] = self.0;
        folded_multiply(a ^ b.rotate_left(29) ^ seed, 0x9e37_79b9_7f4a_7c15)
    }
}

/// The bytes `text[at..at + 8]` as a little-endian `u64`, the missing ones past the end
/// of the text zero; without copying through memory (a reload of freshly copied bytes
/// stalls the CPU).
#[inline(always)]
fn load8(text: &[u8], at: usize) -> u64 {
    let read = |p: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&text[p..p + 8]);
        u64::from_le_bytes(b)
    };
    if at + 8 <= text.len() {
        read(at)
    } else if text.len() >= 8 {
        // The last eight bytes, shifted down to start at `at`.
        let p = text.len() - 8;
        read(p).checked_shr(8 * (at - p) as u32).unwrap_or(0)
    } else {
        text.iter().skip(at).take(8).rev().fold(0, |acc, &b| (acc << 8) | u64::from(b))
    }
}

/// A mask of the low `n` bytes of a `u64` (all of them for `n >= 8`).
#[inline]
fn low_bytes(n: usize) -> u64 {
    if n >= 8 { u64::MAX } else { (1u64 << (n * 8)) - 1 }
}

/// Eight ASCII bytes lowercased at once: 0x20 added to each byte in `A..=Z`.
#[inline]
fn ascii_lowercase(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bytes are < 0x80, so these additions carry into no neighbouring byte.
    let at_least_a = x.wrapping_add(0x3f3f_3f3f_3f3f_3f3f); // high bit set iff byte >= b'A'
    let above_z = x.wrapping_add(0x2525_2525_2525_2525); // high bit set iff byte > b'Z'
    x | ((at_least_a & !above_z & HIGH) >> 2)
}

/// The high and low halves of a 128-bit product, xored (the mixing step of foldhash).
#[inline]
fn folded_multiply(x: u64, y: u64) -> u64 {
    let p = u128::from(x) * u128::from(y);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A small multiplicative hasher (the FxHash scheme) for short, trusted keys.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_lexicon_loads_completely() {
        let lex = Lexicon::vader().unwrap();
        // 7,520 lines in 3.3.2, a handful of them duplicates.
        assert!(lex.len() > 7400, "{}", lex.len());
        assert_eq!(lex.valence("good"), Some(1.9));
        assert_eq!(lex.valence("horrible"), Some(-2.5));
        assert_eq!(lex.describe_emoji('😁'), Some("beaming face with smiling eyes"));
        assert!(!lex.has_ascii_emoji());
        let very = lex.word("very").unwrap();
        assert_eq!((very.valence, very.booster, very.negation), (None, rules::B_INCR, false));
        assert!(lex.word("never").unwrap().negation);
        // Rule words are tagged for the scorer but are no lexicon words.
        assert_eq!(lex.word("but"), None);
        assert_eq!(lex.entry("but").unwrap().tag, rules::tag("but"));
        assert_eq!(lex.word("no").unwrap().tag, rules::tag("no"));
    }

    #[test]
    fn overrides_add_replace_and_remove() {
        let lex = Lexicon::vader().unwrap().with_overrides([("good", 1.0), ("zzz", -2.0), ("bad", f64::NAN)]);
        assert_eq!(lex.valence("good"), Some(1.0));
        assert_eq!(lex.valence("zzz"), Some(-2.0));
        assert_eq!(lex.valence("bad"), None);
    }

    #[test]
    fn long_words_and_keys_with_nul_bytes_are_distinct() {
        let long = "abcdefghijklmnopqrstuvwxyz";
        let lex = Lexicon::from_table("ab\t1.0\nab\u{0}\t2.0\n").unwrap().with_overrides([(long, 3.0)]);
        assert_eq!(lex.valence("ab"), Some(1.0));
        assert_eq!(lex.valence("ab\u{0}"), Some(2.0));
        assert_eq!(lex.valence(long), Some(3.0));
        let upper = long.to_uppercase();
        let buf = &mut String::new();
        assert_eq!(lex.facts_ascii(upper.as_bytes(), 0, upper.len(), buf).valence, 3.0);
        // Near the end of the text (byte copy) and far from it (word loads).
        assert_eq!(lex.facts_ascii(b"xAB", 1, 3, buf).valence, 1.0);
        let text = b"xAb ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assert_eq!(lex.facts_ascii(text, 1, 3, buf).valence, 1.0);
        assert_eq!(lex.facts_ascii(text, 1, 4, buf), Facts::default());
        assert_eq!(lex.facts("ab\u{0}").valence, 2.0);
        assert_eq!(lex.facts(long).valence, 3.0);
        assert_eq!(lex.len(), 3);
    }

    #[test]
    fn facts_agree_with_entries_for_every_word() {
        for (&(w, v), _) in rules::BOOSTERS.iter().zip(0..) {
            assert!(v == rules::B_INCR || v == rules::B_DECR, "{w}");
        }
        assert_eq!(rules::B_DECR, -rules::B_INCR);
        let lex = Lexicon::vader().unwrap().with_overrides(crate::news::NEWS_WORDS.iter().copied());
        for (word, e) in &lex.entries.words {
            let f = lex.facts(word);
            assert_eq!(f, Facts::of(e), "{word}");
            assert_eq!(f.has_valence.then_some(f.valence), e.valence, "{word}");
            assert_eq!(f64::from(f.booster) * rules::B_INCR, e.booster, "{word}");
            assert_eq!((f.negation, f.tag), (e.negation, e.tag), "{word}");
            // A key with capitals ("O.o") can never match: tokens are looked up lowercased.
            if word.is_ascii() && **word == word.to_ascii_lowercase() {
                let upper = word.to_ascii_uppercase();
                assert_eq!(
                    lex.facts_ascii(upper.as_bytes(), 0, upper.len(), &mut String::new()),
                    f,
                    "{word}"
                );
            }
        }
        assert_eq!(lex.facts("zzzzqx"), Facts::default());
    }

    #[test]
    fn bad_line_is_an_error_naming_it() {
        let err = Lexicon::from_table("good\t1.9\nbad\tx\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
