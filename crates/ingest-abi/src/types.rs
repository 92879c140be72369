//! The JSON that crosses the boundary: the [`Document`] a plugin receives and the
//! [`ArticleResult`] the daemon writes to the outbox.
//!
//! Both sides (host and plugins) and downstream Rust consumers use these types, so the
//! wire format has one definition. Every offset is in Unicode code points into
//! [`Document::text`], the same text the result publishes.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The value of [`ArticleResult::schema`]; bumped on any change a consumer must know about.
pub const RESULT_SCHEMA: &str = "ingestd/1";

/// A half-open range `[start, end)` of Unicode code points into a document's text.
///
/// Invariant: `start <= end <= text.chars().count()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// Where an article came from: the file as it arrived in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file name in the inbox (no folder).
    pub name: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Hex SHA-256 of the file's bytes, so consumers can match a result to its input.
    pub sha256: String,
    /// When the daemon claimed the file, RFC 3339 UTC.
    pub received_at: String,
}

/// Counts a reader wants at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Word tokens in the text.
    pub words: usize,
    /// Sentences in the text.
    pub sentences: usize,
    /// Paragraphs in the text.
    pub paragraphs: usize,
}

/// One article as handed to a plugin's `process`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: `b3:` + the BLAKE3 hash of the file's bytes. The same bytes always get
    /// the same id, which is what makes redelivery after a crash recognisable.
    pub id: String,
    /// The input file.
    pub source: Source,
    /// The headline, when the text starts with one.
    pub title: Option<String>,
    /// ISO 639-1 language code.
    pub language: String,
    /// The cleaned text; every offset indexes it.
    pub text: String,
    /// Paragraph spans, in order.
    pub paragraphs: Vec<Span>,
    /// Sentence spans, in order; none crosses a paragraph boundary.
    pub sentences: Vec<Span>,
    /// The results of the plugins that ran before this one, by plugin name. A plugin that
    /// failed is absent. Each stays JSON text until a plugin parses what it needs of it.
    #[serde(default)]
    pub plugins: IndexMap<String, PriorResult>,
}

/// An earlier plugin's result in a [`Document`]: its JSON text, parsed only when and as far
/// as the plugin that reads it asks. Decoding every prior result into a `serde_json::Value`
/// tree cost a plugin reading one field of it more than its whole analysis.
///
/// The text is kept as it came (the daemon sends compact JSON, keys in the plugin's order);
/// equality compares the text, so key order and whitespace count.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriorResult(Box<serde_json::value::RawValue>);

impl PriorResult {
    /// The result's JSON text, exactly as the host sent it.
    #[must_use]
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// Parses the result into `T`, which may borrow strings from it (use `Cow<str>` for
    /// strings that may hold escapes). Fields `T` does not name are skipped, not allocated.
    ///
    /// # Errors
    /// The result is not of the shape `T` describes.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_str(self.0.get())
    }

    /// The result as a `serde_json::Value` tree.
    ///
    /// # Errors
    /// The text holds what a `Value` cannot: a number out of `f64`'s range (`1e400`) or a
    /// lone surrogate escape (the daemon never sends either).
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_str(self.0.get())
    }

    /// The compact JSON of `value`, for tests and hosts that hold results as values.
    #[must_use]
    pub fn from_value(value: &serde_json::Value) -> Self {
        Self::from_json(value.to_string()).expect("a Value encodes to valid JSON")
    }

    /// Takes JSON text as a result.
    ///
    /// # Errors
    /// `json` is not one valid JSON value.
    pub fn from_json(json: String) -> serde_json::Result<Self> {
        serde_json::value::RawValue::from_string(json).map(Self)
    }
}

/// Two results are equal when their JSON text is.
impl PartialEq for PriorResult {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

/// One plugin's part of an [`ArticleResult`]. `R` is how the plugin's output is held: a
/// `serde_json::Value` for readers; the daemon keeps it as JSON text until it is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginReport<R = serde_json::Value> {
    /// The plugin's version as its descriptor states it.
    pub version: String,
    /// Wall-clock milliseconds the plugin's `process` took.
    pub ms: f64,
    /// What the plugin returned.
    pub result: R,
}

/// Something that went wrong while analysing an article, without stopping it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultError {
    /// The plugin involved, when there is one.
    pub plugin: Option<String>,
    /// `error`, `panic`, `cancelled`, `timeout`, `invalid_output` or `decode`.
    pub kind: String,
    /// A human-readable description.
    pub message: String,
}

/// Something taken out of the text before analysis, so nothing vanishes silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// Why: `promo`, `share`, `advertisement`, `repeated_line`, `invisible_char` or
    /// `control_char`.
    pub reason: String,
    /// What was removed (a whole line, or the removed characters of one kind).
    pub text: String,
}

/// How the article was read and what its source says about it: the result's metadata
/// keys (serialised at the top level of [`ArticleResult`], next to `title` and `language`).
/// Results written before these keys existed read as the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArticleMeta {
    /// Author(s), as the source names them; `null` when unknown.
    pub byline: Option<String>,
    /// Publication date/time as the source states it (usually ISO 8601); `null` when unknown.
    pub published: Option<String>,
    /// The article's canonical URL; `null` when unknown.
    pub url: Option<String>,
    /// The publication or site name; `null` when unknown.
    pub site: Option<String>,
    /// The language detector's confidence in `language`, 0 to 1 (0 for `und`).
    pub language_confidence: f64,
    /// The input format: `text`, `html`, `json`, `jsonl` or `markdown`.
    pub format: String,
    /// The character encoding the input was decoded from (WHATWG name: `utf-8`,
    /// `utf-16le`, `windows-1252`…).
    pub encoding: String,
    /// `gzip` when the input was compressed; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// 1-based position of this article in a multi-article input (the line of a JSON
    /// Lines file, the element of a JSON array); absent for single-article inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// What boilerplate removal and cleaning took out, in order.
    pub removed: Vec<Removed>,
}

/// The JSON object written to the outbox for each article (schema [`RESULT_SCHEMA`]).
/// `R` holds each plugin's output (see [`PluginReport`]); the default is what readers want.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleResult<R = serde_json::Value> {
    /// Always [`RESULT_SCHEMA`] for this version.
    pub schema: String,
    /// See [`Document::id`].
    pub id: String,
    /// The input file.
    pub source: Source,
    /// The headline, when there is one.
    pub title: Option<String>,
    /// ISO 639-1 language code.
    pub language: String,
    /// The cleaned text every offset indexes.
    pub text: String,
    /// How the article was read and its metadata (top-level keys in the JSON).
    #[serde(flatten)]
    pub meta: ArticleMeta,
    /// Counts.
    pub stats: Stats,
    /// Each plugin's report, in the order they ran.
    pub plugins: IndexMap<String, PluginReport<R>>,
    /// Problems met on the way; empty when all went well.
    pub errors: Vec<ResultError>,
}
