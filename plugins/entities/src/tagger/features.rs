//! Feature extraction: each token of a sentence becomes a list of 64-bit feature hashes.
//!
//! Per token: the word as written and lowercased; its shape ("Xxxxx" → "Xx", "U.S." →
//! "X.X.", "1996" → "d") short and long; prefixes and suffixes of 1–4 chars; the
//! lowercased words and short shapes of a ±2 window, and word bigrams; sentence position;
//! whether the sentence is written in capitals (a headline); gazetteer membership of the
//! token and its neighbours ([`Lexicon`]); word clusters and Brown path prefixes (4, 6, 10,
//! 20 bits) of the token and its neighbours;
//! and two document-level facts: whether the word is also written capitalised
//! mid-sentence elsewhere in the document, and whether it is also written in lowercase
//! (a capital by position only). The second (stacked) stage adds the first stage's tags
//! around the token and, from [`StackInfo`], how the first stage tagged the same word
//! elsewhere in the document.
//!
//! A feature is `mix(template, value)`, so templates never collide. Training takes a
//! sentence's features from [`extract`]; tagging makes the same ones split in two
//! ([`word_features`], which depend on one word and so are weighed once per distinct word
//! of a document, [`bias_feature`], the same for every token, and [`context_features`]), plus the second stage's [`stack_features`].

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use super::decode::{is_begin, slot, spans};
use super::hash::{Hasher, mix};
use super::lexicon::{BROWN_BITS, LISTS, Lexicon};

/// Identity hasher for sets of already-hashed keys.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A set of hashes.
pub type HashSet64 = HashSet<u64, BuildHasherDefault<IdHasher>>;

/// Lowercase hash of a word: ASCII lowercased directly; other text folded (accents off,
/// curly apostrophes straight) and curly double quotes made straight.
#[must_use]
pub fn lower_hash(word: &str) -> u64 {
    let mut h = Hasher::default();
    if word.is_ascii() {
        for b in word.bytes() {
            h.byte(b.to_ascii_lowercase());
        }
    } else if matches!(word, "“" | "”" | "„" | "«" | "»") {
        h.byte(b'"');
    } else {
        h.bytes(ingest_text::fold(word).as_bytes());
    }
    h.finish()
}

/// Facts about a whole document that its sentences' features use.
#[derive(Debug, Default, Clone)]
pub struct DocInfo {
    /// Lowercase hashes of words written capitalised somewhere not sentence-initial.
    pub caps_mid: HashSet64,
    /// Lowercase hashes of words written in lowercase somewhere.
    pub lower_seen: HashSet64,
}

impl DocInfo {
    /// Collects the facts from every sentence (as word lists) of a document.
    pub fn add_sentence(&mut self, words: &[&str]) {
        for (i, w) in words.iter().enumerate() {
            let Some(c) = w.chars().next() else { continue };
            if c.is_uppercase() {
                if i > 0 && !is_all_caps(w) {
                    self.caps_mid.insert(lower_hash(w));
                }
            } else if c.is_lowercase() {
                self.lower_seen.insert(lower_hash(w));
            }
        }
    }

    /// The same as [`DocInfo::add_sentence`], from a sentence's [`Info`]s (see
    /// [`sentence_infos`]), without looking at the words again.
    pub fn add_infos(&mut self, infos: &[Info]) {
        for (i, t) in infos.iter().enumerate() {
            if t.cap {
                if i > 0 && !t.all_caps {
                    self.caps_mid.insert(t.lower);
                }
            } else if t.first_lower {
                self.lower_seen.insert(t.lower);
            }
        }
    }
}

/// What the first stage predicted over a whole document, for the second (stacked)
/// stage's features: label consistency within a document (Ratinov & Roth 2009), in both
/// directions, so "Clinton" in the headline learns from "Bill Clinton" three sentences on.
#[derive(Debug, Default, Clone)]
pub struct StackInfo {
    /// Lowercase hash of a word written capitalised → how often the first stage tagged
    /// those occurrences O, PER, ORG, LOC, MISC.
    words: HashMap<u64, [u16; 5], BuildHasherDefault<IdHasher>>,
    /// Lowercase hash of a capitalised word → the types of the multi-token first-stage
    /// entities it is part of.
    inside: HashMap<u64, [u16; 5], BuildHasherDefault<IdHasher>>,
}

impl StackInfo {
    /// The same as [`StackInfo::add_sentence`], from a sentence's [`Info`]s (see
    /// [`sentence_infos`]), without looking at the words again.
    pub fn add_infos(&mut self, infos: &[Info], tags: &[u8]) {
        for (t, &tag) in infos.iter().zip(tags) {
            if t.cap {
                self.words.entry(t.lower).or_default()[usize::from(slot(tag))] += 1;
            }
        }
        for (a, b, _) in spans(tags) {
            if b - a >= 2 {
                for t in infos[a..b].iter().filter(|t| t.cap) {
                    self.inside.entry(t.lower).or_default()[usize::from(slot(tags[a]))] += 1;
                }
            }
        }
    }

    /// Adds one sentence (words and the first stage's tags).
    pub fn add_sentence(&mut self, words: &[&str], tags: &[u8]) {
        for (w, &t) in words.iter().zip(tags) {
            if starts_upper(w) {
                self.words.entry(lower_hash(w)).or_default()[usize::from(slot(t))] += 1;
            }
        }
        for (a, b, _) in spans(tags) {
            if b - a >= 2 {
                for w in words[a..b].iter().filter(|w| starts_upper(w)) {
                    self.inside.entry(lower_hash(w)).or_default()[usize::from(slot(tags[a]))] += 1;
                }
            }
        }
    }
}

fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// The most frequent slot of counts (ties: the lower slot), or `None` when all are 0.
fn majority(c: &[u16; 5]) -> Option<u64> {
    let (mut best, mut arg) = (0, None);
    for (s, &n) in c.iter().enumerate() {
        if n > best {
            (best, arg) = (n, Some(s as u64));
        }
    }
    arg
}

fn is_all_caps(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
}

/// Per-token values the templates combine: a word's own ([`Info::of`], the same wherever
/// it occurs) and its gazetteer bits in its sentence ([`finish_sentence`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Info {
    word: u64,
    lower: u64,
    shape: u64,
    shape_long: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    /// Initial uppercase letter.
    cap: bool,
    /// Initial lowercase letter.
    first_lower: bool,
    /// Has a letter.
    alpha: bool,
    /// Has a letter and no lowercase letter ([`is_all_caps`]).
    all_caps: bool,
    gaz: u32,
    clusters: u32,
    /// Packed Brown path, 0 when none.
    brown: u32,
}

/// Reusable buffers for [`extract`] and [`sentence_infos`].
#[derive(Debug, Default)]
pub struct Scratch {
    info: Vec<Info>,
    lower: Vec<u64>,
    gaz: Vec<u32>,
}

fn class(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_lowercase() || c.is_alphabetic() {
        'x'
    } else if c.is_numeric() {
        'd'
    } else {
        match c {
            '’' | '‘' => '\'',
            '“' | '”' | '„' | '«' | '»' => '"',
            '–' | '—' => '-',
            c => c,
        }
    }
}

/// The part of a word's [`Info`] that tagging still reads once the word's
/// [`word_features`] are weighed: what [`context_features`], [`stack_features`],
/// [`finish_sentence`], [`DocInfo::add_infos`] and [`StackInfo::add_infos`] use (24
/// bytes instead of the whole [`Info`]'s 112), so a cache of weighed words stays small.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContextInfo {
    lower: u64,
    shape: u64,
    cap: bool,
    first_lower: bool,
    alpha: bool,
    all_caps: bool,
}

impl Info {
    /// A word's values, without the gazetteer bits (they depend on the sentence: see
    /// [`finish_sentence`]).
    #[must_use]
    pub fn of(word: &str, lex: &Lexicon) -> Self {
        info(word, lex)
    }

    /// The gazetteer bits ([`finish_sentence`]).
    #[must_use]
    pub fn gaz(&self) -> u32 {
        self.gaz
    }

    /// The values that tagging reads besides the word features ([`ContextInfo`]).
    #[must_use]
    pub fn context(&self) -> ContextInfo {
        let Self { lower, shape, cap, first_lower, alpha, all_caps, .. } = *self;
        ContextInfo { lower, shape, cap, first_lower, alpha, all_caps }
    }

    /// An [`Info`] with `c`'s values and every other one zero: enough for everything but
    /// [`word_features`] and [`base_features`].
    #[must_use]
    pub fn from_context(c: ContextInfo) -> Self {
        let ContextInfo { lower, shape, cap, first_lower, alpha, all_caps } = c;
        Self { lower, shape, cap, first_lower, alpha, all_caps, ..Self::default() }
    }

    /// The same values with the gazetteer bits `gaz`.
    #[must_use]
    pub fn with_gaz(self, gaz: u32) -> Self {
        Self { gaz, ..self }
    }
}

fn info(word: &str, lex: &Lexicon) -> Info {
    let mut t = if word.is_ascii() { ascii_word_info(word.as_bytes()) } else { word_info(word) };
    t.clusters = lex.clusters(t.lower);
    t.brown = lex.brown(t.lower).unwrap_or(0);
    t
}

/// [`word_info`] for ASCII text, in one pass over the bytes: the same values (an ASCII
/// char is its one byte; its class is decided by the ASCII tests that `char`'s Unicode
/// ones reduce to).
fn ascii_word_info(word: &[u8]) -> Info {
    let (mut whole, mut lower) = (Hasher::default(), Hasher::default());
    let (mut short, mut long, mut p) = (Hasher::default(), Hasher::default(), Hasher::default());
    let mut prev = 0u8;
    let mut prefix = [0; 4];
    let (mut alpha, mut has_lower) = (false, false);
    for (k, &b) in word.iter().enumerate() {
        whole.byte(b);
        lower.byte(b.to_ascii_lowercase());
        let cl = if b.is_ascii_uppercase() {
            alpha = true;
            b'X'
        } else if b.is_ascii_lowercase() {
            (alpha, has_lower) = (true, true);
            b'x'
        } else if b.is_ascii_digit() {
            b'd'
        } else {
            b
        };
        if cl != prev {
            short.byte(cl);
            prev = cl;
        }
        if k < 8 {
            long.byte(cl);
        }
        if k < 4 {
            p.byte(b);
            prefix[k] = p.finish();
        }
    }
    if word.len() > 8 {
        long.byte(b'+');
    }
    let mut suffix = [0; 4];
    let mut s = Hasher::default();
    for (k, &b) in word.iter().rev().take(4).enumerate() {
        s.byte(b);
        suffix[k] = s.finish();
    }
    let first = word.first().copied().unwrap_or(0);
    Info {
        word: whole.finish(),
        lower: lower.finish(),
        shape: short.finish(),
        shape_long: long.finish(),
        prefix,
        suffix,
        cap: first.is_ascii_uppercase(),
        first_lower: first.is_ascii_lowercase(),
        alpha,
        all_caps: alpha && !has_lower,
        ..Info::default()
    }
}

/// The word-level part of [`Info`] (no gazetteer bits), for any text: by chars.
fn word_info(word: &str) -> Info {
    let mut whole = Hasher::default();
    whole.bytes(word.as_bytes());
    let (mut short, mut long) = (Hasher::default(), Hasher::default());
    let mut prev = '\0';
    let mut prefix = [0; 4];
    let mut p = Hasher::default();
    let mut n = 0;
    for (k, c) in word.chars().enumerate() {
        let cl = class(c);
        if cl != prev {
            short.char(cl);
            prev = cl;
        }
        if k < 8 {
            long.char(cl);
        }
        if k < 4 {
            p.char(c);
            prefix[k] = p.finish();
        }
        n = k + 1;
    }
    if n > 8 {
        long.byte(b'+');
    }
    let mut suffix = [0; 4];
    let mut s = Hasher::default();
    for (k, c) in word.chars().rev().take(4).enumerate() {
        s.char(c);
        suffix[k] = s.finish();
    }
    let lower = lower_hash(word);
    let first = word.chars().next();
    Info {
        word: whole.finish(),
        lower,
        shape: short.finish(),
        shape_long: long.finish(),
        prefix,
        suffix,
        cap: first.is_some_and(char::is_uppercase),
        first_lower: first.is_some_and(char::is_lowercase),
        alpha: word.chars().any(char::is_alphabetic),
        all_caps: is_all_caps(word),
        gaz: 0,
        clusters: 0,
        brown: 0,
    }
}

// Template ids: one per kind of feature.
const BIAS: u64 = 1;
const WORD: u64 = 2;
const LOWER: u64 = 3; // + offset 0..5
const SHAPE: u64 = 10; // + offset 0..3
const SHAPE_LONG: u64 = 14;
const PREFIX: u64 = 15; // + 0..4
const SUFFIX: u64 = 20; // + 0..4
const BIGRAM_LEFT: u64 = 25;
const BIGRAM_RIGHT: u64 = 26;
const SHAPE_TRIGRAM: u64 = 27;
const LEFT_WORD_SHAPE: u64 = 28;
const SHAPE_RIGHT_WORD: u64 = 29;
const FIRST_SHAPE: u64 = 30;
const CAPS_SENTENCE_LOWER: u64 = 31;
const GAZ: u64 = 32; // + offset 0..3
const CLUSTER: u64 = 36; // + 3 * offset + level
const DOC: u64 = 46;
const DOC_FIRST: u64 = 47;
const GAZ_SHAPE: u64 = 48;
const BROWN: u64 = 50; // + 4 * offset + prefix
// Second stage only.
const S1_TAG: u64 = 60; // + offset 0..3
const S1_TAG_PAIR: u64 = 63;
const HIST_MAJ: u64 = 64;
const HIST_ANY: u64 = 65;
const HIST_MAJ_OWN: u64 = 66;
const HIST_MAJ_FIRST: u64 = 67;
const INSIDE_MAJ: u64 = 68;
const INSIDE_MAJ_OWN: u64 = 69;

/// Lengths of the Brown path prefixes used as features.
const BROWN_PREFIXES: [u32; 4] = [4, 6, 10, 20];

const BOS: u64 = 0xB05;
const EOS: u64 = 0xE05;

/// Appends the [`Info`] of every word of one sentence to `infos`, gazetteer bits
/// included (phrases never cross sentences), and says whether the sentence is written in
/// capitals (a headline: `caps_sentence`).
pub fn sentence_infos(words: &[&str], lex: &Lexicon, scratch: &mut Scratch, infos: &mut Vec<Info>) -> bool {
    let first = infos.len();
    infos.extend(words.iter().map(|w| info(w, lex)));
    finish_sentence(&mut infos[first..], lex, scratch)
}

/// Adds the gazetteer bits to one sentence's [`Info`]s (each from [`Info::of`]) and says
/// whether the sentence is written in capitals, as [`sentence_infos`] does.
pub fn finish_sentence(infos: &mut [Info], lex: &Lexicon, scratch: &mut Scratch) -> bool {
    scratch.lower.clear();
    scratch.lower.extend(infos.iter().map(|i| i.lower));
    lex.gazetteer_bits(&scratch.lower, &mut scratch.gaz);
    for (t, &g) in infos.iter_mut().zip(&scratch.gaz) {
        t.gaz = g;
    }
    caps_sentence(infos)
}

/// A sentence written in capitals: at least two words with letters, 80% of them with no
/// lowercase letter.
fn caps_sentence(infos: &[Info]) -> bool {
    let alpha = infos.iter().filter(|t| t.alpha).count();
    let caps = infos.iter().filter(|t| t.all_caps).count();
    alpha >= 2 && caps * 10 >= alpha * 8
}

/// Features of every token of one sentence: token `i`'s are
/// `out[bounds[i] as usize..bounds[i + 1] as usize]`. `stack` (second stage only) is the
/// document's first-stage facts and this sentence's first-stage tags. Training uses this;
/// tagging calls [`base_features`] and [`stack_features`] directly, which give the same
/// features in the same order.
pub fn extract(
    words: &[&str],
    lex: &Lexicon,
    doc: &DocInfo,
    stack: Option<(&StackInfo, &[u8])>,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
    bounds: &mut Vec<u32>,
) {
    out.clear();
    bounds.clear();
    let mut info = std::mem::take(&mut scratch.info);
    info.clear();
    let caps_sentence = sentence_infos(words, lex, scratch, &mut info);
    for i in 0..info.len() {
        bounds.push(out.len() as u32);
        let mut f = |h: u64| out.push(h);
        base_features(&info, i, caps_sentence, doc, &mut f);
        if let Some((st, s1)) = stack {
            stack_features(&info, i, caps_sentence, st, s1, &mut f);
        }
    }
    bounds.push(out.len() as u32);
    scratch.info = info;
}

/// The features of token `i` of a sentence (`info`, from [`sentence_infos`]) that both
/// stages use, each passed to `out` as it is made.
#[inline]
pub fn base_features(info: &[Info], i: usize, caps_sentence: bool, doc: &DocInfo, out: &mut impl FnMut(u64)) {
    let at = |d: isize| -> Option<&Info> {
        let j = i as isize + d;
        if j < 0 { None } else { info.get(j as usize) }
    };
    let lower_at = |d: isize| at(d).map_or(if d < 0 { BOS } else { EOS }, |t| t.lower);
    let shape_at = |d: isize| at(d).map_or(if d < 0 { BOS } else { EOS }, |t| t.shape);
    let t = &info[i];
    let mut f = |template: u64, value: u64| out(mix(template, value));
    f(BIAS, 0);
    f(WORD, t.word);
    for d in -2..=2isize {
        f(LOWER + (d + 2) as u64, lower_at(d));
    }
    for d in -1..=1isize {
        f(SHAPE + (d + 1) as u64, shape_at(d));
    }
    f(SHAPE_LONG, t.shape_long);
    for k in 0..4 {
        if t.prefix[k] != 0 {
            f(PREFIX + k as u64, t.prefix[k]);
        }
        if t.suffix[k] != 0 {
            f(SUFFIX + k as u64, t.suffix[k]);
        }
    }
    f(BIGRAM_LEFT, mix(lower_at(-1), t.lower));
    f(BIGRAM_RIGHT, mix(t.lower, lower_at(1)));
    f(SHAPE_TRIGRAM, mix(mix(shape_at(-1), t.shape), shape_at(1)));
    f(LEFT_WORD_SHAPE, mix(lower_at(-1), t.shape));
    f(SHAPE_RIGHT_WORD, mix(t.shape, lower_at(1)));
    if i == 0 {
        f(FIRST_SHAPE, t.shape);
    }
    if caps_sentence {
        f(CAPS_SENTENCE_LOWER, t.lower);
    }
    for d in -1..=1isize {
        let Some(o) = at(d) else { continue };
        let mut bits = o.gaz & ((1 << (2 * LISTS.len())) - 1);
        while bits != 0 {
            let bit = u64::from(bits.trailing_zeros());
            bits &= bits - 1;
            f(GAZ + (d + 1) as u64, bit);
            if d == 0 {
                f(GAZ_SHAPE, mix(bit, t.shape));
            }
        }
        brown_cluster_features(o, d, &mut f);
    }
    if t.cap {
        let flags =
            u64::from(doc.caps_mid.contains(&t.lower)) | u64::from(doc.lower_seen.contains(&t.lower)) << 1;
        f(DOC, flags);
        if i == 0 || caps_sentence {
            f(DOC_FIRST, flags);
        }
    }
}

/// The offsets of the neighbours whose word alone decides some of a token's features.
pub const WORD_ROLES: [isize; 5] = [-2, -1, 0, 1, 2];

/// The part of [`base_features`] that depends only on the word at offset `d`
/// ([`WORD_ROLES`]) from the token, `t` being that word's [`Info`]: its lowercase form and
/// short shape; for `d` in −1..=1 its Brown path prefixes and clusters; for `d = 0` the
/// word, long shape, prefixes and suffixes. The same word gives the same features in every
/// place, so the tagger sums their weights once per distinct word of a document. With
/// [`context_features`] these are exactly [`base_features`] (in another order).
#[inline]
pub fn word_features(t: &Info, d: isize, out: &mut impl FnMut(u64)) {
    let mut f = |template: u64, value: u64| out(mix(template, value));
    if d == 0 {
        f(WORD, t.word);
    }
    f(LOWER + (d + 2) as u64, t.lower);
    if (-1..=1).contains(&d) {
        f(SHAPE + (d + 1) as u64, t.shape);
    }
    if d == 0 {
        f(SHAPE_LONG, t.shape_long);
        for k in 0..4 {
            if t.prefix[k] != 0 {
                f(PREFIX + k as u64, t.prefix[k]);
            }
            if t.suffix[k] != 0 {
                f(SUFFIX + k as u64, t.suffix[k]);
            }
        }
    }
    if (-1..=1).contains(&d) {
        brown_cluster_features(t, d, &mut f);
    }
}

/// The Brown path prefixes and cluster ids of the word at offset `d` (−1..=1).
#[inline]
fn brown_cluster_features(o: &Info, d: isize, f: &mut impl FnMut(u64, u64)) {
    if o.brown != 0 {
        let len = o.brown >> BROWN_BITS;
        let path = o.brown & ((1 << BROWN_BITS) - 1);
        for (k, &p) in BROWN_PREFIXES.iter().enumerate() {
            let p = p.min(len);
            f(BROWN + 4 * (d + 1) as u64 + k as u64, u64::from(((path >> (len - p)) << 5) | p));
        }
    }
    if o.clusters != 0 {
        for level in 0..3 {
            let id = (o.clusters >> (10 * level)) & 0x3FF;
            if id != 0 {
                f(CLUSTER + 3 * (d + 1) as u64 + level, u64::from(id));
            }
        }
    }
}

/// The feature every token has (the bias): [`base_features`]' first. Tagging weighs it
/// once per document.
#[must_use]
pub fn bias_feature() -> u64 {
    mix(BIAS, 0)
}

/// The rest of [`base_features`] besides [`word_features`] and [`bias_feature`]: what
/// depends on the neighbours together (bigrams, shape trigram), on the sentence (its
/// edges, capitals, gazetteer phrases) and on the document.
#[inline]
pub fn context_features(
    info: &[Info],
    i: usize,
    caps_sentence: bool,
    doc: &DocInfo,
    out: &mut impl FnMut(u64),
) {
    let at = |d: isize| -> Option<&Info> {
        let j = i as isize + d;
        if j < 0 { None } else { info.get(j as usize) }
    };
    let lower_at = |d: isize| at(d).map_or(if d < 0 { BOS } else { EOS }, |t| t.lower);
    let shape_at = |d: isize| at(d).map_or(if d < 0 { BOS } else { EOS }, |t| t.shape);
    let t = &info[i];
    let mut f = |template: u64, value: u64| out(mix(template, value));
    // Past the sentence's edges: the edge markers in the word templates.
    for d in [-2isize, -1, 1, 2] {
        if at(d).is_none() {
            f(LOWER + (d + 2) as u64, lower_at(d));
            if d.abs() == 1 {
                f(SHAPE + (d + 1) as u64, shape_at(d));
            }
        }
    }
    f(BIGRAM_LEFT, mix(lower_at(-1), t.lower));
    f(BIGRAM_RIGHT, mix(t.lower, lower_at(1)));
    f(SHAPE_TRIGRAM, mix(mix(shape_at(-1), t.shape), shape_at(1)));
    f(LEFT_WORD_SHAPE, mix(lower_at(-1), t.shape));
    f(SHAPE_RIGHT_WORD, mix(t.shape, lower_at(1)));
    if i == 0 {
        f(FIRST_SHAPE, t.shape);
    }
    if caps_sentence {
        f(CAPS_SENTENCE_LOWER, t.lower);
    }
    for d in -1..=1isize {
        let Some(o) = at(d) else { continue };
        let mut bits = o.gaz & ((1 << (2 * LISTS.len())) - 1);
        while bits != 0 {
            let bit = u64::from(bits.trailing_zeros());
            bits &= bits - 1;
            f(GAZ + (d + 1) as u64, bit);
            if d == 0 {
                f(GAZ_SHAPE, mix(bit, t.shape));
            }
        }
    }
    if t.cap {
        let flags =
            u64::from(doc.caps_mid.contains(&t.lower)) | u64::from(doc.lower_seen.contains(&t.lower)) << 1;
        f(DOC, flags);
        if i == 0 || caps_sentence {
            f(DOC_FIRST, flags);
        }
    }
}

/// The second (stacked) stage's own features of token `i`: the first stage's tags
/// around it (`s1`: this sentence's) and how the first stage tagged the same word
/// elsewhere in the document (`st`). Passed to `out` after [`base_features`].
#[inline]
pub fn stack_features(
    info: &[Info],
    i: usize,
    caps_sentence: bool,
    st: &StackInfo,
    s1: &[u8],
    out: &mut impl FnMut(u64),
) {
    let t = &info[i];
    let mut f = |template: u64, value: u64| out(mix(template, value));
    let tag_at = |d: isize| {
        let j = i as isize + d;
        if j < 0 { 9 } else { s1.get(j as usize).map_or(10, |&t| u64::from(t)) }
    };
    for d in -1..=1isize {
        f(S1_TAG + (d + 1) as u64, tag_at(d));
    }
    f(S1_TAG_PAIR, mix(tag_at(-1), tag_at(0)));
    if t.cap {
        let own = s1[i];
        let own_slot = usize::from(slot(own));
        if let Some(c) = st.words.get(&t.lower) {
            let mut c = *c;
            c[own_slot] = c[own_slot].saturating_sub(1);
            if let Some(m) = majority(&c) {
                f(HIST_MAJ, m);
                f(HIST_MAJ_OWN, mix(m, own_slot as u64));
                if i == 0 || caps_sentence {
                    f(HIST_MAJ_FIRST, m);
                }
                for (k, &n) in c.iter().enumerate() {
                    if n > 0 {
                        f(HIST_ANY, k as u64);
                    }
                }
            }
        }
        if let Some(c) = st.inside.get(&t.lower) {
            let mut c = *c;
            let in_long = own != 0 && (!is_begin(own) || s1.get(i + 1) == Some(&(own + 1)));
            if in_long {
                c[own_slot] = c[own_slot].saturating_sub(1);
            }
            if let Some(m) = majority(&c) {
                f(INSIDE_MAJ, m);
                f(INSIDE_MAJ_OWN, mix(m, own_slot as u64));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(words: &[&str]) -> (Vec<u64>, Vec<u32>) {
        let (mut out, mut bounds) = (Vec::new(), Vec::new());
        let mut doc = DocInfo::default();
        doc.add_sentence(words);
        extract(words, &Lexicon::default(), &doc, None, &mut Scratch::default(), &mut out, &mut bounds);
        (out, bounds)
    }

    #[test]
    fn lowercase_hash_ignores_case_accents_and_quote_style() {
        assert_eq!(lower_hash("PUTIN"), lower_hash("putin"));
        assert_eq!(lower_hash("Mélanie"), lower_hash("melanie"));
        assert_eq!(lower_hash("’s"), lower_hash("'s"));
        assert_eq!(lower_hash("“"), lower_hash("\""));
        assert_ne!(lower_hash("us"), lower_hash("u.s."));
    }

    #[test]
    fn word_and_context_features_are_the_base_features() {
        let tagger = crate::tagger::Tagger::builtin().unwrap();
        let lex = &tagger.model().lexicon;
        let sentences: [&[&str]; 4] = [
            &["Prime", "Minister", "Keir", "Starmer", "met", "Vladimir", "Putin", "in", "New", "York", "."],
            &["UKRAINE", "WINS", "IN", "KYIV"],
            &["a"],
            &[
                "The",
                "U.S.",
                "-",
                "led",
                "talks",
                "on",
                "Thursday",
                "in",
                "Washington",
                "D.C.",
                "went",
                "well",
            ],
        ];
        let mut doc = DocInfo::default();
        for words in sentences {
            doc.add_sentence(words);
        }
        for words in sentences {
            let mut info = Vec::new();
            let caps = sentence_infos(words, lex, &mut Scratch::default(), &mut info);
            for i in 0..info.len() {
                let (mut base, mut split) = (Vec::new(), vec![bias_feature()]);
                base_features(&info, i, caps, &doc, &mut |h| base.push(h));
                context_features(&info, i, caps, &doc, &mut |h| split.push(h));
                for d in WORD_ROLES {
                    if let Some(t) = i.checked_add_signed(d).and_then(|j| info.get(j)) {
                        word_features(t, d, &mut |h| split.push(h));
                    }
                }
                base.sort_unstable();
                split.sort_unstable();
                assert_eq!(base, split, "{words:?} token {i}");
            }
        }
    }

    #[test]
    fn the_ascii_pass_gives_the_char_pass_values() {
        for w in [
            "",
            "Putin",
            "U.S.",
            "1996",
            "co-operation",
            "MCDONALD'S",
            "x",
            "Weston-super-Mare",
            "a1B2",
            "\0",
        ] {
            let (a, c) = (ascii_word_info(w.as_bytes()), word_info(w));
            let key = |t: &Info| {
                (
                    t.word,
                    t.lower,
                    t.shape,
                    t.shape_long,
                    t.prefix,
                    t.suffix,
                    t.cap,
                    t.first_lower,
                    t.alpha,
                    t.all_caps,
                )
            };
            assert_eq!(key(&a), key(&c), "{w:?}");
        }
    }

    #[test]
    fn shapes_collapse_runs_of_a_class() {
        let lex = Lexicon::default();
        assert_eq!(info("Putin", &lex).shape, info("Xy", &lex).shape);
        assert_eq!(info("U.S.", &lex).shape, info("A.B.", &lex).shape);
        assert_ne!(info("U.S.", &lex).shape, info("US", &lex).shape);
        assert_eq!(info("1996", &lex).shape, info("7", &lex).shape);
        assert_ne!(info("Putin", &lex).shape_long, info("Xy", &lex).shape_long);
        assert!(info("Putin", &lex).cap && !info("putin", &lex).cap);
    }

    #[test]
    fn every_token_gets_features_and_context_matters() {
        let (out, bounds) = feats(&["Putin", "met", "Trump", "."]);
        assert_eq!(bounds.len(), 5);
        assert!(bounds.windows(2).all(|w| w[1] - w[0] >= 15), "{bounds:?}");
        assert_eq!(*bounds.last().unwrap() as usize, out.len());
        // Same word, different neighbours: different feature sets.
        let (a, ab) = feats(&["in", "Moscow"]);
        let (b, bb) = feats(&["Mr", "Moscow"]);
        let last = |o: &[u64], b: &[u32]| o[b[1] as usize..b[2] as usize].to_vec();
        assert_ne!(last(&a, &ab), last(&b, &bb));
        // Features are deterministic.
        assert_eq!(feats(&["Putin", "met"]), feats(&["Putin", "met"]));
    }
}
