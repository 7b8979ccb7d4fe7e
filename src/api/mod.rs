//! The gRPC boundary: generated types, proto ⇄ domain translation, and the
//! mapping of errors to statuses. Handlers hold no text logic of their own.

pub mod codec;
mod convert;
pub mod limits;
pub mod observe;
pub mod segment_response;
mod service;
mod status;

pub use limits::{Admission, LoadStats, WorkPool};
pub use service::{PipelineSlot, TextApi};

/// Code generated from `proto/zhtext/v1` by build.rs.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    tonic::include_proto!("zhtext.v1");

    pub use super::segment_response::SegmentResponse;

    /// Encoded file descriptor set of the zhtext protos, served by reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/zhtext_descriptor.bin"));
}
