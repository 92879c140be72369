//! The words VADER scores: its own `SentiText` preparation, not a general tokenizer.
//!
//! VADER's rules are defined over *its* tokens: the text split on whitespace, with leading
//! and trailing ASCII punctuation stripped unless that leaves two characters or fewer (so
//! the emoticons of its lexicon, ":)" or ":-(", survive, and "don't" stays one word). Using
//! `ingest_text::tokens` instead would split ":)" and change which words negation and
//! boosting see, and the reference scores would no longer match. So this module keeps
//! VADER's definition and nothing else.
//!
//! Two details are Python's, on purpose: words are split on Python's whitespace (which
//! also counts the information separators U+001C..U+001F) and "ALL CAPS" is Python's
//! `str.isupper()` (a title-case letter such as "ǅ" makes it false).
//!
//! The news mode ([`prepare`] with `typography`) first maps typographic quotes,
//! apostrophes, dashes and the ellipsis to their ASCII forms. VADER only strips ASCII
//! punctuation, so on news text it would look up `“excellent` (and find nothing) and would
//! not see the negation in `couldn’t`. The faithful mode leaves them alone, as VADER does.

use std::borrow::Cow;

use crate::lexicon::Lexicon;

/// A text prepared the way VADER prepares it: emoji replaced by their descriptions,
/// surrounding whitespace trimmed; with `typography`, typographic punctuation made ASCII
/// first.
#[inline]
pub fn prepare<'a>(text: &'a str, lexicon: &Lexicon, typography: bool) -> Cow<'a, str> {
    let ascii_emoji = lexicon.has_ascii_emoji();
    let needs_work = if is_ascii(text) { ascii_emoji } else { changes(text, lexicon, typography) };
    if !needs_work {
        return Cow::Borrowed(trim(text));
    }
    let mut out = String::with_capacity(text.len() + 16);
    // VADER inserts a space before an emoji description unless a space precedes it.
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(ascii) = typographic(c).filter(|_| typography) {
            out.push_str(ascii);
            prev_space = false;
        } else if let Some(description) = lexicon.describe_emoji(c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    Cow::Owned(trim(&out).to_owned())
}

/// True when [`prepare`] changes more of `text` (not ASCII) than its ends: it has a
/// typographic character (with `typography`) or an emoji the lexicon describes.
#[inline]
pub(crate) fn changes(text: &str, lexicon: &Lexicon, typography: bool) -> bool {
    let ascii_emoji = lexicon.has_ascii_emoji();
    // Typographic characters are not ASCII, and neither is any emoji (unless the table
    // says otherwise): ASCII characters need no lookup.
    text.chars().any(|c| {
        (ascii_emoji || !c.is_ascii())
            && ((typography && typographic(c).is_some()) || lexicon.describe_emoji(c).is_some())
    })
}

/// `str::is_ascii`, sixteen bytes at a time: the standard library's version reads a short
/// text byte by byte, a measurable share of scoring a tweet.
#[inline]
pub fn is_ascii(text: &str) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = text.as_bytes().chunks_exact(16);
    let mut high = 0u64;
    for c in chunks.by_ref() {
        let (a, b) = c.split_at(8);
        high |= u64::from_le_bytes(a.try_into().unwrap_or_default())
            | u64::from_le_bytes(b.try_into().unwrap_or_default());
    }
    high & HIGH == 0 && chunks.remainder().is_ascii()
}

/// Python's `str.isspace()` for one character: Unicode white space plus U+001C..U+001F.
#[inline]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` without arguments.
#[inline]
pub fn trim(text: &str) -> &str {
    let ascii_word_byte = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !is_py_space(char::from(b)));
    if ascii_word_byte(text.as_bytes().first()) && ascii_word_byte(text.as_bytes().last()) {
        return text;
    }
    text.trim_matches(is_py_space)
}

/// VADER's `words_and_emoticons`: tokens split on (Python) whitespace, with surrounding
/// ASCII punctuation stripped, unless stripping leaves two characters or fewer.
pub fn words(prepared: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(prepared.len() / 5 + 1);
    for token in prepared.split(is_py_space).filter(|t| !t.is_empty()) {
        out.push(strip_token(token));
    }
    out
}

/// One token without its surrounding ASCII punctuation, unless that leaves two
/// characters or fewer (then the token as it is: an emoticon such as ":)").
#[inline]
pub fn strip_token(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    let short = if stripped.is_ascii() { stripped.len() <= 2 } else { stripped.chars().nth(2).is_none() };
    if short { token } else { stripped }
}

/// Python's `str.isupper()`: at least one cased character, none lowercase or title case.
pub fn is_upper(word: &str) -> bool {
    if word.is_ascii() {
        let b = word.as_bytes();
        return b.iter().any(u8::is_ascii_uppercase) && !b.iter().any(u8::is_ascii_lowercase);
    }
    word.chars().any(char::is_uppercase) && !word.chars().any(|c| c.is_lowercase() || is_titlecase(c))
}

/// Unicode general category Lt (title-case letters), which Python's `isupper` refuses.
fn is_titlecase(c: char) -> bool {
    matches!(c, '\u{1C5}' | '\u{1C8}' | '\u{1CB}' | '\u{1F2}' | '\u{1F88}'..='\u{1F8F}' | '\u{1F98}'..='\u{1F9F}'
        | '\u{1FA8}'..='\u{1FAF}' | '\u{1FBC}' | '\u{1FCC}' | '\u{1FFC}')
}

/// The ASCII stand-in for a typographic punctuation character.
fn typographic(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '«' | '»' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' => "-",
        '\u{2026}' => "...",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::vader().unwrap()
    }

    #[test]
    fn strips_punctuation_but_keeps_emoticons_and_contractions() {
        let lex = lex();
        let text = prepare("Good!!! :) don't (really) go, ok?", &lex, false);
        // "go," and "ok?" keep their punctuation: stripped they would be two letters or fewer.
        assert_eq!(words(&text), ["Good", ":)", "don't", "really", "go,", "ok?"]);
    }

    #[test]
    fn typographic_quotes_and_apostrophes_become_ascii() {
        let lex = lex();
        let text = prepare("“excellent” but couldn’t", &lex, true);
        assert_eq!(words(&text), ["excellent", "but", "couldn't"]);
        let text = prepare("“excellent” but couldn’t", &lex, false);
        assert_eq!(words(&text), ["“excellent”", "but", "couldn’t"]);
    }

    #[test]
    fn emoji_become_their_description() {
        let lex = lex();
        assert_eq!(prepare("nice😁", &lex, false), "nice beaming face with smiling eyes");
    }

    #[test]
    fn fast_is_ascii_is_is_ascii() {
        for len in 0..40 {
            for i in 0..len {
                let text: String = (0..len).map(|k| if k == i { 'é' } else { 'a' }).collect();
                assert!(!is_ascii(&text), "{text:?}");
                assert!(is_ascii(&text.replace('é', "\u{7f}")), "{text:?}");
            }
            assert!(is_ascii(&"a".repeat(len)));
        }
    }

    #[test]
    fn is_upper_matches_python() {
        assert!(is_upper("GOOD"));
        assert!(is_upper("U.S."));
        assert!(!is_upper("Good"));
        assert!(!is_upper(":)"));
        assert!(is_upper("ÉTÉ"));
        assert!(!is_upper("ǅX"), "title case is not upper in Python");
        assert_eq!(words("a\u{1c}b  c"), ["a", "b", "c"]);
    }
}
