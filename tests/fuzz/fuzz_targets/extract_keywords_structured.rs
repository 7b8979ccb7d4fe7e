//! A generated, always decodable ExtractKeywordsRequest (see
//! `zhtext_fuzz::structured`), through the same path as `extract_keywords_raw`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhtext_fuzz::structured::FuzzExtractKeywords;

fuzz_target!(
    init: zhtext_fuzz::init(),
    |input: FuzzExtractKeywords| zhtext_fuzz::extract_keywords_bytes(&input.encode())
);
