//! The ingestd **sentiment** plugin: how positive or negative an article is, sentence by
//! sentence, overall, and around each entity the entities plugin found.
//!
//! # What it does
//!
//! The model is **VADER** (Hutto & Gilbert 2014, *A Parsimonious Rule-based Model for
//! Sentiment Analysis of Social Media Text*): a human-rated lexicon of ~7,500 words,
//! slang and emoticons plus a handful of empirically tuned rules (boosters and dampeners,
//! negation within three words, the "but" shift, ALL-CAPS and "!"/"?" emphasis). It needs
//! no training data and no model download, is transparent (every score can be traced to
//! words), and is fast. The lexicon is vendored from the MIT-licensed vaderSentiment 3.3.2
//! release (`data/`, with `data/SOURCE.md` for origin, version and checksums), and the
//! algorithm is ported rule for rule in [`score`], checked against reference values from
//! the Python package.
//!
//! # How the parts fit
//!
//! - [`lexicon`] loads the word valences once, in `create` (the seam for another lexicon);
//! - [`rules`] holds VADER's fixed tables and constants;
//! - [`words`] prepares a sentence the way VADER does (its tokenization is part of the
//!   algorithm, so it is not `ingest_text::tokens`); [`scan`] finds the same tokens with
//!   bit masks, for speed, and `split` the host's sentences from the same masks;
//! - [`score`] scores one sentence: [`score::Options::VADER`] is vaderSentiment 3.3.2
//!   exactly (all 18,513 development texts within 0.001), [`score::Options::NEWS`] fixes its
//!   accidents;
//! - [`news`] is the news mode (`mode = "news"`, the default): news-register words (in
//!   sentences that report a figure) and a calibrated document combination fitted by
//!   `examples/sentiment_fit.rs`;
//! - [`eval`] reads ground-truth files and computes Pearson r and macro-F1 for the
//!   evaluation commands (`examples/`; figures in `docs/BENCHMARKS.md`);
//! - [`entities`] reads `document.plugins["entities"]` (the host runs entities first);
//! - [`document`] scores the host-given sentences and aggregates them (mean of sentence
//!   compounds for the document and for each entity; the reasons are documented there);
//! - [`result`] is the JSON shape.
//!
//! # Honest limits
//!
//! VADER was tuned on social-media text, movie reviews and news *opinion* snippets; on
//! neutral wire copy most sentences score near 0, and a word's lexicon valence is not its
//! meaning in context ("the war could end" still counts "war"). Entity scores are the tone
//! of the sentences that name an entity, not the sentiment *towards* it. Both are honest,
//! explainable baselines that a trained, target-aware model can later replace behind
//! [`score`] and [`document`] without changing the result shape.

pub mod config;
pub mod document;
pub mod entities;
pub mod eval;
pub mod lexicon;
pub mod news;
pub mod result;
pub mod rules;
pub mod scan;
pub mod score;
mod split;
pub mod words;

use ingest_abi::{Call, Document, Host, Level, Plugin, PluginError};

pub use config::Config;
pub use result::SentimentResult;

/// The plugin instance: its configuration and scorer, loaded once.
#[derive(Debug)]
pub struct Sentiment {
    config: Config,
    scorer: document::Scorer,
}

impl Plugin for Sentiment {
    const NAME: &'static str = "sentiment";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    type Config = Config;
    type Output = SentimentResult;

    fn create(config: Config, _host: &Host) -> Result<Self, PluginError> {
        config.validate().map_err(PluginError::Config)?;
        let scorer = match config.mode {
            config::Mode::Vader => {
                document::Scorer::Vader(lexicon::Lexicon::vader().map_err(PluginError::Failed)?)
            }
            config::Mode::News => {
                document::Scorer::News(news::NewsModel::new().map_err(PluginError::Failed)?)
            }
        };
        Ok(Self { config, scorer })
    }

    fn process(&self, document: &Document, call: &Call<'_>) -> Result<SentimentResult, PluginError> {
        let entities = entities::entity_mentions(document).unwrap_or_else(|e| {
            call.host().log(Level::Warn, &format!("{}: no per-entity scores: {e}", document.id));
            Vec::new()
        });
        document::analyse(document, &entities, &self.scorer, &self.config, || call.is_cancelled())
            .ok_or(PluginError::Cancelled)
    }
}

ingest_abi::export_plugin!(Sentiment);
