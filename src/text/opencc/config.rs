//! The 16 OpenCC 1.4.2 configurations (`data/config/*.json`) as a table.
//!
//! Every config has the same `normalization` step (CJK compatibility
//! ideographs), an optional `mmseg` segmentation over a dictionary group and
//! a `conversion_chain` of steps, each over a dictionary group. A group here
//! is a list of tiers: the JSON's `short_circuit` list, where a nested
//! `union` group (or a single dictionary) is one tier. `may_output_tofu`
//! dictionaries are included, as they are by default in OpenCC 1.4.2
//! (`ConfigLoadOptions::includeTofuRiskDictionaries = true`, also the
//! Python binding's default).

use super::Profile;

/// One dictionary (`*.ocd2` in the configs). The `Rev`, `Ext` and
/// `Generated` ones are derived at load time, as OpenCC derives them when it
/// builds its data (see `dicts.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DictId {
    CjkCompatibilityIdeographs,
    HkPhrases,
    HkPhrasesRev,
    HkVariants,
    HkVariantsRev,
    HkVariantsPhrases,
    HkVariantsRevPhrases,
    JpShinjitaiCharacters,
    JpShinjitaiCharactersRev,
    JpShinjitaiPhrases,
    StCharacters,
    StPhrases,
    StPhrasesGeneratedFromRegionalPhrases,
    TsCharacters,
    TsCharactersExt,
    TsPhrases,
    TwPhrases,
    TwPhrasesRev,
    TwVariants,
    TwVariantsRev,
    TwVariantsPhrases,
    TwVariantsRevPhrases,
    /// Not OpenCC's: see [`GroupId::TsReading`].
    ReadingVariants,
}

impl DictId {
    pub const COUNT: usize = DictId::ReadingVariants as usize + 1;
}

/// A dictionary group used by at least one config, see [`GroupId::tiers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum GroupId {
    /// `normalization` of every config.
    Normalize,
    /// Segmentation of the `s2*` regional configs.
    StSegment,
    /// Simplified to Traditional characters and phrases.
    St,
    /// Segmentation of the `*2s` regional configs.
    TsSegment,
    /// Traditional to Simplified characters and phrases.
    Ts,
    TwVariants,
    TwPhrases,
    TwVariantsRev,
    TwPhrasesRev,
    HkVariants,
    HkPhrases,
    HkVariantsRev,
    HkPhrasesRev,
    JpShinjitai,
    JpShinjitaiRev,
    /// Not an OpenCC group: `Ts` plus Hong Kong and Taiwan variant
    /// characters that `t2s` leaves as they are (衞, 枱, 痺…), for the
    /// pipeline's Simplified reading of Traditional text (see
    /// [`reading_spec`]).
    TsReading,
}

impl GroupId {
    pub const COUNT: usize = GroupId::TsReading as usize + 1;

    /// The group's tiers, each a union of dictionaries, in config order.
    pub fn tiers(self) -> &'static [&'static [DictId]] {
        use DictId::*;
        const ST_UNION: &[DictId] = &[StPhrases, StPhrasesGeneratedFromRegionalPhrases];
        match self {
            GroupId::Normalize => &[&[CjkCompatibilityIdeographs]],
            GroupId::StSegment => &[ST_UNION],
            GroupId::St => &[ST_UNION, &[StCharacters]],
            GroupId::TsSegment => &[&[TsPhrases]],
            GroupId::Ts => &[&[TsPhrases], &[TsCharactersExt], &[TsCharacters]],
            GroupId::TwVariants => &[&[TwVariantsPhrases], &[TwVariants]],
            GroupId::TwPhrases => &[&[TwPhrases], &[TwVariantsPhrases], &[TwVariants]],
            GroupId::TwVariantsRev => &[&[TwVariantsRevPhrases], &[TwVariantsRev]],
            GroupId::TwPhrasesRev => &[&[TwPhrasesRev], &[TwVariantsRevPhrases], &[TwVariantsRev]],
            GroupId::HkVariants => &[&[HkVariantsPhrases], &[HkVariants]],
            GroupId::HkPhrases => &[&[HkPhrases], &[HkVariantsPhrases], &[HkVariants]],
            GroupId::HkVariantsRev => &[&[HkVariantsRevPhrases], &[HkVariantsRev]],
            GroupId::HkPhrasesRev => &[&[HkPhrasesRev], &[HkVariantsRevPhrases], &[HkVariantsRev]],
            GroupId::JpShinjitai => &[&[JpShinjitaiPhrases], &[JpShinjitaiCharacters]],
            GroupId::JpShinjitaiRev => &[&[JpShinjitaiCharactersRev]],
            // The variants go before the characters: TSCharacters keeps
            // some of them as they are (衹 → 衹 只, first choice first).
            GroupId::TsReading => &[&[TsPhrases], &[ReadingVariants], &[TsCharactersExt], &[TsCharacters]],
        }
    }
}

/// What one config file says, minus names and file types.
pub(super) struct ProfileSpec {
    /// `normalization`: one conversion over the whole text.
    pub normalization: GroupId,
    /// `segmentation` (`mmseg`), if the config has one.
    pub segmentation: Option<GroupId>,
    /// `conversion_chain`, applied in order to every segment.
    pub chain: &'static [GroupId],
}

/// The config of `profile`, following `data/config/<name>.json` of 1.4.2.
pub(super) fn spec(profile: Profile) -> ProfileSpec {
    use GroupId::*;
    let (segmentation, chain): (Option<GroupId>, &'static [GroupId]) = match profile {
        Profile::S2t => (None, &[St]),
        Profile::T2s => (None, &[Ts]),
        Profile::S2tw => (Some(StSegment), &[St, TwVariants]),
        Profile::S2twp => (Some(StSegment), &[St, TwPhrases]),
        Profile::Tw2s => (Some(TsSegment), &[TwVariantsRev, Ts]),
        Profile::Tw2sp => (Some(TsSegment), &[TwPhrasesRev, Ts]),
        Profile::S2hk => (Some(StSegment), &[St, HkVariants]),
        Profile::S2hkp => (Some(StSegment), &[St, HkPhrases]),
        Profile::Hk2s => (Some(TsSegment), &[HkVariantsRev, Ts]),
        Profile::Hk2sp => (Some(TsSegment), &[HkPhrasesRev, Ts]),
        Profile::T2tw => (None, &[TwVariants]),
        Profile::Tw2t => (None, &[TwVariantsRev]),
        Profile::T2hk => (None, &[HkVariants]),
        Profile::Hk2t => (None, &[HkVariantsRev]),
        Profile::T2jp => (None, &[JpShinjitaiRev]),
        Profile::Jp2t => (None, &[JpShinjitai]),
    };
    ProfileSpec {
        normalization: Normalize,
        segmentation,
        chain,
    }
}

/// The conversion the pipeline reads Traditional text through: `t2s`, whose
/// conversion step also folds the regional variant characters that `t2s`
/// leaves alone (Hong Kong writes 衞生 where OpenCC's standard has 衛生, and
/// jieba knows neither). `hk2s` or `tw2s` would fold them too, but cost a
/// segmentation pass and a second step: about three times `t2s`'s time.
pub(super) fn reading_spec() -> ProfileSpec {
    ProfileSpec {
        normalization: GroupId::Normalize,
        segmentation: None,
        chain: &[GroupId::TsReading],
    }
}
