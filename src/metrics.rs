//! Prometheus metrics: one process-wide recorder (the `metrics` facade with
//! the Prometheus exporter), served as text on its own HTTP listener.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `zhtext_requests_total` | counter | `method`, `code` (gRPC status name) |
//! | `zhtext_request_duration_seconds` | histogram | `method` |
//! | `zhtext_request_received_bytes_total` | counter | `method` (message bytes, after decompression) |
//! | `zhtext_request_sent_bytes_total` | counter | `method` |
//! | `zhtext_text_bytes_processed_total` | counter | `method` (UTF-8 bytes of `text` handed to the pipeline) |
//! | `zhtext_requests_in_flight` | gauge | |
//! | `zhtext_requests_shed_total` | counter | `method` (refused by `ZHTEXT_MAX_CONCURRENCY`) |
//! | `zhtext_work_abandoned_total` | counter | `method` (cancelled: deadline passed or client gone) |
//! | `zhtext_dictionary_reloads_total` | counter | `result` = `ok` / `error` |
//! | `zhtext_build_info` | gauge (1) | `version` |
//!
//! `method` is the full gRPC method name for the methods this server
//! implements and `unknown` otherwise, so label values stay bounded.

use std::{future::Future, sync::OnceLock, time::Duration};

use axum::{Router, routing::get};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// Installs the recorder on first call and returns its handle. Later calls
/// (tests starting several servers) share it.
pub fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = match builder().install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (an embedding application's):
                // keep a private one so /metrics still answers.
                Err(_) => builder().build_recorder().handle(),
            };
            metrics::gauge!("zhtext_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

/// Latency buckets from 0.5 ms (a health check) to 30 s (a 4 MiB text
/// through the whole tagger on a busy core).
const LATENCY_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

fn builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("zhtext_request_duration_seconds".into()),
            &LATENCY_BUCKETS,
        )
        .expect("the bucket list is not empty")
}

/// Full names of the TextService methods, as they appear in request paths
/// and in the `method` label.
pub mod method {
    /// `Normalize`.
    pub const NORMALIZE: &str = "/zhtext.v1.TextService/Normalize";
    /// `Segment`.
    pub const SEGMENT: &str = "/zhtext.v1.TextService/Segment";
    /// `TagEntities`.
    pub const TAG_ENTITIES: &str = "/zhtext.v1.TextService/TagEntities";
    /// `ExtractKeywords`.
    pub const EXTRACT_KEYWORDS: &str = "/zhtext.v1.TextService/ExtractKeywords";
}

/// The methods served on the gRPC listener.
const METHODS: [&str; 8] = [
    method::NORMALIZE,
    method::SEGMENT,
    method::TAG_ENTITIES,
    method::EXTRACT_KEYWORDS,
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// The `method` label of a request path: the method itself if it is one
/// this server implements, else `unknown` (a client cannot mint labels).
pub fn method_label(path: &str) -> &'static str {
    METHODS.into_iter().find(|m| *m == path).unwrap_or("unknown")
}

/// Records a finished request (any outcome).
pub fn request_finished(method: &'static str, code: tonic::Code, elapsed: Duration, received: u64, sent: u64) {
    metrics::counter!("zhtext_requests_total", "method" => method, "code" => code_name(code)).increment(1);
    metrics::histogram!("zhtext_request_duration_seconds", "method" => method).record(elapsed.as_secs_f64());
    metrics::counter!("zhtext_request_received_bytes_total", "method" => method).increment(received);
    metrics::counter!("zhtext_request_sent_bytes_total", "method" => method).increment(sent);
}

/// A request started or finished (the in-flight gauge).
pub fn in_flight(delta: f64) {
    metrics::gauge!("zhtext_requests_in_flight").increment(delta);
}

/// Counts a request refused by admission control.
pub fn request_shed(path: &str) {
    metrics::counter!("zhtext_requests_shed_total", "method" => method_label(path)).increment(1);
}

/// Counts text handed to the pipeline.
pub fn text_processed(method: &'static str, bytes: usize) {
    metrics::counter!("zhtext_text_bytes_processed_total", "method" => method).increment(bytes as u64);
}

/// Counts work cancelled because nobody waited for its result.
pub fn work_abandoned(method: &'static str) {
    metrics::counter!("zhtext_work_abandoned_total", "method" => method).increment(1);
}

/// gRPC's canonical upper-case status names.
fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
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
