//! Measurement of the repair steps: precision on clean text and recall on
//! synthetic corruptions of the same text.
//!
//! [`evaluate`] takes clean running text (for word-segmented corpora such as
//! SIGHAN 2005 gold files, join the words first, see [`join_segmented`]) and:
//! * applies every step to every line and counts the lines and characters it
//!   changes — on clean text everything but width folding should be ~zero;
//! * for each kind of corruption draws up to [`SAMPLES_PER_KIND`] lines
//!   (deterministically from `seed`), corrupts them, runs the step meant to
//!   undo it and counts samples fully repaired (output equals the step's
//!   output on the clean line), partly changed, unchanged, and *damaged*
//!   (some change outside the injected corruption).
//!
//! Corruptions: pinyin annotations (readings from a fixed table of ~800
//! common characters, [`READINGS`]; Traditional characters are looked up
//! through the character model's Traditional → Simplified folding),
//! spaces between CJK characters, invisible characters, widened ASCII,
//! UTF-8-as-GBK mojibake of a substring and of the whole line, a GBK stream
//! that lost one lead byte (with `?` or `�` marker), and GBK-as-UTF-8
//! (unrecoverable; the row counts detection by
//! [`find_lossy_runs`]).
//!
//! `noise_*` rows are the reverse check: things a step must leave alone
//! (`是吗?A股`, a stray `�`, `(GDP)`, `超 50 亿`, emoji ZWJ sequences) are
//! inserted after a Han character; "repaired" then means "left alone" and
//! any change counts as damage.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use super::chars::{is_cjk_punct, is_han};
use super::mojibake::find_lossy_runs;
use super::{
    CharModel, CollapseCjkSpaces, FoldWidth, RemoveInvisible, RepairMojibake, RepairStep, StripPinyinAnnotations,
};
use crate::text::align::Rewrite;

/// Upper bound on samples drawn per corruption kind.
pub const SAMPLES_PER_KIND: usize = 1000;

/// Changes one step makes to clean text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecisionRow {
    /// Step (or detector) name.
    pub step: &'static str,
    /// Lines with at least one change.
    pub lines_changed: usize,
    /// Characters of the input inside changed spans.
    pub chars_changed: usize,
}

/// How one step fared on one kind of corruption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecallRow {
    /// Corruption kind.
    pub corruption: &'static str,
    /// Step (or detector) applied.
    pub step: &'static str,
    /// Samples generated.
    pub samples: usize,
    /// Output equal to the step's output on the clean line (for the lossy
    /// detector: corruption detected).
    pub repaired: usize,
    /// Changed, but not to the expected text.
    pub partial: usize,
    /// Left unchanged.
    pub unchanged: usize,
    /// Samples with a change outside the injected corruption.
    pub damaged: usize,
    /// Character edit distance from the expected text, summed, before the
    /// step ran…
    pub errors_before: usize,
    /// …and after: `errors_after / errors_before` is the residual error.
    pub errors_after: usize,
}

/// Result of [`evaluate`]; `Display` prints it as two tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Clean lines evaluated.
    pub lines: usize,
    /// Characters in them.
    pub chars: usize,
    /// One row per step on the clean lines.
    pub precision: Vec<PrecisionRow>,
    /// One row per corruption kind.
    pub recall: Vec<RecallRow>,
}

impl fmt::Display for RepairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "precision on clean text: {} lines, {} chars", self.lines, self.chars)?;
        writeln!(f, "{:<22} {:>13} {:>13}", "step", "lines changed", "chars changed")?;
        for r in &self.precision {
            writeln!(f, "{:<22} {:>13} {:>13}", r.step, r.lines_changed, r.chars_changed)?;
        }
        writeln!(f)?;
        writeln!(f, "recall on synthetic corruptions")?;
        writeln!(
            f,
            "{:<18} {:<20} {:>7} {:>9} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7}",
            "corruption", "step", "samples", "repaired", "partial", "unchgd", "damaged", "recall", "damage", "resid"
        )?;
        for r in &self.recall {
            let pct = |n: usize| 100.0 * n as f64 / r.samples.max(1) as f64;
            let resid = if r.errors_before == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", 100.0 * r.errors_after as f64 / r.errors_before as f64)
            };
            writeln!(
                f,
                "{:<18} {:<20} {:>7} {:>9} {:>7} {:>7} {:>8} {:>6.1}% {:>6.1}% {:>7}",
                r.corruption,
                r.step,
                r.samples,
                r.repaired,
                r.partial,
                r.unchanged,
                r.damaged,
                pct(r.repaired),
                pct(r.damaged),
                resid
            )?;
        }
        Ok(())
    }
}

/// Joins a word-segmented line (words separated by ASCII or ideographic
/// spaces, as in the SIGHAN 2005 gold files) back into running text.
pub fn join_segmented(line: &str) -> String {
    line.split([' ', '\u{3000}']).collect()
}

/// Evaluates all steps on `clean_lines` (running text, one paragraph per
/// line); see the [module documentation](self). Deterministic for a given
/// `seed`.
pub fn evaluate(clean_lines: &[String], seed: u64) -> RepairReport {
    let mojibake = RepairMojibake::load();
    let steps: [&dyn RepairStep; 5] = [
        &RemoveInvisible,
        &mojibake,
        &StripPinyinAnnotations,
        &FoldWidth,
        &CollapseCjkSpaces,
    ];
    let mut precision: Vec<PrecisionRow> = steps.iter().map(|s| precision_row(*s, clean_lines)).collect();
    precision.push(lossy_precision_row(clean_lines));

    let model = CharModel::embedded();
    let kinds: [(&'static str, &dyn RepairStep, Corrupt); 15] = [
        ("pinyin", &StripPinyinAnnotations, &|l, r| inject_pinyin(l, r, &model)),
        ("cjk_spaces", &CollapseCjkSpaces, &inject_spaces),
        ("invisible", &RemoveInvisible, &inject_invisible),
        ("full_width", &FoldWidth, &widen),
        ("utf8_as_gbk_span", &mojibake, &utf8_as_gbk_span),
        ("utf8_as_gbk_line", &mojibake, &utf8_as_gbk_line),
        ("gbk_lost_byte_?", &mojibake, &|l, r| gbk_lost_byte(l, r, Some('?'))),
        ("gbk_lost_byte_fffd", &mojibake, &|l, r| gbk_lost_byte(l, r, None)),
        (GBK_AS_UTF8, &mojibake, &gbk_as_utf8),
        ("noise_?_ascii", &mojibake, &|l, r| insert_noise(l, r, QUESTION_NOISE)),
        ("noise_?_han", &mojibake, &|l, r| insert_noise(l, r, QUESTION_HAN_NOISE)),
        ("noise_fffd", &mojibake, &|l, r| insert_noise(l, r, &["\u{FFFD}"])),
        ("noise_parenthetical", &StripPinyinAnnotations, &|l, r| {
            insert_noise(l, r, PAREN_NOISE)
        }),
        ("noise_latin_spaces", &CollapseCjkSpaces, &|l, r| {
            insert_noise(l, r, SPACE_NOISE)
        }),
        ("noise_emoji_zwj", &RemoveInvisible, &|l, r| {
            insert_noise(l, r, EMOJI_NOISE)
        }),
    ];
    let mut rng = Rng::new(seed);
    let recall = kinds
        .into_iter()
        .map(|(corruption, step, corrupt)| recall_row(corruption, step, corrupt, clean_lines, &mut rng))
        .collect();
    RepairReport {
        lines: clean_lines.len(),
        chars: clean_lines.iter().map(|l| l.chars().count()).sum(),
        precision,
        recall,
    }
}

/// Lines and characters `step` changes in clean text.
fn precision_row(step: &dyn RepairStep, clean_lines: &[String]) -> PrecisionRow {
    let mut row = PrecisionRow {
        step: step.name(),
        lines_changed: 0,
        chars_changed: 0,
    };
    for line in clean_lines {
        let changed = changed_chars(line, &step.apply(line));
        row.lines_changed += usize::from(changed > 0);
        row.chars_changed += changed;
    }
    row
}

/// False alarms of [`find_lossy_runs`] in clean text.
fn lossy_precision_row(clean_lines: &[String]) -> PrecisionRow {
    let mut row = PrecisionRow {
        step: "find_lossy_runs",
        lines_changed: 0,
        chars_changed: 0,
    };
    for line in clean_lines {
        let runs = find_lossy_runs(line);
        row.lines_changed += usize::from(!runs.is_empty());
        row.chars_changed += runs.iter().map(|r| line[r.clone()].chars().count()).sum::<usize>();
    }
    row
}

/// Corrupts up to [`SAMPLES_PER_KIND`] lines with `corrupt`, runs `step` on
/// them and scores the outcome.
fn recall_row(
    corruption: &'static str,
    step: &dyn RepairStep,
    corrupt: Corrupt,
    clean_lines: &[String],
    rng: &mut Rng,
) -> RecallRow {
    let detect_only = corruption == GBK_AS_UTF8;
    let mut row = RecallRow {
        corruption,
        step: if detect_only { "find_lossy_runs" } else { step.name() },
        samples: 0,
        repaired: 0,
        partial: 0,
        unchanged: 0,
        damaged: 0,
        errors_before: 0,
        errors_after: 0,
    };
    let mut order: Vec<usize> = (0..clean_lines.len()).collect();
    rng.shuffle(&mut order);
    for i in order {
        if row.samples == SAMPLES_PER_KIND {
            break;
        }
        // The expected output is the step's output on the clean line, so
        // recall is not blurred by what the step does to clean text anyway.
        let clean_out = step.apply(&clean_lines[i]).text;
        let Some(sample) = corrupt(&clean_out, rng) else {
            continue;
        };
        row.samples += 1;
        let out = step.apply(&sample.text);
        let damaged = out
            .spans
            .iter()
            .filter(|s| sample.text.get(s.original.clone()) != out.text.get(s.normalized.clone()))
            .any(|s| !overlaps_any(&s.original, &sample.injected));
        row.damaged += usize::from(damaged);
        if detect_only {
            let found = find_lossy_runs(&sample.text);
            if found.iter().any(|f| overlaps_any(f, &sample.injected)) {
                row.repaired += 1;
            } else {
                row.unchanged += 1;
            }
            continue;
        }
        let expected = sample.expected.as_deref().unwrap_or(&clean_out);
        if out.text == expected {
            row.repaired += 1;
        } else if out.text == sample.text {
            row.unchanged += 1;
        } else {
            row.partial += 1;
        }
        row.errors_before += char_distance(&sample.text, expected);
        row.errors_after += char_distance(&out.text, expected);
    }
    row
}

const GBK_AS_UTF8: &str = "gbk_as_utf8";

/// Clean-text look-alikes of a lost-byte marker: an ASCII question mark
/// before Latin text, as in `是吗?A股`.
const QUESTION_NOISE: &[&str] = &[
    "?A股", "?GDP", "?CEO", "?iPhone", "?App", "?QQ", "?WTO", "?K线", "?X光", "?e",
];

/// Question marks in sloppy Chinese text: `是吗?他说`, Simplified and
/// Traditional, some ending in Latin text or another `?`.
const QUESTION_HAN_NOISE: &[&str] = &[
    "?他说",
    "?我们",
    "?這是",
    "?對於",
    "?為什麼?",
    "?说明Windows",
    "?還是A股",
    "?真的吗?",
    "?記者",
    "?那么",
];

/// Real parentheticals after Han characters, which must stay.
const PAREN_NOISE: &[&str] = &[
    "(GDP)",
    "(AI)",
    "(Li Qiang)",
    "(2024)",
    "(a)",
    "(新吴区)",
    "(Beijing)",
    "(ban)",
    "(long)",
    "(iPhone)",
    "(km)",
    "(m)",
    "（e）",
    "（fan）",
    "(pm2.5)",
    "(sina)",
    "(huawei)",
];

/// Spaces next to Latin letters and digits, which must stay.
const SPACE_NOISE: &[&str] = &[" 50 亿", " iPhone 15 ", " GDP ", " A股", " 2024 ", "“hello” “world”"];

/// Emoji joined by ZWJ, which must stay.
const EMOJI_NOISE: &[&str] = &["👨\u{200D}👩\u{200D}👧", "❤\u{FE0F}\u{200D}🔥", "🏳\u{FE0F}\u{200D}🌈"];

/// Character edit distance, computed on the part between the common prefix
/// and suffix (which is where corruptions and repairs differ).
fn char_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if a.len().max(b.len()) > 4000 {
        // Too long for the quadratic table; an upper bound is good enough.
        return a.len().max(b.len());
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (diagonal + usize::from(x != y)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Inserts one of `pieces` right after a random Han character; the step
/// must leave it alone.
fn insert_noise(line: &str, rng: &mut Rng, pieces: &[&str]) -> Option<Sample> {
    let bounds: Vec<usize> = line
        .char_indices()
        .filter(|&(_, c)| is_han(c))
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    let at = *bounds.get(rng.below(bounds.len()))?;
    let text = format!("{}{}{}", &line[..at], pieces[rng.below(pieces.len())], &line[at..]);
    Some(Sample {
        expected: Some(text.clone()),
        text,
        injected: Vec::new(),
    })
}

/// Characters of `input` inside spans that `rewrite` changed.
fn changed_chars(input: &str, rewrite: &Rewrite) -> usize {
    rewrite
        .spans
        .iter()
        .filter(|s| input.get(s.original.clone()) != rewrite.text.get(s.normalized.clone()))
        .map(|s| input.get(s.original.clone()).map_or(0, |t| t.chars().count()))
        .sum()
}

fn overlaps_any(r: &Range<usize>, injected: &[Range<usize>]) -> bool {
    injected.iter().any(|i| {
        if r.is_empty() {
            // A deletion touching an injected range counts as inside it.
            i.start <= r.start && r.start <= i.end
        } else {
            i.start < r.end && r.start < i.end
        }
    })
}

/// A corrupted line and the byte ranges of the injected corruption.
struct Sample {
    text: String,
    injected: Vec<Range<usize>>,
    /// The output a perfect step gives, if not its output on the clean line
    /// (noise that must be left alone).
    expected: Option<String>,
}

impl Sample {
    /// A sample with one injected range.
    fn spanning(text: String, injected: Range<usize>) -> Sample {
        Sample {
            text,
            injected: std::iter::once(injected).collect(),
            expected: None,
        }
    }

    /// A sample whose corruption is wherever it differs from `clean`.
    fn diff(clean: &str, text: String) -> Option<Sample> {
        if text == clean {
            return None;
        }
        let prefix = clean
            .char_indices()
            .zip(text.chars())
            .find(|((_, a), b)| a != b)
            .map_or(clean.len().min(text.len()), |((i, _), _)| i);
        let suffix: usize = clean[prefix..]
            .chars()
            .rev()
            .zip(text[prefix..].chars().rev())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        let end = text.len() - suffix;
        Some(Sample::spanning(text, prefix..end))
    }
}

type Corrupt<'a> = &'a dyn Fn(&str, &mut Rng) -> Option<Sample>;

/// SplitMix64: tiny, deterministic, good enough for sampling.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Readings (tone marks; neutral tone unmarked) of common Simplified
/// characters, used to inject annotations. Written by hand for this
/// evaluation; one reading per character, the most frequent one.
pub const READINGS: &str = "
的de 一yī 是shì 不bù 了le 在zài 人rén 有yǒu 我wǒ 他tā 这zhè 个gè 们men 中zhōng 来lái 上shàng
大dà 为wèi 和hé 国guó 地dì 到dào 以yǐ 说shuō 时shí 要yào 就jiù 出chū 会huì 可kě 也yě 你nǐ
对duì 生shēng 能néng 而ér 子zǐ 那nà 得dé 于yú 着zhe 下xià 自zì 之zhī 年nián 过guò 发fā 后hòu
作zuò 里lǐ 用yòng 道dào 行xíng 所suǒ 然rán 家jiā 种zhǒng 事shì 成chéng 方fāng 多duō 经jīng 么me 去qù
法fǎ 学xué 如rú 都dōu 同tóng 现xiàn 当dāng 没méi 动dòng 面miàn 起qǐ 看kàn 定dìng 天tiān 分fēn 还hái
进jìn 好hǎo 小xiǎo 部bù 其qí 些xiē 主zhǔ 样yàng 理lǐ 心xīn 她tā 本běn 前qián 开kāi 但dàn 因yīn
只zhǐ 从cóng 想xiǎng 实shí 日rì 军jūn 者zhě 意yì 无wú 力lì 它tā 与yǔ 长cháng 把bǎ 机jī 十shí
民mín 第dì 公gōng 此cǐ 已yǐ 工gōng 使shǐ 情qíng 明míng 性xìng 知zhī 全quán 三sān 又yòu 关guān 点diǎn
正zhèng 业yè 外wài 将jiāng 两liǎng 高gāo 间jiān 由yóu 问wèn 很hěn 最zuì 重zhòng 并bìng 物wù 手shǒu 应yīng
战zhàn 向xiàng 头tóu 文wén 体tǐ 政zhèng 美měi 相xiāng 见jiàn 被bèi 利lì 什shén 二èr 等děng 产chǎn 或huò
新xīn 己jǐ 制zhì 身shēn 果guǒ 加jiā 西xī 斯sī 月yuè 话huà 合hé 回huí 特tè 代dài 内nèi 信xìn
表biǎo 化huà 老lǎo 给gěi 世shì 位wèi 次cì 度dù 门mén 任rèn 常cháng 先xiān 海hǎi 通tōng 教jiào 儿ér
原yuán 东dōng 声shēng 提tí 立lì 及jí 比bǐ 员yuán 解jiě 水shuǐ 名míng 真zhēn 论lùn 处chù 走zǒu 义yì
各gè 入rù 几jǐ 口kǒu 认rèn 条tiáo 平píng 系xì 气qì 题tí 活huó 尔ěr 更gèng 别bié 打dǎ 女nǚ
变biàn 四sì 神shén 总zǒng 何hé 电diàn 数shù 安ān 少shǎo 报bào 才cái 结jié 反fǎn 受shòu 目mù 太tài
量liàng 再zài 感gǎn 建jiàn 务wù 做zuò 接jiē 必bì 场chǎng 件jiàn 计jì 管guǎn 期qī 市shì 直zhí 德dé
资zī 命mìng 山shān 金jīn 指zhǐ 克kè 许xǔ 统tǒng 区qū 保bǎo 至zhì 队duì 形xíng 社shè 便biàn 空kōng
决jué 治zhì 展zhǎn 马mǎ 科kē 司sī 五wǔ 基jī 眼yǎn 书shū 非fēi 则zé 听tīng 白bái 却què 界jiè
达dá 光guāng 放fàng 强qiáng 即jí 像xiàng 难nán 且qiě 权quán 思sī 王wáng 象xiàng 完wán 设shè 式shì 色sè
路lù 记jì 南nán 品pǐn 住zhù 告gào 类lèi 求qiú 据jù 程chéng 北běi 边biān 死sǐ 张zhāng 该gāi 交jiāo
规guī 万wàn 取qǔ 拉lā 格gé 望wàng 觉jué 术shù 领lǐng 共gòng 确què 传chuán 师shī 观guān 清qīng 今jīn
切qiè 院yuàn 让ràng 识shí 候hòu 带dài 导dǎo 争zhēng 运yùn 笑xiào 飞fēi 风fēng 步bù 改gǎi 收shōu 根gēn
干gàn 造zào 言yán 联lián 持chí 组zǔ 每měi 济jì 车chē 亲qīn 极jí 林lín 服fú 快kuài 办bàn 议yì
往wǎng 元yuán 英yīng 士shì 证zhèng 近jìn 失shī 转zhuǎn 夫fū 令lìng 准zhǔn 布bù 始shǐ 怎zěn 呢ne 存cún
未wèi 远yuǎn 叫jiào 台tái 单dān 影yǐng 具jù 罗luó 字zì 爱ài 击jī 流liú 备bèi 兵bīng 连lián 调diào
深shēn 商shāng 算suàn 质zhì 团tuán 集jí 百bǎi 需xū 价jià 花huā 党dǎng 华huá 城chéng 石shí 级jí 整zhěng
府fǔ 离lí 况kuàng 亚yà 请qǐng 技jì 际jì 约yuē 示shì 复fù 病bìng 息xī 究jiū 线xiàn 似sì 官guān
火huǒ 断duàn 精jīng 满mǎn 支zhī 视shì 消xiāo 越yuè 器qì 容róng 照zhào 须xū 九jiǔ 增zēng 研yán 写xiě
称chēng 企qǐ 八bā 功gōng 吗ma 包bāo 片piàn 史shǐ 委wěi 乎hū 查chá 轻qīng 易yì 早zǎo 曾céng 除chú
农nóng 找zhǎo 装zhuāng 广guǎng 显xiǎn 吧ba 阿ā 李lǐ 标biāo 谈tán 吃chī 图tú 念niàn 六liù 引yǐn 历lì
首shǒu 医yī 局jú 突tū 专zhuān 费fèi 号hào 尽jìn 另lìng 周zhōu 较jiào 注zhù 语yǔ 仅jǐn 考kǎo 落luò
青qīng 随suí 选xuǎn 列liè 武wǔ 红hóng 响xiǎng 虽suī 推tuī 势shì 参cān 希xī 古gǔ 众zhòng 构gòu 房fáng
半bàn 节jié 土tǔ 投tóu 某mǒu 案àn 黑hēi 维wéi 革gé 划huà 敌dí 致zhì 陈chén 律lǜ 足zú 态tài
护hù 七qī 兴xìng 派pài 孩hái 验yàn 责zé 营yíng 星xīng 够gòu 章zhāng 音yīn 跟gēn 志zhì 底dǐ 站zhàn
严yán 巴bā 例lì 防fáng 族zú 供gōng 效xiào 续xù 施shī 留liú 讲jiǎng 型xíng 料liào 终zhōng 答dá 紧jǐn
黄huáng 绝jué 奇qí 察chá 母mǔ 京jīng 段duàn 依yī 批pī 群qún 项xiàng 故gù 按àn 河hé 米mǐ 围wéi
江jiāng 织zhī 害hài 斗dòu 双shuāng 境jìng 客kè 纪jì 采cǎi 举jǔ 杀shā 攻gōng 父fù 苏sū 密mì 低dī
朝cháo 友yǒu 诉sù 止zhǐ 细xì 愿yuàn 千qiān 值zhí 仍réng 男nán 钱qián 破pò 网wǎng 热rè 助zhù 倒dào
育yù 属shǔ 坐zuò 帝dì 限xiàn 船chuán 脸liǎn 职zhí 速sù 刻kè 乐lè 否fǒu 刚gāng 威wēi 毛máo 状zhuàng
率lǜ 甚shèn 独dú 球qiú 般bān 普pǔ 怕pà 弹dàn 校xiào 苦kǔ 创chuàng 假jiǎ 久jiǔ 错cuò 承chéng 印yìn
晚wǎn 兰lán 试shì 股gǔ 拿ná 脑nǎo 预yù 谁shuí 益yì 阳yáng 若ruò 哪nǎ 微wēi 尼ní 继jì 送sòng
急jí 血xuè 惊jīng 伤shāng 素sù 药yào 适shì 波bō 夜yè 省shěng 初chū 喜xǐ 卫wèi 源yuán 食shí 险xiǎn
待dài 述shù 陆lù 习xí 置zhì 居jū 劳láo 财cái 环huán 排pái 福fú 纳nà 欢huān 雷léi 警jǐng 获huò
模mó 充chōng 负fù 云yún 停tíng 木mù 游yóu 龙lóng 树shù 疑yí 层céng 冷lěng 洲zhōu 冲chōng 射shè 略lüè
范fàn 竟jìng 句jù 室shì 异yì 激jī 汉hàn 村cūn 哈hā 策cè 演yǎn 简jiǎn 卡kǎ 罪zuì 判pàn 担dān
州zhōu 静jìng 退tuì 既jì 衣yī 您nín 宗zōng 积jī 余yú 痛tòng 检jiǎn 差chà 富fù 灵líng 协xié 角jiǎo
占zhàn 配pèi 征zhēng 修xiū 皮pí 挥huī 胜shèng 降jiàng 阶jiē 审shěn 沉chén 坚jiān 善shàn 妈mā 刘liú 读dú
啊ā 超chāo 免miǎn 压yā 银yín 买mǎi 皇huáng 养yǎng 伊yī 怀huái 执zhí 副fù 乱luàn 抗kàng 犯fàn 追zhuī
帮bāng 宣xuān 佛fó 岁suì 航háng 优yōu 怪guài 香xiāng 著zhù 田tián 铁tiě 控kòng 税shuì 左zuǒ 右yòu 份fèn
穿chuān 艺yì 背bèi 阵zhèn 草cǎo 脚jiǎo 概gài 恶è 块kuài 顿dùn 敢gǎn 守shǒu 酒jiǔ 岛dǎo 托tuō 央yāng
户hù 烈liè 洋yáng 哥gē 索suǒ 胡hú 款kuǎn 靠kào 评píng 版bǎn 宝bǎo 座zuò 释shì 景jǐng 顾gù 弟dì
登dēng 货huò 互hù 付fù 伯bó 慢màn 欧ōu 换huàn 闻wén 危wēi 忙máng 核hé 暗àn 姐jiě 介jiè 坏huài
讨tǎo 丽lì 良liáng 序xù 升shēng 监jiān 临lín 亮liàng 露lù 永yǒng 呼hū 味wèi 野yě 架jià 域yù 沙shā
掉diào 括kuò 舰jiàn 鱼yú 杂zá 误wù 湾wān 吉jí 减jiǎn 编biān 楚chǔ 肯kěn 测cè 败bài 屋wū 跑pǎo
梦mèng 散sàn 温wēn 困kùn 剑jiàn 渐jiàn 封fēng 救jiù 贵guì 枪qiāng 缺quē 楼lóu 县xiàn 尚shàng 毫háo 移yí
娘niáng 朋péng 画huà 班bān 智zhì 亦yì 耳ěr 恩ēn 短duǎn 掌zhǎng 恐kǒng 遗yí 固gù 席xí 松sōng 秘mì
谢xiè 鲁lǔ 遇yù 康kāng 虑lǜ 幸xìng 均jūn 销xiāo 钟zhōng 诗shī 藏cáng 赶gǎn 剧jù 票piào 损sǔn 忽hū
巨jù 炮pào 旧jiù 端duān 探tàn 湖hú 录lù 叶yè 春chūn 乡xiāng 附fù 吸xī 予yǔ 礼lǐ 港gǎng 雨yǔ
呀ya 板bǎn 庭tíng 妇fù 归guī 睛jīng 饭fàn 额é 含hán 顺shùn 输shū 摇yáo 招zhāo 婚hūn 脱tuō 补bǔ
谓wèi 督dū 毒dú 油yóu 疗liáo 旅lǚ 泽zé 材cái 灭miè 逐zhú 莫mò 笔bǐ 亡wáng 鲜xiān 词cí 圣shèng
择zé 寻xún 厂chǎng 睡shuì 博bó 勒lè 烟yān 授shòu 诺nuò 伦lún 岸àn 奥ào 唐táng 卖mài 俄é 炸zhà
载zài 洛luò 健jiàn 堂táng 旁páng 宫gōng 喝hē 借jiè 君jūn 禁jìn 阴yīn 园yuán 谋móu 宋sòng 避bì 抓zhuā
荣róng 姑gū 孙sūn 逃táo 牙yá 束shù 跳tiào 顶dǐng 玉yù 镇zhèn 雪xuě 午wǔ 练liàn 迫pò 爷yé 篇piān
肉ròu 嘴zuǐ 馆guǎn 遍biàn 凡fán 础chǔ 洞dòng 卷juǎn 坦tǎn 牛niú 宁níng 纸zhǐ 诸zhū 训xùn 私sī 庄zhuāng
祖zǔ 丝sī 翻fān 暴bào 森sēn 塔tǎ 默mò 握wò 戏xì 隐yǐn 熟shú 骨gǔ 访fǎng 弱ruò 蒙méng 歌gē
店diàn 鬼guǐ 软ruǎn 典diǎn 欲yù 萨sà 伙huǒ 遭zāo 盘pán 爸bà 扩kuò 盖gài 弄nòng 雄xióng 稳wěn 忘wàng
亿yì 刺cì 拥yōng 徒tú 姆mǔ 杨yáng 齐qí 赛sài 趣qù 曲qǔ 刀dāo 床chuáng 迎yíng 冰bīng 虚xū 玩wán
析xī 窗chuāng 醒xǐng 妻qī 透tòu 购gòu 替tì 塞sāi 努nǔ 休xiū 虎hǔ 扬yáng 途tú 侵qīn 刑xíng 绿lǜ
兄xiōng 迅xùn 套tào 贸mào 毕bì 唯wéi 谷gǔ 轮lún 库kù 迹jì 尤yóu 竞jìng 街jiē 促cù 延yán 震zhèn
弃qì 甲jiǎ 伟wěi 麻má 川chuān 申shēn 缓huǎn 潜qián 闪shǎn 售shòu 灯dēng 针zhēn 哲zhé 络luò 抵dǐ 朱zhū
埃āi 抱bào 鼓gǔ 植zhí 纯chún 夏xià 忍rěn 页yè 杰jié 筑zhù 折zhé 郑zhèng 贝bèi 尊zūn 吴wú 秀xiù
混hùn 臣chén 雅yǎ 振zhèn 染rǎn 盛shèng 怒nù 舞wǔ 圆yuán 搞gǎo 狂kuáng 措cuò 姓xìng 残cán 秋qiū 培péi
迷mí 诚chéng 宽kuān 宇yǔ 猛měng 摆bǎi 梅méi 毁huǐ 伸shēn 摩mó 盟méng 末mò 乃nǎi 悲bēi 拍pāi 丁dīng
赵zhào 截jié 殊shū 偏piān 贴tiē 麦mài
";

/// Character → reading table parsed from [`READINGS`].
fn readings() -> &'static HashMap<char, &'static str> {
    static TABLE: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        READINGS
            .split_whitespace()
            .filter_map(|entry| {
                let mut chars = entry.chars();
                let c = chars.next()?;
                Some((c, chars.as_str()))
            })
            .collect()
    })
}

/// `fā` → `fa1`, `de` → `de5`.
fn tone_numbered(reading: &str) -> String {
    let mut out = String::with_capacity(reading.len() + 1);
    let mut tone = 5;
    for c in reading.chars() {
        let (base, t) = match c {
            'ā' => ('a', 1),
            'á' => ('a', 2),
            'ǎ' => ('a', 3),
            'à' => ('a', 4),
            'ē' => ('e', 1),
            'é' => ('e', 2),
            'ě' => ('e', 3),
            'è' => ('e', 4),
            'ī' => ('i', 1),
            'í' => ('i', 2),
            'ǐ' => ('i', 3),
            'ì' => ('i', 4),
            'ō' => ('o', 1),
            'ó' => ('o', 2),
            'ǒ' => ('o', 3),
            'ò' => ('o', 4),
            'ū' => ('u', 1),
            'ú' => ('u', 2),
            'ǔ' => ('u', 3),
            'ù' => ('u', 4),
            'ǖ' => ('ü', 1),
            'ǘ' => ('ü', 2),
            'ǚ' => ('ü', 3),
            'ǜ' => ('ü', 4),
            _ => (c, 0),
        };
        out.push(base);
        if t > 0 {
            tone = t;
        }
    }
    out.push(char::from(b'0' + tone));
    out
}

fn is_toned(reading: &str) -> bool {
    !reading.is_ascii()
}

/// Inserts annotations after ~15% of the characters with a known reading,
/// sometimes one reading for two characters; per line either tone marks or
/// tone numbers and either ASCII or full-width parentheses. Neutral-tone
/// readings only go in when the line also gets a tone-marked one.
fn inject_pinyin(line: &str, rng: &mut Rng, model: &CharModel) -> Option<Sample> {
    let table = readings();
    let reading = |c: char| table.get(&c).or_else(|| table.get(&model.simplified(c))).copied();
    let numbered = rng.percent(20);
    let (open, close) = if rng.percent(30) { ('（', '）') } else { ('(', ')') };
    let chars: Vec<char> = line.chars().collect();
    let mut text = String::with_capacity(line.len() * 2);
    let mut injected = Vec::new();
    let mut any_toned = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        text.push(c);
        i += 1;
        let Some(r) = reading(c) else { continue };
        if !rng.percent(15) {
            continue;
        }
        let mut syllables = vec![r];
        // One reading for a two-character word now and then.
        if let Some(r2) = chars.get(i).and_then(|&n| reading(n))
            && rng.percent(25)
        {
            text.push(chars[i]);
            i += 1;
            syllables.push(r2);
        }
        let toned = syllables.iter().any(|s| is_toned(s));
        if !toned && !any_toned && !numbered {
            // Neutral before any evidence: leave it out, see module docs of
            // the pinyin step.
            continue;
        }
        any_toned |= toned;
        let start = text.len();
        text.push(open);
        for s in &syllables {
            if numbered {
                text.push_str(&tone_numbered(s));
            } else {
                text.push_str(s);
            }
        }
        text.push(close);
        injected.push(start..text.len());
    }
    (!injected.is_empty() && (any_toned || numbered)).then_some(Sample {
        text,
        injected,
        expected: None,
    })
}

fn is_strict_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Inserts 1–4 runs of 1–2 spaces (ASCII, ideographic, NBSP) between
/// adjacent CJK characters.
/// Letter-spaces a stretch of 2 to 8 consecutive CJK characters, as scraped
/// headings come (`新 闻 发 布 会`): a space run between every two of them.
fn inject_spaces(line: &str, rng: &mut Rng) -> Option<Sample> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let slots: Vec<usize> = chars
        .windows(2)
        .enumerate()
        .filter(|(_, w)| is_strict_cjk(w[0].1) && is_strict_cjk(w[1].1))
        .map(|(i, _)| i + 1)
        .collect();
    if slots.is_empty() {
        return None;
    }
    let first = slots[rng.below(slots.len())];
    let len = 1 + rng.below(7);
    let picks: Vec<usize> = (first..first + len)
        .take_while(|&k| k < chars.len() && is_strict_cjk(chars[k - 1].1) && is_strict_cjk(chars[k].1))
        .map(|k| chars[k].0)
        .collect();
    let mut text = String::with_capacity(line.len() + 16);
    let mut injected = Vec::new();
    let mut last = 0;
    for p in picks {
        text.push_str(&line[last..p]);
        let start = text.len();
        for _ in 0..1 + rng.below(2) {
            text.push([' ', '\u{3000}', '\u{A0}'][rng.below(3)]);
        }
        injected.push(start..text.len());
        last = p;
    }
    text.push_str(&line[last..]);
    Some(Sample {
        text,
        injected,
        expected: None,
    })
}

/// Inserts 1–4 invisible or control characters at random positions.
fn inject_invisible(line: &str, rng: &mut Rng) -> Option<Sample> {
    const INVISIBLE: [char; 15] = [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{AD}', '\u{200E}', '\u{202A}', '\u{202C}',
        '\u{2066}', '\u{2069}', '\u{1}', '\u{1F}', '\u{85}', '\u{7F}',
    ];
    let bounds: Vec<usize> = line.char_indices().map(|(i, _)| i).chain([line.len()]).collect();
    let mut picks: Vec<usize> = (0..1 + rng.below(4)).map(|_| bounds[rng.below(bounds.len())]).collect();
    picks.sort_unstable();
    picks.dedup();
    let mut text = String::with_capacity(line.len() + 16);
    let mut injected = Vec::new();
    let mut last = 0;
    for p in picks {
        text.push_str(&line[last..p]);
        let start = text.len();
        text.push(INVISIBLE[rng.below(INVISIBLE.len())]);
        injected.push(start..text.len());
        last = p;
    }
    text.push_str(&line[last..]);
    Some(Sample {
        text,
        injected,
        expected: None,
    })
}

/// Widens ASCII letters and digits (and `.`/`%`/`-` inside digit runs, and
/// half the spaces) to their full-width forms.
fn widen(line: &str, rng: &mut Rng) -> Option<Sample> {
    if !line.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let chars: Vec<char> = line.chars().collect();
    let mut text = String::with_capacity(line.len() * 3);
    let mut injected = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let digit = |x: Option<char>| x.is_some_and(|x| x.is_ascii_digit());
        let wide = match c {
            _ if c.is_ascii_alphanumeric() => true,
            '.' | '-' => digit(prev) && digit(next),
            '%' => digit(prev),
            ' ' => rng.percent(50),
            _ => false,
        };
        if wide {
            let start = text.len();
            text.push(if c == ' ' {
                '\u{3000}'
            } else {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            });
            injected.push(start..text.len());
        } else {
            text.push(c);
        }
    }
    Some(Sample {
        text,
        injected,
        expected: None,
    })
}

/// A random run of 2–12 non-ASCII characters, as a byte range.
fn non_ascii_span(line: &str, rng: &mut Rng) -> Option<Range<usize>> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let starts: Vec<usize> = (0..chars.len()).filter(|&i| !chars[i].1.is_ascii()).collect();
    let first = *starts.get(rng.below(starts.len()))?;
    let want = 2 + rng.below(11);
    let len = chars[first..]
        .iter()
        .take(want)
        .take_while(|(_, c)| !c.is_ascii())
        .count();
    if len < 2 {
        return None;
    }
    let end = chars.get(first + len).map_or(line.len(), |&(i, _)| i);
    Some(chars[first].0..end)
}

/// A run of 2–12 non-ASCII characters replaced by its UTF-8 bytes decoded
/// as GBK.
fn utf8_as_gbk_span(line: &str, rng: &mut Rng) -> Option<Sample> {
    let span = non_ascii_span(line, rng)?;
    let (garbled, _) = encoding_rs::GBK.decode_without_bom_handling(line[span.clone()].as_bytes());
    let mut text = String::with_capacity(line.len() * 2);
    text.push_str(&line[..span.start]);
    let start = text.len();
    text.push_str(&garbled);
    let end = text.len();
    text.push_str(&line[span.end..]);
    Some(Sample::spanning(text, start..end))
}

/// The whole line's UTF-8 bytes decoded as GBK.
fn utf8_as_gbk_line(line: &str, _rng: &mut Rng) -> Option<Sample> {
    let (garbled, _) = encoding_rs::GBK.decode_without_bom_handling(line.as_bytes());
    Sample::diff(line, garbled.into_owned())
}

/// The line's GBK bytes with one lead byte lost: the stream is cut inside a
/// character and both pieces are decoded separately, so the first ends in
/// `�` (or `?` if `marker` says so, as after re-encoding to a legacy
/// charset) and the second starts with an orphan trail byte.
fn gbk_lost_byte(line: &str, rng: &mut Rng, marker: Option<char>) -> Option<Sample> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(line);
    if unmappable {
        return None;
    }
    let leads: Vec<usize> = {
        let mut leads = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] >= 0x81 && i + 1 < bytes.len() {
                leads.push(i);
                i += 2;
            } else {
                i += 1;
            }
        }
        leads
    };
    let cut = *leads.get(rng.below(leads.len()))?;
    let (head, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes[..=cut]);
    let (tail, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes[cut + 1..]);
    let mut text = head.into_owned();
    if let Some(m) = marker
        && text.ends_with('\u{FFFD}')
    {
        text.pop();
        text.push(m);
    }
    text.push_str(&tail);
    Sample::diff(line, text)
}

/// A run of 2–12 non-ASCII characters replaced by its GBK bytes decoded as
/// UTF-8 with replacement.
fn gbk_as_utf8(line: &str, rng: &mut Rng) -> Option<Sample> {
    let span = non_ascii_span(line, rng)?;
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&line[span.clone()]);
    if unmappable {
        return None;
    }
    let garbled = String::from_utf8_lossy(&bytes);
    let mut text = String::with_capacity(line.len() * 2);
    text.push_str(&line[..span.start]);
    let start = text.len();
    text.push_str(&garbled);
    let end = text.len();
    text.push_str(&line[span.end..]);
    Some(Sample::spanning(text, start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &[&str] = &[
        "新华社北京1月1日电（记者张三）国家主席发表2024年新年贺词。",
        "加快发展新质生产力，推动经济高质量发展。",
        "他說：「這是臺灣的新聞，GDP成長3.5%。」",
        "中华人民共和国成立于1949年10月1日。",
    ];

    #[test]
    fn readings_table_parses() {
        let table = readings();
        assert!(table.len() > 800, "{} readings", table.len());
        let step = StripPinyinAnnotations;
        for (&c, &r) in table {
            let annotated = format!("{c}({r})好(hǎo)");
            assert_eq!(step.apply(&annotated).text, format!("{c}好"), "{c}({r})");
            let numbered = format!("{c}({})好(hao3)", tone_numbered(r));
            assert_eq!(step.apply(&numbered).text, format!("{c}好"), "{numbered}");
        }
        assert_eq!(tone_numbered("lǜ"), "lü4");
        assert_eq!(tone_numbered("de"), "de5");
    }

    #[test]
    fn evaluate_is_deterministic_and_reports_every_kind() {
        let lines: Vec<String> = LINES.iter().map(|l| l.to_string()).collect();
        let a = evaluate(&lines, 1);
        assert_eq!(a, evaluate(&lines, 1));
        assert_eq!(a.lines, 4);
        assert_eq!(a.precision.len(), 6);
        assert_eq!(a.recall.len(), 15);
        let mojibake = a.precision.iter().find(|r| r.step == "repair_mojibake").unwrap();
        assert_eq!(mojibake.lines_changed, 0);
        assert!(a.recall.iter().all(|r| r.samples <= SAMPLES_PER_KIND));
        let table = a.to_string();
        assert!(table.contains("utf8_as_gbk_line"));
        assert!(table.contains("fold_width"));
    }

    #[test]
    fn join_segmented_removes_word_separators() {
        assert_eq!(join_segmented("共同  创造  美好"), "共同创造美好");
        assert_eq!(join_segmented("許多\u{3000}社區"), "許多社區");
    }

    #[test]
    fn char_distance_counts_edits() {
        assert_eq!(char_distance("发展", "发展"), 0);
        assert_eq!(char_distance("鍙戝睍", "发展"), 3);
        assert_eq!(char_distance("加快发展", "加快發展"), 1);
        assert_eq!(char_distance("", "发展"), 2);
    }
}
