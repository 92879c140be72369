//! [`Config`]: the plugin's table in `ingestd.toml`.

use serde::Deserialize;

/// Settings of the sentiment plugin. Every key is optional; unknown keys are refused so a
/// misspelt one is reported instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// A document whose score is at least this is labelled `positive` (VADER's
    /// conventional cut-off, 0.05).
    pub positive_threshold: f64,
    /// A document whose score is at most this is labelled `negative` (VADER's
    /// conventional cut-off, -0.05).
    pub negative_threshold: f64,
    /// `"news"` (default): VADER adapted to news (see [`crate::news`]); `"vader"`: the
    /// faithful VADER of vaderSentiment 3.3.2 per sentence, document = mean compound.
    pub mode: Mode,
}

impl Default for Config {
    fn default() -> Self {
        Self { positive_threshold: 0.05, negative_threshold: -0.05, mode: Mode::News }
    }
}

/// Which scorer the plugin runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Exactly VADER (vaderSentiment 3.3.2) on each sentence; the document score is the
    /// mean sentence compound.
    Vader,
    /// The news mode: VADER's rules with its quirks fixed, news-register words and a
    /// calibrated document combination.
    News,
}

impl Config {
    /// Checks the thresholds make sense: both within [-1, 1] (the score's range) and
    /// `negative_threshold <= positive_threshold`.
    ///
    /// # Errors
    /// A message naming the offending key.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in
            [("positive_threshold", self.positive_threshold), ("negative_threshold", self.negative_threshold)]
        {
            if !(-1.0..=1.0).contains(&value) {
                return Err(format!("{key} = {value} is outside the score range [-1, 1]"));
            }
        }
        if self.negative_threshold > self.positive_threshold {
            return Err(format!(
                "negative_threshold ({}) is above positive_threshold ({})",
                self.negative_threshold, self.positive_threshold
            ));
        }
        Ok(())
    }

    /// The label of a document score under these thresholds.
    pub fn label(&self, score: f64) -> Label {
        if score >= self.positive_threshold {
            Label::Positive
        } else if score <= self.negative_threshold {
            Label::Negative
        } else {
            Label::Neutral
        }
    }
}

/// The document's overall polarity, as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Score at or below `negative_threshold`.
    Negative,
    /// Between the thresholds.
    Neutral,
    /// Score at or above `positive_threshold`.
    Positive,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let c: Config = serde_json::from_str("{}").unwrap();
        assert_eq!(c, Config::default());
        let c: Config = serde_json::from_str(r#"{"mode": "vader"}"#).unwrap();
        assert_eq!(c.mode, Mode::Vader);
        assert!(serde_json::from_str::<Config>(r#"{"mode": "nltk"}"#).is_err());
        let err = serde_json::from_str::<Config>(r#"{"positive_treshold": 0.1}"#).unwrap_err();
        assert!(err.to_string().contains("positive_treshold"), "{err}");
    }

    #[test]
    fn thresholds_are_checked_and_label() {
        let c = Config { positive_threshold: -0.2, negative_threshold: 0.2, ..Config::default() };
        assert!(c.validate().unwrap_err().contains("negative_threshold"));
        assert!(Config { positive_threshold: 2.0, ..Config::default() }.validate().is_err());
        let c = Config::default();
        assert_eq!(c.label(0.05), Label::Positive);
        assert_eq!(c.label(0.0), Label::Neutral);
        assert_eq!(c.label(-0.3), Label::Negative);
    }
}
