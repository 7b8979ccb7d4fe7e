//! `zhtext.v1.SegmentResponse`, written by hand instead of generated (see
//! `extern_path` in build.rs) so that the server can encode a segmentation
//! without first copying every word and tag into a `Token` of its own
//! (two `String`s per word, about a third of the server's CPU time on large
//! documents).
//!
//! The wire format is the proto's: clients decode into
//! [`SegmentResponse::tokens`] as with any generated message, and what the
//! server encodes from [`WordList`] is byte for byte what prost would encode
//! from the equivalent tokens (tested below).

use std::ops::Range;

use bytes::{Buf, BufMut};
use prost::{
    DecodeError, Message,
    encoding::{self, DecodeContext, WireType, encoded_len_varint},
};

use super::proto::Token;
use crate::text::segment::PosTag;

/// Output of `TextService.Segment`. Two responses are equal when they
/// encode the same tokens, however each holds them.
#[derive(Clone, Debug, Default)]
pub struct SegmentResponse {
    /// Tokens in text order (by `begin_offset`; in full and search mode tokens
    /// may overlap). A decoded response has all its tokens here.
    pub tokens: Vec<Token>,
    /// Tokens as the server builds them, encoded after `tokens`. Never
    /// filled by decoding.
    words: WordList,
}

impl SegmentResponse {
    /// A response whose tokens are `words`, encoded straight from them.
    pub fn from_words(words: WordList) -> Self {
        SegmentResponse {
            tokens: Vec::new(),
            words,
        }
    }

    /// All tokens as messages, for callers in the same process (the encoded
    /// form is the same either way).
    pub fn into_tokens(self) -> Vec<Token> {
        let mut tokens = self.tokens;
        tokens.extend(self.words.tokens.iter().map(|t| Token {
            text: self.words.text[t.word.start as usize..t.word.end as usize].to_owned(),
            begin_offset: t.begin_offset,
            end_offset: t.end_offset,
            pos: t.pos.as_str().to_owned(),
        }));
        tokens
    }
}

impl PartialEq for SegmentResponse {
    fn eq(&self, other: &Self) -> bool {
        self.encode_to_vec() == other.encode_to_vec()
    }
}

/// Tokens as ranges into one text, the normalized text they were cut from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WordList {
    text: String,
    tokens: Vec<WordToken>,
}

#[derive(Clone, Debug, PartialEq)]
struct WordToken {
    /// Byte range of the word in `WordList::text`.
    word: Range<u32>,
    begin_offset: u32,
    end_offset: u32,
    pos: PosTag,
}

impl WordList {
    /// An empty list with room for `capacity` tokens; its text comes with
    /// [`WordList::with_text`].
    pub fn with_capacity(capacity: usize) -> Self {
        WordList {
            text: String::new(),
            tokens: Vec::with_capacity(capacity),
        }
    }

    /// Adds the word at byte range `word` of the text, with its offsets in
    /// the caller's text and its tag.
    pub fn push(&mut self, word: Range<usize>, begin_offset: u32, end_offset: u32, pos: PosTag) {
        // Texts are at most the request limit, far below 4 GiB; a range that
        // does not fit fails the check in `with_text`.
        let word = u32::try_from(word.start).unwrap_or(u32::MAX)..u32::try_from(word.end).unwrap_or(u32::MAX);
        self.tokens.push(WordToken {
            word,
            begin_offset,
            end_offset,
            pos,
        });
    }

    /// The list with `text`, the text its word ranges point into.
    ///
    /// # Panics
    /// If a word is not a range of `text` on character boundaries: a bug of
    /// the caller, which would otherwise put invalid UTF-8 on the wire.
    pub fn with_text(mut self, text: String) -> Self {
        for token in &self.tokens {
            let (start, end) = (token.word.start as usize, token.word.end as usize);
            assert!(
                start <= end && text.is_char_boundary(start) && text.is_char_boundary(end),
                "word {start}..{end} is not a range of the text"
            );
        }
        self.text = text;
        self
    }
}

/// `Token` field tags, as in the proto.
const TEXT: u8 = 1 << 3 | WireType::LengthDelimited as u8;
const BEGIN_OFFSET: u8 = 2 << 3 | WireType::Varint as u8;
const END_OFFSET: u8 = 3 << 3 | WireType::Varint as u8;
const POS: u8 = 4 << 3 | WireType::LengthDelimited as u8;
/// `SegmentResponse.tokens`, field 1, length-delimited.
const TOKENS: u8 = 1 << 3 | WireType::LengthDelimited as u8;

impl WordToken {
    /// Encoded length of the `Token` message, proto3 defaults omitted as
    /// prost omits them.
    fn message_len(&self, word_len: usize) -> usize {
        let mut len = 0;
        if word_len > 0 {
            len += 1 + encoded_len_varint(word_len as u64) + word_len;
        }
        if self.begin_offset != 0 {
            len += 1 + encoded_len_varint(u64::from(self.begin_offset));
        }
        if self.end_offset != 0 {
            len += 1 + encoded_len_varint(u64::from(self.end_offset));
        }
        let pos_len = self.pos.as_bytes().len();
        if pos_len > 0 {
            len += 1 + encoded_len_varint(pos_len as u64) + pos_len;
        }
        len
    }
}

impl WordList {
    fn word(&self, token: &WordToken) -> &[u8] {
        &self.text.as_bytes()[token.word.start as usize..token.word.end as usize]
    }

    fn encoded_len(&self) -> usize {
        self.tokens
            .iter()
            .map(|t| {
                let len = t.message_len(t.word.len());
                1 + encoded_len_varint(len as u64) + len
            })
            .sum()
    }

    fn encode_raw(&self, buf: &mut impl BufMut) {
        // Each token is assembled in a small buffer and written with one
        // `put_slice` (two more for a long word): a `BufMut` call per field
        // byte costs more than the encoding itself.
        let mut scratch = Scratch::default();
        for token in &self.tokens {
            let word = self.word(token);
            scratch.byte(TOKENS);
            scratch.varint(token.message_len(word.len()) as u64);
            if !word.is_empty() {
                scratch.byte(TEXT);
                scratch.varint(word.len() as u64);
                if word.len() <= Scratch::INLINE_WORD {
                    scratch.slice(word);
                } else {
                    scratch.flush(buf);
                    buf.put_slice(word);
                }
            }
            if token.begin_offset != 0 {
                scratch.byte(BEGIN_OFFSET);
                scratch.varint(u64::from(token.begin_offset));
            }
            if token.end_offset != 0 {
                scratch.byte(END_OFFSET);
                scratch.varint(u64::from(token.end_offset));
            }
            let pos = token.pos.as_bytes();
            if !pos.is_empty() {
                scratch.byte(POS);
                scratch.varint(pos.len() as u64);
                scratch.slice(pos);
            }
            scratch.flush(buf);
        }
    }
}

/// Room for one encoded token: keys and varints (at most 5 bytes each, all
/// values are u32), a word of up to [`Scratch::INLINE_WORD`] bytes and a
/// tag of up to [`PosTag::MAX_LEN`].
struct Scratch {
    bytes: [u8; Scratch::CAPACITY],
    len: usize,
}

impl Scratch {
    const INLINE_WORD: usize = 32;
    const CAPACITY: usize = 4 * (1 + 5) + Self::INLINE_WORD + 1 + 1 + PosTag::MAX_LEN;

    fn byte(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.byte(value as u8 | 0x80);
            value >>= 7;
        }
        self.byte(value as u8);
    }

    fn slice(&mut self, slice: &[u8]) {
        self.bytes[self.len..self.len + slice.len()].copy_from_slice(slice);
        self.len += slice.len();
    }

    fn flush(&mut self, buf: &mut impl BufMut) {
        buf.put_slice(&self.bytes[..self.len]);
        self.len = 0;
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            bytes: [0; Scratch::CAPACITY],
            len: 0,
        }
    }
}

impl Message for SegmentResponse {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        encoding::message::encode_repeated(1, &self.tokens, buf);
        self.words.encode_raw(buf);
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        if tag == 1 {
            encoding::message::merge_repeated(wire_type, &mut self.tokens, buf, ctx).map_err(|mut error| {
                error.push("SegmentResponse", "tokens");
                error
            })
        } else {
            encoding::skip_field(wire_type, tag, buf, ctx)
        }
    }

    fn encoded_len(&self) -> usize {
        encoding::message::encoded_len_repeated(1, &self.tokens) + self.words.encoded_len()
    }

    fn clear(&mut self) {
        self.tokens.clear();
        self.words.tokens.clear();
        self.words.text.clear();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The same tokens as generated-style messages and as a word list.
    fn both(text: &str, words: &[(Range<usize>, u32, u32, &str)]) -> (Vec<Token>, WordList) {
        let mut list = WordList::with_capacity(words.len());
        let tokens = words
            .iter()
            .map(|(range, begin, end, pos)| {
                list.push(range.clone(), *begin, *end, PosTag::new(pos));
                Token {
                    text: text[range.clone()].to_owned(),
                    begin_offset: *begin,
                    end_offset: *end,
                    pos: (*pos).to_owned(),
                }
            })
            .collect();
        (tokens, list.with_text(text.to_owned()))
    }

    /// What prost encodes for `tokens` in a generated-style message.
    fn prost_encoding(tokens: &[Token]) -> Vec<u8> {
        let mut buf = Vec::new();
        encoding::message::encode_repeated(1, tokens, &mut buf);
        buf
    }

    #[test]
    fn encodes_as_prost_does_and_decodes_back() {
        let text = "北京欢迎你，GDP增长6%";
        let (tokens, list) = both(
            text,
            &[
                (0..6, 0, 2, "ns"),
                (6..12, 2, 4, "v"),
                (12..15, 4, 5, "r"),
                (15..18, 5, 6, "x"),
                // Defaults (empty word, zero offsets, empty tag) are omitted.
                (18..18, 0, 0, ""),
                (18..21, 6, 9, "eng"),
            ],
        );
        let response = SegmentResponse::from_words(list);
        let encoded = response.encode_to_vec();
        assert_eq!(encoded, prost_encoding(&tokens));
        assert_eq!(response.encoded_len(), encoded.len());
        let decoded = SegmentResponse::decode(encoded.as_slice()).unwrap();
        assert_eq!(decoded.tokens, tokens);
        // Equal as messages although one holds words and the other tokens.
        assert_eq!(decoded, response);
        assert_ne!(decoded, SegmentResponse::default());
        assert_eq!(response.into_tokens(), tokens);
    }

    #[test]
    #[should_panic(expected = "not a range of the text")]
    fn words_must_be_ranges_of_the_text() {
        let mut list = WordList::with_capacity(1);
        // Inside 北 (bytes 0..3).
        list.push(0..1, 0, 1, PosTag::new("x"));
        let _ = list.with_text("北京".to_owned());
    }

    #[test]
    fn decode_errors_name_the_field() {
        // tokens[0] claims 5 bytes, 1 follows.
        let error = SegmentResponse::decode(&[0x0a, 0x05, 0x10][..]).unwrap_err();
        assert!(error.to_string().contains("SegmentResponse.tokens"), "{error}");
    }

    proptest! {
        #[test]
        fn any_word_list_encodes_as_prost_does(
            text in "[a-z北京欢迎你\u{1F600}]{0,40}",
            picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u32>(), any::<u32>(), "[a-z]{0,16}"), 0..20),
        ) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let words: Vec<_> = picks
                .iter()
                .map(|(a, b, begin, end, pos)| {
                    let (a, b) = (a.get(&bounds), b.get(&bounds));
                    (*a.min(b)..*a.max(b), *begin, *end, pos.as_str())
                })
                .collect();
            let (tokens, list) = both(&text, &words);
            let response = SegmentResponse::from_words(list);
            let encoded = response.encode_to_vec();
            prop_assert_eq!(&encoded, &prost_encoding(&tokens));
            prop_assert_eq!(response.encoded_len(), encoded.len());
            prop_assert_eq!(SegmentResponse::decode(encoded.as_slice()).unwrap().tokens, tokens);
        }
    }
}
