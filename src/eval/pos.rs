//! Part-of-speech tags on Traditional text, measured two ways, through
//! `TextService.Segment` and against raw jieba-rs on the same input.
//!
//! - **Agreement with the Simplified source.** Simplified gold lines (pku,
//!   msr) are converted to Traditional with `TextService.Normalize` (s2t).
//!   Both versions are segmented; a Traditional token agrees when a token of
//!   the Simplified version has the same character span and tag. Lines whose
//!   conversion changed the number of characters are skipped (spans could
//!   not be compared).
//! - **Han words tagged `x` on native Traditional text** (as, cityu): `x`
//!   is jieba's tag for what it does not know (punctuation, symbols); on a
//!   word of Han characters it means the tagger gave up.

use std::{fmt, path::Path};

use anyhow::Context;
use jieba_rs::Jieba;

use super::{LocalServer, sighan};
use crate::api::proto::{Conversion, EncodingType, NormalizeOptions, NormalizeRequest, SegmentRequest};

/// A word as (start char, end char, tag).
type Tagged = (u32, u32, String);

/// Token-level agreement of tags between two versions of the same text.
#[derive(Clone, Debug, Default)]
pub struct Agreement {
    /// Lines compared.
    pub lines: usize,
    /// Lines skipped because s2t changed their length in characters.
    pub skipped: usize,
    /// Tokens of the Traditional version.
    pub tokens: usize,
    /// Of those, tokens with the same span as a Simplified token.
    pub same_span: usize,
    /// Of those, tokens with the same span and the same tag.
    pub same_tag: usize,
}

impl Agreement {
    /// Share of Traditional tokens with the span and tag of a Simplified one.
    pub fn tag_agreement(&self) -> f64 {
        ratio(self.same_tag, self.tokens)
    }

    fn add(&mut self, simplified: &[Tagged], traditional: &[Tagged]) {
        self.lines += 1;
        self.tokens += traditional.len();
        // Both lists are in text order; precise-mode spans do not overlap.
        let mut j = 0;
        for (start, end, tag) in traditional {
            while j < simplified.len() && (simplified[j].0, simplified[j].1) < (*start, *end) {
                j += 1;
            }
            if let Some((s, e, t)) = simplified.get(j)
                && (s, e) == (start, end)
            {
                self.same_span += 1;
                self.same_tag += usize::from(t == tag);
            }
        }
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "same span and tag {:.2}%, same span {:.2}% of {} tokens ({} lines, {} skipped)",
            100.0 * self.tag_agreement(),
            100.0 * ratio(self.same_span, self.tokens),
            self.tokens,
            self.lines,
            self.skipped
        )
    }
}

/// How many words of Han characters got the tag `x`.
#[derive(Clone, Debug, Default)]
pub struct UnknownTags {
    /// Words made only of Han characters.
    pub han_words: usize,
    /// Of those, words tagged `x`.
    pub tagged_x: usize,
}

impl UnknownTags {
    /// Share of Han words tagged `x`.
    pub fn share(&self) -> f64 {
        ratio(self.tagged_x, self.han_words)
    }

    fn add<'w>(&mut self, words: impl IntoIterator<Item = (&'w str, &'w str)>) {
        for (word, tag) in words {
            if !word.is_empty() && word.chars().all(crate::text::repair::chars::is_han) {
                self.han_words += 1;
                self.tagged_x += usize::from(tag == "x");
            }
        }
    }
}

impl fmt::Display for UnknownTags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.2}% of {} Han words tagged x",
            100.0 * self.share(),
            self.han_words
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The input lines of a SIGHAN gold file (gold words joined).
fn lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| sighan::gold_words(l).concat())
        .filter(|l| !l.is_empty())
        .collect())
}

/// Words of `text` through the service, offsets in characters.
async fn served(server: &LocalServer, text: &str) -> anyhow::Result<Vec<Tagged>> {
    let tokens = server
        .client
        .clone()
        .segment(SegmentRequest {
            text: text.to_owned(),
            encoding_type: EncodingType::Utf32 as i32,
            ..Default::default()
        })
        .await
        .context("segmenting a line")?
        .into_inner()
        .tokens;
    Ok(tokens
        .into_iter()
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| (t.begin_offset, t.end_offset, t.pos))
        .collect())
}

/// Words of `text` by jieba-rs's own tagger (HMM on), offsets in characters.
fn raw(jieba: &Jieba, text: &str) -> Vec<Tagged> {
    let mut at = 0u32;
    jieba
        .tag(text, true)
        .into_iter()
        .filter_map(|t| {
            let start = at;
            at += t.word.chars().count() as u32;
            (!t.word.trim().is_empty()).then(|| (start, at, t.tag.to_owned()))
        })
        .collect()
}

/// Agreement of Traditional (s2t) with Simplified tags on one Simplified
/// file: (zhtext, raw jieba-rs).
pub async fn agreement(server: &LocalServer, jieba: &Jieba, path: &Path) -> anyhow::Result<(Agreement, Agreement)> {
    let (mut served_agreement, mut raw_agreement) = (Agreement::default(), Agreement::default());
    for simplified in lines(path)? {
        let traditional = server
            .client
            .clone()
            .normalize(NormalizeRequest {
                text: simplified.clone(),
                options: Some(NormalizeOptions {
                    conversion: Conversion::S2t as i32,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .context("converting a line to Traditional")?
            .into_inner()
            .text;
        if traditional.chars().count() != simplified.chars().count() {
            served_agreement.skipped += 1;
            raw_agreement.skipped += 1;
            continue;
        }
        served_agreement.add(
            &served(server, &simplified).await?,
            &served(server, &traditional).await?,
        );
        raw_agreement.add(&raw(jieba, &simplified), &raw(jieba, &traditional));
    }
    Ok((served_agreement, raw_agreement))
}

/// Han words tagged `x` on one native Traditional file: (zhtext, raw jieba-rs).
pub async fn unknown_tags(
    server: &LocalServer,
    jieba: &Jieba,
    path: &Path,
) -> anyhow::Result<(UnknownTags, UnknownTags)> {
    let (mut served_tags, mut raw_tags) = (UnknownTags::default(), UnknownTags::default());
    for line in lines(path)? {
        let chars: Vec<char> = line.chars().collect();
        let words: Vec<(String, String)> = served(server, &line)
            .await?
            .into_iter()
            .map(|(s, e, tag)| (chars[s as usize..e as usize].iter().collect(), tag))
            .collect();
        served_tags.add(words.iter().map(|(w, t)| (w.as_str(), t.as_str())));
        raw_tags.add(jieba.tag(&line, true).iter().map(|t| (t.word, t.tag)));
    }
    Ok((served_tags, raw_tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(words: &[(u32, u32, &str)]) -> Vec<Tagged> {
        words.iter().map(|&(s, e, t)| (s, e, t.to_owned())).collect()
    }

    #[test]
    fn agreement_counts_tokens_with_the_same_span_and_tag() {
        let simplified = tagged(&[(0, 2, "ns"), (2, 3, "v"), (3, 5, "n"), (5, 6, "x")]);
        // Same span, other tag; same; split differently (two tokens); same.
        let traditional = tagged(&[(0, 2, "n"), (2, 3, "v"), (3, 4, "n"), (4, 5, "n"), (5, 6, "x")]);
        let mut agreement = Agreement::default();
        agreement.add(&simplified, &traditional);
        assert_eq!((agreement.tokens, agreement.same_span, agreement.same_tag), (5, 3, 2));
        assert!((agreement.tag_agreement() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn only_han_words_tagged_x_count_as_unknown() {
        let mut tags = UnknownTags::default();
        tags.add([("臺灣", "ns"), ("囧", "x"), ("，", "x"), ("GDP", "x"), ("", "x")]);
        assert_eq!((tags.han_words, tags.tagged_x), (2, 1));
    }
}
