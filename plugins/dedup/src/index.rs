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
//! | `answers` | 128-bit hash of (id, source name) | the stored answer, JSON |
//! | `exact` | exact key (32 bytes) | article number of the original |
//! | `blocks` | first article number | consecutive articles: id, source name, story, stored shingle set |
//! | `sigs` | article number | its LSH bucket keys (articles not yet in a run) |
//! | `runs` | run number | (entries, parts) of the run |
//! | `run-N` (one per run) | part | sorted (bucket, article) pairs, varint-coded with restart points |
//! | `filter-N` (one per run) | chunk | the run's bucket membership filter, [`FILTER_CHUNK`] words a row |
//! | `vectors` | article number | story vector, 12 bytes per term (recent articles only) |
//! | `df` | chunk number | 0: the article count the snapshot covers; n: counters (n-1)·1000.. |
//!
//! Only articles that are not exact duplicates are indexed (get a number); an exact duplicate
//! stores only its answer, so a thousand copies of one text do not crowd the LSH buckets.
//!
//! # Dense pages
//!
//! redb splits a full B-tree leaf in half, so rows appended in key order leave every leaf
//! half empty, and a value larger than a page takes a power-of-two run of pages. So what is
//! written in order is packed into rows that each fill most of one 4 KiB page: articles in
//! blocks of consecutive numbers ([`BLOCK_BYTES`]; a lookup is one range query and a short
//! scan), LSH run parts of about [`PART_BYTES`], the DF snapshot in chunks of 1,000 counters.
//!
//! # Durability per article, commits in batches
//!
//! A redb commit that is durable on return rewrites (copy-on-write) every B-tree page the
//! article touched and syncs the file. Instead, each article is first appended to a
//! write-ahead log next to the index (`<index>.wal`: length, checksum, a little-endian binary
//! record), then *staged* in memory, where lookups see it at once. The append is an OS write
//! only; [`LogSync::sync`] (one `fdatasync`, called by the plugin's `flush` once per batch of
//! articles, before the host commits their results) makes every article appended so far
//! durable. Every [`CHECKPOINT`] articles (and when the index is dropped) one durable commit
//! writes the staged articles, each table's keys in sorted order, and the log is emptied. On
//! open, log records the index does not yet hold (by sequence number) are staged again and
//! committed; the log is read up to its first torn or unreadable record (a crash mid-append,
//! or unsynced pages lost), since no article from there on had its result committed by the
//! host.
//!
//! # LSH buckets: a memory table and a few sorted runs
//!
//! 64 bucket keys per article on random keys are the bulk of the index's writes: in a
//! B-tree each lands on a different page. So the buckets of the newest articles (up to
//! [`MEM_DOCS`]) are kept in a hash table in memory, and durably as one row per article in
//! `sigs` (sequential keys). When it is full, the checkpoint writes it out as an immutable
//! run: (bucket, article) pairs sorted and cut into parts by equal bucket ranges, so a
//! lookup is one `get` per run. A part codes each pair as varints (the bucket as the gap
//! from the previous pair's, the article as the gap from the previous one in the same
//! bucket), about 4 bytes a pair instead of 8, with a restart point every [`RESTART`] pairs
//! so a lookup decodes only a few dozen. The new run absorbs the newest runs while
//! they are at most three times its size, which keeps at most about three runs of
//! geometric sizes (each pair is rewritten about seven times up to a million articles, in
//! sequential writes). Runs, `sigs` and the merge change in the checkpoint's single commit.
//!
//! Each run has a membership filter over its bucket keys ([`RunFilter`], about 6 bits a
//! key, kept in memory): a bucket the filter rules out is not looked up in that run, so an
//! article reads a run part only for its few present buckets and ~7% false positives,
//! instead of one per band and run. The filter is built while the run is written and stored
//! in `filter-N` in the same commit, so it always matches its run and a reopen reads it
//! instead of the run. A run without a filter (an index written in format 4, or a filter
//! dropped before a merge whose commit then failed) is simply always read.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use redb::{Database, Durability, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::DedupError;
use crate::filter::RunFilter;
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
    pub buckets: &'a [u32],
    /// Its stored shingle set (see [`crate::minhash::stored_set`]), for verifying later
    /// candidates.
    pub shingles: &'a [u8],
    /// Its frozen story vector (its terms are what the document frequencies count).
    pub vector: &'a [(u64, f32)],
    /// Story vectors are kept for this many most recent articles; the one that falls out
    /// is deleted with this entry.
    pub retain: u64,
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
    /// Stores one article atomically (durable once [`Index::log_sync`]'s handle has synced, or
    /// on return when there is none); returns its number when it was indexed.
    fn record(&mut self, entry: &Entry<'_>) -> Result<Option<DocNo>, DedupError>;
    /// Stores a snapshot of the document-frequency counters covering `docs` articles.
    fn save_df(&mut self, df: &[u32], docs: u64) -> Result<(), DedupError>;
    /// A handle that makes every article recorded so far durable (see [`LogSync`]), or
    /// `None` when `record` is durable on return (or the index lives in memory).
    fn log_sync(&self) -> Result<Option<LogSync>, DedupError>;
    /// Writes everything recorded so far into the store itself with a durable commit (the
    /// way back to durability when a log sync failed).
    fn commit(&mut self) -> Result<(), DedupError>;
}

/// Makes the write-ahead log durable: [`Index::record`] only appends an article to the log
/// (an OS write, no sync), so that one `fdatasync` covers a whole batch of articles. Used
/// without the plugin's lock: it syncs its own handle on the log file, so `process` calls
/// go on appending while it waits on the disk, and everything appended before `sync` began
/// is durable when it returns.
#[derive(Debug)]
pub struct LogSync {
    /// A second handle on the log file (same open file, so same data).
    file: File,
    /// The log's path, for error messages.
    path: PathBuf,
}

impl LogSync {
    /// Syncs the log's data to the disk.
    pub fn sync(&self) -> Result<(), DedupError> {
        self.file.sync_data().map_err(|e| DedupError::Storage {
            path: self.path.clone(),
            source: Box::new(redb::Error::Io(e)),
        })
    }
}

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const ANSWERS: TableDefinition<&[u8; 16], &str> = TableDefinition::new("answers");
const EXACT: TableDefinition<&[u8], u64> = TableDefinition::new("exact");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const SIGS: TableDefinition<u64, &[u8]> = TableDefinition::new("sigs");
const RUNS: TableDefinition<u32, (u64, u32)> = TableDefinition::new("runs");
const VECTORS: TableDefinition<u64, &[u8]> = TableDefinition::new("vectors");
const DF: TableDefinition<u32, &[u8]> = TableDefinition::new("df");
/// Counters per row of the `df` table (row 0 holds the article count): rows of about 4 KB
/// fill whole pages, where one 8 MiB value took a 16 MiB page.
const DF_CHUNK: usize = 1000;

/// Version of the table layout above; bumped on any incompatible change (3: LSH buckets in
/// sorted runs instead of a multimap, binary log records; 4: articles in blocks instead of
/// `docs` and `shingles` rows, varint-coded run parts, the DF snapshot in chunks; 5: a
/// `filter-N` table per run). A format-4 index is opened and marked format 5: its runs have
/// no filter and are always read until they are merged into a new run, which gets one.
pub const FORMAT: u64 = 5;
/// The oldest format opened (and upgraded in place, see [`FORMAT`]).
const OLDEST_FORMAT: u64 = 4;
/// Filter words per row of a `filter-N` table (4,000 bytes: one row fills most of a page).
pub const FILTER_CHUNK: usize = 500;
const NEXT_DOC: &str = "next_doc";
/// Meta key: sequence number of the last write-ahead log record applied.
const APPLIED: &str = "applied_seq";
/// Meta key: articles below this number have their LSH buckets in runs, the rest in `sigs`.
const BANDS_UPTO: &str = "bands_upto";
/// Meta key: the next run number.
const NEXT_RUN: &str = "next_run";
/// Articles staged in memory between durable commits (and log truncations).
pub const CHECKPOINT: u64 = 1024;
/// Indexed articles whose LSH buckets are kept in memory (and in `sigs`) before they are
/// written out as a sorted run (checked at each checkpoint, so up to [`CHECKPOINT`] more
/// can be there). 13 × 1,024: at most 14,336 articles × 64 bands = 917,504 buckets, which
/// is exactly what a hash table of 2²⁰ slots holds (7/8 full), where 16 × 1,024 needed
/// 2²¹ slots (19 MB instead of 9.4 MB).
pub const MEM_DOCS: u64 = 13 * 1024;
/// Bucket entries the memory table is sized for up front (no doubling, and no transient
/// second table while it grows): [`MEM_DOCS`] + [`CHECKPOINT`] articles of 64 bands.
const MEM_ENTRIES: usize = ((MEM_DOCS + CHECKPOINT) * 64) as usize;
/// A run is merged into the new one while it holds at most this many times its entries.
const MERGE_RATIO: u64 = 3;
/// Average encoded bytes per run part: one part fills most of a 4 KiB B-tree page (with
/// room for chance variation), as a page holding small rows appended in order is left half
/// empty when it splits.
const PART_BYTES: u64 = 3300;
/// Pairs between restart points in a part: a lookup binary-searches the restart points and
/// decodes at most about this many pairs.
const RESTART: usize = 32;
/// Articles are stored in blocks of consecutive numbers of at most about this many bytes,
/// so each block fills one 4 KiB B-tree page (one row per article left pages half empty).
const BLOCK_BYTES: usize = 4000;
/// LSH buckets with more articles than this are not read (a text copied or templated that
/// often is found through its exact key or its other buckets).
const MAX_BUCKET: usize = 1000;

/// One indexed article staged in memory until the next durable commit.
#[derive(Debug)]
struct StagedDoc {
    record: DocRecord,
    exact_key: ExactKey,
    shingles: Vec<u8>,
    buckets: Vec<u32>,
    vector: Vec<u8>,
    /// A story vector that falls out of the retained window with this article.
    drop_vector: Option<DocNo>,
}

/// Hashes the integer keys of this module's maps (LSH bucket keys, article numbers, exact
/// keys) with a multiply per word instead of SipHash, which was about 5% of an article's
/// instructions in the bucket and candidate maps. Bucket and exact keys are already hashes
/// and article numbers are consecutive, so a multiply spreads them; the maps' iteration
/// order decides nothing (whatever is written or answered from them is sorted first).
#[derive(Debug, Default, Clone, Copy)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// A hash map over [`IntHasher`].
type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Everything recorded since the last durable commit (the log holds the same, durably).
#[derive(Debug, Default)]
struct Staged {
    answers: HashMap<(String, String), DedupResult>,
    exact: IntMap<ExactKey, DocNo>,
    docs: BTreeMap<DocNo, StagedDoc>,
    records: u64,
}

/// An immutable sorted run of (bucket, article) pairs in the table `run-<id>`, cut into
/// `parts` parts by bucket range ([`part_of`]).
#[derive(Debug, Clone, Copy)]
struct Run {
    id: u32,
    entries: u64,
    parts: u32,
}

impl Run {
    /// The name of the table holding its parts.
    fn table(self) -> String {
        format!("run-{}", self.id)
    }

    /// The name of the table holding its membership filter.
    fn filter_table(self) -> String {
        format!("filter-{}", self.id)
    }
}

fn varint_len(x: u64) -> u64 {
    u64::from((u64::BITS - x.leading_zeros()).div_ceil(7).max(1))
}

/// How many parts a run of `entries` pairs over articles below `articles` is cut into, so
/// that an encoded part averages about [`PART_BYTES`]: a bucket gap of about 2³²/entries
/// and an article number each take a varint, plus the restart points.
fn part_count(entries: u64, articles: u64) -> u32 {
    let gap = (1u64 << 32) / entries.max(1);
    let per_entry = 8 * (varint_len(gap) + varint_len(articles)) + 8 * 8 / RESTART as u64;
    let parts = (entries * per_entry).div_ceil(8 * PART_BYTES);
    u32::try_from(parts.max(1)).unwrap_or(u32::MAX)
}

/// The part holding `bucket` in a run of `parts` parts: equal bucket ranges, in order.
fn part_of(bucket: u32, parts: u32) -> u32 {
    ((u64::from(bucket) * u64::from(parts)) >> 32) as u32
}

/// The LSH buckets: recent articles in a memory table, older ones in a few sorted runs.
#[derive(Debug, Default)]
struct Bands {
    /// Bucket -> index of its newest node in `nodes` (a list per bucket).
    heads: IntMap<u32, u32>,
    /// (article number, index of the next older node or `u32::MAX`).
    nodes: Vec<(u32, u32)>,
    /// Articles below this number are in `runs`.
    upto: u64,
    /// The runs, oldest (largest) first.
    runs: Vec<Run>,
    /// Membership filters of the runs, by run id (a run without one is always read).
    filters: HashMap<u32, RunFilter>,
    next_run: u32,
}

impl Bands {
    fn insert(&mut self, no: u32, buckets: &[u32]) {
        if self.nodes.capacity() == 0 {
            self.heads.reserve(MEM_ENTRIES);
            self.nodes.reserve_exact(MEM_ENTRIES);
        }
        let mut distinct = buckets.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        for bucket in distinct {
            let node = self.nodes.len() as u32;
            let next = self.heads.insert(bucket, node).unwrap_or(u32::MAX);
            self.nodes.push((no, next));
        }
    }

    fn memory_members(&self, bucket: u32, out: &mut Vec<u32>) {
        let mut at = self.heads.get(&bucket).copied().unwrap_or(u32::MAX);
        while let Some(&(no, next)) = self.nodes.get(at as usize) {
            out.push(no);
            at = next;
        }
    }

    /// The memory table's entries, sorted by (bucket, article).
    fn sorted(&self) -> Vec<(u32, u32)> {
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(self.nodes.len());
        for (&bucket, &head) in &self.heads {
            let mut at = head;
            while let Some(&(no, next)) = self.nodes.get(at as usize) {
                entries.push((bucket, no));
                at = next;
            }
        }
        entries.sort_unstable();
        entries
    }

    fn clear_memory(&mut self) {
        self.heads = IntMap::default();
        self.nodes = Vec::new();
    }
}

/// The embedded [`Index`]: one redb database.
pub struct RedbIndex {
    /// The database; every durable commit holds whole articles only.
    db: Database,
    /// Where it lives, for error messages (`(in memory)` without a state folder).
    path: PathBuf,
    /// The write-ahead log (none in memory).
    wal: Option<File>,
    /// Sequence number of the last record staged.
    seq: u64,
    /// The next article number.
    next_doc: u64,
    /// Recorded since the last durable commit.
    staged: Staged,
    /// The LSH buckets.
    bands: Bands,
    /// Articles whose buckets stay in memory before a run is written ([`MEM_DOCS`]).
    mem_docs: u64,
}

impl std::fmt::Debug for RedbIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbIndex").field("path", &self.path).finish_non_exhaustive()
    }
}

impl RedbIndex {
    /// Opens (or creates) the index file at `path`, refusing one built with other settings;
    /// `cache_bytes` bounds redb's page cache (the hot B-tree levels and recent pages).
    pub fn open(path: &Path, settings: Settings, cache_bytes: usize) -> Result<Self, DedupError> {
        let db = Database::builder()
            .set_cache_size(cache_bytes)
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

    /// Stages the log records the database does not hold yet, then checkpoints.
    fn replay(&mut self) -> Result<(), DedupError> {
        let Some(wal) = self.wal.as_mut() else { return Ok(()) };
        let mut bytes = Vec::new();
        let mut reader = &*wal;
        reader.read_to_end(&mut bytes).map_err(|e| self.wal_error(e))?;
        let mut at = 0;
        while let Some(header) = bytes.get(at..at + 8) {
            let len = u32::from_le_bytes(header[..4].try_into().unwrap_or_default()) as usize;
            let Some(body) = bytes.get(at + 8..at + 8 + len) else { break };
            if blake3::hash(body).as_bytes()[..4] != header[4..8] {
                break; // torn final record: its article was never answered
            }
            let Some(record) = wal::decode(body) else { break };
            at += 8 + len;
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
            self.stage(&entry, record.seq)?;
        }
        self.checkpoint()
    }

    /// An index that lives in memory only and is lost when the plugin is destroyed.
    pub fn in_memory(settings: Settings) -> Result<Self, DedupError> {
        let path = PathBuf::from("(in memory)");
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| DedupError::Open { path: path.clone(), source: Box::new(e) })?;
        Self::init(db, path, settings)
    }

    /// Creates the tables, records (or checks) the signature settings and loads the
    /// in-memory part of the LSH buckets.
    fn init(db: Database, path: PathBuf, settings: Settings) -> Result<Self, DedupError> {
        let mut index = Self {
            db,
            path,
            wal: None,
            seq: 0,
            next_doc: 0,
            staged: Staged::default(),
            bands: Bands::default(),
            mem_docs: MEM_DOCS,
        };
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
                    Some(stored) if key == "format" && (OLDEST_FORMAT..FORMAT).contains(&stored) => {
                        // Same tables without run filters: readable as is (see `FORMAT`).
                        meta.insert(key, configured).map_err(|e| index.storage(e))?;
                    }
                    Some(stored) if stored != configured && key == "format" => {
                        return Err(DedupError::Format {
                            path: index.path.clone(),
                            found: stored,
                            expected: configured,
                        });
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
            txn.open_table(BLOCKS).map_err(|e| index.storage(e))?;
            txn.open_table(VECTORS).map_err(|e| index.storage(e))?;
            txn.open_table(DF).map_err(|e| index.storage(e))?;
            let mut stored = [0u64; 4];
            for (value, key) in stored.iter_mut().zip([APPLIED, NEXT_DOC, BANDS_UPTO, NEXT_RUN]) {
                *value = meta.get(key).map_err(|e| index.storage(e))?.map_or(0, |v| v.value());
            }
            let [seq, next_doc, upto, next_run] = stored;
            index.seq = seq;
            index.next_doc = next_doc;
            index.bands.upto = upto;
            index.bands.next_run = u32::try_from(next_run).unwrap_or(u32::MAX);
            let runs = txn.open_table(RUNS).map_err(|e| index.storage(e))?;
            for row in runs.iter().map_err(|e| index.storage(e))? {
                let (id, value) = row.map_err(|e| index.storage(e))?;
                let (entries, parts) = value.value();
                index.bands.runs.push(Run { id: id.value(), entries, parts });
            }
            let sigs = txn.open_table(SIGS).map_err(|e| index.storage(e))?;
            for row in sigs.iter().map_err(|e| index.storage(e))? {
                let (no, bytes) = row.map_err(|e| index.storage(e))?;
                let buckets: Vec<u32> = bytes
                    .value()
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default()))
                    .collect();
                index.bands.insert(small(no.value()), &buckets);
            }
        }
        txn.commit().map_err(|e| index.storage(e))?;
        index.load_filters()?;
        Ok(index)
    }

    fn storage(&self, error: impl Into<redb::Error>) -> DedupError {
        DedupError::Storage { path: self.path.clone(), source: Box::new(error.into()) }
    }

    fn corrupt(&self, what: impl std::fmt::Display) -> DedupError {
        DedupError::Corrupt { path: self.path.clone(), what: what.to_string() }
    }

    /// Article `no`'s record and stored shingle set from `blocks` (`None` when the index
    /// holds no such article).
    fn read_article(
        &self,
        blocks: &impl ReadableTable<u64, &'static [u8]>,
        no: DocNo,
    ) -> Result<Option<(DocRecord, Vec<u8>)>, DedupError> {
        let mut rows = blocks.range(..=no).map_err(|e| self.storage(e))?;
        let Some(row) = rows.next_back() else { return Ok(None) };
        let (first, block) = row.map_err(|e| self.storage(e))?;
        let Ok(skip) = usize::try_from(no - first.value()) else { return Ok(None) };
        let Some(bytes) = block_article(block.value(), skip) else { return Ok(None) };
        let (record, shingles) =
            decode_article(bytes).ok_or_else(|| self.corrupt(format_args!("blocks: article {no}")))?;
        Ok(Some((record, shingles.to_vec())))
    }

    /// Stages one entry in memory as record `seq` (already in the log, if there is one).
    fn stage(&mut self, entry: &Entry<'_>, seq: u64) -> Result<Option<DocNo>, DedupError> {
        let mut number = None;
        if let Some(indexed) = &entry.indexed {
            let no = self.next_doc;
            let short = u32::try_from(no).map_err(|_| self.corrupt("more than 2^32 indexed articles"))?;
            self.bands.insert(short, indexed.buckets);
            self.staged.exact.insert(*indexed.exact_key, no);
            let doc = StagedDoc {
                record: DocRecord {
                    id: entry.id.to_owned(),
                    source: entry.source.to_owned(),
                    story: indexed.story.to_owned(),
                },
                exact_key: *indexed.exact_key,
                shingles: indexed.shingles.to_vec(),
                buckets: indexed.buckets.to_vec(),
                vector: pack_vector(indexed.vector),
                drop_vector: no.checked_sub(indexed.retain.max(1)),
            };
            self.staged.docs.insert(no, doc);
            self.next_doc = no + 1;
            number = Some(no);
        }
        self.staged.answers.insert((entry.id.to_owned(), entry.source.to_owned()), entry.answer.clone());
        self.staged.records += 1;
        self.seq = seq;
        Ok(number)
    }

    /// Writes everything staged to the database in one durable commit (writing the LSH
    /// memory table out as a run when it is full), then empties the log.
    fn checkpoint(&mut self) -> Result<(), DedupError> {
        self.checkpoint_with(None)
    }

    /// [`RedbIndex::checkpoint`], also writing a document-frequency snapshot when given
    /// (counters and the article count they cover), in the same commit as those articles.
    fn checkpoint_with(&mut self, df: Option<(&[u32], u64)>) -> Result<(), DedupError> {
        let flush = self.next_doc - self.bands.upto >= self.mem_docs;
        if self.staged.records == 0 && df.is_none() && !flush {
            return Ok(());
        }
        let mut txn = self.db.begin_write().map_err(|e| self.storage(e))?;
        txn.set_durability(Durability::Immediate);
        let mut runs = None;
        {
            let mut meta = txn.open_table(META).map_err(|e| self.storage(e))?;
            meta.insert(APPLIED, self.seq).map_err(|e| self.storage(e))?;
            meta.insert(NEXT_DOC, self.next_doc).map_err(|e| self.storage(e))?;
            let mut answers: Vec<_> =
                self.staged.answers.iter().map(|((id, source), a)| (answer_key(id, source), a)).collect();
            answers.sort_unstable_by_key(|a| a.0);
            let mut table = txn.open_table(ANSWERS).map_err(|e| self.storage(e))?;
            for (key, answer) in answers {
                let json = serde_json::to_string(answer)
                    .map_err(|e| self.corrupt(format_args!("cannot encode answer: {e}")))?;
                table.insert(&key, json.as_str()).map_err(|e| self.storage(e))?;
            }
            let mut exact: Vec<_> = self.staged.docs.iter().map(|(&no, d)| (d.exact_key, no)).collect();
            exact.sort_unstable();
            let mut table = txn.open_table(EXACT).map_err(|e| self.storage(e))?;
            for (key, no) in exact {
                table.insert(key.as_slice(), no).map_err(|e| self.storage(e))?;
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(|e| self.storage(e))?;
            let mut block: Vec<u8> = Vec::with_capacity(2 * BLOCK_BYTES);
            let mut first = None;
            let mut article = Vec::new();
            for (&no, doc) in &self.staged.docs {
                article.clear();
                encode_article(&doc.record, &doc.shingles, &mut article);
                if let Some(at) = first.filter(|_| block.len() + article.len() + 5 > BLOCK_BYTES) {
                    blocks.insert(at, block.as_slice()).map_err(|e| self.storage(e))?;
                    block.clear();
                    first = None;
                }
                first.get_or_insert(no);
                put_varint(&mut block, article.len() as u64);
                block.extend_from_slice(&article);
            }
            if let Some(at) = first {
                blocks.insert(at, block.as_slice()).map_err(|e| self.storage(e))?;
            }
            let mut sigs = txn.open_table(SIGS).map_err(|e| self.storage(e))?;
            let mut vectors = txn.open_table(VECTORS).map_err(|e| self.storage(e))?;
            for (&no, doc) in &self.staged.docs {
                if !flush {
                    let packed: Vec<u8> = doc.buckets.iter().flat_map(|b| b.to_le_bytes()).collect();
                    sigs.insert(no, packed.as_slice()).map_err(|e| self.storage(e))?;
                }
                vectors.insert(no, doc.vector.as_slice()).map_err(|e| self.storage(e))?;
                if let Some(old) = doc.drop_vector {
                    vectors.remove(old).map_err(|e| self.storage(e))?;
                }
            }
            if let Some((counters, docs)) = df {
                let mut table = txn.open_table(DF).map_err(|e| self.storage(e))?;
                table.insert(0, docs.to_le_bytes().as_slice()).map_err(|e| self.storage(e))?;
                let mut bytes = Vec::with_capacity(4 * DF_CHUNK);
                for (n, chunk) in (1..).zip(counters.chunks(DF_CHUNK)) {
                    bytes.clear();
                    bytes.extend(chunk.iter().flat_map(|c| c.to_le_bytes()));
                    table.insert(n, bytes.as_slice()).map_err(|e| self.storage(e))?;
                }
            }
            if flush {
                // The filters of the runs about to be merged are freed before the new run's
                // is built, so the two are never in memory together (if the commit fails,
                // those runs are just read without a filter).
                for run in self.merged_runs() {
                    self.bands.filters.remove(&run.id);
                }
                let mut table = txn.open_table(RUNS).map_err(|e| self.storage(e))?;
                let (new, filter) = self.write_run(&txn, &mut table)?;
                meta.insert(BANDS_UPTO, self.next_doc).map_err(|e| self.storage(e))?;
                meta.insert(NEXT_RUN, u64::from(self.bands.next_run) + 1).map_err(|e| self.storage(e))?;
                runs = Some((new, filter));
            }
        }
        if flush {
            // Every row of `sigs` is in the new run now (deleting the table frees its pages
            // at once; deleting its rows one by one churns many more).
            txn.delete_table(SIGS).map_err(|e| self.storage(e))?;
            txn.open_table(SIGS).map_err(|e| self.storage(e))?;
        }
        txn.commit().map_err(|e| self.storage(e))?;
        if let Some((runs, filter)) = runs {
            if let Some(new) = runs.last() {
                self.bands.filters.insert(new.id, filter);
            }
            self.bands.runs = runs;
            self.bands.upto = self.next_doc;
            self.bands.next_run += 1;
            self.bands.clear_memory();
        }
        self.staged = Staged::default();
        // Were the log not emptied, a restart would skip its records (already applied).
        if let Some(wal) = &self.wal {
            wal.set_len(0).map_err(|e| self.wal_error(e))?;
            wal.sync_data().map_err(|e| self.wal_error(e))?;
        }
        Ok(())
    }

    /// Writes the memory table as a new run, merged with the newest runs while they are at
    /// most [`MERGE_RATIO`] times its size (so a few runs of geometric sizes remain), and
    /// returns the runs that will exist after the commit.
    fn write_run(
        &self,
        txn: &redb::WriteTransaction,
        runs_table: &mut redb::Table<'_, u32, (u64, u32)>,
    ) -> Result<(Vec<Run>, RunFilter), DedupError> {
        let memory = self.bands.sorted();
        let merged = self.merged_runs();
        let mut runs = self.bands.runs.clone();
        runs.truncate(runs.len() - merged.len());
        let entries = memory.len() as u64 + merged.iter().map(|r| r.entries).sum::<u64>();
        let mut filter = RunFilter::with_keys(entries);
        let new = Run { id: self.bands.next_run, entries, parts: part_count(entries, self.next_doc) };
        // Merged runs are read from the last commit (they are immutable once written).
        let read = self.db.begin_read().map_err(|e| self.storage(e))?;
        let mut sources: Vec<PairSource<'_>> = vec![Box::new(memory.into_iter().map(Ok))];
        for run in &merged {
            let name = run.table();
            let old =
                read.open_table(TableDefinition::<u32, &[u8]>::new(&name)).map_err(|e| self.storage(e))?;
            let range = old.range::<u32>(..).map_err(|e| self.storage(e))?;
            let path = self.path.clone();
            let iter = range.flat_map(move |row| {
                let decoded: Vec<Result<(u32, u32), DedupError>> = match row {
                    Ok((_, bytes)) => decode_pairs(bytes.value()).map(Ok).collect(),
                    Err(e) => {
                        vec![Err(DedupError::Storage { path: path.clone(), source: Box::new(e.into()) })]
                    }
                };
                decoded
            });
            sources.push(Box::new(iter));
        }
        let mut heads: Vec<Option<(u32, u32)>> = Vec::with_capacity(sources.len());
        for source in &mut sources {
            heads.push(source.next().transpose()?);
        }
        let name = new.table();
        let mut parts =
            txn.open_table(TableDefinition::<u32, &[u8]>::new(&name)).map_err(|e| self.storage(e))?;
        let mut builder = PartBuilder::default();
        let mut buffer: Vec<u8> = Vec::with_capacity(2 * PART_BYTES as usize);
        let mut current = None;
        while let Some((at, &Some(pair))) =
            heads.iter().enumerate().filter(|(_, h)| h.is_some()).min_by_key(|(_, h)| **h)
        {
            heads[at] = sources[at].next().transpose()?;
            let part = part_of(pair.0, new.parts);
            if let Some(c) = current.filter(|&c| c != part) {
                builder.finish(&mut buffer);
                parts.insert(c, buffer.as_slice()).map_err(|e| self.storage(e))?;
            }
            current = Some(part);
            builder.push(pair);
            filter.insert(pair.0);
        }
        if let Some(c) = current {
            builder.finish(&mut buffer);
            parts.insert(c, buffer.as_slice()).map_err(|e| self.storage(e))?;
        }
        drop(sources);
        drop(read);
        let name = new.filter_table();
        let mut stored =
            txn.open_table(TableDefinition::<u32, &[u8]>::new(&name)).map_err(|e| self.storage(e))?;
        for (n, chunk) in (0..).zip(filter.chunks(FILTER_CHUNK)) {
            stored.insert(n, chunk.as_slice()).map_err(|e| self.storage(e))?;
        }
        for run in &merged {
            for name in [run.table(), run.filter_table()] {
                // A run from a format-4 index has no filter table: nothing to delete.
                txn.delete_table(TableDefinition::<u32, &[u8]>::new(&name)).map_err(|e| self.storage(e))?;
            }
            runs_table.remove(run.id).map_err(|e| self.storage(e))?;
        }
        runs_table.insert(new.id, (new.entries, new.parts)).map_err(|e| self.storage(e))?;
        runs.push(new);
        Ok((runs, filter))
    }

    /// The newest runs the next run absorbs (newest first): while a run holds at most
    /// [`MERGE_RATIO`] times the entries gathered so far (the memory table's, then theirs).
    fn merged_runs(&self) -> Vec<Run> {
        let mut entries = self.bands.nodes.len() as u64;
        let mut merged = Vec::new();
        for &run in self.bands.runs.iter().rev() {
            if run.entries > entries * MERGE_RATIO {
                break;
            }
            entries += run.entries;
            merged.push(run);
        }
        merged
    }

    /// Reads the stored membership filters of the runs (a run without a `filter-N` table,
    /// from a format-4 index, gets none and is always read).
    fn load_filters(&mut self) -> Result<(), DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        for run in self.bands.runs.clone() {
            let name = run.filter_table();
            let table = match txn.open_table(TableDefinition::<u32, &[u8]>::new(&name)) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => continue,
                Err(e) => return Err(self.storage(e)),
            };
            let expected = RunFilter::words_for(run.entries);
            let mut words = Vec::with_capacity(expected);
            for row in table.iter().map_err(|e| self.storage(e))? {
                let (_, chunk) = row.map_err(|e| self.storage(e))?;
                let chunk = chunk.value();
                if chunk.len() % 8 != 0 {
                    return Err(self.corrupt(format_args!("{name}: a row of {} bytes", chunk.len())));
                }
                words.extend(
                    chunk.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())),
                );
            }
            let found = words.len();
            let filter = RunFilter::from_words(words, expected)
                .ok_or_else(|| self.corrupt(format_args!("{name}: {found} words, expected {expected}")))?;
            self.bands.filters.insert(run.id, filter);
        }
        Ok(())
    }
}

/// A sorted stream of (bucket, article) pairs merged into a new run.
type PairSource<'a> = Box<dyn Iterator<Item = Result<(u32, u32), DedupError>> + 'a>;

/// An article number as stored in the LSH buckets (checked when it was staged).
fn small(no: DocNo) -> u32 {
    u32::try_from(no).unwrap_or(u32::MAX)
}

/// The `answers` key of a delivery: the first 16 bytes of the BLAKE3 hash of its id's length,
/// id and source name (a quarter of the bytes of the pair itself; a collision needs about
/// 2⁶⁴ deliveries).
fn answer_key(id: &str, source: &str) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&(id.len() as u64).to_le_bytes());
    hasher.update(id.as_bytes());
    hasher.update(source.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    key
}

/// Appends `x` as a LEB128 varint (7 bits a byte, low bits first).
fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Reads a LEB128 varint at `*at`, advancing it; `None` when truncated or too long.
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        x |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(x);
        }
    }
    None
}

/// Appends one (bucket, article) pair to a run part being encoded in sorted order: the
/// bucket as a varint gap from the previous pair's (absolute for the first), the article as
/// a varint gap from the previous one in the same bucket (absolute in a new bucket). Parts
/// of a large run cover a narrow bucket range, so a pair takes about 4 bytes instead of 8.
fn encode_pair(out: &mut Vec<u8>, prev: &mut Option<(u32, u32)>, (bucket, no): (u32, u32)) {
    match *prev {
        Some((b, n)) if b == bucket => {
            out.push(0);
            put_varint(out, u64::from(no - n));
        }
        Some((b, _)) => {
            put_varint(out, u64::from(bucket - b));
            put_varint(out, u64::from(no));
        }
        None => {
            put_varint(out, u64::from(bucket));
            put_varint(out, u64::from(no));
        }
    }
    *prev = Some((bucket, no));
}

/// Builds one encoded run part: a u32 count of restart points, then per restart point the
/// bucket of its first pair and the byte offset where it starts (u32 each), then the pairs
/// ([`encode_pair`], coded afresh at every restart point).
#[derive(Debug, Default)]
struct PartBuilder {
    data: Vec<u8>,
    restarts: Vec<(u32, u32)>,
    prev: Option<(u32, u32)>,
    count: usize,
}

impl PartBuilder {
    fn push(&mut self, pair: (u32, u32)) {
        if self.count.is_multiple_of(RESTART) {
            self.restarts.push((pair.0, self.data.len() as u32));
            self.prev = None;
        }
        encode_pair(&mut self.data, &mut self.prev, pair);
        self.count += 1;
    }

    /// Writes the part into `out` (replacing its contents) and starts a new one.
    fn finish(&mut self, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&(self.restarts.len() as u32).to_le_bytes());
        for (bucket, offset) in &self.restarts {
            out.extend_from_slice(&bucket.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&self.data);
        *self = Self { data: std::mem::take(&mut self.data), ..Self::default() };
        self.data.clear();
    }
}

/// The pairs of an encoded run part from one restart point on, in order (stopping at a
/// malformed byte).
struct PartPairs<'a> {
    /// The restart table: (first bucket, offset) as u32 pairs.
    restarts: &'a [u8],
    data: &'a [u8],
    at: usize,
    /// The next restart point to reach.
    next: usize,
    prev: Option<(u32, u32)>,
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> PartPairs<'a> {
    /// The part's pairs from its `restart`-th restart point on.
    fn new(bytes: &'a [u8], restart: usize) -> Self {
        let empty = Self { restarts: &[], data: &[], at: 0, next: 0, prev: None };
        let Some(n) = read_u32(bytes, 0) else { return empty };
        let Some((restarts, data)) = bytes.get(4..).and_then(|rest| rest.split_at_checked(8 * n as usize))
        else {
            return empty;
        };
        let mut pairs = Self { restarts, data, at: 0, next: restart, prev: None };
        pairs.at = pairs.offset(restart).unwrap_or(data.len());
        pairs
    }

    fn restarts(&self) -> usize {
        self.restarts.len() / 8
    }

    fn bucket(&self, restart: usize) -> Option<u32> {
        read_u32(self.restarts, 8 * restart)
    }

    fn offset(&self, restart: usize) -> Option<usize> {
        read_u32(self.restarts, 8 * restart + 4).map(|o| o as usize)
    }
}

impl Iterator for PartPairs<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        if self.offset(self.next) == Some(self.at) {
            self.prev = None;
            self.next += 1;
        }
        let gap = u32::try_from(get_varint(self.data, &mut self.at)?).ok()?;
        let value = u32::try_from(get_varint(self.data, &mut self.at)?).ok()?;
        let pair = match self.prev {
            Some((b, n)) if gap == 0 => (b, n.checked_add(value)?),
            Some((b, _)) => (b.checked_add(gap)?, value),
            None => (gap, value),
        };
        self.prev = Some(pair);
        Some(pair)
    }
}

/// Every pair of an encoded run part, in order.
fn decode_pairs(bytes: &[u8]) -> PartPairs<'_> {
    PartPairs::new(bytes, 0)
}

/// The articles in an encoded run part under `bucket`: decoding starts at the last restart
/// point before the bucket's first possible pair.
fn part_members(bytes: &[u8], bucket: u32, out: &mut Vec<u32>) {
    let all = PartPairs::new(bytes, 0);
    let (mut lo, mut hi) = (0, all.restarts());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if all.bucket(mid).is_some_and(|b| b < bucket) { lo = mid + 1 } else { hi = mid }
    }
    for (b, no) in PartPairs::new(bytes, lo.saturating_sub(1)) {
        if b > bucket {
            break;
        }
        if b == bucket {
            out.push(no);
        }
    }
}

/// Appends one article's stored form: id, source name and story (each a varint length
/// and UTF-8), then its stored shingle set (the rest).
fn encode_article(record: &DocRecord, shingles: &[u8], out: &mut Vec<u8>) {
    for field in [&record.id, &record.source, &record.story] {
        put_varint(out, field.len() as u64);
        out.extend_from_slice(field.as_bytes());
    }
    out.extend_from_slice(shingles);
}

/// The record and stored shingle set of an article's stored form; `None` when malformed.
fn decode_article(bytes: &[u8]) -> Option<(DocRecord, &[u8])> {
    let mut at = 0;
    let mut field = || -> Option<String> {
        let len = usize::try_from(get_varint(bytes, &mut at)?).ok()?;
        let text = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?).ok()?;
        at += len;
        Some(text.to_owned())
    };
    let (id, source, story) = (field()?, field()?, field()?);
    Some((DocRecord { id, source, story }, bytes.get(at..)?))
}

/// The stored form of the `index`-th article of a block (articles with consecutive numbers,
/// each a varint length and its bytes); `None` past the block's end.
fn block_article(block: &[u8], index: usize) -> Option<&[u8]> {
    let mut at = 0;
    for _ in 0..index {
        let len = usize::try_from(get_varint(block, &mut at)?).ok()?;
        at = at.checked_add(len)?;
    }
    let len = usize::try_from(get_varint(block, &mut at)?).ok()?;
    block.get(at..at.checked_add(len)?)
}

/// The log file next to the index: `<index>.wal`.
fn wal_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".wal");
    PathBuf::from(name)
}

/// Packs a story vector as (u64 term, f32 weight) little-endian pairs.
fn pack_vector(vector: &[(u64, f32)]) -> Vec<u8> {
    // Written 12 bytes at a time (a byte-wise iterator chain here cost as much as the rest
    // of staging an article).
    let mut out = Vec::with_capacity(12 * vector.len());
    for (term, weight) in vector {
        out.extend_from_slice(&term.to_le_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    out
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

/// The write-ahead log's record format: little-endian binary, strings and lists prefixed
/// by their u32 length; the answer is its JSON.
mod wal {
    use super::{Entry, ExactKey};
    use crate::result::DedupResult;

    /// A record read back: its sequence number and its entry.
    pub(super) struct Record {
        pub(super) seq: u64,
        pub(super) entry: OwnedEntry,
    }

    pub(super) struct OwnedEntry {
        pub(super) id: String,
        pub(super) source: String,
        pub(super) answer: DedupResult,
        pub(super) indexed: Option<OwnedIndexed>,
    }

    pub(super) struct OwnedIndexed {
        pub(super) exact_key: ExactKey,
        pub(super) story: String,
        pub(super) buckets: Vec<u32>,
        pub(super) shingles: Vec<u8>,
        pub(super) vector: Vec<(u64, f32)>,
        pub(super) retain: u64,
    }

    fn bytes(out: &mut Vec<u8>, b: &[u8]) {
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        out.extend_from_slice(b);
    }

    pub(super) fn encode(seq: u64, entry: &Entry<'_>, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.extend_from_slice(&seq.to_le_bytes());
        bytes(out, entry.id.as_bytes());
        bytes(out, entry.source.as_bytes());
        bytes(out, &serde_json::to_vec(entry.answer)?);
        match &entry.indexed {
            None => out.push(0),
            Some(i) => {
                out.push(1);
                out.extend_from_slice(i.exact_key);
                bytes(out, i.story.as_bytes());
                out.extend_from_slice(&(i.buckets.len() as u32).to_le_bytes());
                for b in i.buckets {
                    out.extend_from_slice(&b.to_le_bytes());
                }
                bytes(out, i.shingles);
                bytes(out, &super::pack_vector(i.vector));
                out.extend_from_slice(&i.retain.to_le_bytes());
            }
        }
        Ok(())
    }

    struct Reader<'a>(&'a [u8]);

    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
            self.0 = rest;
            Some(head)
        }
        fn u32(&mut self) -> Option<u32> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
        }
        fn u64(&mut self) -> Option<u64> {
            Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
        }
        fn bytes(&mut self) -> Option<&'a [u8]> {
            let n = self.u32()? as usize;
            self.take(n)
        }
        fn string(&mut self) -> Option<String> {
            String::from_utf8(self.bytes()?.to_vec()).ok()
        }
    }

    /// `None` when the record does not decode (treated like a torn record).
    pub(super) fn decode(body: &[u8]) -> Option<Record> {
        let mut r = Reader(body);
        let seq = r.u64()?;
        let id = r.string()?;
        let source = r.string()?;
        let answer = serde_json::from_slice(r.bytes()?).ok()?;
        let indexed = match r.take(1)?[0] {
            0 => None,
            1 => {
                let exact_key = r.take(32)?.try_into().ok()?;
                let story = r.string()?;
                let n = r.u32()? as usize;
                let buckets = (0..n).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?;
                let shingles = r.bytes()?.to_vec();
                let vector = super::unpack_vector(r.bytes()?)?;
                let retain = r.u64()?;
                Some(OwnedIndexed { exact_key, story, buckets, shingles, vector, retain })
            }
            _ => return None,
        };
        r.0.is_empty().then_some(Record { seq, entry: OwnedEntry { id, source, answer, indexed } })
    }
}

impl Index for RedbIndex {
    fn answer(&self, id: &str, source: &str) -> Result<Option<DedupResult>, DedupError> {
        if let Some(answer) = self.staged.answers.get(&(id.to_owned(), source.to_owned())) {
            return Ok(Some(answer.clone()));
        }
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let table = txn.open_table(ANSWERS).map_err(|e| self.storage(e))?;
        let Some(json) = table.get(&answer_key(id, source)).map_err(|e| self.storage(e))? else {
            return Ok(None);
        };
        serde_json::from_str(json.value())
            .map(Some)
            .map_err(|e| self.corrupt(format_args!("answers[{id}, {source}]: {e}")))
    }

    fn exact(&self, key: &ExactKey) -> Result<Option<DocRecord>, DedupError> {
        if let Some(doc) = self.staged.exact.get(key).and_then(|no| self.staged.docs.get(no)) {
            return Ok(Some(doc.record.clone()));
        }
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let exact = txn.open_table(EXACT).map_err(|e| self.storage(e))?;
        let Some(no) = exact.get(key.as_slice()).map_err(|e| self.storage(e))? else {
            return Ok(None);
        };
        let no = no.value();
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.storage(e))?;
        let (record, _) = self
            .read_article(&blocks, no)?
            .ok_or_else(|| self.corrupt(format_args!("exact key points at missing article {no}")))?;
        Ok(Some(record))
    }

    fn candidates(&self, buckets: &[u32]) -> Result<Vec<(DocNo, usize)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let mut runs = Vec::with_capacity(self.bands.runs.len());
        for run in &self.bands.runs {
            let name = run.table();
            let table =
                txn.open_table(TableDefinition::<u32, &[u8]>::new(&name)).map_err(|e| self.storage(e))?;
            runs.push((run.parts, self.bands.filters.get(&run.id), table));
        }
        let mut shared: IntMap<DocNo, usize> = IntMap::default();
        let mut members = Vec::new();
        for &bucket in buckets {
            members.clear();
            self.bands.memory_members(bucket, &mut members);
            for (parts, filter, table) in &runs {
                if filter.is_some_and(|f| !f.may_contain(bucket)) {
                    continue;
                }
                if let Some(bytes) = table.get(part_of(bucket, *parts)).map_err(|e| self.storage(e))? {
                    part_members(bytes.value(), bucket, &mut members);
                }
                if members.len() > MAX_BUCKET {
                    break;
                }
            }
            if members.len() > MAX_BUCKET {
                continue;
            }
            for &no in &members {
                *shared.entry(u64::from(no)).or_default() += 1;
            }
        }
        Ok(shared.into_iter().collect())
    }

    fn documents(&self, nos: &[DocNo]) -> Result<Vec<(DocNo, DocRecord, Vec<u8>)>, DedupError> {
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.storage(e))?;
        let mut found = Vec::with_capacity(nos.len());
        for &no in nos {
            if let Some(doc) = self.staged.docs.get(&no) {
                found.push((no, doc.record.clone(), doc.shingles.clone()));
                continue;
            }
            if let Some((record, set)) = self.read_article(&blocks, no)? {
                found.push((no, record, set));
            }
        }
        Ok(found)
    }

    fn story_state(&self, window: usize) -> Result<StoryState, DedupError> {
        if self.staged.records > 0 {
            return Err(self.corrupt("story state read with uncommitted articles"));
        }
        let txn = self.db.begin_read().map_err(|e| self.storage(e))?;
        let mut state = StoryState::default();
        let df = txn.open_table(DF).map_err(|e| self.storage(e))?;
        let mut snapshot_docs = 0;
        for row in df.iter().map_err(|e| self.storage(e))? {
            let (n, bytes) = row.map_err(|e| self.storage(e))?;
            let bytes = bytes.value();
            if n.value() == 0 {
                let head = bytes.try_into().map_err(|_| self.corrupt("df[0]: not 8 bytes"))?;
                snapshot_docs = u64::from_le_bytes(head);
            } else {
                state.df.extend(
                    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())),
                );
            }
        }
        state.docs = snapshot_docs;
        let blocks = txn.open_table(BLOCKS).map_err(|e| self.storage(e))?;
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
            let (record, _) = self
                .read_article(&blocks, no)?
                .ok_or_else(|| self.corrupt(format_args!("vectors[{no}] without article {no}")))?;
            let story = record.story;
            state.recent.push(StoryDoc { no, story, vector });
        }
        state.recent.reverse();
        Ok(state)
    }

    fn record(&mut self, entry: &Entry<'_>) -> Result<Option<DocNo>, DedupError> {
        let seq = self.seq + 1;
        if let Some(wal) = self.wal.as_mut() {
            let mut framed = vec![0u8; 8];
            wal::encode(seq, entry, &mut framed).map_err(|e| DedupError::Corrupt {
                path: self.path.clone(),
                what: format!("cannot encode entry: {e}"),
            })?;
            let len = (framed.len() - 8) as u32;
            let sum = blake3::hash(&framed[8..]);
            framed[..4].copy_from_slice(&len.to_le_bytes());
            framed[4..8].copy_from_slice(&sum.as_bytes()[..4]);
            // Written to the OS only: `LogSync::sync` (the plugin's `flush`) makes it durable.
            if let Err(e) = wal.write_all(&framed) {
                return Err(self.wal_error(e));
            }
        }
        let number = self.stage(entry, seq)?;
        if self.staged.records >= CHECKPOINT {
            self.checkpoint()?;
        }
        Ok(number)
    }

    fn log_sync(&self) -> Result<Option<LogSync>, DedupError> {
        let Some(wal) = &self.wal else { return Ok(None) };
        let file = wal.try_clone().map_err(|e| self.wal_error(e))?;
        Ok(Some(LogSync { file, path: wal_path(&self.path) }))
    }

    fn commit(&mut self) -> Result<(), DedupError> {
        self.checkpoint()
    }

    fn save_df(&mut self, df: &[u32], docs: u64) -> Result<(), DedupError> {
        // Committed with every article it counts.
        self.checkpoint_with(Some((df, docs)))
    }
}

impl Drop for RedbIndex {
    fn drop(&mut self) {
        // A clean stop leaves an empty log; if this fails the log still holds the records.
        let _ = self.checkpoint();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Page cache of the test indexes.
    const TEST_CACHE: usize = 4 << 20;

    #[test]
    fn packing_round_trips() {
        let v = [(3u64, 0.25f32), (9, -1.5)];
        assert_eq!(unpack_vector(&pack_vector(&v)).unwrap(), v);
    }

    #[test]
    fn parts_split_the_bucket_space_in_order() {
        assert_eq!(part_count(0, 0), 1);
        assert_eq!(part_count(100, 100), 1);
        // A million articles: 64M pairs of about 4.25 bytes in parts of about 3,300 bytes.
        let parts = part_count(64 << 20, 1 << 20);
        assert!((80_000..90_000).contains(&parts), "{parts}");
        assert_eq!(part_of(u32::MAX, 1), 0);
        assert_eq!(part_of(u32::MAX, 8), 7);
        assert_eq!(part_of(1 << 31, 8), 4);
        let pairs = [(1u32, 5u32), (3, 1), (3, 9), (7, 2), (u32::MAX, u32::MAX)];
        let mut builder = PartBuilder::default();
        let mut bytes = Vec::new();
        for pair in pairs {
            builder.push(pair);
        }
        builder.finish(&mut bytes);
        assert_eq!(decode_pairs(&bytes).collect::<Vec<_>>(), pairs);
        // Across restart points: 100 pairs, a bucket's members spanning two restarts.
        let many: Vec<(u32, u32)> = (0..100u32).map(|i| (1000 + i / 40 * 7, i)).collect();
        for &pair in &many {
            builder.push(pair);
        }
        let mut big = Vec::new();
        builder.finish(&mut big);
        assert!(big.len() < 4 + 8 * 4 + 3 * many.len(), "{} bytes", big.len());
        assert_eq!(decode_pairs(&big).collect::<Vec<_>>(), many);
        let mut out = Vec::new();
        part_members(&big, 1007, &mut out);
        assert_eq!(out, (40..80).collect::<Vec<u32>>());
        out.clear();
        part_members(&big, 1014, &mut out);
        assert_eq!(out, (80..100).collect::<Vec<u32>>());
        out.clear();
        part_members(&big, 999, &mut out);
        assert!(out.is_empty());
        out.clear();
        part_members(&bytes, 3, &mut out);
        assert_eq!(out, [1, 9]);
        out.clear();
        part_members(&bytes, 4, &mut out);
        assert!(out.is_empty());
    }

    /// Article `i` has a bucket of its own (`i`) and one shared by its group of four.
    fn buckets_of(i: u32) -> [u32; 2] {
        [i, 0x8000_0000 | (i / 4)]
    }

    fn record_articles(index: &mut RedbIndex, range: std::ops::Range<u32>) {
        let answer = DedupResult {
            exact_duplicate_of: None,
            near_duplicates: Vec::new(),
            repeated_paragraphs: Vec::new(),
            story: "s-0".to_owned(),
        };
        for i in range {
            let key = *blake3::hash(&i.to_le_bytes()).as_bytes();
            let id = format!("b3:{i}");
            let buckets = buckets_of(i);
            let indexed = Indexed {
                exact_key: &key,
                story: "s-0",
                buckets: &buckets,
                shingles: &[0],
                vector: &[(u64::from(i), 1.0)],
                retain: 8,
            };
            let entry = Entry { id: &id, source: "x.txt", answer: &answer, indexed: Some(indexed) };
            assert_eq!(index.record(&entry).unwrap(), Some(u64::from(i)));
        }
    }

    fn check_candidates(index: &RedbIndex, upto: u32) {
        for i in (0..upto).step_by(997).chain([upto - 1]) {
            let mut found = index.candidates(&buckets_of(i)).unwrap();
            found.sort_unstable();
            let group = (i / 4 * 4)..(i / 4 * 4 + 4).min(upto);
            let expected: Vec<(DocNo, usize)> =
                group.map(|j| (u64::from(j), if j == i { 2 } else { 1 })).collect();
            assert_eq!(found, expected, "article {i} of {upto}");
        }
    }

    #[test]
    fn lsh_buckets_move_from_memory_to_merged_runs_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.redb");
        let settings = Settings { shingle: 5, permutations: 4, bands: 2 };
        let mut index = RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
        index.mem_docs = 2 * CHECKPOINT; // runs after fewer articles, for a quick test
        let total = (3 * index.mem_docs + 1000) as u32;
        record_articles(&mut index, 0..total / 2);
        check_candidates(&index, total / 2);
        record_articles(&mut index, total / 2..total);
        assert!(!index.bands.runs.is_empty() && index.bands.runs.len() <= 3, "{:?}", index.bands.runs);
        assert!(!index.bands.heads.is_empty(), "the newest articles are in memory");
        check_candidates(&index, total);
        drop(index);
        let index = RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
        check_candidates(&index, total);
        let parts: u64 = index.bands.runs.iter().map(|r| r.entries).sum();
        assert_eq!(parts + index.bands.nodes.len() as u64, 2 * u64::from(total));
        // Every run got its filter back from the file, and only the live runs have one.
        let mut ids: Vec<u32> = index.bands.runs.iter().map(|r| r.id).collect();
        let mut filtered: Vec<u32> = index.bands.filters.keys().copied().collect();
        ids.sort_unstable();
        filtered.sort_unstable();
        assert_eq!(ids, filtered);
        let txn = index.db.begin_read().unwrap();
        let tables: Vec<String> =
            txn.list_tables().unwrap().map(|t| redb::TableHandle::name(&t).to_owned()).collect();
        let stored = tables.iter().filter(|t| t.starts_with("filter-")).count();
        assert_eq!(stored, ids.len(), "{tables:?}");
    }

    #[test]
    fn a_format_4_index_without_run_filters_opens_and_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.redb");
        let settings = Settings { shingle: 5, permutations: 4, bands: 2 };
        let mut index = RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
        index.mem_docs = 2 * CHECKPOINT;
        let total = (2 * index.mem_docs + 1000) as u32;
        record_articles(&mut index, 0..total);
        let runs = index.bands.runs.clone();
        assert!(!runs.is_empty());
        drop(index);
        {
            // What format 4 wrote: the same tables without `filter-N`.
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            for run in &runs {
                let name = run.filter_table();
                assert!(txn.delete_table(TableDefinition::<u32, &[u8]>::new(&name)).unwrap());
            }
            txn.open_table(META).unwrap().insert("format", 4).unwrap();
            txn.commit().unwrap();
        }
        let mut index = RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
        assert!(index.bands.filters.is_empty());
        check_candidates(&index, total);
        // The next merge gives the new run a filter; the answers stay the same.
        index.mem_docs = 2 * CHECKPOINT;
        let more = total + 3 * index.mem_docs as u32;
        record_articles(&mut index, total..more);
        check_candidates(&index, more);
        assert!(!index.bands.filters.is_empty());
        drop(index);
        let index = RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
        check_candidates(&index, more);
        let txn = index.db.begin_read().unwrap();
        assert_eq!(txn.open_table(META).unwrap().get("format").unwrap().unwrap().value(), FORMAT);
    }

    #[test]
    fn an_index_in_an_older_format_is_refused_naming_the_file_and_the_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.redb");
        let settings = Settings { shingle: 5, permutations: 128, bands: 64 };
        drop(RedbIndex::open(&path, settings, TEST_CACHE).unwrap());
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META).unwrap().insert("format", OLDEST_FORMAT - 1).unwrap();
            txn.commit().unwrap();
        }
        let message = RedbIndex::open(&path, settings, TEST_CACHE).unwrap_err().to_string();
        assert!(
            message.contains("old.redb") && message.contains(&format!("format {}", OLDEST_FORMAT - 1)),
            "{message}"
        );
        assert!(message.contains("dedup_rebuild_index"), "{message}");
    }

    #[test]
    fn an_index_refuses_other_signature_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.redb");
        let settings = Settings { shingle: 5, permutations: 128, bands: 64 };
        drop(RedbIndex::open(&path, settings, TEST_CACHE).unwrap());
        let err = RedbIndex::open(&path, Settings { bands: 32, ..settings }, TEST_CACHE).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("x.redb") && message.contains("bands"), "{message}");
        RedbIndex::open(&path, settings, TEST_CACHE).unwrap();
    }
}
