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
//! looks words up in a read-only perfect hash table built at `create` (`Table`): the
//! word's lowercase form is packed into two `u64`s straight from the text (no copy, no
//! allocation), hashed with one multiplication (the keys are short, trusted strings fixed
//! at `create`, so hash flooding is not a concern), and its one possible slot is read and
//! compared without a branch. The public API ([`Lexicon::word`]) reads the plain map the
//! table is built from.

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
    /// A *figure word* ([`Lexicon::with_figure_overrides`]): `valence` holds only in a
    /// sentence that reports a figure (has a digit); elsewhere the word has this valence
    /// (`Some(None)`: none). `None` for every other word.
    pub plain: Option<Option<f64>>,
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
    /// For a figure word ([`Entry::plain`]), 1 + its index in [`Lexicon::plain_valence`];
    /// 0 for every other word.
    pub figure: u8,
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
            figure: 0,
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
            entry.plain = None;
        }
        self.entries.seal();
        self
    }

    /// [`Lexicon::with_overrides`] for *figure words*: each override holds only in a
    /// sentence that reports a figure (one with an ASCII digit, as "shares fell 3%" or
    /// "sales rose to EUR 5 million"); elsewhere the word keeps the valence it had (or
    /// none), so "fell asleep" and "dropped the ball" read as before ([`Lexicon::word`] and
    /// [`Lexicon::valence`] give the override). At most 255 words of at most 15 bytes.
    #[must_use]
    pub fn with_figure_overrides<'a>(mut self, overrides: impl IntoIterator<Item = (&'a str, f64)>) -> Self {
        for (word, valence) in overrides {
            // The scorer finds a word's figure number in the table, which holds words of up
            // to `Key::MAX` bytes.
            assert!(word.len() <= Key::MAX, "figure word {word:?} longer than {} bytes", Key::MAX);
            let entry = self.entries.entry(word);
            let plain = entry.plain.unwrap_or(entry.valence);
            entry.valence = if valence.is_nan() { None } else { Some(valence) };
            entry.plain = Some(plain);
        }
        self.entries.seal();
        self
    }

    /// True when some word is a figure word ([`Lexicon::with_figure_overrides`]).
    #[inline]
    pub(crate) fn has_figure_words(&self) -> bool {
        !self.entries.plain.is_empty()
    }

    /// The valence of the figure word numbered `figure` ([`Facts::figure`], from 1) in a
    /// sentence without a figure.
    #[inline]
    pub(crate) fn plain_valence(&self, figure: u8) -> Option<f64> {
        self.entries.plain[usize::from(figure) - 1]
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

    /// The table key of a word of `len` <= 15 bytes already lowercased into two
    /// little-endian words, zero past the word (as [`crate::scan::Scanner::lowercase_words`]
    /// gives it), for [`Lexicon::prefetch_key`].
    #[inline(always)]
    pub(crate) fn key([lo, hi]: [u64; 2], len: usize) -> [u64; 2] {
        debug_assert!(len <= Key::MAX);
        [lo, hi | ((len as u64) << 56)]
    }

    /// The table slot where a [`Lexicon::key`] would be, and a hint to the processor to
    /// start reading it: [`Lexicon::facts_in_slot`] later finds it in the cache.
    #[inline(always)]
    pub(crate) fn prefetch_key(&self, key: [u64; 2]) -> u32 {
        let slot = self.entries.table.find(&Key(key));
        self.entries.table.prefetch(slot);
        slot as u32
    }

    /// [`Lexicon::facts`] of a word by its [`Lexicon::key`], given the slot
    /// [`Lexicon::prefetch_key`] returned for it.
    #[inline(always)]
    pub(crate) fn facts_in_slot(&self, slot: u32, key: [u64; 2]) -> Facts {
        *self.entries.table.at(slot as usize, &Key(key))
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
    /// [`Entry::plain`] of the figure words, in [`Facts::figure`] order.
    plain: Vec<Option<f64>>,
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
        self.plain.clear();
        let mut items: Vec<(Key, Facts)> = Vec::with_capacity(self.words.len());
        for (w, e) in &self.words {
            let Some(key) = Key::new(w.as_bytes()) else { continue };
            let mut facts = Facts::of(e);
            if let Some(plain) = e.plain {
                self.plain.push(plain);
                facts.figure = u8::try_from(self.plain.len()).expect("at most 255 figure words");
            }
            items.push((key, facts));
        }
        self.table = Table::new(items);
    }
}

/// A perfect hash table of [`Key`]s (the "hash and displace" scheme of PTHash, Pibiri &
/// Trani 2021), built once and read without branching. A key's hash picks a bucket; the
/// bucket's *pilot* (a small number found at build time) picks the key's slot, and the
/// pilots are chosen so that no two keys share a slot. A lookup is therefore one read of
/// the pilot (the pilots fit in a few kilobytes, so they stay in the L1 cache), one read
/// of the slot and one comparison of the key there: absent words land on a slot whose key
/// differs (or is empty) and get the all-zero facts.
#[derive(Debug, Clone)]
struct Table {
    /// Per bucket: the pilot.
    pilots: Box<[u16]>,
    /// Per slot: the key and its facts; an empty slot has a key no word has.
    items: Box<[(Key, Facts)]>,
    /// `log2` of the bucket count.
    bucket_bits: u32,
    seed: u64,
}

impl Default for Table {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

/// An empty slot's key: its length byte (0xff) is more than any key's.
const EMPTY: Key = Key([u64::MAX; 2]);

impl Table {
    /// Builds the table of `items` (distinct keys): about four keys per bucket and 10%
    /// more slots than keys; if some bucket finds no pilot, again with another seed, and
    /// more slots every few attempts.
    fn new(items: Vec<(Key, Facts)>) -> Self {
        let buckets = (items.len() / 4).next_power_of_two().max(1);
        let mut slots = (items.len() + items.len() / 10).max(1);
        for attempt in 0u64.. {
            let seed = 0x243f_6a88_85a3_08d3 ^ attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            if let Some(table) = Self::try_build(&items, buckets, slots, seed) {
                return table;
            }
            if attempt % 4 == 3 {
                slots += slots / 8 + 1;
            }
        }
        unreachable!("some table size always fits")
    }

    fn try_build(items: &[(Key, Facts)], buckets: usize, slots: usize, seed: u64) -> Option<Self> {
        let bucket_bits = buckets.trailing_zeros();
        let mut table = Self {
            pilots: vec![0; buckets].into_boxed_slice(),
            items: vec![(EMPTY, Facts::default()); slots].into_boxed_slice(),
            bucket_bits,
            seed,
        };
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); buckets];
        for (i, (key, _)) in items.iter().enumerate() {
            members[table.bucket(table.hash(key))].push(i);
        }
        // Largest buckets first, while most slots are free (ties by index: deterministic).
        let mut order: Vec<usize> = (0..buckets).collect();
        order.sort_by_key(|&b| (std::cmp::Reverse(members[b].len()), b));
        let mut taken = vec![false; slots];
        let mut chosen = Vec::with_capacity(16);
        for b in order {
            if members[b].is_empty() {
                break;
            }
            let pilot = (0..=u16::MAX).find(|&pilot| {
                chosen.clear();
                for &i in &members[b] {
                    let slot = table.slot(table.hash(&items[i].0), pilot);
                    if taken[slot] || chosen.contains(&slot) {
                        return false;
                    }
                    chosen.push(slot);
                }
                true
            })?;
            table.pilots[b] = pilot;
            for &i in &members[b] {
                let slot = table.slot(table.hash(&items[i].0), pilot);
                taken[slot] = true;
                table.items[slot] = items[i];
            }
        }
        items.iter().all(|(key, entry)| table.get(key) == entry).then_some(table)
    }

    #[inline(always)]
    fn hash(&self, key: &Key) -> u64 {
        key.hash(self.seed)
    }

    /// The bucket of a hash: its top bits.
    #[inline(always)]
    fn bucket(&self, h: u64) -> usize {
        (h.checked_shr(64 - self.bucket_bits).unwrap_or(0)) as usize
    }

    /// The slot of a hash under `pilot`: the hash mixed with the pilot, mapped onto the
    /// slots by a multiplication (no division).
    #[inline(always)]
    fn slot(&self, h: u64, pilot: u16) -> usize {
        let x =
            folded_multiply(h ^ u64::from(pilot).wrapping_mul(0x9e37_79b9_7f4a_7c15), 0x2d35_8dcc_aa6c_78a5);
        ((u128::from(x) * self.items.len() as u128) >> 64) as usize
    }

    /// The facts of `key`; all zero when absent.
    #[inline(always)]
    fn get(&self, key: &Key) -> &Facts {
        self.at(self.find(key), key)
    }

    /// The only slot that can hold `key`.
    #[inline(always)]
    fn find(&self, key: &Key) -> usize {
        let h = self.hash(key);
        let pilot = self.pilots.get(self.bucket(h)).copied().unwrap_or(0);
        self.slot(h, pilot)
    }

    /// The facts of `key` if slot `slot` (its [`Table::find`]) holds it; all zero otherwise.
    #[inline(always)]
    fn at(&self, slot: usize, key: &Key) -> &Facts {
        const ABSENT: &Facts =
            &Facts { valence: 0.0, has_valence: false, booster: 0, negation: false, tag: 0, figure: 0 };
        let Some((k, facts)) = self.items.get(slot) else { return ABSENT };
        // Whether a word is in the table is unpredictable: a select, not a branch.
        select_unpredictable(k == key, facts, ABSENT)
    }

    /// Asks the processor to start loading slot `slot` (a hint: no effect on results).
    #[inline(always)]
    fn prefetch(&self, slot: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(item) = self.items.get(slot) {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch reads nothing the program sees and cannot fault; the
            // address is that of a live item besides.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(item).cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
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
        // `b` holds the length (at most 15) in its top byte, so it never equals the constant.
        folded_multiply(a ^ seed, b ^ 0x9e37_79b9_7f4a_7c15)
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
#[inline(always)]
pub(crate) fn ascii_lowercase(x: u64) -> u64 {
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
