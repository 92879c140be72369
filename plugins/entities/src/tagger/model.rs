//! [`Model`]: the trained tagger's weights and lexicon, its binary file format, and
//! tagging a document.
//!
//! A model has one or two [`Stage`]s. The first tags each sentence from its own features
//! (and document-level facts about its words). The second, when present, tags again with
//! the same features plus the first stage's tags of the whole document ([`StackInfo`]):
//! the same word's predicted types elsewhere in the document, before or after.
//!
//! # File format (version 3, little-endian)
//!
//! ```text
//! magic    b"INGDNER\0"            8 bytes
//! version  u32 = 3                  (3: every prefix of a gazetteer phrase stored, see lexicon.rs)
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

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::cache::{SUM_ROWS, Weighed, WordCache};
use super::decode::{TAGS, Viterbi};
use super::features::{
    DocInfo, Info, Scratch, StackInfo, WORD_ROLES, bias_feature, context_features, finish_sentence,
    stack_features, word_features,
};
use super::hash::Hasher;
use super::lexicon::Lexicon;
use super::table::Table;

const MAGIC: &[u8; 8] = b"INGDNER\0";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 3;

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
    /// The transitions prepared for decoding (derived from `transitions`).
    viterbi: Viterbi,
}

/// A trained tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Gazetteers and clusters the features use.
    pub lexicon: Lexicon,
    /// The first stage, then optionally the stacked second.
    pub stages: Vec<Stage>,
}

/// Buffers reused by [`Model::tag_document`] (across documents too, when kept). Per
/// token it keeps a word index, gazetteer bits and the second stage's sums (48 bytes); a
/// sentence's [`Info`]s are put together again from them when needed.
#[derive(Debug, Default)]
pub struct TagScratch {
    features: Scratch,
    /// The document's distinct words' [`Info`]s (no gazetteer bits).
    types: Vec<Info>,
    /// Each token's distinct word (index into `types`), sentence after sentence.
    type_of: Vec<u32>,
    /// Each token's gazetteer bits.
    gaz: Vec<u32>,
    /// Where each sentence's tokens start, and one past the last.
    starts: Vec<usize>,
    /// Per sentence: written in capitals.
    caps: Vec<bool>,
    /// One sentence's [`Info`]s.
    sentence: Vec<Info>,
    /// Per distinct word and role ([`WORD_ROLES`]): its word features' weight sums, first
    /// stage, then second.
    type_sums: Vec<[i32; TAGS]>,
    type_sums2: Vec<[i32; TAGS]>,
    /// Second-stage sums of every token's features shared with the first stage.
    sums2: Vec<[i32; TAGS]>,
    /// One token's feature keys.
    keys: Vec<u64>,
    /// Per distinct word: not found in the cache.
    missing: Vec<bool>,
    emissions: Vec<f32>,
    back: Vec<[u8; TAGS]>,
    /// Test builds: every token's emission sums as decoded, first stage then second.
    #[cfg(test)]
    trace: [Vec<i32>; 2],
}

impl TagScratch {
    /// Tokens the per-token buffers have room for (the longest document tagged with them).
    #[must_use]
    pub fn token_capacity(&self) -> usize {
        self.type_of.capacity()
    }
}

/// Puts sentence `k`'s [`Info`]s together in `out` from the scratch's per-token records.
fn sentence_infos_of(
    types: &[Info],
    type_of: &[u32],
    gaz: &[u32],
    starts: &[usize],
    k: usize,
    out: &mut Vec<Info>,
) {
    let range = starts[k]..starts[k + 1];
    out.clear();
    out.extend(type_of[range.clone()].iter().zip(&gaz[range]).map(|(&t, &g)| types[t as usize].with_gaz(g)));
}

/// `acc += sums`, tag by tag.
#[inline]
fn add_sums(acc: &mut [i32; TAGS], sums: &[i32; TAGS]) {
    for (a, &x) in acc.iter_mut().zip(sums) {
        *a += x;
    }
}

/// FNV-1a ([`Hasher`]) for the per-document map of distinct words: short keys, no
/// adversary (a slow map only costs time, never changes an answer).
#[derive(Default)]
pub(crate) struct WordHasher(Hasher);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.bytes(bytes);
    }
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
        Self::assemble(scale, transitions.map(|r| r.map(q)), Table::build(&entries), weights)
            .expect("rows built with their table")
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
        Self::assemble(scale, transitions, features, weights)
    }

    fn assemble(
        scale: f32,
        transitions: [[i16; TAGS]; TAGS + 1],
        features: Table,
        weights: Vec<[i16; TAGS]>,
    ) -> Result<Self, String> {
        if let Some(row) = features.slots().iter().filter(|s| s.0 != 0).map(|s| s.1).max()
            && row as usize >= weights.len()
        {
            return Err(format!("NER model feature row {row} is out of range ({} rows)", weights.len()));
        }
        let viterbi = Viterbi::new(&transitions.map(|r| r.map(f32::from)));
        Ok(Self { scale, transitions, features, weights, viterbi })
    }

    /// Adds the weights of the stored features among `keys` to `acc`.
    #[inline]
    fn add(&self, keys: &[u64], acc: &mut [i32; TAGS]) {
        for &h in keys {
            if let Some(row) = self.features.get(h) {
                let w = &self.weights[row as usize];
                for t in 0..TAGS {
                    acc[t] += i32::from(w[t]);
                }
            }
        }
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

    /// Tags the sentences (as word lists) of one document, with every stage: one tag
    /// index per word (see [`super::decode::TAG_NAMES`]).
    ///
    /// The features are those of [`super::features::extract`] (what training saw), summed
    /// in another order, which cannot change the integer sums:
    /// - each distinct word's [`Info`] and [`word_features`] (word, affixes, clusters, as
    ///   the token itself or as a neighbour at each offset) are made and weighed once per
    ///   document (or taken from a [`WordCache`]: [`Model::tag_document_cached`]), for
    ///   both stages at once;
    /// - the [`bias_feature`] is weighed once;
    /// - each token then adds its neighbours' word sums and the bias and weighs its
    ///   [`context_features`], again for both stages at once;
    /// - the second stage only adds its own [`stack_features`] to its sums.
    #[must_use]
    pub fn tag_document(&self, sentences: &[Vec<&str>], s: &mut TagScratch) -> Vec<Vec<u8>> {
        self.tag(sentences, s, None)
    }

    /// [`Model::tag_document`], taking the weighed word features of words met in earlier
    /// documents from `cache` and adding this document's new words to it. The cache must
    /// only ever be used with this model. Same tags: the cached sums are the same integers.
    #[must_use]
    pub fn tag_document_cached(
        &self,
        sentences: &[Vec<&str>],
        s: &mut TagScratch,
        cache: &WordCache,
    ) -> Vec<Vec<u8>> {
        self.tag(sentences, s, Some(cache))
    }

    fn tag(&self, sentences: &[Vec<&str>], s: &mut TagScratch, cache: Option<&WordCache>) -> Vec<Vec<u8>> {
        let TagScratch {
            features,
            types,
            type_of,
            gaz,
            starts,
            caps,
            sentence,
            type_sums,
            type_sums2,
            sums2,
            keys,
            missing,
            emissions,
            back,
            #[cfg(test)]
            trace,
        } = s;
        #[cfg(test)]
        trace.iter_mut().for_each(Vec::clear);
        // Each distinct word once, in order of first use.
        let total = sentences.iter().map(Vec::len).sum();
        let mut ids: HashMap<&str, u32, BuildHasherDefault<WordHasher>> =
            HashMap::with_capacity_and_hasher(total, BuildHasherDefault::default());
        let mut distinct: Vec<&str> = Vec::with_capacity(total);
        type_of.clear();
        type_of.reserve(total);
        starts.clear();
        for words in sentences {
            starts.push(type_of.len());
            for &w in words {
                let id = *ids.entry(w).or_insert_with(|| {
                    distinct.push(w);
                    (distinct.len() - 1) as u32
                });
                type_of.push(id);
            }
        }
        starts.push(type_of.len());

        // Each distinct word's values and its word features' weights, summed once per role
        // and stage: from the cache, or made and weighed now (and then cached).
        let (first, second) = (&self.stages[0], self.stages.get(1));
        let roles = WORD_ROLES.len();
        let n = distinct.len();
        types.clear();
        types.resize(n, Info::default());
        type_sums.clear();
        type_sums.resize(n * roles, [0; TAGS]);
        type_sums2.clear();
        type_sums2.resize(if second.is_some() { n * roles } else { 0 }, [0; TAGS]);
        missing.clear();
        missing.resize(n, true);
        if let Some(cache) = cache {
            cache.lookup(&distinct, |i, v| {
                types[i] = Info::from_context(v.context);
                for r in 0..roles {
                    type_sums[i * roles + r] = v.sums[r];
                    if second.is_some() {
                        type_sums2[i * roles + r] = v.sums[roles + r];
                    }
                }
                missing[i] = false;
            });
        }
        for (i, &w) in distinct.iter().enumerate().filter(|&(i, _)| missing[i]) {
            let t = Info::of(w, &self.lexicon);
            types[i] = t;
            for (r, d) in WORD_ROLES.into_iter().enumerate() {
                keys.clear();
                word_features(&t, d, &mut |h| keys.push(h));
                first.add(keys, &mut type_sums[i * roles + r]);
                if let Some(second) = second {
                    second.add(keys, &mut type_sums2[i * roles + r]);
                }
            }
        }
        if let Some(cache) = cache {
            let weighed = |i: usize| {
                let mut sums = [[0; TAGS]; SUM_ROWS];
                for r in 0..roles {
                    sums[r] = type_sums[i * roles + r];
                    if second.is_some() {
                        sums[roles + r] = type_sums2[i * roles + r];
                    }
                }
                Weighed { context: types[i].context(), sums }
            };
            cache.insert((0..n).filter(|&i| missing[i]).map(|i| (distinct[i], weighed(i))));
        }

        // Each sentence's gazetteer bits and capitals, and the document's facts.
        gaz.clear();
        gaz.reserve(total);
        caps.clear();
        let mut doc = DocInfo::default();
        for k in 0..sentences.len() {
            sentence.clear();
            sentence.extend(type_of[starts[k]..starts[k + 1]].iter().map(|&t| types[t as usize]));
            caps.push(finish_sentence(sentence, &self.lexicon, features));
            gaz.extend(sentence.iter().map(Info::gaz));
            doc.add_infos(sentence);
        }

        // The bias feature's weights, the same for every token.
        let mut bias = ([0i32; TAGS], [0i32; TAGS]);
        first.add(&[bias_feature()], &mut bias.0);
        if let Some(second) = second {
            second.add(&[bias_feature()], &mut bias.1);
        }

        // First stage, sentence by sentence: each token adds its neighbours' word sums and
        // weighs its context features (the second stage's sums of both are kept).
        sums2.clear();
        sums2.reserve(if second.is_some() { total } else { 0 });
        let mut tags = Vec::with_capacity(sentences.len());
        for k in 0..sentences.len() {
            sentence_infos_of(types, type_of, gaz, starts, k, sentence);
            let base = starts[k];
            emissions.clear();
            for i in 0..sentence.len() {
                let (mut acc, mut acc2) = bias;
                for (r, d) in WORD_ROLES.into_iter().enumerate() {
                    let Some(j) = i.checked_add_signed(d).filter(|&j| j < sentence.len()) else { continue };
                    let row = type_of[base + j] as usize * roles + r;
                    add_sums(&mut acc, &type_sums[row]);
                    if second.is_some() {
                        add_sums(&mut acc2, &type_sums2[row]);
                    }
                }
                keys.clear();
                context_features(sentence, i, caps[k], &doc, &mut |h| keys.push(h));
                first.add(keys, &mut acc);
                emissions.extend(acc.map(|x| x as f32));
                #[cfg(test)]
                trace[0].extend(acc);
                if let Some(second) = second {
                    second.add(keys, &mut acc2);
                    sums2.push(acc2);
                }
            }
            let mut out = Vec::new();
            first.viterbi.decode(emissions, back, &mut out);
            tags.push(out);
        }
        let Some(second) = second else { return tags };

        // Second stage: the first stage's tags of the whole document, then each token adds
        // its stacking features to its kept sums.
        let mut stack = StackInfo::default();
        for (k, tags) in tags.iter().enumerate() {
            sentence_infos_of(types, type_of, gaz, starts, k, sentence);
            stack.add_infos(sentence, tags);
        }
        tags.iter()
            .enumerate()
            .map(|(k, s1)| {
                sentence_infos_of(types, type_of, gaz, starts, k, sentence);
                emissions.clear();
                for i in 0..sentence.len() {
                    let mut acc = sums2[starts[k] + i];
                    keys.clear();
                    stack_features(sentence, i, caps[k], &stack, s1, &mut |h| keys.push(h));
                    second.add(keys, &mut acc);
                    emissions.extend(acc.map(|x| x as f32));
                    #[cfg(test)]
                    trace[1].extend(acc);
                }
                let mut out = Vec::new();
                second.viterbi.decode(emissions, back, &mut out);
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags as training sees a document: [`extract`] per sentence, each feature looked up
    /// in turn, [`viterbi`] on the sums; stage 2 on stage 1's tags. Returns the tags and
    /// each stage's emission sums (`TAGS` per token).
    fn reference(m: &Model, sentences: &[Vec<&str>]) -> (Vec<Vec<u8>>, Vec<Vec<i32>>) {
        use crate::tagger::decode::viterbi;
        use crate::tagger::features::extract;
        let mut doc = DocInfo::default();
        for words in sentences {
            doc.add_sentence(words);
        }
        let (mut scratch, mut hashes, mut bounds) = (Scratch::default(), Vec::new(), Vec::new());
        let mut sums = vec![Vec::new(); m.stages.len()];
        let mut tag = |k: usize, words: &[&str], st: Option<(&StackInfo, &[u8])>| {
            let stage = &m.stages[k];
            extract(words, &m.lexicon, &doc, st, &mut scratch, &mut hashes, &mut bounds);
            let mut emissions = Vec::new();
            for i in 0..words.len() {
                let mut acc = [0i32; TAGS];
                for &h in &hashes[bounds[i] as usize..bounds[i + 1] as usize] {
                    if let Some(row) = stage.features.get(h) {
                        for (a, &w) in acc.iter_mut().zip(&stage.weights[row as usize]) {
                            *a += i32::from(w);
                        }
                    }
                }
                sums[k].extend(acc);
                emissions.extend(acc.map(|x| x as f32));
            }
            let mut out = Vec::new();
            viterbi(&emissions, &stage.transitions.map(|r| r.map(f32::from)), &mut out);
            out
        };
        let first: Vec<Vec<u8>> = sentences.iter().map(|w| tag(0, w, None)).collect();
        if m.stages.len() == 1 {
            return (first, sums);
        }
        let mut stack = StackInfo::default();
        for (words, tags) in sentences.iter().zip(&first) {
            stack.add_sentence(words, tags);
        }
        let second =
            sentences.iter().zip(&first).map(|(w, t)| tag(1, w, Some((&stack, t.as_slice())))).collect();
        (second, sums)
    }

    /// Tags `sentences` with [`Model::tag_document`] and checks its tags and emission sums
    /// against [`reference`].
    /// Also with a [`WordCache`]: empty, then holding every word, then too small to hold
    /// them all.
    fn check(m: &Model, sentences: &[Vec<&str>], scratch: &mut TagScratch) -> Vec<Vec<u8>> {
        let (want, sums) = reference(m, sentences);
        let (cache, small) = (WordCache::new(10_000), WordCache::new(6));
        let mut last = Vec::new();
        for pass in 0..5 {
            let tags = match pass {
                0 => m.tag_document(sentences, scratch),
                1 | 2 => m.tag_document_cached(sentences, scratch, &cache),
                _ => m.tag_document_cached(sentences, scratch, &small),
            };
            assert_eq!(scratch.trace[0], sums[0], "stage 1 emission sums, pass {pass}");
            if m.stages.len() == 2 {
                assert_eq!(scratch.trace[1], sums[1], "stage 2 emission sums, pass {pass}");
            }
            assert_eq!(tags, want, "pass {pass}");
            last = tags;
        }
        let words: std::collections::HashSet<&str> = sentences.iter().flatten().copied().collect();
        assert_eq!(cache.len(), words.len(), "every word cached");
        assert!(small.len() <= 6);
        last
    }

    #[test]
    fn tagging_sums_the_features_training_saw() {
        let tagger = crate::tagger::Tagger::builtin().unwrap();
        let m = tagger.model();
        assert_eq!(m.stages.len(), 2);
        let text = "Trump Hails Productive Dialogue With Putin\n\n\
                    U.S. President Donald Trump met Vladimir Putin in Alaska on Friday. \
                    Putin’s envoy, Kirill Dmitriev, said the talks with Trump went well. \
                    Mélanie Joly of Canada and the European Union’s Kaja Kallas were not there. \
                    UKRAINE WAS NOT INVITED, said Zelensky . Trump ; Putin : Trump";
        let spans: Vec<ingest_abi::Span> = ingest_text::sentences(text, &ingest_text::paragraphs(text))
            .iter()
            .map(|s| ingest_abi::Span { start: s.start, end: s.end })
            .collect();
        let toks = crate::tagger::tokens::sentence_tokens(text, &spans);
        let words: Vec<Vec<&str>> = toks.iter().map(|s| s.iter().map(|t| t.text(text)).collect()).collect();
        assert!(words.len() >= 5, "{words:?}");
        let mut scratch = TagScratch::default();
        let tags = check(m, &words, &mut scratch);
        assert!(tags.iter().flatten().filter(|&&t| t != 0).count() >= 10, "{tags:?}");
        // One stage alone, and a scratch reused across documents.
        let one = Model::new(m.lexicon.clone(), m.stages[0].clone());
        for doc in [&words[..2], &words[..], &words[3..], &[vec!["Putin"]], &[vec![]]] {
            check(&one, doc, &mut scratch);
            check(m, doc, &mut scratch);
        }
        assert!(m.tag_document(&[], &mut scratch).is_empty());
    }

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
