//! Structured inputs: `arbitrary` builds Chinese-ish text out of pieces that
//! reach the interesting code (Traditional characters, pinyin annotations,
//! mojibake, full-width forms, numerals, units, contacts, invisibles) plus
//! request options, including now and then an out-of-range enum value. The
//! request is encoded with prost and handed to the same `*_bytes` path as
//! the raw targets, so it goes through the server's decoding as well.

use arbitrary::Arbitrary;
use prost::Message;
use zhtext::api::proto;

/// Fragments glued together by [`Piece::Fragment`].
pub const FRAGMENTS: &[&str] = &[
    // From tests/properties.rs.
    "北京",
    "清華大學",
    "发展",
    "發(fā)展",
    "(GDP)",
    "(2024)",
    "江 阴",
    "超 50 亿元",
    "ＴＯＰＣｏｎ１２ＧＷ",
    "鍙戝睍",
    "變?椤鞍l展",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{7}",
    "\u{301}",
    "𠮷",
    "😀",
    "👨\u{200d}👩",
    "滑鼠",
    "鼠标",
    "2024年6月28日",
    "57%",
    "0510-86801234",
    "http://www.jiangyin.gov.cn/",
    "a@b.cn",
    " ",
    "\n",
    "。",
    "习近平",
    "abc",
    // Traditional and regional vocabulary.
    "經濟發展",
    "臺灣",
    "軟體",
    "資訊",
    "香港特別行政區",
    "記者",
    "網際網路",
    "乾隆",
    "後來",
    "髮型",
    "著名",
    // Pinyin annotations and parentheticals.
    "(fā zhǎn)",
    "（jīng jì）",
    "经济(jīngjì)",
    "(zhōng)",
    "（",
    "）",
    "(",
    ")",
    // Mojibake (GBK read as UTF-8 and back).
    "鏂囨湰",
    "涓浗",
    "锛�",
    "�",
    // Width and spaces.
    "\u{3000}",
    "\u{a0}",
    "ＧＤＰ",
    "１２３",
    "．",
    "，",
    "％",
    "＠",
    "：",
    "  ",
    "\t",
    "\r\n",
    // Invisible and odd characters.
    "\u{ad}",
    "\u{200c}",
    "\u{200d}",
    "\u{202e}",
    "\u{2060}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{fffd}",
    "\u{e000}",
    "\u{10ffff}",
    "e\u{301}",
    "\u{1f1e8}\u{1f1f3}",
    // Numerals, units, currencies, dates and times.
    "一",
    "二",
    "两",
    "三",
    "五",
    "十",
    "百",
    "千",
    "万",
    "亿",
    "零",
    "〇",
    "点",
    "廿",
    "卅",
    "半",
    "元",
    "美元",
    "人民币",
    "港币",
    "欧元",
    "$",
    "¥",
    "￥",
    "USD",
    "RMB",
    "亿元",
    "万元",
    "百分之",
    "个百分点",
    "%",
    "‰",
    "平方米",
    "公里",
    "吨",
    "千瓦",
    "GW",
    "年",
    "月",
    "日",
    "号",
    "时",
    "分",
    "秒",
    "上午",
    "下午",
    "晚上",
    "凌晨",
    "中午",
    "今年",
    "去年",
    "2月29日",
    "13月32日",
    "二〇二四年",
    "二零二四年十二月三十一日",
    "9:45",
    "09:45:30",
    "24:00",
    "2024-04-09 09:45:30",
    "2024/6/28",
    "至",
    "到",
    "-",
    "—",
    "~",
    "～",
    "、",
    "+",
    "−",
    "负",
    "约",
    "近",
    "逾",
    "1,234,567",
    "3.1415926",
    "999999999999999999999999",
    "0.000000000001",
    "1.2万",
    "3至5年",
    "10%-15%",
    "200万—300万元",
    "6月27日至29日",
    "1-5月",
    "2021-2025年",
    "三百二千",
    "百分之零点五",
    // Phones, mails, links.
    "400-820-8820",
    "13812345678",
    "+86 138 1234 5678",
    "(0510)86801234",
    "010-12345678转123",
    "https://",
    "www.",
    ".com",
    ".gov.cn",
    "/path?q=中文&x=1#frag",
    "ftp://a.b",
    "user.name+tag@example.com.cn",
    "@",
    "mailto:",
    // Names, places, organizations.
    "李克强",
    "王小明",
    "欧阳",
    "张",
    "总理",
    "江阴市",
    "无锡",
    "长江",
    "国务院",
    "中国人民银行",
    "清华大学",
    "有限公司",
    "人民政府",
    "新华社",
    "记者",
    "会见",
    "在",
    "的",
    "和",
    // Latin.
    "Hello world",
    "iPhone",
    "COVID-19",
];

/// Pieces of a text.
#[derive(Arbitrary, Debug)]
pub enum Piece {
    /// An entry of [`FRAGMENTS`].
    Fragment(u8),
    /// A CJK Unified Ideograph.
    Han(u16),
    /// An ASCII digit run.
    Digits(u64),
    /// A full-width digit run.
    FullWidthDigits(u32),
    /// A run of Chinese numeral characters.
    CnNumeral(Vec<u8>),
    /// Any character.
    Char(char),
    /// Any string.
    Str(String),
}

const CN_NUMERALS: &[char] = &[
    '零', '〇', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '亿', '点', '廿',
    '卅', '壹', '贰', '叁', '拾', '佰', '仟',
];

/// A text made of pieces; a large `repeat` repeats it, to reach the
/// blocking-pool path, chunked processing and the size limit now and then.
#[derive(Arbitrary, Debug)]
pub struct FuzzText {
    pieces: Vec<Piece>,
    repeat: u8,
}

impl FuzzText {
    pub fn render(&self) -> String {
        let mut s = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Fragment(i) => s.push_str(FRAGMENTS[*i as usize % FRAGMENTS.len()]),
                Piece::Han(n) => s.push(char::from_u32(0x4e00 + u32::from(*n) % (0x9fff - 0x4e00 + 1)).unwrap()),
                Piece::Digits(n) => s.push_str(&n.to_string()),
                Piece::FullWidthDigits(n) => s.extend(
                    n.to_string()
                        .chars()
                        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()),
                ),
                Piece::CnNumeral(v) => {
                    s.extend(v.iter().take(12).map(|&b| CN_NUMERALS[b as usize % CN_NUMERALS.len()]))
                }
                Piece::Char(c) => s.push(*c),
                Piece::Str(t) => s.push_str(t),
            }
        }
        // 250..=255: repeat up to about 12, 20, 34, 36, 39 or 48 KiB: past
        // the work pool's 16 KiB inline threshold, past the pipeline's
        // 32 KiB chunk size, and past the fuzzed 40 KiB limit.
        if self.repeat >= 250 && !s.is_empty() {
            const TARGETS_KIB: [usize; 6] = [12, 20, 34, 36, 39, 48];
            let target = TARGETS_KIB[usize::from(self.repeat - 250)] * 1024;
            s = s.repeat((target / s.len()).max(1));
        }
        s
    }
}

/// An enum field: usually a known value, sometimes an unknown one.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct EnumValue(u8);

impl EnumValue {
    /// A value of an enum with `known` values (0..known).
    pub fn value(self, known: i32) -> i32 {
        match self.0 {
            0..=249 => i32::from(self.0) % known,
            250 => -1,
            251 => known,
            252 => i32::MAX,
            253 => i32::MIN,
            v => known + i32::from(v),
        }
    }
}

#[derive(Arbitrary, Debug)]
pub struct FuzzOptions {
    present: bool,
    conversion: EnumValue,
    strip_pinyin_annotations: bool,
    fold_width: bool,
    collapse_cjk_spaces: bool,
    repair_mojibake: bool,
    remove_invisible: bool,
}

impl FuzzOptions {
    pub fn to_proto(&self) -> Option<proto::NormalizeOptions> {
        self.present.then(|| proto::NormalizeOptions {
            conversion: self.conversion.value(17),
            strip_pinyin_annotations: self.strip_pinyin_annotations,
            fold_width: self.fold_width,
            collapse_cjk_spaces: self.collapse_cjk_spaces,
            repair_mojibake: self.repair_mojibake,
            remove_invisible: self.remove_invisible,
        })
    }
}

#[derive(Arbitrary, Debug)]
pub struct FuzzNormalize {
    text: FuzzText,
    options: FuzzOptions,
    encoding_type: EnumValue,
    include_alignment: bool,
}

impl FuzzNormalize {
    pub fn encode(&self) -> Vec<u8> {
        proto::NormalizeRequest {
            text: self.text.render(),
            options: self.options.to_proto(),
            encoding_type: self.encoding_type.value(4),
            include_alignment: self.include_alignment,
        }
        .encode_to_vec()
    }
}

#[derive(Arbitrary, Debug)]
pub struct FuzzSegment {
    text: FuzzText,
    normalize: FuzzOptions,
    mode: EnumValue,
    disable_hmm: bool,
    encoding_type: EnumValue,
    /// 255: ask for a dictionary profile the service does not have.
    dictionary: u8,
}

impl FuzzSegment {
    pub fn encode(&self) -> Vec<u8> {
        proto::SegmentRequest {
            text: self.text.render(),
            normalize: self.normalize.to_proto(),
            mode: self.mode.value(4),
            disable_hmm: self.disable_hmm,
            encoding_type: self.encoding_type.value(4),
            dictionary: if self.dictionary == 255 {
                "finance".into()
            } else {
                String::new()
            },
        }
        .encode_to_vec()
    }
}

#[derive(Arbitrary, Debug)]
pub struct FuzzTagEntities {
    text: FuzzText,
    normalize: FuzzOptions,
    encoding_type: EnumValue,
    types: Vec<EnumValue>,
}

impl FuzzTagEntities {
    pub fn encode(&self) -> Vec<u8> {
        proto::TagEntitiesRequest {
            text: self.text.render(),
            normalize: self.normalize.to_proto(),
            encoding_type: self.encoding_type.value(4),
            types: self.types.iter().take(16).map(|t| t.value(12)).collect(),
        }
        .encode_to_vec()
    }
}

const POS_TAGS: &[&str] = &[
    "n", "ns", "nr", "nt", "nz", "v", "vn", "a", "m", "x", "eng", "", "zz", "N",
];

#[derive(Arbitrary, Debug)]
pub struct FuzzExtractKeywords {
    text: FuzzText,
    normalize: FuzzOptions,
    top_k: u16,
    method: EnumValue,
    allowed_pos: Vec<u8>,
}

impl FuzzExtractKeywords {
    pub fn encode(&self) -> Vec<u8> {
        // Mostly small; 1/4 of the time up to 2047 (over the 1000 limit).
        let top_k = match self.top_k >> 14 {
            0..=2 => u32::from(self.top_k % 64),
            _ => u32::from(self.top_k & 0x7ff),
        };
        proto::ExtractKeywordsRequest {
            text: self.text.render(),
            normalize: self.normalize.to_proto(),
            top_k,
            method: self.method.value(3),
            allowed_pos: self
                .allowed_pos
                .iter()
                .take(8)
                .map(|&p| POS_TAGS[p as usize % POS_TAGS.len()].to_owned())
                .collect(),
        }
        .encode_to_vec()
    }
}
