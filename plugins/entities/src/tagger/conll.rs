//! CoNLL-format data: reading (`token … tag` per line, blank line between sentences,
//! `-DOCSTART-` between documents), mapping CoNLL tokens onto tagger tokens and back,
//! and conlleval-style scoring (exact-span precision, recall and F1, overall and per type).

use super::decode::{is_begin, spans, tag_index};
use super::tokens::conll_subtokens;
use crate::result::EntityType;

/// One CoNLL sentence: its tokens and gold tag indices (IOB2 or IOB1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence {
    /// Tokens as in the file.
    pub words: Vec<String>,
    /// Tag index per token (see [`super::decode::TAG_NAMES`]).
    pub tags: Vec<u8>,
}

/// Reads a CoNLL file: documents of sentences. The word is the first column, the NER tag
/// the last. A file without `-DOCSTART-` lines is one document.
///
/// # Errors
/// A tag that is not `O` or `B-`/`I-` PER, ORG, LOC, MISC, named with its line.
pub fn read(text: &str) -> Result<Vec<Vec<Sentence>>, String> {
    let mut docs: Vec<Vec<Sentence>> = vec![Vec::new()];
    let mut current = Sentence::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !current.words.is_empty() {
                docs.last_mut().expect("one document").push(std::mem::take(&mut current));
            }
            if line.starts_with("-DOCSTART-") && !docs.last().expect("one document").is_empty() {
                docs.push(Vec::new());
            }
            continue;
        }
        let mut cols = line.split_whitespace();
        let word = cols.next().unwrap_or_default();
        let tag = cols.next_back().unwrap_or_default();
        let t = tag_index(tag).ok_or_else(|| format!("line {}: unknown tag {tag:?}", n + 1))?;
        current.words.push(word.to_owned());
        current.tags.push(t);
    }
    if !current.words.is_empty() {
        docs.last_mut().expect("one document").push(current);
    }
    docs.retain(|d| !d.is_empty());
    Ok(docs)
}

/// A CoNLL sentence in tagger tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    /// Tagger tokens.
    pub words: Vec<String>,
    /// Gold tags of the tagger tokens (a `B-X` token's later parts are `I-X`).
    pub tags: Vec<u8>,
    /// For each CoNLL token, the index of its first tagger token.
    pub first: Vec<usize>,
}

/// Maps a sentence onto tagger tokens ([`conll_subtokens`]).
#[must_use]
pub fn map(s: &Sentence) -> Mapped {
    let mut m = Mapped::default();
    for (w, &t) in s.words.iter().zip(&s.tags) {
        m.first.push(m.words.len());
        for (k, sub) in conll_subtokens(w).into_iter().enumerate() {
            m.words.push(sub.to_owned());
            m.tags.push(if k > 0 && is_begin(t) { t + 1 } else { t });
        }
    }
    m
}

/// Tags of the CoNLL tokens from the tags of their tagger tokens (each token takes its
/// first part's tag).
#[must_use]
pub fn unmap(tags: &[u8], first: &[usize]) -> Vec<u8> {
    first.iter().map(|&i| tags[i]).collect()
}

/// Counts for one type, or overall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted spans that match a gold span exactly (start, end, type).
    pub correct: usize,
    /// Predicted spans.
    pub predicted: usize,
    /// Gold spans.
    pub gold: usize,
}

impl Counts {
    /// Precision in percent.
    #[must_use]
    pub fn precision(&self) -> f64 {
        pct(self.correct, self.predicted)
    }
    /// Recall in percent.
    #[must_use]
    pub fn recall(&self) -> f64 {
        pct(self.correct, self.gold)
    }
    /// F1 in percent.
    #[must_use]
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

/// Exact-span scores, overall and per type (in [`EntityType::ALL`] order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scores {
    /// All types together.
    pub overall: Counts,
    /// Per type.
    pub by_type: [Counts; 4],
    /// Tokens scored.
    pub tokens: usize,
}

impl Scores {
    /// Adds one sentence's gold and predicted tags (conlleval's chunk rules: an `I-X` after
    /// anything but `X` starts a chunk).
    pub fn add(&mut self, gold: &[u8], predicted: &[u8]) {
        self.tokens += gold.len();
        let g = spans(gold);
        let p = spans(predicted);
        let idx = |t: EntityType| EntityType::ALL.iter().position(|&x| x == t).expect("a type");
        for s in &g {
            self.overall.gold += 1;
            self.by_type[idx(s.2)].gold += 1;
        }
        for s in &p {
            self.overall.predicted += 1;
            self.by_type[idx(s.2)].predicted += 1;
            if g.contains(s) {
                self.overall.correct += 1;
                self.by_type[idx(s.2)].correct += 1;
            }
        }
    }

    /// A conlleval-like table.
    #[must_use]
    pub fn report(&self) -> String {
        let mut out =
            format!("{:<8} {:>7} {:>7} {:>7} {:>6} {:>6}\n", "type", "P", "R", "F1", "gold", "pred");
        let row = |name: &str, c: &Counts| {
            format!(
                "{name:<8} {:>7.2} {:>7.2} {:>7.2} {:>6} {:>6}\n",
                c.precision(),
                c.recall(),
                c.f1(),
                c.gold,
                c.predicted
            )
        };
        for (t, c) in EntityType::ALL.iter().zip(&self.by_type) {
            out.push_str(&row(t.tag(), c));
        }
        out.push_str(&row("overall", &self.overall));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nU.S.-led JJ B-NP B-MISC\n\nMr. NNP B-NP O\nSmith NNP I-NP B-PER\n\n-DOCSTART- -X- -X- O\n\nParis NNP B-NP B-LOC\n";

    #[test]
    fn reads_documents_sentences_and_tags() {
        let docs = read(FILE).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].len(), 2);
        assert_eq!(docs[0][0].words, ["EU", "rejects", "U.S.-led"]);
        assert_eq!(docs[0][0].tags, [3, 0, 7]);
        assert!(read("x NN B-FOO\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn maps_onto_tagger_tokens_and_back() {
        let docs = read(FILE).unwrap();
        let m = map(&docs[0][0]);
        assert_eq!(m.words, ["EU", "rejects", "U.S.", "-", "led"]);
        assert_eq!(m.tags, [3, 0, 7, 8, 8]);
        assert_eq!(m.first, [0, 1, 2]);
        assert_eq!(unmap(&m.tags, &m.first), docs[0][0].tags);
    }

    #[test]
    fn scores_exact_spans_like_conlleval() {
        let mut s = Scores::default();
        // gold: [PER 0..2] [LOC 3..4]; predicted: [PER 0..1] [LOC 3..4] [ORG 4..5]
        s.add(&[1, 2, 0, 5, 0], &[1, 0, 0, 5, 3]);
        assert_eq!(s.overall, Counts { correct: 1, predicted: 3, gold: 2 });
        assert_eq!(s.by_type[2], Counts { correct: 1, predicted: 1, gold: 1 });
        assert!((s.overall.f1() - 40.0).abs() < 1e-9);
        // An I- tag after O starts a chunk.
        let mut s = Scores::default();
        s.add(&[0, 6], &[0, 6]);
        assert_eq!(s.overall.correct, 1);
        assert!(s.report().contains("overall"));
    }
}
