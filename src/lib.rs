//! zhtext cleans up, segments and entity-tags Chinese text, and serves it
//! over gRPC. The layout: [`text`] is the pipeline, with no gRPC in it —
//! [`text::align`] and [`text::offsets`] carry offsets through every step,
//! [`text::normalize`] runs the OpenCC converters ([`text::opencc`]) and
//! noise repairs ([`text::repair`]), [`text::segment`] wraps jieba (precise
//! mode cuts with jieba's dictionary and HMM in [`text::lexicon`] and
//! [`text::char_hmm`], tagging dictionary words on the way;
//! [`text::word_tags`] remembers the tags jieba guesses for the rest), and
//! [`text::tag`] combines entity taggers; [`text::pipeline`] strings them
//! together for every entry point. [`api`] translates protobuf to and from
//! those types and maps errors to statuses; [`server`] puts TextService,
//! health and reflection on a listener; [`eval`] scores the
//! pipeline on public corpora through the API; [`config`], [`telemetry`]
//! and [`cli`] serve the thin binary in `main.rs`.

pub mod api;
pub mod cli;
pub mod config;
pub mod eval;
pub mod linger;
pub mod loadgen;
pub mod metrics;
pub mod reload;
pub mod server;
pub mod telemetry;
pub mod text;
