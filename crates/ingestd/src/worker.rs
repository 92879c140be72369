//! One document's journey, start to finish: claim, read, analyse, commit or fail.
//!
//! Everything here is blocking (file I/O and plugin calls); the daemon runs it on blocking
//! threads, never on the async runtime's.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::host::Pipeline;
use crate::input::{self, InputError};
use crate::metrics::Metrics;
use crate::spool::{Claim, Spool, SpoolError, now_rfc3339};

/// How a document ended.
#[derive(Debug)]
pub enum Outcome {
    /// Its result is in the outbox (the first result, for an input with several articles).
    Done(PathBuf),
    /// It is in `failed/` with a report.
    Failed(PathBuf),
    /// Another worker or daemon had it, or it vanished: nothing to do.
    NotClaimed,
}

/// First wait before retrying a spool write that failed (full disk, unwritable outbox).
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// Longest wait between retries.
const MAX_RETRY: Duration = Duration::from_secs(60);

/// Analyses claimed documents with a loaded pipeline.
#[derive(Debug)]
pub struct Worker {
    spool: Spool,
    pipeline: Pipeline,
    max_bytes: u64,
    /// Cancelled on shutdown: stops retrying spool writes (the claim stays in `work/`).
    stop: CancellationToken,
    /// Counts outcomes and plugin times.
    metrics: Arc<Metrics>,
}

impl Worker {
    /// A worker over these folders and plugins.
    pub fn new(
        spool: Spool,
        pipeline: Pipeline,
        max_bytes: u64,
        stop: CancellationToken,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self { spool, pipeline, max_bytes, stop, metrics }
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

    /// Handles a claimed file until it has exactly one outcome, and logs that outcome.
    pub fn handle(&self, claim: &Claim) -> Result<Outcome, SpoolError> {
        self.metrics.document_started();
        let outcome = self.settle(claim);
        self.metrics.document_finished(match &outcome {
            Ok(Outcome::Done(_)) => Some("done"),
            Ok(Outcome::Failed(_)) => Some("failed"),
            Ok(Outcome::NotClaimed) | Err(_) => None,
        });
        outcome
    }

    fn settle(&self, claim: &Claim) -> Result<Outcome, SpoolError> {
        let started = Instant::now();
        let file = claim.name.to_string_lossy();
        let outcome = match self.analyse(claim) {
            Ok(results) => {
                results.iter().for_each(|result| self.metrics.observe_result(result));
                let paths = self.retrying(claim, || self.spool.commit_all(claim, &results))?;
                if paths.len() > 1 {
                    tracing::debug!(file = %file, results = paths.len(), "one result per article");
                }
                Outcome::Done(paths.into_iter().next().expect("read_articles yields at least one article"))
            }
            Err(e) => {
                tracing::warn!(file = %file, kind = e.kind(), "failed: {e}");
                Outcome::Failed(self.retrying(claim, || self.spool.fail(claim, e.kind(), &e.to_string()))?)
            }
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match &outcome {
            Outcome::Done(path) => {
                tracing::info!(file = %file, outcome = "done", ms = format!("{ms:.1}"), result = %path.display())
            }
            Outcome::Failed(path) => {
                tracing::info!(file = %file, outcome = "failed", ms = format!("{ms:.1}"), moved_to = %path.display())
            }
            Outcome::NotClaimed => {}
        }
        Ok(outcome)
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
        let mut delay = FIRST_RETRY;
        loop {
            match write() {
                Ok(value) => return Ok(value),
                Err(e) if self.stop.is_cancelled() => return Err(e),
                Err(e) => {
                    tracing::error!(
                        file = %claim.name.to_string_lossy(),
                        retry_in_ms = delay.as_millis() as u64,
                        "cannot write outcome, input kept in work/: {e}"
                    );
                    let until = Instant::now() + delay;
                    while Instant::now() < until && !self.stop.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    delay = (delay * 2).min(MAX_RETRY);
                }
            }
        }
    }

    /// Reads the claimed file and analyses each of its articles (one for most files, one per
    /// line of a JSON Lines file). `max_bytes` also limits a gzip input's decompressed size.
    fn analyse(&self, claim: &Claim) -> Result<Vec<ingest_abi::ArticleResult>, InputError> {
        let bytes = input::read_file(&claim.path, self.max_bytes)?;
        let prepared = input::prepare(&claim.name.to_string_lossy(), &bytes, now_rfc3339(), self.max_bytes)?;
        Ok(prepared.into_iter().map(|p| input::analyse(&self.pipeline, p)).collect())
    }
}
