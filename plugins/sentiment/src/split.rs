//! The host's sentence split ([`ingest_text::Sentences`]) of an ASCII text, found from the
//! bit masks the scorer classifies the text into anyway ([`Scanner`]): line breaks and
//! terminators are bit reads, not another two passes over the text.
//!
//! What decides a boundary at a terminator (closing quotes, the next sentence's starter,
//! abbreviations and initials) is the host's own function, [`ingest_text::ascii_boundary`];
//! this module only finds the paragraphs and terminators and trims, as the host does for
//! ASCII text. A text that is not ASCII is split the same way where the host's rule reads
//! only ASCII characters of it ([`MaskSentences::next_wide`]), and refused elsewhere. The
//! tests check the spans against [`ingest_text::Sentences`] on every development text,
//! Financial PhraseBank, the BBC articles and generated stress texts.

use crate::scan::{LINE, Scanner, TERMINATOR};

/// `char::is_whitespace` for an ASCII byte (the host's white space: not U+001C..U+001F,
/// which Python and the scanner's white-space mask count).
#[inline(always)]
fn is_blank(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// True when the host's rule reads on past a terminator over this byte: another
/// terminator, an ASCII closing quote or bracket, or white space. A sentence can only end
/// at a terminator followed by one of these (then the host's rule decides).
#[inline(always)]
fn is_continuation(b: u8) -> bool {
    is_blank(b) || matches!(b, b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']' | b'}')
}

/// The sentences of the text last scanned, one at a time, as byte ranges: the spans of
/// `ingest_text::Sentences::of(text)`, for an ASCII text (the caller checks
/// [`Scanner::non_ascii`]). The state holds no borrow, so the caller may use its own
/// buffers between sentences.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MaskSentences {
    /// Where the next line starts.
    line: usize,
    /// The current paragraph (`start..end`, trimmed); `end == 0` when there is none.
    start: usize,
    end: usize,
    /// Where the current sentence starts.
    sentence: usize,
    /// Where to look for the next terminator.
    at: usize,
    /// [`MaskSentences::next_wide`] met a place where the host's rule would read a
    /// non-ASCII character: the spans given may differ from the host's.
    unsure: bool,
}

impl MaskSentences {
    /// The next sentence of `text` (the ASCII text `scanner` last scanned).
    #[inline(always)]
    pub(crate) fn next(&mut self, scanner: &Scanner, text: &[u8]) -> Option<(usize, usize)> {
        self.next_with::<false>(scanner, text)
    }

    /// The next sentence of a text that is not ASCII, as byte ranges, while
    /// [`MaskSentences::unsure`] stays false (once it is true, the caller takes the host's
    /// own split instead).
    ///
    /// The host splits such a text as a vector of `char`s, with the rule that
    /// [`ingest_text::ascii_boundary`] applies to bytes. The two agree wherever the rule
    /// reads only ASCII characters: line breaks and white space (none is non-ASCII here:
    /// the text is refused when it has non-ASCII white space), the byte after a terminator
    /// (a non-ASCII closing quote would continue the sentence), and, at a terminator the
    /// rule looks at, everything up to the next sentence's first character and the word
    /// before a `.` with the character before it. Terminators are ASCII, so the byte
    /// offsets of those places are the host's code points mapped to bytes.
    #[inline]
    pub(crate) fn next_wide(&mut self, scanner: &Scanner, text: &[u8]) -> Option<(usize, usize)> {
        if scanner.wide_space() {
            self.unsure = true;
            return None;
        }
        self.next_with::<true>(scanner, text)
    }

    /// True when [`MaskSentences::next_wide`] could not be sure of the host's split.
    pub(crate) fn unsure(&self) -> bool {
        self.unsure
    }

    /// [`MaskSentences::next`]; with `WIDE`, of a text with non-ASCII bytes (see
    /// [`MaskSentences::next_wide`]): stops with [`MaskSentences::unsure`] set where the
    /// host's rule would read one.
    #[inline(always)]
    fn next_with<const WIDE: bool>(&mut self, scanner: &Scanner, text: &[u8]) -> Option<(usize, usize)> {
        loop {
            if self.end > 0 {
                let end = self.end;
                let i = scanner.next_in(TERMINATOR, self.at, end);
                if i >= end {
                    // The paragraph's rest is its last sentence.
                    self.end = 0;
                    if let Some(s) = trimmed(text, self.sentence, end) {
                        return Some(s);
                    }
                    continue;
                }
                // Most terminators end the paragraph or sit inside a word ("3.5", "U.S."):
                // nothing can follow them, so no sentence ends there and the search goes
                // on right after them (what the host's rule gives, without calling it).
                if WIDE && i + 1 < end && !text[i + 1].is_ascii() {
                    self.unsure = true;
                    return None;
                }
                if i + 1 == end || !is_continuation(text[i + 1]) {
                    self.at = i + 1;
                    continue;
                }
                let b = ingest_text::ascii_boundary(text, self.start, end, i);
                if WIDE && !rule_read_ascii(scanner, text, self.start, end, i, b.next_start) {
                    self.unsure = true;
                    return None;
                }
                self.at = b.resume;
                if b.breaks {
                    let sentence = trimmed(text, self.sentence, b.sentence_end);
                    self.sentence = b.next_start;
                    if sentence.is_some() {
                        return sentence;
                    }
                }
                continue;
            }
            // The next paragraph: a line without its surrounding white space, if any is left.
            let len = text.len();
            if self.line >= len {
                return None;
            }
            let line_end = scanner.next_in(LINE, self.line, len);
            let (start, last) = trim(text, self.line, line_end);
            self.line = line_end + 1;
            if start < last {
                (self.start, self.end, self.sentence, self.at) = (start, last, start, start);
            }
        }
    }
}

/// True when the host's rule at the terminator `i` of the paragraph `start..end`, whose
/// next sentence would start at `next`, reads only ASCII characters: from the terminator
/// to `next` (inclusive, inside the paragraph), and before a `.` the run of letters and
/// dots that ends at it with the character before that run (the abbreviation check).
#[inline]
fn rule_read_ascii(scanner: &Scanner, text: &[u8], start: usize, end: usize, i: usize, next: usize) -> bool {
    if scanner.any_non_ascii(i, (next + 1).min(end)) {
        return false;
    }
    if text[i] == b'.' {
        let mut w = i;
        while w > start && (text[w - 1].is_ascii_alphabetic() || text[w - 1] == b'.') {
            w -= 1;
        }
        // The run stops at an ASCII character or the paragraph's start: the host's stops
        // there too. At a non-ASCII byte the host reads a character the bytes are not.
        if w > start && !text[w - 1].is_ascii() {
            return false;
        }
    }
    true
}

/// `start..end` of `text` without surrounding white space.
#[inline(always)]
fn trim(text: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && is_blank(text[start]) {
        start += 1;
    }
    while end > start && is_blank(text[end - 1]) {
        end -= 1;
    }
    (start, end)
}

/// `start..end` without surrounding white space, if anything is left.
#[inline(always)]
fn trimmed(text: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let (start, end) = trim(text, start, end);
    (start < end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated stress texts (shared with `examples/sentiment_bench.rs`).
    mod stress {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/stress.rs"));
    }

    fn split(text: &str) -> Vec<(usize, usize)> {
        let mut scanner = Scanner::default();
        scanner.scan_for_split(text);
        assert!(!scanner.non_ascii());
        let mut s = MaskSentences::default();
        std::iter::from_fn(|| s.next(&scanner, text.as_bytes())).collect()
    }

    fn host(text: &str) -> Vec<(usize, usize)> {
        ingest_text::Sentences::of(text).map(|s| (s.start, s.end)).collect()
    }

    /// The host's spans as byte ranges (its spans count code points).
    fn host_bytes(text: &str) -> Vec<(usize, usize)> {
        let byte = |cp: usize| text.char_indices().nth(cp).map_or(text.len(), |(b, _)| b);
        host(text).into_iter().map(|(s, e)| (byte(s), byte(e))).collect()
    }

    /// Texts that are not ASCII: split from the masks where the host's rule reads only
    /// ASCII, refused (left to the host) where it would read a non-ASCII character.
    #[test]
    fn splits_text_that_is_not_ascii_as_the_host_or_refuses() {
        let sure = [
            "Mélanie Joly was excellent. The war is horrible.",
            "Café au lait. Très bon! Dr. Müller came.\nSecond line é.",
            "naïve idea... and U.S. policy. Next – one.",
        ];
        let unsure = [
            // The next sentence starts with a non-ASCII capital.
            "It ended. Élise left.",
            // A non-ASCII closing quote after the terminator.
            "He said \u{201c}go.\u{201d} Then left.",
            // A non-ASCII letter in the word before a '.' the rule looks at.
            "Dr. Mü. Then",
            // Non-ASCII white space.
            "One.\u{a0}Two.",
            "One.\u{2028}Two.",
        ];
        let mut scanner = Scanner::default();
        for (text, expect_sure) in sure.iter().map(|t| (t, true)).chain(unsure.iter().map(|t| (t, false))) {
            scanner.scan_for_split(text);
            let mut s = MaskSentences::default();
            let got: Vec<_> = std::iter::from_fn(|| s.next_wide(&scanner, text.as_bytes())).collect();
            assert_eq!(!s.unsure(), expect_sure, "{text:?}");
            if expect_sure {
                assert_eq!(got, host_bytes(text), "{text:?}");
            }
        }
    }

    #[test]
    fn splits_as_the_host_splits() {
        let texts = [
            "",
            "   ",
            "\n\n",
            "One. Two! Three? four. Five...",
            "Head line\nFirst para. Mr. Smith came.\n\n  Second para.  \n\n",
            "Mr. Smith met Dr. Jones on Jan. 20 at No. 10. J. K. Rowling wrote e.g. Harry Potter.",
            "He met Ant and Dec. Natalie left. It was No. 1 on Jan. 3. \"No. Definitely not.\"",
            "It rose 3.5 per cent. and then fell... no.\r\nIt was World War I. But\u{1c}A. B",
            "x. \u{1c}Y. \u{b}Z.\u{c}Q",
        ];
        for text in texts {
            assert_eq!(split(text), host(text), "{text:?}");
        }
        // A long text (several mask reads per search), after a longer one (stale masks).
        let long = "word ".repeat(40) + "end. Next one. " + &"x".repeat(130) + "\nLast.";
        let mut scanner = Scanner::default();
        scanner.scan_for_split(&"Abc. Def! ".repeat(100));
        for text in [long.as_str(), "A. B", "short. One"] {
            scanner.scan_for_split(text);
            let mut s = MaskSentences::default();
            let got: Vec<_> = std::iter::from_fn(|| s.next(&scanner, text.as_bytes())).collect();
            assert_eq!(got, host(text), "{text:?}");
        }
    }

    /// The split against the host's on every text at hand: the development ground truth,
    /// Financial PhraseBank, the BBC articles (multi-paragraph) and generated stress texts,
    /// with one scanner for all of them (masks left over from longer texts).
    #[test]
    fn splits_every_text_as_the_host_splits() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        let mut texts = stress::texts(8000);
        let files = [
            "vader_groundtruth/tweets_GroundTruth.txt",
            "vader_groundtruth/movieReviewSnippets_GroundTruth.txt",
            "vader_groundtruth/amazonReviewSnippets_GroundTruth.txt",
            "financial_phrasebank/Sentences_50Agree.txt",
        ];
        let mut found = 0;
        for f in files {
            if let Ok(bytes) = std::fs::read(data.join(f)) {
                found += 1;
                texts.extend(crate::eval::parse(&bytes).into_iter().map(|it| it.text));
            }
        }
        texts.extend(stress::text_files(&data.join("bbc_news/bbc")));
        if found < files.len() {
            eprintln!("note: {} of the data files missing under {}", files.len() - found, data.display());
        }
        let mut scanner = Scanner::default();
        let (mut ascii, mut sentences, mut wide, mut sure) = (0, 0, 0, 0);
        for text in &texts {
            scanner.scan_for_split(text);
            assert_eq!(scanner.non_ascii(), !text.is_ascii(), "{text:?}");
            if scanner.non_ascii() {
                let mut s = MaskSentences::default();
                let got: Vec<_> = std::iter::from_fn(|| s.next_wide(&scanner, text.as_bytes())).collect();
                wide += 1;
                if !s.unsure() {
                    assert_eq!(got, host_bytes(text), "{text:?}");
                    sure += 1;
                }
                continue;
            }
            let mut s = MaskSentences::default();
            let got: Vec<_> = std::iter::from_fn(|| s.next(&scanner, text.as_bytes())).collect();
            assert_eq!(got, host(text), "{text:?}");
            ascii += 1;
            sentences += got.len();
        }
        assert!(ascii >= 3000 && sentences > ascii, "{ascii} ASCII texts, {sentences} sentences");
        // Most texts that are not ASCII are split from the masks; some are left to the host.
        assert!(sure >= 1000 && sure < wide, "{sure} of {wide} non-ASCII texts split from the masks");
    }
}
