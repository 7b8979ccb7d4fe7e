//! Overload protection. Two limits, both sized from the core count:
//!
//! - [`Admission`] caps the TextService requests in flight. Past the cap a
//!   request is refused at once with `RESOURCE_EXHAUSTED` and a retry hint,
//!   before its body is read, so a flood of large requests cannot queue
//!   without bound or buffer their texts in memory.
//! - [`WorkPool`] runs the CPU-heavy part of admitted requests on the
//!   blocking pool, at most one per worker permit, so the async reactor
//!   stays free for health checks and small requests. A request that gives
//!   up (deadline passed, client gone) before its turn never runs, and one
//!   already running is cancelled between chunks of text.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::{Code, Status, server::NamedService};
use tonic_types::{ErrorDetails, StatusExt};

use super::status;
use crate::text::cancel::{Cancel, Cancelled};

/// Counters shared by the limits, the metrics and the tests.
#[derive(Debug, Default)]
pub struct LoadStats {
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    shed: AtomicUsize,
    abandoned: AtomicUsize,
}

impl LoadStats {
    /// TextService requests admitted and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The largest `in_flight` seen.
    pub fn most_in_flight(&self) -> usize {
        self.most_in_flight.load(Ordering::Relaxed)
    }

    /// Requests refused by admission control.
    pub fn shed(&self) -> usize {
        self.shed.load(Ordering::Relaxed)
    }

    /// Requests whose work was cancelled because nobody waited for it.
    pub fn abandoned(&self) -> usize {
        self.abandoned.load(Ordering::Relaxed)
    }
}

/// What a shed request is told to wait before retrying.
const RETRY_DELAY: Duration = Duration::from_millis(250);

/// Wraps a gRPC service with admission control (see the module docs).
#[derive(Clone)]
pub struct Admission<S> {
    inner: S,
    permits: Arc<Semaphore>,
    limit: usize,
    stats: Arc<LoadStats>,
}

impl<S> Admission<S> {
    /// Admits at most `limit` requests to `inner` at a time.
    pub fn new(inner: S, limit: usize, stats: Arc<LoadStats>) -> Self {
        Admission {
            inner,
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            stats,
        }
    }

    fn shed_response<B: Default>(&self, method: &str) -> http::Response<B> {
        self.stats.shed.fetch_add(1, Ordering::Relaxed);
        crate::metrics::request_shed(method);
        let status = Status::with_error_details(
            Code::ResourceExhausted,
            format!(
                "zhtext is at its limit of {} concurrent requests (ZHTEXT_MAX_CONCURRENCY); retry after {} ms",
                self.limit,
                RETRY_DELAY.as_millis()
            ),
            ErrorDetails::with_retry_info(Some(RETRY_DELAY)),
        );
        let mut response = status.into_http::<B>();
        // gRPC's retry policy reads this from a client's own retry layer.
        response.headers_mut().insert(
            "grpc-retry-pushback-ms",
            http::HeaderValue::from(RETRY_DELAY.as_millis() as u64),
        );
        response
    }
}

impl<S: NamedService> NamedService for Admission<S> {
    const NAME: &'static str = S::NAME;
}

/// Holds an admission permit and the in-flight count for one request.
struct Admitted {
    _permit: OwnedSemaphorePermit,
    stats: Arc<LoadStats>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S, ReqBody, ResBody> tower::Service<http::Request<ReqBody>> for Admission<S>
where
    S: tower::Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Send,
    S::Future: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            let response = self.shed_response(request.uri().path());
            return Box::pin(async move { Ok(response) });
        };
        let now = self.stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.stats.most_in_flight.fetch_max(now, Ordering::Relaxed);
        let admitted = Admitted {
            _permit: permit,
            stats: self.stats.clone(),
        };
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await;
            drop(admitted);
            response
        })
    }
}

/// Runs the CPU-heavy part of requests (see the module docs).
#[derive(Clone, Debug)]
pub struct WorkPool {
    permits: Arc<Semaphore>,
    stats: Arc<LoadStats>,
}

/// Texts up to this size are processed on the async worker: they take well
/// under a millisecond, less than a hop to another thread would cost.
const INLINE_WORK_BYTES: usize = 16 * 1024;

impl WorkPool {
    /// At most `workers` texts are processed at a time.
    pub fn new(workers: usize, stats: Arc<LoadStats>) -> Self {
        WorkPool {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            stats,
        }
    }

    /// Runs `work` for a text of `len` bytes of RPC `method`. If the caller
    /// drops the returned future (deadline, disconnect) the work is never
    /// started, or is cancelled through the [`Cancel`] it is given.
    pub async fn run<T: Send + 'static>(
        &self,
        method: &'static str,
        len: usize,
        work: impl FnOnce(&Cancel) -> Result<T, Cancelled> + Send + 'static,
    ) -> Result<T, Status> {
        crate::metrics::text_processed(method, len);
        if len <= INLINE_WORK_BYTES {
            return work(&Cancel::never()).map_err(|Cancelled| status::internal("processing the text"));
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| status::internal("waiting for a worker"))?;
        let (cancel, guard) = Cancel::on_drop();
        let stats = self.stats.clone();
        let result = tokio::task::spawn_blocking(move || {
            lower_thread_priority();
            let _permit = permit;
            let result = work(&cancel);
            if result.is_err() {
                stats.abandoned.fetch_add(1, Ordering::Relaxed);
                crate::metrics::work_abandoned(method);
            }
            result
        })
        .await;
        guard.disarm();
        // A panic, or a cancellation nobody asked for (only the guard raises
        // the flag, and it was disarmed, not dropped).
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Cancelled)) | Err(_) => Err(status::internal("processing the text")),
        }
    }
}

/// Worker threads run at a lower CPU priority than the async reactor, so a
/// health check or a small request is scheduled ahead of a large text even
/// when every core is busy with large texts. Set once per blocking thread.
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        use std::cell::Cell;
        thread_local!(static LOWERED: Cell<bool> = const { Cell::new(false) });
        if LOWERED.get() {
            return;
        }
        LOWERED.set(true);
        // On Linux the nice value is per thread: PRIO_PROCESS with a
        // thread id changes only that thread. Failure (a sandbox that
        // forbids it) leaves the priority as it was, which is harmless.
        // SAFETY: plain system calls without pointers.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, WORKER_NICE);
        }
    }
}

/// Nice value of worker threads (0 is normal, 19 lowest).
#[cfg(target_os = "linux")]
const WORKER_NICE: libc::c_int = 10;
