//! [`Model`]: the trained tagger's weights and lexicon, its binary file format, and
//! tagging a document.
//!
//! A model has one or two [`Stage`]s. The first tags each sentence from its own features
//! (and document-level facts about its words). The second, when present, tags again with
//! the same features plus the first stage's tags of the whole document ([`StackInfo`]):
//! the same word's predicted types elsewhere in the document, before or after.
//!
//! # File format (version 2, little-endian)
//!
//! ```text
//! magic    b"INGDNER\0"            8 bytes
//! version  u32 = 2
//! tags     u32 = 9                  (O, B-/I- × PER ORG LOC MISC)
//! lexicon  max_len u32, phrase table, cluster table     (see lexicon.rs, table.rs)
//! stages   u32 = 1 or 2, then per stage:
//!   scale    f32                      weight = stored i16 / scale
//!   trans    (9 + 1) × 9 i16          transition weights; row 9 = sentence start
//!   features table: slots u32, slots × (fingerprint u32, row u32)
//!   rows     count u32, count × 9 i16
//! end      b"END!"
//! ```
//!
//! Weights are the averaged perceptron's, quantised to i16 with one scale per stage; a
//! feature whose quantised weights are all zero is not stored.

use super::decode::{TAGS, viterbi};
use super::features::{DocInfo, Scratch, StackInfo, extract};
use super::lexicon::Lexicon;
use super::table::Table;

const MAGIC: &[u8; 8] = b"INGDNER\0";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;

/// A little-endian cursor over a model file.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// Fewer than `n` bytes left.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("model file truncated at byte {}", self.pos))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// The next u32.
    ///
    /// # Errors
    /// Truncated input.
    pub fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i16s(&mut self, n: usize) -> Result<Vec<i16>, String> {
        Ok(self.take(n * 2)?.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect())
    }
}

/// One stage's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Stored weight / `scale` = weight.
    pub scale: f32,
    /// Transition weights, quantised; row `TAGS` is the sentence start.
    pub transitions: [[i16; TAGS]; TAGS + 1],
    /// Feature hash → row of `weights`.
    pub features: Table,
    /// Quantised emission weights, one row per stored feature.
    pub weights: Vec<[i16; TAGS]>,
}

/// A trained tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Gazetteers and clusters the features use.
    pub lexicon: Lexicon,
    /// The first stage, then optionally the stacked second.
    pub stages: Vec<Stage>,
}

/// Buffers reused across sentences by [`Model::tag_document`].
#[derive(Debug, Default)]
pub struct TagScratch {
    features: Scratch,
    hashes: Vec<u64>,
    bounds: Vec<u32>,
    emissions: Vec<f32>,
    sums: Vec<i32>,
}

impl Stage {
    /// Quantises float weights: `rows` pairs a feature hash with its 9 weights.
    #[must_use]
    pub fn quantise(rows: &[(u64, [f32; TAGS])], transitions: &[[f32; TAGS]; TAGS + 1]) -> Self {
        let max = rows
            .iter()
            .flat_map(|(_, w)| w.iter())
            .chain(transitions.iter().flatten())
            .fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { 32_000.0 / max } else { 1.0 };
        let q = |w: f32| (w * scale).round().clamp(-32_767.0, 32_767.0) as i16;
        let mut entries = Vec::new();
        let mut weights = Vec::new();
        for (key, w) in rows {
            let row = w.map(q);
            if row.iter().any(|&x| x != 0) {
                entries.push((*key, weights.len() as u32));
                weights.push(row);
            }
        }
        Self { scale, transitions: transitions.map(|r| r.map(q)), features: Table::build(&entries), weights }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.scale.to_le_bytes());
        for w in self.transitions.iter().flatten() {
            out.extend_from_slice(&w.to_le_bytes());
        }
        self.features.write(out);
        out.extend_from_slice(&(self.weights.len() as u32).to_le_bytes());
        for w in self.weights.iter().flatten() {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, String> {
        let scale = f32::from_le_bytes(r.take(4)?.try_into().map_err(|_| "scale")?);
        if !(scale.is_finite() && scale > 0.0) {
            return Err(format!("NER model scale {scale} is invalid"));
        }
        let t = r.i16s((TAGS + 1) * TAGS)?;
        let mut transitions = [[0; TAGS]; TAGS + 1];
        for (row, chunk) in transitions.iter_mut().zip(t.chunks_exact(TAGS)) {
            row.copy_from_slice(chunk);
        }
        let features = Table::read(r)?;
        let n = r.u32()? as usize;
        let raw = r.take(n.checked_mul(TAGS * 2).ok_or("NER model too large")?)?;
        let weights: Vec<[i16; TAGS]> = raw
            .chunks_exact(TAGS * 2)
            .map(|c| std::array::from_fn(|k| i16::from_le_bytes([c[2 * k], c[2 * k + 1]])))
            .collect();
        Ok(Self { scale, transitions, features, weights })
    }

    /// Tags one sentence from its features (`s.hashes`, `s.bounds`).
    fn tag(&self, s: &mut TagScratch, out: &mut Vec<u8>) {
        let n = s.bounds.len().saturating_sub(1);
        s.sums.clear();
        s.sums.resize(n * TAGS, 0);
        for i in 0..n {
            let acc = &mut s.sums[i * TAGS..(i + 1) * TAGS];
            for &h in &s.hashes[s.bounds[i] as usize..s.bounds[i + 1] as usize] {
                if let Some(row) = self.features.get(h) {
                    let w = &self.weights[row as usize];
                    for t in 0..TAGS {
                        acc[t] += i32::from(w[t]);
                    }
                }
            }
        }
        s.emissions.clear();
        s.emissions.extend(s.sums.iter().map(|&x| x as f32));
        let transitions = self.transitions.map(|r| r.map(f32::from));
        viterbi(&s.emissions, &transitions, out);
    }
}

impl Model {
    /// A one-stage model.
    #[must_use]
    pub fn new(lexicon: Lexicon, first: Stage) -> Self {
        Self { lexicon, stages: vec![first] }
    }

    /// This model's first stage with `second` stacked on it.
    #[must_use]
    pub fn stacked(&self, second: Stage) -> Self {
        Self { lexicon: self.lexicon.clone(), stages: vec![self.stages[0].clone(), second] }
    }

    /// Feature rows stored, over all stages.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.stages.iter().map(|s| s.weights.len()).sum()
    }

    /// The model file's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rows() * 26 + 1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(TAGS as u32).to_le_bytes());
        self.lexicon.write(&mut out);
        out.extend_from_slice(&(self.stages.len() as u32).to_le_bytes());
        for stage in &self.stages {
            stage.write(&mut out);
        }
        out.extend_from_slice(b"END!");
        out
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// Not a model file, another format version, or truncated or malformed content.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader::new(bytes);
        if r.take(8).ok() != Some(MAGIC.as_slice()) {
            return Err("not an ingestd NER model file (bad magic)".into());
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(format!("NER model format version {version}; this build reads {FORMAT_VERSION}"));
        }
        let tags = r.u32()?;
        if tags as usize != TAGS {
            return Err(format!("NER model has {tags} tags, expected {TAGS}"));
        }
        let lexicon = Lexicon::read(&mut r)?;
        let n = r.u32()?;
        if !(1..=2).contains(&n) {
            return Err(format!("NER model has {n} stages, expected 1 or 2"));
        }
        let stages = (0..n).map(|_| Stage::read(&mut r)).collect::<Result<Vec<_>, _>>()?;
        if r.take(4)? != b"END!" || r.pos != bytes.len() {
            return Err("NER model file has trailing or missing data".into());
        }
        Ok(Self { lexicon, stages })
    }

    /// Tags the first stage only: one tag index per word of each sentence (see
    /// [`super::decode::TAG_NAMES`]).
    #[must_use]
    pub fn tag_first(&self, sentences: &[Vec<&str>], doc: &DocInfo, s: &mut TagScratch) -> Vec<Vec<u8>> {
        sentences
            .iter()
            .map(|words| {
                extract(words, &self.lexicon, doc, None, &mut s.features, &mut s.hashes, &mut s.bounds);
                let mut out = Vec::new();
                self.stages[0].tag(s, &mut out);
                out
            })
            .collect()
    }

    /// Tags the sentences (as word lists) of one document, with every stage: one tag
    /// index per word (see [`super::decode::TAG_NAMES`]).
    #[must_use]
    pub fn tag_document(&self, sentences: &[Vec<&str>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        let mut doc = DocInfo::default();
        for words in sentences {
            doc.add_sentence(words);
        }
        let first = self.tag_first(sentences, &doc, s);
        let Some(second) = self.stages.get(1) else { return first };
        let mut stack = StackInfo::default();
        for (words, tags) in sentences.iter().zip(&first) {
            stack.add_sentence(words, tags);
        }
        sentences
            .iter()
            .zip(&first)
            .map(|(words, tags)| {
                let st = Some((&stack, tags.as_slice()));
                extract(words, &self.lexicon, &doc, st, &mut s.features, &mut s.hashes, &mut s.bounds);
                let mut out = Vec::new();
                second.tag(s, &mut out);
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantise_round_trip_and_refuse_bad_files() {
        let mut tr = [[0.0; TAGS]; TAGS + 1];
        tr[0][2] = -1.0;
        let rows = vec![(42u64, [0.5; TAGS]), (43, [0.0; TAGS])];
        let m = Model::new(Lexicon::default(), Stage::quantise(&rows, &tr));
        assert_eq!(m.rows(), 1, "all-zero rows are dropped");
        let m2 = m.stacked(Stage::quantise(&rows, &tr));
        assert_eq!(Model::from_bytes(&m2.to_bytes()).unwrap(), m2);
        let bytes = m.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).unwrap(), m);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"nonsense").unwrap_err().contains("magic"));
        let mut v2 = bytes.clone();
        v2[8] = 1;
        assert!(Model::from_bytes(&v2).unwrap_err().contains("version 1"));
    }
}
