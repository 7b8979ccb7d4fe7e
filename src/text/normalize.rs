//! The normalization stage: which rewriting steps run, in which order, and
//! the [`OffsetMap`] that leads from their output back to the caller's text.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use crate::text::{
    align::Rewrite,
    offsets::OffsetMap,
    opencc::{Converter, OpenccData, Profile},
    repair::{
        RepairStep, invisible::RemoveInvisible, mojibake::RepairMojibake, pinyin::StripPinyinAnnotations,
        spaces::CollapseCjkSpaces, width::FoldWidth,
    },
};

/// What to do to a text before segmenting or tagging it. Everything is off
/// by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// OpenCC profile to convert with; `None` keeps the script.
    pub conversion: Option<Profile>,
    /// Remove `(pīnyīn)` readings after Han characters.
    pub strip_pinyin_annotations: bool,
    /// Full-width ASCII letters, digits and space to half-width.
    pub fold_width: bool,
    /// Remove spaces between two CJK characters.
    pub collapse_cjk_spaces: bool,
    /// Undo GBK/UTF-8 mix-ups where a language model agrees.
    pub repair_mojibake: bool,
    /// Remove zero-width and control characters.
    pub remove_invisible: bool,
}

impl NormalizeOptions {
    /// Whether these options leave every text as it is.
    pub fn is_noop(&self) -> bool {
        *self == NormalizeOptions::default()
    }
}

/// One rewriting step of normalization.
pub trait Normalizer: Send + Sync {
    /// Stable name for logs and metrics.
    fn name(&self) -> &'static str;
    /// Rewrites `text`, with the alignment of the result.
    fn rewrite(&self, text: &str) -> Rewrite;
    /// Rewrites `text` when no alignment is needed; steps with a faster path
    /// override it.
    fn rewrite_text(&self, text: &str) -> String {
        self.rewrite(text).text
    }
}

impl<T: RepairStep> Normalizer for T {
    fn name(&self) -> &'static str {
        RepairStep::name(self)
    }

    fn rewrite(&self, text: &str) -> Rewrite {
        self.apply(text)
    }
}

/// Script conversion with one OpenCC profile, as a normalization step.
pub struct ScriptConverter {
    profile: Profile,
    converter: Converter,
}

impl ScriptConverter {
    /// A converter for `profile` over the shared dictionaries.
    pub fn new(profile: Profile, data: &Arc<OpenccData>) -> Self {
        ScriptConverter {
            profile,
            converter: Converter::new(profile, data),
        }
    }

    /// The OpenCC profile this converter follows.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Converts without alignment.
    pub fn convert(&self, text: &str) -> String {
        self.converter.convert(text)
    }
}

impl Normalizer for ScriptConverter {
    fn name(&self) -> &'static str {
        self.profile.name()
    }

    fn rewrite(&self, text: &str) -> Rewrite {
        self.converter.convert_aligned(text)
    }

    fn rewrite_text(&self, text: &str) -> String {
        self.converter.convert(text)
    }
}

/// A text after normalization, with the way back to the original.
#[derive(Debug)]
pub struct Normalized<'a> {
    /// The text the caller sent.
    pub original: &'a str,
    /// The normalized text.
    pub text: Cow<'a, str>,
    /// Normalized → original offsets; identity when nothing changed.
    pub map: OffsetMap,
}

/// Every normalization step, loaded once and shared by all requests.
pub struct NormalizerSet {
    remove_invisible: RemoveInvisible,
    repair_mojibake: RepairMojibake,
    strip_pinyin: StripPinyinAnnotations,
    fold_width: FoldWidth,
    collapse_spaces: CollapseCjkSpaces,
    converters: HashMap<Profile, ScriptConverter>,
    /// The Simplified reading of Traditional text ([`Converter::reading`]).
    reading: Converter,
    opencc: Arc<OpenccData>,
}

impl NormalizerSet {
    /// Loads the embedded OpenCC dictionaries and repair models.
    pub fn load() -> Self {
        let opencc = OpenccData::load();
        let converters = Profile::ALL
            .iter()
            .map(|&p| (p, ScriptConverter::new(p, &opencc)))
            .collect();
        NormalizerSet {
            remove_invisible: RemoveInvisible::new(),
            repair_mojibake: RepairMojibake::new(),
            strip_pinyin: StripPinyinAnnotations::new(),
            fold_width: FoldWidth::new(),
            collapse_spaces: CollapseCjkSpaces::new(),
            converters,
            reading: Converter::reading(&opencc),
            opencc,
        }
    }

    /// The shared OpenCC dictionaries.
    pub fn opencc(&self) -> &Arc<OpenccData> {
        &self.opencc
    }

    /// The conversion the pipeline reads Traditional text through, with
    /// alignment: `t2s` that also folds regional variant characters `t2s`
    /// leaves alone (see [`Converter::reading`]).
    pub fn reading_view(&self, text: &str) -> Rewrite {
        self.reading.convert_aligned(text)
    }

    /// [`Self::reading_view`]'s text if it has `text`'s byte offsets (see
    /// [`Converter::convert_char_for_char`]), without building the
    /// alignment; `None` if it does not.
    pub fn reading_view_char_for_char(&self, text: &str) -> Option<String> {
        self.reading.convert_char_for_char(text)
    }

    /// The converter for an OpenCC profile.
    pub fn converter(&self, profile: Profile) -> &ScriptConverter {
        // Every profile is built in `load`.
        &self.converters[&profile]
    }

    /// The steps `options` ask for, in the documented order.
    fn steps(&self, options: &NormalizeOptions) -> Vec<&dyn Normalizer> {
        let mut steps: Vec<&dyn Normalizer> = Vec::new();
        if options.remove_invisible {
            steps.push(&self.remove_invisible);
        }
        if options.repair_mojibake {
            steps.push(&self.repair_mojibake);
        }
        if options.strip_pinyin_annotations {
            steps.push(&self.strip_pinyin);
        }
        if options.fold_width {
            steps.push(&self.fold_width);
        }
        if options.collapse_cjk_spaces {
            steps.push(&self.collapse_spaces);
        }
        if let Some(profile) = options.conversion {
            steps.push(self.converter(profile));
        }
        steps
    }

    /// Normalizes `text`, keeping the offset map back to it.
    pub fn normalize<'a>(&self, text: &'a str, options: &NormalizeOptions) -> Normalized<'a> {
        let mut current: Cow<'a, str> = Cow::Borrowed(text);
        let mut map = OffsetMap::identity(text.len());
        for step in self.steps(options) {
            let rewrite = step.rewrite(&current);
            let step_map = OffsetMap::from_rewrite(&current, &rewrite);
            if step_map.is_identity() {
                continue;
            }
            map = map.then(&step_map, text, &current, &rewrite.text);
            current = Cow::Owned(rewrite.text);
        }
        Normalized {
            original: text,
            text: current,
            map,
        }
    }

    /// Normalizes `text` when the caller needs no offsets (the fast path).
    pub fn normalize_text<'a>(&self, text: &'a str, options: &NormalizeOptions) -> Cow<'a, str> {
        let mut current: Cow<'a, str> = Cow::Borrowed(text);
        for step in self.steps(options) {
            let next = step.rewrite_text(&current);
            if next != *current {
                current = Cow::Owned(next);
            }
        }
        current
    }
}
