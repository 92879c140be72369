//! [`clean`]: raw decoded article text to the text every offset indexes.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The `reason` strings [`Removed`] uses, as constants so callers can match on them.
pub mod reason {
    /// A line identical to the previous non-blank line (a headline printed twice).
    pub const REPEATED_LINE: &str = "repeated_line";
    /// Invisible format characters: zero-width space/joiners (U+200B..U+200D), word
    /// joiner (U+2060), byte-order mark (U+FEFF) and soft hyphen (U+00AD).
    pub const INVISIBLE_CHAR: &str = "invisible_char";
    /// Control characters other than line breaks and tabs (NUL, BEL, ESC, DEL, C1 ...).
    pub const CONTROL_CHAR: &str = "control_char";
    /// A newsletter, subscription or app promo line ("Get each day National news",
    /// "…delivered to your inbox…"), dropped by [`strip_boilerplate`](crate::strip_boilerplate).
    pub const PROMO: &str = "promo";
    /// A line of share buttons ("Share on Facebook", "Facebook Twitter Email").
    pub const SHARE: &str = "share";
    /// An advertisement marker line ("Advertisement", "Story continues below advertisement").
    pub const ADVERTISEMENT: &str = "advertisement";
}

/// Something cleaning took out of the text, so nothing vanishes silently.
///
/// `reason` is one of the constants in [`reason`]. For removed characters, one entry per
/// reason collects all removed characters of that kind in order; for a repeated line,
/// one entry per dropped line holds the line. Whitespace normalisation, line-ending
/// conversion and NFC are not reported: they change no visible content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Why it was removed: one of [`reason`]'s constants.
    pub reason: &'static str,
    /// What was removed.
    pub text: String,
}

/// Output of [`clean`]: the cleaned text and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cleaned {
    /// The cleaned text; every offset in a result indexes this string in code points.
    pub text: String,
    /// What cleaning removed, in the order it was found (character removals first).
    pub removed: Vec<Removed>,
}

/// Cleans raw decoded article text into the text that is published and indexed.
///
/// - line endings (`\r\n`, `\r`, and also VT, FF, NEL, U+2028, U+2029) become `"\n"`;
/// - Unicode NFC, so "é" is one code point whatever the source sent;
/// - zero-width chars (U+200B..U+200D, U+2060, U+FEFF), the soft hyphen (U+00AD) and
///   control chars other than `'\n'` and `'\t'` are removed (and reported);
/// - tabs and runs of whitespace inside a line (including no-break and other Unicode
///   spaces) become one ASCII space; each line is trimmed;
/// - runs of blank lines collapse to one blank line; leading/trailing blank lines go;
/// - a line identical to the previous non-blank line (a headline printed twice) is
///   dropped and reported as [`reason::REPEATED_LINE`].
///
/// Curly quotes and dashes are kept: offsets index the text we publish, and changing
/// typography would make it differ from the article. Boilerplate and promo removal is
/// not done here.
#[must_use]
pub fn clean(raw: &str) -> Cleaned {
    let mut removed = Vec::new();
    report_removed_chars(raw, &mut removed);

    let mut asm = Assembler::new(raw.len(), removed);
    // ASCII is always NFC (and so is what `prefiltered` keeps of it): skip the check.
    if raw.is_ascii() || is_nfc_quick(prefiltered(raw)) == IsNormalized::Yes {
        prefiltered(raw).for_each(|c| asm.push(c));
    } else {
        prefiltered(raw).nfc().for_each(|c| asm.push(c));
    }
    asm.finish()
}

/// What cleaning does with one raw character before normalisation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Keep,
    LineBreak,
    Invisible,
    Control,
}

fn classify(c: char) -> CharClass {
    match c {
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => CharClass::LineBreak,
        '\t' => CharClass::Keep,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => CharClass::Invisible,
        c if c.is_control() => CharClass::Control,
        _ => CharClass::Keep,
    }
}

/// Collects removed characters into one [`Removed`] per reason (first pass, so the
/// normalising pass below stays a plain char pipeline).
fn report_removed_chars(raw: &str, removed: &mut Vec<Removed>) {
    // Fast exit for the common case: printable ASCII plus \n \r \t has nothing to remove.
    if raw.bytes().all(|b| (0x20..0x7F).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t')) {
        return;
    }
    let (mut invisible, mut control) = (String::new(), String::new());
    for c in raw.chars() {
        match classify(c) {
            CharClass::Invisible => invisible.push(c),
            CharClass::Control => control.push(c),
            CharClass::Keep | CharClass::LineBreak => {}
        }
    }
    if !invisible.is_empty() {
        removed.push(Removed { reason: reason::INVISIBLE_CHAR, text: invisible });
    }
    if !control.is_empty() {
        removed.push(Removed { reason: reason::CONTROL_CHAR, text: control });
    }
}

/// `raw` with line breaks unified to `'\n'` and removable characters dropped.
fn prefiltered(raw: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_cr = false;
    raw.chars().filter_map(move |c| {
        let was_cr = std::mem::replace(&mut after_cr, c == '\r');
        match classify(c) {
            CharClass::Keep => Some(c),
            CharClass::LineBreak if c == '\n' && was_cr => None,
            CharClass::LineBreak => Some('\n'),
            CharClass::Invisible | CharClass::Control => None,
        }
    })
}

/// Builds the cleaned text line by line from a stream of normalised chars.
struct Assembler {
    out: String,
    /// The line being built (already whitespace-collapsed and left-trimmed).
    line: String,
    /// A whitespace run was seen after the last char of `line`.
    pending_space: bool,
    /// A blank line was seen since the last emitted line.
    pending_blank: bool,
    /// Byte range in `out` of the last emitted (non-blank) line.
    last: Option<(usize, usize)>,
    removed: Vec<Removed>,
}

impl Assembler {
    fn new(capacity: usize, removed: Vec<Removed>) -> Self {
        Self {
            out: String::with_capacity(capacity),
            line: String::with_capacity(256),
            pending_space: false,
            pending_blank: false,
            last: None,
            removed,
        }
    }

    fn push(&mut self, c: char) {
        if c == '\n' {
            self.end_line();
        } else if c.is_whitespace() {
            self.pending_space = !self.line.is_empty();
        } else {
            if self.pending_space {
                self.line.push(' ');
                self.pending_space = false;
            }
            self.line.push(c);
        }
    }

    fn end_line(&mut self) {
        self.pending_space = false;
        if self.line.is_empty() {
            // Blank lines before the first line are dropped; later ones remembered.
            self.pending_blank = self.last.is_some();
            return;
        }
        if let Some((s, e)) = self.last {
            if self.out[s..e] == self.line {
                self.removed
                    .push(Removed { reason: reason::REPEATED_LINE, text: std::mem::take(&mut self.line) });
                return;
            }
            self.out.push('\n');
            if self.pending_blank {
                self.out.push('\n');
            }
        }
        self.pending_blank = false;
        let start = self.out.len();
        self.out.push_str(&self.line);
        self.last = Some((start, self.out.len()));
        self.line.clear();
    }

    fn finish(mut self) -> Cleaned {
        self.end_line();
        Cleaned { text: self.out, removed: self.removed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(raw: &str) -> String {
        clean(raw).text
    }

    #[test]
    fn line_endings_become_newlines() {
        assert_eq!(text("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(text("a\u{2029}b\u{85}c"), "a\nb\nc");
        assert_eq!(text("a\r\n\r\nb"), "a\n\nb");
    }

    #[test]
    fn applies_nfc() {
        let c = clean("Me\u{301}lanie Joly");
        assert_eq!(c.text, "Mélanie Joly");
        assert_eq!(c.text.chars().count(), 12);
        assert!(c.removed.is_empty());
    }

    #[test]
    fn removes_and_reports_invisible_and_control_chars() {
        let c = clean("\u{FEFF}Zelen\u{200B}skyy\u{7} said\u{0} so");
        assert_eq!(c.text, "Zelenskyy said so");
        assert_eq!(
            c.removed,
            vec![
                Removed { reason: reason::INVISIBLE_CHAR, text: "\u{FEFF}\u{200B}".into() },
                Removed { reason: reason::CONTROL_CHAR, text: "\u{7}\u{0}".into() },
            ]
        );
    }

    #[test]
    fn removal_before_nfc_lets_marks_compose() {
        assert_eq!(text("e\u{200B}\u{301}"), "é");
    }

    #[test]
    fn collapses_spaces_and_trims_lines() {
        assert_eq!(text("  a \t\u{A0} b  \n\t c\u{3000}"), "a b\nc");
    }

    #[test]
    fn collapses_blank_lines_and_trims_the_ends() {
        assert_eq!(text("\n\n  \na\n\n \n\nb\n\n\n"), "a\n\nb");
        assert_eq!(text(""), "");
        assert_eq!(text(" \n\t\n"), "");
    }

    #[test]
    fn keeps_curly_quotes_and_dashes() {
        let raw = "“Excellent,” he said — Ukraine’s view";
        assert_eq!(text(raw), raw);
    }

    #[test]
    fn drops_a_repeated_headline_once_and_reports_it() {
        let raw = "Summary sentence.\nTrump Hails Talks\n\nTrump Hails Talks\nBody text.";
        let c = clean(raw);
        assert_eq!(c.text, "Summary sentence.\nTrump Hails Talks\n\nBody text.");
        assert_eq!(
            c.removed,
            vec![Removed { reason: reason::REPEATED_LINE, text: "Trump Hails Talks".into() }]
        );
    }

    #[test]
    fn repeated_line_compares_after_whitespace_cleanup() {
        let c = clean("Head  line\n Head line \nBody");
        assert_eq!(c.text, "Head line\nBody");
        assert_eq!(c.removed.len(), 1);
    }

    #[test]
    fn non_adjacent_repeats_are_kept() {
        // A body pasted twice (seed 004) is dedup's business, not cleaning's.
        assert_eq!(text("A\nB\nA\nB"), "A\nB\nA\nB");
    }
}
