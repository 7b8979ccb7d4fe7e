//! Rule-based recognition of numeric, temporal and contact entities in
//! Chinese news text — dates, times, money, percentages, quantities, phone
//! numbers, e-mail addresses and URLs — each with a normalized value.
//!
//! # How it works
//!
//! The input is scanned once, left to right, over a folded view of its
//! characters (full-width ASCII such as `１２ＧＷ` becomes ASCII, ideographic
//! and no-break spaces become `' '`) that remembers every character's byte
//! offset in the original string, so spans always cover exactly what was
//! written. At each position a fixed cascade of hand-written matchers is tried
//! (links, money with a currency prefix, phone numbers, `百分之…`, times after
//! a period word such as `下午`, then dates, times and measures starting at a
//! numeral); the first that matches wins and scanning resumes after it. The
//! output is therefore sorted and never overlapping.
//!
//! Matchers only start on token boundaries (never inside a digit run, a
//! Chinese numeral or an ASCII word) and numerals are length-capped, so the
//! whole scan is linear in the input length; no regex engine is involved.
//! Arithmetic is exact (scaled `u128`): a value that would overflow is
//! dropped, never approximated.
//!
//! # Normalized values
//!
//! | kind | example | value |
//! |---|---|---|
//! | Date | `2024年6月28日`, `6月27日`, `2024-04-09 09:45:30` | `2024-06-28`, `--06-27`, `2024-04-09T09:45:30` |
//! | Time | `下午3点`, `9:45` | `15:00`, `09:45` |
//! | Money | `1.2万美元`, `人民币3000元` | `12000 USD`, `3000 CNY` |
//! | Percent | `5.2%`, `百分之零点五`, `七成` ([`ShareRecognizer`]) | `0.052`, `0.005`, `0.7` |
//! | Quantity | `400 万平方米`, `3个百分点` | `4000000 平方米`, `3 百分点` |
//! | PhoneNumber | `0516-82345678`, `400-820-8820` | `+8651682345678`, `+864008208820` |
//! | Email, Url | `www.jiangyin.gov.cn` | the text as written |
//!
//! # Decisions
//!
//! * **Ranges** (`3至5年`, `10%-15%`, `200万—300万元`, `6月27日至29日`,
//!   `1-5月`, `2021-2025年`) give **two entities**, never one interval. The
//!   left side borrows what it leaves out from the right side: its unit,
//!   currency or `%`, and its trailing multiplier when it has none of its own
//!   (`2至3万元` → `20000 CNY`, `30000 CNY`). The right side of a date range
//!   borrows the larger fields it leaves out from the left side (`6月27日至29日`
//!   → `--06-27`, `--06-29`). Range separators: `至 到 - — – ~ ～ 〜`.
//! * **Partial dates** use the ISO 8601 reduced forms: `2024`, `2024-06`,
//!   `--06-27` (month and day), `--06` (month), `---03` (day of month).
//!   A bare day `3日` is tagged `---03`, because in news `记者3日获悉` names a
//!   day; it is skipped after words that make it a duration (`近3日`, `每3日`,
//!   `第3日` …) and when written with Chinese numerals (`三日` is usually
//!   "three days"). Relative or vague dates (`今年`, `去年`, `上月`, `近日`,
//!   `年底`, weekdays) are not tagged: they have no value without a reference
//!   date. Only 4-digit years 1000–2999 are years, and Taiwan's Republic of
//!   China years (`民国113年` → `2024`); any other `N年` is a duration
//!   (QUANTITY `N 年`).
//! * **Date and time**: `2024-04-09 09:45:30` is one DATE
//!   (`2024-04-09T09:45:30`); Chinese phrasing such as `6月28日上午9时` gives a
//!   DATE and a TIME. `N点` is a time only with a period word (`下午3点`) or
//!   minutes (`3点半`, `3点15分`), since `3点要求` means "three points";
//!   `N时` alone needs Arabic digits (`一时` means "for a while").
//! * **Approximations**: prefixes (`约 近 超 逾 …`) and suffixes (`左右`,
//!   `以上`) stay outside the span. An infix `多`/`余` between number and
//!   multiplier or unit is inside the span but not in the value, which is the
//!   stated lower bound: `500多家` → `500 家`, `3000余万元` → `30000000 CNY`.
//!   Vague numerals (`数十亿`, `几十个`, `上百家`, `近百家`) are not tagged.
//! * **Currencies**: an amount in the generic `元` takes the currency named
//!   before it (`新台币100亿元` → `10000000000 TWD`, `港币500万元` → HKD), and
//!   is CNY otherwise, whatever the text's region. `兆` is 10^12 (`一兆元`),
//!   as Taiwan and Hong Kong write amounts, except where it begins a unit
//!   (`兆瓦`).
//! * **Percentage points**: `3个百分点` is QUANTITY `3 百分点`, not PERCENT.
//! * **Bare numbers** and numbers with only a multiplier (`80亿`) are not
//!   tagged. Neither are ordinals (`第3家`), the article `一` before a measure
//!   word (`一家企业`), a single Chinese digit before `元` (`二元结构`), and a
//!   few lexicalized words (`三次产业`, `五台山`).
//!   Chinese-numeral ordinals written without `第` (`二次会议`) still read as
//!   counts. `三千米` reads as `3 千米`, the same length as 3000 米.
//! * **Signs**: a `-` before money, a percentage or a quantity is a minus
//!   sign (`增长-3.2%` → `-0.032`, `-5℃` → `-5 ℃`) unless what precedes it
//!   could end an entity or a name (`10%-15%`, `3万元-5万元`, `COVID-19`),
//!   where it is a range separator or a hyphen.
//! * **Phones**: Chinese mobiles, landlines with area code and 400/800
//!   service numbers, written contiguously or in the usual groups, with an
//!   optional `+86`. Short hotlines (`110`, `12345`, `95588`) are not tagged:
//!   they are indistinguishable from counts and have no E.164 form. A digit
//!   string followed by a unit (`13000000000元`) is not a phone.
//! * **Links** must be ASCII as written; they stop at CJK text and drop
//!   trailing punctuation and unbalanced closing brackets. Bare domains need a
//!   known top-level domain (`jiangyin.gov.cn`, `12306.cn`).

use std::collections::HashMap;
use std::fmt;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Kind of entity found by [`RuleRecognizer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// Calendar date, possibly partial, possibly with a time of day (ISO 8601).
    Date,
    /// Time of day, `HH:MM` or `HH:MM:SS`.
    Time,
    /// Amount of money, `<amount> <ISO 4217 code>`.
    Money,
    /// Percentage or per-mille, as a plain decimal fraction.
    Percent,
    /// Number with a unit or measure word, `<number> <unit>`.
    Quantity,
    /// Chinese phone number in E.164 form.
    PhoneNumber,
    /// E-mail address, as written.
    Email,
    /// Web address, as written.
    Url,
}

/// One recognized entity.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleEntity {
    /// What was recognized.
    pub kind: RuleKind,
    /// Byte offset of the start of the span in the input (a char boundary).
    pub start: usize,
    /// Byte offset just past the end of the span (exclusive, a char boundary).
    pub end: usize,
    /// Canonical value; its format depends on `kind` (see the module docs).
    pub normalized: String,
}

/// Recognizer for dates, times, money, percentages, quantities, phone
/// numbers, e-mail addresses and URLs in Chinese text.
///
/// Build it once with [`RuleRecognizer::new`] and share it: it holds only
/// immutable tables, so it is `Send + Sync`.
#[derive(Debug)]
pub struct RuleRecognizer {
    /// Measure words and units written after a number.
    units: PatternTable,
    /// Currency words and codes written after an amount.
    currencies: PatternTable,
}

impl Default for RuleRecognizer {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleRecognizer {
    /// Builds the recognizer's tables.
    #[must_use]
    pub fn new() -> Self {
        Self {
            units: PatternTable::new(UNITS),
            currencies: PatternTable::new(CURRENCIES),
        }
    }

    /// All entities in `text`, sorted by start and never overlapping.
    ///
    /// Offsets are UTF-8 byte offsets into `text` on char boundaries. Never
    /// panics and runs in time linear in the length of `text`.
    #[must_use]
    pub fn find(&self, text: &str) -> Vec<RuleEntity> {
        let t = Text::new(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let mut cursor = i;
            for f in self.match_at(&t, i).unwrap_or_default() {
                // Matchers only look forward from `i`; this guard keeps the
                // output ordered and disjoint even if one of them misbehaved.
                if f.start < cursor || f.end <= f.start {
                    break;
                }
                cursor = f.end;
                out.push(RuleEntity {
                    kind: f.kind,
                    start: t.offs[f.start],
                    end: t.offs[f.end],
                    normalized: f.value,
                });
            }
            i = cursor.max(i + 1);
        }
        out
    }

    /// Entities starting exactly at char `i`, in text order.
    fn match_at(&self, t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
        let single = link(t, i)
            .or_else(|| self.prefixed_money(t, i))
            .or_else(|| self.phone(t, i))
            .or_else(|| self.prefixed_percent(t, i));
        if let Some(f) = single {
            return Some(vec![f]);
        }
        self.signed_measure(t, i)
            .or_else(|| period_time(t, i))
            .or_else(|| t.lit(i, "民国").and_then(|_| date_run(t, i)))
            .or_else(|| bracketed_day(t, i).map(|f| vec![f]))
            .or_else(|| self.numeral_run(t, i))
    }

    /// Dates, times or measures starting at a numeral at `i`.
    fn numeral_run(&self, t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
        if !t.num_start(i) {
            return self.bare_magnitude_money(t, i).map(|f| vec![f]);
        }
        date_run(t, i)
            .or_else(|| time_run(t, i, i, None))
            .or_else(|| self.measure_run(t, i))
    }
}

/// Shares in tenths: 七成以上的企业 → PERCENT `0.7` (see [`tenths`]). Kept
/// apart from [`RuleRecognizer`], whose matches win over names, so that the
/// pipeline can rank these below the names: 成 also ends given names
/// (穗积一成, 李五成), which the NER model finds.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShareRecognizer;

impl ShareRecognizer {
    /// Shares in `text`, in order, with byte offsets.
    pub fn find(&self, text: &str) -> Vec<RuleEntity> {
        let t = Text::new(text);
        (0..t.len())
            .filter_map(|i| tenths(&t, i))
            .map(|f| RuleEntity {
                kind: f.kind,
                start: t.offs[f.start],
                end: t.offs[f.end],
                normalized: f.value,
            })
            .collect()
    }
}

/// What may follow a share in tenths.
const SHARE_ENDS: &[char] = &[
    '的', '以', '左', '多', '，', '。', '、', '；', '：', '）', '”', ',', '.', ';', ')', ' ', '\n',
];

/// Words that follow a share in tenths as what it is a share of, or where
/// it comes from (七成受访者, 三成来自东盟): none of them reads with 成 as a
/// word (成为, 成熟, 成员 and the like are not here).
const SHARE_FOLLOWERS: &[&str] = &[
    "受访者",
    "企业",
    "家庭",
    "居民",
    "市民",
    "民众",
    "网友",
    "学生",
    "消费者",
    "用户",
    "来自",
    "用于",
    "属于",
];

/// `三成`, `两成`: a share in tenths, as news writes them (七成以上的企业,
/// 增长两成多, 七成受访者) → `0.7`, `0.2`. Only a lone Chinese digit before
/// 成, and only before what ends a share (的, 以上, 左右, 多, punctuation or
/// the end) or one of [`SHARE_FOLLOWERS`]: 一成不变, 七成熟, 九成新, 三成为,
/// 五成员国 and the adverb 八成 (八成是) are other words.
fn tenths(t: &Text<'_>, i: usize) -> Option<Found> {
    let digit = "一二三四五六七八九".chars().position(|c| t.is(i, c)).map(|d| d + 1);
    let digit = digit.or_else(|| t.is(i, '两').then_some(2))?;
    let lone = !t
        .before(i, 1)
        .is_some_and(|c| is_cn_numeral(c) || c == '第' || c.is_ascii_digit());
    let ends_share = t.ch(i + 2).is_none_or(|c| SHARE_ENDS.contains(&c))
        || SHARE_FOLLOWERS.iter().any(|w| t.lit(i + 2, w).is_some());
    (lone && t.is(i + 1, '成') && ends_share).then(|| Found::new(RuleKind::Percent, i, i + 2, format!("0.{digit}")))
}

/// An entity under construction, in char indices of the [`Text`].
#[derive(Debug)]
struct Found {
    /// What was found.
    kind: RuleKind,
    /// First char of the span.
    start: usize,
    /// Char just past the span.
    end: usize,
    /// The normalized value.
    value: String,
}

impl Found {
    fn new(kind: RuleKind, start: usize, end: usize, value: impl ToString) -> Self {
        Self {
            kind,
            start,
            end,
            value: value.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/// A literal to match after a number and the text it contributes to the
/// normalized value.
#[derive(Clone, Copy, Debug)]
struct Pattern {
    /// What is written, in folded form (`GW` also matches `ＧＷ`).
    text: &'static str,
    /// What goes into the normalized value: a unit or an ISO 4217 code.
    value: &'static str,
    /// Ends in an ASCII letter, so must not run into another one (`GW` is
    /// not a prefix of `GWx`).
    word_like: bool,
}

/// Patterns grouped by first char, each group longest first, so that a
/// lookup tries only the few patterns that can match and 千瓦时 beats 千瓦.
#[derive(Debug)]
struct PatternTable {
    /// Patterns keyed by their first char.
    by_first: HashMap<char, Vec<Pattern>>,
}

impl PatternTable {
    fn new(table: &[(&'static str, &'static str)]) -> Self {
        let mut by_first: HashMap<char, Vec<Pattern>> = HashMap::new();
        for &(text, value) in table {
            let (Some(first), Some(last)) = (text.chars().next(), text.chars().last()) else {
                continue;
            };
            by_first.entry(first).or_default().push(Pattern {
                text,
                value,
                word_like: last.is_ascii_alphanumeric(),
            });
        }
        for group in by_first.values_mut() {
            group.sort_by_key(|p| std::cmp::Reverse(p.text.chars().count()));
        }
        Self { by_first }
    }

    /// The longest pattern at `i` and the index past it.
    fn longest_at(&self, t: &Text<'_>, i: usize) -> Option<(&Pattern, usize)> {
        self.by_first.get(&t.ch(i)?)?.iter().find_map(|p| {
            let end = t.lit(i, p.text)?;
            let runs_on = p.word_like && t.ch(end).is_some_and(|c| c.is_ascii_alphanumeric());
            (!runs_on).then_some((p, end))
        })
    }

    fn iter(&self) -> impl Iterator<Item = &Pattern> {
        self.by_first.values().flatten()
    }
}

/// Units and measure words accepted after a number, with the unit written in
/// the normalized value. Money words live in [`CURRENCIES`]; `月` and `日`
/// make dates. Left out as too ambiguous: `分`, `秒` and `方` alone, and `期`
/// and `届`, which after a Chinese numeral are mostly ordinals (`二期工程`,
/// `十四届全国人大`).
const UNITS: &[(&str, &str)] = &[
    // Percentage points: a difference of percentages, not a percentage.
    ("个百分点", "百分点"),
    ("百分点", "百分点"),
    // Area, volume, length, mass.
    ("平方公里", "平方公里"),
    ("平方千米", "平方千米"),
    ("平方米", "平方米"),
    ("平米", "平米"),
    ("立方米", "立方米"),
    ("公顷", "公顷"),
    ("亩", "亩"),
    ("公里", "公里"),
    ("千米", "千米"),
    ("米", "米"),
    ("厘米", "厘米"),
    ("毫米", "毫米"),
    ("吨", "吨"),
    ("公斤", "公斤"),
    ("千克", "千克"),
    ("克", "克"),
    ("斤", "斤"),
    ("升", "升"),
    ("毫升", "毫升"),
    ("km²", "km²"),
    ("m²", "m²"),
    ("㎡", "㎡"),
    ("km", "km"),
    ("kg", "kg"),
    ("cm", "cm"),
    ("mm", "mm"),
    // Energy and power.
    ("千瓦时", "千瓦时"),
    ("千瓦", "千瓦"),
    ("兆瓦", "兆瓦"),
    ("吉瓦", "吉瓦"),
    ("瓦", "瓦"),
    ("度", "度"),
    ("千伏", "千伏"),
    ("TWh", "TWh"),
    ("GWh", "GWh"),
    ("MWh", "MWh"),
    ("kWh", "kWh"),
    ("KWh", "KWh"),
    ("GW", "GW"),
    ("MW", "MW"),
    ("kW", "kW"),
    ("KW", "KW"),
    ("kV", "kV"),
    // Temperature.
    ("摄氏度", "摄氏度"),
    ("℃", "℃"),
    // Durations and ages.
    ("个工作日", "工作日"),
    ("工作日", "工作日"),
    ("个小时", "小时"),
    ("小时", "小时"),
    ("分钟", "分钟"),
    ("秒钟", "秒"),
    ("个月", "个月"),
    ("个季度", "季度"),
    ("个星期", "星期"),
    ("周年", "周年"),
    ("周岁", "周岁"),
    ("年级", "年级"),
    ("年", "年"),
    ("天", "天"),
    ("周", "周"),
    ("岁", "岁"),
    // Counts.
    ("人次", "人次"),
    ("人", "人"),
    ("名", "名"),
    ("位", "位"),
    ("家", "家"),
    ("户", "户"),
    ("个", "个"),
    ("件", "件"),
    ("辆", "辆"),
    ("台", "台"),
    ("套", "套"),
    ("项", "项"),
    ("座", "座"),
    ("所", "所"),
    ("艘", "艘"),
    ("架次", "架次"),
    ("架", "架"),
    ("次", "次"),
    ("场", "场"),
    ("条", "条"),
    ("只", "只"),
    ("头", "头"),
    ("株", "株"),
    ("棵", "棵"),
    ("篇", "篇"),
    ("张", "张"),
    ("份", "份"),
    ("批次", "批次"),
    ("批", "批"),
    ("支", "支"),
    ("间", "间"),
    ("栋", "栋"),
    ("幢", "幢"),
    ("层", "层"),
    ("处", "处"),
    ("轮", "轮"),
    ("起", "起"),
    ("例", "例"),
    ("宗", "宗"),
    ("片", "片"),
    ("组", "组"),
    ("种", "种"),
    ("类", "类"),
    ("款", "款"),
    ("道", "道"),
    ("股", "股"),
    ("倍", "倍"),
    ("级", "级"),
    ("标箱", "标箱"),
    ("TEU", "TEU"),
];

/// Currency words and codes written after an amount, with ISO 4217 codes.
const CURRENCIES: &[(&str, &str)] = &[
    ("元人民币", "CNY"),
    ("人民币", "CNY"),
    ("元", "CNY"),
    ("美元", "USD"),
    ("美金", "USD"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("澳门元", "MOP"),
    ("澳门币", "MOP"),
    ("澳元", "AUD"),
    ("欧元", "EUR"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("韩元", "KRW"),
    ("新台币", "TWD"),
    ("台币", "TWD"),
    ("卢布", "RUB"),
    ("加元", "CAD"),
    ("加拿大元", "CAD"),
    ("新加坡元", "SGD"),
    ("新元", "SGD"),
    ("瑞士法郎", "CHF"),
    ("泰铢", "THB"),
    ("卢比", "INR"),
    ("越南盾", "VND"),
    // Names Hong Kong, Macao and Taiwan news use (seen here through the
    // Simplified view: 日圓 → 日圆, 紐西蘭幣 → 纽西兰币).
    ("日圆", "JPY"),
    ("日币", "JPY"),
    ("韩圆", "KRW"),
    ("韩圜", "KRW"),
    ("韩币", "KRW"),
    ("澳大利亚元", "AUD"),
    ("澳币", "AUD"),
    ("新西兰元", "NZD"),
    ("纽西兰元", "NZD"),
    ("纽西兰币", "NZD"),
    ("纽元", "NZD"),
    ("纽币", "NZD"),
    ("瑞郎", "CHF"),
    ("印度卢比", "INR"),
    ("林吉特", "MYR"),
    ("令吉", "MYR"),
    ("马币", "MYR"),
    ("印尼盾", "IDR"),
    ("雷亚尔", "BRL"),
    ("巴西雷亚尔", "BRL"),
    ("兰特", "ZAR"),
    ("南非兰特", "ZAR"),
    // The bare 里拉 is left out: Italy's lira in older text, Turkey's now.
    ("土耳其里拉", "TRY"),
    ("菲律宾比索", "PHP"),
    ("墨西哥比索", "MXN"),
    ("阿根廷比索", "ARS"),
    ("瑞典克朗", "SEK"),
    ("挪威克朗", "NOK"),
    ("丹麦克朗", "DKK"),
    ("迪拉姆", "AED"),
    ("沙特里亚尔", "SAR"),
    ("兹罗提", "PLN"),
    ("CNY", "CNY"),
    ("RMB", "CNY"),
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("HKD", "HKD"),
    ("JPY", "JPY"),
    ("GBP", "GBP"),
    ("AUD", "AUD"),
    ("CAD", "CAD"),
    ("CHF", "CHF"),
    ("SGD", "SGD"),
    ("KRW", "KRW"),
    ("TWD", "TWD"),
    ("MOP", "MOP"),
];

/// Currency markers written before an amount (`人民币3000元`, `￥1,234.5`).
const MONEY_PREFIXES: &[(&str, &str)] = &[
    ("人民币", "CNY"),
    // Hong Kong, Taiwan and Macao news name the currency first, then the
    // amount in 元 (新台币100亿元, 港币500万元).
    ("新台币", "TWD"),
    ("台币", "TWD"),
    ("港币", "HKD"),
    ("港元", "HKD"),
    ("澳门币", "MOP"),
    ("澳门元", "MOP"),
    ("美元", "USD"),
    ("欧元", "EUR"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("NT$", "TWD"),
    ("MOP$", "MOP"),
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("RMB", "CNY"),
    ("CNY", "CNY"),
    ("USD", "USD"),
    ("HKD", "HKD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("$", "USD"),
    // In Chinese text the yen/yuan sign means yuan.
    ("￥", "CNY"),
    ("¥", "CNY"),
    ("€", "EUR"),
    ("£", "GBP"),
];

/// English scale words after an amount with a currency prefix (`$5 million`).
const ENGLISH_SCALES: &[(&str, i32)] = &[("trillion", 12), ("billion", 9), ("million", 6), ("thousand", 3)];

/// Words where a Chinese numeral and a measure word are not a quantity.
const LEXICALIZED: &[&str] = &["三次产业", "七台河", "五台山", "五位一体"];

/// Chars before a bare day (`3日`) that make it a duration, not a date.
/// `年` and `月` are there because a day right after a year or month that
/// did not take it (`2024年28日`, `2月30日`) is no date either.
const BARE_DAY_BLOCKERS: &[char] = &['近', '超', '逾', '约', '每', '续', '前', '后', '这', '第', '年', '月'];

/// Chars before a numeral that make it vague (`数十亿`, `几十个`, `上百家`).
const VAGUE_BEFORE: &[char] = &['数', '几', '上'];

/// Top-level domains accepted for links written without `http://` or `www.`.
const BARE_TLDS: &[&str] = &[
    "cn", "com", "net", "org", "gov", "edu", "info", "biz", "io", "top", "xyz", "hk", "mo", "tw",
];

// ---------------------------------------------------------------------------
// Folded text view
// ---------------------------------------------------------------------------

/// Most consecutive spaces tolerated inside an entity (`5000 亿元`).
const MAX_SPACES: usize = 2;

/// The input as chars, with full-width forms folded, and byte offsets.
struct Text<'a> {
    /// The input, for slicing links out as written.
    src: &'a str,
    /// Chars with full-width ASCII folded to ASCII and wide spaces to `' '`.
    norm: Vec<char>,
    /// Chars as written: links must be ASCII as written.
    raw: Vec<char>,
    /// Byte offset of each char, then `src.len()`.
    offs: Vec<usize>,
}

/// Folds full-width ASCII variants and wide spaces to plain ASCII.
fn fold(c: char) -> char {
    match c {
        '\u{3000}' | '\u{00A0}' => ' ',
        // The full-width comma is Chinese punctuation, never a digit group
        // separator: keep it distinct from ','.
        '\u{FF0C}' => c,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

impl<'a> Text<'a> {
    fn new(src: &'a str) -> Self {
        let n = src.chars().count();
        let mut norm = Vec::with_capacity(n);
        let mut raw = Vec::with_capacity(n);
        let mut offs = Vec::with_capacity(n + 1);
        for (off, c) in src.char_indices() {
            raw.push(c);
            norm.push(fold(c));
            offs.push(off);
        }
        offs.push(src.len());
        Self { src, norm, raw, offs }
    }

    fn len(&self) -> usize {
        self.norm.len()
    }

    /// Folded char at `i`.
    fn ch(&self, i: usize) -> Option<char> {
        self.norm.get(i).copied()
    }

    /// Char at `i` as written.
    fn raw(&self, i: usize) -> Option<char> {
        self.raw.get(i).copied()
    }

    /// Folded char `back` positions before `i`.
    fn before(&self, i: usize, back: usize) -> Option<char> {
        i.checked_sub(back).and_then(|p| self.ch(p))
    }

    /// Index before at most [`MAX_SPACES`] spaces that end just before `i`.
    fn spaces_back(&self, i: usize) -> usize {
        let mut p = i;
        while p > 0 && i - p < MAX_SPACES && self.is(p - 1, ' ') {
            p -= 1;
        }
        p
    }

    /// The char before `i`, looking past up to [`MAX_SPACES`] spaces.
    fn before_spaces(&self, i: usize) -> Option<char> {
        self.before(self.spaces_back(i), 1)
    }

    fn is(&self, i: usize, c: char) -> bool {
        self.ch(i) == Some(c)
    }

    fn is_any(&self, i: usize, set: &[char]) -> bool {
        self.ch(i).is_some_and(|c| set.contains(&c))
    }

    fn digit(&self, i: usize) -> Option<u32> {
        self.ch(i).and_then(|c| c.to_digit(10))
    }

    fn is_digit(&self, i: usize) -> bool {
        self.ch(i).is_some_and(|c| c.is_ascii_digit())
    }

    /// Index just past `pat` if the folded text at `i` starts with it.
    fn lit(&self, i: usize, pat: &str) -> Option<usize> {
        let mut j = i;
        for p in pat.chars() {
            if self.ch(j)? != p {
                return None;
            }
            j += 1;
        }
        Some(j)
    }

    /// Like [`Text::lit`] on the raw text, ASCII case-insensitively.
    fn lit_ascii_ci(&self, i: usize, pat: &str) -> Option<usize> {
        let mut j = i;
        for p in pat.chars() {
            if !self.raw(j)?.eq_ignore_ascii_case(&p) {
                return None;
            }
            j += 1;
        }
        Some(j)
    }

    /// Index after at most [`MAX_SPACES`] spaces starting at `i`.
    fn spaces(&self, i: usize) -> usize {
        let mut j = i;
        while j < i + MAX_SPACES && self.is(j, ' ') {
            j += 1;
        }
        j
    }

    /// Whether a numeral may start at `i`: never inside a digit run, an
    /// ASCII word, a decimal like `3.5` or a Chinese numeral.
    fn num_start(&self, i: usize) -> bool {
        let Some(c) = self.ch(i) else { return false };
        let prev = self.before(i, 1);
        if c.is_ascii_digit() {
            match prev {
                Some(p) if p.is_ascii_alphanumeric() || p == '_' => false,
                Some('.' | ',' | ':' | '/') => !self.before(i, 2).is_some_and(|p| p.is_ascii_digit()),
                _ => true,
            }
        } else if is_cn_lead(c) {
            !prev.is_some_and(|p| is_cn_numeral(p) || VAGUE_BEFORE.contains(&p))
        } else {
            false
        }
    }

    /// Whether a link (URL or e-mail) may start at `i`.
    fn link_start(&self, i: usize) -> bool {
        let is_word = |c: char| c.is_ascii_alphanumeric() || "-._@/:%+~".contains(c);
        self.raw(i).is_some_and(|c| c.is_ascii_alphanumeric())
            && !i.checked_sub(1).and_then(|p| self.raw(p)).is_some_and(is_word)
    }
}

/// Range separators (`３至５年`, `10%-15%`, `200万—300万元`); `～` and `－`
/// are folded to `~` and `-`.
const RANGE_SEPS: &[char] = &['至', '到', '-', '—', '–', '~', '〜'];

/// Index after a range separator at `i` (or after spaces at `i`), with the
/// spaces after it. A doubled dash `——` counts as one.
fn range_sep(t: &Text<'_>, i: usize) -> Option<usize> {
    let k = t.spaces(i);
    if !t.is_any(k, RANGE_SEPS) {
        return None;
    }
    let after = if t.is(k, '—') && t.is(k + 1, '—') {
        k + 2
    } else {
        k + 1
    };
    Some(t.spaces(after))
}

// ---------------------------------------------------------------------------
// Exact decimals
// ---------------------------------------------------------------------------

/// Most fraction digits a value may carry (`百分之零点五` needs a few).
const MAX_SCALE: u32 = 30;

/// An exact non-negative decimal, `mant / 10^scale`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Dec {
    /// All digits, as one integer.
    mant: u128,
    /// How many of them are after the decimal point.
    scale: u32,
}

impl Dec {
    const ZERO: Dec = Dec { mant: 0, scale: 0 };

    fn int(n: u128) -> Self {
        Dec { mant: n, scale: 0 }
    }

    /// Drops trailing fraction zeros, so equal values print alike.
    fn trimmed(mut self) -> Self {
        while self.scale > 0 && self.mant.is_multiple_of(10) {
            self.mant /= 10;
            self.scale -= 1;
        }
        self
    }

    fn add(self, other: Dec) -> Option<Dec> {
        let scale = self.scale.max(other.scale);
        let a = self.mant.checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let b = other.mant.checked_mul(10u128.checked_pow(scale - other.scale)?)?;
        Some(
            Dec {
                mant: a.checked_add(b)?,
                scale,
            }
            .trimmed(),
        )
    }

    /// `self * 10^exp`, or `None` on overflow.
    fn shift(self, exp: i32) -> Option<Dec> {
        let d = if exp >= 0 {
            let e = exp.unsigned_abs();
            if self.scale >= e {
                Dec {
                    mant: self.mant,
                    scale: self.scale - e,
                }
            } else {
                let factor = 10u128.checked_pow(e - self.scale)?;
                Dec {
                    mant: self.mant.checked_mul(factor)?,
                    scale: 0,
                }
            }
        } else {
            let scale = self.scale.checked_add(exp.unsigned_abs())?;
            if scale > MAX_SCALE {
                return None;
            }
            Dec { mant: self.mant, scale }
        };
        Some(d.trimmed())
    }
}

/// Plain decimal: no exponent, no trailing zeros (`12000`, `0.052`).
impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.trimmed();
        if d.scale == 0 {
            return write!(f, "{}", d.mant);
        }
        let p = 10u128.pow(d.scale);
        let width = d.scale as usize;
        write!(f, "{}.{:0width$}", d.mant / p, d.mant % p)
    }
}

// ---------------------------------------------------------------------------
// Numerals
// ---------------------------------------------------------------------------

/// Longest integer part of an Arabic numeral; longer digit runs are IDs.
const MAX_INT_DIGITS: usize = 24;
/// Longest fraction part of a numeral.
const MAX_FRAC_DIGITS: u32 = 12;
/// Longest numeral, in chars; keeps every attempt constant-time.
const MAX_NUMERAL_CHARS: usize = 64;

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Exponent of 十, 百, 千.
fn cn_small_unit(c: char) -> Option<u32> {
    match c {
        '十' | '拾' => Some(1),
        '百' | '佰' => Some(2),
        '千' | '仟' => Some(3),
        _ => None,
    }
}

/// Exponent of 万, 亿, 兆. 兆 is 10^12 as Taiwan and Hong Kong write
/// amounts (新台币一兆元); as the SI prefix (兆瓦, 兆赫) it is part of a unit,
/// which [`RuleRecognizer::numeral_step`] checks first.
fn cn_big_unit(c: char) -> Option<u32> {
    match c {
        '万' | '萬' => Some(4),
        '亿' | '億' => Some(8),
        '兆' => Some(12),
        _ => None,
    }
}

/// Chars that may begin a Chinese numeral (百, 千, 万, 亿 may not: `千万`
/// is also an adverb, `万元` alone is a unit).
fn is_cn_lead(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '拾' | '廿' | '卅')
}

/// Whether `c` is a Chinese numeral character (a digit, 十, 百, 万…, in
/// the common or the financial form).
pub fn is_cn_numeral(c: char) -> bool {
    is_cn_lead(c) || cn_small_unit(c).is_some() || cn_big_unit(c).is_some()
}

/// A parsed numeral.
#[derive(Clone, Copy, Debug)]
struct Num {
    /// The value, multipliers applied.
    value: Dec,
    /// Char index just past the numeral.
    end: usize,
    /// Total exponent of the multipliers ending the numeral (`300万` → 4,
    /// `3千万` → 7), which a bare left side of a range borrows.
    trailing_exp: u32,
    /// Whether the numeral has any multiplier (十 百 千 万 亿).
    has_mult: bool,
    /// The numeral is a single Chinese digit such as `一` or `二`.
    lone_cn_digit: bool,
}

/// What the numeral parser saw last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Last {
    Start,
    Digit,
    Zero,
    Unit(u32),
    Fraction,
}

/// Outcome of feeding one token to a [`Numeral`].
enum Step {
    /// Taken; the numeral goes on at this char index.
    Next(usize),
    /// Not part of the numeral, which ends before it.
    End,
    /// Makes the whole thing no numeral (`三五`, `三百二千`, overflow).
    Invalid,
}

impl From<Option<Step>> for Step {
    /// Arithmetic overflow makes a numeral invalid.
    fn from(step: Option<Step>) -> Self {
        step.unwrap_or(Step::Invalid)
    }
}

/// A numeral being parsed. Chinese numerals are summed group by group, from
/// 亿 down to 千/百/十; an Arabic digit run counts as one digit (`1.2万`).
struct Numeral {
    /// The 兆 group (10^12), which comes first.
    zhao: Dec,
    /// Everything after 兆 up to and including the 亿 group.
    yi: Dec,
    /// The 万 group after the last 亿.
    wan: Dec,
    /// The 千/百/十 parts of the current group.
    small: Dec,
    /// A digit waiting for its multiplier.
    pending: Option<Dec>,
    /// The unit right before a Chinese `pending` digit, for colloquial `一万二`.
    unit_before_pending: Option<u32>,
    /// The previous token, which decides what may follow.
    last: Last,
    /// Small units must decrease within a group: 千, then 百, then 十.
    small_cap: u32,
    /// 万 already closed a group since the last 亿 (`一万万` is no numeral).
    seen_wan: bool,
    /// 亿 already closed a group (`一亿亿` is no numeral).
    seen_yi: bool,
    /// 兆 already closed a group.
    seen_zhao: bool,
    /// Any multiplier was read, so a range's left side keeps its own.
    has_mult: bool,
    /// Any Chinese numeral char was read, so 点 is a decimal point.
    chinese: bool,
    /// Total exponent of the multipliers since the last digit.
    chain: u32,
}

impl Numeral {
    fn new() -> Self {
        Self {
            zhao: Dec::ZERO,
            yi: Dec::ZERO,
            wan: Dec::ZERO,
            small: Dec::ZERO,
            pending: None,
            unit_before_pending: None,
            last: Last::Start,
            small_cap: 4,
            seen_wan: false,
            seen_yi: false,
            seen_zhao: false,
            has_mult: false,
            chinese: false,
            chain: 0,
        }
    }

    /// A Chinese digit or an Arabic digit run, worth `v`, ending at `end`.
    fn digit(&mut self, v: Dec, chinese: bool, end: usize) -> Step {
        if matches!(self.last, Last::Digit | Last::Fraction) {
            return Step::Invalid; // 三五天, 十四五: not one number
        }
        self.unit_before_pending = match self.last {
            Last::Unit(e) if chinese => Some(e),
            _ => None,
        };
        self.pending = Some(v);
        self.last = Last::Digit;
        self.chain = 0;
        Step::Next(end)
    }

    /// 零 or 〇: a placeholder inside a numeral, or the numeral 0.
    fn zero(&mut self, end: usize) -> Step {
        match self.last {
            Last::Start => self.pending = Some(Dec::ZERO),
            Last::Unit(_) => {}
            _ => return Step::Invalid, // 二〇二四 is a year, 零零 nothing
        }
        self.last = Last::Zero;
        Step::Next(end)
    }

    /// 十 (1), 百 (2), 千 (3), or 廿/卅 as `tens` of 2 or 3 with exponent 1.
    fn small_unit(&mut self, e: u32, tens: Option<u128>, end: usize) -> Option<Step> {
        let base = match (tens, self.pending, self.last) {
            (Some(n), _, Last::Start | Last::Zero | Last::Unit(_)) => Dec::int(n),
            (None, Some(p), Last::Digit | Last::Fraction) => p,
            (None, _, Last::Start) if e == 1 => Dec::int(1), // 十二
            (Some(_), ..) => return Some(Step::Invalid),
            _ => return Some(Step::End),
        };
        if e >= self.small_cap {
            return Some(Step::Invalid); // 三百二千
        }
        self.small = self.small.add(base.shift(e as i32)?)?;
        self.pending = None;
        self.small_cap = e;
        self.last = Last::Unit(e);
        self.has_mult = true;
        self.chain += e;
        Some(Step::Next(end))
    }

    /// 万 (4), 亿 (8) or 兆 (12): closes the current group.
    fn big_unit(&mut self, e: u32, end: usize) -> Option<Step> {
        if self.last == Last::Start {
            return Some(Step::End);
        }
        let group = self.small.add(self.pending.unwrap_or(Dec::ZERO))?;
        if e == 12 {
            // 兆 only leads: 一兆二千亿, not 二千亿兆.
            if self.seen_zhao || self.seen_yi || self.seen_wan {
                return Some(Step::Invalid);
            }
            self.zhao = group.shift(12)?;
            self.seen_zhao = true;
        } else if e == 4 {
            if self.seen_wan {
                return Some(Step::Invalid);
            }
            self.wan = group.shift(4)?;
            self.seen_wan = true;
        } else {
            if self.seen_yi {
                return Some(Step::Invalid);
            }
            self.yi = self.yi.add(self.wan)?.add(group)?.shift(8)?;
            self.wan = Dec::ZERO;
            self.seen_yi = true;
            self.seen_wan = false;
        }
        self.small = Dec::ZERO;
        self.pending = None;
        self.small_cap = 4;
        self.last = Last::Unit(e);
        self.has_mult = true;
        self.chain += e;
        Some(Step::Next(end))
    }

    /// The digits after 点 (`三点五`), worth `f`.
    fn fraction(&mut self, f: Dec, end: usize) -> Option<Step> {
        self.pending = Some(self.pending.unwrap_or(Dec::ZERO).add(f)?);
        self.unit_before_pending = None;
        self.last = Last::Fraction;
        self.chain = 0;
        Some(Step::Next(end))
    }

    /// The numeral's value, or `None` if nothing was read or it overflows.
    fn value(&self) -> Option<Dec> {
        // Colloquial 一万二 = 12000, 三千五 = 3500: a final digit right after
        // 百 or a larger unit counts in the next lower place.
        let tail = match (self.pending, self.unit_before_pending) {
            (Some(p), Some(e)) if e >= 2 => p.shift(e as i32 - 1)?,
            (Some(p), _) => p,
            (None, _) => Dec::ZERO,
        };
        self.zhao.add(self.yi)?.add(self.wan)?.add(self.small)?.add(tail)
    }
}

impl RuleRecognizer {
    /// Parses a numeral at `i`: Arabic (`1,234.5`, `１２`), Chinese
    /// (`三千万`, `十二亿`, `一万二`, `零点五`, `廿八`) or mixed (`1.2万`,
    /// `1亿2000万`, `5000 亿`). An infix `多`/`余` before 万 or 亿 is skipped.
    fn number(&self, t: &Text<'_>, i: usize) -> Option<Num> {
        let mut n = Numeral::new();
        let mut j = i;
        while j < i + MAX_NUMERAL_CHARS {
            match self.numeral_step(&mut n, t, j) {
                Step::Next(e) => j = e,
                Step::End => break,
                Step::Invalid => return None,
            }
        }
        if n.last == Last::Start || j >= i + MAX_NUMERAL_CHARS {
            return None;
        }
        Some(Num {
            value: n.value()?,
            end: j,
            trailing_exp: if matches!(n.last, Last::Unit(_)) { n.chain } else { 0 },
            has_mult: n.has_mult,
            lone_cn_digit: j == i + 1 && t.ch(i).and_then(cn_digit).is_some(),
        })
    }

    /// Feeds the token at `j` to numeral `n`.
    fn numeral_step(&self, n: &mut Numeral, t: &Text<'_>, j: usize) -> Step {
        let Some(c) = t.ch(j) else { return Step::End };
        if c.is_ascii_digit() {
            if !matches!(n.last, Last::Start | Last::Unit(_)) {
                return Step::End;
            }
            let Some((v, mut e)) = arabic_number(t, j) else {
                return Step::Invalid;
            };
            // "5000 亿元": a multiplier may follow after spaces.
            let k = t.spaces(e);
            let multiplier = |c: char| cn_big_unit(c).is_some() || cn_small_unit(c).is_some();
            if k > e && t.ch(k).is_some_and(multiplier) && !self.unit_at(t, k) {
                e = k;
            }
            return n.digit(v, false, e);
        }
        if let Some(d) = cn_digit(c) {
            n.chinese = true;
            return if d == 0 {
                n.zero(j + 1)
            } else {
                n.digit(Dec::int(u128::from(d)), true, j + 1)
            };
        }
        if c == '廿' || c == '卅' {
            n.chinese = true;
            return n.small_unit(1, Some(if c == '廿' { 2 } else { 3 }), j + 1).into();
        }
        if let Some(e) = cn_small_unit(c) {
            // 千米, 千瓦, 百分点, 千分之: units and fractions, not multipliers.
            if self.unit_at(t, j) || t.lit(j, "百分").is_some() || t.lit(j, "千分").is_some() {
                return Step::End;
            }
            n.chinese = true;
            return n.small_unit(e, None, j + 1).into();
        }
        if let Some(e) = cn_big_unit(c) {
            if t.lit(j, "万分").is_some() || (c == '兆' && self.unit_at(t, j)) {
                return Step::End; // 万分之, 兆瓦
            }
            return n.big_unit(e, j + 1).into();
        }
        if c == '点' && n.chinese && !matches!(n.last, Last::Start | Last::Fraction) {
            // 三点五, 十二点五, 零点五
            return match cn_fraction(t, j + 1) {
                Some((f, e)) => n.fraction(f, e).into(),
                None => Step::End,
            };
        }
        if matches!(c, '多' | '余') && n.last != Last::Start && t.ch(j + 1).and_then(cn_big_unit).is_some() {
            return Step::Next(j + 1); // 3000多万, 十余亿
        }
        Step::End
    }

    /// Whether a unit from [`UNITS`] starts at `i`.
    fn unit_at(&self, t: &Text<'_>, i: usize) -> bool {
        self.units.longest_at(t, i).is_some()
    }
}

/// An Arabic numeral at `i` with optional `,` groups and decimal part.
fn arabic_number(t: &Text<'_>, i: usize) -> Option<(Dec, usize)> {
    let mut mant: u128 = 0;
    let mut j = i;
    while let Some(d) = t.digit(j) {
        if j - i >= MAX_INT_DIGITS {
            return None;
        }
        mant = mant * 10 + u128::from(d);
        j += 1;
    }
    if j == i {
        return None;
    }
    // 1,234,567: an ASCII comma followed by exactly three digits.
    if j - i <= 3 {
        let mut digits = j - i;
        while t.raw(j) == Some(',') && (1..=3).all(|k| t.is_digit(j + k)) && !t.is_digit(j + 4) {
            digits += 3;
            if digits > MAX_INT_DIGITS {
                return None;
            }
            for k in 1..=3 {
                mant = mant * 10 + u128::from(t.digit(j + k)?);
            }
            j += 4;
        }
    }
    let mut scale = 0;
    if t.is(j, '.') && t.is_digit(j + 1) {
        j += 1;
        while let Some(d) = t.digit(j) {
            scale += 1;
            if scale > MAX_FRAC_DIGITS {
                return None;
            }
            mant = mant * 10 + u128::from(d);
            j += 1;
        }
    }
    Some((Dec { mant, scale }.trimmed(), j))
}

/// The digits after 点 in a Chinese decimal (`五` in `三点五`), as a fraction.
fn cn_fraction(t: &Text<'_>, i: usize) -> Option<(Dec, usize)> {
    let mut mant: u128 = 0;
    let mut scale = 0;
    let mut j = i;
    while let Some(d) = t.ch(j).filter(|&c| c != '两').and_then(cn_digit) {
        scale += 1;
        if scale > MAX_FRAC_DIGITS {
            return None;
        }
        mant = mant * 10 + u128::from(d);
        j += 1;
    }
    (scale > 0).then(|| (Dec { mant, scale }.trimmed(), j))
}

/// A small integer for a date or clock field: one or two ASCII digits, or a
/// Chinese numeral below 100 (`十二`, `二十八`, `廿八`, `零五`). Returns the
/// value, the end and whether it was written in Chinese.
fn small_int(t: &Text<'_>, i: usize) -> Option<(u32, usize, bool)> {
    if t.is_digit(i) {
        let mut v = 0;
        let mut j = i;
        while let Some(d) = t.digit(j) {
            if j - i == 2 {
                return None;
            }
            v = v * 10 + d;
            j += 1;
        }
        return Some((v, j, false));
    }
    let c = t.ch(i)?;
    let (tens, j) = match c {
        '廿' => (20, i + 1),
        '卅' => (30, i + 1),
        '十' => (10, i + 1),
        _ => {
            let d = cn_digit(c)?;
            if d > 0 && t.is(i + 1, '十') {
                (d * 10, i + 2)
            } else if d == 0 {
                // 零五分
                let next = t.ch(i + 1).and_then(cn_digit).filter(|&n| n > 0);
                return Some(next.map_or((0, i + 1, true), |n| (n, i + 2, true)));
            } else {
                return Some((d, i + 1, true));
            }
        }
    };
    match t.ch(j).and_then(cn_digit).filter(|&d| d > 0) {
        Some(d) => Some((tens + d, j + 1, true)),
        None => Some((tens, j, true)),
    }
}

// ---------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------

/// A time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Clock {
    /// Hour, 0–24 (24 only as `24:00`).
    h: u32,
    /// Minute.
    m: u32,
    /// Second, when written.
    s: Option<u32>,
}

impl Clock {
    fn new(h: u32, m: u32, s: Option<u32>) -> Option<Self> {
        let midnight_24 = h == 24 && m == 0 && s.unwrap_or(0) == 0;
        ((h < 24 || midnight_24) && m < 60 && s.is_none_or(|s| s < 60)).then_some(Clock { h, m, s })
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.h, self.m)?;
        match self.s {
            Some(s) => write!(f, ":{s:02}"),
            None => Ok(()),
        }
    }
}

/// A possibly partial calendar date, possibly with a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct DateVal {
    /// Year, when written.
    y: Option<u32>,
    /// Month, when written.
    m: Option<u32>,
    /// Day of month, when written.
    d: Option<u32>,
    /// Time of day, for `2024-04-09 09:45:30`.
    clock: Option<Clock>,
}

/// ISO 8601, reduced where the text is partial: `2024`, `2024-06`,
/// `2024-06-28`, `--06-28`, `--06`, `---28`, `2024-06-28T09:45`.
impl fmt::Display for DateVal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.y, self.m, self.d) {
            (Some(y), None, _) => write!(f, "{y:04}")?,
            (Some(y), Some(m), None) => write!(f, "{y:04}-{m:02}")?,
            (Some(y), Some(m), Some(d)) => write!(f, "{y:04}-{m:02}-{d:02}")?,
            (None, Some(m), None) => write!(f, "--{m:02}")?,
            (None, Some(m), Some(d)) => write!(f, "--{m:02}-{d:02}")?,
            (None, None, Some(d)) => write!(f, "---{d:02}")?,
            (None, None, None) => {}
        }
        match self.clock {
            Some(c) => write!(f, "T{c}"),
            None => Ok(()),
        }
    }
}

fn days_in_month(y: Option<u32>, m: u32) -> u32 {
    let leap = |y: u32| y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // Without a year, 2月29日 may be valid.
        2 if y.is_none_or(leap) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A 4-digit year 1000–2999 at `i`: `2024` or `二〇二四` / `二零二四`, or
/// `二○二四` with the white circle that Taiwan and Hong Kong (and many typed
/// documents) use for 〇; it counts as zero only inside a year.
fn year(t: &Text<'_>, i: usize) -> Option<(u32, usize)> {
    let arabic = t.is_digit(i);
    let mut y = 0;
    for k in i..i + 4 {
        let d = if arabic {
            t.digit(k)?
        } else {
            match t.ch(k)? {
                '○' => 0,
                '两' => return None,
                c => cn_digit(c)?,
            }
        };
        y = y * 10 + d;
    }
    let runs_on = if arabic {
        t.is_digit(i + 4)
    } else {
        t.ch(i + 4).is_some_and(is_cn_numeral)
    };
    (!runs_on && (1000..=2999).contains(&y)).then_some((y, i + 4))
}

/// A year of the Republic of China calendar, as Taiwan dates are written:
/// `民国113年` is 2024 (year 1 is 1912). Returns the year and the index past
/// `年`.
fn roc_year(t: &Text<'_>, i: usize) -> Option<(u32, usize)> {
    let k = t.lit(i, "民国")?;
    let mut n = 0;
    let mut j = k;
    while let Some(d) = t.digit(j) {
        n = n * 10 + d;
        j += 1;
        if j - k > 3 {
            return None;
        }
    }
    (j > k && (1..=200).contains(&n) && t.is(j, '年')).then_some((n + 1911, j + 1))
}

/// After a date field ending at `e`: the index past its suffix (`年`, `月`,
/// `日` …), or `e` itself when the field is the bare left side of a range
/// whose right side has the suffix (`6` in `6-8月`, `27` in `27至29日`).
fn suffix_or_range(
    t: &Text<'_>,
    e: usize,
    suffixes: &[char],
    next_field: impl Fn(usize) -> Option<usize>,
) -> Option<usize> {
    let k = t.spaces(e);
    if t.is_any(k, suffixes) {
        return Some(k + 1);
    }
    let e2 = next_field(range_sep(t, e)?)?;
    t.is_any(t.spaces(e2), suffixes).then_some(e)
}

/// A month or day field at `i` in `1..=max`: value, end, written in Chinese.
fn date_field(t: &Text<'_>, i: usize, max: u32, suffixes: &[char]) -> Option<(u32, usize, bool)> {
    let in_range = |v: u32| (1..=max).contains(&v);
    let (v, e, cn) = small_int(t, i).filter(|&(v, ..)| in_range(v))?;
    let next = |k| small_int(t, k).filter(|&(v, ..)| in_range(v)).map(|(_, e, _)| e);
    Some((v, suffix_or_range(t, e, suffixes, next)?, cn))
}

/// `2024-06-28`, `2024/6/28`, `2024.06.28`, `2024-06`, optionally followed
/// by a time (`2024-04-09 09:45:30`, `2024-04-09T09:45`).
fn numeric_date(t: &Text<'_>, i: usize) -> Option<(DateVal, usize)> {
    if !t.is_digit(i) {
        return None;
    }
    let (y, e) = year(t, i)?;
    let sep = t.ch(e).filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (m, mut j, _) = small_int(t, e + 1).filter(|&(m, _, cn)| !cn && (1..=12).contains(&m))?;
    let mut v = DateVal {
        y: Some(y),
        m: Some(m),
        ..DateVal::default()
    };
    if t.is(j, sep) && t.is_digit(j + 1) {
        let (d, e, _) =
            small_int(t, j + 1).filter(|&(d, _, cn)| !cn && (1..=days_in_month(Some(y), m)).contains(&d))?;
        v.d = Some(d);
        j = e;
        let k = if t.is(j, 'T') { j + 1 } else { t.spaces(j) };
        if k > j
            && let Some((c, e)) = clock(t, k)
        {
            v.clock = Some(c);
            j = e;
        }
    } else if sep == '.' {
        return None; // 2024.06 is as likely a decimal as a month
    }
    Some((v, j))
}

/// Chinese-style dates: `2024年6月28日`, `二〇二四年六月二十八日`, `6月份`,
/// `28日`, and range sides. `ctx` is the left side when parsing the right
/// side of a range, whose missing larger fields it supplies.
fn cn_date(t: &Text<'_>, i: usize, ctx: Option<&DateVal>) -> Option<(DateVal, usize)> {
    let mut v = DateVal::default();
    let mut j = i;
    if let Some((y, e)) = roc_year(t, i) {
        v.y = Some(y);
        j = e;
    } else if let Some((y, e)) = year(t, i) {
        let next = |k| year(t, k).map(|(_, e)| e);
        if let Some(e) = suffix_or_range(t, e, &['年'], next) {
            v.y = Some(y);
            j = e;
        }
    }
    let k = if v.y.is_some() { t.spaces(j) } else { j };
    let mut month_only = false;
    if let Some((m, e, _)) = date_field(t, k, 12, &['月']) {
        v.m = Some(m);
        j = e;
        if t.is(j, '份') {
            j += 1; // 6月份
            month_only = true;
        }
    }
    // A day needs a month, or stands alone (`28日`), but never follows a
    // bare year (`2024年28日` is not a date).
    if !month_only && (v.m.is_some() || v.y.is_none()) {
        let k = if v.m.is_some() { t.spaces(j) } else { j };
        let suffixes: &[char] = if v.m.is_some() { &['日', '号'] } else { &['日'] };
        // An impossible day (2月30日) is left out; the month still counts.
        let max = v.m.map_or(31, |m| days_in_month(v.y, m));
        if let Some((d, e, cn)) = date_field(t, k, max, suffixes) {
            let bare = v.m.is_none() && ctx.is_none();
            let blocked = cn || t.before(k, 1).is_some_and(|p| BARE_DAY_BLOCKERS.contains(&p));
            if !(bare && blocked) {
                v.d = Some(d);
                j = e;
            }
        }
    }
    if v == DateVal::default() {
        return None;
    }
    if let Some(c) = ctx {
        // The right side of a range inherits the larger fields it omits.
        if v.y.is_none() && v.m.is_some() {
            v.y = c.y;
        } else if v.y.is_none() && v.m.is_none() && c.m.is_some() {
            v.y = c.y;
            v.m = c.m;
        }
        if let (Some(m), Some(d)) = (v.m, v.d)
            && d > days_in_month(v.y, m)
        {
            return None;
        }
    }
    Some((v, j))
}

/// `9:45`, `09:45:30`: hours of one or two digits, minutes and seconds of two.
fn clock(t: &Text<'_>, i: usize) -> Option<(Clock, usize)> {
    let two = |k: usize| -> Option<u32> {
        let v = t.digit(k)? * 10 + t.digit(k + 1)?;
        (!t.is_digit(k + 2)).then_some(v)
    };
    let (h, e, cn) = small_int(t, i)?;
    if cn || !t.is(e, ':') {
        return None;
    }
    let m = two(e + 1)?;
    let mut j = e + 3;
    let mut s = None;
    if t.is(j, ':')
        && let Some(v) = two(j + 1)
    {
        s = Some(v);
        j += 3;
    }
    Some((Clock::new(h, m, s)?, j))
}

/// Part of the day named before a time, which fixes 12- vs 24-hour reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    /// 凌晨: 12 is midnight.
    Dawn,
    /// 上午, 早上: as written.
    Morning,
    /// 中午: 1–5 are afternoon hours.
    Noon,
    /// 下午, 傍晚: add 12 below 12.
    Afternoon,
    /// 晚上: add 12 below 12; 12 is midnight.
    Evening,
    /// 夜间, 深夜: 6–11 are evening hours, 12 is midnight.
    Night,
}

/// Period words, two-char ones first.
const PERIODS: &[(&str, Period)] = &[
    ("凌晨", Period::Dawn),
    ("清晨", Period::Morning),
    ("早晨", Period::Morning),
    ("早上", Period::Morning),
    ("上午", Period::Morning),
    ("中午", Period::Noon),
    ("午后", Period::Afternoon),
    ("下午", Period::Afternoon),
    ("傍晚", Period::Afternoon),
    ("晚上", Period::Evening),
    ("晚间", Period::Evening),
    ("夜间", Period::Night),
    ("夜里", Period::Night),
    ("深夜", Period::Night),
    ("半夜", Period::Night),
    ("早", Period::Morning),
    ("晚", Period::Evening),
];

impl Period {
    /// The 24-hour hour for hour `h` written after this period word.
    fn hour(self, h: u32) -> u32 {
        match (self, h) {
            (Period::Dawn | Period::Evening | Period::Night, 12) => 0,
            (Period::Noon, 1..=5) | (Period::Afternoon | Period::Evening, 0..=11) | (Period::Night, 6..=11) => h + 12,
            _ => h,
        }
    }
}

/// A time at `i`: `9:45`, `9时45分30秒`, `8点半`, `3点一刻`, `10点整`.
fn clock_cn(t: &Text<'_>, i: usize, period: Option<Period>) -> Option<(Clock, usize)> {
    let adjust = |h: u32| period.map_or(h, |p| p.hour(h));
    if let Some((c, e)) = clock(t, i) {
        return Some((Clock::new(adjust(c.h), c.m, c.s)?, e));
    }
    let (h, e, cn) = small_int(t, i)?;
    let k = t.spaces(e);
    let mark = t.ch(k).filter(|c| matches!(c, '时' | '点'))?;
    let mut j = k + 1;
    let (mut m, mut s) = (0, None);
    let mut explicit = true;
    if mark == '点' && t.is(j, '钟') {
        j += 1;
    } else if t.is(j, '半') {
        m = 30;
        j += 1;
    } else if let Some(e) = t.lit(j, "一刻") {
        m = 15;
        j = e;
    } else if let Some(e) = t.lit(j, "三刻") {
        m = 45;
        j = e;
    } else if let Some((mm, e, _)) = small_int(t, j).filter(|&(_, e, _)| t.is(e, '分') && !t.is(e + 1, '之')) {
        m = mm;
        j = e + 1;
        if let Some((ss, e, _)) = small_int(t, j).filter(|&(_, e, _)| t.is(e, '秒')) {
            s = Some(ss);
            j = e + 1;
        }
    } else if t.is(j, '整') {
        j += 1;
    } else {
        explicit = false;
    }
    // 3点要求 ("three points") and 一时 ("for a while") are not times;
    // 零时 (midnight) is.
    if !explicit && period.is_none() && (mark == '点' || (cn && h != 0)) {
        return None;
    }
    Some((Clock::new(adjust(h), m, s)?, j))
}

/// A time after a period word at `i` (`下午3点`, `晚上8点半`).
fn period_time(t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
    let (end, p) = PERIODS.iter().find_map(|&(w, p)| t.lit(i, w).map(|e| (e, p)))?;
    time_run(t, i, t.spaces(end), Some(p))
}

/// Taiwan news dates an event by the day of the month in brackets between
/// 今, 昨, 明 or 前 and 日: 今（21）日 ("today, the 21st"), 昨(20)日 → `---21`,
/// `---20`. The whole phrase is the date.
fn bracketed_day(t: &Text<'_>, i: usize) -> Option<Found> {
    if !t.is_any(i, &['今', '昨', '明', '前']) || !t.is_any(i + 1, &['（', '(']) {
        return None;
    }
    let (d, e, cn) = small_int(t, i + 2)?;
    if cn || !(1..=31).contains(&d) || !t.is_any(e, &['）', ')']) || !t.is(e + 1, '日') {
        return None;
    }
    let v = DateVal {
        d: Some(d),
        ..DateVal::default()
    };
    Some(Found::new(RuleKind::Date, i, e + 2, v))
}

/// A date at `i` and, if a range follows, its right side.
fn date_run(t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
    let (a, end) = numeric_date(t, i).or_else(|| cn_date(t, i, None))?;
    let mut out = vec![Found::new(RuleKind::Date, i, end, a)];
    if let Some(s) = range_sep(t, end)
        && let Some((b, e)) = cn_date(t, s, Some(&a))
    {
        out.push(Found::new(RuleKind::Date, s, e, b));
    }
    Some(out)
}

/// A time whose span starts at `start` (a period word, or the time itself)
/// and whose numerals start at `i`, and the right side of a range after it,
/// which shares the period (`下午2点至5点`).
fn time_run(t: &Text<'_>, start: usize, i: usize, period: Option<Period>) -> Option<Vec<Found>> {
    let (a, end) = clock_cn(t, i, period)?;
    let mut out = vec![Found::new(RuleKind::Time, start, end, a)];
    if let Some(s) = range_sep(t, end)
        && let Some((b, e)) = clock_cn(t, s, period)
    {
        out.push(Found::new(RuleKind::Time, s, e, b));
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Money, percentages, quantities
// ---------------------------------------------------------------------------

/// Whether numeral `n` at `start` counts something, rather than being the
/// article 一 (`一家企业`) or an ordinal (`第3家`).
fn is_count(t: &Text<'_>, start: usize, n: &Num) -> bool {
    let article = n.lone_cn_digit && t.is(start, '一');
    !article && !is_ordinal(t, start)
}

/// Whether numeral `n` followed by `sfx` is an entity. Besides the
/// [`is_count`] filter for quantities, a single Chinese digit before 元 is
/// a word, not a price (`二元结构`, `三元里`, `一元化`).
fn is_measure(t: &Text<'_>, start: usize, n: &Num, sfx: Suffix) -> bool {
    match sfx {
        Suffix::Unit(_) => is_count(t, start, n),
        Suffix::Money(_) => !(n.lone_cn_digit && t.is(n.end, '元')),
        Suffix::Percent(_) => true,
    }
}

/// Whether the numeral at `start` follows 第, directly or as the right side
/// of a range (`第3家`, `第 3 家`, `5名` in `第1-5名`).
fn is_ordinal(t: &Text<'_>, start: usize) -> bool {
    let mut p = t.spaces_back(start);
    if p > 0 && t.is_any(p - 1, RANGE_SEPS) {
        // Step over the separator and the left side's numeral.
        let numeral_end = t.spaces_back(p - 1);
        p = numeral_end;
        while p > 0
            && numeral_end - p < MAX_NUMERAL_CHARS
            && t.ch(p - 1)
                .is_some_and(|c| c.is_ascii_digit() || c == '.' || is_cn_numeral(c))
        {
            p -= 1;
        }
        if p == numeral_end {
            return false;
        }
    }
    t.before(p, 1) == Some('第')
}

/// The entity for `value` followed by `sfx`, spanning `start..end`.
fn measure(start: usize, end: usize, value: Dec, sfx: Suffix) -> Option<Found> {
    let (kind, text) = match sfx {
        Suffix::Money(code) => (RuleKind::Money, format!("{value} {code}")),
        Suffix::Percent(exp) => (RuleKind::Percent, value.shift(-(exp as i32))?.to_string()),
        Suffix::Unit(unit) => (RuleKind::Quantity, format!("{value} {unit}")),
    };
    Some(Found::new(kind, start, end, text))
}

/// What follows a number and makes it an entity.
#[derive(Clone, Copy, Debug)]
enum Suffix {
    /// A currency, by ISO 4217 code.
    Money(&'static str),
    /// `%` (exponent 2) or `‰` (exponent 3).
    Percent(u32),
    /// A unit or measure word, as written in the value.
    Unit(&'static str),
}

impl RuleRecognizer {
    /// The suffix after a number ending at `e` and the index past it,
    /// skipping spaces and an approximating `多`/`余` (`500多家`).
    fn suffix(&self, t: &Text<'_>, e: usize) -> Option<(Suffix, usize)> {
        let mut j = t.spaces(e);
        if t.is_any(j, &['多', '余']) {
            j = t.spaces(j + 1);
        }
        match t.ch(j)? {
            '%' => return Some((Suffix::Percent(2), j + 1)),
            '‰' => return Some((Suffix::Percent(3), j + 1)),
            _ => {}
        }
        if let Some((p, end)) = self.currencies.longest_at(t, j) {
            return Some((Suffix::Money(p.value), end));
        }
        self.units.longest_at(t, j).map(|(p, end)| (Suffix::Unit(p.value), end))
    }

    /// Money, a percentage or a quantity starting at a numeral at `i`; for a
    /// range whose left side is a bare number, both sides.
    fn measure_run(&self, t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
        if !t.is_digit(i) && LEXICALIZED.iter().any(|w| t.lit(i, w).is_some()) {
            return None;
        }
        let a = self.number(t, i)?;
        if let Some((sfx, end)) = self.suffix(t, a.end) {
            if !is_measure(t, i, &a, sfx) {
                return None;
            }
            return measure(i, end, a.value, sfx).map(|f| vec![f]);
        }
        // 200万—300万元, 10-15%, 3至5年: the bare left side borrows the
        // right side's suffix, and its multiplier if it has none.
        if is_ordinal(t, i) {
            return None;
        }
        let s = range_sep(t, a.end)?;
        let b = self.number(t, s)?;
        let (sfx, end) = self.suffix(t, b.end)?;
        if !is_measure(t, s, &b, sfx) {
            return None;
        }
        let right = measure(s, end, b.value, sfx)?;
        let left_value = if a.has_mult {
            a.value
        } else {
            a.value.shift(b.trailing_exp as i32)?
        };
        let left = measure(i, a.end, left_value, sfx)?;
        Some(vec![left, right])
    }

    /// Money whose amount is a two-character magnitude with 一 left out, as
    /// news writes round sums: `千亿元`, `万亿元`, `百万美元`. Only right
    /// before a currency (千万 alone is also the adverb "by all means"), and
    /// not after a numeral, a vague word (数千亿元) or 每 (每万亿元GDP, a
    /// rate).
    fn bare_magnitude_money(&self, t: &Text<'_>, i: usize) -> Option<Found> {
        // 百 or 千 and then 万 or 亿, or 万亿. A single one is a unit or a
        // note (万元 in a table's header, 百元大钞).
        let c = t.ch(i)?;
        let small = cn_small_unit(c).filter(|&e| e >= 2);
        let first = small.or_else(|| cn_big_unit(c).filter(|&e| e == 4))?;
        let before = t.before(i, 1);
        if before.is_some_and(|p| is_cn_numeral(p) || p.is_ascii_digit() || VAGUE_BEFORE.contains(&p) || p == '每') {
            return None;
        }
        let big = t
            .ch(i + 1)
            .and_then(cn_big_unit)
            .filter(|&b| b == 8 || (small.is_some() && b == 4))?;
        let (Suffix::Money(code), end) = self.suffix(t, i + 2)? else {
            return None;
        };
        measure(i, end, Dec::int(1).shift((first + big) as i32)?, Suffix::Money(code))
    }

    /// Money written with a currency before the amount: `人民币3000元`,
    /// `￥1,234.5`, `US$5`, `$5 million`.
    fn prefixed_money(&self, t: &Text<'_>, i: usize) -> Option<Found> {
        let (after, code) = MONEY_PREFIXES
            .iter()
            .find_map(|&(p, code)| t.lit(i, p).map(|e| (e, code)))?;
        let starts_word = t.ch(i).is_some_and(|c| c.is_ascii_alphabetic());
        if starts_word && t.before(i, 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let j = t.spaces(after);
        if !(t.is_digit(j) || t.ch(j).is_some_and(is_cn_lead)) {
            return None;
        }
        let n = self.number(t, j)?;
        let (mut value, mut end) = (n.value, n.end);
        let k = t.spaces(end);
        if let Some((e, exp)) = ENGLISH_SCALES.iter().find_map(|&(w, exp)| {
            t.lit_ascii_ci(k, w)
                .filter(|&e| !t.raw(e).is_some_and(|c| c.is_ascii_alphanumeric()))
                .map(|e| (e, exp))
        }) {
            value = value.shift(exp)?;
            end = e;
        }
        match self.suffix(t, end) {
            // The currency may be repeated after the amount (人民币3000元),
            // or be followed by the generic 元 (新台币100亿元, in TWD).
            Some((Suffix::Money(c), e)) if c == code || t.lit(t.spaces(end), "元") == Some(e) => end = e,
            // A measure of something else: 美元10年期国债 is not 10 USD.
            Some((Suffix::Unit(_) | Suffix::Percent(_), _)) => return None,
            _ => {}
        }
        Some(Found::new(RuleKind::Money, i, end, format!("{value} {code}")))
    }

    /// `百分之三十`, `百分之零点五`, `千分之五`, `万分之一`, `百分之百`.
    fn prefixed_percent(&self, t: &Text<'_>, i: usize) -> Option<Found> {
        let (after, exp) = [("百分之", 2), ("千分之", 3), ("万分之", 4)]
            .iter()
            .find_map(|&(p, exp)| t.lit(i, p).map(|e| (e, exp)))?;
        let (n, end) = if t.is(after, '百') && !t.ch(after + 1).is_some_and(is_cn_numeral) {
            (Dec::int(100), after + 1)
        } else {
            let n = self.number(t, after)?;
            (n.value, n.end)
        };
        Some(Found::new(RuleKind::Percent, i, end, n.shift(-exp)?))
    }

    /// A negative amount, percentage or quantity at a minus sign at `i`.
    fn signed_measure(&self, t: &Text<'_>, i: usize) -> Option<Vec<Found>> {
        if !t.is_any(i, &['-', '−']) || !t.is_digit(i + 1) {
            return None;
        }
        if t.before_spaces(i).is_some_and(|c| self.can_end_entity(c)) {
            return None;
        }
        let mut found = self.numeral_run(t, i + 1)?;
        let [f] = found.as_mut_slice() else {
            return None;
        };
        // "-0%" is just 0%: leave it to the unsigned reading.
        let zero = f.value == "0" || f.value.starts_with("0 ");
        if zero || !matches!(f.kind, RuleKind::Money | RuleKind::Percent | RuleKind::Quantity) {
            return None;
        }
        f.start = i;
        f.value.insert(0, '-');
        Some(found)
    }

    /// Whether `c` may be the last char of an entity or of a name such as
    /// `COVID`, so that a following `-` is a separator, not a minus sign.
    fn can_end_entity(&self, c: char) -> bool {
        c.is_ascii_alphanumeric()
            || is_cn_numeral(c)
            || "%‰)]年月日号时点分秒份".contains(c)
            || self
                .units
                .iter()
                .chain(self.currencies.iter())
                .any(|p| p.text.ends_with(c))
    }
}

// ---------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------

impl RuleRecognizer {
    /// A Chinese phone number at `i`, in E.164 form.
    fn phone(&self, t: &Text<'_>, i: usize) -> Option<Found> {
        let c = t.ch(i)?;
        let starts = match c {
            '+' => !t.before(i, 1).is_some_and(|p| p.is_ascii_alphanumeric()),
            '(' => true,
            _ => c.is_ascii_digit() && t.num_start(i),
        };
        if !starts {
            return None;
        }
        let mut j = i;
        let intl_end = t
            .lit(i, "(+86)")
            .or_else(|| t.lit(i, "+86"))
            .or_else(|| t.lit(i, "0086").filter(|&e| t.is_any(e, &[' ', '-'])));
        let intl = intl_end.is_some();
        if let Some(e) = intl_end {
            j = if t.is_any(e, &[' ', '-']) { e + 1 } else { e };
        } else if c == '+' {
            return None;
        }
        // Digit groups: an optional "(0516)" then runs split by one ' ' or '-'.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        if t.is(j, '(') {
            let s = j + 1;
            let mut e = s;
            while t.is_digit(e) && e - s < 4 {
                e += 1;
            }
            if e - s < 2 || !t.is(e, ')') {
                return None;
            }
            groups.push((s, e));
            j = e + 1;
            if t.is_any(j, &[' ', '-']) && t.is_digit(j + 1) {
                j += 1;
            }
        }
        while groups.len() < 5 {
            let s = j;
            let mut e = s;
            while t.is_digit(e) {
                if e - s == 12 {
                    return None; // an ID or serial number, not a phone
                }
                e += 1;
            }
            if e == s {
                break;
            }
            groups.push((s, e));
            if t.is_any(e, &[' ', '-']) && t.is_digit(e + 1) {
                j = e + 1;
            } else {
                break;
            }
        }
        // Longest reading first, so "13775881757 2024年" keeps the year out.
        for k in (1..=groups.len()).rev() {
            let g = &groups[..k];
            let end = g[k - 1].1;
            if !self.phone_end_ok(t, end) {
                continue;
            }
            let digits: String = g.iter().flat_map(|&(s, e)| (s..e).filter_map(|x| t.ch(x))).collect();
            let lens: Vec<usize> = g.iter().map(|&(s, e)| e - s).collect();
            if let Some(e164) = classify_phone(&digits, &lens, intl) {
                return Some(Found::new(RuleKind::PhoneNumber, i, end, e164));
            }
        }
        None
    }

    /// Whether a digit string ending at `end` may be a phone number rather
    /// than part of an amount, a decimal or a date.
    fn phone_end_ok(&self, t: &Text<'_>, end: usize) -> bool {
        let next = t.ch(end);
        if next.is_some_and(|c| c.is_ascii_alphanumeric()) || (matches!(next, Some('.' | ',')) && t.is_digit(end + 1)) {
            return false;
        }
        let after = t.spaces(end);
        !t.is_any(after, &['月', '日', '号', '万', '亿', '千', '百', '%', '‰']) && self.suffix(t, end).is_none()
    }
}

/// E.164 form of a Chinese phone number written as `digits` in groups of
/// `lens`, if that grouping is a usual way to write a mobile, landline or
/// 400/800 service number. `intl` means a `+86` was written before it.
fn classify_phone(digits: &str, lens: &[usize], intl: bool) -> Option<String> {
    let whole = lens.len() == 1;
    // The trunk prefix 0 belongs to landlines only; after +86 it is optional.
    let trunk = usize::from(digits.starts_with('0'));
    let nsn = &digits[trunk..];
    let b = nsn.as_bytes();
    let mobile = || b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && (whole || lens == [3, 4, 4]);
    let service = || {
        b.len() == 10
            && (nsn.starts_with("400") || nsn.starts_with("800"))
            && (whole || (lens.len() == 3 && lens[0] == 3))
    };
    let landline = || {
        // Area codes: 10 and 2x have two digits, all others three.
        let area = match b.first() {
            Some(b'1') if b.get(1) == Some(&b'0') => 2,
            Some(b'2') => 2,
            Some(b'3'..=b'9') => 3,
            _ => return false,
        };
        let local = b.len().saturating_sub(area);
        let grouped = lens.len() <= 3 && lens[0] == area + trunk && lens[1..].iter().all(|&l| l >= 3);
        (7..=8).contains(&local) && b[area] != b'0' && (whole || grouped)
    };
    let ok = if trunk == 1 {
        landline()
    } else {
        mobile() || service() || (intl && landline())
    };
    ok.then(|| format!("+86{nsn}"))
}

// ---------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------

/// A URL or e-mail address starting at `i`, valued as written.
fn link(t: &Text<'_>, i: usize) -> Option<Found> {
    if !t.link_start(i) {
        return None;
    }
    let (kind, end) = url_explicit(t, i)
        .map(|e| (RuleKind::Url, e))
        .or_else(|| email(t, i).map(|e| (RuleKind::Email, e)))
        .or_else(|| url_bare(t, i).map(|e| (RuleKind::Url, e)))?;
    Some(Found::new(kind, i, end, &t.src[t.offs[i]..t.offs[end]]))
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Host name labels at `i`: end, start of the last label, label count.
fn host(t: &Text<'_>, i: usize) -> Option<(usize, usize, usize)> {
    let is_label = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut j = i;
    let (mut last, mut labels) = (i, 0);
    loop {
        let s = j;
        while t.raw(j).is_some_and(is_label) {
            j += 1;
        }
        if j == s {
            break;
        }
        last = s;
        labels += 1;
        if t.raw(j) == Some('.') && t.raw(j + 1).is_some_and(is_label) {
            j += 1;
        } else {
            break;
        }
    }
    (labels > 0).then_some((j, last, labels))
}

/// `http://…`, `https://…` or `www.…`.
fn url_explicit(t: &Text<'_>, i: usize) -> Option<usize> {
    if let Some(s) = t.lit_ascii_ci(i, "http://").or_else(|| t.lit_ascii_ci(i, "https://")) {
        let mut e = s;
        while t.raw(e).is_some_and(is_url_char) {
            e += 1;
        }
        let e = trim_url(t, s, e);
        return (e > s).then_some(e);
    }
    t.lit_ascii_ci(i, "www.")?;
    let (e, _, labels) = host(t, i)?;
    (labels >= 3).then(|| url_tail(t, i, e))
}

/// A bare domain with a known top-level domain: `jiangyin.gov.cn/…`.
fn url_bare(t: &Text<'_>, i: usize) -> Option<usize> {
    let (e, last, labels) = host(t, i)?;
    let tld: String = (last..e)
        .filter_map(|k| t.raw(k))
        .collect::<String>()
        .to_ascii_lowercase();
    (labels >= 2 && BARE_TLDS.contains(&tld.as_str())).then(|| url_tail(t, i, e))
}

/// Extends a host ending at `e` by an optional port and path.
fn url_tail(t: &Text<'_>, start: usize, mut e: usize) -> usize {
    if t.raw(e) == Some(':') && t.raw(e + 1).is_some_and(|c| c.is_ascii_digit()) {
        e += 1;
        while t.raw(e).is_some_and(|c| c.is_ascii_digit()) {
            e += 1;
        }
    }
    if t.raw(e).is_some_and(|c| matches!(c, '/' | '?' | '#')) {
        while t.raw(e).is_some_and(is_url_char) {
            e += 1;
        }
    }
    trim_url(t, start, e)
}

/// Drops trailing punctuation and unbalanced closing brackets from a URL.
fn trim_url(t: &Text<'_>, start: usize, mut end: usize) -> usize {
    let count = |c: char| (start..end).filter(|&k| t.raw(k) == Some(c)).count();
    let mut extra_paren = count(')').saturating_sub(count('('));
    let mut extra_bracket = count(']').saturating_sub(count('['));
    while end > start {
        match t.raw(end - 1) {
            Some('.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"') => {}
            Some(')') if extra_paren > 0 => extra_paren -= 1,
            Some(']') if extra_bracket > 0 => extra_bracket -= 1,
            _ => break,
        }
        end -= 1;
    }
    end
}

/// `name@example.com`: end of the address.
fn email(t: &Text<'_>, i: usize) -> Option<usize> {
    let mut j = i;
    while t
        .raw(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
    {
        j += 1;
    }
    if t.raw(j) != Some('@') {
        return None;
    }
    let (e, last, labels) = host(t, j + 1)?;
    let tld_ok = e - last >= 2 && (last..e).all(|k| t.raw(k).is_some_and(|c| c.is_ascii_alphabetic()));
    (labels >= 2 && tld_ok).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::RuleKind::{Date, Email, Money, Percent, PhoneNumber, Quantity, Time, Url};
    use super::*;
    use std::sync::LazyLock;

    static RECOGNIZER: LazyLock<RuleRecognizer> = LazyLock::new(RuleRecognizer::new);

    type Expected<'a> = &'a [(RuleKind, &'a str, &'a str)];

    fn found(text: &str) -> Vec<(RuleKind, &str, String)> {
        RECOGNIZER
            .find(text)
            .into_iter()
            .map(|e| (e.kind, &text[e.start..e.end], e.normalized))
            .collect()
    }

    /// `text` yields exactly `expected`: (kind, matched text, value).
    #[track_caller]
    fn check(text: &str, expected: Expected<'_>) {
        let want: Vec<_> = expected.iter().map(|&(k, s, v)| (k, s, v.to_string())).collect();
        assert_eq!(found(text), want, "in {text:?}");
    }

    /// `text` is, as a whole, one entity of `kind` with `value`.
    #[track_caller]
    fn whole(kind: RuleKind, text: &str, value: &str) {
        check(text, &[(kind, text, value)]);
    }

    #[test]
    fn dates() {
        whole(Date, "2024-06-28", "2024-06-28");
        whole(Date, "2024年6月28日", "2024-06-28");
        whole(Date, "2024年", "2024");
        whole(Date, "2024年6月", "2024-06");
        whole(Date, "6月27日", "--06-27");
        whole(Date, "2024-04-09 09:45:30", "2024-04-09T09:45:30");
        whole(Date, "2024-04-09T09:45", "2024-04-09T09:45");
        whole(Date, "2024/6/28", "2024-06-28");
        whole(Date, "2024.06.28", "2024-06-28");
        whole(Date, "二〇二四年六月二十八日", "2024-06-28");
        whole(Date, "二零二四年十二月三十一日", "2024-12-31");
        whole(Date, "二○二四年十一月二十日", "2024-11-20");
        whole(Date, "２０２４年６月", "2024-06");
        whole(Date, "2024 年 6 月 28 日", "2024-06-28");
        whole(Date, "2024年6月1号", "2024-06-01");
        whole(Date, "5月份", "--05");
        whole(Date, "六月", "--06");
        whole(Date, "6月廿八日", "--06-28");
        whole(Date, "2024/06", "2024-06");
        whole(Date, "2024年2月29日", "2024-02-29");
        // Taiwan's Republic of China years (民國, read through t2s).
        whole(Date, "民国113年12月1日", "2024-12-01");
        whole(Date, "民国113年", "2024");
        whole(Date, "民国38年10月", "1949-10");
        check("民国时期，民国年间", &[]);
        check("○○公司，第○○号", &[]);
    }

    #[test]
    fn partial_and_vague_dates() {
        check("记者3日获悉", &[(Date, "3日", "---03")]);
        // Durations, relative dates and impossible dates are not tagged.
        check("近3日", &[]);
        check("每3日一次", &[]);
        check("三日内", &[]);
        check("今年、去年、上月、本周三、近日、年底", &[]);
        check("2023年2月29日", &[(Date, "2023年2月", "2023-02")]);
        check("2月30日", &[(Date, "2月", "--02")]);
        check("2024-13-01，2024-06-45，2024.06", &[]);
        check("3号线、3号楼", &[]);
        check("2024年28日", &[(Date, "2024年", "2024")]);
        // Taiwan's day of the month in brackets: the whole phrase.
        check("卓荣泰今（21）日表示", &[(Date, "今（21）日", "---21")]);
        check("昨(20)日宣布", &[(Date, "昨(20)日", "---20")]);
        check("今（３２）日", &[]);
        check("今（21）天", &[]);
    }

    #[test]
    fn date_ranges() {
        check(
            "6月27日至29日",
            &[(Date, "6月27日", "--06-27"), (Date, "29日", "--06-29")],
        );
        check(
            "2024年6月27日至29日",
            &[(Date, "2024年6月27日", "2024-06-27"), (Date, "29日", "2024-06-29")],
        );
        check("6月27-29日", &[(Date, "6月27", "--06-27"), (Date, "29日", "--06-29")]);
        check(
            "6月27日-7月3日",
            &[(Date, "6月27日", "--06-27"), (Date, "7月3日", "--07-03")],
        );
        check("1-5月", &[(Date, "1", "--01"), (Date, "5月", "--05")]);
        check("2024年6-8月", &[(Date, "2024年6", "2024-06"), (Date, "8月", "2024-08")]);
        check("2021-2025年", &[(Date, "2021", "2021"), (Date, "2025年", "2025")]);
        check("2021年至2025年", &[(Date, "2021年", "2021"), (Date, "2025年", "2025")]);
        check(
            "二〇二一至二〇二五年",
            &[(Date, "二〇二一", "2021"), (Date, "二〇二五年", "2025")],
        );
    }

    #[test]
    fn times() {
        whole(Time, "09:45", "09:45");
        whole(Time, "09:45:30", "09:45:30");
        whole(Time, "9:05", "09:05");
        whole(Time, "上午9时45分", "09:45");
        whole(Time, "下午3点", "15:00");
        whole(Time, "晚上8点半", "20:30");
        whole(Time, "晚上12点", "00:00");
        whole(Time, "凌晨2点", "02:00");
        whole(Time, "中午1点", "13:00");
        whole(Time, "夜里10点", "22:00");
        whole(Time, "上午十时", "10:00");
        whole(Time, "十时三十分", "10:30");
        whole(Time, "9时45分30秒", "09:45:30");
        whole(Time, "8点一刻", "08:15");
        whole(Time, "10点整", "10:00");
        whole(Time, "3点钟", "03:00");
        whole(Time, "24时", "24:00");
        whole(Time, "零时", "00:00");
        check("9时许", &[(Time, "9时", "09:00")]);
        check("下午2点至5点", &[(Time, "下午2点", "14:00"), (Time, "5点", "17:00")]);
        // 点 without a period or minutes, 时 with a Chinese numeral alone,
        // and two-digit ratios are not times.
        check("提出3点要求，三点意见，一时难以判断，九时", &[]);
        check("比分3:1", &[]);
        check("25:00", &[]);
    }

    #[test]
    fn money() {
        whole(Money, "80亿元", "8000000000 CNY");
        whole(Money, "5000 亿元", "500000000000 CNY");
        whole(Money, "1.2万美元", "12000 USD");
        whole(Money, "人民币3000元", "3000 CNY");
        whole(Money, "￥1,234.5", "1234.5 CNY");
        whole(Money, "¥50元", "50 CNY");
        whole(Money, "$5 million", "5000000 USD");
        whole(Money, "US$1.5 billion", "1500000000 USD");
        whole(Money, "HK$1.5亿", "150000000 HKD");
        whole(Money, "RMB300万", "3000000 CNY");
        whole(Money, "500 USD", "500 USD");
        whole(Money, "3.5亿港元", "350000000 HKD");
        whole(Money, "20亿欧元", "2000000000 EUR");
        whole(Money, "50亿日元", "5000000000 JPY");
        whole(Money, "3000万英镑", "30000000 GBP");
        whole(Money, "1200亿韩元", "120000000000 KRW");
        whole(Money, "5亿新台币", "500000000 TWD");
        whole(Money, "8000台币", "8000 TWD");
        whole(Money, "100万卢布", "1000000 RUB");
        whole(Money, "千亿元", "100000000000 CNY");
        whole(Money, "万亿元", "1000000000000 CNY");
        whole(Money, "百万美元", "1000000 USD");
        check("数千亿元", &[]);
        check("每万亿元GDP", &[]);
        check("百元大钞", &[]);
        check("千万不要", &[]);
        whole(Money, "39兆日圆", "39000000000000 JPY");
        whole(Money, "5000日币", "5000 JPY");
        whole(Money, "2万亿韩圆", "2000000000000 KRW");
        whole(Money, "30亿澳大利亚元", "3000000000 AUD");
        whole(Money, "12亿纽西兰币", "1200000000 NZD");
        whole(Money, "1.5亿瑞郎", "150000000 CHF");
        whole(Money, "800亿印度卢比", "80000000000 INR");
        whole(Money, "5亿令吉", "500000000 MYR");
        whole(Money, "2000亿印尼盾", "200000000000 IDR");
        whole(Money, "10亿雷亚尔", "1000000000 BRL");
        whole(Money, "300亿兰特", "30000000000 ZAR");
        whole(Money, "4亿土耳其里拉", "400000000 TRY");
        whole(Money, "90亿墨西哥比索", "9000000000 MXN");
        whole(Money, "25亿瑞典克朗", "2500000000 SEK");
        whole(Money, "7亿迪拉姆", "700000000 AED");
        whole(Money, "150 CHF", "150 CHF");
        whole(Money, "三千万元", "30000000 CNY");
        whole(Money, "十二亿元", "1200000000 CNY");
        whole(Money, "一万二千元", "12000 CNY");
        whole(Money, "三点五亿元", "350000000 CNY");
        whole(Money, "1亿2000万元", "120000000 CNY");
        whole(Money, "1万2000元", "12000 CNY");
        whole(Money, "一万2000元", "12000 CNY");
        whole(Money, "三亿五千万元", "350000000 CNY");
        whole(Money, "一千零五元", "1005 CNY");
        whole(Money, "廿万元", "200000 CNY");
        whole(
            Money,
            "123,456,789,012,345,678,901,234.123456789012元",
            "123456789012345678901234.123456789012 CNY",
        );
        whole(Money, "1.5万亿元", "1500000000000 CNY");
        whole(Money, "３０００万元", "30000000 CNY");
        whole(Money, "1.23亿元", "123000000 CNY");
        whole(Money, "0.01元", "0.01 CNY");
        whole(Money, "3000万元人民币", "30000000 CNY");
        whole(Money, "人民币三千万元", "30000000 CNY");
        // The currency named first, then the amount in the generic 元.
        whole(Money, "新台币100亿元", "10000000000 TWD");
        whole(Money, "港币500万元", "5000000 HKD");
        whole(Money, "新台币3000", "3000 TWD");
        whole(Money, "NT$1,200", "1200 TWD");
        whole(Money, "美元100亿", "10000000000 USD");
        // 兆 is 10^12 before a currency; before 瓦 or 赫 it is the SI prefix.
        whole(Money, "新台币一兆元", "1000000000000 TWD");
        whole(Money, "1兆2000亿元", "1200000000000 CNY");
        whole(Money, "1.5兆元", "1500000000000 CNY");
        whole(Quantity, "5兆瓦", "5 兆瓦");
        check("二千亿兆元", &[]);
        // A currency word before a measure of something else.
        check("美元10年期国债", &[(Quantity, "10年", "10 年")]);
        check("超 50 亿元", &[(Money, "50 亿元", "5000000000 CNY")]);
        // Vague amounts and amounts without a currency are not money.
        check("数十亿元、几十万元、千万不要、万元、80亿", &[]);
        check("城乡二元结构，三元里，一元化", &[]);
    }

    #[test]
    fn percents() {
        whole(Percent, "57%", "0.57");
        whole(Percent, "5.2%", "0.052");
        whole(Percent, "57％", "0.57");
        whole(Percent, "100%", "1");
        whole(Percent, "0.05%", "0.0005");
        whole(Percent, "3‰", "0.003");
        whole(Percent, "百分之三十", "0.3");
        whole(Percent, "百分之零点五", "0.005");
        whole(Percent, "百分之百", "1");
        whole(Percent, "百分之12", "0.12");
        whole(Percent, "千分之五", "0.005");
        whole(Percent, "万分之一", "0.0001");
        check("增长3个百分点", &[(Quantity, "3个百分点", "3 百分点")]);
        check("增长-3.2%", &[(Percent, "-3.2%", "-0.032")]);
    }

    #[test]
    fn shares_in_tenths() {
        let shares = |text: &str| -> Vec<(String, String)> {
            ShareRecognizer
                .find(text)
                .into_iter()
                .map(|e| (text[e.start..e.end].to_owned(), e.normalized))
                .collect()
        };
        let one = |s: &str, v: &str| vec![(s.to_owned(), v.to_owned())];
        assert_eq!(shares("超过七成的企业"), one("七成", "0.7"));
        assert_eq!(shares("增长两成多"), one("两成", "0.2"));
        assert_eq!(
            shares("近九成受访者表示满意，三成以上"),
            vec![
                ("九成".to_owned(), "0.9".to_owned()),
                ("三成".to_owned(), "0.3".to_owned())
            ]
        );
        assert_eq!(shares("其中三成来自东盟"), one("三成", "0.3"));
        assert_eq!(shares("约三成。"), one("三成", "0.3"));
        for other in [
            "制度一成不变",
            "他八成是忘了",
            "九成新的手机",
            "牛排七成熟",
            "三成为外资",
            "七八成的人",
            "第三成员",
            "九成宫",
            "五成员国",
        ] {
            assert_eq!(shares(other), vec![], "{other}");
        }
        // The other rules leave shares alone.
        check("超过七成的企业", &[]);
    }

    #[test]
    fn quantities() {
        whole(Quantity, "400 万平方米", "4000000 平方米");
        whole(Quantity, "12GW", "12 GW");
        whole(Quantity, "１２ＧＷ", "12 GW");
        whole(Quantity, "3万吨", "30000 吨");
        whole(Quantity, "1.5公里", "1.5 公里");
        whole(Quantity, "30个", "30 个");
        whole(Quantity, "500多家", "500 家");
        whole(Quantity, "十多个", "10 个");
        whole(Quantity, "一百多万人", "1000000 人");
        whole(Quantity, "1万多吨", "10000 吨");
        whole(Quantity, "120万千瓦", "1200000 千瓦");
        whole(Quantity, "2.5亿千瓦时", "250000000 千瓦时");
        whole(Quantity, "3千米", "3 千米");
        whole(Quantity, "5kWh", "5 kWh");
        whole(Quantity, "6个月", "6 个月");
        whole(Quantity, "两个", "2 个");
        whole(Quantity, "5000年", "5000 年");
        whole(Quantity, "2000多年", "2000 年");
        whole(Quantity, "35℃", "35 ℃");
        whole(Quantity, "12.5万人次", "125000 人次");
        whole(Quantity, "1,234.56平方米", "1234.56 平方米");
        check("-5℃", &[(Quantity, "-5℃", "-5 ℃")]);
        // Articles, ordinals, vague numerals, bare numbers, lexicalized words.
        check(
            "一家企业，第3家，第 3 家，第1-3名，第十四届，近百家，几十个，上千人",
            &[],
        );
        check("共计12345，编号2024", &[]);
        check("三次产业、七台河、五台山、十四五规划、三五天、一带一路", &[]);
        check("G20峰会、5G网络、C919大飞机、COVID-19", &[]);
        check("5GWx", &[]);
    }

    #[test]
    fn ranges() {
        check("3至5年", &[(Quantity, "3", "3 年"), (Quantity, "5年", "5 年")]);
        check("三至五年", &[(Quantity, "三", "3 年"), (Quantity, "五年", "5 年")]);
        check("10%-15%", &[(Percent, "10%", "0.1"), (Percent, "15%", "0.15")]);
        check("10-15%", &[(Percent, "10", "0.1"), (Percent, "15%", "0.15")]);
        check(
            "200万—300万元",
            &[(Money, "200万", "2000000 CNY"), (Money, "300万元", "3000000 CNY")],
        );
        check("2至3万元", &[(Money, "2", "20000 CNY"), (Money, "3万元", "30000 CNY")]);
        check(
            "1.5万-2万元",
            &[(Money, "1.5万", "15000 CNY"), (Money, "2万元", "20000 CNY")],
        );
        check(
            "3至5个百分点",
            &[(Quantity, "3", "3 百分点"), (Quantity, "5个百分点", "5 百分点")],
        );
        check(
            "3万元-5万元",
            &[(Money, "3万元", "30000 CNY"), (Money, "5万元", "50000 CNY")],
        );
    }

    #[test]
    fn phone_numbers() {
        whole(PhoneNumber, "0516-82345678", "+8651682345678");
        whole(PhoneNumber, "13775881757", "+8613775881757");
        whole(PhoneNumber, "137-7588-1757", "+8613775881757");
        whole(PhoneNumber, "010-12345678", "+861012345678");
        whole(PhoneNumber, "021 62345678", "+862162345678");
        whole(PhoneNumber, "(0516)82345678", "+8651682345678");
        whole(PhoneNumber, "（0516）82345678", "+8651682345678");
        whole(PhoneNumber, "+86 137 7588 1757", "+8613775881757");
        whole(PhoneNumber, "+8613775881757", "+8613775881757");
        whole(PhoneNumber, "(+86)13775881757", "+8613775881757");
        whole(PhoneNumber, "0086 13775881757", "+8613775881757");
        whole(PhoneNumber, "+86-516-82345678", "+8651682345678");
        whole(PhoneNumber, "400-820-8820", "+864008208820");
        whole(PhoneNumber, "800-820-8820", "+868008208820");
        whole(PhoneNumber, "4008208820", "+864008208820");
        whole(PhoneNumber, "１３７７５８８１７５７", "+8613775881757");
        check(
            "0516-82345678转801",
            &[(PhoneNumber, "0516-82345678", "+8651682345678")],
        );
        check(
            "13775881757 2024年",
            &[(PhoneNumber, "13775881757", "+8613775881757"), (Date, "2024年", "2024")],
        );
        // Hotlines, IDs, amounts and decimals are not phone numbers.
        check("拨打110、120、12345、95588", &[]);
        check("身份证号320281199001011234", &[]);
        check("营收13000000000元", &[(Money, "13000000000元", "13000000000 CNY")]);
        check("12345678901", &[]);
        check("13775881757.5", &[]);
    }

    #[test]
    fn links() {
        whole(Url, "www.jiangyin.gov.cn", "www.jiangyin.gov.cn");
        whole(Url, "jiangyin.gov.cn", "jiangyin.gov.cn");
        whole(Url, "12306.cn", "12306.cn");
        whole(
            Url,
            "https://www.gov.cn/zhengce/2024-06/28/content_123.htm",
            "https://www.gov.cn/zhengce/2024-06/28/content_123.htm",
        );
        whole(Email, "jyxw@jiangyin.gov.cn", "jyxw@jiangyin.gov.cn");
        whole(Email, "12345@qq.com", "12345@qq.com");
        check(
            "详见http://www.jiangyin.gov.cn/art/2024/6/28/art_1.html。",
            &[(
                Url,
                "http://www.jiangyin.gov.cn/art/2024/6/28/art_1.html",
                "http://www.jiangyin.gov.cn/art/2024/6/28/art_1.html",
            )],
        );
        check("（www.12306.cn）", &[(Url, "www.12306.cn", "www.12306.cn")]);
        check(
            "(see https://example.com/a_(b)).",
            &[(Url, "https://example.com/a_(b)", "https://example.com/a_(b)")],
        );
        check(
            "访问www.xz.gov.cn，了解更多",
            &[(Url, "www.xz.gov.cn", "www.xz.gov.cn")],
        );
        check(
            "邮箱a.b-c@mail.xz.gov.cn.",
            &[(Email, "a.b-c@mail.xz.gov.cn", "a.b-c@mail.xz.gov.cn")],
        );
        check("Node.js e.g. a.m. x@y v1.2.3 192.168.1.1", &[]);
    }

    #[test]
    fn exact_arithmetic_and_overflow() {
        whole(Money, "0.1亿元", "10000000 CNY");
        whole(Money, "123456789012345678901234元", "123456789012345678901234 CNY");
        whole(Percent, "百分之零点零零零一", "0.000001");
        // Values that do not fit are skipped, never approximated.
        check("999999999999999999999999千万亿元", &[]);
        check("1234567890123456789012345元", &[]);
        assert_eq!(Dec::int(5).shift(-2).map(|d| d.to_string()), Some("0.05".into()));
        assert_eq!(Dec { mant: 1200, scale: 2 }.to_string(), "12");
        assert_eq!(Dec::int(u128::MAX).shift(1), None);
    }

    /// Sentences in the style of Chinese government and business news.
    #[test]
    fn news_sentences() {
        let cases: &[(&str, Expected<'_>)] = &[
            (
                "今年1-5月，江阴市实现地区生产总值2156.3亿元，同比增长6.2%。",
                &[
                    (Date, "1", "--01"),
                    (Date, "5月", "--05"),
                    (Money, "2156.3亿元", "215630000000 CNY"),
                    (Percent, "6.2%", "0.062"),
                ],
            ),
            (
                "新华社南京6月28日电 记者28日从江苏省统计局获悉，5月份全省规模以上工业增加值同比增长7.1%。",
                &[
                    (Date, "6月28日", "--06-28"),
                    (Date, "28日", "---28"),
                    (Date, "5月份", "--05"),
                    (Percent, "7.1%", "0.071"),
                ],
            ),
            (
                "徐州市2023年实现地区生产总值8900.4亿元，比上年增长5.4%，增速较上年回落0.6个百分点。",
                &[
                    (Date, "2023年", "2023"),
                    (Money, "8900.4亿元", "890040000000 CNY"),
                    (Percent, "5.4%", "0.054"),
                    (Quantity, "0.6个百分点", "0.6 百分点"),
                ],
            ),
            (
                "该项目总投资约120亿元，规划用地约3000亩，预计2026年6月建成投产。",
                &[
                    (Money, "120亿元", "12000000000 CNY"),
                    (Quantity, "3000亩", "3000 亩"),
                    (Date, "2026年6月", "2026-06"),
                ],
            ),
            (
                "全市新增光伏装机容量１２ＧＷ，年发电量可达150亿千瓦时。",
                &[
                    (Quantity, "１２ＧＷ", "12 GW"),
                    (Quantity, "150亿千瓦时", "15000000000 千瓦时"),
                ],
            ),
            (
                "活动时间为2024年7月1日至7月31日，每天上午9:00-11:30开放。",
                &[
                    (Date, "2024年7月1日", "2024-07-01"),
                    (Date, "7月31日", "2024-07-31"),
                    (Time, "上午9:00", "09:00"),
                    (Time, "11:30", "11:30"),
                ],
            ),
            (
                "咨询电话：0510-86861234，手机：13912345678，邮箱：service@jiangyin.gov.cn。",
                &[
                    (PhoneNumber, "0510-86861234", "+8651086861234"),
                    (PhoneNumber, "13912345678", "+8613912345678"),
                    (Email, "service@jiangyin.gov.cn", "service@jiangyin.gov.cn"),
                ],
            ),
            (
                "市政务服务中心下午2点至5点开放，热线电话12345全天候受理。",
                &[(Time, "下午2点", "14:00"), (Time, "5点", "17:00")],
            ),
            (
                "近3日，全市累计接待游客12.5万人次，实现旅游收入1.8亿元。",
                &[
                    (Quantity, "12.5万人次", "125000 人次"),
                    (Money, "1.8亿元", "180000000 CNY"),
                ],
            ),
            (
                "截至2024年底，全市共有规上工业企业3000余家，其中高新技术企业1200多家。",
                &[
                    (Date, "2024年", "2024"),
                    (Quantity, "3000余家", "3000 家"),
                    (Quantity, "1200多家", "1200 家"),
                ],
            ),
            (
                "该集团2023年营业收入350亿港元，净利润增长百分之十二。",
                &[
                    (Date, "2023年", "2023"),
                    (Money, "350亿港元", "35000000000 HKD"),
                    (Percent, "百分之十二", "0.12"),
                ],
            ),
            ("“十四五”期间，江阴将投入数十亿元用于交通基础设施建设。", &[]),
            (
                "今年一季度，全市居民人均可支配收入达到18650元，同比增长5.8%。",
                &[(Money, "18650元", "18650 CNY"), (Percent, "5.8%", "0.058")],
            ),
            (
                "徐州港2023年完成货物吞吐量1.3亿吨，集装箱吞吐量85万标箱。",
                &[
                    (Date, "2023年", "2023"),
                    (Quantity, "1.3亿吨", "130000000 吨"),
                    (Quantity, "85万标箱", "850000 标箱"),
                ],
            ),
            (
                "本次招聘岗位共计326个，报名时间为6月27日至29日，报名网址为http://rsj.xz.gov.cn/zp/2024.html。",
                &[
                    (Quantity, "326个", "326 个"),
                    (Date, "6月27日", "--06-27"),
                    (Date, "29日", "--06-29"),
                    (
                        Url,
                        "http://rsj.xz.gov.cn/zp/2024.html",
                        "http://rsj.xz.gov.cn/zp/2024.html",
                    ),
                ],
            ),
            (
                "据测算，项目建成后每年可减少二氧化碳排放约50万吨，新增就业岗位2000余个。",
                &[(Quantity, "50万吨", "500000 吨"), (Quantity, "2000余个", "2000 个")],
            ),
            (
                "江阴市上半年进出口总额达1234.56亿元人民币，预计全年增速在10%-15%之间。",
                &[
                    (Money, "1234.56亿元人民币", "123456000000 CNY"),
                    (Percent, "10%", "0.1"),
                    (Percent, "15%", "0.15"),
                ],
            ),
            (
                "5月份，全国居民消费价格（CPI）同比上涨0.3%，环比下降0.1%。",
                &[
                    (Date, "5月份", "--05"),
                    (Percent, "0.3%", "0.003"),
                    (Percent, "0.1%", "0.001"),
                ],
            ),
            (
                "会议于2024年4月9日上午9时45分在市行政中心召开，会期2天。",
                &[
                    (Date, "2024年4月9日", "2024-04-09"),
                    (Time, "上午9时45分", "09:45"),
                    (Quantity, "2天", "2 天"),
                ],
            ),
            (
                "系统日志显示，故障发生于2024-04-09 09:45:30，持续约15分钟。",
                &[
                    (Date, "2024-04-09 09:45:30", "2024-04-09T09:45:30"),
                    (Quantity, "15分钟", "15 分钟"),
                ],
            ),
            (
                "市财政安排专项资金三千万元，支持120家中小企业技术改造。",
                &[(Money, "三千万元", "30000000 CNY"), (Quantity, "120家", "120 家")],
            ),
            (
                "全市常住人口达到908.54万人，比上年末增加2.3万人。",
                &[
                    (Quantity, "908.54万人", "9085400 人"),
                    (Quantity, "2.3万人", "23000 人"),
                ],
            ),
            (
                "外商直接投资实际使用外资12.5亿美元，增长23.6%。",
                &[(Money, "12.5亿美元", "1250000000 USD"), (Percent, "23.6%", "0.236")],
            ),
            (
                "该企业在香港联交所募资3.5亿港元，并向日本客户交付价值50亿日元的设备。",
                &[
                    (Money, "3.5亿港元", "350000000 HKD"),
                    (Money, "50亿日元", "5000000000 JPY"),
                ],
            ),
            (
                "新建改造农村公路200公里，建成高标准农田5.6万亩。",
                &[(Quantity, "200公里", "200 公里"), (Quantity, "5.6万亩", "56000 亩")],
            ),
            (
                "城区新增停车泊位1,200个，总投资人民币3000万元。",
                &[
                    (Quantity, "1,200个", "1200 个"),
                    (Money, "人民币3000万元", "30000000 CNY"),
                ],
            ),
            (
                "详情请登录www.jiangyin.gov.cn查询，或拨打服务热线400-820-8820。",
                &[
                    (Url, "www.jiangyin.gov.cn", "www.jiangyin.gov.cn"),
                    (PhoneNumber, "400-820-8820", "+864008208820"),
                ],
            ),
            (
                "二〇二四年六月二十八日，市人大常委会第十九次会议表决通过该条例。",
                &[(Date, "二〇二四年六月二十八日", "2024-06-28")],
            ),
            (
                "居民储蓄存款余额突破5000 亿元，较年初增加超 50 亿元。",
                &[
                    (Money, "5000 亿元", "500000000000 CNY"),
                    (Money, "50 亿元", "5000000000 CNY"),
                ],
            ),
            (
                "全年接待境外游客近百万人次，人均消费1.2万美元。",
                &[(Money, "1.2万美元", "12000 USD")],
            ),
            (
                "民警晚上8点半接到报警，凌晨2点将嫌疑人抓获。",
                &[(Time, "晚上8点半", "20:30"), (Time, "凌晨2点", "02:00")],
            ),
            (
                "今年以来，全市共发生较大交通事故3起，同比下降百分之三十。",
                &[(Quantity, "3起", "3 起"), (Percent, "百分之三十", "0.3")],
            ),
            (
                "该区2021-2025年将新建学校12所，新增学位1.5万个。",
                &[
                    (Date, "2021", "2021"),
                    (Date, "2025年", "2025"),
                    (Quantity, "12所", "12 所"),
                    (Quantity, "1.5万个", "15000 个"),
                ],
            ),
            (
                "项目一期占地400 万平方米，二期预计投资200万—300万元。",
                &[
                    (Quantity, "400 万平方米", "4000000 平方米"),
                    (Money, "200万", "2000000 CNY"),
                    (Money, "300万元", "3000000 CNY"),
                ],
            ),
            (
                "当天最高气温达38℃，全市用电负荷创历史新高，达到1.2万兆瓦。",
                &[(Quantity, "38℃", "38 ℃"), (Quantity, "1.2万兆瓦", "12000 兆瓦")],
            ),
            (
                "公告发布日期：2024/6/28，联系人：张先生，电话：(0516)82345678。",
                &[
                    (Date, "2024/6/28", "2024-06-28"),
                    (PhoneNumber, "(0516)82345678", "+8651682345678"),
                ],
            ),
            (
                "江阴高新区2023年实现技工贸总收入3500亿元、同比增长8%，一般公共预算收入十二亿元。",
                &[
                    (Date, "2023年", "2023"),
                    (Money, "3500亿元", "350000000000 CNY"),
                    (Percent, "8%", "0.08"),
                    (Money, "十二亿元", "1200000000 CNY"),
                ],
            ),
            (
                "投资者可通过邮箱ir@xcmg.com或访问http://www.xcmg.com/ir/了解详情。",
                &[
                    (Email, "ir@xcmg.com", "ir@xcmg.com"),
                    (Url, "http://www.xcmg.com/ir/", "http://www.xcmg.com/ir/"),
                ],
            ),
            (
                "市场监管部门抽检食品1.5万批次，合格率达98.6%，较去年提高0.5个百分点。",
                &[
                    (Quantity, "1.5万批次", "15000 批次"),
                    (Percent, "98.6%", "0.986"),
                    (Quantity, "0.5个百分点", "0.5 百分点"),
                ],
            ),
            (
                "韩国客商签约金额达1200亿韩元，约合人民币6.5亿元。",
                &[
                    (Money, "1200亿韩元", "120000000000 KRW"),
                    (Money, "人民币6.5亿元", "650000000 CNY"),
                ],
            ),
            (
                "2024年6月28日下午3点，徐州地铁3号线二期工程全线贯通，线路全长18.1公里，设车站12座。",
                &[
                    (Date, "2024年6月28日", "2024-06-28"),
                    (Time, "下午3点", "15:00"),
                    (Quantity, "18.1公里", "18.1 公里"),
                    (Quantity, "12座", "12 座"),
                ],
            ),
        ];
        assert!(cases.len() >= 30);
        for &(text, expected) in cases {
            check(text, expected);
        }
    }

    /// Every span is in bounds, on char boundaries, non-empty, sorted and
    /// disjoint, and has a value.
    #[track_caller]
    fn assert_well_formed(text: &str) {
        let mut prev_end = 0;
        for e in RECOGNIZER.find(text) {
            assert!(e.start < e.end && e.end <= text.len(), "{e:?} in {text:?}");
            assert!(
                text.is_char_boundary(e.start) && text.is_char_boundary(e.end),
                "{e:?} in {text:?}"
            );
            assert!(e.start >= prev_end, "{e:?} overlaps in {text:?}");
            assert!(!e.normalized.is_empty(), "{e:?} in {text:?}");
            prev_end = e.end;
        }
    }

    #[test]
    fn spans_are_well_formed_on_adversarial_input() {
        let fixed = [
            String::new(),
            "\0".into(),
            "\0\u{1}\u{7f}\u{1b}[31m2024年\u{0}6月".into(),
            "👍🏽2024年👨‍👩‍👧6月😀28日🇨🇳".into(),
            "2\u{0301}024年6\u{0301}月 e\u{0301}@x.cn".into(),
            "\u{feff}\u{200b}13775881757\u{200d}".into(),
            "only latin text, nothing to see here.".into(),
            "¥¥$€£ 人民币 百分之 上午 下午 +86 ( ) - 至 @ www. http://".into(),
            "+86+86+86(((0516)))((".into(),
            "1-1-1-1-1-1-1-1-1-1-1".into(),
            "１２３４５６７８９０１２３４５６７８９０１２３４５％".into(),
            "1亿亿亿万万万千千百百十十".into(),
            "廿廿卅卅十十零零〇〇两两".into(),
            "百分之百分之百分之".into(),
            "3点5分3点5分3点".into(),
            "2024-2024-2024-2024".into(),
            "http://)))))))".into(),
            "a@b@c@d.cn@e.com".into(),
        ];
        for text in &fixed {
            assert_well_formed(text);
        }
        // Deterministic pseudo-random strings over the characters the
        // matchers react to.
        let alphabet: Vec<char> = "0123456789１２.,，:：-—至到%％@/w（(）)+ 年月日号时点分秒半整上午下午晚万亿千百十零〇一二两三廿元美个人吨多余第数之😀\u{301}"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_well_formed(&text);
        }
    }

    #[test]
    fn long_inputs_complete() {
        let unit = "1234567890一二三四五六七八九十百千万亿年月日元个%-.";
        let mixed: String = unit.chars().cycle().take(100_000).collect();
        assert_well_formed(&mixed);
        for text in [
            "7".repeat(100_000),
            "一".repeat(100_000),
            "1万".repeat(50_000),
            "a".repeat(100_000),
            "a.".repeat(50_000),
            "a@".repeat(50_000),
            format!("http://{}", "x".repeat(100_000)),
            "中".repeat(100_000),
        ] {
            assert_well_formed(&text);
        }
    }

    #[test]
    fn recognizer_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RuleRecognizer>();
    }
}
