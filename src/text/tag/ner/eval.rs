//! Scoring a tagger against a gold corpus: strict span-and-type matches,
//! precision / recall / F1 per type and micro-averaged.

use std::{collections::HashSet, fmt, ops::Range, path::Path};

use super::{
    corpus::{self, CorpusFormat, Sentence},
    labels::KINDS,
};
use crate::text::{
    segment::Word,
    tag::{EntityKind, EntityTagger},
};

/// Match counts of one entity type (or of all of them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted mentions that match a gold one exactly (span and type).
    pub true_positives: usize,
    /// Predicted mentions.
    pub predicted: usize,
    /// Gold mentions.
    pub gold: usize,
}

impl Counts {
    /// Share of predicted mentions that are right.
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.predicted)
    }

    /// Share of gold mentions found.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.gold)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    fn add(&mut self, other: &Counts) {
        self.true_positives += other.true_positives;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores of a tagger on a corpus.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NerReport {
    /// Sentences scored.
    pub sentences: usize,
    /// Counts for person, location and organization, in that order.
    pub per_kind: [Counts; 3],
    /// Counts over all three types (micro average).
    pub micro: Counts,
}

impl NerReport {
    /// Counts of one type; `None` for kinds the model does not tag.
    pub fn kind(&self, kind: EntityKind) -> Option<&Counts> {
        KINDS.iter().position(|&k| k == kind).map(|i| &self.per_kind[i])
    }

    /// Adds one sentence's gold and predicted mentions.
    pub(crate) fn add(&mut self, gold: &[(Range<usize>, EntityKind)], predicted: &[(Range<usize>, EntityKind)]) {
        self.sentences += 1;
        let gold_set: HashSet<&(Range<usize>, EntityKind)> = gold.iter().collect();
        for (i, kind) in KINDS.iter().enumerate() {
            let c = &mut self.per_kind[i];
            c.gold += gold.iter().filter(|(_, k)| k == kind).count();
            for mention in predicted.iter().filter(|(_, k)| k == kind) {
                c.predicted += 1;
                c.true_positives += usize::from(gold_set.contains(mention));
            }
        }
        self.micro = Counts::default();
        for c in &self.per_kind {
            self.micro.add(c);
        }
    }
}

impl fmt::Display for NerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "type", "gold", "pred", "correct", "P", "R", "F1"
        )?;
        let names = ["PER", "LOC", "ORG"];
        let rows = names
            .iter()
            .zip(&self.per_kind)
            .chain(std::iter::once((&"micro", &self.micro)));
        for (name, c) in rows {
            writeln!(
                f,
                "{:<6} {:>7} {:>7} {:>7} {:>7.4} {:>7.4} {:>7.4}",
                name,
                c.gold,
                c.predicted,
                c.true_positives,
                c.precision(),
                c.recall(),
                c.f1()
            )?;
        }
        write!(f, "({} sentences)", self.sentences)
    }
}

/// Scores `tagger` on the corpus at `path`: each sentence is segmented with
/// `segment`, tagged, and its PER/LOC/ORG mentions compared with the gold
/// ones (strict: same byte span and same type).
pub fn evaluate(
    tagger: &dyn EntityTagger,
    segment: &dyn Fn(&str) -> Vec<Word>,
    path: &Path,
    format: CorpusFormat,
) -> anyhow::Result<NerReport> {
    let sentences = corpus::read(path, format)?;
    Ok(score(&sentences, |text| tagger_mentions(tagger, text, &segment(text))))
}

fn tagger_mentions(tagger: &dyn EntityTagger, text: &str, words: &[Word]) -> Vec<(Range<usize>, EntityKind)> {
    tagger
        .tag(text, words)
        .into_iter()
        .filter(|m| KINDS.contains(&m.kind))
        .map(|m| (m.range, m.kind))
        .collect()
}

/// Scores mentions from `tag` against the sentences' gold mentions.
pub(crate) fn score(sentences: &[Sentence], mut tag: impl FnMut(&str) -> Vec<(Range<usize>, EntityKind)>) -> NerReport {
    let mut report = NerReport::default();
    for sentence in sentences {
        let predicted = tag(&sentence.text);
        report.add(&sentence.entities, &predicted);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_strict_matches() {
        let mut report = NerReport::default();
        let gold = vec![(0..6, EntityKind::Person), (9..15, EntityKind::Location)];
        let predicted = vec![
            (0..6, EntityKind::Person),
            (9..12, EntityKind::Location),
            (15..18, EntityKind::Date),
        ];
        report.add(&gold, &predicted);
        assert_eq!(report.micro.gold, 2);
        assert_eq!(report.micro.predicted, 2);
        assert_eq!(report.micro.true_positives, 1);
        assert!((report.micro.f1() - 0.5).abs() < 1e-9);
        assert_eq!(report.kind(EntityKind::Person).unwrap().f1(), 1.0);
        assert!(report.to_string().contains("micro"));
    }
}
