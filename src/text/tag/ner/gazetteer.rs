//! Names known by heart: the entity strings of the training corpus, with
//! the types they were tagged as, matched against the text as features.
//!
//! During training each sentence only sees the names of the *other* folds
//! of the corpus (jackknifing), so the model learns how far a match can be
//! trusted for text it has not seen; the shipped model holds them all.

use std::{collections::HashMap, hash::BuildHasherDefault};

use super::features::{PreHashed, hash_str, normalize};

/// Names known beyond the training corpus, `TYPE<tab>name` per line.
pub(crate) const EXTRA_NAMES: &str = include_str!("model/extra_names.txt");

/// The names of [`EXTRA_NAMES`] with their type bits (in
/// [`super::labels::KINDS`] order).
fn extra_names() -> impl Iterator<Item = (&'static str, u8)> {
    parse_names(EXTRA_NAMES)
}

/// The `(name, type bit)` pairs of a list in the format of
/// `model/extra_names.txt`. A `-` line (run-time lists only: a name not to
/// tag on its own) gives bit 0, which the gazetteer skips; lines of another
/// type are skipped.
pub(crate) fn parse_names(list: &str) -> impl Iterator<Item = (&str, u8)> {
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (kind, name) = line.split_once('\t')?;
            let bit = match kind {
                "PER" => 1,
                "LOC" => 2,
                "ORG" => 4,
                "-" => 0,
                _ => return None,
            };
            Some((name.trim(), bit))
        })
}

/// Longest name matched, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 12;

/// Entity strings and the types (bit `1 << kind index`) they occur as.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gazetteer {
    map: HashMap<u64, u8, BuildHasherDefault<PreHashed>>,
    /// Normalized names with their type bits, sorted, for the model file.
    entries: Vec<(String, u8)>,
    /// Per normalized character, how often it begins, continues and ends
    /// names of each type: a 2-bit bucket (none, 1, 2–9, 10+) per type and
    /// part, as a class that rare characters share.
    roles: HashMap<u32, u32, BuildHasherDefault<PreHashed>>,
}

impl Gazetteer {
    /// A gazetteer of `(name, type bits)`; names are normalized as features
    /// see them, and those of one character or more than
    /// [`MAX_NAME_CHARS`] are left out.
    pub(crate) fn new<S: AsRef<str>>(names: impl IntoIterator<Item = (S, u8)>) -> Gazetteer {
        let mut merged: HashMap<String, u8> = HashMap::new();
        Self::merge(&mut merged, names);
        Self::build(merged)
    }

    /// [`Gazetteer::new`] plus the names of `model/extra_names.txt`.
    pub(crate) fn with_extra_names<S: AsRef<str>>(names: impl IntoIterator<Item = (S, u8)>) -> Gazetteer {
        let mut merged: HashMap<String, u8> = HashMap::new();
        Self::merge(&mut merged, names);
        Self::merge(&mut merged, extra_names());
        Self::build(merged)
    }

    fn merge<S: AsRef<str>>(merged: &mut HashMap<String, u8>, names: impl IntoIterator<Item = (S, u8)>) {
        for (name, bits) in names {
            let name: String = name
                .as_ref()
                .chars()
                .filter_map(|c| char::from_u32(normalize(c)))
                .collect();
            let len = name.chars().count();
            if (2..=MAX_NAME_CHARS).contains(&len) && bits != 0 {
                *merged.entry(name).or_default() |= bits;
            }
        }
    }

    fn build(merged: HashMap<String, u8>) -> Gazetteer {
        let mut entries: Vec<(String, u8)> = merged.into_iter().collect();
        entries.sort_unstable();
        let map = entries.iter().map(|(name, bits)| (hash_str(name), *bits)).collect();
        let mut counts: HashMap<u32, [u32; 9]> = HashMap::new();
        for (name, bits) in &entries {
            let len = name.chars().count();
            for (i, c) in name.chars().enumerate() {
                let part = match i {
                    0 => 0,
                    i if i + 1 == len => 2,
                    _ => 1,
                };
                let row = counts.entry(c as u32).or_default();
                for kind in (0..3).filter(|k| bits & (1 << k) != 0) {
                    row[kind * 3 + part] += 1;
                }
            }
        }
        let roles = counts
            .into_iter()
            .map(|(c, row)| {
                let code = row.iter().enumerate().fold(0u32, |code, (i, &n)| {
                    let bucket = match n {
                        0 => 0,
                        1 => 1,
                        2..=9 => 2,
                        _ => 3,
                    };
                    code | bucket << (2 * i)
                });
                (c, code)
            })
            .collect();
        Gazetteer { map, entries, roles }
    }

    /// How the normalized character `c` is used in names (see `roles`).
    #[inline]
    pub(crate) fn role(&self, c: u64) -> u64 {
        u32::try_from(c)
            .ok()
            .and_then(|c| self.roles.get(&c))
            .map_or(0, |&r| u64::from(r))
    }

    /// Type bits of the name whose normalized-character hash is `hash`.
    #[inline]
    pub(crate) fn get(&self, hash: u64) -> u8 {
        self.map.get(&hash).copied().unwrap_or(0)
    }

    /// Whether there is no name at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All names with their type bits, sorted.
    pub(crate) fn entries(&self) -> &[(String, u8)] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_names_parse() {
        let names: Vec<_> = extra_names().collect();
        assert!(names.len() > 300, "{}", names.len());
        assert!(names.contains(&("雄安新区", 2)));
        assert!(names.iter().all(|(n, b)| !n.is_empty() && [1, 2, 4].contains(b)));
    }

    #[test]
    fn roles_count_parts_per_type() {
        let g = Gazetteer::new([("北京", 2u8), ("北京大学", 4), ("南京", 2)]);
        let code = |c: char| u64::from(normalize(c));
        // 京 ends two LOC names (type 1, part 2: bits 10–11, bucket 2) and
        // continues one ORG name (type 2, part 1: bits 14–15, bucket 1).
        assert_eq!(g.role(code('京')), (2 << 10) | (1 << 14));
        // 北 begins one LOC and one ORG name.
        assert_eq!(g.role(code('北')), (1 << 6) | (1 << 12));
        assert_eq!(g.role(code('人')), 0);
    }

    #[test]
    fn merges_types_and_skips_single_characters() {
        let g = Gazetteer::new([("北京", 2u8), ("北京", 4), ("中", 2), ("Ａ股", 4)]);
        assert_eq!(g.entries(), &[("a股".to_owned(), 4), ("北京".to_owned(), 6)]);
        assert_eq!(g.get(hash_str("北京")), 6);
        assert_eq!(g.get(hash_str("A股")), 4);
        assert_eq!(g.get(hash_str("中")), 0);
    }
}
