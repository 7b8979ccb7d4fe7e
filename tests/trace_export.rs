//! OpenTelemetry trace export, end to end: the real binary (trace export is
//! set up in `main`, on the global subscriber, so it runs as its own
//! process) sends its request spans to a stand-in OTLP collector served
//! here over gRPC.

use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::{AnyValue, KeyValue, any_value::Value},
    trace::v1::{Span, span::SpanKind, status::StatusCode},
};
use tokio::net::TcpListener;
use tonic::{Code, Request, Response, Status, transport::Channel};
use zhtext::api::proto::{SegmentRequest, text_service_client::TextServiceClient};

/// A received span with its resource's attributes.
type ReceivedSpan = (Vec<KeyValue>, Span);

/// What the stand-in collector received.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<ReceivedSpan>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut spans = self.spans.lock().unwrap();
        for resource_spans in request.into_inner().resource_spans {
            let resource = resource_spans.resource.map(|r| r.attributes).unwrap_or_default();
            for scope in resource_spans.scope_spans {
                spans.extend(scope.spans.into_iter().map(|s| (resource.clone(), s)));
            }
        }
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}

fn string(value: &str) -> Value {
    Value::StringValue(value.to_owned())
}

/// The binary under test, killed if the test fails before it exits.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn connect(target: &str) -> Channel {
    let started = Instant::now();
    loop {
        if let Ok(channel) = Channel::from_shared(target.to_owned()).unwrap().connect().await
            && zhtext::server::reports_serving(channel.clone()).await
        {
            return channel;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_spans_reach_an_otlp_collector_and_continue_the_callers_trace() {
    let collector = Collector::default();
    let collector_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector_addr = collector_listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(collector_listener)),
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_zhtext"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--metrics-listen",
                "off",
            ])
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{collector_addr}"))
            // Nothing is exported on a timer during the test: what arrives
            // comes from the flush at shutdown.
            .env("OTEL_BSP_SCHEDULE_DELAY", "600000")
            // Quiet logs do not silence the exported spans.
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .expect("starting zhtext"),
    );
    let channel = connect(&format!("http://127.0.0.1:{port}")).await;
    let mut client = TextServiceClient::new(channel);

    let mut traced = Request::new(SegmentRequest {
        text: "我们在北京开会。".to_owned(),
        ..Default::default()
    });
    traced.metadata_mut().insert(
        "traceparent",
        format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01").parse().unwrap(),
    );
    client.segment(traced).await.expect("Segment");
    let refused = client
        .segment(SegmentRequest {
            text: "文本".to_owned(),
            mode: 99,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        collector.spans.lock().unwrap().is_empty(),
        "spans were exported before the shutdown flush"
    );

    // SIGTERM: drain, flush the queued spans, exit 0.
    // SAFETY: a plain system call on our own child's pid.
    unsafe { libc::kill(server.0.id() as libc::pid_t, libc::SIGTERM) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "zhtext did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "zhtext exited with {status}");

    let spans = collector.spans.lock().unwrap().clone();
    let segment: Vec<&ReceivedSpan> = spans
        .iter()
        .filter(|(_, s)| s.name == "zhtext.v1.TextService/Segment")
        .collect();
    assert_eq!(
        segment.len(),
        2,
        "spans received: {:?}",
        spans.iter().map(|(_, s)| &s.name).collect::<Vec<_>>()
    );

    // The traced request continues the caller's trace.
    let (resource, ok) = segment
        .iter()
        .find(|(_, s)| hex(&s.trace_id) == TRACE_ID)
        .expect("a span in the caller's trace");
    assert_eq!(hex(&ok.parent_span_id), PARENT_SPAN_ID);
    assert_eq!(ok.kind, SpanKind::Server as i32);
    assert_eq!(attribute(resource, "service.name"), Some(&string("zhtext")));
    assert_eq!(attribute(&ok.attributes, "rpc.system"), Some(&string("grpc")));
    assert_eq!(
        attribute(&ok.attributes, "rpc.service"),
        Some(&string("zhtext.v1.TextService"))
    );
    assert_eq!(attribute(&ok.attributes, "rpc.method"), Some(&string("Segment")));
    assert_eq!(
        attribute(&ok.attributes, "rpc.grpc.status_code"),
        Some(&Value::IntValue(0))
    );
    assert!(ok.end_time_unix_nano > ok.start_time_unix_nano);

    // The refused one starts its own trace; a caller's mistake is not the
    // server's error.
    let (_, refused) = segment
        .iter()
        .find(|(_, s)| hex(&s.trace_id) != TRACE_ID)
        .expect("the refused request's span");
    assert!(refused.parent_span_id.is_empty());
    assert_eq!(
        attribute(&refused.attributes, "rpc.grpc.status_code"),
        Some(&Value::IntValue(Code::InvalidArgument as i64))
    );
    assert_ne!(refused.status.as_ref().map(|s| s.code), Some(StatusCode::Error as i32));
}
