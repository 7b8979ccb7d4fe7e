//! Chinese script conversion that reproduces OpenCC 1.4.2 exactly, with
//! alignment.
//!
//! The dictionaries are OpenCC 1.4.2's own text files, embedded (see
//! `data/README.md`); the 16 configurations are encoded in `config.rs`.
//! A conversion runs like OpenCC's: the CJK-compatibility normalization over
//! the whole text, then (for configs that have one) maximum-match
//! segmentation, then each step of the conversion chain over every segment,
//! where a step replaces, left to right, the dictionary group's preferred
//! match at each position.
//!
//! ```
//! use zhtext::text::opencc::{Converter, OpenccData, Profile};
//! let data = OpenccData::load();
//! let tw2sp = Converter::new(Profile::Tw2sp, &data);
//! assert_eq!(tw2sp.convert("滑鼠"), "鼠标");
//! ```
//!
//! Known deliberate difference: OpenCC's segmenting configs (s2tw, tw2sp,
//! ...) pass segments around as C strings, so a NUL byte and, in some
//! configs, the rest of its segment are lost; here NUL is an ordinary
//! character that is copied through.

mod config;
mod dicts;
mod engine;
mod matcher;
#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};

use crate::text::align::Rewrite;
use config::{DictId, GroupId};
use dicts::Recipe;
use engine::{AlignSink, ChainSink, Sink, Split, TextSink, run_step};
use matcher::{Entry, Matcher};

/// An OpenCC 1.4.2 conversion configuration, named after its config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Simplified to Traditional (OpenCC standard).
    S2t,
    /// Traditional (OpenCC standard) to Simplified.
    T2s,
    /// Simplified to Traditional, Taiwan variants.
    S2tw,
    /// Simplified to Traditional, Taiwan variants and phrases.
    S2twp,
    /// Traditional (Taiwan) to Simplified.
    Tw2s,
    /// Traditional (Taiwan) to Simplified, with mainland phrases.
    Tw2sp,
    /// Simplified to Traditional, Hong Kong variants.
    S2hk,
    /// Simplified to Traditional, Hong Kong variants and phrases.
    S2hkp,
    /// Traditional (Hong Kong) to Simplified.
    Hk2s,
    /// Traditional (Hong Kong) to Simplified, with mainland phrases.
    Hk2sp,
    /// Traditional (OpenCC standard) to Taiwan variants.
    T2tw,
    /// Taiwan variants to Traditional (OpenCC standard).
    Tw2t,
    /// Traditional (OpenCC standard) to Hong Kong variants.
    T2hk,
    /// Hong Kong variants to Traditional (OpenCC standard).
    Hk2t,
    /// Old Japanese kanji (Kyūjitai) to new (Shinjitai).
    T2jp,
    /// New Japanese kanji (Shinjitai) to old (Kyūjitai).
    Jp2t,
}

impl Profile {
    /// Every profile, in the order of the enum.
    pub const ALL: [Profile; 16] = [
        Profile::S2t,
        Profile::T2s,
        Profile::S2tw,
        Profile::S2twp,
        Profile::Tw2s,
        Profile::Tw2sp,
        Profile::S2hk,
        Profile::S2hkp,
        Profile::Hk2s,
        Profile::Hk2sp,
        Profile::T2tw,
        Profile::Tw2t,
        Profile::T2hk,
        Profile::Hk2t,
        Profile::T2jp,
        Profile::Jp2t,
    ];

    /// The OpenCC config name, e.g. `"s2t"` for `s2t.json`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::S2t => "s2t",
            Profile::T2s => "t2s",
            Profile::S2tw => "s2tw",
            Profile::S2twp => "s2twp",
            Profile::Tw2s => "tw2s",
            Profile::Tw2sp => "tw2sp",
            Profile::S2hk => "s2hk",
            Profile::S2hkp => "s2hkp",
            Profile::Hk2s => "hk2s",
            Profile::Hk2sp => "hk2sp",
            Profile::T2tw => "t2tw",
            Profile::Tw2t => "tw2t",
            Profile::T2hk => "t2hk",
            Profile::Hk2t => "hk2t",
            Profile::T2jp => "t2jp",
            Profile::Jp2t => "jp2t",
        }
    }

    /// The profile with config name `name` (as returned by [`name`](Self::name)).
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The dictionaries, parsed and compiled on first use and then shared by
/// every [`Converter`]. Each embedded text file is parsed at most once.
pub struct OpenccData {
    dicts: [OnceLock<Vec<Entry>>; DictId::COUNT],
    groups: [OnceLock<Arc<Matcher>>; GroupId::COUNT],
}

impl OpenccData {
    /// The process-wide dictionary set. Cheap: nothing is parsed until a
    /// converter needs it.
    pub fn load() -> Arc<OpenccData> {
        static DATA: OnceLock<Arc<OpenccData>> = OnceLock::new();
        DATA.get_or_init(OpenccData::fresh).clone()
    }

    /// A new, unshared dictionary set with nothing parsed yet. The service
    /// uses [`load`](Self::load); this exists to measure cold construction.
    pub fn fresh() -> Arc<OpenccData> {
        Arc::new(OpenccData {
            dicts: [const { OnceLock::new() }; DictId::COUNT],
            groups: [const { OnceLock::new() }; GroupId::COUNT],
        })
    }

    /// Single-character entries of OpenCC's character tables whose
    /// conversion changes the character: `STCharacters` (Simplified →
    /// Traditional) when `simplified_to_traditional`, else `TSCharacters`.
    /// Script detection is built from these.
    pub fn changed_characters(&self, simplified_to_traditional: bool) -> Vec<(char, char)> {
        let id = if simplified_to_traditional {
            DictId::StCharacters
        } else {
            DictId::TsCharacters
        };
        self.dict(id)
            .iter()
            .filter_map(|e| {
                let mut key = e.key.chars();
                let mut value = e.value.chars();
                match (key.next(), key.next(), value.next(), value.next()) {
                    (Some(k), None, Some(v), None) if k != v => Some((k, v)),
                    _ => None,
                }
            })
            .collect()
    }

    fn dict(&self, id: DictId) -> &[Entry] {
        self.dicts[id as usize].get_or_init(|| match dicts::recipe(id) {
            Recipe::Text(text) => dicts::parse(text),
            Recipe::Reverse(text) => dicts::reverse(text),
            Recipe::TofuRisk(text) => dicts::tofu_risk(text),
            Recipe::RegionalPhrases(sources) => {
                // Upstream runs the `t2s` config (normalization, then the
                // Ts step over the whole line) on each key.
                let normalize = self.group(GroupId::Normalize);
                let ts = self.group(GroupId::Ts);
                let to_simplified = |key: &str| {
                    let mut sink = TextSink::new(false);
                    run_step(&normalize, key, None, Split::None, &mut sink);
                    let normalized = sink.finish(key);
                    let key = normalized.as_deref().unwrap_or(key);
                    let mut sink = TextSink::new(false);
                    run_step(&ts, key, None, Split::None, &mut sink);
                    sink.finish(key).unwrap_or_else(|| key.to_owned())
                };
                dicts::generated_st_phrases(&[self.dict(sources[0]), self.dict(sources[1])], to_simplified)
            }
        })
    }

    fn group(&self, id: GroupId) -> Arc<Matcher> {
        self.groups[id as usize]
            .get_or_init(|| {
                let tiers: Vec<Vec<&[Entry]>> = id
                    .tiers()
                    .iter()
                    .map(|tier| tier.iter().map(|&d| self.dict(d)).collect())
                    .collect();
                Arc::new(Matcher::build(&tiers))
            })
            .clone()
    }
}

/// Converts text with one [`Profile`]. Immutable, `Send + Sync`; share it
/// through an `Arc`.
pub struct Converter {
    /// `None` for the pipeline's reading conversion ([`Converter::reading`]).
    profile: Option<Profile>,
    normalize: Arc<Matcher>,
    /// Segmentation dictionary, unless there is none or it is folded into
    /// the first step (see [`Converter::new`]).
    segment: Option<Arc<Matcher>>,
    /// The first step also yields the segmentation.
    first_step_segments: bool,
    chain: Vec<Arc<Matcher>>,
}

impl Converter {
    /// Builds the converter for `profile`, compiling the dictionaries it
    /// needs (once per process; later converters reuse them).
    pub fn new(profile: Profile, data: &Arc<OpenccData>) -> Converter {
        Self::with_spec(Some(profile), config::spec(profile), data)
    }

    /// The conversion the pipeline reads Traditional text through: `t2s`,
    /// which also folds the Hong Kong and Taiwan variant characters that
    /// `t2s` leaves alone (衞 → 卫, 枱 → 台). Not an OpenCC config; as
    /// cheap as `t2s`.
    pub fn reading(data: &Arc<OpenccData>) -> Converter {
        Self::with_spec(None, config::reading_spec(), data)
    }

    fn with_spec(profile: Option<Profile>, spec: config::ProfileSpec, data: &Arc<OpenccData>) -> Converter {
        let chain: Vec<Arc<Matcher>> = spec.chain.iter().map(|&g| data.group(g)).collect();
        // When the segmentation dictionary is exactly the first step's first
        // tier and the later tiers only hold single characters, segmenting
        // and then converting each segment gives the same output as
        // converting the whole text in one pass and cutting a segment around
        // every first-tier match; that saves a pass over the text.
        let fold = spec.segmentation.is_some_and(|seg| {
            let first = spec.chain[0];
            seg.tiers().len() == 1 && first.tiers()[0] == seg.tiers()[0] && chain[0].later_tiers_single_char()
        });
        Converter {
            profile,
            normalize: data.group(spec.normalization),
            segment: spec.segmentation.filter(|_| !fold).map(|g| data.group(g)),
            first_step_segments: fold,
            chain,
        }
    }

    /// The profile this converter applies (`None` for [`Converter::reading`]).
    pub fn profile(&self) -> Option<Profile> {
        self.profile
    }

    /// The profile's config name, or `"t2s-reading"`.
    pub fn name(&self) -> &'static str {
        self.profile.map_or("t2s-reading", Profile::name)
    }

    /// Converts `text` exactly as OpenCC 1.4.2 does with this profile.
    pub fn convert(&self, text: &str) -> String {
        self.convert_noting_lengths(text).0
    }

    /// Converts `text` like [`convert`](Self::convert) if every replacement
    /// (the normalization's included) puts characters of the same UTF-8
    /// lengths in place of the replaced ones, one for one, as t2s nearly
    /// always does: the result then has `text`'s byte offsets and character
    /// boundaries, and needs no alignment. `None` otherwise.
    pub fn convert_char_for_char(&self, text: &str) -> Option<String> {
        let (converted, same_lengths) = self.convert_noting_lengths(text);
        same_lengths.then_some(converted)
    }

    /// [`convert`](Self::convert)'s result, and whether every replacement
    /// kept the replaced characters' UTF-8 lengths, one for one.
    fn convert_noting_lengths(&self, text: &str) -> (String, bool) {
        let mut sink = TextSink::new(false);
        run_step(&self.normalize, text, None, Split::None, &mut sink);
        let (normalized, normalized_same) = sink.finish_same_lengths(text);
        let input = normalized.as_deref().unwrap_or(text);
        let mut sink = TextSink::new(false);
        self.run_chain(input, &mut sink, false);
        let (converted, converted_same) = sink.finish_same_lengths(input);
        let text = match (converted, normalized) {
            (Some(converted), _) | (None, Some(converted)) => converted,
            (None, None) => text.to_owned(),
        };
        (text, normalized_same && converted_same)
    }

    /// Converts `text` like [`convert`](Self::convert) and reports which
    /// part of `text` became which part of the result: every replaced
    /// dictionary phrase or character is one atomic span (merged across
    /// chain steps only where the steps' replacements overlap), unchanged
    /// text is covered by identity spans.
    pub fn convert_aligned(&self, text: &str) -> Rewrite {
        let mut sink = TextSink::new(true);
        run_step(&self.normalize, text, None, Split::None, &mut sink);
        let (normalized, normalize_edits) = sink.finish_with_edits(text);
        let input = normalized.as_deref().unwrap_or(text);
        let mut sink = AlignSink::new(text, input, &normalize_edits);
        self.run_chain(input, &mut sink, true);
        sink.finish()
    }

    /// Segments `input` (if the config says so) and runs the conversion
    /// chain on every segment, handing the replacements to `output`.
    fn run_chain<S: Sink>(&self, input: &str, output: &mut S, align: bool) {
        let Some((first, rest)) = self.chain.split_first() else {
            return;
        };
        let ends = self.segment.as_ref().map(|m| engine::segment(m, input));
        if rest.is_empty() {
            run_step(first, input, ends.as_deref(), Split::None, output);
            return;
        }
        let split = if self.first_step_segments {
            Split::FirstTier
        } else {
            Split::Segments
        };
        let mut chain = ChainSink::new(rest, output, align);
        run_step(first, input, ends.as_deref(), split, &mut chain);
        chain.finish(input);
    }
}
