//! jieba's character HMM, which cuts the runs of single characters that
//! the dictionary route leaves into words: each character is the Begin,
//! End, Middle or Single character of a word, and Viterbi picks the most
//! probable labelling. The model is jieba-rs's own `hmm.model` (found by
//! build.rs), and a run is split and labelled as jieba-rs does it (see
//! [`CharHmm::cut`]), so that the lexicon's cut stays jieba-rs's.

use std::{ops::RangeInclusive, sync::LazyLock};

/// jieba's model: start, transition and emission log probabilities.
const MODEL: &str = include_str!(env!("ZHTEXT_JIEBA_HMM"));

/// The characters the HMM labels (Python jieba's Han range); the others in
/// a run are split by [`split_other`].
const HAN: RangeInclusive<char> = '\u{4E00}'..='\u{9FD5}';

/// The model's log probability of what never happens.
const NEVER: f64 = -3.14e100;

const STATES: usize = 4;
const BEGIN: u8 = 0;
const END: u8 = 1;
const MIDDLE: u8 = 2;
const SINGLE: u8 = 3;

/// The two states each state can follow, the lower first: of two equal
/// scores the later one (the higher state) wins, as in jieba.
const PREDECESSORS: [[u8; 2]; STATES] = [[END, SINGLE], [BEGIN, MIDDLE], [BEGIN, MIDDLE], [END, SINGLE]];

/// No emission row for a character.
const NO_ROW: u16 = u16::MAX;

/// The parsed model.
pub struct CharHmm {
    start: [f64; STATES],
    trans: [[f64; STATES]; STATES],
    /// Emission row of each character of [`HAN`], by `c - HAN.start()`.
    rows: Box<[u16]>,
    emit: Vec<[f64; STATES]>,
}

/// Buffers reused across runs.
#[derive(Default)]
pub struct HmmScratch {
    /// The best predecessor of each state at each character.
    from: Vec<[u8; STATES]>,
    path: Vec<u8>,
}

impl CharHmm {
    /// jieba's model, parsed once.
    pub fn jieba() -> &'static CharHmm {
        static MODEL_PARSED: LazyLock<CharHmm> =
            LazyLock::new(|| CharHmm::parse(MODEL).expect("jieba-rs's hmm.model is well formed"));
        &MODEL_PARSED
    }

    /// Parses the `hmm.model` format: comment lines start with `#`; then
    /// one line of start probabilities, four of transitions, and one of
    /// `char:prob` pairs for each state (Begin, End, Middle, Single).
    fn parse(model: &str) -> Result<CharHmm, String> {
        let mut lines = model.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let mut numbers = |what: &str| -> Result<[f64; STATES], String> {
            let line = lines.next().ok_or(format!("no {what} line"))?;
            let values: Vec<f64> = line
                .split_ascii_whitespace()
                .map(|v| v.parse().map_err(|e| format!("{what}: {v}: {e}")))
                .collect::<Result<_, _>>()?;
            values.try_into().map_err(|_| format!("{what}: not {STATES} values"))
        };
        let start = numbers("start")?;
        let trans = [
            numbers("transition")?,
            numbers("transition")?,
            numbers("transition")?,
            numbers("transition")?,
        ];
        let han = *HAN.start() as usize..=*HAN.end() as usize;
        let mut rows = vec![NO_ROW; han.end() - han.start() + 1].into_boxed_slice();
        let mut emit: Vec<[f64; STATES]> = Vec::new();
        for state in 0..STATES {
            let line = lines.next().ok_or("fewer than four emission lines")?;
            for pair in line.split(',') {
                let (c, p) = pair.split_once(':').ok_or(format!("emission `{pair}`"))?;
                let c = c.chars().next().ok_or(format!("emission `{pair}`"))? as usize;
                let p: f64 = p.parse().map_err(|e| format!("emission `{pair}`: {e}"))?;
                // Only Han characters are ever labelled.
                if !han.contains(&c) {
                    continue;
                }
                let row = &mut rows[c - han.start()];
                if *row == NO_ROW {
                    *row = u16::try_from(emit.len()).map_err(|_| "too many emission rows")?;
                    emit.push([NEVER; STATES]);
                }
                emit[usize::from(*row)][state] = p;
            }
        }
        Ok(CharHmm {
            start,
            trans,
            rows,
            emit,
        })
    }

    #[inline]
    fn emission(&self, c: char) -> [f64; STATES] {
        let row = self.rows[c as usize - *HAN.start() as usize];
        if row == NO_ROW {
            [NEVER; STATES]
        } else {
            self.emit[usize::from(row)]
        }
    }

    /// Cuts `chars` (a run of a dictionary block) and calls `emit(i, j)`
    /// with each word's character indices. Stretches of [`HAN`] characters
    /// are labelled by Viterbi (a lone one is a word); any other stretch is
    /// split by [`split_other`].
    pub fn cut(&self, chars: &[(u32, char)], scratch: &mut HmmScratch, emit: &mut impl FnMut(usize, usize)) {
        let mut i = 0;
        while i < chars.len() {
            let han = HAN.contains(&chars[i].1);
            let j = chars[i..]
                .iter()
                .position(|&(_, c)| HAN.contains(&c) != han)
                .map_or(chars.len(), |k| i + k);
            let mut shifted = |x: usize, y: usize| emit(i + x, i + y);
            if !han {
                split_other(&chars[i..j], &mut shifted);
            } else if j - i == 1 {
                shifted(0, 1);
            } else {
                self.label(&chars[i..j], scratch);
                words_of(&scratch.path, &mut shifted);
            }
            i = j;
        }
    }

    /// Viterbi over `chars`, all of [`HAN`] and at least two: leaves the
    /// best labelling in `scratch.path`.
    fn label(&self, chars: &[(u32, char)], scratch: &mut HmmScratch) {
        let n = chars.len();
        scratch.from.clear();
        scratch.from.resize(n, [BEGIN; STATES]);
        let first = self.emission(chars[0].1);
        let mut score: [f64; STATES] = std::array::from_fn(|y| self.start[y] + first[y]);
        for (t, &(_, c)) in chars.iter().enumerate().skip(1) {
            let emission = self.emission(c);
            let mut next = [0.0; STATES];
            for y in 0..STATES {
                let [a, b] = PREDECESSORS[y];
                let via_a = score[usize::from(a)] + self.trans[usize::from(a)][y] + emission[y];
                let via_b = score[usize::from(b)] + self.trans[usize::from(b)][y] + emission[y];
                (next[y], scratch.from[t][y]) = if via_a > via_b { (via_a, a) } else { (via_b, b) };
            }
            score = next;
        }
        // A word ends at the last character.
        let mut state = if score[usize::from(END)] > score[usize::from(SINGLE)] {
            END
        } else {
            SINGLE
        };
        scratch.path.clear();
        scratch.path.resize(n, BEGIN);
        scratch.path[n - 1] = state;
        for t in (1..n).rev() {
            state = scratch.from[t][usize::from(state)];
            scratch.path[t - 1] = state;
        }
    }
}

/// The words of a labelling: Begin…End and Single; characters after the
/// last word (a labelling cut short) are one more word.
fn words_of(path: &[u8], emit: &mut impl FnMut(usize, usize)) {
    let (mut begin, mut next) = (0, 0);
    for (i, &state) in path.iter().enumerate() {
        match state {
            BEGIN => begin = i,
            END => {
                emit(begin, i + 1);
                next = i + 1;
            }
            SINGLE => {
                emit(i, i + 1);
                next = i + 1;
            }
            _ => {}
        }
    }
    if next < path.len() {
        emit(next, path.len());
    }
}

/// Splits characters outside [`HAN`] as jieba does: a token is a run of
/// ASCII letters and digits, joined to the next run by one `.`, `_` or `-`
/// (a version number, a part number, a host name), with an optional `%`;
/// whatever lies between two tokens is one word.
fn split_other(chars: &[(u32, char)], emit: &mut impl FnMut(usize, usize)) {
    let alnum = |i: usize| chars.get(i).is_some_and(|&(_, c)| c.is_ascii_alphanumeric());
    let n = chars.len();
    let mut pos = 0;
    while pos < n {
        let Some(start) = (pos..n).find(|&i| alnum(i)) else {
            emit(pos, n);
            return;
        };
        if start > pos {
            emit(pos, start);
        }
        let mut end = start;
        loop {
            while alnum(end) {
                end += 1;
            }
            if end < n && matches!(chars[end].1, '.' | '_' | '-') && alnum(end + 1) {
                end += 1;
            } else {
                break;
            }
        }
        if end < n && chars[end].1 == '%' {
            end += 1;
        }
        emit(start, end);
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let chars: Vec<(u32, char)> = text.char_indices().map(|(i, c)| (i as u32, c)).collect();
        let byte = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o as usize);
        let mut out = Vec::new();
        CharHmm::jieba().cut(&chars, &mut HmmScratch::default(), &mut |i, j| {
            out.push(&text[byte(i)..byte(j)])
        });
        out
    }

    #[test]
    fn the_model_is_jiebas() {
        let hmm = CharHmm::jieba();
        // Begin and Single start words; End and Middle cannot.
        assert_eq!(hmm.start[usize::from(END)], NEVER);
        assert!(hmm.start[usize::from(BEGIN)] > -1.0);
        assert!(hmm.emit.len() > 5_000, "{}", hmm.emit.len());
        // A common character has an emission for every state.
        assert!(hmm.emission('中').iter().all(|&p| p > NEVER));
    }

    #[test]
    fn runs_are_split_and_labelled() {
        assert_eq!(words("v1.2.3-rc%"), ["v1.2.3-rc%"]);
        assert_eq!(words("ab.-cd"), ["ab", ".-", "cd"]);
        assert_eq!(words("+#"), ["+#"]);
        assert_eq!(words("\u{3400}a"), ["\u{3400}", "a"]);
        assert_eq!(words("我"), ["我"]);
        let joined: String = words("杭州张尧李嘉欣abc").concat();
        assert_eq!(joined, "杭州张尧李嘉欣abc");
    }
}
