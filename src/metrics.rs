//! Prometheus metrics: one process-wide recorder (the `metrics` facade with
//! the Prometheus exporter), served as text on its own HTTP listener.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `zhtext_dictionary_reloads_total` | counter | `result` = `ok` / `error` |
//! | `zhtext_build_info` | gauge (1) | `version` |

use std::{future::Future, sync::OnceLock};

use axum::{Router, routing::get};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// Installs the recorder on first call and returns its handle. Later calls
/// (tests starting several servers) share it.
pub fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = match PrometheusBuilder::new().install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (an embedding application's):
                // keep a private one so /metrics still answers.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            };
            metrics::gauge!("zhtext_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

/// Counts a dictionary reload attempt.
pub fn dictionary_reloaded(ok: bool) {
    let result = if ok { "ok" } else { "error" };
    metrics::counter!("zhtext_dictionary_reloads_total", "result" => result).increment(1);
}

/// Serves `GET /metrics` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    handle: PrometheusHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move { handle.render() }
        }),
    );
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
