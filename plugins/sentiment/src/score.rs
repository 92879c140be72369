//! [`polarity`]: the VADER algorithm (Hutto & Gilbert 2014) for one sentence.
//!
//! A faithful port of `SentimentIntensityAnalyzer.polarity_scores` from vaderSentiment
//! 3.3.2, step by step:
//!
//! 1. every word found in the lexicon gets its valence; booster/dampener words themselves
//!    score 0 ("very", "kind of");
//! 2. "no" before a lexicon word negates it instead of counting itself;
//! 3. a word in ALL CAPS in a sentence that mixes case gains [`C_INCR`];
//! 4. up to three preceding non-lexicon words may boost or dampen (scaled 1, 0.95, 0.9 by
//!    distance) and negate (× [`N_SCALAR`]), with VADER's "never so/this" (× 1.25) and
//!    "without doubt" exceptions and its special idioms ("kiss of death");
//! 5. "least" negates unless preceded by "at"/"very";
//! 6. the first "but" halves every valence before it and multiplies every one after it by
//!    1.5;
//! 7. "!" (up to 4, 0.292 each) and "?" (2–3: 0.18 each, more: 0.96) amplify the sum away
//!    from zero;
//! 8. compound = sum / sqrt(sum² + 15); pos/neu/neg are VADER's proportions, where each
//!    sentiment word counts |valence| + 1 and each other word 1.
//!
//! Differences from the Python reference, all deliberate:
//! - the "but" shift is applied by position, as NLTK's port does; vaderSentiment 3.3.2
//!   finds each value with `list.index`, which can re-scale the wrong word when two words
//!   carry equal valences;
//! - typographic punctuation is made ASCII first (see [`crate::words`]);
//! - results are not rounded here; the plugin rounds its output.
//!
//! [`C_INCR`]: crate::rules::C_INCR
//! [`N_SCALAR`]: crate::rules::N_SCALAR

use crate::lexicon::Lexicon;
use crate::rules::{ALPHA, C_INCR, N_SCALAR, booster, is_negation, special_case};
use crate::words::{is_upper, prepare, words};

/// VADER's scores for one text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Polarity {
    /// Normalised sum of valences, in [-1, 1].
    pub compound: f64,
    /// Proportion of the text's sentiment weight that is positive.
    pub pos: f64,
    /// Proportion that is neutral.
    pub neu: f64,
    /// Proportion that is negative.
    pub neg: f64,
    /// Number of words VADER saw; 0 means the scores carry no information.
    pub words: usize,
}

/// VADER's `normalize`: maps a sum of valences into [-1, 1].
pub fn normalize(sum: f64) -> f64 {
    (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Scores one text (VADER is designed for a sentence) with `lexicon`.
pub fn polarity(text: &str, lexicon: &Lexicon) -> Polarity {
    let prepared = prepare(text, lexicon);
    let words = words(&prepared);
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let sentence = Sentence { words: &words, lower: &lower, lexicon, cap_diff: cap_diff(&words) };

    let mut sentiments = Vec::with_capacity(words.len());
    for i in 0..words.len() {
        let is_modifier = booster(&lower[i]).is_some()
            || (lower[i] == "kind" && lower.get(i + 1).is_some_and(|w| w == "of"));
        sentiments.push(if is_modifier { 0.0 } else { sentence.valence(i) });
    }
    but_shift(&lower, &mut sentiments);
    score(&sentiments, &prepared)
}

/// The words of one sentence and what VADER needs to know about them.
struct Sentence<'a> {
    words: &'a [&'a str],
    lower: &'a [String],
    lexicon: &'a Lexicon,
    /// Some but not all words are ALL CAPS.
    cap_diff: bool,
}

impl Sentence<'_> {
    fn in_lexicon(&self, i: usize) -> bool {
        self.lexicon.contains(&self.lower[i])
    }

    fn is(&self, i: usize, word: &str) -> bool {
        self.lower[i] == word
    }

    /// VADER's `sentiment_valence` for the word at `i`.
    fn valence(&self, i: usize) -> f64 {
        let Some(base) = self.lexicon.valence(&self.lower[i]) else { return 0.0 };
        let mut valence = base;
        let n = self.words.len();
        // "no" directly before another lexicon word negates it rather than scoring itself.
        if self.is(i, "no") && i + 1 < n && self.in_lexicon(i + 1) {
            valence = 0.0;
        }
        if (i > 0 && self.is(i - 1, "no"))
            || (i > 1 && self.is(i - 2, "no"))
            || (i > 2 && self.is(i - 3, "no") && (self.is(i - 1, "or") || self.is(i - 1, "nor")))
        {
            valence = base * N_SCALAR;
        }
        if is_upper(self.words[i]) && self.cap_diff {
            // As in VADER, a zero valence here is pushed negative.
            valence += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        for distance in 0..3 {
            if i > distance && !self.in_lexicon(i - distance - 1) {
                let mut s = self.scalar(i - distance - 1, valence);
                if s != 0.0 {
                    s *= [1.0, 0.95, 0.9][distance];
                }
                valence += s;
                valence = self.negation(valence, distance, i);
                if distance == 2 {
                    valence = self.idioms(valence, i);
                }
            }
        }
        self.least(valence, i)
    }

    /// VADER's `scalar_inc_dec`: the boost or dampening word `j` applies to `valence`.
    fn scalar(&self, j: usize, valence: f64) -> f64 {
        let Some(mut scalar) = booster(&self.lower[j]) else { return 0.0 };
        if valence < 0.0 {
            scalar = -scalar;
        }
        if is_upper(self.words[j]) && self.cap_diff {
            scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        scalar
    }

    /// VADER's `_negation_check` for the word `distance + 1` places before `i`.
    fn negation(&self, valence: f64, distance: usize, i: usize) -> f64 {
        let negated = |j: usize| is_negation(&self.lower[j]);
        match distance {
            0 if negated(i - 1) => valence * N_SCALAR,
            1 if self.is(i - 2, "never") && (self.is(i - 1, "so") || self.is(i - 1, "this")) => {
                valence * 1.25
            }
            1 if self.is(i - 2, "without") && self.is(i - 1, "doubt") => valence,
            1 if negated(i - 2) => valence * N_SCALAR,
            // Python precedence: `never and (so or this)` OR `(so or this)` one word before.
            2 if (self.is(i - 3, "never") && (self.is(i - 2, "so") || self.is(i - 2, "this")))
                || (self.is(i - 1, "so") || self.is(i - 1, "this")) =>
            {
                valence * 1.25
            }
            2 if self.is(i - 3, "without") && (self.is(i - 2, "doubt") || self.is(i - 1, "doubt")) => valence,
            2 if negated(i - 3) => valence * N_SCALAR,
            _ => valence,
        }
    }

    /// VADER's `_special_idioms_check` (only called with `i >= 3`).
    fn idioms(&self, mut valence: f64, i: usize) -> f64 {
        let l = self.lower;
        let one_zero = format!("{} {}", l[i - 1], l[i]);
        let two_one_zero = format!("{} {} {}", l[i - 2], l[i - 1], l[i]);
        let two_one = format!("{} {}", l[i - 2], l[i - 1]);
        let three_two_one = format!("{} {} {}", l[i - 3], l[i - 2], l[i - 1]);
        let three_two = format!("{} {}", l[i - 3], l[i - 2]);
        for seq in [&one_zero, &two_one_zero, &two_one, &three_two_one, &three_two] {
            if let Some(v) = special_case(seq) {
                valence = v;
                break;
            }
        }
        if l.len() > i + 1
            && let Some(v) = special_case(&format!("{} {}", l[i], l[i + 1]))
        {
            valence = v;
        }
        if l.len() > i + 2
            && let Some(v) = special_case(&format!("{} {} {}", l[i], l[i + 1], l[i + 2]))
        {
            valence = v;
        }
        for ngram in [&three_two_one, &three_two, &two_one] {
            if let Some(b) = booster(ngram) {
                valence += b;
            }
        }
        valence
    }

    /// VADER's `_least_check`: "least good" negates, "at least good" does not.
    fn least(&self, valence: f64, i: usize) -> f64 {
        if i > 0 && !self.in_lexicon(i - 1) && self.is(i - 1, "least") {
            if i > 1 && (self.is(i - 2, "at") || self.is(i - 2, "very")) {
                return valence;
            }
            return valence * N_SCALAR;
        }
        valence
    }
}

/// Some but not all words are ALL CAPS (VADER's `allcap_differential`).
fn cap_diff(words: &[&str]) -> bool {
    let caps = words.iter().filter(|w| is_upper(w)).count();
    caps > 0 && caps < words.len()
}

/// VADER's `_but_check`, by position: the first "but" halves what precedes it and
/// multiplies what follows by 1.5.
fn but_shift(lower: &[String], sentiments: &mut [f64]) {
    let Some(but) = lower.iter().position(|w| w == "but") else { return };
    for (i, s) in sentiments.iter_mut().enumerate() {
        if i < but {
            *s *= 0.5;
        } else if i > but {
            *s *= 1.5;
        }
    }
}

/// Emphasis from "!" (up to four) and "?" (two or more) in the text.
fn punctuation_emphasis(text: &str) -> f64 {
    let exclamations = text.matches('!').count().min(4) as f64 * 0.292;
    let questions = match text.matches('?').count() {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * 0.18,
        _ => 0.96,
    };
    exclamations + questions
}

/// VADER's `score_valence`: compound and proportions from the word valences.
fn score(sentiments: &[f64], text: &str) -> Polarity {
    if sentiments.is_empty() {
        return Polarity::default();
    }
    let emphasis = punctuation_emphasis(text);
    let mut sum: f64 = sentiments.iter().sum();
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let (mut pos, mut neg, mut neu) = (0.0_f64, 0.0_f64, 0.0_f64);
    for &s in sentiments {
        if s > 0.0 {
            pos += s + 1.0;
        } else if s < 0.0 {
            neg += s - 1.0;
        } else {
            neu += 1.0;
        }
    }
    if pos > neg.abs() {
        pos += emphasis;
    } else if pos < neg.abs() {
        neg -= emphasis;
    }
    let total = pos + neg.abs() + neu;
    Polarity {
        compound: normalize(sum),
        pos: (pos / total).abs(),
        neu: (neu / total).abs(),
        neg: (neg / total).abs(),
        words: sentiments.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::vader().unwrap()
    }

    fn compound(text: &str) -> f64 {
        polarity(text, &lex()).compound
    }

    #[test]
    fn praise_is_positive_and_negated_praise_negative() {
        assert!(compound("The talks were excellent and productive.") > 0.5);
        assert!(compound("The talks were not good.") < 0.0);
        assert!(compound("not good") < 0.0);
    }

    #[test]
    fn exclamation_marks_intensify() {
        let lex = lex();
        let plain = polarity("good", &lex).compound;
        let loud = polarity("good!!!", &lex).compound;
        assert!(loud > plain, "{loud} <= {plain}");
        // Capped at four.
        assert_eq!(polarity("good!!!!", &lex).compound, polarity("good!!!!!!!", &lex).compound);
    }

    #[test]
    fn all_caps_emphasis_only_in_mixed_case_sentences() {
        let lex = lex();
        let lower = polarity("The deal is good", &lex).compound;
        let shouted = polarity("The deal is GOOD", &lex).compound;
        assert!(shouted > lower, "{shouted} <= {lower}");
        // Everything in capitals: no word stands out, so no emphasis.
        assert_eq!(polarity("THE DEAL IS GOOD", &lex).compound, lower);
    }

    #[test]
    fn but_shifts_weight_to_the_second_clause() {
        let lex = lex();
        let text = "The plan is good but the talks were terrible";
        let with_but = polarity(text, &lex).compound;
        let without = polarity(&text.replace(" but ", " and "), &lex).compound;
        assert!(with_but < without, "{with_but} >= {without}");
        assert!(with_but < 0.0);
    }

    #[test]
    fn never_so_good_is_praise() {
        let lex = lex();
        assert!(polarity("It has never been good.", &lex).compound < 0.0);
        assert!(polarity("It has never been this good!", &lex).compound > 0.0);
    }

    /// Reference values from the Python package vaderSentiment 3.3.2
    /// (`SentimentIntensityAnalyzer().polarity_scores(text)`), rounded as it rounds.
    #[test]
    fn matches_the_python_reference() {
        let cases: &[(&str, f64, f64, f64, f64)] = &[
            // (text, compound, pos, neu, neg)
            ("The talks were excellent and productive.", 0.5719, 0.425, 0.575, 0.0),
            ("not good", -0.3412, 0.0, 0.294, 0.706),
            ("good", 0.4404, 1.0, 0.0, 0.0),
            ("good!!!", 0.5826, 1.0, 0.0, 0.0),
            ("The deal is GOOD, said the minister.", 0.5622, 0.377, 0.623, 0.0),
            ("The deal is good, said the minister.", 0.4404, 0.326, 0.674, 0.0),
            ("VADER is smart, handsome, and funny.", 0.8316, 0.746, 0.254, 0.0),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342, 0.767, 0.233, 0.0),
            ("VADER is not smart, handsome, nor funny.", -0.7424, 0.0, 0.354, 0.646),
            ("At least it isn't a horrible book.", 0.431, 0.322, 0.678, 0.0),
            ("The book was only kind of good.", 0.3832, 0.303, 0.697, 0.0),
            (
                "The plot was good, but the characters are uncompelling and the dialog is not great.",
                -0.7042,
                0.094,
                0.579,
                0.327,
            ),
            ("Today only kinda sux! But I'll get by, lol", 0.5249, 0.317, 0.556, 0.127),
            ("Sentiment analysis has never been this good!", 0.5672, 0.379, 0.621, 0.0),
            (
                "Roger Dodger is one of the least compelling variations on this theme.",
                -0.1695,
                0.0,
                0.868,
                0.132,
            ),
            ("Without a doubt, an excellent idea.", 0.7013, 0.592, 0.408, 0.0),
            ("Trump said there was an excellent likelihood the war could end.", -0.0516, 0.223, 0.542, 0.235),
            (
                "He warned that it would be a terrible massacre not seen since World War II.",
                -0.8442,
                0.0,
                0.569,
                0.431,
            ),
            (
                "Putin cannot get out of this war because then he will have nothing.",
                -0.6833,
                0.0,
                0.722,
                0.278,
            ),
            ("Is this really happening?? Why??", 0.0, 0.0, 1.0, 0.0),
            ("No problem at all, the kiss of death was avoided.", -0.63, 0.144, 0.383, 0.473),
        ];
        let lex = lex();
        for &(text, compound, pos, neu, neg) in cases {
            let p = polarity(text, &lex);
            assert!((p.compound - compound).abs() < 0.001, "{text:?}: {p:?} vs {compound}");
            assert!((p.pos - pos).abs() < 0.001, "{text:?}: pos {p:?} vs {pos}");
            assert!((p.neu - neu).abs() < 0.001, "{text:?}: neu {p:?} vs {neu}");
            assert!((p.neg - neg).abs() < 0.001, "{text:?}: neg {p:?} vs {neg}");
        }
    }

    #[test]
    fn typographic_punctuation_scores_like_ascii() {
        let lex = lex();
        let curly = polarity("Trump called it “excellent,” but it couldn’t last.", &lex);
        let ascii = polarity("Trump called it \"excellent,\" but it couldn't last.", &lex);
        assert_eq!(curly, ascii);
        assert!(curly.compound != 0.0);
    }

    #[test]
    fn empty_text_scores_zero_words() {
        assert_eq!(polarity("  ", &lex()), Polarity::default());
    }
}
