//! Keyword extraction (jieba's TF-IDF and TextRank) on the analysis view of
//! a text, with keywords returned in the text's own script.

use jieba_rs::{Jieba, KeywordExtract, TextRank, TfIdf};

/// How keywords are ranked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeywordMethod {
    /// Term frequency × inverse document frequency (jieba's IDF table).
    #[default]
    TfIdf,
    /// PageRank over the word co-occurrence graph.
    TextRank,
}

/// A keyword with its weight relative to the best one (which has 1).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredKeyword {
    /// The keyword.
    pub text: String,
    /// Weight in 0..1.
    pub weight: f64,
}

/// Both extractors, built once (the IDF table is parsed at start-up).
#[derive(Default)]
pub struct KeywordExtractor {
    tfidf: TfIdf,
    textrank: TextRank,
}

impl KeywordExtractor {
    /// jieba's default for TextRank when the caller names no POS tags.
    const TEXTRANK_DEFAULT_POS: [&'static str; 4] = ["ns", "n", "vn", "v"];

    /// The `top_k` best keywords of `text` (which `jieba` segments), with
    /// weights scaled so the best is 1.
    pub fn extract(
        &self,
        jieba: &Jieba,
        text: &str,
        top_k: usize,
        method: KeywordMethod,
        allowed_pos: &[String],
    ) -> Vec<ScoredKeyword> {
        let keywords = match method {
            KeywordMethod::TfIdf => self.tfidf.extract_keywords(jieba, text, top_k, allowed_pos.to_vec()),
            KeywordMethod::TextRank => {
                let pos = if allowed_pos.is_empty() {
                    Self::TEXTRANK_DEFAULT_POS.iter().map(|p| p.to_string()).collect()
                } else {
                    allowed_pos.to_vec()
                };
                self.textrank.extract_keywords(jieba, text, top_k, pos)
            }
        };
        let max = keywords.iter().map(|k| k.weight).fold(0.0f64, f64::max);
        keywords
            .into_iter()
            .map(|k| ScoredKeyword {
                weight: if max > 0.0 { k.weight / max } else { 0.0 },
                text: k.keyword,
            })
            .collect()
    }
}
