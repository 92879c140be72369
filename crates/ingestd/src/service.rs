//! Service glue: telling systemd how we are (`READY`, `STOPPING`, `RELOADING`, watchdog pings
//! from real progress) and serving metrics and health over HTTP when configured.
//!
//! Outside systemd every notification is a no-op (`NOTIFY_SOCKET` is unset).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

fn notify(state: NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// The daemon is up: folders open, plugins loaded, the start-up scan queued.
pub fn ready() {
    notify(NotifyState::Ready);
}

/// The daemon is stopping: documents in flight are finishing.
pub fn stopping() {
    notify(NotifyState::Stopping);
}

/// The daemon is re-reading its configuration.
pub fn reloading() {
    notify(NotifyState::Reloading);
}

/// Pings the systemd watchdog at half its interval, but only while `metrics` shows progress
/// within the interval; a wedged pipeline stops the pings and systemd restarts the service
/// (its claimed files are then resumed, and a file that keeps wedging it becomes a poison
/// pill). Returns at once when no watchdog is configured.
pub async fn watchdog(metrics: Arc<Metrics>, shutdown: CancellationToken) {
    let Some(interval) = sd_notify::watchdog_enabled() else { return };
    let mut tick = tokio::time::interval(interval / 2);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {
                if metrics.healthy(interval) {
                    notify(NotifyState::Watchdog);
                } else {
                    tracing::error!("no progress for {interval:?}: not pinging the systemd watchdog");
                }
            }
        }
    }
}

/// How long without progress `/healthz` tolerates before answering 503.
const HEALTH_WINDOW: Duration = Duration::from_secs(60);

async fn metrics_text(State(metrics): State<Arc<Metrics>>) -> ([(&'static str, &'static str); 1], String) {
    ([("content-type", "text/plain; version=0.0.4; charset=utf-8")], metrics.render())
}

async fn healthz(State(metrics): State<Arc<Metrics>>) -> (StatusCode, &'static str) {
    if metrics.healthy(HEALTH_WINDOW) {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "no progress\n")
    }
}

/// Binds `listen` (the error names the address) and returns the server future, which serves
/// `/metrics` (Prometheus text) and `/healthz` until `shutdown`.
pub async fn serve_metrics(
    listen: SocketAddr,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> anyhow::Result<impl std::future::Future<Output = ()>> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {listen} (metrics.listen): {e}"))?;
    tracing::info!(%listen, "serving /metrics and /healthz");
    let app = Router::new()
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(healthz))
        .with_state(metrics);
    Ok(async move {
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await {
            tracing::error!("metrics server stopped: {e}");
        }
    })
}
