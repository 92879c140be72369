//! The words VADER scores: its own `SentiText` preparation, not a general tokenizer.
//!
//! VADER's rules are defined over *its* tokens: the text split on whitespace, with leading
//! and trailing ASCII punctuation stripped unless that leaves two characters or fewer (so
//! the emoticons of its lexicon, ":)" or ":-(", survive, and "don't" stays one word). Using
//! `ingest_text::tokens` instead would split ":)" and change which words negation and
//! boosting see, and the reference scores would no longer match. So this module keeps
//! VADER's definition and nothing else.
//!
//! One deliberate, documented deviation: typographic quotes, apostrophes, dashes and the
//! ellipsis are first mapped to their ASCII forms. VADER only strips ASCII punctuation, so
//! on news text it would look up `“excellent` (and find nothing) and would not see the
//! negation in `couldn’t`. The mapping keeps every character count equal except `…`.

use std::borrow::Cow;

use crate::lexicon::Lexicon;

/// A text prepared the way VADER prepares it: typographic punctuation made ASCII, emoji
/// replaced by their descriptions, surrounding whitespace trimmed.
pub fn prepare<'a>(text: &'a str, lexicon: &Lexicon) -> Cow<'a, str> {
    let needs_work = text.chars().any(|c| typographic(c).is_some() || !c.is_ascii());
    if !needs_work {
        return Cow::Borrowed(text.trim());
    }
    let mut out = String::with_capacity(text.len());
    // VADER inserts a space before an emoji description unless one precedes it.
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(ascii) = typographic(c) {
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
    Cow::Owned(out.trim().to_owned())
}

/// VADER's `words_and_emoticons`: whitespace-separated tokens with surrounding ASCII
/// punctuation stripped, unless stripping leaves two characters or fewer.
pub fn words(prepared: &str) -> Vec<&str> {
    prepared
        .split_whitespace()
        .map(|token| {
            let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
            if stripped.chars().count() <= 2 { token } else { stripped }
        })
        .collect()
}

/// Python's `str.isupper()`: at least one cased character and none lowercase.
pub fn is_upper(word: &str) -> bool {
    word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase)
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
        let text = prepare("Good!!! :) don't (really) go, ok?", &lex);
        // "go," and "ok?" keep their punctuation: stripped they would be two letters or fewer.
        assert_eq!(words(&text), ["Good", ":)", "don't", "really", "go,", "ok?"]);
    }

    #[test]
    fn typographic_quotes_and_apostrophes_become_ascii() {
        let lex = lex();
        let text = prepare("“excellent” but couldn’t", &lex);
        assert_eq!(words(&text), ["excellent", "but", "couldn't"]);
    }

    #[test]
    fn emoji_become_their_description() {
        let lex = lex();
        assert_eq!(prepare("nice😁", &lex), "nice beaming face with smiling eyes");
    }

    #[test]
    fn is_upper_matches_python() {
        assert!(is_upper("GOOD"));
        assert!(is_upper("U.S."));
        assert!(!is_upper("Good"));
        assert!(!is_upper(":)"));
    }
}
