//! The gRPC server: TextService, health and reflection on one listener,
//! with a shutdown future supplied by the caller (a signal in `main`, a
//! channel in tests).

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::net::TcpListener;
use tonic::{
    codec::CompressionEncoding,
    transport::{Certificate, Identity, Server, ServerTlsConfig, server::TcpIncoming},
};
use tonic_health::{ServingStatus, server::HealthReporter};

use crate::{
    api::{
        Admission, LoadStats, PipelineSlot, TextApi, WorkPool,
        observe::ObserveLayer,
        proto::{self, text_service_server::TextServiceServer},
    },
    config::ServeConfig,
    linger::LingeringStream,
    reload::{self, DictionarySources, ReloadStats},
    text::pipeline::Pipeline,
};

/// What the server needs besides its listener.
#[derive(Debug)]
pub struct ServerSettings {
    /// Largest accepted `text`, in UTF-8 bytes.
    pub max_text_bytes: usize,
    /// User dictionaries to watch for changes.
    pub dictionaries: DictionarySources,
    /// How often to look for dictionary changes.
    pub dictionary_poll: Duration,
    /// Where to serve Prometheus metrics, if anywhere.
    pub metrics_listener: Option<TcpListener>,
    /// Counters of the dictionary reloader (shared so tests can read them).
    pub reload_stats: Arc<ReloadStats>,
    /// TextService requests in flight at most; more are refused with
    /// RESOURCE_EXHAUSTED.
    pub max_concurrency: usize,
    /// Texts processed at the same time (worker threads of the work pool).
    pub workers: usize,
    /// Counters of admission control and the work pool.
    pub load_stats: Arc<LoadStats>,
    /// How long requests in flight may take to finish after shutdown is
    /// requested.
    pub shutdown_grace: Duration,
    /// Connections are closed (GOAWAY, then drained) after this age, so
    /// clients reconnect and spread over new replicas.
    pub max_connection_age: Option<Duration>,
    /// TLS, and client certificate checking when it holds a CA.
    pub tls: Option<TlsSettings>,
}

/// PEM-encoded TLS material.
#[derive(Clone, Debug)]
pub struct TlsSettings {
    /// Server certificate chain.
    pub cert: Vec<u8>,
    /// Server private key.
    pub key: Vec<u8>,
    /// CA that client certificates must chain to (mutual TLS); without it
    /// any client may connect.
    pub client_ca: Option<Vec<u8>>,
}

impl TlsSettings {
    /// Reads the PEM files named in the configuration.
    pub fn read(
        cert: &std::path::Path,
        key: &std::path::Path,
        client_ca: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let read = |path: &std::path::Path| std::fs::read(path).with_context(|| format!("reading {}", path.display()));
        Ok(TlsSettings {
            cert: read(cert)?,
            key: read(key)?,
            client_ca: client_ca.map(read).transpose()?,
        })
    }

    fn server_config(&self) -> ServerTlsConfig {
        let config = ServerTlsConfig::new().identity(Identity::from_pem(&self.cert, &self.key));
        match &self.client_ca {
            Some(ca) => config.client_ca_root(Certificate::from_pem(ca)),
            None => config,
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            max_text_bytes: ServeConfig::DEFAULT_MAX_TEXT_BYTES,
            dictionaries: DictionarySources::default(),
            dictionary_poll: Duration::from_secs(ServeConfig::DEFAULT_DICT_POLL_SECS),
            metrics_listener: None,
            reload_stats: Arc::default(),
            max_concurrency: ServeConfig::default_max_concurrency(),
            workers: ServeConfig::default_workers(),
            load_stats: Arc::default(),
            shutdown_grace: Duration::from_secs(ServeConfig::DEFAULT_SHUTDOWN_GRACE_SECS),
            max_connection_age: None,
            tls: None,
        }
    }
}

/// A loaded pipeline and the fingerprint of the dictionary files it was
/// built from, so the reloader knows what it has.
pub struct LoadedPipeline {
    /// The pipeline.
    pub pipeline: Arc<Pipeline>,
    /// `Snapshot::fingerprint` of the user dictionaries used.
    pub dictionaries_fingerprint: u64,
}

impl From<Arc<Pipeline>> for LoadedPipeline {
    fn from(pipeline: Arc<Pipeline>) -> Self {
        LoadedPipeline {
            pipeline,
            dictionaries_fingerprint: DictionarySources::default().snapshot().fingerprint(),
        }
    }
}

/// Room for the other request fields on top of the text limit, so that a
/// request at the text limit still fits in one frame.
const FRAME_OVERHEAD_BYTES: usize = 64 * 1024;

/// The names health reports on: the whole server and the text service.
const HEALTH_SERVICES: [&str; 2] = ["", "zhtext.v1.TextService"];

async fn set_health(reporter: &HealthReporter, status: ServingStatus) {
    for service in HEALTH_SERVICES {
        reporter.set_service_status(service, status).await;
    }
}

/// Serves on `listener` until `shutdown` completes.
///
/// Whether the server behind `channel` answers the overall health check
/// with SERVING (an error or any other status is "not yet").
pub async fn reports_serving(channel: tonic::transport::Channel) -> bool {
    use tonic_health::pb::{HealthCheckRequest, health_check_response, health_client::HealthClient};
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest { service: String::new() })
        .await;
    status.is_ok_and(|s| s.into_inner().status() == health_check_response::ServingStatus::Serving)
}

/// Health reports NOT_SERVING until `pipeline` resolves (loading the
/// dictionaries takes a moment, and the listener should already answer
/// probes), then SERVING. When `shutdown` fires, health flips back to
/// NOT_SERVING, the listener closes, and requests in flight get up to
/// `settings.shutdown_grace` to finish before `run` returns. A pipeline that
/// fails to load stops the server with that error.
pub async fn run<P, S>(listener: TcpListener, settings: ServerSettings, pipeline: P, shutdown: S) -> anyhow::Result<()>
where
    P: Future<Output = anyhow::Result<LoadedPipeline>> + Send + 'static,
    S: Future<Output = ()> + Send,
{
    let local_addr = listener.local_addr().context("reading the listener address")?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    set_health(&reporter, ServingStatus::NotServing).await;

    let metrics = match settings.metrics_listener {
        Some(listener) => {
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let addr = listener.local_addr().ok();
            tracing::info!(?addr, "serving metrics on /metrics");
            let task = tokio::spawn(crate::metrics::serve(listener, crate::metrics::install(), async {
                let _ = stopped.await;
            }));
            Some((stop, task))
        }
        None => None,
    };

    let slot = PipelineSlot::default();
    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<anyhow::Error>();
    let loader = {
        let slot = slot.clone();
        let reporter = reporter.clone();
        let sources = settings.dictionaries.clone();
        let poll = settings.dictionary_poll;
        let stats = settings.reload_stats.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            match pipeline.await {
                Ok(loaded) => {
                    slot.set(loaded.pipeline);
                    set_health(&reporter, ServingStatus::Serving).await;
                    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "serving");
                    if !sources.is_empty() {
                        reload::watch(sources, slot, poll, loaded.dictionaries_fingerprint, stats).await;
                    }
                }
                Err(error) => {
                    let _ = failed_tx.send(error);
                }
            }
        })
    };

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .context("building reflection v1")?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .context("building reflection v1alpha")?;

    let work = WorkPool::new(settings.workers, settings.load_stats.clone());
    let text_service = TextServiceServer::new(TextApi::new(slot, settings.max_text_bytes, work))
        .max_decoding_message_size(settings.max_text_bytes.saturating_add(FRAME_OVERHEAD_BYTES))
        .max_encoding_message_size(usize::MAX)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let text_service = Admission::new(text_service, settings.max_concurrency, settings.load_stats.clone());

    tracing::info!(
        %local_addr,
        max_text_bytes = settings.max_text_bytes,
        max_concurrency = settings.max_concurrency,
        workers = settings.workers,
        tls = settings.tls.is_some(),
        mutual_tls = settings.tls.as_ref().is_some_and(|t| t.client_ca.is_some()),
        "listening"
    );

    let mut builder = Server::builder();
    if let Some(tls) = &settings.tls {
        builder = builder.tls_config(tls.server_config()).context("configuring TLS")?;
    }
    if let Some(age) = settings.max_connection_age {
        builder = builder
            .max_connection_age(age)
            .max_connection_age_grace(settings.shutdown_grace);
    }

    let mut load_error = None;
    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async {
        tokio::select! {
            () = shutdown => tracing::info!(grace_secs = settings.shutdown_grace.as_secs_f64(), "shutdown requested; draining"),
            Ok(error) = failed_rx => load_error = Some(error),
        }
        set_health(&reporter, ServingStatus::NotServing).await;
        let _ = draining_tx.send(());
    };
    let serve = builder
        .layer(ObserveLayer)
        .layer(tower::util::MapResponseLayer::new(frame_limit_is_resource_exhausted))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(text_service)
        .serve_with_incoming_shutdown(
            // Without TCP_NODELAY small responses wait for the peer's delayed
            // ACK (Nagle), adding milliseconds to every unary call.
            tokio_stream::StreamExt::map(TcpIncoming::from(listener).with_nodelay(Some(true)), |accepted| {
                accepted.map(LingeringStream::new)
            }),
            stop,
        );
    let grace = settings.shutdown_grace;
    let served = tokio::select! {
        biased;
        served = serve => served,
        () = async {
            if draining_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!(
                in_flight = settings.load_stats.in_flight(),
                "requests still in flight after the shutdown grace period; stopping anyway"
            );
            Ok(())
        }
    };
    loader.abort();
    if let Some((stop, task)) = metrics {
        let _ = stop.send(());
        let _ = task.await;
    }
    served.context("serving gRPC")?;
    match load_error {
        Some(error) => Err(error.context("loading the text pipeline")),
        None => Ok(()),
    }
}

/// tonic refuses a frame over the decoding limit with OUT_OF_RANGE; gRPC's
/// convention (and what clients retry on) for a message that is too large is
/// RESOURCE_EXHAUSTED. The message, which states the limit, is kept.
fn frame_limit_is_resource_exhausted<B>(mut response: http::Response<B>) -> http::Response<B> {
    let headers = response.headers_mut();
    let too_large = headers.get("grpc-status").is_some_and(|s| s == "11")
        && headers
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .is_some_and(|m| m.contains("message%20length%20too%20large") || m.contains("message length too large"));
    if too_large {
        headers.insert("grpc-status", http::HeaderValue::from_static("8"));
    }
    response
}

/// Loads the pipeline with the user dictionaries of `sources` on the
/// blocking pool, for use as `run`'s `pipeline`. A dictionary that cannot be
/// read or parsed at start-up is an error: there is nothing to fall back on.
pub async fn load_pipeline(sources: DictionarySources) -> anyhow::Result<LoadedPipeline> {
    tokio::task::spawn_blocking(move || {
        let snapshot = sources.snapshot();
        let segmenters = snapshot.build().context("loading user dictionaries")?;
        Ok(LoadedPipeline {
            pipeline: Arc::new(Pipeline::load_with(segmenters)),
            dictionaries_fingerprint: snapshot.fingerprint(),
        })
    })
    .await
    .context("the pipeline loader panicked")?
}
