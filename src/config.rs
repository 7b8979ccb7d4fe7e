//! Server configuration: one struct with defaults, filled from flags or
//! `ZHTEXT_*` environment variables (flags win).
//!
//! | variable | flag | default | meaning |
//! |---|---|---|---|
//! | `ZHTEXT_LISTEN` | `--listen` | `0.0.0.0:50051` | gRPC address |
//! | `ZHTEXT_MAX_TEXT_BYTES` | `--max-text-bytes` | `4194304` (4 MiB) | largest `text` accepted; larger gets `INVALID_ARGUMENT` |
//! | `ZHTEXT_USER_DICT` | `--user-dict` | none | user dictionaries (`word [freq] [tag]` per line), `:`-separated; reloaded on change |
//! | `ZHTEXT_DICT_DIR` | `--dict-dir` | none | one dictionary per file; `SegmentRequest.dictionary` names a file stem; reloaded on change |
//! | `ZHTEXT_DICT_POLL_SECS` | `--dict-poll-secs` | `2` | how often dictionary files are checked for changes |
//! | `ZHTEXT_METRICS_LISTEN` | `--metrics-listen` | `0.0.0.0:9090` | Prometheus `/metrics` address; `off` disables it |
//! | `ZHTEXT_MAX_CONCURRENCY` | `--max-concurrency` | 32 × cores | TextService requests in flight; more get `RESOURCE_EXHAUSTED` with a retry hint |
//! | `ZHTEXT_WORKERS` | `--workers` | cores | texts over 16 KiB processed at the same time |
//! | `ZHTEXT_SHUTDOWN_GRACE` | `--shutdown-grace` | `25` | seconds requests in flight get to finish after SIGTERM/SIGINT |
//! | `ZHTEXT_MAX_CONNECTION_AGE_SECS` | `--max-connection-age-secs` | `300` | connections are closed (GOAWAY) after this age so clients rebalance; `0` disables |
//! | `ZHTEXT_TLS_CERT`, `ZHTEXT_TLS_KEY` | `--tls-cert`, `--tls-key` | none | PEM certificate chain and key: serve TLS |
//! | `ZHTEXT_TLS_CLIENT_CA` | `--tls-client-ca` | none | PEM CA: require client certificates signed by it (mutual TLS) |
//! | `ZHTEXT_LOG_FORMAT` | `--log-format` | `text` | `text` for people, `json` for log pipelines |
//! | `RUST_LOG` | | `info` | log filter (tracing-subscriber `EnvFilter` syntax) |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | | none | OTLP/gRPC collector for request spans (see `telemetry`) |

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Settings of `zhtext serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// Address to serve gRPC on.
    #[arg(long, env = "ZHTEXT_LISTEN", default_value = "0.0.0.0:50051")]
    pub listen: SocketAddr,

    /// Largest accepted `text`, in UTF-8 bytes. Transport frames are capped
    /// a little above it, so anything larger is refused before decoding.
    #[arg(long, env = "ZHTEXT_MAX_TEXT_BYTES", default_value_t = ServeConfig::DEFAULT_MAX_TEXT_BYTES, value_parser = parse_max_text_bytes)]
    pub max_text_bytes: usize,

    /// User dictionaries extending jieba's default one, `:`-separated in
    /// the environment variable.
    #[arg(long = "user-dict", env = "ZHTEXT_USER_DICT", value_delimiter = ':')]
    pub user_dicts: Vec<PathBuf>,

    /// Directory of dictionary profiles, one file per profile.
    #[arg(long, env = "ZHTEXT_DICT_DIR")]
    pub dict_dir: Option<PathBuf>,

    /// Seconds between checks for dictionary changes.
    #[arg(long, env = "ZHTEXT_DICT_POLL_SECS", default_value_t = ServeConfig::DEFAULT_DICT_POLL_SECS, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub dict_poll_secs: u64,

    /// Address for Prometheus metrics, or `off`.
    #[arg(long, env = "ZHTEXT_METRICS_LISTEN", default_value = "0.0.0.0:9090", value_parser = parse_optional_addr)]
    pub metrics_listen: OptionalAddr,

    /// TextService requests in flight at most (0: 32 per core).
    #[arg(long, env = "ZHTEXT_MAX_CONCURRENCY", default_value_t = 0)]
    pub max_concurrency: usize,

    /// Texts processed at the same time (0: one per core).
    #[arg(long, env = "ZHTEXT_WORKERS", default_value_t = 0)]
    pub workers: usize,

    /// Seconds requests in flight get to finish after SIGTERM or SIGINT.
    #[arg(long = "shutdown-grace", env = "ZHTEXT_SHUTDOWN_GRACE", default_value_t = ServeConfig::DEFAULT_SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace_secs: u64,

    /// Seconds after which a connection is closed so clients rebalance
    /// (0: never).
    #[arg(long, env = "ZHTEXT_MAX_CONNECTION_AGE_SECS", default_value_t = ServeConfig::DEFAULT_MAX_CONNECTION_AGE_SECS)]
    pub max_connection_age_secs: u64,

    /// PEM certificate chain; with --tls-key, serve TLS.
    #[arg(long, env = "ZHTEXT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, env = "ZHTEXT_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// PEM CA; clients must present a certificate signed by it.
    #[arg(long, env = "ZHTEXT_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
}

/// An address that can be turned off (`off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionalAddr(pub Option<SocketAddr>);

fn parse_optional_addr(value: &str) -> Result<OptionalAddr, String> {
    if value.eq_ignore_ascii_case("off") || value.is_empty() {
        return Ok(OptionalAddr(None));
    }
    value
        .parse()
        .map(|a| OptionalAddr(Some(a)))
        .map_err(|e| format!("not an address: {e}"))
}

impl ServeConfig {
    /// Kubernetes waits 30 s by default between SIGTERM and SIGKILL; 25 s
    /// leaves room for the preStop delay being part of it.
    pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 25;

    /// Five minutes: long enough that reconnecting costs nothing, short
    /// enough that new replicas get traffic soon after a scale-out.
    pub const DEFAULT_MAX_CONNECTION_AGE_SECS: u64 = 300;

    fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// 32 requests per core: enough queue to keep every core busy with
    /// small requests, few enough that 4 MiB texts waiting in memory stay
    /// bounded.
    pub fn default_max_concurrency() -> usize {
        32 * Self::cores()
    }

    /// One text at a time per core.
    pub fn default_workers() -> usize {
        Self::cores()
    }

    /// `max_concurrency` with 0 resolved to the default.
    pub fn max_concurrency(&self) -> usize {
        if self.max_concurrency == 0 {
            Self::default_max_concurrency()
        } else {
            self.max_concurrency
        }
    }

    /// `workers` with 0 resolved to the default.
    pub fn workers(&self) -> usize {
        if self.workers == 0 {
            Self::default_workers()
        } else {
            self.workers
        }
    }

    /// The shutdown grace period.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The connection age limit, if any.
    pub fn max_connection_age(&self) -> Option<Duration> {
        (self.max_connection_age_secs > 0).then(|| Duration::from_secs(self.max_connection_age_secs))
    }

    /// Dictionary changes show up within a few seconds; the issue asks for
    /// ten at most, so two leaves room for a slow rebuild.
    pub const DEFAULT_DICT_POLL_SECS: u64 = 2;

    /// 4 MiB: a long report is a few hundred KiB; beyond this callers should
    /// split, since offsets and responses grow with the text.
    pub const DEFAULT_MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
    /// Offsets are `uint32` on the wire, and a frame must stay far below
    /// that; 256 MiB is an upper bound no sane deployment needs.
    pub const MAX_MAX_TEXT_BYTES: usize = 256 * 1024 * 1024;
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 50051)),
            max_text_bytes: Self::DEFAULT_MAX_TEXT_BYTES,
            user_dicts: Vec::new(),
            dict_dir: None,
            dict_poll_secs: Self::DEFAULT_DICT_POLL_SECS,
            metrics_listen: OptionalAddr(Some(SocketAddr::from(([0, 0, 0, 0], 9090)))),
            max_concurrency: 0,
            workers: 0,
            shutdown_grace_secs: Self::DEFAULT_SHUTDOWN_GRACE_SECS,
            max_connection_age_secs: Self::DEFAULT_MAX_CONNECTION_AGE_SECS,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
        }
    }
}

fn parse_max_text_bytes(value: &str) -> Result<usize, String> {
    let n: usize = value.trim().parse().map_err(|e| format!("not a byte count: {e}"))?;
    if n == 0 || n > ServeConfig::MAX_MAX_TEXT_BYTES {
        return Err(format!(
            "must be between 1 and {} bytes",
            ServeConfig::MAX_MAX_TEXT_BYTES
        ));
    }
    Ok(n)
}
