//! Paragraphs repeated inside one article: a headline printed twice, a body pasted twice.

use std::collections::HashMap;

use ingest_abi::Span;

use crate::normalise::Word;
use crate::result::RepeatedParagraph;

/// Paragraphs with fewer words than this are never reported: short lines ("Advertisement",
/// "Share this") repeat legitimately.
pub const MIN_WORDS: usize = 5;

/// Every paragraph whose normalised text equals an earlier paragraph's, with the span of
/// the first occurrence. `words` are the whole text's words in order (see
/// [`crate::normalise::words`]); a word belongs to the paragraph that contains it.
pub fn repeated(paragraphs: &[Span], words: &[Word]) -> Vec<RepeatedParagraph> {
    let mut first_seen: HashMap<String, Span> = HashMap::new();
    let mut repeats = Vec::new();
    for &paragraph in paragraphs {
        let from = words.partition_point(|w| w.start < paragraph.start);
        let inside = words[from..].iter().take_while(|w| w.end <= paragraph.end);
        let (mut key, mut count) = (String::new(), 0usize);
        for w in inside {
            if count > 0 {
                key.push(' ');
            }
            key.push_str(&w.text);
            count += 1;
        }
        if count < MIN_WORDS {
            continue;
        }
        match first_seen.get(&key) {
            Some(&first) => {
                repeats.push(RepeatedParagraph { start: paragraph.start, end: paragraph.end, first })
            }
            None => {
                first_seen.insert(key, paragraph);
            }
        }
    }
    repeats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::words;

    #[test]
    fn repeats_point_at_their_first_occurrence_and_short_lines_are_skipped() {
        let text = "One two three four five.\nShort line\nOther words in this one.\n\
                    ONE two three, four five!\nShort line";
        let spans = [(0, 24), (25, 35), (36, 60), (61, 86), (87, 97)].map(|(start, end)| Span { start, end });
        let found = repeated(&spans, &words(text));
        assert_eq!(found, vec![RepeatedParagraph { start: 61, end: 86, first: Span { start: 0, end: 24 } }]);
    }
}
