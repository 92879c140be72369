//! The JSON the plugin answers with, under `plugins.dedup.result`.
//!
//! The same types are stored in the index per (document id, source name), so a redelivered
//! document gets back exactly the answer it got the first time.

use ingest_abi::Span;
use serde::{Deserialize, Serialize};

/// The dedup plugin's answer for one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupResult {
    /// The earlier article with the same normalised text, when there is one.
    pub exact_duplicate_of: Option<DocRef>,
    /// Earlier articles sharing enough word shingles, most similar first; the exact
    /// original (if any) is not repeated here.
    pub near_duplicates: Vec<NearDuplicate>,
    /// Paragraphs of this article that repeat an earlier paragraph of the same article.
    pub repeated_paragraphs: Vec<RepeatedParagraph>,
    /// The story this article belongs to: `s-` and the short id of the story's first article.
    pub story: String,
}

/// An earlier article, as a reader finds it: its id and the file name it arrived under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRef {
    /// The article's id (`b3:…`).
    pub id: String,
    /// The file name it arrived under.
    pub source: String,
}

/// An earlier article that shares much of this one's wording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearDuplicate {
    /// The earlier article's id.
    pub id: String,
    /// The file name it arrived under.
    pub source: String,
    /// Jaccard similarity of the two word-shingle sets, rounded to 4 decimals.
    pub similarity: f64,
    /// Shared shingles over the smaller set's size, rounded to 4 decimals: near 1.0 when one
    /// text is copied whole into the other.
    pub containment: f64,
}

/// A paragraph that repeats an earlier paragraph of the same article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedParagraph {
    /// First code point of the repeat.
    pub start: usize,
    /// One past its last code point.
    pub end: usize,
    /// The span of the paragraph's first occurrence.
    pub first: Span,
}
