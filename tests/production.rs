//! Production behaviour through the real server and a real client: drain
//! on shutdown, admission control, deadlines, connection age, request
//! metrics and TLS.

mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::{TestServer, sample, scrape};
use tonic::{Code, Request, transport::Channel};
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
use tonic_types::StatusExt;
use zhtext::{
    api::{
        LoadStats,
        proto::{SegmentRequest, TagEntitiesRequest, text_service_client::TextServiceClient},
    },
    server::ServerSettings,
};

/// News-like text of about `bytes` bytes, with sentence ends so that the
/// pipeline can notice cancellation between pieces.
fn news(bytes: usize) -> String {
    let sentence = "新华社北京6月28日电（记者王伟）国家统计局28日发布数据，上半年全国规模以上工业增加值同比增长6.0%，\
                    长三角地区新签约项目超过50亿元。";
    let mut text = String::with_capacity(bytes + sentence.len());
    while text.len() < bytes {
        text.push_str(sentence);
    }
    text
}

fn segment(text: &str) -> SegmentRequest {
    SegmentRequest {
        text: text.to_owned(),
        ..Default::default()
    }
}

async fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_at_shutdown_all_complete() {
    let stats = Arc::new(LoadStats::default());
    let mut server = TestServer::start_with(ServerSettings {
        workers: 1,
        load_stats: stats.clone(),
        shutdown_grace: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    // Large enough that, with one worker, the burst is still queued when
    // the last request is admitted: an optimized build segments many times
    // as fast, so it gets four times the text (whose response, about 3 MB,
    // stays within the client's default 4 MB message limit).
    let text = news(if cfg!(debug_assertions) { 200_000 } else { 800_000 });
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let mut client = server.client();
            let request = segment(&text);
            tokio::spawn(async move { client.segment(request).await })
        })
        .collect();
    wait_until("the burst to be in flight", Duration::from_secs(20), || {
        stats.in_flight() == 8
    })
    .await;

    server.begin_shutdown();
    for call in burst {
        let tokens = call
            .await
            .unwrap()
            .expect("a request in flight at shutdown failed")
            .into_inner()
            .tokens;
        assert_eq!(tokens.last().unwrap().end_offset as usize, text.len());
    }
    server.wait().await.expect("the server stopped with an error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flips_health_at_once_closes_the_listener_and_honours_the_grace_period() {
    let stats = Arc::new(LoadStats::default());
    let mut server = TestServer::start_with(ServerSettings {
        workers: 1,
        load_stats: stats.clone(),
        shutdown_grace: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let mut watch = HealthClient::new(server.channel.clone())
        .watch(HealthCheckRequest { service: String::new() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(watch.message().await.unwrap().unwrap().status(), ServingStatus::Serving);
    // Far more work than the grace period allows (a debug build tags a few
    // hundred KB per second).
    let mut client = server.client();
    let long = tokio::spawn(async move {
        client
            .tag_entities(TagEntitiesRequest {
                text: news(3_000_000),
                ..Default::default()
            })
            .await
    });
    wait_until("the long request to be in flight", Duration::from_secs(20), || {
        stats.in_flight() == 1
    })
    .await;

    let addr = server.addr;
    let began = Instant::now();
    server.begin_shutdown();
    let status = tokio::time::timeout(Duration::from_secs(5), watch.message())
        .await
        .expect("health did not change")
        .unwrap()
        .unwrap()
        .status();
    assert_eq!(status, ServingStatus::NotServing);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener still accepts"
    );

    server.wait().await.unwrap();
    let stopped = began.elapsed();
    assert!(stopped < Duration::from_secs(10), "stopping took {stopped:?}");
    drop(long);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_concurrency_limit_requests_are_shed_with_a_retry_hint() {
    let stats = Arc::new(LoadStats::default());
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    let server = TestServer::start_with(ServerSettings {
        max_concurrency: 3,
        workers: 1,
        load_stats: stats.clone(),
        metrics_listener: Some(metrics),
        ..Default::default()
    })
    .await;
    let text = Arc::new(news(100_000));
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let mut client = server.client();
            let request = segment(&text);
            tokio::spawn(async move { client.segment(request).await })
        })
        .collect();
    // Health is not subject to the limit.
    assert_eq!(server.health("").await, ServingStatus::Serving);
    let (mut ok, mut shed) = (0, 0);
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => ok += 1,
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                assert!(
                    status.message().contains("limit of 3 concurrent requests"),
                    "{}",
                    status.message()
                );
                let retry = status.get_details_retry_info().expect("no RetryInfo");
                assert!(retry.retry_delay.is_some_and(|d| d > Duration::ZERO));
                assert!(status.metadata().get("grpc-retry-pushback-ms").is_some());
                shed += 1;
            }
        }
    }
    assert!(ok >= 3 && shed > 0, "ok {ok}, shed {shed}");
    assert_eq!(stats.shed(), shed);
    assert!(stats.most_in_flight() <= 3, "{} in flight", stats.most_in_flight());
    // Capacity comes back.
    assert!(server.client().segment(segment("北京")).await.is_ok());
    let body = scrape(metrics_addr).await;
    let shed_metric = sample(
        &body,
        "zhtext_requests_shed_total{method=\"/zhtext.v1.TextService/Segment\"}",
    );
    assert!(shed_metric.is_some_and(|n| n >= shed as f64), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_is_abandoned_when_the_deadline_passes_or_the_client_goes_away() {
    let stats = Arc::new(LoadStats::default());
    let server = TestServer::start_with(ServerSettings {
        workers: 1,
        load_stats: stats.clone(),
        ..Default::default()
    })
    .await;
    let text = news(3_000_000);

    let mut request = Request::new(TagEntitiesRequest {
        text: text.clone(),
        ..Default::default()
    });
    request.set_timeout(Duration::from_millis(300));
    let status = server.client().tag_entities(request).await.unwrap_err();
    assert!(
        matches!(status.code(), Code::Cancelled | Code::DeadlineExceeded),
        "{status:?}"
    );
    wait_until("the work to be abandoned", Duration::from_secs(10), || {
        stats.abandoned() == 1
    })
    .await;

    let mut client = server.client();
    let request = TagEntitiesRequest {
        text,
        ..Default::default()
    };
    let call = tokio::spawn(async move { client.tag_entities(request).await });
    wait_until("the request to be in flight", Duration::from_secs(20), || {
        stats.in_flight() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    call.abort();
    wait_until("the work to be abandoned", Duration::from_secs(10), || {
        stats.abandoned() == 2
    })
    .await;
    // The worker is free again.
    assert!(server.client().segment(segment("北京")).await.is_ok());
}

/// How long a raw HTTP/2 connection to a server with `max_connection_age`
/// stays open, if it closes within `watch`.
async fn connection_lifetime(max_connection_age: Option<Duration>, watch: Duration) -> Option<Duration> {
    let server = TestServer::start_with(ServerSettings {
        max_connection_age,
        shutdown_grace: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let opened = Instant::now();
    let (_send, connection) = h2::client::handshake(tcp).await.unwrap();
    // The connection future ends when the server sends GOAWAY and closes.
    let closed = tokio::spawn(async move {
        let _ = connection.await;
        opened.elapsed()
    });
    let lifetime = tokio::time::timeout(watch, closed).await.ok().map(Result::unwrap);
    server.stop().await.unwrap();
    lifetime
}

/// With a maximum connection age the server ends each HTTP/2 connection
/// (GOAWAY, then close after the grace) once it is that old, so long-lived
/// client connections spread over pods added by a scale-out. Without one a
/// connection stays open. Calls over a channel keep succeeding across the
/// age: the client reconnects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_closed_at_their_maximum_age_and_clients_reconnect() {
    let age = Duration::from_millis(300);
    let lifetime = connection_lifetime(Some(age), Duration::from_secs(10))
        .await
        .expect("the connection outlived its maximum age by 10 s");
    assert!(lifetime >= age, "closed after {lifetime:?}, before its age");
    assert_eq!(
        connection_lifetime(None, Duration::from_secs(2)).await,
        None,
        "without a maximum age the connection was closed"
    );

    let server = TestServer::start_with(ServerSettings {
        max_connection_age: Some(age),
        shutdown_grace: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let mut client = server.client();
    let started = Instant::now();
    let (mut calls, mut retried) = (0, 0);
    while started.elapsed() < age * 5 {
        // A call sent while the GOAWAY is on its way fails at the transport
        // (tonic's channel, unlike grpc-go and grpc-java, does not retry
        // it transparently), and so may a retry sent before the channel has
        // seen the connection close (on a loaded machine, CI found one). A
        // retry after a short pause must reach a new connection.
        let mut attempts = 0;
        let tokens = loop {
            match client.segment(segment("北京欢迎你")).await {
                Err(status) if is_transport_error(&status) && attempts < 5 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(10 * attempts)).await;
                }
                other => break other,
            }
        }
        .expect("a call across the connection age failed after 5 retries");
        retried += usize::from(attempts > 0);
        assert!(!tokens.into_inner().tokens.is_empty());
        calls += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(calls > 10);
    // At most one racing call per connection, of the five or six used.
    assert!(retried <= 6, "{retried} of {calls} calls needed a retry");
    server.stop().await.unwrap();
}

/// Whether a call failed because its connection closed under it, rather
/// than with a status from the server.
fn is_transport_error(status: &tonic::Status) -> bool {
    use std::error::Error as _;
    status
        .source()
        .is_some_and(|source| source.downcast_ref::<tonic::transport::Error>().is_some())
}

#[tokio::test]
async fn request_metrics_by_method_and_status() {
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    let server = TestServer::start_with(ServerSettings {
        metrics_listener: Some(metrics),
        ..Default::default()
    })
    .await;
    let mut client = server.client();
    for _ in 0..3 {
        client.segment(segment("国务院常务会议今日召开。")).await.unwrap();
    }
    let bad = SegmentRequest {
        mode: 99,
        ..segment("北京")
    };
    assert_eq!(client.segment(bad).await.unwrap_err().code(), Code::InvalidArgument);
    server.health("").await;

    let body = scrape(metrics_addr).await;
    let segment_ok = "zhtext_requests_total{method=\"/zhtext.v1.TextService/Segment\",code=\"OK\"}";
    assert!(sample(&body, segment_ok).is_some_and(|n| n >= 3.0), "{body}");
    let invalid = "zhtext_requests_total{method=\"/zhtext.v1.TextService/Segment\",code=\"INVALID_ARGUMENT\"}";
    assert!(sample(&body, invalid).is_some_and(|n| n >= 1.0), "{body}");
    let health = "zhtext_requests_total{method=\"/grpc.health.v1.Health/Check\",code=\"OK\"}";
    assert!(sample(&body, health).is_some_and(|n| n >= 1.0), "{body}");
    let latency = "zhtext_request_duration_seconds_count{method=\"/zhtext.v1.TextService/Segment\"}";
    assert!(sample(&body, latency).is_some_and(|n| n >= 4.0), "{body}");
    assert!(
        body.contains("zhtext_request_duration_seconds_bucket{method=\"/zhtext.v1.TextService/Segment\",le=\"0.005\"}")
    );
    let received = "zhtext_request_received_bytes_total{method=\"/zhtext.v1.TextService/Segment\"}";
    assert!(sample(&body, received).is_some_and(|n| n > 0.0), "{body}");
    let processed = "zhtext_text_bytes_processed_total{method=\"/zhtext.v1.TextService/Segment\"}";
    assert!(sample(&body, processed).is_some_and(|n| n >= 3.0 * 36.0), "{body}");
    assert!(sample(&body, "zhtext_requests_in_flight").is_some(), "{body}");
    assert!(body.contains("zhtext_build_info{version="), "{body}");
}

mod tls {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use tonic::transport::{Certificate, ClientTlsConfig, Identity};
    use zhtext::server::TlsSettings;

    struct Pki {
        ca: String,
        server: (String, String),
        client: (String, String),
        stranger: (String, String),
    }

    fn make_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>, name: &str) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .signed_by(&key, issuer)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn pki() -> Pki {
        let ca = make_ca("zhtext test CA");
        let other = make_ca("someone else's CA");
        Pki {
            server: leaf(&ca, "localhost"),
            client: leaf(&ca, "client"),
            stranger: leaf(&other, "stranger"),
            ca: ca.pem(),
        }
    }

    async fn start(pki: &Pki, mutual: bool) -> TestServer {
        let settings = ServerSettings {
            tls: Some(TlsSettings {
                cert: pki.server.0.clone().into_bytes(),
                key: pki.server.1.clone().into_bytes(),
                client_ca: mutual.then(|| pki.ca.clone().into_bytes()),
            }),
            ..Default::default()
        };
        // The helper's plain-text channel cannot talk to this server, so
        // wait for SERVING over TLS instead.
        TestServer::start_loading(settings, async { Ok(common::PIPELINE.clone().into()) }).await
    }

    async fn call(server: &TestServer, pki: &Pki, identity: Option<&(String, String)>) -> Result<usize, tonic::Status> {
        let mut tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&pki.ca))
            .domain_name("localhost");
        if let Some((cert, key)) = identity {
            tls = tls.identity(Identity::from_pem(cert, key));
        }
        let channel = Channel::from_shared(format!("https://localhost:{}", server.addr.port()))
            .unwrap()
            .tls_config(tls)
            .unwrap()
            .connect_timeout(Duration::from_secs(5))
            .connect_lazy();
        for _ in 0..100 {
            match TextServiceClient::new(channel.clone())
                .segment(segment("北京欢迎你"))
                .await
            {
                Err(status) if status.code() == Code::Unavailable && status.message().contains("loading") => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                other => return other.map(|r| r.into_inner().tokens.len()),
            }
        }
        panic!("the server never finished loading")
    }

    #[tokio::test]
    async fn mutual_tls_serves_only_clients_with_a_certificate_from_the_ca() {
        let pki = pki();
        let server = start(&pki, true).await;
        assert_eq!(call(&server, &pki, Some(&pki.client)).await.unwrap(), 3);
        assert!(
            call(&server, &pki, None).await.is_err(),
            "served a client without a certificate"
        );
        assert!(
            call(&server, &pki, Some(&pki.stranger)).await.is_err(),
            "served a client certificate from another CA"
        );
        let plain = TextServiceClient::new(server.channel.clone())
            .segment(segment("北京"))
            .await;
        assert!(plain.is_err(), "served plain text on a TLS listener");
    }

    #[tokio::test]
    async fn tls_without_a_client_ca_serves_any_client() {
        let pki = pki();
        let server = start(&pki, false).await;
        assert_eq!(call(&server, &pki, None).await.unwrap(), 3);
    }
}
