//! [`Piece`]s: the word-level view the recogniser works on, built from
//! `ingest_text::tokens` and the host's sentences.
//!
//! A piece is a Word or Number token, or one part of a hyphenated word ("US-led" gives
//! "US" and "led", so the "US" in it can be a mention), with its possessive "'s" cut off
//! and with what separates it from the previous piece of its sentence.

use ingest_abi::Span;
use ingest_text::{TokenKind, fold, strip_possessive, tokens};

/// What lies between a piece and the previous piece of its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Spaces or tabs only.
    Space,
    /// A joining hyphen and nothing else ("US-Ukraine", "U.S.-proposed").
    Hyphen,
    /// A full stop then spaces, as after an abbreviated title ("Mr. Smith").
    Dot,
    /// Anything else (punctuation, a line break), or the start of the sentence.
    Break,
}

/// One word (or hyphen part) of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The word as written, possessive excluded.
    pub text: &'a str,
    /// [`fold`]ed `text`, for list lookups and matching.
    pub folded: String,
    /// First code point.
    pub start: usize,
    /// One past the last code point (possessive excluded).
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// One past the last byte (possessive excluded).
    pub byte_end: usize,
    /// What separates it from the previous piece.
    pub gap: Gap,
    /// Starts with an uppercase letter.
    pub capitalised: bool,
    /// Carried a possessive ending ("Putin's"): a name ends here.
    pub possessive: bool,
    /// First word of its sentence or of a quotation, where capitals say nothing.
    pub initial: bool,
}

/// The pieces of each sentence of `text`, one vector per span of `sentences`.
pub fn pieces<'a>(text: &'a str, sentences: &[Span]) -> Vec<Vec<Piece<'a>>> {
    let mut out: Vec<Vec<Piece<'a>>> = vec![Vec::new(); sentences.len()];
    let mut sentence = 0;
    // Byte end (possessive included) of the previous piece in the current sentence.
    let mut prev_end: Option<usize> = None;
    for token in tokens(text) {
        while sentence < sentences.len() && token.start >= sentences[sentence].end {
            sentence += 1;
            prev_end = None;
        }
        if sentence == sentences.len() {
            break;
        }
        if token.start < sentences[sentence].start
            || !matches!(token.kind, TokenKind::Word | TokenKind::Number)
        {
            continue;
        }
        let word = token.text(text);
        let number = token.kind == TokenKind::Number;
        let mut char_pos = token.start;
        let mut byte_pos = token.byte_start;
        let parts: Vec<&str> = if number { vec![word] } else { word.split(is_hyphen).collect() };
        let last = parts.len() - 1;
        for (k, part) in parts.into_iter().enumerate() {
            let part_chars = part.chars().count();
            let (raw_start, raw_end) = (byte_pos, byte_pos + part.len());
            let stem = if k == last { strip_possessive(part) } else { part };
            let gap_text = prev_end.map(|e| &text[e..raw_start]);
            let piece = Piece {
                text: stem,
                folded: fold(stem),
                start: char_pos,
                end: char_pos + stem.chars().count(),
                byte_start: raw_start,
                byte_end: raw_start + stem.len(),
                gap: gap_text.map_or(Gap::Break, classify_gap),
                capitalised: !number && stem.chars().next().is_some_and(char::is_uppercase),
                possessive: stem.len() != part.len(),
                initial: gap_text.is_none_or(opens_quotation),
            };
            if !piece.text.is_empty() {
                out[sentence].push(piece);
            }
            prev_end = Some(raw_end);
            // Skip the part and the one-char hyphen after it.
            let hyphen = text[raw_end..].chars().next().filter(|_| k < last);
            byte_pos = raw_end + hyphen.map_or(0, char::len_utf8);
            char_pos += part_chars + usize::from(hyphen.is_some());
        }
    }
    out
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn classify_gap(gap: &str) -> Gap {
    if gap.is_empty() || (gap.chars().count() == 1 && gap.chars().all(is_hyphen)) {
        Gap::Hyphen
    } else if gap.chars().all(|c| c == ' ' || c == '\t' || c == '\u{a0}') {
        Gap::Space
    } else if gap.starts_with('.') && gap[1..].chars().all(|c| c == ' ' || c == '\u{a0}') && gap.len() > 1 {
        Gap::Dot
    } else {
        Gap::Break
    }
}

/// A gap that opens a quotation, parenthesis or clause after a colon or dash: the next
/// word is capitalised for that reason alone.
fn opens_quotation(gap: &str) -> bool {
    gap.chars().any(|c| matches!(c, '“' | '"' | '‘' | '«' | '(' | '[' | ':' | '—' | '–'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Vec<Span> {
        vec![Span { start: 0, end: text.chars().count() }]
    }

    #[test]
    fn hyphen_parts_and_possessives_get_their_own_offsets() {
        let text = "Mélanie backed the US-led plan and Putin’s war.";
        let p = &pieces(text, &whole(text))[0];
        let words: Vec<&str> = p.iter().map(|p| p.text).collect();
        assert_eq!(words, ["Mélanie", "backed", "the", "US", "led", "plan", "and", "Putin", "war"]);
        let chars: Vec<char> = text.chars().collect();
        for piece in p {
            let covered: String = chars[piece.start..piece.end].iter().collect();
            assert_eq!(covered, piece.text);
        }
        assert_eq!(p[4].gap, Gap::Hyphen);
        assert!(p[7].possessive && p[7].capitalised);
        assert!(p[0].initial && !p[3].initial);
    }

    #[test]
    fn gaps_and_quotation_starts() {
        let text = "Mr. Smith said: “The talks, Rubio said.";
        let p = &pieces(text, &whole(text))[0];
        assert_eq!(p[1].gap, Gap::Dot);
        assert_eq!(p[2].gap, Gap::Space);
        assert!(p[3].initial, "first word of a quotation");
        assert_eq!(p[5].gap, Gap::Break);
    }

    #[test]
    fn pieces_are_grouped_by_sentence() {
        let text = "Trump spoke. Putin listened.";
        let spans = [Span { start: 0, end: 12 }, Span { start: 13, end: 28 }];
        let p = pieces(text, &spans);
        assert_eq!(p[0].len(), 2);
        assert_eq!(p[1][0].text, "Putin");
        assert!(p[1][0].initial);
    }
}
