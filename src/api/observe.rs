//! Per-request observation for every gRPC service on the listener: a
//! tracing span (method, sizes, status, latency) and the request metrics.
//! The status of a unary gRPC call is only known from the trailers, after
//! the response body, so the response body is wrapped and the request is
//! recorded when the body ends or is dropped.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tracing::Instrument;

use crate::metrics;

/// Adds [`Observe`] around a service.
#[derive(Clone, Copy, Debug, Default)]
pub struct ObserveLayer;

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observe { inner }
    }
}

/// See the module docs.
#[derive(Clone, Debug)]
pub struct Observe<S> {
    inner: S,
}

/// What is known about one request so far; recorded when dropped.
struct Completion {
    method: &'static str,
    started: Instant,
    deadline: Option<Duration>,
    received: Arc<AtomicU64>,
    sent: u64,
    /// `grpc-status` once seen in the headers or trailers.
    code: Option<tonic::Code>,
    span: tracing::Span,
}

impl Drop for Completion {
    fn drop(&mut self) {
        let elapsed = self.started.elapsed();
        // No status: the call ended before its response did (client gone,
        // or the transport's deadline timer dropped it).
        let code = self.code.unwrap_or(match self.deadline {
            Some(deadline) if elapsed >= deadline => tonic::Code::DeadlineExceeded,
            _ => tonic::Code::Cancelled,
        });
        let received = self.received.load(Ordering::Relaxed);
        metrics::in_flight(-1.0);
        metrics::request_finished(self.method, code, elapsed, received, self.sent);
        let span = &self.span;
        span.record("status", tracing::field::debug(code));
        span.record("request_bytes", received);
        span.record("response_bytes", self.sent);
        let latency_ms = elapsed.as_secs_f64() * 1e3;
        span.record("latency_ms", latency_ms);
        // OpenTelemetry's conventions for gRPC server spans (these fields
        // exist only while spans are exported; see `request_span`).
        span.record("rpc.grpc.status_code", code as i32);
        if server_error(code) {
            span.record("otel.status_code", "ERROR");
        }
        // The events carry the request's fields themselves: in the logs the
        // span is only there at debug level (see `request_span`).
        macro_rules! outcome {
            ($level:ident, $message:literal) => {
                tracing::$level!(
                    parent: span,
                    method = self.method,
                    status = ?code,
                    request_bytes = received,
                    response_bytes = self.sent,
                    latency_ms,
                    $message
                )
            };
        }
        match code {
            tonic::Code::Ok => outcome!(debug, "request finished"),
            tonic::Code::Internal | tonic::Code::Unknown | tonic::Code::DataLoss => outcome!(error, "request failed"),
            _ => outcome!(info, "request refused or abandoned"),
        }
    }
}

/// The span of one request. Exported spans are info level and carry
/// OpenTelemetry's names for gRPC server spans. For the logs alone the span
/// is debug level: the fmt layer formats an enabled span's fields when it
/// is created and at every `record`, whether or not anything is logged in
/// it: about 2 µs of CPU per request (Health, `RUST_LOG=info`). The events
/// that end a request carry the same fields themselves.
fn request_span(method: &'static str) -> tracing::Span {
    use tracing::field::Empty;
    if crate::telemetry::exporting() {
        let name = method.trim_start_matches('/');
        let (service, rpc) = name.split_once('/').unwrap_or((name, ""));
        tracing::info_span!(
            "rpc",
            method,
            request_bytes = Empty,
            response_bytes = Empty,
            status = Empty,
            latency_ms = Empty,
            otel.name = name,
            otel.kind = "server",
            otel.status_code = Empty,
            rpc.system = "grpc",
            rpc.service = service,
            rpc.method = rpc,
            rpc.grpc.status_code = Empty,
        )
    } else {
        tracing::debug_span!(
            "rpc",
            method,
            request_bytes = Empty,
            response_bytes = Empty,
            status = Empty,
            latency_ms = Empty,
        )
    }
}

/// Codes that mark a server span as failed, by OpenTelemetry's gRPC
/// conventions: the server's fault, not the caller's.
fn server_error(code: tonic::Code) -> bool {
    use tonic::Code::*;
    matches!(
        code,
        Unknown | DeadlineExceeded | Unimplemented | Internal | Unavailable | DataLoss
    )
}

fn grpc_status(headers: &http::HeaderMap) -> Option<tonic::Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?.parse::<i32>().ok()?;
    Some(tonic::Code::from_i32(value))
}

/// `grpc-timeout`: digits and a unit (H, M, S, m, u, n).
fn grpc_timeout(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

impl<S, ReqBody, ResBody> tower::Service<http::Request<ReqBody>> for Observe<S>
where
    S: tower::Service<http::Request<tonic::body::Body>, Response = http::Response<ResBody>> + Send,
    S::Future: Send + 'static,
    ReqBody: Body<Data = Bytes> + Send + 'static,
    ReqBody::Error: Into<tonic::codegen::StdError>,
    ResBody: Body<Data = Bytes> + Send + 'static,
{
    type Response = http::Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let method = metrics::method_label(request.uri().path());
        let span = request_span(method);
        crate::telemetry::continue_trace(&span, request.headers());
        let received = Arc::new(AtomicU64::new(0));
        metrics::in_flight(1.0);
        let mut completion = Completion {
            method,
            started: Instant::now(),
            deadline: grpc_timeout(request.headers()),
            received: received.clone(),
            sent: 0,
            code: None,
            span: span.clone(),
        };
        let request = request.map(|body| tonic::body::Body::new(CountedBody { inner: body, received }));
        let future = self.inner.call(request).instrument(span);
        Box::pin(async move {
            let response = future.await?;
            // Trailers-only responses (errors) carry the status in headers.
            completion.code = grpc_status(response.headers());
            Ok(response.map(|inner| ObservedBody {
                inner,
                completion: Some(completion),
            }))
        })
    }
}

pin_project_lite::pin_project! {
    /// A request body that counts its bytes.
    struct CountedBody<B> {
        #[pin]
        inner: B,
        received: Arc<AtomicU64>,
    }
}

impl<B: Body<Data = Bytes>> Body for CountedBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.received.fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// A response body that records the request when it ends.
    pub struct ObservedBody<B> {
        #[pin]
        inner: B,
        completion: Option<Completion>,
    }
}

impl<B: Body<Data = Bytes>> Body for ObservedBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(completion) = this.completion.as_mut() {
                    if let Some(data) = frame.data_ref() {
                        completion.sent += data.len() as u64;
                    } else if let Some(trailers) = frame.trailers_ref()
                        && let Some(code) = grpc_status(trailers)
                    {
                        completion.code = Some(code);
                    }
                }
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => {
                // Record now rather than when hyper drops the body.
                this.completion.take();
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_units() {
        let parse = |v: &'static str| {
            let mut headers = http::HeaderMap::new();
            headers.insert("grpc-timeout", http::HeaderValue::from_static(v));
            grpc_timeout(&headers)
        };
        assert_eq!(parse("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse("7u"), Some(Duration::from_micros(7)));
        assert_eq!(parse("x"), None);
        assert_eq!(parse(""), None);
    }
}
