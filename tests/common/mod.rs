//! Starts the real server on 127.0.0.1:0 and connects a real tonic client.
//! The pipeline is loaded once per test binary and shared, since loading
//! dictionaries dominates test time; each test gets its own server.

#![allow(dead_code)]

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, LazyLock},
    time::Duration,
};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::transport::Channel;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
use zhtext::{
    api::proto::text_service_client::TextServiceClient,
    server::{self, ServerSettings},
    text::pipeline::Pipeline,
};

pub static PIPELINE: LazyLock<Arc<Pipeline>> = LazyLock::new(|| Arc::new(Pipeline::load()));

pub struct TestServer {
    pub addr: SocketAddr,
    pub channel: Channel,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// A server with the shared pipeline and default settings, ready to serve.
    pub async fn start() -> Self {
        Self::start_with(ServerSettings {
            max_text_bytes: 4 * 1024 * 1024,
            ..Default::default()
        })
        .await
    }

    pub async fn start_with(settings: ServerSettings) -> Self {
        let pipeline = tokio::task::spawn_blocking(|| PIPELINE.clone()).await.unwrap();
        let server = Self::start_loading(settings, async move { Ok(pipeline.into()) }).await;
        server.wait_serving("").await;
        server
    }

    /// A server whose pipeline comes from `pipeline`, not awaited.
    pub async fn start_loading<P>(settings: ServerSettings, pipeline: P) -> Self
    where
        P: Future<Output = anyhow::Result<server::LoadedPipeline>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(server::run(listener, settings, pipeline, async {
            let _ = rx.await;
        }));
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_timeout(Duration::from_secs(5))
            // Lazy, so a server that stops at once (failed load) can be tested.
            .connect_lazy();
        TestServer {
            addr,
            channel,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn client(&self) -> TextServiceClient<Channel> {
        TextServiceClient::new(self.channel.clone())
    }

    pub async fn health(&self, service: &str) -> ServingStatus {
        let response = HealthClient::new(self.channel.clone())
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap();
        response.into_inner().status()
    }

    pub async fn wait_serving(&self, service: &str) {
        for _ in 0..600 {
            if self.health(service).await == ServingStatus::Serving {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server never became SERVING");
    }

    /// Waits (up to 30 s) for the server to stop on its own.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        let handle = self.handle.take().unwrap();
        tokio::time::timeout(Duration::from_secs(30), handle)
            .await
            .expect("server did not stop")
            .unwrap()
    }

    /// Requests shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Triggers shutdown and returns the server's result.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.take().unwrap().await.unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// GET /metrics from a metrics listener.
pub async fn scrape(addr: SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

/// The value of one sample line (`name{labels} value`) in a scrape.
pub fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}
