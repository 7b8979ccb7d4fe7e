//! Offsets as types: the three units callers can ask for, conversion from
//! UTF-8 byte offsets into them, and the map from normalized text back to the
//! text the caller sent.

use std::ops::Range;

use crate::text::align::{AlignedSpan, Rewrite};

/// The unit of the offsets in a response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OffsetUnit {
    /// UTF-8 bytes (Go, Rust, C).
    #[default]
    Utf8,
    /// UTF-16 code units (Java, JavaScript, C#).
    Utf16,
    /// Unicode code points (Python).
    CodePoint,
}

/// Converts UTF-8 byte offsets of one text into another [`OffsetUnit`].
///
/// Keeps a checkpoint every [`Self::BLOCK`] bytes so any offset costs at most
/// one short scan, whatever order offsets are asked in (full and search mode
/// tokens overlap and are not sorted by end).
pub struct OffsetConverter<'a> {
    text: &'a [u8],
    unit: OffsetUnit,
    /// Units before byte `i * BLOCK` (counting characters that start before it).
    checkpoints: Vec<u32>,
}

impl<'a> OffsetConverter<'a> {
    const BLOCK: usize = 256;

    /// Prepares conversion of byte offsets of `text` into `unit`.
    pub fn new(text: &'a str, unit: OffsetUnit) -> Self {
        let bytes = text.as_bytes();
        let trivial = unit == OffsetUnit::Utf8 || bytes.is_ascii();
        let checkpoints = if trivial {
            Vec::new()
        } else {
            let mut checkpoints = Vec::with_capacity(bytes.len() / Self::BLOCK + 1);
            let mut units = 0u32;
            for block in bytes.chunks(Self::BLOCK) {
                checkpoints.push(units);
                units += block.iter().map(|&b| Self::units_of_byte(b, unit)).sum::<u32>();
            }
            checkpoints
        };
        OffsetConverter {
            text: bytes,
            unit: if trivial { OffsetUnit::Utf8 } else { unit },
            checkpoints,
        }
    }

    /// Units contributed by a byte: a character counts at its first byte.
    #[inline]
    fn units_of_byte(b: u8, unit: OffsetUnit) -> u32 {
        match unit {
            OffsetUnit::Utf8 => 1,
            _ if b & 0xC0 == 0x80 => 0,
            OffsetUnit::Utf16 if b >= 0xF0 => 2,
            _ => 1,
        }
    }

    /// The offset of byte position `byte` (clamped to the text) in the unit.
    pub fn convert(&self, byte: usize) -> u32 {
        let byte = byte.min(self.text.len());
        if self.unit == OffsetUnit::Utf8 {
            return byte as u32;
        }
        let block = byte / Self::BLOCK;
        let start = block * Self::BLOCK;
        let base = self.checkpoints.get(block).copied().unwrap_or_else(|| {
            // Only `byte == len` on a block boundary gets here: count the last block.
            self.checkpoints.last().copied().unwrap_or(0)
                + self.text[start.saturating_sub(Self::BLOCK)..start]
                    .iter()
                    .map(|&b| Self::units_of_byte(b, self.unit))
                    .sum::<u32>()
        });
        base + self.text[start..byte]
            .iter()
            .map(|&b| Self::units_of_byte(b, self.unit))
            .sum::<u32>()
    }

    /// Converts a byte range.
    pub fn convert_range(&self, range: &Range<usize>) -> Range<u32> {
        self.convert(range.start)..self.convert(range.end)
    }
}

/// How a normalized text lines up with the original text it was made from:
/// contiguous, monotonic spans covering both (see [`crate::text::align`]).
/// Built by composing the [`Rewrite`]s of each normalization step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetMap {
    spans: Vec<AlignedSpan>,
    /// Whether each span leaves its text as it was, worked out once here
    /// rather than by comparing the texts on every lookup.
    identity: Vec<bool>,
    /// `false` when normalization changed nothing, so lookups are identity.
    changed: bool,
}

impl OffsetMap {
    /// The map of a text to itself.
    pub fn identity(len: usize) -> Self {
        let spans = if len == 0 {
            Vec::new()
        } else {
            vec![AlignedSpan {
                original: 0..len,
                normalized: 0..len,
            }]
        };
        OffsetMap {
            identity: vec![true; spans.len()],
            spans,
            changed: false,
        }
    }

    /// A map of changed text from its spans between `original` and `text`.
    fn changed(spans: Vec<AlignedSpan>, original: &str, text: &str) -> Self {
        let identity = spans
            .iter()
            .map(|s| Self::is_identity_span(s, original, text))
            .collect();
        OffsetMap {
            spans,
            identity,
            changed: true,
        }
    }

    /// The map of one rewriting step over `original`.
    pub fn from_rewrite(original: &str, rewrite: &Rewrite) -> Self {
        let changed = rewrite.text != original;
        if !changed {
            return Self::identity(original.len());
        }
        Self::changed(rewrite.spans.clone(), original, &rewrite.text)
    }

    /// [`Self::from_rewrite`] taking the rewrite apart instead of copying
    /// its spans: the rewritten text and its map.
    pub fn split_rewrite(original: &str, rewrite: Rewrite) -> (String, OffsetMap) {
        if rewrite.text == original {
            return (rewrite.text, Self::identity(original.len()));
        }
        let map = Self::changed(rewrite.spans, original, &rewrite.text);
        (rewrite.text, map)
    }

    /// Whether normalization changed the text at all.
    pub fn is_identity(&self) -> bool {
        !self.changed
    }

    /// The spans, original → normalized, identity runs merged.
    pub fn spans(&self) -> &[AlignedSpan] {
        &self.spans
    }

    /// Maps a byte range of the normalized text to the byte range of the
    /// original text it came from. A boundary inside a replaced span widens
    /// to the whole span; inside an unchanged run it maps one to one.
    pub fn to_original(&self, normalized: Range<usize>, original: &str) -> Range<usize> {
        self.cursor().to_original(normalized, original)
    }

    /// A lookup that remembers where the last one landed: ranges asked for
    /// in text order (the tokens of a text) cost O(1) each instead of a
    /// binary search over every span.
    pub fn cursor(&self) -> OffsetCursor<'_> {
        OffsetCursor { map: self, hint: 0 }
    }

    fn is_identity_span(s: &AlignedSpan, original: &str, text: &str) -> bool {
        s.original.len() == s.normalized.len() && original.get(s.original.clone()) == text.get(s.normalized.clone())
    }

    /// The first span at or after `hint` for which `before` is false, where
    /// `before` is true for a prefix of the spans; a hint past that prefix
    /// falls back to a binary search.
    fn first_not(&self, hint: usize, before: impl Fn(&AlignedSpan) -> bool) -> usize {
        let spans = &self.spans;
        let hint = hint.min(spans.len());
        if hint > 0 && !before(&spans[hint - 1]) {
            return spans.partition_point(before);
        }
        // Tokens are short: the answer is usually the hint or just after it.
        let near = (hint + 4).min(spans.len());
        match spans[hint..near].iter().position(|s| !before(s)) {
            Some(i) => hint + i,
            None => near + spans[near..].partition_point(before),
        }
    }

    /// Original position of a token start: the first non-empty span that
    /// contains `pos`, so deletions before a token stay outside it.
    fn map_start(&self, pos: usize, original: &str, hint: &mut usize) -> usize {
        let i = self.first_not(*hint, |s| s.normalized.end <= pos);
        *hint = i;
        match self.spans.get(i) {
            Some(s) if self.identity[i] => s.original.start + (pos - s.normalized.start),
            Some(s) => s.original.start,
            None => original.len(),
        }
    }

    /// Original position of a token end: the last non-empty span that
    /// contains `pos - 1`, so deletions after a token stay outside it.
    fn map_end(&self, pos: usize, original: &str, hint: usize) -> usize {
        // The first span ending at or after `pos` holds `pos - 1`: a deletion
        // at `pos` comes after it. (Also counting such deletions as "before"
        // made the predicate non-monotone, and the binary search for a
        // range over more than a few spans could land past the deletion.)
        let i = self.first_not(hint, |s| s.normalized.end < pos);
        match self.spans.get(i) {
            Some(s) if self.identity[i] => s.original.start + (pos - s.normalized.start),
            Some(s) => s.original.end,
            None => original.len(),
        }
    }

    /// Composes `self` (A → B) with `next` (B → C) into A → C. `b_text` is
    /// the intermediate text, `a_text` and `c_text` the outer ones.
    pub fn then(&self, next: &OffsetMap, a_text: &str, b_text: &str, c_text: &str) -> OffsetMap {
        if !next.changed {
            return self.clone();
        }
        if !self.changed {
            return next.clone();
        }
        let first = Atoms::new(self, a_text);
        let second = Atoms::new(next, b_text);
        let mut builder = SpanMerger::default();
        compose_atoms(first, second, &mut builder);
        Self::changed(builder.spans, a_text, c_text)
    }

    /// The spans at the finest granularity: every identity run split into one
    /// span per character, replaced spans as they are.
    pub fn fine_spans<'s>(&'s self, original: &'s str) -> impl Iterator<Item = AlignedSpan> + 's {
        Atoms::new(self, original).map(|a| AlignedSpan {
            original: a.src,
            normalized: a.dst,
        })
    }
}

/// [`OffsetMap::to_original`] for many ranges, fastest when they come in
/// order of their start.
pub struct OffsetCursor<'m> {
    map: &'m OffsetMap,
    /// The span the last start was found in.
    hint: usize,
}

impl OffsetCursor<'_> {
    /// Maps a byte range of the normalized text to the byte range of the
    /// original text it came from (see [`OffsetMap::to_original`]).
    pub fn to_original(&mut self, normalized: Range<usize>, original: &str) -> Range<usize> {
        let map = self.map;
        if !map.changed {
            return normalized;
        }
        let start = map.map_start(normalized.start, original, &mut self.hint);
        let end = if normalized.end == normalized.start {
            start
        } else {
            map.map_end(normalized.end, original, self.hint)
        };
        start..end.max(start)
    }
}

/// One indivisible piece of a map: a single unchanged character, or a whole
/// replaced span. `src` is in the map's input, `dst` in its output.
#[derive(Clone, Debug)]
struct Atom {
    src: Range<usize>,
    dst: Range<usize>,
    identity: bool,
}

/// Iterates the atoms of a map.
struct Atoms<'s> {
    spans: std::iter::Zip<std::slice::Iter<'s, AlignedSpan>, std::slice::Iter<'s, bool>>,
    /// The map's input text, to split identity spans at character boundaries.
    src_text: &'s str,
    /// Remaining part of an identity span being split per character.
    pending: Option<(Range<usize>, Range<usize>)>,
}

impl<'s> Atoms<'s> {
    fn new(map: &'s OffsetMap, src_text: &'s str) -> Self {
        Atoms {
            spans: map.spans.iter().zip(map.identity.iter()),
            src_text,
            pending: None,
        }
    }
}

impl Iterator for Atoms<'_> {
    type Item = Atom;

    fn next(&mut self) -> Option<Atom> {
        loop {
            if let Some((src, dst)) = self.pending.take()
                && !src.is_empty()
            {
                let len = self.src_text[src.clone()].chars().next().map_or(1, char::len_utf8);
                if src.len() > len {
                    self.pending = Some((src.start + len..src.end, dst.start + len..dst.end));
                }
                return Some(Atom {
                    src: src.start..src.start + len,
                    dst: dst.start..dst.start + len,
                    identity: true,
                });
            }
            let (s, &identity) = self.spans.next()?;
            if identity {
                self.pending = Some((s.original.clone(), s.normalized.clone()));
            } else {
                return Some(Atom {
                    src: s.original.clone(),
                    dst: s.normalized.clone(),
                    identity: false,
                });
            }
        }
    }
}

/// Collects composed spans, merging consecutive identity atoms into runs.
#[derive(Default)]
struct SpanMerger {
    spans: Vec<AlignedSpan>,
    last_identity: bool,
    /// End of the last span in the outer input (A) and output (C).
    a_pos: usize,
    c_pos: usize,
}

impl SpanMerger {
    fn push(&mut self, a: Range<usize>, c: Range<usize>, identity: bool) {
        if a.is_empty() && c.is_empty() {
            return;
        }
        self.a_pos = a.end;
        self.c_pos = c.end;
        if identity
            && self.last_identity
            && let Some(last) = self.spans.last_mut()
        {
            last.original.end = a.end;
            last.normalized.end = c.end;
            return;
        }
        self.spans.push(AlignedSpan {
            original: a,
            normalized: c,
        });
        self.last_identity = identity;
    }
}

/// Sweeps the atoms of A → B (`first`) and B → C (`second`) along B. Atoms
/// that are empty on B (deleted by the first step, inserted by the second)
/// pass through as spans of their own; otherwise atoms are grouped until both
/// sides end at the same B position, and each group becomes one span.
fn compose_atoms(first: Atoms<'_>, second: Atoms<'_>, out: &mut SpanMerger) {
    let mut first = first.peekable();
    let mut second = second.peekable();
    loop {
        if let Some(x) = first.next_if(|x| x.dst.is_empty()) {
            let c = out.c_pos;
            out.push(x.src, c..c, false);
            continue;
        }
        if let Some(y) = second.next_if(|y| y.src.is_empty()) {
            let a = out.a_pos;
            out.push(a..a, y.dst, false);
            continue;
        }
        let (Some(x), Some(y)) = (first.next(), second.next()) else {
            // Consistent maps run out together.
            break;
        };
        let (a_start, mut a_end) = (x.src.start, x.src.end);
        let (c_start, mut c_end) = (y.dst.start, y.dst.end);
        let mut identity = x.identity && y.identity;
        let (mut end1, mut end2) = (x.dst.end, y.src.end);
        while end1 != end2 {
            identity = false;
            let advanced = if end1 < end2 {
                first.next().map(|x| {
                    a_end = x.src.end;
                    end1 = x.dst.end;
                })
            } else {
                second.next().map(|y| {
                    c_end = y.dst.end;
                    end2 = y.src.end;
                })
            };
            if advanced.is_none() {
                break;
            }
        }
        out.push(a_start..a_end, c_start..c_end, identity);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::align::Rewrite;

    fn units(text: &str, unit: OffsetUnit, byte: usize) -> u32 {
        let prefix = &text[..byte];
        match unit {
            OffsetUnit::Utf8 => prefix.len() as u32,
            OffsetUnit::Utf16 => prefix.encode_utf16().count() as u32,
            OffsetUnit::CodePoint => prefix.chars().count() as u32,
        }
    }

    #[test]
    fn converter_counts_each_unit() {
        let text = "a𠮷北京b";
        let c = OffsetConverter::new(text, OffsetUnit::Utf16);
        assert_eq!(c.convert(1), 1);
        assert_eq!(c.convert(5), 3);
        assert_eq!(c.convert(11), 5);
        let c = OffsetConverter::new(text, OffsetUnit::CodePoint);
        assert_eq!(c.convert(5), 2);
        assert_eq!(c.convert(text.len()), 5);
    }

    #[test]
    fn a_long_range_ends_before_the_deletion_after_it() {
        // Letter-spaced text with its spaces deleted: a range over more
        // spans than the cursor scans goes to the binary search.
        let text = "国 务 院 总 理";
        let rewrite = rewrite_chars(text, |c| (c == ' ').then(String::new));
        let map = OffsetMap::from_rewrite(text, &rewrite);
        assert_eq!(rewrite.text, "国务院总理");
        for (normalized, original) in [(0..9, "国 务 院"), (0..3, "国"), (3..9, "务 院"), (0..15, text)] {
            assert_eq!(
                &text[map.to_original(normalized.clone(), text)],
                original,
                "{normalized:?}"
            );
        }
    }

    /// Rewrites `text` by replacing each char for which `f` returns Some.
    fn rewrite_chars(text: &str, f: impl Fn(char) -> Option<String>) -> Rewrite {
        let mut b = Rewrite::builder(text.len());
        for c in text.chars() {
            match f(c) {
                Some(r) => b.replace(c.len_utf8(), &r),
                None => b.keep(c.encode_utf8(&mut [0; 4])),
            }
        }
        b.finish()
    }

    #[test]
    fn composed_map_widens_to_replaced_spans_and_skips_deletions() {
        // Step 1 deletes spaces, step 2 turns 阴 into a two-character phrase.
        let a = "江 阴市";
        let r1 = rewrite_chars(a, |c| (c == ' ').then(String::new));
        let b = r1.text.clone();
        let r2 = rewrite_chars(&b, |c| (c == '阴').then(|| "陰陰".to_string()));
        let c = r2.text.clone();
        assert_eq!(c, "江陰陰市");
        let map = OffsetMap::from_rewrite(a, &r1).then(&OffsetMap::from_rewrite(&b, &r2), a, &b, &c);
        // 陰陰 (bytes 3..9 of c) came from 阴 (bytes 4..7 of a).
        assert_eq!(map.to_original(3..9, a), 4..7);
        // Half of the replacement still maps to the whole source character.
        assert_eq!(map.to_original(3..6, a), 4..7);
        // 江陰陰 spans the deleted space.
        assert_eq!(map.to_original(0..9, a), 0..7);
        assert_eq!(map.to_original(9..12, a), 7..10);
        let fine: Vec<_> = map.fine_spans(a).collect();
        assert_eq!(
            fine.iter()
                .map(|s| (s.original.clone(), s.normalized.clone()))
                .collect::<Vec<_>>(),
            vec![(0..3, 0..3), (3..4, 3..3), (4..7, 3..9), (7..10, 9..12)]
        );
    }

    fn arb_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just(' '),
                Just('中'),
                Just('國'),
                Just('𠮷'),
                Just('\u{301}'),
                Just('x')
            ],
            0..40,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn converter_matches_naive_counting(text in arb_text()) {
            for unit in [OffsetUnit::Utf8, OffsetUnit::Utf16, OffsetUnit::CodePoint] {
                let c = OffsetConverter::new(&text, unit);
                for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    prop_assert_eq!(c.convert(i), units(&text, unit, i));
                }
            }
        }

        #[test]
        fn composition_covers_both_texts_and_stays_monotonic(text in arb_text(), seed in 0u8..4) {
            // Three steps: delete spaces, expand 中 to two chars, map 國 to x.
            let r1 = rewrite_chars(&text, |c| (c == ' ' && seed & 1 == 0).then(String::new));
            let b = r1.text.clone();
            let r2 = rewrite_chars(&b, |c| (c == '中').then(|| "中文".to_string()));
            let c = r2.text.clone();
            let r3 = rewrite_chars(&c, |ch| (ch == '國' && seed & 2 == 0).then(|| "国".to_string()));
            let d = r3.text.clone();
            let map = OffsetMap::from_rewrite(&text, &r1)
                .then(&OffsetMap::from_rewrite(&b, &r2), &text, &b, &c)
                .then(&OffsetMap::from_rewrite(&c, &r3), &text, &c, &d);
            let composed = Rewrite { text: d.clone(), spans: map.spans().to_vec() };
            if !map.is_identity() {
                prop_assert!(composed.check_against(&text).is_ok(), "{:?}", composed.check_against(&text));
            }
            let fine = Rewrite { text: d.clone(), spans: map.fine_spans(&text).collect() };
            prop_assert!(fine.check_against(&text).is_ok());
            // Every character range of the output maps inside the input, in order.
            let mut last_start = 0;
            for (i, ch) in d.char_indices() {
                let r = map.to_original(i..i + ch.len_utf8(), &text);
                prop_assert!(r.start <= r.end && r.end <= text.len());
                prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                prop_assert!(r.start >= last_start);
                last_start = r.start;
            }
        }

        #[test]
        fn cursor_agrees_with_fresh_lookups(
            text in arb_text(),
            cuts in proptest::collection::vec(0usize..200, 0..30),
            shuffled in any::<bool>(),
        ) {
            let r1 = rewrite_chars(&text, |c| (c == ' ').then(String::new));
            let b = r1.text.clone();
            let r2 = rewrite_chars(&b, |c| (c == '中').then(|| "中文".to_string()));
            let c = r2.text.clone();
            let map = OffsetMap::from_rewrite(&text, &r1).then(&OffsetMap::from_rewrite(&b, &r2), &text, &b, &c);
            // Ranges between character boundaries of the output, in order
            // (as tokens come) or not (the cursor must then fall back).
            let bounds: Vec<usize> = c.char_indices().map(|(i, _)| i).chain([c.len()]).collect();
            let mut ranges: Vec<Range<usize>> = cuts
                .chunks(2)
                .map(|p| {
                    let x = bounds[p[0] % bounds.len()];
                    let y = bounds[p.get(1).copied().unwrap_or(0) % bounds.len()];
                    x.min(y)..x.max(y)
                })
                .collect();
            if !shuffled {
                ranges.sort_by_key(|r| (r.start, r.end));
            }
            let mut cursor = map.cursor();
            for r in ranges {
                let fresh = OffsetMap::cursor(&map).to_original(r.clone(), &text);
                prop_assert_eq!(cursor.to_original(r, &text), fresh);
            }
        }
    }
}
