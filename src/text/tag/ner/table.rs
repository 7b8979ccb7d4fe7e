//! The model's weights: one row of quantized label weights per feature key,
//! in an open-addressing table (linear probing).
//!
//! Keys live in their own compact array, so probing (which mostly misses:
//! most n-grams of a text are not features) touches few cache lines, and a
//! key's weight row sits at the same index in the row array.

use crate::text::huge_vec;

/// Most labels a row holds.
pub(crate) const MAX_LABELS: usize = 16;

/// One feature's label weights, aligned so that it never straddles two
/// cache lines: a row costs one memory access.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Row([i16; MAX_LABELS]);

/// Feature key → row of `labels` weights.
pub(crate) struct FeatureTable {
    labels: usize,
    mask: usize,
    /// Key per slot; 0 marks an empty slot (keys are never 0).
    keys: Vec<u32>,
    /// Row per slot, then one all-zero row for unknown features.
    rows: Vec<Row>,
    len: usize,
}

impl FeatureTable {
    /// A table of `keys` (distinct, non-zero) whose rows are `weights`, in
    /// the same order.
    pub(crate) fn new(labels: usize, keys: &[u32], weights: &[i16]) -> FeatureTable {
        assert!(labels <= MAX_LABELS, "at most {MAX_LABELS} labels");
        debug_assert_eq!(keys.len() * labels, weights.len());
        // At most 3/4 full, so probe runs stay short.
        let capacity = (keys.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut table = FeatureTable {
            labels,
            mask,
            keys: huge_vec(capacity, 0),
            rows: huge_vec(capacity + 1, Row::default()),
            len: keys.len(),
        };
        for (row, &key) in keys.iter().enumerate() {
            let mut slot = key as usize & mask;
            while table.keys[slot] != 0 && table.keys[slot] != key {
                slot = (slot + 1) & mask;
            }
            table.keys[slot] = key;
            table.rows[slot].0[..labels].copy_from_slice(&weights[row * labels..(row + 1) * labels]);
        }
        table
    }

    /// Number of features.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The slot of `key` when its home slot (`key & mask`) holds `home`.
    #[inline]
    fn resolve(&self, key: u32, home: u32) -> usize {
        let mut slot = key as usize & self.mask;
        let mut k = home;
        loop {
            if k == key {
                return slot;
            }
            if k == 0 {
                return self.zero_row();
            }
            slot = (slot + 1) & self.mask;
            k = self.keys[slot];
        }
    }

    /// Index of the all-zero row that stands for unknown features.
    #[inline]
    fn zero_row(&self) -> usize {
        self.mask + 1
    }

    /// Label scores of every position whose feature keys are the
    /// consecutive `per_position`-sized runs of `keys`, written to `scores`
    /// (`labels` per position).
    pub(crate) fn scores(&self, keys: &[u32], per_position: usize, scores: &mut Vec<i32>) {
        let l = self.labels;
        // Memory latency dominates, so the passes are branch-free where the
        // loads are: gather each key's home slot, resolve (rarely probing
        // further), then add rows, unknown features adding the zero row.
        let homes: Vec<u32> = keys.iter().map(|&k| self.keys[k as usize & self.mask]).collect();
        let slots: Vec<u32> = keys
            .iter()
            .zip(&homes)
            .map(|(&k, &h)| self.resolve(k, h) as u32)
            .collect();
        scores.clear();
        scores.resize(keys.len() / per_position.max(1) * l, 0);
        for (out, position) in scores.chunks_exact_mut(l).zip(slots.chunks_exact(per_position)) {
            // Whole rows, padding included: fixed-size adds vectorize.
            let mut sum = [0i32; MAX_LABELS];
            for &slot in position {
                for (s, &w) in sum.iter_mut().zip(&self.rows[slot as usize].0) {
                    *s += i32::from(w);
                }
            }
            out.copy_from_slice(&sum[..l]);
        }
    }

    /// All `(key, row)` pairs in key order.
    pub(crate) fn sorted_rows(&self) -> Vec<(u32, &[i16])> {
        let l = self.labels;
        let mut rows: Vec<(u32, &[i16])> = self
            .keys
            .iter()
            .enumerate()
            .filter(|&(_, &k)| k != 0)
            .map(|(slot, &k)| (k, &self.rows[slot].0[..l]))
            .collect();
        rows.sort_unstable_by_key(|(k, _)| *k);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let keys: Vec<u32> = (1..=1000u32).map(|k| k.wrapping_mul(2_654_435_761)).collect();
        let weights: Vec<i16> = (0..2000).map(|i| i as i16).collect();
        let table = FeatureTable::new(2, &keys, &weights);
        assert_eq!(table.len(), 1000);
        let mut scores = Vec::new();
        // Two positions: one with keys 0 and 1 plus an unknown key, one
        // with key 999 twice.
        table.scores(&[keys[0], keys[1], 7, keys[999], keys[999], 7], 3, &mut scores);
        assert_eq!(scores, vec![2, 4, 2 * 1998, 2 * 1999]);
        let sorted = table.sorted_rows();
        assert_eq!(sorted.len(), 1000);
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
