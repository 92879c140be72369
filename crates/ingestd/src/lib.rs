//! ingestd: watches an inbox folder for news articles and writes one JSON analysis per
//! article, through plugins loaded at run time.
//!
//! The daemon is a pipeline of small parts, each with one job:
//!
//! - [`config`]: the TOML file and command-line overrides.
//! - [`discovery`] and [`watch`]: which inbox files are ready. One reconciler owns the
//!   decision; file events only wake it early, and periodic scans catch whatever events miss.
//! - [`commit`]: group commit: one thread flushes the plugins' state and commits whatever
//!   analysed documents are queued, with one folder sync per batch.
//! - [`spool`]: the crash-safe path of a file (claim by rename, atomic durable results,
//!   archive or `failed/`). Every input ends in exactly one place.
//! - [`input`]: reading and decoding a claimed file into the [`ingest_abi::Document`] plugins see.
//! - [`host`]: loading plugins through the C ABI and running a document through them.
//! - [`worker`]: one document's journey through all of the above (analysed by a worker,
//!   committed by the committer).
//! - [`daemon`] and [`oneshot`]: the `run` and `process` commands; [`status`]: `status`.
//! - [`metrics`] and [`service`]: counters, health, Prometheus endpoint, systemd notifications.
//!
//! The daemon depends on no plugin: plugins are files named in the configuration.

pub mod commit;
pub mod config;
pub mod daemon;
pub mod discovery;
pub mod host;
pub mod input;
pub mod metrics;
pub mod oneshot;
pub mod service;
pub mod spool;
pub mod status;
pub mod watch;
pub mod worker;
