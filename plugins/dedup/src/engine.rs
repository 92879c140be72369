//! The dedup decision for one article: the pure analysis outside the lock, then the
//! check-and-record against the index inside it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use ingest_abi::Document;

use crate::config::Config;
use crate::error::DedupError;
use crate::index::{DocRecord, Entry, Index, Indexed, LogSync};
use crate::lexicon::WordCache;
use crate::minhash::{self, MinHasher};
use crate::normalise;
use crate::paragraphs;
use crate::result::{DedupResult, DocRef, NearDuplicate, RepeatedParagraph};
use crate::story::{self, Stories, StoryDoc};

/// At most this many LSH candidates are verified per article (those sharing the most bands
/// first), so a text copied thousands of times does not make every copy read thousands of
/// shingle sets.
pub const MAX_CANDIDATES: usize = 200;
/// At most this many near-duplicates are reported per article, most similar first.
pub const MAX_REPORTED: usize = 25;
/// The document-frequency counters are saved every this many indexed articles; story
/// vectors are kept at least this long so a restart can count the ones after the snapshot.
pub const DF_SNAPSHOT: u64 = 8192;

/// The index and the story state, changed together under one lock.
struct State {
    /// The persistent index.
    index: Box<dyn Index>,
    /// The in-memory story window and document frequencies, mirroring what the index holds.
    stories: Stories,
}

/// Everything the plugin needs to answer: settings, hashers and the locked state.
pub struct Engine {
    /// The validated configuration.
    config: Config,
    /// MinHash functions for `config.permutations` and `config.bands`.
    hasher: MinHasher,
    /// Held across lookup and record, so two concurrent copies of one text cannot both be
    /// the original, and the story window sees articles in the order they were indexed.
    state: Mutex<State>,
    /// Makes recorded articles durable without taking `state` (see [`Engine::flush`]).
    log: Option<LogSync>,
    /// Set when a log sync failed: the kernel may have dropped the unsynced pages, so a
    /// later sync succeeding proves nothing, and `flush` commits the index itself instead.
    log_failed: AtomicBool,
    /// Word-hash caches for the analysis, one taken per concurrent call (so analyses run in
    /// parallel without sharing one) and put back after it.
    caches: Mutex<Vec<WordCache>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.config).finish_non_exhaustive()
    }
}

/// What one article contributes, computed without the lock.
struct Analysis {
    /// Its exact-duplicate key.
    exact_key: normalise::ExactKey,
    /// Its sorted shingle set (empty when the text has no words).
    shingles: Vec<u64>,
    /// The form of it the index stores.
    stored: Vec<u8>,
    /// Its LSH bucket keys, one per band.
    buckets: Vec<u32>,
    /// Its content terms for story clustering.
    terms: Vec<(u64, u32)>,
    /// Its repeated paragraphs: they depend on this article alone.
    repeated: Vec<RepeatedParagraph>,
}

/// Rounds a similarity for the result, so answers read well and compare exactly.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Engine {
    /// An engine over `index`, loading the story window from it.
    pub fn new(config: Config, index: Box<dyn Index>) -> Result<Self, DedupError> {
        let hasher = MinHasher::new(config.permutations, config.rows());
        let loaded = index.story_state(config.story_window)?;
        let stories = Stories::new(config.story_window, loaded.df, loaded.docs, loaded.recent);
        let log = index.log_sync()?;
        let state = Mutex::new(State { index, stories });
        Ok(Self {
            config,
            hasher,
            state,
            log,
            log_failed: AtomicBool::new(false),
            caches: Mutex::new(Vec::new()),
        })
    }

    /// Makes every article recorded so far durable: one sync of the write-ahead log for a
    /// whole batch, taking no lock (concurrent `process` calls go on while it waits). After
    /// a failed sync, the next call writes everything recorded into the index with a durable
    /// commit (under the lock) instead, and answers `Ok` only once that succeeded.
    pub fn flush(&self) -> Result<(), DedupError> {
        let Some(log) = &self.log else { return Ok(()) };
        if !self.log_failed.load(Ordering::SeqCst) {
            match log.sync() {
                Ok(()) if !self.log_failed.load(Ordering::SeqCst) => return Ok(()),
                Ok(()) => {}
                Err(e) => {
                    self.log_failed.store(true, Ordering::SeqCst);
                    return Err(e);
                }
            }
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.index.commit()?;
        self.log_failed.store(false, Ordering::SeqCst);
        Ok(())
    }

    fn analyse(&self, document: &Document) -> Analysis {
        let words = normalise::words(&document.text);
        let mut cache = self.caches.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
        let keys = cache.keys(&words);
        self.caches.lock().unwrap_or_else(PoisonError::into_inner).push(cache);
        let hashes: Vec<u64> = keys.iter().map(|k| k.hash).collect();
        let shingles = minhash::shingles_of(&hashes, self.config.shingle);
        let buckets = self.hasher.buckets(&self.hasher.signature(&shingles));
        Analysis {
            exact_key: normalise::exact_key(&words, &document.id),
            buckets,
            stored: minhash::stored_set(&shingles),
            shingles,
            terms: story::count(keys.iter().filter_map(|k| k.term)),
            repeated: paragraphs::repeated(&document.paragraphs, &words),
        }
    }

    /// The dedup answer for `document`, recorded in the index (durable after the next
    /// [`Engine::flush`]). A delivery already answered (same id and source name) gets its
    /// stored answer back unchanged.
    pub fn process(&self, document: &Document) -> Result<DedupResult, DedupError> {
        let (id, source) = (document.id.as_str(), document.source.name.as_str());
        // Analysed before taking the lock (redeliveries are rare; the work is a millisecond),
        // then checked under the lock that also covers the record, so a delivery racing
        // itself is answered once.
        let mut analysis = self.analyse(document);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(answer) = state.index.answer(id, source)? {
            return Ok(answer);
        }
        let original = state.index.exact(&analysis.exact_key)?;
        let near_duplicates = self.near_duplicates(state.index.as_ref(), &analysis, original.as_ref())?;
        let (story, vector) = match &original {
            Some(original) => (original.story.clone(), None),
            None => {
                let vector = state.stories.vector(&analysis.terms);
                let joined = state
                    .stories
                    .most_similar(&vector)
                    .filter(|(_, cosine)| *cosine >= self.config.story_threshold)
                    .map(|(doc, _)| doc.story.clone());
                (joined.unwrap_or_else(|| story::story_id(id)), Some(vector))
            }
        };
        let answer = DedupResult {
            exact_duplicate_of: original
                .as_ref()
                .map(|o| DocRef { id: o.id.clone(), source: o.source.clone() }),
            near_duplicates,
            repeated_paragraphs: std::mem::take(&mut analysis.repeated),
            story,
        };
        let indexed = vector.as_ref().map(|vector| Indexed {
            exact_key: &analysis.exact_key,
            story: &answer.story,
            buckets: &analysis.buckets,
            shingles: &analysis.stored,
            vector,
            retain: (self.config.story_window as u64).max(DF_SNAPSHOT) + 1,
        });
        let number = state.index.record(&Entry { id, source, answer: &answer, indexed })?;
        if let (Some(no), Some(vector)) = (number, vector) {
            let doc = StoryDoc { no, story: answer.story.clone(), vector };
            state.stories.add(doc);
            let State { index, stories } = &mut *state;
            let (df, docs) = stories.df();
            if docs.is_multiple_of(DF_SNAPSHOT) {
                index.save_df(df, docs)?;
            }
        }
        Ok(answer)
    }

    /// Verified near-duplicates among the LSH candidates, most similar first, leaving out
    /// the exact original (reported on its own).
    fn near_duplicates(
        &self,
        index: &dyn Index,
        analysis: &Analysis,
        original: Option<&DocRecord>,
    ) -> Result<Vec<NearDuplicate>, DedupError> {
        if analysis.shingles.is_empty() {
            return Ok(Vec::new());
        }
        let mut candidates = index.candidates(&analysis.buckets)?;
        candidates.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(MAX_CANDIDATES);
        let numbers: Vec<u64> = candidates.iter().map(|&(no, _)| no).collect();
        let mut found: Vec<(f64, u64, NearDuplicate)> = Vec::new();
        for (no, record, stored) in index.documents(&numbers)? {
            if original.is_some_and(|o| o.id == record.id && o.source == record.source) {
                continue;
            }
            let Some(overlap) = minhash::compare(&analysis.shingles, &stored) else {
                return Err(DedupError::Corrupt { path: "(index)".into(), what: format!("shingles[{no}]") });
            };
            let score = overlap.jaccard.max(overlap.containment);
            if score >= self.config.threshold {
                found.push((
                    score,
                    no,
                    NearDuplicate {
                        id: record.id,
                        source: record.source,
                        similarity: round4(overlap.jaccard),
                        containment: round4(overlap.containment),
                    },
                ));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(MAX_REPORTED);
        Ok(found.into_iter().map(|(_, _, near)| near).collect())
    }
}
