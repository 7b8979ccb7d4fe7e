//! Logging and trace export. Logs are human-readable or JSON lines on
//! stderr, filtered by `RUST_LOG` (default `info`). When the standard
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is
//! set, the server also exports its request spans over OTLP/gRPC (batched,
//! on a background thread), continuing the caller's trace when a request
//! carries a W3C `traceparent` header. Unset, nothing is exported and no
//! request pays for it.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use anyhow::Context as _;
use opentelemetry::{propagation::Extractor, trace::TracerProvider as _};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing::Level;
use tracing_subscriber::{EnvFilter, Layer, filter::Targets, fmt, layer::SubscriberExt, util::SubscriberInitExt};

use crate::config::LogFormat;

/// Environment variables that turn trace export on (the OpenTelemetry
/// names; the exporter reads them, and the other `OTEL_*` settings, itself).
const ENDPOINT_VARS: [&str; 2] = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"];

/// How long the last spans may take to leave at shutdown: within the
/// Deployment's margin between the drain and the kubelet's SIGKILL, so an
/// unreachable collector costs traces, never a clean exit.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether spans are exported, read per request by [`continue_trace`].
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether request spans go to an OpenTelemetry collector.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Installs the global subscriber with logs only. Safe to call more than
/// once (later calls are ignored), which tests rely on.
pub fn init(format: LogFormat) {
    install(format, None);
}

/// What [`init_with_export`] set up; [`Telemetry::shutdown`] flushes it.
#[must_use = "spans still queued are lost unless shutdown() is called"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still queued and stops the exporter, for at most
    /// [`FLUSH_TIMEOUT`]. Blocks; call it outside the runtime, while the
    /// runtime is still alive (the exporter's gRPC channel runs on it).
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown_with_timeout(FLUSH_TIMEOUT)
        {
            tracing::warn!(%error, "flushing the last trace spans failed");
        }
    }
}

/// Installs the global subscriber and, if an OTLP endpoint is configured,
/// the span exporter. Call it inside the Tokio runtime that serves.
pub fn init_with_export(format: LogFormat) -> anyhow::Result<Telemetry> {
    let endpoint = ENDPOINT_VARS
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()));
    let Some(endpoint) = endpoint else {
        install(format, None);
        return Ok(Telemetry { provider: None });
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .build()
        .with_context(|| format!("setting up the OTLP span exporter for {endpoint}"))?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("zhtext")
                .with_attribute(opentelemetry::KeyValue::new(
                    "service.version",
                    env!("CARGO_PKG_VERSION"),
                ))
                .build(),
        )
        .build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    install(format, Some(&provider));
    EXPORTING.store(true, Ordering::Relaxed);
    tracing::info!(%endpoint, "exporting trace spans over OTLP/gRPC");
    Ok(Telemetry {
        provider: Some(provider),
    })
}

fn install(format: LogFormat, provider: Option<&SdkTracerProvider>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let Some(provider) = provider else {
        // Logs only: one global filter, the cheapest subscriber per request.
        // (The registry with the boxed `logs` layer below, used here too,
        // cost 2-3 µs more of server CPU per Health request in six
        // alternating pairs, so the two formats are set up twice.)
        let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
        let _ = match format {
            LogFormat::Text => builder.try_init(),
            LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        };
        return;
    };
    let logs = match format {
        LogFormat::Text => fmt::layer().with_writer(std::io::stderr).boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    // Spans are exported whatever RUST_LOG says of the logs: the request
    // spans are info level, and a quiet log should not blind the traces.
    let traces = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("zhtext"))
        .with_filter(Targets::new().with_target("zhtext", Level::INFO));
    let _ = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(traces)
        .try_init();
}

/// Makes `span` a child of the trace the request's `traceparent` header
/// names, when spans are exported and the header is there.
pub fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    if !exporting() || !headers.contains_key("traceparent") {
        return;
    }
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(headers)));
    let _ = span.set_parent(parent);
}

/// Reads propagation headers from an HTTP request.
struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}
