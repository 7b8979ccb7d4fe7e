//! Word segmentation with part-of-speech tags.

use std::{collections::BTreeMap, fmt, ops::Range, sync::Arc};

use jieba_rs::Jieba;

use crate::text::{dictionary::UserDictionary, lexicon::Lexicon, word_tags::WordTags};

/// How to cut text into words (jieba's three modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SegmentMode {
    /// The most likely segmentation: no overlaps, words concatenate back to
    /// the text.
    #[default]
    Precise,
    /// Every dictionary word in the text; words overlap.
    Full,
    /// Precise words plus the dictionary 2- and 3-grams inside long ones.
    Search,
}

/// A part-of-speech tag in jieba's (ICTCLAS-style) tag set, held inline:
/// every token carries one, and a heap string per token was a tenth of
/// segmentation time. jieba's tags are 1 to 4 ASCII letters; user
/// dictionaries are checked for at most [`PosTag::MAX_LEN`] bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PosTag {
    len: u8,
    bytes: [u8; PosTag::MAX_LEN],
}

impl PosTag {
    /// The longest tag, in bytes.
    pub const MAX_LEN: usize = 16;

    /// The tag `tag`, cut to [`Self::MAX_LEN`] bytes (on a character
    /// boundary) if it is longer.
    pub fn new(tag: &str) -> PosTag {
        let mut len = tag.len().min(Self::MAX_LEN);
        while !tag.is_char_boundary(len) {
            len -= 1;
        }
        let mut bytes = [0; Self::MAX_LEN];
        bytes[..len].copy_from_slice(&tag.as_bytes()[..len]);
        PosTag { len: len as u8, bytes }
    }

    /// The tag as UTF-8 bytes, without checking them again.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        // `new` copies whole characters of a `str`.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl std::ops::Deref for PosTag {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for PosTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for PosTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for PosTag {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A word in the text that was segmented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Byte range in the segmented text.
    pub range: Range<usize>,
    /// Part-of-speech tag.
    pub pos: PosTag,
}

impl Word {
    /// The same word in a text that starts `offset` bytes earlier.
    pub fn shifted(self, offset: usize) -> Word {
        Word {
            range: self.range.start + offset..self.range.end + offset,
            pos: self.pos,
        }
    }
}

/// Splits text into tagged words.
pub trait Segmenter: Send + Sync {
    /// Appends the words of `text` to `out`, with ranges shifted by
    /// `offset` (so that a long text can be segmented piece by piece into
    /// one list). Precise mode must produce words that tile the text.
    fn segment_into(&self, text: &str, mode: SegmentMode, hmm: bool, offset: usize, out: &mut Vec<Word>);

    /// The words of `text`.
    fn segment(&self, text: &str, mode: SegmentMode, hmm: bool) -> Vec<Word> {
        let mut words = Vec::new();
        self.segment_into(text, mode, hmm, 0, &mut words);
        words
    }
}

/// jieba-rs with its default dictionary, the same dictionary as a
/// [`Lexicon`] (which cuts precise mode and tags dictionary words on the
/// way), and the tags of the other words seen.
pub struct JiebaSegmenter {
    jieba: Jieba,
    lexicon: Lexicon,
    tags: WordTags,
}

impl JiebaSegmenter {
    /// Loads jieba's embedded default dictionary (about 350k words).
    pub fn with_default_dict() -> Self {
        Self::with_user_dictionaries([])
    }

    /// jieba's default dictionary extended with `dictionaries`, in order
    /// (a later entry for the same word wins).
    pub fn with_user_dictionaries<'d>(dictionaries: impl IntoIterator<Item = &'d UserDictionary>) -> Self {
        let mut jieba = Jieba::new();
        let mut added = Vec::new();
        for dictionary in dictionaries {
            for entry in &dictionary.entries {
                // jieba-rs picks the frequency of a word given without one
                // (from the words added before it); the lexicon takes the
                // one it picked.
                let freq = jieba.add_word(&entry.word, entry.freq, entry.tag.as_deref());
                added.push((entry.word.as_str(), freq, entry.tag.as_deref()));
            }
        }
        let lexicon = Lexicon::with_words(added);
        JiebaSegmenter {
            jieba,
            lexicon,
            tags: WordTags::new(),
        }
    }

    /// The underlying jieba instance.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// How many words' tags are remembered.
    pub fn remembered_tags(&self) -> usize {
        self.tags.len()
    }
}

impl Segmenter for JiebaSegmenter {
    fn segment_into(&self, text: &str, mode: SegmentMode, hmm: bool, offset: usize, out: &mut Vec<Word>) {
        let tokens = match mode {
            SegmentMode::Precise => return self.precise_into(text, hmm, offset, out),
            SegmentMode::Full => self.jieba.cut_all(text),
            SegmentMode::Search => self.jieba.cut_for_search(text, hmm),
        };
        let ranges = tokens.iter().map(|t| t.byte_start..t.byte_end);
        let first = out.len();
        if !self.tags.tag_into(&self.jieba, text, ranges.clone(), offset, out) {
            self.tag_in_context(text, hmm);
            // The overlapping modes' inner words that neither way finds
            // have no context to take a tag from.
            out.extend(ranges.map(|r| {
                let pos = self.tags.get(&self.jieba, &text[r.clone()]);
                Word {
                    range: r,
                    pos: pos.unwrap_or(PosTag::new("x")),
                }
                .shifted(offset)
            }));
        }
        out[first..].sort_by_key(|w| (w.range.start, w.range.end));
    }
}

impl JiebaSegmenter {
    /// Precise mode: the lexicon cuts and tags the dictionary words; the
    /// other words' tags are jieba's guesses, remembered.
    fn precise_into(&self, text: &str, hmm: bool, offset: usize, out: &mut Vec<Word>) {
        let first = out.len();
        out.reserve(text.len() / 4);
        let mut guessed = Vec::new();
        self.lexicon.cut(text, hmm, |range, pos| {
            if pos.is_none() {
                guessed.push(out.len());
            }
            let pos = pos.unwrap_or(PosTag::new(""));
            out.push(Word { range, pos }.shifted(offset));
        });
        for index in guessed {
            let range = out[index].range.start - offset..out[index].range.end - offset;
            match self.tags.get(&self.jieba, &text[range]) {
                Some(pos) => out[index].pos = pos,
                None => {
                    // jieba splits this word when it stands alone, so its
                    // guess cannot be read on its own: tag the whole text.
                    out.truncate(first);
                    out.extend(self.tag_in_context(text, hmm).iter().map(|t| {
                        Word {
                            range: t.byte_start..t.byte_end,
                            pos: PosTag::new(t.tag),
                        }
                        .shifted(offset)
                    }));
                    return;
                }
            }
        }
    }

    /// jieba-rs's `tag` over `text`, whose words the tag table learns: how
    /// a word that jieba splits when it stands alone (its HMM joined it in
    /// context) gets its tag.
    fn tag_in_context<'a>(&'a self, text: &'a str, hmm: bool) -> Vec<jieba_rs::Tag<'a>> {
        let tagged = self.jieba.tag(text, hmm);
        self.tags.learn(tagged.iter().map(|t| (t.word, PosTag::new(t.tag))));
        tagged
    }
}

/// The segmenters of a pipeline: the default one (jieba's dictionary plus
/// the global user dictionaries) and one per named dictionary profile.
#[derive(Clone)]
pub struct SegmenterSet {
    default: Arc<JiebaSegmenter>,
    profiles: BTreeMap<String, Arc<JiebaSegmenter>>,
    /// The dictionaries the segmenters were built from, so that a rebuild
    /// keeps those whose dictionaries did not change (each is a full jieba
    /// instance: about 25 MB and 120 ms to build).
    global_dicts: Vec<UserDictionary>,
    profile_dicts: BTreeMap<String, UserDictionary>,
}

/// A dictionary profile that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("unknown dictionary profile `{name}`; known profiles: [{}]", known.join(", "))]
pub struct UnknownProfile {
    /// The name asked for.
    pub name: String,
    /// The names that exist.
    pub known: Vec<String>,
}

impl SegmenterSet {
    /// jieba's default dictionary only.
    pub fn default_only() -> Self {
        SegmenterSet {
            default: Arc::new(JiebaSegmenter::with_default_dict()),
            profiles: BTreeMap::new(),
            global_dicts: Vec::new(),
            profile_dicts: BTreeMap::new(),
        }
    }

    /// Builds the default segmenter from `global` user dictionaries and one
    /// segmenter per profile (global dictionaries, then the profile's own).
    pub fn build(global: &[UserDictionary], profiles: &BTreeMap<String, UserDictionary>) -> Self {
        Self::build_reusing(None, global, profiles)
    }

    /// [`SegmenterSet::build`], sharing with `self` every segmenter whose
    /// dictionaries are unchanged: when one profile's file changes, only
    /// that profile is rebuilt (a change to a global dictionary rebuilds
    /// all, since every profile includes it).
    pub fn rebuild(&self, global: &[UserDictionary], profiles: &BTreeMap<String, UserDictionary>) -> Self {
        Self::build_reusing(Some(self), global, profiles)
    }

    fn build_reusing(
        previous: Option<&SegmenterSet>,
        global: &[UserDictionary],
        profiles: &BTreeMap<String, UserDictionary>,
    ) -> Self {
        let previous = previous.filter(|p| p.global_dicts == global);
        let default = match previous {
            Some(p) => p.default.clone(),
            None => Arc::new(JiebaSegmenter::with_user_dictionaries(global)),
        };
        let profile_segmenters = profiles
            .iter()
            .map(|(name, dict)| {
                let unchanged = previous
                    .filter(|p| p.profile_dicts.get(name) == Some(dict))
                    .and_then(|p| p.profiles.get(name));
                let segmenter = match unchanged {
                    Some(segmenter) => segmenter.clone(),
                    None => Arc::new(JiebaSegmenter::with_user_dictionaries(global.iter().chain([dict]))),
                };
                (name.clone(), segmenter)
            })
            .collect();
        SegmenterSet {
            default,
            profiles: profile_segmenters,
            global_dicts: global.to_vec(),
            profile_dicts: profiles.clone(),
        }
    }

    /// The default segmenter.
    pub fn default_segmenter(&self) -> &Arc<JiebaSegmenter> {
        &self.default
    }

    /// The segmenter of a profile; `None` or `""` is the default.
    pub fn get(&self, profile: Option<&str>) -> Result<&Arc<JiebaSegmenter>, UnknownProfile> {
        match profile {
            None | Some("") => Ok(&self.default),
            Some(name) => self.profiles.get(name).ok_or_else(|| UnknownProfile {
                name: name.to_owned(),
                known: self.profile_names(),
            }),
        }
    }

    /// Names of the profiles, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebuild_keeps_the_segmenters_whose_dictionaries_did_not_change() {
        let dict = |name: &str, words: &str| {
            UserDictionary::parse(std::path::Path::new(name), words.as_bytes()).expect("a valid dictionary")
        };
        let words = |set: &SegmenterSet, profile: &str, text: &str| -> Vec<String> {
            let segmenter = set.get(Some(profile)).expect("a known profile");
            segmenter
                .segment(text, SegmentMode::Precise, false)
                .into_iter()
                .map(|w| text[w.range].to_owned())
                .collect()
        };
        let global = vec![dict("global.txt", "区块链技术 20 n\n")];
        let mut profiles = BTreeMap::from([
            ("a".to_owned(), dict("a.txt", "甲乙丙 5 n\n")),
            ("b".to_owned(), dict("b.txt", "丁戊己 5 n\n")),
        ]);
        let first = SegmenterSet::build(&global, &profiles);

        profiles.insert("b".to_owned(), dict("b.txt", "丁戊己 5 n\n庚辛壬 5 n\n"));
        let second = first.rebuild(&global, &profiles);
        assert!(Arc::ptr_eq(&first.default, &second.default));
        assert!(Arc::ptr_eq(&first.profiles["a"], &second.profiles["a"]));
        assert!(!Arc::ptr_eq(&first.profiles["b"], &second.profiles["b"]));
        assert_eq!(words(&second, "b", "庚辛壬"), ["庚辛壬"]);
        assert_ne!(words(&first, "b", "庚辛壬"), ["庚辛壬"]);

        // Every profile includes the global dictionaries: all are rebuilt.
        let global = vec![dict("global.txt", "区块链技术 20 n\n癸子丑 5 n\n")];
        let third = second.rebuild(&global, &profiles);
        assert!(!Arc::ptr_eq(&second.default, &third.default));
        assert!(!Arc::ptr_eq(&second.profiles["a"], &third.profiles["a"]));
        assert!(!Arc::ptr_eq(&second.profiles["b"], &third.profiles["b"]));
        assert_eq!(words(&third, "a", "癸子丑"), ["癸子丑"]);

        // A new profile is built, a removed one is gone.
        profiles.remove("a");
        profiles.insert("c".to_owned(), dict("c.txt", "寅卯辰 5 n\n"));
        let fourth = third.rebuild(&global, &profiles);
        assert!(Arc::ptr_eq(&third.profiles["b"], &fourth.profiles["b"]));
        assert_eq!(fourth.profile_names(), ["b", "c"]);
        assert_eq!(words(&fourth, "c", "寅卯辰"), ["寅卯辰"]);
    }

    #[test]
    fn pos_tags_are_held_inline() {
        assert_eq!(PosTag::new("nr").as_str(), "nr");
        assert_eq!(PosTag::new(""), "");
        assert_eq!(PosTag::new(&"a".repeat(20)).as_str(), "a".repeat(16));
        // Cut on a character boundary: 5 × 3 bytes fit, the sixth does not.
        assert_eq!(PosTag::new("标签标签标签").as_str(), "标签标签标");
        assert_eq!(format!("{}/{:?}", PosTag::new("eng"), PosTag::new("x")), "eng/\"x\"");
    }

    #[test]
    fn precise_words_tile_the_text_and_carry_tags() {
        let seg = JiebaSegmenter::with_default_dict();
        let text = "我来到北京清华大学，Hello world 2024年";
        let words = seg.segment(text, SegmentMode::Precise, true);
        let joined: String = words.iter().map(|w| &text[w.range.clone()]).collect();
        assert_eq!(joined, text);
        let find = |s: &str| {
            words
                .iter()
                .find(|w| &text[w.range.clone()] == s)
                .map(|w| w.pos.to_string())
        };
        assert_eq!(find("北京").as_deref(), Some("ns"));
        assert_eq!(find("清华大学").as_deref(), Some("nt"));
    }

    #[test]
    fn full_and_search_modes_add_inner_words() {
        let seg = JiebaSegmenter::with_default_dict();
        let text = "中华人民共和国";
        let full = seg.segment(text, SegmentMode::Full, true);
        assert!(full.iter().any(|w| &text[w.range.clone()] == "人民"));
        assert!(full.iter().any(|w| &text[w.range.clone()] == "中华人民共和国"));
        let search = seg.segment(text, SegmentMode::Search, true);
        assert!(search.iter().any(|w| &text[w.range.clone()] == "共和国"));
        assert!(search.windows(2).all(|p| p[0].range.start <= p[1].range.start));
    }

    #[test]
    fn profiles_extend_the_default_dictionary() {
        let dict = |words: &str| UserDictionary::parse(std::path::Path::new("t.txt"), words.as_bytes()).unwrap();
        let global = vec![dict("新质生产力 100 n\n")];
        let mut profiles = BTreeMap::new();
        profiles.insert("chips".to_owned(), dict("长鑫存储 100 nt\n"));
        let set = SegmenterSet::build(&global, &profiles);
        let words = |seg: &JiebaSegmenter, text: &str| -> Vec<String> {
            seg.segment(text, SegmentMode::Precise, false)
                .into_iter()
                .map(|w| text[w.range].to_owned())
                .collect()
        };
        let text = "长鑫存储发展新质生产力";
        let default = words(set.get(None).unwrap(), text);
        assert!(default.contains(&"新质生产力".to_owned()) && !default.contains(&"长鑫存储".to_owned()));
        let chips = words(set.get(Some("chips")).unwrap(), text);
        assert!(chips.contains(&"长鑫存储".to_owned()) && chips.contains(&"新质生产力".to_owned()));
        let err = set.get(Some("law")).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown dictionary profile `law`; known profiles: [chips]"
        );
    }
}
