//! The commit stage: group commit of analysed documents.
//!
//! Workers analyse documents and hand each claimed input with its results to one
//! [`Committer`]. Its thread takes whatever is queued at that moment as one batch (natural
//! batching: no timer, so a lone document is committed at once, and a batch grows only while
//! the previous one was being written), then:
//!
//! 1. calls every plugin's `flush` once for the batch (ABI 1.1), so the plugins' state behind
//!    the results is durable before any result is visible;
//! 2. commits the batch with [`Spool::commit_batch`]: each result written to a temp file and
//!    fsynced, renamed in, one fsync of the outbox, the inputs moved to `archive/` (or
//!    deleted), one fsync of the archive.
//!
//! The durability rules are the spool's: a result is visible only once durable, and an input
//! leaves `work/` only after all of its results are durable. If `flush` fails, none of the
//! batch's results is written. Failures are per input: an input whose commit failed waits
//! with a back-off (0.5 s doubling to 60 s, its claim kept in `work/`) and joins a later
//! batch, resuming where it stopped, while the other inputs of its batch complete. On
//! shutdown an input that cannot be committed stays in `work/` for the next start.
//!
//! Memory stays bounded: [`Committer::submit`] waits while `capacity` inputs ([`QUEUE`] in
//! the daemon) or `capacity_bytes` of results ([`QUEUE_BYTES`]: their text and plugin
//! outputs) are queued, being committed or waiting to retry, whichever comes first (one input
//! is always admitted, however large), besides the `workers` documents being analysed. The
//! room lets a batch grow while the previous one is being synced: a commit costs a few disk
//! syncs whatever its size, so under load batches grow until the commit keeps up.
//!
//! A panic while committing a batch (a bug, or the OS refusing a thread) does not end the
//! stage: the batch's inputs stay in `work/` and are retried with back-off like any failed
//! write. Should the thread end anyway, it closes the stage first: every waiting ticket
//! answers [`CommitError::Stopped`] and submitters stop waiting, so a stop never hangs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::host::{FlushError, Pipeline};
use crate::metrics::Metrics;
use crate::spool::{Pending, Spool, SpoolError};

/// First wait before retrying a commit that failed (full disk, unwritable outbox, a plugin's
/// failed `flush`).
pub const FIRST_RETRY: Duration = Duration::from_millis(500);
/// Longest wait between retries.
pub const MAX_RETRY: Duration = Duration::from_secs(60);
/// How many analysed inputs may wait for their commit at once in the daemon: enough for a
/// batch to cover the documents several workers analyse during one commit's disk syncs,
/// small in memory (a result is tens of KB).
pub const QUEUE: usize = 64;
/// How many bytes of analysed results (their text and plugin outputs, see
/// [`Pending::queued_bytes`]) may wait for their commit at once in the daemon, whichever of
/// this and [`QUEUE`] is reached first: an input may carry up to `max_bytes` of text, so 64 of
/// them could otherwise hold a gigabyte. One input is always admitted, however large.
pub const QUEUE_BYTES: usize = 32 << 20;

/// The wait between retries of a failed write (full disk, unwritable folder, a plugin's
/// failed `flush`): [`FIRST_RETRY`], doubling up to [`MAX_RETRY`]. Shared by the committer and
/// the workers' writes to `failed/`, so both back off alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Self(FIRST_RETRY)
    }
}

impl Backoff {
    /// The wait before the next retry.
    pub fn delay(self) -> Duration {
        self.0
    }

    /// Returns the wait before the next retry, and doubles the one after (up to [`MAX_RETRY`]).
    pub fn advance(&mut self) -> Duration {
        let delay = self.0;
        self.0 = (delay * 2).min(MAX_RETRY);
        delay
    }
}
/// How often a committer with inputs waiting to retry looks whether the daemon is stopping.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Why an input is not committed (yet).
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// Writing a result, moving the input or syncing a folder failed.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// A plugin could not make its state durable, so no result of the batch was written.
    #[error(transparent)]
    Flush(#[from] FlushError),
    /// The commit stage ended (its thread failed) before committing the input; it stays in
    /// `work/` for the next start.
    #[error("the commit stage stopped before committing this input; it stays in work/")]
    Stopped,
    /// Committing the input's batch panicked (a bug, or a resource the OS refused); the
    /// input stays in `work/` and is retried.
    #[error("committing this input failed internally ({0}); it stays in work/")]
    Panicked(String),
}

/// Makes the plugins' state durable before results are committed: the [`Pipeline`] in the
/// daemon; something simpler in tests.
pub trait Flush: Send + Sync {
    /// See [`Pipeline::flush`].
    fn flush(&self) -> Result<(), FlushError>;
}

impl Flush for Pipeline {
    fn flush(&self) -> Result<(), FlushError> {
        Pipeline::flush(self)
    }
}

/// The outcome of one input's commit: its results' paths, or why it stayed in `work/`.
pub type Committed = Result<Vec<PathBuf>, CommitError>;

/// Waits for one submitted input's commit.
#[derive(Debug)]
pub struct Ticket(mpsc::Receiver<Committed>);

impl Ticket {
    /// Blocks until the input is committed (its results' paths) or given up at shutdown.
    pub fn wait(self) -> Committed {
        self.0.recv().unwrap_or(Err(CommitError::Stopped))
    }
}

/// One input on its way: queued, in a batch, or waiting to retry.
struct Job {
    pending: Pending,
    /// When its worker took it up (the logged `ms` covers analysis and commit).
    started: Instant,
    reply: mpsc::Sender<Committed>,
    /// The waits before its next retries.
    backoff: Backoff,
    /// When it may be retried (after a failure).
    due: Instant,
    /// What it counts against `capacity_bytes` ([`Pending::queued_bytes`]).
    bytes: usize,
}

#[derive(Default)]
struct State {
    queue: Vec<Job>,
    /// Inputs submitted and not yet finished (queued, in a batch, or waiting to retry).
    uncommitted: usize,
    /// Their [`Job::bytes`], summed.
    bytes: usize,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the committer: work queued, or closed.
    work: Condvar,
    /// Wakes submitters waiting for room.
    room: Condvar,
    capacity: usize,
    capacity_bytes: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One input of `bytes` finished (committed or given up): room for another.
    fn finished(&self, bytes: usize) {
        let mut state = self.lock();
        state.uncommitted = state.uncommitted.saturating_sub(1);
        state.bytes = state.bytes.saturating_sub(bytes);
        drop(state);
        self.room.notify_all();
    }
}

/// The commit stage of one daemon generation: one thread committing batches.
pub struct Committer {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer")
            .field("capacity", &self.shared.capacity)
            .field("capacity_bytes", &self.shared.capacity_bytes)
            .finish_non_exhaustive()
    }
}

impl Committer {
    /// Starts the commit thread. At most `capacity` inputs, holding at most `capacity_bytes`
    /// of results ([`Pending::queued_bytes`]), wait for their commit at once (one input is
    /// always admitted); `stop` (shutdown) ends retries, leaving their inputs in `work/`.
    pub fn start(
        spool: Spool,
        flusher: Arc<dyn Flush>,
        capacity: usize,
        capacity_bytes: usize,
        stop: CancellationToken,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            room: Condvar::new(),
            capacity: capacity.max(1),
            capacity_bytes,
        });
        let stage = Stage { shared: shared.clone(), spool, flusher, stop, metrics: metrics.clone() };
        let thread = std::thread::Builder::new().name("ingestd-commit".into()).spawn(move || stage.run())?;
        Ok(Self { shared, thread: Mutex::new(Some(thread)), metrics })
    }

    /// Hands an analysed input to the commit stage, waiting while `capacity` inputs or
    /// `capacity_bytes` are already uncommitted (an input is admitted alone whatever its
    /// size). `started` is when its worker took it up. The returned ticket may be waited on or
    /// dropped (the commit happens either way).
    pub fn submit(&self, pending: Pending, started: Instant) -> Ticket {
        let (reply, ticket) = mpsc::channel();
        let bytes = pending.queued_bytes();
        let job = Job { pending, started, reply, backoff: Backoff::default(), due: Instant::now(), bytes };
        let mut state = self.shared.lock();
        while !state.closed
            && (state.uncommitted >= self.shared.capacity
                || (state.uncommitted > 0 && state.bytes.saturating_add(bytes) > self.shared.capacity_bytes))
        {
            state = self.shared.room.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.closed {
            // Too late (the stage is ending): the input stays in work/ for the next start, and
            // the ticket answers `Stopped` (its sender is dropped here).
            tracing::warn!(file = %job.pending.claim.name.to_string_lossy(), "not committed: the commit stage is closed");
            self.metrics.document_finished(None);
            return Ticket(ticket);
        }
        state.uncommitted += 1;
        state.bytes += bytes;
        state.queue.push(job);
        drop(state);
        self.shared.work.notify_one();
        Ticket(ticket)
    }

    /// Blocks until no input is uncommitted (queued, in a batch or waiting to retry), or the
    /// stage is closed: what is submitted next shares no batch with earlier inputs.
    pub fn wait_idle(&self) {
        let mut state = self.shared.lock();
        while state.uncommitted > 0 && !state.closed {
            state = self.shared.room.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Commits what is queued and waiting to retry (retries end only at shutdown), then ends
    /// the thread. Called once the workers have finished.
    pub fn close(&self) {
        self.shared.lock().closed = true;
        self.shared.work.notify_one();
        self.shared.room.notify_all();
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::error!("the commit thread panicked; its inputs stay in work/ for the next start");
        }
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.close();
    }
}

/// The commit thread's side.
struct Stage {
    shared: Arc<Shared>,
    spool: Spool,
    flusher: Arc<dyn Flush>,
    stop: CancellationToken,
    metrics: Arc<Metrics>,
}

/// Closes the stage if the commit thread ends by a panic (outside the per-batch guard): no
/// ticket or submitter may wait for a thread that is gone.
struct Ending<'a>(&'a Stage);

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let mut state = self.0.shared.lock();
        state.closed = true;
        // Dropping the queued jobs drops their reply senders: their tickets answer `Stopped`.
        // (The batch in progress and the retries were dropped with the thread's frames.)
        let queued = std::mem::take(&mut state.queue);
        let lost = std::mem::replace(&mut state.uncommitted, 0);
        state.bytes = 0;
        drop(state);
        drop(queued);
        self.0.shared.room.notify_all();
        for _ in 0..lost {
            self.0.metrics.document_finished(None);
        }
        tracing::error!(
            inputs = lost,
            "the commit thread failed; its inputs stay in work/ for the next start"
        );
    }
}

impl Stage {
    fn run(self) {
        let _ending = Ending(&self);
        let mut waiting: Vec<Job> = Vec::new();
        while let Some(mut batch) = self.next_batch(&mut waiting) {
            // A panic while committing (a bug, a thread the OS refused) must not lose the
            // batch's tickets or room: its inputs are retried like any failed write.
            let outcomes = match catch_unwind(AssertUnwindSafe(|| self.commit(&mut batch))) {
                Ok(outcomes) => outcomes,
                Err(payload) => {
                    let message = panic_message(payload.as_ref());
                    tracing::error!(
                        inputs = batch.len(),
                        retry_in_ms = batch.first().map_or(0, |job| job.backoff.delay().as_millis() as u64),
                        "committing a batch failed internally ({message}); its inputs stay in work/ and are retried"
                    );
                    batch.iter().map(|_| (Err(CommitError::Panicked(message.clone())), true)).collect()
                }
            };
            for (job, (outcome, logged)) in batch.into_iter().zip(outcomes) {
                if let Some(job) = self.settle(job, outcome, logged) {
                    waiting.push(job);
                }
            }
        }
    }

    /// Blocks until there is something to do: everything queued plus the retries that are
    /// due (all of them once stopping, for one last try). `None` once closed and idle.
    fn next_batch(&self, waiting: &mut Vec<Job>) -> Option<Vec<Job>> {
        let mut state = self.shared.lock();
        loop {
            let now = Instant::now();
            let stopping = self.stop.is_cancelled();
            if !state.queue.is_empty() || waiting.iter().any(|job| stopping || job.due <= now) {
                let mut batch = std::mem::take(&mut state.queue);
                drop(state);
                let (due, later): (Vec<Job>, Vec<Job>) =
                    std::mem::take(waiting).into_iter().partition(|job| stopping || job.due <= now);
                *waiting = later;
                // Retries first: they were analysed before the new arrivals.
                let mut all = due;
                all.append(&mut batch);
                return Some(all);
            }
            if state.closed && waiting.is_empty() {
                return None;
            }
            state = match waiting.iter().map(|job| job.due).min() {
                Some(due) => {
                    let timeout = due.saturating_duration_since(now).min(STOP_POLL);
                    self.shared.work.wait_timeout(state, timeout).unwrap_or_else(|e| e.into_inner()).0
                }
                None => self.shared.work.wait(state).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }

    /// Commits one batch in place (each input's progress is kept in its [`Pending`], so a
    /// retry resumes there): one outcome per input, in order, each with whether its error is
    /// already logged (a failed flush is logged once for the batch).
    fn commit(&self, batch: &mut [Job]) -> Vec<(Committed, bool)> {
        let (began, inputs) = (Instant::now(), batch.len());
        // The plugins' state first, once for the batch: nothing is written if it fails.
        let flushed =
            if batch.iter().any(|job| job.pending.needs_flush()) { self.flusher.flush() } else { Ok(()) };
        let flush_ms = began.elapsed().as_secs_f64() * 1000.0;
        // Inputs blocked by a failed flush get its error; the others are committed.
        let mut outcomes: Vec<Option<(Committed, bool)>> = Vec::with_capacity(inputs);
        let mut ready: Vec<&mut Pending> = Vec::with_capacity(inputs);
        let mut blocked = 0;
        for job in batch.iter_mut() {
            match &flushed {
                Err(e) if job.pending.needs_flush() => {
                    blocked += 1;
                    outcomes.push(Some((Err(CommitError::Flush(e.clone())), true)));
                }
                _ => {
                    outcomes.push(None);
                    ready.push(&mut job.pending);
                }
            }
        }
        if !ready.is_empty() {
            let mut results = self.spool.commit_batch(&mut ready).into_iter();
            for slot in outcomes.iter_mut().filter(|slot| slot.is_none()) {
                *slot = results.next().map(|r| (r.map_err(CommitError::from), false));
            }
        }
        tracing::debug!(
            inputs,
            flush_ms = format!("{flush_ms:.1}"),
            ms = format!("{:.1}", began.elapsed().as_secs_f64() * 1000.0),
            "batch committed"
        );
        if let Err(e) = &flushed {
            // One line for the batch, naming the plugin, not one per input.
            let retry = batch.iter().find(|job| job.pending.needs_flush()).map(|job| job.backoff.delay());
            tracing::error!(
                plugin = %e.plugin,
                inputs = blocked,
                retry_in_ms = retry.map_or(0, |d| d.as_millis() as u64),
                "flush failed, so no result of the batch is written; its inputs stay in work/: {e}"
            );
        }
        outcomes
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(|| (Err(CommitError::Panicked("an input got no outcome".into())), false))
            })
            .collect()
    }

    /// Reports one input's outcome (its error too, unless `logged` already), or schedules its
    /// retry (returned).
    fn settle(&self, mut job: Job, outcome: Committed, logged: bool) -> Option<Job> {
        let file = job.pending.claim.name.to_string_lossy().into_owned();
        match outcome {
            Ok(paths) => {
                let ms = job.started.elapsed().as_secs_f64() * 1000.0;
                if paths.len() > 1 {
                    tracing::debug!(file = %file, results = paths.len(), "one result per article");
                }
                let first = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
                tracing::info!(file = %file, outcome = "done", ms = format!("{ms:.1}"), result = %first);
                self.metrics.document_finished(Some("done"));
                self.shared.finished(job.bytes);
                let _ = job.reply.send(Ok(paths));
                None
            }
            Err(e) if self.stop.is_cancelled() => {
                tracing::error!(file = %file, "left in the spool for a retry at next start: {e}");
                self.metrics.document_finished(None);
                self.shared.finished(job.bytes);
                let _ = job.reply.send(Err(e));
                None
            }
            Err(e) => {
                let delay = job.backoff.advance();
                if !logged {
                    tracing::error!(
                        file = %file,
                        retry_in_ms = delay.as_millis() as u64,
                        "cannot write outcome, input kept in work/: {e}"
                    );
                }
                job.due = Instant::now() + delay;
                Some(job)
            }
        }
    }
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use ingest_abi::ArticleResult;

    use super::*;
    use crate::host::CallError;
    use crate::spool::test_support::{drop_and_claim, list, result, spool};

    /// Counts flushes; fails them while `failing`; a flush can be held up until released,
    /// so a test can queue inputs behind a batch in progress.
    #[derive(Default)]
    struct FakeFlush {
        calls: AtomicUsize,
        failing: AtomicBool,
        gate: Mutex<bool>,
        opened: Condvar,
        entered: AtomicUsize,
        /// How many of the next flushes panic (a bug in the commit path).
        panics: AtomicUsize,
    }

    impl FakeFlush {
        fn held() -> Self {
            Self { gate: Mutex::new(true), ..Self::default() }
        }

        fn release(&self) {
            *self.gate.lock().unwrap() = false;
            self.opened.notify_all();
        }
    }

    impl Flush for FakeFlush {
        fn flush(&self) -> Result<(), FlushError> {
            self.entered.fetch_add(1, Ordering::SeqCst);
            let mut held = self.gate.lock().unwrap();
            while *held {
                held = self.opened.wait(held).unwrap();
            }
            drop(held);
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.panics.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                panic!("a bug in the commit path");
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err(FlushError {
                    plugin: "fake".into(),
                    error: CallError::Failed("the index disk is gone".into()),
                });
            }
            Ok(())
        }
    }

    fn claimed(s: &Spool, name: &str) -> Pending {
        claimed_with_text(s, name, "x")
    }

    fn claimed_with_text(s: &Spool, name: &str, text: &str) -> Pending {
        let claim = drop_and_claim(s, name, name);
        let result = ArticleResult { text: text.into(), ..result(&format!("b3:{name}"), name) };
        Pending::new(claim, vec![result])
    }

    /// A commit stage over `s` with `flush`, room for `capacity` inputs and `bytes` bytes.
    fn start(
        s: &Spool,
        flush: &Arc<FakeFlush>,
        capacity: usize,
        bytes: usize,
        stop: CancellationToken,
    ) -> Committer {
        Committer::start(s.clone(), flush.clone(), capacity, bytes, stop, Arc::new(Metrics::default()))
            .unwrap()
    }

    /// A lone input is committed at once; inputs that arrive while a batch is being committed
    /// are committed together in the next batch, behind one flush.
    #[test]
    fn inputs_queued_during_a_commit_share_the_next_batch_and_its_flush() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let flush = Arc::new(FakeFlush::held());
        let committer = start(&s, &flush, 8, usize::MAX, CancellationToken::new());

        // The first input starts a batch at once (its flush is entered without waiting).
        let first = committer.submit(claimed(&s, "a.txt"), Instant::now());
        while flush.entered.load(Ordering::SeqCst) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        // Four more arrive while it is held in flush.
        let rest: Vec<Ticket> = ["b.txt", "c.txt", "d.txt", "e.txt"]
            .iter()
            .map(|name| committer.submit(claimed(&s, name), Instant::now()))
            .collect();
        flush.release();
        assert_eq!(first.wait().unwrap(), [s.outbox.join("a.json")]);
        for (ticket, name) in rest.into_iter().zip(["b", "c", "d", "e"]) {
            assert_eq!(ticket.wait().unwrap(), [s.outbox.join(format!("{name}.json"))]);
        }
        assert_eq!(flush.calls.load(Ordering::SeqCst), 2, "one flush for the lone input, one for the four");
        assert_eq!(list(&s.outbox), ["a.json", "b.json", "c.json", "d.json", "e.json"]);
        assert_eq!(list(&s.archive), ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]);
        assert!(list(&s.work).is_empty());
        drop(committer);
    }

    /// A failed flush commits nothing of its batch; the inputs stay claimed and are committed
    /// by a later flush that succeeds.
    #[test]
    fn a_failed_flush_commits_nothing_until_a_flush_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let flush = Arc::new(FakeFlush::default());
        flush.failing.store(true, Ordering::SeqCst);
        let committer = start(&s, &flush, 8, usize::MAX, CancellationToken::new());
        let ticket = committer.submit(claimed(&s, "a.txt"), Instant::now());
        while flush.calls.load(Ordering::SeqCst) < 2 {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(list(&s.outbox).is_empty(), "nothing visible while flush fails");
        assert_eq!(list(&s.work), ["a.txt"], "the input stays claimed");
        flush.failing.store(false, Ordering::SeqCst);
        assert_eq!(ticket.wait().unwrap(), [s.outbox.join("a.json")]);
        assert_eq!(list(&s.archive), ["a.txt"]);
    }

    /// One input's failed write does not hold back the others of its batch; on shutdown the
    /// failing one is given up and stays in work/.
    #[test]
    fn one_failed_input_does_not_fail_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let stop = CancellationToken::new();
        let flush = Arc::new(FakeFlush::held());
        let committer = start(&s, &flush, 8, usize::MAX, stop.clone());
        // A first input holds the committer in its flush while the two others queue up, so
        // they are committed as one batch.
        let first = committer.submit(claimed(&s, "first.txt"), Instant::now());
        while flush.entered.load(Ordering::SeqCst) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        // Where bad.txt's result must go, a folder: writing it fails, for it alone.
        std::fs::create_dir(s.outbox.join("bad.json")).unwrap();
        std::fs::write(s.outbox.join("bad.json/x"), "").unwrap();
        let bad = committer.submit(claimed(&s, "bad.txt"), Instant::now());
        let good = committer.submit(claimed(&s, "good.txt"), Instant::now());
        flush.release();
        first.wait().unwrap();
        assert_eq!(good.wait().unwrap(), [s.outbox.join("good.json")]);
        assert_eq!(list(&s.work), ["bad.txt"]);
        stop.cancel();
        let err = bad.wait().unwrap_err().to_string();
        assert!(err.contains("bad"), "the error names the file: {err}");
        assert_eq!(list(&s.work), ["bad.txt"], "given up at shutdown, still claimed");
        assert_eq!(list(&s.archive), ["first.txt", "good.txt"]);
    }

    /// `submit` waits while `capacity` inputs are uncommitted.
    #[test]
    fn submit_waits_for_room() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let flush = Arc::new(FakeFlush::held());
        let committer = Arc::new(start(&s, &flush, 2, usize::MAX, CancellationToken::new()));
        let (a, b, c) = (claimed(&s, "a.txt"), claimed(&s, "b.txt"), claimed(&s, "c.txt"));
        let _a = committer.submit(a, Instant::now());
        let _b = committer.submit(b, Instant::now());
        let submitted = Arc::new(AtomicBool::new(false));
        let third = {
            let (committer, submitted) = (committer.clone(), submitted.clone());
            std::thread::spawn(move || {
                let ticket = committer.submit(c, Instant::now());
                submitted.store(true, Ordering::SeqCst);
                ticket.wait()
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        assert!(!submitted.load(Ordering::SeqCst), "the third waits while two are uncommitted");
        flush.release();
        assert_eq!(third.join().unwrap().unwrap(), [s.outbox.join("c.json")]);
    }

    /// A panic while committing a batch does not end the commit stage: the input stays in
    /// work/, is retried with back-off and committed, and the room it held is given back (with
    /// room for one, the next submit goes through).
    #[test]
    fn a_panic_while_committing_is_retried_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let flush = Arc::new(FakeFlush { panics: AtomicUsize::new(1), ..FakeFlush::default() });
        let committer = start(&s, &flush, 1, usize::MAX, CancellationToken::new());
        let ticket = committer.submit(claimed(&s, "a.txt"), Instant::now());
        assert_eq!(ticket.wait().unwrap(), [s.outbox.join("a.json")], "retried after the panic");
        assert_eq!(flush.calls.load(Ordering::SeqCst), 2, "the panicking flush, then the retry");
        let ticket = committer.submit(claimed(&s, "b.txt"), Instant::now());
        assert_eq!(ticket.wait().unwrap(), [s.outbox.join("b.json")]);
        assert_eq!(list(&s.archive), ["a.txt", "b.txt"]);
        assert!(list(&s.work).is_empty());
    }

    /// A panic at shutdown gives the input up (it stays in work/) instead of hanging: the
    /// ticket answers and `close` returns.
    #[test]
    fn a_panic_at_shutdown_leaves_the_input_in_work() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let stop = CancellationToken::new();
        stop.cancel();
        let flush = Arc::new(FakeFlush { panics: AtomicUsize::new(usize::MAX), ..FakeFlush::default() });
        let committer = start(&s, &flush, 1, usize::MAX, stop);
        let ticket = committer.submit(claimed(&s, "a.txt"), Instant::now());
        let err = ticket.wait().unwrap_err();
        assert!(matches!(err, CommitError::Panicked(_)), "{err}");
        committer.close();
        assert_eq!(list(&s.work), ["a.txt"]);
        assert!(list(&s.outbox).is_empty());
    }

    /// The queue is bounded by bytes as well as by inputs: a second input waits while the
    /// first one's text fills the byte budget, yet a lone input larger than the budget is
    /// admitted at once.
    #[test]
    fn submit_waits_for_room_in_bytes_but_always_admits_one() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let flush = Arc::new(FakeFlush::held());
        let committer = Arc::new(start(&s, &flush, 8, 1000, CancellationToken::new()));
        let big = "word ".repeat(1000);
        let first = claimed_with_text(&s, "a.txt", &big);
        assert!(first.queued_bytes() > 1000);
        let first = committer.submit(first, Instant::now());
        let second = claimed_with_text(&s, "b.txt", "small");
        let submitted = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (committer, submitted) = (committer.clone(), submitted.clone());
            std::thread::spawn(move || {
                let ticket = committer.submit(second, Instant::now());
                submitted.store(true, Ordering::SeqCst);
                ticket.wait()
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        assert!(!submitted.load(Ordering::SeqCst), "the second waits while the first fills the bytes");
        flush.release();
        assert_eq!(first.wait().unwrap(), [s.outbox.join("a.json")]);
        assert_eq!(waiter.join().unwrap().unwrap(), [s.outbox.join("b.json")]);
    }
}
