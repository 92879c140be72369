//! What can go wrong in the dedup plugin, each error naming the file involved.

use std::path::PathBuf;

/// An error from the dedup plugin; converted to the SDK's `PluginError` at the boundary.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// The configuration table was refused.
    #[error("invalid dedup configuration: {0}")]
    Config(String),
    /// The index file could not be opened or created.
    #[error("cannot open dedup index {path}: {source}")]
    Open {
        /// The index file (or `(in memory)`).
        path: PathBuf,
        /// What redb said (boxed: redb's errors are large and this is the cold path).
        #[source]
        source: Box<redb::DatabaseError>,
    },
    /// Reading or writing the index failed.
    #[error("dedup index {path}: {source}")]
    Storage {
        /// The index file (or `(in memory)`).
        path: PathBuf,
        /// What redb said (boxed: redb's errors are large and this is the cold path).
        #[source]
        source: Box<redb::Error>,
    },
    /// The index was built with other signature settings than the configuration asks for.
    #[error(
        "dedup index {path} was built with {key} = {stored}, the configuration says {configured}; \
         restore the setting or move the index away to rebuild it"
    )]
    Incompatible {
        /// The index file.
        path: PathBuf,
        /// The configuration key that differs.
        key: &'static str,
        /// The value the index was built with.
        stored: u64,
        /// The value configured now.
        configured: u64,
    },
    /// The index was written in another on-disk format than this version of the plugin reads.
    #[error(
        "dedup index {path} has on-disk format {found}, this plugin reads format {expected}; \
         move it away and rebuild it from the outbox (`dedup_rebuild_index`)"
    )]
    Format {
        /// The index file.
        path: PathBuf,
        /// The format the file was written in.
        found: u64,
        /// The format this plugin reads and writes.
        expected: u64,
    },
    /// A stored record could not be decoded.
    #[error("dedup index {path}: corrupt record: {what}")]
    Corrupt {
        /// The index file.
        path: PathBuf,
        /// Which record and why.
        what: String,
    },
}
