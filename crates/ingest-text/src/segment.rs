//! [`paragraphs`] and [`sentences`]: rule-based segmentation into code-point spans.

use crate::Span;

/// Paragraphs: maximal runs of non-blank text separated by a line break, trimmed of
/// surrounding whitespace. Each non-empty line is its own paragraph.
///
/// The seeds put one paragraph per line and BBC text separates paragraphs with blank
/// lines; this one rule fits both. Spans exclude the newline. Any line break `clean`
/// knows (`\n`, `\r`, VT, FF, NEL, U+2028, U+2029) ends a line, so uncleaned text works
/// too.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<Span> {
    Lines::new(text).map(|(span, _)| span).collect()
}

/// Non-blank lines of a text as (code-point span, trimmed line text), in order.
pub(crate) struct Lines<'a> {
    rest: std::str::CharIndices<'a>,
    text: &'a str,
    /// Code-point index of the next char `rest` yields.
    cp: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { rest: text.char_indices(), text, cp: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (Span, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // (code point, byte) of the first and one-past-last non-blank char of the line.
        let mut first: Option<(usize, usize)> = None;
        let mut last = (0, 0);
        for (b, c) in self.rest.by_ref() {
            let i = self.cp;
            self.cp += 1;
            if is_line_break(c) {
                if first.is_some() {
                    break;
                }
            } else if !c.is_whitespace() {
                first.get_or_insert((i, b));
                last = (i + 1, b + c.len_utf8());
            }
        }
        let (start, byte_start) = first?;
        Some((Span { start, end: last.0 }, &self.text[byte_start..last.1]))
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Sentences of `text`, never crossing a paragraph boundary, as trimmed code-point spans.
///
/// Rule-based: a sentence ends after `.` `!` `?` (plus any further terminators and
/// closing quotes/brackets that follow them) when followed by whitespace and then an
/// upper-case letter, a digit, or an opening quote/bracket. It does not end after common
/// abbreviations ("Mr.", "Dr.", "Sen.", "Inc.", "vs.", ...), months and "No." before a
/// number ("Jan. 20", "No. 10"), single-letter dotted abbreviations ("U.S.", "U.K.",
/// "e.g.") or single capital initials ("J. K. Rowling"). "etc." is not protected: in
/// news it ends the sentence far more often than not. Text in a paragraph after the last terminator is a
/// sentence too, so every paragraph yields at least one sentence.
///
/// `paragraphs` should come from [`paragraphs`] on the same text; spans past the end of
/// the text are clamped, and empty ones skipped.
#[must_use]
pub fn sentences(text: &str, paragraphs: &[Span]) -> Vec<Span> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(paragraphs.len() * 3);
    for p in paragraphs {
        let end = p.end.min(chars.len());
        let start = p.start.min(end);
        split_paragraph(&chars, start, end, &mut out);
    }
    out
}

fn split_paragraph(chars: &[char], start: usize, end: usize, out: &mut Vec<Span>) {
    let mut sent_start = start;
    let mut i = start;
    while i < end {
        if !matches!(chars[i], '.' | '!' | '?') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < end && (matches!(chars[j], '.' | '!' | '?') || is_closer(chars[j])) {
            j += 1;
        }
        let mut k = j;
        while k < end && chars[k].is_whitespace() {
            k += 1;
        }
        if k > j
            && k < end
            && is_starter(chars[k])
            && !(chars[i] == '.' && no_break_before(chars, start, i, chars[k]))
        {
            push_trimmed(chars, sent_start, j, out);
            sent_start = k;
        }
        i = k.max(i + 1);
    }
    push_trimmed(chars, sent_start, end, out);
}

fn push_trimmed(chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<Span>) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    if start < end {
        out.push(Span { start, end });
    }
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']' | '}' | '\u{BB}' | '\u{203A}')
}

fn is_starter(c: char) -> bool {
    c.is_uppercase()
        || c.is_numeric()
        || matches!(c, '"' | '\'' | '\u{201C}' | '\u{2018}' | '\u{AB}' | '\u{2039}' | '(' | '[')
}

/// Abbreviations after which a '.' does not end a sentence (matched case-sensitively,
/// so "no." ends one). Corporate suffixes and "Jr."/"Sr." do end sentences in real text
/// ("... at Warner Bros. But"), but splitting there would cut "Apple Inc. Chief
/// Executive" in two more often; "etc." and "Bros." are left out for that reason.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr",
    "Maj", "Adm", "Rev", "Hon", "Pres", "St", "Mt", "Ft", "Jr", "Sr", "Inc", "Corp", "Ltd", "Co", "vs",
    "approx", "Vol", "Fig",
];

/// Abbreviations that only continue a sentence before a number: "Jan. 20", "No. 10",
/// while "Ant and Dec. Natalie ..." and the reply "No. Definitely not." end one.
const ABBREVIATIONS_BEFORE_NUMBER: &[&str] =
    &["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No", "Nos"];

/// Whether the '.' at `dot` is part of an abbreviation or initial rather than a sentence
/// end; `next` is the char that starts the following word.
fn no_break_before(chars: &[char], para_start: usize, dot: usize, next: char) -> bool {
    let mut w = dot;
    while w > para_start && (chars[w - 1].is_alphabetic() || chars[w - 1] == '.') {
        w -= 1;
    }
    // "AT&T.", "Jay-Z.": a word glued to what precedes it is not an abbreviation.
    let free_standing = w == para_start
        || chars[w - 1].is_whitespace()
        || matches!(chars[w - 1], '(' | '[' | '"' | '\'' | '\u{201C}' | '\u{2018}');
    let word = &chars[w..dot];
    let is = |list: &[&str]| list.iter().any(|a| a.chars().eq(word.iter().copied()));
    match word {
        [] => false,
        _ if !free_standing => false,
        // Single capital initial: "J. K. Rowling" (not "I": "World War I. But").
        [c] => c.is_uppercase() && *c != 'I',
        // "U.S", "e.g", "a.m": single letters joined by dots.
        _ if word.contains(&'.') => word.split(|&c| c == '.').all(|piece| piece.len() == 1),
        _ => is(ABBREVIATIONS) || (next.is_numeric() && is(ABBREVIATIONS_BEFORE_NUMBER)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(text: &str) -> Vec<&str> {
        sentences(text, &paragraphs(text)).iter().map(|s| s.slice(text)).collect()
    }

    #[test]
    fn each_line_is_a_paragraph() {
        let text = "Head line\nFirst para.\n\n  Second para.  \n\n";
        let p = paragraphs(text);
        let got: Vec<&str> = p.iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, ["Head line", "First para.", "Second para."]);
        assert_eq!(p[0], Span { start: 0, end: 9 });
        assert_eq!(paragraphs(""), []);
        assert_eq!(paragraphs("\n \n"), []);
        assert_eq!(paragraphs("a\r\nb").len(), 2);
    }

    #[test]
    fn paragraph_offsets_are_code_points() {
        let text = "Mélanie Joly\n“Yes.”";
        assert_eq!(paragraphs(text), [Span { start: 0, end: 12 }, Span { start: 13, end: 19 }]);
    }

    #[test]
    fn does_not_split_after_us() {
        assert_eq!(
            sents("U.S. Secretary of State Marco Rubio told reporters. The U.S. under Trump has not."),
            ["U.S. Secretary of State Marco Rubio told reporters.", "The U.S. under Trump has not."]
        );
    }

    #[test]
    fn does_not_split_after_abbreviations_and_initials() {
        assert_eq!(
            sents("Mr. Smith met Dr. Jones on Jan. 20 at No. 10. J. K. Rowling wrote e.g. Harry Potter."),
            ["Mr. Smith met Dr. Jones on Jan. 20 at No. 10.", "J. K. Rowling wrote e.g. Harry Potter."]
        );
    }

    #[test]
    fn ambiguous_abbreviations_follow_the_evidence() {
        assert_eq!(
            sents("He met Ant and Dec. Natalie left. It was No. 1 on Jan. 3. \"No. Definitely not.\""),
            ["He met Ant and Dec.", "Natalie left.", "It was No. 1 on Jan. 3.", "\"No.", "Definitely not.\""]
        );
        assert_eq!(
            sents(
                "Pop, rock etc. The sad fact is. It rivals AT&T. Consolidation came. It was World War I. But"
            ),
            [
                "Pop, rock etc.",
                "The sad fact is.",
                "It rivals AT&T.",
                "Consolidation came.",
                "It was World War I.",
                "But"
            ]
        );
    }

    #[test]
    fn splits_after_closing_quotes_and_before_opening_quotes() {
        assert_eq!(
            sents("Lammy called it “excellent.” Joly agreed. “We are united,” she said! Why? 25 came."),
            [
                "Lammy called it “excellent.”",
                "Joly agreed.",
                "“We are united,” she said!",
                "Why?",
                "25 came."
            ]
        );
    }

    #[test]
    fn does_not_split_before_lower_case_or_inside_numbers() {
        assert_eq!(
            sents("It rose 3.5 per cent. and then fell... no."),
            ["It rose 3.5 per cent. and then fell... no."]
        );
        assert_eq!(sents("“Why?” he asked."), ["“Why?” he asked."]);
    }

    #[test]
    fn never_crosses_paragraphs() {
        let text = "Headline without stop\nFirst sentence. Second one\n\nThird";
        assert_eq!(sents(text), ["Headline without stop", "First sentence.", "Second one", "Third"]);
    }

    #[test]
    fn out_of_range_paragraphs_are_clamped() {
        let text = "One. Two.";
        let got = sentences(text, &[Span { start: 0, end: 100 }, Span { start: 50, end: 60 }]);
        assert_eq!(got, [Span { start: 0, end: 4 }, Span { start: 5, end: 9 }]);
    }
}
