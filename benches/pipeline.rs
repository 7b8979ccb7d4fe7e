//! In-process pipeline throughput on real news, each compared in the same
//! run with raw jieba-rs `cut` on the same input (the baseline the issues
//! set targets against):
//! - Segment (precise, HMM, POS tags) on Simplified and on Traditional text
//!   (the script-aware path: detection, t2s view, mapping back);
//! - TagEntities (segmentation + rules + name tagger).
//!
//! cargo bench --bench pipeline

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jieba_rs::Jieba;
use zhtext::text::{normalize::NormalizeOptions, pipeline::Pipeline, segment::SegmentMode};

/// Requests are paragraphs, not megabytes: the input is split into lines
/// and each line processed on its own, as a caller would send them.
const INPUT_BYTES: usize = 256 * 1024;

fn pipeline(c: &mut Criterion) {
    let pipeline = Pipeline::load();
    let jieba = Jieba::new();
    let options = NormalizeOptions::default();
    for (name, text) in [
        ("simplified", support::simplified_news(INPUT_BYTES)),
        ("traditional", support::traditional_news(INPUT_BYTES)),
    ] {
        let lines: Vec<&str> = text.lines().collect();
        let mut group = c.benchmark_group(format!("segment_{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(10);
        group.bench_function("jieba_rs_cut", |b| {
            b.iter(|| lines.iter().map(|l| jieba.cut(l, true).len()).sum::<usize>())
        });
        group.bench_function("jieba_rs_tag", |b| {
            b.iter(|| lines.iter().map(|l| jieba.tag(l, true).len()).sum::<usize>())
        });
        group.bench_function("zhtext_segment", |b| {
            b.iter(|| {
                lines
                    .iter()
                    .map(|l| pipeline.segment(l, &options, SegmentMode::Precise, true).tokens.len())
                    .sum::<usize>()
            })
        });
        group.bench_function("zhtext_tag_entities", |b| {
            b.iter(|| {
                lines
                    .iter()
                    .map(|l| pipeline.tag(l, &options, &[]).len())
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
