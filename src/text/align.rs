//! The contract every text-rewriting step (script conversion, noise repair)
//! uses to say which part of its input became which part of its output.
//!
//! A step returns a [`Rewrite`]: the new text plus a list of [`AlignedSpan`]s
//! that are contiguous, monotonic and cover both texts completely. A span whose
//! original and normalized slices are byte-for-byte equal is an *identity* span
//! and may be as long as the step likes (positions inside it map one to one).
//! Any other span is *atomic*: nothing inside it maps to anything finer, so a
//! step should make replaced spans as small as it can (one per replaced phrase
//! or character).

use std::ops::Range;

/// One piece of an alignment: `original` bytes of the input became
/// `normalized` bytes of the output. Both ranges are in UTF-8 bytes and fall
/// on character boundaries. Either range may be empty (insertion, deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlignedSpan {
    /// Byte range in the step's input.
    pub original: Range<usize>,
    /// Byte range in the step's output.
    pub normalized: Range<usize>,
}

/// The output of one rewriting step: the new text and how it aligns with the
/// step's input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewrite {
    /// The rewritten text.
    pub text: String,
    /// Contiguous, monotonic spans covering the input and `text` completely.
    pub spans: Vec<AlignedSpan>,
}

impl Rewrite {
    /// The rewrite that changes nothing: one identity span over the whole text.
    pub fn identity(text: &str) -> Self {
        let spans = if text.is_empty() {
            Vec::new()
        } else {
            vec![AlignedSpan {
                original: 0..text.len(),
                normalized: 0..text.len(),
            }]
        };
        Rewrite {
            text: text.to_owned(),
            spans,
        }
    }

    /// Builds a rewrite incrementally. Consecutive unchanged pieces are merged
    /// into one identity span; each replacement becomes its own span.
    pub fn builder(capacity: usize) -> RewriteBuilder {
        RewriteBuilder {
            text: String::with_capacity(capacity),
            spans: Vec::new(),
            original_pos: 0,
            open_identity: false,
        }
    }

    /// Checks the contract against the input the step was given. Meant for
    /// tests and debug assertions; returns a description of the first breach.
    pub fn check_against(&self, input: &str) -> Result<(), String> {
        let mut o = 0;
        let mut n = 0;
        for (i, s) in self.spans.iter().enumerate() {
            if s.original.start != o || s.normalized.start != n {
                return Err(format!("span {i} {s:?} does not start at ({o}, {n})"));
            }
            if s.original.end < s.original.start || s.normalized.end < s.normalized.start {
                return Err(format!("span {i} {s:?} is reversed"));
            }
            if input.get(s.original.clone()).is_none() {
                return Err(format!("span {i} {s:?} is not on input char boundaries"));
            }
            if self.text.get(s.normalized.clone()).is_none() {
                return Err(format!("span {i} {s:?} is not on output char boundaries"));
            }
            if s.original.is_empty() && s.normalized.is_empty() {
                return Err(format!("span {i} is empty on both sides"));
            }
            o = s.original.end;
            n = s.normalized.end;
        }
        if o != input.len() || n != self.text.len() {
            return Err(format!(
                "spans end at ({o}, {n}), texts are ({}, {}) bytes",
                input.len(),
                self.text.len()
            ));
        }
        Ok(())
    }
}

/// Incremental construction of a [`Rewrite`], see [`Rewrite::builder`].
pub struct RewriteBuilder {
    text: String,
    spans: Vec<AlignedSpan>,
    original_pos: usize,
    open_identity: bool,
}

impl RewriteBuilder {
    /// Copies `piece` (the next `piece.len()` bytes of the input) unchanged.
    pub fn keep(&mut self, piece: &str) {
        if piece.is_empty() {
            return;
        }
        let (o, n) = (self.original_pos, self.text.len());
        self.text.push_str(piece);
        self.original_pos += piece.len();
        match self.spans.last_mut() {
            Some(last) if self.open_identity => {
                last.original.end = self.original_pos;
                last.normalized.end = self.text.len();
            }
            _ => {
                self.spans.push(AlignedSpan {
                    original: o..self.original_pos,
                    normalized: n..self.text.len(),
                });
                self.open_identity = true;
            }
        }
    }

    /// Replaces the next `original_len` bytes of the input by `replacement`
    /// as one atomic span. If the replacement equals the original piece the
    /// caller should use [`keep`](Self::keep) instead.
    pub fn replace(&mut self, original_len: usize, replacement: &str) {
        if original_len == 0 && replacement.is_empty() {
            return;
        }
        let (o, n) = (self.original_pos, self.text.len());
        self.text.push_str(replacement);
        self.original_pos += original_len;
        self.spans.push(AlignedSpan {
            original: o..self.original_pos,
            normalized: n..self.text.len(),
        });
        self.open_identity = false;
    }

    /// Bytes of the input consumed so far.
    pub fn original_pos(&self) -> usize {
        self.original_pos
    }

    /// Finishes the rewrite.
    pub fn finish(self) -> Rewrite {
        Rewrite {
            text: self.text,
            spans: self.spans,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_merges_identity_and_keeps_replacements_atomic() {
        let input = "滑鼠和鍵盤";
        let mut b = Rewrite::builder(input.len());
        b.replace("滑鼠".len(), "鼠标");
        b.keep("和");
        b.replace("鍵盤".len(), "键盘");
        let r = b.finish();
        assert_eq!(r.text, "鼠标和键盘");
        assert_eq!(r.spans.len(), 3);
        r.check_against(input).unwrap();

        let mut b = Rewrite::builder(4);
        b.keep("ab");
        b.keep("cd");
        let r = b.finish();
        assert_eq!(
            r.spans,
            vec![AlignedSpan {
                original: 0..4,
                normalized: 0..4
            }]
        );
    }

    #[test]
    fn check_against_reports_gaps() {
        let r = Rewrite {
            text: "ab".into(),
            spans: vec![AlignedSpan {
                original: 0..1,
                normalized: 0..1,
            }],
        };
        assert!(r.check_against("ab").is_err());
    }
}
