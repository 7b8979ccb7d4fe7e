//! OpenCC's scanning loop for one step (segmentation or conversion), and the
//! sinks that turn a step's replacements into text and alignment.

use std::sync::Arc;

use super::matcher::{Match, Matcher, char_width, decode};
use crate::text::align::{Rewrite, RewriteBuilder};

/// One replaced piece: bytes `src_start..src_end` of a step's input became
/// bytes `dst_start..dst_end` of its output. Bytes between edits are copied
/// unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Edit {
    pub src_start: usize,
    pub src_end: usize,
    pub dst_start: usize,
    pub dst_end: usize,
    /// Composed from several edits, which may have cancelled out; a single
    /// dictionary replacement always changes the text.
    pub merged: bool,
}

/// Segment boundaries a conversion step reports to its sink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Split {
    /// None needed (no later step).
    None,
    /// The end of every input segment.
    Segments,
    /// Segment as OpenCC's `mmseg` would with the step's first tier: each
    /// first-tier match is a segment, runs between them are segments.
    FirstTier,
}

/// Lead byte of the ideographic description operators U+2FF0..=U+2FFF.
const IDS_LEAD: u8 = 0xe2;

/// Receives a conversion step's replacements, in input order. Input bytes
/// not covered by a replacement are copied through unchanged.
pub(super) trait Sink {
    /// `input[at..at + len]` becomes `value`; `input` is the text the step
    /// runs on.
    fn replace(&mut self, input: &str, at: usize, len: usize, value: &str);

    /// A segment ends at input offset `pos` (only called when the step is
    /// asked to [`Split`]).
    fn boundary(&mut self, _input: &str, _pos: usize) {}
}

/// Converts `input` with `m` the way OpenCC's `Conversion` does, segment by
/// segment (`ends`: segment end offsets, `None` for one segment): at each
/// position take the group's match and emit its value, otherwise copy one
/// character (or a whole ideographic description sequence).
pub(super) fn run_step<S: Sink>(m: &Matcher, input: &str, ends: Option<&[usize]>, split: Split, sink: &mut S) {
    let bytes = input.as_bytes();
    let whole = [input.len()];
    let mut start = 0;
    for &end in ends.unwrap_or(&whole) {
        // Matches must not cross the segment end.
        let text = &bytes[..end];
        let mut pos = start;
        let mut run_start = start;
        while pos < end {
            let b = text[pos];
            let lead = m.is_lead(b);
            if !lead && b != IDS_LEAD {
                pos += char_width(b);
                continue;
            }
            let Some(hit) = lookup(m, text, pos) else {
                pos += unmatched_len(text, pos);
                continue;
            };
            let first_tier = split == Split::FirstTier && hit.tier == 0;
            if first_tier && run_start < pos {
                sink.boundary(input, pos);
            }
            if !hit.identity {
                sink.replace(input, pos, hit.len, hit.value);
            }
            pos += hit.len;
            if first_tier {
                sink.boundary(input, pos);
                run_start = pos;
            }
        }
        match split {
            Split::None => {}
            Split::Segments => sink.boundary(input, end),
            Split::FirstTier => {
                if run_start < end {
                    sink.boundary(input, end);
                }
            }
        }
        start = end;
    }
}

/// OpenCC's `mmseg` segmentation: each match of `m` is a segment, and so is
/// each maximal run of unmatched text between matches. Returns segment ends.
pub(super) fn segment(m: &Matcher, input: &str) -> Vec<usize> {
    let text = input.as_bytes();
    let mut ends = Vec::new();
    let mut pos = 0;
    let mut run_start = 0;
    while pos < text.len() {
        let b = text[pos];
        if !m.is_lead(b) && b != IDS_LEAD {
            pos += char_width(b);
            continue;
        }
        match lookup(m, text, pos) {
            Some(hit) => {
                if run_start < pos {
                    ends.push(pos);
                }
                pos += hit.len;
                ends.push(pos);
                run_start = pos;
            }
            None => pos += unmatched_len(text, pos),
        }
    }
    if run_start < text.len() {
        ends.push(text.len());
    }
    ends
}

/// The group's match at `pos`; the common miss on the first character is
/// decided here, inline.
#[inline(always)]
fn lookup<'m>(m: &'m Matcher, text: &[u8], pos: usize) -> Option<Match<'m>> {
    let (cp, width) = decode(text, pos);
    let root = m.root(cp)?;
    m.lookup_from(text, pos, root, width)
}

/// Bytes OpenCC copies unchanged at an unmatched position: a complete
/// ideographic description sequence starting there, else one character.
#[inline]
fn unmatched_len(text: &[u8], pos: usize) -> usize {
    let (cp, width) = decode(text, pos);
    if ids_arity(cp) > 0 {
        let mut code_points = 0;
        if let Some(end) = parse_ids(text, pos, IDS_MAX_DEPTH, &mut code_points) {
            return end - pos;
        }
    }
    width
}

/// OpenCC's limits on an ideographic description sequence.
const IDS_MAX_DEPTH: usize = 16;
const IDS_MAX_CODE_POINTS: usize = 64;

/// Operand count of an ideographic description operator, 0 for others.
fn ids_arity(cp: u32) -> usize {
    match cp {
        0x2ff2 | 0x2ff3 => 3,
        0x2ffe | 0x2fff => 1,
        0x2ff0..=0x2ffd => 2,
        _ => 0,
    }
}

/// End of the complete sequence starting at `pos`, or `None` if it is
/// truncated or exceeds OpenCC's limits.
fn parse_ids(text: &[u8], pos: usize, depth_left: usize, code_points: &mut usize) -> Option<usize> {
    if pos >= text.len() || depth_left == 0 || *code_points >= IDS_MAX_CODE_POINTS {
        return None;
    }
    let (cp, width) = decode(text, pos);
    *code_points += 1;
    let mut end = pos + width;
    for _ in 0..ids_arity(cp) {
        end = parse_ids(text, end, depth_left - 1, code_points)?;
    }
    Some(end)
}

/// Collects a step's output text, its segment ends (see [`Split`]) and, if
/// asked, its edits. Reusable: a chain runs every chunk of text through the
/// same sinks.
pub(super) struct TextSink {
    out: String,
    /// `input[..copied]` has been accounted for in `out`.
    copied: usize,
    changed: bool,
    /// Every replacement so far put characters of the same UTF-8 lengths
    /// in place of the replaced ones, one for one.
    same_lengths: bool,
    record: bool,
    edits: Vec<Edit>,
    ends: Vec<usize>,
}

impl TextSink {
    /// An empty sink; `record` keeps the edits.
    pub fn new(record: bool) -> Self {
        TextSink {
            out: String::new(),
            copied: 0,
            changed: false,
            same_lengths: true,
            record,
            edits: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Readies the sink for another input.
    fn reset(&mut self) {
        self.out.clear();
        self.edits.clear();
        self.ends.clear();
        self.copied = 0;
        self.changed = false;
        self.same_lengths = true;
    }

    /// Completes the output after the step has run on `input`.
    fn complete(&mut self, input: &str) {
        if self.changed {
            self.out.push_str(&input[self.copied..]);
            self.copied = input.len();
        }
    }

    /// The step's output for `input` (after [`complete`](Self::complete)).
    fn text<'s>(&'s self, input: &'s str) -> &'s str {
        if self.changed { &self.out } else { input }
    }

    /// Completes the output; `None` if the step changed nothing.
    pub fn finish(mut self, input: &str) -> Option<String> {
        self.complete(input);
        self.changed.then_some(self.out)
    }

    /// Takes the segment ends recorded so far.
    #[cfg(test)]
    pub fn take_ends(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.ends)
    }

    /// Like [`finish`](Self::finish), also telling whether every
    /// replacement kept the replaced characters' UTF-8 lengths, one for one
    /// (then the output has the input's byte offsets).
    pub fn finish_same_lengths(self, input: &str) -> (Option<String>, bool) {
        let same_lengths = self.same_lengths;
        (self.finish(input), same_lengths)
    }

    /// Like [`finish`](Self::finish), also returning the recorded edits.
    pub fn finish_with_edits(mut self, input: &str) -> (Option<String>, Vec<Edit>) {
        self.complete(input);
        let edits = std::mem::take(&mut self.edits);
        (self.changed.then_some(self.out), edits)
    }
}

impl Sink for TextSink {
    #[inline]
    fn replace(&mut self, input: &str, at: usize, len: usize, value: &str) {
        if !self.changed {
            self.changed = true;
            // Room for modest growth: conversions rarely change length much.
            self.out.reserve(input.len() + input.len() / 8);
        }
        self.out.push_str(&input[self.copied..at]);
        let dst_start = self.out.len();
        self.out.push_str(value);
        self.copied = at + len;
        if self.same_lengths {
            let replaced = &input[at..at + len];
            self.same_lengths = replaced.len() == value.len()
                && replaced
                    .chars()
                    .map(char::len_utf8)
                    .eq(value.chars().map(char::len_utf8));
        }
        if self.record {
            self.edits.push(Edit {
                src_start: at,
                src_end: at + len,
                dst_start,
                dst_end: self.out.len(),
                merged: false,
            });
        }
    }

    fn boundary(&mut self, _input: &str, pos: usize) {
        let end = if self.changed {
            self.out.len() + (pos - self.copied)
        } else {
            pos
        };
        self.ends.push(end);
    }
}

/// Input bytes the first step of a chain converts before the later steps
/// run: large enough to make per-chunk work negligible, small enough to stay
/// in cache.
const CHUNK: usize = 16 * 1024;

/// Sink for the first step of a chain over segmented text. It buffers the
/// first step's output a chunk of whole segments at a time, runs the later
/// steps on each chunk (confined to the segments, as OpenCC runs the chain
/// on each segment), composes the chunk's alignment and hands the result to
/// the `output` sink in coordinates of the first step's input. Call
/// [`finish`](Self::finish) after the first step has run.
pub(super) struct ChainSink<'c, S: Sink> {
    rest: &'c [Arc<Matcher>],
    output: &'c mut S,
    align: bool,
    /// Where the current chunk starts in the first step's input.
    chunk_start: usize,
    /// Output of the first step, then of each later step, for the chunk.
    /// The first one tracks global input positions until the chunk ends.
    stages: Vec<TextSink>,
    /// The chunk's alignment, composed step by step.
    composed: Vec<Edit>,
    scratch: Vec<Edit>,
}

impl<'c, S: Sink> ChainSink<'c, S> {
    /// Runs `rest` after the first step; with `align`, passes on one
    /// replacement per composed edit instead of one per changed chunk.
    pub fn new(rest: &'c [Arc<Matcher>], output: &'c mut S, align: bool) -> Self {
        ChainSink {
            rest,
            output,
            align,
            chunk_start: 0,
            stages: (0..=rest.len()).map(|_| TextSink::new(align)).collect(),
            composed: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Converts what is left of the first step's `input`.
    pub fn finish(mut self, input: &str) {
        self.flush(input, input.len());
    }

    /// Runs the rest of the chain on the chunk ending at `end` (a segment
    /// end).
    fn flush(&mut self, input: &str, end: usize) {
        let start = self.chunk_start;
        if start == end {
            return;
        }
        self.chunk_start = end;
        let chunk = &input[start..end];
        let first = &mut self.stages[0];
        if first.changed {
            // Make the first step's positions relative to the chunk.
            first.copied -= start;
            for e in &mut first.edits {
                e.src_start -= start;
                e.src_end -= start;
            }
        } else {
            for e in &mut first.ends {
                *e -= start;
            }
        }
        first.complete(chunk);
        let last = self.rest.len() - 1;
        for (i, step) in self.rest.iter().enumerate() {
            let (done, todo) = self.stages.split_at_mut(i + 1);
            // A stage that changed nothing passes its input on.
            let text = done.iter().fold(chunk, |text, stage| stage.text(text));
            let split = if i == last { Split::None } else { Split::Segments };
            run_step(step, text, Some(&done[i].ends), split, &mut todo[0]);
            todo[0].complete(text);
        }
        let converted = self.stages.iter().fold(chunk, |text, stage| stage.text(text));
        if self.align {
            // Later steps usually change nothing; then the first step's
            // edits are the chunk's alignment as they are.
            let edits = if self.stages[1..].iter().all(|s| s.edits.is_empty()) {
                &self.stages[0].edits
            } else {
                self.composed.clear();
                self.composed.extend_from_slice(&self.stages[0].edits);
                for stage in &self.stages[1..] {
                    compose(&self.composed, &stage.edits, &mut self.scratch);
                    std::mem::swap(&mut self.composed, &mut self.scratch);
                }
                &self.composed
            };
            for e in edits {
                let to = &converted[e.dst_start..e.dst_end];
                if !e.merged || chunk[e.src_start..e.src_end] != *to {
                    self.output
                        .replace(input, start + e.src_start, e.src_end - e.src_start, to);
                }
            }
        } else if self.stages.iter().any(|s| s.changed) {
            self.output.replace(input, start, chunk.len(), converted);
        }
        for stage in &mut self.stages {
            stage.reset();
        }
    }
}

impl<S: Sink> Sink for ChainSink<'_, S> {
    #[inline]
    fn replace(&mut self, input: &str, at: usize, len: usize, value: &str) {
        let first = &mut self.stages[0];
        if !first.changed {
            // Start the buffer at the chunk (not the input) start, and
            // rebase the segment ends collected so far onto it.
            first.copied = self.chunk_start;
            first.changed = true;
            let start = self.chunk_start;
            for e in &mut first.ends {
                *e -= start;
            }
        }
        first.replace(input, at, len, value);
    }

    fn boundary(&mut self, input: &str, pos: usize) {
        let first = &mut self.stages[0];
        let end = if first.changed {
            first.out.len() + (pos - first.copied)
        } else {
            pos
        };
        first.ends.push(end);
        if pos - self.chunk_start >= CHUNK {
            self.flush(input, pos);
        }
    }
}

/// Chains two alignments into `out`: `first` maps x to y, `second` maps y
/// to z. Edits whose y ranges overlap, directly or through others, merge
/// into one x to z edit; every other edit stays on its own.
pub(super) fn compose(first: &[Edit], second: &[Edit], out: &mut Vec<Edit>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    // Outside edits, x = y - shift_x and z = y + shift_z.
    let (mut shift_x, mut shift_z) = (0isize, 0isize);
    loop {
        // Fast paths: edits that overlap nothing on the other side only
        // have their other end moved.
        let next_second = second.get(j).map_or(usize::MAX, |e| e.src_start);
        while let Some(&e) = first
            .get(i)
            .filter(|e| e.dst_start < e.dst_end && e.dst_end <= next_second)
        {
            out.push(Edit {
                dst_start: e.dst_start.wrapping_add_signed(shift_z),
                dst_end: e.dst_end.wrapping_add_signed(shift_z),
                ..e
            });
            shift_x += growth(&e);
            i += 1;
        }
        let next_first = first.get(i).map_or(usize::MAX, |e| e.dst_start);
        while let Some(&e) = second
            .get(j)
            .filter(|e| e.src_start < e.src_end && e.src_end <= next_first)
        {
            out.push(Edit {
                src_start: e.src_start.wrapping_add_signed(-shift_x),
                src_end: e.src_end.wrapping_add_signed(-shift_x),
                ..e
            });
            shift_z += growth(&e);
            j += 1;
        }
        let from_first = match (first.get(i), second.get(j)) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a.dst_start <= b.src_start,
        };
        let y0 = if from_first {
            first[i].dst_start
        } else {
            second[j].src_start
        };
        let x0 = y0.wrapping_add_signed(-shift_x);
        let z0 = y0.wrapping_add_signed(shift_z);
        let mut y1 = y0;
        let mut pieces = 0;
        let mut merged = false;
        let mut take_first = from_first;
        loop {
            // An edit of `first` ends at its dst in y, one of `second` at
            // its src; either moves its side's shift.
            if take_first {
                let e = first[i];
                i += 1;
                y1 = y1.max(e.dst_end);
                shift_x += growth(&e);
                merged |= e.merged;
            } else {
                let e = second[j];
                j += 1;
                y1 = y1.max(e.src_end);
                shift_z += growth(&e);
                merged |= e.merged;
            }
            pieces += 1;
            if first.get(i).is_some_and(|e| e.dst_start < y1) {
                take_first = true;
            } else if second.get(j).is_some_and(|e| e.src_start < y1) {
                take_first = false;
            } else {
                break;
            }
        }
        out.push(Edit {
            src_start: x0,
            src_end: y1.wrapping_add_signed(-shift_x),
            dst_start: z0,
            dst_end: y1.wrapping_add_signed(shift_z),
            merged: merged || pieces > 1,
        });
    }
}

/// How many bytes longer an edit's output is than its input.
#[inline]
fn growth(e: &Edit) -> isize {
    (e.dst_end - e.dst_start) as isize - (e.src_end - e.src_start) as isize
}

/// Output sink of an aligned conversion: takes the conversion chain's
/// replacements in the normalized text y and composes them on the fly with
/// the normalization's edits (`prior`, original text x to y) straight into a
/// [`RewriteBuilder`], so the chain's output is built only once, as the
/// rewrite's text.
pub(super) struct AlignSink<'a> {
    /// The original text.
    x: &'a str,
    /// The last step's input.
    y: &'a str,
    prior: &'a [Edit],
    /// Prior edits before `next` have been merged into spans.
    next: usize,
    /// Outside prior edits, x = y - shift (counting edits before `next`).
    shift: isize,
    builder: RewriteBuilder,
    group: Option<Group>,
    /// Scratch for the output of the open group.
    z: String,
}

/// Edits being merged into one atomic span: prior edits and replacements
/// whose y ranges overlap.
struct Group {
    x0: usize,
    /// End of the y range covered so far.
    y1: usize,
    /// `y[..z_from]` is accounted for in the scratch output.
    z_from: usize,
    /// Number of edits merged; one edit is never an identity.
    pieces: usize,
}

impl<'a> AlignSink<'a> {
    /// `prior` aligns `x` (the original text) with `y` (the text the
    /// replacements refer to).
    pub fn new(x: &'a str, y: &'a str, prior: &'a [Edit]) -> Self {
        AlignSink {
            x,
            y,
            prior,
            next: 0,
            shift: 0,
            builder: Rewrite::builder(y.len() + y.len() / 8),
            group: None,
            z: String::new(),
        }
    }

    /// Starts a group at y offset `y0` (outside every pending prior edit).
    fn open(&mut self, y0: usize) {
        let x0 = y0.wrapping_add_signed(-self.shift);
        let pos = self.builder.original_pos();
        self.builder.keep(&self.x[pos..x0]);
        self.z.clear();
        self.group = Some(Group {
            x0,
            y1: y0,
            z_from: y0,
            pieces: 0,
        });
    }

    /// Merges the next prior edit into the open group.
    fn absorb_prior(&mut self) {
        let e = self.prior[self.next];
        self.next += 1;
        self.shift += growth(&e);
        if let Some(g) = &mut self.group {
            g.y1 = g.y1.max(e.dst_end);
            g.pieces += 1;
        }
    }

    /// Merges into the open group every prior edit that overlaps it.
    fn absorb_overlapping_prior(&mut self) {
        while let (Some(g), Some(e)) = (&self.group, self.prior.get(self.next)) {
            if e.dst_start >= g.y1 {
                break;
            }
            self.absorb_prior();
        }
    }

    /// Emits the open group as one span.
    fn close(&mut self) {
        let Some(g) = self.group.take() else {
            return;
        };
        self.z.push_str(&self.y[g.z_from..g.y1]);
        let x1 = g.y1.wrapping_add_signed(-self.shift);
        let from = &self.x[g.x0..x1];
        // Merged edits may cancel out; a single edit always changes text.
        if g.pieces > 1 && from == self.z {
            self.builder.keep(from);
        } else {
            self.builder.replace(from.len(), &self.z);
        }
    }

    /// Emits a prior edit that overlaps nothing else as its own span.
    fn emit_prior_alone(&mut self) {
        let e = self.prior[self.next];
        self.next += 1;
        let pos = self.builder.original_pos();
        let x0 = e.dst_start.wrapping_add_signed(-self.shift);
        self.builder.keep(&self.x[pos..x0]);
        self.builder
            .replace(e.src_end - e.src_start, &self.y[e.dst_start..e.dst_end]);
        self.shift += growth(&e);
    }

    /// Emits a replacement that overlaps no prior edit as its own span: the
    /// common case.
    #[inline]
    fn emit_alone(&mut self, at: usize, len: usize, value: &str) {
        let x0 = at.wrapping_add_signed(-self.shift);
        let pos = self.builder.original_pos();
        self.builder.keep(&self.x[pos..x0]);
        self.builder.replace(len, value);
    }

    /// Emits the remaining prior edits and text; returns the alignment.
    pub fn finish(mut self) -> Rewrite {
        self.absorb_overlapping_prior();
        self.close();
        // Prior edits never overlap each other, so each is a span of its own.
        while self.next < self.prior.len() {
            self.emit_prior_alone();
        }
        let pos = self.builder.original_pos();
        self.builder.keep(&self.x[pos..]);
        self.builder.finish()
    }
}

impl Sink for AlignSink<'_> {
    fn replace(&mut self, _input: &str, at: usize, len: usize, value: &str) {
        if self.group.is_none() && self.next == self.prior.len() {
            self.emit_alone(at, len, value);
            return;
        }
        let end = at + len;
        loop {
            self.absorb_overlapping_prior();
            match &self.group {
                Some(g) if at < g.y1 => break,
                Some(_) => self.close(),
                None => {}
            }
            match self.prior.get(self.next) {
                // A prior edit wholly before this replacement is a span of
                // its own (prior edits never overlap each other).
                Some(e) if e.dst_end <= at => self.emit_prior_alone(),
                // One reaching into it starts a group.
                Some(e) if e.dst_start < at => {
                    self.open(e.dst_start);
                    self.absorb_prior();
                }
                None => {
                    self.emit_alone(at, len, value);
                    return;
                }
                Some(_) => {
                    self.open(at);
                    break;
                }
            }
        }
        let y = self.y;
        let Some(g) = &mut self.group else {
            return;
        };
        self.z.push_str(&y[g.z_from..at]);
        self.z.push_str(value);
        g.z_from = end;
        g.y1 = g.y1.max(end);
        g.pieces += 1;
    }
}
