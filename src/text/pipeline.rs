//! The one text pipeline every entry point uses (gRPC handlers, CLI,
//! evaluations, benchmarks): normalize (with its offset map) → segment →
//! tag, with every span mapped back to the caller's text.

use std::{borrow::Cow, ops::Range, sync::Arc, time::Instant};

use crate::text::{
    normalize::{NormalizeOptions, Normalized, NormalizerSet},
    offsets::OffsetMap,
    segment::{JiebaSegmenter, SegmentMode, Segmenter},
    tag::{EntityKind, EntityTagger, PriorityTagger, pos::PosEntityTagger, rules::RuleRecognizer},
};

/// A word in the caller's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSpan {
    /// The word after normalization.
    pub text: String,
    /// Byte range in the caller's text.
    pub original: Range<usize>,
    /// Part-of-speech tag.
    pub pos: String,
}

/// An entity in the caller's text.
#[derive(Clone, Debug, PartialEq)]
pub struct EntitySpan {
    /// The mention after normalization.
    pub text: String,
    /// Byte range in the caller's text.
    pub original: Range<usize>,
    /// Entity type.
    pub kind: EntityKind,
    /// Tagger confidence, 0..1.
    pub confidence: f32,
    /// Canonical value, for the kinds that have one.
    pub normalized: Option<String>,
}

/// Heavy, immutable state loaded once at start-up and shared via `Arc`.
pub struct Pipeline {
    normalizers: NormalizerSet,
    segmenter: Arc<dyn Segmenter>,
    tagger: Arc<dyn EntityTagger>,
}

impl Pipeline {
    /// Loads every dictionary and model embedded in the binary.
    pub fn load() -> Self {
        let started = Instant::now();
        let normalizers = NormalizerSet::load();
        let segmenter = Arc::new(JiebaSegmenter::with_default_dict());
        let tagger = Arc::new(PriorityTagger::new(vec![
            Box::new(RuleRecognizer::new()),
            Box::new(PosEntityTagger),
        ]));
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "pipeline loaded");
        Pipeline {
            normalizers,
            segmenter,
            tagger,
        }
    }

    /// The normalization steps.
    pub fn normalizers(&self) -> &NormalizerSet {
        &self.normalizers
    }

    /// Normalizes `text` with the offset map back to it.
    pub fn normalize<'a>(&self, text: &'a str, options: &NormalizeOptions) -> Normalized<'a> {
        if options.is_noop() {
            return Normalized {
                original: text,
                text: Cow::Borrowed(text),
                map: OffsetMap::identity(text.len()),
            };
        }
        self.normalizers.normalize(text, options)
    }

    /// Normalizes `text` when no offsets are needed.
    pub fn normalize_text<'a>(&self, text: &'a str, options: &NormalizeOptions) -> Cow<'a, str> {
        self.normalizers.normalize_text(text, options)
    }

    /// Segments `text` after normalizing it; offsets point into `text`.
    pub fn segment(&self, text: &str, options: &NormalizeOptions, mode: SegmentMode, hmm: bool) -> Vec<TokenSpan> {
        let normalized = self.normalize(text, options);
        self.segmenter
            .segment(&normalized.text, mode, hmm)
            .into_iter()
            .map(|w| TokenSpan {
                text: normalized.text[w.range.clone()].to_owned(),
                original: normalized.to_original(w.range),
                pos: w.pos,
            })
            .collect()
    }

    /// Tags entities in `text` after normalizing it; offsets point into
    /// `text`. An empty `kinds` keeps every kind.
    pub fn tag(&self, text: &str, options: &NormalizeOptions, kinds: &[EntityKind]) -> Vec<EntitySpan> {
        let normalized = self.normalize(text, options);
        let words = self.segmenter.segment(&normalized.text, SegmentMode::Precise, true);
        self.tagger
            .tag(&normalized.text, &words)
            .into_iter()
            .filter(|m| kinds.is_empty() || kinds.contains(&m.kind))
            .map(|m| EntitySpan {
                text: normalized.text[m.range.clone()].to_owned(),
                original: normalized.to_original(m.range),
                kind: m.kind,
                confidence: m.confidence,
                normalized: m.normalized,
            })
            .collect()
    }
}
