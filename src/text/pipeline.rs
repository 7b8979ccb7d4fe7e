//! The one text pipeline every entry point uses (gRPC handlers, CLI,
//! evaluations, benchmarks): normalize (with its offset map) → segment →
//! tag, with every span mapped back to the caller's text.

use std::{borrow::Cow, ops::Range, sync::Arc, time::Instant};

use crate::text::{
    align::{AlignedSpan, Rewrite},
    cancel::{Cancel, Cancelled},
    keywords::{KeywordExtractor, KeywordMethod, ScoredKeyword},
    normalize::{NormalizeOptions, Normalized, NormalizerSet},
    offsets::{OffsetCursor, OffsetMap},
    script::{ScriptDetector, ScriptReport},
    segment::{PosTag, SegmentMode, Segmenter, SegmenterSet, Word},
    tag::{
        EntityKind, EntityTagger, PriorityTagger,
        known::{KnownNameTagger, KnownNames},
        ner::NerModel,
        rules::{RuleRecognizer, ShareRecognizer},
    },
};

/// A word in the caller's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSpan {
    /// Byte range in the caller's text.
    pub original: Range<usize>,
    /// Byte range in the normalized text ([`Segmentation::word`] reads it).
    pub normalized: Range<usize>,
    /// Part-of-speech tag.
    pub pos: PosTag,
}

/// The words of a text, with the normalized text they were read from.
/// Words are ranges, not strings: callers that need only offsets and tags
/// (or copy the words into their own messages) pay for no per-word
/// allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segmentation<'a> {
    /// The text after normalization.
    pub normalized: Cow<'a, str>,
    /// The words, in order of their start.
    pub tokens: Vec<TokenSpan>,
}

impl Segmentation<'_> {
    /// The word of `token`, after normalization.
    pub fn word(&self, token: &TokenSpan) -> &str {
        &self.normalized[token.normalized.clone()]
    }

    /// Each token with its word.
    pub fn words(&self) -> impl Iterator<Item = (&TokenSpan, &str)> {
        self.tokens.iter().map(|t| (t, self.word(t)))
    }
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
            Box::new(KnownNameTagger::new(
                Box::new(NerModel::embedded()),
                KnownNames::embedded(),
            )),
            // After the names: 成 ends given names too (穗积一成).
            Box::new(ShareRecognizer),
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

    /// The entity tagger: rules, then the model with the known names.
    pub fn tagger(&self) -> &Arc<dyn EntityTagger> {
        &self.tagger
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
    /// when it holds Traditional characters, its t2s view (with regional
    /// variants folded, see `NormalizerSet::reading_view`), since jieba's
    /// dictionary and the entity model are Simplified.
    fn analysis_view<'n>(&self, normalized: &'n Normalized<'_>) -> AnalysisView<'n> {
        let text: &str = &normalized.text;
        if !self.script.has_traditional(text) {
            return AnalysisView {
                text: Cow::Borrowed(text),
                map: None,
            };
        }
        if let Some(view) = self.normalizers.reading_view_char_for_char(text) {
            // Every byte offset of the view is the same offset in the text
            // (the usual case: t2s replaces characters and phrases by as
            // many characters of the same UTF-8 length), so tokens need no
            // map back, and the conversion needs no alignment.
            return AnalysisView {
                text: Cow::Owned(view),
                map: None,
            };
        }
        let mut rewrite = self.normalizers.reading_view(text);
        split_into_characters(text, &mut rewrite);
        let (view, map) = OffsetMap::split_rewrite(text, rewrite);
        AnalysisView {
            text: Cow::Owned(view),
            map: Some(map),
        }
    }

    /// Segments `text` with the default dictionary after normalizing it;
    /// offsets point into `text`.
    pub fn segment<'a>(
        &self,
        text: &'a str,
        options: &NormalizeOptions,
        mode: SegmentMode,
        hmm: bool,
    ) -> Segmentation<'a> {
        self.segment_with(self.segmenters.default_segmenter().as_ref(), text, options, mode, hmm)
    }

    /// Segments `text` with `segmenter` (for example a dictionary profile
    /// from [`Self::segmenters`]) after normalizing it.
    pub fn segment_with<'a>(
        &self,
        segmenter: &dyn Segmenter,
        text: &'a str,
        options: &NormalizeOptions,
        mode: SegmentMode,
        hmm: bool,
    ) -> Segmentation<'a> {
        match self.segment_cancellable(segmenter, text, options, mode, hmm, &Cancel::never()) {
            Ok(tokens) => tokens,
            Err(Cancelled) => unreachable!("Cancel::never() is never raised"),
        }
    }

    /// [`Self::segment_with`], giving up between chunks once `cancel` is
    /// raised.
    pub fn segment_cancellable<'a>(
        &self,
        segmenter: &dyn Segmenter,
        text: &'a str,
        options: &NormalizeOptions,
        mode: SegmentMode,
        hmm: bool,
        cancel: &Cancel,
    ) -> Result<Segmentation<'a>, Cancelled> {
        let normalized = self.normalize(text, options);
        cancel.check()?;
        let view = self.analysis_view(&normalized);
        let mut words = Vec::new();
        for chunk in chunks(&view.text) {
            cancel.check()?;
            segmenter.segment_into(&view.text[chunk.clone()], mode, hmm, chunk.start, &mut words);
        }
        let mut tokens: Vec<TokenSpan> = Vec::with_capacity(words.len());
        let (mut to_normalized, mut to_original) = (view.cursor(), normalized.map.cursor());
        for Word { range, pos } in words {
            let range = to_normalized.map(range, &normalized.text);
            let original = to_original.to_original(range.clone(), normalized.original);
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
                original,
                normalized: range,
                pos,
            });
        }
        if mode != SegmentMode::Precise {
            tokens.dedup_by(|b, a| a.original == b.original && a.normalized == b.normalized);
        }
        drop(view);
        Ok(Segmentation {
            normalized: normalized.text,
            tokens,
        })
    }

    /// Tags entities in `text` after normalizing it; offsets point into
    /// `text`. An empty `kinds` keeps every kind.
    pub fn tag(&self, text: &str, options: &NormalizeOptions, kinds: &[EntityKind]) -> Vec<EntitySpan> {
        match self.tag_cancellable(text, options, kinds, &Cancel::never()) {
            Ok(entities) => entities,
            Err(Cancelled) => unreachable!("Cancel::never() is never raised"),
        }
    }

    /// [`Self::tag`], giving up between chunks once `cancel` is raised.
    pub fn tag_cancellable(
        &self,
        text: &str,
        options: &NormalizeOptions,
        kinds: &[EntityKind],
        cancel: &Cancel,
    ) -> Result<Vec<EntitySpan>, Cancelled> {
        let normalized = self.normalize(text, options);
        cancel.check()?;
        let view = self.analysis_view(&normalized);
        let segmenter = self.segmenters.default_segmenter();
        let mut mentions = Vec::new();
        for chunk in chunks(&view.text) {
            cancel.check()?;
            let piece = &view.text[chunk.clone()];
            let words = segmenter.segment(piece, SegmentMode::Precise, true);
            mentions.extend(self.tagger.tag(piece, &words).into_iter().map(|mut m| {
                m.range = m.range.start + chunk.start..m.range.end + chunk.start;
                m
            }));
        }
        let mut entities: Vec<EntitySpan> = Vec::new();
        let (mut to_normalized, mut to_original) = (view.cursor(), normalized.map.cursor());
        for m in mentions {
            if !kinds.is_empty() && !kinds.contains(&m.kind) {
                continue;
            }
            let range = to_normalized.map(m.range, &normalized.text);
            let original = to_original.to_original(range.clone(), normalized.original);
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
        Ok(entities)
    }
}

/// Splits each replaced phrase whose two sides have as many characters into
/// one span per character. t2s phrases keep their length (藉口 → 借口,
/// 瞭解 → 了解), so characters correspond one to one; without the split a
/// word boundary inside the phrase (找|借口) would widen to the whole phrase
/// and merge the words around it in the caller's text.
fn split_into_characters(original: &str, rewrite: &mut Rewrite) {
    let mut spans = Vec::with_capacity(rewrite.spans.len());
    for span in rewrite.spans.drain(..) {
        let from = &original[span.original.clone()];
        let to = &rewrite.text[span.normalized.clone()];
        if from == to || from.chars().count() != to.chars().count() || from.chars().nth(1).is_none() {
            spans.push(span);
            continue;
        }
        let mut o = span.original.start;
        let mut n = span.normalized.start;
        for (a, b) in from.chars().zip(to.chars()) {
            spans.push(AlignedSpan {
                original: o..o + a.len_utf8(),
                normalized: n..n + b.len_utf8(),
            });
            o += a.len_utf8();
            n += b.len_utf8();
        }
    }
    rewrite.spans = spans;
}

/// Segmenting and tagging go piece by piece so that a cancelled request is
/// noticed within milliseconds; pieces are at least this long.
const CHUNK_BYTES: usize = 32 * 1024;

/// Byte ranges tiling `text`, each at least [`CHUNK_BYTES`] long (but the
/// last) and ending just after a sentence-final mark or a line break, so
/// that segmenting piece by piece gives the same words as segmenting the
/// whole. Precise and search mode never join a word across those
/// characters; full mode (jieba-rs `cut_all`) reads a run of ASCII letters,
/// digits, `+`, `#` and `\n` as one word, so a line break followed by one of
/// those is not a cut point (fuzzing found `2024\nGDP` split in two). A
/// text without a cut point is one piece.
fn chunks(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let from = start + CHUNK_BYTES;
        let end = if from >= text.len() {
            text.len()
        } else {
            let from = (from..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            let rest = &text[from..];
            rest.char_indices()
                .find(|&(i, c)| match c {
                    '。' | '！' | '？' => true,
                    '\n' => !rest[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|next| next.is_ascii_alphanumeric() || matches!(next, '+' | '#' | '\n')),
                    _ => false,
                })
                .map_or(text.len(), |(i, c)| from + i + c.len_utf8())
        };
        let range = start..end;
        start = end;
        Some(range)
    })
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
        if view.is_converted() {
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
    /// `None` when the view has the normalized text's byte offsets: it is
    /// that text, or a conversion of it character for character.
    map: Option<OffsetMap>,
}

impl AnalysisView<'_> {
    /// Whether the view is a converted copy of the normalized text (its
    /// words are not the caller's, even where its offsets are).
    fn is_converted(&self) -> bool {
        matches!(self.text, Cow::Owned(_))
    }

    fn to_normalized(&self, range: Range<usize>, normalized: &str) -> Range<usize> {
        self.cursor().map(range, normalized)
    }

    /// Maps many ranges of the view, in text order, to the normalized text.
    fn cursor(&self) -> ViewCursor<'_> {
        ViewCursor(self.map.as_ref().map(OffsetMap::cursor))
    }
}

/// [`AnalysisView::to_normalized`] for ranges in text order.
struct ViewCursor<'m>(Option<OffsetCursor<'m>>);

impl ViewCursor<'_> {
    fn map(&mut self, range: Range<usize>, normalized: &str) -> Range<usize> {
        match &mut self.0 {
            Some(cursor) => cursor.to_original(range, normalized),
            None => range,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_tile_the_text_and_end_at_sentence_ends() {
        let sentence = "新华社北京电，国务院常务会议今日召开。\n";
        let text = sentence.repeat(5000);
        let pieces: Vec<_> = chunks(&text).collect();
        assert!(pieces.len() > 1);
        assert_eq!(pieces.first().unwrap().start, 0);
        assert_eq!(pieces.last().unwrap().end, text.len());
        for pair in pieces.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(pair[0].len() >= CHUNK_BYTES);
            assert!(text[pair[0].clone()].ends_with(['\n', '。']));
        }
        // A line break before an ASCII letter or digit is not a cut point.
        let text = format!("{}24\nGDP\n\n中文。", "字".repeat(CHUNK_BYTES / 3));
        assert_eq!(text.find('\n'), Some(CHUNK_BYTES));
        let pieces: Vec<_> = chunks(&text).collect();
        assert_eq!(&text[pieces[0].clone()], text.strip_suffix("中文。").unwrap());
        // No sentence end: one piece, whatever the length.
        let long = "字".repeat(50_000);
        assert_eq!(chunks(&long).collect::<Vec<_>>(), vec![0..long.len()]);
        assert_eq!(chunks("").count(), 0);
    }

    #[test]
    fn chunked_segmentation_matches_whole_text_segmentation() {
        let pipeline = Pipeline::load();
        // Lines that end in a digit or a Latin word, and lines that start
        // with one, so that full mode's `[a-zA-Z0-9+#\n]` words run across
        // line breaks near the cut points.
        let text = "新华社北京12月3日电（记者王伟）国家统计局今天发布数据。\r\n\
                    一季度国内生产总值同比增长5.3%！ABC公司在上海成立？2024\nGDP增长5%\n\n\nC++与C#\n"
            .repeat(1000);
        assert!(text.len() > 3 * CHUNK_BYTES);
        let segmenter = pipeline.segmenters().default_segmenter();
        for mode in [SegmentMode::Precise, SegmentMode::Full, SegmentMode::Search] {
            let whole: Vec<Word> = segmenter.segment(&text, mode, true);
            let tokens = pipeline.segment(&text, &NormalizeOptions::default(), mode, true).tokens;
            assert_eq!(tokens.len(), whole.len(), "{mode:?}");
            for (t, w) in tokens.iter().zip(&whole) {
                assert!(t.original == w.range && t.pos == w.pos, "{mode:?}: {t:?} vs {w:?}");
            }
        }
    }

    #[test]
    fn words_inside_a_converted_phrase_keep_their_own_boundaries() {
        let pipeline = Pipeline::load();
        // t2s turns 藉口 into 借口 as one phrase; jieba reads 找|借口.
        let text = "他總是找藉口，我們瞭解到了。";
        let tokens = pipeline
            .segment(text, &NormalizeOptions::default(), SegmentMode::Precise, true)
            .tokens;
        let words: Vec<&str> = tokens.iter().map(|t| &text[t.original.clone()]).collect();
        assert!(words.contains(&"藉口"), "{words:?}");
        assert!(words.contains(&"瞭解"), "{words:?}");
        assert_eq!(words.concat(), text);
    }

    #[test]
    fn hong_kong_variants_are_read_in_their_mainland_form() {
        // t2s leaves 衞 (Hong Kong's form of 衛) alone, and jieba knows
        // neither form; the reading view folds it, so 衞生局 is one word and
        // the NER model sees 卫生局.
        let pipeline = Pipeline::load();
        let text = "食物及衞生局局長表示，衞生防護中心正調查個案。";
        let seg = pipeline.segment(text, &NormalizeOptions::default(), SegmentMode::Precise, true);
        let words: Vec<&str> = seg.tokens.iter().map(|t| &text[t.original.clone()]).collect();
        assert!(words.contains(&"衞生局"), "{words:?}");
        assert_eq!(words.concat(), text);
        let orgs: Vec<&str> = pipeline
            .tag(text, &NormalizeOptions::default(), &[])
            .into_iter()
            .filter(|e| e.kind == EntityKind::Organization)
            .map(|e| &text[e.original])
            .collect();
        assert!(orgs.contains(&"食物及衞生局"), "{orgs:?}");
    }

    #[test]
    fn a_character_for_character_view_needs_no_map() {
        let pipeline = Pipeline::load();
        for text in [
            "臺灣積體電路製造公司董事長表示，將擴大在高雄的投資。",
            "他總是找藉口，我們瞭解到了。",
            "香港特別行政區政府發言人說：「經濟數據顯示，第三季度增長2.1%。」",
        ] {
            let rewrite = pipeline.normalizers().reading_view(text);
            assert_ne!(rewrite.text, text);
            let view = pipeline.normalizers().reading_view_char_for_char(text);
            assert_eq!(view.as_deref(), Some(rewrite.text.as_str()), "{text}");
            // The map the general path would build sends every boundary of
            // the view to the same offset of the text.
            let mut split = rewrite.clone();
            split_into_characters(text, &mut split);
            let (view, map) = OffsetMap::split_rewrite(text, split);
            for (at, _) in view.char_indices().chain([(view.len(), ' ')]) {
                assert_eq!(map.to_original(at..at, text), at..at, "{text} at {at}");
            }
            let jieba = pipeline.segmenters().default_segmenter().jieba();
            for t in jieba.cut(&view, true) {
                let range = t.byte_start..t.byte_end;
                assert_eq!(map.to_original(range.clone(), text), range, "{text}: {}", t.word);
            }
        }
        // A replacement by characters of other UTF-8 lengths (噁 → 𫫇, three
        // bytes to four) needs the map, and offsets still point into the
        // caller's text.
        let text = "二噁英排放超標";
        assert_eq!(pipeline.normalizers().reading_view_char_for_char(text), None);
        let seg = pipeline.segment(text, &NormalizeOptions::default(), SegmentMode::Precise, true);
        let words: Vec<&str> = seg.tokens.iter().map(|t| &text[t.original.clone()]).collect();
        assert_eq!(words.concat(), text);
        assert!(words.contains(&"超標"), "{words:?}");
    }

    #[test]
    fn raised_cancel_stops_the_work() {
        let pipeline = Pipeline::load();
        let (cancel, guard) = Cancel::on_drop();
        drop(guard);
        let text = "国务院常务会议今日召开。";
        let segmenter = pipeline.segmenters().default_segmenter().clone();
        let options = NormalizeOptions::default();
        let segmented =
            pipeline.segment_cancellable(segmenter.as_ref(), text, &options, SegmentMode::Precise, true, &cancel);
        assert_eq!(segmented, Err(Cancelled));
        assert_eq!(pipeline.tag_cancellable(text, &options, &[], &cancel), Err(Cancelled));
    }
}
