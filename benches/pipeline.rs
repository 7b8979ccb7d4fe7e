//! In-process pipeline throughput on real news, each compared in the same
//! run with raw jieba-rs `cut` on the same input (the baseline the issues
//! set targets against):
//! - Segment (precise, HMM, POS tags) on Simplified and on Traditional text
//!   (the script-aware path: detection, t2s view, mapping back);
//! - TagEntities (segmentation + rules + name tagger);
//! - its core, the rules and the name tagger alone (the entity tagger on the
//!   text it reads, the t2s view for Traditional, given jieba's words, which
//!   are computed before the timing).
//!
//! cargo bench --bench pipeline

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jieba_rs::Jieba;
use zhtext::text::{
    normalize::NormalizeOptions,
    pipeline::Pipeline,
    segment::{SegmentMode, Segmenter},
};

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
        // What the tagger reads of each line (the t2s view where it holds
        // Traditional characters, as the pipeline does; the few lines whose
        // view changes a character's length are read as they are here) and
        // its words.
        let segmenter = pipeline.segmenters().default_segmenter();
        let views: Vec<String> = lines
            .iter()
            .map(|l| match pipeline.normalizers().reading_view_char_for_char(l) {
                Some(view) if pipeline.detect_script(l).has_traditional() => view,
                _ => l.to_string(),
            })
            .collect();
        let words: Vec<_> = views
            .iter()
            .map(|v| segmenter.segment(v, SegmentMode::Precise, true))
            .collect();
        let tagger = pipeline.tagger();
        group.bench_function("zhtext_tag_entities_core", |b| {
            b.iter(|| {
                views
                    .iter()
                    .zip(&words)
                    .map(|(v, w)| tagger.tag(v, w).len())
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
