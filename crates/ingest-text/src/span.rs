//! [`Span`]: the one offset type every result uses.

/// Half-open range of Unicode code points (chars) into a text. Invariant: `start <= end`.
///
/// Code points, not bytes, because results are JSON read by consumers in other languages
/// (Python's `str` indexes code points) and the published text is the cleaned text, so a
/// span means the same thing to every reader of the result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First code point of the range.
    pub start: usize,
    /// One past the last code point of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; swaps them if given in the wrong order, so the
    /// invariant `start <= end` always holds.
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        if start <= end { Self { start, end } } else { Self { start: end, end: start } }
    }

    /// Number of code points covered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `other` lies entirely inside this span.
    #[must_use]
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The text this span covers, clamped to the end of `text`.
    ///
    /// This walks `text` from the start (O(n)); for many lookups into one text, build a
    /// byte/char table once or use the byte offsets that [`crate::Token`] carries.
    #[must_use]
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        let mut indices = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
        let Some(start) = indices.nth(self.start) else {
            return "";
        };
        let end =
            if self.end > self.start { indices.nth(self.len() - 1).unwrap_or(text.len()) } else { start };
        &text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_orders_the_ends() {
        assert_eq!(Span::new(5, 2), Span { start: 2, end: 5 });
        assert_eq!(Span::new(2, 5).len(), 3);
        assert!(Span::new(4, 4).is_empty());
    }

    #[test]
    fn slice_counts_code_points_not_bytes() {
        let text = "Mélanie Joly said “yes”.";
        assert_eq!(Span::new(0, 7).slice(text), "Mélanie");
        assert_eq!(Span::new(8, 12).slice(text), "Joly");
        assert_eq!(Span::new(18, 23).slice(text), "“yes”");
        assert_eq!(Span::new(21, 99).slice(text), "s”.");
        assert_eq!(Span::new(99, 100).slice(text), "");
        assert_eq!(Span::new(3, 3).slice(text), "");
    }
}
