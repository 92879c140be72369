//! [`polarity`]: the VADER algorithm (Hutto & Gilbert 2014) for one sentence.
//!
//! A faithful port of `SentimentIntensityAnalyzer.polarity_scores` from vaderSentiment
//! 3.3.2, step by step:
//!
//! 1. every word found in the lexicon gets its valence; booster/dampener words themselves
//!    score 0 ("very", "kind of");
//! 2. "no" before a lexicon word negates it instead of counting itself;
//! 3. a word in ALL CAPS in a sentence that mixes case gains [`C_INCR`];
//! 4. up to three preceding non-lexicon words may boost or dampen (scaled 1, 0.95, 0.9 by
//!    distance) and negate (× [`N_SCALAR`]), with VADER's "never so/this" (× 1.25) and
//!    "without doubt" exceptions and its special idioms ("kiss of death");
//! 5. "least" negates unless preceded by "at"/"very";
//! 6. the first "but" halves every valence before it and multiplies every one after it by
//!    1.5;
//! 7. "!" (up to 4, 0.292 each) and "?" (2–3: 0.18 each, more: 0.96) amplify the sum away
//!    from zero;
//! 8. compound = sum / sqrt(sum² + 15); pos/neu/neg are VADER's proportions, where each
//!    sentiment word counts |valence| + 1 and each other word 1.
//!
//! [`Options::VADER`] reproduces the Python package exactly, quirks included (checked on
//! all 18,513 development ground-truth texts, see `tests/parity.rs`):
//! - the "but" shift finds each value with `list.index`, so when two words carry equal
//!   valences the first one can be re-scaled twice and the other not at all;
//! - curly quotes and apostrophes are not punctuation to it (`“excellent”` is no word it
//!   knows, `couldn’t` no negation).
//!
//! [`Options::NEWS`] keeps the algorithm and fixes those two (the "but" shift by position,
//! as NLTK's port does; typographic punctuation made ASCII, see [`crate::words`]). The
//! news mode's other changes live in [`crate::news`]. Results are not rounded here.
//!
//! The implementation classifies the text 64 bytes at a time and finds the words with bit
//! operations ([`crate::scan`]), then looks every word up once, all lookups after all
//! words so that they overlap (valence, booster, negation and rule tag share one entry of
//! a perfect hash table, see [`crate::lexicon`]); it compares rule words by tag instead of
//! by spelling and reuses per-thread buffers, so a warm scorer allocates nothing. The hot
//! path is compiled twice, for any x86-64 and for x86-64-v3, and picked at run time (same
//! results bit for bit). [`sentence_polarities`] scores all sentences of a text from one
//! pass over it, and [`host_sentence_polarities`] also finds them (the host's split) from
//! the same classification of the text. Figure words
//! ([`Lexicon::with_figure_overrides`]) take their plain valence in a sentence without a
//! digit. Figures in `docs/BENCHMARKS.md`.
//!
//! [`C_INCR`]: crate::rules::C_INCR
//! [`N_SCALAR`]: crate::rules::N_SCALAR

use std::cell::RefCell;
use std::hint::select_unpredictable;
use std::ops::Range;

use crate::lexicon::{Facts, Lexicon};
use crate::rules::{
    ALPHA, B_INCR, BOOSTER_TAGS, C_INCR, N_SCALAR, PHRASE_STARTS, SPECIAL_TAGS, TagPhrase, tag,
};
use crate::scan::{Scanner, Token, contains_nt};
use crate::split::MaskSentences;
use crate::words::{changes, is_upper, prepare};
use ingest_text::Sentences;

/// Which of VADER's behaviours to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Map typographic quotes, apostrophes, dashes and "…" to ASCII before splitting.
    pub typography: bool,
    /// Apply the "but" shift by word position instead of VADER's value lookup.
    pub but_by_position: bool,
}

impl Options {
    /// Exactly vaderSentiment 3.3.2.
    pub const VADER: Self = Self { typography: false, but_by_position: false };
    /// The algorithm with its two accidental behaviours fixed, for news text.
    pub const NEWS: Self = Self { typography: true, but_by_position: true };
}

/// VADER's scores for one text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Polarity {
    /// Normalised sum of valences, in [-1, 1].
    pub compound: f64,
    /// Proportion of the text's sentiment weight that is positive.
    pub pos: f64,
    /// Proportion that is neutral.
    pub neu: f64,
    /// Proportion that is negative.
    pub neg: f64,
    /// Number of words VADER saw; 0 means the scores carry no information.
    pub words: usize,
    /// The sum of valences with punctuation emphasis, before normalisation (the news mode
    /// combines sentences on this scale).
    pub sum: f64,
    /// The sum of the positive word valences alone (no emphasis).
    pub positive: f64,
    /// The sum of the negative word valences alone (no emphasis; ≤ 0).
    pub negative: f64,
    /// The first word is "but": the text answers what came before it (VADER's "but" rule
    /// only looks inside the text; the news mode's document combination uses this, see
    /// [`crate::news::Calibration::combine`]).
    pub opens_with_but: bool,
}

/// VADER's `normalize`: maps a sum of valences into [-1, 1].
pub fn normalize(sum: f64) -> f64 {
    normalize_with(sum, ALPHA)
}

/// `normalize` with another `alpha` (the larger, the slower the score saturates).
pub fn normalize_with(sum: f64, alpha: f64) -> f64 {
    (sum / (sum * sum + alpha).sqrt()).clamp(-1.0, 1.0)
}

/// Scores one text exactly as vaderSentiment 3.3.2 does.
pub fn polarity(text: &str, lexicon: &Lexicon) -> Polarity {
    polarity_with(text, lexicon, Options::VADER)
}

/// Scores one text (VADER is designed for a sentence) with `lexicon` and `options`.
pub fn polarity_with(text: &str, lexicon: &Lexicon, options: Options) -> Polarity {
    let prepared = prepare(text, lexicon, options.typography);
    with_scratch(|scratch| scratch.polarity(&prepared, lexicon, options))
}

/// Scores the sentences of `text` given as byte ranges (in order, not overlapping), each
/// as [`polarity_with`] scores it alone, and calls `f` with each score in order.
///
/// An ASCII text is tokenized once for all of its sentences when the lexicon maps no ASCII
/// character to an emoji description (then [`prepare`] changes nothing but the ends): the
/// words of a sentence that white space (or the text's ends) surrounds are exactly the
/// tokens of the whole text that start inside it, since no token crosses its edges. A
/// sentence that is not so surrounded (never one of the host's sentences) is scored alone,
/// as is every sentence of any other text. The ranges are read once, so they may come
/// straight from a lazy splitter ([`ingest_text::Sentences`]).
pub fn sentence_polarities(
    text: &str,
    sentences: impl Iterator<Item = (usize, usize)>,
    lexicon: &Lexicon,
    options: Options,
    mut f: impl FnMut(Polarity),
) {
    if crate::words::is_ascii(text) {
        ascii_sentence_polarities(text, sentences, lexicon, options, f);
    } else {
        for (start, end) in sentences {
            f(polarity_with(&text[start..end], lexicon, options));
        }
    }
}

/// [`sentence_polarities`] of a text the caller knows to be ASCII.
pub(crate) fn ascii_sentence_polarities(
    text: &str,
    sentences: impl Iterator<Item = (usize, usize)>,
    lexicon: &Lexicon,
    options: Options,
    mut f: impl FnMut(Polarity),
) {
    debug_assert!(text.is_ascii());
    if !lexicon.has_ascii_emoji() {
        with_scratch(|scratch| scratch.sentences(text, sentences, lexicon, options, &mut f));
    } else {
        for (start, end) in sentences {
            f(polarity_with(&text[start..end], lexicon, options));
        }
    }
}

/// Scores the sentences of `text` as the host splits it ([`ingest_text::Sentences::of`]),
/// each as [`polarity_with`] scores it alone, calling `f` with each score in order, when
/// the lexicon maps no ASCII character to an emoji description; else returns false
/// without calling `f`.
///
/// One pass: the scanner's classification of the text gives its line breaks and
/// terminators too (`split.rs`), and its tokens give every sentence's words (a host
/// sentence is trimmed, so white space or the text's ends surround it and no token
/// crosses its edges; see [`sentence_polarities`]). A text that is not ASCII is split
/// from the masks too where the host's rule reads only ASCII characters, and tokenized
/// once (see `Scratch::wide_sentences`).
pub fn host_sentence_polarities(
    text: &str,
    lexicon: &Lexicon,
    options: Options,
    mut f: impl FnMut(Polarity),
) -> bool {
    if lexicon.has_ascii_emoji() {
        return false;
    }
    with_scratch(|scratch| scratch.host_sentences(text, lexicon, options, &mut f))
}

/// True when the processor runs the x86-64-v3 builds of the scorer (checked once): AVX2,
/// BMI1/2, LZCNT and POPCNT, which every x86-64 server and desktop processor of the last
/// decade has.
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_v3() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static V3: AtomicU8 = AtomicU8::new(0);
    match V3.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let yes = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("bmi1")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("lzcnt")
                && std::arch::is_x86_feature_detected!("popcnt");
            V3.store(1 + u8::from(yes), Ordering::Relaxed);
            yes
        }
    }
}

/// The per-word valences of a prepared text, after the "but" shift (VADER's `sentiments`
/// list, one value per word).
pub fn valences(prepared: &str, lexicon: &Lexicon, options: Options) -> Vec<f64> {
    with_scratch(|scratch| {
        scratch.tokenize(prepared, lexicon);
        let n = scratch.words.len();
        scratch.plain_figures(0..n, 0..prepared.len(), lexicon);
        if !scratch.valences(0..n, options) {
            scratch.spread(n);
        }
        scratch.sentiments.clone()
    })
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's buffers (fresh ones in the impossible case of re-entry).
#[inline]
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let out = f(&mut scratch);
            scratch.shrink();
            out
        }
        Err(_) => f(&mut Scratch::default()),
    })
}

/// The buffers one text needs, kept per thread so scoring allocates nothing once warm.
#[derive(Default)]
struct Scratch {
    /// What the rules need to know about each word.
    words: Vec<Word>,
    /// VADER's `sentiments`: one valence per word of the sentence being scored (filled only
    /// when a "but" needs them, see [`Scratch::valences`]).
    sentiments: Vec<f64>,
    /// The valences of the lexicon words of the sentence (`scored`), in order.
    values: Vec<f64>,
    /// Positions of the lexicon words in the sentence (the first `scored_len`): the only
    /// ones whose valence can be non-zero. Never shorter than the sentence.
    scored: Vec<u32>,
    scored_len: usize,
    /// The lowercase form of the current non-ASCII word.
    lower: String,
    /// Some word of the text is a figure word ([`Scratch::plain_figures`]).
    any_figure: bool,
    /// The text's tokens.
    scanner: Scanner,
    /// The sentences (byte ranges) of a text that is not ASCII.
    ranges: Vec<(usize, usize)>,
    /// Its sentences prepared and joined by spaces, when preparing changes them.
    joined: String,
}

/// One word of the text, as the rules see it.
#[derive(Debug, Clone, Copy, Default)]
struct Word {
    /// The lexicon valence, meaningful when `in_lexicon`.
    valence: f64,
    /// The word's lexicon key ([`Lexicon::key`]) until it is looked up, then [`RESOLVED`].
    key: [u64; 2],
    /// The table slot of `key` ([`Lexicon::prefetch_key`]) until it is looked up.
    slot: u32,
    /// The byte of the text where the word starts (for [`sentence_polarities`]; it fits
    /// in the struct's padding).
    start: u32,
    /// The word has a lexicon valence.
    in_lexicon: bool,
    /// Booster sign: +1 boosts, -1 dampens, 0 neither.
    booster: i8,
    /// The word's [`crate::rules::tag`], 0 for none.
    tag: u8,
    /// ALL CAPS (Python's `isupper`).
    upper: bool,
    /// [`Facts::figure`]: 0, or which figure word this is.
    figure: u8,
    /// A negation: a negation word or one containing "n't".
    negated: bool,
}

impl Word {
    #[inline]
    fn new(facts: Facts, start: u32, upper: bool, nt: bool) -> Self {
        Self {
            valence: facts.valence,
            key: RESOLVED,
            slot: 0,
            start,
            in_lexicon: facts.has_valence,
            booster: facts.booster,
            tag: facts.tag,
            upper,
            negated: facts.negation || nt,
            figure: facts.figure,
        }
    }

    /// A word to be looked up by `key`, in table slot `slot`, later.
    #[inline]
    fn pending(key: [u64; 2], slot: u32, start: u32, upper: bool, nt: bool) -> Self {
        Self { key, slot, start, upper, negated: nt, ..Self::default() }
    }
}

/// Buffers larger than this (a very long text) are given back after use.
const KEEP_WORDS: usize = 1 << 16;

/// The scorer's entry points on the thread's buffers, each compiled twice: for any
/// processor, and for x86-64-v3 ones (chosen at run time, see [`has_v3`]). The source is
/// the same (the `_any` method, inlined into both); with the newer instructions the
/// compiler shortens the bit and mask operations that dominate the tokenizer. They are
/// integer instructions and FMA is not enabled, so every score is the same bit for bit.
impl Scratch {
    /// [`polarity_with`] of a prepared text.
    fn polarity(&mut self, text: &str, lexicon: &Lexicon, options: Options) -> Polarity {
        #[cfg(target_arch = "x86_64")]
        if has_v3() {
            // SAFETY: the processor has every feature `polarity_v3` enables (just checked).
            return unsafe { self.polarity_v3(text, lexicon, options) };
        }
        self.polarity_any(text, lexicon, options)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn polarity_v3(&mut self, text: &str, lexicon: &Lexicon, options: Options) -> Polarity {
        self.polarity_any(text, lexicon, options)
    }

    #[inline(always)]
    fn polarity_any(&mut self, text: &str, lexicon: &Lexicon, options: Options) -> Polarity {
        self.tokenize(text, lexicon);
        let (exclamations, questions) = self.scanner.punctuation();
        self.score(0..self.words.len(), 0..text.len(), exclamations, questions, options, lexicon)
    }

    /// [`sentence_polarities`] of an ASCII text.
    fn sentences(
        &mut self,
        text: &str,
        sentences: impl Iterator<Item = (usize, usize)>,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_v3() {
            // SAFETY: the processor has every feature `sentences_v3` enables (just checked).
            return unsafe { self.sentences_v3(text, sentences, lexicon, options, f) };
        }
        self.sentences_any(text, sentences, lexicon, options, f);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn sentences_v3(
        &mut self,
        text: &str,
        sentences: impl Iterator<Item = (usize, usize)>,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) {
        self.sentences_any(text, sentences, lexicon, options, f);
    }

    #[inline(always)]
    fn sentences_any(
        &mut self,
        text: &str,
        sentences: impl Iterator<Item = (usize, usize)>,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) {
        self.tokenize(text, lexicon);
        self.score_ranges(text, sentences, lexicon, options, f);
    }

    /// Scores the sentences `sentences` (byte ranges, in order) of `text`, which is
    /// scanned and tokenized: each as [`polarity_with`] scores it alone, when [`prepare`]
    /// changes nothing in `text` but the ends of a sentence (see [`sentence_polarities`]).
    #[inline(always)]
    fn score_ranges(
        &mut self,
        text: &str,
        sentences: impl Iterator<Item = (usize, usize)>,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) {
        let mut word = 0;
        for (start, end) in sentences {
            let separated = start <= end
                && end <= text.len()
                && (start == 0 || self.scanner.is_space(start - 1))
                && self.scanner.is_space(end);
            if !separated {
                // Tokens may cross its edges: alone (on fresh buffers, these are in use).
                f(polarity_with(&text[start..end], lexicon, options));
                continue;
            }
            // The words that start in the sentence (tokens between sentences belong to none).
            while word < self.words.len() && (self.words[word].start as usize) < start {
                word += 1;
            }
            let first = word;
            while word < self.words.len() && (self.words[word].start as usize) < end {
                word += 1;
            }
            let (exclamations, questions) = self.scanner.punctuation_in(start, end);
            f(self.score(first..word, start..end, exclamations, questions, options, lexicon));
        }
    }

    /// [`host_sentence_polarities`] on the thread's buffers.
    fn host_sentences(
        &mut self,
        text: &str,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        if has_v3() {
            // SAFETY: the processor has every feature `host_sentences_v3` enables (just checked).
            return unsafe { self.host_sentences_v3(text, lexicon, options, f) };
        }
        self.host_sentences_any(text, lexicon, options, f)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    fn host_sentences_v3(
        &mut self,
        text: &str,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) -> bool {
        self.host_sentences_any(text, lexicon, options, f)
    }

    #[inline(always)]
    fn host_sentences_any(
        &mut self,
        text: &str,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) -> bool {
        self.scanner.scan_for_split(text);
        if self.scanner.non_ascii() {
            self.wide_sentences(text, lexicon, options, f);
            return true;
        }
        self.tokenize_scanned(text, lexicon);
        let mut split = MaskSentences::default();
        let mut word = 0;
        let last_start = self.words.last().map_or(0, |w| w.start as usize);
        while let Some((start, end)) = split.next(&self.scanner, text.as_bytes()) {
            // The words that start in the sentence. Every token starts in one of the
            // sentences (only white space lies between them), so they follow the previous
            // sentence's; the last sentence (most texts have one) takes all that are left
            // without a walk over them.
            let first = word;
            if last_start < end {
                word = self.words.len();
            } else {
                while (self.words[word].start as usize) < end {
                    word += 1;
                }
            }
            let (exclamations, questions) = self.scanner.punctuation_in(start, end);
            f(self.score(first..word, start..end, exclamations, questions, options, lexicon));
        }
        true
    }

    /// [`host_sentence_polarities`] of a text that is not ASCII, scanned for the split.
    ///
    /// The sentences are found from the masks when the host's rule reads only ASCII
    /// characters of the text ([`MaskSentences::next_wide`]), else by the host's own
    /// split. When [`prepare`] changes nothing but their ends (no typographic character
    /// or emoji), their words are the tokens of the text, as for an ASCII text; else each
    /// sentence is prepared, the prepared sentences are joined by spaces (they are
    /// trimmed, so no token crosses from one to the next) and that text is tokenized once.
    #[inline(never)]
    fn wide_sentences(
        &mut self,
        text: &str,
        lexicon: &Lexicon,
        options: Options,
        f: &mut impl FnMut(Polarity),
    ) {
        let mut ranges = std::mem::take(&mut self.ranges);
        ranges.clear();
        let mut split = MaskSentences::default();
        while let Some(range) = split.next_wide(&self.scanner, text.as_bytes()) {
            ranges.push(range);
        }
        if split.unsure() {
            ranges.clear();
            // The host's spans count code points: walk the text's characters once.
            let mut bytes = text.char_indices().map(|(b, _)| b);
            let (mut cursor, mut last) = (0, 0); // code points consumed from `bytes`
            let mut byte_at = |cp: usize| {
                while cursor <= cp {
                    last = bytes.next().unwrap_or(text.len());
                    cursor += 1;
                }
                last
            };
            for s in Sentences::of(text) {
                ranges.push((byte_at(s.start), byte_at(s.end)));
            }
        }
        if !changes(text, lexicon, options.typography) {
            self.tokenize_scanned(text, lexicon);
            self.score_ranges(text, ranges.iter().copied(), lexicon, options, f);
        } else {
            let mut joined = std::mem::take(&mut self.joined);
            joined.clear();
            for range in &mut ranges {
                let prepared = prepare(&text[range.0..range.1], lexicon, options.typography);
                let start = joined.len();
                joined.push_str(&prepared);
                *range = (start, joined.len());
                joined.push(' ');
            }
            self.tokenize(&joined, lexicon);
            self.score_ranges(&joined, ranges.iter().copied(), lexicon, options, f);
            self.joined = joined;
        }
        self.ranges = ranges;
    }

    fn shrink(&mut self) {
        if self.words.capacity() > KEEP_WORDS {
            *self = Self::default();
        }
    }

    /// VADER's `words_and_emoticons` of `text` in `words`, with what the rules need about
    /// each word (see [`crate::scan`]).
    #[inline(always)]
    fn tokenize(&mut self, text: &str, lexicon: &Lexicon) {
        self.scanner.scan(text);
        self.tokenize_scanned(text, lexicon);
    }

    /// [`Scratch::tokenize`] once `text` is scanned.
    #[inline(always)]
    fn tokenize_scanned(&mut self, text: &str, lexicon: &Lexicon) {
        self.words.clear();
        let bytes = text.as_bytes();
        let (scanner, words, lower) = (&self.scanner, &mut self.words, &mut self.lower);
        // First every word and its lexicon key, then every lookup: the lookups do not wait
        // for each other (nor for the tokenizer), so the processor overlaps their reads.
        scanner.tokens(
            text,
            #[inline(always)]
            |t| {
                // Byte offsets fit in `u32`: texts are far shorter than 4 GB.
                let start = t.start as u32;
                let key = if t.ascii {
                    // SAFETY: `t` is a token of the text `scanner` just scanned: its word
                    // lies inside that text.
                    unsafe { scanner.lowercase_words(t.start, t.end) }
                } else {
                    None
                };
                if let Some(key) = key {
                    // Stripped punctuation has no case: the token's case flags are the word's.
                    let upper = t.has_upper && !t.has_lower;
                    let nt = t.apostrophe && contains_nt(&bytes[t.start..t.end]);
                    let key = Lexicon::key(key, t.end - t.start);
                    let slot = lexicon.prefetch_key(key);
                    words.push(Word::pending(key, slot, start, upper, nt));
                    return;
                }
                words.push(Word { start, ..slow_word(text, t, lexicon, lower) });
            },
        );
        // Whether a figure word is among them is only asked of a lexicon that has some.
        self.any_figure = if lexicon.has_figure_words() {
            resolve::<true>(words, lexicon)
        } else {
            resolve::<false>(words, lexicon)
        };
    }

    /// Gives the figure words among `range` of the words ([`Lexicon::with_figure_overrides`])
    /// their plain valence when the sentence's text, `span` of the scanned text, has no
    /// digit (each word belongs to one sentence, so this changes no other sentence).
    #[inline]
    fn plain_figures(&mut self, range: Range<usize>, span: Range<usize>, lexicon: &Lexicon) {
        if !self.any_figure || self.words[range.clone()].iter().all(|w| w.figure == 0) {
            return;
        }
        if self.scanner.has_digit(span.start, span.end) {
            return;
        }
        for w in &mut self.words[range] {
            if w.figure != 0 {
                let plain = lexicon.plain_valence(w.figure);
                w.valence = plain.unwrap_or(0.0);
                w.in_lexicon = plain.is_some();
            }
        }
    }

    /// VADER's scores of the sentence made of `range` of the words, `span` of the scanned
    /// text, with the counts of "!" and "?" in it.
    #[inline(always)]
    fn score(
        &mut self,
        range: Range<usize>,
        span: Range<usize>,
        exclamations: usize,
        questions: usize,
        options: Options,
        lexicon: &Lexicon,
    ) -> Polarity {
        if self.any_figure {
            self.plain_figures(range.clone(), span, lexicon);
        }
        let opens_with_but =
            self.words.get(range.start).is_some_and(|w| range.start < range.end && w.tag == BUT);
        let len = range.len();
        let p = if self.valences(range, options) {
            let sentiments = &self.sentiments;
            let sum = sentiments.iter().sum();
            let candidates = self.scored[..self.scored_len].iter().map(|&i| sentiments[i as usize]);
            score_with(len, sum, candidates, emphasis(exclamations, questions))
        } else {
            // Every other word's valence is +0.0: it changes no sum but a zero's sign (an
            // exact sum of -0.0 only when every term is -0.0), which one +0.0 keeps.
            let mut sum: f64 = self.values.iter().sum();
            if len > self.values.len() {
                sum += 0.0;
            }
            score_with(len, sum, self.values.iter().copied(), emphasis(exclamations, questions))
        };
        Polarity { opens_with_but, ..p }
    }

    /// Fills `scored` with the lexicon words of the sentence made of `range` of the words
    /// and `values` with their valences, after the "but" shift. With a "but", also
    /// `sentiments` (every word's valence, the shift applied to the whole list as VADER
    /// applies it) and returns true; `values` is then not meaningful.
    #[inline(always)]
    fn valences(&mut self, range: Range<usize>, options: Options) -> bool {
        let words = &self.words[range];
        // One pass for the ALL-CAPS count, the first "but" and the lexicon words (the only
        // ones that can score), without a branch per word.
        let (mut caps, mut but) = (0, usize::MAX);
        if self.scored.len() < words.len() {
            self.scored.resize(words.len(), 0);
        }
        let mut n = 0;
        for (i, w) in words.iter().enumerate() {
            caps += usize::from(w.upper);
            but = select_unpredictable(but == usize::MAX && w.tag == BUT, i, but);
            self.scored[n] = i as u32;
            n += usize::from(w.in_lexicon);
        }
        self.scored_len = n;
        let sentence = Sentence { words, cap_diff: caps > 0 && caps < words.len() };
        self.values.clear();
        for &i in &self.scored[..n] {
            let (i, w) = (i as usize, &words[i as usize]);
            // Boosters and "kind of" score 0 themselves.
            let is_modifier =
                w.booster != 0 || (w.tag == KIND && words.get(i + 1).is_some_and(|n| n.tag == OF));
            self.values.push(if is_modifier { 0.0 } else { sentence.valence(i) });
        }
        if but == usize::MAX {
            return false;
        }
        self.spread(words.len());
        if options.but_by_position {
            but_shift_by_position(but, &mut self.sentiments);
        } else {
            but_shift_like_vader(but, &mut self.sentiments);
        }
        true
    }

    /// `sentiments` of a sentence of `len` words from `values` (the others' are 0).
    fn spread(&mut self, len: usize) {
        self.sentiments.clear();
        self.sentiments.resize(len, 0.0);
        for (&i, &v) in self.scored[..self.scored_len].iter().zip(&self.values) {
            self.sentiments[i as usize] = v;
        }
    }
}

/// Looks up the words still pending (the lookups overlap: no one waits for another);
/// with `FIGURES`, returns whether a figure word is among all the words.
#[inline(always)]
fn resolve<const FIGURES: bool>(words: &mut [Word], lexicon: &Lexicon) -> bool {
    let mut figures = 0;
    for word in words.iter_mut() {
        if word.key != RESOLVED {
            *word =
                Word::new(lexicon.facts_in_slot(word.slot, word.key), word.start, word.upper, word.negated);
        }
        if FIGURES {
            figures |= word.figure;
        }
    }
    figures != 0
}

/// The [`Word`] of a token longer than a lexicon key or not ASCII, looked up at once.
#[cold]
#[inline(never)]
fn slow_word(text: &str, t: Token, lexicon: &Lexicon, lower: &mut String) -> Word {
    let word = &text[t.start..t.end];
    if t.ascii {
        let upper = t.has_upper && !t.has_lower;
        let nt = t.apostrophe && contains_nt(word.as_bytes());
        return Word::new(lexicon.facts_ascii(text.as_bytes(), t.start, t.end, lower), 0, upper, nt);
    }
    lower.clear();
    lower.extend(word.chars().flat_map(char::to_lowercase));
    Word::new(lexicon.facts(lower), 0, is_upper(word), lower.contains("n't"))
}

/// The key of a word whose facts were found while tokenizing (no key is this: its length
/// byte is 0xff).
const RESOLVED: [u64; 2] = [u64::MAX; 2];

const NO: u8 = tag("no");
const OR: u8 = tag("or");
const NOR: u8 = tag("nor");
const NEVER: u8 = tag("never");
const SO: u8 = tag("so");
const THIS: u8 = tag("this");
const WITHOUT: u8 = tag("without");
const DOUBT: u8 = tag("doubt");
const LEAST: u8 = tag("least");
const AT: u8 = tag("at");
const VERY: u8 = tag("very");
const KIND: u8 = tag("kind");
const OF: u8 = tag("of");
const BUT: u8 = tag("but");

/// The words of one sentence and what VADER needs to know about them.
struct Sentence<'a> {
    words: &'a [Word],
    /// Some but not all words are ALL CAPS.
    cap_diff: bool,
}

impl Sentence<'_> {
    #[inline]
    fn lexicon_valence(&self, i: usize) -> Option<f64> {
        let w = &self.words[i];
        w.in_lexicon.then_some(w.valence)
    }

    #[inline]
    fn in_lexicon(&self, i: usize) -> bool {
        self.words[i].in_lexicon
    }

    #[inline]
    fn booster(&self, i: usize) -> f64 {
        f64::from(self.words[i].booster) * B_INCR
    }

    #[inline]
    fn negated(&self, i: usize) -> bool {
        self.words[i].negated
    }

    #[inline]
    fn is(&self, i: usize, tag: u8) -> bool {
        self.words[i].tag == tag
    }

    /// True when the words at `idx` spell `phrase`.
    #[inline]
    fn spells(&self, idx: &[usize], (tags, len): TagPhrase) -> bool {
        idx.len() == len && idx.iter().zip(tags).all(|(&i, t)| self.words[i].tag == t)
    }

    /// VADER's `sentiment_valence` for the word at `i`.
    fn valence(&self, i: usize) -> f64 {
        let Some(base) = self.lexicon_valence(i) else { return 0.0 };
        let mut valence = base;
        let n = self.words.len();
        // "no" directly before another lexicon word negates it rather than scoring itself.
        if self.is(i, NO) && i + 1 < n && self.in_lexicon(i + 1) {
            valence = 0.0;
        }
        if (i > 0 && self.is(i - 1, NO))
            || (i > 1 && self.is(i - 2, NO))
            || (i > 2 && self.is(i - 3, NO) && (self.is(i - 1, OR) || self.is(i - 1, NOR)))
        {
            valence = base * N_SCALAR;
        }
        if self.cap_diff && self.words[i].upper {
            // As in VADER, a zero valence here is pushed negative.
            valence += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        // Most lexicon words follow plain words: then no rule below changes the valence
        // (each one looks for a booster, a negation or a rule word among the three words
        // before, or an idiom starting at one of them or at this word), and the loop's
        // unpredictable branches are skipped.
        if self.plain_before(i) && !self.starts_phrase(&self.words[i]) {
            return valence;
        }
        for distance in 0..3 {
            if i > distance && !self.in_lexicon(i - distance - 1) {
                let mut s = self.scalar(i - distance - 1, valence);
                if s != 0.0 {
                    s *= match distance {
                        0 => 1.0,
                        1 => 0.95,
                        _ => 0.9,
                    };
                }
                valence += s;
                valence = self.negation(valence, distance, i);
                if distance == 2 {
                    valence = self.idioms(valence, i);
                }
            }
        }
        self.least(valence, i)
    }

    /// True when none of the (up to) three words before `i` is a booster or dampener, a
    /// negation, or a rule word (one with a [`crate::rules::tag`]).
    #[inline]
    fn plain_before(&self, i: usize) -> bool {
        let plain = |k: usize| {
            let w = &self.words[k];
            (w.booster as u8 | w.tag | u8::from(w.negated)) == 0
        };
        match i {
            0 => true,
            1 => plain(0),
            2 => plain(0) & plain(1),
            _ => plain(i - 1) & plain(i - 2) & plain(i - 3),
        }
    }

    /// VADER's `scalar_inc_dec`: the boost or dampening word `j` applies to `valence`.
    fn scalar(&self, j: usize, valence: f64) -> f64 {
        let mut scalar = self.booster(j);
        if scalar == 0.0 {
            return 0.0;
        }
        if valence < 0.0 {
            scalar = -scalar;
        }
        if self.cap_diff && self.words[j].upper {
            scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        scalar
    }

    /// VADER's `_negation_check` for the word `distance + 1` places before `i`.
    fn negation(&self, valence: f64, distance: usize, i: usize) -> f64 {
        match distance {
            0 if self.negated(i - 1) => valence * N_SCALAR,
            1 if self.is(i - 2, NEVER) && (self.is(i - 1, SO) || self.is(i - 1, THIS)) => valence * 1.25,
            1 if self.is(i - 2, WITHOUT) && self.is(i - 1, DOUBT) => valence,
            1 if self.negated(i - 2) => valence * N_SCALAR,
            // Python precedence: `never and (so or this)` OR `(so or this)` one word before.
            2 if (self.is(i - 3, NEVER) && (self.is(i - 2, SO) || self.is(i - 2, THIS)))
                || (self.is(i - 1, SO) || self.is(i - 1, THIS)) =>
            {
                valence * 1.25
            }
            2 if self.is(i - 3, WITHOUT) && (self.is(i - 2, DOUBT) || self.is(i - 1, DOUBT)) => valence,
            2 if self.negated(i - 3) => valence * N_SCALAR,
            _ => valence,
        }
    }

    /// VADER's `_special_idioms_check` (only called with `i >= 3`).
    fn idioms(&self, mut valence: f64, i: usize) -> f64 {
        // Every window below starts at one of the words i-3..=i: when none of them can
        // start a phrase, nothing matches (most words are no rule word at all).
        if self.words[i - 3..=i].iter().all(|w| !self.starts_phrase(w)) {
            return valence;
        }
        let n = self.words.len();
        let windows: [&[usize]; 5] =
            [&[i - 1, i], &[i - 2, i - 1, i], &[i - 2, i - 1], &[i - 3, i - 2, i - 1], &[i - 3, i - 2]];
        // A window whose first word starts no phrase spells none (the tables are read by
        // reference: a `const` table in a loop is copied to the stack first).
        // The first phrase (or, `last`, the last) that the window spells.
        let special = |idx: &[usize], last: bool| {
            if !self.starts_phrase(&self.words[idx[0]]) {
                return None;
            }
            let spelled = |&&(phrase, _): &&(TagPhrase, f64)| self.spells(idx, phrase);
            let found = if last {
                SPECIAL_TAGS.iter().rev().find(spelled)
            } else {
                SPECIAL_TAGS.iter().find(spelled)
            };
            found.map(|&(_, v)| v)
        };
        // The first window that spells a phrase.
        if let Some(v) = windows.into_iter().find_map(|idx| special(idx, false)) {
            valence = v;
        }
        // Each phrase the window spells in turn (the last one stays).
        if n > i + 1
            && let Some(v) = special(&[i, i + 1], true)
        {
            valence = v;
        }
        if n > i + 2
            && let Some(v) = special(&[i, i + 1, i + 2], true)
        {
            valence = v;
        }
        // Booster bigrams ("kind of") among the three words before; all are two words.
        for idx in [&[i - 3, i - 2], &[i - 2, i - 1]] {
            if !self.starts_phrase(&self.words[idx[0]]) {
                continue;
            }
            for &(phrase, b) in &BOOSTER_TAGS {
                if self.spells(idx, phrase) {
                    valence += b;
                }
            }
        }
        valence
    }

    /// True when some phrase of [`SPECIAL_TAGS`] or [`BOOSTER_TAGS`] can start with `w`.
    #[inline]
    fn starts_phrase(&self, w: &Word) -> bool {
        PHRASE_STARTS >> w.tag & 1 == 1
    }

    /// VADER's `_least_check`: "least good" negates, "at least good" does not.
    fn least(&self, valence: f64, i: usize) -> f64 {
        if i > 0 && !self.in_lexicon(i - 1) && self.is(i - 1, LEAST) {
            if i > 1 && (self.is(i - 2, AT) || self.is(i - 2, VERY)) {
                return valence;
            }
            return valence * N_SCALAR;
        }
        valence
    }
}

/// The "but" shift by position: the first "but" halves what precedes it and multiplies
/// what follows by 1.5.
fn but_shift_by_position(but: usize, sentiments: &mut [f64]) {
    for (i, s) in sentiments.iter_mut().enumerate() {
        if i < but {
            *s *= 0.5;
        } else if i > but {
            *s *= 1.5;
        }
    }
}

/// VADER's `_but_check` as written: for each position k, the value found there is looked
/// up again with `list.index` (the first equal value) and *that* position is re-scaled by
/// where it lies relative to "but".
fn but_shift_like_vader(but: usize, sentiments: &mut [f64]) {
    for k in 0..sentiments.len() {
        let value = sentiments[k];
        #[allow(clippy::float_cmp)] // Python's `list.index` compares with ==.
        let Some(si) = sentiments.iter().position(|&x| x == value) else { continue };
        if si < but {
            sentiments[si] = value * 0.5;
        } else if si > but {
            sentiments[si] = value * 1.5;
        }
    }
}

/// Emphasis from "!" (up to four) and "?" (two or more) in the text.
pub fn punctuation_emphasis(text: &str) -> f64 {
    let (mut exclamations, mut questions) = (0usize, 0usize);
    for b in text.bytes() {
        exclamations += usize::from(b == b'!');
        questions += usize::from(b == b'?');
    }
    emphasis(exclamations, questions)
}

/// Emphasis from the counts of "!" and "?".
fn emphasis(exclamations: usize, questions: usize) -> f64 {
    let exclamations = exclamations.min(4) as f64 * 0.292;
    let questions = match questions {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * 0.18,
        _ => 0.96,
    };
    exclamations + questions
}

/// VADER's `score_valence`: compound and proportions from the word valences.
pub fn score(sentiments: &[f64], text: &str) -> Polarity {
    score_with(
        sentiments.len(),
        sentiments.iter().sum(),
        sentiments.iter().copied(),
        punctuation_emphasis(text),
    )
}

/// [`score`] of `len` word valences summing to `sum` (as `Iterator::sum` adds them, in
/// order), with the text's punctuation emphasis already counted.
///
/// `candidates` are the values that can be non-zero, in order (all the valences, or those
/// of the lexicon words: every other value is ±0, and a zero adds nothing to the positive
/// and negative sums and counts as neutral).
#[inline(always)]
fn score_with(len: usize, mut sum: f64, candidates: impl Iterator<Item = f64>, emphasis: f64) -> Polarity {
    if len == 0 {
        return Polarity::default();
    }
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let (mut pos, mut neg) = (0.0_f64, 0.0_f64);
    let (mut positive, mut negative) = (0.0_f64, 0.0_f64);
    let mut signed = 0usize;
    for s in candidates {
        // Without branches (the signs are unpredictable); adding +0.0 changes no sum here:
        // `pos`/`positive` start at +0.0 and only grow, `neg`/`negative` only shrink.
        let (up, down) = (s > 0.0, s < 0.0);
        pos += select_unpredictable(up, s + 1.0, 0.0);
        positive += select_unpredictable(up, s, 0.0);
        neg += select_unpredictable(down, s - 1.0, 0.0);
        negative += select_unpredictable(down, s, 0.0);
        signed += usize::from(up || down);
    }
    // VADER adds 1 per neutral word: an exact count.
    let neu = (len - signed) as f64;
    if pos > neg.abs() {
        pos += emphasis;
    } else if pos < neg.abs() {
        neg -= emphasis;
    }
    let total = pos + neg.abs() + neu;
    Polarity {
        compound: normalize(sum),
        pos: (pos / total).abs(),
        neu: (neu / total).abs(),
        neg: (neg / total).abs(),
        words: len,
        sum,
        positive,
        negative,
        opens_with_but: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::vader().unwrap()
    }

    fn compound(text: &str) -> f64 {
        polarity(text, &lex()).compound
    }

    #[test]
    fn praise_is_positive_and_negated_praise_negative() {
        assert!(compound("The talks were excellent and productive.") > 0.5);
        assert!(compound("The talks were not good.") < 0.0);
        assert!(compound("not good") < 0.0);
    }

    #[test]
    fn exclamation_marks_intensify() {
        let lex = lex();
        let plain = polarity("good", &lex).compound;
        let loud = polarity("good!!!", &lex).compound;
        assert!(loud > plain, "{loud} <= {plain}");
        // Capped at four.
        assert_eq!(polarity("good!!!!", &lex).compound, polarity("good!!!!!!!", &lex).compound);
    }

    #[test]
    fn all_caps_emphasis_only_in_mixed_case_sentences() {
        let lex = lex();
        let lower = polarity("The deal is good", &lex).compound;
        let shouted = polarity("The deal is GOOD", &lex).compound;
        assert!(shouted > lower, "{shouted} <= {lower}");
        // Everything in capitals: no word stands out, so no emphasis.
        assert_eq!(polarity("THE DEAL IS GOOD", &lex).compound, lower);
    }

    #[test]
    fn but_shifts_weight_to_the_second_clause() {
        let lex = lex();
        let text = "The plan is good but the talks were terrible";
        let with_but = polarity(text, &lex).compound;
        let without = polarity(&text.replace(" but ", " and "), &lex).compound;
        assert!(with_but < without, "{with_but} >= {without}");
        assert!(with_but < 0.0);
    }

    #[test]
    fn never_so_good_is_praise() {
        let lex = lex();
        assert!(polarity("It has never been good.", &lex).compound < 0.0);
        assert!(polarity("It has never been this good!", &lex).compound > 0.0);
    }

    /// Reference values from the Python package vaderSentiment 3.3.2
    /// (`SentimentIntensityAnalyzer().polarity_scores(text)`), rounded as it rounds.
    #[test]
    fn matches_the_python_reference() {
        let cases: &[(&str, f64, f64, f64, f64)] = &[
            // (text, compound, pos, neu, neg)
            ("The talks were excellent and productive.", 0.5719, 0.425, 0.575, 0.0),
            ("not good", -0.3412, 0.0, 0.294, 0.706),
            ("good", 0.4404, 1.0, 0.0, 0.0),
            ("good!!!", 0.5826, 1.0, 0.0, 0.0),
            ("The deal is GOOD, said the minister.", 0.5622, 0.377, 0.623, 0.0),
            ("The deal is good, said the minister.", 0.4404, 0.326, 0.674, 0.0),
            ("VADER is smart, handsome, and funny.", 0.8316, 0.746, 0.254, 0.0),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342, 0.767, 0.233, 0.0),
            ("VADER is not smart, handsome, nor funny.", -0.7424, 0.0, 0.354, 0.646),
            ("At least it isn't a horrible book.", 0.431, 0.322, 0.678, 0.0),
            ("The book was only kind of good.", 0.3832, 0.303, 0.697, 0.0),
            (
                "The plot was good, but the characters are uncompelling and the dialog is not great.",
                -0.7042,
                0.094,
                0.579,
                0.327,
            ),
            ("Today only kinda sux! But I'll get by, lol", 0.5249, 0.317, 0.556, 0.127),
            ("Sentiment analysis has never been this good!", 0.5672, 0.379, 0.621, 0.0),
            (
                "Roger Dodger is one of the least compelling variations on this theme.",
                -0.1695,
                0.0,
                0.868,
                0.132,
            ),
            ("Without a doubt, an excellent idea.", 0.7013, 0.592, 0.408, 0.0),
            ("Trump said there was an excellent likelihood the war could end.", -0.0516, 0.223, 0.542, 0.235),
            (
                "He warned that it would be a terrible massacre not seen since World War II.",
                -0.8442,
                0.0,
                0.569,
                0.431,
            ),
            (
                "Putin cannot get out of this war because then he will have nothing.",
                -0.6833,
                0.0,
                0.722,
                0.278,
            ),
            ("Is this really happening?? Why??", 0.0, 0.0, 1.0, 0.0),
            ("No problem at all, the kiss of death was avoided.", -0.63, 0.144, 0.383, 0.473),
        ];
        let lex = lex();
        for &(text, compound, pos, neu, neg) in cases {
            let p = polarity(text, &lex);
            assert!((p.compound - compound).abs() < 0.001, "{text:?}: {p:?} vs {compound}");
            assert!((p.pos - pos).abs() < 0.001, "{text:?}: pos {p:?} vs {pos}");
            assert!((p.neu - neu).abs() < 0.001, "{text:?}: neu {p:?} vs {neu}");
            assert!((p.neg - neg).abs() < 0.001, "{text:?}: neg {p:?} vs {neg}");
        }
    }

    #[test]
    fn typographic_punctuation_scores_like_ascii() {
        let lex = lex();
        let text = "Trump called it “excellent,” but it couldn’t last.";
        let curly = polarity_with(text, &lex, Options::NEWS);
        let ascii =
            polarity_with("Trump called it \"excellent,\" but it couldn't last.", &lex, Options::NEWS);
        assert_eq!(curly, ascii);
        assert!(curly.compound != 0.0);
        // VADER itself sees neither the quoted word nor the negation.
        let vader = polarity(text, &lex);
        assert_eq!(vader.compound, 0.0);
    }

    #[test]
    fn vader_but_quirk_is_reproduced() {
        // "ftw" (2.0) is halved to 1.0 before "but"; then "bffn" (1.0) after it is looked
        // up with Python's `list.index`, which finds the halved "ftw" first: "ftw" is
        // halved twice and "bffn" never scaled. vaderSentiment says 0.3612.
        let lex = lex();
        let text = "ftw but bffn";
        let vader = polarity(text, &lex);
        let news = polarity_with(text, &lex, Options::NEWS);
        assert!((vader.sum - (0.5 + 1.0)).abs() < 1e-9, "{vader:?}");
        assert!((vader.compound - 0.3612).abs() < 1e-4, "{vader:?}");
        assert!((news.sum - (1.0 + 1.5)).abs() < 1e-9, "{news:?}");
    }

    #[test]
    fn empty_text_scores_zero_words() {
        assert_eq!(polarity("  ", &lex()), Polarity::default());
    }
}
