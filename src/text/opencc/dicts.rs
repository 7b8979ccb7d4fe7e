//! The embedded OpenCC 1.4.2 text dictionaries and the ones OpenCC derives
//! from them when it builds its data (`data/dictionary/BUILD.bazel` and the
//! scripts in `data/scripts/` of the release), re-implemented here:
//!
//! * `TWVariantsRev`, `HKVariantsRev`, `JPShinjitaiCharactersRev`: every
//!   `key -> value` pair reversed (`reverse.py`), honouring the
//!   `# @reverse-prefer:` annotations.
//! * `TSCharactersExt`: the mappings annotated `# @tofu-risk:` in
//!   `TSCharacters` (`extract_tofu_risk.py`).
//! * `STPhrases_GeneratedFromRegionalPhrases`: the keys of `HKPhrases` and
//!   `TWPhrases` run through `t2s`, kept when at least three characters long
//!   (`generate_st_phrases_from_regional_phrases.py`); the caller does the
//!   conversion, see [`generated_st_phrases`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::config::DictId;
use super::matcher::Entry;

/// The embedded text of a dictionary OpenCC ships as a `.txt` file.
pub(super) fn source(id: DictId) -> Option<&'static str> {
    use DictId::*;
    Some(match id {
        CjkCompatibilityIdeographs => include_str!("data/CJK_Compatibility_Ideographs.txt"),
        HkPhrases => include_str!("data/HKPhrases.txt"),
        HkPhrasesRev => include_str!("data/HKPhrasesRev.txt"),
        HkVariants => include_str!("data/HKVariants.txt"),
        HkVariantsPhrases => include_str!("data/HKVariantsPhrases.txt"),
        HkVariantsRevPhrases => include_str!("data/HKVariantsRevPhrases.txt"),
        JpShinjitaiCharacters => include_str!("data/JPShinjitaiCharacters.txt"),
        JpShinjitaiPhrases => include_str!("data/JPShinjitaiPhrases.txt"),
        StCharacters => include_str!("data/STCharacters.txt"),
        StPhrases => include_str!("data/STPhrases.txt"),
        TsCharacters => include_str!("data/TSCharacters.txt"),
        TsPhrases => include_str!("data/TSPhrases.txt"),
        TwPhrases => include_str!("data/TWPhrases.txt"),
        TwPhrasesRev => include_str!("data/TWPhrasesRev.txt"),
        TwVariants => include_str!("data/TWVariants.txt"),
        TwVariantsPhrases => include_str!("data/TWVariantsPhrases.txt"),
        TwVariantsRevPhrases => include_str!("data/TWVariantsRevPhrases.txt"),
        ReadingVariants => READING_VARIANTS,
        HkVariantsRev
        | JpShinjitaiCharactersRev
        | StPhrasesGeneratedFromRegionalPhrases
        | TsCharactersExt
        | TwVariantsRev => return None,
    })
}

/// Variant characters of `HKVariants` and `TWVariants` that `t2s` leaves
/// unchanged, each with what `hk2s` or `tw2s` makes of it (checked in the
/// tests). Left out: 么 and 著, which are also Simplified characters (什么,
/// 著名), and the rare 潀.
const READING_VARIANTS: &str = "衞\t卫\n衹\t只\n粧\t妆\n敍\t叙\n枱\t台\n糭\t粽\n簷\t檐\n痺\t痹\n睪\t睾\n";

/// How a dictionary comes about.
pub(super) enum Recipe {
    /// Parse the embedded text file.
    Text(&'static str),
    /// Reverse the pairs of this embedded text file.
    Reverse(&'static str),
    /// Extract the `@tofu-risk` mappings of this embedded text file.
    TofuRisk(&'static str),
    /// Convert the keys of these dictionaries with `t2s`.
    RegionalPhrases([DictId; 2]),
}

/// How to obtain dictionary `id`.
pub(super) fn recipe(id: DictId) -> Recipe {
    let text = |id| source(id).expect("embedded dictionary for a source DictId");
    match id {
        DictId::HkVariantsRev => Recipe::Reverse(text(DictId::HkVariants)),
        DictId::TwVariantsRev => Recipe::Reverse(text(DictId::TwVariants)),
        DictId::JpShinjitaiCharactersRev => Recipe::Reverse(text(DictId::JpShinjitaiCharacters)),
        DictId::TsCharactersExt => Recipe::TofuRisk(text(DictId::TsCharacters)),
        // BUILD.bazel passes HKPhrases before TWPhrases.
        DictId::StPhrasesGeneratedFromRegionalPhrases => {
            Recipe::RegionalPhrases([DictId::HkPhrases, DictId::TwPhrases])
        }
        _ => Recipe::Text(text(id)),
    }
}

/// Data lines (not blank, not `#` comments) as `(key, values)`, split the
/// way OpenCC's lexicon parser splits them: key up to the first tab, values
/// separated by single spaces.
fn lines(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.split('\n').filter_map(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        // OpenCC rejects a data line without a tab; the embedded files have
        // none, so skipping is only a guard.
        line.split_once('\t')
    })
}

/// A text dictionary: each key maps to its first value, as in OpenCC.
pub(super) fn parse(text: &'static str) -> Vec<Entry> {
    lines(text)
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, values)| Entry {
            key: Cow::Borrowed(key),
            value: Cow::Borrowed(values.split(' ').next().unwrap_or(values)),
        })
        .collect()
}

/// `reverse.py`: every value of every line becomes a key whose candidates
/// are the original keys, in file order; a `# @reverse-prefer: KEY [VALUE]`
/// line moves VALUE (or KEY itself) to the front of KEY's candidates. The
/// first candidate is the one OpenCC uses.
pub(super) fn reverse(text: &'static str) -> Vec<Entry> {
    const PREFER: &str = "# @reverse-prefer:";
    let mut order: Vec<&'static str> = Vec::new();
    let mut candidates: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for (key, values) in lines(text) {
        for value in values.split(' ') {
            candidates
                .entry(value)
                .or_insert_with(|| {
                    order.push(value);
                    Vec::new()
                })
                .push(key);
        }
    }
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(PREFER) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let (Some(&key), Some(&preferred)) = (fields.first(), fields.last()) else {
            continue;
        };
        // The upstream script fails the build on a preference that matches
        // nothing; such a line cannot be in a released dictionary.
        if let Some(list) = candidates.get_mut(key)
            && let Some(i) = list.iter().position(|&c| c == preferred)
        {
            let chosen = list.remove(i);
            list.insert(0, chosen);
        }
    }
    order
        .into_iter()
        .filter(|key| !key.is_empty())
        .map(|key| Entry {
            key: Cow::Borrowed(key),
            value: Cow::Borrowed(candidates[key][0]),
        })
        .collect()
}

/// `extract_tofu_risk.py`: the mapping on the line after each
/// `# @tofu-risk:` comment, minus a leading candidate equal to the key.
pub(super) fn tofu_risk(text: &'static str) -> Vec<Entry> {
    const TOFU: &str = "# @tofu-risk:";
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with(TOFU) {
            continue;
        }
        let Some((key, values)) = lines.next().and_then(|l| l.split_once('\t')) else {
            continue;
        };
        let mut values = values.split_whitespace().peekable();
        if values.peek() == Some(&key) {
            values.next();
        }
        if let Some(value) = values.next() {
            out.push(Entry {
                key: Cow::Borrowed(key),
                value: Cow::Borrowed(value),
            });
        }
    }
    out
}

/// `generate_st_phrases_from_regional_phrases.py`: `to_simplified` (OpenCC
/// `t2s` with tofu-risk dictionaries) applied to the keys of `sources`;
/// results of at least three characters map back to the first key that
/// produced them.
pub(super) fn generated_st_phrases(sources: &[&[Entry]], to_simplified: impl Fn(&str) -> String) -> Vec<Entry> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for entry in sources.iter().flat_map(|d| d.iter()) {
        let simplified = to_simplified(&entry.key);
        // Python's len(): code points. Upstream fails the build when two
        // keys collide with different originals, so first-wins is exact.
        if simplified.chars().count() < 3 || !seen.insert(simplified.clone()) {
            continue;
        }
        out.push(Entry {
            key: Cow::Owned(simplified),
            value: entry.key.clone(),
        });
    }
    out
}
