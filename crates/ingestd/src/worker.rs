//! One document's journey, start to finish: claim, read, analyse, commit or fail.
//!
//! Everything here is blocking (file I/O and plugin calls); the daemon runs it on blocking
//! threads, never on the async runtime's.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Instant;

use crate::host::Pipeline;
use crate::input::{self, InputError};
use crate::spool::{Claim, Spool, SpoolError, now_rfc3339};

/// How a document ended.
#[derive(Debug)]
pub enum Outcome {
    /// Its result is in the outbox.
    Done(PathBuf),
    /// It is in `failed/` with a report.
    Failed(PathBuf),
    /// Another worker or daemon had it, or it vanished: nothing to do.
    NotClaimed,
}

/// Analyses claimed documents with a loaded pipeline.
#[derive(Debug)]
pub struct Worker {
    spool: Spool,
    pipeline: Pipeline,
    max_bytes: u64,
}

impl Worker {
    /// A worker over these folders and plugins.
    pub fn new(spool: Spool, pipeline: Pipeline, max_bytes: u64) -> Self {
        Self { spool, pipeline, max_bytes }
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
        let started = Instant::now();
        let file = claim.name.to_string_lossy();
        let outcome = match self.analyse(claim) {
            Ok(result) => Outcome::Done(self.spool.commit(claim, &result)?),
            Err(e) => {
                let path = self.spool.fail(claim, e.kind(), &e.to_string())?;
                tracing::warn!(file = %file, kind = e.kind(), "failed: {e}");
                Outcome::Failed(path)
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

    fn analyse(&self, claim: &Claim) -> Result<ingest_abi::ArticleResult, InputError> {
        let bytes = input::read_file(&claim.path, self.max_bytes)?;
        let prepared = input::prepare(&claim.name.to_string_lossy(), &bytes, now_rfc3339())?;
        Ok(self.pipeline.analyse(prepared.document, prepared.stats, prepared.notes))
    }
}
