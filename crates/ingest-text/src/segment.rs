//! [`paragraphs`] and [`sentences`]: rule-based segmentation into code-point spans.

use crate::Span;

/// Paragraphs: maximal runs of non-blank text separated by a line break, trimmed of
/// surrounding whitespace. Each non-empty line is its own paragraph.
///
/// The seeds put one paragraph per line and BBC text separates paragraphs with blank
/// lines; this one rule fits both. Spans exclude the newline. Any line break `clean`
/// knows (`\n`, `\r`, VT, FF, NEL, U+2028, U+2029) ends a line, so uncleaned text works
/// too.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<Span> {
    if text.is_ascii() {
        return ascii_paragraphs(text.as_bytes());
    }
    Lines::new(text).map(|(span, _)| span).collect()
}

/// [`paragraphs`] of an ASCII text, byte by byte (code points are bytes). The same rule:
/// ASCII line breaks are `\n`, `\r`, VT and FF, and ASCII white space is those, the tab
/// and the space.
fn ascii_paragraphs(text: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut line = 0;
    while line < text.len() {
        let end = find_line_break(text, line);
        // The line without its surrounding white space, if anything is left.
        let mut start = line;
        while start < end && is_ascii_blank(text[start]) {
            start += 1;
        }
        let mut last = end;
        while last > start && is_ascii_blank(text[last - 1]) {
            last -= 1;
        }
        if start < last {
            out.push(Span { start, end: last });
        }
        line = end + 1;
    }
    out
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

/// [`is_line_break`] for an ASCII byte.
#[inline]
fn is_ascii_line_break(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Non-blank lines of a text as (code-point span, trimmed line text), in order.
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
/// the text are clamped, and empty ones skipped.
#[must_use]
pub fn sentences(text: &str, paragraphs: &[Span]) -> Vec<Span> {
    // An ASCII text's bytes are its code points: no copy into `char`s needed.
    if text.is_ascii() {
        return split_paragraphs(text.as_bytes(), paragraphs);
    }
    let chars: Vec<char> = text.chars().collect();
    split_paragraphs(&chars, paragraphs)
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

fn split_paragraphs<C: Char>(chars: &[C], paragraphs: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(paragraphs.len() * 3);
    for p in paragraphs {
        let end = p.end.min(chars.len());
        let start = p.start.min(end);
        split_paragraph(chars, start, end, &mut out);
    }
    out
}

fn split_paragraph<C: Char>(chars: &[C], start: usize, end: usize, out: &mut Vec<Span>) {
    let mut sent_start = start;
    let mut i = start;
    loop {
        i = C::next_terminator(chars, i, end);
        if i >= end {
            break;
        }
        let mut j = i + 1;
        while j < end && (matches!(chars[j].char(), '.' | '!' | '?') || is_closer(chars[j].char())) {
            j += 1;
        }
        let mut k = j;
        while k < end && chars[k].char().is_whitespace() {
            k += 1;
        }
        if k > j
            && k < end
            && is_starter(chars[k].char())
            && !(chars[i].char() == '.' && no_break_before(chars, start, i, chars[k].char()))
        {
            push_trimmed(chars, sent_start, j, out);
            sent_start = k;
        }
        i = k.max(i + 1);
    }
    push_trimmed(chars, sent_start, end, out);
}

fn push_trimmed<C: Char>(chars: &[C], mut start: usize, mut end: usize, out: &mut Vec<Span>) {
    while start < end && chars[start].char().is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].char().is_whitespace() {
        end -= 1;
    }
    if start < end {
        out.push(Span { start, end });
    }
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
    let is = |list: &[&str]| list.iter().any(|a| a.chars().eq(word.iter().map(|c| c.char())));
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

    #[test]
    fn out_of_range_paragraphs_are_clamped() {
        let text = "One. Two.";
        let got = sentences(text, &[Span { start: 0, end: 100 }, Span { start: 50, end: 60 }]);
        assert_eq!(got, [Span { start: 0, end: 4 }, Span { start: 5, end: 9 }]);
    }
}
