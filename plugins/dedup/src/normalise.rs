//! The one normal form every comparison in this plugin starts from: the text's word and
//! number tokens, case-folded and accent-free, with their code-point spans.
//!
//! Punctuation, symbols and whitespace are dropped, so "Putin's  \"ceasefire\"" and
//! "putins ceasefire" differ only where a tokenizer splits words, not in quoting or layout.

/// One word of the normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The folded word (lowercase, accents removed).
    pub text: String,
    /// First code point of the word in the document text.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
}

/// The folded word and number tokens of `text`, in order.
///
/// Invariant: `start` is strictly increasing and `start < end`.
pub fn words(text: &str) -> Vec<Word> {
    ingest_text::tokens(text)
        .into_iter()
        .filter(|t| matches!(t.kind, ingest_text::TokenKind::Word | ingest_text::TokenKind::Number))
        .filter_map(|t| {
            let folded = ingest_text::fold(t.text(text));
            (!folded.is_empty()).then_some(Word { text: folded, start: t.start, end: t.end })
        })
        .collect()
}

/// The exact-duplicate key of a document: 32 bytes identifying its normal form.
pub type ExactKey = [u8; 32];

/// The exact-duplicate key: BLAKE3 of the folded words joined by single spaces.
///
/// A text without any word has no normal form to compare; its key falls back to the
/// document id (BLAKE3 of the file bytes), so only byte-identical copies of it match.
pub fn exact_key(words: &[Word], id: &str) -> ExactKey {
    let mut hasher = blake3::Hasher::new();
    if words.is_empty() {
        hasher.update(b"id\0");
        hasher.update(id.as_bytes());
    } else {
        hasher.update(b"words\0");
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                hasher.update(b" ");
            }
            hasher.update(w.text.as_bytes());
        }
    }
    *hasher.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_case_and_punctuation_do_not_change_the_key() {
        let a = words("Putin's  \"ceasefire\" plan,\nsaid Mélanie JOLY.");
        let b = words("putin's ceasefire plan said melanie joly");
        assert_eq!(exact_key(&a, "x"), exact_key(&b, "y"));
        let c = words("putin's ceasefire plan said joly");
        assert_ne!(exact_key(&a, "x"), exact_key(&c, "x"));
    }

    #[test]
    fn spans_are_code_points() {
        let text = "Mélanie Joly";
        let w = words(text);
        assert_eq!(w.len(), 2);
        assert_eq!((w[1].start, w[1].end), (8, 12));
        assert_eq!(w[0].text, "melanie");
    }

    #[test]
    fn a_text_without_words_is_keyed_by_its_id() {
        assert_eq!(exact_key(&[], "b3:1"), exact_key(&words("— …"), "b3:1"));
        assert_ne!(exact_key(&[], "b3:1"), exact_key(&[], "b3:2"));
    }
}
