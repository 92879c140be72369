//! VADER's fixed rule tables and empirical constants, transcribed from
//! `vaderSentiment/vaderSentiment.py` 3.3.2 (MIT; see `data/SOURCE.md`).
//!
//! They are data, not logic: [`crate::score`] applies them. Kept apart so a later, tuned
//! lexicon or rule set replaces one file.

/// Valence added by a booster word ("very good"); subtracted for a negative word.
pub const B_INCR: f64 = 0.293;
/// Valence added by a dampener word ("slightly good"): negative.
pub const B_DECR: f64 = -0.293;
/// Extra valence for a word written in ALL CAPS in a sentence that mixes case.
pub const C_INCR: f64 = 0.733;
/// Factor applied to a negated word's valence ("not good").
pub const N_SCALAR: f64 = -0.74;
/// The `alpha` of VADER's normalisation `x / sqrt(x² + alpha)`.
pub const ALPHA: f64 = 15.0;

/// Words that negate the sentiment word up to three tokens after them. Any word containing
/// "n't" negates too (see [`is_negation`]).
pub const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

/// Degree adverbs: boosters (+[`B_INCR`]) and dampeners ([`B_DECR`]). Keys with a space
/// are matched as bigrams by the idiom check.
pub const BOOSTERS: &[(&str, f64)] = &[
    ("absolutely", B_INCR),
    ("amazingly", B_INCR),
    ("awfully", B_INCR),
    ("completely", B_INCR),
    ("considerable", B_INCR),
    ("considerably", B_INCR),
    ("decidedly", B_INCR),
    ("deeply", B_INCR),
    ("effing", B_INCR),
    ("enormous", B_INCR),
    ("enormously", B_INCR),
    ("entirely", B_INCR),
    ("especially", B_INCR),
    ("exceptional", B_INCR),
    ("exceptionally", B_INCR),
    ("extreme", B_INCR),
    ("extremely", B_INCR),
    ("fabulously", B_INCR),
    ("flipping", B_INCR),
    ("flippin", B_INCR),
    ("frackin", B_INCR),
    ("fracking", B_INCR),
    ("fricking", B_INCR),
    ("frickin", B_INCR),
    ("frigging", B_INCR),
    ("friggin", B_INCR),
    ("fully", B_INCR),
    ("fuckin", B_INCR),
    ("fucking", B_INCR),
    ("fuggin", B_INCR),
    ("fugging", B_INCR),
    ("greatly", B_INCR),
    ("hella", B_INCR),
    ("highly", B_INCR),
    ("hugely", B_INCR),
    ("incredible", B_INCR),
    ("incredibly", B_INCR),
    ("intensely", B_INCR),
    ("major", B_INCR),
    ("majorly", B_INCR),
    ("more", B_INCR),
    ("most", B_INCR),
    ("particularly", B_INCR),
    ("purely", B_INCR),
    ("quite", B_INCR),
    ("really", B_INCR),
    ("remarkably", B_INCR),
    ("so", B_INCR),
    ("substantially", B_INCR),
    ("thoroughly", B_INCR),
    ("total", B_INCR),
    ("totally", B_INCR),
    ("tremendous", B_INCR),
    ("tremendously", B_INCR),
    ("uber", B_INCR),
    ("unbelievably", B_INCR),
    ("unusually", B_INCR),
    ("utter", B_INCR),
    ("utterly", B_INCR),
    ("very", B_INCR),
    ("almost", B_DECR),
    ("barely", B_DECR),
    ("hardly", B_DECR),
    ("just enough", B_DECR),
    ("kind of", B_DECR),
    ("kinda", B_DECR),
    ("kindof", B_DECR),
    ("kind-of", B_DECR),
    ("less", B_DECR),
    ("little", B_DECR),
    ("marginal", B_DECR),
    ("marginally", B_DECR),
    ("occasional", B_DECR),
    ("occasionally", B_DECR),
    ("partly", B_DECR),
    ("scarce", B_DECR),
    ("scarcely", B_DECR),
    ("slight", B_DECR),
    ("slightly", B_DECR),
    ("somewhat", B_DECR),
    ("sort of", B_DECR),
    ("sorta", B_DECR),
    ("sortof", B_DECR),
    ("sort-of", B_DECR),
];

/// Phrases containing lexicon words whose meaning overrides their words' valence.
const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// `SPECIAL_CASES` split into words, as the scorer compares them with word windows
/// (VADER joins the window with spaces and looks the string up; tokens never contain
/// whitespace, so comparing word by word is the same test).
pub const SPECIAL_PHRASES: &[(&[&str], f64)] = &[
    (&["the", "shit"], 3.0),
    (&["the", "bomb"], 3.0),
    (&["bad", "ass"], 1.5),
    (&["bus", "stop"], 0.0),
    (&["yeah", "right"], -2.0),
    (&["kiss", "of", "death"], -1.5),
    (&["to", "die", "for"], 3.0),
    (&["beating", "heart"], 3.5),
];

/// The multi-word boosters and dampeners ("kind of"), split into words.
pub const BOOSTER_PHRASES: &[(&[&str], f64)] =
    &[(&["just", "enough"], B_DECR), (&["kind", "of"], B_DECR), (&["sort", "of"], B_DECR)];

/// Every word a rule compares by spelling ("no", "but", "never so", the idiom and
/// booster-phrase words). The lexicon numbers them ([`tag`]: position + 1) so the scorer
/// compares one byte per word instead of strings; 0 means "none of these".
pub const RULE_WORDS: &[&str] = &[
    "no", "or", "nor", "never", "so", "this", "without", "doubt", "least", "at", "very", "kind", "of", "but",
    "the", "shit", "bomb", "bad", "ass", "bus", "stop", "yeah", "right", "kiss", "death", "to", "die", "for",
    "beating", "heart", "just", "enough", "sort",
];

/// The tag of a rule word (its position in [`RULE_WORDS`] + 1), computed at compile time:
/// a word missing from the list fails the build.
pub const fn tag(word: &str) -> u8 {
    let mut i = 0;
    while i < RULE_WORDS.len() {
        if same(RULE_WORDS[i].as_bytes(), word.as_bytes()) {
            return (i + 1) as u8;
        }
        i += 1;
    }
    panic!("not a rule word")
}

/// A phrase of up to three rule words as tags (0-padded) and its length.
pub type TagPhrase = ([u8; 3], usize);

/// [`SPECIAL_PHRASES`] as tags, for the scorer.
pub const SPECIAL_TAGS: [(TagPhrase, f64); SPECIAL_PHRASES.len()] = {
    let mut out = [(([0; 3], 0), 0.0); SPECIAL_PHRASES.len()];
    let mut i = 0;
    while i < SPECIAL_PHRASES.len() {
        out[i] = (tags(SPECIAL_PHRASES[i].0), SPECIAL_PHRASES[i].1);
        i += 1;
    }
    out
};

/// [`BOOSTER_PHRASES`] as tags, for the scorer.
pub const BOOSTER_TAGS: [(TagPhrase, f64); BOOSTER_PHRASES.len()] = {
    let mut out = [(([0; 3], 0), 0.0); BOOSTER_PHRASES.len()];
    let mut i = 0;
    while i < BOOSTER_PHRASES.len() {
        out[i] = (tags(BOOSTER_PHRASES[i].0), BOOSTER_PHRASES[i].1);
        i += 1;
    }
    out
};

/// The tags that start a phrase of [`SPECIAL_TAGS`] or [`BOOSTER_TAGS`], as a bit set (bit
/// `tag`): a window of words that starts with none of them spells no phrase.
pub const PHRASE_STARTS: u64 = {
    let mut set = 0u64;
    let mut i = 0;
    while i < SPECIAL_TAGS.len() {
        set |= 1 << SPECIAL_TAGS[i].0.0[0];
        i += 1;
    }
    let mut i = 0;
    while i < BOOSTER_TAGS.len() {
        set |= 1 << BOOSTER_TAGS[i].0.0[0];
        i += 1;
    }
    set
};

const fn tags(words: &[&str]) -> TagPhrase {
    let mut out = [0u8; 3];
    let mut i = 0;
    while i < words.len() {
        out[i] = tag(words[i]);
        i += 1;
    }
    (out, words.len())
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// True when the (lowercased) word negates what follows: one of VADER's negation words
/// ("not", "never", "without", ...) or any word containing "n't".
pub fn is_negation(lower: &str) -> bool {
    NEGATE.contains(&lower) || lower.contains("n't")
}

/// The booster/dampener increment of a (lowercased) word or bigram, if it is one.
pub fn booster(lower: &str) -> Option<f64> {
    BOOSTERS.iter().find(|(w, _)| *w == lower).map(|&(_, v)| v)
}

/// The fixed valence of a (lowercased) special-case phrase, if it is one.
pub fn special_case(lower: &str) -> Option<f64> {
    SPECIAL_CASES.iter().find(|(w, _)| *w == lower).map(|&(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negations_include_any_nt_contraction() {
        assert!(is_negation("not"));
        assert!(is_negation("wouldn't"));
        assert!(is_negation("shouldn't've"));
        assert!(!is_negation("nothingness"));
    }

    #[test]
    fn boosters_and_dampeners_have_opposite_signs() {
        assert_eq!(booster("very"), Some(B_INCR));
        assert_eq!(booster("kind of"), Some(B_DECR));
        assert_eq!(booster("good"), None);
        assert_eq!(special_case("kiss of death"), Some(-1.5));
    }

    #[test]
    fn rule_words_are_distinct_lowercase_and_tag_the_phrases() {
        for (n, w) in RULE_WORDS.iter().enumerate() {
            assert_eq!(usize::from(tag(w)), n + 1, "{w} listed twice");
            assert_eq!(*w, w.to_lowercase());
        }
        for ((words, v), ((tags, len), tv)) in SPECIAL_PHRASES.iter().zip(SPECIAL_TAGS) {
            assert_eq!((words.len(), *v), (len, tv));
            assert!(words.iter().zip(tags).all(|(w, t)| tag(w) == t));
        }
        for ((words, v), ((tags, len), tv)) in BOOSTER_PHRASES.iter().zip(BOOSTER_TAGS) {
            assert_eq!((words.len(), *v), (len, tv));
            assert!(words.iter().zip(tags).all(|(w, t)| tag(w) == t));
        }
    }

    #[test]
    fn phrase_starts_are_the_first_words_of_the_phrases() {
        // Tags fit the bit set.
        assert!(RULE_WORDS.len() < 64);
        let firsts: Vec<&str> =
            SPECIAL_PHRASES.iter().chain(BOOSTER_PHRASES).map(|(words, _)| words[0]).collect();
        for w in RULE_WORDS {
            assert_eq!(PHRASE_STARTS >> tag(w) & 1 == 1, firsts.contains(w), "{w}");
        }
    }

    #[test]
    fn split_tables_agree_with_the_string_tables() {
        for (words, v) in SPECIAL_PHRASES {
            assert_eq!(special_case(&words.join(" ")), Some(*v));
        }
        // "badass" is one word: VADER's phrase lookup can never match it.
        assert_eq!(SPECIAL_PHRASES.len(), SPECIAL_CASES.len() - 1);
        let multi: Vec<_> = BOOSTERS.iter().filter(|(w, _)| w.contains(' ')).collect();
        assert_eq!(multi.len(), BOOSTER_PHRASES.len());
        for (words, v) in BOOSTER_PHRASES {
            assert_eq!(booster(&words.join(" ")), Some(*v));
        }
    }
}
