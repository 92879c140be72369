//! VADER's tokens ([`crate::words`]) found with bit masks, for the scorer's hot loop.
//!
//! The text is copied into a buffer padded with white space and classified into bit masks,
//! one bit per byte (white space, upper and lower case letters, ASCII punctuation,
//! apostrophes, non-ASCII bytes), 64 bytes at a time: sixteen bytes at a time with SSE2 on
//! x86-64 (part of its baseline), eight at a time with plain integer arithmetic (SWAR)
//! elsewhere; a test checks the two agree. The masks are stored as bytes, so the 64 bits
//! from any byte on are one unaligned read and a shift: a token is a run of zero bits in the
//! white-space mask, and everything the scorer asks about it (is it ALL CAPS, where does its
//! punctuation end, does it contain an apostrophe) is a read, a shift and a mask, with no
//! case for tokens that cross a 64-byte block. Only tokens of 57 bytes or more, and tokens
//! with non-ASCII bytes, are read byte by byte.
//!
//! Tokens are what [`crate::words::words`] returns, exactly: Python's white space
//! (including non-ASCII white space and U+001C..U+001F) separates them, and surrounding
//! ASCII punctuation is stripped unless that leaves two characters or fewer.

use crate::lexicon::ascii_lowercase;
use crate::words::is_py_space;

/// The masks of one 64-byte block: bit `i` is byte `64 * block + i`.
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    space: u64,
    upper: u64,
    lower: u64,
    punct: u64,
    apostrophe: u64,
    non_ascii: u64,
    /// ASCII line breaks: `\n`, VT, FF, `\r` (the host's paragraph ends).
    line: u64,
    /// `.`, `!` and `?` (where the host's sentences may end).
    terminator: u64,
}

/// One token of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The word's byte range: the token without its surrounding ASCII punctuation, unless
    /// that leaves two characters or fewer (then the whole token).
    pub start: usize,
    /// End of the word (exclusive).
    pub end: usize,
    /// Every byte is ASCII.
    pub ascii: bool,
    /// The word has an ASCII upper-case letter (meaningful for ASCII words).
    pub has_upper: bool,
    /// The word has an ASCII lower-case letter (meaningful for ASCII words).
    pub has_lower: bool,
    /// The word contains `'`.
    pub apostrophe: bool,
}

/// The mask fields, in the order they sit in [`Scanner`]'s `bits`.
const SPACE: usize = 0;
const UPPER: usize = 1;
const LOWER: usize = 2;
const PUNCT: usize = 3;
const APOSTROPHE: usize = 4;
const NON_ASCII: usize = 5;
const EXCLAMATION: usize = 6;
const QUESTION: usize = 7;
/// The host split's masks ([`Scanner::next_in`]): line breaks and terminators.
pub(crate) const LINE: usize = 8;
pub(crate) const TERMINATOR: usize = 9;
const FIELDS: usize = 10;

/// The classified text, reusable from text to text.
#[derive(Debug, Default)]
pub struct Scanner {
    /// The text, then white space: at least one whole block more than the text needs, so
    /// every 16-byte read from inside the text (or its end) is inside the buffer.
    text: Vec<u8>,
    /// The masks, one field after the other, `stride` bytes each: bit `i % 8` of byte
    /// `i / 8` is byte `i` of the text. Past the text every byte is white space.
    bits: Vec<u8>,
    stride: usize,
    len: usize,
    /// Some byte is not ASCII.
    non_ascii: bool,
    /// Some character is non-ASCII white space (then also a line break or blank to the
    /// host's split, which [`crate::split`] reads as ASCII only).
    wide_space: bool,
    exclamations: usize,
    questions: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// For 8 bytes below 0x80: the high bit of each byte set iff the byte is in `lo..=hi`.
#[inline(always)]
fn in_range(a: u64, lo: u8, hi: u8) -> u64 {
    // No addition carries into the next byte: every byte of `a` is < 0x80.
    let at_least = a.wrapping_add(u64::from(0x80 - lo) * ONES);
    let above = a.wrapping_add(u64::from(0x7f - hi) * ONES);
    at_least & !above & HIGH
}

/// The high bits of the 8 bytes of `m` (others zero) gathered into an 8-bit mask.
#[inline(always)]
fn gather(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The low `n` bytes of a word (`n` <= 8), for masking a word read past its end.
const LOW_BYTES: [u64; 9] = {
    let mut t = [0u64; 9];
    let mut n = 1;
    while n < 8 {
        t[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    t[8] = u64::MAX;
    t
};

impl Scanner {
    /// Classifies `text`; afterwards [`Scanner::tokens`] walks its tokens.
    #[inline(always)]
    pub fn scan(&mut self, text: &str) {
        self.scan_masks::<false>(text);
    }

    /// [`Scanner::scan`], with the masks of line breaks and terminators too, for
    /// [`Scanner::next_in`] (the sentence split).
    #[inline(always)]
    pub(crate) fn scan_for_split(&mut self, text: &str) {
        self.scan_masks::<true>(text);
    }

    /// [`Scanner::scan`]; with `SPLIT`, the split's masks too (else they are left as they
    /// were: not meaningful).
    #[inline(always)]
    fn scan_masks<const SPLIT: bool>(&mut self, text: &str) {
        let bytes = text.as_bytes();
        self.len = bytes.len();
        let blocks = bytes.len().div_ceil(64);
        // The text's blocks and one more of white space.
        let padded = (blocks + 1) * 64;
        // The buffers only grow: past this text's end they hold white space (the masks,
        // set below) or leftovers of an earlier text that no read uses unmasked (every
        // token ends inside the text), so nothing is cleared.
        if self.text.len() < padded {
            self.text.resize(padded, b' ');
        }
        // White space over the last block, then the text over it: two fixed-size stores
        // instead of a call to `memset` for a few bytes.
        if blocks > 0 {
            self.text[(blocks - 1) * 64..blocks * 64].copy_from_slice(&[b' '; 64]);
        }
        self.text[..bytes.len()].copy_from_slice(bytes);
        // Eight bytes more per field than the padded text needs: a read from its last byte.
        self.stride = padded / 8 + 8;
        if self.bits.len() < FIELDS * self.stride {
            self.bits.resize(FIELDS * self.stride, 0);
        }
        let (exclamations, questions, any_non_ascii) =
            classify_all::<SPLIT>(&self.text[..blocks * 64], bytes.len(), &mut self.bits, self.stride);
        // Past the text: white space (the padding block and the eight bytes after it).
        let pad = SPACE * self.stride + 8 * blocks;
        self.bits[pad..pad + 16].copy_from_slice(&[0xff; 16]);
        debug_assert_eq!(pad + 16, (SPACE + 1) * self.stride);
        self.exclamations = exclamations as usize;
        self.questions = questions as usize;
        self.non_ascii = any_non_ascii;
        self.wide_space = false;
        if any_non_ascii {
            // Non-ASCII white space (U+00A0, U+2003, U+3000, ...).
            for (i, c) in text.char_indices().filter(|(_, c)| !c.is_ascii() && is_py_space(*c)) {
                self.wide_space = true;
                for b in i..i + c.len_utf8() {
                    self.bits[SPACE * self.stride + b / 8] |= 1 << (b % 8);
                }
            }
        }
    }

    /// The counts of "!" and "?" in the text.
    pub fn punctuation(&self) -> (usize, usize) {
        (self.exclamations, self.questions)
    }

    /// The counts of "!" and "?" in `start..end` of the text.
    pub fn punctuation_in(&self, start: usize, end: usize) -> (usize, usize) {
        let (mut exclamations, mut questions) = (0, 0);
        if self.exclamations == 0 && self.questions == 0 {
            // None in the whole text (most texts): no need to count.
            return (0, 0);
        }
        let mut at = start;
        while at < end {
            // 56 bits are valid from any byte.
            let n = (end - at).min(56);
            let keep = u64::MAX >> (64 - n);
            exclamations += (self.bits(EXCLAMATION, at) & keep).count_ones() as usize;
            questions += (self.bits(QUESTION, at) & keep).count_ones() as usize;
            at += n;
        }
        (exclamations, questions)
    }

    /// True when some byte of the text is not ASCII.
    pub fn non_ascii(&self) -> bool {
        self.non_ascii
    }

    /// True when some character of the text is non-ASCII white space (Python's, which is
    /// `char::is_whitespace` outside ASCII: U+0085, U+00A0, U+2028, U+3000, ...).
    pub(crate) fn wide_space(&self) -> bool {
        self.wide_space
    }

    /// True when some byte of `start..end` of the text is not ASCII.
    pub(crate) fn any_non_ascii(&self, start: usize, end: usize) -> bool {
        if !self.non_ascii {
            return false;
        }
        let mut at = start;
        while at < end {
            // 56 bits are valid from any byte.
            let n = (end - at).min(56);
            if self.bits(NON_ASCII, at) & (u64::MAX >> (64 - n)) != 0 {
                return true;
            }
            at += n;
        }
        false
    }

    /// The first byte in `from..end` whose bit is set in mask `field` ([`LINE`] or
    /// [`TERMINATOR`]), or `end` (`end` at most the text's length), once the text was
    /// classified by [`Scanner::scan_for_split`]: 56 or more bytes per read, so a text's
    /// line breaks and terminators are found without reading its bytes again.
    #[inline(always)]
    pub(crate) fn next_in(&self, field: usize, from: usize, end: usize) -> usize {
        debug_assert!(end <= self.len && (field == LINE || field == TERMINATOR));
        let mut at = from;
        while at < end {
            // Bits past the text may be left over from a longer text: only a bit below
            // `end` counts, and the lowest one is the answer.
            let m = self.bits(field, at);
            if m != 0 {
                return (at + m.trailing_zeros() as usize).min(end);
            }
            at += 64 - at % 8;
        }
        end
    }

    /// True when `start..end` of the text has an ASCII digit.
    pub(crate) fn has_digit(&self, start: usize, end: usize) -> bool {
        self.text[start..end.min(self.len)].iter().any(u8::is_ascii_digit)
    }

    /// True when byte `at` of the text is white space, or `at` is past the text.
    pub fn is_space(&self, at: usize) -> bool {
        at >= self.len || self.bits(SPACE, at) & 1 == 1
    }

    /// Bits of mask `field` from byte `at` on: bit `k` is byte `at + k`, for
    /// `k < 64 - at % 8` (the bits above are zero). `at` is at most the text's end + 56.
    #[inline(always)]
    fn bits(&self, field: usize, at: usize) -> u64 {
        let i = field * self.stride + at / 8;
        assert!(self.stride > 0 && at <= self.len + 64 && field < FIELDS, "mask read out of range");
        debug_assert!(i + 8 <= self.bits.len());
        // SAFETY: `stride > 0` means `scan` ran: it sized `bits` to at least `FIELDS * stride`
        // bytes with `stride = padded / 8 + 8` and `padded >= len + 64`; so for
        // `field < FIELDS` and `at <= len + 64` (all just checked, cheaper than the slice's
        // check, and dropped by the compiler where the caller's loop implies them):
        // `i + 8 <= field * stride + (len + 64) / 8 + 8 <= (field + 1) * stride`.
        let word = unsafe { self.bits.as_ptr().add(i).cast::<u64>().read_unaligned() };
        u64::from_le(word) >> (at % 8)
    }

    /// Calls `f` with every token of the text, in order (`text` is the scanned text).
    ///
    /// The masks are read a window at a time: 57 to 64 bytes from a position `p` that
    /// starts a token or follows white space. Within the window a token starts at a
    /// non-space bit after a space bit and ends at the next space bit, so every token that
    /// ends inside the window is a few bit operations on the window's masks; the first one
    /// that does not is where the next window starts (and a token as long as a window is
    /// read byte by byte).
    #[inline(always)]
    pub fn tokens(&self, text: &str, f: impl FnMut(Token)) {
        // Two copies of the loop: an ASCII text's (most texts) has no non-ASCII check per token.
        if self.non_ascii {
            self.tokens_with::<true>(text, f);
        } else {
            self.tokens_with::<false>(text, f);
        }
    }

    /// [`Scanner::tokens`]; `NON_ASCII_TEXT` is whether the text has a non-ASCII byte.
    #[inline(always)]
    fn tokens_with<const NON_ASCII_TEXT: bool>(&self, text: &str, mut f: impl FnMut(Token)) {
        let mut p = 0;
        while p < self.len {
            // Bits at or past `valid` are not this window's: count them as white space.
            let valid = 64 - p % 8;
            let in_window = u64::MAX >> (p % 8);
            let spaces = self.bits(SPACE, p) | !in_window;
            let words = !spaces;
            let mut starts = words & !(words << 1);
            let mut ends = spaces & (words << 1);
            if starts == 0 {
                p += valid;
                continue;
            }
            let punct = self.bits(PUNCT, p);
            let (upper, lower) = (self.bits(UPPER, p), self.bits(LOWER, p));
            let apostrophe = self.bits(APOSTROPHE, p);
            let non_ascii = if NON_ASCII_TEXT { self.bits(NON_ASCII, p) } else { 0 };
            let mut next = p + valid;
            while starts != 0 {
                // A token that reaches bit 63 has no end bit (it would be bit 64): `ends` is
                // then 0, `e` is 64 and the token counts as going on past the window.
                let (s, e) = (starts.trailing_zeros() as usize, ends.trailing_zeros() as usize);
                starts &= starts - 1;
                ends &= ends.wrapping_sub(1);
                let len = e - s;
                let keep = u64::MAX >> (64 - len);
                let token = if e >= valid {
                    // The token may go on past the window: the next window starts with it,
                    // unless it already does (then it is long, and the window's last).
                    if s > 0 {
                        next = p + s;
                    } else {
                        next = self.token_end(p + valid);
                        f(slow_token(text, p, next));
                    }
                    break;
                } else if (non_ascii >> s) & keep != 0 {
                    slow_token(text, p + s, p + e)
                } else {
                    // Leading and trailing punctuation, stripped only when more than two
                    // characters remain (an all-punctuation token keeps everything).
                    let inner = !(punct >> s) & keep;
                    let lead = (inner.trailing_zeros() as usize).min(len);
                    let trail = if inner == 0 { len } else { inner.leading_zeros() as usize + len - 64 };
                    let strip = usize::from(lead + trail + 2 < len);
                    let (ws, we) = (s + lead * strip, e - trail * strip);
                    // Stripped punctuation has no case: the token's case flags are the
                    // word's. The apostrophe is punctuation, so it is looked for in the word.
                    let word = u64::MAX >> (64 - (we - ws)) << ws;
                    Token {
                        start: p + ws,
                        end: p + we,
                        ascii: true,
                        has_upper: (upper >> s) & keep != 0,
                        has_lower: (lower >> s) & keep != 0,
                        apostrophe: apostrophe & word != 0,
                    }
                };
                f(token);
            }
            p = next;
        }
    }

    /// The end of the token that goes on at byte `at`: the next white space.
    #[cold]
    fn token_end(&self, mut at: usize) -> usize {
        while self.bits(SPACE, at) & 1 == 0 {
            at += 1;
        }
        at
    }

    /// The ASCII word `start..end` of the text lowercased, zero-padded into two
    /// little-endian words, if it has at most 15 bytes (the lexicon's key, without a copy).
    ///
    /// # Safety
    /// `start..end` lies in the text last scanned (`start <= end <=` its length), as the
    /// word of a token [`Scanner::tokens`] gives does: the reads are not bounds-checked
    /// (the check cost two percent of scoring).
    #[inline(always)]
    pub unsafe fn lowercase_words(&self, start: usize, end: usize) -> Option<[u64; 2]> {
        let len = end.wrapping_sub(start);
        if len > 15 {
            return None;
        }
        debug_assert!(self.stride > 0 && end <= self.len, "word out of range");
        // SAFETY: `scan` made `text` at least the text's length + 64 bytes (the text and a
        // block of white space), and both reads end by `start + 16 <= end + 16` (caller).
        let read =
            |at: usize| u64::from_le(unsafe { self.text.as_ptr().add(at).cast::<u64>().read_unaligned() });
        let lo = read(start) & LOW_BYTES[len.min(8)];
        let hi = read(start + 8) & LOW_BYTES[len.saturating_sub(8)];
        Some([ascii_lowercase(lo), ascii_lowercase(hi)])
    }
}

/// Classifies whole 64-byte blocks into `bits` (fields `stride` bytes apart); returns the
/// counts of "!" and "?" and whether some byte is not ASCII. With AVX2 when the processor
/// has it (32 bytes at a time), else [`classify64`].
fn classify_all<const SPLIT: bool>(
    blocks: &[u8],
    len: usize,
    bits: &mut [u8],
    stride: usize,
) -> (u32, u32, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor has AVX2 and POPCNT (just checked).
        return unsafe { classify_all_avx2::<SPLIT>(blocks, len, bits, stride) };
    }
    let _ = len;
    classify_all_with!(classify64, blocks, bits, stride)
}

/// The loop of [`classify_all`] with a block classifier.
macro_rules! classify_all_with {
    ($classify:expr, $blocks:expr, $bits:expr, $stride:expr) => {{
        let (mut exclamations, mut questions, mut any_non_ascii) = (0, 0, 0);
        for (b, chunk) in $blocks.chunks_exact(64).enumerate() {
            let (block, e, q) = $classify(chunk);
            exclamations += e.count_ones();
            questions += q.count_ones();
            any_non_ascii |= block.non_ascii;
            let fields = [
                block.space,
                block.upper,
                block.lower,
                block.punct,
                block.apostrophe,
                block.non_ascii,
                e,
                q,
                block.line,
                block.terminator,
            ];
            for (f, mask) in fields.into_iter().enumerate() {
                let at = f * $stride + 8 * b;
                $bits[at..at + 8].copy_from_slice(&mask.to_le_bytes());
            }
        }
        (exclamations, questions, any_non_ascii != 0)
    }};
}
use classify_all_with;

/// [`classify_all`] with AVX2 (and POPCNT for the counts), 32 bytes at a time: each half
/// block's masks are written as they are (combining two halves into one `u64` first makes
/// the compiler take the vectors apart byte by byte).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn classify_all_avx2<const SPLIT: bool>(
    blocks: &[u8],
    len: usize,
    bits: &mut [u8],
    stride: usize,
) -> (u32, u32, bool) {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    // Bytes compare as signed: a non-ASCII byte is negative, so it is in no range below.
    #[target_feature(enable = "avx2")]
    fn range(x: __m256i, lo: i8, hi: i8) -> u32 {
        mask(_mm256_and_si256(
            _mm256_cmpgt_epi8(x, _mm256_set1_epi8(lo - 1)),
            _mm256_cmpgt_epi8(_mm256_set1_epi8(hi + 1), x),
        ))
    }
    #[target_feature(enable = "avx2")]
    fn mask(m: __m256i) -> u32 {
        _mm256_movemask_epi8(m) as u32
    }
    #[target_feature(enable = "avx2")]
    fn eq(x: __m256i, b: u8) -> u32 {
        mask(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(b as i8)))
    }
    assert!(blocks.len() / 8 <= stride && FIELDS * stride <= bits.len(), "mask buffer too small");
    assert!(len <= blocks.len() && blocks.len().is_multiple_of(64), "blocks do not hold the text");
    let (mut exclamations, mut questions, mut any_non_ascii) = (0, 0, 0);
    // Only the halves with text are read; the white space after them (a block's second
    // half, when the text ends in its first) is written as constants.
    let halves = len.div_ceil(32);
    if halves % 2 == 1 {
        let written = if SPLIT { FIELDS } else { LINE };
        for f in 0..written {
            let at = f * stride + 4 * halves;
            let m: u32 = if f == SPACE { u32::MAX } else { 0 };
            // SAFETY: as the writes below: `4 * halves + 4 <= blocks.len() / 8 <= stride`
            // (the text's blocks hold `halves + 1` halves) and `f < FIELDS`.
            unsafe { bits.as_mut_ptr().add(at).cast::<u32>().write_unaligned(m.to_le()) };
        }
    }
    for (h, half) in blocks.chunks_exact(32).take(halves).enumerate() {
        // SAFETY: `half` is 32 readable bytes; the load has no alignment requirement.
        let x = unsafe { _mm256_loadu_si256(half.as_ptr().cast()) };
        let (upper, lower, digit) = (range(x, 0x41, 0x5a), range(x, 0x61, 0x7a), range(x, 0x30, 0x39));
        let (non_ascii, exclamation, question) = (mask(x), eq(x, b'!'), eq(x, b'?'));
        let fields = [
            range(x, 0x09, 0x0d) | range(x, 0x1c, 0x20),
            upper,
            lower,
            range(x, 0x21, 0x7e) & !(upper | lower | digit),
            eq(x, b'\''),
            non_ascii,
            exclamation,
            question,
            if SPLIT { range(x, 0x0a, 0x0d) } else { 0 },
            if SPLIT { eq(x, b'.') | exclamation | question } else { 0 },
        ];
        // Without `SPLIT`, the split's fields are not written.
        let written = if SPLIT { FIELDS } else { LINE };
        for (f, m) in fields.into_iter().enumerate().take(written) {
            let at = f * stride + 4 * h;
            // SAFETY: in bounds: `4 * h + 4 <= blocks.len() / 8 <= stride` and `f < FIELDS`,
            // so `at + 4 <= FIELDS * stride <= bits.len()` (both asserted above); an
            // unaligned write of a `u32` into bytes. Checked indexing cost half the loop.
            unsafe { bits.as_mut_ptr().add(at).cast::<u32>().write_unaligned(m.to_le()) };
        }
        exclamations += exclamation.count_ones();
        questions += question.count_ones();
        any_non_ascii |= non_ascii;
    }
    (exclamations, questions, any_non_ascii != 0)
}

/// A token found byte by byte: long or not ASCII.
#[cold]
fn slow_token(text: &str, start: usize, end: usize) -> Token {
    let token = &text.as_bytes()[start..end];
    let (mut s, mut e) = (0, token.len());
    while s < e && token[s].is_ascii_punctuation() {
        s += 1;
    }
    while e > s && token[e - 1].is_ascii_punctuation() {
        e -= 1;
    }
    // Only ASCII bytes were stripped, so `s..e` are character boundaries; characters are
    // the bytes that do not continue one.
    if token[s..e].iter().filter(|&&c| (c as i8) >= -0x40).nth(2).is_none() {
        (s, e) = (0, token.len());
    }
    let word = &token[s..e];
    Token {
        start: start + s,
        end: start + e,
        ascii: word.is_ascii(),
        has_upper: word.iter().any(u8::is_ascii_uppercase),
        has_lower: word.iter().any(u8::is_ascii_lowercase),
        apostrophe: word.contains(&b'\''),
    }
}

/// The word contains "n't", in any case.
#[inline]
pub(crate) fn contains_nt(word: &[u8]) -> bool {
    word.windows(3).any(|w| w[0] | 0x20 == b'n' && w[1] == b'\'' && w[2] | 0x20 == b't')
}

/// The masks of a 64-byte block, with those of "!" and "?": 16 bytes at a time with SSE2
/// (part of every x86-64 CPU, so no run-time detection).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify64(chunk: &[u8]) -> (Block, u64, u64) {
    // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU has it (the build
    // enables it for the whole program), so a function that requires it can always run.
    unsafe { classify64_sse2(chunk) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn classify64_sse2(chunk: &[u8]) -> (Block, u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    // Bytes compare as signed: a non-ASCII byte is negative, so it is in no range below.
    let range = |x: __m128i, lo: i8, hi: i8| {
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(lo - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8(hi + 1)))
    };
    let mask = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16);
    let (mut block, mut exclamations, mut questions) = (Block::default(), 0, 0);
    for (k, sixteen) in chunk.chunks_exact(16).enumerate() {
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&sixteen[i..i + 8]);
            i64::from_le_bytes(b)
        };
        let x = _mm_set_epi64x(word(8), word(0));
        let shift = 16 * k;
        let space = _mm_or_si128(range(x, 0x09, 0x0d), range(x, 0x1c, 0x20));
        let upper = range(x, 0x41, 0x5a);
        let lower = range(x, 0x61, 0x7a);
        let letter_or_digit = _mm_or_si128(_mm_or_si128(upper, lower), range(x, 0x30, 0x39));
        let punct = _mm_andnot_si128(letter_or_digit, range(x, 0x21, 0x7e));
        block.space |= mask(space) << shift;
        block.upper |= mask(upper) << shift;
        block.lower |= mask(lower) << shift;
        block.punct |= mask(punct) << shift;
        block.apostrophe |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x27))) << shift;
        block.non_ascii |= mask(x) << shift;
        let exclamation = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x21));
        let question = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x3f));
        exclamations |= mask(exclamation) << shift;
        questions |= mask(question) << shift;
        block.line |= mask(range(x, 0x0a, 0x0d)) << shift;
        let dot = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x2e));
        block.terminator |= mask(_mm_or_si128(dot, _mm_or_si128(exclamation, question))) << shift;
    }
    (block, exclamations, questions)
}

/// The masks of a 64-byte block, with those of "!" and "?", eight bytes at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn classify64_swar(chunk: &[u8]) -> (Block, u64, u64) {
    let (mut block, mut exclamations, mut questions) = (Block::default(), 0, 0);
    for (k, eight) in chunk.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(eight);
        let (b, e, q) = classify(u64::from_le_bytes(w), 8 * k as u32);
        block = merge(block, b);
        exclamations |= e;
        questions |= q;
    }
    (block, exclamations, questions)
}

#[cfg(not(target_arch = "x86_64"))]
use classify64_swar as classify64;

/// The masks of 8 bytes (shifted to bit `shift` of the block), with those of "!" and
/// "?".
#[inline(always)]
fn classify(x: u64, shift: u32) -> (Block, u64, u64) {
    let non_ascii = x & HIGH;
    let a = x & !HIGH;
    let ascii = !non_ascii & HIGH;
    // Python's ASCII white space: \t \n \v \f \r, U+001C..U+001F and the space.
    let space = (in_range(a, 0x09, 0x0d) | in_range(a, 0x1c, 0x20)) & ascii;
    let upper = in_range(a, b'A', b'Z') & ascii;
    let lower = in_range(a, b'a', b'z') & ascii;
    let digit = in_range(a, b'0', b'9');
    let punct = in_range(a, 0x21, 0x7e) & ascii & !upper & !lower & !digit;
    let apostrophe = in_range(a, b'\'', b'\'') & ascii;
    let exclamation = in_range(a, b'!', b'!') & ascii;
    let question = in_range(a, b'?', b'?') & ascii;
    let line = in_range(a, 0x0a, 0x0d) & ascii;
    let terminator = (in_range(a, b'.', b'.') & ascii) | exclamation | question;
    let block = Block {
        space: gather(space) << shift,
        upper: gather(upper) << shift,
        lower: gather(lower) << shift,
        punct: gather(punct) << shift,
        apostrophe: gather(apostrophe) << shift,
        non_ascii: gather(non_ascii) << shift,
        line: gather(line) << shift,
        terminator: gather(terminator) << shift,
    };
    (block, gather(exclamation) << shift, gather(question) << shift)
}

#[inline(always)]
fn merge(a: Block, b: Block) -> Block {
    Block {
        space: a.space | b.space,
        upper: a.upper | b.upper,
        lower: a.lower | b.lower,
        punct: a.punct | b.punct,
        apostrophe: a.apostrophe | b.apostrophe,
        non_ascii: a.non_ascii | b.non_ascii,
        line: a.line | b.line,
        terminator: a.terminator | b.terminator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::words;

    fn tokens(text: &str) -> Vec<Token> {
        let mut scanner = Scanner::default();
        scanner.scan(text);
        let mut out = Vec::new();
        scanner.tokens(text, |t| out.push(t));
        out
    }

    /// The scanner's tokens against `words::words` and a byte-by-byte reading.
    fn check(text: &str) {
        let found = tokens(text);
        let expected = words(text);
        let got: Vec<&str> = found.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(got, expected, "{text:?}");
        for (t, w) in found.iter().zip(&expected) {
            assert_eq!(t.ascii, w.is_ascii(), "{w:?}");
            assert_eq!(t.has_upper, w.bytes().any(|b| b.is_ascii_uppercase()), "{w:?}");
            assert_eq!(t.has_lower, w.bytes().any(|b| b.is_ascii_lowercase()), "{w:?}");
            assert_eq!(t.apostrophe, w.contains('\''), "{w:?}");
        }
        let mut scanner = Scanner::default();
        scanner.scan(text);
        let count = |c| text.chars().filter(|&x| x == c).count();
        assert_eq!(scanner.punctuation(), (count('!'), count('?')), "{text:?}");
    }

    #[test]
    fn gather_collects_high_bits() {
        for m in [0u64, HIGH, 0x80, 0x8000_0000_0000_0000, 0x0080_0080_8000_0080] {
            let naive = (0..8).filter(|i| m >> (8 * i + 7) & 1 == 1).fold(0, |acc, i| acc | 1 << i);
            assert_eq!(gather(m), naive, "{m:x}");
        }
        for k in 0..=255u64 {
            let m = (0..8).fold(0, |acc, i| acc | ((k >> i & 1) << (8 * i + 7)));
            assert_eq!(gather(m), k);
        }
    }

    #[test]
    fn every_byte_class_matches_the_standard_library() {
        for b in 0..=255u8 {
            let (block, e, q) = classify(u64::from(b), 0);
            let bit = |m: u64| m & 1 == 1;
            let ascii = b.is_ascii();
            assert_eq!(bit(block.space), ascii && is_py_space(char::from(b)), "{b:#x}");
            assert_eq!(bit(block.upper), b.is_ascii_uppercase(), "{b:#x}");
            assert_eq!(bit(block.lower), b.is_ascii_lowercase(), "{b:#x}");
            assert_eq!(bit(block.punct), b.is_ascii_punctuation(), "{b:#x}");
            assert_eq!(bit(block.apostrophe), b == b'\'', "{b:#x}");
            assert_eq!(bit(block.non_ascii), !ascii, "{b:#x}");
            assert_eq!((e & 1, q & 1), (u64::from(b == b'!'), u64::from(b == b'?')));
            assert_eq!(bit(block.line), matches!(b, b'\n' | b'\r' | 0x0b | 0x0c), "{b:#x}");
            assert_eq!(bit(block.terminator), matches!(b, b'.' | b'!' | b'?'), "{b:#x}");
        }
    }

    #[test]
    fn all_block_classifiers_agree() {
        let bytes: Vec<u8> =
            (0..=255u8).chain((0..=255u8).rev()).chain(0..=255u8).chain((0..=255).rev()).collect();
        let fields = |(b, e, q): (Block, u64, u64)| {
            (b.space, b.upper, b.lower, b.punct, b.apostrophe, b.non_ascii, e, q, b.line, b.terminator)
        };
        for chunk in bytes.chunks_exact(64) {
            assert_eq!(fields(classify64(chunk)), fields(classify64_swar(chunk)));
        }
        // The whole-text classifier (AVX2 where the processor has it) against SWAR.
        let stride = bytes.len() / 8 + 8;
        let (mut fast, mut swar) = (vec![0u8; FIELDS * stride], vec![0u8; FIELDS * stride]);
        let counts = classify_all::<true>(&bytes, bytes.len(), &mut fast, stride);
        assert_eq!(counts, classify_all_with!(classify64_swar, bytes, swar, stride));
        assert_eq!(counts, (4, 4, true));
        assert_eq!(fast, swar);
        // Texts that end inside a block, padded with white space as `scan` pads them: the
        // halves after the text are written as constants, the same masks.
        for len in [1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127] {
            let mut padded = bytes[..len].to_vec();
            padded.resize(len.div_ceil(64) * 64, b' ');
            let stride = padded.len() / 8 + 8;
            let (mut fast, mut swar) = (vec![0x5a; FIELDS * stride], vec![0x5a; FIELDS * stride]);
            let counts = classify_all::<true>(&padded, len, &mut fast, stride);
            assert_eq!(counts, classify_all_with!(classify64_swar, padded, swar, stride), "{len}");
            assert_eq!(fast, swar, "{len}");
        }
    }

    #[test]
    fn tokens_match_vader_words() {
        let long = "x".repeat(70);
        let cases = [
            "",
            " ",
            "Good!!! :) don't (really) go, ok?",
            "a\u{1c}b  c\td\ne\u{b}f\u{c}g\rh",
            "\u{3000}good\u{2003}bad\u{a0}nice\u{85}x\u{2028}y",
            "“excellent” but couldn’t",
            "ÉTÉ good İstanbul ǅX",
            "'''  ''a'' '''abc''' !!! ?? ...wow... a.b.c",
            "U.S. I'm can't DON'T 'n't",
        ];
        for text in cases {
            check(text);
        }
        // Tokens across block boundaries and longer than a block, at every offset.
        for pad in 0..70 {
            let p = " ".repeat(pad);
            check(&format!("{p}{long} (Hello), W'orld!! ...{long}... é{long}"));
            check(&format!("{p}((abcdefghij)) x\u{a0}yz “q”"));
            check(&format!("{}{p}GOOD?!", "a".repeat(pad)));
        }
    }
}
