//! Repair steps for scraped Chinese news text.
//!
//! Each step is a small `Send + Sync` value implementing [`RepairStep`]; it
//! rewrites a text and returns a [`Rewrite`] whose spans follow the contract
//! of [`crate::text::align`]: identity spans for unchanged runs and the
//! smallest atomic span per change.
//!
//! | step | type | what it repairs |
//! |------|------|-----------------|
//! | `remove_invisible` | [`RemoveInvisible`] | zero-width, bidi, soft hyphen, control characters |
//! | `repair_mojibake` | [`RepairMojibake`] | UTF-8 read as GBK, GBK runs shifted by a lost byte |
//! | `strip_pinyin` | [`StripPinyinAnnotations`] | `發(fā)` reading annotations |
//! | `fold_width` | [`FoldWidth`] | full-width letters, digits, ideographic space |
//! | `collapse_cjk_spaces` | [`CollapseCjkSpaces`] | spaces inserted between CJK characters |
//!
//! [`default_pipeline`] lists them in the order they are meant to run.

use crate::text::align::Rewrite;

pub mod char_model;
pub(crate) mod chars;
pub mod eval;
pub mod invisible;
pub mod mojibake;
pub mod pinyin;
pub mod spaces;
pub mod width;

pub use char_model::{CharModel, CharModelError, build_char_model, write_char_model};
pub use eval::{RepairReport, evaluate};
pub use invisible::RemoveInvisible;
pub use mojibake::RepairMojibake;
pub use pinyin::StripPinyinAnnotations;
pub use spaces::CollapseCjkSpaces;
pub use width::FoldWidth;

/// One text-repair step.
pub trait RepairStep: Send + Sync {
    /// Stable name for logs and metrics, e.g. "fold_width".
    fn name(&self) -> &'static str;
    /// Rewrites `text`; returns `Rewrite::identity(text)` when nothing changes.
    fn apply(&self, text: &str) -> Rewrite;
}

/// All steps in their intended order (the order `text::normalize` runs
/// them in).
///
/// Invisible characters go first: a zero-width space inside a mojibake run
/// or between two spaces would otherwise hide it. Mojibake repair comes
/// next, before anything else changes the characters whose bytes it
/// reasons about. Pinyin annotations are stripped before width folding and
/// space collapsing, so `發 (fā)` — not an annotation by our rule, the
/// reading does not directly follow the character — is not turned into one.
pub fn default_pipeline() -> Vec<Box<dyn RepairStep>> {
    vec![
        Box::new(RemoveInvisible::new()),
        Box::new(RepairMojibake::load()),
        Box::new(StripPinyinAnnotations::new()),
        Box::new(FoldWidth::new()),
        Box::new(CollapseCjkSpaces::new()),
    ]
}

/// Assembles a [`Rewrite`] from edits given in increasing order of position.
/// Text between edits is kept as identity spans.
pub(crate) struct Editor<'a> {
    text: &'a str,
    builder: crate::text::align::RewriteBuilder,
    pos: usize,
    changed: bool,
}

impl<'a> Editor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Editor {
            text,
            builder: Rewrite::builder(text.len()),
            pos: 0,
            changed: false,
        }
    }

    /// Replaces `text[range]` by `replacement` as one atomic span (a pure
    /// deletion when `replacement` is empty). Edits that overlap an earlier
    /// one or do not fall on character boundaries are ignored: callers
    /// produce ordered edits, and a bad one must not corrupt the alignment.
    pub(crate) fn edit(&mut self, range: std::ops::Range<usize>, replacement: &str) {
        let Some(gap) = self.text.get(self.pos..range.start) else {
            debug_assert!(false, "edit {range:?} before {} or off a boundary", self.pos);
            return;
        };
        let Some(original) = self.text.get(range.clone()) else {
            debug_assert!(false, "edit {range:?} off a char boundary");
            return;
        };
        self.builder.keep(gap);
        if original == replacement {
            self.builder.keep(original);
        } else {
            self.builder.replace(original.len(), replacement);
            self.changed = true;
        }
        self.pos = range.end;
    }

    /// Finishes the rewrite, returning [`Rewrite::identity`] if no edit
    /// changed anything.
    pub(crate) fn finish(mut self) -> Rewrite {
        if !self.changed {
            return Rewrite::identity(self.text);
        }
        self.builder.keep(&self.text[self.pos..]);
        self.builder.finish()
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::RepairStep;
    use crate::text::align::Rewrite;

    /// Applies `step` and checks the alignment contract, that unchanged
    /// input gives exactly `Rewrite::identity`, and that every non-identity
    /// span really changes something.
    pub(crate) fn apply_checked(step: &dyn RepairStep, input: &str) -> Rewrite {
        let r = step.apply(input);
        if let Err(e) = r.check_against(input) {
            panic!("{}: {e} for {input:?} -> {:?}", step.name(), r.text);
        }
        if r.text == input {
            assert_eq!(
                r,
                Rewrite::identity(input),
                "{}: unchanged text must be identity",
                step.name()
            );
        }
        for s in &r.spans {
            let (o, n) = (&input[s.original.clone()], &r.text[s.normalized.clone()]);
            assert!(!o.is_empty(), "{}: insertion span {s:?}", step.name());
            if o == n {
                continue;
            }
            // Atomic spans are minimal: they do not start or end with a
            // character they keep. (Pinyin spans keep the annotated
            // characters on purpose.)
            if step.name() != "strip_pinyin" && !n.is_empty() {
                assert_ne!(
                    o.chars().next(),
                    n.chars().next(),
                    "{}: span {o:?} -> {n:?}",
                    step.name()
                );
                assert_ne!(
                    o.chars().next_back(),
                    n.chars().next_back(),
                    "{}: span {o:?} -> {n:?}",
                    step.name()
                );
            }
        }
        r
    }

    /// Asserts `step` turns `input` into `expected`.
    pub(crate) fn assert_repairs(step: &dyn RepairStep, input: &str, expected: &str) -> Rewrite {
        let r = apply_checked(step, input);
        assert_eq!(r.text, expected, "{} on {input:?}", step.name());
        r
    }

    /// The non-identity spans of `r` as (original, normalized) text pairs.
    pub(crate) fn changes<'a>(input: &'a str, r: &'a Rewrite) -> Vec<(&'a str, &'a str)> {
        r.spans
            .iter()
            .map(|s| (&input[s.original.clone()], &r.text[s.normalized.clone()]))
            .filter(|(o, n)| o != n)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::eval::Rng;
    use super::test_util::apply_checked;
    use super::*;

    /// Pieces random texts are made of: every class the steps care about.
    const PIECES: &[&str] = &[
        "发展",
        "發展",
        "的",
        "新质生产力",
        "，",
        "。",
        "“",
        "”",
        "（",
        "）",
        "(",
        ")",
        "（fā）",
        "(fā)",
        "(de)",
        "(zhǎn)",
        "(fa1)",
        "(GDP)",
        "(2024)",
        "(Li Qiang)",
        "ā",
        "ü",
        "\u{301}",
        "\u{304}",
        " ",
        "  ",
        "\u{3000}",
        "\u{A0}",
        "\t",
        "\n",
        "\r\n",
        "\0",
        "\u{1}",
        "\u{7F}",
        "\u{85}",
        "\u{200B}",
        "\u{200D}",
        "\u{FEFF}",
        "\u{202E}",
        "\u{AD}",
        "\u{FE0F}",
        "\u{E0100}",
        "😀",
        "👨",
        "𠀀",
        "ＡＢＣ",
        "１２",
        "．",
        "％",
        "－",
        "ａ",
        "abc",
        "GDP",
        "2024",
        "?",
        "\u{FFFD}",
        "€",
        "鍙戝睍",
        "椤鞍",
        "l",
        "锛",
        "銆",
        "涓\u{E15E}",
        "한국",
        "ひら",
    ];

    fn random_text(rng: &mut Rng) -> String {
        (0..rng.below(24)).map(|_| PIECES[rng.below(PIECES.len())]).collect()
    }

    #[test]
    fn every_step_keeps_the_contract_on_random_text() {
        let steps = default_pipeline();
        let mut rng = Rng::new(7);
        for _ in 0..400 {
            let text = random_text(&mut rng);
            // Also as mojibake and with a lost GBK byte, to exercise repairs.
            let garbled = encoding_rs::GBK
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned();
            let (gbk, _, _) = encoding_rs::GBK.encode(&text);
            let cut = rng.below(gbk.len() + 1);
            let shifted = format!(
                "{}?{}",
                encoding_rs::GBK.decode_without_bom_handling(&gbk[..cut]).0,
                encoding_rs::GBK
                    .decode_without_bom_handling(&gbk[(cut + 1).min(gbk.len())..])
                    .0
            );
            for input in [&text, &garbled, &shifted] {
                let mut current = input.clone();
                for step in &steps {
                    apply_checked(step.as_ref(), input);
                    current = apply_checked(step.as_ref(), &current).text;
                }
            }
        }
    }

    #[test]
    fn steps_have_stable_distinct_names() {
        let names: Vec<_> = default_pipeline().iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "remove_invisible",
                "repair_mojibake",
                "strip_pinyin",
                "fold_width",
                "collapse_cjk_spaces"
            ]
        );
    }

    #[test]
    fn steps_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<RepairMojibake>();
        check::<RemoveInvisible>();
        check::<FoldWidth>();
        check::<StripPinyinAnnotations>();
        check::<CollapseCjkSpaces>();
        check::<Box<dyn RepairStep>>();
    }
}
