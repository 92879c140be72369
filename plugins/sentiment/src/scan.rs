//! VADER's tokens ([`crate::words`]) found 64 bytes at a time, for the scorer's hot loop.
//!
//! The text is classified into bit masks, one bit per byte and one `u64` per 64-byte block
//! (white space, upper and lower case letters, ASCII punctuation, apostrophes, non-ASCII
//! bytes): sixteen bytes at a time with SSE2 on x86-64 (part of its baseline), eight at a
//! time with plain integer arithmetic (SWAR) elsewhere; a test checks the two agree. A token
//! is then a run of zero bits in the white-space mask, and everything the scorer asks about it (is it ALL CAPS, where does its punctuation end,
//! does it contain an apostrophe) is a shift and a mask instead of a loop over its bytes.
//! Tokens are what [`crate::words::words`] returns, exactly: Python's white space
//! (including non-ASCII white space and U+001C..U+001F) separates them, and surrounding
//! ASCII punctuation is stripped unless that leaves two characters or fewer.

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

/// The classified text, reusable from text to text.
#[derive(Debug, Default)]
pub struct Scanner {
    blocks: Vec<Block>,
    len: usize,
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

impl Scanner {
    /// Classifies `text`; afterwards [`Scanner::next`] walks its tokens.
    pub fn scan(&mut self, text: &str) {
        let bytes = text.as_bytes();
        self.len = bytes.len();
        self.blocks.clear();
        // One more block than the text needs, all white space: the sentinel that ends the
        // last token and lets a window read the block after any block.
        self.blocks.reserve(bytes.len() / 64 + 2);
        let (mut exclamations, mut questions) = (0u64, 0u64);
        let mut any_non_ascii = 0;
        let mut chunks = bytes.chunks_exact(64);
        for chunk in &mut chunks {
            let (block, e, q) = classify64(chunk);
            exclamations += u64::from(e.count_ones());
            questions += u64::from(q.count_ones());
            any_non_ascii |= block.non_ascii;
            self.blocks.push(block);
        }
        let rest = chunks.remainder().len();
        let (mut last, e, q) = if bytes.len() >= 64 {
            // The last 64 bytes of the text, shifted down to where the full blocks end.
            let (b, e, q) = classify64(&bytes[bytes.len() - 64..]);
            let shift = (64 - rest) as u32;
            let down = |m: u64| m.checked_shr(shift).unwrap_or(0);
            let block = Block {
                space: down(b.space),
                upper: down(b.upper),
                lower: down(b.lower),
                punct: down(b.punct),
                apostrophe: down(b.apostrophe),
                non_ascii: down(b.non_ascii),
            };
            (block, down(e), down(q))
        } else {
            let mut padded = [b' '; 64];
            padded[..rest].copy_from_slice(bytes);
            classify64(&padded)
        };
        exclamations += u64::from(e.count_ones());
        questions += u64::from(q.count_ones());
        // Bytes past the end are white space.
        last.space |= u64::MAX.checked_shl(rest as u32).unwrap_or(0);
        any_non_ascii |= last.non_ascii;
        self.blocks.push(last);
        self.blocks.push(Block { space: u64::MAX, ..Block::default() });
        self.exclamations = exclamations as usize;
        self.questions = questions as usize;
        if any_non_ascii != 0 {
            // Non-ASCII white space (U+00A0, U+2003, U+3000, ...).
            for (i, c) in text.char_indices().filter(|(_, c)| !c.is_ascii() && is_py_space(*c)) {
                for b in i..i + c.len_utf8() {
                    self.blocks[b / 64].space |= 1 << (b % 64);
                }
            }
        }
    }

    /// The counts of "!" and "?" in the text.
    pub fn punctuation(&self) -> (usize, usize) {
        (self.exclamations, self.questions)
    }

    /// 64 bits of a mask starting at byte `at` (`at` within the text or its end).
    #[inline(always)]
    fn window(&self, at: usize, field: impl Fn(&Block) -> u64) -> u64 {
        let (w, o) = (at / 64, at % 64);
        let pair = (u128::from(field(&self.blocks[w + 1])) << 64) | u128::from(field(&self.blocks[w]));
        (pair >> o) as u64
    }

    /// The first token starting at or after byte `at`, if any, and the byte after it.
    #[inline]
    pub fn next(&self, text: &str, mut at: usize) -> Option<(Token, usize)> {
        // Skip white space.
        loop {
            if at >= self.len {
                return None;
            }
            let words = !self.window(at, |b| b.space);
            if words != 0 {
                at += words.trailing_zeros() as usize;
                break;
            }
            at += 64;
        }
        let start = at;
        // Both blocks the token's window spans, read once.
        let (w, o) = (start / 64, start % 64);
        let (here, next) = (&self.blocks[w], &self.blocks[w + 1]);
        let window = |field: fn(&Block) -> u64| {
            ((u128::from(field(next)) << 64 | u128::from(field(here))) >> o) as u64
        };
        let spaces = window(|b| b.space);
        if spaces == 0 {
            // A token of 64 bytes or more.
            let mut end = start + 64;
            loop {
                let spaces = self.window(end, |b| b.space);
                if spaces != 0 {
                    end += spaces.trailing_zeros() as usize;
                    break;
                }
                end += 64;
            }
            return Some((slow_token(text, start, end), end));
        }
        let len = spaces.trailing_zeros() as usize;
        let end = start + len;
        let keep = u64::MAX >> (64 - len);
        if window(|b| b.non_ascii) & keep != 0 {
            return Some((slow_token(text, start, end), end));
        }
        let punct = window(|b| b.punct) & keep;
        let lead = punct.trailing_ones() as usize;
        let trail = (punct << (64 - len)).leading_ones() as usize;
        // Stripped only when more than two characters remain (an all-punctuation token has
        // lead = trail = len); short words are common, so no branch.
        let strip = usize::from(lead + trail + 2 < len);
        let (s, e) = (start + lead * strip, end - trail * strip);
        // Stripped punctuation has no case: the token's case flags are the word's. The
        // apostrophe is punctuation, so it is looked for in the word.
        let word = u64::MAX >> (64 - (e - s)) << (s - start);
        let token = Token {
            start: s,
            end: e,
            ascii: true,
            has_upper: window(|b| b.upper) & keep != 0,
            has_lower: window(|b| b.lower) & keep != 0,
            apostrophe: window(|b| b.apostrophe) & word != 0,
        };
        Some((token, end))
    }
}

/// A token found byte by byte: long or not ASCII.
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
        exclamations |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x21))) << shift;
        questions |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x3f))) << shift;
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
    let block = Block {
        space: gather(space) << shift,
        upper: gather(upper) << shift,
        lower: gather(lower) << shift,
        punct: gather(punct) << shift,
        apostrophe: gather(apostrophe) << shift,
        non_ascii: gather(non_ascii) << shift,
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
        let mut at = 0;
        while let Some((t, next)) = scanner.next(text, at) {
            out.push(t);
            at = next;
        }
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
        }
    }

    #[test]
    fn both_block_classifiers_agree() {
        let bytes: Vec<u8> =
            (0..=255u8).chain((0..=255u8).rev()).chain(0..=255u8).chain((0..=255).rev()).collect();
        for chunk in bytes.chunks_exact(64) {
            let (a, ae, aq) = classify64(chunk);
            let (b, be, bq) = classify64_swar(chunk);
            assert_eq!(
                (a.space, a.upper, a.lower, a.punct, a.apostrophe, a.non_ascii, ae, aq),
                (b.space, b.upper, b.lower, b.punct, b.apostrophe, b.non_ascii, be, bq)
            );
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
