//! `ingestd run`: wires discovery, the worker pool and shutdown together.
//!
//! The shutdown future is injected (a [`CancellationToken`]), so the binary ties it to
//! signals and tests can drive it. On shutdown, discovery stops handing out names at once;
//! documents already claimed finish and are committed; unclaimed files stay in the inbox
//! untouched. Nothing is ever half-written.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Notify, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{Config, WatchMode};
use crate::discovery::{self, Discovery};
use crate::host::Pipeline;
use crate::spool::{Claim, Spool};
use crate::watch::{Hint, watch_inbox};
use crate::worker::Worker;

/// Capacity of the file-event channel; past it, events collapse into one rescan.
const HINT_CAPACITY: usize = 4096;

/// Everything `run` needs, loaded and checked before the first file is touched.
pub struct Daemon {
    config: Config,
    worker: Arc<Worker>,
}

impl Daemon {
    /// Creates the folders and loads the plugins. Errors name the folder or plugin involved.
    /// `shutdown` is the token [`Daemon::run`] will be stopped with.
    pub fn new(config: Config, shutdown: &CancellationToken) -> anyhow::Result<Self> {
        let spool = Spool::open(&config)?;
        let pipeline = Pipeline::load(&config, &config.state.join("plugins"))?;
        let worker = Arc::new(Worker::new(spool, pipeline, config.max_bytes, shutdown.clone()));
        Ok(Self { config, worker })
    }

    /// Runs until `shutdown` is cancelled, then lets in-flight documents finish.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let workers = self.config.worker_count();
        let permits = Arc::new(Semaphore::new(workers));
        let tracker = TaskTracker::new();
        let spool = self.worker.spool().clone();

        let (tx, mut hints) = mpsc::channel(HINT_CAPACITY);
        let overflow = Arc::new(Notify::new());
        let _watch = match self.config.watch.mode {
            WatchMode::Native => Some(watch_inbox(&spool.inbox, tx, overflow.clone()).map_err(|e| {
                anyhow::anyhow!("cannot watch inbox {}: {e} (set [watch] mode = \"poll\" on filesystems without file events)", spool.inbox.display())
            })?),
            WatchMode::Poll => None,
        };
        let scan_every = Duration::from_millis(match self.config.watch.mode {
            WatchMode::Native => self.config.watch.rescan_interval_ms,
            WatchMode::Poll => self.config.watch.poll_interval_ms,
        });
        tracing::info!(
            inbox = %spool.inbox.display(),
            outbox = %spool.outbox.display(),
            workers,
            plugins = self.config.enabled_plugins().map(|p| p.name.as_str()).collect::<Vec<_>>().join(","),
            "ingestd started"
        );

        self.resume_leftovers(&spool, &permits, &tracker, &shutdown).await?;

        let mut discovery = Discovery::new(
            spool.inbox.clone(),
            self.config.watch.mode,
            Duration::from_millis(self.config.watch.settle_ms),
        );
        let mut next_scan = Instant::now();
        while !shutdown.is_cancelled() {
            if Instant::now() >= next_scan || discovery.wants_rescan() {
                rescan(&mut discovery).await;
                next_scan = Instant::now() + scan_every;
            }
            let wake = discovery.next_deadline().map_or(next_scan, |d| d.min(next_scan));
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                permit = permits.clone().acquire_owned(), if discovery.has_ready() => {
                    let permit = permit.expect("the semaphore is never closed");
                    let Some(name) = discovery.next_ready() else { continue };
                    let worker = self.worker.clone();
                    tracker.spawn_blocking(move || {
                        let _permit = permit;
                        match worker.claim_and_handle(&name) {
                            Ok(_) => {}
                            Err(e) => tracing::error!(file = %name.to_string_lossy(), "left in the spool for a retry at next start: {e}"),
                        }
                    });
                }
                Some(hint) = hints.recv() => {
                    let mut batch = vec![hint];
                    while let Ok(more) = hints.try_recv() {
                        batch.push(more);
                        if batch.len() >= HINT_CAPACITY { break; }
                    }
                    if batch.contains(&Hint::Rescan) {
                        next_scan = Instant::now();
                    } else {
                        look_at(&mut discovery, batch).await;
                    }
                }
                () = overflow.notified() => {
                    tracing::warn!("file events overflowed; rescanning the inbox");
                    next_scan = Instant::now();
                }
                () = tokio::time::sleep_until(wake.into()) => {
                    let due = discovery.due(Instant::now());
                    look_at(&mut discovery, due.into_iter().map(Hint::Changed).collect()).await;
                }
            }
        }

        tracing::info!("stopping: finishing documents in flight");
        tracker.close();
        tracker.wait().await;
        tracing::info!("stopped");
        Ok(())
    }
}

impl Daemon {
    /// Files a crash left in `work/` come first. Files already resumed after an earlier crash
    /// are suspects: they run one at a time, so a file that crashes the daemon again is
    /// identified alone and, after `max_crashes`, refused as a poison pill.
    async fn resume_leftovers(
        &self,
        spool: &Spool,
        permits: &Arc<Semaphore>,
        tracker: &TaskTracker,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        let leftovers = spool.leftovers()?;
        if leftovers.is_empty() {
            return Ok(());
        }
        tracing::info!(count = leftovers.len(), "resuming files left in {}", spool.work.display());
        let (suspects, fresh): (Vec<Claim>, Vec<Claim>) =
            leftovers.into_iter().partition(|claim| spool.resumptions(claim) > 0);
        for claim in suspects.into_iter().chain(fresh) {
            let crashes = spool.resumptions(&claim) + 1;
            let suspect = crashes > 1;
            let Some(permit) = acquire(permits, shutdown).await else {
                break;
            };
            let worker = self.worker.clone();
            let max_crashes = self.config.max_crashes;
            let job = tracker.spawn_blocking(move || {
                let _permit = permit;
                if crashes >= max_crashes {
                    if let Err(e) = worker.refuse_poison(&claim, crashes) {
                        tracing::error!(file = %claim.name.to_string_lossy(), "{e}");
                    }
                } else if let Err(e) = worker.spool().record_resumption(&claim, crashes) {
                    tracing::error!(file = %claim.name.to_string_lossy(), "not resumed until the next start: {e}");
                } else {
                    handle_claim(&worker, &claim);
                }
            });
            if suspect {
                let _ = job.await;
            }
        }
        Ok(())
    }
}

/// Waits for a worker slot, or `None` on shutdown.
async fn acquire(
    permits: &Arc<Semaphore>,
    shutdown: &CancellationToken,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    tokio::select! {
        biased;
        () = shutdown.cancelled() => None,
        permit = permits.clone().acquire_owned() => permit.ok(),
    }
}

fn handle_claim(worker: &Worker, claim: &Claim) {
    if let Err(e) = worker.handle(claim) {
        tracing::error!(file = %claim.name.to_string_lossy(), "left in the spool for a retry at next start: {e}");
    }
}

/// A full scan of the inbox, off the async threads.
async fn rescan(discovery: &mut Discovery) {
    let inbox = discovery.inbox().to_owned();
    match tokio::task::spawn_blocking(move || discovery::scan(&inbox)).await {
        Ok(Ok(entries)) => discovery.on_scan(entries, Instant::now(), SystemTime::now()),
        Ok(Err(e)) => tracing::error!(inbox = %discovery.inbox().display(), "cannot scan inbox: {e}"),
        Err(e) => tracing::error!("inbox scan task failed: {e}"),
    }
}

/// Looks at the entries named by hints, off the async threads.
async fn look_at(discovery: &mut Discovery, hints: Vec<Hint>) {
    let inbox = discovery.inbox().to_owned();
    let looked = tokio::task::spawn_blocking(move || {
        hints
            .into_iter()
            .filter_map(|hint| match hint {
                Hint::Arrived(name) => Some((discovery::stat(&inbox, &name), name, true)),
                Hint::Changed(name) => Some((discovery::stat(&inbox, &name), name, false)),
                Hint::Rescan => None,
            })
            .collect::<Vec<_>>()
    })
    .await;
    let Ok(looked) = looked else { return };
    let (now, wall) = (Instant::now(), SystemTime::now());
    for (kind, name, announced) in looked {
        discovery.observe(name, kind, announced, now, wall);
    }
}
