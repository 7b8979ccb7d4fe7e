//! Entity tagging: taggers behind one trait, and the rule that combines
//! them into one list of non-overlapping mentions.

use std::ops::Range;

use crate::text::segment::Word;

pub mod known;
pub mod ner;
pub mod pos;
pub mod rules;

/// Kinds of entity the taggers find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// A person's name.
    Person,
    /// A geographical or political place.
    Location,
    /// A company, institution or body.
    Organization,
    /// A calendar date (ISO 8601 value).
    Date,
    /// A clock time.
    Time,
    /// An amount of money (amount and ISO 4217 code).
    Money,
    /// A percentage (decimal fraction).
    Percent,
    /// A number with a unit.
    Quantity,
    /// A telephone number (E.164).
    PhoneNumber,
    /// An e-mail address.
    Email,
    /// A web address.
    Url,
}

/// An entity mention in the text that was tagged.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityMention {
    /// Byte range in the tagged text.
    pub range: Range<usize>,
    /// What kind of entity it is.
    pub kind: EntityKind,
    /// How sure the tagger is, 0..1.
    pub confidence: f32,
    /// Canonical value for numeric, temporal and contact entities.
    pub normalized: Option<String>,
}

/// Finds entity mentions in a text.
pub trait EntityTagger: Send + Sync {
    /// Stable name for logs.
    fn name(&self) -> &'static str;
    /// Mentions in `text`, given its precise-mode segmentation `words`.
    /// Returned mentions are sorted and do not overlap each other.
    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention>;
}

/// Runs several taggers and merges their mentions by priority: taggers are
/// listed from most to least trusted, and a mention is kept only where it
/// overlaps no mention already kept. Rules go first because their patterns
/// (dates, amounts, phone numbers) are precise and carry normalized values;
/// a name tagger's guess that collides with one is the likelier mistake.
/// The pipeline puts shares in tenths (七成) last: 成 also ends given names.
pub struct PriorityTagger {
    taggers: Vec<Box<dyn EntityTagger>>,
}

impl PriorityTagger {
    /// Taggers from most to least trusted.
    pub fn new(taggers: Vec<Box<dyn EntityTagger>>) -> Self {
        PriorityTagger { taggers }
    }
}

impl EntityTagger for PriorityTagger {
    fn name(&self) -> &'static str {
        "priority"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let mut kept: Vec<EntityMention> = Vec::new();
        for tagger in &self.taggers {
            let mut merged = Vec::with_capacity(kept.len());
            let mut old = std::mem::take(&mut kept).into_iter().peekable();
            // Both lists are sorted and each is free of overlaps, so one
            // merge pass decides every collision.
            for mention in tagger.tag(text, words) {
                while let Some(k) = old.next_if(|k| k.range.end <= mention.range.start) {
                    merged.push(k);
                }
                let collides = old.peek().is_some_and(|k| k.range.start < mention.range.end)
                    || merged.last().is_some_and(|k| k.range.end > mention.range.start);
                if !collides {
                    merged.push(mention);
                }
            }
            merged.extend(old);
            kept = merged;
        }
        kept
    }
}

impl From<rules::RuleKind> for EntityKind {
    fn from(kind: rules::RuleKind) -> Self {
        match kind {
            rules::RuleKind::Date => EntityKind::Date,
            rules::RuleKind::Time => EntityKind::Time,
            rules::RuleKind::Money => EntityKind::Money,
            rules::RuleKind::Percent => EntityKind::Percent,
            rules::RuleKind::Quantity => EntityKind::Quantity,
            rules::RuleKind::PhoneNumber => EntityKind::PhoneNumber,
            rules::RuleKind::Email => EntityKind::Email,
            rules::RuleKind::Url => EntityKind::Url,
        }
    }
}

impl EntityTagger for rules::ShareRecognizer {
    fn name(&self) -> &'static str {
        "shares"
    }

    fn tag(&self, text: &str, _: &[Word]) -> Vec<EntityMention> {
        // 成 after a digit is a share unless it ends a name, which the
        // taggers before this one have had their say on.
        self.find(text).into_iter().map(|e| rule_mention(e, 0.9)).collect()
    }
}

impl EntityTagger for rules::RuleRecognizer {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        // A rule match is a well-formed pattern; what remains uncertain is
        // whether the writer meant it as one.
        self.find(text)
            .into_iter()
            .filter(|e| !numeral_inside_name(text, words, e))
            .map(|e| rule_mention(e, 0.95))
            .collect()
    }
}

fn rule_mention(e: rules::RuleEntity, confidence: f32) -> EntityMention {
    EntityMention {
        range: e.start..e.end,
        kind: e.kind.into(),
        confidence,
        normalized: Some(e.normalized),
    }
}

/// Whether rule entity `e` is a count or amount written in Chinese numerals
/// that starts a place or person name jieba knows and runs on past it: the
/// numeral is part of the name (陆家嘴, 五棵松, 伍家岗区), not a quantity
/// (陆家 "six companies", 五棵 "five trees").
fn numeral_inside_name(text: &str, words: &[Word], e: &rules::RuleEntity) -> bool {
    if !matches!(e.kind, rules::RuleKind::Quantity | rules::RuleKind::Money)
        || !text[e.start..].starts_with(rules::is_cn_numeral)
    {
        return false;
    }
    let i = words.partition_point(|w| w.range.end <= e.start);
    words.get(i).is_some_and(|w| {
        w.range.start <= e.start && w.range.end > e.end && matches!(w.pos.as_str(), "nr" | "ns" | "nrt" | "nz" | "nt")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<(Range<usize>, EntityKind)>);

    impl EntityTagger for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn tag(&self, _: &str, _: &[Word]) -> Vec<EntityMention> {
            self.0
                .iter()
                .map(|(r, k)| EntityMention {
                    range: r.clone(),
                    kind: *k,
                    confidence: 1.0,
                    normalized: None,
                })
                .collect()
        }
    }

    #[test]
    fn earlier_taggers_win_collisions() {
        let rules = Fixed(vec![(3..6, EntityKind::Date), (10..12, EntityKind::Money)]);
        let names = Fixed(vec![
            (0..2, EntityKind::Person),
            (5..8, EntityKind::Location),
            (8..10, EntityKind::Location),
            (11..14, EntityKind::Organization),
            (14..16, EntityKind::Person),
        ]);
        let tagger = PriorityTagger::new(vec![Box::new(rules), Box::new(names)]);
        let got: Vec<_> = tagger.tag("", &[]).into_iter().map(|m| (m.range, m.kind)).collect();
        assert_eq!(
            got,
            vec![
                (0..2, EntityKind::Person),
                (3..6, EntityKind::Date),
                (8..10, EntityKind::Location),
                (10..12, EntityKind::Money),
                (14..16, EntityKind::Person),
            ]
        );
    }

    /// `text` split into words at `cuts` (byte offsets), each tagged `pos`.
    fn words(text: &str, cuts: &[(usize, &str)]) -> Vec<Word> {
        let mut start = 0;
        cuts.iter()
            .chain(std::iter::once(&(text.len(), "x")))
            .map(|&(end, pos)| {
                let w = Word {
                    range: start..end,
                    pos: crate::text::segment::PosTag::new(pos),
                };
                start = end;
                w
            })
            .filter(|w| !w.range.is_empty())
            .collect()
    }

    #[test]
    fn numerals_that_begin_a_name_are_not_quantities() {
        let rules = rules::RuleRecognizer::default();
        let found = |text: &str, words: &[Word]| -> Vec<String> {
            rules
                .tag(text, words)
                .into_iter()
                .map(|m| text[m.range].to_owned())
                .collect()
        };
        // 陆家 reads as "six companies" by itself; jieba knows 陆家嘴 as a name.
        let text = "陆家嘴金融城";
        assert_eq!(found(text, &[]), ["陆家"]);
        assert_eq!(found(text, &words(text, &[(9, "nr")])), Vec::<String>::new());
        let text = "五棵松体育馆";
        assert!(found(text, &words(text, &[(9, "ns")])).is_empty());
        // A word that is not a name, or one that ends with the quantity, leaves it.
        let text = "五棵树";
        assert_eq!(found(text, &words(text, &[(9, "n")])), ["五棵"]);
        let text = "三家门店";
        assert_eq!(found(text, &words(text, &[(6, "m"), (12, "n")])), ["三家"]);
        // Arabic digits are never part of a name this way.
        let text = "6家企业";
        assert_eq!(found(text, &words(text, &[(10, "nz")])), ["6家"]);
    }
}
