//! Repair of Chinese text that went through a wrong GBK/UTF-8 round trip.
//!
//! Three phenomena, found by re-encoding runs of the text and kept only when
//! the [`CharModel`] says the result is clearly more Chinese-like:
//!
//! **(a) UTF-8 read as GBK** (`发展` → `鍙戝睍`). The run is encoded back to
//! GBK bytes and decoded as UTF-8. Where a GBK character boundary and a UTF-8
//! character boundary coincide the two readings can be swapped independently,
//! so the run is cut into *units* at those points (usually three mojibake
//! characters ↔ two real ones) and a two-state Viterbi pass decides per unit,
//! in context, whether the repaired reading wins by more than
//! [`UNIT_PENALTY`] nats. Each repaired unit is one atomic span. A UTF-8
//! character whose last byte had no GBK partner decodes as `�` (followed by
//! an ASCII byte below 0x40 or the end of the text); its missing byte is
//! restored by choosing, among the ≤ 64 bytes that complete it, the one the
//! model prefers. ASCII letters swallowed as GBK trail bytes come back too.
//! `€` decodes from two codes, the lone byte 0x80 (a UTF-8 continuation byte
//! on a lead position) and A2 E3; the one that keeps the bytes valid UTF-8 is
//! used.
//!
//! **(b) GBK read as UTF-8.** Nearly every GBK byte pair is invalid UTF-8 and
//! was replaced by `�`: the text is gone. Such runs are left unchanged (there
//! is nothing to put back, guessing would invent text, and deleting them
//! would hide the damage); [`find_lossy_runs`] reports them so a caller can
//! flag or drop the document, and the other phases do not touch them.
//!
//! **(c) A GBK stream that lost one byte**: `變為“發展` shows up as
//! `變?椤鞍l展`. Its GBK bytes are `D7 83 | 9E E9 | A1 B0 | B0 6C | D5 B9`.
//! The stream was cut inside `為`, and each piece was decoded on its own: the
//! lone lead byte `9E` at the end of the first piece became `�` (shown as `?`
//! once the text was saved in a legacy encoding), and the second piece
//! started with `為`'s trail byte `E9`, so every following byte paired with
//! the wrong partner — `E9 A1` = `椤`, `B0 B0` = `鞍` — until a trail byte in
//! 0x40..=0x7E fell on a lead position and decoded as ASCII (`6C` = `l`, the
//! second byte of `發`), which resynchronised the stream. The inverse: after a
//! `?` or `�` marker, re-encode the following characters to GBK, prepend the
//! lost lead byte and pair the bytes again. The shifted run ends where the
//! damage ends: at an ASCII character in 0x40..=0x7E (the last trail byte),
//! at a GBK character whose second byte is ASCII (a real ASCII character
//! that was swallowed), or at a second marker (that trail byte was lost
//! too). The lost lead byte — and a lost final trail byte — are chosen by
//! the model; the whole run is one atomic span (no character inside it
//! maps to one character of the result) and is replaced only if the model
//! prefers the result by more than [`SHIFT_PENALTY`] nats after a `?`
//! (which may be a real question mark) or [`SHIFT_PENALTY_REPLACEMENT`]
//! after a `�`, plus `ln n` for every byte chosen among `n` candidates. A
//! byte lost without leaving a marker is not detected.
//!
//! All passes are linear in the text length — each character is re-encoded
//! once and the number of byte guesses per text is capped (see
//! [`GUESSES_BASE`]) — and never panic. Clean text costs about 40 ms per MB.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use super::char_model::CharModel;
use super::{Editor, RepairStep};
use crate::text::align::Rewrite;

/// Margin (nats) by which a repaired unit of UTF-8-as-GBK mojibake must beat
/// the text as it stands.
pub const UNIT_PENALTY: f32 = 6.0;

/// Margin (nats) by which a re-paired shifted GBK run after a `?` must beat
/// the text as it stands (a `?` may be a real question mark).
pub const SHIFT_PENALTY: f32 = 8.0;

/// The same margin after a `�`, which is damage for certain.
pub const SHIFT_PENALTY_REPLACEMENT: f32 = 4.0;

const REPLACEMENT: char = '\u{FFFD}';

/// Repairs GBK/UTF-8 mojibake; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct RepairMojibake {
    model: Arc<CharModel>,
}

impl Default for RepairMojibake {
    fn default() -> Self {
        Self::new()
    }
}

impl RepairMojibake {
    /// Creates the step with the embedded character model.
    pub fn new() -> Self {
        Self::with_model(CharModel::embedded())
    }

    /// The step with the embedded model; the same as [`new`](Self::new),
    /// named for callers that load all models at start-up. The model is
    /// parsed once per process and shared.
    pub fn load() -> Self {
        Self::new()
    }

    /// Creates the step with a given character model.
    pub fn with_model(model: Arc<CharModel>) -> Self {
        RepairMojibake { model }
    }
}

impl RepairStep for RepairMojibake {
    fn name(&self) -> &'static str {
        "repair_mojibake"
    }

    fn apply(&self, text: &str) -> Rewrite {
        if text.is_ascii() {
            return Rewrite::identity(text);
        }
        let mut pass = Pass::new(text, &self.model);
        pass.utf8_read_as_gbk();
        pass.shifted_gbk();
        let mut fixes = pass.fixes;
        fixes.sort_by_key(|f| f.range.start);
        let mut editor = Editor::new(text);
        for fix in &fixes {
            editor.edit(fix.range.clone(), &fix.replacement);
        }
        editor.finish()
    }
}

/// Byte ranges of runs that look like GBK text decoded as UTF-8 with
/// replacement: clusters of at least [`LOSSY_MIN`] replacement characters,
/// each within [`LOSSY_GAP`] characters of the previous one, with at least
/// two of them adjacent. (UTF-8 read as GBK and a lost GBK byte leave single
/// replacement characters; GBK read as UTF-8 leaves runs of them.) These
/// runs cannot be repaired, and [`RepairMojibake`] leaves them alone.
pub fn find_lossy_runs(text: &str) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut open: Option<Cluster> = None;
    let mut since = 0;
    for (i, c) in text.char_indices() {
        if c != REPLACEMENT {
            since += 1;
            continue;
        }
        let end = i + c.len_utf8();
        match &mut open {
            Some(cl) if since <= LOSSY_GAP => {
                cl.adjacent |= since == 0;
                cl.count += 1;
                cl.range.end = end;
            }
            _ => {
                if let Some(cl) = open.take().filter(Cluster::is_lossy) {
                    runs.push(cl.range);
                }
                open = Some(Cluster {
                    range: i..end,
                    count: 1,
                    adjacent: false,
                });
            }
        }
        since = 0;
    }
    if let Some(cl) = open.filter(Cluster::is_lossy) {
        runs.push(cl.range);
    }
    runs
}

/// Fewest replacement characters in a run reported by [`find_lossy_runs`].
pub const LOSSY_MIN: usize = 3;
/// Most characters between two replacement characters of one lossy run.
pub const LOSSY_GAP: usize = 2;

struct Cluster {
    range: Range<usize>,
    count: usize,
    adjacent: bool,
}

impl Cluster {
    fn is_lossy(&self) -> bool {
        self.count >= LOSSY_MIN && self.adjacent
    }
}

/// One accepted repair.
#[derive(Debug)]
struct Fix {
    range: Range<usize>,
    replacement: String,
}

/// GBK code tables built from `encoding_rs`'s decoder, so that re-encoding
/// inverts exactly the decoding that produced the mojibake.
struct Gbk {
    /// Character of each two-byte code, indexed by `code_index`.
    decode: Vec<Option<char>>,
    encode: HashMap<char, [u8; 2]>,
}

const LEADS: std::ops::RangeInclusive<u8> = 0x81..=0xFE;

fn code_index(lead: u8, trail: u8) -> Option<usize> {
    (LEADS.contains(&lead) && (0x40..=0xFE).contains(&trail))
        .then(|| usize::from(lead - 0x81) * 191 + usize::from(trail - 0x40))
}

impl Gbk {
    fn get() -> &'static Gbk {
        static TABLE: OnceLock<Gbk> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut decode = vec![None; 126 * 191];
            let mut encode = HashMap::with_capacity(24_000);
            for lead in LEADS {
                for trail in 0x40..=0xFE {
                    let bytes = [lead, trail];
                    let decoded = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(&bytes);
                    let mut chars = decoded.as_deref().unwrap_or("").chars();
                    if let (Some(c), None, Some(i)) = (chars.next(), chars.next(), code_index(lead, trail)) {
                        decode[i] = Some(c);
                        encode.entry(c).or_insert(bytes);
                    }
                }
            }
            Gbk { decode, encode }
        })
    }

    fn decode(&self, lead: u8, trail: u8) -> Option<char> {
        self.decode.get(code_index(lead, trail)?).copied().flatten()
    }

    /// Two-byte GBK code of `c` (not ASCII, not the one-byte `€`).
    fn encode2(&self, c: char) -> Option<[u8; 2]> {
        self.encode.get(&c).copied()
    }

    /// Appends the GBK bytes of `c` to `out`; false if `c` has no one- or
    /// two-byte code. `€` has two, 0x80 and A2 E3 (`姝€€�` is `止。`:
    /// `E6 AD | A2 E3 | 80 | 82`); the one that keeps `out` valid UTF-8 is
    /// taken, looking at the first byte of the `next` character.
    fn push(&self, c: char, next: Option<char>, out: &mut Vec<u8>) -> bool {
        if c.is_ascii() {
            out.push(c as u8);
        } else if c == '€' {
            let next_is_continuation = match next {
                Some('€') => true,
                Some(n) => self.encode2(n).is_some_and(|[b, _]| (0x80..=0xBF).contains(&b)),
                None => false,
            };
            if utf8_pending(out) == 1 && next_is_continuation {
                out.extend_from_slice(&[0xA2, 0xE3]);
            } else {
                out.push(0x80);
            }
        } else if let Some(b) = self.encode2(c) {
            out.extend_from_slice(&b);
        } else {
            return false;
        }
        true
    }
}

/// Continuation bytes still missing at the end of `bytes`, if they end
/// inside a well-formed UTF-8 sequence.
fn utf8_pending(bytes: &[u8]) -> usize {
    for (back, &b) in bytes.iter().rev().take(4).enumerate() {
        let width: usize = match b {
            0x80..=0xBF => continue,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return 0,
        };
        return width.saturating_sub(back + 1);
    }
    0
}

/// Whether a character is believable in repaired Chinese text. Keeps repairs
/// from producing controls, private-use or combining characters.
fn plausible(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~'
        | '\u{A0}'..='\u{24F}'
        | '\u{370}'..='\u{3FF}'
        | '\u{400}'..='\u{4FF}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{2070}'..='\u{2BFF}'
        | '\u{2E80}'..='\u{2FDF}'
        | '\u{3000}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE6F}'
        | '\u{FEFF}'
        | '\u{FF01}'..='\u{FFEF}'
        | '\u{1F300}'..='\u{1FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

/// Result of decoding one UTF-8 character at a position.
enum Utf8At {
    /// A complete, valid character of this many bytes.
    Char(usize),
    /// A valid prefix cut off by the end of the bytes, missing this many.
    Truncated(usize),
    Invalid,
}

fn utf8_at(bytes: &[u8], p: usize) -> Utf8At {
    let width = match bytes.get(p) {
        Some(0x00..=0x7F) => 1,
        Some(0xC2..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF4) => 4,
        _ => return Utf8At::Invalid,
    };
    let end = p + width;
    if let Some(seq) = bytes.get(p..end) {
        return match std::str::from_utf8(seq) {
            Ok(_) => Utf8At::Char(width),
            Err(_) => Utf8At::Invalid,
        };
    }
    // error_len() == None: the prefix is valid as far as it goes.
    match std::str::from_utf8(&bytes[p..]) {
        Err(e) if e.valid_up_to() == 0 && e.error_len().is_none() => Utf8At::Truncated(end - bytes.len()),
        _ => Utf8At::Invalid,
    }
}

/// A maximal run of characters with one- or two-byte GBK codes, re-encoded.
#[derive(Default)]
struct Run {
    /// GBK bytes of the run.
    bytes: Vec<u8>,
    /// For each character: its offset in `bytes` and in the text. One extra
    /// entry marks the end of the run.
    starts: Vec<(usize, usize)>,
}

impl Run {
    fn clear(&mut self) {
        self.bytes.clear();
        self.starts.clear();
    }

    /// Text offset of the character starting at byte `b` of the run.
    fn text_offset(&self, b: usize) -> Option<usize> {
        let i = self.starts.binary_search_by_key(&b, |&(bo, _)| bo).ok()?;
        Some(self.starts[i].1)
    }
}

/// Whether byte `pos` lies inside one of the sorted ranges.
fn inside(ranges: &[Range<usize>], pos: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= pos);
    ranges.get(i).is_some_and(|r| r.start <= pos)
}

/// How many lost bytes one text may have guessed: [`GUESSES_BASE`] plus one
/// per [`BYTES_PER_GUESS`] bytes. A guess scores up to 190 candidates, so
/// this bounds the work on adversarial input (`变?变?变?…`) while leaving
/// real damage — a few lost bytes per page — untouched.
pub const GUESSES_BASE: usize = 256;
/// See [`GUESSES_BASE`].
pub const BYTES_PER_GUESS: usize = 64;

/// One run of the step over one text.
struct Pass<'a> {
    text: &'a str,
    model: &'a CharModel,
    gbk: &'static Gbk,
    /// Lossy runs ([`find_lossy_runs`]), left alone.
    lossy: Vec<Range<usize>>,
    /// Accepted repairs; phase (a) pushes them in text order.
    fixes: Vec<Fix>,
    guesses_left: usize,
}

impl<'a> Pass<'a> {
    fn new(text: &'a str, model: &'a CharModel) -> Self {
        Pass {
            text,
            model,
            gbk: Gbk::get(),
            lossy: find_lossy_runs(text),
            fixes: Vec::new(),
            guesses_left: GUESSES_BASE + text.len() / BYTES_PER_GUESS,
        }
    }

    /// Takes one guess from the budget; false when it is spent.
    fn take_guess(&mut self) -> bool {
        let ok = self.guesses_left > 0;
        self.guesses_left = self.guesses_left.saturating_sub(1);
        ok
    }

    /// Phase (a): finds runs of UTF-8 read as GBK. A `�` inside a lossy run
    /// is not taken for a lost final byte.
    fn utf8_read_as_gbk(&mut self) {
        let text = self.text;
        let mut run = Run::default();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let before = run.bytes.len();
            if self.gbk.push(c, chars.peek().map(|&(_, n)| n), &mut run.bytes) {
                run.starts.push((before, i));
                continue;
            }
            if run.bytes.iter().any(|&b| b >= 0x80) {
                run.starts.push((run.bytes.len(), i));
                let lost = (c == REPLACEMENT && !inside(&self.lossy, i)).then_some(i + c.len_utf8());
                self.scan_run(&run, lost);
            }
            run.clear();
        }
        if run.bytes.iter().any(|&b| b >= 0x80) {
            run.starts.push((run.bytes.len(), text.len()));
            self.scan_run(&run, None);
        }
    }

    /// Cuts a run into stretches of valid UTF-8 and hands each to
    /// [`decide`](Self::decide). `lost_tail` is the end of a `�` right after
    /// the run, if there is one.
    fn scan_run(&mut self, run: &Run, lost_tail: Option<usize>) {
        let bytes = &run.bytes;
        let n = bytes.len();
        let mut is_start = vec![false; n + 1];
        for &(b, _) in &run.starts {
            is_start[b] = true;
        }
        // Common GBK/UTF-8 boundaries of the current stretch.
        let mut bounds = vec![0];
        let mut p = 0;
        while p < n {
            match utf8_at(bytes, p) {
                Utf8At::Char(w) => {
                    p += w;
                    if is_start[p] {
                        bounds.push(p);
                    }
                }
                Utf8At::Truncated(1) if lost_tail.is_some() => {
                    self.decide(run, &bounds, lost_tail);
                    return;
                }
                _ => {
                    self.decide(run, &bounds, None);
                    p = (p + 1..=n).find(|&q| is_start[q]).unwrap_or(n);
                    bounds.clear();
                    bounds.push(p);
                }
            }
        }
        self.decide(run, &bounds, None);
    }

    /// Builds the units of one stretch (`bounds`: its common boundaries;
    /// with `lost_tail`, the rest of the run plus the `�` ending there form a
    /// final unit whose missing byte is guessed) and keeps the repairs the
    /// Viterbi pass accepts.
    fn decide(&mut self, run: &Run, bounds: &[usize], lost_tail: Option<usize>) {
        let text = self.text;
        let mut units = Vec::new();
        for w in bounds.windows(2) {
            let (Some(start), Some(end)) = (run.text_offset(w[0]), run.text_offset(w[1])) else {
                return;
            };
            let decoded = std::str::from_utf8(&run.bytes[w[0]..w[1]]).unwrap_or_default();
            let repair = (decoded != &text[start..end] && decoded.chars().all(plausible)).then(|| decoded.to_owned());
            units.push(Unit {
                range: start..end,
                repair,
                guessed: 0.0,
            });
        }
        if let (Some(tail_end), Some(&last)) = (lost_tail, bounds.last())
            && let Some(start) = run.text_offset(last)
            && self.take_guess()
        {
            // Context: the repaired reading of the previous unit if any.
            let prev = units
                .last()
                .and_then(|u| u.repair.as_deref())
                .and_then(|r| r.chars().next_back())
                .or_else(|| text[..start].chars().next_back());
            let next = text[tail_end..].chars().next();
            let mut brackets = Brackets::before(text, units.first().map_or(start, |u| u.range.start));
            for repair in units.iter().filter_map(|u| u.repair.as_deref()) {
                brackets.feed(repair);
            }
            let guess = guess_tail(&run.bytes[last..], prev, next, brackets, self.model);
            units.push(Unit {
                range: start..tail_end,
                guessed: guess.as_ref().map_or(0.0, |g| g.penalty),
                repair: guess.map(|g| g.text),
            });
        }
        if units.iter().all(|u| u.repair.is_none()) {
            return;
        }
        let (Some(first), Some(last)) = (units.first(), units.last()) else {
            return;
        };
        let left = text[..first.range.start].chars().next_back();
        let right = text[last.range.end..].chars().next();
        let flags = viterbi(text, &units, left, right, self.model);
        for (unit, repaired) in units.into_iter().zip(flags) {
            if let (true, Some(replacement)) = (repaired, unit.repair) {
                self.fixes.push(Fix {
                    range: unit.range,
                    replacement,
                });
            }
        }
    }

    /// Phase (c): repairs GBK runs shifted by a lost byte after a `?`/`�`
    /// marker, skipping markers inside repairs of phase (a) and lossy runs.
    fn shifted_gbk(&mut self) {
        let text = self.text;
        let taken: Vec<Range<usize>> = self.fixes.iter().map(|f| f.range.clone()).collect();
        let overlaps = |r: &Range<usize>| {
            let i = taken.partition_point(|t| t.end <= r.start);
            taken.get(i).is_some_and(|t| t.start < r.end)
        };
        let mut pos = 0;
        while let Some(found) = text[pos..].find(['?', REPLACEMENT]) {
            let marker = pos + found;
            pos = marker + text[marker..].chars().next().map_or(1, char::len_utf8);
            if inside(&self.lossy, marker) {
                continue;
            }
            let Some((end, replacement)) = self.reshift(marker) else {
                continue;
            };
            if !overlaps(&(marker..end)) && !self.lossy.iter().any(|r| r.start < end && marker < r.end) {
                self.fixes.push(Fix {
                    range: marker..end,
                    replacement,
                });
                pos = end;
            }
        }
    }

    /// The best repair of a shifted run starting with the marker at
    /// `marker`: its end and replacement, if the model accepts it.
    fn reshift(&mut self, marker: usize) -> Option<(usize, String)> {
        let (text, gbk, model) = (self.text, self.gbk, self.model);
        let question = text[marker..].starts_with('?');
        let body = marker + text[marker..].chars().next()?.len_utf8();
        // Bytes after the lost lead byte, and whether the final trail was
        // lost too. A `?` may be a real question mark: demand a shifted
        // character after it before believing a lone trail byte.
        let min_shifted = if question { 2 } else { 0 };
        let mut bytes = Vec::new();
        let mut end = None;
        let mut lost_trail = false;
        for (i, c) in text[body..].char_indices() {
            let after = body + i + c.len_utf8();
            // `€` is the one-byte 0x80 here, not its two-byte code.
            let code = if c == '€' { None } else { gbk.encode2(c) };
            if let Some([lead, trail]) = code {
                if trail < 0x80 && bytes.len() < min_shifted {
                    return None;
                }
                bytes.extend_from_slice(&[lead, trail]);
                if trail < 0x80 {
                    // A real ASCII character, swallowed as a trail byte.
                    end = Some(after);
                    break;
                }
            } else if (('\x40'..='\x7E').contains(&c) || c == '€') && bytes.len() >= min_shifted {
                // A trail byte on a lead position decodes alone (`€` is
                // 0x80) and resynchronises the stream.
                bytes.push(if c == '€' { 0x80 } else { c as u8 });
                end = Some(after);
                break;
            } else if (c == REPLACEMENT || c == '?') && !bytes.is_empty() {
                lost_trail = true;
                end = Some(after);
                break;
            } else {
                return None;
            }
        }
        let end = end?;
        let left = text[..marker].chars().next_back();
        let right = text[end..].chars().next();

        // Decode the pairs after the first; the first needs the lost lead.
        let first_trail = *bytes.first()?;
        let mut middle = String::new();
        let mut rest = &bytes[1..];
        while let Some((&b, tail)) = rest.split_first() {
            if b < 0x80 && tail.is_empty() {
                middle.push(char::from(b));
                rest = tail;
            } else if let [trail, tail @ ..] = tail {
                middle.push(gbk.decode(b, *trail)?);
                rest = tail;
            } else if lost_trail {
                break; // `b` is the lead byte of the last character
            } else {
                return None;
            }
        }
        let last_lead = match rest {
            [b] => Some(*b),
            _ => None,
        };
        if lost_trail != last_lead.is_some() || !self.take_guess() {
            return None;
        }

        // The lost lead byte: the best choice between `left` and what follows.
        let mut brackets = Brackets::before(text, marker);
        let first = best_guess(
            LEADS
                .filter_map(|lead| gbk.decode(lead, first_trail))
                .filter(|&c| plausible(c)),
            |&c| {
                let follow = match middle.chars().next() {
                    Some(n) => model.score(Some(c), n),
                    None if last_lead.is_some() => 0.0,
                    None => model.follow(Some(c), right),
                };
                model.score(left, c) + follow + brackets.bonus(c)
            },
        )?;
        let mut candidate = String::new();
        candidate.push(first.text);
        candidate.push_str(&middle);
        let mut guessed = first.penalty;
        if let Some(lead) = last_lead {
            let before = candidate.chars().next_back();
            brackets.feed(&candidate);
            let last = best_guess(
                (0x40..=0xFE)
                    .filter_map(|trail| gbk.decode(lead, trail))
                    .filter(|&c| plausible(c)),
                |&c| model.score(before, c) + model.follow(Some(c), right) + brackets.bonus(c),
            )?;
            candidate.push(last.text);
            guessed += last.penalty;
        }
        if !candidate.chars().all(plausible) {
            return None;
        }
        let score = |s: &str| model.score_str(left, s) + model.follow(s.chars().next_back(), right);
        let gain = score(&candidate) - score(&text[marker..end]);
        let margin = if question {
            SHIFT_PENALTY
        } else {
            SHIFT_PENALTY_REPLACEMENT
        };
        (gain > margin + guessed).then_some((end, candidate))
    }
}

/// A unit of a stretch: a text range and, unless the GBK and UTF-8 readings
/// agree, the repaired reading.
struct Unit {
    range: Range<usize>,
    repair: Option<String>,
    /// Extra penalty for guessed bytes.
    guessed: f32,
}

/// A guessed byte: the best text it gives and the price of the guess.
struct Guess<T> {
    text: T,
    /// `ln` of the number of choices: taking the best of `n` options is
    /// worth about that much score by chance alone.
    penalty: f32,
}

/// The best of `options` by `score`, ties to the first.
fn best_guess<T>(options: impl Iterator<Item = T>, score: impl Fn(&T) -> f32) -> Option<Guess<T>> {
    let mut best: Option<(f32, T)> = None;
    let mut n = 0u32;
    for option in options {
        n += 1;
        let s = score(&option);
        if best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, option));
        }
    }
    best.map(|(_, text)| Guess {
        text,
        penalty: (n as f32).ln(),
    })
}

/// Completes the UTF-8 bytes `head` (missing one final byte) with the byte
/// the model likes best between `prev` and `next`.
fn guess_tail(
    head: &[u8],
    prev: Option<char>,
    next: Option<char>,
    brackets: Brackets,
    model: &CharModel,
) -> Option<Guess<String>> {
    let options = (0x80..=0xBF).filter_map(|last| {
        let mut buf = head.to_vec();
        buf.push(last);
        String::from_utf8(buf).ok().filter(|s| s.chars().all(plausible))
    });
    best_guess(options, |s| {
        let last = s.chars().next_back();
        model.score_str(prev, s) + model.follow(last, next) + last.map_or(0.0, |c| brackets.bonus(c))
    })
}

/// Which kinds of brackets are open in the current line; a guessed closing
/// bracket is believable only after its opening one (`（图片）`, `“…。”`).
#[derive(Clone, Copy, Debug, Default)]
struct Brackets {
    paren: bool,
    quote: bool,
    book: bool,
    corner: bool,
}

impl Brackets {
    /// How far back (characters) the line before a position is scanned.
    const LOOKBACK: usize = 200;
    /// Score adjustment for a closing bracket that does (not) match.
    const BONUS: f32 = 3.0;

    /// The state after the current line's text before `pos`.
    fn before(text: &str, pos: usize) -> Self {
        let head = &text[..pos];
        let start = head
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c != '\n')
            .take(Self::LOOKBACK)
            .last()
            .map_or(pos, |(i, _)| i);
        let mut b = Brackets::default();
        b.feed(&head[start..]);
        b
    }

    fn feed(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '（' | '(' => self.paren = true,
                '）' | ')' => self.paren = false,
                '“' => self.quote = true,
                '”' => self.quote = false,
                '《' => self.book = true,
                '》' => self.book = false,
                '「' => self.corner = true,
                '」' => self.corner = false,
                _ => {}
            }
        }
    }

    fn bonus(&self, c: char) -> f32 {
        let open = match c {
            '）' | ')' => self.paren,
            '”' => self.quote,
            '》' => self.book,
            '」' => self.corner,
            _ => return 0.0,
        };
        if open { Self::BONUS } else { -Self::BONUS }
    }
}

/// Chooses per unit between the text as it stands and the repair, in
/// context, each repair costing [`UNIT_PENALTY`]. Returns one flag per unit.
fn viterbi(text: &str, units: &[Unit], left: Option<char>, right: Option<char>, model: &CharModel) -> Vec<bool> {
    // Per state (0 = keep, 1 = repair): score and last character.
    let mut state = [(0.0f32, left), (f32::NEG_INFINITY, left)];
    let mut back: Vec<[usize; 2]> = Vec::with_capacity(units.len());
    for unit in units {
        let versions = [Some(&text[unit.range.clone()]), unit.repair.as_deref()];
        let mut next = [(f32::NEG_INFINITY, None); 2];
        let mut from = [0usize; 2];
        for (s, version) in versions.iter().enumerate() {
            let Some(version) = version else { continue };
            let penalty = if s == 1 { UNIT_PENALTY + unit.guessed } else { 0.0 };
            for (t, &(score, last)) in state.iter().enumerate() {
                if score == f32::NEG_INFINITY {
                    continue;
                }
                let total = score + model.score_str(last, version) - penalty;
                if total > next[s].0 {
                    next[s] = (total, version.chars().next_back().or(last));
                    from[s] = t;
                }
            }
        }
        back.push(from);
        state = next;
    }
    let end = |s: usize| {
        let (score, last) = state[s];
        score + model.follow(last, right)
    };
    let mut s = usize::from(end(1) > end(0));
    let mut flags = vec![false; units.len()];
    for (i, from) in back.iter().enumerate().rev() {
        flags[i] = s == 1;
        s = from[s];
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repair::test_util::{apply_checked, assert_repairs, changes};

    fn step() -> RepairMojibake {
        RepairMojibake::new()
    }

    /// `text`'s UTF-8 bytes decoded as GBK, as a broken page would show it.
    fn as_gbk(text: &str) -> String {
        encoding_rs::GBK
            .decode_without_bom_handling(text.as_bytes())
            .0
            .into_owned()
    }

    #[test]
    fn repairs_utf8_read_as_gbk() {
        let r = assert_repairs(&step(), "鍙戝睍", "发展");
        assert_eq!(r.spans.len(), 1);
        // Each unit (three mojibake characters ↔ two real ones) is a span.
        let input = "我们要鍔犲揩鍙戝睍新质生产力";
        let r = assert_repairs(&step(), input, "我们要加快发展新质生产力");
        assert_eq!(changes(input, &r), vec![("鍔犲揩", "加快"), ("鍙戝睍", "发展")]);
        for text in [
            "加快发展新质生产力。",
            "中华人民共和国成立于1949年10月1日。",
            "“一带一路”倡议提出十周年，GDP增长5.2％。",
            "他說：「這是臺灣的新聞。」",
        ] {
            assert_repairs(&step(), &as_gbk(text), text);
        }
    }

    #[test]
    fn restores_a_final_byte_lost_to_a_replacement_character() {
        assert_eq!(as_gbk("2024年3月"), "2024骞�3鏈�");
        assert_repairs(&step(), "2024骞�3鏈�", "2024年3月");
        assert_repairs(&step(), "锛屼粬璇达細鈥滃ソ鈥�", "，他说：“好”");
        // ASCII letters swallowed as GBK trail bytes come back.
        assert_eq!(as_gbk("发展中A股市"), "鍙戝睍涓瑼鑲″競");
        assert_repairs(&step(), "鍙戝睍涓瑼鑲″競", "发展中A股市");
    }

    #[test]
    fn repairs_a_gbk_stream_that_lost_a_byte() {
        let input = "變?椤鞍l展";
        let r = assert_repairs(&step(), input, "變為“發展");
        assert_eq!(changes(input, &r), vec![("?椤鞍l", "為“發")]);
        assert_repairs(&step(), "變\u{FFFD}椤鞍l展", "變為“發展");
        // Simplified: the shift runs on to the next ASCII byte, whose
        // predecessor was lost as well.
        let (gbk, _, _) = encoding_rs::GBK.encode("我们要加快发展新质生产力，2024");
        let cut = 10; // the lead byte of 发
        let mut broken = encoding_rs::GBK
            .decode_without_bom_handling(&gbk[..=cut])
            .0
            .into_owned();
        broken.push_str(&encoding_rs::GBK.decode_without_bom_handling(&gbk[cut + 1..]).0);
        assert_repairs(&step(), &broken, "我们要加快发展新质生产力，2024");
    }

    #[test]
    fn leaves_clean_text_alone() {
        for text in [
            "加快发展新质生产力",
            "國家主席習近平發表二〇二四年新年賀詞",
            "鍙是一个罕见字",
            "是吗?A股今天大涨",
            "真的吗?他说不是?",
            "为什麼?︰",
            "他说：“你好！”",
            "€100 和 ￥200",
            "???",
            "中文English混排ABC123",
        ] {
            assert_repairs(&step(), text, text);
        }
    }

    #[test]
    fn gbk_read_as_utf8_is_detected_not_changed() {
        let (gbk, _, _) = encoding_rs::GBK.encode("加快发展新质生产力");
        let lossy = String::from_utf8_lossy(&gbk).into_owned();
        let text = format!("新闻：{lossy}。");
        assert_repairs(&step(), &text, &text);
        let runs = find_lossy_runs(&text);
        assert_eq!(runs.len(), 1);
        assert!(runs[0].start >= "新闻：".len() && runs[0].end <= text.len() - "。".len());
        assert!(
            find_lossy_runs("2024骞�3鏈�1鏃�").is_empty(),
            "lone replacements are not lossy runs"
        );
        assert!(find_lossy_runs("").is_empty());
    }

    #[test]
    fn utf8_pending_counts_missing_continuations() {
        assert_eq!(utf8_pending(b""), 0);
        assert_eq!(utf8_pending(b"a"), 0);
        assert_eq!(utf8_pending(&[0xE6]), 2);
        assert_eq!(utf8_pending(&[0xE6, 0xAD]), 1);
        assert_eq!(utf8_pending(&[0xE6, 0xAD, 0xA2]), 0);
        assert_eq!(utf8_pending(&[0x80, 0x80]), 0);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(step().apply(""), Rewrite::identity(""));
        for text in [
            "\u{FFFD}",
            "?",
            "\0鍙\u{FFFD}",
            "\u{301}鍙戝睍",
            "𠀀鍙戝睍😀",
            "€",
            "€€\u{FFFD}",
            "鍙戝\u{FFFD}?",
        ] {
            apply_checked(&step(), text);
        }
        assert_repairs(&step(), "\u{301}鍙戝睍", "\u{301}发展");
        let empty = RepairMojibake::with_model(Arc::new(CharModel::default()));
        apply_checked(&empty, "鍙戝睍");
    }

    #[test]
    fn long_lines_stay_linear() {
        let clean = "我们要加快发展新质生产力，推动高质量发展。".repeat(25_000);
        assert!(clean.len() > 1_000_000);
        let start = std::time::Instant::now();
        apply_checked(&step(), &clean);
        let broken = as_gbk(&clean);
        let r = apply_checked(&step(), &broken);
        assert_eq!(r.text, clean);
        // Generous bound: catches quadratic behaviour, not slow machines.
        assert!(start.elapsed().as_secs() < 60);
        let marks = "变?".repeat(200_000);
        apply_checked(&step(), &marks);
    }
}
