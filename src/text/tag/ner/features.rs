//! What the model sees at each character: a fixed number ([`TEMPLATES`])
//! of 32-bit feature keys per character, each the hash of a template
//! number and its values, so the model stores no feature strings.
//!
//! Characters are compared after [`normalize`] (full-width folded, digits
//! to `0`, Latin lowercased). With `c0` the character, `w0` the jieba word
//! containing it (`w-1`, `w+1` its neighbours), `p` a word's POS tag and
//! `b` the character's place in `w0` (B/M/E/S):
//!
//! | #     | template                                                       |
//! |-------|----------------------------------------------------------------|
//! | 0     | bias                                                           |
//! | 1–5   | `c-2` … `c+2`                                                  |
//! | 6–10  | `c-2c-1`, `c-1c0`, `c0c+1`, `c+1c+2`, `c-1c+1`                  |
//! | 11–13 | `c-2c-1c0`, `c-1c0c+1`, `c0c+1c+2`                             |
//! | 14    | classes (Han, digit, numeral, Latin, punctuation…) of `c-1c0c+1` |
//! | 15–18 | `w0`, `p0`, `w-1`, `w+1`, each with `b`                        |
//! | 19–20 | `p-1 p0 b`, `p0 p+1 b`                                         |
//! | 21    | surname starting at `c0`, length of a title (书记, 记者…) ending just before it, class of `c+1` |
//! | 22    | place / organization suffixes (市, 公司, 委员会…) ending at `c0`, `c+1`, `c+2` |
//! | 23    | `p0 b` and the class of `c0`                                   |
//! | 24    | `c0 b`                                                         |
//! | 25–26 | `w-1 w0`, `w0 w+1`                                             |
//! | 27    | distance to the next organization and place suffix that ends a word, not crossing punctuation |
//! | 28    | `p0`, length of `w0`, `b`                                      |
//! | 29–30 | `c-3`, `c+3`                                                   |
//! | 31–33 | per type (PER, LOC, ORG): part (B/M/E) and length of the longest gazetteer name covering `c0` |
//! | 34–35 | `c-1c0 b`, `c0c+1 b`                                           |
//! | 36–37 | `w-2`, `w+2`, each with `b`                                    |
//! | 38–39 | `p-1 w0 b`, `w0 p+1 b`                                         |
//! | 40–41 | last and first character of `w0`, each with its length and `b` |
//! | 42–43 | `c-1c0c+1c+2`, `c-2c-1c0c+1`                                   |
//! | 44–46 | `r0`, `r-1 r0`, `r0 r+1`, where `r` is a character's role in gazetteer names (see below) |
//!
//! A character's role says how often it begins, continues and ends the
//! gazetteer's names of each type (none, once, 2–9, 10+ times): a class,
//! computed from the gazetteer when it is built, that rare characters share.
//!
//! [`FEATURE_VERSION`] guards against a model trained on other templates.

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
    ops::Range,
    sync::LazyLock,
};

use super::gazetteer::{Gazetteer, MAX_NAME_CHARS};

/// Bumped whenever a template or a word list changes.
pub(crate) const FEATURE_VERSION: u32 = 3;

/// Feature keys per character.
pub(crate) const TEMPLATES: usize = 47;

/// A segmented word of the text being featurized.
#[derive(Clone, Debug)]
pub(crate) struct WordRef<'a> {
    /// Byte range in the text.
    pub range: Range<usize>,
    /// jieba part-of-speech tag.
    pub pos: &'a str,
}

/// The feature keys of one text.
#[derive(Debug, Default)]
pub(crate) struct Features {
    /// Byte offset of each character, then the text length.
    pub offsets: Vec<usize>,
    /// `TEMPLATES` keys per character, character after character.
    pub keys: Vec<u32>,
}

impl Features {
    /// Number of characters.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The keys of character `i`.
    #[cfg(test)]
    pub(crate) fn at(&self, i: usize) -> &[u32] {
        &self.keys[i * TEMPLATES..(i + 1) * TEMPLATES]
    }
}

/// Character classes; a class feature lets rare characters share weights.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Boundary,
    Han,
    Digit,
    Numeral,
    Upper,
    Lower,
    Punct,
    Space,
    Other,
}

/// Gazetteer type bits, in [`super::labels::KINDS`] order.
pub(crate) const KIND_BITS: [u8; 3] = [1, 2, 4];

/// Stand-ins for characters before the start and after the end.
const BOS: u64 = 0x11_0000;
const EOS: u64 = 0x11_0001;
/// Characters of context on each side of the widest window.
const PAD: usize = 3;
/// Stand-in for "no word here" (the words did not cover the character).
const NO_WORD: u64 = 0x11_0002;

/// Folds width and digits so that MSRA's full-width `１９９８` and the
/// ASCII `1998` of other text share features.
pub(crate) fn normalize(c: char) -> u32 {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii_digit() {
        '0' as u32
    } else {
        c.to_ascii_lowercase() as u32
    }
}

fn class(c: char) -> Class {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    match c {
        '0'..='9' => Class::Digit,
        'A'..='Z' => Class::Upper,
        'a'..='z' => Class::Lower,
        '〇' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百' | '千' | '万'
        | '亿' | '两' => Class::Numeral,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2FA1F}' | '\u{F900}'..='\u{FAFF}' => {
            Class::Han
        }
        c if c.is_whitespace() => Class::Space,
        c if c.is_ascii_punctuation() => Class::Punct,
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' => {
            Class::Punct
        }
        _ => Class::Other,
    }
}

const MIX: u64 = 0x517c_c1b7_2722_0a95;

/// Folds one value into a running hash (cheap; [`finish`] does the mixing).
#[inline]
fn fold(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(MIX)
}

/// The 32-bit key of a running hash; 0 is kept free to mark empty slots.
#[inline]
fn finish(mut h: u64) -> u32 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    ((h >> 32) as u32).max(1)
}

/// The key of a template with its values.
#[inline]
fn key(template: u64, values: &[u64]) -> u32 {
    finish(values.iter().fold(fold(0, template + 1), |h, &v| fold(h, v)))
}

/// Start of a running hash of a character sequence.
const SEQ_SEED: u64 = 0x9e37_79b9;

/// Hash of a string's normalized characters, as extraction computes it
/// while scanning the text for word-list and gazetteer entries.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.chars().fold(SEQ_SEED, |h, c| fold(h, u64::from(normalize(c))))
}

/// Identity hasher for keys that already are hashes.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = fold(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

// Word-list flags. The lists below are part of the feature set: changing
// them means bumping FEATURE_VERSION and retraining.
const SURNAME: u8 = 1;
const TITLE: u8 = 2;
const LOC_SUFFIX: u8 = 4;
const ORG_SUFFIX: u8 = 8;
/// Longest word-list entry, in characters.
const MAX_LEXICON_LEN: usize = 5;

/// Common surnames; ambiguous function characters (和, 于, 时…) are left
/// out because they would fire everywhere.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任\
沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施牛\
樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴\
蒙鲍喻祁蒲房滕屈饶解牟艾尤穆农卓吉缪简项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏瞿桂佟臧闵苟邬卞姬栾隋刁沙荣巫寇桑\
郎甄丛仲虞敖巩佘池查麻苑迟邝匡鞠荆冀郁胥栗楚鄢劳谌奚粟冼蔺楼闻厉仝郜阚屠帅朴禹祖漆丰支卿狄晋扈晁芮浦薄邸雍辜裘\
邰赫杭逯茹诸嵇";

/// Two-character surnames.
const COMPOUND_SURNAMES: &str = "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 尉迟 公孙 夏侯 长孙 宇文 司徒 端木 轩辕 \
西门 呼延";

/// Words that typically stand right before a person's name in news.
const TITLES: &str = "书记 副书记 总书记 市委书记 省委书记 县委书记 党委书记 党组书记 市长 副市长 省长 \
副省长 县长 副县长 区长 镇长 乡长 村长 州长 局长 副局长 处长 科长 部长 副部长 厅长 \
主任 副主任 主席 副主席 总理 副总理 总统 副总统 首相 委员 常委 委员长 院长 副院长 \
校长 副校长 董事长 总经理 副总经理 经理 总裁 副总裁 首席执行官 创始人 负责人 主编 \
总编辑 记者 通讯员 编辑 教授 副教授 研究员 博士 院士 医生 老师 教练 主教练 队长 \
秘书长 发言人 大使 领事 司令员 司令 政委 军长 师长 团长 旅长 将军 上将 中将 少将 \
国务委员 代表 议员 检察长 庭长 法官 律师 会长 副会长 理事长 行长 社长 台长 所长 \
站长 馆长 先生 女士 同志 作者 摄影 导演 演员 选手 外长 总监 国王 女王 亲王 王子 \
公主 特使 总干事 秘书 主持人 网友 民警 警官 村民 市民 老人 小朋友 画家 作家";

/// Endings of place names.
const LOC_SUFFIXES: &str = "省 市 县 区 镇 乡 村 州 盟 旗 岛 山 河 江 湖 海 湾 港 峡 岭 峰 路 街 道 \
巷 城 洲 国 郡 半岛 群岛 平原 高原 盆地 沙漠 街道 社区 自治区 自治州 自治县 \
特别行政区 新区 开发区 高新区 经济区 示范区 自贸区 试验区 机场 车站 火车站 大桥 广场 \
公园 景区 水库 大道 地区 流域";

/// Endings of organization names.
const ORG_SUFFIXES: &str = "公司 集团 大学 学院 学校 中学 小学 幼儿园 医院 银行 委员会 委 部 局 厅 处 署 院 \
会 所 办 社 团 队 军 党 政府 法院 检察院 协会 学会 联合会 基金会 研究所 研究院 \
中心 研究中心 报 报社 日报 晚报 电视台 电台 出版社 俱乐部 厂 有限公司 股份公司 \
办公室 组织 联盟 理事会 议会 国会 事务所 分行 支行 酒店 宾馆 商场 超市 实验室 基地 \
总局 总署 总部 分公司 合作社 工作组 领导小组 指挥部 党委 党组 人大 政协 法庭 大队 \
支队 总队 派出所 科技 控股 证券 保险 航空 汽车 网络 传媒 股份";

/// All word lists: normalized-string hash → flags.
static LEXICON: LazyLock<HashMap<u64, u8, BuildHasherDefault<PreHashed>>> = LazyLock::new(|| {
    let mut map: HashMap<u64, u8, BuildHasherDefault<PreHashed>> = HashMap::default();
    let mut add = |word: &str, flag: u8| *map.entry(hash_str(word)).or_default() |= flag;
    for c in SURNAMES.chars() {
        add(c.encode_utf8(&mut [0; 4]), SURNAME);
    }
    for (list, flag) in [
        (COMPOUND_SURNAMES, SURNAME),
        (TITLES, TITLE),
        (LOC_SUFFIXES, LOC_SUFFIX),
        (ORG_SUFFIXES, ORG_SUFFIX),
    ] {
        for word in list.split_whitespace() {
            add(word, flag);
        }
    }
    map
});

/// The word-list flags of `word` (0 when it is on no list).
fn lexicon_flags(word: &str) -> u8 {
    LEXICON.get(&hash_str(word)).copied().unwrap_or(0)
}

/// Whether `word` starts with a common surname (one or two characters).
pub(crate) fn starts_with_surname(word: &str) -> bool {
    let mut ends = word.char_indices().map(|(i, c)| i + c.len_utf8());
    ends.by_ref()
        .take(2)
        .any(|end| lexicon_flags(&word[..end]) & SURNAME != 0)
}

/// Whether `word` starts with a two-character surname (欧阳, 司马).
pub(crate) fn starts_with_compound_surname(word: &str) -> bool {
    word.char_indices()
        .nth(2)
        .map(|(end, _)| end)
        .or_else(|| (word.chars().count() == 2).then_some(word.len()))
        .is_some_and(|end| lexicon_flags(&word[..end]) & SURNAME != 0)
}

/// Whether `word` is itself a typical ending of an organization's name
/// (公司, 实验室): a generic noun.
pub(crate) fn is_org_suffix(word: &str) -> bool {
    lexicon_flags(word) & ORG_SUFFIX != 0
}

/// Whether `word` ends with a typical ending of an organization's name
/// (大学, 医院, 公司, 局…).
pub(crate) fn ends_with_org_suffix(word: &str) -> bool {
    word.char_indices()
        .rev()
        .take(MAX_LEXICON_LEN)
        .any(|(i, _)| lexicon_flags(&word[i..]) & ORG_SUFFIX != 0)
}

/// Where a character sits in its word.
fn bmes(index: usize, len: usize) -> u64 {
    match (index, len) {
        (_, 1) => 3,
        (0, _) => 0,
        (i, n) if i + 1 == n => 2,
        _ => 1,
    }
}

/// Feature keys of `text`, whose segmentation is `words` (byte ranges into
/// `text`, sorted; they need not cover everything).
pub(crate) fn extract(text: &str, words: &[WordRef<'_>], gazetteer: &Gazetteer) -> Features {
    let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    offsets.push(text.len());
    let n = offsets.len() - 1;
    let mut keys = Vec::with_capacity(n * TEMPLATES);
    if n == 0 {
        return Features { offsets, keys };
    }

    // Character codes and classes, padded on each side so that a window
    // of ±PAD needs no bounds checks.
    let mut codes = Vec::with_capacity(n + 2 * PAD);
    let mut classes = Vec::with_capacity(n + 2 * PAD);
    codes.extend([BOS; PAD]);
    classes.extend([Class::Boundary; PAD]);
    for c in text.chars() {
        codes.push(u64::from(normalize(c)));
        classes.push(class(c));
    }
    codes.extend([EOS; PAD]);
    classes.extend([Class::Boundary; PAD]);
    let code = |i: usize, d: isize| codes[(i + PAD).wrapping_add_signed(d)];
    let cls = |i: usize, d: isize| classes[(i + PAD).wrapping_add_signed(d)] as u64;

    // Word of each character: its index, the character's position in it
    // (B/M/E/S) and its length in characters.
    let word_hashes: Vec<(u64, u64)> = words
        .iter()
        .map(|w| {
            let slice = text.get(w.range.clone()).unwrap_or("");
            (hash_str(slice), hash_str(w.pos))
        })
        .collect();
    let mut char_word: Vec<(Option<usize>, u64, u64)> = vec![(None, 0, 0); n];
    // First and last character codes of the word of each character.
    let mut word_ends: Vec<(u64, u64)> = vec![(NO_WORD, NO_WORD); n];
    let mut w = 0;
    let mut i = 0;
    while i < n {
        let at = offsets[i];
        while w < words.len() && words[w].range.end <= at {
            w += 1;
        }
        match words.get(w) {
            Some(word) if word.range.start <= at => {
                let first = offsets.partition_point(|&o| o < word.range.start);
                let last = offsets.partition_point(|&o| o < word.range.end).min(n);
                let len = last - first;
                for (j, slot) in char_word[i..last].iter_mut().enumerate() {
                    *slot = (Some(w), bmes(i + j - first, len), len as u64);
                }
                if last > first {
                    let ends = (codes[first + PAD], codes[last - 1 + PAD]);
                    word_ends[i..last].fill(ends);
                }
                i = last.max(i + 1);
            }
            _ => i += 1,
        }
    }
    let word_of = |k: Option<usize>| k.map_or((NO_WORD, NO_WORD), |k| word_hashes[k]);

    // Word-list matches: suffix flags of entries ending at each character,
    // surnames starting at it, and the length of a title ending just
    // before it.
    let mut ends = vec![0u8; n];
    let mut starts = vec![0u8; n];
    let mut title_before = vec![0u64; n + 1];
    for (start, surname) in starts.iter_mut().enumerate() {
        let mut h = SEQ_SEED;
        for len in 1..=MAX_LEXICON_LEN.min(n - start) {
            let end = start + len - 1;
            h = fold(h, code(end, 0));
            if let Some(&flags) = LEXICON.get(&h) {
                ends[end] |= flags & (LOC_SUFFIX | ORG_SUFFIX);
                *surname |= flags & SURNAME;
                if flags & TITLE != 0 {
                    title_before[end + 1] = title_before[end + 1].max(len as u64);
                }
            }
        }
    }

    // Distance to the nearest suffix (ending a word) at or after each
    // character, not crossing punctuation: long names are told by how they
    // end, which a ±2 window cannot see.
    let blocked = |i: usize| matches!(classes[i + PAD], Class::Punct | Class::Space | Class::Other);
    let mut to_org = vec![u64::MAX; n + 1];
    let mut to_loc = vec![u64::MAX; n + 1];
    for i in (0..n).rev() {
        if blocked(i) {
            continue;
        }
        let word_end = matches!(char_word[i].1, 2 | 3);
        to_org[i] = if word_end && ends[i] & ORG_SUFFIX != 0 {
            0
        } else {
            to_org[i + 1].saturating_add(1)
        };
        to_loc[i] = if word_end && ends[i] & LOC_SUFFIX != 0 {
            0
        } else {
            to_loc[i + 1].saturating_add(1)
        };
    }
    let bucket = |d: u64| match d {
        0..=4 => d,
        5..=6 => 5,
        7..=9 => 6,
        10..=14 => 7,
        _ => 8,
    };

    // Gazetteer: per type, the longest known name of that type covering
    // each character, as (length, part: 1 begin, 2 middle, 3 end).
    let mut names = vec![[(0u8, 0u8); 3]; n];
    if !gazetteer.is_empty() {
        for start in 0..n {
            let mut h = SEQ_SEED;
            for len in 1..=MAX_NAME_CHARS.min(n - start) {
                let j = start + len - 1;
                if matches!(classes[j + PAD], Class::Punct | Class::Space) {
                    break;
                }
                h = fold(h, code(j, 0));
                let bits = if len >= 2 { gazetteer.get(h) } else { 0 };
                for (k, _) in KIND_BITS.iter().enumerate().filter(|&(_, &b)| bits & b != 0) {
                    for (at, cover) in names[start..=j].iter_mut().enumerate() {
                        if usize::from(cover[k].0) < len {
                            let part = match at {
                                0 => 1,
                                a if a + 1 == len => 3,
                                _ => 2,
                            };
                            cover[k] = (len as u8, part);
                        }
                    }
                }
            }
        }
    }
    // How each character is used in known names, looked up once.
    let roles: Vec<u64> = codes.iter().map(|&c| gazetteer.role(c)).collect();
    let role = |i: usize, d: isize| roles[(i + PAD).wrapping_add_signed(d)];
    let name_len = |len: u8| match len {
        0..=4 => u64::from(len),
        5..=6 => 5,
        7..=9 => 6,
        _ => 7,
    };

    for i in 0..n {
        let (word, b, word_len) = char_word[i];
        let (w0, p0) = word_of(word);
        let (wp, pp) = match word {
            Some(0) => (BOS, BOS),
            Some(k) => word_of(Some(k - 1)),
            None => (NO_WORD, NO_WORD),
        };
        let (wn, pn) = match word {
            Some(k) if k + 1 < words.len() => word_of(Some(k + 1)),
            Some(_) => (EOS, EOS),
            None => (NO_WORD, NO_WORD),
        };
        let (wpp, wnn) = match word {
            Some(k) => (
                if k >= 2 { word_of(Some(k - 2)).0 } else { BOS },
                if k + 2 < words.len() {
                    word_of(Some(k + 2)).0
                } else {
                    EOS
                },
            ),
            None => (NO_WORD, NO_WORD),
        };
        let (first_char, last_char) = word_ends[i];
        let suffix_next = if i + 1 < n { ends[i + 1] } else { 0 };
        let suffix_after = if i + 2 < n { ends[i + 2] } else { 0 };
        keys.extend([
            key(0, &[]),
            key(1, &[code(i, -2)]),
            key(2, &[code(i, -1)]),
            key(3, &[code(i, 0)]),
            key(4, &[code(i, 1)]),
            key(5, &[code(i, 2)]),
            key(6, &[code(i, -2), code(i, -1)]),
            key(7, &[code(i, -1), code(i, 0)]),
            key(8, &[code(i, 0), code(i, 1)]),
            key(9, &[code(i, 1), code(i, 2)]),
            key(10, &[code(i, -1), code(i, 1)]),
            key(11, &[code(i, -2), code(i, -1), code(i, 0)]),
            key(12, &[code(i, -1), code(i, 0), code(i, 1)]),
            key(13, &[code(i, 0), code(i, 1), code(i, 2)]),
            key(14, &[cls(i, -1), cls(i, 0), cls(i, 1)]),
            key(15, &[w0, b]),
            key(16, &[p0, b]),
            key(17, &[wp, b]),
            key(18, &[wn, b]),
            key(19, &[pp, p0, b]),
            key(20, &[p0, pn, b]),
            key(21, &[u64::from(starts[i]), title_before[i], cls(i, 1)]),
            key(
                22,
                &[u64::from(ends[i]), u64::from(suffix_next), u64::from(suffix_after)],
            ),
            key(23, &[p0, b, cls(i, 0)]),
            key(24, &[code(i, 0), b]),
            key(25, &[wp, w0]),
            key(26, &[w0, wn]),
            key(27, &[bucket(to_org[i]), bucket(to_loc[i])]),
            key(28, &[p0, word_len.min(5), b]),
            key(29, &[code(i, -3)]),
            key(30, &[code(i, 3)]),
            key(31, &[u64::from(names[i][0].1), name_len(names[i][0].0)]),
            key(32, &[u64::from(names[i][1].1), name_len(names[i][1].0)]),
            key(33, &[u64::from(names[i][2].1), name_len(names[i][2].0)]),
            key(34, &[code(i, -1), code(i, 0), b]),
            key(35, &[code(i, 0), code(i, 1), b]),
            key(36, &[wpp, b]),
            key(37, &[wnn, b]),
            key(38, &[pp, w0, b]),
            key(39, &[w0, pn, b]),
            key(40, &[last_char, word_len.min(5), b]),
            key(41, &[first_char, word_len.min(5), b]),
            key(42, &[code(i, -1), code(i, 0), code(i, 1), code(i, 2)]),
            key(43, &[code(i, -2), code(i, -1), code(i, 0), code(i, 1)]),
            key(44, &[role(i, 0)]),
            key(45, &[role(i, -1), role(i, 0)]),
            key(46, &[role(i, 0), role(i, 1)]),
        ]);
    }
    Features { offsets, keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'a>(text: &str, cuts: &[(&'a str, &'a str)]) -> Vec<WordRef<'a>> {
        let mut at = 0;
        let out = cuts
            .iter()
            .map(|(w, pos)| {
                let range = at..at + w.len();
                at += w.len();
                WordRef { range, pos }
            })
            .collect();
        assert_eq!(at, text.len());
        out
    }

    #[test]
    fn one_row_of_keys_per_character() {
        let text = "李强在北京";
        let f = extract(
            text,
            &words(text, &[("李强", "nr"), ("在", "p"), ("北京", "ns")]),
            &Gazetteer::default(),
        );
        assert_eq!(f.len(), 5);
        assert_eq!(f.keys.len(), 5 * TEMPLATES);
        assert_eq!(f.offsets, vec![0, 3, 6, 9, 12, 15]);
        assert!(f.keys.iter().all(|&k| k != 0));
    }

    #[test]
    fn width_and_digits_are_folded() {
        assert_eq!(normalize('１'), normalize('7'));
        assert_eq!(normalize('Ａ'), 'a' as u32);
        let a = extract("１９９８年", &[], &Gazetteer::default());
        let b = extract("2024年", &[], &Gazetteer::default());
        assert_eq!(a.at(4), b.at(4));
    }

    #[test]
    fn empty_and_uncovered_text() {
        assert_eq!(extract("", &[], &Gazetteer::default()).len(), 0);
        let f = extract("abc 😀", &[], &Gazetteer::default());
        assert_eq!(f.len(), 5);
    }
}
