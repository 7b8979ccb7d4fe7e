//! Compiles `proto/` with protox (pure Rust, no system `protoc`) and writes
//! the file descriptor set that the server's reflection service serves;
//! finds jieba's default dictionary and character HMM among the sources of
//! jieba-rs, for `src/text/lexicon.rs` and `src/text/char_hmm.rs` to embed.

use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
};

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

    // The lexicon holds exactly the words, frequencies and HMM that
    // jieba-rs holds, and jieba-rs hands out neither.
    let metadata = cargo_metadata()?;
    let jieba = package_dir(&metadata, "jieba-rs")?;
    let macros = package_dir(&metadata, "jieba-macros")?;
    for (var, file) in [
        ("ZHTEXT_JIEBA_DICT", jieba.join("src/data/dict.txt")),
        ("ZHTEXT_JIEBA_HMM", macros.join("src/hmm.model")),
    ] {
        if !file.is_file() {
            return Err(format!("{} is not at {}", var, file.display()).into());
        }
        println!("cargo:rerun-if-changed={}", file.display());
        println!("cargo:rustc-env={var}={}", file.display());
    }
    Ok(())
}

/// `cargo metadata` for this package, offline: the sources of every
/// dependency are already on disk for this build.
fn cargo_metadata() -> Result<String, Box<dyn std::error::Error>> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = Path::new(&env::var("CARGO_MANIFEST_DIR")?).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1", "--filter-platform"])
        .arg(env::var("TARGET")?)
        .arg("--manifest-path")
        .arg(&manifest)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed while looking for jieba-rs's data: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// The source directory of dependency `name`: the JSON names each
/// package's manifest, in a `<name>-<version>` directory (Cargo.toml pins
/// the versions).
fn package_dir(metadata: &str, name: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let prefix = format!("{name}-");
    let manifest = metadata
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| {
            Path::new(path)
                .parent()
                .and_then(Path::file_name)
                .and_then(|dir| dir.to_str())
                .and_then(|dir| dir.strip_prefix(&prefix))
                .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
        })
        .ok_or_else(|| format!("cargo metadata lists no {name} package"))?;
    Ok(Path::new(manifest)
        .parent()
        .expect("a manifest is in a directory")
        .to_owned())
}
