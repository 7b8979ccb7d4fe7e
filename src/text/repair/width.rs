//! Folding of full-width Latin letters, digits and the ideographic space.
//!
//! What is folded:
//! * full-width letters and digits `Ａ`–`Ｚ`, `ａ`–`ｚ`, `０`–`９` → ASCII;
//! * the ideographic space U+3000 → one ASCII space;
//! * `．` `－` `＋` `／` `＆` `＠` `＿` when the characters on *both* sides
//!   are letters or digits of either width (`３．５`, `ＣＯＶＩＤ－１９`,
//!   `ｋｍ／ｈ`, `Ｐ＆Ｇ`): inside such a run they can only be the ASCII
//!   symbol;
//! * `％` directly after a digit of either width (`１７％` → `17%`).
//!
//! What is left alone, on purpose: the punctuation Chinese text uses as its
//! own — `，。：；！？（）「」『』、` and the full-width quotes, brackets and
//! `～` — even between digits (`3：1` is a score, `1，2` an enumeration), and
//! the full-width currency signs `￥￡￠`. Half-width katakana are out of scope.

use super::chars::is_any_width_alnum;
use super::{Editor, RepairStep};
use crate::text::align::Rewrite;

/// Folds full-width ASCII letters, digits and the ideographic space to their
/// ASCII forms; see the [module documentation](self) for the punctuation rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct FoldWidth;

impl FoldWidth {
    /// Creates the step.
    pub fn new() -> Self {
        FoldWidth
    }
}

/// `c` shifted from the full-width block U+FF01..U+FF5E to ASCII.
fn to_ascii(c: char) -> char {
    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
}

/// The folded form of `c` given its neighbours, or `None` to keep it.
fn fold(prev: Option<char>, c: char, next: Option<char>) -> Option<char> {
    let alnum = |x: Option<char>| x.is_some_and(is_any_width_alnum);
    let digit = |x: Option<char>| x.is_some_and(|x| x.is_ascii_digit() || ('０'..='９').contains(&x));
    match c {
        '\u{3000}' => Some(' '),
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => Some(to_ascii(c)),
        '．' | '－' | '＋' | '／' | '＆' | '＠' | '＿' if alnum(prev) && alnum(next) => Some(to_ascii(c)),
        '％' if digit(prev) => Some('%'),
        _ => None,
    }
}

impl RepairStep for FoldWidth {
    fn name(&self) -> &'static str {
        "fold_width"
    }

    fn apply(&self, text: &str) -> Rewrite {
        let mut editor = Editor::new(text);
        let mut prev = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let next = iter.peek().map(|&(_, n)| n);
            if let Some(folded) = fold(prev, c, next) {
                editor.edit(i..i + c.len_utf8(), folded.encode_utf8(&mut [0; 4]));
            }
            prev = Some(c);
        }
        editor.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repair::test_util::{apply_checked, assert_repairs, changes};

    #[test]
    fn folds_letters_digits_and_ideographic_space() {
        let input = "ＴＯＰＣｏｎ１２ＧＷ";
        let r = assert_repairs(&FoldWidth, input, "TOPCon12GW");
        // One span per changed character.
        assert_eq!(changes(input, &r).len(), 10);
        assert_eq!(changes(input, &r)[0], ("Ｔ", "T"));
        assert_repairs(&FoldWidth, "　　新华社电", "  新华社电");
        assert_repairs(&FoldWidth, "增长１７％", "增长17%");
    }

    #[test]
    fn folds_symbols_only_inside_latin_and_digit_runs() {
        assert_repairs(&FoldWidth, "３．５亿", "3.5亿");
        assert_repairs(&FoldWidth, "ＣＯＶＩＤ－１９", "COVID-19");
        assert_repairs(&FoldWidth, "ｋｍ／ｈ", "km/h");
        assert_repairs(&FoldWidth, "Ｐ＆Ｇ", "P&G");
        assert_repairs(&FoldWidth, "3．5", "3.5");
        // Not between letters or digits: left alone.
        assert_repairs(&FoldWidth, "－５度", "－5度");
        assert_repairs(&FoldWidth, "他说．", "他说．");
        assert_repairs(&FoldWidth, "百分之％", "百分之％");
    }

    #[test]
    fn leaves_cjk_punctuation_alone() {
        for text in [
            "你好，世界！（测试）：；？",
            "比分3：1",
            "1，2，3",
            "「引号」『书名』",
            "３～５天",
            "￥１００",
        ] {
            let r = apply_checked(&FoldWidth, text);
            for (o, _) in changes(text, &r) {
                assert!(o.chars().all(|c| c.is_alphanumeric()), "{text:?}: changed {o:?}");
            }
        }
        assert_repairs(&FoldWidth, "你好，世界！（测试）：；？", "你好，世界！（测试）：；？");
    }

    #[test]
    fn edge_cases() {
        assert_eq!(FoldWidth.apply(""), Rewrite::identity(""));
        assert_repairs(&FoldWidth, "\0𠀀Ａ\u{301}😀", "\0𠀀A\u{301}😀");
        assert_repairs(&FoldWidth, "\u{301}", "\u{301}");
        let big = "新华社ＡＢＣ１２３。".repeat(60_000);
        let r = apply_checked(&FoldWidth, &big);
        assert_eq!(r.text, "新华社ABC123。".repeat(60_000));
    }
}
