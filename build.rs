//! Compiles `proto/` with protox (pure Rust, no system `protoc`) and writes
//! the file descriptor set that the server's reflection service serves.

use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/zhtext/v1/text_service.proto"];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("zhtext_descriptor.bin");
    std::fs::write(&descriptor_path, prost::Message::encode_to_vec(&descriptors))?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Decode errors (such as text that is not UTF-8) are the caller's
        // fault, so they are reported as INVALID_ARGUMENT, not INTERNAL.
        .codec_path("crate::api::codec::ValidatingCodec")
        // Hand-written so the server encodes words straight from a
        // segmentation (see src/api/segment_response.rs).
        .extern_path(
            ".zhtext.v1.SegmentResponse",
            "crate::api::segment_response::SegmentResponse",
        )
        .compile_fds(descriptors)?;
    Ok(())
}
