//! A generated, always decodable SegmentRequest (see
//! `zhtext_fuzz::structured`), through the same path as `segment_raw`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhtext_fuzz::structured::FuzzSegment;

fuzz_target!(
    init: zhtext_fuzz::init(),
    |input: FuzzSegment| zhtext_fuzz::segment_bytes(&input.encode())
);
