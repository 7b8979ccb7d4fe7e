//! Server configuration: one struct with defaults, filled from flags or
//! `ZHTEXT_*` environment variables (flags win).
//!
//! | variable | flag | default | meaning |
//! |---|---|---|---|
//! | `ZHTEXT_LISTEN` | `--listen` | `0.0.0.0:50051` | gRPC address |
//! | `ZHTEXT_MAX_TEXT_BYTES` | `--max-text-bytes` | `4194304` (4 MiB) | largest `text` accepted; larger gets `INVALID_ARGUMENT` |
//! | `ZHTEXT_LOG_FORMAT` | `--log-format` | `text` | `text` for people, `json` for log pipelines |
//! | `RUST_LOG` | | `info` | log filter (tracing-subscriber `EnvFilter` syntax) |

use std::net::SocketAddr;

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
}

impl ServeConfig {
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
