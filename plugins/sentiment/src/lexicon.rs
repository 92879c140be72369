//! [`Lexicon`]: word valences and emoji descriptions, parsed once per instance from the
//! vendored VADER files (`data/`, see `data/SOURCE.md`).
//!
//! This is the seam for a different lexicon (domain-tuned, another language): anything that
//! can answer [`Lexicon::valence`] and [`Lexicon::describe_emoji`] plugs into
//! [`crate::score`] unchanged.

use std::collections::HashMap;

/// The VADER lexicon as shipped with vaderSentiment 3.3.2.
const VADER_LEXICON: &str = include_str!("../data/vader_lexicon.txt");
/// VADER's emoji-to-description table, same release.
const VADER_EMOJI: &str = include_str!("../data/emoji_utf8_lexicon.txt");

/// Sentiment valences of tokens (on VADER's -4..+4 scale) and descriptions of emoji.
#[derive(Debug, Clone)]
pub struct Lexicon {
    valences: HashMap<String, f64>,
    emoji: HashMap<char, String>,
}

impl Lexicon {
    /// The vendored VADER lexicon and emoji table.
    ///
    /// # Errors
    /// A line of a vendored file that does not parse; names the file and line, so a bad
    /// update of `data/` fails at `create` instead of scoring silently wrong.
    pub fn vader() -> Result<Self, String> {
        Ok(Self {
            valences: parse_valences(VADER_LEXICON, "vader_lexicon.txt")?,
            emoji: parse_emoji(VADER_EMOJI),
        })
    }

    /// Builds a lexicon from a table in VADER's format (`token<TAB>mean<TAB>...` per line)
    /// and no emoji; for tests and for alternative lexicons.
    ///
    /// # Errors
    /// A line without a token and a numeric mean.
    pub fn from_table(table: &str) -> Result<Self, String> {
        Ok(Self { valences: parse_valences(table, "table")?, emoji: HashMap::new() })
    }

    /// The valence of a token as VADER looks it up: by its exact (already lowercased)
    /// spelling.
    pub fn valence(&self, lower: &str) -> Option<f64> {
        self.valences.get(lower).copied()
    }

    /// True when the (lowercased) token has a valence.
    pub fn contains(&self, lower: &str) -> bool {
        self.valences.contains_key(lower)
    }

    /// The English description VADER substitutes for an emoji ("😁" -> "beaming face with
    /// smiling eyes").
    pub fn describe_emoji(&self, c: char) -> Option<&str> {
        self.emoji.get(&c).map(String::as_str)
    }

    /// Number of tokens with a valence.
    pub fn len(&self) -> usize {
        self.valences.len()
    }

    /// True when no token has a valence.
    pub fn is_empty(&self) -> bool {
        self.valences.is_empty()
    }
}

/// `token<TAB>mean[<TAB>...]` lines; later duplicates win, as in VADER's own loader.
fn parse_valences(table: &str, file: &str) -> Result<HashMap<String, f64>, String> {
    let mut out = HashMap::with_capacity(8192);
    for (n, line) in table.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(token), Some(mean)) = (fields.next(), fields.next()) else {
            return Err(format!("{file} line {}: expected token<TAB>valence", n + 1));
        };
        let mean: f64 =
            mean.trim().parse().map_err(|e| format!("{file} line {}: valence {mean:?}: {e}", n + 1))?;
        out.insert(token.to_owned(), mean);
    }
    Ok(out)
}

/// `emoji<TAB>description` lines. VADER compares emoji one code point at a time, so only
/// single-code-point entries can ever match; the others are skipped.
fn parse_emoji(table: &str) -> HashMap<char, String> {
    let mut out = HashMap::with_capacity(2048);
    for line in table.lines() {
        let mut fields = line.trim().split('\t');
        let (Some(emoji), Some(description)) = (fields.next(), fields.next()) else { continue };
        let mut chars = emoji.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            out.insert(c, description.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_lexicon_loads_completely() {
        let lex = Lexicon::vader().unwrap();
        // 7,520 lines in 3.3.2, a handful of them duplicates.
        assert!(lex.len() > 7400, "{}", lex.len());
        assert_eq!(lex.valence("good"), Some(1.9));
        assert_eq!(lex.valence("horrible"), Some(-2.5));
        assert_eq!(lex.describe_emoji('😁'), Some("beaming face with smiling eyes"));
    }

    #[test]
    fn bad_line_is_an_error_naming_it() {
        let err = Lexicon::from_table("good\t1.9\nbad\tx\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
