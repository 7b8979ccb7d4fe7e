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

/// `len` copies of `value`, in memory the kernel is asked to back with
/// transparent huge pages (where its policy is `madvise`, the common
/// default). Its users (the NER feature table, the lexicon's trie) read
/// at random over tens of megabytes: with 4 KiB pages nearly every read
/// also misses the TLB. The advice is given
/// before the memory is first written, so that its first faults already map
/// huge pages; if it is refused, nothing else changes.
pub(crate) fn huge_vec<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut vec = Vec::with_capacity(len);
    #[cfg(target_os = "linux")]
    {
        const HUGE_PAGE: usize = 2 << 20;
        let spare = vec.spare_capacity_mut();
        let start = spare.as_ptr() as usize;
        let end = start + std::mem::size_of_val(spare);
        let (aligned_start, aligned_end) = (start.next_multiple_of(HUGE_PAGE), end / HUGE_PAGE * HUGE_PAGE);
        if aligned_end > aligned_start {
            // SAFETY: the range lies inside the vector's own allocation;
            // MADV_HUGEPAGE changes how pages are backed, never their contents.
            unsafe {
                libc::madvise(
                    aligned_start as *mut libc::c_void,
                    aligned_end - aligned_start,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
    vec.resize(len, value);
    vec
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
