//! What the daemon counts about itself, for operators: Prometheus metrics, the health check
//! behind `/healthz`, and the progress the systemd watchdog pings from.
//!
//! Counting is always on (a few atomics per document); serving is optional (`[metrics]`).
//! Health is judged from real progress, never from a timer: the discovery loop must have
//! turned recently, and if documents are in flight, one must have started or finished
//! recently. A plugin stuck on a document therefore stops the watchdog pings.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of `ingestd_documents_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `done` or `failed`.
    pub outcome: String,
}

/// Labels of per-plugin metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PluginLabels {
    /// The plugin's configured name.
    pub plugin: String,
}

/// Labels of `ingestd_plugin_errors_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PluginErrorLabels {
    /// The plugin's configured name.
    pub plugin: String,
    /// `error`, `panic`, `timeout`, `cancelled` or `invalid_output`.
    pub kind: String,
}

fn latency_histogram() -> Histogram {
    // 0.1 ms .. ~13 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 18))
}

/// The daemon's counters and gauges, and the progress marks health is judged from.
pub struct Metrics {
    registry: Registry,
    documents: Family<OutcomeLabels, Counter>,
    plugin_seconds: Family<PluginLabels, Histogram, fn() -> Histogram>,
    plugin_errors: Family<PluginErrorLabels, Counter>,
    in_flight: Gauge,
    ready_queue: Gauge,
    inbox_backlog: Gauge,
    oldest_age: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// When the process started; the marks below are milliseconds since then.
    started: Instant,
    loop_mark: AtomicU64,
    work_mark: AtomicU64,
    /// Oldest inbox file's mtime (Unix seconds) at the last scan; 0 when the inbox was empty.
    oldest_mtime: AtomicI64,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ingestd");
        let documents = Family::<OutcomeLabels, Counter>::default();
        registry.register("documents", "Documents that reached an outcome", documents.clone());
        let plugin_seconds = Family::<PluginLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "plugin_duration_seconds",
            "Time one plugin took on one document",
            plugin_seconds.clone(),
        );
        let plugin_errors = Family::<PluginErrorLabels, Counter>::default();
        registry.register(
            "plugin_errors",
            "Plugin calls that gave no result, by kind",
            plugin_errors.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("in_flight", "Documents being analysed now", in_flight.clone());
        let ready_queue = Gauge::default();
        registry.register("ready_queue", "Inbox files ready and waiting for a worker", ready_queue.clone());
        let inbox_backlog = Gauge::default();
        registry.register("inbox_backlog", "Files in the inbox at the last scan", inbox_backlog.clone());
        let oldest_age = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "oldest_unprocessed_age_seconds",
            "Age of the oldest inbox file at the last scan (0 when empty)",
            oldest_age.clone(),
        );
        Self {
            registry,
            documents,
            plugin_seconds,
            plugin_errors,
            in_flight,
            ready_queue,
            inbox_backlog,
            oldest_age,
            started: Instant::now(),
            loop_mark: AtomicU64::new(0),
            work_mark: AtomicU64::new(0),
            oldest_mtime: AtomicI64::new(0),
        }
    }
}

impl Metrics {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The discovery loop turned: the daemon is not wedged.
    pub fn loop_turned(&self) {
        self.loop_mark.store(self.now_ms(), Ordering::Relaxed);
    }

    /// A document was taken up.
    pub fn document_started(&self) {
        self.in_flight.inc();
        self.work_mark.store(self.now_ms(), Ordering::Relaxed);
    }

    /// A document reached `outcome` (`done`, `failed`) or was not ours after all (`None`).
    pub fn document_finished(&self, outcome: Option<&str>) {
        self.in_flight.dec();
        self.work_mark.store(self.now_ms(), Ordering::Relaxed);
        if let Some(outcome) = outcome {
            self.documents.get_or_create(&OutcomeLabels { outcome: outcome.to_owned() }).inc();
        }
    }

    /// Records the per-plugin times and errors of one result.
    pub fn observe_result<R>(&self, result: &ingest_abi::ArticleResult<R>) {
        for (plugin, report) in &result.plugins {
            self.plugin_seconds
                .get_or_create(&PluginLabels { plugin: plugin.clone() })
                .observe(report.ms / 1000.0);
        }
        for error in &result.errors {
            if let Some(plugin) = &error.plugin {
                self.plugin_errors
                    .get_or_create(&PluginErrorLabels { plugin: plugin.clone(), kind: error.kind.clone() })
                    .inc();
            }
        }
    }

    /// The ready queue's length now.
    pub fn set_ready_queue(&self, len: usize) {
        self.ready_queue.set(len as i64);
    }

    /// What the last inbox scan saw: how many files, and the oldest one's mtime.
    pub fn set_inbox(&self, files: usize, oldest: Option<SystemTime>) {
        self.inbox_backlog.set(files as i64);
        let secs = oldest
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        self.oldest_mtime.store(secs, Ordering::Relaxed);
    }

    /// True when the daemon has made progress within `window`: the discovery loop turned,
    /// and either nothing is in flight or a document started or finished.
    pub fn healthy(&self, window: Duration) -> bool {
        let now = self.now_ms();
        let window = window.as_millis() as u64;
        let recent = |mark: &AtomicU64| now.saturating_sub(mark.load(Ordering::Relaxed)) <= window;
        recent(&self.loop_mark) && (self.in_flight.get() == 0 || recent(&self.work_mark))
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let oldest = self.oldest_mtime.load(Ordering::Relaxed);
        let age = if oldest == 0 {
            0.0
        } else {
            let now =
                SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            (now - oldest).max(0) as f64
        };
        self.oldest_age.set(age);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String never fails");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_up_in_prometheus_text() {
        let m = Metrics::default();
        m.document_started();
        m.document_finished(Some("done"));
        m.set_inbox(7, Some(SystemTime::now() - Duration::from_secs(30)));
        let text = m.render();
        assert!(text.contains("ingestd_documents_total{outcome=\"done\"} 1"), "{text}");
        assert!(text.contains("ingestd_inbox_backlog 7"), "{text}");
        assert!(text.contains("ingestd_oldest_unprocessed_age_seconds 3"), "{text}");
    }

    #[test]
    fn health_needs_recent_progress() {
        let m = Metrics::default();
        m.loop_turned();
        assert!(m.healthy(Duration::from_secs(5)));
        m.document_started();
        assert!(m.healthy(Duration::from_secs(5)), "just started counts as progress");
        std::thread::sleep(Duration::from_millis(30));
        m.loop_turned();
        assert!(!m.healthy(Duration::from_millis(10)), "a document stuck past the window is not healthy");
    }
}
