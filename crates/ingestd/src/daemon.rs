//! `ingestd run`: wires discovery, the worker pool, reloads and shutdown together.
//!
//! The stop signals are injected ([`CancellationToken`] for shutdown, a channel for reload
//! requests), so the binary ties them to signals and tests can drive them. On shutdown,
//! discovery stops handing out names at once; documents already claimed finish and are
//! committed; unclaimed files stay in the inbox untouched. Nothing is ever half-written.
//!
//! A reload re-reads the configuration and checks it (plugins are created on a scratch state
//! folder, which validates their settings) while the running generation goes on; only a
//! valid configuration replaces it: the old generation drains, its plugins are destroyed,
//! the new ones are created. An invalid one is logged and ignored.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{Config, Overrides, WatchMode};
use crate::discovery::{self, Discovery, EntryKind};
use crate::host::Pipeline;
use crate::metrics::Metrics;
use crate::service;
use crate::spool::{Claim, Spool, StateLock};
use crate::watch::{Hint, watch_inbox};
use crate::worker::Worker;

/// Capacity of the file-event channel; past it, events collapse into one rescan.
const HINT_CAPACITY: usize = 4096;
/// The discovery loop turns at least this often, so health reflects a live loop.
const MAX_IDLE: Duration = Duration::from_secs(1);

/// Where the configuration comes from, so a reload can read it again.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// `--config`, if given.
    pub path: Option<PathBuf>,
    /// Folder overrides from the command line.
    pub overrides: Overrides,
}

impl ConfigSource {
    /// Reads the configuration.
    pub fn load(&self) -> Result<crate::config::Loaded, crate::config::ConfigError> {
        Config::load(self.path.as_deref(), &self.overrides)
    }
}

/// Creates every plugin on a scratch state folder and destroys it again: validates plugin
/// settings without touching the real state (used by `check-config` and reloads).
pub fn validate_plugins(config: &Config) -> anyhow::Result<()> {
    let scratch = tempfile::tempdir().context("cannot create a temporary state folder")?;
    Pipeline::load(config, scratch.path())?;
    Ok(())
}

/// Runs the daemon until `shutdown`, replacing its configuration on each message on
/// `reloads` (SIGHUP, or a change of the config file).
pub async fn serve(
    source: ConfigSource,
    config: Config,
    shutdown: CancellationToken,
    mut reloads: mpsc::Receiver<()>,
) -> anyhow::Result<()> {
    let _lock = StateLock::acquire(&config.state)?;
    let metrics = Arc::new(Metrics::default());
    if config.metrics.enabled {
        let server = service::serve_metrics(config.metrics.listen, metrics.clone(), shutdown.clone()).await?;
        tokio::spawn(server);
    }
    tokio::spawn(service::watchdog(metrics.clone(), shutdown.clone()));

    let mut config = config;
    let mut daemon = Daemon::new(config.clone(), metrics.clone(), &shutdown)?;
    loop {
        let generation = shutdown.child_token();
        let mut running = tokio::spawn(daemon.run(generation.clone()));
        let next = loop {
            tokio::select! {
                finished = &mut running => {
                    service::stopping();
                    return finished.context("the daemon task failed")?;
                }
                Some(()) = reloads.recv() => {
                    // Editors write in several steps: let them finish, then reload once.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    while reloads.try_recv().is_ok() {}
                    service::reloading();
                    let checked = tokio::select! {
                        checked = reload(&source) => checked,
                        // Stopping wins over a reload in progress.
                        () = shutdown.cancelled() => continue,
                    };
                    match checked {
                        Ok(new) if new.state != config.state => {
                            tracing::error!(
                                state = %new.state.display(),
                                "reload refused: changing `state` takes a restart (it holds the lock and the files in flight)"
                            );
                            service::ready();
                        }
                        Ok(new) => break new,
                        Err(e) => {
                            tracing::error!("reload refused, the running configuration stays: {e:#}");
                            service::ready();
                        }
                    }
                }
            }
        };
        tracing::info!("reloading: finishing documents in flight");
        generation.cancel();
        running.await.context("the daemon task failed")??;
        if shutdown.is_cancelled() {
            service::stopping();
            return Ok(());
        }
        // The old plugins are destroyed (they were owned by the finished run) before the new
        // ones open the same state.
        daemon = match Daemon::new(next.clone(), metrics.clone(), &shutdown) {
            Ok(d) => {
                config = next;
                tracing::info!("configuration reloaded");
                d
            }
            Err(e) => {
                tracing::error!("reload failed, restoring the previous configuration: {e:#}");
                Daemon::new(config.clone(), metrics.clone(), &shutdown)?
            }
        };
    }
}

/// Reads and validates the configuration again, off the async threads.
async fn reload(source: &ConfigSource) -> anyhow::Result<Config> {
    let source = source.clone();
    tokio::task::spawn_blocking(move || {
        let loaded = source.load()?;
        validate_plugins(&loaded.config)?;
        Ok(loaded.config)
    })
    .await
    .context("the reload task failed")?
}

/// One generation of the daemon: a configuration, its folders and its plugins.
pub struct Daemon {
    config: Config,
    worker: Arc<Worker>,
    metrics: Arc<Metrics>,
}

impl Daemon {
    /// Creates the folders and loads the plugins. Errors name the folder or plugin involved.
    /// `shutdown` stops retries of failing spool writes (the process is going away).
    pub fn new(config: Config, metrics: Arc<Metrics>, shutdown: &CancellationToken) -> anyhow::Result<Self> {
        let spool = Spool::open(&config)?;
        let pipeline = Pipeline::load(&config, &config.state.join("plugins"))?;
        let worker = Arc::new(Worker::new(
            spool,
            pipeline,
            config.max_bytes,
            config.worker_count(),
            shutdown.clone(),
            metrics.clone(),
        )?);
        Ok(Self { config, worker, metrics })
    }

    /// Runs until `stop` is cancelled, then lets in-flight documents finish.
    pub async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        let workers = self.config.worker_count();
        let permits = Arc::new(Semaphore::new(workers));
        let tracker = TaskTracker::new();
        let spool = self.worker.spool().clone();

        let (tx, mut hints) = mpsc::channel(HINT_CAPACITY);
        let overflow = Arc::new(Notify::new());
        let _watch = match self.config.watch.mode {
            WatchMode::Native => Some(watch_inbox(&spool.inbox, tx, overflow.clone()).map_err(|e| {
                anyhow::anyhow!(
                    "cannot watch inbox {}: {e} (set [watch] mode = \"poll\" on filesystems without file events)",
                    spool.inbox.display()
                )
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

        self.resume_leftovers(&spool, &permits, &tracker, &stop).await?;

        let mut discovery = Discovery::new(
            spool.inbox.clone(),
            self.config.watch.mode,
            Duration::from_millis(self.config.watch.settle_ms),
        );
        rescan(&mut discovery, &self.metrics).await;
        let mut next_scan = Instant::now() + scan_every;
        service::ready();

        while !stop.is_cancelled() {
            self.metrics.loop_turned();
            self.metrics.set_ready_queue(discovery.ready_len());
            if Instant::now() >= next_scan || discovery.wants_rescan() {
                rescan(&mut discovery, &self.metrics).await;
                next_scan = Instant::now() + scan_every;
            }
            let wake = discovery
                .next_deadline()
                .map_or(next_scan, |d| d.min(next_scan))
                .min(Instant::now() + MAX_IDLE);
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                permit = permits.clone().acquire_owned(), if discovery.has_ready() => {
                    let permit = permit.expect("the semaphore is never closed");
                    let Some(name) = discovery.next_ready() else { continue };
                    let worker = self.worker.clone();
                    tracker.spawn_blocking(move || {
                        let _permit = permit;
                        if let Err(e) = worker.claim_and_handle(&name) {
                            tracing::error!(file = %name.to_string_lossy(), "{e}");
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
        // The last analysed documents are committed before the stop counts as clean.
        let worker = self.worker.clone();
        tokio::task::spawn_blocking(move || worker.finish_commits())
            .await
            .context("the commit task failed")?;
        spool.mark_clean_stop()?;
        tracing::info!("stopped");
        Ok(())
    }

    /// Files a crash left in `work/` come first. Files already resumed after an earlier crash
    /// are suspects: they run one at a time, so a file that crashes the daemon again is
    /// identified alone and, after `max_crashes`, refused as a poison pill.
    async fn resume_leftovers(
        &self,
        spool: &Spool,
        permits: &Arc<Semaphore>,
        tracker: &TaskTracker,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        // After a graceful stop, what is left in work/ (a write that kept failing until the
        // stop) was not in flight during a crash.
        let crashed = u32::from(!spool.take_clean_stop());
        let leftovers = spool.leftovers()?;
        if leftovers.is_empty() {
            return Ok(());
        }
        tracing::info!(count = leftovers.len(), "resuming files left in {}", spool.work.display());
        for (claim, crashes) in resume_order(spool, leftovers, crashed) {
            let suspect = is_suspect(crashes);
            let Some(permit) = acquire(permits, stop).await else {
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
                } else if crashes > 0
                    && let Err(e) = worker.spool().record_resumption(&claim, crashes)
                {
                    tracing::error!(file = %claim.name.to_string_lossy(), "not resumed until the next start: {e}");
                } else if suspect {
                    // Nothing else is in flight while a suspect is, its commit included: no
                    // other input shares its batch or the plugins' flush. A commit given up at
                    // shutdown is logged by the committer (not again here).
                    worker.wait_commits_idle();
                    if let Err(e) = worker.handle_and_wait(&claim) {
                        tracing::error!(
                            file = %claim.name.to_string_lossy(),
                            "left in the spool for a retry at next start: {e}"
                        );
                    }
                } else if let Err(e) = worker.handle(&claim) {
                    tracing::error!(
                        file = %claim.name.to_string_lossy(),
                        "left in the spool for a retry at next start: {e}"
                    );
                }
            });
            if suspect {
                let _ = job.await;
            }
        }
        Ok(())
    }
}

/// Whether a file in flight during `crashes` crashes is a suspect, run alone: one crash may
/// be anyone's, a second one while it was resumed points at it.
fn is_suspect(crashes: u32) -> bool {
    crashes > 1
}

/// The leftovers in the order they are resumed, each with the crashes it was in flight
/// during (`crashed` is 1 when this start follows a crash): suspects ([`is_suspect`]) first,
/// so each runs alone before anything else starts, then the others, by name.
fn resume_order(spool: &Spool, leftovers: Vec<Claim>, crashed: u32) -> Vec<(Claim, u32)> {
    let counted = leftovers.into_iter().map(|claim| {
        let crashes = spool.resumptions(&claim) + crashed;
        (claim, crashes)
    });
    let (mut suspects, fresh): (Vec<_>, Vec<_>) = counted.partition(|(_, crashes)| is_suspect(*crashes));
    suspects.extend(fresh);
    suspects
}

/// Waits for a worker slot, or `None` on shutdown.
async fn acquire(
    permits: &Arc<Semaphore>,
    stop: &CancellationToken,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    tokio::select! {
        biased;
        () = stop.cancelled() => None,
        permit = permits.clone().acquire_owned() => permit.ok(),
    }
}

/// A full scan of the inbox, off the async threads.
async fn rescan(discovery: &mut Discovery, metrics: &Metrics) {
    let inbox = discovery.inbox().to_owned();
    match tokio::task::spawn_blocking(move || discovery::scan(&inbox)).await {
        Ok(Ok(entries)) => {
            let oldest = entries
                .iter()
                .filter_map(|(_, kind)| match kind {
                    EntryKind::File { mtime, .. } => Some(*mtime),
                    EntryKind::Other => None,
                })
                .min();
            metrics.set_inbox(entries.len(), oldest);
            discovery.on_scan(entries, Instant::now(), SystemTime::now());
        }
        Ok(Err(e)) => tracing::error!(inbox = %discovery.inbox().display(), "cannot scan inbox: {e}"),
        Err(e) => tracing::error!("inbox scan task failed: {e}"),
    }
}

/// Looks at the entries named by hints, off the async threads.
async fn look_at(discovery: &mut Discovery, hints: Vec<Hint>) {
    if hints.is_empty() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Suspects are the files resumed during a second crash: they come first (each runs
    /// alone), and a file resumed once after a clean stop is not one, so it cannot start
    /// before a suspect and share its batch.
    #[test]
    fn suspects_by_the_crash_rule_are_resumed_first() {
        let dir = tempfile::tempdir().unwrap();
        let spool = crate::spool::test_support::spool(dir.path());
        for (name, resumed) in [("a.txt", 1), ("b.txt", 2), ("c.txt", 0)] {
            std::fs::write(spool.work.join(name), name).unwrap();
            let claim = Claim { path: spool.work.join(name), name: name.into() };
            if resumed > 0 {
                spool.record_resumption(&claim, resumed).unwrap();
            }
        }
        let order = |crashed| -> Vec<(String, u32)> {
            resume_order(&spool, spool.leftovers().unwrap(), crashed)
                .into_iter()
                .map(|(claim, crashes)| (claim.name.to_string_lossy().into_owned(), crashes))
                .collect()
        };
        // After a clean stop only b.txt (resumed twice) is a suspect; a.txt comes after it.
        assert_eq!(order(0), [("b.txt".into(), 2), ("a.txt".into(), 1), ("c.txt".into(), 0)]);
        // After a crash, a.txt and b.txt are both suspects.
        assert_eq!(order(1), [("a.txt".into(), 2), ("b.txt".into(), 3), ("c.txt".into(), 1)]);
    }
}
