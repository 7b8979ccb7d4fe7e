//! Names known by heart at run time: the curated list of recent bodies,
//! companies, universities, places and office holders that the model was
//! also given as gazetteer features (`ner/model/extra_names.txt`), plus
//! `known_names.txt` for names added since the model was trained.
//!
//! The model learned from 1990s news how far a gazetteer match can be
//! trusted, and for short names of that era's corpus the answer was "not
//! much"; so it misses 华为 or 腾讯 that no 1990s sentence named, and cuts
//! names it half knows (魏哲 of 魏哲家). [`KnownNameTagger`] wraps the
//! model and corrects both: a known name is tagged where the model tagged
//! nothing overlapping it or only pieces inside it (the rules are in
//! `KnownNameTagger::overrides`), and left alone where a model mention
//! crosses its edge or contains it (the model's longer 北京大学附属医院
//! stands). A known name is matched from one jieba word boundary to
//! another, so 京东 is not found inside 北京东路; it may end inside a word
//! only where jieba ran it into what follows (柯文 / 哲遭, 行政院长; see
//! `KnownNames::may_end_inside`).

use std::collections::HashMap;

use super::{
    EntityKind, EntityMention, EntityTagger,
    ner::{EXTRA_NAMES, KINDS, NOT_NAME_LAST, ROLE_WORDS, STATE_TITLES, parse_names},
};
use crate::text::segment::Word;

/// Names added after the model was trained, and names that are too often
/// common words to be tagged on their own (`-` lines).
const KNOWN_NAMES: &str = include_str!("known_names.txt");

/// Longest known name, in jieba words: a name is looked up only over
/// spans of at most this many words.
const MAX_NAME_WORDS: usize = 8;

/// Confidence of a list match. Lower than the rules' 0.95: the name is
/// certain, whether this mention means it is less so (亚马逊 is a company
/// and a river; names that are mostly common words are kept off the list).
const CONFIDENCE: f32 = 0.85;

/// Curated names and their kinds, matched on word boundaries.
#[derive(Clone, Debug)]
pub struct KnownNames {
    names: HashMap<String, EntityKind>,
    /// The longest name (in bytes) beginning with each character: most
    /// words begin none, and cost one lookup here instead of one per span.
    longest_from: HashMap<char, usize>,
}

impl KnownNames {
    /// The embedded lists.
    pub fn embedded() -> Self {
        Self::from_lists(&[EXTRA_NAMES, KNOWN_NAMES])
    }

    /// Names from lists in the `TYPE<tab>name` format. A name listed with
    /// two types, or under `-` in any list, is left out: it is ambiguous.
    pub fn from_lists(lists: &[&str]) -> Self {
        let mut kinds: HashMap<String, Option<EntityKind>> = HashMap::new();
        for (name, bit) in lists.iter().flat_map(|list| parse_names(list)) {
            // Bit 0 is a `-` line; otherwise bit i stands for KINDS[i].
            let kind = (bit != 0).then(|| KINDS[bit.trailing_zeros() as usize]);
            kinds
                .entry(name.to_owned())
                .and_modify(|k| {
                    if *k != kind {
                        *k = None
                    }
                })
                .or_insert(kind);
        }
        let names: HashMap<String, EntityKind> = kinds
            .into_iter()
            .filter(|(name, _)| name.chars().nth(1).is_some())
            .filter_map(|(name, kind)| Some((name, kind?)))
            .collect();
        let mut longest_from: HashMap<char, usize> = HashMap::new();
        for name in names.keys() {
            if let Some(first) = name.chars().next() {
                let longest = longest_from.entry(first).or_default();
                *longest = (*longest).max(name.len());
            }
        }
        KnownNames { names, longest_from }
    }

    /// Number of names tagged.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is tagged.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether a listed name from `start` to `end`, inside `word`, reads as
    /// the name: jieba joined the name's end to what follows. The cases:
    /// - a person's name of three or more characters whose last character
    ///   jieba joined to a following word that is not a noun (柯文哲 in
    ///   柯文 / 哲遭), to the noun 案 (哲案), or to a verb that never ends a
    ///   name, whatever jieba tags the word (孟凡利 in 利率 / 团); not 韩国瑜
    ///   in 韩国 / 瑜伽;
    /// - a person's name that jieba ran into a person's word with a verb
    ///   that never ends a name (应勇 in 应勇作) or a conjunction (王毅 in
    ///   王毅同); not 吴清 in 吴清源;
    /// - a body before a title ending in 长 (行政院 in 行政院长, 运输及物流局
    ///   in 局局长);
    /// - an area ending in 区 before 内 or 外 (大湾 / 区内).
    fn may_end_inside(text: &str, start: usize, word: &Word, end: usize, kind: EntityKind) -> bool {
        let (Some(name), Some(head), Some(rest)) = (
            text.get(start..end),
            text.get(word.range.start..end),
            text.get(end..word.range.end),
        ) else {
            return false;
        };
        match kind {
            EntityKind::Person => {
                let verb_after = || only_char(rest).is_some_and(ends_a_run_on_name);
                // 案 makes a noun of the name itself (柯文 / 哲案: the case);
                // a verb that never ends a name is no noun's end (孟凡 / 利率
                // / 团: 孟凡利 leads a delegation).
                let last_joined = name.chars().count() >= 3 && head.chars().count() == 1;
                (last_joined && (!word.pos.starts_with('n') || rest == "案" || verb_after()))
                    || (word.range.start == start && word.pos == "nr" && verb_after())
            }
            // 长 alone (行政院长), or a two-character title ending in it
            // (运输及物流局 in 物流 / 局局长), or 副 of a deputy's title (发展改革委
            // in 委副 / 主任).
            EntityKind::Organization => rest == "副" || rest.ends_with('长') && rest.chars().count() <= 2,
            // An area whose 区 jieba joined to 内 or 外 (粤港澳大湾区 in
            // 大湾 / 区内).
            EntityKind::Location => head == "区" && matches!(rest, "内" | "外"),
            _ => false,
        }
    }

    /// The longest known name from each word boundary, left to right,
    /// without overlaps. A name may also start after the first character
    /// of a word that is one of [`PREPOSITIONS`]: jieba's HMM glues such a
    /// character to a name it does not know (据蔚来 / 消息, 据三一 / 重工).
    fn find(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let start = words[i].range.start;
            let after_preposition = || {
                let first = text.get(start..words[i].range.end)?.chars().next()?;
                let inner = start + first.len_utf8();
                (PREPOSITIONS.contains(&first) && inner < words[i].range.end).then_some(inner)
            };
            let found = self
                .name_from(text, words, i, start)
                .map(|found| (start, found))
                .or_else(|| {
                    let inner = after_preposition()?;
                    Some((inner, self.name_from(text, words, i, inner)?))
                });
            match found {
                Some((start, (j, end, kind))) => {
                    out.push(EntityMention {
                        range: start..end,
                        kind,
                        confidence: CONFIDENCE,
                        normalized: None,
                    });
                    i = j + 1;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The longest known name starting at byte `start`, inside or at the
    /// start of word `i`, over words i..=j: its last word `j`, end and kind.
    /// It ends where word `j` ends, or inside it where jieba ran the name
    /// into the next word ([`may_end_inside`](Self::may_end_inside)).
    fn name_from(&self, text: &str, words: &[Word], i: usize, start: usize) -> Option<(usize, usize, EntityKind)> {
        let longest = text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .and_then(|first| self.longest_from.get(&first))
            .map_or(0, |&len| start + len);
        (i..words.len().min(i + MAX_NAME_WORDS))
            .rev()
            .filter(|&j| words[j].range.start < longest && words[j].range.end > start)
            .find_map(|j| {
                let word = &words[j];
                let inner = text.get(word.range.clone())?.char_indices().rev();
                let inner = inner.filter(|&(k, _)| k > 0).map(|(k, _)| word.range.start + k);
                std::iter::once(word.range.end)
                    .chain(inner)
                    .filter(|&end| end > start && end <= longest)
                    .find_map(|end| {
                        let kind = *text.get(start..end).and_then(|name| self.names.get(name))?;
                        let whole = end == word.range.end;
                        (whole || Self::may_end_inside(text, start, word, end, kind)).then_some((j, end, kind))
                    })
            })
    }
}

/// The character `s` consists of, if it is exactly one.
fn only_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    chars.next().filter(|_| chars.next().is_none())
}

/// Conjunctions that join a person to whom they meet (王毅同拉夫罗夫会谈).
/// Names end with them too (谭嗣同, 陈金和), so only a listed person run on
/// into one is cut back, whether jieba (王毅同 as one word) or the model
/// ran it on.
const LINKS_AFTER_PEOPLE: &[char] = &['同', '和'];

/// Whether `c`, one character after a listed person's name, is what the
/// name ran on into: a verb that never ends a name, or a conjunction.
fn ends_a_run_on_name(c: char) -> bool {
    NOT_NAME_LAST.contains(&c) || LINKS_AFTER_PEOPLE.contains(&c)
}

/// One-character prepositions, and the particle 了, that jieba's HMM joins
/// to an unknown name after them (据蔚来, 在宇树, 访问了鸿海); a known name
/// may start right after one.
const PREPOSITIONS: &[char] = &[
    '据', '在', '从', '向', '对', '与', '和', '同', '被', '由', '经', '把', '给', '跟', '了',
];

/// A name tagger with known names laid over its mentions.
pub struct KnownNameTagger {
    model: Box<dyn EntityTagger>,
    names: KnownNames,
}

impl KnownNameTagger {
    /// `model`'s mentions corrected with `names`.
    pub fn new(model: Box<dyn EntityTagger>, names: KnownNames) -> Self {
        KnownNameTagger { model, names }
    }

    /// Whether the known `name` replaces the model's mention `m`, which
    /// reaches into it.
    fn overrides(text: &str, words: &[Word], name: &EntityMention, m: &EntityMention) -> bool {
        let inside = m.range.start >= name.range.start && m.range.end <= name.range.end;
        // A person that is a listed person and one more character ran the
        // name into the next word (孙东宣 of 孙东 / 宣布), into a verb that
        // never ends a name (应勇作 of 应勇作 / 报告) or into 同 or 和 (王毅同
        // 俄罗斯外长…): a listed name is whole.
        // Otherwise, one that ends on a word boundary may be another person
        // (吴清辉 beside the listed 吴清).
        let person_run_on = name.kind == EntityKind::Person
            && m.kind == EntityKind::Person
            && m.range.start == name.range.start
            && text
                .get(name.range.end..m.range.end)
                .and_then(only_char)
                .is_some_and(|extra| {
                    let on_boundary = words.binary_search_by_key(&m.range.end, |w| w.range.end).is_ok();
                    !on_boundary || ends_a_run_on_name(extra)
                });
        if person_run_on {
            return true;
        }
        // A place that starts inside a listed place, on jieba's word
        // boundaries, and runs past it took the place's last character for
        // its own first: 台中 / 國際 read as 台 + 中國 + 際.
        let place_across_place = name.kind == EntityKind::Location
            && m.kind == EntityKind::Location
            && name.range.start < m.range.start
            && name.range.end < m.range.end;
        if place_across_place {
            return true;
        }
        if !inside {
            // A mention crossing the name's edge or containing it
            // (北京大学附属医院 over 北京大学) stands.
            return false;
        }
        if m.kind == name.kind {
            // A piece of the name is the model cutting it short (魏哲 of
            // 魏哲家); the name itself, tagged alike, keeps the model's
            // confidence.
            return m.range != name.range;
        }
        // Another kind: a guess at a name the model does not know (比亚迪
        // as a person, 英 of 英伟达 as a place) unless the model is as sure
        // as a list match. A place strictly inside a listed body is the
        // place the body is named after (中国 of 中国石油, 长江 of 长江存储):
        // the model is sure of the place because 1990s news had no such
        // company (中国电信 was the country's telecom sector then), and the
        // list is about today's. A place the model reads over the whole
        // name is another matter: MSRA tags buildings and sites as places
        // (国家图书馆), so a sure reading stands. Listed places are the
        // model's home ground: it knows the countries and cities, and reads
        // them as ORG where a team or government is meant (巴西 beat 纽约),
        // so that reading stands. A person is another matter: jieba tags
        // foreign cities' and companies' transliterations as people's names
        // (安卡拉/nr, 巴斯夫), and the model follows, often surely. So the
        // list replaces a person it is unsure of, and a sure one on the
        // name's exact span unless something marks a person there: a title
        // before it (总统华盛顿, 学生武威) or a form of address after it
        // (马德里先生), as in the MSRA train sentences where such names are
        // people. Likewise a piece of a listed person's name that the model
        // read as something else: 韩国 of 韩国瑜 (jieba: 韩国 / 瑜).
        let place_in_body =
            name.kind == EntityKind::Organization && m.kind == EntityKind::Location && m.range != name.range;
        let piece_of_person = name.kind == EntityKind::Person && m.range != name.range;
        let unmarked_person = name.kind != EntityKind::Person
            && m.kind == EntityKind::Person
            && m.range == name.range
            && !Self::person_marked(text, words, m);
        let unsure = m.confidence < CONFIDENCE;
        place_in_body
            || unmarked_person
            || piece_of_person
            || (unsure && (name.kind != EntityKind::Location || m.kind == EntityKind::Person))
    }

    /// Whether a title ends right before `m` or a word for a person's
    /// address follows it.
    fn person_marked(text: &str, words: &[Word], m: &EntityMention) -> bool {
        let before = words
            .binary_search_by_key(&m.range.start, |w| w.range.end)
            .ok()
            .and_then(|i| text.get(words[i].range.clone()));
        let titled = before.is_some_and(|w| ROLE_WORDS.contains(&w) || STATE_TITLES.contains(&w));
        let after = text.get(m.range.end..).unwrap_or_default();
        titled || PERSON_ADDRESS.iter().any(|a| after.starts_with(a))
    }

    /// Whether the known body `name` is a department of the place the model
    /// tagged right before it (成都市 + 住房和城乡建设局): then the two are one
    /// body's name, as MSRA annotates 北京市公安局 and 中国外交部.
    fn is_local_department(text: &str, place: &EntityMention, name: &EntityMention) -> bool {
        place.kind == EntityKind::Location
            && name.kind == EntityKind::Organization
            && place.range.end == name.range.start
            && text[name.range.clone()].ends_with(['部', '厅', '局', '委', '会'])
    }

    /// Whether the model's organization `m` starts inside the known body or
    /// place `name` and runs on past its end: the model missed the start of
    /// a body named after it (福利部疾病管制署 in 卫生福利部疾病管制署, 海深港…管理局
    /// in 前海深港…管理局), and the mention is moved back to where the name
    /// starts.
    fn starts_short(name: &EntityMention, m: &EntityMention) -> bool {
        m.kind == EntityKind::Organization
            && matches!(name.kind, EntityKind::Organization | EntityKind::Location)
            && name.range.start < m.range.start
            && m.range.start < name.range.end
            && name.range.end < m.range.end
    }
}

impl EntityTagger for KnownNameTagger {
    fn name(&self) -> &'static str {
        "known-names"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let found = self.model.tag(text, words);
        let known = self.names.find(text, words);
        if known.is_empty() {
            return found;
        }
        let mut out = Vec::with_capacity(found.len() + known.len());
        let mut found = found.into_iter().peekable();
        for name in known {
            while let Some(m) = found.next_if(|m| m.range.end <= name.range.start) {
                out.push(m);
            }
            // Model mentions that reach into the name, and whether the
            // name replaces them.
            let mut touching = Vec::new();
            while let Some(m) = found.next_if(|m| m.range.start < name.range.end) {
                touching.push(m);
            }
            // A kept mention (from before this name) may still reach into it.
            let crossed = out.last().is_some_and(|m| m.range.end > name.range.start);
            if let [m] = touching.as_mut_slice()
                && !crossed
                && Self::starts_short(&name, m)
            {
                m.range.start = name.range.start;
                out.append(&mut touching);
                continue;
            }
            let replaces = touching.iter().all(|m| Self::overrides(text, words, &name, m));
            if replaces && !crossed {
                let mut name = name;
                if let Some(place) = out.last()
                    && Self::is_local_department(text, place, &name)
                {
                    name.range.start = place.range.start;
                    out.pop();
                }
                out.push(name);
            } else {
                out.extend(touching);
            }
        }
        out.extend(found);
        out
    }
}

/// Words that follow a person's name as a form of address.
const PERSON_ADDRESS: &[&str] = &["先生", "女士", "小姐", "夫人", "同志"];

#[cfg(test)]
mod tests {
    use std::{ops::Range, sync::OnceLock};

    use super::*;
    use crate::text::segment::{JiebaSegmenter, PosTag, SegmentMode, Segmenter};

    fn words(text: &str) -> Vec<Word> {
        static SEGMENTER: OnceLock<JiebaSegmenter> = OnceLock::new();
        SEGMENTER
            .get_or_init(JiebaSegmenter::with_default_dict)
            .segment(text, SegmentMode::Precise, true)
    }

    /// Whether jieba cuts `word` out of `text` as one word: the premise of
    /// a test about names inside or across words.
    fn is_word(text: &str, word: &str) -> bool {
        words(text).iter().any(|w| &text[w.range.clone()] == word)
    }

    fn find(names: &KnownNames, text: &str) -> Vec<(String, EntityKind)> {
        names
            .find(text, &words(text))
            .into_iter()
            .map(|m| (text[m.range].to_owned(), m.kind))
            .collect()
    }

    #[test]
    fn finds_listed_names_on_word_boundaries() {
        let names = KnownNames::from_lists(&["ORG\t京东\nORG\t华为\nORG\t华为公司\nLOC\t北京\n"]);
        assert_eq!(
            find(&names, "华为公司和京东在北京东路开店"),
            vec![
                ("华为公司".to_owned(), EntityKind::Organization),
                ("京东".to_owned(), EntityKind::Organization),
                // Of 北京 / 东路, not of 北 / 京东 / 路.
                ("北京".to_owned(), EntityKind::Location),
            ]
        );
    }

    #[test]
    fn names_that_jieba_ran_into_the_next_word() {
        let names = KnownNames::from_lists(&[
            "PER\t柯文哲\nPER\t韩国瑜\nPER\t李强\nORG\t行政院\nORG\t运输及物流局\nLOC\t北京\nLOC\t粤港澳大湾区\n",
        ]);
        // 柯文 / 哲遭: the last character of a three-character name was
        // joined to the verb after it.
        let text = "台湾民众党主席柯文哲遭台北地检署起诉";
        assert!(is_word(text, "哲遭"));
        assert_eq!(find(&names, text), vec![("柯文哲".to_owned(), EntityKind::Person)]);
        // 孟凡 / 利率 / 团赴: 率 is the verb "lead", whatever jieba tags 利率.
        let names_with_meng = KnownNames::from_lists(&["PER\t孟凡利\n"]);
        let text = "深圳市委书记孟凡利率团赴香港考察";
        assert!(is_word(text, "利率"));
        assert_eq!(
            find(&names_with_meng, text),
            vec![("孟凡利".to_owned(), EntityKind::Person)]
        );
        // 柯文 / 哲案: the case named after him.
        let text = "台湾高等法院今日宣判柯文哲案";
        assert!(is_word(text, "哲案"));
        assert_eq!(find(&names, text), vec![("柯文哲".to_owned(), EntityKind::Person)]);
        // 韩国 / 瑜伽: the next word is a noun, so 瑜 is read as its start.
        assert_eq!(find(&names, "韩国瑜伽协会举办活动"), vec![]);
        // Two-character names are too short to be found inside a word.
        let text = "李强调了这一点";
        assert!(!is_word(text, "李强"));
        assert_eq!(find(&names, text), vec![]);
        // A body before the title 长, in one dictionary word.
        let text = "行政院长卓荣泰表示";
        assert!(is_word(text, "行政院长"));
        assert_eq!(
            find(&names, text),
            vec![("行政院".to_owned(), EntityKind::Organization)]
        );
        // A body before a two-character title ending in 长.
        let text = "运输及物流局局长林世雄宣布";
        assert!(is_word(text, "局局长"));
        assert_eq!(
            find(&names, text),
            vec![("运输及物流局".to_owned(), EntityKind::Organization)]
        );
        // A body before 副 of a deputy's title (委副 / 主任).
        let names_with_ndrc = KnownNames::from_lists(&["ORG\t发展改革委\n"]);
        let text = "省发展改革委副主任王国平表示";
        assert!(is_word(text, "委副"));
        assert_eq!(
            find(&names_with_ndrc, text),
            vec![("发展改革委".to_owned(), EntityKind::Organization)]
        );
        // Places are matched on word boundaries, except an area's 区 that
        // jieba joined to 内 or 外.
        assert_eq!(
            find(&names, "北京市长陈吉宁说"),
            vec![("北京".to_owned(), EntityKind::Location)]
        );
        let text = "访问粤港澳大湾区内地城市";
        assert!(is_word(text, "区内"));
        assert_eq!(
            find(&names, text),
            vec![("粤港澳大湾区".to_owned(), EntityKind::Location)]
        );
    }

    #[test]
    fn names_that_jieba_glued_to_a_preposition() {
        let names = KnownNames::from_lists(&["ORG\t三一重工\nORG\t蔚来\nLOC\t和田\nORG\t鸿海\n"]);
        // 据三一 / 重工 / 消息.
        let text = "据三一重工消息";
        assert!(is_word(text, "据三一"));
        assert_eq!(
            find(&names, text),
            vec![("三一重工".to_owned(), EntityKind::Organization)]
        );
        let text = "据蔚来消息";
        assert!(is_word(text, "据蔚来"));
        assert_eq!(find(&names, text), vec![("蔚来".to_owned(), EntityKind::Organization)]);
        let text = "他访问了鸿海";
        assert!(is_word(text, "了鸿海"));
        assert_eq!(find(&names, text), vec![("鸿海".to_owned(), EntityKind::Organization)]);
        // A name that starts a word is found whole, not after its first
        // character.
        assert_eq!(
            find(&names, "和田的玉"),
            vec![("和田".to_owned(), EntityKind::Location)]
        );
    }

    #[test]
    fn ambiguous_names_are_left_out() {
        let names = KnownNames::from_lists(&["ORG\t联想\nORG\t三星\nLOC\t三星\nORG\t中\n", "-\t联想\n"]);
        assert!(names.is_empty(), "{:?}", names.names);
    }

    #[test]
    fn embedded_lists_hold_recent_names_and_not_common_words() {
        let names = KnownNames::embedded();
        assert!(names.len() > 1000, "{}", names.len());
        let got = find(&names, "华为和腾讯在深圳发布新产品，比亚迪销量增长。");
        for name in ["华为", "腾讯", "比亚迪", "深圳"] {
            assert!(got.iter().any(|(n, _)| n == name), "{name} missing from {got:?}");
        }
        assert!(find(&names, "这让我联想到小时候").is_empty());
    }

    #[test]
    fn words_that_do_not_fit_the_text_are_ignored() {
        let names = KnownNames::embedded();
        assert!(find(&names, "").is_empty());
        let words = vec![Word {
            range: 0..100,
            pos: PosTag::new("n"),
        }];
        assert!(names.find("华为", &words).is_empty());
    }

    /// A model that returns fixed mentions (with confidence 0.5 unless
    /// told otherwise).
    struct Fixed {
        mentions: Vec<(Range<usize>, EntityKind)>,
        confidence: f32,
    }

    fn fixed(mentions: Vec<(Range<usize>, EntityKind)>) -> Fixed {
        Fixed {
            mentions,
            confidence: 0.5,
        }
    }

    impl Fixed {
        fn with_confidence(self, confidence: f32) -> Fixed {
            Fixed { confidence, ..self }
        }
    }

    impl EntityTagger for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn tag(&self, _: &str, _: &[Word]) -> Vec<EntityMention> {
            self.mentions
                .iter()
                .map(|(range, kind)| EntityMention {
                    range: range.clone(),
                    kind: *kind,
                    confidence: self.confidence,
                    normalized: None,
                })
                .collect()
        }
    }

    fn tag(model: Vec<(Range<usize>, EntityKind)>, text: &str) -> Vec<(String, EntityKind, f32)> {
        let names = KnownNames::from_lists(&["PER\t魏哲家\nORG\t北京大学\nORG\t华为\nORG\t台积电\n"]);
        KnownNameTagger::new(Box::new(fixed(model)), names)
            .tag(text, &words(text))
            .into_iter()
            .map(|m| (text[m.range].to_owned(), m.kind, m.confidence))
            .collect()
    }

    #[test]
    fn known_names_fill_gaps_and_replace_pieces_inside_them() {
        use EntityKind::*;
        let text = "台积电董事长魏哲家说，华为也来了";
        let byte = |s: &str| text.find(s).unwrap();
        // The model found 魏哲 (a piece of 魏哲家) and missed 台积电 and 华为.
        let wei = byte("魏哲");
        let got = tag(vec![(wei..wei + "魏哲".len(), Person)], text);
        assert_eq!(
            got,
            vec![
                ("台积电".to_owned(), Organization, CONFIDENCE),
                ("魏哲家".to_owned(), Person, CONFIDENCE),
                ("华为".to_owned(), Organization, CONFIDENCE),
            ]
        );
    }

    #[test]
    fn a_place_read_across_the_end_of_a_listed_place_gives_way() {
        use EntityKind::*;
        let names = KnownNames::from_lists(&["LOC\t台中\nORG\t台中市政府\n"]);
        let run = |text: &str, model: Vec<(&str, EntityKind)>| -> Vec<(String, EntityKind)> {
            let model = model
                .into_iter()
                .map(|(s, kind)| {
                    let start = text.find(s).unwrap();
                    (start..start + s.len(), kind)
                })
                .collect();
            KnownNameTagger::new(Box::new(fixed(model)), names.clone())
                .tag(text, &words(text))
                .into_iter()
                .map(|m| (text[m.range].to_owned(), m.kind))
                .collect()
        };
        // 台 / 中 / 国际 (the t2s view of 台中國際): the model read 中国.
        assert_eq!(
            run("台中国际花毯节开幕", vec![("中国", Location)]),
            [("台中".to_owned(), Location)]
        );
        // A body that starts inside the place and runs past it is another
        // matter (starts_short), and a body over the whole place stands.
        assert_eq!(
            run("台中市政府宣布", vec![("台中市政府", Organization)]),
            [("台中市政府".to_owned(), Organization)]
        );
    }

    #[test]
    fn model_mentions_that_cross_or_contain_a_name_stand() {
        use EntityKind::*;
        let text = "北京大学附属医院的华为研究院";
        let contains = 0..text.find("的").unwrap();
        let got = tag(vec![(contains.clone(), Organization)], text);
        assert_eq!(
            got,
            vec![
                ("北京大学附属医院".to_owned(), Organization, 0.5),
                ("华为".to_owned(), Organization, CONFIDENCE),
            ]
        );
        // A mention from before a name that reaches into it (的华 is not a
        // name, but the model's mentions are what they are).
        let crossing = text.find("的").unwrap()..text.find("为").unwrap();
        let got = tag(vec![(crossing, Location)], text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "北京大学");
        assert_eq!(got[1].0, "的华");
    }

    #[test]
    fn a_listed_person_run_into_the_next_word_is_the_listed_name() {
        use EntityKind::*;
        let names = KnownNames::from_lists(&["PER\t孙东\nPER\t应勇\nPER\t吴清\nPER\t王毅\n"]);
        let run = |text: &str, person: &str| -> Vec<String> {
            let start = text.find(person).unwrap();
            let model = fixed(vec![(start..start + person.len(), Person)]);
            KnownNameTagger::new(Box::new(model), names.clone())
                .tag(text, &words(text))
                .into_iter()
                .map(|m| text[m.range].to_owned())
                .collect()
        };
        // 孙东 / 宣布: the model ran the name into the verb.
        assert_eq!(run("局长孙东宣布新措施", "孙东宣"), ["孙东"]);
        // jieba's person word 应勇作 holds the listed name and a verb.
        let text = "检察长应勇作报告";
        assert!(is_word(text, "应勇作"));
        assert_eq!(find(&names, text), vec![("应勇".to_owned(), Person)]);
        assert_eq!(run(text, "应勇作"), ["应勇"]);
        // Run into the conjunction 同, in jieba's person word 王毅同.
        let text = "外交部长王毅同俄罗斯外长举行会谈";
        assert!(is_word(text, "王毅同"));
        assert_eq!(find(&names, text), vec![("王毅".to_owned(), Person)]);
        assert_eq!(run(text, "王毅同"), ["王毅"]);
        // Another person whose name starts with a listed one, ending on a
        // word boundary, stands, and is not read as the listed name.
        let text = "围棋大师吴清源说";
        assert!(is_word(text, "吴清源"));
        assert_eq!(run(text, "吴清源"), ["吴清源"]);
        assert_eq!(find(&names, text), vec![]);
    }

    #[test]
    fn a_body_the_model_started_inside_a_name_starts_with_the_name() {
        use EntityKind::*;
        let names = KnownNames::from_lists(&["ORG\t卫生福利部\nLOC\t前海深港现代服务业合作区\n"]);
        let run = |text: &str, from: &str, kind: EntityKind| {
            let start = text.find(from).unwrap();
            let end = text.find("今天").unwrap();
            let model = fixed(vec![(start..end, kind)]);
            KnownNameTagger::new(Box::new(model), names.clone())
                .tag(text, &words(text))
                .into_iter()
                .map(|m| (text[m.range].to_owned(), m.kind, m.confidence))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run("卫生福利部疾病管制署今天公布疫情", "福利部", Organization),
            [("卫生福利部疾病管制署".to_owned(), Organization, 0.5)]
        );
        assert_eq!(
            run("深圳前海深港现代服务业合作区管理局今天发布", "海深港", Organization),
            [("前海深港现代服务业合作区管理局".to_owned(), Organization, 0.5)]
        );
        // Only organizations are moved: a place the model started inside a
        // listed body stands as it is.
        assert_eq!(
            run("卫生福利部疾病管制署今天公布疫情", "福利部", Location),
            [("福利部疾病管制署".to_owned(), Location, 0.5)]
        );
    }

    #[test]
    fn the_model_keeps_its_reading_of_a_name_it_tagged() {
        use EntityKind::*;
        let text = "华为队赢了北京大学";
        let names = KnownNames::from_lists(&["ORG\t华为\nORG\t北京大学\n"]);
        let tagged = |confidence: f32| {
            let model = fixed(vec![(0.."华为".len(), Location)]).with_confidence(confidence);
            let m = &KnownNameTagger::new(Box::new(model), names.clone()).tag(text, &words(text))[0];
            (text[m.range.clone()].to_owned(), m.kind, m.confidence)
        };
        // Same span, other kind: the model's mention if it is sure, else
        // the list's.
        assert_eq!(tagged(0.95), ("华为".to_owned(), Location, 0.95));
        assert_eq!(tagged(0.5), ("华为".to_owned(), Organization, CONFIDENCE));
        // Except for listed places: the model's ORG (a team) stands.
        let team = "巴西 队";
        let model = fixed(vec![(0.."巴西".len(), Organization)]);
        let places = KnownNames::from_lists(&["LOC\t巴西\n"]);
        let got = KnownNameTagger::new(Box::new(model), places.clone()).tag(team, &words(team));
        assert_eq!((got[0].kind, got[0].confidence), (Organization, 0.5));
        // A person the model read over a listed place is the place (jieba
        // tags 安卡拉 as a name), however sure the model is, unless a title
        // or a form of address marks a person.
        let person = |text: &str, confidence: f32| {
            let start = text.find("巴西").unwrap();
            let model = fixed(vec![(start..start + "巴西".len(), Person)]).with_confidence(confidence);
            let got = KnownNameTagger::new(Box::new(model), places.clone()).tag(text, &words(text));
            (got[0].kind, got[0].confidence)
        };
        assert_eq!(person("会议在巴西举行", 0.5), (Location, CONFIDENCE));
        assert_eq!(person("会议在巴西举行", 0.95), (Location, CONFIDENCE));
        assert_eq!(person("巴西先生说", 0.95), (Person, 0.95));
        assert_eq!(person("美国总统巴西说", 0.95), (Person, 0.95));
        // Marked or not, a person the model is unsure of gives way.
        assert_eq!(person("巴西先生说", 0.5), (Location, CONFIDENCE));
        // A piece of another kind: the same, except a place inside a body
        // named after it (北京 of 北京大学), which the list's body replaces.
        let bei = text.find("北京").unwrap();
        let piece = |confidence: f32, kind: EntityKind| {
            let model = fixed(vec![(bei..bei + "北京".len(), kind)]).with_confidence(confidence);
            let m = KnownNameTagger::new(Box::new(model), names.clone())
                .tag(text, &words(text))
                .pop()
                .unwrap();
            (text[m.range].to_owned(), m.kind, m.confidence)
        };
        assert_eq!(piece(0.95, Location), ("北京大学".to_owned(), Organization, CONFIDENCE));
        assert_eq!(piece(0.5, Location), ("北京大学".to_owned(), Organization, CONFIDENCE));
        assert_eq!(piece(0.95, Person), ("北京".to_owned(), Person, 0.95));
        assert_eq!(piece(0.5, Person), ("北京大学".to_owned(), Organization, CONFIDENCE));
        // A place inside a listed person's name (韩国 / 瑜) is the person's.
        let text = "韩国瑜在会上讲话";
        let model = fixed(vec![(0.."韩国".len(), Location)]).with_confidence(0.99);
        let people = KnownNames::from_lists(&["PER\t韩国瑜\n"]);
        let got = KnownNameTagger::new(Box::new(model), people).tag(text, &words(text));
        assert_eq!((&text[got[0].range.clone()], got[0].kind), ("韩国瑜", Person));
    }

    #[test]
    fn a_listed_department_after_its_city_or_province_is_one_body() {
        use EntityKind::*;
        let names = KnownNames::from_lists(&["ORG\t住房和城乡建设局\nORG\t外国语学校\n"]);
        let run = |text: &str, place: &str| {
            let start = text.find(place).unwrap();
            let model = fixed(vec![(start..start + place.len(), Location)]);
            KnownNameTagger::new(Box::new(model), names.clone())
                .tag(text, &words(text))
                .into_iter()
                .map(|m| (text[m.range].to_owned(), m.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run("记者从成都市住房和城乡建设局获悉", "成都市"),
            [("成都市住房和城乡建设局".to_owned(), Organization)]
        );
        // A body that is not a department (a school, a company) stays apart.
        assert_eq!(
            run("成都市外国语学校", "成都市"),
            [("成都市".to_owned(), Location), ("外国语学校".to_owned(), Organization)]
        );
        // So does a place that does not touch the name.
        assert_eq!(
            run("成都市的住房和城乡建设局", "成都市"),
            [
                ("成都市".to_owned(), Location),
                ("住房和城乡建设局".to_owned(), Organization)
            ]
        );
    }

    #[test]
    fn recent_companies_commands_and_cities_are_listed() {
        let names = KnownNames::embedded();
        for (text, name) in [
            ("中国石油和中国中车发布三季度业绩", "中国石油"),
            ("中国石油和中国中车发布三季度业绩", "中国中车"),
            ("长江存储扩大产能", "长江存储"),
            ("解放军东部战区组织演习", "东部战区"),
        ] {
            let got = find(&names, text);
            assert!(
                got.contains(&(name.to_owned(), EntityKind::Organization)),
                "{name} not in {got:?}"
            );
        }
        // Cities by their bare names, but not the ones that are common words.
        assert_eq!(
            find(&names, "六盘水发布通知"),
            [("六盘水".to_owned(), EntityKind::Location)]
        );
        assert!(find(&names, "朝阳照在来宾身上").is_empty());
        // County-level cities too, but not the common words among them.
        assert_eq!(
            find(&names, "义乌发布通知"),
            [("义乌".to_owned(), EntityKind::Location)]
        );
        assert!(find(&names, "阳春三月，南山上白云飘").is_empty());
        // Bodies written in Latin letters, case-sensitively, one word or two.
        let org = |name: &str| (name.to_owned(), EntityKind::Organization);
        assert_eq!(
            find(&names, "Google、Apple和WHO的代表与Goldman Sachs分析师"),
            [org("Google"), org("Apple"), org("WHO"), org("Goldman Sachs")]
        );
        assert!(find(&names, "apple和who").is_empty());
        // Urban districts, but not a direction and 山区 (mountain areas).
        assert_eq!(
            find(&names, "会议在思明区举行"),
            [("思明区".to_owned(), EntityKind::Location)]
        );
        assert!(find(&names, "浙西南山区的县市").is_empty());
        // A place that starts with a character the model's tagger drops as
        // a glued preposition (与) is listed, and its full name restored.
        let text = "日本计划在与那国岛部署导弹";
        let start = text.find("那国岛").unwrap();
        let model = fixed(vec![(start..start + "那国岛".len(), EntityKind::Location)]);
        let got = KnownNameTagger::new(Box::new(model), names).tag(text, &words(text));
        assert_eq!(&text[got[0].range.clone()], "与那国岛");
    }

    #[test]
    fn democratic_parties_and_general_offices_by_short_names() {
        let names = KnownNames::embedded();
        let org = |name: &str| (name.to_owned(), EntityKind::Organization);
        assert_eq!(
            find(&names, "民革、民盟、民建、民进、农工党、致公党、九三学社和台盟的代表"),
            ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"].map(org)
        );
        assert_eq!(find(&names, "中办、国办印发通知"), [org("中办"), org("国办")]);
        // Not inside other words: 民进党 is its own name, 农民进城 no party.
        assert_eq!(find(&names, "民进党团提案"), [org("民进党")]);
        assert!(find(&names, "农民进城务工").is_empty());
    }
}
