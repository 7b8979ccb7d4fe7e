//! Decoding over a first-order label lattice: the best label sequence
//! (Viterbi), and the probability of a decoded span under the Gibbs
//! distribution of the same scores (forward-backward), which is what the
//! mention confidences are.

use std::ops::Range;

/// Scores of one sequence: per-position label scores, plus the start and
/// transition scores they share with every sequence. Forbidden transitions
/// are `f32::NEG_INFINITY`.
pub(crate) struct Lattice<'a> {
    /// `n × labels`, position-major.
    pub emissions: &'a [f32],
    /// Score of each label at the first position.
    pub start: &'a [f32],
    /// `labels × labels`: `trans[prev * labels + next]`.
    pub trans: &'a [f32],
    /// Number of labels.
    pub labels: usize,
}

impl Lattice<'_> {
    fn len(&self) -> usize {
        self.emissions.len() / self.labels
    }

    /// For each label, the labels that may precede it (finite transition):
    /// the schemes forbid most pairs, and skipping them saves most work.
    fn predecessors(&self) -> Vec<Vec<usize>> {
        let l = self.labels;
        (0..l)
            .map(|y| (0..l).filter(|&p| self.trans[p * l + y].is_finite()).collect())
            .collect()
    }

    /// Transposed: for each label, the labels that may follow it.
    fn successors(&self) -> Vec<Vec<usize>> {
        let l = self.labels;
        (0..l)
            .map(|p| (0..l).filter(|&y| self.trans[p * l + y].is_finite()).collect())
            .collect()
    }

    /// The highest-scoring label sequence, appended to `out` after clearing it.
    pub(crate) fn viterbi(&self, out: &mut Vec<u8>) {
        let (n, l) = (self.len(), self.labels);
        out.clear();
        if n == 0 {
            return;
        }
        let predecessors = self.predecessors();
        let mut back = vec![0u8; n * l];
        let mut score: Vec<f32> = (0..l).map(|y| self.start[y] + self.emissions[y]).collect();
        let mut next = vec![0f32; l];
        for t in 1..n {
            let emit = &self.emissions[t * l..(t + 1) * l];
            for (y, from) in predecessors.iter().enumerate() {
                let mut best = f32::NEG_INFINITY;
                let mut arg = from.first().copied().unwrap_or(0);
                for &p in from {
                    let v = score[p] + self.trans[p * l + y];
                    if v > best {
                        best = v;
                        arg = p;
                    }
                }
                next[y] = best + emit[y];
                back[t * l + y] = arg as u8;
            }
            std::mem::swap(&mut score, &mut next);
        }
        let mut y = (0..l).fold(0, |a, y| if score[y] > score[a] { y } else { a });
        out.resize(n, 0);
        for t in (0..n).rev() {
            out[t] = y as u8;
            y = usize::from(back[t * l + y]);
        }
    }

    /// Probability of each span's labels in `path` (and of the span closing
    /// where it does) when the sequence's probability is proportional to
    /// `exp(score / temperature)`. `continues(a, b)` says whether label `b`
    /// would extend a span ending in label `a`.
    pub(crate) fn span_probabilities(
        &self,
        path: &[u8],
        spans: &[Range<usize>],
        temperature: f32,
        continues: impl Fn(u8, u8) -> bool,
    ) -> Vec<f32> {
        let (n, l) = (self.len(), self.labels);
        if n == 0 || spans.is_empty() {
            return vec![0.0; spans.len()];
        }
        let inv = 1.0 / f64::from(temperature.max(1e-6));
        // Scaled forward-backward (Rabiner): alpha[t] sums to 1, scale[t]
        // is the factor removed at t, and alpha[t][y] * beta[t][y] is the
        // marginal of y at t. Emissions are shifted by their maximum, a
        // constant per position that the scales absorb.
        let mut psi = vec![0f64; n * l];
        for t in 0..n {
            let row = &self.emissions[t * l..(t + 1) * l];
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for y in 0..l {
                psi[t * l + y] = (f64::from(row[y] - max) * inv).exp();
            }
        }
        let smax = self.start.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let pi: Vec<f64> = self.start.iter().map(|&s| (f64::from(s - smax) * inv).exp()).collect();
        let a: Vec<f64> = self.trans.iter().map(|&s| (f64::from(s) * inv).exp()).collect();

        let (predecessors, successors) = (self.predecessors(), self.successors());
        let mut alpha = vec![0f64; n * l];
        let mut scale = vec![0f64; n];
        for y in 0..l {
            alpha[y] = pi[y] * psi[y];
        }
        for t in 0..n {
            if t > 0 {
                let (done, rest) = alpha.split_at_mut(t * l);
                let prev = &done[(t - 1) * l..];
                for (y, from) in predecessors.iter().enumerate() {
                    let s: f64 = from.iter().map(|&p| prev[p] * a[p * l + y]).sum();
                    rest[y] = s * psi[t * l + y];
                }
            }
            let z: f64 = alpha[t * l..(t + 1) * l].iter().sum();
            if !(z > 0.0 && z.is_finite()) {
                // Scores beyond what f64 can take: fall back to "unsure".
                return vec![0.5; spans.len()];
            }
            scale[t] = z;
            alpha[t * l..(t + 1) * l].iter_mut().for_each(|v| *v /= z);
        }
        let mut beta = vec![1f64; n * l];
        for t in (0..n - 1).rev() {
            let (head, tail) = beta.split_at_mut((t + 1) * l);
            let next = &tail[..l];
            for (y, to) in successors.iter().enumerate() {
                let s: f64 = to.iter().map(|&q| a[y * l + q] * psi[(t + 1) * l + q] * next[q]).sum();
                head[t * l + y] = s / scale[t + 1];
            }
        }

        spans
            .iter()
            .map(|span| {
                let (s, e) = (span.start, span.end);
                if s >= e || e > n {
                    return 0.0;
                }
                let first = usize::from(path[s]);
                let mut p = alpha[s * l + first];
                for t in s + 1..e {
                    let (prev, y) = (usize::from(path[t - 1]), usize::from(path[t]));
                    p *= a[prev * l + y] * psi[t * l + y] / scale[t];
                }
                let last = path[e - 1];
                if e < n {
                    let close: f64 = (0..l)
                        .filter(|&q| !continues(last, q as u8))
                        .map(|q| a[usize::from(last) * l + q] * psi[e * l + q] * beta[e * l + q])
                        .sum();
                    p *= close / scale[e];
                }
                p.clamp(0.0, 1.0) as f32
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All label sequences of length `n` over `l` labels.
    fn all_paths(n: usize, l: usize) -> Vec<Vec<u8>> {
        (0..l.pow(n as u32))
            .map(|mut code| {
                (0..n)
                    .map(|_| {
                        let y = code % l;
                        code /= l;
                        y as u8
                    })
                    .collect()
            })
            .collect()
    }

    fn score(lattice: &Lattice<'_>, path: &[u8]) -> f32 {
        let l = lattice.labels;
        let mut s = lattice.start[usize::from(path[0])];
        for (t, &y) in path.iter().enumerate() {
            s += lattice.emissions[t * l + usize::from(y)];
            if t > 0 {
                s += lattice.trans[usize::from(path[t - 1]) * l + usize::from(y)];
            }
        }
        s
    }

    fn example() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let emissions = vec![0.5, 1.0, -0.3, 0.2, 0.1, 0.9, 1.5, -1.0, 0.0, 0.3, 0.3, 0.3];
        let start = vec![0.0, 0.2, f32::NEG_INFINITY];
        let trans = vec![0.1, 0.0, f32::NEG_INFINITY, -0.2, 0.3, 0.8, 0.0, 0.1, 0.4];
        (emissions, start, trans)
    }

    #[test]
    fn viterbi_finds_the_best_path() {
        let (emissions, start, trans) = example();
        let lattice = Lattice {
            emissions: &emissions,
            start: &start,
            trans: &trans,
            labels: 3,
        };
        let mut path = Vec::new();
        lattice.viterbi(&mut path);
        let best = all_paths(4, 3)
            .into_iter()
            .max_by(|a, b| score(&lattice, a).total_cmp(&score(&lattice, b)))
            .unwrap();
        assert_eq!(path, best);
    }

    #[test]
    fn span_probability_matches_brute_force() {
        let (emissions, start, trans) = example();
        let lattice = Lattice {
            emissions: &emissions,
            start: &start,
            trans: &trans,
            labels: 3,
        };
        // Label 2 continues a span of 1 or 2; a span is "1 2*" here.
        let continues = |_: u8, b: u8| b == 2;
        let path = vec![1u8, 2, 0, 1];
        let temperature = 0.7;
        let got = lattice.span_probabilities(&path, &[0..2, 3..4], temperature, continues);
        let paths = all_paths(4, 3);
        let weight = |p: &Vec<u8>| (f64::from(score(&lattice, p)) / f64::from(temperature)).exp();
        let z: f64 = paths.iter().map(weight).sum();
        let p01: f64 = paths
            .iter()
            .filter(|p| p[0] == 1 && p[1] == 2 && p[2] != 2)
            .map(weight)
            .sum();
        let p3: f64 = paths.iter().filter(|p| p[3] == 1).map(weight).sum();
        assert!((f64::from(got[0]) - p01 / z).abs() < 1e-5, "{got:?} {}", p01 / z);
        assert!((f64::from(got[1]) - p3 / z).abs() < 1e-5, "{got:?} {}", p3 / z);
    }
}
