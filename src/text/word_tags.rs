//! The part-of-speech tag jieba gives each word, remembered by word.
//!
//! jieba-rs's `tag` is its `cut` plus, for each word, a tag: the
//! dictionary's when the dictionary holds the word, else a guess from its
//! part-of-speech HMM (a Viterbi over about 250 states per character).
//! That guess is most of what `tag` costs over `cut` on news text, and both
//! kinds of tag depend on the word alone. So the segmenter looks tags up
//! here: in precise mode those of the words the dictionary lacks (the
//! lexicon gives the others), in full and search mode every word's. A word
//! seen for the first time is tagged through jieba-rs's public API and
//! remembered. The answers are jieba's own, which the tests check word by
//! word against `tag`.

use std::{ops::Range, sync::RwLock};

use jieba_rs::{HmmModel, Jieba};
use rustc_hash::FxHashMap;

use crate::text::{
    prefetch,
    segment::{PosTag, Word},
};

/// Words longer than this (in bytes) are tagged each time instead of
/// remembered: a long run of letters or digits is one word to jieba, and
/// must not fill the table.
const MAX_REMEMBERED_WORD: usize = 48;

/// At most this many words are remembered (about 13 MB at the cap). A news
/// vocabulary is a few tens of thousands of words; past the cap, new words
/// are tagged each time.
const MAX_REMEMBERED_WORDS: usize = 200_000;

/// An HMM whose best path over any run of characters is one word (Begin,
/// Middle…, End): every transition that starts a second word costs far more
/// than any run's emissions can differ by. With it and an empty dictionary,
/// jieba's cut keeps a word whole, and `tag` then tags that whole word with
/// jieba's guess for words its dictionary lacks. States are in jieba-rs's
/// order: Begin, End, Middle, Single. The emission lines are required by the
/// format; they name a private-use character that is not Han, so the HMM
/// never reads it.
const ONE_WORD_HMM: &str = "\
0 -1e99 -1e99 -1e99
-1e99 0 0 -1e99
-1e95 -1e99 -1e99 -1e95
-1e99 0 0 -1e99
-1e95 -1e99 -1e99 -1e95
\u{F8FF}:0
\u{F8FF}:0
\u{F8FF}:0
\u{F8FF}:0
";

/// The remembered words, kept small so that lookups stay in the CPU's
/// caches. Each word points to its tag by a one-byte index. Words of one
/// character of the Basic Multilingual Plane (about half of a news text's
/// words: 的, 在, punctuation) index an array; words of two or three such
/// characters (most of the rest) and of four to seven live in two
/// [`PackedWords`] tables; any other word in a map by its text.
struct Remembered {
    /// Tag index + 1 by character; 0 for not known.
    single: Box<[u8]>,
    singles: usize,
    short: PackedWords<u64>,
    medium: PackedWords<u128>,
    long: FxHashMap<Box<str>, u8>,
    /// The distinct tags, at most 255.
    tags: Vec<PosTag>,
}

/// Where a word is kept (see [`Remembered`]).
#[derive(Clone, Copy)]
enum Key<'w> {
    Single(usize),
    Short(u64),
    Medium(u128),
    Long(&'w str),
}

impl<'w> Key<'w> {
    fn of(word: &'w str) -> Self {
        // Each character in 16 bits, the first highest. A character of the
        // Basic Multilingual Plane takes at most 3 bytes of UTF-8, so a
        // word of more than 21 bytes has more than 7 characters.
        if word.len() <= 21 {
            let mut key = 0u128;
            let mut count = 0;
            for c in word.chars() {
                let c = c as u32;
                if c == 0 || c > 0xFFFF {
                    return Key::Long(word);
                }
                key = key << 16 | u128::from(c);
                count += 1;
            }
            match count {
                1 => return Key::Single(key as usize),
                2 | 3 => return Key::Short(key as u64),
                4..=7 => return Key::Medium(key),
                _ => {}
            }
        }
        Key::Long(word)
    }
}

/// A word's characters packed 16 bits each into an integer, the first
/// highest, with the tag index + 1 in the top byte: the slot of a
/// [`PackedWords`] table. Because no packed character is U+0000, words of
/// different lengths differ in where their highest set bit is, and a slot
/// of 0 is free.
trait PackedSlot: Copy + Eq {
    const FREE: Self;
    /// The slot of `key` with tag index `tag`.
    fn with_tag(key: Self, tag: u8) -> Self;
    /// The packed characters, without the tag.
    fn key(self) -> Self;
    fn tag(self) -> u8;
    /// Mixes the key into 64 bits whose top bits pick its home.
    fn mix(self) -> u64;
}

/// Implements [`PackedSlot`] for an integer type whose top byte, from bit
/// `$tag_shift`, holds the tag, and whose key `$mix` mixes into 64 bits.
macro_rules! packed_slot {
    ($int:ty, $tag_shift:expr, $mix:path) => {
        impl PackedSlot for $int {
            const FREE: Self = 0;
            fn with_tag(key: Self, tag: u8) -> Self {
                key | <$int>::from(tag + 1) << $tag_shift
            }
            fn key(self) -> Self {
                self & ((1 << $tag_shift) - 1)
            }
            fn tag(self) -> u8 {
                (self >> $tag_shift) as u8 - 1
            }
            fn mix(self) -> u64 {
                $mix(self)
            }
        }
    };
}

packed_slot!(u64, 56, mix_u64);
packed_slot!(u128, 120, mix_u128);

fn mix_u64(key: u64) -> u64 {
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn mix_u128(key: u128) -> u64 {
    ((key >> 64) as u64 ^ mix_u64(key as u64)).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
}

/// An open-addressing table of packed words ([`PackedSlot`]), never more
/// than half full. A slot holds both the word and its tag, so a lookup
/// reads one slot, usually one cache line; [`WordTags::tag_into`] asks for
/// the slots of a batch of words before it reads any, so that their cache
/// misses overlap instead of following one another.
struct PackedWords<S> {
    slots: Box<[S]>,
    len: usize,
}

impl<S: PackedSlot> Default for PackedWords<S> {
    fn default() -> Self {
        PackedWords {
            slots: vec![S::FREE; 1 << 10].into_boxed_slice(),
            len: 0,
        }
    }
}

impl<S: PackedSlot> PackedWords<S> {
    /// Where the search for `key` starts.
    fn home(&self, key: S) -> usize {
        // The top bits of the mixed key, which depend on all of it.
        let bits = self.slots.len().trailing_zeros();
        (key.mix() >> (64 - bits)) as usize
    }

    /// `key`'s home, whose slot is asked into the cache ahead of
    /// [`Self::find`].
    fn prefetch(&self, key: S) -> usize {
        let home = self.home(key);
        prefetch(&self.slots[home]);
        home
    }

    /// The slot holding `key`, or the free slot where it would go,
    /// searching from its home.
    fn probe(&self, key: S, home: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = home;
        // Some slot is free, so the search ends.
        while self.slots[at] != S::FREE && self.slots[at].key() != key {
            at = (at + 1) & mask;
        }
        at
    }

    /// The tag index of `key`, searching from its home.
    fn find(&self, key: S, home: usize) -> Option<u8> {
        let slot = self.slots[self.probe(key, home)];
        (slot != S::FREE).then(|| slot.tag())
    }

    /// Adds `key` with `tag` unless it is there.
    fn insert(&mut self, key: S, tag: u8) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let at = self.probe(key, self.home(key));
        if self.slots[at] == S::FREE {
            self.slots[at] = S::with_tag(key, tag);
            self.len += 1;
        }
    }

    fn grow(&mut self) {
        let doubled = vec![S::FREE; self.slots.len() * 2].into_boxed_slice();
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for &slot in old.iter().filter(|&&s| s != S::FREE) {
            self.insert(slot.key(), slot.tag());
        }
    }
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            single: vec![0; 0x10000].into_boxed_slice(),
            singles: 0,
            short: PackedWords::default(),
            medium: PackedWords::default(),
            long: FxHashMap::default(),
            tags: Vec::new(),
        }
    }
}

/// A lookup begun by [`Remembered::start`]: the key, and where its search
/// starts (asked into the cache).
#[derive(Clone, Copy)]
enum Lookup<'w> {
    Single(usize),
    Short(u64, usize),
    Medium(u128, usize),
    Long(&'w str),
}

impl Remembered {
    fn get(&self, word: &str) -> Option<PosTag> {
        self.finish(self.start(word))
    }

    /// Begins looking `word` up: asks for the memory the lookup will read.
    fn start<'w>(&self, word: &'w str) -> Lookup<'w> {
        match Key::of(word) {
            Key::Single(c) => {
                prefetch(&self.single[c]);
                Lookup::Single(c)
            }
            Key::Short(key) => Lookup::Short(key, self.short.prefetch(key)),
            Key::Medium(key) => Lookup::Medium(key, self.medium.prefetch(key)),
            Key::Long(word) => Lookup::Long(word),
        }
    }

    /// Ends a lookup begun by [`Self::start`].
    fn finish(&self, lookup: Lookup<'_>) -> Option<PosTag> {
        let tag = match lookup {
            Lookup::Single(c) => self.single[c].checked_sub(1),
            Lookup::Short(key, home) => self.short.find(key, home),
            Lookup::Medium(key, home) => self.medium.find(key, home),
            Lookup::Long(word) => self.long.get(word).copied(),
        };
        tag.map(|t| self.tags[usize::from(t)])
    }

    fn insert(&mut self, word: &str, pos: PosTag) {
        let tag = match self.tags.iter().position(|t| *t == pos) {
            Some(t) => t as u8,
            // 255 tags, so that the tables can store index + 1 in a byte.
            None if self.tags.len() < usize::from(u8::MAX) => {
                self.tags.push(pos);
                (self.tags.len() - 1) as u8
            }
            // A user dictionary with hundreds of tags: the rest are looked
            // up each time.
            None => return,
        };
        match Key::of(word) {
            Key::Single(c) => {
                if self.single[c] == 0 {
                    self.single[c] = tag + 1;
                    self.singles += 1;
                }
            }
            Key::Short(key) => self.short.insert(key, tag),
            Key::Medium(key) => self.medium.insert(key, tag),
            Key::Long(word) => {
                self.long.entry(word.into()).or_insert(tag);
            }
        }
    }

    fn len(&self) -> usize {
        self.singles + self.short.len + self.medium.len + self.long.len()
    }
}

/// Each word's POS tag as jieba's `tag` gives it, for one dictionary.
pub struct WordTags {
    remembered: RwLock<Remembered>,
    /// An empty dictionary with [`ONE_WORD_HMM`]: tags a word the
    /// dictionary lacks with jieba's guess for it.
    guesser: Jieba,
}

impl Default for WordTags {
    fn default() -> Self {
        Self::new()
    }
}

impl WordTags {
    /// An empty table.
    pub fn new() -> Self {
        let mut guesser = Jieba::empty();
        // One word keeps the dictionary's total above zero, so that the
        // route's log probabilities stay finite.
        guesser.add_word("\u{F8FF}", Some(1), Some("x"));
        let hmm = HmmModel::load(&mut ONE_WORD_HMM.as_bytes()).expect("the one-word HMM is well formed");
        guesser.set_hmm_model(hmm);
        WordTags {
            remembered: RwLock::new(Remembered::default()),
            guesser,
        }
    }

    /// Tags `words` (ranges into `text`, as cut by `jieba`) and appends them
    /// to `out`, in order, shifted by `offset`. Returns false, with `out` as
    /// it was, if some word's tag cannot be found on its own (see
    /// [`Self::learn`]).
    pub fn tag_into(
        &self,
        jieba: &Jieba,
        text: &str,
        mut words: impl Iterator<Item = Range<usize>>,
        offset: usize,
        out: &mut Vec<Word>,
    ) -> bool {
        let first = out.len();
        // Index in `out` and range in `text` of each word not remembered.
        let mut unknown = Vec::new();
        {
            let remembered = self.remembered.read().unwrap_or_else(|e| e.into_inner());
            out.reserve(words.size_hint().0);
            // The tables are larger than the fastest caches, and jieba's
            // dictionary competes for them: asking for the slots of a batch
            // of words before reading any lets their cache misses overlap
            // instead of following one another.
            const BATCH: usize = 16;
            let mut batch: [(Range<usize>, Lookup<'_>); BATCH] = std::array::from_fn(|_| (0..0, Lookup::Long("")));
            loop {
                let mut n = 0;
                for (slot, range) in batch.iter_mut().zip(words.by_ref()) {
                    *slot = (range.clone(), remembered.start(&text[range]));
                    n += 1;
                }
                if n == 0 {
                    break;
                }
                for (range, lookup) in &batch[..n] {
                    let pos = remembered.finish(*lookup);
                    if pos.is_none() {
                        unknown.push((out.len(), range.clone()));
                    }
                    let pos = pos.unwrap_or(PosTag::new(""));
                    out.push(
                        Word {
                            range: range.clone(),
                            pos,
                        }
                        .shifted(offset),
                    );
                }
            }
        }
        if unknown.is_empty() {
            return true;
        }
        let mut learned = Vec::new();
        for (index, range) in unknown {
            let word = &text[range];
            let Some(pos) = self.tag_of(jieba, word) else {
                out.truncate(first);
                return false;
            };
            out[index].pos = pos;
            learned.push((word, pos));
        }
        self.learn(learned);
        true
    }

    /// Remembers the tags jieba's `tag` gave `words` in context. This is
    /// how a dictionary word that jieba splits when it stands alone (its
    /// HMM joined it in context: 不大, 一成) gets known: the segmenter tags
    /// such a text with `tag` once, and teaches the table its words.
    pub fn learn<'w>(&self, words: impl IntoIterator<Item = (&'w str, PosTag)>) {
        let mut words = words
            .into_iter()
            .filter(|(w, _)| w.len() <= MAX_REMEMBERED_WORD)
            .peekable();
        if words.peek().is_none() {
            return;
        }
        // A request never waits to write: if the table is busy, a later
        // request learns the words. Readers wait only while a few go in.
        let Ok(mut remembered) = self.remembered.try_write() else {
            return;
        };
        for (word, pos) in words {
            if remembered.len() >= MAX_REMEMBERED_WORDS {
                break;
            }
            remembered.insert(word, pos);
        }
    }

    /// The tag of `word` as one of jieba's words, or `None` if it cannot be
    /// found on its own and no text has taught it (see [`Self::learn`]).
    pub fn get(&self, jieba: &Jieba, word: &str) -> Option<PosTag> {
        if let Some(pos) = self.remembered.read().unwrap_or_else(|e| e.into_inner()).get(word) {
            return Some(pos);
        }
        let pos = self.tag_of(jieba, word)?;
        self.learn([(word, pos)]);
        Some(pos)
    }

    /// How many words are remembered.
    pub fn len(&self) -> usize {
        self.remembered.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no word is remembered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What jieba's `tag` gives `word` as one of its words: the dictionary's
    /// tag when the dictionary holds it, else jieba's guess. Each is read
    /// by tagging the word on its own, which keeps most dictionary words
    /// whole; `None` for those it splits.
    fn tag_of(&self, jieba: &Jieba, word: &str) -> Option<PosTag> {
        let tags = if jieba.has_word(word) {
            jieba.tag(word, false)
        } else {
            self.guesser.tag(word, true)
        };
        match tags.as_slice() {
            [only] if only.word.len() == word.len() => Some(PosTag::new(only.tag)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::text::segment::{JiebaSegmenter, SegmentMode, Segmenter};

    fn segmenter() -> &'static JiebaSegmenter {
        static SEGMENTER: OnceLock<JiebaSegmenter> = OnceLock::new();
        SEGMENTER.get_or_init(JiebaSegmenter::with_default_dict)
    }

    /// Words with their tags.
    type Tagged = Vec<(String, String)>;

    /// The segmenter's words and tags, and jieba's `tag` on the same text.
    fn both(text: &str, hmm: bool) -> (Tagged, Tagged) {
        let seg = segmenter();
        let ours = seg
            .segment(text, SegmentMode::Precise, hmm)
            .into_iter()
            .map(|w| (text[w.range].to_owned(), w.pos.to_string()))
            .collect();
        let jieba = seg
            .jieba()
            .tag(text, hmm)
            .into_iter()
            .map(|t| (t.word.to_owned(), t.tag.to_owned()))
            .collect();
        (ours, jieba)
    }

    #[test]
    fn tags_are_jiebas_on_news_text_cold_and_warm() {
        let texts = [
            // Out-of-vocabulary names and words (jieba guesses their tags).
            "小明硕士毕业于中国科学院计算所，后在日本京都大学深造。",
            "张尧和李嘉欣在杭州召开发布会，宣布新质生产力项目落地。",
            // Dictionary words that jieba's HMM joins here but that jieba
            // splits when they stand alone.
            "他说问题不大，一成的人不受影响，大家不愁吃穿。",
            "三峡截流的落差和龙口流速都不大，这对截流较为有利。",
            // Letters, digits, punctuation, spaces, line breaks.
            "2024年GDP增长5.2%，iPhone 15 售价 5999 元。\r\n第二行 abc_def #tag",
            // Traditional text: many words jieba's Simplified dictionary lacks.
            "臺灣積體電路製造公司董事長魏哲家表示，將擴大在高雄的投資。",
            "",
            "。。。",
        ];
        for round in ["cold", "warm"] {
            for text in texts {
                for hmm in [true, false] {
                    let (ours, jieba) = both(text, hmm);
                    assert_eq!(ours, jieba, "{round}, hmm {hmm}: {text}");
                }
            }
        }
        assert!(segmenter().remembered_tags() > 20);
    }

    #[test]
    fn words_jieba_splits_alone_are_learned_from_context() {
        let jieba = segmenter().jieba();
        let tags = WordTags::new();
        let text = "三峡截流的落差和龙口流速都不大，这对截流较为有利。";
        let words: Vec<Range<usize>> = jieba.cut(text, true).iter().map(|t| t.byte_start..t.byte_end).collect();
        assert!(words.iter().any(|r| &text[r.clone()] == "不大"));
        // On its own, jieba cuts the dictionary word 不大 into 不 / 大.
        assert_eq!(jieba.tag("不大", false).len(), 2);
        assert_eq!(tags.get(jieba, "不大"), None);
        let mut out = Vec::new();
        assert!(!tags.tag_into(jieba, text, words.iter().cloned(), 0, &mut out));
        assert!(out.is_empty());
        tags.learn(jieba.tag(text, true).iter().map(|t| (t.word, PosTag::new(t.tag))));
        assert_eq!(tags.get(jieba, "不大").map(|p| p.to_string()).as_deref(), Some("a"));
        assert!(tags.tag_into(jieba, text, words.into_iter(), 0, &mut out));
    }

    #[test]
    fn tags_are_jiebas_on_random_text() {
        // Characters that make jieba cut every way: dictionary words, rare
        // and Traditional characters its HMM joins, letters, digits,
        // punctuation and spaces.
        let pool: Vec<char> = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现与问力理本身月合四己法間產業發展臺灣積體電路製造張尧嘉欣aZ09_#.%-+&，。！？、：；“”（）《》 \n\t".chars().collect();
        let mut next = crate::text::test_random(0x2545_f491_4f6c_dd1d);
        for case in 0..1500 {
            let len = next(40);
            let text: String = (0..len).map(|_| pool[next(pool.len())]).collect();
            let hmm = case % 3 != 0;
            let (ours, jieba) = both(&text, hmm);
            assert_eq!(ours, jieba, "case {case}, hmm {hmm}: {text:?}");
        }
    }

    #[test]
    fn other_modes_tag_each_word_as_precise_mode_would() {
        let seg = segmenter();
        let text = "中华人民共和国国务院总理在北京人民大会堂会见张尧";
        let precise: Vec<(String, String)> = both(text, true).1;
        for mode in [SegmentMode::Full, SegmentMode::Search] {
            for w in seg.segment(text, mode, true) {
                let word = &text[w.range.clone()];
                if let Some((_, tag)) = precise.iter().find(|(p, _)| p == word) {
                    assert_eq!(w.pos.as_str(), tag, "{mode:?} {word}");
                }
                assert!(!w.pos.is_empty(), "{mode:?} {word}");
            }
        }
    }

    #[test]
    fn long_words_are_tagged_but_not_remembered() {
        let tags = WordTags::new();
        let jieba = segmenter().jieba();
        let long = "a".repeat(MAX_REMEMBERED_WORD + 1);
        assert_eq!(tags.get(jieba, &long).map(|p| p.to_string()).as_deref(), Some("eng"));
        assert_eq!(tags.get(jieba, "2024").map(|p| p.to_string()).as_deref(), Some("m"));
        assert_eq!(tags.get(jieba, "北京").map(|p| p.to_string()).as_deref(), Some("ns"));
        assert_eq!(tags.len(), 2);
        // Each size of word is remembered in its own table and read back.
        let words = ["的", "，", "北京", "人民大会堂", "中华人民共和国", "𠀀"];
        let first: Vec<_> = words.iter().map(|w| tags.get(jieba, w)).collect();
        assert!(first.iter().all(Option::is_some), "{first:?}");
        assert_eq!(tags.len(), 2 + words.len() - 1);
        for (word, pos) in words.iter().zip(&first) {
            assert_eq!(tags.remembered.read().unwrap().get(word), *pos, "{word}");
        }
        assert_eq!(first[0].unwrap().as_str(), "uj");
    }

    #[test]
    fn packed_tables_keep_every_word_through_growth() {
        let mut remembered = Remembered::default();
        let tags: Vec<PosTag> = ["n", "v", "ns", "nr", "m"].into_iter().map(PosTag::new).collect();
        // Words of 1 to 9 characters, some of them the same characters as a
        // shorter word with U+0001 in front (which packs to the same low
        // bits), enough to make both tables grow several times.
        let mut words = Vec::new();
        for i in 0..6000u32 {
            let c = |k: u32| char::from_u32(0x4E00 + (i * 7 + k * 13) % 0x5000).unwrap();
            let len = 1 + (i % 9) as usize;
            let word: String = (0..len as u32).map(c).collect();
            words.push(format!("\u{1}{word}"));
            words.push(word);
        }
        words.sort();
        words.dedup();
        for (i, word) in words.iter().enumerate() {
            remembered.insert(word, tags[i % tags.len()]);
        }
        assert_eq!(remembered.len(), words.len());
        assert!(remembered.short.len > 1000 && remembered.medium.len > 1000);
        for (i, word) in words.iter().enumerate() {
            assert_eq!(remembered.get(word), Some(tags[i % tags.len()]), "{word}");
        }
        // Outside the characters the words are made of.
        for absent in ["ꀀꀁ", "\u{1}ꀀꀁ", "ꀀꀁꀂ", "ꀀꀁꀂꀃꀄ", "\u{1}ꀀꀁꀂꀃꀄꀅ", "\0"] {
            assert_eq!(remembered.get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn concurrent_segmentation_agrees_with_jieba() {
        let text = "他说问题不大。臺灣積體電路製造公司董事長魏哲家表示，将扩大投资。张尧在杭州。";
        let expected = both(text, true).1;
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..50 {
                        assert_eq!(both(text, true).0, expected);
                    }
                });
            }
        });
    }
}
