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

impl EntityTagger for rules::RuleRecognizer {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn tag(&self, text: &str, _words: &[Word]) -> Vec<EntityMention> {
        self.find(text)
            .into_iter()
            .map(|e| EntityMention {
                range: e.start..e.end,
                kind: e.kind.into(),
                // A rule match is a well-formed pattern; what remains
                // uncertain is whether the writer meant it as one.
                confidence: 0.95,
                normalized: Some(e.normalized),
            })
            .collect()
    }
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
}
