//! Removal of pinyin reading annotations (`發(fā)展` → `發展`).
//!
//! Some converters insert the reading of a character, or of a word, in
//! parentheses right after it. An annotation is stripped when all of this
//! holds:
//! 1. it is `(` or `（` … `)` or `）` directly after a Han ideograph;
//! 2. its content is lowercase pinyin: every syllable is one of the ~410
//!    syllables of Standard Mandarin ([`is_pinyin_syllable`]), syllables may
//!    be run together (`fāzhǎn`) or separated by a space, apostrophe or
//!    hyphen, and no letter is uppercase — so `(Li Qiang)`, `(Beijing)`,
//!    `(AI)`, `(GDP)` are real parentheticals, as are `(新吴区)`, `(2024)`,
//!    `(a)`;
//! 3. it is one of
//!    * **tone-marked**: at least one tone mark, at most one per syllable
//!      (`ā á ǎ à`, … `ǖ ǘ ǚ ǜ`, `ń ň ǹ ḿ`, combining U+0300/0301/0304/030C,
//!      and the breve `ă`, a common stand-in for the caron);
//!    * **tone-numbered**: every syllable ends in a digit 0–5 (`fa1zhan3`);
//!    * **plain** (neutral tone, `的(de)`): no marks and no digits, at least
//!      two letters;
//!
//!    plain readings and a lone one-letter tone-numbered syllable (`(e2)`)
//!    are *weak*: on their own `(ban)`, `(long)` or `(a1)` could be anything,
//!    so they are stripped only when a tone-marked or tone-numbered
//!    annotation (other than a weak one) is accepted within
//!    [`EVIDENCE_WINDOW`] bytes;
//! 4. the run of Han characters right before it is at least as long as the
//!    reading has syllables (the fewest syllables the reading splits into).
//!
//! Alignment: the annotation belongs to the characters it annotates, so one
//! atomic span maps `發(fā)` to `發` (or `發展(fāzhǎn)` to `發展`).

use std::collections::HashSet;
use std::sync::OnceLock;

use super::chars::is_han;
use super::{Editor, RepairStep};
use crate::text::align::Rewrite;

/// How far (in bytes, either direction) a weak annotation may be from a
/// strong one and still count as an annotation (about 200 Han characters).
pub const EVIDENCE_WINDOW: usize = 600;

/// Longest annotation content considered, in characters.
const MAX_CONTENT_CHARS: usize = 48;

/// Strips `(pinyin)` reading annotations after Han characters; see the
/// [module documentation](self) for the exact rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct StripPinyinAnnotations;

impl StripPinyinAnnotations {
    /// Creates the step.
    pub fn new() -> Self {
        StripPinyinAnnotations
    }
}

/// Every syllable of Standard Mandarin without tone, `ü` written `v`.
/// `lue`/`nue` are accepted as the usual spellings of `lüe`/`nüe`.
const SYLLABLES: &str = "
a ai an ang ao e ei en eng er o ou
ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
fa fan fang fei fen feng fo fou fu
da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo
ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve nue
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve lue
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
sa sai san sang sao se sen seng si song sou su suan sui sun suo
ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
wa wai wan wang wei wen weng wo wu
";

/// Interjection syllables (`嗯 ńg`, `呣 ḿ`): valid only with a tone mark,
/// since bare `m`, `n`, `ng` are too common as abbreviations.
const INTERJECTIONS: &[&str] = &["hm", "hng", "m", "n", "ng"];

fn syllables() -> &'static HashSet<&'static str> {
    static TABLE: OnceLock<HashSet<&'static str>> = OnceLock::new();
    TABLE.get_or_init(|| SYLLABLES.split_whitespace().collect())
}

/// Whether `s` (lowercase ASCII, `ü` written `v`, no tone) is a Standard
/// Mandarin syllable.
pub fn is_pinyin_syllable(s: &str) -> bool {
    syllables().contains(s)
}

/// One letter of a reading after undoing tone marks.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A base letter (`v` for `ü`) and whether it carried a tone mark.
    Letter(u8, bool),
    /// A tone number.
    Digit,
    /// A syllable separator (space, apostrophe, hyphen).
    Separator,
}

/// Base letter and tone flag of a lowercase pinyin letter.
fn letter(c: char) -> Option<(u8, bool)> {
    let (base, toned) = match c {
        'a'..='z' => (c as u8, false),
        'ü' => (b'v', false),
        'ɑ' => (b'a', false),
        'ɡ' => (b'g', false),
        'ā' | 'á' | 'ǎ' | 'à' | 'ă' => (b'a', true),
        'ē' | 'é' | 'ě' | 'è' | 'ĕ' => (b'e', true),
        'ī' | 'í' | 'ǐ' | 'ì' | 'ĭ' => (b'i', true),
        'ō' | 'ó' | 'ǒ' | 'ò' | 'ŏ' => (b'o', true),
        'ū' | 'ú' | 'ǔ' | 'ù' | 'ŭ' => (b'u', true),
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => (b'v', true),
        'ń' | 'ň' | 'ǹ' => (b'n', true),
        'ḿ' => (b'm', true),
        _ => return None,
    };
    Some((base, toned))
}

/// Splits annotation content into letters, digits and separators, undoing
/// precomposed and combining tone marks. `None` if anything else occurs.
fn tokenize(content: &str) -> Option<Vec<Item>> {
    let mut items = Vec::with_capacity(content.len());
    for c in content.chars() {
        let item = match c {
            '\u{300}' | '\u{301}' | '\u{304}' | '\u{306}' | '\u{30C}' => {
                // A combining tone mark applies to the preceding letter.
                match items.last_mut() {
                    Some(Item::Letter(_, toned @ false)) => *toned = true,
                    _ => return None,
                }
                continue;
            }
            '\u{308}' => {
                match items.last_mut() {
                    Some(Item::Letter(base @ b'u', _)) => *base = b'v',
                    _ => return None,
                }
                continue;
            }
            '0'..='5' => Item::Digit,
            ' ' | '\'' | '’' | '-' => Item::Separator,
            _ => {
                let (base, toned) = letter(c)?;
                Item::Letter(base, toned)
            }
        };
        items.push(item);
    }
    Some(items)
}

/// A parsed reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reading {
    /// How many syllables (annotated characters) it covers.
    syllables: usize,
    /// Whether it stands on its own; weak readings (no tone marks or
    /// numbers, or a lone one-letter syllable with a tone number) are only
    /// stripped near a strong one.
    strong: bool,
}

/// Whether letters `word` (bases) with `toned` marks form one syllable.
fn is_syllable(word: &[u8], toned: usize) -> bool {
    let Ok(s) = std::str::from_utf8(word) else {
        return false;
    };
    match toned {
        0 => is_pinyin_syllable(s),
        1 => is_pinyin_syllable(s) || INTERJECTIONS.contains(&s),
        _ => false,
    }
}

/// Fewest syllables a separator-free group of letters splits into (each
/// syllable at most one tone mark), or `None`.
fn min_syllables(group: &[(u8, bool)]) -> Option<usize> {
    const LONGEST: usize = 6; // zhuang, shuang, chuang
    let n = group.len();
    let mut best: Vec<Option<usize>> = vec![None; n + 1];
    best[0] = Some(0);
    let mut word = [0u8; LONGEST];
    for start in 0..n {
        let Some(count) = best[start] else { continue };
        let mut toned = 0;
        for (len, &(base, t)) in group[start..].iter().take(LONGEST).enumerate() {
            word[len] = base;
            toned += usize::from(t);
            if is_syllable(&word[..=len], toned) {
                let slot = &mut best[start + len + 1];
                *slot = Some(slot.map_or(count + 1, |s| s.min(count + 1)));
            }
        }
    }
    best[n]
}

/// Parses annotation content (between the parentheses) as a reading.
fn parse_reading(content: &str) -> Option<Reading> {
    let items = tokenize(content.trim_matches(' '))?;
    let digits = items.iter().filter(|i| matches!(i, Item::Digit)).count();
    let marks = items.iter().filter(|i| matches!(i, Item::Letter(_, true))).count();
    let letters = items.iter().filter(|i| matches!(i, Item::Letter(..))).count();
    if letters == 0 || (digits > 0 && marks > 0) {
        return None;
    }
    if digits > 0 {
        // Every syllable is letters followed by exactly one digit; separators
        // only between syllables.
        let mut count = 0;
        let mut word = Vec::new();
        for item in &items {
            match *item {
                Item::Letter(base, _) => word.push(base),
                Item::Digit if is_syllable(&word, 0) => {
                    word.clear();
                    count += 1;
                }
                Item::Separator if word.is_empty() => {}
                Item::Digit | Item::Separator => return None,
            }
        }
        if !word.is_empty() {
            return None;
        }
        return Some(Reading {
            syllables: count,
            strong: letters > 1,
        });
    }
    let mut total = 0;
    for group in items.split(|i| matches!(i, Item::Separator)) {
        if group.is_empty() {
            continue;
        }
        let letters: Vec<(u8, bool)> = group
            .iter()
            .filter_map(|i| match *i {
                Item::Letter(b, t) => Some((b, t)),
                _ => None,
            })
            .collect();
        total += min_syllables(&letters)?;
    }
    if marks == 0 && letters < 2 {
        return None; // `(a)`, `(e)`: list labels
    }
    Some(Reading {
        syllables: total,
        strong: marks > 0,
    })
}

/// An annotation found in the text.
#[derive(Debug)]
struct Candidate {
    /// Start of the first annotated character.
    start: usize,
    /// Position of the opening parenthesis.
    open: usize,
    /// End of the closing parenthesis.
    end: usize,
    strong: bool,
}

/// Start of the `k`-th Han character before `pos`, if the `k` characters
/// right before `pos` are all Han.
fn han_run_start(text: &str, pos: usize, k: usize) -> Option<usize> {
    let mut start = pos;
    for (i, c) in text[..pos].char_indices().rev().take(k) {
        if !is_han(c) {
            return None;
        }
        start = i;
    }
    (k > 0 && text[start..pos].chars().count() == k).then_some(start)
}

/// The annotation opening at `open` (a `(` or `（`), if any.
fn candidate_at(text: &str, open: usize, paren: char) -> Option<Candidate> {
    let content_start = open + paren.len_utf8();
    let rest = &text[content_start..];
    let (close, close_char) = rest
        .char_indices()
        .take(MAX_CONTENT_CHARS + 1)
        .find(|&(_, c)| matches!(c, ')' | '）' | '(' | '（' | '\n'))?;
    if !matches!(close_char, ')' | '）') {
        return None;
    }
    let reading = parse_reading(&rest[..close])?;
    let start = han_run_start(text, open, reading.syllables)?;
    Some(Candidate {
        start,
        open,
        end: content_start + close + close_char.len_utf8(),
        strong: reading.strong,
    })
}

impl RepairStep for StripPinyinAnnotations {
    fn name(&self) -> &'static str {
        "strip_pinyin"
    }

    fn apply(&self, text: &str) -> Rewrite {
        let mut candidates = Vec::new();
        let mut prev: Option<char> = None;
        for (i, c) in text.char_indices() {
            if matches!(c, '(' | '（') && prev.is_some_and(is_han) {
                // Annotations never overlap: each needs Han right before it.
                if let Some(candidate) = candidate_at(text, i, c) {
                    candidates.push(candidate);
                }
            }
            prev = Some(c);
        }
        if candidates.is_empty() {
            return Rewrite::identity(text);
        }
        // Positions of annotations that count as evidence for plain ones.
        let evidence: Vec<usize> = candidates.iter().filter(|c| c.strong).map(|c| c.open).collect();
        let near_evidence = |pos: usize| {
            let i = evidence.partition_point(|&e| e < pos);
            let after = evidence.get(i).is_some_and(|&e| e - pos <= EVIDENCE_WINDOW);
            let before = i > 0 && pos - evidence[i - 1] <= EVIDENCE_WINDOW;
            after || before
        };
        let mut editor = Editor::new(text);
        for c in &candidates {
            if c.strong || near_evidence(c.open) {
                editor.edit(c.start..c.end, &text[c.start..c.open]);
            }
        }
        editor.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repair::test_util::{apply_checked, assert_repairs, changes};

    const STEP: StripPinyinAnnotations = StripPinyinAnnotations;

    #[test]
    fn syllable_table() {
        let table = syllables();
        assert!((400..=420).contains(&table.len()), "{} syllables", table.len());
        assert!(table.iter().all(|s| s.bytes().all(|b| b.is_ascii_lowercase())));
        for s in ["zhuang", "lve", "nv", "er", "yo", "shei", "a"] {
            assert!(is_pinyin_syllable(s), "{s}");
        }
        for s in ["gdp", "ai2", "li qiang", "bei", "beijing", "v", "xin1"] {
            assert_eq!(is_pinyin_syllable(s), s == "bei", "{s}");
        }
    }

    #[test]
    fn strips_readings_after_characters() {
        let input = "加快發(fā)展新質(zhì)生產(chǎn)力";
        let r = assert_repairs(&STEP, input, "加快發展新質生產力");
        // The annotation belongs to its character: one atomic span each.
        assert_eq!(
            changes(input, &r),
            vec![("發(fā)", "發"), ("質(zhì)", "質"), ("產(chǎn)", "產")]
        );
        assert_repairs(&STEP, "發（fā）展", "發展");
        assert_repairs(&STEP, "發(fā）展", "發展");
        assert_repairs(&STEP, "女(nǚ)士", "女士");
        assert_repairs(&STEP, "略(lüè)", "略");
        assert_repairs(&STEP, "嗯(ńg)", "嗯");
        assert_repairs(&STEP, "發( fā )展", "發展");
    }

    #[test]
    fn multi_syllable_readings_cover_their_characters() {
        let input = "加快發展(fāzhǎn)新質";
        let r = assert_repairs(&STEP, input, "加快發展新質");
        assert_eq!(changes(input, &r), vec![("發展(fāzhǎn)", "發展")]);
        assert_repairs(&STEP, "西安(xī'ān)市", "西安市");
        assert_repairs(&STEP, "西安(xīān)市", "西安市");
        assert_repairs(&STEP, "西安(xī ān)市", "西安市");
        assert_repairs(&STEP, "創(chuàng)新(xīn)", "創新");
        // Not enough Han characters before it for the syllables.
        assert_repairs(&STEP, "A發(fāzhǎn)", "A發(fāzhǎn)");
        assert_repairs(&STEP, "發)(zhǎn)", "發)(zhǎn)");
    }

    #[test]
    fn tone_numbers_and_combining_marks() {
        assert_repairs(&STEP, "發(fa1)展(zhan3)", "發展");
        assert_repairs(&STEP, "發展(fa1zhan3)", "發展");
        assert_repairs(&STEP, "發展(fa1 zhan3)", "發展");
        assert_repairs(&STEP, "女(nv3)", "女");
        assert_repairs(&STEP, "發(fa\u{304})展(zha\u{30C}n)", "發展");
        assert_repairs(&STEP, "女(nu\u{308}\u{30C})", "女");
        // Digits out of place, or marks mixed with digits.
        for text in ["發(f1a)", "發(fā1)", "發(1fa)", "發(fa12)", "發(fa1zhan)"] {
            assert_repairs(&STEP, text, text);
        }
        // A one-letter numbered syllable needs evidence.
        assert_repairs(&STEP, "俄(e2)国", "俄(e2)国");
        assert_repairs(&STEP, "俄(e2)罗(luo2)斯", "俄罗斯");
    }

    #[test]
    fn neutral_tone_needs_a_marked_annotation_nearby() {
        assert_repairs(&STEP, "我的(de)书", "我的(de)书");
        assert_repairs(&STEP, "我的(de)书(shū)", "我的书");
        assert_repairs(&STEP, "書(shū)是我們(men)的", "書是我們的");
        let far = format!("書(shū){}我們(men)", "的".repeat(EVIDENCE_WINDOW));
        let r = apply_checked(&STEP, &far);
        assert!(r.text.ends_with("我們(men)"));
    }

    #[test]
    fn keeps_real_parentheticals() {
        for text in [
            "无锡(新吴区)",
            "国内生产总值(GDP)",
            "去年(2024)",
            "选项(a)",
            "人工智能(AI)",
            "总理李强(Li Qiang)",
            "北京(Beijing)",
            "北京(beijing)",
            "禁令(ban)",
            "标准(ISO 9001)",
            "距离(km)",
            "长度(m)",
            "公司（Apple）",
            "型号(a1)",
            "发(x)",
            "GDP(fā)",
            "發 (fā)",
            "發(fā(x))",
            "發()",
            "發(fā",
            "發(\u{301})",
            "發(\u{308}a)",
        ] {
            assert_repairs(&STEP, text, text);
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(STEP.apply(""), Rewrite::identity(""));
        assert_repairs(&STEP, "(fā)", "(fā)");
        assert_repairs(&STEP, "𠀀(fā)\0", "𠀀\0");
        assert_repairs(&STEP, "\u{301}(", "\u{301}(");
        let long_content = format!("發({})", "ā".repeat(200));
        assert_repairs(&STEP, &long_content, &long_content);
        let big = "加快發(fā)展".repeat(70_000);
        assert!(big.len() > 1_000_000);
        let r = apply_checked(&STEP, &big);
        assert_eq!(r.text, "加快發展".repeat(70_000));
    }
}
