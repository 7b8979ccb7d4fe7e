//! Training: an averaged passive-aggressive learner (PA-I, Crammer et al.
//! 2006) over BIOES labels — a structured perceptron whose updates are
//! cost-augmented and sized to fix the margin — with sentences visited in a
//! seeded shuffled order, so that the same corpus, options and seed always
//! give the same model.
//!
//! Model selection never looks at a test set: every tenth block of the
//! training corpus is held out, the number of epochs and the confidence
//! temperature are chosen on it, and the model is then retrained on the
//! whole corpus for that many epochs.

use std::{
    collections::{HashMap, HashSet},
    hash::{BuildHasherDefault, Hasher},
    io::Write,
    ops::Range,
    path::Path,
    time::Instant,
};

use anyhow::{Context, bail};
use jieba_rs::Jieba;

use super::{
    Decoded, NerModel,
    corpus::{self, CorpusFormat, Sentence},
    decode::Lattice,
    eval::NerReport,
    features::{self, KIND_BITS, TEMPLATES, WordRef},
    gazetteer::Gazetteer,
    labels::{KINDS, Scheme},
};

/// Label scheme of trained models (BIO scores 1.5 F1 points lower).
const SCHEME: Scheme = Scheme::Bioes;

/// Folds of the jackknifed gazetteer.
const FOLDS: usize = 10;

/// Sentences per held-out block is the corpus size over this; every tenth
/// block is held out. Blocks are contiguous, like articles.
const BLOCKS: usize = 100;

/// Below this many sentences nothing is held out (e.g. tiny test corpora).
const MIN_SENTENCES_TO_HOLD_OUT: usize = 1000;

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Most passes over the training corpus; the held-out blocks choose how
    /// many of them the final model gets.
    pub epochs: usize,
    /// Seed of the order sentences are visited in.
    pub seed: u64,
    /// Features seen in fewer training characters than this are left out.
    pub min_count: u32,
    /// Features whose largest quantized weight (of 32767) is smaller than
    /// this are left out of the model; 500 halves the model with no loss.
    pub prune_below: i16,
    /// Largest step of an update (PA-I's `C`); it rarely binds.
    pub aggressiveness: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 14,
            seed: 1,
            min_count: 2,
            prune_below: 500,
            aggressiveness: 1.0,
        }
    }
}

/// Identity hasher: feature keys already are hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type KeyMap<V> = HashMap<u32, V, BuildHasherDefault<KeyHasher>>;

/// A sentence with its jieba words, ready to featurize.
struct Segmented<'a> {
    sentence: &'a Sentence,
    words: Vec<WordRef<'a>>,
}

fn segment<'a>(jieba: &'a Jieba, sentences: &'a [Sentence]) -> Vec<Segmented<'a>> {
    sentences
        .iter()
        .map(|sentence| Segmented {
            sentence,
            words: jieba
                .tag(&sentence.text, true)
                .into_iter()
                .map(|t| WordRef {
                    range: t.byte_start..t.byte_end,
                    pos: t.tag,
                })
                .collect(),
        })
        .collect()
}

/// `text` with full-width ASCII folded to half-width, to compare sentences
/// across corpora that write digits differently.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Character spans and type indices of a sentence's gold entities.
fn char_spans(sentence: &Sentence, offsets: &[usize]) -> Vec<(Range<usize>, usize)> {
    sentence
        .entities
        .iter()
        .filter_map(|(range, kind)| {
            let kind = KINDS.iter().position(|k| k == kind)?;
            let start = offsets.binary_search(&range.start).ok()?;
            let end = offsets.binary_search(&range.end).ok()?;
            Some((start..end, kind))
        })
        .collect()
}

/// The names of a sentence's entities with their gazetteer type bits.
fn names_of(sentence: &Sentence) -> impl Iterator<Item = (&str, u8)> {
    sentence.entities.iter().filter_map(|(range, kind)| {
        let bit = KIND_BITS[KINDS.iter().position(|k| k == kind)?];
        Some((&sentence.text[range.clone()], bit))
    })
}

/// Training sentences as feature indices: `TEMPLATES` per character
/// (`ABSENT` for features left out), gold labels, sentence bounds.
struct Prepared {
    features: Vec<u32>,
    labels: Vec<u8>,
    /// Character range of each sentence.
    sentences: Vec<Range<usize>>,
    /// Key of each feature index.
    keys: Vec<u32>,
    /// Names of the sentences, for the model's gazetteer.
    gazetteer: Gazetteer,
}

const ABSENT: u32 = u32::MAX;

impl Prepared {
    /// Featurizes `data`. Each sentence matches the gazetteer of the names
    /// in the other folds of `data`, plus the extra names.
    fn new(data: &[&Segmented<'_>], min_count: u32) -> Prepared {
        let fold_of = |i: usize| i * FOLDS / data.len().max(1);
        let folds: Vec<Gazetteer> = (0..FOLDS)
            .map(|k| {
                let others = data.iter().enumerate().filter(|&(i, _)| fold_of(i) != k);
                Gazetteer::with_extra_names(others.flat_map(|(_, s)| names_of(s.sentence)))
            })
            .collect();
        let mut features = Vec::new();
        let mut labels = Vec::new();
        let mut sentences = Vec::with_capacity(data.len());
        for (i, s) in data.iter().enumerate() {
            let f = features::extract(&s.sentence.text, &s.words, &folds[fold_of(i)]);
            let start = labels.len();
            labels.extend(SCHEME.encode(f.len(), &char_spans(s.sentence, &f.offsets)));
            sentences.push(start..labels.len());
            features.extend_from_slice(&f.keys);
        }
        let mut counts: KeyMap<u32> = KeyMap::default();
        for &key in &features {
            *counts.entry(key).or_default() += 1;
        }
        let mut keys: Vec<u32> = counts
            .iter()
            .filter(|&(_, &c)| c >= min_count)
            .map(|(&k, _)| k)
            .collect();
        keys.sort_unstable();
        let index: KeyMap<u32> = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
        for f in &mut features {
            *f = index.get(f).copied().unwrap_or(ABSENT);
        }
        Prepared {
            features,
            labels,
            sentences,
            keys,
            gazetteer: Gazetteer::with_extra_names(data.iter().flat_map(|s| names_of(s.sentence))),
        }
    }
}

/// splitmix64: a small, well-mixed generator for a reproducible shuffle.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Weights with the running sums for averaging: the average of a weight
/// over all steps is `w - sum / steps`, where every update `delta` at step
/// `c` adds `c * delta` to `sum` (Daumé's trick).
struct Weights {
    w: Vec<f32>,
    sum: Vec<f64>,
}

impl Weights {
    fn new(len: usize) -> Weights {
        Weights {
            w: vec![0.0; len],
            sum: vec![0.0; len],
        }
    }

    #[inline]
    fn update(&mut self, i: usize, delta: f32, step: f64) {
        self.w[i] += delta;
        self.sum[i] += step * f64::from(delta);
    }

    fn averaged(&self, steps: f64) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.sum)
            .map(|(&w, &s)| (f64::from(w) - s / steps) as f32)
            .collect()
    }
}

/// The learner's state.
struct Learner {
    labels: usize,
    emission: Weights,
    start: Weights,
    trans: Weights,
    /// Examples seen so far, plus one.
    step: f64,
    aggressiveness: f32,
    /// Start and transition scores masked by the scheme, rebuilt per
    /// sentence; and decoding scratch.
    masked_start: Vec<f32>,
    masked_trans: Vec<f32>,
    emissions: Vec<f32>,
    path: Vec<u8>,
}

impl Learner {
    fn new(features: usize, aggressiveness: f32) -> Learner {
        let labels = SCHEME.num_labels();
        Learner {
            labels,
            emission: Weights::new(features * labels),
            start: Weights::new(labels),
            trans: Weights::new(labels * labels),
            step: 1.0,
            aggressiveness,
            masked_start: Vec::new(),
            masked_trans: Vec::new(),
            emissions: Vec::new(),
            path: Vec::new(),
        }
    }

    /// Decodes one sentence, cost-augmented (every wrong label scores one
    /// more, so the path found is the one that most violates the margin),
    /// and if that path beats gold by less than its Hamming loss, takes the
    /// smallest step that fixes it (capped by the aggressiveness). Whether
    /// an update was made.
    fn learn(&mut self, features: &[u32], gold: &[u8]) -> bool {
        let (n, l) = (gold.len(), self.labels);
        self.emissions.clear();
        self.emissions.resize(n * l, 0.0);
        for (t, row) in self.emissions.chunks_exact_mut(l).enumerate() {
            for &f in features[t * TEMPLATES..(t + 1) * TEMPLATES]
                .iter()
                .filter(|&&f| f != ABSENT)
            {
                let w = &self.emission.w[f as usize * l..(f as usize + 1) * l];
                for (s, &v) in row.iter_mut().zip(w) {
                    *s += v;
                }
            }
        }
        let masked = |allowed: bool, w: f32| if allowed { w } else { f32::NEG_INFINITY };
        self.masked_start = (0..l)
            .map(|y| masked(SCHEME.allowed(None, Some(y as u8)), self.start.w[y]))
            .collect();
        self.masked_trans = (0..l * l)
            .map(|i| {
                masked(
                    SCHEME.allowed(Some((i / l) as u8), Some((i % l) as u8)),
                    self.trans.w[i],
                )
            })
            .collect();
        let gold_score = path_score(&self.emissions, &self.masked_start, &self.masked_trans, gold);
        for (t, row) in self.emissions.chunks_exact_mut(l).enumerate() {
            for (y, s) in row.iter_mut().enumerate() {
                if y != usize::from(gold[t]) {
                    *s += 1.0;
                }
            }
        }
        let lattice = Lattice {
            emissions: &self.emissions,
            start: &self.masked_start,
            trans: &self.masked_trans,
            labels: l,
        };
        lattice.viterbi(&mut self.path);
        let step = self.step;
        self.step += 1.0;
        if self.path == gold {
            return false;
        }
        // The augmented score already includes the Hamming loss.
        let violation = path_score(&self.emissions, &self.masked_start, &self.masked_trans, &self.path) - gold_score;
        let norm = difference_norm(features, gold, &self.path, l);
        if violation <= 0.0 || norm == 0.0 {
            return false;
        }
        let tau = (violation / norm).min(self.aggressiveness);
        for t in 0..n {
            let (g, p) = (usize::from(gold[t]), usize::from(self.path[t]));
            if g != p {
                for &f in features[t * TEMPLATES..(t + 1) * TEMPLATES]
                    .iter()
                    .filter(|&&f| f != ABSENT)
                {
                    self.emission.update(f as usize * l + g, tau, step);
                    self.emission.update(f as usize * l + p, -tau, step);
                }
            }
            if t == 0 {
                if g != p {
                    self.start.update(g, tau, step);
                    self.start.update(p, -tau, step);
                }
            } else {
                let gold_pair = usize::from(gold[t - 1]) * l + g;
                let predicted_pair = usize::from(self.path[t - 1]) * l + p;
                if gold_pair != predicted_pair {
                    self.trans.update(gold_pair, tau, step);
                    self.trans.update(predicted_pair, -tau, step);
                }
            }
        }
        true
    }

    /// The averaged weights as a model: quantized to i16 against the largest
    /// feature weight, features with no weight of at least `prune_below`
    /// left out. Also returns the quantization scale (units per weight).
    fn model(&self, keys: &[u32], prune_below: i16, gazetteer: &Gazetteer) -> (NerModel, f32) {
        let l = self.labels;
        let emission = self.emission.averaged(self.step);
        let max = emission
            .iter()
            .fold(0f32, |m, &w| m.max(w.abs()))
            .max(f32::MIN_POSITIVE);
        let scale = f32::from(i16::MAX) / max;
        let threshold = prune_below.unsigned_abs().max(1);
        let mut kept_keys = Vec::new();
        let mut weights = Vec::new();
        for (&key, row) in keys.iter().zip(emission.chunks_exact(l)) {
            let row: Vec<i16> = row.iter().map(|&w| (w * scale).round() as i16).collect();
            if row.iter().any(|q| q.unsigned_abs() >= threshold) {
                kept_keys.push(key);
                weights.extend(row);
            }
        }
        let rescale = |v: Vec<f32>| v.into_iter().map(|w| w * scale).collect::<Vec<_>>();
        let model = NerModel::from_parts(
            SCHEME,
            rescale(self.start.averaged(self.step)),
            rescale(self.trans.averaged(self.step)),
            &kept_keys,
            weights,
            gazetteer.clone(),
            // Until calibrated: about a margin's worth of score.
            scale,
        );
        (model, scale)
    }
}

/// Score of `path` in a lattice.
fn path_score(emissions: &[f32], start: &[f32], trans: &[f32], path: &[u8]) -> f32 {
    let l = start.len();
    let mut score = start[usize::from(path[0])];
    for (t, &y) in path.iter().enumerate() {
        score += emissions[t * l + usize::from(y)];
        if t > 0 {
            score += trans[usize::from(path[t - 1]) * l + usize::from(y)];
        }
    }
    score
}

/// Squared norm of the difference between the feature vectors of two label
/// paths (a feature firing twice counts twice).
fn difference_norm(features: &[u32], gold: &[u8], predicted: &[u8], l: usize) -> f32 {
    // Weight indices: feature rows first, then starts, then transitions.
    let starts = usize::MAX / 2;
    let transitions = starts + l;
    let mut deltas: Vec<(usize, i32)> = Vec::new();
    for t in 0..gold.len() {
        let (g, p) = (usize::from(gold[t]), usize::from(predicted[t]));
        if g != p {
            for &f in features[t * TEMPLATES..(t + 1) * TEMPLATES]
                .iter()
                .filter(|&&f| f != ABSENT)
            {
                deltas.push((f as usize * l + g, 1));
                deltas.push((f as usize * l + p, -1));
            }
        }
        let (gi, pi) = if t == 0 {
            (starts + g, starts + p)
        } else {
            (
                transitions + usize::from(gold[t - 1]) * l + g,
                transitions + usize::from(predicted[t - 1]) * l + p,
            )
        };
        if gi != pi {
            deltas.push((gi, 1));
            deltas.push((pi, -1));
        }
    }
    deltas.sort_unstable_by_key(|d| d.0);
    let mut norm = 0i64;
    for run in deltas.chunk_by(|a, b| a.0 == b.0) {
        let sum: i64 = run.iter().map(|d| i64::from(d.1)).sum();
        norm += sum * sum;
    }
    norm as f32
}

/// Mentions of `model` in the segmented sentences, scored against gold.
fn score(model: &NerModel, data: &[&Segmented<'_>]) -> NerReport {
    let mut report = NerReport::default();
    for s in data {
        let predicted: Vec<_> = model
            .mentions(&s.sentence.text, &s.words)
            .into_iter()
            .map(|m| (m.range, m.kind))
            .collect();
        report.add(&s.sentence.entities, &predicted);
    }
    report
}

/// Fits the confidence temperature on `data`: the one that minimizes the
/// log loss of each predicted mention's confidence against whether the
/// mention is exactly right (a scan over powers of two, then golden-section
/// search on log T).
fn calibrate(model: &NerModel, data: &[&Segmented<'_>]) -> f32 {
    // Decode once; only the confidences depend on the temperature.
    let decoded: Vec<(Decoded, Vec<bool>)> = data
        .iter()
        .flat_map(|s| {
            model.decode(&s.sentence.text, &s.words).into_iter().map(|d| {
                let right = d
                    .spans
                    .iter()
                    .map(|(r, k)| {
                        let range = d.offsets[r.start]..d.offsets[r.end];
                        s.sentence
                            .entities
                            .iter()
                            .any(|(g, gk)| *g == range && *gk == KINDS[*k])
                    })
                    .collect();
                (d, right)
            })
        })
        .collect();
    let loss = |log_t: f64| {
        let t = log_t.exp() as f32;
        let mut total = 0.0;
        for (d, right) in &decoded {
            for (p, &right) in model.confidences(d, t).into_iter().zip(right) {
                let p = f64::from(p).clamp(1e-6, 1.0 - 1e-6);
                total -= if right { p.ln() } else { (1.0 - p).ln() };
            }
        }
        total
    };
    let grid: Vec<f64> = (0..24).map(|i| f64::from(i) * std::f64::consts::LN_2).collect();
    let losses: Vec<f64> = grid.iter().map(|&g| loss(g)).collect();
    let best = (0..grid.len()).fold(0, |b, i| if losses[i] < losses[b] { i } else { b });
    let (mut lo, mut hi) = (grid[best.saturating_sub(1)], grid[(best + 1).min(grid.len() - 1)]);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..12 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if loss(a) < loss(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

/// What one training run produced.
struct Run {
    model: NerModel,
    scale: f32,
    /// Epoch of `model`, and its held-out micro F1 (when scored).
    epoch: usize,
    f1: Option<f64>,
}

/// Trains for up to `epochs` on `train`; with `holdout`, scores every epoch
/// on it and returns the best epoch's model, else the last one. `dev`
/// sentences are scored for the log only.
fn run(
    train: &[&Segmented<'_>],
    holdout: Option<&[&Segmented<'_>]>,
    dev: Option<&[&Segmented<'_>]>,
    epochs: usize,
    options: &TrainOptions,
    log: &mut dyn Write,
    clock: Instant,
) -> anyhow::Result<Run> {
    let prepared = Prepared::new(train, options.min_count.max(1));
    writeln!(
        log,
        "  {} sentences, {} characters, {} names, {} features (seen at least {} times); {:.1}s",
        train.len(),
        prepared.labels.len(),
        prepared.gazetteer.entries().len(),
        prepared.keys.len(),
        options.min_count,
        clock.elapsed().as_secs_f64()
    )?;
    let mut learner = Learner::new(prepared.keys.len(), options.aggressiveness);
    let mut rng = Rng(options.seed);
    let mut order: Vec<usize> = (0..prepared.sentences.len()).collect();
    let mut best: Option<Run> = None;
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        let mut updates = 0;
        for &s in &order {
            let chars = prepared.sentences[s].clone();
            let features = &prepared.features[chars.start * TEMPLATES..chars.end * TEMPLATES];
            updates += usize::from(learner.learn(features, &prepared.labels[chars]));
        }
        let mut line = format!(
            "  epoch {epoch}: {updates} updates, {:.1}s",
            clock.elapsed().as_secs_f64()
        );
        if holdout.is_none() && dev.is_none() && epoch < epochs {
            writeln!(log, "{line}")?;
            continue;
        }
        let (model, scale) = learner.model(&prepared.keys, options.prune_below, &prepared.gazetteer);
        let mut f1 = None;
        if let Some(holdout) = holdout {
            let report = score(&model, holdout);
            f1 = Some(report.micro.f1());
            line += &format!("; held out {}", summary(&report));
        }
        if let Some(dev) = dev {
            line += &format!("; dev {}", summary(&score(&model, dev)));
        }
        writeln!(log, "{line}")?;
        let better = match (&best, f1) {
            (None, _) => true,
            (Some(b), Some(f1)) => b.f1.is_some_and(|b| f1 > b),
            (Some(_), None) => true,
        };
        if better {
            best = Some(Run {
                model,
                scale,
                epoch,
                f1,
            });
        }
    }
    best.context("no epoch was trained")
}

fn summary(report: &NerReport) -> String {
    format!(
        "P {:.4} R {:.4} F1 {:.4}",
        report.micro.precision(),
        report.micro.recall(),
        report.micro.f1()
    )
}

/// Trains a model on a BIO corpus (MSRA NER layout: one `char tag` per
/// line, blank lines between sentences), segmenting each sentence with
/// jieba's default dictionary and HMM, as the pipeline does.
///
/// Every tenth block of the corpus is held out (corpora of 1,000 sentences
/// or more); the epoch (of at most `options.epochs`) that scores best on it
/// and the confidence temperature fitted on it are kept, and the model is
/// retrained on the whole corpus for that many epochs. `dev` (same layout)
/// is only scored, for the log, and only on its sentences that are not in
/// the training corpus: People's Daily 1998 shares nine in ten sentences
/// with MSRA NER, so its scores mostly measure memory. Progress goes to
/// `log`. Deterministic for a given corpus, options and seed.
pub fn train(
    corpus: &Path,
    dev: Option<&Path>,
    options: &TrainOptions,
    log: &mut dyn Write,
) -> anyhow::Result<NerModel> {
    let clock = Instant::now();
    let train_sentences = corpus::read(corpus, CorpusFormat::Bio)?;
    let dev_sentences = dev.map(|p| corpus::read(p, CorpusFormat::Bio)).transpose()?;
    train_on(&train_sentences, dev_sentences.as_deref(), options, log, clock)
}

/// [`train`] on sentences already read.
pub(crate) fn train_on(
    sentences: &[Sentence],
    dev: Option<&[Sentence]>,
    options: &TrainOptions,
    log: &mut dyn Write,
    clock: Instant,
) -> anyhow::Result<NerModel> {
    if options.epochs == 0 {
        bail!("training needs at least one epoch");
    }
    if sentences.is_empty() {
        bail!("the training corpus holds no sentences");
    }
    let seen: HashSet<String> = sentences.iter().map(|s| fold_width(&s.text)).collect();
    let dev: Vec<Sentence> = dev
        .unwrap_or_default()
        .iter()
        .filter(|s| !seen.contains(&fold_width(&s.text)))
        .cloned()
        .collect();
    drop(seen);
    let jieba = Jieba::new();
    let data = segment(&jieba, sentences);
    let dev_data = segment(&jieba, &dev);
    let dev_refs: Vec<&Segmented<'_>> = dev_data.iter().collect();
    let dev_refs = (!dev_refs.is_empty()).then_some(&dev_refs[..]);
    writeln!(
        log,
        "{} training sentences, {} dev sentences not among them; segmented in {:.1}s",
        sentences.len(),
        dev.len(),
        clock.elapsed().as_secs_f64()
    )?;

    let all: Vec<&Segmented<'_>> = data.iter().collect();
    let (epochs, temperature) = if sentences.len() >= MIN_SENTENCES_TO_HOLD_OUT {
        let block = sentences.len().div_ceil(BLOCKS);
        let held_out = |i: usize| (i / block) % 10 == 5;
        let (holdout, rest): (Vec<_>, Vec<_>) = all.iter().enumerate().partition(|&(i, _)| held_out(i));
        let holdout: Vec<&Segmented<'_>> = holdout.into_iter().map(|(_, s)| *s).collect();
        let rest: Vec<&Segmented<'_>> = rest.into_iter().map(|(_, s)| *s).collect();
        writeln!(log, "choosing epochs on {} held-out sentences", holdout.len())?;
        let chosen = run(&rest, Some(&holdout), dev_refs, options.epochs, options, log, clock)?;
        // The temperature is fitted in the chosen model's weight units and
        // carried over in the learner's, which both runs share.
        let temperature = calibrate(&chosen.model, &holdout) / chosen.scale;
        writeln!(
            log,
            "chose epoch {} (held-out F1 {:.4}); temperature {temperature:.4} per unit of margin; {:.1}s",
            chosen.epoch,
            chosen.f1.unwrap_or(0.0),
            clock.elapsed().as_secs_f64()
        )?;
        (chosen.epoch, Some(temperature))
    } else {
        (options.epochs, None)
    };

    writeln!(log, "training on all {} sentences for {epochs} epochs", all.len())?;
    let mut last = run(&all, None, dev_refs, epochs, options, log, clock)?;
    let temperature = match temperature {
        Some(t) => t * last.scale,
        // Nothing held out: fit on (up to 2,000) training sentences, which
        // makes confidences somewhat overconfident.
        None => calibrate(&last.model, &all[..all.len().min(2000)]),
    };
    last.model.set_temperature(temperature);
    writeln!(
        log,
        "done: {} features, {} names, temperature {temperature:.1}; {:.1}s",
        last.model.num_features(),
        last.model.gazetteer.entries().len(),
        clock.elapsed().as_secs_f64()
    )?;
    Ok(last.model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_is_reproducible() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        Rng(7).shuffle(&mut a);
        Rng(7).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn difference_norm_counts_repeats() {
        // One position, two features, one of them absent.
        let features: Vec<u32> = std::iter::once(3)
            .chain(std::iter::repeat_n(ABSENT, TEMPLATES - 1))
            .collect();
        // Feature 3 moves from label 2 to label 1, and the start label too.
        assert_eq!(difference_norm(&features, &[1], &[2], 13), 4.0);
        assert_eq!(difference_norm(&features, &[1], &[1], 13), 0.0);
    }
}
