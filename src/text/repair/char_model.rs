//! A compact character unigram/bigram language model, used to decide
//! whether a mojibake repair makes a text more Chinese-like.
//!
//! The model is derived from jieba's word list (`dict.txt`: `word freq tag`
//! lines, MIT licence): a character's count is the summed frequency of the
//! words containing it, a bigram's count the summed frequency of the words in
//! which the two characters are adjacent. Traditional characters are folded
//! to Simplified before counting and scoring with OpenCC's
//! `TSCharacters.txt` (Apache-2.0), so the Simplified-only word list also
//! scores Traditional text.
//!
//! Scores are natural-log probabilities: `ln(½·P(b|a) + ½·P(b))` for a
//! known character `b` after `a` (the bigram estimate is within words only,
//! so it is mixed with the unigram), [`UNSEEN_HAN`] for a Han character the
//! model has never seen, and hand-set class estimates for everything else
//! (punctuation by its rough frequency in news, Latin letters, digits,
//! symbols). A few cheap context rules refine them: digits act as `三` for
//! bigram context (`3月` ~ `三月`), leaving or entering a Latin/digit run
//! inside Han text costs extra, doubled CJK punctuation is unlikely, and the
//! end of a line prefers sentence-final punctuation ([`CharModel::follow`]).
//!
//! Serialized form (all integers LEB128 varints unless noted):
//! `"ZHCM"`, version byte `1`; `n`, then `n` code-point deltas of the sorted
//! characters, then `n` bytes of quantized `-ln P(c)`; `m`, then `m` pairs
//! (traditional code-point delta, simplified code point); then for each
//! character `a` in order: `k` and `k` pairs (index delta of `b`, one byte of
//! quantized `-ln P(b | a)`). Quantization step: 1/8 nat.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::sync::{Arc, OnceLock};

use super::chars::{is_cjk_punct, is_fullwidth_alnum, is_han, is_shared_punct};

/// The model shipped with the crate, see `data/README.md`.
const EMBEDDED: &[u8] = include_bytes!("data/char_model.bin");

const MAGIC: &[u8; 4] = b"ZHCM";
const VERSION: u8 = 1;
/// Quantization steps per nat.
const STEPS: f32 = 8.0;

/// Log-probability (nats) of a Han character the model has never seen
/// (the rarest stored ones are about −17).
pub const UNSEEN_HAN: f32 = -19.0;
/// Extra log-probability of a character folded from Traditional.
const VARIANT_COST: f32 = -1.5;
/// Extra log-probability of the same CJK punctuation mark twice in a row.
const DOUBLED_PUNCT: f32 = -4.0;
/// Extra log-probability of switching between Han and ASCII letters/digits.
const SCRIPT_SWITCH: f32 = -2.5;
/// Weight of the bigram estimate in the interpolation with the unigram.
const BIGRAM_WEIGHT: f32 = 0.5;

/// Character unigram/bigram model; see the [module documentation](self).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CharModel {
    /// Known (Simplified) characters, sorted.
    chars: Vec<char>,
    /// Character → index into `chars` and whether it was folded from
    /// Traditional. Holds the known characters and their Traditional forms.
    index: HashMap<char, (u32, bool)>,
    /// `P(c)` per character.
    unigram: Vec<f32>,
    /// Bigrams in compressed rows: those starting with character `a` are
    /// `row_start[a]..row_start[a + 1]` of `bigram_next` (sorted) and `bigram`.
    row_start: Vec<u32>,
    bigram_next: Vec<u32>,
    /// `P(b | a)` (maximum likelihood, within words) per stored bigram.
    bigram: Vec<f32>,
    /// Traditional → Simplified character folding, sorted by key.
    to_simplified: Vec<(char, char)>,
}

/// Why serialized model bytes were rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CharModelError {
    /// The data does not start with the model magic and version.
    BadHeader,
    /// The data ends early or holds an invalid value at this byte offset.
    Corrupt(usize),
}

impl fmt::Display for CharModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharModelError::BadHeader => write!(f, "not a character model (bad magic or version)"),
            CharModelError::Corrupt(at) => write!(f, "character model corrupt at byte {at}"),
        }
    }
}

impl std::error::Error for CharModelError {}

impl CharModel {
    /// The model embedded in the crate, parsed once and shared. If the
    /// embedded bytes were ever unreadable this is an empty model, with which
    /// the mojibake step repairs nothing (a unit test guards the bytes).
    pub fn embedded() -> Arc<CharModel> {
        static MODEL: OnceLock<Arc<CharModel>> = OnceLock::new();
        MODEL
            .get_or_init(|| Arc::new(CharModel::from_bytes(EMBEDDED).unwrap_or_default()))
            .clone()
    }

    /// Parses the serialized form written by [`write_char_model`].
    pub fn from_bytes(data: &[u8]) -> Result<Self, CharModelError> {
        if data.len() < 5 || &data[..4] != MAGIC || data[4] != VERSION {
            return Err(CharModelError::BadHeader);
        }
        let mut r = Reader { data, pos: 5 };
        let n = r.count()?;
        let mut chars = Vec::with_capacity(n);
        let mut code = 0u32;
        for _ in 0..n {
            code = code.checked_add(r.varint_u32()?).ok_or(r.corrupt())?;
            chars.push(char::from_u32(code).ok_or(r.corrupt())?);
        }
        let unigram = r.bytes(n)?.iter().map(|&q| dequantize(q).exp()).collect();
        let m = r.count()?;
        let mut to_simplified = Vec::with_capacity(m);
        let mut trad = 0u32;
        for _ in 0..m {
            trad = trad.checked_add(r.varint_u32()?).ok_or(r.corrupt())?;
            let t = char::from_u32(trad).ok_or(r.corrupt())?;
            let s = char::from_u32(r.varint_u32()?).ok_or(r.corrupt())?;
            to_simplified.push((t, s));
        }
        let mut row_start = Vec::with_capacity(n + 1);
        let mut bigram_next = Vec::new();
        let mut bigram = Vec::new();
        for _ in 0..n {
            row_start.push(bigram_next.len() as u32);
            let k = r.count()?;
            let mut b = 0u32;
            for j in 0..k {
                let delta = r.varint_u32()?;
                if j > 0 && delta == 0 {
                    return Err(r.corrupt()); // rows are strictly increasing
                }
                b = b.checked_add(delta).filter(|&b| (b as usize) < n).ok_or(r.corrupt())?;
                bigram_next.push(b);
                bigram.push(dequantize(r.byte()?).exp());
            }
        }
        row_start.push(bigram_next.len() as u32);
        if r.pos != data.len() {
            return Err(r.corrupt());
        }
        let sorted = chars.windows(2).all(|w| w[0] < w[1]) && to_simplified.windows(2).all(|w| w[0].0 < w[1].0);
        if !sorted {
            return Err(CharModelError::Corrupt(data.len()));
        }
        let mut index: HashMap<char, (u32, bool)> =
            chars.iter().enumerate().map(|(i, &c)| (c, (i as u32, false))).collect();
        for &(t, s) in &to_simplified {
            if let Some(&(i, _)) = index.get(&s) {
                index.insert(t, (i, true));
            }
        }
        Ok(CharModel {
            chars,
            index,
            unigram,
            row_start,
            bigram_next,
            bigram,
            to_simplified,
        })
    }

    /// Number of known characters.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Whether the model knows no characters (scores are then class-based only).
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Number of stored bigrams.
    pub fn bigram_count(&self) -> usize {
        self.bigram.len()
    }

    /// `c` folded to Simplified (itself if it has no Traditional mapping).
    pub fn simplified(&self, c: char) -> char {
        match self.to_simplified.binary_search_by_key(&c, |&(t, _)| t) {
            Ok(i) => self.to_simplified[i].1,
            Err(_) => c,
        }
    }

    /// `P(b | a)` from the stored bigrams, 0 if not stored.
    fn bigram(&self, a: u32, b: u32) -> f32 {
        let (Some(&start), Some(&end)) = (self.row_start.get(a as usize), self.row_start.get(a as usize + 1)) else {
            return 0.0;
        };
        let row = start as usize..end as usize;
        match self.bigram_next[row.clone()].binary_search(&b) {
            Ok(i) => self.bigram[row.start + i],
            Err(_) => 0.0,
        }
    }

    /// Log-probability (nats) of `c` following `prev` (`None` at a text
    /// boundary). Interpolates the within-word bigram estimate with the
    /// unigram; characters the model does not store get a class estimate,
    /// and a switch between Han and ASCII letters or digits costs extra.
    pub fn score(&self, prev: Option<char>, c: char) -> f32 {
        // Latin letters and digits inside Han text come in runs (`GDP`,
        // `2024`), so entering or leaving such a run costs extra.
        let switch = match prev {
            Some(p) if p.is_ascii_alphanumeric() != c.is_ascii_alphanumeric() && (is_han(p) || is_han(c)) => {
                SCRIPT_SWITCH
            }
            _ => 0.0,
        };
        let after_digit = match prev {
            Some(p) if p.is_ascii_digit() || ('０'..='９').contains(&p) => after_digit(c),
            _ => 0.0,
        };
        // Doubled punctuation (`。。`) is rare except for the paired dashes
        // and ellipses.
        let doubled = match prev {
            Some(p) if p == c && (is_cjk_punct(c) || c == '“' || c == '”') => DOUBLED_PUNCT,
            _ => 0.0,
        };
        let Some(&(b, folded)) = self.index.get(&c) else {
            return class_log_prob(c) + switch + after_digit + doubled;
        };
        let uni = self.unigram[b as usize];
        let bi = prev
            .and_then(|p| self.index.get(&numeral(p)))
            .map_or(0.0, |&(a, _)| self.bigram(a, b));
        // A folded Traditional character costs a little, so that `會` does
        // not tie with the `会` it stands for when a byte is guessed in
        // Simplified text.
        let variant = if folded { VARIANT_COST } else { 0.0 };
        (BIGRAM_WEIGHT * bi + (1.0 - BIGRAM_WEIGHT) * uni).ln() + switch + variant
    }

    /// Total [`score`](Self::score) of the characters of `s` after `prev`.
    pub fn score_str(&self, prev: Option<char>, s: &str) -> f32 {
        let mut prev = prev;
        let mut total = 0.0;
        for c in s.chars() {
            total += self.score(prev, c);
            prev = Some(c);
        }
        total
    }

    /// Score of what follows `last`: `next`, or the end of the line when
    /// `next` is `None`, `\n` or `\r`.
    pub fn follow(&self, last: Option<char>, next: Option<char>) -> f32 {
        match (last, next) {
            (Some(l), None | Some('\n' | '\r')) => end_log_prob(l),
            (_, Some(n)) => self.score(last, n),
            (None, None) => 0.0,
        }
    }
}

/// Adjustment for punctuation right after a digit: decimal points, ranges
/// and ratios are common there (`3．5`, `4—6`, `3／4`), opening quotes and
/// brackets are not.
fn after_digit(c: char) -> f32 {
    match c {
        '．' | '.' => 4.0,
        '—' | '－' | '～' | '／' | '：' | '%' | '％' | '℃' => 2.0,
        '“' | '‘' | '（' | '《' | '「' => -3.0,
        _ => 0.0,
    }
}

/// Log-probability that a line ends after `c`: sentence-final punctuation
/// ends most paragraphs. Rough hand estimates, kept mild because some
/// sources break lines at commas.
fn end_log_prob(c: char) -> f32 {
    match c {
        '。' | '？' | '！' | '?' | '!' | '.' => -0.5,
        '）' | ')' | '」' | '』' | '】' => -1.0,
        '…' | '：' | '”' | '；' | '’' => -2.0,
        '“' | '（' | '《' | '‘' | '「' | '『' => -5.0,
        _ => -3.5,
    }
}

/// Digits stand for `三` as bigram context, so that `3月`, `2024年`, `5个`
/// find the bigrams of `三月`, `三年`, `三个` (`三` rarely starts other words).
fn numeral(c: char) -> char {
    if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        '三'
    } else {
        c
    }
}

/// Log-probability (nats) of a character the model does not store, by
/// class. Punctuation estimates are rough relative frequencies in Chinese
/// news, set by hand; what matters is their order (`，` over `、` over `！`)
/// when a lost byte has to be guessed.
fn class_log_prob(c: char) -> f32 {
    match c {
        _ if is_han(c) => UNSEEN_HAN,
        '，' => -3.0,
        '。' => -3.7,
        '、' => -4.6,
        '“' | '”' => -5.4,
        '：' => -5.8,
        '（' | '）' => -6.0,
        '《' | '》' => -6.3,
        '；' => -6.5,
        '—' | '「' | '」' => -7.0,
        '！' | '？' => -8.0,
        '…' | '‘' | '’' | '％' | '【' | '】' | '·' => -8.0,
        '『' | '』' | '．' | '／' | '－' | '～' | '〈' | '〉' => -8.5,
        '0'..='9' => -7.0,
        _ if c.is_ascii_alphabetic() => -9.0,
        '?' => -12.0,
        ' '..='~' | '\n' | '\t' | '\r' => -10.0,
        // A replacement character marks damage already done: unlikely, but
        // not so unlikely that explaining it away alone justifies a repair.
        '\u{FFFD}' => -10.0,
        _ if is_fullwidth_alnum(c) || c == '\u{3000}' => -9.0,
        // Small forms come from Big5-era Taiwanese text; vertical forms
        // hardly occur in running text.
        '﹐' => -6.0,
        '﹑' | '﹒' | '﹔' | '﹕' => -8.0,
        '\u{FE10}'..='\u{FE6F}' => -14.0,
        _ if is_cjk_punct(c) || is_shared_punct(c) => -9.0,
        '℃' => -7.5,
        '°' | '×' | '‰' | '•' | '●' | '■' | '★' | '→' => -10.0,
        '\u{A0}'..='\u{24F}' | '\u{370}'..='\u{3FF}' | '\u{2000}'..='\u{2BFF}' => -15.0,
        // Private use and other characters that hardly occur in clean text:
        // a little less likely than an unseen Han character.
        _ => UNSEEN_HAN - 2.0,
    }
}

fn quantize(log_prob: f64) -> u8 {
    (-log_prob * f64::from(STEPS)).round().clamp(0.0, 255.0) as u8
}

fn dequantize(q: u8) -> f32 {
    -f32::from(q) / STEPS
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn corrupt(&self) -> CharModelError {
        CharModelError::Corrupt(self.pos)
    }

    fn byte(&mut self) -> Result<u8, CharModelError> {
        let b = *self.data.get(self.pos).ok_or(self.corrupt())?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> Result<&[u8], CharModelError> {
        let end = self.pos.checked_add(n).ok_or(self.corrupt())?;
        let slice = self.data.get(self.pos..end).ok_or(self.corrupt())?;
        self.pos = end;
        Ok(slice)
    }

    fn varint_u32(&mut self) -> Result<u32, CharModelError> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            let bits = u32::from(b & 0x7F);
            value |= bits
                .checked_shl(shift)
                .filter(|v| v >> shift == bits)
                .ok_or(self.corrupt())?;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.corrupt())
    }

    /// A length, bounded by the remaining bytes so a corrupt value cannot
    /// trigger a huge allocation.
    fn count(&mut self) -> Result<usize, CharModelError> {
        let n = self.varint_u32()? as usize;
        if n > self.data.len() - self.pos {
            return Err(self.corrupt());
        }
        Ok(n)
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads OpenCC `TSCharacters.txt`-style lines (`trad<TAB>simp [simp…]`,
/// `#` comments) into a Traditional → Simplified map of single characters;
/// the first Simplified candidate wins.
fn read_folding(input: impl BufRead) -> io::Result<BTreeMap<char, char>> {
    let mut map = BTreeMap::new();
    for line in input.lines() {
        let line = line?;
        if line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(trad), Some(simp)) = (fields.next(), fields.next()) else {
            continue;
        };
        let mut t = trad.chars();
        let mut s = simp.chars();
        if let (Some(t), None, Some(s), None) = (t.next(), t.next(), s.next(), s.next())
            && t != s
        {
            map.entry(t).or_insert(s);
        }
    }
    Ok(map)
}

/// Serializes the model derived from jieba's `dict.txt` (`word freq [tag]`
/// lines) and OpenCC's `TSCharacters.txt` (pass [`io::empty()`] for a
/// Simplified-only model). Deterministic: the same inputs give the same bytes.
pub fn write_char_model(dict: impl BufRead, trad_to_simp: impl BufRead, mut out: impl Write) -> io::Result<()> {
    out.write_all(&serialize(dict, trad_to_simp)?)
}

/// Builds the model from the same inputs as [`write_char_model`]; the result
/// equals parsing what that function writes.
pub fn build_char_model(dict: impl BufRead, trad_to_simp: impl BufRead) -> io::Result<CharModel> {
    let bytes = serialize(dict, trad_to_simp)?;
    CharModel::from_bytes(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn serialize(dict: impl BufRead, trad_to_simp: impl BufRead) -> io::Result<Vec<u8>> {
    let folding = read_folding(trad_to_simp)?;
    let fold = |c: char| folding.get(&c).copied().unwrap_or(c);
    let mut unigram: HashMap<char, u64> = HashMap::new();
    let mut bigram: HashMap<(char, char), u64> = HashMap::new();
    for line in dict.lines() {
        let line = line?;
        let mut fields = line.split_whitespace();
        let (Some(word), Some(Ok(freq))) = (fields.next(), fields.next().map(str::parse::<u64>)) else {
            continue;
        };
        let mut prev: Option<char> = None;
        for c in word.chars().map(fold) {
            if !is_han(c) {
                prev = None;
                continue;
            }
            *unigram.entry(c).or_default() += freq;
            if let Some(p) = prev {
                *bigram.entry((p, c)).or_default() += freq;
            }
            prev = Some(c);
        }
    }
    let mut chars: Vec<char> = unigram.keys().copied().collect();
    chars.sort_unstable();
    let index: HashMap<char, u32> = chars.iter().enumerate().map(|(i, &c)| (c, i as u32)).collect();
    let total: u64 = unigram.values().sum();

    let mut out = Vec::with_capacity(1 << 20);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    push_varint(&mut out, chars.len() as u32);
    let mut last = 0u32;
    for &c in &chars {
        push_varint(&mut out, c as u32 - last);
        last = c as u32;
    }
    for c in &chars {
        out.push(quantize((unigram[c] as f64 / total as f64).ln()));
    }
    push_varint(&mut out, folding.len() as u32);
    let mut last = 0u32;
    for (&t, &s) in &folding {
        push_varint(&mut out, t as u32 - last);
        push_varint(&mut out, s as u32);
        last = t as u32;
    }
    let mut rows: Vec<Vec<(u32, u8)>> = vec![Vec::new(); chars.len()];
    for (&(a, b), &count) in &bigram {
        let p = count as f64 / unigram[&a] as f64;
        rows[index[&a] as usize].push((index[&b], quantize(p.ln())));
    }
    for row in &mut rows {
        row.sort_unstable();
        push_varint(&mut out, row.len() as u32);
        let mut last = 0u32;
        for &(b, q) in row.iter() {
            push_varint(&mut out, b - last);
            out.push(q);
            last = b;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DICT: &str = "发展 100 v\n展开 10 v\n中国 50 ns\n國家 5 n\n4S店 3 n\nbad line\n也 x\n";
    const TS: &str = "# comment\n發\t发\n國\t国\n後\t后 後\n";

    fn tiny() -> CharModel {
        build_char_model(DICT.as_bytes(), TS.as_bytes()).unwrap()
    }

    #[test]
    fn embedded_model_loads() {
        let m = CharModel::embedded();
        assert!(m.len() > 10_000, "{} chars", m.len());
        assert!(m.bigram_count() > 200_000);
        assert_eq!(m.simplified('發'), '发');
        assert!(Arc::ptr_eq(&m, &CharModel::embedded()), "shared, parsed once");
        assert!(EMBEDDED.len() <= 2 << 20);
    }

    #[test]
    fn builds_deterministically_and_round_trips() {
        let mut a = Vec::new();
        write_char_model(DICT.as_bytes(), TS.as_bytes(), &mut a).unwrap();
        let mut b = Vec::new();
        write_char_model(DICT.as_bytes(), TS.as_bytes(), &mut b).unwrap();
        assert_eq!(a, b);
        let m = tiny();
        assert_eq!(CharModel::from_bytes(&a).unwrap(), m);
        // 发 展 开 中 国 家 店 (4S店: only Han characters count).
        assert_eq!(m.len(), 7);
        assert_eq!(m.bigram_count(), 4); // 发展 展开 中国 国家
        assert_eq!(m.simplified('後'), '后');
    }

    #[test]
    fn scores_prefer_known_words_and_fold_traditional() {
        let m = tiny();
        assert!(m.score(Some('发'), '展') > m.score(Some('中'), '展'));
        assert!(m.score(None, '发') > m.score(None, '鍙'));
        // Traditional folds to Simplified, at a small cost.
        let (simp, trad) = (m.score(Some('发'), '展'), m.score(Some('發'), '展'));
        assert_eq!(simp, trad);
        assert!(m.score(None, '發') < m.score(None, '发'));
        assert!(m.score(None, '發') > m.score(None, '鍙'));
        // Punctuation by class; digits stand for 三 as context.
        assert!(m.score(None, '，') > m.score(None, '！'));
        assert!(m.follow(Some('。'), None) > m.follow(Some('，'), None));
        assert!(m.score_str(None, "发展") > m.score_str(None, "展发"));
    }

    #[test]
    fn rejects_corrupt_bytes_without_panicking() {
        let mut bytes = Vec::new();
        write_char_model(DICT.as_bytes(), TS.as_bytes(), &mut bytes).unwrap();
        assert_eq!(CharModel::from_bytes(b"nope"), Err(CharModelError::BadHeader));
        for len in 0..bytes.len() {
            assert!(CharModel::from_bytes(&bytes[..len]).is_err(), "truncated at {len}");
        }
        for i in 5..bytes.len() {
            for v in [0x00, 0x7F, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = CharModel::from_bytes(&b);
            }
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(CharModel::from_bytes(&long).is_err());
    }

    #[test]
    fn empty_inputs_give_an_empty_model() {
        let m = build_char_model(io::empty(), io::empty()).unwrap();
        assert!(m.is_empty());
        assert!(m.score(None, '中').is_finite());
    }
}
