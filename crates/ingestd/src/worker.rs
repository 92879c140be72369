//! One document's journey, start to finish: claim, read, analyse, then hand it to the
//! [`Committer`] (group commit), or fail it.
//!
//! Everything here is blocking (file I/O and plugin calls); the daemon runs it on blocking
//! threads, never on the async runtime's. A worker does not wait for its document's commit:
//! it goes on to the next document while the committer writes this one's results, together
//! with whatever else is ready.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::commit::{Backoff, Committer, QUEUE, QUEUE_BYTES, Ticket};
use crate::host::Pipeline;
use crate::input::{self, InputError};
use crate::metrics::Metrics;
use crate::spool::{Claim, Pending, Spool, SpoolError, now_rfc3339};

/// How a document ended, as far as its worker knows.
#[derive(Debug)]
pub enum Outcome {
    /// Analysed and handed to the committer; the ticket tells when its results are durable.
    Committing(Ticket),
    /// Its result is in the outbox (the first result, for an input with several articles).
    /// Only from [`Worker::handle_and_wait`].
    Done(PathBuf),
    /// Analysed, but its commit was given up (at shutdown) and the committer logged why: it
    /// stays in `work/` for the next start. Only from [`Worker::handle_and_wait`].
    Kept,
    /// It is in `failed/` with a report.
    Failed(PathBuf),
    /// Another worker or daemon had it, or it vanished: nothing to do.
    NotClaimed,
}

/// How [`Worker::settle`] left a document: with the committer, or in `failed/`.
enum Settled {
    Committing(Ticket),
    Failed(PathBuf),
}

/// Analyses claimed documents with a loaded pipeline and hands them to the committer.
#[derive(Debug)]
pub struct Worker {
    spool: Spool,
    pipeline: Arc<Pipeline>,
    committer: Committer,
    max_bytes: u64,
    /// Cancelled on shutdown: stops retrying spool writes (the claim stays in `work/`).
    stop: CancellationToken,
    /// Counts outcomes and plugin times.
    metrics: Arc<Metrics>,
}

impl Worker {
    /// A worker over these folders and plugins, with its commit stage (a thread) started: at
    /// most [`QUEUE`] (or `workers`, if more) analysed documents, holding at most
    /// [`QUEUE_BYTES`] of results (one is always admitted), wait for their commit at once.
    pub fn new(
        spool: Spool,
        pipeline: Pipeline,
        max_bytes: u64,
        workers: usize,
        stop: CancellationToken,
        metrics: Arc<Metrics>,
    ) -> Result<Self, SpoolError> {
        let pipeline = Arc::new(pipeline);
        let capacity = QUEUE.max(workers);
        let committer = Committer::start(
            spool.clone(),
            pipeline.clone(),
            capacity,
            QUEUE_BYTES,
            stop.clone(),
            metrics.clone(),
        )
        .map_err(|source| SpoolError::File {
            action: "cannot start the commit thread for",
            path: spool.outbox.clone(),
            source,
        })?;
        Ok(Self { spool, pipeline, committer, max_bytes, stop, metrics })
    }

    /// Commits what is still queued (retrying until it succeeds or the daemon stops), then
    /// ends the commit thread. Called once no document is being analysed any more.
    pub fn finish_commits(&self) {
        self.committer.close();
    }

    /// Blocks until every analysed document handed to the committer is committed or given
    /// up, so the next document shares no batch (nor `flush`) with earlier ones.
    pub fn wait_commits_idle(&self) {
        self.committer.wait_idle();
    }

    /// The folders.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// Claims `name` from the inbox and handles it.
    pub fn claim_and_handle(&self, name: &OsStr) -> Result<Outcome, SpoolError> {
        match self.spool.claim(name)? {
            Some(claim) => self.handle(&claim),
            None => Ok(Outcome::NotClaimed),
        }
    }

    /// Analyses a claimed file and hands it to the committer (which logs its outcome once
    /// committed), or fails it into `failed/` and logs that.
    pub fn handle(&self, claim: &Claim) -> Result<Outcome, SpoolError> {
        self.metrics.document_started();
        match self.settle(claim) {
            // The committer reports the document finished.
            Ok(Settled::Committing(ticket)) => Ok(Outcome::Committing(ticket)),
            Ok(Settled::Failed(path)) => {
                self.metrics.document_finished(Some("failed"));
                Ok(Outcome::Failed(path))
            }
            Err(e) => {
                self.metrics.document_finished(None);
                Err(e)
            }
        }
    }

    /// [`Worker::handle`], then waits for the commit: `Done` once the results are durable and
    /// the input archived, `Kept` if the commit was given up (the committer logged why). For
    /// files that must not overlap another (resumed suspects). Errors are the worker's own
    /// (writing to `failed/`), not yet logged.
    pub fn handle_and_wait(&self, claim: &Claim) -> Result<Outcome, SpoolError> {
        match self.handle(claim)? {
            Outcome::Committing(ticket) => Ok(match ticket.wait() {
                Ok(paths) => paths.into_iter().next().map_or(Outcome::Kept, Outcome::Done),
                Err(_) => Outcome::Kept,
            }),
            other => Ok(other),
        }
    }

    fn settle(&self, claim: &Claim) -> Result<Settled, SpoolError> {
        let started = Instant::now();
        let file = claim.name.to_string_lossy();
        match self.analyse(claim) {
            Ok(results) => {
                results.iter().for_each(|result| self.metrics.observe_result(result));
                Ok(Settled::Committing(self.committer.submit(Pending::new(claim.clone(), results), started)))
            }
            Err(e) => {
                tracing::warn!(file = %file, kind = e.kind(), "failed: {e}");
                let path = self.retrying(claim, || self.spool.fail(claim, e.kind(), &e.to_string()))?;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                tracing::info!(file = %file, outcome = "failed", ms = format!("{ms:.1}"), moved_to = %path.display());
                Ok(Settled::Failed(path))
            }
        }
    }

    /// Moves a file that was in flight during `crashes` daemon crashes to `failed/`.
    pub fn refuse_poison(&self, claim: &Claim, crashes: u32) -> Result<PathBuf, SpoolError> {
        let message = format!(
            "the daemon crashed {crashes} times while analysing this file; not retried again (max_crashes)"
        );
        tracing::error!(file = %claim.name.to_string_lossy(), "{message}");
        self.retrying(claim, || self.spool.fail(claim, "poison", &message))
    }

    /// Runs a spool write until it succeeds, waiting longer after each failure (a full disk or
    /// an unwritable folder may recover). The input stays claimed meanwhile; on shutdown the
    /// last error is returned and the file stays in `work/` for the next start.
    fn retrying<T>(
        &self,
        claim: &Claim,
        mut write: impl FnMut() -> Result<T, SpoolError>,
    ) -> Result<T, SpoolError> {
        let mut backoff = Backoff::default();
        loop {
            match write() {
                Ok(value) => return Ok(value),
                Err(e) if self.stop.is_cancelled() => return Err(e),
                Err(e) => {
                    let delay = backoff.advance();
                    tracing::error!(
                        file = %claim.name.to_string_lossy(),
                        retry_in_ms = delay.as_millis() as u64,
                        "cannot write outcome, input kept in work/: {e}"
                    );
                    let until = Instant::now() + delay;
                    while Instant::now() < until && !self.stop.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
        }
    }

    /// Reads the claimed file and analyses each of its articles (one for most files, one per
    /// line of a JSON Lines file). `max_bytes` also limits a gzip input's decompressed size.
    fn analyse(&self, claim: &Claim) -> Result<Vec<crate::host::Analysed>, InputError> {
        let bytes = input::read_file(&claim.path, self.max_bytes)?;
        let prepared = input::prepare(&claim.name.to_string_lossy(), &bytes, now_rfc3339(), self.max_bytes)?;
        Ok(prepared.into_iter().map(|p| input::analyse(&self.pipeline, p)).collect())
    }
}
