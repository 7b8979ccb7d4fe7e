//! The model's weights: one row of quantized label weights per feature key,
//! found through an open-addressing table (linear probing) of keys.

/// Feature key → row of `labels` weights.
pub(crate) struct FeatureTable {
    labels: usize,
    mask: usize,
    /// `(key, row)`; key 0 marks an empty slot (keys are never 0).
    slots: Vec<(u32, u32)>,
    /// `rows × labels`, row-major.
    weights: Vec<i16>,
}

impl FeatureTable {
    /// A table of `keys` (distinct, non-zero) whose rows are `weights`, in
    /// the same order.
    pub(crate) fn new(labels: usize, keys: &[u32], weights: Vec<i16>) -> FeatureTable {
        debug_assert_eq!(keys.len() * labels, weights.len());
        // At most 3/4 full, so probe runs stay short.
        let capacity = (keys.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut slots = vec![(0u32, 0u32); capacity];
        for (row, &key) in keys.iter().enumerate() {
            let mut slot = key as usize & mask;
            while slots[slot].0 != 0 && slots[slot].0 != key {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (key, row as u32);
        }
        FeatureTable {
            labels,
            mask,
            slots,
            weights,
        }
    }

    /// Number of features.
    pub(crate) fn len(&self) -> usize {
        self.weights.len() / self.labels.max(1)
    }

    /// The weights of `key`, if the model has the feature.
    #[inline]
    pub(crate) fn row(&self, key: u32) -> Option<&[i16]> {
        let mut slot = key as usize & self.mask;
        loop {
            let (k, row) = self.slots[slot];
            if k == key {
                let at = row as usize * self.labels;
                return Some(&self.weights[at..at + self.labels]);
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Adds the rows of `keys` to `scores` (one entry per label).
    #[inline]
    pub(crate) fn accumulate(&self, keys: &[u32], scores: &mut [i32]) {
        for &key in keys {
            if let Some(row) = self.row(key) {
                for (s, &w) in scores.iter_mut().zip(row) {
                    *s += i32::from(w);
                }
            }
        }
    }

    /// All `(key, row)` pairs in key order.
    pub(crate) fn sorted_rows(&self) -> Vec<(u32, &[i16])> {
        let mut rows: Vec<(u32, &[i16])> = self
            .slots
            .iter()
            .filter(|(k, _)| *k != 0)
            .map(|&(k, row)| {
                let at = row as usize * self.labels;
                (k, &self.weights[at..at + self.labels])
            })
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
        let keys: Vec<u32> = (1..=1000u32).map(|k| k.wrapping_mul(2_654_435_761) | 1).collect();
        let weights: Vec<i16> = (0..2000).map(|i| i as i16).collect();
        let table = FeatureTable::new(2, &keys, weights);
        assert_eq!(table.len(), 1000);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(table.row(k), Some(&[2 * i as i16, 2 * i as i16 + 1][..]));
        }
        assert_eq!(table.row(2), None);
        let sorted = table.sorted_rows();
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
