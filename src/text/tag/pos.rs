//! A name tagger read off jieba's part-of-speech tags: `nr*` words are
//! people, `ns` places and `nt` organizations. It is the baseline the trained
//! model ([`super::ner`]) replaced in the pipeline (strict micro F1 0.579 on
//! the MSRA NER test set against the model's 0.899); it remains for
//! comparison and for embedders who want a tagger without a model.

use std::ops::Range;

use super::{EntityKind, EntityMention, EntityTagger};
use crate::text::segment::Word;

/// Person, place and organization names from dictionary POS tags.
#[derive(Clone, Debug, Default)]
pub struct PosEntityTagger;

impl PosEntityTagger {
    /// Confidence of a mention by kind: fixed priors, lower for
    /// organizations, whose jieba `nt` tags are the least reliable.
    fn confidence(kind: EntityKind) -> f32 {
        match kind {
            EntityKind::Person => 0.75,
            EntityKind::Location => 0.75,
            _ => 0.55,
        }
    }

    fn kind_of(pos: &str) -> Option<EntityKind> {
        match pos {
            "nr" | "nrfg" | "nrt" => Some(EntityKind::Person),
            "ns" => Some(EntityKind::Location),
            "nt" => Some(EntityKind::Organization),
            _ => None,
        }
    }
}

impl EntityTagger for PosEntityTagger {
    fn name(&self) -> &'static str {
        "jieba-pos"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let mut out: Vec<(Range<usize>, EntityKind)> = Vec::new();
        for word in words {
            let Some(kind) = Self::kind_of(&word.pos) else {
                continue;
            };
            // A lone character tagged nr is usually a surname or a clipped
            // name in a list, too unreliable to report.
            if kind == EntityKind::Person && text[word.range.clone()].chars().count() < 2 {
                continue;
            }
            // 江苏省 + 江阴市 is one place; 江阴市 + 人民政府 is one
            // organization, named after the place.
            if let Some((last, last_kind)) = out.last_mut()
                && last.end == word.range.start
                && *last_kind == EntityKind::Location
                && matches!(kind, EntityKind::Location | EntityKind::Organization)
            {
                last.end = word.range.end;
                *last_kind = kind;
                continue;
            }
            out.push((word.range.clone(), kind));
        }
        out.into_iter()
            .map(|(range, kind)| EntityMention {
                range,
                kind,
                confidence: Self::confidence(kind),
                normalized: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::segment::{JiebaSegmenter, SegmentMode, Segmenter};

    #[test]
    fn tags_people_places_and_organizations() {
        let seg = JiebaSegmenter::with_default_dict();
        let text = "习近平在北京会见了清华大学的代表。";
        let words = seg.segment(text, SegmentMode::Precise, true);
        let got: Vec<_> = PosEntityTagger
            .tag(text, &words)
            .into_iter()
            .map(|m| (&text[m.range], m.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("习近平", EntityKind::Person),
                ("北京", EntityKind::Location),
                ("清华大学", EntityKind::Organization),
            ]
        );
    }
}
