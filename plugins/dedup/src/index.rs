//! The dedup index: everything the plugin remembers across articles and restarts.
//!
//! [`Index`] is the seam: the plugin's logic asks it small questions (was this delivery
//! answered before? who owns this exact key? who shares these LSH buckets?) and hands it one
//! [`Entry`] per article to store atomically. [`RedbIndex`] is the embedded implementation,
//! one redb file in the plugin's state folder (or redb's in-memory backend when the host
//! gives no folder). A PostgreSQL implementation shared by several daemons would implement
//! the same trait; it would also have to make `record` conditional (insert-if-absent on the
//! answer and the exact key, in one transaction), because the plugin's mutex only serialises
//! the threads of one process.
//!
//! Tables (redb):
//!
//! | table | key | value |
//! | --- | --- | --- |
//! | `meta` | setting name | u64 (signature settings, next article number) |
//! | `answers` | (id, source name) | the stored answer, JSON |
//! | `exact` | exact key (32 bytes) | article number of the original |
//! | `docs` | article number | id, source name, story (JSON) |
//! | `shingles` | article number | sorted shingle hashes, 8 bytes each |
//! | `bands` (multimap) | LSH bucket | article numbers |
//! | `vectors` | article number | story vector, 12 bytes per term |
//! | `df` | term hash | number of articles containing it |
//!
//! Only articles that are not exact duplicates are indexed (get a number); an exact duplicate
//! stores only its answer, so a thousand copies of one text do not crowd the LSH buckets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use redb::{Database, MultimapTableDefinition, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::DedupError;
use crate::normalise::ExactKey;
use crate::result::DedupResult;
use crate::story::StoryDoc;

/// An indexed article's number: assigned in indexing order, starting at 0.
pub type DocNo = u64;

/// What the index keeps about an indexed article to report it and to find its story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRecord {
    /// The article's id.
    pub id: String,
    /// The file name it arrived under.
    pub source: String,
    /// The story it was assigned to.
    pub story: String,
}

/// The settings that shape stored signatures; an index refuses to open with others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Words per shingle.
    pub shingle: u64,
    /// MinHash permutations.
    pub permutations: u64,
    /// LSH bands.
    pub bands: u64,
}

/// Everything learnt from one article, stored in one transaction by [`Index::record`].
#[derive(Debug)]
pub struct Entry<'a> {
    /// The article's id.
    pub id: &'a str,
    /// The file name it arrived under.
    pub source: &'a str,
    /// The answer given, returned again if this (id, source) is delivered again.
    pub answer: &'a DedupResult,
    /// Present when the article is not an exact duplicate: what makes it findable.
    pub indexed: Option<Indexed<'a>>,
}

/// The searchable part of an [`Entry`].
#[derive(Debug)]
pub struct Indexed<'a> {
    /// Its exact-duplicate key, which this article now owns.
    pub exact_key: &'a ExactKey,
    /// The story it was assigned to.
    pub story: &'a str,
    /// Its LSH bucket keys, one per band.
    pub buckets: &'a [u64],
    /// Its shingle set, sorted, for exact verification of later candidates.
    pub shingles: &'a [u64],
    /// Its frozen story vector.
    pub vector: &'a [(u64, f32)],
    /// Its content terms, counted into the document frequencies.
    pub terms: &'a [(u64, u32)],
}

/// What story clustering needs at start: document frequencies, how many articles they
/// count, and the most recent articles' vectors, oldest first.
#[derive(Debug, Default)]
pub struct StoryState {
    /// Term hash -> articles containing it.
    pub df: HashMap<u64, u64>,
    /// Articles counted in `df`.
    pub docs: u64,
    /// The window, oldest first.
    pub recent: Vec<StoryDoc>,
}

/// The store behind the dedup plugin. Callers serialise access (the plugin holds a mutex
/// across a lookup and the `record` that follows it).
pub trait Index: Send {
    /// The answer stored for this (id, source name), if that delivery was processed before.
    fn answer(&self, id: &str, source: &str) -> Result<Option<DedupResult>, DedupError>;
    /// The indexed article owning an exact key.
    fn exact(&self, key: &ExactKey) -> Result<Option<DocRecord>, DedupError>;
    /// Articles sharing at least one of these LSH buckets, with how many they share.
    fn candidates(&self, buckets: &[u64]) -> Result<Vec<(DocNo, usize)>, DedupError>;
    /// The records and shingle sets of these articles (missing numbers are skipped).
    fn documents(&self, nos: &[DocNo]) -> Result<Vec<(DocNo, DocRecord, Vec<u64>)>, DedupError>;
    /// Document frequencies and the last `window` indexed articles' story vectors.
    fn story_state(&self, window: usize) -> Result<StoryState, DedupError>;
    /// Stores one article atomically; returns its number when it was indexed.
    fn record(&mut self, entry: &Entry<'_>) -> Result<Option<DocNo>, DedupError>;
}

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const ANSWERS: TableDefinition<(&str, &str), &str> = TableDefinition::new("answers");
const EXACT: TableDefinition<&[u8], u64> = TableDefinition::new("exact");
const DOCS: TableDefinition<u64, &str> = TableDefinition::new("docs");
const SHINGLES: TableDefinition<u64, &[u8]> = TableDefinition::new("shingles");
const BANDS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("bands");
const VECTORS: TableDefinition<u64, &[u8]> = TableDefinition::new("vectors");
const DF: TableDefinition<u64, u64> = TableDefinition::new("df");

/// Version of the table layout above; bumped on any incompatible change.
const FORMAT: u64 = 1;
const NEXT_DOC: &str = "next_doc";

/// The embedded [`Index`]: one redb database.
pub struct RedbIndex {
    /// The database; every write is one redb transaction, so a crash keeps all or nothing
    /// of an article.
    db: Database,
    /// Where it lives, for error messages (`(in memory)` without a state folder).
    path: PathBuf,
}

impl std::fmt::Debug for RedbIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbIndex").field("path", &self.path).finish_non_exhaustive()
    }
}

impl RedbIndex {
    /// Opens (or creates) the index file at `path`, refusing one built with other settings.
    pub fn open(path: &Path, settings: Settings) -> Result<Self, DedupError> {
        let db = Database::create(path)
            .map_err(|e| DedupError::Open { path: path.to_owned(), source: Box::new(e) })?;
        Self::init(db, path.to_owned(), settings)
    }

    /// An index that lives in memory only and is lost when the plugin is destroyed.
    pub fn in_memory(settings: Settings) -> Result<Self, DedupError> {
        let path = PathBuf::from("(in memory)");
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| DedupError::Open { path: path.clone(), source: Box::new(e) })?;
        Self::init(db, path, settings)
    }

    /// Creates the tables and records (or checks) the signature settings.
    fn init(db: Database, path: PathBuf, settings: Settings) -> Result<Self, DedupError> {
        let index = Self { db, path };
        let txn = index.db.begin_write().map_err(|e| index.storage(e))?;
        {
            let mut meta = txn.open_table(META).map_err(|e| index.storage(e))?;
            let wanted = [
                ("format", FORMAT),
                ("shingle", settings.shingle),
                ("permutations", settings.permutations),
                ("bands", settings.bands),
            ];
            for (key, configured) in wanted {
                let stored = meta.get(key).map_err(|e| index.storage(e))?.map(|v| v.value());
                match stored {
                    None => {
                        meta.insert(key, configured).map_err(|e| index.storage(e))?;
                    }
                    Some(stored) if stored != configured => {
                        return Err(DedupError::Incompatible {
                            path: index.path.clone(),
                            key,
                            stored,
                            configured,
                        });
                    }
                    Some(_) => {}
                }
            }
            txn.open_table(ANSWERS).map_err(|e| index.storage(e))?;
            txn.open_table(EXACT).map_err(|e| index.storage(e))?;
            txn.open_table(DOCS).map_err(|e| index.storage(e))?;
            txn.open_table(SHINGLES).map_err(|e| index.storage(e))?;
            txn.open_multimap_table(BANDS).map_err(|e| index.storage(e))?;
            txn.open_table(VECTORS).map_err(|e| index.storage(e))?;
            txn.open_table(DF).map_err(|e| index.storage(e))?;
        }
        txn.commit().map_err(|e| index.storage(e))?;
        Ok(index)
    }

    fn storage(&self, error: impl Into<redb::Error>) -> DedupError {
        DedupError::Storage { path: self.path.clone(), source: Box::new(error.into()) }
    }

    fn corrupt(&self, what: impl std::fmt::Display) -> DedupError {
        DedupError::Corrupt { path: self.path.clone(), what: what.to_string() }
    }

    fn decode_record(&self, no: DocNo, json: &str) -> Result<DocRecord, DedupError> {
        serde_json::from_str(json).map_err(|e| self.corrupt(format_args!("docs[{no}]: {e}")))
    }
}

/// Packs sorted shingle hashes as little-endian u64s.
fn pack_shingles(shingles: &[u64]) -> Vec<u8> {
    shingles.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn unpack_shingles(bytes: &[u8]) -> Option<Vec<u64>> {
    let chunks = bytes.chunks_exact(8);
    if !chunks.remainder().is_empty() {
        return None;
    }
    Some(chunks.map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())).collect())
}

/// Packs a story vector as (u64 term, f32 weight) little-endian pairs.
fn pack_vector(vector: &[(u64, f32)]) -> Vec<u8> {
    vector.iter().flat_map(|(t, w)| t.to_le_bytes().into_iter().chain(w.to_le_bytes())).collect()
}

fn unpack_vector(bytes: &[u8]) -> Option<Vec<(u64, f32)>> {
    let chunks = bytes.chunks_exact(12);
    if !chunks.remainder().is_empty() {
        return None;
    }
    Some(
        chunks
            .map(|c| {
                let (term, weight) = c.split_at(8);
                (
                    u64::from_le_bytes(term.try_into().unwrap_or_default()),
                    f32::from_le_bytes(weight.try_into().unwrap_or_default()),
                )
            })
            .collect(),
    )
}

impl Index for RedbIndex {
    fn answer(&self, id: &str, source: &str) -> Result<Option<DedupResult>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let table = txn.open_table(ANSWERS).map_err(|e| self.storage(e))?;
        let Some(json) = table.get((id, source)).map_err(|e| self.storage(e))? else {
            return Ok(None);
        };
        serde_json::from_str(json.value())
            .map(Some)
            .map_err(|e| self.corrupt(format_args!("answers[{id}, {source}]: {e}")))
    }

    fn exact(&self, key: &ExactKey) -> Result<Option<DocRecord>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let exact = txn.open_table(EXACT).map_err(|e| self.storage(e))?;
        let Some(no) = exact.get(key.as_slice()).map_err(|e| self.storage(e))? else {
            return Ok(None);
        };
        let no = no.value();
        let docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
        let json = docs.get(no).map_err(|e| self.storage(e))?;
        let json =
            json.ok_or_else(|| self.corrupt(format_args!("exact key points at missing docs[{no}]")))?;
        self.decode_record(no, json.value()).map(Some)
    }

    fn candidates(&self, buckets: &[u64]) -> Result<Vec<(DocNo, usize)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let bands = txn.open_multimap_table(BANDS).map_err(|e| self.storage(e))?;
        let mut shared: HashMap<DocNo, usize> = HashMap::new();
        for &bucket in buckets {
            for no in bands.get(bucket).map_err(|e| self.storage(e))? {
                *shared.entry(no.map_err(|e| self.storage(e))?.value()).or_default() += 1;
            }
        }
        Ok(shared.into_iter().collect())
    }

    fn documents(&self, nos: &[DocNo]) -> Result<Vec<(DocNo, DocRecord, Vec<u64>)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
        let shingles = txn.open_table(SHINGLES).map_err(|e| self.storage(e))?;
        let mut found = Vec::with_capacity(nos.len());
        for &no in nos {
            let Some(json) = docs.get(no).map_err(|e| self.storage(e))? else { continue };
            let record = self.decode_record(no, json.value())?;
            let set = match shingles.get(no).map_err(|e| self.storage(e))? {
                Some(bytes) => unpack_shingles(bytes.value())
                    .ok_or_else(|| self.corrupt(format_args!("shingles[{no}]: odd length")))?,
                None => Vec::new(),
            };
            found.push((no, record, set));
        }
        Ok(found)
    }

    fn story_state(&self, window: usize) -> Result<StoryState, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let mut state = StoryState::default();
        let meta = txn.open_table(META).map_err(|e| self.storage(e))?;
        state.docs = meta.get(NEXT_DOC).map_err(|e| self.storage(e))?.map_or(0, |v| v.value());
        let df = txn.open_table(DF).map_err(|e| self.storage(e))?;
        for row in df.iter().map_err(|e| self.storage(e))? {
            let (term, count) = row.map_err(|e| self.storage(e))?;
            state.df.insert(term.value(), count.value());
        }
        let docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
        let vectors = txn.open_table(VECTORS).map_err(|e| self.storage(e))?;
        for row in vectors.iter().map_err(|e| self.storage(e))?.rev().take(window) {
            let (no, bytes) = row.map_err(|e| self.storage(e))?;
            let no = no.value();
            let vector = unpack_vector(bytes.value())
                .ok_or_else(|| self.corrupt(format_args!("vectors[{no}]: odd length")))?;
            let json = docs.get(no).map_err(|e| self.storage(e))?;
            let json = json.ok_or_else(|| self.corrupt(format_args!("vectors[{no}] without docs[{no}]")))?;
            let story = self.decode_record(no, json.value())?.story;
            state.recent.push(StoryDoc { no, story, vector });
        }
        state.recent.reverse();
        Ok(state)
    }

    fn record(&mut self, entry: &Entry<'_>) -> Result<Option<DocNo>, DedupError> {
        let answer = serde_json::to_string(entry.answer)
            .map_err(|e| self.corrupt(format_args!("cannot encode answer: {e}")))?;
        let txn = self.db.begin_write().map_err(|e| self.storage(e))?;
        let mut number = None;
        {
            let mut answers = txn.open_table(ANSWERS).map_err(|e| self.storage(e))?;
            answers.insert((entry.id, entry.source), answer.as_str()).map_err(|e| self.storage(e))?;
            if let Some(indexed) = &entry.indexed {
                let mut meta = txn.open_table(META).map_err(|e| self.storage(e))?;
                let no = meta.get(NEXT_DOC).map_err(|e| self.storage(e))?.map_or(0, |v| v.value());
                meta.insert(NEXT_DOC, no + 1).map_err(|e| self.storage(e))?;
                let record = DocRecord {
                    id: entry.id.to_owned(),
                    source: entry.source.to_owned(),
                    story: indexed.story.to_owned(),
                };
                let record = serde_json::to_string(&record)
                    .map_err(|e| self.corrupt(format_args!("cannot encode docs[{no}]: {e}")))?;
                let mut docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
                docs.insert(no, record.as_str()).map_err(|e| self.storage(e))?;
                let mut exact = txn.open_table(EXACT).map_err(|e| self.storage(e))?;
                exact.insert(indexed.exact_key.as_slice(), no).map_err(|e| self.storage(e))?;
                let mut shingles = txn.open_table(SHINGLES).map_err(|e| self.storage(e))?;
                shingles
                    .insert(no, pack_shingles(indexed.shingles).as_slice())
                    .map_err(|e| self.storage(e))?;
                let mut bands = txn.open_multimap_table(BANDS).map_err(|e| self.storage(e))?;
                for &bucket in indexed.buckets {
                    bands.insert(bucket, no).map_err(|e| self.storage(e))?;
                }
                let mut vectors = txn.open_table(VECTORS).map_err(|e| self.storage(e))?;
                vectors.insert(no, pack_vector(indexed.vector).as_slice()).map_err(|e| self.storage(e))?;
                let mut df = txn.open_table(DF).map_err(|e| self.storage(e))?;
                for &(term, _) in indexed.terms {
                    let count = df.get(term).map_err(|e| self.storage(e))?.map_or(0, |v| v.value());
                    df.insert(term, count + 1).map_err(|e| self.storage(e))?;
                }
                number = Some(no);
            }
        }
        txn.commit().map_err(|e| self.storage(e))?;
        Ok(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        let s = [1u64, 7, u64::MAX];
        assert_eq!(unpack_shingles(&pack_shingles(&s)).unwrap(), s);
        let v = [(3u64, 0.25f32), (9, -1.5)];
        assert_eq!(unpack_vector(&pack_vector(&v)).unwrap(), v);
        assert!(unpack_shingles(&[1, 2, 3]).is_none());
    }

    #[test]
    fn an_index_refuses_other_signature_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.redb");
        let settings = Settings { shingle: 5, permutations: 128, bands: 64 };
        drop(RedbIndex::open(&path, settings).unwrap());
        let err = RedbIndex::open(&path, Settings { bands: 32, ..settings }).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("x.redb") && message.contains("bands"), "{message}");
        RedbIndex::open(&path, settings).unwrap();
    }
}
