//! Removal of invisible and control characters.
//!
//! Removed:
//! * zero-width space U+200B, word joiner U+2060, invisible math operators
//!   U+2061..U+2064, the Mongolian vowel separator U+180E (an old zero-width
//!   space), the BOM / zero-width no-break space U+FEFF anywhere in the text,
//!   the soft hyphen U+00AD and the interlinear annotation marks
//!   U+FFF9..U+FFFB;
//! * bidi controls (U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069):
//!   they only steer display, never change the logical text, and in scraped
//!   Chinese news they are copy-paste debris (or a spoofing vector);
//! * C0 controls other than `\t`, `\n` and `\r` (kept: they are layout),
//!   DEL, and the C1 controls U+0080..U+009F (including U+0085, which in
//!   scraped text is almost always a broken Windows-1252 `…`, not a line
//!   break).
//!
//! Kept, on purpose:
//! * the zero-width joiner U+200D and non-joiner U+200C when *both*
//!   neighbours belong to a context where they are meaningful — emoji
//!   (`👨‍👩‍👧`), Arabic, Syriac, Indic or Myanmar script; next to Han, Latin,
//!   punctuation or a text boundary they are removed;
//! * variation selectors U+FE00..U+FE0F and U+E0100..U+E01EF: they select
//!   ideographic variants (IVS) and emoji presentation;
//! * tag characters U+E0020..U+E007F (emoji subdivision flags), the line and
//!   paragraph separators U+2028/U+2029 and U+FFFC;
//! * everything not listed above, including the combining grapheme joiner
//!   U+034F and the Hangul fillers, which have uses in their scripts.
//!
//! Alignment: each maximal run of removed characters is one pure deletion
//! span.

use super::{Editor, RepairStep};
use crate::text::align::Rewrite;

/// Removes zero-width, bidi, soft-hyphen and control characters; see the
/// [module documentation](self) for the exact list.
#[derive(Clone, Copy, Debug, Default)]
pub struct RemoveInvisible;

impl RemoveInvisible {
    /// Creates the step.
    pub fn new() -> Self {
        RemoveInvisible
    }
}

/// What to do with one character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Keep,
    Remove,
    /// ZWJ / ZWNJ: removed unless both neighbours are joining context.
    Joiner,
}

fn kind(c: char) -> Kind {
    match c {
        '\t' | '\n' | '\r' => Kind::Keep,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Kind::Remove,
        '\u{AD}' | '\u{61C}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' => Kind::Remove,
        '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' => Kind::Remove,
        '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' => Kind::Remove,
        '\u{200C}' | '\u{200D}' => Kind::Joiner,
        _ => Kind::Keep,
    }
}

/// Characters next to which ZWJ/ZWNJ carry meaning: emoji (with their
/// modifiers, variation selector 16 and tags) and the cursive or conjunct
/// scripts that use joiners in ordinary spelling.
fn is_joining_context(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{074F}'       // Arabic, Syriac
        | '\u{0750}'..='\u{077F}'
        | '\u{0860}'..='\u{08FF}'
        | '\u{0900}'..='\u{0DFF}'     // Indic scripts
        | '\u{1000}'..='\u{109F}'     // Myanmar
        | '\u{2600}'..='\u{27BF}'     // miscellaneous symbols, dingbats
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{FB50}'..='\u{FDFF}'     // Arabic presentation forms
        | '\u{FE0F}'
        | '\u{FE70}'..='\u{FEFE}'
        | '\u{1F000}'..='\u{1FAFF}'   // emoji, incl. skin-tone modifiers
        | '\u{E0020}'..='\u{E007F}')
}

impl RepairStep for RemoveInvisible {
    fn name(&self) -> &'static str {
        "remove_invisible"
    }

    fn apply(&self, text: &str) -> Rewrite {
        let mut editor = Editor::new(text);
        // Open run of removed characters: its start byte.
        let mut run: Option<usize> = None;
        let mut prev: Option<char> = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let remove = match kind(c) {
                Kind::Keep => false,
                Kind::Remove => true,
                Kind::Joiner => {
                    // The right neighbour is the next character, even if that
                    // one is about to be removed: the rule is about intent.
                    let next = iter.peek().map(|&(_, n)| n);
                    !(prev.is_some_and(is_joining_context) && next.is_some_and(is_joining_context))
                }
            };
            match (remove, run) {
                (true, None) => run = Some(i),
                (false, Some(start)) => {
                    editor.edit(start..i, "");
                    run = None;
                }
                _ => {}
            }
            if !remove {
                prev = Some(c);
            }
        }
        if let Some(start) = run {
            editor.edit(start..text.len(), "");
        }
        editor.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repair::test_util::{apply_checked, assert_repairs, changes};

    #[test]
    fn removes_zero_width_and_format_characters() {
        assert_repairs(&RemoveInvisible, "\u{FEFF}新\u{200B}华\u{2060}社\u{AD}电", "新华社电");
        assert_repairs(&RemoveInvisible, "中\u{200D}国\u{200C}人", "中国人");
        assert_repairs(&RemoveInvisible, "\u{202E}abc\u{202C}\u{200F}\u{2066}x\u{2069}", "abcx");
        // A run of removed characters is one deletion span.
        let input = "新\u{200B}\u{FEFF}\u{200E}华";
        let r = assert_repairs(&RemoveInvisible, input, "新华");
        assert_eq!(changes(input, &r), vec![("\u{200B}\u{FEFF}\u{200E}", "")]);
        assert_eq!(r.spans[1].normalized, 3..3);
    }

    #[test]
    fn removes_controls_but_keeps_layout() {
        assert_repairs(&RemoveInvisible, "a\0b\u{7}c\u{1B}d\u{7F}e\u{85}f\u{9F}g", "abcdefg");
        assert_repairs(&RemoveInvisible, "行一\r\n行二\t列\u{C}", "行一\r\n行二\t列");
    }

    #[test]
    fn keeps_meaningful_joiners_and_selectors() {
        for text in [
            "👨\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}\u{200D}🔥",
            "👍🏽",
            "葛\u{E0100}",
            "☺\u{FE0E}",
            "می\u{200C}خواهم",
            "क्\u{200D}ष",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "\u{2028}\u{FFFC}",
        ] {
            assert_repairs(&RemoveInvisible, text, text);
        }
        // A joiner at the edge of an emoji sequence is debris.
        assert_repairs(&RemoveInvisible, "😀\u{200D}中", "😀中");
        assert_repairs(&RemoveInvisible, "\u{200D}", "");
    }

    #[test]
    fn edge_cases() {
        assert_eq!(RemoveInvisible.apply(""), Rewrite::identity(""));
        assert_repairs(&RemoveInvisible, "\u{200B}", "");
        assert_repairs(&RemoveInvisible, "\u{301}𠀀\u{200B}", "\u{301}𠀀");
        let big = "新\u{200B}闻".repeat(150_000);
        let r = apply_checked(&RemoveInvisible, &big);
        assert_eq!(r.text, "新闻".repeat(150_000));
        assert_eq!(changes(&big, &r).len(), 150_000);
    }
}
