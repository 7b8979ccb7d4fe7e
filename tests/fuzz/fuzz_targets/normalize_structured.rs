//! A generated, always decodable NormalizeRequest (see
//! `zhtext_fuzz::structured`), through the same path as `normalize_raw`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhtext_fuzz::structured::FuzzNormalize;

fuzz_target!(
    init: zhtext_fuzz::init(),
    |input: FuzzNormalize| zhtext_fuzz::normalize_bytes(&input.encode())
);
