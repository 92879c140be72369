//! The one normal form every comparison in this plugin starts from: the text's word and
//! number tokens, case-folded and accent-free, with their code-point spans.
//!
//! Punctuation, symbols and whitespace are dropped, so "Putin's  \"ceasefire\"" and
//! "putins ceasefire" differ only where a tokenizer splits words, not in quoting or layout.

/// One word of the normal form: where it is in the document and in [`Words::joined`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// First code point of the word in the document text.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
    /// Byte range of the folded word (lowercase, accents removed) in [`Words::joined`].
    folded: (usize, usize),
}

/// The folded words of a text: their texts joined by single spaces in one string (one
/// allocation per article rather than one per word; the joined form is also what the exact
/// key and the repeated-paragraph check compare) and each word's spans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    joined: String,
    words: Vec<Word>,
}

impl Words {
    /// The folded words in order, separated by single spaces.
    pub fn joined(&self) -> &str {
        &self.joined
    }

    /// The words' spans, in order.
    pub fn spans(&self) -> &[Word] {
        &self.words
    }

    /// The folded text of `word` (one of [`Words::spans`]).
    pub fn text(&self, word: &Word) -> &str {
        &self.joined[word.folded.0..word.folded.1]
    }

    /// The folded texts in order.
    pub fn texts(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.words.iter().map(|w| self.text(w))
    }

    /// The folded words `range` (indices into [`Words::spans`], non-empty) as they appear
    /// in [`Words::joined`]: joined by single spaces.
    pub fn joined_range(&self, range: std::ops::Range<usize>) -> &str {
        let (first, last) = (&self.words[range.start], &self.words[range.end - 1]);
        &self.joined[first.folded.0..last.folded.1]
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the text has no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The folded word and number tokens of `text`, in order.
///
/// Invariant: `start` is strictly increasing and `start < end`.
pub fn words(text: &str) -> Words {
    // Tokens straight from the tokenizer's iterator (no token list in between).
    let mut out =
        Words { joined: String::with_capacity(text.len()), words: Vec::with_capacity(text.len() / 6 + 1) };
    for t in ingest_text::Tokens::new(text) {
        if !matches!(t.kind, ingest_text::TokenKind::Word | ingest_text::TokenKind::Number) {
            continue;
        }
        let token = t.text(text);
        let at = out.joined.len() + usize::from(!out.words.is_empty());
        // `fold` of an ASCII word is its ASCII lowercase, built here in place.
        let folded = if token.is_ascii() {
            if token.is_empty() {
                continue;
            }
            if at > out.joined.len() {
                out.joined.push(' ');
            }
            out.joined.push_str(token);
            out.joined[at..].make_ascii_lowercase();
            out.joined.len()
        } else {
            let folded = ingest_text::fold(token);
            if folded.is_empty() {
                continue;
            }
            if at > out.joined.len() {
                out.joined.push(' ');
            }
            out.joined.push_str(&folded);
            out.joined.len()
        };
        out.words.push(Word { start: t.start, end: t.end, folded: (at, folded) });
    }
    out
}

/// The exact-duplicate key of a document: 32 bytes identifying its normal form.
pub type ExactKey = [u8; 32];

/// The exact-duplicate key: BLAKE3 of the folded words joined by single spaces.
///
/// A text without any word has no normal form to compare; its key falls back to the
/// document id (BLAKE3 of the file bytes), so only byte-identical copies of it match.
pub fn exact_key(words: &Words, id: &str) -> ExactKey {
    let mut hasher = blake3::Hasher::new();
    if words.is_empty() {
        hasher.update(b"id\0");
        hasher.update(id.as_bytes());
    } else {
        hasher.update(b"words\0");
        hasher.update(words.joined().as_bytes());
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
        assert_eq!((w.spans()[1].start, w.spans()[1].end), (8, 12));
        assert_eq!(w.texts().collect::<Vec<_>>(), ["melanie", "joly"]);
        assert_eq!(w.joined(), "melanie joly");
        assert_eq!(w.joined_range(1..2), "joly");
    }

    #[test]
    fn a_text_without_words_is_keyed_by_its_id() {
        let none = Words::default();
        assert_eq!(exact_key(&none, "b3:1"), exact_key(&words("— …"), "b3:1"));
        assert_ne!(exact_key(&none, "b3:1"), exact_key(&none, "b3:2"));
    }
}
