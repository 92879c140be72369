//! [`Trainer`]: a structured averaged perceptron (Collins 2002) over the features of
//! [`super::features`], decoded with [`super::decode::viterbi`]. Used by the `train`
//! example; the plugin itself only loads the result ([`super::model::Model`]).
//!
//! Each epoch visits the training sentences in a fixed pseudo-random order; when the
//! best sequence differs from the gold one, the gold features gain 1 and the predicted
//! ones lose 1 (per tag, and per tag transition). The model kept is the average of the
//! weights over all steps, computed with the usual trick `avg = w − u / c`, where `u`
//! accumulates `c · Δw`.

use std::collections::HashMap;

use super::decode::{TAGS, viterbi};
use super::features::{DocInfo, Scratch, StackInfo, extract};
use super::lexicon::Lexicon;
use super::model::{Model, Stage};

/// One training sentence: feature indices per token and gold tags.
#[derive(Debug, Clone)]
pub struct Example {
    features: Vec<u32>,
    bounds: Vec<u32>,
    gold: Vec<u8>,
}

/// The perceptron's state.
#[derive(Debug)]
pub struct Trainer {
    lexicon: Lexicon,
    index: HashMap<u64, u32>,
    keys: Vec<u64>,
    counts: Vec<u32>,
    w: Vec<[f64; TAGS]>,
    u: Vec<[f64; TAGS]>,
    tw: [[f64; TAGS]; TAGS + 1],
    tu: [[f64; TAGS]; TAGS + 1],
    c: f64,
    examples: Vec<Example>,
    rng: u64,
}

impl Trainer {
    /// An empty trainer using `lexicon` for its features.
    #[must_use]
    pub fn new(lexicon: Lexicon) -> Self {
        Self {
            lexicon,
            index: HashMap::new(),
            keys: Vec::new(),
            counts: Vec::new(),
            w: Vec::new(),
            u: Vec::new(),
            tw: [[0.0; TAGS]; TAGS + 1],
            tu: [[0.0; TAGS]; TAGS + 1],
            c: 1.0,
            examples: Vec::new(),
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }

    /// Adds one document's sentences (tagger tokens and gold tags). For a second
    /// (stacked) stage, `first` holds the first stage's tags of every sentence; they
    /// should come from a first stage that did not train on this document (jackknifing),
    /// so that they are as wrong as they will be on new text.
    pub fn add_document(&mut self, sentences: &[(Vec<&str>, Vec<u8>)], first: Option<&[Vec<u8>]>) {
        let mut doc = DocInfo::default();
        for (words, _) in sentences {
            doc.add_sentence(words);
        }
        let stack = first.map(|first| {
            let mut st = StackInfo::default();
            for ((words, _), tags) in sentences.iter().zip(first) {
                st.add_sentence(words, tags);
            }
            st
        });
        let (mut scratch, mut hashes, mut bounds) = (Scratch::default(), Vec::new(), Vec::new());
        for (k, (words, gold)) in sentences.iter().enumerate() {
            let st = stack.as_ref().zip(first).map(|(st, f)| (st, f[k].as_slice()));
            extract(words, &self.lexicon, &doc, st, &mut scratch, &mut hashes, &mut bounds);
            let mut features = Vec::with_capacity(hashes.len());
            for &h in &hashes {
                let next = self.keys.len() as u32;
                let i = *self.index.entry(h).or_insert(next);
                if i == next {
                    self.keys.push(h);
                    self.counts.push(0);
                    self.w.push([0.0; TAGS]);
                    self.u.push([0.0; TAGS]);
                }
                self.counts[i as usize] += 1;
                features.push(i);
            }
            self.examples.push(Example { features, bounds: bounds.clone(), gold: gold.clone() });
        }
    }

    /// Number of distinct features seen.
    #[must_use]
    pub fn feature_count(&self) -> usize {
        self.keys.len()
    }

    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// One pass over the examples in a shuffled order; returns the number of sentences
    /// that were wrong.
    pub fn epoch(&mut self) -> usize {
        let mut order: Vec<usize> = (0..self.examples.len()).collect();
        for i in (1..order.len()).rev() {
            let j = (self.next_random() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let (mut emissions, mut predicted) = (Vec::new(), Vec::new());
        let mut errors = 0;
        let examples = std::mem::take(&mut self.examples);
        for &k in &order {
            let ex = &examples[k];
            let n = ex.gold.len();
            emissions.clear();
            emissions.resize(n * TAGS, 0f32);
            for i in 0..n {
                for &f in &ex.features[ex.bounds[i] as usize..ex.bounds[i + 1] as usize] {
                    let w = &self.w[f as usize];
                    for t in 0..TAGS {
                        emissions[i * TAGS + t] += w[t] as f32;
                    }
                }
            }
            let tw = self.tw.map(|r| r.map(|x| x as f32));
            viterbi(&emissions, &tw, &mut predicted);
            if predicted != ex.gold {
                errors += 1;
                self.update(ex, &predicted);
            }
            self.c += 1.0;
        }
        self.examples = examples;
        errors
    }

    fn update(&mut self, ex: &Example, predicted: &[u8]) {
        let c = self.c;
        for i in 0..ex.gold.len() {
            let (g, p) = (usize::from(ex.gold[i]), usize::from(predicted[i]));
            if g != p {
                for &f in &ex.features[ex.bounds[i] as usize..ex.bounds[i + 1] as usize] {
                    let f = f as usize;
                    self.w[f][g] += 1.0;
                    self.u[f][g] += c;
                    self.w[f][p] -= 1.0;
                    self.u[f][p] -= c;
                }
            }
            let gp = if i == 0 { TAGS } else { usize::from(ex.gold[i - 1]) };
            let pp = if i == 0 { TAGS } else { usize::from(predicted[i - 1]) };
            if (gp, g) != (pp, p) {
                self.tw[gp][g] += 1.0;
                self.tu[gp][g] += c;
                self.tw[pp][p] -= 1.0;
                self.tu[pp][p] -= c;
            }
        }
    }

    /// The averaged weights as a quantised one-stage [`Model`], keeping features seen at
    /// least `min_count` times in training.
    #[must_use]
    pub fn model(&self, min_count: u32) -> Model {
        Model::new(self.lexicon.clone(), self.stage(min_count))
    }

    /// The averaged weights as a quantised [`Stage`] (see [`Trainer::model`]).
    #[must_use]
    pub fn stage(&self, min_count: u32) -> Stage {
        let c = self.c;
        let rows: Vec<(u64, [f32; TAGS])> = (0..self.keys.len())
            .filter(|&i| self.counts[i] >= min_count)
            .map(|i| (self.keys[i], std::array::from_fn(|t| (self.w[i][t] - self.u[i][t] / c) as f32)))
            .collect();
        let mut tr = [[0f32; TAGS]; TAGS + 1];
        for (f, row) in tr.iter_mut().enumerate() {
            for (t, x) in row.iter_mut().enumerate() {
                *x = (self.tw[f][t] - self.tu[f][t] / c) as f32;
            }
        }
        Stage::quantise(&rows, &tr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagger::model::TagScratch;

    #[test]
    fn learns_a_toy_language() {
        let mut t = Trainer::new(Lexicon::default());
        let data: Vec<(Vec<&str>, Vec<u8>)> = vec![
            (vec!["Smith", "went", "to", "Paris"], vec![1, 0, 0, 5]),
            (vec!["John", "Smith", "likes", "Berlin"], vec![1, 2, 0, 5]),
            (vec!["they", "went", "to", "Rome"], vec![0, 0, 0, 5]),
            (vec!["Jones", "went", "to", "Oslo"], vec![1, 0, 0, 5]),
        ];
        t.add_document(&data, None);
        for _ in 0..10 {
            t.epoch();
        }
        assert_eq!(t.epoch(), 0, "separable data is learnt");
        let m = t.model(1);
        let m = Model::from_bytes(&m.to_bytes()).unwrap();
        let words = vec!["Brown", "went", "to", "Madrid"];
        let out = m.tag_document(&[words], &mut TagScratch::default()).remove(0);
        assert_eq!(out[1..3], [0, 0]);
        assert_eq!(out[3], 5, "a capitalised word after 'to' is a place: {out:?}");
    }
}
