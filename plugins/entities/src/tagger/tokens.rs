//! The tagger's tokens: `ingest_text::tokens`, with a possessive ending split off as a
//! token of its own ("Putin's" → "Putin" "'s"), as CoNLL-2003 writes it. Training text
//! (already tokenised by CoNLL) goes through [`conll_subtokens`], the same rules, so the
//! model sees at training time exactly the tokens it sees in `process`.

use ingest_abi::Span;
use ingest_text::{TokenKind, strip_possessive};

/// One tagger token of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// One past the last byte.
    pub byte_end: usize,
}

impl Tok {
    /// The token's text in `text`.
    #[must_use]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.byte_start..self.byte_end]
    }
}

/// The tokens of each sentence span of `text` (code points), one vector per span.
/// Tokens outside every span are dropped.
#[must_use]
pub fn sentence_tokens(text: &str, sentences: &[Span]) -> Vec<Vec<Tok>> {
    // About one token per four code points: room enough that a sentence rarely regrows.
    let mut out: Vec<Vec<Tok>> =
        sentences.iter().map(|s| Vec::with_capacity(s.end.saturating_sub(s.start) / 4 + 4)).collect();
    let mut s = 0;
    for t in ingest_text::Tokens::new(text) {
        while s < sentences.len() && t.start >= sentences[s].end {
            s += 1;
        }
        if s == sentences.len() {
            break;
        }
        if t.start < sentences[s].start {
            continue;
        }
        let tok = Tok { start: t.start, end: t.end, byte_start: t.byte_start, byte_end: t.byte_end };
        push_split(text, tok, t.kind, &mut out[s]);
    }
    out
}

/// Pushes `tok`, split into stem and possessive ending when it has one.
fn push_split(text: &str, tok: Tok, kind: TokenKind, out: &mut Vec<Tok>) {
    let word = tok.text(text);
    if kind == TokenKind::Word {
        let stem = strip_possessive(word);
        if stem.len() < word.len() {
            let stem_chars = stem.chars().count();
            out.push(Tok { end: tok.start + stem_chars, byte_end: tok.byte_start + stem.len(), ..tok });
            out.push(Tok { start: tok.start + stem_chars, byte_start: tok.byte_start + stem.len(), ..tok });
            return;
        }
    }
    out.push(tok);
}

/// The tagger tokens of one CoNLL token: usually itself; "Mr." → "Mr" "."; "U.S.-led" →
/// "U.S." "-" "led". A CoNLL token starting with an apostrophe ("'s", "'re") stays whole,
/// as the possessive split produces it.
#[must_use]
pub fn conll_subtokens(word: &str) -> Vec<&str> {
    if word.starts_with(['\'', '’']) && word.chars().count() > 1 {
        return vec![word];
    }
    let mut out = Vec::new();
    for t in ingest_text::Tokens::new(word) {
        let tok = Tok { start: t.start, end: t.end, byte_start: t.byte_start, byte_end: t.byte_end };
        let mut parts = Vec::new();
        push_split(word, tok, t.kind, &mut parts);
        out.extend(parts.iter().map(|p| p.text(word)));
    }
    if out.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possessives_split_and_offsets_stay_code_points() {
        let text = "Zelenskyy’s envoy met Putin's aide in the U.S.'s office.";
        let spans = [Span { start: 0, end: text.chars().count() }];
        let toks = &sentence_tokens(text, &spans)[0];
        let words: Vec<&str> = toks.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            [
                "Zelenskyy",
                "’s",
                "envoy",
                "met",
                "Putin",
                "'s",
                "aide",
                "in",
                "the",
                "U.S.",
                "'s",
                "office",
                "."
            ]
        );
        let chars: Vec<char> = text.chars().collect();
        for t in toks {
            assert_eq!(chars[t.start..t.end].iter().collect::<String>(), t.text(text));
        }
    }

    #[test]
    fn conll_tokens_map_onto_tagger_tokens() {
        assert_eq!(conll_subtokens("U.S."), ["U.S."]);
        assert_eq!(conll_subtokens("'s"), ["'s"]);
        assert_eq!(conll_subtokens("Mr."), ["Mr", "."]);
        assert_eq!(conll_subtokens("U.S.-led"), ["U.S.", "-", "led"]);
        assert_eq!(conll_subtokens("Weston-super-Mare"), ["Weston-super-Mare"]);
        assert_eq!(conll_subtokens("1996-08-22"), ["1996", "-", "08", "-", "22"]);
    }
}
