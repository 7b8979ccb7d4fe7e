//! A trained named-entity tagger for person, place and organization names:
//! a linear sequence model over characters (averaged structured
//! perceptron, BIOES labels, first-order Viterbi decoding) whose features
//! are character n-grams, character classes, the jieba words and POS tags
//! the pipeline already computed, and a few word lists (see [`features`]).
//!
//! Confidence of a mention is the probability of its labels under the
//! Gibbs distribution `p(path) ∝ exp(score(path) / T)` over all label paths
//! of the sentence (forward-backward), with the temperature `T` fitted on a
//! development set at training time to minimize the log loss of "this
//! mention is exactly right". See `model/README.md` for how the shipped
//! model was trained and how it scores.

mod corpus;
mod decode;
mod eval;
mod features;
mod format;
mod gazetteer;
mod labels;
mod table;
mod train;

use std::ops::Range;

pub use corpus::CorpusFormat;
pub use eval::{Counts, NerReport, evaluate};
pub use format::NerError;
pub use train::{TrainOptions, train};

use self::{
    decode::Lattice,
    features::{Features, WordRef},
    gazetteer::Gazetteer,
    labels::{KINDS, Scheme},
    table::FeatureTable,
};
use crate::text::{
    segment::Word,
    tag::{EntityMention, EntityTagger},
};

/// The model trained on MSRA NER that ships with the crate.
static EMBEDDED: &[u8] = include_bytes!("model/msra.bin");

/// Texts are decoded sentence by sentence, and a sentence longer than this
/// (in characters) is cut, so memory stays bounded whatever the input.
const MAX_CHUNK_CHARS: usize = 512;

/// A trained PERSON / LOCATION / ORGANIZATION tagger.
pub struct NerModel {
    scheme: Scheme,
    /// Start score of each label.
    start: Vec<f32>,
    /// Transition scores, `f32::NEG_INFINITY` where the scheme forbids one.
    trans: Vec<f32>,
    table: FeatureTable,
    /// Names of the training corpus.
    gazetteer: Gazetteer,
    /// Temperature of the confidence distribution, in weight units.
    temperature: f32,
}

impl std::fmt::Debug for NerModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerModel")
            .field("scheme", &self.scheme)
            .field("features", &self.table.len())
            .field("names", &self.gazetteer.entries().len())
            .field("temperature", &self.temperature)
            .finish()
    }
}

impl NerModel {
    /// Assembles a model; `keys` and `weights` (one row of labels per key)
    /// are in the same order.
    fn from_parts(
        scheme: Scheme,
        start: Vec<f32>,
        trans: Vec<f32>,
        keys: &[u32],
        weights: Vec<i16>,
        gazetteer: Gazetteer,
        temperature: f32,
    ) -> NerModel {
        let labels = scheme.num_labels();
        let mut trans = trans;
        for prev in 0..labels {
            for next in 0..labels {
                if !scheme.allowed(Some(prev as u8), Some(next as u8)) {
                    trans[prev * labels + next] = f32::NEG_INFINITY;
                }
            }
        }
        let start = (0..labels)
            .map(|y| if scheme.allowed(None, Some(y as u8)) { start[y] } else { f32::NEG_INFINITY })
            .collect();
        NerModel {
            scheme,
            start,
            trans,
            table: FeatureTable::new(labels, keys, weights),
            gazetteer,
            temperature,
        }
    }

    /// Reads a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, NerError> {
        let stored = format::read(bytes)?;
        if stored.features != features::FEATURE_VERSION {
            return Err(NerError::FeatureMismatch {
                found: stored.features,
                expected: features::FEATURE_VERSION,
            });
        }
        Ok(NerModel::from_parts(
            stored.scheme,
            stored.start,
            stored.trans,
            &stored.keys,
            stored.weights,
            Gazetteer::new(stored.names),
            stored.temperature,
        ))
    }

    /// The model committed in the repository (trained on MSRA NER).
    pub fn embedded() -> NerModel {
        NerModel::from_bytes(EMBEDDED).expect("the embedded NER model is valid for this build")
    }

    /// The model in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write(
            features::FEATURE_VERSION,
            self.scheme,
            self.temperature,
            &self.start,
            &self.trans,
            &self.table.sorted_rows(),
            self.gazetteer.entries(),
        )
    }

    /// Number of features with weights.
    pub fn num_features(&self) -> usize {
        self.table.len()
    }

    /// The temperature that turns scores into confidences.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    fn set_temperature(&mut self, temperature: f32) {
        self.temperature = temperature;
    }

    /// Label scores of every character.
    fn emissions(&self, features: &Features) -> Vec<f32> {
        let labels = self.scheme.num_labels();
        let mut scores = vec![0i32; features.len() * labels];
        for (i, row) in scores.chunks_exact_mut(labels).enumerate() {
            self.table.accumulate(features.at(i), row);
        }
        scores.into_iter().map(|s| s as f32).collect()
    }

    fn lattice<'a>(&'a self, emissions: &'a [f32]) -> Lattice<'a> {
        Lattice {
            emissions,
            start: &self.start,
            trans: &self.trans,
            labels: self.scheme.num_labels(),
        }
    }

    /// Decodes `text` chunk by chunk, given its words.
    fn decode(&self, text: &str, words: &[WordRef<'_>]) -> Vec<Decoded> {
        let mut out = Vec::new();
        let mut first_word = 0;
        for chunk in chunks(text) {
            // Words of this chunk, clipped to it and made relative to it.
            while first_word < words.len() && words[first_word].range.end <= chunk.start {
                first_word += 1;
            }
            let local: Vec<WordRef<'_>> = words[first_word..]
                .iter()
                .take_while(|w| w.range.start < chunk.end)
                .filter_map(|w| {
                    let start = w.range.start.max(chunk.start) - chunk.start;
                    let end = w.range.end.min(chunk.end) - chunk.start;
                    (start < end).then(|| WordRef { range: start..end, pos: w.pos })
                })
                .collect();
            let features = features::extract(&text[chunk.clone()], &local, &self.gazetteer);
            let emissions = self.emissions(&features);
            let mut path = Vec::new();
            self.lattice(&emissions).viterbi(&mut path);
            let spans = self.scheme.decode(&path);
            let offsets = features.offsets.iter().map(|o| o + chunk.start).collect();
            out.push(Decoded {
                offsets,
                emissions,
                path,
                spans,
            });
        }
        out
    }

    /// Confidence of each span of a decoded chunk at `temperature`.
    fn confidences(&self, decoded: &Decoded, temperature: f32) -> Vec<f32> {
        let ranges: Vec<Range<usize>> = decoded.spans.iter().map(|(r, _)| r.clone()).collect();
        self.lattice(&decoded.emissions)
            .span_probabilities(&decoded.path, &ranges, temperature, |a, b| self.scheme.continues(a, b))
    }

    /// Mentions in `text` given its words.
    fn mentions(&self, text: &str, words: &[WordRef<'_>]) -> Vec<EntityMention> {
        let mut out = Vec::new();
        for decoded in self.decode(text, words) {
            let confidences = self.confidences(&decoded, self.temperature);
            for ((range, kind), confidence) in decoded.spans.iter().zip(confidences) {
                out.push(EntityMention {
                    range: decoded.offsets[range.start]..decoded.offsets[range.end],
                    kind: KINDS[*kind],
                    confidence,
                    normalized: None,
                });
            }
        }
        out
    }
}

/// One chunk of a text after decoding.
struct Decoded {
    /// Byte offset (in the whole text) of each character, then of the end.
    offsets: Vec<usize>,
    /// Label scores, character-major.
    emissions: Vec<f32>,
    /// Best labels.
    path: Vec<u8>,
    /// Mentions on `path`: character ranges and type indices.
    spans: Vec<(Range<usize>, usize)>,
}

/// Byte ranges of the sentences of `text`: cut after sentence-final
/// punctuation and line breaks, and where a sentence grows past
/// [`MAX_CHUNK_CHARS`], after its last comma-like mark (or anywhere, if it
/// has none).
fn chunks(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut count) = (0, 0);
    // Byte end of the last comma-like mark, and the characters up to it.
    let mut soft_cut: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        count += 1;
        if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n') {
            out.push(start..end);
            (start, count, soft_cut) = (end, 0, None);
            continue;
        }
        if matches!(c, '，' | '；' | '、' | '：' | ',' | ';' | ' ') {
            soft_cut = Some((end, count));
        }
        if count >= MAX_CHUNK_CHARS {
            let (cut, used) = soft_cut.take().unwrap_or((end, count));
            out.push(start..cut);
            start = cut;
            count -= used;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

impl EntityTagger for NerModel {
    fn name(&self) -> &'static str {
        "ner-perceptron"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let words: Vec<WordRef<'_>> = words
            .iter()
            .filter(|w| w.range.start < w.range.end && w.range.end <= text.len())
            .map(|w| WordRef {
                range: w.range.clone(),
                pos: &w.pos,
            })
            .collect();
        self.mentions(text, &words)
    }
}
