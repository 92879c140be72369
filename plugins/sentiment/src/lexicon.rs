//! [`Lexicon`]: word valences and emoji descriptions, parsed once per instance from the
//! vendored VADER files (`data/`, see `data/SOURCE.md`).
//!
//! This is the seam for a different lexicon (domain-tuned, another language): anything that
//! can answer [`Lexicon::word`] and [`Lexicon::describe_emoji`] plugs into
//! [`crate::score`] unchanged. The news mode uses the same lexicon with a few entries
//! added or overridden ([`Lexicon::with_overrides`]).
//!
//! Every fact the scorer needs about a word (its valence, whether it boosts or dampens,
//! whether it negates) sits in one entry of one hash table, so scoring a word costs one
//! lookup; the hash is a small multiplicative one (the keys are short, trusted strings
//! fixed at `create`, so hash flooding is not a concern).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::rules;

/// The VADER lexicon as shipped with vaderSentiment 3.3.2.
const VADER_LEXICON: &str = include_str!("../data/vader_lexicon.txt");
/// VADER's emoji-to-description table, same release.
const VADER_EMOJI: &str = include_str!("../data/emoji_utf8_lexicon.txt");

/// What the scorer knows about one (lowercased) token.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Entry {
    /// Lexicon valence on VADER's -4..+4 scale, if the token is a lexicon word.
    pub valence: Option<f64>,
    /// Booster (+0.293) or dampener (-0.293) increment; 0 when it is neither.
    pub booster: f64,
    /// One of VADER's negation words (words containing "n't" are checked separately).
    pub negation: bool,
}

/// Sentiment valences of tokens (on VADER's -4..+4 scale) and descriptions of emoji.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: FastMap<Box<str>, Entry>,
    emoji: HashMap<char, String>,
    ascii_emoji: bool,
}

impl Lexicon {
    /// The vendored VADER lexicon and emoji table.
    ///
    /// # Errors
    /// A line of a vendored file that does not parse; names the file and line, so a bad
    /// update of `data/` fails at `create` instead of scoring silently wrong.
    pub fn vader() -> Result<Self, String> {
        Ok(Self::build(parse_valences(VADER_LEXICON, "vader_lexicon.txt")?, parse_emoji(VADER_EMOJI)))
    }

    /// Builds a lexicon from a table in VADER's format (`token<TAB>mean<TAB>...` per line)
    /// and no emoji; for tests and for alternative lexicons.
    ///
    /// # Errors
    /// A line without a token and a numeric mean.
    pub fn from_table(table: &str) -> Result<Self, String> {
        Ok(Self::build(parse_valences(table, "table")?, HashMap::new()))
    }

    /// This lexicon with `overrides` (lowercased token, valence) added or replacing the
    /// valence of an existing token; a NaN valence removes the token from the lexicon.
    #[must_use]
    pub fn with_overrides<'a>(mut self, overrides: impl IntoIterator<Item = (&'a str, f64)>) -> Self {
        for (word, valence) in overrides {
            let entry = self.entries.entry(word.into()).or_default();
            entry.valence = if valence.is_nan() { None } else { Some(valence) };
        }
        self
    }

    fn build(valences: Vec<(String, f64)>, emoji: HashMap<char, String>) -> Self {
        let mut entries: FastMap<Box<str>, Entry> = FastMap::default();
        entries.reserve(valences.len() + 128);
        // Later duplicates win, as in VADER's own loader.
        for (word, valence) in valences {
            entries.entry(word.into_boxed_str()).or_default().valence = Some(valence);
        }
        for &(word, increment) in rules::BOOSTERS {
            entries.entry(word.into()).or_default().booster = increment;
        }
        for &word in rules::NEGATE {
            entries.entry(word.into()).or_default().negation = true;
        }
        let ascii_emoji = emoji.keys().any(char::is_ascii);
        Self { entries, emoji, ascii_emoji }
    }

    /// Everything known about a (lowercased) token, if anything is.
    #[inline]
    pub fn word(&self, lower: &str) -> Option<&Entry> {
        self.entries.get(lower)
    }

    /// The valence of a token as VADER looks it up: by its exact (already lowercased)
    /// spelling.
    pub fn valence(&self, lower: &str) -> Option<f64> {
        self.word(lower).and_then(|e| e.valence)
    }

    /// True when the (lowercased) token has a valence.
    pub fn contains(&self, lower: &str) -> bool {
        self.valence(lower).is_some()
    }

    /// The English description VADER substitutes for an emoji ("😁" -> "beaming face with
    /// smiling eyes").
    pub fn describe_emoji(&self, c: char) -> Option<&str> {
        self.emoji.get(&c).map(String::as_str)
    }

    /// True when some emoji key is an ASCII character (none is in VADER's table), so the
    /// scorer knows whether ASCII text needs the emoji pass at all.
    pub fn has_ascii_emoji(&self) -> bool {
        self.ascii_emoji
    }

    /// Number of tokens with a valence.
    pub fn len(&self) -> usize {
        self.entries.values().filter(|e| e.valence.is_some()).count()
    }

    /// True when no token has a valence.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `token<TAB>mean[<TAB>...]` lines, in file order.
fn parse_valences(table: &str, file: &str) -> Result<Vec<(String, f64)>, String> {
    let mut out = Vec::with_capacity(8192);
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
        out.push((token.to_owned(), mean));
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

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A small multiplicative hasher (the FxHash scheme) for short, trusted keys.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
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
        assert!(!lex.has_ascii_emoji());
        let very = lex.word("very").unwrap();
        assert_eq!((very.valence, very.booster, very.negation), (None, rules::B_INCR, false));
        assert!(lex.word("never").unwrap().negation);
    }

    #[test]
    fn overrides_add_replace_and_remove() {
        let lex = Lexicon::vader().unwrap().with_overrides([("good", 1.0), ("zzz", -2.0), ("bad", f64::NAN)]);
        assert_eq!(lex.valence("good"), Some(1.0));
        assert_eq!(lex.valence("zzz"), Some(-2.0));
        assert_eq!(lex.valence("bad"), None);
    }

    #[test]
    fn bad_line_is_an_error_naming_it() {
        let err = Lexicon::from_table("good\t1.9\nbad\tx\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
