//! Training: an averaged structured perceptron (Collins 2002) over BIOES
//! labels, with sentences visited in a seeded shuffled order each epoch so
//! that the same corpus, options and seed always give the same model.

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
    eval::{self, NerReport},
    features::{self, KIND_BITS, TEMPLATES, WordRef},
    gazetteer::Gazetteer,
    labels::{KINDS, Scheme},
};
use crate::text::tag::EntityKind;

/// Label scheme of trained models.
const SCHEME: Scheme = Scheme::Bioes;

/// Folds of the jackknifed gazetteer.
const FOLDS: usize = 10;

/// Settings of [`train`].
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Passes over the training corpus. With a dev set, the epoch that
    /// scores best on it is kept.
    pub epochs: usize,
    /// Seed of the order sentences are visited in.
    pub seed: u64,
    /// Features seen in fewer training characters than this are left out.
    pub min_count: u32,
    /// Features whose largest quantized weight (of 32767) is smaller than
    /// this are left out of the model.
    pub prune_below: i16,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 10,
            seed: 1,
            min_count: 2,
            prune_below: 1,
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

/// The training set as feature indices: `TEMPLATES` per character
/// (`u32::MAX` for features left out), gold labels, sentence bounds.
struct Prepared {
    features: Vec<u32>,
    labels: Vec<u8>,
    /// Character range of each sentence.
    sentences: Vec<Range<usize>>,
    /// Key of each feature index.
    keys: Vec<u32>,
}

const ABSENT: u32 = u32::MAX;

impl Prepared {
    /// Featurizes `data`, sentence `i` with gazetteer `gazetteer(i)`.
    fn new<'g>(data: &[Segmented<'_>], min_count: u32, gazetteer: impl Fn(usize) -> &'g Gazetteer) -> Prepared {
        let mut features = Vec::new();
        let mut labels = Vec::new();
        let mut sentences = Vec::with_capacity(data.len());
        for (i, s) in data.iter().enumerate() {
            let f = features::extract(&s.sentence.text, &s.words, gazetteer(i));
            let start = labels.len();
            labels.extend(SCHEME.encode(f.len(), &char_spans(s.sentence, &f.offsets)));
            sentences.push(start..labels.len());
            features.extend_from_slice(&f.keys);
        }
        let mut counts: KeyMap<u32> = KeyMap::default();
        for &key in features.iter().filter(|&&k| k != 1) {
            *counts.entry(key).or_default() += 1;
        }
        let mut keys: Vec<u32> = counts.iter().filter(|&(_, &c)| c >= min_count).map(|(&k, _)| k).collect();
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

/// An averaged structured perceptron; with `aggressiveness`, a
/// passive-aggressive (PA-I) learner instead: decoding is cost-augmented
/// (every wrong label scores one more), and the step is the smallest that
/// separates gold from the prediction by its Hamming loss, capped.
struct Perceptron {
    labels: usize,
    emission: Weights,
    start: Weights,
    trans: Weights,
    /// Examples seen so far, plus one.
    step: f64,
    aggressiveness: Option<f32>,
}

impl Perceptron {
    fn new(features: usize, labels: usize, aggressiveness: Option<f32>) -> Perceptron {
        Perceptron {
            labels,
            emission: Weights::new(features * labels),
            start: Weights::new(labels),
            trans: Weights::new(labels * labels),
            step: 1.0,
            aggressiveness,
        }
    }

    /// Decodes one sentence with the current weights and, if it comes out
    /// wrong, moves the weights toward the gold labels. Whether it was wrong.
    fn learn(&mut self, features: &[u32], gold: &[u8], scratch: &mut Scratch) -> bool {
        let (n, l) = (gold.len(), self.labels);
        scratch.emissions.clear();
        scratch.emissions.resize(n * l, 0.0);
        for (t, row) in scratch.emissions.chunks_exact_mut(l).enumerate() {
            for &f in &features[t * TEMPLATES..(t + 1) * TEMPLATES] {
                if f != ABSENT {
                    let w = &self.emission.w[f as usize * l..(f as usize + 1) * l];
                    for (s, &v) in row.iter_mut().zip(w) {
                        *s += v;
                    }
                }
            }
        }
        let start: Vec<f32> = (0..l)
            .map(|y| masked(SCHEME.allowed(None, Some(y as u8)), self.start.w[y]))
            .collect();
        let trans: Vec<f32> = (0..l * l)
            .map(|i| masked(SCHEME.allowed(Some((i / l) as u8), Some((i % l) as u8)), self.trans.w[i]))
            .collect();
        let gold_score = path_score(&scratch.emissions, &start, &trans, gold);
        if self.aggressiveness.is_some() {
            // Cost-augmented decoding: find the path that most violates the
            // margin, not just the best-scoring one.
            for (t, row) in scratch.emissions.chunks_exact_mut(l).enumerate() {
                for (y, s) in row.iter_mut().enumerate() {
                    if y != usize::from(gold[t]) {
                        *s += 1.0;
                    }
                }
            }
        }
        let lattice = Lattice {
            emissions: &scratch.emissions,
            start: &start,
            trans: &trans,
            labels: l,
        };
        lattice.viterbi(&mut scratch.path);
        let step = self.step;
        self.step += 1.0;
        let predicted = &scratch.path;
        if predicted == gold {
            return false;
        }
        let tau = match self.aggressiveness {
            None => 1.0,
            Some(c) => {
                // The augmented score already includes the Hamming loss.
                let violation = path_score(&scratch.emissions, &start, &trans, predicted) - gold_score;
                let norm = feature_difference_norm(features, gold, predicted, l);
                if violation <= 0.0 || norm == 0.0 {
                    return true;
                }
                (violation / norm).min(c)
            }
        };
        for t in 0..n {
            let (g, p) = (usize::from(gold[t]), usize::from(predicted[t]));
            if g != p {
                for &f in &features[t * TEMPLATES..(t + 1) * TEMPLATES] {
                    if f != ABSENT {
                        self.emission.update(f as usize * l + g, tau, step);
                        self.emission.update(f as usize * l + p, -tau, step);
                    }
                }
            }
            if t == 0 {
                if g != p {
                    self.start.update(g, tau, step);
                    self.start.update(p, -tau, step);
                }
            } else {
                let gp = usize::from(gold[t - 1]) * l + g;
                let pp = usize::from(predicted[t - 1]) * l + p;
                if gp != pp {
                    self.trans.update(gp, tau, step);
                    self.trans.update(pp, -tau, step);
                }
            }
        }
        true
    }

    /// The averaged weights as a model: quantized to i16 against the largest
    /// feature weight, features with no weight of at least `prune_below`
    /// left out.
    fn model(&self, keys: &[u32], prune_below: i16, gazetteer: &Gazetteer) -> NerModel {
        let l = self.labels;
        let emission = self.emission.averaged(self.step);
        let max = emission.iter().fold(0f32, |m, &w| m.max(w.abs())).max(f32::MIN_POSITIVE);
        let scale = f32::from(i16::MAX) / max;
        {
            let mut mags: Vec<f32> = emission.iter().map(|w| w.abs()).filter(|&w| w > 0.0).collect();
            mags.sort_by(f32::total_cmp);
            let q = |p: f64| mags[((mags.len() - 1) as f64 * p) as usize];
            let lost = mags.iter().filter(|&&w| w * scale < 0.5).count();
            eprintln!(
                "  weights: max {max:.3} p50 {:.4} p99 {:.3} p99.99 {:.3}; {lost} of {} nonzero round to 0",
                q(0.5),
                q(0.99),
                q(0.9999),
                mags.len()
            );
        }
        let mut kept_keys = Vec::new();
        let mut weights = Vec::new();
        for (i, &key) in keys.iter().enumerate() {
            let row: Vec<i16> = emission[i * l..(i + 1) * l].iter().map(|&w| (w * scale).round() as i16).collect();
            if row.iter().any(|&q| q.unsigned_abs() >= prune_below.unsigned_abs().max(1)) {
                kept_keys.push(key);
                weights.extend(row);
            }
        }
        let rescale = |v: Vec<f32>| v.into_iter().map(|w| w * scale).collect::<Vec<_>>();
        NerModel::from_parts(
            SCHEME,
            rescale(self.start.averaged(self.step)),
            rescale(self.trans.averaged(self.step)),
            &kept_keys,
            weights,
            gazetteer.clone(),
            // Placeholder until calibrated: about one typical weight.
            f32::from(i16::MAX) / 8.0,
        )
    }
}

fn masked(allowed: bool, w: f32) -> f32 {
    if allowed { w } else { f32::NEG_INFINITY }
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

/// Squared norm of the feature difference between two label paths.
fn feature_difference_norm(features: &[u32], gold: &[u8], predicted: &[u8], l: usize) -> f32 {
    let mut deltas: Vec<(usize, i32)> = Vec::new();
    for t in 0..gold.len() {
        let (g, p) = (usize::from(gold[t]), usize::from(predicted[t]));
        if g != p {
            for &f in features[t * TEMPLATES..(t + 1) * TEMPLATES].iter().filter(|&&f| f != ABSENT) {
                deltas.push((f as usize * l + g, 1));
                deltas.push((f as usize * l + p, -1));
            }
        }
        // Transitions and starts live past every feature row.
        let base = usize::MAX / 2;
        let (gp, pp) = if t == 0 {
            (base + g, base + p)
        } else {
            (
                base + l + usize::from(gold[t - 1]) * l + g,
                base + l + usize::from(predicted[t - 1]) * l + p,
            )
        };
        if gp != pp {
            deltas.push((gp, 1));
            deltas.push((pp, -1));
        }
    }
    deltas.sort_unstable_by_key(|d| d.0);
    let mut norm = 0i64;
    let mut i = 0;
    while i < deltas.len() {
        let mut sum = 0;
        let key = deltas[i].0;
        while i < deltas.len() && deltas[i].0 == key {
            sum += deltas[i].1;
            i += 1;
        }
        norm += i64::from(sum * sum);
    }
    norm as f32
}

#[derive(Default)]
struct Scratch {
    emissions: Vec<f32>,
    path: Vec<u8>,
}

/// Mentions of `model` in the segmented sentences, scored against gold.
fn score(model: &NerModel, data: &[Segmented<'_>]) -> NerReport {
    let sentences: Vec<Sentence> = data.iter().map(|s| s.sentence.clone()).collect();
    let mut words = data.iter().map(|s| &s.words);
    eval::score(&sentences, |text| {
        let words = words.next().map_or(&[][..], |w| &w[..]);
        model
            .mentions(text, words)
            .into_iter()
            .map(|m| (m.range, m.kind))
            .collect::<Vec<(Range<usize>, EntityKind)>>()
    })
}

/// Fits the confidence temperature on `data`: the one that minimizes the
/// log loss of each predicted mention's confidence against whether the
/// mention is exactly right (a scan over powers of two, then golden-section
/// search on log T).
fn calibrate(model: &NerModel, data: &[Segmented<'_>]) -> f32 {
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
                        s.sentence.entities.iter().any(|(g, gk)| *g == range && *gk == KINDS[*k])
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

/// Trains a model on a BIO corpus (MSRA NER layout: one `char tag` per
/// line, blank lines between sentences), segmenting each sentence with
/// jieba's default dictionary as the pipeline does. With `dev` (same
/// layout), the epoch with the best micro F1 on it is kept and the
/// confidence temperature is fitted on it; without, the last epoch is kept
/// and the temperature is fitted on the first 2,000 training sentences
/// (which makes confidences somewhat overconfident). Progress goes to `log`.
pub fn train(
    corpus: &Path,
    dev: Option<&Path>,
    options: &TrainOptions,
    log: &mut dyn Write,
) -> anyhow::Result<NerModel> {
    if options.epochs == 0 {
        bail!("training needs at least one epoch");
    }
    let clock = Instant::now();
    let train_sentences = corpus::read(corpus, CorpusFormat::Bio)?;
    if train_sentences.is_empty() {
        bail!("{} holds no sentences", corpus.display());
    }
    let dev_sentences = dev.map(|p| corpus::read(p, CorpusFormat::Bio)).transpose()?;
    writeln!(
        log,
        "read {} training and {} dev sentences",
        train_sentences.len(),
        dev_sentences.as_ref().map_or(0, Vec::len)
    )?;
    let model = train_sentences_with(&train_sentences, dev_sentences.as_deref(), options, log, clock)?;
    writeln!(log, "done in {:.1}s", clock.elapsed().as_secs_f64())?;
    Ok(model)
}

/// [`train`] on sentences already read.
pub(crate) fn train_sentences_with(
    train_sentences: &[Sentence],
    dev_sentences: Option<&[Sentence]>,
    options: &TrainOptions,
    log: &mut dyn Write,
    clock: Instant,
) -> anyhow::Result<NerModel> {
    let jieba = Jieba::new();
    let train_data = segment(&jieba, train_sentences);
    // A dev sentence that also occurs in the training corpus (People's
    // Daily 1998 and MSRA share most sentences) rewards memorizing, not
    // generalizing; only the others choose the epoch and the temperature.
    let seen: HashSet<String> = train_sentences.iter().map(|s| fold_width(&s.text)).collect();
    let dev_unseen: Option<Vec<Sentence>> = dev_sentences.map(|d| {
        let unseen: Vec<Sentence> = d.iter().filter(|s| !seen.contains(&fold_width(&s.text))).cloned().collect();
        let _ = writeln!(
            log,
            "dev: {} sentences not in the training corpus (of {})",
            unseen.len(),
            d.len()
        );
        unseen
    });
    drop(seen);
    let dev_data = dev_unseen.as_deref().filter(|d| !d.is_empty()).map(|d| segment(&jieba, d));
    writeln!(log, "segmented in {:.1}s", clock.elapsed().as_secs_f64())?;

    // Jackknifed gazetteers: sentences of fold k match the names of the
    // other folds. Folds are contiguous, so a name repeated within one
    // article does not vouch for itself.
    let fold_of = |i: usize| i * FOLDS / train_sentences.len();
    let names_of = |s: &Sentence| {
        s.entities
            .iter()
            .filter_map(|(r, k)| Some((s.text[r.clone()].to_owned(), KIND_BITS[KINDS.iter().position(|x| x == k)?])))
            .collect::<Vec<_>>()
    };
    let fold_gazetteers: Vec<Gazetteer> = (0..FOLDS)
        .map(|k| {
            Gazetteer::new(
                train_sentences.iter().enumerate().filter(|&(i, _)| fold_of(i) != k).flat_map(|(_, s)| names_of(s)),
            )
        })
        .collect();
    let gazetteer = Gazetteer::new(train_sentences.iter().flat_map(names_of));
    let prepared = Prepared::new(&train_data, options.min_count.max(1), |i| &fold_gazetteers[fold_of(i)]);
    drop(fold_gazetteers);
    writeln!(
        log,
        "{} characters, {} names, {} features (seen at least {} times), in {:.1}s",
        prepared.labels.len(),
        gazetteer.entries().len(),
        prepared.keys.len(),
        options.min_count,
        clock.elapsed().as_secs_f64()
    )?;

    let aggressiveness = std::env::var("ZHNER_PA").ok().and_then(|v| v.parse().ok());
    let mut perceptron = Perceptron::new(prepared.keys.len(), SCHEME.num_labels(), aggressiveness);
    let mut rng = Rng(options.seed);
    let mut order: Vec<usize> = (0..prepared.sentences.len()).collect();
    let mut scratch = Scratch::default();
    let mut best: Option<(f64, usize, NerModel)> = None;
    for epoch in 1..=options.epochs {
        rng.shuffle(&mut order);
        let mut wrong = 0;
        for &s in &order {
            let chars = prepared.sentences[s].clone();
            let features = &prepared.features[chars.start * TEMPLATES..chars.end * TEMPLATES];
            wrong += usize::from(perceptron.learn(features, &prepared.labels[chars], &mut scratch));
        }
        let mut line = format!(
            "epoch {epoch}: {wrong} of {} sentences wrong, {:.1}s",
            order.len(),
            clock.elapsed().as_secs_f64()
        );
        match &dev_data {
            Some(dev) => {
                let model = perceptron.model(&prepared.keys, options.prune_below, &gazetteer);
                let report = score(&model, dev);
                let f1 = report.micro.f1();
                line += &format!(
                    "; dev P {:.4} R {:.4} F1 {:.4}",
                    report.micro.precision(),
                    report.micro.recall(),
                    f1
                );
                if best.as_ref().is_none_or(|(b, _, _)| f1 > *b) {
                    best = Some((f1, epoch, model));
                }
            }
            None if epoch == options.epochs => {
                best = Some((0.0, epoch, perceptron.model(&prepared.keys, options.prune_below, &gazetteer)));
            }
            None => {}
        }
        writeln!(log, "{line}")?;
    }
    let (_, epoch, mut model) = best.context("no epoch was trained")?;
    writeln!(log, "kept epoch {epoch}: {} features", model.num_features())?;

    let calibration: Vec<Segmented<'_>> = match dev_data {
        Some(dev) => dev,
        None => train_data.into_iter().take(2000).collect(),
    };
    let temperature = calibrate(&model, &calibration);
    model.set_temperature(temperature);
    writeln!(
        log,
        "confidence temperature {temperature:.1} (fitted in {:.1}s)",
        clock.elapsed().as_secs_f64()
    )?;
    Ok(model)
}
