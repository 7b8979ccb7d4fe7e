//! Text processing, independent of gRPC: the pipeline and its stages.

pub mod align;
pub mod cancel;
pub mod char_hmm;
pub mod dictionary;
pub mod keywords;
pub mod lexicon;
pub mod normalize;
pub mod offsets;
pub mod opencc;
pub mod pipeline;
pub mod repair;
pub mod script;
pub mod segment;
pub mod tag;
pub mod word_tags;

/// A deterministic random number source for tests (xorshift64*), so that a
/// failure reproduces: each call returns a number below `n`.
#[cfg(test)]
pub(crate) fn test_random(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}
