//! The one text pipeline every entry point uses (gRPC handlers, CLI,
//! evaluations, benchmarks): normalize (with its offset map) → segment →
//! tag, with every span mapped back to the caller's text.

use std::{borrow::Cow, ops::Range, sync::Arc, time::Instant};

use crate::text::{
    keywords::{KeywordExtractor, KeywordMethod, ScoredKeyword},
    normalize::{NormalizeOptions, Normalized, Normalizer, NormalizerSet},
    offsets::OffsetMap,
    opencc::Profile,
    script::{ScriptDetector, ScriptReport},
    segment::{SegmentMode, Segmenter, SegmenterSet, Word},
    tag::{EntityKind, EntityTagger, PriorityTagger, ner::NerModel, rules::RuleRecognizer},
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
/// A dictionary reload builds a new pipeline that shares everything but the
/// segmenters with the old one.
pub struct Pipeline {
    normalizers: Arc<NormalizerSet>,
    script: Arc<ScriptDetector>,
    segmenters: SegmenterSet,
    tagger: Arc<dyn EntityTagger>,
    keywords: Arc<KeywordExtractor>,
}

impl Pipeline {
    /// Loads every dictionary and model embedded in the binary, with jieba's
    /// default dictionary only.
    pub fn load() -> Self {
        Self::load_with(SegmenterSet::default_only())
    }

    /// Loads the embedded dictionaries and models around `segmenters`.
    pub fn load_with(segmenters: SegmenterSet) -> Self {
        let started = Instant::now();
        let normalizers = Arc::new(NormalizerSet::load());
        let tagger = Arc::new(PriorityTagger::new(vec![
            Box::new(RuleRecognizer::new()),
            Box::new(NerModel::embedded()),
        ]));
        let script = Arc::new(ScriptDetector::new(normalizers.opencc()));
        let keywords = Arc::new(KeywordExtractor::default());
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "pipeline loaded");
        Pipeline {
            normalizers,
            script,
            segmenters,
            tagger,
            keywords,
        }
    }

    /// The same pipeline with other segmenters (after a dictionary reload).
    pub fn with_segmenters(&self, segmenters: SegmenterSet) -> Pipeline {
        Pipeline {
            normalizers: self.normalizers.clone(),
            script: self.script.clone(),
            segmenters,
            tagger: self.tagger.clone(),
            keywords: self.keywords.clone(),
        }
    }

    /// The segmenters (default and profiles).
    pub fn segmenters(&self) -> &SegmenterSet {
        &self.segmenters
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

    /// Segments `text` with the default dictionary after normalizing it;
    /// offsets point into `text`.
    pub fn segment(&self, text: &str, options: &NormalizeOptions, mode: SegmentMode, hmm: bool) -> Vec<TokenSpan> {
        self.segment_with(self.segmenters.default_segmenter().as_ref(), text, options, mode, hmm)
    }

    /// Segments `text` with `segmenter` (for example a dictionary profile
    /// from [`Self::segmenters`]) after normalizing it.
    pub fn segment_with(
        &self,
        segmenter: &dyn Segmenter,
        text: &str,
        options: &NormalizeOptions,
        mode: SegmentMode,
        hmm: bool,
    ) -> Vec<TokenSpan> {
        let normalized = self.normalize(text, options);
        let view = self.analysis_view(&normalized);
        let words = segmenter.segment(&view.text, mode, hmm);
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
        let words = self
            .segmenters
            .default_segmenter()
            .segment(&view.text, SegmentMode::Precise, true);
        let mut entities: Vec<EntitySpan> = Vec::new();
        for m in self.tagger.tag(&view.text, &words) {
            if !kinds.is_empty() && !kinds.contains(&m.kind) {
                continue;
            }
            let range = view.to_normalized(m.range, &normalized.text);
            let original = normalized.to_original(range.clone());
            // Two mentions that are disjoint in the normalized text can meet
            // inside one replaced span of the original; mentions must not
            // overlap there either, so the earlier one keeps the span.
            if entities.last().is_some_and(|last| original.start < last.original.end) {
                continue;
            }
            entities.push(EntitySpan {
                text: normalized.text[range].to_owned(),
                original,
                kind: m.kind,
                confidence: m.confidence,
                normalized: m.normalized,
            });
        }
        entities
    }
}

impl Pipeline {
    /// The `top_k` keywords of `text` after normalizing it, in the script of
    /// the normalized text (Traditional text is ranked on its t2s view and
    /// each keyword mapped back to its first occurrence).
    pub fn keywords(
        &self,
        text: &str,
        options: &NormalizeOptions,
        top_k: usize,
        method: KeywordMethod,
        allowed_pos: &[String],
    ) -> Vec<ScoredKeyword> {
        let normalized = self.normalize(text, options);
        let view = self.analysis_view(&normalized);
        let jieba = self.segmenters.default_segmenter().jieba();
        let mut keywords = self.keywords.extract(jieba, &view.text, top_k, method, allowed_pos);
        if view.map.is_some() {
            for k in &mut keywords {
                if let Some(start) = view.text.find(&k.text) {
                    let range = view.to_normalized(start..start + k.text.len(), &normalized.text);
                    k.text = normalized.text[range].to_owned();
                }
            }
        }
        keywords
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
