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

/// Asks the CPU to bring `value`'s cache line in, without waiting for it.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint: it reads nothing into the program
        // and cannot fault, and the pointer comes from a reference.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

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
