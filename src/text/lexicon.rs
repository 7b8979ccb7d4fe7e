//! jieba's dictionary as a character trie walked level by level, and
//! jieba's precise-mode cut over it, keeping each word's dictionary entry.
//!
//! jieba-rs finds every word's dictionary entry while it cuts, but does not
//! hand the entry out, so tagging its words meant looking each one up again
//! by its text (a tenth of Segment's time). [`Lexicon::cut`] cuts as jieba-rs
//! does, with the same blocks, word graph, route, tie-breaking and `ln`
//! frequencies, and gives each word its tag on the way. The walk is where
//! it differs: jieba-rs follows one start position's chain of dependent
//! loads at a time, while here every position of a block takes its k-th
//! step together, after the slots of that whole step were asked for (a
//! prefetch), so that their cache misses overlap, and a filter of each
//! node's children turns most dead ends away before any probe. Runs of
//! single characters go to jieba's character HMM ([`CharHmm`]). Tests
//! compare every word and tag with jieba-rs.

use std::{cell::RefCell, ops::Range, sync::LazyLock};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::text::{
    char_hmm::{CharHmm, HmmScratch},
    huge_vec, prefetch,
    segment::PosTag,
};

/// jieba-rs's default dictionary (`word freq tag` lines), found by build.rs.
const DEFAULT_DICTIONARY: &str = include_str!(env!("ZHTEXT_JIEBA_DICT"));

/// First characters below this index an array; the rest go to the table.
const ROOT_CHARS: usize = 0x1_0000;

/// Bits of a character in a slot key (all of Unicode).
const CHAR_BITS: u32 = 21;

/// Slot keys take the low 48 bits; the high 16 hold the child filter of
/// the node the slot leads to (see [`filter_bit`]).
const KEY_BITS: u32 = 48;
const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

/// "No word ends here" (tag indices are stored plus one) and "no edge".
const NONE: u32 = 0;
const NO_EDGE: u32 = u32::MAX;

/// A transition of the trie: from node `parent` on a character, to a node
/// that may end a word and may have children.
#[derive(Clone, Copy, Default)]
struct Slot {
    /// `(parent << CHAR_BITS | char) + 1` in the low [`KEY_BITS`] bits,
    /// the child filter above; 0 marks a free slot.
    key: u64,
    /// `ln(freq)` of the word ending here, read by the route without a
    /// second load.
    log_freq: f64,
    /// The node this transition leads to, `NONE` if it has no children.
    child: u32,
    /// Index of the tag of the word ending here plus one, `NONE` if no
    /// word ends here.
    tag: u32,
}

/// A transition out of the root on a BMP character.
#[derive(Clone, Copy, Default)]
struct RootSlot {
    log_freq: f64,
    child: u32,
    tag: u32,
}

#[inline(always)]
fn slot_key(parent: u32, c: char) -> u64 {
    ((u64::from(parent) << CHAR_BITS) | u64::from(c)) + 1
}

/// The bit, one of 16, that a character sets in the child filter of a node
/// it leads out of. Most trie nodes have one or two children, so most
/// characters that are not a child are turned away by the filter, which
/// the walk holds already, without a probe of the table (a cache miss).
#[inline(always)]
fn filter_bit(c: char) -> u16 {
    1 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 28)
}

/// Where the transition into a node is stored, to set its child filter.
#[derive(Clone, Copy)]
enum Parent {
    Root,
    RootChar(usize),
    Slot(usize),
}

/// A character trie: words with their `ln(freq)` and tag field.
struct Trie {
    root: Box<[RootSlot]>,
    /// The child filter of each root transition's node.
    root_filter: Box<[u16]>,
    /// Open addressing, linear probing, at most half full.
    slots: Vec<Slot>,
    shift: u32,
    used: usize,
    next_node: u32,
    words: usize,
}

/// jieba-rs's default dictionary, built once and shared by every lexicon.
struct DefaultDictionary {
    trie: Trie,
    /// The distinct tags; tag fields are an index into it plus one.
    tags: Vec<PosTag>,
    total: usize,
}

static DEFAULT: LazyLock<DefaultDictionary> = LazyLock::new(|| {
    // jieba's default dictionary has 1.4 transitions per word.
    let words = DEFAULT_DICTIONARY.lines().count();
    let mut trie = Trie::with_capacity(words * 7 / 5);
    let mut tags = Vec::new();
    let mut tag_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut total = 0usize;
    for (word, freq, tag) in default_entries() {
        total += freq;
        let tag = *tag_ids
            .entry(tag)
            .or_insert_with(|| intern(&mut tags, PosTag::new(tag)));
        trie.insert(word, (freq as f64).ln(), tag);
    }
    DefaultDictionary { trie, tags, total }
});

/// The default dictionary's `(word, freq, tag)` lines.
fn default_entries() -> impl Iterator<Item = (&'static str, usize, &'static str)> {
    DEFAULT_DICTIONARY.lines().filter_map(|line| {
        let mut fields = line.split_ascii_whitespace();
        let word = fields.next()?;
        let freq = fields
            .next()
            .map_or(0, |f| f.parse().expect("jieba's dictionary has integer frequencies"));
        Some((word, freq, fields.next().unwrap_or("")))
    })
}

/// Appends `tag` to `tags` and returns its tag field.
fn intern(tags: &mut Vec<PosTag>, tag: PosTag) -> u32 {
    tags.push(tag);
    u32::try_from(tags.len()).expect("fewer than 4 billion tags")
}

/// A dictionary: jieba-rs's default one, shared, plus a small trie of the
/// words added to it (user dictionaries), with jieba-rs's arithmetic (see
/// [`Lexicon::with_words`]). A profile thus costs its own words, not
/// another copy of the default dictionary.
pub struct Lexicon {
    default: &'static DefaultDictionary,
    /// Words added, and default words given a new frequency (with their
    /// default tag): these win over the default trie's.
    added: Option<Trie>,
    /// The default dictionary's tags, then the added words' new ones.
    tags: Vec<PosTag>,
    words: usize,
    log_total: f64,
}

/// A word added to the default dictionary: `(word, freq, tag)`.
pub type AddedWord<'w> = (&'w str, usize, Option<&'w str>);

impl Lexicon {
    /// jieba-rs's default dictionary (about 350k words).
    pub fn default_dictionary() -> Lexicon {
        Self::with_words([])
    }

    /// The default dictionary with `added` words, as jieba-rs's `add_word`
    /// leaves it given the frequency each call returned: a new word gets
    /// its tag (or none), a known one keeps its tag and takes the new
    /// frequency, and the total changes by the difference.
    pub fn with_words<'w>(added: impl IntoIterator<Item = AddedWord<'w>>) -> Lexicon {
        let default = &*DEFAULT;
        let mut tags = default.tags.clone();
        // A new word's tag is usually one the default dictionary has.
        let mut tag_ids: FxHashMap<PosTag, u32> = tags.iter().zip(1..).map(|(&tag, field)| (tag, field)).collect();
        // Each added word's frequency and tag field, in order of first
        // addition; a default word's old frequency is read from the
        // dictionary text (the trie keeps only its logarithm).
        let mut words: Vec<(&str, usize, u32)> = Vec::new();
        let mut index: FxHashMap<&str, usize> = FxHashMap::default();
        let mut replaced_defaults: Vec<usize> = Vec::new();
        let mut total = default.total;
        for (word, freq, tag) in added.into_iter().filter(|(word, ..)| !word.is_empty()) {
            if let Some(&i) = index.get(word) {
                total = total + freq - words[i].1;
                words[i].1 = freq;
                continue;
            }
            let default_tag = default.trie.find(word);
            total += freq;
            let tag = if default_tag != NONE {
                replaced_defaults.push(words.len());
                default_tag
            } else {
                let tag = PosTag::new(tag.unwrap_or(""));
                *tag_ids.entry(tag).or_insert_with(|| intern(&mut tags, tag))
            };
            index.insert(word, words.len());
            words.push((word, freq, tag));
        }
        if !replaced_defaults.is_empty() {
            // The default words added replaced their default frequencies
            // (later additions replaced the earlier ones, counted above).
            let wanted: FxHashSet<&str> = replaced_defaults.iter().map(|&i| words[i].0).collect();
            for (word, freq, _) in default_entries() {
                if wanted.contains(word) {
                    total -= freq;
                }
            }
        }
        let added = (!words.is_empty()).then(|| {
            let mut trie = Trie::with_capacity(words.iter().map(|(w, ..)| w.chars().count()).sum());
            for &(word, freq, tag) in &words {
                trie.insert(word, (freq as f64).ln(), tag);
            }
            trie
        });
        let new_words = words.len() - replaced_defaults.len();
        Lexicon {
            default,
            added,
            tags,
            words: default.trie.words + new_words,
            log_total: (total as f64).ln(),
        }
    }

    /// How many words the dictionary holds.
    pub fn len(&self) -> usize {
        self.words
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }

    /// The tag of `word` if the dictionary holds it.
    pub fn tag_of(&self, word: &str) -> Option<PosTag> {
        self.pos(self.find(word))
    }

    /// The tag behind a tag field.
    #[inline(always)]
    fn pos(&self, tag: u32) -> Option<PosTag> {
        tag.checked_sub(1).map(|i| self.tags[i as usize])
    }

    /// The tag field of `word`: `NONE` if the dictionary lacks it.
    fn find(&self, word: &str) -> u32 {
        match self.added.as_ref().map(|added| added.find(word)) {
            Some(tag) if tag != NONE => tag,
            _ => self.default.trie.find(word),
        }
    }

    /// Cuts `text` as jieba-rs's `cut(text, hmm)` does and calls
    /// `emit(byte range, tag)` for each word in order. The tag is the
    /// dictionary's for a dictionary word, `None` for any other word (whose
    /// tag jieba guesses).
    pub fn cut(&self, text: &str, hmm: bool, mut emit: impl FnMut(Range<usize>, Option<PosTag>)) {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let scratch = &mut *scratch;
            let mut start = 0;
            while start < text.len() {
                let rest = &text[start..];
                let first = rest.chars().next().expect("not at the end");
                let in_block = in_dictionary_block(first);
                scratch.chars.clear();
                let mut end = text.len();
                for (i, c) in rest.char_indices() {
                    if in_dictionary_block(c) != in_block {
                        end = start + i;
                        break;
                    }
                    scratch.chars.push((i as u32, c));
                }
                let block = &text[start..end];
                if in_block {
                    self.cut_block(block, start, hmm, scratch, &mut emit);
                } else {
                    // Outside blocks every character is a word, and so is
                    // `\r\n`.
                    let mut chars = scratch.chars.iter().peekable();
                    while let Some(&(offset, c)) = chars.next() {
                        let from = start + offset as usize;
                        let mut to = from + c.len_utf8();
                        if c == '\r' && chars.next_if(|&&(_, c)| c == '\n').is_some() {
                            to += 1;
                        }
                        emit(from..to, self.pos(self.find(&text[from..to])));
                    }
                }
                start = end;
            }
            scratch.shrink_if_huge();
        });
    }

    /// One block of dictionary characters, whose characters are in
    /// `scratch.chars`; `base` is its offset in the text.
    fn cut_block(
        &self,
        block: &str,
        base: usize,
        hmm: bool,
        scratch: &mut Scratch,
        emit: &mut impl FnMut(Range<usize>, Option<PosTag>),
    ) {
        self.word_graph(scratch);
        self.route(scratch);
        let mut hmm_scratch = std::mem::take(&mut scratch.hmm);
        let Scratch { chars, route, .. } = &*scratch;
        let n = chars.len();
        let byte = |i: usize| chars.get(i).map_or(block.len(), |&(offset, _)| offset as usize);
        let word = |x: usize, y: usize, tag: u32| {
            let tag = if tag != NONE { tag } else { scratch.edge(x, y) };
            (base + byte(x)..base + byte(y), self.pos(tag))
        };
        // A run of characters the route leaves single, `x..y`.
        let mut run = |x: usize, y: usize, emit: &mut dyn FnMut(Range<usize>, Option<PosTag>)| {
            if !hmm {
                // Only ASCII letters and digits are gathered: one word.
                let (range, tag) = word(x, y, if y - x == 1 { route[x].tag } else { NONE });
                emit(range, tag);
            } else if y - x == 1 {
                let (range, tag) = word(x, y, route[x].tag);
                emit(range, tag);
            } else if scratch.edge(x, y) != NONE {
                // The run is itself a word that the route did not take:
                // jieba keeps its characters apart.
                for (i, step) in route.iter().enumerate().take(y).skip(x) {
                    let (range, tag) = word(i, i + 1, step.tag);
                    emit(range, tag);
                }
            } else {
                CharHmm::jieba().cut(&chars[x..y], &mut hmm_scratch, &mut |i, j| {
                    let (range, tag) = word(x + i, x + j, NONE);
                    emit(range, tag);
                });
            }
        };
        let mut x = 0;
        let mut single_from = None;
        while x < n {
            let Step { end: y, tag, .. } = route[x];
            let y = y as usize;
            if y - x == 1 && (hmm || chars[x].1.is_ascii_alphanumeric()) {
                single_from.get_or_insert(x);
            } else {
                if let Some(from) = single_from.take() {
                    run(from, x, emit);
                }
                let (range, tag) = word(x, y, tag);
                emit(range, tag);
            }
            x = y;
        }
        if let Some(from) = single_from {
            run(from, n, emit);
        }
        scratch.hmm = hmm_scratch;
    }

    /// Every dictionary word starting at every character of the block, as
    /// edges in `scratch`: the default trie's, then the added words', which
    /// replace a default word's edge.
    fn word_graph(&self, scratch: &mut Scratch) {
        let Scratch {
            chars,
            walks,
            next_walks,
            first_edge,
            edges,
            ..
        } = scratch;
        first_edge.clear();
        first_edge.resize(chars.len(), NO_EDGE);
        edges.clear();
        let add_edge = |first_edge: &mut Vec<u32>, edges: &mut Vec<Edge>, start: usize, end: usize, tag, log_freq| {
            edges.push(Edge {
                end: end as u32,
                next: first_edge[start],
                tag,
                log_freq,
            });
            first_edge[start] = (edges.len() - 1) as u32;
        };
        self.default
            .trie
            .walk(chars, walks, next_walks, |start, end, tag, log_freq| {
                add_edge(first_edge, edges, start, end, tag, log_freq)
            });
        let Some(added) = &self.added else { return };
        added.walk(chars, walks, next_walks, |start, end, tag, log_freq| {
            let mut e = first_edge[start];
            while e != NO_EDGE {
                let edge = &mut edges[e as usize];
                if edge.end as usize == end {
                    (edge.tag, edge.log_freq) = (tag, log_freq);
                    return;
                }
                e = edge.next;
            }
            add_edge(first_edge, edges, start, end, tag, log_freq);
        });
    }

    /// The most probable path through the word graph, from the end back, as
    /// jieba computes it: a character that starts no word is a word of
    /// frequency 1, and of two equally probable steps the longer wins.
    fn route(&self, scratch: &mut Scratch) {
        let Scratch {
            chars,
            first_edge,
            edges,
            route,
            ..
        } = scratch;
        let n = chars.len();
        let log_total = self.log_total;
        route.clear();
        route.resize(
            n + 1,
            Step {
                prob: 0.0,
                end: n as u32,
                tag: NONE,
            },
        );
        for i in (0..n).rev() {
            let mut e = first_edge[i];
            if e == NO_EDGE {
                route[i] = Step {
                    prob: (0.0 - log_total) + route[i + 1].prob,
                    end: i as u32 + 1,
                    tag: NONE,
                };
                continue;
            }
            let mut best: Option<Step> = None;
            while e != NO_EDGE {
                let edge = edges[e as usize];
                let prob = edge.log_freq - log_total + route[edge.end as usize].prob;
                if best.is_none_or(|b| prob > b.prob || (prob == b.prob && edge.end > b.end)) {
                    best = Some(Step {
                        prob,
                        end: edge.end,
                        tag: edge.tag,
                    });
                }
                e = edge.next;
            }
            route[i] = best.expect("a character with edges has a best one");
        }
    }
}

impl Trie {
    fn with_capacity(transitions: usize) -> Trie {
        let slots = (transitions * 2).next_power_of_two().max(16);
        Trie {
            root: vec![RootSlot::default(); ROOT_CHARS].into_boxed_slice(),
            root_filter: vec![0; ROOT_CHARS].into_boxed_slice(),
            slots: huge_vec(slots, Slot::default()),
            shift: 64 - slots.trailing_zeros(),
            used: 0,
            next_node: 1,
            words: 0,
        }
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The slot holding `key`, or the free slot where it goes.
    #[inline(always)]
    fn probe(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let stored = self.slots[i].key;
            if stored & KEY_MASK == key || stored == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The transition from the root on `c`: `(log_freq, child, tag,
    /// child filter)`.
    #[inline(always)]
    fn first_step(&self, c: char) -> (f64, u32, u32, u16) {
        if (c as usize) < ROOT_CHARS {
            let r = self.root[c as usize];
            (r.log_freq, r.child, r.tag, self.root_filter[c as usize])
        } else {
            let s = self.slots[self.probe(slot_key(0, c))];
            (s.log_freq, s.child, s.tag, (s.key >> KEY_BITS) as u16)
        }
    }

    /// The tag field of `word`: `NONE` if the trie lacks it.
    fn find(&self, word: &str) -> u32 {
        let mut chars = word.chars();
        let Some(first) = chars.next() else { return NONE };
        let (_, mut child, mut tag, _) = self.first_step(first);
        for c in chars {
            if child == NONE {
                return NONE;
            }
            let slot = self.slots[self.probe(slot_key(child, c))];
            if slot.key == 0 {
                return NONE;
            }
            (child, tag) = (slot.child, slot.tag);
        }
        tag
    }

    /// Adds a word that is not in the trie yet, with its tag field.
    fn insert(&mut self, word: &str, log_freq: f64, tag: u32) {
        self.words += 1;
        let mut chars = word.chars().peekable();
        let mut parent = NONE;
        let mut parent_at = Parent::Root;
        while let Some(c) = chars.next() {
            let last = chars.peek().is_none();
            if parent == NONE && (c as usize) < ROOT_CHARS {
                let root = &mut self.root[c as usize];
                if last {
                    (root.tag, root.log_freq) = (tag, log_freq);
                    return;
                }
                if root.child == NONE {
                    root.child = self.next_node;
                    self.next_node += 1;
                }
                parent = root.child;
                parent_at = Parent::RootChar(c as usize);
                continue;
            }
            // The filter is set before the table may grow, which moves
            // slots.
            match parent_at {
                Parent::Root => {}
                Parent::RootChar(i) => self.root_filter[i] |= filter_bit(c),
                Parent::Slot(i) => self.slots[i].key |= u64::from(filter_bit(c)) << KEY_BITS,
            }
            let key = slot_key(parent, c);
            let mut i = self.probe(key);
            if self.slots[i].key == 0 {
                if (self.used + 1) * 2 > self.slots.len() {
                    self.grow();
                    i = self.probe(key);
                }
                self.slots[i].key = key;
                self.used += 1;
            }
            if last {
                (self.slots[i].tag, self.slots[i].log_freq) = (tag, log_freq);
                return;
            }
            if self.slots[i].child == NONE {
                assert!(self.next_node < 1 << (KEY_BITS - CHAR_BITS), "too many trie nodes");
                self.slots[i].child = self.next_node;
                self.next_node += 1;
            }
            parent = self.slots[i].child;
            parent_at = Parent::Slot(i);
        }
    }

    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, huge_vec(len, Slot::default()));
        self.shift = 64 - len.trailing_zeros();
        for slot in old.into_iter().filter(|s| s.key != 0) {
            let i = self.probe(slot.key & KEY_MASK);
            self.slots[i] = slot;
        }
    }

    /// Calls `edge(start, end, tag, log_freq)` for every word of the trie
    /// that starts at every character of `chars` (character indices). All
    /// walks take their k-th step together: first each asks for the slot
    /// it will read, then each reads it.
    fn walk(
        &self,
        chars: &[(u32, char)],
        walks: &mut Vec<Walk>,
        next_walks: &mut Vec<Walk>,
        mut edge: impl FnMut(usize, usize, u32, f64),
    ) {
        walks.clear();
        for (i, &(_, c)) in chars.iter().enumerate() {
            let (log_freq, child, tag, filter) = self.first_step(c);
            if tag != NONE {
                edge(i, i + 1, tag, log_freq);
            }
            if let Some(&(_, next)) = chars.get(i + 1)
                && filter & filter_bit(next) != 0
            {
                walks.push(Walk {
                    start: i as u32,
                    node: child,
                });
            }
        }
        let mut depth = 1;
        while !walks.is_empty() {
            for walk in walks.iter() {
                let c = chars[walk.start as usize + depth].1;
                prefetch(&self.slots[self.home(slot_key(walk.node, c))]);
            }
            next_walks.clear();
            for walk in walks.iter() {
                let start = walk.start as usize;
                let end = start + depth + 1;
                let slot = self.slots[self.probe(slot_key(walk.node, chars[end - 1].1))];
                if slot.key == 0 {
                    continue;
                }
                if slot.tag != NONE {
                    edge(start, end, slot.tag, slot.log_freq);
                }
                let filter = (slot.key >> KEY_BITS) as u16;
                if let Some(&(_, next)) = chars.get(end)
                    && filter & filter_bit(next) != 0
                {
                    next_walks.push(Walk {
                        start: walk.start,
                        node: slot.child,
                    });
                }
            }
            std::mem::swap(walks, next_walks);
            depth += 1;
        }
    }
}

/// jieba's dictionary blocks: runs of CJK ideographs, ASCII letters and
/// digits and `+#&._%-` (jieba-rs's ranges, which go past Python jieba's
/// U+9FD5 to the whole main block and its extensions).
#[inline]
fn in_dictionary_block(c: char) -> bool {
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        _ if c.is_ascii() => c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-'),
        _ => matches!(c,
            '\u{3400}'..='\u{4DBF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2EBEF}'
            | '\u{2F800}'..='\u{2FA1F}'),
    }
}

/// A walk down the trie from one start character.
#[derive(Clone, Copy)]
struct Walk {
    start: u32,
    node: u32,
}

/// A dictionary word from a start character to `end`, in the list of that
/// start's edges (`next` is the previous edge added for the same start).
#[derive(Clone, Copy)]
struct Edge {
    end: u32,
    next: u32,
    tag: u32,
    log_freq: f64,
}

/// The route's step from a character.
#[derive(Clone, Copy)]
struct Step {
    prob: f64,
    end: u32,
    tag: u32,
}

/// Buffers reused by a thread's cuts.
#[derive(Default)]
struct Scratch {
    /// Byte offset in the block and character.
    chars: Vec<(u32, char)>,
    walks: Vec<Walk>,
    next_walks: Vec<Walk>,
    first_edge: Vec<u32>,
    edges: Vec<Edge>,
    route: Vec<Step>,
    hmm: HmmScratch,
}

impl Scratch {
    /// The tag field of the dictionary word spanning characters `x..y`,
    /// `NONE` if there is none.
    fn edge(&self, x: usize, y: usize) -> u32 {
        let mut e = self.first_edge[x];
        while e != NO_EDGE {
            let edge = self.edges[e as usize];
            if edge.end as usize == y {
                return edge.tag;
            }
            e = edge.next;
        }
        NONE
    }

    /// Frees buffers a huge text grew, so that a thread does not keep them.
    fn shrink_if_huge(&mut self) {
        const KEEP_CHARS: usize = 1 << 16;
        if self.chars.capacity() > KEEP_CHARS {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{
        dictionary::UserDictionary,
        segment::{JiebaSegmenter, SegmentMode, Segmenter},
    };

    /// Words, byte ranges and tags: the segmenter's and jieba-rs `tag`'s.
    fn both(seg: &JiebaSegmenter, text: &str, hmm: bool) -> [Vec<(usize, usize, String)>; 2] {
        let ours = seg
            .segment(text, SegmentMode::Precise, hmm)
            .into_iter()
            .map(|w| (w.range.start, w.range.end, w.pos.to_string()))
            .collect();
        let theirs = seg
            .jieba()
            .tag(text, hmm)
            .into_iter()
            .map(|t| (t.byte_start, t.byte_end, t.tag.to_owned()))
            .collect();
        [ours, theirs]
    }

    #[test]
    fn cuts_and_tags_as_jieba_does_with_user_words_on_random_text() {
        // New words with and without a frequency or a tag, default words
        // given a new frequency (they keep their tag) or added twice, and
        // words outside the BMP, in CJK extension A and with letters.
        let user = "云计算 5000 n\n区块链\n人工智能芯片 200\n北京 3 xx\n北京 99999\n中国 10 zz\n\
                    \u{20000}\u{20001} 300 nz\n\u{20002} 50 n\n\u{3400}\u{3401} 80 n\nAI芯片 500 nz\n\
                    长鑫存储 100 nt\n存储器 1\nc++ 300 eng\n";
        let dict = UserDictionary::parse(std::path::Path::new("user.txt"), user.as_bytes()).expect("valid");
        let seg = JiebaSegmenter::with_user_dictionaries([&dict]);
        let pool: Vec<char> = "的一是不了人我在有他这中国北京云计算区块链人工智能芯片长鑫存储器发展經濟臺灣\
                               \u{20000}\u{20001}\u{20002}\u{3400}\u{3401}\u{9FD6}\u{F900}AIaZ09c+_#.%-&，。！“” \r\n\t"
            .chars()
            .collect();
        let mut next = crate::text::test_random(0x9E37_79B9_7F4A_7C15);
        for case in 0..3000 {
            let len = next(50);
            let text: String = (0..len).map(|_| pool[next(pool.len())]).collect();
            let hmm = case % 2 == 0;
            let [ours, theirs] = both(&seg, &text, hmm);
            assert_eq!(ours, theirs, "case {case}, hmm {hmm}: {text:?}");
        }
        for text in [
            "北京云计算和区块链",
            "AI芯片与c++",
            "\u{20000}\u{20001}\u{20002}",
            "长鑫存储器\r\n发展",
        ] {
            for hmm in [true, false] {
                let [ours, theirs] = both(&seg, text, hmm);
                assert_eq!(ours, theirs, "{text:?}, hmm {hmm}");
            }
        }
    }

    #[test]
    fn random_user_dictionaries_cut_as_jieba_does() {
        // Words of one to four characters from a small pool: they are
        // prefixes and extensions of default words and of each other, some
        // are default words, and some come more than once.
        let pool: Vec<char> = "中国人民大学生发展经济北京市长江大桥云计算区块链甲乙\u{20000}\u{3400}a1"
            .chars()
            .collect();
        let mut next = crate::text::test_random(0x5DEE_CE66_D1CE_4E5B);
        for round in 0..3 {
            let mut dictionary = String::new();
            for _ in 0..60 {
                let word: String = (0..1 + next(4)).map(|_| pool[next(pool.len())]).collect();
                let line = match next(4) {
                    0 => word,
                    1 => format!("{word} {}", 1 + next(100_000)),
                    2 => format!("{word} {} t{}", next(50), next(3)),
                    _ => format!("{word} {} nz", 1 + next(10)),
                };
                dictionary.push_str(&line);
                dictionary.push('\n');
            }
            let dict = UserDictionary::parse(std::path::Path::new("random.txt"), dictionary.as_bytes()).expect("valid");
            let seg = JiebaSegmenter::with_user_dictionaries([&dict]);
            for case in 0..400 {
                let text: String = (0..next(30)).map(|_| pool[next(pool.len())]).collect();
                let hmm = case % 2 == 0;
                let [ours, theirs] = both(&seg, &text, hmm);
                assert_eq!(
                    ours, theirs,
                    "round {round}, case {case}, hmm {hmm}: {text:?}\n{dictionary}"
                );
            }
        }
    }

    #[test]
    fn the_total_is_the_sum_of_the_final_frequencies() {
        // Independently of `with_words`: every default line's frequency,
        // with a re-added default word's and a twice-added new word's last
        // frequency in place of the earlier ones.
        let default_freq = |word: &str| {
            DEFAULT_DICTIONARY
                .lines()
                .find_map(|l| {
                    let mut f = l.split_ascii_whitespace();
                    (f.next() == Some(word)).then(|| f.next().unwrap().parse::<usize>().unwrap())
                })
                .expect("a default word")
        };
        let sum: usize = DEFAULT_DICTIONARY
            .lines()
            .map(|l| l.split_ascii_whitespace().nth(1).unwrap().parse::<usize>().unwrap())
            .sum();
        let lexicon = Lexicon::with_words([
            ("北京", 5, None),
            ("长鑫存储", 3, Some("nt")),
            ("北京", 7, Some("zz")),
            ("长鑫存储", 11, None),
            ("中国", 1, None),
        ]);
        let total = sum - default_freq("北京") + 7 + 11 - default_freq("中国") + 1;
        assert_eq!(lexicon.log_total, (total as f64).ln());
        assert_eq!(Lexicon::default_dictionary().log_total, (sum as f64).ln());
    }

    #[test]
    fn the_lexicon_holds_the_default_dictionary_and_added_words() {
        let default = Lexicon::default_dictionary();
        assert!(default.len() > 340_000, "{}", default.len());
        assert_eq!(default.tag_of("北京").map(|t| t.to_string()).as_deref(), Some("ns"));
        assert_eq!(default.tag_of("长鑫存储"), None);
        assert_eq!(default.tag_of(""), None);
        // A known word keeps its tag; a new one gets its own, or none.
        let added = Lexicon::with_words([
            ("北京", 5, Some("zz")),
            ("长鑫存储", 7, Some("nt")),
            ("区块链", 3, None),
        ]);
        assert_eq!(added.len(), default.len() + 2);
        assert_eq!(added.tag_of("北京").map(|t| t.to_string()).as_deref(), Some("ns"));
        assert_eq!(added.tag_of("长鑫存储").map(|t| t.to_string()).as_deref(), Some("nt"));
        assert_eq!(added.tag_of("区块链").map(|t| t.to_string()).as_deref(), Some(""));
        assert_eq!(added.tag_of("长鑫"), None);
    }
}
