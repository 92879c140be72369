//! Text primitives every ingestd plugin and the daemon share: cleaning, paragraphs,
//! sentences, tokens with offsets, word keys and titles. One implementation, so that the
//! entities plugin, the sentiment plugin and the dedup plugin agree on what a word, a
//! sentence and an offset are, and no plugin writes its own tokenizer.
//!
//! # Offsets are code points into the cleaned text
//!
//! The daemon runs [`clean`] once per article and publishes the cleaned string as the
//! result's `text`. Every [`Span`] and [`Token`] offset indexes *that* string, counted
//! in Unicode code points (Rust `char`s). Code points because the results are JSON read
//! by other languages: Python's `str`, and most JSON consumers, index code points, while
//! UTF-8 byte offsets mean nothing to them and UTF-16 units are a JavaScript accident.
//! Inside Rust, slicing needs bytes, so [`Token`] carries both, and [`CharOffsets`]
//! converts byte matches (from `str::find`, a regex, Aho-Corasick) to code points in
//! O(log n). Because offsets index the cleaned text, cleaning must keep it faithful:
//! curly quotes, dashes and accents stay as published; only invisible characters,
//! control characters and layout whitespace change, and NFC makes "é" one code point
//! whatever the source sent.
//!
//! # Cleaning reports what it removes
//!
//! A consumer comparing our `text` with the file they dropped in must be able to tell
//! why they differ. So [`clean`] returns [`Cleaned::removed`]: every dropped repeated
//! line, and the invisible/control characters it took out, each with a reason string.
//! Normalisations that change no visible content (line endings, whitespace runs, NFC)
//! are not listed. Cleaning is deliberately conservative: it never decides that content
//! is boilerplate (a promo block like seed 000's "Get each day National news" is a later,
//! separate, reported step) because a wrong guess there silently deletes news.
//!
//! # Rule-based and allocation-light
//!
//! Everything here runs for every article on the daemon's hot path, inside plugins that
//! may be called from several threads. So it is plain rules over one scan of the text:
//! no models, no global state, no locks, deterministic across runs and platforms (dedup
//! depends on two runs agreeing). [`Tokens`] is an iterator that borrows the text and
//! never allocates; [`tokens`] only allocates the result vector; [`word_count`] counts
//! without collecting. The rules are tuned for English news: abbreviations such as
//! "U.S." are one token and do not end a sentence, hyphenated compounds and
//! apostrophes stay inside words.
//!
//! Unicode normalisation (NFC, NFKD, combining marks) comes from `unicode-normalization`.
//! Word boundaries are our own rather than UAX #29 (`unicode-segmentation`): UAX #29
//! splits "three-year-old" into five segments and "U.S." into "U.S" and ".", and repairing
//! that afterwards costs a second pass and more code than the direct rules.
//!
//! # Example
//!
//! ```
//! let raw = "Trump Hails Talks\r\n\r\nTrump Hails Talks\r\nU.S. envoy Steve Witkoff met Putin. \
//!            Mélanie Joly said “the ball is in Russia’s court.”";
//! let cleaned = ingest_text::clean(raw);
//! assert_eq!(cleaned.removed[0].reason, ingest_text::reason::REPEATED_LINE);
//! let text = &cleaned.text;
//! let a = ingest_text::analyse(text);
//! assert_eq!(a.title.map(|t| t.slice(text)), Some("Trump Hails Talks"));
//! assert_eq!(a.sentences.len(), 3); // the title line, and two sentences (not split after "U.S.")
//! let joly = ingest_text::tokens(text).into_iter().find(|t| t.text(text) == "Joly").unwrap();
//! assert_eq!(text.chars().skip(joly.start).take(joly.end - joly.start).collect::<String>(), "Joly");
//! ```
//!
//! # Modules
//!
//! - [`clean`](clean()) — raw text to published text ([`Cleaned`], [`Removed`], [`reason`]);
//! - [`paragraphs`], [`sentences`] — segmentation into [`Span`]s ([`Paragraphs`],
//!   [`Sentences`]: the same one span at a time, without allocating for ASCII text);
//! - [`tokens`], [`Tokens`], [`word_count`] — tokens with code-point and byte offsets;
//! - [`fold`], [`strip_possessive`] — keys for comparing words;
//! - [`title`] — the headline, if the text starts with one;
//! - [`CharOffsets`] — byte to code-point conversion;
//! - [`analyse`] — what the daemon computes once per document;
//! - [`read_articles`] — input bytes to articles ([`decode`], [`gunzip`], [`formats`],
//!   [`strip_boilerplate`], [`detect_language`]).

#![forbid(unsafe_code)]

mod article;
mod boilerplate;
mod clean;
mod decode;
mod fold;
pub mod formats;
mod gzip;
mod language;
mod offsets;
mod segment;
mod span;
mod title;
mod tokens;

pub use article::{Article, Extracted, Limits, Note, ReadError, finish, html_body, read_articles};
pub use boilerplate::{boilerplate_reason, strip_boilerplate};
pub use clean::{Cleaned, Removed, clean, reason};
pub use decode::{Decoded, Evidence, bom, decode};
pub use fold::{fold, strip_possessive};
pub use formats::{Format, RawArticle, detect_format};
pub use gzip::{GzipError, gunzip, is_gzip};
pub use language::{Language, detect_language};
pub use offsets::CharOffsets;
pub use segment::{Boundary, Paragraphs, Sentences, ascii_boundary, paragraphs, sentences};
pub use span::Span;
pub use title::{MAX_TITLE_CHARS, MAX_TITLE_WORDS, title};
pub use tokens::{Token, TokenKind, Tokens, tokens, word_count};

/// Everything the daemon computes once per document: the result's `title` and `stats`,
/// and the segmentation plugins reuse instead of recomputing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// The headline span, if the text starts with one (see [`title`]).
    pub title: Option<Span>,
    /// Paragraph spans (see [`paragraphs`]).
    pub paragraphs: Vec<Span>,
    /// Sentence spans, within paragraphs (see [`sentences`]).
    pub sentences: Vec<Span>,
    /// Word and Number tokens (see [`word_count`]).
    pub words: usize,
}

/// Analyses `text`, which should already be the output of [`clean`] (all offsets index
/// the text given here).
#[must_use]
pub fn analyse(text: &str) -> Analysis {
    let paragraphs = paragraphs(text);
    let sentences = sentences(text, &paragraphs);
    Analysis { title: title(text), paragraphs, sentences, words: word_count(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyse_puts_the_pieces_together() {
        let text = "Ad sales boost Time Warner profit\n\nProfits at TimeWarner jumped 76% to $1.13bn. \
                    Mr. Parsons was pleased.";
        let a = analyse(text);
        assert_eq!(a.title.map(|s| s.slice(text)), Some("Ad sales boost Time Warner profit"));
        assert_eq!(a.paragraphs.len(), 2);
        assert_eq!(a.sentences.len(), 3);
        assert_eq!(a.words, 6 + 7 + 4);
        assert_eq!(analyse(""), Analysis::default());
    }
}
