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
//! | `shingles` | article number | stored shingle set ([`crate::minhash::StoredSet`]) |
//! | `bands` (multimap) | LSH bucket (u32) | article numbers (u32) |
//! | `vectors` | article number | story vector, 12 bytes per term (recent articles only) |
//! | `df` | `"snapshot"` | document-frequency counters and the article count they cover |
//!
//! Only articles that are not exact duplicates are indexed (get a number); an exact duplicate
//! stores only its answer, so a thousand copies of one text do not crowd the LSH buckets.
//!
//! # Durability per article, commits in batches
//!
//! A redb commit that is durable on return rewrites (copy-on-write) every B-tree page the
//! article touched and syncs the file: with 64 LSH buckets on random keys that is hundreds of
//! kilobytes and several milliseconds per article. Instead, each article is first appended to
//! a write-ahead log next to the index (`<index>.wal`: length, checksum, JSON) and synced
//! (one small sequential write), then applied to redb in a non-durable transaction, which
//! readers see at once. Every [`CHECKPOINT`] articles (and when the index is dropped) one
//! durable commit makes the applied articles durable and the log is emptied. On open, log
//! records the index does not yet hold (by sequence number) are applied again; a torn last
//! record (crash mid-append) is ignored, since its article was never answered. So when
//! [`Index::record`] returns, the article is durable, as before.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use redb::{Database, Durability, MultimapTableDefinition, ReadableTable, TableDefinition};
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
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct Indexed<'a> {
    /// Its exact-duplicate key, which this article now owns.
    pub exact_key: &'a ExactKey,
    /// The story it was assigned to.
    pub story: &'a str,
    /// Its LSH bucket keys, one per band.
    pub buckets: &'a [u32],
    /// Its stored shingle set (see [`crate::minhash::StoredSet`]), for verifying later
    /// candidates.
    pub shingles: &'a [u8],
    /// Its frozen story vector (its terms are what the document frequencies count).
    pub vector: &'a [(u64, f32)],
    /// Story vectors are kept for this many most recent articles; the one that falls out
    /// is deleted with this entry.
    pub retain: u64,
}

/// An [`Entry`] read back from the write-ahead log.
#[derive(Debug, Deserialize)]
struct OwnedEntry {
    id: String,
    source: String,
    answer: DedupResult,
    indexed: Option<OwnedIndexed>,
}

/// An [`Indexed`] read back from the write-ahead log.
#[derive(Debug, Deserialize)]
struct OwnedIndexed {
    exact_key: ExactKey,
    story: String,
    buckets: Vec<u32>,
    shingles: Vec<u8>,
    vector: Vec<(u64, f32)>,
    retain: u64,
}

/// One write-ahead log record: the article's sequence number and its entry.
#[derive(Debug, Serialize)]
struct WalRecord<'a> {
    seq: u64,
    entry: &'a Entry<'a>,
}

#[derive(Debug, Deserialize)]
struct OwnedWalRecord {
    seq: u64,
    entry: OwnedEntry,
}

/// What story clustering needs at start: document frequencies, how many articles they
/// count, and the most recent articles' vectors, oldest first.
#[derive(Debug, Default)]
pub struct StoryState {
    /// Hashed document-frequency counters ([`crate::story::DF_SLOTS`] of them, or empty).
    pub df: Vec<u32>,
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
    fn candidates(&self, buckets: &[u32]) -> Result<Vec<(DocNo, usize)>, DedupError>;
    /// The records and stored shingle sets of these articles (missing numbers are skipped).
    fn documents(&self, nos: &[DocNo]) -> Result<Vec<(DocNo, DocRecord, Vec<u8>)>, DedupError>;
    /// The document-frequency snapshot plus the retained vectors indexed after it (counted
    /// in), and the last `window` indexed articles' story vectors.
    fn story_state(&self, window: usize) -> Result<StoryState, DedupError>;
    /// Stores one article atomically and durably; returns its number when it was indexed.
    fn record(&mut self, entry: &Entry<'_>) -> Result<Option<DocNo>, DedupError>;
    /// Stores a snapshot of the document-frequency counters covering `docs` articles.
    fn save_df(&mut self, df: &[u32], docs: u64) -> Result<(), DedupError>;
}

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const ANSWERS: TableDefinition<(&str, &str), &str> = TableDefinition::new("answers");
const EXACT: TableDefinition<&[u8], u64> = TableDefinition::new("exact");
const DOCS: TableDefinition<u64, &str> = TableDefinition::new("docs");
const SHINGLES: TableDefinition<u64, &[u8]> = TableDefinition::new("shingles");
const BANDS: MultimapTableDefinition<u32, u32> = MultimapTableDefinition::new("bands");
const VECTORS: TableDefinition<u64, &[u8]> = TableDefinition::new("vectors");
const DF: TableDefinition<&str, &[u8]> = TableDefinition::new("df");

/// Version of the table layout above; bumped on any incompatible change.
const FORMAT: u64 = 2;
const NEXT_DOC: &str = "next_doc";
/// Meta key: sequence number of the last write-ahead log record applied.
const APPLIED: &str = "applied_seq";
/// Articles applied between durable commits (and log truncations).
pub const CHECKPOINT: u64 = 256;
/// redb's page cache: enough for the hot B-tree levels, bounded for a small footprint.
const CACHE_BYTES: usize = 64 << 20;
/// LSH buckets with more articles than this are not read (a text copied or templated that
/// often is found through its exact key or its other buckets).
const MAX_BUCKET: u64 = 1000;

/// The embedded [`Index`]: one redb database.
pub struct RedbIndex {
    /// The database; every write is one redb transaction, so a crash keeps all or nothing
    /// of an article.
    db: Database,
    /// Where it lives, for error messages (`(in memory)` without a state folder).
    path: PathBuf,
    /// The write-ahead log (none in memory).
    wal: Option<File>,
    /// Sequence number of the last record applied.
    seq: u64,
    /// Records applied since the last durable commit.
    pending: u64,
}

impl std::fmt::Debug for RedbIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbIndex").field("path", &self.path).finish_non_exhaustive()
    }
}

impl RedbIndex {
    /// Opens (or creates) the index file at `path`, refusing one built with other settings.
    pub fn open(path: &Path, settings: Settings) -> Result<Self, DedupError> {
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| DedupError::Open { path: path.to_owned(), source: Box::new(e) })?;
        let mut index = Self::init(db, path.to_owned(), settings)?;
        let wal_path = wal_path(path);
        let wal = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&wal_path)
            .map_err(|e| index.wal_error(e))?;
        index.wal = Some(wal);
        index.replay()?;
        Ok(index)
    }

    fn wal_error(&self, e: std::io::Error) -> DedupError {
        DedupError::Storage { path: wal_path(&self.path), source: Box::new(redb::Error::Io(e)) }
    }

    /// Applies the log records the database does not hold yet, then checkpoints.
    fn replay(&mut self) -> Result<(), DedupError> {
        let Some(wal) = self.wal.as_mut() else { return Ok(()) };
        let mut bytes = Vec::new();
        let mut reader = &*wal;
        reader.read_to_end(&mut bytes).map_err(|e| self.wal_error(e))?;
        let mut at = 0;
        let mut records = Vec::new();
        while let Some(header) = bytes.get(at..at + 8) {
            let len = u32::from_le_bytes(header[..4].try_into().unwrap_or_default()) as usize;
            let Some(body) = bytes.get(at + 8..at + 8 + len) else { break };
            if blake3::hash(body).as_bytes()[..4] != header[4..8] {
                break; // torn final record: its article was never answered
            }
            match serde_json::from_slice::<OwnedWalRecord>(body) {
                Ok(record) => records.push(record),
                Err(_) => break,
            }
            at += 8 + len;
        }
        for record in records {
            if record.seq <= self.seq {
                continue;
            }
            let e = &record.entry;
            let indexed = e.indexed.as_ref().map(|i| Indexed {
                exact_key: &i.exact_key,
                story: &i.story,
                buckets: &i.buckets,
                shingles: &i.shingles,
                vector: &i.vector,
                retain: i.retain,
            });
            let entry = Entry { id: &e.id, source: &e.source, answer: &e.answer, indexed };
            self.apply(&entry, record.seq, Durability::None)?;
        }
        self.checkpoint()
    }

    /// Makes every applied record durable in the database and empties the log.
    fn checkpoint(&mut self) -> Result<(), DedupError> {
        let mut txn = self.db.begin_write().map_err(|e| self.storage(e))?;
        txn.set_durability(Durability::Immediate);
        txn.commit().map_err(|e| self.storage(e))?;
        if let Some(wal) = &self.wal {
            wal.set_len(0).map_err(|e| self.wal_error(e))?;
            wal.sync_data().map_err(|e| self.wal_error(e))?;
        }
        self.pending = 0;
        Ok(())
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
        let mut index = Self { db, path, wal: None, seq: 0, pending: 0 };
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
            index.seq = meta.get(APPLIED).map_err(|e| index.storage(e))?.map_or(0, |v| v.value());
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

/// The log file next to the index: `<index>.wal`.
fn wal_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".wal");
    PathBuf::from(name)
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

    fn candidates(&self, buckets: &[u32]) -> Result<Vec<(DocNo, usize)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let bands = txn.open_multimap_table(BANDS).map_err(|e| self.storage(e))?;
        let mut shared: HashMap<DocNo, usize> = HashMap::new();
        for &bucket in buckets {
            let members = bands.get(bucket).map_err(|e| self.storage(e))?;
            if members.len() > MAX_BUCKET {
                continue;
            }
            for no in members {
                *shared.entry(u64::from(no.map_err(|e| self.storage(e))?.value())).or_default() += 1;
            }
        }
        Ok(shared.into_iter().collect())
    }

    fn documents(&self, nos: &[DocNo]) -> Result<Vec<(DocNo, DocRecord, Vec<u8>)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
        let shingles = txn.open_table(SHINGLES).map_err(|e| self.storage(e))?;
        let mut found = Vec::with_capacity(nos.len());
        for &no in nos {
            let Some(json) = docs.get(no).map_err(|e| self.storage(e))? else { continue };
            let record = self.decode_record(no, json.value())?;
            let set = shingles.get(no).map_err(|e| self.storage(e))?.map(|b| b.value().to_vec());
            found.push((no, record, set.unwrap_or_default()));
        }
        Ok(found)
    }

    fn story_state(&self, window: usize) -> Result<StoryState, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let mut state = StoryState::default();
        let df = txn.open_table(DF).map_err(|e| self.storage(e))?;
        let mut snapshot_docs = 0;
        if let Some(bytes) = df.get("snapshot").map_err(|e| self.storage(e))? {
            let bytes = bytes.value();
            let (head, counters) = bytes.split_at(8.min(bytes.len()));
            snapshot_docs = u64::from_le_bytes(head.try_into().unwrap_or_default());
            state.df = counters
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default()))
                .collect();
        }
        state.docs = snapshot_docs;
        let docs = txn.open_table(DOCS).map_err(|e| self.storage(e))?;
        let vectors = txn.open_table(VECTORS).map_err(|e| self.storage(e))?;
        let mut after_snapshot = Vec::new();
        for row in vectors.range(snapshot_docs..).map_err(|e| self.storage(e))? {
            let (no, bytes) = row.map_err(|e| self.storage(e))?;
            let vector = unpack_vector(bytes.value())
                .ok_or_else(|| self.corrupt(format_args!("vectors[{}]: odd length", no.value())))?;
            after_snapshot.push(vector.into_iter().map(|(t, _)| t).collect::<Vec<u64>>());
        }
        state.docs += after_snapshot.len() as u64;
        if !after_snapshot.is_empty() || !state.df.is_empty() {
            crate::story::count_terms(&mut state.df, after_snapshot.iter().map(Vec::as_slice));
        }
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
        let seq = self.seq + 1;
        if let Some(wal) = self.wal.as_mut() {
            let body = serde_json::to_vec(&WalRecord { seq, entry }).map_err(|e| DedupError::Corrupt {
                path: self.path.clone(),
                what: format!("cannot encode entry: {e}"),
            })?;
            let mut framed = Vec::with_capacity(body.len() + 8);
            framed.extend_from_slice(&(body.len() as u32).to_le_bytes());
            framed.extend_from_slice(&blake3::hash(&body).as_bytes()[..4]);
            framed.extend_from_slice(&body);
            let written = wal.write_all(&framed).and_then(|()| wal.sync_data());
            if let Err(e) = written {
                return Err(self.wal_error(e));
            }
        }
        let durability = if self.wal.is_some() { Durability::None } else { Durability::Immediate };
        let number = self.apply(entry, seq, durability)?;
        self.pending += 1;
        if self.pending >= CHECKPOINT {
            self.checkpoint()?;
        }
        Ok(number)
    }

    fn save_df(&mut self, df: &[u32], docs: u64) -> Result<(), DedupError> {
        let mut bytes = Vec::with_capacity(8 + 4 * df.len());
        bytes.extend_from_slice(&docs.to_le_bytes());
        bytes.extend(df.iter().flat_map(|c| c.to_le_bytes()));
        let txn = self.db.begin_write().map_err(|e| self.storage(e))?;
        {
            let mut table = txn.open_table(DF).map_err(|e| self.storage(e))?;
            table.insert("snapshot", bytes.as_slice()).map_err(|e| self.storage(e))?;
        }
        txn.commit().map_err(|e| self.storage(e))?;
        // That commit was durable: everything applied before it is too.
        self.checkpoint()
    }
}

impl RedbIndex {
    /// Applies one entry to the database as record `seq`.
    fn apply(
        &mut self,
        entry: &Entry<'_>,
        seq: u64,
        durability: Durability,
    ) -> Result<Option<DocNo>, DedupError> {
        let answer = serde_json::to_string(entry.answer)
            .map_err(|e| self.corrupt(format_args!("cannot encode answer: {e}")))?;
        let mut txn = self.db.begin_write().map_err(|e| self.storage(e))?;
        txn.set_durability(durability);
        let mut number = None;
        {
            let mut meta = txn.open_table(META).map_err(|e| self.storage(e))?;
            meta.insert(APPLIED, seq).map_err(|e| self.storage(e))?;
            let mut answers = txn.open_table(ANSWERS).map_err(|e| self.storage(e))?;
            answers.insert((entry.id, entry.source), answer.as_str()).map_err(|e| self.storage(e))?;
            if let Some(indexed) = &entry.indexed {
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
                shingles.insert(no, indexed.shingles).map_err(|e| self.storage(e))?;
                let mut bands = txn.open_multimap_table(BANDS).map_err(|e| self.storage(e))?;
                let small = u32::try_from(no).map_err(|_| self.corrupt("more than 2^32 indexed articles"))?;
                for &bucket in indexed.buckets {
                    bands.insert(bucket, small).map_err(|e| self.storage(e))?;
                }
                let mut vectors = txn.open_table(VECTORS).map_err(|e| self.storage(e))?;
                vectors.insert(no, pack_vector(indexed.vector).as_slice()).map_err(|e| self.storage(e))?;
                if let Some(old) = no.checked_sub(indexed.retain.max(1)) {
                    vectors.remove(old).map_err(|e| self.storage(e))?;
                }
                number = Some(no);
            }
        }
        txn.commit().map_err(|e| self.storage(e))?;
        self.seq = seq;
        Ok(number)
    }
}

impl Drop for RedbIndex {
    fn drop(&mut self) {
        // A clean stop leaves an empty log; if this fails the log still holds the records.
        if self.pending > 0 {
            let _ = self.checkpoint();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        let v = [(3u64, 0.25f32), (9, -1.5)];
        assert_eq!(unpack_vector(&pack_vector(&v)).unwrap(), v);
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
