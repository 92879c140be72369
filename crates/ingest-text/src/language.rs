//! [`detect_language`]: which language an article is written in, with a confidence.
//!
//! Detection is `whatlang` (trigram profiles of 69 languages, no model files, deterministic);
//! this module maps its ISO 639-3 codes to the ISO 639-1 codes the result publishes. The
//! workspace builds whatlang 0.16.4 from the patched copy in `vendor/whatlang` (inverted
//! trigram profiles: the same answers, bit for bit, for about a third of the CPU; see its
//! `PATCHES.md`); `tests/language_parity.rs` pins answers recorded with upstream.

/// A detected language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Language {
    /// ISO 639-1 code (`en`, `fr`, …), or `und` when undetermined.
    pub code: &'static str,
    /// Confidence in `[0, 1]` (0 for `und`).
    pub confidence: f64,
}

impl Language {
    /// The undetermined language.
    pub const UNDETERMINED: Self = Self { code: "und", confidence: 0.0 };
}

/// How many characters of the text the detector looks at (the start of an article is
/// plenty, and this bounds the cost on long texts). whatlang is most of the cost of reading
/// an article; 2,000 (was 4,000) gives the same language and confidence on all 2,225 BBC
/// articles, the seeds and the fixtures (`tests/golden.rs`), while 1,500 already changes
/// the confidence of three BBC articles.
const SAMPLE_CHARS: usize = 2000;

/// Detects the language of `text`: whatlang's answer when it calls it reliable; else `en`
/// when English function words make up at least 8% of the words (short English texts
/// confuse trigram models); else [`Language::UNDETERMINED`].
#[must_use]
pub fn detect_language(text: &str) -> Language {
    let end = text.char_indices().nth(SAMPLE_CHARS).map_or(text.len(), |(i, _)| i);
    let sample = &text[..end];
    let guess = whatlang::detect(sample);
    if let Some(info) = guess.as_ref().filter(|i| i.is_reliable())
        && let Some(code) = iso639_1(info.lang().code())
    {
        return Language { code, confidence: (info.confidence() * 1000.0).round() / 1000.0 };
    }
    // whatlang is unsure on short texts (a headline and a sentence): English function
    // words settle the commonest case; otherwise undetermined.
    if english_share(sample) >= 0.08 {
        let confidence = guess
            .as_ref()
            .filter(|i| i.lang() == whatlang::Lang::Eng)
            .map_or(0.5, |i| i.confidence().max(0.5));
        return Language { code: "en", confidence: (confidence * 1000.0).round() / 1000.0 };
    }
    Language::UNDETERMINED
}

/// English function words, for short texts.
const ENGLISH_MARKERS: [&str; 16] = [
    "the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "was", "as", "by", "it", "at", "said",
];

/// The share of the first 300 words that are English function words.
fn english_share(text: &str) -> f64 {
    let (mut words, mut markers) = (0usize, 0usize);
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(300) {
        words += 1;
        markers += usize::from(ENGLISH_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(word)));
    }
    if words == 0 { 0.0 } else { markers as f64 / words as f64 }
}

/// ISO 639-3 (as whatlang names them) to ISO 639-1.
fn iso639_1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_news_languages() {
        let cases = [
            (
                "en",
                "Foreign ministers met in Quebec on Friday to discuss trade and security, and the talks ended with a joint statement.",
            ),
            (
                "fr",
                "Les ministres des Affaires étrangères se sont réunis vendredi au Québec pour discuter du commerce et de la sécurité.",
            ),
            (
                "de",
                "Die Außenminister trafen sich am Freitag in Quebec, um über Handel und Sicherheit zu sprechen, und einigten sich.",
            ),
            (
                "uk",
                "Міністри закордонних справ зустрілися в п'ятницю в Квебеку, щоб обговорити торгівлю та безпеку.",
            ),
        ];
        for (code, text) in cases {
            let l = detect_language(text);
            assert_eq!(l.code, code, "{text}");
            assert!(l.confidence > 0.5, "{l:?}");
        }
    }

    #[test]
    fn short_english_is_english() {
        let l = detect_language("Headline\n\nThe minister said the talks went well.");
        assert_eq!(l.code, "en");
        assert!(l.confidence >= 0.5);
    }

    #[test]
    fn nothing_to_detect_is_undetermined() {
        assert_eq!(detect_language(""), Language::UNDETERMINED);
        assert_eq!(detect_language("12345 !!!"), Language::UNDETERMINED);
    }
}
