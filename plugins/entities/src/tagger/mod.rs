//! The trained named-entity tagger: CoNLL-2003 types (PER, ORG, LOC, MISC) in BIO tags,
//! from a structured averaged perceptron with rich features, decoded with Viterbi.
//!
//! - [`tokens`]: the tagger's tokens (`ingest_text` tokens, possessive split off).
//! - [`features`]: token → feature hashes ([`hash`]); [`lexicon`]: gazetteers, clusters;
//!   [`brown`]: learning Brown clusters.
//! - [`model`]: weights, the model file format, tagging a document in one or two stages
//!   ([`table`] stores them; [`cache`] keeps recent words' weighed features).
//! - [`decode`]: BIO tags, Viterbi, spans. [`train`]: the perceptron. [`conll`]: data and
//!   scoring.
//!
//! The shipped model (`model/ner.bin`) is compiled into the library with `include_bytes!`,
//! so the cdylib is self-contained; [`Tagger::builtin`] parses it (a few milliseconds).
//! Retrain with `cargo run --release -p entities --example ner_train` (see the crate README).

pub mod brown;
pub mod cache;
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

use cache::WordCache;
use model::{Model, TagScratch};
use tokens::{Tok, sentence_tokens};

/// The model file shipped with the plugin, compiled in.
pub static BUILTIN_MODEL: &[u8] = include_bytes!("../../model/ner.bin");

/// A loaded tagger.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
    /// Recent words' weighed features, shared by every document this tagger tags.
    cache: WordCache,
    /// Tagging buffers kept for the next document (one per thread tagging at once).
    scratch: ScratchPool,
}

/// Spare [`TagScratch`]es, so that tagging a document reuses the buffers of an earlier one
/// instead of allocating them again.
#[derive(Debug, Default)]
struct ScratchPool(std::sync::Mutex<Vec<TagScratch>>);

impl Clone for ScratchPool {
    /// An empty pool (buffers are only ever a shortcut).
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl ScratchPool {
    fn take(&self) -> TagScratch {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop().unwrap_or_default()
    }

    /// Keeps `s` for a later document unless its buffers grew for a very long one (they
    /// would hold memory long after it) or enough are kept already.
    fn give(&self, s: TagScratch) {
        let mut pool = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if s.token_capacity() <= 20_000 && pool.len() < 16 {
            pool.push(s);
        }
    }
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
        Ok(Self::new(Model::from_bytes(bytes)?))
    }

    /// Wraps a model.
    #[must_use]
    pub fn new(model: Model) -> Self {
        Self { model, cache: WordCache::default(), scratch: ScratchPool::default() }
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
        let mut scratch = self.scratch.take();
        let tags = self.model.tag_document_cached(sentences, &mut scratch, &self.cache);
        self.scratch.give(scratch);
        tags
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
