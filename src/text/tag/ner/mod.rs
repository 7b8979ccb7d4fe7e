//! A trained named-entity tagger for person, place and organization names.
//!
//! The model is linear over characters: BIOES labels (PER/LOC/ORG), a
//! first-order label lattice decoded with Viterbi, and per-character
//! features (see `features.rs`) from character n-grams in a ±2 (±3 for
//! unigrams) window, character classes, the jieba words and POS tags the
//! pipeline already computed (`nr`/`ns`/`nt` are strong cues), word lists
//! (surnames, titles before names, place and organization suffixes) and a
//! gazetteer of the training corpus's names plus `model/extra_names.txt`.
//! Weights are learned by an averaged passive-aggressive structured
//! perceptron (see [`train()`]) and stored as i16 in a compact file of its
//! own format (see `format.rs`).
//!
//! **Confidence.** A mention's confidence is the probability of its exact
//! labels (its span and type, and that it ends where it does) under the
//! distribution `p(path) ∝ exp(score(path) / T)` over all label paths of
//! its sentence, computed by forward-backward. The temperature `T` is
//! fitted at training time, on sentences held out of training, to minimize
//! the log loss of confidence against "this mention is exactly right"; so a
//! confidence of 0.8 means about four in five such mentions are right on
//! text like the training corpus (see `model/README.md` for how well that
//! holds).

mod corpus;
mod decode;
mod eval;
mod features;
mod format;
mod gazetteer;
mod labels;
mod table;
mod train;

use std::ops::Range;

pub use corpus::CorpusFormat;
pub use eval::{Counts, NerReport, evaluate};
pub use format::NerError;
pub(crate) use gazetteer::{EXTRA_NAMES, parse_names};
pub(crate) use labels::KINDS;
pub use train::{TrainOptions, train};

use self::{
    decode::Lattice,
    features::{Features, WordRef},
    gazetteer::Gazetteer,
    labels::Scheme,
    table::FeatureTable,
};
use crate::text::{
    align::Rewrite,
    offsets::OffsetMap,
    segment::Word,
    tag::{EntityKind, EntityMention, EntityTagger},
};

/// The model trained on MSRA NER that ships with the crate.
static EMBEDDED: &[u8] = include_bytes!("model/msra.bin");

/// Texts are decoded sentence by sentence, and a sentence longer than this
/// (in characters) is cut, so memory stays bounded whatever the input.
const MAX_CHUNK_CHARS: usize = 512;

/// The longest mention of each kind (in characters, indexed like
/// [`KINDS`]) that is returned. The longest in MSRA train are 17 (PER),
/// 24 (LOC) and 35 (ORG) characters; a longer span is the model running on
/// (a page of one repeated character tags as one 200-character name).
const MAX_MENTION_CHARS: [usize; 3] = [24, 32, 48];

/// A trained PERSON / LOCATION / ORGANIZATION tagger. Cheap to share:
/// tagging takes `&self`.
pub struct NerModel {
    scheme: Scheme,
    /// Start score of each label.
    start: Vec<f32>,
    /// Transition scores, `f32::NEG_INFINITY` where the scheme forbids one.
    trans: Vec<f32>,
    table: FeatureTable,
    /// Names of the training corpus and the extra names.
    gazetteer: Gazetteer,
    /// Temperature of the confidence distribution, in weight units.
    temperature: f32,
}

impl std::fmt::Debug for NerModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerModel")
            .field("scheme", &self.scheme)
            .field("features", &self.table.len())
            .field("names", &self.gazetteer.entries().len())
            .field("temperature", &self.temperature)
            .finish()
    }
}

impl NerModel {
    /// Assembles a model; `keys` and `weights` (one row of labels per key)
    /// are in the same order.
    fn from_parts(
        scheme: Scheme,
        start: Vec<f32>,
        trans: Vec<f32>,
        keys: &[u32],
        weights: Vec<i16>,
        gazetteer: Gazetteer,
        temperature: f32,
    ) -> NerModel {
        let labels = scheme.num_labels();
        let mut trans = trans;
        for prev in 0..labels {
            for next in 0..labels {
                if !scheme.allowed(Some(prev as u8), Some(next as u8)) {
                    trans[prev * labels + next] = f32::NEG_INFINITY;
                }
            }
        }
        let start = (0..labels)
            .map(|y| {
                if scheme.allowed(None, Some(y as u8)) {
                    start[y]
                } else {
                    f32::NEG_INFINITY
                }
            })
            .collect();
        NerModel {
            scheme,
            start,
            trans,
            table: FeatureTable::new(labels, keys, &weights),
            gazetteer,
            temperature,
        }
    }

    /// Reads a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, NerError> {
        let stored = format::read(bytes)?;
        if stored.features != features::FEATURE_VERSION {
            return Err(NerError::FeatureMismatch {
                found: stored.features,
                expected: features::FEATURE_VERSION,
            });
        }
        Ok(NerModel::from_parts(
            stored.scheme,
            stored.start,
            stored.trans,
            &stored.keys,
            stored.weights,
            Gazetteer::new(stored.names),
            stored.temperature,
        ))
    }

    /// The model committed in the repository (trained on MSRA NER).
    pub fn embedded() -> NerModel {
        NerModel::from_bytes(EMBEDDED).expect("the embedded NER model is valid for this build")
    }

    /// The model in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write(
            features::FEATURE_VERSION,
            self.scheme,
            self.temperature,
            &self.start,
            &self.trans,
            &self.table.sorted_rows(),
            self.gazetteer.entries(),
        )
    }

    /// Number of features with weights.
    pub fn num_features(&self) -> usize {
        self.table.len()
    }

    /// The temperature that turns scores into confidences.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    fn set_temperature(&mut self, temperature: f32) {
        self.temperature = temperature;
    }

    /// Label scores of every character.
    fn emissions(&self, features: &Features) -> Vec<f32> {
        let mut scores = Vec::new();
        self.table.scores(&features.keys, features::TEMPLATES, &mut scores);
        scores.into_iter().map(|s| s as f32).collect()
    }

    fn lattice<'a>(&'a self, emissions: &'a [f32]) -> Lattice<'a> {
        Lattice {
            emissions,
            start: &self.start,
            trans: &self.trans,
            labels: self.scheme.num_labels(),
        }
    }

    /// Decodes `text` chunk by chunk, given its words.
    fn decode(&self, text: &str, words: &[WordRef<'_>]) -> Vec<Decoded> {
        let mut out = Vec::new();
        let mut first_word = 0;
        for chunk in chunks(text) {
            // Words of this chunk, clipped to it and made relative to it.
            while first_word < words.len() && words[first_word].range.end <= chunk.start {
                first_word += 1;
            }
            let local: Vec<WordRef<'_>> = words[first_word..]
                .iter()
                .take_while(|w| w.range.start < chunk.end)
                .filter_map(|w| {
                    let start = w.range.start.max(chunk.start) - chunk.start;
                    let end = w.range.end.min(chunk.end) - chunk.start;
                    (start < end).then_some(WordRef {
                        range: start..end,
                        pos: w.pos,
                    })
                })
                .collect();
            let features = features::extract(&text[chunk.clone()], &local, &self.gazetteer);
            let emissions = self.emissions(&features);
            let mut path = Vec::new();
            self.lattice(&emissions).viterbi(&mut path);
            let spans = self.scheme.decode(&path);
            let offsets = features.offsets.iter().map(|o| o + chunk.start).collect();
            out.push(Decoded {
                offsets,
                emissions,
                path,
                spans,
            });
        }
        out
    }

    /// Confidence of each span of a decoded chunk at `temperature`.
    fn confidences(&self, decoded: &Decoded, temperature: f32) -> Vec<f32> {
        let ranges: Vec<Range<usize>> = decoded.spans.iter().map(|(r, _)| r.clone()).collect();
        self.lattice(&decoded.emissions)
            .span_probabilities(&decoded.path, &ranges, temperature, |a, b| self.scheme.continues(a, b))
    }

    /// Mentions in `text` given its words.
    fn mentions(&self, text: &str, words: &[WordRef<'_>]) -> Vec<EntityMention> {
        let mut out = Vec::new();
        for decoded in self.decode(text, words) {
            let confidences = self.confidences(&decoded, self.temperature);
            for ((range, kind), confidence) in decoded.spans.iter().zip(confidences) {
                // A span whose probability is too small to represent in f32
                // is not a mention anyone should act on.
                if range.len() > MAX_MENTION_CHARS[*kind] || confidence <= 0.0 {
                    continue;
                }
                out.push(EntityMention {
                    range: decoded.offsets[range.start]..decoded.offsets[range.end],
                    kind: KINDS[*kind],
                    confidence,
                    normalized: None,
                });
            }
        }
        out
    }
}

/// One chunk of a text after decoding.
struct Decoded {
    /// Byte offset (in the whole text) of each character, then of the end.
    offsets: Vec<usize>,
    /// Label scores, character-major.
    emissions: Vec<f32>,
    /// Best labels.
    path: Vec<u8>,
    /// Mentions on `path`: character ranges and type indices.
    spans: Vec<(Range<usize>, usize)>,
}

/// Byte ranges of the sentences of `text`: cut after sentence-final
/// punctuation and line breaks, and where a sentence grows past
/// [`MAX_CHUNK_CHARS`], after its last comma-like mark (or anywhere, if it
/// has none).
fn chunks(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut count) = (0, 0);
    // Byte end of the last comma-like mark, and the characters up to it.
    let mut soft_cut: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        count += 1;
        if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n') {
            out.push(start..end);
            (start, count, soft_cut) = (end, 0, None);
            continue;
        }
        if matches!(c, '，' | '；' | '、' | '：' | ',' | ';' | ' ') {
            soft_cut = Some((end, count));
        }
        if count >= MAX_CHUNK_CHARS {
            let (cut, used) = soft_cut.take().unwrap_or((end, count));
            out.push(start..cut);
            start = cut;
            count -= used;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

impl EntityTagger for NerModel {
    fn name(&self) -> &'static str {
        "ner-perceptron"
    }

    fn tag(&self, text: &str, words: &[Word]) -> Vec<EntityMention> {
        let words: Vec<WordRef<'_>> = words
            .iter()
            .filter(|w| w.range.start < w.range.end && w.range.end <= text.len())
            .map(|w| WordRef {
                range: w.range.clone(),
                pos: &w.pos,
            })
            .collect();
        let Some(squeezed) = Squeezed::new(text) else {
            return self.tag_words(text, &words);
        };
        let words = squeezed.words(&words);
        let mentions = self.tag_words(&squeezed.text, &words);
        let mut out = Vec::with_capacity(mentions.len());
        // Deletions before a start and after an end stay outside the range,
        // so no mention starts or ends with the removed spaces.
        let mut to_original = squeezed.map.cursor();
        for mut m in mentions {
            m.range = to_original.to_original(m.range.clone(), text);
            // A name that jieba ran into 今 of 今（21）日 (赖清德 / 明（22）日).
            if let Some(last) = text[m.range.clone()].chars().next_back()
                && m.range.len() > last.len_utf8()
                && bracketed_day_len(last, &text[m.range.end..]).is_some()
            {
                m.range.end -= last.len_utf8();
            }
            // ... or 日 of it into what follows (日 / 出访 read as Japan).
            if squeezed.after_bracketed_day(text, m.range.start) {
                m.range.start += '日'.len_utf8();
                if m.range.is_empty() {
                    continue;
                }
            }
            squeezed.split_lists(text, m, &mut out);
        }
        out
    }
}

impl NerModel {
    /// Mentions in `text` given its words: the model's, then the corrections
    /// for what 1990s news did not teach it (joint ventures, role words after
    /// bodies, people after bodies, area words after places, credit lines).
    fn tag_words(&self, text: &str, words: &[WordRef<'_>]) -> Vec<EntityMention> {
        let mut mentions = self.mentions(text, words);
        join_dotted_names(text, &mut mentions);
        drop_doubtful_initials(text, &mut mentions);
        drop_doubled_words(text, &mut mentions);
        trim_verbs_off_names(text, &mut mentions);
        end_courts_before_trials(text, &mut mentions);
        end_before_joint_verbs(text, &mut mentions);
        end_before_session_numbers(text, &mut mentions);
        self.split_at_links(text, words, &mut mentions);
        self.countries_before_state_titles(text, &mut mentions);
        trim_role_words(text, words, &mut mentions);
        split_off_people(text, words, &mut mentions);
        join_place_suffixes(text, &mut mentions);
        join_site_words(text, words, &mut mentions);
        complete_credit_names(text, words, &mut mentions);
        fill_name_lists(text, words, &mut mentions);
        resegment_name_lists(text, words, &mut mentions);
        sites_are_places(text, words, &mut mentions);
        keep_letter_runs_whole(text, &mut mentions);
        trim_stray_punctuation(text, &mut mentions);
        trim_leading_prepositions(text, &mut mentions);
        drop_storm_names(text, &mut mentions);
        trim_event_words(text, words, &mut mentions);
        tag_cross_strait(text, words, &mut mentions);
        join_numbered_congresses(text, words, &mut mentions);
        tag_party_congresses(text, &mut mentions);
        tag_abbreviation_runs(text, words, &mut mentions);
        tag_defined_aliases(text, &mut mentions);
        mentions
    }

    /// Splits an ORG mention that runs from one body through a linking verb
    /// into another into the bodies. News of joint work names two bodies and
    /// what they do together: 北京大学联合京东成立研究院, 清华大学与商汤科技共建
    /// 联合实验室. The model, having learned from 1990s news that 联合 belongs
    /// to names (联合会, 四川联合大学), reads such a run as one body. Only a
    /// mention with one of [`LINK_VERBS`] inside or right after it is split
    /// (at those and at 联合): none of MSRA train's 20,584 ORG mentions holds
    /// one of them but for 警民共建医疗所, which the body test keeps whole. The
    /// part before the first link must be a body by itself (a gazetteer name
    /// of organizations only, a word jieba tags `nt`, or two or more words
    /// ending like a body: 大学, 公司, 研究院…), and not a bare ending itself;
    /// the parts that are bodies by the same test stay as ORG mentions, the
    /// others (实验室 in 联合实验室) go.
    fn split_at_links(&self, text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
        let is_body = |part: &[WordRef<'_>]| {
            let (Some(first), Some(last)) = (part.first(), part.last()) else {
                return false;
            };
            let name = &text[first.range.start..last.range.end];
            name.chars().nth(1).is_some()
                && !features::is_org_suffix(name)
                && (self.gazetteer.get(features::hash_str(name)) == features::KIND_BITS[2]
                    || (part.len() == 1 && first.pos == "nt")
                    || (part.len() >= 2 && features::ends_with_org_suffix(name)))
        };
        let is_verb = |w: &WordRef<'_>| LINK_VERBS.contains(&&text[w.range.clone()]);
        let mut out = Vec::with_capacity(mentions.len());
        for m in mentions.drain(..) {
            let inside = words_inside(words, &m);
            let next = words.get(words.partition_point(|w| w.range.start < m.range.end));
            let linked = inside.iter().any(is_verb) || next.is_some_and(&is_verb);
            let parts: Vec<&[WordRef<'_>]> = inside
                .split(|w| is_verb(w) || &text[w.range.clone()] == "联合")
                .collect();
            if m.kind != EntityKind::Organization || !linked || parts.len() < 2 || !is_body(parts[0]) {
                out.push(m);
                continue;
            }
            for part in parts.into_iter().filter(|p| is_body(p)) {
                out.push(EntityMention {
                    range: part[0].range.start..part[part.len() - 1].range.end,
                    ..m.clone()
                });
            }
        }
        *mentions = out;
    }

    /// A place the model read as ORG right before a head of state's or
    /// government's title (巴拉圭外长, 巴拉圭总统) is the country. In MSRA train,
    /// a mention right before one of these titles is a place 587 times and
    /// an ORG 20 times, all bodies (国务院总理, 北约外长, 联合国大使). The model
    /// learned 巴拉圭 as ORG from 1998's World Cup (巴拉圭队, 巴拉圭 beat…), and
    /// reads it so even before 外长. Only a name the gazetteer holds as a
    /// place is changed. The countries MSRA names almost only as teams
    /// ([`TEAM_ONLY_COUNTRIES`]) are places wherever they stand alone.
    fn countries_before_state_titles(&self, text: &str, mentions: &mut [EntityMention]) {
        for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
            if TEAM_ONLY_COUNTRIES.contains(&&text[m.range.clone()]) {
                m.kind = EntityKind::Location;
                continue;
            }
            let before_title = STATE_TITLES.iter().any(|t| text[m.range.end..].starts_with(t));
            let place = || self.gazetteer.get(features::hash_str(&text[m.range.clone()])) & features::KIND_BITS[1] != 0;
            if before_title && place() {
                m.kind = EntityKind::Location;
            }
        }
    }
}

/// Countries that MSRA train names by their bare name almost only as
/// teams, in 1998's World Cup and volleyball results (巴拉圭 11 times ORG, 3
/// LOC; 立陶宛 10 ORG, 1 LOC), so that the model reads them as ORG even in
/// 中国与立陶宛的关系. As bare names they are tagged as places; a team's name
/// with 队 is another mention. The MSRA test has neither.
const TEAM_ONLY_COUNTRIES: &[&str] = &["巴拉圭", "立陶宛"];

/// Titles of heads of state and government and of their envoys (see
/// [`NerModel::countries_before_state_titles`]).
pub(crate) const STATE_TITLES: &[&str] = &[
    "外长",
    "外交部长",
    "总统",
    "副总统",
    "总理",
    "首相",
    "国王",
    "女王",
    "王储",
    "驻华大使",
    "大使",
    "国家元首",
];

/// Verbs of joint work that no organization's name holds, and 旗下 ("owned
/// by": 字节跳动旗下抖音集团), which none holds either (see
/// [`NerModel::split_at_links`]).
const LINK_VERBS: &[&str] = &[
    "成立", "共建", "组建", "合建", "签署", "发布", "牵头", "携手", "联手", "旗下",
];

/// Verbs of building or investing somewhere (see [`sites_are_places`]).
const BUILD_VERBS: &[&str] = &[
    "建设", "投资", "兴建", "新建", "建", "设立", "落户", "布局", "开设", "建成", "筹建", "扩建", "建厂", "设厂",
];

/// The most places in a row read as where something is built.
const MAX_SITE_PLACES: usize = 4;

/// An ORG that reads as 在 + a place + a verb of building or investing +
/// what is built (在广州建设新总部, 在墨西哥投资建厂) is where something is built,
/// not a body: the model, having seen bodies named after a place and such a
/// verb (菲律宾投资署, 北京市建管委), read the run as one. None of MSRA train's
/// 20,584 ORG mentions has that shape after 在, and those four have no 在
/// before them. The mention becomes the place, or the places when there
/// are several in a row (在北京亦庄建设: 北京 and 亦庄, as MSRA annotates
/// 广东东莞).
fn sites_are_places(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let mut out = Vec::with_capacity(mentions.len());
    for m in mentions.drain(..) {
        let k = words.partition_point(|w| w.range.start < m.range.start);
        let after_at = k > 0 && &text[words[k - 1].range.clone()] == "在";
        // A place, then maybe a few more whose names jieba tags as people's
        // or other proper names (北京 / 亦庄, 亦庄 tagged nr).
        let first_is_place = words.get(k).is_some_and(|w| w.pos == "ns");
        let places = if m.kind == EntityKind::Organization && after_at && first_is_place {
            1 + words[k + 1..]
                .iter()
                .take(MAX_SITE_PLACES - 1)
                .take_while(|w| matches!(w.pos, "ns" | "nr" | "nrt" | "nz"))
                .count()
        } else {
            0
        };
        let is_site = places > 0
            && words[k].range.start == m.range.start
            && words
                .get(k + places)
                .is_some_and(|verb| verb.range.end <= m.range.end && BUILD_VERBS.contains(&&text[verb.range.clone()]));
        if is_site {
            out.extend(words[k..k + places].iter().map(|place| EntityMention {
                range: place.range.clone(),
                kind: EntityKind::Location,
                ..m.clone()
            }));
        } else {
            out.push(m);
        }
    }
    *mentions = out;
}

/// The words inside `m`, if it starts and ends on word boundaries (else none).
fn words_inside<'w>(words: &'w [WordRef<'w>], m: &EntityMention) -> &'w [WordRef<'w>] {
    let first = words.partition_point(|w| w.range.start < m.range.start);
    let end = words.partition_point(|w| w.range.end <= m.range.end);
    let on_boundaries = words.get(first).is_some_and(|w| w.range.start == m.range.start)
        && end > first
        && words[end - 1].range.end == m.range.end;
    if on_boundaries { &words[first..end] } else { &[] }
}

/// The text the model reads when the caller's has spaces between two CJK
/// characters: the same text without them. The training corpus has no
/// whitespace at all, so a space is a character the model has never seen,
/// and news puts one in many places it reads as a boundary or a name
/// start: bylines (（记者 王伟）, 记者　陶浩　摄), letter-spaced headings and
/// names (王 伟). Line breaks stay (they end sentences), and so do spaces
/// next to Latin letters or digits (Tim Cook, 超 50 亿元). Likewise the dot
/// inside a transliterated name is always `·` (U+00B7) in the corpus, and
/// Taiwan writes `‧`, others `•`, `・` or `･`: between two CJK characters
/// these become `·`, or the model splits the name at them (唐纳‧川普). And
/// Taiwan's 今（21）日 reads as 今日 (see [`bracketed_day_len`]).
struct Squeezed {
    text: String,
    /// From the squeezed text back to the caller's: one deletion span per
    /// removed run of spaces or bracketed day, one replacement span per name
    /// dot, identity spans around them.
    map: OffsetMap,
}

/// Length in bytes of the bracketed day number that `rest` starts with when
/// it stands between `previous` (今, 昨, 明 or 前) and 日, as Taiwan news dates
/// events (今（21）日): the model, which never saw the form, reads the name
/// before it on into 今 and a body into 日 (卓荣泰今 / 日率内阁).
fn bracketed_day_len(previous: char, rest: &str) -> Option<usize> {
    if !matches!(previous, '今' | '昨' | '明' | '前') {
        return None;
    }
    let inner = rest.strip_prefix('（').or_else(|| rest.strip_prefix('('))?;
    let digits: usize = inner
        .chars()
        .take(3)
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(char::len_utf8)
        .sum();
    let after = &inner[digits..];
    let after = after.strip_prefix('）').or_else(|| after.strip_prefix(')'))?;
    let count = inner[..digits].chars().count();
    ((1..=2).contains(&count) && after.starts_with('日')).then(|| rest.len() - after.len())
}

/// Dots that other writers put inside transliterated names, where the
/// training corpus has `·`.
const NAME_DOTS: &[char] = &['\u{2027}', '\u{2022}', '\u{30FB}', '\u{FF65}'];

impl Squeezed {
    /// `None` if `text` has no such spaces, dots or bracketed days.
    fn new(text: &str) -> Option<Squeezed> {
        let is_space = |c: char| {
            c.is_whitespace() && !matches!(c, '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
        };
        let is_cjk = |c: char| !c.is_ascii() && !c.is_whitespace();
        let mut rewrite = Rewrite::builder(text.len());
        let mut kept = 0;
        let mut previous: Option<char> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if let Some(len) = previous.and_then(|p| bracketed_day_len(p, &text[i..])) {
                // 今（21）日 reads as 今日.
                rewrite.keep(&text[kept..i]);
                rewrite.replace(len, "");
                kept = i + len;
                while chars.peek().is_some_and(|&(j, _)| j < kept) {
                    chars.next();
                }
                continue;
            }
            if NAME_DOTS.contains(&c)
                && previous.is_some_and(is_cjk)
                && chars.peek().is_some_and(|&(_, d)| is_cjk(d) && !NAME_DOTS.contains(&d))
            {
                rewrite.keep(&text[kept..i]);
                rewrite.replace(c.len_utf8(), "·");
                kept = i + c.len_utf8();
            }
            if !is_space(c) {
                previous = Some(c);
                continue;
            }
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek()
                && is_space(d)
            {
                end = j + d.len_utf8();
                chars.next();
            }
            let next = chars.peek().map(|&(_, d)| d);
            if previous.is_some_and(is_cjk) && next.is_some_and(is_cjk) {
                rewrite.keep(&text[kept..i]);
                rewrite.replace(end - i, "");
                kept = end;
            }
            previous = text[..end].chars().next_back();
        }
        if kept == 0 {
            return None;
        }
        rewrite.keep(&text[kept..]);
        let (squeezed, map) = OffsetMap::split_rewrite(text, rewrite.finish());
        Some(Squeezed { text: squeezed, map })
    }

    /// Whether 日 at `x` ends a bracketed day that the squeezed text reads
    /// as 今日 (今（21）日).
    fn after_bracketed_day(&self, text: &str, x: usize) -> bool {
        if !text[x..].starts_with('日') {
            return false;
        }
        let spans = self.map.spans();
        let k = spans.partition_point(|s| s.original.end <= x);
        k > 0 && spans[k - 1].normalized.is_empty() && spans[k - 1].original.end == x && {
            let start = spans[k - 1].original.start;
            text[..start]
                .chars()
                .next_back()
                .is_some_and(|p| bracketed_day_len(p, &text[start..]).is_some())
        }
    }

    /// Offset `x` of the original text in the squeezed one (a run's
    /// offsets all map to where it was). [`OffsetMap`] maps the other way.
    fn squeezed_offset(&self, x: usize) -> usize {
        let spans = self.map.spans();
        match spans.get(spans.partition_point(|s| s.original.end <= x)) {
            Some(s) if !s.normalized.is_empty() => s.normalized.start + (x - s.original.start),
            Some(s) => s.normalized.start,
            None => self.text.len(),
        }
    }

    /// `words` of the original text as words of the squeezed one; words
    /// that were removed spaces are dropped.
    fn words<'a>(&self, words: &[WordRef<'a>]) -> Vec<WordRef<'a>> {
        words
            .iter()
            .filter_map(|w| {
                let range = self.squeezed_offset(w.range.start)..self.squeezed_offset(w.range.end);
                (range.start < range.end).then_some(WordRef { range, pos: w.pos })
            })
            .collect()
    }

    /// Pushes mention `m` (of the original text) to `out`, split at the
    /// removed spaces inside it when each piece has two or more characters:
    /// words separated by spaces are a list (利马 波哥大, 王伟 李明), which the
    /// squeezed text runs together, while a letter-spaced name has single
    /// characters between its spaces (王 伟, 国 务 院) and stays whole.
    fn split_lists(&self, text: &str, m: EntityMention, out: &mut Vec<EntityMention>) {
        let spans = self.map.spans();
        let first = spans.partition_point(|s| s.original.start <= m.range.start);
        let inside = spans[first..]
            .iter()
            .take_while(|s| s.original.end < m.range.end)
            .filter(|s| s.normalized.is_empty());
        let mut pieces = Vec::new();
        let mut start = m.range.start;
        for run in inside {
            pieces.push(start..run.original.start);
            start = run.original.end;
        }
        pieces.push(start..m.range.end);
        let single = pieces
            .iter()
            .filter(|p| text[(*p).clone()].chars().nth(1).is_none())
            .count();
        if single == pieces.len() {
            out.push(m);
        } else if single == 0 {
            out.extend(pieces.into_iter().map(|range| EntityMention { range, ..m.clone() }));
        }
        // Else single characters and longer pieces mixed (吴忠 固 of the list
        // 吴忠 固原): neither a letter-spaced name nor a list; dropped.
    }
}

/// Words for events that news names after their place or their members
/// (天津峰会, 金砖国家峰会). MSRA tags the place or body and leaves the event
/// out (卢森堡 of 卢森堡峰会); none of its ORG mentions ends with one.
const EVENT_WORDS: &[&str] = &["峰会"];

/// Ends an ORG mention before an event word it ends with: what is left is
/// a place when it is one word jieba tags `ns` (天津 of 天津峰会), else the
/// body (金砖国家 of 金砖国家峰会). A mention that is nothing but the event
/// word is dropped.
fn trim_event_words(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    mentions.retain_mut(|m| {
        if m.kind != EntityKind::Organization {
            return true;
        }
        let Some(rest) = EVENT_WORDS.iter().find_map(|e| text[m.range.clone()].strip_suffix(e)) else {
            return true;
        };
        if rest.is_empty() {
            return false;
        }
        m.range.end = m.range.start + rest.len();
        if matches!(words_inside(words, m), [place] if place.pos == "ns") {
            m.kind = EntityKind::Location;
        }
        true
    });
}

/// Words for storms, which news follows with the storm's name in quotes
/// (台风“桦加沙”); 热带气旋 is found as 气旋.
const STORM_WORDS: &[&str] = &["台风", "飓风", "热带风暴", "气旋"];

/// The longest storm name looked for, in characters.
const MAX_STORM_NAME_CHARS: usize = 12;

/// Drops mentions inside the quoted name of a storm: 台风“桦加沙” is no
/// place 加沙, 台风“山竹” no person. MSRA has no storm named in quotes.
fn drop_storm_names(text: &str, mentions: &mut Vec<EntityMention>) {
    let mut names = Vec::new();
    for word in STORM_WORDS {
        for (at, _) in text.match_indices(word) {
            let rest = &text[at + word.len()..];
            for (open, close) in [("“", "”"), ("「", "」"), ("\"", "\"")] {
                // A storm's name is short: the closing quote is looked for
                // only so far, which keeps the scan linear on any text.
                if let Some(inner) = rest.strip_prefix(open)
                    && let Some(len) = inner
                        .char_indices()
                        .take(MAX_STORM_NAME_CHARS + 1)
                        .find_map(|(i, _)| inner[i..].starts_with(close).then_some(i))
                {
                    let start = at + word.len() + open.len();
                    names.push(start..start + len);
                }
            }
        }
    }
    if !names.is_empty() {
        mentions.retain(|m| !names.iter().any(|n| n.start <= m.range.start && m.range.end <= n.end));
    }
}

/// Joins two people a `·` apart (弗拉基米尔 + · + 普京): the model cut a
/// transliterated name at its dot. No two gold mentions of MSRA train stand
/// that way. People that touch stay apart: MSRA writes lists of names
/// without separators (江泽民斯洛博丹·米洛舍维奇).
fn join_dotted_names(text: &str, mentions: &mut Vec<EntityMention>) {
    mentions.dedup_by(|m, last| {
        let cut_at_dot = last.kind == EntityKind::Person
            && m.kind == EntityKind::Person
            && text.get(last.range.end..m.range.start) == Some("·");
        if cut_at_dot {
            last.range.end = m.range.end;
            last.confidence = last.confidence.min(m.confidence);
        }
        cut_at_dot
    });
}

/// Words for people by their role. An organization's name does not end
/// with one (of MSRA train's 20,584 ORG mentions, 1 does, 沈阳市团队, against
/// 130 that end with 代表团, a body), but the model, having learned that
/// 团, 委 and 员 end bodies, runs on into them: 民进党立委, 医学院团队.
pub(crate) const ROLE_WORDS: &[&str] = &[
    "立委",
    "议员",
    "委员",
    "团队",
    "代表",
    "主席",
    "书记",
    "院士",
    "教授",
    "学生",
    "员工",
    "官员",
    "发言人",
    "记者",
    "队员",
    "成员",
    "人士",
    "干部",
    "职工",
    "领导",
    "专家",
    "主任",
    "局长",
    "部长",
    "负责人",
    "工作人员",
    "官兵",
    "战士",
    "运动员",
    "党员",
    "校长",
    "院长",
    "董事长",
    "总裁",
    "总经理",
    "厅长",
    "市长",
    "省长",
    "县长",
    "区长",
    "研究员",
    "医生",
    "护士",
    "教师",
    "老师",
    "师生",
    "校友",
];

/// A company named by its tie to the one before it (脸书母公司, 鸿海子公司):
/// the body is the one named, and the rest is a common noun. jieba keeps
/// these words whole; no MSRA ORG mention ends with one.
const KIN_COMPANY_WORDS: &[&str] = &["母公司", "子公司"];

/// Ends each ORG mention that runs on into last words of [`ROLE_WORDS`] or
/// [`KIN_COMPANY_WORDS`] (医院专家团队) before them, as long as at least two
/// characters remain, and one that ends with a role word inside jieba's
/// last word (党立委) before it, when what remains ends like a body.
fn trim_role_words(text: &str, words: &[WordRef<'_>], mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
        let mut trimmed = false;
        while let Some(last) = last_word(words, m) {
            let word = &text[last.range.clone()];
            let trims = ROLE_WORDS.contains(&word)
                || KIN_COMPANY_WORDS.contains(&word)
                || (trimmed && ACTIVITY_WORDS.contains(&word));
            if !trims || text[m.range.start..last.range.start].chars().nth(1).is_none() {
                break;
            }
            m.range.end = last.range.start;
            trimmed = true;
        }
        // A role word inside a jieba word of its own (民众 / 党立委 / 黄珊珊):
        // trimmed by characters when what is left ends like a body. No ORG
        // mention of MSRA train or test ends that way.
        let name = &text[m.range.clone()];
        let body_end = ROLE_WORDS.iter().find_map(|role| {
            let body = name.strip_suffix(role)?;
            ends_like_body(body).then_some(body.len())
        });
        if let Some(len) = body_end {
            m.range.end = m.range.start + len;
        }
    }
}

/// Whether `name`, what is left of a mention after a trim, is a body's
/// name by itself: two or more characters ending like one (民众党, 中国气象局).
fn ends_like_body(name: &str) -> bool {
    name.chars().nth(1).is_some() && features::ends_with_org_suffix(name)
}

/// What a team or staff does, trimmed together with the role word after it
/// (研究团队, 科研人员): jieba keeps them apart. Of MSRA train's 20,584 ORG
/// mentions, 3 end with one of these words (汉学研究, 中科研, 日本交通管制技术),
/// none of them before a role word.
const ACTIVITY_WORDS: &[&str] = &["研究", "科研", "研发", "攻关", "教学", "医疗", "技术"];

/// The word ending at byte `end`, if a word does.
fn word_ending_at<'w>(words: &'w [WordRef<'w>], end: usize) -> Option<&'w WordRef<'w>> {
    let i = words.binary_search_by_key(&end, |w| w.range.end).ok()?;
    Some(&words[i])
}

/// The word `mention` ends with, if it ends on a word boundary and the
/// word starts inside it.
fn last_word<'w>(words: &'w [WordRef<'w>], mention: &EntityMention) -> Option<&'w WordRef<'w>> {
    word_ending_at(words, mention.range.end).filter(|w| w.range.start > mention.range.start)
}

/// Splits each ORG mention that ran on into a person's name after the body
/// (中国科学技术大学潘建伟, 中国科学技术大学教授陆朝阳) into the body and the
/// person, both with the model's confidence. The name is found after the
/// body's last word ([`person_after_body`]) or, failing that, after a role
/// word inside the mention ([`person_after_role`]).
fn split_off_people(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let mut people = Vec::new();
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
        let Some((body_end, name)) = person_after_body(text, words, m).or_else(|| person_after_role(text, m)) else {
            continue;
        };
        people.push(EntityMention {
            range: name,
            kind: EntityKind::Person,
            confidence: m.confidence,
            normalized: None,
        });
        m.range.end = body_end;
    }
    add_mentions(mentions, people);
}

/// Where the body ends and the name lies, when ORG mention `m` ends with a
/// person's name after the name of the body (中国科学技术大学潘建伟, once 团队
/// is trimmed): its last word is one jieba tags as a person's name, of two or
/// three characters and starting with a common surname, and the word before
/// ends like a body's name (大学, 医院, 局…). Of MSRA train's 20,584 gold ORG
/// mentions, 2 end with such a word, and both are kept whole by the last two
/// checks: 墨尔本皇家海军龙舟队 (the word ends like a body) and 新疆建设兵团农二师
/// (a military unit).
fn person_after_body(text: &str, words: &[WordRef<'_>], m: &EntityMention) -> Option<(usize, Range<usize>)> {
    let name = last_word(words, m)?;
    let word = &text[name.range.clone()];
    let before = word_ending_at(words, name.range.start).filter(|w| w.range.start >= m.range.start);
    let is_name = name.pos == "nr"
        && (2..=3).contains(&word.chars().count())
        && features::starts_with_surname(word)
        && !features::ends_with_org_suffix(word)
        && !word.ends_with(['师', '旅', '营', '连']);
    let after_body = before.is_some_and(|w| features::ends_with_org_suffix(&text[w.range.clone()]));
    (is_name && after_body).then(|| (name.range.start, name.range.clone()))
}

/// Where the body ends and the name lies, when ORG mention `m` runs on
/// through a role word into a person's name (中国科学技术大学教授陆朝阳, where
/// jieba cut 大学教授 / 陆 / 朝阳, so no word boundary marks the name): the
/// mention reads body + role + name, the body ending like one (大学, 医院,
/// 局…, or a department: 电子工程系教授汪玉) and the name being two or three
/// characters that start with a common surname and do not end like a body. The role word is neither body nor
/// name. Looked for by characters, since the role and the name are often
/// inside jieba words. MSRA train's ORG mentions with a role word inside
/// (中国体育记者协会, 欧盟部长理事会, 中共中央书记处) all end like a body or in
/// one character after it, and stay whole.
fn person_after_role(text: &str, m: &EntityMention) -> Option<(usize, Range<usize>)> {
    let mention = &text[m.range.clone()];
    ROLE_WORDS.iter().find_map(|role| {
        let at = mention.rfind(role)?;
        let (body, name) = (&mention[..at], &mention[at + role.len()..]);
        let fits = body.chars().nth(1).is_some()
            && (features::ends_with_org_suffix(body) || body.ends_with(DEPARTMENT_ENDS))
            && (2..=3).contains(&name.chars().count())
            && features::starts_with_surname(name)
            && !features::ends_with_org_suffix(name);
        fits.then(|| (m.range.start + at, m.range.start + at + role.len()..m.range.end))
    })
}

/// Last characters of a university's or hospital's departments (电子工程系,
/// 心内科, 实验室 already ends like a body): a body for [`person_after_role`].
const DEPARTMENT_ENDS: &[char] = &['系', '科'];

/// Words that name a kind of area, not an area: a place followed directly
/// by one of them is one place (兰州新区, not 兰州 + 新区).
const PLACE_SUFFIXES: &[&str] = &[
    "新区",
    "特区",
    "开发区",
    "高新区",
    "园区",
    "科学城",
    "生态城",
    "示范区",
    "试验区",
    "合作区",
    "片区",
    "自贸区",
    "保税区",
    "经济区",
];

/// Joins a place and the area word the model tagged as a second place right
/// after it (兰州 + 新区 → 兰州新区). The model learned 新区 as a place from
/// MSRA, which tags it alone where it stands for a named area (4 times in
/// train); right after a place it is part of that place's name (浦东新区,
/// 苏州新区 are single mentions there).
fn join_place_suffixes(text: &str, mentions: &mut Vec<EntityMention>) {
    // `dedup_by` hands each mention with the last one kept before it.
    mentions.dedup_by(|m, prev| {
        let joins = prev.kind == EntityKind::Location
            && m.kind == EntityKind::Location
            && prev.range.end == m.range.start
            && PLACE_SUFFIXES.contains(&&text[m.range.clone()]);
        if joins {
            prev.range.end = m.range.end;
            prev.confidence = prev.confidence.min(m.confidence);
        }
        joins
    });
}

/// Words for a built or natural site that, right after a place or a
/// person, make one named site with it: 深圳书城, 埃及金字塔, 毕加索故居,
/// 合肥火车站. MSRA tags such a site as one place; the model often ends the
/// place (or reads a foreign name as a person) before the site word. Each
/// word here but two ends a LOC mention in MSRA train at least twice, and
/// at least 3 times as often as a mention ends right before it (广场 52 to
/// 0, 公园 40 to 1, 故居 5 to 1); 旧居 and 汽车站, which train lacks, stand
/// with their synonyms 故居 and 车站 (8 to 0).
/// Not listed: words that mostly stand apart (铁路 34 to 8, 市场, 古城,
/// 风景区), and those that after a country or a city often name its sites in
/// general (澳大利亚码头, 约翰内斯堡大街, 中国公路, 美国机场, 北京商场). The model
/// itself tags most airports whole (合肥机场, 比什凯克机场).
const SITE_WORDS: &[&str] = &[
    "书城",
    "车站",
    "火车站",
    "汽车站",
    "大道",
    "大桥",
    "故居",
    "旧居",
    "音乐厅",
    "广场",
    "公园",
    "金字塔",
    "大厦",
    "纪念碑",
    "纪念堂",
    "体育场",
    "体育馆",
    "大会堂",
    "会堂",
    "水库",
    "隧道",
    "海峡",
    "半岛",
    "陵园",
    "博物馆",
    "纪念馆",
    "图书馆",
];

/// Words after a site word that make it part of a body's name (体育场管理处),
/// which the join must leave to the model.
const SITE_BODY_WORDS: &[&str] = &["集团", "公司", "管理局", "管理处", "管委会", "股份", "有限公司"];

/// Joins a place or person and the site word right after it into one
/// place (深圳 + 书城 → 深圳书城, 毕加索 + 旧居 → 毕加索旧居; see
/// [`SITE_WORDS`]). The site word must be one or two whole jieba words, not
/// run into what follows (公园路 is one word, so 公园 does not end one), and
/// hold no mention but, at most, the model's own place on exactly that word
/// (埃及 + 金字塔).
fn join_site_words(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let mut out: Vec<EntityMention> = Vec::with_capacity(mentions.len());
    let mut iter = std::mem::take(mentions).into_iter().peekable();
    while let Some(mut m) = iter.next() {
        let site_end = matches!(m.kind, EntityKind::Location | EntityKind::Person)
            .then(|| site_word_after(text, words, m.range.end))
            .flatten();
        if let Some(end) = site_end {
            let next_is_site_place = iter
                .peek()
                .is_some_and(|n| n.kind == EntityKind::Location && n.range == (m.range.end..end));
            let next_overlaps = iter.peek().is_some_and(|n| n.range.start < end);
            if next_is_site_place {
                iter.next();
            }
            if next_is_site_place || !next_overlaps {
                m.range.end = end;
                m.kind = EntityKind::Location;
            }
        }
        out.push(m);
    }
    *mentions = out;
}

/// Where the site word starting at byte `start` ends, if one or two whole
/// words there spell one of [`SITE_WORDS`], or the rest of the word `start`
/// is inside does (鲁迅故居 is one jieba word), and no body word follows.
fn site_word_after(text: &str, words: &[WordRef<'_>], start: usize) -> Option<usize> {
    let k = words.partition_point(|w| w.range.end <= start);
    let word = words.get(k)?;
    // Indices one past the words that may end the site word.
    let mut ends = if word.range.start < start {
        k + 1..k + 2
    } else {
        k + 1..(k + 3).min(words.len() + 1)
    };
    ends.find_map(|j| {
        let end = words[j - 1].range.end;
        let is_site = SITE_WORDS.contains(&&text[start..end]);
        let body_follows = words
            .get(j)
            .is_some_and(|w| SITE_BODY_WORDS.contains(&&text[w.range.clone()]));
        (is_site && !body_follows).then_some(end)
    })
}

/// Words that end the title before a reporter's name in a credit line.
const CREDIT_TITLES: &[&str] = &["记者", "通讯员", "摄影"];

/// Characters that, between a name and 摄 or 报道, are not the name's last
/// character: 王平所摄, 王平等摄, 王平和李明摄…
const NOT_NAME_ENDS: &[char] = &[
    '所', '等', '拍', '航', '也', '的', '和', '与', '及', '又', '再', '亦', '并', '已', '将',
];

/// Credit lines name a reporter between a title and 摄 ("photo") or 报道
/// ("reports"): 新华社记者王平杰摄, 本报记者卢强超报道. jieba's HMM often glues
/// a three-character name's last character to 摄 (王平 / 杰摄) or leaves it
/// on its own (卢强 / 超 / 报道), and the model, which saw few credit lines
/// (MSRA train has four names before 摄), ends the name before it. A
/// two-character person right after a credit title, followed by one more
/// Han character and then 摄 or 报道, takes that character.
fn complete_credit_names(text: &str, words: &[WordRef<'_>], mentions: &mut [EntityMention]) {
    for i in 0..mentions.len() {
        let m = &mentions[i];
        if m.kind != EntityKind::Person || text[m.range.clone()].chars().count() != 2 {
            continue;
        }
        let after_title = word_ending_at(words, m.range.start)
            .is_some_and(|w| CREDIT_TITLES.iter().any(|t| text[w.range.clone()].ends_with(t)));
        let rest = &text[m.range.end..];
        let Some(last) = rest.chars().next() else {
            continue;
        };
        let then = &rest[last.len_utf8()..];
        let credit = then.starts_with('摄') || then.starts_with("报道");
        let free = mentions
            .get(i + 1)
            .is_none_or(|n| n.range.start >= m.range.end + last.len_utf8());
        if after_title && credit && free && crate::text::repair::chars::is_han(last) && !NOT_NAME_ENDS.contains(&last) {
            mentions[i].range.end += last.len_utf8();
        }
    }
}

/// Characters a name never starts with: closing brackets and quotes, and
/// separators. (Opening quotes and title marks may start one: MSRA
/// annotates “正章”干洗店 and 《中国妇女》杂志 whole.)
const NOT_NAME_STARTS: &[char] = &[
    '）', ')', '】', ']', '」', '』', '〉', '》', '’', '，', ',', '。', '、', '；', ';', '：', ':', '！', '!', '？',
    '?',
];

/// Characters a name never ends with: opening brackets and quotes, and
/// separators. (Closing ones may end it: 广（州）.)
const NOT_NAME_ENDS_PUNCT: &[char] = &[
    '（', '(', '【', '[', '「', '『', '〈', '《', '“', '‘', '，', ',', '。', '、', '；', ';', '：', ':', '！', '!',
    '？', '?',
];

/// Trims punctuation that cannot start or end a name off a mention's edges
/// (）立法院 of 台北21日電）立法院今天… → 立法院); a mention left with nothing is
/// dropped. The model, trained on text whose datelines were stripped, read
/// the bracket as the body's first character.
fn trim_stray_punctuation(text: &str, mentions: &mut Vec<EntityMention>) {
    for m in mentions.iter_mut() {
        let name = &text[m.range.clone()];
        let from_start = name.trim_start_matches(NOT_NAME_STARTS);
        let trimmed = from_start.trim_end_matches(NOT_NAME_ENDS_PUNCT);
        let start = m.range.start + (name.len() - from_start.len());
        // Nothing left: an empty range, dropped below.
        m.range = start..start + trimmed.len();
    }
    mentions.retain(|m| m.range.start < m.range.end);
}

/// Prepositions, and the particle 了 (访问了鸿海), that never start a name:
/// no mention of MSRA train or test of three or more characters starts with
/// one. (对, 由, 从 and 向 do: 对外友协, the surnames 由 and 向.)
const NOT_NAME_FIRST: &[char] = &['据', '在', '与', '被', '把', '给', '跟', '了'];

/// Drops a preposition of [`NOT_NAME_FIRST`] off the start of a mention of
/// three or more characters: jieba's HMM glues it to a name it does not
/// know (据广汽 / 集团 / 消息), and the model reads the word whole.
fn trim_leading_prepositions(text: &str, mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut() {
        let mut chars = text[m.range.clone()].chars();
        if let Some(first) = chars.next()
            && NOT_NAME_FIRST.contains(&first)
            && chars.nth(1).is_some()
        {
            m.range.start += first.len_utf8();
        }
    }
}

/// Moves the edges of mentions that cut a run of ASCII letters and digits
/// (a model number, a code) out of that run: 中国商飞C of 中国商飞C919 →
/// 中国商飞. Such a run is one token to every reader; the model, which sees
/// characters, sometimes ends a name after its first letter. A mention
/// left with nothing is dropped. Full-width runs are left alone: in MSRA's
/// text (all full-width) a name may end inside one, as share names do
/// before their price (深发展Ａ１２．３).
fn keep_letter_runs_whole(text: &str, mentions: &mut Vec<EntityMention>) {
    let inside_run = |at: usize| {
        let before = text[..at].chars().next_back();
        let after = text[at..].chars().next();
        before.is_some_and(|c| c.is_ascii_alphanumeric()) && after.is_some_and(|c| c.is_ascii_alphanumeric())
    };
    for m in mentions.iter_mut() {
        if inside_run(m.range.end) {
            let run = text[m.range.clone()]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_ascii_alphanumeric())
                .last()
                .map_or(m.range.end, |(i, _)| m.range.start + i);
            m.range.end = run;
        }
        if m.range.start < m.range.end && inside_run(m.range.start) {
            let rest = &text[m.range.clone()];
            let skip = rest
                .char_indices()
                .find(|&(_, c)| !c.is_ascii_alphanumeric())
                .map_or(rest.len(), |(i, _)| i);
            m.range.start += skip;
        }
    }
    mentions.retain(|m| m.range.start < m.range.end);
}

/// Below this confidence, a one-character person that is not a surname is
/// dropped (see [`drop_doubtful_initials`]).
const DOUBTFUL_INITIAL: f32 = 0.35;

/// Drops one-character people whose character is not a common surname and
/// that the model is unsure of: 科 of 感染科主任张文宏 (jieba: 感染 / 科主任),
/// read as a name before a title. One-character people in MSRA are
/// surnames (江主席) and short forms (马列主义, 尧); the model is sure of
/// those.
fn drop_doubtful_initials(text: &str, mentions: &mut Vec<EntityMention>) {
    mentions.retain(|m| {
        m.kind != EntityKind::Person
            || m.confidence >= DOUBTFUL_INITIAL
            || text[m.range.clone()].chars().nth(1).is_some()
            || features::starts_with_surname(&text[m.range.clone()])
    });
}

/// Everyday words that double a surname (谢谢 "thank you", 张张 "sheet after
/// sheet", 常常 "often"): the model reads them as people, 谢谢 seven times in
/// the MSRA test. Doubled given names are real (苗苗, 程程: 19 kinds in MSRA),
/// so only these words are dropped; none is a person in MSRA.
const DOUBLED_WORDS: &[&str] = &[
    "谢谢", "张张", "常常", "高高", "白白", "刚刚", "仅仅", "时时", "明明", "冷冷",
];

/// Drops people that are one of [`DOUBLED_WORDS`].
fn drop_doubled_words(text: &str, mentions: &mut Vec<EntityMention>) {
    mentions.retain(|m| m.kind != EntityKind::Person || !DOUBLED_WORDS.contains(&&text[m.range.clone()]));
}

/// Characters that never end a three-character name: verbs and function
/// words that follow a name (张军作工作报告, 王平说, 何光致欢迎词…), and 摄 of a
/// photo credit (记者张晓龙、李佳摄). Of the 12,016 three-character people in
/// MSRA train and test, one ends with one of them: 刘山在, a vice minister
/// of 1997, against the everyday 王浩在会上讲话.
pub(crate) const NOT_NAME_LAST: &[char] = &[
    '在', '作', '说', '称', '向', '对', '将', '与', '等', '是', '就', '又', '还', '已', '率', '赴', '到', '去', '表',
    '指', '认', '要', '被', '把', '从', '给', '跟', '谈', '讲', '亦', '并', '即', '摄', '致', '出', '参', '访', '视',
    '抵', '离', '获', '仍', '便', '却', '则',
];

/// Trims the last character off a three-character person that ends with
/// one of [`NOT_NAME_LAST`] and starts with a common surname: jieba joins
/// such a verb to a two-character name it does not know (院长 / 张军作 /
/// 工作 / 报告), and the model follows it.
fn trim_verbs_off_names(text: &str, mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Person) {
        let name = &text[m.range.clone()];
        let mut chars = name.chars();
        let last = chars.next_back();
        if chars.clone().count() == 2
            && last.is_some_and(|c| NOT_NAME_LAST.contains(&c))
            && features::starts_with_surname(chars.as_str())
        {
            m.range.end -= last.map_or(0, char::len_utf8);
        }
    }
}

/// Bodies that try cases (see [`end_courts_before_trials`]).
const COURTS: &[&str] = &["法院", "检察院", "法庭"];

/// What courts do, as news writes it right after the court's name.
const TRIAL_WORDS: &[&str] = &[
    "一审", "二审", "终审", "再审", "审理", "审结", "判处", "宣判", "判决", "裁定", "依法", "公开",
];

/// Ends each ORG mention that runs past a court into what the court did
/// (see [`TRIAL_WORDS`]) after the court: 杭州市萧山区人民法院一审判处 (jieba:
/// 一 / 审判 / 处, and 处 ends bodies) → 杭州市萧山区人民法院. No ORG mention
/// of MSRA train holds a court followed by one of those words.
fn end_courts_before_trials(text: &str, mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
        let name = &text[m.range.clone()];
        let end = COURTS
            .iter()
            .filter_map(|court| name.find(court).map(|at| at + court.len()))
            .filter(|&end| TRIAL_WORDS.iter().any(|w| name[end..].starts_with(w)))
            .min();
        if let Some(end) = end {
            m.range.end = m.range.start + end;
        }
    }
}

/// Verbs of joint work that start with 会: after 联合 they read as 联合会
/// (a federation) to jieba and the model alike.
const JOINT_VERBS_AFTER_HUI: &[&str] = &["商", "同", "签", "审"];

/// Ends each ORG mention that runs on into 联合 + a verb starting with 会
/// (中国气象局联合会 of 中国气象局联合会商研判, which jieba cuts 中国气象局 /
/// 联合会 / 商) before 联合, when what is left ends like a body. None of
/// MSRA train's 20,584 ORG mentions ends with 联合会 right before 商, 同, 签 or
/// 审.
fn end_before_joint_verbs(text: &str, mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
        let Some(body) = text[m.range.clone()].strip_suffix("联合会") else {
            continue;
        };
        let verb_follows = JOINT_VERBS_AFTER_HUI.iter().any(|v| text[m.range.end..].starts_with(v));
        if verb_follows && ends_like_body(body) {
            m.range.end = m.range.start + body.len();
        }
    }
}

/// Chinese numerals as session and congress numbers write them (十九届, 二十大).
fn is_session_numeral(c: char) -> bool {
    matches!(c, '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// Ends an ORG before the number of a party plenum it ran into: 中共二十届三中全会
/// is 中共 to MSRA, which does not tag the plenum (中共十一届三中全会, six times in
/// its test set). The model, having seen 中共十五大 tagged whole, reads 中共十一届三中
/// or 中共二十 as the body. An ORG that ends with a session number (numerals,
/// perhaps 第 before them and 届 and a numeral and 中 after), followed by 届 or
/// 全会, loses the number. No MSRA ORG has that shape.
fn end_before_session_numbers(text: &str, mentions: &mut [EntityMention]) {
    for m in mentions.iter_mut().filter(|m| m.kind == EntityKind::Organization) {
        let rest = &text[m.range.end..];
        if !(rest.starts_with('届') || rest.starts_with("全会")) {
            continue;
        }
        let name = &text[m.range.clone()];
        // `届` + numeral + `中` at the end, then the numerals of the session.
        let head = name
            .strip_suffix('中')
            .and_then(|n| n.strip_suffix(is_session_numeral))
            .and_then(|n| n.strip_suffix('届'))
            .unwrap_or(name);
        let body = head.trim_end_matches(is_session_numeral);
        if body.len() == head.len() || !rest.starts_with('届') && head.len() == name.len() {
            continue;
        }
        let body = body.strip_suffix('第').unwrap_or(body);
        if body.chars().nth(1).is_some() {
            m.range.end = m.range.start + body.len();
        }
    }
}

const MAX_LIST_NOTE_CHARS: usize = 8;

/// Fills the gaps of a name list that has no separators, as official lists
/// print them (王维澄王朝文王森浩, 陈慕华（女）费孝通…): the model finds most of
/// the names but misses some between them, having no word boundary to go
/// by. A run of two or three Han characters that starts with a common
/// surname and lies between two people of at most four characters (the
/// first one perhaps followed by a note in brackets) becomes a person. Its
/// first word must not be a function word (郎平曾找王怡: 曾 is an adverb
/// there). Its confidence is the lower of its neighbours', times 0.9: on the
/// MSRA test, 27 of 29 such fills are right.
fn fill_name_lists(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let short_person =
        |m: &EntityMention| m.kind == EntityKind::Person && text[m.range.clone()].chars().nth(4).is_none();
    let mut fills = Vec::new();
    for pair in mentions.windows(2) {
        let (left, right) = (&pair[0], &pair[1]);
        if !short_person(left) || !short_person(right) {
            continue;
        }
        let start = left.range.end + list_note_len(&text[left.range.end..right.range.start]);
        let Some(gap) = text.get(start..right.range.start) else {
            continue;
        };
        if (2..=3).contains(&gap.chars().count())
            && gap.chars().all(crate::text::repair::chars::is_han)
            && features::starts_with_surname(gap)
            && !starts_with_function_word(words, start)
        {
            fills.push(EntityMention {
                range: start..right.range.start,
                kind: EntityKind::Person,
                confidence: 0.9 * left.confidence.min(right.confidence),
                normalized: None,
            });
        }
    }
    add_mentions(mentions, fills);
}

/// Adds `found` to `mentions`, keeping them in text order.
fn add_mentions(mentions: &mut Vec<EntityMention>, found: Vec<EntityMention>) {
    if !found.is_empty() {
        mentions.extend(found);
        mentions.sort_by_key(|m| m.range.start);
    }
}

/// Indices of the mentions that overlap `range`, found by binary search:
/// mentions are sorted and do not overlap, so their ends are sorted too.
fn overlapping_indices(mentions: &[EntityMention], range: &Range<usize>) -> Range<usize> {
    let first = mentions.partition_point(|m| m.range.end <= range.start);
    let last = first + mentions[first..].partition_point(|m| m.range.start < range.end);
    first..last
}

/// Whether a mention overlaps `range`.
fn overlaps_a_mention(mentions: &[EntityMention], range: Range<usize>) -> bool {
    !overlapping_indices(mentions, &range).is_empty()
}

/// A new mention list built from a sorted, disjoint one in one pass,
/// replacing runs of its mentions in text order (so that a text with many
/// replacements stays linear).
struct Splice<'m> {
    mentions: &'m [EntityMention],
    out: Vec<EntityMention>,
    /// Index of the first mention not yet copied or replaced.
    next: usize,
}

impl<'m> Splice<'m> {
    fn new(mentions: &'m [EntityMention]) -> Self {
        Splice {
            mentions,
            out: Vec::with_capacity(mentions.len()),
            next: 0,
        }
    }

    /// Indices of the mentions not yet passed that overlap `range`.
    fn overlapping(&self, range: &Range<usize>) -> Range<usize> {
        let found = overlapping_indices(&self.mentions[self.next..], range);
        self.next + found.start..self.next + found.end
    }

    /// Replaces the mentions at `indices`, none of them passed yet, with
    /// `with`.
    fn replace(&mut self, indices: Range<usize>, with: impl IntoIterator<Item = EntityMention>) {
        self.out.extend_from_slice(&self.mentions[self.next..indices.start]);
        self.out.extend(with);
        self.next = indices.end;
    }

    /// The new list.
    fn finish(mut self) -> Vec<EntityMention> {
        self.out.extend_from_slice(&self.mentions[self.next..]);
        self.out
    }
}

/// What follows 两岸 when it means the two sides of the Taiwan Strait (两岸关系,
/// 两岸同胞, 两岸的政治分歧), not two river banks (两岸的青山, 两岸美景).
const CROSS_STRAIT_FOLLOWERS: &[&str] = &[
    "关系",
    "同胞",
    "人民",
    "民众",
    "经济",
    "经贸",
    "政治",
    "敌对",
    "军事",
    "交流",
    "合作",
    "统一",
    "和平",
    "直接",
    "三通",
    "民间",
    "人员",
    "人士",
    "青年",
    "企业",
    "融合",
    "双方",
    "间",
    "之间",
    "分歧",
    "中国人",
    "共同",
    "交往",
    "一家亲",
    "事务",
    "谈判",
    "对话",
    "局势",
    "形势",
    "婚姻",
];

/// Characters before 两岸 that make it the banks of a river or the shores of
/// a sea (长江两岸, 大西洋两岸), or the strait itself (海峡两岸, which MSRA
/// never tags), or a title (《两岸关系》杂志).
const NOT_CROSS_STRAIT_BEFORE: &[char] = &['峡', '江', '河', '洋', '湖', '水', '溪', '渠', '海', '《'];

/// 两岸 on its own, meaning the mainland and Taiwan, is a place to MSRA: in
/// MSRA train, each of its 26 uses in that sense (两岸经济交流, 两岸人民) is
/// tagged LOC, while 海峡两岸 and river banks are not. The model tags few of
/// them, having also seen 两岸 untagged in those other senses. So 两岸 that
/// starts a word, is not after a river, sea or strait, and is followed by
/// one of [`CROSS_STRAIT_FOLLOWERS`] (perhaps after 的) becomes a place,
/// unless a mention already covers it; the model's 两岸 after a river, a sea
/// or the strait is dropped (none of those is tagged in MSRA train).
fn tag_cross_strait(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    const NAME: &str = "两岸";
    let after_water = |start: usize| {
        text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| NOT_CROSS_STRAIT_BEFORE.contains(&c))
    };
    // The model's own 两岸 after a river or the strait goes too (长江两岸经济).
    mentions
        .retain(|m| !(m.kind == EntityKind::Location && &text[m.range.clone()] == NAME && after_water(m.range.start)));
    let mut found = Vec::new();
    for (start, _) in text.match_indices(NAME) {
        let end = start + NAME.len();
        let starts_word = words.binary_search_by_key(&start, |w| w.range.start).is_ok();
        let rest = &text[end..];
        let rest = rest.strip_prefix('的').unwrap_or(rest);
        let follows = CROSS_STRAIT_FOLLOWERS.iter().any(|f| rest.starts_with(f));
        let covered = overlaps_a_mention(mentions, start..end);
        if starts_word && !after_water(start) && follows && !covered {
            found.push(EntityMention {
                range: start..end,
                kind: EntityKind::Location,
                confidence: RULE_CONFIDENCE,
                normalized: None,
            });
        }
    }
    add_mentions(mentions, found);
}

/// Short names of parties that number their congresses (民建七大, 中共十五大).
const PARTY_SHORT_NAMES: &[&str] = &["中共", "民革", "民盟", "民建", "民进", "台盟", "九三学社"];

/// A party's or another body's numbered national congress is one body to
/// MSRA, with the number and the body's name: 中国共产党第十五次全国代表大会,
/// 九三学社七大, 第九届全国人民代表大会 (in MSRA train 13 of the 14 such
/// congresses by full name are one ORG, the other is not tagged; 中共十五大
/// is one ORG 13 times of 13). The model
/// reads 全国代表大会 alone where the body is one it knows less well (中国民主
/// 建国会第七次全国代表大会 → 全国代表大会). Two shapes are joined:
/// - 第 + a number + 次 or 届 + 全国(人民)代表大会, with the ORG that ends right
///   before it, if any, and any ORG that starts inside it and runs on
///   (常务委员会). Nothing is joined when a mention of another kind overlaps
///   it, or an ORG that starts before it (the model's 中华人民共和国香港特别行政区
///   第九届全国人民代表大会, which MSRA tags as two places and the congress).
/// - A party's ORG ending in 党 or one of [`PARTY_SHORT_NAMES`], followed by a
///   number and 大 that jieba cuts as one word (致公党 / 十大 / 提出).
fn join_numbered_congresses(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let mut joins: Vec<Range<usize>> = Vec::new();
    for (at, _) in text.match_indices("代表大会") {
        let before = &text[..at];
        let Some(before) = before.strip_suffix("全国人民").or_else(|| before.strip_suffix("全国")) else {
            continue;
        };
        let Some(before) = before.strip_suffix('次').or_else(|| before.strip_suffix('届')) else {
            continue;
        };
        let head = before.trim_end_matches(is_session_numeral);
        let Some(head) = head.strip_suffix('第').filter(|_| head.len() < before.len()) else {
            continue;
        };
        let (start, end) = (head.len(), at + "代表大会".len());
        let indices = overlapping_indices(mentions, &(start..end));
        let overlapping = &mentions[indices.clone()];
        if overlapping
            .iter()
            .any(|m| m.kind != EntityKind::Organization || m.range.start < start)
        {
            continue;
        }
        let end = overlapping.last().map_or(end, |m| m.range.end.max(end));
        // Only the mention just before the overlapping ones can end at `start`.
        let body = indices
            .start
            .checked_sub(1)
            .map(|i| &mentions[i])
            .filter(|m| m.kind == EntityKind::Organization && m.range.end == start);
        joins.push(body.map_or(start, |b| b.range.start)..end);
    }
    for m in mentions.iter().filter(|m| m.kind == EntityKind::Organization) {
        let name = &text[m.range.clone()];
        if !(name.ends_with('党') || PARTY_SHORT_NAMES.contains(&name)) {
            continue;
        }
        let k = words.partition_point(|w| w.range.start < m.range.end);
        let Some(word) = words.get(k).filter(|w| w.range.start == m.range.end) else {
            continue;
        };
        let number = text[word.range.clone()].strip_suffix('大').unwrap_or("");
        let is_congress = !number.is_empty() && number.chars().all(is_session_numeral);
        if is_congress && !overlaps_a_mention(mentions, word.range.clone()) {
            joins.push(m.range.start..word.range.end);
        }
    }
    if joins.is_empty() {
        return;
    }
    joins.sort_by_key(|r| r.start);
    joins.dedup_by(|next, kept| next.start < kept.end);
    let mut splice = Splice::new(mentions);
    for range in joins {
        let indices = splice.overlapping(&range);
        let confidence = mentions[indices.clone()]
            .iter()
            .map(|m| m.confidence)
            .fold(RULE_CONFIDENCE, f32::min);
        splice.replace(
            indices,
            [EntityMention {
                range,
                kind: EntityKind::Organization,
                confidence,
                normalized: None,
            }],
        );
    }
    *mentions = splice.finish();
}

/// What follows a party congress's short name in news (二十大精神, 十八大以来).
const CONGRESS_FOLLOWERS: &[&str] = &[
    "精神", "报告", "以来", "代表", "召开", "开幕", "闭幕", "期间", "胜利", "提出", "作出", "确定", "明确", "强调",
    "部署", "文件", "党章", "和", "、", "后", "前", "上",
];

/// The Party's national congresses since 2002 by their short names (党的二十大,
/// 十八大以来) are bodies to MSRA, as 十五大 is (tagged ORG 160 times in its
/// train set, 91 of them after 党的); the model, trained on 1998 news, knows
/// only 十五大 and those before it. A number from 十六 to 二十九 with 大 becomes an
/// ORG after 党的 or 中共, or before one of [`CONGRESS_FOLLOWERS`], but never
/// after 第 (全球第二十大经济体) and not where a mention already covers it: a
/// list's count (中国十八大城市, 十八大罗汉) has neither context.
fn tag_party_congresses(text: &str, mentions: &mut Vec<EntityMention>) {
    let mut found = Vec::new();
    for (da, _) in text.match_indices('大') {
        let before = &text[..da];
        let head = before.trim_end_matches(is_session_numeral);
        let number = &before[head.len()..];
        // 十六 … 十九, 二十 … 二十九.
        let is_congress = match number.strip_prefix("二十") {
            Some(units) => units.chars().count() <= 1 && units != "十",
            None => matches!(number, "十六" | "十七" | "十八" | "十九"),
        };
        if !is_congress {
            continue;
        }
        let (start, end) = (head.len(), da + '大'.len_utf8());
        let after_party = head.ends_with("党的") || head.ends_with("中共");
        let follows = CONGRESS_FOLLOWERS.iter().any(|f| text[end..].starts_with(f));
        let covered = overlaps_a_mention(mentions, start..end);
        if !head.ends_with('第') && (after_party || follows) && !covered {
            found.push(EntityMention {
                range: start..end,
                kind: EntityKind::Organization,
                confidence: RULE_CONFIDENCE,
                normalized: None,
            });
        }
    }
    add_mentions(mentions, found);
}

/// One-character names of countries, regions and provinces as news strings
/// them together (中美, 亚欧, 中吉乌, 沪苏浙皖).
const ONE_CHARACTER_PLACES: &str = "中美俄日韩朝欧亚非法德英意加澳印巴以伊埃阿老越泰柬缅哈吉塔乌土蒙菲葡荷比瑞挪丹芬波捷匈墨古智秘孟尼厄塞叙黎约沙新马西希\
                                    京津冀沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘陇青宁晋辽黑港台蜀贵云";

/// What follows a run of one-character places (中老铁路, 亚欧会议, 日中友好).
const PLACE_RUN_FOLLOWERS: &[&str] = &[
    "两国",
    "三国",
    "四国",
    "五国",
    "六国",
    "两地",
    "三地",
    "四地",
    "三省",
    "四省",
    "五省",
    "关系",
    "友好",
    "友谊",
    "会议",
    "双方",
    "建交",
    "边境",
    "边界",
    "合作",
    "经贸",
    "首脑",
    "之间",
    "联合",
    "铁路",
    "经济走廊",
    "自贸区",
    "命运共同体",
    "交界",
    "边区",
    "峰会",
    "论坛",
    "战略",
    "贸易",
    "领导人",
    "两党",
    "双边",
];

/// Longest run of one-character places considered.
const MAX_PLACE_RUN: usize = 6;

/// A run of two to six one-character places (see [`ONE_CHARACTER_PLACES`])
/// that starts a word and is followed by one of [`PLACE_RUN_FOLLOWERS`] is
/// a place per character, as MSRA tags them (中美两国: 中 and 美; in MSRA
/// train, 773 of 830 such runs are tagged so, and the others lie inside
/// bodies' or longer places' names, which the model tags). The model finds
/// most of them, but misses rarer pairs (亚欧会议, 中老铁路) or reads a run
/// as a person (沪 + 苏浙皖). Only a run holding nothing but one-character
/// places and people, and no part of a mention reaching outside it, is
/// changed: its people go, and each character becomes a place.
fn tag_abbreviation_runs(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let is_place = |c: char| ONE_CHARACTER_PLACES.contains(c);
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !is_place(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek().filter(|&&(_, c)| is_place(c)) {
            end = i + c.len_utf8();
            chars.next();
        }
        // A run that starts inside a word (参加 / 中日) starts at the next word.
        let Some(first) = words.get(words.partition_point(|w| w.range.start < start)) else {
            continue;
        };
        let start = first.range.start;
        let count = text.get(start..end).map_or(0, |run| run.chars().count());
        let follows = PLACE_RUN_FOLLOWERS.iter().any(|f| text[end..].starts_with(f));
        if (2..=MAX_PLACE_RUN).contains(&count) && follows {
            runs.push(start..end);
        }
    }
    // Runs are disjoint and in order.
    let mut splice = Splice::new(mentions);
    for run in runs {
        let indices = splice.overlapping(&run);
        let inside = &mentions[indices.clone()];
        let fits = inside.iter().all(|m| {
            run.start <= m.range.start
                && m.range.end <= run.end
                && (m.kind == EntityKind::Person
                    || m.kind == EntityKind::Location && text[m.range.clone()].chars().nth(1).is_none())
        });
        if !fits {
            continue;
        }
        let places = text[run.clone()].char_indices().map(|(i, c)| {
            let range = run.start + i..run.start + i + c.len_utf8();
            let model = inside
                .iter()
                .find(|m| m.range == range && m.kind == EntityKind::Location);
            EntityMention {
                range,
                kind: EntityKind::Location,
                confidence: model.map_or(RULE_CONFIDENCE, |m| m.confidence),
                normalized: None,
            }
        });
        splice.replace(indices, places);
    }
    *mentions = splice.finish();
}

/// What introduces a short name in brackets after a name (（以下简称“清源新材”）).
const ALIAS_MARKERS: &[&str] = &["以下简称", "以下称", "下称", "简称"];

/// Opening and closing quotes around a defined short name.
const ALIAS_QUOTES: &[(char, char)] = &[('“', '”'), ('"', '"'), ('「', '」'), ('『', '』'), ('‘', '’')];

/// Longest short name, in characters.
const MAX_ALIAS_CHARS: usize = 16;

/// Most short names defined in one text that are looked for: each is a scan
/// of the rest of the text, so the cap keeps tagging linear.
const MAX_ALIASES: usize = 16;

/// The short name that a bracket right after a mention defines, as news and
/// company filings write them: 太平洋亚洲旅行协会（简称ＰＡＴＡ）, 中国宏桥集团有限公司
/// （下称中国宏桥）, 浙江清源新材料股份有限公司（以下简称“清源新材”）. Returns its
/// byte range: two to [`MAX_ALIAS_CHARS`] letters, digits or Han characters.
fn defined_alias(text: &str, end: usize) -> Option<Range<usize>> {
    let rest = &text[end..];
    let inner = rest.strip_prefix('（').or_else(|| rest.strip_prefix('('))?;
    let after_marker = ALIAS_MARKERS.iter().find_map(|m| inner.strip_prefix(m))?;
    let after_marker = after_marker
        .strip_prefix('：')
        .or_else(|| after_marker.strip_prefix(':'))
        .unwrap_or(after_marker);
    let (alias_text, close) = match ALIAS_QUOTES
        .iter()
        .find_map(|&(open, close)| after_marker.strip_prefix(open).map(|a| (a, close)))
    {
        Some((quoted, close)) => (quoted, Some(close)),
        None => (after_marker, None),
    };
    let len: usize = alias_text
        .chars()
        .take(MAX_ALIAS_CHARS + 1)
        .take_while(|c| c.is_alphanumeric())
        .map(char::len_utf8)
        .sum();
    let alias = &alias_text[..len];
    let count = alias.chars().count();
    let after = &alias_text[len..];
    let after = match close {
        Some(close) => after.strip_prefix(close)?,
        None => after,
    };
    let closed = after.starts_with('）') || after.starts_with(')');
    let start = text.len() - alias_text.len();
    let specific = !alias.starts_with('本') && !features::is_org_suffix(alias) && !GENERIC_ALIASES.contains(&alias);
    (closed && specific && (2..=MAX_ALIAS_CHARS).contains(&count)).then_some(start..start + len)
}

/// Short names that stand for a party of a contract or filing, not a name
/// (（以下简称“甲方”）, （以下简称“公司”）; those starting with 本, 本公司, and
/// bare endings such as 公司 or 银行 are refused too).
const GENERIC_ALIASES: &[&str] = &[
    "甲方",
    "乙方",
    "丙方",
    "丁方",
    "双方",
    "各方",
    "发行人",
    "标的公司",
    "上市公司",
];

/// A short name that a text defines for a name it tagged (（以下简称“清源新材”）,
/// （简称ＰＡＴＡ）) is a mention of the same kind, there and wherever the text
/// uses it after: the model tags it rarely (ＰＡＴＡ) or reads a piece of it
/// (中国 of 中国宏桥). An occurrence that a mention reaching past its edges
/// covers stays as tagged; mentions inside an occurrence give way to it.
fn tag_defined_aliases(text: &str, mentions: &mut Vec<EntityMention>) {
    let mut aliases: Vec<(Range<usize>, EntityKind, f32)> = Vec::new();
    for m in mentions.iter().filter(|m| m.normalized.is_none()) {
        if aliases.len() == MAX_ALIASES {
            break;
        }
        if let Some(alias) = defined_alias(text, m.range.end) {
            aliases.push((alias, m.kind, m.confidence));
        }
    }
    if aliases.is_empty() {
        return;
    }
    let mut found: Vec<EntityMention> = Vec::new();
    for (alias, kind, confidence) in &aliases {
        let name = &text[alias.clone()];
        for (i, _) in text[alias.start..].match_indices(name) {
            let start = alias.start + i;
            found.push(EntityMention {
                range: start..start + name.len(),
                kind: *kind,
                confidence: *confidence,
                normalized: None,
            });
        }
    }
    // Longer names first where two occurrences overlap.
    found.sort_by_key(|m| (m.range.start, std::cmp::Reverse(m.range.end)));
    let mut splice = Splice::new(mentions);
    let mut taken_until = 0;
    for f in found {
        if f.range.start < taken_until {
            continue;
        }
        let indices = splice.overlapping(&f.range);
        let inside = &mentions[indices.clone()];
        let fits = inside
            .iter()
            .all(|m| f.range.start <= m.range.start && m.range.end <= f.range.end && m.normalized.is_none());
        if !fits {
            continue;
        }
        taken_until = f.range.end;
        splice.replace(indices, [f]);
    }
    *mentions = splice.finish();
}

/// The confidence of a mention that a rule adds where the model tagged
/// nothing (两岸, a party congress, a place of a run such as 中老): each rule
/// agrees with MSRA train wherever its context holds, and 0.9 leaves room
/// for what the context does not show.
const RULE_CONFIDENCE: f32 = 0.9;

/// Fewest pairs of people that touch (no separator between them) for a run
/// of people to read as a name list without separators.
const MIN_TOUCHING_PEOPLE: usize = 3;

/// Fewest people in such a list.
const MIN_LIST_PEOPLE: usize = 5;

/// Longest stretch of untagged Han characters between two people of a list.
const MAX_LIST_GAP_CHARS: usize = 9;

/// Longest such stretch that may start without a common surname (丹增, a
/// Tibetan name).
const MAX_UNUSUAL_GAP_CHARS: usize = 4;

/// Log-likelihood of a Chinese name's length in characters, in lists of
/// officials (two: 0.2, three: 0.75, four: 0.05).
fn name_length_prior(chars: usize) -> f32 {
    match chars {
        3 => -0.29,
        2 => -1.6,
        _ => -3.0,
    }
}

/// Re-cuts a name list printed without separators (the members of a
/// committee, 丁文昌丁石孙丁衡高于珍于永波…) into names. The model finds most
/// names of such a list but, having no word boundaries to go by, runs some
/// into the next (王海王 / 群, 刘江刘 / 淇) or leaves a stretch untagged
/// (丁衡高于珍).
///
/// A list is a run of at least [`MIN_LIST_PEOPLE`] people, of which at
/// least [`MIN_TOUCHING_PEOPLE`] pairs touch, with only names and notes in
/// brackets (（女）, （壮族）) between them; it runs on over a few names before
/// and after it, to the punctuation around it. Untagged names there are
/// short stretches of Han characters that start with a common surname (or
/// are at most [`MAX_UNUSUAL_GAP_CHARS`] long: 丹增) and not with a function
/// word: prose, where people are joined by words (李岚清等在舒同病重期间),
/// never qualifies.
///
/// The list is tiled anew: each piece is a note, a person the model tagged
/// there, or two to four Han characters that start with a common surname
/// (four only after a two-character one: 欧阳明高). The tiling with the
/// highest score wins, where a piece scores the log-likelihood of its
/// length among officials' names, plus a bonus for being the model's
/// person, for starting or ending where one of the model's people does, and
/// for ending where a jieba word ends; names without a common surname, or
/// with a `·`, score low but may fill what nothing else fits. If no tiling
/// covers the list, it stays as tagged.
///
/// On lists of made-up names (a surname and one or two given-name
/// characters from common ones, 6 to 30 names, notes between some), F1 of
/// the people goes from 0.61 to 0.84; in MSRA train one person more is
/// found (安民), and People's Daily and Weibo are unchanged.
fn resegment_name_lists(text: &str, words: &[WordRef<'_>], mentions: &mut Vec<EntityMention>) {
    let is_han = crate::text::repair::chars::is_han;
    // Untagged characters inside a list are names: they start with a
    // surname, and not with a function word (李岚清等在舒同病重期间: 等在 is
    // no name).
    let names_at = |start: usize, stretch: &str| {
        stretch.is_empty()
            || stretch.chars().all(is_han)
                && stretch.chars().nth(MAX_LIST_GAP_CHARS).is_none()
                && (features::starts_with_surname(stretch) || stretch.chars().nth(MAX_UNUSUAL_GAP_CHARS).is_none())
                && !starts_with_function_word(words, start)
    };
    // Names between two people, perhaps with a note in brackets after the
    // first and after the last of them.
    let gap_fits = |start: usize, gap: &str| {
        let note = list_note_len(gap);
        let rest = &gap[note..];
        let names = match rest.rfind(['（', '(']) {
            Some(open) if list_note_len(&rest[open..]) == rest.len() - open => &rest[..open],
            _ => rest,
        };
        names_at(start + note, names)
    };
    // Runs of mentions: (first, last + 1) indices.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < mentions.len() {
        if mentions[i].kind != EntityKind::Person {
            i += 1;
            continue;
        }
        let (mut people, mut touching, mut last_person) = (1, 0, i);
        let mut j = i + 1;
        while j < mentions.len() {
            let m = &mentions[j];
            let gap_start = mentions[j - 1].range.end;
            let gap = text.get(gap_start..m.range.start).unwrap_or("，");
            let short_han = text[m.range.clone()].chars().all(is_han) && text[m.range.clone()].chars().nth(4).is_none();
            if !gap_fits(gap_start, gap) || !(m.kind == EntityKind::Person || short_han) {
                break;
            }
            if m.kind == EntityKind::Person {
                people += 1;
                last_person = j;
                if gap.len() == list_note_len(gap) && mentions[j - 1].kind == EntityKind::Person {
                    touching += 1;
                }
            }
            j += 1;
        }
        if people >= MIN_LIST_PEOPLE && touching >= MIN_TOUCHING_PEOPLE {
            runs.push((i, last_person + 1));
        }
        i = last_person + 1;
    }
    if runs.is_empty() {
        return;
    }
    let mut splice = Splice::new(mentions);
    for (first, end) in runs {
        let run = &mentions[first..end];
        // The list runs on to the punctuation around it, over a few names
        // the model did not tag (委员：丁衡高于珍丁石孙…).
        let start = run[0].range.start;
        let before = text[..start]
            .char_indices()
            .rev()
            .take(MAX_LIST_GAP_CHARS + 1)
            .take_while(|&(_, c)| is_han(c))
            .last()
            .map_or(start, |(i, _)| i);
        let previous_end = first.checked_sub(1).map_or(0, |p| mentions[p].range.end);
        let start = if before >= previous_end && names_at(before, &text[before..start]) {
            before
        } else {
            start
        };
        let end_at = run[run.len() - 1].range.end;
        let after_len: usize = text[end_at..]
            .chars()
            .take(MAX_LIST_GAP_CHARS + 1)
            .take_while(|&c| is_han(c))
            .map(char::len_utf8)
            .sum();
        let next_start = mentions.get(end).map_or(text.len(), |m| m.range.start);
        let end_at = if names_at(end_at, &text[end_at..end_at + after_len]) && end_at + after_len <= next_start {
            end_at + after_len
        } else {
            end_at
        };
        let region = start..end_at;
        let Some(pieces) = tile_name_list(text, region, run, words) else {
            continue;
        };
        splice.replace(first..end, pieces);
    }
    *mentions = splice.finish();
}

/// Whether the jieba word at `start` is a function word (an adverb,
/// preposition, conjunction, particle or pronoun: 曾, 在, 和, 等, 其).
fn starts_with_function_word(words: &[WordRef<'_>], start: usize) -> bool {
    words
        .get(words.partition_point(|w| w.range.end <= start))
        .is_some_and(|w| {
            w.range.start == start && matches!(w.pos.as_bytes().first(), Some(b'd' | b'p' | b'c' | b'u' | b'r'))
        })
}

/// The best tiling of `region` into notes and names (see
/// [`resegment_name_lists`]), as people; `None` if none covers it.
fn tile_name_list(
    text: &str,
    region: Range<usize>,
    run: &[EntityMention],
    words: &[WordRef<'_>],
) -> Option<Vec<EntityMention>> {
    const MODEL_PERSON: f32 = 1.0;
    const MODEL_EDGE: f32 = 0.7;
    const WORD_END: f32 = 0.3;
    const NEW_NAME_CONFIDENCE: f32 = 0.8;
    const UNUSUAL_NAME: f32 = -4.0;
    const MAX_LISTED_NAME_CHARS: usize = 12;
    let offsets: Vec<usize> = text[region.clone()]
        .char_indices()
        .map(|(i, _)| region.start + i)
        .chain([region.end])
        .collect();
    let at = |x: usize| offsets.binary_search(&x).ok();
    let people: Vec<&EntityMention> = run.iter().filter(|m| m.kind == EntityKind::Person).collect();
    // The people are sorted and disjoint: their starts and ends are sorted.
    let model_start = |x: usize| people.binary_search_by_key(&x, |m| m.range.start).ok();
    let model_end = |x: usize| people.binary_search_by_key(&x, |m| m.range.end).is_ok();
    let word_end = |x: usize| words.binary_search_by_key(&x, |w| w.range.end).is_ok();
    let n = offsets.len() - 1;
    // best[k]: score of the best tiling of the first k characters, and the
    // piece that ends it (start index, model mention if any).
    let mut best: Vec<Option<(f32, usize, Option<usize>)>> = vec![None; n + 1];
    best[0] = Some((0.0, 0, None));
    for k in 0..n {
        let Some((score, ..)) = best[k] else {
            continue;
        };
        let x = offsets[k];
        let mut offer = |end: usize, gain: f32, model: Option<usize>| {
            if best[end].is_none_or(|(s, ..)| s < score + gain) {
                best[end] = Some((score + gain, k, model));
            }
        };
        let note = list_note_len(&text[x..region.end]);
        if note > 0
            && let Some(end) = at(x + note)
        {
            offer(end, 0.0, None);
        }
        if let Some(p) = model_start(x)
            && let Some(end) = at(people[p].range.end)
        {
            offer(end, name_length_prior(end - k) + MODEL_PERSON, Some(p));
        }
        for chars in 2..=MAX_LISTED_NAME_CHARS {
            let Some(end) = (k + chars <= n).then_some(k + chars) else {
                break;
            };
            let piece = &text[x..offsets[end]];
            let dotted = piece.contains('·');
            if !piece.chars().all(|c| c == '·' || crate::text::repair::chars::is_han(c))
                || piece.starts_with('·')
                || piece.ends_with('·')
                || !dotted && chars > 4
            {
                continue;
            }
            // A name without a common surname (丹增, 多吉才让, 克尤木·巴吾东)
            // is possible, but only where nothing likelier fits.
            // A two-character surname's name is a character longer (欧阳明高).
            let compound = features::starts_with_compound_surname(piece);
            let usual = features::starts_with_surname(piece) && (chars < 4 || compound);
            let mut gain = if dotted || !usual {
                UNUSUAL_NAME
            } else {
                name_length_prior(chars - usize::from(compound))
            };
            if model_start(x).is_some() {
                gain += MODEL_EDGE;
            }
            if model_end(offsets[end]) {
                gain += MODEL_EDGE;
            }
            if word_end(offsets[end]) {
                gain += WORD_END;
            }
            offer(end, gain, None);
        }
    }
    best[n]?;
    let mut pieces = Vec::new();
    let mut k = n;
    while k > 0 {
        let (_, start, model) = best[k]?;
        let range = offsets[start]..offsets[k];
        if list_note_len(&text[range.clone()]) != range.len() {
            pieces.push(match model {
                Some(p) => people[p].clone(),
                None => EntityMention {
                    range,
                    kind: EntityKind::Person,
                    confidence: NEW_NAME_CONFIDENCE,
                    normalized: None,
                },
            });
        }
        k = start;
    }
    pieces.reverse();
    Some(pieces)
}

/// Length in bytes of the note in brackets that `rest` starts with
/// (（女）, (壮族)), or 0.
fn list_note_len(rest: &str) -> usize {
    let Some(inner) = rest.strip_prefix('（').or_else(|| rest.strip_prefix('(')) else {
        return 0;
    };
    inner
        .char_indices()
        .take(MAX_LIST_NOTE_CHARS + 1)
        .find(|&(_, c)| matches!(c, '）' | ')' | '（' | '('))
        .filter(|&(i, c)| i > 0 && matches!(c, '）' | ')'))
        .map_or(0, |(i, c)| rest.len() - inner.len() + i + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use std::{sync::OnceLock, time::Instant};

    use jieba_rs::Jieba;

    use super::*;
    use crate::text::tag::EntityKind;

    fn jieba() -> &'static Jieba {
        static JIEBA: OnceLock<Jieba> = OnceLock::new();
        JIEBA.get_or_init(Jieba::new)
    }

    fn embedded() -> &'static NerModel {
        static MODEL: OnceLock<NerModel> = OnceLock::new();
        MODEL.get_or_init(NerModel::embedded)
    }

    fn words(text: &str) -> Vec<Word> {
        jieba()
            .tag(text, true)
            .into_iter()
            .map(|t| Word {
                range: t.byte_start..t.byte_end,
                pos: crate::text::segment::PosTag::new(t.tag),
            })
            .collect()
    }

    /// `words` as the tagger's rules see them.
    fn refs(words: &[Word]) -> Vec<WordRef<'_>> {
        words
            .iter()
            .map(|w| WordRef {
                range: w.range.clone(),
                pos: &w.pos,
            })
            .collect()
    }

    /// Mentions of `kind` over the first occurrence of each of `pieces` in
    /// `text`, as a model might have tagged them.
    fn mentions_at(text: &str, pieces: &[&str], kind: EntityKind, confidence: f32) -> Vec<EntityMention> {
        pieces
            .iter()
            .map(|p| {
                let start = text.find(p).unwrap();
                EntityMention {
                    range: start..start + p.len(),
                    kind,
                    confidence,
                    normalized: None,
                }
            })
            .collect()
    }

    /// What each mention covers.
    fn covered(text: &str, mentions: &[EntityMention]) -> Vec<String> {
        mentions.iter().map(|m| text[m.range.clone()].to_owned()).collect()
    }

    fn tag<'t>(model: &NerModel, text: &'t str) -> Vec<(&'t str, EntityKind)> {
        let mentions = model.tag(text, &words(text));
        check_well_formed(text, &mentions);
        mentions.into_iter().map(|m| (&text[m.range], m.kind)).collect()
    }

    /// In bounds, on character boundaries, sorted, disjoint, confidences in 0..=1.
    fn check_well_formed(text: &str, mentions: &[EntityMention]) {
        for m in mentions {
            assert!(m.range.start < m.range.end && m.range.end <= text.len(), "{m:?}");
            assert!(
                text.is_char_boundary(m.range.start) && text.is_char_boundary(m.range.end),
                "{m:?}"
            );
            assert!(m.confidence > 0.0 && m.confidence <= 1.0, "{m:?}");
            assert!(m.normalized.is_none());
        }
        for pair in mentions.windows(2) {
            assert!(pair[0].range.end <= pair[1].range.start, "{pair:?}");
        }
    }

    #[test]
    fn model_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<NerModel>();
    }

    #[test]
    fn embedded_model_tags_news() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "国务院总理李强在北京会见了清华大学校长。"),
            vec![
                ("国务院", Organization),
                ("李强", Person),
                ("北京", Location),
                ("清华大学", Organization)
            ]
        );
        assert_eq!(
            tag(model, "新华社记者王晓明报道，复旦大学与上海交通大学签署合作协议。"),
            vec![
                ("新华社", Organization),
                ("王晓明", Person),
                ("复旦大学", Organization),
                ("上海交通大学", Organization)
            ]
        );
        // MSRA tags a province's party committee as one organization.
        assert_eq!(
            tag(model, "广东省委书记黄坤明在深圳调研。"),
            vec![("广东省委", Organization), ("黄坤明", Person), ("深圳", Location)]
        );
        assert_eq!(
            tag(model, "国家发展改革委员会主任郑栅洁在雄安新区调研。"),
            vec![
                ("国家发展改革委员会", Organization),
                ("郑栅洁", Person),
                ("雄安新区", Location)
            ]
        );
    }

    #[test]
    fn spaces_between_cjk_characters_are_read_through() {
        use EntityKind::*;
        let model = embedded();
        // A byline, with ASCII and ideographic spaces, and a letter-spaced
        // heading: the model, which never saw a space, missed these names
        // or started one at the space.
        assert_eq!(
            tag(model, "（记者 汤英）本报记者　石欣　摄"),
            vec![("汤英", Person), ("石欣", Person)]
        );
        assert_eq!(
            tag(model, "国 务 院 总 理 李 强 在 北 京 会 见 德 国 总 理"),
            vec![
                ("国 务 院", Organization),
                ("李 强", Person),
                ("北 京", Location),
                ("德 国", Location)
            ]
        );
        // Words between spaces are a list, not one name.
        assert_eq!(
            tag(model, "他先后访问了巴黎 伦敦 柏林。"),
            vec![("巴黎", Location), ("伦敦", Location), ("柏林", Location)]
        );
        // A piece of one character beside longer ones fits neither.
        let text = "吴忠 固原";
        let squeezed = Squeezed::new(text).unwrap();
        let mention = |range| EntityMention {
            range,
            kind: Person,
            confidence: 0.9,
            normalized: None,
        };
        let mut out = Vec::new();
        squeezed.split_lists(text, mention(0..10), &mut out);
        assert!(out.is_empty(), "{out:?}");
        squeezed.split_lists(text, mention(0..13), &mut out);
        let pieces: Vec<&str> = out.iter().map(|m| &text[m.range.clone()]).collect();
        assert_eq!(pieces, ["吴忠", "固原"]);
        // Line breaks still end sentences; spaces next to Latin letters or
        // digits stay.
        let squeezed = Squeezed::new("Tim Cook 在 北京\n 会见  李强 2024").unwrap();
        assert_eq!(squeezed.text, "Tim Cook 在北京\n 会见李强 2024");
        assert!(Squeezed::new("Tim Cook 在\n北京 2024 年").is_none());
    }

    #[test]
    fn credit_lines_keep_the_whole_name() {
        use EntityKind::*;
        let model = embedded();
        // jieba: 王平 / 杰摄, 卢强 / 超 / 报道.
        assert_eq!(
            tag(model, "新华社记者王平杰摄"),
            vec![("新华社", Organization), ("王平杰", Person)]
        );
        assert_eq!(tag(model, "本报记者卢强超报道："), vec![("卢强超", Person)]);
        // Not where the character is no name's: 所摄, 等摄.
        assert_eq!(
            tag(model, "新华社记者王平所摄"),
            vec![("新华社", Organization), ("王平", Person)]
        );
        assert_eq!(
            tag(model, "新华社记者王平等摄"),
            vec![("新华社", Organization), ("王平", Person)]
        );
    }

    #[test]
    fn bodies_linked_by_a_verb_of_joint_work_are_split() {
        use EntityKind::*;
        let model = embedded();
        // The model reads each run as one body.
        assert_eq!(
            tag(model, "国家电网联合美团成立研究院。"),
            vec![("国家电网", Organization), ("美团", Organization)]
        );
        assert_eq!(
            tag(model, "中国石化与比亚迪共建联合实验室。"),
            vec![("中国石化", Organization), ("比亚迪", Organization)]
        );
        // Names with 联合 and no such verb stay whole (MSRA train's).
        assert_eq!(tag(model, "四川联合大学的学生"), vec![("四川联合大学", Organization)]);
        assert_eq!(
            tag(model, "中科院—北京大学联合天体物理中心今天揭牌。"),
            vec![("中科院—北京大学联合天体物理中心", Organization)]
        );
        // A company and one it owns.
        assert_eq!(
            tag(model, "字节跳动旗下抖音集团发布公告。"),
            vec![("字节跳动", Organization), ("抖音集团", Organization)]
        );
    }

    #[test]
    fn countries_before_a_head_of_states_title_are_places() {
        use EntityKind::*;
        let model = embedded();
        // The model reads 巴拉圭 as a team.
        assert_eq!(
            tag(model, "王毅会见了巴拉圭外长。"),
            vec![("王毅", Person), ("巴拉圭", Location)]
        );
        assert_eq!(tag(model, "巴拉圭总统访问台北。")[0], ("巴拉圭", Location));
        // Bodies before such titles stay.
        assert_eq!(tag(model, "国务院总理李强出席会议。")[0], ("国务院", Organization));
        // Countries the model knows only as teams.
        assert_eq!(
            tag(model, "中国与立陶宛的关系持续紧张。"),
            vec![("中国", Location), ("立陶宛", Location)]
        );
        assert_eq!(tag(model, "巴拉圭是南美洲的内陆国家。")[0], ("巴拉圭", Location));
    }

    #[test]
    fn where_something_is_built_is_a_place() {
        use EntityKind::*;
        let model = embedded();
        // The model reads each run as one body.
        assert_eq!(tag(model, "该公司宣布在广州建设新总部。"), vec![("广州", Location)]);
        assert_eq!(
            tag(model, "鸿海集团宣布在墨西哥投资建厂。"),
            vec![("鸿海集团", Organization), ("墨西哥", Location)]
        );
        // Two places in a row (jieba: 北京 / 亦庄 / 建设).
        assert_eq!(
            tag(model, "公司将在北京亦庄建设二期工厂。"),
            vec![("北京", Location), ("亦庄", Location)]
        );
        // Bodies named after a place and such a verb (MSRA train's).
        assert_eq!(
            tag(model, "菲律宾投资署署长访华。"),
            vec![("菲律宾投资署", Organization), ("华", Location)]
        );
    }

    #[test]
    fn events_are_not_bodies() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "上海合作组织天津峰会通过《天津宣言》。"),
            vec![("上海合作组织", Organization), ("天津", Location), ("天津", Location)]
        );
        assert_eq!(tag(model, "金砖国家峰会通过宣言。"), vec![("金砖国家", Organization)]);
    }

    #[test]
    fn the_two_sides_of_the_strait_are_a_place() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "推动两岸关系和平发展，维护两岸同胞的共同利益。"),
            vec![("两岸", Location), ("两岸", Location)]
        );
        assert_eq!(tag(model, "只有及早解决两岸的政治分歧。"), vec![("两岸", Location)]);
        // River banks, the strait itself and a title are not.
        assert_eq!(tag(model, "长江两岸经济发展很快。"), vec![("长江", Location)]);
        assert_eq!(tag(model, "乘船欣赏两岸的青山。"), vec![]);
        let none: Vec<(&str, EntityKind)> = tag(model, "海峡两岸经济交流日益密切。")
            .into_iter()
            .filter(|(name, _)| *name == "两岸")
            .collect();
        assert_eq!(none, vec![]);
        // A mention that already covers 两岸 stands.
        let text = "中国两岸民间交流协会成立。";
        let mut kept = mentions_at(text, &["中国两岸民间交流协会"], Organization, 0.9);
        tag_cross_strait(text, &refs(&words(text)), &mut kept);
        assert_eq!(covered(text, &kept), ["中国两岸民间交流协会"]);
    }

    #[test]
    fn a_place_or_person_and_the_site_word_after_it_are_one_place() {
        use EntityKind::*;
        // The model's place, person, and place on the site word itself; a
        // site word inside the name's jieba word (鲁迅故居).
        for (text, before, kind, joined) in [
            ("深圳书城拔地而起。", "深圳", Location, "深圳书城"),
            ("前往巴塞罗那毕加索旧居参观。", "毕加索", Person, "毕加索旧居"),
            ("鲁迅故居吸引游客。", "鲁迅", Person, "鲁迅故居"),
        ] {
            let mut mentions = mentions_at(text, &[before], kind, 0.9);
            join_site_words(text, &refs(&words(text)), &mut mentions);
            assert_eq!(covered(text, &mentions), [joined], "{text}");
            assert_eq!(mentions[0].kind, Location, "{text}");
        }
        let text = "埃及金字塔";
        let mut mentions = mentions_at(text, &["埃及", "金字塔"], Location, 0.9);
        join_site_words(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), ["埃及金字塔"]);
        // Not: an organization before the word, a site word that is part of
        // a longer word (公园路) or of a body's name (体育场管理处), a word not
        // listed because it is mostly generic after a place (码头), or a
        // site word the model read as a person.
        for (text, before, kind) in [
            ("北京大学图书馆", "北京大学", Organization),
            ("上海公园路", "上海", Location),
            ("工人体育场管理处", "工人", Location),
            ("澳大利亚码头效率低下", "澳大利亚", Location),
        ] {
            let mut mentions = mentions_at(text, &[before], kind, 0.9);
            join_site_words(text, &refs(&words(text)), &mut mentions);
            assert_eq!(covered(text, &mentions), [before], "{text}");
        }
        let text = "上海王公园";
        let mut mentions = mentions_at(text, &["上海", "王公园"], Location, 0.9);
        mentions[1].kind = Person;
        join_site_words(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), ["上海", "王公园"]);
        // Through the model.
        assert_eq!(
            tag(embedded(), "冰雕有埃及金字塔等，我们来到合肥火车站。"),
            vec![("埃及金字塔", Location), ("合肥火车站", Location)]
        );
    }

    #[test]
    fn numbered_congresses_are_one_body_with_their_party() {
        use EntityKind::*;
        // The model's body and its 全国代表大会, joined with the number.
        let text = "祝中国民主建国会第七次全国代表大会圆满成功";
        let mut mentions = mentions_at(text, &["中国民主建国会", "全国代表大会"], Organization, 0.95);
        join_numbered_congresses(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), ["中国民主建国会第七次全国代表大会"]);
        assert_eq!(mentions[0].confidence, RULE_CONFIDENCE);
        // Without a body before it, and untagged: the congress alone.
        let text = "自第六次全国代表大会以来";
        let mut mentions = Vec::new();
        join_numbered_congresses(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), ["第六次全国代表大会"]);
        // A standing committee the model read on stays in the body.
        let text = "第八届全国人民代表大会常务委员会";
        let mut mentions = mentions_at(text, &["全国人民代表大会常务委员会"], Organization, 0.9);
        join_numbered_congresses(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), [text]);
        // The short name: a party and its numbered congress as jieba cuts it.
        let text = "努力实践致公党十大提出的任务";
        let mut mentions = mentions_at(text, &["致公党"], Organization, 0.9);
        join_numbered_congresses(text, &refs(&words(text)), &mut mentions);
        assert_eq!(covered(text, &mentions), ["致公党十大"]);
        // Not: a place overlapping the congress, an ORG that starts before
        // it, a number without 第, or a body that is no party (十大 is then a
        // count).
        for (text, pieces, kind) in [
            ("香港第九届全国人民代表大会", &["香港第九届"][..], Location),
            (
                "香港特别行政区第九届全国人民代表大会",
                &["香港特别行政区第九届全国人民代表大会"][..],
                Organization,
            ),
            ("七次全国代表大会", &[][..], Organization),
            ("中国企业联合会十大企业", &["中国企业联合会"][..], Organization),
        ] {
            let mut mentions = mentions_at(text, pieces, kind, 0.9);
            join_numbered_congresses(text, &refs(&words(text)), &mut mentions);
            assert_eq!(covered(text, &mentions), pieces, "{text}");
        }
        // Through the model.
        assert_eq!(
            tag(embedded(), "中共中央致民建七大贺词。"),
            vec![("中共中央", Organization), ("民建七大", Organization)]
        );
    }

    #[test]
    fn runs_of_one_character_places_are_a_place_each() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "中老铁路开通运营。"),
            vec![("中", Location), ("老", Location)]
        );
        assert_eq!(
            tag(model, "亚欧会议外长会议举行。"),
            vec![("亚", Location), ("欧", Location)]
        );
        // A run the model read as a person.
        assert_eq!(
            tag(model, "沪苏浙皖四地联合发布。"),
            vec![("沪", Location), ("苏", Location), ("浙", Location), ("皖", Location)]
        );
        // A run starts at a word (参加 / 中日), and needs a word after it.
        assert_eq!(
            tag(model, "参加中日友好活动。"),
            vec![("中", Location), ("日", Location)]
        );
        assert!(!tag(model, "中英文版本。").contains(&("英", Location)));
        // A longer place, or a body holding the run, stands.
        let text = "中俄友好、和平与发展委员会成立。";
        let mut kept = mentions_at(text, &["中俄友好、和平与发展委员会"], Organization, 0.9);
        tag_abbreviation_runs(text, &refs(&words(text)), &mut kept);
        assert_eq!(covered(text, &kept), ["中俄友好、和平与发展委员会"]);
        let text = "西藏合作项目";
        let mut kept = mentions_at(text, &["西藏"], Location, 0.9);
        tag_abbreviation_runs(text, &refs(&words(text)), &mut kept);
        assert_eq!(covered(text, &kept), ["西藏"]);
    }

    #[test]
    fn short_names_a_text_defines_are_mentions() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "太平洋亚洲旅行协会（简称ＰＡＴＡ）年会开幕，ＰＡＴＡ主席出席。"),
            vec![
                ("太平洋亚洲旅行协会", Organization),
                ("ＰＡＴＡ", Organization),
                ("ＰＡＴＡ", Organization)
            ]
        );
        // Quoted, and replacing the piece the model read (中国 of 中国宏桥).
        let text = "中国宏桥集团有限公司（以下简称“中国宏桥”）公告称，中国宏桥营收增长。";
        let got = tag(model, text);
        assert_eq!(got.iter().filter(|(name, _)| *name == "中国宏桥").count(), 2, "{got:?}");
        assert!(!got.contains(&("中国", Location)), "{got:?}");
        // A party of a contract or a bare ending is no name.
        let text = "华为技术有限公司（以下简称“甲方”）负责，甲方承担费用。";
        assert!(!tag(model, text).iter().any(|(name, _)| *name == "甲方"));
        assert_eq!(defined_alias("某某（以下简称“公司”）", "某某".len()), None);
        assert_eq!(defined_alias("某某（以下简称“本集团”）", "某某".len()), None);
        // Unclosed or too long: nothing.
        assert_eq!(defined_alias("某某（简称某某某", "某某".len()), None);
        let long = format!("某某（简称{}）", "长".repeat(MAX_ALIAS_CHARS + 1));
        assert_eq!(defined_alias(&long, "某某".len()), None);
    }

    #[test]
    fn bracketed_days_are_read_through() {
        use EntityKind::*;
        let model = embedded();
        // The model reads 今日; the names around it keep their own ends.
        assert_eq!(
            tag(model, "行政院长卓荣泰今（21）日率内阁阁员赴立法院。"),
            vec![("卓荣泰", Person), ("内阁", Organization)]
        );
        // jieba: 赖清德明 / （ / 22 / ） / 日.
        assert_eq!(
            tag(model, "总统赖清德明（22）日出访巴拉圭。"),
            vec![("赖清德", Person), ("巴拉圭", Location)]
        );
        assert_eq!(bracketed_day_len('今', "（21）日"), Some("（21）".len()));
        assert_eq!(bracketed_day_len('今', "(９)日"), Some("(９)".len()));
        assert_eq!(bracketed_day_len('年', "（21）日"), None);
        assert_eq!(bracketed_day_len('今', "（212）日"), None);
        assert_eq!(bracketed_day_len('今', "（21）天"), None);
    }

    #[test]
    fn party_plenums_and_congresses() {
        use EntityKind::*;
        let model = embedded();
        // The body, not the plenum's number.
        assert_eq!(
            tag(model, "中共二十届三中全会在北京举行。"),
            vec![("中共", Organization), ("北京", Location)]
        );
        assert_eq!(
            tag(model, "深入学习贯彻中共十九届六中全会精神。"),
            vec![("中共", Organization)]
        );
        let text = "中共十一届三中全会";
        let mut trimmed = mentions_at(text, &["中共十一届三中"], Organization, 0.9);
        end_before_session_numbers(text, &mut trimmed);
        assert_eq!(covered(text, &trimmed), ["中共"]);
        // A body whose name holds its session stays whole.
        assert_eq!(
            tag(model, "中国共产党第二十届中央委员会第三次全体会议"),
            vec![("中国共产党第二十届中央委员会", Organization)]
        );
        // Congresses since 2002 by their short names, in a party's context.
        assert_eq!(
            tag(model, "党的十八大以来，二十大报告作出部署。"),
            vec![("十八大", Organization), ("二十大", Organization)]
        );
        assert_eq!(tag(model, "党的二十一大将召开。"), vec![("二十一大", Organization)]);
        // Counts and ranks are not congresses.
        for text in [
            "中国二十大城市房价上涨。",
            "全球第二十大经济体。",
            "十八大罗汉像。",
            "二十六大行业",
        ] {
            let found: Vec<_> = tag(model, text)
                .into_iter()
                .filter(|(_, kind)| *kind == Organization)
                .collect();
            assert_eq!(found, vec![], "{text}");
        }
    }

    #[test]
    fn storm_names_are_no_entities() {
        use EntityKind::*;
        let model = embedded();
        assert_eq!(
            tag(model, "应急管理部、中国气象局会商研判台风“桦加沙”影响。"),
            vec![("应急管理部", Organization), ("中国气象局", Organization)]
        );
        // An unclosed quote, or one closed too far on, holds no name.
        let text = format!("台风“加沙{}”", "很".repeat(20));
        let mut kept = mentions_at(&text, &["加沙"], Location, 0.9);
        drop_storm_names(&text, &mut kept);
        assert_eq!(covered(&text, &kept), ["加沙"]);
        // A place named after the storm is still a place.
        assert_eq!(
            tag(model, "超强台风“山竹”在广东台山登陆。"),
            vec![("广东", Location), ("台山", Location)]
        );
    }

    #[test]
    fn dotted_names_are_whole() {
        use EntityKind::*;
        let model = embedded();
        // The dot written as Taiwan (‧) and others (•) write it.
        assert_eq!(
            tag(model, "美国总统唐纳‧川普签署行政令。"),
            vec![("美国", Location), ("唐纳‧川普", Person)]
        );
        assert_eq!(
            tag(model, "法国总统埃马纽埃尔•马克龙抵达北京。"),
            vec![("法国", Location), ("埃马纽埃尔•马克龙", Person), ("北京", Location)]
        );
        // A bullet before a name is no name dot.
        assert_eq!(tag(model, "•马克龙抵达北京。")[0], ("马克龙", Person));
        // A name the model cut at its dot.
        let text = "弗拉基米尔·普京";
        let mut cut = mentions_at(text, &["弗拉基米尔", "普京"], Person, 0.9);
        join_dotted_names(text, &mut cut);
        assert_eq!(covered(text, &cut), [text]);
        // Names of a list written without separators stay apart.
        assert_eq!(
            tag(model, "江泽民斯洛博丹·米洛舍维奇会谈。"),
            vec![("江泽民", Person), ("斯洛博丹·米洛舍维奇", Person)]
        );
    }

    #[test]
    fn squeezed_offsets_map_back_outside_the_spaces() {
        let text = "记者 王 伟　摄";
        let squeezed = Squeezed::new(text).unwrap();
        assert_eq!(squeezed.text, "记者王伟摄");
        let original = |s: &str| {
            let start = squeezed.text.find(s).unwrap();
            &text[squeezed.map.to_original(start..start + s.len(), text)]
        };
        assert_eq!(original("王伟"), "王 伟");
        assert_eq!(original("王"), "王");
        assert_eq!(original("伟"), "伟");
        assert_eq!(original("记者王伟摄"), text);
        assert_eq!(original("伟摄"), "伟　摄");
        // Words of the original text, spaces dropped.
        let words: Vec<WordRef<'_>> = [(0, 6, "n"), (6, 7, "x"), (7, 10, "nr"), (10, 11, "x"), (11, 14, "nr")]
            .iter()
            .map(|&(a, b, pos)| WordRef { range: a..b, pos })
            .collect();
        let got: Vec<&str> = squeezed
            .words(&words)
            .iter()
            .map(|w| &squeezed.text[w.range.clone()])
            .collect();
        assert_eq!(got, ["记者", "王", "伟"]);
    }

    #[test]
    fn confident_where_clear() {
        let text = "国务院总理李强在北京会见了清华大学校长。";
        for m in embedded().tag(text, &words(text)) {
            assert!(m.confidence > 0.9, "{} {m:?}", &text[m.range.clone()]);
        }
    }

    #[test]
    fn bytes_round_trip() {
        let model = embedded();
        let bytes = model.to_bytes();
        assert_eq!(bytes, EMBEDDED, "re-encoding the embedded model changes it");
        let again = NerModel::from_bytes(&bytes).unwrap();
        let text = "中共中央总书记习近平在浙江省杭州市考察。";
        assert_eq!(model.tag(text, &words(text)), again.tag(text, &words(text)));
    }

    #[test]
    fn damaged_bytes_are_refused() {
        let bytes = embedded().to_bytes();
        assert_eq!(NerModel::from_bytes(b"").unwrap_err(), NerError::BadMagic);
        assert_eq!(
            NerModel::from_bytes(b"not a model at all").unwrap_err(),
            NerError::BadMagic
        );
        assert!(NerModel::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        assert_eq!(
            NerModel::from_bytes(&flipped).unwrap_err(),
            NerError::Corrupt("checksum mismatch")
        );
        let mut newer = bytes;
        newer[8] = newer[8].wrapping_add(1);
        assert!(matches!(
            NerModel::from_bytes(&newer),
            Err(NerError::UnsupportedVersion { .. })
        ));
    }

    const TINY_CORPUS: &str = "张 B-PER\n三 I-PER\n在 O\n北 B-LOC\n京 I-LOC\n工 O\n作 O\n。 O\n\n\
        李 B-PER\n四 I-PER\n考 O\n入 O\n南 B-ORG\n京 I-ORG\n大 I-ORG\n学 I-ORG\n。 O\n\n\
        王 B-PER\n五 I-PER\n访 O\n问 O\n了 O\n上 B-LOC\n海 I-LOC\n。 O\n\n\
        我 O\n们 O\n去 O\n了 O\n广 B-LOC\n州 I-LOC\n和 O\n深 B-LOC\n圳 I-LOC\n。 O\n\n\
        赵 B-PER\n六 I-PER\n是 O\n复 B-ORG\n旦 I-ORG\n大 I-ORG\n学 I-ORG\n的 O\n老 O\n师 O\n。 O\n\n";

    fn tiny_model() -> NerModel {
        let sentences = corpus::parse(TINY_CORPUS, CorpusFormat::Bio).unwrap();
        let options = TrainOptions {
            epochs: 20,
            min_count: 1,
            prune_below: 1,
            ..TrainOptions::default()
        };
        train::train_on(&sentences, None, &options, &mut std::io::sink(), Instant::now()).unwrap()
    }

    #[test]
    fn tiny_model_learns_its_corpus() {
        use EntityKind::*;
        let model = tiny_model();
        assert_eq!(
            tag(&model, "张三在北京工作。"),
            vec![("张三", Person), ("北京", Location)]
        );
        assert_eq!(
            tag(&model, "李四考入南京大学。"),
            vec![("李四", Person), ("南京大学", Organization)]
        );
        assert_eq!(
            tag(&model, "我们去了广州和深圳。"),
            vec![("广州", Location), ("深圳", Location)]
        );
        // Training is deterministic, and a trained model survives the file.
        let bytes = model.to_bytes();
        assert_eq!(bytes, tiny_model().to_bytes());
        let loaded = NerModel::from_bytes(&bytes).unwrap();
        assert_eq!(
            tag(&loaded, "赵六是复旦大学的老师。"),
            tag(&model, "赵六是复旦大学的老师。")
        );
    }

    #[test]
    fn odd_inputs_are_handled() {
        let model = embedded();
        assert!(model.tag("", &[]).is_empty());
        for text in [
            "😀🎉👍",
            "Hello world, this is plain ASCII text with no Chinese at all.",
            "北京😀上海\n\n广州　深圳",
            "\u{200b}\u{feff}李强\r\n",
            "ＡＢＣ１２３：。，",
        ] {
            let mentions = model.tag(text, &words(text));
            check_well_formed(text, &mentions);
            // No words at all (a caller that did not segment) works too.
            check_well_formed(text, &model.tag(text, &[]));
        }
    }

    #[test]
    fn long_line_without_punctuation() {
        let unit = "李强在北京会见清华大学校长并参观了上海浦东新区的工厂";
        let text: String = unit.chars().cycle().take(100_000).collect();
        let mentions = embedded().tag(&text, &words(&text));
        check_well_formed(&text, &mentions);
        assert!(mentions.len() > 1000, "{}", mentions.len());
    }

    #[test]
    fn runaway_spans_are_not_mentions() {
        // Found by fuzzing: one character repeated reads as a name hundreds
        // of characters long, whose probability underflowed to 0.
        let model = embedded();
        for n in [225, 600] {
            let text = "延".repeat(n);
            let mentions = model.tag(&text, &words(&text));
            check_well_formed(&text, &mentions);
            for m in &mentions {
                let kind = KINDS.iter().position(|k| *k == m.kind).unwrap();
                assert!(
                    text[m.range.clone()].chars().count() <= MAX_MENTION_CHARS[kind],
                    "{m:?}"
                );
            }
        }
    }

    #[test]
    fn organizations_do_not_end_with_a_role_word() {
        // Words laid end to end from the start of the text.
        let tiled = |words: &[(&'static str, &'static str)]| -> Vec<WordRef<'static>> {
            words
                .iter()
                .scan(0, |at, &(w, pos)| {
                    let range = *at..*at + w.len();
                    *at = range.end;
                    Some(WordRef { range, pos })
                })
                .collect()
        };
        let text = "民进党立委和医学院团队与代表团及立委";
        let words = ["民进党", "立委", "和", "医学院", "团队", "与", "代表团", "及", "立委"].map(|w| (w, "n"));
        let words = tiled(&words);
        let org = |s: &str, start: usize| EntityMention {
            range: start..start + s.len(),
            kind: EntityKind::Organization,
            confidence: 0.9,
            normalized: None,
        };
        let mut mentions = vec![
            org("民进党立委", 0),
            org("医学院团队", text.find("医学院").unwrap()),
            // A body, and a mention that is nothing but the role word.
            org("代表团", text.find("代表团").unwrap()),
            org("立委", text.rfind("立委").unwrap()),
        ];
        trim_role_words(text, &words, &mut mentions);
        assert_eq!(covered(text, &mentions), ["民进党", "医学院", "代表团", "立委"]);
        // jieba's 民众 / 党立委: the role word is inside the last word.
        let text = "民众党立委与中国记者协会";
        let words = tiled(&[
            ("民众", "n"),
            ("党立委", "nt"),
            ("与", "p"),
            ("中国", "ns"),
            ("记者协会", "n"),
        ]);
        let mut mentions = vec![org("民众党立委", 0), org("中国记者协会", text.find("中国").unwrap())];
        trim_role_words(text, &words, &mut mentions);
        assert_eq!(covered(text, &mentions), ["民众党", "中国记者协会"]);
        // A company named by its tie to another: 脸书 / 母公司.
        let text = "脸书母公司与西门子公司";
        let words = tiled(&[
            ("脸书", "n"),
            ("母公司", "n"),
            ("与", "p"),
            ("西门子", "nrt"),
            ("公司", "n"),
        ]);
        let mut mentions = vec![org("脸书母公司", 0), org("西门子公司", text.find("西门子").unwrap())];
        trim_role_words(text, &words, &mut mentions);
        assert_eq!(covered(text, &mentions), ["脸书", "西门子公司"]);
    }

    #[test]
    fn mentions_do_not_start_or_end_with_stray_punctuation() {
        let run = |text: &str, pieces: &[&str]| -> Vec<String> {
            let mut mentions = mentions_at(text, pieces, EntityKind::Organization, 0.9);
            trim_stray_punctuation(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(run("台北21日电）立法院今天", &["）立法院"]), ["立法院"]);
        assert_eq!(run("见到了，王伟（", &["，王伟（"]), ["王伟"]);
        assert!(run("好。）", &["。）"]).is_empty());
        // Quotes and title marks that MSRA annotates inside names stay.
        assert_eq!(run("“正章”干洗店", &["“正章”干洗店"]), ["“正章”干洗店"]);
        assert_eq!(run("《中国妇女》杂志", &["《中国妇女》杂志"]), ["《中国妇女》杂志"]);
        assert_eq!(run("广（州）", &["广（州）"]), ["广（州）"]);
        assert_eq!(
            tag(embedded(), "（中央社记者吕晏慈台北21日电）立法院今天三读通过修正案。"),
            [
                ("中央社", EntityKind::Organization),
                ("吕晏慈", EntityKind::Person),
                ("台北", EntityKind::Location),
                ("立法院", EntityKind::Organization)
            ]
        );
    }

    #[test]
    fn mentions_do_not_cut_runs_of_letters_and_digits() {
        let run = |text: &str, pieces: &[&str]| -> Vec<String> {
            let mut mentions = mentions_at(text, pieces, EntityKind::Organization, 0.9);
            keep_letter_runs_whole(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(run("中国商飞C919亮相", &["中国商飞C"]), ["中国商飞"]);
        assert_eq!(run("型号AB12公司发布", &["12公司"]), ["公司"]);
        // Nothing left: dropped. Whole runs and full-width runs stay.
        assert!(run("型号AB12发布", &["B1"]).is_empty());
        assert_eq!(run("苹果iPhone发布", &["苹果iPhone"]), ["苹果iPhone"]);
        assert_eq!(run("深发展Ａ１２．３", &["深发展Ａ"]), ["深发展Ａ"]);
        assert_eq!(
            tag(embedded(), "中国商飞C919大型客机在新加坡航展上首次亮相。"),
            [("中国商飞", EntityKind::Organization), ("新加坡", EntityKind::Location)]
        );
    }

    #[test]
    fn doubtful_one_character_people_are_dropped() {
        let model = embedded();
        use EntityKind::*;
        let got = tag(model, "华山医院感染科主任张文宏谈流感防治。");
        assert_eq!(got, [("华山医院", Organization), ("张文宏", Person)]);
        // Surnames and sure short forms stay.
        let got = tag(model, "江主席会见了客人。");
        assert!(got.contains(&("江", Person)), "{got:?}");
        let mut mentions = mentions_at("王说", &["王"], Person, 0.2);
        drop_doubtful_initials("王说", &mut mentions);
        assert_eq!(mentions.len(), 1);
        drop_doubtful_initials("科说", &mut mentions);
        assert!(mentions.is_empty());
    }

    #[test]
    fn verbs_after_a_name_are_not_its_last_character() {
        use EntityKind::*;
        let model = embedded();
        // jieba: 院长 / 张军作 / 工作 / 报告.
        let got = tag(model, "最高人民法院院长张军作工作报告。");
        assert_eq!(got, [("最高人民法院", Organization), ("张军", Person)]);
        let trim = |text: &str, name: &str| {
            let mut mentions = mentions_at(text, &[name], Person, 0.9);
            trim_verbs_off_names(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(trim("院长张军作报告", "张军作"), ["张军"]);
        assert_eq!(trim("王平说", "王平说"), ["王平"]);
        assert_eq!(trim("王浩在会上讲话", "王浩在"), ["王浩"]);
        assert_eq!(trim("局长何光致欢迎词", "何光致"), ["何光"]);
        let text = "谢谢各位！苗苗说。";
        let mut doubled = mentions_at(text, &["谢谢", "苗苗"], Person, 0.9);
        drop_doubled_words(text, &mut doubled);
        assert_eq!(covered(text, &doubled), ["苗苗"]);
        assert_eq!(
            tag(model, "新华社记者张晓龙、李佳摄"),
            [("新华社", Organization), ("张晓龙", Person), ("李佳", Person)]
        );
        // Only three-character people are trimmed.
        assert_eq!(trim("欧阳娜娜说", "欧阳娜娜说"), ["欧阳娜娜说"]);
        assert_eq!(trim("王说", "王说"), ["王说"]);
        // 来, 和 and 曾 follow names too, but end many (周恩来): not listed.
        assert_eq!(trim("周恩来", "周恩来"), ["周恩来"]);
    }

    #[test]
    fn bodies_end_before_joint_work_they_ran_into() {
        let end = |text: &str, body: &str| {
            let mut mentions = mentions_at(text, &[body], EntityKind::Organization, 0.9);
            end_before_joint_verbs(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(end("中国气象局联合会商研判天气", "中国气象局联合会"), ["中国气象局"]);
        // Federations stay whole.
        assert_eq!(
            end("中华全国工商业联合会发布报告", "中华全国工商业联合会"),
            ["中华全国工商业联合会"]
        );
        assert_eq!(end("全国妇女联合会同意", "妇女联合会"), ["妇女联合会"]);
        let got = tag(embedded(), "应急管理部、中国气象局联合会商研判近期天气形势。");
        assert!(got.contains(&("中国气象局", EntityKind::Organization)), "{got:?}");
    }

    #[test]
    fn mentions_do_not_start_with_a_preposition() {
        let trim = |text: &str, piece: &str| {
            let mut mentions = mentions_at(text, &[piece], EntityKind::Organization, 0.9);
            trim_leading_prepositions(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(trim("据广汽集团消息", "据广汽集团"), ["广汽集团"]);
        assert_eq!(trim("在华为", "在华为"), ["华为"]);
        assert_eq!(trim("访问了鸿海", "了鸿海"), ["鸿海"]);
        // Two characters are left alone, and so is 对 (对外友协).
        assert_eq!(trim("在华", "在华"), ["在华"]);
        assert_eq!(trim("对外友协", "对外友协"), ["对外友协"]);
        let got = tag(embedded(), "据广汽集团消息，相关工作正在推进。");
        assert_eq!(got, [("广汽集团", EntityKind::Organization)]);
    }

    #[test]
    fn courts_end_before_what_they_do() {
        let end = |text: &str| {
            let mut mentions = mentions_at(text, &[text], EntityKind::Organization, 0.9);
            end_courts_before_trials(text, &mut mentions);
            covered(text, &mentions)
        };
        assert_eq!(end("萧山区人民法院一审判处"), ["萧山区人民法院"]);
        assert_eq!(end("海淀区人民检察院依法"), ["海淀区人民检察院"]);
        // A court's own units and bodies named after courts stay whole.
        assert_eq!(end("最高人民法院审判委员会"), ["最高人民法院审判委员会"]);
        assert_eq!(end("人民法院报社"), ["人民法院报社"]);
        let got = tag(embedded(), "杭州市萧山区人民法院一审判处被告人有期徒刑三年。");
        assert!(got.contains(&("萧山区人民法院", EntityKind::Organization)), "{got:?}");
    }

    #[test]
    fn gaps_in_name_lists_without_separators_are_filled() {
        // The model's people in a list are given; the test is of the fill.
        let fill = |text: &str, people: &[&str]| -> Vec<String> {
            let tagged = words(text);
            let refs: Vec<WordRef<'_>> = tagged
                .iter()
                .map(|w| WordRef {
                    range: w.range.clone(),
                    pos: &w.pos,
                })
                .collect();
            let mut mentions = mentions_at(text, people, EntityKind::Person, 0.8);
            fill_name_lists(text, &refs, &mut mentions);
            assert!(mentions.windows(2).all(|p| p[0].range.end <= p[1].range.start));
            mentions
                .iter()
                .filter(|m| !people.contains(&&text[m.range.clone()]))
                .map(|m| {
                    assert!((m.confidence - 0.72).abs() < 1e-6, "{}", m.confidence);
                    text[m.range.clone()].to_owned()
                })
                .collect()
        };
        assert_eq!(fill("委员王维澄王朝文王森浩", &["王维澄", "王森浩"]), ["王朝文"]);
        // After a note in brackets, full-width or ASCII.
        assert_eq!(fill("陈慕华（女）费孝通雷洁琼", &["陈慕华", "雷洁琼"]), ["费孝通"]);
        assert_eq!(fill("陈慕华(女，回族)费孝通雷洁琼", &["陈慕华", "雷洁琼"]), ["费孝通"]);
        assert_eq!(fill("欧阳明高刘伟李强", &["欧阳明高", "李强"]), ["刘伟"]);
        // Not a name: an adverb, no surname, too long, separators, a
        // neighbour that is not a short person.
        assert!(fill("郎平曾在王怡家", &["郎平", "王怡"]).is_empty());
        assert!(fill("李强说过王怡", &["李强", "王怡"]).is_empty());
        assert!(fill("李强王大明白王怡", &["李强", "王怡"]).is_empty());
        assert!(fill("李强、王伟、王怡", &["李强", "王怡"]).is_empty());
        assert!(fill("李强（女王伟王怡", &["李强", "王怡"]).is_empty());
        assert!(fill("阿卜杜勒哈米德王伟王怡", &["阿卜杜勒哈米德", "王怡"]).is_empty());
    }

    #[test]
    fn name_lists_without_separators_are_cut_anew() {
        // The model's people in a list are given; the test is of the new cut.
        let recut = |text: &str, people: &[&str]| -> Vec<String> {
            let tagged = words(text);
            let mut mentions = mentions_at(text, people, EntityKind::Person, 0.9);
            resegment_name_lists(text, &refs(&tagged), &mut mentions);
            check_well_formed(text, &mentions);
            covered(text, &mentions)
        };
        // Names run into the next (王海王 / 群) and untagged (丁衡高于珍 is cut
        // by the likelier lengths; the model's edges decide the rest).
        assert_eq!(
            recut(
                "委员：欧阳明高刘伟李强王伟东李明张国庆。",
                &["刘伟", "李强", "王伟东", "李明", "张国庆"]
            ),
            ["欧阳明高", "刘伟", "李强", "王伟东", "李明", "张国庆"]
        );
        assert_eq!(
            recut(
                "委员：丁文昌丁石孙王涛王海王群王广宪王云龙。",
                &["丁文昌", "丁石孙", "王涛", "王海王", "王广宪", "王云龙"]
            ),
            ["丁文昌", "丁石孙", "王涛", "王海", "王群", "王广宪", "王云龙"]
        );
        // Notes in brackets stay out, a name before a note is found, and the
        // list runs on to the punctuation around it.
        assert_eq!(
            recut(
                "委员：龚唯策冯毓裕彭军尹胜振武苛娴（女，壮族）孟安彦丁豪孙东熊莉苑。",
                &["冯毓裕", "彭军", "尹胜振", "孟安彦", "丁豪", "孙东"]
            ),
            [
                "龚唯策",
                "冯毓裕",
                "彭军",
                "尹胜振",
                "武苛娴",
                "孟安彦",
                "丁豪",
                "孙东",
                "熊莉苑"
            ]
        );
        // Prose: people joined by words that are no names stay as tagged.
        let people = ["江泽民", "李鹏", "朱镕基", "李瑞环", "胡锦涛", "舒同"];
        assert_eq!(
            recut("江泽民李鹏朱镕基李瑞环胡锦涛等在舒同病重期间和逝世后前往医院", &people),
            people
        );
        // Too few people touching: as tagged.
        let people = ["李强", "王毅", "赵乐际", "蔡奇", "丁薛祥"];
        assert_eq!(recut("李强会见王毅，赵乐际、蔡奇、丁薛祥出席。", &people), people);
    }

    #[test]
    fn a_long_name_list_is_cut_whole() {
        let model = embedded();
        let names = ["王伟东", "李明", "张国庆", "刘海涛", "陈志强"];
        let text = format!(
            "委员：{}。",
            names.iter().cycle().take(20_000).copied().collect::<String>()
        );
        let found = tag(model, &text);
        assert_eq!(found.len(), 20_000);
    }

    #[test]
    fn organizations_do_not_run_on_into_roles_or_people() {
        let model = embedded();
        use EntityKind::*;
        for (text, expected) in [
            (
                "中国科学技术大学潘建伟团队实现了新的量子通信距离纪录。",
                vec![("中国科学技术大学", Organization), ("潘建伟", Person)],
            ),
            (
                "西湖大学施一公团队发表了最新研究成果。",
                vec![("西湖大学", Organization), ("施一公", Person)],
            ),
            // Two role words in a row.
            (
                "复旦大学附属中山医院专家团队完成一例高难度手术。",
                vec![("复旦大学附属中山医院", Organization)],
            ),
            // What the team does goes with it.
            (
                "香港中文大学医学院研究团队发现新的癌症标记物。",
                vec![("香港中文大学医学院", Organization)],
            ),
            // A title between the body and the name, inside jieba's words
            // (大学教授 / 陆 / 朝阳).
            (
                "中国科学技术大学教授陆朝阳团队在量子计算领域取得突破。",
                vec![("中国科学技术大学", Organization), ("陆朝阳", Person)],
            ),
        ] {
            let got = tag(model, text);
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn only_names_after_a_body_are_split_off() {
        let words = |cuts: &[(&'static str, &'static str)]| -> (String, Vec<WordRef<'static>>) {
            let mut text = String::new();
            let words = cuts
                .iter()
                .map(|(w, pos)| {
                    let range = text.len()..text.len() + w.len();
                    text.push_str(w);
                    WordRef { range, pos }
                })
                .collect();
            (text, words)
        };
        let split = |cuts: &[(&'static str, &'static str)]| -> Vec<String> {
            let (text, words) = words(cuts);
            let mut mentions = vec![EntityMention {
                range: 0..text.len(),
                kind: EntityKind::Organization,
                confidence: 0.9,
                normalized: None,
            }];
            split_off_people(&text, &words, &mut mentions);
            check_well_formed(&text, &mentions);
            mentions
                .iter()
                .map(|m| format!("{}/{:?}", &text[m.range.clone()], m.kind))
                .collect()
        };
        assert_eq!(
            split(&[("西湖", "ns"), ("大学", "n"), ("施一公", "nr")]),
            ["西湖大学/Organization", "施一公/Person"]
        );
        // The word before is not a body's ending; the name is a military
        // unit or ends like a body; jieba did not read a person's name; no
        // surname.
        for cuts in [
            &[("郑州", "ns"), ("越秀", "nr")][..],
            &[("新疆", "ns"), ("建设兵团", "nt"), ("农二师", "nr")],
            &[("皇家海军", "nt"), ("龙舟队", "nr")],
            &[("西湖", "ns"), ("大学", "n"), ("施一公", "n")],
            &[("北京", "ns"), ("大学", "n"), ("的确", "nr")],
        ] {
            let (text, _) = words(cuts);
            assert_eq!(split(cuts), [format!("{text}/Organization")], "{cuts:?}");
        }
    }

    #[test]
    fn a_place_and_the_area_word_after_it_are_one_place() {
        let text = "兰州新区和新区管委会在香港特区";
        let at = |s: &str| text.find(s).unwrap();
        let place = |range: std::ops::Range<usize>, kind| EntityMention {
            range,
            kind,
            confidence: 0.9,
            normalized: None,
        };
        let mut mentions = vec![
            place(0..at("新区"), EntityKind::Location),
            place(at("新区")..at("和"), EntityKind::Location),
            // 新区 alone, standing for an area named before, stays as it is.
            place(at("和") + 3..at("管委会"), EntityKind::Location),
            place(at("香港")..at("特区"), EntityKind::Location),
            place(at("特区")..text.len(), EntityKind::Location),
        ];
        join_place_suffixes(text, &mut mentions);
        check_well_formed(text, &mentions);
        let got: Vec<&str> = mentions.iter().map(|m| &text[m.range.clone()]).collect();
        assert_eq!(got, ["兰州新区", "新区", "香港特区"]);
        // Only places join: an organization before 新区 stays apart.
        let mut mentions = vec![
            place(0..at("新区"), EntityKind::Organization),
            place(at("新区")..at("和"), EntityKind::Location),
        ];
        join_place_suffixes(text, &mut mentions);
        assert_eq!(mentions.len(), 2);
    }

    #[test]
    fn names_after_a_title_inside_an_organization_are_split_off() {
        let split = |text: &str| -> Vec<String> {
            let mut mentions = vec![EntityMention {
                range: 0..text.len(),
                kind: EntityKind::Organization,
                confidence: 0.9,
                normalized: None,
            }];
            split_off_people(text, &[], &mut mentions);
            check_well_formed(text, &mentions);
            mentions
                .iter()
                .map(|m| format!("{}/{:?}", &text[m.range.clone()], m.kind))
                .collect()
        };
        assert_eq!(
            split("中国科学技术大学教授陆朝阳"),
            ["中国科学技术大学/Organization", "陆朝阳/Person"]
        );
        assert_eq!(
            split("南开大学党委书记杨庆山"),
            ["南开大学党委/Organization", "杨庆山/Person"]
        );
        // A university's or hospital's department is a body too.
        assert_eq!(
            split("清华大学电子工程系教授汪玉"),
            ["清华大学电子工程系/Organization", "汪玉/Person"]
        );
        // Bodies with a role word inside their names (from MSRA train), a
        // body that does not end like one, and no surname after the title.
        for text in [
            "中国体育记者协会",
            "欧盟部长理事会",
            "中共中央书记处",
            "首都记者足球队",
            "团中央书记处",
            "绿色和平教授陆朝阳",
            "北京大学教授们",
        ] {
            assert_eq!(split(text), [format!("{text}/Organization")], "{text}");
        }
    }

    #[test]
    fn chunks_tile_the_text() {
        for text in ["", "a", "一。二！三？\n四", &"长".repeat(1300), &"长，".repeat(700)] {
            let chunks = chunks(text);
            let mut at = 0;
            for c in &chunks {
                assert_eq!(c.start, at);
                assert!(c.end > c.start && text.is_char_boundary(c.end));
                assert!(text[c.clone()].chars().count() <= MAX_CHUNK_CHARS);
                at = c.end;
            }
            assert_eq!(at, text.len());
        }
    }
}
