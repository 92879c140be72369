//! [`SentimentResult`]: the JSON shape this plugin writes under `plugins.sentiment.result`.
//!
//! ```json
//! {"score": -0.12, "label": "negative", "pos": 0.08, "neu": 0.81, "neg": 0.11,
//!  "sentences": [{"start": 0, "end": 120, "score": 0.5719}],
//!  "entities": {"Vladimir Putin": {"score": -0.31, "sentences": 14}}}
//! ```
//!
//! All numbers are rounded to four decimals (VADER's own output rounds too); offsets are
//! code points into the document text.

use indexmap::IndexMap;
use serde::Serialize;

use crate::config::Label;

/// The sentiment of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentimentResult {
    /// Mean VADER compound of the document's sentences, in [-1, 1].
    pub score: f64,
    /// `score` against the configured thresholds.
    pub label: Label,
    /// Mean positive proportion of the sentences.
    pub pos: f64,
    /// Mean neutral proportion.
    pub neu: f64,
    /// Mean negative proportion.
    pub neg: f64,
    /// Every sentence the host gave, in order, with its compound.
    pub sentences: Vec<SentenceScore>,
    /// Per entity (by canonical name, in the entities plugin's order): the mean compound
    /// of the sentences that mention it. Empty when the entities plugin did not run.
    pub entities: IndexMap<String, EntityScore>,
}

/// One sentence's compound score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SentenceScore {
    /// First code point of the sentence.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
    /// VADER compound, in [-1, 1].
    pub score: f64,
}

/// The sentiment around one entity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EntityScore {
    /// Mean compound of the sentences mentioning the entity.
    pub score: f64,
    /// How many sentences that is.
    pub sentences: usize,
}

/// Rounds to four decimals, for output.
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
