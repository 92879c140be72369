//! The trained named-entity tagger: CoNLL-2003 types (PER, ORG, LOC, MISC) in BIO tags,
//! from a structured averaged perceptron with rich features, decoded with Viterbi.
//!
//! - [`tokens`]: the tagger's tokens (`ingest_text` tokens, possessive split off).
//! - [`features`]: token → feature hashes ([`hash`]); [`lexicon`]: gazetteers, clusters;
//!   [`brown`]: learning Brown clusters.
//! - [`model`]: weights, the model file format, tagging a document in one or two stages
//!   ([`table`] stores them).
//! - [`decode`]: BIO tags, Viterbi, spans. [`train`]: the perceptron. [`conll`]: data and
//!   scoring.
//!
//! The shipped model (`model/ner.bin`) is compiled into the library with `include_bytes!`,
//! so the cdylib is self-contained; [`Tagger::builtin`] parses it (a few milliseconds).
//! Retrain with `cargo run --release -p entities --example ner_train` (see the crate README).

pub mod brown;
pub mod conll;
pub mod decode;
pub mod features;
pub mod hash;
pub mod lexicon;
pub mod model;
pub mod table;
pub mod tokens;
pub mod train;

use ingest_abi::Span;

use model::{Model, TagScratch};
use tokens::{Tok, sentence_tokens};

/// The model file shipped with the plugin, compiled in.
pub static BUILTIN_MODEL: &[u8] = include_bytes!("../../model/ner.bin");

/// A loaded tagger.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
}

/// One sentence's tokens and their tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagged {
    /// Tokens, with offsets into the document text.
    pub tokens: Vec<Tok>,
    /// One tag per token ([`decode::TAG_NAMES`]).
    pub tags: Vec<u8>,
}

impl Tagger {
    /// The model compiled into the plugin.
    ///
    /// # Errors
    /// The shipped file is not a model this build reads.
    pub fn builtin() -> Result<Self, String> {
        Self::from_bytes(BUILTIN_MODEL)
    }

    /// A model from a file's bytes.
    ///
    /// # Errors
    /// Not a model file of this format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        Ok(Self { model: Model::from_bytes(bytes)? })
    }

    /// Wraps a model.
    #[must_use]
    pub fn new(model: Model) -> Self {
        Self { model }
    }

    /// The model.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Tags every sentence of a document (`sentences`: code-point spans of `text`).
    #[must_use]
    pub fn tag_document(&self, text: &str, sentences: &[Span]) -> Vec<Tagged> {
        let toks = sentence_tokens(text, sentences);
        let words: Vec<Vec<&str>> = toks.iter().map(|s| s.iter().map(|t| t.text(text)).collect()).collect();
        let tags = self.tag_words(&words);
        toks.into_iter().zip(tags).map(|(tokens, tags)| Tagged { tokens, tags }).collect()
    }

    /// Tags the sentences (as word lists) of one document.
    #[must_use]
    pub fn tag_words(&self, sentences: &[Vec<&str>]) -> Vec<Vec<u8>> {
        self.model.tag_document(sentences, &mut TagScratch::default())
    }

    /// Tags CoNLL documents and scores them against their gold tags, on the CoNLL tokens.
    #[must_use]
    pub fn evaluate(&self, docs: &[Vec<conll::Sentence>]) -> conll::Scores {
        let mut scores = conll::Scores::default();
        for doc in docs {
            let mapped: Vec<conll::Mapped> = doc.iter().map(conll::map).collect();
            let words: Vec<Vec<&str>> =
                mapped.iter().map(|m| m.words.iter().map(String::as_str).collect()).collect();
            for ((m, s), tags) in mapped.iter().zip(doc).zip(self.tag_words(&words)) {
                scores.add(&s.tags, &conll::unmap(&tags, &m.first));
            }
        }
        scores
    }
}
