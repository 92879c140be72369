//! [`analyse`]: from a [`Document`] to its [`SentimentResult`].
//!
//! VADER is a sentence-level model (its authors say so, and its "but", capitals and "!"
//! rules look at the whole input as one sentence), so every host-given sentence is scored
//! on its own, and the document and each entity are aggregates of sentence scores:
//!
//! In the **news** mode (the default) sentences are scored by [`NewsModel::sentence`] and
//! the document score is [`NewsModel::combine`] over all of them (a calibrated sum, see
//! [`crate::news`]); a sentence's `score` is the same combination of that sentence alone,
//! so both are on one scale. In the **vader** mode:
//!
//! - **document `score`** = the mean compound of the sentences that contain at least one
//!   word. This is the aggregation the VADER authors recommend for paragraphs and longer
//!   texts (the package's own demo averages sentence compounds); scoring a whole article
//!   as one VADER "sentence" would let a single "but" halve everything before it and
//!   saturate the compound towards ±1 on any long text.
//! - **`pos`/`neu`/`neg`** = the means of the same sentences' proportions, so they still
//!   sum to 1.
//! - **per entity** = the mean compound of the sentences containing at least one of its
//!   mentions (a sentence counted once however often it names the entity), with that count.

use indexmap::IndexMap;
use ingest_abi::{Document, Span};

use crate::config::Config;
use crate::entities::EntityMentions;
use crate::lexicon::Lexicon;
use crate::news::NewsModel;
use crate::result::{EntityScore, SentenceScore, SentimentResult, round};
use crate::score::{Polarity, polarity};

/// The sentence scorer and document combination of one mode.
#[derive(Debug, Clone)]
pub enum Scorer {
    /// Faithful VADER per sentence, mean compound for the document.
    Vader(Lexicon),
    /// The news mode.
    News(NewsModel),
}

impl Scorer {
    /// Scores one sentence; `compound` is the sentence's reported score.
    fn sentence(&self, text: &str) -> Polarity {
        match self {
            Self::Vader(lexicon) => polarity(text, lexicon),
            Self::News(model) => {
                let mut p = model.sentence(text);
                p.compound = model.combine(std::slice::from_ref(&p));
                p
            }
        }
    }

    /// The document score from its scored sentences (those with words).
    fn document(&self, with_words: &[&Polarity]) -> f64 {
        match self {
            Self::Vader(_) if with_words.is_empty() => 0.0,
            Self::Vader(_) => with_words.iter().map(|p| p.compound).sum::<f64>() / with_words.len() as f64,
            Self::News(model) => model.combine(&with_words.iter().map(|p| **p).collect::<Vec<_>>()),
        }
    }
}

/// Scores every sentence of `document`, then aggregates for the document and for
/// `entities`. `cancelled` is asked between sentences; when it says yes, `None` is
/// returned.
pub fn analyse(
    document: &Document,
    entities: &[EntityMentions],
    scorer: &Scorer,
    config: &Config,
    mut cancelled: impl FnMut() -> bool,
) -> Option<SentimentResult> {
    let spans = sentence_spans(document);
    let index = CharIndex::new(&document.text);
    let mut scored: Vec<(Span, Polarity)> = Vec::with_capacity(spans.len());
    for (n, span) in spans.iter().enumerate() {
        if n % 32 == 31 && cancelled() {
            return None;
        }
        scored.push((*span, scorer.sentence(index.slice(&document.text, *span))));
    }

    let with_words: Vec<&Polarity> = scored.iter().map(|(_, p)| p).filter(|p| p.words > 0).collect();
    let mean = |f: fn(&Polarity) -> f64| -> f64 {
        if with_words.is_empty() {
            0.0
        } else {
            with_words.iter().map(|p| f(p)).sum::<f64>() / with_words.len() as f64
        }
    };
    let score = scorer.document(&with_words);
    Some(SentimentResult {
        score: round(score),
        label: config.label(score),
        pos: round(mean(|p| p.pos)),
        neu: round(mean(|p| p.neu)),
        neg: round(mean(|p| p.neg)),
        sentences: scored
            .iter()
            .map(|(span, p)| SentenceScore { start: span.start, end: span.end, score: round(p.compound) })
            .collect(),
        entities: entity_scores(&scored, entities),
    })
}

/// The sentences to score: the host's, or the whole text as one when it gave none.
fn sentence_spans(document: &Document) -> Vec<Span> {
    if document.sentences.is_empty() && !document.text.trim().is_empty() {
        return vec![Span { start: 0, end: document.text.chars().count() }];
    }
    document.sentences.clone()
}

/// Mean sentence compound per entity, over the distinct sentences naming it.
fn entity_scores(scored: &[(Span, Polarity)], entities: &[EntityMentions]) -> IndexMap<String, EntityScore> {
    let mut out: IndexMap<String, (f64, usize)> = IndexMap::new();
    for entity in entities {
        let mut sentences: Vec<usize> = entity
            .starts
            .iter()
            .filter_map(|&start| {
                // Sentences are in order: the last one starting at or before `start`.
                let i = scored.partition_point(|(s, _)| s.start <= start).checked_sub(1)?;
                (start < scored[i].0.end).then_some(i)
            })
            .collect();
        sentences.sort_unstable();
        sentences.dedup();
        if sentences.is_empty() {
            continue;
        }
        // Two entities with one name (rare) share one entry.
        let entry = out.entry(entity.name.clone()).or_insert((0.0, 0));
        for i in sentences {
            entry.0 += scored[i].1.compound;
            entry.1 += 1;
        }
    }
    out.into_iter()
        .map(|(name, (sum, n))| (name, EntityScore { score: round(sum / n as f64), sentences: n }))
        .collect()
}

/// Code-point to byte offsets of one text, so many spans are sliced without rescanning
/// (none needed for ASCII text, where they are the same).
struct CharIndex {
    /// Byte offset of every code point and of the end; empty for ASCII text.
    bytes: Vec<usize>,
    len: usize,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect()
        };
        Self { bytes, len: text.len() }
    }

    /// The byte offset of code point `cp`, clamped to the end of the text.
    fn byte(&self, cp: usize) -> usize {
        if self.bytes.is_empty() { cp.min(self.len) } else { self.bytes[cp.min(self.bytes.len() - 1)] }
    }

    /// The text of `span`, clamped to the text.
    fn slice<'a>(&self, text: &'a str, span: Span) -> &'a str {
        let start = self.byte(span.start);
        let end = self.byte(span.end).max(start);
        &text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::round;

    fn document(text: &str) -> Document {
        // Sentences split at ". " for the test; the host uses ingest-text.
        let mut sentences = Vec::new();
        let mut start = 0;
        let chars: Vec<char> = text.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if *c == '.' {
                sentences.push(Span { start, end: i + 1 });
                start = i + 2;
            }
        }
        serde_json::from_value(serde_json::json!({
            "id": "b3:x", "source": {"name": "x.txt", "bytes": 1, "sha256": "", "received_at": ""},
            "title": null, "language": "en", "text": text,
            "paragraphs": [{"start": 0, "end": chars.len()}], "sentences": sentences,
        }))
        .unwrap()
    }

    #[test]
    fn document_score_is_the_mean_of_sentence_compounds() {
        let lex = Scorer::Vader(Lexicon::vader().unwrap());
        let doc = document("Mélanie Joly called the talks excellent. The war is horrible. It rained.");
        let r = analyse(&doc, &[], &lex, &Config::default(), || false).unwrap();
        assert_eq!(r.sentences.len(), 3);
        let (a, b, c) = (r.sentences[0].score, r.sentences[1].score, r.sentences[2].score);
        assert!(a > 0.0 && b < 0.0 && c == 0.0, "{a} {b} {c}");
        assert!((r.score - round((a + b + c) / 3.0)).abs() < 1e-3);
        assert!((r.pos + r.neu + r.neg - 1.0).abs() < 2e-3);
        // Offsets are code points: the first sentence starts with "Mélanie".
        assert_eq!(r.sentences[1].start, "Mélanie Joly called the talks excellent. ".chars().count());
    }

    #[test]
    fn entity_score_is_the_mean_of_its_sentences() {
        let lex = Scorer::Vader(Lexicon::vader().unwrap());
        let text =
            "Putin praised the excellent talks. Putin said Putin would fight a horrible war. Kyiv waited.";
        let doc = document(text);
        let second = text.find("Putin said").unwrap();
        let third = text.find("Putin would").unwrap();
        let entities = [
            EntityMentions { name: "Vladimir Putin".into(), starts: vec![0, second, third] },
            EntityMentions { name: "Kyiv".into(), starts: vec![text.find("Kyiv").unwrap()] },
            EntityMentions { name: "Ghost".into(), starts: vec![] },
        ];
        let r = analyse(&doc, &entities, &lex, &Config::default(), || false).unwrap();
        let putin = &r.entities["Vladimir Putin"];
        assert_eq!(putin.sentences, 2, "two sentences, one of them naming him twice");
        let expected = round((r.sentences[0].score + r.sentences[1].score) / 2.0);
        assert!((putin.score - expected).abs() < 1e-3);
        assert_eq!(r.entities["Kyiv"].score, 0.0);
        assert!(!r.entities.contains_key("Ghost"));
    }

    #[test]
    fn news_mode_document_is_the_calibrated_sum_of_its_sentences() {
        let model = NewsModel::new().unwrap();
        let text = "Mélanie Joly called the talks excellent. The war is horrible. It rained.";
        let r = analyse(&document(text), &[], &Scorer::News(model.clone()), &Config::default(), || false)
            .unwrap();
        assert_eq!(r.sentences.len(), 3);
        let expected = model.text(text);
        assert!((r.score - round(expected)).abs() < 1e-9, "{} vs {expected}", r.score);
        assert!(r.sentences[0].score > 0.0 && r.sentences[1].score < 0.0 && r.sentences[2].score == 0.0);
    }

    #[test]
    fn empty_document_is_neutral() {
        let lex = Scorer::News(NewsModel::new().unwrap());
        let r = analyse(&document(""), &[], &lex, &Config::default(), || false).unwrap();
        assert_eq!((r.score, r.pos, r.neu, r.neg), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(r.label, crate::config::Label::Neutral);
    }

    #[test]
    fn cancellation_stops_between_sentences() {
        let lex = Scorer::Vader(Lexicon::vader().unwrap());
        let doc = document(&"It was good. ".repeat(100));
        assert!(analyse(&doc, &[], &lex, &Config::default(), || true).is_none());
    }
}
