//! [`title`]: find the headline a text starts with.

use crate::segment::Lines;
use crate::tokens::{TokenKind, Tokens};
use crate::{Span, word_count};

/// Longest line, in code points, that can be a headline.
pub const MAX_TITLE_CHARS: usize = 200;
/// Most words a headline can have.
pub const MAX_TITLE_WORDS: usize = 25;

/// The headline, if the text starts with one.
///
/// The first line is the headline when it is short (at most [`MAX_TITLE_CHARS`] chars
/// and [`MAX_TITLE_WORDS`] words), does not end like a sentence or a lead-in (`.`, `,`,
/// `;`, `:`, also before closing quotes), and more text follows it.
///
/// Otherwise, the second or third line is the headline when it is short, title-case
/// ("Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire": at least four
/// words, every word capitalised except short function words), not a byline, and more
/// text follows: rewrites put a one-paragraph summary above the headline (seed 001).
/// The title-case requirement keeps ordinary short sentences from being taken.
#[must_use]
pub fn title(text: &str) -> Option<Span> {
    let mut lines = Lines::new(text);
    let (first, first_text) = lines.next()?;
    let mut rest = lines.peekable();
    rest.peek()?; // more text must follow
    if is_short_unterminated(first_text) {
        return Some(first);
    }
    for _ in 0..2 {
        let (span, line) = rest.next()?;
        rest.peek()?;
        if is_short_unterminated(line) && is_title_case(line) && !line.starts_with("By ") {
            return Some(span);
        }
    }
    None
}

fn is_short_unterminated(line: &str) -> bool {
    let last = line
        .chars()
        .rev()
        .find(|c| !matches!(c, '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']' | '\u{BB}'));
    if matches!(last, None | Some('.' | ',' | ';' | ':')) {
        return false;
    }
    let words = word_count(line);
    words > 0
        && words <= MAX_TITLE_WORDS
        && line.chars().nth(MAX_TITLE_CHARS).is_none()
        && line.chars().any(char::is_alphabetic)
}

/// Words a title-case headline leaves in lower case.
const MINOR_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "for", "so", "yet", "as", "at", "by", "in", "of", "off",
    "on", "per", "to", "up", "via", "vs", "with", "from", "into", "onto", "over", "amid", "than", "out",
];

fn is_title_case(line: &str) -> bool {
    let mut words = Tokens::new(line).filter(|t| t.kind == TokenKind::Word).map(|t| t.text(line));
    let Some(first) = words.next() else {
        return false;
    };
    if !starts_upper(first) {
        return false;
    }
    let mut count = 1;
    for w in words {
        count += 1;
        if !starts_upper(w) && !MINOR_WORDS.contains(&w) {
            return false;
        }
    }
    count >= 4
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title_text(text: &str) -> Option<&str> {
        title(text).map(|s| s.slice(text))
    }

    #[test]
    fn a_short_first_line_is_the_title() {
        assert_eq!(
            title_text("Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant rose."),
            Some("Ad sales boost Time Warner profit")
        );
        assert_eq!(title("Mélanie Joly speaks\nBody."), Some(Span { start: 0, end: 19 }));
        assert_eq!(title_text("Is peace close?\nBody."), Some("Is peace close?"));
    }

    #[test]
    fn sentences_and_lone_lines_are_not_titles() {
        assert_eq!(title("Foreign ministers met on Friday.\nThey agreed."), None);
        assert_eq!(title("He said “no.”\nThen left."), None);
        assert_eq!(title("Only a headline"), None);
        assert_eq!(title("He said:\n“We agree.”"), None);
        assert_eq!(title(""), None);
    }

    #[test]
    fn long_first_lines_are_not_titles() {
        let long = "word ".repeat(30);
        assert_eq!(title(&format!("{long}\nBody.")), None);
    }

    #[test]
    fn a_title_case_line_after_a_summary_is_the_title() {
        let text = "Trump expressed optimism. Zelensky is sceptical.\n\
                    Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire\n\n\
                    President Trump shares insights.";
        assert_eq!(title_text(text), Some("Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire"));
    }

    #[test]
    fn later_lines_need_title_case() {
        // A short sentence-case second line is ordinary text, not a headline.
        assert_eq!(title("A first sentence.\nAnd the second line is short\nMore."), None);
        assert_eq!(title("A first sentence.\nBy John Smith Reuters Staff\nMore."), None);
        // The fourth line is too late.
        assert_eq!(title("One.\nTwo.\nThree.\nFour Big Title Words\nMore."), None);
        // A title-case line must be followed by more text.
        assert_eq!(title("One.\nFour Big Title Words"), None);
    }
}
