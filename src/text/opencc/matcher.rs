//! Longest-prefix matching over one OpenCC dictionary group.
//!
//! OpenCC looks up a conversion step's dictionary group at every position
//! and takes a single match. A group is a list of *tiers* tried in order
//! (`short_circuit`): the first tier with any key that prefixes the text
//! wins, and inside a tier (a `union` of dictionaries) the longest key wins,
//! ties going to the dictionary listed first. [`Matcher`] answers that
//! question with one walk of a single character-level trie holding the keys
//! of every tier, each key tagged with the first tier that has it.

use std::borrow::Cow;

/// One dictionary line: `key` converts to `value` (OpenCC's default, i.e.
/// the first of the values listed in the text file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub key: Cow<'static, str>,
    pub value: Cow<'static, str>,
}

/// Marks an empty slot, a missing root, and a node without value.
const NONE: u32 = u32::MAX;

/// `parent` of the first character's node of a key.
const ROOT: u32 = u32::MAX - 1;

/// Values are numbered below 2^24; the top byte of [`Slot::value`] holds
/// the value's tier so that walking the trie needs no other memory.
const VALUE_BITS: u32 = 24;

/// A trie node, stored in an open-addressing table keyed by its parent
/// node and last character; a node's id is its slot index. Keeping the
/// node's data in its slot makes one character step one memory access.
#[derive(Clone, Copy)]
struct Slot {
    /// Slot of the parent node, [`ROOT`], or [`NONE`] for an empty slot.
    parent: u32,
    cp: u32,
    /// `tier << VALUE_BITS | index into Matcher::values`, or [`NONE`].
    value: u32,
    /// Bit `cp % 32` is set for every child `cp`: most failed steps are
    /// rejected here without probing the table.
    child_mask: u32,
}

const EMPTY: Slot = Slot {
    parent: NONE,
    cp: 0,
    value: NONE,
    child_mask: 0,
};

#[derive(Clone, Copy)]
struct Value {
    start: u32,
    end: u32,
    /// The value equals the key, so a match changes nothing.
    identity: bool,
}

/// A successful lookup: the key is the next `len` bytes of the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Match<'m> {
    pub len: usize,
    pub value: &'m str,
    /// First tier of the group holding the key (0 = highest priority).
    pub tier: u8,
    /// `value` equals the matched key.
    pub identity: bool,
}

/// Compiled dictionary group; immutable and shareable once built.
pub(super) struct Matcher {
    /// Bytes that can begin a key (UTF-8 lead bytes of first characters).
    lead: [bool; 256],
    /// `cp >> 8` to a page of 256 root slots in `root`, or [`NONE`].
    page_of: Vec<u32>,
    root: Vec<u32>,
    slots: Vec<Slot>,
    shift: u32,
    /// One bit per hash of (parent, character) for every non-root node, so
    /// that most steps that leave the trie are rejected from this small,
    /// cache-resident bitmap instead of probing the large slot table.
    filter: Vec<u64>,
    values: Vec<Value>,
    arena: String,
    /// Longest key of each tier, in characters.
    tier_max_chars: Vec<usize>,
}

impl Matcher {
    /// Compiles `tiers` (each a list of dictionaries, in config order).
    pub fn build(tiers: &[Vec<&[Entry]>]) -> Matcher {
        // Every key character adds at most one node; a load factor of at
        // most 2/3 keeps probe sequences short.
        let max_nodes: usize = tiers
            .iter()
            .flatten()
            .flat_map(|dict| dict.iter())
            .map(|e| e.key.chars().count())
            .sum();
        let size = (max_nodes + max_nodes / 2).next_power_of_two().max(2);
        // About 16 bits per node: under 7% false positives.
        let filter_words = (max_nodes / 4).next_power_of_two().max(1);
        let mut m = Matcher {
            lead: [false; 256],
            page_of: vec![NONE; (char::MAX as usize >> 8) + 1],
            root: Vec::new(),
            slots: vec![EMPTY; size],
            shift: 64 - size.trailing_zeros(),
            filter: vec![0; filter_words],
            values: Vec::new(),
            arena: String::new(),
            tier_max_chars: vec![0; tiers.len()],
        };
        for (tier, dicts) in tiers.iter().enumerate() {
            for entry in dicts.iter().flat_map(|d| d.iter()) {
                m.insert(entry, tier);
            }
        }
        m
    }

    fn insert(&mut self, entry: &Entry, tier: usize) {
        let mut chars = entry.key.chars();
        let Some(first) = chars.next() else {
            return; // OpenCC has no empty keys; never match the empty string.
        };
        self.lead[usize::from(entry.key.as_bytes()[0])] = true;
        let mut node = self.root_or_insert(first as u32);
        let mut count = 1;
        for c in chars {
            node = self.child_or_insert(node, c as u32);
            count += 1;
        }
        self.tier_max_chars[tier] = self.tier_max_chars[tier].max(count);
        // The first dictionary (in tier, then config order) holding a key
        // wins, as in OpenCC's merged tries.
        if self.slots[node as usize].value != NONE {
            return;
        }
        let index = u32::try_from(self.values.len())
            .ok()
            .filter(|&i| i < 1 << VALUE_BITS)
            .expect("an OpenCC dictionary group has fewer than 2^24 entries");
        let tier = u32::try_from(tier)
            .ok()
            .filter(|&t| t < 0xff)
            .expect("an OpenCC dictionary group has few tiers");
        let offset = |len: usize| u32::try_from(len).expect("OpenCC dictionary values fit in 4 GiB");
        let start = offset(self.arena.len());
        self.arena.push_str(&entry.value);
        self.values.push(Value {
            start,
            end: offset(self.arena.len()),
            identity: entry.key == entry.value,
        });
        self.slots[node as usize].value = (tier << VALUE_BITS) | index;
    }

    fn root_or_insert(&mut self, cp: u32) -> u32 {
        let page = (cp >> 8) as usize;
        if self.page_of[page] == NONE {
            self.page_of[page] = (self.root.len() >> 8) as u32;
            self.root.extend(std::iter::repeat_n(NONE, 256));
        }
        let at = ((self.page_of[page] as usize) << 8) | (cp as usize & 0xff);
        if self.root[at] == NONE {
            self.root[at] = self.place(ROOT, cp);
        }
        self.root[at]
    }

    fn child_or_insert(&mut self, parent: u32, cp: u32) -> u32 {
        if let Some(child) = self.child(parent, cp) {
            return child;
        }
        self.slots[parent as usize].child_mask |= 1 << (cp & 31);
        let (word, bit) = self.filter_bit(parent, cp);
        self.filter[word] |= bit;
        self.place(parent, cp)
    }

    /// Puts a new node in the first free slot of its probe sequence.
    fn place(&mut self, parent: u32, cp: u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut at = self.home(parent, cp);
        while self.slots[at].parent != NONE {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot { parent, cp, ..EMPTY };
        at as u32
    }

    #[inline]
    fn hash(parent: u32, cp: u32) -> u64 {
        let key = (u64::from(parent) << 21) | u64::from(cp);
        key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// Home slot: the top bits of the hash.
    #[inline]
    fn home(&self, parent: u32, cp: u32) -> usize {
        (Self::hash(parent, cp) >> self.shift) as usize
    }

    /// Filter word and bit: lower bits of the hash, independent of `home`'s.
    #[inline]
    fn filter_bit(&self, parent: u32, cp: u32) -> (usize, u64) {
        let h = Self::hash(parent, cp) >> 16;
        ((h >> 6) as usize & (self.filter.len() - 1), 1 << (h & 63))
    }

    #[inline]
    fn child(&self, parent: u32, cp: u32) -> Option<u32> {
        if self.slots[parent as usize].child_mask & (1 << (cp & 31)) == 0 {
            return None;
        }
        let (word, bit) = self.filter_bit(parent, cp);
        if self.filter[word] & bit == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(parent, cp);
        loop {
            let slot = &self.slots[at];
            if slot.parent == parent && slot.cp == cp {
                return Some(at as u32);
            }
            if slot.parent == NONE {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Whether `byte` can be the first byte of a key.
    #[inline]
    pub fn is_lead(&self, byte: u8) -> bool {
        self.lead[usize::from(byte)]
    }

    /// Whether every tier after the first holds only single characters.
    pub fn later_tiers_single_char(&self) -> bool {
        self.tier_max_chars.iter().skip(1).all(|&n| n <= 1)
    }

    /// The trie node of keys starting with character `cp`, if any.
    #[inline(always)]
    pub fn root(&self, cp: u32) -> Option<u32> {
        let page = self.page_of[(cp >> 8) as usize];
        if page == NONE {
            return None;
        }
        let node = self.root[((page as usize) << 8) | (cp as usize & 0xff)];
        (node != NONE).then_some(node)
    }

    /// OpenCC's lookup at byte `pos` of `text`, given the [`root`](Self::root)
    /// node of the character there and that character's byte `width`: the
    /// best tier with a key prefixing `text[pos..]`, and the longest such
    /// key of that tier. Keys never extend past `text.len()`, which is how
    /// callers confine a match to a segment.
    pub fn lookup_from(&self, text: &[u8], pos: usize, root: u32, width: usize) -> Option<Match<'_>> {
        let mut node = root;
        let mut end = pos + width;
        // `best` packs (tier, value) like `Slot::value`: a lower number is a
        // better tier, and a later (longer) match of the same tier wins.
        let mut best = NONE;
        let mut best_end = end;
        loop {
            let slot = &self.slots[node as usize];
            if slot.value >> VALUE_BITS <= best >> VALUE_BITS {
                best = slot.value;
                best_end = end;
            }
            if slot.child_mask == 0 || end >= text.len() {
                break;
            }
            let (cp, width) = decode(text, end);
            match self.child(node, cp) {
                Some(next) => {
                    node = next;
                    end += width;
                }
                None => break,
            }
        }
        if best == NONE {
            return None;
        }
        let v = self.values[(best & ((1 << VALUE_BITS) - 1)) as usize];
        Some(Match {
            len: best_end - pos,
            value: &self.arena[v.start as usize..v.end as usize],
            tier: (best >> VALUE_BITS) as u8,
            identity: v.identity,
        })
    }
}

/// Decodes the character starting at byte `pos` of valid UTF-8 `text`.
#[inline(always)]
pub(super) fn decode(text: &[u8], pos: usize) -> (u32, usize) {
    let b0 = u32::from(text[pos]);
    if b0 < 0x80 {
        return (b0, 1);
    }
    let b1 = u32::from(text[pos + 1]) & 0x3f;
    if b0 < 0xe0 {
        return (((b0 & 0x1f) << 6) | b1, 2);
    }
    let b2 = u32::from(text[pos + 2]) & 0x3f;
    if b0 < 0xf0 {
        return (((b0 & 0x0f) << 12) | (b1 << 6) | b2, 3);
    }
    let b3 = u32::from(text[pos + 3]) & 0x3f;
    (((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3, 4)
}

/// Byte length of the UTF-8 character whose lead byte is `lead`.
#[inline(always)]
pub(super) fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}
