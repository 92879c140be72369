//! Paragraphs repeated inside one article: a headline printed twice, a body pasted twice.

use std::collections::HashMap;

use ingest_abi::Span;

use crate::normalise::Words;
use crate::result::RepeatedParagraph;

/// Paragraphs with fewer words than this are never reported: short lines ("Advertisement",
/// "Share this") repeat legitimately.
pub const MIN_WORDS: usize = 5;

/// Every paragraph whose normalised text equals an earlier paragraph's, with the span of
/// the first occurrence. `words` are the whole text's words in order (see
/// [`crate::normalise::words`]); a word belongs to the paragraph that contains it.
pub fn repeated(paragraphs: &[Span], words: &Words) -> Vec<RepeatedParagraph> {
    let mut first_seen: HashMap<&str, Span> = HashMap::new();
    let mut repeats = Vec::new();
    let spans = words.spans();
    for &paragraph in paragraphs {
        let from = spans.partition_point(|w| w.start < paragraph.start);
        let count = spans[from..].iter().take_while(|w| w.end <= paragraph.end).count();
        if count < MIN_WORDS {
            continue;
        }
        // The paragraph's words joined by spaces, borrowed from the article's joined form.
        let key = words.joined_range(from..from + count);
        match first_seen.get(key) {
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
