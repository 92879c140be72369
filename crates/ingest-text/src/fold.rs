//! Word keys: [`fold`] and [`strip_possessive`], so "Mélanie" meets "Melanie" and
//! "Putin's" meets "Putin".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::tokens::is_apostrophe;

/// Removes an English possessive ending: "Putin's" -> "Putin", "Zelenskyy’s" ->
/// "Zelenskyy", "U.S.'s" -> "U.S.", "Jones'" -> "Jones"; anything else is returned
/// unchanged.
///
/// Entity and sentiment plugins want "Putin's" and "Putin" to be one name, while the
/// tokenizer keeps them one token so offsets cover what the text says. Pronoun
/// contractions ("it's", "that's", "let's") are left alone: they are not possessives.
#[must_use]
pub fn strip_possessive(word: &str) -> &str {
    let mut rev = word.char_indices().rev();
    let stem_end = match (rev.next(), rev.next()) {
        // "...'s" / "...’s"
        (Some((_, 's' | 'S')), Some((a, c))) if is_apostrophe(c) => a,
        // "...s'" / "...s’"
        (Some((a, c)), Some((_, 's' | 'S'))) if is_apostrophe(c) => a,
        _ => return word,
    };
    let stem = &word[..stem_end];
    if stem.is_empty() || is_contraction_stem(stem) || !stem.chars().any(char::is_alphanumeric) {
        return word;
    }
    stem
}

/// Words whose "'s" is "is"/"has"/"us", not a possessive.
fn is_contraction_stem(stem: &str) -> bool {
    const STEMS: &[&str] = &[
        "it", "he", "she", "that", "what", "there", "here", "who", "where", "when", "why", "how", "let",
        "this",
    ];
    STEMS.iter().any(|s| s.eq_ignore_ascii_case(stem))
}

/// Case- and accent-insensitive key for comparing words: lowercase, NFKD with combining
/// marks removed ("Mélanie" -> "melanie", "ﬁ" -> "fi"), curly and modifier apostrophes
/// -> `'`.
///
/// Use it for matching and grouping, never for display or offsets: the folded string can
/// differ in length from the original.
#[must_use]
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return out;
    }
    for c in word.nfkd().filter(|&c| !is_combining_mark(c)) {
        if is_apostrophe(c) || c == '\u{2018}' {
            out.push('\'');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_possessives() {
        assert_eq!(strip_possessive("Putin's"), "Putin");
        assert_eq!(strip_possessive("Zelenskyy’s"), "Zelenskyy");
        assert_eq!(strip_possessive("Jones'"), "Jones");
        assert_eq!(strip_possessive("Jones’"), "Jones");
        assert_eq!(strip_possessive("U.S.'s"), "U.S.");
        assert_eq!(strip_possessive("RUSSIA'S"), "RUSSIA");
    }

    #[test]
    fn leaves_other_words_alone() {
        for w in ["Putin", "Jones", "it's", "That’s", "let's", "'s", "'", "", "s", "don't", "Paris"] {
            assert_eq!(strip_possessive(w), w);
        }
    }

    #[test]
    fn folds_case_accents_and_apostrophes() {
        assert_eq!(fold("Mélanie"), "melanie");
        assert_eq!(fold("Me\u{301}lanie"), "melanie");
        assert_eq!(fold("ZELENSKYY"), "zelenskyy");
        assert_eq!(fold("Ukraine’s"), "ukraine's");
        assert_eq!(fold("ﬁnal"), "final");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Zürich"), fold("zurich"));
    }
}
