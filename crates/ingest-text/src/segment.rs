//! [`paragraphs`] and [`sentences`]: rule-based segmentation into code-point spans.
//!
//! The work is done by two iterators, [`Paragraphs`] and [`Sentences`], which find one
//! span at a time; the functions collect them. A caller that only walks the spans (a
//! plugin scoring each sentence, say) uses the iterators and allocates nothing for an
//! ASCII text.

use crate::Span;

/// Paragraphs: maximal runs of non-blank text separated by a line break, trimmed of
/// surrounding whitespace. Each non-empty line is its own paragraph.
///
/// The seeds put one paragraph per line and BBC text separates paragraphs with blank
/// lines; this one rule fits both. Spans exclude the newline. Any line break `clean`
/// knows (`\n`, `\r`, VT, FF, NEL, U+2028, U+2029) ends a line, so uncleaned text works
/// too. The same spans as [`Paragraphs`], collected.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<Span> {
    Paragraphs::new(text).collect()
}

/// The [`paragraphs`] of a text one at a time, without allocating: what to use when the
/// spans are only walked once.
#[derive(Debug, Clone)]
pub struct Paragraphs<'a> {
    inner: ParagraphsInner<'a>,
}

#[derive(Debug, Clone)]
enum ParagraphsInner<'a> {
    /// An ASCII text read byte by byte (code points are bytes): the next line starts at
    /// `line`.
    Ascii { text: &'a [u8], line: usize },
    /// Any other text, char by char.
    Wide(Lines<'a>),
}

impl<'a> Paragraphs<'a> {
    /// The paragraphs of `text`.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Self::with_ascii(text, is_ascii(text.as_bytes()))
    }

    /// [`Paragraphs::new`] when whether `text` is ASCII is known.
    fn with_ascii(text: &'a str, ascii: bool) -> Self {
        let inner = if ascii {
            ParagraphsInner::Ascii { text: text.as_bytes(), line: 0 }
        } else {
            ParagraphsInner::Wide(Lines::new(text))
        };
        Self { inner }
    }
}

impl Iterator for Paragraphs<'_> {
    type Item = Span;

    #[inline]
    fn next(&mut self) -> Option<Span> {
        match &mut self.inner {
            ParagraphsInner::Ascii { text, line } => next_ascii_paragraph(text, line),
            ParagraphsInner::Wide(lines) => lines.next().map(|(span, _)| span),
        }
    }
}

/// The next paragraph of an ASCII text from byte `*line` on, byte by byte (code points
/// are bytes), moving `*line` past it. The same rule as [`Lines`]: ASCII line breaks are
/// `\n`, `\r`, VT and FF, and ASCII white space is those, the tab and the space.
#[inline]
fn next_ascii_paragraph(text: &[u8], line: &mut usize) -> Option<Span> {
    while *line < text.len() {
        let end = find_line_break(text, *line);
        // The line without its surrounding white space, if anything is left.
        let mut start = *line;
        while start < end && is_ascii_blank(text[start]) {
            start += 1;
        }
        let mut last = end;
        while last > start && is_ascii_blank(text[last - 1]) {
            last -= 1;
        }
        *line = end + 1;
        if start < last {
            return Some(Span { start, end: last });
        }
    }
    None
}

/// `<[u8]>::is_ascii`, sixteen bytes at a time: the standard library's version reads a
/// short text (a sentence, a review) byte by byte, which costs more than the split.
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(16);
    let mut high = 0u64;
    for c in chunks.by_ref() {
        let (a, b) = c.split_at(8);
        high |= u64::from_le_bytes(a.try_into().unwrap_or_default())
            | u64::from_le_bytes(b.try_into().unwrap_or_default());
    }
    high & HIGH == 0 && chunks.remainder().iter().all(u8::is_ascii)
}

/// The first byte at or after `from` of an ASCII text for which `byte` holds, or the
/// text's length. Eight bytes at a time: `word` gives, for eight bytes read as a
/// little-endian `u64`, a mask whose lowest set bit lies in the first byte that matches
/// (higher bits may be wrong).
#[inline]
fn find(text: &[u8], from: usize, word: impl Fn(u64) -> u64, byte: impl Fn(u8) -> bool) -> usize {
    let mut at = from;
    while at + 8 <= text.len() {
        let m = word(u64::from_le_bytes(text[at..at + 8].try_into().unwrap_or_default()));
        if m != 0 {
            return at + (m.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < text.len() && !byte(text[at]) {
        at += 1;
    }
    at.min(text.len())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that equals `b`: exact for the lowest such byte (a
/// borrow can only flag bytes above a real match).
#[inline]
fn bytes_equal(x: u64, b: u8) -> u64 {
    let y = x ^ (u64::from(b) * ONES);
    y.wrapping_sub(ONES) & !y & HIGH
}

/// [`is_line_break`] for an ASCII byte.
#[inline]
fn is_ascii_line_break(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The first line break at or after `from` in an ASCII text, or its length.
#[inline]
fn find_line_break(text: &[u8], from: usize) -> usize {
    // Line breaks are the bytes 0x0a..=0x0d; every byte is below 0x80, so no addition
    // carries into the next byte.
    let word = |x: u64| {
        let at_least = x.wrapping_add(u64::from(0x80 - 0x0a_u8) * ONES);
        let above = x.wrapping_add(u64::from(0x7f - 0x0d_u8) * ONES);
        at_least & !above & HIGH
    };
    find(text, from, word, is_ascii_line_break)
}

/// `char::is_whitespace` for an ASCII byte.
#[inline]
fn is_ascii_blank(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Non-blank lines of a text as (code-point span, trimmed line text), in order.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    rest: std::str::CharIndices<'a>,
    text: &'a str,
    /// Code-point index of the next char `rest` yields.
    cp: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { rest: text.char_indices(), text, cp: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (Span, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // (code point, byte) of the first and one-past-last non-blank char of the line.
        let mut first: Option<(usize, usize)> = None;
        let mut last = (0, 0);
        for (b, c) in self.rest.by_ref() {
            let i = self.cp;
            self.cp += 1;
            if is_line_break(c) {
                if first.is_some() {
                    break;
                }
            } else if !c.is_whitespace() {
                first.get_or_insert((i, b));
                last = (i + 1, b + c.len_utf8());
            }
        }
        let (start, byte_start) = first?;
        Some((Span { start, end: last.0 }, &self.text[byte_start..last.1]))
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Sentences of `text`, never crossing a paragraph boundary, as trimmed code-point spans.
///
/// Rule-based: a sentence ends after `.` `!` `?` (plus any further terminators and
/// closing quotes/brackets that follow them) when followed by whitespace and then an
/// upper-case letter, a digit, or an opening quote/bracket. It does not end after common
/// abbreviations ("Mr.", "Dr.", "Sen.", "Inc.", "vs.", ...), months and "No." before a
/// number ("Jan. 20", "No. 10"), single-letter dotted abbreviations ("U.S.", "U.K.",
/// "e.g.") or single capital initials ("J. K. Rowling"). "etc." is not protected: in
/// news it ends the sentence far more often than not. Text in a paragraph after the last terminator is a
/// sentence too, so every paragraph yields at least one sentence.
///
/// `paragraphs` should come from [`paragraphs`] on the same text; spans past the end of
/// the text are clamped, and empty ones skipped. The same spans as [`Sentences`], collected.
#[must_use]
pub fn sentences(text: &str, paragraphs: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(paragraphs.len() * 3);
    out.extend(Sentences::new(text, paragraphs.iter().copied()));
    out
}

/// The [`sentences`] of a text one at a time, within paragraphs given as an iterator of
/// spans ([`Sentences::of`]: the text's own [`Paragraphs`]).
///
/// For an ASCII text nothing is allocated (its bytes are its code points); any other text
/// is read as a vector of `char`s, allocated once here.
#[derive(Debug, Clone)]
pub struct Sentences<'a, P> {
    chars: Chars<'a>,
    paragraphs: P,
    /// Where the split of the current paragraph stands.
    split: Split,
}

/// The text being split: its bytes when it is ASCII, else its `char`s.
#[derive(Debug, Clone)]
enum Chars<'a> {
    Ascii(&'a [u8]),
    Wide(Vec<char>),
}

impl<'a> Sentences<'a, Paragraphs<'a>> {
    /// The sentences of `text` in its own [`Paragraphs`]: the same spans as
    /// `sentences(text, &paragraphs(text))`, with no vector of either.
    #[must_use]
    pub fn of(text: &'a str) -> Self {
        let ascii = is_ascii(text.as_bytes());
        Self::with_ascii(text, Paragraphs::with_ascii(text, ascii), ascii)
    }
}

impl<'a, P: Iterator<Item = Span>> Sentences<'a, P> {
    /// The sentences of `text` within `paragraphs` (clamped to the text, empty ones
    /// skipped, as [`sentences`] takes them).
    #[must_use]
    pub fn new(text: &'a str, paragraphs: P) -> Self {
        Self::with_ascii(text, paragraphs, is_ascii(text.as_bytes()))
    }

    /// [`Sentences::new`] when whether `text` is ASCII is known.
    fn with_ascii(text: &'a str, paragraphs: P, ascii: bool) -> Self {
        let chars = if ascii { Chars::Ascii(text.as_bytes()) } else { Chars::Wide(text.chars().collect()) };
        Self { chars, paragraphs, split: Split::DONE }
    }
}

impl<P> Sentences<'_, P> {
    /// True when the text is ASCII, so the spans count bytes as well as code points (a
    /// caller can slice the text with them directly).
    #[must_use]
    pub fn spans_are_bytes(&self) -> bool {
        matches!(self.chars, Chars::Ascii(_))
    }
}

impl<P: Iterator<Item = Span>> Iterator for Sentences<'_, P> {
    type Item = Span;

    #[inline]
    fn next(&mut self) -> Option<Span> {
        loop {
            let (found, len) = match &self.chars {
                Chars::Ascii(bytes) => (self.split.next(bytes), bytes.len()),
                Chars::Wide(chars) => (self.split.next(chars), chars.len()),
            };
            if found.is_some() {
                return found;
            }
            let p = self.paragraphs.next()?;
            let end = p.end.min(len);
            self.split = Split::new(p.start.min(end), end);
        }
    }
}

/// A character of the text being split: a `char`, or a byte of an ASCII text.
trait Char: Copy {
    fn char(self) -> char;

    /// The first `.`, `!` or `?` in `chars[from..end]`, or `end`.
    #[inline]
    fn next_terminator(chars: &[Self], from: usize, end: usize) -> usize {
        (from..end).find(|&i| is_terminator(chars[i].char())).unwrap_or(end)
    }
}

impl Char for char {
    #[inline(always)]
    fn char(self) -> char {
        self
    }
}

impl Char for u8 {
    #[inline(always)]
    fn char(self) -> char {
        char::from(self)
    }

    #[inline]
    fn next_terminator(chars: &[Self], from: usize, end: usize) -> usize {
        let word = |x: u64| bytes_equal(x, b'.') | bytes_equal(x, b'!') | bytes_equal(x, b'?');
        find(&chars[..end], from, word, |b| matches!(b, b'.' | b'!' | b'?'))
    }
}

/// A character that can end a sentence.
#[inline]
fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?')
}

/// The split of one paragraph, `start..end` of the text, resumable sentence by sentence.
#[derive(Debug, Clone, Copy)]
struct Split {
    /// The paragraph's start (abbreviations are not looked for before it).
    start: usize,
    end: usize,
    /// Where the current sentence starts.
    sent_start: usize,
    /// Where to look for the next terminator.
    at: usize,
    /// The paragraph's last sentence has been given.
    done: bool,
}

impl Split {
    /// A split with nothing left to give.
    const DONE: Self = Self { start: 0, end: 0, sent_start: 0, at: 0, done: true };

    fn new(start: usize, end: usize) -> Self {
        Self { start, end, sent_start: start, at: start, done: false }
    }

    /// The paragraph's next sentence, if any is left.
    #[inline]
    fn next<C: Char>(&mut self, chars: &[C]) -> Option<Span> {
        let end = self.end;
        while !self.done {
            let i = C::next_terminator(chars, self.at, end);
            if i >= end {
                self.done = true;
                return trimmed(chars, self.sent_start, end);
            }
            let b = boundary(chars, self.start, end, i);
            self.at = b.resume;
            if b.breaks {
                let sentence = trimmed(chars, self.sent_start, b.sentence_end);
                self.sent_start = b.next_start;
                if sentence.is_some() {
                    return sentence;
                }
            }
        }
        None
    }
}

/// What follows a terminator: whether the sentence ends there, and where the split goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundary {
    /// The sentence ends here: the terminator and any further terminators and closing
    /// quotes or brackets right after it.
    pub sentence_end: usize,
    /// The next sentence starts here: after the white space that follows `sentence_end`.
    pub next_start: usize,
    /// Where to look for the next terminator.
    pub resume: usize,
    /// The sentence does end at this terminator (else the split goes on from `resume`).
    pub breaks: bool,
}

/// The split's rule at the terminator `i` (`.`, `!` or `?`) of the paragraph
/// `para_start..end`.
#[inline]
fn boundary<C: Char>(chars: &[C], para_start: usize, end: usize, i: usize) -> Boundary {
    let mut j = i + 1;
    while j < end && (matches!(chars[j].char(), '.' | '!' | '?') || is_closer(chars[j].char())) {
        j += 1;
    }
    let mut k = j;
    while k < end && chars[k].char().is_whitespace() {
        k += 1;
    }
    let breaks = k > j
        && k < end
        && is_starter(chars[k].char())
        && !(chars[i].char() == '.' && no_break_before(chars, para_start, i, chars[k].char()));
    Boundary { sentence_end: j, next_start: k, resume: k.max(i + 1), breaks }
}

/// [`Sentences`]' rule at one terminator of an ASCII text, for a caller that finds the
/// text's line breaks and terminators itself (the sentiment plugin reads them from the
/// bit masks it classifies the text into anyway): `text[i]` is a `.`, `!` or `?` inside
/// the paragraph `para_start..para_end` (a [`Paragraphs`] span). Sentences are then the
/// paragraph's pieces between the boundaries that break, trimmed of ASCII white space,
/// empty ones skipped, and the rest after the last terminator; exactly [`Sentences`].
#[inline]
#[must_use]
pub fn ascii_boundary(text: &[u8], para_start: usize, para_end: usize, i: usize) -> Boundary {
    boundary(text, para_start, para_end, i)
}

/// `start..end` without surrounding white space, if anything is left.
#[inline]
fn trimmed<C: Char>(chars: &[C], mut start: usize, mut end: usize) -> Option<Span> {
    while start < end && chars[start].char().is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].char().is_whitespace() {
        end -= 1;
    }
    (start < end).then_some(Span { start, end })
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']' | '}' | '\u{BB}' | '\u{203A}')
}

fn is_starter(c: char) -> bool {
    c.is_uppercase()
        || c.is_numeric()
        || matches!(c, '"' | '\'' | '\u{201C}' | '\u{2018}' | '\u{AB}' | '\u{2039}' | '(' | '[')
}

/// Abbreviations after which a '.' does not end a sentence (matched case-sensitively,
/// so "no." ends one). Corporate suffixes and "Jr."/"Sr." do end sentences in real text
/// ("... at Warner Bros. But"), but splitting there would cut "Apple Inc. Chief
/// Executive" in two more often; "etc." and "Bros." are left out for that reason.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr",
    "Maj", "Adm", "Rev", "Hon", "Pres", "St", "Mt", "Ft", "Jr", "Sr", "Inc", "Corp", "Ltd", "Co", "vs",
    "approx", "Vol", "Fig",
];

/// Abbreviations that only continue a sentence before a number: "Jan. 20", "No. 10",
/// while "Ant and Dec. Natalie ..." and the reply "No. Definitely not." end one.
const ABBREVIATIONS_BEFORE_NUMBER: &[&str] =
    &["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No", "Nos"];

/// Whether the '.' at `dot` is part of an abbreviation or initial rather than a sentence
/// end; `next` is the char that starts the following word.
fn no_break_before<C: Char>(chars: &[C], para_start: usize, dot: usize, next: char) -> bool {
    let mut w = dot;
    while w > para_start && (chars[w - 1].char().is_alphabetic() || chars[w - 1].char() == '.') {
        w -= 1;
    }
    // "AT&T.", "Jay-Z.": a word glued to what precedes it is not an abbreviation.
    let free_standing = w == para_start
        || chars[w - 1].char().is_whitespace()
        || matches!(chars[w - 1].char(), '(' | '[' | '"' | '\'' | '\u{201C}' | '\u{2018}');
    let word: &[C] = &chars[w..dot];
    // The abbreviations are ASCII: bytes are chars. The length first (rarely equal).
    let is = |list: &[&str]| {
        list.iter()
            .any(|a| a.len() == word.len() && a.bytes().zip(word).all(|(b, c)| char::from(b) == c.char()))
    };
    match word {
        [] => false,
        _ if !free_standing => false,
        // Single capital initial: "J. K. Rowling" (not "I": "World War I. But").
        [c] => c.char().is_uppercase() && c.char() != 'I',
        // "U.S", "e.g", "a.m": single letters joined by dots.
        _ if word.iter().any(|c| c.char() == '.') => {
            word.split(|c| c.char() == '.').all(|piece| piece.len() == 1)
        }
        _ => is(ABBREVIATIONS) || (next.is_numeric() && is(ABBREVIATIONS_BEFORE_NUMBER)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(text: &str) -> Vec<&str> {
        sentences(text, &paragraphs(text)).iter().map(|s| s.slice(text)).collect()
    }

    /// The ASCII paragraph rule on any text's bytes.
    fn ascii_paragraphs(text: &[u8]) -> Vec<Span> {
        let mut line = 0;
        std::iter::from_fn(|| next_ascii_paragraph(text, &mut line)).collect()
    }

    /// The sentence split on `chars` (bytes or `char`s) within `paragraphs`.
    fn split_paragraphs<C: Char>(chars: &[C], paragraphs: &[Span]) -> Vec<Span> {
        let mut out = Vec::new();
        for p in paragraphs {
            let end = p.end.min(chars.len());
            let mut split = Split::new(p.start.min(end), end);
            out.extend(std::iter::from_fn(|| split.next(chars)));
        }
        out
    }

    #[test]
    fn each_line_is_a_paragraph() {
        let text = "Head line\nFirst para.\n\n  Second para.  \n\n";
        let p = paragraphs(text);
        let got: Vec<&str> = p.iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, ["Head line", "First para.", "Second para."]);
        assert_eq!(p[0], Span { start: 0, end: 9 });
        assert_eq!(paragraphs(""), []);
        assert_eq!(paragraphs("\n \n"), []);
        assert_eq!(paragraphs("a\r\nb").len(), 2);
    }

    #[test]
    fn paragraph_offsets_are_code_points() {
        let text = "Mélanie Joly\n“Yes.”";
        assert_eq!(paragraphs(text), [Span { start: 0, end: 12 }, Span { start: 13, end: 19 }]);
    }

    #[test]
    fn does_not_split_after_us() {
        assert_eq!(
            sents("U.S. Secretary of State Marco Rubio told reporters. The U.S. under Trump has not."),
            ["U.S. Secretary of State Marco Rubio told reporters.", "The U.S. under Trump has not."]
        );
    }

    #[test]
    fn does_not_split_after_abbreviations_and_initials() {
        assert_eq!(
            sents("Mr. Smith met Dr. Jones on Jan. 20 at No. 10. J. K. Rowling wrote e.g. Harry Potter."),
            ["Mr. Smith met Dr. Jones on Jan. 20 at No. 10.", "J. K. Rowling wrote e.g. Harry Potter."]
        );
    }

    #[test]
    fn ambiguous_abbreviations_follow_the_evidence() {
        assert_eq!(
            sents("He met Ant and Dec. Natalie left. It was No. 1 on Jan. 3. \"No. Definitely not.\""),
            ["He met Ant and Dec.", "Natalie left.", "It was No. 1 on Jan. 3.", "\"No.", "Definitely not.\""]
        );
        assert_eq!(
            sents(
                "Pop, rock etc. The sad fact is. It rivals AT&T. Consolidation came. It was World War I. But"
            ),
            [
                "Pop, rock etc.",
                "The sad fact is.",
                "It rivals AT&T.",
                "Consolidation came.",
                "It was World War I.",
                "But"
            ]
        );
    }

    #[test]
    fn splits_after_closing_quotes_and_before_opening_quotes() {
        assert_eq!(
            sents("Lammy called it “excellent.” Joly agreed. “We are united,” she said! Why? 25 came."),
            [
                "Lammy called it “excellent.”",
                "Joly agreed.",
                "“We are united,” she said!",
                "Why?",
                "25 came."
            ]
        );
    }

    #[test]
    fn does_not_split_before_lower_case_or_inside_numbers() {
        assert_eq!(
            sents("It rose 3.5 per cent. and then fell... no."),
            ["It rose 3.5 per cent. and then fell... no."]
        );
        assert_eq!(sents("“Why?” he asked."), ["“Why?” he asked."]);
    }

    #[test]
    fn never_crosses_paragraphs() {
        let text = "Headline without stop\nFirst sentence. Second one\n\nThird";
        assert_eq!(sents(text), ["Headline without stop", "First sentence.", "Second one", "Third"]);
    }

    /// The ASCII fast paths (bytes as code points) against the general ones (`char`s) on
    /// generated texts full of the cases the rules look at.
    #[test]
    fn ascii_fast_paths_agree_with_the_general_ones() {
        const PIECES: &[&str] = &[
            "Mr", "Dr", "Sen", "Inc", "vs", "etc", "Jan", "No", "Nos", "U.S", "e.g", "J", "I", "AT&T",
            "Jay-Z", "a", "A", "Z", "word", "Word", "WORD", "10", "3.5", ".", ".", "!", "?", "...", "?!",
            "\"", "'", ")", "(", "[", "]", "}", " ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r",
            "\u{b}", "\u{c}", "\u{1c}", "\u{0}", "\u{7f}", ",", "-", "&",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..4000 {
            let len = 1 + next(40);
            let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let general: Vec<Span> = Lines::new(&text).map(|(span, _)| span).collect();
            assert_eq!(ascii_paragraphs(text.as_bytes()), general, "round {round}: {text:?}");
            let chars: Vec<char> = text.chars().collect();
            // The paragraphs as found, and arbitrary (even out-of-range) ones.
            let (a, b) = (next(len * 4 + 2), next(len * 4 + 2));
            for paragraphs in [general, vec![Span { start: a.min(b), end: a.max(b) }]] {
                assert_eq!(
                    split_paragraphs(text.as_bytes(), &paragraphs),
                    split_paragraphs(&chars, &paragraphs),
                    "round {round}: {text:?} {paragraphs:?}"
                );
            }
        }
    }

    /// The iterators give what the collecting functions give, on the same texts.
    #[test]
    fn iterators_agree_with_the_functions() {
        let texts = [
            "Head line\nFirst para. Mr. Smith came.\n\n  Second para.  \n\n",
            "Lammy called it “excellent.” Joly agreed.\u{2028}“We are united,” she said! Why?",
            "",
            " \n \t",
            "No terminator here",
            "One. Two! Three? four. Five...",
        ];
        for text in texts {
            let p = paragraphs(text);
            assert_eq!(Paragraphs::new(text).collect::<Vec<_>>(), p, "{text:?}");
            assert_eq!(Sentences::of(text).collect::<Vec<_>>(), sentences(text, &p), "{text:?}");
            assert_eq!(Sentences::of(text).spans_are_bytes(), text.is_ascii(), "{text:?}");
            let first_only = &p[..p.len().min(1)];
            assert_eq!(
                Sentences::new(text, first_only.iter().copied()).collect::<Vec<_>>(),
                sentences(text, first_only),
                "{text:?}"
            );
        }
        let text = "A b. C d.\nE f.";
        let spans: Vec<&str> = Sentences::of(text).map(|s| s.slice(text)).collect();
        assert_eq!(spans, ["A b.", "C d.", "E f."]);
    }

    #[test]
    fn fast_is_ascii_is_is_ascii() {
        for len in 0..40 {
            let mut bytes = vec![b'a'; len];
            assert!(is_ascii(&bytes));
            for i in 0..len {
                bytes[i] = 0x80;
                assert!(!is_ascii(&bytes), "{len} {i}");
                bytes[i] = 0x7f;
                assert!(is_ascii(&bytes), "{len} {i}");
            }
        }
    }

    #[test]
    fn out_of_range_paragraphs_are_clamped() {
        let text = "One. Two.";
        let got = sentences(text, &[Span { start: 0, end: 100 }, Span { start: 50, end: 60 }]);
        assert_eq!(got, [Span { start: 0, end: 4 }, Span { start: 5, end: 9 }]);
    }
}
