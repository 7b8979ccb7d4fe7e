//! Character classes shared by the repair steps.
//!
//! These are deliberately small, explicit range tables rather than full
//! Unicode property lookups: the steps only need to tell Han ideographs, CJK
//! punctuation and a few invisible/format characters apart.

/// Han ideographs: the unified blocks with all extensions, the compatibility
/// blocks, and `〇` (U+3007, used as a digit in dates such as `二〇二四`).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EE5F}'
        | '\u{2F800}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

/// Punctuation that only occurs in CJK text: the CJK Symbols and Punctuation
/// block (minus the ideographic space and `〇`), full-width ASCII punctuation,
/// half-width CJK punctuation and the vertical/compatibility forms.
pub(crate) fn is_cjk_punct(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{3006}'
        | '\u{3008}'..='\u{3020}'
        | '\u{3030}' | '\u{303D}'
        | '\u{FE10}'..='\u{FE19}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// Punctuation shared between Chinese and Western typesetting: curly quotes,
/// dashes, the ellipsis and the middle dot.
pub(crate) fn is_shared_punct(c: char) -> bool {
    matches!(
        c,
        '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2014}' | '\u{2015}' | '\u{2026}' | '\u{00B7}'
    )
}

/// Full-width ASCII letters and digits (`Ａ`, `ｚ`, `０`).
pub(crate) fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// ASCII or full-width letter or digit.
pub(crate) fn is_any_width_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_fullwidth_alnum(c)
}
