//! Word segmentation quality on the SIGHAN 2005 bakeoff test sets, through
//! `TextService.Segment` (precise mode, HMM on): input is each gold line
//! with its word separators removed, scored by exact word spans.

use std::{fmt, path::Path};

use anyhow::Context;

use super::LocalServer;
use crate::api::proto::{EncodingType, SegmentRequest};

/// The four test sets: (name, gold file under `gold/`).
pub const SETS: [(&str, &str); 4] = [
    ("pku", "pku_test_gold.utf8"),
    ("msr", "msr_test_gold.utf8"),
    ("as", "as_testing_gold.utf8"),
    ("cityu", "cityu_test_gold.utf8"),
];

/// Precision, recall and F1 over word spans of one test set.
#[derive(Clone, Debug, Default)]
pub struct SegmentationScore {
    /// Test set name.
    pub name: String,
    /// Words in the gold standard.
    pub gold: usize,
    /// Words the service returned (whitespace tokens excluded).
    pub predicted: usize,
    /// Returned words whose span matches a gold word exactly.
    pub correct: usize,
    /// Lines whose segmentation matched the gold line exactly.
    pub exact_lines: usize,
    /// Lines scored.
    pub lines: usize,
}

impl SegmentationScore {
    /// Share of returned words that are gold words.
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    /// Share of gold words returned.
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl fmt::Display for SegmentationScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<6} P {:.4}  R {:.4}  F1 {:.4}  (gold {}, predicted {}, correct {}, exact lines {}/{})",
            self.name,
            self.precision(),
            self.recall(),
            self.f1(),
            self.gold,
            self.predicted,
            self.correct,
            self.exact_lines,
            self.lines
        )
    }
}

/// Gold words of one line: separators are any whitespace, including the
/// ideographic space AS uses; a BOM is not part of any word.
pub fn gold_words(line: &str) -> Vec<&str> {
    line.trim_start_matches('\u{feff}').split_whitespace().collect()
}

/// Scores one gold file through the service.
pub async fn score_file(server: &LocalServer, name: &str, path: &Path) -> anyhow::Result<SegmentationScore> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut score = SegmentationScore {
        name: name.to_owned(),
        ..Default::default()
    };
    let mut client = server.client.clone();
    for line in text.lines() {
        let words = gold_words(line);
        if words.is_empty() {
            continue;
        }
        let input: String = words.concat();
        let mut gold = Vec::with_capacity(words.len());
        let mut at = 0u32;
        for w in &words {
            let len = w.chars().count() as u32;
            gold.push((at, at + len));
            at += len;
        }
        let tokens = client
            .segment(SegmentRequest {
                text: input.clone(),
                encoding_type: EncodingType::Utf32 as i32,
                ..Default::default()
            })
            .await
            .with_context(|| format!("segmenting a line of {name}"))?
            .into_inner()
            .tokens;
        let predicted: Vec<(u32, u32)> = tokens
            .iter()
            .filter(|t| !t.text.trim().is_empty())
            .map(|t| (t.begin_offset, t.end_offset))
            .collect();
        // Both lists are sorted and non-overlapping: count equal spans by merging.
        let (mut i, mut j, mut correct) = (0, 0, 0);
        while i < gold.len() && j < predicted.len() {
            match gold[i].cmp(&predicted[j]) {
                std::cmp::Ordering::Equal => {
                    correct += 1;
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
        score.lines += 1;
        score.gold += gold.len();
        score.predicted += predicted.len();
        score.correct += correct;
        if correct == gold.len() && correct == predicted.len() {
            score.exact_lines += 1;
        }
    }
    Ok(score)
}
