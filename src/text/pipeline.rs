//! The one text pipeline every entry point uses (gRPC handlers, CLI,
//! evaluations, benchmarks): normalize (with its offset map) → segment →
//! tag, with every span mapped back to the caller's text.

use std::{borrow::Cow, ops::Range, sync::Arc, time::Instant};

use crate::text::{
    normalize::{NormalizeOptions, Normalized, Normalizer, NormalizerSet},
    offsets::OffsetMap,
    opencc::Profile,
    script::{ScriptDetector, ScriptReport},
    segment::{JiebaSegmenter, SegmentMode, Segmenter, Word},
    tag::{EntityKind, EntityTagger, PriorityTagger, pos::PosEntityTagger, rules::RuleRecognizer},
};

/// A word in the caller's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSpan {
    /// The word after normalization.
    pub text: String,
    /// Byte range in the caller's text.
    pub original: Range<usize>,
    /// Byte range in the normalized text.
    pub normalized: Range<usize>,
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
    script: ScriptDetector,
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
        let script = ScriptDetector::new(normalizers.opencc());
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "pipeline loaded");
        Pipeline {
            normalizers,
            script,
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

    /// The script of `text`.
    pub fn detect_script(&self, text: &str) -> ScriptReport {
        self.script.detect(text)
    }

    /// What the segmenter and taggers read: the normalized text itself, or,
    /// when it holds Traditional characters, its t2s view, since jieba's
    /// dictionary and the entity model are Simplified.
    fn analysis_view<'n>(&self, normalized: &'n Normalized<'_>) -> AnalysisView<'n> {
        let text: &str = &normalized.text;
        if !self.script.detect(text).has_traditional() {
            return AnalysisView {
                text: Cow::Borrowed(text),
                map: None,
            };
        }
        let rewrite = self.normalizers.converter(Profile::T2s).rewrite(text);
        let map = OffsetMap::from_rewrite(text, &rewrite);
        AnalysisView {
            text: Cow::Owned(rewrite.text),
            map: Some(map),
        }
    }

    /// Segments `text` after normalizing it; offsets point into `text`.
    pub fn segment(&self, text: &str, options: &NormalizeOptions, mode: SegmentMode, hmm: bool) -> Vec<TokenSpan> {
        let normalized = self.normalize(text, options);
        let view = self.analysis_view(&normalized);
        let words = self.segmenter.segment(&view.text, mode, hmm);
        let mut tokens: Vec<TokenSpan> = Vec::with_capacity(words.len());
        for Word { range, pos } in words {
            let range = view.to_normalized(range, &normalized.text);
            let original = normalized.to_original(range.clone());
            if let Some(last) = tokens.last_mut()
                && mode == SegmentMode::Precise
                && original.start < last.original.end
            {
                // A replaced phrase that the segmenter split maps back to one
                // span of the caller's text; precise tokens must still tile
                // it, so the pieces become one token.
                last.normalized.end = last.normalized.end.max(range.end);
                last.original.end = last.original.end.max(original.end);
                continue;
            }
            tokens.push(TokenSpan {
                text: String::new(),
                original,
                normalized: range,
                pos,
            });
        }
        if mode != SegmentMode::Precise {
            tokens.dedup_by(|b, a| a.original == b.original && a.normalized == b.normalized);
        }
        for t in &mut tokens {
            t.text = normalized.text[t.normalized.clone()].to_owned();
        }
        tokens
    }

    /// Tags entities in `text` after normalizing it; offsets point into
    /// `text`. An empty `kinds` keeps every kind.
    pub fn tag(&self, text: &str, options: &NormalizeOptions, kinds: &[EntityKind]) -> Vec<EntitySpan> {
        let normalized = self.normalize(text, options);
        let view = self.analysis_view(&normalized);
        let words = self.segmenter.segment(&view.text, SegmentMode::Precise, true);
        self.tagger
            .tag(&view.text, &words)
            .into_iter()
            .filter(|m| kinds.is_empty() || kinds.contains(&m.kind))
            .map(|m| {
                let range = view.to_normalized(m.range, &normalized.text);
                EntitySpan {
                    text: normalized.text[range.clone()].to_owned(),
                    original: normalized.to_original(range),
                    kind: m.kind,
                    confidence: m.confidence,
                    normalized: m.normalized,
                }
            })
            .collect()
    }
}

/// The text the analysis stages read, and how it maps to the normalized text.
struct AnalysisView<'n> {
    text: Cow<'n, str>,
    /// `None` when the view is the normalized text itself.
    map: Option<OffsetMap>,
}

impl AnalysisView<'_> {
    fn to_normalized(&self, range: Range<usize>, normalized: &str) -> Range<usize> {
        match &self.map {
            Some(map) => map.to_original(range, normalized, &self.text),
            None => range,
        }
    }
}
