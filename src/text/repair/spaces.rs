//! Removal of spaces inserted between CJK characters (`江 阴` → `江阴`).
//!
//! A *space run* is a maximal run of horizontal spaces: ASCII space, NBSP
//! (U+00A0), the ideographic space (U+3000) and the fixed-width spaces
//! U+2002..U+200A, U+202F, U+205F. Tabs and line breaks are not spaces here:
//! they carry layout (table columns, paragraphs).
//!
//! A run is deleted when the characters on both sides are CJK and at least
//! one of them is a Han ideograph or CJK-only punctuation, except that
//! between two Han ideographs it is deleted only where the text is
//! letter-spaced: the Han run on one side of it is a single character
//! (`江 阴`, `新 闻 发 布 会`, `江阴 市`). A space between two words of two or
//! more characters is a writer's separator and stays (`（记者 王伟）`,
//! headline phrases such as `加快发展 新质生产力`).
//! * CJK = Han ideographs (all extensions, compatibility blocks, `〇`),
//!   CJK-only punctuation (`，。、：；！？（）《》「」【】` and the rest of the
//!   CJK Symbols and Punctuation and full-width punctuation blocks), and the
//!   punctuation both scripts share (`“ ” ‘ ’ — … ·`).
//! * Requiring one strictly-CJK side keeps `“hello” “world”` intact while
//!   `， 我`, `中国 “一带一路”` and `。　“他说` lose their spaces.
//! * Kana and Hangul are not CJK for this rule: Korean separates words with
//!   spaces. Latin letters and digits of either width keep their spaces
//!   (`超 50 亿元`, `ＡＢＣ 公司`).
//!
//! Alignment: each deleted run is one pure deletion span (empty normalized
//! range); the characters around it stay in identity spans.

use super::chars::{is_cjk_punct, is_han, is_shared_punct};
use super::{Editor, RepairStep};
use crate::text::align::Rewrite;

/// Deletes space runs between two CJK characters; see the
/// [module documentation](self) for the exact rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct CollapseCjkSpaces;

impl CollapseCjkSpaces {
    /// Creates the step.
    pub fn new() -> Self {
        CollapseCjkSpaces
    }
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}' | '\u{3000}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}'
    )
}

fn is_strict_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

fn is_cjk(c: char) -> bool {
    is_strict_cjk(c) || is_shared_punct(c)
}

/// Whether `rest` starts with exactly one Han character (the next is not Han).
fn single_han_ahead(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next().is_some_and(is_han) && !chars.next().is_some_and(is_han)
}

impl RepairStep for CollapseCjkSpaces {
    fn name(&self) -> &'static str {
        "collapse_cjk_spaces"
    }

    fn apply(&self, text: &str) -> Rewrite {
        let mut editor = Editor::new(text);
        let mut prev: Option<char> = None;
        // Consecutive Han characters ending at `prev`.
        let mut han_run = 0usize;
        // Start of the current space run, the character before it and the
        // length of the Han run it ends.
        let mut run: Option<(usize, Option<char>, usize)> = None;
        for (i, c) in text.char_indices() {
            if is_space(c) {
                if run.is_none() {
                    run = Some((i, prev, han_run));
                }
            } else {
                if let Some((start, Some(before), han_before)) = run
                    && is_cjk(before)
                    && is_cjk(c)
                    && (is_strict_cjk(before) || is_strict_cjk(c))
                    && (!is_han(before) || !is_han(c) || han_before == 1 || single_han_ahead(&text[i..]))
                {
                    editor.edit(start..i, "");
                }
                run = None;
                han_run = if is_han(c) { han_run + 1 } else { 0 };
            }
            if !is_space(c) {
                prev = Some(c);
            } else if run.is_some_and(|(start, ..)| start == i) {
                han_run = 0;
            }
        }
        editor.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repair::test_util::{apply_checked, assert_repairs, changes};

    #[test]
    fn removes_spaces_between_han() {
        let r = assert_repairs(&CollapseCjkSpaces, "江 阴", "江阴");
        assert_eq!(r.spans[1].original, 3..4);
        assert!(r.spans[1].normalized.is_empty(), "a deletion span");
        assert_repairs(&CollapseCjkSpaces, "新 闻 发 布 会", "新闻发布会");
        // A run of mixed spaces is one deletion.
        let input = "江\u{3000}\u{A0} 阴";
        let r = assert_repairs(&CollapseCjkSpaces, input, "江阴");
        assert_eq!(changes(input, &r), vec![("\u{3000}\u{A0} ", "")]);
        assert_repairs(&CollapseCjkSpaces, "𠀀 𠀁", "𠀀𠀁");
        assert_repairs(&CollapseCjkSpaces, "江阴 市", "江阴市");
        assert_repairs(&CollapseCjkSpaces, "江 阴市", "江阴市");
    }

    #[test]
    fn handles_cjk_punctuation() {
        assert_repairs(&CollapseCjkSpaces, "他说， 我们", "他说，我们");
        assert_repairs(&CollapseCjkSpaces, "中国 “一带一路”", "中国“一带一路”");
        assert_repairs(&CollapseCjkSpaces, "完了。　“他说", "完了。“他说");
        // Shared punctuation on both sides is not enough.
        assert_repairs(&CollapseCjkSpaces, "“hello” “world”", "“hello” “world”");
    }

    #[test]
    fn keeps_spaces_next_to_latin_digits_and_layout() {
        for text in [
            "超 50 亿元",
            "苹果 iPhone 手机",
            "ＡＢＣ 公司",
            "江\n阴",
            "江\t阴",
            "한국 사람",
            "ひらがな カタカナ",
            " 江阴 ",
            "（记者 王伟）",
            "加快发展 新质生产力",
            "二〇 二四年",
        ] {
            assert_repairs(&CollapseCjkSpaces, text, text);
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(CollapseCjkSpaces.apply(""), Rewrite::identity(""));
        assert_repairs(&CollapseCjkSpaces, "   ", "   ");
        assert_repairs(&CollapseCjkSpaces, "\0 江 \u{301} 阴", "\0 江 \u{301} 阴");
        let big = "新 闻 ".repeat(200_000);
        let r = apply_checked(&CollapseCjkSpaces, &big);
        assert_eq!(r.text.len(), big.len() - 2 * 200_000 + 1);
    }
}
