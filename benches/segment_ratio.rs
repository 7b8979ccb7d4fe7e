//! Segment's throughput as a share of raw jieba-rs `cut`, measured so that
//! the ratio survives a noisy machine: the contenders take turns, one pass
//! over the same input each, round after round, and each is scored by its
//! fastest pass (a pass that a neighbour's burst slowed down is not its
//! speed). Criterion's `pipeline` bench measures each function in its own
//! time window, so a burst of load during one of them moves the ratio;
//! here every round sees the same conditions for all contenders.
//!
//! `cut` runs on the pipeline's own jieba instance, as in the server.
//! Segment's precise mode walks its own copy of the dictionary (the
//! lexicon, `src/text/lexicon.rs`), so each contender's pass starts with
//! the other's tables in the CPU caches; a pass over 256 KiB warms its own.
//! jieba-rs `tag` is left out (its POS model takes cache too); the
//! `pipeline` bench reports it.
//!
//! cargo bench --bench segment_ratio [-- ROUNDS]
//!
//! Prints, per input, MiB/s (best and median pass) and the ratio of the
//! best passes to `cut`'s.

mod support;

use std::time::Instant;

use zhtext::text::{normalize::NormalizeOptions, pipeline::Pipeline, segment::SegmentMode};

/// The same input size and line-by-line calls as the `pipeline` bench.
const INPUT_BYTES: usize = 256 * 1024;

type Contender<'a> = (&'static str, Box<dyn Fn(&str) -> usize + 'a>);

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments is the
    // round count.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(40);
    let pipeline = Pipeline::load();
    let jieba = pipeline.segmenters().default_segmenter().jieba();
    let options = NormalizeOptions::default();
    for (name, text) in [
        ("simplified", support::simplified_news(INPUT_BYTES)),
        ("traditional", support::traditional_news(INPUT_BYTES)),
    ] {
        let lines: Vec<&str> = text.lines().collect();
        let contenders: Vec<Contender<'_>> = vec![
            ("jieba_rs_cut", Box::new(|l| jieba.cut(l, true).len())),
            (
                "zhtext_segment",
                Box::new(|l| pipeline.segment(l, &options, SegmentMode::Precise, true).tokens.len()),
            ),
        ];
        let mut passes: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); contenders.len()];
        for _ in 0..rounds {
            for (i, (_, run)) in contenders.iter().enumerate() {
                let start = Instant::now();
                let tokens: usize = lines.iter().map(|l| run(l)).sum();
                std::hint::black_box(tokens);
                passes[i].push(start.elapsed().as_secs_f64());
            }
        }
        let mib = text.len() as f64 / (1024.0 * 1024.0);
        let best = |p: &[f64]| p.iter().copied().fold(f64::MAX, f64::min);
        let cut_best = best(&passes[0]);
        println!(
            "{name}: {:.0} KiB, {} lines, {rounds} rounds",
            text.len() as f64 / 1024.0,
            lines.len()
        );
        for ((label, _), p) in contenders.iter().zip(&mut passes) {
            p.sort_by(f64::total_cmp);
            let median = p[p.len() / 2];
            println!(
                "  {label:<15} best {:6.1} MiB/s  median {:6.1} MiB/s  best / cut's best {:5.1}%",
                mib / p[0],
                mib / median,
                100.0 * cut_best / p[0]
            );
        }
    }
}
