//! Character labels (BIO or BIOES over PER/LOC/ORG) and the rules that say
//! which label may follow which, so decoding only yields well-formed spans.

use std::ops::Range;

use crate::text::tag::EntityKind;

/// The entity types the model labels, in label order.
pub(crate) const KINDS: [EntityKind; 3] = [EntityKind::Person, EntityKind::Location, EntityKind::Organization];

/// Where a character sits in an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Begin,
    Inside,
    End,
    Single,
}

/// How entity spans are spelled as one label per character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// Begin / Inside / Outside.
    Bio,
    /// BIO plus End and Single: the last character of a name gets its own
    /// weights, which helps most with the long organization names.
    Bioes,
}

/// Label 0 is always "outside any entity".
pub(crate) const OUTSIDE: u8 = 0;

impl Scheme {
    /// The byte that stands for the scheme in a model file.
    pub(crate) fn code(self) -> u8 {
        match self {
            Scheme::Bio => 0,
            Scheme::Bioes => 1,
        }
    }

    /// The scheme a model file's byte stands for.
    pub(crate) fn from_code(code: u8) -> Option<Scheme> {
        match code {
            0 => Some(Scheme::Bio),
            1 => Some(Scheme::Bioes),
            _ => None,
        }
    }

    fn parts(self) -> &'static [Part] {
        match self {
            Scheme::Bio => &[Part::Begin, Part::Inside],
            Scheme::Bioes => &[Part::Begin, Part::Inside, Part::End, Part::Single],
        }
    }

    /// Number of distinct labels, `O` included.
    pub(crate) fn num_labels(self) -> usize {
        1 + KINDS.len() * self.parts().len()
    }

    /// The label of `part` of an entity of type `kind` (an index into [`KINDS`]).
    pub(crate) fn label(self, kind: usize, part: Part) -> u8 {
        let parts = self.parts();
        let p = parts.iter().position(|&q| q == part).unwrap_or(0);
        (1 + kind * parts.len() + p) as u8
    }

    /// Type index and part of a label; `None` for `O`.
    pub(crate) fn split(self, label: u8) -> Option<(usize, Part)> {
        let label = usize::from(label).checked_sub(1)?;
        let parts = self.parts();
        Some((label / parts.len(), parts[label % parts.len()]))
    }

    /// Whether `next` may follow `prev`; `None` stands for the sequence
    /// start (as `prev`) or end (as `next`).
    pub(crate) fn allowed(self, prev: Option<u8>, next: Option<u8>) -> bool {
        let prev = prev.and_then(|l| self.split(l));
        let next = next.and_then(|l| self.split(l));
        // An open entity is one whose next character must continue it.
        let open = |p: Option<(usize, Part)>| match (self, p) {
            (Scheme::Bioes, Some((k, Part::Begin | Part::Inside))) => Some(k),
            _ => None,
        };
        let continuing = |n: Option<(usize, Part)>| match (self, n) {
            (_, Some((k, Part::Inside))) | (Scheme::Bioes, Some((k, Part::End))) => Some(k),
            _ => None,
        };
        match (continuing(next), open(prev)) {
            (Some(k), _) => match self {
                Scheme::Bio => matches!(prev, Some((pk, Part::Begin | Part::Inside)) if pk == k),
                Scheme::Bioes => open(prev) == Some(k),
            },
            (None, Some(_)) => false,
            (None, None) => true,
        }
    }

    /// Whether `next` extends the entity that `prev` is part of, so a span
    /// ending at `prev` must not be followed by it.
    pub(crate) fn continues(self, prev: u8, next: u8) -> bool {
        match (self.split(prev), self.split(next)) {
            (Some((k, Part::Begin | Part::Inside)), Some((n, Part::Inside | Part::End))) => k == n,
            _ => false,
        }
    }

    /// Labels for `n` characters holding `spans` (character ranges, type
    /// indices); spans must be sorted and disjoint.
    pub(crate) fn encode(self, n: usize, spans: &[(Range<usize>, usize)]) -> Vec<u8> {
        let mut labels = vec![OUTSIDE; n];
        for (range, kind) in spans {
            let (s, e) = (range.start, range.end);
            if s >= e || e > n {
                continue;
            }
            for (i, label) in labels[s..e].iter_mut().enumerate() {
                let part = match (self, i, e - s) {
                    (Scheme::Bioes, _, 1) => Part::Single,
                    (_, 0, _) => Part::Begin,
                    (Scheme::Bioes, i, len) if i + 1 == len => Part::End,
                    _ => Part::Inside,
                };
                *label = self.label(*kind, part);
            }
        }
        labels
    }

    /// Spans (character ranges, type indices) spelled by `labels`. Stray
    /// continuation labels open a span of their own, as conlleval does.
    pub(crate) fn decode(self, labels: &[u8]) -> Vec<(Range<usize>, usize)> {
        let mut spans: Vec<(Range<usize>, usize)> = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, &label) in labels.iter().enumerate() {
            let split = self.split(label);
            if let Some((start, kind)) = open {
                let extends = matches!(split, Some((k, Part::Inside | Part::End)) if k == kind);
                if !extends {
                    spans.push((start..i, kind));
                    open = None;
                }
            }
            match split {
                None => {}
                Some((kind, part)) => {
                    if open.is_none() {
                        open = Some((i, kind));
                    }
                    if matches!(part, Part::End | Part::Single) {
                        let (start, kind) = open.take().unwrap_or((i, kind));
                        spans.push((start..i + 1, kind));
                    }
                }
            }
        }
        if let Some((start, kind)) = open {
            spans.push((start..labels.len(), kind));
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode_round_trips() {
        let spans = vec![(0..1, 0), (2..5, 2), (5..7, 1)];
        for scheme in [Scheme::Bio, Scheme::Bioes] {
            let labels = scheme.encode(8, &spans);
            assert_eq!(scheme.decode(&labels), spans, "{scheme:?}");
            for w in labels.windows(2) {
                assert!(scheme.allowed(Some(w[0]), Some(w[1])), "{scheme:?} {w:?}");
            }
            assert!(scheme.allowed(None, Some(labels[0])));
            assert!(scheme.allowed(Some(labels[7]), None));
        }
    }

    #[test]
    fn forbids_continuing_nothing() {
        let s = Scheme::Bioes;
        let inside = s.label(0, Part::Inside);
        assert!(!s.allowed(None, Some(inside)));
        assert!(!s.allowed(Some(OUTSIDE), Some(inside)));
        assert!(!s.allowed(Some(s.label(1, Part::Begin)), Some(inside)));
        assert!(!s.allowed(Some(s.label(0, Part::Begin)), None));
        assert!(!s.allowed(Some(s.label(0, Part::Begin)), Some(OUTSIDE)));
        let b = Scheme::Bio;
        assert!(!b.allowed(Some(OUTSIDE), Some(b.label(2, Part::Inside))));
        assert!(b.allowed(Some(b.label(2, Part::Begin)), None));
    }

    #[test]
    fn stray_labels_still_make_spans() {
        let s = Scheme::Bio;
        let labels = [
            s.label(0, Part::Inside),
            s.label(0, Part::Inside),
            OUTSIDE,
            s.label(1, Part::Begin),
        ];
        assert_eq!(s.decode(&labels), vec![(0..2, 0), (3..4, 1)]);
    }
}
