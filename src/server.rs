//! The gRPC server: TextService, health and reflection on one listener,
//! with a shutdown future supplied by the caller (a signal in `main`, a
//! channel in tests).

use std::{future::Future, sync::Arc, time::Instant};

use anyhow::Context;
use tokio::net::TcpListener;
use tonic::{
    codec::CompressionEncoding,
    transport::{Server, server::TcpIncoming},
};
use tonic_health::{ServingStatus, server::HealthReporter};

use crate::{
    api::{
        PipelineSlot, TextApi,
        proto::{self, text_service_server::TextServiceServer},
    },
    text::pipeline::Pipeline,
};

/// What the server needs besides its listener.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// Largest accepted `text`, in UTF-8 bytes.
    pub max_text_bytes: usize,
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
/// Health reports NOT_SERVING until `pipeline` resolves (loading the
/// dictionaries takes a moment, and the listener should already answer
/// probes), then SERVING; when `shutdown` fires it flips back to NOT_SERVING
/// before the server drains. A pipeline that fails to load stops the server
/// with that error.
pub async fn run<P, S>(listener: TcpListener, settings: ServerSettings, pipeline: P, shutdown: S) -> anyhow::Result<()>
where
    P: Future<Output = anyhow::Result<Arc<Pipeline>>> + Send + 'static,
    S: Future<Output = ()> + Send,
{
    let local_addr = listener.local_addr().context("reading the listener address")?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    set_health(&reporter, ServingStatus::NotServing).await;

    let slot = PipelineSlot::default();
    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<anyhow::Error>();
    let loader = {
        let slot = slot.clone();
        let reporter = reporter.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            match pipeline.await {
                Ok(pipeline) => {
                    slot.set(pipeline);
                    set_health(&reporter, ServingStatus::Serving).await;
                    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "serving");
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

    let text_service = TextServiceServer::new(TextApi::new(slot, settings.max_text_bytes))
        .max_decoding_message_size(settings.max_text_bytes.saturating_add(FRAME_OVERHEAD_BYTES))
        .max_encoding_message_size(usize::MAX)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);

    tracing::info!(%local_addr, max_text_bytes = settings.max_text_bytes, "listening");

    let mut load_error = None;
    let stop = async {
        tokio::select! {
            () = shutdown => tracing::info!("shutdown requested"),
            Ok(error) = failed_rx => load_error = Some(error),
        }
        set_health(&reporter, ServingStatus::NotServing).await;
    };
    let served = Server::builder()
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(text_service)
        .serve_with_incoming_shutdown(
            // Without TCP_NODELAY small responses wait for the peer's delayed
            // ACK (Nagle), adding milliseconds to every unary call.
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            stop,
        )
        .await;
    loader.abort();
    served.context("serving gRPC")?;
    match load_error {
        Some(error) => Err(error.context("loading the text pipeline")),
        None => Ok(()),
    }
}

/// Loads the pipeline on the blocking pool, for use as `run`'s `pipeline`.
pub async fn load_pipeline() -> anyhow::Result<Arc<Pipeline>> {
    tokio::task::spawn_blocking(|| Arc::new(Pipeline::load()))
        .await
        .context("the pipeline loader panicked")
}
