//! [`CharOffsets`]: byte offsets to code-point offsets without rescanning.

/// Converts byte offsets of a text to code-point offsets in O(log n) after O(n) setup.
///
/// Rust slices strings by byte, results count code points. Anything that finds matches
/// by byte (a regex, `str::find`, Aho-Corasick) builds one of these per document and
/// converts each match. Only non-ASCII chars are recorded, so for ASCII text the table
/// is empty and a lookup is O(1).
#[derive(Debug, Clone, Default)]
pub struct CharOffsets {
    /// For each non-ASCII char: (its first byte, its code-point index), ascending.
    wide: Vec<(usize, usize)>,
    /// Byte length of the text.
    len: usize,
    /// Code points in the text.
    chars: usize,
}

impl CharOffsets {
    /// Scans `text` once.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut chars = 0;
        if text.is_ascii() {
            chars = text.len();
        } else {
            for (i, (b, c)) in text.char_indices().enumerate() {
                if !c.is_ascii() {
                    wide.push((b, i));
                }
                chars = i + 1;
            }
        }
        Self { wide, len: text.len(), chars }
    }

    /// The code-point offset of byte offset `byte`.
    ///
    /// A byte inside a multi-byte char maps to that char's index; a byte at or past the
    /// end of the text maps to the number of code points in it.
    #[must_use]
    pub fn char_at(&self, byte: usize) -> usize {
        if byte >= self.len {
            return self.chars;
        }
        // Last non-ASCII char starting at or before `byte`.
        let idx = self.wide.partition_point(|&(b, _)| b <= byte);
        let Some(&(b, i)) = idx.checked_sub(1).and_then(|k| self.wide.get(k)) else {
            return byte; // only ASCII before it
        };
        // Between this wide char and the next one (or the end) lie only ASCII chars, one
        // byte each, so the wide char's own byte length is what the gap leaves over.
        let (next_byte, next_index) = self.wide.get(idx).copied().unwrap_or((self.len, self.chars));
        let char_len = (next_byte - b) - (next_index - i - 1);
        if byte < b + char_len { i } else { i + 1 + (byte - b - char_len) }
    }

    /// Number of code points in the text.
    #[must_use]
    pub fn len_chars(&self) -> usize {
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_linear_count_at_every_boundary() {
        for text in ["", "plain ascii", "Mélanie Joly £5m “quoted” 🇺🇦 end", "é", "日本語", "a€b𝄞c"]
        {
            let offsets = CharOffsets::new(text);
            assert_eq!(offsets.len_chars(), text.chars().count());
            for (i, (b, c)) in text.char_indices().enumerate() {
                assert_eq!(offsets.char_at(b), i, "{text:?} byte {b}");
                for inner in b + 1..b + c.len_utf8() {
                    assert_eq!(offsets.char_at(inner), i, "{text:?} inner byte {inner}");
                }
            }
            assert_eq!(offsets.char_at(text.len()), text.chars().count());
            assert_eq!(offsets.char_at(text.len() + 10), text.chars().count());
        }
    }

    #[test]
    fn converts_find_results() {
        let text = "Canadian Foreign Minister Mélanie Joly said";
        let offsets = CharOffsets::new(text);
        let b = text.find("Joly").unwrap();
        assert_eq!(offsets.char_at(b), 34);
        assert_eq!(text.chars().skip(34).take(4).collect::<String>(), "Joly");
    }
}
