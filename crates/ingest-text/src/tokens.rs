//! [`tokens`]: words, numbers, punctuation and symbols with code-point and byte offsets.

use unicode_normalization::char::is_combining_mark;

use crate::Span;

/// What kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Starts with a letter: "Putin", "don't", "three-year-old", "U.S.", "G7".
    Word,
    /// Starts with a digit: "2022", "1,200.50", "3.5", and numbers with a unit or
    /// ordinal suffix ("5m", "7th", "1990s", "24-year-old").
    Number,
    /// One punctuation char: `. , ; : ! ? ' " ( ) [ ] { } - / \ _`, quotes, dashes,
    /// ellipsis, guillemets, bullets.
    Punct,
    /// One char of anything else that is not whitespace: currency (£ $ €), `% & # @ *`,
    /// maths, emoji, a stray combining mark.
    Symbol,
}

/// A token with code-point offsets (`start`, `end`) and byte offsets (`byte_start`,
/// `byte_end`), so callers can slice `&text[byte_start..byte_end]` without re-scanning
/// and still report code-point offsets in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// One past the last byte.
    pub byte_end: usize,
    /// What kind of token this is.
    pub kind: TokenKind,
}

impl Token {
    /// The token's text, sliced from the `text` it was produced from.
    ///
    /// # Panics
    /// If `text` is not the string the token came from and the byte offsets do not
    /// fall on char boundaries of it.
    #[must_use]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.byte_start..self.byte_end]
    }

    /// The token's code-point span.
    #[must_use]
    pub fn span(&self) -> Span {
        Span { start: self.start, end: self.end }
    }

    /// True for [`TokenKind::Word`] and [`TokenKind::Number`]: what counts as a word.
    #[must_use]
    pub fn is_wordlike(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::Number)
    }
}

/// Tokens of `text`, in order, whitespace skipped.
///
/// - Words keep internal apostrophes (straight `'` and curly `’`) and hyphens:
///   "don't", "three-year-old", "Zelenskyy's" are one word each (use
///   [`crate::strip_possessive`] for the possessive). A trailing apostrophe ("Jones'")
///   is a separate Punct token: it cannot be told apart from a closing single quote.
/// - Abbreviations made of single letters with dots are one token: "U.S.", "U.K.",
///   "e.g.", "a.m.", and "U.S.'s". Initials with spaces ("J. K.") are not joined.
/// - Numbers keep `,` and `.` between digits ("1,200.50", "3.5") and letter suffixes
///   ("5m", "1990s").
/// - Every other punctuation char is its own Punct token; currency and other symbols
///   are Symbol tokens.
///
/// For counting or filtering without collecting, iterate [`Tokens`] instead.
#[must_use]
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    out.extend(Tokens::new(text));
    out
}

/// Number of Word and Number tokens: what "words" means in result stats.
#[must_use]
pub fn word_count(text: &str) -> usize {
    Tokens::new(text).filter(Token::is_wordlike).count()
}

/// Iterator over the tokens of a text, allocation-free: what [`tokens`] collects.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    text: &'a str,
    /// Byte position of the cursor.
    pos: usize,
    /// Code-point position of the cursor.
    cp: usize,
}

impl<'a> Tokens<'a> {
    /// Tokens of `text`, starting at its beginning.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0, cp: 0 }
    }

    /// The char starting at byte `at`, if any.
    #[inline]
    fn peek(&self, at: usize) -> Option<char> {
        self.text.get(at..)?.chars().next()
    }

    /// Scans a word or number body from byte `p` (just after its first char), returning
    /// the end byte and the number of chars consumed after `p`.
    fn scan_word_tail(&self, mut p: usize, number: bool) -> (usize, usize) {
        let mut n = 0;
        while let Some(c) = self.peek(p) {
            let len = c.len_utf8();
            if c.is_alphanumeric() || is_combining_mark(c) {
                p += len;
                n += 1;
                continue;
            }
            let next = self.peek(p + len);
            let joins = if is_apostrophe(c) {
                next.is_some_and(char::is_alphabetic)
            } else if is_joining_hyphen(c) {
                // "COVID-19" joins; "2-1" (a score) does not, "24-year-old" does.
                next.is_some_and(|n| if number { n.is_alphabetic() } else { n.is_alphanumeric() })
            } else if number && matches!(c, ',' | '.') {
                // "1,200.50": a separator needs digits on both sides.
                next.is_some_and(|n| n.is_ascii_digit())
                    && self.text[..p].chars().next_back().is_some_and(|d| d.is_ascii_digit())
            } else {
                false
            };
            if !joins {
                break;
            }
            p += len;
            n += 1;
        }
        (p, n)
    }

    /// Matches a single-letter-with-dots abbreviation ("U.S.", "e.g.", "U.S.'s") at byte
    /// `start`; returns its end byte and length in chars.
    fn scan_abbreviation(&self, start: usize) -> Option<(usize, usize)> {
        let (mut p, mut n, mut pieces) = (start, 0, 0);
        // ("L.")+
        while let Some(l) = self.peek(p).filter(|c| c.is_alphabetic()) {
            let dot = p + l.len_utf8();
            if self.peek(dot) != Some('.') {
                // A final single letter without its dot: "U.S.A" / "e.g".
                if pieces > 0 && !self.peek(dot).is_some_and(is_word_char) {
                    p = dot;
                    n += 1;
                    pieces += 1;
                }
                break;
            }
            p = dot + 1;
            n += 2;
            pieces += 1;
        }
        if pieces < 2 {
            return None;
        }
        // Possessive "U.S.'s".
        if let Some(a) = self.peek(p).filter(|&c| is_apostrophe(c)) {
            let s = p + a.len_utf8();
            if matches!(self.peek(s), Some('s' | 'S')) && !self.peek(s + 1).is_some_and(is_word_char) {
                p = s + 1;
                n += 2;
            }
        }
        Some((p, n))
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let mut c = self.peek(self.pos)?;
        while c.is_whitespace() {
            self.pos += c.len_utf8();
            self.cp += 1;
            c = self.peek(self.pos)?;
        }
        let (byte_start, start) = (self.pos, self.cp);
        let after = byte_start + c.len_utf8();
        let (byte_end, chars, kind) = if c.is_alphabetic() {
            match self.scan_abbreviation(byte_start) {
                Some((end, n)) => (end, n, TokenKind::Word),
                None => {
                    let (end, n) = self.scan_word_tail(after, false);
                    (end, n + 1, TokenKind::Word)
                }
            }
        } else if c.is_numeric() {
            let (end, n) = self.scan_word_tail(after, true);
            (end, n + 1, TokenKind::Number)
        } else if is_punct(c) {
            (after, 1, TokenKind::Punct)
        } else {
            (after, 1, TokenKind::Symbol)
        };
        self.pos = byte_end;
        self.cp += chars;
        Some(Token { start, end: start + chars, byte_start, byte_end, kind })
    }
}

impl std::iter::FusedIterator for Tokens<'_> {}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Straight, curly and modifier-letter apostrophes.
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Hyphens that join word parts (not the en/em dashes that separate clauses).
fn is_joining_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Punctuation, as opposed to symbols. `% & # @ *` count as symbols (they stand for
/// words: per cent, and, number, at), currency and maths too.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '"' | '\'' | '(' | ')' | ',' | '-' | '.' | '/' | ':' | ';' | '?' | '[' | '\\'
            | ']' | '_' | '{' | '}' | '¡' | '«' | '·' | '»' | '¿'
            | '\u{2010}'..='\u{2027}' // hyphens, dashes, quotes, bullets, ellipsis
            | '\u{2039}' | '\u{203A}' // single guillemets
            | '\u{2E00}'..='\u{2E7F}' // supplemental punctuation
            | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' // CJK comma, stop, brackets
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        tokens(text).iter().map(|t| t.text(text)).collect()
    }

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokens(text).iter().map(|t| t.kind).collect()
    }

    /// Every token's code-point span selects exactly its byte slice.
    fn assert_offsets_round_trip(text: &str) {
        for t in tokens(text) {
            let by_chars: String = text.chars().skip(t.start).take(t.end - t.start).collect();
            assert_eq!(by_chars, t.text(text), "token {t:?} in {text:?}");
            assert_eq!(t.span().slice(text), t.text(text));
        }
    }

    #[test]
    fn words_keep_apostrophes_and_hyphens() {
        assert_eq!(
            texts("Don't call the three-year-old Zelenskyy's or Ukraine’s war"),
            ["Don't", "call", "the", "three-year-old", "Zelenskyy's", "or", "Ukraine’s", "war"]
        );
    }

    #[test]
    fn trailing_apostrophe_and_quotes_are_punct() {
        assert_eq!(texts("'yes' Jones' car"), ["'", "yes", "'", "Jones", "'", "car"]);
        assert_eq!(texts("“excellent.”"), ["“", "excellent", ".", "”"]);
    }

    #[test]
    fn abbreviations_are_one_token() {
        assert_eq!(
            texts("U.S. and U.K. officials, e.g. at 9 a.m. in the U.S.'s office"),
            [
                "U.S.",
                "and",
                "U.K.",
                "officials",
                ",",
                "e.g.",
                "at",
                "9",
                "a.m.",
                "in",
                "the",
                "U.S.'s",
                "office"
            ]
        );
        assert_eq!(texts("the U.S.-proposed deal"), ["the", "U.S.", "-", "proposed", "deal"]);
        assert_eq!(texts("J. K. Rowling"), ["J", ".", "K", ".", "Rowling"]);
        assert_eq!(texts("Mr. Smith"), ["Mr", ".", "Smith"]);
        assert_eq!(kinds("U.S."), [TokenKind::Word]);
    }

    #[test]
    fn numbers_keep_separators() {
        assert_eq!(
            texts("1,200.50 and 3.5% in 2022, then 1, 2."),
            ["1,200.50", "and", "3.5", "%", "in", "2022", ",", "then", "1", ",", "2", "."]
        );
        assert_eq!(kinds("3.5%"), [TokenKind::Number, TokenKind::Symbol]);
        assert_eq!(texts("a 24-year-old won 2-1"), ["a", "24-year-old", "won", "2", "-", "1"]);
        assert_eq!(texts("G7 COVID-19"), ["G7", "COVID-19"]);
        assert_eq!(kinds("G7 7th"), [TokenKind::Word, TokenKind::Number]);
    }

    #[test]
    fn currency_and_symbols() {
        let text = "£5m, $1.13bn & €3 — #1 @x";
        assert_eq!(texts(text), ["£", "5m", ",", "$", "1.13bn", "&", "€", "3", "—", "#", "1", "@", "x"]);
        use TokenKind::*;
        assert_eq!(
            kinds(text),
            [
                Symbol, Number, Punct, Symbol, Number, Symbol, Symbol, Number, Punct, Symbol, Number, Symbol,
                Word
            ]
        );
    }

    #[test]
    fn offsets_round_trip_on_non_ascii_text() {
        for text in [
            "Canadian Foreign Minister Mélanie Joly said “excellent.”",
            "It cost £5m — Ukraine’s “cautious optimism” … 東京 and Zelenskyy’s U.S.’s",
            "Me\u{301}lanie (decomposed) 🇺🇦 emoji ½ ² x",
            "",
            "   ",
        ] {
            assert_offsets_round_trip(text);
        }
        let text = "Mélanie Joly: £5m";
        let t = tokens(text);
        assert_eq!(t[0].span(), Span { start: 0, end: 7 });
        assert_eq!((t[0].byte_start, t[0].byte_end), (0, 8));
        assert_eq!(t[3].text(text), "£");
        assert_eq!(t[3].span(), Span { start: 14, end: 15 });
        assert_eq!(t[4].text(text), "5m");
        assert_eq!(t[4].span(), Span { start: 15, end: 17 });
    }

    #[test]
    fn combining_marks_stay_in_their_word() {
        assert_eq!(texts("Me\u{301}lanie"), ["Me\u{301}lanie"]);
    }

    #[test]
    fn word_count_counts_words_and_numbers() {
        assert_eq!(word_count("U.S. Secretary of State Marco Rubio told reporters."), 8);
        assert_eq!(word_count("It cost £5m — “a lot”."), 5);
        assert_eq!(word_count(""), 0);
    }
}
