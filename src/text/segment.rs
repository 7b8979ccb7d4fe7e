//! Word segmentation with part-of-speech tags.

use std::{collections::HashMap, ops::Range};

use jieba_rs::Jieba;

/// How to cut text into words (jieba's three modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SegmentMode {
    /// The most likely segmentation: no overlaps, words concatenate back to
    /// the text.
    #[default]
    Precise,
    /// Every dictionary word in the text; words overlap.
    Full,
    /// Precise words plus the dictionary 2- and 3-grams inside long ones.
    Search,
}

/// A word in the text that was segmented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Byte range in the segmented text.
    pub range: Range<usize>,
    /// Part-of-speech tag (jieba's ICTCLAS-style tag set).
    pub pos: String,
}

/// Splits text into tagged words.
pub trait Segmenter: Send + Sync {
    /// Segments `text`. Precise mode must return words that tile the text.
    fn segment(&self, text: &str, mode: SegmentMode, hmm: bool) -> Vec<Word>;
}

/// jieba-rs with its default dictionary.
pub struct JiebaSegmenter {
    jieba: Jieba,
}

impl JiebaSegmenter {
    /// Loads jieba's embedded default dictionary (about 350k words).
    pub fn with_default_dict() -> Self {
        JiebaSegmenter { jieba: Jieba::new() }
    }

    /// The underlying jieba instance.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// The tag of a word on its own: its dictionary tag when the dictionary
    /// keeps it whole, else what jieba guesses for it.
    fn tag_of(&self, word: &str) -> String {
        match self.jieba.tag(word, false).as_slice() {
            [only] => only.tag.to_owned(),
            _ => "x".to_owned(),
        }
    }
}

impl Segmenter for JiebaSegmenter {
    fn segment(&self, text: &str, mode: SegmentMode, hmm: bool) -> Vec<Word> {
        let precise = || {
            self.jieba.tag(text, hmm).into_iter().map(|t| Word {
                range: t.byte_start..t.byte_end,
                pos: t.tag.to_owned(),
            })
        };
        let overlapping = |tokens: Vec<jieba_rs::Token<'_>>| {
            // Words that are also precise-mode words take the tag from their
            // context; the others are tagged on their own.
            let known: HashMap<(usize, usize), String> =
                precise().map(|w| ((w.range.start, w.range.end), w.pos)).collect();
            let mut words: Vec<Word> = tokens
                .into_iter()
                .map(|t| Word {
                    range: t.byte_start..t.byte_end,
                    pos: known
                        .get(&(t.byte_start, t.byte_end))
                        .cloned()
                        .unwrap_or_else(|| self.tag_of(t.word)),
                })
                .collect();
            words.sort_by_key(|w| (w.range.start, w.range.end));
            words
        };
        match mode {
            SegmentMode::Precise => precise().collect(),
            SegmentMode::Full => overlapping(self.jieba.cut_all(text)),
            SegmentMode::Search => overlapping(self.jieba.cut_for_search(text, hmm)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precise_words_tile_the_text_and_carry_tags() {
        let seg = JiebaSegmenter::with_default_dict();
        let text = "我来到北京清华大学，Hello world 2024年";
        let words = seg.segment(text, SegmentMode::Precise, true);
        let joined: String = words.iter().map(|w| &text[w.range.clone()]).collect();
        assert_eq!(joined, text);
        let find = |s: &str| {
            words
                .iter()
                .find(|w| &text[w.range.clone()] == s)
                .map(|w| w.pos.as_str())
        };
        assert_eq!(find("北京"), Some("ns"));
        assert_eq!(find("清华大学"), Some("nt"));
    }

    #[test]
    fn full_and_search_modes_add_inner_words() {
        let seg = JiebaSegmenter::with_default_dict();
        let text = "中华人民共和国";
        let full = seg.segment(text, SegmentMode::Full, true);
        assert!(full.iter().any(|w| &text[w.range.clone()] == "人民"));
        assert!(full.iter().any(|w| &text[w.range.clone()] == "中华人民共和国"));
        let search = seg.segment(text, SegmentMode::Search, true);
        assert!(search.iter().any(|w| &text[w.range.clone()] == "共和国"));
        assert!(search.windows(2).all(|p| p[0].range.start <= p[1].range.start));
    }
}
